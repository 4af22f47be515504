/*
 * The tls-alpn-01 challenges certbindd answers itself (RFC 8737): a table
 * from a domain (lower case) to the challenge certificate and its key,
 * read from the files ACME_ALPN_DIR/DOMAIN.pem that certbind writes
 * before it asks the CA to validate.
 *
 * The one idea: like a generation (gen.c), a table is built whole, never
 * changed afterwards, and reference counted. A load reads the directory
 * into a new table and then swaps the current pointer, so a handshake sees
 * either the old table or the new one, never half of one; a handshake
 * that found its challenge keeps a reference to that table until the
 * connection ends, so a reload in between cannot free its credentials.
 *
 * Files are opened through fileio_open(), which is the keeper's open once
 * certbindd has dropped root (the challenge keys are root's, mode 0600),
 * and the key file policy is the one every other key is held to. A file
 * that cannot be used is skipped with one log line; the others load.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "core/config.h"
#include "core/dnsname.h"
#include "keys/cert.h"
#include "keys/keyfile.h"
#include "keys/privkey.h"
#include "op/acme-paths.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"

/* At most this many names are listed in the "loaded" log line. */
#define CHALLENGE_LOG_NAMES	8

struct challenge {
	char			*domain;	/* lower case */
	char			*fpr;		/* SHA-256 of the certificate */
	gnutls_pcert_st		 pcert;
	gnutls_privkey_t	 key;		/* refers to pk's x509 key */
	struct privkey		*pk;
};

struct challenges {
	atomic_long		 refs;
	struct challenge	*v;		/* sorted by domain */
	size_t			 n;
};

static pthread_mutex_t		 chal_lock = PTHREAD_MUTEX_INITIALIZER;
static struct challenges	*chal_cur;
/* chal_cur->n, read without the lock for every new session. */
static atomic_size_t		 chal_count;

static void
challenge_clear(struct challenge *ch)
{
	if (ch->key != NULL)
		gnutls_privkey_deinit(ch->key);
	gnutls_pcert_deinit(&ch->pcert);
	privkey_free(ch->pk);		/* wipes the key */
	free(ch->domain);
	free(ch->fpr);
	memset(ch, 0, sizeof *ch);
}

static void
challenges_free(struct challenges *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		challenge_clear(&t->v[i]);
	free(t->v);
	free(t);
}

void
challenge_unref(struct challenges *t)
{
	if (t != NULL && atomic_fetch_sub(&t->refs, 1) == 1)
		challenges_free(t);
}

size_t
challenge_pending(void)
{
	return atomic_load(&chal_count);
}

struct challenges *
challenge_current(void)
{
	struct challenges	*t;

	pthread_mutex_lock(&chal_lock);
	if ((t = chal_cur) != NULL)
		atomic_fetch_add(&t->refs, 1);
	pthread_mutex_unlock(&chal_lock);
	return t;
}

static void
challenge_install(struct challenges *t)
{
	struct challenges	*old;

	pthread_mutex_lock(&chal_lock);
	old = chal_cur;
	chal_cur = t;
	atomic_store(&chal_count, t != NULL ? t->n : 0);
	pthread_mutex_unlock(&chal_lock);
	challenge_unref(old);
}

void
challenge_free_all(void)
{
	challenge_install(NULL);
}

static int
challenge_cmp(const void *a, const void *b)
{
	const struct challenge	*x = a, *y = b;

	return strcasecmp(x->domain, y->domain);
}

const struct challenge *
challenge_find(const struct challenges *t, const char *domain)
{
	struct challenge	key;

	if (t == NULL || t->n == 0 || domain == NULL)
		return NULL;
	key.domain = (char *)domain;
	return bsearch(&key, t->v, t->n, sizeof *t->v, challenge_cmp);
}

const char *
challenge_domain(const struct challenge *ch)
{
	return ch->domain;
}

const char *
challenge_fpr(const struct challenge *ch)
{
	return ch->fpr;
}

gnutls_pcert_st *
challenge_pcert(const struct challenge *ch)
{
	return (gnutls_pcert_st *)&ch->pcert;
}

gnutls_privkey_t
challenge_privkey(const struct challenge *ch)
{
	return ch->key;
}

/*
 * One file: the certificate (one SAN, domain) and then its key. Returns 0
 * with *ch filled, or -1 with *cause (without the file's name: the caller
 * logs it in front).
 */
static int
challenge_load_file(const char *path, const char *domain,
    const struct keyfile_ids *ids, struct challenge *ch, char **cause)
{
	struct stat	 st;
	struct cert	*c = NULL;
	char		*data = NULL;
	const char	*san;
	size_t		 len = 0;
	int		 is_ip, r, ret = -1;

	memset(ch, 0, sizeof *ch);
	*cause = NULL;
	if (fileio_read(path, FILEIO_MAX_CERT, FILEIO_NOFOLLOW, &data, &len,
	    &st, cause) == -1)
		return -1;
	if (keyfile_policy(path, &st, ids, cause) == -1)
		goto out;
	if (cert_load_mem(data, len, path, &c, cause) == -1)
		goto out;
	if (cert_nsans(c) != 1 || (san = cert_san(c, 0, &is_ip)) == NULL ||
	    is_ip || strcasecmp(san, domain) != 0) {
		*cause = xstrdup("the certificate's names are not exactly "
		    "the domain of the file name");
		goto out;
	}
	if (privkey_load_mem(data, len, path, &ch->pk, cause) == -1)
		goto out;
	if (!privkey_matches_cert(ch->pk, c)) {
		*cause = xstrdup("the private key is not the certificate's");
		goto out;
	}
	if ((r = gnutls_pcert_import_x509(&ch->pcert, cert_crt(c, 0),
	    0)) < 0) {
		*cause = xasprintf("the certificate: %s", gnutls_strerror(r));
		goto out;
	}
	/* The abstract key refers to the x509 key that ch->pk owns. */
	if ((r = gnutls_privkey_init(&ch->key)) < 0 ||
	    (r = gnutls_privkey_import_x509(ch->key, privkey_x509(ch->pk),
	    0)) < 0) {
		*cause = xasprintf("the private key: %s", gnutls_strerror(r));
		goto out;
	}
	ch->domain = xstrdup(domain);
	ch->fpr = xstrdup(cert_fingerprint(c));
	ret = 0;
out:
	if (ret != 0) {
		if (ch->key != NULL) {
			gnutls_privkey_deinit(ch->key);
			ch->key = NULL;
		}
		if (ch->pcert.cert.data != NULL)
			gnutls_pcert_deinit(&ch->pcert);
		privkey_free(ch->pk);
		memset(ch, 0, sizeof *ch);
	}
	cert_free(c);
	if (data != NULL) {
		gnutls_memset(data, 0, len);
		free(data);
	}
	return ret;
}

