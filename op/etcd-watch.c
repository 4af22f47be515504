/*
 * The watch: one long POST to /v3/watch whose answer is a stream of JSON
 * messages, read by libcurl's write callback and parsed one whole
 * message at a time (etcd_parse_watch).
 *
 * The one idea: res->next is the first revision not yet delivered. Each
 * (re)connection asks etcd for events from res->next, and an event
 * older than it is never delivered, so a member dying mid-stream costs
 * neither a gap nor a duplicate. etcd sends all the events of one
 * revision in one message, which is delivered whole before res->next
 * moves past it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "op/etcd-int.h"

enum wstop { W_RUN, W_STOP, W_COMPACTED, W_BAD };

struct wstate {
	const struct etcd_watch	*w;
	struct etcd_watch_result *res;
	const char		*url;		/* the endpoint streaming */
	CURL			*curl;		/* the watch's own */
	char			 errbuf[CURL_ERROR_SIZE];
	char			*buf;
	size_t			 len;
	int			 created;
	enum wstop		 state;
	char			*why;		/* W_BAD: what was wrong */
	long long		 deadline;	/* ms; 0: none */
};

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
should_stop(struct wstate *s)
{
	if (s->w->stop != NULL && *s->w->stop)
		return 1;
	return s->deadline != 0 && now_ms() >= s->deadline;
}

/* One whole message. 0: go on; -1: end the stream (s->state says why). */
static int
handle(struct wstate *s, struct etcd_watch_msg *m)
{
	struct etcd_event	 ev;
	size_t			 i;

	if (m->created) {
		s->created = 1;
		if (s->w->connected != NULL)
			s->w->connected(s->w->arg, s->url);
		/* From "now": now is the revision the watch was made at. */
		if (s->res->next == 0)
			s->res->next = m->revision + 1;
	}
	for (i = 0; i < m->nevents; i++) {
		if (m->kvs[i].mod_revision < s->res->next)
			continue;	/* seen before a reconnection */
		ev.type = m->types[i];
		ev.kv = &m->kvs[i];
		if (s->w->event(s->w->arg, &ev) != 0) {
			s->res->next = m->kvs[i].mod_revision + 1;
			s->state = W_STOP;
			return -1;
		}
	}
	if (m->nevents > 0 && m->kvs[m->nevents - 1].mod_revision >=
	    s->res->next)
		s->res->next = m->kvs[m->nevents - 1].mod_revision + 1;
	if (m->canceled) {
		if (m->compact_revision > 0) {
			s->res->compact_revision = m->compact_revision;
			s->state = W_COMPACTED;
		} else {
			s->state = W_BAD;
			char *e = escape_str(m->cancel_reason != NULL ?
			    m->cancel_reason : "no reason given", 0);

			s->why = xasprintf("etcd cancelled the watch: %s", e);
			free(e);
		}
		return -1;
	}
	return 0;
}

static size_t
stream_write(char *data, size_t size, size_t n, void *arg)
{
	struct wstate		*s = arg;
	struct etcd_watch_msg	 m;
	size_t			 len = size * n, used;
	int			 r;

	if (s->len + len > ETCD_BODY_MAX) {
		s->state = W_BAD;
		s->why = xasprintf("a watch message is longer than %d bytes",
		    ETCD_BODY_MAX);
		return 0;
	}
	s->buf = xreallocarray(s->buf, s->len + len + 1, 1);
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	for (;;) {
		r = etcd_parse_watch(s->buf, s->len, &m, &used, &s->why);
		if (r == 0)
			break;
		if (r < 0) {
			s->state = W_BAD;
			return 0;
		}
		memmove(s->buf, s->buf + used, s->len - used);
		s->len -= used;
		r = handle(s, &m);
		etcd_watch_msg_clear(&m);
		if (r != 0)
			return 0;
	}
	if (should_stop(s)) {
		s->state = W_STOP;
		return 0;
	}
	return len;
}

/* libcurl calls this about once a second even when nothing comes. */
static int
progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct wstate	*s = arg;

	if (should_stop(s)) {
		s->state = W_STOP;
		return 1;
	}
	return 0;
}

static char *
create_request(const struct etcd_watch *w, int64_t start)
{
	json_t	*req = json_object(), *outer;
	char	*k, *end, buf[32];
	size_t	 n;

	k = etcd_b64(w->key, strlen(w->key));
	json_object_set_new(req, "key", json_string(k));
	free(k);
	if (w->prefix) {
		end = etcd_prefix_end(w->key, &n);
		k = etcd_b64(end, n);
		json_object_set_new(req, "range_end", json_string(k));
		free(k);
		free(end);
	}
	if (start > 0) {
		snprintf(buf, sizeof buf, "%lld", (long long)start);
		json_object_set_new(req, "start_revision", json_string(buf));
	}
	outer = json_pack("{s:o}", "create_request", req);
	return etcd_json_text(outer);
}

