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
/*
 * Frees the parsed certificates, keeping what was read from them (names,
 * dates, key and signature types, fingerprint): cert_chain_len() is 0
 * after it. For a caller that holds thousands (check keeps every key's
 * names for the sni checks), where the parsed DER is most of the memory.
 */
void		 cert_drop_parsed(struct cert *);
/* Borrowed; valid until cert_free(). 0 is the leaf. */
gnutls_x509_crt_t cert_crt(const struct cert *, size_t);

/*
 * Appends a copy of crt to the chain (cert_chain_fill() does, from the
 * trust store). Returns 0, or -1 if it could not be copied.
 */
int		 cert_chain_append(struct cert *, gnutls_x509_crt_t crt);

/* PEM of the whole chain, leaf first. Allocated. */
char		*cert_export_pem(const struct cert *, size_t *len);

/* The trust store and the chain checks, for every caller of this header. */
#include "keys/trust.h"

#endif
