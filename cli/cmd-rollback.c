/*
 * certbind rollback: puts back the config as it was before the last save,
 * from FILE.bak, after showing the difference. The file being replaced
 * becomes the new FILE.bak, so a second rollback undoes the first.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cmd.h"
#include "op/commit.h"
#include "op/location.h"
#include "op/reload.h"
#include "core/config.h"
#include "util/diff.h"
#include "util/errlist.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

static int	cmd_rollback_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_rollback_entry = {
	.name = "rollback",
	.summary = "restore a previous version of the config",
	.usage = "[--to N] [--dry-run] [--reload] | --list",
	.help =
	"Restores a previous config, after printing how it differs from the "
	"current one (- current, + restored) and the findings that changes. "
	"Each save keeps the version it replaces as FILE.bak, and the ones "
	"before as FILE.bak.2 up to FILE.bak.5: --to N restores generation "
	"N (1, the default, is FILE.bak), --list shows them. The current "
	"file becomes FILE.bak, so rollback again undoes the rollback. A "
	"rollback to a version with errors the current one does not have is "
	"refused unless --force. --dry-run shows it all and writes nothing; "
	"--reload reloads certbindd once it is restored.",
	.args = { 0, 0, {
		{ "to", 0, ARGS_VALUE },
		{ "dry-run", 'n', 0 },
		{ "list", 0, 0 },
		{ "reload", 0, 0 }
	} },
	.exec = cmd_rollback_exec
};

/* rollback --list: each generation kept, newest first. */
/*
 * A version of the config, its relative paths resolved as the config's
 * own: the findings of a rollback compare the files each one names.
 */
static int
parse_here(const char *text, size_t len, const char *name, const char *conf,
    struct config **out, struct errlist *errs)
{
	if (config_parse(text, len, name, out, errs) != 0)
		return -1;
	config_set_path(*out, conf);
	return 0;
}

static int
rollback_list(const char *conf, const struct location *loc)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*cf;
	struct stat	 st;
	struct tm	 tm;
	char		*bak, *gen, *data, *cause = NULL, when[32];
	size_t		 len;
	unsigned	 i, found = 0;

	bak = xasprintf("%s.bak", conf);
	for (i = 1; i <= CONFIG_BACKUPS; i++) {
		gen = fileio_generation(bak, i);
		if (fileio_read(gen, CONFIG_MAX_SIZE, 0, &data, &len, &st,
		    &cause) != 0) {
			free(cause);
			cause = NULL;
			free(gen);
			continue;
		}
		found++;
		localtime_r(&st.st_mtime, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
		if (location_remote(loc))
			printf("%u  revision %lld", i,
			    (long long)location_backup_revision(loc, i));
		else {
			printf("%u  %s  ", i, when);
			cmd_puts_escaped(stdout, gen);
		}
		if (config_parse(data, len, gen, &cf, &errs) == 0) {
			printf("  %zu keys, %zu bindings, %zu listeners\n",
			    config_nkeys(cf), config_nbindings(cf),
			    config_nlisteners(cf));
			config_free(cf);
		} else
			printf("  (does not load)\n");
		errlist_clear(&errs);
		free(data);
		free(gen);
	}
	free(bak);
	if (found == 0) {
		cmd_error("there is no previous version of %s",
		    location_remote(loc) ? location_spec(loc) : conf);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

static int
cmd_rollback_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct errlist		 errs = ERRLIST_INIT;
	struct config		*old = NULL, *now = NULL;
	struct diff_line	*d = NULL;
	struct commit_lock	*lock;
	struct commit_snapshot	 snap;
	char			*bak, *from = NULL, *cur = NULL, *prev = NULL;
	char			*cause = NULL;
	long			 to = 1;
	size_t			 curlen, prevlen, i;
	ssize_t			 n = 0;
	enum location_push_status pushed;
	int			 rc = EXIT_CANNOT, changed;

	if (args_has(args, "list"))
		return rollback_list(ctx->conf_path, ctx->loc);
	if (args_number(args, "to", 1, CONFIG_BACKUPS, &to) != 0) {
		cmd_error("--to '%s': give a generation from 1 (the newest) to "
		    "%d; rollback --list shows them", args_get(args, "to"),
		    CONFIG_BACKUPS);
		return EXIT_CANNOT;
	}
	bak = xasprintf("%s.bak", ctx->conf_path);
	from = fileio_generation(bak, (unsigned)to);
	if (fileio_read(from, CONFIG_MAX_SIZE, 0, &prev, &prevlen, NULL,
	    &cause) != 0) {
		cmd_error("%s", cause);
		cmd_error("there is no such previous version to roll back to");
		goto out;
	}
	if (fileio_read(ctx->conf_path, CONFIG_MAX_SIZE, 0, &cur, &curlen,
	    NULL, &cause) != 0) {
		cmd_error("%s", cause);
		goto out;
	}
	/* In a fleet, the files that version named come back with it. */
	if (!args_has(args, "dry-run") &&
	    location_restore_files(ctx->loc, (unsigned)to, &cause) != 0) {
		cmd_error("%s", cause);
		cmd_error("nothing was changed");
		rc = EXIT_REFUSED;
		goto out;
	}
	if (parse_here(prev, prevlen, from, ctx->conf_path, &old, &errs) != 0) {
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
	if (!ctx->force && parse_here(cur, curlen, ctx->conf_path, ctx->conf_path, &now,
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
	if (args_has(args, "dry-run")) {
		printf("findings this would change:\n");
		if (now == NULL)
			(void)parse_here(cur, curlen, ctx->conf_path, ctx->conf_path, &now,
			    &errs);
		if (now != NULL)
			cmd_findings_diff(stdout, now, old, 0);
		errlist_clear(&errs);
		if (location_remote(ctx->loc))
			fprintf(stderr, "certbind: would restore %s to its "
			    "config of revision %lld; nothing was written\n",
			    location_spec(ctx->loc),
			    (long long)location_backup_revision(ctx->loc,
			    (unsigned)to));
		else
			fprintf(stderr, "certbind: would restore %s from %s; "
			    "nothing was written\n", ctx->conf_path, from);
		rc = EXIT_OK;
		goto out;
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
	if (fileio_write_kept(ctx->conf_path, prev, prevlen, 0640, bak,
	    CONFIG_BACKUPS, &cause) != 0) {
		cmd_error("%s", cause);
		cmd_error("nothing was changed");
		commit_lock_release(lock);
		rc = EXIT_REFUSED;
		goto out;
	}
	if ((pushed = location_push(ctx->loc, NULL, &cause)) !=
	    LOCATION_PUSHED) {
		cmd_error("refused: %s; nothing was changed.", cause);
		commit_lock_release(lock);
		rc = EXIT_REFUSED;
		goto out;
	}
	commit_lock_release(lock);
	if (location_remote(ctx->loc))
		fprintf(stderr, "certbind: restored %s at revision %lld from "
		    "the version before (revision %lld)\n",
		    location_spec(ctx->loc),
		    (long long)location_revision(ctx->loc),
		    (long long)location_backup_revision(ctx->loc,
		    (unsigned)to));
	else
		fprintf(stderr, "certbind: restored %s from %s (what it "
		    "replaced is now in %s)\n", ctx->conf_path, from, bak);
	rc = EXIT_OK;
	if (location_remote(ctx->loc))
		cmd_info("the fleet's nodes load it as they see it: certbind "
		    "probe --fleet shows which serve it");
	else if (args_has(args, "reload"))
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
	free(from);
	return rc;
}
