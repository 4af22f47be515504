/*
 * Resolution: the one function that decides which binding serves a
 * connection. The index is a sorted array of (endpoint, sni) keys; a lookup
 * tries the four levels in order and, within a level, up to three keys
 * (exact sni, one-label wildcard, no sni), each a binary search. So the
 * cost of a handshake does not grow with the number of bindings beyond a
 * logarithm, and the same code answers certbind resolve and certbindd.
 *
 * When two bindings share an endpoint and sni (the conflict finding) the
 * one that comes first in the file wins, here and in the server alike.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/dnsname.h"
#include "core/resolve.h"
#include "util/xmalloc.h"

/*
 * An index entry is the binding's slot (endpoint and sni, lower case,
 * with no key) and its place in the file, so that the index sorts by
 * config_binding_cmp(), the same order check uses for conflicts.
 */
struct rentry {
	struct config_binding	 slot;
	size_t			 binding;
};

struct resolver {
	struct rentry	*v;
	size_t		 n;
	char		*names;		/* every sni, lower case, NUL-separated */
};

static int
rentry_cmp(const void *va, const void *vb)
{
	const struct rentry	*a = va, *b = vb;
	int			 r;

	if ((r = config_binding_cmp(&a->slot, &b->slot)) != 0)
		return r;
	/* File order breaks ties, so the first of a conflict wins. */
	return (a->binding > b->binding) - (a->binding < b->binding);
}

/* Like rentry_cmp but without the tie-break: finds any equal key. */
static int
rkey_cmp(const void *va, const void *vb)
{
	const struct rentry	*a = va, *b = vb;

	return config_binding_cmp(&a->slot, &b->slot);
}

struct resolver *
resolver_new(const struct config *cf)
{
	struct resolver			*r;
	const struct config_binding	*b;
	size_t				 i, total = 0, off = 0, len;
	char				*p;

	r = xcalloc(1, sizeof *r);
	r->n = config_nbindings(cf);
	r->v = xcalloc(r->n, sizeof *r->v);
	for (i = 0; i < r->n; i++) {
		b = config_binding(cf, i);
		if (b->sni != NULL && *b->sni != '\0')
			total += strlen(b->sni) + 1;
	}
	r->names = xmalloc(total);
	for (i = 0; i < r->n; i++) {
		b = config_binding(cf, i);
		r->v[i].slot.ep = b->ep;
		r->v[i].binding = i;
		if (b->sni == NULL || *b->sni == '\0')
			continue;
		len = strlen(b->sni);
		p = r->names + off;
		for (size_t j = 0; j <= len; j++)
			p[j] = (char)tolower((unsigned char)b->sni[j]);
		r->v[i].slot.sni = p;
		off += len + 1;
	}
	qsort(r->v, r->n, sizeof *r->v, rentry_cmp);
	return r;
}

void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	free(r->v);
	free(r->names);
	free(r);
}

/* The first entry (in file order) whose key equals (ep, sni), or NULL. */
static const struct rentry *
find(const struct resolver *r, const struct endpoint *ep, char *sni)
{
	struct rentry		 key;
	const struct rentry	*e;

	if (r->n == 0)
		return NULL;
	memset(&key, 0, sizeof key);
	key.slot.ep = *ep;
	key.slot.sni = sni;
	e = bsearch(&key, r->v, r->n, sizeof *r->v, rkey_cmp);
	if (e == NULL)
		return NULL;
	while (e > r->v && rkey_cmp(e - 1, &key) == 0)
		e--;
	return e;
}

ssize_t
resolver_lookup(const struct resolver *r, const struct endpoint *local,
    const char *sni, struct resolve_rule *rule)
{
	static const enum resolve_level levels[] = {
		RESOLVE_ADDR_PORT, RESOLVE_ADDR_ANYPORT,
		RESOLVE_ANYADDR_PORT, RESOLVE_DEFAULT
	};
	char			 lower[256], wild[258];
	const char		*dot;
	const struct rentry	*e;
	struct endpoint		 ep;
	size_t			 i, len = 0;
	int			 have_wild = 0;

	if (sni != NULL && *sni != '\0') {
		if ((len = strlen(sni)) >= sizeof lower)
			len = 0;	/* longer than any DNS name: no sni match */
		for (i = 0; i < len; i++)
			lower[i] = (char)tolower((unsigned char)sni[i]);
		lower[len] = '\0';
		if (len != 0 && (dot = strchr(lower, '.')) != NULL &&
		    dot != lower && dot[1] != '\0') {
			snprintf(wild, sizeof wild, "*%s", dot);
			have_wild = 1;
		}
	}
	for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		ep = *local;
		if (levels[i] == RESOLVE_ANYADDR_PORT ||
		    levels[i] == RESOLVE_DEFAULT) {
			ep.family = AF_UNSPEC;
			memset(ep.addr, 0, sizeof ep.addr);
		}
		if (levels[i] == RESOLVE_ADDR_ANYPORT ||
		    levels[i] == RESOLVE_DEFAULT)
			ep.port = 0;
		if (len != 0 && (e = find(r, &ep, lower)) != NULL) {
			if (rule != NULL)
				*rule = (struct resolve_rule){ levels[i],
				    RESOLVE_SNI_EXACT };
			return (ssize_t)e->binding;
		}
		if (have_wild && (e = find(r, &ep, wild)) != NULL) {
			if (rule != NULL)
				*rule = (struct resolve_rule){ levels[i],
				    RESOLVE_SNI_WILDCARD };
			return (ssize_t)e->binding;
		}
		if ((e = find(r, &ep, NULL)) != NULL) {
			if (rule != NULL)
				*rule = (struct resolve_rule){ levels[i],
				    RESOLVE_SNI_NONE };
			return (ssize_t)e->binding;
		}
	}
	return -1;
}

const char *
resolve_rule_describe(const struct resolve_rule *rule)
{
	static const char *const text[4][3] = {
		{ "address:port, exact sni", "address:port, wildcard sni",
		  "address:port" },
		{ "address, all unassigned ports, exact sni",
		  "address, all unassigned ports, wildcard sni",
		  "address, all unassigned ports" },
		{ "all unassigned addresses, port, exact sni",
		  "all unassigned addresses, port, wildcard sni",
		  "all unassigned addresses, port" },
		{ "all unassigned (default), exact sni",
		  "all unassigned (default), wildcard sni",
		  "all unassigned (default)" },
	};

	if (rule->level < RESOLVE_ADDR_PORT || rule->level > RESOLVE_DEFAULT ||
	    rule->sni < RESOLVE_SNI_EXACT || rule->sni > RESOLVE_SNI_NONE)
		return "unknown rule";
	return text[rule->level - 1][rule->sni - 1];
}

/* The rule is dnsname_check()'s: the one a request's names obey too. */
int
resolve_sni_valid(const char *name, int wildcard)
{
	return dnsname_check(name, wildcard ? DNSNAME_WILDCARD : 0, NULL) == 0;
}
