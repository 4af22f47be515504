/*
 * Each rule once (STYLE.md), for names: a table of cases per rule, and
 * every case put through every caller of the rule, so that a caller that
 * grows its own copy of the rule and drifts is caught here. The expected
 * answers are written from the rules' text (RFC 1035 names, the key-name
 * rule of certbind.conf(5), the key-type table), never from a run.
 *
 * DNS names: dnsname_check(), resolve_sni_valid(), config_bind(), the
 * config loader and subject_check()/request_create() (alternative names).
 * Key names: config_key_name_check(), config_key_add/rename, the loader
 * and lifecycle_name_valid(). Key types: the table in keys/privkey.c.
 * The rules about endpoints are in test_rules_endpoints.c.
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
/* DNS names. */

struct dns_case {
	const char	*name;
	int		 plain;		/* valid without DNSNAME_WILDCARD */
	int		 wild;		/* valid with it */
	const char	*why_plain;	/* in the cause when refused plain */
	const char	*why_wild;	/* in the cause when refused as wildcard */
	int		 is_ip;		/* an alternative name reads it as an IP */
};

static const struct dns_case dns_cases[] = {
	{ "www.example.com", 1, 1, NULL, NULL, 0 },
	{ "WWW.Example.COM", 1, 1, NULL, NULL, 0 },
	{ "a-b.example.com", 1, 1, NULL, NULL, 0 },
	{ "xn--bcher-kva.example", 1, 1, NULL, NULL, 0 },
	{ "123.example.com", 1, 1, NULL, NULL, 0 },
	{ "localhost", 1, 1, NULL, NULL, 0 },
	{ "host.example9", 1, 1, NULL, NULL, 0 },
	{ "*.example.com", 0, 1, "not allowed here", NULL, 0 },
	{ "*.a.b", 0, 1, "not allowed here", NULL, 0 },
	{ "*.com", 0, 0, "not allowed here", "at least two labels", 0 },
	{ "*", 0, 0, "whole first label", "whole first label", 0 },
	{ "*.", 0, 0, "not allowed here", "label is empty", 0 },
	{ "a.*.example.com", 0, 0, "whole first label", "whole first label",
	  0 },
	{ "**.example.com", 0, 0, "whole first label", "whole first label",
	  0 },
	{ "*foo.example.com", 0, 0, "whole first label", "whole first label",
	  0 },
	{ "foo*.example.com", 0, 0, "whole first label", "whole first label",
	  0 },
	{ "_srv.example.test", 0, 0, "holds '_'", "holds '_'", 0 },
	{ "*._srv.example.test", 0, 0, "not allowed here", "holds '_'", 0 },
	{ "a b.example.com", 0, 0, "holds ' '", "holds ' '", 0 },
	{ "a\x1b.example.com", 0, 0, "holds '\\x1B'", "holds '\\x1B'", 0 },
	{ "www.exa$mple.com", 0, 0, "holds '$'", "holds '$'", 0 },
	{ "www.example.com:443", 0, 0, "holds ':'", "holds ':'", 0 },
	{ "a..example.com", 0, 0, "label is empty", "label is empty", 0 },
	{ ".example.com", 0, 0, "label is empty", "label is empty", 0 },
	{ "example.com.", 0, 0, "label is empty", "label is empty", 0 },
	{ "-a.example.com", 0, 0, "starts or ends with '-'",
	  "starts or ends with '-'", 0 },
	{ "a-.example.com", 0, 0, "starts or ends with '-'",
	  "starts or ends with '-'", 0 },
	{ "example.com-", 0, 0, "starts or ends with '-'",
	  "starts or ends with '-'", 0 },
	{ "1.2.3.999", 0, 0, "all digits", "all digits", 0 },
	{ "example.123", 0, 0, "all digits", "all digits", 0 },
	{ "10.0.0.1", 0, 0, "all digits", "all digits", 1 },
	{ "[2001:db8::1]", 0, 0, "holds '['", "holds '['", 1 },
	{ "2001:db8::1", 0, 0, "holds ':'", "holds ':'", 1 },
};

