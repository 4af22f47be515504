/*
 * certbind listen and unlisten: certbindd's listeners, each an endpoint
 * with the plaintext backend it forwards to and its options (the PROXY
 * header it sends the backend, ALPN, freebind, a PROXY header it
 * accepts). listen on an endpoint that has a listener changes that
 * listener instead, and says what changed.
 *
 * What a value may be is core's to say (config_listener_check() through
 * config_listener_set()); this file only reads the command line into a
 * struct config_listener and reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "util/errlist.h"
#include "util/xmalloc.h"

static int	cmd_listen_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_listen_entry = {
	.name = "listen",
	.findings = 1,
	.summary = "add or change a listener and its backend",
	.usage = "ENDPOINT [--backend ADDR:PORT] [--proxy-protocol 0|1|2] "
	    "[--alpn P,...] [--[no-]freebind] [--[no-]accept-proxy] "
	    "[--bind KEY [--sni NAME]] [--note TEXT] [--reload]",
	.help =
	"Adds a listener: certbindd accepts TLS on ENDPOINT ('*:443' for all\n"
	"addresses) and forwards the plaintext to the backend ADDR:PORT\n"
	"(--backend, required for a new listener).\n"
	"On an endpoint that has a listener, changes that listener: only the\n"
	"settings given change, and certbind says what changed.\n"
	"  --proxy-protocol N  send the backend a PROXY protocol header of\n"
	"                      version 1 or 2 first (0: none, the default)\n"
	"  --alpn P,...        the ALPN protocols offered, in the server's\n"
	"                      order, such as h2,http/1.1 ('' for none)\n"
	"  --freebind          bind the address even before this host has it\n"
	"                      (a standby's address); --no-freebind undoes it\n"
	"  --accept-proxy      read a PROXY header (v1 or v2) from a load\n"
	"                      balancer before the TLS hello; --no-accept-proxy\n"
	"                      undoes it\n"
	"  --bind KEY          bind KEY to ENDPOINT in the same change (with\n"
	"                      --sni NAME, for that name), so that a new\n"
	"                      listener is served from the start\n"
	"  --note TEXT         the listener's note: why it is so ('' removes\n"
	"                      it; certbind note)\n"
	"  --reload            reload certbindd once the change is saved",
	.args = { 1, 1, {
		{ "backend", 0, ARGS_VALUE },
		{ "proxy-protocol", 0, ARGS_VALUE },
		{ "alpn", 0, ARGS_VALUE },
		{ "freebind", 0, 0 },
		{ "no-freebind", 0, 0 },
		{ "accept-proxy", 0, 0 },
		{ "no-accept-proxy", 0, 0 },
		{ "bind", 0, ARGS_VALUE },
		{ "sni", 0, ARGS_VALUE },
		{ "note", 0, ARGS_VALUE },
		{ "reload", 0, 0 }
	} },
	.exec = cmd_listen_exec
};

const struct cmd_entry cmd_unlisten_entry = {
	.name = "unlisten",
	.findings = 1,
	.summary = "remove a listener",
	.usage = "ENDPOINT [--reload]",
	.help =
	"Removes the listener on ENDPOINT. Its bindings stay (check shows\n"
	"them as stale). --reload reloads certbindd once the change is saved.",
	.args = { 1, 1, { { "reload", 0, 0 } } },
	.exec = cmd_listen_exec
};

/* A flag and its --no- form: 1, 0, or -1 when neither; -2 when both. */
static int
flag(struct args *args, const char *yes, const char *no)
{
	int	y = args_has(args, yes) != 0, n = args_has(args, no) != 0;

	if (y && n) {
		cmd_error("--%s and --%s say opposite things: give one", yes,
		    no);
		return -2;
	}
	return y ? 1 : n ? 0 : -1;
}

/* "h2,http/1.1" into l's list ("" empties it). */
static void
alpn_split(const char *text, struct config_listener *l)
{
	const char	*p, *c;

	l->alpn = NULL;
	l->nalpn = 0;
	if (*text == '\0')
		return;
	for (p = text;; p = c + 1) {
		c = strchr(p, ',');
		l->alpn = xreallocarray(l->alpn, l->nalpn + 1,
		    sizeof *l->alpn);
		l->alpn[l->nalpn++] = c != NULL ? xstrndup(p, (size_t)(c - p)) :
		    xstrdup(p);
		if (c == NULL)
			break;
	}
}

static void
alpn_free(struct config_listener *l)
{
	size_t	i;

	for (i = 0; i < l->nalpn; i++)
		free(l->alpn[i]);
	free(l->alpn);
	l->alpn = NULL;
	l->nalpn = 0;
}

