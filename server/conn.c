/*
 * One connection: the TLS handshake with the client, the connection to
 * the backend, and the proxying between them, all non-blocking, on the
 * worker thread that accepted it (worker.c).
 *
 * A connection is driven by conn_run(), which makes every step it can
 * (handshake, read, write, half-close) until none makes progress, and
 * then asks epoll for exactly the readiness the blocked steps wait for.
 * GnuTLS sessions are non-blocking: after GNUTLS_E_AGAIN,
 * gnutls_record_get_direction() says whether the session waits to read or
 * to write, and a send that returned GNUTLS_E_AGAIN is retried with the
 * same buffer and length, as GnuTLS requires.
 *
 * Backpressure: a side is read only while the buffer toward its peer has
 * room, so a slow reader slows the writer down instead of growing memory.
 * Half-close: the client's close_notify (or EOF) becomes shutdown(SHUT_WR)
 * on the backend once everything before it is delivered, and the
 * backend's EOF becomes close_notify (gnutls_bye GNUTLS_SHUT_WR) toward
 * the client; the connection ends when both directions have.
 *
 * The TLS records of a session pass through two small buffers of the
 * connection instead of straight to the socket: reads fill tin with
 * whatever the socket has (GnuTLS would otherwise read each record's
 * header and body with separate calls), and writes collect in tout until
 * conn_run() flushes them, so a handshake flight that GnuTLS writes in
 * several pieces leaves in one send(). tout is bounded: past TOUT_MAX the
 * push function says EAGAIN, which GnuTLS reports as waiting to write.
 * Those functions and the buffers' pool are in conn-io.c; the relay
 * between the two ends once both are up, in conn-relay.c.
 *
 * A tls-alpn-01 challenge (ALPN acme-tls/1, gen.c) is answered by the
 * handshake itself: the connection then sends close_notify and closes
 * (CS_CHALLENGE), and no backend connection is ever opened for it; the
 * backend is connected only once a handshake has completed.
 *
 * accept_proxy: before the handshake (CS_PROXYHDR) the PROXY header of a
 * load balancer is read and believed (conn-proxyhdr.c); the handshake
 * timeout covers the header and the handshake together.
 *
 * The backend is chosen once the handshake has chosen the binding
 * (gen_conn_backend(): the binding's own, else the listener's). With
 * proxy_protocol, the header for it goes into the up buffer before the
 * first byte of the client's (conn-proxyhdr.c).
 *
 * Every end goes through conn_end(), which says why in the access log
 * (access.c) before the connection is torn down.
 *
 * Memory: the buffers (tin, up, down) are taken from a small per-worker
 * pool when a connection needs one and given back as soon as they are
 * empty, and tout is freed once flushed, so an idle connection holds none
 * of them, only what GnuTLS keeps.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "core/config.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"
#include "server/conn.h"

#define LOG_EVERY_MS	10000
#define LOG_PER_SECOND	10		/* error lines per worker */

static atomic_long	 total_conns;

static void	conn_run(struct conn *);

long
conn_total(void)
{
	return atomic_load(&total_conns);
}

static void
clist_remove(struct conn *c)
{
	struct clist	*l = c->list;

	if (l == NULL)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	c->list = NULL;
}

