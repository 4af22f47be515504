/*
 * certbind list: the keys with their state, the bindings with the key
 * each serves, and the listeners with what serves them; --json gives the
 * same facts to a script.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "op/check.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "util/escape.h"
#include "core/resolve.h"
#include "util/xmalloc.h"
#include "keys/cert.h"

static int	cmd_list_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.summary = "the keys, bindings and listeners, and which key serves each",
	.usage = "[--json]",
	.help =
	"Lists the keys (state, days left, subject), the bindings and the\n"
	"listeners with the key that serves each and through which rule.\n"
	"--json: one JSON document, { \"keys\": [ { name, state, days,\n"
	"subject, sha256, key, cert, request, note, line } ], \"bindings\": [\n"
	"{ key, endpoint, sni, backend, client_auth, note, line } ],\n"
	"\"listeners\": [ { endpoint, backend, proxy_protocol, alpn,\n"
	"freebind, accept_proxy, served_by: { key, rule } or null, note,\n"
	"line } ],\n"
	"\"errors\": N,\n"
	"\"warnings\": N, \"notes\": N }; days and the rest are null where\n"
	"there is none. A note shows on a line of its own under its row.",
	.args = { 0, 0, { { "json", 0, 0 } } },
	.exec = cmd_list_exec
};

/* The worst finding about a key decides the state shown for it. */
static const char *
key_state(const struct findings *fs, size_t k, const struct config_key *key)
{
	const struct finding	*best = NULL;
	size_t			 i;

	for (i = 0; i < fs->n; i++) {
		if (fs->v[i].kind != FK_KEY || fs->v[i].index != (ssize_t)k)
			continue;
		if (strcmp(fs->v[i].code, F_UNBOUND_KEY) == 0)
			continue;
		if (best == NULL || fs->v[i].severity > best->severity)
			best = &fs->v[i];
	}
	if (best != NULL)
		return best->code;
	return key->cert == NULL ? "pending" : "ok";
}

/* A note on a line of its own under its row, escaped. */
static void
put_note(const char *note)
{
	if (note == NULL)
		return;
	printf("      note: ");
	cmd_puts_escaped(stdout, note);
	putchar('\n');
}

static void
pad_escaped(const char *s, int width)
{
	char	*esc = escape_str(s, 0);

	printf("%-*s", width, esc);
	free(esc);
}

/* list --json: the same facts as the text, for a script. */
static void
list_json(const struct config *cf, const struct findings *fs,
    const struct resolver *r)
{
	const struct config_key		*key;
	const struct config_binding	*b;
	const struct config_listener	*l;
	const struct endpoint		*be;
	struct resolve_rule		 rule;
	struct cert			*c;
	json_t				*doc, *a, *o, *alpn;
	char				 ep[ENDPOINT_STRLEN], *path, *cause;
	ssize_t				 i;
	size_t				 k, j;

	doc = json_object();
	a = json_array();
	for (k = 0; k < config_nkeys(cf); k++) {
		key = config_key(cf, k);
		c = NULL;
		cause = NULL;
		if (key->cert != NULL) {
			path = config_resolve_path(cf, key->cert);
			if (cert_load(path, &c, &cause) != 0)
				c = NULL;
			free(cause);
			free(path);
		}
		o = json_object();
		json_object_set_new(o, "name", cmd_json_str(key->name));
		json_object_set_new(o, "state",
		    json_string(key_state(fs, k, key)));
		json_object_set_new(o, "days", c != NULL ?
		    json_integer(cert_days_left(c, time(NULL))) : json_null());
		json_object_set_new(o, "subject", cmd_json_str(c != NULL ?
		    cert_subject(c) : NULL));
		json_object_set_new(o, "sha256", cmd_json_str(c != NULL ?
		    cert_fingerprint(c) : NULL));
		json_object_set_new(o, "key", cmd_json_str(key->key));
		json_object_set_new(o, "cert", cmd_json_str(key->cert));
		json_object_set_new(o, "request", cmd_json_str(key->request));
		json_object_set_new(o, "note", cmd_json_str(key->note));
		json_object_set_new(o, "line", json_integer(key->line));
		json_array_append_new(a, o);
		cert_free(c);
	}
	json_object_set_new(doc, "keys", a);

	a = json_array();
	for (k = 0; k < config_nbindings(cf); k++) {
		b = config_binding(cf, k);
		o = json_object();
		json_object_set_new(o, "key", cmd_json_str(b->key));
		json_object_set_new(o, "endpoint",
		    json_string(endpoint_format(&b->ep, ep)));
		json_object_set_new(o, "sni", cmd_json_str(b->sni));
		json_object_set_new(o, "backend", b->has_backend ?
		    json_string(endpoint_format(&b->backend, ep)) :
		    json_null());
		json_object_set_new(o, "client_auth", b->client_ca != NULL ?
		    json_string(config_client_auth_name(b->client_auth)) :
		    json_null());
		json_object_set_new(o, "note", cmd_json_str(b->note));
		json_object_set_new(o, "line", json_integer(b->line));
		json_array_append_new(a, o);
	}
	json_object_set_new(doc, "bindings", a);

	a = json_array();
	for (k = 0; k < config_nlisteners(cf); k++) {
		l = config_listener(cf, k);
		o = json_object();
		json_object_set_new(o, "endpoint",
		    json_string(endpoint_format(&l->ep, ep)));
		be = &l->backend;
		json_object_set_new(o, "backend",
		    json_string(endpoint_format(be, ep)));
		json_object_set_new(o, "proxy_protocol",
		    json_integer(l->proxy_protocol));
		alpn = json_array();
		for (j = 0; j < l->nalpn; j++)
			json_array_append_new(alpn, cmd_json_str(l->alpn[j]));
		json_object_set_new(o, "alpn", alpn);
		json_object_set_new(o, "freebind", json_boolean(l->freebind));
		json_object_set_new(o, "accept_proxy",
		    json_boolean(l->accept_proxy));
		i = endpoint_is_concrete(&l->ep) ?
		    resolver_lookup(r, &l->ep, NULL, &rule) : -1;
		json_object_set_new(o, "served_by", i < 0 ? json_null() :
		    json_pack("{s:o,s:s}", "key", cmd_json_str(config_binding(cf,
		    (size_t)i)->key), "rule", resolve_rule_describe(&rule)));
		json_object_set_new(o, "note", cmd_json_str(l->note));
		json_object_set_new(o, "line", json_integer(l->line));
		json_array_append_new(a, o);
	}
	json_object_set_new(doc, "listeners", a);
	json_object_update_new(doc, cmd_json_counts(fs));
	cmd_json_print(doc);
}

