/*
 * One connection: the TLS handshake with the client, the connection to
 * the backend, and the proxying between them, all non-blocking, on the
 * worker thread that accepted it (worker.c).
 *
 * A connection is driven by conn_run(), which makes every step it can
 * (handshake, read, write, half-close) until none makes progress, and
 * then asks epoll for exactly the readiness the blocked steps wait for.
 * GnuTLS sessions are non-blocking: after GNUTLS_E_AGAIN,
 * gnutls_record_get_direction() says whether the session waits to read or
 * to write, and a send that returned GNUTLS_E_AGAIN is retried with the
 * same buffer and length, as GnuTLS requires.
 *
 * Backpressure: a side is read only while the buffer toward its peer has
 * room, so a slow reader slows the writer down instead of growing memory.
 * Half-close: the client's close_notify (or EOF) becomes shutdown(SHUT_WR)
 * on the backend once everything before it is delivered, and the
 * backend's EOF becomes close_notify (gnutls_bye GNUTLS_SHUT_WR) toward
 * the client; the connection ends when both directions have.
 *
 * The TLS records of a session pass through two small buffers of the
 * connection instead of straight to the socket: reads fill tin with
 * whatever the socket has (GnuTLS would otherwise read each record's
 * header and body with separate calls), and writes collect in tout until
 * conn_run() flushes them, so a handshake flight that GnuTLS writes in
 * several pieces leaves in one send(). tout is bounded: past TOUT_MAX the
 * push function says EAGAIN, which GnuTLS reports as waiting to write.
 *
 * A tls-alpn-01 challenge (ALPN acme-tls/1, gen.c) is answered by the
 * handshake itself: the connection then sends close_notify and closes
 * (CS_CHALLENGE), and no backend connection is ever opened for it; the
 * backend is connected only once a handshake has completed.
 *
 * Memory: the buffers (tin, up, down) are taken from a small per-worker
 * pool when a connection needs one and given back as soon as they are
 * empty, and tout is freed once flushed, so an idle connection holds none
 * of them, only what GnuTLS keeps.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "util/xmalloc.h"
#include "server/certbindd.h"
#include "server/conn.h"

#define BUF_SIZE	(32 * 1024)
#define TIN_SIZE	BUF_SIZE	/* the same pool serves both */
#define POOL_MAX	64		/* spare buffers kept per worker */
#define TOUT_MAX	(64 * 1024)
#define LOG_EVERY_MS	10000

static atomic_long	 total_conns;

static void	conn_run(struct conn *);

long
conn_total(void)
{
	return atomic_load(&total_conns);
}

static size_t
buf_len(const struct buf *b)
{
	return b->end - b->start;
}

static char *
buf_get(struct worker *w)
{
	void	*p;

	if ((p = w->pool) == NULL)
		return xmalloc(BUF_SIZE);
	memcpy(&w->pool, p, sizeof w->pool);
	w->npool--;
	return p;
}

static void
buf_put(struct worker *w, struct buf *b)
{
	if (b->b != NULL) {
		if (w->npool >= POOL_MAX)
			free(b->b);
		else {
			memcpy(b->b, &w->pool, sizeof w->pool);
			w->pool = b->b;
			w->npool++;
		}
	}
	b->b = NULL;
	b->start = b->end = 0;
}

static void
clist_remove(struct conn *c)
{
	struct clist	*l = c->list;

	if (l == NULL)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	c->list = NULL;
}

