/*
 * What op/etcd.c, op/etcd-watch.c and op/etcd-json.c share and no caller
 * needs: base64 through GnuTLS, the client's innards and one request.
 */
#ifndef CERTBIND_OP_ETCD_INT_H
#define CERTBIND_OP_ETCD_INT_H

#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>

#include "op/etcd.h"

struct etcd_client {
	char		*urls[ETCD_ENDPOINTS_MAX];	/* "http://h:p" */
	size_t		 nurls;
	size_t		 cur;		/* the one that answered last */
	char		*list;		/* "url, url" for messages */
	char		*ca_file, *cert_file, *key_file;
	long		 timeout_ms;
	CURL		*curl;
	char		 errbuf[CURL_ERROR_SIZE];
};

/* Standard base64 (what the gateway uses for bytes); allocated. */
char	*etcd_b64(const void *, size_t);
/* Decodes; *out is allocated with a NUL after its len bytes. -1: bad. */
int	 etcd_unb64(const char *, unsigned char **out, size_t *len);

/* The key just after every key starting with prefix (etcd's range_end). */
char	*etcd_prefix_end(const char *prefix, size_t *len);

/* The compact JSON text of j (allocated), which it frees. */
char	*etcd_json_text(json_t *);

/* Why a transfer to url failed: escaped, with a hint for TLS trouble. */
char	*etcd_transfer_why(struct etcd_client *, const char *url, CURLcode,
	    const char *errbuf);

/* Sets the TLS and timeout options common to every request. */
void	 etcd_curl_common(struct etcd_client *, CURL *, const char *url,
	    char *errbuf);

#endif
