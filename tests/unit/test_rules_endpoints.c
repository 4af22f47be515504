/*
 * Each rule once (STYLE.md), for endpoints: the order of bindings
 * (config_binding_cmp() and the resolver, after DESIGN.md), IP addresses
 * (endpoint_parse_addr(), endpoint_parse() and alternative names in a
 * certificate), and whether a listener reaches a binding
 * (listenset_reaches() against a table and a plain scan). The expected
 * answers are written from the rules' text, never from a run.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gnutls/gnutls.h>

#include "core/config.h"
#include "core/dnsname.h"
#include "core/endpoint.h"
#include "core/listenset.h"
#include "core/resolve.h"
#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "op/lifecycle.h"
#include "tests/unit/unit.h"
#include "util/errlist.h"
#include "util/xmalloc.h"

/* ------------------------------------------------------------------ */
/* The order of bindings. */

struct order_case {
	const char	*ep1, *sni1;
	const char	*ep2, *sni2;
	int		 sign;
};

static const struct order_case order_cases[] = {
	/* The endpoint decides first, whatever the sni. */
	{ "10.0.0.1:443", "z.example", "10.0.0.2:443", "a.example", -1 },
	{ "10.0.0.1:80", NULL, "10.0.0.1:443", NULL, -1 },
	{ "*:443", "b.example", "10.0.0.1:443", "a.example", -1 },
	{ "10.0.0.1:*", NULL, "10.0.0.1:443", NULL, -1 },
	{ "10.0.0.1:443", NULL, "[::1]:443", NULL, -1 },
	{ "[0:0:0:0:0:0:0:1]:443", NULL, "[::1]:443", NULL, 0 },
	/* Then no sni before any sni. */
	{ "*:443", NULL, "*:443", "a.example", -1 },
	{ "*:443", "", "*:443", NULL, 0 },
	{ "*:443", "", "*:443", "a.example", -1 },
	/* Then the names, without case. */
	{ "*:443", "a.example", "*:443", "b.example", -1 },
	{ "*:443", "WWW.Example.com", "*:443", "www.example.COM", 0 },
	{ "*:443", "*.example.com", "*:443", "a.example.com", -1 },
};

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

static void
test_binding_order(void **state)
{
	const struct order_case	*c;
	struct config_binding	 a, b;
	size_t			 i;

	for (i = 0; i < sizeof order_cases / sizeof order_cases[0]; i++) {
		c = &order_cases[i];
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		unit_ep_of(c->ep1, &a.ep);
		unit_ep_of(c->ep2, &b.ep);
		a.sni = (char *)c->sni1;
		b.sni = (char *)c->sni2;
		if (sign(config_binding_cmp(&a, &b)) != c->sign)
			fail_msg("cmp(%s %s, %s %s) = %d, want %d", c->ep1,
			    c->sni1 ? c->sni1 : "-", c->ep2,
			    c->sni2 ? c->sni2 : "-",
			    config_binding_cmp(&a, &b), c->sign);
		assert_int_equal(sign(config_binding_cmp(&b, &a)), -c->sign);
		assert_int_equal(config_binding_cmp(&a, &a), 0);
	}
}

/*
 * Two bindings in one slot (the names differ only in case): config_bind
 * calls it the same binding for one key, and the resolver serves the
 * first in the file for another.
 */
static void
test_binding_slot(void **state)
{
	struct config		*cf;
	struct resolver		*r;
	struct endpoint		 ep, local;
	char			*cause = NULL;
	ssize_t			 i;

	cf = unit_load("keys = ( { name = \"a\"; key = \"a.key\"; },\n"
	    "  { name = \"b\"; key = \"b.key\"; } );\n"
	    "bindings = (\n"
	    "  { key = \"b\"; endpoint = \"*:443\"; sni = \"WWW.example.com\"; },\n"
	    "  { key = \"a\"; endpoint = \"*:443\"; sni = \"www.example.com\"; }\n"
	    ");\n");
	unit_ep_of("*:443", &ep);
	assert_int_equal(config_bind(cf, "b", &ep, "www.EXAMPLE.com", &cause),
	    -1);
	assert_non_null(strstr(cause, "already bound"));
	free(cause);
	r = resolver_new(cf);
	unit_ep_of("192.0.2.7:443", &local);
	i = resolver_lookup(r, &local, "Www.Example.Com", NULL);
	assert_int_equal(i, 0);
	assert_string_equal(config_binding(cf, (size_t)i)->key, "b");
	resolver_free(r);
	config_free(cf);
}

/* ------------------------------------------------------------------ */
/* IP addresses, with and without brackets. */

struct addr_case {
	const char	*text;
	int		 family;	/* 0: refused */
	const char	*why;
	uint8_t		 addr[16];
};

