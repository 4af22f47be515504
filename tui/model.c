/*
 * The model the windows draw: the edited config with its findings, the
 * marks of its rows (conflicts, stale bindings ...), its resolver and SNI
 * index, the certificates of its keys, loaded when first drawn, and the
 * ACME status of its managed keys (from their state files, read again
 * when they change). Every change rebuilds these once (tui_changed), never
 * per keystroke; on a large config the checks run just after the screen
 * is drawn, so the rows never wait for them.
 */

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"
#include "keys/cert.h"
#include "op/acme-paths.h"
#include "tui/tui-int.h"

static unsigned
finding_mark(const struct finding *f)
{
	static const struct {
		const char	*code;
		unsigned	 mark;
	} map[] = {
		{ F_CONFLICT, MK_CONFLICT },
		{ F_UNSERVED_LISTENER, MK_UNSERVED },
		{ F_STALE_BINDING, MK_STALE },
		{ F_PROBABLE_MOVE, MK_MOVE },
		{ F_DEFAULT_SERVED, MK_DEFAULT },
		{ F_EXPIRED, MK_EXPIRED },
		{ F_EXPIRING, MK_EXPIRING },
		{ F_ADDRESS_NOT_LOCAL, MK_NOTLOCAL },
	};
	size_t	i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(f->code, map[i].code) == 0)
			return map[i].mark;
	}
	switch (f->severity) {
	case SEV_ERROR:
		return MK_ERROR;
	case SEV_WARNING:
		return MK_WARNING;
	default:
		return 0;
	}
}

void
model_certs_free(struct tui *t)
{
	size_t	i;

	for (i = 0; i < t->ncerts; i++) {
		if (t->certs[i].cert != NULL)
			cert_free(t->certs[i].cert);
		free(t->certs[i].error);
	}
	free(t->certs);
	t->certs = NULL;
	t->ncerts = 0;
}

static void
certs_reset(struct tui *t)
{
	model_certs_free(t);
	t->ncerts = config_nkeys(t->edit);
	t->certs = xcalloc(t->ncerts + 1, sizeof *t->certs);
}

static void
acme_entry_free(struct tui_acmecache *ac)
{
	if (ac->have)
		acme_key_status_free(&ac->st);
	free(ac->error);
	free(ac->name);
	free(ac->cert);
	memset(ac, 0, sizeof *ac);
}

void
model_acme_free(struct tui *t)
{
	size_t	i;

	for (i = 0; i < t->nacme; i++)
		acme_entry_free(&t->acme[i]);
	free(t->acme);
	t->acme = NULL;
	t->nacme = 0;
	t->nmanaged = 0;
}

/* The modification time of path in the store; zero if it has none. */
static struct timespec
store_mtime(const struct config *c, const char *path)
{
	struct timespec	 ts = { 0, 0 };
	struct stat	 sb;
	char		*abs;

	if (path == NULL)
		return ts;
	abs = config_resolve_path(c, path);
	if (stat(abs, &sb) == 0)
		ts = sb.st_mtim;
	free(abs);
	return ts;
}

static int
same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/*
 * The old entry for key k, if its files are as they were: the same key at
 * the same index is the common case, else one is looked for by name.
 */
static struct tui_acmecache *
acme_old(struct tui_acmecache *old, size_t nold, size_t i,
    const struct config_key *k, struct timespec st, struct timespec ct)
{
	struct tui_acmecache	*o = NULL;
	size_t			 j;

	if (i < nold && old[i].name != NULL && strcmp(old[i].name,
	    k->name) == 0)
		o = &old[i];
	for (j = 0; o == NULL && j < nold; j++) {
		if (old[j].name != NULL && strcmp(old[j].name, k->name) == 0)
			o = &old[j];
	}
	if (o == NULL || !o->have || !same_time(o->state_mtime, st) ||
	    !same_time(o->cert_mtime, ct) || (o->cert == NULL) !=
	    (k->cert == NULL) || (k->cert != NULL && strcmp(o->cert,
	    k->cert) != 0))
		return NULL;
	return o;
}

/*
 * The ACME status of every managed key: acme_key_status() reads the state
 * file and the certificate, so it runs here, once per model change and
 * only for a key whose files changed since, and the rows only look it up.
 */
