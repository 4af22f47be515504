/*
 * What the key lifecycle operations (lifecycle-ops.c) are made of: key
 * names, picking file names in the store, writing key and public files,
 * subjects, key types, chains, and the files and passwords a user names.
 * The one idea: files are created with O_EXCL and remembered, so that an
 * operation that fails half way removes exactly what it made and nothing
 * else.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "core/config.h"
#include "util/errlist.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "core/store.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/keyfile.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "op/lifecycle.h"

/* The rule is core's, so a name the lifecycle takes is one the config takes. */
int
lifecycle_name_valid(const char *name, char **cause)
{
	return config_key_name_check(name, cause);
}

char *
lifecycle_name_from(const char *text)
{
	char	*s;
	size_t	 i, j = 0, len = strlen(text);

	s = xmalloc(CONFIG_KEY_NAME_MAX + 1);
	for (i = 0; i < len && j < CONFIG_KEY_NAME_MAX; i++) {
		unsigned char c = text[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			s[j++] = c;
		else if (j > 0 && (c == '.' || c == '_' || c == '-'))
			s[j++] = c;
		else if (j > 0 && s[j - 1] != '-')
			s[j++] = '-';
	}
	while (j > 0 && (s[j - 1] == '-' || s[j - 1] == '.'))
		j--;
	s[j] = '\0';
	if (j == 0) {
		free(s);
		return (xstrdup("imported"));
	}
	return (s);
}

static int
make_dir(const char *path, mode_t mode, char **cause)
{
	struct stat	 st;
	char		*e;

	if (mkdir(path, mode) == 0) {
		/* mkdir's mode goes through the umask; set it exactly. */
		if (chmod(path, mode) == -1)
			goto fail;
		return (0);
	}
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return (0);
fail:
	e = escape_str(path, 0);
	*cause = xasprintf("%s: cannot create the directory: %s", e,
	    errno == EEXIST ? "a file of that name exists" : strerror(errno));
	free(e);
	return (-1);
}

int
lifecycle_mkdirs(const char *path, char **cause)
{
	char	*p, *s;

	/* Like mkdir -p: the directory and its missing parents, 0755. */
	s = xstrdup(path);
	for (p = s + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (make_dir(s, 0755, cause) == -1) {
			free(s);
			return (-1);
		}
		*p = '/';
	}
	if (make_dir(s, 0755, cause) == -1) {
		free(s);
		return (-1);
	}
	free(s);
	return (0);
}

static int
file_exists(const char *path)
{
	struct stat	st;

	return (lstat(path, &st) == 0 || errno != ENOENT);
}

static void
file_set(const struct config *cfg, struct lifecycle_file *f, const char *dir,
    const char *base, const char *ext)
{
	free(f->rel);
	free(f->abs);
	f->rel = xasprintf("%s/%s%s", dir, base, ext);
	f->abs = config_resolve_path(cfg, f->rel);
	f->created = 0;
}

int
lifecycle_file_pick(const struct config *cfg, const char *dir,
    const char *base, const char *ext, struct lifecycle_file *f,
    char **cause)
{
	char	*b, *e;
	int	 i;

	memset(f, 0, sizeof *f);
	for (i = 1; i < 100; i++) {
		if (i == 1)
			b = xstrdup(base);
		else
			b = xasprintf("%s-%d", base, i);
		file_set(cfg, f, dir, b, ext);
		free(b);
		if (!file_exists(f->abs))
			return (0);
	}
	e = escape_str(f->abs, 0);
	*cause = xasprintf("%s: no free file name (%s/%s%s to this one are "
	    "taken): remove old files", e, dir, base, ext);
	free(e);
	free(f->rel);
	free(f->abs);
	memset(f, 0, sizeof *f);
	return (-1);
}

int
lifecycle_files_pick(const struct config *cfg, const char *name,
    struct lifecycle_files *lf, char **cause)
{
	char	*store, *base;
	int	 i;

	memset(lf, 0, sizeof *lf);
	store = store_dir(cfg);
	if (store_init(store, cause) == -1) {
		free(store);
		return (-1);
	}
	for (i = 1; i < 100; i++) {
		if (i == 1)
			base = xstrdup(name);
		else
			base = xasprintf("%s-%d", name, i);
		file_set(cfg, &lf->key, "keys", base, ".key");
		file_set(cfg, &lf->req, "requests", base, ".csr");
		file_set(cfg, &lf->cert, "certs", base, ".pem");
		free(base);
		if (!file_exists(lf->key.abs) && !file_exists(lf->req.abs) &&
		    !file_exists(lf->cert.abs)) {
			free(store);
			return (0);
		}
	}
	base = escape_str(store, 0);
	*cause = xasprintf("%s: no free file name for key '%s' (keys/%s.key "
	    "to keys/%s-99.key are taken): remove old files or choose "
	    "another name", base, name, name, name);
	free(base);
	free(store);
	lifecycle_files_free(lf);
	return (-1);
}

static void
file_undo(struct lifecycle_file *f)
{
	if (f->created && f->abs != NULL)
		unlink(f->abs);
	f->created = 0;
}

void
lifecycle_files_undo(struct lifecycle_files *lf)
{
	file_undo(&lf->key);
	file_undo(&lf->req);
	file_undo(&lf->cert);
}

void
lifecycle_files_free(struct lifecycle_files *lf)
{
	free(lf->key.rel);
	free(lf->key.abs);
	free(lf->req.rel);
	free(lf->req.abs);
	free(lf->cert.rel);
	free(lf->cert.abs);
	errlist_clear(&lf->warnings);
	memset(lf, 0, sizeof *lf);
}

int
lifecycle_key_save(const struct config *cfg, const struct privkey *key,
    struct lifecycle_files *lf, char **cause)
{
	struct lifecycle_file		*f = &lf->key;
	const struct config_server	*srv = config_server(cfg);
	struct keyfile_ids		 ids;
	struct stat			 st;
	char				*why = NULL;
	mode_t				 mode;
	gid_t				 gid;

	/*
	 * The mode and group come from the key-file policy (keyfile.c), and
	 * the file written is judged by it, as certbindd will judge it. The
	 * file is created 0600 and only opened to the group once it is known
	 * to belong to that group.
	 */
	if (keyfile_ids_lookup(srv != NULL ? srv->user : NULL,
	    srv != NULL ? srv->group : NULL, &ids, &why) != 0) {
		errlist_add(&lf->warnings, "%s: %s", f->rel, why);
		free(why);
		why = NULL;
	}
	keyfile_new_mode(&ids, &mode, &gid);
	if (privkey_save(key, f->abs, 0600, cause) == -1)
		return (-1);
	f->created = 1;
	if (mode != 0600 && (chown(f->abs, (uid_t)-1, gid) == -1 ||
	    chmod(f->abs, mode) == -1))
		errlist_add(&lf->warnings, "%s: left mode 0600: could not "
		    "give it to group %s", f->rel, srv->group);
	if (lstat(f->abs, &st) == 0 &&
	    keyfile_policy(f->rel, &st, &ids, &why) != 0) {
		errlist_add(&lf->warnings, "%s (certbindd will refuse it)",
		    why);
		free(why);
	}
	return (0);
}

int
lifecycle_write_public(struct lifecycle_file *f, const void *data,
    size_t len, char **cause)
{
	if (fileio_write_new(f->abs, data, len, 0644, cause) == -1)
		return (-1);
	f->created = 1;
	return (0);
}

void
lifecycle_subject_san(struct lifecycle_subject *s, const char *san)
{
	s->sans = xreallocarray(s->sans, s->nsans + 1, sizeof *s->sans);
	s->sans[s->nsans++] = san;
}

void
lifecycle_subject_fill(struct lifecycle_subject *ls, struct subject *subj)
{
	if (ls->nsans == 0)
		lifecycle_subject_san(ls, ls->cn);
	subj->cn = ls->cn;
	subj->org = ls->org;
	subj->sans = ls->sans;
	subj->nsans = ls->nsans;
}

int
lifecycle_key_type(const char *arg, char **cause)
{
	char	*list;
	int	 type;

	if (arg == NULL)
		return (int)KEY_TYPE_DEFAULT;
	if ((type = key_type_parse(arg)) == -1) {
		list = key_type_list();
		*cause = xasprintf("unknown key type '%s': use %s", arg, list);
		free(list);
	}
	return type;
}

void
lifecycle_subject_free(struct lifecycle_subject *s)
{
	free(s->sans);
	memset(s, 0, sizeof *s);
}

/* Offers every certificate file in the store's certs/ as intermediates. */
static void
chain_add_store(const struct config *cfg, struct trust *trust)
{
	DIR		*d;
	struct dirent	*de;
	char		*store, *dir, *path, *cause;
	size_t		 len;

	store = store_dir(cfg);
	dir = xasprintf("%s/certs", store);
	free(store);
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 5 ||
		    (strcmp(de->d_name + len - 4, ".pem") != 0 &&
		    strcmp(de->d_name + len - 4, ".crt") != 0))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		cause = NULL;
		/* A file that does not parse is not an intermediate. */
		if (trust_add_intermediates(trust, path, &cause) == -1)
			free(cause);
		free(path);
	}
	closedir(d);
	free(dir);
}

