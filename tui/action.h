/*
 * Action tables: what each key does in a mode, as data (tig's keymap).
 *
 * One table row says which keys run an action, the word the hint line
 * shows for it and the line the help screen shows, next to the function
 * that runs. Dispatch, the hint line and the help screen (?) all read the
 * same rows, so they cannot disagree: a key that is not in a table does
 * nothing, and a key in a table is on the help screen.
 */
#ifndef CERTBIND_TUI_ACTION_H
#define CERTBIND_TUI_ACTION_H

#include <stddef.h>

struct tui;
struct tui_win;

#define ACTION_NKEYS	4

struct tui_action {
	int		 keys[ACTION_NKEYS];	/* 0 ends the list */
	/* The word after "KEY:" on the hint line; NULL: not on it. */
	const char	*hint;
	/* The help screen's line; NULL: not listed (an alias row). */
	const char	*help;
	/*
	 * Runs the action; returns 0 when it did not apply after all. An
	 * action that closes its window (tui_pop) frees the window with it:
	 * it keeps w->tui first, and nothing touches w after.
	 */
	int		(*fn)(struct tui_win *, int key);
	/*
	 * For a widget that runs its own actions (the form): which one, when
	 * fn is NULL (tig's requests). The keys are still only in the table.
	 */
	int		 op;
};

/* A table with the heading it has on the help screen. */
struct tui_keymap {
	const char		*title;
	const struct tui_action	*v;
	size_t			 n;
};

#define KEYMAP(title, table) \
	{ title, table, sizeof table / sizeof table[0] }

/* The row of the first keymap in the NULL-ended maps that has key. */
const struct tui_action *action_find(const struct tui_keymap *const *maps,
	    int key);
/* Runs the action for key; 1 when one ran and used the key. */
int	 action_run(const struct tui_keymap *const *maps, struct tui_win *,
	    int key);
/* The key as the screen names it: "Tab", "PgDn", "Ctrl-L", "b". */
const char *action_keyname(int key, char *buf, size_t len);
/*
 * The hint line for keys (0 ends them), each looked up in maps: "KEY:word"
 * in the order given, two neighbours with the same word as "j/k:word".
 * Allocated.
 */
char	*action_hints(const struct tui_keymap *const *maps, const int *keys);
/*
 * Appends the help screen's lines for the maps to *lines (a heading, then
 * "  KEYS   help" per row, continuation lines indented); *n counts them.
 */
void	 action_help(const struct tui_keymap *const *maps, char ***out,
	    size_t *n);

#endif
