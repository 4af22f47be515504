/*
 * Private keys. Key material is wiped before it is freed and never leaves
 * this module as text except through privkey_export_pem() into a file
 * created 0600. Nothing here logs or prints.
 */
#ifndef CERTBIND_PRIVKEY_H
#define CERTBIND_PRIVKEY_H

#include <sys/stat.h>
#include <stddef.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>

struct cert;
struct privkey;

enum key_type {
	KEY_ECDSA_P256,
	KEY_ECDSA_P384,
	KEY_ED25519,
	KEY_RSA_2048,
	KEY_RSA_3072,
	KEY_RSA_4096
};

/* What --key-type means when it is not given. */
#define KEY_TYPE_DEFAULT	KEY_ECDSA_P256

/*
 * The key types are one table in privkey.c; everything that names, lists
 * or offers them asks it. "ecdsa-p256" ... (and the short "ecdsa", "rsa");
 * -1 for an unknown name.
 */
int		 key_type_parse(const char *);
const char	*key_type_name(enum key_type);
/* How many types there are, and the name of the i-th (NULL past the end). */
size_t		 key_type_count(void);
const char	*key_type_nth(size_t i);
/* "ecdsa-p256, ecdsa-p384, ... or rsa-4096", allocated. */
char		*key_type_list(void);
/*
 * The type to make for a key like an existing one (renew): gnutls pk
 * algorithm and bits as gnutls reports them for a key or certificate.
 */
enum key_type	 key_type_like(int pk, unsigned bits);

/*
 * PKCS#8, PKCS#1 or SEC1, PEM or DER. The file is opened without following
 * symbolic links; st receives fstat() of the opened file, for the
 * key-permissions check. Returns 0, or -1 with *cause naming the file.
 */
int		 privkey_load(const char *path, struct privkey **out,
		     struct stat *st, char **cause);
int		 privkey_load_mem(const void *data, size_t len,
		     const char *name, struct privkey **out, char **cause);
/*
 * Whether data holds a PEM private key encrypted with a password:
 * "ENCRYPTED PRIVATE KEY" (PKCS#8) or OpenSSL's "Proc-Type: 4,ENCRYPTED".
 */
int		 privkey_is_encrypted(const void *data, size_t len);
/*
 * privkey_load_mem() for a key that may be encrypted: decrypted with
 * password (for import; the store keeps keys unencrypted, mode 0600, as
 * certbindd reads them). A wrong password says so.
 */
int		 privkey_decrypt_mem(const void *data, size_t len,
		     const char *name, const char *password,
		     struct privkey **out, char **cause);
int		 privkey_generate(enum key_type, struct privkey **out,
		     char **cause);
void		 privkey_free(struct privkey *);

/* Whether the key belongs to the certificate's leaf. */
int		 privkey_matches_cert(const struct privkey *,
		     const struct cert *);
/* Whether the public key of a CSR or cert equals this key's. */
int		 privkey_matches_pubkey(const struct privkey *,
		     gnutls_pubkey_t);
const char	*privkey_type(const struct privkey *);
unsigned	 privkey_bits(const struct privkey *);

/* Creates path O_EXCL with mode (fchmod, whatever the umask): PKCS#8 PEM. */
int		 privkey_save(const struct privkey *, const char *path,
		     mode_t mode, char **cause);
/* Borrowed GnuTLS handles, valid until privkey_free(). */
gnutls_x509_privkey_t privkey_x509(const struct privkey *);

/*
 * Credentials for a TLS server: key and chain as GnuTLS pcerts. Loaded
 * entirely into memory; the server calls this only at load/reload time.
 * With ids not NULL the key file must pass keyfile_policy(), judged on
 * the descriptor the key was read from, so no file can be swapped in
 * between the check and the read.
 */
struct tlscred;
struct keyfile_ids;
/*
 * flags: TLSCRED_OPENSSL signs with OpenSSL's libcrypto where it can take
 * the key (keys/fastsign.h); where it cannot, GnuTLS signs, the load still
 * succeeds and *note (when note is not NULL) says why, for one log line.
 */
#define TLSCRED_OPENSSL	0x1
int		 tlscred_load(const char *key_path, const char *cert_path,
		     const struct keyfile_ids *ids, unsigned flags,
		     struct tlscred **out, char **note, char **cause);
void		 tlscred_free(struct tlscred *);
gnutls_pcert_st	*tlscred_pcerts(const struct tlscred *, unsigned *n);
gnutls_privkey_t tlscred_privkey(const struct tlscred *);
/* Which library computes this key's signatures: "openssl" or "gnutls". */
const char	*tlscred_signer(const struct tlscred *);

#endif
