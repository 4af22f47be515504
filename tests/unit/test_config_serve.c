/*
 * certbindd's settings in the config model (core/config-serve.c,
 * core/config-load-serve.c, core/config-write.c), tested from
 * core/config.h: each setting loads, each bad value is refused with the
 * file, the line and the value, serialize -> parse and config_dup keep
 * every option, and the rules (config_backend_for,
 * config_listener_serving, the mutators) answer as documented.
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

#include "core/config.h"
#include "core/endpoint.h"
#include "tests/unit/unit.h"
#include "util/errlist.h"
#include "util/xmalloc.h"

/* Every new setting, with a value other than its default. */
static const char full[] =
    "version = 1;\n"						/* 1 */
    "server = {\n"						/* 2 */
    "  listen = (\n"						/* 3 */
    "    { endpoint = \"*:8443\"; backend = \"[::1]:8081\";\n"	/* 4 */
    "      proxy_protocol = 1; },\n"				/* 5 */
    "    { endpoint = \"127.0.0.2:8443\"; backend = \"127.0.0.1:8080\";\n"
    "      proxy_protocol = 2; alpn = ( \"h2\", \"http/1.1\" );\n"	/* 7 */
    "      freebind = true; accept_proxy = true; },\n"		/* 8 */
    "    { endpoint = \"127.0.0.3:9443\"; backend = \"127.0.0.1:9000\";\n"
    "      freebind = 0; accept_proxy = 1; alpn = [ \"acme-tls/1\" ]; }\n"
    "  );\n"							/* 11 */
    "  tls_profile = \"modern\";\n"				/* 12 */
    "  ticket_keys = \"tickets.key\";\n"				/* 13 */
    "  access_log = false;\n"					/* 14 */
    "};\n"							/* 15 */
    "keys = ( { name = \"www\"; key = \"keys/www.key\"; "
    "cert = \"certs/www.pem\"; } );\n"				/* 16 */
    "bindings = (\n"						/* 17 */
    "  { key = \"www\"; endpoint = \"127.0.0.2:8443\";\n"	/* 18 */
    "    backend = \"127.0.0.1:9090\"; client_ca = \"ca/clients.pem\";\n"
    "    client_auth = \"optional\"; },\n"			/* 20 */
    "  { key = \"www\"; endpoint = \"*:8443\"; "
    "client_ca = \"/etc/ca/other.pem\"; },\n"			/* 21 */
    "  { key = \"www\"; endpoint = \"127.0.0.3:9443\"; "
    "backend = \"[2001:db8::1]:443\"; }\n"			/* 22 */
    ");\n";

static void
ep_is(const struct endpoint *got, const char *text)
{
	struct endpoint	want;

	unit_ep_of(text, &want);
	if (endpoint_cmp(got, &want) != 0) {
		char	buf[ENDPOINT_STRLEN];

		fail_msg("endpoint %s, want %s", endpoint_format(got, buf),
		    text);
	}
}

static const struct config_listener *
listener_on(const struct config *cf, const char *text)
{
	struct endpoint	ep;
	ssize_t		i;

	unit_ep_of(text, &ep);
	i = config_listener_find(cf, &ep);
	if (i < 0)
		fail_msg("no listener on %s", text);
	return config_listener(cf, (size_t)i);
}