static void
challenge_skip(const char *name, const char *why)
{
	char	*en, *ew;

	en = escape_str(name, 0);
	ew = escape_str(why, ESCAPE_MESSAGE);
	log_warn("acme: %s/%s skipped: %s", ACME_ALPN_DIR, en, ew);
	free(en);
	free(ew);
}

/*
 * The domain a directory entry names: NAME.pem, NAME a valid DNS name.
 * NULL (and *why) otherwise. Allocated, lower case.
 */
static char *
challenge_name(const char *name, char **why)
{
	size_t	 n = strlen(name), sl = strlen(ACME_ALPN_SUFFIX), i;
	char	*d, *cause = NULL;

	*why = NULL;
	if (n <= sl || strcmp(name + n - sl, ACME_ALPN_SUFFIX) != 0) {
		*why = xstrdup("not named DOMAIN" ACME_ALPN_SUFFIX);
		return NULL;
	}
	d = xstrdup(name);
	d[n - sl] = '\0';
	if (dnsname_check(d, 0, &cause) != 0) {
		*why = xasprintf("not a DNS name: %s", cause);
		free(cause);
		free(d);
		return NULL;
	}
	for (i = 0; d[i] != '\0'; i++)
		d[i] = tolower((unsigned char)d[i]);
	return d;
}

static void
challenge_log_loaded(const struct challenges *t)
{
	char	*list = xstrdup(""), *e, *tmp;
	size_t	 i;

	for (i = 0; i < t->n && i < CHALLENGE_LOG_NAMES; i++) {
		e = escape_str(t->v[i].domain, 0);
		tmp = xasprintf("%s%s%s", list, i == 0 ? ": " : ", ", e);
		free(e);
		free(list);
		list = tmp;
	}
	log_info("acme: %zu tls-alpn-01 challenge(s) loaded%s%s", t->n, list,
	    t->n > CHALLENGE_LOG_NAMES ? ", ..." : "");
	free(list);
}

int
challenge_reload(const struct config *cfg, const struct keyfile_ids *ids,
    int always_log)
{
	struct challenges	*t;
	struct challenge	 ch;
	struct dirent		*de;
	DIR			*dir;
	char			*path, *fpath, *domain, *why, *e;
	size_t			 cap = 0;
	int			 fd;

	t = xcalloc(1, sizeof *t);
	atomic_init(&t->refs, 1);
	path = config_resolve_path(cfg, ACME_ALPN_DIR);
	fd = fileio_open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC | O_NONBLOCK);
	dir = NULL;
	if ((fd == -1 && errno != ENOENT) ||
	    (fd != -1 && (dir = fdopendir(fd)) == NULL)) {
		/* Not knowing what is pending, keep what was. */
		e = escape_str(path, 0);
		log_warn("acme: cannot read the tls-alpn-01 directory %s: %s; "
		    "the challenges loaded before stay", e, strerror(errno));
		free(e);
		if (fd != -1)
			close(fd);
		free(path);
		free(t);
		return -1;
	}
	if (fd == -1) {
		/* No directory: nothing is pending. */
		free(path);
		if (always_log || challenge_pending() != 0)
			challenge_log_loaded(t);
		challenge_install(t);
		return 0;
	}
	while ((de = readdir(dir)) != NULL) {
		/* ".", "..", and the temporary files of atomic writes. */
		if (de->d_name[0] == '.')
			continue;
		if ((domain = challenge_name(de->d_name, &why)) == NULL) {
			challenge_skip(de->d_name, why);
			free(why);
			continue;
		}
		if (challenge_find(t, domain) != NULL) {
			challenge_skip(de->d_name, "another file names the "
			    "same domain");
			free(domain);
			continue;
		}
		fpath = xasprintf("%s/%s", path, de->d_name);
		if (challenge_load_file(fpath, domain, ids, &ch, &why) != 0) {
			challenge_skip(de->d_name, why);
			free(why);
		} else {
			if (t->n == cap) {
				cap = cap ? cap * 2 : 8;
				t->v = xreallocarray(t->v, cap, sizeof *t->v);
			}
			t->v[t->n++] = ch;
			/* Sorted as it grows: challenge_find() above. */
			qsort(t->v, t->n, sizeof *t->v, challenge_cmp);
		}
		free(fpath);
		free(domain);
	}
	closedir(dir);
	free(path);
	challenge_log_loaded(t);
	challenge_install(t);
	return 0;
}
