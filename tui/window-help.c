/*
 * The help overlay (?): every action's letter, one per line. Keep it in
 * step with the TERMINAL UI section of man/certbind.1.
 */

#include <stdlib.h>

#include "util/xmalloc.h"
#include "tui/tui-int.h"

static const char *const help_lines[] = {
	"Moving around",
	"  Tab, Shift-Tab   next, previous pane (keys, details, endpoints)",
	"  j k, arrows      move the selection (or scroll the details)",
	"  PgUp PgDn g G    page up, page down, first, last",
	"  Enter            details of the selected key (keys, endpoints)",
	"  /                filter the keys or the endpoints pane",
	"Changing bindings (nothing is written before c)",
	"  b                bind a key to an endpoint (address, port, sni)",
	"  e                edit the selected binding",
	"  d                unbind the selected binding",
	"  m                move an endpoint with its listener and bindings",
	"                   (a probable move found by the checks is offered)",
	"  l                add a listener",
	"  L                remove the selected listener",
	"Review and commit",
	"  r                review: the change against the file on disk,",
	"                   and the findings it adds and removes",
	"  c                commit: write the file (atomic, keeps .bak)",
	"Other",
	"  p                probe the running certbindd: is each listener",
	"                   served what the committed file says?",
	"  w                walkthrough: first-time install",
	"  ?, F1            this help",
	"  Ctrl-L           redraw the screen",
	"  q                quit (asks when there are unsaved changes)",
	"In dialogs",
	"  Tab, Up, Down    next, previous field",
	"  Left, Right      cycle the offered values (addresses, keys)",
	"  Enter, Esc       accept, cancel; Ctrl-U clears the field",
	"Markers",
	"  [CONFLICT] [UNSERVED] [EXPIRED] [ERROR]    errors",
	"  [STALE] [MOVE?] [EXPIRING] [NOT-LOCAL]     warnings",
	"  [DEFAULT]   served through a wildcard: all unassigned",
	"  after p: [SERVED] as the file says, [NOT-RELOADED] another",
	"  certificate (reload certbindd), [UNSERVED] refused",
};

struct help_data {
	size_t	scroll;
	int	height;
};

static void
help_init(struct tui_win *w, void *arg)
{
	w->data = xcalloc(1, sizeof(struct help_data));
}

static void
help_free(struct tui_win *w)
{
	free(w->data);
}

static int
help_key(struct tui_win *w, int key)
{
	struct help_data	*d = w->data;
	size_t			 n = sizeof help_lines / sizeof help_lines[0];

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
	size_t			 n = sizeof help_lines / sizeof help_lines[0];
	size_t			 i;
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
		    help_lines[i], help_lines[i][0] != ' ' ? A_BOLD :
		    A_NORMAL);
	}
}

const struct tui_mode tui_mode_help = {
	"help", help_init, help_free, help_key, help_draw, NULL,
	"j/k: scroll  any other key: close"
};