/* What full says, checked on any config that should hold it. */
static void
check_full(const struct config *cf)
{
	const struct config_listener	*l;
	const struct config_binding	*b;
	const struct config_server	*sv;

	assert_int_equal(config_nlisteners(cf), 3);
	l = listener_on(cf, "*:8443");
	ep_is(&l->backend, "[::1]:8081");
	assert_int_equal(l->proxy_protocol, 1);
	assert_int_equal(l->nalpn, 0);
	assert_int_equal(l->freebind, 0);
	assert_int_equal(l->accept_proxy, 0);

	l = listener_on(cf, "127.0.0.2:8443");
	ep_is(&l->backend, "127.0.0.1:8080");
	assert_int_equal(l->proxy_protocol, 2);
	assert_int_equal(l->nalpn, 2);
	assert_string_equal(l->alpn[0], "h2");
	assert_string_equal(l->alpn[1], "http/1.1");
	assert_int_equal(l->freebind, 1);
	assert_int_equal(l->accept_proxy, 1);

	l = listener_on(cf, "127.0.0.3:9443");
	assert_int_equal(l->proxy_protocol, 0);
	assert_int_equal(l->freebind, 0);
	assert_int_equal(l->accept_proxy, 1);
	assert_int_equal(l->nalpn, 1);
	assert_string_equal(l->alpn[0], "acme-tls/1");

	sv = config_server(cf);
	assert_non_null(sv);
	assert_string_equal(sv->tls_profile, CONFIG_TLS_MODERN);
	assert_string_equal(sv->ticket_keys, "tickets.key");
	assert_int_equal(sv->access_log, 0);

	assert_int_equal(config_nbindings(cf), 3);
	b = config_binding(cf, 0);
	ep_is(&b->ep, "127.0.0.2:8443");
	assert_int_equal(b->has_backend, 1);
	ep_is(&b->backend, "127.0.0.1:9090");
	assert_string_equal(b->client_ca, "ca/clients.pem");
	assert_int_equal(b->client_auth, CONFIG_CLIENT_AUTH_OPTIONAL);

	/* client_ca without client_auth: required. */
	b = config_binding(cf, 1);
	assert_int_equal(b->has_backend, 0);
	assert_string_equal(b->client_ca, "/etc/ca/other.pem");
	assert_int_equal(b->client_auth, CONFIG_CLIENT_AUTH_REQUIRED);

	b = config_binding(cf, 2);
	assert_int_equal(b->has_backend, 1);
	ep_is(&b->backend, "[2001:db8::1]:443");
	assert_null(b->client_ca);
	assert_int_equal(b->client_auth, CONFIG_CLIENT_AUTH_NONE);
}

static void
test_load(void **state)
{
	struct config	*cf;

	cf = unit_load(full);
	check_full(cf);
	config_free(cf);
}

/* Without the new settings, the defaults. */
static void
test_defaults(void **state)
{
	struct config			*cf;
	const struct config_listener	*l;
	const struct config_binding	*b;
	const struct config_server	*sv;

	cf = unit_load("version = 1;\n"
	    "server = { listen = ( { endpoint = \"*:443\"; "
	    "backend = \"127.0.0.1:80\"; } ); };\n"
	    "keys = ( { name = \"a\"; key = \"a.key\"; } );\n"
	    "bindings = ( { key = \"a\"; endpoint = \"*:443\"; } );\n");
	l = config_listener(cf, 0);
	assert_int_equal(l->proxy_protocol, 0);
	assert_int_equal(l->nalpn, 0);
	assert_null(l->alpn);
	assert_int_equal(l->freebind, 0);
	assert_int_equal(l->accept_proxy, 0);
	b = config_binding(cf, 0);
	assert_int_equal(b->has_backend, 0);
	assert_null(b->client_ca);
	assert_int_equal(b->client_auth, CONFIG_CLIENT_AUTH_NONE);
	sv = config_server(cf);
	assert_null(sv->tls_profile);
	assert_null(sv->ticket_keys);
	assert_int_equal(sv->access_log, 1);
	config_free(cf);
}

/*
 * A binding's settings may come in any order: client_auth before
 * client_ca, with backend between them, is the same binding.
 */
static void
test_binding_order(void **state)
{
	struct config			*cf;
	const struct config_binding	*b;

	cf = unit_load("version = 1;\n"
	    "keys = ( { name = \"a\"; key = \"a.key\"; } );\n"
	    "bindings = ( { client_auth = \"optional\";\n"
	    "  backend = \"127.0.0.1:1\"; client_ca = \"ca.pem\";\n"
	    "  key = \"a\"; endpoint = \"*:443\"; } );\n");
	b = config_binding(cf, 0);
	assert_int_equal(b->has_backend, 1);
	ep_is(&b->backend, "127.0.0.1:1");
	assert_string_equal(b->client_ca, "ca.pem");
	assert_int_equal(b->client_auth, CONFIG_CLIENT_AUTH_OPTIONAL);
	config_free(cf);
}

