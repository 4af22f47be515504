/*
 * The nodes of a fleet: the JSON record a certbindd keeps under
 * PREFIX/nodes/NAME, and the fleet as one read of PREFIX/ shows it.
 *
 * A record is read back by anyone with access to etcd, and anyone who can
 * write there can put anything in it: fleet_node_parse() takes it as
 * untrusted bytes (tests/fuzz/fuzz_fleet.c), refuses what is not a record
 * with a cause that quotes none of it, and ignores members it does not
 * know, so that a newer certbindd may add some. Its strings stay raw: the
 * front ends escape them.
 *
 * The content revision of the fleet is the newest mod revision of
 * PREFIX/config and PREFIX/files/: what location_content_revision() says
 * of a checkout, so a node is behind exactly when the checkout it serves
 * is older than the store's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "op/etcd.h"
#include "op/fleet.h"
#include "util/xmalloc.h"

/* No record is this long; a longer one is not a record. */
#define FLEET_RECORD_MAX	(64 * 1024)
/* The longest string member kept. */
#define FLEET_STRING_MAX	4096

static int
fleet_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int
fleet_node_name_check(const char *name, char **cause)
{
	size_t	 i, n;

	if (name == NULL || (n = strlen(name)) == 0) {
		if (cause != NULL)
			*cause = xstrdup("a node name may not be empty");
		return -1;
	}
	if (n > FLEET_NODE_NAME_MAX) {
		if (cause != NULL)
			*cause = xasprintf("a node name is at most %d "
			    "characters", FLEET_NODE_NAME_MAX);
		return -1;
	}
	if (name[0] == '.') {
		if (cause != NULL)
			*cause = xstrdup("a node name may not start with a "
			    "dot");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!fleet_name_char(name[i])) {
			if (cause != NULL)
				*cause = xstrdup("a node name is made of "
				    "letters, digits, '.', '_' and '-'");
			return -1;
		}
	}
	return 0;
}

char *
fleet_default_node_name(void)
{
	char	 host[256], out[FLEET_NODE_NAME_MAX + 1];
	size_t	 i, n = 0;

	if (gethostname(host, sizeof host) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	/* Each character a name may not hold becomes '-'; leading dots go. */
	for (i = 0; host[i] != '\0' && n < FLEET_NODE_NAME_MAX; i++) {
		if (n == 0 && host[i] == '.')
			continue;
		out[n++] = fleet_name_char(host[i]) ? host[i] : '-';
	}
	out[n] = '\0';
	if (n == 0)
		return xstrdup("node");
	return xstrdup(out);
}

void
fleet_node_clear(struct fleet_node *node)
{
	free(node->name);
	free(node->address);
	free(node->host);
	free(node->version);
	free(node->refused);
	memset(node, 0, sizeof *node);
}

char *
fleet_node_encode(const struct fleet_node *node)
{
	json_t	*o = json_object();
	char	*s, *out;

	if (node->address != NULL)
		json_object_set_new(o, "address",
		    json_string(node->address));
	else
		json_object_set_new(o, "address", json_null());
	if (node->host != NULL)
		json_object_set_new(o, "host", json_string(node->host));
	json_object_set_new(o, "pid", json_integer(node->pid));
	if (node->version != NULL)
		json_object_set_new(o, "version", json_string(node->version));
	json_object_set_new(o, "revision", json_integer(node->revision));
	json_object_set_new(o, "loaded", json_integer(node->loaded));
	json_object_set_new(o, "generation",
	    json_integer((json_int_t)node->generation));
	if (node->refused_revision != 0 || node->refused != NULL) {
		json_object_set_new(o, "refused_revision",
		    json_integer(node->refused_revision));
		json_object_set_new(o, "refused", node->refused != NULL ?
		    json_string(node->refused) : json_null());
	}
	/* json_string() refuses text that is not UTF-8: a null then. */
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (s == NULL)
		return NULL;
	out = xstrdup(s);
	free(s);
	return out;
}

/*
 * A string member: absent or null leaves *out NULL. -1 when it is there
 * but not a string, holds a NUL, or is too long.
 */
static int
fleet_get_str(json_t *o, const char *name, char **out, char **cause)
{
	json_t	*j = json_object_get(o, name);

	*out = NULL;
	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_string(j)) {
		*cause = xasprintf("its %s is not a string", name);
		return -1;
	}
	if (json_string_length(j) != strlen(json_string_value(j))) {
		*cause = xasprintf("its %s holds a NUL byte", name);
		return -1;
	}
	if (json_string_length(j) > FLEET_STRING_MAX) {
		*cause = xasprintf("its %s is longer than %d bytes", name,
		    FLEET_STRING_MAX);
		return -1;
	}
	*out = xstrdup(json_string_value(j));
	return 0;
}

