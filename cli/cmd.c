/*
 * The command table and what every subcommand shares: running it with its
 * arguments parsed, loading the config with every error shown, printing
 * untrusted text escaped, and committing a change only when it adds no
 * error finding. A command leaves what it loaded and made in its struct
 * cmd_ctx; cmd_run() frees it, so no command needs an epilogue of its own.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "op/check.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "keys/privkey.h"
#include "op/commit.h"
#include "op/lifecycle.h"
#include "op/location.h"
#include "op/reload.h"
#include "util/errlist.h"
#include "util/escape.h"
#include "util/xmalloc.h"

/*
 * The etcd location the command works on, if any: its messages name the
 * keys in etcd rather than the checkout's files (location_rename()).
 */
static const struct location *msg_loc;

extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_resolve_entry;
extern const struct cmd_entry cmd_bind_entry;
extern const struct cmd_entry cmd_unbind_entry;
extern const struct cmd_entry cmd_listen_entry;
extern const struct cmd_entry cmd_unlisten_entry;
extern const struct cmd_entry cmd_server_entry;
extern const struct cmd_entry cmd_move_entry;
extern const struct cmd_entry cmd_rebind_entry;
extern const struct cmd_entry cmd_rollback_entry;
extern const struct cmd_entry cmd_diff_entry;
extern const struct cmd_entry cmd_note_entry;
extern const struct cmd_entry cmd_copy_entry;
/* Key lifecycle. */
extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_request_entry;
extern const struct cmd_entry cmd_install_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_selfsign_entry;
extern const struct cmd_entry cmd_renew_entry;
extern const struct cmd_entry cmd_remove_entry;
/* The running server. */
extern const struct cmd_entry cmd_probe_entry;
extern const struct cmd_entry cmd_reload_entry;
/* ACME. */
extern const struct cmd_entry cmd_acme_register_entry;
extern const struct cmd_entry cmd_acme_order_entry;
extern const struct cmd_entry cmd_acme_renew_entry;
extern const struct cmd_entry cmd_acme_status_entry;

const struct cmd_entry *cmd_table[] = {
	&cmd_list_entry,
	&cmd_check_entry,
	&cmd_resolve_entry,
	&cmd_bind_entry,
	&cmd_unbind_entry,
	&cmd_listen_entry,
	&cmd_unlisten_entry,
	&cmd_server_entry,
	&cmd_move_entry,
	&cmd_rebind_entry,
	&cmd_rollback_entry,
	&cmd_diff_entry,
	&cmd_note_entry,
	&cmd_copy_entry,
	/* CMD_TABLE_LIFECYCLE */
	&cmd_init_entry,
	&cmd_request_entry,
	&cmd_install_entry,
	&cmd_import_entry,
	&cmd_export_entry,
	&cmd_selfsign_entry,
	&cmd_renew_entry,
	&cmd_remove_entry,
	/* CMD_TABLE_PROBE */
	&cmd_probe_entry,
	&cmd_reload_entry,
	/* CMD_TABLE_ACME */
	&cmd_acme_register_entry,
	&cmd_acme_order_entry,
	&cmd_acme_renew_entry,
	&cmd_acme_status_entry,
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
	fprintf(f, "usage: certbind [-c LOCATION] %s %s\n", e->name, e->usage);
}

/*
 * NAME --help. A command that takes --key-type lists the types from the
 * one table in keys/, so the help cannot name a type certbind lacks.
 */
void
cmd_print_wrapped(FILE *f, const char *text, size_t width)
{
	const char	*p = text, *line, *end, *brk;
	size_t		 len;

	while (*p != '\0') {
		line = p;
		end = strchr(p, '\n');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		/* Break at the last space that keeps the line within width. */
		while (len > width) {
			for (brk = line + width; brk > line && *brk != ' '; brk--)
				;
			if (brk == line)
				break;	/* one long word: leave it whole */
			fprintf(f, "%.*s\n", (int)(brk - line), line);
			len -= (size_t)(brk + 1 - line);
			line = brk + 1;
		}
		fprintf(f, "%.*s\n", (int)len, line);
		p = line + len;
		if (*p == '\n')
			p++;
	}
}

