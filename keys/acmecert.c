/*
 * The certificates ACME needs beyond a request: the tls-alpn-01 challenge
 * certificate (RFC 8737 section 3) and the ARI certificate identifier
 * (RFC 9773 section 4.1). GnuTLS makes and reads the certificates;
 * libtasn1 writes the one piece of DER GnuTLS has no call for, the
 * acmeIdentifier extension's OCTET STRING.
 *
 * A challenge certificate's key lives only for the challenge: its PEM is
 * handed to the caller once, and every copy of it made here is wiped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "core/dnsname.h"
#include "keys/cert.h"
#include "keys/jws.h"
#include "keys/acmecert.h"

/* How long a challenge certificate is valid: the CA looks within minutes. */
#define ALPN_CERT_DAYS	7

static char *
hex_colons(const unsigned char *md, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char		*s;
	size_t		 i;

	s = xmalloc(len * 3 + 1);
	for (i = 0; i < len; i++) {
		s[i * 3] = hex[md[i] >> 4];
		s[i * 3 + 1] = hex[md[i] & 0xf];
		s[i * 3 + 2] = ':';
	}
	s[len > 0 ? len * 3 - 1 : 0] = '\0';
	return s;
}

/*
 * The acmeIdentifier extension's value: the DER of an OCTET STRING holding
 * SHA-256(key authorization) (RFC 8737 section 3). 2 + 32 bytes.
 */
static int
acme_identifier_der(const char *key_authorization, unsigned char *der,
    size_t *len)
{
	unsigned char	 md[32], tl[ASN1_MAX_TL_SIZE];
	unsigned int	 tllen = sizeof tl;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, key_authorization,
	    strlen(key_authorization), md) < 0)
		return -1;
	if (asn1_encode_simple_der(ASN1_ETYPE_OCTET_STRING, md, sizeof md, tl,
	    &tllen) != ASN1_SUCCESS || tllen + sizeof md > *len)
		return -1;
	memcpy(der, tl, tllen);
	memcpy(der + tllen, md, sizeof md);
	*len = tllen + sizeof md;
	return 0;
}

int
acmecert_alpn(const char *domain, const char *key_authorization,
    char **pem, size_t *pemlen, char **sha256, char **cause)
{
	gnutls_x509_privkey_t	 key = NULL;
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_datum_t		 cpem = { NULL, 0 }, kpem = { NULL, 0 };
	gnutls_datum_t		 der = { NULL, 0 };
	unsigned char		 ext[64], serial[16], md[32];
	size_t			 extlen = sizeof ext;
	const char		*what;
	char			*why = NULL, *esc;
	time_t			 now = time(NULL);
	int			 r;

	*pem = NULL;
	*pemlen = 0;
	if (sha256 != NULL)
		*sha256 = NULL;
	/* RFC 8737 section 3: a DNS name, never a wildcard. */
	if (dnsname_check(domain, 0, &why) != 0) {
		if (cause != NULL) {
			esc = escape_str(domain, 0);
			*cause = xasprintf("no tls-alpn-01 certificate for "
			    "'%s': %s", esc, why);
			free(esc);
		}
		free(why);
		return -1;
	}

	what = "the challenge's extension";
	if (acme_identifier_der(key_authorization, ext, &extlen) < 0) {
		r = GNUTLS_E_INTERNAL_ERROR;
		goto fail;
	}
	what = "the challenge key";
	if ((r = gnutls_x509_privkey_init(&key)) < 0 ||
	    (r = gnutls_x509_privkey_generate2(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0)) < 0)
		goto fail;
	what = "the challenge certificate";
	if ((r = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
		goto fail;
	serial[0] &= 0x7f;	/* positive */
	serial[0] |= 0x01;	/* and with no leading zero byte */
	if ((r = gnutls_x509_crt_init(&crt)) < 0 ||
	    (r = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (r = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
	    (r = gnutls_x509_crt_set_activation_time(crt, now - 3600)) < 0 ||
	    (r = gnutls_x509_crt_set_expiration_time(crt,
	    now + ALPN_CERT_DAYS * 86400)) < 0 ||
	    (r = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
	    0, domain, (unsigned)strlen(domain))) < 0 ||
	    (r = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
	    domain, (unsigned)strlen(domain), GNUTLS_FSAN_SET)) < 0 ||
	    (r = gnutls_x509_crt_set_extension_by_oid(crt, ACME_IDENTIFIER_OID,
	    ext, extlen, 1)) < 0 ||
	    (r = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (r = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256,
	    0)) < 0 ||
	    (r = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem)) < 0)
		goto fail;
	what = "the challenge key";
	if ((r = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM,
	    NULL, GNUTLS_PKCS_PLAIN, &kpem)) < 0)
		goto fail;
	if (sha256 != NULL) {
		what = "the challenge certificate";
		if ((r = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
		    &der)) < 0 ||
		    (r = gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size,
		    md)) < 0)
			goto fail;
		*sha256 = hex_colons(md, sizeof md);
	}

	*pemlen = (size_t)cpem.size + kpem.size;
	*pem = xmalloc(*pemlen + 1);
	memcpy(*pem, cpem.data, cpem.size);
	memcpy(*pem + cpem.size, kpem.data, kpem.size);
	(*pem)[*pemlen] = '\0';
	r = 0;

