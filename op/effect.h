/*
 * The effect preview (effect.c): how a change moves service. For each
 * listener, and each SNI name bound on it, whose serving key or rule
 * differs between two configs, a line such as
 * "127.0.0.3:8443: www (address:port) -> api (address:port)", asked of
 * resolver_lookup(), the function certbindd uses.
 */
#ifndef CERTBIND_OP_EFFECT_H
#define CERTBIND_OP_EFFECT_H

#include <stddef.h>

struct config;
struct endpoint;
struct errlist;
struct resolver;
struct sni_index;

/*
 * Appends the lines of the change from before to after to out (at most
 * a few hundred: past that nobody reads a preview), and returns how many
 * it appended. rbefore and sxbefore, when not NULL, are before's resolver
 * and SNI index, lent by a caller that keeps them. With ntouched > 0,
 * only listeners that the touched endpoints can reach are asked about.
 * The lines quote config text: escape them before showing.
 */
size_t	 effect_lines(const struct config *before,
	    const struct resolver *rbefore, const struct sni_index *sxbefore,
	    const struct config *after, const struct endpoint *touched,
	    size_t ntouched, struct errlist *out);

#endif
