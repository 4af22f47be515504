/*
 * hsload: the GnuTLS client that loads the TLS proxies in the benchmark.
 *
 *   hsload hs HOST PORT SECONDS THREADS   full TLS 1.3 handshakes, each on a
 *                                         new connection, no resumption;
 *                                         prints the number completed
 *   hsload banner HOST PORT SECONDS THREADS
 *                                         the same, and after each
 *                                         handshake waits for the first
 *                                         line from the backend (sink
 *                                         with a BANNER), so that every
 *                                         proxy connects to its backend
 *   hsload resume13 HOST PORT SECONDS THREADS
 *   hsload resume12 HOST PORT SECONDS THREADS
 *                                         resumed handshakes, TLS 1.3 PSK
 *                                         from session tickets or TLS 1.2
 *                                         RFC 5077 tickets: each thread
 *                                         makes one full handshake, then
 *                                         on every new connection offers
 *                                         the newest session data it holds
 *                                         (taken again after every
 *                                         connection, as a browser does),
 *                                         waits for the banner (in TLS 1.3
 *                                         the ticket comes after the
 *                                         handshake) and counts only the
 *                                         handshakes the server resumed
 *   hsload bulk HOST PORT MEGABYTES       one connection: sends that much,
 *                                         close_notify, waits for the
 *                                         server's close; prints MB/s
 *
 * In hs and banner, each handshake is a fresh session without a ticket or
 * session cache, so every one costs the server a full key exchange and a
 * signature. The certificate is not verified: the benchmark measures the
 * server.
 *
 * The load modes print "DONE FAILED SECONDS FULL": the handshakes counted
 * (for resume13 and resume12 the resumed ones only), the connections that
 * failed, the wall time, and for the resuming modes the connections that
 * got a full handshake instead (0 otherwise; a thread's first, full,
 * handshake is in neither count). A server that stops resuming, or never
 * sends a ticket, thus shows in FULL and lowers DONE.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

static struct sockaddr_in	 target;
static double			 deadline;
static atomic_long		 done, failed, fellback;
static int			 want_banner, resuming;
static gnutls_certificate_credentials_t creds;
static gnutls_priority_t	 prio;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A new connection and handshake; with DATA (resuming modes), offers that
 * session data. *resumedp, when not NULL: whether the server resumed.
 */
