/*
 * Where a config lives (DESIGN.md "The config file", "Fleet (etcd)"): a
 * path, or etcd://HOST:PORT[,HOST:PORT...]/PREFIX.
 *
 * An etcd location is worked on through a checkout: one consistent read
 * of the prefix at one revision, written into a private directory (0700,
 * every file 0600) as the file store it describes:
 *   PREFIX/config          -> DIR/certbind.conf
 *   PREFIX/files/RELPATH   -> DIR/RELPATH
 * so every layer that reads a config and the files it names (the store,
 * check, resolve, the TUI, certbindd's generations) works on it unchanged,
 * and what is served is built from exactly one revision. The previous
 * versions of PREFIX/config (etcd's history) are written as
 * certbind.conf.bak, .bak.2 ..., so rollback works through revisions.
 *
 * A writer saves into the checkout as into a file store, then pushes: one
 * transaction that puts PREFIX/config, every file that is new or changed
 * since the checkout, deletes the files removed, and records who wrote it
 * and when (PREFIX/commit), on the condition that PREFIX/config still has
 * the mod revision that was read. Someone else's write in between makes
 * the push refuse, naming the winner's revision and when it was written.
 *
 * A path location has no checkout: location_path() is the path, and push
 * does nothing. Nothing here prints.
 */
#ifndef CERTBIND_OP_LOCATION_H
#define CERTBIND_OP_LOCATION_H

#include <stdint.h>

struct etcd_client;
struct location;

/* The scheme of a fleet location. */
#define LOCATION_ETCD_SCHEME	"etcd://"

/* The environment that carries etcd's TLS settings (certbind.conf.5). */
#define LOCATION_ENV_CA		"CERTBIND_ETCD_CA"	/* CA file: https */
#define LOCATION_ENV_CERT	"CERTBIND_ETCD_CERT"	/* client cert */
#define LOCATION_ENV_KEY	"CERTBIND_ETCD_KEY"	/* its key */
#define LOCATION_ENV_TIMEOUT	"CERTBIND_ETCD_TIMEOUT"	/* seconds */
/*
 * Set (to anything): plain http to etcd beyond this host's loopback is
 * allowed. Without it, and without a CA, only 127.0.0.0/8, [::1] and
 * localhost are spoken to in clear.
 */
#define LOCATION_ENV_INSECURE	"CERTBIND_ETCD_INSECURE"

/* Whether spec is an etcd location (it starts with etcd://). */
int	 location_is_etcd(const char *spec);

/*
 * Splits an etcd location into its endpoints ("h:p,h:p") and its prefix,
 * the key prefix with its leading slash and without a trailing one
 * ("/certbind/prod"). -1 and *cause when it is not a valid one: the
 * prefix is one or more segments of [A-Za-z0-9._-], none "." or "..".
 */
int	 location_parse(const char *spec, char **endpoints, char **prefix,
	    char **cause);

/*
 * Whether rel is a file name an etcd checkout holds and pushes: a
 * relative path of names of letters, digits and ._-+@, none starting
 * with a dot (a push leaves those out: temporary files), and not the
 * checkout's own certbind.conf*.
 */
int	 location_file_name_ok(const char *rel);

/* The key of PREFIX/NAME ("/certbind/prod/config"). Allocated. */
char	*location_key(const char *prefix, const char *name);

/*
 * Connects to the etcd of spec with the TLS settings of the environment
 * (LOCATION_ENV_*). -1 and *cause naming the endpoints when the location
 * is not valid or no endpoint answers.
 */
int	 location_connect(const char *spec, struct etcd_client **,
	    char **prefix, char **cause);

/* Flags of location_open(). */
#define LOCATION_HISTORY	0x1	/* write the .bak generations too */

/*
 * Opens spec: a path (nothing is read), or an etcd location, connected
 * and checked out at its latest revision. A missing PREFIX/config is not
 * an error (init makes the first); the checkout then has no config file.
 * -1 and *cause (naming the endpoints tried) otherwise.
 */
int	 location_open(const char *spec, int flags, struct location **,
	    char **cause);
void	 location_close(struct location *);	/* removes the checkout */

/* The config file to read and write: the path, or the checkout's. */
const char *location_path(const struct location *);
/* The directory the checkouts are made in (etcd only; NULL for a path):
 * certbindd gives it to the user it runs as before dropping privileges. */
const char *location_dir(const struct location *);
/*
 * text with the checkout's paths named as etcd keys: DIR/certbind.conf
 * as SPEC/config, DIR/RELPATH as SPEC/files/RELPATH, so a message names
 * what the user can find. NULL when text holds none (or a path).
 */
char	*location_rename(const struct location *, const char *text);
/* The location as given, for messages. */
const char *location_spec(const struct location *);
/* 1 for an etcd location. */
int	 location_remote(const struct location *);

/*
 * For an etcd location: the store revision the checkout was read at, and
 * the mod revision of PREFIX/config in it (0: absent). 0 for a path.
 */
int64_t	 location_revision(const struct location *);
int64_t	 location_config_revision(const struct location *);
/*
 * The newest mod revision among PREFIX/config and PREFIX/files/ in the
 * checkout: the revision of the content a node serves (writes under
 * PREFIX/nodes/ and PREFIX/locks/ do not change it). 0 for a path.
 */
int64_t	 location_content_revision(const struct location *);
/* The client and the prefix of an etcd location; NULL for a path. */
struct etcd_client *location_etcd(const struct location *);
const char *location_prefix(const struct location *);

/* What location_push() did. */
enum location_push_status {
	LOCATION_PUSHED,	/* written: location_revision() is the new one */
	LOCATION_LOST,		/* someone wrote first: *cause names them */
	LOCATION_FAILED		/* etcd did not take it: *cause */
};

/*
 * Pushes the checkout (after a save into it) to etcd, as described
 * above. A path: LOCATION_PUSHED at once. *written (if not NULL) gets
 * the number of files put and deleted, the config not counted.
 */
enum location_push_status location_push(struct location *, unsigned *written,
	    char **cause);

/*
 * Reads the location anew at revision rev (0: the latest) into a fresh
 * checkout directory, and makes it the current one: location_path()
 * changes. The checkout it replaces is removed, unless it is pinned.
 * 0: done; 1: the content revision is the one already checked out
 * (nothing was written); -1: *cause, and the current checkout stays.
 */
int	 location_refresh(struct location *, int64_t rev, char **cause);
/*
 * Keeps the current checkout through refreshes until another is pinned
 * (the one pinned before is removed then): certbindd pins the checkout
 * its serving generation was built from, so that a run of refused
 * revisions never takes away the files it may still read.
 */
void	 location_pin(struct location *);

/*
 * For rollback: writes into the checkout the files that the config of
 * backup generation n (1: .bak) names and that are no longer in the
 * checkout, as they were at that generation's revision, so the push of
 * the rolled-back config brings them back. 0, or -1 and *cause.
 */
int	 location_restore_files(struct location *, unsigned n, char **cause);
/* The revision backup generation n was read at (0: none, or a path). */
int64_t	 location_backup_revision(const struct location *, unsigned n);

/*
 * The directory checkouts are made in: $CERTBIND_RUNDIR, else
 * /run/certbind when writable, else $XDG_RUNTIME_DIR, else $TMPDIR or
 * /tmp. Allocated.
 */
char	*location_rundir(void);

#endif
