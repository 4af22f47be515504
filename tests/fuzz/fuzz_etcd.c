/*
 * What an etcd member's JSON gateway sends: every parser of op/etcd.h
 * gets the same bytes, each reading them as the answer it expects, and
 * the watch parser reads them as a stream, message after message. Never
 * crashes; a refusal has a cause and leaves its output empty; what is
 * accepted keeps the header's promises (keys present and NUL-terminated,
 * revisions not negative, a lost transaction names a condition, watch
 * events in revision order).
 */
#include <stdlib.h>
#include <string.h>

#include "op/etcd.h"
#include "tests/fuzz/fuzz.h"

static void
check_kv(const struct etcd_kv *kv)
{
	FUZZ_ASSERT(kv->key != NULL && kv->key_len > 0);
	FUZZ_ASSERT(kv->key[kv->key_len] == '\0');
	FUZZ_ASSERT(kv->value != NULL && kv->value[kv->value_len] == '\0');
	FUZZ_ASSERT(kv->mod_revision >= 0 && kv->create_revision >= 0 &&
	    kv->version >= 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const struct etcd_cond cond[2] = {
		{ "/a", ETCD_MOD, 5 }, { "/b", ETCD_CREATE, 0 }
	};
	const char		*buf = (const char *)data;
	struct etcd_range	 r;
	struct etcd_txn_result	 t;
	struct etcd_status	 st;
	struct etcd_watch_msg	 m;
	int64_t			 rev, del, id, ttl, last;
	char			*cause, *e;
	size_t			 i, off, used;
	int			 code, rc, n;

	cause = NULL;
	if (etcd_parse_range(buf, len, &r, &cause) == 0) {
		FUZZ_ASSERT(r.revision > 0 && cause == NULL);
		for (i = 0; i < r.nkvs; i++)
			check_kv(&r.kvs[i]);
		etcd_range_clear(&r);
	} else
		FUZZ_ASSERT(cause != NULL && r.kvs == NULL && r.nkvs == 0);
	free(cause);

	cause = NULL;
	if (etcd_parse_write(buf, len, &rev, &del, &cause) == 0)
		FUZZ_ASSERT(rev > 0 && del >= 0);
	else
		FUZZ_ASSERT(cause != NULL && rev == 0);
	free(cause);

	cause = NULL;
	if (etcd_parse_txn(buf, len, cond, 2, &t, &cause) == 0) {
		FUZZ_ASSERT(t.revision > 0);
		if (!t.succeeded) {
			FUZZ_ASSERT(t.lost < 2);
			if (t.lost_kv.key != NULL)
				check_kv(&t.lost_kv);
		}
		etcd_txn_result_clear(&t);
	} else
		FUZZ_ASSERT(cause != NULL && t.lost_kv.key == NULL);
	free(cause);

	cause = NULL;
	if (etcd_parse_lease(buf, len, &id, &ttl, &cause) == 0)
		FUZZ_ASSERT(ttl >= 0);
	else
		FUZZ_ASSERT(cause != NULL && id == 0 && ttl == 0);
	free(cause);

	cause = NULL;
	if (etcd_parse_status(buf, len, &st, &cause) == 0) {
		FUZZ_ASSERT(st.version != NULL && st.revision > 0);
		etcd_status_clear(&st);
	} else
		FUZZ_ASSERT(cause != NULL && st.version == NULL);
	free(cause);

	e = etcd_parse_error(buf, len, &code);
	FUZZ_ASSERT(code >= 0 && code < 100);
	free(e);

	/* The stream: whole messages one after another, as the watch reads. */
	for (off = 0, n = 0; off < len && n < 1000; n++) {
		cause = NULL;
		rc = etcd_parse_watch(buf + off, len - off, &m, &used, &cause);
		if (rc <= 0) {
			FUZZ_ASSERT(rc == 0 ? cause == NULL && used == 0 :
			    cause != NULL && m.kvs == NULL);
			free(cause);
			break;
		}
		FUZZ_ASSERT(used > 0 && used <= len - off);
		for (i = 0, last = 0; i < m.nevents; i++) {
			check_kv(&m.kvs[i]);
			FUZZ_ASSERT(m.kvs[i].mod_revision >= last);
			last = m.kvs[i].mod_revision;
		}
		etcd_watch_msg_clear(&m);
		off += used;
	}
	return 0;
}
