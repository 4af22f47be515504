/*
 * keys/: certificates, keys, requests, chains, PKCS#12, TLS credentials.
 *
 * Every fixture is made here with the GnuTLS API directly (a root CA, an
 * intermediate, leaves signed by it), not with the code under test, and
 * every expectation comes from what the test itself put into a certificate
 * or from a GnuTLS call other than the one keys/ uses: the fingerprint is
 * gnutls_x509_crt_get_fingerprint() where cert.c hashes an export, the
 * names are the ones the test set, the dates are fixed numbers.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"

/* 2030-01-01 00:00:00 UTC, worked out by hand: 60 years of days. */
#define T2030	((time_t)1893456000)

static char		 dir[64];
static struct privkey	*root_key, *int_key, *leaf_key, *other_key;
static gnutls_x509_crt_t root_crt, int_crt, leaf_crt;
static unsigned		 serial_no = 1;
/* Subject and authority key IDs, as every CA puts them; 0 for none. */
static int		 with_key_ids = 1;

static const char	*leaf_sans[] = {
	"www.example.com", "*.example.org", "127.0.0.2", "2001:db8::5"
};

static char *
path(const char *name)
{
	static char	 buf[4][64 + 256 + 2];
	static int	 i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

static void
write_file(const char *p, const void *data, size_t len)
{
	FILE	*f;

	unlink(p);
	if ((f = fopen(p, "wb")) == NULL)
		fail_msg("%s: %s", p, strerror(errno));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Writes the certificates, each as PEM, one after the other. */
static void
write_pem(const char *p, gnutls_x509_crt_t *crts, size_t n)
{
	gnutls_datum_t	 d;
	char		*buf = NULL;
	size_t		 len = 0, i;

	for (i = 0; i < n; i++) {
		assert_int_equal(gnutls_x509_crt_export2(crts[i],
		    GNUTLS_X509_FMT_PEM, &d), 0);
		buf = realloc(buf, len + d.size);
		assert_non_null(buf);
		memcpy(buf + len, d.data, d.size);
		len += d.size;
		gnutls_free(d.data);
	}
	write_file(p, buf, len);
	free(buf);
}

static struct privkey *
genkey(enum key_type t)
{
	struct privkey	*k = NULL;
	char		*cause = NULL;

	if (privkey_generate(t, &k, &cause) != 0)
		fail_msg("privkey_generate: %s", cause);
	return k;
}

/*
 * A certificate for key, signed by issuer (NULL: itself), built field by
 * field with GnuTLS. SAN strings that parse as addresses become iPAddress
 * names.
 */
static gnutls_x509_crt_t
make_crt(struct privkey *key, const char *cn, int ca, gnutls_x509_crt_t issuer,
    struct privkey *issuer_key, time_t nb, time_t na, const char **sans,
    size_t nsans, gnutls_digest_algorithm_t dig)
{
	gnutls_x509_crt_t	 crt;
	gnutls_privkey_t	 pk;
	unsigned char		 serial[4], ip[16];
	size_t			 i;

	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
	serial[0] = 0x10;
	serial[1] = (unsigned char)(serial_no >> 16);
	serial[2] = (unsigned char)(serial_no >> 8);
	serial[3] = (unsigned char)serial_no;
	serial_no++;
	assert_int_equal(gnutls_x509_crt_set_serial(crt, serial, 4), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(crt, nb), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(crt, na), 0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)), 0);
	assert_int_equal(gnutls_x509_crt_set_key(crt, privkey_x509(key)), 0);
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(crt, ca, -1),
	    0);
	assert_int_equal(gnutls_x509_crt_set_key_usage(crt, ca ?
	    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN :
	    GNUTLS_KEY_DIGITAL_SIGNATURE), 0);
	for (i = 0; i < nsans; i++) {
		if (inet_pton(AF_INET, sans[i], ip) == 1)
			assert_int_equal(gnutls_x509_crt_set_subject_alt_name(
			    crt, GNUTLS_SAN_IPADDRESS, ip, 4,
			    GNUTLS_FSAN_APPEND), 0);
		else if (inet_pton(AF_INET6, sans[i], ip) == 1)
			assert_int_equal(gnutls_x509_crt_set_subject_alt_name(
			    crt, GNUTLS_SAN_IPADDRESS, ip, 16,
			    GNUTLS_FSAN_APPEND), 0);
		else
			assert_int_equal(gnutls_x509_crt_set_subject_alt_name(
			    crt, GNUTLS_SAN_DNSNAME, sans[i], strlen(sans[i]),
			    GNUTLS_FSAN_APPEND), 0);
	}
	if (with_key_ids) {
		unsigned char	 id[64];
		size_t		 idlen = sizeof id;
		unsigned	 critical;

		assert_int_equal(gnutls_x509_crt_get_key_id(crt,
		    GNUTLS_KEYID_USE_SHA1, id, &idlen), 0);
		assert_int_equal(gnutls_x509_crt_set_subject_key_id(crt, id,
		    idlen), 0);
		idlen = sizeof id;
		if (issuer != NULL && gnutls_x509_crt_get_subject_key_id(issuer,
		    id, &idlen, &critical) == 0)
			assert_int_equal(gnutls_x509_crt_set_authority_key_id(
			    crt, id, idlen), 0);
	}
	assert_int_equal(gnutls_privkey_init(&pk), 0);
	assert_int_equal(gnutls_privkey_import_x509(pk,
	    privkey_x509(issuer_key != NULL ? issuer_key : key), 0), 0);
	assert_int_equal(gnutls_x509_crt_privkey_sign(crt,
	    issuer != NULL ? issuer : crt, pk, dig, 0), 0);
	gnutls_privkey_deinit(pk);
	return crt;
}

static gnutls_x509_crt_t
crt_copy(gnutls_x509_crt_t crt)
{
	gnutls_x509_crt_t	 c;
	gnutls_datum_t		 d;

	assert_int_equal(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
	    &d), 0);
	assert_int_equal(gnutls_x509_crt_init(&c), 0);
	assert_int_equal(gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_DER),
	    0);
	gnutls_free(d.data);
	return c;
}

static struct cert *
load_ok(const char *p)
{
	struct cert	*c = NULL;
	char		*cause = NULL;

	if (cert_load(p, &c, &cause) != 0)
		fail_msg("cert_load(%s): %s", p, cause);
	return c;
}

