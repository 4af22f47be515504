/*
 * Endpoint parsing, formatting, ordering and conversion, tested from
 * DESIGN.md and core/endpoint.h alone. Expected canonical forms are
 * computed independently: IPv4 by hand, IPv6 with the C library's
 * inet_pton()/inet_ntop() (which follow RFC 5952's compression rules), so a
 * mistake in endpoint.c cannot also be a mistake in the expectation.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/endpoint.h"

/* A small deterministic generator, so a failure can be replayed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void
parse_ok(const char *text, struct endpoint *ep)
{
	char	*cause = NULL;

	if (endpoint_parse(text, ep, &cause) != 0)
		fail_msg("endpoint_parse(\"%s\") failed: %s", text,
		    cause != NULL ? cause : "(no cause)");
	free(cause);
}

static void
format_is(const char *text, const char *want)
{
	struct endpoint	 ep;
	char		 buf[ENDPOINT_STRLEN];
	const char	*got;

	memset(&ep, 0xa5, sizeof ep);
	parse_ok(text, &ep);
	got = endpoint_format(&ep, buf);
	assert_ptr_equal(got, buf);
	if (strcmp(got, want) != 0)
		fail_msg("format(parse(\"%s\")) = \"%s\", want \"%s\"", text,
		    got, want);
}

static void
test_ipv4(void **state)
{
	struct endpoint	ep;

	parse_ok("10.56.65.200:443", &ep);
	assert_int_equal(ep.family, AF_INET);
	assert_int_equal(ep.addr[0], 10);
	assert_int_equal(ep.addr[1], 56);
	assert_int_equal(ep.addr[2], 65);
	assert_int_equal(ep.addr[3], 200);
	assert_int_equal(ep.port, 443);
	assert_true(endpoint_is_concrete(&ep));
	assert_false(endpoint_any_addr(&ep));
	assert_false(endpoint_any_port(&ep));

	format_is("10.56.65.200:443", "10.56.65.200:443");
	format_is("0.0.0.0:1", "0.0.0.0:1");
	format_is("255.255.255.255:65535", "255.255.255.255:65535");
	format_is("127.0.0.2:8443", "127.0.0.2:8443");
}

static void
test_ipv6(void **state)
{
	struct endpoint	ep;
	static const uint8_t	loop[16] = { [15] = 1 };

	parse_ok("[::1]:443", &ep);
	assert_int_equal(ep.family, AF_INET6);
	assert_memory_equal(ep.addr, loop, 16);
	assert_int_equal(ep.port, 443);
	assert_true(endpoint_is_concrete(&ep));

	/* The same address in many spellings: one canonical form. */
	format_is("[::1]:443", "[::1]:443");
	format_is("[0:0:0:0:0:0:0:1]:443", "[::1]:443");
	format_is("[0000:0000:0000:0000:0000:0000:0000:0001]:443",
	    "[::1]:443");
	format_is("[0::0:1]:443", "[::1]:443");
	format_is("[2001:db8::1]:443", "[2001:db8::1]:443");
	format_is("[2001:DB8::1]:443", "[2001:db8::1]:443");
	format_is("[2001:0db8:0000:0000:0000:0000:0000:0001]:443",
	    "[2001:db8::1]:443");
	/* RFC 5952 4.2.2: one zero field is not compressed. */
	format_is("[2001:db8:0:1:1:1:1:1]:80", "[2001:db8:0:1:1:1:1:1]:80");
	/* 4.2.3: the longest run is compressed, the first on a tie. */
	format_is("[2001:0:0:1:0:0:0:1]:80", "[2001:0:0:1::1]:80");
	format_is("[2001:db8:0:0:1:0:0:1]:80", "[2001:db8::1:0:0:1]:80");
	format_is("[::]:443", "[::]:443");
	format_is("[fe80::abcd:EF01]:8443", "[fe80::abcd:ef01]:8443");
	format_is("[2001:db8::1]:*", "[2001:db8::1]:*");
}

