/*
 * certbind copy (op/copy.h): plan, then write. The plan holds every file
 * in memory before the first byte is written, so a missing file refuses
 * the whole copy and a half-made destination never exists; the write
 * checks the destination, puts the files, saves the config and pushes.
 *
 * Each path setting of the config is a slot: where it is (a key's key,
 * cert or request, a binding's client_ca, server.trust, acme.account,
 * acme.ca_bundle), the path as written, and the file it names. A slot
 * whose path leaves the store gets a new relative name, and the config
 * is rewritten through the slot.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "util/errlist.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "op/acme.h"
#include "op/commit.h"
#include "op/copy.h"
#include "op/lifecycle.h"
#include "op/location.h"

enum slot_kind {
	SLOT_KEY, SLOT_CERT, SLOT_REQUEST, SLOT_CLIENT_CA, SLOT_TRUST,
	SLOT_ACCOUNT, SLOT_CA_BUNDLE
};

struct slot {
	enum slot_kind	 kind;
	size_t		 index;		/* the key's or the binding's */
	char		*written;	/* as in the config; a copy */
	int		 outside;	/* written leaves the store */
	size_t		 file;		/* in plan->files */
};

void
copy_plan_free(struct copy_plan *p)
{
	size_t	i;

	for (i = 0; i < p->nfiles; i++) {
		free(p->files[i].what);
		free(p->files[i].from);
		free(p->files[i].to);
		if (p->files[i].data != NULL)
			freezero(p->files[i].data, p->files[i].len);
	}
	free(p->files);
	if (p->cf != NULL)
		config_free(p->cf);
	memset(p, 0, sizeof *p);
}

/*
 * Whether a path as written stays inside the store: relative, and no
 * ".." that climbs above where it started.
 */
static int
inside(const char *p)
{
	const char	*s = p, *e;
	long		 depth = 0;
	size_t		 n;

	if (p[0] == '/' || p[0] == '\0')
		return 0;
	while (*s != '\0') {
		e = strchr(s, '/');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (--depth < 0)
				return 0;
		} else if (n != 0 && !(n == 1 && s[0] == '.'))
			depth++;
		s += n;
		if (*s == '/')
			s++;
	}
	return depth > 0;
}

/*
 * "a/./b//c" as "a/b/c" (and no ".." left: inside() said so). Each
 * segment is written with a slash after it: hence the 2.
 */
static char *
rel_clean(const char *p)
{
	char	*out = xcalloc(1, strlen(p) + 2), *o = out, *slash;
	const char *s = p, *e;
	size_t	 n;

	while (*s != '\0') {
		e = strchr(s, '/');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			/* Back over the last segment written. */
			if (o > out)
				o[-1] = '\0';
			slash = strrchr(out, '/');
			o = slash != NULL ? slash + 1 : out;
			*o = '\0';
		} else if (n != 0 && !(n == 1 && s[0] == '.')) {
			memcpy(o, s, n);
			o += n;
			*o++ = '/';
			*o = '\0';
		}
		s += n;
		if (*s == '/')
			s++;
	}
	if (o > out)
		o[-1] = '\0';
	return out;
}

static const char *
slot_setting(enum slot_kind k)
{
	switch (k) {
	case SLOT_KEY:		return "key";
	case SLOT_CERT:		return "cert";
	case SLOT_REQUEST:	return "request";
	case SLOT_CLIENT_CA:	return "client_ca";
	case SLOT_TRUST:	return "server.trust";
	case SLOT_ACCOUNT:	return "acme.account";
	case SLOT_CA_BUNDLE:	return "acme.ca_bundle";
	}
	return "?";
}

/* "key www: cert", "binding 2 (www): client_ca", "acme.account". */
static char *
slot_what(const struct config *cf, const struct slot *s)
{
	switch (s->kind) {
	case SLOT_KEY:
	case SLOT_CERT:
	case SLOT_REQUEST:
		return xasprintf("key %s: %s", config_key(cf, s->index)->name,
		    slot_setting(s->kind));
	case SLOT_CLIENT_CA:
		return xasprintf("binding %zu (key %s): client_ca",
		    s->index + 1, config_binding(cf, s->index)->key);
	default:
		return xstrdup(slot_setting(s->kind));
	}
}