/*
 * Each bad value: the error starts with "test.conf:LINE: " and quotes
 * the value. %L is replaced by the listener options, %B by the binding
 * options and %S by the server options, on lines 3, 8 and 4.
 */
static const char bad_template[] =
    "version = 1;\n"						/* 1 */
    "server = { listen = (\n"					/* 2 */
    "  { endpoint = \"*:443\"; backend = \"127.0.0.1:80\"; %L }\n"	/* 3 */
    "  ); %S\n"							/* 4 */
    "};\n"							/* 5 */
    "keys = ( { name = \"a\"; key = \"a.key\"; } );\n"		/* 6 */
    "bindings = ( { key = \"a\"; endpoint = \"*:443\";\n"	/* 7 */
    "  %B } );\n";						/* 8 */

static char *
fill(const char *l, const char *b, const char *s)
{
	char		*out, *tmp;
	const char	*p;

	out = xstrdup("");
	for (p = bad_template; *p != '\0'; p++) {
		if (p[0] == '%' && (p[1] == 'L' || p[1] == 'B' ||
		    p[1] == 'S')) {
			tmp = xasprintf("%s%s", out,
			    p[1] == 'L' ? l : p[1] == 'B' ? b : s);
			p++;
		} else
			tmp = xasprintf("%s%c", out, *p);
		free(out);
		out = tmp;
	}
	return out;
}

static void
test_bad_values(void **state)
{
	static const struct {
		const char	*l, *b, *s;
		int		 line;
		const char	*want[2];
	} bad[] = {
		{ "proxy_protocol = 3;", "", "", 3, { "proxy_protocol", "3" } },
		{ "proxy_protocol = -1;", "", "", 3,
		    { "proxy_protocol", "-1" } },
		{ "proxy_protocol = 2147483649;", "", "", 3,
		    { "proxy_protocol", "2147483649" } },
		{ "alpn = ( \"h2\", \"http/1.1\", \"h2\" );", "", "", 3,
		    { "\"h2\"", "twice" } },
		{ "alpn = ( \"\" );", "", "", 3, { "alpn", "empty" } },
		{ "alpn = ( \"h 2\" );", "", "", 3, { "alpn", "\"h 2\"" } },
		{ "alpn = ( \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", "
		  "\"h\" );", "", "", 3, { "alpn", "8" } },
		{ "alpn = \"h2\";", "", "", 3, { "alpn", "list" } },
		{ "freebind = \"yes\";", "", "", 3, { "freebind", "yes" } },
		{ "freebind = 2;", "", "", 3, { "freebind", "2" } },
		{ "accept_proxy = \"on\";", "", "", 3,
		    { "accept_proxy", "on" } },
		{ "", "client_auth = \"maybe\";", "", 8,
		    { "client_auth", "maybe" } },
		{ "", "client_auth = \"none\";", "", 8,
		    { "client_auth", "none" } },
		/* Without client_ca: reported on the binding's line. */
		{ "", "client_auth = \"optional\";", "", 7,
		    { "client_auth \"optional\"", "client_ca" } },
		{ "", "client_auth = \"required\";", "", 7,
		    { "client_auth \"required\"", "client_ca" } },
		{ "", "client_ca = \"\";", "", 8, { "client_ca", "empty" } },
		{ "", "backend = \"*:8080\";", "", 8, { "backend", "*:8080" } },
		{ "", "backend = \"127.0.0.1:*\";", "", 8,
		    { "backend", "127.0.0.1:*" } },
		{ "", "backend = \"*:*\";", "", 8, { "backend", "*:*" } },
		{ "", "", "tls_profile = \"old\";", 4,
		    { "tls_profile", "\"old\"" } },
		{ "", "", "tls_profile = \"Modern\";", 4,
		    { "tls_profile", "\"Modern\"" } },
		{ "", "", "access_log = \"no\";", 4, { "access_log", "no" } },
	};
	char	*text, *errs, prefix[32], *line;
	size_t	 i, j;
	int	 found;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		text = fill(bad[i].l, bad[i].b, bad[i].s);
		errs = unit_load_errors(text);
		if (errs == NULL)
			fail_msg("loaded:\n%s", text);
		snprintf(prefix, sizeof prefix, "test.conf:%d: ", bad[i].line);
		found = 0;
		for (line = errs; *line != '\0' && !found;
		    line = strchr(line, '\n') + 1) {
			if (strncmp(line, prefix, strlen(prefix)) != 0)
				continue;
			found = 1;
			for (j = 0; j < 2; j++) {
				if (strstr(line, bad[i].want[j]) == NULL ||
				    strstr(line, bad[i].want[j]) >
				    strchr(line, '\n'))
					found = 0;
			}
		}
		if (!found)
			fail_msg("no error on line %d saying %s and %s "
			    "for:\n%s\nerrors:\n%s", bad[i].line,
			    bad[i].want[0], bad[i].want[1], text, errs);
		free(errs);
		free(text);
	}
}