static void
test_wildcards(void **state)
{
	struct endpoint	ep;

	parse_ok("*:443", &ep);
	assert_true(endpoint_any_addr(&ep));
	assert_false(endpoint_any_port(&ep));
	assert_false(endpoint_is_concrete(&ep));
	assert_int_equal(ep.family, AF_UNSPEC);
	assert_int_equal(ep.port, 443);
	format_is("*:443", "*:443");

	parse_ok("10.0.0.1:*", &ep);
	assert_false(endpoint_any_addr(&ep));
	assert_true(endpoint_any_port(&ep));
	assert_false(endpoint_is_concrete(&ep));
	assert_int_equal(ep.family, AF_INET);
	assert_int_equal(ep.port, 0);
	format_is("10.0.0.1:*", "10.0.0.1:*");

	parse_ok("*:*", &ep);
	assert_true(endpoint_any_addr(&ep));
	assert_true(endpoint_any_port(&ep));
	assert_false(endpoint_is_concrete(&ep));
	format_is("*:*", "*:*");
}

/* Text that must be refused, with a cause that quotes it. */
static void
parse_bad(const char *text, int quotes)
{
	struct endpoint	 ep;
	char		*cause = NULL;

	if (endpoint_parse(text, &ep, &cause) == 0)
		fail_msg("endpoint_parse(\"%s\") accepted bad text", text);
	if (cause == NULL || *cause == '\0')
		fail_msg("endpoint_parse(\"%s\"): no cause", text);
	if (quotes && strstr(cause, text) == NULL)
		fail_msg("cause for \"%s\" does not quote it: %s", text, cause);
	free(cause);

	/* A NULL cause is allowed and must not crash. */
	assert_int_equal(endpoint_parse(text, &ep, NULL), -1);
}

static void
test_invalid(void **state)
{
	static const char *bad[] = {
		"10.0.0.256:443",	/* octet out of range */
		"[::1:443",		/* unclosed bracket */
		"::1]:443",
		":443",			/* no address */
		"1.2.3.4:0",		/* port 0 */
		"1.2.3.4:65536",	/* port too big */
		"1.2.3.4:99999999999999999999",
		"1.2.3.4:-1",
		"1.2.3.4:443x",		/* trailing junk */
		"1.2.3.4:443 ",
		"[::1]:443]",
		"1.2.3.4",		/* no port */
		"1.2.3.4:",
		"[::1]",
		"[::1]443",
		"[1.2.3.4]:443",	/* IPv4 in brackets */
		"::1:443",		/* IPv6 without brackets */
		"2001:db8::1:443",
		"1.2.3:443",
		"1.2.3.4.5:443",
		"localhost:443",	/* names are not addresses */
		"010.0.0.1:443",	/* leading zero: octal or decimal? */
		" 1.2.3.4:443",		/* leading space */
		"1.2.3.4 :443",
		"1.2.3.4:4 43",
		"[:::1]:443",
		"[2001:db8::1::2]:443",
		"[12345::1]:443",
		"**:443",
		"*",
		"*:",
		"*:0",
		"1.2.3.4:**",
		"[*]:443",
	};
	size_t	i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		parse_bad(bad[i], 1);
	parse_bad("", 0);
}

