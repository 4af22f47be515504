/*
 * Private keys, and the TLS credentials certbindd serves them with. Key
 * material lives only in GnuTLS structures and in buffers that are wiped
 * before they are freed; the only way out as text is privkey_save(), into
 * a new file whose mode is set with fchmod.
 *
 * The key ID (SHA-256 of the public key info) is computed once at load so
 * that matching a key against certificates and requests is a compare.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/fastsign.h"
#include "keys/keyfile.h"
#include "keys/keyutil.h"
#include "keys/privkey.h"

struct privkey {
	gnutls_x509_privkey_t	 x509;
	char			*type;
	unsigned		 bits;
	unsigned char		 id[32];
	size_t			 idlen;
};

struct tlscred {
	gnutls_pcert_st		*pcerts;
	unsigned		 n;
	gnutls_privkey_t	 key;
	const char		*signer;	/* "openssl" or "gnutls" */
};

/*
 * The one table of key types: the names people type, what GnuTLS makes for
 * each, and the order they are offered in (the first is the default).
 */
static const struct key_type_info {
	const char	*name;
	enum key_type	 type;
	int		 pk;		/* gnutls_pk_algorithm_t */
	unsigned	 bits;		/* RSA: the size; else GnuTLS's curve */
	unsigned	 size;		/* the size GnuTLS reports for such a key */
} key_types[] = {
	{ "ecdsa-p256", KEY_ECDSA_P256, GNUTLS_PK_ECDSA,
	  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 256 },
	{ "ecdsa-p384", KEY_ECDSA_P384, GNUTLS_PK_ECDSA,
	  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), 384 },
	{ "ed25519", KEY_ED25519, GNUTLS_PK_EDDSA_ED25519,
	  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519), 256 },
	{ "rsa-2048", KEY_RSA_2048, GNUTLS_PK_RSA, 2048, 2048 },
	{ "rsa-3072", KEY_RSA_3072, GNUTLS_PK_RSA, 3072, 3072 },
	{ "rsa-4096", KEY_RSA_4096, GNUTLS_PK_RSA, 4096, 4096 },
};
#define NKEY_TYPES	(sizeof key_types / sizeof key_types[0])

/* Short names people type, beside the table's own. */
static const struct {
	const char	*name;
	enum key_type	 type;
} key_type_aliases[] = {
	{ "ecdsa", KEY_ECDSA_P256 },
	{ "rsa", KEY_RSA_2048 },
};

static const struct key_type_info *
key_type_info(enum key_type t)
{
	size_t	 i;

	for (i = 0; i < NKEY_TYPES; i++) {
		if (key_types[i].type == t)
			return &key_types[i];
	}
	return NULL;
}

int
key_type_parse(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return -1;
	for (i = 0; i < NKEY_TYPES; i++) {
		if (strcasecmp(s, key_types[i].name) == 0)
			return (int)key_types[i].type;
	}
	for (i = 0; i < sizeof key_type_aliases / sizeof key_type_aliases[0];
	    i++) {
		if (strcasecmp(s, key_type_aliases[i].name) == 0)
			return (int)key_type_aliases[i].type;
	}
	return -1;
}

const char *
key_type_name(enum key_type t)
{
	const struct key_type_info	*ki = key_type_info(t);

	return ki != NULL ? ki->name : "unknown";
}

size_t
key_type_count(void)
{
	return NKEY_TYPES;
}

const char *
key_type_nth(size_t i)
{
	return i < NKEY_TYPES ? key_types[i].name : NULL;
}

char *
key_type_list(void)
{
	char	*s = NULL, *n;
	size_t	 i;

	for (i = 0; i < NKEY_TYPES; i++) {
		if (s == NULL)
			n = xstrdup(key_types[i].name);
		else
			n = xasprintf("%s%s%s", s, i + 1 == NKEY_TYPES ?
			    " or " : ", ", key_types[i].name);
		free(s);
		s = n;
	}
	return s;
}

