/*
 * A client for etcd's v3 API, the store under certbind's fleet (DESIGN.md
 * "Fleet (etcd)"): reads at a revision, compare-and-write transactions,
 * leases, a lease lock and a watch that survives members dying.
 *
 * It speaks to etcd's JSON gateway (POST /v3/kv/range and friends) with
 * libcurl and jansson, the HTTP and JSON libraries certbind already links
 * for ACME, rather than through gRPC: Debian has no maintained C gRPC
 * client for etcd, and grpc's C core would add protobuf code generation,
 * a C++ runtime and a second TLS stack (BoringSSL or OpenSSL) to a program
 * built on GnuTLS. The gateway is part of every etcd 3.4+ member, serves
 * the same RPCs (streams included: a watch is one long POST) and carries
 * int64 fields as decimal strings and keys and values as base64.
 *
 * Every revision is an int64_t; 0 means "latest" in a read and "absent" in
 * a comparison, as in etcd. Every cause names the endpoint(s) it is about
 * and what was wrong; what it quotes from etcd, a key or the user is
 * escaped already (util/escape.h), so a front end prints it with
 * ESCAPE_MESSAGE. Keys and values handed back (struct etcd_kv, a lock's
 * holder) are raw data: escape them before showing them. Nothing here
 * prints.
 *
 * Endpoints: "HOST:PORT[,HOST:PORT...]" (IPv6 as [ADDR]:PORT), each
 * optionally with an http:// or https:// scheme; without one, https when
 * the options name a CA file, http otherwise. A request goes to the
 * endpoint that answered last and fails over to the next one when it
 * does not answer (within the request timeout) or says it is unavailable
 * (no leader). A write fails over only when it cannot have been applied:
 * the connection or the TLS handshake failed, or etcd said unavailable
 * without "timed out"; otherwise its cause says it may have been applied.
 * A member that freezes while a watch streams from it is not noticed
 * (its kernel still acknowledges); one that dies, or loses its leader
 * (the watch asks etcd to require one), is.
 */
#ifndef CERTBIND_OP_ETCD_H
#define CERTBIND_OP_ETCD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct etcd_client;

struct etcd_opts {
	const char	*endpoints;	/* HOST:PORT,... */
	const char	*ca_file;	/* PEM; https; NULL: plain http */
	const char	*cert_file;	/* client certificate, or NULL */
	const char	*key_file;	/* its key, or NULL */
	long		 timeout_ms;	/* per request; 0: 5000 */
};

/* At most this many endpoints, and bytes in one response. */
#define ETCD_ENDPOINTS_MAX	16
#define ETCD_BODY_MAX		(64 * 1024 * 1024)

/*
 * A client is used by one thread at a time. A watch streams over a
 * connection of its own, so its callbacks may use the same client (to
 * read a snapshot when an event comes, say).
 */
int	 etcd_client_new(const struct etcd_opts *, struct etcd_client **,
	    char **cause);
void	 etcd_client_free(struct etcd_client *);
/* The endpoints as URLs, "http://a:1, http://b:2": for messages. */
const char *etcd_client_endpoints(const struct etcd_client *);

/* One key and its value. key and value are NUL-terminated as well. */
struct etcd_kv {
	char		*key;
	size_t		 key_len;
	unsigned char	*value;
	size_t		 value_len;
	int64_t		 create_revision;
	int64_t		 mod_revision;
	int64_t		 version;
	int64_t		 lease;
};

/* What a read returns: the store's revision and the keys, sorted. */
struct etcd_range {
	int64_t		 revision;	/* the header's */
	struct etcd_kv	*kvs;
	size_t		 nkvs;
	int64_t		 count;
	int		 more;
};
void	 etcd_range_clear(struct etcd_range *);

/*
 * One key (prefix 0) or every key under a prefix (prefix 1), at revision
 * rev (0: the latest). A missing key is an empty range, not an error.
 * A revision etcd has compacted is an error saying so.
 */