static void
acme_reset(struct tui *t)
{
	const struct config_key	*k;
	struct tui_acmecache	*ac, *old = t->acme, *o;
	struct timespec		 st, ct;
	char			*cause, *rel;
	size_t			 i, nold = t->nacme;

	t->acme = NULL;
	t->nacme = 0;
	t->nmanaged = 0;
	model_acme_free(t);
	t->nacme = config_nkeys(t->edit);
	t->acme = xcalloc(t->nacme + 1, sizeof *t->acme);
	for (i = 0; i < t->nacme; i++) {
		k = config_key(t->edit, i);
		if (k->acme == NULL)
			continue;
		ac = &t->acme[i];
		ac->managed = 1;
		t->nmanaged++;
		rel = xasprintf("%s/%s.json", ACME_STATE_DIR, k->name);
		st = store_mtime(t->edit, rel);
		free(rel);
		ct = store_mtime(t->edit, k->cert);
		if ((o = acme_old(old, nold, i, k, st, ct)) != NULL) {
			*ac = *o;
			memset(o, 0, sizeof *o);
			ac->managed = 1;
			continue;
		}
		ac->name = xstrdup(k->name);
		ac->cert = k->cert != NULL ? xstrdup(k->cert) : NULL;
		ac->state_mtime = st;
		ac->cert_mtime = ct;
		cause = NULL;
		if (acme_key_status(t->edit, k->name, &ac->st, &cause) == 0) {
			ac->have = 1;
			ac->st.name = NULL;	/* borrowed from edit */
		} else
			ac->error = cause != NULL ? cause :
			    xstrdup("the ACME state cannot be read");
	}
	for (i = 0; i < nold; i++)
		acme_entry_free(&old[i]);
	free(old);
}

const struct tui_acmecache *
tui_acme(struct tui *t, size_t i)
{
	if (i >= t->nacme || !t->acme[i].managed)
		return NULL;
	return &t->acme[i];
}

struct cert *
tui_cert(struct tui *t, size_t i, const char **error)
{
	const struct config_key	*k;
	struct tui_certcache	*cc;
	char			*path, *cause = NULL;

	*error = NULL;
	if (i >= t->ncerts || (k = config_key(t->edit, i)) == NULL)
		return NULL;
	cc = &t->certs[i];
	if (!cc->loaded) {
		cc->loaded = 1;
		if (k->cert != NULL) {
			path = config_resolve_path(t->edit, k->cert);
			if (cert_load(path, &cc->cert, &cause) != 0) {
				cc->cert = NULL;
				cc->error = cause != NULL ? cause :
				    xstrdup("cannot read the certificate");
			}
			free(path);
		}
	}
	*error = cc->error;
	return cc->cert;
}

static int
same_place(const struct config_binding *a, const struct config_binding *b)
{
	int	r;

	if ((r = endpoint_cmp(&a->ep, &b->ep)) != 0)
		return r;
	if (a->sni == NULL || b->sni == NULL)
		return (a->sni != NULL) - (b->sni != NULL);
	return strcasecmp(a->sni, b->sni);
}

static int
by_place(const void *a, const void *b, void *arg)
{
	const struct config	*c = arg;

	return same_place(config_binding(c, *(const size_t *)a),
	    config_binding(c, *(const size_t *)b));
}

/*
 * A conflict finding names one binding; every binding with the same
 * endpoint and sni is in the conflict, and each row should say so. Sorted
 * by place, the bindings of a conflict are neighbours.
 */
static void
mark_conflicts(struct tui *t)
{
	size_t	 i, j, k, nb = config_nbindings(t->edit), *v;
	int	 marked;

	for (i = 0; i < nb; i++) {
		if (t->binding_marks[i] & MK_CONFLICT)
			break;
	}
	if (i == nb)
		return;
	v = xcalloc(nb, sizeof *v);
	for (i = 0; i < nb; i++)
		v[i] = i;
	qsort_r(v, nb, sizeof *v, by_place, t->edit);
	for (i = 0; i < nb; i = j) {
		marked = 0;
		for (j = i; j < nb && same_place(config_binding(t->edit, v[i]),
		    config_binding(t->edit, v[j])) == 0; j++)
			marked |= (t->binding_marks[v[j]] & MK_CONFLICT) != 0;
		if (marked && j - i > 1) {
			for (k = i; k < j; k++)
				t->binding_marks[v[k]] |= MK_CONFLICT;
		}
	}
	free(v);
}