enum key_type
key_type_like(int pk, unsigned bits)
{
	size_t	 i;

	/*
	 * The same kind and size: RSA rounds up to the next size made
	 * here, and never down into a weak key.
	 */
	for (i = 0; i < NKEY_TYPES; i++) {
		if (key_types[i].pk != pk)
			continue;
		if (pk == GNUTLS_PK_RSA ? bits <= key_types[i].size :
		    bits == key_types[i].size)
			return key_types[i].type;
	}
	if (pk == GNUTLS_PK_RSA)
		return KEY_RSA_4096;
	return KEY_TYPE_DEFAULT;
}

/* Takes ownership of x509. Returns NULL if its public key cannot be read. */
static struct privkey *
privkey_wrap(gnutls_x509_privkey_t x509)
{
	struct privkey	*k;
	unsigned	 bits = 0;
	int		 pk;

	k = xcalloc(1, sizeof *k);
	k->x509 = x509;
	k->idlen = sizeof k->id;
	if (gnutls_x509_privkey_get_key_id(x509, GNUTLS_KEYID_USE_SHA256,
	    k->id, &k->idlen) < 0) {
		gnutls_x509_privkey_deinit(x509);
		free(k);
		return NULL;
	}
	pk = gnutls_x509_privkey_get_pk_algorithm2(x509, &bits);
	k->type = keyutil_pk_name(pk, bits);
	k->bits = bits;
	return k;
}

void
privkey_free(struct privkey *k)
{
	if (k == NULL)
		return;
	/* GnuTLS clears the key parameters as it releases them. */
	gnutls_x509_privkey_deinit(k->x509);
	free(k->type);
	free(k);
}

int
privkey_is_encrypted(const void *data, size_t len)
{
	return keyutil_looks_like_pem(data, len) &&
	    (memmem(data, len, "-----BEGIN ENCRYPTED PRIVATE KEY", 32) != NULL ||
	    memmem(data, len, "Proc-Type: 4,ENCRYPTED", 22) != NULL);
}

/*
 * Whether OpenSSL's traditional encrypted PEM holds whole cipher blocks.
 * GnuTLS (3.7.9, and upstream as of this writing) decrypts it in
 * gnutls_x509_privkey_import_openssl() without checking that, and
 * nettle's CBC code then aborts the process on an assertion: a damaged
 * or hostile key file would kill certbind or certbindd, even one without
 * a Proc-Type line loaded as an unencrypted key. The
 * ciphertext is found the way that function finds it (after "PRIVATE
 * KEY---", "DEK-Info: CIPHER," and the hex IV, then line ends) and
 * decoded with GnuTLS's base64; anything it would refuse itself passes,
 * so the import reports GnuTLS's own error. tests/fuzz/crashes/cert
 * keeps the files that showed it.
 */
static int
legacy_pem_whole_blocks(const void *data, size_t len)
{
	static const struct {
		const char			*name;
		gnutls_cipher_algorithm_t	 cipher;
	} ciphers[] = {
		{ "DES-CBC", GNUTLS_CIPHER_DES_CBC },
		{ "DES-EDE3-CBC", GNUTLS_CIPHER_3DES_CBC },
		{ "AES-128-CBC", GNUTLS_CIPHER_AES_128_CBC },
		{ "AES-192-CBC", GNUTLS_CIPHER_AES_192_CBC },
		{ "AES-256-CBC", GNUTLS_CIPHER_AES_256_CBC },
		{ "CAMELLIA-128-CBC", GNUTLS_CIPHER_CAMELLIA_128_CBC },
		{ "CAMELLIA-192-CBC", GNUTLS_CIPHER_CAMELLIA_192_CBC },
		{ "CAMELLIA-256-CBC", GNUTLS_CIPHER_CAMELLIA_256_CBC },
	};
	const char	*p, *end = (const char *)data + len;
	gnutls_datum_t	 b64, raw;
	size_t		 i, l, iv;
	unsigned	 block;
	int		 ok;

	if ((p = memmem(data, len, "PRIVATE KEY---", 14)) == NULL ||
	    (p = memmem(p, (size_t)(end - p), "DEK-Info: ", 10)) == NULL)
		return 1;
	p += 10;
	for (i = 0; i < sizeof ciphers / sizeof ciphers[0]; i++) {
		l = strlen(ciphers[i].name);
		if ((size_t)(end - p) > l &&
		    strncmp(p, ciphers[i].name, l) == 0 && p[l] == ',')
			break;
	}
	if (i == sizeof ciphers / sizeof ciphers[0])
		return 1;
	p += l + 1;
	iv = gnutls_cipher_get_iv_size(ciphers[i].cipher);
	block = gnutls_cipher_get_block_size(ciphers[i].cipher);
	if ((size_t)(end - p) < 2 * iv || block == 0)
		return 1;
	p += 2 * iv;
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	b64.data = (unsigned char *)p;
	b64.size = (unsigned)(end - p);
	if (gnutls_base64_decode2(&b64, &raw) < 0)
		return 1;
	ok = raw.size % block == 0;
	gnutls_memset(raw.data, 0, raw.size);
	gnutls_free(raw.data);
	return ok;
}

