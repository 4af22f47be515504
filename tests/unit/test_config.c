/*
 * The config model: load, the errors it reports (with their lines, all of
 * them), the canonical writer (serialize -> parse gives the same model),
 * the mutators, path resolution and the atomic save.
 *
 * Every fixture is written inline so that the line numbers the tests
 * expect can be counted in the source; the expected values come from the
 * fixture text (or from endpoint_parse on the same text), never from the
 * output under test.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "util/errlist.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

/* DESIGN.md's example, with comments, 29 lines. */
static const char good[] =
    "version = 1;\n"						/* 1 */
    "store = \"/etc/certbind\";            # relative paths\n"	/* 2 */
    "\n"
    "server = {\n"						/* 4 */
    "  listen = (\n"
    "    { endpoint = \"10.56.65.201:443\"; backend = \"127.0.0.1:8080\"; },\n"
    "    { endpoint = \"*:8443\";           backend = \"127.0.0.1:8081\"; }\n"
    "  );\n"
    "  user = \"certbind\";\n"
    "  handshake_timeout = 12;            # seconds\n"		/* 10 */
    "  max_connections = 10000;\n"
    "  workers = 0;                       # 0 = one per CPU\n"
    "};\n"
    "\n"
    "keys = (\n"						/* 15 */
    "  { name = \"www\";      key = \"keys/www.key\"; cert = \"certs/www.pem\"; },\n"
    "  { name = \"api\";      key = \"keys/api.key\"; cert = \"certs/api.pem\"; },\n"
    "  { name = \"new-2027\"; key = \"keys/new-2027.key\";\n"	/* 18 */
    "    request = \"requests/new-2027.csr\"; }\n"
    ");\n"
    "\n"
    "bindings = (\n"						/* 22 */
    "  { key = \"www\"; endpoint = \"10.56.65.200:443\"; },\n"
    "  { key = \"api\"; endpoint = \"*:8443\"; sni = \"api.example.com\"; },\n"
    "  { key = \"www\"; endpoint = \"*:*\"; }            # the default\n"
    ");\n";

static struct config *
parse_ok(const char *text)
{
	struct config	*cf = NULL;
	struct errlist	 errs = ERRLIST_INIT;
	size_t		 i;

	if (config_parse(text, strlen(text), "test.conf", &cf, &errs) != 0) {
		for (i = 0; i < errs.n; i++)
			print_error("%s\n", errs.v[i]);
		fail_msg("config_parse failed on:\n%s", text);
	}
	assert_int_equal(errs.n, 0);
	assert_non_null(cf);
	errlist_clear(&errs);
	return cf;
}

/* Parses text that must fail; the caller owns and clears errs. */
static void
parse_bad(const char *text, struct errlist *errs)
{
	struct config	*cf = (struct config *)1;

	assert_int_equal(config_parse(text, strlen(text), "test.conf", &cf,
	    errs), -1);
	assert_null(cf);
	assert_true(errs->n > 0);
}

static void
dump(const struct errlist *errs)
{
	size_t	 i;

	for (i = 0; i < errs->n; i++)
		print_message("#   %s\n", errs->v[i]);
}

/* Whether an error says "test.conf:LINE: ..." and contains want. */
static int
has_error(const struct errlist *errs, int line, const char *want)
{
	char	 prefix[64];
	size_t	 i;

	snprintf(prefix, sizeof prefix, "test.conf:%d: ", line);
	for (i = 0; i < errs->n; i++) {
		if (strncmp(errs->v[i], prefix, strlen(prefix)) == 0 &&
		    strstr(errs->v[i], want) != NULL)
			return 1;
	}
	return 0;
}

static void
ep(const char *text, struct endpoint *out)
{
	assert_int_equal(endpoint_parse(text, out, NULL), 0);
}

static void
assert_ep(const struct endpoint *got, const char *text)
{
	struct endpoint	 want;

	ep(text, &want);
	assert_int_equal(endpoint_cmp(got, &want), 0);
}

static int
streq_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Two models hold the same records, field by field. */
static void
assert_same_model(const struct config *a, const struct config *b)
{
	const struct config_server	*sa, *sb;
	size_t				 i;

	assert_true(streq_null(config_store(a), config_store(b)));
	sa = config_server(a);
	sb = config_server(b);
	assert_true((sa == NULL) == (sb == NULL));
	if (sa != NULL) {
		assert_true(streq_null(sa->user, sb->user));
		assert_true(streq_null(sa->group, sb->group));
		assert_true(streq_null(sa->priority, sb->priority));
		assert_true(streq_null(sa->trust, sb->trust));
		assert_int_equal(sa->handshake_timeout, sb->handshake_timeout);
		assert_int_equal(sa->idle_timeout, sb->idle_timeout);
		assert_int_equal(sa->shutdown_timeout, sb->shutdown_timeout);
		assert_int_equal(sa->max_connections, sb->max_connections);
		assert_int_equal(sa->workers, sb->workers);
		assert_int_equal(sa->tickets, sb->tickets);
	}
	assert_int_equal(config_nkeys(a), config_nkeys(b));
	for (i = 0; i < config_nkeys(a); i++) {
		assert_string_equal(config_key(a, i)->name,
		    config_key(b, i)->name);
		assert_string_equal(config_key(a, i)->key,
		    config_key(b, i)->key);
		assert_true(streq_null(config_key(a, i)->cert,
		    config_key(b, i)->cert));
		assert_true(streq_null(config_key(a, i)->request,
		    config_key(b, i)->request));
	}
	assert_int_equal(config_nbindings(a), config_nbindings(b));
	for (i = 0; i < config_nbindings(a); i++) {
		assert_string_equal(config_binding(a, i)->key,
		    config_binding(b, i)->key);
		assert_int_equal(endpoint_cmp(&config_binding(a, i)->ep,
		    &config_binding(b, i)->ep), 0);
		assert_true(streq_null(config_binding(a, i)->sni,
		    config_binding(b, i)->sni));
	}
	assert_int_equal(config_nlisteners(a), config_nlisteners(b));
	for (i = 0; i < config_nlisteners(a); i++) {
		assert_int_equal(endpoint_cmp(&config_listener(a, i)->ep,
		    &config_listener(b, i)->ep), 0);
		assert_int_equal(endpoint_cmp(&config_listener(a, i)->backend,
		    &config_listener(b, i)->backend), 0);
	}
}

