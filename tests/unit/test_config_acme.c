/*
 * ACME in the config (issue 11): the acme group, a key's acme block and
 * server.pidfile. Tables of good and bad texts with the line and the
 * words each error must carry; the round trip through the writer; and
 * the mutators that must keep a key's block (set, rename, dup) or
 * replace it (config_key_acme_set).
 *
 * The fixtures are written inline so the expected lines can be counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"
#include "util/errlist.h"
#include "util/xmalloc.h"
#include "unit.h"

/* ------------------------------------------------------------------ */
/* A key's acme block. */

/* The block goes on line 3; the key group starts on line 2. */
#define KEY_HEAD \
    "version = 1;\n" \
    "keys = ( { name = \"www\"; key = \"k.key\"; cert = \"c.pem\";\n"
#define KEY_TAIL "\n} );\n"

struct key_good {
	const char	*block;
	const char	*challenge;
	size_t		 ndomains;
	const char	*webroot;
	int64_t		 http_port;
	const char	*dns_hook;
	const char	*key_type;
};

static const struct key_good key_goods[] = {
	{ "acme = { domains = (\"www.example.com\", \"example.com\"); };",
	  "tls-alpn-01", 2, NULL, 0, NULL, NULL },
	{ "acme = { domains = [\"www.example.com\"]; "
	  "challenge = \"tls-alpn-01\"; key_type = \"ecdsa-p256\"; };",
	  "tls-alpn-01", 1, NULL, 0, NULL, "ecdsa-p256" },
	{ "acme = { domains = (\"www.example.com\"); challenge = \"http-01\";"
	  " webroot = \"/var/www/html\"; http_port = 8080; };",
	  "http-01", 1, "/var/www/html", 8080, NULL, NULL },
	{ "acme = { domains = (\"www.example.com\"); challenge = \"http-01\";"
	  " };",
	  "http-01", 1, NULL, 0, NULL, NULL },
	{ "acme = { domains = (\"*.example.com\", \"example.com\"); "
	  "challenge = \"dns-01\"; dns_hook = \"/usr/local/bin/hook\"; };",
	  "dns-01", 2, NULL, 0, "/usr/local/bin/hook", NULL },
	{ "acme = { domains = (\"WWW.Example.COM\"); };",
	  "tls-alpn-01", 1, NULL, 0, NULL, NULL },
};

static int
streq_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
test_key_good(void **state)
{
	const struct config_key	*k;
	struct config		*cf;
	char			*text;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof key_goods / sizeof key_goods[0]; i++) {
		text = xasprintf(KEY_HEAD "%s" KEY_TAIL, key_goods[i].block);
		cf = unit_load(text);
		k = config_key_find(cf, "www");
		assert_non_null(k);
		if (k->acme == NULL)
			fail_msg("case %zu: no acme block: %s", i, text);
		assert_string_equal(k->acme->challenge, key_goods[i].challenge);
		assert_int_equal(k->acme->ndomains, key_goods[i].ndomains);
		assert_true(streq_null(k->acme->webroot, key_goods[i].webroot));
		assert_int_equal(k->acme->http_port, key_goods[i].http_port);
		assert_true(streq_null(k->acme->dns_hook,
		    key_goods[i].dns_hook));
		assert_true(streq_null(k->acme->key_type,
		    key_goods[i].key_type));
		assert_int_equal(config_key_acme_check(k->acme, NULL), 0);
		config_free(cf);
		free(text);
	}
}

struct bad {
	const char	*text;
	const char	*want;	/* "test.conf:LINE: words" */
};

