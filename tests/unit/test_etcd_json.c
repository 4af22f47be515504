/*
 * op/etcd-json.c: what etcd 3.4's JSON gateway answers (texts taken from
 * a real member), and what it must refuse, as tables of cases; the
 * prefix's range end; base64 both ways.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "op/etcd-int.h"

#define HDR	"\"header\":{\"cluster_id\":\"6\",\"member_id\":\"13\"," \
		"\"revision\":\"7\",\"raft_term\":\"2\"}"

static void
test_range(void **state)
{
	struct etcd_range	 r;
	char			*cause = NULL;
	const char		*ok = "{" HDR ",\"kvs\":[{\"key\":\"L2NiL2E=\","
	    "\"create_revision\":\"2\",\"mod_revision\":\"3\",\"version\":"
	    "\"2\",\"value\":\"dHdv\",\"lease\":\"99\"},{\"key\":\"L2NiL2I=\","
	    "\"create_revision\":\"4\",\"mod_revision\":\"4\",\"version\":"
	    "\"1\"}],\"count\":\"2\"}";
	static const char *bad[] = {
		"",
		"[]",
		"{\"kvs\":[]}",					/* no header */
		"{\"header\":{\"revision\":\"x\"}}",
		"{\"header\":{\"revision\":\"-3\"}}",
		"{" HDR ",\"kvs\":{}}",
		"{" HDR ",\"kvs\":[{\"value\":\"eA==\"}]}",	/* no key */
		"{" HDR ",\"kvs\":[{\"key\":\"!!!!\"}]}",
		"{" HDR ",\"kvs\":[{\"key\":\"eA==\",\"value\":\"e A==\"}]}",
		"{" HDR ",\"kvs\":[{\"key\":\"eA==\",\"mod_revision\":\"1x\"}]}",
		"{" HDR ",\"kvs\":[{\"key\":\"eA==\",\"version\":\"-1\"}]}",
		"{" HDR ",\"count\":true}",
	};
	size_t			 i;

	(void)state;
	assert_int_equal(etcd_parse_range(ok, strlen(ok), &r, &cause), 0);
	assert_int_equal(r.revision, 7);
	assert_int_equal(r.nkvs, 2);
	assert_string_equal(r.kvs[0].key, "/cb/a");
	assert_string_equal((char *)r.kvs[0].value, "two");
	assert_int_equal(r.kvs[0].create_revision, 2);
	assert_int_equal(r.kvs[0].mod_revision, 3);
	assert_int_equal(r.kvs[0].version, 2);
	assert_int_equal(r.kvs[0].lease, 99);
	/* An empty value is left out by the gateway: it is "". */
	assert_int_equal(r.kvs[1].value_len, 0);
	assert_string_equal((char *)r.kvs[1].value, "");
	etcd_range_clear(&r);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_int_equal(etcd_parse_range(bad[i], strlen(bad[i]), &r,
		    &cause), -1);
		assert_non_null(cause);
		assert_null(r.kvs);
		free(cause);
	}
}

