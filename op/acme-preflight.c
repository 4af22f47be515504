/*
 * The preflight (see acme-preflight.h): resolve the domain as the CA will,
 * then ask the rules certbind already has, never new copies of them:
 * listenset_config_reaches() for "a listener covers ADDRESS:PORT" (the
 * rule certbind check uses for bindings) and endpoint_addr_is_local() for
 * "ADDRESS is this host's" (a bind() test, which unlike getifaddrs() knows
 * that 127.0.0.2 is local on Linux though no interface lists it).
 *
 * Every address the name has is checked, not the first: a CA may connect
 * to any of them (Let's Encrypt tries IPv6 first), so one that cannot
 * answer is enough to refuse.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netdb.h>

#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "core/listenset.h"
#include "op/acme-preflight.h"
#include "util/xmalloc.h"

/* The addresses named in a message: a name with more is rare. */
#define PREFLIGHT_LIST_MAX	4

struct addrs {
	struct endpoint	*eps;
	size_t		 n;
};

static int
default_port(const char *challenge)
{
	return strcmp(challenge, "http-01") == 0 ? 80 : 443;
}

/* The name's addresses, each once, in getaddrinfo's order; or its error. */
static int
resolve(const char *domain, int port, struct addrs *a)
{
	struct addrinfo	 hints, *res, *ai;
	struct endpoint	 ep;
	size_t		 i;
	int		 r;

	memset(a, 0, sizeof *a);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(domain, NULL, &hints, &res)) != 0)
		return r;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (endpoint_from_sockaddr(ai->ai_addr, ai->ai_addrlen,
		    &ep) != 0)
			continue;
		ep.port = port;
		for (i = 0; i < a->n; i++)
			if (endpoint_cmp(&a->eps[i], &ep) == 0)
				break;
		if (i != a->n)
			continue;
		a->eps = xreallocarray(a->eps, a->n + 1, sizeof *a->eps);
		a->eps[a->n++] = ep;
	}
	freeaddrinfo(res);
	return a->n == 0 ? EAI_NODATA : 0;
}

/* "127.0.0.1 and ::1": the address part of an endpoint, no port. */
static char *
addr_text(const struct endpoint *ep)
{
	struct endpoint	 a = *ep;
	char		 buf[ENDPOINT_STRLEN];
	const char	*s;
	size_t		 n;

	a.port = 0;
	s = endpoint_format(&a, buf);
	n = strlen(s);
	if (n > 2 && s[n - 2] == ':' && s[n - 1] == '*')
		n -= 2;
	if (n > 2 && s[0] == '[' && s[n - 1] == ']')
		return xstrndup(s + 1, n - 2);
	return xstrndup(s, n);
}

static char *
addrs_text(const struct addrs *a)
{
	char	*out = NULL, *one, *t;
	size_t	 i, shown;

	shown = a->n > PREFLIGHT_LIST_MAX ? PREFLIGHT_LIST_MAX : a->n;
	for (i = 0; i < shown; i++) {
		one = addr_text(&a->eps[i]);
		if (out == NULL)
			t = xstrdup(one);
		else
			t = xasprintf("%s%s%s", out,
			    i + 1 == shown && shown == a->n ? " and " : ", ",
			    one);
		free(out);
		free(one);
		out = t;
	}
	if (shown != a->n) {
		t = xasprintf("%s and %zu more", out, a->n - shown);
		free(out);
		out = t;
	}
	return out;
}

static void
verdict(struct preflight_result *res, enum preflight_verdict v, char *msg)
{
	res->verdict = v;
	res->message = msg;
}

/* The address of ep with its port: "10.0.0.1:443", "[::1]:443". */
static const char *
ep_text(const struct endpoint *ep, char *buf)
{
	return endpoint_format(ep, buf);
}

void
preflight_domain(const struct config *cf, const char *domain,
    const char *challenge, int webroot, int port,
    struct preflight_result *res)
{
	struct addrs	 a;
	char		 buf[ENDPOINT_STRLEN], *addr, *all;
	size_t		 i;
	int		 tls, http, r, local;

