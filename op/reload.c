/*
 * certbind reload: find certbindd by its pidfile, send it SIGHUP, and
 * watch it take the new config by probing its listeners.
 *
 * The one idea: the pidfile is not trusted to be current. certbindd may
 * be unable to remove it at exit (it has dropped root by then), so the
 * pid it names is checked to be alive and to be certbindd before it is
 * signalled: a stale file must never make certbind signal an unrelated
 * process that reused the pid.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/findings.h"
#include "op/probe.h"
#include "op/reload.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

#define PIDFILE_MAX	64
#define CERTBINDD_COMM	"certbindd"
/* Between probe rounds: long enough for certbindd to load, short enough
 * that a fast reload is seen at once. */
#define VERIFY_PAUSE_MS	200
/*
 * A round is not started with less time left than this for a handshake:
 * one cut short would report a listener as refusing when it was only
 * slow, worse than the previous round's answer.
 */
#define VERIFY_MIN_HANDSHAKE_MS	1000

/*
 * The name of process pid as the kernel has it (/proc/PID/comm), or NULL.
 * Not fileio_read(): /proc files claim a size of 0.
 */
static char *
proc_comm(pid_t pid)
{
	char	 path[64], buf[64];
	ssize_t	 r;
	int	 fd;

	snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return NULL;
	buf[r] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

/* The program's file name, for a comm that was changed (prctl). */
static int
proc_exe_is(pid_t pid, const char *name)
{
	char	 path[64], buf[4096];
	const char *base;
	ssize_t	 r;

	snprintf(path, sizeof path, "/proc/%ld/exe", (long)pid);
	if ((r = readlink(path, buf, sizeof buf - 1)) <= 0)
		return 0;
	buf[r] = '\0';
	base = strrchr(buf, '/');
	base = base != NULL ? base + 1 : buf;
	return strcmp(base, name) == 0;
}

int
certbindd_pid(const struct config *cfg, pid_t *pidp, char **cause)
{
	const struct config_server	*srv = config_server(cfg);
	const char			*cpath = config_path(cfg);
	char				*path, *ep, *data = NULL, *why = NULL;
	char				*end, *comm, *ec;
	size_t				 len = 0;
	long				 pid;
	int				 rc = -1, alive;

	if (srv == NULL || srv->pidfile == NULL) {
		ec = escape_str(cpath != NULL ? cpath : "the config", 0);
		*cause = xasprintf("no server.pidfile in %s: add pidfile = "
		    "\"/run/certbindd.pid\"; to its server group and restart "
		    "certbindd, so that certbind can find it", ec);
		free(ec);
		return -1;
	}
	path = config_resolve_path(cfg, srv->pidfile);
	ep = escape_str(path, 0);
	if (fileio_read(path, PIDFILE_MAX, 0, &data, &len, NULL, &why) != 0) {
		if (access(path, F_OK) == -1 && errno == ENOENT)
			*cause = xasprintf("%s does not exist: is certbindd "
			    "started?", ep);
		else
			*cause = xasprintf("cannot read the pidfile %s: %s", ep,
			    why != NULL ? why : strerror(errno));
		goto out;
	}
	errno = 0;
	pid = strtol(data, &end, 10);
	if (end == data || errno != 0 || pid <= 1 || pid > (long)INT32_MAX ||
	    (*end != '\0' && strcmp(end, "\n") != 0)) {
		ec = escape_str(data, 0);
		*cause = xasprintf("%s does not hold a pid but '%s': remove it "
		    "and restart certbindd", ep, ec);
		free(ec);
		goto out;
	}
	/* EPERM: alive, but another user's; its name still tells. */
	alive = kill((pid_t)pid, 0) == 0 || errno == EPERM;
	if (!alive) {
		*cause = xasprintf("%s names pid %ld, which is not running: is "
		    "certbindd started?", ep, pid);
		goto out;
	}
	if ((comm = proc_comm((pid_t)pid)) == NULL) {
		*cause = xasprintf("%s names pid %ld, but /proc does not say "
		    "which program that is: certbind needs /proc to tell "
		    "certbindd from a process that reused the pid", ep, pid);
		goto out;
	}
	if (strcmp(comm, CERTBINDD_COMM) != 0 &&
	    !proc_exe_is((pid_t)pid, CERTBINDD_COMM)) {
		ec = escape_str(comm, 0);
		*cause = xasprintf("%s names pid %ld, which is '%s', not "
		    "certbindd: the file is stale; is certbindd started?", ep,
		    pid, ec);
		free(ec);
		free(comm);
		goto out;
	}
	free(comm);
	*pidp = (pid_t)pid;
	rc = 0;
out:
	free(why);
	free(data);
	free(ep);
	free(path);
	return rc;
}

int
certbindd_signal(const struct config *cfg, int sig, char **cause)
{
	pid_t	 pid;

	if (certbindd_pid(cfg, &pid, cause) != 0)
		return -1;
	if (kill(pid, sig) == -1) {
		*cause = xasprintf("cannot signal certbindd (pid %ld): %s%s",
		    (long)pid, strerror(errno), errno == EPERM ? ": run "
		    "certbind as root or as the user certbindd runs as" : "");
		return -1;
	}
	return 0;
}

static long long
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The probes of a round that matched, kept until the round is known last. */
struct okrec {
	char	*object;
	char	*key;
	char	*fpr;
};

struct oklist {
	struct okrec	*v;
	size_t		 n;
	size_t		 cap;
};

static void
ok_collect(void *arg, const char *object, const char *key, const char *fpr)
{
	struct oklist	*l = arg;
	struct okrec	*r;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	r = &l->v[l->n++];
	r->object = xstrdup(object);
	r->key = key != NULL ? xstrdup(key) : NULL;
	r->fpr = fpr != NULL ? xstrdup(fpr) : NULL;
}

static void
ok_clear(struct oklist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].object);
		free(l->v[i].key);
		free(l->v[i].fpr);
	}
	l->n = 0;
}

