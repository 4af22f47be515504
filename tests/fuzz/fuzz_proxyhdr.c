/*
 * PROXY protocol parser: never crashes or reads past the length it is
 * given (the input is exactly len bytes, so ASan sees any overread), and
 * its answers agree with each other: a refusal comes with a cause and is
 * final (more bytes never make it valid), a header's length is the same
 * whatever follows it, a prefix of a header asks for more, and what it
 * parsed builds back into a header that parses to the same addresses.
 * The writer is fed the same bytes as addresses and strings, and what it
 * writes must parse.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "core/proxyhdr.h"
#include "tests/fuzz/fuzz.h"

static void
check_parse(const uint8_t *data, size_t len)
{
	struct proxyhdr		 h, h2;
	struct proxyhdr_info	 info;
	const char		*cause = NULL;
	uint8_t			 buf[PROXYHDR_MAX];
	ssize_t			 r, r2, n;

	r = proxyhdr_parse(data, len, &h, &cause);
	FUZZ_ASSERT(r >= -1);
	if (r == -1) {
		FUZZ_ASSERT(cause != NULL);
		return;
	}
	if (r == 0) {
		FUZZ_ASSERT(len < PROXYHDR_MAX);
		return;
	}
	FUZZ_ASSERT((size_t)r <= len && r <= PROXYHDR_MAX);
	FUZZ_ASSERT(h.version == 1 || h.version == 2);
	/* The header alone, and one byte less. */
	FUZZ_ASSERT(proxyhdr_parse(data, (size_t)r, &h2, &cause) == r);
	FUZZ_ASSERT(h2.version == h.version && h2.has_addrs == h.has_addrs);
	FUZZ_ASSERT(endpoint_cmp(&h.src, &h2.src) == 0);
	FUZZ_ASSERT(endpoint_cmp(&h.dst, &h2.dst) == 0);
	FUZZ_ASSERT(proxyhdr_parse(data, (size_t)r - 1, &h2, &cause) == 0);
	FUZZ_ASSERT(proxyhdr_parse(data, len / 2, &h2, &cause) ==
	    ((size_t)r <= len / 2 ? r : 0));

	/* Build what was parsed and parse it again. */
	memset(&info, 0, sizeof info);
	if (h.has_addrs) {
		FUZZ_ASSERT(h.src.family == AF_INET ||
		    h.src.family == AF_INET6);
		FUZZ_ASSERT(h.src.family == h.dst.family);
		info.src = h.src;
		info.dst = h.dst;
	}
	n = proxyhdr_build(h.version, &info, buf, sizeof buf);
	FUZZ_ASSERT(n > 0);
	r2 = proxyhdr_parse(buf, (size_t)n, &h2, &cause);
	FUZZ_ASSERT(r2 == n);
	FUZZ_ASSERT(h2.has_addrs == h.has_addrs);
	if (h.has_addrs) {
		FUZZ_ASSERT(endpoint_cmp(&h.src, &h2.src) == 0);
		FUZZ_ASSERT(endpoint_cmp(&h.dst, &h2.dst) == 0);
	}
}

/* Refusal is final: a prefix that is refused stays refused. */
static void
check_prefix(const uint8_t *data, size_t len)
{
	const char	*cause;
	struct proxyhdr	 h;
	size_t		 cut;

	if (len < 2)
		return;
	cut = data[0] % len;
	if (proxyhdr_parse(data, cut, &h, &cause) == -1)
		FUZZ_ASSERT(proxyhdr_parse(data, len, &h, &cause) == -1);
}

/* A nul-terminated copy of at most n bytes of data from off. */
static char *
str_of(const uint8_t *data, size_t len, size_t off, size_t n)
{
	char	*s;

	if (off > len)
		off = len;
	if (n > len - off)
		n = len - off;
	s = malloc(n + 1);
	memcpy(s, data + off, n);
	s[n] = '\0';
	return s;
}

static void
check_build(const uint8_t *data, size_t len)
{
	static const int	 fams[] = { AF_UNSPEC, AF_INET, AF_INET6 };
	struct proxyhdr_info	 info;
	struct proxyhdr		 h;
	const char		*cause;
	uint8_t			 buf[PROXYHDR_MAX];
	char			*auth, *cn, *ver, *ciph;
	ssize_t			 n, r;
	int			 v;

	if (len < 40)
		return;
	memset(&info, 0, sizeof info);
	info.src.family = fams[data[0] % 3];
	info.dst.family = info.src.family == AF_UNSPEC ? AF_UNSPEC :
	    fams[1 + data[1] % 2];
	memcpy(info.src.addr, data + 2, 16);
	memcpy(info.dst.addr, data + 18, 16);
	info.src.port = (uint16_t)(data[34] << 8 | data[35]);
	info.dst.port = (uint16_t)(data[36] << 8 | data[37]);
	info.ssl = data[38] & 1;
	info.client_cert = data[38] & 2;
	info.verify = data[39];
	info.alpn = data + 40;
	info.alpn_len = (len - 40) / 2;
	auth = str_of(data, len, 40, 300);
	cn = str_of(data, len, 50, 70);
	ver = str_of(data, len, 41, 8);
	ciph = str_of(data, len, 42, 30);
	info.authority = auth;
	info.ssl_cn = cn;
	info.ssl_version = ver;
	info.ssl_cipher = ciph;
	for (v = 1; v <= 2; v++) {
		n = proxyhdr_build(v, &info, buf, sizeof buf);
		FUZZ_ASSERT(n > 0 && n <= PROXYHDR_MAX);
		r = proxyhdr_parse(buf, (size_t)n, &h, &cause);
		FUZZ_ASSERT(r == n);
		FUZZ_ASSERT(h.version == v);
		FUZZ_ASSERT(h.has_addrs == (info.src.family != AF_UNSPEC));
		/* Too small a buffer is refused. */
		FUZZ_ASSERT(proxyhdr_build(v, &info, buf, (size_t)n - 1) ==
		    -1);
	}
	free(auth);
	free(cn);
	free(ver);
	free(ciph);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	check_parse(data, len);
	check_prefix(data, len);
	check_build(data, len);
	return 0;
}
