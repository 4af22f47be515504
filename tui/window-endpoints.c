/*
 * The endpoints pane: every listener with the key that serves it and the
 * rule that chose it (asked of resolver_lookup, the function certbindd
 * uses), one line more for each SNI name bound on it, then every binding.
 * Where a wildcard binding does the serving, the row says "all
 * unassigned" and carries [DEFAULT]; problems carry their marker words.
 * Under each listener a dim row says where its connections go: the
 * backend (config_backend_for(), the rule certbindd follows, so the
 * binding's own when the serving binding has one, else the listener's,
 * and which it is) and the options worth seeing (PROXY v1/v2 to the
 * backend, ALPN, freebind, accept-proxy). A served SNI row and a binding
 * with a backend or client certificates of its own get such a row too.
 * A listener's or binding's note (config_note_check()) ends its detail
 * row, escaped and cut to the width like the rest.
 *
 * Rows are built once per model or filter change and hold indexes only:
 * the records are looked up again when drawn.
 *
 * On request (p) the pane probes the running server: each listener of
 * the file as committed is asked, without SNI and with each name bound
 * there, by the probe that "certbind probe" runs, and the rows get
 * [SERVED], [NOT-RELOADED] or [UNSERVED], the finding's sentence showing
 * on the message line.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "op/probe.h"
#include "util/xmalloc.h"
#include "tui/tui-int.h"

/* Per handshake: a probe of many listeners should not freeze the screen. */
#define TUI_PROBE_TIMEOUT_MS	2000

struct ep_row {
	enum ep_row_type	 type;
	size_t			 index;		/* listener or binding */
	size_t			 sni_from;	/* LISTENER_SNI: a binding */
	/* DETAIL: what it is under (LISTENER, LISTENER_SNI or BINDING). */
	enum ep_row_type	 of;
	ssize_t			 serving;	/* listener rows */
	struct resolve_rule	 rule;
	unsigned		 marks;
};

struct ep_data {
	struct tui_list	 list;		/* over rows */
	struct ep_row	*rows;
	size_t		 nrows;
	size_t		 cap;
	/* What was selected, to find it again after a rebuild. */
	enum ep_row_type sel_type;
	size_t		 sel_index;
};

static struct ep_data *
ep_data(struct tui *t)
{
	return t->panes[TUI_PANE_ENDPOINTS].data;
}

static void	ep_rebuild(struct tui_win *);
static void	ep_moved(struct tui_win *);

/* Headings cannot be selected. */
static int
ep_selectable(struct tui_win *w, size_t row)
{
	struct ep_data	*d = w->data;

	return d->rows[row].type != EPR_HEADING &&
	    d->rows[row].type != EPR_DETAIL;
}

static const struct tui_list_ops ep_list_ops = {
	"Filter endpoints (address, port, sni or key):", ep_selectable,
	ep_moved, ep_rebuild
};

static void
ep_init(struct tui_win *w, void *arg)
{
	struct ep_data	*d;

	w->data = d = xcalloc(1, sizeof *d);
	list_init(&d->list, &ep_list_ops, w);
}

static void
ep_free(struct tui_win *w)
{
	struct ep_data	*d = w->data;

	list_free(&d->list);
	free(d->rows);
	free(d);
}

static struct tui_list *
ep_list(struct tui_win *w)
{
	struct ep_data	*d = w->data;

	return &d->list;
}

static struct ep_row *
ep_add(struct ep_data *d, enum ep_row_type type, size_t index)
{
	struct ep_row	*r;

	if (d->nrows == d->cap) {
		d->cap = d->cap == 0 ? 64 : d->cap * 2;
		d->rows = xreallocarray(d->rows, d->cap, sizeof *d->rows);
	}
	r = &d->rows[d->nrows++];
	memset(r, 0, sizeof *r);
	r->type = type;
	r->index = index;
	r->serving = -1;
	return r;
}

/* A listener on "*" is asked about as if on one address: adjust the rule. */
static void
fix_rule(const struct config_listener *l, struct resolve_rule *rule)
{
	if (!endpoint_any_addr(&l->ep))
		return;
	if (rule->level == RESOLVE_ADDR_PORT)
		rule->level = RESOLVE_ANYADDR_PORT;
	else if (rule->level == RESOLVE_ADDR_ANYPORT)
		rule->level = RESOLVE_DEFAULT;
}

