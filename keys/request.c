/*
 * Making certificates: certificate requests for a CA, self-signed
 * certificates, and PKCS#12 in both directions. The names that go into a
 * request are checked here the way the UI checks them while they are
 * typed, so a request a CA would reject is refused before it is made.
 *
 * Text in the causes built here that came from the user or a file is
 * passed through escape_str(): a cause is printed as it is.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/pkcs12.h>
#include <gnutls/x509.h>

#include "core/dnsname.h"
#include "core/endpoint.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/keyutil.h"
#include "keys/privkey.h"
#include "keys/request.h"

/* X.520 ub-common-name: CAs refuse longer common names. */
#define CN_MAX		64
#define DAYS_MAX	36500

static void
set_cause(char **cause, const char *fmt, const char *what, const char *why)
{
	char	*e;

	if (cause == NULL)
		return;
	e = escape_str(what, 0);
	*cause = xasprintf(fmt, e, why);
	free(e);
}

static int
has_control(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	}
	return 0;
}

int
subject_check(const struct subject *s, char **cause)
{
	unsigned char	 ip[16];
	size_t		 iplen, i;
	char		*why;

	if (s->cn == NULL || *s->cn == '\0') {
		if (cause != NULL)
			*cause = xstrdup("the common name (CN) is empty: give "
			    "the site's main name");
		return -1;
	}
	if (strlen(s->cn) > CN_MAX) {
		set_cause(cause, "common name '%s': %s", s->cn,
		    "longer than 64 characters, which CAs refuse; put long "
		    "names in the alternative names");
		return -1;
	}
	if (has_control(s->cn)) {
		set_cause(cause, "common name '%s': %s", s->cn,
		    "holds control characters");
		return -1;
	}
	if (s->org != NULL && (has_control(s->org) || strlen(s->org) > 64)) {
		set_cause(cause, "organization '%s': %s", s->org,
		    "holds control characters or is longer than 64 "
		    "characters");
		return -1;
	}
	for (i = 0; i < s->nsans; i++) {
		if (s->sans[i] == NULL || *s->sans[i] == '\0') {
			if (cause != NULL)
				*cause = xstrdup("an alternative name is "
				    "empty");
			return -1;
		}
		if (keyutil_parse_ip(s->sans[i], ip, &iplen) == 0)
			continue;
		/* The rule a binding's sni obeys too (core/dnsname.c). */
		if (dnsname_check(s->sans[i], DNSNAME_WILDCARD, &why) != 0) {
			set_cause(cause, "alternative name '%s': %s",
			    s->sans[i], why);
			free(why);
			return -1;
		}
	}
	return 0;
}

/* A borrowed abstract key over the x509 key, for the signing calls. */
static int
abstract_key(const struct privkey *k, gnutls_privkey_t *out,
    gnutls_digest_algorithm_t *dig)
{
	gnutls_pubkey_t	 pub;
	unsigned	 mand = 0;
	int		 r;

	if ((r = gnutls_privkey_init(out)) < 0)
		return r;
	if ((r = gnutls_privkey_import_x509(*out, privkey_x509(k), 0)) < 0) {
		gnutls_privkey_deinit(*out);
		return r;
	}
	/* The key's own preference: SHA-384 for P-384, EdDSA's own. */
	*dig = GNUTLS_DIG_SHA256;
	if (gnutls_pubkey_init(&pub) == 0) {
		if (gnutls_pubkey_import_privkey(pub, *out, 0, 0) == 0 &&
		    gnutls_pubkey_get_preferred_hash_algorithm(pub, dig,
		    &mand) == 0 && (*dig == GNUTLS_DIG_SHA1 ||
		    *dig == GNUTLS_DIG_MD5))
			*dig = GNUTLS_DIG_SHA256;
		gnutls_pubkey_deinit(pub);
	}
	return 0;
}

static int
is_rsa(const struct privkey *k)
{
	int pk = gnutls_x509_privkey_get_pk_algorithm(privkey_x509(k));

	return pk == GNUTLS_PK_RSA;
}

