/*
 * certbind server: shows and changes the server group's settings (user,
 * group, trust, pidfile, TLS policy, tickets, timeouts, limits); the
 * listeners are certbind listen's. Only the settings given change, and
 * certbind says what changed.
 *
 * What a value may be is core's to say (config_server_check() through
 * config_server_set()), and a priority string's strength the keys
 * layer's (tlsprofile_judge(), what check's weak-tls asks); this file
 * reads the command line into a struct config_server and reports.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "keys/tlsprofile.h"
#include "util/errlist.h"
#include "util/xmalloc.h"

static int	cmd_server_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_server_entry = {
	.name = "server",
	.findings = 1,
	.summary = "show or change certbindd's server settings",
	.usage = "[--json] [--user NAME] [--group NAME] [--trust FILE] "
	    "[--pidfile PATH] [--tls-profile intermediate|modern] "
	    "[--priority STRING | --no-priority] [--signer openssl|gnutls] "
	    "[--ticket-keys FILE] "
	    "[--tickets on|off] [--access-log on|off] [--handshake-timeout N] "
	    "[--idle-timeout N] [--shutdown-timeout N] [--max-connections N] "
	    "[--workers N] [--metrics ADDRESS:PORT | --no-metrics] [--reload]",
	.help =
	"Without options, prints the server settings, one 'name = value' a\n"
	"line, a default marked (default); --json prints them as one JSON\n"
	"document. With options, changes the settings given (the others\n"
	"stay) and says what changed. A string given as '' removes the\n"
	"setting (back to its default).\n"
	"  --user NAME, --group NAME  the user and group certbindd runs as\n"
	"  --trust FILE               the CA bundle (default: the system's)\n"
	"  --pidfile PATH             where certbindd writes its pid\n"
	"  --tls-profile P            intermediate (TLS 1.2 and 1.3, the\n"
	"                             default) or modern (TLS 1.3 only)\n"
	"  --priority STRING          a GnuTLS priority string, overriding the\n"
	"                             profile; --no-priority removes it\n"
	"  --signer S                 openssl (OpenSSL's libcrypto signs\n"
	"                             where it takes the key, the default) or\n"
	"                             gnutls (GnuTLS signs every key)\n"
	"  --ticket-keys FILE         the session ticket key file\n"
	"  --tickets on|off           session tickets (default on)\n"
	"  --access-log on|off        a line per connection (default on)\n"
	"  --handshake-timeout N, --idle-timeout N, --shutdown-timeout N\n"
	"                             seconds, 1 to 86400\n"
	"  --max-connections N        1 to 10000000\n"
	"  --workers N                0 (one per CPU) to 1024\n"
	"  --metrics ADDRESS:PORT     serve Prometheus metrics there, on a\n"
	"                             loopback address only; --no-metrics\n"
	"                             (or --metrics '') stops serving them\n"
	"  --reload                   reload certbindd once the change is saved\n"
	"certbindd takes user, group, pidfile, workers and metrics only when\n"
	"it restarts.",
	.args = { 0, 0, {
		{ "json", 0, 0 },
		{ "user", 0, ARGS_VALUE },
		{ "group", 0, ARGS_VALUE },
		{ "trust", 0, ARGS_VALUE },
		{ "pidfile", 0, ARGS_VALUE },
		{ "tls-profile", 0, ARGS_VALUE },
		{ "priority", 0, ARGS_VALUE },
		{ "no-priority", 0, 0 },
		{ "signer", 0, ARGS_VALUE },
		{ "ticket-keys", 0, ARGS_VALUE },
		{ "tickets", 0, ARGS_VALUE },
		{ "access-log", 0, ARGS_VALUE },
		{ "handshake-timeout", 0, ARGS_VALUE },
		{ "idle-timeout", 0, ARGS_VALUE },
		{ "shutdown-timeout", 0, ARGS_VALUE },
		{ "max-connections", 0, ARGS_VALUE },
		{ "workers", 0, ARGS_VALUE },
		{ "metrics", 0, ARGS_VALUE },
		{ "no-metrics", 0, 0 },
		{ "reload", 0, 0 }
	} },
	.exec = cmd_server_exec
};

/*
 * K_EP is server.metrics: an endpoint, set when has_metrics is (the one
 * setting of that kind, so its flag is named, not at an offset).
 */
enum kind { K_STR, K_NUM, K_BOOL, K_EP };