/*
 * Whether waiting may still change the answer: a listener serving the old
 * certificate or refusing is a reload in progress; a prediction that
 * could not be made (unreadable) will not be made by waiting.
 */
static int
worth_waiting(const struct findings *fs)
{
	size_t	 i;

	for (i = 0; i < fs->n; i++) {
		if (strcmp(fs->v[i].code, F_UNREADABLE) != 0)
			return 1;
	}
	return 0;
}

size_t
reload_verify(const struct config *cfg, int timeout_ms, probe_ok_fn ok,
    void *arg, struct findings *fs)
{
	struct findings	 round = FINDINGS_INIT;
	struct oklist	 oks = { NULL, 0, 0 };
	struct timespec	 ts;
	long long	 deadline, left;
	size_t		 i, n;
	int		 hs;

	if (timeout_ms < 1)
		timeout_ms = 1;
	deadline = mono_ms() + timeout_ms;
	for (;;) {
		findings_clear(&round);
		ok_clear(&oks);
		left = deadline - mono_ms();
		hs = left < 1 ? 1 : left > PROBE_TIMEOUT_MS ? PROBE_TIMEOUT_MS :
		    (int)left;
		probe_run(cfg, NULL, 0, hs, ok_collect, &oks, &round);
		if (!worth_waiting(&round))
			break;
		left = deadline - mono_ms();
		if (left < VERIFY_PAUSE_MS + VERIFY_MIN_HANDSHAKE_MS)
			break;
		ts.tv_sec = VERIFY_PAUSE_MS / 1000;
		ts.tv_nsec = (VERIFY_PAUSE_MS % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
	if (ok != NULL) {
		for (i = 0; i < oks.n; i++)
			ok(arg, oks.v[i].object, oks.v[i].key, oks.v[i].fpr);
	}
	ok_clear(&oks);
	free(oks.v);
	n = round.n;
	findings_move(fs, &round);
	findings_clear(&round);
	return n;
}

/* Whether a binding of cf names key name. */
static int
key_bound(const struct config *cf, const char *name)
{
	size_t	i;

	for (i = 0; i < config_nbindings(cf); i++) {
		if (strcmp(config_binding(cf, i)->key, name) == 0)
			return 1;
	}
	return 0;
}

/*
 * What certbindd serves of a config: everything but the keys no binding
 * names (pending or spare: no client sees them), the keys' acme blocks
 * and the acme group. The text of that, for comparing.
 */
static char *
served_text(const struct config *cf)
{
	struct config	*c = config_dup(cf);
	const struct config_key *k;
	char		*name, *text;
	size_t		 i;

	for (i = config_nkeys(c); i-- > 0;) {
		k = config_key(c, i);
		name = xstrdup(k->name);
		if (k->cert == NULL || !key_bound(c, name))
			(void)config_key_remove(c, name, NULL);
		else
			(void)config_key_acme_set(c, name, NULL, NULL);
		free(name);
	}
	config_acme_remove(c);
	text = config_serialize(c);
	config_free(c);
	return text;
}

int
reload_needed(const struct config *before, const struct config *after)
{
	char	*a, *b;
	int	 differ;

	if (before == NULL)
		return 1;
	a = served_text(before);
	b = served_text(after);
	differ = strcmp(a, b) != 0;
	free(a);
	free(b);
	return differ;
}
