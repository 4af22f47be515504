/*
 * Loading: text to model. The text is read three times. The scanner in
 * config-scan.c goes first (@include, comments, integer literals as
 * written), libconfig then parses it, and a walk over libconfig's tree
 * builds the model.
 *
 * The one idea: a load collects every problem it finds, each with its
 * line, instead of stopping at the first, so one run of certbind check
 * shows the user all of them, in the order of the file. A record with a
 * problem is left out of the model, but what could be read of it is kept
 * aside so that a duplicate of a broken record is still reported.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "core/config.h"
#include "core/config-int.h"
#include "core/endpoint.h"
#include "util/errlist.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

/* A problem found, kept with its line so they can be given in order. */
struct lerr {
	int		 line;
	size_t		 seq;
	char		*msg;
};

/*
 * What was seen even when the record was refused for another reason, so
 * that a duplicate of a broken record is still reported.
 */
struct seen {
	char		*name;		/* key name, or NULL */
	struct endpoint	 ep;		/* listener endpoint */
	int		 line;
};

struct ctx {
	const char	*name;		/* file name as given */
	char		*ename;		/* escaped, for messages */
	struct lerr	*errs;
	size_t		 nerrs;
	size_t		 errscap;
	struct seen	*keys;
	size_t		 nkeys;
	struct seen	*listeners;
	size_t		 nlisteners;
	struct config_scan	 scan;
	struct config	*cf;
	int		 nlines;	/* lines in the text */
	int		 cursor;	/* the furthest line reached */
};

static void
seen_add(struct seen **v, size_t *n, const char *name,
    const struct endpoint *ep, int line)
{
	struct seen	*s;

	/* Grows in powers of two: n is never 0 to 1 to 2 ... reallocs. */
	if ((*n & (*n - 1)) == 0)
		*v = xreallocarray(*v, *n ? *n * 2 : 1, sizeof **v);
	s = &(*v)[(*n)++];
	memset(s, 0, sizeof *s);
	s->name = config_dupnull(name);
	if (ep != NULL)
		s->ep = *ep;
	s->line = line;
}

