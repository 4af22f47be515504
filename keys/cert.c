/*
 * Certificates and the trust store. A certificate is parsed once, when it
 * is loaded, into plain C fields, so that the callers (the checks, the UI,
 * the listings) never touch GnuTLS and never parse twice.
 *
 * The trust store keeps its certificates in a hash table keyed by the DER
 * of their subject DN: finding the issuer of a certificate is one hash and
 * one or two byte compares, whatever the size of the system bundle, which
 * is what lets "certbind check" go through ten thousand keys quickly.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <gnutls/x509-ext.h>

#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/keyutil.h"

/* The system bundle is larger than any one certificate file. */
#define TRUST_MAX_FILE		(16u * 1024 * 1024)
/* No real chain is longer; a loop of cross-signed CAs must end. */
#define CHAIN_MAX_DEPTH		16

struct cert_name {
	char		*name;
	int		 is_ip;
};

struct cert {
	gnutls_x509_crt_t *crts;
	size_t		 n;

	char		*subject;
	char		*issuer;
	char		*cn;
	struct cert_name *sans;
	size_t		 nsans;
	time_t		 not_before;
	time_t		 not_after;
	char		*key_type;
	unsigned	 key_bits;
	char		*sig_algo;
	int		 sig_weak;
	char		 fingerprint[32 * 3];
	int		 self_signed;
};

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
 * A string out of a certificate, copied. Certificates may carry a NUL in
 * the middle of a name ("www.bank.example\0.evil.example"): it becomes a
 * '?', which no host name can contain, so the name shows as what it is and
 * never matches the shorter name.
 */
static char *
copy_cert_string(const void *data, size_t len)
{
	char	*s;
	size_t	 i;

	s = xmalloc(len + 1);
	memcpy(s, data, len);
	s[len] = '\0';
	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			s[i] = '?';
	}
	return s;
}

static char *
get_dn(gnutls_x509_crt_t crt, int issuer)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		*s;
	int		 r;

	if (issuer)
		r = gnutls_x509_crt_get_issuer_dn3(crt, &d, 0);
	else
		r = gnutls_x509_crt_get_dn3(crt, &d, 0);
	if (r < 0)
		return xstrdup("");
	s = copy_cert_string(d.data, d.size);
	gnutls_free(d.data);
	return s;
}

static char *
get_cn(gnutls_x509_crt_t crt)
{
	char	*buf, *s;
	size_t	 size = 0;
	int	 r;

	r = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    0, NULL, &size);
	if (r != GNUTLS_E_SHORT_MEMORY_BUFFER || size == 0)
		return xstrdup("");
	buf = xmalloc(size + 1);
	r = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
	    0, buf, &size);
	if (r < 0) {
		free(buf);
		return xstrdup("");
	}
	/* size now excludes the terminating NUL GnuTLS wrote. */
	s = copy_cert_string(buf, size);
	free(buf);
	return s;
}

static void
add_san(struct cert *c, char *name, int is_ip)
{
	if ((c->nsans & (c->nsans - 1)) == 0)	/* 0, 1, 2, 4 ...: grow */
		c->sans = xreallocarray(c->sans, c->nsans ? c->nsans * 2 : 1,
		    sizeof *c->sans);
	c->sans[c->nsans].name = name;
	c->sans[c->nsans].is_ip = is_ip;
	c->nsans++;
}

/*
 * The extension is decoded once: asking GnuTLS for the names one index at
 * a time re-parses it for every name, quadratic in a certificate with
 * 10,000 of them.
 */
static void
get_sans(struct cert *c, gnutls_x509_crt_t crt)
{
	gnutls_subject_alt_names_t	 sans;
	gnutls_datum_t			 der = { NULL, 0 }, san, oid;
	unsigned			 seq, type, critical;
	char				 ip[INET6_ADDRSTRLEN];
	int				 r;

	if (gnutls_x509_crt_get_extension_by_oid2(crt, "2.5.29.17", 0, &der,
	    &critical) < 0)
		return;
	if (gnutls_subject_alt_names_init(&sans) < 0) {
		gnutls_free(der.data);
		return;
	}
	if (gnutls_x509_ext_import_subject_alt_names(&der, sans, 0) < 0)
		goto out;
	for (seq = 0;; seq++) {
		r = gnutls_subject_alt_names_get(sans, seq, &type, &san, &oid);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (r < 0)	/* damaged: not a name we use */
			continue;
		if (type == GNUTLS_SAN_DNSNAME)
			add_san(c, copy_cert_string(san.data, san.size), 0);
		else if (type == GNUTLS_SAN_IPADDRESS && san.size == 4 &&
		    inet_ntop(AF_INET, san.data, ip, sizeof ip) != NULL)
			add_san(c, xstrdup(ip), 1);
		else if (type == GNUTLS_SAN_IPADDRESS && san.size == 16 &&
		    inet_ntop(AF_INET6, san.data, ip, sizeof ip) != NULL)
			add_san(c, xstrdup(ip), 1);
	}
out:
	gnutls_subject_alt_names_deinit(sans);
	gnutls_free(der.data);
}