static const struct bad key_bads[] = {
	{ "acme = { domains = (); };",
	  "test.conf:3: acme has no domains: add domains" },
	{ "acme = { challenge = \"http-01\"; };",
	  "test.conf:3: acme has no domains" },
	{ "acme = { domains = (\"bad_name.example\"); };",
	  "test.conf:3: bad acme domain 'bad_name.example': " },
	{ "acme = { domains = (\"10.0.0.1\"); };",
	  "test.conf:3: bad acme domain '10.0.0.1'" },
	{ "acme = { domains = (\"*.example.com\"); };",
	  "test.conf:3: acme domain '*.example.com' is a wildcard, which a "
	  "CA validates only with challenge = \"dns-01\" (this block's "
	  "challenge is 'tls-alpn-01')" },
	{ "acme = { domains = (\"*.example.com\"); challenge = \"http-01\"; };",
	  "(this block's challenge is 'http-01')" },
	{ "acme = { domains = (\"*.com\"); challenge = \"dns-01\"; "
	  "dns_hook = \"/h\"; };",
	  "test.conf:3: bad acme domain '*.com'" },
	{ "acme = { domains = (\"www.example.com\", \"WWW.example.com\"); };",
	  "test.conf:3: acme domain 'WWW.example.com' is given twice (as "
	  "'www.example.com' before it; case does not matter)" },
	{ "acme = { domains = (\"a.example\"); challenge = \"dns-02\"; };",
	  "test.conf:3: acme challenge 'dns-02' is not one of tls-alpn-01, "
	  "http-01, dns-01" },
	{ "acme = { domains = (\"a.example\"); challenge = \"dns-01\"; };",
	  "test.conf:3: acme challenge = \"dns-01\" needs the program that "
	  "sets the DNS record: add dns_hook" },
	{ "acme = { domains = (\"a.example\"); dns_hook = \"/h\"; };",
	  "test.conf:3: acme dns_hook '/h' is only for challenge = "
	  "\"dns-01\" (this block's challenge is 'tls-alpn-01')" },
	{ "acme = { domains = (\"a.example\"); webroot = \"/var/www\"; };",
	  "test.conf:3: acme webroot '/var/www' is only for challenge = "
	  "\"http-01\"" },
	{ "acme = { domains = (\"a.example\"); challenge = \"http-01\"; "
	  "webroot = \"www\"; };",
	  "test.conf:3: acme webroot 'www' is not an absolute path" },
	{ "acme = { domains = (\"a.example\"); challenge = \"http-01\"; "
	  "http_port = 0; };",
	  "test.conf:3: acme http_port = 0 is out of range: use a whole "
	  "number from 1 to 65535" },
	{ "acme = { domains = (\"a.example\"); challenge = \"http-01\"; "
	  "http_port = 4294967376; };",
	  "test.conf:3: acme http_port = 4294967376 is out of range" },
	{ "acme = { domains = (\"a.example\"); challenge = \"dns-01\"; "
	  "dns_hook = \"/h\"; http_port = 80; };",
	  "test.conf:3: acme http_port = 80 is only for challenge = "
	  "\"http-01\" (this block's challenge is 'dns-01')" },
	{ "acme = { domains = (\"a.example\"); key_type = \"\"; };",
	  "test.conf:3: acme key_type must not be empty" },
	{ "acme = { domains = (\"a.example\"); dns_hook = \"\"; };",
	  "test.conf:3: acme dns_hook must not be empty" },
	{ "acme = { domains = (\"a.example\"); challenge = 1; };",
	  "test.conf:3: acme challenge must be a string" },
	{ "acme = { domains = (\"a.example\", 7); };",
	  "test.conf:3: each acme domain must be a string" },
	{ "acme = { domains = \"a.example\"; };",
	  "test.conf:3: acme domains must be a list" },
	{ "acme = { domains = (\"a.example\"); domain = \"b.example\"; };",
	  "test.conf:3: unknown setting 'domain' in a key's acme (domains, "
	  "challenge, webroot, http_port, dns_hook, key_type)" },
	{ "acme = \"yes\";",
	  "test.conf:3: acme must be a group" },
	{ "acme = { domains = (\"a.\\x1b[31m.example\"); };",
	  "test.conf:3: bad acme domain 'a.\\x1B[31m.example'" },
};

static void
test_key_bad(void **state)
{
	char	*text, *errs;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof key_bads / sizeof key_bads[0]; i++) {
		text = xasprintf(KEY_HEAD "%s" KEY_TAIL, key_bads[i].text);
		errs = unit_load_errors(text);
		if (errs == NULL)
			fail_msg("case %zu loaded: %s", i, text);
		if (strstr(errs, key_bads[i].want) == NULL)
			fail_msg("case %zu: want '%s' in:\n%s", i,
			    key_bads[i].want, errs);
		free(errs);
		free(text);
	}
}

