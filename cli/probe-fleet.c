/*
 * certbind probe --fleet: every node registered under the etcd location's
 * PREFIX/nodes/ (op/fleet.h), the revision it serves against the fleet's
 * content revision, and, for a node whose record gives an address, what
 * it serves there (op/probe.c's probes, with the node's address in place
 * of "*").
 *
 * Everything a record holds was written by whoever can write to etcd:
 * every string of it is printed escaped, and the JSON is ASCII.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "core/findings.h"
#include "op/fleet.h"
#include "op/location.h"
#include "op/probe.h"
#include "util/xmalloc.h"

/* What one node's probe found. */
struct fleet_probe {
	struct findings	 fs;
	json_t		*matched;	/* the probes that matched */
	size_t		 nok;
	size_t		 nlisteners;	/* probed */
	int		 probed;	/* 0: no address, or it did not parse */
	char		*why;		/* why it was not probed */
};

static void
fleet_time(int64_t t, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "never");
}

/* "5s", "3m", "2h 5m", "4d 1h": how long ago t was. */
static void
fleet_ago(int64_t t, int64_t now, char *buf, size_t len)
{
	int64_t	 d = now - t;

	if (d < 0)
		snprintf(buf, len, "in the future");
	else if (d < 60)
		snprintf(buf, len, "%llds ago", (long long)d);
	else if (d < 3600)
		snprintf(buf, len, "%lldm ago", (long long)(d / 60));
	else if (d < 86400)
		snprintf(buf, len, "%lldh %lldm ago", (long long)(d / 3600),
		    (long long)(d % 3600 / 60));
	else
		snprintf(buf, len, "%lldd %lldh ago", (long long)(d / 86400),
		    (long long)(d % 86400 / 3600));
}

/* A refusal the node has not got past: newer than what it serves. */
static int
fleet_refusing(const struct fleet_node *n)
{
	return n->refused_revision != 0 && n->refused_revision > n->revision;
}

static void
fleet_probe_ok(void *arg, const char *object, const char *key,
    const char *fpr)
{
	struct fleet_probe	*fp = arg;

	fp->nok++;
	json_array_append_new(fp->matched, json_pack("{s:o,s:o,s:o}",
	    "object", cmd_json_str(object), "key", cmd_json_str(key),
	    "sha256", cmd_json_str(fpr)));
}

/* Probes what node serves at its address, when it has one. */
static void
fleet_probe_node(const struct config *cf, const struct fleet_node *n,
    int timeout_ms, struct fleet_probe *fp)
{
	struct endpoint	 addr;

	memset(fp, 0, sizeof *fp);
	fp->matched = json_array();
	if (n->address == NULL || *n->address == '\0') {
		fp->why = xstrdup("its record gives no address");
		return;
	}
	/* An address alone, or with a port (which is not used). */
	if (endpoint_parse_addr(n->address, &addr, NULL) != 0 &&
	    (endpoint_parse(n->address, &addr, NULL) != 0 ||
	    endpoint_any_addr(&addr))) {
		fp->why = xstrdup("its address is not an IP address");
		return;
	}
	if (cf == NULL) {
		fp->why = xstrdup("the fleet's config did not load");
		return;
	}
	probe_run_at(cf, &addr, timeout_ms, fleet_probe_ok, fp, &fp->fs,
	    &fp->nlisteners);
	findings_sort(&fp->fs);
	fp->probed = 1;
}

static void
fleet_probe_clear(struct fleet_probe *fp)
{
	findings_clear(&fp->fs);
	if (fp->matched != NULL)
		json_decref(fp->matched);
	free(fp->why);
}

