/*
 * keys/fastsign.c and tlscred_load()'s two signers: for every key type
 * certbind makes, each signature scheme TLS may ask of it is signed through
 * the abstract key certbindd serves with, once by GnuTLS and once by
 * OpenSSL, and every signature is verified twice, by GnuTLS
 * (gnutls_pubkey_verify_data2) and by OpenSSL (EVP_DigestVerify) with the
 * certificate's public key, as a GnuTLS and an OpenSSL client would.
 *
 * Which schemes each key must and must not sign is this file's own table,
 * written from the TLS rules (RFC 8446 4.2.3: rsa_pss_rsae for an
 * rsaEncryption key, the curve bound to the scheme in TLS 1.3), not asked
 * of the code under test.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#ifdef CERTBIND_OPENSSL
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#endif

#include "keys/cert.h"
#include "keys/fastsign.h"
#include "keys/privkey.h"
#include "keys/request.h"

static char	dir[64];

static const char *
path(const char *name)
{
	static char	buf[4][128];
	static int	i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

static void
write_file(const char *p, const void *data, size_t len)
{
	FILE	*f;

	unlink(p);
	assert_non_null(f = fopen(p, "w"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The schemes of TLS 1.2 and 1.3 a server key may be asked for. */
static const gnutls_sign_algorithm_t schemes[] = {
	GNUTLS_SIGN_RSA_SHA256, GNUTLS_SIGN_RSA_SHA384,
	GNUTLS_SIGN_RSA_SHA512,
	GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, GNUTLS_SIGN_RSA_PSS_RSAE_SHA384,
	GNUTLS_SIGN_RSA_PSS_RSAE_SHA512,
	GNUTLS_SIGN_ECDSA_SHA256, GNUTLS_SIGN_ECDSA_SHA384,
	GNUTLS_SIGN_ECDSA_SHA512,
	GNUTLS_SIGN_ECDSA_SECP256R1_SHA256, GNUTLS_SIGN_ECDSA_SECP384R1_SHA384,
	GNUTLS_SIGN_ECDSA_SECP521R1_SHA512,
	GNUTLS_SIGN_EDDSA_ED25519,
};
#define NSCHEMES	(sizeof schemes / sizeof schemes[0])

enum family { F_RSA, F_P256, F_P384, F_ED25519 };

static const struct {
	const char	*type;
	enum family	 family;
} key_cases[] = {
	{ "ecdsa-p256", F_P256 },
	{ "ecdsa-p384", F_P384 },
	{ "ed25519", F_ED25519 },
	{ "rsa-2048", F_RSA },
	{ "rsa-3072", F_RSA },
	{ "rsa-4096", F_RSA },
};

/*
 * Whether a key of this family must sign scheme s (1), must refuse it (0),
 * or may do either (-1): a TLS 1.3 ECDSA scheme names a curve, and an
 * ECDSA key on another curve is kept from it by GnuTLS's handshake, which
 * checks the certificate's curve, not by the key, so GnuTLS's own key
 * signs it when asked directly.
 */
static int
must_sign(enum family f, gnutls_sign_algorithm_t s)
{
	switch (s) {
	case GNUTLS_SIGN_RSA_SHA256:
	case GNUTLS_SIGN_RSA_SHA384:
	case GNUTLS_SIGN_RSA_SHA512:
	case GNUTLS_SIGN_RSA_PSS_RSAE_SHA256:
	case GNUTLS_SIGN_RSA_PSS_RSAE_SHA384:
	case GNUTLS_SIGN_RSA_PSS_RSAE_SHA512:
		return f == F_RSA;
	case GNUTLS_SIGN_ECDSA_SHA256:
	case GNUTLS_SIGN_ECDSA_SHA384:
	case GNUTLS_SIGN_ECDSA_SHA512:
		return f == F_P256 || f == F_P384;
	case GNUTLS_SIGN_ECDSA_SECP256R1_SHA256:
		return f == F_P256 ? 1 : f == F_P384 ? -1 : 0;
	case GNUTLS_SIGN_ECDSA_SECP384R1_SHA384:
		return f == F_P384 ? 1 : f == F_P256 ? -1 : 0;
	case GNUTLS_SIGN_ECDSA_SECP521R1_SHA512:
		return f == F_P256 || f == F_P384 ? -1 : 0;
	case GNUTLS_SIGN_EDDSA_ED25519:
		return f == F_ED25519;
	default:
		return 0;
	}
}

