/*
 * certbind probe: what the running certbindd serves, against what the
 * config predicts (op/probe.c does the probing). Prints the findings, and
 * with --verbose the probes that matched.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "op/check.h"
#include "op/probe.h"
#include "util/xmalloc.h"

static int	cmd_probe_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_probe_entry = {
	"probe",
	"[--verbose] [--timeout SECONDS] [ENDPOINT...]",
	"Connects to each listener of the config (or to each ENDPOINT given)\n"
	"as a TLS client, without SNI and with every SNI name bound there,\n"
	"and compares the certificate the running certbindd serves with the\n"
	"one the config predicts. A different certificate is the warning\n"
	"not-reloaded (reload certbindd); a refused handshake or connection\n"
	"where a key is predicted is the error unserved-listener. Listeners\n"
	"on \"*\" are reached on 127.0.0.1. --verbose also prints the probes\n"
	"that match. Exits 1 when there is an error finding.",
	cmd_probe_exec
};

/* With --verbose, the probes that matched, one a line. */
static void
probe_print_ok(void *arg, const char *object, const char *key,
    const char *fpr)
{
	FILE	*f = arg;

	fputs("ok ", f);
	cmd_puts_escaped(f, object);
	if (key != NULL) {
		fputs(": key ", f);
		cmd_puts_escaped(f, key);
		fprintf(f, " %s\n", fpr);
	} else
		fputs(": refused, as the config says\n", f);
}

static int
cmd_probe_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose",	no_argument,		NULL,	'v' },
		{ "timeout",	required_argument,	NULL,	't' },
		{ NULL,		0,			NULL,	0 }
	};
	struct findings		 fs = FINDINGS_INIT;
	struct endpoint		*targets, ep;
	struct config		*cf;
	char			*cause = NULL, *end;
	size_t			 ntargets = 0, i, nerr;
	long			 secs;
	int			 ch, verbose = 0, timeout_ms = PROBE_TIMEOUT_MS;

	while ((ch = cmd_getopt(ctx, &cmd_probe_entry, argc, argv, "v",
	    longopts)) != -1) {
		switch (ch) {
		case 'v':
			verbose = 1;
			break;
		case 't':
			errno = 0;
			secs = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || secs < 1 ||
			    secs > 600) {
				cmd_error("--timeout '%s': give seconds from "
				    "1 to 600", optarg);
				return EXIT_CANNOT;
			}
			timeout_ms = (int)secs * 1000;
			break;
		default:
			return EXIT_CANNOT;
		}
	}
	targets = xcalloc((size_t)(argc - optind) + 1, sizeof *targets);
	for (i = optind; i < (size_t)argc; i++) {
		if (endpoint_parse(argv[i], &ep, &cause) != 0) {
			cmd_error("%s", cause);
			free(cause);
			free(targets);
			return EXIT_CANNOT;
		}
		if (endpoint_any_port(&ep)) {
			cmd_error("probe needs a port: '%s'", argv[i]);
			free(targets);
			return EXIT_CANNOT;
		}
		targets[ntargets++] = ep;
	}
	if ((cf = cmd_load(ctx)) == NULL) {
		free(targets);
		return EXIT_CANNOT;
	}
	if (ntargets == 0 && config_nlisteners(cf) == 0)
		cmd_error("the config has no listeners to probe");

	probe_run(cf, targets, ntargets, timeout_ms,
	    verbose ? probe_print_ok : NULL, stdout, &fs);
	findings_sort(&fs);
	for (i = 0; i < fs.n; i++)
		cmd_print_finding(stdout, &fs.v[i], "");
	nerr = findings_count(&fs, SEV_ERROR);
	findings_clear(&fs);
	free(targets);
	config_free(cf);
	return nerr != 0 ? EXIT_REFUSED : EXIT_OK;
}
