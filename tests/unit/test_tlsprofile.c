/*
 * certbindd's TLS policy (keys/tlsprofile.c) and the findings that ask
 * it (op/check.c): the profiles' priority strings, the judgement of a
 * priority string as a table, client CA files made here with GnuTLS (a
 * CA, a leaf it signs, a leaf that is not a CA, an expired CA), the
 * verification of client chains with their limits, and certbind
 * check's weak-tls and client-ca findings.
 */
#include <sys/stat.h>

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
#include <gnutls/x509.h>

#include "core/config.h"
#include "keys/tlsprofile.h"
#include "op/check.h"
#include "tests/unit/unit.h"
#include "util/xmalloc.h"

static void
test_priority_of_profile(void **state)
{
	const char	*i = tlsprofile_priority(NULL, NULL);
	const char	*m = tlsprofile_priority("modern", NULL);

	assert_non_null(i);
	assert_string_equal(tlsprofile_priority("intermediate", NULL), i);
	assert_non_null(strstr(i, "+VERS-TLS1.2"));
	assert_non_null(strstr(i, "%SERVER_PRECEDENCE"));
	assert_non_null(m);
	assert_null(strstr(m, "+VERS-TLS1.2"));
	assert_non_null(strstr(m, "%SERVER_PRECEDENCE"));
	assert_null(tlsprofile_priority("legacy", NULL));
	/* An explicit priority wins over any profile. */
	assert_string_equal(tlsprofile_priority("modern", "NORMAL"), "NORMAL");
	assert_string_equal(tlsprofile_priority(NULL, "SECURE256"),
	    "SECURE256");
}

/* What each priority string enables, as GnuTLS reads it. */
static void
test_judge_table(void **state)
{
	static const struct {
		const char	*prio;
		int		 bits;
		const char	*word;		/* in *words, or NULL */
	} t[] = {
		{ NULL, 0, NULL },			/* intermediate */
		{ "@modern", 0, NULL },
		{ "NORMAL", TLSPROFILE_OLD_VERSION | TLSPROFILE_CBC,
		    "TLS1.0, TLS1.1 and " },
		{ "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1", TLSPROFILE_CBC,
		    "CBC suites (" },
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.3", 0, NULL },
		{ "NORMAL:-CIPHER-ALL:+AES-128-GCM:-MAC-ALL:+AEAD",
		    TLSPROFILE_OLD_VERSION, "TLS1.1" },
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-CBC",
		    TLSPROFILE_CBC, "4 CBC suites" },
		{ "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:-CIPHER-ALL:"
		    "+AES-128-GCM:-MAC-ALL:+AEAD", TLSPROFILE_OLD_VERSION,
		    "TLS1.1" },
		{ "SECURE128:+VERS-TLS1.0", TLSPROFILE_OLD_VERSION |
		    TLSPROFILE_CBC, "TLS1.0" },
		{ "NORMAL:+NO-SUCH-THING", -1, "at \"" },
		{ "", -1, NULL },
	};
	const char	*p;
	char		*words;
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		p = t[i].prio;
		if (p == NULL)
			p = tlsprofile_priority(NULL, NULL);
		else if (strcmp(p, "@modern") == 0)
			p = tlsprofile_priority("modern", NULL);
		r = tlsprofile_judge(p, &words);
		if (r != t[i].bits)
			fail_msg("case %zu \"%s\": %d, not %d (%s)", i, p, r,
			    t[i].bits, words != NULL ? words : "-");
		if (t[i].bits == 0)
			assert_null(words);
		if (t[i].word != NULL && strstr(words, t[i].word) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, words,
			    t[i].word);
		free(words);
	}
	assert_int_equal(tlsprofile_judge("NORMAL", NULL),
	    TLSPROFILE_OLD_VERSION | TLSPROFILE_CBC);
}

/* Certificates made with GnuTLS for the CA tests. */
struct pki {
	char			 dir[64];
	gnutls_x509_privkey_t	 cakey;
	gnutls_x509_crt_t	 ca;
};