static int
seen_cmp_name(const void *a, const void *b)
{
	const struct seen	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
seen_cmp_ep(const void *a, const void *b)
{
	const struct seen	*x = a, *y = b;
	int			 c;

	if ((c = endpoint_cmp(&x->ep, &y->ep)) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static void
seen_free(struct seen *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static int
lerr_cmp(const void *a, const void *b)
{
	const struct lerr	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
ctx_err(struct ctx *ctx, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
ctx_verr(struct ctx *ctx, int line, const char *fmt, va_list ap)
{
	char	*msg;

	msg = xvasprintf(fmt, ap);
	if (ctx->nerrs == ctx->errscap) {
		ctx->errscap = ctx->errscap ? ctx->errscap * 2 : 8;
		ctx->errs = xreallocarray(ctx->errs, ctx->errscap,
		    sizeof *ctx->errs);
	}
	ctx->errs[ctx->nerrs].line = line;
	ctx->errs[ctx->nerrs].seq = ctx->nerrs;
	if (line > 0)
		ctx->errs[ctx->nerrs].msg = xasprintf("%s:%d: %s", ctx->ename,
		    line, msg);
	else
		ctx->errs[ctx->nerrs].msg = xasprintf("%s: %s", ctx->ename,
		    msg);
	ctx->nerrs++;
	free(msg);
}

static void
ctx_err(struct ctx *ctx, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ctx_verr(ctx, line, fmt, ap);
	va_end(ap);
}


/*
 * The line of a setting. libconfig 1.5 keeps it in an unsigned short, so
 * past line 65535 it wraps; the walk visits settings in the order of the
 * file, so of the lines the number could stand for, the one nearest to
 * where the walk has got to is the right one.
 */
static int
sline(struct ctx *ctx, const config_setting_t *s)
{
	int	 r, cand, best;

	r = (int)config_setting_source_line(s);
	if (ctx->nlines <= 0xffff)
		return r;
	best = r;
	for (cand = r; cand <= ctx->nlines; cand += 0x10000) {
		if (abs(cand - ctx->cursor) < abs(best - ctx->cursor))
			best = cand;
	}
	if (best > ctx->cursor)
		ctx->cursor = best;
	return best;
}

static char *
esc(const char *s)
{
	return escape_str(s, 0);
}

static void
unknown_setting(struct ctx *ctx, const config_setting_t *s, const char *where)
{
	const char	*name = config_setting_name(s);
	char		*e;

	e = esc(name != NULL ? name : "(unnamed)");
	ctx_err(ctx, sline(ctx, s), "unknown setting '%s' in %s", e, where);
	free(e);
}

/* Reads a string setting; NULL (with an error) when it is another type. */
static const char *
get_string(struct ctx *ctx, const config_setting_t *s, const char *what,
    int empty_ok)
{
	const char	*v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		ctx_err(ctx, sline(ctx, s), "%s must be a string in double quotes",
		    what);
		return NULL;
	}
	v = config_setting_get_string(s);
	if (v == NULL)
		v = "";
	if (!empty_ok && *v == '\0') {
		ctx_err(ctx, sline(ctx, s), "%s must not be empty", what);
		return NULL;
	}
	return v;
}

/*
 * Reads an integer setting as 64 bits and range checks it. For a plain
 * int, the digits in the text are read again: libconfig 1.5 wraps a value
 * that does not fit in 32 bits without saying so.
 */
static int
get_number(struct ctx *ctx, const config_setting_t *s, const char *what,
    long long min, long long max, int64_t *out)
{
	const struct config_literal	*lit;
	long long		 v;
	int			 line = sline(ctx, s);
	char			*e;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		ctx_err(ctx, line, "%s must be a whole number from %lld to "
		    "%lld", what, min, max);
		return -1;
	}
	v = config_setting_get_int64(s);
	lit = config_scan_find(&ctx->scan, config_setting_name(s), line);
	if (lit != NULL && lit->overflow) {
		e = esc(lit->text);
		ctx_err(ctx, line, "%s = %s is out of range: use a whole "
		    "number from %lld to %lld", what, e, min, max);
		free(e);
		return -1;
	}
	/* The digits as written: libconfig may have wrapped them. */
	if (lit != NULL)
		v = lit->value;
	if (v < min || v > max) {
		ctx_err(ctx, line, "%s = %lld is out of range: use a whole "
		    "number from %lld to %lld", what, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* A list of groups; an empty [] array is accepted as an empty list. */
static int
is_list(struct ctx *ctx, const config_setting_t *s, const char *what,
    const char *example)
{
	if (config_setting_type(s) == CONFIG_TYPE_LIST)
		return 1;
	if (config_setting_type(s) == CONFIG_TYPE_ARRAY &&
	    config_setting_length(s) == 0)
		return 1;
	ctx_err(ctx, sline(ctx, s), "%s must be a list: %s = ( %s, ... );", what,
	    what, example);
	return 0;
}

static int
is_group_elem(struct ctx *ctx, const config_setting_t *s, const char *what,
    const char *example)
{
	if (config_setting_type(s) == CONFIG_TYPE_GROUP)
		return 1;
	ctx_err(ctx, sline(ctx, s), "each entry of %s must be a group: %s", what,
	    example);
	return 0;
}

static int
get_endpoint(struct ctx *ctx, const config_setting_t *s, const char *what,
    struct endpoint *ep)
{
	const char	*v;
	char		*cause = NULL;

	if ((v = get_string(ctx, s, what, 1)) == NULL)
		return -1;
	if (endpoint_parse(v, ep, &cause) != 0) {
		ctx_err(ctx, sline(ctx, s), "%s: %s", what,
		    cause != NULL ? cause : "bad endpoint");
		free(cause);
		return -1;
	}
	return 0;
}

/*
 * The helpers above for the parts of the walk in files of their own
 * (config-load-acme.c), through a handle that shows them nothing else.
 */
struct config_lctx {
	struct ctx	*ctx;
};

void
config_lerr(struct config_lctx *lc, int line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	ctx_verr(lc->ctx, line, fmt, ap);
	va_end(ap);
}

int
config_lline(struct config_lctx *lc, const config_setting_t *s)
{
	return sline(lc->ctx, s);
}

const char *
config_lstr(struct config_lctx *lc, const config_setting_t *s,
    const char *what, int empty_ok)
{
	return get_string(lc->ctx, s, what, empty_ok);
}

int
config_lnum(struct config_lctx *lc, const config_setting_t *s,
    const char *what, long long min, long long max, int64_t *out)
{
	return get_number(lc->ctx, s, what, min, max, out);
}

int
config_lendpoint(struct config_lctx *lc, const config_setting_t *s,
    const char *what, struct endpoint *ep)
{
	return get_endpoint(lc->ctx, s, what, ep);
}

void
config_lunknown(struct config_lctx *lc, const config_setting_t *s,
    const char *where)
{
	unknown_setting(lc->ctx, s, where);
}

struct config *
config_lmodel(struct config_lctx *lc)
{
	return lc->ctx->cf;
}

/*
 * A note (config_note_check()), into *dst; "" is no note. Returns 0, or -1
 * with the error reported at the setting's line.
 */
static int
get_note(struct ctx *ctx, const config_setting_t *s, char **dst)
{
	const char	*v;
	char		*why;

	if ((v = get_string(ctx, s, "note", 1)) == NULL)
		return -1;
	if (config_note_check(v, &why) != 0) {
		ctx_err(ctx, sline(ctx, s), "%s", why);
		free(why);
		return -1;
	}
	config_setstr(dst, *v != '\0' ? v : NULL);
	return 0;
}

#define KEY_EXAMPLE \
    "{ name = \"www\"; key = \"keys/www.key\"; cert = \"certs/www.pem\"; }"
#define BINDING_EXAMPLE "{ key = \"www\"; endpoint = \"*:443\"; }"
#define LISTEN_EXAMPLE \
    "{ endpoint = \"*:443\"; backend = \"127.0.0.1:8080\"; }"

static void
walk_key(struct ctx *ctx, const config_setting_t *g)
{
	struct config		*cf = ctx->cf;
	const config_setting_t	*s;
	const char		*name = NULL, *key = NULL, *cert = NULL;
	const char		*request = NULL, *n;
	char			*note = NULL;
	struct config_key	*k;
	struct config_key_acme	*acme = NULL;
	struct config_lctx	 lc = { ctx };
	int			 i, ok = 1, line = sline(ctx, g);
	char			*why;

	for (i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, i);
		n = config_setting_name(s);
		if (strcmp(n, "name") == 0) {
			if ((name = get_string(ctx, s, "key name", 0)) == NULL)
				ok = 0;
			else if (config_key_name_check(name, &why) != 0) {
				ctx_err(ctx, sline(ctx, s), "%s", why);
				free(why);
				ok = 0;
			}
		} else if (strcmp(n, "key") == 0) {
			if ((key = get_string(ctx, s, "key path", 0)) == NULL)
				ok = 0;
		} else if (strcmp(n, "cert") == 0) {
			if ((cert = get_string(ctx, s, "cert", 0)) == NULL)
				ok = 0;
		} else if (strcmp(n, "request") == 0) {
			if ((request = get_string(ctx, s, "request", 0)) ==
			    NULL)
				ok = 0;
		} else if (strcmp(n, "acme") == 0) {
			if ((acme = config_load_key_acme(&lc, s)) == NULL)
				ok = 0;
		} else if (strcmp(n, "note") == 0) {
			if (get_note(ctx, s, &note) != 0)
				ok = 0;
		} else {
			unknown_setting(ctx, s, "a key (name, key, cert, "
			    "request, acme, note)");
			ok = 0;
		}
	}
	if (name == NULL && config_setting_get_member(g, "name") == NULL) {
		ctx_err(ctx, line, "a key has no name: add name = \"...\";");
		ok = 0;
	}
	if (key == NULL && config_setting_get_member(g, "key") == NULL) {
		ctx_err(ctx, line, "a key has no private key file: add "
		    "key = \"keys/NAME.key\";");
		ok = 0;
	}
	/* Duplicates are found once all names are known (dup_keys). */
	if (name != NULL)
		seen_add(&ctx->keys, &ctx->nkeys, name, NULL, line);
	if (!ok) {
		config_key_acme_free(acme);
		free(note);
		return;
	}
	k = config_key_append(cf);
	k->name = xstrdup(name);
	k->key = xstrdup(key);
	k->cert = config_dupnull(cert);
	k->request = config_dupnull(request);
	k->acme = acme;
	k->note = note;
	k->line = line;
}

static void
walk_binding(struct ctx *ctx, const config_setting_t *g)
{
	struct config_lctx	 lc = { ctx };
	const config_setting_t	*s;
	struct config_binding	*b, opts;
	struct endpoint		 ep;
	const char		*key = NULL, *sni = NULL, *n;
	int			 i, ok = 1, have_ep = 0, line = sline(ctx, g);
	char			*why;

	memset(&opts, 0, sizeof opts);

	for (i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, i);
		n = config_setting_name(s);
		if (strcmp(n, "key") == 0) {
			if ((key = get_string(ctx, s, "binding key", 0)) ==
			    NULL)
				ok = 0;
		} else if (strcmp(n, "endpoint") == 0) {
			if (get_endpoint(ctx, s, "binding endpoint", &ep) != 0)
				ok = 0;
			else
				have_ep = 1;
		} else if (strcmp(n, "sni") == 0) {
			if ((sni = get_string(ctx, s, "sni", 0)) == NULL)
				ok = 0;
			else if (config_sni_check(sni, &why) != 0) {
				ctx_err(ctx, sline(ctx, s), "%s", why);
				free(why);
				ok = 0;
			}
		} else if (strcmp(n, "note") == 0) {
			if (get_note(ctx, s, &opts.note) != 0)
				ok = 0;
		} else if (!config_load_binding_opt(&lc, s, &opts, &ok)) {
			unknown_setting(ctx, s, "a binding (key, endpoint, "
			    "sni, backend, client_ca, client_auth, note)");
			ok = 0;
		}
	}
	if (opts.client_auth != CONFIG_CLIENT_AUTH_NONE &&
	    opts.client_ca == NULL) {
		ctx_err(ctx, line, "client_auth \"%s\" needs client_ca: add "
		    "client_ca = \"certs/clients-ca.pem\";",
		    config_client_auth_name(opts.client_auth));
		ok = 0;
	}
	if (config_setting_get_member(g, "key") == NULL) {
		ctx_err(ctx, line, "a binding has no key: add key = \"NAME\";");
		ok = 0;
	}
	if (config_setting_get_member(g, "endpoint") == NULL) {
		ctx_err(ctx, line, "a binding has no endpoint: add "
		    "endpoint = \"ADDRESS:PORT\";");
		ok = 0;
	}
	if (!ok || !have_ep) {
		free(opts.client_ca);
		free(opts.note);
		return;
	}
	b = config_binding_append(ctx->cf);
	b->key = xstrdup(key);
	b->ep = ep;
	b->sni = config_dupnull(sni);
	config_binding_opts_copy(b, &opts);
	free(opts.client_ca);
	b->note = opts.note;
	b->line = line;
}

static void
walk_listener(struct ctx *ctx, const config_setting_t *g)
{
	struct config_lctx	 lc = { ctx };
	struct config		*cf = ctx->cf;
	const config_setting_t	*s;
	struct config_listener	*l, opts;
	struct endpoint		 ep, backend;
	const char		*n;
	char			 buf[ENDPOINT_STRLEN];
	int			 i, ok = 1, have_ep = 0, have_be = 0;
	int			 line = sline(ctx, g);

	memset(&opts, 0, sizeof opts);
	for (i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, i);
		n = config_setting_name(s);
		if (strcmp(n, "endpoint") == 0) {
			if (get_endpoint(ctx, s, "listener endpoint", &ep) != 0)
				ok = 0;
			else if (endpoint_any_port(&ep)) {
				ctx_err(ctx, sline(ctx, s), "listener endpoint %s "
				    "has port '*': a listener needs a port",
				    endpoint_format(&ep, buf));
				ok = 0;
			} else
				have_ep = 1;
		} else if (strcmp(n, "backend") == 0) {
			if (get_endpoint(ctx, s, "backend", &backend) != 0)
				ok = 0;
			else if (!endpoint_is_concrete(&backend)) {
				ctx_err(ctx, sline(ctx, s), "backend %s is not an "
				    "address and a port: '*' is not allowed "
				    "there", endpoint_format(&backend, buf));
				ok = 0;
			} else
				have_be = 1;
		} else if (strcmp(n, "note") == 0) {
			if (get_note(ctx, s, &opts.note) != 0)
				ok = 0;
		} else if (!config_load_listener_opt(&lc, s, &opts, &ok)) {
			unknown_setting(ctx, s, "a listener (endpoint, "
			    "backend, proxy_protocol, alpn, freebind, "
			    "accept_proxy, note)");
			ok = 0;
		}
	}
	if (config_setting_get_member(g, "endpoint") == NULL) {
		ctx_err(ctx, line, "a listener has no endpoint: add "
		    "endpoint = \"ADDRESS:PORT\";");
		ok = 0;
	}
	if (config_setting_get_member(g, "backend") == NULL) {
		ctx_err(ctx, line, "a listener has no backend: add "
		    "backend = \"ADDRESS:PORT\";");
		ok = 0;
	}
	if (have_ep)
		seen_add(&ctx->listeners, &ctx->nlisteners, NULL, &ep, line);
	if (!ok || !have_ep || !have_be) {
		config_listener_clear(&opts);
		return;
	}
	l = config_listener_append(cf);
	*l = opts;
	l->ep = ep;
	l->backend = backend;
	l->line = line;
}

static void
walk_server(struct ctx *ctx, const config_setting_t *g)
{
	struct config_lctx	 lc = { ctx };
	struct config_server	*sv;
	const config_setting_t	*s, *e;
	const char		*n, *v;
	int64_t			 num;
	int			 i, j;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		ctx_err(ctx, sline(ctx, g), "server must be a group: "
		    "server = { listen = ( ... ); };");
		return;
	}
	sv = config_server_edit(ctx->cf);
	for (i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, i);
		n = config_setting_name(s);
		if (strcmp(n, "listen") == 0) {
			if (!is_list(ctx, s, "listen", LISTEN_EXAMPLE))
				continue;
			for (j = 0; j < config_setting_length(s); j++) {
				e = config_setting_get_elem(s, j);
				if (is_group_elem(ctx, e, "listen",
				    LISTEN_EXAMPLE))
					walk_listener(ctx, e);
			}
		} else if (strcmp(n, "user") == 0) {
			if ((v = get_string(ctx, s, "user", 0)) != NULL)
				config_setstr(&sv->user, v);
		} else if (strcmp(n, "group") == 0) {
			if ((v = get_string(ctx, s, "group", 0)) != NULL)
				config_setstr(&sv->group, v);
		} else if (strcmp(n, "priority") == 0) {
			if ((v = get_string(ctx, s, "priority", 0)) != NULL)
				config_setstr(&sv->priority, v);
		} else if (strcmp(n, "trust") == 0) {
			if ((v = get_string(ctx, s, "trust", 0)) != NULL)
				config_setstr(&sv->trust, v);
		} else if (strcmp(n, "pidfile") == 0) {
			if ((v = get_string(ctx, s, "pidfile", 0)) != NULL)
				config_setstr(&sv->pidfile, v);
		} else if (strcmp(n, "handshake_timeout") == 0) {
			if (get_number(ctx, s, n, MIN_TIMEOUT, MAX_TIMEOUT,
			    &num) == 0)
				sv->handshake_timeout = num;
		} else if (strcmp(n, "idle_timeout") == 0) {
			if (get_number(ctx, s, n, MIN_TIMEOUT, MAX_TIMEOUT,
			    &num) == 0)
				sv->idle_timeout = num;
		} else if (strcmp(n, "shutdown_timeout") == 0) {
			if (get_number(ctx, s, n, MIN_TIMEOUT, MAX_TIMEOUT,
			    &num) == 0)
				sv->shutdown_timeout = num;
		} else if (strcmp(n, "max_connections") == 0) {
			if (get_number(ctx, s, n, MIN_MAX_CONNECTIONS,
			    MAX_MAX_CONNECTIONS, &num) == 0)
				sv->max_connections = num;
		} else if (strcmp(n, "workers") == 0) {
			if (get_number(ctx, s, n, MIN_WORKERS, MAX_WORKERS,
			    &num) == 0)
				sv->workers = num;
		} else if (strcmp(n, "tickets") == 0) {
			if (config_setting_type(s) == CONFIG_TYPE_BOOL)
				sv->tickets = config_setting_get_bool(s);
			else if (config_setting_type(s) == CONFIG_TYPE_INT ||
			    config_setting_type(s) == CONFIG_TYPE_INT64) {
				if (get_number(ctx, s, n, 0, 1, &num) == 0)
					sv->tickets = (int)num;
			} else
				ctx_err(ctx, sline(ctx, s), "tickets must be true "
				    "or false");
		} else if (!config_load_server_opt(&lc, s, sv))
			unknown_setting(ctx, s, "server (listen, user, group, "
			    "handshake_timeout, idle_timeout, "
			    "shutdown_timeout, max_connections, workers, "
			    "priority, tls_profile, signer, tickets, ticket_keys, "
			    "access_log, metrics, trust, pidfile)");
	}
}

/*
 * Duplicate key names and listener endpoints, found by sorting what was
 * seen rather than by comparing every pair: a file may have thousands.
 * The first one stays; every later one is reported against its line.
 */
static void
find_duplicates(struct ctx *ctx)
{
	struct seen	*v;
	size_t		 i, first;
	char		 buf[ENDPOINT_STRLEN], *e;

	v = ctx->keys;
	if (ctx->nkeys > 1)
		qsort(v, ctx->nkeys, sizeof *v, seen_cmp_name);
	for (i = 1, first = 0; i < ctx->nkeys; i++) {
		if (strcmp(v[i].name, v[first].name) != 0) {
			first = i;
			continue;
		}
		e = esc(v[i].name);
		ctx_err(ctx, v[i].line, "key '%s' is already defined on "
		    "line %d", e, v[first].line);
		free(e);
	}

	v = ctx->listeners;
	if (ctx->nlisteners > 1)
		qsort(v, ctx->nlisteners, sizeof *v, seen_cmp_ep);
	for (i = 1, first = 0; i < ctx->nlisteners; i++) {
		if (endpoint_cmp(&v[i].ep, &v[first].ep) != 0) {
			first = i;
			continue;
		}
		ctx_err(ctx, v[i].line, "there is already a listener on %s, "
		    "on line %d", endpoint_format(&v[i].ep, buf),
		    v[first].line);
	}
}

static void
walk_root(struct ctx *ctx, const config_setting_t *root)
{
	struct config_lctx	 lc = { ctx };
	const config_setting_t	*s, *e;
	const char		*n, *v;
	int64_t			 version;
	int			 i, j;

	for (i = 0; i < config_setting_length(root); i++) {
		s = config_setting_get_elem(root, i);
		n = config_setting_name(s);
		if (strcmp(n, "version") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_INT &&
			    config_setting_type(s) != CONFIG_TYPE_INT64) {
				ctx_err(ctx, sline(ctx, s), "version must be the "
				    "number %d", CONFIG_VERSION);
				continue;
			}
			if (get_number(ctx, s, "version", LLONG_MIN, LLONG_MAX,
			    &version) != 0)
				continue;
			if (version != CONFIG_VERSION)
				ctx_err(ctx, sline(ctx, s), "version %lld is not "
				    "supported: this certbind reads version "
				    "%d", (long long)version, CONFIG_VERSION);
		} else if (strcmp(n, "store") == 0) {
			if ((v = get_string(ctx, s, "store", 0)) != NULL)
				config_set_store(ctx->cf, v);
		} else if (strcmp(n, "server") == 0) {
			walk_server(ctx, s);
		} else if (strcmp(n, "acme") == 0) {
			config_load_acme(&lc, s);
		} else if (strcmp(n, "keys") == 0) {
			if (!is_list(ctx, s, "keys", KEY_EXAMPLE))
				continue;
			for (j = 0; j < config_setting_length(s); j++) {
				e = config_setting_get_elem(s, j);
				if (is_group_elem(ctx, e, "keys", KEY_EXAMPLE))
					walk_key(ctx, e);
			}
		} else if (strcmp(n, "bindings") == 0) {
			if (!is_list(ctx, s, "bindings", BINDING_EXAMPLE))
				continue;
			for (j = 0; j < config_setting_length(s); j++) {
				e = config_setting_get_elem(s, j);
				if (is_group_elem(ctx, e, "bindings",
				    BINDING_EXAMPLE))
					walk_binding(ctx, e);
			}
		} else
			unknown_setting(ctx, s, "the file (version, store, "
			    "server, acme, keys, bindings)");
	}
	/*
	 * No version means version 1: DESIGN.md makes a file with only keys
	 * and bindings valid. The writer always puts the version in, so a
	 * later format can tell the files apart.
	 */
}

int
config_parse(const char *text, size_t len, const char *name,
    struct config **out, struct errlist *errs)
{
	struct ctx	 ctx;
	config_t	 lc;
	const char	*nul, *etext, *hint;
	char		*copy;
	size_t		 i;
	int		 line;

	*out = NULL;
	memset(&ctx, 0, sizeof ctx);
	ctx.name = name != NULL ? name : "(config)";
	ctx.ename = esc(ctx.name);

	if (len > CONFIG_MAX_SIZE) {
		ctx_err(&ctx, 0, "%zu bytes is too large for a config file "
		    "(the limit is %u)", len, CONFIG_MAX_SIZE);
		goto done;
	}
	/* libconfig reads a C string: a NUL would silently end the file. */
	if ((nul = memchr(text, '\0', len)) != NULL) {
		line = 1;
		for (i = 0; text + i < nul; i++) {
			if (text[i] == '\n')
				line++;
		}
		ctx_err(&ctx, line, "the file contains a NUL byte: it is "
		    "not a text file");
		goto done;
	}

	copy = xstrndup(text, len);
	config_scan_text(&ctx.scan, copy, len);
	ctx.nlines = ctx.scan.nlines;
	for (i = 0; i < ctx.scan.nincludes; i++)
		ctx_err(&ctx, ctx.scan.includes[i], "@include is not allowed: "
		    "certbind keeps the whole configuration in one file");

	config_init(&lc);
	config_set_options(&lc, 0);	/* no autoconvert */
	if (config_read_string(&lc, copy) != CONFIG_TRUE) {
		etext = config_error_text(&lc);
		if (etext == NULL)
			etext = "syntax error";
		/* libconfig's words are terse: say what usually causes them. */
		if (strcmp(etext, "syntax error") == 0)
			hint = " (look for a missing ';', '}', ')' or '\"' on "
			    "this line or the one before, or text that is not "
			    "name = value)";
		else if (strcmp(etext, "duplicate setting name") == 0)
			hint = ": a setting is given twice in the same group; "
			    "keep one";
		else
			hint = "";
		ctx_err(&ctx, config_error_line(&lc), "%s%s", etext, hint);
		goto out;
	}

	ctx.cf = config_new();
	ctx.cf->had_comments = ctx.scan.had_comments;
	walk_root(&ctx, config_root_setting(&lc));
	find_duplicates(&ctx);
	config_byname_sort(ctx.cf);

out:
	config_destroy(&lc);
	free(copy);
done:
	config_scan_free(&ctx.scan);
	seen_free(ctx.keys, ctx.nkeys);
	seen_free(ctx.listeners, ctx.nlisteners);
	free(ctx.ename);
	if (ctx.nerrs == 0) {
		*out = ctx.cf;
		return 0;
	}
	qsort(ctx.errs, ctx.nerrs, sizeof *ctx.errs, lerr_cmp);
	for (i = 0; i < ctx.nerrs; i++)
		errlist_add_owned(errs, ctx.errs[i].msg);
	free(ctx.errs);
	config_free(ctx.cf);
	return -1;
}

int
config_load(const char *path, struct config **out, struct errlist *errs)
{
	char	*data = NULL, *cause = NULL;
	size_t	 len = 0;
	int	 rc;

	*out = NULL;
	if (fileio_read(path, CONFIG_MAX_SIZE, 0, &data, &len, NULL,
	    &cause) != 0) {
		errlist_add_owned(errs, cause);
		return -1;
	}
	rc = config_parse(data, len, path, out, errs);
	free(data);
	if (rc == 0)
		config_set_path(*out, path);
	return rc;
}
