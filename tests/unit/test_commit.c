/*
 * The commit operation (op/commit.c), the one way both front ends write
 * the config: the lock beside it (taken, refused naming its holder, taken
 * over only when stale on this host, released only when ours), the
 * changed-on-disk check, the "adds errors" check and --force, and which
 * findings a change adds and removes. Every config and lock is a file in
 * a directory the test makes and removes.
 */

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "op/check.h"
#include "op/commit.h"
#include "util/errlist.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

/* The scratch directory and the config in it, for one test. */
struct scratch {
	char	 dir[64];
	char	*conf;
	char	*lock;
};

static int
setup(void **state)
{
	struct scratch	*s = xcalloc(1, sizeof *s);

	snprintf(s->dir, sizeof s->dir, "%s", "/tmp/certbind-commit.XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	s->conf = xasprintf("%s/c.conf", s->dir);
	s->lock = xasprintf("%s/c.conf.lock", s->dir);
	*state = s;
	return 0;
}

static int
teardown(void **state)
{
	struct scratch	*s = *state;
	char		*cmd;

	/* mkdtemp's name holds nothing the shell would read as special. */
	cmd = xasprintf("rm -rf '%s'", s->dir);
	if (system(cmd) != 0)
		print_error("could not remove %s\n", s->dir);
	free(cmd);
	free(s->conf);
	free(s->lock);
	free(s);
	return 0;
}

static void
put(const char *path, const char *text)
{
	assert_int_equal(fileio_write_atomic(path, text, strlen(text), 0644,
	    NULL, NULL), 0);
}

/* The whole file, allocated; NULL when there is none. */
static char *
get(const char *path)
{
	char	*data = NULL, *cause = NULL;
	size_t	 len;

	if (fileio_read(path, 1 << 20, 0, &data, &len, NULL, &cause) != 0) {
		free(cause);
		return NULL;
	}
	return data;
}

static int
exists(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0;
}

static void
self(char *user, size_t ulen, char *host, size_t hlen)
{
	const char	*u;

	/* Only to look for the names in messages: a prefix is enough. */
	u = getenv("USER");
	snprintf(user, ulen, "%s", u != NULL ? u : "");
	assert_int_equal(gethostname(host, hlen), 0);
	host[hlen - 1] = '\0';
}

/* A pid that was alive a moment ago and is not any more. */
static pid_t
dead_pid(void)
{
	pid_t	 pid;
	int	 status;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return pid;
}

static void
test_lock_take_release(void **state)
{
	struct scratch		*s = *state;
	struct commit_lock	*l, *l2;
	char			*cause = NULL, *text, user[64], host[256];
	char			 want[64];

	self(user, sizeof user, host, sizeof host);
	l = commit_lock_take(s->conf, &cause);
	assert_non_null(l);
	assert_null(cause);
	assert_true(exists(s->lock));
	text = get(s->lock);
	assert_non_null(text);
	snprintf(want, sizeof want, " %ld\n", (long)getpid());
	assert_non_null(strstr(text, host));
	assert_non_null(strstr(text, want));
	free(text);

	/* A second writer, even this process, is refused with the holder. */
	l2 = commit_lock_take(s->conf, &cause);
	assert_null(l2);
	assert_int_equal(errno, EEXIST);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "being edited by"));
	assert_non_null(strstr(cause, user));
	assert_non_null(strstr(cause, host));
	snprintf(want, sizeof want, "(pid %ld)", (long)getpid());
	assert_non_null(strstr(cause, want));
	free(cause);
	assert_true(exists(s->lock));

	commit_lock_release(l);
	assert_false(exists(s->lock));
	/* Released, it can be taken again. */
	cause = NULL;
	l = commit_lock_take(s->conf, &cause);
	assert_non_null(l);
	commit_lock_release(l);
	assert_false(exists(s->lock));
	commit_lock_release(NULL);
}