/* Every problem of a block, each on the line of its setting. */
static void
test_key_bad_lines(void **state)
{
	char	*errs;

	(void)state;
	errs = unit_load_errors(
	    "keys = ( { name = \"www\"; key = \"k\";\n"		/* 1 */
	    "  acme = {\n"
	    "    domains = (\"ok.example\",\n"
	    "        \"*.bad.example\",\n"			/* 4 */
	    "        \"OK.example\");\n"				/* 5 */
	    "    challenge = \"http-01\";\n"
	    "    dns_hook = \"/h\";\n"				/* 7 */
	    "    webroot = \"rel\";\n"				/* 8 */
	    "  };\n"
	    "} );\n");
	assert_non_null(errs);
	assert_non_null(strstr(errs, "test.conf:4: acme domain "
	    "'*.bad.example' is a wildcard"));
	assert_non_null(strstr(errs, "test.conf:5: acme domain 'OK.example' "
	    "is given twice"));
	assert_non_null(strstr(errs, "test.conf:7: acme dns_hook '/h' is "
	    "only for challenge = \"dns-01\""));
	assert_non_null(strstr(errs, "test.conf:8: acme webroot 'rel' is not "
	    "an absolute path"));
	free(errs);

	/* A block without domains is reported on its own line. */
	errs = unit_load_errors(
	    "keys = ( { name = \"www\"; key = \"k\";\n"
	    "  acme = {\n"						/* 2 */
	    "    challenge = \"dns-01\";\n"
	    "  };\n"
	    "} );\n");
	assert_non_null(errs);
	assert_non_null(strstr(errs, "test.conf:2: acme has no domains"));
	assert_non_null(strstr(errs, "test.conf:2: acme challenge = "
	    "\"dns-01\" needs"));
	free(errs);
}

/* ------------------------------------------------------------------ */
/* The acme group. */

/* The group opens on line 2; each setting of a case is on line 3. */
#define GROUP_HEAD "version = 1;\nacme = {\n"
#define GROUP_TAIL "\n};\n"

static void
test_group_good(void **state)
{
	const struct config_acme	*a;
	struct config			*cf;

	(void)state;
	cf = unit_load("version = 1;\n");
	assert_null(config_acme(cf));
	config_free(cf);

	cf = unit_load(GROUP_HEAD
	    "server = \"https://acme.example/dir\"; account = \"acme/a.key\";"
	    GROUP_TAIL);
	a = config_acme(cf);
	assert_non_null(a);
	assert_string_equal(a->server, "https://acme.example/dir");
	assert_string_equal(a->account, "acme/a.key");
	assert_null(a->email);
	assert_null(a->ca_bundle);
	assert_int_equal(a->challenge_http_port, 80);
	assert_int_equal(a->challenge_tls_port, 443);
	config_free(cf);

	cf = unit_load(GROUP_HEAD
	    "server = \"HTTPS://127.0.0.1:14000/dir\"; account = \"/a.key\";"
	    " email = \"hostmaster@example.com\"; ca_bundle = \"ca.pem\";"
	    " challenge_http_port = 5002; challenge_tls_port = 5001;"
	    GROUP_TAIL);
	a = config_acme(cf);
	assert_non_null(a);
	assert_string_equal(a->email, "hostmaster@example.com");
	assert_string_equal(a->ca_bundle, "ca.pem");
	assert_int_equal(a->challenge_http_port, 5002);
	assert_int_equal(a->challenge_tls_port, 5001);
	assert_int_equal(config_acme_check(a, NULL), 0);
	config_free(cf);
}

#define SRV "server = \"https://ca.example/dir\"; "
#define ACC "account = \"acme/account.key\"; "