/* The SHA-256 fingerprint as GnuTLS computes it, formatted here. */
static void
gnutls_fpr(gnutls_x509_crt_t crt, char *out)
{
	unsigned char	 md[64];
	size_t		 size = sizeof md, i;

	assert_int_equal(gnutls_x509_crt_get_fingerprint(crt,
	    GNUTLS_DIG_SHA256, md, &size), 0);
	assert_int_equal(size, 32);
	for (i = 0; i < size; i++)
		sprintf(out + i * 3, "%02x%s", md[i], i + 1 < size ? ":" : "");
}

static int
setup(void **state)
{
	time_t	 now = time(NULL);

	snprintf(dir, sizeof dir, "/tmp/certbind-test-keys.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	root_key = genkey(KEY_ECDSA_P256);
	int_key = genkey(KEY_ECDSA_P256);
	leaf_key = genkey(KEY_ECDSA_P256);
	other_key = genkey(KEY_ECDSA_P256);
	root_crt = make_crt(root_key, "Test Root CA", 1, NULL, NULL,
	    now - 86400, now + 3650 * 86400, NULL, 0, GNUTLS_DIG_SHA256);
	int_crt = make_crt(int_key, "Test Intermediate", 1, root_crt, root_key,
	    now - 86400, now + 1000 * 86400, NULL, 0, GNUTLS_DIG_SHA256);
	leaf_crt = make_crt(leaf_key, "www.example.com", 0, int_crt, int_key,
	    now - 86400, T2030, leaf_sans, 4, GNUTLS_DIG_SHA256);

	write_pem(path("root.pem"), &root_crt, 1);
	write_pem(path("int.pem"), &int_crt, 1);
	write_pem(path("leaf.pem"), &leaf_crt, 1);
	{
		gnutls_x509_crt_t chain[2] = { leaf_crt, int_crt };

		write_pem(path("chain.pem"), chain, 2);
	}
	return 0;
}

static int
teardown(void **state)
{
	DIR		*d;
	struct dirent	*e;

	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] != '.')
				unlink(path(e->d_name));
		}
		closedir(d);
	}
	rmdir(dir);
	privkey_free(root_key);
	privkey_free(int_key);
	privkey_free(leaf_key);
	privkey_free(other_key);
	gnutls_x509_crt_deinit(root_crt);
	gnutls_x509_crt_deinit(int_crt);
	gnutls_x509_crt_deinit(leaf_crt);
	return 0;
}

static void
test_load_pem_chain(void **state)
{
	struct cert	*c = load_ok(path("chain.pem"));
	char		 want[100];
	const char	*s;
	int		 is_ip;

	assert_int_equal(cert_chain_len(c), 2);
	assert_string_equal(cert_cn(c), "www.example.com");
	assert_string_equal(cert_subject(c), "CN=www.example.com");
	assert_string_equal(cert_issuer(c), "CN=Test Intermediate");
	assert_int_equal(cert_nsans(c), 4);
	s = cert_san(c, 0, &is_ip);
	assert_string_equal(s, "www.example.com");
	assert_int_equal(is_ip, 0);
	s = cert_san(c, 1, &is_ip);
	assert_string_equal(s, "*.example.org");
	assert_int_equal(is_ip, 0);
	s = cert_san(c, 2, &is_ip);
	assert_string_equal(s, "127.0.0.2");
	assert_int_equal(is_ip, 1);
	s = cert_san(c, 3, &is_ip);
	assert_string_equal(s, "2001:db8::5");
	assert_int_equal(is_ip, 1);
	assert_null(cert_san(c, 4, &is_ip));
	assert_true(cert_not_after(c) == T2030);
	assert_string_equal(cert_key_type(c), "ECDSA P-256");
	assert_int_equal(cert_key_bits(c), 256);
	assert_string_equal(cert_sig_algo(c), "ECDSA-SHA256");
	assert_false(cert_sig_is_weak(c));
	assert_false(cert_is_self_signed(c));
	gnutls_fpr(leaf_crt, want);
	assert_string_equal(cert_fingerprint(c), want);
	/* The second certificate is the intermediate, as written. */
	gnutls_fpr(int_crt, want);
	{
		char got[100];

		gnutls_fpr(cert_crt(c, 1), got);
		assert_string_equal(got, want);
	}
	assert_null(cert_crt(c, 2));
	cert_free(c);
}

static void
test_load_der(void **state)
{
	struct cert	*c;
	gnutls_datum_t	 d;
	char		 want[100];

	assert_int_equal(gnutls_x509_crt_export2(leaf_crt, GNUTLS_X509_FMT_DER,
	    &d), 0);
	write_file(path("leaf.der"), d.data, d.size);
	gnutls_free(d.data);
	c = load_ok(path("leaf.der"));
	assert_int_equal(cert_chain_len(c), 1);
	gnutls_fpr(leaf_crt, want);
	assert_string_equal(cert_fingerprint(c), want);
	assert_int_equal(strlen(cert_fingerprint(c)), 95);
	assert_string_equal(cert_cn(c), "www.example.com");
	cert_free(c);
}

static void
test_not_a_cert(void **state)
{
	struct privkey	*k = NULL;
	struct cert	*c = (struct cert *)1;
	char		*cause = NULL;

	write_file(path("junk.pem"), "hello, world\n", 13);
	assert_int_equal(cert_load(path("junk.pem"), &c, &cause), -1);
	assert_null(c);
	assert_non_null(cause);
	assert_non_null(strstr(cause, path("junk.pem")));
	assert_non_null(strstr(cause, "not a certificate"));
	free(cause);

	/* A name with control characters comes back escaped. */
	cause = NULL;
	assert_int_equal(cert_load_mem("junk", 4, "evil\033]0;x\007.pem", &c,
	    &cause), -1);
	assert_non_null(strstr(cause, "evil"));
	assert_null(strchr(cause, '\033'));
	assert_null(strchr(cause, '\007'));
	free(cause);
	cause = NULL;
	assert_int_equal(privkey_load_mem("junk", 4, "evil\033[2J.key", &k,
	    &cause), -1);
	assert_null(strchr(cause, '\033'));
	free(cause);

	cause = NULL;
	assert_int_equal(cert_load(path("does-not-exist.pem"), &c, &cause),
	    -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "does-not-exist.pem"));
	free(cause);
}