/* A number member, 0 or more: absent is an error when required. */
static int
fleet_get_num(json_t *o, const char *name, int required, int64_t *v,
    char **cause)
{
	json_t	*j = json_object_get(o, name);

	*v = 0;
	if (j == NULL || json_is_null(j)) {
		if (!required)
			return 0;
		*cause = xasprintf("it has no %s", name);
		return -1;
	}
	if (!json_is_integer(j)) {
		*cause = xasprintf("its %s is not an integer", name);
		return -1;
	}
	if (json_integer_value(j) < 0) {
		*cause = xasprintf("its %s is negative", name);
		return -1;
	}
	*v = json_integer_value(j);
	return 0;
}

int
fleet_node_parse(const char *name, const char *json, size_t len,
    struct fleet_node *node, char **cause)
{
	json_error_t	 err;
	json_t		*o;
	int64_t		 pid, gen;
	char		*why = NULL;

	memset(node, 0, sizeof *node);
	if (len > FLEET_RECORD_MAX) {
		*cause = xasprintf("the record is longer than %d bytes",
		    FLEET_RECORD_MAX);
		return -1;
	}
	o = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &err);
	if (o == NULL) {
		*cause = xasprintf("the record is not JSON (at byte %d)",
		    err.position);
		return -1;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		*cause = xstrdup("the record is not a JSON object");
		return -1;
	}
	if (fleet_get_num(o, "revision", 1, &node->revision, &why) != 0 ||
	    fleet_get_num(o, "loaded", 1, &node->loaded, &why) != 0 ||
	    fleet_get_num(o, "pid", 0, &pid, &why) != 0 ||
	    fleet_get_num(o, "generation", 0, &gen, &why) != 0 ||
	    fleet_get_num(o, "refused_revision", 0, &node->refused_revision,
	    &why) != 0 ||
	    fleet_get_str(o, "address", &node->address, &why) != 0 ||
	    fleet_get_str(o, "host", &node->host, &why) != 0 ||
	    fleet_get_str(o, "version", &node->version, &why) != 0 ||
	    fleet_get_str(o, "refused", &node->refused, &why) != 0) {
		json_decref(o);
		fleet_node_clear(node);
		*cause = xasprintf("the record is not a node's: %s", why);
		free(why);
		return -1;
	}
	json_decref(o);
	node->pid = (long)pid;
	node->generation = (unsigned long)gen;
	node->name = xstrdup(name != NULL ? name : "");
	return 0;
}

void
fleet_status_clear(struct fleet_status *st)
{
	size_t	 i;

	for (i = 0; i < st->n; i++)
		fleet_node_clear(&st->nodes[i]);
	free(st->nodes);
	for (i = 0; i < st->nbad; i++)
		free(st->bad[i]);
	free(st->bad);
	memset(st, 0, sizeof *st);
}

static int
fleet_node_cmp(const void *a, const void *b)
{
	const struct fleet_node	*x = a, *y = b;

	return strcmp(x->name, y->name);
}

int
fleet_status(struct etcd_client *ec, const char *prefix,
    struct fleet_status *st, char **cause)
{
	struct etcd_range	 r;
	struct fleet_node	 node;
	const struct etcd_kv	*kv;
	char			*top, *why;
	const char		*rest, *name;
	size_t			 plen, i;

	memset(st, 0, sizeof *st);
	top = xasprintf("%s/", prefix);
	plen = strlen(top);
	if (etcd_get(ec, top, 1, 0, &r, cause) != 0) {
		free(top);
		return -1;
	}
	free(top);
	st->read_revision = r.revision;
	for (i = 0; i < r.nkvs; i++) {
		kv = &r.kvs[i];
		if (kv->key_len < plen || strlen(kv->key) != kv->key_len)
			continue;
		rest = kv->key + plen;
		if (strcmp(rest, "config") == 0) {
			st->config_revision = kv->mod_revision;
			if (kv->mod_revision > st->content_revision)
				st->content_revision = kv->mod_revision;
		} else if (strncmp(rest, "files/", 6) == 0) {
			if (kv->mod_revision > st->content_revision)
				st->content_revision = kv->mod_revision;
		} else if (strncmp(rest, "nodes/", 6) == 0) {
			name = rest + 6;
			why = NULL;
			if (fleet_node_name_check(name, &why) != 0 ||
			    fleet_node_parse(name, (const char *)kv->value,
			    kv->value_len, &node, &why) != 0) {
				st->bad = xreallocarray(st->bad, st->nbad + 1,
				    sizeof *st->bad);
				st->bad[st->nbad++] = xasprintf("%s: %s", name,
				    why);
				free(why);
				continue;
			}
			st->nodes = xreallocarray(st->nodes, st->n + 1,
			    sizeof *st->nodes);
			st->nodes[st->n++] = node;
		}
	}
	etcd_range_clear(&r);
	if (st->n > 1)
		qsort(st->nodes, st->n, sizeof *st->nodes, fleet_node_cmp);
	return 0;
}

int
fleet_node_behind(const struct fleet_status *st, const struct fleet_node *node)
{
	return node->revision < st->content_revision;
}
