/*
 * The ACME preflight as a table: a set of listeners, a domain, a
 * challenge, and the verdict with a phrase its message must hold. Names
 * resolve without DNS: "localhost" from /etc/hosts, "nothing.invalid"
 * never (RFC 6761), an IP literal for an address this host does not have.
 *
 * What localhost resolves to differs between hosts (127.0.0.1 alone, or
 * ::1 as well): the test asks getaddrinfo() first and expects the
 * preflight to name ::1 where a listener covers 127.0.0.1 only.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "op/acme-preflight.h"
#include "tests/unit/unit.h"

#define MAXL	3

static struct config *
with_listeners(const char *const *eps)
{
	struct config	*cf = config_new();
	struct endpoint	 ep, be;
	char		*cause = NULL;
	size_t		 i;

	unit_ep_of("127.0.0.1:8080", &be);
	for (i = 0; i < MAXL && eps[i] != NULL; i++) {
		unit_ep_of(eps[i], &ep);
		if (config_listen(cf, &ep, &be, &cause) != 0)
			fail_msg("config_listen(%s): %s", eps[i], cause);
	}
	return cf;
}

/* Whether localhost resolves to ::1 here, and to 127.0.0.1. */
static void
localhost_has(int *v6, int *v4)
{
	struct addrinfo	 hints, *res, *ai;
	struct endpoint	 ep;
	struct endpoint	 lo6, lo4;

	*v6 = *v4 = 0;
	unit_ep_of("[::1]:1", &lo6);
	unit_ep_of("127.0.0.1:1", &lo4);
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo("localhost", NULL, &hints, &res) != 0)
		fail_msg("localhost does not resolve on this host");
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (endpoint_from_sockaddr(ai->ai_addr, ai->ai_addrlen,
		    &ep) != 0)
			continue;
		ep.port = 1;
		if (endpoint_cmp(&ep, &lo6) == 0)
			*v6 = 1;
		if (endpoint_cmp(&ep, &lo4) == 0)
			*v4 = 1;
	}
	freeaddrinfo(res);
}

enum { ANY, V6, V4ONLY };	/* when a case applies */