static struct config *
roundtrip(const struct config *cf)
{
	struct config	*back;
	char		*text, *again;

	text = config_serialize(cf);
	assert_non_null(text);
	back = parse_ok(text);
	assert_same_model(cf, back);
	/* The writer is canonical: a second pass gives the same bytes. */
	again = config_serialize(back);
	assert_string_equal(text, again);
	free(text);
	free(again);
	return back;
}

static void
test_good(void **state)
{
	struct config			*cf, *back;
	const struct config_server	*sv;
	const struct config_key		*k;
	const struct config_binding	*b;
	char				*text;

	cf = parse_ok(good);
	assert_string_equal(config_store(cf), "/etc/certbind");
	assert_true(config_had_comments(cf));

	sv = config_server(cf);
	assert_non_null(sv);
	assert_string_equal(sv->user, "certbind");
	assert_null(sv->group);
	assert_int_equal(sv->handshake_timeout, 12);
	/* Absent: the documented defaults. */
	assert_int_equal(sv->idle_timeout, 300);
	assert_int_equal(sv->shutdown_timeout, 30);
	assert_int_equal(sv->max_connections, 10000);
	assert_int_equal(sv->workers, 0);
	assert_int_equal(sv->tickets, 1);

	assert_int_equal(config_nlisteners(cf), 2);
	assert_ep(&config_listener(cf, 0)->ep, "10.56.65.201:443");
	assert_ep(&config_listener(cf, 0)->backend, "127.0.0.1:8080");
	assert_ep(&config_listener(cf, 1)->ep, "*:8443");
	assert_int_equal(config_listener(cf, 1)->line, 7);

	assert_int_equal(config_nkeys(cf), 3);
	k = config_key(cf, 2);
	assert_string_equal(k->name, "new-2027");
	assert_string_equal(k->key, "keys/new-2027.key");
	assert_null(k->cert);
	assert_string_equal(k->request, "requests/new-2027.csr");
	assert_int_equal(k->line, 18);
	assert_ptr_equal(config_key_find(cf, "api"), config_key(cf, 1));
	assert_int_equal(config_key_index(cf, "www"), 0);
	assert_int_equal(config_key_index(cf, "nope"), -1);
	assert_null(config_key_find(cf, "WWW"));

	assert_int_equal(config_nbindings(cf), 3);
	b = config_binding(cf, 1);
	assert_string_equal(b->key, "api");
	assert_ep(&b->ep, "*:8443");
	assert_string_equal(b->sni, "api.example.com");
	assert_int_equal(b->line, 24);
	assert_null(config_binding(cf, 2)->sni);
	assert_null(config_binding(cf, 3));

	/* The canonical text starts with the header and has no other comment. */
	text = config_serialize(cf);
	assert_true(strncmp(text, "# Written by certbind ", 22) == 0);
	assert_non_null(strstr(text, "comments are not kept"));
	free(text);

	back = roundtrip(cf);
	config_free(back);
	config_free(cf);
}

static void
test_minimal(void **state)
{
	struct config	*cf, *back;
	char		*text;

	/* Only keys and bindings: valid, no server, no store. */
	cf = parse_ok("version = 1;\n"
	    "keys = ( { name = \"a\"; key = \"a.key\"; } );\n"
	    "bindings = ( { key = \"a\"; endpoint = \"*:*\"; } );\n");
	assert_null(config_server(cf));
	assert_null(config_store(cf));
	assert_false(config_had_comments(cf));
	text = config_serialize(cf);
	assert_null(strstr(text, "server"));
	free(text);
	back = roundtrip(cf);
	config_free(back);
	config_free(cf);

	/* Without version: read as version 1 (DESIGN.md). */
	cf = parse_ok("keys = ( { name = \"a\"; key = \"a.key\";"
	    " request = \"a.csr\"; } );\nbindings = ( );\n");
	assert_int_equal(config_nkeys(cf), 1);
	text = config_serialize(cf);
	assert_non_null(strstr(text, "\nversion = 1;\n"));
	free(text);
	config_free(cf);
	cf = parse_ok("");
	assert_int_equal(config_nkeys(cf), 0);
	config_free(cf);

	/* Empty lists, and no lists at all. */
	cf = parse_ok("version = 1;\nkeys = ();\nbindings = [];\n");
	assert_int_equal(config_nkeys(cf), 0);
	config_free(cf);
	cf = parse_ok("version = 1;");
	assert_int_equal(config_nbindings(cf), 0);
	back = roundtrip(cf);
	config_free(back);
	config_free(cf);

	/* A server section with nothing in it gets every default. */
	cf = parse_ok("version = 1;\nserver = { };\n");
	assert_non_null(config_server(cf));
	assert_int_equal(config_server(cf)->handshake_timeout, 10);
	assert_int_equal(config_server(cf)->idle_timeout, 300);
	assert_int_equal(config_server(cf)->shutdown_timeout, 30);
	assert_int_equal(config_server(cf)->max_connections, 10000);
	assert_int_equal(config_server(cf)->workers, 0);
	assert_int_equal(config_server(cf)->tickets, 1);
	back = roundtrip(cf);
	config_free(back);
	config_free(cf);
}

static void
test_comments(void **state)
{
	static const struct {
		const char	*text;
		int		 had;
	} t[] = {
		{ "version = 1; # x\n", 1 },
		{ "// x\nversion = 1;\n", 1 },
		{ "version = /* x */ 1;\n", 1 },
		{ "version = 1;\nstore = \"/a#b//c/*d*/\";\n", 0 },
		{ "version = 1;\nstore = \"/a\\\"#\";\n", 0 },
		{ "version = 1;\n", 0 },
	};
	struct config	*cf;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cf = parse_ok(t[i].text);
		if (config_had_comments(cf) != t[i].had)
			fail_msg("%s: had_comments %d, want %d", t[i].text,
			    config_had_comments(cf), t[i].had);
		config_free(cf);
	}
}

