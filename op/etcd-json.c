/*
 * What etcd's JSON gateway answers, parsed. Every function here is fed
 * the untrusted bytes of one response and either fills its output or
 * leaves it empty with a cause; tests/fuzz/fuzz_etcd.c feeds them all.
 *
 * The gateway writes int64 fields as decimal strings ("revision": "12"),
 * bytes as standard base64, and leaves out every field whose value is
 * the default (0, false, PUT, empty), so an absent member is a zero.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <jansson.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "op/etcd-int.h"

/* The most kvs or events one response may hold. */
#define ETCD_ITEMS_MAX	1000000

char *
etcd_b64(const void *data, size_t len)
{
	gnutls_datum_t	 in, out = { NULL, 0 };
	char		*s;

	if (len == 0)
		return xstrdup("");
	in.data = (unsigned char *)(uintptr_t)data;
	in.size = (unsigned)len;
	if (len > UINT32_MAX / 2 || gnutls_base64_encode2(&in, &out) < 0)
		return NULL;
	s = xstrndup((const char *)out.data, out.size);
	gnutls_free(out.data);
	return s;
}

int
etcd_unb64(const char *text, unsigned char **out, size_t *len)
{
	gnutls_datum_t	 in, res = { NULL, 0 };
	size_t		 n = strlen(text), i;

	*out = NULL;
	*len = 0;
	/* GnuTLS's decoder skips whitespace; etcd never sends any. */
	if (n % 4 != 0 || n > UINT32_MAX / 2)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		    (c == '=' && i + 2 >= n)))
			return -1;
	}
	if (n == 0) {
		*out = xcalloc(1, 1);
		return 0;
	}
	in.data = (unsigned char *)(uintptr_t)text;
	in.size = (unsigned)n;
	if (gnutls_base64_decode2(&in, &res) < 0)
		return -1;
	*out = xmalloc((size_t)res.size + 1);
	memcpy(*out, res.data, res.size);
	(*out)[res.size] = '\0';
	*len = res.size;
	gnutls_free(res.data);
	return 0;
}

char *
etcd_prefix_end(const char *prefix, size_t *len)
{
	size_t	 n = strlen(prefix);
	char	*end = xmalloc(n + 1);

	memcpy(end, prefix, n + 1);
	while (n > 0) {
		if ((unsigned char)end[n - 1] < 0xff) {
			end[n - 1]++;
			*len = n;
			return end;
		}
		n--;
	}
	/* Empty, or all 0xff: every key from there on ("\0"). */
	end[0] = '\0';
	*len = 1;
	return end;
}

/*
 * An int64 member: a decimal string, or a JSON integer; absent is 0.
 * -1 when it is there but not a number.
 */
