/*
 * certbindd's TLS policy: the priority strings of the tls_profile
 * settings, the judgement of any priority string (certbind check's
 * weak-tls), and the client-certificate CA files of bindings (client-ca,
 * and certbindd's verification). The idea: what a priority string enables
 * is what GnuTLS says it enables (its own parse, the suites it would
 * offer), never a second reading of the string here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/keyutil.h"
#include "keys/tlsprofile.h"

/*
 * Built from GnuTLS keywords (gnutls-cli --priority '...' -l lists what
 * they give): NORMAL with the versions, ciphers, MACs, key exchanges and
 * groups cut down to Mozilla's "intermediate" (without finite-field DHE
 * in TLS 1.2) and "modern" configurations, in the server's order.
 */
#define PRIO_AEAD	"-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:" \
			"+CHACHA20-POLY1305:-MAC-ALL:+AEAD"
#define PRIO_GROUPS	"-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:" \
			"+GROUP-X448:+GROUP-SECP384R1:+GROUP-SECP521R1:" \
			"+GROUP-FFDHE2048:+GROUP-FFDHE3072:+GROUP-FFDHE4096"

static const struct {
	const char	*name;
	const char	*prio;
} profiles[] = {
	{ "intermediate", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:"
	    PRIO_AEAD ":-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:" PRIO_GROUPS
	    ":%SERVER_PRECEDENCE" },
	{ "modern", "NORMAL:-VERS-ALL:+VERS-TLS1.3:" PRIO_AEAD ":"
	    PRIO_GROUPS ":%SERVER_PRECEDENCE" },
};