/* The rule itself, with and without the wildcard flag. */
static void
test_dns_rule(void **state)
{
	const struct dns_case	*c;
	size_t			 i;
	char			*cause;
	int			 r;

	for (i = 0; i < sizeof dns_cases / sizeof dns_cases[0]; i++) {
		c = &dns_cases[i];
		cause = NULL;
		r = dnsname_check(c->name, 0, &cause);
		if ((r == 0) != c->plain)
			fail_msg("dnsname_check(%s, 0) = %d", c->name, r);
		if (r != 0 && strstr(cause, c->why_plain) == NULL)
			fail_msg("%s: cause '%s' lacks '%s'", c->name, cause,
			    c->why_plain);
		free(cause);
		cause = NULL;
		r = dnsname_check(c->name, DNSNAME_WILDCARD, &cause);
		if ((r == 0) != c->wild)
			fail_msg("dnsname_check(%s, WILDCARD) = %d", c->name,
			    r);
		if (r != 0 && strstr(cause, c->why_wild) == NULL)
			fail_msg("%s: cause '%s' lacks '%s'", c->name, cause,
			    c->why_wild);
		free(cause);
		/* No cause asked for: the same answer, nothing allocated. */
		assert_int_equal(dnsname_check(c->name, DNSNAME_WILDCARD,
		    NULL) == 0, c->wild);
		/* resolve_sni_valid() answers the same question. */
		assert_int_equal(resolve_sni_valid(c->name, 0), c->plain);
		assert_int_equal(resolve_sni_valid(c->name, 1), c->wild);
	}
}

/* The lengths: 63 per label and 253 in all, the "*." included. */
static void
test_dns_lengths(void **state)
{
	char	*l63 = unit_repeat('a', 63), *l64 = unit_repeat('a', 64);
	char	*name, *cause = NULL;
	char	 buf[300];
	size_t	 n;

	name = xasprintf("%s.example.com", l63);
	assert_int_equal(dnsname_check(name, 0, NULL), 0);
	free(name);
	name = xasprintf("%s.example.com", l64);
	assert_int_equal(dnsname_check(name, 0, &cause), -1);
	assert_non_null(strstr(cause, "longer than 63"));
	free(cause);
	free(name);

	/* Three labels of 63 and one of 1, then the last one grown. */
	snprintf(buf, sizeof buf, "%s.%s.%s.a", l63, l63, l63);
	n = strlen(buf);			/* 3 * 64 + 1 = 193 */
	assert_int_equal(n, 193);
	/* Pad the last label to reach exactly 253, then 254. */
	memset(buf + n - 1, 'b', 60);
	buf[n - 1 + 60] = '\0';		/* 193 - 1 + 60 = 252 */
	assert_int_equal(strlen(buf), 252);
	strcat(buf, "c");
	assert_int_equal(strlen(buf), 253);
	assert_int_equal(dnsname_check(buf, 0, NULL), 0);
	strcat(buf, "d");
	cause = NULL;
	assert_int_equal(dnsname_check(buf, 0, &cause), -1);
	assert_non_null(strstr(cause, "at most 253"));
	free(cause);

	/* The "*." counts: 251 characters after it make 253 in all. */
	buf[251] = '\0';
	name = xasprintf("*.%s", buf);
	assert_int_equal(strlen(name), 253);
	assert_int_equal(dnsname_check(name, DNSNAME_WILDCARD, NULL), 0);
	free(name);
	buf[251] = 'x';
	buf[252] = '\0';
	name = xasprintf("*.%s", buf);
	assert_int_equal(strlen(name), 254);
	assert_int_equal(dnsname_check(name, DNSNAME_WILDCARD, NULL), -1);
	free(name);
	free(l63);
	free(l64);
}

#define ONE_KEY \
    "keys = ( { name = \"www\"; key = \"keys/www.key\"; } );\n"

/*
 * Every caller of the rule: config_bind(), the loader and a request's
 * alternative names accept what the rule (with wildcard) accepts, and
 * refuse the rest with the same reason.
 */
