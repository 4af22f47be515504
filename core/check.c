/*
 * The findings on the config model alone (DESIGN.md "Findings"):
 * bindings against each other (conflict), against keys (unknown-key),
 * against listeners (unserved-listener, stale-binding, default-served,
 * probable-move), against the host's addresses (address-not-local), and
 * keys as the file describes them (pending, unbound-key). Nothing here
 * opens a key or certificate file: op/check.c does that, and hands in
 * what it learnt per key as struct check_keyfacts.
 *
 * The listener and binding checks use sorted arrays of endpoints and ports
 * so that a store with 100,000 bindings is checked in n log n, not n * m.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "core/findings.h"
#include "core/listenset.h"
#include "core/resolve.h"
#include "util/xmalloc.h"

struct check {
	const struct config		*cf;
	const struct check_keyfacts	*facts;		/* NULL: none */
	struct findings			*out;
	size_t				*nbindings;	/* per key index */
	struct listenset		*ls;		/* the listeners, indexed */
	size_t				 nl;
	struct endpoint			*bsorted;	/* binding endpoints */
	size_t				 nb;
	uint16_t			*bports;	/* binding ports, sorted */
	const struct check_assume	*assume;	/* NULL: the host */
};

/* Objects, as certbind check prints them. */

char *
check_binding_object(const struct config_binding *b)
{
	char	 ep[ENDPOINT_STRLEN];

	endpoint_format(&b->ep, ep);
	if (b->sni != NULL)
		return xasprintf("%s@%s,sni=%s", b->key, ep, b->sni);
	return xasprintf("%s@%s", b->key, ep);
}

/* Sorted endpoint and port sets. */

static int
has_ep(const struct endpoint *v, size_t n, const struct endpoint *ep)
{
	return n != 0 &&
	    bsearch(ep, v, n, sizeof *v, endpoint_qsort_cmp) != NULL;
}

static int
has_port(const uint16_t *v, size_t n, uint16_t port)
{
	return n != 0 &&
	    bsearch(&port, v, n, sizeof *v, endpoint_port_qsort_cmp) != NULL;
}

static struct endpoint
with_any_addr(const struct endpoint *ep)
{
	struct endpoint	 r = *ep;

	r.family = AF_UNSPEC;
	memset(r.addr, 0, sizeof r.addr);
	return r;
}

static struct endpoint
with_any_port(const struct endpoint *ep)
{
	struct endpoint	 r = *ep;

	r.port = 0;
	return r;
}

static void
build_sets(struct check *c)
{
	const struct config	*cf = c->cf;
	size_t			 i;

	c->nl = config_nlisteners(cf);
	c->ls = listenset_new(cf);

	c->nb = config_nbindings(cf);
	c->bsorted = xcalloc(c->nb, sizeof *c->bsorted);
	c->bports = xcalloc(c->nb, sizeof *c->bports);
	for (i = 0; i < c->nb; i++) {
		c->bsorted[i] = config_binding(cf, i)->ep;
		c->bports[i] = c->bsorted[i].port;
	}
	qsort(c->bsorted, c->nb, sizeof *c->bsorted, endpoint_qsort_cmp);
	qsort(c->bports, c->nb, sizeof *c->bports, endpoint_port_qsort_cmp);
}


/*
 * How a listener is served: 0 not at all, 1 only through a binding with
 * "*" where the listener is specific, 2 by a binding as specific as it.
 */
static int
listener_service(const struct check *c, const struct endpoint *l)
{
	struct endpoint	 ap, aa, dd;

	memset(&dd, 0, sizeof dd);
	dd.family = AF_UNSPEC;
	if (endpoint_any_addr(l)) {
		/* On all addresses: any binding on its port is specific. */
		if (has_port(c->bports, c->nb, l->port))
			return 2;
		if (has_port(c->bports, c->nb, 0))
			return 1;
		return 0;
	}
	if (has_ep(c->bsorted, c->nb, l))
		return 2;
	ap = with_any_port(l);
	aa = with_any_addr(l);
	if (has_ep(c->bsorted, c->nb, &ap) || has_ep(c->bsorted, c->nb, &aa) ||
	    has_ep(c->bsorted, c->nb, &dd))
		return 1;
	return 0;
}