/* A control character in bad text must reach the cause escaped. */
static void
test_invalid_escaped(void **state)
{
	struct endpoint	 ep;
	char		*cause = NULL;
	const char	*p;

	assert_int_equal(endpoint_parse("1.2.3.4:44\x1b[2J3", &ep, &cause), -1);
	assert_non_null(cause);
	assert_null(strchr(cause, '\x1b'));
	for (p = cause; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	/* It still says which text it was. */
	assert_non_null(strstr(cause, "1.2.3.4:44"));
	free(cause);
}

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

static void
test_cmp(void **state)
{
	struct endpoint	a, b;

	parse_ok("[0:0:0:0:0:0:0:1]:443", &a);
	parse_ok("[::1]:443", &b);
	assert_int_equal(endpoint_cmp(&a, &b), 0);

	parse_ok("[2001:DB8:0::1]:443", &a);
	parse_ok("[2001:db8::1]:443", &b);
	assert_int_equal(endpoint_cmp(&a, &b), 0);

	/* Address before port. */
	parse_ok("10.0.0.1:443", &a);
	parse_ok("10.0.0.2:80", &b);
	assert_true(endpoint_cmp(&a, &b) < 0);
	assert_true(endpoint_cmp(&b, &a) > 0);

	parse_ok("10.0.0.1:80", &a);
	parse_ok("10.0.0.1:443", &b);
	assert_true(endpoint_cmp(&a, &b) < 0);

	/* Address bytes compared as unsigned bytes. */
	parse_ok("9.0.0.1:443", &a);
	parse_ok("200.0.0.1:443", &b);
	assert_true(endpoint_cmp(&a, &b) < 0);

	/* An IPv4-mapped address is read as the IPv4 address. */
	parse_ok("[::ffff:127.0.0.1]:443", &a);
	parse_ok("127.0.0.1:443", &b);
	assert_int_equal(endpoint_cmp(&a, &b), 0);

	/* "*" is not the unspecified address. */
	parse_ok("*:443", &a);
	parse_ok("0.0.0.0:443", &b);
	assert_int_not_equal(endpoint_cmp(&a, &b), 0);
	parse_ok("*:443", &b);
	assert_int_equal(endpoint_cmp(&a, &b), 0);
	parse_ok("10.0.0.1:*", &a);
	parse_ok("10.0.0.1:*", &b);
	assert_int_equal(endpoint_cmp(&a, &b), 0);
}

/* A random endpoint; IPv6 addresses rich in zero fields. */
static void
random_endpoint(struct endpoint *ep, char *text, size_t len)
{
	char	addr[INET6_ADDRSTRLEN];
	char	port[8];
	uint8_t	bytes[16];
	int	i, kind = rng() % 8;

	memset(bytes, 0, sizeof bytes);
	if (kind == 0)
		snprintf(addr, sizeof addr, "*");
	else if (kind < 4) {
		for (i = 0; i < 4; i++)
			bytes[i] = rng();
		inet_ntop(AF_INET, bytes, addr, sizeof addr);
	} else {
		for (i = 0; i < 8; i++) {
			if (rng() % 2 == 0)
				continue;
			bytes[2 * i] = (rng() % 3 == 0) ? rng() : 0;
			bytes[2 * i + 1] = rng();
		}
		addr[0] = '[';
		inet_ntop(AF_INET6, bytes, addr + 1, sizeof addr - 2);
		strcat(addr, "]");
	}
	if (rng() % 6 == 0)
		snprintf(port, sizeof port, "*");
	else
		snprintf(port, sizeof port, "%u", 1 + rng() % 65535);
	snprintf(text, len, "%s:%s", addr, port);
	parse_ok(text, ep);
}

/*
 * Whether glibc may print this IPv6 address in mixed notation
 * ("::1.2.3.4"), a representation RFC 5952 leaves open for these.
 */
static int
mixed_notation(const struct endpoint *ep)
{
	int	i;

	if (ep->family != AF_INET6)
		return 0;
	for (i = 0; i < 10; i++)
		if (ep->addr[i] != 0)
			return 0;
	return 1;
}

static void
test_format_round_trip(void **state)
{
	struct endpoint	a, b;
	char		text[128], buf[ENDPOINT_STRLEN], buf2[ENDPOINT_STRLEN];
	int		i;

	for (i = 0; i < 20000; i++) {
		random_endpoint(&a, text, sizeof text);
		endpoint_format(&a, buf);
		/* The text was made canonical by inet_ntop. */
		if (!mixed_notation(&a) && strncmp(text, "[::ffff:", 8) != 0 &&
		    strcmp(buf, text) != 0)
			fail_msg("format(parse(\"%s\")) = \"%s\"", text, buf);
		parse_ok(buf, &b);
		if (endpoint_cmp(&a, &b) != 0)
			fail_msg("\"%s\" -> \"%s\" does not parse back equal",
			    text, buf);
		endpoint_format(&b, buf2);
		assert_string_equal(buf, buf2);
		assert_true(strlen(buf) < ENDPOINT_STRLEN);
	}
}

/* endpoint_cmp is a total order: antisymmetric and transitive. */
static void
test_cmp_order(void **state)
{
	enum { N = 300 };
	struct endpoint	*v;
	char		 text[128];
	int		 i, j, k, n, ij, jk;

	v = calloc(N, sizeof *v);
	assert_non_null(v);
	for (i = 0; i < N; i++)
		random_endpoint(&v[i], text, sizeof text);
	/* Some duplicates, so that 0 is exercised. */
	for (i = 0; i < N / 10; i++)
		v[rng() % N] = v[rng() % N];
	for (i = 0; i < N; i++) {
		assert_int_equal(endpoint_cmp(&v[i], &v[i]), 0);
		for (j = 0; j < N; j++) {
			ij = sign(endpoint_cmp(&v[i], &v[j]));
			assert_int_equal(ij, -sign(endpoint_cmp(&v[j], &v[i])));
			/* Equal exactly when the canonical texts are equal. */
			{
				char	x[ENDPOINT_STRLEN], y[ENDPOINT_STRLEN];

				endpoint_format(&v[i], x);
				endpoint_format(&v[j], y);
				assert_int_equal(ij == 0, strcmp(x, y) == 0);
			}
		}
	}
	for (n = 0; n < 20000; n++) {
		i = rng() % N;
		j = rng() % N;
		k = rng() % N;
		ij = sign(endpoint_cmp(&v[i], &v[j]));
		jk = sign(endpoint_cmp(&v[j], &v[k]));
		if (ij <= 0 && jk <= 0)
			assert_true(endpoint_cmp(&v[i], &v[k]) <= 0);
	}
	free(v);
}

static int
overlaps(const char *pattern, const char *ep)
{
	struct endpoint	a, b;

	parse_ok(pattern, &a);
	parse_ok(ep, &b);
	return endpoint_overlaps(&a, &b) ? 1 : 0;
}

static void
test_overlaps(void **state)
{
	assert_int_equal(overlaps("10.0.0.1:443", "10.0.0.1:443"), 1);
	assert_int_equal(overlaps("[::1]:443", "[0:0::1]:443"), 1);
	assert_int_equal(overlaps("10.0.0.1:443", "10.0.0.2:443"), 0);
	assert_int_equal(overlaps("10.0.0.1:443", "10.0.0.1:444"), 0);
	assert_int_equal(overlaps("10.0.0.1:443", "[::1]:443"), 0);

	/* "*" in the pattern covers anything in its place. */
	assert_int_equal(overlaps("*:443", "10.0.0.1:443"), 1);
	assert_int_equal(overlaps("*:443", "[2001:db8::1]:443"), 1);
	assert_int_equal(overlaps("*:443", "10.0.0.1:80"), 0);
	assert_int_equal(overlaps("10.0.0.1:*", "10.0.0.1:80"), 1);
	assert_int_equal(overlaps("10.0.0.1:*", "10.0.0.2:80"), 0);
	assert_int_equal(overlaps("*:*", "10.0.0.1:80"), 1);
	assert_int_equal(overlaps("*:*", "[::1]:1"), 1);

	/* "*" in ep means any: a binding applies to a listener on *:P. */
	assert_int_equal(overlaps("10.0.0.1:443", "*:443"), 1);
	assert_int_equal(overlaps("10.0.0.1:443", "*:80"), 0);
	assert_int_equal(overlaps("10.0.0.1:443", "10.0.0.1:*"), 1);
	assert_int_equal(overlaps("10.0.0.1:443", "*:*"), 1);
	assert_int_equal(overlaps("*:443", "*:443"), 1);
	assert_int_equal(overlaps("*:443", "*:80"), 0);
	assert_int_equal(overlaps("*:*", "*:*"), 1);
}

static void
test_sockaddr_v4(void **state)
{
	struct endpoint		 a, b;
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	socklen_t		 len;

	parse_ok("127.0.0.2:8443", &a);
	memset(&ss, 0xff, sizeof ss);
	len = endpoint_to_sockaddr(&a, &ss);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 8443);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x7f000002);

	memset(&b, 0, sizeof b);
	assert_int_equal(endpoint_from_sockaddr((struct sockaddr *)&ss, len,
	    &b), 0);
	assert_int_equal(endpoint_cmp(&a, &b), 0);
}