static void
test_lock_stale(void **state)
{
	struct scratch		*s = *state;
	struct commit_lock	*l;
	char			*cause = NULL, *text, *old;
	char			 user[64], host[256], want[64];

	self(user, sizeof user, host, sizeof host);
	/* Its session died without unlocking: the lock is taken over. */
	old = xasprintf("someone %s %ld\n", host, (long)dead_pid());
	put(s->lock, old);
	l = commit_lock_take(s->conf, &cause);
	if (l == NULL)
		fail_msg("a stale lock was not taken over: %s", cause);
	text = get(s->lock);
	snprintf(want, sizeof want, " %ld\n", (long)getpid());
	assert_non_null(strstr(text, want));
	free(text);
	commit_lock_release(l);
	assert_false(exists(s->lock));
	free(old);
}

static void
test_lock_other_host(void **state)
{
	struct scratch		*s = *state;
	struct commit_lock	*l;
	char			*cause = NULL, *text, *old;
	long			 pids[2];
	size_t			 i;

	/*
	 * Another host's pid means nothing here, dead or alive: the lock is
	 * never taken over, and is left as it was.
	 */
	pids[0] = (long)dead_pid();
	pids[1] = (long)getpid();
	for (i = 0; i < 2; i++) {
		old = xasprintf("alice elsewhere.invalid %ld\n", pids[i]);
		put(s->lock, old);
		cause = NULL;
		l = commit_lock_take(s->conf, &cause);
		assert_null(l);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "alice"));
		assert_non_null(strstr(cause, "elsewhere.invalid"));
		free(cause);
		text = get(s->lock);
		assert_string_equal(text, old);
		free(text);
		free(old);
	}
}

static void
test_lock_not_certbinds(void **state)
{
	struct scratch		*s = *state;
	char			*cause = NULL, *text;

	/* A file that is not "user host pid" is nobody's to remove. */
	put(s->lock, "garbage\n");
	assert_null(commit_lock_take(s->conf, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "not a lock"));
	free(cause);
	text = get(s->lock);
	assert_string_equal(text, "garbage\n");
	free(text);
}

static void
test_lock_release_only_ours(void **state)
{
	struct scratch		*s = *state;
	struct commit_lock	*l;
	char			*cause = NULL, *text, *other;
	char			 user[64], host[256];

	self(user, sizeof user, host, sizeof host);
	l = commit_lock_take(s->conf, &cause);
	assert_non_null(l);
	/* Somebody replaced it (removed it by hand, then took it). */
	other = xasprintf("bob %s %ld\n", host, (long)getppid());
	put(s->lock, other);
	commit_lock_release(l);
	assert_true(exists(s->lock));
	text = get(s->lock);
	assert_string_equal(text, other);
	free(text);
	free(other);

	/* A pid that merely ends in ours is not ours. */
	assert_int_equal(unlink(s->lock), 0);
	l = commit_lock_take(s->conf, &cause);
	assert_non_null(l);
	other = xasprintf("bob %s 9%ld\n", host, (long)getpid());
	put(s->lock, other);
	commit_lock_release(l);
	assert_true(exists(s->lock));
	free(other);

	/*
	 * Nor is our pid on another host (a config on a shared file
	 * system): a lock is ours only as lock_create wrote it.
	 */
	assert_int_equal(unlink(s->lock), 0);
	l = commit_lock_take(s->conf, &cause);
	assert_non_null(l);
	other = xasprintf("bob elsewhere.invalid %ld\n", (long)getpid());
	put(s->lock, other);
	commit_lock_release(l);
	assert_true(exists(s->lock));
	text = get(s->lock);
	assert_string_equal(text, other);
	free(text);
	free(other);
}

/* A config with one listener and nothing to serve it: one error. */
static char *
conf_text(const struct scratch *s, int listener)
{
	return xasprintf("version = 1;\nstore = \"%s\";\n%s", s->dir,
	    listener ? "server = {\n  listen = (\n    { endpoint = "
	    "\"*:443\"; backend = \"127.0.0.1:8080\"; }\n  );\n};\n" : "");
}

static struct config *
load(const struct scratch *s, struct commit_snapshot *snap)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*cf = NULL;
	size_t		 i;

	if (commit_load(s->conf, snap, &cf, &errs) != 0) {
		for (i = 0; i < errs.n; i++)
			print_error("%s\n", errs.v[i]);
		fail_msg("commit_load failed");
	}
	errlist_clear(&errs);
	return cf;
}

