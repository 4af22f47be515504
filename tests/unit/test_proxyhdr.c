/*
 * The PROXY protocol codec, tested from core/proxyhdr.h and HAProxy's
 * proxy-protocol.txt alone. Expected bytes are assembled by hand from the
 * specification's layout (signature, version and command, family,
 * length, addresses, TLVs), never taken from the writer's output, and
 * every parse runs on a copy of exactly the bytes given, so a read past
 * len is a heap overflow that the sanitizer build (make check-asan)
 * reports.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/endpoint.h"
#include "core/proxyhdr.h"

/* The v2 signature, spelled out from section 2.2. */
#define SIG	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, \
		'Q', 'U', 'I', 'T', 0x0a

/* proxyhdr_parse on a heap copy of exactly n bytes. */
static ssize_t
parse_n(const void *data, size_t n, struct proxyhdr *h, const char **cause)
{
	uint8_t	*copy;
	ssize_t	 r;

	copy = malloc(n > 0 ? n : 1);
	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, data, n);
	*cause = NULL;
	r = proxyhdr_parse(copy, n, h, cause);
	free(copy);
	return r;
}

/*
 * A whole valid header: every shorter prefix asks for more (0), the whole
 * header and the header followed by a ClientHello's first bytes both
 * return exactly its length.
 */
static void
valid(const void *data, size_t n, struct proxyhdr *h)
{
	static const uint8_t	 hello[] = { 0x16, 0x03, 0x01, 0x02, 0x00,
				    0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 };
	struct proxyhdr		 tmp;
	const char		*cause;
	uint8_t			*more;
	size_t			 i;
	ssize_t			 r;

	for (i = 0; i < n; i++) {
		memset(&tmp, 0xa5, sizeof tmp);
		r = parse_n(data, i, &tmp, &cause);
		if (r != 0)
			fail_msg("prefix of %zu of %zu bytes: %zd (%s)", i, n,
			    r, cause != NULL ? cause : "no cause");
	}
	r = parse_n(data, n, h, &cause);
	if (r != (ssize_t)n)
		fail_msg("whole header of %zu bytes: %zd (%s)", n, r,
		    cause != NULL ? cause : "no cause");

	more = malloc(n + sizeof hello);
	assert_non_null(more);
	memcpy(more, data, n);
	memcpy(more + n, hello, sizeof hello);
	for (i = n; i <= n + sizeof hello; i++)
		assert_int_equal(parse_n(more, i, &tmp, &cause), (ssize_t)n);
	free(more);
}

static void
valid_str(const char *s, struct proxyhdr *h)
{
	valid(s, strlen(s), h);
}

/* A header that must be refused, with a cause that contains want. */
static void
invalid(const void *data, size_t n, const char *want)
{
	struct proxyhdr	 h;
	const char	*cause;
	ssize_t		 r;

	r = parse_n(data, n, &h, &cause);
	if (r != -1)
		fail_msg("%zu bytes starting '%.*s': %zd, want -1", n,
		    (int)(n < 40 ? n : 40), (const char *)data, r);
	assert_non_null(cause);
	if (want != NULL && strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" does not say \"%s\"", cause, want);
}

static void
invalid_str(const char *s, const char *want)
{
	invalid(s, strlen(s), want);
}

static void
ep_is(const struct endpoint *ep, int af, const char *addr, uint16_t port)
{
	uint8_t	a[16];

	assert_int_equal(ep->family, af);
	assert_int_equal(inet_pton(af, addr, a), 1);
	assert_memory_equal(ep->addr, a, af == AF_INET ? 4 : 16);
	assert_int_equal(ep->port, port);
}

static void
ep_set(struct endpoint *ep, int af, const char *addr, uint16_t port)
{
	memset(ep, 0, sizeof *ep);
	ep->family = af;
	assert_int_equal(inet_pton(af, addr, ep->addr), 1);
	ep->port = port;
}

