/*
 * Certificates, parsed once with GnuTLS into plain fields. A struct cert is
 * a chain as found in a file: the leaf first, then whatever intermediates
 * followed it. Every string returned here came from the certificate and is
 * attacker-controlled: pass it through escape_str() before showing it.
 */
#ifndef CERTBIND_CERT_H
#define CERTBIND_CERT_H

#include <stddef.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

struct cert;

/* PEM (with chain) or DER. Returns 0, or -1 with *cause naming the file. */
int		 cert_load(const char *path, struct cert **out, char **cause);
int		 cert_load_mem(const void *data, size_t len, const char *name,
		     struct cert **out, char **cause);
/* Takes ownership of crts[0..n-1] (leaf first). */
struct cert	*cert_from_crts(gnutls_x509_crt_t *crts, size_t n);
void		 cert_free(struct cert *);

/* Borrowed strings, valid until cert_free(). */
const char	*cert_subject(const struct cert *);	/* RFC 4514 DN */
const char	*cert_issuer(const struct cert *);
const char	*cert_cn(const struct cert *);		/* "" if none */
size_t		 cert_nsans(const struct cert *);
/* is_ip: 1 for an iPAddress SAN (text form), 0 for a dNSName. */
const char	*cert_san(const struct cert *, size_t, int *is_ip);
time_t		 cert_not_before(const struct cert *);
time_t		 cert_not_after(const struct cert *);
/* Whole days until not_after, negative once expired. */
long		 cert_days_left(const struct cert *, time_t now);
const char	*cert_key_type(const struct cert *);	/* "RSA", "ECDSA P-256", "Ed25519" */
unsigned	 cert_key_bits(const struct cert *);
const char	*cert_sig_algo(const struct cert *);	/* "RSA-SHA256" ... */
int		 cert_sig_is_weak(const struct cert *);	/* SHA-1 or MD5 */
/* SHA-256 of the leaf's DER, lower-case hex with colons. */
const char	*cert_fingerprint(const struct cert *);
int		 cert_is_self_signed(const struct cert *);
/* Whether the certificate's names cover host (DNS, wildcard or IP). */
int		 cert_covers_name(const struct cert *, const char *host);

size_t		 cert_chain_len(const struct cert *);
/* Borrowed; valid until cert_free(). 0 is the leaf. */
gnutls_x509_crt_t cert_crt(const struct cert *, size_t);

/*
 * A trust store: the system bundle (default
 * /etc/ssl/certs/ca-certificates.crt) plus extra certificates. Loaded once
 * and shared by every chain check.
 */
struct trust;

#define TRUST_DEFAULT_FILE	"/etc/ssl/certs/ca-certificates.crt"

/* file NULL: the default. A missing bundle gives an empty store, not -1. */
int		 trust_load(const char *file, struct trust **out, char **cause);
void		 trust_free(struct trust *);
/* Adds the certificates in a file as possible intermediates. */
int		 trust_add_intermediates(struct trust *, const char *path,
		     char **cause);

/*
 * Whether the chain from the leaf reaches a root: every issuer is found in
 * the file's own chain, the trust store's intermediates or its roots.
 * Returns 1 complete, 0 incomplete (with *missing, allocated, naming the
 * first issuer that could not be found).
 */
int		 cert_chain_complete(const struct cert *, const struct trust *,
		     char **missing);

/*
 * Completes the chain in place from the trust store's intermediates (not
 * adding the root). Used by install.
 */
void		 cert_chain_fill(struct cert *, const struct trust *);

/* PEM of the whole chain, leaf first. Allocated. */
char		*cert_export_pem(const struct cert *, size_t *len);

#endif
