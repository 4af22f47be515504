/*
 * The etcd client: endpoints and failover, and the unary RPCs (range,
 * put, deleterange, txn, leases, status) as POSTs of JSON to the gateway.
 * The watch, a stream, is op/etcd-watch.c; the parsers op/etcd-json.c.
 *
 * One rule decides whether a failed request may go to the next endpoint:
 * a read always may; a write only when it cannot have been applied (the
 * connection was never made, or etcd answered "unavailable"), so that a
 * put or a transaction is never applied twice.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "op/curlinit.h"
#include "op/etcd-int.h"

/* gRPC's code for "unavailable" (no leader, member stopping ...). */
#define GRPC_UNAVAILABLE	14

/* HOST:PORT or [V6]:PORT, with the port a number from 1 to 65535. */
static int
hostport_ok(const char *s)
{
	const char	*colon = strrchr(s, ':');
	char		*end;
	long		 port;
	size_t		 i;

	if (colon == NULL || colon == s)
		return 0;
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != '\0' || port < 1 || port > 65535)
		return 0;
	for (i = 0; s + i < colon; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-_:[]", s[i]) == NULL || s[i] == '\0')
			return 0;
	}
	if ((s[0] == '[') != (colon[-1] == ']'))
		return 0;
	return 1;
}

int
etcd_client_new(const struct etcd_opts *o, struct etcd_client **out,
    char **cause)
{
	struct etcd_client	*cl;
	char			*list, *tok, *save, *hp, *t;
	const char		*scheme;
	size_t			 n;

	*out = NULL;
	if (!curlinit_ready()) {
		*cause = xstrdup("etcd: libcurl cannot be initialised");
		return -1;
	}
	if (o->endpoints == NULL || *o->endpoints == '\0') {
		*cause = xstrdup("etcd: no endpoint given (HOST:PORT,...)");
		return -1;
	}
	if ((o->cert_file == NULL) != (o->key_file == NULL)) {
		*cause = xstrdup("etcd: a client certificate needs its key, "
		    "and a key its certificate");
		return -1;
	}
	cl = xcalloc(1, sizeof *cl);
	cl->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
	if (o->ca_file != NULL)
		cl->ca_file = xstrdup(o->ca_file);
	if (o->cert_file != NULL) {
		cl->cert_file = xstrdup(o->cert_file);
		cl->key_file = xstrdup(o->key_file);
	}
	list = xstrdup(o->endpoints);
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		tok += strspn(tok, " \t");
		for (n = strlen(tok); n > 0 && strchr(" \t", tok[n - 1]); n--)
			tok[n - 1] = '\0';
		if (*tok == '\0')
			continue;
		scheme = cl->ca_file != NULL ? "https" : "http";
		hp = tok;
		if (strncmp(tok, "http://", 7) == 0) {
			scheme = "http";
			hp = tok + 7;
		} else if (strncmp(tok, "https://", 8) == 0) {
			scheme = "https";
			hp = tok + 8;
		}
		if (!hostport_ok(hp)) {
			t = escape_str(tok, 0);
			*cause = xasprintf("etcd: endpoint '%s' is not "
			    "HOST:PORT", t);
			free(t);
			goto bad;
		}
		if (cl->nurls == ETCD_ENDPOINTS_MAX) {
			*cause = xasprintf("etcd: more than %d endpoints",
			    ETCD_ENDPOINTS_MAX);
			goto bad;
		}
		cl->urls[cl->nurls++] = xasprintf("%s://%s", scheme, hp);
		t = cl->list;
		cl->list = t == NULL ? xstrdup(cl->urls[cl->nurls - 1]) :
		    xasprintf("%s, %s", t, cl->urls[cl->nurls - 1]);
		free(t);
	}
	if (cl->nurls == 0) {
		*cause = xstrdup("etcd: no endpoint given (HOST:PORT,...)");
		goto bad;
	}
	if ((cl->curl = curl_easy_init()) == NULL) {
		*cause = xstrdup("etcd: libcurl cannot make a handle");
		goto bad;
	}
	free(list);
	*out = cl;
	return 0;
