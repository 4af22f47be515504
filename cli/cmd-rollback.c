/*
 * certbind rollback: puts back the config as it was before the last save,
 * from FILE.bak, after showing the difference. The file being replaced
 * becomes the new FILE.bak, so a second rollback undoes the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "op/commit.h"
#include "op/reload.h"
#include "core/config.h"
#include "util/diff.h"
#include "util/errlist.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

static int	cmd_rollback_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_rollback_entry = {
	.name = "rollback",
	.usage = "[--reload]",
	.help =
	"Restores the previous config from FILE.bak, after printing how it\n"
	"differs from the current one (- current, + restored). The current\n"
	"file becomes FILE.bak, so rollback again undoes the rollback. A\n"
	"rollback to a version with errors the current one does not have is\n"
	"refused unless --force. --reload reloads certbindd once it is\n"
	"restored.",
	.args = { 0, 0, { { "reload", 0, 0 } } },
	.exec = cmd_rollback_exec
};

static int
cmd_rollback_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct errlist		 errs = ERRLIST_INIT;
	struct config		*old = NULL, *now = NULL;
	struct diff_line	*d = NULL;
	struct commit_lock	*lock;
	struct commit_snapshot	 snap;
	char			*bak, *cur = NULL, *prev = NULL, *cause = NULL;
	size_t			 curlen, prevlen, i;
	ssize_t			 n = 0;
	int			 rc = EXIT_CANNOT, changed;

	bak = xasprintf("%s.bak", ctx->conf_path);
	if (fileio_read(bak, CONFIG_MAX_SIZE, 0, &prev, &prevlen, NULL,
	    &cause) != 0) {
		cmd_error("%s", cause);
		cmd_error("there is no previous version to roll back to");
		goto out;
	}
	if (fileio_read(ctx->conf_path, CONFIG_MAX_SIZE, 0, &cur, &curlen,
	    NULL, &cause) != 0) {
		cmd_error("%s", cause);
		goto out;
	}
	if (config_parse(prev, prevlen, bak, &old, &errs) != 0) {
		for (i = 0; i < errs.n; i++)
			cmd_error("%s", errs.v[i]);
		cmd_error("the backup does not load; nothing was changed");
		rc = EXIT_REFUSED;
		goto out;
	}
	if (curlen == prevlen && memcmp(cur, prev, curlen) == 0) {
		fprintf(stderr, "certbind: the backup is the same as the "
		    "current file; nothing to do\n");
		rc = EXIT_OK;
		goto out;
	}
	/* A rollback is a change like any other: no new errors unasked. */
	if (!ctx->force && config_parse(cur, curlen, ctx->conf_path, &now,
	    &errs) == 0 && cmd_findings_diff(NULL, now, old, 1) != 0) {
		cmd_error("refused: the previous version has errors the "
		    "current one does not:");
		cmd_findings_diff(stderr, now, old, 1);
		cmd_error("nothing was changed; use --force to roll back "
		    "anyway.");
		rc = EXIT_REFUSED;
		goto out;
	}
	errlist_clear(&errs);
	if ((n = diff_lines(cur, prev, &d)) < 0)
		printf("(the files are too large to show their difference)\n");
	for (i = 0; n > 0 && i < (size_t)n; i++) {
		if (d[i].op == ' ')
			continue;
		putchar(d[i].op);
		cmd_puts_escaped(stdout, d[i].text);
		putchar('\n');
	}
	/* The same lock and the same changed-on-disk check as a commit. */
	if ((lock = commit_lock_take(ctx->conf_path, &cause)) == NULL) {
		cmd_error("refused: %s: %s; nothing was changed.",
		    ctx->conf_path, cause);
		rc = EXIT_REFUSED;
		goto out;
	}
	snap.data = cur;
	snap.len = curlen;
	snap.exists = 1;
	if ((changed = commit_changed(ctx->conf_path, &snap, &cause)) != 0) {
		if (changed == 1)
			cmd_error("refused: %s changed while rolling back; "
			    "nothing was changed.", ctx->conf_path);
		else
			cmd_error("%s", cause);
		commit_lock_release(lock);
		rc = EXIT_REFUSED;
		goto out;
	}
	if (fileio_write_atomic(ctx->conf_path, prev, prevlen, 0640, bak,
	    &cause) != 0) {
		cmd_error("%s", cause);
		cmd_error("nothing was changed");
		commit_lock_release(lock);
		rc = EXIT_REFUSED;
		goto out;
	}
	commit_lock_release(lock);
	fprintf(stderr, "certbind: restored %s from %s (what it replaced "
	    "is now in %s)\n", ctx->conf_path, bak, bak);
	rc = EXIT_OK;
	if (args_has(args, "reload"))
		rc = cmd_reload(old, RELOAD_VERIFY_MS, NULL, NULL, stdout);
	else
		cmd_reload_reminder(now, old);
out:
	if (n > 0)
		diff_free(d, (size_t)n);
	free(cause);
	errlist_clear(&errs);
	config_free(old);
	config_free(now);
	free(cur);
	free(prev);
	free(bak);
	return rc;
}
