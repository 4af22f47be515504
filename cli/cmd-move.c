/*
 * certbind move: the moved-site fix in one command. Moves the listener on
 * OLD and every binding on OLD to NEW, and shows what changed and which
 * findings the move adds and removes, before (--dry-run) or as it writes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "util/errlist.h"

static int	cmd_move_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_move_entry = {
	"move",
	"OLD NEW [--dry-run]",
	"Moves the listener on endpoint OLD (if any) and every binding on OLD\n"
	"to NEW: what a site's new address needs. Prints each change and\n"
	"the findings it adds (+) and removes (-). --dry-run writes nothing.",
	cmd_move_exec
};

static int
cmd_move_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run",	no_argument,	NULL,	'n' },
		{ NULL,		0,		NULL,	0 }
	};
	struct errlist	 changes = ERRLIST_INIT;
	struct config	*before, *after;
	struct endpoint	 from, to;
	char		*cause = NULL;
	size_t		 i;
	int		 ch, rc, dry = 0;

	while ((ch = cmd_getopt(ctx, &cmd_move_entry, argc, argv, "n",
	    longopts)) != -1) {
		switch (ch) {
		case 'n':
			dry = 1;
			break;
		default:
			return EXIT_CANNOT;
		}
	}
	if (argc - optind != 2) {
		cmd_usage(stderr, &cmd_move_entry);
		return EXIT_CANNOT;
	}
	if (endpoint_parse(argv[optind], &from, &cause) != 0 ||
	    endpoint_parse(argv[optind + 1], &to, &cause) != 0) {
		cmd_error("%s", cause);
		free(cause);
		return EXIT_CANNOT;
	}
	if ((before = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	after = config_dup(before);
	if (config_move(after, &from, &to, &changes, &cause) < 0) {
		cmd_error("%s", cause);
		free(cause);
		rc = EXIT_REFUSED;
		goto out;
	}
	/* Say "moved" only once it is written: a refused move moved nothing. */
	rc = dry ? EXIT_OK : cmd_commit(ctx, before, after);
	if (rc != EXIT_OK)
		goto out;
	for (i = 0; i < changes.n; i++) {
		fputs(dry ? "would move: " : "moved: ", stdout);
		cmd_puts_escaped(stdout, changes.v[i]);
		fputc('\n', stdout);
	}
	printf("findings %s:\n", dry ? "this would change" : "this changed");
	cmd_findings_diff(stdout, before, after, 0);
out:
	errlist_clear(&changes);
	config_free(after);
	config_free(before);
	return rc;
}