/* Strings that need escaping come back byte for byte. */
static void
test_string_escapes(void **state)
{
	static const char *paths[] = {
		"keys/quote\"d.key",
		"keys/back\\slash\\.key",
		"keys/new\nline\ttab\rcr\fff.key",
		"keys/ctl\x01\x02\x1b[31m\x7f.key",
		"keys/utf8-\xc3\xa9\xe2\x80\xae.key",
		"keys/#not-a-comment // /* */.key",
		"keys/\\x41 is not A.key",
	};
	struct config	*cf, *back;
	char		*text, name[16];
	size_t		 i;

	cf = config_new();
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		snprintf(name, sizeof name, "k%zu", i);
		assert_int_equal(config_key_add(cf, name, paths[i], paths[i],
		    NULL, NULL), 0);
	}
	config_set_store(cf, "/st\"ore\\");
	text = config_serialize(cf);
	back = parse_ok(text);
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		assert_string_equal(config_key(back, i)->key, paths[i]);
		assert_string_equal(config_key(back, i)->cert, paths[i]);
	}
	assert_string_equal(config_store(back), "/st\"ore\\");
	/* The writer's own strings are not mistaken for comments. */
	assert_false(config_had_comments(back));
	free(text);
	config_free(back);
	config_free(cf);
}

/* One error per fixture, at a line counted in the text. */
static void
test_error_lines(void **state)
{
	static const struct {
		const char	*text;
		int		 line;
		const char	*want;
	} t[] = {
		{ "version = 2;\n", 1, "version 2" },
		{ "version = \"1\";\n", 1, "version" },
		{ "version = 1L;\nversion = 0;\n", 2, "duplicate" },
		{ "version = 0x100000001;\n", 1, "version" },
		{ "version = 1;\n\nstore = 5;\n", 3, "store" },
		{ "version = 1;\nstore = \"\";\n", 2, "empty" },
		{ "version = 1;\nkeys = (\n  { key = \"k\"; }\n);\n", 3,
		    "no name" },
		{ "version = 1;\nkeys = (\n  { name = \"k\"; }\n);\n", 3,
		    "no private key" },
		{ "version = 1;\nkeys = (\n  { name = \"k\";\n"
		    "    key = 7; }\n);\n", 4, "key path must be a string" },
		{ "version = 1;\nkeys = (\n  { name = \"a b\"; key = \"k\"; }"
		    "\n);\n", 3, "bad key name 'a b'" },
		{ "version = 1;\nkeys = (\n  { name = \"a\"; key = \"k\"; },\n"
		    "  { name = \"b\"; key = \"k\"; },\n"
		    "  { name = \"a\"; key = \"k2\"; }\n);\n", 5,
		    "'a' is already defined on line 3" },
		{ "version = 1;\nkeys = ( 5 );\n", 2, "must be a group" },
		{ "version = 1;\nkeys = { };\n", 2, "must be a list" },
		{ "version = 1;\nbindings = (\n  { endpoint = \"*:*\"; }\n);\n",
		    3, "no key" },
		{ "version = 1;\nbindings = (\n  { key = \"a\"; }\n);\n", 3,
		    "no endpoint" },
		{ "version = 1;\nbindings = (\n  { key = \"a\";\n"
		    "    endpoint = \"10.0.0.300:443\"; }\n);\n", 4,
		    "'10.0.0.300:443'" },
		{ "version = 1;\nbindings = (\n  { key = \"a\";\n"
		    "    endpoint = \"*:443\";\n    sni = \"bad name\"; }\n);\n",
		    5, "bad sni 'bad name'" },
		{ "version = 1;\nserver = {\n  listen = (\n"
		    "    { endpoint = \"10.0.0.1:*\"; backend = \"127.0.0.1:1\"; }"
		    "\n  );\n};\n", 4, "port '*'" },
		{ "version = 1;\nserver = {\n  listen = (\n"
		    "    { endpoint = \"10.0.0.1:1\"; backend = \"*:80\"; }"
		    "\n  );\n};\n", 4, "backend *:80" },
		{ "version = 1;\nserver = {\n  listen = (\n"
		    "    { endpoint = \"10.0.0.1:1\"; }\n  );\n};\n", 4,
		    "no backend" },
		{ "version = 1;\nserver = {\n  listen = (\n"
		    "    { endpoint = \"[::1]:443\"; backend = \"127.0.0.1:1\"; },"
		    "\n    { endpoint = \"[0:0::1]:443\"; backend = "
		    "\"127.0.0.1:2\"; }\n  );\n};\n", 5,
		    "already a listener on [::1]:443, on line 4" },
		{ "version = 1;\nserver = {\n\n  workers = 1025;\n};\n", 4,
		    "workers = 1025 is out of range" },
		{ "version = 1;\nserver = {\n  idle_timeout = 0;\n};\n", 3,
		    "idle_timeout = 0" },
		{ "version = 1;\nserver = {\n  shutdown_timeout = 86401;\n};\n",
		    3, "shutdown_timeout = 86401" },
		{ "version = 1;\nserver = {\n  max_connections = 1.5;\n};\n", 3,
		    "max_connections must be a whole number" },
		{ "version = 1;\nserver = {\n  tickets = \"yes\";\n};\n", 3,
		    "tickets" },
		{ "version = 1;\nserver = 3;\n", 2, "server must be a group" },
		{ "version = 1;\nserver = {\n  user = \"\";\n};\n", 3,
		    "user must not be empty" },
		{ "version = 1;\nkeys = (\n", 3, "syntax error" },
		{ "version = 1;\nstore = \"a\" = 2;\n", 2, "syntax error" },
		{ "version = 1;\nversion = 1;\n", 2, "duplicate" },
	};
	struct errlist	 errs = ERRLIST_INIT;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		parse_bad(t[i].text, &errs);
		if (!has_error(&errs, t[i].line, t[i].want)) {
			dump(&errs);
			fail_msg("fixture %zu: no error on line %d with '%s':"
			    "\n%s", i, t[i].line, t[i].want, t[i].text);
		}
		errlist_clear(&errs);
	}
}

