/*
 * certbind reload: signal the running certbindd (found through
 * server.pidfile) to reload the config, then probe its listeners until
 * they serve what the config predicts (op/reload.c does both). Prints
 * what still differs as certbind probe does.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "op/location.h"
#include "core/findings.h"
#include "op/reload.h"

static int	cmd_reload_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_reload_entry = {
	.name = "reload",
	.summary = "reload certbindd and check that it serves the config",
	.usage = "[--verbose] [--timeout SECONDS]",
	.help =
	"Sends SIGHUP to the running certbindd, the process named by the\n"
	"config's server.pidfile once certbind has checked that it is alive\n"
	"and is certbindd, so that it loads the config again. Then probes\n"
	"every listener, as certbind probe does, until each serves the\n"
	"certificate the config predicts, for up to --timeout seconds\n"
	"(default 10), and prints the findings still left. --verbose also\n"
	"prints the probes that match. Exits 0 when everything served\n"
	"matches, 1 when something still differs (certbindd keeps serving\n"
	"the old config when the new one fails to load: see its log), and\n"
	"2 when certbindd could not be found or signalled.",
	.args = { 0, 0, {
		{ "verbose", 'v', 0 },
		{ "timeout", 0, ARGS_VALUE }
	} },
	.exec = cmd_reload_exec
};

int
cmd_reload(const struct config *cf, int timeout_ms, probe_ok_fn ok,
    void *arg, FILE *out)
{
	struct findings	 fs = FINDINGS_INIT;
	char		*cause = NULL;
	size_t		 i, n;

	if (certbindd_signal(cf, SIGHUP, &cause) != 0)
		return cmd_fail(EXIT_CANNOT, cause);
	n = reload_verify(cf, timeout_ms, ok, arg, &fs);
	findings_sort(&fs);
	for (i = 0; i < fs.n; i++)
		cmd_print_finding(out, &fs.v[i], "");
	findings_clear(&fs);
	if (n != 0) {
		cmd_info("certbindd was signalled, but what it serves does not "
		    "match the config yet");
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

static int
cmd_reload_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct config	*cf;
	int		 timeout_ms;

	if (cmd_timeout(args, RELOAD_VERIFY_MS, &timeout_ms) != 0)
		return EXIT_CANNOT;
	if ((cf = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	/* A fleet's nodes watch etcd: there is nobody to signal. */
	if (location_remote(ctx->loc) && (config_server(cf) == NULL ||
	    config_server(cf)->pidfile == NULL)) {
		cmd_info("the nodes of %s reload by themselves when it changes; "
		    "certbind probe --fleet shows the revision each serves",
		    location_spec(ctx->loc));
		return EXIT_OK;
	}
	return cmd_reload(cf, timeout_ms,
	    args_has(args, "verbose") ? cmd_probe_print_ok : NULL, stdout,
	    stdout);
}