#ifdef CERTBIND_OPENSSL
static const EVP_MD *
md_of(gnutls_sign_algorithm_t s)
{
	if (s == GNUTLS_SIGN_EDDSA_ED25519)
		return NULL;	/* Ed25519 hashes inside: no digest given */
	switch (gnutls_sign_get_hash_algorithm(s)) {
	case GNUTLS_DIG_SHA256:
		return EVP_sha256();
	case GNUTLS_DIG_SHA384:
		return EVP_sha384();
	case GNUTLS_DIG_SHA512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

/* OpenSSL's verdict on sig over data, with the certificate's key. */
static int
openssl_verifies(gnutls_x509_crt_t crt, gnutls_sign_algorithm_t s,
    const gnutls_datum_t *data, const gnutls_datum_t *sig)
{
	gnutls_datum_t		 der;
	const unsigned char	*p;
	X509			*x;
	EVP_PKEY		*pub;
	EVP_MD_CTX		*m;
	EVP_PKEY_CTX		*pctx = NULL;
	int			 ok;

	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
	    &der), 0);
	p = der.data;
	assert_non_null(x = d2i_X509(NULL, &p, der.size));
	gnutls_free(der.data);
	assert_non_null(pub = X509_get_pubkey(x));
	assert_non_null(m = EVP_MD_CTX_new());
	ok = EVP_DigestVerifyInit(m, &pctx, md_of(s), NULL, pub) == 1;
	if (ok && gnutls_sign_get_pk_algorithm(s) == GNUTLS_PK_RSA_PSS)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_PSS_PADDING) == 1 &&
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
		    RSA_PSS_SALTLEN_DIGEST) == 1 &&
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md_of(s)) == 1;
	ok = ok && EVP_DigestVerify(m, sig->data, sig->size, data->data,
	    data->size) == 1;
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(pub);
	X509_free(x);
	return ok;
}
#endif

/* Makes a key of this type and a self-signed certificate for it. */
static void
make_pair(const char *type, const char *keyname, const char *certname)
{
	const char	*sans[] = { "fast.example.com" };
	struct subject	 subj = { "fast.example.com", NULL, sans, 1 };
	struct privkey	*k;
	struct cert	*c;
	char		*cause = NULL, *pem;
	size_t		 len;

	if (privkey_generate(key_type_parse(type), &k, &cause) != 0)
		fail_msg("privkey_generate %s: %s", type, cause);
	if (cert_selfsign(k, &subj, 30, &c, &cause) != 0)
		fail_msg("cert_selfsign %s: %s", type, cause);
	unlink(path(keyname));
	assert_int_equal(privkey_save(k, path(keyname), 0600, &cause), 0);
	assert_non_null(pem = cert_export_pem(c, &len));
	write_file(path(certname), pem, len);
	free(pem);
	cert_free(c);
	privkey_free(k);
}

static gnutls_x509_crt_t
leaf_of(const struct tlscred *tc)
{
	gnutls_x509_crt_t	 crt;
	gnutls_pcert_st		*pc;
	unsigned		 n;

	pc = tlscred_pcerts(tc, &n);
	assert_true(n >= 1);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &pc[0].cert,
	    GNUTLS_X509_FMT_DER), 0);
	return crt;
}

