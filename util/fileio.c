/*
 * Whole-file reads with a size cap, atomic replacement and exclusive
 * creation. The one idea: a file is never modified in place. A new version
 * is written beside the old one, made durable, and only then renamed over
 * it, so a crash or a full disk leaves either the old file or the new one,
 * never a mixture. Every message names the file, escaped, because paths
 * come from the config and the config is untrusted text.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

/* Set by fileio_inject_fault(); consumed by the next atomic write. */
static char	fault_step[16];
static int	fault_errno;

void
fileio_inject_fault(const char *step, int err)
{
	if (step == NULL) {
		fault_step[0] = '\0';
		return;
	}
	strncpy(fault_step, step, sizeof fault_step - 1);
	fault_step[sizeof fault_step - 1] = '\0';
	fault_errno = err;
}

/* Whether the injected fault is for this step; sets errno if so. */
static int
fault(const char *step)
{
	if (fault_step[0] == '\0' || strcmp(fault_step, step) != 0)
		return 0;
	errno = fault_errno;
	return 1;
}

static fileio_opener	opener;

void
fileio_set_opener(fileio_opener fn)
{
	opener = fn;
}

int
fileio_open(const char *path, int oflags)
{
	return opener != NULL ? opener(path, oflags) : open(path, oflags);
}

static char *
fail(const char *path, const char *what, int err)
{
	char	*e, *msg;

	e = escape_str(path, 0);
	msg = xasprintf("%s: %s: %s", e, what, strerror(err));
	free(e);
	return msg;
}

static void
set_cause(char **cause, char *msg)
{
	if (cause != NULL)
		*cause = msg;
	else
		free(msg);
}

