/*
 * certbindd as a fleet node: serving an etcd location (DESIGN.md "Fleet
 * (etcd)"). main.c opens the location and loads its checkout like any
 * config file; this file does the rest, in two threads:
 *
 *   - a watch thread, with its own etcd client, watches PREFIX/ from the
 *     revision after the checkout. A change to PREFIX/config or under
 *     PREFIX/files/ (not nodes/, locks/ or commit, which are the fleet's
 *     own traffic) writes a byte to a pipe the main loop polls. All
 *     members down: it says so once and tries again with a bounded
 *     backoff, from the revision after the last event it saw, so nothing
 *     is missed; a compacted start revision: it asks for a refresh and
 *     watches from the store's revision after it.
 *   - the main thread owns the location (its client is used by one thread
 *     only): it refreshes the checkout when woken (fleet_refresh()) and
 *     main.c then runs the SIGHUP reload path on it; it keeps the node's
 *     registration, PREFIX/nodes/NAME on a lease renewed every third of
 *     its TTL (fleet_timeout() and fleet_tick(), between polls).
 *
 * etcd unreachable never stops the serving: the last good generation
 * keeps serving, the outage is logged once, and when etcd answers again
 * the node registers anew and catches up with the latest revision.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "op/etcd.h"
#include "op/fleet.h"
#include "op/location.h"
#include "util/escape.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"

#define BACKOFF_MIN_MS	1000
#define BACKOFF_MAX_MS	10000

static struct {
	struct location	*loc;		/* borrowed from main.c */
	char		*name;
	char		*address;	/* -a, or NULL */
	char		*host;

	/* The registration (main thread). */
	char		*node_key;
	int64_t		 lease;		/* 0: none held */
	int64_t		 ttl;
	int64_t		 next_keepalive;	/* now_ms() */
	int		 outage;	/* the last etcd call failed */
	int		 pending;	/* a refresh is due */
	int64_t		 next_retry;	/* of the pending refresh */
	int64_t		 retry_ms;

	/* What the record says. */
	int64_t		 revision;
	int64_t		 loaded;
	unsigned long	 generation;
	int64_t		 refused_revision;
	char		*refused;

	/* The watch thread. */
	pthread_t	 thread;
	int		 started;
	struct etcd_client *wcl;
	char		*wprefix;
	int64_t		 wstart;
	volatile sig_atomic_t stop;
	int		 wake[2];
	int		 wfailing;	/* watch thread only */
	int64_t		 wbackoff;	/* the same */
} fl = { .wake = { -1, -1 } };

/* A cause from etcd or the location: escaped already but for '\'. */
static void
log_cause(const char *what, const char *cause)
{
	char	*e = escape_str(cause != NULL ? cause : "?", ESCAPE_MESSAGE);

	log_warn("%s%s", what, e);
	free(e);
}

char *
fleet_claim_name(const struct location *loc, const char *name)
{
	return xasprintf("%s node %s", location_spec(loc), name);
}

/*
 * The checkouts are written by refreshes after the privilege drop: give
 * the directory, and what the first checkout put in it, to the user.
 */
static uid_t	chown_uid;
static gid_t	chown_gid;

static int
chown_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return lchown(path, chown_uid, chown_gid) == -1 ? -1 : 0;
}

