/*
 * The fast signer (fastsign.h): a GnuTLS abstract key whose private-key
 * operation is OpenSSL's.
 *
 * GnuTLS hashes what it signs and hands the callback the digest
 * (privkey_sign_raw_data() in GnuTLS's lib/privkey.c): for RSA PKCS#1 v1.5
 * the DigestInfo, signed as GNUTLS_SIGN_RSA_RAW; for RSA-PSS and ECDSA the
 * bare digest, with the signature algorithm that says the hash. Ed25519
 * signs the message itself, through the data callback. So the callbacks
 * map a GnuTLS signature algorithm to OpenSSL's padding, digest and salt,
 * and nothing else: the TLS signature scheme is still chosen by GnuTLS,
 * which asks fs_info() what this key can do.
 *
 * An EVP_PKEY_CTX costs OpenSSL 3 a provider lookup to set up, a tenth of
 * an ECDSA signature, so each key keeps a few initialised contexts per
 * signature algorithm and the workers borrow them under a mutex (a context
 * is one thread's at a time; the EVP_PKEY under it is shared read-only).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/fastsign.h"

#ifdef CERTBIND_OPENSSL

#include <pthread.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "util/xmalloc.h"

/* Idle contexts kept per key: a few per worker thread is plenty. */
#define FS_IDLE	16

struct fs_idle {
	EVP_PKEY_CTX		*ctx;
	gnutls_sign_algorithm_t	 algo;
};

struct fastkey {
	EVP_PKEY		*pkey;
	gnutls_pk_algorithm_t	 pk;
	gnutls_ecc_curve_t	 curve;		/* ECDSA keys */
	int			 bits;
	size_t			 maxsig;

	pthread_mutex_t		 lock;
	struct fs_idle		 idle[FS_IDLE];
	unsigned		 nidle;
};