/*
 * gnutls_x509_privkey_import2 into a new privkey: import2 tries PKCS#8,
 * PKCS#1 and SEC1 in the given format, and with a password, encrypted
 * PKCS#8 (PBES2 or PBES1) and OpenSSL's traditional encrypted PEM.
 * Returns 0 or a GnuTLS error code.
 */
static int
import_key(const void *data, size_t len, gnutls_x509_crt_fmt_t fmt,
    const char *password, unsigned flags, struct privkey **out)
{
	gnutls_x509_privkey_t	 x509;
	gnutls_datum_t		 d;
	int			 r;

	/* With or without a password: import2 tries it whenever it sees one. */
	if (!legacy_pem_whole_blocks(data, len))
		return GNUTLS_E_PARSING_ERROR;
	if ((r = gnutls_x509_privkey_init(&x509)) < 0)
		return r;
	d.data = (unsigned char *)data;
	d.size = (unsigned)len;
	if ((r = gnutls_x509_privkey_import2(x509, &d, fmt, password,
	    flags)) < 0) {
		gnutls_x509_privkey_deinit(x509);
		return r;
	}
	if ((*out = privkey_wrap(x509)) == NULL)
		return GNUTLS_E_INVALID_REQUEST;
	return 0;
}

int
privkey_decrypt_mem(const void *data, size_t len, const char *name,
    const char *password, struct privkey **out, char **cause)
{
	int	r;

	*out = NULL;
	if (!privkey_is_encrypted(data, len))
		return privkey_load_mem(data, len, name, out, cause);
	if (len > UINT32_MAX) {
		*cause = keyutil_cause(name, "too large for a key");
		return -1;
	}
	if ((r = import_key(data, len, GNUTLS_X509_FMT_PEM, password, 0,
	    out)) == 0)
		return 0;
	if (r == GNUTLS_E_DECRYPTION_FAILED)
		*cause = keyutil_cause(name, "wrong password for the encrypted "
		    "private key");
	else
		*cause = keyutil_cause(name, "cannot decrypt the private key: "
		    "%s", gnutls_strerror(r));
	return -1;
}

int
privkey_load_mem(const void *data, size_t len, const char *name,
    struct privkey **out, char **cause)
{
	int	r, pem;

	*out = NULL;
	if (len > UINT32_MAX) {
		if (cause != NULL)
			*cause = keyutil_cause(name, "too large for a key");
		return -1;
	}
	pem = keyutil_looks_like_pem(data, len);
	if (privkey_is_encrypted(data, len)) {
		if (cause != NULL)
			*cause = keyutil_cause(name, "the private key is encrypted "
			    "with a password; certbindd needs it unencrypted "
			    "(certtool -k --infile FILE --outfile NEW, or "
			    "openssl pkey -in FILE -out NEW), kept with mode "
			    "0600");
		return -1;
	}
	/* A certificate given for the key is the common mix-up: say so. */
	if (pem && memmem(data, len, "PRIVATE KEY-----", 16) == NULL) {
		if (cause != NULL)
			*cause = keyutil_cause(name, "no private key in the "
			    "file%s",
			    memmem(data, len, "CERTIFICATE", 11) != NULL ?
			    " (it holds a certificate or request; the key is "
			    "the file that was made with it)" : "");
		return -1;
	}
	if ((r = import_key(data, len, pem ? GNUTLS_X509_FMT_PEM :
	    GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN, out)) == 0)
		return 0;
	if (cause != NULL)
		*cause = keyutil_cause(name, "not a private key (PKCS#8, PKCS#1 or "
		    "SEC1, PEM or DER): %s", gnutls_strerror(r));
	return -1;
}

