/*
 * The dialogs that change bindings and listeners: bind (b), edit (e),
 * unbind (d), move (m), add listener (l) and remove listener (L).
 *
 * A dialog is a form of fields. After every keystroke each field is
 * validated (endpoint_parse, resolve_sni_valid, the key's existence), and
 * when all are valid the change is applied to a copy of the edited config
 * so the dialog can show its effect before the user accepts: which key
 * will now serve which listener (resolver_lookup on both), and the
 * findings the change would add. Enter applies the same change to the
 * edited config; nothing reaches the file before commit.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "tui/form.h"
#include "tui/tui-int.h"

#define ALL_UNASSIGNED	"All unassigned"
#define MAXFIELDS	6
#define MAXEFFECT	200
#define DIALOG_CHECK_MAX 5000	/* bindings */

enum dialog_kind {
	DLG_BIND,
	DLG_EDIT,
	DLG_MOVE,
	DLG_LISTEN
};

enum field_kind {
	FLD_KEY,
	FLD_ADDRESS,
	FLD_PORT,
	FLD_PORT_CONCRETE,
	FLD_SNI,
	FLD_ENDPOINT,
	FLD_BACKEND
};

struct dialog {
	enum dialog_kind kind;
	char		*title;
	char		*note;		/* a suggestion, shown above fields */
	struct form	 form;
	size_t		 binding;	/* edit: the binding's index */
	unsigned	 gen;		/* the model generation it was made on */
	struct errlist	 effect;
	struct errlist	 added;		/* findings the change adds */
	char		*problem;	/* why the change cannot be made */
	int		 valid;
	/* The endpoints the change touches: only listeners they cover
	 * can change hands, so only those are asked about. */
	struct endpoint	 touched[2];
	size_t		 ntouched;
	int		 dirty;		/* typed into since the last update */
};

static struct form_field *
field_add(struct dialog *d, const char *label, enum field_kind kind)
{
	struct form_field	*f = form_add(&d->form, label, NULL);

	f->kind = kind;
	return f;
}

/* This host's addresses, as offered in address fields. */
static void
host_addresses(struct form_field *f)
{
	struct ifaddrs	*ifa, *i;
	char		 buf[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN + 2];
	void		*a;

	form_option(f, ALL_UNASSIGNED);
	if (getifaddrs(&ifa) != 0)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			if (inet_ntop(AF_INET, a, buf, sizeof buf) != NULL)
				form_option(f, buf);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			/* Link-local needs a scope, which endpoints lack. */
			if (IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)a))
				continue;
			if (inet_ntop(AF_INET6, a, buf, sizeof buf) != NULL) {
				snprintf(b2, sizeof b2, "[%s]", buf);
				form_option(f, b2);
			}
		}
	}
	freeifaddrs(ifa);
}

/* Splits an endpoint's text into the address and port fields. */
static void
split_endpoint(const struct endpoint *ep, struct form_field *addr,
    struct form_field *port)
{
	char	 buf[ENDPOINT_STRLEN], *colon;

	endpoint_format(ep, buf);
	if ((colon = strrchr(buf, ':')) == NULL)
		return;
	*colon = '\0';
	form_set(addr, strcmp(buf, "*") == 0 ? ALL_UNASSIGNED : buf);
	if (port != NULL)
		form_set(port, strcmp(colon + 1, "*") == 0 ? ALL_UNASSIGNED :
		    colon + 1);
}

/* The endpoint text an address and a port field make together. */
static char *
join_endpoint(const struct form_field *addr, const struct form_field *port)
{
	const char	*a = addr->buf, *p = port->buf;

	if (strcasecmp(a, ALL_UNASSIGNED) == 0 || *a == '\0')
		a = "*";
	if (strcasecmp(p, ALL_UNASSIGNED) == 0)
		p = "*";
	if (strchr(a, ':') != NULL && a[0] != '[')
		return xasprintf("[%s]:%s", a, p);
	return xasprintf("%s:%s", a, p);
}