static void
test_txn(void **state)
{
	static const struct etcd_cond cond[2] = {
		{ "/a", ETCD_MOD, 5 }, { "/b", ETCD_CREATE, 0 }
	};
	struct etcd_txn_result	 t;
	char			*cause = NULL;
	const char		*won = "{" HDR ",\"succeeded\":true}";
	const char		*lost = "{" HDR ",\"responses\":["
	    "{\"response_range\":{" HDR ",\"kvs\":[{\"key\":\"L2E=\","
	    "\"create_revision\":\"2\",\"mod_revision\":\"5\",\"version\":"
	    "\"1\"}],\"count\":\"1\"}},{\"response_range\":{\"kvs\":[{\"key\":"
	    "\"L2I=\",\"create_revision\":\"6\",\"mod_revision\":\"6\","
	    "\"version\":\"1\",\"value\":\"aG9sZGVy\"}]}}]}";
	const char		*short_ = "{" HDR ",\"responses\":[]}";
	const char		*same = "{" HDR ",\"responses\":[{\"response_range"
	    "\":{\"kvs\":[{\"key\":\"L2E=\",\"mod_revision\":\"5\"}]}},"
	    "{\"response_range\":{}}]}";

	(void)state;
	assert_int_equal(etcd_parse_txn(won, strlen(won), cond, 2, &t,
	    &cause), 0);
	assert_true(t.succeeded);
	assert_int_equal(t.revision, 7);
	etcd_txn_result_clear(&t);

	/* /a still holds; /b was created at 6 by someone else: it lost. */
	assert_int_equal(etcd_parse_txn(lost, strlen(lost), cond, 2, &t,
	    &cause), 0);
	assert_false(t.succeeded);
	assert_int_equal(t.lost, 1);
	assert_int_equal(t.lost_mod_revision, 6);
	assert_int_equal(t.lost_create_revision, 6);
	assert_string_equal((char *)t.lost_kv.value, "holder");
	etcd_txn_result_clear(&t);

	assert_int_equal(etcd_parse_txn(short_, strlen(short_), cond, 2, &t,
	    &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	/* Failed, yet every key reads as compared: not believed. */
	assert_int_equal(etcd_parse_txn(same, strlen(same), cond, 2, &t,
	    &cause), -1);
	assert_non_null(cause);
	free(cause);
}

static void
test_lease_status_error(void **state)
{
	struct etcd_status	 st;
	int64_t			 id, ttl, rev, del;
	char			*cause = NULL, *e;
	int			 code;
	const char		*grant = "{" HDR ",\"ID\":\"7587883212349865482\","
	    "\"TTL\":\"30\"}";
	const char		*gone = "{\"result\":{" HDR ",\"ID\":\"1\"}}";
	const char		*status = "{" HDR ",\"version\":\"3.4.23\","
	    "\"leader\":\"13049071153751544597\",\"raftTerm\":\"2\"}";
	const char		*err = "{\"error\":\"etcdserver: mvcc: required "
	    "revision has been compacted\",\"message\":\"etcdserver: mvcc: "
	    "required revision has been compacted\",\"code\":11}";
	const char		*serr = "{\"error\":{\"grpc_code\":14,"
	    "\"http_code\":503,\"message\":\"etcdserver: no leader\"}}";
	const char		*del1 = "{" HDR ",\"deleted\":\"1\"}";

	(void)state;
	assert_int_equal(etcd_parse_lease(grant, strlen(grant), &id, &ttl,
	    &cause), 0);
	assert_int_equal(id, 7587883212349865482LL);
	assert_int_equal(ttl, 30);
	/* A keepalive of a lease that is gone: TTL left out, so 0. */
	assert_int_equal(etcd_parse_lease(gone, strlen(gone), &id, &ttl,
	    &cause), 0);
	assert_int_equal(ttl, 0);

	assert_int_equal(etcd_parse_status(status, strlen(status), &st,
	    &cause), 0);
	assert_string_equal(st.version, "3.4.23");
	assert_true(st.leader == 13049071153751544597ULL);
	assert_int_equal(st.raft_term, 2);
	etcd_status_clear(&st);

	e = etcd_parse_error(err, strlen(err), &code);
	assert_string_equal(e, "etcdserver: mvcc: required revision has been "
	    "compacted");
	assert_int_equal(code, 11);
	free(e);
	e = etcd_parse_error(serr, strlen(serr), &code);
	assert_string_equal(e, "etcdserver: no leader");
	assert_int_equal(code, 14);
	free(e);
	assert_null(etcd_parse_error("<html>", 6, &code));

	assert_int_equal(etcd_parse_write(del1, strlen(del1), &rev, &del,
	    &cause), 0);
	assert_int_equal(rev, 7);
	assert_int_equal(del, 1);
}

static void
test_watch_stream(void **state)
{
	struct etcd_watch_msg	 m;
	char			*cause = NULL;
	size_t			 used, off = 0, len;
	const char		*s =
	    "{\"result\":{" HDR ",\"created\":true}}\n"
	    "{\"result\":{" HDR ",\"events\":[{\"kv\":{\"key\":\"L2svMQ==\","
	    "\"create_revision\":\"5\",\"mod_revision\":\"5\",\"version\":\"1\","
	    "\"value\":\"djE=\"}},{\"type\":\"DELETE\",\"kv\":{\"key\":"
	    "\"L2svMg==\",\"mod_revision\":\"6\"}}]}}\n"
	    "{\"result\":{\"header\":{\"raft_term\":\"2\"},\"canceled\":true,"
	    "\"compact_revision\":\"4\"}}\n"
	    "{\"result\":{\"hea";
	const char		*disorder = "{\"result\":{" HDR ",\"events\":["
	    "{\"kv\":{\"key\":\"eA==\",\"mod_revision\":\"6\"}},"
	    "{\"kv\":{\"key\":\"eA==\",\"mod_revision\":\"5\"}}]}}";

	(void)state;
	len = strlen(s);
	assert_int_equal(etcd_parse_watch(s, len, &m, &used, &cause), 1);
	assert_true(m.created);
	assert_int_equal(m.revision, 7);
	etcd_watch_msg_clear(&m);
	off += used;
	assert_int_equal(etcd_parse_watch(s + off, len - off, &m, &used,
	    &cause), 1);
	assert_int_equal(m.nevents, 2);
	assert_int_equal(m.types[0], ETCD_EV_PUT);
	assert_string_equal(m.kvs[0].key, "/k/1");
	assert_string_equal((char *)m.kvs[0].value, "v1");
	assert_int_equal(m.types[1], ETCD_EV_DELETE);
	assert_int_equal(m.kvs[1].mod_revision, 6);
	etcd_watch_msg_clear(&m);
	off += used;
	assert_int_equal(etcd_parse_watch(s + off, len - off, &m, &used,
	    &cause), 1);
	assert_true(m.canceled);
	assert_int_equal(m.compact_revision, 4);
	etcd_watch_msg_clear(&m);
	off += used;
	/* Half a message: read more. */
	assert_int_equal(etcd_parse_watch(s + off, len - off, &m, &used,
	    &cause), 0);
	assert_null(cause);
	assert_int_equal(etcd_parse_watch("\n  ", 3, &m, &used, &cause), 0);

	assert_int_equal(etcd_parse_watch(disorder, strlen(disorder), &m,
	    &used, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(etcd_parse_watch("}{", 2, &m, &used, &cause), -1);
	free(cause);
}

static void
test_prefix_end_b64(void **state)
{
	static const struct { const char *in, *out; size_t len; } cases[] = {
		{ "/cb/", "/cb0", 4 },
		{ "a", "b", 1 },
		{ "a\xff", "b", 1 },
		{ "", "", 1 },		/* every key: "\0" */
		{ "\xff\xff", "", 1 },
	};
	unsigned char	*d;
	char		*e;
	size_t		 i, n;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		e = etcd_prefix_end(cases[i].in, &n);
		assert_int_equal(n, cases[i].len);
		assert_memory_equal(e, cases[i].out, n);
		free(e);
	}
	e = etcd_b64("/cb/a", 5);
	assert_string_equal(e, "L2NiL2E=");
	assert_int_equal(etcd_unb64(e, &d, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal((char *)d, "/cb/a");
	free(d);
	free(e);
	assert_int_equal(etcd_unb64("L2E", &d, &n), -1);
	assert_int_equal(etcd_unb64("L2E=L2E=", &d, &n), -1);
	assert_int_equal(etcd_unb64("L-E_", &d, &n), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_txn),
		cmocka_unit_test(test_lease_status_error),
		cmocka_unit_test(test_watch_stream),
		cmocka_unit_test(test_prefix_end_b64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
