/*
 * certbind diff's rows: the connections two configs could see, each
 * resolved in both. See op/confdiff.h.
 *
 * The one idea: a review must not have rules of its own. Which endpoints
 * and names to ask about comes from the files; what serves each comes
 * from the resolver and config_backend_for(), exactly as certbindd and
 * certbind resolve ask.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "core/resolve.h"
#include "op/confdiff.h"
#include "util/xmalloc.h"

struct points {
	struct confdiff_row	*v;
	size_t			 n, cap;
};

static int
row_cmp(const void *a, const void *b)
{
	const struct confdiff_row	*x = a, *y = b;
	int				 c;

	if ((c = endpoint_cmp(&x->ep, &y->ep)) != 0)
		return c;
	if (x->sni == NULL || y->sni == NULL)
		return (x->sni != NULL) - (y->sni != NULL);
	return strcasecmp(x->sni, y->sni);
}

static void
point_add(struct points *p, const struct endpoint *ep, int any_addr,
    const char *sni)
{
	struct confdiff_row	*r;
	size_t			 i;

	for (i = 0; i < p->n; i++) {
		if (endpoint_cmp(&p->v[i].ep, ep) == 0 &&
		    ((sni == NULL && p->v[i].sni == NULL) ||
		    (sni != NULL && p->v[i].sni != NULL &&
		    strcasecmp(sni, p->v[i].sni) == 0)))
			return;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
	}
	r = &p->v[p->n++];
	memset(r, 0, sizeof *r);
	r->ep = *ep;
	r->any_addr = any_addr;
	r->sni = sni != NULL ? xstrdup(sni) : NULL;
}

/*
 * The endpoint a connection reaches for a listener or binding endpoint:
 * itself when concrete; "*:P" as 0.0.0.0:P, an address no binding names;
 * none for a port "*" (no connection arrives on "any port" as such).
 */
static int
point_of(const struct endpoint *e, struct endpoint *out, int *any_addr)
{
	if (endpoint_any_port(e))
		return -1;
	*out = *e;
	*any_addr = 0;
	if (endpoint_any_addr(e)) {
		memset(out, 0, sizeof *out);
		out->family = AF_INET;
		out->port = e->port;
		*any_addr = 1;
	}
	return 0;
}

/* Every endpoint of cf, with each name bound on the same endpoint. */
static void
points_of(const struct config *cf, const struct config *other,
    struct points *p)
{
	const struct config_binding	*b, *o;
	struct endpoint			 ep;
	size_t				 i, j;
	int				 any;

	for (i = 0; i < config_nlisteners(cf); i++)
		if (point_of(&config_listener(cf, i)->ep, &ep, &any) == 0)
			point_add(p, &ep, any, NULL);
	for (i = 0; i < config_nbindings(cf); i++) {
		b = config_binding(cf, i);
		if (point_of(&b->ep, &ep, &any) != 0)
			continue;
		point_add(p, &ep, any, NULL);
		/* A name bound anywhere matters on every endpoint it shares. */
		for (j = 0; j < config_nbindings(cf); j++) {
			o = config_binding(cf, j);
			if (o->sni != NULL && endpoint_overlaps(&o->ep, &b->ep))
				point_add(p, &ep, any, o->sni);
		}
		for (j = 0; other != NULL && j < config_nbindings(other); j++) {
			o = config_binding(other, j);
			if (o->sni != NULL && endpoint_overlaps(&o->ep, &b->ep))
				point_add(p, &ep, any, o->sni);
		}
	}
}

static void
side(const struct config *cf, const struct resolver *r,
    const struct confdiff_row *row, struct confdiff_side *s)
{
	const struct config_binding	*b;
	const struct endpoint		*be;
	ssize_t				 i, li;

	memset(s, 0, sizeof *s);
	if ((i = resolver_lookup(r, &row->ep, row->sni, &s->rule)) < 0)
		return;
	b = config_binding(cf, (size_t)i);
	s->served = 1;
	s->key = b->key;
	li = config_listener_serving(cf, &row->ep);
	be = config_backend_for(b, li >= 0 ? config_listener(cf, (size_t)li) :
	    NULL);
	if (be != NULL) {
		s->has_backend = 1;
		s->backend = *be;
	}
}

static int
side_equal(const struct confdiff_side *a, const struct confdiff_side *b)
{
	if (a->served != b->served)
		return 0;
	if (!a->served)
		return 1;
	return strcmp(a->key, b->key) == 0 && a->rule.level == b->rule.level &&
	    a->rule.sni == b->rule.sni && a->has_backend == b->has_backend &&
	    (!a->has_backend || endpoint_cmp(&a->backend, &b->backend) == 0);
}

size_t
confdiff(const struct config *before, const struct config *after,
    struct confdiff_row **rows, size_t *nrows)
{
	struct points	 p = { NULL, 0, 0 };
	struct resolver	*rb, *ra;
	size_t		 i, changed = 0;

	points_of(before, after, &p);
	points_of(after, before, &p);
	if (p.n > 1)
		qsort(p.v, p.n, sizeof *p.v, row_cmp);
	rb = resolver_new(before);
	ra = resolver_new(after);
	for (i = 0; i < p.n; i++) {
		side(before, rb, &p.v[i], &p.v[i].before);
		side(after, ra, &p.v[i], &p.v[i].after);
		p.v[i].changed = !side_equal(&p.v[i].before, &p.v[i].after);
		changed += p.v[i].changed;
	}
	resolver_free(rb);
	resolver_free(ra);
	*rows = p.v;
	*nrows = p.n;
	return changed;
}

void
confdiff_free(struct confdiff_row *rows, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(rows[i].sni);
	free(rows);
}
