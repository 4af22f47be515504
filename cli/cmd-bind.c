/*
 * certbind bind and unbind: one binding of a key to an endpoint, with an
 * optional SNI name. Both go through cmd_commit(), which refuses a change
 * that adds an error finding.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"

static int	cmd_bind_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_bind_entry = {
	.name = "bind",
	.usage = "KEY ENDPOINT [--sni NAME]",
	.help =
	"Binds KEY to ENDPOINT: ADDRESS:PORT, where '*' stands for all\n"
	"unassigned addresses or ports ('*:*' is the default for everything\n"
	"unassigned). With --sni, only for clients that ask for NAME\n"
	"('*.example.com' matches one label).",
	.args = { 2, 2, { { "sni", 0, ARGS_VALUE } } },
	.exec = cmd_bind_exec
};

const struct cmd_entry cmd_unbind_entry = {
	.name = "unbind",
	.usage = "KEY ENDPOINT [--sni NAME]",
	.help =
	"Removes the binding of KEY to ENDPOINT (with --sni, the binding for\n"
	"that name; without, the one with no sni).",
	.args = { 2, 2, { { "sni", 0, ARGS_VALUE } } },
	.exec = cmd_bind_exec
};

static int
cmd_bind_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct config	*after;
	struct endpoint	 ep;
	const char	*sni = args_get(args, "sni");
	const char	*key = args_string(args, 0);
	char		*cause = NULL;
	int		 bind = ctx->entry == &cmd_bind_entry;

	/*
	 * What an sni may be is config_bind()'s to say (the rule a
	 * request's names obey), so it is not checked here.
	 */
	if (cmd_endpoint(args_string(args, 1), &ep) != 0)
		return EXIT_CANNOT;
	if ((after = cmd_edit(ctx)) == NULL)
		return EXIT_CANNOT;
	if (bind && config_key_find(after, key) == NULL) {
		cmd_error("there is no key named '%s'; certbind list shows the "
		    "keys", key);
		return EXIT_REFUSED;
	}
	if ((bind ? config_bind(after, key, &ep, sni, &cause) :
	    config_unbind(after, key, &ep, sni, &cause)) != 0)
		return cmd_fail(EXIT_REFUSED, cause);
	return cmd_commit(ctx);
}