const char *
tlsprofile_priority(const char *profile, const char *explicit)
{
	size_t	i;

	if (explicit != NULL)
		return explicit;
	if (profile == NULL)
		profile = "intermediate";
	for (i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (strcmp(profiles[i].name, profile) == 0)
			return profiles[i].prio;
	return NULL;
}

/* Appends ", name" (or "name") to *list. */
static void
list_add(char **list, const char *name)
{
	char	*n;

	n = xasprintf("%s%s%s", *list != NULL ? *list : "",
	    *list != NULL ? ", " : "", name);
	free(*list);
	*list = n;
}

/* Whether a suite's cipher is an AEAD one (GCM, CCM, ChaCha20-Poly1305). */
static int
cipher_is_aead(gnutls_cipher_algorithm_t c)
{
	switch (c) {
	case GNUTLS_CIPHER_AES_128_GCM:
	case GNUTLS_CIPHER_AES_256_GCM:
	case GNUTLS_CIPHER_AES_128_CCM:
	case GNUTLS_CIPHER_AES_256_CCM:
	case GNUTLS_CIPHER_AES_128_CCM_8:
	case GNUTLS_CIPHER_AES_256_CCM_8:
	case GNUTLS_CIPHER_CHACHA20_POLY1305:
	case GNUTLS_CIPHER_CAMELLIA_128_GCM:
	case GNUTLS_CIPHER_CAMELLIA_256_GCM:
	case GNUTLS_CIPHER_GOST28147_TC26Z_CNT:
		return 1;
	default:
		return 0;
	}
}

int
tlsprofile_judge(const char *prio, char **words)
{
	gnutls_priority_t		 p;
	gnutls_cipher_algorithm_t	 c;
	gnutls_kx_algorithm_t		 kx;
	gnutls_mac_algorithm_t		 mac;
	gnutls_protocol_t		 minv;
	const unsigned int		*v;
	const char			*err = NULL, *name;
	char				*vers = NULL, *cbc = NULL;
	static const gnutls_protocol_t	 old[] = {
		GNUTLS_SSL3, GNUTLS_TLS1_0, GNUTLS_TLS1_1
	};
	unsigned			 idx, sidx, ncbc = 0;
	size_t				 j;
	int				 n, i, r, bits = 0;

	if (words != NULL)
		*words = NULL;
	if ((r = gnutls_priority_init(&p, prio, &err)) < 0) {
		if (words != NULL)
			*words = xasprintf("%s at \"%s\"", gnutls_strerror(r),
			    err != NULL ? err : "");
		return -1;
	}
	/* DTLS is not certbindd's; these are the old ones, oldest first. */
	n = gnutls_priority_protocol_list(p, &v);
	for (j = 0; j < sizeof old / sizeof old[0]; j++) {
		for (i = 0; i < n; i++)
			if (v[i] == old[j])
				break;
		if (i == n)
			continue;
		bits |= TLSPROFILE_OLD_VERSION;
		list_add(&vers, gnutls_protocol_get_name(old[j]));
	}
	/* The suites GnuTLS would offer, as gnutls-cli -l lists them. */
	for (idx = 0; ; idx++) {
		r = gnutls_priority_get_cipher_suite_index(p, idx, &sidx);
		if (r == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (r != 0)
			continue;
		name = gnutls_cipher_suite_info(sidx, NULL, &kx, &c, &mac,
		    &minv);
		if (name == NULL || cipher_is_aead(c))
			continue;
		bits |= TLSPROFILE_CBC;
		if (ncbc++ < 3)
			list_add(&cbc, name);
	}
	gnutls_priority_deinit(p);
	if (words != NULL && bits != 0 && ncbc == 0)
		*words = xstrdup(vers);
	else if (words != NULL && bits != 0)
		*words = xasprintf("%s%s%u CBC suite%s (%s%s)",
		    vers != NULL ? vers : "", vers != NULL ? " and " : "",
		    ncbc, ncbc == 1 ? "" : "s", cbc, ncbc > 3 ? ", ..." : "");
	free(vers);
	free(cbc);
	return bits;
}

/* A copy of crt, through its DER. */
static int
crt_copy(gnutls_x509_crt_t from, gnutls_x509_crt_t to)
{
	gnutls_datum_t	der = { NULL, 0 };
	int		r;

	if ((r = gnutls_x509_crt_export2(from, GNUTLS_X509_FMT_DER, &der)) < 0)
		return r;
	r = gnutls_x509_crt_import(to, &der, GNUTLS_X509_FMT_DER);
	gnutls_free(der.data);
	return r;
}

struct clientca {
	gnutls_x509_trust_list_t	 tl;
	size_t				 n;
};

void
clientca_free(struct clientca *ca)
{
	if (ca == NULL)
		return;
	if (ca->tl != NULL)
		gnutls_x509_trust_list_deinit(ca->tl, 1);
	free(ca);
}

gnutls_x509_trust_list_t
clientca_list(const struct clientca *ca)
{
	return ca->tl;
}

size_t
clientca_count(const struct clientca *ca)
{
	return ca->n;
}

int
clientca_load(const char *path, time_t now, struct clientca **out,
    char **cause)
{
	struct clientca		*ca;
	struct cert		*c;
	gnutls_x509_crt_t	 crt;
	unsigned		 critical = 0;
	char			*dn;
	size_t			 i, n;
	int			 r;

	*out = NULL;
	if (cert_load(path, &c, cause) != 0)
		return -1;
	n = cert_chain_len(c);
	for (i = 0; i < n; i++) {
		crt = cert_crt(c, i);
		r = gnutls_x509_crt_get_basic_constraints(crt, &critical,
		    NULL, NULL);
		if (r <= 0 || gnutls_x509_crt_get_expiration_time(crt) <=
		    now) {
			dn = keyutil_crt_dn(crt, 0);
			if (cause != NULL)
				*cause = keyutil_cause(path, "certificate %zu "
				    "of %zu (%s) %s", i + 1, n, dn, r <= 0 ?
				    "is not a CA certificate (no basic "
				    "constraints CA:TRUE): client_ca names "
				    "the CA that issued the clients' "
				    "certificates" : "has expired");
			free(dn);
			cert_free(c);
			return -1;
		}
	}
	ca = xcalloc(1, sizeof *ca);
	if ((r = gnutls_x509_trust_list_init(&ca->tl, 0)) < 0) {
		ca->tl = NULL;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if ((r = gnutls_x509_crt_init(&crt)) < 0)
			goto fail;
		if ((r = crt_copy(cert_crt(c, i), crt)) < 0 ||
		    (r = gnutls_x509_trust_list_add_cas(ca->tl, &crt, 1,
		    0)) != 1) {
			gnutls_x509_crt_deinit(crt);
			if (r >= 0)
				r = GNUTLS_E_INTERNAL_ERROR;
			goto fail;
		}
		ca->n++;
	}
	cert_free(c);
	*out = ca;
	return 0;

fail:
	if (cause != NULL)
		*cause = keyutil_cause(path, "cannot use the CA certificates: "
		    "%s", gnutls_strerror(r));
	clientca_free(ca);
	cert_free(c);
	return -1;
}

int
clientca_verify(const struct clientca *ca, const gnutls_datum_t *chain,
    unsigned n, unsigned *status, char *cn, size_t cnsize, char **why)
{
	gnutls_x509_crt_t	*crts;
	gnutls_typed_vdata_st	 purpose;
	gnutls_datum_t		 out = { NULL, 0 };
	size_t			 total = 0, len;
	unsigned		 i, ok = 0;
	int			 r;

	*status = GNUTLS_CERT_INVALID;
	*why = NULL;
	if (cnsize > 0)
		cn[0] = '\0';
	for (i = 0; i < n; i++)
		total += chain[i].size;
	if (n == 0) {
		*why = xstrdup("no certificate");
		return -1;
	}
	if (n > CLIENTCA_MAX_CHAIN) {
		*why = xasprintf("a chain of %u certificates, more than %d",
		    n, CLIENTCA_MAX_CHAIN);
		return -1;
	}
	if (total > CLIENTCA_MAX_BYTES) {
		*why = xasprintf("a chain of %zu bytes, more than %d", total,
		    CLIENTCA_MAX_BYTES);
		return -1;
	}
	crts = xcalloc(n, sizeof *crts);
	for (i = 0; i < n; i++) {
		if ((r = gnutls_x509_crt_init(&crts[i])) < 0 ||
		    (r = gnutls_x509_crt_import(crts[i], &chain[i],
		    GNUTLS_X509_FMT_DER)) < 0) {
			*why = xasprintf("certificate %u of the chain cannot "
			    "be parsed: %s", i + 1, gnutls_strerror(r));
			n = i + 1;
			goto out;
		}
	}
	len = cnsize;
	if (cnsize > 0 && gnutls_x509_crt_get_dn_by_oid(crts[0],
	    GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len) < 0)
		cn[0] = '\0';
	memset(&purpose, 0, sizeof purpose);
	purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
	purpose.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT;
	r = gnutls_x509_trust_list_verify_crt2(ca->tl, crts, n, &purpose, 1,
	    0, status, NULL);
	if (r < 0) {
		*status = GNUTLS_CERT_INVALID;
		*why = xasprintf("verification failed: %s", gnutls_strerror(r));
	} else if (*status != 0) {
		if (gnutls_certificate_verification_status_print(*status,
		    GNUTLS_CRT_X509, &out, 0) == 0) {
			/* GnuTLS ends each sentence with a space. */
			len = strlen((char *)out.data);
			while (len > 0 && out.data[len - 1] == ' ')
				out.data[--len] = '\0';
			*why = xasprintf("not trusted: %s", out.data);
			gnutls_free(out.data);
		} else
			*why = xstrdup("not trusted");
	} else
		ok = 1;
out:
	for (i = 0; i < n; i++)
		if (crts[i] != NULL)
			gnutls_x509_crt_deinit(crts[i]);
	free(crts);
	return ok ? 0 : -1;
}
