/*
 * When a managed certificate is renewed, and when a failed renewal is
 * tried again. Pure arithmetic on the times passed in: no clock is read
 * here, so the unit tests can put "now" anywhere.
 */
#include <time.h>

#include "op/acme-json.h"
#include "op/acme-due.h"

#define HOUR	((time_t)3600)
#define DAY	((time_t)86400)

time_t
acme_due_time(time_t not_before, time_t not_after,
    const struct acme_renewal_info *ri, double frac)
{
	if (!(frac >= 0))	/* also NaN */
		frac = 0;
	if (frac >= 1)
		frac = 0.999999;
	if (ri != NULL && ri->end > ri->start)
		return ri->start + (time_t)(frac * (double)(ri->end - ri->start));
	if (not_after <= not_before)
		return not_before;
	/* Two thirds of the lifetime: day 60 of a 90-day certificate. */
	return not_before + (not_after - not_before) / 3 * 2 +
	    (not_after - not_before) % 3 * 2 / 3;
}

time_t
acme_retry_time(time_t last, unsigned failures, time_t retry_after,
    time_t not_after)
{
	time_t		 t, wait = HOUR, cap;
	unsigned	 i;

	if (failures == 0)
		return last;
	for (i = 1; i < failures && wait < DAY; i++)
		wait *= 2;
	if (wait > DAY)
		wait = DAY;
	t = last + wait;
	/* The CA's Retry-After (a rate limit, usually) when it is later. */
	if (retry_after > t)
		t = retry_after;
	/*
	 * Close to expiry every chance counts: never wait past the last day,
	 * and once inside it, try whenever asked.
	 */
	if (not_after != 0) {
		cap = not_after - DAY;
		if (t > cap)
			t = cap > last ? cap : last;
	}
	return t;
}
