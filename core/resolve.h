/*
 * Which binding serves a connection (DESIGN.md "Which certificate serves a
 * connection"). certbind resolve, the terminal UI and certbindd all call
 * resolver_lookup(), so what the tool predicts is what the server does.
 *
 * A resolver is an index over a config's bindings, built once: a lookup is
 * a handful of binary searches, never a scan of the bindings.
 */
#ifndef CERTBIND_RESOLVE_H
#define CERTBIND_RESOLVE_H

#include <stddef.h>
#include <sys/types.h>

#include "core/endpoint.h"

struct config;
struct resolver;

enum resolve_level {
	RESOLVE_ADDR_PORT = 1,	/* A:P */
	RESOLVE_ADDR_ANYPORT,	/* A:* */
	RESOLVE_ANYADDR_PORT,	/* *:P */
	RESOLVE_DEFAULT		/* *:* all unassigned */
};

enum resolve_sni {
	RESOLVE_SNI_EXACT = 1,
	RESOLVE_SNI_WILDCARD,
	RESOLVE_SNI_NONE	/* the binding without sni */
};

struct resolve_rule {
	enum resolve_level	level;
	enum resolve_sni	sni;
};

/*
 * Builds the index. The resolver borrows nothing from the config after it
 * returns, but the binding indexes it gives are the config's: rebuild it
 * after the config changes.
 */
struct resolver	*resolver_new(const struct config *);
void		 resolver_free(struct resolver *);

/*
 * The index of the binding that serves a connection to local (a concrete
 * endpoint) with SNI name sni (NULL or "" for none), or -1 when nothing
 * does. rule, if not NULL, says which level and SNI rule chose it.
 * Thread-safe: the resolver is read-only after resolver_new().
 */
ssize_t		 resolver_lookup(const struct resolver *,
		     const struct endpoint *local, const char *sni,
		     struct resolve_rule *rule);

/* "A:P exact sni", "*:* no sni (all unassigned)" ...: a static string. */
const char	*resolve_rule_describe(const struct resolve_rule *);

/*
 * Whether a server name is a DNS name, a leading "*." allowed with
 * wildcard: dnsname_check()'s rule, which also says what is wrong.
 */
int		 resolve_sni_valid(const char *name, int wildcard);

#endif
