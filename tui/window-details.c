/*
 * The details pane: everything about the key selected in the keys pane:
 * its files, the certificate's subject, names, issuer, validity, key type
 * and fingerprint, where it is bound, and its findings; for a key managed
 * by ACME, its domains and challenge, the next renewal, the last attempt
 * and the CA's last problem; its note. All of it comes from files,
 * certificates and CAs, so every value is escaped before it is drawn.
 * With the focus, j/k scroll it.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "tui/tui-int.h"

#define LABELW	10

struct details_line {
	const char	*label;
	char		*value;		/* escaped */
	enum tui_color	 color;
};

struct details_data {
	size_t		 scroll;
	char		*shown;		/* the key the scroll belongs to */
	int		 height;
};

static void
details_init(struct tui_win *w, void *arg)
{
	w->data = xcalloc(1, sizeof(struct details_data));
}

static void
details_free(struct tui_win *w)
{
	struct details_data	*d = w->data;

	free(d->shown);
	free(d);
}

static void
add(struct details_line **v, size_t *n, const char *label, char *value,
    enum tui_color color)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n].label = label;
	(*v)[*n].value = value;
	(*v)[*n].color = color;
	(*n)++;
}

static void
add_untrusted(struct tui *t, struct details_line **v, size_t *n,
    const char *label, const char *value)
{
	add(v, n, label, escape_str(value, t->escflags), TC_NORMAL);
}

/* NULL equals only NULL. */
static int
str_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * --propose: what the proposal does to key k, as a line: it adds the key,
 * or the settings it changes by their names in the file. Nothing when it
 * leaves the key as the file has it.
 */
static void
proposal_line(struct tui *t, const struct config_key *k,
    struct details_line **v, size_t *n)
{
	const struct config_key	*o;
	char			*s, *p;

	if (!t->proposing || t->orig == NULL)
		return;
	if ((o = config_key_find(t->orig, k->name)) == NULL) {
		add(v, n, "Proposal", xstrdup("adds this key"), TC_ADDED);
		return;
	}
	s = xstrdup("");
#define CHANGED(what) do {						\
	p = xasprintf("%s%s%s", s, *s != '\0' ? ", " : "", what);	\
	free(s);							\
	s = p;								\
} while (0)
	if (!str_same(o->key, k->key))
		CHANGED("key");
	if (!str_same(o->cert, k->cert))
		CHANGED("cert");
	if (!str_same(o->request, k->request))
		CHANGED("request");
	if (!config_key_acme_equal(o->acme, k->acme))
		CHANGED("acme");
	if (!str_same(o->note, k->note))
		CHANGED("note");
#undef CHANGED
	if (*s == '\0') {
		free(s);
		return;
	}
	p = xasprintf("changes %s", s);
	free(s);
	add(v, n, "Proposal", p, TC_ADDED);
}

static char *
fmt_time(time_t when)
{
	struct tm	tm;
	char		buf[64];

	if (gmtime_r(&when, &tm) == NULL)
		return xstrdup("?");
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
	return xstrdup(buf);
}

/* "2027-01-15 10:00 UTC", or "-" for no time. */
static char *
fmt_when(time_t when)
{
	return when > 0 ? fmt_time(when) : xstrdup("-");
}

/* The last attempt and, if it failed, the CA's problem (escaped). */
static void
last_try(struct tui *t, const struct acme_key_status *st,
    struct details_line **v, size_t *n)
{
	char	*s, *w1, *w2;

	w1 = fmt_when(st->last_attempt);
	if (st->last_ok)
		s = xasprintf("%s, succeeded", w1);
	else {
		w2 = fmt_when(st->next_retry);
		s = xasprintf("%s, failed (%u in a row); next try %s", w1,
		    st->failures, w2);
		free(w2);
	}
	free(w1);
	add(v, n, "Last try", escape_str(s, t->escflags), st->last_ok ?
	    TC_NORMAL : TC_ERROR);
	free(s);
	if (st->problem != NULL && !st->last_ok)
		add(v, n, "Problem", escape_str(st->problem, t->escflags),
		    TC_ERROR);
}

/*
 * The ACME lines of key ki: what it asks the CA for, when it renews, how
 * the last attempt went. The problem is the CA's text: escaped.
 */
static void
acme_lines(struct tui *t, ssize_t ki, const struct config_key *k,
    struct details_line **v, size_t *n)
{
	const struct tui_acmecache	*ac = tui_acme(t, (size_t)ki);
	const struct config_key_acme	*a = k->acme;
	const struct acme_key_status	*st;
	char				*s, *p, *w1;
	size_t				 i;
	time_t				 now;

