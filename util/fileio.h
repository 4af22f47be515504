/*
 * Reading whole files with a size cap, and writing them atomically. A 1 GB
 * file offered as a certificate is refused from its size, not read into
 * memory. Everything that reads a key, certificate or config comes here.
 */
#ifndef CERTBIND_FILEIO_H
#define CERTBIND_FILEIO_H

#include <sys/stat.h>
#include <stddef.h>

#define FILEIO_NOFOLLOW	0x1	/* refuse a symbolic link (keys) */

#define FILEIO_MAX_CERT	(1u * 1024 * 1024)	/* certificates, keys, CSRs */

/*
 * Reads path into an allocated buffer with a NUL after the last byte.
 * Refuses files over max bytes, non-regular files and, with
 * FILEIO_NOFOLLOW, symbolic links. st, if not NULL, receives fstat() of the
 * opened file (for permission checks on what was actually read). Returns 0,
 * or -1 with *cause ("PATH: what went wrong").
 */
int	fileio_read(const char *path, size_t max, int flags, char **data,
	    size_t *len, struct stat *st, char **cause);

/*
 * The open(2) behind fileio_read(). A process that cannot open its files
 * itself sets another (certbindd, after dropping root, asks the
 * privileged process it keeps for that); it returns a descriptor, or -1
 * with errno set. NULL restores open(2). Not thread-safe: set it before
 * any thread reads a file.
 */
typedef int	(*fileio_opener)(const char *path, int oflags);
void	fileio_set_opener(fileio_opener fn);
int	fileio_open(const char *path, int oflags);

/*
 * Writes data to path atomically: a temporary file in the same directory,
 * write, fsync, rename over path, fsync of the directory. With backup not
 * NULL the previous file is first linked/copied there. mode is applied
 * with fchmod, whatever the umask. On failure path is untouched.
 */
int	fileio_write_atomic(const char *path, const void *data, size_t len,
	    mode_t mode, const char *backup, char **cause);
/*
 * The same, keeping keep generations of backups: backup is the newest
 * (the version just replaced), backup.2 the one before, up to
 * backup.KEEP; older ones go. keep 1 is fileio_write_atomic().
 */
int	fileio_write_kept(const char *path, const void *data, size_t len,
	    mode_t mode, const char *backup, unsigned keep, char **cause);
/* The path of backup generation n (1: backup itself). Allocated. */
char	*fileio_generation(const char *backup, unsigned n);

/*
 * Creates path with O_EXCL and mode exactly (fchmod after open, so the
 * umask cannot widen or narrow it), writes data, fsyncs. For new key
 * files. Fails if path exists.
 */
int	fileio_write_new(const char *path, const void *data, size_t len,
	    mode_t mode, char **cause);
/*
 * The same with flags: FILEIO_NOSYNC leaves out the fsyncs, for a file
 * that is a copy of data kept elsewhere and made again after a crash (an
 * etcd checkout), where they are most of the time it takes.
 */
#define FILEIO_NOSYNC	0x100
int	fileio_write_new_flags(const char *path, const void *data, size_t len,
	    mode_t mode, int flags, char **cause);

/*
 * Fault injection for tests: when set, the named step ("write", "fsync",
 * "rename", "dirsync") fails with errno err in the next atomic write.
 */
void	fileio_inject_fault(const char *step, int err);

#endif
