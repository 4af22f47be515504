/*
 * certbind bind and unbind: one binding of a key to an endpoint, with an
 * optional SNI name, and the binding's own settings: the backend that
 * overrides the listener's for the connections it serves, and the
 * client certificates it asks for. bind on a binding that exists changes
 * those settings instead, and says what changed. Both go through
 * cmd_commit(), which refuses a change that adds an error finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "core/listenset.h"
#include "util/errlist.h"

static int	cmd_bind_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_bind_entry = {
	.name = "bind",
	.findings = 1,
	.summary = "serve a key on an endpoint (and SNI name)",
	.usage = "KEY ENDPOINT [--sni NAME] [--backend ADDR:PORT | "
	    "--no-backend] [--client-ca FILE [--client-auth required|optional] "
	    "| --no-client-ca] [--note TEXT] [--reload]",
	.help =
	"Binds KEY to ENDPOINT: ADDRESS:PORT, where '*' stands for all\n"
	"unassigned addresses or ports ('*:*' is the default for everything\n"
	"unassigned). With --sni, only for clients that ask for NAME\n"
	"('*.example.com' matches one label).\n"
	"On a binding that exists (the same KEY, ENDPOINT and --sni), changes\n"
	"its settings: only those given change, and certbind says what\n"
	"changed.\n"
	"  --backend ADDR:PORT  the connections this binding serves go to\n"
	"                       ADDR:PORT instead of the listener's backend;\n"
	"                       --no-backend goes back to the listener's\n"
	"  --client-ca FILE     ask clients for a certificate and verify it\n"
	"                       against the CAs in FILE (a relative path is\n"
	"                       taken from the store, as in the file);\n"
	"                       --no-client-ca stops asking\n"
	"  --client-auth required|optional\n"
	"                       required (the default with --client-ca): no\n"
	"                       verified certificate, no handshake; optional:\n"
	"                       verified when the client sends one\n"
	"  --note TEXT          the binding's note: why it is so ('' removes\n"
	"                       it; certbind note)\n"
	"  --reload             reload certbindd once the change is saved",
	.args = { 2, 2, {
		{ "sni", 0, ARGS_VALUE },
		{ "backend", 0, ARGS_VALUE },
		{ "no-backend", 0, 0 },
		{ "client-ca", 0, ARGS_VALUE },
		{ "client-auth", 0, ARGS_VALUE },
		{ "no-client-ca", 0, 0 },
		{ "note", 0, ARGS_VALUE },
		{ "reload", 0, 0 }
	} },
	.exec = cmd_bind_exec
};

const struct cmd_entry cmd_unbind_entry = {
	.name = "unbind",
	.findings = 1,
	.summary = "stop serving a key on an endpoint",
	.usage = "KEY ENDPOINT [--sni NAME] [--reload]",
	.help =
	"Removes the binding of KEY to ENDPOINT (with --sni, the binding for\n"
	"that name; without, the one with no sni). --reload reloads certbindd\n"
	"once the change is saved.",
	.args = { 2, 2, { { "sni", 0, ARGS_VALUE }, { "reload", 0, 0 } } },
	.exec = cmd_bind_exec
};

#define GIVE_BACKEND	0x1
#define GIVE_CA		0x2
#define GIVE_AUTH	0x4
#define GIVE_NOTE	0x8

/*
 * The settings given, into want (client_ca borrowed from argv); what was
 * given is flagged in *given. 0, or -1 after saying what is wrong.
 */