bad:
	free(list);
	etcd_client_free(cl);
	return -1;
}

void
etcd_client_free(struct etcd_client *cl)
{
	size_t	 i;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->nurls; i++)
		free(cl->urls[i]);
	free(cl->list);
	free(cl->ca_file);
	free(cl->cert_file);
	free(cl->key_file);
	if (cl->curl != NULL)
		curl_easy_cleanup(cl->curl);
	free(cl);
}

const char *
etcd_client_endpoints(const struct etcd_client *cl)
{
	return cl->list;
}

void
etcd_curl_common(struct etcd_client *cl, CURL *c, const char *url,
    char *errbuf)
{
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "certbind/" CERTBIND_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, cl->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (cl->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, cl->ca_file);
	if (cl->cert_file != NULL) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, cl->cert_file);
		curl_easy_setopt(c, CURLOPT_SSLKEY, cl->key_file);
	}
}

struct body {
	char	*data;
	size_t	 len;
};

static size_t
body_write(char *data, size_t size, size_t n, void *arg)
{
	struct body	*b = arg;
	size_t		 len = size * n;

	if (b->len + len > ETCD_BODY_MAX)
		return 0;
	b->data = xreallocarray(b->data, b->len + len + 1, 1);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

/* Appends "URL: why" to the list of endpoints tried. */
static void
tried_add(char **tried, const char *url, const char *why)
{
	char	*t = *tried;

	*tried = t == NULL ? xasprintf("%s: %s", url, why) :
	    xasprintf("%s; %s: %s", t, url, why);
	free(t);
}

/*
 * Why libcurl could not make a request, escaped, with a hint for the TLS
 * failures whose own text does not say what to do.
 */
char *
etcd_transfer_why(struct etcd_client *cl, const char *url, CURLcode rc,
    const char *errbuf)
{
	char	*e, *s, *f;

	e = escape_str(errbuf[0] ? errbuf : curl_easy_strerror(rc), 0);
	if (rc == CURLE_PEER_FAILED_VERIFICATION && cl->ca_file != NULL) {
		f = escape_str(cl->ca_file, 0);
		s = e;
		e = xasprintf("%s; its certificate is not signed by the CA "
		    "in %s", s, f);
		free(s);
		free(f);
	} else if (strncmp(url, "https:", 6) == 0 && cl->cert_file == NULL &&
	    rc != CURLE_COULDNT_CONNECT && rc != CURLE_OPERATION_TIMEDOUT &&
	    rc != CURLE_COULDNT_RESOLVE_HOST && rc != CURLE_WRITE_ERROR) {
		/* A refused client shows as a send or receive error. */
		s = e;
		e = xasprintf("%s; if the member asks for a client "
		    "certificate, give one and its key", s);
		free(s);
	} else if (strncmp(url, "http:", 5) == 0 &&
	    (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR)) {
		s = e;
		e = xasprintf("%s; if the member speaks https, give its CA "
		    "file", s);
		free(s);
	}
	return e;
}

/*
 * POSTs body to path on each endpoint in turn from the one that answered
 * last, until one answers. 0 with the answer in *out (HTTP 200); -1 with
 * *cause starting with what.
 */
static int
request(struct etcd_client *cl, const char *path, const char *body,
    int write, const char *what, struct body *out, char **cause)
{
	struct curl_slist	*hdrs;
	struct body		 b;
	CURLcode		 rc;
	long			 status;
	size_t			 i, idx;
	char			*url, *tried = NULL, *msg, *why;
	int			 code;

	memset(out, 0, sizeof *out);
	for (i = 0; i < cl->nurls; i++) {
		idx = (cl->cur + i) % cl->nurls;
		url = xasprintf("%s%s", cl->urls[idx], path);
		memset(&b, 0, sizeof b);
		curl_easy_reset(cl->curl);
		etcd_curl_common(cl, cl->curl, url, cl->errbuf);
		curl_easy_setopt(cl->curl, CURLOPT_TIMEOUT_MS, cl->timeout_ms);
		curl_easy_setopt(cl->curl, CURLOPT_WRITEFUNCTION, body_write);
		curl_easy_setopt(cl->curl, CURLOPT_WRITEDATA, &b);
		hdrs = curl_slist_append(NULL,
		    "Content-Type: application/json");
		curl_easy_setopt(cl->curl, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(cl->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(cl->curl, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(body));
		rc = curl_easy_perform(cl->curl);
		curl_slist_free_all(hdrs);
		free(url);
		if (rc != CURLE_OK) {
			free(b.data);
			why = etcd_transfer_why(cl, cl->urls[idx], rc,
			    cl->errbuf);
			if (rc == CURLE_WRITE_ERROR) {
				free(why);
				why = xasprintf("answered more than %d bytes",
				    ETCD_BODY_MAX);
			}
			if (write && rc != CURLE_COULDNT_CONNECT &&
			    rc != CURLE_COULDNT_RESOLVE_HOST &&
			    rc != CURLE_SSL_CONNECT_ERROR &&
			    rc != CURLE_PEER_FAILED_VERIFICATION) {
				*cause = xasprintf("%s: etcd at %s did not "
				    "answer (%s); the write may have been "
				    "applied: read the key again", what,
				    cl->urls[idx], why);
				free(why);
				free(tried);
				return -1;
			}
			tried_add(&tried, cl->urls[idx], why);
			free(why);
			continue;
		}
		curl_easy_getinfo(cl->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200) {
			cl->cur = idx;
			free(tried);
			if (b.data == NULL)
				b.data = xcalloc(1, 1);
			*out = b;
			return 0;
		}
		code = 0;
		msg = b.data != NULL ? etcd_parse_error(b.data, b.len, &code) :
		    NULL;
		free(b.data);
		if (msg != NULL) {
			why = msg;
			msg = escape_str(why, 0);
			free(why);
		}
		/*
		 * Unavailable: no leader, or this member is stopping; the
		 * next may serve it. Not for a write that timed out inside
		 * etcd: it may still be applied.
		 */
		if ((status == 503 || code == GRPC_UNAVAILABLE) &&
		    !(write && msg != NULL && strstr(msg, "timed out"))) {
			why = xasprintf("unavailable (HTTP %ld)%s%s", status,
			    msg != NULL ? ": " : "", msg != NULL ? msg : "");
			tried_add(&tried, cl->urls[idx], why);
			free(why);
			free(msg);
			continue;
		}
		*cause = xasprintf("%s: etcd at %s refused it (HTTP %ld)%s%s",
		    what, cl->urls[idx], status, msg != NULL ? ": " : "",
		    msg != NULL ? msg : "");
		free(msg);
		free(tried);
		return -1;
	}
	*cause = xasprintf("%s: no etcd endpoint answered (tried %s)", what,
	    tried != NULL ? tried : cl->list);
	free(tried);
	return -1;
}

/* Prefixes a parser's cause with what and the endpoint that answered. */
static void
bad_answer(struct etcd_client *cl, const char *what, char **cause)
{
	char	*c = *cause;

	*cause = xasprintf("%s: etcd at %s answered badly: %s", what,
	    cl->urls[cl->cur], c);
	free(c);
}

/* "VERB KEY" for a cause, KEY escaped; a prefix ends with '*'. */
static char *
about(const char *verb, const char *key, int prefix)
{
	char	*e = escape_str(key, 0), *s;

	s = xasprintf("%s %s%s", verb, e, prefix ? "*" : "");
	free(e);
	return s;
}

/* Sets "key" (and "range_end" for a prefix) in obj, base64. */
static void
set_key(json_t *obj, const char *key, int prefix)
{
	char	*k, *end;
	size_t	 n;

	k = etcd_b64(key, strlen(key));
	json_object_set_new(obj, "key", json_string(k));
	free(k);
	if (prefix) {
		end = etcd_prefix_end(key, &n);
		k = etcd_b64(end, n);
		json_object_set_new(obj, "range_end", json_string(k));
		free(k);
		free(end);
	}
}

static json_t *
i64(int64_t v)
{
	char	 buf[32];

	snprintf(buf, sizeof buf, "%lld", (long long)v);
	return json_string(buf);
}

/*
 * The JSON text of j, which it frees. Memory comes from xmalloc, so
 * running out of it aborts there like everywhere else in certbind.
 */
char *
etcd_json_text(json_t *j)
{
	size_t	 n = json_dumpb(j, NULL, 0, JSON_COMPACT);
	char	*s = xmalloc(n + 1);

	s[json_dumpb(j, s, n, JSON_COMPACT)] = '\0';
	json_decref(j);
	return s;
}
#define dump etcd_json_text

int
etcd_get(struct etcd_client *cl, const char *key, int prefix, int64_t rev,
    struct etcd_range *r, char **cause)
{
	json_t		*req = json_object();
	struct body	 b;
	char		*body, *what;
	int		 rc;

	memset(r, 0, sizeof *r);
	set_key(req, key, prefix);
	if (rev > 0)
		json_object_set_new(req, "revision", i64(rev));
	body = dump(req);
	what = about("reading", key, prefix);
	rc = request(cl, "/v3/kv/range", body, 0, what, &b, cause);
	free(body);
	if (rc == 0 && (rc = etcd_parse_range(b.data, b.len, r, cause)) != 0)
		bad_answer(cl, what, cause);
	free(b.data);
	free(what);
	return rc;
}

int
etcd_put(struct etcd_client *cl, const char *key, const void *value,
    size_t len, int64_t lease, int64_t *rev, char **cause)
{
	json_t		*req = json_object();
	struct body	 b;
	char		*body, *v, *what;
	int		 rc;

	*rev = 0;
	set_key(req, key, 0);
	if ((v = etcd_b64(value, len)) == NULL) {
		json_decref(req);
		what = about("writing", key, 0);
		*cause = xasprintf("%s: the value is too large", what);
		free(what);
		return -1;
	}
	json_object_set_new(req, "value", json_string(v));
	free(v);
	if (lease != 0)
		json_object_set_new(req, "lease", i64(lease));
	body = dump(req);
	what = about("writing", key, 0);
	rc = request(cl, "/v3/kv/put", body, 1, what, &b, cause);
	freezero(body, strlen(body));
	if (rc == 0 && (rc = etcd_parse_write(b.data, b.len, rev, NULL,
	    cause)) != 0)
		bad_answer(cl, what, cause);
	free(b.data);
	free(what);
	return rc;
}

int
etcd_delete(struct etcd_client *cl, const char *key, int prefix,
    int64_t *deleted, int64_t *rev, char **cause)
{
	json_t		*req = json_object();
	struct body	 b;
	char		*body, *what;
	int		 rc;

	*rev = 0;
	set_key(req, key, prefix);
	body = dump(req);
	what = about("deleting", key, prefix);
	rc = request(cl, "/v3/kv/deleterange", body, 1, what, &b, cause);
	free(body);
	if (rc == 0 && (rc = etcd_parse_write(b.data, b.len, rev, deleted,
	    cause)) != 0)
		bad_answer(cl, what, cause);
	free(b.data);
	free(what);
	return rc;
}

int
etcd_txn(struct etcd_client *cl, const struct etcd_cond *cond, size_t ncond,
    const struct etcd_op *ops, size_t nop, struct etcd_txn_result *res,
    char **cause)
{
	json_t		*req = json_object(), *cmp, *succ, *fail, *c, *o;
	struct body	 b;
	char		*body, *v, *what;
	size_t		 i;
	int		 rc;

	memset(res, 0, sizeof *res);
	cmp = json_array();
	fail = json_array();
	for (i = 0; i < ncond; i++) {
		c = json_object();
		set_key(c, cond[i].key, 0);
		json_object_set_new(c, "result", json_string("EQUAL"));
		if (cond[i].target == ETCD_CREATE) {
			json_object_set_new(c, "target", json_string("CREATE"));
			json_object_set_new(c, "create_revision",
			    i64(cond[i].rev));
		} else {
			json_object_set_new(c, "target", json_string("MOD"));
			json_object_set_new(c, "mod_revision",
			    i64(cond[i].rev));
		}
		json_array_append_new(cmp, c);
		/* When it fails, read every compared key back. */
		o = json_object();
		set_key(o, cond[i].key, 0);
		json_array_append_new(fail, json_pack("{s:o}",
		    "request_range", o));
	}
	succ = json_array();
	for (i = 0; i < nop; i++) {
		o = json_object();
		set_key(o, ops[i].key, 0);
		if (ops[i].type == ETCD_PUT) {
			if ((v = etcd_b64(ops[i].value, ops[i].len)) == NULL) {
				json_decref(o);
				json_decref(cmp);
				json_decref(succ);
				json_decref(fail);
				json_decref(req);
				what = about("writing", ops[i].key, 0);
				*cause = xasprintf("%s: the value is too "
				    "large", what);
				free(what);
				return -1;
			}
			json_object_set_new(o, "value", json_string(v));
			free(v);
			if (ops[i].lease != 0)
				json_object_set_new(o, "lease",
				    i64(ops[i].lease));
			json_array_append_new(succ, json_pack("{s:o}",
			    "request_put", o));
		} else
			json_array_append_new(succ, json_pack("{s:o}",
			    "request_delete_range", o));
	}
	json_object_set_new(req, "compare", cmp);
	json_object_set_new(req, "success", succ);
	json_object_set_new(req, "failure", fail);
	body = dump(req);
	v = about("the transaction on",
	    ncond > 0 ? cond[0].key : nop > 0 ? ops[0].key : "nothing", 0);
	what = xasprintf("%s%s", v, ncond + nop > 1 ? " and others" : "");
	free(v);
	rc = request(cl, "/v3/kv/txn", body, 1, what, &b, cause);
	freezero(body, strlen(body));
	if (rc == 0 && (rc = etcd_parse_txn(b.data, b.len, cond, ncond, res,
	    cause)) != 0)
		bad_answer(cl, what, cause);
	free(b.data);
	free(what);
	return rc;
}

int
etcd_lease_grant(struct etcd_client *cl, int64_t ttl, int64_t *id,
    int64_t *granted, char **cause)
{
	struct body	 b;
	char		*body;
	int		 rc;

	*id = *granted = 0;
	body = dump(json_pack("{s:o}", "TTL", i64(ttl)));
	rc = request(cl, "/v3/lease/grant", body, 1, "granting a lease", &b,
	    cause);
	free(body);
	if (rc == 0 && (rc = etcd_parse_lease(b.data, b.len, id, granted,
	    cause)) != 0)
		bad_answer(cl, "granting a lease", cause);
	if (rc == 0 && *id == 0) {
		*cause = xasprintf("granting a lease: etcd at %s answered "
		    "no lease ID", cl->urls[cl->cur]);
		rc = -1;
	}
	free(b.data);
	return rc;
}

int
etcd_lease_keepalive(struct etcd_client *cl, int64_t id, int64_t *ttl,
    char **cause)
{
	struct body	 b;
	char		*body;
	int64_t		 got;
	int		 rc;

	*ttl = 0;
	body = dump(json_pack("{s:o}", "ID", i64(id)));
	/* Renewing twice is harmless: it may fail over like a read. */
	rc = request(cl, "/v3/lease/keepalive", body, 0, "renewing a lease",
	    &b, cause);
	free(body);
	if (rc == 0 && (rc = etcd_parse_lease(b.data, b.len, &got, ttl,
	    cause)) != 0)
		bad_answer(cl, "renewing a lease", cause);
	free(b.data);
	return rc;
}

int
etcd_lease_revoke(struct etcd_client *cl, int64_t id, char **cause)
{
	struct body	 b;
	char		*body;
	int64_t		 rev;
	int		 rc;

	body = dump(json_pack("{s:o}", "ID", i64(id)));
	rc = request(cl, "/v3/lease/revoke", body, 0, "revoking a lease", &b,
	    cause);
	free(body);
	if (rc == 0 && (rc = etcd_parse_write(b.data, b.len, &rev, NULL,
	    cause)) != 0)
		bad_answer(cl, "revoking a lease", cause);
	free(b.data);
	return rc;
}

static char *
lock_key(const char *prefix, const char *name)
{
	size_t	 n = strlen(prefix);

	return xasprintf("%s%slocks/%s", prefix,
	    n > 0 && prefix[n - 1] == '/' ? "" : "/", name);
}

int
etcd_lock_acquire(struct etcd_client *cl, const char *prefix,
    const char *name, const char *value, int64_t lease, int64_t *rev,
    char **holder, char **cause)
{
	struct etcd_txn_result	 res;
	struct etcd_cond	 c;
	struct etcd_op		 op;
	char			*key;
	int			 rc;

	*rev = 0;
	*holder = NULL;
	if (lease == 0) {
		key = escape_str(name, 0);
		*cause = xasprintf("the lock %s: it needs a lease, so that it "
		    "dies with its holder", key);
		free(key);
		return -1;
	}
	key = lock_key(prefix, name);
	c.key = key;
	c.target = ETCD_CREATE;
	c.rev = 0;
	op.type = ETCD_PUT;
	op.key = key;
	op.value = value;
	op.len = strlen(value);
	op.lease = lease;
	rc = etcd_txn(cl, &c, 1, &op, 1, &res, cause);
	free(key);
	if (rc != 0)
		return -1;
	if (res.succeeded) {
		*rev = res.revision;
		etcd_txn_result_clear(&res);
		return 0;
	}
	*rev = res.lost_create_revision;
	*holder = res.lost_kv.value != NULL ?
	    xstrndup((char *)res.lost_kv.value, res.lost_kv.value_len) :
	    xstrdup("");
	etcd_txn_result_clear(&res);
	return 1;
}

int
etcd_lock_release(struct etcd_client *cl, const char *prefix,
    const char *name, int64_t rev, char **cause)
{
	struct etcd_txn_result	 res;
	struct etcd_cond	 c;
	struct etcd_op		 op;
	char			*key, *what;
	int			 rc;

	key = lock_key(prefix, name);
	c.key = key;
	c.target = ETCD_CREATE;
	c.rev = rev;
	memset(&op, 0, sizeof op);
	op.type = ETCD_DELETE;
	op.key = key;
	rc = etcd_txn(cl, &c, 1, &op, 1, &res, cause);
	if (rc == 0 && !res.succeeded) {
		what = escape_str(key, 0);
		*cause = xasprintf("releasing the lock %s: it is no longer "
		    "ours (now created at revision %lld)", what,
		    (long long)res.lost_create_revision);
		free(what);
		rc = -1;
	}
	etcd_txn_result_clear(&res);
	free(key);
	return rc;
}

int
etcd_status(struct etcd_client *cl, int i, struct etcd_status *st,
    char **cause)
{
	struct body	 b;
	size_t		 save = cl->cur, nsave = cl->nurls;
	char		*url;
	int		 rc;

	memset(st, 0, sizeof *st);
	if (i >= 0 && (size_t)i >= cl->nurls) {
		*cause = xasprintf("etcd: no endpoint number %d", i);
		return -1;
	}
	if (i >= 0) {
		/* Ask that one only: a round of one endpoint. */
		url = cl->urls[0];
		cl->urls[0] = cl->urls[i];
		cl->cur = 0;
		cl->nurls = 1;
		rc = request(cl, "/v3/maintenance/status", "{}", 0,
		    "asking its status", &b, cause);
		cl->urls[0] = url;
		cl->nurls = nsave;
		cl->cur = save;
		if (rc == 0)
			cl->cur = (size_t)i;
	} else
		rc = request(cl, "/v3/maintenance/status", "{}", 0,
		    "asking its status", &b, cause);
	if (rc == 0 && (rc = etcd_parse_status(b.data, b.len, st,
	    cause)) != 0)
		bad_answer(cl, "asking its status", cause);
	if (rc == 0)
		st->endpoint = xstrdup(cl->urls[cl->cur]);
	free(b.data);
	return rc;
}
