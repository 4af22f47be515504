/*
 * certbind list: the keys with their state, the bindings with the key
 * each serves, and the listeners with what serves them. A human view; the
 * machine view is check's findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	.usage = "",
	.help =
	"Lists the keys (state, days left, subject), the bindings and the\n"
	"listeners with the key that serves each and through which rule.",
	.args = { .lower = 0, .upper = 0 },
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

static void
pad_escaped(const char *s, int width)
{
	char	*esc = escape_str(s, 0);

	printf("%-*s", width, esc);
	free(esc);
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
		putchar('\n');
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