static gnutls_session_t
client(int *fdp, const gnutls_datum_t *data, int *resumedp)
{
	struct timeval		tmo = { 5, 0 };
	gnutls_session_t	s;
	int			fd, on = 1, r;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return NULL;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	/* No read waits for ever: a lost banner counts as a failure. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof tmo);
	if (connect(fd, (struct sockaddr *)&target, sizeof target) == -1) {
		close(fd);
		return NULL;
	}
	gnutls_init(&s, GNUTLS_CLIENT | (resuming ? 0 : GNUTLS_NO_TICKETS));
	gnutls_priority_set(s, prio);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, creds);
	if (data != NULL && data->size > 0)
		gnutls_session_set_data(s, data->data, data->size);
	gnutls_transport_set_int(s, fd);
	do {
		r = gnutls_handshake(s);
	} while (r < 0 && !gnutls_error_is_fatal(r));
	if (r < 0) {
		gnutls_deinit(s);
		close(fd);
		return NULL;
	}
	if (resumedp != NULL)
		*resumedp = gnutls_session_is_resumed(s) != 0;
	*fdp = fd;
	return s;
}

/* Reads records until one ends a line; 0 when the banner came. */
static int
read_banner(gnutls_session_t s)
{
	char	buf[512];
	ssize_t	r;
	int	i;

	for (i = 0; i < 16; i++) {
		r = gnutls_record_recv(s, buf, sizeof buf);
		if (r > 0 && buf[r - 1] == '\n')
			return 0;
		if (r == 0 || (r < 0 && gnutls_error_is_fatal(r)))
			return -1;
	}
	return -1;
}

static void *
hs_thread(void *arg)
{
	gnutls_session_t	s;
	int			fd;

	(void)arg;
	while (now() < deadline) {
		if ((s = client(&fd, NULL, NULL)) == NULL) {
			atomic_fetch_add(&failed, 1);
			continue;
		}
		if (want_banner && read_banner(s) != 0) {
			atomic_fetch_add(&failed, 1);
			gnutls_deinit(s);
			close(fd);
			continue;
		}
		atomic_fetch_add(&done, 1);
		gnutls_bye(s, GNUTLS_SHUT_WR);
		gnutls_deinit(s);
		close(fd);
	}
	return NULL;
}

/*
 * resume13, resume12: one full handshake, then resume with the newest
 * session data, refreshed after every connection.
 */
static void *
resume_thread(void *arg)
{
	gnutls_session_t	s;
	gnutls_datum_t		data = { NULL, 0 }, nd;
	int			fd, resumed, first = 1;

	(void)arg;
	while (now() < deadline) {
		if ((s = client(&fd, &data, &resumed)) == NULL) {
			atomic_fetch_add(&failed, 1);
			continue;
		}
		/* The banner: in TLS 1.3 the tickets come with or before it. */
		if (read_banner(s) != 0) {
			atomic_fetch_add(&failed, 1);
			gnutls_deinit(s);
			close(fd);
			continue;
		}
		if (resumed)
			atomic_fetch_add(&done, 1);
		else if (!first)
			atomic_fetch_add(&fellback, 1);
		first = 0;
		/*
		 * The newest data, when this connection brought a ticket;
		 * else the old is kept. (Without a ticket, a TLS 1.3 client's
		 * gnutls_session_get_data2() waits 50 ms for one.)
		 */
		if ((gnutls_session_get_flags(s) &
		    GNUTLS_SFLAGS_SESSION_TICKET) &&
		    gnutls_session_get_data2(s, &nd) == 0) {
			if (nd.size > 0) {
				gnutls_free(data.data);
				data = nd;
			} else
				gnutls_free(nd.data);
		}
		gnutls_bye(s, GNUTLS_SHUT_WR);
		gnutls_deinit(s);
		close(fd);
	}
	gnutls_free(data.data);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t		*th;
	gnutls_session_t	 s;
	static char		 buf[16384];
	double			 t0, secs;
	long			 i, n, mb, left;
	ssize_t			 r;
	int			 fd;

	if (argc < 5) {
		fprintf(stderr, "usage: hsload hs HOST PORT SECONDS THREADS\n"
		    "       hsload banner HOST PORT SECONDS THREADS\n"
		    "       hsload resume13 HOST PORT SECONDS THREADS\n"
		    "       hsload resume12 HOST PORT SECONDS THREADS\n"
		    "       hsload bulk HOST PORT MEGABYTES\n");
		return 2;
	}
	target.sin_family = AF_INET;
	target.sin_port = htons(atoi(argv[3]));
	if (inet_pton(AF_INET, argv[2], &target.sin_addr) != 1) {
		fprintf(stderr, "hsload: bad address %s\n", argv[2]);
		return 2;
	}
	gnutls_global_init();
	gnutls_certificate_allocate_credentials(&creds);
	resuming = strncmp(argv[1], "resume", 6) == 0;
	/*
	 * X25519 for the key exchange. resume12 also names P-256: in TLS
	 * 1.2, OpenSSL serves an ECDSA certificate only on a curve that the
	 * client's supported groups list (RFC 8422, 5.1).
	 */
	if (gnutls_priority_init(&prio, strcmp(argv[1], "resume12") == 0 ?
	    "NORMAL:-VERS-ALL:+VERS-TLS1.2:-GROUP-ALL:+GROUP-X25519:"
	    "+GROUP-SECP256R1" :
	    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-X25519", NULL) < 0)
		return 2;

	want_banner = strcmp(argv[1], "banner") == 0;
	if ((strcmp(argv[1], "hs") == 0 || want_banner ||
	    strcmp(argv[1], "resume13") == 0 ||
	    strcmp(argv[1], "resume12") == 0) && argc == 6) {
		n = atol(argv[5]);
		th = calloc(n, sizeof *th);
		t0 = now();
		deadline = t0 + atof(argv[4]);
		for (i = 0; i < n; i++)
			pthread_create(&th[i], NULL,
			    resuming ? resume_thread : hs_thread, NULL);
		for (i = 0; i < n; i++)
			pthread_join(th[i], NULL);
		printf("%ld %ld %.3f %ld\n", atomic_load(&done),
		    atomic_load(&failed), now() - t0, atomic_load(&fellback));
		return 0;
	}
	if (strcmp(argv[1], "bulk") == 0) {
		mb = atol(argv[4]);
		if ((s = client(&fd, NULL, NULL)) == NULL) {
			fprintf(stderr, "hsload: handshake failed\n");
			return 1;
		}
		memset(buf, 'x', sizeof buf);
		t0 = now();
		for (left = mb * 1024 * 1024; left > 0; left -= r) {
			r = gnutls_record_send(s, buf,
			    left < (long)sizeof buf ? left : (long)sizeof buf);
			if (r < 0 && gnutls_error_is_fatal(r)) {
				fprintf(stderr, "hsload: %s\n",
				    gnutls_strerror(r));
				return 1;
			}
			if (r < 0)
				r = 0;
		}
		gnutls_bye(s, GNUTLS_SHUT_WR);
		/* The server closes once the backend has read everything. */
		while ((r = gnutls_record_recv(s, buf, sizeof buf)) > 0 ||
		    r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			;
		secs = now() - t0;
		printf("%.1f\n", mb / secs);
		return 0;
	}
	fprintf(stderr, "hsload: unknown mode %s\n", argv[1]);
	return 2;
}