static void
test_dns_callers(void **state)
{
	const struct dns_case	*c;
	struct config		*cf;
	struct endpoint		 ep;
	struct subject		 subj;
	const char		*sans[1];
	char			*sni_cause, *san_cause, *why, *text, *q, *errs;
	size_t			 i;
	int			 r;

	cf = unit_load(ONE_KEY);
	unit_ep_of("*:443", &ep);
	for (i = 0; i < sizeof dns_cases / sizeof dns_cases[0]; i++) {
		c = &dns_cases[i];
		why = NULL;
		dnsname_check(c->name, DNSNAME_WILDCARD, &why);

		/* certbind bind, the TUI's dialog: config_bind(). */
		sni_cause = NULL;
		r = config_bind(cf, "www", &ep, c->name, &sni_cause);
		if ((r == 0) != c->wild)
			fail_msg("config_bind(sni %s) = %d", c->name, r);
		if (r == 0)
			assert_int_equal(config_unbind(cf, "www", &ep, c->name,
			    NULL), 0);
		else {
			assert_non_null(strstr(sni_cause, c->why_wild));
			assert_string_equal(unit_reason_of(sni_cause), why);
		}

		/* The config file. */
		q = unit_lc_quote(c->name);
		text = xasprintf(ONE_KEY "bindings = ( { key = \"www\"; "
		    "endpoint = \"*:443\"; sni = \"%s\"; } );\n", q);
		errs = unit_load_errors(text);
		if ((errs == NULL) != c->wild)
			fail_msg("loading sni %s: %s", c->name,
			    errs != NULL ? errs : "accepted");
		if (errs != NULL && (strstr(errs, "bad sni") == NULL ||
		    strstr(errs, why) == NULL))
			fail_msg("loading sni %s: '%s' lacks '%s'", c->name,
			    errs, why);
		free(errs);
		free(text);
		free(q);

		/* certbind request --san: a wildcard name is a valid SAN. */
		memset(&subj, 0, sizeof subj);
		subj.cn = "www.example.com";
		sans[0] = c->name;
		subj.sans = sans;
		subj.nsans = 1;
		san_cause = NULL;
		r = subject_check(&subj, &san_cause);
		if ((r == 0) != (c->wild || c->is_ip))
			fail_msg("subject_check(san %s) = %d: %s", c->name, r,
			    san_cause != NULL ? san_cause : "");
		if (r != 0) {
			assert_string_equal(unit_reason_of(san_cause), why);
			/* bind --sni and request --san say the same thing. */
			assert_string_equal(unit_reason_of(san_cause),
			    unit_reason_of(sni_cause));
		}
		free(san_cause);
		free(sni_cause);
		free(why);
	}
	config_free(cf);
}

/*
 * request_create() itself refuses a bad alternative name (it is not only
 * subject_check that knows), and an address in brackets is an IP SAN.
 */
static void
test_dns_request(void **state)
{
	struct privkey	*k = NULL;
	struct subject	 subj;
	struct cert	*c = NULL;
	struct endpoint	 want, have;
	const char	*sans[2], *san;
	char		*cause = NULL, *pem = NULL;
	size_t		 len, i;
	int		 is_ip, found = 0;

	if (privkey_generate(KEY_ECDSA_P256, &k, &cause) != 0)
		fail_msg("privkey_generate: %s", cause);
	memset(&subj, 0, sizeof subj);
	subj.cn = "www.example.com";
	subj.sans = sans;
	subj.nsans = 1;
	sans[0] = "_srv.example.test";
	assert_int_equal(request_create(k, &subj, &pem, &len, &cause), -1);
	assert_null(pem);
	assert_non_null(strstr(cause, "alternative name '_srv.example.test'"));
	assert_non_null(strstr(cause, "holds '_'"));
	free(cause);
	cause = NULL;
	sans[0] = "*.com";
	assert_int_equal(cert_selfsign(k, &subj, 1, &c, &cause), -1);
	assert_non_null(strstr(cause, "at least two labels"));
	free(cause);
	cause = NULL;

	sans[0] = "[2001:db8::1]";
	sans[1] = "*.example.com";
	subj.nsans = 2;
	if (cert_selfsign(k, &subj, 1, &c, &cause) != 0)
		fail_msg("cert_selfsign: %s", cause);
	unit_ep_of("[2001:db8::1]:1", &want);
	for (i = 0; i < cert_nsans(c); i++) {
		san = cert_san(c, i, &is_ip);
		if (!is_ip)
			continue;
		assert_int_equal(endpoint_parse_addr(san, &have, NULL), 0);
		assert_int_equal(have.family, AF_INET6);
		assert_memory_equal(have.addr, want.addr, 16);
		found = 1;
	}
	assert_true(found);
	cert_free(c);
	privkey_free(k);
}

/* ------------------------------------------------------------------ */
/* Key names. */