/* The settings, in the order the file has them. */
static const struct setting {
	const char	*name;		/* in the file */
	const char	*opt;		/* the option */
	enum kind	 kind;
	size_t		 off;
	int		 restart;	/* certbindd takes it only at restart */
} settings[] = {
#define S(n, o, k, f, r) { n, o, k, offsetof(struct config_server, f), r }
	S("user", "user", K_STR, user, 1),
	S("group", "group", K_STR, group, 1),
	S("handshake_timeout", "handshake-timeout", K_NUM, handshake_timeout,
	    0),
	S("idle_timeout", "idle-timeout", K_NUM, idle_timeout, 0),
	S("shutdown_timeout", "shutdown-timeout", K_NUM, shutdown_timeout, 0),
	S("max_connections", "max-connections", K_NUM, max_connections, 0),
	S("workers", "workers", K_NUM, workers, 1),
	S("tls_profile", "tls-profile", K_STR, tls_profile, 0),
	S("priority", "priority", K_STR, priority, 0),
	S("signer", "signer", K_STR, signer, 0),
	S("tickets", "tickets", K_BOOL, tickets, 0),
	S("ticket_keys", "ticket-keys", K_STR, ticket_keys, 0),
	S("access_log", "access-log", K_BOOL, access_log, 0),
	S("trust", "trust", K_STR, trust, 0),
	S("pidfile", "pidfile", K_STR, pidfile, 1),
	S("metrics", "metrics", K_EP, metrics, 1),
#undef S
};
#define NSETTINGS	(sizeof settings / sizeof settings[0])

#define STR(sv, s)	(*(char *const *)(const void *)((const char *)(sv) + \
			    (s)->off))
#define NUM(sv, s)	(*(const int64_t *)(const void *)((const char *)(sv) + \
			    (s)->off))
#define BOOL(sv, s)	(*(const int *)(const void *)((const char *)(sv) + \
			    (s)->off))

/* A setting's value as certbind server prints it; allocated. */
static char *
value_text(const struct config_server *sv, const struct setting *s)
{
	char	epbuf[ENDPOINT_STRLEN];

	switch (s->kind) {
	case K_STR:
		return xstrdup(STR(sv, s) != NULL ? STR(sv, s) : "none");
	case K_NUM:
		return xasprintf("%lld", (long long)NUM(sv, s));
	case K_BOOL:
		return xstrdup(BOOL(sv, s) ? "on" : "off");
	case K_EP:
		if (!sv->has_metrics)
			return xstrdup("none");
		return xstrdup(endpoint_format(&sv->metrics, epbuf));
	}
	return xstrdup("?");
}

static int
value_equal(const struct config_server *a, const struct config_server *b,
    const struct setting *s)
{
	const char	*x, *y;

	switch (s->kind) {
	case K_STR:
		x = STR(a, s);
		y = STR(b, s);
		return x == y || (x != NULL && y != NULL && strcmp(x, y) == 0);
	case K_NUM:
		return NUM(a, s) == NUM(b, s);
	case K_BOOL:
		return BOOL(a, s) == BOOL(b, s);
	case K_EP:
		if (a->has_metrics != b->has_metrics)
			return 0;
		return !a->has_metrics ||
		    endpoint_cmp(&a->metrics, &b->metrics) == 0;
	}
	return 0;
}

static int
server_show(const struct config_server *sv, const struct config_server *dflt,
    int json)
{
	const struct setting	*s;
	json_t			*doc, *defaults, *v = NULL;
	char			*t;
	size_t			 i;

	if (json) {
		doc = json_object();
		defaults = json_array();
		for (i = 0; i < NSETTINGS; i++) {
			s = &settings[i];
			switch (s->kind) {
			case K_STR:
				v = cmd_json_str(STR(sv, s));
				break;
			case K_NUM:
				v = json_integer((json_int_t)NUM(sv, s));
				break;
			case K_BOOL:
				v = json_boolean(BOOL(sv, s));
				break;
			case K_EP:
				t = value_text(sv, s);
				v = cmd_json_str(sv->has_metrics ? t : NULL);
				free(t);
				break;
			}
			json_object_set_new(doc, s->name, v);
			if (value_equal(sv, dflt, s))
				json_array_append_new(defaults,
				    json_string(s->name));
		}
		json_object_set_new(doc, "defaults", defaults);
		cmd_json_print(doc);
		return EXIT_OK;
	}
	for (i = 0; i < NSETTINGS; i++) {
		s = &settings[i];
		t = value_text(sv, s);
		printf("%s = ", s->name);
		cmd_puts_escaped(stdout, t);
		printf("%s\n", value_equal(sv, dflt, s) ? " (default)" : "");
		free(t);
	}
	return EXIT_OK;
}

/* A whole number in text, else -1 after saying so. */
static int
read_number(const char *opt, const char *text, int64_t *v)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno != 0) {
		cmd_error("--%s '%s' is not a whole number (certbind server "
		    "--help gives the ranges)", opt, text);
		return -1;
	}
	*v = (int64_t)n;
	return 0;
}

static int
read_bool(const char *opt, const char *text, int *v)
{
	if (strcmp(text, "on") == 0 || strcmp(text, "true") == 0)
		*v = 1;
	else if (strcmp(text, "off") == 0 || strcmp(text, "false") == 0)
		*v = 0;
	else {
		cmd_error("--%s '%s' is not a switch: use on or off", opt,
		    text);
		return -1;
	}
	return 0;
}

/*
 * The options given, over n (a shallow copy of the settings as they are:
 * the strings it takes are borrowed from argv). *given: how many. 0, or
 * -1 after saying what is wrong.
 */