static void
dialog_free_data(struct dialog *d)
{
	form_clear(&d->form);
	errlist_clear(&d->effect);
	errlist_clear(&d->added);
	free(d->problem);
	free(d->title);
	free(d->note);
	free(d);
}

/*
 * Validates every field and, when all are valid, makes the change on c.
 * Returns 0 when the change was made.
 */
static int
dialog_apply(struct tui *t, struct dialog *d, struct config *c, char **cause)
{
	struct form_field	*fa = NULL, *fp = NULL, *f;
	struct endpoint	 ep, from, backend;
	struct errlist	 changes = ERRLIST_INIT;
	const char	*sni = NULL, *key = NULL;
	char		*text, *why;
	int		 i, ok = 1, have_ep = 0, have_from = 0;
	int		 have_backend = 0;

	*cause = NULL;
	for (i = 0; i < d->form.n; i++) {
		f = &d->form.f[i];
		free(f->error);
		f->error = NULL;
		switch (f->kind) {
		case FLD_KEY:
			if (config_key_find(t->edit, f->buf) == NULL)
				f->error = xstrdup("no such key (Left/Right "
				    "offers the keys)");
			key = f->buf;
			break;
		case FLD_ADDRESS:
			fa = f;
			break;
		case FLD_PORT:
		case FLD_PORT_CONCRETE:
			fp = f;
			break;
		case FLD_SNI:
			if (f->len == 0)
				break;
			if (!resolve_sni_valid(f->buf, 1))
				f->error = xstrdup("not a server name (letters, "
				    "digits, '-', dots; '*.' first for a "
				    "wildcard)");
			else
				sni = f->buf;
			break;
		case FLD_ENDPOINT:
			if (endpoint_parse(f->buf, &from, &why) != 0) {
				f->error = why;
			} else
				have_from = 1;
			break;
		case FLD_BACKEND:
			if (endpoint_parse(f->buf, &backend, &why) != 0)
				f->error = why;
			else if (!endpoint_is_concrete(&backend))
				f->error = xstrdup("a backend needs an address "
				    "and a port, no '*'");
			else
				have_backend = 1;
			break;
		}
	}
	if (fa != NULL && fp != NULL) {
		text = join_endpoint(fa, fp);
		if (endpoint_parse(text, &ep, &why) != 0) {
			/* Say which of the two fields is wrong. */
			if (fp->kind == FLD_PORT_CONCRETE &&
			    strcasecmp(fp->buf, ALL_UNASSIGNED) == 0)
				fp->error = xstrdup("a listener needs a port");
			else if (strspn(fp->buf, "0123456789") == fp->len &&
			    fp->len > 0 && fp->len < 6 && atoi(fp->buf) >= 1 &&
			    atoi(fp->buf) <= 65535)
				fa->error = why, why = NULL;
			else if (strcasecmp(fp->buf, ALL_UNASSIGNED) == 0 ||
			    strcmp(fp->buf, "*") == 0)
				fa->error = why, why = NULL;
			else
				fp->error = xstrdup("a port is 1-65535, or All "
				    "unassigned (*)");
			free(why);
		} else if (fp->kind == FLD_PORT_CONCRETE &&
		    endpoint_any_port(&ep))
			fp->error = xstrdup("a listener needs a port");
		else
			have_ep = 1;
		free(text);
	}
	for (i = 0; i < d->form.n; i++) {
		if (d->form.f[i].error != NULL)
			ok = 0;
	}
	if (!ok)
		return -1;

	d->ntouched = 0;
	if (have_ep)
		d->touched[d->ntouched++] = ep;
	switch (d->kind) {
	case DLG_BIND:
		if (!have_ep || key == NULL)
			return -1;
		return config_bind(c, key, &ep, sni, cause);
	case DLG_EDIT:
		if (!have_ep || d->binding >= config_nbindings(c))
			return -1;
		d->touched[d->ntouched++] = config_binding(c, d->binding)->ep;
		return config_binding_edit(c, d->binding, &ep, sni, cause);
	case DLG_MOVE:
		if (!have_ep || !have_from)
			return -1;
		d->touched[d->ntouched++] = from;
		if (config_move(c, &from, &ep, &changes, cause) < 0) {
			errlist_clear(&changes);
			return -1;
		}
		errlist_clear(&changes);
		return 0;
	case DLG_LISTEN:
		if (!have_ep || !have_backend)
			return -1;
		return config_listen(c, &ep, &backend, cause);
	}
	return -1;
}

