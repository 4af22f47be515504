/*
 * The import path: certificates (PEM or DER, with chain), private keys
 * (encrypted ones decrypted with the password the seeds use) and PKCS#12
 * (with that password, else none, as certbind import tries), from
 * arbitrary bytes. Never crashes; a refusal has a cause. The seeds for
 * PKCS#12, encrypted keys and chains are made by mkcorpus-cert.sh.
 */
#include <stdlib.h>

#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct cert	*c = NULL;
	struct privkey	*k = NULL;
	char		*cause = NULL;
	size_t		 i;

	if (cert_load_mem(data, len, "fuzz", &c, &cause) == 0) {
		(void)cert_subject(c);
		for (i = 0; i < cert_nsans(c); i++)
			(void)cert_san(c, i, NULL);
		(void)cert_covers_name(c, "www.example.com");
		(void)cert_fingerprint(c);
		cert_free(c);
	} else
		FUZZ_ASSERT(cause != NULL);
	free(cause);
	cause = NULL;
	if (privkey_load_mem(data, len, "fuzz", &k, &cause) == 0)
		privkey_free(k);
	free(cause);
	cause = NULL;
	k = NULL;
	if (privkey_is_encrypted(data, len)) {
		if (privkey_decrypt_mem(data, len, "fuzz", "password", &k,
		    &cause) == 0)
			privkey_free(k);
		else
			FUZZ_ASSERT(cause != NULL);
		free(cause);
		cause = NULL;
	}
	c = NULL;
	k = NULL;
	if (pkcs12_import(data, len, "fuzz", "password", &k, &c,
	    &cause) == 0) {
		privkey_free(k);
		cert_free(c);
	} else {
		FUZZ_ASSERT(cause != NULL);
		free(cause);
		cause = NULL;
		c = NULL;
		k = NULL;
		if (pkcs12_import(data, len, "fuzz", NULL, &k, &c,
		    &cause) == 0) {
			privkey_free(k);
			cert_free(c);
		}
	}
	free(cause);
	return 0;
}