static void
test_v1_parse(void **state)
{
	struct proxyhdr	h;

	valid_str("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n", &h);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.has_addrs, 1);
	ep_is(&h.src, AF_INET, "192.0.2.1", 56324);
	ep_is(&h.dst, AF_INET, "198.51.100.2", 443);

	valid_str("PROXY TCP6 2001:db8::1 2001:DB8:0:0:0:0:0:2 0 65535\r\n",
	    &h);
	assert_int_equal(h.has_addrs, 1);
	ep_is(&h.src, AF_INET6, "2001:db8::1", 0);
	ep_is(&h.dst, AF_INET6, "2001:db8::2", 65535);

	/* A mapped address in TCP6 stays IPv6. */
	valid_str("PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n", &h);
	ep_is(&h.src, AF_INET6, "::ffff:192.0.2.1", 1);

	valid_str("PROXY TCP4 0.0.0.0 255.255.255.255 0 0\r\n", &h);
	ep_is(&h.dst, AF_INET, "255.255.255.255", 0);

	valid_str("PROXY UNKNOWN\r\n", &h);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.has_addrs, 0);
	assert_int_equal(h.src.family, AF_UNSPEC);
	assert_int_equal(h.dst.family, AF_UNSPEC);
	/* UNKNOWN: the rest of the line is ignored, whatever it is. */
	valid_str("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535"
	    "\r\n", &h);
	assert_int_equal(h.has_addrs, 0);
	valid_str("PROXY UNKNOWN \r\n", &h);
	assert_int_equal(h.has_addrs, 0);
	valid_str("PROXY UNKNOWN  two  spaces and \x01 junk\r\n", &h);
	assert_int_equal(h.has_addrs, 0);
}

/* The longest line is 107 bytes, CRLF included; one more is refused. */
static void
test_v1_length(void **state)
{
	struct proxyhdr	 h;
	char		 line[200];
	const char	*longest =
	    "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";

	/* The specification's worst case is exactly 104 bytes. */
	assert_int_equal(strlen(longest), 104);
	valid_str(longest, &h);

	memset(line, 'x', sizeof line);
	memcpy(line, "PROXY UNKNOWN ", 14);
	memcpy(line + 105, "\r\n", 2);
	valid(line, 107, &h);
	assert_int_equal(h.has_addrs, 0);

	memcpy(line + 105, "x\r\n", 3);
	invalid(line, 108, "too long");
	invalid(line, 107, "too long");
	invalid(line, 106, "too long");
	/* 105 bytes without CR: the CRLF could still come. */
	{
		const char	*cause;

		assert_int_equal(parse_n(line, 105, &h, &cause), 0);
	}
	memset(line + 14, 'x', sizeof line - 14);
	invalid(line, sizeof line, "too long");
}

