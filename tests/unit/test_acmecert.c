/*
 * keys/acmecert.c: the tls-alpn-01 challenge certificate and the ARI
 * certificate identifier.
 *
 * The challenge certificate is read back with GnuTLS and its extension
 * decoded with libtasn1's asn1_decode_simple_der(), not with the code that
 * wrote it; the expected hash is computed here. The ARI identifier is
 * checked against RFC 9773's own example certificate (Appendix A) and the
 * identifier section 4.1 gives for it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <libtasn1.h>

#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/acmecert.h"

/* RFC 9773 Appendix A; section 4.1 derives its identifier. */
static const char rfc9773_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBQzCB66ADAgECAgUAh2VDITAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwpFeGFt\n"
    "cGxlIENBMCIYDzAwMDEwMTAxMDAwMDAwWhgPMDAwMTAxMDEwMDAwMDBaMBYxFDAS\n"
    "BgNVBAMTC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBZu\n"
    "7cbpAYNXZLbbh8rNIzuOoqOOtmxA1v7cRm//AwyMwWxyHz4zfwmBhcSrf47NUAFf\n"
    "qzLQ2PPQxdTXREYEnKMjMCEwHwYDVR0jBBgwFoAUaYhba4dGQEHhs3uEe6CuLN4B\n"
    "yNQwCgYIKoZIzj0EAwIDRwAwRAIge09+S5TZAlw5tgtiVvuERV6cT4mfutXIlwTb\n"
    "+FYN/8oCIClDsqBklhB9KAelFiYt9+6FDj3z4KGVelYM5MdsO3pK\n"
    "-----END CERTIFICATE-----\n";

static const char keyauth[] =
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA."
    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

static void
test_alpn_cert(void **state)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t	 d, ext = { NULL, 0 };
	unsigned char	 md[32], buf[256], fpr[32];
	const unsigned char *val;
	unsigned int	 vlen, critical, type, i;
	size_t		 size, n, nexts = 0;
	char		*pem = NULL, *sha = NULL, *cause = NULL, *crtpem, *fhex;
	char		 oid[128];
	struct cert	*c = NULL;
	struct privkey	*k = NULL;
	int		 r, found = 0;
	time_t		 now = time(NULL);

	if (acmecert_alpn("www.example.com", keyauth, &pem, &size, &sha,
	    &cause) != 0)
		fail_msg("acmecert_alpn: %s", cause);
	assert_int_equal(strlen(pem), size);

	/* Certificate first, then a "PRIVATE KEY", nothing else. */
	crtpem = strstr(pem, "-----BEGIN CERTIFICATE-----");
	assert_ptr_equal(crtpem, pem);
	assert_non_null(strstr(pem, "-----END CERTIFICATE-----\n"
	    "-----BEGIN PRIVATE KEY-----"));
	assert_null(strstr(pem, "ENCRYPTED"));
	assert_null(strstr(pem + 1, "-----BEGIN CERTIFICATE-----"));

	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	d.data = (unsigned char *)pem;
	d.size = (unsigned)size;
	assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM),
	    0);

	/* Exactly one SAN: the dNSName. */
	n = sizeof buf;
	r = gnutls_x509_crt_get_subject_alt_name2(crt, 0, buf, &n, &type,
	    &critical);
	assert_int_equal(r, GNUTLS_SAN_DNSNAME);
	assert_int_equal(n, strlen("www.example.com"));
	assert_memory_equal(buf, "www.example.com", n);
	n = sizeof buf;
	assert_int_equal(gnutls_x509_crt_get_subject_alt_name2(crt, 1, buf,
	    &n, &type, &critical), GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);

	/* The acmeIdentifier extension: critical, OCTET STRING of the hash. */
	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, keyauth,
	    strlen(keyauth), md), 0);
	for (i = 0;; i++) {
		size = sizeof oid;
		r = gnutls_x509_crt_get_extension_info(crt, i, oid, &size,
		    &critical);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		assert_int_equal(r, 0);
		nexts++;
		if (strcmp(oid, "1.3.6.1.5.5.7.1.31") != 0)
			continue;
		found++;
		assert_int_equal(critical, 1);
		assert_int_equal(gnutls_x509_crt_get_extension_data2(crt, i,
		    &ext), 0);
		assert_int_equal(asn1_decode_simple_der(ASN1_ETYPE_OCTET_STRING,
		    ext.data, ext.size, &val, &vlen), ASN1_SUCCESS);
		assert_int_equal(vlen, 32);
		assert_memory_equal(val, md, 32);
		/* Nothing after the OCTET STRING. */
		assert_int_equal(ext.size, 2 + 32);
		gnutls_free(ext.data);
	}
	assert_int_equal(found, 1);

	/* Self-signed, and valid now. */
	assert_int_equal(gnutls_x509_crt_check_issuer(crt, crt), 1);
	assert_true(gnutls_x509_crt_get_activation_time(crt) <= now);
	assert_true(gnutls_x509_crt_get_expiration_time(crt) > now + 86400);

	/* The fingerprint, as GnuTLS computes it. */
	n = sizeof fpr;
	assert_int_equal(gnutls_x509_crt_get_fingerprint(crt,
	    GNUTLS_DIG_SHA256, fpr, &n), 0);
	fhex = malloc(32 * 3 + 1);
	for (i = 0; i < 32; i++)
		snprintf(fhex + i * 3, 4, "%02x:", fpr[i]);
	fhex[32 * 3 - 1] = '\0';
	assert_string_equal(sha, fhex);
	free(fhex);

	/* The key in the file is the certificate's. */
	assert_int_equal(cert_load_mem(pem, strlen(pem), "alpn", &c, &cause),
	    0);
	assert_int_equal(cert_chain_len(c), 1);
	if (privkey_load_mem(pem, strlen(pem), "alpn", &k, &cause) != 0)
		fail_msg("privkey_load_mem: %s", cause);
	assert_true(privkey_matches_cert(k, c));
	assert_string_equal(cert_key_type(c), "ECDSA P-256");
	assert_true(cert_covers_name(c, "www.example.com"));
	assert_false(cert_covers_name(c, "example.com"));
	privkey_free(k);
	cert_free(c);
	gnutls_x509_crt_deinit(crt);
	free(sha);
	acmecert_pem_free(pem, strlen(pem));
}