static const struct addr_case addr_cases[] = {
	{ "192.0.2.1", AF_INET, NULL, { 192, 0, 2, 1 } },
	{ "0.0.0.0", AF_INET, NULL, { 0 } },
	{ "2001:db8::1", AF_INET6, NULL,
	  { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } },
	{ "[2001:db8::1]", AF_INET6, NULL,
	  { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } },
	{ "[::1]", AF_INET6, NULL,
	  { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } },
	/* Mapped IPv4 stays as written: a certificate keeps these bytes. */
	{ "::ffff:192.0.2.1", AF_INET6, NULL,
	  { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 } },
	{ "[192.0.2.1]", 0, "not an IPv6 address", { 0 } },
	{ "[::1", 0, "not an IPv6 address", { 0 } },
	{ "::1]", 0, "not an IPv6 address", { 0 } },
	{ "[]", 0, "not an IPv6 address", { 0 } },
	{ "[[::1]]", 0, "not an IPv6 address", { 0 } },
	{ "2001:db8::g", 0, "not an IPv6 address", { 0 } },
	{ "192.0.2", 0, "not an IPv4 address", { 0 } },
	{ "256.0.0.1", 0, "not an IPv4 address", { 0 } },
	{ "*", 0, "not an IPv4 address", { 0 } },
	{ "www.example.com", 0, "not an IPv4 address", { 0 } },
	{ "", 0, "empty", { 0 } },
};

static void
test_addr_parse(void **state)
{
	const struct addr_case	*c;
	struct endpoint		 ep, full;
	char			*cause, *text;
	size_t			 i;
	int			 r;

	for (i = 0; i < sizeof addr_cases / sizeof addr_cases[0]; i++) {
		c = &addr_cases[i];
		cause = NULL;
		r = endpoint_parse_addr(c->text, &ep, &cause);
		if (c->family == 0) {
			if (r != -1)
				fail_msg("endpoint_parse_addr(%s) accepted",
				    c->text);
			if (strstr(cause, c->why) == NULL)
				fail_msg("%s: cause '%s' lacks '%s'", c->text,
				    cause, c->why);
			free(cause);
			continue;
		}
		if (r != 0)
			fail_msg("endpoint_parse_addr(%s): %s", c->text, cause);
		assert_int_equal(ep.family, c->family);
		assert_memory_equal(ep.addr, c->addr, 16);
		assert_int_equal(ep.port, 0);

		/*
		 * The same address in an endpoint: IPv6 in brackets there.
		 * endpoint_parse canonicalizes a mapped address to IPv4.
		 */
		if (c->family == AF_INET6 && c->text[0] != '[')
			text = xasprintf("[%s]:443", c->text);
		else
			text = xasprintf("%s:443", c->text);
		unit_ep_of(text, &full);
		assert_int_equal(full.port, 443);
		if (c->family == AF_INET6 && c->addr[10] == 0xff) {
			assert_int_equal(full.family, AF_INET);
			assert_memory_equal(full.addr, c->addr + 12, 4);
		} else {
			assert_int_equal(full.family, c->family);
			assert_memory_equal(full.addr, c->addr, 16);
		}
		free(text);
	}
}

/* An endpoint refuses what the address reading refuses, with its reason. */
static void
test_endpoint_brackets(void **state)
{
	static const struct {
		const char	*text;
		const char	*why;	/* NULL: accepted */
	} cases[] = {
		{ "[2001:db8::1]:443", NULL },
		{ "[::1]:*", NULL },
		{ "192.0.2.1:443", NULL },
		{ "*:443", NULL },
		{ "2001:db8::1:443", "must be in brackets" },
		{ "::1", "must be in brackets" },
		{ "[192.0.2.1]:443", "not an IPv6 address" },
		{ "[::1]443", "expected ':PORT'" },
		{ "[::1:443", "without a closing ']'" },
		{ "[]:443", "not an IPv6 address" },
		{ "192.0.2:443", "not an IPv4 address" },
		{ "www.example.com:443", "not an IPv4 address" },
	};
	struct endpoint	 ep;
	char		*cause;
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		r = endpoint_parse(cases[i].text, &ep, &cause);
		if (cases[i].why == NULL) {
			if (r != 0)
				fail_msg("endpoint_parse(%s): %s",
				    cases[i].text, cause);
			continue;
		}
		if (r != -1)
			fail_msg("endpoint_parse(%s) accepted", cases[i].text);
		if (strstr(cause, cases[i].why) == NULL ||
		    strstr(cause, "bad endpoint") == NULL)
			fail_msg("%s: cause '%s' lacks '%s'", cases[i].text,
			    cause, cases[i].why);
		free(cause);
	}
}

/* ------------------------------------------------------------------ */
/* Whether a listener reaches a binding. */

static struct config *
with_listeners(const char *const *eps, size_t n)
{
	struct config	*cf = config_new();
	struct endpoint	 ep, be;
	char		*cause = NULL;
	size_t		 i;

	unit_ep_of("127.0.0.1:8080", &be);
	for (i = 0; i < n; i++) {
		unit_ep_of(eps[i], &ep);
		if (config_listen(cf, &ep, &be, &cause) != 0)
			fail_msg("config_listen(%s): %s", eps[i], cause);
	}
	return cf;
}

