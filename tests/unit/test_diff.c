/*
 * The line diff behind rollback and the UI's review: applying its output
 * to the old text must give the new text, and it must be minimal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/diff.h"

/* Rebuilds a and b from the diff and counts the changed lines. */
static void
check(const char *a, const char *b, size_t want_changes)
{
	struct diff_line	*d;
	ssize_t			 n, i;
	char			 ra[4096] = "", rb[4096] = "";
	size_t			 changes = 0;

	n = diff_lines(a, b, &d);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (d[i].op != '+') {
			strcat(ra, d[i].text);
			strcat(ra, "\n");
		}
		if (d[i].op != '-') {
			strcat(rb, d[i].text);
			strcat(rb, "\n");
		}
		if (d[i].op != ' ')
			changes++;
	}
	assert_string_equal(ra, a);
	assert_string_equal(rb, b);
	assert_int_equal(changes, want_changes);
	diff_free(d, (size_t)n);
}

static void
test_identical(void **state)
{
	check("a\nb\nc\n", "a\nb\nc\n", 0);
	check("", "", 0);
}

static void
test_one_line_changed(void **state)
{
	check("a\nb\nc\n", "a\nB\nc\n", 2);
}

static void
test_insert_delete(void **state)
{
	check("a\nc\n", "a\nb\nc\n", 1);
	check("a\nb\nc\n", "a\nc\n", 1);
	check("", "x\ny\n", 2);
	check("x\ny\n", "", 2);
}

static void
test_move_is_minimal(void **state)
{
	/* Moving one line costs one deletion and one insertion. */
	check("1\n2\n3\n4\n5\n", "2\n3\n4\n5\n1\n", 2);
}

static void
test_large_with_small_change(void **state)
{
	struct diff_line	*d;
	char			*a, *b, *p;
	ssize_t			 n, i;
	size_t			 k, minus = 0, plus = 0;

	/* 50,000 lines, one changed: far over DIFF_MAX_CELLS as a square. */
	a = malloc(50000 * 12);
	b = malloc(50000 * 12);
	for (p = a, k = 0; k < 50000; k++)
		p += sprintf(p, "line %zu\n", k);
	for (p = b, k = 0; k < 50000; k++)
		p += sprintf(p, k == 25000 ? "changed %zu\n" : "line %zu\n", k);
	n = diff_lines(a, b, &d);
	assert_int_equal(n, 50001);
	for (i = 0; i < n; i++) {
		minus += d[i].op == '-';
		plus += d[i].op == '+';
	}
	assert_int_equal(minus, 1);
	assert_int_equal(plus, 1);
	assert_string_equal(d[25000].text, "line 25000");
	diff_free(d, (size_t)n);
	free(a);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_one_line_changed),
		cmocka_unit_test(test_insert_delete),
		cmocka_unit_test(test_move_is_minimal),
		cmocka_unit_test(test_large_with_small_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
