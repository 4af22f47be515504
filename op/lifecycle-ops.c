/*
 * The key lifecycle operations both front ends run (lifecycle.h): a key
 * and its request, a self-signed key, the CA's answer installed (a
 * renewal taking over its key's bindings in one step), and an existing
 * key imported. Each makes its files, marked for undo, and returns the
 * changed config without committing it: the caller commits, then keeps
 * the files or undoes them.
 */


#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/pkcs12.h>

#include "core/config.h"
#include "core/store.h"
#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "op/lifecycle.h"
#include "util/escape.h"
#include "util/xmalloc.h"

/* Frees *after and removes the files made so far: nothing half done. */
static int
op_fail(struct config **after, struct lifecycle_files *lf)
{
	if (*after != NULL)
		config_free(*after);
	*after = NULL;
	lifecycle_files_undo(lf);
	return (-1);
}

static int
op_new_name(const struct config *before, const char *name,
    const struct subject *subj, char **cause)
{
	char	*e;

	if (lifecycle_name_valid(name, cause) == -1)
		return (-1);
	if (config_key_find(before, name) != NULL) {
		e = escape_str(name, 0);
		*cause = xasprintf("a key named '%s' exists already: choose "
		    "another name (or renew it: certbind renew %s)", e, e);
		free(e);
		return (-1);
	}
	if (subj != NULL && subject_check(subj, cause) == -1)
		return (-1);
	return (0);
}

/*
 * The start of every operation that makes a key: a new valid name, free
 * file names in the store, and the key itself. On failure the caller
 * calls op_fail(), which removes whatever was made.
 */
static int
op_new_key(const struct config *before, const char *name,
    const struct subject *subj, int type, struct lifecycle_files *lf,
    struct privkey **key, char **cause)
{
	memset(lf, 0, sizeof *lf);
	*key = NULL;
	if (op_new_name(before, name, subj, cause) == -1 ||
	    lifecycle_files_pick(before, name, lf, cause) == -1 ||
	    privkey_generate(type, key, cause) == -1)
		return (-1);
	return (0);
}

int
lifecycle_request(const struct config *before, const char *name,
    const struct subject *subj, int type, struct config **after,
    struct lifecycle_files *lf, char **pem, size_t *pemlen, char **cause)
{
	struct privkey	*key = NULL;

	*after = NULL;
	*pem = NULL;
	if (op_new_key(before, name, subj, type, lf, &key, cause) == -1)
		return (op_fail(after, lf));
	if (request_create(key, subj, pem, pemlen, cause) == -1 ||
	    lifecycle_key_save(before, key, lf, cause) == -1 ||
	    lifecycle_write_public(&lf->req, *pem, *pemlen, cause) == -1) {
		privkey_free(key);
		free(*pem);
		*pem = NULL;
		return (op_fail(after, lf));
	}
	privkey_free(key);

	*after = config_dup(before);
	if (config_key_add(*after, name, lf->key.rel, NULL, lf->req.rel,
	    cause) == -1) {
		free(*pem);
		*pem = NULL;
		return (op_fail(after, lf));
	}
	return (0);
}

int
lifecycle_selfsign(const struct config *before, const char *name,
    const struct subject *subj, int type, unsigned days,
    struct config **after, struct lifecycle_files *lf, struct cert **crt,
    char **cause)
{
	struct privkey	*key = NULL;
	char		*pem = NULL;
	size_t		 len = 0;

	*after = NULL;
	*crt = NULL;
	if (op_new_key(before, name, subj, type, lf, &key, cause) == -1)
		return (op_fail(after, lf));
	if (cert_selfsign(key, subj, days, crt, cause) == -1)
		goto fail;
	pem = cert_export_pem(*crt, &len);
	if (lifecycle_key_save(before, key, lf, cause) == -1 ||
	    lifecycle_write_public(&lf->cert, pem, len, cause) == -1)
		goto fail;
	free(pem);
	privkey_free(key);

	*after = config_dup(before);
	if (config_key_add(*after, name, lf->key.rel, lf->cert.rel, NULL,
	    cause) == -1) {
		cert_free(*crt);
		*crt = NULL;
		return (op_fail(after, lf));
	}
	return (0);
fail:
	free(pem);
	privkey_free(key);
	if (*crt != NULL)
		cert_free(*crt);
	*crt = NULL;
	return (op_fail(after, lf));
}