static void
add_listener(struct config *cf, const char *where)
{
	struct endpoint	 ep, be;

	assert_int_equal(endpoint_parse(where, &ep, NULL), 0);
	assert_int_equal(endpoint_parse("127.0.0.1:8080", &be, NULL), 0);
	assert_int_equal(config_listen(cf, &ep, &be, NULL), 0);
}

static int
has_code(const struct findings *fs, const char *code, enum severity sev)
{
	size_t	 i;

	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->v[i].code, code) == 0 &&
		    fs->v[i].severity == sev)
			return 1;
	return 0;
}

static void
test_load_missing(void **state)
{
	struct scratch		*s = *state;
	struct commit_snapshot	 snap = { NULL, 0, 0 };
	struct errlist		 errs = ERRLIST_INIT;
	struct config		*cf = NULL;

	assert_int_equal(commit_load(s->conf, &snap, &cf, &errs), -1);
	assert_null(cf);
	assert_true(errs.n > 0);
	errlist_clear(&errs);
	commit_snapshot_clear(&snap);
}

static void
test_commit_changed_on_disk(void **state)
{
	struct scratch		*s = *state;
	struct commit_snapshot	 snap = { NULL, 0, 0 };
	struct commit_lock	*l;
	struct config		*before, *after;
	char			*text, *other, *cause = NULL, *now, *bak;

	text = conf_text(s, 0);
	put(s->conf, text);
	before = load(s, &snap);
	assert_int_equal(commit_changed(s->conf, &snap, NULL), 0);
	after = config_dup(before);
	add_listener(after, "*:443");

	/* Somebody else's change lands after the load. */
	other = xasprintf("%s# edited by hand\n", text);
	put(s->conf, other);
	assert_int_equal(commit_changed(s->conf, &snap, NULL), 1);
	l = commit_lock_take(s->conf, &cause);
	assert_non_null(l);
	assert_int_equal(commit(s->conf, NULL, l, &snap, before, after,
	    COMMIT_FORCE, NULL, &cause), COMMIT_CHANGED);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "changed on disk"));
	free(cause);
	cause = NULL;
	now = get(s->conf);
	assert_string_equal(now, other);
	free(now);
	bak = xasprintf("%s.bak", s->conf);
	assert_false(exists(bak));

	/* A file that went away has changed too: nothing is recreated. */
	assert_int_equal(unlink(s->conf), 0);
	assert_int_equal(commit(s->conf, NULL, l, &snap, before, after, 0, NULL,
	    &cause), COMMIT_CHANGED);
	free(cause);
	assert_false(exists(s->conf));
	assert_false(exists(bak));
	commit_lock_release(l);

	free(bak);
	free(other);
	free(text);
	config_free(after);
	config_free(before);
	commit_snapshot_clear(&snap);
}

static void
test_commit_adds_errors(void **state)
{
	struct scratch		*s = *state;
	struct commit_snapshot	 snap = { NULL, 0, 0 };
	struct findings		 errors = FINDINGS_INIT;
	struct commit_lock	*l;
	struct config		*before, *after, *again;
	char			*text, *cause = NULL, *now, *bak;
	size_t			 i;

	text = conf_text(s, 0);
	put(s->conf, text);
	before = load(s, &snap);
	after = config_dup(before);
	add_listener(after, "*:443");
	l = commit_lock_take(s->conf, &cause);
	assert_non_null(l);

	assert_int_equal(commit(s->conf, NULL, l, &snap, before, after, 0, &errors,
	    &cause), COMMIT_ADDS_ERRORS);
	free(cause);
	cause = NULL;
	/* The new errors are listed, and nothing but errors. */
	assert_true(errors.n > 0);
	assert_true(has_code(&errors, F_UNSERVED_LISTENER, SEV_ERROR));
	for (i = 0; i < errors.n; i++)
		assert_int_equal(errors.v[i].severity, SEV_ERROR);
	findings_clear(&errors);
	now = get(s->conf);
	assert_string_equal(now, text);
	free(now);

	/* Forced, it is written, the old file kept, the snapshot updated. */
	assert_int_equal(commit(s->conf, NULL, l, &snap, before, after,
	    COMMIT_FORCE, &errors, &cause), COMMIT_SAVED);
	assert_int_equal(errors.n, 0);
	bak = xasprintf("%s.bak", s->conf);
	now = get(bak);
	assert_string_equal(now, text);
	free(now);
	assert_int_equal(commit_changed(s->conf, &snap, NULL), 0);
	again = load(s, &snap);
	assert_int_equal(config_nlisteners(again), 1);
	commit_lock_release(l);

	free(bak);
	free(text);
	config_free(again);
	config_free(after);
	config_free(before);
	commit_snapshot_clear(&snap);
}