static int
sni_cmp(const void *a, const void *b, void *arg)
{
	const struct config	*c = arg;
	const struct config_binding *ba, *bb;

	ba = config_binding(c, *(const size_t *)a);
	bb = config_binding(c, *(const size_t *)b);
	return strcasecmp(ba->sni, bb->sni);
}

static int
ep_matches(struct tui *t, const struct endpoint *ep, const char *sni,
    const char *key, const char *filter)
{
	char	buf[ENDPOINT_STRLEN];

	if (filter == NULL || *filter == '\0')
		return 1;
	endpoint_format(ep, buf);
	if (strcasestr(buf, filter) != NULL)
		return 1;
	if (sni != NULL && strcasestr(sni, filter) != NULL)
		return 1;
	if (key != NULL && strcasestr(key, filter) != NULL)
		return 1;
	return 0;
}

/*
 * The last probe's finding about listener ep with sni (NULL: without);
 * NULL when it was served as predicted. *probed says whether ep was
 * probed at all. A listener that refused every connection has one finding
 * without a name, which stands for its names too.
 */
static const struct finding *
probe_lookup(struct tui *t, const struct endpoint *ep, const char *sni,
    int *probed)
{
	const struct finding	*f, *any = NULL;
	const char		*p;
	char			*name;
	size_t			 i, j;

	*probed = 0;
	for (j = 0; j < t->nprobe_eps; j++) {
		if (endpoint_cmp(&t->probe_eps[j], ep) == 0)
			break;
	}
	if (j == t->nprobe_eps)
		return NULL;
	*probed = 1;
	name = sni != NULL ? probe_sni_name(sni) : NULL;
	for (i = 0; i < t->probe_found.n; i++) {
		f = &t->probe_found.v[i];
		if (f->index != (ssize_t)j)
			continue;
		p = strstr(f->object, " sni=");
		if (p == NULL && name == NULL)
			break;
		if (p != NULL && name != NULL && strcasecmp(p + 5, name) == 0)
			break;
		if (p == NULL && strcmp(f->code, F_UNSERVED_LISTENER) == 0)
			any = f;
	}
	free(name);
	return i < t->probe_found.n ? &t->probe_found.v[i] : any;
}

static unsigned
probe_marks(struct tui *t, const struct endpoint *ep, const char *sni)
{
	const struct finding	*f;
	int			 probed;

	if (t->nprobe_eps == 0)
		return 0;
	if ((f = probe_lookup(t, ep, sni, &probed)) == NULL)
		return probed ? MK_PROBED : 0;
	if (strcmp(f->code, F_NOT_RELOADED) == 0)
		return MK_NOTRELOADED;
	if (strcmp(f->code, F_UNSERVED_LISTENER) == 0)
		return MK_UNSERVED;
	return f->severity == SEV_ERROR ? MK_ERROR : MK_WARNING;
}

/*
 * The detail row under row r (the last added), when it has something to
 * say: every listener does; a served SNI row only when its binding has
 * its own backend; a binding when it has a backend, client CA or note.
 */
static void
ep_add_detail(struct ep_data *d, struct tui *t)
{
	const struct config_binding *b;
	struct ep_row	*r = &d->rows[d->nrows - 1], *n;
	enum ep_row_type of = r->type;
	size_t		 index = r->index;
	ssize_t		 serving = r->serving;
	size_t		 sni_from = r->sni_from;

	if (of == EPR_LISTENER_SNI && (serving < 0 ||
	    !config_binding(t->edit, (size_t)serving)->has_backend))
		return;
	if (of == EPR_BINDING) {
		b = config_binding(t->edit, index);
		if (!b->has_backend && b->client_ca == NULL && b->note == NULL)
			return;
	}
	n = ep_add(d, EPR_DETAIL, index);
	n->of = of;
	n->serving = serving;
	n->sni_from = sni_from;
}