static void
clist_append(struct clist *l, struct conn *c, int64_t deadline)
{
	clist_remove(c);
	c->deadline = deadline;
	c->list = l;
	c->prev = l->tail;
	c->next = NULL;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

static void
conn_epoll(struct conn *c, int which, uint32_t want)
{
	struct epoll_event	 ev;
	struct evh		*h = which == EV_CLIENT ? &c->ch : &c->bh;
	int			 fd = which == EV_CLIENT ? c->cfd : c->bfd;
	int			*reg = which == EV_CLIENT ? &c->c_reg : &c->b_reg;
	uint32_t		*cur = which == EV_CLIENT ? &c->cev : &c->bev;

	if (fd == -1 || *reg == -1)	/* -1: hung up, out of the set */
		return;
	if (*reg && *cur == want)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = want;
	ev.data.ptr = h;
	if (epoll_ctl(c->w->epfd, *reg ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd,
	    &ev) == -1) {
		conn_end(c, END_ERROR, errno);
		return;
	}
	*reg = 1;
	*cur = want;
}

/*
 * After a hang-up a socket never blocks again (reads return data, EOF or
 * an error) and epoll would report it on every wait, so it leaves the
 * set and is driven by the other side's events.
 */
static void
conn_unregister(struct conn *c, int which)
{
	int	 fd = which == EV_CLIENT ? c->cfd : c->bfd;
	int	*reg = which == EV_CLIENT ? &c->c_reg : &c->b_reg;

	if (*reg == 1)
		epoll_ctl(c->w->epfd, EPOLL_CTL_DEL, fd, NULL);
	*reg = -1;
}

/* Whether this generation writes the access log (server.access_log). */
static int
conn_access_on(const struct gen *g)
{
	const struct config_server	*sv = config_server(gen_config(g));

	return sv == NULL || sv->access_log;
}

/*
 * Up to LOG_PER_SECOND warnings a second per worker: a backend that is
 * down, or a flood of bad PROXY headers, logs enough to be seen without
 * flooding the log at the rate of clients.
 */
int
conn_log_ok(struct worker *w)
{
	int64_t	now = now_ms();

	if (now - w->last_err_log >= 1000) {
		w->last_err_log = now;
		w->log_tokens = LOG_PER_SECOND;
	}
	if (w->log_tokens <= 0)
		return 0;
	w->log_tokens--;
	return 1;
}

void
conn_end(struct conn *c, enum conn_end end, int err)
{
	struct worker	*w = c->w;

	if (c->st == CS_DEAD)
		return;
	if (conn_access_on(c->hs.gen))
		access_conn(c, end, err);
	metrics_conn_end(c->mx, c->hs.gen, &c->hs, end);
	c->mx = MX_NONE;
	c->st = CS_DEAD;
	clist_remove(c);
	gnutls_deinit(c->s);
	close(c->cfd);
	if (c->bfd != -1)
		close(c->bfd);
	buf_put(w, &c->up);
	buf_put(w, &c->down);
	buf_put(w, &c->tin);
	free(c->tout);
	c->tout = NULL;
	gen_unref(c->hs.gen);
	c->hs.gen = NULL;
	challenge_unref(c->hs.chal);
	c->hs.chal = NULL;
	c->hs.ch = NULL;
	atomic_fetch_sub(&total_conns, 1);
	w->nconns--;
	/* Freed after the current batch: other events may point at it. */
	c->next = w->zombies;
	w->zombies = c;
}

void
conn_backend_log(struct conn *c, const char *what, int err)
{
	char	bbuf[ENDPOINT_STRLEN], lbuf[ENDPOINT_STRLEN];

	if (!conn_log_ok(c->w))
		return;
	log_warn("backend %s for %s: %s: %s", endpoint_format(&c->backend,
	    bbuf), endpoint_format(&c->hs.local, lbuf), what, strerror(err));
}

/* Why a connect to the backend failed, for the access log. */
static enum conn_end
conn_connect_end(int err)
{
	return err == ECONNREFUSED ? END_BACKEND_REFUSED : END_BACKEND_FAILED;
}

/*
 * Starts the backend connection once the handshake is done. Returns 0,
 * or the errno of a failure (logged).
 */
static int
conn_connect(struct conn *c)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			on = 1, err;

	len = endpoint_to_sockaddr(&c->backend, &ss);
	c->bfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->bfd == -1) {
		err = errno;
		conn_backend_log(c, "socket", err);
		return err;
	}
	setsockopt(c->bfd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	if (connect(c->bfd, (struct sockaddr *)&ss, len) == 0) {
		c->st = CS_PROXY;
		clist_append(&c->w->idle_list, c,
		    now_ms() + gen_idle_timeout(c->hs.gen));
		return 0;
	}
	if (errno != EINPROGRESS) {
		err = errno;
		conn_backend_log(c, "connect", err);
		return err;
	}
	/*
	 * A backend on this host has usually answered by the time connect()
	 * returns (the kernel runs the SYN-ACK when the call releases the
	 * socket), so ask once more before waiting: 0 or EISCONN says
	 * connected, which saves a round of epoll (the socket added for
	 * EPOLLOUT, the client's interest dropped and restored, SO_ERROR).
	 * A remote backend costs one EALREADY.
	 */
	if (connect(c->bfd, (struct sockaddr *)&ss, len) == 0 ||
	    errno == EISCONN) {
		c->st = CS_PROXY;
		clist_append(&c->w->idle_list, c,
		    now_ms() + gen_idle_timeout(c->hs.gen));
		return 0;
	}
	if (errno != EALREADY && errno != EINPROGRESS && errno != EINTR) {
		err = errno;
		conn_backend_log(c, "connect", err);
		return err;
	}
	c->st = CS_CONNECTING;
	return 0;
}

/*
 * The handshake is done and was not a challenge: the binding it chose
 * names the backend, which is told first (proxy_protocol) and connected.
 * 0, or -1 when the connection has ended.
 */
