/*
 * The key-file policy (keys/keyfile.c) as a table: owner, group, mode and
 * the server's identity in, "served or refused" out, with the words the
 * refusal must contain. The same rule is exercised end to end, certbind
 * check against certbindd, by tests/server/t-keymodes.sh.
 *
 * The table uses made-up ids (uid 1001 for server.user, gid 2002 for
 * server.group, 3003 for some other group) on a struct stat built here:
 * no file is needed to ask the rule.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys/keyfile.h"

#define SRV_UID		1001	/* server.user */
#define SRV_GID		2002	/* server.group, or server.user's group */
#define OTHER_UID	1500
#define OTHER_GID	3003

/* The server's identity, as keyfile_ids_lookup() would fill it. */
enum who {
	ROOT_ONLY,	/* no server.user, no server.group, run as root */
	USER_ONLY,	/* server.user, whose primary group is SRV_GID */
	USER_GROUP,	/* server.user and server.group = SRV_GID */
	GROUP_ONLY	/* server.group only: certbindd stays root */
};

static struct keyfile_ids
ids_for(enum who w)
{
	struct keyfile_ids	 ids;

	memset(&ids, 0, sizeof ids);
	ids.uid = 0;
	ids.gid = (gid_t)-1;
	if (w == USER_ONLY || w == USER_GROUP)
		ids.uid = SRV_UID;
	if (w != ROOT_ONLY) {
		ids.has_gid = 1;
		ids.gid = SRV_GID;
	}
	ids.named_group = w == USER_GROUP || w == GROUP_ONLY;
	return ids;
}

struct policy_case {
	const char	*name;
	enum who	 who;
	mode_t		 type;		/* S_IFREG, S_IFLNK ... */
	uid_t		 uid;
	gid_t		 gid;
	mode_t		 mode;
	int		 served;	/* 0: refused */
	const char	*why;		/* in the refusal */
};

static const struct policy_case cases[] = {
	/* The owner's bits alone: always fine for root or the server. */
	{ "0600 root:root", ROOT_ONLY, S_IFREG, 0, 0, 0600, 1, NULL },
	{ "0400 root:root", ROOT_ONLY, S_IFREG, 0, 0, 0400, 1, NULL },
	{ "0700 root:root", ROOT_ONLY, S_IFREG, 0, 0, 0700, 1, NULL },
	{ "0000 root:root", ROOT_ONLY, S_IFREG, 0, 0, 0000, 1, NULL },
	{ "setuid bits are not looked at", ROOT_ONLY, S_IFREG, 0, 0, 04600,
	    1, NULL },
	{ "0600 owned by server.user", USER_ONLY, S_IFREG, SRV_UID, SRV_GID,
	    0600, 1, NULL },
	{ "0600 root's with server.user", USER_ONLY, S_IFREG, 0, 0, 0600, 1,
	    NULL },

	/* Others: never a bit. */
	{ "0644 root:root", ROOT_ONLY, S_IFREG, 0, 0, 0644, 0, "others" },
	{ "0604 root:root", ROOT_ONLY, S_IFREG, 0, 0, 0604, 0, "others" },
	{ "0601 root:root (o+x)", ROOT_ONLY, S_IFREG, 0, 0, 0601, 0,
	    "others" },
	{ "0602 root:root (o+w)", ROOT_ONLY, S_IFREG, 0, 0, 0602, 0,
	    "others" },
	{ "0644 in the server's group", USER_GROUP, S_IFREG, 0, SRV_GID, 0644,
	    0, "others" },
	{ "0604 owned by server.user", USER_ONLY, S_IFREG, SRV_UID, SRV_GID,
	    0604, 0, "others" },

	/* The group: read only, and only the server's group. */
	{ "0640 root:root, no server group", ROOT_ONLY, S_IFREG, 0, 0, 0640,
	    0, "names no group" },
	{ "0660 root:root, no server group", ROOT_ONLY, S_IFREG, 0, 0, 0660,
	    0, "names no group" },
	{ "0440 root:root, no server group", ROOT_ONLY, S_IFREG, 0, 0, 0440,
	    0, "names no group" },
	{ "0640 in server.group", USER_GROUP, S_IFREG, 0, SRV_GID, 0640, 1,
	    NULL },
	{ "0440 in server.group", USER_GROUP, S_IFREG, 0, SRV_GID, 0440, 1,
	    NULL },
	{ "0640 in server.group, no server.user", GROUP_ONLY, S_IFREG, 0,
	    SRV_GID, 0640, 1, NULL },
	{ "0640 in server.user's own group", USER_ONLY, S_IFREG, 0, SRV_GID,
	    0640, 1, NULL },
	{ "0640 in another group", USER_GROUP, S_IFREG, 0, OTHER_GID, 0640, 0,
	    "not the server's" },
	{ "0640 root:root with server.group", USER_GROUP, S_IFREG, 0, 0, 0640,
	    0, "not the server's" },
	{ "0600 in another group", USER_GROUP, S_IFREG, 0, OTHER_GID, 0600, 1,
	    NULL },
	{ "0660 in server.group (g+w)", USER_GROUP, S_IFREG, 0, SRV_GID, 0660,
	    0, "more than read" },
	{ "0650 in server.group (g+x)", USER_GROUP, S_IFREG, 0, SRV_GID, 0650,
	    0, "more than read" },
	{ "0620 in server.group (g+w only)", USER_GROUP, S_IFREG, 0, SRV_GID,
	    0620, 0, "more than read" },

	/* The owner: root or the server's user. */
	{ "0600 owned by another user", ROOT_ONLY, S_IFREG, OTHER_UID, 0,
	    0600, 0, "neither root nor" },
	{ "0600 owned by another user, with server.user", USER_GROUP, S_IFREG,
	    OTHER_UID, SRV_GID, 0600, 0, "neither root nor" },
	{ "0400 owned by server.user's uid without server.user", ROOT_ONLY,
	    S_IFREG, SRV_UID, 0, 0400, 0, "neither root nor" },

	/* Not a key file at all. */
	{ "a symbolic link", ROOT_ONLY, S_IFLNK, 0, 0, 0777, 0,
	    "symbolic link" },
	{ "a directory", ROOT_ONLY, S_IFDIR, 0, 0, 0700, 0,
	    "not a regular file" },
	{ "a FIFO", ROOT_ONLY, S_IFIFO, 0, 0, 0600, 0, "not a regular file" },
};