static void
cmd_help(const struct cmd_entry *e)
{
	const char	*t;
	size_t		 i, n;

	cmd_usage(stdout, e);
	putchar('\n');
	cmd_print_wrapped(stdout, e->help, 78);
	for (i = 0; i < ARGS_MAX_OPTIONS && e->args.options[i].name != NULL;
	    i++)
		if (strcmp(e->args.options[i].name, "key-type") == 0)
			break;
	if (i == ARGS_MAX_OPTIONS || e->args.options[i].name == NULL)
		return;
	n = key_type_count();
	printf("\nKey types (TYPE):");
	for (i = 0; i < n; i++) {
		t = key_type_nth(i);
		printf("%s %s%s", i == 0 ? "" : i + 1 == n ? " or" : ",", t,
		    key_type_parse(t) == (int)KEY_TYPE_DEFAULT ?
		    " (the default for a new key)" : "");
	}
	printf(".\n");
}

/* Whether command e takes option name. */
static int
cmd_has_option(const struct cmd_entry *e, const char *name)
{
	size_t	i;

	for (i = 0; i < ARGS_MAX_OPTIONS && e->args.options[i].name != NULL;
	    i++) {
		if (strcmp(e->args.options[i].name, name) == 0)
			return 1;
	}
	return 0;
}

int
cmd_run(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
    char **argv)
{
	struct args	*args;
	int		 rc;

	if ((args = args_parse(e, argc, argv)) == NULL)
		return EXIT_CANNOT;
	if (args_has(args, "help")) {
		cmd_help(e);
		args_free(args);
		return EXIT_OK;
	}
	if (args_has(args, "force"))
		ctx->force = 1;
	ctx->entry = e;
	ctx->reload = cmd_has_option(e, "reload") && args_has(args, "reload");
	ctx->saved = 0;
	if (!e->noconf && cmd_open_location(ctx) != 0) {
		args_free(args);
		return EXIT_CANNOT;
	}
	rc = e->exec(ctx, args);
	/* What the change did to the findings, as move says it. */
	if (rc == EXIT_OK && e->findings && ctx->saved && ctx->after != NULL)
		cmd_findings_changed(ctx->before, ctx->after);
	/* --reload: once the change is saved, the reload's work and verdict. */
	if (rc == EXIT_OK && ctx->reload && ctx->saved && ctx->after != NULL &&
	    !location_remote(ctx->loc))
		rc = cmd_reload(ctx->after, RELOAD_VERIFY_MS, NULL, NULL,
		    stdout);
	cmd_ctx_clear(ctx);
	msg_loc = NULL;
	location_close(ctx->loc);
	ctx->loc = NULL;
	args_free(args);
	return rc;
}

int
cmd_open_location(struct cmd_ctx *ctx)
{
	char	*cause = NULL;

	if (ctx->loc != NULL)
		return 0;
	if (ctx->conf_spec == NULL)
		ctx->conf_spec = ctx->conf_path;
	if (location_open(ctx->conf_spec, LOCATION_HISTORY, &ctx->loc,
	    &cause) != 0) {
		cmd_error("%s", cause);
		free(cause);
		return -1;
	}
	ctx->conf_path = location_path(ctx->loc);
	msg_loc = location_remote(ctx->loc) ? ctx->loc : NULL;
	return 0;
}

void
cmd_ctx_clear(struct cmd_ctx *ctx)
{
	/* Whatever a failed operation made and left marked goes. */
	lifecycle_files_undo(&ctx->lf);
	lifecycle_files_free(&ctx->lf);
	config_free(ctx->after);
	config_free(ctx->before);
	ctx->after = ctx->before = NULL;
	commit_snapshot_clear(&ctx->snap);
}

const struct cmd_entry *
cmd_find_argv(int *argc, char ***argv)
{
	const struct cmd_entry	*e;
	char			*name;

	if ((e = cmd_find((*argv)[0])) != NULL || *argc < 2)
		return e;
	/* A command of two words: "acme order". */
	name = xasprintf("%s %s", (*argv)[0], (*argv)[1]);
	if ((e = cmd_find(name)) != NULL) {
		(*argc)--;
		(*argv)++;
	}
	free(name);
	return e;
}

char *
cmd_name_paths(const char *text)
{
	return msg_loc != NULL ? location_rename(msg_loc, text) : NULL;
}

