/*
 * Small things every file of keys/ needs the same way (keyutil.h): names
 * of algorithms, error causes, and the few certificate operations that
 * both cert.c and trust.c use.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/endpoint.h"
#include "util/escape.h"
#include "util/xmalloc.h"
#include "keys/keyutil.h"

char *
keyutil_pk_name(int pk, unsigned bits)
{
	switch (pk) {
	case GNUTLS_PK_RSA:
		return xstrdup("RSA");
	case GNUTLS_PK_RSA_PSS:
		return xstrdup("RSA-PSS");
	case GNUTLS_PK_DSA:
		return xstrdup("DSA");
	case GNUTLS_PK_ECDSA:
		/* Every NIST curve GnuTLS knows has its own size. */
		return xasprintf("ECDSA P-%u", bits);
	case GNUTLS_PK_EDDSA_ED25519:
		return xstrdup("Ed25519");
	case GNUTLS_PK_EDDSA_ED448:
		return xstrdup("Ed448");
	default:
		if (pk > 0 && gnutls_pk_get_name(pk) != NULL)
			return xstrdup(gnutls_pk_get_name(pk));
		return xstrdup("unknown");
	}
}

char *
keyutil_cause(const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	*e, *msg, *s;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	e = escape_str(name, 0);
	s = xasprintf("%s: %s", e, msg);
	free(e);
	free(msg);
	return s;
}

/*
 * A string out of a certificate, copied. Certificates may carry a NUL in
 * the middle of a name ("www.bank.example\0.evil.example"): it becomes a
 * '?', which no host name can contain, so the name shows as what it is and
 * never matches the shorter name.
 */
char *
keyutil_cert_string(const void *data, size_t len)
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

char *
keyutil_crt_dn(gnutls_x509_crt_t crt, int issuer)
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
	s = keyutil_cert_string(d.data, d.size);
	gnutls_free(d.data);
	return s;
}

int
keyutil_datum_eq(const gnutls_datum_t *a, const gnutls_datum_t *b)
{
	return a->size == b->size && memcmp(a->data, b->data, a->size) == 0;
}

/*
 * The verify flags switch off everything but the signature: validity
 * dates, SHA-1 and version 1 CAs are other findings, not reasons to say
 * the issuer is missing.
 */
int
keyutil_crt_signed_by(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer)
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

int
keyutil_looks_like_pem(const void *data, size_t len)
{
	return memmem(data, len, "-----BEGIN ", 11) != NULL;
}

/* Every certificate in data, PEM or DER; *pem says which it was. */
int
keyutil_crts_import(const void *data, size_t len, gnutls_x509_crt_t **crts,
    unsigned *n, int *pem)
{
	gnutls_datum_t	 d;

	d.data = (unsigned char *)data;
	d.size = len;
	*pem = keyutil_looks_like_pem(data, len);
	return gnutls_x509_crt_list_import2(crts, n, &d,
	    *pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER, 0);
}

int
keyutil_parse_ip(const char *s, unsigned char buf[16], size_t *len)
{
	struct endpoint	 ep;

	if (endpoint_parse_addr(s, &ep, NULL) != 0)
		return -1;
	*len = ep.family == AF_INET ? 4 : 16;
	memcpy(buf, ep.addr, *len);
	return 0;
}
