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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
