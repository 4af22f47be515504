/*
 * What the key lifecycle commands (init, request, install, import, export,
 * selfsign, renew) share: key names, picking file names in the store that
 * nothing uses yet, saving key files with the right mode, subjects from
 * the command line, passwords, and the chain status of a certificate.
 *
 * The rule every command here follows: a file is created with O_EXCL and
 * remembered, and if anything fails before the config is committed, every
 * file created is removed again, so a failed command leaves the store as
 * it found it.
 */
#ifndef CERTBIND_OP_LIFECYCLE_H
#define CERTBIND_OP_LIFECYCLE_H

#include <sys/types.h>
#include <stddef.h>

#include "util/errlist.h"

struct config;
struct cert;
struct privkey;

/* The suffix of the pending key that renew makes beside NAME. */
#define LIFECYCLE_RENEW_SUFFIX	"-renew"

/*
 * Key names become file names: config_key_name_check()'s rule (letters,
 * digits, '.', '_' and '-', starting with a letter or a digit, at most
 * CONFIG_KEY_NAME_MAX), kept under this name for the lifecycle's callers.
 */
int	 lifecycle_name_valid(const char *name, char **cause);
/*
 * A name config_key_name_check() accepts, made from arbitrary text (a
 * file name, a CN); allocated.
 */
char	*lifecycle_name_from(const char *text);

/*
 * The files of one key. rel is the path as written in the config
 * ("keys/www.key"), abs the path resolved against the store. A created
 * flag is set by whoever creates the file, so lifecycle_files_undo()
 * removes exactly those.
 */
struct lifecycle_file {
	char	*rel;
	char	*abs;
	int	 created;
};

struct lifecycle_files {
	struct lifecycle_file	 key;
	struct lifecycle_file	 req;
	struct lifecycle_file	 cert;
	/*
	 * What went not quite as asked but did not fail the operation
	 * (a key left 0600 because its group could not be given): the
	 * front end shows them. Plain text: escape before showing.
	 */
	struct errlist		 warnings;
};

/*
 * Picks a base file name for key name: NAME, else NAME-2, NAME-3 ... such
 * that none of keys/BASE.key, requests/BASE.csr and certs/BASE.pem exists.
 * An old file in the store is never overwritten. Makes the store's
 * directories if they are missing (keys/ 0700).
 */
int	 lifecycle_files_pick(const struct config *, const char *name,
	    struct lifecycle_files *, char **cause);
/* The same for one file: DIR/BASE.EXT, else DIR/BASE-2.EXT ... */
int	 lifecycle_file_pick(const struct config *, const char *dir,
	    const char *base, const char *ext, struct lifecycle_file *,
	    char **cause);
/* Removes the files marked created. */
void	 lifecycle_files_undo(struct lifecycle_files *);
void	 lifecycle_files_free(struct lifecycle_files *);

/* Makes a directory and its missing parents, 0755 (mkdir -p). */
int	 lifecycle_mkdirs(const char *path, char **cause);

/*
 * Saves a private key to a new file, lf->key, with the mode and group
 * keyfile_new_mode() gives (keys/keyfile.h: 0600, or 0640 in the server's
 * group), then asks keyfile_policy() whether certbindd would serve it: a
 * group that could not be given, or a file certbindd would refuse, is a
 * warning in lf->warnings. Marks lf->key created.
 */
int	 lifecycle_key_save(const struct config *, const struct privkey *,
	    struct lifecycle_files *lf, char **cause);
/* Writes a new public file (certificate, request) mode 0644, O_EXCL. */
int	 lifecycle_write_public(struct lifecycle_file *f, const void *data,
	    size_t len, char **cause);

/* A subject built from --cn, --org and --san options. */
struct lifecycle_subject {
	const char	*cn;
	const char	*org;
	const char	**sans;
	size_t		 nsans;
};
struct subject;
void	 lifecycle_subject_san(struct lifecycle_subject *, const char *);
/*
 * The subject to request or sign: subj borrows ls's strings. With no
 * --san, the CN becomes the one alternative name, since clients match
 * names against the SANs only, never the CN.
 */
void	 lifecycle_subject_fill(struct lifecycle_subject *, struct subject *);
void	 lifecycle_subject_free(struct lifecycle_subject *);
/* The key type named by --key-type (NULL: ecdsa-p256), or -1 and *cause. */
int	 lifecycle_key_type(const char *arg, char **cause);

/* The longest password file read. */
#define LIFECYCLE_PASSWORD_MAX	1024

/*
 * A password from the first line of file, which must not be empty. Free
 * it with lifecycle_password_free(), which wipes it. (Asking on a
 * terminal is the front end's.)
 */
int	 lifecycle_password_file(const char *file, char **pw, char **cause);
void	 lifecycle_password_free(char *);

/*
 * Completes the chain of c from the certificates in the store's certs/
 * and the trust store, then says whether it reaches a root. Returns an
 * allocated sentence that quotes certificate text: print it escaped
 * . Sets *complete.
 */
