/*
 * certbind move: the moved-site fix in one command. Moves the listener on
 * OLD and every binding on OLD to NEW, and shows what changed and which
 * findings the move adds and removes, before (--dry-run) or as it writes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "util/errlist.h"

static int	cmd_move_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_move_entry = {
	.name = "move",
	.summary = "move a listener and its bindings to a new address",
	.usage = "OLD NEW [--dry-run] [--reload]",
	.help =
	"Moves the listener on endpoint OLD (if any) and every binding on OLD\n"
	"to NEW: what a site's new address needs. Prints each change and\n"
	"the findings it adds (+) and removes (-). --dry-run writes nothing;\n"
	"--reload reloads certbindd once the change is saved.",
	.args = { 2, 2, { { "dry-run", 'n', 0 }, { "reload", 0, 0 } } },
	.exec = cmd_move_exec
};

static int
cmd_move_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct errlist	 changes = ERRLIST_INIT;
	struct config	*after;
	struct endpoint	 from, to;
	char		*cause = NULL;
	size_t		 i;
	int		 rc, dry = args_has(args, "dry-run");

	if (cmd_endpoint(args_string(args, 0), &from) != 0 ||
	    cmd_endpoint(args_string(args, 1), &to) != 0)
		return EXIT_CANNOT;
	if ((after = cmd_edit(ctx)) == NULL)
		return EXIT_CANNOT;
	if (config_move(after, &from, &to, &changes, &cause) < 0) {
		errlist_clear(&changes);
		return cmd_fail(EXIT_REFUSED, cause);
	}
	/* Say "moved" only once it is written: a refused move moved nothing. */
	rc = dry ? EXIT_OK : cmd_commit(ctx);
	if (rc == EXIT_OK) {
		for (i = 0; i < changes.n; i++) {
			fputs(dry ? "would move: " : "moved: ", stdout);
			cmd_puts_escaped(stdout, changes.v[i]);
			fputc('\n', stdout);
		}
		printf("findings %s:\n", dry ? "this would change" :
		    "this changed");
		cmd_findings_diff(stdout, ctx->before, after, 0);
	}
	errlist_clear(&changes);
	return rc;
}
