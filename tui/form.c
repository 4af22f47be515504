/*
 * The form and its line editor (tui/form.h). The cursor is a byte offset;
 * only printable ASCII is ever typed, so a byte is a column, but values
 * set from elsewhere are still escaped when drawn.
 */

#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "tui/form.h"
#include "tui/tui-int.h"

enum form_op {
	FORM_NONE,
	FORM_NEXT,
	FORM_PREV,
	FORM_LEFT,
	FORM_RIGHT,
	FORM_HOME,
	FORM_END,
	FORM_BACKSPACE,
	FORM_DELETE,
	FORM_CLEAR,
	FORM_PASTE
};

static const struct tui_action form_actions[] = {
	{ { '\t', KEY_DOWN }, "field", "next field", NULL, FORM_NEXT },
	{ { KEY_BTAB, KEY_UP }, NULL, "previous field", NULL, FORM_PREV },
	{ { KEY_LEFT }, "choices", "cursor left; in a field of choices, the "
	    "previous one", NULL, FORM_LEFT },
	{ { KEY_RIGHT }, "choices", "cursor right; in a field of choices, "
	    "the next one", NULL, FORM_RIGHT },
	{ { KEY_HOME, TUI_CTRL('a') }, NULL, "start of the field", NULL,
	    FORM_HOME },
	{ { KEY_END, TUI_CTRL('e') }, NULL, "end of the field", NULL,
	    FORM_END },
	{ { KEY_BACKSPACE, 127, 8 }, NULL, "delete the character before the "
	    "cursor\n(a chosen value of several words goes whole)", NULL,
	    FORM_BACKSPACE },
	{ { KEY_DC, TUI_CTRL('d') }, NULL, "delete the character at the "
	    "cursor", NULL, FORM_DELETE },
	{ { TUI_CTRL('u') }, "clear", "clear the field", NULL, FORM_CLEAR },
	{ { TUI_KEY_PASTE }, NULL, NULL, NULL, FORM_PASTE },
};

const struct tui_keymap form_keymap = KEYMAP("In dialogs and forms "
    "(Enter accepts, Esc cancels)", form_actions);

static const struct tui_keymap *const form_maps[] = { &form_keymap, NULL };

struct form_field *
form_add(struct form *fm, const char *label, const char *value)
{
	struct form_field	*f;

	if (fm->n >= FORM_MAXFIELDS)
		return NULL;
	f = &fm->f[fm->n++];
	memset(f, 0, sizeof *f);
	f->label = label;
	form_set(f, value);
	return f;
}

void
form_clear(struct form *fm)
{
	struct form_field	*f;
	size_t			 j;
	int			 i;

	for (i = 0; i < fm->n; i++) {
		f = &fm->f[i];
		explicit_bzero(f->buf, sizeof f->buf);
		for (j = 0; j < f->noptions; j++)
			free(f->options[j]);
		free(f->options);
		free(f->error);
		memset(f, 0, sizeof *f);
	}
	fm->n = 0;
	fm->cur = 0;
}

struct form_field *
form_current(struct form *fm)
{
	return fm->n > 0 ? &fm->f[fm->cur] : NULL;
}

void
form_set(struct form_field *f, const char *value)
{
	explicit_bzero(f->buf, sizeof f->buf);
	snprintf(f->buf, sizeof f->buf, "%s", value != NULL ? value : "");
	f->len = f->cur = strlen(f->buf);
}

void
form_option(struct form_field *f, const char *value)
{
	size_t	i;

	for (i = 0; i < f->noptions; i++) {
		if (strcmp(f->options[i], value) == 0)
			return;
	}
	f->options = xreallocarray(f->options, f->noptions + 1,
	    sizeof *f->options);
	f->options[f->noptions++] = xstrdup(value);
}

void
form_choose(struct form_field *f, size_t i)
{
	if (i >= f->noptions)
		return;
	f->opt = i;
	form_set(f, f->options[i]);
}

void
form_error(struct form_field *f, char *error)
{
	free(f->error);
	f->error = error;
}

void
form_insert(struct form_field *f, const char *s)
{
	for (; *s != '\0' && *s != '\n' && *s != '\r'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			continue;
		if (f->len + 1 >= sizeof f->buf)
			break;
		memmove(f->buf + f->cur + 1, f->buf + f->cur, f->len - f->cur);
		f->buf[f->cur++] = *s;
		f->len++;
	}
	f->buf[f->len] = '\0';
	f->touched = 1;
}