fail:
	if (r < 0) {
		if (cause != NULL)
			*cause = xasprintf("cannot make %s for tls-alpn-01: %s",
			    what, gnutls_strerror(r));
		if (sha256 != NULL) {
			free(*sha256);
			*sha256 = NULL;
		}
	}
	if (kpem.data != NULL) {
		gnutls_memset(kpem.data, 0, kpem.size);
		gnutls_free(kpem.data);
	}
	gnutls_free(cpem.data);
	gnutls_free(der.data);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);	/* wipes the key */
	return r < 0 ? -1 : 0;
}

void
acmecert_pem_free(char *pem, size_t len)
{
	if (pem != NULL)
		freezero(pem, len + 1);
}

int
acmecert_ari_id(const struct cert *c, char **id, char **cause)
{
	gnutls_x509_crt_t	 crt;
	unsigned char		 aki[256], serial[128];
	size_t			 akilen = sizeof aki, seriallen = sizeof serial;
	unsigned int		 critical;
	char			*a, *s;
	int			 r;

	*id = NULL;
	if ((crt = cert_crt(c, 0)) == NULL) {
		if (cause != NULL)
			*cause = xstrdup("no certificate");
		return -1;
	}
	if ((r = gnutls_x509_crt_get_authority_key_id(crt, aki, &akilen,
	    &critical)) < 0 || akilen == 0) {
		if (cause != NULL)
			*cause = xasprintf("the certificate has no authority "
			    "key identifier, so renewal information cannot "
			    "be asked for (%s)", r < 0 ? gnutls_strerror(r) :
			    "empty");
		return -1;
	}
	/*
	 * GnuTLS gives the INTEGER's content octets as they are in the DER,
	 * which is what RFC 9773 section 4.1 asks for: a serial whose top bit
	 * is set keeps its leading zero byte (0x00 0x87... in the RFC's
	 * example).
	 */
	if ((r = gnutls_x509_crt_get_serial(crt, serial, &seriallen)) < 0 ||
	    seriallen == 0) {
		if (cause != NULL)
			*cause = xasprintf("cannot read the certificate's "
			    "serial number: %s", r < 0 ? gnutls_strerror(r) :
			    "empty");
		return -1;
	}
	a = b64url_encode(aki, akilen);
	s = b64url_encode(serial, seriallen);
	if (a != NULL && s != NULL)
		*id = xasprintf("%s.%s", a, s);
	free(a);
	free(s);
	if (*id == NULL) {
		if (cause != NULL)
			*cause = xstrdup("cannot encode the ARI identifier");
		return -1;
	}
	return 0;
}
