/*
 * The trust store, and the chain checks that walk from a leaf up to a
 * root through the file's own intermediates and the store's. The chain
 * functions are named for the certificate they take; they live with the
 * store they search (trust.c). keys/cert.h includes this header.
 */
#ifndef CERTBIND_TRUST_H
#define CERTBIND_TRUST_H

struct cert;

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

#endif