/* The name a file from outside the store gets, before clashes. */
static char *
import_name(const struct config *cf, const struct slot *s, const char *from)
{
	const char	*base = strrchr(from, '/');
	const char	*name;
	char		*out, *c;

	base = base != NULL ? base + 1 : from;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		base = "file";
	switch (s->kind) {
	case SLOT_KEY:
	case SLOT_CERT:
	case SLOT_REQUEST:
		name = config_key(cf, s->index)->name;
		return xasprintf("%s/%s.%s", s->kind == SLOT_KEY ? "keys" :
		    s->kind == SLOT_CERT ? "certs" : "requests", name,
		    s->kind == SLOT_KEY ? "key" : s->kind == SLOT_CERT ?
		    "pem" : "csr");
	case SLOT_ACCOUNT:
		return xstrdup(ACME_ACCOUNT_DEFAULT);
	default:
		/* A store's own names are plain: the rest becomes '_'. */
		out = xasprintf("%s/%s", COPY_IMPORT_DIR, base);
		for (c = out + sizeof COPY_IMPORT_DIR; *c != '\0'; c++)
			if (!isalnum((unsigned char)*c) && *c != '.' &&
			    *c != '_' && *c != '-')
				*c = '_';
		if (out[sizeof COPY_IMPORT_DIR] == '.')
			out[sizeof COPY_IMPORT_DIR] = '_';
		return out;
	}
}

char *
copy_rel_path(const char *written)
{
	return inside(written) ? rel_clean(written) : NULL;
}

static int
taken(const struct copy_plan *p, const char *to)
{
	size_t	i;

	for (i = 0; i < p->nfiles; i++)
		if (p->files[i].to != NULL && strcmp(p->files[i].to, to) == 0)
			return 1;
	return 0;
}

/* name, or name-2, name-3 ... before its extension, whichever is free. */
static char *
unique_name(const struct copy_plan *p, const char *name)
{
	const char	*slash = strrchr(name, '/'), *dot;
	char		*out;
	unsigned	 n;

	if (!taken(p, name))
		return xstrdup(name);
	dot = strrchr(slash != NULL ? slash + 1 : name, '.');
	if (dot == NULL || dot == (slash != NULL ? slash + 1 : name))
		dot = name + strlen(name);
	for (n = 2;; n++) {
		out = xasprintf("%.*s-%u%s", (int)(dot - name), name, n, dot);
		if (!taken(p, out))
			return out;
		free(out);
	}
}

/* Every path setting of cf, in the order of the file. */
static size_t
slots_list(const struct config *cf, struct slot **out)
{
	const struct config_key		*k;
	const struct config_binding	*b;
	const struct config_server	*srv = config_server(cf);
	const struct config_acme	*a = config_acme(cf);
	struct slot			*s;
	size_t				 n = 0, i;

	s = xcalloc(3 * config_nkeys(cf) + config_nbindings(cf) + 3,
	    sizeof *s);
#define ADD(k_, i_, w_) do {						\
	if ((w_) != NULL) {						\
		s[n].kind = (k_); s[n].index = (i_);			\
		s[n].written = xstrdup(w_); n++;			\
	}								\
} while (0)
	for (i = 0; i < config_nkeys(cf); i++) {
		k = config_key(cf, i);
		ADD(SLOT_KEY, i, k->key);
		ADD(SLOT_CERT, i, k->cert);
		ADD(SLOT_REQUEST, i, k->request);
	}
	for (i = 0; i < config_nbindings(cf); i++) {
		b = config_binding(cf, i);
		ADD(SLOT_CLIENT_CA, i, b->client_ca);
	}
	if (srv != NULL)
		ADD(SLOT_TRUST, 0, srv->trust);
	if (a != NULL) {
		ADD(SLOT_ACCOUNT, 0, a->account);
		ADD(SLOT_CA_BUNDLE, 0, a->ca_bundle);
	}
#undef ADD
	*out = s;
	return n;
}

static void
slots_free(struct slot *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(s[i].written);
	free(s);
}

/* The key's note with "certbind copy: ..." added, or NULL if none fits. */
static char *
note_add(const char *old, const char *add)
{
	char	*n;

	n = old != NULL && *old != '\0' ? xasprintf("%s; %s", old, add) :
	    xstrdup(add);
	if (config_note_check(n, NULL) != 0) {
		free(n);
		return NULL;
	}
	return n;
}

/*
 * Points the slots outside the store at their files' names in it (a file
 * brought in, or the same file kept by a relative path), with a note on
 * each key and binding saying where its files came from.
 */