static void
test_sockaddr_v6(void **state)
{
	struct endpoint		 a, b;
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct in6_addr		 want;
	socklen_t		 len;

	parse_ok("[2001:db8::7]:443", &a);
	len = endpoint_to_sockaddr(&a, &ss);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 443);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::7", &want), 1);
	assert_memory_equal(&sin6->sin6_addr, &want, 16);
	assert_int_equal(endpoint_from_sockaddr((struct sockaddr *)&ss, len,
	    &b), 0);
	assert_int_equal(endpoint_cmp(&a, &b), 0);

	/* "*" becomes the IPv6 any address, "*" port becomes 0. */
	parse_ok("*:8443", &a);
	len = endpoint_to_sockaddr(&a, &ss);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 8443);
	assert_memory_equal(&sin6->sin6_addr, &in6addr_any, 16);
	parse_ok("*:*", &a);
	len = endpoint_to_sockaddr(&a, &ss);
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(sin6->sin6_port, 0);
	parse_ok("10.0.0.1:*", &a);
	len = endpoint_to_sockaddr(&a, &ss);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(((struct sockaddr_in *)&ss)->sin_port, 0);
}

/* An accepted dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d. */
static void
test_sockaddr_v4mapped(void **state)
{
	struct sockaddr_in6	sin6;
	struct endpoint		a, b;

	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(8443);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.3",
	    &sin6.sin6_addr), 1);
	assert_int_equal(endpoint_from_sockaddr((struct sockaddr *)&sin6,
	    sizeof sin6, &a), 0);
	parse_ok("127.0.0.3:8443", &b);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(endpoint_cmp(&a, &b), 0);

	/* Not v4-mapped: stays IPv6. */
	assert_int_equal(inet_pton(AF_INET6, "::1", &sin6.sin6_addr), 1);
	assert_int_equal(endpoint_from_sockaddr((struct sockaddr *)&sin6,
	    sizeof sin6, &a), 0);
	assert_int_equal(a.family, AF_INET6);
	parse_ok("[::1]:8443", &b);
	assert_int_equal(endpoint_cmp(&a, &b), 0);
}