static gnutls_x509_privkey_t
mkkey(void)
{
	gnutls_x509_privkey_t	k;

	assert_int_equal(gnutls_x509_privkey_init(&k), 0);
	assert_int_equal(gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	return k;
}

/*
 * A certificate for key, CN cn, signed by (issuer, ikey) or self-signed
 * when issuer is NULL; a CA when ca; valid from now - 1 day to now +
 * days (negative: expired).
 */
static gnutls_x509_crt_t
mkcrt(gnutls_x509_privkey_t key, const char *cn, int ca, int days,
    gnutls_x509_crt_t issuer, gnutls_x509_privkey_t ikey)
{
	static unsigned char	serial = 1;
	gnutls_x509_crt_t	c;
	time_t			now = time(NULL);

	assert_int_equal(gnutls_x509_crt_init(&c), 0);
	assert_int_equal(gnutls_x509_crt_set_version(c, 3), 0);
	serial++;
	assert_int_equal(gnutls_x509_crt_set_serial(c, &serial, 1), 0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(c,
	    GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen(cn)), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(c,
	    now - (days < 0 ? 400 : 1) * 86400), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(c,
	    now + (time_t)days * 86400), 0);
	assert_int_equal(gnutls_x509_crt_set_key(c, key), 0);
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(c, ca, -1), 0);
	if (ca)
		assert_int_equal(gnutls_x509_crt_set_key_usage(c,
		    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), 0);
	else
		assert_int_equal(gnutls_x509_crt_set_key_purpose_oid(c,
		    GNUTLS_KP_TLS_WWW_CLIENT, 0), 0);
	assert_int_equal(gnutls_x509_crt_sign2(c, issuer != NULL ? issuer : c,
	    issuer != NULL ? ikey : key, GNUTLS_DIG_SHA256, 0), 0);
	return c;
}

static char *
write_pem(const char *dir, const char *name, gnutls_x509_crt_t *c,
    size_t n)
{
	gnutls_datum_t	 d;
	char		*path = xasprintf("%s/%s", dir, name);
	FILE		*f;
	size_t		 i;

	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i < n; i++) {
		assert_int_equal(gnutls_x509_crt_export2(c[i],
		    GNUTLS_X509_FMT_PEM, &d), 0);
		fwrite(d.data, 1, d.size, f);
		gnutls_free(d.data);
	}
	fclose(f);
	return path;
}

static int
pki_setup(void **state)
{
	struct pki	*p = xcalloc(1, sizeof *p);

	snprintf(p->dir, sizeof p->dir, "/tmp/test_tlsprofile.XXXXXX");
	if (mkdtemp(p->dir) == NULL)
		return -1;
	p->cakey = mkkey();
	p->ca = mkcrt(p->cakey, "Test Client CA", 1, 30, NULL, NULL);
	*state = p;
	return 0;
}

static int
pki_teardown(void **state)
{
	struct pki	*p = *state;
	char		*cmd;

	gnutls_x509_crt_deinit(p->ca);
	gnutls_x509_privkey_deinit(p->cakey);
	cmd = xasprintf("rm -rf '%s'", p->dir);
	if (system(cmd) != 0)
		print_error("could not remove %s\n", p->dir);
	free(cmd);
	free(p);
	return 0;
}

static gnutls_datum_t
der_of(gnutls_x509_crt_t c)
{
	gnutls_datum_t	d;

	assert_int_equal(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER, &d),
	    0);
	return d;
}

static void
test_clientca_load(void **state)
{
	struct pki		*p = *state;
	struct clientca		*ca;
	gnutls_x509_privkey_t	 k = mkkey();
	gnutls_x509_crt_t	 leaf, old, both[2];
	char			*path, *cause;
	time_t			 now = time(NULL);

	path = write_pem(p->dir, "ca.pem", &p->ca, 1);
	assert_int_equal(clientca_load(path, now, &ca, &cause), 0);
	assert_int_equal(clientca_count(ca), 1);
	assert_non_null(clientca_list(ca));
	clientca_free(ca);
	/* It expires in 30 days: at now + 31 days it is refused. */
	assert_int_equal(clientca_load(path, now + 31 * 86400, &ca, &cause),
	    -1);
	assert_null(ca);
	assert_non_null(strstr(cause, "has expired"));
	free(cause);
	free(path);

	leaf = mkcrt(k, "not a ca", 0, 30, p->ca, p->cakey);
	path = write_pem(p->dir, "leaf.pem", &leaf, 1);
	assert_int_equal(clientca_load(path, now, &ca, &cause), -1);
	assert_non_null(strstr(cause, "not a CA certificate"));
	free(cause);
	free(path);

	old = mkcrt(k, "Old CA", 1, -2, NULL, NULL);
	both[0] = p->ca;
	both[1] = old;
	path = write_pem(p->dir, "both.pem", both, 2);
	assert_int_equal(clientca_load(path, now, &ca, &cause), -1);
	assert_non_null(strstr(cause, "certificate 2 of 2"));
	assert_non_null(strstr(cause, "has expired"));
	free(cause);
	free(path);

	path = xasprintf("%s/missing.pem", p->dir);
	assert_int_equal(clientca_load(path, now, &ca, &cause), -1);
	assert_non_null(strstr(cause, "missing.pem"));
	free(cause);
	free(path);

	path = write_pem(p->dir, "empty.pem", NULL, 0);
	assert_int_equal(clientca_load(path, now, &ca, &cause), -1);
	free(cause);
	free(path);

	gnutls_x509_crt_deinit(leaf);
	gnutls_x509_crt_deinit(old);
	gnutls_x509_privkey_deinit(k);
}