/* The key name that serves a listener without SNI, for messages. */
static const char *
serving_key(const struct config *cf, const struct resolver *r,
    const struct endpoint *l)
{
	struct endpoint	 probe = *l;
	ssize_t		 i;

	if (endpoint_any_addr(&probe)) {
		/* Any address the listener accepts: ask as an unlisted one. */
		probe.family = AF_INET;
		memset(probe.addr, 0, sizeof probe.addr);
		probe.addr[0] = 192;	/* 192.0.2.1, TEST-NET-1, never bound */
		probe.addr[2] = 2;
		probe.addr[3] = 1;
	}
	if ((i = resolver_lookup(r, &probe, NULL, NULL)) < 0)
		return NULL;
	return config_binding(cf, (size_t)i)->key;
}

/* Bindings against keys, and against each other. */

/*
 * Where a binding is, for a message: its line, or that it is not in the
 * file yet (made by a command or the UI; "line 0" would send the reader
 * to a line that does not exist).
 */
static const char *
binding_where(const struct config_binding *b, char *buf, size_t len)
{
	if (b->line > 0)
		snprintf(buf, len, "line %d", b->line);
	else
		snprintf(buf, len, "not in the file yet");
	return buf;
}

/*
 * Bindings in config_binding_cmp()'s order (endpoint, then sni), and in
 * file order within one slot, so that the conflict's first binding is the
 * file's first.
 */
static int
binding_key_cmp(const void *va, const void *vb, void *vcf)
{
	const struct config	*cf = vcf;
	size_t			 a = *(const size_t *)va, b = *(const size_t *)vb;
	int			 r;

	if ((r = config_binding_cmp(config_binding(cf, a),
	    config_binding(cf, b))) != 0)
		return r;
	return (a > b) - (a < b);
}

static void
check_conflicts(struct check *c)
{
	const struct config		*cf = c->cf;
	const struct config_binding	*a, *b;
	size_t				*ix, i, j, k, n = c->nb;
	char				 ep[ENDPOINT_STRLEN], *obj, *lines, *t;
	char				 where[32];

	ix = xcalloc(n, sizeof *ix);
	for (i = 0; i < n; i++)
		ix[i] = i;
	qsort_r(ix, n, sizeof *ix, binding_key_cmp, (void *)cf);
	for (i = 0; i < n; i = j) {
		a = config_binding(cf, ix[i]);
		for (j = i + 1; j < n; j++) {
			b = config_binding(cf, ix[j]);
			if (config_binding_cmp(a, b) != 0)
				break;
		}
		if (j - i < 2)
			continue;
		endpoint_format(&a->ep, ep);
		obj = a->sni != NULL ? xasprintf("%s,sni=%s", ep, a->sni) :
		    xstrdup(ep);
		lines = xstrdup("");
		for (k = i; k < j; k++) {
			b = config_binding(cf, ix[k]);
			t = xasprintf("%s%s%s (%s)", lines,
			    k == i ? "" : ", ", b->key,
			    binding_where(b, where, sizeof where));
			free(lines);
			lines = t;
		}
		findings_add(c->out, SEV_ERROR, F_CONFLICT, FK_BINDING,
		    (ssize_t)ix[i], obj, "%zu bindings claim the same endpoint "
		    "and sni: %s; certbindd serves the first, %s. Remove the "
		    "others with certbind unbind.", j - i, lines, a->key);
		free(lines);
		free(obj);
	}
	free(ix);
}