static int
cmd_list_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct config_key		*key;
	const struct config_binding	*b;
	const struct config_listener	*l;
	struct findings			 fs = FINDINGS_INIT;
	struct check_opts		 o;
	struct resolve_rule		 rule;
	struct resolver			*r;
	struct config			*cf;
	struct cert			*c;
	char				 ep[ENDPOINT_STRLEN], be[ENDPOINT_STRLEN];
	char				*cause, days[16];
	ssize_t				 i;
	size_t				 k;

	if ((cf = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	check_opts_default(&o);
	o.offline = 1;
	check_config(cf, &o, &fs);
	if (args_has(args, "json")) {
		r = resolver_new(cf);
		list_json(cf, &fs, r);
		resolver_free(r);
		findings_clear(&fs);
		return EXIT_OK;
	}

	printf("KEYS\n  %-20s %-16s %5s  %s\n", "NAME", "STATE", "DAYS",
	    "SUBJECT");
	for (k = 0; k < config_nkeys(cf); k++) {
		key = config_key(cf, k);
		printf("  ");
		pad_escaped(key->name, 20);
		printf(" %-16s ", key_state(&fs, k, key));
		c = NULL;
		cause = NULL;
		if (key->cert != NULL) {
			char *path = config_resolve_path(cf, key->cert);

			if (cert_load(path, &c, &cause) != 0)
				c = NULL;
			free(cause);
			free(path);
		}
		if (c != NULL) {
			snprintf(days, sizeof days, "%ld",
			    cert_days_left(c, time(NULL)));
			printf("%5s  ", days);
			cmd_puts_escaped(stdout, cert_subject(c));
			cert_free(c);
		} else
			printf("%5s  ", "-");
		putchar('\n');
		put_note(key->note);
	}

	r = resolver_new(cf);
	printf("\nBINDINGS\n  %-28s %-24s %s\n", "ENDPOINT", "SNI", "KEY");
	for (k = 0; k < config_nbindings(cf); k++) {
		b = config_binding(cf, k);
		endpoint_format(&b->ep, ep);
		printf("  %-28s ", ep);
		pad_escaped(b->sni != NULL ? b->sni : "-", 24);
		putchar(' ');
		cmd_puts_escaped(stdout, b->key);
		if (endpoint_any_addr(&b->ep) && endpoint_any_port(&b->ep))
			printf("  [default: all unassigned]");
		if (b->has_backend)
			printf("  [backend %s]", endpoint_format(&b->backend,
			    be));
		putchar('\n');
		put_note(b->note);
	}

	printf("\nLISTENERS\n  %-28s %-24s %s\n", "ENDPOINT", "BACKEND",
	    "SERVED WITHOUT SNI BY");
	for (k = 0; k < config_nlisteners(cf); k++) {
		l = config_listener(cf, k);
		endpoint_format(&l->ep, ep);
		endpoint_format(&l->backend, be);
		printf("  %-28s %-24s ", ep, be);
		i = -1;
		if (endpoint_is_concrete(&l->ep))
			i = resolver_lookup(r, &l->ep, NULL, &rule);
		if (i >= 0) {
			cmd_puts_escaped(stdout,
			    config_binding(cf, (size_t)i)->key);
			printf(" via %s", resolve_rule_describe(&rule));
		} else if (endpoint_is_concrete(&l->ep))
			printf("nothing: handshakes refused");
		else
			printf("per address (certbind resolve ADDRESS:%u)",
			    (unsigned)l->ep.port);
		putchar('\n');
		put_note(l->note);
	}
	printf("\n%zu error%s, %zu warning%s: certbind check explains them.\n",
	    findings_count(&fs, SEV_ERROR),
	    findings_count(&fs, SEV_ERROR) == 1 ? "" : "s",
	    findings_count(&fs, SEV_WARNING),
	    findings_count(&fs, SEV_WARNING) == 1 ? "" : "s");
	resolver_free(r);
	findings_clear(&fs);
	return EXIT_OK;
}