static int
read_options(struct args *args, struct config_binding *want,
    unsigned *given)
{
	const char	*s;

	memset(want, 0, sizeof *want);
	*given = 0;
	if (args_has(args, "backend") && args_has(args, "no-backend")) {
		cmd_error("--backend and --no-backend say opposite things: "
		    "give one");
		return -1;
	}
	if ((s = args_get(args, "backend")) != NULL) {
		if (cmd_backend(s, &want->backend) != 0)
			return -1;
		want->has_backend = 1;
		*given |= GIVE_BACKEND;
	} else if (args_has(args, "no-backend"))
		*given |= GIVE_BACKEND;
	if (args_has(args, "no-client-ca") && (args_has(args, "client-ca") ||
	    args_has(args, "client-auth"))) {
		cmd_error("--no-client-ca and --client-ca or --client-auth "
		    "say opposite things: give one");
		return -1;
	}
	if ((s = args_get(args, "client-ca")) != NULL) {
		if (*s == '\0') {
			cmd_error("--client-ca '' names no file: give the CA "
			    "file, or --no-client-ca");
			return -1;
		}
		want->client_ca = (char *)s;
		*given |= GIVE_CA;
	} else if (args_has(args, "no-client-ca"))
		*given |= GIVE_CA;
	if ((s = args_get(args, "client-auth")) != NULL) {
		if (config_client_auth_parse(s, &want->client_auth) != 0 ||
		    want->client_auth == CONFIG_CLIENT_AUTH_NONE) {
			cmd_error("--client-auth '%s' is not a policy: use "
			    "required or optional (--no-client-ca for none)",
			    s);
			return -1;
		}
		*given |= GIVE_AUTH;
	}
	return 0;
}

static const char *
ca_text(const struct config_binding *b)
{
	return b->client_ca != NULL ? b->client_ca : "none";
}

/* What changed from a to b, one phrase each, appended to out. */
static void
binding_changes(const struct config_binding *a,
    const struct config_binding *b, struct errlist *out)
{
	char	b1[ENDPOINT_STRLEN], b2[ENDPOINT_STRLEN];

	if (a->has_backend != b->has_backend || (a->has_backend &&
	    endpoint_cmp(&a->backend, &b->backend) != 0))
		errlist_add(out, "backend %s -> %s",
		    a->has_backend ? endpoint_format(&a->backend, b1) :
		    "the listener's",
		    b->has_backend ? endpoint_format(&b->backend, b2) :
		    "the listener's");
	if ((a->client_ca == NULL) != (b->client_ca == NULL) ||
	    (a->client_ca != NULL && strcmp(a->client_ca, b->client_ca) != 0))
		errlist_add(out, "client_ca %s -> %s", ca_text(a), ca_text(b));
	if (a->client_auth != b->client_auth)
		errlist_add(out, "client_auth %s -> %s",
		    config_client_auth_name(a->client_auth),
		    config_client_auth_name(b->client_auth));
}

/* Whether a becomes b by one character inserted, deleted or changed. */
static int
one_edit(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i = 0;

	if (la > lb)
		return one_edit(b, a);
	if (lb - la > 1)
		return 0;
	while (i < la && a[i] == b[i])
		i++;
	if (la == lb)		/* one change: the rest is equal */
		return i < la && strcmp(a + i + 1, b + i + 1) == 0;
	return strcmp(a + i, b + i + 1) == 0;	/* one insertion into a */
}

/*
 * A binding no listener receives: a typo ("127.0.0.2:844") is the usual
 * cause, so name a listener one keystroke away.
 */
static void
did_you_mean(const struct config *cf, const struct endpoint *ep)
{
	const struct config_listener	*l;
	char				 want[ENDPOINT_STRLEN];
	char				 have[ENDPOINT_STRLEN];
	size_t				 i;

	if (listenset_config_reaches(cf, ep))
		return;
	endpoint_format(ep, want);
	for (i = 0; i < config_nlisteners(cf); i++) {
		l = config_listener(cf, i);
		endpoint_format(&l->ep, have);
		if (one_edit(want, have)) {
			cmd_info("no listener receives %s: did you mean %s, "
			    "where there is one? (certbind unbind, then bind "
			    "again)", want, have);
			return;
		}
	}
}