int	 etcd_get(struct etcd_client *, const char *key, int prefix,
	    int64_t rev, struct etcd_range *, char **cause);

/* A put (lease 0: none) and a delete; *rev gets the store's revision. */
int	 etcd_put(struct etcd_client *, const char *key, const void *value,
	    size_t len, int64_t lease, int64_t *rev, char **cause);
int	 etcd_delete(struct etcd_client *, const char *key, int prefix,
	    int64_t *deleted, int64_t *rev, char **cause);

/*
 * A transaction: when every condition holds, do the operations. A
 * condition says a key's mod revision (ETCD_MOD) or create revision
 * (ETCD_CREATE) is rev; rev 0 means the key is absent.
 */
enum etcd_target { ETCD_MOD, ETCD_CREATE };
struct etcd_cond {
	const char	*key;
	enum etcd_target target;
	int64_t		 rev;
};
enum etcd_op_type { ETCD_PUT, ETCD_DELETE };
struct etcd_op {
	enum etcd_op_type type;
	const char	*key;
	const void	*value;		/* ETCD_PUT */
	size_t		 len;
	int64_t		 lease;		/* ETCD_PUT; 0: none */
};
struct etcd_txn_result {
	int		 succeeded;
	int64_t		 revision;	/* the store's, after it */
	/*
	 * When it did not succeed: the first condition that failed (its
	 * index) and that key's current revisions, read in the same
	 * transaction (0 and 0: the key is absent), so the caller can
	 * name the winner's revision.
	 */
	size_t		 lost;
	int64_t		 lost_mod_revision;
	int64_t		 lost_create_revision;
	struct etcd_kv	 lost_kv;	/* the key as it is, if present */
};
void	 etcd_txn_result_clear(struct etcd_txn_result *);
/* 0 when etcd answered (succeeded or not: see res), -1 otherwise. */
int	 etcd_txn(struct etcd_client *, const struct etcd_cond *, size_t ncond,
	    const struct etcd_op *, size_t nop, struct etcd_txn_result *,
	    char **cause);

/*
 * Leases. grant: *id and the TTL etcd granted (it may raise a small one).
 * keepalive: one renewal; *ttl 0 means the lease has expired or is gone.
 * revoke: the keys attached to it are deleted.
 */
int	 etcd_lease_grant(struct etcd_client *, int64_t ttl, int64_t *id,
	    int64_t *granted, char **cause);
int	 etcd_lease_keepalive(struct etcd_client *, int64_t id, int64_t *ttl,
	    char **cause);
int	 etcd_lease_revoke(struct etcd_client *, int64_t id, char **cause);

/*
 * A lock on a lease: the key PREFIX/locks/NAME created (create revision
 * 0 compared) with value and lease. 0: taken, *rev is its create
 * revision (give it to etcd_lock_release); 1: someone holds it, *holder
 * (allocated) is their value and *rev their create revision; -1: error.
 * It is freed by etcd_lock_release, by revoking the lease or by the
 * lease expiring.
 */
int	 etcd_lock_acquire(struct etcd_client *, const char *prefix,
	    const char *name, const char *value, int64_t lease, int64_t *rev,
	    char **holder, char **cause);
/* Deletes the lock only if it is still the one created at rev: 0 or -1. */
int	 etcd_lock_release(struct etcd_client *, const char *prefix,
	    const char *name, int64_t rev, char **cause);

/* A member's status, from the endpoint that answered. */
struct etcd_status {
	char		*endpoint;	/* the URL asked */
	char		*version;	/* etcd's */
	uint64_t	 member_id;
	uint64_t	 leader;
	int64_t		 revision;
	int64_t		 raft_term;
};
void	 etcd_status_clear(struct etcd_status *);
/* Asks endpoint number i (0..), or, i < 0, whichever answers first. */
int	 etcd_status(struct etcd_client *, int i, struct etcd_status *,
	    char **cause);

