/*
 * The keys pane: one row per key (name, state, days left, and for a key
 * managed by ACME its next renewal, or that the renewal is failing). The
 * rows are key indexes, built once per model change or filter change; the
 * name, state and certificate are looked up again when a row is drawn,
 * and the selection is remembered by name so that it survives a rebuild.
 * The ACME status itself is the model's, read when it was built.
 */

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/xmalloc.h"
#include "keys/cert.h"
#include "tui/tui-int.h"

struct keys_data {
	struct tui_list	 list;		/* over rows */
	size_t		*rows;
	char		*selname;	/* the selected key, kept in rebuilds */
};

static struct keys_data *
keys_data(struct tui *t)
{
	return t->panes[TUI_PANE_KEYS].data;
}

static void
keys_remember(struct keys_data *d, struct tui *t)
{
	const struct config_key	*k;

	free(d->selname);
	d->selname = NULL;
	if (d->list.sel < d->list.n && (k = config_key(t->edit,
	    d->rows[d->list.sel])) != NULL)
		d->selname = xstrdup(k->name);
}

static void
keys_moved(struct tui_win *w)
{
	keys_remember(w->data, w->tui);
}

static void
keys_rebuild(struct tui_win *w)
{
	struct keys_data	*d = w->data;
	struct tui		*t = w->tui;
	const struct config_key	*k;
	size_t			 i, n = config_nkeys(t->edit), nrows = 0;
	size_t			 sel = 0;

	free(d->rows);
	d->rows = xcalloc(n + 1, sizeof *d->rows);
	for (i = 0; i < n; i++) {
		k = config_key(t->edit, i);
		if (!list_match(&d->list, k->name))
			continue;
		if (d->selname != NULL && strcmp(k->name, d->selname) == 0)
			sel = nrows;
		d->rows[nrows++] = i;
	}
	list_set(&d->list, nrows, sel);
	keys_remember(d, t);
}

static void
keys_filtered(struct tui_win *w)
{
	struct keys_data	*d = w->data;

	keys_rebuild(w);
	if (d->list.n == 0)
		tui_message(w->tui, 0, "No key matches the filter; / and an "
		    "empty line shows every key.");
}

static const struct tui_list_ops keys_list_ops = {
	"Filter keys (part of a name):", NULL, keys_moved, keys_filtered
};

static void
keys_init(struct tui_win *w, void *arg)
{
	struct keys_data	*d;

	w->data = d = xcalloc(1, sizeof *d);
	list_init(&d->list, &keys_list_ops, w);
}

static void
keys_free(struct tui_win *w)
{
	struct keys_data	*d = w->data;

	list_free(&d->list);
	free(d->rows);
	free(d->selname);
	free(d);
}

static struct tui_list *
keys_list(struct tui_win *w)
{
	struct keys_data	*d = w->data;

	return &d->list;
}

void
keys_select(struct tui *t, const char *name)
{
	struct keys_data	*d = keys_data(t);
	size_t			 i;

	for (i = 0; i < d->list.n; i++) {
		if (strcmp(config_key(t->edit, d->rows[i])->name, name) == 0) {
			d->list.sel = i;
			keys_remember(d, t);
			return;
		}
	}
}

const char *
keys_selected(struct tui *t)
{
	struct keys_data	*d = keys_data(t);
	const struct config_key	*k;

	if (d == NULL || d->list.sel >= d->list.n)
		return NULL;
	if ((k = config_key(t->edit, d->rows[d->list.sel])) == NULL)
		return NULL;
	return k->name;
}

static int
act_details(struct tui_win *w, int key)
{
	w->tui->focus = TUI_PANE_DETAILS;
	return 1;
}

static const struct tui_action keys_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "details",
	    "details of the selected key", act_details, 0 },
};

const struct tui_keymap keys_keymap = KEYMAP("In the keys pane",
    keys_actions);

static const struct tui_keymap *const keys_maps[] = {
	&list_keymap, &keys_keymap, NULL
};

static const int keys_hints[] = {
	'?', 'q', '\t', '\n', '/', 'b', 'm', 'r', 'c', 'w', 'a', 0
};

/* The state word of key i, and its colour. */
static const char *
key_state(struct tui *t, size_t i, long *days, enum tui_color *color)
{
	const struct config_key	*k = config_key(t->edit, i);
	struct cert		*c;
	const char		*err;
	unsigned		 m = t->key_marks[i];

	*days = LONG_MIN;
	*color = TC_OK;
	if (k->cert == NULL) {
		*color = TC_DEFAULT;
		return "pending";
	}
	c = tui_cert(t, i, &err);
	if (c != NULL)
		*days = cert_days_left(c, t->now != 0 ? t->now : time(NULL));
	if (m & MK_EXPIRED) {
		*color = TC_ERROR;
		return "[EXPIRED]";
	}
	if ((m & MK_ERROR) || c == NULL) {
		*color = TC_ERROR;
		return "error";
	}
	if (m & MK_EXPIRING) {
		*color = TC_WARNING;
		return "[EXPIRING]";
	}
	return "ok";
}