/* Recomputes validity and the effect after a keystroke. */
static void
dialog_update(struct tui *t, struct dialog *d)
{
	struct findings		 after = FINDINGS_INIT, added = FINDINGS_INIT;
	const struct finding	*f;
	struct check_opts	 o = t->copts;
	struct config		*c;
	char			*cause = NULL;
	size_t			 i;

	errlist_clear(&d->effect);
	errlist_clear(&d->added);
	free(d->problem);
	d->problem = NULL;
	d->valid = 0;
	c = config_dup(t->edit);
	if (dialog_apply(t, d, c, &cause) != 0) {
		d->problem = cause;
		config_free(c);
		return;
	}
	d->valid = 1;
	tui_effect_near(t, t->edit, c, d->touched, d->ntouched, &d->effect);
	/*
	 * The checks run on every keystroke here, so a large file skips them;
	 * the review (r) still shows the findings before a commit.
	 */
	if (config_nbindings(c) > DIALOG_CHECK_MAX) {
		errlist_add(&d->added, "info: findings are not previewed while "
		    "typing in a file this large; r shows them");
		config_free(c);
		return;
	}
	/* Files do not change here; only the structural checks matter. */
	o.files = 0;
	check_config(c, &o, &after);
	findings_diff(&t->found, &after, &added, NULL);
	for (i = 0; i < added.n; i++) {
		f = &added.v[i];
		if (f->severity == SEV_INFO)
			continue;
		errlist_add(&d->added, "%s %s %s: %s",
		    severity_name(f->severity), f->code,
		    f->object != NULL ? f->object : "-", f->message);
	}
	findings_clear(&added);
	findings_clear(&after);
	config_free(c);
}

static void
dialog_init(struct tui_win *w, void *arg)
{
	w->data = arg;
	dialog_update(w->tui, arg);
}

static void
dialog_free(struct tui_win *w)
{
	dialog_free_data(w->data);
}

static void
dialog_accept(struct tui *t, struct dialog *d)
{
	char	*cause = NULL;

	if (d->gen != t->gen || d->dirty) {
		d->gen = t->gen;
		d->dirty = 0;
		dialog_update(t, d);
	}
	if (!d->valid) {
		tui_message(t, 1, "%s", d->problem != NULL ? d->problem :
		    "A field is not valid: see the message under it.");
		return;
	}
	if (dialog_apply(t, d, t->edit, &cause) != 0) {
		tui_message(t, 1, "%s", cause != NULL ? cause :
		    "The change cannot be made.");
		free(cause);
		return;
	}
	tui_pop(t);
	tui_changed(t);
	tui_message(t, 0, "Changed in memory only: r reviews, c commits.");
}

static int
act_accept(struct tui_win *w, int key)
{
	dialog_accept(w->tui, w->data);
	return 1;
}

static int
act_cancel(struct tui_win *w, int key)
{
	tui_pop(w->tui);
	tui_message(w->tui, 0, "Cancelled.");
	return 1;
}

static const struct tui_action dialog_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "accept", NULL, act_accept, 0 },
	{ { TUI_ESC }, "cancel", NULL, act_cancel, 0 },
};

static const struct tui_keymap dialog_keymap = KEYMAP("In dialogs",
    dialog_actions);

/* Enter and Esc are the dialog's; the form's table is for the help. */
static const struct tui_keymap *const dialog_maps[] = {
	&dialog_keymap, &form_keymap, NULL
};

static const int dialog_hints[] = {
	'\t', KEY_LEFT, KEY_RIGHT, '\n', TUI_ESC, 0
};

