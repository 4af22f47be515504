/*
 * The PROXY protocol (core/proxyhdr.h) on one connection, both ways:
 *
 * accept_proxy: before the handshake (CS_PROXYHDR) the header a load
 * balancer sends is read into tin, at most PROXYHDR_MAX bytes in all, and
 * parsed; whatever followed it in the same read (the ClientHello) stays
 * in tin, which conn_pull() serves first. The header's destination
 * becomes hs.local, so the resolver chooses the binding by it as certbind
 * resolve predicts, and its source hs.peer, which the backend and the
 * access log are told. The header is never believed for the log line
 * that refuses it: that names the socket's client.
 *
 * proxy_protocol: once the handshake is done, the header for the backend
 * goes into the up buffer before any byte of the client's.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "core/config.h"
#include "core/proxyhdr.h"
#include "util/escape.h"
#include "server/certbindd.h"
#include "server/conn.h"

/* The header is read into tin, which must be able to hold it whole. */
_Static_assert(PROXYHDR_MAX <= TIN_SIZE, "tin holds a PROXY header");

/*
 * accept_proxy: one warning for a header that is refused or never came,
 * naming the client (the socket's, since the header is not believed) and
 * showing how it began, escaped.
 */
void
conn_proxyhdr_log(struct conn *c, const char *why)
{
	char	pbuf[ENDPOINT_STRLEN], lbuf[ENDPOINT_STRLEN], *e;
	size_t	n = c->tin.b != NULL ? c->tin.end : 0;

	if (!conn_log_ok(c->w))
		return;
	endpoint_format(&c->hs.peer, pbuf);
	endpoint_format(&c->hs.lep, lbuf);
	if (n == 0) {
		log_warn("accept_proxy: client %s on %s: %s (0 bytes "
		    "received): connection closed", pbuf, lbuf, why);
		return;
	}
	e = escape_mem(c->tin.b, n < 16 ? n : 16, 0);
	log_warn("accept_proxy: client %s on %s: %s (%zu bytes, beginning "
	    "\"%s\"): connection closed", pbuf, lbuf, why, n, e);
	free(e);
}

/*
 * accept_proxy: reads the PROXY header into tin (never more than
 * PROXYHDR_MAX bytes in all: the rest stays in the socket for GnuTLS)
 * and takes the addresses it names. Returns 1 once the header is read
 * (the bytes after it stay in tin for the handshake), 0 while it waits
 * for more, -1 when the connection has ended.
 */
int
conn_proxyhdr_read(struct conn *c)
{
	struct buf	*in = &c->tin;
	struct proxyhdr	 ph;
	const char	*cause = "not a PROXY header";
	ssize_t		 n;

	if (in->b == NULL)
		in->b = buf_get(c->w);
	if (in->end >= PROXYHDR_MAX) {
		/* proxyhdr_parse() refuses this much; never read more. */
		conn_proxyhdr_log(c, "PROXY header too long");
		conn_end(c, END_PROXY_HEADER_BAD, 0);
		return -1;
	}
	do
		n = recv(c->cfd, in->b + in->end, PROXYHDR_MAX - in->end, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return 0;
	if (n == -1) {
		conn_end(c, END_CLIENT_RESET, errno);
		return -1;
	}
	if (n == 0) {
		if (in->end == 0) {
			/* Connected and left: a health check, say. */
			conn_end(c, END_CLIENT_CLOSED, 0);
			return -1;
		}
		conn_proxyhdr_log(c, "the client closed before the header "
		    "was complete");
		conn_end(c, END_PROXY_HEADER_BAD, 0);
		return -1;
	}
	in->end += n;
	if ((n = proxyhdr_parse(in->b, in->end, &ph, &cause)) == 0)
		return 0;	/* under PROXYHDR_MAX: parse says -1 there */
	if (n < 0) {
		conn_proxyhdr_log(c, cause);
		conn_end(c, END_PROXY_HEADER_BAD, 0);
		return -1;
	}
	in->start = n;
	if (ph.has_addrs) {
		c->hs.peer = ph.src;
		c->hs.local = ph.dst;
	}
	c->st = CS_HANDSHAKE;
	return 1;
}

/*
 * proxy_protocol: the header for the backend, first in the up buffer,
 * before any byte of the client's. v2 carries what the handshake agreed
 * (gen_tls_info()): ALPN, the SNI as AUTHORITY, and the SSL TLV.
 */
int
conn_proxyhdr_write(struct conn *c)
{
	struct proxyhdr_info	 pi;
	struct tlsinfo		 ti;
	ssize_t			 n;
	int			 v = c->lis->proxy_protocol;

	if (v == 0)
		return 0;
	memset(&pi, 0, sizeof pi);
	pi.src = c->hs.peer;
	pi.dst = c->hs.local;
	if (v == 2) {
		gen_tls_info(c->s, &c->hs, &ti);
		pi.alpn = ti.alpn;
		pi.alpn_len = ti.alpn_len;
		pi.authority = ti.sni[0] != '\0' ? ti.sni : NULL;
		pi.ssl = 1;
		pi.client_cert = ti.client_cert;
		pi.verify = ti.verify;
		pi.ssl_version = ti.version;
		pi.ssl_cipher = ti.cipher;
		pi.ssl_cn = ti.cn[0] != '\0' ? ti.cn : NULL;
	}
	if (c->up.b == NULL)
		c->up.b = buf_get(c->w);
	n = proxyhdr_build(v, &pi, c->up.b + c->up.end, BUF_SIZE - c->up.end);
	if (n < 0 && pi.src.family != pi.dst.family) {
		/*
		 * A header cannot say a client and a local address of
		 * different families. One socket or one incoming header
		 * never gives such a pair; should it happen, the backend is
		 * told UNKNOWN (v1) or LOCAL (v2) rather than nothing.
		 */
		pi.src.family = pi.dst.family = AF_UNSPEC;
		n = proxyhdr_build(v, &pi, c->up.b + c->up.end,
		    BUF_SIZE - c->up.end);
	}
	if (n < 0)
		return -1;
	c->up.end += n;
	c->hdr_left = n;
	return 0;
}