static void
check_bindings(struct check *c)
{
	const struct config		*cf = c->cf;
	const struct config_binding	*b;
	size_t				 i;
	ssize_t				 k;
	char				*obj, where[32];

	for (i = 0; i < c->nb; i++) {
		b = config_binding(cf, i);
		if ((k = config_key_index(cf, b->key)) >= 0) {
			c->nbindings[k]++;
			continue;
		}
		obj = check_binding_object(b);
		findings_add(c->out, SEV_ERROR, F_UNKNOWN_KEY, FK_BINDING,
		    (ssize_t)i, obj, "the binding (%s) names key '%s', which "
		    "the file does not define; add the key or unbind it.",
		    binding_where(b, where, sizeof where), b->key);
		free(obj);
	}
	check_conflicts(c);
}

/* Listeners against bindings: the failure certbind exists to prevent. */

/* A port and the first listener on it that a move could go to. */
struct move_to {
	uint16_t	 port;
	size_t		 listener;
};

static int
move_to_port_cmp(const void *va, const void *vb)
{
	const struct move_to	*a = va, *b = vb;

	return (a->port > b->port) - (a->port < b->port);
}

static int
size_cmp(const void *va, const void *vb)
{
	size_t	 a = *(const size_t *)va, b = *(const size_t *)vb;

	return (a > b) - (a < b);
}

static int
move_to_cmp(const void *va, const void *vb)
{
	const struct move_to	*a = va, *b = vb;

	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return (a->listener > b->listener) - (a->listener < b->listener);
}

/* Binding indices by endpoint, then index: a group's first is the file's. */
static int
binding_ep_cmp(const void *va, const void *vb, void *vcf)
{
	const struct config	*cf = vcf;
	size_t			 a = *(const size_t *)va, b = *(const size_t *)vb;
	int			 r;

	if ((r = endpoint_cmp(&config_binding(cf, a)->ep,
	    &config_binding(cf, b)->ep)) != 0)
		return r;
	return (a > b) - (a < b);
}

/*
 * One probable-move per stale endpoint, on its first stale binding, to
 * the first specific listener on the same port that is not fully served.
 * reach[i] says whether binding i reaches a listener. Sorted arrays, not
 * a scan of the listeners and of the endpoints seen per binding: in a
 * store whose every listener moved that was bindings x listeners.
 */
static void
check_probable_moves(struct check *c, const unsigned char *lstate,
    const unsigned char *reach)
{
	const struct config		*cf = c->cf;
	const struct config_binding	*b;
	const struct config_listener	*l;
	struct move_to			*to, key, *m;
	size_t				*cand, *first = NULL, i, j;
	size_t				 nto = 0, ncand = 0, nfirst = 0;
	char				 from[ENDPOINT_STRLEN];
	char				 dest[ENDPOINT_STRLEN], *obj;
	struct finding			*f;

	/* Per port, the first listener a move could go to. */
	to = xcalloc(c->nl, sizeof *to);
	for (j = 0; j < c->nl; j++) {
		l = config_listener(cf, j);
		if (endpoint_any_addr(&l->ep) || lstate[j] == 2)
			continue;
		to[nto].port = l->ep.port;
		to[nto++].listener = j;
	}
	qsort(to, nto, sizeof *to, move_to_cmp);
	for (i = j = 0; i < nto; i++)
		if (j == 0 || to[j - 1].port != to[i].port)
			to[j++] = to[i];
	nto = j;

	/* The stale concrete bindings with somewhere to go. */
	cand = xcalloc(c->nb + 1, sizeof *cand);
	memset(&key, 0, sizeof key);
	for (i = 0; i < c->nb && nto != 0; i++) {
		b = config_binding(cf, i);
		if (!endpoint_is_concrete(&b->ep) || reach[i])
			continue;
		key.port = b->ep.port;
		if (bsearch(&key, to, nto, sizeof *to,
		    move_to_port_cmp) != NULL)
			cand[ncand++] = i;
	}
	/* The first of each endpoint, back in binding order. */
	if (ncand != 0) {
		qsort_r(cand, ncand, sizeof *cand, binding_ep_cmp, (void *)cf);
		first = xcalloc(ncand, sizeof *first);
		for (i = 0; i < ncand; i++)
			if (i == 0 || endpoint_cmp(&config_binding(cf,
			    cand[i - 1])->ep, &config_binding(cf,
			    cand[i])->ep) != 0)
				first[nfirst++] = cand[i];
		qsort(first, nfirst, sizeof *first, size_cmp);
	}
	for (i = 0; i < nfirst; i++) {
		b = config_binding(cf, first[i]);
		key.port = b->ep.port;
		m = bsearch(&key, to, nto, sizeof *to, move_to_port_cmp);
		l = config_listener(cf, m->listener);
		endpoint_format(&b->ep, from);
		endpoint_format(&l->ep, dest);
		obj = check_binding_object(b);
		f = findings_add(c->out, SEV_WARNING, F_PROBABLE_MOVE,
		    FK_BINDING, (ssize_t)first[i], obj, "the site on %s seems "
		    "to have moved to %s, which is served %s; move its "
		    "bindings with: certbind move %s %s", from, dest,
		    lstate[m->listener] == 0 ? "by nothing" :
		    "only by a default", from, dest);
		free(obj);
		f->move_from = xstrdup(from);
		f->move_to = xstrdup(dest);
	}
	free(first);
	free(cand);
	free(to);
}

