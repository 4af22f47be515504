/*
 * JSON Web Signatures for ACME (RFC 8555 section 6.2). GnuTLS holds the
 * keys, hashes and signs; jansson writes every piece of JSON, so that
 * member names are always quoted and strings always escaped. The one idea
 * a reader needs: everything that is hashed or signed (the JWK for the
 * thumbprint, the protected header) is serialized once, compactly and
 * with its members sorted, and those exact bytes are what is used.
 *
 * The private key never leaves GnuTLS: the JWK is made from a public key
 * derived from it, and signatures come from gnutls_privkey_sign_data2().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "util/xmalloc.h"
#include "keys/privkey.h"
#include "keys/jws.h"

/* The flags of every JSON text this file writes. */
#define JWS_JSON_FLAGS	(JSON_COMPACT | JSON_SORT_KEYS)

static int
fail(char **cause, const char *fmt, const char *detail)
{
	if (cause != NULL)
		*cause = xasprintf(fmt, detail);
	return -1;
}

char *
b64url_encode(const void *data, size_t len)
{
	gnutls_datum_t	 in, out = { NULL, 0 };
	char		*s;
	size_t		 i, n;

	if (len == 0)
		return xstrdup("");
	in.data = (unsigned char *)(uintptr_t)data;
	in.size = (unsigned)len;
	if (len > UINT32_MAX / 2 || gnutls_base64_encode2(&in, &out) < 0)
		return NULL;
	s = xmalloc((size_t)out.size + 1);
	for (i = n = 0; i < out.size; i++) {
		switch (out.data[i]) {
		case '+':
			s[n++] = '-';
			break;
		case '/':
			s[n++] = '_';
			break;
		case '=':
		case '\n':
		case '\r':
			break;
		default:
			s[n++] = (char)out.data[i];
			break;
		}
	}
	s[n] = '\0';
	gnutls_free(out.data);
	return s;
}

int
b64url_decode(const char *text, unsigned char **out, size_t *len)
{
	gnutls_datum_t	 in, res = { NULL, 0 };
	char		*b64;
	size_t		 n, i, pad;
	int		 r;

	*out = NULL;
	*len = 0;
	n = strlen(text);
	/* Padding is optional, but when present it must be right. */
	for (pad = 0; n > 0 && text[n - 1] == '='; n--)
		pad++;
	if (pad > 2 || (pad > 0 && (n + pad) % 4 != 0) || n % 4 == 1)
		return -1;
	/*
	 * The alphabet is checked here: GnuTLS's decoder skips whitespace
	 * and accepts '+' and '/', none of which base64url allows.
	 */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -1;
	}
	if (n == 0) {
		*out = xmalloc(1);
		return 0;
	}
	b64 = xmalloc(n + 4);
	for (i = 0; i < n; i++)
		b64[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
	while (i % 4 != 0)
		b64[i++] = '=';
	in.data = (unsigned char *)b64;
	in.size = (unsigned)i;
	r = gnutls_base64_decode2(&in, &res);
	free(b64);
	if (r < 0)
		return -1;
	*out = xmalloc(res.size > 0 ? res.size : 1);
	memcpy(*out, res.data, res.size);
	*len = res.size;
	gnutls_free(res.data);
	return 0;
}

/* An abstract private key over the borrowed x509 key (not copied). */
static int
abstract_privkey(const struct privkey *k, gnutls_privkey_t *out)
{
	if (gnutls_privkey_init(out) < 0)
		return -1;
	if (gnutls_privkey_import_x509(*out, privkey_x509(k), 0) < 0) {
		gnutls_privkey_deinit(*out);
		return -1;
	}
	return 0;
}

/* The public half of k, for the JWK. */
static int
public_key(const struct privkey *k, gnutls_pubkey_t *out, char **cause)
{
	gnutls_privkey_t	 pk;
	int			 r;

	if (abstract_privkey(k, &pk) < 0)
		return fail(cause, "%s", "cannot use the account key");
	if ((r = gnutls_pubkey_init(out)) == 0 &&
	    (r = gnutls_pubkey_import_privkey(*out, pk, 0, 0)) < 0)
		gnutls_pubkey_deinit(*out);
	gnutls_privkey_deinit(pk);
	if (r < 0)
		return fail(cause, "cannot read the account key's public key: %s",
		    gnutls_strerror(r));
	return 0;
}