static void
test_too_large(void **state)
{
	struct cert	*c = NULL;
	struct privkey	*k = NULL;
	char		*cause = NULL, *big;
	gnutls_datum_t	 d;
	size_t		 len = 2 * 1024 * 1024, off = 0;

	/* A valid certificate at the start: only the size is wrong. */
	assert_int_equal(gnutls_x509_crt_export2(leaf_crt, GNUTLS_X509_FMT_PEM,
	    &d), 0);
	big = malloc(len);
	assert_non_null(big);
	memset(big, '\n', len);
	memcpy(big, d.data, d.size);
	off = d.size;
	gnutls_free(d.data);
	assert_true(off < len);
	write_file(path("big.pem"), big, len);
	free(big);
	assert_int_equal(cert_load(path("big.pem"), &c, &cause), -1);
	assert_null(c);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(privkey_load(path("big.pem"), &k, NULL, &cause), -1);
	assert_null(k);
	assert_non_null(cause);
	free(cause);
}

/* Loads data as a key and checks it is leaf_key's twin or key's. */
static void
key_loads(const char *name, const void *data, size_t len,
    struct privkey *orig, gnutls_x509_crt_t crt, const char *type,
    unsigned bits)
{
	struct privkey	*k = NULL;
	struct cert	*c;
	char		*cause = NULL;

	write_file(path(name), data, len);
	chmod(path(name), 0600);
	if (privkey_load(path(name), &k, NULL, &cause) != 0)
		fail_msg("%s: %s", name, cause);
	assert_string_equal(privkey_type(k), type);
	assert_int_equal(privkey_bits(k), bits);
	c = cert_from_crts((gnutls_x509_crt_t[]){ crt_copy(crt) }, 1);
	assert_true(privkey_matches_cert(k, c));
	assert_true(privkey_matches_cert(orig, c));
	cert_free(c);
	privkey_free(k);
}

static void
key_formats(enum key_type t, const char *type, unsigned bits,
    const char *native_pem)
{
	struct privkey		*k = genkey(t);
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 d;
	time_t			 now = time(NULL);

	crt = make_crt(k, "key.example", 0, NULL, NULL, now, now + 86400,
	    NULL, 0, GNUTLS_DIG_UNKNOWN);

	/* PKCS#8, PEM and DER. */
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(privkey_x509(k),
	    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
	assert_non_null(memmem(d.data, d.size, "BEGIN PRIVATE KEY", 17));
	key_loads("k8.pem", d.data, d.size, k, crt, type, bits);
	gnutls_free(d.data);
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(privkey_x509(k),
	    GNUTLS_X509_FMT_DER, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
	key_loads("k8.der", d.data, d.size, k, crt, type, bits);
	gnutls_free(d.data);

	/* The key type's own format: PKCS#1 for RSA, SEC1 for ECDSA. */
	if (native_pem != NULL) {
		assert_int_equal(gnutls_x509_privkey_export2(privkey_x509(k),
		    GNUTLS_X509_FMT_PEM, &d), 0);
		assert_non_null(memmem(d.data, d.size, native_pem,
		    strlen(native_pem)));
		key_loads("kn.pem", d.data, d.size, k, crt, type, bits);
		gnutls_free(d.data);
		assert_int_equal(gnutls_x509_privkey_export2(privkey_x509(k),
		    GNUTLS_X509_FMT_DER, &d), 0);
		key_loads("kn.der", d.data, d.size, k, crt, type, bits);
		gnutls_free(d.data);
	}
	gnutls_x509_crt_deinit(crt);
	privkey_free(k);
}

static void
test_key_formats_ecdsa(void **state)
{
	key_formats(KEY_ECDSA_P256, "ECDSA P-256", 256, "BEGIN EC PRIVATE KEY");
	key_formats(KEY_ECDSA_P384, "ECDSA P-384", 384, "BEGIN EC PRIVATE KEY");
}

static void
test_key_formats_rsa(void **state)
{
	key_formats(KEY_RSA_2048, "RSA", 2048, "BEGIN RSA PRIVATE KEY");
}

static void
test_key_formats_ed25519(void **state)
{
	key_formats(KEY_ED25519, "Ed25519", 256, NULL);
}

/* Whether two keys have the same public key (SHA-256 key IDs). */
static int
privkey_same(const struct privkey *a, const struct privkey *b)
{
	unsigned char	ia[64], ib[64];
	size_t		la = sizeof ia, lb = sizeof ib;

	assert_int_equal(gnutls_x509_privkey_get_key_id(privkey_x509(a),
	    GNUTLS_KEYID_USE_SHA256, ia, &la), 0);
	assert_int_equal(gnutls_x509_privkey_get_key_id(privkey_x509(b),
	    GNUTLS_KEYID_USE_SHA256, ib, &lb), 0);
	return la == lb && memcmp(ia, ib, la) == 0;
}

/*
 * An encrypted PKCS#8 key (PBES2, AES-256) made with GnuTLS: the plain
 * loader refuses it, saying it is encrypted; the decrypting loader takes
 * the right password to the same key and says a wrong one is wrong.
 */
static void
test_key_encrypted(void **state)
{
	struct privkey	*k = genkey(KEY_ECDSA_P256), *got = NULL;
	gnutls_datum_t	 d;
	char		*cause = NULL;

	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(privkey_x509(k),
	    GNUTLS_X509_FMT_PEM, "open sesame", GNUTLS_PKCS_PBES2_AES_256,
	    &d), 0);
	assert_non_null(memmem(d.data, d.size, "BEGIN ENCRYPTED PRIVATE KEY",
	    27));
	assert_true(privkey_is_encrypted(d.data, d.size));

	assert_int_equal(privkey_load_mem(d.data, d.size, "enc.pem", &got,
	    &cause), -1);
	assert_null(got);
	assert_non_null(strstr(cause, "encrypted"));
	free(cause);
	cause = NULL;

	assert_int_equal(privkey_decrypt_mem(d.data, d.size, "enc.pem",
	    "not it", &got, &cause), -1);
	assert_null(got);
	assert_non_null(strstr(cause, "wrong password"));
	free(cause);
	cause = NULL;

	assert_int_equal(privkey_decrypt_mem(d.data, d.size, "enc.pem",
	    "open sesame", &got, &cause), 0);
	assert_non_null(got);
	assert_string_equal(privkey_type(got), privkey_type(k));
	assert_true(privkey_same(got, k));
	privkey_free(got);
	gnutls_free(d.data);

	/* A plain key is not "encrypted", and decrypt_mem loads it as is. */
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(privkey_x509(k),
	    GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d), 0);
	assert_false(privkey_is_encrypted(d.data, d.size));
	assert_int_equal(privkey_decrypt_mem(d.data, d.size, "plain.pem",
	    "ignored", &got, &cause), 0);
	assert_true(privkey_same(got, k));
	privkey_free(got);
	gnutls_free(d.data);
	privkey_free(k);
}

