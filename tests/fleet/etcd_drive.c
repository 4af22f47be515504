/*
 * Drives op/etcd.h from the shell for tests/fleet/: one subcommand per
 * call of the API, its answer on stdout one fact a line (escaped), the
 * cause on stderr. Exit 0: done; 1: refused (a lost transaction, a lock
 * held); 2: error; 3: a watch found its start compacted.
 *
 *   etcd_drive [-e ENDPOINTS] [-t MS] [-c CA -C CERT -K KEY] CMD ARGS...
 *   get KEY [REV] | range PREFIX [REV] | put KEY VALUE [LEASE] | del KEY
 *   txn KEY=MODREV... -- put:KEY=VALUE... del:KEY...
 *   grant TTL | keepalive ID | revoke ID | status [N]
 *   lock PREFIX NAME VALUE LEASE | unlock PREFIX NAME REV
 *   watch PREFIX START COUNT TIMEOUT_MS (0: none; SIGTERM stops it)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"
#include "op/etcd.h"

static void
say(const char *fmt, const char *s, size_t len)
{
	char	*e = escape_mem(s, len, 0);

	printf(fmt, e);
	free(e);
}

static int
fail(char *cause)
{
	char	*e = escape_str(cause, ESCAPE_MESSAGE);

	fprintf(stderr, "etcd_drive: %s\n", e);
	free(e);
	free(cause);
	return 2;
}

static void
print_range(const struct etcd_range *r)
{
	size_t	 i;

	printf("revision %lld\n", (long long)r->revision);
	for (i = 0; i < r->nkvs; i++) {
		say("%s", r->kvs[i].key, r->kvs[i].key_len);
		say(" %s", (const char *)r->kvs[i].value, r->kvs[i].value_len);
		printf(" create=%lld mod=%lld version=%lld lease=%lld\n",
		    (long long)r->kvs[i].create_revision,
		    (long long)r->kvs[i].mod_revision,
		    (long long)r->kvs[i].version, (long long)r->kvs[i].lease);
	}
}

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	stop = 1;
}

struct wcount {
	long			 left;
	struct etcd_client	*cl;	/* set: read each key back */
};

static int
on_event(void *arg, const struct etcd_event *ev)
{
	struct wcount	*w = arg;

	printf("%s", ev->type == ETCD_EV_PUT ? "PUT " : "DELETE ");
	say("%s", ev->kv->key, ev->kv->key_len);
	say(" %s", (const char *)ev->kv->value, ev->kv->value_len);
	printf(" mod=%lld\n", (long long)ev->kv->mod_revision);
	if (w->cl != NULL) {
		struct etcd_range	 r;
		char			*cause = NULL;

		if (etcd_get(w->cl, ev->kv->key, 0, ev->kv->mod_revision, &r,
		    &cause) != 0)
			return fail(cause), 1;
		if (r.nkvs == 1)
			say("read %s\n", (const char *)r.kvs[0].value,
			    r.kvs[0].value_len);
		etcd_range_clear(&r);
	}
	fflush(stdout);
	return --w->left <= 0;
}

static void
on_connect(void *arg, const char *endpoint)
{
	fprintf(stderr, "connected %s\n", endpoint);
}

static int
txn(struct etcd_client *cl, int argc, char **argv)
{
	struct etcd_cond	 c[16];
	struct etcd_op		 o[16];
	struct etcd_txn_result	 res;
	size_t			 nc = 0, no = 0;
	char			*eq, *cause = NULL;
	int			 i, ops = 0;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			ops = 1;
			continue;
		}
		if (!ops && nc < 16 && (eq = strrchr(argv[i], '=')) != NULL) {
			*eq = '\0';
			c[nc].key = argv[i];
			c[nc].target = ETCD_MOD;
			c[nc++].rev = strtoll(eq + 1, NULL, 10);
		} else if (ops && no < 16 && strncmp(argv[i], "put:", 4) == 0 &&
		    (eq = strchr(argv[i], '=')) != NULL) {
			*eq = '\0';
			memset(&o[no], 0, sizeof o[no]);
			o[no].type = ETCD_PUT;
			o[no].key = argv[i] + 4;
			o[no].value = eq + 1;
			o[no++].len = strlen(eq + 1);
		} else if (ops && no < 16 && strncmp(argv[i], "del:", 4) == 0) {
			memset(&o[no], 0, sizeof o[no]);
			o[no].type = ETCD_DELETE;
			o[no++].key = argv[i] + 4;
		} else {
			fprintf(stderr, "etcd_drive: bad txn argument\n");
			return 2;
		}
	}
	if (etcd_txn(cl, c, nc, o, no, &res, &cause) != 0)
		return fail(cause);
	if (res.succeeded) {
		printf("succeeded revision %lld\n", (long long)res.revision);
		etcd_txn_result_clear(&res);
		return 0;
	}
	say("lost %s", c[res.lost].key, strlen(c[res.lost].key));
	printf(" mod=%lld revision %lld\n", (long long)res.lost_mod_revision,
	    (long long)res.revision);
	etcd_txn_result_clear(&res);
	return 1;
}