char *
lifecycle_chain(const struct config *cfg, struct cert *c, int *complete)
{
	const struct config_server	*srv = config_server(cfg);
	struct trust			*trust = NULL;
	char				*cause = NULL, *missing = NULL;
	char				*msg, *tf = NULL;
	size_t				 n;

	*complete = 0;
	if (srv != NULL && srv->trust != NULL)
		tf = config_resolve_path(cfg, srv->trust);
	if (trust_load(tf, &trust, &cause) == -1) {
		msg = xasprintf("chain not checked: %s", cause);
		free(cause);
		free(tf);
		return (msg);
	}
	free(tf);
	chain_add_store(cfg, trust);
	cert_chain_fill(c, trust);
	n = cert_chain_len(c);
	switch (cert_chain_complete(c, trust, &missing)) {
	case CHAIN_TRUSTED:
		*complete = 1;
		msg = xasprintf("chain complete: %zu certificate%s up to a "
		    "trusted root", n, n == 1 ? "" : "s");
		break;
	case CHAIN_SELF_SIGNED:
		*complete = 1;
		msg = xasprintf("self-signed: clients trust it only if they "
		    "are given this certificate");
		break;
	case CHAIN_UNTRUSTED_ROOT:
		msg = xasprintf("chain ends at its own root (%zu certificate%s):"
		    " '%s' is in no trust store, so clients will not trust "
		    "it; if it is your private CA, name its file in "
		    "server.trust", n, n == 1 ? "" : "s",
		    missing != NULL ? missing : "?");
		break;
	default:
		msg = xasprintf("chain incomplete (%zu certificate%s): the "
		    "issuer '%s' is in neither the file, the store's certs/ "
		    "nor the trust store, so clients may not trust it; put "
		    "the intermediate in certs/ (or the CA in the trust "
		    "bundle) and install again", n, n == 1 ? "" : "s",
		    missing != NULL ? missing : "?");
		break;
	}
	free(missing);
	trust_free(trust);
	return (msg);
}

