/*
 * Certificates. A certificate is parsed once, when it is loaded, into
 * plain C fields, so that the callers (the checks, the UI, the listings)
 * never touch GnuTLS and never parse twice. The trust store and the walk
 * up a chain are in trust.c.
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
	s = keyutil_cert_string(buf, size);
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
			add_san(c, keyutil_cert_string(san.data, san.size), 0);
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
is_self_signed(gnutls_x509_crt_t crt)
{
	gnutls_datum_t	 s = { NULL, 0 }, i = { NULL, 0 };
	int		 same = 0;

	if (gnutls_x509_crt_get_raw_dn(crt, &s) == 0 &&
	    gnutls_x509_crt_get_raw_issuer_dn(crt, &i) == 0)
		same = keyutil_datum_eq(&s, &i);
	gnutls_free(s.data);
	gnutls_free(i.data);
	return same && keyutil_crt_signed_by(crt, crt);
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

	c->subject = keyutil_crt_dn(leaf, 0);
	c->issuer = keyutil_crt_dn(leaf, 1);
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
cert_drop_parsed(struct cert *c)
{
	size_t	 i;

	for (i = 0; i < c->n; i++)
		gnutls_x509_crt_deinit(c->crts[i]);
	free(c->crts);
	c->crts = NULL;
	c->n = 0;
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

/*
 * Both formats go through one importer so that a file holding a chain and
 * a file holding one DER certificate end up the same way.
 */
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
	r = keyutil_crts_import(data, len, &crts, &n, &pem);
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

int
cert_covers_name(const struct cert *c, const char *host)
{
	unsigned char	 want[16], have[16];
	size_t		 wlen, hlen, i;
	int		 ndns = 0;

	if (host == NULL || *host == '\0')
		return 0;
	if (keyutil_parse_ip(host, want, &wlen) == 0) {
		for (i = 0; i < c->nsans; i++) {
			if (!c->sans[i].is_ip ||
			    keyutil_parse_ip(c->sans[i].name, have, &hlen) != 0)
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

int
cert_chain_append(struct cert *c, gnutls_x509_crt_t crt)
{
	gnutls_x509_crt_t	 dup;

	if ((dup = crt_dup(crt)) == NULL)
		return -1;
	c->crts = xreallocarray(c->crts, c->n + 1, sizeof *c->crts);
	c->crts[c->n++] = dup;
	return 0;
}
