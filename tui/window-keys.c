/*
 * The keys pane: one row per key (name, state, days left). The rows are
 * key indexes, built once per model change or filter change; the name,
 * state and certificate are looked up again when a row is drawn, and the
 * selection is remembered by name so that it survives a rebuild.
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
	size_t	*rows;
	size_t	 nrows;
	size_t	 sel;
	size_t	 top;
	char	*filter;
	char	*selname;	/* the selected key, kept across rebuilds */
	int	 height;	/* rows shown at the last draw */
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
	if (d->sel < d->nrows && (k = config_key(t->edit,
	    d->rows[d->sel])) != NULL)
		d->selname = xstrdup(k->name);
}

static void
keys_rebuild(struct tui_win *w)
{
	struct keys_data	*d = w->data;
	struct tui		*t = w->tui;
	const struct config_key	*k;
	size_t			 i, n = config_nkeys(t->edit);

	free(d->rows);
	d->rows = xcalloc(n + 1, sizeof *d->rows);
	d->nrows = 0;
	d->sel = 0;
	for (i = 0; i < n; i++) {
		k = config_key(t->edit, i);
		if (d->filter != NULL && *d->filter != '\0' &&
		    strcasestr(k->name, d->filter) == NULL)
			continue;
		if (d->selname != NULL && strcmp(k->name, d->selname) == 0)
			d->sel = d->nrows;
		d->rows[d->nrows++] = i;
	}
	if (d->top > d->sel)
		d->top = d->sel;
	keys_remember(d, t);
}

static void
keys_init(struct tui_win *w, void *arg)
{
	w->data = xcalloc(1, sizeof(struct keys_data));
}

static void
keys_free(struct tui_win *w)
{
	struct keys_data	*d = w->data;

	free(d->rows);
	free(d->filter);
	free(d->selname);
	free(d);
}

void
keys_select(struct tui *t, const char *name)
{
	struct keys_data	*d = keys_data(t);
	size_t			 i;

	for (i = 0; i < d->nrows; i++) {
		if (strcmp(config_key(t->edit, d->rows[i])->name, name) == 0) {
			d->sel = i;
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

	if (d == NULL || d->sel >= d->nrows)
		return NULL;
	if ((k = config_key(t->edit, d->rows[d->sel])) == NULL)
		return NULL;
	return k->name;
}

static void
filter_done(struct tui *t, void *arg, const char *text)
{
	struct keys_data	*d = keys_data(t);

	if (text == NULL)
		return;
	free(d->filter);
	d->filter = *text != '\0' ? xstrdup(text) : NULL;
	keys_rebuild(&t->panes[TUI_PANE_KEYS]);
	if (d->nrows == 0)
		tui_message(t, 0, "No key matches the filter; / and an "
		    "empty line shows every key.");
}

static int
keys_key(struct tui_win *w, int key)
{
	struct keys_data	*d = w->data;
	size_t			 page = d->height > 1 ? (size_t)d->height : 1;

	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (d->sel + 1 < d->nrows)
			d->sel++;
		break;
	case 'k':
	case KEY_UP:
		if (d->sel > 0)
			d->sel--;
		break;
	case KEY_NPAGE:
	case ' ':
		d->sel = d->sel + page < d->nrows ? d->sel + page :
		    (d->nrows > 0 ? d->nrows - 1 : 0);
		break;
	case KEY_PPAGE:
		d->sel = d->sel > page ? d->sel - page : 0;
		break;
	case 'g':
	case KEY_HOME:
		d->sel = 0;
		break;
	case 'G':
	case KEY_END:
		d->sel = d->nrows > 0 ? d->nrows - 1 : 0;
		break;
	case '/':
		tui_ask_text(w->tui, "Filter keys (part of a name):",
		    d->filter != NULL ? d->filter : "", filter_done, NULL);
		return 1;
	case '\n':
	case '\r':
	case KEY_ENTER:
		w->tui->focus = TUI_PANE_DETAILS;
		return 1;
	default:
		return 0;
	}
	keys_remember(d, w->tui);
	return 1;
}

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

static void
keys_draw(struct tui_win *w, const struct tui_rect *r)
{
	struct keys_data	*d = w->data;
	struct tui		*t = w->tui;
	const struct config_key	*k;
	enum tui_color		 color;
	const char		*state;
	char			 title[128], num[32];
	size_t			 i, row;
	int			 focused = t->focus == TUI_PANE_KEYS;
	int			 y, inner, namew, statew = 10, daysw = 5, x;
	attr_t			 sel;
	long			 days;

	if (d->filter != NULL)
		snprintf(title, sizeof title, " Keys %zu/%zu /%s ", d->nrows,
		    config_nkeys(t->edit), d->filter);
	else
		snprintf(title, sizeof title, " Keys (%zu) ", d->nrows);
	draw_frame(t, r, NULL, focused);
	draw_untrusted(t, r->y, r->x + 1, r->w - 3, title,
	    focused ? A_BOLD | A_UNDERLINE : A_NORMAL);
	inner = r->h - 3;
	d->height = inner;
	namew = r->w - 2 - statew - daysw - 3;
	x = r->x + 1;
	draw_text(t, r->y + 1, x + 1, namew, "NAME", A_BOLD);
	draw_text(t, r->y + 1, x + 1 + namew + 1, statew, "STATE", A_BOLD);
	draw_text(t, r->y + 1, x + 1 + namew + 1 + statew, daysw + 1,
	    " DAYS", A_BOLD);
	if (d->nrows == 0) {
		draw_text(t, r->y + 2, x + 1, r->w - 3,
		    config_nkeys(t->edit) == 0 ? "(no keys: w starts the "
		    "walkthrough)" : "(no key matches the filter)", A_DIM);
		return;
	}
	if (d->sel < d->top)
		d->top = d->sel;
	if (inner > 0 && d->sel >= d->top + (size_t)inner)
		d->top = d->sel - (size_t)inner + 1;
	for (y = 0; y < inner; y++) {
		row = d->top + (size_t)y;
		if (row >= d->nrows)
			break;
		i = d->rows[row];
		k = config_key(t->edit, i);
		state = key_state(t, i, &days, &color);
		sel = row == d->sel ? (focused ? draw_attr(t, TC_SELECTED) :
		    A_BOLD) : A_NORMAL;
		if (row == d->sel)
			draw_blank(r->y + 2 + y, x, r->w - 2, sel);
		draw_text(t, r->y + 2 + y, x, 1, row == d->sel ? ">" : " ",
		    sel);
		draw_untrusted(t, r->y + 2 + y, x + 1, namew, k->name, sel);
		draw_text(t, r->y + 2 + y, x + 1 + namew + 1, statew, state,
		    row == d->sel ? sel : draw_attr(t, color));
		if (days != LONG_MIN)
			snprintf(num, sizeof num, "%*ld", daysw, days);
		else
			snprintf(num, sizeof num, "%*s", daysw, "-");
		draw_text(t, r->y + 2 + y, x + 1 + namew + 1 + statew, daysw + 1,
		    num, sel);
	}
}

const struct tui_mode tui_mode_keys = {
	"keys", keys_init, keys_free, keys_key, keys_draw, keys_rebuild,
	"?:help q:quit Tab:pane Enter:details /:filter b:bind m:move "
	"r:review c:commit w:walkthrough"
};
