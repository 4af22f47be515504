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
prompt_key(struct tui_win *w, int key)
{
	struct prompt	*p = w->data;
	struct tui	*t = w->tui;
	tui_answer_cb	 answer = p->answer;
	tui_text_cb	 done = p->done;
	void		*arg = p->arg;
	char		*text;

	switch (p->kind) {
	case PROMPT_CONFIRM:
		if (key == 'y' || key == 'Y') {
			tui_pop(t);
			answer(t, arg, 1);
		} else if (key == 'n' || key == 'N' || key == TUI_ESC ||
		    key == 'q') {
			tui_pop(t);
			answer(t, arg, 0);
		}
		return 1;
	case PROMPT_TEXT:
		if (key == '\n' || key == '\r' || key == KEY_ENTER) {
			text = xstrdup(p->form.f[0].buf);
			tui_pop(t);
			done(t, arg, text);
			free(text);
		} else if (key == TUI_ESC) {
			tui_pop(t);
			done(t, arg, NULL);
		} else
			form_key(&p->form, t, key);
		return 1;
	case PROMPT_SHOW:
		if (key == 'j' || key == KEY_DOWN)
			p->scroll++;
		else if ((key == 'k' || key == KEY_UP) && p->scroll > 0)
			p->scroll--;
		else if (key == ' ' || key == KEY_NPAGE)
			p->scroll += (size_t)(p->height > 1 ? p->height - 1 : 1);
		else if (key == KEY_PPAGE)
			p->scroll = p->scroll > (size_t)p->height ?
			    p->scroll - (size_t)p->height : 0;
		else if (key == 'q' || key == TUI_ESC || key == '\n' ||
		    key == '\r' || key == KEY_ENTER)
			tui_pop(t);
		return 1;
	}
	return 1;
}

static void
prompt_draw(struct tui_win *w, const struct tui_rect *screen)
{
	struct prompt	*p = w->data;
	struct tui	*t = w->tui;
	struct tui_rect	 r;
	char		**lines;
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
		draw_text(t, r.y + 4, r.x + 2, r.w - 4,
		    "Enter: accept  Esc: cancel  Ctrl-U: clear", A_DIM);
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
	"confirm", prompt_init, prompt_free, prompt_key, prompt_draw, NULL,
	"y: yes  n or Esc: no",
	NULL, NULL, NULL
};

static const struct tui_mode tui_mode_text = {
	"text", prompt_init, prompt_free, prompt_key, prompt_draw, NULL,
	"Enter: accept  Esc: cancel  Left/Right, Home/End: move  Ctrl-U: clear",
	NULL, NULL, NULL
};

static const struct tui_mode tui_mode_show = {
	"show", prompt_init, prompt_free, prompt_key, prompt_draw, NULL,
	"j/k, PgUp/PgDn: scroll  q, Esc or Enter: close",
	NULL, NULL, NULL
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