static void
test_commit_saved(void **state)
{
	struct scratch		*s = *state;
	struct commit_snapshot	 snap = { NULL, 0, 0 };
	struct commit_lock	*l;
	struct config		*before, *after;
	struct endpoint		 ep;
	char			*text, *cause = NULL, *now;

	/* Removing what is wrong adds no error: no force needed. */
	text = conf_text(s, 1);
	put(s->conf, text);
	before = load(s, &snap);
	after = config_dup(before);
	assert_int_equal(endpoint_parse("*:443", &ep, NULL), 0);
	assert_int_equal(config_unlisten(after, &ep, NULL), 0);
	l = commit_lock_take(s->conf, &cause);
	assert_non_null(l);
	assert_int_equal(commit(s->conf, NULL, l, &snap, before, after, 0, NULL,
	    &cause), COMMIT_SAVED);
	commit_lock_release(l);
	now = get(s->conf);
	assert_null(strstr(now, "*:443"));
	free(now);
	free(text);
	config_free(after);
	config_free(before);
	commit_snapshot_clear(&snap);
}

static void
test_findings_identity(void **state)
{
	struct scratch		*s = *state;
	struct findings		 added = FINDINGS_INIT, removed = FINDINGS_INIT;
	struct config		*one, *two;
	struct commit_snapshot	 snap = { NULL, 0, 0 };
	char			*text;
	size_t			 i;

	text = conf_text(s, 1);
	put(s->conf, text);
	one = load(s, &snap);

	/* The same config: nothing added, nothing removed. */
	assert_int_equal(commit_findings(one, one, &added, &removed), 0);
	assert_int_equal(added.n, 0);
	assert_int_equal(removed.n, 0);

	/* No file yet: everything the config has is new. */
	assert_int_equal(commit_findings(NULL, one, &added, NULL), 1);
	assert_true(has_code(&added, F_UNSERVED_LISTENER, SEV_ERROR));
	findings_clear(&added);

	/*
	 * A second unserved listener: only its finding is new; the first
	 * listener's is the same finding, though it is not the same record.
	 */
	two = config_dup(one);
	add_listener(two, "127.0.0.2:8443");
	assert_int_equal(commit_findings(one, two, &added, &removed), 1);
	assert_int_equal(removed.n, 0);
	for (i = 0; i < added.n; i++)
		if (added.v[i].severity == SEV_ERROR)
			assert_non_null(strstr(added.v[i].object,
			    "127.0.0.2:8443"));
	findings_clear(&added);

	/* The other way round it is removed, and removing adds no error. */
	assert_int_equal(commit_findings(two, one, &added, &removed), 0);
	assert_true(has_code(&removed, F_UNSERVED_LISTENER, SEV_ERROR));
	for (i = 0; i < removed.n; i++)
		if (removed.v[i].severity == SEV_ERROR)
			assert_non_null(strstr(removed.v[i].object,
			    "127.0.0.2:8443"));
	assert_false(has_code(&added, F_UNSERVED_LISTENER, SEV_ERROR));
	findings_clear(&added);
	findings_clear(&removed);

	free(text);
	config_free(two);
	config_free(one);
	commit_snapshot_clear(&snap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lock_take_release,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_stale,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_other_host,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_not_certbinds,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_release_only_ours,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_missing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_changed_on_disk,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_adds_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_saved,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_findings_identity,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