/* "certbind: MESSAGE" on stderr, escaped with flags. */
static void
say(int flags, const char *fmt, va_list ap)
{
	char	*msg, *esc, *named;

	msg = xvasprintf(fmt, ap);
	if (msg_loc != NULL && (named = location_rename(msg_loc, msg)) !=
	    NULL) {
		free(msg);
		msg = named;
	}
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

int
cmd_fail(int rc, char *cause)
{
	cmd_error("%s", cause);
	free(cause);
	return rc;
}

int
cmd_backend(const char *text, struct endpoint *ep)
{
	char	*cause = NULL;

	if (endpoint_parse(text, ep, &cause) != 0) {
		cmd_error("--backend: %s", cause);
		free(cause);
		return -1;
	}
	if (!endpoint_is_concrete(ep)) {
		cmd_error("--backend '%s' must be an address and a port, "
		    "without '*'", text);
		return -1;
	}
	return 0;
}

int
cmd_endpoint(const char *text, struct endpoint *ep)
{
	char	*cause = NULL;

	if (endpoint_parse(text, ep, &cause) != 0) {
		cmd_fail(0, cause);
		return -1;
	}
	return 0;
}

void
cmd_next_bind(const char *name)
{
	cmd_info("next: certbind bind %s ADDRESS:PORT", name);
}

void
cmd_puts_escaped(FILE *f, const char *s)
{
	char	*esc;

	if (escape_is_plain(s, 0)) {
		fputs(s, f);
		return;
	}
	esc = escape_str(s, 0);
	fputs(esc, f);
	free(esc);
}

struct config *
cmd_load(struct cmd_ctx *ctx)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*cf = NULL;
	size_t		 i;
	int		 dflt = strcmp(ctx->conf_path, CONFIG_DEFAULT_PATH) == 0;

	if (commit_load(ctx->conf_path, &ctx->snap, &cf, &errs) != 0) {
		for (i = 0; i < errs.n; i++)
			cmd_error("%s", errs.v[i]);
		if (errs.n == 0)
			cmd_error("%s: cannot be loaded", ctx->conf_spec);
		/* A first start: say how to begin, not only what is missing. */
		if (!ctx->snap.exists && access(ctx->conf_path, F_OK) == -1 &&
		    errno == ENOENT)
			cmd_error("there is no config yet: make one with "
			    "'certbind%s%s init', or run certbind on a terminal "
			    "and let its walkthrough make it",
			    dflt ? "" : " -c ", dflt ? "" : ctx->conf_spec);
		errlist_clear(&errs);
		return NULL;
	}
	errlist_clear(&errs);
	ctx->before = cf;
	return cf;
}

int
cmd_timeout(struct args *args, int dflt_ms, int *ms)
{
	long	secs = 0;

	*ms = dflt_ms;
	if (args_number(args, "timeout", 1, 600, &secs) != 0) {
		cmd_error("--timeout '%s': give seconds from 1 to 600",
		    args_get(args, "timeout"));
		return -1;
	}
	if (secs != 0)
		*ms = (int)secs * 1000;
	return 0;
}

struct config *
cmd_edit(struct cmd_ctx *ctx)
{
	if (cmd_load(ctx) == NULL)
		return NULL;
	ctx->after = config_dup(ctx->before);
	return ctx->after;
}

void
cmd_print_finding(FILE *f, const struct finding *fd, const char *prefix)
{
	char	*esc;

	char	*named;
	const char *msg = fd->message;

	fputs(prefix, f);
	fputs(severity_name(fd->severity), f);
	fputc(' ', f);
	fputs(fd->code, f);
	fputc(' ', f);
	cmd_puts_escaped(f, fd->object);
	fputs(": ", f);
	/* In etcd, the checkout's files are named as the keys they are. */
	named = msg_loc != NULL ? location_rename(msg_loc, msg) : NULL;
	if (named != NULL)
		msg = named;
	/* Most messages need no escape: no copy for them (check's 100k). */
	if (escape_is_plain(msg, ESCAPE_MESSAGE))
		fputs(msg, f);
	else {
		esc = escape_str(msg, ESCAPE_MESSAGE);
		fputs(esc, f);
		free(esc);
	}
	free(named);
	fputc('\n', f);
}

void
cmd_print_findings(FILE *f, const struct findings *fs, const char *prefix)
{
	size_t	 i;

	for (i = 0; i < fs->n; i++)
		cmd_print_finding(f, &fs->v[i], prefix);
}

