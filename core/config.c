/*
 * The config file model: struct config, its records and the accessors
 * that read them. The model is plain data; whoever fills it (the loader
 * in config-load.c, the mutators in config-edit.c) keeps it consistent,
 * and the one index it has, the keys sorted by name, is kept here.
 *
 * The file is split by what a reader comes for (see config-int.h):
 * loading, editing and writing each have a file of their own, and this
 * one holds only what all of them share.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/config.h"
#include "core/config-int.h"
#include "core/dnsname.h"
#include "core/endpoint.h"
#include "util/escape.h"
#include "util/xmalloc.h"

/* ------------------------------------------------------------------ */
/* Small helpers. */

void
config_server_defaults(struct config_server *s)
{
	memset(s, 0, sizeof *s);
	s->handshake_timeout = DEF_HANDSHAKE_TIMEOUT;
	s->idle_timeout = DEF_IDLE_TIMEOUT;
	s->shutdown_timeout = DEF_SHUTDOWN_TIMEOUT;
	s->max_connections = DEF_MAX_CONNECTIONS;
	s->workers = DEF_WORKERS;
	s->tickets = DEF_TICKETS;
	s->access_log = DEF_ACCESS_LOG;
}

char *
config_dupnull(const char *s)
{
	return s == NULL ? NULL : xstrdup(s);
}

void
config_setstr(char **dst, const char *src)
{
	char	*old = *dst;

	*dst = config_dupnull(src);
	free(old);
}