static int
conn_handshake_done(struct conn *c)
{
	int	err;

	if (gen_conn_backend(c->hs.gen, &c->hs, &c->hs.lep,
	    &c->backend) != 0) {
		/* Cannot happen: the listener was in this generation. */
		conn_end(c, END_ERROR, 0);
		return -1;
	}
	c->has_backend = 1;
	if (conn_proxyhdr_write(c) != 0) {
		conn_end(c, END_ERROR, 0);
		return -1;
	}
	if ((err = conn_connect(c)) != 0) {
		conn_end(c, conn_connect_end(err), err);
		return -1;
	}
	return 0;
}

static void
conn_connected(struct conn *c)
{
	socklen_t	len = sizeof(int);
	int		err = 0;

	if (getsockopt(c->bfd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		conn_backend_log(c, "connect", err);
		conn_end(c, conn_connect_end(err), err);
		return;
	}
	c->st = CS_PROXY;
	clist_append(&c->w->idle_list, c,
	    now_ms() + gen_idle_timeout(c->hs.gen));
}

/* The deadline of c has passed: why depends on how far it got. */
void
conn_expire(struct conn *c)
{
	switch (c->st) {
	case CS_PROXYHDR:
		conn_proxyhdr_log(c, "no complete PROXY header within "
		    "handshake_timeout");
		conn_end(c, END_PROXY_HEADER_TIMEOUT, 0);
		break;
	case CS_HANDSHAKE:
		conn_end(c, END_HANDSHAKE_TIMEOUT, 0);
		break;
	case CS_CHALLENGE:
		conn_end(c, END_CHALLENGE, ETIMEDOUT);
		break;
	case CS_CONNECTING:
		conn_backend_log(c, "connect", ETIMEDOUT);
		conn_end(c, END_BACKEND_TIMEOUT, ETIMEDOUT);
		break;
	case CS_PROXY:
		conn_end(c, END_IDLE_TIMEOUT, 0);
		break;
	case CS_DEAD:
		break;
	}
}

/*
 * The end of a tls-alpn-01 connection: close_notify, sent in full. 0
 * while it waits for the socket, -1 once the connection is to be closed
 * (done, or an error).
 */
static int
conn_challenge_step(struct conn *c)
{
	char	drain[512];
	int	r, i;

	if (c->bye != 2) {
		r = gnutls_bye(c->s, GNUTLS_SHUT_WR);
		if (conn_tls_again(r)) {
			c->bye = 1;
			c->bye_dir = gnutls_record_get_direction(c->s);
			return 0;
		}
		if (r != 0)
			return -1;
		c->bye = 2;
	}
	if (conn_flush(c) == -1)
		return -1;
	if (c->tout_off != c->tout_len)
		return 0;	/* conn_run() asks for EPOLLOUT */
	/*
	 * Whatever the client sent after its Finished (its own close_notify)
	 * is read and dropped, so that close() does not answer with a reset
	 * that could overtake our close_notify. Bounded: a client that keeps
	 * sending gets its reset.
	 */
	for (i = 0; i < 8 && recv(c->cfd, drain, sizeof drain, 0) > 0; i++)
		;
	shutdown(c->cfd, SHUT_WR);
	return -1;
}

/* The end of a handshake that failed with r, a fatal GnuTLS error. */
static enum conn_end
conn_handshake_end(const struct conn *c, int r)
{
	if (c->hs.refused && c->hs.binding < 0)
		return END_NO_BINDING;
	if (r == GNUTLS_E_PREMATURE_TERMINATION)
		return END_CLIENT_CLOSED;
	return END_HANDSHAKE_FAILED;
}

static uint32_t
dir_event(int dir)
{
	return dir ? EPOLLOUT : EPOLLIN;
}

static void
conn_run(struct conn *c)
{
	enum conn_end	end = END_CLOSED;
	uint32_t	cwant = 0, bwant = 0;
	int		r, moved, err = 0, activity = 0;

	for (;;) {
		if (c->st == CS_PROXYHDR) {
			if ((r = conn_proxyhdr_read(c)) == -1)
				return;
			if (r == 0)
				break;
			continue;
		}
		if (c->st == CS_HANDSHAKE) {
			r = gnutls_handshake(c->s);
			if (r == 0)
				c->hs_done = 1;
			if (r == 0 && gen_is_challenge(c->s, &c->hs)) {
				/* Still on hs_list: the deadline bounds it. */
				c->st = CS_CHALLENGE;
				metrics_conn_state(c->mx, MX_NONE);
				c->mx = MX_NONE;
				continue;
			}
			if (r == 0) {
				metrics_handshake(c->hs.gen, &c->hs);
				metrics_conn_state(c->mx, MX_PROXYING);
				c->mx = MX_PROXYING;
				if (conn_handshake_done(c) != 0)
					return;
				continue;
			}
			if (conn_tls_again(r)) {
				c->hs_dir = gnutls_record_get_direction(c->s);
				break;
			}
			if (gnutls_error_is_fatal(r)) {
				/*
				 * Tell the client why (handshake_failure when
				 * nothing is bound) rather than just closing.
				 * Non-blocking: a full socket loses the alert.
				 */
				gnutls_alert_send_appropriate(c->s, r);
				conn_flush(c);
				conn_end(c, conn_handshake_end(c, r), r);
				return;
			}
			continue;	/* a warning alert: go on */
		}
		if (c->st == CS_CHALLENGE) {
			if (conn_challenge_step(c) != 0) {
				conn_end(c, END_CHALLENGE, 0);
				return;
			}
			break;
		}
		if (c->st != CS_PROXY)
			break;
		if ((moved = conn_relay_step(c, &end, &err)) == -1) {
			conn_flush(c);
			conn_end(c, end, err);
			return;
		}
		if (conn_flush(c) == -1) {
			conn_end(c, END_CLIENT_RESET, errno);
			return;
		}
		if (!moved)
			break;
		activity = 1;
	}
	if (conn_flush(c) == -1) {
		conn_end(c, c->st == CS_PROXY ? END_CLIENT_RESET :
		    END_CLIENT_CLOSED, errno);
		return;
	}
	/* Bytes leaving tout are activity too; what is left needs EPOLLOUT. */
	if (c->tout_moved) {
		c->tout_moved = 0;
		activity = 1;
	}
	if (c->tout_off != c->tout_len)
		cwant |= EPOLLOUT;

	/* Empty buffers go back to the pool: an idle connection holds none. */
	if (c->tin.start == c->tin.end)
		buf_put(c->w, &c->tin);
	if (c->up.start == c->up.end)
		buf_put(c->w, &c->up);
	if (c->down.start == c->down.end && c->send_len == 0)
		buf_put(c->w, &c->down);
	if (c->tout_off == c->tout_len && c->tout != NULL) {
		free(c->tout);
		c->tout = NULL;
		c->tout_off = c->tout_len = c->tout_cap = 0;
	}

	switch (c->st) {
	case CS_PROXYHDR:
		cwant |= EPOLLIN;
		break;
	case CS_HANDSHAKE:
		cwant |= dir_event(c->hs_dir);
		break;
	case CS_CHALLENGE:
		if (c->bye == 1)
			cwant |= dir_event(c->bye_dir);
		break;
	case CS_CONNECTING:
		bwant = EPOLLOUT;
		break;
	case CS_PROXY:
		if (!c->c_eof && c->up.end < BUF_SIZE)
			cwant |= dir_event(c->rd_dir);
		if (c->send_len != 0)
			cwant |= dir_event(c->wr_dir);
		if (c->bye == 1)
			cwant |= dir_event(c->bye_dir);
		if (!c->b_eof && c->down.end < BUF_SIZE)
			bwant |= EPOLLIN;
		if (buf_len(&c->up) > 0)
			bwant |= EPOLLOUT;
		if (activity)
			clist_append(&c->w->idle_list, c,
			    now_ms() + gen_idle_timeout(c->hs.gen));
		break;
	case CS_DEAD:
		return;
	}
	conn_epoll(c, EV_CLIENT, cwant);
	if (c->st != CS_DEAD && c->bfd != -1)
		conn_epoll(c, EV_BACKEND, bwant);
}

/* The error pending on a socket, or fallback when it says none. */
static int
sock_error(int fd, int fallback)
{
	socklen_t	len = sizeof(int);
	int		err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
	    err == 0)
		err = fallback;
	return err;
}

