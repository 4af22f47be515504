/*
 * Talking to an ACME server (RFC 8555 sections 6 and 7): the directory,
 * nonces, signed POSTs and POST-as-GET, with libcurl for HTTP and
 * keys/jws.h for the signatures.
 *
 * One client is one conversation with one CA: it keeps the HTTP
 * connection, the directory and the next nonce. A badNonce is retried
 * with the fresh nonce the error brings (a CA may reject any nonce; pebble
 * rejects 5% of them on purpose). Every cause names the CA's URL and
 * quotes the CA's problem document: it is untrusted text, raw here, for
 * the front end to escape.
 */
#ifndef CERTBIND_OP_ACME_CLIENT_H
#define CERTBIND_OP_ACME_CLIENT_H

#include <stddef.h>
#include <time.h>

#include "op/acme-json.h"

struct privkey;
struct acme_client;

/* The most a response body may hold (certificate chains included). */
#define ACME_BODY_MAX		(1024 * 1024)
/* How often a badNonce is retried before giving up. */
#define ACME_NONCE_RETRIES	10

struct acme_response {
	long			 status;	/* HTTP status */
	char			*body;		/* NUL-terminated */
	size_t			 len;
	char			*location;	/* NULL if none */
	char			*content_type;	/* NULL if none */
	time_t			 retry_after;	/* absolute; 0 if none */
	int			 has_problem;
	struct acme_problem	 problem;	/* when has_problem */
};
void	acme_response_clear(struct acme_response *);

/*
 * Fetches the directory at url over HTTPS, trusting ca_bundle (a PEM
 * file) or, when NULL, the system's CAs. -1 with *cause saying what went
 * wrong: the CA unreachable, its certificate untrusted (naming
 * acme.ca_bundle), not a directory.
 */
int	acme_client_new(const char *url, const char *ca_bundle,
	    struct acme_client **out, char **cause);
void	acme_client_free(struct acme_client *);
const struct acme_directory *acme_client_directory(const struct acme_client *);
const char *acme_client_url(const struct acme_client *);

/*
 * The key that signs from now on, borrowed, and the account URL (kid);
 * kid NULL makes the JWS carry the key itself (newAccount).
 */
void	acme_client_set_key(struct acme_client *, const struct privkey *,
	    const char *kid);
const char *acme_client_kid(const struct acme_client *);

/*
 * A signed POST of payload (JSON text; NULL for POST-as-GET) to url.
 * Returns 0 when the CA answered 2xx; -1 otherwise, with *cause saying
 * what the CA said (what names the request: "creating the order"). resp
 * holds the answer in both cases (problem, Retry-After) until cleared.
 */
int	acme_post(struct acme_client *, const char *url, const char *payload,
	    const char *what, struct acme_response *resp, char **cause);
/* An unsigned GET (renewalInfo). The same contract as acme_post. */
int	acme_get(struct acme_client *, const char *url, const char *what,
	    struct acme_response *resp, char **cause);

/*
 * The cause for a problem document: "WHAT: the CA refused it (TYPE):
 * DETAIL", with subproblems and, for rateLimited, the time to retry.
 */
char	*acme_problem_cause(const char *what, const struct acme_problem *,
	    time_t retry_after);

#endif