static void
test_clientca_verify(void **state)
{
	struct pki		*p = *state;
	struct clientca		*ca;
	gnutls_x509_privkey_t	 k = mkkey(), ok2 = mkkey();
	gnutls_x509_crt_t	 good, self, other, otherleaf;
	gnutls_datum_t		 chain[CLIENTCA_MAX_CHAIN + 2], big[2];
	char			*path, *cause, *why, cn[256];
	unsigned		 status;
	size_t			 i;

	path = write_pem(p->dir, "ca.pem", &p->ca, 1);
	assert_int_equal(clientca_load(path, time(NULL), &ca, &cause), 0);
	free(path);

	good = mkcrt(k, "alice", 0, 30, p->ca, p->cakey);
	chain[0] = der_of(good);
	assert_int_equal(clientca_verify(ca, chain, 1, &status, cn, sizeof cn,
	    &why), 0);
	assert_int_equal(status, 0);
	assert_string_equal(cn, "alice");
	assert_null(why);

	/* Self-signed, and signed by another CA: not trusted. */
	self = mkcrt(k, "mallory", 0, 30, NULL, NULL);
	chain[1] = der_of(self);
	assert_int_equal(clientca_verify(ca, &chain[1], 1, &status, cn,
	    sizeof cn, &why), -1);
	assert_int_not_equal(status, 0);
	assert_string_equal(cn, "mallory");
	assert_non_null(strstr(why, "not trusted"));
	free(why);
	other = mkcrt(ok2, "Other CA", 1, 30, NULL, NULL);
	otherleaf = mkcrt(k, "bob", 0, 30, other, ok2);
	gnutls_free(chain[1].data);
	chain[1] = der_of(otherleaf);
	assert_int_equal(clientca_verify(ca, &chain[1], 1, &status, cn,
	    sizeof cn, &why), -1);
	assert_int_not_equal(status, 0);
	free(why);
	gnutls_free(chain[1].data);

	/* None, and more than CLIENTCA_MAX_CHAIN. */
	assert_int_equal(clientca_verify(ca, chain, 0, &status, cn, sizeof cn,
	    &why), -1);
	assert_string_equal(why, "no certificate");
	free(why);
	for (i = 1; i < CLIENTCA_MAX_CHAIN + 1; i++)
		chain[i] = chain[0];
	assert_int_equal(clientca_verify(ca, chain, CLIENTCA_MAX_CHAIN + 1,
	    &status, cn, sizeof cn, &why), -1);
	assert_int_equal(status, GNUTLS_CERT_INVALID);
	assert_non_null(strstr(why, "more than 10"));
	free(why);

	/* Over CLIENTCA_MAX_BYTES, whatever the bytes are. */
	big[0] = chain[0];
	big[1].size = CLIENTCA_MAX_BYTES;
	big[1].data = xcalloc(1, big[1].size);
	assert_int_equal(clientca_verify(ca, big, 2, &status, cn, sizeof cn,
	    &why), -1);
	assert_non_null(strstr(why, "bytes, more than 65536"));
	free(why);
	free(big[1].data);

	/* Garbage as a certificate. */
	big[1].size = 10;
	big[1].data = (unsigned char *)"0123456789";
	assert_int_equal(clientca_verify(ca, &big[1], 1, &status, cn,
	    sizeof cn, &why), -1);
	assert_non_null(strstr(why, "cannot be parsed"));
	free(why);

	gnutls_free(chain[0].data);
	clientca_free(ca);
	gnutls_x509_crt_deinit(good);
	gnutls_x509_crt_deinit(self);
	gnutls_x509_crt_deinit(other);
	gnutls_x509_crt_deinit(otherleaf);
	gnutls_x509_privkey_deinit(k);
	gnutls_x509_privkey_deinit(ok2);
}

/* The findings of code in text (a config), as "object" lines. */
static char *
findings_of(const char *text, const char *code, enum severity *sev)
{
	struct config		*cfg = unit_load(text);
	struct findings		 f = FINDINGS_INIT;
	struct check_opts	 o;
	char			*all = xstrdup(""), *n;
	size_t			 i;

	check_opts_default(&o);
	o.offline = 1;
	check_config(cfg, &o, &f);
	for (i = 0; i < f.n; i++) {
		if (strcmp(f.v[i].code, code) != 0)
			continue;
		n = xasprintf("%s%s: %s\n", all, f.v[i].object,
		    f.v[i].message);
		free(all);
		all = n;
		if (sev != NULL)
			*sev = f.v[i].severity;
	}
	findings_clear(&f);
	config_free(cfg);
	return all;
}

