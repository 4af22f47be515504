/*
 * The PROXY protocol codec (HAProxy's proxy-protocol.txt, versions 1 and
 * 2). The one idea of the parser: every byte is looked at only after the
 * code has checked that it lies below len, so a caller may hand it any
 * prefix of a connection; a prefix that can still become a valid header
 * is answered with 0 ("read more"), and anything that can no longer
 * become one is refused as early as the bytes show it.
 *
 * Version 1 is a text line: "PROXY" SP ("TCP4" | "TCP6") SP src SP dst SP
 * sport SP dport CRLF, or "PROXY UNKNOWN" followed by anything up to the
 * CRLF, at most 107 bytes in all. Version 2 is a 16-byte fixed part
 * (signature, version and command, family and transport, length) and a
 * block of that length: the addresses, then TLVs.
 *
 * A CRC32C TLV is checked for structure like any other TLV but its
 * checksum is not verified: none of the Debian libraries certbind uses
 * offers CRC32C, and a checksum is not something to hand-write.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "core/proxyhdr.h"

static const uint8_t v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* v2's family and transport byte: the only values the protocol defines. */
#define V2_UNSPEC	0x00
#define V2_TCP4		0x11
#define V2_UDP4		0x12
#define V2_TCP6		0x21
#define V2_UDP6		0x22
#define V2_UNIX_STREAM	0x31
#define V2_UNIX_DGRAM	0x32

/* v2's version and command byte. */
#define V2_LOCAL	0x20
#define V2_PROXY	0x21

/* Address block sizes (proxy-protocol.txt 2.2). */
#define V2_ADDR_INET	12
#define V2_ADDR_INET6	36
#define V2_ADDR_UNIX	216

/*
 * The longest string the writer puts in one TLV. An ALPN protocol id is
 * at most 255 bytes (RFC 7301) and so is a DNS name; with every TLV at
 * this length the header stays well below PROXYHDR_MAX, so certbindd's
 * own parser can read whatever its writer writes.
 */
#define TLV_STR_MAX	255

/* The longest address text v1 can carry: INET6_ADDRSTRLEN less the NUL. */
#define V1_ADDR_MAX	(INET6_ADDRSTRLEN - 1)

static const char *const v1_protos[] = { "TCP4", "TCP6", "UNKNOWN" };

static void
clear(struct proxyhdr *out, int version)
{
	memset(out, 0, sizeof *out);
	out->version = version;
	out->src.family = AF_UNSPEC;
	out->dst.family = AF_UNSPEC;
}

static ssize_t
refuse(const char **cause, const char *why)
{
	if (cause != NULL)
		*cause = why;
	return -1;
}

/* Whether f[0..n) is the first n bytes of word. */
static int
is_prefix(const uint8_t *f, size_t n, const char *word)
{
	return n <= strlen(word) && memcmp(f, word, n) == 0;
}

static int
is_word(const uint8_t *f, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(f, word, n) == 0;
}

/*
 * A v1 port: decimal, no sign, no leading zero except "0" itself. With
 * whole == 0 the field may still grow, so only what is there is checked.
 */
