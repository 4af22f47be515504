/*
 * certbind copy: a whole config and the files it names, from one config
 * location to another (op/location.h): a file store to etcd and back,
 * file to file, etcd to etcd.
 *
 * The copy is planned before anything is written: the source's config is
 * loaded, every file it names is read into memory (a missing or unreadable
 * one refuses the copy, naming it, with nothing written), and each gets
 * its place under the destination's config directory (for etcd: the
 * checkout's, which the push turns into PREFIX/files/RELPATH). A relative
 * path stays as it is. An absolute path (or a relative one that climbs
 * out of the store with "..") is brought into the store under a name of
 * its own (keys/NAME.key, certs/NAME.pem, requests/NAME.csr,
 * acme/account.key, imported/BASENAME; -2, -3 ... against clashes), the
 * config is rewritten to name it, and the key or binding gets a note
 * saying where the file came from. The copied config has no store
 * setting: its relative paths resolve against its own directory, which is
 * what an etcd checkout needs and what a moved file store wants.
 *
 * Files the config names that are not content: server.pidfile (a host's
 * runtime file) and server.ticket_keys (made and rotated by each
 * certbindd) are kept as written and not copied; a key's acme webroot and
 * dns_hook are a host's directory and program, not copied either.
 *
 * Private keys (a key's key, the ACME account key) are written 0600 and
 * their buffers wiped; nothing here prints.
 */
#ifndef CERTBIND_OP_COPY_H
#define CERTBIND_OP_COPY_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct errlist;
struct location;

/* The largest file copied (a CA bundle is the big one). */
#define COPY_FILE_MAX		(16u * 1024 * 1024)
/* Where absolute paths that are not a key's own files go. */
#define COPY_IMPORT_DIR		"imported"

/*
 * The rule for a path as the config writes it: when it stays inside the
 * store (relative, and no ".." climbing above where it starts), the
 * place it keeps in the copy, cleaned ("a/./b//c" is "a/b/c", "a/../b"
 * is "b"); NULL when it leaves the store (absolute, "../x", "a/../..")
 * or names no file ("", ".", "a/.."), and is brought in under a new name.
 */
char	*copy_rel_path(const char *written);

/* One file of a copy. */
struct copy_file {
	char		*what;		/* "key www: key", for messages */
	char		*from;		/* the source's absolute path */
	char		*to;		/* relative to DEST's config directory */
	int		 secret;	/* a private key: 0600, wiped */
	int		 imported;	/* only paths leaving the store name it:
					   it has a new name */
	unsigned char	*data;
	size_t		 len;
};

/* A planned copy: the config to write and its files, read. */
struct copy_plan {
	struct config	*cf;
	struct copy_file *files;
	size_t		 nfiles;
};
/* Frees the plan, wiping every file's bytes. */
void	 copy_plan_free(struct copy_plan *);

/*
 * Plans the copy of the config at src: loads it (its problems go to errs
 * and -1 is returned), lists and reads the files it names, and rewrites
 * the config for its new place. -1 and *cause when a file is missing or
 * unreadable (naming the setting and the path), or src holds no config.
 * Nothing is written.
 */
int	 copy_plan(struct location *src, struct copy_plan *,
	    struct errlist *errs, char **cause);

/* Flags of copy_write(). */
#define COPY_FORCE	0x1	/* replace a config DEST holds */

/* What copy_write() did. */
enum copy_status {
	COPY_WRITTEN,		/* done: see copy_result */
	COPY_REFUSED,		/* DEST holds a config or a file, or lost a
				   race: *cause; nothing written */
	COPY_FAILED		/* a write or the push failed: *cause */
};

struct copy_result {
	int64_t		 revision;	/* etcd: the store's after the push */
	unsigned	 pushed;	/* etcd: files put and deleted */
};

/*
 * Writes the plan into dst: refused when dst holds a config (unless
 * COPY_FORCE, which replaces it and, for etcd, the files under
 * PREFIX/files/ too) or, for a path, when a file it would write exists
 * (unless COPY_FORCE). The files are written (private keys 0600), then
 * the config (config_save), then the location pushed: for etcd one
 * transaction on the condition that PREFIX/config is still as read, so
 * a concurrent writer makes the copy refuse.
 */
enum copy_status copy_write(const struct copy_plan *, struct location *dst,
	    int flags, struct copy_result *, char **cause);

#endif
