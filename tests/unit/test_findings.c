/*
 * The findings list (core/findings.c): adding, counting, sorting, moving
 * and clearing, and findings_diff(), the one answer to "does this change
 * add errors?", as a table.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/findings.h"
#include "op/check.h"

static void
test_findings_api(void **state)
{
	struct findings		f = FINDINGS_INIT;
	struct check_opts	opts;
	size_t			i;

	assert_string_equal(severity_name(SEV_ERROR), "error");
	assert_string_equal(severity_name(SEV_WARNING), "warning");
	assert_string_equal(severity_name(SEV_INFO), "info");

	check_opts_default(&opts);
	assert_int_equal(opts.warn_days, 30);
	assert_int_equal(opts.offline, 0);

	findings_add(&f, SEV_INFO, F_PENDING, FK_KEY, 3, "k3", "wait %d", 1);
	findings_add(&f, SEV_ERROR, F_UNKNOWN_KEY, FK_BINDING, 0, "b", "no %s",
	    "key");
	findings_add(&f, SEV_WARNING, F_STALE_BINDING, FK_BINDING, 1, "c",
	    "stale");
	findings_add(&f, SEV_ERROR, F_CONFLICT, FK_BINDING, 2, "a", "two");
	assert_int_equal(f.n, 4);
	assert_int_equal(findings_count(&f, SEV_ERROR), 2);
	assert_int_equal(findings_count(&f, SEV_WARNING), 1);
	assert_int_equal(findings_count(&f, SEV_INFO), 1);
	assert_string_equal(f.v[0].message, "wait 1");
	assert_string_equal(f.v[1].message, "no key");
	assert_int_equal(f.v[0].index, 3);
	assert_null(f.v[0].move_from);

	findings_sort(&f);
	assert_int_equal(f.v[0].severity, SEV_ERROR);
	assert_int_equal(f.v[1].severity, SEV_ERROR);
	assert_int_equal(f.v[2].severity, SEV_WARNING);
	assert_int_equal(f.v[3].severity, SEV_INFO);
	for (i = 0; i < f.n; i++)
		assert_non_null(f.v[i].message);
	/* Moving hands the findings over whole and empties the source. */
	{
		struct findings	 to = FINDINGS_INIT;

		findings_add(&to, SEV_INFO, F_PENDING, FK_KEY, 0, "k0", "x");
		findings_move(&to, &f);
		assert_int_equal(to.n, 5);
		assert_int_equal(f.n, 0);
		assert_null(f.v);
		assert_string_equal(to.v[1].message, "two");
		findings_move(&to, &f);
		assert_int_equal(to.n, 5);
		findings_clear(&to);
	}
	findings_clear(&f);
	assert_int_equal(f.n, 0);
	assert_int_equal(findings_count(&f, SEV_ERROR), 0);
}

/*
 * findings_diff(), the one answer to "does this change add errors?", as a
 * table. A finding is written "S code object index message", S one of
 * E, W, I; the lists it returns are compared as sorted "S code object".
 */
struct diff_case {
	const char	*name;
	const char	*before[4];
	const char	*after[4];
	size_t		 nerr;		/* errors added */
	const char	*added;		/* "S code object; ..." sorted */
	const char	*removed;
};

static const struct diff_case diff_cases[] = {
	{ "nothing on either side", { NULL }, { NULL }, 0, "", "" },
	{ "the same finding", { "E conflict a 1 two bindings" },
	    { "E conflict a 1 two bindings" }, 0, "", "" },
	{ "the same finding, another index and message",
	    { "E conflict a 1 two bindings" },
	    { "E conflict a 7 three bindings" }, 0, "", "" },
	{ "a warning that becomes an error is an added error",
	    { "W stale-binding b 0 stale" }, { "E stale-binding b 0 stale" },
	    1, "E stale-binding b", "W stale-binding b" },
	{ "an error that becomes a warning adds none",
	    { "E expired k 0 expired" }, { "W expired k 0 expired" },
	    0, "W expired k", "E expired k" },
	{ "a new error, a new warning",
	    { "I pending p 0 wait" },
	    { "I pending p 0 wait", "E unknown-key b 3 no key",
	    "W expiring k 1 soon" },
	    1, "E unknown-key b; W expiring k", "" },
	{ "removed findings only", { "E conflict a 0 x", "W expiring k 1 y" },
	    { NULL }, 0, "", "E conflict a; W expiring k" },
	{ "same code, another object",
	    { "E conflict a 0 x" }, { "E conflict b 0 x" },
	    1, "E conflict b", "E conflict a" },
	{ "a duplicate counts once per copy",
	    { "E conflict a 0 x" }, { "E conflict a 0 x", "E conflict a 1 x" },
	    1, "E conflict a", "" },
};