static void
test_unknown_settings(void **state)
{
	static const char text[] =
	    "version = 1;\n"
	    "colour = \"red\";\n"				/* 2 */
	    "server = {\n"
	    "  listen = (\n"
	    "    { endpoint = \"*:443\"; backend = \"127.0.0.1:1\";\n"
	    "      proto = \"h2\"; }\n"				/* 6 */
	    "  );\n"
	    "  worker = 4;\n"					/* 8 */
	    "};\n"
	    "keys = (\n"
	    "  { name = \"a\"; key = \"a.key\"; chain = \"c\"; }\n" /* 11 */
	    ");\n"
	    "bindings = (\n"
	    "  { key = \"a\"; endpoint = \"*:*\"; port = 443; }\n" /* 14 */
	    ");\n";
	struct errlist	 errs = ERRLIST_INIT;

	parse_bad(text, &errs);
	assert_true(has_error(&errs, 2, "'colour'"));
	assert_true(has_error(&errs, 6, "'proto'"));
	assert_true(has_error(&errs, 8, "'worker'"));
	assert_true(has_error(&errs, 11, "'chain'"));
	assert_true(has_error(&errs, 14, "'port'"));
	if (errs.n != 5) {
		dump(&errs);
		fail_msg("%zu errors, want 5", errs.n);
	}
	errlist_clear(&errs);
}

/* Every problem in one run, in the order of the file. */
static void
test_many_errors(void **state)
{
	static const char text[] =
	    "version = 1;\n"
	    "server = {\n"
	    "  max_connections = 0;\n"				/* 3 */
	    "  listen = (\n"
	    "    { endpoint = \"*:*\"; backend = \"127.0.0.1:1\"; }\n" /* 5 */
	    "  );\n"
	    "};\n"
	    "keys = (\n"
	    "  { name = \"a\"; key = \"\"; },\n"			/* 9 */
	    "  { name = \"-a\"; key = \"k\"; }\n"		/* 10 */
	    ");\n"
	    "bindings = (\n"
	    "  { key = \"a\"; endpoint = \"nowhere\"; },\n"	/* 13 */
	    "  { key = \"a\"; endpoint = \"*:1\"; sni = \"\"; }\n" /* 14 */
	    ");\n"
	    "extra = 1;\n";					/* 16 */
	static const int lines[] = { 3, 5, 9, 10, 13, 14, 16 };
	struct errlist	 errs = ERRLIST_INIT;
	char		 prefix[32];
	size_t		 i;

	parse_bad(text, &errs);
	if (errs.n != sizeof lines / sizeof lines[0]) {
		dump(&errs);
		fail_msg("%zu errors, want %zu", errs.n,
		    sizeof lines / sizeof lines[0]);
	}
	for (i = 0; i < errs.n; i++) {
		snprintf(prefix, sizeof prefix, "test.conf:%d: ", lines[i]);
		if (strncmp(errs.v[i], prefix, strlen(prefix)) != 0) {
			dump(&errs);
			fail_msg("error %zu does not start with %s", i,
			    prefix);
		}
	}
	errlist_clear(&errs);
}

/*
 * libconfig 1.5 stores 3000000000 as the int -1294967296, and 4294967306
 * as 10, a valid timeout: both must be refused from the digits.
 */
static void
test_wrapped_numbers(void **state)
{
	static const struct {
		const char	*setting;
		const char	*value;
	} t[] = {
		{ "max_connections", "3000000000" },
		{ "max_connections", "3000000000L" },
		{ "handshake_timeout", "4294967306" },
		{ "workers", "4294967296" },
		{ "workers", "-4294967296" },
		{ "idle_timeout", "0x10000000A" },
		{ "max_connections", "99999999999999999999" },
		{ "max_connections", "-3000000000" },
		{ "workers", "2147483648" },
	};
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*cf;
	char		 text[256], want[128];
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(text, sizeof text, "version = 1;\nserver = {\n"
		    "  %s = %s;\n};\n", t[i].setting, t[i].value);
		parse_bad(text, &errs);
		snprintf(want, sizeof want, "%s = ", t[i].setting);
		if (!has_error(&errs, 3, want) ||
		    !has_error(&errs, 3, "out of range")) {
			dump(&errs);
			fail_msg("%s = %s: not refused on line 3",
			    t[i].setting, t[i].value);
		}
		errlist_clear(&errs);
	}

	/* The boundaries themselves are fine, in both spellings. */
	cf = parse_ok("version = 1;\nserver = {\n"
	    "  max_connections = 10000000;\n  workers = 1024L;\n"
	    "  handshake_timeout = 86400;\n  idle_timeout = 1;\n};\n");
	assert_int_equal(config_server(cf)->max_connections, 10000000);
	assert_int_equal(config_server(cf)->workers, 1024);
	assert_int_equal(config_server(cf)->handshake_timeout, 86400);
	assert_int_equal(config_server(cf)->idle_timeout, 1);
	config_free(cf);

	/*
	 * libconfig gives a setting the line of its name: a literal on the
	 * next line must still be read as written, or 4294967296 wraps to a
	 * valid 0 workers and 4294967297 to version 1.
	 */
	parse_bad("version = 1;\nserver = {\n  workers =\n"
	    "    4294967296;\n};\n", &errs);
	if (errs.n != 1 || !has_error(&errs, 3, "workers = 4294967296")) {
		dump(&errs);
		fail_msg("workers on the next line: not refused on line 3");
	}
	errlist_clear(&errs);
	parse_bad("version\n  =\n 4294967297;\n", &errs);
	if (errs.n != 1 || !has_error(&errs, 1, "4294967297")) {
		dump(&errs);
		fail_msg("version on a later line: not refused on line 1");
	}
	errlist_clear(&errs);
}

static void
test_include(void **state)
{
	static const char text[] =
	    "version = 1;\n"
	    "@include \"/etc/passwd\"\n"			/* 2 */
	    "keys = ( { name = \"a\"; key = \"a.key\"; } );\n"
	    "  @include \"other.conf\"\n"			/* 4 */
	    "bindings = ( { key = \"a\"; endpoint = \"bad\"; } );\n"; /* 5 */
	struct errlist	 errs = ERRLIST_INIT;

	parse_bad(text, &errs);
	assert_true(has_error(&errs, 2, "@include"));
	assert_true(has_error(&errs, 4, "@include"));
	/* The rest of the file was still read and checked. */
	assert_true(has_error(&errs, 5, "'bad'"));
	if (errs.n != 3) {
		dump(&errs);
		fail_msg("%zu errors, want 3", errs.n);
	}
	errlist_clear(&errs);

	/* In a string or a comment it is only text. */
	errs.n = 0;
	config_free(parse_ok("version = 1;\n# @include \"x\"\n"
	    "store = \"@include\";\n"));
}

