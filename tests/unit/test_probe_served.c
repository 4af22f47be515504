/*
 * probe_served(): one handshake, the leaf's SHA-256, and whether the
 * server selected the ALPN protocol asked for. The server is GnuTLS in a
 * thread of this process on 127.0.0.1, with a certificate made here and
 * its fingerprint computed by GnuTLS, not by the code under test.
 *
 * With arguments the program is the probe of the server tests instead
 * (tests/server/t-alpn-challenge.sh asks certbindd through it):
 *
 *   test_probe_served probe HOST:PORT SNI [ALPN]
 *
 * prints "served FPR" or "error CAUSE" and exits 0 or 1.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "core/endpoint.h"
#include "op/probe.h"
#include "util/xmalloc.h"

#define ACME	"acme-tls/1"

struct server {
	int				 lfd;
	int				 port;
	const char			*alpn;		/* offered, or NULL */
	int				 refuse;	/* fail the hello */
	gnutls_certificate_credentials_t creds;
	char				 fpr[96];
	pthread_t			 th;
};

static gnutls_x509_crt_t	crt;
static gnutls_x509_privkey_t	key;
static char			fpr_hex[96];

/* A self-signed ECDSA certificate for a.test, made once. */
static int
group_setup(void **state)
{
	unsigned char	md[32], serial[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t		mdlen = sizeof md, i;
	char		*p = fpr_hex;
	time_t		now = time(NULL);

	if (gnutls_global_init() < 0 ||
	    gnutls_x509_privkey_init(&key) < 0 ||
	    gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
	    gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_set_version(crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(crt, serial, sizeof serial) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, now - 60) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt, now + 3600) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
	    0, "x", 1) < 0 ||
	    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
	    "a.test", 6, GNUTLS_FSAN_SET) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0 ||
	    gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, md,
	    &mdlen) < 0)
		return -1;
	for (i = 0; i < mdlen; i++)
		p += sprintf(p, "%s%02x", i == 0 ? "" : ":", md[i]);
	return 0;
}

static int
group_teardown(void **state)
{
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	gnutls_global_deinit();
	return 0;
}

static int
refuse_hello(gnutls_session_t s)
{
	return GNUTLS_E_INSUFFICIENT_CREDENTIALS;
}

/* Serves one connection. */
static void *
server_main(void *arg)
{
	struct server		*sv = arg;
	gnutls_session_t	 s;
	gnutls_datum_t		 proto;
	int			 fd, ret;

	if ((fd = accept(sv->lfd, NULL, NULL)) == -1)
		return NULL;
	gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NO_SIGNAL);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, sv->creds);
	if (sv->alpn != NULL) {
		proto.data = (unsigned char *)sv->alpn;
		proto.size = strlen(sv->alpn);
		gnutls_alpn_set_protocols(s, &proto, 1, 0);
	}
	if (sv->refuse)
		gnutls_handshake_set_post_client_hello_function(s,
		    refuse_hello);
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, 5000);
	do {
		ret = gnutls_handshake(s);
	} while (ret < 0 && !gnutls_error_is_fatal(ret));
	if (ret < 0)
		gnutls_alert_send_appropriate(s, ret);
	else
		gnutls_bye(s, GNUTLS_SHUT_WR);
	gnutls_deinit(s);
	close(fd);
	return NULL;
}

static void
server_start(struct server *sv, const char *alpn, int refuse)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	memset(sv, 0, sizeof *sv);
	sv->alpn = alpn;
	sv->refuse = refuse;
	assert_int_equal(gnutls_certificate_allocate_credentials(&sv->creds),
	    0);
	assert_int_equal(gnutls_certificate_set_x509_key(sv->creds, &crt, 1,
	    key), 0);
	sv->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(sv->lfd != -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(sv->lfd, (struct sockaddr *)&sin, sizeof sin),
	    0);
	assert_int_equal(listen(sv->lfd, 4), 0);
	assert_int_equal(getsockname(sv->lfd, (struct sockaddr *)&sin, &len),
	    0);
	sv->port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&sv->th, NULL, server_main, sv), 0);
}

