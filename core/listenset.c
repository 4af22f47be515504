/*
 * The listener index behind listenset_reaches() (see listenset.h). The
 * listeners' endpoints are kept sorted twice: by endpoint_cmp(), where
 * all of one address's ports are next to each other and "*" addresses
 * come first (AF_UNSPEC is 0), and by port alone. Every form a binding's
 * endpoint can take is then answered by a binary search or two instead
 * of a scan, which is what lets certbind check stay fast on a file with
 * a million bindings and thousands of listeners.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "core/listenset.h"
#include "util/xmalloc.h"

struct listenset {
	struct endpoint	*eps;		/* sorted by endpoint_cmp */
	uint16_t	*ports;		/* sorted; 0 is "*" */
	size_t		 n;
};

struct listenset *
listenset_new(const struct config *cf)
{
	struct listenset	*ls;
	size_t			 i;

	ls = xcalloc(1, sizeof *ls);
	ls->n = config_nlisteners(cf);
	ls->eps = xcalloc(ls->n, sizeof *ls->eps);
	ls->ports = xcalloc(ls->n, sizeof *ls->ports);
	for (i = 0; i < ls->n; i++) {
		ls->eps[i] = config_listener(cf, i)->ep;
		ls->ports[i] = ls->eps[i].port;
	}
	qsort(ls->eps, ls->n, sizeof *ls->eps, endpoint_qsort_cmp);
	qsort(ls->ports, ls->n, sizeof *ls->ports, endpoint_port_qsort_cmp);
	return ls;
}

void
listenset_free(struct listenset *ls)
{
	if (ls == NULL)
		return;
	free(ls->eps);
	free(ls->ports);
	free(ls);
}

static int
has_ep(const struct listenset *ls, const struct endpoint *ep)
{
	return ls->n != 0 &&
	    bsearch(ep, ls->eps, ls->n, sizeof *ls->eps,
	    endpoint_qsort_cmp) != NULL;
}

static int
has_port(const struct listenset *ls, uint16_t port)
{
	return ls->n != 0 &&
	    bsearch(&port, ls->ports, ls->n, sizeof *ls->ports,
	    endpoint_port_qsort_cmp) != NULL;
}

/* Whether a listener has ep's address, on any port. */
static int
has_addr(const struct listenset *ls, const struct endpoint *ep)
{
	struct endpoint	 lo = *ep;
	size_t		 a = 0, b = ls->n, m;

	lo.port = 0;		/* the lowest port: a lower bound */
	while (a < b) {
		m = a + (b - a) / 2;
		if (endpoint_cmp(&ls->eps[m], &lo) < 0)
			a = m + 1;
		else
			b = m;
	}
	return a < ls->n && ls->eps[a].family == ep->family &&
	    memcmp(ls->eps[a].addr, ep->addr, sizeof ep->addr) == 0;
}

/*
 * The four forms of a binding's endpoint, each against what overlaps it:
 * "*:*" any listener; "*:P" a listener on port P or "*"; "A:*" one on
 * address A or "*"; "A:P" one on A:P, A:*, *:P or *:*. A listener's port
 * is never "*" in a valid config, but the answer does not rely on it.
 */
int
listenset_reaches(const struct listenset *ls, const struct endpoint *ep)
{
	struct endpoint	 any;

	if (ls->n == 0)
		return 0;
	if (endpoint_any_addr(ep) && endpoint_any_port(ep))
		return 1;
	if (endpoint_any_addr(ep))
		return has_port(ls, ep->port) || has_port(ls, 0);
	/* "*" addresses sort first: is there any at all? */
	if (endpoint_any_port(ep))
		return has_addr(ls, ep) || endpoint_any_addr(&ls->eps[0]);
	if (has_ep(ls, ep))
		return 1;
	any = *ep;		/* A:* */
	any.port = 0;
	if (has_ep(ls, &any))
		return 1;
	any = *ep;		/* *:P */
	any.family = AF_UNSPEC;
	memset(any.addr, 0, sizeof any.addr);
	if (has_ep(ls, &any))
		return 1;
	any.port = 0;		/* *:* */
	return has_ep(ls, &any);
}

int
listenset_config_reaches(const struct config *cf, const struct endpoint *ep)
{
	struct listenset	*ls;
	int			 r;

	ls = listenset_new(cf);
	r = listenset_reaches(ls, ep);
	listenset_free(ls);
	return r;
}
