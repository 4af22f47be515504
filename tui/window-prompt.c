/*
 * Small overlays: a yes/no question, a line of text (the filters), and a
 * page of text to read. The answer is handed to a callback after the
 * overlay is gone, so the callback may open another one.
 */

#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "tui/form.h"
#include "tui/tui-int.h"

enum prompt_kind {
	PROMPT_CONFIRM,
	PROMPT_TEXT,
	PROMPT_SHOW
};

struct prompt {
	enum prompt_kind kind;
	char		*title;
	char		*text;		/* SHOW: the page */
	struct form	 form;		/* TEXT: the line being typed */
	tui_answer_cb	 answer;
	tui_text_cb	 done;
	void		*arg;
	size_t		 scroll;
	int		 height;
};

static void
prompt_init(struct tui_win *w, void *arg)
{
	w->data = arg;
}

static void
prompt_free(struct tui_win *w)
{
	struct prompt	*p = w->data;

	form_clear(&p->form);
	free(p->title);
	free(p->text);
	free(p);
}

static int
act_yes(struct tui_win *w, int key)
{
	struct prompt	*p = w->data;
	struct tui	*t = w->tui;
	tui_answer_cb	 answer = p->answer;
	void		*arg = p->arg;

	/*
	 * The overlay goes first, so that the answer may open another; w is
	 * freed with it.
	 */
	tui_pop(t);
	answer(t, arg, 1);
	return 1;
}

static int
act_no(struct tui_win *w, int key)
{
	struct prompt	*p = w->data;
	struct tui	*t = w->tui;
	tui_answer_cb	 answer = p->answer;
	void		*arg = p->arg;

	tui_pop(t);
	answer(t, arg, 0);
	return 1;
}

static int
act_accept(struct tui_win *w, int key)
{
	struct prompt	*p = w->data;
	struct tui	*t = w->tui;
	tui_text_cb	 done = p->done;
	void		*arg = p->arg;
	char		*text;

	text = xstrdup(p->form.f[0].buf);
	tui_pop(t);
	done(t, arg, text);
	free(text);
	return 1;
}

static int
act_cancel(struct tui_win *w, int key)
{
	struct prompt	*p = w->data;
	struct tui	*t = w->tui;
	tui_text_cb	 done = p->done;
	void		*arg = p->arg;

	tui_pop(t);
	done(t, arg, NULL);
	return 1;
}

static void
show_scroll(struct prompt *p, long delta)
{
	long	s = (long)p->scroll + delta;

	p->scroll = s > 0 ? (size_t)s : 0;
}

static int
act_down(struct tui_win *w, int key)
{
	show_scroll(w->data, 1);
	return 1;
}

static int
act_up(struct tui_win *w, int key)
{
	show_scroll(w->data, -1);
	return 1;
}

static int
act_page_down(struct tui_win *w, int key)
{
	struct prompt	*p = w->data;

	show_scroll(p, p->height > 1 ? p->height - 1 : 1);
	return 1;
}

static int
act_page_up(struct tui_win *w, int key)
{
	struct prompt	*p = w->data;

	show_scroll(p, -(long)p->height);
	return 1;
}

static int
act_close(struct tui_win *w, int key)
{
	tui_pop(w->tui);
	return 1;
}

static const struct tui_action confirm_actions[] = {
	{ { 'y', 'Y' }, "yes", "yes", act_yes, 0 },
	{ { 'n', 'N', TUI_ESC, 'q' }, "no", "no", act_no, 0 },
};

static const struct tui_action text_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "accept", NULL, act_accept, 0 },
	{ { TUI_ESC }, "cancel", NULL, act_cancel, 0 },
};

static const struct tui_action show_actions[] = {
	{ { 'j', KEY_DOWN }, "scroll", "scroll down", act_down, 0 },
	{ { 'k', KEY_UP }, "scroll", "scroll up", act_up, 0 },
	{ { KEY_NPAGE, ' ' }, "page", "page down", act_page_down, 0 },
	{ { KEY_PPAGE }, "page", "page up", act_page_up, 0 },
	{ { 'q', TUI_ESC, '\n', '\r' }, "close", "close", act_close, 0 },
	{ { KEY_ENTER }, "close", NULL, act_close, 0 },
};

static const struct tui_keymap confirm_keymap = KEYMAP("In a question",
    confirm_actions);
static const struct tui_keymap text_keymap = KEYMAP("In a line to type",
    text_actions);
static const struct tui_keymap show_keymap = KEYMAP("In a page of text",
    show_actions);

static const struct tui_keymap *const confirm_maps[] = {
	&confirm_keymap, NULL
};
static const struct tui_keymap *const text_maps[] = {
	&text_keymap, &form_keymap, NULL
};
static const struct tui_keymap *const show_maps[] = { &show_keymap, NULL };