int
fleet_give_dir(const struct location *loc, uid_t uid, gid_t gid,
    char **cause)
{
	const char	*dir = location_dir(loc);

	if (dir == NULL)
		return 0;
	chown_uid = uid;
	chown_gid = gid;
	if (nftw(dir, chown_one, 16, FTW_PHYS) != 0) {
		*cause = xasprintf("giving the checkout directory %s to "
		    "server.user: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* --- the watch thread --------------------------------------------- */

static void
wake_main(char c)
{
	ssize_t	r;

	/* A full pipe already says "look": EAGAIN is fine. */
	do
		r = write(fl.wake[1], &c, 1);
	while (r == -1 && errno == EINTR);
}

/* Whether key (raw) is PREFIX/config or under PREFIX/files/. */
static int
is_content(const char *key, size_t len)
{
	size_t	n = strlen(fl.wprefix);

	if (len <= n + 1 || memcmp(key, fl.wprefix, n) != 0 || key[n] != '/')
		return 0;
	key += n + 1;
	len -= n + 1;
	return (len == 6 && memcmp(key, "config", 6) == 0) ||
	    (len > 6 && memcmp(key, "files/", 6) == 0);
}

static int
on_event(void *arg, const struct etcd_event *ev)
{
	(void)arg;
	if (is_content(ev->kv->key, ev->kv->key_len))
		wake_main('c');
	return 0;
}

static void
on_connected(void *arg, const char *endpoint)
{
	char	*e;

	(void)arg;
	if (!fl.wfailing)
		return;
	fl.wfailing = 0;
	fl.wbackoff = BACKOFF_MIN_MS;
	e = escape_str(endpoint, 0);
	log_info("fleet: watching again through %s", e);
	free(e);
	/* Whatever changed meanwhile comes as events; refresh anyway. */
	wake_main('r');
}

/* Sleeps ms, or less when told to stop. */
static void
nap(int64_t ms)
{
	struct timespec	ts = { 0, 100 * 1000 * 1000 };

	for (; ms > 0 && !fl.stop; ms -= 100)
		nanosleep(&ts, NULL);
}

static void *
watch_main(void *arg)
{
	struct etcd_watch	 w;
	struct etcd_watch_result res;
	struct etcd_range	 r;
	char			*key, *ckey, *cause;

	(void)arg;
	fl.wbackoff = BACKOFF_MIN_MS;
	key = xasprintf("%s/", fl.wprefix);
	ckey = location_key(fl.wprefix, "config");
	memset(&w, 0, sizeof w);
	w.key = key;
	w.prefix = 1;
	w.event = on_event;
	w.connected = on_connected;
	w.stop = &fl.stop;
	while (!fl.stop) {
		w.start = fl.wstart;
		cause = NULL;
		memset(&res, 0, sizeof res);
		(void)etcd_watch(fl.wcl, &w, &res, &cause);
		if (res.next > fl.wstart)
			fl.wstart = res.next;
		if (fl.stop)
			break;
		switch (res.end) {
		case ETCD_WATCH_COMPACTED:
			/*
			 * The history from our start is gone: the main loop
			 * refreshes at the latest revision; watch from the
			 * store's revision now on (a change after it comes
			 * as an event, and a refresh that finds nothing new
			 * does nothing).
			 */
			log_info("fleet: the watch's revision %lld was "
			    "compacted (at %lld): refreshing",
			    (long long)w.start,
			    (long long)res.compact_revision);
			memset(&r, 0, sizeof r);
			/* One key: its header has the store's revision. */
			if (etcd_get(fl.wcl, ckey, 0, 0, &r, &cause) == 0) {
				fl.wstart = r.revision + 1;
				wake_main('r');
				etcd_range_clear(&r);
				fl.wbackoff = BACKOFF_MIN_MS;
				break;
			}
			fl.wstart = res.compact_revision;
			/* FALLTHROUGH */
		case ETCD_WATCH_FAILED:
			if (!fl.wfailing) {
				log_cause("fleet: the watch failed, serving "
				    "what is loaded and trying again: ",
				    cause);
				fl.wfailing = 1;
			}
			nap(fl.wbackoff);
			fl.wbackoff = fl.wbackoff * 2 > BACKOFF_MAX_MS ?
			    BACKOFF_MAX_MS : fl.wbackoff * 2;
			break;
		case ETCD_WATCH_STOPPED:
			fl.wbackoff = BACKOFF_MIN_MS;
			break;
		}
		free(cause);
	}
	free(key);
	free(ckey);
	return NULL;
}

/* --- the registration (main thread) ------------------------------ */

static char *
record_json(void)
{
	struct fleet_node	n;

	memset(&n, 0, sizeof n);
	n.name = fl.name;
	n.address = fl.address;
	n.host = fl.host;
	n.pid = (long)getpid();
	n.version = CERTBIND_VERSION;
	n.revision = fl.revision;
	n.loaded = fl.loaded;
	n.generation = fl.generation;
	n.refused_revision = fl.refused_revision;
	n.refused = fl.refused;
	return fleet_node_encode(&n);
}

/* Grants a lease when none is held, and puts the record on it. */
static int
register_node(char **cause)
{
	struct etcd_client	*cl = location_etcd(fl.loc);
	char			*json;
	int64_t			 id, granted, rev;
	int			 rc;

	if (fl.lease == 0) {
		if (etcd_lease_grant(cl, FLEET_LEASE_TTL, &id, &granted,
		    cause) != 0)
			return -1;
		fl.lease = id;
		fl.ttl = granted > 0 ? granted : FLEET_LEASE_TTL;
		fl.next_keepalive = now_ms() + fl.ttl * 1000 / 3;
	}
	json = record_json();
	rc = etcd_put(cl, fl.node_key, json, strlen(json), fl.lease, &rev,
	    cause);
	free(json);
	return rc;
}

/* An etcd call failed: say so once per outage. */
static void
outage(const char *what, const char *cause)
{
	if (!fl.outage) {
		log_cause(what, cause);
		log_warn("fleet: etcd is unreachable: still serving revision "
		    "%lld (generation %lu); catching up when it answers",
		    (long long)fl.revision, fl.generation);
	}
	fl.outage = 1;
}

/*
 * etcd answered again after an outage: put the record again (unless the
 * caller just did) and catch up with the latest revision.
 */
static void
recovered(int registered)
{
	char	*cause = NULL;

	if (!fl.outage)
		return;
	fl.outage = 0;
	log_info("fleet: etcd answers again: registering and catching up");
	fl.pending = 1;
	fl.next_retry = 0;
	if (!registered && register_node(&cause) != 0) {
		outage("fleet: registering: ", cause);
		free(cause);
	}
}

static void
update_record(void)
{
	char	*cause = NULL;

	if (fl.outage)
		return;		/* put when etcd is back */
	if (register_node(&cause) != 0) {
		outage("fleet: updating the node record: ", cause);
		free(cause);
	}
}

int
fleet_start(struct location *loc, const char *name, const char *address,
    const struct gen *g, char **cause)
{
	char	 host[256], *rc = NULL, *prefix = NULL, *key;

	fl.loc = loc;
	fl.name = xstrdup(name);
	fl.address = address != NULL ? xstrdup(address) : NULL;
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "unknown");
	host[sizeof host - 1] = '\0';
	fl.host = xstrdup(host);
	key = xasprintf("nodes/%s", name);
	fl.node_key = location_key(location_prefix(loc), key);
	free(key);
	fl.revision = location_content_revision(loc);
	fl.loaded = (int64_t)time(NULL);
	fl.generation = gen_id(g);
	fl.retry_ms = BACKOFF_MIN_MS;
	location_pin(loc);	/* the generation serving was built from it */

	if (pipe2(fl.wake, O_NONBLOCK | O_CLOEXEC) == -1) {
		*cause = xasprintf("fleet: pipe: %s", strerror(errno));
		return -1;
	}
	if (location_connect(location_spec(loc), &fl.wcl, &prefix,
	    &rc) != 0) {
		*cause = xasprintf("fleet: the watch's connection: %s", rc);
		free(rc);
		return -1;
	}
	fl.wprefix = prefix;
	fl.wstart = location_revision(loc) + 1;
	fl.next_keepalive = now_ms();
	if ((errno = pthread_create(&fl.thread, NULL, watch_main,
	    NULL)) != 0) {
		*cause = xasprintf("fleet: the watch thread: %s",
		    strerror(errno));
		return -1;
	}
	fl.started = 1;
	if (register_node(&rc) != 0) {
		outage("fleet: registering: ", rc);
		free(rc);
	} else
		log_info("fleet: registered as %s: revision %lld",
		    fl.node_key, (long long)fl.revision);
	return 0;
}

int
fleet_fd(void)
{
	return fl.wake[0];
}

int
fleet_timeout(void)
{
	int64_t	now, due;

	if (fl.loc == NULL)
		return -1;
	now = now_ms();
	due = fl.next_keepalive;
	if (fl.pending && fl.next_retry < due)
		due = fl.next_retry;
	if (due <= now)
		return 0;
	return due - now > 60000 ? 60000 : (int)(due - now);
}

int
fleet_woken(void)
{
	char	buf[64];
	int	any = 0;

	while (read(fl.wake[0], buf, sizeof buf) > 0)
		any = 1;
	if (any)
		fl.pending = 1, fl.next_retry = 0;
	return any;
}

int
fleet_tick(void)
{
	char	*cause = NULL;
	int64_t	 ttl, now = now_ms();

	if (fl.loc == NULL)
		return 0;
	if (now >= fl.next_keepalive) {
		/* When etcd is down, try every third of the TTL still. */
		fl.next_keepalive = now + (fl.ttl > 0 ? fl.ttl :
		    FLEET_LEASE_TTL) * 1000 / 3;
		if (fl.lease == 0) {
			if (register_node(&cause) != 0) {
				outage("fleet: registering: ", cause);
				free(cause);
			} else
				recovered(1);
		} else if (etcd_lease_keepalive(location_etcd(fl.loc),
		    fl.lease, &ttl, &cause) != 0) {
			outage("fleet: renewing the lease: ", cause);
			free(cause);
		} else if (ttl <= 0) {
			/* Expired (an outage longer than the TTL). */
			log_info("fleet: the lease expired: registering "
			    "anew");
			fl.lease = 0;
			if (register_node(&cause) != 0) {
				outage("fleet: registering: ", cause);
				free(cause);
			} else
				recovered(1);
		} else
			recovered(0);
	}
	return fl.pending && now_ms() >= fl.next_retry;
}

int
fleet_refresh(char **cause)
{
	int	r;

	r = location_refresh(fl.loc, 0, cause);
	if (r == -1) {
		/* Try again later, backing off, and keep serving. */
		fl.pending = 1;
		fl.next_retry = now_ms() + fl.retry_ms;
		fl.retry_ms = fl.retry_ms * 2 > BACKOFF_MAX_MS ?
		    BACKOFF_MAX_MS : fl.retry_ms * 2;
		return -1;
	}
	fl.pending = 0;
	fl.retry_ms = BACKOFF_MIN_MS;
	return r;
}

void
fleet_served(const struct gen *g)
{
	location_pin(fl.loc);
	fl.revision = location_content_revision(fl.loc);
	fl.loaded = (int64_t)time(NULL);
	fl.generation = gen_id(g);
	fl.refused_revision = 0;
	free(fl.refused);
	fl.refused = NULL;
	update_record();
}

void
fleet_refused(const char *why)
{
	fl.refused_revision = location_content_revision(fl.loc);
	free(fl.refused);
	fl.refused = xstrdup(why != NULL ? why : "refused");
	update_record();
}

int64_t
fleet_revision(void)
{
	return location_content_revision(fl.loc);
}

void
fleet_stop(void)
{
	char	*cause = NULL;

	if (fl.loc == NULL)
		return;
	if (fl.started) {
		fl.stop = 1;	/* the watch looks at least once a second */
		pthread_join(fl.thread, NULL);
		fl.started = 0;
	}
	if (fl.lease != 0) {
		if (etcd_lease_revoke(location_etcd(fl.loc), fl.lease,
		    &cause) != 0) {
			log_cause("fleet: revoking the lease (the record "
			    "goes when it expires): ", cause);
			free(cause);
		} else
			log_info("fleet: unregistered %s", fl.node_key);
		fl.lease = 0;
	}
	if (fl.wcl != NULL)
		etcd_client_free(fl.wcl);
	if (fl.wake[0] != -1) {
		close(fl.wake[0]);
		close(fl.wake[1]);
	}
	free(fl.wprefix);
	free(fl.name);
	free(fl.address);
	free(fl.host);
	free(fl.node_key);
	free(fl.refused);
	memset(&fl, 0, sizeof fl);
	fl.wake[0] = fl.wake[1] = -1;
}
