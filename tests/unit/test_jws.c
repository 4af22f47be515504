/*
 * keys/jws.c: base64url, JWKs, thumbprints, key authorizations, JWS.
 *
 * Every signature is verified here independently of jws.c: the protected
 * header and signature are decoded from the JSON with jansson, the signing
 * input is rebuilt from the encoded parts, an ECDSA r||s is turned back
 * into DER with gnutls_encode_rs_value(), and gnutls_pubkey_verify_data2()
 * checks it against the key's public half. Known answers: RFC 4648's
 * base64 vectors, RFC 7638's example thumbprint, SHA-256("abc").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "keys/privkey.h"
#include "keys/jws.h"

static struct privkey	*p256, *p384, *rsa, *ed;

static int
setup(void **state)
{
	char	*cause = NULL;

	if (privkey_generate(KEY_ECDSA_P256, &p256, &cause) != 0 ||
	    privkey_generate(KEY_ECDSA_P384, &p384, &cause) != 0 ||
	    privkey_generate(KEY_RSA_2048, &rsa, &cause) != 0 ||
	    privkey_generate(KEY_ED25519, &ed, &cause) != 0) {
		fprintf(stderr, "setup: %s\n", cause);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	privkey_free(p256);
	privkey_free(p384);
	privkey_free(rsa);
	privkey_free(ed);
	return 0;
}

static gnutls_pubkey_t
pub_of(const struct privkey *k)
{
	gnutls_privkey_t pk;
	gnutls_pubkey_t	 pub;

	assert_int_equal(gnutls_privkey_init(&pk), 0);
	assert_int_equal(gnutls_privkey_import_x509(pk, privkey_x509(k), 0), 0);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(pub, pk, 0, 0), 0);
	gnutls_privkey_deinit(pk);
	return pub;
}

static unsigned char *
dec(const char *s, size_t *len)
{
	unsigned char	*out;

	if (b64url_decode(s, &out, len) != 0)
		fail_msg("not base64url: %s", s);
	return out;
}

/* base64url ---------------------------------------------------------------- */

static void
test_b64url_vectors(void **state)
{
	/* RFC 4648 section 10, without padding, and the two url letters. */
	static const struct { const char *in; size_t len; const char *out; }
	    t[] = {
		{ "", 0, "" }, { "f", 1, "Zg" }, { "fo", 2, "Zm8" },
		{ "foo", 3, "Zm9v" }, { "foob", 4, "Zm9vYg" },
		{ "fooba", 5, "Zm9vYmE" }, { "foobar", 6, "Zm9vYmFy" },
		{ "\xfb\xff\xbf", 3, "-_-_" },
		{ "\x00\x00", 2, "AAA" },
	};
	unsigned char	*d;
	size_t		 i, n;
	char		*s;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		s = b64url_encode(t[i].in, t[i].len);
		assert_non_null(s);
		assert_string_equal(s, t[i].out);
		free(s);
		d = dec(t[i].out, &n);
		assert_int_equal(n, t[i].len);
		assert_memory_equal(d, t[i].in, n);
		free(d);
	}
	/* A long input: no line breaks in the output. */
	{
		unsigned char	 big[300];

		memset(big, 0xa5, sizeof big);
		s = b64url_encode(big, sizeof big);
		assert_int_equal(strlen(s), 400);
		assert_null(strpbrk(s, "\n\r=+/"));
		d = dec(s, &n);
		assert_int_equal(n, sizeof big);
		assert_memory_equal(d, big, n);
		free(d);
		free(s);
	}
}

static void
test_b64url_padding_and_bad_input(void **state)
{
	static const char *good[] = { "Zg==", "Zm8=", "Zm9v", "Zg", "Zm8" };
	static const char *bad[] = {
		"Z", "Zg=", "Zg===", "Zm8==", "Zm+v", "Zm/v", "Zm 9v",
		"Zm9v\n", "=", "Zg==Zg", "Z=g", "Zm9v!", "\xc3\xa9",
	};
	unsigned char	*d;
	size_t		 i, n;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_int_equal(b64url_decode(good[i], &d, &n), 0);
		free(d);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		d = (unsigned char *)"x";
		if (b64url_decode(bad[i], &d, &n) == 0)
			fail_msg("decoded bad input \"%s\"", bad[i]);
		assert_null(d);
	}
}

