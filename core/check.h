/*
 * The findings on the config model alone: what certbind check can say
 * without opening a key or certificate file (DESIGN.md "Findings").
 * op/check.h's check_config() runs these and the file checks together;
 * callers outside the library use that.
 */
#ifndef CERTBIND_CORE_CHECK_H
#define CERTBIND_CORE_CHECK_H

#include "core/findings.h"

struct config;
struct config_binding;
struct endpoint;

/* What the file checks learnt about one key, for the model's checks. */
struct check_keyfacts {
	int	 usable;	/* its certificate loaded, matches and is valid */
	long	 request_days;	/* age of its request file in days; -1: unknown */
};

/*
 * The addresses the host is taken to hold instead of asking it (certbind
 * check --assume-addresses): n address blocks, each net/bits.
 */
struct check_assume {
	const struct endpoint	*net;
	const unsigned		*bits;
	size_t			 n;
};

/*
 * Appends the model's findings on cf to out (unsorted): conflict,
 * unknown-key, unserved-listener, stale-binding, default-served,
 * probable-move, pending, unbound-key and address-not-local: against
 * assume when it is not NULL, else against the host's interfaces unless
 * offline. facts, one per key index, may be NULL: a key with a
 * certificate then counts as usable.
 */
void	 check_model(const struct config *, int offline,
	    const struct check_assume *assume,
	    const struct check_keyfacts *facts, struct findings *out);

/* A binding as findings name it: "KEY@ENDPOINT[,sni=NAME]", allocated. */
char	*check_binding_object(const struct config_binding *);

#endif