static void
test_policy_table(void **state)
{
	const struct policy_case	*c;
	struct keyfile_ids		 ids;
	struct stat			 st;
	char				*cause;
	size_t				 i;
	int				 r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = &cases[i];
		ids = ids_for(c->who);
		memset(&st, 0, sizeof st);
		st.st_mode = c->type | c->mode;
		st.st_uid = c->uid;
		st.st_gid = c->gid;
		cause = NULL;
		r = keyfile_policy("/store/keys/k.key", &st, &ids, &cause);
		if (c->served) {
			if (r != 0)
				fail_msg("%s: refused: %s", c->name, cause);
			assert_null(cause);
			continue;
		}
		if (r != -1 || cause == NULL)
			fail_msg("%s: served, should be refused", c->name);
		if (strstr(cause, c->why) == NULL ||
		    strncmp(cause, "/store/keys/k.key: ", 19) != 0)
			fail_msg("%s: \"%s\" lacks \"%s\" or the path", c->name,
			    cause, c->why);
		free(cause);
		/* Without a cause pointer the verdict is the same. */
		assert_int_equal(keyfile_policy("k", &st, &ids, NULL), -1);
	}
}

/*
 * What the key writer makes is what the policy accepts, for every
 * identity, whether the writer runs as root or as the server's user.
 */
static void
test_writer_agrees(void **state)
{
	struct keyfile_ids	 ids;
	struct stat		 st;
	mode_t			 mode;
	gid_t			 gid;
	enum who		 w;
	uid_t			 owners[2] = { 0, SRV_UID };
	size_t			 o;

	for (w = ROOT_ONLY; w <= GROUP_ONLY; w++) {
		ids = ids_for(w);
		keyfile_new_mode(&ids, &mode, &gid);
		assert_int_equal(mode & 077 & ~S_IRGRP, 0);
		if (w == USER_GROUP || w == GROUP_ONLY) {
			assert_int_equal(mode, 0640);
			assert_int_equal(gid, SRV_GID);
		} else {
			assert_int_equal(mode, 0600);
			assert_int_equal(gid, (gid_t)-1);
		}
		for (o = 0; o < 2; o++) {
			if (owners[o] != 0 && owners[o] != ids.uid)
				continue;
			memset(&st, 0, sizeof st);
			st.st_mode = S_IFREG | mode;
			st.st_uid = owners[o];
			st.st_gid = gid == (gid_t)-1 ? 0 : gid;
			assert_int_equal(keyfile_policy("k", &st, &ids, NULL),
			    0);
		}
	}
}

static void
test_ids_lookup(void **state)
{
	struct keyfile_ids	 ids;
	char			*cause = NULL;

	assert_int_equal(keyfile_ids_lookup(NULL, NULL, &ids, &cause), 0);
	assert_int_equal(ids.uid, geteuid());
	assert_int_equal(ids.has_gid, 0);
	assert_int_equal(ids.named_group, 0);

	assert_int_equal(keyfile_ids_lookup("root", NULL, &ids, &cause), 0);
	assert_int_equal(ids.uid, 0);
	assert_int_equal(ids.has_gid, 1);
	assert_int_equal(ids.gid, 0);
	assert_int_equal(ids.named_group, 0);

	assert_int_equal(keyfile_ids_lookup(NULL, "root", &ids, &cause), 0);
	assert_int_equal(ids.uid, geteuid());
	assert_int_equal(ids.has_gid, 1);
	assert_int_equal(ids.gid, 0);
	assert_int_equal(ids.named_group, 1);

	/* An unknown name: -1, the cause names it, ids as if absent. */
	assert_int_equal(keyfile_ids_lookup("certbind-no-such-user", "root",
	    &ids, &cause), -1);
	assert_non_null(strstr(cause, "server.user \"certbind-no-such-user\""));
	free(cause);
	cause = NULL;
	assert_int_equal(ids.uid, geteuid());
	assert_int_equal(ids.named_group, 1);
	assert_int_equal(keyfile_ids_lookup(NULL, "certbind-no-such-group",
	    &ids, &cause), -1);
	assert_non_null(strstr(cause, "no such group"));
	free(cause);
	assert_int_equal(ids.has_gid, 0);
	assert_int_equal(keyfile_ids_lookup(NULL, "certbind-no-such-group",
	    &ids, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_table),
		cmocka_unit_test(test_writer_agrees),
		cmocka_unit_test(test_ids_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
