/*
 * certbind rebind FROM TO: every binding of key FROM becomes a binding of
 * key TO, with its endpoint, SNI name, backend and client-certificate
 * settings, in one commit (a re-key: a new key and certificate take over
 * everything an old one served).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "util/xmalloc.h"

static int	cmd_rebind_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_rebind_entry = {
	.name = "rebind",
	.summary = "move every binding of one key to another key",
	.findings = 1,
	.usage = "FROM TO [--dry-run] [--reload]",
	.help =
	"Moves every binding of key FROM to key TO in one change: each keeps\n"
	"its endpoint, SNI name, backend and client-certificate settings, so\n"
	"TO serves exactly what FROM did (a re-key). FROM stays, unbound.\n"
	"Prints each binding moved and the findings the change adds and\n"
	"removes; --dry-run writes nothing; --reload reloads certbindd once\n"
	"the change is saved.",
	.args = { 2, 2, { { "dry-run", 'n', 0 }, { "reload", 0, 0 } } },
	.exec = cmd_rebind_exec
};

static int
cmd_rebind_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct config_binding	*b;
	struct config_binding		 opts;
	struct config			*after;
	struct endpoint			 ep;
	const char			*from = args_string(args, 0);
	const char			*to = args_string(args, 1);
	char				*sni, *cause = NULL, buf[ENDPOINT_STRLEN];
	size_t				 i, moved = 0;
	ssize_t				 j;
	int				 dry = args_has(args, "dry-run"), rc;

	if ((after = cmd_edit(ctx)) == NULL)
		return EXIT_CANNOT;
	if (config_key_find(after, from) == NULL ||
	    config_key_find(after, to) == NULL) {
		cmd_error("there is no key named '%s'; certbind list shows the "
		    "keys", config_key_find(after, from) == NULL ? from : to);
		return EXIT_REFUSED;
	}
	if (strcmp(from, to) == 0) {
		cmd_error("FROM and TO are the same key, '%s'", from);
		return EXIT_CANNOT;
	}
	for (i = 0; i < config_nbindings(after); i++) {
		b = config_binding(after, i);
		if (strcmp(b->key, from) != 0)
			continue;
		ep = b->ep;
		sni = b->sni != NULL ? xstrdup(b->sni) : NULL;
		memset(&opts, 0, sizeof opts);
		opts.has_backend = b->has_backend;
		opts.backend = b->backend;
		opts.client_ca = b->client_ca != NULL ?
		    xstrdup(b->client_ca) : NULL;
		opts.client_auth = b->client_auth;
		if (config_bind(after, to, &ep, sni, &cause) != 0 ||
		    config_unbind(after, from, &ep, sni, &cause) != 0) {
			free(sni);
			free(opts.client_ca);
			return cmd_fail(EXIT_REFUSED, cause);
		}
		/* The new binding is the last one: give it the settings. */
		j = (ssize_t)config_nbindings(after) - 1;
		if (config_binding_set(after, (size_t)j, &opts, &cause) != 0) {
			free(sni);
			free(opts.client_ca);
			return cmd_fail(EXIT_REFUSED, cause);
		}
		cmd_info("%s %s%s%s: %s -> %s", dry ? "would move" : "moving",
		    endpoint_format(&ep, buf), sni != NULL ? " sni " : "",
		    sni != NULL ? sni : "", from, to);
		free(sni);
		free(opts.client_ca);
		moved++;
		i = (size_t)-1;		/* the array changed: look again */
	}
	if (moved == 0) {
		cmd_info("key '%s' has no binding; nothing to move", from);
		return EXIT_OK;
	}
	if (dry) {
		printf("findings this would change:\n");
		cmd_findings_diff(stdout, ctx->before, after, 0);
		return EXIT_OK;
	}
	rc = cmd_commit(ctx);
	return rc;
}
