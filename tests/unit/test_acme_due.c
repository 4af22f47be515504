/*
 * op/acme-due.c: when renewal is due and when a failure is retried, on a
 * fake clock: every time is a fixed number, every expectation worked out
 * by hand from the rules in acme-due.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "op/acme-json.h"
#include "op/acme-due.h"

#define LEN(a)	(sizeof (a) / sizeof (a)[0])
#define HOUR	((time_t)3600)
#define DAY	((time_t)86400)
/* 2026-12-01T00:00:00Z */
#define T0	((time_t)1796083200)

static void
test_due_without_ari(void **state)
{
	static const struct {
		time_t	 nb, na;
		time_t	 want;
	} t[] = {
		/* 90 days: due at day 60. */
		{ T0, T0 + 90 * DAY, T0 + 60 * DAY },
		/* 47 days (the CA/B Forum's 2029 limit): day 31 8h. */
		{ T0, T0 + 47 * DAY, T0 + 31 * DAY + 8 * HOUR },
		/* 6 days (Let's Encrypt's short-lived): day 4. */
		{ T0, T0 + 6 * DAY, T0 + 4 * DAY },
		/* Odd seconds round down: 2/3 of 10 s is 6 s. */
		{ T0, T0 + 10, T0 + 6 },
		/* Nonsense dates: due at once (not_before). */
		{ T0, T0, T0 },
		{ T0, T0 - DAY, T0 },
	};
	size_t	 i;
	double	 f;

	for (i = 0; i < LEN(t); i++)
		for (f = 0; f < 1; f += 0.25)	/* frac ignored without ARI */
			assert_int_equal(acme_due_time(t[i].nb, t[i].na, NULL,
			    f), t[i].want);
}

static void
test_due_with_ari(void **state)
{
	struct acme_renewal_info ri = { T0 + 50 * DAY, T0 + 52 * DAY, NULL };
	struct acme_renewal_info bad = { T0 + 52 * DAY, T0 + 50 * DAY, NULL };
	time_t	 t;

	/* frac picks within [start, end). */
	assert_int_equal(acme_due_time(T0, T0 + 90 * DAY, &ri, 0), ri.start);
	assert_int_equal(acme_due_time(T0, T0 + 90 * DAY, &ri, 0.5),
	    T0 + 51 * DAY);
	t = acme_due_time(T0, T0 + 90 * DAY, &ri, 0.999);
	assert_true(t < ri.end);
	assert_int_equal(t, ri.start + (time_t)(0.999 * 2 * DAY));
	/* Out of range draws stay inside the window. */
	assert_true(acme_due_time(T0, T0 + 90 * DAY, &ri, 1.0) < ri.end);
	assert_true(acme_due_time(T0, T0 + 90 * DAY, &ri, 7.0) < ri.end);
	assert_int_equal(acme_due_time(T0, T0 + 90 * DAY, &ri, -1), ri.start);
	/* A window the CA sent in the past (revocation): due at once. */
	ri.start = T0 - 2 * DAY;
	ri.end = T0 - DAY;
	assert_true(acme_due_time(T0, T0 + 90 * DAY, &ri, 0.5) < T0);
	/* An inverted window is ignored: two thirds. */
	assert_int_equal(acme_due_time(T0, T0 + 90 * DAY, &bad, 0.5),
	    T0 + 60 * DAY);
}

static void
test_retry_backoff(void **state)
{
	static const struct {
		unsigned failures;
		time_t	 wait;
	} t[] = {
		{ 0, 0 },
		{ 1, HOUR }, { 2, 2 * HOUR }, { 3, 4 * HOUR }, { 4, 8 * HOUR },
		{ 5, 16 * HOUR },
		/* 32 hours is capped at a day, and so is everything after. */
		{ 6, DAY }, { 7, DAY }, { 30, DAY }, { 64, DAY },
		{ 4000000000u, DAY },
	};
	size_t	 i;

	for (i = 0; i < LEN(t); i++) {
		/* not_after unknown */
		assert_int_equal(acme_retry_time(T0, t[i].failures, 0, 0),
		    T0 + t[i].wait);
		/* not_after far away changes nothing */
		assert_int_equal(acme_retry_time(T0, t[i].failures, 0,
		    T0 + 30 * DAY), T0 + t[i].wait);
	}
}

static void
test_retry_after(void **state)
{
	/* Retry-After later than the backoff wins. */
	assert_int_equal(acme_retry_time(T0, 1, T0 + 5 * HOUR, 0),
	    T0 + 5 * HOUR);
	/* Earlier than the backoff: the backoff. */
	assert_int_equal(acme_retry_time(T0, 3, T0 + 60, 0), T0 + 4 * HOUR);
	/* A rate limit of a week is honoured while there is time... */
	assert_int_equal(acme_retry_time(T0, 1, T0 + 7 * DAY, T0 + 30 * DAY),
	    T0 + 7 * DAY);
	/* ...but never past one day before expiry. */
	assert_int_equal(acme_retry_time(T0, 1, T0 + 7 * DAY, T0 + 5 * DAY),
	    T0 + 4 * DAY);
}

static void
test_retry_near_expiry(void **state)
{
	/* Backoff of a day, two days left: the last day's eve. */
	assert_int_equal(acme_retry_time(T0, 10, 0, T0 + 36 * HOUR),
	    T0 + 12 * HOUR);
	/* Already inside the last day: try whenever asked (now). */
	assert_int_equal(acme_retry_time(T0, 10, 0, T0 + 12 * HOUR), T0);
	assert_int_equal(acme_retry_time(T0, 10, T0 + DAY, T0 + 12 * HOUR),
	    T0);
	/* Expired already: still now, never later. */
	assert_int_equal(acme_retry_time(T0, 3, 0, T0 - DAY), T0);
	/* Exactly at the cap. */
	assert_int_equal(acme_retry_time(T0, 1, 0, T0 + HOUR + DAY),
	    T0 + HOUR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_without_ari),
		cmocka_unit_test(test_due_with_ari),
		cmocka_unit_test(test_retry_backoff),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_retry_near_expiry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