static void
fleet_print_node(const struct fleet_status *st, const struct fleet_node *n,
    const struct fleet_probe *fp, int verbose, int64_t now)
{
	json_t	*m;
	size_t	 i;
	char	 when[64], ago[64];

	fleet_time(n->loaded, when, sizeof when);
	fleet_ago(n->loaded, now, ago, sizeof ago);
	fputs("node ", stdout);
	cmd_puts_escaped(stdout, n->name);
	fputs(" address ", stdout);
	cmd_puts_escaped(stdout, n->address != NULL ? n->address : "-");
	printf(" revision %lld loaded %s (%s): ", (long long)n->revision,
	    when, ago);
	if (fleet_node_behind(st, n))
		printf("node-behind: %lld revision%s behind the fleet's %lld, "
		    "serving revision %lld since %s\n",
		    (long long)(st->content_revision - n->revision),
		    st->content_revision - n->revision == 1 ? "" : "s",
		    (long long)st->content_revision, (long long)n->revision,
		    when);
	else
		printf("current\n");
	if (fleet_refusing(n)) {
		printf("  refused revision %lld: ",
		    (long long)n->refused_revision);
		cmd_puts_escaped(stdout, n->refused != NULL ? n->refused :
		    "no reason given");
		fputc('\n', stdout);
	}
	if (!fp->probed) {
		printf("  not probed: %s\n", fp->why);
		return;
	}
	cmd_print_findings(stdout, &fp->fs, "  ");
	json_array_foreach(verbose ? fp->matched : NULL, i, m) {
		fputs("  ", stdout);
		cmd_probe_print_ok(stdout, json_string_value(json_object_get(m,
		    "object")), json_string_value(json_object_get(m, "key")),
		    json_string_value(json_object_get(m, "sha256")));
	}
	if (fp->fs.n == 0)
		printf("  serves what the config says (%zu probe%s on %zu "
		    "listener%s)\n", fp->nok, fp->nok == 1 ? "" : "s",
		    fp->nlisteners, fp->nlisteners == 1 ? "" : "s");
}

static json_t *
fleet_json_node(const struct fleet_status *st, const struct fleet_node *n,
    struct fleet_probe *fp, const struct config *cf)
{
	json_t	*o = json_object(), *p;
	char	 when[64];
	int	 behind = fleet_node_behind(st, n);

	fleet_time(n->loaded, when, sizeof when);
	json_object_set_new(o, "name", cmd_json_str(n->name));
	json_object_set_new(o, "address", cmd_json_str(n->address));
	json_object_set_new(o, "host", cmd_json_str(n->host));
	json_object_set_new(o, "pid", json_integer(n->pid));
	json_object_set_new(o, "version", cmd_json_str(n->version));
	json_object_set_new(o, "revision", json_integer(n->revision));
	json_object_set_new(o, "loaded", json_integer(n->loaded));
	json_object_set_new(o, "loaded_utc", json_string(when));
	json_object_set_new(o, "generation",
	    json_integer((json_int_t)n->generation));
	json_object_set_new(o, "state", json_string(behind ? "node-behind" :
	    "current"));
	json_object_set_new(o, "behind", json_integer(behind ?
	    st->content_revision - n->revision : 0));
	if (n->refused_revision != 0) {
		json_object_set_new(o, "refused_revision",
		    json_integer(n->refused_revision));
		json_object_set_new(o, "refused", cmd_json_str(n->refused));
	} else {
		json_object_set_new(o, "refused_revision", json_null());
		json_object_set_new(o, "refused", json_null());
	}
	if (fp->probed) {
		p = json_object();
		json_object_set_new(p, "listeners",
		    json_integer((json_int_t)fp->nlisteners));
		json_object_set_new(p, "matched", fp->matched);
		fp->matched = NULL;
		json_object_set_new(p, "findings", cmd_json_findings(cf,
		    &fp->fs));
		json_object_update_new(p, cmd_json_counts(&fp->fs));
		json_object_set_new(o, "probe", p);
	} else {
		json_object_set_new(o, "probe", json_null());
		json_object_set_new(o, "not_probed", json_string(fp->why));
	}
	return o;
}