/*
 * Line 1 version, 2 "keys = (", then key i on line i + 3; with broken,
 * key 68000 has no key path and workers wraps past 32 bits.
 */
static char *
long_text(size_t n, int broken)
{
	char	*text, *p;
	size_t	 i;

	text = p = xmalloc(128 + n * 48);
	p += sprintf(p, "version = 1;\nkeys = (\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "  { name = \"k%zu\";%s },\n", i,
		    broken && i == 68000 ? "" : " key = \"k.key\";");
	p += sprintf(p, "  { name = \"last\"; key = \"k.key\"; }\n);\n"
	    "server = {\n  workers = %s;\n};\n", broken ? "4294967297" : "4");
	return text;
}

/* libconfig 1.5 keeps lines in 16 bits; the messages must not wrap. */
static void
test_long_file(void **state)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*cf = NULL;
	char		*text;
	size_t		 n = 70000;

	text = long_text(n, 1);
	parse_bad(text, &errs);
	free(text);
	/* The server settings follow the n + 1 keys and ");". */
	if (errs.n != 2 || !has_error(&errs, 68003, "no private key") ||
	    !has_error(&errs, (int)n + 6, "workers = 4294967297")) {
		dump(&errs);
		fail_msg("wrong errors for a %zu-line file", n + 7);
	}
	errlist_clear(&errs);

	/* Without the errors, the lines of the records are right too. */
	text = long_text(n, 0);
	if (config_parse(text, strlen(text), "test.conf", &cf, &errs) != 0) {
		dump(&errs);
		fail_msg("the long file does not load");
	}
	free(text);
	assert_int_equal(config_nkeys(cf), n + 1);
	assert_int_equal(config_key(cf, 69999)->line, 70002);
	assert_int_equal(config_key(cf, 1)->line, 4);
	assert_int_equal(config_server(cf)->workers, 4);
	config_free(cf);
}

static void
test_nul_byte(void **state)
{
	static const char text[] = "version = 1;\nstore = \"a\0b\";\n";
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*cf;

	assert_int_equal(config_parse(text, sizeof text - 1, "test.conf",
	    &cf, &errs), -1);
	assert_true(has_error(&errs, 2, "NUL"));
	errlist_clear(&errs);
}

static void
test_load_file(void **state)
{
	char		 dir[] = "/tmp/certbind-test-config.XXXXXX", *path;
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*cf;
	FILE		*f;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/c.conf", dir);
	assert_int_equal(config_load(path, &cf, &errs), -1);
	assert_null(cf);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.v[0], path));
	errlist_clear(&errs);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("version = 1;\nbogus = 1;\n", f);
	fclose(f);
	assert_int_equal(config_load(path, &cf, &errs), -1);
	assert_int_equal(errs.n, 1);
	/* Messages from a file name the file. */
	assert_true(strncmp(errs.v[0], path, strlen(path)) == 0);
	assert_int_equal(strncmp(errs.v[0] + strlen(path), ":2: ", 4), 0);
	errlist_clear(&errs);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs(good, f);
	fclose(f);
	assert_int_equal(config_load(path, &cf, &errs), 0);
	assert_string_equal(config_path(cf), path);
	assert_int_equal(config_nkeys(cf), 3);
	config_free(cf);

	unlink(path);
	rmdir(dir);
	free(path);
}

static void
test_resolve_path(void **state)
{
	struct config	*cf;
	char		*p, *cwd, *want;

	cf = config_new();
	config_set_path(cf, "/etc/certbind/certbind.conf");
	p = config_resolve_path(cf, "keys/a.key");
	assert_string_equal(p, "/etc/certbind/keys/a.key");
	free(p);
	p = config_resolve_path(cf, "/abs/a.key");
	assert_string_equal(p, "/abs/a.key");
	free(p);

	config_set_store(cf, "/srv/store");
	p = config_resolve_path(cf, "keys/a.key");
	assert_string_equal(p, "/srv/store/keys/a.key");
	free(p);

	/* A relative store is relative to the config file's directory. */
	config_set_store(cf, "store");
	p = config_resolve_path(cf, "certs/a.pem");
	assert_string_equal(p, "/etc/certbind/store/certs/a.pem");
	free(p);
	assert_string_equal(config_store(cf), "store");

	/* A relative config path is relative to the working directory. */
	config_set_store(cf, NULL);
	config_set_path(cf, "conf/c.conf");
	cwd = getcwd(NULL, 0);
	assert_non_null(cwd);
	want = xasprintf("%s/conf/keys/a.key", cwd);
	p = config_resolve_path(cf, "keys/a.key");
	assert_string_equal(p, want);
	free(p);
	free(want);

	/*
	 * "." segments and doubled slashes are dropped, so that a config
	 * named ./certbind.conf gives the same paths as a listing of the
	 * store; ".." is kept.
	 */
	config_set_path(cf, "./certbind.conf");
	want = xasprintf("%s/keys/a.key", strcmp(cwd, "/") == 0 ? "" : cwd);
	p = config_resolve_path(cf, "keys//./a.key");
	assert_string_equal(p, want);
	free(p);
	free(want);
	p = config_resolve_path(cf, "/etc//certbind/./../x/");
	assert_string_equal(p, "/etc/certbind/../x");
	free(p);
	config_set_path(cf, "/etc/certbind/certbind.conf");
	config_set_store(cf, "./store/.");
	p = config_resolve_path(cf, "./certs/a.pem");
	assert_string_equal(p, "/etc/certbind/store/certs/a.pem");
	free(p);
	free(cwd);
	config_free(cf);
}

