/*
 * The effect preview: how a change moves service, for the UI's dialogs,
 * review and walkthrough: for each listener (and each SNI name bound on
 * it) whose serving key differs between two configs, a line such as
 * "127.0.0.3:8443: www -> api (rule)". Both configs are asked with
 * resolver_lookup, the function certbindd uses, so the preview says what
 * the server will do.
 */

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

/* The name of the key serving local with sni in c, or "(none)". */
static const char *
serving(const struct config *c, const struct resolver *r,
    const struct endpoint *local, const char *sni, struct resolve_rule *rule)
{
	ssize_t	i;

	i = resolver_lookup(r, local, sni, rule);
	if (i < 0)
		return NULL;
	return config_binding(c, (size_t)i)->key;
}

static void
effect_one(struct errlist *out, const char *what, const struct config *a,
    const struct resolver *ra, const struct config *b,
    const struct resolver *rb, const struct endpoint *ep, const char *sni)
{
	struct resolve_rule	 rla, rlb;
	const char		*ka, *kb;

	ka = serving(a, ra, ep, sni, &rla);
	kb = serving(b, rb, ep, sni, &rlb);
	/* A new listener nothing serves is news too. */
	if (ka == NULL && kb == NULL && (sni != NULL ||
	    strstr(what, "(new listener)") == NULL))
		return;
	if (ka != NULL && kb != NULL && strcmp(ka, kb) == 0 &&
	    rla.level == rlb.level && rla.sni == rlb.sni)
		return;
	if (out->n >= MAXEFFECT)
		return;
	errlist_add(out, "%s%s%s: %s%s%s%s -> %s%s%s%s", what,
	    sni != NULL ? " sni=" : "", sni != NULL ? sni : "",
	    ka != NULL ? ka : "nothing",
	    ka != NULL ? " (" : "", ka != NULL ? resolve_rule_describe(&rla) :
	    "", ka != NULL ? ")" : "",
	    kb != NULL ? kb : "nothing",
	    kb != NULL ? " (" : " [UNSERVED]",
	    kb != NULL ? resolve_rule_describe(&rlb) : "",
	    kb != NULL ? ")" : "");
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
