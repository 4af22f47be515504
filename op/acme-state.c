/*
 * The per-key ACME state file (op/acme-state.h), read and written with
 * jansson.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/config.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "op/acme-paths.h"
#include "op/acme-state.h"
#include "op/lifecycle.h"

#define STATE_MAX	(64 * 1024)

char *
acme_state_path(const struct config *cf, const char *name)
{
	char	*rel, *abs;

	rel = xasprintf("%s/%s.json", ACME_STATE_DIR, name);
	abs = config_resolve_path(cf, rel);
	free(rel);
	return abs;
}

void
acme_state_order_clear(struct acme_state *st)
{
	free(st->order);
	free(st->pending);
	free(st->key);
	free(st->request);
	st->order = st->pending = st->key = st->request = NULL;
	st->started = 0;
}

void
acme_state_free(struct acme_state *st)
{
	acme_state_order_clear(st);
	free(st->problem);
	memset(st, 0, sizeof *st);
}

/* A string member, copied, or NULL. */
static char *
member_str(json_t *o, const char *name)
{
	json_t	*v = json_object_get(o, name);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static time_t
member_time(json_t *o, const char *name)
{
	json_t	*v = json_object_get(o, name);

	return json_is_integer(v) && json_integer_value(v) > 0 ?
	    (time_t)json_integer_value(v) : 0;
}

int
acme_state_load(const struct config *cf, const char *name,
    struct acme_state *st, char **cause)
{
	json_error_t	 jerr;
	json_t		*o, *v;
	char		*path, *data = NULL;
	size_t		 len;

	memset(st, 0, sizeof *st);
	path = acme_state_path(cf, name);
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		free(path);
		return 0;
	}
	if (fileio_read(path, STATE_MAX, FILEIO_NOFOLLOW, &data, &len, NULL,
	    cause) != 0) {
		free(path);
		return -1;
	}
	o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (!json_is_object(o)) {
		*cause = xasprintf("%s:%d: not a certbind ACME state file: %s",
		    path, jerr.line, o == NULL ? jerr.text : "not an object");
		json_decref(o);
		free(path);
		return -1;
	}
	free(path);
	st->order = member_str(o, "order");
	st->pending = member_str(o, "pending");
	st->key = member_str(o, "key");
	st->request = member_str(o, "request");
	st->started = member_time(o, "started");
	if (st->order != NULL && (st->pending == NULL || st->key == NULL ||
	    st->request == NULL))
		acme_state_order_clear(st);	/* not resumable: forget it */
	st->last_attempt = member_time(o, "last_attempt");
	st->last_success = member_time(o, "last_success");
	st->last_ok = json_is_true(json_object_get(o, "last_ok"));
	st->problem = member_str(o, "problem");
	v = json_object_get(o, "failures");
	if (json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) < 1000000)
		st->failures = (unsigned)json_integer_value(v);
	st->next_retry = member_time(o, "next_retry");
	st->ari_start = member_time(o, "ari_start");
	st->ari_end = member_time(o, "ari_end");
	json_decref(o);
	return 0;
}

static void
set_str(json_t *o, const char *name, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, name, json_string(v));
}

static void
set_time(json_t *o, const char *name, time_t t)
{
	if (t > 0)
		json_object_set_new(o, name, json_integer((json_int_t)t));
}

int
acme_state_save(const struct config *cf, const char *name,
    const struct acme_state *st, char **cause)
{
	json_t	*o;
	char	*path, *dir, *text;
	int	 rc;

	dir = config_resolve_path(cf, ACME_STATE_DIR);
	if (lifecycle_mkdirs(dir, cause) != 0) {
		free(dir);
		return -1;
	}
	(void)chmod(dir, 0700);
	free(dir);
	o = json_object();
	set_str(o, "order", st->order);
	set_str(o, "pending", st->pending);
	set_str(o, "key", st->key);
	set_str(o, "request", st->request);
	set_time(o, "started", st->started);
	set_time(o, "last_attempt", st->last_attempt);
	set_time(o, "last_success", st->last_success);
	if (st->last_attempt > 0)
		json_object_set_new(o, "last_ok", json_boolean(st->last_ok));
	set_str(o, "problem", st->problem);
	if (st->failures > 0)
		json_object_set_new(o, "failures",
		    json_integer(st->failures));
	set_time(o, "next_retry", st->next_retry);
	set_time(o, "ari_start", st->ari_start);
	set_time(o, "ari_end", st->ari_end);
	text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	if (text == NULL) {
		*cause = xstrdup("writing the ACME state: out of memory");
		return -1;
	}
	path = acme_state_path(cf, name);
	rc = fileio_write_atomic(path, text, strlen(text), 0600, NULL, cause);
	free(path);
	free(text);
	return rc;
}
