/*
 * The bytes between a connection's client socket and GnuTLS, and the
 * buffers they pass through (see conn.c's comment for why): the pull
 * function that serves the read-ahead buffer tin, the push function that
 * collects a flight in tout, conn_flush() that sends it, and the small
 * per-worker pool the buffers come from and go back to. Everything here
 * runs on the worker thread that owns the connection.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "util/xmalloc.h"
#include "server/certbindd.h"
#include "server/conn.h"

#define POOL_MAX	64		/* spare buffers kept per worker */
#define TOUT_MAX	(64 * 1024)

char *
buf_get(struct worker *w)
{
	void	*p;

	if ((p = w->pool) == NULL)
		return xmalloc(BUF_SIZE);
	memcpy(&w->pool, p, sizeof w->pool);
	w->npool--;
	return p;
}

void
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

/* GnuTLS's pull function: serves the read-ahead buffer, refilling it. */
ssize_t
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
int
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
ssize_t
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
