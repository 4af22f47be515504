/*
 * The server's identity: looking up server.user and server.group, the
 * permission check on key files, and dropping root once the listening
 * sockets are bound and the keys loaded.
 *
 * A key file is refused when others may read or write it, or when its
 * group may and that group is not the server's: such a key is no longer
 * private, and serving it would hide the problem. After the drop, the
 * keeper (keeper.c) opens the files for reloads, so they may stay 0600
 * and root's.
 *
 * The check opens the key itself and tlscred_load() opens it again: it
 * is there for a mode set wrong by mistake, not for someone who can swap
 * files in the store between the two opens (who could replace the key
 * anyway).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"

int
privsep_key_ok(const char *path, const struct srvid *id, char **cause)
{
	struct stat	 st;
	char		*e;
	gid_t		 gid;
	int		 fd;

	if ((fd = fileio_open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1) {
		e = escape_str(path, 0);
		*cause = xasprintf("%s: %s", e, strerror(errno));
		free(e);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		e = escape_str(path, 0);
		*cause = xasprintf("%s: %s", e, strerror(errno));
		free(e);
		close(fd);
		return -1;
	}
	close(fd);
	gid = id->set ? id->gid : getegid();
	e = escape_str(path, 0);
	if (st.st_mode & S_IRWXO) {
		*cause = xasprintf("%s: private key is accessible by others "
		    "(mode %03o); run chmod o-rwx on it", e,
		    (unsigned)(st.st_mode & 0777));
		free(e);
		return -1;
	}
	if ((st.st_mode & (S_IRGRP | S_IWGRP)) && st.st_gid != gid) {
		*cause = xasprintf("%s: private key is readable by group %lu, "
		    "which is not the server's (%lu); run chmod g-rwx on it or "
		    "change its group", e, (unsigned long)st.st_gid,
		    (unsigned long)gid);
		free(e);
		return -1;
	}
	free(e);
	return 0;
}

int
privsep_lookup(const char *user, const char *group, struct srvid *id,
    char **cause)
{
	struct passwd	*pw;
	struct group	*gr;
	char		*e;

	memset(id, 0, sizeof *id);
	if (user == NULL)
		return 0;
	/* Called from the main thread only, so getpwnam's buffer is safe. */
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		e = escape_str(user, 0);
		*cause = xasprintf("server.user \"%s\": no such user", e);
		free(e);
		return -1;
	}
	id->set = 1;
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	id->user = xstrdup(pw->pw_name);
	if (group != NULL) {
		if ((gr = getgrnam(group)) == NULL) {
			e = escape_str(group, 0);
			*cause = xasprintf("server.group \"%s\": no such group",
			    e);
			free(e);
			free(id->user);
			id->user = NULL;
			id->set = 0;
			return -1;
		}
		id->gid = gr->gr_gid;
	}
	return 0;
}

int
privsep_drops(const struct srvid *id)
{
	return id->set && geteuid() == 0 && id->uid != 0;
}

int
privsep_drop(const struct srvid *id, char **cause)
{
	if (!id->set)
		return 0;
	if (geteuid() != 0) {
		if (geteuid() == id->uid)
			return 0;
		*cause = xasprintf("server.user is set but certbindd is not "
		    "running as root, so it cannot become that user");
		return -1;
	}
	if (initgroups(id->user, id->gid) == -1 ||
	    setresgid(id->gid, id->gid, id->gid) == -1 ||
	    setresuid(id->uid, id->uid, id->uid) == -1) {
		*cause = xasprintf("dropping privileges to %s: %s", id->user,
		    strerror(errno));
		return -1;
	}
	/* Make sure the drop cannot be undone. */
	if (id->uid != 0 && setuid(0) != -1) {
		*cause = xasprintf("privileges could be regained after the "
		    "drop; refusing to run");
		return -1;
	}
	return 0;
}
