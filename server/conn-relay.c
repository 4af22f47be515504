/*
 * The relay of a connection once both ends are up: the bytes from the
 * client's TLS session to the backend and back, through the connection's
 * two buffers, with the backpressure and half-close conn.c describes.
 * Runs on the worker thread that owns the connection, called by
 * conn_run() until no step makes progress.
 */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "server/certbindd.h"
#include "server/conn.h"

int
conn_tls_again(int r)
{
	return r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED;
}

/* A TLS error toward the client: its socket failed, or its TLS did. */
enum conn_end
conn_tls_end(int r)
{
	return r == GNUTLS_E_PULL_ERROR || r == GNUTLS_E_PUSH_ERROR ?
	    END_CLIENT_RESET : END_CLIENT_ERROR;
}

/*
 * One round of every proxying step that can run. Returns 1 if anything
 * moved, 0 if every step is blocked, -1 when the connection is over
 * (both directions closed, or an error): *end and *err say why.
 */
int
conn_relay_step(struct conn *c, enum conn_end *end, int *err)
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
		} else if (conn_tls_again(n))
			c->rd_dir = gnutls_record_get_direction(c->s);
		else if (n == GNUTLS_E_REHANDSHAKE ||
		    !gnutls_error_is_fatal(n))
			moved = 1;	/* renegotiation is not offered */
		else {
			*end = conn_tls_end(n);
			*err = n;
			return -1;
		}
	}

	/* The up buffer to the backend. */
	if (buf_len(up) > 0) {
		n = send(c->bfd, up->b + up->start, buf_len(up),
		    MSG_NOSIGNAL);
		if (n > 0) {
			up->start += n;
			/* The PROXY header is not the client's. */
			if ((size_t)n > c->hdr_left) {
				c->to_backend += n - c->hdr_left;
				c->hdr_left = 0;
			} else
				c->hdr_left -= n;
			moved = 1;
		} else if (n == -1 && errno != EAGAIN && errno != EINTR) {
			*end = END_BACKEND_LOST;
			*err = errno;
			conn_backend_log(c, "send", *err);
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
			*end = END_BACKEND_LOST;
			*err = errno;
			conn_backend_log(c, "recv", *err);
			return -1;
		}
	}

	/* The down buffer to the client. */
	if (buf_len(down) > 0) {
		len = c->send_len != 0 ? c->send_len : buf_len(down);
		n = gnutls_record_send(c->s, down->b + down->start, len);
		if (n > 0) {
			down->start += n;
			c->to_client += n;
			c->send_len = 0;
			moved = 1;
		} else if (conn_tls_again(n)) {
			c->send_len = len;
			c->wr_dir = gnutls_record_get_direction(c->s);
		} else {
			*end = conn_tls_end(n);
			*err = n;
			return -1;
		}
	}
	if (c->b_eof && buf_len(down) == 0 && c->bye != 2) {
		r = gnutls_bye(c->s, GNUTLS_SHUT_WR);
		if (r == 0) {
			c->bye = 2;
			moved = 1;
		} else if (conn_tls_again(r)) {
			c->bye = 1;
			c->bye_dir = gnutls_record_get_direction(c->s);
		} else {
			*end = conn_tls_end(r);
			*err = r;
			return -1;
		}
	}
	/* Over once both directions are, and the close_notify is out. */
	if (c->b_shut && c->bye == 2 && c->tout_off == c->tout_len) {
		*end = END_CLOSED;
		*err = 0;
		return -1;
	}
	return moved;
}
