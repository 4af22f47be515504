/*
 * signspeed: the crypto ceiling of the benchmark, signature operations
 * per CPU-second on one thread, for each engine certbindd may sign with.
 *
 *   signspeed KEYFILE [SECONDS]
 *
 * KEYFILE is a PEM private key (RSA or ECDSA, as tests/fixtures/mkcert.sh
 * makes them). For an RSA key: PKCS#1 v1.5 SHA-256 (the TLS 1.2 RSA
 * signature) and PSS SHA-256 with salt length = hash length (TLS 1.3's
 * rsa_pss_rsae_sha256); for an ECDSA key: ECDSA SHA-256. Each is timed
 * for SECONDS (1) of the thread's CPU time (CLOCK_THREAD_CPUTIME_ID, so
 * that the figure is per CPU-second, as the benchmark's handshakes are,
 * whatever else the machine runs) with
 *
 *   gnutls          gnutls_privkey_sign_hash2() on a key imported with
 *                   gnutls_privkey_import_x509_raw()
 *   openssl-reused  EVP_PKEY_sign() on one EVP_PKEY_CTX set up once
 *   openssl-fresh   a new EVP_PKEY_CTX for every signature (new, sign_init,
 *                   padding and digest, sign, free)
 *
 * and printed as "ENGINE ALGORITHM OPS-PER-CPU-SECOND", one line each.
 * The hash signed is a fixed SHA-256 value: the figure is the private-key
 * operation, as in a TLS handshake, where the transcript hash is already
 * made. Exit 1 when a key or an engine fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

static double	secs = 1.0;

/* The thread's CPU time, in seconds. */
static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The clock is read every 16 signatures: an RSA signature is ~0.2 ms. */
#define TIMED(n, t0, body)	do {					\
	(n) = 0;							\
	(t0) = now();							\
	do {								\
		int	i_;						\
		for (i_ = 0; i_ < 16; i_++) {				\
			body;						\
			(n)++;						\
		}							\
	} while (now() - (t0) < secs);					\
} while (0)

static int
gnutls_speed(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    const char *name, const unsigned char *hash)
{
	gnutls_datum_t	h = { (unsigned char *)hash, 32 }, sig;
	double		t0;
	long		n;
	int		r = 0;

	TIMED(n, t0, {
		if ((r = gnutls_privkey_sign_hash2(key, algo, 0, &h,
		    &sig)) < 0)
			goto fail;
		gnutls_free(sig.data);
	});
	printf("gnutls %s %.0f\n", name, n / (now() - t0));
	return 0;
fail:
	fprintf(stderr, "signspeed: gnutls %s: %s\n", name, gnutls_strerror(r));
	return -1;
}

/* Sets CTX up for one signature: PAD 0 for ECDSA. */
static int
ossl_setup(EVP_PKEY_CTX *ctx, int pad)
{
	if (EVP_PKEY_sign_init(ctx) <= 0)
		return -1;
	if (pad != 0 && EVP_PKEY_CTX_set_rsa_padding(ctx, pad) <= 0)
		return -1;
	if (pad == RSA_PKCS1_PSS_PADDING &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) <= 0)
		return -1;
	if (EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) <= 0)
		return -1;
	return 0;
}

static int
ossl_speed(EVP_PKEY *pk, int pad, const char *name, const unsigned char *hash)
{
	EVP_PKEY_CTX	*ctx;
	unsigned char	 sig[1024];
	size_t		 len;
	double		 t0;
	long		 n;

	if ((ctx = EVP_PKEY_CTX_new(pk, NULL)) == NULL ||
	    ossl_setup(ctx, pad) != 0)
		goto fail;
	TIMED(n, t0, {
		len = sizeof sig;
		if (EVP_PKEY_sign(ctx, sig, &len, hash, 32) <= 0)
			goto fail;
	});
	printf("openssl-reused %s %.0f\n", name, n / (now() - t0));
	EVP_PKEY_CTX_free(ctx);
	ctx = NULL;

	TIMED(n, t0, {
		if ((ctx = EVP_PKEY_CTX_new(pk, NULL)) == NULL ||
		    ossl_setup(ctx, pad) != 0)
			goto fail;
		len = sizeof sig;
		if (EVP_PKEY_sign(ctx, sig, &len, hash, 32) <= 0)
			goto fail;
		EVP_PKEY_CTX_free(ctx);
		ctx = NULL;
	});
	printf("openssl-fresh %s %.0f\n", name, n / (now() - t0));
	return 0;
fail:
	fprintf(stderr, "signspeed: openssl %s failed\n", name);
	EVP_PKEY_CTX_free(ctx);
	return -1;
}

int
main(int argc, char **argv)
{
	unsigned char		 hash[32];
	gnutls_datum_t		 pem;
	gnutls_privkey_t	 gkey;
	EVP_PKEY		*pk;
	FILE			*f;
	int			 bad = 0, r;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: signspeed KEYFILE [SECONDS]\n");
		return 2;
	}
	if (argc == 3 && (secs = atof(argv[2])) <= 0)
		secs = 1.0;
	/* Any fixed value: SHA-256 of "certbind". */
	gnutls_hash_fast(GNUTLS_DIG_SHA256, "certbind", 8, hash);

	if ((r = gnutls_load_file(argv[1], &pem)) < 0 ||
	    (r = gnutls_privkey_init(&gkey)) < 0 ||
	    (r = gnutls_privkey_import_x509_raw(gkey, &pem,
	    GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		fprintf(stderr, "signspeed: %s: %s\n", argv[1],
		    gnutls_strerror(r));
		return 1;
	}
	gnutls_free(pem.data);
	if ((f = fopen(argv[1], "r")) == NULL ||
	    (pk = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "signspeed: %s: OpenSSL cannot read it\n",
		    argv[1]);
		return 1;
	}
	fclose(f);

	switch (gnutls_privkey_get_pk_algorithm(gkey, NULL)) {
	case GNUTLS_PK_RSA:
		bad |= gnutls_speed(gkey, GNUTLS_SIGN_RSA_SHA256,
		    "rsa-pkcs1-sha256", hash);
		bad |= gnutls_speed(gkey, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256,
		    "rsa-pss-sha256", hash);
		bad |= ossl_speed(pk, RSA_PKCS1_PADDING, "rsa-pkcs1-sha256",
		    hash);
		bad |= ossl_speed(pk, RSA_PKCS1_PSS_PADDING, "rsa-pss-sha256",
		    hash);
		break;
	case GNUTLS_PK_ECDSA:
		bad |= gnutls_speed(gkey, GNUTLS_SIGN_ECDSA_SHA256,
		    "ecdsa-sha256", hash);
		bad |= ossl_speed(pk, 0, "ecdsa-sha256", hash);
		break;
	default:
		fprintf(stderr, "signspeed: %s: neither RSA nor ECDSA\n",
		    argv[1]);
		bad = 1;
	}
	gnutls_privkey_deinit(gkey);
	EVP_PKEY_free(pk);
	return bad ? 1 : 0;
}
