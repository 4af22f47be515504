/*
 * The effect preview: how a change moves service, for the UI's dialogs,
 * review and walkthrough: for each listener (and each SNI name bound on
 * it) whose serving key, rule or backend differs between two configs, a
 * line such as "127.0.0.3:8443: www (rule) -> api (rule), backend
 * 127.0.0.1:9000 (the binding's)". Both configs are asked with
 * resolver_lookup and config_backend_for, the functions certbindd uses,
 * so the preview says what the server will do.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "core/resolve.h"
#include "core/sni-index.h"
#include "op/effect.h"
#include "util/errlist.h"
#include "util/xmalloc.h"

/* The most lines kept: past that, a preview would not be read anyway. */
#define MAXEFFECT	200

/*
 * Who serves local with sni in c: the binding's index, or -1; *backend
 * (NULL: none) is where certbindd sends that connection, asked of
 * config_backend_for() with the listener on local, the rule it uses.
 */
static ssize_t
serving(const struct config *c, const struct resolver *r,
    const struct endpoint *local, const char *sni, struct resolve_rule *rule,
    const struct endpoint **backend)
{
	const struct config_listener	*l = NULL;
	ssize_t				 i, li;

	*backend = NULL;
	i = resolver_lookup(r, local, sni, rule);
	if (i < 0)
		return -1;
	if ((li = config_listener_find(c, local)) >= 0)
		l = config_listener(c, (size_t)li);
	if (l != NULL)
		*backend = config_backend_for(config_binding(c, (size_t)i), l);
	return i;
}

/* ", backend B (the binding's)" and the like, into buf. */
static const char *
backend_words(const struct endpoint *ba, const struct config *cb, ssize_t ib,
    const struct endpoint *bb, char *buf, size_t len)
{
	char	t1[ENDPOINT_STRLEN], t2[ENDPOINT_STRLEN];
	int	own;

	if (bb == NULL) {
		if (ba == NULL || ib < 0)
			return "";
		snprintf(buf, len, ", backend %s -> none",
		    endpoint_format(ba, t1));
		return buf;
	}
	own = bb == &config_binding(cb, (size_t)ib)->backend;
	endpoint_format(bb, t2);
	if (ba != NULL && endpoint_cmp(ba, bb) != 0)
		snprintf(buf, len, ", backend %s -> %s (%s)",
		    endpoint_format(ba, t1), t2, own ? "the binding's" :
		    "the listener's");
	else
		snprintf(buf, len, ", backend %s (%s)", t2, own ?
		    "the binding's" : "the listener's");
	return buf;
}

static void
effect_one(struct errlist *out, const char *what, const struct config *a,
    const struct resolver *ra, const struct config *b,
    const struct resolver *rb, const struct endpoint *ep, const char *sni)
{
	struct resolve_rule	 rla, rlb;
	const struct endpoint	*ba, *bb;
	const char		*ka, *kb;
	char			 bw[2 * ENDPOINT_STRLEN + 64];
	ssize_t			 ia, ib;

	ia = serving(a, ra, ep, sni, &rla, &ba);
	ib = serving(b, rb, ep, sni, &rlb, &bb);
	ka = ia >= 0 ? config_binding(a, (size_t)ia)->key : NULL;
	kb = ib >= 0 ? config_binding(b, (size_t)ib)->key : NULL;
	/* A new listener nothing serves is news too. */
	if (ka == NULL && kb == NULL && (sni != NULL ||
	    strstr(what, "(new listener)") == NULL))
		return;
	/* The same key by the same rule to the same backend: no news. */
	if (ka != NULL && kb != NULL && strcmp(ka, kb) == 0 &&
	    rla.level == rlb.level && rla.sni == rlb.sni &&
	    (ba == NULL) == (bb == NULL) &&
	    (ba == NULL || endpoint_cmp(ba, bb) == 0))
		return;
	if (out->n >= MAXEFFECT)
		return;
	errlist_add(out, "%s%s%s: %s%s%s%s -> %s%s%s%s%s", what,
	    sni != NULL ? " sni=" : "", sni != NULL ? sni : "",
	    ka != NULL ? ka : "nothing",
	    ka != NULL ? " (" : "", ka != NULL ? resolve_rule_describe(&rla) :
	    "", ka != NULL ? ")" : "",
	    kb != NULL ? kb : "nothing",
	    kb != NULL ? " (" : " [UNSERVED]",
	    kb != NULL ? resolve_rule_describe(&rlb) : "",
	    kb != NULL ? ")" : "",
	    backend_words(ba, b, ib, bb, bw, sizeof bw));
}