char	*lifecycle_chain(const struct config *, struct cert *c,
	    int *complete);

/*
 * Reads a whole file named by the user (size-capped). "-" is refused:
 * standard input is the command line's to read, never the library's.
 */
int	 lifecycle_read(const char *path, char **data, size_t *len,
	    char **cause);

/*
 * The operations, shared by the commands and the terminal UI's
 * walkthrough. Each makes its files (marked created in lf), and returns in
 * *after a copy of before with the change made; nothing is committed. The
 * caller commits *after and then calls lifecycle_files_keep(), or calls
 * lifecycle_files_undo() so that nothing is left behind.
 */
struct subject;

/* Forgets which files were created: they belong to the config now. */
void	 lifecycle_files_keep(struct lifecycle_files *);

/*
 * A new key of type (enum key_type) and a request for it, for a new
 * pending key name. *pem is the request, allocated.
 */
int	 lifecycle_request(const struct config *before, const char *name,
	    const struct subject *, int type, struct config **after,
	    struct lifecycle_files *lf, char **pem, size_t *pemlen,
	    char **cause);

/* A new key and a certificate signed by itself, installed as name. */
int	 lifecycle_selfsign(const struct config *before, const char *name,
	    const struct subject *, int type, unsigned days,
	    struct config **after, struct lifecycle_files *lf,
	    struct cert **crt, char **cause);

/*
 * What install did: the key that took the certificate, the file written,
 * the chain status, and for a renewal the key it replaced and the
 * bindings that now serve the new certificate (one sentence each).
 */
struct lifecycle_installed {
	char		*name;
	char		*renews;	/* NULL: not a renewal */
	char		*chain;		/* quotes certificate text: escape */
	int		 chain_complete;
	char		**moved;
	size_t		 nmoved;
};
void	 lifecycle_installed_free(struct lifecycle_installed *);

/*
 * Puts crt (the CA's answer, chain completed here) on the pending key
 * whose private key matches it, or on the key name (verified). The
 * certificate is written to certs/ (lf->cert). When the key is a pending
 * renewal NAME-renew of an installed key NAME, NAME takes the new key and
 * certificate, NAME-renew goes away, and NAME's bindings serve the new
 * certificate: one step.
 */
int	 lifecycle_install(const struct config *before, struct cert *crt,
	    const char *name, struct config **after,
	    struct lifecycle_files *lf, struct lifecycle_installed *,
	    char **cause);

/*
 * An existing key and its certificate (from a PEM, DER or PKCS#12 file)
 * added as a new installed key name, or with replace put on the existing
 * key name (a renewed file: its bindings then serve it): the key is
 * written anew to keys/ (mode as lifecycle_key_save), the chain completed
 * and written to certs/. *chain is the chain status (quotes certificate
 * text: escape).
 */
int	 lifecycle_import(const struct config *before, const char *name,
	    int replace, const struct privkey *, struct cert *,
	    struct config **after,
	    struct lifecycle_files *lf, char **chain, int *complete,
	    char **cause);

/*
 * Removing a key: the bindings that go with it (with --force), and its
 * files, which are moved aside into the store's removed/ directory, not
 * destroyed (a private key removed by mistake can be put back).
 */
#define LIFECYCLE_REMOVED_DIR	"removed"

struct lifecycle_removed {
	char		**bindings;	/* "ENDPOINT[ sni=NAME]", untrusted */
	size_t		  nbindings;
	char		**files;	/* absolute paths, to move aside */
	size_t		  nfiles;
	char		 *dir;		/* STORE/removed/NAME-YYYYmmddTHHMMSSZ */
};
void	 lifecycle_removed_free(struct lifecycle_removed *);

/*
 * Key name goes from the config, a pending request or renewal as much as
 * an installed key. While bindings name it, it is refused (naming them)
 * unless force, which removes them too. The files to move aside are the
 * key's key, certificate and request and its ACME state, those that
 * exist and that no other key refers to; nothing is moved here.
 */
int	 lifecycle_remove(const struct config *before, const char *name,
	    int force, struct config **after, struct lifecycle_removed *,
	    char **cause);
/*
 * Once the config without the key is committed: moves lr's files into
 * lr->dir (made 0700; rename(2), so modes and contents stay as they
 * were). What cannot be moved stays where it is, a warning in warnings.
 * Returns the number of files moved.
 */
size_t	 lifecycle_remove_files(const struct lifecycle_removed *,
	    struct errlist *warnings);

/* Whether data is PKCS#12 (its structure only: no password needed). */
int	 lifecycle_is_pkcs12(const char *data, size_t len);
/*
 * A private key and its certificates from one PEM file (or a DER file,
 * which can hold only one of them: that is refused with a cause saying
 * what is missing). An encrypted key is decrypted with password, if not
 * NULL.
 */
int	 lifecycle_load_pem(const char *name, const char *data, size_t len,
	    const char *password, struct privkey **, struct cert **,
	    char **cause);

#endif
