/*
 * certbind listen and unlisten: certbindd's listeners, each an endpoint
 * with the plaintext backend it forwards to.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"

static int	cmd_listen_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_listen_entry = {
	.name = "listen",
	.usage = "ENDPOINT --backend ADDR:PORT",
	.help =
	"Adds a listener: certbindd accepts TLS on ENDPOINT ('*:443' for all\n"
	"addresses) and forwards the plaintext to the backend ADDR:PORT.",
	.args = { 1, 1, { { "backend", 0, ARGS_VALUE | ARGS_REQUIRED } } },
	.exec = cmd_listen_exec
};

const struct cmd_entry cmd_unlisten_entry = {
	.name = "unlisten",
	.usage = "ENDPOINT",
	.help =
	"Removes the listener on ENDPOINT. Its bindings stay (check shows\n"
	"them as stale).",
	.args = { .lower = 1, .upper = 1 },
	.exec = cmd_listen_exec
};

static int
cmd_listen_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct config	*after;
	struct endpoint	 ep, backend;
	const char	*text = args_string(args, 0);
	const char	*btext;
	char		*cause = NULL;
	int		 listen = ctx->entry == &cmd_listen_entry;

	if (cmd_endpoint(text, &ep) != 0)
		return EXIT_CANNOT;
	if (listen) {
		btext = args_get(args, "backend");
		if (endpoint_any_port(&ep)) {
			cmd_error("a listener needs a port: '%s'", text);
			return EXIT_CANNOT;
		}
		if (endpoint_parse(btext, &backend, &cause) != 0) {
			cmd_error("--backend: %s", cause);
			free(cause);
			return EXIT_CANNOT;
		}
		if (!endpoint_is_concrete(&backend)) {
			cmd_error("--backend '%s' must be an address and a "
			    "port, without '*'", btext);
			return EXIT_CANNOT;
		}
	}
	if ((after = cmd_edit(ctx)) == NULL)
		return EXIT_CANNOT;
	if ((listen ? config_listen(after, &ep, &backend, &cause) :
	    config_unlisten(after, &ep, &cause)) != 0)
		return cmd_fail(EXIT_REFUSED, cause);
	return cmd_commit(ctx);
}
