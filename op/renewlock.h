/*
 * The fleet's ACME lock (DESIGN.md "Fleet (etcd)"): op/acme's lock hook
 * (struct acme_lock) for a config at an etcd location, so that exactly
 * one node or certbind run orders a certificate at a time, and the
 * others see who does and skip.
 *
 * One lock for every order in the fleet, PREFIX/locks/acme-renew, held
 * from before the order until its commit is pushed, rather than one per
 * key: every commit pushes the one PREFIX/config, so two nodes renewing
 * two keys at once would race their pushes and the loser's certificate,
 * issued by the CA, would be lost with its private checkout. It is taken
 * per order, not for a whole renew run, so a hold lasts one order, which
 * op/acme bounds (ACME_ORDER_TIMEOUT_S): the lease's TTL covers that and
 * the commit, and a node that dies holding it frees it when the lease
 * expires.
 *
 * Taking the lock also checks that PREFIX/config is still at the revision
 * the config was read at: if not, someone committed meanwhile (perhaps
 * this very renewal), and the caller must read the config again before
 * deciding to order (ACME_LOCK_STALE).
 *
 * The lock's value says who holds it: "HOST pid PID, ordering KEY since
 * TIME UTC". Nothing here prints; what a cause quotes from etcd is
 * escaped.
 */
#ifndef CERTBIND_OP_RENEWLOCK_H
#define CERTBIND_OP_RENEWLOCK_H

#include "op/acme.h"

struct location;
struct renewlock;

/* The lock's name under PREFIX/locks/. */
#define RENEWLOCK_NAME	"acme-renew"
/* The lease: one order, and the commit after it. */
#define RENEWLOCK_TTL	(ACME_ORDER_TIMEOUT_S + 300)

/*
 * The hook for the config at loc, which stays the caller's and must
 * outlive it; NULL when loc is a path (no lock is needed then).
 */
struct renewlock *renewlock_new(struct location *loc);
/* Gives back a lock still held, and frees. NULL is allowed. */
void	 renewlock_free(struct renewlock *);
/* The hook to put in struct acme_order_opts. */
const struct acme_lock *renewlock_hook(const struct renewlock *);
/*
 * Renews the held lock's lease (before a commit that may come late in
 * the lease): 0, or -1 with *cause when the lease is gone, that is, the
 * lock was lost and someone else may be ordering. 0 when nothing is held.
 */
int	 renewlock_keepalive(struct renewlock *, char **cause);

/*
 * Who holds the fleet's ACME lock of loc, for a dry run: 1 and *holder
 * (allocated, raw data: escape it), 0 when nobody does or loc is a
 * path, -1 and
 * *cause.
 */
int	 renewlock_holder(struct location *loc, char **holder, char **cause);

#endif