static int
read_options(struct args *args, struct config_server *n, int *given)
{
	const struct setting	*s;
	const char		*v;
	char			*words = NULL;
	size_t			 i;
	void			*p;

	*given = 0;
	if (args_has(args, "no-priority")) {
		if (args_get(args, "priority") != NULL) {
			cmd_error("--priority and --no-priority say opposite "
			    "things: give one");
			return -1;
		}
		n->priority = NULL;
		(*given)++;
	}
	if (args_has(args, "no-metrics")) {
		if (args_get(args, "metrics") != NULL) {
			cmd_error("--metrics and --no-metrics say opposite "
			    "things: give one");
			return -1;
		}
		n->has_metrics = 0;
		memset(&n->metrics, 0, sizeof n->metrics);
		(*given)++;
	}
	for (i = 0; i < NSETTINGS; i++) {
		s = &settings[i];
		if ((v = args_get(args, s->opt)) == NULL)
			continue;
		(*given)++;
		p = (char *)n + s->off;
		switch (s->kind) {
		case K_STR:
			/* '' removes it: the file never holds an empty one. */
			*(const char **)p = *v == '\0' ? NULL : v;
			break;
		case K_NUM:
			if (read_number(s->opt, v, (int64_t *)p) != 0)
				return -1;
			break;
		case K_BOOL:
			if (read_bool(s->opt, v, (int *)p) != 0)
				return -1;
			break;
		case K_EP:
			/* '' removes it, as for a string. */
			if (*v == '\0') {
				n->has_metrics = 0;
				memset(&n->metrics, 0, sizeof n->metrics);
				break;
			}
			if (cmd_endpoint(v, &n->metrics) != 0)
				return -1;
			n->has_metrics = 1;
			break;
		}
	}
	/* A string GnuTLS refuses stops certbindd: refused here. */
	if (n->priority != NULL && tlsprofile_judge(n->priority, &words) < 0) {
		cmd_error("refused: GnuTLS refuses the priority string '%s': "
		    "%s; nothing was written.", n->priority, words);
		free(words);
		return -1;
	}
	free(words);
	return 0;
}

static int
cmd_server_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct setting	*s;
	const struct config_server *cur;
	struct config_server	 n, dflt;
	struct config		*after, *empty;
	struct errlist		 changes = ERRLIST_INIT, restart = ERRLIST_INIT;
	char			*cause = NULL, *a, *b;
	size_t			 i;
	int			 given, rc;

	/* The defaults are what a server group that sets nothing holds. */
	empty = config_new();
	dflt = *config_server_edit(empty);
	if ((after = cmd_edit(ctx)) == NULL) {
		config_free(empty);
		return EXIT_CANNOT;
	}
	cur = config_server(after) != NULL ? config_server(after) : &dflt;
	n = *cur;
	if (read_options(args, &n, &given) != 0) {
		config_free(empty);
		return EXIT_CANNOT;
	}
	if (given == 0) {
		if (args_has(args, "reload"))
			cmd_info("nothing to change: --reload goes with a "
			    "change (certbind reload reloads as it is)");
		rc = server_show(cur, &dflt, args_has(args, "json"));
		config_free(empty);
		return rc;
	}
	if (args_has(args, "json")) {
		config_free(empty);
		cmd_error("--json goes with showing the settings, not with "
		    "changing them");
		return EXIT_CANNOT;
	}
	/* The rule is core's: it names the value and what is allowed. */
	if (config_server_check(&n, &cause) != 0) {
		config_free(empty);
		cmd_error("refused: %s; nothing was written.", cause);
		free(cause);
		return EXIT_CANNOT;
	}
	for (i = 0; i < NSETTINGS; i++) {
		s = &settings[i];
		if (value_equal(cur, &n, s))
			continue;
		a = value_text(cur, s);
		b = value_text(&n, s);
		errlist_add(&changes, "%s %s -> %s", s->name, a, b);
		if (s->restart)
			errlist_add(&restart, "%s", s->name);
		free(a);
		free(b);
	}
	config_free(empty);
	if (changes.n == 0) {
		cmd_info("the server settings are these already; nothing was "
		    "written.");
		errlist_clear(&restart);
		return EXIT_OK;
	}
	/* config_server_set() copies n before it frees cur's strings. */
	if (config_server_set(after, &n, &cause) != 0) {
		errlist_clear(&changes);
		errlist_clear(&restart);
		return cmd_fail(EXIT_CANNOT, cause);
	}
	if ((rc = cmd_commit(ctx)) == EXIT_OK) {
		for (i = 0; i < changes.n; i++)
			cmd_info("server: %s", changes.v[i]);
		for (i = 0; i < restart.n; i++)
			cmd_info("%s: certbindd takes it only when it restarts "
			    "(a reload keeps the old value)", restart.v[i]);
	}
	errlist_clear(&changes);
	errlist_clear(&restart);
	return rc;
}