static int
dialog_key(struct tui_win *w, int key)
{
	struct dialog		*d = w->data;
	struct form_field	*f = form_current(&d->form);

	if (action_run(dialog_maps, w, key))
		return 1;
	/* A letter typed over "All unassigned" starts a new value. */
	if (key >= 0x20 && key < 0x7f && strcmp(f->buf, ALL_UNASSIGNED) == 0)
		form_set(f, "");
	if (form_key(&d->form, w->tui, key))
		/* Validated when next drawn: keys typed together cost one. */
		d->dirty = 1;
	return 1;
}

static void
dialog_draw(struct tui_win *w, const struct tui_rect *screen)
{
	struct dialog	*d = w->data;
	struct tui	*t = w->tui;
	struct tui_rect	 r;
	struct form_field	*f;
	char		 hint[64], *esc;
	size_t		 i;
	int		 y, lw = 10, fx, fw;

	if (d->gen != t->gen || d->dirty) {
		/* Typed into, or the model changed under it: redo. */
		d->gen = t->gen;
		d->dirty = 0;
		dialog_update(t, d);
	}
	r = draw_centre(LINES - 4, 78);
	draw_box_clear(t, &r);
	draw_frame(t, &r, NULL, 1);
	esc = xasprintf(" %s ", d->title);
	draw_untrusted(t, r.y, r.x + 1, r.w - 3, esc, A_BOLD);
	free(esc);
	y = r.y + 1;
	if (d->note != NULL) {
		draw_untrusted(t, y++, r.x + 2, r.w - 4, d->note,
		    draw_attr(t, TC_WARNING));
	}
	fx = r.x + 2 + lw + 1;
	fw = 34;
	for (i = 0; i < (size_t)d->form.n; i++) {
		f = &d->form.f[i];
		y++;
		draw_text(t, y, r.x + 2, lw, f->label, (int)i == d->form.cur ?
		    A_BOLD : A_NORMAL);
		form_draw_value(t, f, y, fx, fw, (int)i == d->form.cur);
		if (f->noptions > 0) {
			snprintf(hint, sizeof hint, "<- -> %zu choice%s",
			    f->noptions, f->noptions == 1 ? "" : "s");
			draw_text(t, y, fx + fw + 1, r.x + r.w - 2 - fx - fw - 1,
			    hint, A_DIM);
		} else if (f->kind == FLD_SNI)
			draw_text(t, y, fx + fw + 1, r.x + r.w - 2 - fx - fw - 1,
			    "(optional)", A_DIM);
		if (f->error != NULL) {
			y++;
			esc = escape_str(f->error, t->escflags);
			draw_text(t, y, fx, r.x + r.w - 2 - fx, esc,
			    draw_attr(t, TC_ERROR));
			free(esc);
		}
	}
	y += 2;
	if (d->valid) {
		draw_text(t, y++, r.x + 2, r.w - 4, d->effect.n == 0 ?
		    "Effect: no listener changes hands." :
		    "Effect (who will serve what):", A_BOLD);
		for (i = 0; i < d->effect.n && y < r.y + r.h - 3; i++) {
			char	**wl, *e = escape_str(d->effect.v[i],
			    t->escflags);
			size_t	  nwl, k;

			/* Long lines wrap: the end says who serves. */
			wl = draw_wrap(t, e, r.w - 8, &nwl);
			for (k = 0; k < nwl && y < r.y + r.h - 3; k++)
				draw_text(t, y++, r.x + (k == 0 ? 4 : 6),
				    r.w - 8, wl[k], A_NORMAL);
			draw_wrap_free(wl, nwl);
			free(e);
		}
		if (d->added.n > 0 && y < r.y + r.h - 3)
			draw_text(t, y++, r.x + 2, r.w - 4,
			    "New findings:", A_BOLD);
		for (i = 0; i < d->added.n && y < r.y + r.h - 2; i++)
			draw_untrusted(t, y++, r.x + 4, r.w - 6, d->added.v[i],
			    draw_attr(t, strncmp(d->added.v[i], "error", 5) == 0 ?
			    TC_ERROR : TC_WARNING));
	} else if (d->problem != NULL)
		draw_untrusted(t, y++, r.x + 2, r.w - 4, d->problem,
		    draw_attr(t, TC_ERROR));
	draw_text(t, r.y + r.h - 2, r.x + 2, r.w - 4, d->valid ?
	    "Enter: accept  Esc: cancel  Tab: next field" :
	    "Esc: cancel  Tab: next field (fix the fields to accept)", A_DIM);
}

