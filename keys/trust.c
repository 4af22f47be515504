/*
 * The trust store, and the walk from a leaf up its chain to a root.
 *
 * The store keeps its certificates in a hash table keyed by the DER of
 * their subject DN: finding the issuer of a certificate is one hash and
 * one or two byte compares, whatever the size of the system bundle, which
 * is what lets "certbind check" go through ten thousand keys quickly.
 */
#include <stdint.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/keyutil.h"
#include "keys/trust.h"

/* The system bundle is larger than any one certificate file. */
#define TRUST_MAX_FILE		(16u * 1024 * 1024)
/* No real chain is longer; a loop of cross-signed CAs must end. */
#define CHAIN_MAX_DEPTH		16

struct trust_entry {
	gnutls_x509_crt_t crt;
	gnutls_datum_t	 subject;	/* DER of the subject DN */
	gnutls_datum_t	 ski;		/* subject key ID, size 0 if none */
	int		 root;
	struct trust_entry *next;
};

struct trust {
	struct trust_entry **buckets;
	size_t		 nbuckets;
	size_t		 n;
};

/*
 * Whether issuer issued crt, once their names agree. When both carry key
 * identifiers (every CA-issued certificate does), the child's authority
 * key ID naming the issuer's subject key ID settles it, the way path
 * builders match (RFC 4158): a finding about missing intermediates is not
 * the client's trust decision, and verifying one ECDSA signature per
 * certificate would cost "certbind check" seconds over ten thousand keys.
 * Without identifiers the signature is verified.
 */
static int
issued_by(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer,
    const gnutls_datum_t *issuer_ski)
{
	unsigned char	 aki[64], ski[64];
	size_t		 akilen = sizeof aki, skilen = sizeof ski;
	unsigned	 critical;
	gnutls_datum_t	 s;

	if (gnutls_x509_crt_get_authority_key_id(crt, aki, &akilen,
	    &critical) == 0 && akilen > 0) {
		if (issuer_ski == NULL) {
			if (gnutls_x509_crt_get_subject_key_id(issuer, ski,
			    &skilen, &critical) == 0 && skilen > 0) {
				s.data = ski;
				s.size = skilen;
				issuer_ski = &s;
			}
		}
		if (issuer_ski != NULL && issuer_ski->size > 0)
			return issuer_ski->size == akilen &&
			    memcmp(issuer_ski->data, aki, akilen) == 0;
	}
	return keyutil_crt_signed_by(crt, issuer);
}