/* A listener's ALPN list as the command line writes it; allocated. */
static char *
alpn_join(const struct config_listener *l)
{
	char	*s = xstrdup(""), *n;
	size_t	 i;

	if (l->nalpn == 0) {
		free(s);
		return xstrdup("none");
	}
	for (i = 0; i < l->nalpn; i++) {
		n = xasprintf("%s%s%s", s, i == 0 ? "" : ",", l->alpn[i]);
		free(s);
		s = n;
	}
	return s;
}

/*
 * The options given, read into want (whose alpn is then its own, to be
 * freed with alpn_free()); what was given is flagged in *given. 0, or -1
 * after saying what is wrong.
 */
#define GIVE_BACKEND	0x01
#define GIVE_PROXY	0x02
#define GIVE_ALPN	0x04
#define GIVE_FREEBIND	0x08
#define GIVE_ACCEPT	0x10
#define GIVE_NOTE	0x20

static int
read_options(struct args *args, struct config_listener *want,
    unsigned *given)
{
	const char	*s;
	char		*end, *cause = NULL;
	long		 n;
	int		 f;

	memset(want, 0, sizeof *want);
	*given = 0;
	if ((s = args_get(args, "backend")) != NULL) {
		if (cmd_backend(s, &want->backend) != 0)
			return -1;
		*given |= GIVE_BACKEND;
	}
	if ((s = args_get(args, "proxy-protocol")) != NULL) {
		errno = 0;
		n = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno != 0 || n < -1000 ||
		    n > 1000) {
			cmd_error("--proxy-protocol '%s' is not a version: use "
			    "0 (none), 1 or 2", s);
			return -1;
		}
		want->proxy_protocol = (int)n;
		*given |= GIVE_PROXY;
	}
	if ((s = args_get(args, "alpn")) != NULL) {
		alpn_split(s, want);
		*given |= GIVE_ALPN;
	}
	/* The rule is core's: it names the value and what is allowed. */
	if (config_listener_check(want, &cause) != 0) {
		cmd_error("refused: %s; nothing was written.", cause);
		free(cause);
		alpn_free(want);
		return -1;
	}
	if ((f = flag(args, "freebind", "no-freebind")) == -2)
		goto bad;
	if (f >= 0) {
		want->freebind = f;
		*given |= GIVE_FREEBIND;
	}
	if ((f = flag(args, "accept-proxy", "no-accept-proxy")) == -2)
		goto bad;
	if (f >= 0) {
		want->accept_proxy = f;
		*given |= GIVE_ACCEPT;
	}
	return 0;
bad:
	alpn_free(want);
	return -1;
}

/* What changed from a to b, one phrase each, appended to out. */
static void
listener_changes(const struct config_listener *a,
    const struct config_listener *b, struct errlist *out)
{
	char	b1[ENDPOINT_STRLEN], b2[ENDPOINT_STRLEN], *s1, *s2;

	if (endpoint_cmp(&a->backend, &b->backend) != 0)
		errlist_add(out, "backend %s -> %s",
		    endpoint_format(&a->backend, b1),
		    endpoint_format(&b->backend, b2));
	if (a->proxy_protocol != b->proxy_protocol)
		errlist_add(out, "proxy_protocol %d -> %d", a->proxy_protocol,
		    b->proxy_protocol);
	s1 = alpn_join(a);
	s2 = alpn_join(b);
	if (strcmp(s1, s2) != 0)
		errlist_add(out, "alpn %s -> %s", s1, s2);
	free(s1);
	free(s2);
	if (a->freebind != b->freebind)
		errlist_add(out, "freebind %s -> %s", a->freebind ? "on" :
		    "off", b->freebind ? "on" : "off");
	if (a->accept_proxy != b->accept_proxy)
		errlist_add(out, "accept_proxy %s -> %s", a->accept_proxy ?
		    "on" : "off", b->accept_proxy ? "on" : "off");
}

/* Whether some binding of cf serves connections on the listener on ep. */
static int
listener_served(const struct config *cf, const struct endpoint *ep)
{
	size_t	i;

	for (i = 0; i < config_nbindings(cf); i++) {
		if (endpoint_overlaps(&config_binding(cf, i)->ep, ep))
			return 1;
	}
	return 0;
}

