/*
 * For t-jws.sh: signs with keys/jws.c so that openssl can check the
 * result. Usage: jws-helper KEYFILE TOKEN PAYLOAD. Prints one line each:
 * the flattened JWS, the JWK, the thumbprint, the key authorization of
 * TOKEN and its dns-01 value. jws-helper alpn DOMAIN KEYAUTH prints the
 * tls-alpn-01 challenge file (keys/acmecert.c).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/privkey.h"
#include "keys/jws.h"
#include "keys/acmecert.h"

int
main(int argc, char **argv)
{
	struct jws_header h = { "nonce-1", "https://ca.example/acme/x", NULL };
	struct privkey	*k;
	struct stat	 st;
	char		*cause = NULL, *jws, *jwk, *tp, *ka, *v;

	if (argc == 4 && strcmp(argv[1], "alpn") == 0) {
		char	*pem;
		size_t	 len;

		if (acmecert_alpn(argv[2], argv[3], &pem, &len, NULL,
		    &cause) != 0) {
			fprintf(stderr, "jws-helper: %s\n", cause);
			return 1;
		}
		fwrite(pem, 1, len, stdout);
		acmecert_pem_free(pem, len);
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: jws-helper KEYFILE TOKEN PAYLOAD\n");
		return 2;
	}
	if (privkey_load(argv[1], &k, &st, &cause) != 0 ||
	    jws_sign(k, &h, argv[3], &jws, &cause) != 0 ||
	    jws_jwk(k, &jwk, &cause) != 0 ||
	    jws_thumbprint(k, &tp, &cause) != 0 ||
	    jws_key_authorization(k, argv[2], &ka, &cause) != 0) {
		fprintf(stderr, "jws-helper: %s\n", cause);
		return 1;
	}
	v = jws_dns01_value(ka);
	printf("%s\n%s\n%s\n%s\n%s\n", jws, jwk, tp, ka, v);
	free(jws);
	free(jwk);
	free(tp);
	free(ka);
	free(v);
	privkey_free(k);
	return 0;
}
