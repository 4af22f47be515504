/*
 * The nodes of a fleet (n): for an etcd location, every certbindd
 * registered under PREFIX/nodes/ (op/fleet.h) with the revision it
 * serves, when it loaded it and its state, the ones behind the fleet's
 * content revision marked [BEHIND] in the warning colour, a node that
 * refused a revision [REFUSED] in the error colour with its reason, and
 * the records that do not parse [BAD].
 *
 * It is a window over the panes rather than a fourth pane: the three
 * panes already fill the smallest screen (80x24), the nodes are a
 * question asked now and then rather than part of the config being
 * edited, and a window can take the whole width a node's line needs. It
 * reads the fleet once when it opens and again on g (one etcd read, at
 * one revision: what certbind probe --fleet reads), never in the
 * background. The rows are made as text when read, every string of a
 * record escaped, so drawing never touches the records.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "op/fleet.h"
#include "op/location.h"
#include "util/escape.h"
#include "util/xmalloc.h"
#include "tui/tui-int.h"

#define NODES_WIDTH	100	/* at most; the screen gives 78 at least */

struct nodes_line {
	char		*text;		/* escaped */
	enum tui_color	 color;
	attr_t		 attr;
};

struct nodes_data {
	struct nodes_line *v;
	size_t		 n;
	size_t		 scroll;
	int		 height;
	size_t		 nbehind;	/* for the tests of the window */
};

static void
nodes_add(struct nodes_data *d, enum tui_color color, attr_t attr,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Adds a line made of already escaped text. */
static void
nodes_add(struct nodes_data *d, enum tui_color color, attr_t attr,
    const char *fmt, ...)
{
	va_list	 ap;

	d->v = xreallocarray(d->v, d->n + 1, sizeof *d->v);
	va_start(ap, fmt);
	d->v[d->n].text = xvasprintf(fmt, ap);
	va_end(ap);
	d->v[d->n].color = color;
	d->v[d->n].attr = attr;
	d->n++;
}

static void
nodes_clear(struct nodes_data *d)
{
	size_t	 i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	d->v = NULL;
	d->n = 0;
	d->scroll = 0;
	d->nbehind = 0;
}

/* "12-02 07:00 (5m)": when, in UTC, and how long ago. */
static void
nodes_when(int64_t t, time_t now, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;
	long long	 d = (long long)now - t;
	char		 day[24];

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(day, sizeof day, "%m-%d %H:%M", &tm) == 0) {
		snprintf(buf, len, "never");
		return;
	}
	if (d < 0)
		snprintf(buf, len, "%s", day);
	else if (d < 60)
		snprintf(buf, len, "%s (%llds)", day, d);
	else if (d < 3600)
		snprintf(buf, len, "%s (%lldm)", day, d / 60);
	else if (d < 86400)
		snprintf(buf, len, "%s (%lldh)", day, d / 3600);
	else
		snprintf(buf, len, "%s (%lldd)", day, d / 86400);
}

static void
nodes_node(struct tui *t, struct nodes_data *d, const struct fleet_status *st,
    const struct fleet_node *n)
{
	char	*name, *addr, *why, when[80], state[96];
	int	 behind = fleet_node_behind(st, n);
	int	 refusing = n->refused_revision > n->revision;
	enum tui_color c = TC_NORMAL;

	name = escape_str(n->name, t->escflags);
	addr = escape_str(n->address != NULL ? n->address : "-",
	    t->escflags);
	nodes_when(n->loaded, t->now, when, sizeof when);
	if (behind) {
		snprintf(state, sizeof state, "[BEHIND] %lld rev%s",
		    (long long)(st->content_revision - n->revision),
		    st->content_revision - n->revision == 1 ? "" : "s");
		c = TC_WARNING;
		d->nbehind++;
	} else
		snprintf(state, sizeof state, "current");
	if (refusing)
		c = TC_ERROR;
	nodes_add(d, c, A_NORMAL, "%-12.12s %-15.15s %8lld  %-17s %s", name,
	    addr, (long long)n->revision, when, state);
	if (refusing) {
		why = escape_str(n->refused != NULL ? n->refused :
		    "no reason given", t->escflags);
		nodes_add(d, TC_ERROR, A_NORMAL, "  [REFUSED] revision %lld: "
		    "%s", (long long)n->refused_revision, why);
		free(why);
	}
	free(name);
	free(addr);
}