/* One connection to endpoint idx, streaming until it ends. */
static CURLcode
stream(struct etcd_client *cl, size_t idx, struct wstate *s, long *status)
{
	struct curl_slist	*hdrs;
	CURLcode		 rc;
	char			*url, *body;

	url = xasprintf("%s/v3/watch", cl->urls[idx]);
	body = create_request(s->w, s->res->next);
	curl_easy_reset(s->curl);
	etcd_curl_common(cl, s->curl, url, s->errbuf);
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, stream_write);
	curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(s->curl, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(s->curl, CURLOPT_XFERINFODATA, s);
	/* A member that vanishes without closing is found by TCP. */
	curl_easy_setopt(s->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(s->curl, CURLOPT_TCP_KEEPIDLE, 10L);
	curl_easy_setopt(s->curl, CURLOPT_TCP_KEEPINTVL, 5L);
	hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	/*
	 * etcd's "require leader" (clientv3.WithRequireLeader): a member cut
	 * off from the others ends the stream instead of falling silent,
	 * and the watch moves to another. The gateway passes Grpc-Metadata-*
	 * headers on as gRPC metadata.
	 */
	hdrs = curl_slist_append(hdrs, "Grpc-Metadata-hasleader: true");
	curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(s->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(s->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	rc = curl_easy_perform(s->curl);
	*status = 0;
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(hdrs);
	free(body);
	free(url);
	return rc;
}

int
etcd_watch(struct etcd_client *cl, const struct etcd_watch *w,
    struct etcd_watch_result *res, char **cause)
{
	struct wstate	 s;
	CURLcode	 rc;
	long		 status;
	size_t		 idx, failed = 0;
	char		*tried = NULL, *why, *t;

	memset(res, 0, sizeof *res);
	res->next = w->start > 0 ? w->start : 0;
	memset(&s, 0, sizeof s);
	s.w = w;
	s.res = res;
	/*
	 * A handle of its own, so that the callbacks may use the client
	 * (read a snapshot when an event comes) while the stream is open.
	 */
	if ((s.curl = curl_easy_init()) == NULL) {
		res->end = ETCD_WATCH_FAILED;
		*cause = xstrdup("etcd: libcurl cannot make a handle");
		return -1;
	}
	if (w->timeout_ms > 0)
		s.deadline = now_ms() + w->timeout_ms;
	idx = cl->cur;
	/* A round: every endpoint once, without one holding a stream. */
	while (failed < cl->nurls) {
		if (should_stop(&s)) {
			res->end = ETCD_WATCH_STOPPED;
			goto done;
		}
		s.created = 0;
		s.url = cl->urls[idx];
		s.state = W_RUN;
		s.len = 0;
		free(s.why);
		s.why = NULL;
		rc = stream(cl, idx, &s, &status);
		switch (s.state) {
		case W_STOP:
			res->end = ETCD_WATCH_STOPPED;
			goto done;
		case W_COMPACTED:
			res->end = ETCD_WATCH_COMPACTED;
			goto done;
		default:
			break;
		}
		if (s.state == W_BAD)
			why = xasprintf("answered badly: %s", s.why);
		else if (rc != CURLE_OK)
			why = etcd_transfer_why(cl, cl->urls[idx], rc,
			    s.errbuf);
		else if (status != 200)
			why = xasprintf("answered HTTP %ld", status);
		else
			why = xstrdup("ended the stream");
		if (s.created) {
			/* It served, then went: a new round from the next. */
			failed = 0;
			res->reconnects++;
			free(tried);
			tried = NULL;
		}
		t = tried;
		tried = t == NULL ? xasprintf("%s: %s", cl->urls[idx], why) :
		    xasprintf("%s; %s: %s", t, cl->urls[idx], why);
		free(t);
		free(why);
		failed++;
		idx = (idx + 1) % cl->nurls;
	}
	res->end = ETCD_WATCH_FAILED;
	why = escape_str(w->key, 0);
	*cause = xasprintf("watching %s%s: no etcd endpoint would serve the "
	    "watch (tried %s)", why, w->prefix ? "*" : "", tried);
	free(why);
	free(tried);
	free(s.buf);
	free(s.why);
	curl_easy_cleanup(s.curl);
	return -1;
done:
	cl->cur = idx;
	free(tried);
	free(s.buf);
	free(s.why);
	curl_easy_cleanup(s.curl);
	return 0;
}
