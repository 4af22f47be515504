/*
 * What keeps two sessions and a dropped SSH connection from losing work:
 * the lock file beside the config (CONF.lock, created O_EXCL, holding
 * "user host pid"), the recovery file (CONF.recover, 0600) that SIGHUP and
 * SIGTERM leave behind, and the check that the file on disk is still the
 * one that was loaded before a commit overwrites it.
 *
 * A lock whose pid is dead on this host is stale and is taken over; a lock
 * from another host is never taken over, since its pid means nothing here.
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

#include "core/fileio.h"
#include "core/xmalloc.h"
#include "tui/tui-int.h"

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

static int
try_create(const char *path)
{
	char	user[64], host[256], buf[512];
	int	fd, n;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	self_identity(user, sizeof user, host, sizeof host);
	n = snprintf(buf, sizeof buf, "%s %s %ld\n", user, host,
	    (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		unlink(path);
		errno = EIO;
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Takes the lock. Returns 0 when held; -1 when another session holds it or
 * it cannot be made, with t->readonly set and t->holder saying why.
 */
int
session_lock(struct tui *t)
{
	char	 user[64], host[256], ouser[64], ohost[256], *data = NULL;
	char	*cause = NULL;
	size_t	 len;
	long	 pid;
	int	 tries;

	for (tries = 0; tries < 2; tries++) {
		if (try_create(t->lock_path) == 0) {
			t->locked = 1;
			return 0;
		}
		if (errno == ENOENT && !t->lock_retry) {
			/*
			 * The config's directory does not exist yet (a first
			 * start: the walkthrough makes it). Nobody else can be
			 * editing it; lock again before the commit.
			 */
			t->lock_retry = 1;
			return 0;
		}
		if (errno != EEXIST) {
			t->holder = xasprintf("cannot create %s: %s",
			    t->lock_path, strerror(errno));
			t->readonly = 1;
			return -1;
		}
		if (fileio_read(t->lock_path, 4096, FILEIO_NOFOLLOW, &data,
		    &len, NULL, &cause) != 0) {
			t->holder = cause;
			t->readonly = 1;
			return -1;
		}
		if (sscanf(data, "%63s %255s %ld", ouser, ohost, &pid) != 3) {
			t->holder = xasprintf("%s exists but is not a lock "
			    "certbind wrote; remove it if no session is open",
			    t->lock_path);
			free(data);
			t->readonly = 1;
			return -1;
		}
		free(data);
		data = NULL;
		self_identity(user, sizeof user, host, sizeof host);
		if (strcmp(ohost, host) == 0 && pid > 0 &&
		    kill((pid_t)pid, 0) == -1 && errno == ESRCH) {
			/* Its session died without unlocking: take it. */
			unlink(t->lock_path);
			continue;
		}
		t->holder = xasprintf("being edited by %s on "
		    "%s (pid %ld)", ouser, ohost, pid);
		t->readonly = 1;
		return -1;
	}
	t->holder = xasprintf("could not take %s", t->lock_path);
	t->readonly = 1;
	return -1;
}

void
session_unlock(struct tui *t)
{
	char	*data = NULL, *cause = NULL, mine[32];
	size_t	 len;

	if (!t->locked)
		return;
	/* Remove only our own lock, should someone have replaced it. */
	if (fileio_read(t->lock_path, 4096, FILEIO_NOFOLLOW, &data, &len,
	    NULL, &cause) == 0) {
		snprintf(mine, sizeof mine, " %ld\n", (long)getpid());
		if (len >= strlen(mine) &&
		    strcmp(data + len - strlen(mine), mine) == 0)
			unlink(t->lock_path);
		free(data);
	} else
		free(cause);
	t->locked = 0;
}

int
session_save_recovery(struct tui *t, char **cause)
{
	char	*text;
	int	 r;

	text = config_serialize(t->edit);
	r = fileio_write_atomic(t->recover_path, text, strlen(text), 0600,
	    NULL, cause);
	free(text);
	return r;
}

int
session_has_recovery(struct tui *t)
{
	struct stat	sb;

	return lstat(t->recover_path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int
session_load_recovery(struct tui *t, char **cause)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*c = NULL;
	char		*data;
	size_t		 len;

	if (fileio_read(t->recover_path, CONFIG_MAX_SIZE, FILEIO_NOFOLLOW,
	    &data, &len, NULL, cause) != 0)
		return -1;
	if (config_parse(data, len, t->recover_path, &c, &errs) != 0) {
		*cause = xasprintf("%s", errs.n > 0 ? errs.v[0] :
		    "the recovery file cannot be read");
		errlist_clear(&errs);
		free(data);
		return -1;
	}
	errlist_clear(&errs);
	free(data);
	config_set_path(c, t->path);
	tui_replace_edit(t, c);
	return 0;
}

void
session_discard_recovery(struct tui *t)
{
	unlink(t->recover_path);
}

int
session_disk_changed(struct tui *t, char **cause)
{
	char	*data;
	size_t	 len;
	int	 changed;

	if (fileio_read(t->path, CONFIG_MAX_SIZE, 0, &data, &len, NULL,
	    cause) != 0)
		return -1;
	changed = len != t->disklen || memcmp(data, t->disk, len) != 0;
	free(data);
	return changed;
}