static void
test_round_trip(void **state)
{
	struct config	*a, *b;
	char		*sa, *sb;

	a = unit_load(full);
	sa = config_serialize(a);
	b = unit_load(sa);
	check_full(b);
	sb = config_serialize(b);
	assert_string_equal(sa, sb);
	config_free(a);
	config_free(b);
	free(sa);
	free(sb);
}

static void
test_dup(void **state)
{
	struct config			*a, *b;
	const struct config_listener	*la, *lb;
	char				*sa, *sb;
	size_t				 i, j;

	a = unit_load(full);
	b = config_dup(a);
	check_full(b);
	/* Deep: no string is shared. */
	for (i = 0; i < config_nlisteners(a); i++) {
		la = config_listener(a, i);
		lb = config_listener(b, i);
		assert_int_equal(la->nalpn, lb->nalpn);
		if (la->nalpn > 0)
			assert_ptr_not_equal(la->alpn, lb->alpn);
		for (j = 0; j < la->nalpn; j++)
			assert_ptr_not_equal(la->alpn[j], lb->alpn[j]);
	}
	assert_ptr_not_equal(config_binding(a, 0)->client_ca,
	    config_binding(b, 0)->client_ca);
	assert_ptr_not_equal(config_server(a)->tls_profile,
	    config_server(b)->tls_profile);
	assert_ptr_not_equal(config_server(a)->ticket_keys,
	    config_server(b)->ticket_keys);
	sa = config_serialize(a);
	config_free(a);
	/* b outlives a. */
	check_full(b);
	sb = config_serialize(b);
	assert_string_equal(sa, sb);
	config_free(b);
	free(sa);
	free(sb);
}

static void
test_backend_for(void **state)
{
	struct config_binding	 b;
	struct config_listener	 l;

	memset(&b, 0, sizeof b);
	memset(&l, 0, sizeof l);
	unit_ep_of("127.0.0.1:9090", &b.backend);
	unit_ep_of("127.0.0.1:8080", &l.backend);

	b.has_backend = 1;
	assert_ptr_equal(config_backend_for(&b, &l), &b.backend);
	assert_ptr_equal(config_backend_for(&b, NULL), &b.backend);
	b.has_backend = 0;
	assert_ptr_equal(config_backend_for(&b, &l), &l.backend);
	assert_ptr_equal(config_backend_for(NULL, &l), &l.backend);
	assert_null(config_backend_for(&b, NULL));
	assert_null(config_backend_for(NULL, NULL));
}

/* The loaded model: the binding's own, else its listener's. */
static void
test_backend_for_loaded(void **state)
{
	struct config			*cf;
	const struct config_binding	*b;
	struct endpoint			 local;
	ssize_t				 li;

	cf = unit_load(full);
	b = config_binding(cf, 0);
	li = config_listener_serving(cf, &b->ep);
	assert_true(li >= 0);
	ep_is(config_backend_for(b, config_listener(cf, (size_t)li)),
	    "127.0.0.1:9090");
	b = config_binding(cf, 1);
	unit_ep_of("127.0.0.9:8443", &local);
	li = config_listener_serving(cf, &local);
	assert_true(li >= 0);
	ep_is(config_backend_for(b, config_listener(cf, (size_t)li)),
	    "[::1]:8081");
	config_free(cf);
}