void
conn_event(struct conn *c, int which, uint32_t events)
{
	int	err;

	if (c->st == CS_DEAD)
		return;
	if (events & EPOLLERR) {
		if (which == EV_BACKEND && c->st == CS_CONNECTING)
			conn_connected(c);	/* logs, ends */
		else if (which == EV_BACKEND) {
			err = sock_error(c->bfd, ECONNRESET);
			conn_backend_log(c, "connection lost", err);
			conn_end(c, END_BACKEND_LOST, err);
		} else
			conn_end(c, END_CLIENT_RESET,
			    sock_error(c->cfd, ECONNRESET));
		return;
	}
	if (events & EPOLLHUP) {
		if (c->st != CS_PROXY) {
			if (c->st == CS_CHALLENGE)
				conn_end(c, END_CHALLENGE, 0);
			else if (which == EV_BACKEND)
				conn_end(c, END_BACKEND_FAILED, 0);
			else
				conn_end(c, END_CLIENT_CLOSED, 0);
			return;
		}
		conn_unregister(c, which);
	}
	if (which == EV_BACKEND && c->st == CS_CONNECTING) {
		conn_connected(c);
		if (c->st == CS_DEAD)
			return;
	}
	conn_run(c);
}

/*
 * The client's and local addresses of a connection accepted from l on
 * fd: a listener on a concrete address is the local endpoint itself, and
 * only "*" needs asking which address the client reached. -1 if either
 * cannot be had.
 */