static void
test_v1_malformed(void **state)
{
	static const struct {
		const char	*s;
		const char	*cause;
	} bad[] = {
		{ "GET / HTTP/1.1\r\n", "not a PROXY" },
		{ "PROXI TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "not a PROXY" },
		{ "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "not a PROXY" },
		{ "PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", "not a PROXY" },
		{ "PROXY\r\n", "too few" },
		{ "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "TCP4, TCP6" },
		{ "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "TCP4, TCP6" },
		{ "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", "TCP4, TCP6" },
		{ "PROXY UNKNOWNX\r\n", "TCP4, TCP6" },
		{ "PROXY TCP4\r\n", "too few" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "too few" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "more than six" },
		/* Extra spaces anywhere, and tabs. */
		{ "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "one space" },
		{ "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", "one space" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8  1 2\r\n", "one space" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "one space" },
		{ "PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n", "not a PROXY" },
		{ "PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n", "IPv4" },
		/* Line ends. */
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "port" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", "CRLF" },
		{ "PROXY UNKNOWN\r\r\n", "CRLF" },
		/* Addresses. */
		{ "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", "IPv4" },
		{ "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "IPv4" },
		{ "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n", "IPv4" },
		{ "PROXY TCP4 1.2.3.4. 5.6.7.8 1 2\r\n", "IPv4" },
		{ "PROXY TCP4 ::1 5.6.7.8 1 2\r\n", "IPv4" },
		{ "PROXY TCP4 1.2.3.4 ::ffff:5.6.7.8 1 2\r\n", "IPv4" },
		{ "PROXY TCP4 localhost 5.6.7.8 1 2\r\n", "IPv4" },
		{ "PROXY TCP6 1.2.3.4 ::1 1 2\r\n", "IPv6" },
		{ "PROXY TCP6 ::1 [::1] 1 2\r\n", "IPv6" },
		{ "PROXY TCP6 ::1 2001:db8:::1 1 2\r\n", "IPv6" },
		{ "PROXY TCP6 ::1 fe80::1%eth0 1 2\r\n", "IPv6" },
		/* Ports. */
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "port" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n", "port" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 0443 2\r\n", "port" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 00 2\r\n", "port" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 +443 2\r\n", "port" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "port" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 0x10\r\n", "port" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 100000\r\n", "port" },
		{ "PROXY TCP4 1.2.3.4 5.6.7.8 1 2a\r\n", "port" },
	};
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		invalid_str(bad[i].s, bad[i].cause);
	/* A NUL inside the line. */
	invalid("PROXY TCP4 1.2.3.4\0 5.6.7.8 1 2\r\n", 33, "IPv4");
}

/* Bytes that can no longer become a header are refused before the CRLF. */
static void
test_v1_early(void **state)
{
	static const char	*bad[] = {
		"X", "\x16\x03\x01", "PROXX", "PROXY ", "PROXY T", "PROXY  ",
		"PROXY TCP5", "PROXY TCP4 1.2.3.4x", "PROXY TCP4 1.2.3.4 5.6.7.8x",
		"PROXY TCP6 ::1 ::g", "PROXY TCP4 1.2.3.4 5.6.7.8 01",
		"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 ", "PROXY TCP4 1.2.3.4 5.6.7.8 123456",
	};
	struct proxyhdr	 h;
	const char	*cause;
	size_t		 i;

	/* The first two and "PROXY " etc. are prefixes: see below. */
	invalid_str(bad[0], "not a PROXY");
	invalid_str(bad[1], "not a PROXY");
	invalid_str(bad[2], "not a PROXY");
	for (i = 3; i < 6; i++)
		assert_int_equal(parse_n(bad[i], strlen(bad[i]), &h, &cause),
		    i == 5 ? -1 : 0);
	for (i = 6; i < sizeof bad / sizeof bad[0]; i++)
		if (parse_n(bad[i], strlen(bad[i]), &h, &cause) != -1)
			fail_msg("\"%s\" is not refused early", bad[i]);
}

static void
test_v2_parse(void **state)
{
	struct proxyhdr	h;
	static const uint8_t	tcp4[] = { SIG, 0x21, 0x11, 0x00, 0x0c,
		192, 0, 2, 1,  198, 51, 100, 2,  0xdc, 0x04,  0x01, 0xbb };
	static const uint8_t	tcp6[] = { SIG, 0x21, 0x21, 0x00, 0x24,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7,
		0x30, 0x39,  0x20, 0xfb };
	static const uint8_t	local[] = { SIG, 0x20, 0x00, 0x00, 0x00 };
	static const uint8_t	unspec[] = { SIG, 0x21, 0x00, 0x00, 0x00 };
	static const uint8_t	udp4[] = { SIG, 0x21, 0x12, 0x00, 0x0c,
		1, 2, 3, 4, 5, 6, 7, 8, 0, 53, 0, 53 };
	/* LOCAL: the family is to be ignored, even one never defined. */
	static const uint8_t	local_odd[] = { SIG, 0x20, 0xff, 0x00, 0x05,
		1, 2, 3, 4, 5 };
	/* TLVs the parser skips: NOOP, CRC32C (not verified), unknown,
	 * unique id, and an SSL TLV with sub-TLVs. */
	static const uint8_t	tlvs[] = { SIG, 0x21, 0x11, 0x00, 0x2c,
		10, 0, 0, 1,  10, 0, 0, 2,  0x00, 0x50,  0x01, 0xbb,
		0x04, 0x00, 0x00,
		0x03, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef,
		0xe0, 0x00, 0x01, 0x7f,
		0x05, 0x00, 0x02, 'i', 'd',
		0x20, 0x00, 0x0a, 0x01, 0x00, 0x00, 0x00, 0x00,
		    0x21, 0x00, 0x02, 'v', '1' };
	uint8_t		 unix_[16 + 216];

	valid(tcp4, sizeof tcp4, &h);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.has_addrs, 1);
	ep_is(&h.src, AF_INET, "192.0.2.1", 56324);
	ep_is(&h.dst, AF_INET, "198.51.100.2", 443);

	valid(tcp6, sizeof tcp6, &h);
	assert_int_equal(h.has_addrs, 1);
	ep_is(&h.src, AF_INET6, "2001:db8::1", 12345);
	/* An IPv4-mapped address in TCP6 stays IPv6. */
	ep_is(&h.dst, AF_INET6, "::ffff:192.0.2.7", 8443);

	valid(local, sizeof local, &h);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.has_addrs, 0);
	assert_int_equal(h.src.family, AF_UNSPEC);

	valid(unspec, sizeof unspec, &h);
	assert_int_equal(h.has_addrs, 0);
	valid(udp4, sizeof udp4, &h);
	assert_int_equal(h.has_addrs, 0);
	valid(local_odd, sizeof local_odd, &h);
	assert_int_equal(h.has_addrs, 0);

	assert_int_equal(sizeof tlvs, 16 + 12 + 3 + 7 + 4 + 5 + 13);
	valid(tlvs, sizeof tlvs, &h);
	assert_int_equal(h.has_addrs, 1);
	ep_is(&h.src, AF_INET, "10.0.0.1", 80);

	memset(unix_, 0, sizeof unix_);
	memcpy(unix_, (const uint8_t[]){ SIG, 0x21, 0x31, 0x00, 0xd8 }, 16);
	memcpy(unix_ + 16, "/run/a.sock", 11);
	valid(unix_, sizeof unix_, &h);
	assert_int_equal(h.has_addrs, 0);
}

static void
test_v2_malformed(void **state)
{
	uint8_t	b[PROXYHDR_MAX + 16];
	static const uint8_t	tcp4[] = { SIG, 0x21, 0x11, 0x00, 0x0c,
		192, 0, 2, 1,  198, 51, 100, 2,  0xdc, 0x04,  0x01, 0xbb };
	static const uint8_t	fams[] = { 0x01, 0x02, 0x10, 0x13, 0x20,
		0x23, 0x30, 0x33, 0x41, 0x51, 0xf1, 0xff };
	size_t	i;

	/* The signature, byte by byte. */
	for (i = 0; i < 12; i++) {
		memcpy(b, tcp4, sizeof tcp4);
		b[i] ^= 0x20;
		invalid(b, sizeof tcp4, i == 0 ? NULL : "not a PROXY");
		invalid(b, i + 1, i == 0 ? NULL : "not a PROXY");
	}
	/* Version 1 and 3 in v2's binary form; commands 2 and 15. */
	memcpy(b, tcp4, sizeof tcp4);
	b[12] = 0x11;
	invalid(b, sizeof tcp4, "version");
	invalid(b, 13, "version");
	b[12] = 0x31;
	invalid(b, sizeof tcp4, "version");
	b[12] = 0x22;
	invalid(b, sizeof tcp4, "command");
	b[12] = 0x2f;
	invalid(b, 13, "command");

	/* Families and transports the protocol does not define. */
	for (i = 0; i < sizeof fams; i++) {
		memcpy(b, tcp4, sizeof tcp4);
		b[13] = fams[i];
		invalid(b, sizeof tcp4, "family");
		invalid(b, 14, "family");
	}

	/* A length over PROXYHDR_MAX is refused from the fixed part on. */
	memcpy(b, tcp4, sizeof tcp4);
	b[14] = (PROXYHDR_MAX - 16 + 1) >> 8;
	b[15] = (PROXYHDR_MAX - 16 + 1) & 0xff;
	invalid(b, 16, "longer");
	invalid(b, sizeof tcp4, "longer");
	b[14] = b[15] = 0xff;
	invalid(b, 16, "longer");
	/* ... and PROXYHDR_MAX itself is accepted (TLVs: one NOOP). */
	memset(b + 16, 0, sizeof b - 16);
	memcpy(b, tcp4, sizeof tcp4);
	b[14] = (PROXYHDR_MAX - 16) >> 8;
	b[15] = (PROXYHDR_MAX - 16) & 0xff;
	b[28] = PP2_TYPE_NOOP;
	b[29] = (PROXYHDR_MAX - 16 - 12 - 3) >> 8;
	b[30] = (PROXYHDR_MAX - 16 - 12 - 3) & 0xff;
	{
		struct proxyhdr	 h;
		const char	*cause;

		assert_int_equal(parse_n(b, PROXYHDR_MAX, &h, &cause),
		    PROXYHDR_MAX);
		assert_int_equal(parse_n(b, PROXYHDR_MAX - 1, &h, &cause), 0);
		assert_int_equal(parse_n(b, sizeof b, &h, &cause),
		    PROXYHDR_MAX);
	}

	/* Address blocks longer than the length. */
	invalid((const uint8_t[]){ SIG, 0x21, 0x11, 0x00, 0x0b }, 16,
	    "address block");
	invalid((const uint8_t[]){ SIG, 0x21, 0x21, 0x00, 0x0c }, 16,
	    "address block");
	invalid((const uint8_t[]){ SIG, 0x21, 0x31, 0x00, 0x24 }, 16,
	    "address block");
	invalid((const uint8_t[]){ SIG, 0x21, 0x11, 0x00, 0x00 }, 16,
	    "address block");
}

static void
test_v2_tlv_malformed(void **state)
{
	static const struct {
		uint8_t	tlv[24];
		size_t	len;
		const char *cause;
	} bad[] = {
		/* Only part of a TLV's 3-byte header. */
		{ { 0x04 }, 1, "past the header" },
		{ { 0x04, 0x00 }, 2, "past the header" },
		/* A value longer than what is left. */
		{ { 0x01, 0x00, 0x03, 'h', '2' }, 5, "past the header" },
		{ { 0x04, 0x00, 0x00, 0x02, 0x00, 0x01 }, 6,
		    "past the header" },
		{ { 0x02, 0xff, 0xff, 'a' }, 4, "past the header" },
		/* SSL: too short for client and verify. */
		{ { 0x20, 0x00, 0x04, 0x01, 0, 0, 0 }, 7, "SSL" },
		/* SSL: a sub-TLV past the SSL TLV (but within the header). */
		{ { 0x20, 0x00, 0x07, 0x01, 0, 0, 0, 0, 0x21, 0x00,
		    0x04, 0x00, 0x00 }, 13, "past the header" },
		{ { 0x20, 0x00, 0x09, 0x01, 0, 0, 0, 0, 0x22, 0x00,
		    0x02, 'x', 0x04, 0x00, 0x00 }, 15, "past the header" },
	};
	uint8_t	b[64];
	size_t	i, n;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memcpy(b, (const uint8_t[]){ SIG, 0x21, 0x11 }, 14);
		n = 12 + bad[i].len;
		b[14] = (uint8_t)(n >> 8);
		b[15] = (uint8_t)n;
		memset(b + 16, 7, 12);
		memcpy(b + 28, bad[i].tlv, bad[i].len);
		invalid(b, 16 + n, bad[i].cause);
		/* The same with bytes after it: the length still rules. */
		memset(b + 16 + n, 0, 8);
		invalid(b, 16 + n + 8, bad[i].cause);
	}
	/* LOCAL with a defined family: its TLVs are checked too. */
	invalid((const uint8_t[]){ SIG, 0x20, 0x00, 0x00, 0x02, 0x04, 0x00 },
	    18, "past the header");
}

/* Section 2.2's layout, assembled by hand. */
static void
test_v2_build_bytes(void **state)
{
	static const uint8_t	want[] = {
		SIG, 0x21, 0x11, 0x00, 0x53,
		192, 0, 2, 1,  198, 51, 100, 2,  0xdc, 0x04,  0x01, 0xbb,
		/* ALPN */
		0x01, 0x00, 0x02, 'h', '2',
		/* AUTHORITY */
		0x02, 0x00, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.',
		    'c', 'o', 'm',
		/* SSL: client, verify, VERSION, CN, CIPHER */
		0x20, 0x00, 0x31,
		    0x07,  0x00, 0x00, 0x00, 0x00,
		    0x21, 0x00, 0x07, 'T', 'L', 'S', 'v', '1', '.', '3',
		    0x22, 0x00, 0x06, 'c', 'l', 'i', 'e', 'n', 't',
		    0x23, 0x00, 0x16, 'T', 'L', 'S', '_', 'A', 'E', 'S', '_',
			'1', '2', '8', '_', 'G', 'C', 'M', '_', 'S', 'H', 'A',
			'2', '5', '6',
	};
	static const uint8_t	want_nocert[] = {
		SIG, 0x21, 0x21, 0x00, 0x24 + 3 + 5 + 3 + 7 + 3 + 6,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0x01, 0x00, 0x01, 0xbb,
		0x20, 0x00, 0x05 + 3 + 7 + 3 + 6,
		    0x01,  0xde, 0xad, 0xbe, 0xef,
		    0x21, 0x00, 0x07, 'T', 'L', 'S', 'v', '1', '.', '2',
		    0x23, 0x00, 0x06, 'C', 'I', 'P', 'H', 'E', 'R',
	};
	struct proxyhdr_info	 info;
	uint8_t			 buf[512], guard[512];
	struct proxyhdr		 h;
	ssize_t			 n;
	size_t			 cap;

	/* The sizes, counted independently of the bytes above. */
	assert_int_equal(sizeof want, 16 + 12 + (3 + 2) + (3 + 11) +
	    (3 + 1 + 4 + (3 + 7) + (3 + 6) + (3 + 22)));
	assert_int_equal(0x53, sizeof want - 16);

	memset(&info, 0, sizeof info);
	ep_set(&info.src, AF_INET, "192.0.2.1", 56324);
	ep_set(&info.dst, AF_INET, "198.51.100.2", 443);
	info.alpn = (const unsigned char *)"h2";
	info.alpn_len = 2;
	info.authority = "example.com";
	info.ssl = 1;
	info.client_cert = 1;
	info.verify = 0;
	info.ssl_version = "TLSv1.3";
	info.ssl_cipher = "TLS_AES_128_GCM_SHA256";
	info.ssl_cn = "client";
	n = proxyhdr_build(2, &info, buf, sizeof buf);
	assert_int_equal(n, sizeof want);
	assert_memory_equal(buf, want, sizeof want);
	valid(buf, (size_t)n, &h);
	ep_is(&h.src, AF_INET, "192.0.2.1", 56324);

	/* Every cap short of the length is refused, nothing past cap
	 * written. */
	for (cap = 0; cap < sizeof want; cap++) {
		memset(guard, 0x5a, sizeof guard);
		assert_int_equal(proxyhdr_build(2, &info, guard, cap), -1);
		for (n = (ssize_t)cap; n < (ssize_t)sizeof guard; n++)
			assert_int_equal(guard[n], 0x5a);
	}
	assert_int_equal(proxyhdr_build(2, &info, buf, sizeof want),
	    sizeof want);

	/* No ALPN, no authority, no client certificate, empty CN. */
	memset(&info, 0, sizeof info);
	ep_set(&info.src, AF_INET6, "2001:db8::1", 256);
	ep_set(&info.dst, AF_INET6, "2001:db8::2", 443);
	info.alpn = (const unsigned char *)"";
	info.alpn_len = 0;
	info.authority = "";
	info.ssl = 1;
	info.verify = 0xdeadbeef;
	info.ssl_version = "TLSv1.2";
	info.ssl_cipher = "CIPHER";
	info.ssl_cn = "";
	n = proxyhdr_build(2, &info, buf, sizeof buf);
	assert_int_equal(n, sizeof want_nocert);
	assert_memory_equal(buf, want_nocert, sizeof want_nocert);
	valid(buf, (size_t)n, &h);
}

static void
test_v2_build_plain(void **state)
{
	static const uint8_t	local[] = { SIG, 0x20, 0x00, 0x00, 0x00 };
	static const uint8_t	mixed[] = { SIG, 0x21, 0x21, 0x00, 0x24,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 9,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0xff, 0xff,  0x00, 0x00 };
	static const uint8_t	local_alpn[] = { SIG, 0x20, 0x00, 0x00, 0x09,
		0x01, 0x00, 0x06, 'h', 't', 't', 'p', '/', '1' };
	struct proxyhdr_info	 info;
	struct proxyhdr		 h;
	uint8_t			 buf[256];
	ssize_t			 n;

	memset(&info, 0, sizeof info);
	info.src.family = AF_UNSPEC;
	info.dst.family = AF_UNSPEC;
	n = proxyhdr_build(2, &info, buf, sizeof buf);
	assert_int_equal(n, sizeof local);
	assert_memory_equal(buf, local, sizeof local);
	assert_int_equal(proxyhdr_build(2, &info, buf, 15), -1);

	info.alpn = (const unsigned char *)"http/1";
	info.alpn_len = 6;
	n = proxyhdr_build(2, &info, buf, sizeof buf);
	assert_int_equal(n, sizeof local_alpn);
	assert_memory_equal(buf, local_alpn, sizeof local_alpn);
	valid(buf, (size_t)n, &h);
	assert_int_equal(h.has_addrs, 0);

	/* Mixed families: both IPv6, the IPv4 one mapped. */
	memset(&info, 0, sizeof info);
	ep_set(&info.src, AF_INET, "203.0.113.9", 65535);
	ep_set(&info.dst, AF_INET6, "2001:db8::1", 0);
	n = proxyhdr_build(2, &info, buf, sizeof buf);
	assert_int_equal(n, sizeof mixed);
	assert_memory_equal(buf, mixed, sizeof mixed);

	/* Neither version 0 nor 3 exists. */
	assert_int_equal(proxyhdr_build(0, &info, buf, sizeof buf), -1);
	assert_int_equal(proxyhdr_build(3, &info, buf, sizeof buf), -1);
}

static void
test_v1_build(void **state)
{
	static const struct {
		int		 saf;
		const char	*src;
		uint16_t	 sport;
		int		 daf;
		const char	*dst;
		uint16_t	 dport;
		const char	*want;
	} cases[] = {
		{ AF_INET, "192.0.2.1", 56324, AF_INET, "198.51.100.2", 443,
		  "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n" },
		{ AF_INET6, "2001:db8::1", 0, AF_INET6, "::1", 65535,
		  "PROXY TCP6 2001:db8::1 ::1 0 65535\r\n" },
		{ AF_INET, "192.0.2.1", 1, AF_INET6, "2001:db8::2", 2,
		  "PROXY TCP6 ::ffff:192.0.2.1 2001:db8::2 1 2\r\n" },
		{ AF_INET6, "2001:db8::2", 1, AF_INET, "10.0.0.1", 2,
		  "PROXY TCP6 2001:db8::2 ::ffff:10.0.0.1 1 2\r\n" },
		{ AF_UNSPEC, NULL, 0, AF_UNSPEC, NULL, 0,
		  "PROXY UNKNOWN\r\n" },
	};
	struct proxyhdr_info	 info;
	struct proxyhdr		 h;
	char			 buf[PROXYHDR_V1_MAX + 8];
	size_t			 i, len;
	ssize_t			 n;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&info, 0, sizeof info);
		if (cases[i].src != NULL) {
			ep_set(&info.src, cases[i].saf, cases[i].src,
			    cases[i].sport);
			ep_set(&info.dst, cases[i].daf, cases[i].dst,
			    cases[i].dport);
		}
		/* v1 ignores the TLV fields. */
		info.alpn = (const unsigned char *)"h2";
		info.alpn_len = 2;
		info.ssl = 1;
		len = strlen(cases[i].want);
		memset(buf, 'Z', sizeof buf);
		n = proxyhdr_build(1, &info, buf, sizeof buf);
		assert_int_equal(n, len);
		assert_memory_equal(buf, cases[i].want, len);
		assert_int_equal(proxyhdr_build(1, &info, buf, len), len);
		memset(buf, 'Z', sizeof buf);
		assert_int_equal(proxyhdr_build(1, &info, buf, len - 1), -1);
		assert_int_equal(buf[len - 1], 'Z');
		memcpy(buf, cases[i].want, len);
		valid(buf, len, &h);
		assert_int_equal(h.has_addrs, cases[i].src != NULL);
	}
}

/* An IPv4 endpoint as the IPv4-mapped IPv6 one; IPv6 left alone. */
static void
mapped(struct endpoint *ep)
{
	if (ep->family != AF_INET)
		return;
	memmove(ep->addr + 12, ep->addr, 4);
	memset(ep->addr, 0, 10);
	ep->addr[10] = ep->addr[11] = 0xff;
	ep->family = AF_INET6;
}

/* build -> parse gives back what went in, for both versions. */
static void
test_round_trip(void **state)
{
	static const struct {
		int		 af;
		const char	*addr;
	} addrs[] = {
		{ AF_INET, "127.0.0.2" }, { AF_INET, "0.0.0.0" },
		{ AF_INET, "255.255.255.255" }, { AF_INET6, "::1" },
		{ AF_INET6, "2001:db8:1:2:3:4:5:6" },
		{ AF_INET6, "::ffff:192.0.2.1" }, { AF_INET6, "fe80::1" },
	};
	static const uint16_t	ports[] = { 0, 1, 443, 65535 };
	struct proxyhdr_info	 info;
	struct proxyhdr		 h;
	struct endpoint		 ws, wd;
	uint8_t			 buf[PROXYHDR_MAX];
	size_t			 s, d, v;
	ssize_t			 n;
	char			*big;

	for (v = 1; v <= 2; v++)
	for (s = 0; s < sizeof addrs / sizeof addrs[0]; s++)
	for (d = 0; d < sizeof addrs / sizeof addrs[0]; d++) {
		memset(&info, 0, sizeof info);
		ep_set(&info.src, addrs[s].af, addrs[s].addr,
		    ports[(s + d) % 4]);
		ep_set(&info.dst, addrs[d].af, addrs[d].addr, ports[d % 4]);
		info.authority = "www.example.com";
		info.ssl = v == 2;
		info.ssl_version = "TLSv1.3";
		info.ssl_cipher = "TLS_AES_256_GCM_SHA384";
		n = proxyhdr_build((int)v, &info, buf, sizeof buf);
		assert_true(n > 0);
		valid(buf, (size_t)n, &h);
		assert_int_equal(h.version, (int)v);
		assert_int_equal(h.has_addrs, 1);
		/* Mixed families come back as IPv6, the IPv4 one mapped. */
		ws = info.src;
		wd = info.dst;
		if (ws.family != wd.family) {
			mapped(&ws);
			mapped(&wd);
		}
		assert_int_equal(endpoint_cmp(&h.src, &ws), 0);
		assert_int_equal(endpoint_cmp(&h.dst, &wd), 0);
	}

	/* Strings longer than a TLV holds are cut, and still parse. */
	big = malloc(70000);
	assert_non_null(big);
	memset(big, 'a', 69999);
	big[69999] = '\0';
	memset(&info, 0, sizeof info);
	ep_set(&info.src, AF_INET, "10.0.0.1", 1);
	ep_set(&info.dst, AF_INET, "10.0.0.2", 2);
	info.alpn = (const unsigned char *)big;
	info.alpn_len = 69999;
	info.authority = big;
	info.ssl = 1;
	info.client_cert = 1;
	info.ssl_version = big;
	info.ssl_cipher = big;
	info.ssl_cn = big;
	n = proxyhdr_build(2, &info, buf, sizeof buf);
	assert_true(n > 0 && n <= PROXYHDR_MAX);
	valid(buf, (size_t)n, &h);
	assert_int_equal(h.has_addrs, 1);
	free(big);

	/* LOCAL and UNKNOWN. */
	memset(&info, 0, sizeof info);
	for (v = 1; v <= 2; v++) {
		n = proxyhdr_build((int)v, &info, buf, sizeof buf);
		assert_true(n > 0);
		valid(buf, (size_t)n, &h);
		assert_int_equal(h.version, (int)v);
		assert_int_equal(h.has_addrs, 0);
	}
}

/* Null cause and a header followed by a second header. */
static void
test_misc(void **state)
{
	struct proxyhdr	 h;
	const char	*two = "PROXY UNKNOWN\r\nPROXY UNKNOWN\r\n";

	assert_int_equal(proxyhdr_parse(two, strlen(two), &h, NULL), 15);
	assert_int_equal(proxyhdr_parse("GET /", 5, &h, NULL), -1);
	assert_int_equal(proxyhdr_parse("", 0, &h, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_parse),
		cmocka_unit_test(test_v1_length),
		cmocka_unit_test(test_v1_malformed),
		cmocka_unit_test(test_v1_early),
		cmocka_unit_test(test_v2_parse),
		cmocka_unit_test(test_v2_malformed),
		cmocka_unit_test(test_v2_tlv_malformed),
		cmocka_unit_test(test_v2_build_bytes),
		cmocka_unit_test(test_v2_build_plain),
		cmocka_unit_test(test_v1_build),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_misc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
