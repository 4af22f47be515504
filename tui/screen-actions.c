/*
 * The screen's own actions, the keys that mean the same in every pane
 * (Tab, b, r, c, q ...), as tables (tui/action.h), and the dispatch and
 * hint line of a pane: its own table first, then these. A pane's table
 * can so take a key over (Enter in the keys pane), and what the hint line
 * says is whatever would run.
 */

#include <stdlib.h>

#include "util/xmalloc.h"
#include "tui/tui-int.h"

static int
act_next_pane(struct tui_win *w, int key)
{
	w->tui->focus = (w->tui->focus + 1) % TUI_NPANES;
	return 1;
}

static int
act_prev_pane(struct tui_win *w, int key)
{
	w->tui->focus = (w->tui->focus + TUI_NPANES - 1) % TUI_NPANES;
	return 1;
}

static int
act_help(struct tui_win *w, int key)
{
	tui_push(w->tui, &tui_mode_help, NULL);
	return 1;
}

static int
act_quit(struct tui_win *w, int key)
{
	tui_quit(w->tui);
	return 1;
}

static int
act_bind(struct tui_win *w, int key)
{
	dialog_bind(w->tui);
	return 1;
}

static int
act_edit(struct tui_win *w, int key)
{
	dialog_edit(w->tui);
	return 1;
}

static int
act_unbind(struct tui_win *w, int key)
{
	dialog_unbind(w->tui);
	return 1;
}

static int
act_move(struct tui_win *w, int key)
{
	dialog_move(w->tui);
	return 1;
}

static int
act_listen(struct tui_win *w, int key)
{
	dialog_listen(w->tui);
	return 1;
}

static int
act_unlisten(struct tui_win *w, int key)
{
	dialog_unlisten(w->tui);
	return 1;
}

static int
act_review(struct tui_win *w, int key)
{
	tui_push(w->tui, &tui_mode_review, NULL);
	return 1;
}

static int
act_commit(struct tui_win *w, int key)
{
	tui_commit(w->tui);
	return 1;
}

static int
act_walkthrough(struct tui_win *w, int key)
{
	tui_push(w->tui, &tui_mode_walkthrough, NULL);
	return 1;
}

static int
act_probe(struct tui_win *w, int key)
{
	endpoints_probe(w->tui);
	return 1;
}

static int
act_acme(struct tui_win *w, int key)
{
	tui_acme_action(w->tui);
	return 1;
}

static int
act_nodes(struct tui_win *w, int key)
{
	tui_nodes(w->tui);
	return 1;
}

static int
act_redraw(struct tui_win *w, int key)
{
	clearok(curscr, TRUE);
	return 1;
}

static const struct tui_action move_actions[] = {
	{ { '\t' }, "pane", "next pane (keys, details, endpoints)",
	    act_next_pane, 0 },
	{ { KEY_BTAB }, NULL, "previous pane", act_prev_pane, 0 },
};

static const struct tui_action edit_actions[] = {
	{ { 'b' }, "bind", "bind a key to an endpoint (address, port, sni)",
	    act_bind, 0 },
	{ { 'e' }, "edit", "edit the selected binding", act_edit, 0 },
	{ { 'd' }, "unbind", "unbind the selected binding", act_unbind, 0 },
	{ { 'm' }, "move", "move an endpoint with its listener and bindings\n"
	    "(a probable move found by the checks is offered)", act_move, 0 },
	{ { 'l' }, "listener", "add a listener", act_listen, 0 },
	{ { 'L' }, "listener", "remove the selected listener",
	    act_unlisten, 0 },
};

static const struct tui_action commit_actions[] = {
	{ { 'r' }, "review", "review: the change against the file on disk,\n"
	    "and the findings it adds and removes", act_review, 0 },
	{ { 'c' }, "commit", "commit: write the file (atomic, keeps .bak)",
	    act_commit, 0 },
};

static const struct tui_action other_actions[] = {
	{ { 'p' }, "probe", "probe the running certbindd: is each listener\n"
	    "served what the committed file says?", act_probe, 0 },
	{ { 'w' }, "walkthrough", "walkthrough: first-time install",
	    act_walkthrough, 0 },
	{ { '?', KEY_F(1) }, "help", "this help", act_help, 0 },
	{ { TUI_CTRL('l') }, NULL, "redraw the screen", act_redraw, 0 },
	{ { 'q' }, "quit", "quit (asks when there are unsaved changes)",
	    act_quit, 0 },
	{ { 'a' }, "acme", "ACME: renew the selected managed key now, or get\n"
	    "a certificate for a key from the CA (its account\n"
	    "first, if the config has none)", act_acme, 0 },
	{ { 'n' }, "nodes", "a fleet's nodes (etcd location): which are behind",
	    act_nodes, 0 },
};

const struct tui_keymap screen_move_keymap =
    KEYMAP("Moving around", move_actions);
const struct tui_keymap screen_edit_keymap =
    KEYMAP("Changing bindings (nothing is written before c)", edit_actions);
const struct tui_keymap screen_commit_keymap =
    KEYMAP("Review and commit", commit_actions);
const struct tui_keymap screen_other_keymap =
    KEYMAP("Other", other_actions);

const struct tui_keymap *const screen_keymaps[] = {
	&screen_move_keymap, &screen_edit_keymap, &screen_commit_keymap,
	&screen_other_keymap, NULL
};

#define SCREEN_MAXMAPS	16

/* The mode's keymaps, then, for a pane, the screen's: NULL-ended. */
static void
maps_of(struct tui_win *w, const struct tui_keymap **out)
{
	const struct tui_keymap *const *m;
	size_t			 n = 0;
	int			 pane = 0, i;

	for (i = 0; i < TUI_NPANES; i++)
		pane |= w == &w->tui->panes[i];
	for (m = w->mode->keymaps; m != NULL && *m != NULL &&
	    n < SCREEN_MAXMAPS - 1; m++)
		out[n++] = *m;
	for (m = screen_keymaps; pane && *m != NULL &&
	    n < SCREEN_MAXMAPS - 1; m++)
		out[n++] = *m;
	out[n] = NULL;
}

char *
screen_hints(struct tui_win *w)
{
	const struct tui_keymap	*maps[SCREEN_MAXMAPS];

	if (w->mode->hint_keys == NULL)
		return xstrdup(w->mode->hints != NULL ? w->mode->hints : "");
	maps_of(w, maps);
	return action_hints(maps, w->mode->hint_keys);
}

int
screen_pane_key(struct tui_win *w, int key)
{
	const struct tui_keymap	*maps[SCREEN_MAXMAPS];

	if (w->mode->key != NULL && w->mode->key(w, key))
		return 1;
	maps_of(w, maps);
	return action_run(maps, w, key);
}
