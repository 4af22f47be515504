/*
 * What the files of keys/ share: the names of public key algorithms, so a
 * key and its certificate are described alike, error causes that quote a
 * file name safely, and the certificate operations of both cert.c and
 * trust.c.
 */
#ifndef CERTBIND_KEYUTIL_H
#define CERTBIND_KEYUTIL_H

#include <stddef.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* "RSA", "ECDSA P-256", "Ed25519" ... for a GnuTLS pk algorithm. */
char	*keyutil_pk_name(int pk, unsigned bits);

/* "NAME: message", the name escaped: it came from a config or a user. */
char	*keyutil_cause(const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* A string from a certificate, allocated, a NUL inside shown as '?'. */
char	*keyutil_cert_string(const void *data, size_t len);
/* The subject DN of crt, or with issuer its issuer's; "" if none. */
char	*keyutil_crt_dn(gnutls_x509_crt_t crt, int issuer);
int	 keyutil_datum_eq(const gnutls_datum_t *, const gnutls_datum_t *);
/* Whether issuer's key signed crt, whatever the dates and algorithms. */
int	 keyutil_crt_signed_by(gnutls_x509_crt_t crt,
	    gnutls_x509_crt_t issuer);
/* Whether data holds a PEM block ("-----BEGIN "), else it is DER. */
int	 keyutil_looks_like_pem(const void *data, size_t len);
/*
 * Every certificate in data (PEM or DER, *pem says which) into an array
 * for gnutls_free(). A GnuTLS error code, or >= 0.
 */
int	 keyutil_crts_import(const void *data, size_t len,
	    gnutls_x509_crt_t **crts, unsigned *n, int *pem);
/*
 * An IP address as a certificate holds it (4 or 16 bytes in buf, *len
 * set): core's one reading of an address (endpoint_parse_addr), so a
 * SAN, a host name to cover and an endpoint agree. -1 if s is not one.
 */
int	 keyutil_parse_ip(const char *s, unsigned char buf[16], size_t *len);

#endif
