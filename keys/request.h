/*
 * Making certificates and requests: CSRs for a CA, self-signed
 * certificates, and PKCS#12 import and export.
 */
#ifndef CERTBIND_REQUEST_H
#define CERTBIND_REQUEST_H

#include <stddef.h>

#include <gnutls/gnutls.h>

struct cert;
struct privkey;

struct subject {
	const char	*cn;
	const char	*org;		/* NULL: none */
	const char	**sans;		/* DNS names or IP addresses */
	size_t		 nsans;
};

/* Checks names as the UI validates while typing: returns -1 with *cause. */
int	subject_check(const struct subject *, char **cause);

/* A PKCS#10 request, PEM, allocated. */
int	request_create(const struct privkey *, const struct subject *,
	    char **pem, size_t *len, char **cause);
/* The public key of a CSR file, for matching a pending key. */
int	request_load_pubkey(const char *path, gnutls_pubkey_t *out,
	    char **cause);
int	request_load_subject(const char *path, char **dn, char **cause);

int	cert_selfsign(const struct privkey *, const struct subject *,
	    unsigned days, struct cert **out, char **cause);

/*
 * PKCS#12: password NULL for none. A wrong password is -1 with a cause
 * that says so. Imports the first key and its chain.
 */
int	pkcs12_import(const void *data, size_t len, const char *name,
	    const char *password, struct privkey **key, struct cert **chain,
	    char **cause);
/*
 * How a PKCS#12 file is made. legacy: 3DES (PKCS#12 PBE) for the key and
 * the certificates and a SHA-1 MAC, which Windows Server 2016 and older
 * and old Java need; else AES-256 (PBES2) and a SHA-256 MAC. friendly:
 * the name Windows shows for the certificate and key, or NULL.
 */
struct pkcs12_export_opts {
	int		 legacy;
	const char	*friendly;
};
/* opts NULL: the modern defaults, no friendly name. */
int	pkcs12_export(const struct privkey *, const struct cert *,
	    const char *password, const struct pkcs12_export_opts *opts,
	    void **der, size_t *len, char **cause);

#endif
