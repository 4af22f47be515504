/*
 * Reading with a size cap, atomic replacement (with injected failures at
 * every step), exclusive creation with exact modes whatever the umask, and
 * the store directory: creation and the listing the orphan-file check uses.
 * Everything happens in a fresh directory under /tmp.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "util/fileio.h"
#include "core/store.h"
#include "util/xmalloc.h"

static char	*dir;

static int
setup(void **state)
{
	char	 tmpl[] = "/tmp/certbind-test-fileio.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return -1;
	dir = xstrdup(tmpl);
	return 0;
}

static int
teardown(void **state)
{
	char	*cmd;
	int	 rc;

	/* The directory is ours and fresh: remove it whole. */
	cmd = xasprintf("rm -rf '%s'", dir);
	rc = system(cmd);
	free(cmd);
	free(dir);
	dir = NULL;
	return rc == 0 ? 0 : -1;
}

static char *
at(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
put(const char *path, const void *data, size_t len)
{
	FILE	*f;

	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The bytes of a file, read with stdio, independently of fileio_read. */
static char *
get(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;

	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Names in the test directory, sorted, each followed by a space. */
static char *
listing(void)
{
	struct dirent	**v;
	char		 *s = xstrdup(""), *t;
	int		  n, i;

	n = scandir(dir, &v, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") != 0 &&
		    strcmp(v[i]->d_name, "..") != 0) {
			t = xasprintf("%s%s ", s, v[i]->d_name);
			free(s);
			s = t;
		}
		free(v[i]);
	}
	free(v);
	return s;
}

static void
test_read(void **state)
{
	char		*p, *link, *fifo, *sub, *data = NULL, *cause = NULL;
	char		 big[1000];
	size_t		 len;
	struct stat	 st;

	p = at("f");
	memset(big, 'x', sizeof big);
	big[10] = '\0';		/* binary content is read as it is */
	put(p, big, sizeof big);

	assert_int_equal(fileio_read(p, sizeof big, 0, &data, &len, &st,
	    &cause), 0);
	assert_int_equal(len, sizeof big);
	assert_memory_equal(data, big, sizeof big);
	assert_int_equal(data[len], '\0');
	assert_int_equal(st.st_size, (off_t)sizeof big);
	assert_true(S_ISREG(st.st_mode));
	free(data);

	/* One byte over the cap: refused from its size, which is named. */
	assert_int_equal(fileio_read(p, sizeof big - 1, 0, &data, &len, NULL,
	    &cause), -1);
	assert_null(data);
	assert_non_null(strstr(cause, p));
	assert_non_null(strstr(cause, "1000"));
	free(cause);
	cause = NULL;

	/* Missing. */
	sub = at("missing");
	assert_int_equal(fileio_read(sub, 10, 0, &data, &len, NULL, &cause),
	    -1);
	assert_non_null(strstr(cause, sub));
	assert_non_null(strstr(cause, strerror(ENOENT)));
	free(cause);
	cause = NULL;
	free(sub);

	/* A directory and a FIFO are not regular files; the FIFO must not
	 * block the open. */
	assert_int_equal(fileio_read(dir, 10, 0, &data, &len, NULL, &cause),
	    -1);
	assert_non_null(strstr(cause, "not a regular file"));
	free(cause);
	cause = NULL;
	fifo = at("fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(fileio_read(fifo, 10, 0, &data, &len, NULL, &cause),
	    -1);
	assert_non_null(strstr(cause, "not a regular file"));
	free(cause);
	cause = NULL;
	free(fifo);

	/* A symbolic link is followed unless FILEIO_NOFOLLOW. */
	link = at("link");
	assert_int_equal(symlink(p, link), 0);
	assert_int_equal(fileio_read(link, sizeof big, 0, &data, &len, NULL,
	    NULL), 0);
	assert_int_equal(len, sizeof big);
	free(data);
	assert_int_equal(fileio_read(link, sizeof big, FILEIO_NOFOLLOW, &data,
	    &len, NULL, &cause), -1);
	assert_non_null(strstr(cause, "symbolic link"));
	free(cause);
	free(link);

	/* An empty file is an empty string. */
	put(p, "", 0);
	assert_int_equal(fileio_read(p, 0, 0, &data, &len, NULL, NULL), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
	free(p);
}

static void
test_atomic_faults(void **state)
{
	static const char *steps[] = { "write", "fsync", "rename" };
	static const char orig[] = "the original\ncontent\n";
	static const char next[] = "replacement";
	char		*p, *bak, *got, *ls, *cause;
	size_t		 i, len;

	p = at("c.conf");
	bak = at("c.conf.bak");
	put(p, orig, sizeof orig - 1);
	put(bak, "older", 5);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		fileio_inject_fault(steps[i], EIO);
		cause = NULL;
		assert_int_equal(fileio_write_atomic(p, next, sizeof next - 1,
		    0640, bak, &cause), -1);
		assert_non_null(cause);
		assert_non_null(strstr(cause, strerror(EIO)));
		free(cause);
		got = get(p, &len);
		assert_int_equal(len, sizeof orig - 1);
		assert_memory_equal(got, orig, len);
		free(got);
		/* A failed save leaves the old backup too. */
		got = get(bak, &len);
		assert_string_equal(got, "older");
		free(got);
		ls = listing();
		if (strcmp(ls, "c.conf c.conf.bak ") != 0)
			fail_msg("after a failed %s: %s", steps[i], ls);
		free(ls);
	}

	/* The fault is used up: the next write works. */
	assert_int_equal(fileio_write_atomic(p, next, sizeof next - 1, 0640,
	    bak, NULL), 0);
	got = get(p, &len);
	assert_int_equal(len, sizeof next - 1);
	assert_memory_equal(got, next, len);
	free(got);
	got = get(bak, &len);
	assert_int_equal(len, sizeof orig - 1);
	assert_memory_equal(got, orig, len);
	free(got);

	/*
	 * A failed directory sync comes after the rename: it is reported,
	 * and the message says the new content is in place.
	 */
	fileio_inject_fault("dirsync", EIO);
	cause = NULL;
	assert_int_equal(fileio_write_atomic(p, orig, sizeof orig - 1, 0640,
	    NULL, &cause), -1);
	assert_non_null(strstr(cause, "written"));
	free(cause);
	got = get(p, &len);
	assert_memory_equal(got, orig, sizeof orig - 1);
	free(got);
	ls = listing();
	assert_string_equal(ls, "c.conf c.conf.bak ");
	free(ls);
	free(p);
	free(bak);
}

static void
test_atomic_modes(void **state)
{
	static const mode_t masks[] = { 0, 077, 0777, 022 };
	static const mode_t modes[] = { 0640, 0600, 0644 };
	char		*p, *bak, *got, *text;
	struct stat	 st;
	size_t		 i, j, len;
	mode_t		 old;
	int		 n = 0;

	p = at("m.conf");
	bak = at("m.conf.bak");
	/* No previous file: no backup either. */
	assert_int_equal(fileio_write_atomic(p, "0", 1, 0640, bak, NULL), 0);
	assert_int_equal(access(bak, F_OK), -1);
	for (i = 0; i < sizeof masks / sizeof masks[0]; i++) {
		for (j = 0; j < sizeof modes / sizeof modes[0]; j++) {
			text = xasprintf("%d", ++n);
			old = umask(masks[i]);
			assert_int_equal(fileio_write_atomic(p, text,
			    strlen(text), modes[j], bak, NULL), 0);
			umask(old);
			assert_int_equal(stat(p, &st), 0);
			assert_int_equal(st.st_mode & 07777, modes[j]);
			got = get(p, &len);
			assert_string_equal(got, text);
			free(got);
			/* The backup is the previous version. */
			got = get(bak, &len);
			assert_int_equal(atoi(got), n - 1);
			free(got);
			free(text);
		}
	}
	got = listing();
	assert_string_equal(got, "m.conf m.conf.bak ");
	free(got);

	/* Through a symbolic link: the link stays, its target changes. */
	free(p);
	free(bak);
	p = at("real.conf");
	bak = at("link.conf.bak");
	put(p, "old", 3);
	text = at("link.conf");
	assert_int_equal(symlink("real.conf", text), 0);
	assert_int_equal(fileio_write_atomic(text, "new", 3, 0640, bak, NULL),
	    0);
	assert_int_equal(lstat(text, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	got = get(p, &len);
	assert_string_equal(got, "new");
	free(got);
	got = get(bak, &len);
	assert_string_equal(got, "old");
	free(got);
	free(text);

	/* Something that is not a regular file is not replaced. */
	free(p);
	p = at("adir");
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(fileio_write_atomic(p, "x", 1, 0640, NULL, NULL), -1);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	free(p);
	free(bak);
}

static void
test_write_new(void **state)
{
	static const mode_t masks[] = { 0, 077, 0777 };
	char		*p, *link, *got, *cause = NULL;
	struct stat	 st;
	size_t		 i, len;
	mode_t		 old;

	for (i = 0; i < sizeof masks / sizeof masks[0]; i++) {
		p = xasprintf("%s/key%zu", dir, i);
		old = umask(masks[i]);
		assert_int_equal(fileio_write_new(p, "secret", 6, 0600, NULL),
		    0);
		umask(old);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
		/* It exists now: refused, and left as it was. */
		assert_int_equal(fileio_write_new(p, "other", 5, 0600,
		    &cause), -1);
		assert_non_null(strstr(cause, p));
		free(cause);
		cause = NULL;
		got = get(p, &len);
		assert_string_equal(got, "secret");
		free(got);
		free(p);
	}

	/* A symbolic link in the way is not followed. */
	p = at("target");
	link = at("link");
	assert_int_equal(symlink(p, link), 0);
	assert_int_equal(fileio_write_new(link, "x", 1, 0600, NULL), -1);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	free(link);
}

static void
test_store_init(void **state)
{
	static const mode_t masks[] = { 0, 077 };
	char		*s, *p, *cause = NULL;
	struct stat	 st;
	size_t		 i;
	mode_t		 old;

	for (i = 0; i < sizeof masks / sizeof masks[0]; i++) {
		s = xasprintf("%s/a%zu/b/store", dir, i);
		old = umask(masks[i]);
		assert_int_equal(store_init(s, &cause), 0);
		umask(old);
		p = xasprintf("%s/keys", s);
		assert_int_equal(stat(p, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_mode & 07777, 0700);
		free(p);
		p = xasprintf("%s/certs", s);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0755);
		free(p);
		p = xasprintf("%s/requests", s);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0755);
		free(p);
		/* Again, over what exists: fine. */
		assert_int_equal(store_init(s, &cause), 0);
		free(s);
	}

	/* A file where a directory should be is refused, and named. */
	s = at("clash");
	assert_int_equal(mkdir(s, 0755), 0);
	p = xasprintf("%s/certs", s);
	put(p, "x", 1);
	assert_int_equal(store_init(s, &cause), -1);
	assert_non_null(strstr(cause, p));
	free(cause);
	free(p);
	free(s);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
test_store_list(void **state)
{
	struct config	*cf;
	char		*s, *p, **files, *want[4];
	size_t		 n, i;

	s = at("st");
	assert_int_equal(store_init(s, NULL), 0);
	cf = config_new();
	p = at("certbind.conf");
	config_set_path(cf, p);
	free(p);
	config_set_store(cf, "st");

	/* Empty. */
	assert_int_equal(store_list_files(cf, &files, &n), 0);
	assert_int_equal(n, 0);
	store_files_free(files, n);

	want[0] = xasprintf("%s/keys/a.key", s);
	want[1] = xasprintf("%s/certs/a.pem", s);
	want[2] = xasprintf("%s/requests/b.csr", s);
	want[3] = xasprintf("%s/certs/z.pem", s);
	for (i = 0; i < 4; i++)
		put(want[i], "x", 1);
	/* Not listed: hidden files, directories, symbolic links. */
	p = xasprintf("%s/keys/.a.key.tmp", s);
	put(p, "x", 1);
	free(p);
	p = xasprintf("%s/certs/sub", s);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = xasprintf("%s/certs/ln.pem", s);
	assert_int_equal(symlink(want[1], p), 0);
	free(p);

	assert_int_equal(store_list_files(cf, &files, &n), 0);
	assert_int_equal(n, 4);
	qsort(want, 4, sizeof want[0], str_cmp);
	for (i = 0; i < n; i++)
		assert_string_equal(files[i], want[i]);
	store_files_free(files, n);

	/* The same strings config_resolve_path gives for the key's paths. */
	p = config_resolve_path(cf, "keys/a.key");
	assert_string_equal(p, want[2]);
	free(p);
	p = store_dir(cf);
	assert_string_equal(p, s);
	free(p);

	/* A store that is not there has no files. */
	config_set_store(cf, "/nonexistent/certbind-store");
	assert_int_equal(store_list_files(cf, &files, &n), 0);
	assert_int_equal(n, 0);
	store_files_free(files, n);

	for (i = 0; i < 4; i++)
		free(want[i]);
	config_free(cf);
	free(s);
}

/*
 * Edges the other tests do not reach: the exact size limit, a control
 * character in a file name (escaped in the message), a backup name that
 * already links to the file (rename() between two links of one file does
 * nothing, which must not leave a temporary name behind), and a dangling
 * symbolic link where a new key should go.
 */
static void
test_edges(void **state)
{
	char		*p, *bak, *odd, *target, *planted, *data, *cause = NULL;
	char		*ls, *want, buf[1001];
	size_t		 len;
	struct stat	 st;

	/* Exactly at the limit is read; one byte under is refused. */
	memset(buf, 'x', sizeof buf);
	p = at("big");
	put(p, buf, sizeof buf);
	assert_int_equal(fileio_read(p, sizeof buf, 0, &data, &len, NULL,
	    NULL), 0);
	assert_int_equal(len, sizeof buf);
	assert_memory_equal(data, buf, sizeof buf);
	free(data);
	assert_int_equal(fileio_read(p, sizeof buf - 1, 0, &data, &len, NULL,
	    &cause), -1);
	want = xasprintf("%zu", sizeof buf);
	assert_non_null(strstr(cause, want));
	free(want);
	free(cause);
	cause = NULL;
	assert_int_equal(unlink(p), 0);
	free(p);

	/* A name with an escape sequence never reaches the message raw. */
	odd = at("bad\033[2Jname");
	assert_int_equal(fileio_read(odd, 100, 0, &data, &len, NULL,
	    &cause), -1);
	assert_null(strchr(cause, '\033'));
	assert_non_null(strstr(cause, "[2Jname"));
	free(cause);
	cause = NULL;
	free(odd);

	/* A backup that is already another name of the file. */
	p = at("c.conf");
	bak = at("c.conf.bak");
	put(p, "old\n", 4);
	assert_int_equal(link(p, bak), 0);
	assert_int_equal(fileio_write_atomic(p, "new\n", 4, 0640, bak,
	    NULL), 0);
	data = get(p, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(data, "new\n", 4);
	free(data);
	data = get(bak, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(data, "old\n", 4);
	free(data);
	ls = listing();
	assert_string_equal(ls, "c.conf c.conf.bak ");
	free(ls);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(unlink(bak), 0);
	free(p);
	free(bak);

	/* A planted dangling link is not followed to create its target. */
	target = at("elsewhere");
	planted = at("planted.key");
	assert_int_equal(symlink(target, planted), 0);
	assert_int_equal(fileio_write_new(planted, "K", 1, 0600, &cause), -1);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(lstat(target, &st), -1);
	assert_int_equal(errno, ENOENT);
	free(planted);
	free(target);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_faults, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_atomic_modes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_new, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_init, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_store_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_edges, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