static void
test_alpn_fresh_key_each_time(void **state)
{
	char	*a, *b, *cause = NULL;
	size_t	 na, nb;

	assert_int_equal(acmecert_alpn("a.example", keyauth, &a, &na, NULL,
	    &cause), 0);
	assert_int_equal(acmecert_alpn("a.example", keyauth, &b, &nb, NULL,
	    &cause), 0);
	assert_true(na != nb || memcmp(a, b, na) != 0);
	acmecert_pem_free(a, na);
	acmecert_pem_free(b, nb);
	acmecert_pem_free(NULL, 0);
}

static void
test_alpn_refuses_bad_names(void **state)
{
	static const char *bad[] = { "*.example.com", "", "a..example",
	    "10.0.0.1", "-a.example", "a.example.", "a b.example",
	    "\x1b[31m.example" };
	char	*pem, *cause;
	size_t	 i, n;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		pem = (char *)"x";
		if (acmecert_alpn(bad[i], keyauth, &pem, &n, NULL, &cause) == 0)
			fail_msg("made a certificate for '%s'", bad[i]);
		assert_null(pem);
		assert_non_null(cause);
		assert_null(strchr(cause, '\x1b'));
		free(cause);
	}
}

static void
test_ari_rfc9773(void **state)
{
	struct cert	*c = NULL;
	char		*id = NULL, *cause = NULL;

	if (cert_load_mem(rfc9773_cert, strlen(rfc9773_cert), "rfc9773", &c,
	    &cause) != 0)
		fail_msg("cert_load_mem: %s", cause);
	if (acmecert_ari_id(c, &id, &cause) != 0)
		fail_msg("acmecert_ari_id: %s", cause);
	/* The serial 0x87654321 keeps its leading zero byte: "AIdlQyE". */
	assert_string_equal(id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
	free(id);
	cert_free(c);
}

/* A certificate made here with a known AKI and serial. */
static struct cert *
make_cert(const unsigned char *serial, size_t nserial, int with_aki)
{
	static const unsigned char aki[] = { 0xfb, 0xff, 0xbf, 0x01 };
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;

	assert_int_equal(gnutls_x509_privkey_init(&key), 0);
	assert_int_equal(gnutls_x509_privkey_generate2(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(crt, 3), 0);
	assert_int_equal(gnutls_x509_crt_set_serial(crt, serial, nserial), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(crt, 1700000000),
	    0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(crt, 1800000000),
	    0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(crt,
	    GNUTLS_OID_X520_COMMON_NAME, 0, "t", 1), 0);
	if (with_aki)
		assert_int_equal(gnutls_x509_crt_set_authority_key_id(crt, aki,
		    sizeof aki), 0);
	assert_int_equal(gnutls_x509_crt_set_key(crt, key), 0);
	assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key,
	    GNUTLS_DIG_SHA256, 0), 0);
	gnutls_x509_privkey_deinit(key);
	return cert_from_crts(&crt, 1);
}

static void
test_ari_made_here(void **state)
{
	static const struct {
		unsigned char	 serial[4];
		size_t		 n;
		const char	*want;
	} t[] = {
		/* A small serial: its one content octet. */
		{ { 0x01 }, 1, "-_-_AQ.AQ" },
		/* Top bit clear: no zero byte. */
		{ { 0x7f, 0xff }, 2, "-_-_AQ.f_8" },
		/* The RFC's rule: a serial with its top bit set is written
		 * with a leading zero byte in DER, and that byte is kept. */
		{ { 0x00, 0x87, 0x65 }, 3, "-_-_AQ.AIdl" },
		/* Without it the DER holds a negative INTEGER (GnuTLS
		 * writes the bytes as given), and the identifier takes the
		 * octets as they are in the DER: no zero is invented. */
		{ { 0x87, 0x65 }, 2, "-_-_AQ.h2U" },
	};
	struct cert	*c;
	char		*id, *cause = NULL;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		c = make_cert(t[i].serial, t[i].n, 1);
		assert_int_equal(acmecert_ari_id(c, &id, &cause), 0);
		assert_string_equal(id, t[i].want);
		free(id);
		cert_free(c);
	}
	c = make_cert(t[0].serial, 1, 0);
	id = (char *)"x";
	assert_int_equal(acmecert_ari_id(c, &id, &cause), -1);
	assert_null(id);
	assert_non_null(strstr(cause, "authority key identifier"));
	free(cause);
	cert_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alpn_cert),
		cmocka_unit_test(test_alpn_fresh_key_each_time),
		cmocka_unit_test(test_alpn_refuses_bad_names),
		cmocka_unit_test(test_ari_rfc9773),
		cmocka_unit_test(test_ari_made_here),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
