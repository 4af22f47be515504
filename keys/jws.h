/*
 * JSON Web Signatures for ACME (RFC 8555 section 6.2): the account key's
 * public JWK (RFC 7517/7518), its thumbprint (RFC 7638), flattened JWS
 * objects signed with ES256/ES384 (ECDSA, r||s) or RS256, and the HS256
 * External Account Binding (RFC 8555 section 7.3.4). GnuTLS signs; jansson
 * writes the JSON.
 */
#ifndef CERTBIND_KEYS_JWS_H
#define CERTBIND_KEYS_JWS_H

#include <stddef.h>

#include <gnutls/abstract.h>

struct privkey;

/* base64url without padding (RFC 4648 section 5). Allocated. */
char	*b64url_encode(const void *data, size_t len);
/* Decodes base64url with or without padding: 0, or -1 on bad input. */
int	 b64url_decode(const char *text, unsigned char **out, size_t *len);

/* "ES256" (P-256), "ES384" (P-384) or "RS256" (RSA); NULL: unsupported. */
const char *jws_alg(const struct privkey *);
/*
 * The public JWK of the key as compact JSON with members in lexical order
 * (RFC 7638's thumbprint input): {"crv":..,"kty":"EC","x":..,"y":..} or
 * {"e":..,"kty":"RSA","n":..}. Allocated; -1 with *cause if unsupported.
 */
int	 jws_jwk(const struct privkey *, char **json, char **cause);
/* base64url(SHA-256(jwk)), RFC 7638. */
int	 jws_thumbprint(const struct privkey *, char **b64, char **cause);
/*
 * The same two for a public key alone: what the two above compute once
 * they have the account key's public half, and what the tests check
 * against RFC 7638's example key (whose private half is not published).
 */
int	 jws_jwk_pubkey(gnutls_pubkey_t, char **json, char **cause);
int	 jws_thumbprint_pubkey(gnutls_pubkey_t, char **b64, char **cause);
/* token "." thumbprint (RFC 8555 section 8.1). */
int	 jws_key_authorization(const struct privkey *, const char *token,
	    char **out, char **cause);
/* dns-01's TXT value: base64url(SHA-256(key authorization)). */
char	*jws_dns01_value(const char *key_authorization);

/* The protected header's variable members. */
struct jws_header {
	const char	*nonce;		/* NULL: none (EAB's inner JWS) */
	const char	*url;
	const char	*kid;		/* account URL; NULL: embed the jwk */
};
/*
 * A flattened JWS {"protected":..,"payload":..,"signature":..} of payload
 * (JSON text; "" for POST-as-GET, whose payload is empty). Allocated.
 */
int	 jws_sign(const struct privkey *, const struct jws_header *,
	    const char *payload, char **out, char **cause);
/*
 * The externalAccountBinding member for newAccount: a JWS with HS256
 * under the CA's MAC key (mac, maclen: already base64url-decoded), kid
 * eab_kid, url the newAccount URL, payload the account key's JWK.
 */
int	 jws_eab(const struct privkey *account, const char *eab_kid,
	    const unsigned char *mac, size_t maclen, const char *url,
	    char **out, char **cause);

#endif