/* Reads the fleet again and makes the lines. */
static void
nodes_read(struct tui *t, struct nodes_data *d)
{
	struct fleet_status	 st;
	char			*spec, *prefix, *cause = NULL, *e;
	size_t			 i, nrefusing = 0;

	nodes_clear(d);
	t->now = time(NULL);
	spec = escape_str(location_spec(t->loc), t->escflags);
	prefix = escape_str(location_prefix(t->loc), t->escflags);
	nodes_add(d, TC_NORMAL, A_BOLD, "%s", spec);
	if (fleet_status(location_etcd(t->loc), location_prefix(t->loc), &st,
	    &cause) != 0) {
		e = escape_str(cause, ESCAPE_MESSAGE | t->escflags);
		nodes_add(d, TC_ERROR, A_NORMAL, "cannot read the nodes: %s",
		    e);
		free(e);
		free(cause);
		free(spec);
		free(prefix);
		return;
	}
	for (i = 0; i < st.n; i++)
		nrefusing += st.nodes[i].refused_revision >
		    st.nodes[i].revision;
	nodes_add(d, TC_NORMAL, A_NORMAL, "content revision %lld, read at "
	    "revision %lld: %zu node%s", (long long)st.content_revision,
	    (long long)st.read_revision, st.n, st.n == 1 ? "" : "s");
	nodes_add(d, TC_NORMAL, A_NORMAL, "%s", "");
	if (st.n > 0)
		nodes_add(d, TC_DIM, A_NORMAL, "%-12s %-15s %8s  %-17s %s",
		    "NODE", "ADDRESS", "REVISION", "LOADED UTC (AGO)", "STATE");
	for (i = 0; i < st.n; i++)
		nodes_node(t, d, &st, &st.nodes[i]);
	for (i = 0; i < st.nbad; i++) {
		e = escape_str(st.bad[i], t->escflags);
		nodes_add(d, TC_ERROR, A_NORMAL, "[BAD] %s", e);
		free(e);
	}
	if (st.n == 0 && st.nbad == 0)
		nodes_add(d, TC_NORMAL, A_NORMAL, "No node is registered under "
		    "%s/nodes/: no certbindd serves this location now.",
		    prefix);
	nodes_add(d, TC_NORMAL, A_NORMAL, "%s", "");
	if (d->nbehind > 0 || nrefusing > 0 || st.nbad > 0)
		nodes_add(d, TC_WARNING, A_BOLD, "%zu behind, %zu refusing a "
		    "revision, %zu bad record%s", d->nbehind, nrefusing,
		    st.nbad, st.nbad == 1 ? "" : "s");
	else if (st.n > 0)
		nodes_add(d, TC_OK, A_BOLD, "Every node serves content "
		    "revision %lld.", (long long)st.content_revision);
	fleet_status_clear(&st);
	free(spec);
	free(prefix);
}

static void
nodes_init(struct tui_win *w, void *arg)
{
	struct nodes_data	*d;

	w->data = d = xcalloc(1, sizeof *d);
	nodes_read(w->tui, d);
}

static void
nodes_free(struct tui_win *w)
{
	struct nodes_data	*d = w->data;

	nodes_clear(d);
	free(d);
}

static void
nodes_scroll(struct nodes_data *d, long delta)
{
	tui_scroll(&d->scroll, d->n, d->height, delta);
}

static int
act_down(struct tui_win *w, int key)
{
	nodes_scroll(w->data, 1);
	return 1;
}

static int
act_up(struct tui_win *w, int key)
{
	nodes_scroll(w->data, -1);
	return 1;
}

static int
act_page_down(struct tui_win *w, int key)
{
	struct nodes_data	*d = w->data;

	nodes_scroll(d, d->height);
	return 1;
}

static int
act_page_up(struct tui_win *w, int key)
{
	struct nodes_data	*d = w->data;

	nodes_scroll(d, -(long)d->height);
	return 1;
}

static int
act_reread(struct tui_win *w, int key)
{
	struct nodes_data	*d = w->data;

	nodes_read(w->tui, d);
	tui_message(w->tui, 0, "The nodes read again: %zu behind.",
	    d->nbehind);
	return 1;
}

static int
act_close(struct tui_win *w, int key)
{
	tui_pop(w->tui);
	return 1;
}

static const struct tui_action nodes_actions[] = {
	{ { 'g', 'n' }, "read again", "read the nodes again from etcd",
	    act_reread, 0 },
	{ { 'j', KEY_DOWN }, "scroll", "scroll down", act_down, 0 },
	{ { 'k', KEY_UP }, "scroll", "scroll up", act_up, 0 },
	{ { KEY_NPAGE, ' ' }, "page", "page down", act_page_down, 0 },
	{ { KEY_PPAGE }, "page", "page up", act_page_up, 0 },
	{ { 'q', TUI_ESC }, "close", "close the nodes", act_close, 0 },
};

const struct tui_keymap nodes_keymap = KEYMAP("In the fleet's nodes (n)",
    nodes_actions);
static const struct tui_keymap *const nodes_maps[] = { &nodes_keymap, NULL };
static const int nodes_hints[] = { 'g', 'j', 'k', KEY_PPAGE, KEY_NPAGE,
    'q', 0 };

static void
nodes_draw(struct tui_win *w, const struct tui_rect *screen)
{
	struct nodes_data	*d = w->data;
	struct tui_rect		 r;
	size_t			 i;
	int			 y, h;

	h = (int)d->n + 2;
	if (h > screen->h - 2)
		h = screen->h - 2;
	r = draw_centre(h, screen->w - 2 < NODES_WIDTH ? screen->w - 2 :
	    NODES_WIDTH);
	draw_box_clear(w->tui, &r);
	draw_frame(w->tui, &r, "Fleet nodes", 1);
	d->height = r.h - 2;
	nodes_scroll(d, 0);
	for (y = 0; y < r.h - 2; y++) {
		i = d->scroll + (size_t)y;
		if (i >= d->n)
			break;
		draw_text(w->tui, r.y + 1 + y, r.x + 2, r.w - 4, d->v[i].text,
		    draw_attr(w->tui, d->v[i].color) | d->v[i].attr);
	}
}

const struct tui_mode tui_mode_nodes = {
	"nodes", nodes_init, nodes_free, NULL, nodes_draw, NULL,
	NULL, nodes_maps, nodes_hints, NULL
};

void
tui_nodes(struct tui *t)
{
	if (t->loc == NULL || !location_remote(t->loc)) {
		tui_message(t, 0, "n shows the nodes of a fleet: open an etcd "
		    "location (certbind -c etcd://HOST:PORT/PREFIX).");
		return;
	}
	tui_push(t, &tui_mode_nodes, NULL);
}
