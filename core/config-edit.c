/*
 * The mutators: every change to a loaded config goes through one of
 * these, so that the model stays consistent (the name index follows a
 * rename, a binding follows its key). Each checks everything before it
 * changes anything, so a refused edit leaves the model as it was, and
 * says why in *cause. None of them checks findings: callers run
 * check_config() before and after to refuse a change that adds errors.
 *
 * The rules on what a key name or an sni may be are not written here:
 * config_key_name_check() and config_sni_check() are the ones the loader
 * uses too.
 */
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/config-int.h"
#include "core/endpoint.h"
#include "util/errlist.h"
#include "util/escape.h"
#include "util/xmalloc.h"

static char *
fmt_ep(const struct endpoint *ep)
{
	char	 buf[ENDPOINT_STRLEN];

	return xstrdup(endpoint_format(ep, buf));
}

static int
check_path(const char *what, const char *p, char **cause)
{
	if (p == NULL || *p == '\0')
		return config_fail(cause, "the %s path is empty", what);
	return 0;
}

int
config_key_add(struct config *cf, const char *name, const char *key,
    const char *cert, const char *request, char **cause)
{
	struct config_key	*k;
	char			*e;
	int			 rc;

	if (config_key_name_check(name, cause) != 0)
		return -1;
	if (config_key_index(cf, name) != -1) {
		e = escape_str(name, 0);
		rc = config_fail(cause, "there is already a key named '%s'", e);
		free(e);
		return rc;
	}
	if (check_path("key", key, cause) != 0)
		return -1;
	if (cert != NULL && check_path("certificate", cert, cause) != 0)
		return -1;
	if (request != NULL && check_path("request", request, cause) != 0)
		return -1;
	k = config_key_append(cf);
	k->name = xstrdup(name);
	k->key = xstrdup(key);
	k->cert = config_dupnull(cert);
	k->request = config_dupnull(request);
	config_byname_insert(cf, cf->nkeys - 1, cf->nkeys - 1);
	return 0;
}

static int
no_key(const char *name, char **cause)
{
	char	*e;
	int	 rc;

	e = escape_str(name, 0);
	rc = config_fail(cause, "there is no key named '%s'", e);
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
		config_setstr(&k->key, key);
	config_setstr(&k->cert, cert);
	config_setstr(&k->request, request);
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
	config_byname_remove(cf, name);
	config_key_clear(&cf->keys[i]);
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
	if (config_key_name_check(to, cause) != 0)
		return -1;
	if (config_key_index(cf, to) != -1) {
		e = escape_str(to, 0);
		rc = config_fail(cause, "there is already a key named '%s'", e);
		free(e);
		return rc;
	}
	for (j = 0; j < cf->nbindings; j++) {
		if (strcmp(cf->bindings[j].key, from) == 0)
			config_setstr(&cf->bindings[j].key, to);
	}
	config_byname_remove(cf, from);
	config_setstr(&cf->keys[i].name, to);
	config_byname_insert(cf, (size_t)i, cf->nkeys - 1);
	return 0;
}

