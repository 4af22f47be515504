/*
 * The server's identity: looking up server.user and server.group, and
 * dropping root once the listening sockets are bound and the keys loaded.
 *
 * Which key files the server may serve is not decided here: the names are
 * looked up once, by keyfile_ids_lookup(), and gen.c hands the result to
 * tlscred_load(), which asks keyfile_policy() (keys/keyfile.c) on the
 * descriptor it read the key from. certbind check and the key writer ask
 * the same function. After the drop, the keeper (keeper.c) opens the
 * files for reloads, so they may stay 0600 and root's.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xmalloc.h"
#include "keys/keyfile.h"
#include "server/certbindd.h"

int
privsep_lookup(const char *user, const char *group, struct srvid *id,
    char **cause)
{
	memset(id, 0, sizeof *id);
	/* Called from the main thread only, before any worker starts. */
	if (keyfile_ids_lookup(user, group, &id->keys, cause) != 0)
		return -1;
	if (user == NULL)
		return 0;
	id->set = 1;
	id->uid = id->keys.uid;
	id->gid = id->keys.gid;
	id->user = xstrdup(user);
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