static void
get_sig(struct cert *c, gnutls_x509_crt_t crt)
{
	gnutls_digest_algorithm_t dig;
	const char	*name;
	char		 oid[128];
	size_t		 size = sizeof oid;
	int		 sig;

	sig = gnutls_x509_crt_get_signature_algorithm(crt);
	if (sig > 0 && (name = gnutls_sign_get_name(sig)) != NULL) {
		c->sig_algo = xstrdup(name);
		dig = gnutls_sign_get_hash_algorithm(sig);
		c->sig_weak = dig == GNUTLS_DIG_SHA1 ||
		    dig == GNUTLS_DIG_MD5 || dig == GNUTLS_DIG_MD2;
		return;
	}
	if (gnutls_x509_crt_get_signature_oid(crt, oid, &size) == 0)
		c->sig_algo = xasprintf("unknown (%s)", oid);
	else
		c->sig_algo = xstrdup("unknown");
	/* What GnuTLS cannot name, no client will accept either. */
	c->sig_weak = 1;
}

static void
get_fingerprint(struct cert *c, gnutls_x509_crt_t crt)
{
	gnutls_datum_t	 der = { NULL, 0 };
	unsigned char	 md[32];
	static const char hex[] = "0123456789abcdef";
	size_t		 i;

	c->fingerprint[0] = '\0';
	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0)
		return;
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, md) == 0) {
		for (i = 0; i < sizeof md; i++) {
			c->fingerprint[i * 3] = hex[md[i] >> 4];
			c->fingerprint[i * 3 + 1] = hex[md[i] & 0xf];
			c->fingerprint[i * 3 + 2] = ':';
		}
		c->fingerprint[sizeof md * 3 - 1] = '\0';
	}
	gnutls_free(der.data);
}

static int
same_datum(const gnutls_datum_t *a, const gnutls_datum_t *b)
{
	return a->size == b->size && memcmp(a->data, b->data, a->size) == 0;
}

/*
 * Whether issuer signed crt. The verify flags switch off everything but the
 * signature: validity dates, SHA-1 and version 1 CAs are other findings,
 * not reasons to say the issuer is missing.
 */
static int
signed_by(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer)
{
	unsigned	 status = 0;
	unsigned	 flags;

	flags = GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
	    GNUTLS_VERIFY_ALLOW_ANY_X509_V1_CA_CRT |
	    GNUTLS_VERIFY_ALLOW_BROKEN |
	    GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 |
	    GNUTLS_VERIFY_DISABLE_CRL_CHECKS;
	if (gnutls_x509_crt_verify(crt, &issuer, 1, flags, &status) < 0)
		return 0;
	return (status & (GNUTLS_CERT_SIGNATURE_FAILURE |
	    GNUTLS_CERT_SIGNER_NOT_FOUND)) == 0;
}

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
	return signed_by(crt, issuer);
}

static int
is_self_signed(gnutls_x509_crt_t crt)
{
	gnutls_datum_t	 s = { NULL, 0 }, i = { NULL, 0 };
	int		 same = 0;

	if (gnutls_x509_crt_get_raw_dn(crt, &s) == 0 &&
	    gnutls_x509_crt_get_raw_issuer_dn(crt, &i) == 0)
		same = same_datum(&s, &i);
	gnutls_free(s.data);
	gnutls_free(i.data);
	return same && signed_by(crt, crt);
}

static gnutls_x509_crt_t crt_dup(gnutls_x509_crt_t);

/*
 * crts must have been parsed (imported): GnuTLS reads names such as the
 * alternative names once, at import, so a certificate built in memory
 * shows none until it is exported and imported again.
 */