static void
test_listener_serving(void **state)
{
	static const struct {
		const char	*local;
		const char	*listener;	/* NULL: none */
	} cases[] = {
		/* Exact before "*", though "*" comes first in the file. */
		{ "127.0.0.2:8443", "127.0.0.2:8443" },
		{ "127.0.0.9:8443", "*:8443" },
		{ "[::1]:8443", "*:8443" },
		{ "[2001:db8::2]:8443", "*:8443" },
		{ "127.0.0.3:9443", "127.0.0.3:9443" },
		/* No "*" on 9443, nothing on 443. */
		{ "127.0.0.2:9443", NULL },
		{ "127.0.0.3:443", NULL },
		{ "[::1]:9443", NULL },
	};
	struct config	*cf;
	struct endpoint	 local, want;
	ssize_t		 i;
	size_t		 c;

	cf = unit_load(full);
	for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		unit_ep_of(cases[c].local, &local);
		i = config_listener_serving(cf, &local);
		if (cases[c].listener == NULL) {
			if (i != -1)
				fail_msg("%s: listener %zd, want none",
				    cases[c].local, i);
			continue;
		}
		unit_ep_of(cases[c].listener, &want);
		if (i < 0 || endpoint_cmp(&config_listener(cf,
		    (size_t)i)->ep, &want) != 0)
			fail_msg("%s: listener %zd, want %s", cases[c].local,
			    i, cases[c].listener);
	}
	config_free(cf);

	/* No listeners at all. */
	cf = unit_load("version = 1;\n");
	unit_ep_of("127.0.0.1:443", &local);
	assert_int_equal(config_listener_serving(cf, &local), -1);
	config_free(cf);
}

/* A refused change leaves the model as it was, byte for byte. */
static void
refused(struct config *cf, int rc, char *cause, const char *before,
    const char *want)
{
	char	*after;

	assert_int_equal(rc, -1);
	assert_non_null(cause);
	if (want != NULL && strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" does not say \"%s\"", cause, want);
	after = config_serialize(cf);
	assert_string_equal(before, after);
	free(after);
	free(cause);
}