/* The ACME column: a sentence where there is room, else 10 columns. */
#define ACMEW_WIDE	17
#define ACMEW_NARROW	10

static void
keys_draw(struct tui_win *w, const struct tui_rect *r)
{
	struct keys_data	*d = w->data;
	struct tui		*t = w->tui;
	const struct config_key	*k;
	enum tui_color		 color, acolor;
	const char		*state, *aw, *pw;
	char			 title[128], num[32], abuf[64];
	size_t			 i, row;
	int			 focused = t->focus == TUI_PANE_KEYS;
	int			 y, inner, namew, statew = 10, daysw = 5, x;
	int			 acmew = 0, ax, wide = 0;
	attr_t			 sel;
	long			 days;

	if (d->list.filter != NULL)
		snprintf(title, sizeof title, " Keys %zu/%zu /%s ", d->list.n,
		    config_nkeys(t->edit), d->list.filter);
	else if (t->removed_keys > 0)
		snprintf(title, sizeof title, " Keys (%zu; the proposal "
		    "removes %zu) ", d->list.n, t->removed_keys);
	else
		snprintf(title, sizeof title, " Keys (%zu) ", d->list.n);
	draw_frame(t, r, NULL, focused);
	draw_untrusted(t, r->y, r->x + 1, r->w - 3, title,
	    focused ? A_BOLD | A_UNDERLINE : A_NORMAL);
	inner = r->h - 3;
	namew = r->w - 2 - statew - daysw - 3;
	/* A column for ACME only when a key is managed by it. */
	if (t->nmanaged > 0) {
		wide = namew - ACMEW_WIDE - 1 >= 16;
		acmew = wide ? ACMEW_WIDE : ACMEW_NARROW;
		namew -= acmew + 1;
	}
	x = r->x + 1;
	ax = x + 1 + namew + 1 + statew + daysw + 2;
	draw_text(t, r->y + 1, x + 1, namew, "NAME", A_BOLD);
	draw_text(t, r->y + 1, x + 1 + namew + 1, statew, "STATE", A_BOLD);
	draw_text(t, r->y + 1, x + 1 + namew + 1 + statew, daysw + 1,
	    " DAYS", A_BOLD);
	if (acmew > 0)
		draw_text(t, r->y + 1, ax, acmew, wide ? "ACME" : "ACME RENEW",
		    A_BOLD);
	if (d->list.n == 0) {
		draw_text(t, r->y + 2, x + 1, r->w - 3,
		    config_nkeys(t->edit) == 0 ? "(no keys: w starts the "
		    "walkthrough)" : "(no key matches the filter)", A_DIM);
		return;
	}
	list_scroll(&d->list, inner);
	for (y = 0; y < inner; y++) {
		row = d->list.top + (size_t)y;
		if (row >= d->list.n)
			break;
		i = d->rows[row];
		k = config_key(t->edit, i);
		state = key_state(t, i, &days, &color);
		sel = row == d->list.sel ? (focused ?
		    draw_attr(t, TC_SELECTED) : A_BOLD) : A_NORMAL;
		if (row == d->list.sel)
			draw_blank(r->y + 2 + y, x, r->w - 2, sel);
		draw_text(t, r->y + 2 + y, x, 1, row == d->list.sel ? ">" : " ",
		    sel);
		/* --propose: what the proposal adds or changes, named. */
		pw = (t->key_marks[i] & MK_NEW) ? "[NEW]" :
		    (t->key_marks[i] & MK_CHANGED) ? "[CHANGED]" : NULL;
		if (pw != NULL && namew > (int)strlen(pw) + 4) {
			draw_untrusted(t, r->y + 2 + y, x + 1,
			    namew - (int)strlen(pw) - 1, k->name, sel);
			draw_text(t, r->y + 2 + y, x + 1 + namew -
			    (int)strlen(pw), (int)strlen(pw), pw,
			    draw_attr(t, TC_ADDED) | (row == d->list.sel ?
			    A_BOLD : 0));
		} else
			draw_untrusted(t, r->y + 2 + y, x + 1, namew, k->name,
			    sel);
		draw_text(t, r->y + 2 + y, x + 1 + namew + 1, statew, state,
		    row == d->list.sel ? sel : draw_attr(t, color));
		if (days != LONG_MIN)
			snprintf(num, sizeof num, "%*ld", daysw, days);
		else
			snprintf(num, sizeof num, "%*s", daysw, "-");
		draw_text(t, r->y + 2 + y, x + 1 + namew + 1 + statew, daysw + 1,
		    num, sel);
		if (acmew > 0 && (aw = tui_acme_word(t, i, wide, abuf,
		    sizeof abuf, &acolor)) != NULL)
			draw_text(t, r->y + 2 + y, ax, acmew, aw,
			    row == d->list.sel && acolor != TC_ERROR ? sel :
			    draw_attr(t, acolor) | (row == d->list.sel ?
			    A_BOLD : 0));
	}
}

const struct tui_mode tui_mode_keys = {
	"keys", keys_init, keys_free, NULL, keys_draw, keys_rebuild, NULL,
	keys_maps, keys_hints, keys_list
};