static const struct tui_mode tui_mode_dialog = {
	"dialog", dialog_init, dialog_free, dialog_key, dialog_draw, NULL,
	NULL, dialog_maps, dialog_hints, NULL
};

/* Opens the dialog; with the overlay stack full, it is dropped. */
static void
push_dialog(struct tui *t, struct dialog *d)
{
	if (tui_push(t, &tui_mode_dialog, d) == NULL)
		dialog_free_data(d);
}

static struct dialog *
dialog_new(struct tui *t, enum dialog_kind kind, const char *fmt, ...)
{
	struct dialog	*d = xcalloc(1, sizeof *d);
	va_list		 ap;

	d->kind = kind;
	d->gen = t->gen;
	va_start(ap, fmt);
	d->title = xvasprintf(fmt, ap);
	va_end(ap);
	return d;
}

static int
refuse_readonly(struct tui *t)
{
	if (!t->readonly)
		return 0;
	tui_message(t, 1, "Read-only session: %s", t->holder != NULL ?
	    t->holder : "the config is locked");
	return 1;
}

void
dialog_bind(struct tui *t)
{
	struct dialog	*d;
	struct form_field	*f;
	const char	*sel = tui_selected_key(t);
	enum ep_row_type type;
	size_t		 i, idx;

	if (refuse_readonly(t))
		return;
	if (config_nkeys(t->edit) == 0) {
		tui_message(t, 1, "No key to bind: w starts the walkthrough.");
		return;
	}
	d = dialog_new(t, DLG_BIND, "Bind a key to an endpoint");
	f = field_add(d, "Key", FLD_KEY);
	for (i = 0; i < config_nkeys(t->edit) && i < 1000; i++)
		form_option(f, config_key(t->edit, i)->name);
	form_set(f, sel != NULL ? sel : config_key(t->edit, 0)->name);
	f = field_add(d, "Address", FLD_ADDRESS);
	host_addresses(f);
	form_set(f, ALL_UNASSIGNED);
	f = field_add(d, "Port", FLD_PORT);
	form_option(f, ALL_UNASSIGNED);
	form_option(f, "443");
	form_set(f, "443");
	field_add(d, "SNI", FLD_SNI);
	/* From a listener row, offer that listener's endpoint. */
	if (endpoints_selected(t, &type, &idx) == 0 &&
	    t->focus == TUI_PANE_ENDPOINTS && type != EPR_BINDING) {
		const struct config_listener *l = config_listener(t->edit, idx);

		split_endpoint(&l->ep, &d->form.f[1], &d->form.f[2]);
	}
	d->form.cur = 1;
	push_dialog(t, d);
}

void
dialog_edit(struct tui *t)
{
	const struct config_binding *b;
	struct dialog	*d;
	struct form_field	*f, *fa;
	enum ep_row_type type;
	size_t		 idx;
	char		 ep[ENDPOINT_STRLEN];

	if (refuse_readonly(t))
		return;
	if (endpoints_selected(t, &type, &idx) != 0 || type != EPR_BINDING) {
		tui_message(t, 1, "Select a binding in the endpoints pane "
		    "(Tab) to edit it.");
		return;
	}
	b = config_binding(t->edit, idx);
	endpoint_format(&b->ep, ep);
	d = dialog_new(t, DLG_EDIT, "Edit the binding of %s on %s%s%s",
	    b->key, ep, b->sni != NULL ? " sni=" : "",
	    b->sni != NULL ? b->sni : "");
	d->binding = idx;
	fa = field_add(d, "Address", FLD_ADDRESS);
	host_addresses(fa);
	f = field_add(d, "Port", FLD_PORT);
	form_option(f, ALL_UNASSIGNED);
	split_endpoint(&b->ep, fa, f);
	f = field_add(d, "SNI", FLD_SNI);
	form_set(f, b->sni);
	push_dialog(t, d);
}

