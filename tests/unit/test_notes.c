/*
 * Notes on keys, bindings and listeners (issue 14): the rule
 * (config_note_check), the loader (each note in its place, a bad one
 * refused with file:line and escaped), serialize -> parse, config_dup,
 * the note setters, and the edits that must keep a note: config_move,
 * config_key_rename, config_key_set, config_listener_set and
 * config_binding_set.
 */

#include <sys/types.h>

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

static const char noted[] =
    "version = 1;\n"						/* 1 */
    "server = {\n"						/* 2 */
    "  listen = (\n"						/* 3 */
    "    { endpoint = \"127.0.0.2:8443\"; backend = \"127.0.0.1:8080\";\n"
    "      note = \"the old web server\"; }\n"			/* 5 */
    "  );\n"							/* 6 */
    "};\n"							/* 7 */
    "keys = (\n"						/* 8 */
    "  { name = \"www\"; key = \"keys/www.key\"; cert = \"c.pem\";\n"
    "    note = \"renewed by hand: \\\"4711\\\" \\\\ caf\xc3\xa9\"; },\n"
    "  { name = \"spare\"; key = \"keys/spare.key\"; note = \"\"; }\n"
    ");\n"							/* 12 */
    "bindings = (\n"						/* 13 */
    "  { key = \"www\"; endpoint = \"127.0.0.2:8443\"; "
    "note = \"moved from 10.56.65.200 on 2026-11-20, ticket 4711\"; }\n"
    ");\n";

#define KEY_NOTE	"renewed by hand: \"4711\" \\ caf\xc3\xa9"
#define BIND_NOTE	"moved from 10.56.65.200 on 2026-11-20, ticket 4711"
#define LISTEN_NOTE	"the old web server"

static void
note_ok(const char *s)
{
	char	*cause = NULL;

	if (config_note_check(s, &cause) != 0)
		fail_msg("'%s' refused: %s", s, cause);
}

static void
note_bad(const char *s, const char *why)
{
	char	*cause = NULL;

	if (config_note_check(s, &cause) == 0)
		fail_msg("'%s' accepted", s);
	assert_non_null(cause);
	if (strstr(cause, why) == NULL)
		fail_msg("cause '%s' does not say '%s'", cause, why);
	free(cause);
}

static void
test_rule(void **state)
{
	char	*s;
	(void)state;

	note_ok("");
	note_ok(BIND_NOTE);
	note_ok(KEY_NOTE);
	note_ok("a\\nb");		/* a backslash, not a newline */
	s = unit_repeat('a', CONFIG_NOTE_MAX);
	note_ok(s);
	free(s);
	s = unit_repeat('a', CONFIG_NOTE_MAX + 1);
	note_bad(s, "at most 256 bytes");
	free(s);
	note_bad("a\033[2Jb", "a\\x1B[2Jb");
	note_bad("two\nlines", "control character");
	note_bad("tab\there", "control character");
	note_bad("del\x7f", "control character");
	note_bad("c1\xc2\x85", "control character");
	note_bad("evil\xe2\x80\xaetxt.exe", "evil\\u{202E}txt.exe");
	note_bad("lri\xe2\x81\xa6", "bidi");
	note_bad("bad\xff utf8", "not UTF-8");
}

static void
test_load(void **state)
{
	struct config			*cf = unit_load(noted);
	const struct config_key		*k;
	const struct config_binding	*b;
	const struct config_listener	*l;
	(void)state;

	k = config_key_find(cf, "www");
	assert_non_null(k);
	assert_non_null(k->note);
	assert_string_equal(k->note, KEY_NOTE);
	k = config_key_find(cf, "spare");
	assert_non_null(k);
	assert_null(k->note);		/* "" is no note */
	b = config_binding(cf, 0);
	assert_non_null(b->note);
	assert_string_equal(b->note, BIND_NOTE);
	l = config_listener(cf, 0);
	assert_non_null(l->note);
	assert_string_equal(l->note, LISTEN_NOTE);
	config_free(cf);
}

static void
errors_have(const char *text, const char *want)
{
	char	*errs = unit_load_errors(text);

	if (errs == NULL)
		fail_msg("loaded, want an error '%s'", want);
	if (strstr(errs, want) == NULL)
		fail_msg("errors '%s' do not say '%s'", errs, want);
	if (strchr(errs, '\033') != NULL || strstr(errs, "\xe2\x80\xae"))
		fail_msg("raw control in '%s'", errs);
	free(errs);
}

static void
test_load_bad(void **state)
{
	(void)state;
	errors_have("version = 1;\n"
	    "keys = ( { name = \"www\"; key = \"k\";\n"
	    "  note = \"evil\xe2\x80\xaetxt \\x1b[2J\"; } );\n",
	    "test.conf:3: note \"evil\\u{202E}txt \\x1B[2J\"");
	errors_have("version = 1;\n"
	    "keys = ( { name = \"www\"; key = \"k\"; } );\n"
	    "bindings = ( { key = \"www\"; endpoint = \"*:443\";\n"
	    "  note = 4711; } );\n",
	    "test.conf:4: note must be a string");
	errors_have("version = 1;\n"
	    "server = { listen = ( { endpoint = \"*:443\";\n"
	    "  backend = \"127.0.0.1:80\";\n"
	    "  note = \"a\\nb\"; } ); };\n",
	    "test.conf:4: note \"a\\x0A");
	/* The unknown-setting lists name note. */
	errors_have("version = 1;\n"
	    "keys = ( { name = \"www\"; key = \"k\"; notes = \"x\"; } );\n",
	    "request, acme, note)");
	errors_have("version = 1;\n"
	    "keys = ( { name = \"www\"; key = \"k\"; } );\n"
	    "bindings = ( { key = \"www\"; endpoint = \"*:443\"; "
	    "nota = \"x\"; } );\n", "client_auth, note)");
	errors_have("version = 1;\n"
	    "server = { listen = ( { endpoint = \"*:443\"; "
	    "backend = \"127.0.0.1:80\"; nota = 1; } ); };\n",
	    "accept_proxy, note)");
}

