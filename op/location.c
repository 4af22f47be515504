/*
 * Config locations: a path, or a checkout of an etcd prefix (location.h).
 *
 * A checkout is a directory of its own under the location's base
 * directory (RUNDIR/certbind-etcd.XXXXXX/rREVISION.N), so that a refresh
 * never changes the files a running generation was built from. The
 * manifest remembers each file as etcd had it (its SHA-256), which is how
 * a push knows what the writer changed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "core/config.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "op/etcd.h"
#include "op/location.h"
#include "op/location-int.h"

int
location_is_etcd(const char *spec)
{
	return strncmp(spec, LOCATION_ETCD_SCHEME,
	    strlen(LOCATION_ETCD_SCHEME)) == 0;
}

/* One segment of a prefix or of a file's relative path. */
static int
segment_ok(const char *s, size_t len, int dot_ok)
{
	size_t	i;

	if (len == 0 || (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.') ||
	    (!dot_ok && s[0] == '.'))
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-+@", s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

/* "a/b/c": segments separated by one slash, each segment_ok(). */
static int
relpath_ok(const char *p, int dot_ok)
{
	const char	*slash;

	if (*p == '\0')
		return 0;
	for (;;) {
		slash = strchr(p, '/');
		if (!segment_ok(p, slash == NULL ? strlen(p) :
		    (size_t)(slash - p), dot_ok))
			return 0;
		if (slash == NULL)
			return 1;
		p = slash + 1;
	}
}

int
location_parse(const char *spec, char **endpoints, char **prefix,
    char **cause)
{
	const char	*rest, *slash;
	char		*p, *esc;
	size_t		 len;

	*endpoints = *prefix = NULL;
	if (!location_is_etcd(spec)) {
		*cause = xstrdup("not an etcd:// location");
		return -1;
	}
	rest = spec + strlen(LOCATION_ETCD_SCHEME);
	if ((slash = strchr(rest, '/')) == NULL || slash == rest) {
		esc = escape_str(spec, 0);
		*cause = xasprintf("%s: an etcd location is "
		    "etcd://HOST:PORT[,HOST:PORT...]/PREFIX", esc);
		free(esc);
		return -1;
	}
	p = xstrdup(slash + 1);
	len = strlen(p);
	while (len > 0 && p[len - 1] == '/')
		p[--len] = '\0';
	if (!relpath_ok(p, 0)) {
		esc = escape_str(spec, 0);
		*cause = xasprintf("%s: the prefix must be one or more names "
		    "of letters, digits, '.', '_' and '-', separated by '/'",
		    esc);
		free(esc);
		free(p);
		return -1;
	}
	*endpoints = xstrndup(rest, (size_t)(slash - rest));
	*prefix = xasprintf("/%s", p);
	free(p);
	return 0;
}

char *
location_key(const char *prefix, const char *name)
{
	return xasprintf("%s/%s", prefix, name);
}

/* Whether every endpoint of "h:p,h:p" is on this host's loopback. */
static int
loopback_only(const char *endpoints)
{
	const char	*p = endpoints;
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, ",");
		if (!((n > 4 && strncmp(p, "127.", 4) == 0) ||
		    (n > 6 && strncmp(p, "[::1]:", 6) == 0) ||
		    (n > 10 && strncmp(p, "localhost:", 10) == 0)))
			return 0;
		p += n;
		if (*p == ',')
			p++;
	}
	return 1;
}

