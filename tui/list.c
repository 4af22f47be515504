/*
 * The list widget (tui/list.h): moving the selection over rows its owner
 * keeps, scrolling, paging and the filter, and the keymap that does
 * these for every pane that is a list.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"
#include "tui/list.h"
#include "tui/tui-int.h"

void
list_init(struct tui_list *l, const struct tui_list_ops *ops,
    struct tui_win *w)
{
	memset(l, 0, sizeof *l);
	l->ops = ops;
	l->win = w;
}

void
list_free(struct tui_list *l)
{
	free(l->filter);
	l->filter = NULL;
}

static int
selectable(struct tui_list *l, size_t row)
{
	return l->ops->selectable == NULL || l->ops->selectable(l->win, row);
}

/*
 * From a row that cannot be selected, go to the nearest one that can in
 * the direction of travel, else the other way.
 */
static void
fix(struct tui_list *l, int dir)
{
	size_t	i;

	if (l->n == 0 || selectable(l, l->sel))
		return;
	if (dir > 0) {
		for (i = l->sel; i < l->n; i++)
			if (selectable(l, i))
				goto found;
		for (i = l->sel; i-- > 0;)
			if (selectable(l, i))
				goto found;
	} else {
		for (i = l->sel + 1; i-- > 0;)
			if (selectable(l, i))
				goto found;
		for (i = l->sel; i < l->n; i++)
			if (selectable(l, i))
				goto found;
	}
	return;
found:
	l->sel = i;
}

void
list_set(struct tui_list *l, size_t n, size_t sel)
{
	l->n = n;
	l->sel = sel < n ? sel : (n > 0 ? n - 1 : 0);
	if (l->top > l->sel)
		l->top = l->sel;
	fix(l, 1);
}

void
list_move(struct tui_list *l, long delta)
{
	long	s = (long)l->sel, n = (long)l->n;

	if (n == 0)
		return;
	s += delta;
	if (s < 0)
		s = 0;
	if (s >= n)
		s = n - 1;
	l->sel = (size_t)s;
	fix(l, delta < 0 ? -1 : 1);
	if (l->ops->moved != NULL)
		l->ops->moved(l->win);
}

void
list_scroll(struct tui_list *l, int height)
{
	l->height = height;
	if (l->sel < l->top)
		l->top = l->sel;
	if (height > 0 && l->sel >= l->top + (size_t)height)
		l->top = l->sel - (size_t)height + 1;
}

int
list_match(const struct tui_list *l, const char *text)
{
	if (l->filter == NULL || *l->filter == '\0')
		return 1;
	return text != NULL && strcasestr(text, l->filter) != NULL;
}

static struct tui_list *
list_of(struct tui_win *w)
{
	return w->mode->list != NULL ? w->mode->list(w) : NULL;
}

/* A page is the rows shown less one, so the row left stays in sight. */
static long
list_page(const struct tui_list *l)
{
	return l->height > 1 ? l->height - 1 : 1;
}

static int
act_down(struct tui_win *w, int key)
{
	list_move(list_of(w), 1);
	return 1;
}

static int
act_up(struct tui_win *w, int key)
{
	list_move(list_of(w), -1);
	return 1;
}

static int
act_page_down(struct tui_win *w, int key)
{
	struct tui_list	*l = list_of(w);

	list_move(l, list_page(l));
	return 1;
}

static int
act_page_up(struct tui_win *w, int key)
{
	struct tui_list	*l = list_of(w);

	list_move(l, -list_page(l));
	return 1;
}

static int
act_first(struct tui_win *w, int key)
{
	struct tui_list	*l = list_of(w);

	list_move(l, -(long)l->n);
	return 1;
}

static int
act_last(struct tui_win *w, int key)
{
	struct tui_list	*l = list_of(w);

	list_move(l, (long)l->n);
	return 1;
}

static void
filter_done(struct tui *t, void *arg, const char *text)
{
	struct tui_list	*l = arg;

	if (text == NULL)
		return;
	free(l->filter);
	l->filter = *text != '\0' ? xstrdup(text) : NULL;
	if (l->ops->filtered != NULL)
		l->ops->filtered(l->win);
}

static int
act_filter(struct tui_win *w, int key)
{
	struct tui_list	*l = list_of(w);

	tui_ask_text(w->tui, l->ops->filter_prompt, l->filter != NULL ?
	    l->filter : "", filter_done, l);
	return 1;
}

static const struct tui_action list_actions[] = {
	{ { 'j', KEY_DOWN }, NULL, "move the selection down", act_down, 0 },
	{ { 'k', KEY_UP }, NULL, "move the selection up", act_up, 0 },
	{ { KEY_NPAGE, ' ' }, NULL, "page down", act_page_down, 0 },
	{ { KEY_PPAGE }, NULL, "page up", act_page_up, 0 },
	{ { 'g', KEY_HOME }, NULL, "first row", act_first, 0 },
	{ { 'G', KEY_END }, NULL, "last row", act_last, 0 },
	{ { '/' }, "filter", "filter the list (an empty line shows all)",
	    act_filter, 0 },
};

const struct tui_keymap list_keymap =
    KEYMAP("In the keys and endpoints lists", list_actions);
