/*
 * certbind's subcommands: one file each (cmd-NAME.c) defining a struct
 * cmd_entry, listed in cmd.c. An entry declares the options and the
 * number of arguments its command takes; one parser (args.c) reads the
 * command line against that template, so a command's exec function starts
 * with its values in hand and does only its own work.
 *
 * The helpers here are what every command shares: loading the config with
 * every error printed, printing untrusted text escaped, and committing a
 * change through the commit operation. The config a command loads and the
 * change it makes belong to the struct cmd_ctx, and cmd_run() frees them
 * (removing any file a failed lifecycle operation left) after the command.
 */
#ifndef CERTBIND_CMD_H
#define CERTBIND_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "op/commit.h"
#include "op/lifecycle.h"
#include "op/probe.h"

struct config;
struct location;
struct endpoint;
struct subject;

/* Exit statuses (DESIGN.md "The command line"). */
#define EXIT_OK		0
#define EXIT_REFUSED	1	/* errors found, or an operation refused */
#define EXIT_CANNOT	2	/* usage, unreadable or unparsable config */
#define EXIT_NONE	3	/* resolve: nothing serves the endpoint */

/* One option of a command: --NAME, and -L when letter is not 0. */
struct args_option {
	const char	*name;
	char		 letter;
	int		 flags;
#define ARGS_VALUE	0x1	/* takes a value: --name V or --name=V */
#define ARGS_REPEAT	0x2	/* may be given again: args_values() */
#define ARGS_REQUIRED	0x4	/* the usage is printed without it */
};

#define ARGS_MAX_OPTIONS	20	/* certbind server has 17 */

/*
 * What a command takes: lower to upper positional arguments (upper -1:
 * any number), and its options, ended by one with a NULL name. --help
 * (-h) and --force are taken by every command and need no entry.
 */
struct args_template {
	int			 lower;
	int			 upper;
	struct args_option	 options[ARGS_MAX_OPTIONS];
};

/* A command's arguments as parsed; opaque. */
struct args;

struct cmd_entry;
/*
 * Parses argv (argv[0] is the command's name) against e's template, the
 * way getopt_long() would: options and arguments in any order, unique
 * prefixes of long names, "--" ending the options. On a mistake prints
 * what is wrong and the usage to stderr and returns NULL. With --help the
 * rest is not looked at.
 */
struct args	*args_parse(const struct cmd_entry *e, int argc, char **argv);
void		 args_free(struct args *);
/* How many times the option was given ("help" and "force" included). */
int		 args_has(const struct args *, const char *name);
/* The option's value (the last one given), or NULL. Borrowed from argv. */
const char	*args_get(const struct args *, const char *name);
/* Every value of an ARGS_REPEAT option in the order given; *n of them. */
const char *const *args_values(const struct args *, const char *name,
		    size_t *n);
/* The positional arguments. */
size_t		 args_count(const struct args *);
const char	*args_string(const struct args *, size_t i);
/*
 * The option's value as a number from min to max: 0 (v is left alone
 * when the option was not given), or -1 when it is not such a number,
 * for the caller to say so in its own words.
 */
int		 args_number(const struct args *, const char *name, long min,
		    long max, long *v);

struct cmd_ctx {
	const char		*conf_path;	/* -c, $CERTBIND_CONF ... */
	const char		*conf_spec;	/* -c as given: a path or etcd://... */
	/*
	 * Where the config lives (op/location.h), opened by cmd_run(): for
	 * an etcd location conf_path is its checkout's config file.
	 */
	struct location		*loc;
	int			 force;		/* --force: despite errors */
	int			 reload;	/* --reload: after the save */
	int			 saved;		/* cmd_commit() wrote the file */
	const struct cmd_entry	*entry;		/* the command running */
	/* What cmd_load() read, for cmd_commit()'s changed-on-disk check. */
	struct commit_snapshot	 snap;
	/*
	 * The config as loaded and as the command changed it, and the files
	 * a lifecycle operation made for the change. cmd_run() frees them,
	 * and removes the files still marked created.
	 */
	struct config		*before;
	struct config		*after;
	struct lifecycle_files	 lf;
};

