/*
 * Endpoint text and its canonical binary form. Parsing is strict and every
 * error quotes the text it refused, escaped, because endpoints come from
 * config files and command lines. An IPv4-mapped IPv6 address is stored as
 * IPv4: that is how a dual-stack socket reports an IPv4 client, and a
 * binding must compare equal to what getsockname() says.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/endpoint.h"
#include "util/escape.h"
#include "util/xmalloc.h"

static const uint8_t v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static int
fail(char **cause, const char *text, const char *why)
{
	char	*e;

	if (cause != NULL) {
		e = escape_str(text, 0);
		*cause = xasprintf("bad endpoint '%s': %s", e, why);
		free(e);
	}
	return -1;
}

static int
parse_port(const char *s, uint16_t *port)
{
	unsigned long	 v = 0;
	size_t		 i;

	if (strcmp(s, "*") == 0) {
		*port = 0;
		return 0;
	}
	if (s[0] == '\0' || strlen(s) > 5)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static void
canonicalize(struct endpoint *ep)
{
	if (ep->family == AF_INET6 &&
	    memcmp(ep->addr, v4mapped_prefix, sizeof v4mapped_prefix) == 0) {
		ep->family = AF_INET;
		memmove(ep->addr, ep->addr + 12, 4);
		memset(ep->addr + 4, 0, 12);
	}
}

/*
 * The one reading of an IP address: IPv4 as a dotted quad, IPv6 bare or
 * in brackets. Returns NULL, or why the text is not an address. ep's
 * address and family are set; an IPv4-mapped address stays IPv6 here (a
 * certificate's address bytes are kept as given), endpoint_parse()
 * canonicalizes after.
 */
static const char *
addr_parse(const char *text, struct endpoint *ep)
{
	char		 buf[INET6_ADDRSTRLEN + 1];
	size_t		 len = strlen(text);

	if (text[0] == '[') {
		if (len < 3 || text[len - 1] != ']' ||
		    len - 2 >= sizeof buf)
			return "not an IPv6 address";
		memcpy(buf, text + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, ep->addr) != 1)
			return "not an IPv6 address";
		ep->family = AF_INET6;
		return NULL;
	}
	if (strchr(text, ':') != NULL) {
		if (inet_pton(AF_INET6, text, ep->addr) != 1)
			return "not an IPv6 address";
		ep->family = AF_INET6;
		return NULL;
	}
	if (inet_pton(AF_INET, text, ep->addr) != 1)
		return "not an IPv4 address";
	ep->family = AF_INET;
	return NULL;
}

int
endpoint_parse_addr(const char *text, struct endpoint *ep, char **cause)
{
	const char	*why;
	char		*e;

	memset(ep, 0, sizeof *ep);
	ep->family = AF_UNSPEC;
	if (text == NULL || *text == '\0')
		why = "empty; expected an IP address";
	else
		why = addr_parse(text, ep);
	if (why == NULL)
		return 0;
	memset(ep, 0, sizeof *ep);
	ep->family = AF_UNSPEC;
	if (cause != NULL) {
		e = escape_str(text, 0);
		*cause = xasprintf("bad address '%s': %s", e, why);
		free(e);
	}
	return -1;
}

int
endpoint_parse_prefix(const char *text, struct endpoint *net, unsigned *bits,
    char **cause)
{
	const char	*slash;
	char		*addr, *end, *e;
	unsigned long	 n;
	unsigned	 max, i;
	int		 rc = -1;

	slash = text != NULL ? strchr(text, '/') : NULL;
	addr = slash != NULL ? xstrndup(text, (size_t)(slash - text)) :
	    xstrdup(text != NULL ? text : "");
	if (endpoint_parse_addr(addr, net, cause) != 0)
		goto out;
	max = net->family == AF_INET ? 32 : 128;
	*bits = max;
	if (slash != NULL) {
		errno = 0;
		n = strtoul(slash + 1, &end, 10);
		if (slash[1] < '0' || slash[1] > '9' || *end != '\0' ||
		    errno != 0 || n > max) {
			if (cause != NULL) {
				e = escape_str(text, 0);
				*cause = xasprintf("bad address block '%s': the "
				    "prefix length after '/' must be 0 to %u",
				    e, max);
				free(e);
			}
			goto out;
		}
		*bits = (unsigned)n;
	}
	for (i = *bits; i < max; i++) {
		if (net->addr[i / 8] & (0x80 >> (i % 8))) {
			if (cause != NULL) {
				e = escape_str(text, 0);
				*cause = xasprintf("bad address block '%s': it "
				    "has bits set past the prefix length %u",
				    e, *bits);
				free(e);
			}
			goto out;
		}
	}
	rc = 0;
out:
	free(addr);
	return rc;
}

int
endpoint_in_prefix(const struct endpoint *ep, const struct endpoint *net,
    unsigned bits)
{
	unsigned	i;

	if (ep->family != net->family)
		return 0;
	for (i = 0; i < bits; i++) {
		if ((ep->addr[i / 8] ^ net->addr[i / 8]) & (0x80 >> (i % 8)))
			return 0;
	}
	return 1;
}

