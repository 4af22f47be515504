/*
 * The key-file policy: the one answer to "may certbindd serve a private
 * key file with this owner and mode?". certbind check (key-permissions),
 * certbindd (when it loads keys, and certbindd -t) and the key writer
 * (lifecycle_key_save) all ask keyfile_policy(), so they cannot disagree.
 * The rule is written out in certbind.conf(5), "Key files".
 */
#ifndef CERTBIND_KEYFILE_H
#define CERTBIND_KEYFILE_H

#include <sys/types.h>
#include <sys/stat.h>

/* Whom the key files are for, from server.user and server.group. */
struct keyfile_ids {
	uid_t	 uid;		/* server.user, else the effective user */
	int	 has_gid;	/* a group may read the keys */
	gid_t	 gid;		/* server.group, else server.user's group */
	int	 named_group;	/* gid is server.group: new keys are its */
};

/*
 * Fills ids from the names of server.user and server.group (either may
 * be NULL). Without server.user the server's user is the one running this
 * process: certbindd is started as root, or as the user it runs as. On an
 * unknown name returns -1 with *cause (if cause is not NULL) and leaves
 * ids as if that setting were absent.
 */
int	 keyfile_ids_lookup(const char *user, const char *group,
	    struct keyfile_ids *ids, char **cause);

/*
 * Whether certbindd may serve the private key file path whose lstat() or
 * fstat() (of a descriptor opened with O_NOFOLLOW) is st: 0 if so, -1
 * with *cause ("PATH: why, and what to run") if not. path is used only
 * in the message. Thread-safe: no lookups.
 */
int	 keyfile_policy(const char *path, const struct stat *st,
	    const struct keyfile_ids *ids, char **cause);

/*
 * The mode and group a new key file gets, which keyfile_policy() accepts
 * when the file is owned by root or the server's user: 0600, or 0640 and
 * server.group when the config names one. gid is (gid_t)-1 when the
 * group is left as it is.
 */
void	 keyfile_new_mode(const struct keyfile_ids *ids, mode_t *mode,
	    gid_t *gid);

#endif