void
lifecycle_installed_free(struct lifecycle_installed *li)
{
	size_t	i;

	free(li->name);
	free(li->renews);
	free(li->chain);
	for (i = 0; i < li->nmoved; i++)
		free(li->moved[i]);
	free(li->moved);
	memset(li, 0, sizeof *li);
}

/* 1 if k's private key belongs to crt, 0 if not, -1 if it cannot be read. */
static int
key_matches(const struct config *cfg, const struct config_key *k,
    const struct cert *crt, char **cause)
{
	struct privkey	*pk;
	char		*path;
	int		 m;

	path = config_resolve_path(cfg, k->key);
	if (privkey_load(path, &pk, NULL, cause) == -1) {
		free(path);
		return (-1);
	}
	free(path);
	m = privkey_matches_cert(pk, crt);
	privkey_free(pk);
	return (m == 1);
}

/* The key file's name without directory and ".key": the base for certs/. */
static char *
key_base(const char *keypath, const char *name)
{
	const char	*b;
	char		*s, *cause = NULL;
	size_t		 len;

	b = strrchr(keypath, '/');
	b = (b == NULL) ? keypath : b + 1;
	s = xstrdup(b);
	len = strlen(s);
	if (len > 4 && strcmp(s + len - 4, ".key") == 0)
		s[len - 4] = '\0';
	if (lifecycle_name_valid(s, &cause) == -1) {
		free(cause);
		free(s);
		s = xstrdup(name);
	}
	return (s);
}

static int	install_same(const struct config *, const struct config_key *,
		    const struct cert *, char **);

static const struct config_key *
install_find(const struct config *before, const struct cert *crt,
    const char *name, char **cause)
{
	const struct config_key	*k;
	struct errlist		 pending = ERRLIST_INIT;
	char			*e, *e2, *kcause = NULL, *list;
	size_t			 i, j, len;
	int			 m;

	if (name != NULL) {
		e = escape_str(name, 0);
		if ((k = config_key_find(before, name)) == NULL) {
			*cause = xasprintf("there is no key named '%s'", e);
			free(e);
			return (NULL);
		}
		if ((m = key_matches(before, k, crt, &kcause)) != 1) {
			if (m == -1) {
				*cause = xasprintf("key '%s': %s", e, kcause);
				free(kcause);
			} else
				*cause = xasprintf("the certificate does not "
				    "belong to key '%s': its public key is "
				    "another; nothing was written", e);
			free(e);
			return (NULL);
		}
		free(e);
		return (k);
	}

	for (i = 0; i < config_nkeys(before); i++) {
		k = config_key(before, i);
		if (k->cert != NULL)
			continue;
		errlist_add(&pending, "%s", k->name);
		kcause = NULL;
		/* A pending key that cannot be read cannot be the one. */
		if (key_matches(before, k, crt, &kcause) == 1) {
			errlist_clear(&pending);
			return (k);
		}
		free(kcause);
	}
	/* Not pending: perhaps a new certificate for an installed key. */
	for (i = 0; i < config_nkeys(before); i++) {
		k = config_key(before, i);
		if (k->cert == NULL)
			continue;
		kcause = NULL;
		if (key_matches(before, k, crt, &kcause) == 1) {
			errlist_clear(&pending);
			/*
			 * The very certificate k has: say so, rather than
			 * send the user to --name, which would say it again.
			 */
			if (install_same(before, k, crt, cause))
				return (NULL);
			e = escape_str(k->name, 0);
			*cause = xasprintf("the certificate belongs to key "
			    "'%s', which has a certificate already; to "
			    "replace it, run install again with --name %s; "
			    "nothing was written", e, e);
			free(e);
			return (NULL);
		}
		free(kcause);
	}

	e = escape_str(cert_cn(crt), 0);
	if (pending.n == 0)
		list = xstrdup("there is no pending key (make one with "
		    "certbind request)");
	else {
		len = 1;
		for (j = 0; j < pending.n; j++)
			len += strlen(pending.v[j]) + 2;
		list = xcalloc(1, len + 32);
		strcpy(list, "pending keys: ");
		for (j = 0; j < pending.n; j++) {
			if (j > 0)
				strcat(list, ", ");
			strcat(list, pending.v[j]);
		}
	}
	e2 = escape_str(list, 0);
	*cause = xasprintf("the certificate (CN '%s', SHA-256 %s) matches no "
	    "pending key: its public key belongs to none of them (%s); "
	    "nothing was written", e, cert_fingerprint(crt), e2);
	free(e2);
	free(list);
	free(e);
	errlist_clear(&pending);
	return (NULL);
}