/*
 * Bindings in a config without listeners: certbindd receives nothing for
 * any of them, which is worth one warning each, said as it is (no move
 * is to blame).
 */
static void
check_no_listeners(struct check *c)
{
	const struct config_binding	*b;
	size_t				 i;
	char				*obj, where[32];

	for (i = 0; i < c->nb; i++) {
		b = config_binding(c->cf, i);
		obj = check_binding_object(b);
		findings_add(c->out, SEV_WARNING, F_STALE_BINDING, FK_BINDING,
		    (ssize_t)i, obj, "the config has no listeners, so "
		    "certbindd receives no connections for this binding (%s); "
		    "add the listener it is for (certbind listen ENDPOINT "
		    "--backend ADDR:PORT).", binding_where(b, where,
		    sizeof where));
		free(obj);
	}
}

static void
check_listeners(struct check *c)
{
	const struct config		*cf = c->cf;
	const struct config_listener	*l;
	const struct config_binding	*b;
	struct resolver			*r = NULL;
	unsigned char			*lstate, *reach;
	const char			*key;
	size_t				 i;
	char				 ep[ENDPOINT_STRLEN], *obj, where[32];

	if (c->nl == 0) {
		check_no_listeners(c);
		return;
	}
	lstate = xcalloc(c->nl, 1);
	for (i = 0; i < c->nl; i++) {
		l = config_listener(cf, i);
		endpoint_format(&l->ep, ep);
		lstate[i] = (unsigned char)listener_service(c, &l->ep);
		if (lstate[i] == 0)
			findings_add(c->out, SEV_ERROR, F_UNSERVED_LISTENER,
			    FK_LISTENER, (ssize_t)i, ep, "no binding serves "
			    "this listener: certbindd refuses every handshake "
			    "on it. Bind a key to it (certbind bind KEY %s) or "
			    "move the bindings left on its old address "
			    "(certbind move OLD %s).", ep, ep);
		else if (lstate[i] == 1) {
			/* Made when first needed: most stores never need it. */
			if (r == NULL)
				r = resolver_new(cf);
			key = serving_key(cf, r, &l->ep);
			findings_add(c->out, SEV_INFO, F_DEFAULT_SERVED,
			    FK_LISTENER, (ssize_t)i, ep, "served only through "
			    "an \"all unassigned\" binding%s%s%s; make sure "
			    "that is the certificate meant for it, or bind "
			    "one to %s.", key != NULL ? " (key " : "",
			    key != NULL ? key : "", key != NULL ? ")" : "", ep);
		}
	}
	reach = xcalloc(c->nb + 1, 1);
	for (i = 0; i < c->nb; i++) {
		b = config_binding(cf, i);
		if ((reach[i] = (unsigned char)listenset_reaches(c->ls,
		    &b->ep)) != 0)
			continue;
		obj = check_binding_object(b);
		findings_add(c->out, SEV_WARNING, F_STALE_BINDING, FK_BINDING,
		    (ssize_t)i, obj, "no listener receives connections for "
		    "this binding (%s), so it serves nothing; move it to a "
		    "listener's address (certbind move) or unbind it.",
		    binding_where(b, where, sizeof where));
		free(obj);
	}
	check_probable_moves(c, lstate, reach);
	free(reach);
	free(lstate);
	resolver_free(r);
}

