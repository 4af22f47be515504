/*
 * The TLS policy of certbindd's sessions, as rules both certbindd and
 * certbind check ask: the GnuTLS priority string of server.tls_profile,
 * the judgement of a priority string (weak-tls), and the client
 * certificate CA file of a binding (client-ca). One function each, so
 * the server and the check cannot disagree.
 */
#ifndef CERTBIND_TLSPROFILE_H
#define CERTBIND_TLSPROFILE_H

#include <stddef.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/*
 * The priority string certbindd uses: explicit (server.priority) when it
 * is not NULL, else the one of profile (server.tls_profile; NULL is
 * "intermediate"). NULL for an unknown profile. Static.
 *
 *   intermediate  TLS 1.2 and 1.3; in 1.2 only ECDHE with AES-GCM or
 *                 ChaCha20-Poly1305 (no CBC, no SHA-1 MAC, no RSA key
 *                 exchange, no finite-field DHE); groups X25519, P-256,
 *                 X448, P-384, P-521, ffdhe2048 and larger; the server's
 *                 order.
 *   modern        TLS 1.3 only, AES-GCM and ChaCha20-Poly1305, the
 *                 server's order.
 */
const char	*tlsprofile_priority(const char *profile, const char *explicit);

/* What tlsprofile_judge() found in a priority string. */
#define TLSPROFILE_OLD_VERSION	0x1	/* SSL 3.0, TLS 1.0 or 1.1 */
#define TLSPROFILE_CBC		0x2	/* a CBC (or other non-AEAD) suite */

/*
 * Whether the priority string prio enables a protocol older than TLS 1.2
 * or a cipher suite that is not AEAD (CBC, RC4, NULL), as GnuTLS reads
 * it. Returns the TLSPROFILE_* bits (0: neither), with *words (if not
 * NULL, allocated) naming them: "TLS1.0, TLS1.1 and 24 CBC suites
 * (TLS_ECDHE_ECDSA_AES_256_CBC_SHA1, ...)" (the first three); or -1 when GnuTLS refuses the
 * string, with *words saying why.
 */
int		 tlsprofile_judge(const char *prio, char **words);

/*
 * The CA certificates a binding verifies client certificates against
 * (client_ca): read with fileio (so certbindd's keeper can open it), and
 * refused when it is missing, unreadable, holds no certificate, holds a
 * certificate that is not a CA (basicConstraints CA:TRUE) or one that has
 * expired at now. Returns 0, or -1 with *cause ("PATH: why").
 */
struct clientca;
int		 clientca_load(const char *path, time_t now,
		     struct clientca **out, char **cause);
void		 clientca_free(struct clientca *);
/* Borrowed, valid until clientca_free(). */
gnutls_x509_trust_list_t clientca_list(const struct clientca *);
size_t		 clientca_count(const struct clientca *);

/* The longest client chain certbindd verifies, in certificates and bytes. */
#define CLIENTCA_MAX_CHAIN	10
#define CLIENTCA_MAX_BYTES	(64 * 1024)

/*
 * Verifies a client's chain (DER, leaf first) against ca: at most
 * CLIENTCA_MAX_CHAIN certificates and CLIENTCA_MAX_BYTES bytes, for TLS
 * client authentication (the extended key usage, when present, must allow
 * it), at the time of the call. Returns 0 when trusted; else -1 with *why (allocated: "a chain of
 * 100 certificates, more than 10", "not trusted: ..."). *status receives
 * GnuTLS's verification status (0 when trusted, GNUTLS_CERT_INVALID for a
 * chain refused before verification), cn the leaf's CN ("" if none; raw,
 * escape it before it is printed).
 */
int		 clientca_verify(const struct clientca *ca,
		     const gnutls_datum_t *chain, unsigned n,
		     unsigned *status, char *cn, size_t cnsize, char **why);

#endif
