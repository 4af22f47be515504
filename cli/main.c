/*
 * certbind: the key manager. With no subcommand on a terminal it opens the
 * terminal UI; otherwise it runs one subcommand from cmd_table. Global
 * options come before the subcommand; the subcommand's own, and --help and
 * --force after it, are the argument parser's (args.c).
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <libconfig.h>

#include "cli/cmd.h"
#include "util/errlist.h"
#include "core/config.h"
#include "tui/tui.h"

static void
usage(FILE *f)
{
	size_t	 i;

	fprintf(f,
	    "usage: certbind [-c LOCATION] [COMMAND [ARGS...]]\n"
	    "       certbind [-c LOCATION] --propose NEW\n"
	    "       certbind --version | --help\n"
	    "\n"
	    "A key manager for TLS servers. Without a command, on a terminal,\n"
	    "it opens the key manager; the commands do the same for scripts.\n"
	    "\n"
	    "  -c LOCATION\n"
	    "            the config: a file (else $CERTBIND_CONF, else\n"
	    "            %s), or etcd://HOST:PORT[,...]/PREFIX\n"
	    "            for a fleet's (man certbind.conf)\n"
	    "  --force   write a change even if it adds error findings\n"
	    "  --propose NEW\n"
	    "            open the key manager with NEW as the edited copy of the\n"
	    "            config: r reviews what it changes, c applies it\n"
	    "\n"
	    "commands:\n", CONFIG_DEFAULT_PATH);
	for (i = 0; cmd_table[i] != NULL; i++)
		fprintf(f, "  %-14s %s\n", cmd_table[i]->name,
		    cmd_table[i]->summary);
	fprintf(f, "\n'certbind help COMMAND' or 'certbind COMMAND --help' "
	    "explains one command;\n"
	    "man certbind has it all.\n"
	    "Exit status: 0 ok, 1 errors found or change refused, 2 could "
	    "not run,\n3 resolve found nothing.\n");
}

/* No such command: the commands of that first word, if it has some. */
static void
unknown(const char *word, const char *next)
{
	size_t	i, len = strlen(word), n = 0;

	for (i = 0; cmd_table[i] != NULL; i++) {
		if (strncmp(cmd_table[i]->name, word, len) != 0 ||
		    cmd_table[i]->name[len] != ' ')
			continue;
		if (n++ == 0 && next != NULL)
			fprintf(stderr, "certbind: '%s %s' is not a command; "
			    "these are:\n", word, next);
		else if (n == 1)
			fprintf(stderr, "certbind: %s needs one of these "
			    "commands:\n", word);
		fprintf(stderr, "  certbind %s %s\n", cmd_table[i]->name,
		    cmd_table[i]->usage);
	}
	if (n == 0)
		fprintf(stderr, "certbind: unknown command '%s'; "
		    "certbind --help lists them.\n", word);
}

/* --propose NEW: whether NEW loads, its every error said if not. */
static int
proposal_loads(const char *path)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*cf = NULL;
	size_t		 i;
	int		 rc;

	if ((rc = config_load(path, &cf, &errs)) != 0) {
		for (i = 0; i < errs.n; i++)
			cmd_error("%s", errs.v[i]);
		cmd_error("the proposal does not load; nothing was opened");
	}
	errlist_clear(&errs);
	config_free(cf);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL,	'c' },
		{ "force",	no_argument,		NULL,	'F' },
		{ "propose",	required_argument,	NULL,	'P' },
		{ "help",	no_argument,		NULL,	'h' },
		{ "version",	no_argument,		NULL,	'V' },
		{ NULL,		0,			NULL,	0 }
	};
	struct cmd_ctx		 ctx;
	const struct cmd_entry	*e;
	const char		*propose = NULL;
	int			 ch;

	setlocale(LC_ALL, "");
	memset(&ctx, 0, sizeof ctx);
	ctx.conf_path = getenv("CERTBIND_CONF");
	if (ctx.conf_path == NULL || *ctx.conf_path == '\0')
		ctx.conf_path = CONFIG_DEFAULT_PATH;
	ctx.conf_spec = ctx.conf_path;

	while ((ch = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ctx.conf_path = ctx.conf_spec = optarg;
			break;
		case 'F':
			ctx.force = 1;
			break;
		case 'P':
			propose = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("certbind %s (GnuTLS %s, libconfig %d.%d)\n",
			    CERTBIND_VERSION, gnutls_check_version(NULL),
			    LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_CANNOT;
		}
	}
	argc -= optind;
	argv += optind;

	if (propose != NULL && argc != 0) {
		fprintf(stderr, "certbind: --propose is for the key manager: "
		    "give no command (certbind diff OLD NEW compares two files "
		    "from a script)\n");
		return EXIT_CANNOT;
	}
	/* A proposal that does not load is said plainly, terminal or not. */
	if (propose != NULL && proposal_loads(propose) != 0)
		return EXIT_CANNOT;
	if (argc == 0) {
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			return tui_main(ctx.conf_path, propose);
		usage(stderr);
		fprintf(stderr, "\ncertbind: no command, and not on a terminal "
		    "for the key manager.\n");
		return EXIT_CANNOT;
	}
	/* certbind help [COMMAND...]: the same as --help. */
	if (strcmp(argv[0], "help") == 0) {
		if (argc == 1) {
			usage(stdout);
			return EXIT_OK;
		}
		argc--;
		argv++;
		if ((e = cmd_find_argv(&argc, &argv)) == NULL) {
			unknown(argv[0], argc > 1 ? argv[1] : NULL);
			return EXIT_CANNOT;
		}
		return cmd_run(&ctx, e, 2, (char *[]){ argv[0], "--help",
		    NULL });
	}
	if ((e = cmd_find_argv(&argc, &argv)) == NULL) {
		unknown(argv[0], argc > 1 ? argv[1] : NULL);
		return EXIT_CANNOT;
	}

	return cmd_run(&ctx, e, argc, argv);
}