/* The host: addresses certbindd could never bind. */

struct addrcache {
	struct endpoint	*v;	/* address only, port 0 */
	int		*local;
	size_t		 n, cap;
	/* --assume-addresses: these, not the host's interfaces. */
	const struct check_assume *assume;
};

static int
addr_local(struct addrcache *ac, const struct endpoint *ep)
{
	struct endpoint	 a = with_any_port(ep);
	size_t		 i;

	if (ac->assume != NULL) {
		for (i = 0; i < ac->assume->n; i++) {
			if (endpoint_in_prefix(&a, &ac->assume->net[i],
			    ac->assume->bits[i]))
				return 1;
		}
		return 0;
	}

	for (i = 0; i < ac->n; i++)
		if (endpoint_cmp(&ac->v[i], &a) == 0)
			return ac->local[i];
	if (ac->n == ac->cap) {
		ac->cap = ac->cap ? ac->cap * 2 : 8;
		ac->v = xreallocarray(ac->v, ac->cap, sizeof *ac->v);
		ac->local = xreallocarray(ac->local, ac->cap,
		    sizeof *ac->local);
	}
	ac->v[ac->n] = a;
	ac->local[ac->n] = endpoint_addr_is_local(&a) != 0;
	return ac->local[ac->n++];
}

/*
 * The freebind listener that serves binding endpoint ep (same address,
 * and its port or any), or -1: the address is a standby one then.
 */
static ssize_t
freebind_listener(const struct config *cf, const struct endpoint *ep)
{
	const struct config_listener	*l;
	struct endpoint			 a, b;
	size_t				 i;

	a = with_any_port(ep);
	for (i = 0; i < config_nlisteners(cf); i++) {
		l = config_listener(cf, i);
		b = with_any_port(&l->ep);
		if (!l->freebind || endpoint_cmp(&a, &b) != 0)
			continue;
		if (endpoint_any_port(ep) || ep->port == l->ep.port)
			return (ssize_t)i;
	}
	return -1;
}