static void
test_sockaddr_bad(void **state)
{
	struct sockaddr_storage	ss;
	struct endpoint		ep;

	memset(&ss, 0, sizeof ss);
	ss.ss_family = AF_UNIX;
	assert_int_equal(endpoint_from_sockaddr((struct sockaddr *)&ss,
	    sizeof ss, &ep), -1);
	/* A length too short for the family. */
	ss.ss_family = AF_INET6;
	assert_int_equal(endpoint_from_sockaddr((struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in) - 1, &ep), -1);
}

/*
 * A reference parser written from the grammar in endpoint.h, on the C
 * library's inet_pton() for the addresses: "[" IPv6 "]" or IPv4 or "*",
 * then ":", then 1-65535 in decimal or "*".
 */
static int
ref_parse(const char *s, struct endpoint *ep)
{
	const char	*colon, *close, *port;
	char		 addr[80];
	size_t		 alen, i;
	long		 v;

	memset(ep, 0, sizeof *ep);
	if (s[0] == '[') {
		if ((close = strchr(s, ']')) == NULL || close[1] != ':')
			return -1;
		alen = close - s - 1;
		if (alen == 0 || alen >= sizeof addr)
			return -1;
		memcpy(addr, s + 1, alen);
		addr[alen] = '\0';
		if (inet_pton(AF_INET6, addr, ep->addr) != 1)
			return -1;
		ep->family = AF_INET6;
		/*
		 * certbind reads an IPv4-mapped address as the IPv4 address,
		 * as endpoint_from_sockaddr() does: a dual-stack socket sees
		 * IPv4 clients that way.
		 */
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)ep->addr)) {
			memmove(ep->addr, ep->addr + 12, 4);
			memset(ep->addr + 4, 0, 12);
			ep->family = AF_INET;
		}
		colon = close + 1;
	} else if (s[0] == '*' && s[1] == ':') {
		ep->family = AF_UNSPEC;
		colon = s + 1;
	} else {
		if ((colon = strchr(s, ':')) == NULL)
			return -1;
		alen = colon - s;
		if (alen == 0 || alen >= sizeof addr)
			return -1;
		memcpy(addr, s, alen);
		addr[alen] = '\0';
		if (inet_pton(AF_INET, addr, ep->addr) != 1)
			return -1;
		ep->family = AF_INET;
	}
	port = colon + 1;
	if (strcmp(port, "*") == 0)
		return 0;
	if (*port == '\0' || strlen(port) > 5)
		return -1;
	for (i = 0; port[i] != '\0'; i++)
		if (port[i] < '0' || port[i] > '9')
			return -1;
	v = strtol(port, NULL, 10);
	if (v < 1 || v > 65535)
		return -1;
	ep->port = v;
	return 0;
}