static int
cmd_listen_exec(struct cmd_ctx *ctx, struct args *args)
{
	const struct config_listener *cur;
	struct config_listener	 want, n;
	struct errlist		 changes = ERRLIST_INIT;
	struct config		*after;
	struct endpoint		 ep;
	const char		*text = args_string(args, 0);
	const char		*bindkey = NULL, *note;
	char			 buf[ENDPOINT_STRLEN], *cause = NULL;
	unsigned		 given = 0;
	ssize_t			 i;
	size_t			 k;
	int			 rc, isnew;

	if (cmd_endpoint(text, &ep) != 0)
		return EXIT_CANNOT;
	if (ctx->entry != &cmd_listen_entry) {
		if ((after = cmd_edit(ctx)) == NULL)
			return EXIT_CANNOT;
		if (config_unlisten(after, &ep, &cause) != 0)
			return cmd_fail(EXIT_REFUSED, cause);
		return cmd_commit(ctx);
	}
	if (endpoint_any_port(&ep)) {
		cmd_error("a listener needs a port: '%s'", text);
		return EXIT_CANNOT;
	}
	bindkey = args_get(args, "bind");
	if (read_options(args, &want, &given) != 0)
		return EXIT_CANNOT;
	if ((note = args_get(args, "note")) != NULL)
		given |= GIVE_NOTE;
	if ((after = cmd_edit(ctx)) == NULL) {
		alpn_free(&want);
		return EXIT_CANNOT;
	}
	endpoint_format(&ep, buf);
	i = config_listener_find(after, &ep);
	isnew = i < 0;
	if (isnew && !(given & GIVE_BACKEND)) {
		alpn_free(&want);
		cmd_error("there is no listener on %s: a new one needs "
		    "--backend ADDR:PORT", buf);
		return EXIT_CANNOT;
	}
	if (!isnew && given == 0) {
		alpn_free(&want);
		cmd_error("there is already a listener on %s; give the "
		    "settings to change (certbind listen --help)", buf);
		return EXIT_REFUSED;
	}
	if (isnew && config_listen(after, &ep, &want.backend, &cause) != 0) {
		alpn_free(&want);
		return cmd_fail(EXIT_REFUSED, cause);
	}
	/* What is not given stays as it is. */
	cur = config_listener(after, (size_t)config_listener_find(after, &ep));
	n = *cur;
	n.alpn = (given & GIVE_ALPN) ? want.alpn : cur->alpn;
	n.nalpn = (given & GIVE_ALPN) ? want.nalpn : cur->nalpn;
	if (given & GIVE_BACKEND)
		n.backend = want.backend;
	if (given & GIVE_PROXY)
		n.proxy_protocol = want.proxy_protocol;
	if (given & GIVE_FREEBIND)
		n.freebind = want.freebind;
	if (given & GIVE_ACCEPT)
		n.accept_proxy = want.accept_proxy;
	if (!isnew)
		listener_changes(cur, &n, &changes);
	/* config_listener_set() copies n before it frees cur's list. */
	if (config_listener_set(after, &ep, &n, &cause) != 0) {
		alpn_free(&want);
		errlist_clear(&changes);
		return cmd_fail(EXIT_REFUSED, cause);
	}
	alpn_free(&want);
	cur = config_listener(after, (size_t)config_listener_find(after, &ep));
	if (note != NULL && strcmp(cur->note != NULL ? cur->note : "",
	    note) != 0) {
		if (config_listener_note(after, &ep, note, &cause) != 0) {
			errlist_clear(&changes);
			return cmd_fail(EXIT_REFUSED, cause);
		}
		if (!isnew)
			errlist_add(&changes, "%s", *note != '\0' ?
			    "note set" : "note removed");
	}
	/* --bind KEY: the listener and what serves it, in one commit. */
	if (bindkey != NULL && config_bind(after, bindkey, &ep,
	    args_get(args, "sni"), &cause) != 0) {
		errlist_clear(&changes);
		return cmd_fail(EXIT_REFUSED, cause);
	}
	if (!isnew && changes.n == 0 && bindkey == NULL) {
		cmd_info("the listener on %s has these settings already; "
		    "nothing was written.", buf);
		return EXIT_OK;
	}
	if ((rc = cmd_commit(ctx)) == EXIT_OK) {
		for (k = 0; k < changes.n; k++)
			cmd_info("listener %s: %s", buf, changes.v[k]);
	} else if (isnew && bindkey == NULL && !ctx->force &&
	    !listener_served(after, &ep))
		cmd_error("a listener needs a binding to serve it: bind a key "
		    "first (a binding may come before its listener), or give "
		    "both at once with certbind listen %s --backend ... "
		    "--bind KEY", buf);
	errlist_clear(&changes);
	return rc;
}