static void
notes_are(const struct config *cf)
{
	assert_string_equal(config_key_find(cf, "www")->note, KEY_NOTE);
	assert_null(config_key_find(cf, "spare")->note);
	assert_string_equal(config_binding(cf, 0)->note, BIND_NOTE);
	assert_string_equal(config_listener(cf, 0)->note, LISTEN_NOTE);
}

static void
test_round_trip(void **state)
{
	struct config	*cf = unit_load(noted), *back, *dup;
	char		*text, *again;
	(void)state;

	text = config_serialize(cf);
	back = unit_load(text);
	notes_are(back);
	again = config_serialize(back);
	assert_string_equal(text, again);
	assert_null(strstr(text, "note = \"\""));

	dup = config_dup(cf);
	notes_are(dup);
	/* A deep copy: freeing the original leaves the copy's notes. */
	assert_ptr_not_equal(config_binding(dup, 0)->note,
	    config_binding(cf, 0)->note);
	config_free(cf);
	notes_are(dup);
	config_free(dup);
	config_free(back);
	free(text);
	free(again);
}

static void
test_setters(void **state)
{
	struct config	*cf = unit_load(noted);
	struct endpoint	 ep, other;
	char		*cause = NULL;
	(void)state;

	unit_ep_of("127.0.0.2:8443", &ep);
	unit_ep_of("127.0.0.9:8443", &other);
	assert_int_equal(config_key_note(cf, "spare", "new", &cause), 0);
	assert_string_equal(config_key_find(cf, "spare")->note, "new");
	assert_int_equal(config_key_note(cf, "spare", "", &cause), 0);
	assert_null(config_key_find(cf, "spare")->note);
	assert_int_equal(config_key_note(cf, "spare", "x", &cause), 0);
	assert_int_equal(config_key_note(cf, "spare", NULL, &cause), 0);
	assert_null(config_key_find(cf, "spare")->note);
	assert_int_equal(config_key_note(cf, "nosuch", "x", &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_key_note(cf, "www", "a\033b", &cause), -1);
	free(cause);
	cause = NULL;
	assert_string_equal(config_key_find(cf, "www")->note, KEY_NOTE);

	assert_int_equal(config_binding_note(cf, 0, "b2", &cause), 0);
	assert_string_equal(config_binding(cf, 0)->note, "b2");
	assert_int_equal(config_binding_note(cf, 5, "x", &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(config_listener_note(cf, &ep, "l2", &cause), 0);
	assert_string_equal(config_listener(cf, 0)->note, "l2");
	assert_int_equal(config_listener_note(cf, &other, "x", &cause), -1);
	free(cause);
	config_free(cf);
}

static void
test_kept(void **state)
{
	struct config		*cf = unit_load(noted);
	struct config_listener	 lo;
	struct config_binding	 bo;
	struct endpoint		 ep, to;
	char			*cause = NULL;
	(void)state;

	unit_ep_of("127.0.0.2:8443", &ep);
	unit_ep_of("127.0.0.3:8443", &to);

	/* The option setters take options, not the note. */
	lo = *config_listener(cf, 0);
	lo.note = NULL;
	lo.proxy_protocol = 2;
	assert_int_equal(config_listener_set(cf, &ep, &lo, &cause), 0);
	assert_int_equal(config_listener(cf, 0)->proxy_protocol, 2);
	assert_string_equal(config_listener(cf, 0)->note, LISTEN_NOTE);
	memset(&bo, 0, sizeof bo);
	bo.has_backend = 1;
	unit_ep_of("127.0.0.1:9090", &bo.backend);
	assert_int_equal(config_binding_set(cf, 0, &bo, &cause), 0);
	assert_int_equal(config_binding(cf, 0)->has_backend, 1);
	assert_string_equal(config_binding(cf, 0)->note, BIND_NOTE);

	/* A move, a rename, a renewal's install. */
	assert_int_equal(config_move(cf, &ep, &to, NULL, &cause), 2);
	assert_string_equal(config_listener(cf, 0)->note, LISTEN_NOTE);
	assert_string_equal(config_binding(cf, 0)->note, BIND_NOTE);
	assert_int_equal(config_key_rename(cf, "www", "web", &cause), 0);
	assert_string_equal(config_key_find(cf, "web")->note, KEY_NOTE);
	assert_int_equal(config_key_set(cf, "web", NULL, "certs/new.pem",
	    NULL, &cause), 0);
	assert_string_equal(config_key_find(cf, "web")->note, KEY_NOTE);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_bad),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_setters),
		cmocka_unit_test(test_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
