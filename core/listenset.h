/*
 * Whether any listener reaches a binding: the one rule for "this binding
 * can receive connections". A listener reaches a binding when their
 * endpoints overlap (endpoint_overlaps(): an address or port "*" on
 * either side matches anything). certbind check warns about a binding
 * no listener reaches and the terminal UI's walkthrough marks it; both
 * ask listenset_reaches(), so they cannot disagree.
 *
 * A listenset is an index over a config's listeners, built once: a
 * question is a few binary searches, so checking every binding of a large
 * file does not cost bindings times listeners.
 */
#ifndef CERTBIND_LISTENSET_H
#define CERTBIND_LISTENSET_H

#include "core/endpoint.h"

struct config;
struct listenset;

/* Copies what it needs: the config may change or go after this returns. */
struct listenset *listenset_new(const struct config *);
void		 listenset_free(struct listenset *);

/* Whether some listener accepts connections a binding on ep applies to. */
int		 listenset_reaches(const struct listenset *,
		     const struct endpoint *ep);

/* The same question once, without keeping an index (a single binding). */
int		 listenset_config_reaches(const struct config *,
		     const struct endpoint *ep);

#endif
