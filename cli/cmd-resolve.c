/*
 * certbind resolve: which key serves a connection, and why. It calls the
 * same resolver_lookup() as certbindd, so the answer is the server's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "core/resolve.h"

static int	cmd_resolve_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_resolve_entry = {
	"resolve",
	"ENDPOINT [--sni NAME]",
	"Prints which key serves a connection to ENDPOINT (an address and a\n"
	"port, as a client connects to) with SNI NAME, or none: the key's\n"
	"name, the binding that matched, and the rule that chose it.\n"
	"Exits 3 when nothing serves it: certbindd would refuse the\n"
	"handshake.",
	cmd_resolve_exec
};

static int
cmd_resolve_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sni",	required_argument,	NULL,	's' },
		{ NULL,		0,			NULL,	0 }
	};
	const struct config_binding	*b;
	struct resolve_rule		 rule;
	struct resolver			*r;
	struct config			*cf;
	struct endpoint			 ep;
	const char			*sni = NULL;
	char				*cause = NULL, text[ENDPOINT_STRLEN];
	ssize_t				 i;
	int				 ch;

	while ((ch = cmd_getopt(ctx, &cmd_resolve_entry, argc, argv, "",
	    longopts)) != -1) {
		switch (ch) {
		case 's':
			sni = optarg;
			break;
		default:
			return EXIT_CANNOT;
		}
	}
	if (argc - optind != 1) {
		cmd_usage(stderr, &cmd_resolve_entry);
		return EXIT_CANNOT;
	}
	if (endpoint_parse(argv[optind], &ep, &cause) != 0) {
		cmd_error("%s", cause);
		free(cause);
		return EXIT_CANNOT;
	}
	if (!endpoint_is_concrete(&ep)) {
		cmd_error("resolve needs the address and port a client "
		    "connects to, not '%s'", argv[optind]);
		return EXIT_CANNOT;
	}
	if (sni != NULL && *sni != '\0' && !resolve_sni_valid(sni, 0)) {
		cmd_error("--sni '%s' is not a host name", sni);
		return EXIT_CANNOT;
	}
	if ((cf = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	r = resolver_new(cf);
	i = resolver_lookup(r, &ep, sni, &rule);
	endpoint_format(&ep, text);
	if (i < 0) {
		if (sni != NULL)
			cmd_error("nothing serves %s with sni %s: certbindd "
			    "refuses the handshake", text, sni);
		else
			cmd_error("nothing serves %s without sni: certbindd "
			    "refuses the handshake", text);
		resolver_free(r);
		config_free(cf);
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
	resolver_free(r);
	config_free(cf);
	return EXIT_OK;
}
