/*
 * Findings (DESIGN.md "Findings"). check_config() looks at the config as a
 * whole: bindings against each other, bindings against listeners, listeners
 * against the host, and, with opts->files, every key, certificate and
 * request file on disk.
 *
 * The listener and binding checks use sorted arrays of endpoints and ports
 * so that a store with 100,000 bindings is checked in n log n, not n * m.
 */
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "op/check.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "core/resolve.h"
#include "core/store.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/privkey.h"

#define SECONDS_PER_DAY	86400

/* What the file checks learnt about one key, for the binding checks. */
struct keystate {
	struct cert	*cert;		/* NULL: none, missing or unreadable */
	int		 usable;	/* has a certificate that can serve */
	size_t		 nbindings;
};

struct check {
	const struct config	*cf;
	const struct check_opts	*opts;
	struct findings		*out;
	time_t			 now;
	struct keystate		*keys;		/* per key index */
	ssize_t			*bkey;		/* per binding: key index or -1 */
	struct endpoint		*lsorted;	/* listener endpoints */
	size_t			 nl;
	uint16_t		*lports;	/* listener ports, sorted */
	struct endpoint		*bsorted;	/* binding endpoints */
	size_t			 nb;
	uint16_t		*bports;	/* binding ports, sorted */
	gid_t			 server_gid;
	int			 have_server_gid;
};

/* Findings list. */

static void
findings_vadd(struct findings *fs, enum severity sev, const char *code,
    enum finding_kind kind, ssize_t index, const char *object,
    const char *fmt, va_list ap)
{
	struct finding	*f;

	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 16;
		fs->v = xreallocarray(fs->v, fs->cap, sizeof *fs->v);
	}
	f = &fs->v[fs->n++];
	memset(f, 0, sizeof *f);
	f->severity = sev;
	f->code = code;
	f->kind = kind;
	f->index = index;
	f->object = xstrdup(object);
	f->message = xvasprintf(fmt, ap);
}

void
findings_add(struct findings *fs, enum severity sev, const char *code,
    enum finding_kind kind, ssize_t index, const char *object,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	findings_vadd(fs, sev, code, kind, index, object, fmt, ap);
	va_end(ap);
}

static int
finding_cmp(const void *va, const void *vb)
{
	const struct finding	*a = va, *b = vb;
	int			 r;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((r = strcmp(a->code, b->code)) != 0)
		return r;
	if ((r = strcmp(a->object, b->object)) != 0)
		return r;
	return (a->index > b->index) - (a->index < b->index);
}

void
findings_sort(struct findings *fs)
{
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof *fs->v, finding_cmp);
}

void
findings_copy(struct findings *fs, const struct finding *f)
{
	struct finding	*c;

	findings_add(fs, f->severity, f->code, f->kind, f->index, f->object,
	    "%s", f->message);
	c = &fs->v[fs->n - 1];
	c->move_from = f->move_from != NULL ? xstrdup(f->move_from) : NULL;
	c->move_to = f->move_to != NULL ? xstrdup(f->move_to) : NULL;
}

/*
 * What makes two findings the same finding across a change: severity,
 * code and object. The index is not part of it (an edit renumbers rows),
 * nor the message (it may quote a count); and a warning that becomes an
 * error is a new error.
 */
static int
finding_same_cmp(const void *va, const void *vb)
{
	const struct finding	*a = *(const struct finding *const *)va;
	const struct finding	*b = *(const struct finding *const *)vb;
	int			 r;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((r = strcmp(a->code, b->code)) != 0)
		return r;
	return strcmp(a->object, b->object);
}

static const struct finding **
findings_sorted(const struct findings *fs)
{
	const struct finding	**v;
	size_t			  i;

	v = xcalloc(fs->n + 1, sizeof *v);
	for (i = 0; i < fs->n; i++)
		v[i] = &fs->v[i];
	qsort(v, fs->n, sizeof *v, finding_same_cmp);
	return v;
}

size_t
findings_diff(const struct findings *before, const struct findings *after,
    struct findings *added, struct findings *removed)
{
	const struct finding	**a, **b;
	size_t			  i = 0, j = 0, nerr = 0;
	int			  r;

