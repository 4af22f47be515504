/*
 * Action tables (tui/action.h): finding a key's row, running it, and the
 * two texts made from the same rows, the hint line and the help screen.
 * Nothing here knows what an action does; the modes' tables say that.
 */

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "tui/action.h"
#include "tui/tui-int.h"

/* Where the help text starts, after the keys. */
#define ACTION_HELP_COL	19

const struct tui_action *
action_find(const struct tui_keymap *const *maps, int key)
{
	const struct tui_keymap	*m;
	size_t			 i, k;

	for (; maps != NULL && *maps != NULL; maps++) {
		m = *maps;
		for (i = 0; i < m->n; i++) {
			for (k = 0; k < ACTION_NKEYS && m->v[i].keys[k] != 0;
			    k++) {
				if (m->v[i].keys[k] == key)
					return &m->v[i];
			}
		}
	}
	return NULL;
}

int
action_run(const struct tui_keymap *const *maps, struct tui_win *w, int key)
{
	const struct tui_action	*a;

	if ((a = action_find(maps, key)) == NULL || a->fn == NULL)
		return 0;
	return a->fn(w, key);
}

const char *
action_keyname(int key, char *buf, size_t len)
{
	static const struct {
		int		 key;
		const char	*name;
	} names[] = {
		{ '\t', "Tab" }, { KEY_BTAB, "Shift-Tab" }, { '\n', "Enter" },
		{ '\r', "Enter" }, { KEY_ENTER, "Enter" }, { TUI_ESC, "Esc" },
		{ ' ', "Space" }, { KEY_UP, "Up" }, { KEY_DOWN, "Down" },
		{ KEY_LEFT, "Left" }, { KEY_RIGHT, "Right" },
		{ KEY_PPAGE, "PgUp" }, { KEY_NPAGE, "PgDn" },
		{ KEY_HOME, "Home" }, { KEY_END, "End" },
		{ KEY_BACKSPACE, "Backspace" }, { 127, "Backspace" },
		{ 8, "Backspace" }, { KEY_DC, "Delete" },
		{ KEY_IC, "Insert" }
	};
	size_t	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i].key == key) {
			snprintf(buf, len, "%s", names[i].name);
			return buf;
		}
	}
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, len, "F%d", key - KEY_F(0));
	else if (key > 0 && key < 32)
		snprintf(buf, len, "Ctrl-%c", key + 'A' - 1);
	else if (key > 32 && key < 127)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "key %d", key);
	return buf;
}

char *
action_hints(const struct tui_keymap *const *maps, const int *keys)
{
	const struct tui_action	*a, *next;
	char			*s = xstrdup(""), *n, name[32], more[32];

	for (; *keys != 0; keys++) {
		if ((a = action_find(maps, *keys)) == NULL || a->hint == NULL)
			continue;
		action_keyname(*keys, name, sizeof name);
		/* "j/k:scroll": neighbours that say the same word. */
		while (keys[1] != 0 && (next = action_find(maps, keys[1])) !=
		    NULL && next->hint != NULL &&
		    strcmp(next->hint, a->hint) == 0) {
			action_keyname(*++keys, more, sizeof more);
			if (strlen(name) + strlen(more) + 2 < sizeof name) {
				strcat(name, "/");
				strcat(name, more);
			}
		}
		n = xasprintf("%s%s%s:%s", s, *s != '\0' ? " " : "", name,
		    a->hint);
		free(s);
		s = n;
	}
	return s;
}

static void
help_add(char ***out, size_t *n, char *line)
{
	*out = xreallocarray(*out, *n + 1, sizeof **out);
	(*out)[(*n)++] = line;
}

/* "j, Down": the names of an action's keys, each once ('\n', '\r'). */
static void
action_keys(const struct tui_action *a, char *buf, size_t len)
{
	char	names[ACTION_NKEYS][32];
	size_t	k, j, used = 0;
	int	dup;

	buf[0] = '\0';
	for (k = 0; k < ACTION_NKEYS && a->keys[k] != 0; k++) {
		action_keyname(a->keys[k], names[k], sizeof names[k]);
		dup = 0;
		for (j = 0; j < k; j++)
			dup |= strcmp(names[j], names[k]) == 0;
		if (dup || used >= len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used > 0 ? ", " : "", names[k]);
	}
}

void
action_help(const struct tui_keymap *const *maps, char ***out, size_t *n)
{
	const struct tui_keymap	*m;
	const struct tui_action	*a;
	const char		*p, *nl;
	char			 keys[64];
	size_t			 i;

	for (; *maps != NULL; maps++) {
		m = *maps;
		help_add(out, n, xstrdup(m->title));
		for (i = 0; i < m->n; i++) {
			a = &m->v[i];
			if (a->help == NULL)
				continue;
			action_keys(a, keys, sizeof keys);
			for (p = a->help; p != NULL; p = nl) {
				nl = strchr(p, '\n');
				help_add(out, n, xasprintf("  %-*s%.*s",
				    ACTION_HELP_COL - 2, p == a->help ? keys :
				    "", nl != NULL ? (int)(nl - p) :
				    (int)strlen(p), p));
				if (nl != NULL)
					nl++;
			}
		}
	}
}