int
endpoint_parse(const char *text, struct endpoint *ep, char **cause)
{
	/* Room for the brackets around the longest IPv6 text. */
	char		 addr[INET6_ADDRSTRLEN + 3];
	const char	*colon, *close, *port, *why;
	size_t		 alen;

	memset(ep, 0, sizeof *ep);
	ep->family = AF_UNSPEC;
	if (text == NULL || *text == '\0')
		return fail(cause, "", "empty; expected ADDRESS:PORT");

	if (text[0] == '[') {
		if ((close = strchr(text, ']')) == NULL)
			return fail(cause, text, "'[' without a closing ']'");
		if (close[1] != ':')
			return fail(cause, text,
			    "expected ':PORT' after the bracketed address");
		alen = (size_t)(close + 1 - text);
		port = close + 2;
	} else {
		if ((colon = strchr(text, ':')) == NULL)
			return fail(cause, text, "no ':PORT' (use ADDRESS:PORT, "
			    "'*' for all unassigned)");
		if (strchr(colon + 1, ':') != NULL)
			return fail(cause, text, "an IPv6 address must be in "
			    "brackets: [2001:db8::1]:443");
		alen = (size_t)(colon - text);
		if (alen == 0)
			return fail(cause, text, "no address before ':' (use "
			    "'*' for all unassigned addresses)");
		port = colon + 1;
	}
	if (alen >= sizeof addr)
		return fail(cause, text, text[0] == '[' ?
		    "not an IPv6 address" : "not an IPv4 address");
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (strcmp(addr, "*") != 0 && (why = addr_parse(addr, ep)) != NULL) {
		memset(ep, 0, sizeof *ep);
		ep->family = AF_UNSPEC;
		return fail(cause, text, why);
	}
	if (parse_port(port, &ep->port) != 0)
		return fail(cause, text, "the port must be a number from 1 "
		    "to 65535, or '*'");
	canonicalize(ep);
	return 0;
}

const char *
endpoint_format(const struct endpoint *ep, char *buf)
{
	char	 a[INET6_ADDRSTRLEN], p[8];

	if (ep->port == 0)
		strcpy(p, "*");
	else
		snprintf(p, sizeof p, "%u", (unsigned)ep->port);
	switch (ep->family) {
	case AF_INET:
		inet_ntop(AF_INET, ep->addr, a, sizeof a);
		snprintf(buf, ENDPOINT_STRLEN, "%s:%s", a, p);
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, ep->addr, a, sizeof a);
		snprintf(buf, ENDPOINT_STRLEN, "[%s]:%s", a, p);
		break;
	default:
		snprintf(buf, ENDPOINT_STRLEN, "*:%s", p);
		break;
	}
	return buf;
}

int
endpoint_cmp(const struct endpoint *a, const struct endpoint *b)
{
	int	 r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((r = memcmp(a->addr, b->addr, sizeof a->addr)) != 0)
		return r;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

int
endpoint_qsort_cmp(const void *a, const void *b)
{
	return endpoint_cmp(a, b);
}

int
endpoint_port_qsort_cmp(const void *va, const void *vb)
{
	uint16_t	 a = *(const uint16_t *)va, b = *(const uint16_t *)vb;

	return (a > b) - (a < b);
}

int
endpoint_any_addr(const struct endpoint *ep)
{
	return ep->family == AF_UNSPEC;
}

int
endpoint_any_port(const struct endpoint *ep)
{
	return ep->port == 0;
}

int
endpoint_is_concrete(const struct endpoint *ep)
{
	return !endpoint_any_addr(ep) && !endpoint_any_port(ep);
}

int
endpoint_overlaps(const struct endpoint *pattern, const struct endpoint *ep)
{
	if (!endpoint_any_addr(pattern) && !endpoint_any_addr(ep) &&
	    (pattern->family != ep->family ||
	    memcmp(pattern->addr, ep->addr, sizeof ep->addr) != 0))
		return 0;
	if (!endpoint_any_port(pattern) && !endpoint_any_port(ep) &&
	    pattern->port != ep->port)
		return 0;
	return 1;
}

int
endpoint_from_sockaddr(const struct sockaddr *sa, socklen_t len,
    struct endpoint *ep)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(ep, 0, sizeof *ep);
	switch (sa->sa_family) {
	case AF_INET:
		if (len < sizeof *sin)
			return -1;
		sin = (const struct sockaddr_in *)sa;
		ep->family = AF_INET;
		memcpy(ep->addr, &sin->sin_addr, 4);
		ep->port = ntohs(sin->sin_port);
		break;
	case AF_INET6:
		if (len < sizeof *sin6)
			return -1;
		sin6 = (const struct sockaddr_in6 *)sa;
		ep->family = AF_INET6;
		memcpy(ep->addr, &sin6->sin6_addr, 16);
		ep->port = ntohs(sin6->sin6_port);
		canonicalize(ep);
		break;
	default:
		return -1;
	}
	return 0;
}

socklen_t
endpoint_to_sockaddr(const struct endpoint *ep, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (ep->family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ep->addr, 4);
		sin->sin_port = htons(ep->port);
		return sizeof *sin;
	}
	sin6->sin6_family = AF_INET6;
	if (ep->family == AF_INET6)
		memcpy(&sin6->sin6_addr, ep->addr, 16);
	else
		sin6->sin6_addr = in6addr_any;
	sin6->sin6_port = htons(ep->port);
	return sizeof *sin6;
}

int
endpoint_addr_is_local(const struct endpoint *ep)
{
	struct sockaddr_storage	 ss;
	struct endpoint		 probe = *ep;
	socklen_t		 len;
	int			 fd, r, saved;

	if (endpoint_any_addr(ep))
		return 1;
	probe.port = 0;
	len = endpoint_to_sockaddr(&probe, &ss);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	r = bind(fd, (struct sockaddr *)&ss, len);
	saved = errno;
	close(fd);
	if (r == 0)
		return 1;
	/* In use or not permitted still means the address is this host's. */
	if (saved == EADDRINUSE || saved == EACCES)
		return 1;
	if (saved == EADDRNOTAVAIL)
		return 0;
	return -1;
}