const char *
fastsign_engine(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

static char *
fs_why(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
fs_why(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	return s;
}

/* What OpenSSL said last, for a message; the error queue is left empty. */
static const char *
fs_openssl_error(char *buf, size_t len)
{
	unsigned long	e = ERR_get_error();

	if (e == 0)
		snprintf(buf, len, "no reason given");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

static const EVP_MD *
fs_md(gnutls_digest_algorithm_t h)
{
	switch (h) {
	case GNUTLS_DIG_SHA1:
		return EVP_sha1();
	case GNUTLS_DIG_SHA224:
		return EVP_sha224();
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

/* The curve a TLS 1.3 ECDSA scheme names, or INVALID for TLS 1.2's. */
static gnutls_ecc_curve_t
fs_sign_curve(gnutls_sign_algorithm_t s)
{
	switch (s) {
	case GNUTLS_SIGN_ECDSA_SECP256R1_SHA256:
		return GNUTLS_ECC_CURVE_SECP256R1;
	case GNUTLS_SIGN_ECDSA_SECP384R1_SHA384:
		return GNUTLS_ECC_CURVE_SECP384R1;
	case GNUTLS_SIGN_ECDSA_SECP521R1_SHA512:
		return GNUTLS_ECC_CURVE_SECP521R1;
	default:
		return GNUTLS_ECC_CURVE_INVALID;
	}
}

/* Whether this key signs with algorithm s here. */
static int
fs_can_sign(const struct fastkey *fk, gnutls_sign_algorithm_t s)
{
	gnutls_ecc_curve_t	c;

	if (s == GNUTLS_SIGN_RSA_RAW)
		return fk->pk == GNUTLS_PK_RSA;
	if (!gnutls_sign_supports_pk_algorithm(s, fk->pk))
		return 0;
	if (fk->pk == GNUTLS_PK_EDDSA_ED25519)
		return s == GNUTLS_SIGN_EDDSA_ED25519;
	if (fs_md(gnutls_sign_get_hash_algorithm(s)) == NULL)
		return 0;
	if (fk->pk == GNUTLS_PK_ECDSA &&
	    (c = fs_sign_curve(s)) != GNUTLS_ECC_CURVE_INVALID)
		return c == fk->curve;
	return 1;
}

static int
fs_info(gnutls_privkey_t key, unsigned int flags, void *userdata)
{
	struct fastkey	*fk = userdata;

	if (flags & GNUTLS_PRIVKEY_INFO_HAVE_SIGN_ALGO)
		return fs_can_sign(fk, GNUTLS_FLAGS_TO_SIGN_ALGO(flags));
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO)
		return fk->pk;
	if (flags & GNUTLS_PRIVKEY_INFO_PK_ALGO_BITS)
		return fk->bits;
	return -1;
}

/* A context ready to sign with algorithm algo, or NULL. */
static EVP_PKEY_CTX *
fs_ctx_new(struct fastkey *fk, gnutls_sign_algorithm_t algo)
{
	EVP_PKEY_CTX	*ctx;
	const EVP_MD	*md = NULL;
	int		 ok;

	if (algo != GNUTLS_SIGN_RSA_RAW &&
	    (md = fs_md(gnutls_sign_get_hash_algorithm(algo))) == NULL)
		return NULL;
	if ((ctx = EVP_PKEY_CTX_new(fk->pkey, NULL)) == NULL)
		return NULL;
	ok = EVP_PKEY_sign_init(ctx) > 0;
	if (ok && algo == GNUTLS_SIGN_RSA_RAW) {
		/* The DigestInfo is signed as it is: PKCS#1 v1.5 type 1. */
		ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0;
	} else if (ok && gnutls_sign_get_pk_algorithm(algo) ==
	    GNUTLS_PK_RSA_PSS) {
		/* TLS's RSA-PSS: MGF1 with the same hash, salt = hash. */
		ok = EVP_PKEY_CTX_set_rsa_padding(ctx,
		    RSA_PKCS1_PSS_PADDING) > 0 &&
		    EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
		    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0 &&
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx,
		    RSA_PSS_SALTLEN_DIGEST) > 0;
	} else if (ok) {
		/* ECDSA, or PKCS#1 v1.5 with the DigestInfo left to us. */
		if (fk->pk == GNUTLS_PK_RSA)
			ok = EVP_PKEY_CTX_set_rsa_padding(ctx,
			    RSA_PKCS1_PADDING) > 0;
		ok = ok && EVP_PKEY_CTX_set_signature_md(ctx, md) > 0;
	}
	if (!ok) {
		EVP_PKEY_CTX_free(ctx);
		ERR_clear_error();
		return NULL;
	}
	return ctx;
}

static EVP_PKEY_CTX *
fs_ctx_get(struct fastkey *fk, gnutls_sign_algorithm_t algo)
{
	EVP_PKEY_CTX	*ctx = NULL;
	unsigned	 i;

	pthread_mutex_lock(&fk->lock);
	for (i = 0; i < fk->nidle; i++) {
		if (fk->idle[i].algo == algo) {
			ctx = fk->idle[i].ctx;
			fk->idle[i] = fk->idle[--fk->nidle];
			break;
		}
	}
	pthread_mutex_unlock(&fk->lock);
	return ctx != NULL ? ctx : fs_ctx_new(fk, algo);
}

static void
fs_ctx_put(struct fastkey *fk, gnutls_sign_algorithm_t algo,
    EVP_PKEY_CTX *ctx)
{
	pthread_mutex_lock(&fk->lock);
	if (fk->nidle < FS_IDLE) {
		fk->idle[fk->nidle].ctx = ctx;
		fk->idle[fk->nidle].algo = algo;
		fk->nidle++;
		ctx = NULL;
	}
	pthread_mutex_unlock(&fk->lock);
	EVP_PKEY_CTX_free(ctx);
}

static int
fs_sign_hash(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned int flags, const gnutls_datum_t *hash,
    gnutls_datum_t *sig)
{
	struct fastkey	*fk = userdata;
	EVP_PKEY_CTX	*ctx;
	unsigned char	*p;
	size_t		 len = fk->maxsig;

	if (!fs_can_sign(fk, algo) || fk->pk == GNUTLS_PK_EDDSA_ED25519)
		return GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM;
	if ((ctx = fs_ctx_get(fk, algo)) == NULL)
		return GNUTLS_E_PK_SIGN_FAILED;
	if ((p = gnutls_malloc(len)) == NULL) {
		fs_ctx_put(fk, algo, ctx);
		return GNUTLS_E_MEMORY_ERROR;
	}
	if (EVP_PKEY_sign(ctx, p, &len, hash->data, hash->size) <= 0) {
		/* A context that failed is not lent again. */
		EVP_PKEY_CTX_free(ctx);
		ERR_clear_error();
		gnutls_free(p);
		return GNUTLS_E_PK_SIGN_FAILED;
	}
	fs_ctx_put(fk, algo, ctx);
	sig->data = p;
	sig->size = (unsigned)len;
	return 0;
}

/* Ed25519 signs the message, not a digest of it. */
static int
fs_sign_data(gnutls_privkey_t key, gnutls_sign_algorithm_t algo,
    void *userdata, unsigned int flags, const gnutls_datum_t *data,
    gnutls_datum_t *sig)
{
	struct fastkey	*fk = userdata;
	EVP_MD_CTX	*m;
	unsigned char	*p = NULL;
	size_t		 len = fk->maxsig;
	int		 ok;

	if (algo != GNUTLS_SIGN_EDDSA_ED25519 ||
	    fk->pk != GNUTLS_PK_EDDSA_ED25519)
		return GNUTLS_E_UNSUPPORTED_SIGNATURE_ALGORITHM;
	if ((m = EVP_MD_CTX_new()) == NULL)
		return GNUTLS_E_MEMORY_ERROR;
	ok = (p = gnutls_malloc(len)) != NULL &&
	    EVP_DigestSignInit(m, NULL, NULL, NULL, fk->pkey) > 0 &&
	    EVP_DigestSign(m, p, &len, data->data, data->size) > 0;
	EVP_MD_CTX_free(m);
	if (!ok) {
		ERR_clear_error();
		gnutls_free(p);
		return GNUTLS_E_PK_SIGN_FAILED;
	}
	sig->data = p;
	sig->size = (unsigned)len;
	return 0;
}

/* Called by gnutls_privkey_deinit(); OpenSSL clears the key as it frees it. */
static void
fs_deinit(gnutls_privkey_t key, void *userdata)
{
	struct fastkey	*fk = userdata;
	unsigned	 i;

	for (i = 0; i < fk->nidle; i++)
		EVP_PKEY_CTX_free(fk->idle[i].ctx);
	EVP_PKEY_free(fk->pkey);
	pthread_mutex_destroy(&fk->lock);
	free(fk);
}

/* The key as OpenSSL's, through a DER PKCS#8 buffer wiped after use. */
static EVP_PKEY *
fs_pkey(gnutls_x509_privkey_t x509, char **why)
{
	gnutls_datum_t		 der = { NULL, 0 };
	PKCS8_PRIV_KEY_INFO	*p8 = NULL;
	EVP_PKEY		*pkey = NULL;
	const unsigned char	*p;
	char			 buf[256];
	int			 r;

	r = gnutls_x509_privkey_export2_pkcs8(x509, GNUTLS_X509_FMT_DER, NULL,
	    GNUTLS_PKCS_PLAIN, &der);
	if (r < 0) {
		*why = fs_why("GnuTLS cannot hand the key over: %s",
		    gnutls_strerror(r));
		return NULL;
	}
	p = der.data;
	if ((p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, der.size)) != NULL)
		pkey = EVP_PKCS82PKEY(p8);
	/* Frees clear the key: PKCS8_PRIV_KEY_INFO's callback cleanses it. */
	PKCS8_PRIV_KEY_INFO_free(p8);
	gnutls_memset(der.data, 0, der.size);
	gnutls_free(der.data);
	if (pkey == NULL)
		*why = fs_why("OpenSSL cannot read the key: %s",
		    fs_openssl_error(buf, sizeof buf));
	return pkey;
}

/* Which curve an OpenSSL EC key is on, as GnuTLS names it. */
static gnutls_ecc_curve_t
fs_curve(EVP_PKEY *pkey)
{
	char	name[64];
	size_t	len;

	if (EVP_PKEY_get_group_name(pkey, name, sizeof name, &len) != 1) {
		ERR_clear_error();
		return GNUTLS_ECC_CURVE_INVALID;
	}
	if (strcmp(name, "prime256v1") == 0 || strcmp(name, "P-256") == 0)
		return GNUTLS_ECC_CURVE_SECP256R1;
	if (strcmp(name, "secp384r1") == 0 || strcmp(name, "P-384") == 0)
		return GNUTLS_ECC_CURVE_SECP384R1;
	if (strcmp(name, "secp521r1") == 0 || strcmp(name, "P-521") == 0)
		return GNUTLS_ECC_CURVE_SECP521R1;
	return GNUTLS_ECC_CURVE_INVALID;
}

int
fastsign_import(gnutls_x509_privkey_t x509, gnutls_privkey_t *out,
    char **why)
{
	struct fastkey		*fk;
	gnutls_privkey_t	 key;
	gnutls_pk_algorithm_t	 pk;
	EVP_PKEY		*pkey;
	int			 r;

	*out = NULL;
	*why = NULL;
	pk = gnutls_x509_privkey_get_pk_algorithm(x509);
	if (pk != GNUTLS_PK_RSA && pk != GNUTLS_PK_ECDSA &&
	    pk != GNUTLS_PK_EDDSA_ED25519) {
		*why = fs_why("OpenSSL signs RSA, ECDSA and Ed25519 keys here, "
		    "and this is a %s key", gnutls_pk_get_name(pk) != NULL ?
		    gnutls_pk_get_name(pk) : "unknown");
		return -1;
	}
	if ((pkey = fs_pkey(x509, why)) == NULL)
		return -1;

	fk = xcalloc(1, sizeof *fk);
	fk->pkey = pkey;
	fk->pk = pk;
	fk->bits = EVP_PKEY_get_bits(pkey);
	fk->maxsig = (size_t)EVP_PKEY_get_size(pkey);
	if (pk == GNUTLS_PK_ECDSA &&
	    (fk->curve = fs_curve(pkey)) == GNUTLS_ECC_CURVE_INVALID) {
		*why = fs_why("OpenSSL's curve for this key has no GnuTLS name");
		EVP_PKEY_free(pkey);
		free(fk);
		return -1;
	}
	pthread_mutex_init(&fk->lock, NULL);

	if ((r = gnutls_privkey_init(&key)) < 0) {
		*why = fs_why("%s", gnutls_strerror(r));
		fs_deinit(NULL, fk);
		return -1;
	}
	r = gnutls_privkey_import_ext4(key, fk,
	    pk == GNUTLS_PK_EDDSA_ED25519 ? fs_sign_data : NULL,
	    pk == GNUTLS_PK_EDDSA_ED25519 ? NULL : fs_sign_hash,
	    NULL, fs_deinit, fs_info, 0);
	if (r < 0) {
		*why = fs_why("GnuTLS refused the callbacks: %s",
		    gnutls_strerror(r));
		gnutls_privkey_deinit(key);
		fs_deinit(NULL, fk);
		return -1;
	}
	*out = key;
	return 0;
}

#else /* !CERTBIND_OPENSSL */

const char *
fastsign_engine(void)
{
	return NULL;
}

int
fastsign_import(gnutls_x509_privkey_t x509, gnutls_privkey_t *out,
    char **why)
{
	*out = NULL;
	*why = strdup("this certbindd was built without OpenSSL "
	    "(make OPENSSL=no)");
	return -1;
}

#endif