/* Whether the field shows the value chosen last from its options. */
static int
form_chosen(const struct form_field *f)
{
	return f->noptions > 0 &&
	    strcmp(f->buf, f->options[f->opt % f->noptions]) == 0;
}

/*
 * Left/Right in a field of choices: from a chosen value the neighbour,
 * from typed text the first (Right) or last (Left) value.
 */
static void
form_cycle(struct form_field *f, int dir)
{
	if (!form_chosen(f))
		f->opt = dir > 0 ? 0 : f->noptions - 1;
	else if (dir > 0)
		f->opt = (f->opt + 1) % f->noptions;
	else
		f->opt = (f->opt + f->noptions - 1) % f->noptions;
	form_set(f, f->options[f->opt]);
	f->touched = 1;
}

static void
form_delete(struct form_field *f, size_t at)
{
	memmove(f->buf + at, f->buf + at + 1, f->len - at);
	f->len--;
	f->touched = 1;
}

static int
form_op(struct form *fm, struct tui *t, int op)
{
	struct form_field	*f = &fm->f[fm->cur];

	switch (op) {
	case FORM_NEXT:
		fm->cur = (fm->cur + 1) % fm->n;
		return 1;
	case FORM_PREV:
		fm->cur = (fm->cur + fm->n - 1) % fm->n;
		return 1;
	case FORM_LEFT:
	case FORM_RIGHT:
		if (f->noptions > 0)
			form_cycle(f, op == FORM_RIGHT ? 1 : -1);
		else if (op == FORM_LEFT && f->cur > 0)
			f->cur--;
		else if (op == FORM_RIGHT && f->cur < f->len)
			f->cur++;
		return 1;
	}
	if (f->fixed)
		return 0;
	switch (op) {
	case FORM_HOME:
		f->cur = 0;
		return 1;
	case FORM_END:
		f->cur = f->len;
		return 1;
	case FORM_BACKSPACE:
		/* "All unassigned" is one value, not letters to delete. */
		if (form_chosen(f) && strchr(f->buf, ' ') != NULL) {
			form_set(f, "");
			f->touched = 1;
		} else if (f->cur > 0)
			form_delete(f, --f->cur);
		return 1;
	case FORM_DELETE:
		if (f->cur < f->len)
			form_delete(f, f->cur);
		return 1;
	case FORM_CLEAR:
		form_set(f, "");
		f->touched = 1;
		return 1;
	case FORM_PASTE:
		form_insert(f, t->paste);
		return 1;
	}
	return 0;
}

int
form_key(struct form *fm, struct tui *t, int key)
{
	const struct tui_action	*a;
	struct form_field	*f;
	char			 c[2];

	if ((f = form_current(fm)) == NULL)
		return 0;
	if ((a = action_find(form_maps, key)) != NULL)
		return form_op(fm, t, a->op);
	if (key < 0x20 || key >= 0x7f)
		return 0;
	if (f->fixed) {
		/* Space steps through a field that only offers values. */
		if (key != ' ' || f->noptions == 0)
			return 0;
		form_cycle(f, 1);
		return 1;
	}
	c[0] = (char)key;
	c[1] = '\0';
	form_insert(f, c);
	return 1;
}

int
form_draw_value(struct tui *t, const struct form_field *f, int y, int x,
    int w, int current)
{
	char	*shown, *e, one[2];
	size_t	 start = 0;
	int	 n, at;
	attr_t	 a = A_UNDERLINE | (current ? A_BOLD : 0);

	if (f->secret) {
		shown = xmalloc(f->len + 1);
		memset(shown, '*', f->len);
		shown[f->len] = '\0';
	} else
		shown = xstrdup(f->buf);
	/* Scroll sideways so that the cursor shows. */
	for (;;) {
		e = xstrndup(shown + start, f->cur - start);
		at = draw_width(t, e);
		free(e);
		if (at < w - 1 || start >= f->cur)
			break;
		start++;
	}
	draw_blank(y, x, w, a);
	n = draw_untrusted(t, y, x, w - 1, shown + start, a);
	if (current && !f->fixed) {
		if (f->cur < f->len) {
			one[0] = shown[f->cur];
			one[1] = '\0';
			draw_untrusted(t, y, x + at, 1, one,
			    A_REVERSE | A_BOLD);
		} else
			draw_text(t, y, x + at, 1, "_", A_BOLD | A_BLINK);
	}
	explicit_bzero(shown, f->len);
	free(shown);
	return n;
}