static void
ep_rebuild(struct tui_win *w)
{
	struct ep_data		*d = w->data;
	struct tui		*t = w->tui;
	const struct config_listener *l;
	const struct config_binding *b, *bs;
	struct ep_row		*r;
	const char		*skey;
	size_t			 i, j, nl, nb, *snis = NULL, nsni, k, cap = 0;
	struct sni_index	*sx;
	int			 any;

	d->nrows = 0;
	nl = config_nlisteners(t->edit);
	nb = config_nbindings(t->edit);
	sx = t->sx;

	ep_add(d, EPR_HEADING, 0);
	for (i = 0; i < nl; i++) {
		l = config_listener(t->edit, i);
		r = ep_add(d, EPR_LISTENER, i);
		r->serving = resolver_lookup(t->res, &l->ep, NULL, &r->rule);
		fix_rule(l, &r->rule);
		r->marks = t->listener_marks[i] | probe_marks(t, &l->ep, NULL);
		if (r->serving < 0)	/* refused, as the file says: no news */
			r->marks = (r->marks & ~MK_PROBED) | MK_UNSERVED;
		else if (r->rule.level != RESOLVE_ADDR_PORT)
			r->marks |= MK_DEFAULT;
		skey = r->serving >= 0 ?
		    config_binding(t->edit, (size_t)r->serving)->key : NULL;
		if (!ep_matches(t, &l->ep, NULL, skey, d->list.filter))
			d->nrows--;
		else
			ep_add_detail(d, t);

		/* One more row per SNI name bound where this listener is. */
		nsni = 0;
		sni_index_find(sx, &l->ep, &snis, &nsni, &cap);
		if (nsni > 1)
			qsort_r(snis, nsni, sizeof *snis, sni_cmp, t->edit);
		for (k = 0; k < nsni; k++) {
			bs = config_binding(t->edit, snis[k]);
			if (k > 0 && strcasecmp(bs->sni, config_binding(t->edit,
			    snis[k - 1])->sni) == 0)
				continue;
			r = ep_add(d, EPR_LISTENER_SNI, i);
			r->sni_from = snis[k];
			r->marks = probe_marks(t, &l->ep, bs->sni) |
			    (t->binding_marks[snis[k]] &
			    (MK_NEW | MK_CHANGED));
			r->serving = resolver_lookup(t->res, &l->ep, bs->sni,
			    &r->rule);
			fix_rule(l, &r->rule);
			if (r->serving < 0)
				r->marks = (r->marks & ~MK_PROBED) |
				    MK_UNSERVED;
			else if (r->rule.level != RESOLVE_ADDR_PORT)
				r->marks |= MK_DEFAULT;
			skey = r->serving >= 0 ? config_binding(t->edit,
			    (size_t)r->serving)->key : NULL;
			if (!ep_matches(t, &l->ep, bs->sni, skey,
			    d->list.filter))
				d->nrows--;
			else
				ep_add_detail(d, t);
		}
	}
	free(snis);

	ep_add(d, EPR_HEADING, 1);
	for (j = 0; j < nb; j++) {
		b = config_binding(t->edit, j);
		if (!ep_matches(t, &b->ep, b->sni, b->key, d->list.filter))
			continue;
		r = ep_add(d, EPR_BINDING, j);
		r->marks = t->binding_marks[j];
		any = endpoint_any_addr(&b->ep) && endpoint_any_port(&b->ep);
		if (any)
			r->marks |= MK_DEFAULT;
		ep_add_detail(d, t);
	}

	/* Find the selection again, else stay near where it was. */
	for (i = 0; i < d->nrows; i++) {
		if (d->rows[i].type == d->sel_type &&
		    d->rows[i].index == d->sel_index &&
		    d->sel_type != EPR_HEADING && d->sel_type != EPR_DETAIL)
			break;
	}
	list_set(&d->list, d->nrows, i < d->nrows ? i : d->list.sel);
}

static void
ep_moved(struct tui_win *w)
{
	struct ep_data	*d = w->data;

	if (d->list.sel < d->nrows) {
		d->sel_type = d->rows[d->list.sel].type;
		d->sel_index = d->rows[d->list.sel].index;
	}
}

