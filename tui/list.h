/*
 * The list widget shared by the panes that are lists (keys, endpoints):
 * the selection, the first row shown, paging and the filter, with one
 * keymap, so that j/k, PgUp/PgDn, Home/End and / do the same everywhere
 * (tmux's mode-tree.c plays this part for its modes).
 *
 * The list holds no rows: its owner keeps them (as names or indexes, see
 * tui-int.h) and tells the list how many there are. A list only counts.
 */
#ifndef CERTBIND_TUI_LIST_H
#define CERTBIND_TUI_LIST_H

#include <stddef.h>

#include "tui/action.h"

struct tui_win;

struct tui_list_ops {
	/* The question / asks. */
	const char	*filter_prompt;
	/* Whether row can be selected (a heading cannot); NULL: every row. */
	int		(*selectable)(struct tui_win *, size_t row);
	/* The selection moved: the owner remembers it for rebuilds. */
	void		(*moved)(struct tui_win *);
	/* The filter changed: the owner rebuilds its rows. */
	void		(*filtered)(struct tui_win *);
};

struct tui_list {
	const struct tui_list_ops *ops;
	struct tui_win	*win;
	size_t		 n;		/* rows */
	size_t		 sel;
	size_t		 top;		/* the first row shown */
	int		 height;	/* rows shown at the last draw */
	char		*filter;	/* NULL: no filter */
};

void	 list_init(struct tui_list *, const struct tui_list_ops *,
	    struct tui_win *);
void	 list_free(struct tui_list *);
/*
 * After a rebuild: n rows, sel the row to select (clamped, and moved off
 * a row that cannot be selected).
 */
void	 list_set(struct tui_list *, size_t n, size_t sel);
/* Moves the selection by delta rows (clamped), then tells the owner. */
void	 list_move(struct tui_list *, long delta);
/* Before drawing height rows: scrolls so that the selection shows. */
void	 list_scroll(struct tui_list *, int height);
/* Whether text passes the filter (a case-blind substring). */
int	 list_match(const struct tui_list *, const char *text);

/* Movement and filter keys; the mode's list() says which list. */
extern const struct tui_keymap list_keymap;

#endif
