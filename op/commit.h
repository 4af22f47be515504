/*
 * The commit operation: how every writer of the config, the command line
 * and the terminal UI alike, gets its change onto disk without losing
 * anybody else's.
 *
 * Three things stand between an edited model and the file:
 * - the lock, CONF.lock beside the config (created O_EXCL, holding
 *   "user host pid"), so that two writers never work on the same file at
 *   once. A lock whose pid is dead on this host is stale and is taken
 *   over; a lock from another host is never taken over, since its pid
 *   means nothing here;
 * - the changed-on-disk check: the bytes the writer loaded (a snapshot)
 *   must still be what is on disk, or somebody else's change would be
 *   overwritten;
 * - the "adds errors" check: a change that adds an error finding is
 *   refused unless forced (findings_diff() decides what is new).
 * Then config_save() writes the file atomically, keeping CONF.bak.
 */
#ifndef CERTBIND_OP_COMMIT_H
#define CERTBIND_OP_COMMIT_H

#include <stddef.h>

struct config;
struct findings;

/* A writer's hold on CONF.lock; NULL when it holds nothing. */
struct commit_lock;

/*
 * Takes the lock on the config at path. Returns the lock, or NULL with
 * *cause saying who holds it ("being edited by USER on HOST (pid PID)")
 * or why it could not be made. errno is ENOENT when the config's directory
 * does not exist yet (nobody can be editing it then).
 */
struct commit_lock *commit_lock_take(const char *path, char **cause);
/* Removes the lock file, if it is still this process's; frees l. */
void	 commit_lock_release(struct commit_lock *l);

/*
 * The bytes of the file as a writer loaded it. exists is 0 when there was
 * no file (a first start).
 */
struct commit_snapshot {
	char	*data;
	size_t	 len;
	int	 exists;
};

struct errlist;
/*
 * Loads the config at path the way a writer must: the bytes are read once,
 * kept in snap, and parsed from there, so the changed-on-disk check
 * compares against exactly what was parsed. Every problem goes to errs.
 */
int	 commit_load(const char *path, struct commit_snapshot *snap,
	    struct config **out, struct errlist *errs);
/* Reads the file at path into snap: 0, or -1 and *cause. */
int	 commit_snapshot_take(const char *path, struct commit_snapshot *snap,
	    char **cause);
void	 commit_snapshot_clear(struct commit_snapshot *snap);
/*
 * Whether the file at path is no longer snap: 1 changed (or appeared, or
 * went away), 0 the same, -1 unreadable (*cause).
 */
int	 commit_changed(const char *path, const struct commit_snapshot *snap,
	    char **cause);

/*
 * The findings of the change from before (NULL: no file yet) to after,
 * the way a commit judges it (certificate files read, no network):
 * what it adds and what it removes. Returns the number of error findings
 * added.
 */
size_t	 commit_findings(const struct config *before,
	    const struct config *after, struct findings *added,
	    struct findings *removed);

/* Why commit() did not write. */
enum commit_status {
	COMMIT_SAVED = 0,
	COMMIT_ADDS_ERRORS,	/* refused: the change adds error findings */
	COMMIT_CHANGED,		/* refused: the file changed since loaded */
	COMMIT_FAILED		/* the save failed: *cause */
};

#define COMMIT_FORCE	0x1	/* write even when the change adds errors */

/*
 * Writes after to path, under a lock the caller holds, when the file is
 * still snap and the change from before adds no error finding (unless
 * COMMIT_FORCE). On COMMIT_ADDS_ERRORS, the new errors are appended to
 * errors if not NULL. On success, snap is updated to the file written.
 *
 * remote: the location path is the checkout of (op/location.h), or NULL.
 * For an etcd location the save is then pushed: a push that loses its
 * race is COMMIT_CHANGED, one etcd refuses COMMIT_FAILED, and either way
 * the checkout's file is put back to snap, so nothing claims a write
 * that etcd does not hold.
 */
struct location;
enum commit_status commit(const char *path, struct location *remote,
	    const struct commit_lock *l,
	    struct commit_snapshot *snap, const struct config *before,
	    const struct config *after, int flags, struct findings *errors,
	    char **cause);

#endif