/* One change seen by a watch. Borrowed: valid during the callback. */
enum etcd_event_type { ETCD_EV_PUT, ETCD_EV_DELETE };
struct etcd_event {
	enum etcd_event_type type;
	const struct etcd_kv *kv;	/* for a delete: key, mod_revision */
};

struct etcd_watch {
	const char	*key;		/* the prefix (or key) watched */
	int		 prefix;	/* 1: every key under key */
	int64_t		 start;		/* first revision wanted; 0: now */
	/* Each event, in revision order; non-zero ends the watch. */
	int		(*event)(void *, const struct etcd_event *);
	/* Optional: told the endpoint each time etcd confirms the watch. */
	void		(*connected)(void *, const char *endpoint);
	void		*arg;
	/* Checked at least once a second: non-zero ends the watch. */
	volatile sig_atomic_t *stop;
	long		 timeout_ms;	/* 0: no limit */
};

enum etcd_watch_end {
	ETCD_WATCH_STOPPED,	/* stop flag, callback or timeout */
	ETCD_WATCH_COMPACTED,	/* start is compacted: see compact_revision */
	ETCD_WATCH_FAILED	/* no endpoint would serve it: see cause */
};
struct etcd_watch_result {
	enum etcd_watch_end end;
	/*
	 * The revision to resume from: one past the last delivered event
	 * (or start). After COMPACTED the caller reads a snapshot (at
	 * compact_revision or later) and watches from its revision + 1.
	 */
	int64_t		 next;
	int64_t		 compact_revision;
	unsigned	 reconnects;
};

/*
 * Watches until told to stop. A member dying mid-stream is not an end:
 * the watch reconnects to the next endpoint from the revision after the
 * last event delivered, so no event is lost or delivered twice. It ends
 * FAILED (returning -1 with *cause naming the endpoints tried) only when
 * no endpoint answered in a whole round; the caller may call again from
 * res->next.
 */
int	 etcd_watch(struct etcd_client *, const struct etcd_watch *,
	    struct etcd_watch_result *, char **cause);

/*
 * The response parsers, each fed the untrusted bytes of one answer (the
 * fuzz target tests/fuzz/fuzz_etcd.c calls each of them). On -1 the
 * output is left empty and *cause says what was wrong (without an
 * endpoint: the caller adds it).
 */
int	 etcd_parse_range(const char *, size_t, struct etcd_range *,
	    char **cause);
/* put, deleterange: the header's revision and, for delete, "deleted". */
int	 etcd_parse_write(const char *, size_t, int64_t *rev,
	    int64_t *deleted, char **cause);
/* txn whose failure branch read every compared key, in order. */
int	 etcd_parse_txn(const char *, size_t, const struct etcd_cond *,
	    size_t ncond, struct etcd_txn_result *, char **cause);
/* lease grant, or keepalive ({"result": ...}): ID and TTL. */
int	 etcd_parse_lease(const char *, size_t, int64_t *id, int64_t *ttl,
	    char **cause);
int	 etcd_parse_status(const char *, size_t, struct etcd_status *,
	    char **cause);
/* An error body ({"error": ..., "message": ..., "code": N}), or NULL. */
char	*etcd_parse_error(const char *, size_t, int *code);

/* One message of a watch stream. */
struct etcd_watch_msg {
	int		 created;
	int		 canceled;
	int64_t		 revision;	/* the header's */
	int64_t		 compact_revision;
	char		*cancel_reason;
	struct etcd_kv	*kvs;		/* the events' kvs */
	enum etcd_event_type *types;
	size_t		 nevents;
};
void	 etcd_watch_msg_clear(struct etcd_watch_msg *);
/*
 * The first whole JSON message in buf: 1 and *used = its length (with
 * the whitespace before it); 0 when buf holds only part of one (read
 * more); -1 when it is not a watch message.
 */
int	 etcd_parse_watch(const char *, size_t, struct etcd_watch_msg *,
	    size_t *used, char **cause);

#endif