static void
test_reach_table(void **state)
{
	static const char *const l1[] = {
		"10.0.0.1:443", "[::1]:443", "10.0.0.3:80"
	};
	static const char *const l2[] = { "*:8443", "10.0.0.1:443" };
	static const struct {
		int		 set;		/* 1: l1, 2: l2, 0: none */
		const char	*binding;
		int		 want;
	} cases[] = {
		{ 1, "10.0.0.1:443", 1 },
		{ 1, "10.0.0.1:80", 0 },
		{ 1, "10.0.0.3:80", 1 },
		{ 1, "10.0.0.1:*", 1 },
		{ 1, "10.0.0.2:*", 0 },
		{ 1, "[::1]:*", 1 },
		{ 1, "[::2]:443", 0 },
		{ 1, "*:443", 1 },
		{ 1, "*:80", 1 },
		{ 1, "*:81", 0 },
		{ 1, "*:*", 1 },
		{ 2, "10.0.0.2:8443", 1 },
		{ 2, "10.0.0.2:443", 0 },
		{ 2, "10.0.0.2:*", 1 },
		{ 2, "[2001:db8::1]:8443", 1 },
		{ 2, "*:443", 1 },
		{ 2, "*:444", 0 },
		{ 0, "*:*", 0 },
		{ 0, "10.0.0.1:443", 0 },
	};
	struct config		*cf[3];
	struct listenset	*ls[3];
	struct endpoint		 ep;
	size_t			 i;

	cf[0] = config_new();
	cf[1] = with_listeners(l1, sizeof l1 / sizeof l1[0]);
	cf[2] = with_listeners(l2, sizeof l2 / sizeof l2[0]);
	for (i = 0; i < 3; i++)
		ls[i] = listenset_new(cf[i]);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unit_ep_of(cases[i].binding, &ep);
		if (listenset_reaches(ls[cases[i].set], &ep) != cases[i].want)
			fail_msg("set %d, binding %s: want %d", cases[i].set,
			    cases[i].binding, cases[i].want);
		assert_int_equal(listenset_config_reaches(cf[cases[i].set],
		    &ep), cases[i].want);
	}
	for (i = 0; i < 3; i++) {
		listenset_free(ls[i]);
		config_free(cf[i]);
	}
}

/*
 * The overlap rule of DESIGN.md written out plainly, as the reference: an
 * address "*" on either side matches any address, a port "*" any port.
 */
static int
ref_reaches(const struct endpoint *l, size_t n, const struct endpoint *b)
{
	size_t	 i;
	int	 addr, port;

	for (i = 0; i < n; i++) {
		addr = l[i].family == AF_UNSPEC || b->family == AF_UNSPEC ||
		    (l[i].family == b->family &&
		    memcmp(l[i].addr, b->addr, 16) == 0);
		port = l[i].port == 0 || b->port == 0 || l[i].port == b->port;
		if (addr && port)
			return 1;
	}
	return 0;
}

static void
random_ep(struct endpoint *ep, int port_any_ok)
{
	static const char *const addrs[] = {
		"*", "10.0.0.1", "10.0.0.2", "10.0.0.3", "[::1]", "[::2]"
	};
	static const char *const ports[] = { "*", "80", "443", "8443" };
	char	 buf[64];
	size_t	 p;

	p = (size_t)rand() % 4;
	if (!port_any_ok && p == 0)
		p = 1 + (size_t)rand() % 3;
	snprintf(buf, sizeof buf, "%s:%s", addrs[rand() % 6], ports[p]);
	unit_ep_of(buf, ep);
}

static void
test_reach_random(void **state)
{
	struct config		*cf;
	struct listenset	*ls;
	struct endpoint		 l[8], b, be;
	size_t			 n, want, tries, round, q;

	srand(4242);
	unit_ep_of("127.0.0.1:8080", &be);
	for (round = 0; round < 300; round++) {
		cf = config_new();
		want = (size_t)rand() % 6;
		/* A duplicate is refused: draw again, a bounded number of times. */
		for (n = 0, tries = 0; n < want && tries < 100; tries++) {
			random_ep(&l[n], 0);
			if (config_listen(cf, &l[n], &be, NULL) == 0)
				n++;
		}
		ls = listenset_new(cf);
		for (q = 0; q < 40; q++) {
			random_ep(&b, 1);
			if (listenset_reaches(ls, &b) != ref_reaches(l, n, &b))
				fail_msg("round %zu: reaches differs", round);
		}
		listenset_free(ls);
		config_free(cf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binding_order),
		cmocka_unit_test(test_binding_slot),
		cmocka_unit_test(test_addr_parse),
		cmocka_unit_test(test_endpoint_brackets),
		cmocka_unit_test(test_reach_table),
		cmocka_unit_test(test_reach_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