/* NULL equals only NULL. */
static int
str_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
key_same(const struct config_key *a, const struct config_key *b)
{
	return str_same(a->key, b->key) && str_same(a->cert, b->cert) &&
	    str_same(a->request, b->request) && str_same(a->note, b->note) &&
	    config_key_acme_equal(a->acme, b->acme);
}

static int
binding_same(const struct config_binding *a, const struct config_binding *b)
{
	if (a->has_backend != b->has_backend || (a->has_backend &&
	    endpoint_cmp(&a->backend, &b->backend) != 0))
		return 0;
	return str_same(a->client_ca, b->client_ca) &&
	    a->client_auth == b->client_auth && str_same(a->note, b->note);
}

static int
listener_same(const struct config_listener *a, const struct config_listener *b)
{
	size_t	i;

	if (endpoint_cmp(&a->backend, &b->backend) != 0 ||
	    a->proxy_protocol != b->proxy_protocol ||
	    a->freebind != b->freebind || a->accept_proxy != b->accept_proxy ||
	    a->nalpn != b->nalpn || !str_same(a->note, b->note))
		return 0;
	for (i = 0; i < a->nalpn; i++)
		if (strcmp(a->alpn[i], b->alpn[i]) != 0)
			return 0;
	return 1;
}

/*
 * --propose: each key, binding and listener of the edit that the file
 * (orig) does not have is MK_NEW, one it has with other settings is
 * MK_CHANGED; a key is known by its name, a binding by its key, endpoint
 * and SNI, a listener by its endpoint. What the file has and the edit
 * does not is counted, for the panes' titles.
 */
static void
mark_proposal(struct tui *t)
{
	const struct config_key		*k;
	const struct config_binding	*b;
	const struct config_listener	*l;
	size_t				 i;
	ssize_t				 o;

	t->removed_keys = t->removed_bindings = t->removed_listeners = 0;
	if (!t->proposing || t->orig == NULL)
		return;
	for (i = 0; i < config_nkeys(t->edit); i++) {
		k = config_key(t->edit, i);
		if ((o = config_key_index(t->orig, k->name)) < 0)
			t->key_marks[i] |= MK_NEW;
		else if (!key_same(k, config_key(t->orig, (size_t)o)))
			t->key_marks[i] |= MK_CHANGED;
	}
	for (i = 0; i < config_nbindings(t->edit); i++) {
		b = config_binding(t->edit, i);
		if ((o = config_binding_find(t->orig, b->key, &b->ep,
		    b->sni)) < 0)
			t->binding_marks[i] |= MK_NEW;
		else if (!binding_same(b, config_binding(t->orig, (size_t)o)))
			t->binding_marks[i] |= MK_CHANGED;
	}
	for (i = 0; i < config_nlisteners(t->edit); i++) {
		l = config_listener(t->edit, i);
		if ((o = config_listener_find(t->orig, &l->ep)) < 0)
			t->listener_marks[i] |= MK_NEW;
		else if (!listener_same(l, config_listener(t->orig, (size_t)o)))
			t->listener_marks[i] |= MK_CHANGED;
	}
	for (i = 0; i < config_nkeys(t->orig); i++)
		if (config_key_index(t->edit, config_key(t->orig, i)->name) < 0)
			t->removed_keys++;
	for (i = 0; i < config_nbindings(t->orig); i++) {
		b = config_binding(t->orig, i);
		if (config_binding_find(t->edit, b->key, &b->ep, b->sni) < 0)
			t->removed_bindings++;
	}
	for (i = 0; i < config_nlisteners(t->orig); i++)
		if (config_listener_find(t->edit,
		    &config_listener(t->orig, i)->ep) < 0)
			t->removed_listeners++;
}

/*
 * The model changed (or was just loaded): findings, resolver, row marks,
 * and every window's rows are rebuilt here, once, not per keystroke.
 */