static int
cmd_bind_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct config_binding *cur;
	struct config_binding	 want, n;
	struct errlist		 changes = ERRLIST_INIT;
	struct config		*after;
	struct endpoint		 ep;
	const char		*sni = args_get(args, "sni");
	const char		*key = args_string(args, 0);
	const char		*note = NULL;
	char			*cause = NULL;
	unsigned		 given = 0;
	ssize_t			 i;
	size_t			 k;
	int			 bind = ctx->entry == &cmd_bind_entry;
	int			 isnew, rc;

	/*
	 * What an sni may be is config_bind()'s to say (the rule a
	 * request's names obey), so it is not checked here.
	 */
	if (cmd_endpoint(args_string(args, 1), &ep) != 0)
		return EXIT_CANNOT;
	if (bind && read_options(args, &want, &given) != 0)
		return EXIT_CANNOT;
	/* unbind has no --note: ask only bind's arguments. */
	if (bind && (note = args_get(args, "note")) != NULL)
		given |= GIVE_NOTE;
	if ((after = cmd_edit(ctx)) == NULL)
		return EXIT_CANNOT;
	if (!bind) {
		if (config_unbind(after, key, &ep, sni, &cause) != 0)
			return cmd_fail(EXIT_REFUSED, cause);
		return cmd_commit(ctx);
	}
	if (config_key_find(after, key) == NULL) {
		cmd_error("there is no key named '%s'; certbind list shows the "
		    "keys", key);
		return EXIT_REFUSED;
	}
	i = config_binding_find(after, key, &ep, sni);
	isnew = i < 0;
	/* Without settings, a binding that exists is config_bind()'s no. */
	if (isnew || given == 0) {
		if (config_bind(after, key, &ep, sni, &cause) != 0)
			return cmd_fail(EXIT_REFUSED, cause);
		if (given == 0) {
			if ((rc = cmd_commit(ctx)) == EXIT_OK)
				did_you_mean(after, &ep);
			return rc;
		}
		i = config_binding_find(after, key, &ep, sni);
	}
	/* What is not given stays as it is. */
	cur = config_binding(after, (size_t)i);
	memset(&n, 0, sizeof n);
	n.has_backend = cur->has_backend;
	n.backend = cur->backend;
	n.client_ca = cur->client_ca;
	n.client_auth = cur->client_auth;
	if (given & GIVE_BACKEND) {
		n.has_backend = want.has_backend;
		n.backend = want.backend;
	}
	if (given & GIVE_CA) {
		n.client_ca = want.client_ca;
		/* A new CA asks as it did, or required. */
		if (want.client_ca == NULL)
			n.client_auth = CONFIG_CLIENT_AUTH_NONE;
		else if (n.client_auth == CONFIG_CLIENT_AUTH_NONE)
			n.client_auth = CONFIG_CLIENT_AUTH_REQUIRED;
	}
	if (given & GIVE_AUTH)
		n.client_auth = want.client_auth;
	if (!isnew)
		binding_changes(cur, &n, &changes);
	if (config_binding_set(after, (size_t)i, &n, &cause) != 0) {
		errlist_clear(&changes);
		return cmd_fail(EXIT_REFUSED, cause);
	}
	cur = config_binding(after, (size_t)i);
	if (note != NULL && strcmp(cur->note != NULL ? cur->note : "",
	    note) != 0) {
		if (config_binding_note(after, (size_t)i, note, &cause) != 0) {
			errlist_clear(&changes);
			return cmd_fail(EXIT_REFUSED, cause);
		}
		if (!isnew)
			errlist_add(&changes, "%s", *note != '\0' ?
			    "note set" : "note removed");
	}
	if (!isnew && changes.n == 0) {
		cmd_info("that binding has these settings already; nothing "
		    "was written.");
		return EXIT_OK;
	}
	if ((rc = cmd_commit(ctx)) == EXIT_OK) {
		for (k = 0; k < changes.n; k++)
			cmd_info("binding of %s on %s%s%s: %s", key,
			    args_string(args, 1), sni != NULL ? " sni " : "",
			    sni != NULL ? sni : "", changes.v[k]);
	}
	errlist_clear(&changes);
	return rc;
}
