/*
 * Drawing helpers shared by every window: colours that degrade to
 * attributes on a monochrome terminal or under NO_COLOR, line drawing that
 * falls back to ASCII when the locale is not UTF-8, and text output that
 * counts columns, not bytes.
 *
 * Everything is drawn on stdscr; curses compares it with what the terminal
 * shows and sends only the difference, so windows redraw fully on each
 * keystroke without clearing the screen.
 */

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "tui/tui-int.h"

static const struct {
	unsigned	 flag;
	const char	*word;
	enum tui_color	 color;
} markers[] = {
	{ MK_NEW,	"[NEW]",	TC_ADDED },
	{ MK_CHANGED,	"[CHANGED]",	TC_ADDED },
	{ MK_CONFLICT,	"[CONFLICT]",	TC_ERROR },
	{ MK_UNSERVED,	"[UNSERVED]",	TC_ERROR },
	{ MK_EXPIRED,	"[EXPIRED]",	TC_ERROR },
	{ MK_ERROR,	"[ERROR]",	TC_ERROR },
	{ MK_STALE,	"[STALE]",	TC_WARNING },
	{ MK_MOVE,	"[MOVE?]",	TC_WARNING },
	{ MK_EXPIRING,	"[EXPIRING]",	TC_WARNING },
	{ MK_NOTRELOADED, "[NOT-RELOADED]", TC_WARNING },
	{ MK_NOTLOCAL,	"[NOT-LOCAL]",	TC_WARNING },
	{ MK_WARNING,	"[WARNING]",	TC_WARNING },
	{ MK_DEFAULT,	"[DEFAULT]",	TC_DEFAULT },
	{ MK_PROBED,	"[SERVED]",	TC_OK },
};