struct cmd_entry {
	const char		*name;
	const char		*summary;	/* one line for certbind --help */
	int			 findings;	/* print what a save changes */
	int			 noconf;	/* -c is not used: not opened */
	const char		*usage;		/* after "certbind NAME " */
	const char		*help;		/* for NAME --help */
	struct args_template	 args;
	int			(*exec)(struct cmd_ctx *, struct args *);
};

extern const struct cmd_entry *cmd_table[];
const struct cmd_entry *cmd_find(const char *name);
/*
 * The command argv names: its first word, or its first two ("acme
 * order"), in which case *argc and *argv move past the first. NULL if
 * none.
 */
const struct cmd_entry *cmd_find_argv(int *argc, char ***argv);
void	 cmd_usage(FILE *, const struct cmd_entry *);
/*
 * Runs command e with its arguments (argv[0] its name): parses them,
 * prints the help for --help, runs it and frees what it left in ctx.
 * Returns the exit status.
 */
/*
 * Opens ctx->conf_spec into ctx->loc (an etcd location is checked out)
 * and points conf_path at its config: 0, or -1 with the error said.
 * cmd_run() does it before any command but those marked noconf.
 */
int	 cmd_open_location(struct cmd_ctx *);
/*
 * text with an etcd location's checkout paths named as its keys
 * (location_rename()); NULL when there is nothing to rename.
 */
char	*cmd_name_paths(const char *text);
/* After a save to an etcd location: where and at which revision. */
void	 cmd_saved_remote(const struct cmd_ctx *);
int	 cmd_run(struct cmd_ctx *, const struct cmd_entry *e, int argc,
	    char **argv);
/*
 * Frees what a command loaded and made in ctx, removing the files still
 * marked created: cmd_run() does it after each command, and a command
 * that commits several changes does it between them.
 */
void	 cmd_ctx_clear(struct cmd_ctx *);

/* Prints "certbind: MESSAGE" to stderr, with the message escaped. */
void	 cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Prints "certbind: MESSAGE" on stderr (never stdout: request's stdout is
 * for the PEM). The whole message is escaped: pass raw names and paths.
 */
void	 cmd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* cmd_error() of cause, which it frees; returns rc. */
int	 cmd_fail(int rc, char *cause);
/* endpoint_parse(), saying why not: 0, or -1 after the message. */
int	 cmd_endpoint(const char *text, struct endpoint *);
/* --backend's value: an address and a port, no '*'; else -1, said. */
int	 cmd_backend(const char *text, struct endpoint *);
/*
 * The password source of a command's options: --password-fd N (as
 * /dev/fd/N, written in buf), else --password-file F, else NULL in *src.
 * 0, or -1 after saying what is wrong with N.
 */
int	 cmd_password_source(const struct args *, char *buf, size_t size,
	    const char **src);
/*
 * A password: the first line of file, or asked on the terminal with echo
 * off when file is NULL and standard input is a terminal (twice when
 * confirm). file "-" is standard input, and /dev/fd/N (a shell's <(...))
 * or /dev/stdin a descriptor already open, read up to the first newline
 * and no further. Without either, -1 with a cause saying how to give one.
 * Free it with lifecycle_password_free(), which wipes it.
 */
int	 cmd_password(const char *file, const char *prompt, int confirm,
	    char **pw, char **cause);
/* Reads a whole file given on the command line; "-" is standard input. */
int	 cmd_read(const char *path, char **data, size_t *len, char **cause);
/*
 * --timeout SECONDS (1 to 600) in milliseconds, else dflt_ms: 0, or -1
 * after saying what is wrong.
 */
int	 cmd_timeout(struct args *, int dflt_ms, int *ms);
/*
 * certbind reload's work, for the commands that reload after a change:
 * signals certbindd (server.pidfile), probes until it serves what cf
 * predicts (ok hears each probe that matched) and prints the findings
 * left to out. Returns an exit status.
 */
int	 cmd_reload(const struct config *cf, int timeout_ms, probe_ok_fn ok,
	    void *arg, FILE *out);
/* Prints text to f in lines of at most width, broken at spaces. */
void	 cmd_print_wrapped(FILE *f, const char *text, size_t width);
/* Prints untrusted text to f, escaped. */
void	 cmd_puts_escaped(FILE *f, const char *s);

/*
 * Loads ctx->conf_path into ctx->before, printing every error; NULL on
 * failure. The config stays ctx's.
 */