static const int confirm_hints[] = { 'y', 'n', TUI_ESC, 0 };
static const int text_hints[] = { '\n', TUI_ESC, TUI_CTRL('u'), 0 };
static const int show_hints[] = {
	'j', 'k', KEY_PPAGE, KEY_NPAGE, 'q', TUI_ESC, '\n', 0
};

/* A line to type: Enter and Esc are the prompt's, the rest the form's. */
static int
text_key(struct tui_win *w, int key)
{
	struct prompt	*p = w->data;

	if (!action_run(text_maps, w, key))
		form_key(&p->form, w->tui, key);
	return 1;
}

static void
prompt_draw(struct tui_win *w, const struct tui_rect *screen)
{
	struct prompt	*p = w->data;
	struct tui	*t = w->tui;
	struct tui_rect	 r;
	char		**lines, *hints;
	size_t		 n, i;
	int		 y;

	switch (p->kind) {
	case PROMPT_CONFIRM:
		lines = draw_wrap(t, p->title, 60, &n);
		r = draw_centre((int)n + 4, 66);
		draw_box_clear(t, &r);
		draw_frame(t, &r, "Confirm", 1);
		for (i = 0; i < n && (int)i < r.h - 2; i++)
			draw_text(t, r.y + 2 + (int)i, r.x + 3, r.w - 6,
			    lines[i], A_BOLD);
		draw_wrap_free(lines, n);
		break;
	case PROMPT_TEXT:
		r = draw_centre(6, 66);
		draw_box_clear(t, &r);
		draw_frame(t, &r, NULL, 1);
		draw_text(t, r.y + 1, r.x + 2, r.w - 4, p->title, A_BOLD);
		/* Typed text is the user's, still escaped before drawing. */
		form_draw_value(t, &p->form.f[0], r.y + 3, r.x + 2, r.w - 4, 1);
		/* The keys as the table says, like the hint line. */
		hints = action_hints(text_maps, text_hints);
		draw_text(t, r.y + 4, r.x + 2, r.w - 4, hints, A_DIM);
		free(hints);
		break;
	case PROMPT_SHOW:
		r = draw_centre(LINES - 4, COLS - 6);
		draw_box_clear(t, &r);
		draw_frame(t, &r, p->title, 1);
		lines = draw_wrap(t, p->text, r.w - 4, &n);
		p->height = r.h - 2;
		if (p->scroll + 1 > n)
			p->scroll = n > 0 ? n - 1 : 0;
		for (y = 0; y < r.h - 2 && p->scroll + (size_t)y < n; y++)
			draw_text(t, r.y + 1 + y, r.x + 2, r.w - 4,
			    lines[p->scroll + (size_t)y], A_NORMAL);
		draw_wrap_free(lines, n);
		break;
	}
}

static const struct tui_mode tui_mode_confirm = {
	"confirm", prompt_init, prompt_free, NULL, prompt_draw, NULL, NULL,
	confirm_maps, confirm_hints, NULL
};

static const struct tui_mode tui_mode_text = {
	"text", prompt_init, prompt_free, text_key, prompt_draw, NULL, NULL,
	text_maps, text_hints, NULL
};

static const struct tui_mode tui_mode_show = {
	"show", prompt_init, prompt_free, NULL, prompt_draw, NULL, NULL,
	show_maps, show_hints, NULL
};

void
tui_confirm(struct tui *t, const char *question, tui_answer_cb cb,
    void *arg)
{
	struct prompt	*p = xcalloc(1, sizeof *p);

	p->kind = PROMPT_CONFIRM;
	p->title = xstrdup(question);
	p->answer = cb;
	p->arg = arg;
	if (tui_push(t, &tui_mode_confirm, p) == NULL) {
		prompt_free(&(struct tui_win){ NULL, t, p });
		cb(t, arg, 0);
	}
}

void
tui_ask_text(struct tui *t, const char *label, const char *initial,
    tui_text_cb cb, void *arg)
{
	struct prompt	*p = xcalloc(1, sizeof *p);

	p->kind = PROMPT_TEXT;
	p->title = xstrdup(label);
	p->done = cb;
	p->arg = arg;
	form_insert(form_add(&p->form, NULL, NULL), initial != NULL ?
	    initial : "");
	if (tui_push(t, &tui_mode_text, p) == NULL) {
		prompt_free(&(struct tui_win){ NULL, t, p });
		cb(t, arg, NULL);
	}
}

/* text must be safe to draw already (escaped by the caller). */
void
tui_show_text(struct tui *t, const char *title, const char *text)
{
	struct prompt	*p = xcalloc(1, sizeof *p);

	p->kind = PROMPT_SHOW;
	p->title = xstrdup(title);
	p->text = xstrdup(text);
	if (tui_push(t, &tui_mode_show, p) == NULL)
		prompt_free(&(struct tui_win){ NULL, t, p });
}
