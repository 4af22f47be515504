/*
 * Which bindings with an SNI name can apply to a listener: the UI's
 * endpoints pane lists them under each listener, and the effect preview
 * (op/effect.c) asks the resolver about each of them. With 1,000 listeners and 100,000 bindings
 * a scan per listener is too slow, so the bindings that have a name are
 * sorted once by endpoint (endpoint_cmp: family, address, then port) and a
 * listener on a concrete address looks at two runs only: its own address
 * and "*".
 */

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "core/sni-index.h"

struct sni_index {
	const struct config	*c;
	size_t			*v;	/* binding indexes, sorted */
	size_t			 n;
};

static int
by_endpoint(const void *a, const void *b, void *arg)
{
	const struct config	*c = arg;
	size_t			 ia = *(const size_t *)a, ib = *(const size_t *)b;
	int			 r;

	r = endpoint_cmp(&config_binding(c, ia)->ep, &config_binding(c, ib)->ep);
	if (r != 0)
		return r;
	return ia < ib ? -1 : ia > ib;
}

struct sni_index *
sni_index_new(const struct config *c)
{
	struct sni_index	*x = xcalloc(1, sizeof *x);
	size_t			 i, nb = config_nbindings(c);

	x->c = c;
	x->v = xcalloc(nb + 1, sizeof *x->v);
	for (i = 0; i < nb; i++) {
		if (config_binding(c, i)->sni != NULL)
			x->v[x->n++] = i;
	}
	qsort_r(x->v, x->n, sizeof *x->v, by_endpoint, (void *)c);
	return x;
}

void
sni_index_free(struct sni_index *x)
{
	if (x == NULL)
		return;
	free(x->v);
	free(x);
}

/* The first entry whose endpoint is not below probe. */
static size_t
lower_bound(const struct sni_index *x, const struct endpoint *probe)
{
	size_t	lo = 0, hi = x->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (endpoint_cmp(&config_binding(x->c, x->v[mid])->ep,
		    probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
push(size_t **out, size_t *n, size_t *cap, size_t v)
{
	if (*n == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		*out = xreallocarray(*out, *cap, sizeof **out);
	}
	(*out)[(*n)++] = v;
}

/*
 * Appends to *out (grown as needed, *n entries, *cap allocated) every
 * binding with a name whose endpoint overlaps the listener's.
 */
void
sni_index_find(const struct sni_index *x, const struct endpoint *ep,
    size_t **out, size_t *n, size_t *cap)
{
	const struct config_binding *b;
	struct endpoint		 probe;
	size_t			 i, run;

	if (endpoint_any_addr(ep)) {
		/* Rare: a listener on every address; look at them all. */
		for (i = 0; i < x->n; i++) {
			b = config_binding(x->c, x->v[i]);
			if (endpoint_overlaps(&b->ep, ep))
				push(out, n, cap, x->v[i]);
		}
		return;
	}
	for (run = 0; run < 2; run++) {
		memset(&probe, 0, sizeof probe);
		if (run == 0) {
			probe.family = ep->family;
			memcpy(probe.addr, ep->addr, sizeof probe.addr);
		} else
			probe.family = AF_UNSPEC;
		probe.port = 0;
		for (i = lower_bound(x, &probe); i < x->n; i++) {
			b = config_binding(x->c, x->v[i]);
			if (b->ep.family != probe.family ||
			    memcmp(b->ep.addr, probe.addr, sizeof b->ep.addr) != 0)
				break;
			if (endpoint_overlaps(&b->ep, ep))
				push(out, n, cap, x->v[i]);
		}
	}
}
