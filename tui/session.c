/*
 * What keeps two sessions and a dropped SSH connection from losing work:
 * the lock file beside the config, taken for the whole session through
 * the commit operation (op/commit.h), the same lock every command-line
 * writer takes; and the recovery file (CONF.recover, 0600) that SIGHUP and
 * SIGTERM leave behind.
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

#include "util/fileio.h"
#include "util/xmalloc.h"
#include "tui/tui-int.h"

/*
 * Takes the lock (op/commit.c). Returns 0 when held; -1 when another
 * session holds it or it cannot be made, with t->readonly set and
 * t->holder saying why.
 */
int
session_lock(struct tui *t)
{
	char	*cause = NULL;

	if ((t->lock = commit_lock_take(t->path, &cause)) != NULL)
		return 0;
	if (errno == ENOENT && !t->lock_retry) {
		/*
		 * The config's directory does not exist yet (a first start:
		 * the walkthrough makes it). Nobody else can be editing it;
		 * lock again before the commit.
		 */
		free(cause);
		t->lock_retry = 1;
		return 0;
	}
	free(t->holder);
	t->holder = cause;
	t->readonly = 1;
	return -1;
}

void
session_unlock(struct tui *t)
{
	commit_lock_release(t->lock);
	t->lock = NULL;
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
	return commit_changed(t->path, &t->snap, cause);
}