int
request_create(const struct privkey *k, const struct subject *s, char **pem,
    size_t *len, char **cause)
{
	gnutls_x509_crq_t	 crq = NULL;
	gnutls_privkey_t	 pk = NULL;
	gnutls_digest_algorithm_t dig;
	gnutls_datum_t		 d, der;
	unsigned char		 ip[16];
	size_t			 iplen, i;
	unsigned		 usage;
	int			 r;

	*pem = NULL;
	if (subject_check(s, cause) == -1)
		return -1;
	if ((r = gnutls_x509_crq_init(&crq)) < 0)
		goto fail;
	if ((r = gnutls_x509_crq_set_version(crq, 1)) < 0)
		goto fail;
	if ((r = gnutls_x509_crq_set_dn_by_oid(crq, GNUTLS_OID_X520_COMMON_NAME,
	    0, s->cn, strlen(s->cn))) < 0)
		goto fail;
	if (s->org != NULL && *s->org != '\0' &&
	    (r = gnutls_x509_crq_set_dn_by_oid(crq,
	    GNUTLS_OID_X520_ORGANIZATION_NAME, 0, s->org,
	    strlen(s->org))) < 0)
		goto fail;
	for (i = 0; i < s->nsans; i++) {
		if (keyutil_parse_ip(s->sans[i], ip, &iplen) == 0)
			r = gnutls_x509_crq_set_subject_alt_name(crq,
			    GNUTLS_SAN_IPADDRESS, ip, iplen,
			    GNUTLS_FSAN_APPEND);
		else
			r = gnutls_x509_crq_set_subject_alt_name(crq,
			    GNUTLS_SAN_DNSNAME, s->sans[i],
			    strlen(s->sans[i]), GNUTLS_FSAN_APPEND);
		if (r < 0)
			goto fail;
	}
	usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
	if (is_rsa(k))
		usage |= GNUTLS_KEY_KEY_ENCIPHERMENT;
	if ((r = gnutls_x509_crq_set_key_usage(crq, usage)) < 0)
		goto fail;
	if ((r = gnutls_x509_crq_set_key_purpose_oid(crq,
	    GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0)
		goto fail;
	if ((r = gnutls_x509_crq_set_key(crq, privkey_x509(k))) < 0)
		goto fail;
	if ((r = abstract_key(k, &pk, &dig)) < 0)
		goto fail;
	if ((r = gnutls_x509_crq_privkey_sign(crq, pk, dig, 0)) < 0)
		goto fail;
	/*
	 * RFC 7468 has generators write "CERTIFICATE REQUEST"; GnuTLS's own
	 * PEM says "NEW CERTIFICATE REQUEST", the older label that parsers
	 * accept but generators should no longer write. So the DER is
	 * wrapped here, with GnuTLS's encoder.
	 */
	if ((r = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, &der)) < 0)
		goto fail;
	r = gnutls_pem_base64_encode2("CERTIFICATE REQUEST", &der, &d);
	gnutls_free(der.data);
	if (r < 0)
		goto fail;
	*pem = xmalloc(d.size + 1);
	memcpy(*pem, d.data, d.size);
	(*pem)[d.size] = '\0';
	if (len != NULL)
		*len = d.size;
	gnutls_free(d.data);
	gnutls_privkey_deinit(pk);
	gnutls_x509_crq_deinit(crq);
	return 0;

fail:
	if (cause != NULL)
		*cause = xasprintf("making the certificate request failed: %s",
		    gnutls_strerror(r));
	if (pk != NULL)
		gnutls_privkey_deinit(pk);
	gnutls_x509_crq_deinit(crq);
	return -1;
}

static int
crq_load(const char *path, gnutls_x509_crq_t *out, char **cause)
{
	gnutls_x509_crq_t	 crq;
	gnutls_datum_t		 d;
	char			*data;
	size_t			 len;
	int			 r;

	if (fileio_read(path, FILEIO_MAX_CERT, 0, &data, &len, NULL,
	    cause) == -1)
		return -1;
	if ((r = gnutls_x509_crq_init(&crq)) < 0) {
		free(data);
		goto fail;
	}
	d.data = (unsigned char *)data;
	d.size = len;
	r = gnutls_x509_crq_import(crq, &d,
	    keyutil_looks_like_pem(data, len) ?
	    GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
	free(data);
	if (r < 0) {
		gnutls_x509_crq_deinit(crq);
		goto fail;
	}
	*out = crq;
	return 0;

fail:
	if (cause != NULL)
		*cause = keyutil_cause(path, "not a certificate request (PKCS#10, "
		    "PEM or DER): %s", gnutls_strerror(r));
	return -1;
}

int
request_load_pubkey(const char *path, gnutls_pubkey_t *out, char **cause)
{
	gnutls_x509_crq_t	 crq;
	gnutls_pubkey_t		 pub = NULL;
	int			 r;

	*out = NULL;
	if (crq_load(path, &crq, cause) == -1)
		return -1;
	/* A request whose signature fails was damaged or forged. */
	if ((r = gnutls_x509_crq_verify(crq, 0)) < 0) {
		if (cause != NULL)
			*cause = keyutil_cause(path, "the request's signature does "
			    "not verify (%s): the file is damaged",
			    gnutls_strerror(r));
		gnutls_x509_crq_deinit(crq);
		return -1;
	}
	if ((r = gnutls_pubkey_init(&pub)) < 0 ||
	    (r = gnutls_pubkey_import_x509_crq(pub, crq, 0)) < 0) {
		if (pub != NULL)
			gnutls_pubkey_deinit(pub);
		if (cause != NULL)
			*cause = keyutil_cause(path, "cannot read the request's "
			    "public key: %s", gnutls_strerror(r));
		gnutls_x509_crq_deinit(crq);
		return -1;
	}
	gnutls_x509_crq_deinit(crq);
	*out = pub;
	return 0;
}

int
request_load_subject(const char *path, char **dn, char **cause)
{
	gnutls_x509_crq_t	 crq;
	gnutls_datum_t		 d;
	int			 r;

	*dn = NULL;
	if (crq_load(path, &crq, cause) == -1)
		return -1;
	if ((r = gnutls_x509_crq_get_dn3(crq, &d, 0)) < 0) {
		if (cause != NULL)
			*cause = keyutil_cause(path, "cannot read the request's "
			    "subject: %s", gnutls_strerror(r));
		gnutls_x509_crq_deinit(crq);
		return -1;
	}
	*dn = xstrndup((const char *)d.data, d.size);
	gnutls_free(d.data);
	gnutls_x509_crq_deinit(crq);
	return 0;
}

int
cert_selfsign(const struct privkey *k, const struct subject *s,
    unsigned days, struct cert **out, char **cause)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_privkey_t	 pk = NULL;
	gnutls_digest_algorithm_t dig;
	unsigned char		 serial[16], ip[16], id[64];
	size_t			 iplen, idlen, i;
	unsigned		 usage;
	time_t			 now;
	int			 r;

	*out = NULL;
	if (days == 0 || days > DAYS_MAX) {
		if (cause != NULL)
			*cause = xasprintf("%u days: a certificate lasts from 1 "
			    "to %u days", days, DAYS_MAX);
		return -1;
	}
	if (subject_check(s, cause) == -1)
		return -1;
	if ((r = gnutls_x509_crt_init(&crt)) < 0)
		goto fail;
	if ((r = gnutls_x509_crt_set_version(crt, 3)) < 0)
		goto fail;
	if ((r = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
		goto fail;
	/* A serial is a positive INTEGER: keep the top bit clear. */
	serial[0] &= 0x7f;
	serial[0] |= 0x01;
	if ((r = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0)
		goto fail;
	now = time(NULL);
	/* An hour back, for clients whose clocks run a little late. */
	if ((r = gnutls_x509_crt_set_activation_time(crt, now - 3600)) < 0)
		goto fail;
	if ((r = gnutls_x509_crt_set_expiration_time(crt,
	    now + (time_t)days * 86400)) < 0)
		goto fail;
	if ((r = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
	    0, s->cn, strlen(s->cn))) < 0)
		goto fail;
	if (s->org != NULL && *s->org != '\0' &&
	    (r = gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_ORGANIZATION_NAME, 0, s->org,
	    strlen(s->org))) < 0)
		goto fail;
	for (i = 0; i < s->nsans; i++) {
		if (keyutil_parse_ip(s->sans[i], ip, &iplen) == 0)
			r = gnutls_x509_crt_set_subject_alt_name(crt,
			    GNUTLS_SAN_IPADDRESS, ip, iplen,
			    GNUTLS_FSAN_APPEND);
		else
			r = gnutls_x509_crt_set_subject_alt_name(crt,
			    GNUTLS_SAN_DNSNAME, s->sans[i],
			    strlen(s->sans[i]), GNUTLS_FSAN_APPEND);
		if (r < 0)
			goto fail;
	}
	if ((r = gnutls_x509_crt_set_key(crt, privkey_x509(k))) < 0)
		goto fail;
	if ((r = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0)
		goto fail;
	usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
	if (is_rsa(k))
		usage |= GNUTLS_KEY_KEY_ENCIPHERMENT;
	if ((r = gnutls_x509_crt_set_key_usage(crt, usage)) < 0)
		goto fail;
	if ((r = gnutls_x509_crt_set_key_purpose_oid(crt,
	    GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0)
		goto fail;
	idlen = sizeof id;
	if ((r = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, id,
	    &idlen)) < 0 ||
	    (r = gnutls_x509_crt_set_subject_key_id(crt, id, idlen)) < 0)
		goto fail;
	if ((r = abstract_key(k, &pk, &dig)) < 0)
		goto fail;
	if ((r = gnutls_x509_crt_privkey_sign(crt, crt, pk, dig, 0)) < 0)
		goto fail;
	gnutls_privkey_deinit(pk);
	*out = cert_from_crts(&crt, 1);
	return 0;

fail:
	if (cause != NULL)
		*cause = xasprintf("making the self-signed certificate failed: "
		    "%s", gnutls_strerror(r));
	if (pk != NULL)
		gnutls_privkey_deinit(pk);
	gnutls_x509_crt_deinit(crt);
	return -1;
}

/*
 * Tells a wrong password from a damaged file. A PKCS#12 file is usually
 * protected by a MAC keyed with the password, and checking it is the one
 * test that can say "wrong password" for certain.
 */
static int
p12_password(gnutls_pkcs12_t p12, const char *name, const char *password,
    const char **used, char **cause)
{
	unsigned	 mac = 0, saltlen = 0, iter = 0;
	char		*oid = NULL;
	unsigned char	 salt[64];
	int		 r;

	saltlen = sizeof salt;
	r = gnutls_pkcs12_mac_info(p12, &mac, salt, &saltlen, &iter, &oid);
	gnutls_free(oid);
	if (r < 0) {
		/* No MAC: the password is tried on the bags. */
		*used = password;
		return 0;
	}
	if (password == NULL) {
		/* "No password" is written as NULL or "" by different tools. */
		if (gnutls_pkcs12_verify_mac(p12, "") == 0) {
			*used = "";
			return 0;
		}
		if (gnutls_pkcs12_verify_mac(p12, NULL) == 0) {
			*used = NULL;
			return 0;
		}
		if (cause != NULL)
			*cause = keyutil_cause(name, "the PKCS#12 file is protected "
			    "by a password: give it (--password-file)");
		return -1;
	}
	if ((r = gnutls_pkcs12_verify_mac(p12, password)) < 0) {
		if (cause != NULL) {
			if (r == GNUTLS_E_MAC_VERIFY_FAILED)
				*cause = keyutil_cause(name, "wrong password for the "
				    "PKCS#12 file");
			else
				*cause = keyutil_cause(name, "cannot check the "
				    "PKCS#12 password: %s",
				    gnutls_strerror(r));
		}
		return -1;
	}
	*used = password;
	return 0;
}

int
pkcs12_import(const void *data, size_t len, const char *name,
    const char *password, struct privkey **key, struct cert **chain,
    char **cause)
{
	gnutls_pkcs12_t		 p12;
	gnutls_x509_privkey_t	 x509 = NULL;
	gnutls_x509_crt_t	*crts = NULL, *extra = NULL;
	unsigned		 ncrts = 0, nextra = 0, i;
	gnutls_datum_t		 d, der;
	const char		*pass;
	int			 r;

	*key = NULL;
	*chain = NULL;
	if (len > UINT32_MAX) {
		if (cause != NULL)
			*cause = keyutil_cause(name, "too large for PKCS#12");
		return -1;
	}
	if ((r = gnutls_pkcs12_init(&p12)) < 0)
		goto fail;
	d.data = (unsigned char *)data;
	d.size = len;
	if ((r = gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_DER, 0)) < 0 &&
	    (r = gnutls_pkcs12_import(p12, &d, GNUTLS_X509_FMT_PEM, 0)) < 0) {
		if (cause != NULL)
			*cause = keyutil_cause(name, "not a PKCS#12 file: %s",
			    gnutls_strerror(r));
		gnutls_pkcs12_deinit(p12);
		return -1;
	}
	if (p12_password(p12, name, password, &pass, cause) == -1) {
		gnutls_pkcs12_deinit(p12);
		return -1;
	}
	r = gnutls_pkcs12_simple_parse(p12, pass, &x509, &crts, &ncrts,
	    &extra, &nextra, NULL, GNUTLS_PKCS12_SP_INCLUDE_SELF_SIGNED);
	gnutls_pkcs12_deinit(p12);
	for (i = 0; i < nextra; i++)
		gnutls_x509_crt_deinit(extra[i]);
	gnutls_free(extra);
	if (r < 0) {
		if (cause != NULL) {
			if (r == GNUTLS_E_DECRYPTION_FAILED)
				*cause = keyutil_cause(name, "wrong password for the "
				    "PKCS#12 file (it does not decrypt)");
			else
				*cause = keyutil_cause(name, "cannot read the key and "
				    "certificate in the PKCS#12 file: %s",
				    gnutls_strerror(r));
		}
		goto fail_parsed;
	}
	if (x509 == NULL || ncrts == 0) {
		if (cause != NULL)
			*cause = keyutil_cause(name, "the PKCS#12 file holds no "
			    "%s", x509 == NULL ? "private key" :
			    "certificate for its key");
		goto fail_parsed;
	}

	/*
	 * Through PKCS#8 DER into the key loader, so that a key from a
	 * PKCS#12 file is made exactly like one read from a file.
	 */
	if ((r = gnutls_x509_privkey_export2_pkcs8(x509, GNUTLS_X509_FMT_DER,
	    NULL, GNUTLS_PKCS_PLAIN, &der)) < 0) {
		if (cause != NULL)
			*cause = keyutil_cause(name, "cannot use the PKCS#12 "
			    "key: %s", gnutls_strerror(r));
		goto fail_parsed;
	}
	r = privkey_load_mem(der.data, der.size, name, key, cause);
	gnutls_memset(der.data, 0, der.size);
	gnutls_free(der.data);
	if (r == -1)
		goto fail_parsed;
	gnutls_x509_privkey_deinit(x509);
	*chain = cert_from_crts(crts, ncrts);
	gnutls_free(crts);
	return 0;

fail_parsed:
	if (x509 != NULL)
		gnutls_x509_privkey_deinit(x509);
	for (i = 0; i < ncrts; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	return -1;

fail:
	if (cause != NULL)
		*cause = keyutil_cause(name, "%s", gnutls_strerror(r));
	return -1;
}

int
pkcs12_export(const struct privkey *k, const struct cert *c,
    const char *password, const struct pkcs12_export_opts *opts,
    void **der, size_t *len, char **cause)
{
	int			 legacy = opts != NULL && opts->legacy;
	const char		*friendly = opts != NULL ? opts->friendly : NULL;
	unsigned int		 cipher = legacy ? GNUTLS_PKCS_PKCS12_3DES :
				     GNUTLS_PKCS_PBES2_AES_256;
	gnutls_pkcs12_t		 p12 = NULL;
	gnutls_pkcs12_bag_t	 cbag = NULL, kbag = NULL;
	gnutls_datum_t		 keyid = { NULL, 0 }, kd = { NULL, 0 };
	gnutls_datum_t		 out = { NULL, 0 };
	unsigned char		 id[64];
	size_t			 idlen = sizeof id, i;
	int			 r, idx;

	*der = NULL;
	if ((r = gnutls_pkcs12_init(&p12)) < 0 ||
	    (r = gnutls_pkcs12_bag_init(&cbag)) < 0 ||
	    (r = gnutls_pkcs12_bag_init(&kbag)) < 0)
		goto fail;

	/* The local key ID ties the key to its certificate for importers. */
	if ((r = gnutls_x509_privkey_get_key_id(privkey_x509(k),
	    GNUTLS_KEYID_USE_SHA1, id, &idlen)) < 0)
		goto fail;
	keyid.data = id;
	keyid.size = idlen;

	for (i = 0; i < cert_chain_len(c); i++) {
		if ((idx = gnutls_pkcs12_bag_set_crt(cbag, cert_crt(c, i))) < 0) {
			r = idx;
			goto fail;
		}
		if (i == 0 && (r = gnutls_pkcs12_bag_set_key_id(cbag,
		    (unsigned)idx, &keyid)) < 0)
			goto fail;
		if (i == 0 && friendly != NULL &&
		    (r = gnutls_pkcs12_bag_set_friendly_name(cbag,
		    (unsigned)idx, friendly)) < 0)
			goto fail;
	}
	if (password != NULL && (r = gnutls_pkcs12_bag_encrypt(cbag, password,
	    cipher)) < 0)
		goto fail;

	if ((r = gnutls_x509_privkey_export2_pkcs8(privkey_x509(k),
	    GNUTLS_X509_FMT_DER, password, password != NULL ? cipher :
	    GNUTLS_PKCS_PLAIN, &kd)) < 0)
		goto fail;
	idx = gnutls_pkcs12_bag_set_data(kbag, password != NULL ?
	    GNUTLS_BAG_PKCS8_ENCRYPTED_KEY : GNUTLS_BAG_PKCS8_KEY, &kd);
	gnutls_memset(kd.data, 0, kd.size);
	gnutls_free(kd.data);
	if (idx < 0) {
		r = idx;
		goto fail;
	}
	if ((r = gnutls_pkcs12_bag_set_key_id(kbag, (unsigned)idx,
	    &keyid)) < 0)
		goto fail;
	if (friendly != NULL && (r = gnutls_pkcs12_bag_set_friendly_name(kbag,
	    (unsigned)idx, friendly)) < 0)
		goto fail;

	if ((r = gnutls_pkcs12_set_bag(p12, cbag)) < 0 ||
	    (r = gnutls_pkcs12_set_bag(p12, kbag)) < 0)
		goto fail;
	/* Without a password the MAC uses "", which is what importers try. */
	if ((r = gnutls_pkcs12_generate_mac2(p12, legacy ? GNUTLS_MAC_SHA1 :
	    GNUTLS_MAC_SHA256, password != NULL ? password : "")) < 0)
		goto fail;
	if ((r = gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, &out)) < 0)
		goto fail;

	*der = xmalloc(out.size);
	memcpy(*der, out.data, out.size);
	*len = out.size;
	gnutls_memset(out.data, 0, out.size);
	gnutls_free(out.data);
	gnutls_pkcs12_bag_deinit(cbag);
	gnutls_pkcs12_bag_deinit(kbag);
	gnutls_pkcs12_deinit(p12);
	return 0;

fail:
	if (cause != NULL)
		*cause = xasprintf("making the PKCS#12 file failed: %s",
		    gnutls_strerror(r));
	if (cbag != NULL)
		gnutls_pkcs12_bag_deinit(cbag);
	if (kbag != NULL)
		gnutls_pkcs12_bag_deinit(kbag);
	if (p12 != NULL)
		gnutls_pkcs12_deinit(p12);
	return -1;
}