static void
server_stop(struct server *sv)
{
	pthread_join(sv->th, NULL);
	close(sv->lfd);
	gnutls_certificate_free_credentials(sv->creds);
}

static void
ep_of_port(int port, struct endpoint *ep)
{
	char	text[32];

	snprintf(text, sizeof text, "127.0.0.1:%d", port);
	assert_int_equal(endpoint_parse(text, ep, NULL), 0);
}

static void
test_served_with_alpn(void **state)
{
	struct server	 sv;
	struct endpoint	 ep;
	char		*fpr = NULL, *cause = NULL;

	server_start(&sv, ACME, 0);
	ep_of_port(sv.port, &ep);
	assert_int_equal(probe_served(&ep, "a.test", ACME, 5000, &fpr,
	    &cause), 0);
	assert_null(cause);
	assert_string_equal(fpr, fpr_hex);
	free(fpr);
	server_stop(&sv);
}

static void
test_served_without_alpn(void **state)
{
	struct server	 sv;
	struct endpoint	 ep;
	char		*fpr = NULL, *cause = NULL;

	server_start(&sv, NULL, 0);
	ep_of_port(sv.port, &ep);
	assert_int_equal(probe_served(&ep, NULL, NULL, 5000, &fpr, &cause),
	    0);
	assert_string_equal(fpr, fpr_hex);
	free(fpr);
	server_stop(&sv);
}

/* A server that does not speak acme-tls/1 still hands out a certificate:
 * that is not an answer to the challenge. */
static void
test_alpn_not_selected(void **state)
{
	struct server	 sv;
	struct endpoint	 ep;
	char		*fpr = NULL, *cause = NULL;

	server_start(&sv, "h2", 0);
	ep_of_port(sv.port, &ep);
	assert_int_equal(probe_served(&ep, "a.test", ACME, 5000, &fpr,
	    &cause), -1);
	assert_null(fpr);
	assert_string_equal(cause, "the server did not select acme-tls/1");
	free(cause);
	server_stop(&sv);
}

static void
test_refused(void **state)
{
	struct server	 sv;
	struct endpoint	 ep;
	char		*fpr = NULL, *cause = NULL;

	server_start(&sv, ACME, 1);
	ep_of_port(sv.port, &ep);
	assert_int_equal(probe_served(&ep, "b.test", ACME, 5000, &fpr,
	    &cause), -1);
	assert_null(fpr);
	assert_non_null(strstr(cause, "refused the handshake"));
	free(cause);
	server_stop(&sv);
}

static void
test_no_listener(void **state)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	struct endpoint		 ep;
	char			*fpr = NULL, *cause = NULL;
	int			 fd;

	/* A port that was free a moment ago, and nothing listens on it. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	ep_of_port(ntohs(sin.sin_port), &ep);
	assert_int_equal(probe_served(&ep, "a.test", ACME, 2000, &fpr,
	    &cause), -1);
	assert_null(fpr);
	assert_string_equal(cause, "cannot connect: Connection refused");
	free(cause);
}

/* The server tests' probe: one probe_served() of certbindd. */
static int
probe_main(int argc, char **argv)
{
	struct endpoint	 ep;
	char		*fpr, *cause;
	int		 r;

	if (argc < 4 || argc > 5 ||
	    endpoint_parse(argv[2], &ep, NULL) != 0) {
		fprintf(stderr, "usage: test_probe_served probe HOST:PORT "
		    "SNI [ALPN]\n");
		return 2;
	}
	gnutls_global_init();
	r = probe_served(&ep, *argv[3] != '\0' ? argv[3] : NULL,
	    argc == 5 ? argv[4] : NULL, 5000, &fpr, &cause);
	if (r == 0)
		printf("served %s\n", fpr);
	else
		printf("error %s\n", cause);
	free(fpr);
	free(cause);
	gnutls_global_deinit();
	return r == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served_with_alpn),
		cmocka_unit_test(test_served_without_alpn),
		cmocka_unit_test(test_alpn_not_selected),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_no_listener),
	};

	if (argc > 1 && strcmp(argv[1], "probe") == 0)
		return probe_main(argc, argv);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