static void
test_check_weak_tls(void **state)
{
	static const struct {
		const char	*server;
		const char	*want;		/* "" for no finding */
		enum severity	 sev;
	} t[] = {
		{ "", "", 0 },
		{ "tls_profile = \"modern\";", "", 0 },
		{ "priority = \"NORMAL:-VERS-ALL:+VERS-TLS1.3\";", "", 0 },
		{ "priority = \"NORMAL\";", "server.priority: the priority "
		    "string enables TLS1.0, TLS1.1 and ", SEV_WARNING },
		{ "priority = \"NORMAL:-VERS-TLS1.0:-VERS-TLS1.1\";",
		    "CBC suite", SEV_WARNING },
		{ "priority = \"NORMAL:+BOGUS\";", "GnuTLS refuses",
		    SEV_ERROR },
	};
	enum severity	 sev;
	char		*text, *got;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		text = xasprintf("version = 1;\nserver = { %s };\n",
		    t[i].server);
		sev = SEV_INFO;
		got = findings_of(text, F_WEAK_TLS, &sev);
		if (t[i].want[0] == '\0' && got[0] != '\0')
			fail_msg("case %zu: unexpected %s", i, got);
		if (t[i].want[0] != '\0' && (strstr(got, t[i].want) == NULL ||
		    sev != t[i].sev))
			fail_msg("case %zu: \"%s\" not in \"%s\" (sev %d)", i,
			    t[i].want, got, (int)sev);
		free(got);
		free(text);
	}
}

static void
test_check_client_ca(void **state)
{
	struct pki		*p = *state;
	gnutls_x509_privkey_t	 k = mkkey();
	gnutls_x509_crt_t	 leaf, old;
	enum severity		 sev = SEV_INFO;
	char			*good, *notca, *expired, *text, *got;

	good = write_pem(p->dir, "ca.pem", &p->ca, 1);
	leaf = mkcrt(k, "leaf", 0, 30, p->ca, p->cakey);
	notca = write_pem(p->dir, "leaf.pem", &leaf, 1);
	old = mkcrt(k, "Old CA", 1, -1, NULL, NULL);
	expired = write_pem(p->dir, "old.pem", &old, 1);
	text = xasprintf("version = 1;\n"
	    "keys = ( { name = \"k\"; key = \"/nonexistent/k.key\"; } );\n"
	    "bindings = (\n"
	    "  { key = \"k\"; endpoint = \"127.0.0.2:443\"; sni = \"a.test\";"
	    " client_ca = \"%s\"; },\n"
	    "  { key = \"k\"; endpoint = \"127.0.0.2:443\"; sni = \"b.test\";"
	    " client_ca = \"%s\"; client_auth = \"optional\"; },\n"
	    "  { key = \"k\"; endpoint = \"127.0.0.2:443\"; sni = \"c.test\";"
	    " client_ca = \"%s\"; },\n"
	    "  { key = \"k\"; endpoint = \"127.0.0.2:443\"; sni = \"d.test\";"
	    " client_ca = \"%s/none.pem\"; },\n"
	    "  { key = \"k\"; endpoint = \"127.0.0.2:443\"; sni = \"e.test\"; }\n"
	    ");\n", good, notca, expired, p->dir);
	got = findings_of(text, F_CLIENT_CA, &sev);
	assert_int_equal(sev, SEV_ERROR);
	if (strstr(got, "a.test") != NULL || strstr(got, "e.test") != NULL)
		fail_msg("a good CA, or none, gave a finding: %s", got);
	if (strstr(got, "b.test") == NULL || strstr(got, "not a CA") == NULL)
		fail_msg("a leaf as client_ca: %s", got);
	if (strstr(got, "c.test") == NULL || strstr(got, "has expired") ==
	    NULL)
		fail_msg("an expired CA: %s", got);
	if (strstr(got, "d.test") == NULL || strstr(got, "none.pem") == NULL)
		fail_msg("a missing CA file: %s", got);
	assert_non_null(strstr(got, "line 5"));
	free(got);
	free(text);
	free(good);
	free(notca);
	free(expired);
	gnutls_x509_crt_deinit(leaf);
	gnutls_x509_crt_deinit(old);
	gnutls_x509_privkey_deinit(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority_of_profile),
		cmocka_unit_test(test_judge_table),
		cmocka_unit_test_setup_teardown(test_clientca_load, pki_setup,
		    pki_teardown),
		cmocka_unit_test_setup_teardown(test_clientca_verify,
		    pki_setup, pki_teardown),
		cmocka_unit_test(test_check_weak_tls),
		cmocka_unit_test_setup_teardown(test_check_client_ca,
		    pki_setup, pki_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
