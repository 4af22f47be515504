/*
 * The fast signer: certbindd's server keys signing with OpenSSL's libcrypto
 * while GnuTLS stays the TLS stack. GnuTLS/nettle signs about 720 RSA-2048
 * operations a second on the project's machine against OpenSSL's 4,100, and
 * the signature is most of an RSA handshake; GnuTLS lets a key sign through
 * callbacks (gnutls_privkey_import_ext4), so the handshake, the hashing of
 * the transcript and everything else stay GnuTLS's and only the private-key
 * operation moves.
 *
 * Built in when the Makefile's OPENSSL is yes (the default); `server.signer
 * = "gnutls"` turns it off per config. A key OpenSSL cannot take is signed
 * by GnuTLS, and fastsign_import() says why, so certbindd logs one line and
 * serves it: never a refused start.
 */
#ifndef CERTBIND_FASTSIGN_H
#define CERTBIND_FASTSIGN_H

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

/* OpenSSL's version text ("OpenSSL 3.0.19 ..."), NULL in a build without. */
const char	*fastsign_engine(void);

/*
 * Makes *out, an abstract key whose signatures OpenSSL computes, from x509,
 * which is left to the caller (it is copied: the caller frees it, wiping
 * it). The key material passes through one DER buffer that is wiped before
 * it is freed; OpenSSL clears its copy when *out is deinitialised.
 * Returns 0, or -1 with *why saying why OpenSSL cannot sign with this key
 * (the key type, or what OpenSSL said), never with the key in it.
 */
int		 fastsign_import(gnutls_x509_privkey_t x509,
		     gnutls_privkey_t *out, char **why);

#endif