/* FNV-1a over the DER of a DN. */
static size_t
dn_hash(const gnutls_datum_t *d)
{
	uint64_t	 h = 14695981039346656037ULL;
	unsigned	 i;

	for (i = 0; i < d->size; i++) {
		h ^= d->data[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static void
trust_grow(struct trust *t)
{
	struct trust_entry	**nb, *e, *next;
	size_t			 nn, i, h;

	nn = t->nbuckets * 2;
	nb = xcalloc(nn, sizeof *nb);
	for (i = 0; i < t->nbuckets; i++) {
		for (e = t->buckets[i]; e != NULL; e = next) {
			next = e->next;
			h = dn_hash(&e->subject) & (nn - 1);
			e->next = nb[h];
			nb[h] = e;
		}
	}
	free(t->buckets);
	t->buckets = nb;
	t->nbuckets = nn;
}

/* Takes ownership of crt. */
static void
trust_add(struct trust *t, gnutls_x509_crt_t crt, int root)
{
	struct trust_entry	*e;
	gnutls_datum_t		 d;
	size_t			 h;

	if (gnutls_x509_crt_get_raw_dn(crt, &d) < 0) {
		gnutls_x509_crt_deinit(crt);
		return;
	}
	if (t->n >= t->nbuckets)
		trust_grow(t);
	e = xcalloc(1, sizeof *e);
	e->crt = crt;
	e->subject.data = xmalloc(d.size == 0 ? 1 : d.size);
	memcpy(e->subject.data, d.data, d.size);
	e->subject.size = d.size;
	gnutls_free(d.data);
	e->root = root;
	{
		unsigned char	 ski[64];
		size_t		 skilen = sizeof ski;
		unsigned	 critical;

		if (gnutls_x509_crt_get_subject_key_id(crt, ski, &skilen,
		    &critical) == 0 && skilen > 0) {
			e->ski.data = xmalloc(skilen);
			memcpy(e->ski.data, ski, skilen);
			e->ski.size = skilen;
		}
	}
	h = dn_hash(&e->subject) & (t->nbuckets - 1);
	e->next = t->buckets[h];
	t->buckets[h] = e;
	t->n++;
}

static int
trust_add_file(struct trust *t, const char *path, size_t max, int root,
    int missing_ok, char **cause)
{
	gnutls_x509_crt_t	*crts = NULL;
	unsigned		 n = 0, i;
	char			*data, *c = NULL;
	size_t			 len;
	int			 r, pem;

	if (fileio_read(path, max, 0, &data, &len, NULL, &c) == -1) {
		if (missing_ok && access(path, F_OK) == -1) {
			free(c);
			return 0;
		}
		if (cause != NULL)
			*cause = c;
		else
			free(c);
		return -1;
	}
	/* An empty file is an empty store, on purpose. */
	if (len == 0) {
		free(data);
		return 0;
	}
	r = keyutil_crts_import(data, len, &crts, &n, &pem);
	free(data);
	if (r < 0) {
		if (cause != NULL)
			*cause = keyutil_cause(path, "not a certificate bundle (PEM "
			    "or DER): %s", gnutls_strerror(r));
		return -1;
	}
	for (i = 0; i < n; i++)
		trust_add(t, crts[i], root);
	gnutls_free(crts);
	return 0;
}

/*
 * Only the system's default bundle may be missing (a minimal container
 * has none): a file the user named and that is not there is a mistake in
 * the config, and an empty store would hide it behind a warning per key.
 */
int
trust_load(const char *file, struct trust **out, char **cause)
{
	struct trust	*t;

	t = xcalloc(1, sizeof *t);
	t->nbuckets = 256;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
	if (trust_add_file(t, file != NULL ? file : TRUST_DEFAULT_FILE,
	    TRUST_MAX_FILE, 1, file == NULL, cause) == -1) {
		trust_free(t);
		*out = NULL;
		return -1;
	}
	*out = t;
	return 0;
}

void
trust_free(struct trust *t)
{
	struct trust_entry	*e, *next;
	size_t			 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nbuckets; i++) {
		for (e = t->buckets[i]; e != NULL; e = next) {
			next = e->next;
			gnutls_x509_crt_deinit(e->crt);
			free(e->subject.data);
			free(e->ski.data);
			free(e);
		}
	}
	free(t->buckets);
	free(t);
}

int
trust_add_intermediates(struct trust *t, const char *path, char **cause)
{
	return trust_add_file(t, path, TRUST_MAX_FILE, 0, 0, cause);
}

/*
 * The certificate in the trust store that issued crt, whose issuer DN is
 * idn. Roots are preferred: reaching one ends the walk.
 */
static const struct trust_entry *
trust_find_issuer(const struct trust *t, gnutls_x509_crt_t crt,
    const gnutls_datum_t *idn)
{
	const struct trust_entry *e, *found = NULL;

	if (t == NULL || t->n == 0)
		return NULL;
	for (e = t->buckets[dn_hash(idn) & (t->nbuckets - 1)]; e != NULL;
	    e = e->next) {
		if (!keyutil_datum_eq(&e->subject, idn))
			continue;
		if (found != NULL && found->root && !e->root)
			continue;
		if (!issued_by(crt, e->crt, &e->ski))
			continue;
		found = e;
		if (found->root)
			break;
	}
	return found;
}

/* The certificate in the file's own chain that issued crt. */
static gnutls_x509_crt_t
chain_find_issuer(const struct cert *c, gnutls_x509_crt_t crt,
    const gnutls_datum_t *idn)
{
	gnutls_datum_t	 s;
	size_t		 i;
	int		 same;

	for (i = 1; i < cert_chain_len(c); i++) {
		if (cert_crt(c, i) == crt)
			continue;
		if (gnutls_x509_crt_get_raw_dn(cert_crt(c, i), &s) < 0)
			continue;
		same = keyutil_datum_eq(&s, idn);
		gnutls_free(s.data);
		if (same && issued_by(crt, cert_crt(c, i), NULL))
			return cert_crt(c, i);
	}
	return NULL;
}

enum chain_state
cert_chain_complete(const struct cert *c, const struct trust *t,
    char **missing)
{
	const struct trust_entry *e;
	gnutls_x509_crt_t	 cur, next;
	gnutls_datum_t		 idn, sdn;
	int			 depth, self;

	if (missing != NULL)
		*missing = NULL;
	if (cert_chain_len(c) == 0) {
		if (missing != NULL)
			*missing = xstrdup("");
		return CHAIN_INCOMPLETE;
	}
	cur = cert_crt(c, 0);
	for (depth = 0; depth < CHAIN_MAX_DEPTH; depth++) {
		if (gnutls_x509_crt_get_raw_issuer_dn(cur, &idn) < 0)
			break;
		/*
		 * A trusted root first: a file may go on past it with a
		 * cross-signed copy whose own issuer is long gone from the
		 * bundle, and the chain is complete all the same. A
		 * self-signed certificate the store holds is found here too.
		 */
		e = trust_find_issuer(t, cur, &idn);
		if (e != NULL && e->root) {
			gnutls_free(idn.data);
			return CHAIN_TRUSTED;
		}
		/* A self-signed certificate in the file is no anchor. */
		self = 0;
		if (gnutls_x509_crt_get_raw_dn(cur, &sdn) == 0) {
			self = keyutil_datum_eq(&sdn, &idn) &&
			    keyutil_crt_signed_by(cur, cur);
			gnutls_free(sdn.data);
		}
		if (self) {
			gnutls_free(idn.data);
			if (depth == 0)
				return CHAIN_SELF_SIGNED;
			if (missing != NULL)
				*missing = keyutil_crt_dn(cur, 0);
			return CHAIN_UNTRUSTED_ROOT;
		}
		if ((next = chain_find_issuer(c, cur, &idn)) == NULL)
			next = e != NULL ? e->crt : NULL;
		gnutls_free(idn.data);
		if (next == NULL) {
			if (missing != NULL)
				*missing = keyutil_crt_dn(cur, 1);
			return CHAIN_INCOMPLETE;
		}
		cur = next;
	}
	if (missing != NULL)
		*missing = xstrdup("(the chain is longer than 16 "
		    "certificates or loops)");
	return CHAIN_INCOMPLETE;
}

void
cert_chain_fill(struct cert *c, const struct trust *t)
{
	const struct trust_entry *e;
	gnutls_x509_crt_t	 cur;
	gnutls_datum_t		 idn, sdn;
	int			 depth, self;

	if (cert_chain_len(c) == 0 || cert_is_self_signed(c))
		return;
	for (depth = 0; depth < CHAIN_MAX_DEPTH; depth++) {
		cur = cert_crt(c, cert_chain_len(c) - 1);
		if (gnutls_x509_crt_get_raw_issuer_dn(cur, &idn) < 0)
			return;
		self = 0;
		if (gnutls_x509_crt_get_raw_dn(cur, &sdn) == 0) {
			self = keyutil_datum_eq(&sdn, &idn);
			gnutls_free(sdn.data);
		}
		if (self) {
			gnutls_free(idn.data);
			return;
		}
		e = trust_find_issuer(t, cur, &idn);
		gnutls_free(idn.data);
		/* The root is not sent: clients have it. */
		if (e == NULL || e->root)
			return;
		if (cert_chain_append(c, e->crt) != 0)
			return;
	}
}