static void
unbind_answer(struct tui *t, void *arg, int yes)
{
	size_t		 idx = (size_t)(uintptr_t)arg;
	const struct config_binding *b;
	struct endpoint	 ep;
	char		*key, *sni, *cause = NULL;

	if (!yes || idx >= config_nbindings(t->edit))
		return;
	b = config_binding(t->edit, idx);
	key = xstrdup(b->key);
	sni = b->sni != NULL ? xstrdup(b->sni) : NULL;
	ep = b->ep;
	if (config_unbind(t->edit, key, &ep, sni, &cause) != 0) {
		tui_message(t, 1, "%s", cause);
		free(cause);
	} else {
		tui_changed(t);
		tui_message(t, 0, "Unbound in memory only: r reviews, c "
		    "commits.");
	}
	free(key);
	free(sni);
}

void
dialog_unbind(struct tui *t)
{
	const struct config_binding *b;
	struct config	*c;
	struct errlist	 eff = ERRLIST_INIT;
	enum ep_row_type type;
	size_t		 idx, i;
	char		 ep[ENDPOINT_STRLEN], *q, *p, *e, *cause = NULL;

	if (refuse_readonly(t))
		return;
	if (endpoints_selected(t, &type, &idx) != 0 || type != EPR_BINDING) {
		tui_message(t, 1, "Select a binding in the endpoints pane "
		    "(Tab) to unbind it.");
		return;
	}
	b = config_binding(t->edit, idx);
	endpoint_format(&b->ep, ep);
	/* Escaped piece by piece: the newlines between them are ours. */
	p = xasprintf("Unbind %s from %s%s%s?", b->key, ep,
	    b->sni != NULL ? " sni=" : "", b->sni != NULL ? b->sni : "");
	q = escape_str(p, t->escflags);
	free(p);
	c = config_dup(t->edit);
	if (config_unbind(c, b->key, &b->ep, b->sni, &cause) == 0) {
		tui_effect(t, t->edit, c, &eff);
		for (i = 0; i < eff.n && i < 4; i++) {
			e = escape_str(eff.v[i], t->escflags);
			p = xasprintf("%s\n  %s", q, e);
			free(e);
			free(q);
			q = p;
		}
	}
	free(cause);
	config_free(c);
	errlist_clear(&eff);
	p = xasprintf("%s\n(y/n)", q);
	free(q);
	q = p;
	tui_confirm(t, q, unbind_answer, (void *)(uintptr_t)idx);
	free(q);
}

void
dialog_move(struct tui *t)
{
	const struct finding	*f, *best = NULL;
	const struct config_binding *b;
	const struct config_listener *l;
	struct dialog		*d;
	struct form_field		*from, *fa, *fp;
	struct endpoint		 to;
	enum ep_row_type	 type;
	size_t			 idx, i;
	int			 have_sel;
	char			 ep[ENDPOINT_STRLEN];

	if (refuse_readonly(t))
		return;
	have_sel = endpoints_selected(t, &type, &idx) == 0;
	/* A probable move on the selected row first, else any. */
	for (i = 0; i < t->found.n; i++) {
		f = &t->found.v[i];
		if (strcmp(f->code, F_PROBABLE_MOVE) != 0 ||
		    f->move_from == NULL || f->move_to == NULL)
			continue;
		if (best == NULL)
			best = f;
		if (have_sel && ((f->kind == FK_BINDING && type == EPR_BINDING) ||
		    (f->kind == FK_LISTENER && type != EPR_BINDING)) &&
		    f->index == (ssize_t)idx) {
			best = f;
			break;
		}
	}
	d = dialog_new(t, DLG_MOVE, "Move an endpoint with its listener and "
	    "bindings");
	from = field_add(d, "From", FLD_ENDPOINT);
	for (i = 0; i < config_nlisteners(t->edit) && i < 500; i++) {
		endpoint_format(&config_listener(t->edit, i)->ep, ep);
		form_option(from, ep);
	}
	for (i = 0; i < config_nbindings(t->edit) && i < 500; i++) {
		endpoint_format(&config_binding(t->edit, i)->ep, ep);
		form_option(from, ep);
	}
	fa = field_add(d, "To address", FLD_ADDRESS);
	host_addresses(fa);
	fp = field_add(d, "To port", FLD_PORT);
	form_option(fp, ALL_UNASSIGNED);
	if (best != NULL) {
		d->note = xasprintf("Probable move found: %s -> %s (enter "
		    "accepts it)", best->move_from, best->move_to);
		form_set(from, best->move_from);
		if (endpoint_parse(best->move_to, &to, NULL) == 0)
			split_endpoint(&to, fa, fp);
		d->form.cur = 0;
	} else {
		if (have_sel && type == EPR_BINDING) {
			b = config_binding(t->edit, idx);
			endpoint_format(&b->ep, ep);
			form_set(from, ep);
			split_endpoint(&b->ep, fa, fp);
		} else if (have_sel) {
			l = config_listener(t->edit, idx);
			endpoint_format(&l->ep, ep);
			form_set(from, ep);
			split_endpoint(&l->ep, fa, fp);
		}
		d->form.cur = 1;
	}
	push_dialog(t, d);
}

