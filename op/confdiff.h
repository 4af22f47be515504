/*
 * Two configs side by side, as a client sees them: for every endpoint and
 * SNI name either mentions, which key, rule and backend serve a
 * connection before and after (certbind diff; the key manager's review
 * of a proposal). The answers are resolver_lookup()'s and
 * config_backend_for()'s, the functions certbindd uses, so a review
 * predicts what the server will do.
 */
#ifndef CERTBIND_OP_CONFDIFF_H
#define CERTBIND_OP_CONFDIFF_H

#include <stddef.h>

#include "core/endpoint.h"
#include "core/resolve.h"

struct config;

/* Who serves one connection in one config. */
struct confdiff_side {
	int			 served;	/* 0: the handshake is refused */
	const char		*key;		/* borrowed from its config */
	struct resolve_rule	 rule;
	int			 has_backend;
	struct endpoint		 backend;
};

/*
 * One connection: to ep (a concrete endpoint; for a listener on "*", the
 * address 0.0.0.0 stands for "an address nothing names") with sni (NULL:
 * none).
 */
struct confdiff_row {
	struct endpoint		 ep;
	int			 any_addr;	/* ep stands for "*:PORT" */
	char			*sni;
	struct confdiff_side	 before;
	struct confdiff_side	 after;
	int			 changed;	/* key, rule or backend */
};

/*
 * The rows for every concrete endpoint of a listener or binding in either
 * config, each without SNI and with each name bound there in either,
 * sorted by endpoint then name. The rows borrow key names from the two
 * configs: keep them until confdiff_free(). Returns the number of rows
 * that changed.
 */
size_t	 confdiff(const struct config *before, const struct config *after,
	    struct confdiff_row **rows, size_t *nrows);
void	 confdiff_free(struct confdiff_row *, size_t);

#endif
