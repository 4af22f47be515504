/*
 * The dialog mode: the overlay of the dialogs that change bindings and
 * listeners, bind (b), edit (e), move (m) and add listener (l), which
 * dialog-open.c opens with their fields.
 *
 * A dialog is a form of fields. After every keystroke each field is
 * validated (endpoint_parse, dnsname_check, the key's existence), and
 * when all are valid the change is applied to a copy of the edited config
 * so the dialog can show its effect before the user accepts: which key
 * will now serve which listener (resolver_lookup on both) and the backend
 * those connections reach (config_backend_for), and the findings the
 * change would add. Enter applies the same change to the
 * edited config; nothing reaches the file before commit.
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dnsname.h"
#include "util/escape.h"
#include "util/xmalloc.h"
#include "tui/tui-int.h"
#include "tui/dialog.h"

struct form_field *
dialog_field(struct dialog *d, const char *label, enum field_kind kind)
{
	struct form_field	*f = form_add(&d->form, label, NULL);

	f->kind = kind;
	return f;
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
 * Binding i's own backend becomes own (none when !have): its client
 * certificate settings stay. config_binding_set() is the one way.
 */
static int
set_own_backend(struct config *c, size_t i, int have,
    const struct endpoint *own, char **cause)
{
	const struct config_binding	*b = config_binding(c, i);
	struct config_binding		 opts;

	if (b->has_backend == have && (!have ||
	    endpoint_cmp(&b->backend, own) == 0))
		return 0;
	memset(&opts, 0, sizeof opts);
	opts.has_backend = have;
	if (have)
		opts.backend = *own;
	opts.client_ca = b->client_ca;
	opts.client_auth = b->client_auth;
	return config_binding_set(c, i, &opts, cause);
}

/*
 * Validates every field and, when all are valid, makes the change on c.
 * Returns 0 when the change was made.
 */
static int
dialog_apply(struct tui *t, struct dialog *d, struct config *c, char **cause)
{
	struct form_field	*fa = NULL, *fp = NULL, *f;
	struct endpoint	 ep, from, backend, own;
	struct errlist	 changes = ERRLIST_INIT;
	const char	*sni = NULL, *key = NULL;
	char		*text, *why;
	int		 i, ok = 1, have_ep = 0, have_from = 0;
	int		 have_backend = 0, have_own = 0;

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
			/* The one rule: core/dnsname.c says what is wrong. */
			if (dnsname_check(f->buf, DNSNAME_WILDCARD,
			    &why) != 0) {
				f->error = xasprintf("not a server name: %s",
				    why);
				free(why);
				why = NULL;
				break;
			}
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
		case FLD_OWN_BACKEND:
			if (f->len == 0)
				break;
			if (endpoint_parse(f->buf, &own, &why) != 0)
				f->error = why;
			else if (!endpoint_is_concrete(&own))
				f->error = xstrdup("a backend needs an address "
				    "and a port, no '*' (empty: the "
				    "listener's)");
			else
				have_own = 1;
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
		if (config_bind(c, key, &ep, sni, cause) != 0)
			return -1;
		/* config_bind() appends: the new binding is the last. */
		return set_own_backend(c, config_nbindings(c) - 1, have_own,
		    &own, cause);
	case DLG_EDIT:
		if (!have_ep || d->binding >= config_nbindings(c))
			return -1;
		d->touched[d->ntouched++] = config_binding(c, d->binding)->ep;
		if (config_binding_edit(c, d->binding, &ep, sni, cause) != 0)
			return -1;
		return set_own_backend(c, d->binding, have_own, &own, cause);
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
	struct tui	*t = w->tui;

	tui_pop(t);		/* frees w */
	tui_message(t, 0, "Cancelled.");
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
/* Inside the box: Enter first, as it is left out while it cannot work. */
static const int dialog_box_hints[] = { '\n', TUI_ESC, '\t', 0 };

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

/*
 * Untrusted text wrapped at w cells from x, the lines after the first
 * indented by two, while y stays above ymax; the next free line.
 */
static int
draw_wrapped(struct tui *t, int y, int x, int w, int ymax, const char *s,
    attr_t attr)
{
	char	**wl, *e = escape_str(s, t->escflags);
	size_t	  nwl, k;

	wl = draw_wrap(t, e, w - 2, &nwl);
	for (k = 0; k < nwl && y < ymax; k++)
		draw_text(t, y++, x + (k == 0 ? 0 : 2), w - (k == 0 ? 0 : 2),
		    wl[k], attr);
	draw_wrap_free(wl, nwl);
	free(e);
	return y;
}

static void
dialog_draw(struct tui_win *w, const struct tui_rect *screen)
{
	struct dialog	*d = w->data;
	struct tui	*t = w->tui;
	struct tui_rect	 r;
	struct form_field	*f;
	char		 hint[64], *esc, *hints;
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
	if (d->note != NULL)
		y = draw_wrapped(t, y, r.x + 2, r.w - 4, r.y + r.h - 3,
		    d->note, draw_attr(t, TC_WARNING));
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
		else if (f->hint != NULL)
			draw_untrusted(t, y, fx + fw + 1,
			    r.x + r.w - 2 - fx - fw - 1, f->hint, A_DIM);
		if (f->error != NULL)
			y = draw_wrapped(t, y + 1, fx, r.x + r.w - 2 - fx,
			    r.y + r.h - 3, f->error,
			    draw_attr(t, TC_ERROR)) - 1;
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
		/* Wrapped, not cut: a finding's end says what to do. */
		for (i = 0; i < d->added.n && y < r.y + r.h - 2; i++)
			y = draw_wrapped(t, y, r.x + 4, r.w - 6, r.y + r.h - 2,
			    d->added.v[i], draw_attr(t,
			    strncmp(d->added.v[i], "error", 5) == 0 ?
			    TC_ERROR : TC_WARNING));
	} else if (d->problem != NULL)
		y = draw_wrapped(t, y, r.x + 2, r.w - 4, r.y + r.h - 2,
		    d->problem, draw_attr(t, TC_ERROR));
	/* The keys as the table says; Enter only once it can accept. */
	hints = action_hints(dialog_maps, d->valid ? dialog_box_hints :
	    dialog_box_hints + 1);
	esc = xasprintf("%s%s", hints, d->valid ? "" :
	    " (fix the fields to accept)");
	draw_text(t, r.y + r.h - 2, r.x + 2, r.w - 4, esc, A_DIM);
	free(esc);
	free(hints);
}

static const struct tui_mode tui_mode_dialog = {
	"dialog", dialog_init, dialog_free, dialog_key, dialog_draw, NULL,
	NULL, dialog_maps, dialog_hints, NULL
};

void
dialog_push(struct tui *t, struct dialog *d)
{
	if (tui_push(t, &tui_mode_dialog, d) == NULL)
		dialog_free_data(d);
}

struct dialog *
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