void
dialog_listen(struct tui *t)
{
	struct dialog	*d;
	struct form_field	*f;

	if (refuse_readonly(t))
		return;
	d = dialog_new(t, DLG_LISTEN, "Add a listener");
	f = field_add(d, "Address", FLD_ADDRESS);
	host_addresses(f);
	form_set(f, ALL_UNASSIGNED);
	f = field_add(d, "Port", FLD_PORT_CONCRETE);
	form_set(f, "443");
	f = field_add(d, "Backend", FLD_BACKEND);
	form_set(f, "127.0.0.1:8080");
	push_dialog(t, d);
}

static void
unlisten_answer(struct tui *t, void *arg, int yes)
{
	size_t		 idx = (size_t)(uintptr_t)arg;
	struct endpoint	 ep;
	char		*cause = NULL;

	if (!yes || idx >= config_nlisteners(t->edit))
		return;
	ep = config_listener(t->edit, idx)->ep;
	if (config_unlisten(t->edit, &ep, &cause) != 0) {
		tui_message(t, 1, "%s", cause);
		free(cause);
		return;
	}
	tui_changed(t);
	tui_message(t, 0, "Listener removed in memory only: r reviews, c "
	    "commits.");
}

void
dialog_unlisten(struct tui *t)
{
	enum ep_row_type type;
	size_t		 idx;
	char		 ep[ENDPOINT_STRLEN], *q;

	if (refuse_readonly(t))
		return;
	if (endpoints_selected(t, &type, &idx) != 0 || type == EPR_BINDING) {
		tui_message(t, 1, "Select a listener in the endpoints pane "
		    "(Tab) to remove it.");
		return;
	}
	endpoint_format(&config_listener(t->edit, idx)->ep, ep);
	q = xasprintf("Remove the listener on %s? Its bindings stay. (y/n)",
	    ep);
	tui_confirm(t, q, unlisten_answer, (void *)(uintptr_t)idx);
	free(q);
}

/* The name of the key serving local with sni in c, or "(none)". */
static const char *
serving(const struct config *c, const struct resolver *r,
    const struct endpoint *local, const char *sni, struct resolve_rule *rule)
{
	ssize_t	i;

	i = resolver_lookup(r, local, sni, rule);
	if (i < 0)
		return NULL;
	return config_binding(c, (size_t)i)->key;
}