/* Every scheme through one signer, checked by both verifiers. */
static void
sign_all(const char *type, enum family f, unsigned flags, const char *want)
{
	unsigned char		 msg[] = "certbind's fast signer: the "
				    "handshake transcript stands here";
	gnutls_datum_t		 data = { msg, sizeof msg - 1 };
	gnutls_datum_t		 sig;
	gnutls_x509_crt_t	 crt;
	gnutls_pubkey_t		 pub;
	struct tlscred		*tc;
	char			*cause = NULL, *note = NULL;
	size_t			 i;
	int			 r, must, signed_n = 0;

	if (tlscred_load(path("k.key"), path("k.pem"), NULL, flags, &tc,
	    &note, &cause) != 0)
		fail_msg("tlscred_load %s: %s", type, cause);
	if (strcmp(tlscred_signer(tc), want) != 0)
		fail_msg("%s: signed by %s, want %s (%s)", type,
		    tlscred_signer(tc), want, note ? note : "no note");
	assert_null(note);
	crt = leaf_of(tc);
	assert_int_equal(gnutls_pubkey_init(&pub), 0);
	assert_int_equal(gnutls_pubkey_import_x509(pub, crt, 0), 0);

	for (i = 0; i < NSCHEMES; i++) {
		if ((must = must_sign(f, schemes[i])) == -1)
			continue;
		sig.data = NULL;
		r = gnutls_privkey_sign_data2(tlscred_privkey(tc), schemes[i],
		    0, &data, &sig);
		if (!must) {
			if (r == 0)
				fail_msg("%s (%s) signed %s, which it must "
				    "not", type, want,
				    gnutls_sign_get_name(schemes[i]));
			continue;
		}
		if (r != 0)
			fail_msg("%s (%s) cannot sign %s: %s", type, want,
			    gnutls_sign_get_name(schemes[i]),
			    gnutls_strerror(r));
		if (gnutls_pubkey_verify_data2(pub, schemes[i], 0, &data,
		    &sig) < 0)
			fail_msg("%s (%s): GnuTLS rejects the %s signature",
			    type, want, gnutls_sign_get_name(schemes[i]));
#ifdef CERTBIND_OPENSSL
		if (!openssl_verifies(crt, schemes[i], &data, &sig))
			fail_msg("%s (%s): OpenSSL rejects the %s signature",
			    type, want, gnutls_sign_get_name(schemes[i]));
#endif
		/* A signature over other data is refused: a real check. */
		data.data[0] ^= 1;
		assert_true(gnutls_pubkey_verify_data2(pub, schemes[i], 0,
		    &data, &sig) < 0);
		data.data[0] ^= 1;
		gnutls_free(sig.data);
		signed_n++;
	}
	assert_true(signed_n >= 1);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	tlscred_free(tc);
}

static void
test_every_key_type(void **state)
{
	size_t	i;

	for (i = 0; i < sizeof key_cases / sizeof key_cases[0]; i++) {
		make_pair(key_cases[i].type, "k.key", "k.pem");
		sign_all(key_cases[i].type, key_cases[i].family, 0, "gnutls");
		if (fastsign_engine() == NULL)
			continue;	/* make OPENSSL=no: GnuTLS's path only */
		sign_all(key_cases[i].type, key_cases[i].family,
		    TLSCRED_OPENSSL, "openssl");
	}
}

/*
 * A key OpenSSL's path does not take (Ed448, made here with GnuTLS) is
 * still loaded, signed by GnuTLS, with a note naming the key file.
 */
static void
test_fallback(void **state)
{
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 out;
	struct tlscred		*tc;
	char			*cause = NULL, *note = NULL;

	if (fastsign_engine() == NULL)
		skip();
	assert_int_equal(gnutls_x509_privkey_init(&key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(key,
	    GNUTLS_PK_EDDSA_ED448, 0, 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_set_key(crt, key), 0);
	assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(crt, "\x01", 1), 0);
	assert_int_equal(gnutls_x509_crt_set_dn(crt, "CN=ed448.example.com",
	    NULL), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(crt,
	    time(NULL) - 60), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(crt,
	    time(NULL) + 86400), 0);
	assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key,
	    GNUTLS_DIG_UNKNOWN, 0), 0);
	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM,
	    &out), 0);
	write_file(path("ed448.pem"), out.data, out.size);
	gnutls_free(out.data);
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(key,
	    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &out), 0);
	write_file(path("ed448.key"), out.data, out.size);
	chmod(path("ed448.key"), 0600);
	gnutls_memset(out.data, 0, out.size);
	gnutls_free(out.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);

	if (tlscred_load(path("ed448.key"), path("ed448.pem"), NULL,
	    TLSCRED_OPENSSL, &tc, &note, &cause) != 0)
		fail_msg("tlscred_load: %s", cause);
	assert_string_equal(tlscred_signer(tc), "gnutls");
	assert_non_null(note);
	assert_non_null(strstr(note, "ed448.key"));
	assert_non_null(strstr(note, "signed by GnuTLS, not OpenSSL"));
	free(note);
	tlscred_free(tc);
}

static int
setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/test_fastsign.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	return gnutls_global_init() < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	const char	*names[] = { "k.key", "k.pem", "ed448.key",
			    "ed448.pem" };
	size_t		 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(path(names[i]));
	rmdir(dir);
	gnutls_global_deinit();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_type),
		cmocka_unit_test(test_fallback),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
