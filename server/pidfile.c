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
 */
#include <sys/types.h>

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
	return 0;
}

/*
 * Only a file that still names this process is removed: another
 * certbindd may have been started with the same pidfile since.
 */
void
pidfile_remove(const char *path)
{
	char	*data = NULL, *end;
	size_t	 len = 0;
	long	 pid;

	if (path == NULL)
		return;
	if (fileio_read(path, PIDFILE_MAX, 0, &data, &len, NULL, NULL) != 0)
		return;
	errno = 0;
	pid = strtol(data, &end, 10);
	if (errno == 0 && end != data && (*end == '\n' || *end == '\0') &&
	    pid == (long)getpid())
		(void)unlink(path);
	free(data);
}