static void
check_addresses(struct check *c)
{
	const struct config		*cf = c->cf;
	const struct config_listener	*l;
	struct addrcache		 ac = { NULL, NULL, 0, 0, c->assume };
	const struct endpoint		*ep;
	size_t				 i;
	ssize_t				 fl;
	char				 text[ENDPOINT_STRLEN], *obj;
	const char			*lacks = c->assume != NULL ?
	    "the addresses assumed (--assume-addresses) do not include it" :
	    "this host has no such address";

	for (i = 0; i < c->nl; i++) {
		l = config_listener(cf, i);
		ep = &l->ep;
		if (endpoint_any_addr(ep) || addr_local(&ac, ep))
			continue;
		endpoint_format(ep, text);
		if (l->freebind)
			/* A standby address (a VIP, a site moving here). */
			findings_add(c->out, SEV_INFO, F_ADDRESS_NOT_LOCAL,
			    FK_LISTENER, (ssize_t)i, text, "this host does "
			    "not have the address now; certbindd listens on "
			    "it anyway (freebind) and serves it once the "
			    "address arrives.");
		else
			findings_add(c->out, SEV_WARNING, F_ADDRESS_NOT_LOCAL,
			    FK_LISTENER, (ssize_t)i, text, "%s, so certbindd "
			    "cannot listen on it; add the address to an "
			    "interface, set freebind = true on the listener if "
			    "the address comes later, or move the listener.",
			    lacks);
	}
	for (i = 0; i < c->nb; i++) {
		ep = &config_binding(cf, i)->ep;
		if (endpoint_any_addr(ep) || addr_local(&ac, ep))
			continue;
		obj = check_binding_object(config_binding(cf, i));
		if ((fl = freebind_listener(cf, ep)) >= 0) {
			endpoint_format(&config_listener(cf, (size_t)fl)->ep,
			    text);
			findings_add(c->out, SEV_INFO, F_ADDRESS_NOT_LOCAL,
			    FK_BINDING, (ssize_t)i, obj, "this host does not "
			    "have the address now; the freebind listener %s "
			    "receives its connections once the address "
			    "arrives.", text);
		} else
			findings_add(c->out, SEV_WARNING, F_ADDRESS_NOT_LOCAL,
			    FK_BINDING, (ssize_t)i, obj, "%s, so no connection "
			    "can arrive on it; move the binding (certbind move) "
			    "to an address the host has.", lacks);
		free(obj);
	}
	free(ac.v);
	free(ac.local);
}


/*
 * Keys as the file describes them: pending ones, and usable ones that
 * nothing serves. Without facts a key with a certificate counts as usable
 * and a request's age is unknown; with them, a key is usable only when
 * op/check.c found its certificate loaded and valid.
 */
static void
check_keys(struct check *c)
{
	const struct config	*cf = c->cf;
	const struct config_key	*key;
	size_t			 k;
	long			 days;
	int			 usable;

	for (k = 0; k < config_nkeys(cf); k++) {
		key = config_key(cf, k);
		days = c->facts != NULL ? c->facts[k].request_days : -1;
		if (key->cert == NULL && key->request == NULL)
			findings_add(c->out, SEV_INFO, F_PENDING, FK_KEY,
			    (ssize_t)k, key->name, "has no certificate and no "
			    "request; install one (certbind install FILE "
			    "--name %s).", key->name);
		else if (key->cert == NULL && days >= 0)
			findings_add(c->out, SEV_INFO, F_PENDING, FK_KEY,
			    (ssize_t)k, key->name, "waiting for its "
			    "certificate: the request %s was made %ld day%s "
			    "ago; install the CA's answer with certbind "
			    "install FILE.", key->request, days,
			    days == 1 ? "" : "s");
		else if (key->cert == NULL)
			findings_add(c->out, SEV_INFO, F_PENDING, FK_KEY,
			    (ssize_t)k, key->name, "waiting for its "
			    "certificate (request %s); install the CA's answer "
			    "with certbind install FILE.", key->request);
		usable = c->facts != NULL ? c->facts[k].usable :
		    key->cert != NULL;
		if (usable && c->nbindings[k] == 0)
			findings_add(c->out, SEV_INFO, F_UNBOUND_KEY, FK_KEY,
			    (ssize_t)k, key->name, "a usable key that nothing "
			    "serves; bind it (certbind bind %s ENDPOINT) or "
			    "leave it for later.", key->name);
	}
}

void
check_model(const struct config *cf, int offline,
    const struct check_assume *assume, const struct check_keyfacts *facts,
    struct findings *out)
{
	struct check	 c;

	memset(&c, 0, sizeof c);
	c.cf = cf;
	c.assume = assume;
	c.facts = facts;
	c.out = out;
	c.nbindings = xcalloc(config_nkeys(cf) + 1, sizeof *c.nbindings);
	build_sets(&c);
	check_bindings(&c);
	check_listeners(&c);
	if (!offline || assume != NULL)
		check_addresses(&c);
	check_keys(&c);

	free(c.nbindings);
	listenset_free(c.ls);
	free(c.bsorted);
	free(c.bports);
}
