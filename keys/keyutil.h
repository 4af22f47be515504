/*
 * What the files of keys/ share: the names of public key algorithms, so a
 * key and its certificate are described alike, and error causes that
 * quote a file name safely.
 */
#ifndef CERTBIND_KEYUTIL_H
#define CERTBIND_KEYUTIL_H

/* "RSA", "ECDSA P-256", "Ed25519" ... for a GnuTLS pk algorithm. */
char	*keyutil_pk_name(int pk, unsigned bits);

/* "NAME: message", the name escaped: it came from a config or a user. */
char	*keyutil_cause(const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