	if (ac == NULL || a == NULL)
		return;
	s = xasprintf("%s:", a->challenge != NULL ? a->challenge :
	    "tls-alpn-01");
	for (i = 0; i < a->ndomains; i++) {
		p = xasprintf("%s%s %s", s, i > 0 ? "," : "", a->domains[i]);
		free(s);
		s = p;
	}
	add_untrusted(t, v, n, "ACME", s);
	free(s);
	if (!ac->have) {
		add(v, n, "ACME state", escape_str(ac->error, t->escflags),
		    TC_ERROR);
		return;
	}
	st = &ac->st;
	now = t->now != 0 ? t->now : time(NULL);
	/* A failing renewal first: at 80x24 the pane shows six lines. */
	if (st->last_attempt > 0 && !st->last_ok)
		last_try(t, st, v, n);
	if (st->not_after == 0)
		s = xstrdup("now: no certificate yet");
	else {
		w1 = fmt_time(st->due);
		s = xasprintf("%s%s (%s)", st->due <= now ? "due since " : "",
		    w1, st->ari ? "the CA's renewal window" :
		    "2/3 of the lifetime");
		free(w1);
	}
	add(v, n, "Renews", escape_str(s, t->escflags),
	    st->not_after == 0 || st->due <= now ? TC_WARNING : TC_NORMAL);
	free(s);
	if (tui_acme_adopted(t, k->name))
		add_untrusted(t, v, n, "Order", "renewed in this session, "
		    "not written yet: r reviews, c commits");
	else if (st->order_pending)
		add(v, n, "Order", xstrdup("a stopped run left an order: the "
		    "next a (or acme renew) resumes it"), TC_WARNING);
	if (st->last_attempt > 0 && st->last_ok)
		last_try(t, st, v, n);
}

static struct details_line *
details_lines(struct tui *t, const char *name, size_t *n)
{
	struct details_line	*v = NULL;
	const struct config_key	*k;
	const struct config_binding *b;
	const struct finding	*f;
	struct cert		*c;
	const char		*err, *san;
	char			*s, *p, *a, *bb, *valid, ep[ENDPOINT_STRLEN];
	size_t			 i, nb, shown;
	ssize_t			 ki;
	int			 is_ip;
	long			 days;

	*n = 0;
	if (name == NULL || (ki = config_key_index(t->edit, name)) < 0)
		return NULL;
	k = config_key(t->edit, (size_t)ki);
	add_untrusted(t, &v, n, "Name", k->name);
	proposal_line(t, k, &v, n);
	/* The certificate first: at 80x24 the pane shows six lines. */
	c = tui_cert(t, (size_t)ki, &err);
	if (c != NULL) {
		a = fmt_time(cert_not_before(c));
		bb = fmt_time(cert_not_after(c));
		days = cert_days_left(c, t->now != 0 ? t->now : time(NULL));
		bb[10] = '\0';	/* the date: the time is on the Valid line */
		s = xasprintf("%s, %s%ld day%s%s", bb, days < 0 ? "" : "in ",
		    days < 0 ? -days : days, days == 1 || days == -1 ? "" : "s",
		    days < 0 ? " ago" : "");
		add(&v, n, "Expires", escape_str(s, t->escflags), days < 0 ?
		    TC_ERROR : (t->key_marks[ki] & MK_EXPIRING) ? TC_WARNING :
		    TC_NORMAL);
		free(s);
		/* Next to the expiry: when ACME renews it. */
		acme_lines(t, ki, k, &v, n);
		free(bb);
		bb = fmt_time(cert_not_after(c));
		s = xasprintf("%s to %s", a, bb);
		valid = escape_str(s, t->escflags);
		free(s);
		free(a);
		free(bb);
		s = xstrdup("");
		for (i = 0; i < cert_nsans(c); i++) {
			san = cert_san(c, i, &is_ip);
			p = xasprintf("%s%s%s%s", s, i ? ", " : "",
			    is_ip ? "IP:" : "", san);
			free(s);
			s = p;
		}
		add_untrusted(t, &v, n, "Names", *s != '\0' ? s : "(none)");
		free(s);
		add_untrusted(t, &v, n, "Subject", cert_subject(c));
		add_untrusted(t, &v, n, "Issuer", cert_issuer(c));
		s = xasprintf("%s, %u bits, signed %s", cert_key_type(c),
		    cert_key_bits(c), cert_sig_algo(c));
		add_untrusted(t, &v, n, "Key type", s);
		free(s);
		add_untrusted(t, &v, n, "SHA-256", cert_fingerprint(c));
		add(&v, n, "Valid", valid, TC_NORMAL);
	} else {
		if (err != NULL)
			add(&v, n, "Cert", escape_str(err, t->escflags),
			    TC_ERROR);
		else if (k->cert == NULL)
			add_untrusted(t, &v, n, "State", "pending: waiting "
			    "for the CA's answer to its request");
		acme_lines(t, ki, k, &v, n);
	}
	add_untrusted(t, &v, n, "Key file", k->key);
	add_untrusted(t, &v, n, "Cert file", k->cert != NULL ? k->cert :
	    "(none)");
	if (k->request != NULL)
		add_untrusted(t, &v, n, "Request", k->request);
	if (k->note != NULL)
		add_untrusted(t, &v, n, "Note", k->note);

	/* Where it is bound; with 100,000 bindings, say how many. */
	s = xstrdup("");
	nb = config_nbindings(t->edit);
	shown = 0;
	for (i = 0; i < nb; i++) {
		b = config_binding(t->edit, i);
		if (strcmp(b->key, k->name) != 0)
			continue;
		if (++shown > 20)
			continue;
		endpoint_format(&b->ep, ep);
		p = xasprintf("%s%s%s%s%s", s, *s ? ", " : "", ep,
		    b->sni != NULL ? " sni=" : "", b->sni != NULL ? b->sni : "");
		free(s);
		s = p;
	}
	if (shown > 20) {
		p = xasprintf("%s and %zu more", s, shown - 20);
		free(s);
		s = p;
	}
	add_untrusted(t, &v, n, "Bound to", shown ? s : "(not bound)");
	free(s);

	for (i = 0; i < t->found.n; i++) {
		f = &t->found.v[i];
		if (f->kind != FK_KEY || f->index != ki)
			continue;
		s = xasprintf("%s %s: %s", severity_name(f->severity), f->code,
		    f->message);
		add(&v, n, "Finding", escape_str(s, t->escflags),
		    f->severity == SEV_ERROR ? TC_ERROR :
		    f->severity == SEV_WARNING ? TC_WARNING : TC_NORMAL);
		free(s);
	}
	return v;
}

