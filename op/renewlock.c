/*
 * The fleet's ACME lock (op/renewlock.h): an etcd lease lock taken
 * through op/etcd's etcd_lock_acquire(), checked against the revision the
 * config was read at, given back by deleting it and revoking its lease.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "op/acme.h"
#include "op/etcd.h"
#include "op/location.h"
#include "op/renewlock.h"

struct renewlock {
	struct acme_lock	 hook;
	struct location		*loc;
	int64_t			 lease;	/* 0: nothing held */
	int64_t			 rev;	/* the lock's create revision */
};

/* Who takes it: "HOST pid PID, ordering KEY since TIME UTC". */
static char *
holder_value(const char *name)
{
	char		 host[256], when[64];
	struct tm	 tm;
	time_t		 now = time(NULL);

	if (gethostname(host, sizeof host) != 0)
		strcpy(host, "?");
	host[sizeof host - 1] = '\0';
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	return xasprintf("%s pid %ld, ordering %s since %s UTC", host,
	    (long)getpid(), name, when);
}

static void
give(void *arg)
{
	struct renewlock	*rl = arg;
	struct etcd_client	*cl = location_etcd(rl->loc);
	char			*cause = NULL;

	if (rl->lease == 0)
		return;
	/* Either frees it; the lease's expiry does when both fail. */
	if (etcd_lock_release(cl, location_prefix(rl->loc), RENEWLOCK_NAME,
	    rl->rev, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	if (etcd_lease_revoke(cl, rl->lease, &cause) != 0)
		free(cause);
	rl->lease = 0;
	rl->rev = 0;
}

static int
take(void *arg, const char *name, char **cause)
{
	struct renewlock	*rl = arg;
	struct etcd_client	*cl = location_etcd(rl->loc);
	const char		*prefix = location_prefix(rl->loc);
	struct etcd_range	 r;
	char			*value, *holder = NULL, *key, *e, *why = NULL;
	int64_t			 granted, now, read;
	int			 rc;

	if (rl->lease != 0) {
		*cause = xstrdup("the fleet's ACME lock is held by this "
		    "process already");
		return -1;
	}
	if (etcd_lease_grant(cl, RENEWLOCK_TTL, &rl->lease, &granted,
	    cause) != 0) {
		rl->lease = 0;
		return -1;
	}
	value = holder_value(name);
	rc = etcd_lock_acquire(cl, prefix, RENEWLOCK_NAME, value, rl->lease,
	    &rl->rev, &holder, cause);
	free(value);
	if (rc != 0) {
		if (rc == 1) {
			e = escape_str(holder, 0);
			key = escape_str(prefix, 0);
			*cause = xasprintf("the fleet's ACME lock "
			    "(%s/locks/%s) is held by %s: one node orders "
			    "at a time, so '%s' was not ordered here; the "
			    "holder's commit reaches every node", key,
			    RENEWLOCK_NAME, e, name);
			free(key);
			free(e);
			free(holder);
			rc = ACME_LOCK_HELD;
		}
		if (etcd_lease_revoke(cl, rl->lease, &why) != 0)
			free(why);
		rl->lease = 0;
		rl->rev = 0;
		return rc;
	}

	/* Held: is the config still the one the caller read? */
	key = location_key(prefix, "config");
	memset(&r, 0, sizeof r);
	rc = etcd_get(cl, key, 0, 0, &r, cause);
	free(key);
	if (rc != 0) {
		give(rl);
		return -1;
	}
	now = r.nkvs > 0 ? r.kvs[0].mod_revision : 0;
	etcd_range_clear(&r);
	read = location_config_revision(rl->loc);
	if (now != read) {
		give(rl);
		*cause = xasprintf("the config changed since it was read "
		    "(revision %lld, now %lld): someone may have renewed "
		    "'%s' meanwhile; read it again", (long long)read,
		    (long long)now, name);
		return ACME_LOCK_STALE;
	}
	return 0;
}

struct renewlock *
renewlock_new(struct location *loc)
{
	struct renewlock	*rl;

	if (loc == NULL || !location_remote(loc))
		return NULL;
	rl = xcalloc(1, sizeof *rl);
	rl->loc = loc;
	rl->hook.take = take;
	rl->hook.give = give;
	rl->hook.arg = rl;
	return rl;
}

void
renewlock_free(struct renewlock *rl)
{
	if (rl == NULL)
		return;
	give(rl);
	free(rl);
}

const struct acme_lock *
renewlock_hook(const struct renewlock *rl)
{
	return rl != NULL ? &rl->hook : NULL;
}

int
renewlock_keepalive(struct renewlock *rl, char **cause)
{
	int64_t	ttl = 0;

	if (rl == NULL || rl->lease == 0)
		return 0;
	if (etcd_lease_keepalive(location_etcd(rl->loc), rl->lease, &ttl,
	    cause) != 0)
		return -1;
	if (ttl == 0) {
		*cause = xstrdup("the fleet's ACME lock was lost: its lease "
		    "expired, and another node may be ordering now");
		rl->lease = 0;
		return -1;
	}
	return 0;
}

int
renewlock_holder(struct location *loc, char **holder, char **cause)
{
	struct etcd_range	 r;
	char			*key, *locks;
	int			 rc;

	*holder = NULL;
	if (loc == NULL || !location_remote(loc))
		return 0;
	locks = location_key(location_prefix(loc), "locks");
	key = location_key(locks, RENEWLOCK_NAME);
	free(locks);
	memset(&r, 0, sizeof r);
	rc = etcd_get(location_etcd(loc), key, 0, 0, &r, cause);
	free(key);
	if (rc != 0)
		return -1;
	if (r.nkvs > 0) {
		*holder = xstrndup((char *)r.kvs[0].value,
		    r.kvs[0].value_len);
		rc = 1;
	}
	etcd_range_clear(&r);
	return rc;
}
