/*
 * certbind check: every finding, one a line, and an exit status scripts
 * can act on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "op/check.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "util/xmalloc.h"

static int	cmd_check_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.summary = "every finding, one a line; exit 1 on errors",
	.usage = "[--strict] [--offline] [--warn-days N] "
	    "[--assume-addresses LIST] [--json]",
	.help =
	"Checks the config, its keys and certificates, the bindings against\n"
	"the listeners and the host, and prints one finding per line:\n"
	"SEVERITY CODE OBJECT: MESSAGE. Exits 0 without errors, 1 with errors\n"
	"(or warnings with --strict), 2 when the config cannot be read.\n"
	"  --strict       warnings fail too\n"
	"  --offline      skip the checks that ask this host (addresses)\n"
	"  --warn-days N  a certificate expiring within N days is a warning\n"
	"                 (default 30)\n"
	"  --assume-addresses LIST\n"
	"                 check listeners and bindings against the addresses\n"
	"                 in LIST (commas: addresses or blocks such as\n"
	"                 10.56.65.0/24) instead of the host's, as after a\n"
	"                 renumbering\n"
	"  --json         one JSON document: { \"findings\": [ { severity,\n"
	"                 code, object, message, line } ], \"errors\": N,\n"
	"                 \"warnings\": N, \"notes\": N }",
	.args = { 0, 0, {
		{ "strict", 0, 0 },
		{ "offline", 0, 0 },
		{ "warn-days", 0, ARGS_VALUE },
		{ "assume-addresses", 0, ARGS_VALUE },
		{ "json", 0, 0 }
	} },
	.exec = cmd_check_exec
};

/*
 * --assume-addresses LIST: the address blocks, comma-separated. 0, or -1
 * after saying which one is wrong.
 */
static int
assume_parse(const char *list, struct check_assume *a, struct endpoint **net,
    unsigned **bits)
{
	char	*copy, *p, *tok, *cause = NULL;
	size_t	 n = 0;

	copy = xstrdup(list);
	*net = NULL;
	*bits = NULL;
	for (p = copy; (tok = strsep(&p, ",")) != NULL;) {
		if (*tok == '\0')
			continue;
		*net = xreallocarray(*net, n + 1, sizeof **net);
		*bits = xreallocarray(*bits, n + 1, sizeof **bits);
		if (endpoint_parse_prefix(tok, &(*net)[n], &(*bits)[n],
		    &cause) != 0) {
			cmd_error("--assume-addresses: %s", cause);
			free(cause);
			free(copy);
			return -1;
		}
		n++;
	}
	free(copy);
	if (n == 0) {
		cmd_error("--assume-addresses needs addresses or blocks, such "
		    "as 10.56.65.201,10.56.66.0/24");
		return -1;
	}
	a->net = *net;
	a->bits = *bits;
	a->n = n;
	return 0;
}

static int
cmd_check_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct findings		 fs = FINDINGS_INIT;
	struct check_opts	 o;
	struct config		*cf;
	struct check_assume	 assume;
	struct endpoint		*nets = NULL;
	unsigned		*bits = NULL;
	json_t			*doc;
	size_t			 i, ne, nw, ni;
	long			 days;

	check_opts_default(&o);
	if (args_has(args, "offline"))
		o.offline = 1;
	days = o.warn_days;
	if (args_number(args, "warn-days", 0, 3650, &days) != 0) {
		cmd_error("--warn-days '%s': expected a number of days from 0 "
		    "to 3650", args_get(args, "warn-days"));
		return EXIT_CANNOT;
	}
	o.warn_days = (int)days;
	if (args_has(args, "assume-addresses")) {
		if (assume_parse(args_get(args, "assume-addresses"), &assume,
		    &nets, &bits) != 0) {
			free(nets);
			free(bits);
			return EXIT_CANNOT;
		}
		o.assume = &assume;
	}
	if ((cf = cmd_load(ctx)) == NULL) {
		free(nets);
		free(bits);
		return EXIT_CANNOT;
	}
	check_config(cf, &o, &fs);
	if (args_has(args, "json")) {
		doc = json_object();
		json_object_set_new(doc, "findings", cmd_json_findings(cf,
		    &fs));
		json_object_update_new(doc, cmd_json_counts(&fs));
		cmd_json_print(doc);
	} else {
		for (i = 0; i < fs.n; i++)
			cmd_print_finding(stdout, &fs.v[i], "");
	}
	ne = findings_count(&fs, SEV_ERROR);
	nw = findings_count(&fs, SEV_WARNING);
	ni = findings_count(&fs, SEV_INFO);
	fprintf(stderr, "certbind: %zu error%s, %zu warning%s, %zu note%s\n",
	    ne, ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s", ni,
	    ni == 1 ? "" : "s");
	findings_clear(&fs);
	free(nets);
	free(bits);
	if (ne != 0 || (args_has(args, "strict") && nw != 0))
		return EXIT_REFUSED;
	return EXIT_OK;
}