int
main(int argc, char **argv)
{
	struct etcd_opts	 o;
	struct etcd_client	*cl;
	struct etcd_range	 r;
	struct etcd_status	 st;
	struct etcd_watch	 w;
	struct etcd_watch_result wr;
	struct wcount		 wc;
	int64_t			 rev, id, ttl, n;
	char			*cause = NULL, *holder;
	const char		*cmd;
	int			 ch, rc;

	memset(&o, 0, sizeof o);
	o.endpoints = getenv("ETCD_ENDPOINTS");
	while ((ch = getopt(argc, argv, "+e:t:c:C:K:")) != -1) {
		switch (ch) {
		case 'e': o.endpoints = optarg; break;
		case 't': o.timeout_ms = strtol(optarg, NULL, 10); break;
		case 'c': o.ca_file = optarg; break;
		case 'C': o.cert_file = optarg; break;
		case 'K': o.key_file = optarg; break;
		default: return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fprintf(stderr, "usage: etcd_drive [-e ENDPOINTS] CMD ...\n");
		return 2;
	}
	if (etcd_client_new(&o, &cl, &cause) != 0)
		return fail(cause);
	cmd = argv[0];
	rc = 0;
	if ((strcmp(cmd, "get") == 0 || strcmp(cmd, "range") == 0) &&
	    argc >= 2) {
		if (etcd_get(cl, argv[1], cmd[0] == 'r',
		    argc > 2 ? strtoll(argv[2], NULL, 10) : 0, &r, &cause) != 0)
			rc = fail(cause);
		else {
			print_range(&r);
			etcd_range_clear(&r);
		}
	} else if (strcmp(cmd, "put") == 0 && argc >= 3) {
		if (etcd_put(cl, argv[1], argv[2], strlen(argv[2]),
		    argc > 3 ? strtoll(argv[3], NULL, 10) : 0, &rev,
		    &cause) != 0)
			rc = fail(cause);
		else
			printf("revision %lld\n", (long long)rev);
	} else if (strcmp(cmd, "del") == 0 && argc >= 2) {
		if (etcd_delete(cl, argv[1], 0, &n, &rev, &cause) != 0)
			rc = fail(cause);
		else
			printf("deleted %lld revision %lld\n", (long long)n,
			    (long long)rev);
	} else if (strcmp(cmd, "txn") == 0) {
		rc = txn(cl, argc - 1, argv + 1);
	} else if (strcmp(cmd, "grant") == 0 && argc >= 2) {
		if (etcd_lease_grant(cl, strtoll(argv[1], NULL, 10), &id, &ttl,
		    &cause) != 0)
			rc = fail(cause);
		else
			printf("%lld %lld\n", (long long)id, (long long)ttl);
	} else if (strcmp(cmd, "keepalive") == 0 && argc >= 2) {
		if (etcd_lease_keepalive(cl, strtoll(argv[1], NULL, 10), &ttl,
		    &cause) != 0)
			rc = fail(cause);
		else
			printf("ttl %lld\n", (long long)ttl);
	} else if (strcmp(cmd, "revoke") == 0 && argc >= 2) {
		if (etcd_lease_revoke(cl, strtoll(argv[1], NULL, 10),
		    &cause) != 0)
			rc = fail(cause);
	} else if (strcmp(cmd, "status") == 0) {
		if (etcd_status(cl, argc > 1 ? atoi(argv[1]) : -1, &st,
		    &cause) != 0)
			rc = fail(cause);
		else {
			printf("%s version %s revision %lld leader %s\n",
			    st.endpoint, st.version, (long long)st.revision,
			    st.leader != 0 ? "yes" : "none");
			etcd_status_clear(&st);
		}
	} else if (strcmp(cmd, "lock") == 0 && argc >= 5) {
		rc = etcd_lock_acquire(cl, argv[1], argv[2], argv[3],
		    strtoll(argv[4], NULL, 10), &rev, &holder, &cause);
		if (rc < 0)
			rc = fail(cause);
		else if (rc == 0)
			printf("acquired revision %lld\n", (long long)rev);
		else {
			say("held by %s", holder, strlen(holder));
			printf(" since %lld\n", (long long)rev);
			free(holder);
		}
	} else if (strcmp(cmd, "unlock") == 0 && argc >= 4) {
		if (etcd_lock_release(cl, argv[1], argv[2],
		    strtoll(argv[3], NULL, 10), &cause) != 0)
			rc = fail(cause);
	} else if (strcmp(cmd, "watch") == 0 && argc >= 5) {
		memset(&w, 0, sizeof w);
		wc.left = strtol(argv[3], NULL, 10);
		/* ETCD_DRIVE_READ=1: the callback reads through the client. */
		wc.cl = getenv("ETCD_DRIVE_READ") != NULL ? cl : NULL;
		w.key = argv[1];
		w.prefix = 1;
		w.start = strtoll(argv[2], NULL, 10);
		w.event = on_event;
		w.connected = on_connect;
		w.arg = &wc;
		w.timeout_ms = strtol(argv[4], NULL, 10);
		/* SIGTERM ends the watch through the stop flag. */
		w.stop = &stop;
		signal(SIGTERM, on_term);
		if (etcd_watch(cl, &w, &wr, &cause) != 0)
			rc = fail(cause);
		else if (wr.end == ETCD_WATCH_COMPACTED) {
			printf("compacted %lld\n",
			    (long long)wr.compact_revision);
			rc = 3;
		} else
			printf("stopped next %lld reconnects %u\n",
			    (long long)wr.next, wr.reconnects);
	} else {
		fprintf(stderr, "etcd_drive: unknown command or missing "
		    "arguments\n");
		rc = 2;
	}
	etcd_client_free(cl);
	return rc;
}