static void
clist_append(struct clist *l, struct conn *c, int64_t deadline)
{
	clist_remove(c);
	c->deadline = deadline;
	c->list = l;
	c->prev = l->tail;
	c->next = NULL;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

static void
conn_epoll(struct conn *c, int which, uint32_t want)
{
	struct epoll_event	 ev;
	struct evh		*h = which == EV_CLIENT ? &c->ch : &c->bh;
	int			 fd = which == EV_CLIENT ? c->cfd : c->bfd;
	int			*reg = which == EV_CLIENT ? &c->c_reg : &c->b_reg;
	uint32_t		*cur = which == EV_CLIENT ? &c->cev : &c->bev;

	if (fd == -1 || *reg == -1)	/* -1: hung up, out of the set */
		return;
	if (*reg && *cur == want)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = want;
	ev.data.ptr = h;
	if (epoll_ctl(c->w->epfd, *reg ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd,
	    &ev) == -1) {
		conn_close(c);
		return;
	}
	*reg = 1;
	*cur = want;
}

/*
 * After a hang-up a socket never blocks again (reads return data, EOF or
 * an error) and epoll would report it on every wait, so it leaves the
 * set and is driven by the other side's events.
 */
static void
conn_unregister(struct conn *c, int which)
{
	int	 fd = which == EV_CLIENT ? c->cfd : c->bfd;
	int	*reg = which == EV_CLIENT ? &c->c_reg : &c->b_reg;

	if (*reg == 1)
		epoll_ctl(c->w->epfd, EPOLL_CTL_DEL, fd, NULL);
	*reg = -1;
}

void
conn_close(struct conn *c)
{
	struct worker	*w = c->w;

	if (c->st == CS_DEAD)
		return;
	c->st = CS_DEAD;
	clist_remove(c);
	gnutls_deinit(c->s);
	close(c->cfd);
	if (c->bfd != -1)
		close(c->bfd);
	buf_put(w, &c->up);
	buf_put(w, &c->down);
	buf_put(w, &c->tin);
	free(c->tout);
	c->tout = NULL;
	gen_unref(c->hs.gen);
	c->hs.gen = NULL;
	challenge_unref(c->hs.chal);
	c->hs.chal = NULL;
	c->hs.ch = NULL;
	atomic_fetch_sub(&total_conns, 1);
	w->nconns--;
	/* Freed after the current batch: other events may point at it. */
	c->next = w->zombies;
	w->zombies = c;
}

/* GnuTLS's pull function: serves the read-ahead buffer, refilling it. */
static ssize_t
conn_pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
	struct conn	*c = ptr;
	struct buf	*in = &c->tin;
	ssize_t		 n;

	if (c->st == CS_HANDSHAKE && c->hs_flight && in->start == in->end) {
		/*
		 * GnuTLS wants the client's answer to a flight that is still
		 * in tout, unsent: the client cannot have sent it, so skip the
		 * recv() that would say EAGAIN. Anything the client did send
		 * is still reported by epoll (level-triggered), and the flag
		 * is cleared, so the next attempt reads.
		 */
		c->hs_flight = 0;
		gnutls_transport_set_errno(c->s, EAGAIN);
		return -1;
	}
	if (in->b == NULL)
		in->b = buf_get(c->w);
	if (in->start == in->end) {
		n = recv(c->cfd, in->b, TIN_SIZE, 0);
		if (n <= 0) {
			if (n == -1)
				gnutls_transport_set_errno(c->s, errno);
			return n;
		}
		in->start = 0;
		in->end = n;
	}
	if (len > buf_len(in))
		len = buf_len(in);
	memcpy(data, in->b + in->start, len);
	in->start += len;
	return len;
}

/*
 * Sends what tout holds. Returns 0 (all sent, or the socket is full and
 * the rest waits for EPOLLOUT) or -1 when the client is gone.
 */
static int
conn_flush(struct conn *c)
{
	ssize_t	n;

	while (c->tout_off < c->tout_len) {
		n = send(c->cfd, c->tout + c->tout_off,
		    c->tout_len - c->tout_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->tout_off += n;
			c->tout_moved = 1;
		} else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && errno == EAGAIN)
			return 0;
		else
			return -1;
	}
	c->tout_off = c->tout_len = 0;
	return 0;
}