void
cmd_findings_changed(const struct config *before, const struct config *after)
{
	struct findings	 added = FINDINGS_INIT, removed = FINDINGS_INIT;

	(void)commit_findings(before, after, &added, &removed);
	if (added.n == 0 && removed.n == 0)
		printf("findings: none added or removed\n");
	else {
		printf("findings this changed:\n");
		cmd_print_findings(stdout, &added, "  + ");
		cmd_print_findings(stdout, &removed, "  - ");
	}
	findings_clear(&added);
	findings_clear(&removed);
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

static int
file_referenced(const struct config *cfg, const char *rel)
{
	const struct config_key	*k;
	size_t			 i;

	for (i = 0; i < config_nkeys(cfg); i++) {
		k = config_key(cfg, i);
		if ((k->key != NULL && strcmp(k->key, rel) == 0) ||
		    (k->cert != NULL && strcmp(k->cert, rel) == 0) ||
		    (k->request != NULL && strcmp(k->request, rel) == 0))
			return 1;
	}
	return 0;
}

/*
 * A save may fail after the new file is in place (keeping the backup, or
 * syncing the directory, failed). Whatever the file on disk refers to
 * must stay; only the rest of the lifecycle files is removed.
 */
static void
commit_files_failed(struct cmd_ctx *ctx)
{
	struct errlist		 errs = ERRLIST_INIT;
	struct config		*disk = NULL;
	struct lifecycle_file	*f[3];
	int			 i;

	f[0] = &ctx->lf.key;
	f[1] = &ctx->lf.req;
	f[2] = &ctx->lf.cert;
	if (!f[0]->created && !f[1]->created && !f[2]->created)
		return;
	if (config_load(ctx->conf_path, &disk, &errs) == 0) {
		for (i = 0; i < 3; i++) {
			if (f[i]->created && f[i]->rel != NULL &&
			    file_referenced(disk, f[i]->rel))
				f[i]->created = 0;
		}
		config_free(disk);
	}
	errlist_clear(&errs);
}

void
cmd_saved_remote(const struct cmd_ctx *ctx)
{
	fprintf(stderr, "certbind: saved ");
	cmd_puts_escaped(stderr, location_spec(ctx->loc));
	fprintf(stderr, " at revision %lld (certbind rollback restores the "
	    "previous one)\n", (long long)location_revision(ctx->loc));
	cmd_info("the fleet's nodes load it as they see it: certbind probe "
	    "--fleet shows which serve it");
}

void
cmd_reload_reminder(const struct config *before, const struct config *after)
{
	char	*cause = NULL;
	pid_t	 pid;

	if (!reload_needed(before, after))
		return;
	if (certbindd_pid(after, &pid, &cause) == 0)
		cmd_info("certbindd (pid %ld) serves the previous version until "
		    "it reloads: certbind reload", (long)pid);
	else if (config_server(after) == NULL ||
	    config_server(after)->pidfile == NULL)
		cmd_info("a running certbindd serves this once it reloads "
		    "(SIGHUP)");
	free(cause);
}

int
cmd_commit(struct cmd_ctx *ctx)
{
	const struct config	*before = ctx->before, *after = ctx->after;
	struct findings		 errors = FINDINGS_INIT;
	struct commit_lock	*lock;
	enum commit_status	 st;
	char			*cause = NULL;
	size_t			 i;

	for (i = 0; i < ctx->lf.warnings.n; i++)
		cmd_info("%s", ctx->lf.warnings.v[i]);
	if ((lock = commit_lock_take(ctx->conf_path, &cause)) == NULL) {
		cmd_error("refused: %s: %s; nothing was written.",
		    ctx->conf_path, cause);
		free(cause);
		commit_files_failed(ctx);
		return EXIT_REFUSED;
	}
	/*
	 * libconfig drops comments: refuse to lose them unasked, before
	 * anything is written (a warning after the save came too late).
	 */
	if (before != NULL && config_had_comments(before) && !ctx->force) {
		cmd_error("refused: %s has comments, which certbind does not "
		    "keep (it writes the file anew); nothing was written. Run "
		    "again with --force to write it without them: the file "
		    "as it is now is kept in %s.bak.", ctx->conf_path,
		    ctx->conf_path);
		commit_lock_release(lock);
		commit_files_failed(ctx);
		return EXIT_REFUSED;
	}
	if (before != NULL && config_had_comments(before))
		cmd_error("note: %s has comments, which certbind does not "
		    "keep; the file as it was is kept in %s.bak.",
		    ctx->conf_path, ctx->conf_path);
	st = commit(ctx->conf_path, ctx->loc, lock, &ctx->snap, before, after,
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
	if (st != COMMIT_SAVED) {
		commit_files_failed(ctx);
		return EXIT_REFUSED;
	}
	lifecycle_files_keep(&ctx->lf);
	ctx->saved = 1;
	if (ctx->loc != NULL && location_remote(ctx->loc)) {
		cmd_saved_remote(ctx);
		return EXIT_OK;
	}
	fprintf(stderr, "certbind: saved ");
	cmd_puts_escaped(stderr, ctx->conf_path);
	fprintf(stderr, " (the previous version is in ");
	cmd_puts_escaped(stderr, ctx->conf_path);
	fprintf(stderr, ".bak)\n");
	if (!ctx->reload)
		cmd_reload_reminder(before, after);
	return EXIT_OK;
}
