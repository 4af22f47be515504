/*
 * The commit operation (see commit.h): the lock beside the config, the
 * snapshot a writer loaded, and the one way a change reaches the file.
 * Both front ends call commit(); neither writes the config any other way.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "op/check.h"
#include "op/commit.h"
#include "op/location.h"
#include "util/errlist.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

struct commit_lock {
	char	*path;		/* CONF.lock */
};

/* The longest lock file: "user host pid\n". */
#define LOCK_MAX	4096

static void
self_identity(char *user, size_t ulen, char *host, size_t hlen)
{
	struct passwd	*pw;
	const char	*u = NULL;

	if ((pw = getpwuid(getuid())) != NULL)
		u = pw->pw_name;
	if (u == NULL)
		u = getenv("USER");
	if (u == NULL)
		u = "unknown";
	snprintf(user, ulen, "%s", u);
	if (gethostname(host, hlen) != 0)
		snprintf(host, hlen, "unknown");
	host[hlen - 1] = '\0';
}

/* What this process writes in a lock: "user host pid\n". */
static int
lock_line(char *buf, size_t size)
{
	char	user[64], host[256];

	self_identity(user, sizeof user, host, sizeof host);
	return snprintf(buf, size, "%s %s %ld\n", user, host,
	    (long)getpid());
}