static void
test_key_mutators(void **state)
{
	struct config	*cf;
	char		*cause = NULL;
	struct endpoint	 e;

	cf = parse_ok(good);
	assert_int_equal(config_key_add(cf, "www", "k", NULL, NULL, &cause),
	    -1);
	assert_non_null(strstr(cause, "www"));
	free(cause);
	cause = NULL;
	assert_int_equal(config_key_add(cf, "bad name", "k", NULL, NULL,
	    &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_key_add(cf, "n", "", NULL, NULL, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_nkeys(cf), 3);

	assert_int_equal(config_key_add(cf, "mail", "keys/mail.key", NULL,
	    "requests/mail.csr", NULL), 0);
	assert_int_equal(config_nkeys(cf), 4);
	assert_null(config_key_find(cf, "mail")->cert);

	/* The CA's answer: the request goes, the certificate comes. */
	assert_int_equal(config_key_set(cf, "mail", NULL, "certs/mail.pem",
	    NULL, NULL), 0);
	assert_string_equal(config_key_find(cf, "mail")->key, "keys/mail.key");
	assert_string_equal(config_key_find(cf, "mail")->cert,
	    "certs/mail.pem");
	assert_null(config_key_find(cf, "mail")->request);
	assert_int_equal(config_key_set(cf, "nope", NULL, NULL, NULL, &cause),
	    -1);
	free(cause);
	cause = NULL;

	/* Renaming carries the bindings along. */
	assert_int_equal(config_key_rename(cf, "www", "api", &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_key_rename(cf, "www", "site", NULL), 0);
	assert_null(config_key_find(cf, "www"));
	assert_string_equal(config_binding(cf, 0)->key, "site");
	assert_string_equal(config_binding(cf, 2)->key, "site");
	assert_string_equal(config_binding(cf, 1)->key, "api");

	/* Removing a key leaves its bindings for check to report. */
	assert_int_equal(config_key_remove(cf, "api", NULL), 0);
	assert_int_equal(config_key_index(cf, "api"), -1);
	assert_int_equal(config_nkeys(cf), 3);
	assert_int_equal(config_nbindings(cf), 3);
	assert_int_equal(config_key_remove(cf, "api", &cause), -1);
	free(cause);

	/* Binding a key that does not exist is refused. */
	ep("*:443", &e);
	cause = NULL;
	assert_int_equal(config_bind(cf, "api", &e, NULL, &cause), -1);
	assert_non_null(cause);
	free(cause);
	config_free(roundtrip(cf));
	config_free(cf);
}

static void
test_bind_unbind(void **state)
{
	struct config	*cf;
	struct endpoint	 a, b;
	char		*cause = NULL;

	cf = parse_ok(good);
	ep("10.56.65.200:443", &a);
	ep("*:8443", &b);

	/* The same binding twice is refused; sni compares without case. */
	assert_int_equal(config_bind(cf, "www", &a, NULL, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_bind(cf, "api", &b, "API.example.com",
	    &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_bind(cf, "api", &b, "bad sni!", &cause), -1);
	free(cause);
	cause = NULL;

	/* Another key on the same endpoint is allowed: check's conflict. */
	assert_int_equal(config_bind(cf, "api", &a, NULL, NULL), 0);
	assert_int_equal(config_nbindings(cf), 4);
	assert_string_equal(config_binding(cf, 3)->key, "api");
	assert_int_equal(config_bind(cf, "www", &b, "*.example.com", NULL), 0);
	assert_string_equal(config_binding(cf, 4)->sni, "*.example.com");

	/* sni NULL matches only the binding without sni. */
	assert_int_equal(config_unbind(cf, "api", &b, NULL, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_nbindings(cf), 5);
	assert_int_equal(config_unbind(cf, "api", &b, "api.EXAMPLE.com",
	    NULL), 0);
	assert_int_equal(config_nbindings(cf), 4);
	assert_string_equal(config_binding(cf, 1)->key, "www");
	assert_ep(&config_binding(cf, 1)->ep, "*:*");

	/* Edit: to a duplicate of the same key's binding is refused. */
	assert_int_equal(config_binding_edit(cf, 0, &config_binding(cf,
	    1)->ep, NULL, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_binding_edit(cf, 0, &b, "www.example.com",
	    NULL), 0);
	assert_ep(&config_binding(cf, 0)->ep, "*:8443");
	assert_string_equal(config_binding(cf, 0)->sni, "www.example.com");
	assert_int_equal(config_binding_edit(cf, 0, &b, NULL, NULL), 0);
	assert_null(config_binding(cf, 0)->sni);
	assert_int_equal(config_binding_edit(cf, 99, &b, NULL, &cause), -1);
	free(cause);

	config_free(roundtrip(cf));
	config_free(cf);
}

static void
test_listen(void **state)
{
	struct config	*cf;
	struct endpoint	 l, be, any;
	char		*cause = NULL;

	cf = parse_ok("version = 1;\n");
	assert_null(config_server(cf));
	ep("127.0.0.2:8443", &l);
	ep("127.0.0.1:8080", &be);
	ep("*:*", &any);
	assert_int_equal(config_listen(cf, &any, &be, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_listen(cf, &l, &any, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_listen(cf, &l, &be, NULL), 0);
	/* Listening makes a server section, with the defaults. */
	assert_non_null(config_server(cf));
	assert_int_equal(config_server(cf)->max_connections, 10000);
	assert_int_equal(config_listener_find(cf, &l), 0);
	assert_int_equal(config_listen(cf, &l, &be, &cause), -1);
	free(cause);
	cause = NULL;
	config_free(roundtrip(cf));
	assert_int_equal(config_unlisten(cf, &l, NULL), 0);
	assert_int_equal(config_nlisteners(cf), 0);
	assert_int_equal(config_unlisten(cf, &l, &cause), -1);
	free(cause);

	/* Editing the server section directly. */
	config_server_edit(cf)->workers = 7;
	config_server_edit(cf)->user = xstrdup("nobody");
	config_server_edit(cf)->tickets = 0;
	config_free(roundtrip(cf));
	config_free(cf);
}

/* The seed's situation: a site moved from .2 to .3. */
static void
test_move(void **state)
{
	static const char text[] =
	    "version = 1;\n"
	    "server = { listen = (\n"
	    "  { endpoint = \"127.0.0.2:8443\"; backend = \"127.0.0.1:1\"; },\n"
	    "  { endpoint = \"127.0.0.4:8443\"; backend = \"127.0.0.1:2\"; }\n"
	    "); };\n"
	    "keys = ( { name = \"a\"; key = \"a.key\"; },\n"
	    "  { name = \"b\"; key = \"b.key\"; } );\n"
	    "bindings = (\n"
	    "  { key = \"a\"; endpoint = \"127.0.0.2:8443\"; },\n"
	    "  { key = \"b\"; endpoint = \"127.0.0.2:8443\"; sni = \"b.test\"; },\n"
	    "  { key = \"b\"; endpoint = \"*:*\"; },\n"
	    "  { key = \"b\"; endpoint = \"127.0.0.4:8443\"; }\n"
	    ");\n";
	struct config	*cf, *before;
	struct errlist	 changes = ERRLIST_INIT;
	struct endpoint	 two, three, four, nine;
	char		*cause = NULL, *t0, *t1;

	cf = parse_ok(text);
	ep("127.0.0.2:8443", &two);
	ep("127.0.0.3:8443", &three);
	ep("127.0.0.4:8443", &four);
	ep("127.0.0.9:9", &nine);

	/* Refused moves change nothing. */
	before = config_dup(cf);
	t0 = config_serialize(before);
	assert_int_equal(config_move(cf, &nine, &three, &changes, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(config_move(cf, &two, &four, &changes, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(changes.n, 0);
	t1 = config_serialize(cf);
	assert_string_equal(t0, t1);
	free(t1);

	assert_int_equal(config_move(cf, &two, &three, &changes, NULL), 3);
	assert_int_equal(changes.n, 3);
	assert_string_equal(changes.v[0],
	    "listener 127.0.0.2:8443 -> 127.0.0.3:8443");
	assert_non_null(strstr(changes.v[1], "127.0.0.2:8443 -> "
	    "127.0.0.3:8443"));
	assert_ep(&config_listener(cf, 0)->ep, "127.0.0.3:8443");
	assert_ep(&config_binding(cf, 0)->ep, "127.0.0.3:8443");
	assert_ep(&config_binding(cf, 1)->ep, "127.0.0.3:8443");
	assert_string_equal(config_binding(cf, 1)->sni, "b.test");
	assert_ep(&config_binding(cf, 2)->ep, "*:*");
	assert_ep(&config_binding(cf, 3)->ep, "127.0.0.4:8443");
	assert_int_equal(config_listener_find(cf, &two), -1);

	/* A binding alone moves too (the listener was moved by hand). */
	errlist_clear(&changes);
	assert_int_equal(config_move(cf, &four, &two, &changes, NULL), 2);

	/* The dup kept the old state. */
	t1 = config_serialize(before);
	assert_string_equal(t0, t1);
	free(t0);
	free(t1);
	errlist_clear(&changes);
	config_free(before);
	config_free(cf);
}

static void
test_dup(void **state)
{
	struct config	*cf, *d;

	cf = parse_ok(good);
	config_set_path(cf, "/x/y.conf");
	d = config_dup(cf);
	assert_same_model(cf, d);
	assert_string_equal(config_path(d), "/x/y.conf");
	assert_int_equal(config_had_comments(d), 1);
	assert_int_equal(config_key_rename(d, "www", "w2", NULL), 0);
	assert_int_equal(config_key_remove(d, "api", NULL), 0);
	config_server_edit(d)->workers = 3;
	assert_non_null(config_key_find(cf, "www"));
	assert_non_null(config_key_find(cf, "api"));
	assert_string_equal(config_binding(cf, 0)->key, "www");
	assert_int_equal(config_server(cf)->workers, 0);
	config_free(d);
	config_free(cf);
}

/* The index behind config_key_index, against a plain scan of the keys. */
static void
assert_index(const struct config *cf)
{
	size_t	 i;
	char	 absent[32];

	for (i = 0; i < config_nkeys(cf); i++) {
		if (config_key_index(cf, config_key(cf, i)->name) !=
		    (ssize_t)i)
			fail_msg("key %zu '%s' is found at %zd", i,
			    config_key(cf, i)->name,
			    config_key_index(cf, config_key(cf, i)->name));
		assert_ptr_equal(config_key_find(cf, config_key(cf, i)->name),
		    config_key(cf, i));
	}
	for (i = 0; i < 20; i++) {
		snprintf(absent, sizeof absent, "absent%zu", i);
		assert_int_equal(config_key_index(cf, absent), -1);
	}
}

static void
test_key_index(void **state)
{
	struct config	*cf, *d;
	char		 name[32], to[32];
	size_t		 i, n;
	unsigned int	 seed = 12345;

	cf = config_new();
	for (i = 0; i < 3000; i++) {
		n = (size_t)rand_r(&seed) % 500;
		snprintf(name, sizeof name, "k%zu", n);
		switch (rand_r(&seed) % 4) {
		case 0:
		case 1:
			/* Fails when it exists: the index must not change. */
			(void)config_key_add(cf, name, "k.key", NULL, NULL,
			    NULL);
			break;
		case 2:
			(void)config_key_remove(cf, name, NULL);
			break;
		case 3:
			snprintf(to, sizeof to, "r%u", rand_r(&seed) % 500);
			(void)config_key_rename(cf, name, to, NULL);
			break;
		}
		if (i % 100 == 0)
			assert_index(cf);
	}
	assert_true(config_nkeys(cf) > 50);
	assert_index(cf);
	d = config_dup(cf);
	assert_index(d);
	config_free(d);
	/* And after a load, from the text. */
	d = roundtrip(cf);
	assert_index(d);
	config_free(d);
	config_free(cf);
}

/* Mutators given pointers into the records they change. */
static void
test_aliasing(void **state)
{
	struct config	*cf;
	struct endpoint	 be, to;
	char		 name[16];
	size_t		 i;

	cf = parse_ok(good);
	/* Binding again what binding 0 has, many times: the array moves. */
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "n%zu", i);
		assert_int_equal(config_key_add(cf, name, "k", NULL, NULL,
		    NULL), 0);
		assert_int_equal(config_bind(cf, name, &config_binding(cf,
		    0)->ep, config_binding(cf, 1)->sni, NULL), 0);
	}
	for (i = 3; i < config_nbindings(cf); i++) {
		assert_ep(&config_binding(cf, i)->ep, "10.56.65.200:443");
		assert_string_equal(config_binding(cf, i)->sni,
		    "api.example.com");
	}
	/* Renaming a key by its own name string. */
	assert_int_equal(config_key_rename(cf, config_key(cf, 0)->name,
	    "site", NULL), 0);
	assert_string_equal(config_binding(cf, 0)->key, "site");
	assert_int_equal(config_key_set(cf, "site", config_key(cf, 0)->key,
	    config_key(cf, 0)->cert, config_key(cf, 0)->request, NULL), 0);
	assert_string_equal(config_key(cf, 0)->cert, "certs/www.pem");

	/*
	 * Moving the listener by a pointer to its own endpoint: the binding
	 * on that endpoint must follow although the pointer now reads the
	 * new endpoint.
	 */
	ep("10.56.65.202:443", &to);
	assert_int_equal(config_bind(cf, "api", &config_listener(cf, 0)->ep,
	    NULL, NULL), 0);
	assert_int_equal(config_move(cf, &config_listener(cf, 0)->ep, &to,
	    NULL, NULL), 2);
	assert_ep(&config_listener(cf, 0)->ep, "10.56.65.202:443");
	assert_ep(&config_binding(cf, config_nbindings(cf) - 1)->ep,
	    "10.56.65.202:443");
	/* The bindings on .200 were not on the listener's old endpoint. */
	assert_ep(&config_binding(cf, 0)->ep, "10.56.65.200:443");
	/* Moving the bindings by a pointer to the first of them. */
	ep("10.56.65.203:443", &to);
	assert_int_equal(config_move(cf, &config_binding(cf, 0)->ep, &to,
	    NULL, NULL), 41);
	assert_ep(&config_binding(cf, 0)->ep, "10.56.65.203:443");
	assert_ep(&config_binding(cf, 3)->ep, "10.56.65.203:443");

	/* A listener whose backend is another listener's. */
	ep("127.0.0.5:1", &be);
	for (i = 0; i < 20; i++) {
		be.port = (uint16_t)(1000 + i);
		assert_int_equal(config_listen(cf, &be,
		    &config_listener(cf, 0)->backend, NULL), 0);
	}
	assert_ep(&config_listener(cf, 21)->backend, "127.0.0.1:8080");
	config_free(roundtrip(cf));
	config_free(cf);
}

/* Names of the entries of dir, other than . and .., sorted, joined. */
static char *
listing(const char *dir)
{
	struct dirent	**v;
	char		 *s = xstrdup(""), *t;
	int		  n, i;

	n = scandir(dir, &v, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") != 0 &&
		    strcmp(v[i]->d_name, "..") != 0) {
			t = xasprintf("%s%s ", s, v[i]->d_name);
			free(s);
			s = t;
		}
		free(v[i]);
	}
	free(v);
	return s;
}

static char *
slurp(const char *path, size_t *len)
{
	char	*data = NULL, *cause = NULL;

	if (fileio_read(path, 1 << 20, 0, &data, len, NULL, &cause) != 0)
		fail_msg("%s", cause);
	return data;
}

static void
test_save(void **state)
{
	static const char *steps[] = { "write", "fsync", "rename" };
	static const mode_t masks[] = { 0, 077, 022 };
	char		 dir[] = "/tmp/certbind-test-save.XXXXXX";
	char		*path, *bak, *cause = NULL, *orig, *now, *ls, *text;
	char		*want, *t;
	unsigned	 gens, g;
	struct config	*cf, *back;
	struct errlist	 errs = ERRLIST_INIT;
	struct stat	 st;
	struct endpoint	 e;
	size_t		 olen, nlen, i;
	mode_t		 old;
	FILE		*f;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/certbind.conf", dir);
	bak = xasprintf("%s/certbind.conf.bak", dir);

	/* A hand-written file, comments and all. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(good, f);
	fclose(f);
	assert_int_equal(config_load(path, &cf, &errs), 0);
	ep("127.0.0.9:443", &e);
	assert_int_equal(config_bind(cf, "api", &e, NULL, NULL), 0);

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		fileio_inject_fault(steps[i], ENOSPC);
		cause = NULL;
		assert_int_equal(config_save(cf, path, &cause), -1);
		assert_non_null(cause);
		assert_non_null(strstr(cause, strerror(ENOSPC)));
		free(cause);
		now = slurp(path, &nlen);
		assert_int_equal(nlen, strlen(good));
		assert_memory_equal(now, good, nlen);
		free(now);
		/* No temporary file left behind. */
		ls = listing(dir);
		if (strcmp(ls, "certbind.conf ") != 0 &&
		    strcmp(ls, "certbind.conf certbind.conf.bak ") != 0)
			fail_msg("after a failed %s: %s", steps[i], ls);
		free(ls);
	}

	ls = listing(dir);
	gens = strstr(ls, "certbind.conf.bak ") != NULL;
	free(ls);
	for (i = 0; i < sizeof masks / sizeof masks[0]; i++) {
		orig = slurp(path, &olen);
		old = umask(masks[i]);
		assert_int_equal(config_save(cf, path, &cause), 0);
		umask(old);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0640);
		/* The backup holds what was there before. */
		now = slurp(bak, &nlen);
		assert_int_equal(nlen, olen);
		assert_memory_equal(now, orig, olen);
		free(now);
		free(orig);
		/*
		 * Nothing but the file and its backups, one generation more
		 * each save, up to CONFIG_BACKUPS: no temporary file left.
		 */
		if (gens < CONFIG_BACKUPS)
			gens++;
		want = xstrdup("certbind.conf certbind.conf.bak ");
		for (g = 2; g <= gens; g++) {
			t = xasprintf("%scertbind.conf.bak.%u ", want, g);
			free(want);
			want = t;
		}
		ls = listing(dir);
		assert_string_equal(ls, want);
		free(ls);
		free(want);
	}

	/* What was saved loads back to the same model. */
	assert_int_equal(config_load(path, &back, &errs), 0);
	assert_same_model(cf, back);
	assert_false(config_had_comments(back));
	text = config_serialize(cf);
	now = slurp(path, &nlen);
	assert_string_equal(now, text);
	free(now);
	free(text);
	config_free(back);
	config_free(cf);

	unlink(path);
	unlink(bak);
	for (g = 2; g <= CONFIG_BACKUPS; g++) {
		t = xasprintf("%s.%u", bak, g);
		unlink(t);
		free(t);
	}
	assert_int_equal(rmdir(dir), 0);
	free(path);
	free(bak);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_error_lines),
		cmocka_unit_test(test_unknown_settings),
		cmocka_unit_test(test_many_errors),
		cmocka_unit_test(test_wrapped_numbers),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_file),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_resolve_path),
		cmocka_unit_test(test_key_mutators),
		cmocka_unit_test(test_bind_unbind),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_dup),
		cmocka_unit_test(test_key_index),
		cmocka_unit_test(test_aliasing),
		cmocka_unit_test(test_save),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
