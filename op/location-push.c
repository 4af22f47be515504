/*
 * The push of a checkout to etcd (op/location.h): what the writer changed
 * against the manifest, in one transaction that compares PREFIX/config's
 * mod revision; and, for rollback, the files of an older revision.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "op/etcd.h"
#include "op/location.h"
#include "op/location-int.h"

/* One file of the checkout as a push sees it. */
struct local_file {
	char	*rel;
	char	*data;
	size_t	 len;
	int	 changed;
};

static void
local_clear(struct local_file *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].rel);
		freezero(v[i].data, v[i].len);
	}
	free(v);
}

/*
 * Every regular file under dir/rel, but the config, its backups and
 * lock, and dot files (the temporary files of atomic writes).
 */
static int
walk(const char *dir, const char *rel, int depth, struct local_file **v,
    size_t *n, char **cause)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		*path, *sub;
	int		 rc = 0;

	path = *rel == '\0' ? xstrdup(dir) : xasprintf("%s/%s", dir, rel);
	if ((d = opendir(path)) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (depth == 0 &&
		    strncmp(de->d_name, CHECKOUT_CONF,
		    strlen(CHECKOUT_CONF)) == 0))
			continue;
		sub = *rel == '\0' ? xstrdup(de->d_name) :
		    xasprintf("%s/%s", rel, de->d_name);
		free(path);
		path = xasprintf("%s/%s", dir, sub);
		if (lstat(path, &st) == -1)
			;
		else if (S_ISDIR(st.st_mode) && depth < DEPTH_MAX)
			rc = walk(dir, sub, depth + 1, v, n, cause);
		else if (S_ISREG(st.st_mode)) {
			if (!loc_file_rel_ok(sub)) {
				*cause = xasprintf("%s: etcd cannot hold this "
				    "name (letters, digits and ._-+@ only)",
				    path);
				rc = -1;
			} else {
				*v = xreallocarray(*v, *n + 1, sizeof **v);
				memset(&(*v)[*n], 0, sizeof **v);
				(*v)[*n].rel = sub;
				sub = NULL;
				if (fileio_read(path, FILE_MAX, FILEIO_NOFOLLOW,
				    &(*v)[*n].data, &(*v)[*n].len, NULL,
				    cause) != 0)
					rc = -1;
				(*n)++;
			}
		}
		free(sub);
	}
	closedir(d);
	free(path);
	return rc;
}

/* "2026-12-02T08:00:00Z by USER@HOST (certbind, pid N)". */
static char *
commit_record(void)
{
	struct passwd	*pw = getpwuid(getuid());
	char		 host[256], when[32];
	time_t		 now = time(NULL);
	struct tm	 tm;

	if (gethostname(host, sizeof host) != 0)
		strcpy(host, "?");
	host[sizeof host - 1] = '\0';
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xasprintf("%s by %s@%s (certbind, pid %ld)", when,
	    pw != NULL ? pw->pw_name : "?", host, (long)getpid());
}

/* Who wrote revision rev, from its commit record, escaped. */
static char *
winner(struct location *l, int64_t rev)
{
	struct etcd_range	 r;
	char			*key, *cause = NULL, *s;

	memset(&r, 0, sizeof r);
	key = location_key(l->prefix, "commit");
	if (etcd_get(l->c, key, 0, rev, &r, &cause) != 0) {
		free(cause);
		s = xstrdup("(who and when: unknown)");
	} else if (r.nkvs == 0 || r.kvs[0].mod_revision != rev)
		s = xstrdup("(not by certbind: who and when unknown)");
	else
		s = escape_mem(r.kvs[0].value, r.kvs[0].value_len, 0);
	etcd_range_clear(&r);
	free(key);
	return s;
}