static struct cert *
cert_from_parsed(gnutls_x509_crt_t *crts, size_t n)
{
	struct cert		*c;
	gnutls_x509_crt_t	 leaf;
	unsigned		 bits = 0;
	int			 pk;

	c = xcalloc(1, sizeof *c);
	c->crts = xreallocarray(NULL, n, sizeof *c->crts);
	memcpy(c->crts, crts, n * sizeof *crts);
	c->n = n;
	if (n == 0) {
		c->subject = xstrdup("");
		c->issuer = xstrdup("");
		c->cn = xstrdup("");
		c->key_type = xstrdup("unknown");
		c->sig_algo = xstrdup("unknown");
		return c;
	}
	leaf = crts[0];

	c->subject = get_dn(leaf, 0);
	c->issuer = get_dn(leaf, 1);
	c->cn = get_cn(leaf);
	get_sans(c, leaf);
	c->not_before = gnutls_x509_crt_get_activation_time(leaf);
	c->not_after = gnutls_x509_crt_get_expiration_time(leaf);
	pk = gnutls_x509_crt_get_pk_algorithm(leaf, &bits);
	c->key_type = keyutil_pk_name(pk, bits);
	c->key_bits = bits;
	get_sig(c, leaf);
	get_fingerprint(c, leaf);
	c->self_signed = is_self_signed(leaf);
	return c;
}

struct cert *
cert_from_crts(gnutls_x509_crt_t *crts, size_t n)
{
	gnutls_x509_crt_t	*copy;
	struct cert		*c;
	size_t			 i;

	/*
	 * The caller's certificates may have been built in memory: they are
	 * put through DER once so that every field reads back.
	 */
	copy = xreallocarray(NULL, n, sizeof *copy);
	for (i = 0; i < n; i++) {
		if ((copy[i] = crt_dup(crts[i])) == NULL)
			copy[i] = crts[i];
		else
			gnutls_x509_crt_deinit(crts[i]);
	}
	c = cert_from_parsed(copy, n);
	free(copy);
	return c;
}

void
cert_free(struct cert *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		gnutls_x509_crt_deinit(c->crts[i]);
	free(c->crts);
	for (i = 0; i < c->nsans; i++)
		free(c->sans[i].name);
	free(c->sans);
	free(c->subject);
	free(c->issuer);
	free(c->cn);
	free(c->key_type);
	free(c->sig_algo);
	free(c);
}

static int
looks_like_pem(const void *data, size_t len)
{
	return memmem(data, len, "-----BEGIN ", 11) != NULL;
}

/*
 * Both formats go through one importer so that a file holding a chain and
 * a file holding one DER certificate end up the same way.
 */
static int
import_crts(const void *data, size_t len, gnutls_x509_crt_t **crts,
    unsigned *n, int *pem)
{
	gnutls_datum_t	 d;

	d.data = (unsigned char *)data;
	d.size = len;
	*pem = looks_like_pem(data, len);
	return gnutls_x509_crt_list_import2(crts, n, &d,
	    *pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER, 0);
}

int
cert_load_mem(const void *data, size_t len, const char *name,
    struct cert **out, char **cause)
{
	gnutls_x509_crt_t	*crts = NULL;
	unsigned		 n = 0;
	int			 r, pem;

	*out = NULL;
	if (len > UINT32_MAX) {
		if (cause != NULL)
			*cause = keyutil_cause(name, "too large for a certificate");
		return -1;
	}
	r = import_crts(data, len, &crts, &n, &pem);
	if (r < 0 || n == 0) {
		if (cause != NULL) {
			*cause = keyutil_cause(name, "not a certificate (PEM or "
			    "DER): %s", r < 0 ? gnutls_strerror(r) :
			    "no certificate in the file");
		}
		return -1;
	}
	*out = cert_from_parsed(crts, n);
	gnutls_free(crts);
	return 0;
}

int
cert_load(const char *path, struct cert **out, char **cause)
{
	char	*data;
	size_t	 len;
	int	 r;

	*out = NULL;
	if (fileio_read(path, FILEIO_MAX_CERT, 0, &data, &len, NULL,
	    cause) == -1)
		return -1;
	r = cert_load_mem(data, len, path, out, cause);
	free(data);
	return r;
}

const char *
cert_subject(const struct cert *c)
{
	return c->subject;
}

const char *
cert_issuer(const struct cert *c)
{
	return c->issuer;
}

const char *
cert_cn(const struct cert *c)
{
	return c->cn;
}

