/*
 * Which bindings with an SNI name can apply to a listener (sni-index.c):
 * the index the terminal UI's endpoints pane and the effect preview
 * (op/effect.c) ask instead of scanning every binding per listener.
 */
#ifndef CERTBIND_SNI_INDEX_H
#define CERTBIND_SNI_INDEX_H

#include <stddef.h>

struct config;
struct endpoint;
struct sni_index;

/* An index over cf's bindings; it borrows nothing from cf once made. */
struct sni_index *sni_index_new(const struct config *cf);
void	 sni_index_free(struct sni_index *);
/*
 * The indexes of the bindings with an SNI name that can apply to a
 * listener on ep, in (*out)[0 .. *n - 1]; *out grows as needed (*cap).
 */
void	 sni_index_find(const struct sni_index *, const struct endpoint *ep,
	    size_t **out, size_t *n, size_t *cap);

#endif
