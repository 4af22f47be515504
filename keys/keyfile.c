/*
 * The key-file policy (keyfile.h). A private key file is safe to serve
 * when nobody but root, the server's user and, for reading only, the
 * server's group can read or change it:
 *
 *  - it is a regular file, not a symbolic link (which could be pointed
 *    at another file later) nor a device or FIFO;
 *  - its owner is root or the server's user: an owner can chmod the file
 *    and so decides who reads it;
 *  - others have no permission at all (not even x);
 *  - its group has no permission, or only read and then the group is the
 *    server's: server.group, else server.user's primary group. Without
 *    either no group is the server's, so a 0640 root:root key is refused:
 *    certbindd reads its keys as root or as their owner and needs no
 *    group, and the group bit would give the key to the group's members.
 *    A group that may write may replace the key, so g+w is refused even
 *    for the server's group.
 *
 * The owner's own bits, and the set-id and sticky bits, are not looked at:
 * they give nobody else access. Nor is the directory: who can rename files
 * in it can replace the key, which no mode on the file prevents.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/keyfile.h"
#include "util/escape.h"
#include "util/xmalloc.h"

/* Room for getpwnam_r and getgrnam_r; a group with many members needs more. */
#define KEYFILE_PWBUF	16384

static int
lookup_fail(char **cause, const char *what, const char *name, int err)
{
	char	*e;

	if (cause != NULL) {
		e = escape_str(name, 0);
		if (err != 0)
			*cause = xasprintf("%s \"%s\": %s", what, e,
			    strerror(err));
		else
			*cause = xasprintf("%s \"%s\": no such %s", what, e,
			    strcmp(what, "server.user") == 0 ? "user" :
			    "group");
		free(e);
	}
	return -1;
}

int
keyfile_ids_lookup(const char *user, const char *group,
    struct keyfile_ids *ids, char **cause)
{
	struct passwd	 pw, *pwp = NULL;
	struct group	 gr, *grp = NULL;
	char		*buf;
	int		 r, rc = 0;

	memset(ids, 0, sizeof *ids);
	ids->uid = geteuid();
	ids->gid = (gid_t)-1;
	buf = xmalloc(KEYFILE_PWBUF);
	if (user != NULL) {
		r = getpwnam_r(user, &pw, buf, KEYFILE_PWBUF, &pwp);
		if (pwp == NULL)
			rc = lookup_fail(cause, "server.user", user, r);
		else {
			ids->uid = pw.pw_uid;
			ids->gid = pw.pw_gid;
			ids->has_gid = 1;
		}
	}
	if (group != NULL) {
		r = getgrnam_r(group, &gr, buf, KEYFILE_PWBUF, &grp);
		if (grp == NULL)
			rc = lookup_fail(rc == 0 ? cause : NULL,
			    "server.group", group, r);
		else {
			ids->gid = gr.gr_gid;
			ids->has_gid = 1;
			ids->named_group = 1;
		}
	}
	free(buf);
	return rc;
}

static int refuse(char **, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills *cause with "PATH: reason", the path escaped; returns -1. */
static int
refuse(char **cause, const char *path, const char *fmt, ...)
{
	va_list	 ap;
	char	*e, *why;

	if (cause != NULL) {
		va_start(ap, fmt);
		why = xvasprintf(fmt, ap);
		va_end(ap);
		e = escape_str(path, 0);
		*cause = xasprintf("%s: %s", e, why);
		free(why);
		free(e);
	}
	return -1;
}

int
keyfile_policy(const char *path, const struct stat *st,
    const struct keyfile_ids *ids, char **cause)
{
	unsigned	 mode = (unsigned)(st->st_mode & 07777);
	unsigned	 grp = mode & S_IRWXG;

	if (S_ISLNK(st->st_mode))
		return refuse(cause, path, "is a symbolic link, which is "
		    "refused for a private key: name the file itself");
	if (!S_ISREG(st->st_mode))
		return refuse(cause, path, "not a regular file");
	if (st->st_uid != 0 && st->st_uid != ids->uid)
		return refuse(cause, path, "private key is owned by uid %u, "
		    "who is neither root nor the server's user (uid %u); run "
		    "chown root on it", (unsigned)st->st_uid,
		    (unsigned)ids->uid);
	if (mode & S_IRWXO)
		return refuse(cause, path, "private key is accessible by "
		    "others (mode %04o); run chmod o-rwx on it", mode);
	if (grp == 0)
		return 0;
	if (!ids->has_gid)
		return refuse(cause, path, "private key is accessible by group "
		    "%u (mode %04o), and the config names no group for "
		    "certbindd (server.group); run chmod g-rwx on it",
		    (unsigned)st->st_gid, mode);
	if (st->st_gid != ids->gid)
		return refuse(cause, path, "private key is accessible by group "
		    "%u, which is not the server's (%u); run chmod g-rwx on it "
		    "or give it to the server's group", (unsigned)st->st_gid,
		    (unsigned)ids->gid);
	if (grp != S_IRGRP)
		return refuse(cause, path, "private key gives the server's "
		    "group more than read (mode %04o); run chmod g-wx on it",
		    mode);
	return 0;
}

void
keyfile_new_mode(const struct keyfile_ids *ids, mode_t *mode, gid_t *gid)
{
	if (ids->named_group) {
		*mode = 0640;
		*gid = ids->gid;
	} else {
		*mode = 0600;
		*gid = (gid_t)-1;
	}
}