size_t
cert_nsans(const struct cert *c)
{
	return c->nsans;
}

const char *
cert_san(const struct cert *c, size_t i, int *is_ip)
{
	if (i >= c->nsans) {
		if (is_ip != NULL)
			*is_ip = 0;
		return NULL;
	}
	if (is_ip != NULL)
		*is_ip = c->sans[i].is_ip;
	return c->sans[i].name;
}

time_t
cert_not_before(const struct cert *c)
{
	return c->not_before;
}

time_t
cert_not_after(const struct cert *c)
{
	return c->not_after;
}

long
cert_days_left(const struct cert *c, time_t now)
{
	long long	 secs;

	secs = (long long)c->not_after - (long long)now;
	/* Round towards minus infinity: one second past expiry is -1. */
	if (secs >= 0)
		return (long)(secs / 86400);
	return (long)-((-secs + 86399) / 86400);
}

const char *
cert_key_type(const struct cert *c)
{
	return c->key_type;
}

unsigned
cert_key_bits(const struct cert *c)
{
	return c->key_bits;
}

const char *
cert_sig_algo(const struct cert *c)
{
	return c->sig_algo;
}

int
cert_sig_is_weak(const struct cert *c)
{
	return c->sig_weak;
}

const char *
cert_fingerprint(const struct cert *c)
{
	return c->fingerprint;
}

int
cert_is_self_signed(const struct cert *c)
{
	return c->self_signed;
}

size_t
cert_chain_len(const struct cert *c)
{
	return c->n;
}

gnutls_x509_crt_t
cert_crt(const struct cert *c, size_t i)
{
	if (i >= c->n)
		return NULL;
	return c->crts[i];
}

/* Compares host names without the trailing dot of a fully qualified name. */
static int
name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen > 0 && a[alen - 1] == '.')
		alen--;
	if (blen > 0 && b[blen - 1] == '.')
		blen--;
	return alen == blen && alen > 0 && strncasecmp(a, b, alen) == 0;
}

/*
 * pattern is a name from the certificate: exact, or "*.rest" matching one
 * whole label in front of rest. "*.com" and partial-label wildcards
 * ("w*.example.com") match nothing, as browsers do.
 */
static int
dns_matches(const char *pattern, const char *host)
{
	const char	*rest, *dot;

	if (name_eq(pattern, strlen(pattern), host, strlen(host)))
		return 1;
	if (strncmp(pattern, "*.", 2) != 0)
		return 0;
	rest = pattern + 2;
	if (strchr(rest, '.') == NULL || strchr(rest, '*') != NULL)
		return 0;
	/* A wildcard sni ("*.example.org") is covered only by the same text. */
	if ((dot = strchr(host, '.')) == NULL || dot == host || host[0] == '*')
		return 0;
	return name_eq(rest, strlen(rest), dot + 1, strlen(dot + 1));
}

static int
parse_ip(const char *s, unsigned char *buf, size_t *len)
{
	char	 tmp[INET6_ADDRSTRLEN + 2];
	size_t	 n;

	if (inet_pton(AF_INET, s, buf) == 1) {
		*len = 4;
		return 0;
	}
	n = strlen(s);
	if (n > 2 && n < sizeof tmp && s[0] == '[' && s[n - 1] == ']') {
		memcpy(tmp, s + 1, n - 2);
		tmp[n - 2] = '\0';
		s = tmp;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		*len = 16;
		return 0;
	}
	return -1;
}

int
cert_covers_name(const struct cert *c, const char *host)
{
	unsigned char	 want[16], have[16];
	size_t		 wlen, hlen, i;
	int		 ndns = 0;

	if (host == NULL || *host == '\0')
		return 0;
	if (parse_ip(host, want, &wlen) == 0) {
		for (i = 0; i < c->nsans; i++) {
			if (!c->sans[i].is_ip ||
			    parse_ip(c->sans[i].name, have, &hlen) != 0)
				continue;
			if (hlen == wlen && memcmp(have, want, wlen) == 0)
				return 1;
		}
		return 0;
	}
	for (i = 0; i < c->nsans; i++) {
		if (c->sans[i].is_ip)
			continue;
		ndns++;
		if (dns_matches(c->sans[i].name, host))
			return 1;
	}
	/* The common name counts only for old certificates without names. */
	if (ndns == 0 && *c->cn != '\0')
		return dns_matches(c->cn, host);
	return 0;
}