static const struct bad group_bads[] = {
	{ ACC, "test.conf:2: acme has no server: add server" },
	{ SRV, "test.conf:2: acme has no account key: add account" },
	{ "server = \"http://ca.example/dir\"; " ACC,
	  "test.conf:3: acme server 'http://ca.example/dir' is not an "
	  "https:// URL" },
	{ "server = \"https:///dir\"; " ACC,
	  "test.conf:3: acme server 'https:///dir' is not an https:// URL" },
	{ "server = \"ca.example\"; " ACC,
	  "test.conf:3: acme server 'ca.example' is not an https:// URL" },
	{ "server = \"https://ca.example/a b\"; " ACC,
	  "acme server 'https://ca.example/a b' is not" },
	{ SRV ACC "email = \"hostmaster\";",
	  "test.conf:3: acme email 'hostmaster' is not an address like "
	  "hostmaster@example.com" },
	{ SRV ACC "email = \"a@b@c\";", "acme email 'a@b@c' is not" },
	{ SRV ACC "challenge_tls_port = 0;",
	  "test.conf:3: acme challenge_tls_port = 0 is out of range: use a "
	  "whole number from 1 to 65535" },
	{ SRV ACC "challenge_http_port = 3000000000;",
	  "test.conf:3: acme challenge_http_port = 3000000000 is out of "
	  "range" },
	{ SRV ACC "challenge_http_port = \"80\";",
	  "test.conf:3: acme challenge_http_port must be a whole number" },
	{ SRV ACC "server2 = \"x\";",
	  "test.conf:3: unknown setting 'server2' in acme (server, account, "
	  "email, ca_bundle, challenge_http_port, challenge_tls_port)" },
	{ "server = \"\"; " ACC, "test.conf:3: acme server must not be empty" },
	{ "server = 1; " ACC, "test.conf:3: acme server must be a string" },
	{ SRV ACC "ca_bundle = \"\";",
	  "test.conf:3: acme ca_bundle must not be empty" },
};

static void
test_group_bad(void **state)
{
	char	*text, *errs;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof group_bads / sizeof group_bads[0]; i++) {
		text = xasprintf(GROUP_HEAD "%s" GROUP_TAIL,
		    group_bads[i].text);
		errs = unit_load_errors(text);
		if (errs == NULL)
			fail_msg("case %zu loaded: %s", i, text);
		if (strstr(errs, group_bads[i].want) == NULL)
			fail_msg("case %zu: want '%s' in:\n%s", i,
			    group_bads[i].want, errs);
		/* A setting that did not read is not also "missing". */
		if (strstr(group_bads[i].want, "has no") == NULL)
			assert_null(strstr(errs, "has no"));
		free(errs);
		free(text);
	}

	errs = unit_load_errors("acme = ( 1 );\n");
	assert_non_null(errs);
	assert_non_null(strstr(errs, "test.conf:1: acme must be a group"));
	free(errs);
}

/* ------------------------------------------------------------------ */
/* server.pidfile. */

static void
test_pidfile(void **state)
{
	struct config	*cf;
	char		*errs;

	(void)state;
	cf = unit_load("server = { listen = (); pidfile = \"/run/c.pid\"; };\n");
	assert_non_null(config_server(cf));
	assert_string_equal(config_server(cf)->pidfile, "/run/c.pid");
	config_free(cf);

	cf = unit_load("server = { listen = (); };\n");
	assert_null(config_server(cf)->pidfile);
	config_free(cf);

	errs = unit_load_errors("server = {\n  pidfile = \"\";\n};\n");
	assert_non_null(errs);
	assert_non_null(strstr(errs, "test.conf:2: pidfile must not be "
	    "empty"));
	free(errs);
	errs = unit_load_errors("server = {\n  pidfile = 1;\n};\n");
	assert_non_null(errs);
	assert_non_null(strstr(errs, "test.conf:2: pidfile must be a string"));
	free(errs);
}

/* ------------------------------------------------------------------ */
/* The writer and the mutators. */