	memset(res, 0, sizeof *res);
	tls = strcmp(challenge, "tls-alpn-01") == 0;
	http = strcmp(challenge, "http-01") == 0;
	if (!tls && !http && strcmp(challenge, "dns-01") != 0) {
		verdict(res, PREFLIGHT_UNREACHABLE, xasprintf("%s: the "
		    "challenge '%s' is none of tls-alpn-01, http-01 and "
		    "dns-01", domain, challenge));
		return;
	}
	if (strncmp(domain, "*.", 2) == 0 && strcmp(challenge, "dns-01") != 0) {
		verdict(res, PREFLIGHT_UNREACHABLE, xasprintf("%s is a "
		    "wildcard: a CA validates a wildcard with dns-01 only, "
		    "never %s", domain, challenge));
		return;
	}
	if (!tls && !http) {
		verdict(res, PREFLIGHT_OK, xasprintf("%s: dns-01 is answered "
		    "by the hook, which publishes the TXT record; nothing to "
		    "check on this host", domain));
		return;
	}
	if (http && webroot) {
		verdict(res, PREFLIGHT_OK, xasprintf("%s: http-01 is answered "
		    "from the webroot by the web server that serves it; "
		    "nothing to check on this host", domain));
		return;
	}
	if (port <= 0 || port > 65535)
		port = default_port(challenge);

	if ((r = resolve(domain, port, &a)) != 0) {
		verdict(res, PREFLIGHT_UNRESOLVED, xasprintf("%s does not "
		    "resolve here (%s); the CA's resolver may still find it, "
		    "so certbind goes on", domain, gai_strerror(r)));
		return;
	}
	for (i = 0; i < a.n; i++) {
		addr = addr_text(&a.eps[i]);
		/* -1 (could not ask: no IPv6 here, a scoped address) is
		 * not a refusal: the listener rule still applies. */
		local = endpoint_addr_is_local(&a.eps[i]);
		if (local == 0) {
			verdict(res, PREFLIGHT_UNREACHABLE, xasprintf("%s "
			    "resolves to %s, which is not an address of this "
			    "host: the CA's %s connection would not reach %s",
			    domain, addr, challenge, tls ? "certbindd" :
			    "certbind's http-01 responder"));
			free(addr);
			goto out;
		}
		if (tls && !listenset_config_reaches(cf, &a.eps[i])) {
			verdict(res, PREFLIGHT_UNREACHABLE, xasprintf("%s "
			    "resolves to %s, and no listener in the config "
			    "covers %s: the CA's tls-alpn-01 connection would "
			    "not reach certbindd", domain, addr,
			    ep_text(&a.eps[i], buf)));
			free(addr);
			goto out;
		}
		if (http && listenset_config_reaches(cf, &a.eps[i])) {
			verdict(res, PREFLIGHT_UNREACHABLE, xasprintf("%s "
			    "resolves to %s, and a certbindd listener in the "
			    "config holds %s: certbind's http-01 responder "
			    "could not bind port %d", domain, addr,
			    ep_text(&a.eps[i], buf), port));
			free(addr);
			goto out;
		}
		free(addr);
	}
	all = addrs_text(&a);
	if (tls)
		verdict(res, PREFLIGHT_OK, xasprintf("%s resolves to %s, "
		    "this host's, and a listener in the config covers port "
		    "%d there: certbindd answers tls-alpn-01", domain, all,
		    port));
	else
		verdict(res, PREFLIGHT_OK, xasprintf("%s resolves to %s, "
		    "this host's, and no listener in the config holds port "
		    "%d there: certbind's own responder answers http-01",
		    domain, all, port));
	free(all);
out:
	free(a.eps);
}

void
preflight_result_free(struct preflight_result *res)
{
	if (res == NULL)
		return;
	free(res->message);
	res->message = NULL;
}