static const char *const diff_codes[] = {
	F_CONFLICT, F_STALE_BINDING, F_EXPIRED, F_PENDING, F_UNKNOWN_KEY,
	F_EXPIRING, NULL
};

static void
diff_fill(struct findings *fs, const char *const *spec)
{
	char		 sev, code[32], obj[32], msg[64];
	const char	*c;
	enum severity	 s;
	long		 index;
	size_t		 i, j;

	for (i = 0; i < 4 && spec[i] != NULL; i++) {
		assert_int_equal(sscanf(spec[i], "%c %31s %31s %ld %63[^\n]",
		    &sev, code, obj, &index, msg), 5);
		s = sev == 'E' ? SEV_ERROR : sev == 'W' ? SEV_WARNING :
		    SEV_INFO;
		for (j = 0, c = NULL; diff_codes[j] != NULL; j++)
			if (strcmp(diff_codes[j], code) == 0)
				c = diff_codes[j];
		assert_non_null(c);
		findings_add(fs, s, c, FK_BINDING, (ssize_t)index, obj, "%s",
		    msg);
	}
}

static void
diff_text(struct findings *fs, char *buf, size_t len)
{
	size_t	 i;

	findings_sort(fs);
	buf[0] = '\0';
	for (i = 0; i < fs->n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%c %s %s",
		    i == 0 ? "" : "; ",
		    toupper((unsigned char)severity_name(fs->v[i].severity)[0]),
		    fs->v[i].code, fs->v[i].object);
}

static void
test_findings_diff(void **state)
{
	const struct diff_case	*dc;
	struct findings		 before, after, added, removed;
	char			 got[256];
	size_t			 i, nerr;

	for (i = 0; i < sizeof diff_cases / sizeof diff_cases[0]; i++) {
		dc = &diff_cases[i];
		memset(&before, 0, sizeof before);
		memset(&after, 0, sizeof after);
		memset(&added, 0, sizeof added);
		memset(&removed, 0, sizeof removed);
		diff_fill(&before, dc->before);
		diff_fill(&after, dc->after);
		nerr = findings_diff(&before, &after, &added, &removed);
		if (nerr != dc->nerr)
			fail_msg("%s: %zu errors added, want %zu", dc->name,
			    nerr, dc->nerr);
		diff_text(&added, got, sizeof got);
		if (strcmp(got, dc->added) != 0)
			fail_msg("%s: added \"%s\", want \"%s\"", dc->name,
			    got, dc->added);
		diff_text(&removed, got, sizeof got);
		if (strcmp(got, dc->removed) != 0)
			fail_msg("%s: removed \"%s\", want \"%s\"", dc->name,
			    got, dc->removed);
		/* Without the lists the count is the same. */
		assert_int_equal(findings_diff(&before, &after, NULL, NULL),
		    dc->nerr);
		findings_clear(&before);
		findings_clear(&after);
		findings_clear(&added);
		findings_clear(&removed);
	}
}

/*
 * Messages are formatted on the stack first (util/xmalloc.c): one at the
 * size of that buffer and ones past it come out whole.
 */
static void
test_findings_long_message(void **state)
{
	struct findings	 f = FINDINGS_INIT;
	char		*want;
	size_t		 lens[] = { 0, 1, 510, 511, 512, 513, 4000 }, i;

	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		want = malloc(lens[i] + 1);
		assert_non_null(want);
		memset(want, 'm', lens[i]);
		want[lens[i]] = '\0';
		findings_add(&f, SEV_INFO, F_PENDING, FK_KEY, 0, "k", "%s%s",
		    want, "");
		assert_string_equal(f.v[i].message, want);
		free(want);
	}
	findings_add(&f, SEV_INFO, F_PENDING, FK_KEY, 0, "k", "%d %-600s|",
	    42, "x");
	assert_int_equal(strlen(f.v[i].message), 604);
	assert_memory_equal(f.v[i].message, "42 x ", 5);
	assert_string_equal(f.v[i].message + 603, "|");
	findings_clear(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_findings_api),
		cmocka_unit_test(test_findings_diff),
		cmocka_unit_test(test_findings_long_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
