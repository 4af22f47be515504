/*
 * The escaping function: whatever a certificate says, nothing that reaches
 * a terminal can move the cursor, retitle the window or reorder text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/escape.h"

static void
expect_escape(const char *in, size_t len, int flags, const char *want)
{
	char	*got = escape_mem(in, len, flags);

	assert_string_equal(got, want);
	free(got);
}

#define E(in, want)	expect_escape(in, sizeof(in) - 1, 0, want)
#define EA(in, want)	expect_escape(in, sizeof(in) - 1, ESCAPE_ASCII, want)

static void
test_plain_text_unchanged(void **state)
{
	E("www.example.com", "www.example.com");
	E("CN=Caf\xc3\xa9", "CN=Caf\xc3\xa9");	/* é stays in UTF-8 */
	E("", "");
}

static void
test_controls(void **state)
{
	E("a\x1b]0;pwned\x07z", "a\\x1B]0;pwned\\x07z");
	E("tab\there", "tab\\x09here");
	E("nl\n", "nl\\x0A");
	E("del\x7f", "del\\x7F");
	E("back\\slash", "back\\\\slash");
}

static void
test_c1_and_bidi(void **state)
{
	E("\xc2\x9b" "31m", "\\u{009B}31m");		/* CSI as UTF-8 C1 */
	E("abc\xe2\x80\xaegpj.exe", "abc\\u{202E}gpj.exe");	/* RLO */
	E("\xe2\x81\xa6x\xe2\x81\xa9", "\\u{2066}x\\u{2069}");	/* LRI, PDI */
	E("\xd8\x9c", "\\u{061C}");			/* ALM */
	E("\xe2\x80\x8f", "\\u{200F}");			/* RLM */
}

static void
test_invalid_utf8_as_bytes(void **state)
{
	E("\xff", "\\xFF");
	E("\xc0\xaf", "\\xC0\\xAF");			/* overlong '/' */
	E("\xed\xa0\x80", "\\xED\\xA0\\x80");		/* surrogate */
	E("\xe2\x80", "\\xE2\\x80");			/* truncated */
	E("\x9b", "\\x9B");				/* raw C1 byte */
}

static void
test_ascii_mode(void **state)
{
	EA("Caf\xc3\xa9", "Caf\\u{00E9}");
	EA("\xf0\x9f\x94\x92", "\\u{1F512}");
	EA("plain", "plain");
}

static void
test_message_mode(void **state)
{
	/* An escape made earlier stays as it is; a raw control does not. */
	expect_escape("bad \\x1B and \x1b", 14, ESCAPE_MESSAGE,
	    "bad \\x1B and \\x1B");
	expect_escape("\xe2\x80\xae", 3, ESCAPE_MESSAGE, "\\u{202E}");
}

static void
test_embedded_nul_and_null(void **state)
{
	char	*s;

	expect_escape("a\0b", 3, 0, "a\\x00b");
	s = escape_str(NULL, 0);
	assert_string_equal(s, "");
	free(s);
}

/*
 * The fast path: a string escape_is_plain() passes is one escape_str()
 * returns unchanged, and the ones it refuses are those with anything but
 * printable ASCII (or a backslash outside ESCAPE_MESSAGE).
 */
static void
test_is_plain(void **state)
{
	static const struct {
		const char	*s;
		int		 flags;
		int		 plain;
	} cases[] = {
		{ "k1@127.0.0.2:443,sni=a.example", 0, 1 },
		{ "", 0, 1 },
		{ "no listener receives connections (line 7).", ESCAPE_MESSAGE,
		    1 },
		{ "back\\slash", 0, 0 },
		{ "back\\slash", ESCAPE_MESSAGE, 1 },
		{ "tab\there", ESCAPE_MESSAGE, 0 },
		{ "esc\x1b", 0, 0 },
		{ "del\x7f", 0, 0 },
		{ "Caf\xc3\xa9", 0, 0 },	/* unchanged, but not plain */
		{ "\xe2\x80\xae", ESCAPE_MESSAGE, 0 },
		{ "\x9b", 0, 0 },
	};
	size_t	 i;
	char	*e;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(escape_is_plain(cases[i].s, cases[i].flags),
		    cases[i].plain);
		e = escape_str(cases[i].s, cases[i].flags);
		if (cases[i].plain)
			assert_string_equal(e, cases[i].s);
		free(e);
	}
	assert_int_equal(escape_is_plain(NULL, 0), 0);
}

/* Long plain runs around escapes, and more escapes than the first block. */
static void
test_runs_and_growth(void **state)
{
	char	 in[301], want[1201];
	size_t	 i;

	for (i = 0; i < 300; i++)
		in[i] = (i % 100 == 50) ? '\x1b' : 'a';
	in[300] = '\0';
	want[0] = '\0';
	for (i = 0; i < 300; i++)
		strcat(want, in[i] == '\x1b' ? "\\x1B" : "a");
	expect_escape(in, 300, 0, want);
	memset(in, '\x07', 300);
	want[0] = '\0';
	for (i = 0; i < 300; i++)
		strcat(want, "\\x07");
	expect_escape(in, 300, 0, want);
	expect_escape("abc\xe2\x80\xaexyz", 9, 0, "abc\\u{202E}xyz");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_c1_and_bidi),
		cmocka_unit_test(test_invalid_utf8_as_bytes),
		cmocka_unit_test(test_ascii_mode),
		cmocka_unit_test(test_message_mode),
		cmocka_unit_test(test_embedded_nul_and_null),
		cmocka_unit_test(test_is_plain),
		cmocka_unit_test(test_runs_and_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
