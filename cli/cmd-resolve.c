/*
 * certbind resolve: which key serves a connection, and why. It calls the
 * same resolver_lookup() as certbindd, so the answer is the server's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/dnsname.h"
#include "core/endpoint.h"
#include "core/resolve.h"

static int	cmd_resolve_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_resolve_entry = {
	.name = "resolve",
	.usage = "ENDPOINT [--sni NAME]",
	.help =
	"Prints which key serves a connection to ENDPOINT (an address and a\n"
	"port, as a client connects to) with SNI NAME, or none: the key's\n"
	"name, the binding that matched, and the rule that chose it.\n"
	"Exits 3 when nothing serves it: certbindd would refuse the\n"
	"handshake.",
	.args = { 1, 1, { { "sni", 0, ARGS_VALUE } } },
	.exec = cmd_resolve_exec
};

static int
cmd_resolve_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct config_binding	*b;
	struct resolve_rule		 rule;
	struct resolver			*r;
	struct config			*cf;
	struct endpoint			 ep;
	const char			*sni = args_get(args, "sni");
	char				 text[ENDPOINT_STRLEN], *cause = NULL;
	ssize_t				 i;

	if (cmd_endpoint(args_string(args, 0), &ep) != 0)
		return EXIT_CANNOT;
	if (!endpoint_is_concrete(&ep)) {
		cmd_error("resolve needs the address and port a client "
		    "connects to, not '%s'", args_string(args, 0));
		return EXIT_CANNOT;
	}
	if (sni != NULL && *sni != '\0' && dnsname_check(sni, 0, &cause) != 0) {
		cmd_error("--sni '%s' is not a host name: %s", sni, cause);
		free(cause);
		return EXIT_CANNOT;
	}
	if ((cf = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	r = resolver_new(cf);
	i = resolver_lookup(r, &ep, sni, &rule);
	resolver_free(r);
	endpoint_format(&ep, text);
	if (i < 0) {
		if (sni != NULL)
			cmd_error("nothing serves %s with sni %s: certbindd "
			    "refuses the handshake", text, sni);
		else
			cmd_error("nothing serves %s without sni: certbindd "
			    "refuses the handshake", text);
		return EXIT_NONE;
	}
	b = config_binding(cf, (size_t)i);
	endpoint_format(&b->ep, text);
	cmd_puts_escaped(stdout, b->key);
	printf("  %s", text);
	if (b->sni != NULL) {
		fputs(",sni=", stdout);
		cmd_puts_escaped(stdout, b->sni);
	}
	printf("  %s (line %d)\n", resolve_rule_describe(&rule), b->line);
	return EXIT_OK;
}