int
endpoints_selected(struct tui *t, enum ep_row_type *type, size_t *index)
{
	struct ep_data	*d = ep_data(t);

	if (d == NULL || d->list.sel >= d->nrows ||
	    d->rows[d->list.sel].type == EPR_HEADING ||
	    d->rows[d->list.sel].type == EPR_DETAIL)
		return -1;
	*type = d->rows[d->list.sel].type;
	*index = d->rows[d->list.sel].index;
	return 0;
}

/*
 * The first finding about the selected row (errors come first), for the
 * message line: the markers say what, the finding says what to do.
 * Borrowed from t->found until the next model change.
 */
const struct finding *
endpoints_note(struct tui *t)
{
	const struct finding	*f;
	struct ep_data		*d;
	struct ep_row		*r;
	enum ep_row_type	 type;
	enum finding_kind	 kind;
	size_t			 i, idx;
	int			 probed;

	if (endpoints_selected(t, &type, &idx) != 0)
		return NULL;
	/* What the probe found, asked for last, comes first. */
	if (type != EPR_BINDING && t->nprobe_eps > 0) {
		d = ep_data(t);
		r = &d->rows[d->list.sel];
		if ((f = probe_lookup(t, &config_listener(t->edit, idx)->ep,
		    type == EPR_LISTENER_SNI ? config_binding(t->edit,
		    r->sni_from)->sni : NULL, &probed)) != NULL)
			return f;
	}
	kind = type == EPR_BINDING ? FK_BINDING : FK_LISTENER;
	for (i = 0; i < t->found.n; i++) {
		f = &t->found.v[i];
		if (f->kind == kind && f->index == (ssize_t)idx &&
		    f->severity != SEV_INFO)
			return f;
	}
	for (i = 0; i < t->found.n; i++) {
		f = &t->found.v[i];
		if (f->kind == kind && f->index == (ssize_t)idx)
			return f;
	}
	return NULL;
}

void
endpoints_probe(struct tui *t)
{
	const struct config	*cf = t->orig;
	struct endpoint		 ep;
	char			 buf[ENDPOINT_STRLEN], when[16];
	size_t			 i, n = config_nlisteners(cf), before, k;
	size_t			 nref, nold;
	struct tm		 tm;
	time_t			 now;

	if (n == 0) {
		tui_message(t, 1, "The file has no listeners to probe: add "
		    "one with l, and commit.");
		return;
	}
	findings_clear(&t->probe_found);
	free(t->probe_eps);
	t->probe_eps = xcalloc(n, sizeof *t->probe_eps);
	t->nprobe_eps = 0;
	t->focus = TUI_PANE_ENDPOINTS;
	for (i = 0; i < n; i++) {
		ep = config_listener(cf, i)->ep;
		tui_message(t, 0, "Probing the server: %zu of %zu, %s ... "
		    "(Esc stops)", i + 1, n, endpoint_format(&ep, buf));
		tui_draw(t);
		if (tui_cancelled(t))
			break;
		before = t->probe_found.n;
		probe_run(cf, &ep, 1, TUI_PROBE_TIMEOUT_MS, NULL, NULL,
		    &t->probe_found);
		for (k = before; k < t->probe_found.n; k++) {
			t->probe_found.v[k].kind = FK_LISTENER;
			t->probe_found.v[k].index = (ssize_t)t->nprobe_eps;
		}
		t->probe_eps[t->nprobe_eps++] = ep;
	}
	nref = nold = 0;
	for (k = 0; k < t->probe_found.n; k++) {
		if (strcmp(t->probe_found.v[k].code, F_UNSERVED_LISTENER) == 0)
			nref++;
		else if (strcmp(t->probe_found.v[k].code, F_NOT_RELOADED) == 0)
			nold++;
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	tui_message(t, nref + nold != 0, "Probed %zu of %zu listener%s at "
	    "%s: %zu refused, %zu not reloaded%s%s.", t->nprobe_eps, n,
	    n == 1 ? "" : "s", when, nref, nold,
	    nref + nold == 0 ? ", the rest served as the file says" : "",
	    t->modified ? " (the file as committed, not your changes)" : "");
	ep_rebuild(&t->panes[TUI_PANE_ENDPOINTS]);
}

/* Enter: the details of the key that serves the row. */
static int
act_details(struct tui_win *w, int key)
{
	struct ep_data	*d = w->data;
	struct tui	*t = w->tui;
	struct ep_row	*r;

	if (d->list.sel >= d->nrows)
		return 1;
	r = &d->rows[d->list.sel];
	if (r->type == EPR_BINDING)
		keys_select(t, config_binding(t->edit, r->index)->key);
	else if (r->serving >= 0)
		keys_select(t, config_binding(t->edit,
		    (size_t)r->serving)->key);
	t->focus = TUI_PANE_DETAILS;
	return 1;
}

static const struct tui_action ep_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "details",
	    "details of the key that serves the selected row", act_details, 0 },
};

