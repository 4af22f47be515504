/*
 * certbind listen and unlisten: certbindd's listeners, each an endpoint
 * with the plaintext backend it forwards to.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"

static int	cmd_listen_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_listen_entry = {
	"listen",
	"ENDPOINT --backend ADDR:PORT",
	"Adds a listener: certbindd accepts TLS on ENDPOINT ('*:443' for all\n"
	"addresses) and forwards the plaintext to the backend ADDR:PORT.",
	cmd_listen_exec
};

const struct cmd_entry cmd_unlisten_entry = {
	"unlisten",
	"ENDPOINT",
	"Removes the listener on ENDPOINT. Its bindings stay (check shows\n"
	"them as stale).",
	cmd_listen_exec
};

static int
cmd_listen_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backend",	required_argument,	NULL,	'b' },
		{ NULL,		0,			NULL,	0 }
	};
	const struct cmd_entry	*e;
	struct config		*before, *after;
	struct endpoint		 ep, backend;
	const char		*btext = NULL;
	char			*cause = NULL;
	int			 ch, rc, listen;

	listen = argv[0][0] == 'l';
	e = listen ? &cmd_listen_entry : &cmd_unlisten_entry;
	while ((ch = cmd_getopt(ctx, e, argc, argv, "", listen ? longopts :
	    longopts + 1)) != -1) {
		switch (ch) {
		case 'b':
			btext = optarg;
			break;
		default:
			return EXIT_CANNOT;
		}
	}
	if (argc - optind != 1 || (listen && btext == NULL)) {
		cmd_usage(stderr, e);
		return EXIT_CANNOT;
	}
	if (endpoint_parse(argv[optind], &ep, &cause) != 0) {
		cmd_error("%s", cause);
		free(cause);
		return EXIT_CANNOT;
	}
	if (listen) {
		if (endpoint_any_port(&ep)) {
			cmd_error("a listener needs a port: '%s'",
			    argv[optind]);
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
	if ((before = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	after = config_dup(before);
	if ((listen ? config_listen(after, &ep, &backend, &cause) :
	    config_unlisten(after, &ep, &cause)) != 0) {
		cmd_error("%s", cause);
		free(cause);
		rc = EXIT_REFUSED;
	} else
		rc = cmd_commit(ctx, before, after);
	config_free(after);
	config_free(before);
	return rc;
}