struct name_case {
	const char	*name;
	int		 valid;
	const char	*why;
};

static const struct name_case name_cases[] = {
	{ "www", 1, NULL },
	{ "a", 1, NULL },
	{ "9lives", 1, NULL },
	{ "A1.b_c-d", 1, NULL },
	{ "www.example.com", 1, NULL },
	{ "", 0, "cannot be empty" },
	{ ".hidden", 0, "starting with a letter or digit" },
	{ "-rf", 0, "starting with a letter or digit" },
	{ "_x", 0, "starting with a letter or digit" },
	{ "a/b", 0, "letters, digits" },
	{ "../x", 0, "letters, digits" },
	{ "a b", 0, "letters, digits" },
	{ "caf\xc3\xa9", 0, "letters, digits" },
	{ "a\nb", 0, "letters, digits" },
};

static void
check_key_name(const char *name, int valid, const char *why)
{
	struct config	*cf;
	char		*cause = NULL, *lcause = NULL, *text, *q, *errs;
	int		 r;

	r = config_key_name_check(name, &cause);
	if ((r == 0) != valid)
		fail_msg("config_key_name_check(%s) = %d", name, r);
	assert_int_equal(config_key_name_valid(name), valid);
	if (!valid && strstr(cause, why) == NULL)
		fail_msg("%s: cause '%s' lacks '%s'", name, cause, why);

	/* The lifecycle's name check is the same rule, word for word. */
	assert_int_equal(lifecycle_name_valid(name, &lcause) == 0, valid);
	if (!valid)
		assert_string_equal(lcause, cause);

	/* config_key_add and config_key_rename (of a key no case names). */
	cf = unit_load("keys = ( { name = \"zz-orig\"; key = \"z.key\"; } );\n");
	free(lcause);
	lcause = NULL;
	assert_int_equal(config_key_add(cf, name, "keys/x.key", NULL, NULL,
	    &lcause) == 0, valid);
	if (!valid)
		assert_string_equal(lcause, cause);
	free(lcause);
	lcause = NULL;
	if (valid)
		assert_int_equal(config_key_remove(cf, name, NULL), 0);
	assert_int_equal(config_key_rename(cf, "zz-orig", name, &lcause) == 0,
	    valid);
	if (!valid)
		assert_string_equal(lcause, cause);
	free(lcause);
	config_free(cf);

	/* The loader. */
	q = unit_lc_quote(name);
	text = xasprintf("keys = ( { name = \"%s\"; key = \"k.key\"; } );\n",
	    q);
	errs = unit_load_errors(text);
	if ((errs == NULL) != valid)
		fail_msg("loading key name '%s': %s", name,
		    errs != NULL ? errs : "accepted");
	/* An empty string is refused earlier, as an empty setting. */
	if (errs != NULL && *name != '\0' && strstr(errs, cause) == NULL)
		fail_msg("loading key name '%s': '%s' lacks '%s'", name, errs,
		    cause);
	free(errs);
	free(text);
	free(q);
	free(cause);
}

static void
test_key_names(void **state)
{
	char	*s;
	size_t	 i;

	for (i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++)
		check_key_name(name_cases[i].name, name_cases[i].valid,
		    name_cases[i].why);
	/* The one maximum, 64, from both sides. */
	assert_int_equal(CONFIG_KEY_NAME_MAX, 64);
	s = unit_repeat('k', 64);
	check_key_name(s, 1, NULL);
	free(s);
	s = unit_repeat('k', 65);
	check_key_name(s, 0, "at most 64");
	free(s);
}

/* Whatever text a name is made from, the name passes the rule. */
static void
test_key_name_from(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "www", "www" },
		{ "www.example.com", "www.example.com" },
		{ "", "imported" },
		{ "***", "imported" },
		{ "-a", "a" },
		{ "a b", "a-b" },
		{ "a  b", "a-b" },
		{ "x.", "x" },
		{ "_srv", "srv" },
	};
	char	*s, *long_text;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = lifecycle_name_from(cases[i].text);
		assert_string_equal(s, cases[i].want);
		assert_int_equal(config_key_name_check(s, NULL), 0);
		free(s);
	}
	long_text = unit_repeat('n', 100);
	s = lifecycle_name_from(long_text);
	assert_int_equal(strlen(s), CONFIG_KEY_NAME_MAX);
	assert_int_equal(config_key_name_check(s, NULL), 0);
	free(s);
	free(long_text);
}

