/*
 * The certificates ACME needs beyond a request: the tls-alpn-01 challenge
 * certificate (RFC 8737) and the ARI certificate identifier (RFC 9773).
 */
#ifndef CERTBIND_KEYS_ACMECERT_H
#define CERTBIND_KEYS_ACMECERT_H

#include <stddef.h>

struct cert;

/* The OID of the acmeIdentifier extension (RFC 8737 section 6.1). */
#define ACME_IDENTIFIER_OID	"1.3.6.1.5.5.7.1.31"

/*
 * A tls-alpn-01 challenge certificate for domain: a fresh ECDSA P-256 key,
 * a self-signed certificate valid for 7 days with exactly one SAN (dNSName
 * domain) and the critical acmeIdentifier extension holding the DER
 * OCTET STRING of SHA-256(key_authorization) (DER made by libtasn1).
 * *pem is the certificate PEM followed by the private key PEM ("PRIVATE
 * KEY"): the format of an ACME_ALPN_DIR file. The key's bytes are wiped
 * from memory: free *pem with acmecert_pem_free(). *sha256 (if not NULL)
 * is the certificate's SHA-256 fingerprint, lower-case hex with colons,
 * the way cert_fingerprint() writes it.
 */
int	 acmecert_alpn(const char *domain, const char *key_authorization,
	    char **pem, size_t *pemlen, char **sha256, char **cause);
void	 acmecert_pem_free(char *pem, size_t len);

/*
 * The ARI certificate identifier of c's leaf: base64url(the authority key
 * identifier's keyIdentifier) "." base64url(the serial number's DER
 * content octets). -1 with *cause when the leaf has no AKI.
 */
int	 acmecert_ari_id(const struct cert *c, char **id, char **cause);

#endif