/* Whether the grammar leaves the text's fate open: a port with leading
 * zeros may be read as decimal or refused. */
static int
ambiguous(const char *s)
{
	const char	*p = strrchr(s, ':');

	return p != NULL && p[1] == '0' && p[2] != '\0';
}

static void
mutate(char *s, size_t size)
{
	static const char alphabet[] = "0123456789abcdefABCDEF:.[]*%+- x";
	size_t	len = strlen(s), at;
	int	n, k;

	for (n = 1 + rng() % 3; n > 0; n--) {
		len = strlen(s);
		at = len ? rng() % (len + 1) : 0;
		switch (rng() % 4) {
		case 0:		/* delete */
			if (at < len)
				memmove(s + at, s + at + 1, len - at);
			break;
		case 1:		/* insert */
			if (len + 2 < size) {
				memmove(s + at + 1, s + at, len - at + 1);
				s[at] = alphabet[rng() % (sizeof alphabet - 1)];
			}
			break;
		case 2:		/* replace */
			if (at < len)
				s[at] = alphabet[rng() % (sizeof alphabet - 1)];
			break;
		default:	/* repeat a piece */
			k = 1 + rng() % 4;
			if (at + k <= len && len + k + 1 < size) {
				memmove(s + at + k, s + at, len - at + 1);
			}
			break;
		}
	}
}

static void
test_differential(void **state)
{
	struct endpoint	 a, b;
	char		 text[160], *cause;
	int		 i, ra, rb, accepted = 0, refused = 0;

	for (i = 0; i < 200000; i++) {
		random_endpoint(&a, text, 100);
		if (rng() % 8 == 0) {
			/* IPv6 with an embedded IPv4 address. */
			snprintf(text, 100, "[%s:%u.%u.%u.%u]:%u",
			    rng() % 2 ? "::ffff" : "64:ff9b:", rng() % 256,
			    rng() % 256, rng() % 256, rng() % 256,
			    1 + rng() % 65535);
		}
		mutate(text, sizeof text);
		if (ambiguous(text))
			continue;
		cause = NULL;
		ra = endpoint_parse(text, &a, &cause);
		rb = ref_parse(text, &b);
		if (ra != rb)
			fail_msg("\"%s\": endpoint_parse says %d, the grammar "
			    "%d (%s)", text, ra, rb, cause ? cause : "");
		if (ra == 0) {
			accepted++;
			assert_int_equal(a.family, b.family);
			assert_int_equal(a.port, b.port);
			if (a.family == AF_INET)
				assert_memory_equal(a.addr, b.addr, 4);
			else if (a.family == AF_INET6)
				assert_memory_equal(a.addr, b.addr, 16);
		} else {
			refused++;
			assert_non_null(cause);
		}
		free(cause);
	}
	print_message("# %d accepted, %d refused\n", accepted, refused);
	assert_true(accepted > 1000 && refused > 1000);
}

/* Whether this test process can bind the address itself. */
static int
can_bind(int family, const char *addr)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			s, r;

	memset(&ss, 0, sizeof ss);
	if (family == AF_INET) {
		struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &sin->sin_addr);
		len = sizeof *sin;
	} else {
		struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &sin6->sin6_addr);
		len = sizeof *sin6;
	}
	if ((s = socket(family, SOCK_STREAM, 0)) == -1)
		return -1;
	r = bind(s, (struct sockaddr *)&ss, len);
	close(s);
	return r == 0;
}

