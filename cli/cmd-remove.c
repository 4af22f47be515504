/*
 * certbind remove NAME: a key leaves the config (an installed key, a
 * pending request, or a pending renewal NAME-renew), and its files move
 * to the store's removed/ directory, not destroyed. Refused while the key
 * is bound, unless --force, which removes its bindings too.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "op/location.h"
#include "core/config.h"
#include "op/lifecycle.h"
#include "util/errlist.h"

static int	cmd_remove_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_remove_entry = {
	.name = "remove",
	.summary = "take a key out of the config; files kept in removed/",
	.usage = "NAME [--dry-run] [--force]",
	.help =
	"Removes key NAME from the config: an installed key, a pending "
	"request, or a pending renewal (NAME-renew, made by certbind renew). "
	"Its key, certificate and request files, and its ACME state, are "
	"moved to the store's removed/NAME-TIME/ directory (mode 0700), not "
	"destroyed. A key that is bound is refused, naming a binding; with "
	"--force its bindings are removed too, even when that leaves a "
	"listener unserved. --dry-run says what would go and writes nothing.",
	.args = { 1, 1, { { "dry-run", 'n', 0 } } },
	.exec = cmd_remove_exec
};

static int
cmd_remove_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct lifecycle_removed lr;
	struct errlist		 warn = ERRLIST_INIT;
	const char		*name = args_string(args, 0);
	char			*cause = NULL;
	size_t			 i, moved;
	int			 rc, dry = args_has(args, "dry-run");

	if (cmd_load(ctx) == NULL)
		return EXIT_CANNOT;
	if (lifecycle_remove(ctx->before, name, ctx->force, &ctx->after, &lr,
	    &cause) == -1)
		return cmd_fail(EXIT_REFUSED, cause);
	rc = dry ? EXIT_OK : cmd_commit(ctx);
	if (rc != EXIT_OK) {
		lifecycle_removed_free(&lr);
		return rc;
	}
	for (i = 0; i < lr.nbindings; i++)
		cmd_info("%s: %s %s", dry ? "would unbind" : "unbound", name,
		    lr.bindings[i]);
	if (dry) {
		cmd_info("would remove key '%s'", name);
		for (i = 0; i < lr.nfiles; i++)
			cmd_info("would move %s to %s/", lr.files[i], lr.dir);
		printf("findings this would change:\n");
		cmd_findings_diff(stdout, ctx->before, ctx->after, 0);
		lifecycle_removed_free(&lr);
		return EXIT_OK;
	}
	moved = lifecycle_remove_files(&lr, &warn);
	for (i = 0; i < warn.n; i++)
		cmd_error("%s", warn.v[i]);
	/* In etcd the move is a second transaction, after the config's. */
	if (moved > 0 && location_push(ctx->loc, NULL, &cause) !=
	    LOCATION_PUSHED) {
		cmd_error("%s", cause);
		cmd_error("the key is removed from the config, but its files "
		    "are still in etcd where they were");
		free(cause);
		moved = 0;
	}
	if (moved > 0)
		cmd_info("key '%s' removed; its %zu file%s moved to %s/", name,
		    moved, moved == 1 ? "" : "s", lr.dir);
	else
		cmd_info("key '%s' removed", name);
	if (lr.nbindings > 0)
		cmd_info("certbindd serves the change once reloaded (certbind "
		    "reload)");
	errlist_clear(&warn);
	lifecycle_removed_free(&lr);
	return EXIT_OK;
}