static void
test_preflight_table(void **state)
{
	static const struct {
		int		 when;
		const char	*listeners[MAXL];
		const char	*domain;
		const char	*challenge;
		int		 webroot;
		int		 port;
		enum preflight_verdict want;
		const char	*says;
	} cases[] = {
		/* tls-alpn-01: a listener must cover every address. */
		{ ANY, { "*:443" }, "localhost", "tls-alpn-01", 0, 443,
		  PREFLIGHT_OK, "certbindd answers tls-alpn-01" },
		{ ANY, { "127.0.0.1:443", "[::1]:443" }, "localhost",
		  "tls-alpn-01", 0, 443, PREFLIGHT_OK, "localhost resolves to" },
		{ V4ONLY, { "127.0.0.1:443" }, "localhost", "tls-alpn-01", 0,
		  443, PREFLIGHT_OK, "127.0.0.1, this host's" },
		{ V6, { "127.0.0.1:443" }, "localhost", "tls-alpn-01", 0, 443,
		  PREFLIGHT_UNREACHABLE, "no listener in the config covers "
		  "[::1]:443" },
		{ ANY, { NULL }, "localhost", "tls-alpn-01", 0, 443,
		  PREFLIGHT_UNREACHABLE, "would not reach certbindd" },
		{ ANY, { "127.0.0.2:443", "[::2]:443" }, "localhost",
		  "tls-alpn-01", 0, 443, PREFLIGHT_UNREACHABLE,
		  "no listener in the config covers" },
		{ ANY, { "*:443" }, "localhost", "tls-alpn-01", 0, 8443,
		  PREFLIGHT_UNREACHABLE, ":8443: the CA's tls-alpn-01" },
		{ ANY, { "*:8443" }, "localhost", "tls-alpn-01", 0, 8443,
		  PREFLIGHT_OK, "covers port 8443" },
		{ ANY, { "*:443" }, "localhost", "tls-alpn-01", 0, 0,
		  PREFLIGHT_OK, "port 443" },
		{ ANY, { "*:443" }, "192.0.2.1", "tls-alpn-01", 0, 443,
		  PREFLIGHT_UNREACHABLE, "192.0.2.1, which is not an address "
		  "of this host" },
		{ ANY, { "*:443" }, "nothing.invalid", "tls-alpn-01", 0, 443,
		  PREFLIGHT_UNRESOLVED, "nothing.invalid does not resolve" },

		/* http-01 standalone: no listener may hold the port. */
		{ ANY, { NULL }, "localhost", "http-01", 0, 80,
		  PREFLIGHT_OK, "certbind's own responder answers http-01" },
		{ ANY, { "*:443" }, "localhost", "http-01", 0, 80,
		  PREFLIGHT_OK, "no listener in the config holds port 80" },
		{ ANY, { "*:80" }, "localhost", "http-01", 0, 80,
		  PREFLIGHT_UNREACHABLE, "could not bind port 80" },
		{ ANY, { "127.0.0.1:80" }, "localhost", "http-01", 0, 80,
		  PREFLIGHT_UNREACHABLE, "holds 127.0.0.1:80" },
		{ ANY, { "*:80" }, "localhost", "http-01", 0, 5002,
		  PREFLIGHT_OK, "port 5002" },
		{ ANY, { NULL }, "192.0.2.1", "http-01", 0, 80,
		  PREFLIGHT_UNREACHABLE, "http-01 connection would not reach "
		  "certbind's http-01 responder" },
		{ ANY, { NULL }, "nothing.invalid", "http-01", 0, 80,
		  PREFLIGHT_UNRESOLVED, "the CA's resolver may still find it" },

		/* http-01 from a webroot and dns-01: nothing local. */
		{ ANY, { "*:80" }, "localhost", "http-01", 1, 80,
		  PREFLIGHT_OK, "webroot" },
		{ ANY, { NULL }, "nothing.invalid", "http-01", 1, 80,
		  PREFLIGHT_OK, "webroot" },
		{ ANY, { NULL }, "localhost", "dns-01", 0, 0,
		  PREFLIGHT_OK, "hook" },
		{ ANY, { NULL }, "nothing.invalid", "dns-01", 0, 0,
		  PREFLIGHT_OK, "hook" },

		/* Wildcards: dns-01 only. */
		{ ANY, { NULL }, "*.localhost", "dns-01", 0, 0,
		  PREFLIGHT_OK, "hook" },
		{ ANY, { "*:443" }, "*.localhost", "tls-alpn-01", 0, 443,
		  PREFLIGHT_UNREACHABLE, "wildcard" },
		{ ANY, { NULL }, "*.example.com", "http-01", 0, 80,
		  PREFLIGHT_UNREACHABLE, "dns-01 only" },
		{ ANY, { NULL }, "*.example.com", "http-01", 1, 80,
		  PREFLIGHT_UNREACHABLE, "never http-01" },

		/* Not a challenge. */
		{ ANY, { "*:443" }, "localhost", "tls-sni-01", 0, 443,
		  PREFLIGHT_UNREACHABLE, "'tls-sni-01' is none of" },
	};
	struct preflight_result	 res;
	struct config		*cf;
	size_t			 i;
	int			 v6, v4, ran = 0;

	localhost_has(&v6, &v4);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if ((cases[i].when == V6 && !v6) ||
		    (cases[i].when == V4ONLY && (v6 || !v4)))
			continue;
		cf = with_listeners(cases[i].listeners);
		preflight_domain(cf, cases[i].domain, cases[i].challenge,
		    cases[i].webroot, cases[i].port, &res);
		if (res.message == NULL)
			fail_msg("case %zu (%s %s): no message", i,
			    cases[i].domain, cases[i].challenge);
		if (res.verdict != cases[i].want ||
		    strstr(res.message, cases[i].says) == NULL)
			fail_msg("case %zu (%s %s port %d): verdict %d, want "
			    "%d saying '%s'; got '%s'", i, cases[i].domain,
			    cases[i].challenge, cases[i].port, res.verdict,
			    cases[i].want, cases[i].says, res.message);
		preflight_result_free(&res);
		assert_null(res.message);
		config_free(cf);
		ran++;
	}
	assert_true(ran >= 25);
}

/* The message quotes the domain as given: the caller escapes it. */
static void
test_preflight_quotes_domain(void **state)
{
	struct preflight_result	 res;
	struct config		*cf = config_new();

	preflight_domain(cf, "bad\033[2J.invalid", "http-01", 0, 80, &res);
	assert_int_equal(res.verdict, PREFLIGHT_UNRESOLVED);
	assert_non_null(strstr(res.message, "bad\033[2J.invalid"));
	preflight_result_free(&res);
	preflight_result_free(NULL);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preflight_table),
		cmocka_unit_test(test_preflight_quotes_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