static int
lock_create(const char *path)
{
	char	buf[512];
	int	fd, n, saved;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	n = lock_line(buf, sizeof buf);
	errno = 0;
	if (write(fd, buf, (size_t)n) != n) {
		/* A short write is a full disk; keep what write(2) said. */
		saved = errno != 0 ? errno : ENOSPC;
		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

struct commit_lock *
commit_lock_take(const char *path, char **cause)
{
	struct commit_lock	*l;
	char			 user[64], host[256], ouser[64], ohost[256];
	char			*lpath, *data = NULL;
	size_t			 len;
	long			 pid;
	int			 tries, saved;

	lpath = xasprintf("%s.lock", path);
	for (tries = 0; tries < 2; tries++) {
		if (lock_create(lpath) == 0) {
			l = xcalloc(1, sizeof *l);
			l->path = lpath;
			return l;
		}
		if (errno != EEXIST) {
			saved = errno;
			*cause = xasprintf("cannot create %s: %s", lpath,
			    strerror(errno));
			free(lpath);
			errno = saved;
			return NULL;
		}
		if (fileio_read(lpath, LOCK_MAX, FILEIO_NOFOLLOW, &data, &len,
		    NULL, cause) != 0) {
			free(lpath);
			errno = EEXIST;
			return NULL;
		}
		if (sscanf(data, "%63s %255s %ld", ouser, ohost, &pid) != 3) {
			*cause = xasprintf("%s exists but is not a lock "
			    "certbind wrote; remove it if no session is open",
			    lpath);
			free(data);
			free(lpath);
			errno = EEXIST;
			return NULL;
		}
		free(data);
		data = NULL;
		self_identity(user, sizeof user, host, sizeof host);
		if (strcmp(ohost, host) == 0 && pid > 0 &&
		    kill((pid_t)pid, 0) == -1 && errno == ESRCH) {
			/* Its session died without unlocking: take it. */
			unlink(lpath);
			continue;
		}
		*cause = xasprintf("being edited by %s on %s (pid %ld)",
		    ouser, ohost, pid);
		free(lpath);
		errno = EEXIST;
		return NULL;
	}
	*cause = xasprintf("could not take %s", lpath);
	free(lpath);
	errno = EEXIST;
	return NULL;
}

void
commit_lock_release(struct commit_lock *l)
{
	char	*data = NULL, *cause = NULL, mine[512];
	size_t	 len;

	if (l == NULL)
		return;
	/*
	 * Remove only our own lock, should someone have replaced it: the
	 * whole line, since our pid alone may be another host's too.
	 */
	if (fileio_read(l->path, LOCK_MAX, FILEIO_NOFOLLOW, &data, &len,
	    NULL, &cause) == 0) {
		lock_line(mine, sizeof mine);
		if (len == strlen(mine) && memcmp(data, mine, len) == 0)
			unlink(l->path);
		free(data);
	} else
		free(cause);
	free(l->path);
	free(l);
}

int
commit_snapshot_take(const char *path, struct commit_snapshot *snap,
    char **cause)
{
	commit_snapshot_clear(snap);
	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	if (fileio_read(path, CONFIG_MAX_SIZE, 0, &snap->data, &snap->len,
	    NULL, cause) != 0)
		return -1;
	snap->exists = 1;
	return 0;
}

void
commit_snapshot_clear(struct commit_snapshot *snap)
{
	free(snap->data);
	memset(snap, 0, sizeof *snap);
}

int
commit_load(const char *path, struct commit_snapshot *snap,
    struct config **out, struct errlist *errs)
{
	char	*cause = NULL;

	*out = NULL;
	commit_snapshot_clear(snap);
	if (fileio_read(path, CONFIG_MAX_SIZE, 0, &snap->data, &snap->len,
	    NULL, &cause) != 0) {
		errlist_add_owned(errs, cause);
		return -1;
	}
	snap->exists = 1;
	if (config_parse(snap->data, snap->len, path, out, errs) != 0)
		return -1;
	config_set_path(*out, path);
	return 0;
}

int
commit_changed(const char *path, const struct commit_snapshot *snap,
    char **cause)
{
	struct commit_snapshot	 now = { NULL, 0, 0 };
	int			 changed;

	if (commit_snapshot_take(path, &now, cause) != 0)
		return -1;
	changed = now.exists != snap->exists || now.len != snap->len ||
	    (now.len != 0 && memcmp(now.data, snap->data, now.len) != 0);
	commit_snapshot_clear(&now);
	return changed;
}

size_t
commit_findings(const struct config *before, const struct config *after,
    struct findings *added, struct findings *removed)
{
	struct findings		 a = FINDINGS_INIT, b = FINDINGS_INIT;
	struct check_opts	 o;
	size_t			 nerr;

	/*
	 * Offline: whether a change adds errors must not depend on which
	 * host it is judged on, nor on what the network says today.
	 */
	check_opts_default(&o);
	o.offline = 1;
	if (before != NULL)
		check_config(before, &o, &a);
	check_config(after, &o, &b);
	nerr = findings_diff(&a, &b, added, removed);
	findings_clear(&a);
	findings_clear(&b);
	return nerr;
}

enum commit_status
commit(const char *path, struct location *remote, const struct commit_lock *l,
    struct commit_snapshot *snap, const struct config *before,
    const struct config *after, int flags, struct findings *errors,
    char **cause)
{
	struct findings	 added = FINDINGS_INIT;
	enum location_push_status pushed;
	char		*why = NULL;
	size_t		 i;
	int		 changed;

	(void)l;	/* held by the caller for as long as this runs */
	if ((changed = commit_changed(path, snap, cause)) != 0) {
		if (changed == 1)
			*cause = xasprintf("%s changed on disk since it was "
			    "read (another session, an editor, or a certbind "
			    "command); it was not overwritten", path);
		return changed == 1 ? COMMIT_CHANGED : COMMIT_FAILED;
	}
	if (commit_findings(before, after, &added, NULL) != 0 &&
	    !(flags & COMMIT_FORCE)) {
		for (i = 0; i < added.n && errors != NULL; i++)
			if (added.v[i].severity == SEV_ERROR)
				findings_copy(errors, &added.v[i]);
		findings_clear(&added);
		*cause = xstrdup("this change adds errors");
		return COMMIT_ADDS_ERRORS;
	}
	findings_clear(&added);
	if (config_save(after, path, cause) != 0)
		return COMMIT_FAILED;
	if (remote != NULL && (pushed = location_push(remote, NULL,
	    cause)) != LOCATION_PUSHED) {
		/* The checkout goes back to what etcd still holds. */
		if (snap->exists && fileio_write_atomic(path, snap->data,
		    snap->len, 0600, NULL, &why) != 0)
			free(why);
		return pushed == LOCATION_LOST ? COMMIT_CHANGED :
		    COMMIT_FAILED;
	}
	if (commit_snapshot_take(path, snap, cause) != 0) {
		/* Written, but unreadable now: the next commit will say so. */
		free(*cause);
		*cause = NULL;
	}
	return COMMIT_SAVED;
}
