/*
 * certbind's subcommands: one file each (cmd-NAME.c) defining a struct
 * cmd_entry, listed in cmd.c. The helpers here are what every command
 * shares: loading the config with every error printed, printing untrusted
 * text escaped, and committing a change through the atomic save after
 * checking it adds no error finding.
 */
#ifndef CERTBIND_CMD_H
#define CERTBIND_CMD_H

#include <stddef.h>
#include <stdio.h>

#include "op/commit.h"

struct config;
struct lifecycle_files;

/* Exit statuses (DESIGN.md "The command line"). */
#define EXIT_OK		0
#define EXIT_REFUSED	1	/* errors found, or an operation refused */
#define EXIT_CANNOT	2	/* usage, unreadable or unparsable config */
#define EXIT_NONE	3	/* resolve: nothing serves the endpoint */

struct cmd_ctx {
	const char	*conf_path;	/* -c, $CERTBIND_CONF or the default */
	int		 force;		/* --force: commit despite new errors */
	/* What cmd_load() read, for cmd_commit()'s changed-on-disk check. */
	struct commit_snapshot snap;
};

struct cmd_entry {
	const char	*name;
	const char	*usage;		/* after "certbind NAME " */
	const char	*help;		/* one paragraph, for NAME --help */
	int		(*exec)(struct cmd_ctx *, int argc, char **argv);
};

extern const struct cmd_entry *cmd_table[];
const struct cmd_entry *cmd_find(const char *name);
void	 cmd_usage(FILE *, const struct cmd_entry *);

/* Prints "certbind: MESSAGE" to stderr, with the message escaped. */
void	 cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Prints "certbind: MESSAGE" on stderr (never stdout: request's stdout is
 * for the PEM). The whole message is escaped: pass raw names and paths.
 */
void	 cmd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * A password: the first line of file, or asked on the terminal with echo
 * off when file is NULL and standard input is a terminal (twice when
 * confirm). Without either, -1 with a cause saying how to give one.
 * Free it with lifecycle_password_free(), which wipes it.
 */
int	 cmd_password(const char *file, const char *prompt, int confirm,
	    char **pw, char **cause);
/* Reads a whole file given on the command line; "-" is standard input. */
int	 cmd_read(const char *path, char **data, size_t *len, char **cause);
/* Prints untrusted text to f, escaped. */
void	 cmd_puts_escaped(FILE *f, const char *s);

/* Loads ctx->conf_path, printing every error; NULL on failure. */
struct config *cmd_load(struct cmd_ctx *);

/*
 * The commit operation (op/commit.h) for the command line: takes the lock
 * beside the config (refused, naming the holder, while a UI session or
 * another command holds it), refuses when the file changed since
 * cmd_load() read it, and refuses a change that adds an error finding
 * (printing the new errors) unless ctx->force. Warns first when the file
 * had comments. Returns an exit status.
 */
int	 cmd_commit(struct cmd_ctx *, const struct config *before,
	    const struct config *after);
/*
 * cmd_commit(), then the files a lifecycle operation made: kept when the
 * config was saved, and also when the save failed after the new file was
 * in place (the files it refers to must stay); the others are left marked
 * for undo. Prints the operation's warnings first.
 */
int	 cmd_commit_files(struct cmd_ctx *, const struct config *before,
	    const struct config *after, struct lifecycle_files *);
/* Prints each of the operation's warnings, as cmd_info(). */
void	 cmd_warnings(const struct lifecycle_files *);

/*
 * getopt_long() for subcommands: argv[0] is the subcommand, optind is
 * reset by main. --help and --force never reach it: main takes them out
 * of every subcommand's arguments first. Prints the usage on '?'.
 */
struct option;
int	 cmd_getopt(struct cmd_ctx *, const struct cmd_entry *, int argc,
	    char **argv, const char *shortopts, const struct option *longopts);

struct finding;
struct findings;
/* One finding as certbind check prints it: "SEVERITY CODE OBJECT: MSG". */
void	 cmd_print_finding(FILE *, const struct finding *, const char *prefix);
/*
 * Prints to f (if not NULL) the findings after adds ("+ ") and removes
 * ("- ") against before; with errors_only just the added errors. Returns
 * the number of error findings added.
 */
size_t	 cmd_findings_diff(FILE *f, const struct config *before,
	    const struct config *after, int errors_only);
/* Prints findings, one a line, after prefix. */
void	 cmd_print_findings(FILE *, const struct findings *,
	    const char *prefix);

#endif