int
location_connect(const char *spec, struct etcd_client **out, char **prefix,
    char **cause)
{
	struct etcd_opts	 o;
	struct etcd_status	 st;
	const char		*t;
	char			*endpoints, *why = NULL;

	*out = NULL;
	if (location_parse(spec, &endpoints, prefix, cause) != 0)
		return -1;
	memset(&o, 0, sizeof o);
	o.endpoints = endpoints;
	o.ca_file = getenv(LOCATION_ENV_CA);
	/* Keys must not cross a network in clear, unless one says so. */
	if ((o.ca_file == NULL || *o.ca_file == '\0') &&
	    !loopback_only(endpoints) && getenv(LOCATION_ENV_INSECURE) == NULL) {
		*cause = xasprintf("etcd at %s would be spoken to over plain "
		    "http, and the store's private keys with it: give its CA "
		    "in $%s (and a client certificate in $%s and $%s), or set "
		    "$%s=1 to allow it", endpoints, LOCATION_ENV_CA,
		    LOCATION_ENV_CERT, LOCATION_ENV_KEY, LOCATION_ENV_INSECURE);
		goto fail;
	}
	o.cert_file = getenv(LOCATION_ENV_CERT);
	o.key_file = getenv(LOCATION_ENV_KEY);
	if ((t = getenv(LOCATION_ENV_TIMEOUT)) != NULL && atol(t) > 0 &&
	    atol(t) <= 600)
		o.timeout_ms = atol(t) * 1000;
	if (etcd_client_new(&o, out, cause) != 0)
		goto fail;
	/* Whether any member answers, now rather than at the first read. */
	memset(&st, 0, sizeof st);
	if (etcd_status(*out, -1, &st, &why) != 0) {
		*cause = xasprintf("etcd: no member answered (%s): %s",
		    etcd_client_endpoints(*out), why);
		free(why);
		etcd_client_free(*out);
		*out = NULL;
		goto fail;
	}
	etcd_status_clear(&st);
	free(endpoints);
	return 0;
fail:
	free(endpoints);
	free(*prefix);
	*prefix = NULL;
	return -1;
}

char *
location_rundir(void)
{
	const char	*d;

	if ((d = getenv("CERTBIND_RUNDIR")) != NULL && *d == '/')
		return xstrdup(d);
	if (access("/run/certbind", W_OK | X_OK) == 0)
		return xstrdup("/run/certbind");
	if ((d = getenv("XDG_RUNTIME_DIR")) != NULL && *d == '/' &&
	    access(d, W_OK | X_OK) == 0)
		return xstrdup(d);
	if ((d = getenv("TMPDIR")) != NULL && *d == '/')
		return xstrdup(d);
	return xstrdup("/tmp");
}

static int
rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	(void)remove(p);
	return 0;
}

/* Removes a checkout directory and everything in it. */
static void
rm_tree(const char *dir)
{
	if (dir != NULL)
		(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void
loc_sha256(const void *data, size_t len, unsigned char out[32])
{
	(void)gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out);
}

void
loc_manifest_clear(struct manifest_file **files, size_t *n)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		free((*files)[i].rel);
	free(*files);
	*files = NULL;
	*n = 0;
}

const struct manifest_file *
loc_manifest_find(const struct location *l, const char *rel)
{
	size_t	i;

	for (i = 0; i < l->nfiles; i++)
		if (strcmp(l->files[i].rel, rel) == 0)
			return &l->files[i];
	return NULL;
}