static const char full[] =
    "version = 1;\n"
    "store = \"/etc/certbind\";\n"
    "server = { listen = ( { endpoint = \"127.0.0.2:443\"; "
    "backend = \"127.0.0.1:8080\"; } );\n"
    "  pidfile = \"/run/certbindd.pid\"; };\n"
    "acme = { server = \"https://ca.example/dir\"; "
    "account = \"acme/account.key\";\n"
    "  email = \"ops@example.com\"; ca_bundle = \"acme/ca.pem\";\n"
    "  challenge_tls_port = 5001; };\n"
    "keys = (\n"
    "  { name = \"www\"; key = \"keys/www.key\"; cert = \"certs/www.pem\";\n"
    "    acme = { domains = (\"www.example.com\", \"example.com\"); }; },\n"
    "  { name = \"web\"; key = \"keys/web.key\"; cert = \"certs/web.pem\";\n"
    "    acme = { domains = (\"web.example.com\"); challenge = \"http-01\";"
    " webroot = \"/srv/www\"; http_port = 8080; key_type = \"rsa-3072\";"
    " }; },\n"
    "  { name = \"wild\"; key = \"keys/wild.key\";\n"
    "    request = \"requests/wild.csr\";\n"
    "    acme = { domains = (\"*.example.com\"); challenge = \"dns-01\";"
    " dns_hook = \"/usr/local/bin/hook \\\"x\\\"\"; }; },\n"
    "  { name = \"plain\"; key = \"keys/plain.key\"; "
    "cert = \"certs/plain.pem\"; }\n"
    ");\n"
    "bindings = ( { key = \"www\"; endpoint = \"*:*\"; } );\n";

static void
assert_same_acme(const struct config *a, const struct config *b)
{
	const struct config_acme	*x = config_acme(a), *y = config_acme(b);
	const struct config_key		*ka, *kb;
	size_t				 i;

	assert_true((x == NULL) == (y == NULL));
	if (x != NULL) {
		assert_true(streq_null(x->server, y->server));
		assert_true(streq_null(x->account, y->account));
		assert_true(streq_null(x->email, y->email));
		assert_true(streq_null(x->ca_bundle, y->ca_bundle));
		assert_int_equal(x->challenge_http_port,
		    y->challenge_http_port);
		assert_int_equal(x->challenge_tls_port, y->challenge_tls_port);
	}
	assert_true((config_server(a) == NULL) == (config_server(b) == NULL));
	if (config_server(a) != NULL)
		assert_true(streq_null(config_server(a)->pidfile,
		    config_server(b)->pidfile));
	assert_int_equal(config_nkeys(a), config_nkeys(b));
	for (i = 0; i < config_nkeys(a); i++) {
		ka = config_key(a, i);
		kb = config_key(b, i);
		assert_string_equal(ka->name, kb->name);
		assert_true(config_key_acme_equal(ka->acme, kb->acme));
		/* Equal is without case; the writer keeps the case. */
		if (ka->acme != NULL && ka->acme->ndomains > 0)
			assert_string_equal(ka->acme->domains[0],
			    kb->acme->domains[0]);
	}
}

static void
test_roundtrip(void **state)
{
	struct config	*cf, *again;
	char		*t1, *t2;

	(void)state;
	cf = unit_load(full);
	assert_non_null(config_key_find(cf, "www")->acme);
	assert_null(config_key_find(cf, "plain")->acme);
	assert_string_equal(config_key_find(cf, "wild")->acme->dns_hook,
	    "/usr/local/bin/hook \"x\"");
	t1 = config_serialize(cf);
	again = unit_load(t1);
	assert_same_acme(cf, again);
	t2 = config_serialize(again);
	assert_string_equal(t1, t2);
	/* The layout DESIGN.md shows: the block under its key. */
	assert_non_null(strstr(t1, "cert = \"certs/www.pem\";\n    acme = { "
	    "domains = ( \"www.example.com\", \"example.com\" ); challenge = "
	    "\"tls-alpn-01\"; }; }"));
	assert_non_null(strstr(t1, "\nacme = {\n  server = "
	    "\"https://ca.example/dir\";\n"));
	assert_non_null(strstr(t1, "  pidfile = \"/run/certbindd.pid\";\n"));
	free(t1);
	free(t2);
	config_free(again);

	again = config_dup(cf);
	assert_same_acme(cf, again);
	config_free(again);
	config_free(cf);
}