const struct tui_keymap endpoints_keymap = KEYMAP("In the endpoints pane",
    ep_actions);

static const struct tui_keymap *const ep_maps[] = {
	&list_keymap, &endpoints_keymap, NULL
};

static const int ep_hints[] = {
	'?', 'b', 'e', 'd', 'm', 'l', 'L', 'p', 'r', 'c', 'n', 0
};

static const char *
wildcard_words(const struct endpoint *ep)
{
	int	aa = endpoint_any_addr(ep), ap = endpoint_any_port(ep);

	if (aa && ap)
		return "all unassigned";
	if (aa)
		return "all unassigned addresses";
	if (ap)
		return "all unassigned ports";
	return "";
}

/*
 * The rule in few words, for 80 columns; wider screens get the resolver's
 * own sentence.
 */
static const char *
rule_words(const struct resolve_rule *rule, int wide)
{
	/* The SNI column already names the server name that matched. */
	static const char *const text[4] = {
		"address:port", "all unassigned port", "all unassigned addr",
		"all unassigned"
	};

	if (wide || rule->level < RESOLVE_ADDR_PORT ||
	    rule->level > RESOLVE_DEFAULT || rule->sni < RESOLVE_SNI_EXACT ||
	    rule->sni > RESOLVE_SNI_NONE)
		return resolve_rule_describe(rule);
	return text[rule->level - 1];
}

/*
 * A detail row's text into buf: "-> 127.0.0.1:8080 (listener's)  PROXY
 * v2  alpn h2,http/1.1  freebind  accept-proxy" and the like. The backend is
 * config_backend_for()'s, the one rule; raw config text, escaped when
 * drawn.
 */
static void
detail_text(struct tui *t, const struct ep_row *r, char *buf, size_t len)
{
	const struct config_listener *l = NULL;
	const struct config_binding *b = NULL;
	const struct endpoint *be;
	char		 e1[ENDPOINT_STRLEN], e2[ENDPOINT_STRLEN];
	size_t		 i, o;

	if (r->of == EPR_BINDING)
		b = config_binding(t->edit, r->index);
	else {
		l = config_listener(t->edit, r->index);
		if (r->serving >= 0)
			b = config_binding(t->edit, (size_t)r->serving);
	}
	if (r->of == EPR_BINDING && !b->has_backend && b->client_ca == NULL) {
		/* A binding with nothing but a note. */
		snprintf(buf, len, "note: %s", b->note != NULL ? b->note : "");
		return;
	}
	be = config_backend_for(b, l);
	if (be == NULL) {
		snprintf(buf, len, "-> no backend");
		return;
	}
	endpoint_format(be, e1);
	if (l == NULL || r->of == EPR_LISTENER_SNI)
		o = (size_t)snprintf(buf, len, "-> %s (binding's)", e1);
	else if (be != &l->backend)
		o = (size_t)snprintf(buf, len, "-> %s (binding's; listener's "
		    "%s)", e1, endpoint_format(&l->backend, e2));
	else
		o = (size_t)snprintf(buf, len, "-> %s (listener's)", e1);
	if (r->of == EPR_BINDING && b->client_ca != NULL && o < len)
		o += (size_t)snprintf(buf + o, len - o, "  client cert %s",
		    config_client_auth_name(b->client_auth));
	if (r->of == EPR_BINDING && !b->has_backend)
		/* Only client certificates: the backend is the listener's. */
		o = (size_t)snprintf(buf, len, "client cert %s",
		    config_client_auth_name(b->client_auth));
	if (r->of == EPR_BINDING && b->note != NULL && o < len)
		snprintf(buf + o, len - o, "%snote: %s", o > 0 ? "  " : "",
		    b->note);
	if (r->of != EPR_LISTENER)
		return;
	if (l->proxy_protocol != 0 && o < len)
		o += (size_t)snprintf(buf + o, len - o, "  PROXY v%d",
		    l->proxy_protocol);
	for (i = 0; i < l->nalpn && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s",
		    i == 0 ? "  alpn " : ",", l->alpn[i]);
	if (l->freebind && o < len)
		o += (size_t)snprintf(buf + o, len - o, "  freebind");
	if (l->accept_proxy && o < len)
		o += (size_t)snprintf(buf + o, len - o, "  accept-proxy");
	if (l->note != NULL && o < len)
		o += (size_t)snprintf(buf + o, len - o, "  note: %s", l->note);
}

