/*
 * certbind resolve: which key serves a connection, and why, and where the
 * plaintext goes. It calls the same resolver_lookup() as certbindd for
 * the key, and config_backend_for() on the listener that
 * config_listener_serving() finds for the backend, so the answer is the
 * server's.
 *
 * The text is for a person: the key first, then the binding and the rule
 * on the same line, then the backend and the client-certificate policy.
 * --json is for a script: one JSON document with the same facts.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/dnsname.h"
#include "core/endpoint.h"
#include "core/resolve.h"
#include "util/escape.h"

static int	cmd_resolve_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_resolve_entry = {
	.name = "resolve",
	.summary = "which key, rule and backend serve a connection",
	.usage = "ENDPOINT [--sni NAME] [--json]",
	.help =
	"Prints which key serves a connection to ENDPOINT (an address and a\n"
	"port, as a client connects to) with SNI NAME: the key's name first,\n"
	"then the binding that matched and the rule that chose it, then the\n"
	"backend certbindd forwards the connection to (the binding's own, or\n"
	"else the listener's; none when no listener accepts on ENDPOINT), and\n"
	"the binding's client-certificate policy when it has one.\n"
	"With --json, one JSON document: key, binding {endpoint, sni, line},\n"
	"rule {level, sni, text}, listener, backend {endpoint, from} (from is\n"
	"\"binding\" or \"listener\"; null without a listener), client_auth and\n"
	"client_ca.\n"
	"Exits 3 when nothing serves it: certbindd would refuse the\n"
	"handshake (with --json, the document then has key null).",
	.args = { 1, 1, { { "sni", 0, ARGS_VALUE }, { "json", 0, 0 } } },
	.exec = cmd_resolve_exec
};

/* The levels and SNI rules by the names --json gives them. */
static const char *
level_name(enum resolve_level l)
{
	switch (l) {
	case RESOLVE_ADDR_PORT:
		return "A:P";
	case RESOLVE_ADDR_ANYPORT:
		return "A:*";
	case RESOLVE_ANYADDR_PORT:
		return "*:P";
	case RESOLVE_DEFAULT:
		return "*:*";
	}
	return "?";
}

static const char *
sni_rule_name(enum resolve_sni s)
{
	switch (s) {
	case RESOLVE_SNI_EXACT:
		return "exact";
	case RESOLVE_SNI_WILDCARD:
		return "wildcard";
	case RESOLVE_SNI_NONE:
		return "none";
	}
	return "?";
}

static int
cmd_resolve_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct config_binding	*b;
	const struct config_listener	*l = NULL;
	const struct endpoint		*be;
	struct resolve_rule		 rule;
	struct resolver			*r;
	struct config			*cf;
	struct endpoint			 ep;
	const char			*sni = args_get(args, "sni");
	char				 text[ENDPOINT_STRLEN];
	char				 btext[ENDPOINT_STRLEN];
	char				 ltext[ENDPOINT_STRLEN], *cause = NULL;
	json_t				*o, *jb;
	ssize_t				 i, li;
	int				 json = args_has(args, "json");

	if (cmd_endpoint(args_string(args, 0), &ep) != 0)
		return EXIT_CANNOT;
	if (!endpoint_is_concrete(&ep)) {
		cmd_error("resolve needs the address and port a client "
		    "connects to, not '%s'", args_string(args, 0));
		return EXIT_CANNOT;
	}
	if (sni != NULL && *sni != '\0' && dnsname_check(sni, 0, &cause) != 0) {
		cmd_error("--sni '%s' is not a host name: %s", sni, cause);
		free(cause);
		return EXIT_CANNOT;
	}
	if ((cf = cmd_load(ctx)) == NULL)
		return EXIT_CANNOT;
	r = resolver_new(cf);
	i = resolver_lookup(r, &ep, sni, &rule);
	resolver_free(r);
	if ((li = config_listener_serving(cf, &ep)) >= 0) {
		l = config_listener(cf, (size_t)li);
		endpoint_format(&l->ep, ltext);
	}
	endpoint_format(&ep, text);
	if (i < 0) {
		if (json) {
			o = json_object();
			json_object_set_new(o, "key", json_null());
			json_object_set_new(o, "endpoint", json_string(text));
			json_object_set_new(o, "sni", cmd_json_str(sni != NULL &&
			    *sni != '\0' ? sni : NULL));
			json_object_set_new(o, "listener", l != NULL ?
			    json_string(ltext) : json_null());
			cmd_json_print(o);
		}
		if (sni != NULL)
			cmd_error("nothing serves %s with sni %s: certbindd "
			    "refuses the handshake", text, sni);
		else
			cmd_error("nothing serves %s without sni: certbindd "
			    "refuses the handshake", text);
		return EXIT_NONE;
	}
	b = config_binding(cf, (size_t)i);
	/* The one rule: certbindd asks it with the listener it accepted on. */
	be = l != NULL ? config_backend_for(b, l) : NULL;
	if (be != NULL)
		endpoint_format(be, btext);
	if (json) {
		o = json_object();
		json_object_set_new(o, "key", cmd_json_str(b->key));
		jb = json_object();
		json_object_set_new(jb, "endpoint",
		    json_string(endpoint_format(&b->ep, text)));
		json_object_set_new(jb, "sni", cmd_json_str(b->sni));
		json_object_set_new(jb, "line", json_integer(b->line));
		json_object_set_new(o, "binding", jb);
		json_object_set_new(o, "rule", json_pack("{s:s,s:s,s:s}",
		    "level", level_name(rule.level),
		    "sni", sni_rule_name(rule.sni),
		    "text", resolve_rule_describe(&rule)));
		json_object_set_new(o, "listener", l != NULL ?
		    json_string(ltext) : json_null());
		json_object_set_new(o, "backend", be == NULL ? json_null() :
		    json_pack("{s:s,s:s}", "endpoint", btext, "from",
		    be == &b->backend ? "binding" : "listener"));
		json_object_set_new(o, "client_auth",
		    json_string(config_client_auth_name(b->client_auth)));
		json_object_set_new(o, "client_ca", cmd_json_str(b->client_ca));
		cmd_json_print(o);
		return EXIT_OK;
	}
	endpoint_format(&b->ep, text);
	cmd_puts_escaped(stdout, b->key);
	printf("  %s", text);
	if (b->sni != NULL) {
		fputs(",sni=", stdout);
		cmd_puts_escaped(stdout, b->sni);
	}
	printf("  %s (line %d)\n", resolve_rule_describe(&rule), b->line);
	if (be != NULL)
		printf("  backend %s (%s)\n", btext, be == &b->backend ?
		    "the binding's own" : "the listener's");
	else {
		endpoint_format(&ep, text);
		printf("  backend none: no listener on %s", text);
		if (b->has_backend)
			printf(" (the binding's own would be %s)",
			    endpoint_format(&b->backend, btext));
		putchar('\n');
	}
	if (b->client_ca != NULL) {
		printf("  client certificates %s, verified against ",
		    config_client_auth_name(b->client_auth));
		cmd_puts_escaped(stdout, b->client_ca);
		putchar('\n');
	}
	return EXIT_OK;
}