void
model_update(struct tui *t, int check)
{
	const struct finding	*f;
	size_t			 i, nk, nb, nl;
	unsigned		 m;
	int			 o;

	findings_clear(&t->found);
	if (check)
		check_config(t->edit, &t->copts, &t->found);
	t->checking = !check;
	resolver_free(t->res);
	t->res = resolver_new(t->edit);
	sni_index_free(t->sx);
	t->sx = sni_index_new(t->edit);

	nk = config_nkeys(t->edit);
	nb = config_nbindings(t->edit);
	nl = config_nlisteners(t->edit);
	free(t->key_marks);
	free(t->binding_marks);
	free(t->listener_marks);
	t->key_marks = xcalloc(nk + 1, sizeof *t->key_marks);
	t->binding_marks = xcalloc(nb + 1, sizeof *t->binding_marks);
	t->listener_marks = xcalloc(nl + 1, sizeof *t->listener_marks);
	for (i = 0; i < t->found.n; i++) {
		f = &t->found.v[i];
		if ((m = finding_mark(f)) == 0 || f->index < 0)
			continue;
		if (f->kind == FK_KEY && (size_t)f->index < nk)
			t->key_marks[f->index] |= m;
		else if (f->kind == FK_BINDING && (size_t)f->index < nb)
			t->binding_marks[f->index] |= m;
		else if (f->kind == FK_LISTENER && (size_t)f->index < nl)
			t->listener_marks[f->index] |= m;
	}
	mark_conflicts(t);
	mark_proposal(t);
	certs_reset(t);
	acme_reset(t);

	t->gen++;
	for (i = 0; i < TUI_NPANES; i++) {
		if (t->panes[i].mode != NULL && t->panes[i].mode->changed)
			t->panes[i].mode->changed(&t->panes[i]);
	}
	for (o = 0; o < t->noverlay; o++) {
		if (t->overlay[o]->mode->changed != NULL)
			t->overlay[o]->mode->changed(t->overlay[o]);
	}
}

/*
 * On a large config the checks take seconds: the rows are rebuilt at
 * once, and the main loop runs the checks after drawing them, with
 * "checking..." on the status line. A small config is checked at once, so
 * its markers never flicker.
 */
static int
large(struct tui *t)
{
	return config_nbindings(t->edit) > TUI_LARGE_BINDINGS ||
	    config_nkeys(t->edit) > TUI_LARGE_KEYS;
}

/* Whether the edited config differs from the file as loaded. */
static void
update_modified(struct tui *t)
{
	char	*b;

	/* The file as loaded changes only on commit: serialize it once. */
	if (t->orig_text == NULL)
		t->orig_text = config_serialize(t->orig);
	b = config_serialize(t->edit);
	t->modified = strcmp(t->orig_text, b) != 0;
	free(b);
}

/*
 * The first build of the model: the edited config is a copy of the file,
 * so it is not modified, and nothing needs serializing before the first
 * screen.
 */
void
model_first(struct tui *t)
{
	t->modified = 0;
	if (large(t)) {
		model_update(t, 0);
		t->check_pending = 1;
	} else
		model_update(t, 1);
}

void
tui_changed(struct tui *t)
{
	update_modified(t);
	if (large(t)) {
		model_update(t, 0);
		t->check_pending = 1;
	} else {
		model_update(t, 1);
		t->check_pending = 0;
	}
}

/*
 * The findings of the file as loaded, for the review and the commit.
 * Computed when first asked: a large file takes the checks a while, and
 * most sessions never need them.
 */
const struct findings *
tui_orig_findings(struct tui *t)
{
	if (!t->orig_checked) {
		findings_clear(&t->orig_found);
		check_config(t->orig, &t->copts, &t->orig_found);
		t->orig_checked = 1;
	}
	return &t->orig_found;
}

void
tui_replace_edit(struct tui *t, struct config *c)
{
	config_free(t->edit);
	t->edit = c;
	tui_changed(t);
}

size_t
tui_effect(struct tui *t, const struct config *before,
    const struct config *after, struct errlist *out)
{
	return tui_effect_near(t, before, after, NULL, 0, out);
}

size_t
tui_effect_near(struct tui *t, const struct config *before,
    const struct config *after, const struct endpoint *touched,
    size_t ntouched, struct errlist *out)
{
	int	 cached;

	/* The edited config's resolver and index are kept by the model. */
	cached = before == t->edit && t->res != NULL && t->sx != NULL;
	return effect_lines(before, cached ? t->res : NULL,
	    cached ? t->sx : NULL, after, touched, ntouched, out);
}