static int
act_down(struct tui_win *w, int key)
{
	struct details_data	*d = w->data;

	d->scroll++;
	return 1;
}

static int
act_up(struct tui_win *w, int key)
{
	struct details_data	*d = w->data;

	if (d->scroll > 0)
		d->scroll--;
	return 1;
}

static int
act_page_down(struct tui_win *w, int key)
{
	struct details_data	*d = w->data;

	d->scroll += d->height > 1 ? (size_t)d->height - 1 : 1;
	return 1;
}

static int
act_page_up(struct tui_win *w, int key)
{
	struct details_data	*d = w->data;

	d->scroll = d->scroll > (size_t)d->height ?
	    d->scroll - (size_t)d->height : 0;
	return 1;
}

static int
act_back(struct tui_win *w, int key)
{
	w->tui->focus = TUI_PANE_KEYS;
	return 1;
}

static const struct tui_action details_actions[] = {
	{ { 'j', KEY_DOWN }, "scroll", "scroll down", act_down, 0 },
	{ { 'k', KEY_UP }, "scroll", "scroll up", act_up, 0 },
	{ { KEY_NPAGE, ' ' }, NULL, "page down", act_page_down, 0 },
	{ { KEY_PPAGE }, NULL, "page up", act_page_up, 0 },
	{ { '\n', '\r', KEY_ENTER, TUI_ESC }, "back to keys",
	    "back to the keys pane", act_back, 0 },
};

const struct tui_keymap details_keymap = KEYMAP("In the details pane",
    details_actions);

static const struct tui_keymap *const details_maps[] = {
	&details_keymap, NULL
};

static const int details_hints[] = {
	'j', 'k', '\n', TUI_ESC, '\t', '?', 'q', 0
};

static void
details_draw(struct tui_win *w, const struct tui_rect *r)
{
	struct details_data	*d = w->data;
	struct tui		*t = w->tui;
	struct details_line	*v;
	const char		*name = tui_selected_key(t);
	char			**wr;
	size_t			 n, nw, i, j, line = 0;
	int			 y = 0, inner = r->h - 2, vw = r->w - 3 - LABELW;

	draw_frame(t, r, "Details", t->focus == TUI_PANE_DETAILS);
	d->height = inner;
	if (name == NULL || d->shown == NULL || strcmp(name, d->shown) != 0) {
		d->scroll = 0;
		free(d->shown);
		d->shown = name != NULL ? xstrdup(name) : NULL;
	}
	v = details_lines(t, name, &n);
	if (n == 0) {
		draw_text(t, r->y + 1, r->x + 2, r->w - 3, "(no key selected)",
		    A_DIM);
		return;
	}
	for (i = 0; i < n && y < inner; i++) {
		wr = draw_wrap(t, v[i].value, vw, &nw);
		for (j = 0; j < nw && y < inner; j++, line++) {
			if (line < d->scroll)
				continue;
			if (j == 0)
				draw_text(t, r->y + 1 + y, r->x + 2, LABELW,
				    v[i].label, A_BOLD);
			draw_text(t, r->y + 1 + y, r->x + 2 + LABELW, vw,
			    wr[j], draw_attr(t, v[i].color));
			y++;
		}
		draw_wrap_free(wr, nw);
	}
	if (line <= d->scroll && d->scroll > 0)
		d->scroll = line > 0 ? line - 1 : 0;
	for (i = 0; i < n; i++)
		free(v[i].value);
	free(v);
}

const struct tui_mode tui_mode_details = {
	"details", details_init, details_free, NULL, details_draw, NULL,
	NULL, details_maps, details_hints, NULL
};