int
privkey_load(const char *path, struct privkey **out, struct stat *st,
    char **cause)
{
	char	*data;
	size_t	 len;
	int	 r;

	*out = NULL;
	if (fileio_read(path, FILEIO_MAX_CERT, FILEIO_NOFOLLOW, &data, &len,
	    st, cause) == -1)
		return -1;
	r = privkey_load_mem(data, len, path, out, cause);
	freezero(data, len + 1);
	return r;
}

int
privkey_generate(enum key_type type, struct privkey **out, char **cause)
{
	const struct key_type_info *ki;
	gnutls_x509_privkey_t	 x509;
	gnutls_pk_algorithm_t	 pk;
	unsigned		 bits;
	int			 r;

	*out = NULL;
	if ((ki = key_type_info(type)) == NULL) {
		if (cause != NULL)
			*cause = xasprintf("unknown key type %d", (int)type);
		return -1;
	}
	pk = ki->pk;
	bits = ki->bits;
	if ((r = gnutls_x509_privkey_init(&x509)) < 0)
		goto fail;
	if ((r = gnutls_x509_privkey_generate2(x509, pk, bits, 0, NULL,
	    0)) < 0) {
		gnutls_x509_privkey_deinit(x509);
		goto fail;
	}
	if ((*out = privkey_wrap(x509)) == NULL) {
		r = GNUTLS_E_INTERNAL_ERROR;
		goto fail;
	}
	return 0;

fail:
	if (cause != NULL)
		*cause = xasprintf("generating a %s key failed: %s",
		    key_type_name(type), gnutls_strerror(r));
	return -1;
}

int
privkey_matches_cert(const struct privkey *k, const struct cert *c)
{
	unsigned char	 id[64];
	size_t		 idlen = sizeof id;
	gnutls_x509_crt_t leaf;

	if (k == NULL || c == NULL || (leaf = cert_crt(c, 0)) == NULL)
		return 0;
	if (gnutls_x509_crt_get_key_id(leaf, GNUTLS_KEYID_USE_SHA256, id,
	    &idlen) < 0)
		return 0;
	return idlen == k->idlen && memcmp(id, k->id, idlen) == 0;
}

int
privkey_matches_pubkey(const struct privkey *k, gnutls_pubkey_t pub)
{
	unsigned char	 id[64];
	size_t		 idlen = sizeof id;

	if (k == NULL || pub == NULL)
		return 0;
	if (gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, id,
	    &idlen) < 0)
		return 0;
	return idlen == k->idlen && memcmp(id, k->id, idlen) == 0;
}

const char *
privkey_type(const struct privkey *k)
{
	return k->type;
}

unsigned
privkey_bits(const struct privkey *k)
{
	return k->bits;
}

gnutls_x509_privkey_t
privkey_x509(const struct privkey *k)
{
	return k->x509;
}

int
privkey_save(const struct privkey *k, const char *path, mode_t mode,
    char **cause)
{
	gnutls_datum_t	 d = { NULL, 0 };
	int		 r;

	r = gnutls_x509_privkey_export2_pkcs8(k->x509, GNUTLS_X509_FMT_PEM,
	    NULL, GNUTLS_PKCS_PLAIN, &d);
	if (r < 0) {
		if (cause != NULL)
			*cause = keyutil_cause(path, "cannot encode the key: %s",
			    gnutls_strerror(r));
		return -1;
	}
	r = fileio_write_new(path, d.data, d.size, mode, cause);
	gnutls_memset(d.data, 0, d.size);
	gnutls_free(d.data);
	return r;
}