/* JWK and thumbprint --------------------------------------------------------- */

static void
test_alg(void **state)
{
	assert_string_equal(jws_alg(p256), "ES256");
	assert_string_equal(jws_alg(p384), "ES384");
	assert_string_equal(jws_alg(rsa), "RS256");
	assert_null(jws_alg(ed));
}

/* Checks an EC JWK against the coordinates GnuTLS exports for the key. */
static void
check_ec_jwk(const struct privkey *k, const char *crv, size_t size)
{
	gnutls_ecc_curve_t curve;
	gnutls_datum_t	 x, y, priv;
	json_t		*o;
	json_error_t	 err;
	unsigned char	*jx, *jy, want[48];
	size_t		 nx, ny, skip;
	char		*json = NULL, *cause = NULL, *prefix;

	assert_int_equal(jws_jwk(k, &json, &cause), 0);
	/* Compact and sorted: RFC 7638's thumbprint input. */
	prefix = NULL;
	assert_true(asprintf(&prefix, "{\"crv\":\"%s\",\"kty\":\"EC\",\"x\":\"",
	    crv) > 0);
	assert_true(strncmp(json, prefix, strlen(prefix)) == 0);
	free(prefix);
	assert_null(strpbrk(json, " \n\t"));
	o = json_loads(json, JSON_REJECT_DUPLICATES, &err);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), 4);
	jx = dec(json_string_value(json_object_get(o, "x")), &nx);
	jy = dec(json_string_value(json_object_get(o, "y")), &ny);
	assert_int_equal(nx, size);
	assert_int_equal(ny, size);
	assert_true(strstr(json, "\",\"y\":\"") != NULL);

	assert_int_equal(gnutls_x509_privkey_export_ecc_raw(privkey_x509(k),
	    &curve, &x, &y, &priv), 0);
	gnutls_memset(priv.data, 0, priv.size);
	gnutls_free(priv.data);
	/* GnuTLS may add a sign byte or drop a leading zero; JWK may not. */
	for (skip = 0; skip < x.size && x.data[skip] == 0; skip++)
		;
	memset(want, 0, sizeof want);
	memcpy(want + size - (x.size - skip), x.data + skip, x.size - skip);
	assert_memory_equal(jx, want, size);
	for (skip = 0; skip < y.size && y.data[skip] == 0; skip++)
		;
	memset(want, 0, sizeof want);
	memcpy(want + size - (y.size - skip), y.data + skip, y.size - skip);
	assert_memory_equal(jy, want, size);
	gnutls_free(x.data);
	gnutls_free(y.data);
	free(jx);
	free(jy);
	json_decref(o);
	free(json);
}

static void
test_jwk_ec(void **state)
{
	struct privkey	*k;
	char		*cause = NULL;
	int		 i;

	check_ec_jwk(p256, "P-256", 32);
	check_ec_jwk(p384, "P-384", 48);
	/*
	 * A coordinate with a leading zero byte turns up in 1 key in 128;
	 * a few dozen fresh keys make the zero-padding path likely to run.
	 */
	for (i = 0; i < 40; i++) {
		assert_int_equal(privkey_generate(KEY_ECDSA_P256, &k, &cause),
		    0);
		check_ec_jwk(k, "P-256", 32);
		privkey_free(k);
	}
}

static void
test_jwk_rsa(void **state)
{
	gnutls_datum_t	 m, e;
	json_t		*o;
	unsigned char	*n, *ee;
	size_t		 nn, ne;
	char		*json = NULL, *cause = NULL;

	assert_int_equal(jws_jwk(rsa, &json, &cause), 0);
	assert_true(strncmp(json, "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"",
	    29) == 0);
	o = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), 3);
	n = dec(json_string_value(json_object_get(o, "n")), &nn);
	ee = dec(json_string_value(json_object_get(o, "e")), &ne);
	/* No leading zero (RFC 7518 section 6.3.1.1). */
	assert_int_equal(nn, 256);
	assert_int_not_equal(n[0], 0);
	assert_int_equal(gnutls_x509_privkey_export_rsa_raw(privkey_x509(rsa),
	    &m, &e, NULL, NULL, NULL, NULL), 0);
	assert_memory_equal(m.data + (m.size - nn), n, nn);
	assert_memory_equal(e.data + (e.size - ne), ee, ne);
	gnutls_free(m.data);
	gnutls_free(e.data);
	free(n);
	free(ee);
	json_decref(o);
	free(json);
}

