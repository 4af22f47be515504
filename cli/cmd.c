/*
 * The command table and what every subcommand shares: loading the config
 * with every error shown, printing untrusted text escaped, and committing a
 * change only when it adds no error finding.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "op/check.h"
#include "core/config.h"
#include "op/commit.h"
#include "util/errlist.h"
#include "util/escape.h"
#include "util/xmalloc.h"

extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_resolve_entry;
extern const struct cmd_entry cmd_bind_entry;
extern const struct cmd_entry cmd_unbind_entry;
extern const struct cmd_entry cmd_listen_entry;
extern const struct cmd_entry cmd_unlisten_entry;
extern const struct cmd_entry cmd_move_entry;
extern const struct cmd_entry cmd_rollback_entry;
/* Key lifecycle. */
extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_request_entry;
extern const struct cmd_entry cmd_install_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_selfsign_entry;
extern const struct cmd_entry cmd_renew_entry;
/* The running server. */
extern const struct cmd_entry cmd_probe_entry;

const struct cmd_entry *cmd_table[] = {
	&cmd_list_entry,
	&cmd_check_entry,
	&cmd_resolve_entry,
	&cmd_bind_entry,
	&cmd_unbind_entry,
	&cmd_listen_entry,
	&cmd_unlisten_entry,
	&cmd_move_entry,
	&cmd_rollback_entry,
	/* CMD_TABLE_LIFECYCLE */
	&cmd_init_entry,
	&cmd_request_entry,
	&cmd_install_entry,
	&cmd_import_entry,
	&cmd_export_entry,
	&cmd_selfsign_entry,
	&cmd_renew_entry,
	/* CMD_TABLE_PROBE */
	&cmd_probe_entry,
	NULL
};

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

void
cmd_usage(FILE *f, const struct cmd_entry *e)
{
	fprintf(f, "usage: certbind [-c FILE] %s %s\n", e->name, e->usage);
}

/* "certbind: MESSAGE" on stderr, escaped with flags. */
static void
say(int flags, const char *fmt, va_list ap)
{
	char	*msg, *esc;

	msg = xvasprintf(fmt, ap);
	esc = escape_str(msg, flags);
	fprintf(stderr, "certbind: %s\n", esc);
	free(esc);
	free(msg);
}

void
cmd_error(const char *fmt, ...)
{
	va_list	 ap;

	/* Core causes arrive escaped already; escape what else is there. */
	va_start(ap, fmt);
	say(ESCAPE_MESSAGE, fmt, ap);
	va_end(ap);
}

void
cmd_info(const char *fmt, ...)
{
	va_list	 ap;

	/* Names and paths in messages may come from files or the user. */
	va_start(ap, fmt);
	say(0, fmt, ap);
	va_end(ap);
}

void
cmd_puts_escaped(FILE *f, const char *s)
{
	char	*esc = escape_str(s, 0);

	fputs(esc, f);
	free(esc);
}

struct config *
cmd_load(struct cmd_ctx *ctx)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*cf = NULL;
	size_t		 i;

	if (commit_load(ctx->conf_path, &ctx->snap, &cf, &errs) != 0) {
		for (i = 0; i < errs.n; i++)
			cmd_error("%s", errs.v[i]);
		if (errs.n == 0)
			cmd_error("%s: cannot be loaded", ctx->conf_path);
		errlist_clear(&errs);
		return NULL;
	}
	errlist_clear(&errs);
	return cf;
}

int
cmd_getopt(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
    char **argv, const char *shortopts, const struct option *longopts)
{
	char	 opts[64];
	int	 ch;

	/* '+' stops at "--"; ':' would hide missing arguments' names. */
	snprintf(opts, sizeof opts, "%s", shortopts);
	ch = getopt_long(argc, argv, opts, longopts, NULL);
	if (ch == '?' || ch == ':')
		cmd_usage(stderr, e);
	return ch;
}

void
cmd_print_finding(FILE *f, const struct finding *fd, const char *prefix)
{
	char	*esc;

	fprintf(f, "%s%s %s ", prefix, severity_name(fd->severity), fd->code);
	cmd_puts_escaped(f, fd->object);
	fputs(": ", f);
	esc = escape_str(fd->message, ESCAPE_MESSAGE);
	fputs(esc, f);
	free(esc);
	fputc('\n', f);
}

void
cmd_print_findings(FILE *f, const struct findings *fs, const char *prefix)
{
	size_t	 i;

	for (i = 0; i < fs->n; i++)
		cmd_print_finding(f, &fs->v[i], prefix);
}

size_t
cmd_findings_diff(FILE *f, const struct config *before,
    const struct config *after, int errors_only)
{
	struct findings	 added = FINDINGS_INIT, removed = FINDINGS_INIT;
	size_t		 i, nerr;

	nerr = commit_findings(before, after, &added, &removed);
	for (i = 0; i < added.n && f != NULL; i++)
		if (!errors_only || added.v[i].severity == SEV_ERROR)
			cmd_print_finding(f, &added.v[i], "  + ");
	if (f != NULL && !errors_only)
		cmd_print_findings(f, &removed, "  - ");
	findings_clear(&added);
	findings_clear(&removed);
	return nerr;
}

int
cmd_commit(struct cmd_ctx *ctx, const struct config *before,
    const struct config *after)
{
	struct findings		 errors = FINDINGS_INIT;
	struct commit_lock	*lock;
	enum commit_status	 st;
	char			*cause = NULL;

	if ((lock = commit_lock_take(ctx->conf_path, &cause)) == NULL) {
		cmd_error("refused: %s: %s; nothing was written.",
		    ctx->conf_path, cause);
		free(cause);
		return EXIT_REFUSED;
	}
	if (before != NULL && config_had_comments(before) &&
	    (ctx->force || cmd_findings_diff(NULL, before, after, 1) == 0))
		cmd_error("note: %s has comments, which certbind does not "
		    "keep; the file as it was is kept in %s.bak.",
		    ctx->conf_path, ctx->conf_path);
	st = commit(ctx->conf_path, lock, &ctx->snap, before, after,
	    ctx->force ? COMMIT_FORCE : 0, &errors, &cause);
	commit_lock_release(lock);
	switch (st) {
	case COMMIT_SAVED:
		break;
	case COMMIT_ADDS_ERRORS:
		cmd_error("refused: this change adds errors:");
		cmd_print_findings(stderr, &errors, "  + ");
		cmd_error("nothing was written; use --force to write it "
		    "anyway.");
		break;
	case COMMIT_CHANGED:
		cmd_error("refused: %s; run the command again.", cause);
		break;
	case COMMIT_FAILED:
		cmd_error("%s", cause);
		cmd_error("nothing was written.");
		break;
	}
	findings_clear(&errors);
	free(cause);
	if (st != COMMIT_SAVED)
		return EXIT_REFUSED;
	fprintf(stderr, "certbind: saved ");
	cmd_puts_escaped(stderr, ctx->conf_path);
	fprintf(stderr, " (the previous version is in ");
	cmd_puts_escaped(stderr, ctx->conf_path);
	fprintf(stderr, ".bak)\n");
	return EXIT_OK;
}