int
fileio_read(const char *path, size_t max, int flags, char **data,
    size_t *len, struct stat *st, char **cause)
{
	struct stat	 sb;
	char		*buf = NULL, *e;
	size_t		 have = 0, cap;
	ssize_t		 r;
	int		 fd, oflags, saved;

	*data = NULL;
	*len = 0;
	/*
	 * O_NONBLOCK so that a FIFO put where a file should be cannot hang
	 * us in open(); it is refused below as not a regular file.
	 */
	oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	if (flags & FILEIO_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if ((fd = fileio_open(path, oflags)) == -1) {
		if (errno == ELOOP && (flags & FILEIO_NOFOLLOW)) {
			e = escape_str(path, 0);
			set_cause(cause, xasprintf("%s: is a symbolic link, "
			    "which is refused here: use the real file", e));
			free(e);
		} else
			set_cause(cause, fail(path, "cannot open", errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1) {
		set_cause(cause, fail(path, "cannot stat", errno));
		goto bad;
	}
	if (!S_ISREG(sb.st_mode)) {
		e = escape_str(path, 0);
		set_cause(cause, xasprintf("%s: not a regular file", e));
		free(e);
		goto bad;
	}
	if ((uintmax_t)sb.st_size > max) {
		e = escape_str(path, 0);
		set_cause(cause, xasprintf("%s: %jd bytes, more than the "
		    "limit of %zu bytes", e, (intmax_t)sb.st_size, max));
		free(e);
		goto bad;
	}

	/* The size may change under us: read to EOF, still capped. */
	cap = (size_t)sb.st_size + 1;
	buf = xmalloc(cap);
	for (;;) {
		if (have + 1 >= cap) {
			if (cap > max + 1) {
				e = escape_str(path, 0);
				set_cause(cause, xasprintf("%s: grew past the "
				    "limit of %zu bytes while being read",
				    e, max));
				free(e);
				goto bad;
			}
			cap = cap * 2 < max + 2 ? cap * 2 : max + 2;
			buf = xreallocarray(buf, cap, 1);
		}
		r = read(fd, buf + have, cap - 1 - have);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			set_cause(cause, fail(path, "read error", errno));
			goto bad;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	if (have > max) {
		e = escape_str(path, 0);
		set_cause(cause, xasprintf("%s: more than the limit of %zu "
		    "bytes", e, max));
		free(e);
		goto bad;
	}
	buf[have] = '\0';
	close(fd);
	if (st != NULL)
		*st = sb;
	*data = buf;
	*len = have;
	return 0;

bad:
	saved = errno;
	/* What was read may be a private key. */
	if (buf != NULL)
		freezero(buf, cap);
	close(fd);
	errno = saved;
	return -1;
}

/* Writes all of data, retrying short writes and EINTR. */
static int
write_all(int fd, const void *data, size_t len, int check_fault)
{
	const char	*p = data;
	ssize_t		 r;

	while (len > 0) {
		if (check_fault && fault("write"))
			return -1;
		r = write(fd, p, len);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* The directory part of path, "." when there is none. Allocated. */
static char *
dir_of(const char *path)
{
	const char	*slash;

	if ((slash = strrchr(path, '/')) == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, slash - path);
}

static int
sync_dir(const char *dir, int check_fault)
{
	int	 fd, r, saved;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (check_fault && fault("dirsync")) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	r = fsync(fd);
	saved = errno;
	close(fd);
	/* Some file systems cannot sync a directory; that is not a loss. */
	if (r == -1 && (saved == EINVAL || saved == ENOTSUP))
		return 0;
	errno = saved;
	return r;
}

/*
 * Makes a temporary file beside target and returns its descriptor, with
 * its name in *tmp. The name starts with a dot so that listings and the
 * orphan-file check pass over it while it briefly exists.
 */
static int
make_temp(const char *target, char **tmp)
{
	const char	*base;
	char		*dir;
	int		 fd;

	base = strrchr(target, '/');
	base = base == NULL ? target : base + 1;
	dir = dir_of(target);
	*tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	free(dir);
	if ((fd = mkostemp(*tmp, O_CLOEXEC)) == -1) {
		free(*tmp);
		*tmp = NULL;
	}
	return fd;
}

/*
 * Keeps the current file for the backup: a hard link to it under a
 * temporary name beside backup (or, where links are not possible, a copy).
 * It only becomes backup, by rename, once the new version is in place, so
 * a save that fails leaves the old backup as it was. *tmp is NULL when
 * there is no current file to keep.
 */
static int
backup_prepare(const char *path, const char *backup, char **tmp,
    char **cause)
{
	char		*data;
	size_t		 len;
	struct stat	 st;
	int		 fd;

	*tmp = NULL;
	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;	/* nothing to keep */
		set_cause(cause, fail(path, "cannot stat", errno));
		return -1;
	}
	if ((fd = make_temp(backup, tmp)) == -1) {
		set_cause(cause, fail(backup, "cannot create a temporary "
		    "file for the backup", errno));
		return -1;
	}
	close(fd);
	if (unlink(*tmp) == 0 && link(path, *tmp) == 0)
		return 0;

	/* No hard links here (or not allowed): copy. */
	if ((fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1) {
		set_cause(cause, fail(backup, "cannot create", errno));
		goto bad;
	}
	if (fileio_read(path, SIZE_MAX / 4, 0, &data, &len, &st,
	    cause) == -1) {
		close(fd);
		goto bad;
	}
	if (fchmod(fd, st.st_mode & 07777) == -1 ||
	    write_all(fd, data, len, 0) == -1 || fsync(fd) == -1) {
		set_cause(cause, fail(backup, "cannot write", errno));
		freezero(data, len);
		close(fd);
		goto bad;
	}
	freezero(data, len);
	if (close(fd) == -1) {
		set_cause(cause, fail(backup, "cannot write", errno));
		goto bad;
	}
	return 0;

bad:
	unlink(*tmp);
	free(*tmp);
	*tmp = NULL;
	return -1;
}

/*
 * When backup already was a link to the same file, rename() succeeds
 * without doing anything and the temporary name is still there: the
 * unlink covers that case and is harmless otherwise.
 */
static int
backup_commit(const char *tmp, const char *backup)
{
	if (rename(tmp, backup) == -1)
		return -1;
	(void)unlink(tmp);
	return 0;
}

char *
fileio_generation(const char *backup, unsigned n)
{
	return n <= 1 ? xstrdup(backup) : xasprintf("%s.%u", backup, n);
}

/*
 * Makes room for a new backup: backup.(keep-1) becomes backup.keep ...
 * backup becomes backup.2; the oldest goes. Each step is a rename, so a
 * crash midway loses no generation, at most leaves a gap.
 */
static void
backup_rotate(const char *backup, unsigned keep)
{
	char		*from, *to;
	unsigned	 i;

	for (i = keep; i > 1; i--) {
		from = fileio_generation(backup, i - 1);
		to = fileio_generation(backup, i);
		(void)rename(from, to);		/* a gap is harmless */
		free(from);
		free(to);
	}
}

int
fileio_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, const char *backup, char **cause)
{
	return fileio_write_kept(path, data, len, mode, backup, 1, cause);
}

int
fileio_write_kept(const char *path, const void *data, size_t len,
    mode_t mode, const char *backup, unsigned keep, char **cause)
{
	struct stat	 old;
	char		*tmp = NULL, *bak = NULL, *dir = NULL, *e, *real = NULL;
	int		 fd = -1, have_old, r = -1;

	/*
	 * A config that is a symbolic link (into a directory kept by
	 * configuration management, say) is replaced where it really is,
	 * so that the link stays a link.
	 */
	if (lstat(path, &old) == 0 && S_ISLNK(old.st_mode) &&
	    (real = realpath(path, NULL)) != NULL)
		path = real;
	have_old = (stat(path, &old) == 0);
	if (have_old && !S_ISREG(old.st_mode)) {
		e = escape_str(path, 0);
		set_cause(cause, xasprintf("%s: not a regular file, not "
		    "replacing it", e));
		free(e);
		goto out;
	}
	if ((fd = make_temp(path, &tmp)) == -1) {
		set_cause(cause, fail(path, "cannot create a temporary file "
		    "in its directory", errno));
		goto out;
	}
	/*
	 * The new file keeps the old one's owner and group where we are
	 * allowed to set them: a config readable by the server's group must
	 * stay readable by it after root rewrites it.
	 */
	if (have_old && fchown(fd, old.st_uid, old.st_gid) == -1 &&
	    fchown(fd, (uid_t)-1, old.st_gid) == -1) {
		/* Best effort: the mode below still keeps others out. */
	}
	if (fchmod(fd, mode) == -1) {
		set_cause(cause, fail(tmp, "cannot set the mode", errno));
		goto bad;
	}
	if (write_all(fd, data, len, 1) == -1) {
		set_cause(cause, fail(tmp, "write error", errno));
		goto bad;
	}
	if (fault("fsync") || fsync(fd) == -1) {
		set_cause(cause, fail(tmp, "cannot sync to disk", errno));
		goto bad;
	}
	if (close(fd) == -1) {
		fd = -1;
		set_cause(cause, fail(tmp, "write error", errno));
		goto bad;
	}
	fd = -1;
	if (backup != NULL && backup_prepare(path, backup, &bak, cause) == -1)
		goto bad;
	if (fault("rename") || rename(tmp, path) == -1) {
		set_cause(cause, fail(path, "cannot rename the new version "
		    "into place", errno));
		goto bad;
	}
	free(tmp);
	tmp = NULL;
	if (bak != NULL && keep > 1)
		backup_rotate(backup, keep);
	if (bak != NULL && backup_commit(bak, backup) == -1) {
		/* The new version is in place; only the backup is missing. */
		e = escape_str(path, 0);
		set_cause(cause, xasprintf("%s: written, but the previous "
		    "version could not be kept as backup: %s", e,
		    strerror(errno)));
		free(e);
		goto bad;
	}
	free(bak);
	bak = NULL;

	dir = dir_of(path);
	if (sync_dir(dir, 1) == -1) {
		/* The rename happened: say exactly what is uncertain. */
		e = escape_str(path, 0);
		set_cause(cause, xasprintf("%s: written, but syncing its "
		    "directory failed (%s): the change may not survive a "
		    "crash", e, strerror(errno)));
		free(e);
		goto out;
	}
	r = 0;
	goto out;

bad:
	if (fd != -1)
		close(fd);
	fd = -1;
	if (tmp != NULL)
		unlink(tmp);
	if (bak != NULL)
		unlink(bak);
out:
	if (fd != -1)
		close(fd);
	free(tmp);
	free(bak);
	free(dir);
	free(real);
	fault_step[0] = '\0';
	return r;
}

int
fileio_write_new(const char *path, const void *data, size_t len,
    mode_t mode, char **cause)
{
	return fileio_write_new_flags(path, data, len, mode, 0, cause);
}

int
fileio_write_new_flags(const char *path, const void *data, size_t len,
    mode_t mode, int flags, char **cause)
{
	char	*dir;
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600 & mode);
	if (fd == -1) {
		set_cause(cause, fail(path, "cannot create", errno));
		return -1;
	}
	if (fchmod(fd, mode) == -1) {
		set_cause(cause, fail(path, "cannot set the mode", errno));
		goto bad;
	}
	if (write_all(fd, data, len, 0) == -1) {
		set_cause(cause, fail(path, "write error", errno));
		goto bad;
	}
	if (!(flags & FILEIO_NOSYNC) && fsync(fd) == -1) {
		set_cause(cause, fail(path, "cannot sync to disk", errno));
		goto bad;
	}
	if (close(fd) == -1) {
		fd = -1;
		set_cause(cause, fail(path, "write error", errno));
		goto bad;
	}
	if (flags & FILEIO_NOSYNC)
		return 0;
	/* The new name must survive a crash as well as the bytes. */
	dir = dir_of(path);
	(void)sync_dir(dir, 0);
	free(dir);
	return 0;

bad:
	if (fd != -1)
		close(fd);
	unlink(path);
	return -1;
}