static int
get_i64(json_t *obj, const char *name, int64_t *v)
{
	json_t		*j = json_object_get(obj, name);
	const char	*s;
	char		*end;
	long long	 n;

	*v = 0;
	if (j == NULL || json_is_null(j))
		return 0;
	if (json_is_integer(j)) {
		*v = json_integer_value(j);
		return 0;
	}
	if (!json_is_string(j))
		return -1;
	s = json_string_value(j);
	if (*s == '\0' || json_string_length(j) != strlen(s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s)
		return -1;
	*v = n;
	return 0;
}

static int
get_bool(json_t *obj, const char *name)
{
	return json_is_true(json_object_get(obj, name));
}

/* An optional base64 bytes member; absent gives "" (etcd's default). */
static int
get_bytes(json_t *obj, const char *name, unsigned char **out, size_t *len)
{
	json_t	*j = json_object_get(obj, name);

	if (j == NULL || json_is_null(j)) {
		*out = xcalloc(1, 1);
		*len = 0;
		return 0;
	}
	if (!json_is_string(j))
		return -1;
	return etcd_unb64(json_string_value(j), out, len);
}

static void
kv_clear(struct etcd_kv *kv)
{
	free(kv->key);
	freezero(kv->value, kv->value_len);	/* a key file, perhaps */
	memset(kv, 0, sizeof *kv);
}

/* One mvccpb.KeyValue. */
static int
parse_kv(json_t *j, struct etcd_kv *kv, char **cause)
{
	memset(kv, 0, sizeof *kv);
	if (!json_is_object(j)) {
		*cause = xstrdup("a key-value is not an object");
		return -1;
	}
	if (get_bytes(j, "key", (unsigned char **)&kv->key, &kv->key_len)
	    != 0 || kv->key_len == 0) {
		kv_clear(kv);
		*cause = xstrdup("a key-value has no key, or not in base64");
		return -1;
	}
	if (get_bytes(j, "value", &kv->value, &kv->value_len) != 0) {
		kv_clear(kv);
		*cause = xstrdup("a value is not base64");
		return -1;
	}
	if (get_i64(j, "create_revision", &kv->create_revision) != 0 ||
	    get_i64(j, "mod_revision", &kv->mod_revision) != 0 ||
	    get_i64(j, "version", &kv->version) != 0 ||
	    get_i64(j, "lease", &kv->lease) != 0 ||
	    kv->create_revision < 0 || kv->mod_revision < 0 ||
	    kv->version < 0) {
		kv_clear(kv);
		*cause = xstrdup("a key-value's revision, version or lease "
		    "is not a number");
		return -1;
	}
	return 0;
}

/* The document, which must be an object. */
static json_t *
load(const char *buf, size_t len, char **cause)
{
	json_error_t	 err;
	json_t		*root;
	char		*e;

	if ((root = json_loadb(buf, len, 0, &err)) == NULL) {
		e = escape_str(err.text, 0);
		*cause = xasprintf("not JSON: %s (byte %d)", e, err.position);
		free(e);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		*cause = xstrdup("not a JSON object");
		return NULL;
	}
	return root;
}

/* The header's revision: every answer has one, and it is positive. */
static int
header_revision(json_t *root, int64_t *rev, char **cause)
{
	json_t	*h = json_object_get(root, "header");

	if (!json_is_object(h) || get_i64(h, "revision", rev) != 0 ||
	    *rev <= 0) {
		*rev = 0;
		*cause = xstrdup("no header with a revision");
		return -1;
	}
	return 0;
}

void
etcd_range_clear(struct etcd_range *r)
{
	size_t	 i;

	for (i = 0; i < r->nkvs; i++)
		kv_clear(&r->kvs[i]);
	free(r->kvs);
	memset(r, 0, sizeof *r);
}

/* A RangeResponse object (also one of a txn's responses). */
static int
range_from(json_t *root, struct etcd_range *r, char **cause)
{
	json_t	*kvs;
	size_t	 i, n;

	memset(r, 0, sizeof *r);
	if (header_revision(root, &r->revision, cause) != 0)
		return -1;
	if (get_i64(root, "count", &r->count) != 0) {
		*cause = xstrdup("count is not a number");
		goto bad;
	}
	r->more = get_bool(root, "more");
	kvs = json_object_get(root, "kvs");
	if (kvs == NULL)
		return 0;
	if (!json_is_array(kvs) || (n = json_array_size(kvs)) >
	    ETCD_ITEMS_MAX) {
		*cause = xstrdup("kvs is not an array");
		goto bad;
	}
	r->kvs = xcalloc(n > 0 ? n : 1, sizeof *r->kvs);
	for (i = 0; i < n; i++) {
		if (parse_kv(json_array_get(kvs, i), &r->kvs[i], cause) != 0)
			goto bad;
		r->nkvs++;
	}
	return 0;
bad:
	etcd_range_clear(r);
	return -1;
}

int
etcd_parse_range(const char *buf, size_t len, struct etcd_range *r,
    char **cause)
{
	json_t	*root;
	int	 rc;

	memset(r, 0, sizeof *r);
	if ((root = load(buf, len, cause)) == NULL)
		return -1;
	rc = range_from(root, r, cause);
	json_decref(root);
	return rc;
}

int
etcd_parse_write(const char *buf, size_t len, int64_t *rev, int64_t *deleted,
    char **cause)
{
	json_t	*root;
	int64_t	 d;
	int	 rc = -1;

	*rev = 0;
	if (deleted != NULL)
		*deleted = 0;
	if ((root = load(buf, len, cause)) == NULL)
		return -1;
	if (header_revision(root, rev, cause) != 0)
		goto out;
	if (get_i64(root, "deleted", &d) != 0 || d < 0) {
		*rev = 0;
		*cause = xstrdup("deleted is not a number");
		goto out;
	}
	if (deleted != NULL)
		*deleted = d;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void
etcd_txn_result_clear(struct etcd_txn_result *t)
{
	kv_clear(&t->lost_kv);
	memset(t, 0, sizeof *t);
}

/*
 * A TxnResponse whose failure branch is one range per condition: the
 * first condition the ranges show to be false is the one that lost.
 */
int
etcd_parse_txn(const char *buf, size_t len, const struct etcd_cond *cond,
    size_t ncond, struct etcd_txn_result *t, char **cause)
{
	json_t			*root, *resp, *rr;
	struct etcd_range	 r;
	size_t			 i;
	int64_t			 mod, create;
	int			 rc = -1;

	memset(t, 0, sizeof *t);
	if ((root = load(buf, len, cause)) == NULL)
		return -1;
	if (header_revision(root, &t->revision, cause) != 0)
		goto out;
	t->succeeded = get_bool(root, "succeeded");
	if (t->succeeded) {
		rc = 0;
		goto out;
	}
	resp = json_object_get(root, "responses");
	if (!json_is_array(resp) || json_array_size(resp) != ncond) {
		*cause = xasprintf("the transaction failed but did not read "
		    "back its %zu compared key(s)", ncond);
		goto out;
	}
	t->lost = ncond;
	for (i = 0; i < ncond; i++) {
		rr = json_object_get(json_array_get(resp, i), "response_range");
		if (!json_is_object(rr)) {
			*cause = xstrdup("a failed transaction's answer is "
			    "not a range");
			goto out;
		}
		/* A range inside a txn carries the txn's header, or none. */
		if (json_object_get(rr, "header") == NULL) {
			json_object_set_new(rr, "header", json_pack("{s:I}",
			    "revision", (json_int_t)t->revision));
		}
		if (range_from(rr, &r, cause) != 0)
			goto out;
		if (r.nkvs > 1) {
			etcd_range_clear(&r);
			*cause = xstrdup("one key read back as several");
			goto out;
		}
		mod = r.nkvs ? r.kvs[0].mod_revision : 0;
		create = r.nkvs ? r.kvs[0].create_revision : 0;
		if (t->lost == ncond && ((cond[i].target == ETCD_MOD &&
		    mod != cond[i].rev) || (cond[i].target == ETCD_CREATE &&
		    create != cond[i].rev))) {
			t->lost = i;
			t->lost_mod_revision = mod;
			t->lost_create_revision = create;
			if (r.nkvs) {
				t->lost_kv = r.kvs[0];
				memset(&r.kvs[0], 0, sizeof r.kvs[0]);
			}
		}
		etcd_range_clear(&r);
	}
	if (t->lost == ncond) {
		/* Changed back between the compare and the read: cannot be. */
		*cause = xstrdup("the transaction failed, yet every compared "
		    "key reads as expected");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		etcd_txn_result_clear(t);
	json_decref(root);
	return rc;
}

int
etcd_parse_lease(const char *buf, size_t len, int64_t *id, int64_t *ttl,
    char **cause)
{
	json_t	*root, *o;
	int64_t	 rev;
	int	 rc = -1;

	*id = *ttl = 0;
	if ((root = load(buf, len, cause)) == NULL)
		return -1;
	o = json_object_get(root, "result");
	if (o == NULL)
		o = root;
	if (!json_is_object(o)) {
		*cause = xstrdup("result is not an object");
		goto out;
	}
	if (header_revision(o, &rev, cause) != 0)
		goto out;
	if (get_i64(o, "ID", id) != 0 || get_i64(o, "TTL", ttl) != 0 ||
	    *ttl < 0) {
		*id = *ttl = 0;
		*cause = xstrdup("the lease's ID or TTL is not a number");
		goto out;
	}
	if (json_is_string(json_object_get(o, "error"))) {
		*cause = escape_str(json_string_value(json_object_get(o,
		    "error")), 0);
		*id = *ttl = 0;
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void
etcd_status_clear(struct etcd_status *s)
{
	free(s->endpoint);
	free(s->version);
	memset(s, 0, sizeof *s);
}

int
etcd_parse_status(const char *buf, size_t len, struct etcd_status *s,
    char **cause)
{
	json_t		*root, *h;
	const char	*v;
	int		 rc = -1;

	memset(s, 0, sizeof *s);
	if ((root = load(buf, len, cause)) == NULL)
		return -1;
	h = json_object_get(root, "header");
	if (header_revision(root, &s->revision, cause) != 0)
		goto out;
	/* Member IDs are uint64 printed as decimal: strtoull's range. */
	if ((v = json_string_value(json_object_get(h, "member_id"))) != NULL)
		s->member_id = strtoull(v, NULL, 10);
	if ((v = json_string_value(json_object_get(root, "leader"))) != NULL)
		s->leader = strtoull(v, NULL, 10);
	if (get_i64(root, "raftTerm", &s->raft_term) != 0 &&
	    get_i64(root, "raft_term", &s->raft_term) != 0) {
		*cause = xstrdup("raftTerm is not a number");
		goto out;
	}
	if ((v = json_string_value(json_object_get(root, "version"))) == NULL) {
		*cause = xstrdup("no version");
		goto out;
	}
	s->version = xstrdup(v);
	rc = 0;
out:
	if (rc != 0)
		etcd_status_clear(s);
	json_decref(root);
	return rc;
}

char *
etcd_parse_error(const char *buf, size_t len, int *code)
{
	json_t		*root, *e;
	const char	*m = NULL;
	json_int_t	 c;
	char		*s = NULL;

	*code = 0;
	if ((root = json_loadb(buf, len, 0, NULL)) == NULL)
		return NULL;
	e = json_object_get(root, "error");
	/* A stream's error is an object: {"error": {"message": ...}}. */
	if (json_is_object(e)) {
		json_incref(e);
		json_decref(root);
		root = e;
		e = NULL;
	}
	if (json_is_string(json_object_get(root, "message")))
		m = json_string_value(json_object_get(root, "message"));
	else if (json_is_string(e))
		m = json_string_value(e);
	c = json_integer_value(json_object_get(root, "code"));
	if (c == 0)
		c = json_integer_value(json_object_get(root, "grpc_code"));
	if (c > 0 && c < 100)
		*code = (int)c;
	if (m != NULL)
		s = xstrdup(m);
	json_decref(root);
	return s;
}

void
etcd_watch_msg_clear(struct etcd_watch_msg *m)
{
	size_t	 i;

	for (i = 0; i < m->nevents; i++)
		kv_clear(&m->kvs[i]);
	free(m->kvs);
	free(m->types);
	free(m->cancel_reason);
	memset(m, 0, sizeof *m);
}

/* {"result": WatchResponse} */
static int
watch_from(json_t *root, struct etcd_watch_msg *m, char **cause)
{
	json_t		*res, *evs, *ev, *kv;
	json_t		*e;
	const char	*type, *reason;
	size_t		 i, n;

	if ((res = json_object_get(root, "result")) == NULL) {
		/* {"error": {"message": ...}} or {"error": "..."} */
		e = json_object_get(root, "error");
		reason = json_is_object(e) ? json_string_value(
		    json_object_get(e, "message")) : json_string_value(e);
		if (reason != NULL) {
			char *er = escape_str(reason, 0);

			*cause = xasprintf("the watch failed: %s", er);
			free(er);
		}
		else
			*cause = xstrdup("a watch message has no result");
		return -1;
	}
	if (!json_is_object(res)) {
		*cause = xstrdup("a watch result is not an object");
		return -1;
	}
	m->created = get_bool(res, "created");
	m->canceled = get_bool(res, "canceled");
	/* A cancellation's header has no revision (etcd 3.4). */
	if (m->canceled && json_is_object(json_object_get(res, "header")) &&
	    json_object_get(json_object_get(res, "header"), "revision") ==
	    NULL)
		m->revision = 0;
	else if (header_revision(res, &m->revision, cause) != 0)
		return -1;
	if (get_i64(res, "compact_revision", &m->compact_revision) != 0 ||
	    m->compact_revision < 0) {
		*cause = xstrdup("compact_revision is not a number");
		return -1;
	}
	if ((reason = json_string_value(json_object_get(res,
	    "cancel_reason"))) != NULL)
		m->cancel_reason = xstrdup(reason);
	if ((evs = json_object_get(res, "events")) == NULL)
		return 0;
	if (!json_is_array(evs) || (n = json_array_size(evs)) >
	    ETCD_ITEMS_MAX) {
		*cause = xstrdup("events is not an array");
		return -1;
	}
	m->kvs = xcalloc(n > 0 ? n : 1, sizeof *m->kvs);
	m->types = xcalloc(n > 0 ? n : 1, sizeof *m->types);
	for (i = 0; i < n; i++) {
		ev = json_array_get(evs, i);
		if (!json_is_object(ev)) {
			*cause = xstrdup("an event is not an object");
			return -1;
		}
		type = json_string_value(json_object_get(ev, "type"));
		if (json_object_get(ev, "type") == NULL || (type != NULL &&
		    strcmp(type, "PUT") == 0))
			m->types[i] = ETCD_EV_PUT;
		else if (type != NULL && strcmp(type, "DELETE") == 0)
			m->types[i] = ETCD_EV_DELETE;
		else if (json_integer_value(json_object_get(ev, "type")) == 1)
			m->types[i] = ETCD_EV_DELETE;
		else {
			*cause = xstrdup("an event's type is neither PUT nor "
			    "DELETE");
			return -1;
		}
		kv = json_object_get(ev, "kv");
		if (parse_kv(kv, &m->kvs[i], cause) != 0)
			return -1;
		m->nevents++;
		if (m->kvs[i].mod_revision <= 0 ||
		    (i > 0 && m->kvs[i].mod_revision <
		    m->kvs[i - 1].mod_revision)) {
			*cause = xstrdup("events out of revision order");
			return -1;
		}
	}
	return 0;
}

int
etcd_parse_watch(const char *buf, size_t len, struct etcd_watch_msg *m,
    size_t *used, char **cause)
{
	json_error_t	 err;
	json_t		*root;
	char		*e;
	size_t		 skip = 0;
	int		 rc;

	memset(m, 0, sizeof *m);
	*used = 0;
	while (skip < len && strchr(" \t\r\n", buf[skip]) != NULL &&
	    buf[skip] != '\0')
		skip++;
	if (skip == len)
		return 0;
	root = json_loadb(buf + skip, len - skip, JSON_DISABLE_EOF_CHECK,
	    &err);
	if (root == NULL) {
		if (json_error_code(&err) == json_error_premature_end_of_input)
			return 0;
		e = escape_str(err.text, 0);
		*cause = xasprintf("not JSON: %s", e);
		free(e);
		return -1;
	}
	/* With JSON_DISABLE_EOF_CHECK, position is the bytes read. */
	if (err.position <= 0 || (size_t)err.position > len - skip) {
		json_decref(root);
		*cause = xstrdup("cannot tell where a watch message ends");
		return -1;
	}
	*used = skip + (size_t)err.position;
	if (!json_is_object(root)) {
		json_decref(root);
		*cause = xstrdup("a watch message is not a JSON object");
		return -1;
	}
	rc = watch_from(root, m, cause);
	json_decref(root);
	if (rc != 0) {
		etcd_watch_msg_clear(m);
		*used = 0;
		return -1;
	}
	return 1;
}