static int
v1_port(const uint8_t *f, size_t n, int whole, uint16_t *port)
{
	unsigned long	v = 0;
	size_t		i;

	if (n > 5 || (whole && n == 0) || (n > 1 && f[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (f[i] < '0' || f[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(f[i] - '0');
	}
	if (v > 65535)
		return -1;
	if (port != NULL)
		*port = (uint16_t)v;
	return 0;
}

/* A v1 address of family af; a partial field is checked by character. */
static int
v1_addr(const uint8_t *f, size_t n, int whole, int af, struct endpoint *ep)
{
	char	text[V1_ADDR_MAX + 1];
	size_t	i;

	if (n > V1_ADDR_MAX)
		return -1;
	/* inet_pton() would stop at a NUL: check every byte first. */
	for (i = 0; i < n; i++) {
		if ((f[i] >= '0' && f[i] <= '9') || f[i] == '.')
			continue;
		if (af == AF_INET6 && (f[i] == ':' ||
		    (f[i] >= 'a' && f[i] <= 'f') ||
		    (f[i] >= 'A' && f[i] <= 'F')))
			continue;
		return -1;
	}
	if (!whole)
		return 0;
	memcpy(text, f, n);
	text[n] = '\0';
	ep->family = af;
	if (inet_pton(af, text, ep->addr) != 1)
		return -1;
	return 0;
}

/*
 * Checks field k of a v1 line, f[0..n). whole says whether the field is
 * complete (a space or the CRLF follows it). *proto is set by field 1.
 */
static ssize_t
v1_field(size_t k, const uint8_t *f, size_t n, int whole, int *proto,
    struct proxyhdr *out, const char **cause)
{
	size_t	i;
	int	af;

	switch (k) {
	case 0:
		if (whole ? !is_word(f, n, "PROXY") : !is_prefix(f, n, "PROXY"))
			return refuse(cause, "not a PROXY protocol header");
		return 0;
	case 1:
		for (i = 0; i < sizeof v1_protos / sizeof v1_protos[0]; i++) {
			if (whole ? is_word(f, n, v1_protos[i]) :
			    is_prefix(f, n, v1_protos[i]))
				break;
		}
		if (i == sizeof v1_protos / sizeof v1_protos[0])
			return refuse(cause,
			    "PROXY v1 protocol is not TCP4, TCP6 or UNKNOWN");
		if (whole)
			*proto = (int)i;
		return 0;
	case 2:
	case 3:
		af = *proto == 0 ? AF_INET : AF_INET6;
		if (v1_addr(f, n, whole, af, k == 2 ? &out->src : &out->dst)
		    != 0)
			return refuse(cause, af == AF_INET ?
			    "PROXY v1 address is not an IPv4 address" :
			    "PROXY v1 address is not an IPv6 address");
		return 0;
	case 4:
	case 5:
		if (v1_port(f, n, whole, k == 4 ? &out->src.port :
		    &out->dst.port) != 0)
			return refuse(cause,
			    "PROXY v1 port is not a number from 0 to 65535");
		return 0;
	}
	return refuse(cause, "PROXY v1 line has more than six fields");
}

/*
 * Version 1. The line is split at single spaces; each field that is
 * complete is checked in full, the last one of a partial line only as
 * far as it goes.
 */
static ssize_t
v1_parse(const uint8_t *p, size_t len, struct proxyhdr *out,
    const char **cause)
{
	size_t	 end, lim, i, start, k;
	int	 whole, fwhole, proto = -1;

	clear(out, 1);
	/* The CR must come early enough for the LF to fit in 107 bytes. */
	lim = len < PROXYHDR_V1_MAX - 1 ? len : PROXYHDR_V1_MAX - 1;
	for (end = 0; end < lim; end++) {
		if (p[end] == '\r')
			break;
	}
	whole = 0;
	if (end < lim) {
		if (end + 1 < len) {
			if (p[end + 1] != '\n')
				return refuse(cause,
				    "PROXY v1 line does not end with CRLF");
			whole = 1;
		}
	} else if (len >= PROXYHDR_V1_MAX - 1)
		return refuse(cause, "PROXY v1 line too long");

	/*
	 * Fields p[start..i), separated by one space each. A field is whole
	 * when a space follows it or the line is complete.
	 */
	start = 0;
	k = 0;
	for (i = 0; i <= end; i++) {
		if (i < end && p[i] != ' ')
			continue;
		if (proto == 2)
			break;		/* UNKNOWN: the rest is ignored */
		fwhole = i < end || whole;
		if (i == start && fwhole)
			return refuse(cause,
			    "PROXY v1 fields are not separated by one space");
		if (v1_field(k, p + start, i - start, fwhole, &proto, out,
		    cause) == -1)
			return -1;
		k++;
		start = i + 1;
	}
	if (!whole)
		return 0;
	if (proto == -1 || (proto != 2 && k < 6))
		return refuse(cause, "PROXY v1 line has too few fields");
	if (proto != 2)
		out->has_addrs = 1;
	else {
		out->src.family = AF_UNSPEC;
		out->dst.family = AF_UNSPEC;
	}
	return (ssize_t)(end + 2);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The TLVs in p[0..n): each one's header and value within n. */
static int
v2_tlvs(const uint8_t *p, size_t n, int depth, const char **cause)
{
	size_t	off = 0, vlen;

	while (off < n) {
		if (n - off < 3) {
			*cause = "PROXY v2 TLV runs past the header";
			return -1;
		}
		vlen = get16(p + off + 1);
		if (n - off - 3 < vlen) {
			*cause = "PROXY v2 TLV runs past the header";
			return -1;
		}
		if (p[off] == PP2_TYPE_SSL && depth == 0) {
			/* client (1 byte), verify (4 bytes), sub-TLVs */
			if (vlen < 5) {
				*cause = "PROXY v2 SSL TLV is too short";
				return -1;
			}
			if (v2_tlvs(p + off + 3 + 5, vlen - 5, 1, cause) != 0)
				return -1;
		}
		off += 3 + vlen;
	}
	return 0;
}

static size_t
v2_addr_size(uint8_t fam)
{
	switch (fam >> 4) {
	case 1:
		return V2_ADDR_INET;
	case 2:
		return V2_ADDR_INET6;
	case 3:
		return V2_ADDR_UNIX;
	}
	return 0;
}

static int
v2_fam_known(uint8_t fam)
{
	switch (fam) {
	case V2_UNSPEC:
	case V2_TCP4:
	case V2_UDP4:
	case V2_TCP6:
	case V2_UDP6:
	case V2_UNIX_STREAM:
	case V2_UNIX_DGRAM:
		return 1;
	}
	return 0;
}

/*
 * Version 2. LOCAL's family is to be ignored (proxy-protocol.txt): when
 * it is one the protocol defines and its addresses fit, the TLVs after
 * them are checked as for PROXY; otherwise the block is skipped unread.
 */
static ssize_t
v2_parse(const uint8_t *p, size_t len, struct proxyhdr *out,
    const char **cause)
{
	size_t	 n, total, asz;
	uint8_t	 fam;
	int	 local, check;

	clear(out, 2);
	n = len < sizeof v2_sig ? len : sizeof v2_sig;
	if (memcmp(p, v2_sig, n) != 0)
		return refuse(cause, "not a PROXY protocol header");
	if (len <= 12)
		return 0;
	if ((p[12] & 0xf0) != 0x20)
		return refuse(cause, "PROXY v2 header's version is not 2");
	if (p[12] != V2_LOCAL && p[12] != V2_PROXY)
		return refuse(cause,
		    "PROXY v2 command is neither LOCAL nor PROXY");
	local = p[12] == V2_LOCAL;
	if (len <= 13)
		return 0;
	fam = p[13];
	if (!local && !v2_fam_known(fam))
		return refuse(cause,
		    "PROXY v2 address family or transport is unknown");
	if (len < PROXYHDR_V2_FIXED)
		return 0;
	total = PROXYHDR_V2_FIXED + (size_t)get16(p + 14);
	if (total > PROXYHDR_MAX)
		return refuse(cause,
		    "PROXY v2 header is longer than certbindd accepts");
	asz = v2_addr_size(fam);
	check = !local || (v2_fam_known(fam) &&
	    asz <= total - PROXYHDR_V2_FIXED);
	if (!local && asz > total - PROXYHDR_V2_FIXED)
		return refuse(cause,
		    "PROXY v2 address block is longer than the header's length");
	if (len < total)
		return 0;
	if (check && v2_tlvs(p + PROXYHDR_V2_FIXED + asz,
	    total - PROXYHDR_V2_FIXED - asz, 0, cause) != 0)
		return -1;
	if (local)
		return (ssize_t)total;

	p += PROXYHDR_V2_FIXED;
	switch (fam) {
	case V2_TCP4:
		out->src.family = out->dst.family = AF_INET;
		memcpy(out->src.addr, p, 4);
		memcpy(out->dst.addr, p + 4, 4);
		out->src.port = get16(p + 8);
		out->dst.port = get16(p + 10);
		out->has_addrs = 1;
		break;
	case V2_TCP6:
		/* An IPv4-mapped address stays IPv6: the bytes as sent. */
		out->src.family = out->dst.family = AF_INET6;
		memcpy(out->src.addr, p, 16);
		memcpy(out->dst.addr, p + 16, 16);
		out->src.port = get16(p + 32);
		out->dst.port = get16(p + 34);
		out->has_addrs = 1;
		break;
	}
	return (ssize_t)total;
}

ssize_t
proxyhdr_parse(const void *buf, size_t len, struct proxyhdr *out,
    const char **cause)
{
	const uint8_t	*p = buf;
	struct proxyhdr	 dummy;
	const char	*dummy_cause;
	ssize_t		 r;

	if (out == NULL)
		out = &dummy;
	if (cause == NULL)
		cause = &dummy_cause;
	if (len == 0) {
		clear(out, 0);
		return 0;
	}
	if (p[0] == 'P')
		r = v1_parse(p, len, out, cause);
	else if (p[0] == v2_sig[0])
		r = v2_parse(p, len, out, cause);
	else {
		clear(out, 0);
		r = refuse(cause, "not a PROXY protocol header");
	}
	if (r == 0 && len >= PROXYHDR_MAX)
		r = refuse(cause, "PROXY header is longer than certbindd accepts");
	return r;
}

/* The writer: a cursor that refuses to move past cap. */
struct out {
	uint8_t	*p;
	size_t	 len;
	size_t	 cap;
	int	 full;
};

static void
put(struct out *o, const void *data, size_t n)
{
	if (o->full || o->cap - o->len < n) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, data, n);
	o->len += n;
}

static void
put16(struct out *o, uint16_t v)
{
	uint8_t	b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(o, b, 2);
}

static void
put32(struct out *o, uint32_t v)
{
	uint8_t	b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		    (uint8_t)(v >> 8), (uint8_t)v };

	put(o, b, 4);
}

static void
put_tlv(struct out *o, uint8_t type, const void *value, size_t n)
{
	if (n > TLV_STR_MAX)
		n = TLV_STR_MAX;
	put(o, &type, 1);
	put16(o, (uint16_t)n);
	put(o, value, n);
}

static size_t
str_len(const char *s)
{
	size_t	n = strlen(s);

	return n > TLV_STR_MAX ? TLV_STR_MAX : n;
}

/* ep's address as 16 bytes: IPv4 as ::ffff:a.b.c.d. */
static void
addr16(const struct endpoint *ep, uint8_t *a)
{
	if (ep->family == AF_INET6) {
		memcpy(a, ep->addr, 16);
		return;
	}
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	memcpy(a + 12, ep->addr, 4);
}

static int
has_addrs(const struct proxyhdr_info *info)
{
	return (info->src.family == AF_INET || info->src.family == AF_INET6) &&
	    (info->dst.family == AF_INET || info->dst.family == AF_INET6);
}

/* Both addresses IPv4, or else both IPv6 (mixed: IPv4 mapped). */
static int
both_v4(const struct proxyhdr_info *info)
{
	return info->src.family == AF_INET && info->dst.family == AF_INET;
}

static ssize_t
v1_build(const struct proxyhdr_info *info, void *buf, size_t cap)
{
	char	 s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	char	 line[PROXYHDR_V1_MAX + 1];
	uint8_t	 a[16];
	int	 n, v4;

	if (!has_addrs(info))
		n = snprintf(line, sizeof line, "PROXY UNKNOWN\r\n");
	else {
		v4 = both_v4(info);
		if (v4) {
			inet_ntop(AF_INET, info->src.addr, s, sizeof s);
			inet_ntop(AF_INET, info->dst.addr, d, sizeof d);
		} else {
			addr16(&info->src, a);
			inet_ntop(AF_INET6, a, s, sizeof s);
			addr16(&info->dst, a);
			inet_ntop(AF_INET6, a, d, sizeof d);
		}
		n = snprintf(line, sizeof line, "PROXY %s %s %s %u %u\r\n",
		    v4 ? "TCP4" : "TCP6", s, d, (unsigned)info->src.port,
		    (unsigned)info->dst.port);
	}
	if (n < 0 || (size_t)n >= sizeof line || (size_t)n > cap)
		return -1;
	memcpy(buf, line, (size_t)n);
	return n;
}

static ssize_t
v2_build(const struct proxyhdr_info *info, void *buf, size_t cap)
{
	struct out	 o = { buf, 0, cap, 0 };
	uint8_t		 a[16], client;
	size_t		 lenat, sslat, n;

	put(&o, v2_sig, sizeof v2_sig);
	if (!has_addrs(info)) {
		put(&o, (const uint8_t[]){ V2_LOCAL, V2_UNSPEC }, 2);
		lenat = o.len;
		put16(&o, 0);
	} else if (both_v4(info)) {
		put(&o, (const uint8_t[]){ V2_PROXY, V2_TCP4 }, 2);
		lenat = o.len;
		put16(&o, 0);
		put(&o, info->src.addr, 4);
		put(&o, info->dst.addr, 4);
		put16(&o, info->src.port);
		put16(&o, info->dst.port);
	} else {
		put(&o, (const uint8_t[]){ V2_PROXY, V2_TCP6 }, 2);
		lenat = o.len;
		put16(&o, 0);
		addr16(&info->src, a);
		put(&o, a, 16);
		addr16(&info->dst, a);
		put(&o, a, 16);
		put16(&o, info->src.port);
		put16(&o, info->dst.port);
	}
	if (info->alpn != NULL && info->alpn_len > 0)
		put_tlv(&o, PP2_TYPE_ALPN, info->alpn, info->alpn_len);
	if (info->authority != NULL && info->authority[0] != '\0')
		put_tlv(&o, PP2_TYPE_AUTHORITY, info->authority,
		    str_len(info->authority));
	if (info->ssl) {
		put(&o, (const uint8_t[]){ PP2_TYPE_SSL }, 1);
		sslat = o.len;
		put16(&o, 0);
		client = PP2_CLIENT_SSL;
		if (info->client_cert)
			client |= PP2_CLIENT_CERT_CONN | PP2_CLIENT_CERT_SESS;
		put(&o, &client, 1);
		put32(&o, info->verify);
		if (info->ssl_version != NULL)
			put_tlv(&o, PP2_SUBTYPE_SSL_VERSION, info->ssl_version,
			    str_len(info->ssl_version));
		if (info->ssl_cn != NULL && info->ssl_cn[0] != '\0')
			put_tlv(&o, PP2_SUBTYPE_SSL_CN, info->ssl_cn,
			    str_len(info->ssl_cn));
		if (info->ssl_cipher != NULL)
			put_tlv(&o, PP2_SUBTYPE_SSL_CIPHER, info->ssl_cipher,
			    str_len(info->ssl_cipher));
		if (!o.full) {
			n = o.len - sslat - 2;
			o.p[sslat] = (uint8_t)(n >> 8);
			o.p[sslat + 1] = (uint8_t)n;
		}
	}
	if (o.full)
		return -1;
	n = o.len - PROXYHDR_V2_FIXED;
	o.p[lenat] = (uint8_t)(n >> 8);
	o.p[lenat + 1] = (uint8_t)n;
	return (ssize_t)o.len;
}

ssize_t
proxyhdr_build(int version, const struct proxyhdr_info *info, void *buf,
    size_t cap)
{
	if (version == 1)
		return v1_build(info, buf, cap);
	if (version == 2)
		return v2_build(info, buf, cap);
	return -1;
}