static void
test_addr_is_local(void **state)
{
	struct endpoint	ep;

	/* 127.0.0.2 is local on Linux though no interface lists it. */
	parse_ok("127.0.0.2:8443", &ep);
	assert_int_equal(endpoint_addr_is_local(&ep), 1);
	parse_ok("127.0.0.1:*", &ep);
	assert_int_equal(endpoint_addr_is_local(&ep), 1);
	parse_ok("*:443", &ep);
	assert_int_equal(endpoint_addr_is_local(&ep), 1);

	/* TEST-NET-1 is on no interface of a test machine. */
	parse_ok("192.0.2.1:443", &ep);
	if (can_bind(AF_INET, "192.0.2.1") == 0)
		assert_int_equal(endpoint_addr_is_local(&ep), 0);
	parse_ok("[2001:db8::1]:443", &ep);
	if (can_bind(AF_INET6, "2001:db8::1") == 0)
		assert_int_equal(endpoint_addr_is_local(&ep), 0);
	parse_ok("[::1]:443", &ep);
	if (can_bind(AF_INET6, "::1") == 1)
		assert_int_equal(endpoint_addr_is_local(&ep), 1);
}

/* Address blocks for --assume-addresses: parse, refuse, match. */
static void
test_prefix(void **state)
{
	struct endpoint	 net, ep;
	unsigned	 bits;
	char		*cause = NULL;

	assert_int_equal(endpoint_parse_prefix("10.56.65.0/24", &net, &bits,
	    NULL), 0);
	assert_int_equal(bits, 24);
	assert_int_equal(endpoint_parse_addr("10.56.65.201", &ep, NULL), 0);
	assert_true(endpoint_in_prefix(&ep, &net, bits));
	assert_int_equal(endpoint_parse_addr("10.56.66.1", &ep, NULL), 0);
	assert_false(endpoint_in_prefix(&ep, &net, bits));
	/* A bare address is all its bits; /0 holds every address. */
	assert_int_equal(endpoint_parse_prefix("10.56.66.1", &net, &bits,
	    NULL), 0);
	assert_int_equal(bits, 32);
	assert_true(endpoint_in_prefix(&ep, &net, bits));
	assert_int_equal(endpoint_parse_prefix("0.0.0.0/0", &net, &bits,
	    NULL), 0);
	assert_true(endpoint_in_prefix(&ep, &net, bits));
	/* Families do not mix, even ::ffff:10.56.66.1. */
	assert_int_equal(endpoint_parse_prefix("::ffff:10.56.66.0/120", &net,
	    &bits, NULL), 0);
	assert_false(endpoint_in_prefix(&ep, &net, bits));
	assert_int_equal(endpoint_parse_prefix("2001:db8::/32", &net, &bits,
	    NULL), 0);
	assert_int_equal(endpoint_parse_addr("2001:db8:1::5", &ep, NULL), 0);
	assert_true(endpoint_in_prefix(&ep, &net, bits));
	assert_int_equal(endpoint_parse_addr("2001:db9::5", &ep, NULL), 0);
	assert_false(endpoint_in_prefix(&ep, &net, bits));
	/* Refused, each with its reason. */
	assert_int_equal(endpoint_parse_prefix("10.0.0.1/8", &net, &bits,
	    &cause), -1);
	assert_non_null(strstr(cause, "bits set past the prefix length 8"));
	free(cause);
	assert_int_equal(endpoint_parse_prefix("10.0.0.0/33", &net, &bits,
	    &cause), -1);
	assert_non_null(strstr(cause, "0 to 32"));
	free(cause);
	assert_int_equal(endpoint_parse_prefix("2001:db8::/129", &net, &bits,
	    &cause), -1);
	assert_non_null(strstr(cause, "0 to 128"));
	free(cause);
	assert_int_equal(endpoint_parse_prefix("10.0.0.0/", &net, &bits,
	    &cause), -1);
	free(cause);
	assert_int_equal(endpoint_parse_prefix("10.0.0.0/-1", &net, &bits,
	    &cause), -1);
	free(cause);
	assert_int_equal(endpoint_parse_prefix("nonsense/8", &net, &bits,
	    &cause), -1);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_invalid_escaped),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_cmp_order),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_sockaddr_v4),
		cmocka_unit_test(test_sockaddr_v6),
		cmocka_unit_test(test_sockaddr_v4mapped),
		cmocka_unit_test(test_sockaddr_bad),
		cmocka_unit_test(test_addr_is_local),
		cmocka_unit_test(test_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