static int
name_cmp(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether a change at one of the touched endpoints can reach ep. */
static int
is_near(const struct endpoint *ep, const struct endpoint *touched,
    size_t ntouched)
{
	size_t	i;

	if (ntouched == 0)
		return 1;
	for (i = 0; i < ntouched; i++) {
		if (endpoint_overlaps(&touched[i], ep) ||
		    endpoint_overlaps(ep, &touched[i]))
			return 1;
	}
	return 0;
}

size_t
effect_lines(const struct config *before, const struct resolver *rbefore,
    const struct sni_index *sxbefore, const struct config *after,
    const struct endpoint *touched, size_t ntouched, struct errlist *out)
{
	const struct config	*cs[2] = { before, after };
	const struct config_listener *l;
	const struct sni_index	*sx[2];
	struct sni_index	*sxa = NULL, *sxb;
	const struct resolver	*ra;
	struct resolver		*rab = NULL, *rb;
	char			 ep[ENDPOINT_STRLEN], *what;
	const char		**names = NULL;
	size_t			 start = out->n, i, j, c, k, *idx = NULL;
	size_t			 nidx, cap = 0, nnames;

	/* A caller that keeps before's resolver and index lends them. */
	ra = rbefore != NULL ? rbefore : (rab = resolver_new(before));
	sx[0] = sxbefore != NULL ? sxbefore : (sxa = sni_index_new(before));
	rb = resolver_new(after);
	sx[1] = sxb = sni_index_new(after);
	for (c = 0; c < 2; c++) {
		for (i = 0; i < config_nlisteners(cs[c]); i++) {
			l = config_listener(cs[c], i);
			/* A listener in both is reported once, from after. */
			if (c == 0 && config_listener_find(after, &l->ep) >= 0)
				continue;
			if (!is_near(&l->ep, touched, ntouched))
				continue;
			endpoint_format(&l->ep, ep);
			if (c == 0)
				what = xasprintf("%s (listener removed)", ep);
			else if (config_listener_find(before, &l->ep) < 0)
				what = xasprintf("%s (new listener)", ep);
			else
				what = xstrdup(ep);
			effect_one(out, what, before, ra, after, rb, &l->ep,
			    NULL);
			/* Every SNI name bound where the listener is, once. */
			nnames = 0;
			for (k = 0; k < 2; k++) {
				nidx = 0;
				sni_index_find(sx[k], &l->ep, &idx, &nidx, &cap);
				names = xreallocarray(names, nnames + nidx + 1,
				    sizeof *names);
				for (j = 0; j < nidx; j++)
					names[nnames++] =
					    config_binding(cs[k], idx[j])->sni;
			}
			qsort(names, nnames, sizeof *names, name_cmp);
			for (j = 0; j < nnames; j++) {
				if (j > 0 && strcasecmp(names[j - 1],
				    names[j]) == 0)
					continue;
				effect_one(out, what, before, ra, after, rb,
				    &l->ep, names[j]);
			}
			free(what);
		}
	}
	free(names);
	free(idx);
	sni_index_free(sxa);
	resolver_free(rab);
	sni_index_free(sxb);
	resolver_free(rb);
	return out->n - start;
}