static void
test_jwk_unsupported(void **state)
{
	char	*json = NULL, *cause = NULL, *tp = NULL;

	assert_int_equal(jws_jwk(ed, &json, &cause), -1);
	assert_null(json);
	assert_non_null(strstr(cause, "ECDSA P-256"));
	free(cause);
	cause = NULL;
	assert_int_equal(jws_thumbprint(ed, &tp, &cause), -1);
	assert_null(tp);
	free(cause);
}

/* RFC 7638 section 3.1: the example RSA key and its thumbprint. */
static const char rfc7638_n[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

static void
test_thumbprint_rfc7638(void **state)
{
	gnutls_pubkey_t	 pub;
	gnutls_datum_t	 m, e;
	unsigned char	*n, *ee;
	size_t		 nn, ne;
	char		*tp = NULL, *json = NULL, *cause = NULL, *want;

	n = dec(rfc7638_n, &nn);
	ee = dec("AQAB", &ne);
	m.data = n;
	m.size = (unsigned)nn;
	e.data = ee;
	e.size = (unsigned)ne;
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_rsa_raw(pub, &m, &e), 0);

	assert_int_equal(jws_jwk_pubkey(pub, &json, &cause), 0);
	assert_true(asprintf(&want, "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"%s\"}",
	    rfc7638_n) > 0);
	assert_string_equal(json, want);
	assert_int_equal(jws_thumbprint_pubkey(pub, &tp, &cause), 0);
	assert_string_equal(tp, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	free(want);
	free(tp);
	free(json);
	free(n);
	free(ee);
	gnutls_pubkey_deinit(pub);
}

static char *
sha256_b64url(const char *s)
{
	unsigned char	 md[32];

	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, s, strlen(s), md),
	    0);
	return b64url_encode(md, sizeof md);
}