char *
cert_export_pem(const struct cert *c, size_t *len)
{
	gnutls_datum_t	 d;
	char		*buf = NULL;
	size_t		 n = 0, i;

	for (i = 0; i < c->n; i++) {
		if (gnutls_x509_crt_export2(c->crts[i], GNUTLS_X509_FMT_PEM,
		    &d) < 0)
			continue;
		buf = xreallocarray(buf, n + d.size + 1, 1);
		memcpy(buf + n, d.data, d.size);
		n += d.size;
		gnutls_free(d.data);
	}
	if (buf == NULL)
		buf = xmalloc(1);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
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
	r = import_crts(data, len, &crts, &n, &pem);
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
		if (!same_datum(&e->subject, idn))
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

	for (i = 1; i < c->n; i++) {
		if (c->crts[i] == crt)
			continue;
		if (gnutls_x509_crt_get_raw_dn(c->crts[i], &s) < 0)
			continue;
		same = same_datum(&s, idn);
		gnutls_free(s.data);
		if (same && issued_by(crt, c->crts[i], NULL))
			return c->crts[i];
	}
	return NULL;
}

int
cert_chain_complete(const struct cert *c, const struct trust *t,
    char **missing)
{
	const struct trust_entry *e;
	gnutls_x509_crt_t	 cur, next;
	gnutls_datum_t		 idn, sdn;
	int			 depth, self;

	if (missing != NULL)
		*missing = NULL;
	if (c->n == 0) {
		if (missing != NULL)
			*missing = xstrdup("");
		return 0;
	}
	if (c->self_signed)
		return 1;
	cur = c->crts[0];
	for (depth = 0; depth < CHAIN_MAX_DEPTH; depth++) {
		if (gnutls_x509_crt_get_raw_issuer_dn(cur, &idn) < 0)
			break;
		/* A self-signed certificate in the file is a root. */
		self = 0;
		if (depth > 0 &&
		    gnutls_x509_crt_get_raw_dn(cur, &sdn) == 0) {
			self = same_datum(&sdn, &idn) && signed_by(cur, cur);
			gnutls_free(sdn.data);
		}
		if (self) {
			gnutls_free(idn.data);
			return 1;
		}
		/*
		 * A trusted root first: a file may go on past it with a
		 * cross-signed copy whose own issuer is long gone from the
		 * bundle, and the chain is complete all the same.
		 */
		e = trust_find_issuer(t, cur, &idn);
		if (e != NULL && e->root) {
			gnutls_free(idn.data);
			return 1;
		}
		if ((next = chain_find_issuer(c, cur, &idn)) == NULL)
			next = e != NULL ? e->crt : NULL;
		gnutls_free(idn.data);
		if (next == NULL) {
			if (missing != NULL)
				*missing = get_dn(cur, 1);
			return 0;
		}
		cur = next;
	}
	if (missing != NULL)
		*missing = xstrdup("(the chain is longer than 16 "
		    "certificates or loops)");
	return 0;
}

static gnutls_x509_crt_t
crt_dup(gnutls_x509_crt_t crt)
{
	gnutls_x509_crt_t	 dup;
	gnutls_datum_t		 d;

	if (gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &d) < 0)
		return NULL;
	if (gnutls_x509_crt_init(&dup) < 0) {
		gnutls_free(d.data);
		return NULL;
	}
	if (gnutls_x509_crt_import(dup, &d, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(dup);
		dup = NULL;
	}
	gnutls_free(d.data);
	return dup;
}

void
cert_chain_fill(struct cert *c, const struct trust *t)
{
	const struct trust_entry *e;
	gnutls_x509_crt_t	 cur, dup;
	gnutls_datum_t		 idn, sdn;
	int			 depth, self;

	if (c->n == 0 || c->self_signed)
		return;
	for (depth = 0; depth < CHAIN_MAX_DEPTH; depth++) {
		cur = c->crts[c->n - 1];
		if (gnutls_x509_crt_get_raw_issuer_dn(cur, &idn) < 0)
			return;
		self = 0;
		if (gnutls_x509_crt_get_raw_dn(cur, &sdn) == 0) {
			self = same_datum(&sdn, &idn);
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
		if ((dup = crt_dup(e->crt)) == NULL)
			return;
		c->crts = xreallocarray(c->crts, c->n + 1, sizeof *c->crts);
		c->crts[c->n++] = dup;
	}
}