	a = findings_sorted(before);
	b = findings_sorted(after);
	while (i < before->n || j < after->n) {
		if (i == before->n)
			r = 1;
		else if (j == after->n)
			r = -1;
		else
			r = finding_same_cmp(&a[i], &b[j]);
		if (r == 0) {
			i++;
			j++;
		} else if (r < 0) {
			if (removed != NULL)
				findings_copy(removed, a[i]);
			i++;
		} else {
			if (b[j]->severity == SEV_ERROR)
				nerr++;
			if (added != NULL)
				findings_copy(added, b[j]);
			j++;
		}
	}
	free(a);
	free(b);
	return nerr;
}

size_t
findings_count(const struct findings *fs, enum severity sev)
{
	size_t	 i, n = 0;

	for (i = 0; i < fs->n; i++)
		if (fs->v[i].severity == sev)
			n++;
	return n;
}

void
findings_clear(struct findings *fs)
{
	size_t	 i;

	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].object);
		free(fs->v[i].message);
		free(fs->v[i].move_from);
		free(fs->v[i].move_to);
	}
	free(fs->v);
	fs->v = NULL;
	fs->n = fs->cap = 0;
}

const char *
severity_name(enum severity sev)
{
	switch (sev) {
	case SEV_ERROR:
		return "error";
	case SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

void
check_opts_default(struct check_opts *o)
{
	memset(o, 0, sizeof *o);
	o->files = 1;
	o->warn_days = 30;
}

/* Objects, as certbind check prints them. */

static char *
binding_object(const struct config_binding *b)
{
	char	 ep[ENDPOINT_STRLEN];

	endpoint_format(&b->ep, ep);
	if (b->sni != NULL)
		return xasprintf("%s@%s,sni=%s", b->key, ep, b->sni);
	return xasprintf("%s@%s", b->key, ep);
}

/* Sorted endpoint and port sets. */

static int
ep_cmp(const void *a, const void *b)
{
	return endpoint_cmp(a, b);
}

static int
port_cmp(const void *va, const void *vb)
{
	uint16_t	 a = *(const uint16_t *)va, b = *(const uint16_t *)vb;

	return (a > b) - (a < b);
}

static int
has_ep(const struct endpoint *v, size_t n, const struct endpoint *ep)
{
	return n != 0 && bsearch(ep, v, n, sizeof *v, ep_cmp) != NULL;
}

static int
has_port(const uint16_t *v, size_t n, uint16_t port)
{
	return n != 0 && bsearch(&port, v, n, sizeof *v, port_cmp) != NULL;
}

/* Whether any endpoint in the sorted set has ep's address (any port). */
static int
has_addr(const struct endpoint *v, size_t n, const struct endpoint *ep)
{
	struct endpoint	 lo = *ep;
	size_t		 a = 0, b = n, m;

	lo.port = 0;
	while (a < b) {		/* lower bound of (address, port 0) */
		m = a + (b - a) / 2;
		if (endpoint_cmp(&v[m], &lo) < 0)
			a = m + 1;
		else
			b = m;
	}
	return a < n && v[a].family == ep->family &&
	    memcmp(v[a].addr, ep->addr, sizeof ep->addr) == 0;
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
	c->lsorted = xcalloc(c->nl, sizeof *c->lsorted);
	c->lports = xcalloc(c->nl, sizeof *c->lports);
	for (i = 0; i < c->nl; i++) {
		c->lsorted[i] = config_listener(cf, i)->ep;
		c->lports[i] = c->lsorted[i].port;
	}
	qsort(c->lsorted, c->nl, sizeof *c->lsorted, ep_cmp);
	qsort(c->lports, c->nl, sizeof *c->lports, port_cmp);

	c->nb = config_nbindings(cf);
	c->bsorted = xcalloc(c->nb, sizeof *c->bsorted);
	c->bports = xcalloc(c->nb, sizeof *c->bports);
	for (i = 0; i < c->nb; i++) {
		c->bsorted[i] = config_binding(cf, i)->ep;
		c->bports[i] = c->bsorted[i].port;
	}
	qsort(c->bsorted, c->nb, sizeof *c->bsorted, ep_cmp);
	qsort(c->bports, c->nb, sizeof *c->bports, port_cmp);
}

/* Whether a binding's endpoint can receive connections from a listener. */
static int
binding_has_listener(const struct check *c, const struct endpoint *ep)
{
	struct endpoint	 any;

	if (endpoint_any_addr(ep) && endpoint_any_port(ep))
		return c->nl != 0;
	if (endpoint_any_addr(ep))
		return has_port(c->lports, c->nl, ep->port);
	any = with_any_addr(ep);
	if (endpoint_any_port(ep))
		return has_addr(c->lsorted, c->nl, ep) ||
		    (c->nl != 0 && endpoint_any_addr(&c->lsorted[0]));
	return has_ep(c->lsorted, c->nl, ep) || has_ep(c->lsorted, c->nl, &any);
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

static int
binding_key_cmp(const void *va, const void *vb, void *vcf)
{
	const struct config		*cf = vcf;
	const struct config_binding	*a, *b;
	int				 r;

	a = config_binding(cf, *(const size_t *)va);
	b = config_binding(cf, *(const size_t *)vb);
	if ((r = endpoint_cmp(&a->ep, &b->ep)) != 0)
		return r;
	if (a->sni == NULL || b->sni == NULL) {
		if ((r = (a->sni != NULL) - (b->sni != NULL)) != 0)
			return r;
	} else if ((r = strcasecmp(a->sni, b->sni)) != 0)
		return r;
	return (*(const size_t *)va > *(const size_t *)vb) -
	    (*(const size_t *)va < *(const size_t *)vb);
}

static int
same_slot(const struct config_binding *a, const struct config_binding *b)
{
	if (endpoint_cmp(&a->ep, &b->ep) != 0)
		return 0;
	if (a->sni == NULL || b->sni == NULL)
		return a->sni == b->sni;
	return strcasecmp(a->sni, b->sni) == 0;
}

static void
check_conflicts(struct check *c)
{
	const struct config		*cf = c->cf;
	const struct config_binding	*a, *b;
	size_t				*ix, i, j, k, n = c->nb;
	char				 ep[ENDPOINT_STRLEN], *obj, *lines, *t;

	ix = xcalloc(n, sizeof *ix);
	for (i = 0; i < n; i++)
		ix[i] = i;
	qsort_r(ix, n, sizeof *ix, binding_key_cmp, (void *)cf);
	for (i = 0; i < n; i = j) {
		a = config_binding(cf, ix[i]);
		for (j = i + 1; j < n; j++) {
			b = config_binding(cf, ix[j]);
			if (!same_slot(a, b))
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
			t = xasprintf("%s%s%s (line %d)", lines,
			    k == i ? "" : ", ", b->key, b->line);
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
	char				*obj;

	c->bkey = xcalloc(c->nb, sizeof *c->bkey);
	for (i = 0; i < c->nb; i++) {
		b = config_binding(cf, i);
		k = config_key_index(cf, b->key);
		c->bkey[i] = k;
		if (k >= 0) {
			c->keys[k].nbindings++;
			continue;
		}
		obj = binding_object(b);
		findings_add(c->out, SEV_ERROR, F_UNKNOWN_KEY, FK_BINDING,
		    (ssize_t)i, obj, "line %d binds key '%s', which the file "
		    "does not define; add the key or unbind it.", b->line,
		    b->key);
		free(obj);
	}
	check_conflicts(c);
}

/* Listeners against bindings: the failure certbind exists to prevent. */

static void
check_probable_moves(struct check *c, const unsigned char *lstate)
{
	const struct config		*cf = c->cf;
	const struct config_binding	*b;
	const struct config_listener	*l;
	struct endpoint			*seen;
	size_t				 i, j, nseen = 0;
	char				 from[ENDPOINT_STRLEN], to[ENDPOINT_STRLEN];
	char				*obj;
	struct finding			*f;

	seen = xcalloc(c->nb, sizeof *seen);
	for (i = 0; i < c->nb; i++) {
		b = config_binding(cf, i);
		if (!endpoint_is_concrete(&b->ep) ||
		    binding_has_listener(c, &b->ep))
			continue;
		for (j = 0; j < nseen; j++)
			if (endpoint_cmp(&seen[j], &b->ep) == 0)
				break;
		if (j != nseen)
			continue;
		for (j = 0; j < config_nlisteners(cf); j++) {
			l = config_listener(cf, j);
			if (endpoint_any_addr(&l->ep) || l->ep.port != b->ep.port ||
			    lstate[j] == 2)
				continue;
			seen[nseen++] = b->ep;
			endpoint_format(&b->ep, from);
			endpoint_format(&l->ep, to);
			obj = binding_object(b);
			findings_add(c->out, SEV_WARNING, F_PROBABLE_MOVE,
			    FK_BINDING, (ssize_t)i, obj, "the site on %s seems "
			    "to have moved to %s, which is served %s; move its "
			    "bindings with: certbind move %s %s", from, to,
			    lstate[j] == 0 ? "by nothing" : "only by a default",
			    from, to);
			free(obj);
			f = &c->out->v[c->out->n - 1];
			f->move_from = xstrdup(from);
			f->move_to = xstrdup(to);
			break;
		}
	}
	free(seen);
}

static void
check_listeners(struct check *c)
{
	const struct config		*cf = c->cf;
	const struct config_listener	*l;
	const struct config_binding	*b;
	struct resolver			*r;
	unsigned char			*lstate;
	const char			*key;
	size_t				 i;
	char				 ep[ENDPOINT_STRLEN], *obj;

	if (c->nl == 0)
		return;		/* no server section: nothing to compare */
	r = resolver_new(cf);
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
			key = serving_key(cf, r, &l->ep);
			findings_add(c->out, SEV_INFO, F_DEFAULT_SERVED,
			    FK_LISTENER, (ssize_t)i, ep, "served only through "
			    "an \"all unassigned\" binding%s%s%s; make sure "
			    "that is the certificate meant for it, or bind "
			    "one to %s.", key != NULL ? " (key " : "",
			    key != NULL ? key : "", key != NULL ? ")" : "", ep);
		}
	}
	for (i = 0; i < c->nb; i++) {
		b = config_binding(cf, i);
		if (binding_has_listener(c, &b->ep))
			continue;
		obj = binding_object(b);
		findings_add(c->out, SEV_WARNING, F_STALE_BINDING, FK_BINDING,
		    (ssize_t)i, obj, "no listener receives connections for "
		    "this binding (line %d); it was probably left behind by a "
		    "move: move it (certbind move) or unbind it.", b->line);
		free(obj);
	}
	check_probable_moves(c, lstate);
	free(lstate);
	resolver_free(r);
}

/* The host: addresses certbindd could never bind. */

struct addrcache {
	struct endpoint	*v;	/* address only, port 0 */
	int		*local;
	size_t		 n, cap;
};

static int
addr_local(struct addrcache *ac, const struct endpoint *ep)
{
	struct endpoint	 a = with_any_port(ep);
	size_t		 i;

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

static void
check_addresses(struct check *c)
{
	const struct config	*cf = c->cf;
	struct addrcache	 ac = { NULL, NULL, 0, 0 };
	const struct endpoint	*ep;
	size_t			 i;
	char			 text[ENDPOINT_STRLEN], *obj;

	for (i = 0; i < c->nl; i++) {
		ep = &config_listener(cf, i)->ep;
		if (endpoint_any_addr(ep) || addr_local(&ac, ep))
			continue;
		endpoint_format(ep, text);
		findings_add(c->out, SEV_WARNING, F_ADDRESS_NOT_LOCAL,
		    FK_LISTENER, (ssize_t)i, text, "this host has no such "
		    "address, so certbindd cannot listen on it; add the "
		    "address to an interface or move the listener.");
	}
	for (i = 0; i < c->nb; i++) {
		ep = &config_binding(cf, i)->ep;
		if (endpoint_any_addr(ep) || addr_local(&ac, ep))
			continue;
		obj = binding_object(config_binding(cf, i));
		findings_add(c->out, SEV_WARNING, F_ADDRESS_NOT_LOCAL,
		    FK_BINDING, (ssize_t)i, obj, "this host has no such "
		    "address, so no connection can arrive on it; move the "
		    "binding (certbind move) to an address the host has.");
		free(obj);
	}
	free(ac.v);
	free(ac.local);
}

/* Files: keys, certificates, requests. */

static gid_t
server_gid(const struct config *cf, int *have)
{
	const struct config_server	*s = config_server(cf);
	struct group			*gr;
	struct passwd			*pw;

	*have = 0;
	if (s == NULL)
		return 0;
	if (s->group != NULL && (gr = getgrnam(s->group)) != NULL) {
		*have = 1;
		return gr->gr_gid;
	}
	if (s->user != NULL && (pw = getpwnam(s->user)) != NULL) {
		*have = 1;
		return pw->pw_gid;
	}
	return 0;
}

/* 0 present, -1 missing (finding added). */
static int
file_present(struct check *c, struct findings *out, size_t k,
    const char *what, const char *path)
{
	const struct config_key	*key = config_key(c->cf, k);
	struct stat		 st;

	if (lstat(path, &st) == 0)
		return 0;
	findings_add(out, SEV_ERROR, F_MISSING_FILE, FK_KEY, (ssize_t)k,
	    key->name, "the %s file %s cannot be found (%s); restore it or "
	    "fix the path on line %d.", what, path, strerror(errno),
	    key->line);
	return -1;
}

static void
check_key_files(struct check *c, size_t k, const struct trust *trust,
    struct findings *out)
{
	const struct config	*cf = c->cf;
	const struct config_key	*key = config_key(cf, k);
	struct keystate		*ks = &c->keys[k];
	struct privkey		*pk = NULL;
	struct stat		 st;
	struct tm		 tm;
	char			*path, *cause = NULL, *missing = NULL;
	char			 when[32];
	long			 days;
	time_t			 tt;
	int			 have_gid;
	gid_t			 gid;

	path = config_resolve_path(cf, key->key);
	if (file_present(c, out, k, "key", path) == 0) {
		if (privkey_load(path, &pk, &st, &cause) != 0) {
			findings_add(out, SEV_ERROR, F_UNREADABLE, FK_KEY,
			    (ssize_t)k, key->name, "%s", cause);
			free(cause);
			cause = NULL;
		} else {
			gid = c->server_gid;
			have_gid = c->have_server_gid;
			if (st.st_mode & S_IRWXO)
				findings_add(out, SEV_ERROR,
				    F_KEY_PERMISSIONS, FK_KEY, (ssize_t)k,
				    key->name, "the private key %s is "
				    "readable by others (mode %04o); run "
				    "chmod 600 %s.", path,
				    (unsigned)(st.st_mode & 07777), path);
			else if ((st.st_mode & S_IRWXG) &&
			    (!have_gid || st.st_gid != gid))
				findings_add(out, SEV_ERROR,
				    F_KEY_PERMISSIONS, FK_KEY, (ssize_t)k,
				    key->name, "the private key %s is "
				    "readable by group %u, which is not the "
				    "server's (mode %04o); run chmod 600 %s.",
				    path, (unsigned)st.st_gid,
				    (unsigned)(st.st_mode & 07777), path);
			if (privkey_bits(pk) != 0 && privkey_bits(pk) < 2048 &&
			    strcmp(privkey_type(pk), "RSA") == 0)
				findings_add(out, SEV_WARNING, F_WEAK_KEY,
				    FK_KEY, (ssize_t)k, key->name, "RSA key "
				    "of %u bits; make a new key of at least "
				    "2048 bits (certbind renew %s).",
				    privkey_bits(pk), key->name);
		}
	}
	free(path);

	if (key->request != NULL) {
		path = config_resolve_path(cf, key->request);
		(void)file_present(c, out, k, "request", path);
		free(path);
	}

	if (key->cert == NULL) {
		privkey_free(pk);
		return;
	}
	path = config_resolve_path(cf, key->cert);
	if (file_present(c, out, k, "certificate", path) != 0 ||
	    cert_load(path, &ks->cert, &cause) != 0) {
		if (cause != NULL)
			findings_add(out, SEV_ERROR, F_UNREADABLE, FK_KEY,
			    (ssize_t)k, key->name, "%s", cause);
		free(cause);
		free(path);
		privkey_free(pk);
		return;
	}
	ks->usable = 1;
	if (pk != NULL && !privkey_matches_cert(pk, ks->cert)) {
		ks->usable = 0;
		findings_add(out, SEV_ERROR, F_KEY_MISMATCH, FK_KEY,
		    (ssize_t)k, key->name, "the private key %s does not "
		    "belong to the certificate %s; certbindd cannot serve "
		    "it. Install the certificate issued for this key.",
		    key->key, key->cert);
	}
	days = cert_days_left(ks->cert, c->now);
	if (c->now >= cert_not_after(ks->cert)) {
		ks->usable = 0;
		findings_add(out, SEV_ERROR, F_EXPIRED, FK_KEY, (ssize_t)k,
		    key->name, "the certificate expired %ld day%s ago; "
		    "renew it (certbind renew %s).", -days,
		    days == -1 ? "" : "s", key->name);
	} else if (c->now < cert_not_before(ks->cert)) {
		ks->usable = 0;
		tt = cert_not_before(ks->cert);
		gmtime_r(&tt, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
		findings_add(out, SEV_ERROR, F_NOT_YET_VALID, FK_KEY,
		    (ssize_t)k, key->name, "the certificate is not valid "
		    "before %s; clients will refuse it until then (check the "
		    "clock, or the certificate).", when);
	} else if (days <= c->opts->warn_days)
		findings_add(out, SEV_WARNING, F_EXPIRING, FK_KEY,
		    (ssize_t)k, key->name, "the certificate expires in %ld "
		    "day%s; renew it (certbind renew %s).", days,
		    days == 1 ? "" : "s", key->name);
	if (cert_sig_is_weak(ks->cert))
		findings_add(out, SEV_WARNING, F_WEAK_KEY, FK_KEY,
		    (ssize_t)k, key->name, "the certificate is signed with "
		    "%s, which clients reject; ask the CA for a SHA-256 one.",
		    cert_sig_algo(ks->cert));
	if (strcmp(cert_key_type(ks->cert), "RSA") == 0 &&
	    cert_key_bits(ks->cert) < 2048 && pk == NULL)
		findings_add(out, SEV_WARNING, F_WEAK_KEY, FK_KEY,
		    (ssize_t)k, key->name, "RSA key of %u bits; make a new key "
		    "of at least 2048 bits (certbind renew %s).",
		    cert_key_bits(ks->cert), key->name);
	if (trust != NULL && !cert_chain_complete(ks->cert, trust, &missing)) {
		findings_add(out, SEV_WARNING, F_CHAIN_INCOMPLETE, FK_KEY,
		    (ssize_t)k, key->name, "the chain in %s stops before a "
		    "root: the issuer %s is missing. Append the CA's "
		    "intermediate certificates to the file.", key->cert,
		    missing != NULL ? missing : "(unknown)");
		free(missing);
	}
	free(path);
	privkey_free(pk);
}

/*
 * The file checks are most of the time of a check on a large store (each
 * key and certificate parsed, matched and chain-checked) and each key is
 * independent of the others, so they run on every core: workers take key
 * indexes from a shared counter and collect findings in lists of their
 * own, merged in key order afterwards (check_config sorts them anyway).
 * Only c->keys[k] is written, by the one worker that took k; the trust
 * store is read-only by then.
 */
#define CHECK_MAX_THREADS	8
#define CHECK_KEYS_PER_THREAD	64

struct keywork {
	struct check		*c;
	const struct trust	*trust;
	size_t			*next;
	struct findings		 out;
};

static void *
key_worker(void *arg)
{
	struct keywork	*w = arg;
	size_t		 nk = config_nkeys(w->c->cf), k;

	while ((k = __atomic_fetch_add(w->next, 1, __ATOMIC_RELAXED)) < nk)
		check_key_files(w->c, k, w->trust, &w->out);
	return NULL;
}

static void
check_all_key_files(struct check *c, const struct trust *trust)
{
	struct keywork	 w[CHECK_MAX_THREADS];
	pthread_t	 tid[CHECK_MAX_THREADS];
	size_t		 nk = config_nkeys(c->cf), next = 0, i, j, n;
	long		 cpus;

	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	n = cpus < 1 ? 1 : (size_t)cpus;
	if (n > CHECK_MAX_THREADS)
		n = CHECK_MAX_THREADS;
	if (n > nk / CHECK_KEYS_PER_THREAD)
		n = nk / CHECK_KEYS_PER_THREAD;
	if (n < 2) {
		for (i = 0; i < nk; i++)
			check_key_files(c, i, trust, c->out);
		return;
	}
	for (i = 0; i < n; i++) {
		w[i] = (struct keywork){ c, trust, &next, FINDINGS_INIT };
		if (i > 0 && pthread_create(&tid[i], NULL, key_worker,
		    &w[i]) != 0)
			break;	/* fewer threads; the others do the work */
	}
	key_worker(&w[0]);
	for (j = 1; j < i; j++)
		pthread_join(tid[j], NULL);
	for (j = 0; j < i; j++) {
		for (size_t f = 0; f < w[j].out.n; f++) {
			if (c->out->n == c->out->cap) {
				c->out->cap = c->out->cap ? c->out->cap * 2 :
				    16;
				c->out->v = xreallocarray(c->out->v,
				    c->out->cap, sizeof *c->out->v);
			}
			c->out->v[c->out->n++] = w[j].out.v[f];
		}
		free(w[j].out.v);	/* the findings moved, not copied */
	}
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
check_orphans(struct check *c)
{
	const struct config	*cf = c->cf;
	const struct config_key	*key;
	char			**files = NULL, **refs, *key_paths[3];
	size_t			 nfiles = 0, nrefs = 0, i, j;

	if (store_list_files(cf, &files, &nfiles) != 0)
		return;
	refs = xcalloc(config_nkeys(cf) * 3, sizeof *refs);
	for (i = 0; i < config_nkeys(cf); i++) {
		key = config_key(cf, i);
		key_paths[0] = key->key;
		key_paths[1] = key->cert;
		key_paths[2] = key->request;
		for (j = 0; j < 3; j++)
			if (key_paths[j] != NULL)
				refs[nrefs++] = config_resolve_path(cf,
				    key_paths[j]);
	}
	qsort(refs, nrefs, sizeof *refs, str_cmp);
	for (i = 0; i < nfiles; i++) {
		if (nrefs != 0 && bsearch(&files[i], refs, nrefs,
		    sizeof *refs, str_cmp) != NULL)
			continue;
		findings_add(c->out, SEV_INFO, F_ORPHAN_FILE, FK_FILE, -1,
		    files[i], "no key in the config refers to this file; "
		    "import it (certbind import) or remove it.");
	}
	for (i = 0; i < nrefs; i++)
		free(refs[i]);
	free(refs);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
}

static void
check_files(struct check *c)
{
	const struct config		*cf = c->cf;
	const struct config_server	*s = config_server(cf);
	const struct config_binding	*b;
	struct trust			*trust = NULL;
	const char			*tf;
	char				*cause = NULL, *obj, *probe;
	char				*trust_path = NULL;
	size_t				 i;
	ssize_t				 k;

	tf = c->opts->trust_file;
	if (tf == NULL && s != NULL && s->trust != NULL)
		tf = trust_path = config_resolve_path(cf, s->trust);
	if (trust_load(tf, &trust, &cause) != 0) {
		findings_add(c->out, SEV_WARNING, F_CHAIN_INCOMPLETE, FK_FILE,
		    -1, tf != NULL ? tf : TRUST_DEFAULT_FILE, "the trust "
		    "store cannot be read, so chains were not checked: %s",
		    cause);
		free(cause);
		trust = NULL;
	}
	check_all_key_files(c, trust);
	trust_free(trust);
	free(trust_path);

	for (i = 0; i < c->nb; i++) {
		b = config_binding(cf, i);
		if ((k = c->bkey[i]) < 0 || b->sni == NULL ||
		    c->keys[k].cert == NULL)
			continue;
		/* A wildcard sni is covered only by a wildcard name. */
		probe = strncmp(b->sni, "*.", 2) == 0 ?
		    xasprintf("certbind-wildcard-probe%s", b->sni + 1) :
		    xstrdup(b->sni);
		if (!cert_covers_name(c->keys[k].cert, probe)) {
			obj = binding_object(b);
			findings_add(c->out, SEV_WARNING, F_SNI_NOT_IN_CERT,
			    FK_BINDING, (ssize_t)i, obj, "the certificate of "
			    "key '%s' does not name %s, so clients asking for "
			    "it will reject the certificate; bind a key whose "
			    "certificate covers it.", b->key, b->sni);
			free(obj);
		}
		free(probe);
	}
	check_orphans(c);
}

/*
 * Keys as the file describes them: pending ones, and usable ones that
 * nothing serves. Without opts->files a key with a certificate counts as
 * usable; with it, only one whose certificate loaded and is valid.
 */
static void
check_keys(struct check *c)
{
	const struct config	*cf = c->cf;
	const struct config_key	*key;
	struct stat		 st;
	char			*path;
	size_t			 k;
	long			 days;
	int			 usable;

	for (k = 0; k < config_nkeys(cf); k++) {
		key = config_key(cf, k);
		if (key->cert == NULL && key->request == NULL)
			findings_add(c->out, SEV_INFO, F_PENDING, FK_KEY,
			    (ssize_t)k, key->name, "has no certificate and no "
			    "request; install one (certbind install FILE "
			    "--name %s).", key->name);
		else if (key->cert == NULL) {
			path = config_resolve_path(cf, key->request);
			days = -1;
			if (c->opts->files && stat(path, &st) == 0)
				days = c->now > st.st_mtime ? (long)((c->now -
				    st.st_mtime) / SECONDS_PER_DAY) : 0;
			if (days >= 0)
				findings_add(c->out, SEV_INFO, F_PENDING,
				    FK_KEY, (ssize_t)k, key->name, "waiting "
				    "for its certificate: the request %s was "
				    "made %ld day%s ago; install the CA's "
				    "answer with certbind install FILE.",
				    key->request, days, days == 1 ? "" : "s");
			else
				findings_add(c->out, SEV_INFO, F_PENDING,
				    FK_KEY, (ssize_t)k, key->name, "waiting "
				    "for its certificate (request %s); install "
				    "the CA's answer with certbind install "
				    "FILE.", key->request);
			free(path);
		}
		usable = c->opts->files ? c->keys[k].usable : key->cert != NULL;
		if (usable && c->keys[k].nbindings == 0)
			findings_add(c->out, SEV_INFO, F_UNBOUND_KEY, FK_KEY,
			    (ssize_t)k, key->name, "a usable key that nothing "
			    "serves; bind it (certbind bind %s ENDPOINT) or "
			    "leave it for later.", key->name);
	}
}

void
check_config(const struct config *cf, const struct check_opts *opts,
    struct findings *out)
{
	struct check	 c;
	size_t		 i, nk = config_nkeys(cf);

	memset(&c, 0, sizeof c);
	c.cf = cf;
	c.opts = opts;
	c.out = out;
	c.now = opts->now != 0 ? opts->now : time(NULL);
	c.keys = xcalloc(nk, sizeof *c.keys);
	build_sets(&c);
	check_bindings(&c);
	check_listeners(&c);
	if (!opts->offline)
		check_addresses(&c);
	if (opts->files) {
		c.server_gid = server_gid(cf, &c.have_server_gid);
		check_files(&c);
	}
	check_keys(&c);
	findings_sort(out);

	for (i = 0; i < nk; i++)
		cert_free(c.keys[i].cert);
	free(c.keys);
	free(c.bkey);
	free(c.lsorted);
	free(c.lports);
	free(c.bsorted);
	free(c.bports);
}
