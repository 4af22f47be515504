/*
 * The effect preview (effect.c): how a change moves service. For each
 * listener, and each SNI name bound on it, whose serving key, rule or
 * backend differs between two configs, a line such as
 * "127.0.0.3:8443: www (address:port) -> api (address:port), backend
 * 127.0.0.1:9000 (the binding's)", asked of resolver_lookup() and
 * config_backend_for(), the functions certbindd uses. The backend is the
 * one a connection reaches after the change (and before it, when that
 * differs); "(the binding's)" or "(the listener's)" says whose it is.
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
