/*
 * certbind probe: what the running certbindd serves, against what the
 * config predicts (op/probe.c does the probing). Prints the findings, and
 * with --verbose the probes that matched.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "op/check.h"
#include "op/probe.h"
#include "util/xmalloc.h"

static int	cmd_probe_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_probe_entry = {
	.name = "probe",
	.summary = "what the running certbindd serves, against the config",
	.usage = "[--verbose] [--strict] [--timeout SECONDS] [--json] "
	    "[--fleet | ENDPOINT...]",
	.help =
	"Connects to each listener of the config (or to each ENDPOINT given)\n"
	"as a TLS client, without SNI and with every SNI name bound there,\n"
	"and compares the certificate the running certbindd serves with the\n"
	"one the config predicts. A different certificate is the warning\n"
	"not-reloaded (reload certbindd); a refused handshake or connection\n"
	"where a key is predicted is the error unserved-listener. A listener\n"
	"certbindd does not listen on (its address could not be bound, or\n"
	"another certbindd holds it) is the error not-listening, with the\n"
	"reason certbindd gives; nothing is sent to an address this host\n"
	"does not have. Listeners on \"*\" are reached on 127.0.0.1.\n"
	"--verbose also prints the probes that match. When everything\n"
	"matches, one line on standard error says how many probes did.\n"
	"Exits 1 when there is an error finding, and with --strict also on\n"
	"a warning (not-reloaded), for scripts that must notice a renewal\n"
	"certbindd does not serve yet. --json: one JSON document,\n"
	"{ \"matched\": [ { object, key, sha256 } ], \"findings\": [ ... ],\n"
	"\"errors\": N, \"warnings\": N, \"notes\": N }.\n"
	"\n"
	"--fleet (with -c etcd://...): every certbindd node registered under\n"
	"PREFIX/nodes/, each with its address, the revision it serves and\n"
	"when it loaded it, and its state: current, or node-behind when it\n"
	"serves an older revision than the fleet's content (PREFIX/config\n"
	"and PREFIX/files/), saying by how many revisions and since when; a\n"
	"revision the node refused is shown with its reason, a record that\n"
	"does not parse as bad-record. A node whose record gives an address\n"
	"is probed there: each listener on \"*\" on the node's address, each\n"
	"listener on that address as it is, against the fleet's config at\n"
	"the revision read, and the findings are printed under the node\n"
	"(with --verbose the probes that matched too). Exits 1 when a node is behind, refuses a revision,\n"
	"has a bad record, or serves what the config does not say (an error\n"
	"finding; with --strict a warning too), 2 without an etcd location\n"
	"or when etcd does not answer. --json: { location, read_revision,\n"
	"content_revision, config_revision, \"nodes\": [ { name, address,\n"
	"host, pid, version, revision, loaded, loaded_utc, generation,\n"
	"state, behind, refused_revision, refused, probe (or null and\n"
	"not_probed: why) } ],\n"
	"\"bad_records\": [ ... ], behind, refusing, errors, warnings }.",
	.args = { 0, -1, {
		{ "verbose", 'v', 0 },
		{ "strict", 0, 0 },
		{ "timeout", 0, ARGS_VALUE },
		{ "json", 0, 0 },
		{ "fleet", 0, 0 }
	} },
	.exec = cmd_probe_exec
};

/*
 * With --verbose, the probes that matched, one a line (certbind reload
 * prints them too).
 */
void
cmd_probe_print_ok(void *arg, const char *object, const char *key,
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

/*
 * Counts the probes that matched, printing them with --verbose, or
 * keeping them for --json.
 */
struct probe_count {
	int	 verbose;
	size_t	 n;
	json_t	*matched;	/* --json: NULL without */
};

static void
probe_count_ok(void *arg, const char *object, const char *key,
    const char *fpr)
{
	struct probe_count	*pc = arg;

	pc->n++;
	if (pc->matched != NULL)
		json_array_append_new(pc->matched, json_pack("{s:o,s:o,s:o}",
		    "object", cmd_json_str(object), "key", cmd_json_str(key),
		    "sha256", cmd_json_str(fpr)));
	else if (pc->verbose)
		cmd_probe_print_ok(stdout, object, key, fpr);
}

static int
cmd_probe_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct findings		 fs = FINDINGS_INIT;
	struct probe_count	 pc = { 0, 0, NULL };
	json_t			*doc;
	struct endpoint		*targets;
	struct config		*cf;
	size_t			 ntargets = args_count(args), i, nerr, nwarn;
	int			 timeout_ms;

	if (cmd_timeout(args, PROBE_TIMEOUT_MS, &timeout_ms) != 0)
		return EXIT_CANNOT;
	if (args_has(args, "fleet"))
		return cmd_probe_fleet(ctx, args, timeout_ms);
	targets = xcalloc(ntargets + 1, sizeof *targets);
	for (i = 0; i < ntargets; i++) {
		if (cmd_endpoint(args_string(args, i), &targets[i]) != 0) {
			free(targets);
			return EXIT_CANNOT;
		}
		if (endpoint_any_port(&targets[i])) {
			cmd_error("probe needs a port: '%s'",
			    args_string(args, i));
			free(targets);
			return EXIT_CANNOT;
		}
	}
	if ((cf = cmd_load(ctx)) == NULL) {
		free(targets);
		return EXIT_CANNOT;
	}
	if (ntargets == 0 && config_nlisteners(cf) == 0)
		cmd_error("the config has no listeners to probe");

	pc.verbose = args_has(args, "verbose");
	if (args_has(args, "json"))
		pc.matched = json_array();
	probe_run(cf, targets, ntargets, timeout_ms, probe_count_ok, &pc, &fs);
	findings_sort(&fs);
	if (pc.matched != NULL) {
		doc = json_object();
		json_object_set_new(doc, "matched", pc.matched);
		json_object_set_new(doc, "findings", cmd_json_findings(cf,
		    &fs));
		json_object_update_new(doc, cmd_json_counts(&fs));
		cmd_json_print(doc);
	} else {
		for (i = 0; i < fs.n; i++)
			cmd_print_finding(stdout, &fs.v[i], "");
	}
	nerr = findings_count(&fs, SEV_ERROR);
	nwarn = findings_count(&fs, SEV_WARNING);
	if (fs.n == 0 && pc.n > 0)
		cmd_info("%zu probe%s: certbindd serves what the config says",
		    pc.n, pc.n == 1 ? "" : "s");
	findings_clear(&fs);
	free(targets);
	if (nerr != 0 || (args_has(args, "strict") && nwarn != 0))
		return EXIT_REFUSED;
	return EXIT_OK;
}
