/*
 * The review (r): what a commit would change. The file as loaded and the
 * edited config are both serialized by the core and compared line by
 * line, so formatting never shows as a change; then which listeners
 * change hands, and the findings the change adds and removes (compared by
 * code and object). The file on disk is read again to say if someone else
 * changed it meanwhile.
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/diff.h"
#include "util/escape.h"
#include "util/xmalloc.h"
#include "op/location.h"
#include "tui/tui-int.h"

#define CONTEXT	2

struct review_line {
	char		*text;		/* escaped */
	enum tui_color	 color;
	attr_t		 attr;
};

struct review_data {
	struct review_line *v;
	size_t		 n;
	struct review_line *wv;		/* v wrapped to the width */
	size_t		 wn;
	int		 width;
	size_t		 scroll;
	int		 height;
};

static void
line_add(struct tui *t, struct review_data *d, enum tui_color color,
    attr_t attr, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
line_add(struct tui *t, struct review_data *d, enum tui_color color,
    attr_t attr, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	d->v = xreallocarray(d->v, d->n + 1, sizeof *d->v);
	d->v[d->n].text = escape_str(s, t->escflags);
	d->v[d->n].color = color;
	d->v[d->n].attr = attr;
	d->n++;
	free(s);
}

/*
 * The findings of b that a lacks. Which findings are "the same" across a
 * change is findings_diff()'s to say, so that review, commit and the
 * command line agree.
 */
static void
add_findings(struct tui *t, struct review_data *d, const char *title,
    const struct findings *a, const struct findings *b, int removed)
{
	struct findings		 added = FINDINGS_INIT;
	const struct finding	*f;
	size_t			 i;

	findings_diff(a, b, &added, NULL);
	line_add(t, d, TC_NORMAL, A_BOLD, "%s: %zu", title, added.n);
	for (i = 0; i < added.n; i++) {
		f = &added.v[i];
		line_add(t, d, removed ? TC_ADDED : (f->severity ==
		    SEV_ERROR ? TC_ERROR : f->severity == SEV_WARNING ?
		    TC_WARNING : TC_NORMAL), 0, "  %s %s %s: %s",
		    severity_name(f->severity), f->code,
		    f->object != NULL ? f->object : "-", f->message);
	}
	findings_clear(&added);
}

static void
wrapped_free(struct review_data *d)
{
	size_t	i;

	for (i = 0; i < d->wn; i++)
		free(d->wv[i].text);
	free(d->wv);
	d->wv = NULL;
	d->wn = 0;
	d->width = 0;
}

/* Long lines continue on the next ones, indented, rather than cut. */
static void
wrap(struct tui *t, struct review_data *d, int width)
{
	char	**parts;
	size_t	  np, i, j;

	wrapped_free(d);
	d->width = width;
	for (i = 0; i < d->n; i++) {
		parts = draw_wrap(t, d->v[i].text, width - 4, &np);
		for (j = 0; j < np; j++) {
			d->wv = xreallocarray(d->wv, d->wn + 1, sizeof *d->wv);
			d->wv[d->wn] = d->v[i];
			d->wv[d->wn].text = j == 0 ? xstrdup(parts[j]) :
			    xasprintf("    %s", parts[j]);
			d->wn++;
		}
		draw_wrap_free(parts, np);
	}
}

/* Where each line of s starts; *n lines. */
static const char **
line_starts(const char *s, size_t *n)
{
	const char	**v = NULL;
	size_t		  nv = 0, cap = 0;
	const char	 *p = s, *nl;

	while (*p != '\0') {
		if (nv == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[nv++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		p = nl + 1;
	}
	*n = nv;
	return v;
}

static int
line_eq(const char *a, const char *b)
{
	size_t	la = strcspn(a, "\n"), lb = strcspn(b, "\n");

	return la == lb && memcmp(a, b, la) == 0;
}

static void
dl_add(struct diff_line **v, size_t *n, char op, const char *line)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n].op = op;
	(*v)[*n].text = xstrndup(line, strcspn(line, "\n"));
	(*n)++;
}

/*
 * The line diff of a and b. The core's diff compares every line with
 * every other, which a config of thousands of lines is too large for, and
 * edits from the UI are small: so the lines the two share at the head and
 * the tail are set aside (keeping CONTEXT of them) and only the middle is
 * diffed. A middle still too large is shown as removed, then added.
 * Free with diff_free.
 */
static struct diff_line *
trimmed_diff(const char *a, const char *b, size_t *n)
{
	struct diff_line	*out = NULL, *mid = NULL;
	const char		**la, **lb, *ea, *eb;
	char			*ma, *mb;
	size_t			 na, nb, head = 0, tail = 0, i;
	ssize_t			 nm;

	*n = 0;
	la = line_starts(a, &na);
	lb = line_starts(b, &nb);
	while (head < na && head < nb && line_eq(la[head], lb[head]))
		head++;
	while (tail < na - head && tail < nb - head &&
	    line_eq(la[na - 1 - tail], lb[nb - 1 - tail]))
		tail++;
	for (i = head > CONTEXT ? head - CONTEXT : 0; i < head; i++)
		dl_add(&out, n, ' ', la[i]);
	ea = na - tail < na ? la[na - tail] : a + strlen(a);
	eb = nb - tail < nb ? lb[nb - tail] : b + strlen(b);
	ma = xstrndup(head < na ? la[head] : ea, head < na ?
	    (size_t)(ea - la[head]) : 0);
	mb = xstrndup(head < nb ? lb[head] : eb, head < nb ?
	    (size_t)(eb - lb[head]) : 0);
	if ((nm = diff_lines(ma, mb, &mid)) >= 0) {
		for (i = 0; i < (size_t)nm; i++)
			dl_add(&out, n, mid[i].op, mid[i].text);
		diff_free(mid, (size_t)nm);
	} else {
		for (i = head; i < na - tail; i++)
			dl_add(&out, n, '-', la[i]);
		for (i = head; i < nb - tail; i++)
			dl_add(&out, n, '+', lb[i]);
	}
	for (i = na - tail; i < na && i < na - tail + CONTEXT; i++)
		dl_add(&out, n, ' ', la[i]);
	free(ma);
	free(mb);
	free(la);
	free(lb);
	return out;
}

static void
review_build(struct tui_win *w)
{
	struct review_data	*d = w->data;
	struct tui		*t = w->tui;
	struct errlist		 eff = ERRLIST_INIT;
	struct diff_line	*dl;
	char			*a, *b, *cause = NULL;
	size_t			 n, i, j, last = 0, changes = 0;
	int			 changed, *keep;

	for (i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	d->v = NULL;
	d->n = 0;
	wrapped_free(d);

	line_add(t, d, TC_NORMAL, A_BOLD, "Changes to %s (file as loaded "
	    "-> edited):", location_spec(t->loc));
	if (t->snap.exists) {
		changed = session_disk_changed(t, &cause);
		if (changed == 1)
			line_add(t, d, TC_ERROR, 0, "The file changed on disk "
			    "since it was loaded: commit will refuse to "
			    "overwrite it.");
		else if (changed < 0) {
			line_add(t, d, TC_ERROR, 0, "The file cannot be read "
			    "again: %s", cause);
			free(cause);
		}
	}
	if (config_had_comments(t->orig))
		line_add(t, d, TC_WARNING, 0, "The file has comments; the "
		    "written file will not keep them.");
	if (t->readonly)
		line_add(t, d, TC_WARNING, 0, "Read-only session: %s",
		    t->holder != NULL ? t->holder : "locked");

	a = config_serialize(t->orig);
	b = config_serialize(t->edit);
	/*
	 * The lines below compare the two as certbind writes them; a file
	 * laid out by hand is rewritten in that form too, so say so.
	 */
	if (t->snap.exists && (t->snap.len != strlen(a) ||
	    memcmp(t->snap.data, a, t->snap.len) != 0))
		line_add(t, d, TC_DIM, 0, "The file on disk is laid out "
		    "differently: a commit also rewrites it in certbind's "
		    "layout (the settings below are what changes).");
	dl = trimmed_diff(a, b, &n);
	/* Show changed lines with CONTEXT lines around them. */
	keep = xcalloc(n + 1, sizeof *keep);
	for (i = 0; i < n; i++) {
		if (dl[i].op == ' ')
			continue;
		changes++;
		for (j = i > CONTEXT ? i - CONTEXT : 0;
		    j <= i + CONTEXT && j < n; j++)
			keep[j] = 1;
	}
	if (changes == 0)
		line_add(t, d, TC_NORMAL, 0, "  No changes.");
	for (i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		if (last != 0 && i > last + 1)
			line_add(t, d, TC_DIM, 0, "  ...");
		last = i;
		line_add(t, d, dl[i].op == '+' ? TC_ADDED : dl[i].op == '-' ?
		    TC_REMOVED : TC_NORMAL, dl[i].op != ' ' ? A_BOLD : 0,
		    "%c %s", dl[i].op, dl[i].text);
	}
	free(keep);
	diff_free(dl, n);
	free(a);
	free(b);

	line_add(t, d, TC_NORMAL, 0, "%s", "");
	tui_effect(t, t->orig, t->edit, &eff);
	line_add(t, d, TC_NORMAL, A_BOLD, "Who serves what, after the change: "
	    "%zu change%s", eff.n, eff.n == 1 ? "" : "s");
	for (i = 0; i < eff.n; i++)
		line_add(t, d, TC_NORMAL, 0, "  %s", eff.v[i]);
	errlist_clear(&eff);
	line_add(t, d, TC_NORMAL, 0, "%s", "");
	add_findings(t, d, "Findings the change adds", tui_orig_findings(t),
	    &t->found, 0);
	add_findings(t, d, "Findings the change removes", &t->found,
	    tui_orig_findings(t), 1);
}

static void
review_init(struct tui_win *w, void *arg)
{
	w->data = xcalloc(1, sizeof(struct review_data));
	review_build(w);
}

static void
review_free(struct tui_win *w)
{
	struct review_data	*d = w->data;
	size_t			 i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	wrapped_free(d);
	free(d);
}

/* Scrolls by delta lines, kept within the text. */
static void
review_scroll(struct review_data *d, long delta)
{
	long	s = (long)d->scroll + delta, last;

	last = (long)d->wn - d->height;
	if (s > last)
		s = last;
	if (s < 0)
		s = 0;
	d->scroll = (size_t)s;
}

static long
review_page(const struct review_data *d)
{
	return d->height > 1 ? d->height - 1 : 1;
}

static int
act_down(struct tui_win *w, int key)
{
	review_scroll(w->data, 1);
	return 1;
}

static int
act_up(struct tui_win *w, int key)
{
	review_scroll(w->data, -1);
	return 1;
}

static int
act_page_down(struct tui_win *w, int key)
{
	review_scroll(w->data, review_page(w->data));
	return 1;
}

static int
act_page_up(struct tui_win *w, int key)
{
	review_scroll(w->data, -review_page(w->data));
	return 1;
}

static int
act_top(struct tui_win *w, int key)
{
	struct review_data	*d = w->data;

	review_scroll(d, -(long)d->wn);
	return 1;
}

static int
act_bottom(struct tui_win *w, int key)
{
	struct review_data	*d = w->data;

	review_scroll(d, (long)d->wn);
	return 1;
}

static int
act_commit(struct tui_win *w, int key)
{
	struct tui	*t = w->tui;

	tui_pop(t);
	tui_commit(t);
	return 1;
}

static int
act_back(struct tui_win *w, int key)
{
	tui_pop(w->tui);
	return 1;
}

static const struct tui_action review_actions[] = {
	{ { 'j', KEY_DOWN }, "scroll", "scroll down", act_down, 0 },
	{ { 'k', KEY_UP }, "scroll", "scroll up", act_up, 0 },
	{ { KEY_NPAGE, ' ' }, "page", "page down", act_page_down, 0 },
	{ { KEY_PPAGE }, "page", "page up", act_page_up, 0 },
	{ { 'g', KEY_HOME }, NULL, "the top", act_top, 0 },
	{ { 'G', KEY_END }, NULL, "the end", act_bottom, 0 },
	{ { 'c' }, "commit", "commit: write the file", act_commit, 0 },
	{ { 'q', 'r', TUI_ESC, '\n' }, "back", "back to the panes", act_back,
	    0 },
	{ { '\r', KEY_ENTER }, "back", NULL, act_back, 0 },
};

const struct tui_keymap review_keymap = KEYMAP("In the review (r)",
    review_actions);

static const struct tui_keymap *const review_maps[] = {
	&review_keymap, NULL
};

static const int review_hints[] = {
	'j', 'k', KEY_PPAGE, KEY_NPAGE, 'c', 'q', TUI_ESC, 'r', 0
};

static void
review_draw(struct tui_win *w, const struct tui_rect *screen)
{
	struct review_data	*d = w->data;
	struct tui		*t = w->tui;
	struct tui_rect		 r;
	size_t			 i;
	int			 y;

	r.y = 1;
	r.x = 0;
	r.h = LINES - 3;
	r.w = COLS;
	draw_box_clear(t, &r);
	draw_frame(t, &r, "Review", 1);
	d->height = r.h - 2;
	if (d->width != r.w)
		wrap(t, d, r.w);
	for (y = 0; y < r.h - 2; y++) {
		i = d->scroll + (size_t)y;
		if (i >= d->wn)
			break;
		draw_text(t, r.y + 1 + y, r.x + 2, r.w - 4, d->wv[i].text,
		    draw_attr(t, d->wv[i].color) | d->wv[i].attr);
	}
}

const struct tui_mode tui_mode_review = {
	"review", review_init, review_free, NULL, review_draw, review_build,
	NULL, review_maps, review_hints, NULL
};
