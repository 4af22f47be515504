/*
 * When a managed certificate is renewed, and when a failed renewal is
 * tried again. Pure functions of their arguments (the clock is passed in),
 * so that the unit tests can move time.
 */
#ifndef CERTBIND_OP_ACME_DUE_H
#define CERTBIND_OP_ACME_DUE_H

#include <time.h>

struct acme_renewal_info;

/*
 * The time renewal is due: with the CA's renewalInfo (ri not NULL), a
 * time in [ri->start, ri->end) picked by frac (0 <= frac < 1, the caller's
 * random draw, so the fleet does not renew at one instant), else two
 * thirds of the way from not_before to not_after (RFC 9773 section 4.2;
 * Let's Encrypt's advice).
 */
time_t	acme_due_time(time_t not_before, time_t not_after,
	    const struct acme_renewal_info *ri, double frac);
/*
 * After failures consecutive failures, the last one at last: when to try
 * again. Doubles from 1 hour up to 1 day; a CA's Retry-After (0: none) is
 * honoured when later. Never later than 1 day before not_after, when
 * trying must go on (not_after 0: unknown).
 */
time_t	acme_retry_time(time_t last, unsigned failures, time_t retry_after,
	    time_t not_after);

#endif