ssize_t
config_binding_find(const struct config *cf, const char *key,
    const struct endpoint *ep, const char *sni)
{
	size_t	 i;

	for (i = 0; i < cf->nbindings; i++) {
		if (strcmp(cf->bindings[i].key, key) == 0 &&
		    endpoint_cmp(&cf->bindings[i].ep, ep) == 0 &&
		    config_sni_cmp(cf->bindings[i].sni, sni) == 0)
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
	rc = config_fail(cause, "key '%s' is already bound to %s%s%s", ek,
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
	if (config_sni_check(sni, cause) != 0)
		return -1;
	if (config_binding_find(cf, key, ep, sni) != -1)
		return binding_exists(key, ep, sni, cause);
	/* Copied before the array moves: ep may point into it. */
	e = *ep;
	k = xstrdup(key);
	n = config_dupnull(sni);
	b = config_binding_append(cf);
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
	if ((i = config_binding_find(cf, key, ep, sni)) == -1) {
		ek = escape_str(key, 0);
		es = escape_str(sni, 0);
		rc = config_fail(cause, "key '%s' is not bound to %s%s%s", ek,
		    endpoint_format(ep, buf), sni != NULL ? " with sni " : "",
		    es);
		free(ek);
		free(es);
		return rc;
	}
	config_binding_clear(&cf->bindings[i]);
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
		return config_fail(cause, "there is no binding number %zu", i + 1);
	if (config_sni_check(sni, cause) != 0)
		return -1;
	b = &cf->bindings[i];
	j = config_binding_find(cf, b->key, ep, sni);
	if (j != -1 && (size_t)j != i)
		return binding_exists(b->key, ep, sni, cause);
	b->ep = *ep;
	config_setstr(&b->sni, sni);
	return 0;
}

static int
check_listener(const struct endpoint *ep, const struct endpoint *backend,
    char **cause)
{
	char	 buf[ENDPOINT_STRLEN];

	if (endpoint_any_port(ep))
		return config_fail(cause, "a listener needs a port, not '*': %s",
		    endpoint_format(ep, buf));
	if (backend != NULL && !endpoint_is_concrete(backend))
		return config_fail(cause, "a backend is an address and a port, "
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
		return config_fail(cause, "there is already a listener on %s",
		    endpoint_format(ep, buf));
	/* Copied before the array moves: either may point into it. */
	e = *ep;
	be = *backend;
	config_server_edit(cf);
	l = config_listener_append(cf);
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
		return config_fail(cause, "there is no listener on %s",
		    endpoint_format(ep, buf));
	config_listener_clear(&cf->listeners[i]);
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
		config_fail(cause, "%s and %s are the same endpoint", so, sn);
		goto out;
	}
	l = config_listener_find(cf, old);
	for (i = 0; i < cf->nbindings; i++) {
		if (endpoint_cmp(&cf->bindings[i].ep, old) == 0)
			nb++;
	}
	if (l == -1 && nb == 0) {
		config_fail(cause, "nothing is on %s: no listener and no binding", so);
		goto out;
	}
	if (l != -1) {
		if (check_listener(new, NULL, cause) != 0)
			goto out;
		ln = config_listener_find(cf, new);
		if (ln != -1) {
			config_fail(cause, "there is already a listener on %s", sn);
			goto out;
		}
	}
	for (i = 0; i < cf->nbindings; i++) {
		if (endpoint_cmp(&cf->bindings[i].ep, old) != 0)
			continue;
		for (j = 0; j < cf->nbindings; j++) {
			if (endpoint_cmp(&cf->bindings[j].ep, new) != 0 ||
			    config_sni_cmp(cf->bindings[i].sni,
			    cf->bindings[j].sni) != 0)
				continue;
			ek = escape_str(cf->bindings[j].key, 0);
			es = escape_str(cf->bindings[j].sni, 0);
			config_fail(cause, "%s is taken: key '%s' is bound there%s%s",
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
/* Notes. */

int
config_note_check(const char *note, char **cause)
{
	char	*e;
	int	 rc = 0;

	if (strlen(note) > CONFIG_NOTE_MAX)
		return config_fail(cause, "a note is at most %d bytes; this "
		    "one has %zu", CONFIG_NOTE_MAX, strlen(note));
	/* Printable: what escape_str() leaves as it is, backslashes aside. */
	e = escape_str(note, ESCAPE_MESSAGE);
	if (strcmp(e, note) != 0)
		rc = config_fail(cause, "note \"%s\" holds a control "
		    "character, a bidi control or bytes that are not UTF-8: "
		    "a note is printable text", e);
	free(e);
	return rc;
}

static int
set_note(char **dst, const char *note, char **cause)
{
	if (note != NULL && *note == '\0')
		note = NULL;
	if (note != NULL && config_note_check(note, cause) != 0)
		return -1;
	config_setstr(dst, note);
	return 0;
}

int
config_key_note(struct config *cf, const char *name, const char *note,
    char **cause)
{
	ssize_t	 i;

	if ((i = config_key_index(cf, name)) == -1)
		return no_key(name, cause);
	return set_note(&cf->keys[i].note, note, cause);
}

int
config_binding_note(struct config *cf, size_t i, const char *note,
    char **cause)
{
	if (i >= cf->nbindings)
		return config_fail(cause, "there is no binding number %zu",
		    i + 1);
	return set_note(&cf->bindings[i].note, note, cause);
}

int
config_listener_note(struct config *cf, const struct endpoint *ep,
    const char *note, char **cause)
{
	char	 buf[ENDPOINT_STRLEN];
	ssize_t	 i;

	if ((i = config_listener_find(cf, ep)) == -1)
		return config_fail(cause, "there is no listener on %s",
		    endpoint_format(ep, buf));
	return set_note(&cf->listeners[i].note, note, cause);
}
