/*
 * certbind diff OLD NEW: the review of a reconfiguration made elsewhere (a
 * config-management repository, a colleague's proposal, a renumbering).
 * For every endpoint and SNI name either file mentions, who serves it in
 * OLD and in NEW (key, rule, backend: op/confdiff.c), then the findings
 * NEW adds and removes. Exit 1 when NEW adds an error, so a CI pipeline
 * for a config repository can gate on it.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "core/findings.h"
#include "op/commit.h"
#include "op/confdiff.h"
#include "util/errlist.h"

static int	cmd_diff_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_diff_entry = {
	.name = "diff",
	.noconf = 1,
	.summary = "who serves each endpoint in one config and in another",
	.usage = "OLD NEW [--all] [--json]",
	.help =
	"Reviews a reconfiguration: for every endpoint and SNI name OLD or\n"
	"NEW mentions, prints which key serves a connection in each, by which\n"
	"rule, and the backend it reaches, for those that change (--all: every\n"
	"one); then the findings NEW adds (+) and removes (-). Exits 1 when\n"
	"NEW adds an error, 0 otherwise, 2 when a file cannot be read. -c is\n"
	"not used. --json: one JSON document, { \"connections\": [ { endpoint,\n"
	"sni, changed, before, after } ], \"added\": [ findings ], \"removed\":\n"
	"[ findings ], \"errors_added\": N }; before and after are { key, rule,\n"
	"backend } or null when the handshake is refused.",
	.args = { 2, 2, { { "all", 0, 0 }, { "json", 0, 0 } } },
	.exec = cmd_diff_exec
};

static struct config *
load(const char *path)
{
	struct errlist	 errs = ERRLIST_INIT;
	struct config	*cf = NULL;
	size_t		 i;

	if (config_load(path, &cf, &errs) != 0) {
		for (i = 0; i < errs.n; i++)
			cmd_error("%s", errs.v[i]);
		cf = NULL;
	}
	errlist_clear(&errs);
	return cf;
}

static const char *
row_endpoint(const struct confdiff_row *r, char *buf)
{
	endpoint_format(&r->ep, buf);
	if (r->any_addr)
		snprintf(buf, ENDPOINT_STRLEN, "*:%u", (unsigned)r->ep.port);
	return buf;
}

static void
print_side(const char *label, const struct confdiff_side *s)
{
	char	buf[ENDPOINT_STRLEN];

	printf("  %s ", label);
	if (!s->served) {
		printf("nothing: the handshake is refused\n");
		return;
	}
	cmd_puts_escaped(stdout, s->key);
	printf(" (%s)", resolve_rule_describe(&s->rule));
	if (s->has_backend)
		printf(", backend %s", endpoint_format(&s->backend, buf));
	putchar('\n');
}

static json_t *
json_side(const struct confdiff_side *s)
{
	char	buf[ENDPOINT_STRLEN];

	if (!s->served)
		return json_null();
	return json_pack("{s:o,s:s,s:o}", "key", cmd_json_str(s->key),
	    "rule", resolve_rule_describe(&s->rule), "backend",
	    s->has_backend ? json_string(endpoint_format(&s->backend, buf)) :
	    json_null());
}

static int
cmd_diff_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct findings		 added = FINDINGS_INIT, removed = FINDINGS_INIT;
	struct confdiff_row	*rows = NULL;
	struct config		*before, *after;
	json_t			*doc, *a;
	char			 buf[ENDPOINT_STRLEN];
	size_t			 n = 0, i, changed, nerr;
	int			 all = args_has(args, "all");

	if ((before = load(args_string(args, 0))) == NULL)
		return EXIT_CANNOT;
	if ((after = load(args_string(args, 1))) == NULL) {
		config_free(before);
		return EXIT_CANNOT;
	}
	changed = confdiff(before, after, &rows, &n);
	nerr = commit_findings(before, after, &added, &removed);
	if (args_has(args, "json")) {
		doc = json_object();
		a = json_array();
		for (i = 0; i < n; i++) {
			if (!all && !rows[i].changed)
				continue;
			json_array_append_new(a, json_pack("{s:s,s:o,s:b,s:o,"
			    "s:o}", "endpoint", row_endpoint(&rows[i], buf),
			    "sni", cmd_json_str(rows[i].sni), "changed",
			    rows[i].changed, "before",
			    json_side(&rows[i].before), "after",
			    json_side(&rows[i].after)));
		}
		json_object_set_new(doc, "connections", a);
		json_object_set_new(doc, "added", cmd_json_findings(after,
		    &added));
		json_object_set_new(doc, "removed", cmd_json_findings(before,
		    &removed));
		json_object_set_new(doc, "errors_added",
		    json_integer((json_int_t)nerr));
		cmd_json_print(doc);
	} else {
		for (i = 0; i < n; i++) {
			if (!all && !rows[i].changed)
				continue;
			printf("%s%s %s", rows[i].changed ? "" : "(same) ",
			    row_endpoint(&rows[i], buf), rows[i].sni != NULL ?
			    "sni " : "without sni");
			if (rows[i].sni != NULL)
				cmd_puts_escaped(stdout, rows[i].sni);
			putchar('\n');
			print_side("before:", &rows[i].before);
			print_side("after: ", &rows[i].after);
		}
		if (changed == 0)
			printf("no connection is served differently\n");
		if (added.n + removed.n == 0)
			printf("findings: none added or removed\n");
		else {
			printf("findings NEW adds (+) and removes (-):\n");
			cmd_print_findings(stdout, &added, "  + ");
			cmd_print_findings(stdout, &removed, "  - ");
		}
		cmd_info("%zu connection%s served differently, %zu error%s "
		    "added", changed, changed == 1 ? "" : "s", nerr,
		    nerr == 1 ? "" : "s");
	}
	confdiff_free(rows, n);
	findings_clear(&added);
	findings_clear(&removed);
	config_free(before);
	config_free(after);
	return nerr != 0 ? EXIT_REFUSED : EXIT_OK;
}