static int
rewrite(struct copy_plan *p, const struct slot *s, size_t ns, char **cause)
{
	const struct config_key		*k;
	const struct config_binding	*b;
	struct config_binding		 opts;
	struct config_server		 srv;
	struct config_acme		*a;
	char				*key, *cert, *req, *text, *note, *t;
	const char			*to;
	size_t				 i, j;
	int				 rc;

	for (i = 0; i < config_nkeys(p->cf); i++) {
		k = config_key(p->cf, i);
		key = xstrdup(k->key);
		cert = k->cert != NULL ? xstrdup(k->cert) : NULL;
		req = k->request != NULL ? xstrdup(k->request) : NULL;
		text = NULL;
		for (j = 0; j < ns; j++) {
			if (s[j].index != i || (s[j].kind != SLOT_KEY &&
			    s[j].kind != SLOT_CERT && s[j].kind != SLOT_REQUEST))
				continue;
			if (!s[j].outside)
				continue;
			to = p->files[s[j].file].to;
			if (s[j].kind == SLOT_KEY) {
				free(key);
				key = xstrdup(to);
			} else if (s[j].kind == SLOT_CERT) {
				free(cert);
				cert = xstrdup(to);
			} else {
				free(req);
				req = xstrdup(to);
			}
			t = xasprintf("%s%s %s from %s", text != NULL ? text :
			    "certbind copy:", text != NULL ? "," : "",
			    slot_setting(s[j].kind), s[j].written);
			free(text);
			text = t;
		}
		rc = 0;
		if (text != NULL) {
			/* The name is copied: set and note change records. */
			t = xstrdup(k->name);
			rc = config_key_set(p->cf, t, key, cert, req, cause);
			if (rc == 0 && (note = note_add(config_key_find(p->cf,
			    t)->note, text)) != NULL) {
				rc = config_key_note(p->cf, t, note, cause);
				free(note);
			}
			free(t);
		}
		free(key);
		free(cert);
		free(req);
		free(text);
		if (rc != 0)
			return -1;
	}
	for (j = 0; j < ns; j++) {
		if (!s[j].outside)
			continue;
		to = p->files[s[j].file].to;
		switch (s[j].kind) {
		case SLOT_CLIENT_CA:
			b = config_binding(p->cf, s[j].index);
			opts = *b;
			opts.client_ca = (char *)to;
			if (config_binding_set(p->cf, s[j].index, &opts,
			    cause) != 0)
				return -1;
			text = xasprintf("certbind copy: client_ca from %s",
			    s[j].written);
			note = note_add(config_binding(p->cf,
			    s[j].index)->note, text);
			free(text);
			rc = note != NULL ? config_binding_note(p->cf,
			    s[j].index, note, cause) : 0;
			free(note);
			if (rc != 0)
				return -1;
			break;
		case SLOT_TRUST:
			srv = *config_server(p->cf);
			srv.trust = (char *)to;
			if (config_server_set(p->cf, &srv, cause) != 0)
				return -1;
			break;
		case SLOT_ACCOUNT:
		case SLOT_CA_BUNDLE:
			a = config_acme_edit(p->cf);
			t = xstrdup(to);
			if (s[j].kind == SLOT_ACCOUNT) {
				free(a->account);
				a->account = t;
			} else {
				free(a->ca_bundle);
				a->ca_bundle = t;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

int
copy_plan(struct location *src, struct copy_plan *p, struct errlist *errs,
    char **cause)
{
	struct copy_file	*f;
	struct slot		*s = NULL;
	char			*from, *why = NULL, *name;
	const char		*path = location_path(src);
	size_t			 ns = 0, i, j;
	int			 pass;

	memset(p, 0, sizeof *p);
	if ((location_remote(src) && location_config_revision(src) == 0) ||
	    (!location_remote(src) && access(path, F_OK) != 0)) {
		*cause = xasprintf("%s holds no config%s%s",
		    location_spec(src), location_remote(src) ? "" : ": ",
		    location_remote(src) ? "" : strerror(errno));
		return -1;
	}
	if (config_load(path, &p->cf, errs) != 0) {
		*cause = xasprintf("%s: the config does not load",
		    location_spec(src));
		return -1;
	}
	ns = slots_list(p->cf, &s);
	p->files = xcalloc(ns + 1, sizeof *p->files);

	/* One file per source path, read now: a missing one refuses. */
	for (i = 0; i < ns; i++) {
		name = copy_rel_path(s[i].written);
		s[i].outside = name == NULL;
		free(name);
		from = config_resolve_path(p->cf, s[i].written);
		for (j = 0; j < p->nfiles; j++)
			if (strcmp(p->files[j].from, from) == 0)
				break;
		s[i].file = j;
		if (j < p->nfiles) {
			free(from);
			if (s[i].kind == SLOT_KEY || s[i].kind == SLOT_ACCOUNT)
				p->files[j].secret = 1;
			continue;
		}
		f = &p->files[p->nfiles++];
		f->from = from;
		f->what = slot_what(p->cf, &s[i]);
		f->secret = s[i].kind == SLOT_KEY || s[i].kind == SLOT_ACCOUNT;
		if (fileio_read(from, COPY_FILE_MAX, 0, (char **)&f->data,
		    &f->len, NULL, &why) != 0) {
			*cause = xasprintf("%s names %s, which cannot be "
			    "copied: %s; nothing was written", f->what,
			    s[i].written, why);
			free(why);
			goto fail;
		}
	}
	/* The account key by its default name, when there is one. */
	if (config_acme(p->cf) != NULL && config_acme(p->cf)->account == NULL) {
		from = config_resolve_path(p->cf, ACME_ACCOUNT_DEFAULT);
		f = &p->files[p->nfiles];
		if (access(from, F_OK) == 0 && fileio_read(from,
		    COPY_FILE_MAX, 0, (char **)&f->data, &f->len, NULL,
		    &why) == 0) {
			f->from = from;
			f->what = xstrdup("acme.account (the default)");
			f->to = xstrdup(ACME_ACCOUNT_DEFAULT);
			f->secret = 1;
			p->nfiles++;
		} else {
			free(from);
			free(why);
			why = NULL;
		}
	}

	/*
	 * Names: the relative paths first, kept; then a new name for each
	 * file that only paths leaving the store name. A file named both
	 * ways keeps its relative path, and every slot is pointed there.
	 */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ns; i++) {
			f = &p->files[s[i].file];
			if (f->to != NULL || s[i].outside != pass)
				continue;
			if (!pass)
				f->to = copy_rel_path(s[i].written);
			else {
				name = import_name(p->cf, &s[i], f->from);
				f->to = unique_name(p, name);
				f->imported = 1;
				free(name);
			}
		}
	}
	if (rewrite(p, s, ns, cause) != 0)
		goto fail;
	config_set_store(p->cf, NULL);
	slots_free(s, ns);
	return 0;
fail:
	slots_free(s, ns);
	copy_plan_free(p);
	return -1;
}

/* For copy_write()'s --force on etcd: the checkout's old files. */
static const char *clear_config;	/* the config's base name */
static size_t clear_len;

static int
clear_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char	*base = path + ftw->base;

	if (type != FTW_F || ftw->level == 0)
		return 0;
	/* The config and its backups stay: the push writes the config. */
	if (ftw->level == 1 && strncmp(base, clear_config, clear_len) == 0 &&
	    (base[clear_len] == '\0' || base[clear_len] == '.'))
		return 0;
	return unlink(path) == 0 ? 0 : -1;
}

/* Writes one file; *made is set when it did not exist. */
static int
write_file(const char *dir, const struct copy_file *f, int remote,
    int force, int *made, char **cause)
{
	struct stat	 st;
	char		*path, *parent, *why = NULL;
	mode_t		 mode;
	int		 rc, had_parent;

	path = xasprintf("%s/%s", dir, f->to);
	parent = xstrdup(path);
	*strrchr(parent, '/') = '\0';
	had_parent = stat(parent, &st) == 0;
	if (lifecycle_mkdirs(parent, &why) != 0) {
		*cause = xasprintf("%s: %s", f->to, why);
		free(why);
		free(parent);
		free(path);
		return -1;
	}
	/* A key's directory that copy made is the owner's alone. */
	if (!had_parent && f->secret)
		(void)chmod(parent, 0700);
	free(parent);
	mode = remote || f->secret ? 0600 : 0644;
	*made = lstat(path, &st) != 0;
	if (*made)
		rc = fileio_write_new(path, f->data, f->len, mode, &why);
	else if (force)
		rc = fileio_write_atomic(path, f->data, f->len, mode, NULL,
		    &why);
	else {
		why = xstrdup("it exists (give --force to replace it)");
		rc = -1;
	}
	if (rc != 0) {
		*cause = xasprintf("writing %s: %s", path, why);
		free(why);
		*made = 0;
	}
	free(path);
	return rc;
}

enum copy_status
copy_write(const struct copy_plan *p, struct location *dst, int flags,
    struct copy_result *res, char **cause)
{
	struct commit_lock	*lock = NULL;
	struct stat		 st;
	const char		*path = location_path(dst), *slash, *base;
	char			*dir, *t, **made = NULL;
	size_t			 nmade = 0, i;
	enum copy_status	 status = COPY_FAILED;
	int			 remote = location_remote(dst), force, has, m;
	unsigned		 pushed = 0;

	memset(res, 0, sizeof *res);
	force = (flags & COPY_FORCE) != 0;
	slash = strrchr(path, '/');
	base = slash != NULL ? slash + 1 : path;
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xasprintf("%.*s", (int)(slash - path), path);
	has = remote ? location_config_revision(dst) != 0 :
	    lstat(path, &st) == 0;
	if (has && !force) {
		*cause = remote ? xasprintf("%s holds a config already "
		    "(revision %lld): give --force to replace it",
		    location_spec(dst),
		    (long long)location_config_revision(dst)) :
		    xasprintf("%s exists: give --force to replace it",
		    path);
		status = COPY_REFUSED;
		goto out;
	}
	for (i = 0; i < p->nfiles; i++) {
		if (strcmp(p->files[i].to, base) == 0 ||
		    (strncmp(p->files[i].to, base, strlen(base)) == 0 &&
		    p->files[i].to[strlen(base)] == '.' &&
		    strchr(p->files[i].to, '/') == NULL)) {
			*cause = xasprintf("%s names %s, which is where the "
			    "config itself goes", p->files[i].what,
			    p->files[i].to);
			status = COPY_REFUSED;
			goto out;
		}
	}
	/* What a checkout cannot hold would be missing from etcd. */
	for (i = 0; remote && i < p->nfiles; i++) {
		t = p->files[i].to;
		if (!location_file_name_ok(t)) {
			*cause = xasprintf("%s names %s, which etcd's store "
			    "cannot hold (letters, digits and ._-+@ only, no "
			    "name starting with '.'); rename the file in "
			    "SOURCE first", p->files[i].what, t);
			status = COPY_REFUSED;
			goto out;
		}
	}
	if (!remote) {
		if (lifecycle_mkdirs(dir, cause) != 0)
			goto out;
		if ((lock = commit_lock_take(path, cause)) == NULL) {
			status = COPY_REFUSED;
			goto out;
		}
	} else if (force) {
		/* The new config replaces the old one and all its files. */
		clear_config = base;
		clear_len = strlen(base);
		if (nftw(dir, clear_one, 16, FTW_PHYS) != 0) {
			*cause = xasprintf("%s: clearing the checkout: %s",
			    dir, strerror(errno));
			goto out;
		}
	}
	/* Nothing is written before every file is known to be free. */
	if (!force) {
		for (i = 0; i < p->nfiles; i++) {
			t = xasprintf("%s/%s", dir, p->files[i].to);
			if (lstat(t, &st) == 0) {
				*cause = xasprintf("%s exists (%s would go "
				    "there): give --force to replace it", t,
				    p->files[i].what);
				free(t);
				status = COPY_REFUSED;
				goto out;
			}
			free(t);
		}
	}
	made = xcalloc(p->nfiles + 1, sizeof *made);
	for (i = 0; i < p->nfiles; i++) {
		if (write_file(dir, &p->files[i], remote, force, &m,
		    cause) != 0)
			goto undo;
		if (m)
			made[nmade++] = xasprintf("%s/%s", dir,
			    p->files[i].to);
	}
	if (config_save(p->cf, path, cause) != 0)
		goto undo;
	switch (location_push(dst, &pushed, cause)) {
	case LOCATION_PUSHED:
		res->revision = location_revision(dst);
		res->pushed = pushed;
		status = COPY_WRITTEN;
		break;
	case LOCATION_LOST:
		status = COPY_REFUSED;
		break;
	case LOCATION_FAILED:
		break;
	}
	goto out;
undo:
	/* A path location keeps nothing of a copy that failed midway. */
	for (i = 0; i < nmade; i++)
		(void)unlink(made[i]);
out:
	for (i = 0; i < nmade; i++)
		free(made[i]);
	free(made);
	if (lock != NULL)
		commit_lock_release(lock);
	free(dir);
	return status;
}