/* The JWS algorithm of a public key: "ES256", "ES384", "RS256" or NULL. */
static const char *
pubkey_alg(gnutls_pubkey_t pub, gnutls_ecc_curve_t *curvep)
{
	gnutls_ecc_curve_t	 curve = GNUTLS_ECC_CURVE_INVALID;
	gnutls_datum_t		 x = { NULL, 0 }, y = { NULL, 0 };
	int			 pk;

	pk = gnutls_pubkey_get_pk_algorithm(pub, NULL);
	if (pk == GNUTLS_PK_RSA)
		return "RS256";
	if (pk != GNUTLS_PK_ECDSA ||
	    gnutls_pubkey_export_ecc_raw2(pub, &curve, &x, &y,
	    GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
		return NULL;
	gnutls_free(x.data);
	gnutls_free(y.data);
	if (curvep != NULL)
		*curvep = curve;
	if (curve == GNUTLS_ECC_CURVE_SECP256R1)
		return "ES256";
	if (curve == GNUTLS_ECC_CURVE_SECP384R1)
		return "ES384";
	return NULL;
}

const char *
jws_alg(const struct privkey *k)
{
	gnutls_pubkey_t	 pub;
	const char	*alg;

	if (public_key(k, &pub, NULL) < 0)
		return NULL;
	alg = pubkey_alg(pub, NULL);
	gnutls_pubkey_deinit(pub);
	return alg;
}

/*
 * base64url of an unsigned big-endian integer: leading zeros dropped, then
 * left-padded to size bytes (0: no padding, RSA's n and e).
 */
static char *
b64url_uint(const gnutls_datum_t *d, size_t size)
{
	unsigned char	*buf;
	size_t		 skip = 0, n;
	char		*s;

	while (skip < d->size && d->data[skip] == 0)
		skip++;
	n = d->size - skip;
	if (size != 0 && n > size)
		return NULL;
	if (size == 0)
		size = n > 0 ? n : 1;
	buf = xcalloc(1, size);
	memcpy(buf + size - n, d->data + skip, n);
	s = b64url_encode(buf, size);
	free(buf);
	return s;
}

/* The JWK of pub as a jansson object, or NULL with *cause. */
static json_t *
jwk_object(gnutls_pubkey_t pub, char **cause)
{
	gnutls_ecc_curve_t	 curve;
	gnutls_datum_t		 a = { NULL, 0 }, b = { NULL, 0 };
	const char		*alg, *crv;
	char			*sa = NULL, *sb = NULL;
	json_t			*o = NULL;
	size_t			 size;

	if ((alg = pubkey_alg(pub, &curve)) == NULL) {
		fail(cause, "%s", "the account key must be ECDSA P-256, "
		    "ECDSA P-384 or RSA");
		return NULL;
	}
	if (alg[0] == 'R') {
		if (gnutls_pubkey_export_rsa_raw2(pub, &a, &b,
		    GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
			goto bad;
		/* RFC 7518 section 6.3.1: n and e without leading zeros. */
		sa = b64url_uint(&a, 0);
		sb = b64url_uint(&b, 0);
		if (sa != NULL && sb != NULL)
			o = json_pack("{s:s, s:s, s:s}", "e", sb, "kty", "RSA",
			    "n", sa);
	} else {
		if (gnutls_pubkey_export_ecc_raw2(pub, &curve, &a, &b,
		    GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
			goto bad;
		/* RFC 7518 section 6.2.1.2: the full size of the curve. */
		size = curve == GNUTLS_ECC_CURVE_SECP256R1 ? 32 : 48;
		crv = size == 32 ? "P-256" : "P-384";
		sa = b64url_uint(&a, size);
		sb = b64url_uint(&b, size);
		if (sa != NULL && sb != NULL)
			o = json_pack("{s:s, s:s, s:s, s:s}", "crv", crv,
			    "kty", "EC", "x", sa, "y", sb);
	}
	gnutls_free(a.data);
	gnutls_free(b.data);
	free(sa);
	free(sb);
	if (o == NULL)
		fail(cause, "%s", "cannot write the account key's JWK");
	return o;

bad:
	fail(cause, "%s", "cannot export the account key's public key");
	return NULL;
}

int
jws_jwk_pubkey(gnutls_pubkey_t pub, char **json, char **cause)
{
	json_t	*o;

	*json = NULL;
	if ((o = jwk_object(pub, cause)) == NULL)
		return -1;
	*json = json_dumps(o, JWS_JSON_FLAGS);
	json_decref(o);
	if (*json == NULL)
		return fail(cause, "%s", "cannot write the account key's JWK");
	return 0;
}

int
jws_jwk(const struct privkey *k, char **json, char **cause)
{
	gnutls_pubkey_t	 pub;
	int		 r;

	*json = NULL;
	if (public_key(k, &pub, cause) < 0)
		return -1;
	r = jws_jwk_pubkey(pub, json, cause);
	gnutls_pubkey_deinit(pub);
	return r;
}

/* base64url(SHA-256(s)), or NULL. */
static char *
b64url_sha256(const char *s)
{
	unsigned char	 md[32];

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, s, strlen(s), md) < 0)
		return NULL;
	return b64url_encode(md, sizeof md);
}

int
jws_thumbprint_pubkey(gnutls_pubkey_t pub, char **b64, char **cause)
{
	char	*jwk;

	*b64 = NULL;
	if (jws_jwk_pubkey(pub, &jwk, cause) < 0)
		return -1;
	*b64 = b64url_sha256(jwk);
	free(jwk);
	if (*b64 == NULL)
		return fail(cause, "%s", "cannot hash the account key's JWK");
	return 0;
}

int
jws_thumbprint(const struct privkey *k, char **b64, char **cause)
{
	gnutls_pubkey_t	 pub;
	int		 r;

	*b64 = NULL;
	if (public_key(k, &pub, cause) < 0)
		return -1;
	r = jws_thumbprint_pubkey(pub, b64, cause);
	gnutls_pubkey_deinit(pub);
	return r;
}

int
jws_key_authorization(const struct privkey *k, const char *token,
    char **out, char **cause)
{
	char	*tp;

	*out = NULL;
	if (jws_thumbprint(k, &tp, cause) < 0)
		return -1;
	*out = xasprintf("%s.%s", token, tp);
	free(tp);
	return 0;
}

char *
jws_dns01_value(const char *key_authorization)
{
	return b64url_sha256(key_authorization);
}

/*
 * The JWS signature of input: RS256's PKCS#1 v1.5 signature as it is, or
 * ECDSA's DER SEQUENCE { r, s } turned into r||s, each left-padded to the
 * curve's size (RFC 7518 section 3.4).
 */
static char *
sign(gnutls_privkey_t pk, const char *alg, const char *input, char **cause)
{
	gnutls_datum_t		 data, sig = { NULL, 0 };
	gnutls_datum_t		 r = { NULL, 0 }, s = { NULL, 0 };
	gnutls_sign_algorithm_t	 algo;
	unsigned char		 rs[96];
	size_t			 size, i;
	char			*out = NULL;
	int			 e;

	if (strcmp(alg, "RS256") == 0) {
		algo = GNUTLS_SIGN_RSA_SHA256;
		size = 0;
	} else if (strcmp(alg, "ES256") == 0) {
		algo = GNUTLS_SIGN_ECDSA_SHA256;
		size = 32;
	} else {
		algo = GNUTLS_SIGN_ECDSA_SHA384;
		size = 48;
	}
	data.data = (unsigned char *)(uintptr_t)input;
	data.size = (unsigned)strlen(input);
	if ((e = gnutls_privkey_sign_data2(pk, algo, 0, &data, &sig)) < 0) {
		fail(cause, "signing the request failed: %s",
		    gnutls_strerror(e));
		return NULL;
	}
	if (size == 0) {
		out = b64url_encode(sig.data, sig.size);
		gnutls_free(sig.data);
		return out;
	}
	if ((e = gnutls_decode_rs_value(&sig, &r, &s)) < 0) {
		gnutls_free(sig.data);
		fail(cause, "cannot read the ECDSA signature: %s",
		    gnutls_strerror(e));
		return NULL;
	}
	gnutls_free(sig.data);
	memset(rs, 0, sizeof rs);
	for (i = 0; i < 2; i++) {
		const gnutls_datum_t	*d = i == 0 ? &r : &s;
		size_t			 skip = 0;

		while (skip < d->size && d->data[skip] == 0)
			skip++;
		if (d->size - skip > size)
			goto bad;
		memcpy(rs + i * size + size - (d->size - skip), d->data + skip,
		    d->size - skip);
	}
	out = b64url_encode(rs, 2 * size);
	gnutls_free(r.data);
	gnutls_free(s.data);
	return out;

bad:
	gnutls_free(r.data);
	gnutls_free(s.data);
	fail(cause, "%s", "the ECDSA signature does not fit the curve");
	return NULL;
}

/*
 * {"payload":..,"protected":..,"signature":..} for the protected header
 * hdr and payload: "protected.payload" signed with pk under alg, or with
 * mac not NULL, its HMAC-SHA256 under mac (HS256).
 */
static char *
flatten(json_t *hdr, const char *payload, gnutls_privkey_t pk, const char *alg, const unsigned char *mac,
    size_t maclen, char **cause)
{
	unsigned char	 md[32];
	char		*h, *ph = NULL, *pp = NULL, *input = NULL, *sig = NULL;
	char		*out = NULL;
	json_t		*o;

	if ((h = json_dumps(hdr, JWS_JSON_FLAGS)) == NULL) {
		fail(cause, "%s", "cannot write the protected header");
		return NULL;
	}
	ph = b64url_encode(h, strlen(h));
	free(h);
	pp = b64url_encode(payload, strlen(payload));
	if (ph == NULL || pp == NULL) {
		fail(cause, "%s", "cannot encode the request");
		goto out;
	}
	input = xasprintf("%s.%s", ph, pp);
	if (mac != NULL) {
		if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, mac, maclen, input,
		    strlen(input), md) < 0) {
			fail(cause, "%s", "the HMAC of the external account "
			    "binding failed");
			goto out;
		}
		sig = b64url_encode(md, sizeof md);
	} else
		sig = sign(pk, alg, input, cause);
	if (sig == NULL)
		goto out;
	o = json_pack("{s:s, s:s, s:s}", "protected", ph, "payload", pp,
	    "signature", sig);
	if (o != NULL) {
		out = json_dumps(o, JWS_JSON_FLAGS);
		json_decref(o);
	}
	if (out == NULL)
		fail(cause, "%s", "cannot write the signed request");
out:
	free(ph);
	free(pp);
	free(input);
	free(sig);
	return out;
}

int
jws_sign(const struct privkey *k, const struct jws_header *h,
    const char *payload, char **out, char **cause)
{
	gnutls_privkey_t	 pk;
	gnutls_pubkey_t		 pub;
	const char		*alg;
	json_t			*hdr, *jwk = NULL;

	*out = NULL;
	if (h->url == NULL)
		return fail(cause, "%s", "a signed request needs a URL");
	if (public_key(k, &pub, cause) < 0)
		return -1;
	if ((alg = pubkey_alg(pub, NULL)) == NULL) {
		gnutls_pubkey_deinit(pub);
		return fail(cause, "%s", "the account key must be ECDSA P-256, "
		    "ECDSA P-384 or RSA");
	}
	if (h->kid == NULL && (jwk = jwk_object(pub, cause)) == NULL) {
		gnutls_pubkey_deinit(pub);
		return -1;
	}
	gnutls_pubkey_deinit(pub);

	hdr = json_pack("{s:s, s:s}", "alg", alg, "url", h->url);
	if (hdr == NULL ||
	    (h->nonce != NULL && json_object_set_new(hdr, "nonce",
	    json_string(h->nonce)) != 0) ||
	    (h->kid != NULL && json_object_set_new(hdr, "kid",
	    json_string(h->kid)) != 0) ||
	    (jwk != NULL && json_object_set_new(hdr, "jwk", jwk) != 0)) {
		/* json_string() of text that is not UTF-8 gives NULL. */
		json_decref(hdr);
		return fail(cause, "%s", "cannot write the protected header "
		    "(a nonce, URL or key ID that is not UTF-8?)");
	}
	if (abstract_privkey(k, &pk) < 0) {
		json_decref(hdr);
		return fail(cause, "%s", "cannot use the account key");
	}
	*out = flatten(hdr, payload, pk, alg, NULL, 0, cause);
	gnutls_privkey_deinit(pk);
	json_decref(hdr);
	return *out != NULL ? 0 : -1;
}

int
jws_eab(const struct privkey *account, const char *eab_kid,
    const unsigned char *mac, size_t maclen, const char *url, char **out,
    char **cause)
{
	json_t	*hdr;
	char	*jwk;

	*out = NULL;
	if (maclen == 0)
		return fail(cause, "%s", "the external account binding's "
		    "HMAC key is empty");
	if (jws_jwk(account, &jwk, cause) < 0)
		return -1;
	/* RFC 8555 section 7.3.4: no nonce in the inner JWS. */
	hdr = json_pack("{s:s, s:s, s:s}", "alg", "HS256", "kid", eab_kid,
	    "url", url);
	if (hdr == NULL) {
		free(jwk);
		return fail(cause, "%s", "cannot write the external account "
		    "binding (a key ID or URL that is not UTF-8?)");
	}
	*out = flatten(hdr, jwk, NULL, NULL, mac, maclen, cause);
	json_decref(hdr);
	free(jwk);
	return *out != NULL ? 0 : -1;
}
