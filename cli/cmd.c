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
#include "core/check.h"
#include "core/config.h"
#include "core/errlist.h"
#include "core/escape.h"
#include "core/xmalloc.h"

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

void
cmd_error(const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *esc;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* Core causes arrive escaped already; escape what else is there. */
	esc = escape_str(msg, ESCAPE_MESSAGE);
	fprintf(stderr, "certbind: %s\n", esc);
	free(esc);
	free(msg);
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

	if (config_load(ctx->conf_path, &cf, &errs) != 0) {
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

static int
finding_same(const struct finding *a, const struct finding *b)
{
	return a->severity == b->severity && strcmp(a->code, b->code) == 0 &&
	    strcmp(a->object, b->object) == 0;
}

static int
finding_in(const struct findings *fs, const struct finding *f)
{
	size_t	 i;

	/* Findings are few next to bindings; a scan keeps this obvious. */
	for (i = 0; i < fs->n; i++)
		if (finding_same(&fs->v[i], f))
			return 1;
	return 0;
}

size_t
cmd_findings_diff(FILE *f, const struct config *before,
    const struct config *after, int errors_only)
{
	struct findings		 a = FINDINGS_INIT, b = FINDINGS_INIT;
	struct check_opts	 o;
	size_t			 i, added = 0;

	check_opts_default(&o);
	o.offline = 1;
	if (before != NULL)
		check_config(before, &o, &a);
	check_config(after, &o, &b);
	for (i = 0; i < b.n; i++) {
		if (errors_only && b.v[i].severity != SEV_ERROR)
			continue;
		if (!finding_in(&a, &b.v[i])) {
			if (f != NULL)
				cmd_print_finding(f, &b.v[i], "  + ");
			if (b.v[i].severity == SEV_ERROR)
				added++;
		}
	}
	for (i = 0; i < a.n && f != NULL && !errors_only; i++)
		if (!finding_in(&b, &a.v[i]))
			cmd_print_finding(f, &a.v[i], "  - ");
	findings_clear(&a);
	findings_clear(&b);
	return added;
}

int
cmd_commit(struct cmd_ctx *ctx, const struct config *before,
    const struct config *after)
{
	char	*cause = NULL;

	if (!ctx->force && cmd_findings_diff(NULL, before, after, 1) != 0) {
		cmd_error("refused: this change adds errors:");
		cmd_findings_diff(stderr, before, after, 1);
		cmd_error("nothing was written; use --force to write it "
		    "anyway.");
		return EXIT_REFUSED;
	}
	if (before != NULL && config_had_comments(before))
		cmd_error("note: %s has comments, which certbind does not "
		    "keep; the file as it was is kept in %s.bak.",
		    ctx->conf_path, ctx->conf_path);
	if (config_save(after, ctx->conf_path, &cause) != 0) {
		cmd_error("%s", cause);
		cmd_error("nothing was written.");
		free(cause);
		return EXIT_REFUSED;
	}
	fprintf(stderr, "certbind: saved ");
	cmd_puts_escaped(stderr, ctx->conf_path);
	fprintf(stderr, " (the previous version is in ");
	cmd_puts_escaped(stderr, ctx->conf_path);
	fprintf(stderr, ".bak)\n");
	return EXIT_OK;
}
