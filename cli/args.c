/*
 * The one parser of subcommand arguments. Each struct cmd_entry declares
 * its options and how many positional arguments it takes (struct
 * args_template); args_parse() reads a command line against it and the
 * command asks for the values by the option's long name.
 *
 * getopt_long() reads the command line, with a table made from the
 * template, so scripts see what they always saw: options and arguments in
 * any order, unique prefixes of long names, "--name=VALUE", short letters
 * grouped, "--" ending the options, and glibc's messages for a mistake. --help (-h)
 * and --force are taken out first, wherever they stand before a "--",
 * so that every command honours them alike and --help always answers.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "util/xmalloc.h"

/* The options of every command, after the command's own. */
#define ARGS_HELP	ARGS_MAX_OPTIONS
#define ARGS_FORCE	(ARGS_MAX_OPTIONS + 1)
#define ARGS_SLOTS	(ARGS_MAX_OPTIONS + 2)

struct args {
	const struct args_template	*t;
	/* Per option of t (then help and force): the values given. */
	int				 count[ARGS_SLOTS];
	const char			**values[ARGS_SLOTS];
	const char			**pos;
	size_t				 npos;
};

static const char *const args_common[] = { "help", "force" };

static size_t
args_noptions(const struct args_template *t)
{
	size_t	 n;

	for (n = 0; n < ARGS_MAX_OPTIONS && t->options[n].name != NULL; n++)
		/* nothing */;
	return n;
}

/* The slot of a name; a name no template has is a programming error. */
static int
args_slot(const struct args *args, const char *name)
{
	size_t	 i, n = args_noptions(args->t);

	for (i = 0; i < n; i++)
		if (strcmp(args->t->options[i].name, name) == 0)
			return (int)i;
	if (strcmp(name, args_common[0]) == 0)
		return ARGS_HELP;
	if (strcmp(name, args_common[1]) == 0)
		return ARGS_FORCE;
	fprintf(stderr, "certbind: internal error: no option '%s'\n", name);
	abort();
}

static void
args_add(struct args *args, int slot, const char *value)
{
	int	 n = args->count[slot];

	args->values[slot] = xreallocarray(args->values[slot], (size_t)n + 1,
	    sizeof *args->values[slot]);
	args->values[slot][n] = value;
	args->count[slot] = n + 1;
}

/*
 * Every option given, and the positional arguments; -1 on a mistake.
 * getopt_long() reads them, from a table made of the template: the same
 * rules and the same messages as every other GNU program.
 */
static int
args_scan(struct args *args, int argc, char **argv)
{
	const struct args_template	*t = args->t;
	struct option			 lo[ARGS_MAX_OPTIONS + 1];
	char				 so[2 * ARGS_MAX_OPTIONS + 1], *p = so;
	size_t				 i, n = args_noptions(t);
	int				 ch, idx;

	memset(lo, 0, sizeof lo);
	for (i = 0; i < n; i++) {
		lo[i].name = t->options[i].name;
		lo[i].has_arg = (t->options[i].flags & ARGS_VALUE) ?
		    required_argument : no_argument;
		/* A long option returns its slot, past every letter. */
		lo[i].val = 256 + (int)i;
		if (t->options[i].letter != 0) {
			*p++ = t->options[i].letter;
			if (t->options[i].flags & ARGS_VALUE)
				*p++ = ':';
		}
	}
	*p = '\0';
	optind = 0;	/* glibc: start again, and forget the last scan */
	opterr = 1;
	while ((ch = getopt_long(argc, argv, so, lo, &idx)) != -1) {
		if (ch == '?')		/* getopt_long() said what */
			return -1;
		if (ch >= 256)
			idx = ch - 256;
		else {
			for (i = 0; i < n; i++)
				if (t->options[i].letter == ch)
					break;
			idx = (int)i;
		}
		args_add(args, idx, (t->options[idx].flags & ARGS_VALUE) ?
		    optarg : NULL);
	}
	while (optind < argc)
		args->pos[args->npos++] = argv[optind++];
	return 0;
}

/* Whether the positional arguments and the required options are there. */
static int
args_complete(const struct args *args)
{
	const struct args_template	*t = args->t;
	size_t				 i, n = args_noptions(t);

	if (args->npos < (size_t)t->lower ||
	    (t->upper >= 0 && args->npos > (size_t)t->upper))
		return 0;
	for (i = 0; i < n; i++)
		if ((t->options[i].flags & ARGS_REQUIRED) &&
		    args->count[i] == 0)
			return 0;
	return 1;
}

struct args *
args_parse(const struct cmd_entry *e, int argc, char **argv)
{
	struct args	*args;
	char		**rest;
	int		 i, n, ended = 0;

	args = xcalloc(1, sizeof *args);
	args->t = &e->args;
	args->pos = xcalloc((size_t)argc + 1, sizeof *args->pos);

	/* --help and --force first, wherever they stand before "--". */
	rest = xcalloc((size_t)argc + 1, sizeof *rest);
	for (i = n = 0; i < argc; i++) {
		if (i > 0 && !ended && strcmp(argv[i], "--") == 0)
			ended = 1;
		if (i > 0 && !ended && (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0))
			args_add(args, ARGS_HELP, NULL);
		else if (i > 0 && !ended && strcmp(argv[i], "--force") == 0)
			args_add(args, ARGS_FORCE, NULL);
		else
			rest[n++] = argv[i];
	}
	if (args->count[ARGS_HELP] != 0) {
		free(rest);
		return args;
	}
	if (args_scan(args, n, rest) != 0 || !args_complete(args)) {
		cmd_usage(stderr, e);
		free(rest);
		args_free(args);
		return NULL;
	}
	free(rest);
	return args;
}

void
args_free(struct args *args)
{
	int	 i;

	if (args == NULL)
		return;
	for (i = 0; i < ARGS_SLOTS; i++)
		free(args->values[i]);
	free(args->pos);
	free(args);
}

int
args_has(const struct args *args, const char *name)
{
	return args->count[args_slot(args, name)];
}

const char *
args_get(const struct args *args, const char *name)
{
	int	 slot = args_slot(args, name);

	if (args->count[slot] == 0)
		return NULL;
	return args->values[slot][args->count[slot] - 1];
}

const char *const *
args_values(const struct args *args, const char *name, size_t *n)
{
	int	 slot = args_slot(args, name);

	/* Only an option declared to repeat keeps more than its last value. */
	if (slot < ARGS_MAX_OPTIONS &&
	    !(args->t->options[slot].flags & ARGS_REPEAT)) {
		fprintf(stderr, "certbind: internal error: option '%s' does "
		    "not repeat\n", name);
		abort();
	}
	*n = (size_t)args->count[slot];
	return args->values[slot];
}

size_t
args_count(const struct args *args)
{
	return args->npos;
}

const char *
args_string(const struct args *args, size_t i)
{
	return i < args->npos ? args->pos[i] : NULL;
}

int
args_number(const struct args *args, const char *name, long min, long max,
    long *v)
{
	const char	*s;
	char		*end;
	long		 n;

	if ((s = args_get(args, name)) == NULL)
		return 0;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || n < min || n > max)
		return -1;
	*v = n;
	return 0;
}