int
lifecycle_read(const char *path, char **data, size_t *len, char **cause)
{
	/*
	 * "-" is standard input to the command line, which reads it itself;
	 * here it would be a file named "-" in whatever directory this
	 * process runs in, and never what the user meant.
	 */
	if (strcmp(path, "-") == 0) {
		*cause = xstrdup("'-' (standard input) cannot be read here: "
		    "give the path of a file");
		return (-1);
	}
	return (fileio_read(path, FILEIO_MAX_CERT, 0, data, len, NULL, cause));
}

int
lifecycle_password_file(const char *file, char **pw, char **cause)
{
	char	*data, *e;
	size_t	 len;

	*pw = NULL;
	if (fileio_read(file, LIFECYCLE_PASSWORD_MAX, 0, &data, &len, NULL,
	    cause) == -1)
		return (-1);
	/* The first line is the password; a final newline is not. */
	len = strcspn(data, "\r\n");
	*pw = xstrndup(data, len);
	freezero(data, strlen(data) + 1);
	if (**pw == '\0') {
		e = escape_str(file, 0);
		*cause = xasprintf("%s: the password file is empty", e);
		free(e);
		lifecycle_password_free(*pw);
		*pw = NULL;
		return (-1);
	}
	return (0);
}

void
lifecycle_password_free(char *pw)
{
	if (pw != NULL)
		freezero(pw, strlen(pw) + 1);
}

void
lifecycle_files_keep(struct lifecycle_files *lf)
{
	lf->key.created = lf->req.created = lf->cert.created = 0;
}
