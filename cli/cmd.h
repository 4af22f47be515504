/*
 * certbind's subcommands: one file each (cmd-NAME.c) defining a struct
 * cmd_entry, listed in cmd.c. The helpers here are what every command
 * shares: loading the config with every error printed, printing untrusted
 * text escaped, and committing a change through the atomic save after
 * checking it adds no error finding.
 */
#ifndef CERTBIND_CMD_H
#define CERTBIND_CMD_H

#include <stdio.h>

struct config;

/* Exit statuses (DESIGN.md "The command line"). */
#define EXIT_OK		0
#define EXIT_REFUSED	1	/* errors found, or an operation refused */
#define EXIT_CANNOT	2	/* usage, unreadable or unparsable config */
#define EXIT_NONE	3	/* resolve: nothing serves the endpoint */

struct cmd_ctx {
	const char	*conf_path;	/* -c, $CERTBIND_CONF or the default */
	int		 force;		/* --force: commit despite new errors */
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
/* Prints untrusted text to f, escaped. */
void	 cmd_puts_escaped(FILE *f, const char *s);

/* Loads ctx->conf_path, printing every error; NULL on failure. */
struct config *cmd_load(struct cmd_ctx *);

/*
 * Saves a changed config after comparing its findings with the file's:
 * a change that adds an error finding is refused (printing the new errors)
 * unless ctx->force. Warns first when the file had comments. Returns an
 * exit status.
 */
int	 cmd_commit(struct cmd_ctx *, const struct config *before,
	    const struct config *after);

/*
 * getopt_long() for subcommands: argv[0] is the subcommand, optind is
 * reset by main. --help and --force never reach it: main takes them out
 * of every subcommand's arguments first. Prints the usage on '?'.
 */
struct option;
int	 cmd_getopt(struct cmd_ctx *, const struct cmd_entry *, int argc,
	    char **argv, const char *shortopts, const struct option *longopts);

struct finding;
/* One finding as certbind check prints it: "SEVERITY CODE OBJECT: MSG". */
void	 cmd_print_finding(FILE *, const struct finding *, const char *prefix);
/*
 * Prints to f (if not NULL) the findings after adds ("+ ") and removes
 * ("- ") against before; with errors_only just the added errors. Returns
 * the number of error findings added.
 */
size_t	 cmd_findings_diff(FILE *f, const struct config *before,
	    const struct config *after, int errors_only);

#endif