struct config *cmd_load(struct cmd_ctx *);
/* cmd_load(), then a copy in ctx->after to change; NULL on failure. */
struct config *cmd_edit(struct cmd_ctx *);

/*
 * The commit operation (op/commit.h) for the command line, of the change
 * from ctx->before to ctx->after: takes the lock beside the config
 * (refused, naming the holder, while a UI session or another command
 * holds it), refuses when the file changed since cmd_load() read it, and
 * refuses a change that adds an error finding (printing the new errors)
 * unless ctx->force. Warns first when the file had comments.
 *
 * The files a lifecycle operation made (ctx->lf) are kept when the config
 * was saved, and also when the save failed after the new file was in
 * place (the files it refers to must stay); the others stay marked for
 * cmd_run() to remove. The operation's warnings are printed first.
 * Returns an exit status.
 */
int	 cmd_commit(struct cmd_ctx *);
/*
 * After a save: when certbindd would serve after differently from
 * before (reload_needed()), says that the running certbindd (pid N)
 * needs a reload, or, without server.pidfile, that one does. Quiet when
 * a pidfile names no running certbindd. cmd_commit() calls it.
 */
void	 cmd_reload_reminder(const struct config *before,
	    const struct config *after);

struct finding;
struct findings;

/*
 * cli/json.c: --json. A string (NULL: null; not UTF-8: escaped), a whole
 * document printed (ASCII only) and freed, the findings as an array of
 * { severity, code, object, message, line } (line null when the finding
 * has no line in cf), and their counts { errors, warnings, notes }.
 */
typedef struct json_t json_t;
json_t	*cmd_json_str(const char *);
void	 cmd_json_print(json_t *);
json_t	*cmd_json_findings(const struct config *cf, const struct findings *);
json_t	*cmd_json_counts(const struct findings *);
/* One finding as certbind check prints it: "SEVERITY CODE OBJECT: MSG". */
void	 cmd_print_finding(FILE *, const struct finding *, const char *prefix);
/*
 * Prints to f (if not NULL) the findings after adds ("+ ") and removes
 * ("- ") against before; with errors_only just the added errors. Returns
 * the number of error findings added.
 */
/*
 * After a save: "findings this changed:" and the findings added (+) and
 * removed (-) on stdout, or that there were none.
 */
void	 cmd_findings_changed(const struct config *before,
	    const struct config *after);
size_t	 cmd_findings_diff(FILE *f, const struct config *before,
	    const struct config *after, int errors_only);
/*
 * A probe_ok_fn (op/probe.h) printing "ok OBJECT: key KEY FPR" to the
 * FILE * arg: certbind probe --verbose and certbind reload --verbose.
 */
void	 cmd_probe_print_ok(void *arg, const char *object, const char *key,
	    const char *fpr);
/*
 * cli/probe-fleet.c: certbind probe --fleet, for the etcd location
 * ctx->loc. Returns an exit status.
 */
int	 cmd_probe_fleet(struct cmd_ctx *, struct args *, int timeout_ms);
/* Prints findings, one a line, after prefix. */
void	 cmd_print_findings(FILE *, const struct findings *,
	    const char *prefix);

/*
 * Shared by the key lifecycle commands (cmd-request.c).
 *
 * The subject and key type of --cn, --san, --org and --key-type: 0, or
 * -1 after saying what is wrong. Free ls with lifecycle_subject_free().
 */
int	 cmd_subject(const struct args *, struct lifecycle_subject *ls,
	    struct subject *subj, int *type);
/* The options cmd_subject() reads but --key-type, for a template. */
#define CMD_SUBJECT_OPTIONS						\
	{ "cn", 0, ARGS_VALUE | ARGS_REQUIRED },			\
	{ "san", 0, ARGS_VALUE | ARGS_REPEAT },				\
	{ "org", 0, ARGS_VALUE }
/*
 * A new key and request for the pending key name (request, renew):
 * made, committed, and the request's PEM printed on standard output.
 * Returns an exit status.
 */
int	 cmd_request_make(struct cmd_ctx *, const char *name,
	    const struct subject *, int type);
/* The hint after a key is installed: how to serve it. */
void	 cmd_next_bind(const char *name);

#endif
