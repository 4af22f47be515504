/*
 * The connection and the worker thread that owns it, shared by worker.c
 * (the threads, their epoll loops, accept and the timers), conn.c (one
 * connection's handshake and proxying), conn-io.c (its bytes under
 * GnuTLS), conn-proxyhdr.c (the PROXY protocol) and access.c (its access
 * log line). Nothing else includes this header: the rest of certbindd
 * sees workers_*() through certbindd.h.
 *
 * A connection belongs to the worker that accepted it for its whole life,
 * so nothing in struct conn is shared between threads and none of it is
 * locked; struct worker's atomics are the only fields other threads touch.
 */
#ifndef CERTBIND_SERVER_CONN_H
#define CERTBIND_SERVER_CONN_H

#include <sys/socket.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "server/certbindd.h"

enum cstate {
	CS_PROXYHDR,	/* accept_proxy: reading the PROXY header into tin */
	CS_HANDSHAKE,
	CS_CHALLENGE,	/* tls-alpn-01 answered: close_notify, then close */
	CS_CONNECTING,
	CS_PROXY,
	CS_DEAD
};

struct buf {
	char	*b;
	size_t	 start;
	size_t	 end;
};

struct conn;

/* What epoll hands back for a connection's socket. ev comes first. */
struct evh {
	int		 ev;
	struct conn	*c;
};

struct clist {
	struct conn	*head;
	struct conn	*tail;
};

struct worker;

struct conn {
	struct evh	 ch;		/* client socket */
	struct evh	 bh;		/* backend socket */
	struct worker	*w;
	struct hsinfo	 hs;		/* holds the generation reference */
	gnutls_session_t s;
	int		 cfd;
	int		 bfd;
	uint32_t	 cev;		/* events registered for cfd */
	uint32_t	 bev;
	int		 c_reg;		/* cfd is in the epoll set */
	int		 b_reg;
	enum cstate	 st;
	/* This generation's listener (borrowed: hs.gen holds it). */
	const struct config_listener *lis;
	struct endpoint	 backend;	/* chosen once the handshake is done */
	int		 has_backend;
	int		 hs_done;	/* the handshake completed */
	int		 mx;		/* MX_ state for metrics.c */

	struct buf	 tin;		/* TLS bytes read ahead from cfd */
	char		*tout;		/* TLS bytes not yet sent on cfd */
	size_t		 tout_off;
	size_t		 tout_len;
	size_t		 tout_cap;
	int		 tout_moved;	/* bytes left tout since last looked */
	int		 hs_flight;	/* handshake bytes pushed, not read since */

	struct buf	 up;		/* client to backend */
	struct buf	 down;		/* backend to client */
	int		 hs_dir;	/* handshake waits: 0 read, 1 write */
	int		 rd_dir;	/* TLS recv waits */
	size_t		 send_len;	/* TLS send to retry, 0 if none */
	int		 wr_dir;
	int		 c_eof;		/* client closed its side */
	int		 b_shut;	/* backend write side shut */
	int		 b_eof;		/* backend closed its side */
	int		 bye;		/* 0 not sent, 1 in progress, 2 done */
	int		 bye_dir;

	/* For the access log. */
	struct timespec	 t_start;	/* CLOCK_REALTIME at accept */
	int64_t		 ms_start;	/* now_ms() at accept */
	uint64_t	 to_backend;	/* client bytes the backend took */
	uint64_t	 to_client;	/* backend bytes sent to the client */
	size_t		 hdr_left;	/* PROXY header bytes still in up */

	struct clist	*list;
	int64_t		 deadline;
	struct conn	*prev;
	struct conn	*next;
};

struct worker {
	pthread_t	 th;
	unsigned	 idx;
	int		 epfd;
	int		 wakefd;
	int		 sparefd;	/* given up to accept under EMFILE */
	struct evh	 wake_h;
	atomic_ulong	 seq_req;
	atomic_ulong	 seq_seen;
	struct clist	 hs_list;
	struct clist	 idle_list;
	struct conn	*zombies;
	void		*pool;		/* spare buffers, linked through */
	int		 npool;		/* their first bytes */
	long		 nconns;
	int64_t		 last_full_log;
	int64_t		 last_err_log;
	int		 log_tokens;	/* error lines left this second */
	int64_t		 last_accept_log;
};

/*
 * conn.c: a new connection on fd, accepted from l by w (it takes fd, and
 * closes it if the connection cannot be set up); what epoll reported for
 * one of its sockets; and its end, after which it is freed with the
 * worker's zombies once the current batch of events is done.
 *
 * conn_end is the one way a connection ends: it records why (end, and
 * err: >0 an errno, <0 a GnuTLS error, 0 none) in the access log.
 * conn_expire ends a connection whose deadline has passed, with the
 * reason its state gives (handshake-timeout, proxy-header-timeout, ...).
 */
void	 conn_new(struct worker *w, struct listener *l, int fd,
	    const struct sockaddr_storage *peer, socklen_t plen);
void	 conn_event(struct conn *c, int which, uint32_t events);
void	 conn_end(struct conn *c, enum conn_end end, int err);
void	 conn_expire(struct conn *c);
/*
 * What conn.c, conn-io.c, conn-proxyhdr.c and access.c share: nothing
 * outside server/conn*.c and access.c calls these.
 */
#define BUF_SIZE	(32 * 1024)
#define TIN_SIZE	BUF_SIZE	/* the same pool serves both */

static inline size_t
buf_len(const struct buf *b)
{
	return b->end - b->start;
}

/* conn-io.c */
char	*buf_get(struct worker *w);
void	 buf_put(struct worker *w, struct buf *b);
/* GnuTLS's transport functions for c (the transport pointer). */
ssize_t	 conn_pull(gnutls_transport_ptr_t c, void *data, size_t len);
ssize_t	 conn_push(gnutls_transport_ptr_t c, const giovec_t *iov, int n);
/*
 * Sends what tout holds. Returns 0 (all sent, or the socket is full and
 * the rest waits for EPOLLOUT) or -1 when the client is gone.
 */
int	 conn_flush(struct conn *c);

/* conn.c: whether a warning may be logged now (10 a second per worker). */
int	 conn_log_ok(struct worker *w);
/* A backend socket's failure, logged with the connection. */
void	 conn_backend_log(struct conn *c, const char *what, int err);
/* Whether a GnuTLS result means "try again when ready". */
int	 conn_tls_again(int r);
/* A TLS error toward the client: its socket failed, or its TLS did. */
enum conn_end conn_tls_end(int r);
/*
 * conn-relay.c: one round of every relaying step that can run: 1 if
 * anything moved, 0 if every step is blocked, -1 when the connection is
 * over (*end and *err say why).
 */
int	 conn_relay_step(struct conn *c, enum conn_end *end, int *err);

/*
 * conn-proxyhdr.c: the PROXY protocol on a connection. conn_proxyhdr_read
 * reads a load balancer's header (accept_proxy) into tin: 1 once it is
 * read, 0 while it waits, -1 when the connection has ended.
 * conn_proxyhdr_log says why a header was refused (rate-limited).
 * conn_proxyhdr_write puts the backend's header (proxy_protocol) first in
 * the up buffer: 0, or -1 when it cannot be written.
 */
int	 conn_proxyhdr_read(struct conn *c);
void	 conn_proxyhdr_log(struct conn *c, const char *why);
int	 conn_proxyhdr_write(struct conn *c);

/* access.c: the access log line of c, which ends with end and err. */
void	 access_conn(struct conn *c, enum conn_end end, int err);

/* Connections open now, over every worker. */
long	 conn_total(void);

#endif
