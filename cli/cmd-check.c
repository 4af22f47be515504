/*
 * certbind check: every finding, one a line, and an exit status scripts
 * can act on.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "op/check.h"
#include "core/config.h"

static int	cmd_check_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_check_entry = {
	"check",
	"[--strict] [--offline] [--warn-days N]",
	"Checks the config, its keys and certificates, the bindings against\n"
	"the listeners and the host, and prints one finding per line:\n"
	"SEVERITY CODE OBJECT: MESSAGE. Exits 0 without errors, 1 with errors\n"
	"(or warnings with --strict), 2 when the config cannot be read.\n"
	"  --strict       warnings fail too\n"
	"  --offline      skip the checks that ask this host (addresses)\n"
	"  --warn-days N  a certificate expiring within N days is a warning\n"
	"                 (default 30)",
	cmd_check_exec
};

static int
cmd_check_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "strict",	no_argument,		NULL,	's' },
		{ "offline",	no_argument,		NULL,	'o' },
		{ "warn-days",	required_argument,	NULL,	'w' },
		{ NULL,		0,			NULL,	0 }
	};
	struct findings		 fs = FINDINGS_INIT;
	struct check_opts	 o;
	struct config		*cf;
	size_t			 i, ne, nw, ni;
	char			*end;
	long			 v;
	int			 ch, strict = 0;

	check_opts_default(&o);
	while ((ch = cmd_getopt(ctx, &cmd_check_entry, argc, argv, "",
	    longopts)) != -1) {
		switch (ch) {
		case 's':
			strict = 1;
			break;
		case 'o':
			o.offline = 1;
			break;
		case 'w':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 0 ||
			    v > 3650) {
				cmd_error("--warn-days '%s': expected a number "
				    "of days from 0 to 3650", optarg);
				return EXIT_CANNOT;
			}
			o.warn_days = (int)v;
			break;
		default:
			return EXIT_CANNOT;
		}
	}
	if (optind != argc) {
		cmd_usage(stderr, &cmd_check_entry);
		return EXIT_CANNOT;
	}
	if ((cf = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	check_config(cf, &o, &fs);
	for (i = 0; i < fs.n; i++)
		cmd_print_finding(stdout, &fs.v[i], "");
	ne = findings_count(&fs, SEV_ERROR);
	nw = findings_count(&fs, SEV_WARNING);
	ni = findings_count(&fs, SEV_INFO);
	fprintf(stderr, "certbind: %zu error%s, %zu warning%s, %zu note%s\n",
	    ne, ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s", ni,
	    ni == 1 ? "" : "s");
	findings_clear(&fs);
	config_free(cf);
	if (ne != 0 || (strict && nw != 0))
		return EXIT_REFUSED;
	return EXIT_OK;
}
