/*
 * The pidfile: server.pidfile holds certbindd's pid, so that certbind can
 * find the running server to reload it (certbind reload) and to tell it
 * that a tls-alpn-01 challenge changed.
 *
 * The one idea: the file is written whole or not at all (a temporary file
 * and a rename, like the config), after daemon() has given the process
 * its final pid and before privileges are dropped, since /run is root's.
 * At exit the server may no longer be allowed to remove it; the file is
 * then left, and a reader knows it is stale because the pid it names is
 * dead or is not certbindd.
 *
 * The file is also locked (flock) for as long as certbindd runs, so a
 * second certbindd given the same pidfile refuses to start instead of
 * overwriting it; the lock goes with the process, never stale. The
 * claims (instance.c) are what keep two certbindd from one config or one
 * listener; this lock covers two configs that name one pidfile.
 */
#include <sys/file.h>
#include <sys/types.h>

#include <fcntl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"

#define PIDFILE_MAX	64

static int	lock_fd = -1;	/* the lock on the file written, kept */

/* The pid a pidfile names, or -1. */
static long
pidfile_read(const char *path)
{
	char	*data = NULL, *end;
	size_t	 len = 0;
	long	 pid = -1;

	if (fileio_read(path, PIDFILE_MAX, 0, &data, &len, NULL, NULL) != 0)
		return -1;
	errno = 0;
	pid = strtol(data, &end, 10);
	if (errno != 0 || end == data || (*end != '\n' && *end != '\0'))
		pid = -1;
	free(data);
	return pid;
}

/* Whether another live process holds the lock on path. */
static int
pidfile_locked(const char *path)
{
	int	fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return 0;
	r = flock(fd, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	close(fd);		/* releases it if we got it */
	return r;
}

char *
pidfile_path(const struct config *cfg)
{
	const struct config_server	*srv = config_server(cfg);

	if (srv == NULL || srv->pidfile == NULL)
		return NULL;
	return config_resolve_path(cfg, srv->pidfile);
}

int
pidfile_write(const char *path, char **cause)
{
	char	 buf[32], *why = NULL, *e;
	int	 n;

	if (pidfile_locked(path)) {
		e = escape_str(path, 0);
		*cause = xasprintf("certbindd pid %ld holds server.pidfile %s "
		    "(locked): one certbindd per pidfile", pidfile_read(path),
		    e);
		free(e);
		return -1;
	}
	n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (fileio_write_atomic(path, buf, (size_t)n, 0644, NULL,
	    &why) != 0) {
		e = escape_str(path, 0);
		*cause = xasprintf("cannot write server.pidfile %s: %s", e,
		    why != NULL ? why : "failed");
		free(e);
		free(why);
		return -1;
	}
	if (lock_fd != -1)
		close(lock_fd);
	if ((lock_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) != -1 && flock(lock_fd, LOCK_EX | LOCK_NB) == -1) {
		close(lock_fd);
		lock_fd = -1;
	}
	return 0;
}

void
pidfile_unlock(void)
{
	if (lock_fd != -1)
		close(lock_fd);
	lock_fd = -1;
}

/*
 * Only a file that still names this process is removed: another
 * certbindd may have been started with the same pidfile since.
 */
void
pidfile_remove(const char *path)
{
	if (path == NULL)
		return;
	if (pidfile_read(path) == (long)getpid())
		(void)unlink(path);
	pidfile_unlock();
}
