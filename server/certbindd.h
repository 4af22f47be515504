/*
 * certbindd's internal interfaces, shared by the files in server/.
 *
 * The one idea: everything a connection needs from the config (the
 * resolver, the credentials, the backends, the timeouts) lives in a
 * "generation" built at load time and reference counted. A connection
 * takes a reference when it is accepted and keeps it to the end, so a
 * reload swaps the current generation without touching connections in
 * flight; the old one is freed when its last connection closes.
 */
#ifndef CERTBINDD_H
#define CERTBINDD_H

#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "core/endpoint.h"
#include "keys/keyfile.h"

struct challenge;
struct challenges;
struct config;
struct errlist;
struct gen;

/* log.c: stderr with a timestamp, or syslog. Thread-safe. */
void		 log_init(int use_syslog);
void		 log_info(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_warn(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
/* Logs an untrusted string (a config error, a file name) escaped. */
void		 log_warn_escaped(const char *prefix, const char *untrusted);

/* notify.c: the systemd notification protocol, without libsystemd. */
void		 notify_send(const char *state);

/*
 * What a handshake needs to choose a certificate: set as the session's
 * pointer (gnutls_session_set_ptr) by the worker that accepted the
 * connection, read by the certificate-retrieve callback in gen.c.
 */
struct hsinfo {
	struct gen	*gen;
	struct endpoint	 lep;		/* the listener that accepted it */
	struct endpoint	 local;		/* from getsockname() */
	struct endpoint	 peer;
	ssize_t		 binding;	/* chosen after the ClientHello */
	int		 refused;	/* logged once per handshake */
	int		 alpn_acme;	/* acme-tls/1 was offered (gen.c) */
	/*
	 * A tls-alpn-01 handshake: the table it was found in (a reference,
	 * dropped when the connection ends) and the challenge, borrowed
	 * from that table.
	 */
	struct challenges	*chal;
	const struct challenge	*ch;
	/*
	 * Client certificates (gen.c), for gen_tls_info(): set by the
	 * verify function when the binding asks for one.
	 */
	int		 cc_sent;	/* the client sent a certificate */
	unsigned int	 cc_verify;	/* GnuTLS's status, 0: verified */
	char		 cc_cn[256];	/* its subject's CN (raw), "" if none */
};

/* The server user and group, for the key-file policy and the drop. */
struct srvid {
	int		 set;		/* server.user was given */
	uid_t		 uid;
	gid_t		 gid;
	char		*user;
	struct keyfile_ids keys;	/* whom tlscred_load() judges keys for */
};

/* gen.c */
int		 gen_global_init(char **cause);
void		 gen_global_free(void);
/*
 * Loads the config at path and everything it names into a new generation
 * with one reference. Every problem is appended to errs; NULL if any.
 */
struct gen	*gen_load(const char *path, struct errlist *errs);
void		 gen_ref(struct gen *);
void		 gen_unref(struct gen *);
unsigned long	 gen_id(const struct gen *);
/* Borrowed, valid as long as the caller holds a reference. */
const struct config *gen_config(const struct gen *);
const struct srvid *gen_srvid(const struct gen *);
/* The backend of the listener on ep; -1 if this generation has none. */
int		 gen_backend(const struct gen *, const struct endpoint *ep,
		     struct endpoint *backend);
/* This generation's listener on ep (borrowed), or NULL. */
const struct config_listener *gen_listener(const struct gen *,
		     const struct endpoint *ep);
/*
 * The backend for a connection accepted on the listener on lep once its
 * handshake chose hs->binding: config_backend_for(), the rule certbind
 * resolve shows. -1 when neither the binding nor the listener has one.
 */
int		 gen_conn_backend(const struct gen *, const struct hsinfo *,
		     const struct endpoint *lep, struct endpoint *backend);

/*
 * What a finished handshake agreed, for the PROXY v2 TLVs and the access
 * log. Strings are NUL-terminated and untrusted where they come from the
 * client (sni, alpn, cn): escape them before they are printed.
 */
struct tlsinfo {
	char		 version[16];	/* "TLSv1.3", as HAProxy writes it */
	char		 cipher[64];	/* "TLS_AES_128_GCM_SHA256" */
	unsigned char	 alpn[256];	/* the protocol negotiated */
	size_t		 alpn_len;	/* 0: none */
	char		 sni[256];	/* "" when the client sent none */
	const char	*key;		/* the key that served it, or NULL */
	int		 client_cert;	/* the client sent a certificate */
	unsigned int	 verify;	/* 0: verified, or none was asked */
	char		 cn[256];	/* its subject's CN, "" if none */
};
/* Fills ti from s, a session whose handshake has completed. */
void		 gen_tls_info(gnutls_session_t s, const struct hsinfo *hs,
		     struct tlsinfo *ti);
/*
 * A new server session for a connection on fd, using this generation's
 * priorities, credentials and tickets. hs must outlive the session.
 */
int		 gen_session_new(struct gen *, int fd, struct hsinfo *hs,
		     gnutls_session_t *out);
int64_t		 gen_handshake_timeout(const struct gen *);	/* ms */
int64_t		 gen_idle_timeout(const struct gen *);		/* ms */
int64_t		 gen_shutdown_timeout(const struct gen *);	/* ms */
int64_t		 gen_max_connections(const struct gen *);
int64_t		 gen_workers(const struct gen *);

/*
 * Whether the handshake of s was a tls-alpn-01 one (ALPN acme-tls/1
 * negotiated): such a connection is closed once the handshake is done,
 * never forwarded. Logs the answer.
 */
int		 gen_is_challenge(gnutls_session_t s, struct hsinfo *hs);

/* The current generation, shared by every worker. */
struct gen	*gen_current(void);		/* adds a reference */
void		 gen_install(struct gen *);	/* takes the caller's ref */

/*
 * challenge.c: the tls-alpn-01 challenges (RFC 8737) certbindd answers,
 * from the files in ACME_ALPN_DIR (op/acme-paths.h) of the config. A
 * table is built whole and then swapped in; it is reference counted like
 * a generation, so a handshake keeps the table it found its challenge in.
 */
/*
 * Reads the directory of cfg into a new table and installs it, logging
 * what loaded and each file skipped (key files judged for ids). Logs the
 * count when the directory exists, or always with always_log. -1 when
 * the directory exists but cannot be read: the old table stays then.
 * Main thread only.
 */
int		 challenge_reload(const struct config *cfg,
		     const struct keyfile_ids *ids, int always_log);
/* How many challenges are pending now: lock-free, for every session. */
size_t		 challenge_pending(void);
/* The current table (with a reference), or NULL. */
struct challenges *challenge_current(void);
void		 challenge_unref(struct challenges *);
/* Drops the current table (at exit). */
void		 challenge_free_all(void);
/* The challenge for domain (any case), borrowed from t; NULL if none. */
const struct challenge *challenge_find(const struct challenges *t,
		     const char *domain);
/* Borrowed, valid as long as the table's reference is held. */
const char	*challenge_domain(const struct challenge *);
const char	*challenge_fpr(const struct challenge *);
gnutls_pcert_st	*challenge_pcert(const struct challenge *);
gnutls_privkey_t challenge_privkey(const struct challenge *);

/*
 * tickets.c: server.ticket_keys, the session ticket master key file (see
 * the comment there). tickets_load reads path (through the keeper after
 * the privilege drop) into key, 64 bytes, judged like a private key file
 * for ids; a missing file is created (0600, atomically) when
 * tickets_allow_create() was called, else 1 is returned and key is left
 * empty (certbindd -t). 0 when read, -1 with *cause. tickets_free wipes.
 */
void		 tickets_allow_create(void);
int		 tickets_load(const char *path, const struct keyfile_ids *ids,
		     gnutls_datum_t *key, char **cause);
void		 tickets_free(gnutls_datum_t *key);

/* privsep.c */
/*
 * Looks up server.user and server.group (either may be NULL) for the drop
 * and for the key-file policy. -1 with *cause on an unknown name.
 */
int		 privsep_lookup(const char *user, const char *group,
		     struct srvid *, char **cause);
/* Whether privsep_drop() will give up root: a keeper is needed then. */
int		 privsep_drops(const struct srvid *);
int		 privsep_drop(const struct srvid *, char **cause);

/*
 * pidfile.c: server.pidfile, "PID\n", written atomically with mode 0644.
 * pidfile_path is the resolved path (allocated), or NULL when the config
 * has none. pidfile_write also takes an flock() on the file it wrote,
 * held until shutdown begins, and refuses (naming the pid) a pidfile another live
 * process holds locked. pidfile_remove removes the file only if it names this
 * process, and says nothing when it cannot (privileges dropped).
 */
char		*pidfile_path(const struct config *);
int		 pidfile_write(const char *path, char **cause);
void		 pidfile_remove(const char *path);
/* Releases the lock alone (at shutdown, once nothing listens). */
void		 pidfile_unlock(void);

/*
 * keeper.c: the privileged process that opens files and binds listeners
 * for certbindd once it has dropped root (see the comment there).
 * keeper_start forks it; until then, or without one, keeper_open is
 * open(2) and keeper_listen is listener_socket().
 */
/*
 * conf_path: the config file whose reads make the keeper learn what it
 * may open anew; NULL for a fleet node (see keeper_fleet_dir).
 */
int		 keeper_start(const struct config *, const char *conf_path,
		     char **cause);
/*
 * A fleet node's checkout directory (before keeper_start): what lies
 * under it certbindd opens itself, and the keeper refuses.
 */
void		 keeper_fleet_dir(const char *dir);
int		 keeper_open(const char *path, int oflags);
/* -1 with errs and errno (the bind's: EADDRNOTAVAIL, EADDRINUSE...). */
int		 keeper_listen(const struct endpoint *ep, int freebind,
		     struct errlist *errs);
/* Whether certbindd has a keeper and it has exited (reaped then). */
int		 keeper_lost(void);
/* Closes the pair and waits for the keeper to exit. */
void		 keeper_stop(void);

/*
 * listener.c: the listening sockets. A reload is two steps so that new
 * sockets are bound before anything else changes: prepare opens the
 * sockets the new config adds (or returns -1 with errs, having closed
 * them again, leaving everything as it was), commit hands them to the
 * workers and closes the sockets the config no longer has. A socket whose
 * endpoint is unchanged is kept, with its queue of pending connections.
 */
struct listener;
/*
 * A bound, listening, non-blocking socket for ep (IP_FREEBIND with
 * freebind); -1 with errs and errno.
 */
int		 listener_socket(const struct endpoint *ep, int freebind,
		     struct errlist *errs);
/*
 * certbindd -a: the address a wildcard listener ("*:PORT") binds instead
 * (ADDRESS:PORT). listener_bind_ep gives the endpoint a listener of the
 * config binds and is claimed under: ep itself unless -a maps it.
 */
void		 listener_set_address(const struct endpoint *addr);
void		 listener_bind_ep(const struct endpoint *ep,
		     struct endpoint *out);
/*
 * Claims each listener (instance.c) and binds the new ones. A listener
 * whose address cannot be bound (EADDRNOTAVAIL, EADDRINUSE) is logged
 * and left out, and tried again at the next prepare; so is one another
 * certbindd holds, at a reload (at_start: that is an error in errs).
 */
int		 listeners_prepare(const struct config *, int at_start,
		     struct errlist *errs);
void		 listeners_abort(void);
void		 listeners_commit(void);
void		 listeners_close_all(void);
size_t		 listeners_count(void);
/* The config's listeners that are not listening now. */
size_t		 listeners_down(void);

/*
 * instance.c: one certbindd per config, and never two sharing a listener
 * (the claims of op/claim.h). Main thread only.
 */
/* Who else may hold a claim that this certbindd respects: the server user. */
void		 instance_trust_uid(uid_t);
/*
 * Claims the config at path: -1 with *cause ("certbindd pid N (config
 * PATH) already runs on PATH") when another certbindd runs on it.
 */
int		 instance_claim_config(const char *path, char **cause);
/*
 * A prepare: instance_begin(), then instance_claim_listener() for each
 * listener of the new config (0: claimed, or ours already; -1 with
 * *cause naming the certbindd that serves it or an overlapping "*"),
 * then instance_commit() (releases the claims the config dropped) or
 * instance_abort() (releases the ones this prepare made).
 */
void		 instance_begin(void);
int		 instance_claim_listener(const struct endpoint *, int freebind,
		     char **cause);
void		 instance_commit(void);
void		 instance_abort(void);
/* What the claim of ep answers: listening, or not and why. */
void		 instance_listener_state(const struct endpoint *,
		     int listening, const char *why);
/* After daemon(): the claims name this process, not the parent. */
void		 instance_relisten(void);
/* A descriptor readable when someone asks a claim; then answer. */
int		 instance_fd(void);
void		 instance_answer(void);
void		 instance_release_all(void);

/*
 * fleet.c: certbindd serving an etcd location (see the comment there).
 * Main thread only. fleet_start registers the node and starts the watch
 * once the location's checkout is served by g. Between polls: fleet_fd()
 * is readable when the watch saw a change (then fleet_woken()), and
 * fleet_tick() renews the lease when due (poll no longer than
 * fleet_timeout() ms; -1: not a fleet node) and returns 1 when a refresh
 * is due: fleet_refresh(), then main.c's reload, then fleet_served() or
 * fleet_refused() for the node record.
 */
struct location;
/* What the node claims on this host (instance.c): location and name. */
char		*fleet_claim_name(const struct location *, const char *name);
/* Gives the checkout directory to the server user (before the drop). */
int		 fleet_give_dir(const struct location *, uid_t, gid_t,
		     char **cause);
int		 fleet_start(struct location *, const char *name,
		     const char *address, const struct gen *g, char **cause);
int		 fleet_fd(void);
int		 fleet_timeout(void);
int		 fleet_woken(void);
int		 fleet_tick(void);
/* location_refresh(): 0 new, 1 nothing new, -1 *cause (tried again). */
int		 fleet_refresh(char **cause);
/* The content revision checked out now. */
int64_t		 fleet_revision(void);
void		 fleet_served(const struct gen *);
void		 fleet_refused(const char *why);
/* Stops the watch, revokes the lease. The location stays main.c's. */
void		 fleet_stop(void);

/* worker.c */
int		 workers_start(unsigned n, char **cause);
/* Adds a listening socket to every worker's event set. */
void		 workers_add_listener(int fd, void *ptr);
/*
 * Removes a listening socket from every worker and returns once no
 * worker can still be using it, so the caller may close it.
 */
void		 workers_remove_listener(int fd);
/* Stops accepting; the workers exit once their connections end or at
 * the deadline (ms from now). Returns when all have exited. */
void		 workers_stop(int64_t deadline_ms);
/* Connections open now, over every worker. */
long		 workers_connections(void);

/* The listener record handed to workers as epoll data. */
#define EV_LISTENER	1
#define EV_CLIENT	2
#define EV_BACKEND	3
#define EV_WAKE		4

struct listener {
	int		 ev;		/* EV_LISTENER: first, see worker.c */
	int		 fd;
	struct endpoint	 ep;		/* the config's: gen_listener() */
	struct endpoint	 bound;		/* what is bound: listener_bind_ep() */
	int		 mark;
	struct listener	*next;
};

/* Monotonic milliseconds. */
int64_t		 now_ms(void);

/*
 * access.c: the access log, one line per connection (server.access_log),
 * written through log_line(). Helper "conn"'s block.
 *
 * How a connection ended: one word of a fixed set, the end= field.
 */
enum conn_end {
	END_CLOSED,		/* both directions closed in order */
	END_CLIENT_CLOSED,	/* the client left before the handshake ended */
	END_CLIENT_RESET,	/* the client's socket failed while proxying */
	END_CLIENT_ERROR,	/* a TLS error from the client while proxying */
	END_HANDSHAKE_FAILED,	/* error= is GnuTLS's error name */
	END_HANDSHAKE_TIMEOUT,
	END_NO_BINDING,	/* nothing serves the endpoint and SNI */
	END_CHALLENGE,		/* a tls-alpn-01 challenge was answered */
	END_PROXY_HEADER_BAD,
	END_PROXY_HEADER_TIMEOUT,
	END_BACKEND_REFUSED,
	END_BACKEND_FAILED,	/* could not connect, for another reason */
	END_BACKEND_TIMEOUT,	/* not connected within handshake_timeout */
	END_BACKEND_LOST,	/* the backend's socket failed while proxying */
	END_IDLE_TIMEOUT,
	END_MAX_CONNECTIONS,
	END_SHUTDOWN,		/* still open at the shutdown deadline */
	END_ERROR		/* certbindd's own failure (out of descriptors) */
};

/* What one access log line says; NULL or empty strings are written "-". */
struct access_entry {
	const struct timespec	*start;		/* CLOCK_REALTIME at accept */
	const struct endpoint	*client;	/* as the backend is told */
	const struct endpoint	*local;		/* the address the client reached */
	const char		*sni;		/* untrusted */
	const unsigned char	*alpn;		/* untrusted */
	size_t			 alpn_len;
	const char		*key;
	const struct endpoint	*backend;	/* NULL: none chosen */
	uint64_t		 to_backend;	/* client bytes delivered */
	uint64_t		 to_client;	/* backend bytes sent in TLS */
	int64_t			 ms;		/* accept to close */
	enum conn_end		 end;
	int			 err;		/* >0 errno, <0 GnuTLS, 0 none */
};
/* The end= word for e. */
const char	*access_end_name(enum conn_end e);
/* Writes the line for a (one write(2), or one syslog call). */
void		 access_log(const struct access_entry *a);

/*
 * metrics.c: server.metrics, Prometheus text exposition (see the comment
 * there). Counters are atomics: nothing here takes a lock a connection
 * waits on.
 */
struct metrics_gen;
struct tlscred;
#define MX_NONE		0
#define MX_HANDSHAKE	1	/* connections{state="handshake"} */
#define MX_PROXYING	2
#define MX_NSTATES	3
/* Built by gen_load for a generation: its listeners and keys by index. */
struct metrics_gen *metrics_gen_new(const struct config *,
		     struct tlscred *const *keycred, size_t nkeys);
void		 metrics_gen_free(struct metrics_gen *);
struct metrics_gen *gen_metrics(const struct gen *);	/* borrowed */
/* A connection moves between the MX_ states. */
void		 metrics_conn_state(int from, int to);
/* A handshake completed with hs->binding. */
void		 metrics_handshake(const struct gen *, const struct hsinfo *);
/* A connection in state ended with end (counts handshake failures). */
void		 metrics_conn_end(int state, const struct gen *,
		     const struct hsinfo *, enum conn_end end);
void		 metrics_reload(int ok);
/* Binds server.metrics (if any) and serves it; -1 with *cause. */
int		 metrics_start(const struct config *, char **cause);
void		 metrics_stop(void);

/*
 * log.c: a line the caller formatted and escaped itself, written as
 * log_info() writes (timestamp and all) without another allocation.
 */
void		 log_line(const char *line, size_t len);

#endif