static void
test_mutators_keep(void **state)
{
	struct config			*cf;
	const struct config_key		*k;
	char				*cause = NULL;

	(void)state;
	cf = unit_load(full);
	assert_int_equal(config_key_set(cf, "www", NULL, "certs/www-2.pem",
	    NULL, &cause), 0);
	k = config_key_find(cf, "www");
	assert_non_null(k->acme);
	assert_string_equal(k->acme->domains[1], "example.com");
	assert_string_equal(k->cert, "certs/www-2.pem");

	assert_int_equal(config_key_rename(cf, "www", "site", &cause), 0);
	assert_null(config_key_find(cf, "www"));
	k = config_key_find(cf, "site");
	assert_non_null(k->acme);
	assert_int_equal(k->acme->ndomains, 2);

	/* Adding and removing others moves records, not the block. */
	assert_int_equal(config_key_add(cf, "aaa", "keys/a.key", NULL,
	    "requests/a.csr", &cause), 0);
	assert_null(config_key_find(cf, "aaa")->acme);
	assert_int_equal(config_key_remove(cf, "plain", &cause), 0);
	assert_int_equal(config_key_find(cf, "site")->acme->ndomains, 2);
	assert_string_equal(config_key_find(cf, "wild")->acme->challenge,
	    "dns-01");
	config_free(cf);
}

static void
test_key_acme_set(void **state)
{
	struct config		*cf;
	struct config_key_acme	 a;
	const struct config_key	*k;
	char			*doms[] = { "a.example", "*.a.example" };
	char			*cause = NULL;

	(void)state;
	cf = unit_load(full);
	memset(&a, 0, sizeof a);
	a.domains = doms;
	a.ndomains = 1;
	/* NULL challenge: the default is filled in. */
	assert_int_equal(config_key_acme_set(cf, "plain", &a, &cause), 0);
	k = config_key_find(cf, "plain");
	assert_non_null(k->acme);
	assert_string_equal(k->acme->challenge, "tls-alpn-01");
	/* A deep copy: the caller's array is not kept. */
	assert_ptr_not_equal(k->acme->domains, doms);
	assert_ptr_not_equal(k->acme->domains[0], doms[0]);

	/* Refused: the model stays as it was. */
	a.ndomains = 2;
	assert_int_equal(config_key_acme_set(cf, "plain", &a, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "acme domain '*.a.example' is a "
	    "wildcard"));
	free(cause);
	cause = NULL;
	assert_int_equal(config_key_find(cf, "plain")->acme->ndomains, 1);

	a.challenge = "dns-01";
	a.dns_hook = "/bin/true";
	assert_int_equal(config_key_acme_set(cf, "plain", &a, &cause), 0);
	assert_int_equal(config_key_find(cf, "plain")->acme->ndomains, 2);

	assert_int_equal(config_key_acme_set(cf, "nope", &a, &cause), -1);
	assert_non_null(strstr(cause, "there is no key named 'nope'"));
	free(cause);
	cause = NULL;

	/* NULL removes the block. */
	assert_int_equal(config_key_acme_set(cf, "plain", NULL, &cause), 0);
	assert_null(config_key_find(cf, "plain")->acme);
	config_free(cf);

	/* No domains, checked directly. */
	memset(&a, 0, sizeof a);
	assert_int_equal(config_key_acme_check(&a, &cause), -1);
	assert_non_null(strstr(cause, "acme has no domains"));
	free(cause);
}

static void
test_acme_edit(void **state)
{
	struct config		*cf, *again;
	struct config_acme	*a;
	char			*t, *cause = NULL;

	(void)state;
	cf = config_new();
	assert_null(config_acme(cf));
	a = config_acme_edit(cf);
	assert_int_equal(a->challenge_http_port, 80);
	assert_int_equal(a->challenge_tls_port, 443);
	assert_int_equal(config_acme_check(a, &cause), -1);
	assert_non_null(strstr(cause, "acme has no server"));
	free(cause);
	a->server = xstrdup("https://ca.example/dir");
	a->account = xstrdup("acme/account.key");
	assert_int_equal(config_acme_check(a, NULL), 0);
	t = config_serialize(cf);
	again = unit_load(t);
	assert_same_acme(cf, again);
	config_free(again);
	free(t);
	config_acme_remove(cf);
	assert_null(config_acme(cf));
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_good),
		cmocka_unit_test(test_key_bad),
		cmocka_unit_test(test_key_bad_lines),
		cmocka_unit_test(test_group_good),
		cmocka_unit_test(test_group_bad),
		cmocka_unit_test(test_pidfile),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_mutators_keep),
		cmocka_unit_test(test_key_acme_set),
		cmocka_unit_test(test_acme_edit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