int
config_fail(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * A key name appears on command lines, in "KEY RULE" output and in file
 * names (keys/NAME.key), so it is kept to a plain word that no shell or
 * file system treats specially: no leading '.' or '-', no '/'.
 */
int
config_key_name_check(const char *name, char **cause)
{
	size_t	 i, len;
	char	*e;
	int	 rc;

	if (name == NULL || *name == '\0')
		return config_fail(cause, "a key name cannot be empty: use 1 "
		    "to %d letters, digits, '.', '_' or '-'",
		    CONFIG_KEY_NAME_MAX);
	len = strlen(name);
	for (i = 0; i < len; i++) {
		if ((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9'))
			continue;
		if (i > 0 && (name[i] == '.' || name[i] == '_' ||
		    name[i] == '-'))
			continue;
		break;
	}
	if (i == len && len <= CONFIG_KEY_NAME_MAX)
		return 0;
	e = escape_str(name, 0);
	if (i < len)
		rc = config_fail(cause, "bad key name '%s': use 1 to %d "
		    "letters, digits, '.', '_' or '-', starting with a letter "
		    "or digit (it becomes a file name)", e,
		    CONFIG_KEY_NAME_MAX);
	else
		rc = config_fail(cause, "bad key name '%s': it is %zu "
		    "characters long, and a key name has at most %d (it "
		    "becomes a file name)", e, len, CONFIG_KEY_NAME_MAX);
	free(e);
	return rc;
}

int
config_key_name_valid(const char *name)
{
	return config_key_name_check(name, NULL) == 0;
}

/*
 * An sni is a DNS name, wildcard allowed: the rule is dnsname_check()'s,
 * the same a request's alternative names obey, so a binding never names
 * a host no certificate can carry.
 */
int
config_sni_check(const char *sni, char **cause)
{
	char	*e, *why = NULL;
	int	 rc;

	if (sni == NULL || dnsname_check(sni, DNSNAME_WILDCARD, &why) == 0)
		return 0;
	e = escape_str(sni, 0);
	rc = config_fail(cause, "bad sni '%s': %s", e, why);
	free(e);
	free(why);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Records. */

void
config_key_clear(struct config_key *k)
{
	free(k->name);
	free(k->key);
	free(k->cert);
	free(k->request);
	config_key_acme_free(k->acme);
	free(k->note);
	memset(k, 0, sizeof *k);
}

void
config_binding_clear(struct config_binding *b)
{
	free(b->key);
	free(b->sni);
	free(b->client_ca);
	free(b->note);
	memset(b, 0, sizeof *b);
}

static void
server_clear(struct config_server *s)
{
	free(s->user);
	free(s->group);
	free(s->priority);
	free(s->trust);
	free(s->pidfile);
	free(s->tls_profile);
	free(s->signer);
	free(s->ticket_keys);
	memset(s, 0, sizeof *s);
}

struct config_key *
config_key_append(struct config *cf)
{
	/* The name index grows with the keys, never key by key. */
	if (cf->nkeys == cf->keyscap) {
		cf->keyscap = cf->keyscap ? cf->keyscap * 2 : 8;
		cf->keys = xreallocarray(cf->keys, cf->keyscap,
		    sizeof *cf->keys);
		cf->byname = xreallocarray(cf->byname, cf->keyscap,
		    sizeof *cf->byname);
	}
	memset(&cf->keys[cf->nkeys], 0, sizeof *cf->keys);
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
void
config_byname_insert(struct config *cf, size_t i, size_t n)
{
	size_t	 pos;
	int	 found;

	pos = byname_pos(cf, cf->keys[i].name, n, &found);
	memmove(&cf->byname[pos + 1], &cf->byname[pos],
	    (n - pos) * sizeof *cf->byname);
	cf->byname[pos] = i;
}

void
config_byname_remove(struct config *cf, const char *name)
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
void
config_byname_sort(struct config *cf)
{
	size_t	 i;

	for (i = 0; i < cf->nkeys; i++)
		cf->byname[i] = i;
	if (cf->nkeys > 1)
		qsort_r(cf->byname, cf->nkeys, sizeof *cf->byname,
		    byname_cmp, cf);
}

struct config_binding *
config_binding_append(struct config *cf)
{
	if (cf->nbindings == cf->bindingscap) {
		cf->bindingscap = cf->bindingscap ? cf->bindingscap * 2 : 8;
		cf->bindings = xreallocarray(cf->bindings, cf->bindingscap,
		    sizeof *cf->bindings);
	}
	memset(&cf->bindings[cf->nbindings], 0, sizeof *cf->bindings);
	return &cf->bindings[cf->nbindings++];
}

struct config_listener *
config_listener_append(struct config *cf)
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
		config_key_clear(&cf->keys[i]);
	for (i = 0; i < cf->nbindings; i++)
		config_binding_clear(&cf->bindings[i]);
	free(cf->keys);
	free(cf->byname);
	free(cf->bindings);
	for (i = 0; i < cf->nlisteners; i++)
		config_listener_clear(&cf->listeners[i]);
	free(cf->listeners);
	server_clear(&cf->server);
	config_acme_clear(&cf->acme);
	free(cf->store);
	free(cf->path);
	free(cf->dir);
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
	n->path = config_dupnull(cf->path);
	n->dir = config_dupnull(cf->dir);
	n->had_comments = cf->had_comments;
	n->store = config_dupnull(cf->store);
	n->has_server = cf->has_server;
	n->server = cf->server;
	n->server.user = config_dupnull(cf->server.user);
	n->server.group = config_dupnull(cf->server.group);
	n->server.priority = config_dupnull(cf->server.priority);
	n->server.trust = config_dupnull(cf->server.trust);
	n->server.pidfile = config_dupnull(cf->server.pidfile);
	n->server.tls_profile = config_dupnull(cf->server.tls_profile);
	n->server.signer = config_dupnull(cf->server.signer);
	n->server.ticket_keys = config_dupnull(cf->server.ticket_keys);
	n->has_acme = cf->has_acme;
	config_acme_copy(&n->acme, &cf->acme);
	for (i = 0; i < cf->nlisteners; i++)
		config_listener_copy(config_listener_append(n),
		    &cf->listeners[i]);
	for (i = 0; i < cf->nkeys; i++) {
		k = config_key_append(n);
		k->name = xstrdup(cf->keys[i].name);
		k->key = xstrdup(cf->keys[i].key);
		k->cert = config_dupnull(cf->keys[i].cert);
		k->request = config_dupnull(cf->keys[i].request);
		k->acme = config_key_acme_dup(cf->keys[i].acme);
		k->note = config_dupnull(cf->keys[i].note);
		k->line = cf->keys[i].line;
	}
	if (cf->nkeys > 0)
		memcpy(n->byname, cf->byname, cf->nkeys * sizeof *n->byname);
	for (i = 0; i < cf->nbindings; i++) {
		b = config_binding_append(n);
		b->key = xstrdup(cf->bindings[i].key);
		b->ep = cf->bindings[i].ep;
		b->sni = config_dupnull(cf->bindings[i].sni);
		config_binding_opts_copy(b, &cf->bindings[i]);
		b->note = config_dupnull(cf->bindings[i].note);
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

static char	*config_dir(const struct config *);

void
config_set_path(struct config *cf, const char *path)
{
	config_setstr(&cf->path, path);
	free(cf->dir);
	cf->dir = NULL;
	if (cf->path != NULL)
		cf->dir = config_dir(cf);
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
	config_setstr(&cf->store, store);
}

/* The directory the config file lives in, absolute. Allocated. */
static char *
config_dir(const struct config *cf)
{
	char		*cwd, *dir, *out;
	const char	*slash;

	if (cf->dir != NULL)
		return xstrdup(cf->dir);
	if (cf->path != NULL && cf->path[0] == '/') {
		slash = strrchr(cf->path, '/');
		if (slash == cf->path)
			return xstrdup("/");
		return xstrndup(cf->path, (size_t)(slash - cf->path));
	}
	cwd = getcwd(NULL, 0);
	if (cwd == NULL)
		cwd = xstrdup("/");
	if (cf->path == NULL || (slash = strrchr(cf->path, '/')) == NULL) {
		dir = cwd;
		return dir;
	}
	dir = xstrndup(cf->path, (size_t)(slash - cf->path));
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
		config_server_defaults(&cf->server);
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
/* The order of bindings. */

/*
 * No sni sorts first, then sni without case: "WWW.example.com" and
 * "www.example.com" are one slot, because a client's SNI is matched
 * without case (RFC 4343). An empty sni is no sni, as config_bind says.
 */
int
config_sni_cmp(const char *a, const char *b)
{
	if (a != NULL && *a == '\0')
		a = NULL;
	if (b != NULL && *b == '\0')
		b = NULL;
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcasecmp(a, b);
}

int
config_binding_cmp(const struct config_binding *a,
    const struct config_binding *b)
{
	int	 r;

	if ((r = endpoint_cmp(&a->ep, &b->ep)) != 0)
		return r;
	return config_sni_cmp(a->sni, b->sni);
}