void
tlscred_free(struct tlscred *tc)
{
	unsigned	 i;

	if (tc == NULL)
		return;
	for (i = 0; i < tc->n; i++)
		gnutls_pcert_deinit(&tc->pcerts[i]);
	free(tc->pcerts);
	/* Releases the x509 key it was imported from, wiping it. */
	if (tc->key != NULL)
		gnutls_privkey_deinit(tc->key);
	free(tc);
}

/*
 * Gives tc a key that signs with OpenSSL (fastsign.h). Returns 1, or 0 when
 * OpenSSL cannot take the key, with *note saying so: GnuTLS signs then.
 */
static int
tlscred_fast(struct tlscred *tc, const struct privkey *k,
    const char *key_path, char **note)
{
	char	*why;

	if (fastsign_import(k->x509, &tc->key, &why) == 0) {
		tc->signer = "openssl";
		return 1;
	}
	if (note != NULL)
		*note = keyutil_cause(key_path, "signed by GnuTLS, not "
		    "OpenSSL: %s", why != NULL ? why : "no reason given");
	free(why);
	return 0;
}

int
tlscred_load(const char *key_path, const char *cert_path,
    const struct keyfile_ids *ids, unsigned flags, struct tlscred **out,
    char **note, char **cause)
{
	struct tlscred	*tc;
	struct privkey	*k = NULL;
	struct cert	*c = NULL;
	struct stat	 st;
	size_t		 i, n;
	int		 r;

	*out = NULL;
	if (privkey_load(key_path, &k, &st, cause) == -1)
		return -1;
	if (ids != NULL && keyfile_policy(key_path, &st, ids, cause) == -1) {
		privkey_free(k);
		return -1;
	}
	if (cert_load(cert_path, &c, cause) == -1) {
		privkey_free(k);
		return -1;
	}
	if (!privkey_matches_cert(k, c)) {
		if (cause != NULL) {
			char *e = escape_str(cert_path, 0);

			*cause = keyutil_cause(key_path, "not the key of %s: the "
			    "certificate was issued for another key", e);
			free(e);
		}
		privkey_free(k);
		cert_free(c);
		return -1;
	}

	tc = xcalloc(1, sizeof *tc);
	n = cert_chain_len(c);
	tc->pcerts = xcalloc(n, sizeof *tc->pcerts);
	for (i = 0; i < n; i++) {
		r = gnutls_pcert_import_x509(&tc->pcerts[i], cert_crt(c, i), 0);
		if (r < 0)
			goto fail;
		tc->n++;
	}
	cert_free(c);
	c = NULL;

	if ((flags & TLSCRED_OPENSSL) && tlscred_fast(tc, k, key_path, note)) {
		/* OpenSSL holds its own copy; GnuTLS's is wiped here. */
		privkey_free(k);
		*out = tc;
		return 0;
	}
	if ((r = gnutls_privkey_init(&tc->key)) < 0)
		goto fail;
	r = gnutls_privkey_import_x509(tc->key, k->x509,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
	if (r < 0)
		goto fail;
	tc->signer = "gnutls";
	/* The abstract key owns the x509 key now. */
	k->x509 = NULL;
	free(k->type);
	free(k);
	*out = tc;
	return 0;

fail:
	if (cause != NULL)
		*cause = keyutil_cause(cert_path, "cannot make TLS credentials: "
		    "%s", gnutls_strerror(r));
	cert_free(c);
	privkey_free(k);
	tlscred_free(tc);
	return -1;
}

gnutls_pcert_st *
tlscred_pcerts(const struct tlscred *tc, unsigned *n)
{
	if (n != NULL)
		*n = tc->n;
	return tc->pcerts;
}

gnutls_privkey_t
tlscred_privkey(const struct tlscred *tc)
{
	return tc->key;
}

const char *
tlscred_signer(const struct tlscred *tc)
{
	return tc->signer;
}
