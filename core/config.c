/*
 * The config file model, its loader and its writer.
 *
 * Loading happens in three passes over the same text. A small scanner of
 * our own goes first: it refuses @include (libconfig 1.5 would open any
 * file it names), notices comments (libconfig drops them, and the user
 * must be told before a rewrite) and remembers every integer literal with
 * the setting it belongs to, because libconfig 1.5 silently wraps
 * 3000000000 into a negative int and the original digits are the only way
 * to tell. libconfig then parses the text, and a walk over its tree builds
 * the model, collecting every problem with its line instead of stopping at
 * the first one.
 *
 * Writing does not go through libconfig: the canonical text is built here,
 * so the header comment, the order of settings and the escaping of strings
 * are under our control and serialize -> parse gives back the same model.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libconfig.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "util/errlist.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "core/resolve.h"
#include "util/xmalloc.h"

#ifndef CERTBIND_VERSION
#define CERTBIND_VERSION "unknown"
#endif

struct config {
	char			*path;
	int			 had_comments;
	char			*store;

	int			 has_server;
	struct config_server	 server;

	struct config_listener	*listeners;
	size_t			 nlisteners;
	size_t			 listenerscap;

	struct config_key	*keys;
	size_t			 nkeys;
	size_t			 keyscap;
	/*
	 * Indexes into keys sorted by name, so that a lookup by name (once
	 * per binding in check and in certbindd's table) is a binary search.
	 */
	size_t			*byname;

	struct config_binding	*bindings;
	size_t			 nbindings;
	size_t			 bindingscap;
};

/* Defaults and ranges of the server settings (certbind.conf(5)). */
#define DEF_HANDSHAKE_TIMEOUT	10
#define DEF_IDLE_TIMEOUT	300
#define DEF_SHUTDOWN_TIMEOUT	30
#define DEF_MAX_CONNECTIONS	10000
#define DEF_WORKERS		0
#define DEF_TICKETS		1
#define MIN_TIMEOUT		1
#define MAX_TIMEOUT		86400
#define MIN_MAX_CONNECTIONS	1
#define MAX_MAX_CONNECTIONS	10000000
#define MIN_WORKERS		0
#define MAX_WORKERS		1024

#define KEY_NAME_MAX		64

/* ------------------------------------------------------------------ */
/* Small helpers. */

static void
server_defaults(struct config_server *s)
{
	memset(s, 0, sizeof *s);
	s->handshake_timeout = DEF_HANDSHAKE_TIMEOUT;
	s->idle_timeout = DEF_IDLE_TIMEOUT;
	s->shutdown_timeout = DEF_SHUTDOWN_TIMEOUT;
	s->max_connections = DEF_MAX_CONNECTIONS;
	s->workers = DEF_WORKERS;
	s->tickets = DEF_TICKETS;
}

static char *
dupnull(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

/* SNI names compare without case, as the resolver does. */
static int
snieq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcasecmp(a, b) == 0;
}

static void
setstr(char **dst, const char *src)
{
	char	*old = *dst;

	*dst = dupnull(src);
	free(old);
}

static char *
fmt_ep(const struct endpoint *ep)
{
	char	 buf[ENDPOINT_STRLEN];

	return xstrdup(endpoint_format(ep, buf));
}

/*
 * Whether a key name can be used: it appears on command lines, in "KEY
 * RULE" output and in file names, so it is kept to a plain word.
 */