static void
test_listener_set(void **state)
{
	struct config			*cf;
	struct config_listener		 o;
	const struct config_listener	*l;
	struct endpoint			 ep;
	char				*before, *cause = NULL, *names[17];
	char				 n[4];
	int				 rc;
	size_t				 i;

	cf = unit_load(full);
	unit_ep_of("127.0.0.2:8443", &ep);
	before = config_serialize(cf);

	/* A good change: everything but the endpoint and line taken. */
	memset(&o, 0, sizeof o);
	unit_ep_of("10.9.9.9:1", &o.ep);
	unit_ep_of("127.0.0.1:7070", &o.backend);
	o.proxy_protocol = 1;
	names[0] = "http/1.1";
	o.alpn = names;
	o.nalpn = 1;
	o.freebind = 0;
	o.accept_proxy = 1;
	o.line = 99;
	assert_int_equal(config_listener_set(cf, &ep, &o, &cause), 0);
	assert_null(cause);
	l = listener_on(cf, "127.0.0.2:8443");
	assert_int_equal(l->line, 6);
	ep_is(&l->backend, "127.0.0.1:7070");
	assert_int_equal(l->proxy_protocol, 1);
	assert_int_equal(l->nalpn, 1);
	assert_string_equal(l->alpn[0], "http/1.1");
	assert_ptr_not_equal(l->alpn, names);
	assert_ptr_not_equal(l->alpn[0], names[0]);
	assert_int_equal(l->freebind, 0);
	assert_int_equal(l->accept_proxy, 1);
	/* Back to what it was, and the file says the same again. */
	o.proxy_protocol = 2;
	names[0] = "h2";
	names[1] = "http/1.1";
	o.nalpn = 2;
	o.freebind = 1;
	unit_ep_of("127.0.0.1:8080", &o.backend);
	assert_int_equal(config_listener_set(cf, &ep, &o, &cause), 0);
	{
		char	*again = config_serialize(cf);

		assert_string_equal(before, again);
		free(again);
	}

	/* Refusals leave everything as it was. */
	unit_ep_of("127.0.0.9:8443", &ep);
	rc = config_listener_set(cf, &ep, &o, &cause);
	refused(cf, rc, cause, before,
	    "127.0.0.9:8443");
	cause = NULL;
	unit_ep_of("127.0.0.2:8443", &ep);
	o.proxy_protocol = 3;
	rc = config_listener_set(cf, &ep, &o, &cause);
	refused(cf, rc, cause, before,
	    "3");
	cause = NULL;
	o.proxy_protocol = -1;
	rc = config_listener_set(cf, &ep, &o, &cause);
	refused(cf, rc, cause, before,
	    "-1");
	cause = NULL;
	o.proxy_protocol = 0;
	unit_ep_of("*:8080", &o.backend);
	rc = config_listener_set(cf, &ep, &o, &cause);
	refused(cf, rc, cause, before,
	    "*:8080");
	cause = NULL;
	unit_ep_of("127.0.0.1:*", &o.backend);
	rc = config_listener_set(cf, &ep, &o, &cause);
	refused(cf, rc, cause, before,
	    "127.0.0.1:*");
	cause = NULL;
	unit_ep_of("127.0.0.1:7070", &o.backend);
	names[1] = "h2";
	rc = config_listener_set(cf, &ep, &o, &cause);
	refused(cf, rc, cause, before,
	    "twice");
	cause = NULL;
	names[1] = "";
	rc = config_listener_set(cf, &ep, &o, &cause);
	refused(cf, rc, cause, before,
	    "alpn");
	cause = NULL;
	names[1] = "a\"b";
	rc = config_listener_set(cf, &ep, &o, &cause);
	refused(cf, rc, cause, before,
	    "alpn");
	cause = NULL;
	names[1] = unit_repeat('x', CONFIG_ALPN_NAME_MAX + 1);
	rc = config_listener_set(cf, &ep, &o, &cause);
	refused(cf, rc, cause, before,
	    "alpn");
	cause = NULL;
	free(names[1]);
	for (i = 0; i < CONFIG_ALPN_MAX + 1; i++) {
		snprintf(n, sizeof n, "p%zu", i);
		names[i] = xstrdup(n);
	}
	o.nalpn = CONFIG_ALPN_MAX + 1;
	rc = config_listener_set(cf, &ep, &o, &cause);
	refused(cf, rc, cause, before,
	    "8");
	cause = NULL;
	/* Seven (GnuTLS's 8 less acme-tls/1) is the limit, not over it. */
	o.nalpn = CONFIG_ALPN_MAX;
	assert_int_equal(config_listener_set(cf, &ep, &o, &cause), 0);
	assert_int_equal(listener_on(cf, "127.0.0.2:8443")->nalpn, 7);
	for (i = 0; i < CONFIG_ALPN_MAX + 1; i++)
		free(names[i]);
	free(before);
	config_free(cf);
}

