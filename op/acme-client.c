/*
 * The ACME transport: libcurl for HTTPS, keys/jws.c for the signatures,
 * op/acme-json.c for what the CA answers. See op/acme-client.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "util/xmalloc.h"
#include "keys/jws.h"
#include "op/curlinit.h"
#include "op/acme-client.h"

struct acme_client {
	CURL			*curl;
	char			*url;		/* the directory's */
	char			*ca_bundle;
	struct acme_directory	 dir;
	char			*nonce;		/* the next one to use */
	const struct privkey	*key;
	char			*kid;
	char			 errbuf[CURL_ERROR_SIZE];
};

static size_t
body_write(char *data, size_t size, size_t n, void *arg)
{
	struct acme_response	*r = arg;
	size_t			 len = size * n;

	if (r->len + len > ACME_BODY_MAX)
		return 0;	/* libcurl fails the transfer: too large */
	r->body = xreallocarray(r->body, r->len + len + 1, 1);
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

void
acme_response_clear(struct acme_response *r)
{
	free(r->body);
	free(r->location);
	free(r->content_type);
	if (r->has_problem)
		acme_problem_free(&r->problem);
	memset(r, 0, sizeof *r);
}

/* The value of header name in the last response, allocated, or NULL. */
static char *
header_get(CURL *c, const char *name)
{
	struct curl_header	*h;

	if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return xstrdup(h->value);
}

/* Retry-After: seconds, or an HTTP date (RFC 9110 section 10.2.3). */
static time_t
retry_after(CURL *c)
{
	char		*v, *end;
	long		 secs;
	time_t		 t = 0;

	if ((v = header_get(c, "Retry-After")) == NULL)
		return 0;
	secs = strtol(v, &end, 10);
	if (end != v && *end == '\0' && secs >= 0 && secs < 86400 * 30)
		t = time(NULL) + secs;
	else if ((t = curl_getdate(v, NULL)) < 0)
		t = 0;
	free(v);
	return t;
}

/* The cause for a transfer libcurl could not make. */
static char *
transfer_cause(struct acme_client *cl, const char *what, const char *url,
    CURLcode rc)
{
	const char	*why = cl->errbuf[0] ? cl->errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return xasprintf("%s: the ACME server %s presented a "
		    "certificate this host does not trust (%s); if the CA "
		    "is private, give the certificate of the CA that signed "
		    "it as acme.ca_bundle (certbind acme register "
		    "--ca-bundle FILE)", what, url, why);
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
		return xasprintf("%s: cannot reach the ACME server %s: %s",
		    what, url, why);
	case CURLE_WRITE_ERROR:
		return xasprintf("%s: the ACME server %s sent more than %d "
		    "bytes", what, url, ACME_BODY_MAX);
	default:
		return xasprintf("%s: %s: %s", what, url, why);
	}
}

/*
 * One HTTP request: GET (body NULL, head 0), HEAD (head 1) or POST of
 * body as application/jose+json. Fills resp; keeps the Replay-Nonce.
 */