int
config_key_name_valid(const char *name)
{
	size_t	 i, len;

	if (name == NULL)
		return 0;
	len = strlen(name);
	if (len == 0 || len > KEY_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if ((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9'))
			continue;
		if (i > 0 && (name[i] == '.' || name[i] == '_' ||
		    name[i] == '-'))
			continue;
		return 0;
	}
	return 1;
}

static int
bad_name(const char *name, char **cause)
{
	char	*e;

	if (cause != NULL) {
		e = escape_str(name, 0);
		*cause = xasprintf("bad key name '%s': use 1 to %d letters, "
		    "digits, '.', '_' or '-', starting with a letter or digit",
		    e, KEY_NAME_MAX);
		free(e);
	}
	return -1;
}

static int
fail(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Records. */

static void
key_clear(struct config_key *k)
{
	free(k->name);
	free(k->key);
	free(k->cert);
	free(k->request);
	memset(k, 0, sizeof *k);
}

static void
binding_clear(struct config_binding *b)
{
	free(b->key);
	free(b->sni);
	memset(b, 0, sizeof *b);
}

static void
server_clear(struct config_server *s)
{
	free(s->user);
	free(s->group);
	free(s->priority);
	free(s->trust);
	memset(s, 0, sizeof *s);
}

static struct config_key *
key_append(struct config *cf)
{
	if (cf->nkeys == cf->keyscap) {
		cf->keyscap = cf->keyscap ? cf->keyscap * 2 : 8;
		cf->keys = xreallocarray(cf->keys, cf->keyscap,
		    sizeof *cf->keys);
	}
	memset(&cf->keys[cf->nkeys], 0, sizeof *cf->keys);
	cf->byname = xreallocarray(cf->byname, cf->keyscap,
	    sizeof *cf->byname);
	return &cf->keys[cf->nkeys++];
}

/* The position in byname where name is, or would be inserted. */
static size_t
byname_pos(const struct config *cf, const char *name, size_t n, int *found)
{
	size_t	 lo = 0, hi = n, mid;
	int	 c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(cf->keys[cf->byname[mid]].name, name);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Puts key i, whose name is set, in its sorted place among the first n. */
static void
byname_insert(struct config *cf, size_t i, size_t n)
{
	size_t	 pos;
	int	 found;

	pos = byname_pos(cf, cf->keys[i].name, n, &found);
	memmove(&cf->byname[pos + 1], &cf->byname[pos],
	    (n - pos) * sizeof *cf->byname);
	cf->byname[pos] = i;
}

static void
byname_remove(struct config *cf, const char *name)
{
	size_t	 pos;
	int	 found;

	pos = byname_pos(cf, name, cf->nkeys, &found);
	if (!found)
		return;
	memmove(&cf->byname[pos], &cf->byname[pos + 1],
	    (cf->nkeys - pos - 1) * sizeof *cf->byname);
}

static int
byname_cmp(const void *a, const void *b, void *arg)
{
	const struct config	*cf = arg;

	return strcmp(cf->keys[*(const size_t *)a].name,
	    cf->keys[*(const size_t *)b].name);
}

/* Builds the whole index at once, after a load. */
static void
byname_sort(struct config *cf)
{
	size_t	 i;

	for (i = 0; i < cf->nkeys; i++)
		cf->byname[i] = i;
	if (cf->nkeys > 1)
		qsort_r(cf->byname, cf->nkeys, sizeof *cf->byname,
		    byname_cmp, cf);
}

static struct config_binding *
binding_append(struct config *cf)
{
	if (cf->nbindings == cf->bindingscap) {
		cf->bindingscap = cf->bindingscap ? cf->bindingscap * 2 : 8;
		cf->bindings = xreallocarray(cf->bindings, cf->bindingscap,
		    sizeof *cf->bindings);
	}
	memset(&cf->bindings[cf->nbindings], 0, sizeof *cf->bindings);
	return &cf->bindings[cf->nbindings++];
}

static struct config_listener *
listener_append(struct config *cf)
{
	if (cf->nlisteners == cf->listenerscap) {
		cf->listenerscap = cf->listenerscap ? cf->listenerscap * 2 : 4;
		cf->listeners = xreallocarray(cf->listeners, cf->listenerscap,
		    sizeof *cf->listeners);
	}
	memset(&cf->listeners[cf->nlisteners], 0, sizeof *cf->listeners);
	return &cf->listeners[cf->nlisteners++];
}

struct config *
config_new(void)
{
	return xcalloc(1, sizeof(struct config));
}

void
config_free(struct config *cf)
{
	size_t	 i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nkeys; i++)
		key_clear(&cf->keys[i]);
	for (i = 0; i < cf->nbindings; i++)
		binding_clear(&cf->bindings[i]);
	free(cf->keys);
	free(cf->byname);
	free(cf->bindings);
	free(cf->listeners);
	server_clear(&cf->server);
	free(cf->store);
	free(cf->path);
	free(cf);
}

struct config *
config_dup(const struct config *cf)
{
	struct config		*n;
	struct config_key	*k;
	struct config_binding	*b;
	size_t			 i;

	n = config_new();
	n->path = dupnull(cf->path);
	n->had_comments = cf->had_comments;
	n->store = dupnull(cf->store);
	n->has_server = cf->has_server;
	n->server = cf->server;
	n->server.user = dupnull(cf->server.user);
	n->server.group = dupnull(cf->server.group);
	n->server.priority = dupnull(cf->server.priority);
	n->server.trust = dupnull(cf->server.trust);
	for (i = 0; i < cf->nlisteners; i++)
		*listener_append(n) = cf->listeners[i];
	for (i = 0; i < cf->nkeys; i++) {
		k = key_append(n);
		k->name = xstrdup(cf->keys[i].name);
		k->key = xstrdup(cf->keys[i].key);
		k->cert = dupnull(cf->keys[i].cert);
		k->request = dupnull(cf->keys[i].request);
		k->line = cf->keys[i].line;
	}
	if (cf->nkeys > 0)
		memcpy(n->byname, cf->byname, cf->nkeys * sizeof *n->byname);
	for (i = 0; i < cf->nbindings; i++) {
		b = binding_append(n);
		b->key = xstrdup(cf->bindings[i].key);
		b->ep = cf->bindings[i].ep;
		b->sni = dupnull(cf->bindings[i].sni);
		b->line = cf->bindings[i].line;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Accessors. */

const char *
config_path(const struct config *cf)
{
	return cf->path;
}

void
config_set_path(struct config *cf, const char *path)
{
	setstr(&cf->path, path);
}

int
config_had_comments(const struct config *cf)
{
	return cf->had_comments;
}

const char *
config_store(const struct config *cf)
{
	return cf->store;
}

void
config_set_store(struct config *cf, const char *store)
{
	if (store != NULL && *store == '\0')
		store = NULL;
	setstr(&cf->store, store);
}

/* The directory the config file lives in, absolute. Allocated. */
static char *
config_dir(const struct config *cf)
{
	char		*cwd, *dir, *out;
	const char	*slash;

	cwd = getcwd(NULL, 0);
	if (cwd == NULL)
		cwd = xstrdup("/");
	if (cf->path == NULL || (slash = strrchr(cf->path, '/')) == NULL) {
		dir = cwd;
		return dir;
	}
	if (slash == cf->path)
		dir = xstrdup("/");
	else
		dir = xstrndup(cf->path, (size_t)(slash - cf->path));
	if (dir[0] == '/') {
		free(cwd);
		return dir;
	}
	out = xasprintf("%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, dir);
	free(cwd);
	free(dir);
	return out;
}

static char *
join(const char *dir, const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if (strcmp(p, ".") == 0 || *p == '\0')
		return xstrdup(dir);
	if (dir[0] != '\0' && dir[strlen(dir) - 1] == '/')
		return xasprintf("%s%s", dir, p);
	return xasprintf("%s/%s", dir, p);
}

/*
 * Removes "." segments and repeated slashes in place. Neither changes what
 * a path names, and without them a config at ./certbind.conf gives
 * "/dir/keys/a.key", not "/dir/./keys/a.key", so that paths from the config
 * and from a listing of the store compare equal. ".." is kept: through a
 * symbolic link it does not simply remove the segment before it.
 */
static void
path_clean(char *p)
{
	char	*r = p, *w = p, *seg;
	size_t	 len;
	int	 abs = (*p == '/');

	if (abs)
		w++;
	while (*r != '\0') {
		while (*r == '/')
			r++;
		if (*r == '\0')
			break;
		seg = r;
		while (*r != '\0' && *r != '/')
			r++;
		len = (size_t)(r - seg);
		if (len == 1 && seg[0] == '.')
			continue;
		if (w > p && w[-1] != '/')
			*w++ = '/';
		memmove(w, seg, len);
		w += len;
	}
	if (w == p)
		*w++ = '.';
	*w = '\0';
}

/*
 * The store directory itself resolves against the config file's directory
 * when it is relative; everything else resolves against the store.
 */
char *
config_resolve_path(const struct config *cf, const char *p)
{
	char	*base, *store, *out;

	if (p == NULL)
		return NULL;
	if (p[0] == '/') {
		out = xstrdup(p);
		path_clean(out);
		return out;
	}
	base = config_dir(cf);
	if (cf->store != NULL) {
		if (cf->store[0] == '/')
			store = xstrdup(cf->store);
		else
			store = join(base, cf->store);
		free(base);
		base = store;
	}
	out = join(base, p);
	free(base);
	path_clean(out);
	return out;
}

const struct config_server *
config_server(const struct config *cf)
{
	return cf->has_server ? &cf->server : NULL;
}

struct config_server *
config_server_edit(struct config *cf)
{
	if (!cf->has_server) {
		server_defaults(&cf->server);
		cf->has_server = 1;
	}
	return &cf->server;
}

size_t
config_nkeys(const struct config *cf)
{
	return cf->nkeys;
}

const struct config_key *
config_key(const struct config *cf, size_t i)
{
	return i < cf->nkeys ? &cf->keys[i] : NULL;
}

ssize_t
config_key_index(const struct config *cf, const char *name)
{
	size_t	 pos;
	int	 found;

	if (name == NULL)
		return -1;
	pos = byname_pos(cf, name, cf->nkeys, &found);
	return found ? (ssize_t)cf->byname[pos] : -1;
}

const struct config_key *
config_key_find(const struct config *cf, const char *name)
{
	ssize_t	 i;

	if ((i = config_key_index(cf, name)) == -1)
		return NULL;
	return &cf->keys[i];
}

size_t
config_nbindings(const struct config *cf)
{
	return cf->nbindings;
}

const struct config_binding *
config_binding(const struct config *cf, size_t i)
{
	return i < cf->nbindings ? &cf->bindings[i] : NULL;
}

size_t
config_nlisteners(const struct config *cf)
{
	return cf->nlisteners;
}

const struct config_listener *
config_listener(const struct config *cf, size_t i)
{
	return i < cf->nlisteners ? &cf->listeners[i] : NULL;
}

ssize_t
config_listener_find(const struct config *cf, const struct endpoint *ep)
{
	size_t	 i;

	for (i = 0; i < cf->nlisteners; i++) {
		if (endpoint_cmp(&cf->listeners[i].ep, ep) == 0)
			return (ssize_t)i;
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Mutators. */

static int
check_path(const char *what, const char *p, char **cause)
{
	if (p == NULL || *p == '\0')
		return fail(cause, "the %s path is empty", what);
	return 0;
}

static int
check_sni(const char *sni, char **cause)
{
	char	*e;
	int	 rc;

	if (sni == NULL || resolve_sni_valid(sni, 1))
		return 0;
	e = escape_str(sni, 0);
	rc = fail(cause, "bad sni '%s': a host name such as www.example.com "
	    "or *.example.com", e);
	free(e);
	return rc;
}

int
config_key_add(struct config *cf, const char *name, const char *key,
    const char *cert, const char *request, char **cause)
{
	struct config_key	*k;
	char			*e;
	int			 rc;

	if (!config_key_name_valid(name))
		return bad_name(name, cause);
	if (config_key_index(cf, name) != -1) {
		e = escape_str(name, 0);
		rc = fail(cause, "there is already a key named '%s'", e);
		free(e);
		return rc;
	}
	if (check_path("key", key, cause) != 0)
		return -1;
	if (cert != NULL && check_path("certificate", cert, cause) != 0)
		return -1;
	if (request != NULL && check_path("request", request, cause) != 0)
		return -1;
	k = key_append(cf);
	k->name = xstrdup(name);
	k->key = xstrdup(key);
	k->cert = dupnull(cert);
	k->request = dupnull(request);
	byname_insert(cf, cf->nkeys - 1, cf->nkeys - 1);
	return 0;
}

static int
no_key(const char *name, char **cause)
{
	char	*e;
	int	 rc;

	e = escape_str(name, 0);
	rc = fail(cause, "there is no key named '%s'", e);
	free(e);
	return rc;
}

/*
 * The record becomes exactly what is given, except that key NULL keeps the
 * key path (a key cannot lose its private key). cert or request NULL
 * removes it.
 */
int
config_key_set(struct config *cf, const char *name, const char *key,
    const char *cert, const char *request, char **cause)
{
	struct config_key	*k;
	ssize_t			 i;

	if ((i = config_key_index(cf, name)) == -1)
		return no_key(name, cause);
	if (key != NULL && check_path("key", key, cause) != 0)
		return -1;
	if (cert != NULL && check_path("certificate", cert, cause) != 0)
		return -1;
	if (request != NULL && check_path("request", request, cause) != 0)
		return -1;
	k = &cf->keys[i];
	if (key != NULL)
		setstr(&k->key, key);
	setstr(&k->cert, cert);
	setstr(&k->request, request);
	return 0;
}

/* Bindings that name the key stay: check reports them as unknown-key. */
int
config_key_remove(struct config *cf, const char *name, char **cause)
{
	ssize_t	 i;
	size_t	 j;

	if ((i = config_key_index(cf, name)) == -1)
		return no_key(name, cause);
	byname_remove(cf, name);
	key_clear(&cf->keys[i]);
	memmove(&cf->keys[i], &cf->keys[i + 1],
	    (cf->nkeys - (size_t)i - 1) * sizeof *cf->keys);
	cf->nkeys--;
	/* The records after it moved down by one. */
	for (j = 0; j < cf->nkeys; j++) {
		if (cf->byname[j] > (size_t)i)
			cf->byname[j]--;
	}
	return 0;
}

int
config_key_rename(struct config *cf, const char *from, const char *to,
    char **cause)
{
	ssize_t	 i;
	size_t	 j;
	char	*e;
	int	 rc;

	if ((i = config_key_index(cf, from)) == -1)
		return no_key(from, cause);
	if (strcmp(from, to) == 0)
		return 0;
	if (!config_key_name_valid(to))
		return bad_name(to, cause);
	if (config_key_index(cf, to) != -1) {
		e = escape_str(to, 0);
		rc = fail(cause, "there is already a key named '%s'", e);
		free(e);
		return rc;
	}
	for (j = 0; j < cf->nbindings; j++) {
		if (strcmp(cf->bindings[j].key, from) == 0)
			setstr(&cf->bindings[j].key, to);
	}
	byname_remove(cf, from);
	setstr(&cf->keys[i].name, to);
	byname_insert(cf, (size_t)i, cf->nkeys - 1);
	return 0;
}

static ssize_t
binding_find(const struct config *cf, const char *key,
    const struct endpoint *ep, const char *sni)
{
	size_t	 i;

	for (i = 0; i < cf->nbindings; i++) {
		if (strcmp(cf->bindings[i].key, key) == 0 &&
		    endpoint_cmp(&cf->bindings[i].ep, ep) == 0 &&
		    snieq(cf->bindings[i].sni, sni))
			return (ssize_t)i;
	}
	return -1;
}

static int
binding_exists(const char *key, const struct endpoint *ep, const char *sni,
    char **cause)
{
	char	 buf[ENDPOINT_STRLEN], *ek, *es;
	int	 rc;

	ek = escape_str(key, 0);
	es = escape_str(sni, 0);
	rc = fail(cause, "key '%s' is already bound to %s%s%s", ek,
	    endpoint_format(ep, buf), sni != NULL ? " with sni " : "", es);
	free(ek);
	free(es);
	return rc;
}

int
config_bind(struct config *cf, const char *key, const struct endpoint *ep,
    const char *sni, char **cause)
{
	struct config_binding	*b;
	struct endpoint		 e;
	char			*k, *n;

	if (sni != NULL && *sni == '\0')
		sni = NULL;
	if (config_key_index(cf, key) == -1)
		return no_key(key, cause);
	if (check_sni(sni, cause) != 0)
		return -1;
	if (binding_find(cf, key, ep, sni) != -1)
		return binding_exists(key, ep, sni, cause);
	/* Copied before the array moves: ep may point into it. */
	e = *ep;
	k = xstrdup(key);
	n = dupnull(sni);
	b = binding_append(cf);
	b->key = k;
	b->ep = e;
	b->sni = n;
	return 0;
}

int
config_unbind(struct config *cf, const char *key, const struct endpoint *ep,
    const char *sni, char **cause)
{
	char	 buf[ENDPOINT_STRLEN], *ek, *es;
	ssize_t	 i;
	int	 rc;

	if (sni != NULL && *sni == '\0')
		sni = NULL;
	if ((i = binding_find(cf, key, ep, sni)) == -1) {
		ek = escape_str(key, 0);
		es = escape_str(sni, 0);
		rc = fail(cause, "key '%s' is not bound to %s%s%s", ek,
		    endpoint_format(ep, buf), sni != NULL ? " with sni " : "",
		    es);
		free(ek);
		free(es);
		return rc;
	}
	binding_clear(&cf->bindings[i]);
	memmove(&cf->bindings[i], &cf->bindings[i + 1],
	    (cf->nbindings - (size_t)i - 1) * sizeof *cf->bindings);
	cf->nbindings--;
	return 0;
}

int
config_binding_edit(struct config *cf, size_t i, const struct endpoint *ep,
    const char *sni, char **cause)
{
	struct config_binding	*b;
	ssize_t			 j;

	if (sni != NULL && *sni == '\0')
		sni = NULL;
	if (i >= cf->nbindings)
		return fail(cause, "there is no binding number %zu", i + 1);
	if (check_sni(sni, cause) != 0)
		return -1;
	b = &cf->bindings[i];
	j = binding_find(cf, b->key, ep, sni);
	if (j != -1 && (size_t)j != i)
		return binding_exists(b->key, ep, sni, cause);
	b->ep = *ep;
	setstr(&b->sni, sni);
	return 0;
}

static int
check_listener(const struct endpoint *ep, const struct endpoint *backend,
    char **cause)
{
	char	 buf[ENDPOINT_STRLEN];

	if (endpoint_any_port(ep))
		return fail(cause, "a listener needs a port, not '*': %s",
		    endpoint_format(ep, buf));
	if (backend != NULL && !endpoint_is_concrete(backend))
		return fail(cause, "a backend is an address and a port, "
		    "without '*': %s", endpoint_format(backend, buf));
	return 0;
}

int
config_listen(struct config *cf, const struct endpoint *ep,
    const struct endpoint *backend, char **cause)
{
	struct config_listener	*l;
	struct endpoint		 e, be;
	char			 buf[ENDPOINT_STRLEN];

	if (check_listener(ep, backend, cause) != 0)
		return -1;
	if (config_listener_find(cf, ep) != -1)
		return fail(cause, "there is already a listener on %s",
		    endpoint_format(ep, buf));
	/* Copied before the array moves: either may point into it. */
	e = *ep;
	be = *backend;
	config_server_edit(cf);
	l = listener_append(cf);
	l->ep = e;
	l->backend = be;
	return 0;
}

int
config_unlisten(struct config *cf, const struct endpoint *ep, char **cause)
{
	char	 buf[ENDPOINT_STRLEN];
	ssize_t	 i;

	if ((i = config_listener_find(cf, ep)) == -1)
		return fail(cause, "there is no listener on %s",
		    endpoint_format(ep, buf));
	memmove(&cf->listeners[i], &cf->listeners[i + 1],
	    (cf->nlisteners - (size_t)i - 1) * sizeof *cf->listeners);
	cf->nlisteners--;
	return 0;
}

/*
 * Everything is checked before anything moves, so a refused move leaves
 * the model as it was.
 */
int
config_move(struct config *cf, const struct endpoint *oldp,
    const struct endpoint *newp, struct errlist *changes, char **cause)
{
	struct endpoint	 oldv = *oldp, newv = *newp;
	const struct endpoint *old = &oldv, *new = &newv;
	char		*so, *sn, *ek, *es;
	ssize_t		 l, ln;
	size_t		 i, j, nb = 0;
	int		 moved = 0, rc = -1;

	/*
	 * The endpoints are copied first: a caller may pass a pointer into
	 * the very listener or binding that is about to move.
	 */
	so = fmt_ep(old);
	sn = fmt_ep(new);
	if (endpoint_cmp(old, new) == 0) {
		fail(cause, "%s and %s are the same endpoint", so, sn);
		goto out;
	}
	l = config_listener_find(cf, old);
	for (i = 0; i < cf->nbindings; i++) {
		if (endpoint_cmp(&cf->bindings[i].ep, old) == 0)
			nb++;
	}
	if (l == -1 && nb == 0) {
		fail(cause, "nothing is on %s: no listener and no binding", so);
		goto out;
	}
	if (l != -1) {
		if (check_listener(new, NULL, cause) != 0)
			goto out;
		ln = config_listener_find(cf, new);
		if (ln != -1) {
			fail(cause, "there is already a listener on %s", sn);
			goto out;
		}
	}
	for (i = 0; i < cf->nbindings; i++) {
		if (endpoint_cmp(&cf->bindings[i].ep, old) != 0)
			continue;
		for (j = 0; j < cf->nbindings; j++) {
			if (endpoint_cmp(&cf->bindings[j].ep, new) != 0 ||
			    !snieq(cf->bindings[i].sni, cf->bindings[j].sni))
				continue;
			ek = escape_str(cf->bindings[j].key, 0);
			es = escape_str(cf->bindings[j].sni, 0);
			fail(cause, "%s is taken: key '%s' is bound there%s%s",
			    sn, ek, cf->bindings[j].sni != NULL ?
			    " with sni " : "", es);
			free(ek);
			free(es);
			goto out;
		}
	}

	if (l != -1) {
		cf->listeners[l].ep = *new;
		if (changes != NULL)
			errlist_add(changes, "listener %s -> %s", so, sn);
		moved++;
	}
	for (i = 0; i < cf->nbindings; i++) {
		if (endpoint_cmp(&cf->bindings[i].ep, old) != 0)
			continue;
		cf->bindings[i].ep = *new;
		if (changes != NULL) {
			ek = escape_str(cf->bindings[i].key, 0);
			es = escape_str(cf->bindings[i].sni, 0);
			errlist_add(changes, "binding %s%s%s %s -> %s", ek,
			    cf->bindings[i].sni != NULL ? " sni " : "", es,
			    so, sn);
			free(ek);
			free(es);
		}
		moved++;
	}
	rc = moved;
out:
	free(so);
	free(sn);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The scanner that runs before libconfig. */

struct literal {
	int		 line;
	char		*name;		/* the setting it is the value of */
	char		*text;
	long long	 value;
	int		 overflow;	/* does not fit in 64 bits */
};

struct scan {
	int		 had_comments;
	struct literal	*lits;
	size_t		 nlits;
	size_t		 litscap;
};

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
	struct scan	 scan;
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
	s->name = dupnull(name);
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
ctx_err(struct ctx *ctx, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
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

static int
is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static int
is_ident(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The value an integer literal really has, the way the digits read, not
 * the way libconfig 1.5 stores it. Returns 0 if it is not an integer
 * (a float).
 */
static int
literal_value(const char *t, long long *value, int *overflow)
{
	unsigned long long	 v = 0, lim;
	int			 neg = 0, base = 10, d;
	const char		*p = t;

	*overflow = 0;
	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (strpbrk(p, ".eE") != NULL)
		return 0;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; *p != '\0'; p++) {
		if (*p == 'L' || *p == 'l')
			break;
		if ((d = hexval((unsigned char)*p)) == -1 || d >= base)
			return 0;
		if (v > (lim - (unsigned long long)d) / (unsigned)base) {
			*overflow = 1;
			v = lim;
			continue;
		}
		v = v * (unsigned)base + (unsigned)d;
	}
	if (neg)
		*value = v == (unsigned long long)LLONG_MAX + 1 ?
		    LLONG_MIN : -(long long)v;
	else
		*value = (long long)v;
	return 1;
}

static void
scan_literal(struct scan *sc, int line, const char *name, size_t namelen,
    const char *t, size_t len)
{
	struct literal	*l;
	char		*text;
	long long	 v;
	int		 ovf;

	text = xstrndup(t, len);
	if (!literal_value(text, &v, &ovf)) {
		free(text);
		return;
	}
	if (sc->nlits == sc->litscap) {
		sc->litscap = sc->litscap ? sc->litscap * 2 : 16;
		sc->lits = xreallocarray(sc->lits, sc->litscap,
		    sizeof *sc->lits);
	}
	l = &sc->lits[sc->nlits++];
	l->line = line;
	l->name = name != NULL ? xstrndup(name, namelen) : NULL;
	l->text = text;
	l->value = v;
	l->overflow = ovf;
}

static void
scan_free(struct scan *sc)
{
	size_t	 i;

	for (i = 0; i < sc->nlits; i++) {
		free(sc->lits[i].name);
		free(sc->lits[i].text);
	}
	free(sc->lits);
	memset(sc, 0, sizeof *sc);
}

/*
 * The header comment config_serialize() writes. A file certbind wrote has
 * no comment worth a warning: the header is written again on every save.
 */
#define HEADER_LINE1 "# Written by certbind "
#define HEADER_LINE1_END \
    ". Edit with certbind; comments are not kept."
#define HEADER_LINE2 "# The settings are described in certbind.conf(5)."

static int
is_header(const char *t, size_t len, size_t i)
{
	size_t	 end, n1 = strlen(HEADER_LINE1), ne = strlen(HEADER_LINE1_END);
	size_t	 n2 = strlen(HEADER_LINE2);

	if (i > 0 && t[i - 1] != '\n')
		return 0;
	for (end = i; end < len && t[end] != '\n'; end++)
		;
	if (end - i == n2 && strncmp(t + i, HEADER_LINE2, n2) == 0)
		return 1;
	return end - i > n1 + ne && strncmp(t + i, HEADER_LINE1, n1) == 0 &&
	    strncmp(t + end - ne, HEADER_LINE1_END, ne) == 0;
}

/*
 * Walks the text the way libconfig's scanner would, outside strings and
 * comments. An @include is reported and blanked out (with spaces, so every
 * line keeps its number) so that libconfig can still report everything
 * else in the same run.
 */
static void
scan_text(struct ctx *ctx, char *t, size_t len)
{
	struct scan	*sc = &ctx->scan;
	const char	*ident = NULL, *pending = NULL;
	size_t		 identlen = 0, pendinglen = 0, i = 0, j;
	int		 line = 1, c, identline = 0, pendingline = 0;

	while (i < len) {
		c = (unsigned char)t[i];
		if (c == '\n') {
			line++;
			i++;
			continue;
		}
		if (c == '#' || (c == '/' && i + 1 < len && t[i + 1] == '/')) {
			if (!is_header(t, len, i))
				sc->had_comments = 1;
			while (i < len && t[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && i + 1 < len && t[i + 1] == '*') {
			sc->had_comments = 1;
			i += 2;
			while (i < len && !(t[i] == '*' && i + 1 < len &&
			    t[i + 1] == '/')) {
				if (t[i] == '\n')
					line++;
				i++;
			}
			i = i < len ? i + 2 : len;
			continue;
		}
		if (c == '"') {
			pending = NULL;
			for (i++; i < len && t[i] != '"'; i++) {
				if (t[i] == '\\' && i + 1 < len)
					i++;
				if (t[i] == '\n')
					line++;
			}
			i++;
			continue;
		}
		if (c == '@') {
			if (len - i >= 8 && strncmp(t + i, "@include", 8) == 0) {
				ctx_err(ctx, line, "@include is not allowed: "
				    "certbind keeps the whole configuration in "
				    "one file");
				memset(t + i, ' ', 8);
				j = i + 8;
				while (j < len && (t[j] == ' ' || t[j] == '\t'))
					j++;
				if (j < len && t[j] == '"') {
					for (j++; j < len && t[j] != '"' &&
					    t[j] != '\n'; j++) {
						if (t[j] == '\\' && j + 1 < len &&
						    t[j + 1] != '\n')
							t[j++] = ' ';
						t[j] = ' ';
					}
					if (j < len && t[j] == '"')
						t[j] = ' ';
					memset(t + i, ' ', j - i);
				}
				i = j;
				continue;
			}
			i++;
			continue;
		}
		if (is_digit(c) || ((c == '-' || c == '+' || c == '.') &&
		    i + 1 < len && (is_digit((unsigned char)t[i + 1]) ||
		    t[i + 1] == '.'))) {
			j = i + 1;
			while (j < len) {
				if (is_ident((unsigned char)t[j]) &&
				    t[j] != '-' && t[j] != '*') {
					j++;
					continue;
				}
				if (t[j] == '.') {
					j++;
					continue;
				}
				if ((t[j] == '-' || t[j] == '+') &&
				    (t[j - 1] == 'e' || t[j - 1] == 'E') &&
				    !(t[i] == '0' && j > i + 1 &&
				    (t[i + 1] == 'x' || t[i + 1] == 'X'))) {
					j++;
					continue;
				}
				break;
			}
			/*
			 * libconfig gives a setting the line of its name,
			 * which is not the literal's in "name =\n 5;".
			 */
			scan_literal(sc, pendingline, pending, pendinglen,
			    t + i, j - i);
			pending = NULL;
			i = j;
			continue;
		}
		if (is_ident_start(c)) {
			j = i + 1;
			while (j < len && is_ident((unsigned char)t[j]))
				j++;
			ident = t + i;
			identlen = j - i;
			identline = line;
			i = j;
			continue;
		}
		if (c == '=' || c == ':') {
			pending = ident;
			pendinglen = identlen;
			pendingline = identline;
		} else if (c != ' ' && c != '\t' && c != '\r')
			pending = NULL;
		i++;
	}
	ctx->nlines = line;
}

/* The literal libconfig read for setting name on line. */
static const struct literal *
scan_find(const struct scan *sc, const char *name, int line)
{
	size_t	 i;

	for (i = 0; i < sc->nlits; i++) {
		/* libconfig 1.5 keeps source lines in an unsigned short. */
		if ((sc->lits[i].line & 0xffff) != (line & 0xffff))
			continue;
		if (sc->lits[i].name != NULL && name != NULL &&
		    strcmp(sc->lits[i].name, name) == 0)
			return &sc->lits[i];
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The walk over libconfig's tree. */

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
	const struct literal	*lit;
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
	lit = scan_find(&ctx->scan, config_setting_name(s), line);
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
	struct config_key	*k;
	int			 i, ok = 1, line = sline(ctx, g);
	char			*e;

	for (i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, i);
		n = config_setting_name(s);
		if (strcmp(n, "name") == 0) {
			if ((name = get_string(ctx, s, "key name", 0)) == NULL)
				ok = 0;
			else if (!config_key_name_valid(name)) {
				e = esc(name);
				ctx_err(ctx, sline(ctx, s), "bad key name '%s': use "
				    "1 to %d letters, digits, '.', '_' or '-', "
				    "starting with a letter or digit", e,
				    KEY_NAME_MAX);
				free(e);
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
		} else {
			unknown_setting(ctx, s, "a key (name, key, cert, "
			    "request)");
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
	if (!ok)
		return;
	k = key_append(cf);
	k->name = xstrdup(name);
	k->key = xstrdup(key);
	k->cert = dupnull(cert);
	k->request = dupnull(request);
	k->line = line;
}

static void
walk_binding(struct ctx *ctx, const config_setting_t *g)
{
	const config_setting_t	*s;
	struct config_binding	*b;
	struct endpoint		 ep;
	const char		*key = NULL, *sni = NULL, *n;
	int			 i, ok = 1, have_ep = 0, line = sline(ctx, g);
	char			*e;

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
			else if (!resolve_sni_valid(sni, 1)) {
				e = esc(sni);
				ctx_err(ctx, sline(ctx, s), "bad sni '%s': a host "
				    "name such as www.example.com or "
				    "*.example.com", e);
				free(e);
				ok = 0;
			}
		} else {
			unknown_setting(ctx, s, "a binding (key, endpoint, "
			    "sni)");
			ok = 0;
		}
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
	if (!ok || !have_ep)
		return;
	b = binding_append(ctx->cf);
	b->key = xstrdup(key);
	b->ep = ep;
	b->sni = dupnull(sni);
	b->line = line;
}

static void
walk_listener(struct ctx *ctx, const config_setting_t *g)
{
	struct config		*cf = ctx->cf;
	const config_setting_t	*s;
	struct config_listener	*l;
	struct endpoint		 ep, backend;
	const char		*n;
	char			 buf[ENDPOINT_STRLEN];
	int			 i, ok = 1, have_ep = 0, have_be = 0;
	int			 line = sline(ctx, g);

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
		} else {
			unknown_setting(ctx, s, "a listener (endpoint, "
			    "backend)");
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
	if (!ok || !have_ep || !have_be)
		return;
	l = listener_append(cf);
	l->ep = ep;
	l->backend = backend;
	l->line = line;
}

static void
walk_server(struct ctx *ctx, const config_setting_t *g)
{
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
				setstr(&sv->user, v);
		} else if (strcmp(n, "group") == 0) {
			if ((v = get_string(ctx, s, "group", 0)) != NULL)
				setstr(&sv->group, v);
		} else if (strcmp(n, "priority") == 0) {
			if ((v = get_string(ctx, s, "priority", 0)) != NULL)
				setstr(&sv->priority, v);
		} else if (strcmp(n, "trust") == 0) {
			if ((v = get_string(ctx, s, "trust", 0)) != NULL)
				setstr(&sv->trust, v);
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
		} else
			unknown_setting(ctx, s, "server (listen, user, group, "
			    "handshake_timeout, idle_timeout, "
			    "shutdown_timeout, max_connections, workers, "
			    "priority, tickets, trust)");
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
			    "server, keys, bindings)");
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
	scan_text(&ctx, copy, len);

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
	byname_sort(ctx.cf);

out:
	config_destroy(&lc);
	free(copy);
done:
	scan_free(&ctx.scan);
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

/* ------------------------------------------------------------------ */
/* Writing. */

/*
 * The text is built in a growing buffer rather than through stdio: the
 * library never touches FILE streams for output, and running out of
 * memory is xmalloc's one failure.
 */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void
sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	while (b->len + n + 1 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sbuf_add(struct sbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
sbuf_add(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_addn(b, s, strlen(s));
	free(s);
}

/*
 * A string as libconfig 1.5 reads it back: backslash, double quote and the
 * control characters are escaped; other bytes, UTF-8 included, go as they
 * are.
 */
static void
put_string(struct sbuf *b, const char *s)
{
	const unsigned char	*p;
	char			 hex[8];

	sbuf_addn(b, "\"", 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			sbuf_addn(b, "\\\\", 2);
			break;
		case '"':
			sbuf_addn(b, "\\\"", 2);
			break;
		case '\n':
			sbuf_addn(b, "\\n", 2);
			break;
		case '\t':
			sbuf_addn(b, "\\t", 2);
			break;
		case '\r':
			sbuf_addn(b, "\\r", 2);
			break;
		case '\f':
			sbuf_addn(b, "\\f", 2);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(hex, sizeof hex, "\\x%02x", *p);
				sbuf_addn(b, hex, 4);
			} else
				sbuf_addn(b, (const char *)p, 1);
			break;
		}
	}
	sbuf_addn(b, "\"", 1);
}

static void
put_setting(struct sbuf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	sbuf_add(b, " %s = ", name);
	put_string(b, value);
	sbuf_addn(b, ";", 1);
}

/* A server setting on a line of its own. */
static void
put_line(struct sbuf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	sbuf_addn(b, " ", 1);
	put_setting(b, name, value);
	sbuf_addn(b, "\n", 1);
}

static void
put_endpoint(struct sbuf *b, const char *name, const struct endpoint *ep)
{
	char	 buf[ENDPOINT_STRLEN];

	put_setting(b, name, endpoint_format(ep, buf));
}

/*
 * An integer that reads back as the same value: past 32 bits libconfig
 * 1.5 wraps a literal unless it carries the L suffix.
 */
static void
put_number(struct sbuf *b, const char *name, int64_t v)
{
	sbuf_add(b, "  %s = %lld%s;\n", name, (long long)v,
	    v < INT32_MIN || v > INT32_MAX ? "L" : "");
}

char *
config_serialize(const struct config *cf)
{
	const struct config_server	*sv = &cf->server;
	struct sbuf			 b = { NULL, 0, 0 };
	size_t				 i;

	sbuf_add(&b, "%s%s%s\n%s\n\n", HEADER_LINE1, CERTBIND_VERSION,
	    HEADER_LINE1_END, HEADER_LINE2);
	sbuf_add(&b, "version = %d;\n", CONFIG_VERSION);
	if (cf->store != NULL) {
		sbuf_add(&b, "store = ");
		put_string(&b, cf->store);
		sbuf_add(&b, ";\n");
	}

	if (cf->has_server) {
		sbuf_add(&b, "\nserver = {\n  listen = (");
		for (i = 0; i < cf->nlisteners; i++) {
			sbuf_add(&b, "%s\n    {", i ? "," : "");
			put_endpoint(&b, "endpoint", &cf->listeners[i].ep);
			put_endpoint(&b, "backend", &cf->listeners[i].backend);
			sbuf_add(&b, " }");
		}
		sbuf_add(&b, "%s);\n", cf->nlisteners ? "\n  " : " ");
		put_line(&b, "user", sv->user);
		put_line(&b, "group", sv->group);
		put_number(&b, "handshake_timeout", sv->handshake_timeout);
		put_number(&b, "idle_timeout", sv->idle_timeout);
		put_number(&b, "shutdown_timeout", sv->shutdown_timeout);
		put_number(&b, "max_connections", sv->max_connections);
		put_number(&b, "workers", sv->workers);
		put_line(&b, "priority", sv->priority);
		sbuf_add(&b, "  tickets = %s;\n", sv->tickets ? "true" : "false");
		put_line(&b, "trust", sv->trust);
		sbuf_add(&b, "};\n");
	}

	sbuf_add(&b, "\nkeys = (");
	for (i = 0; i < cf->nkeys; i++) {
		sbuf_add(&b, "%s\n  {", i ? "," : "");
		put_setting(&b, "name", cf->keys[i].name);
		put_setting(&b, "key", cf->keys[i].key);
		put_setting(&b, "cert", cf->keys[i].cert);
		put_setting(&b, "request", cf->keys[i].request);
		sbuf_add(&b, " }");
	}
	sbuf_add(&b, "%s);\n", cf->nkeys ? "\n" : " ");

	sbuf_add(&b, "\nbindings = (");
	for (i = 0; i < cf->nbindings; i++) {
		sbuf_add(&b, "%s\n  {", i ? "," : "");
		put_setting(&b, "key", cf->bindings[i].key);
		put_endpoint(&b, "endpoint", &cf->bindings[i].ep);
		put_setting(&b, "sni", cf->bindings[i].sni);
		sbuf_add(&b, " }");
	}
	sbuf_add(&b, "%s);\n", cf->nbindings ? "\n" : " ");
	return b.p;
}

int
config_save(const struct config *cf, const char *path, char **cause)
{
	char	*text, *bak;
	int	 rc;

	text = config_serialize(cf);
	bak = xasprintf("%s.bak", path);
	rc = fileio_write_atomic(path, text, strlen(text), 0640, bak, cause);
	free(bak);
	free(text);
	return rc;
}