/* Creates the directories above dir/rel, 0700. */
int
loc_mkparents(const char *dir, const char *rel, char **cause)
{
	char	*p, *s;

	p = xasprintf("%s/%s", dir, rel);
	for (s = p + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST) {
			*cause = xasprintf("%s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

/* A relative path etcd gives for a file: one the checkout can hold. */
int
location_file_name_ok(const char *rel)
{
	return loc_file_rel_ok(rel);
}

int
loc_file_rel_ok(const char *rel)
{
	return relpath_ok(rel, 0) && strncmp(rel, CHECKOUT_CONF,
	    strlen(CHECKOUT_CONF)) != 0;
}

static void
range_wipe(struct etcd_range *r)
{
	etcd_range_clear(r);	/* values are wiped as they are freed */
}

/*
 * Writes the previous versions of the config, newest first, as the
 * backups rollback reads. History etcd has compacted ends the list.
 */
static void
checkout_history(struct location *l, const char *dir, const char *ckey,
    int64_t mod)
{
	struct etcd_range	 r;
	char			*conf, *bak, *gen, *cause = NULL;
	unsigned		 n;

	conf = xasprintf("%s/%s", dir, CHECKOUT_CONF);
	bak = xasprintf("%s.bak", conf);
	for (n = 1; n <= CONFIG_BACKUPS && mod > 1; n++) {
		memset(&r, 0, sizeof r);
		if (etcd_get(l->c, ckey, 0, mod - 1, &r, &cause) != 0) {
			free(cause);
			break;
		}
		if (r.nkvs == 0) {
			range_wipe(&r);
			break;
		}
		gen = fileio_generation(bak, n);
		if (fileio_write_new_flags(gen, r.kvs[0].value,
		    r.kvs[0].value_len, 0600, FILEIO_NOSYNC, &cause) != 0)
			free(cause);
		cause = NULL;
		free(gen);
		l->bak_rev[n] = mod - 1;
		mod = r.kvs[0].mod_revision;
		range_wipe(&r);
	}
	free(bak);
	free(conf);
}

/*
 * Reads PREFIX/ at rev into a new checkout directory: 0 with *dirp, 1
 * when its content revision is same (no directory made), -1 *cause.
 */
static int
checkout(struct location *l, int64_t rev, int64_t same, char **dirp,
    struct manifest_file **files, size_t *nfiles, char **cause)
{
	struct etcd_range	 r;
	const struct etcd_kv	*kv;
	char			*all, *ckey, *dir = NULL, *p;
	const char		*name;
	size_t			 i, plen = strlen(l->prefix) + 1;
	int64_t			 config_rev = 0, content = 0;

	*dirp = NULL;
	*files = NULL;
	*nfiles = 0;
	memset(&r, 0, sizeof r);
	all = xasprintf("%s/", l->prefix);
	ckey = location_key(l->prefix, "config");
	if (etcd_get(l->c, all, 1, rev, &r, cause) != 0) {
		free(all);
		free(ckey);
		return -1;
	}
	for (i = 0; i < r.nkvs; i++) {
		name = r.kvs[i].key + plen;
		if (strcmp(name, "config") == 0)
			config_rev = r.kvs[i].mod_revision;
		if (strcmp(name, "config") == 0 ||
		    strncmp(name, FILES_DIR, strlen(FILES_DIR)) == 0)
			if (r.kvs[i].mod_revision > content)
				content = r.kvs[i].mod_revision;
	}
	if (same != 0 && content == same) {
		range_wipe(&r);
		free(all);
		free(ckey);
		return 1;
	}
	dir = xasprintf("%s/r%lld.%u", l->base, (long long)r.revision,
	    ++l->seq);
	if (mkdir(dir, 0700) == -1) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		goto fail;
	}
	for (i = 0; i < r.nkvs; i++) {
		kv = &r.kvs[i];
		name = kv->key + plen;
		if (strcmp(name, "config") == 0)
			p = xasprintf("%s/%s", dir, CHECKOUT_CONF);
		else if (strncmp(name, FILES_DIR, strlen(FILES_DIR)) == 0) {
			name += strlen(FILES_DIR);
			if (!loc_file_rel_ok(name)) {
				p = escape_str(kv->key, 0);
				*cause = xasprintf("etcd holds %s, which is not "
				    "a file a store can have (a name of "
				    "letters, digits and ._-+@ under "
				    "directories, not starting with a dot)", p);
				free(p);
				goto fail;
			}
			if (loc_mkparents(dir, name, cause) != 0)
				goto fail;
			p = xasprintf("%s/%s", dir, name);
			*files = xreallocarray(*files, *nfiles + 1,
			    sizeof **files);
			(*files)[*nfiles].rel = xstrdup(name);
			loc_sha256(kv->value, kv->value_len,
			    (*files)[*nfiles].sha);
			(*nfiles)++;
		} else
			continue;	/* nodes/, locks/, commit */
		if (fileio_write_new_flags(p, kv->value, kv->value_len,
		    0600, FILEIO_NOSYNC, cause) != 0) {
			free(p);
			goto fail;
		}
		free(p);
	}
	if (l->flags & LOCATION_HISTORY)
		checkout_history(l, dir, ckey, config_rev);
	l->rev = r.revision;
	l->config_rev = config_rev;
	l->content_rev = content;
	range_wipe(&r);
	free(all);
	free(ckey);
	*dirp = dir;
	return 0;
fail:
	range_wipe(&r);
	free(all);
	free(ckey);
	rm_tree(dir);
	free(dir);
	loc_manifest_clear(files, nfiles);
	return -1;
}

int
location_open(const char *spec, int flags, struct location **out,
    char **cause)
{
	struct location	*l;
	char		*rundir, *why = NULL;

	*out = NULL;
	l = xcalloc(1, sizeof *l);
	l->spec = xstrdup(spec);
	l->flags = flags;
	if (!location_is_etcd(spec)) {
		l->path = xstrdup(spec);
		*out = l;
		return 0;
	}
	if (location_connect(spec, &l->c, &l->prefix, cause) != 0)
		goto fail;
	rundir = location_rundir();
	l->base = xasprintf("%s/certbind-etcd.XXXXXX", rundir);
	if (mkdtemp(l->base) == NULL) {
		*cause = xasprintf("cannot make a directory for the checkout "
		    "in %s: %s", rundir, strerror(errno));
		free(rundir);
		free(l->base);
		l->base = NULL;
		goto fail;
	}
	free(rundir);
	if (checkout(l, 0, 0, &l->dir, &l->files, &l->nfiles, &why) != 0) {
		*cause = xasprintf("%s: %s", etcd_client_endpoints(l->c), why);
		free(why);
		goto fail;
	}
	l->path = xasprintf("%s/%s", l->dir, CHECKOUT_CONF);
	*out = l;
	return 0;
fail:
	location_close(l);
	return -1;
}

void
location_close(struct location *l)
{
	if (l == NULL)
		return;
	rm_tree(l->base);
	free(l->base);
	free(l->dir);
	free(l->pinned);
	loc_manifest_clear(&l->files, &l->nfiles);
	etcd_client_free(l->c);
	free(l->prefix);
	free(l->path);
	free(l->spec);
	free(l);
}

const char *
location_path(const struct location *l)
{
	return l->path;
}

const char *
location_dir(const struct location *l)
{
	return l->base;
}

const char *
location_spec(const struct location *l)
{
	return l->spec;
}

int
location_remote(const struct location *l)
{
	return l != NULL && l->c != NULL;
}

int64_t
location_revision(const struct location *l)
{
	return l->rev;
}

int64_t
location_config_revision(const struct location *l)
{
	return l->config_rev;
}

int64_t
location_content_revision(const struct location *l)
{
	return l->content_rev;
}

struct etcd_client *
location_etcd(const struct location *l)
{
	return l->c;
}

const char *
location_prefix(const struct location *l)
{
	return l->prefix;
}

int
location_refresh(struct location *l, int64_t rev, char **cause)
{
	struct manifest_file	*files;
	size_t			 nfiles;
	char			*dir;
	int			 rc;

	if (l->c == NULL)
		return 1;
	rc = checkout(l, rev, rev == 0 ? l->content_rev : 0, &dir, &files,
	    &nfiles, cause);
	if (rc != 0)
		return rc;
	/* The checkout replaced goes, unless a generation serves it. */
	if (l->pinned == NULL || strcmp(l->pinned, l->dir) != 0)
		rm_tree(l->dir);
	free(l->dir);
	l->dir = dir;
	loc_manifest_clear(&l->files, &l->nfiles);
	l->files = files;
	l->nfiles = nfiles;
	free(l->path);
	l->path = xasprintf("%s/%s", l->dir, CHECKOUT_CONF);
	return 0;
}

void
location_pin(struct location *l)
{
	if (l == NULL || l->dir == NULL)
		return;
	if (l->pinned != NULL && strcmp(l->pinned, l->dir) != 0)
		rm_tree(l->pinned);
	free(l->pinned);
	l->pinned = xstrdup(l->dir);
}

int64_t
location_backup_revision(const struct location *l, unsigned n)
{
	if (l == NULL || n < 1 || n > CONFIG_BACKUPS)
		return 0;
	return l->bak_rev[n];
}

/* Appends s[0..n) to the growing *out. */
static void
append(char **out, size_t *len, const char *s, size_t n)
{
	*out = xreallocarray(*out, *len + n + 1, 1);
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = '\0';
}

char *
location_rename(const struct location *l, const char *text)
{
	const char	*p, *hit, *conf = "/" CHECKOUT_CONF;
	char		*out = NULL;
	size_t		 len = 0, blen, dlen;

	if (l == NULL || l->base == NULL || strstr(text, l->base) == NULL)
		return NULL;
	blen = strlen(l->base);
	for (p = text; (hit = strstr(p, l->base)) != NULL; ) {
		append(&out, &len, p, (size_t)(hit - p));
		/* BASE/rREV.N: the checkout directory's name. */
		dlen = blen;
		if (hit[dlen] == '/' && hit[dlen + 1] == 'r')
			dlen += strcspn(hit + dlen + 1, "/") + 1;
		append(&out, &len, l->spec, strlen(l->spec));
		if (strncmp(hit + dlen, conf, strlen(conf)) == 0) {
			append(&out, &len, "/config", 7);
			dlen += strlen(conf);
		} else if (hit[dlen] == '/') {
			append(&out, &len, "/" FILES_DIR, strlen(FILES_DIR) + 1);
			dlen++;
		}
		p = hit + dlen;
	}
	append(&out, &len, p, strlen(p));
	return out;
}
