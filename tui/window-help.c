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
	&details_keymap, &form_keymap, NULL
};

static const char *const help_legend[] = {
	"Markers",
	"  [CONFLICT] [UNSERVED] [EXPIRED] [ERROR]    errors",
	"  [STALE] [MOVE?] [EXPIRING] [NOT-LOCAL]     warnings",
	"  [DEFAULT]   served through a wildcard: all unassigned",
	"  after p: [SERVED] as the file says, [NOT-RELOADED] another",
	"  certificate (reload certbindd), [UNSERVED] refused",
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

static int
help_key(struct tui_win *w, int key)
{
	struct help_data	*d = w->data;
	size_t			 n = d->n;

	switch (key) {
	case 'j':
	case KEY_DOWN:
	case ' ':
	case KEY_NPAGE:
		if (d->scroll + (size_t)d->height < n)
			d->scroll += key == ' ' || key == KEY_NPAGE ?
			    (size_t)d->height : 1;
		if (d->scroll + (size_t)d->height > n)
			d->scroll = n > (size_t)d->height ?
			    n - (size_t)d->height : 0;
		break;
	case 'k':
	case KEY_UP:
	case KEY_PPAGE:
		d->scroll = d->scroll > 0 ? d->scroll - 1 : 0;
		break;
	default:
		tui_pop(w->tui);
		break;
	}
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
	"j/k: scroll  any other key: close", NULL, NULL, NULL
};