/*
 * The key types are one table (keys/privkey.c): what people type, what
 * every list names, and what a renewal makes for a key like an old one.
 */
static void
test_key_types(void **state)
{
	static const struct {
		const char	*text;
		int		 type;
	} parse[] = {
		{ "ecdsa-p256", KEY_ECDSA_P256 },
		{ "ECDSA-P384", KEY_ECDSA_P384 },
		{ "ed25519", KEY_ED25519 },
		{ "rsa-2048", KEY_RSA_2048 },
		{ "rsa-3072", KEY_RSA_3072 },
		{ "rsa-4096", KEY_RSA_4096 },
		{ "ecdsa", KEY_ECDSA_P256 },
		{ "rsa", KEY_RSA_2048 },
		{ "rsa-1024", -1 },
		{ "dsa", -1 },
		{ "", -1 },
		{ NULL, -1 },
	};
	static const struct {
		int		 pk;
		unsigned	 bits;
		enum key_type	 want;
	} like[] = {
		{ GNUTLS_PK_RSA, 1024, KEY_RSA_2048 },	/* never weaker */
		{ GNUTLS_PK_RSA, 2048, KEY_RSA_2048 },
		{ GNUTLS_PK_RSA, 2049, KEY_RSA_3072 },
		{ GNUTLS_PK_RSA, 3072, KEY_RSA_3072 },
		{ GNUTLS_PK_RSA, 4096, KEY_RSA_4096 },
		{ GNUTLS_PK_RSA, 8192, KEY_RSA_4096 },
		{ GNUTLS_PK_ECDSA, 256, KEY_ECDSA_P256 },
		{ GNUTLS_PK_ECDSA, 384, KEY_ECDSA_P384 },
		{ GNUTLS_PK_ECDSA, 521, KEY_TYPE_DEFAULT },
		{ GNUTLS_PK_EDDSA_ED25519, 256, KEY_ED25519 },
		{ GNUTLS_PK_DSA, 2048, KEY_TYPE_DEFAULT },
	};
	const char	*expect[] = { "ecdsa-p256", "ecdsa-p384", "ed25519",
			    "rsa-2048", "rsa-3072", "rsa-4096" };
	char		*list, *want, *cause = NULL;
	size_t		 i;

	for (i = 0; i < sizeof parse / sizeof parse[0]; i++) {
		if (key_type_parse(parse[i].text) != parse[i].type)
			fail_msg("key_type_parse(\"%s\") is not %d",
			    parse[i].text != NULL ? parse[i].text : "(null)",
			    parse[i].type);
		if (parse[i].type != -1 &&
		    key_type_parse(key_type_name(parse[i].type)) !=
		    parse[i].type)
			fail_msg("%s does not read back", parse[i].text);
	}
	/* Every list is the table, in its order, the default first. */
	assert_int_equal(key_type_count(), sizeof expect / sizeof expect[0]);
	for (i = 0; i < key_type_count(); i++)
		assert_string_equal(key_type_nth(i), expect[i]);
	assert_null(key_type_nth(key_type_count()));
	assert_string_equal(key_type_nth(0), key_type_name(KEY_TYPE_DEFAULT));
	list = key_type_list();
	assert_string_equal(list, "ecdsa-p256, ecdsa-p384, ed25519, rsa-2048, "
	    "rsa-3072 or rsa-4096");
	for (i = 0; i < sizeof like / sizeof like[0]; i++) {
		if (key_type_like(like[i].pk, like[i].bits) != like[i].want)
			fail_msg("a key like pk %d, %u bits is not %s",
			    like[i].pk, like[i].bits,
			    key_type_name(like[i].want));
	}
	/* The command line's --key-type: the default, and what to use. */
	assert_int_equal(lifecycle_key_type(NULL, &cause), KEY_TYPE_DEFAULT);
	assert_int_equal(lifecycle_key_type("rsa-1024", &cause), -1);
	assert_non_null(cause);
	want = xasprintf("unknown key type 'rsa-1024': use %s", list);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	free(list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_rule),
		cmocka_unit_test(test_dns_lengths),
		cmocka_unit_test(test_dns_callers),
		cmocka_unit_test(test_dns_request),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_key_name_from),
		cmocka_unit_test(test_key_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