static void
test_key_authorization_and_dns01(void **state)
{
	const struct privkey *keys[] = { p256, p384, rsa };
	char		*jwk, *tp, *ka, *want, *cause = NULL, *v;
	size_t		 i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(jws_jwk(keys[i], &jwk, &cause), 0);
		assert_int_equal(jws_thumbprint(keys[i], &tp, &cause), 0);
		want = sha256_b64url(jwk);
		assert_string_equal(tp, want);
		assert_int_equal(strlen(tp), 43);
		free(want);
		/* RFC 8555 section 8.1: token || '.' || thumbprint */
		assert_int_equal(jws_key_authorization(keys[i],
		    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", &ka,
		    &cause), 0);
		assert_true(asprintf(&want, "%s.%s",
		    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", tp) > 0);
		assert_string_equal(ka, want);
		/* RFC 8555 section 8.4: base64url(SHA-256(key authorization)) */
		v = jws_dns01_value(ka);
		free(want);
		want = sha256_b64url(ka);
		assert_string_equal(v, want);
		free(v);
		free(want);
		free(ka);
		free(tp);
		free(jwk);
	}
	/* SHA-256("abc") is FIPS 180-2's example. */
	v = jws_dns01_value("abc");
	assert_string_equal(v, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
	free(v);
}

/* JWS ------------------------------------------------------------------------ */

/*
 * Verifies a flattened JWS made with k: returns the decoded protected
 * header (for the caller to check) and the payload in *payload.
 */
static json_t *
verify_jws(const struct privkey *k, const char *jws, char **payload,
    int tamper)
{
	gnutls_pubkey_t	 pub;
	gnutls_datum_t	 data, sig, r, s, der = { NULL, 0 };
	json_t		*o, *h;
	const char	*ph, *pp, *ps, *alg;
	unsigned char	*hdr, *pl, *sg;
	size_t		 nh, np, ns, size = 0;
	char		*input;
	int		 algo, rc;

	o = json_loads(jws, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), 3);
	ph = json_string_value(json_object_get(o, "protected"));
	pp = json_string_value(json_object_get(o, "payload"));
	ps = json_string_value(json_object_get(o, "signature"));
	assert_non_null(ph);
	assert_non_null(pp);
	assert_non_null(ps);
	hdr = dec(ph, &nh);
	h = json_loadb((char *)hdr, nh, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(h);
	free(hdr);
	pl = dec(pp, &np);
	*payload = strndup((char *)pl, np);
	free(pl);
	sg = dec(ps, &ns);

	alg = json_string_value(json_object_get(h, "alg"));
	assert_non_null(alg);
	assert_string_equal(alg, jws_alg(k));
	if (strcmp(alg, "ES256") == 0) {
		algo = GNUTLS_SIGN_ECDSA_SHA256;
		size = 32;
	} else if (strcmp(alg, "ES384") == 0) {
		algo = GNUTLS_SIGN_ECDSA_SHA384;
		size = 48;
	} else
		algo = GNUTLS_SIGN_RSA_SHA256;

	assert_true(asprintf(&input, "%s.%s", ph, pp) > 0);
	if (tamper)
		input[0] ^= 1;
	data.data = (unsigned char *)input;
	data.size = (unsigned)strlen(input);
	if (size != 0) {
		/* r||s, each exactly the curve's size (RFC 7518 3.4). */
		assert_int_equal(ns, 2 * size);
		r.data = sg;
		r.size = (unsigned)size;
		s.data = sg + size;
		s.size = (unsigned)size;
		assert_int_equal(gnutls_encode_rs_value(&der, &r, &s), 0);
		sig = der;
	} else {
		assert_int_equal(ns, 256);
		sig.data = sg;
		sig.size = (unsigned)ns;
	}
	pub = pub_of(k);
	rc = gnutls_pubkey_verify_data2(pub, algo, 0, &data, &sig);
	if (tamper)
		assert_true(rc < 0);
	else if (rc < 0)
		fail_msg("%s signature does not verify: %s", alg,
		    gnutls_strerror(rc));
	gnutls_pubkey_deinit(pub);
	gnutls_free(der.data);
	free(sg);
	free(input);
	json_decref(o);
	return h;
}

static void
check_sign(const struct privkey *k, int with_kid, const char *payload)
{
	struct jws_header hdr = {
		.nonce = "nonce-AbC_123",
		.url = "https://ca.example/acme/new-order",
		.kid = with_kid ? "https://ca.example/acme/acct/1" : NULL,
	};
	json_t		*h, *jwk;
	char		*out = NULL, *cause = NULL, *got, *j, *want;

	if (jws_sign(k, &hdr, payload, &out, &cause) != 0)
		fail_msg("jws_sign: %s", cause);
	h = verify_jws(k, out, &got, 0);
	assert_string_equal(got, payload);
	free(got);
	assert_string_equal(json_string_value(json_object_get(h, "nonce")),
	    hdr.nonce);
	assert_string_equal(json_string_value(json_object_get(h, "url")),
	    hdr.url);
	if (with_kid) {
		assert_string_equal(json_string_value(json_object_get(h,
		    "kid")), hdr.kid);
		assert_null(json_object_get(h, "jwk"));
		assert_int_equal(json_object_size(h), 4);
	} else {
		/* RFC 8555 section 6.2: "jwk" and "kid" are exclusive. */
		assert_null(json_object_get(h, "kid"));
		jwk = json_object_get(h, "jwk");
		assert_true(json_is_object(jwk));
		j = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);
		assert_int_equal(jws_jwk(k, &want, &cause), 0);
		assert_string_equal(j, want);
		free(j);
		free(want);
	}
	json_decref(h);
	h = verify_jws(k, out, &got, 1);
	free(got);
	json_decref(h);
	free(out);
}

static void
test_sign_all_algs(void **state)
{
	const struct privkey *keys[] = { p256, p384, rsa };
	size_t		 i;

	for (i = 0; i < 3; i++) {
		check_sign(keys[i], 1, "{\"identifiers\":[{\"type\":\"dns\","
		    "\"value\":\"www.example.com\"}]}");
		check_sign(keys[i], 0, "{\"termsOfServiceAgreed\":true}");
		check_sign(keys[i], 1, "");	/* POST-as-GET */
	}
}

static void
test_sign_many_es256(void **state)
{
	struct jws_header hdr = { "n", "https://ca.example/x", "kid" };
	json_t		*h;
	char		*out, *cause = NULL, *got;
	int		 i;

	/* r or s with a leading zero byte: about 1 in 64 signatures. */
	for (i = 0; i < 300; i++) {
		assert_int_equal(jws_sign(i % 2 ? p256 : p384, &hdr, "{}", &out,
		    &cause), 0);
		h = verify_jws(i % 2 ? p256 : p384, out, &got, 0);
		json_decref(h);
		free(got);
		free(out);
	}
}

static void
test_sign_refuses(void **state)
{
	struct jws_header hdr = { "n", "https://ca.example/x", NULL };
	struct jws_header nourl = { "n", NULL, "kid" };
	struct jws_header badutf8 = { "n\xff", "https://ca.example/x", "k" };
	char	*out = (char *)"x", *cause = NULL;

	assert_int_equal(jws_sign(ed, &hdr, "{}", &out, &cause), -1);
	assert_null(out);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(jws_sign(p256, &nourl, "{}", &out, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(jws_sign(p256, &badutf8, "{}", &out, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

static void
test_eab(void **state)
{
	static const unsigned char mac[] = "a 32-byte key the CA handed out!";
	unsigned char	 md[32], *sg, *pl, *hd;
	json_t		*o, *h;
	const char	*ph, *pp;
	size_t		 ns, np, nh;
	char		*out = NULL, *cause = NULL, *jwk, *input;

	assert_int_equal(jws_eab(p256, "kid-1", mac, 32,
	    "https://ca.example/acme/new-account", &out, &cause), 0);
	o = json_loads(out, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(o);
	ph = json_string_value(json_object_get(o, "protected"));
	pp = json_string_value(json_object_get(o, "payload"));
	hd = dec(ph, &nh);
	h = json_loadb((char *)hd, nh, 0, NULL);
	assert_non_null(h);
	assert_string_equal(json_string_value(json_object_get(h, "alg")),
	    "HS256");
	assert_string_equal(json_string_value(json_object_get(h, "kid")),
	    "kid-1");
	assert_string_equal(json_string_value(json_object_get(h, "url")),
	    "https://ca.example/acme/new-account");
	/* RFC 8555 section 7.3.4: no nonce. */
	assert_null(json_object_get(h, "nonce"));
	assert_int_equal(json_object_size(h), 3);
	/* The payload is the account key's JWK. */
	pl = dec(pp, &np);
	assert_int_equal(jws_jwk(p256, &jwk, &cause), 0);
	assert_int_equal(np, strlen(jwk));
	assert_memory_equal(pl, jwk, np);
	assert_true(asprintf(&input, "%s.%s", ph, pp) > 0);
	assert_int_equal(gnutls_hmac_fast(GNUTLS_MAC_SHA256, mac, 32, input,
	    strlen(input), md), 0);
	sg = dec(json_string_value(json_object_get(o, "signature")), &ns);
	assert_int_equal(ns, 32);
	assert_memory_equal(sg, md, 32);
	free(sg);
	free(input);
	free(jwk);
	free(pl);
	free(hd);
	json_decref(h);
	json_decref(o);
	free(out);

	assert_int_equal(jws_eab(p256, "kid-1", mac, 0, "https://x/", &out,
	    &cause), -1);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64url_vectors),
		cmocka_unit_test(test_b64url_padding_and_bad_input),
		cmocka_unit_test(test_alg),
		cmocka_unit_test(test_jwk_ec),
		cmocka_unit_test(test_jwk_rsa),
		cmocka_unit_test(test_jwk_unsupported),
		cmocka_unit_test(test_thumbprint_rfc7638),
		cmocka_unit_test(test_key_authorization_and_dns01),
		cmocka_unit_test(test_sign_all_algs),
		cmocka_unit_test(test_sign_many_es256),
		cmocka_unit_test(test_sign_refuses),
		cmocka_unit_test(test_eab),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