static int
transfer(struct acme_client *cl, const char *url, const char *body, int head,
    const char *what, struct acme_response *resp, char **cause)
{
	struct curl_slist	*hdrs = NULL;
	CURLcode		 rc;
	char			*nonce, *why = NULL;

	acme_response_clear(resp);
	curl_easy_reset(cl->curl);
	cl->errbuf[0] = '\0';
	curl_easy_setopt(cl->curl, CURLOPT_URL, url);
	curl_easy_setopt(cl->curl, CURLOPT_ERRORBUFFER, cl->errbuf);
	curl_easy_setopt(cl->curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(cl->curl, CURLOPT_USERAGENT,
	    "certbind/" CERTBIND_VERSION);
	curl_easy_setopt(cl->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(cl->curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(cl->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cl->curl, CURLOPT_WRITEFUNCTION, body_write);
	curl_easy_setopt(cl->curl, CURLOPT_WRITEDATA, resp);
	if (cl->ca_bundle != NULL)
		curl_easy_setopt(cl->curl, CURLOPT_CAINFO, cl->ca_bundle);
	if (head)
		curl_easy_setopt(cl->curl, CURLOPT_NOBODY, 1L);
	else if (body != NULL) {
		hdrs = curl_slist_append(hdrs,
		    "Content-Type: application/jose+json");
		curl_easy_setopt(cl->curl, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(cl->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(cl->curl, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(body));
	}
	rc = curl_easy_perform(cl->curl);
	curl_slist_free_all(hdrs);
	if (rc != CURLE_OK) {
		*cause = transfer_cause(cl, what, url, rc);
		return -1;
	}
	curl_easy_getinfo(cl->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if ((nonce = header_get(cl->curl, "Replay-Nonce")) != NULL) {
		free(cl->nonce);
		cl->nonce = nonce;
	}
	resp->location = header_get(cl->curl, "Location");
	resp->content_type = header_get(cl->curl, "Content-Type");
	resp->retry_after = retry_after(cl->curl);
	if (resp->content_type != NULL && strncasecmp(resp->content_type,
	    "application/problem+json", 24) == 0 && resp->body != NULL) {
		if (acme_parse_problem(resp->body, resp->len, &resp->problem,
		    &why) == 0)
			resp->has_problem = 1;
		free(why);	/* then it is reported by its HTTP status */
	}
	if (resp->status >= 200 && resp->status < 300)
		return 0;
	if (resp->has_problem)
		*cause = acme_problem_cause(what, &resp->problem,
		    resp->retry_after);
	else
		*cause = xasprintf("%s: the ACME server %s answered HTTP %ld",
		    what, url, resp->status);
	return -1;
}

char *
acme_problem_cause(const char *what, const struct acme_problem *p,
    time_t retry)
{
	char		*s, *t, when[64];
	const char	*type = acme_problem_short(p);
	struct tm	 tm;
	size_t		 i;

	s = xasprintf("%s: the CA refused it (%s)%s%s", what,
	    type != NULL ? type : "no type",
	    p->detail != NULL ? ": " : "", p->detail != NULL ? p->detail : "");
	for (i = 0; i < p->nsub; i++) {
		t = xasprintf("%s; %s: %s%s%s", s,
		    p->sub[i].identifier != NULL ? p->sub[i].identifier : "",
		    acme_problem_short(&p->sub[i]) != NULL ?
		    acme_problem_short(&p->sub[i]) : "",
		    p->sub[i].detail != NULL ? ": " : "",
		    p->sub[i].detail != NULL ? p->sub[i].detail : "");
		free(s);
		s = t;
	}
	if (retry > 0 && gmtime_r(&retry, &tm) != NULL) {
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
		t = xasprintf("%s; the CA asks to retry after %s", s, when);
		free(s);
		s = t;
	}
	return s;
}

int
acme_client_new(const char *url, const char *ca_bundle,
    struct acme_client **out, char **cause)
{
	struct acme_client	*cl;
	struct acme_response	 r;
	char			*why = NULL;

	*out = NULL;
	if (strncmp(url, "https://", 8) != 0) {
		*cause = xasprintf("the ACME server's URL \"%s\" is not "
		    "https://", url);
		return -1;
	}
	cl = xcalloc(1, sizeof *cl);
	if (!curlinit_ready() || (cl->curl = curl_easy_init()) == NULL) {
		free(cl);
		*cause = xstrdup("libcurl could not be initialised");
		return -1;
	}
	cl->url = xstrdup(url);
	cl->ca_bundle = ca_bundle != NULL ? xstrdup(ca_bundle) : NULL;
	memset(&r, 0, sizeof r);
	if (transfer(cl, url, NULL, 0, "fetching the ACME directory", &r,
	    cause) != 0)
		goto fail;
	if (acme_parse_directory(r.body != NULL ? r.body : "", r.len,
	    &cl->dir, &why) != 0) {
		*cause = xasprintf("%s is not an ACME directory: %s", url,
		    why);
		free(why);
		goto fail;
	}
	acme_response_clear(&r);
	*out = cl;
	return 0;
fail:
	acme_response_clear(&r);
	acme_client_free(cl);
	return -1;
}

void
acme_client_free(struct acme_client *cl)
{
	if (cl == NULL)
		return;
	if (cl->curl != NULL)
		curl_easy_cleanup(cl->curl);
	acme_directory_free(&cl->dir);
	free(cl->url);
	free(cl->ca_bundle);
	free(cl->nonce);
	free(cl->kid);
	free(cl);
}

const struct acme_directory *
acme_client_directory(const struct acme_client *cl)
{
	return &cl->dir;
}

const char *
acme_client_url(const struct acme_client *cl)
{
	return cl->url;
}

void
acme_client_set_key(struct acme_client *cl, const struct privkey *key,
    const char *kid)
{
	cl->key = key;
	free(cl->kid);
	cl->kid = kid != NULL ? xstrdup(kid) : NULL;
}

const char *
acme_client_kid(const struct acme_client *cl)
{
	return cl->kid;
}

/* A fresh nonce from newNonce when none is kept from the last answer. */
static int
nonce_get(struct acme_client *cl, char **cause)
{
	struct acme_response	r;
	int			rc;

	if (cl->nonce != NULL)
		return 0;
	memset(&r, 0, sizeof r);
	rc = transfer(cl, cl->dir.new_nonce, NULL, 1, "getting a nonce", &r,
	    cause);
	acme_response_clear(&r);
	if (rc == 0 && cl->nonce == NULL) {
		*cause = xasprintf("getting a nonce: %s sent no "
		    "Replay-Nonce", cl->dir.new_nonce);
		return -1;
	}
	return rc;
}

int
acme_post(struct acme_client *cl, const char *url, const char *payload,
    const char *what, struct acme_response *resp, char **cause)
{
	struct jws_header	 h;
	char			*jws, *nonce;
	int			 tries, rc = -1;
	const char		*type;

	memset(resp, 0, sizeof *resp);
	for (tries = 0; tries <= ACME_NONCE_RETRIES; tries++) {
		if (nonce_get(cl, cause) != 0)
			return -1;
		nonce = cl->nonce;	/* used once: the answer brings the next */
		cl->nonce = NULL;
		h.nonce = nonce;
		h.url = url;
		h.kid = cl->kid;
		rc = jws_sign(cl->key, &h, payload != NULL ? payload : "", &jws,
		    cause);
		free(nonce);
		if (rc != 0)
			return -1;
		rc = transfer(cl, url, jws, 0, what, resp, cause);
		free(jws);
		if (rc == 0)
			return 0;
		type = resp->has_problem ? acme_problem_short(&resp->problem) :
		    NULL;
		if (type == NULL || strcmp(type, "badNonce") != 0 ||
		    tries == ACME_NONCE_RETRIES)
			break;
		free(*cause);	/* a rejected nonce: again, with the new one */
		*cause = NULL;
	}
	return rc;
}

int
acme_get(struct acme_client *cl, const char *url, const char *what,
    struct acme_response *resp, char **cause)
{
	memset(resp, 0, sizeof *resp);
	return transfer(cl, url, NULL, 0, what, resp, cause);
}