int
cmd_probe_fleet(struct cmd_ctx *ctx, struct args *args, int timeout_ms)
{
	struct fleet_status	 st;
	struct fleet_probe	 fp;
	struct config		*cf = NULL;
	json_t			*doc = NULL, *nodes = NULL, *bad;
	const char		*prefix;
	char			*cause = NULL;
	size_t			 i, nbehind = 0, nrefusing = 0, nerr = 0;
	size_t			 nwarn = 0, naddr = 0, nbad;
	int			 json = args_has(args, "json") != 0;
	int64_t			 now = (int64_t)time(NULL);

	if (ctx->loc == NULL || !location_remote(ctx->loc)) {
		cmd_error("probe --fleet needs the fleet's etcd location: "
		    "-c etcd://HOST:PORT[,HOST:PORT...]/PREFIX");
		return EXIT_CANNOT;
	}
	if (args_count(args) != 0) {
		cmd_error("probe --fleet takes no ENDPOINT: it probes each "
		    "node at the address its record gives");
		return EXIT_CANNOT;
	}
	prefix = location_prefix(ctx->loc);
	if (fleet_status(location_etcd(ctx->loc), prefix, &st, &cause) != 0)
		return cmd_fail(EXIT_CANNOT, cause);

	/*
	 * The config, to predict what a node serves, when one has an
	 * address to probe: the checkout is brought to the revision just
	 * read, so that the prediction is of the fleet's content.
	 */
	for (i = 0; i < st.n; i++) {
		if (st.nodes[i].address != NULL && *st.nodes[i].address != '\0')
			naddr++;
	}
	if (naddr != 0 && st.config_revision != 0) {
		if (location_content_revision(ctx->loc) != st.content_revision &&
		    location_refresh(ctx->loc, st.read_revision, &cause) == -1) {
			cmd_error("%s", cause);
			free(cause);
			cause = NULL;
		}
		ctx->conf_path = location_path(ctx->loc);
		if ((cf = cmd_load(ctx)) == NULL)
			cmd_error("the fleet's config did not load: what the "
			    "nodes serve is not probed");
	}

	if (json) {
		doc = json_object();
		json_object_set_new(doc, "location",
		    cmd_json_str(location_spec(ctx->loc)));
		json_object_set_new(doc, "read_revision",
		    json_integer(st.read_revision));
		json_object_set_new(doc, "content_revision",
		    json_integer(st.content_revision));
		json_object_set_new(doc, "config_revision",
		    json_integer(st.config_revision));
		nodes = json_array();
	} else {
		fputs("fleet ", stdout);
		cmd_puts_escaped(stdout, location_spec(ctx->loc));
		printf(": content revision %lld (config %lld), read at "
		    "revision %lld; %zu node%s registered\n",
		    (long long)st.content_revision,
		    (long long)st.config_revision,
		    (long long)st.read_revision, st.n, st.n == 1 ? "" : "s");
	}
	for (i = 0; i < st.n; i++) {
		if (fleet_node_behind(&st, &st.nodes[i]))
			nbehind++;
		if (fleet_refusing(&st.nodes[i]))
			nrefusing++;
		fleet_probe_node(cf, &st.nodes[i], timeout_ms, &fp);
		nerr += findings_count(&fp.fs, SEV_ERROR);
		nwarn += findings_count(&fp.fs, SEV_WARNING);
		if (json)
			json_array_append_new(nodes, fleet_json_node(&st,
			    &st.nodes[i], &fp, cf));
		else
			fleet_print_node(&st, &st.nodes[i], &fp,
			    args_has(args, "verbose"), now);
		fleet_probe_clear(&fp);
	}
	if (json) {
		json_object_set_new(doc, "nodes", nodes);
		bad = json_array();
		for (i = 0; i < st.nbad; i++)
			json_array_append_new(bad, cmd_json_str(st.bad[i]));
		json_object_set_new(doc, "bad_records", bad);
		json_object_set_new(doc, "behind",
		    json_integer((json_int_t)nbehind));
		json_object_set_new(doc, "refusing",
		    json_integer((json_int_t)nrefusing));
		json_object_set_new(doc, "errors",
		    json_integer((json_int_t)nerr));
		json_object_set_new(doc, "warnings",
		    json_integer((json_int_t)nwarn));
		cmd_json_print(doc);
	} else {
		for (i = 0; i < st.nbad; i++) {
			fputs("bad-record ", stdout);
			cmd_puts_escaped(stdout, st.bad[i]);
			fputs(" (cannot tell what it serves)\n", stdout);
		}
		if (st.n == 0 && st.nbad == 0) {
			fputs("no node is registered under ", stdout);
			cmd_puts_escaped(stdout, prefix);
			fputs("/nodes/: no certbindd serves this location now\n",
			    stdout);
		}
	}
	if (!json && st.n > 0 && nbehind == 0 && nrefusing == 0 &&
	    st.nbad == 0 && nerr == 0)
		cmd_info("every node serves content revision %lld",
		    (long long)st.content_revision);
	nbad = st.nbad;
	/* cf is ctx's: cmd_run() frees it. */
	fleet_status_clear(&st);
	if (nbehind != 0 || nrefusing != 0 || nbad != 0 || nerr != 0 ||
	    (args_has(args, "strict") && nwarn != 0))
		return EXIT_REFUSED;
	return EXIT_OK;
}