/* GnuTLS's push function: collects records in tout, up to TOUT_MAX. */
static ssize_t
conn_push(gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
	struct conn	*c = ptr;
	size_t		 total = 0, pending;
	int		 i;

	for (i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (c->st == CS_HANDSHAKE)
		c->hs_flight = 1;
	pending = c->tout_len - c->tout_off;
	if (pending != 0 && pending + total > TOUT_MAX) {
		if (conn_flush(c) == -1) {
			gnutls_transport_set_errno(c->s, EPIPE);
			return -1;
		}
		pending = c->tout_len - c->tout_off;
		if (pending != 0 && pending + total > TOUT_MAX) {
			gnutls_transport_set_errno(c->s, EAGAIN);
			return -1;
		}
	}
	if (c->tout_off != 0) {
		memmove(c->tout, c->tout + c->tout_off, pending);
		c->tout_off = 0;
		c->tout_len = pending;
	}
	if (c->tout_len + total > c->tout_cap) {
		c->tout_cap = c->tout_len + total;
		if (c->tout_cap < 4096)
			c->tout_cap = 4096;
		c->tout = xreallocarray(c->tout, 1, c->tout_cap);
	}
	for (i = 0; i < iovcnt; i++) {
		memcpy(c->tout + c->tout_len, iov[i].iov_base,
		    iov[i].iov_len);
		c->tout_len += iov[i].iov_len;
	}
	return total;
}

static void
conn_backend_log(struct conn *c, const char *what, int err)
{
	char	bbuf[ENDPOINT_STRLEN], lbuf[ENDPOINT_STRLEN];
	int64_t	now = now_ms();

	/*
	 * Up to 10 lines a second per worker: a backend that is down logs
	 * enough to be seen without flooding the log at the rate of clients.
	 */
	if (now - c->w->last_err_log >= 1000) {
		c->w->last_err_log = now;
		c->w->log_tokens = 10;
	}
	if (c->w->log_tokens <= 0)
		return;
	c->w->log_tokens--;
	log_warn("backend %s for %s: %s: %s", endpoint_format(&c->backend,
	    bbuf), endpoint_format(&c->hs.local, lbuf), what, strerror(err));
}

/* Starts the backend connection once the handshake is done. */
static int
conn_connect(struct conn *c)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			on = 1;

	len = endpoint_to_sockaddr(&c->backend, &ss);
	c->bfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (c->bfd == -1) {
		conn_backend_log(c, "socket", errno);
		return -1;
	}
	setsockopt(c->bfd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	if (connect(c->bfd, (struct sockaddr *)&ss, len) == 0) {
		c->st = CS_PROXY;
		clist_append(&c->w->idle_list, c,
		    now_ms() + gen_idle_timeout(c->hs.gen));
		return 0;
	}
	if (errno != EINPROGRESS) {
		conn_backend_log(c, "connect", errno);
		return -1;
	}
	/*
	 * A backend on this host has usually answered by the time connect()
	 * returns (the kernel runs the SYN-ACK when the call releases the
	 * socket), so ask once more before waiting: 0 or EISCONN says
	 * connected, which saves a round of epoll (the socket added for
	 * EPOLLOUT, the client's interest dropped and restored, SO_ERROR).
	 * A remote backend costs one EALREADY.
	 */
	if (connect(c->bfd, (struct sockaddr *)&ss, len) == 0 ||
	    errno == EISCONN) {
		c->st = CS_PROXY;
		clist_append(&c->w->idle_list, c,
		    now_ms() + gen_idle_timeout(c->hs.gen));
		return 0;
	}
	if (errno != EALREADY && errno != EINPROGRESS && errno != EINTR) {
		conn_backend_log(c, "connect", errno);
		return -1;
	}
	c->st = CS_CONNECTING;
	return 0;
}

static void
conn_connected(struct conn *c)
{
	socklen_t	len = sizeof(int);
	int		err = 0;

	if (getsockopt(c->bfd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		conn_backend_log(c, "connect", err);
		conn_close(c);
		return;
	}
	c->st = CS_PROXY;
	clist_append(&c->w->idle_list, c,
	    now_ms() + gen_idle_timeout(c->hs.gen));
}

static int
tls_again(int r)
{
	return r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED;
}

/*
 * One round of every proxying step that can run. Returns 1 if anything
 * moved, 0 if every step is blocked, -1 when the connection is over
 * (both directions closed, or an error).
 */
static int
conn_proxy_step(struct conn *c)
{
	struct buf	*up = &c->up, *down = &c->down;
	ssize_t		 n;
	size_t		 len;
	int		 moved = 0, r;

	/* Client to the up buffer. */
	if (!c->c_eof) {
		if (up->start == up->end)
			up->start = up->end = 0;
		else if (up->end == BUF_SIZE && up->start > 0) {
			memmove(up->b, up->b + up->start, buf_len(up));
			up->end -= up->start;
			up->start = 0;
		}
	}
	if (!c->c_eof && up->b == NULL)
		up->b = buf_get(c->w);
	if (!c->c_eof && up->end < BUF_SIZE) {
		n = gnutls_record_recv(c->s, up->b + up->end,
		    BUF_SIZE - up->end);
		if (n > 0) {
			up->end += n;
			moved = 1;
		} else if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION) {
			c->c_eof = 1;
			moved = 1;
		} else if (tls_again(n))
			c->rd_dir = gnutls_record_get_direction(c->s);
		else if (n == GNUTLS_E_REHANDSHAKE ||
		    !gnutls_error_is_fatal(n))
			moved = 1;	/* renegotiation is not offered */
		else
			return -1;
	}

	/* The up buffer to the backend. */
	if (buf_len(up) > 0) {
		n = send(c->bfd, up->b + up->start, buf_len(up),
		    MSG_NOSIGNAL);
		if (n > 0) {
			up->start += n;
			moved = 1;
		} else if (n == -1 && errno != EAGAIN && errno != EINTR) {
			conn_backend_log(c, "send", errno);
			return -1;
		}
	}
	if (c->c_eof && buf_len(up) == 0 && !c->b_shut) {
		shutdown(c->bfd, SHUT_WR);
		c->b_shut = 1;
		moved = 1;
	}

	/*
	 * Backend to the down buffer. The data of a pending TLS send must
	 * stay where it is, so the buffer is only reset once empty.
	 */
	if (down->start == down->end && c->send_len == 0)
		down->start = down->end = 0;
	if (!c->b_eof && down->b == NULL)
		down->b = buf_get(c->w);
	if (!c->b_eof && down->end < BUF_SIZE) {
		n = recv(c->bfd, down->b + down->end, BUF_SIZE - down->end, 0);
		if (n > 0) {
			down->end += n;
			moved = 1;
		} else if (n == 0) {
			c->b_eof = 1;
			moved = 1;
		} else if (errno != EAGAIN && errno != EINTR) {
			conn_backend_log(c, "recv", errno);
			return -1;
		}
	}

	/* The down buffer to the client. */
	if (buf_len(down) > 0) {
		len = c->send_len != 0 ? c->send_len : buf_len(down);
		n = gnutls_record_send(c->s, down->b + down->start, len);
		if (n > 0) {
			down->start += n;
			c->send_len = 0;
			moved = 1;
		} else if (tls_again(n)) {
			c->send_len = len;
			c->wr_dir = gnutls_record_get_direction(c->s);
		} else
			return -1;
	}
	if (c->b_eof && buf_len(down) == 0 && c->bye != 2) {
		r = gnutls_bye(c->s, GNUTLS_SHUT_WR);
		if (r == 0) {
			c->bye = 2;
			moved = 1;
		} else if (tls_again(r)) {
			c->bye = 1;
			c->bye_dir = gnutls_record_get_direction(c->s);
		} else
			return -1;
	}
	/* Over once both directions are, and the close_notify is out. */
	if (c->b_shut && c->bye == 2 && c->tout_off == c->tout_len)
		return -1;
	return moved;
}

/*
 * The end of a tls-alpn-01 connection: close_notify, sent in full. 0
 * while it waits for the socket, -1 once the connection is to be closed
 * (done, or an error).
 */
static int
conn_challenge_step(struct conn *c)
{
	char	drain[512];
	int	r, i;

	if (c->bye != 2) {
		r = gnutls_bye(c->s, GNUTLS_SHUT_WR);
		if (tls_again(r)) {
			c->bye = 1;
			c->bye_dir = gnutls_record_get_direction(c->s);
			return 0;
		}
		if (r != 0)
			return -1;
		c->bye = 2;
	}
	if (conn_flush(c) == -1)
		return -1;
	if (c->tout_off != c->tout_len)
		return 0;	/* conn_run() asks for EPOLLOUT */
	/*
	 * Whatever the client sent after its Finished (its own close_notify)
	 * is read and dropped, so that close() does not answer with a reset
	 * that could overtake our close_notify. Bounded: a client that keeps
	 * sending gets its reset.
	 */
	for (i = 0; i < 8 && recv(c->cfd, drain, sizeof drain, 0) > 0; i++)
		;
	shutdown(c->cfd, SHUT_WR);
	return -1;
}

static uint32_t
dir_event(int dir)
{
	return dir ? EPOLLOUT : EPOLLIN;
}

static void
conn_run(struct conn *c)
{
	uint32_t	cwant = 0, bwant = 0;
	int		r, moved, activity = 0;

	for (;;) {
		if (c->st == CS_HANDSHAKE) {
			r = gnutls_handshake(c->s);
			if (r == 0 && gen_is_challenge(c->s, &c->hs)) {
				/* Still on hs_list: the deadline bounds it. */
				c->st = CS_CHALLENGE;
				continue;
			}
			if (r == 0) {
				if (conn_connect(c) != 0) {
					conn_close(c);
					return;
				}
				continue;
			}
			if (tls_again(r)) {
				c->hs_dir = gnutls_record_get_direction(c->s);
				break;
			}
			if (gnutls_error_is_fatal(r)) {
				/*
				 * Tell the client why (handshake_failure when
				 * nothing is bound) rather than just closing.
				 * Non-blocking: a full socket loses the alert.
				 */
				gnutls_alert_send_appropriate(c->s, r);
				conn_flush(c);
				conn_close(c);
				return;
			}
			continue;	/* a warning alert: go on */
		}
		if (c->st == CS_CHALLENGE) {
			if (conn_challenge_step(c) != 0) {
				conn_close(c);
				return;
			}
			break;
		}
		if (c->st != CS_PROXY)
			break;
		if ((moved = conn_proxy_step(c)) == -1 ||
		    conn_flush(c) == -1) {
			conn_close(c);
			return;
		}
		if (!moved)
			break;
		activity = 1;
	}
	if (conn_flush(c) == -1) {
		conn_close(c);
		return;
	}
	/* Bytes leaving tout are activity too; what is left needs EPOLLOUT. */
	if (c->tout_moved) {
		c->tout_moved = 0;
		activity = 1;
	}
	if (c->tout_off != c->tout_len)
		cwant |= EPOLLOUT;

	/* Empty buffers go back to the pool: an idle connection holds none. */
	if (c->tin.start == c->tin.end)
		buf_put(c->w, &c->tin);
	if (c->up.start == c->up.end)
		buf_put(c->w, &c->up);
	if (c->down.start == c->down.end && c->send_len == 0)
		buf_put(c->w, &c->down);
	if (c->tout_off == c->tout_len && c->tout != NULL) {
		free(c->tout);
		c->tout = NULL;
		c->tout_off = c->tout_len = c->tout_cap = 0;
	}

	switch (c->st) {
	case CS_HANDSHAKE:
		cwant |= dir_event(c->hs_dir);
		break;
	case CS_CHALLENGE:
		if (c->bye == 1)
			cwant |= dir_event(c->bye_dir);
		break;
	case CS_CONNECTING:
		bwant = EPOLLOUT;
		break;
	case CS_PROXY:
		if (!c->c_eof && c->up.end < BUF_SIZE)
			cwant |= dir_event(c->rd_dir);
		if (c->send_len != 0)
			cwant |= dir_event(c->wr_dir);
		if (c->bye == 1)
			cwant |= dir_event(c->bye_dir);
		if (!c->b_eof && c->down.end < BUF_SIZE)
			bwant |= EPOLLIN;
		if (buf_len(&c->up) > 0)
			bwant |= EPOLLOUT;
		if (activity)
			clist_append(&c->w->idle_list, c,
			    now_ms() + gen_idle_timeout(c->hs.gen));
		break;
	case CS_DEAD:
		return;
	}
	conn_epoll(c, EV_CLIENT, cwant);
	if (c->st != CS_DEAD && c->bfd != -1)
		conn_epoll(c, EV_BACKEND, bwant);
}

void
conn_event(struct conn *c, int which, uint32_t events)
{
	if (c->st == CS_DEAD)
		return;
	if (events & EPOLLERR) {
		if (which == EV_BACKEND && c->st == CS_CONNECTING)
			conn_connected(c);	/* logs the error */
		else if (which == EV_BACKEND) {
			socklen_t	len = sizeof(int);
			int		err = 0;

			if (getsockopt(c->bfd, SOL_SOCKET, SO_ERROR, &err,
			    &len) == -1 || err == 0)
				err = ECONNRESET;
			conn_backend_log(c, "connection lost", err);
		}
		conn_close(c);
		return;
	}
	if (events & EPOLLHUP) {
		if (c->st != CS_PROXY) {
			conn_close(c);
			return;
		}
		conn_unregister(c, which);
	}
	if (which == EV_BACKEND && c->st == CS_CONNECTING) {
		conn_connected(c);
		if (c->st == CS_DEAD)
			return;
	}
	conn_run(c);
}

void
conn_new(struct worker *w, struct listener *l, int fd,
    const struct sockaddr_storage *peer, socklen_t plen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	struct conn		*c;
	struct gen		*g;
	int64_t			 now;
	
	if ((g = gen_current()) == NULL) {
		close(fd);
		return;
	}
	if (atomic_fetch_add(&total_conns, 1) >= gen_max_connections(g)) {
		/* Refused here; the connections already open are untouched. */
		atomic_fetch_sub(&total_conns, 1);
		close(fd);
		now = now_ms();
		if (now - w->last_full_log >= LOG_EVERY_MS) {
			w->last_full_log = now;
			log_warn("max_connections (%lld) reached: refusing new "
			    "connections", (long long)gen_max_connections(g));
		}
		gen_unref(g);
		return;
	}
	w->nconns++;

	c = xcalloc(1, sizeof *c);
	c->ch.ev = EV_CLIENT;
	c->ch.c = c;
	c->bh.ev = EV_BACKEND;
	c->bh.c = c;
	c->w = w;
	c->cfd = fd;
	c->bfd = -1;
	c->st = CS_HANDSHAKE;
	c->hs.gen = g;
	c->hs.lep = l->ep;
	/*
	 * A listener on a concrete address is the local endpoint itself;
	 * only "*" needs asking which address the client reached.
	 */
	if (!endpoint_any_addr(&l->ep))
		c->hs.local = l->ep;
	else if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    endpoint_from_sockaddr((struct sockaddr *)&ss, len,
	    &c->hs.local) != 0)
		c->hs.local.family = AF_UNSPEC;
	if (c->hs.local.family == AF_UNSPEC ||
	    endpoint_from_sockaddr((const struct sockaddr *)peer, plen,
	    &c->hs.peer) != 0 ||
	    gen_backend(g, &l->ep, &c->backend) != 0 ||
	    gen_session_new(g, fd, &c->hs, &c->s) != 0) {
		/* A listener the current config no longer has, or no memory. */
		close(fd);
		gen_unref(g);
		atomic_fetch_sub(&total_conns, 1);
		w->nconns--;
		free(c);
		return;
	}
	gnutls_transport_set_ptr(c->s, c);
	gnutls_transport_set_pull_function(c->s, conn_pull);
	gnutls_transport_set_vec_push_function(c->s, conn_push);
	clist_append(&w->hs_list, c, now_ms() + gen_handshake_timeout(g));
	/* The ClientHello is often there already: try at once. */
	conn_run(c);
}