/* Whether crt is the certificate k has already (install twice). */
static int
install_same(const struct config *cfg, const struct config_key *k,
    const struct cert *crt, char **cause)
{
	struct cert	*cur;
	char		*path, *c = NULL, *e;
	int		 same;

	if (k->cert == NULL)
		return (0);
	path = config_resolve_path(cfg, k->cert);
	if (cert_load(path, &cur, &c) == -1) {
		free(c);
		free(path);
		return (0);
	}
	free(path);
	same = strcmp(cert_fingerprint(cur), cert_fingerprint(crt)) == 0;
	cert_free(cur);
	if (same) {
		e = escape_str(k->name, 0);
		*cause = xasprintf("this certificate is installed on key '%s' "
		    "already; nothing was written", e);
		free(e);
	}
	return (same);
}

static void
installed_moved(struct lifecycle_installed *li, const char *fmt, ...)
{
	va_list	ap;

	li->moved = xreallocarray(li->moved, li->nmoved + 1,
	    sizeof *li->moved);
	va_start(ap, fmt);
	li->moved[li->nmoved++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/*
 * A renewal: oldname takes the renewed key's files, and the pending record
 * goes away. Bindings name keys, so those on oldname now serve the new
 * certificate; any made on the pending record move to oldname.
 */
static int
install_renewal(struct config *after, const char *oldname,
    const struct config_key *renew, const char *certrel,
    struct lifecycle_installed *li, char **cause)
{
	const struct config_binding	*b;
	struct endpoint			 ep;
	char				 buf[ENDPOINT_STRLEN];
	char				*rname, *sni;
	size_t				 i;

	rname = xstrdup(renew->name);
	for (i = 0; i < config_nbindings(after); i++) {
		b = config_binding(after, i);
		if (strcmp(b->key, oldname) == 0)
			installed_moved(li, "%s %s%s%s: now served with the "
			    "new key and certificate", oldname,
			    endpoint_format(&b->ep, buf),
			    b->sni != NULL ? " sni=" : "",
			    b->sni != NULL ? b->sni : "");
	}
	for (i = 0; i < config_nbindings(after); i++) {
		b = config_binding(after, i);
		if (strcmp(b->key, rname) != 0)
			continue;
		ep = b->ep;
		sni = b->sni != NULL ? xstrdup(b->sni) : NULL;
		if (config_unbind(after, rname, &ep, sni, cause) == -1 ||
		    config_bind(after, oldname, &ep, sni, cause) == -1) {
			free(sni);
			free(rname);
			return (-1);
		}
		installed_moved(li, "%s %s%s%s: moved to %s", rname,
		    endpoint_format(&ep, buf), sni != NULL ? " sni=" : "",
		    sni != NULL ? sni : "", oldname);
		free(sni);
		i = (size_t)-1;	/* the array changed: look again */
	}
	if (config_key_set(after, oldname, renew->key, certrel,
	    renew->request, cause) == -1 ||
	    config_key_remove(after, rname, cause) == -1) {
		free(rname);
		return (-1);
	}
	free(rname);
	return (0);
}

int
lifecycle_install(const struct config *before, struct cert *crt,
    const char *name, struct config **after, struct lifecycle_files *lf,
    struct lifecycle_installed *li, char **cause)
{
	const struct config_key	*k, *old = NULL;
	char			*base, *pem, *store, *oldname = NULL;
	size_t			 len, slen = strlen(LIFECYCLE_RENEW_SUFFIX);

	*after = NULL;
	memset(lf, 0, sizeof *lf);
	memset(li, 0, sizeof *li);
	if ((k = install_find(before, crt, name, cause)) == NULL)
		return (-1);
	if (install_same(before, k, crt, cause))
		return (-1);

	/* NAME-renew of an installed NAME: see install_renewal(). */
	len = strlen(k->name);
	if (len > slen &&
	    strcmp(k->name + len - slen, LIFECYCLE_RENEW_SUFFIX) == 0) {
		oldname = xstrndup(k->name, len - slen);
		old = config_key_find(before, oldname);
		if (old == NULL || old->cert == NULL) {
			free(oldname);
			oldname = NULL;
		}
	}

	li->chain = lifecycle_chain(before, crt, &li->chain_complete);
	store = store_dir(before);
	if (store_init(store, cause) == -1) {
		free(store);
		goto fail;
	}
	free(store);
	base = key_base(k->key, k->name);
	if (lifecycle_file_pick(before, "certs", base, ".pem", &lf->cert,
	    cause) == -1) {
		free(base);
		goto fail;
	}
	free(base);
	pem = cert_export_pem(crt, &len);
	if (lifecycle_write_public(&lf->cert, pem, len, cause) == -1) {
		free(pem);
		goto fail;
	}
	free(pem);

	*after = config_dup(before);
	if (oldname != NULL) {
		/* k points into before, which no mutator here touches. */
		if (install_renewal(*after, oldname, k, lf->cert.rel, li,
		    cause) == -1)
			goto fail;
		li->name = oldname;
		li->renews = xstrdup(k->name);
		oldname = NULL;
	} else {
		if (config_key_set(*after, k->name, k->key, lf->cert.rel,
		    k->request, cause) == -1)
			goto fail;
		li->name = xstrdup(k->name);
	}
	return (0);
fail:
	free(oldname);
	lifecycle_installed_free(li);
	return (op_fail(after, lf));
}


/*
 * The same certificate under a second name is allowed (a staging copy,
 * say) but rarely meant: a renewed PFX belongs on the key it renews. A
 * warning names the key that has it already.
 */
static void
import_duplicate(const struct config *before, const char *name,
    const struct cert *crt, struct lifecycle_files *lf)
{
	const struct config_key	*k;
	struct cert		*cur;
	char			*path, *c = NULL;
	size_t			 i;
	int			 same;

	for (i = 0; i < config_nkeys(before); i++) {
		k = config_key(before, i);
		if (k->cert == NULL)
			continue;
		path = config_resolve_path(before, k->cert);
		if (cert_load(path, &cur, &c) == -1) {
			free(c);
			c = NULL;
			free(path);
			continue;
		}
		free(path);
		same = strcmp(cert_fingerprint(cur), cert_fingerprint(crt)) == 0;
		cert_free(cur);
		if (same) {
			errlist_add(&lf->warnings, "this certificate is "
			    "installed as key '%s' already: '%s' holds the "
			    "same one (certbind remove %s undoes this "
			    "import)", k->name, name, name);
			return;
		}
	}
}

int
lifecycle_import(const struct config *before, const char *name, int replace,
    const struct privkey *key, struct cert *crt, struct config **after,
    struct lifecycle_files *lf, char **chain, int *complete, char **cause)
{
	char	*pem, *e;
	size_t	 len;

	*after = NULL;
	*chain = NULL;
	memset(lf, 0, sizeof *lf);
	if (replace && config_key_find(before, name) == NULL) {
		e = escape_str(name, 0);
		*cause = xasprintf("there is no key named '%s' to replace", e);
		free(e);
		return (-1);
	}
	if (!replace && op_new_name(before, name, NULL, cause) == -1)
		return (-1);
	if (privkey_matches_cert(key, crt) != 1) {
		e = escape_str(cert_cn(crt), 0);
		*cause = xasprintf("the private key does not belong to the "
		    "certificate (CN '%s'); nothing was written", e);
		free(e);
		return (-1);
	}
	if (lifecycle_files_pick(before, name, lf, cause) == -1)
		return (-1);
	*chain = lifecycle_chain(before, crt, complete);
	pem = cert_export_pem(crt, &len);
	if (lifecycle_key_save(before, key, lf, cause) == -1 ||
	    lifecycle_write_public(&lf->cert, pem, len, cause) == -1) {
		free(pem);
		goto fail;
	}
	free(pem);
	*after = config_dup(before);
	/*
	 * --replace: the key keeps its name, bindings and acme block and
	 * takes the new files (a renewed PFX); the old ones stay in the
	 * store as orphans, which check says to move out.
	 */
	if ((replace ? config_key_set(*after, name, lf->key.rel, lf->cert.rel,
	    NULL, cause) : config_key_add(*after, name, lf->key.rel,
	    lf->cert.rel, NULL, cause)) == -1)
		goto fail;
	import_duplicate(before, name, crt, lf);
	return (0);
fail:
	free(*chain);
	*chain = NULL;
	return (op_fail(after, lf));
}

/* Whether data parses as PKCS#12 (its structure only: no password). */
int
lifecycle_is_pkcs12(const char *data, size_t len)
{
	gnutls_pkcs12_t	p12;
	gnutls_datum_t	d;
	int		ok;

	if (gnutls_pkcs12_init(&p12) < 0)
		return (0);
	d.data = (unsigned char *)data;
	d.size = len;
	ok = gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_DER, 0) >= 0;
	gnutls_pkcs12_deinit(p12);
	return (ok);
}

int
lifecycle_load_pem(const char *path, const char *data, size_t len,
    const char *password, struct privkey **key, struct cert **crt,
    char **cause)
{
	char	*e;

	/* A PEM file may hold the key, the certificates, or both. */
	if (cert_load_mem(data, len, path, crt, cause) == -1) {
		if (privkey_load_mem(data, len, path, key, NULL) == 0) {
			free(*cause);
			e = escape_str(path, 0);
			*cause = xasprintf("%s holds a private key but no "
			    "certificate: import a file with both (cat "
			    "KEY CERT > FILE), or for a CA's answer to a "
			    "request use certbind install", e);
			free(e);
			privkey_free(*key);
			*key = NULL;
		}
		return (-1);
	}
	if (privkey_is_encrypted(data, len)) {
		if (password == NULL) {
			e = escape_str(path, 0);
			*cause = xasprintf("%s holds an encrypted private key: "
			    "give its password, or decrypt it first "
			    "(openssl pkey -in FILE -out NEW)", e);
			free(e);
			goto fail;
		}
		if (privkey_decrypt_mem(data, len, path, password, key,
		    cause) == -1)
			goto fail;
		return (0);
	}
	if (privkey_load_mem(data, len, path, key, cause) == -1) {
		free(*cause);
		e = escape_str(path, 0);
		*cause = xasprintf("%s holds no private key that certbind can "
		    "read; for a CA's answer to a request use certbind "
		    "install", e);
		free(e);
		goto fail;
	}
	return (0);
fail:
	cert_free(*crt);
	*crt = NULL;
	return (-1);
}
