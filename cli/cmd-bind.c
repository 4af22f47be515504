/*
 * certbind bind and unbind: one binding of a key to an endpoint, with an
 * optional SNI name. Both go through cmd_commit(), which refuses a change
 * that adds an error finding.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "core/resolve.h"

static int	cmd_bind_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_bind_entry = {
	"bind",
	"KEY ENDPOINT [--sni NAME]",
	"Binds KEY to ENDPOINT: ADDRESS:PORT, where '*' stands for all\n"
	"unassigned addresses or ports ('*:*' is the default for everything\n"
	"unassigned). With --sni, only for clients that ask for NAME\n"
	"('*.example.com' matches one label).",
	cmd_bind_exec
};

const struct cmd_entry cmd_unbind_entry = {
	"unbind",
	"KEY ENDPOINT [--sni NAME]",
	"Removes the binding of KEY to ENDPOINT (with --sni, the binding for\n"
	"that name; without, the one with no sni).",
	cmd_bind_exec
};

static int
cmd_bind_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sni",	required_argument,	NULL,	's' },
		{ NULL,		0,			NULL,	0 }
	};
	const struct cmd_entry	*e;
	struct config		*before, *after;
	struct endpoint		 ep;
	const char		*sni = NULL, *key;
	char			*cause = NULL;
	int			 ch, rc, bind;

	bind = argv[0][0] == 'b';
	e = bind ? &cmd_bind_entry : &cmd_unbind_entry;
	while ((ch = cmd_getopt(ctx, e, argc, argv, "", longopts)) != -1) {
		switch (ch) {
		case 's':
			sni = optarg;
			break;
		default:
			return EXIT_CANNOT;
		}
	}
	if (argc - optind != 2) {
		cmd_usage(stderr, e);
		return EXIT_CANNOT;
	}
	key = argv[optind];
	if (endpoint_parse(argv[optind + 1], &ep, &cause) != 0) {
		cmd_error("%s", cause);
		free(cause);
		return EXIT_CANNOT;
	}
	if (sni != NULL && !resolve_sni_valid(sni, 1)) {
		cmd_error("--sni '%s' is not a host name or a *.wildcard", sni);
		return EXIT_CANNOT;
	}
	if ((before = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	after = config_dup(before);
	if (bind && config_key_find(after, key) == NULL) {
		cmd_error("there is no key named '%s'; certbind list shows the "
		    "keys", key);
		rc = EXIT_REFUSED;
	} else if ((bind ? config_bind(after, key, &ep, sni, &cause) :
	    config_unbind(after, key, &ep, sni, &cause)) != 0) {
		cmd_error("%s", cause);
		free(cause);
		rc = EXIT_REFUSED;
	} else
		rc = cmd_commit(ctx, before, after);
	config_free(after);
	config_free(before);
	return rc;
}
