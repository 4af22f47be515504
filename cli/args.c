/*
 * The one parser of subcommand arguments. Each struct cmd_entry declares
 * its options and how many positional arguments it takes (struct
 * args_template); args_parse() reads a command line against it and the
 * command asks for the values by the option's long name.
 *
 * It reads the command line the way getopt_long() did before it, so that
 * scripts see no difference: options and arguments in any order, unique
 * prefixes of long names, "--name=VALUE", short letters grouped, "--"
 * ending the options, and the same messages for a mistake. --help (-h)
 * and --force are taken out first, wherever they stand before a "--",
 * so that every command honours them alike and --help always answers.
 */
#include <errno.h>
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
 * The option --text names (text without the "--", up to any '='): an
 * exact name, else the one name text begins. -1 after the message.
 */
static int
args_find_long(const char *cmd, const struct args_template *t,
    const char *arg)
{
	const char	*text = arg + 2;
	size_t		 len, i, n = args_noptions(t);
	int		 found = -1, several = 0;

	len = strcspn(text, "=");
	for (i = 0; i < n; i++) {
		if (strncmp(t->options[i].name, text, len) != 0)
			continue;
		if (t->options[i].name[len] == '\0')
			return (int)i;
		if (found != -1)
			several = 1;
		else
			found = (int)i;
	}
	if (found == -1) {
		fprintf(stderr, "%s: unrecognized option '%s'\n", cmd, arg);
		return -1;
	}
	if (several) {
		fprintf(stderr, "%s: option '%s' is ambiguous; possibilities:",
		    cmd, arg);
		for (i = 0; i < n; i++)
			if (strncmp(t->options[i].name, text, len) == 0)
				fprintf(stderr, " '--%s'", t->options[i].name);
		fputc('\n', stderr);
		return -1;
	}
	return found;
}

static int
args_find_short(const struct args_template *t, char letter)
{
	size_t	 i, n = args_noptions(t);

	for (i = 0; i < n; i++)
		if (t->options[i].letter != 0 && t->options[i].letter == letter)
			return (int)i;
	return -1;
}

/* One "--name[=value]" at argv[*i]: 0, or -1 after the message. */
static int
args_long(struct args *args, const char *cmd, int argc, char **argv, int *i)
{
	const struct args_option	*o;
	const char			*arg = argv[*i], *eq;
	int				 slot;

	if ((slot = args_find_long(cmd, args->t, arg)) == -1)
		return -1;
	o = &args->t->options[slot];
	eq = strchr(arg, '=');
	if (!(o->flags & ARGS_VALUE)) {
		if (eq != NULL) {
			fprintf(stderr, "%s: option '--%s' doesn't allow an "
			    "argument\n", cmd, o->name);
			return -1;
		}
		args_add(args, slot, NULL);
	} else if (eq != NULL)
		args_add(args, slot, eq + 1);
	else if (*i + 1 < argc)
		args_add(args, slot, argv[++*i]);
	else {
		fprintf(stderr, "%s: option '--%s' requires an argument\n",
		    cmd, o->name);
		return -1;
	}
	return 0;
}

/* One group of short letters "-abc" at argv[*i]: 0, or -1. */
static int
args_short(struct args *args, const char *cmd, int argc, char **argv, int *i)
{
	const char	*p;
	int		 slot;

	for (p = argv[*i] + 1; *p != '\0'; p++) {
		if ((slot = args_find_short(args->t, *p)) == -1) {
			fprintf(stderr, "%s: invalid option -- '%c'\n", cmd,
			    *p);
			return -1;
		}
		if (!(args->t->options[slot].flags & ARGS_VALUE)) {
			args_add(args, slot, NULL);
			continue;
		}
		/* The rest of the group is the value, else the next word. */
		if (p[1] != '\0')
			args_add(args, slot, p + 1);
		else if (*i + 1 < argc)
			args_add(args, slot, argv[++*i]);
		else {
			fprintf(stderr, "%s: option requires an argument -- "
			    "'%c'\n", cmd, *p);
			return -1;
		}
		break;
	}
	return 0;
}

/* Every option given, and the positional arguments; -1 on a mistake. */
static int
args_scan(struct args *args, const char *cmd, int argc, char **argv)
{
	const char	*a;
	int		 i, ended = 0;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (ended || a[0] != '-' || a[1] == '\0')
			args->pos[args->npos++] = a;
		else if (strcmp(a, "--") == 0)
			ended = 1;
		else if (a[1] == '-') {
			if (args_long(args, cmd, argc, argv, &i) != 0)
				return -1;
		} else if (args_short(args, cmd, argc, argv, &i) != 0)
			return -1;
	}
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
	if (args_scan(args, e->name, n, rest) != 0 || !args_complete(args)) {
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