enum location_push_status
location_push(struct location *l, unsigned *written, char **cause)
{
	struct local_file	*v = NULL;
	struct etcd_txn_result	 res;
	struct etcd_cond	 cond;
	struct etcd_op		*ops = NULL;
	const struct manifest_file *m;
	unsigned char		 sha[32];
	char			*conf = NULL, *rec = NULL, *ckey, *rkey, *who;
	char			**keys = NULL, *why = NULL;
	size_t			 n = 0, nops = 0, nkeys = 0, conflen, i, j;
	enum location_push_status st = LOCATION_FAILED;

	if (written != NULL)
		*written = 0;
	if (l == NULL || l->c == NULL)
		return LOCATION_PUSHED;
	memset(&res, 0, sizeof res);
	ckey = location_key(l->prefix, "config");
	rkey = location_key(l->prefix, "commit");
	if (fileio_read(l->path, CONFIG_MAX_SIZE, FILEIO_NOFOLLOW, &conf,
	    &conflen, NULL, cause) != 0)
		goto out;
	if (walk(l->dir, "", 0, &v, &n, cause) != 0)
		goto out;
	/* The config, the record, each file changed, each file removed. */
	ops = xcalloc(n + l->nfiles + 2, sizeof *ops);
	keys = xcalloc(n + l->nfiles, sizeof *keys);
	ops[nops++] = (struct etcd_op){ ETCD_PUT, ckey, conf, conflen, 0 };
	rec = commit_record();
	ops[nops++] = (struct etcd_op){ ETCD_PUT, rkey, rec, strlen(rec), 0 };
	for (i = 0; i < n; i++) {
		loc_sha256(v[i].data, v[i].len, sha);
		m = loc_manifest_find(l, v[i].rel);
		if (m != NULL && memcmp(m->sha, sha, sizeof sha) == 0)
			continue;
		v[i].changed = 1;
		keys[nkeys] = xasprintf("%s/%s%s", l->prefix, FILES_DIR,
		    v[i].rel);
		ops[nops++] = (struct etcd_op){ ETCD_PUT, keys[nkeys++],
		    v[i].data, v[i].len, 0 };
	}
	for (i = 0; i < l->nfiles; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(v[j].rel, l->files[i].rel) == 0)
				break;
		if (j < n)
			continue;
		keys[nkeys] = xasprintf("%s/%s%s", l->prefix, FILES_DIR,
		    l->files[i].rel);
		ops[nops++] = (struct etcd_op){ ETCD_DELETE, keys[nkeys++],
		    NULL, 0, 0 };
	}
	cond = (struct etcd_cond){ ckey, ETCD_MOD, l->config_rev };
	if (etcd_txn(l->c, &cond, 1, ops, nops, &res, &why) != 0) {
		*cause = xasprintf("%s: %s", l->spec, why);
		free(why);
		goto out;
	}
	if (!res.succeeded) {
		who = winner(l, res.lost_mod_revision);
		if (res.lost_mod_revision == 0)
			*cause = xasprintf("%s changed since it was read at "
			    "revision %lld: its config was deleted; it was not "
			    "written", l->spec, (long long)l->rev);
		else
			*cause = xasprintf("%s changed since it was read at "
			    "revision %lld: revision %lld was written %s; it "
			    "was not overwritten", l->spec, (long long)l->rev,
			    (long long)res.lost_mod_revision, who);
		free(who);
		st = LOCATION_LOST;
		goto out;
	}
	/* What etcd holds now is what the checkout holds. */
	loc_manifest_clear(&l->files, &l->nfiles);
	l->files = xcalloc(n == 0 ? 1 : n, sizeof *l->files);
	for (i = 0; i < n; i++) {
		l->files[i].rel = xstrdup(v[i].rel);
		loc_sha256(v[i].data, v[i].len, l->files[i].sha);
	}
	l->nfiles = n;
	l->rev = l->config_rev = l->content_rev = res.revision;
	if (written != NULL)
		*written = (unsigned)(nops - 2);
	st = LOCATION_PUSHED;
out:
	etcd_txn_result_clear(&res);
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(ops);
	local_clear(v, n);
	free(conf);
	free(rec);
	free(ckey);
	free(rkey);
	return st;
}

int
location_restore_files(struct location *l, unsigned n, char **cause)
{
	struct etcd_range	 r;
	const char		*name;
	char			*all, *p;
	size_t			 i, plen;
	int			 rc = 0;

	if (l == NULL || l->c == NULL || n < 1 || n > CONFIG_BACKUPS ||
	    l->bak_rev[n] == 0)
		return 0;
	memset(&r, 0, sizeof r);
	all = xasprintf("%s/%s", l->prefix, FILES_DIR);
	plen = strlen(all);
	if (etcd_get(l->c, all, 1, l->bak_rev[n], &r, cause) != 0) {
		free(all);
		return -1;
	}
	for (i = 0; rc == 0 && i < r.nkvs; i++) {
		name = r.kvs[i].key + plen;
		if (!loc_file_rel_ok(name))
			continue;
		p = xasprintf("%s/%s", l->dir, name);
		if (access(p, F_OK) == 0 || errno != ENOENT) {
			free(p);
			continue;
		}
		if (loc_mkparents(l->dir, name, cause) != 0 ||
		    fileio_write_new(p, r.kvs[i].value, r.kvs[i].value_len,
		    0600, cause) != 0)
			rc = -1;
		free(p);
	}
	etcd_range_clear(&r);
	free(all);
	return rc;
}
