/*
 * The help overlay (?): made from the action tables that dispatch the
 * keys (tui/action.h), so it lists exactly what each key does; only the
 * legend of the markers, which are no keys, is text here. Keep the
 * TERMINAL UI section of man/certbind.1 in step with it.
 */

#include <stdlib.h>

#include "util/xmalloc.h"
#include "tui/form.h"
#include "tui/tui-int.h"

/* In the order the help shows them: the screen's first, then each pane's. */
static const struct tui_keymap *const help_maps[] = {
	&screen_move_keymap, &screen_edit_keymap, &screen_commit_keymap,
	&screen_other_keymap, &list_keymap, &keys_keymap, &endpoints_keymap,
	&details_keymap, &review_keymap, &form_keymap, &nodes_keymap, NULL
};

static const char *const help_legend[] = {
	"Markers",
	"  [CONFLICT] [UNSERVED] [EXPIRED] [ERROR]    errors",
	"  [STALE] [MOVE?] [EXPIRING] [NOT-LOCAL]     warnings",
	"  [DEFAULT]   served through a wildcard: all unassigned",
	"  after p: [SERVED] as the file says, [NOT-RELOADED] another",
	"  certificate (reload certbindd), [UNSERVED] refused",
	"  n, a fleet's nodes: [BEHIND] serves an older revision than",
	"  the fleet's, [REFUSED] a revision, [BAD] record unreadable",
};

struct help_data {
	char	**text;
	size_t	  n;
	size_t	  scroll;
	int	  height;
};

static void
help_init(struct tui_win *w, void *arg)
{
	struct help_data	*d;
	size_t			 i;

	w->data = d = xcalloc(1, sizeof *d);
	action_help(help_maps, &d->text, &d->n);
	for (i = 0; i < sizeof help_legend / sizeof help_legend[0]; i++) {
		d->text = xreallocarray(d->text, d->n + 1, sizeof *d->text);
		d->text[d->n++] = xstrdup(help_legend[i]);
	}
}

static void
help_free(struct tui_win *w)
{
	struct help_data	*d = w->data;
	size_t			 i;

	for (i = 0; i < d->n; i++)
		free(d->text[i]);
	free(d->text);
	free(d);
}

void
tui_scroll(size_t *scroll, size_t n, int height, long delta)
{
	long	s = (long)*scroll + delta, last = (long)n - height;

	if (s > last)
		s = last;
	*scroll = s > 0 ? (size_t)s : 0;
}

static void
help_scroll(struct help_data *d, long delta)
{
	tui_scroll(&d->scroll, d->n, d->height, delta);
}

static int
act_down(struct tui_win *w, int key)
{
	help_scroll(w->data, 1);
	return 1;
}

static int
act_up(struct tui_win *w, int key)
{
	help_scroll(w->data, -1);
	return 1;
}

static int
act_page_down(struct tui_win *w, int key)
{
	struct help_data	*d = w->data;

	help_scroll(d, d->height);
	return 1;
}

static int
act_page_up(struct tui_win *w, int key)
{
	struct help_data	*d = w->data;

	help_scroll(d, -(long)d->height);
	return 1;
}

static int
act_close(struct tui_win *w, int key)
{
	tui_pop(w->tui);
	return 1;
}

/* Not listed in the help itself: its hint line says them. */
static const struct tui_action help_actions[] = {
	{ { 'j', KEY_DOWN }, "scroll", NULL, act_down, 0 },
	{ { 'k', KEY_UP }, "scroll", NULL, act_up, 0 },
	{ { KEY_NPAGE, ' ' }, "page", NULL, act_page_down, 0 },
	{ { KEY_PPAGE }, "page", NULL, act_page_up, 0 },
	{ { 'q', TUI_ESC }, "close", NULL, act_close, 0 },
};

static const struct tui_keymap help_keymap = KEYMAP("In the help",
    help_actions);
static const struct tui_keymap *const help_own_maps[] = {
	&help_keymap, NULL
};
static const int help_hints[] = { 'j', 'k', KEY_PPAGE, KEY_NPAGE, 'q', 0 };

/* Any key the table has no use for closes the help too. */
static int
help_key(struct tui_win *w, int key)
{
	if (!action_run(help_own_maps, w, key))
		tui_pop(w->tui);
	return 1;
}

static void
help_draw(struct tui_win *w, const struct tui_rect *screen)
{
	struct help_data	*d = w->data;
	struct tui_rect		 r;
	size_t			 n = d->n, i;
	int			 y;

	r = draw_centre((int)n + 2, 76);
	draw_box_clear(w->tui, &r);
	draw_frame(w->tui, &r, "Keys", 1);
	d->height = r.h - 2;
	for (y = 0; y < r.h - 2; y++) {
		i = d->scroll + (size_t)y;
		if (i >= n)
			break;
		draw_text(w->tui, r.y + 1 + y, r.x + 2, r.w - 4,
		    d->text[i], d->text[i][0] != ' ' ? A_BOLD :
		    A_NORMAL);
	}
}

const struct tui_mode tui_mode_help = {
	"help", help_init, help_free, help_key, help_draw, NULL,
	NULL, help_own_maps, help_hints, NULL
};