void
draw_init_colors(struct tui *t)
{
	const char	*nc = getenv("NO_COLOR");

	/* no-color.org: present and not empty means no colour. */
	t->color = (nc == NULL || *nc == '\0') && has_colors();
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	init_pair(TC_ERROR, COLOR_RED, -1);
	init_pair(TC_WARNING, COLOR_YELLOW, -1);
	init_pair(TC_DEFAULT, COLOR_CYAN, -1);
	init_pair(TC_OK, COLOR_GREEN, -1);
	init_pair(TC_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(TC_SELECTED, COLOR_BLACK, COLOR_CYAN);
	init_pair(TC_DIM, COLOR_BLUE, -1);
	init_pair(TC_ADDED, COLOR_GREEN, -1);
	init_pair(TC_REMOVED, COLOR_RED, -1);
}

attr_t
draw_attr(struct tui *t, enum tui_color c)
{
	if (c == TC_NORMAL)
		return A_NORMAL;
	if (t->color) {
		switch (c) {
		case TC_ERROR:
		case TC_WARNING:
			return COLOR_PAIR(c) | A_BOLD;
		case TC_SELECTED:
			return COLOR_PAIR(c);
		default:
			return COLOR_PAIR(c);
		}
	}
	/* Without colour the words carry the meaning; attributes help. */
	switch (c) {
	case TC_ERROR:
	case TC_WARNING:
	case TC_TITLE:
		return A_BOLD;
	case TC_SELECTED:
		return A_REVERSE;
	case TC_DIM:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

/*
 * Columns taken by the first bytes of s, stopping before max columns.
 * *bytes receives how many bytes fit.
 */
static int
measure(struct tui *t, const char *s, int max, size_t *bytes)
{
	mbstate_t	 st;
	size_t		 len = strlen(s), off = 0, r;
	wchar_t		 wc;
	int		 cols = 0, cw;

	if (!t->utf8) {
		if ((size_t)max < len)
			len = max < 0 ? 0 : (size_t)max;
		*bytes = len;
		return (int)len;
	}
	memset(&st, 0, sizeof st);
	while (off < len) {
		r = mbrtowc(&wc, s + off, len - off, &st);
		if (r == (size_t)-1 || r == (size_t)-2) {
			/* Escaped text never gets here; be safe anyway. */
			break;
		}
		if (r == 0)
			break;
		cw = wcwidth(wc);
		if (cw < 0)
			cw = 1;
		if (cols + cw > max)
			break;
		cols += cw;
		off += r;
	}
	*bytes = off;
	return cols;
}

int
draw_width(struct tui *t, const char *s)
{
	size_t	bytes;

	return measure(t, s, 1 << 30, &bytes);
}

int
draw_text(struct tui *t, int y, int x, int w, const char *s, attr_t attr)
{
	size_t	bytes;
	int	cols;

	if (w <= 0 || s == NULL)
		return 0;
	cols = measure(t, s, w, &bytes);
	attrset(attr);
	mvaddnstr(y, x, s, (int)bytes);
	attrset(A_NORMAL);
	return cols;
}

/*
 * The hint line: as many whole "KEY:word" items as fit, so that a narrow
 * screen never shows half a key's name.
 */
void
draw_hints(struct tui *t, int y, int x, int w, const char *s)
{
	char	*copy, *sp;

	copy = xstrdup(s);
	while (draw_width(t, copy) > w && (sp = strrchr(copy, ' ')) != NULL)
		*sp = '\0';
	draw_text(t, y, x, w, copy, A_REVERSE);
	free(copy);
}

int
draw_untrusted(struct tui *t, int y, int x, int w, const char *s,
    attr_t attr)
{
	char	*e;
	int	 n;

	e = escape_str(s, t->escflags);
	n = draw_text(t, y, x, w, e, attr);
	free(e);
	return n;
}

void
draw_blank(int y, int x, int w, attr_t attr)
{
	if (w <= 0)
		return;
	attrset(attr);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

/*
 * Lines are drawn as Unicode box characters in a UTF-8 locale, not with
 * the terminal's alternate character set: what a pasted screenshot or a
 * multiplexer shows is then the same as what the user saw. Elsewhere,
 * plain ASCII.
 */
static void
box_char(wchar_t wc, cchar_t *cc)
{
	wchar_t	s[2] = { wc, L'\0' };

	setcchar(cc, s, A_NORMAL, 0, NULL);
}

void
draw_hline(struct tui *t, int y, int x, int w)
{
	cchar_t	cc;

	if (w <= 0)
		return;
	if (t->utf8) {
		box_char(L'\x2500', &cc);
		mvhline_set(y, x, &cc, w);
	} else
		mvhline(y, x, '-', w);
}

void
draw_vline(struct tui *t, int y, int x, int h)
{
	cchar_t	cc;

	if (h <= 0)
		return;
	if (t->utf8) {
		box_char(L'\x2502', &cc);
		mvvline_set(y, x, &cc, h);
	} else
		mvvline(y, x, '|', h);
}

static void
corner(struct tui *t, int y, int x, wchar_t wc)
{
	cchar_t	cc;

	if (t->utf8) {
		box_char(wc, &cc);
		mvadd_wch(y, x, &cc);
	} else
		mvaddch(y, x, '+');
}

void
draw_frame(struct tui *t, const struct tui_rect *r, const char *title,
    int focused)
{
	attr_t	a = focused ? A_BOLD : A_NORMAL;

	if (r->h < 2 || r->w < 2)
		return;
	attrset(a);
	draw_hline(t, r->y, r->x + 1, r->w - 2);
	draw_hline(t, r->y + r->h - 1, r->x + 1, r->w - 2);
	draw_vline(t, r->y + 1, r->x, r->h - 2);
	draw_vline(t, r->y + 1, r->x + r->w - 1, r->h - 2);
	corner(t, r->y, r->x, L'\x250c');
	corner(t, r->y, r->x + r->w - 1, L'\x2510');
	corner(t, r->y + r->h - 1, r->x, L'\x2514');
	corner(t, r->y + r->h - 1, r->x + r->w - 1, L'\x2518');
	attrset(A_NORMAL);
	if (title != NULL && r->w > 6) {
		mvaddch(r->y, r->x + 1, ' ');
		draw_text(t, r->y, r->x + 2, r->w - 5, title,
		    focused ? A_BOLD | A_UNDERLINE : A_NORMAL);
		addch(' ');
	}
}

void
draw_box_clear(struct tui *t, const struct tui_rect *r)
{
	int	i;

	for (i = 0; i < r->h; i++)
		draw_blank(r->y + i, r->x, r->w, A_NORMAL);
}

int
draw_markers(struct tui *t, int y, int x, int w, unsigned flags)
{
	size_t	i;
	int	used = 0, n;

	for (i = 0; i < sizeof markers / sizeof markers[0]; i++) {
		if ((flags & markers[i].flag) == 0)
			continue;
		if (used != 0) {
			if (used + 1 > w)
				break;
			mvaddch(y, x + used, ' ');
			used++;
		}
		n = draw_text(t, y, x + used, w - used, markers[i].word,
		    draw_attr(t, markers[i].color));
		used += n;
		if (used >= w)
			break;
	}
	return used;
}

struct tui_rect
draw_centre(int h, int w)
{
	struct tui_rect	r;

	if (h > LINES - 2)
		h = LINES - 2;
	if (w > COLS - 2)
		w = COLS - 2;
	r.h = h;
	r.w = w;
	r.y = (LINES - h) / 2;
	r.x = (COLS - w) / 2;
	return r;
}

char **
draw_wrap(struct tui *t, const char *s, int w, size_t *n)
{
	char	**v = NULL;
	size_t	  nv = 0, bytes, len;
	const char *p = s, *nl;
	char	 *line;

	if (w < 1)
		w = 1;
	while (*p != '\0' || nv == 0) {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		line = xstrndup(p, len);
		if (len == 0)
			bytes = 0;
		else {
			measure(t, line, w, &bytes);
			if (bytes == 0)
				bytes = 1;
		}
		/* Prefer to break after a space or comma when there is one. */
		if (bytes < len) {
			size_t	b = bytes;

			while (b > bytes / 2 && line[b - 1] != ' ' &&
			    line[b - 1] != ',')
				b--;
			if (b > bytes / 2)
				bytes = b;
		}
		line[bytes] = '\0';
		v = xreallocarray(v, nv + 1, sizeof *v);
		v[nv++] = line;
		p += bytes;
		if (bytes == len && nl != NULL)
			p++;
		else if (bytes == len)
			break;
	}
	*n = nv;
	return v;
}

void
draw_wrap_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
