/*
 * What keeps two sessions and a dropped SSH connection from losing work:
 * the lock file beside the config, taken for the whole session through
 * the commit operation (op/commit.h), the same lock every command-line
 * writer takes; and the recovery file (CONF.recover, 0600; for an etcd
 * location in the run directory, since its checkout goes with the
 * session) that SIGHUP and SIGTERM leave behind. And --propose's loading
 * of the proposal, which must mean the same paths as the config.
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

#include "core/store.h"
#include "op/location.h"
#include "util/escape.h"
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

void
session_print_errs(const struct location *loc, const struct errlist *errs)
{
	char	*named, *e;
	size_t	 i;

	for (i = 0; i < errs->n; i++) {
		named = location_rename(loc, errs->v[i]);
		e = escape_str(named != NULL ? named : errs->v[i], 0);
		fprintf(stderr, "certbind: %s\n", e);
		free(e);
		free(named);
	}
}

struct config *
session_load_proposal(struct tui *t, const char *path)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*p = NULL;
	char		*a, *b;
	int		 same;

	if (config_load(path, &p, &errs) != 0) {
		session_print_errs(t->loc, &errs);
		fprintf(stderr, "certbind: the proposal does not load; "
		    "nothing was opened\n");
		errlist_clear(&errs);
		return NULL;
	}
	errlist_clear(&errs);
	/*
	 * In etcd, relative paths are relative to the location, wherever
	 * the proposal was written: they name PREFIX/files/.
	 */
	if (location_remote(t->loc) && (config_store(p) == NULL ||
	    config_store(p)[0] != '/'))
		config_set_path(p, t->path);
	/* The same store, resolved from where each file is. */
	a = store_dir(t->orig);
	b = store_dir(p);
	same = strcmp(a, b) == 0;
	free(a);
	free(b);
	if (!same && config_nkeys(p) > 0) {
		a = escape_str(path, 0);
		fprintf(stderr, "certbind: %s: its keys' files resolve against "
		    "another store than the config's; give it store = ... "
		    "(the config's) so its paths mean the same there\n", a);
		free(a);
		config_free(p);
		return NULL;
	}
	config_set_path(p, t->path);
	return p;
}

/*
 * Where unsaved edits go when the session is cut: beside the config, or
 * for an etcd location (whose checkout goes when certbind exits) in the
 * run directory, under a name of the location's prefix.
 */
char *
session_recover_path(const struct location *loc)
{
	char	*dir, *name, *p, *out;

	if (!location_remote(loc))
		return xasprintf("%s.recover", location_path(loc));
	dir = location_rundir();
	name = xstrdup(location_prefix(loc) + 1);
	for (p = name; *p != '\0'; p++)
		if (*p == '/')
			*p = '_';
	out = xasprintf("%s/certbind-etcd-%s.recover", dir, name);
	free(name);
	free(dir);
	return out;
}
