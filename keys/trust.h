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
 * Where the chain from the leaf ends. Only the trust store (the system's
 * bundle and server.trust) holds trust anchors: a self-signed certificate
 * in the file is not one, however complete the chain up to it.
 */
enum chain_state {
	CHAIN_INCOMPLETE = 0,	/* an issuer is nowhere to be found */
	CHAIN_TRUSTED,		/* it reaches a root of the trust store */
	CHAIN_UNTRUSTED_ROOT,	/* it ends at the file's own root */
	CHAIN_SELF_SIGNED	/* the leaf is self-signed, and not trusted */
};

/*
 * Walks from the leaf through the file's own chain and the trust store's
 * intermediates. With CHAIN_INCOMPLETE, *missing (allocated) names the
 * first issuer that could not be found; with CHAIN_UNTRUSTED_ROOT, the
 * file's root that no trust store holds; else it is NULL.
 */
enum chain_state cert_chain_complete(const struct cert *,
		     const struct trust *, char **missing);

/*
 * Completes the chain in place from the trust store's intermediates (not
 * adding the root). Used by install.
 */
void		 cert_chain_fill(struct cert *, const struct trust *);

#endif
