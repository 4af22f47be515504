/*
 * The PROXY protocol, versions 1 and 2 (HAProxy's proxy-protocol.txt):
 * the header a load balancer puts before a connection's first byte to
 * say whom it came from, and the one certbindd puts before the bytes it
 * forwards to a backend. A parser of untrusted input (what a load
 * balancer, or anyone who reaches an accept_proxy listener, sends) and a
 * writer; no I/O here.
 *
 * The one idea of the parser: it never reads past the length it is
 * given and never accepts more than PROXYHDR_MAX bytes, so a caller can
 * feed it whatever a non-blocking read brought (the ClientHello may have
 * come in the same segment) and hand the rest to TLS.
 */
#ifndef CERTBIND_PROXYHDR_H
#define CERTBIND_PROXYHDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/endpoint.h"

/* v1's longest line, CRLF included (the specification's 107). */
#define PROXYHDR_V1_MAX		107
/* v2's fixed part: signature, version and command, family, length. */
#define PROXYHDR_V2_FIXED	16
/*
 * The longest header certbindd reads: v2 with addresses and TLVs up to
 * this total. The specification allows 64 KB; a load balancer's TLVs
 * (ALPN, authority, SSL, unique id) fit in far less.
 */
#define PROXYHDR_MAX		4096

/* The v2 TLV types certbindd writes (proxy-protocol.txt 2.2). */
#define PP2_TYPE_ALPN		0x01
#define PP2_TYPE_AUTHORITY	0x02
#define PP2_TYPE_CRC32C		0x03
#define PP2_TYPE_NOOP		0x04
#define PP2_TYPE_UNIQUE_ID	0x05
#define PP2_TYPE_SSL		0x20
#define PP2_SUBTYPE_SSL_VERSION	0x21
#define PP2_SUBTYPE_SSL_CN	0x22
#define PP2_SUBTYPE_SSL_CIPHER	0x23
#define PP2_SUBTYPE_SSL_SIG_ALG	0x24
#define PP2_SUBTYPE_SSL_KEY_ALG	0x25
#define PP2_TYPE_NETNS		0x30
/* The client bits of PP2_TYPE_SSL. */
#define PP2_CLIENT_SSL		0x01
#define PP2_CLIENT_CERT_CONN	0x02
#define PP2_CLIENT_CERT_SESS	0x04

/* What a header said. */
struct proxyhdr {
	int		 version;	/* 1 or 2 */
	/*
	 * 1 when the header carries the original addresses: PROXY TCP4/TCP6
	 * (v1) or PROXY with AF_INET/AF_INET6 over STREAM (v2). 0 for v1
	 * UNKNOWN, v2 LOCAL (a health check) or a family certbindd does not
	 * route (UNIX, DGRAM): the connection's own addresses stand then.
	 */
	int		 has_addrs;
	struct endpoint	 src;		/* the client */
	struct endpoint	 dst;		/* the address the client reached */
};

/*
 * Parses the header at the start of buf[0..len). Returns its length
 * (>0) when buf holds a whole valid header, 0 when buf is a valid start
 * but shorter than the header (read more, unless PROXYHDR_MAX bytes are
 * already there: then it is -1), or -1 when it is not a PROXY header or
 * is malformed: *cause is then a static sentence saying what is wrong.
 * v2 TLVs are checked for structure (each within the header) and
 * skipped. Never reads buf[len] or beyond.
 */
ssize_t	 proxyhdr_parse(const void *buf, size_t len, struct proxyhdr *out,
	    const char **cause);

/* What certbindd tells a backend. */
struct proxyhdr_info {
	struct endpoint	 src;		/* the client (family AF_UNSPEC: */
	struct endpoint	 dst;		/* UNKNOWN / LOCAL) */
	/* v2 only; NULL or length 0: the TLV is left out. */
	const unsigned char *alpn;	/* the protocol negotiated */
	size_t		 alpn_len;
	const char	*authority;	/* the SNI the client sent */
	/* The SSL TLV, written when ssl is set. */
	int		 ssl;
	int		 client_cert;	/* a client certificate was sent */
	uint32_t	 verify;	/* 0: verified (or none asked) */
	const char	*ssl_version;	/* "TLSv1.3" */
	const char	*ssl_cipher;	/* "TLS_AES_128_GCM_SHA256" */
	const char	*ssl_cn;	/* the client certificate's CN */
};

/*
 * Writes the version 1 or 2 header for info into buf (cap bytes).
 * Returns its length, or -1 when it does not fit or version is neither.
 * Strings longer than a TLV can hold are cut, never overflow.
 */
ssize_t	 proxyhdr_build(int version, const struct proxyhdr_info *,
	    void *buf, size_t cap);

#endif