static void
effect_one(struct errlist *out, const char *what, const struct config *a,
    const struct resolver *ra, const struct config *b,
    const struct resolver *rb, const struct endpoint *ep, const char *sni)
{
	struct resolve_rule	 rla, rlb;
	const char		*ka, *kb;

	ka = serving(a, ra, ep, sni, &rla);
	kb = serving(b, rb, ep, sni, &rlb);
	/* A new listener nothing serves is news too. */
	if (ka == NULL && kb == NULL && (sni != NULL ||
	    strstr(what, "(new listener)") == NULL))
		return;
	if (ka != NULL && kb != NULL && strcmp(ka, kb) == 0 &&
	    rla.level == rlb.level && rla.sni == rlb.sni)
		return;
	if (out->n >= MAXEFFECT)
		return;
	errlist_add(out, "%s%s%s: %s%s%s%s -> %s%s%s%s", what,
	    sni != NULL ? " sni=" : "", sni != NULL ? sni : "",
	    ka != NULL ? ka : "nothing",
	    ka != NULL ? " (" : "", ka != NULL ? resolve_rule_describe(&rla) :
	    "", ka != NULL ? ")" : "",
	    kb != NULL ? kb : "nothing",
	    kb != NULL ? " (" : " [UNSERVED]",
	    kb != NULL ? resolve_rule_describe(&rlb) : "",
	    kb != NULL ? ")" : "");
}

static int
name_cmp(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

size_t
tui_effect(struct tui *t, const struct config *before,
    const struct config *after, struct errlist *out)
{
	return tui_effect_near(t, before, after, NULL, 0, out);
}

/* Whether a change at one of the touched endpoints can reach ep. */
static int
is_near(const struct endpoint *ep, const struct endpoint *touched,
    size_t ntouched)
{
	size_t	i;

	if (ntouched == 0)
		return 1;
	for (i = 0; i < ntouched; i++) {
		if (endpoint_overlaps(&touched[i], ep) ||
		    endpoint_overlaps(ep, &touched[i]))
			return 1;
	}
	return 0;
}

size_t
tui_effect_near(struct tui *t, const struct config *before,
    const struct config *after, const struct endpoint *touched,
    size_t ntouched, struct errlist *out)
{
	const struct config	*cs[2] = { before, after };
	const struct config_listener *l;
	struct sni_index	*sx[2];
	struct resolver		*ra, *rb;
	char			 ep[ENDPOINT_STRLEN], *what;
	const char		**names = NULL;
	size_t			 start = out->n, i, j, c, k, *idx = NULL;
	size_t			 nidx, cap = 0, nnames;
	int			 cached;

	/* The edited config's resolver and index are kept by the model. */
	cached = before == t->edit && t->res != NULL && t->sx != NULL;
	ra = cached ? t->res : resolver_new(before);
	sx[0] = cached ? t->sx : sni_index_new(before);
	rb = resolver_new(after);
	sx[1] = sni_index_new(after);
	for (c = 0; c < 2; c++) {
		for (i = 0; i < config_nlisteners(cs[c]); i++) {
			l = config_listener(cs[c], i);
			/* A listener in both is reported once, from after. */
			if (c == 0 && config_listener_find(after, &l->ep) >= 0)
				continue;
			if (!is_near(&l->ep, touched, ntouched))
				continue;
			endpoint_format(&l->ep, ep);
			if (c == 0)
				what = xasprintf("%s (listener removed)", ep);
			else if (config_listener_find(before, &l->ep) < 0)
				what = xasprintf("%s (new listener)", ep);
			else
				what = xstrdup(ep);
			effect_one(out, what, before, ra, after, rb, &l->ep,
			    NULL);
			/* Every SNI name bound where the listener is, once. */
			nnames = 0;
			for (k = 0; k < 2; k++) {
				nidx = 0;
				sni_index_find(sx[k], &l->ep, &idx, &nidx, &cap);
				names = xreallocarray(names, nnames + nidx + 1,
				    sizeof *names);
				for (j = 0; j < nidx; j++)
					names[nnames++] =
					    config_binding(cs[k], idx[j])->sni;
			}
			qsort(names, nnames, sizeof *names, name_cmp);
			for (j = 0; j < nnames; j++) {
				if (j > 0 && strcasecmp(names[j - 1],
				    names[j]) == 0)
					continue;
				effect_one(out, what, before, ra, after, rb,
				    &l->ep, names[j]);
			}
			free(what);
		}
	}
	free(names);
	free(idx);
	if (!cached) {
		sni_index_free(sx[0]);
		resolver_free(ra);
	}
	sni_index_free(sx[1]);
	resolver_free(rb);
	return out->n - start;
}