/* The narrowest SNI column, and the least the last column keeps. */
#define SNI_MIN		16
#define HOW_MIN		24

/*
 * The SNI column: as wide as the longest name bound (DNS names: a byte a
 * column), between least and what the pane has to spare, so that a
 * wider terminal shows whole names instead of 16 characters of each.
 */
static int
sni_width(struct tui *t, int least, int spare)
{
	const struct config_binding	*b;
	size_t				 i;
	int				 longest = least, n;

	for (i = 0; i < config_nbindings(t->edit); i++) {
		b = config_binding(t->edit, i);
		if (b->sni != NULL && (n = (int)strlen(b->sni)) > longest)
			longest = n;
	}
	if (longest > spare)
		longest = spare;
	return longest < least ? least : longest;
}

static void
ep_draw(struct tui_win *w, const struct tui_rect *rr)
{
	struct ep_data		*d = w->data;
	struct tui		*t = w->tui;
	const struct config_listener *l;
	const struct config_binding *b;
	struct ep_row		*r;
	char			 ep[ENDPOINT_STRLEN], title[160];
	char			 detail[512];
	const char		*sni, *key, *how;
	size_t			 row;
	int			 focused = t->focus == TUI_PANE_ENDPOINTS;
	int			 inner, y, x, epw, sniw, keyw, howw, cx, n, wide;
	attr_t			 sel, a;

	wide = rr->w >= 110;
	epw = wide ? 26 : 19;
	keyw = wide ? 16 : 10;
	/* 80 columns keep their layout; from 100, names get room. */
	sniw = rr->w >= 100 ? sni_width(t, wide ? 24 : SNI_MIN, rr->w - 3 -
	    epw - keyw - 3 - HOW_MIN) : SNI_MIN;
	howw = rr->w - 3 - epw - sniw - keyw - 3;
	if (d->list.filter != NULL)
		snprintf(title, sizeof title, " Endpoints /%s ",
		    d->list.filter);
	else
		snprintf(title, sizeof title, " Endpoints: %zu listener%s, "
		    "%zu binding%s ", config_nlisteners(t->edit),
		    config_nlisteners(t->edit) == 1 ? "" : "s",
		    config_nbindings(t->edit),
		    config_nbindings(t->edit) == 1 ? "" : "s");
	/* A proposal's removals have no row left to mark: counted here. */
	if (t->removed_listeners + t->removed_bindings > 0) {
		n = (int)strlen(title);
		snprintf(title + n - 1, sizeof title - (size_t)n + 1,
		    "; the proposal removes %zu listener%s, %zu binding%s ",
		    t->removed_listeners, t->removed_listeners == 1 ? "" : "s",
		    t->removed_bindings, t->removed_bindings == 1 ? "" : "s");
	}
	draw_frame(t, rr, NULL, focused);
	draw_untrusted(t, rr->y, rr->x + 1, rr->w - 3, title,
	    focused ? A_BOLD | A_UNDERLINE : A_NORMAL);
	x = rr->x + 2;
	draw_text(t, rr->y + 1, x, epw, "ENDPOINT", A_BOLD);
	draw_text(t, rr->y + 1, x + epw + 1, sniw, "SNI", A_BOLD);
	draw_text(t, rr->y + 1, x + epw + 1 + sniw + 1, keyw, "KEY", A_BOLD);
	draw_text(t, rr->y + 1, x + epw + sniw + keyw + 3, howw,
	    "SERVED BY / NOTES", A_BOLD);
	inner = rr->h - 3;
	list_scroll(&d->list, inner);
	for (y = 0; y < inner; y++) {
		row = d->list.top + (size_t)y;
		if (row >= d->nrows)
			break;
		r = &d->rows[row];
		sel = row == d->list.sel ? (focused ?
		    draw_attr(t, TC_SELECTED) : A_BOLD) : A_NORMAL;
		/*
		 * Only the first cell shows the selection: a move then rewrites
		 * a few bytes, not two whole lines.
		 */
		if (row == d->list.sel)
			draw_blank(rr->y + 2 + y, rr->x + 1, epw + 1, sel);
		if (r->type == EPR_HEADING) {
			if (r->index == 0)
				snprintf(title, sizeof title, "Listeners "
				    "(who serves a connection without SNI, "
				    "then per SNI name)");
			else
				snprintf(title, sizeof title, "Bindings");
			draw_text(t, rr->y + 2 + y, rr->x + 1, rr->w - 2,
			    title, draw_attr(t, TC_DIM) | A_BOLD);
			continue;
		}
		if (r->type == EPR_DETAIL) {
			detail_text(t, r, detail, sizeof detail);
			/* Under a ditto row, indented past its '"'. */
			n = r->of == EPR_LISTENER_SNI ? 4 : 2;
			draw_untrusted(t, rr->y + 2 + y, x + n, rr->w - 3 - n,
			    detail, draw_attr(t, TC_DIM));
			continue;
		}
		if (row == d->list.sel)
			draw_text(t, rr->y + 2 + y, rr->x + 1, 1, ">", sel);
		how = "";
		if (r->type == EPR_BINDING) {
			b = config_binding(t->edit, r->index);
			endpoint_format(&b->ep, ep);
			sni = b->sni != NULL ? b->sni : "-";
			key = b->key;
			how = wildcard_words(&b->ep);
			if ((r->marks & MK_STALE) && *how == '\0')
				how = "no listener";
		} else {
			l = config_listener(t->edit, r->index);
			endpoint_format(&l->ep, ep);
			if (r->type == EPR_LISTENER_SNI) {
				sni = config_binding(t->edit,
				    r->sni_from)->sni;
			} else
				sni = "-";
			key = r->serving >= 0 ? config_binding(t->edit,
			    (size_t)r->serving)->key : "(none)";
			how = r->serving >= 0 ? rule_words(&r->rule, wide) :
			    "nothing serves it";
		}
		if (r->type == EPR_LISTENER_SNI) {
			draw_text(t, rr->y + 2 + y, x, epw, "  \"", sel);
		} else
			draw_untrusted(t, rr->y + 2 + y, x, epw, ep, sel);
		draw_untrusted(t, rr->y + 2 + y, x + epw + 1, sniw, sni,
		    A_NORMAL);
		a = r->serving < 0 && r->type != EPR_BINDING ?
		    draw_attr(t, TC_ERROR) : A_NORMAL;
		draw_untrusted(t, rr->y + 2 + y, x + epw + 1 + sniw + 1, keyw,
		    key, a);
		cx = x + epw + sniw + keyw + 3;
		n = draw_markers(t, rr->y + 2 + y, cx, howw, r->marks);
		if (n > 0 && n < howw) {
			n++;
		}
		a = (r->marks & MK_DEFAULT) ? draw_attr(t, TC_DEFAULT) :
		    A_NORMAL;
		draw_text(t, rr->y + 2 + y, cx + n, howw - n, how, a);
	}
}

const struct tui_mode tui_mode_endpoints = {
	"endpoints", ep_init, ep_free, NULL, ep_draw, ep_rebuild, NULL,
	ep_maps, ep_hints, ep_list
};