static void
test_key_not_a_key(void **state)
{
	struct privkey	*k = NULL;
	char		*cause = NULL;
	gnutls_datum_t	 d;

	write_file(path("nokey.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n"
	    "-----END PRIVATE KEY-----\n", 60);
	assert_int_equal(privkey_load(path("nokey.pem"), &k, NULL, &cause),
	    -1);
	assert_null(k);
	assert_non_null(cause);
	assert_non_null(strstr(cause, path("nokey.pem")));
	free(cause);

	/* A certificate offered as the key is named as such. */
	cause = NULL;
	assert_int_equal(privkey_load(path("leaf.pem"), &k, NULL, &cause), -1);
	assert_non_null(strstr(cause, "no private key"));
	free(cause);

	/* An encrypted key is refused with a message that says so. */
	assert_int_equal(gnutls_x509_privkey_export2_pkcs8(
	    privkey_x509(leaf_key), GNUTLS_X509_FMT_PEM, "pw",
	    GNUTLS_PKCS_PBES2_AES_256, &d), 0);
	write_file(path("enc.pem"), d.data, d.size);
	gnutls_free(d.data);
	cause = NULL;
	assert_int_equal(privkey_load(path("enc.pem"), &k, NULL, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "encrypted"));
	free(cause);
}

static void
test_match_mismatch(void **state)
{
	struct cert	*c = load_ok(path("chain.pem"));

	assert_true(privkey_matches_cert(leaf_key, c));
	assert_false(privkey_matches_cert(other_key, c));
	/* The intermediate's key is in the chain but is not the leaf's. */
	assert_false(privkey_matches_cert(int_key, c));
	cert_free(c);
}

static void
test_days_left(void **state)
{
	struct cert	*c = load_ok(path("leaf.pem"));

	assert_int_equal(cert_days_left(c, T2030 - 10 * 86400), 10);
	assert_int_equal(cert_days_left(c, T2030 - 10 * 86400 + 1), 9);
	assert_int_equal(cert_days_left(c, T2030 - 1), 0);
	assert_int_equal(cert_days_left(c, T2030), 0);
	assert_int_equal(cert_days_left(c, T2030 + 1), -1);
	assert_int_equal(cert_days_left(c, T2030 + 86400), -1);
	assert_int_equal(cert_days_left(c, T2030 + 86401), -2);
	assert_int_equal(cert_days_left(c, T2030 - 365 * 86400), 365);
	cert_free(c);
}

static void
test_covers_name(void **state)
{
	struct cert		*c = load_ok(path("leaf.pem"));
	struct cert		*legacy, *both;
	gnutls_x509_crt_t	 crt;
	const char		*san_only[] = { "san.example.net" };
	time_t			 now = time(NULL);

	assert_true(cert_covers_name(c, "www.example.com"));
	assert_true(cert_covers_name(c, "WWW.Example.COM"));
	assert_true(cert_covers_name(c, "www.example.com."));
	assert_false(cert_covers_name(c, "example.com"));
	assert_false(cert_covers_name(c, "other.example.com"));
	assert_false(cert_covers_name(c, "wwww.example.com"));
	/* The wildcard covers one label, no more, no fewer. */
	assert_true(cert_covers_name(c, "a.example.org"));
	assert_true(cert_covers_name(c, "A.EXAMPLE.ORG"));
	assert_false(cert_covers_name(c, "example.org"));
	assert_false(cert_covers_name(c, "a.b.example.org"));
	assert_false(cert_covers_name(c, ".example.org"));
	assert_true(cert_covers_name(c, "*.example.org"));
	/* Addresses match iPAddress names, in any spelling. */
	assert_true(cert_covers_name(c, "127.0.0.2"));
	assert_false(cert_covers_name(c, "127.0.0.3"));
	assert_true(cert_covers_name(c, "2001:db8::5"));
	assert_true(cert_covers_name(c, "2001:0db8:0:0::5"));
	assert_false(cert_covers_name(c, "2001:db8::6"));
	assert_false(cert_covers_name(c, ""));
	cert_free(c);

	/* No DNS names at all: the CN counts. */
	crt = make_crt(other_key, "legacy.example.net", 0, NULL, NULL, now,
	    now + 86400, NULL, 0, GNUTLS_DIG_SHA256);
	legacy = cert_from_crts(&crt, 1);
	assert_true(cert_covers_name(legacy, "legacy.example.net"));
	assert_false(cert_covers_name(legacy, "x.legacy.example.net"));
	cert_free(legacy);

	/* With DNS names, the CN does not. */
	crt = make_crt(other_key, "cn.example.net", 0, NULL, NULL, now,
	    now + 86400, san_only, 1, GNUTLS_DIG_SHA256);
	both = cert_from_crts(&crt, 1);
	assert_true(cert_covers_name(both, "san.example.net"));
	assert_false(cert_covers_name(both, "*.example.net"));
	assert_false(cert_covers_name(both, "cn.example.net"));
	cert_free(both);
}

static void
test_hostile_names(void **state)
{
	/* ESC [31m, and U+202E RIGHT-TO-LEFT OVERRIDE in UTF-8. */
	const char		 cn[] = "evil\033[31mred\342\200\256gpj.exe";
	const char		*sans[] = { "*.com", "w*.example.com" };
	gnutls_x509_crt_t	 crt;
	struct cert		*c;
	time_t			 now = time(NULL);

	crt = make_crt(other_key, cn, 0, NULL, NULL, now, now + 86400, sans,
	    2, GNUTLS_DIG_SHA256);
	c = cert_from_crts(&crt, 1);
	/* The raw bytes come back; escaping is the caller's job. */
	assert_string_equal(cert_cn(c), cn);
	/* Over-broad and partial-label wildcards match nothing. */
	assert_false(cert_covers_name(c, "example.com"));
	assert_false(cert_covers_name(c, "www.example.com"));
	assert_false(cert_covers_name(c, "w1.example.com"));
	cert_free(c);

	/*
	 * A NUL inside a DNS name must not cut it short into the name before
	 * the NUL. GnuTLS will not encode one, so the DER is patched: the
	 * signature breaks, which parsing does not look at.
	 */
	{
		static const char	 marked[] = "www.bank.exampleX.evil.example";
		const char		*one[] = { marked };
		gnutls_datum_t		 der;
		unsigned char		*x;
		size_t			 i;

		crt = make_crt(other_key, "nul.example", 0, NULL, NULL, now,
		    now + 86400, one, 1, GNUTLS_DIG_SHA256);
		assert_int_equal(gnutls_x509_crt_export2(crt,
		    GNUTLS_X509_FMT_DER, &der), 0);
		gnutls_x509_crt_deinit(crt);
		x = NULL;
		for (i = 0; i + sizeof marked - 1 <= der.size; i++) {
			if (memcmp(der.data + i, marked, sizeof marked - 1) == 0)
				x = der.data + i + 16;
		}
		assert_non_null(x);
		assert_int_equal(*x, 'X');
		*x = '\0';
		c = NULL;
		assert_int_equal(cert_load_mem(der.data, der.size, "nul.der",
		    &c, NULL), 0);
		gnutls_free(der.data);
		/* Either the name shows whole, or not at all: never cut. */
		for (i = 0; i < cert_nsans(c); i++)
			assert_int_equal(strlen(cert_san(c, i, NULL)),
			    sizeof marked - 1);
		assert_false(cert_covers_name(c, "www.bank.example"));
		assert_false(cert_covers_name(c, "nul.example"));
		cert_free(c);
	}
}

static void
test_self_signed(void **state)
{
	struct privkey	*k = genkey(KEY_ECDSA_P256);
	struct subject	 s;
	const char	*sans[] = { "self.example.com", "127.0.0.9" };
	struct cert	*c = NULL;
	struct trust	*t = NULL;
	char		*cause = NULL, *missing = NULL, want[100];
	time_t		 now = time(NULL);

	memset(&s, 0, sizeof s);
	s.cn = "self.example.com";
	s.org = "Example Org";
	s.sans = sans;
	s.nsans = 2;
	if (cert_selfsign(k, &s, 30, &c, &cause) != 0)
		fail_msg("cert_selfsign: %s", cause);
	assert_true(cert_is_self_signed(c));
	assert_true(privkey_matches_cert(k, c));
	assert_false(privkey_matches_cert(other_key, c));
	assert_string_equal(cert_cn(c), "self.example.com");
	assert_non_null(strstr(cert_subject(c), "O=Example Org"));
	assert_true(cert_covers_name(c, "self.example.com"));
	assert_true(cert_covers_name(c, "127.0.0.9"));
	assert_true(cert_not_after(c) >= now + 30 * 86400 - 5);
	assert_true(cert_not_after(c) <= now + 30 * 86400 + 5);
	assert_true(cert_not_before(c) <= now);
	assert_int_equal(cert_days_left(c, now), 29 + (cert_not_after(c) -
	    now >= 30 * 86400));
	/* The signature is valid: GnuTLS verifies it against itself. */
	{
		gnutls_x509_crt_t	 crt = cert_crt(c, 0);
		unsigned		 status = 99;

		assert_int_equal(gnutls_x509_crt_verify(crt, &crt, 1, 0,
		    &status), 0);
		assert_int_equal(status, 0);
	}
	gnutls_fpr(cert_crt(c, 0), want);
	assert_string_equal(cert_fingerprint(c), want);

	/* A self-signed certificate says so: it is no trusted root. */
	write_file(path("empty-bundle"), "", 0);
	assert_int_equal(trust_load(path("empty-bundle"), &t, &cause), 0);
	assert_int_equal(cert_chain_complete(c, t, &missing),
	    CHAIN_SELF_SIGNED);
	assert_null(missing);
	trust_free(t);
	cert_free(c);

	/* Zero days, and a subject with a bad name, are refused. */
	cause = NULL;
	assert_int_equal(cert_selfsign(k, &s, 0, &c, &cause), -1);
	assert_non_null(cause);
	free(cause);
	sans[0] = "bad_name.example.com";
	cause = NULL;
	assert_int_equal(cert_selfsign(k, &s, 30, &c, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "bad_name"));
	free(cause);
	privkey_free(k);
}

static void
test_weak_signature(void **state)
{
	gnutls_x509_crt_t	 crt;
	struct cert		*c;
	time_t			 now = time(NULL);

	crt = make_crt(other_key, "sha1.example", 0, NULL, NULL, now,
	    now + 86400, NULL, 0, GNUTLS_DIG_SHA1);
	c = cert_from_crts(&crt, 1);
	assert_string_equal(cert_sig_algo(c), "ECDSA-SHA1");
	assert_true(cert_sig_is_weak(c));
	cert_free(c);
}

static void
test_chain(void **state)
{
	struct trust		*t = NULL, *empty = NULL;
	struct cert		*chain, *leaf, *forged;
	struct privkey		*fake_key = genkey(KEY_ECDSA_P256);
	gnutls_x509_crt_t	 fake_int, crts[2];
	char			*cause = NULL, *missing = NULL;
	char			 want[100], got[100];
	time_t			 now = time(NULL);

	if (trust_load(path("root.pem"), &t, &cause) != 0)
		fail_msg("trust_load: %s", cause);
	chain = load_ok(path("chain.pem"));
	leaf = load_ok(path("leaf.pem"));

	assert_int_equal(cert_chain_complete(chain, t, &missing), 1);
	assert_null(missing);
	assert_int_equal(cert_chain_complete(leaf, t, &missing), 0);
	assert_non_null(missing);
	assert_string_equal(missing, "CN=Test Intermediate");
	free(missing);

	/*
	 * A bundle the caller named must exist; an empty one is an empty
	 * store.
	 */
	cause = NULL;
	assert_int_equal(trust_load(path("no-such-bundle"), &empty, &cause),
	    -1);
	assert_null(empty);
	assert_non_null(strstr(cause, "no-such-bundle"));
	free(cause);
	cause = NULL;
	write_file(path("empty-bundle"), "", 0);
	/* Without the root, even the full file stops at the intermediate. */
	assert_int_equal(trust_load(path("empty-bundle"), &empty, &cause),
	    0);
	assert_int_equal(cert_chain_complete(chain, empty, &missing), 0);
	assert_string_equal(missing, "CN=Test Root CA");
	free(missing);

	/*
	 * A file that carries its own root (a PKCS#12 from Windows often
	 * does) is complete up to it, but that root is no trust anchor: only
	 * the trust store's are (issue 14, bug 1). With the store's root it
	 * is trusted.
	 */
	crts[0] = crt_copy(leaf_crt);
	crts[1] = crt_copy(int_crt);
	{
		gnutls_x509_crt_t	 c3[3] = { crts[0], crts[1],
		    crt_copy(root_crt) };

		forged = cert_from_crts(c3, 3);
	}
	assert_int_equal(cert_chain_complete(forged, empty, &missing),
	    CHAIN_UNTRUSTED_ROOT);
	assert_string_equal(missing, "CN=Test Root CA");
	free(missing);
	assert_int_equal(cert_chain_complete(forged, t, &missing),
	    CHAIN_TRUSTED);
	assert_null(missing);
	cert_free(forged);
	trust_free(empty);

	/*
	 * An intermediate with the right name but another key did not sign
	 * the leaf: the name alone must not complete the chain.
	 */
	fake_int = make_crt(fake_key, "Test Intermediate", 1, root_crt,
	    root_key, now - 86400, now + 86400, NULL, 0, GNUTLS_DIG_SHA256);
	crts[0] = crt_copy(leaf_crt);
	crts[1] = fake_int;
	forged = cert_from_crts(crts, 2);
	assert_int_equal(cert_chain_complete(forged, t, &missing), 0);
	assert_string_equal(missing, "CN=Test Intermediate");
	free(missing);
	cert_free(forged);

	/*
	 * The same without key identifiers, where only the signature can
	 * tell: a leaf and a pretend intermediate, then the real one.
	 */
	with_key_ids = 0;
	{
		struct privkey		*k2 = genkey(KEY_ECDSA_P256);
		gnutls_x509_crt_t	 bare_int, bare_leaf, c3[2];

		bare_int = make_crt(int_key, "Bare Intermediate", 1, root_crt,
		    root_key, now - 86400, now + 86400, NULL, 0,
		    GNUTLS_DIG_SHA256);
		bare_leaf = make_crt(k2, "bare.example", 0, bare_int, int_key,
		    now - 86400, now + 86400, NULL, 0, GNUTLS_DIG_SHA256);
		fake_int = make_crt(fake_key, "Bare Intermediate", 1, root_crt,
		    root_key, now - 86400, now + 86400, NULL, 0,
		    GNUTLS_DIG_SHA256);
		c3[0] = crt_copy(bare_leaf);
		c3[1] = fake_int;
		forged = cert_from_crts(c3, 2);
		assert_int_equal(cert_chain_complete(forged, t, &missing), 0);
		assert_string_equal(missing, "CN=Bare Intermediate");
		free(missing);
		cert_free(forged);
		c3[0] = bare_leaf;
		c3[1] = bare_int;
		forged = cert_from_crts(c3, 2);
		assert_int_equal(cert_chain_complete(forged, t, &missing), 1);
		assert_null(missing);
		cert_free(forged);
		privkey_free(k2);
	}
	with_key_ids = 1;

	/*
	 * A file that goes on past the trusted root with a copy of it
	 * cross-signed by an old root nobody trusts any more is complete:
	 * the trusted root is reached first.
	 */
	{
		struct privkey		*old_key = genkey(KEY_ECDSA_P256);
		gnutls_x509_crt_t	 old_root, cross, c3[3];

		old_root = make_crt(old_key, "Old Root", 1, NULL, NULL,
		    now - 86400, now + 86400, NULL, 0, GNUTLS_DIG_SHA256);
		cross = make_crt(root_key, "Test Root CA", 1, old_root, old_key,
		    now - 86400, now + 86400, NULL, 0, GNUTLS_DIG_SHA256);
		c3[0] = crt_copy(leaf_crt);
		c3[1] = crt_copy(int_crt);
		c3[2] = cross;
		forged = cert_from_crts(c3, 3);
		assert_int_equal(cert_chain_complete(forged, t, &missing), 1);
		assert_null(missing);
		cert_free(forged);
		/* Without the trusted root, it is the old root that is missing. */
		write_file(path("empty-bundle"), "", 0);
		assert_int_equal(trust_load(path("empty-bundle"), &empty,
		    &cause), 0);
		c3[0] = crt_copy(leaf_crt);
		c3[1] = crt_copy(int_crt);
		c3[2] = make_crt(root_key, "Test Root CA", 1, old_root,
		    old_key, now - 86400, now + 86400, NULL, 0,
		    GNUTLS_DIG_SHA256);
		forged = cert_from_crts(c3, 3);
		assert_int_equal(cert_chain_complete(forged, empty, &missing),
		    0);
		assert_string_equal(missing, "CN=Old Root");
		free(missing);
		cert_free(forged);
		trust_free(empty);
		gnutls_x509_crt_deinit(old_root);
		privkey_free(old_key);
	}

	/* With the intermediate in the store, the leaf alone completes. */
	assert_int_equal(trust_add_intermediates(t, path("int.pem"), &cause),
	    0);
	assert_int_equal(cert_chain_complete(leaf, t, &missing), 1);
	assert_null(missing);

	/* fill adds the intermediate, not the root. */
	cert_chain_fill(leaf, t);
	assert_int_equal(cert_chain_len(leaf), 2);
	gnutls_fpr(int_crt, want);
	gnutls_fpr(cert_crt(leaf, 1), got);
	assert_string_equal(got, want);
	cert_chain_fill(chain, t);
	assert_int_equal(cert_chain_len(chain), 2);

	/* Broken files are errors, a missing bundle is not. */
	cause = NULL;
	assert_int_equal(trust_add_intermediates(t, path("nothing.pem"),
	    &cause), -1);
	assert_non_null(cause);
	free(cause);

	cert_free(chain);
	cert_free(leaf);
	trust_free(t);
	privkey_free(fake_key);
}

static void
test_system_trust(void **state)
{
	struct trust	*t = NULL;
	char		*cause = NULL;

	if (access(TRUST_DEFAULT_FILE, R_OK) != 0) {
		skip();
		return;
	}
	if (trust_load(NULL, &t, &cause) != 0)
		fail_msg("trust_load(NULL): %s", cause);
	trust_free(t);
}

static void
test_export_pem(void **state)
{
	struct cert	*c = load_ok(path("chain.pem")), *back = NULL;
	char		*pem, *cause = NULL, want[100];
	size_t		 len;

	pem = cert_export_pem(c, &len);
	assert_int_equal(strlen(pem), len);
	if (cert_load_mem(pem, len, "export", &back, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(cert_chain_len(back), 2);
	gnutls_fpr(leaf_crt, want);
	assert_string_equal(cert_fingerprint(back), want);
	cert_free(back);
	cert_free(c);
	free(pem);
}

static void
test_pkcs12(void **state)
{
	struct cert	*c = load_ok(path("chain.pem")), *chain = NULL;
	struct privkey	*k = NULL;
	void		*der = NULL;
	size_t		 len;
	char		*cause = NULL, want[100], got[100];

	if (pkcs12_export(leaf_key, c, "s3cret", NULL, &der, &len, &cause) != 0)
		fail_msg("pkcs12_export: %s", cause);
	if (pkcs12_import(der, len, "x.p12", "s3cret", &k, &chain,
	    &cause) != 0)
		fail_msg("pkcs12_import: %s", cause);
	assert_true(privkey_matches_cert(k, chain));
	assert_true(privkey_matches_cert(leaf_key, chain));
	assert_int_equal(cert_chain_len(chain), 2);
	gnutls_fpr(leaf_crt, want);
	assert_string_equal(cert_fingerprint(chain), want);
	gnutls_fpr(int_crt, want);
	gnutls_fpr(cert_crt(chain, 1), got);
	assert_string_equal(got, want);
	privkey_free(k);
	cert_free(chain);
	k = NULL;
	chain = NULL;

	/* A wrong password says so. */
	assert_int_equal(pkcs12_import(der, len, "x.p12", "wrong", &k, &chain,
	    &cause), -1);
	assert_null(k);
	assert_null(chain);
	assert_non_null(strstr(cause, "wrong password"));
	assert_non_null(strstr(cause, "x.p12"));
	free(cause);
	/* No password for a protected file asks for one. */
	cause = NULL;
	assert_int_equal(pkcs12_import(der, len, "x.p12", NULL, &k, &chain,
	    &cause), -1);
	assert_non_null(strstr(cause, "password"));
	free(cause);
	free(der);

	/* Without a password, both ways. */
	cause = NULL;
	if (pkcs12_export(leaf_key, c, NULL, NULL, &der, &len, &cause) != 0)
		fail_msg("pkcs12_export: %s", cause);
	if (pkcs12_import(der, len, "y.p12", NULL, &k, &chain, &cause) != 0)
		fail_msg("pkcs12_import: %s", cause);
	assert_true(privkey_matches_cert(k, chain));
	privkey_free(k);
	cert_free(chain);
	free(der);

	/* Not PKCS#12 at all. */
	cause = NULL;
	assert_int_equal(pkcs12_import("nonsense", 8, "z.p12", "pw", &k,
	    &chain, &cause), -1);
	assert_non_null(strstr(cause, "z.p12"));
	free(cause);
	cert_free(c);
}

static void
test_save_mode_and_symlink(void **state)
{
	struct privkey	*k = NULL;
	struct stat	 st;
	char		*cause = NULL;
	mode_t		 old;
	struct cert	*c;

	unlink(path("saved.key"));
	old = umask(0);
	if (privkey_save(leaf_key, path("saved.key"), 0600, &cause) != 0) {
		umask(old);
		fail_msg("privkey_save: %s", cause);
	}
	umask(old);
	assert_int_equal(lstat(path("saved.key"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* It is PKCS#8 PEM and loads back as the same key. */
	memset(&st, 0, sizeof st);
	if (privkey_load(path("saved.key"), &k, &st, &cause) != 0)
		fail_msg("privkey_load: %s", cause);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(S_ISREG(st.st_mode));
	c = load_ok(path("leaf.pem"));
	assert_true(privkey_matches_cert(k, c));
	cert_free(c);
	privkey_free(k);
	k = NULL;
	{
		char	 buf[64];
		int	 fd = open(path("saved.key"), O_RDONLY);
		ssize_t	 n;

		assert_true(fd >= 0);
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		assert_true(n > 0);
		buf[n] = '\0';
		assert_non_null(strstr(buf, "-----BEGIN PRIVATE KEY-----"));
	}

	/* The file exists: it is not overwritten. */
	cause = NULL;
	assert_int_equal(privkey_save(other_key, path("saved.key"), 0600,
	    &cause), -1);
	assert_non_null(cause);
	free(cause);

	/* A symbolic link to a key is refused. */
	unlink(path("link.key"));
	assert_int_equal(symlink(path("saved.key"), path("link.key")), 0);
	cause = NULL;
	assert_int_equal(privkey_load(path("link.key"), &k, NULL, &cause), -1);
	assert_null(k);
	assert_non_null(cause);
	free(cause);
}

static void
test_subject_check(void **state)
{
	struct subject	 s;
	const char	*one[1];
	char		*cause;
	size_t		 i;
	static const char *good[] = {
		"www.example.com", "*.example.com", "localhost", "a-b.c9.net",
		"127.0.0.1", "::1", "2001:db8::1", "xn--bcher-kva.example",
	};
	static const char *bad[] = {
		"bad_name.example.com", "*.com", "w*.example.com",
		"-a.example.com", "a-.example.com", "a..example.com",
		".example.com", "*", "a.*.example.com", "sp ace.example",
		"www.example.com\033[2J",
	};

	memset(&s, 0, sizeof s);
	s.cn = "www.example.com";
	s.sans = one;
	s.nsans = 1;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		one[0] = good[i];
		cause = NULL;
		if (subject_check(&s, &cause) != 0)
			fail_msg("%s refused: %s", good[i], cause);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		one[0] = bad[i];
		cause = NULL;
		if (subject_check(&s, &cause) != -1)
			fail_msg("%s accepted", bad[i]);
		assert_non_null(cause);
		/* The cause shows the text escaped, never a raw ESC. */
		assert_null(strchr(cause, '\033'));
		free(cause);
	}
	s.nsans = 0;
	s.cn = "";
	cause = NULL;
	assert_int_equal(subject_check(&s, &cause), -1);
	assert_non_null(cause);
	free(cause);
	s.cn = "a-common-name-that-is-much-too-long-for-x520-which-allows-sixty-four";
	cause = NULL;
	assert_int_equal(subject_check(&s, &cause), -1);
	free(cause);
}

static void
test_request(void **state)
{
	struct subject		 s;
	const char		*sans[] = { "req.example.com", "10.1.2.3" };
	char			*pem = NULL, *cause = NULL, *dn = NULL;
	size_t			 len;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_x509_crq_t	 crq;
	gnutls_datum_t		 d;
	char			 buf[256];
	size_t			 size;
	unsigned		 type;
	unsigned char		 ip[4] = { 10, 1, 2, 3 };

	memset(&s, 0, sizeof s);
	s.cn = "req.example.com";
	s.org = "Example Org";
	s.sans = sans;
	s.nsans = 2;
	if (request_create(leaf_key, &s, &pem, &len, &cause) != 0)
		fail_msg("request_create: %s", cause);
	assert_int_equal(strlen(pem), len);
	assert_non_null(strstr(pem, "CERTIFICATE REQUEST-----"));
	write_file(path("req.csr"), pem, len);

	/* Read back with GnuTLS directly: signature, names. */
	assert_int_equal(gnutls_x509_crq_init(&crq), 0);
	d.data = (unsigned char *)pem;
	d.size = len;
	assert_int_equal(gnutls_x509_crq_import(crq, &d, GNUTLS_X509_FMT_PEM),
	    0);
	assert_int_equal(gnutls_x509_crq_verify(crq, 0), 0);
	size = sizeof buf;
	assert_int_equal(gnutls_x509_crq_get_subject_alt_name(crq, 0, buf,
	    &size, &type, NULL), GNUTLS_SAN_DNSNAME);
	assert_int_equal(size, strlen("req.example.com"));
	assert_memory_equal(buf, "req.example.com", size);
	size = sizeof buf;
	assert_int_equal(gnutls_x509_crq_get_subject_alt_name(crq, 1, buf,
	    &size, &type, NULL), GNUTLS_SAN_IPADDRESS);
	assert_int_equal(size, 4);
	assert_memory_equal(buf, ip, 4);
	gnutls_x509_crq_deinit(crq);
	free(pem);

	if (request_load_subject(path("req.csr"), &dn, &cause) != 0)
		fail_msg("request_load_subject: %s", cause);
	assert_non_null(strstr(dn, "CN=req.example.com"));
	assert_non_null(strstr(dn, "O=Example Org"));
	free(dn);

	if (request_load_pubkey(path("req.csr"), &pub, &cause) != 0)
		fail_msg("request_load_pubkey: %s", cause);
	assert_true(privkey_matches_pubkey(leaf_key, pub));
	assert_false(privkey_matches_pubkey(other_key, pub));
	gnutls_pubkey_deinit(pub);

	/* Ed25519 requests sign too (no separate hash). */
	{
		struct privkey *ek = genkey(KEY_ED25519);

		cause = NULL;
		if (request_create(ek, &s, &pem, &len, &cause) != 0)
			fail_msg("request_create ed25519: %s", cause);
		free(pem);
		privkey_free(ek);
	}

	cause = NULL;
	assert_int_equal(request_load_pubkey(path("leaf.pem"), &pub, &cause),
	    -1);
	assert_non_null(cause);
	free(cause);
}

static void
test_tlscred(void **state)
{
	struct tlscred	*tc = NULL;
	char		*cause = NULL;
	unsigned	 n = 0;
	gnutls_pcert_st	*pc;
	gnutls_x509_crt_t crt;
	char		 want[100], got[100];

	unlink(path("tls.key"));
	assert_int_equal(privkey_save(leaf_key, path("tls.key"), 0600, &cause),
	    0);
	if (tlscred_load(path("tls.key"), path("chain.pem"), NULL, 0, &tc,
	    NULL, &cause) != 0)
		fail_msg("tlscred_load: %s", cause);
	pc = tlscred_pcerts(tc, &n);
	assert_int_equal(n, 2);
	assert_non_null(tlscred_privkey(tc));
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &pc[0].cert,
	    GNUTLS_X509_FMT_DER), 0);
	gnutls_fpr(crt, got);
	gnutls_fpr(leaf_crt, want);
	assert_string_equal(got, want);
	gnutls_x509_crt_deinit(crt);
	tlscred_free(tc);

	/* A key that does not belong to the certificate is refused. */
	unlink(path("other.key"));
	assert_int_equal(privkey_save(other_key, path("other.key"), 0600,
	    &cause), 0);
	tc = NULL;
	assert_int_equal(tlscred_load(path("other.key"), path("chain.pem"),
	    NULL, 0, &tc, NULL, &cause), -1);
	assert_null(tc);
	assert_non_null(cause);
	free(cause);
}

static void
test_key_types(void **state)
{
	static const struct {
		enum key_type	 t;
		const char	*type;
		unsigned	 bits;
	} want[] = {
		{ KEY_ECDSA_P256, "ECDSA P-256", 256 },
		{ KEY_ECDSA_P384, "ECDSA P-384", 384 },
		{ KEY_ED25519, "Ed25519", 256 },
		{ KEY_RSA_2048, "RSA", 2048 },
		{ KEY_RSA_3072, "RSA", 3072 },
		{ KEY_RSA_4096, "RSA", 4096 },
	};
	struct privkey	*k;
	size_t		 i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(key_type_parse(key_type_name(want[i].t)),
		    want[i].t);
		k = genkey(want[i].t);
		assert_string_equal(privkey_type(k), want[i].type);
		assert_int_equal(privkey_bits(k), want[i].bits);
		privkey_free(k);
	}
	assert_int_equal(key_type_parse("ecdsa-p256"), KEY_ECDSA_P256);
	assert_int_equal(key_type_parse("rsa-4096"), KEY_RSA_4096);
	assert_int_equal(key_type_parse("dsa"), -1);
	assert_int_equal(key_type_parse(""), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_pem_chain),
		cmocka_unit_test(test_load_der),
		cmocka_unit_test(test_not_a_cert),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_key_formats_ecdsa),
		cmocka_unit_test(test_key_formats_rsa),
		cmocka_unit_test(test_key_formats_ed25519),
		cmocka_unit_test(test_key_encrypted),
		cmocka_unit_test(test_key_not_a_key),
		cmocka_unit_test(test_match_mismatch),
		cmocka_unit_test(test_days_left),
		cmocka_unit_test(test_covers_name),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_self_signed),
		cmocka_unit_test(test_weak_signature),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_system_trust),
		cmocka_unit_test(test_export_pem),
		cmocka_unit_test(test_pkcs12),
		cmocka_unit_test(test_save_mode_and_symlink),
		cmocka_unit_test(test_subject_check),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_tlscred),
		cmocka_unit_test(test_key_types),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