static void
test_binding_set(void **state)
{
	struct config			*cf;
	struct config_binding		 o;
	const struct config_binding	*b;
	char				*before, *cause = NULL, ca[] = "n.pem";
	int				 rc;

	cf = unit_load(full);
	before = config_serialize(cf);

	/* Refusals. */
	memset(&o, 0, sizeof o);
	rc = config_binding_set(cf, 3, &o, &cause);
	refused(cf, rc, cause, before,
	    "4");
	cause = NULL;
	o.has_backend = 1;
	unit_ep_of("*:80", &o.backend);
	rc = config_binding_set(cf, 0, &o, &cause);
	refused(cf, rc, cause, before,
	    "*:80");
	cause = NULL;
	unit_ep_of("127.0.0.1:80", &o.backend);
	o.client_auth = CONFIG_CLIENT_AUTH_OPTIONAL;
	rc = config_binding_set(cf, 0, &o, &cause);
	refused(cf, rc, cause, before,
	    "optional");
	cause = NULL;
	o.client_ca = "";
	rc = config_binding_set(cf, 0, &o, &cause);
	refused(cf, rc, cause, before,
	    "client_ca");
	cause = NULL;

	/* Key, endpoint, sni and line stay; the options are copied. */
	o.client_ca = ca;
	o.key = "other";
	unit_ep_of("10.0.0.1:1", &o.ep);
	o.line = 99;
	assert_int_equal(config_binding_set(cf, 2, &o, &cause), 0);
	b = config_binding(cf, 2);
	assert_string_equal(b->key, "www");
	ep_is(&b->ep, "127.0.0.3:9443");
	assert_int_equal(b->line, 22);
	assert_int_equal(b->has_backend, 1);
	ep_is(&b->backend, "127.0.0.1:80");
	assert_string_equal(b->client_ca, "n.pem");
	assert_ptr_not_equal(b->client_ca, ca);
	assert_int_equal(b->client_auth, CONFIG_CLIENT_AUTH_OPTIONAL);

	/* client_ca with NONE: required. */
	o.client_auth = CONFIG_CLIENT_AUTH_NONE;
	assert_int_equal(config_binding_set(cf, 2, &o, &cause), 0);
	assert_int_equal(config_binding(cf, 2)->client_auth,
	    CONFIG_CLIENT_AUTH_REQUIRED);

	/* Back to the file's: the same text again. */
	memset(&o, 0, sizeof o);
	o.has_backend = 1;
	unit_ep_of("[2001:db8::1]:443", &o.backend);
	assert_int_equal(config_binding_set(cf, 2, &o, &cause), 0);
	b = config_binding(cf, 2);
	assert_null(b->client_ca);
	assert_int_equal(b->client_auth, CONFIG_CLIENT_AUTH_NONE);
	{
		char	*again = config_serialize(cf);

		assert_string_equal(before, again);
		free(again);
	}
	/* And removing every option. */
	memset(&o, 0, sizeof o);
	assert_int_equal(config_binding_set(cf, 0, &o, &cause), 0);
	b = config_binding(cf, 0);
	assert_int_equal(b->has_backend, 0);
	assert_null(b->client_ca);
	assert_int_equal(b->client_auth, CONFIG_CLIENT_AUTH_NONE);
	free(before);
	config_free(cf);
}

static void
test_rules(void **state)
{
	static const char	*good[] = { NULL, "intermediate", "modern" };
	static const char	*bad[] = { "old", "", "Modern", "modern ",
				    "intermediate\n" };
	enum config_client_auth	 a;
	char			*cause;
	size_t			 i;

	for (i = 0; i < 3; i++)
		assert_int_equal(config_tls_profile_check(good[i], NULL), 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_int_equal(config_tls_profile_check(bad[i], &cause), -1);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "tls_profile"));
		free(cause);
	}
	assert_int_equal(config_tls_profile_check("old", NULL), -1);

	assert_string_equal(config_client_auth_name(CONFIG_CLIENT_AUTH_NONE),
	    "none");
	assert_string_equal(config_client_auth_name(
	    CONFIG_CLIENT_AUTH_OPTIONAL), "optional");
	assert_string_equal(config_client_auth_name(
	    CONFIG_CLIENT_AUTH_REQUIRED), "required");
	for (a = CONFIG_CLIENT_AUTH_NONE; a <= CONFIG_CLIENT_AUTH_REQUIRED;
	    a++) {
		enum config_client_auth	back = (enum config_client_auth)-1;

		assert_int_equal(config_client_auth_parse(
		    config_client_auth_name(a), &back), 0);
		assert_int_equal(back, a);
	}
	assert_int_equal(config_client_auth_parse("maybe", &a), -1);
	assert_int_equal(config_client_auth_parse("Required", &a), -1);
	assert_int_equal(config_client_auth_parse("", &a), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_binding_order),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_backend_for),
		cmocka_unit_test(test_backend_for_loaded),
		cmocka_unit_test(test_listener_serving),
		cmocka_unit_test(test_listener_set),
		cmocka_unit_test(test_binding_set),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