static int
conn_addrs(const struct listener *l, int fd,
    const struct sockaddr_storage *peer, socklen_t plen,
    struct endpoint *client, struct endpoint *local)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;

	if (!endpoint_any_addr(&l->ep))
		*local = l->ep;
	else if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    endpoint_from_sockaddr((struct sockaddr *)&ss, len, local) != 0)
		return -1;
	return endpoint_from_sockaddr((const struct sockaddr *)peer, plen,
	    client);
}

/*
 * A connection refused before it had a struct conn (max_connections, or
 * no memory for a session): its access log line, and the descriptor
 * closed.
 */
static void
conn_refuse(struct gen *g, const struct listener *l, int fd,
    const struct sockaddr_storage *peer, socklen_t plen,
    const struct timespec *start, enum conn_end end)
{
	struct access_entry	 a;
	struct endpoint		 client, local;

	if (conn_access_on(g)) {
		memset(&a, 0, sizeof a);
		memset(&client, 0, sizeof client);
		memset(&local, 0, sizeof local);
		(void)conn_addrs(l, fd, peer, plen, &client, &local);
		a.start = start;
		a.client = &client;
		a.local = &local;
		a.end = end;
		access_log(&a);
	}
	close(fd);
}

void
conn_new(struct worker *w, struct listener *l, int fd,
    const struct sockaddr_storage *peer, socklen_t plen)
{
	struct conn		*c;
	struct gen		*g;
	struct timespec		 start;
	int64_t			 now;

	clock_gettime(CLOCK_REALTIME, &start);
	if ((g = gen_current()) == NULL) {
		close(fd);
		return;
	}
	if (atomic_fetch_add(&total_conns, 1) >= gen_max_connections(g)) {
		/* Refused here; the connections already open are untouched. */
		atomic_fetch_sub(&total_conns, 1);
		now = now_ms();
		if (now - w->last_full_log >= LOG_EVERY_MS) {
			w->last_full_log = now;
			log_warn("max_connections (%lld) reached: refusing new "
			    "connections", (long long)gen_max_connections(g));
		}
		conn_refuse(g, l, fd, peer, plen, &start, END_MAX_CONNECTIONS);
		gen_unref(g);
		return;
	}
	w->nconns++;

	c = xcalloc(1, sizeof *c);
	c->ch.ev = EV_CLIENT;
	c->ch.c = c;
	c->bh.ev = EV_BACKEND;
	c->bh.c = c;
	c->w = w;
	c->cfd = fd;
	c->bfd = -1;
	c->t_start = start;
	c->ms_start = now_ms();
	c->hs.gen = g;
	c->hs.lep = l->ep;
	if ((c->lis = gen_listener(g, &l->ep)) == NULL ||
	    conn_addrs(l, fd, peer, plen, &c->hs.peer, &c->hs.local) != 0 ||
	    gen_session_new(g, fd, &c->hs, &c->s) != 0) {
		/*
		 * A listener the current config no longer has (its socket
		 * is closing), or no memory.
		 */
		if (c->lis != NULL)
			conn_refuse(g, l, fd, peer, plen, &start, END_ERROR);
		else
			close(fd);
		gen_unref(g);
		atomic_fetch_sub(&total_conns, 1);
		w->nconns--;
		free(c);
		return;
	}
	c->st = c->lis->accept_proxy ? CS_PROXYHDR : CS_HANDSHAKE;
	c->mx = MX_HANDSHAKE;
	metrics_conn_state(MX_NONE, MX_HANDSHAKE);
	gnutls_transport_set_ptr(c->s, c);
	gnutls_transport_set_pull_function(c->s, conn_pull);
	gnutls_transport_set_vec_push_function(c->s, conn_push);
	clist_append(&w->hs_list, c, c->ms_start + gen_handshake_timeout(g));
	/* The ClientHello (or the PROXY header) is often there already. */
	conn_run(c);
}
