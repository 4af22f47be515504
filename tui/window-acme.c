/*
 * ACME in the key manager: the action a, the overlay that shows an order's
 * progress, the orders the session adopted, and the reload after their
 * commit.
 *
 * An order blocks: it waits for the CA, up to ACME_ORDER_TIMEOUT_S. The
 * overlay is drawn again from the progress callback, each line the op
 * layer sends (the CA's words: escaped), and says plainly that the work
 * cannot be interrupted; keys typed meanwhile are dropped, not run later
 * against a screen the user did not see.
 *
 * A finished order is adopted like every other change: its result becomes
 * the edited copy, r reviews it and c commits it. Until then the state
 * file keeps the order and its files; after the commit the session tells
 * op/acme.h (acme_order_committed) and offers to reload certbindd. A
 * session that ends without committing leaves the order for the next run
 * to resume, so an issued certificate is never thrown away.
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "op/location.h"
#include "op/reload.h"
#include "op/renewlock.h"
#include "tui/tui-int.h"

const char *
tui_acme_word(struct tui *t, size_t i, int wide, char *buf, size_t len,
    enum tui_color *color)
{
	const struct tui_acmecache	*ac = tui_acme(t, i);
	struct tm			 tm;
	time_t				 now;

	if (ac == NULL)
		return NULL;
	*color = TC_WARNING;
	if (!ac->have) {
		*color = TC_ERROR;
		return wide ? "acme: no state" : "acme ?";
	}
	if (tui_acme_adopted(t, config_key(t->edit, i)->name))
		return wide ? "renewed, unsaved" : "unsaved";
	if (ac->st.failures > 0) {
		*color = TC_ERROR;
		return wide ? "RENEWAL FAILING" : "FAILING";
	}
	if (ac->st.order_pending)
		return wide ? "order unfinished" : "unfinished";
	if (ac->st.not_after == 0)
		return wide ? "acme: order now" : "order now";
	now = t->now != 0 ? t->now : time(NULL);
	if (ac->st.due <= now)
		return wide ? "renewal due now" : "due now";
	*color = TC_OK;
	if (gmtime_r(&ac->st.due, &tm) == NULL ||
	    strftime(buf, len, wide ? "renews %Y-%m-%d" : "%Y-%m-%d", &tm) == 0)
		return "?";
	return buf;
}

/* The progress overlay. */
enum progress_state {
	PS_WORKING,
	PS_DONE,
	PS_FAILED
};

struct progress {
	char			*title;		/* raw */
	struct errlist		 lines;		/* raw: they quote the CA */
	enum progress_state	 state;
	char			*result;	/* raw: may quote the CA */
	const char		*after;		/* ours: a line under it */
	time_t			 start;
};

struct progress_run {
	struct tui	*t;
	struct progress	*p;
};

static void
progress_init(struct tui_win *w, void *arg)
{
	w->data = arg;
}

static void
progress_free(struct tui_win *w)
{
	struct progress	*p = w->data;

	free(p->title);
	free(p->result);
	errlist_clear(&p->lines);
	free(p);
}

static int
act_progress_close(struct tui_win *w, int key)
{
	struct progress	*p = w->data;

	/* No key is read while it works; this is for safety. */
	if (p->state == PS_WORKING)
		return 1;
	tui_pop(w->tui);
	return 1;
}

static const struct tui_action progress_actions[] = {
	{ { '\n', '\r', KEY_ENTER, TUI_ESC }, "close", NULL,
	    act_progress_close, 0 },
	{ { 'q' }, NULL, NULL, act_progress_close, 0 },
};

static const struct tui_keymap progress_keymap = KEYMAP("ACME order",
    progress_actions);
static const struct tui_keymap *const progress_maps[] = {
	&progress_keymap, NULL
};
static const int progress_hints[] = { '\n', TUI_ESC, 0 };

/* Wrapped escaped text from row y; returns the next row. */
static int
progress_para(struct tui *t, int y, int x, int w, int ymax, const char *s,
    attr_t attr)
{
	char	**lines, *e;
	size_t	  n, i;

	e = escape_str(s, t->escflags);
	lines = draw_wrap(t, e, w, &n);
	for (i = 0; i < n && y < ymax; i++)
		draw_text(t, y++, x, w, lines[i], attr);
	draw_wrap_free(lines, n);
	free(e);
	return y;
}

static void
progress_draw(struct tui_win *w, const struct tui_rect *screen)
{
	struct progress	*p = w->data;
	struct tui	*t = w->tui;
	struct tui_rect	 r;
	char		*s, *e, **wl, **rows;
	size_t		 i, j, nw, nrows, first, room;
	int		 y, ymax, reserve;

	r = draw_centre(LINES - 2, COLS - 4 < 76 ? COLS - 4 : 76);
	draw_box_clear(t, &r);
	draw_frame(t, &r, NULL, 1);
	s = xasprintf(" %s ", p->title);
	draw_untrusted(t, r.y, r.x + 1, r.w - 3, s, A_BOLD);
	free(s);
	y = r.y + 1;
	ymax = r.y + r.h - 2;
	if (p->state == PS_WORKING) {
		s = xasprintf("Working... %ld s. The CA validates each "
		    "domain; this cannot be interrupted (Esc does nothing) and "
		    "ends by itself within %d minutes.",
		    (long)(time(NULL) - p->start), ACME_ORDER_TIMEOUT_S / 60);
		y = progress_para(t, y, r.x + 2, r.w - 4, ymax, s, A_BOLD);
		free(s);
		reserve = 0;
	} else
		reserve = 6;
	y++;
	/* The last rows that fit, wrapped, leaving room for the result. */
	room = ymax - y - reserve > 0 ? (size_t)(ymax - y - reserve) : 0;
	rows = NULL;
	nrows = 0;
	for (i = 0; i < p->lines.n; i++) {
		e = escape_str(p->lines.v[i], t->escflags);
		wl = draw_wrap(t, e, r.w - 6, &nw);
		for (j = 0; j < nw; j++) {
			rows = xreallocarray(rows, nrows + 1, sizeof *rows);
			rows[nrows++] = xasprintf("%s%s", j > 0 ? "  " : "",
			    wl[j]);
		}
		draw_wrap_free(wl, nw);
		free(e);
	}
	first = nrows > room ? nrows - room : 0;
	for (i = first; i < nrows && y < ymax - reserve; i++)
		draw_text(t, y++, r.x + 2, r.w - 4, rows[i], A_NORMAL);
	for (i = 0; i < nrows; i++)
		free(rows[i]);
	free(rows);
	if (p->state != PS_WORKING && p->result != NULL) {
		y++;
		y = progress_para(t, y, r.x + 2, r.w - 4, ymax, p->result,
		    draw_attr(t, p->state == PS_FAILED ? TC_ERROR : TC_OK) |
		    A_BOLD);
		if (p->after != NULL)
			progress_para(t, y, r.x + 2, r.w - 4, ymax, p->after,
			    A_BOLD);
	}
	if (p->state != PS_WORKING) {
		s = action_hints(progress_maps, progress_hints);
		draw_text(t, r.y + r.h - 2, r.x + 2, r.w - 4, s, A_DIM);
		free(s);
	}
}

static const struct tui_mode tui_mode_acme_progress = {
	"acme-progress", progress_init, progress_free, NULL, progress_draw,
	NULL, "ACME order: Enter closes when it is done", progress_maps,
	progress_hints, NULL
};

/* A line from the op layer: kept raw, drawn escaped, drawn now. */
static void
progress_line(void *arg, const char *line)
{
	struct progress_run	*run = arg;

	errlist_add(&run->p->lines, "%s", line);
	tui_draw(run->t);
}

int
tui_acme_adopted(struct tui *t, const char *name)
{
	size_t	i;

	for (i = 0; i < t->norders; i++) {
		if (strcmp(t->orders[i].name, name) == 0)
			return 1;
	}
	return 0;
}

static void
adopt(struct tui *t, const char *name, struct config *after,
    struct lifecycle_files *lf)
{
	const struct config_key	*k = config_key_find(after, name);
	struct tui_acme_order	*o;

	t->orders = xreallocarray(t->orders, t->norders + 1,
	    sizeof *t->orders);
	o = &t->orders[t->norders++];
	o->name = xstrdup(name);
	o->cert = k != NULL && k->cert != NULL ? xstrdup(k->cert) : NULL;
	o->lf = *lf;
	memset(lf, 0, sizeof *lf);
}

int
tui_acme_order(struct tui *t, const char *name_arg,
    const struct config_key_acme *spec, const char *bind, const char *sni,
    struct acme_ordered *res)
{
	struct acme_order_opts	 o;
	struct lifecycle_files	 lf;
	struct progress		*p;
	struct progress_run	 run;
	struct config		*after = NULL;
	struct renewlock	*rl;
	char			*cause = NULL, *name, date[32];
	struct tm		 tm;
	int			 rc;

	memset(res, 0, sizeof *res);
	p = xcalloc(1, sizeof *p);
	p->title = xasprintf("ACME: a certificate for key %s", name_arg);
	p->start = time(NULL);
	if (tui_push(t, &tui_mode_acme_progress, p) == NULL) {
		progress_free(&(struct tui_win){ NULL, t, p });
		tui_message(t, 1, "Too many windows open: close one first.");
		return -1;
	}
	/* name_arg may live in the edited copy, which the result replaces. */
	name = xstrdup(name_arg);
	memset(&o, 0, sizeof o);
	o.name = name;
	o.spec = spec;
	o.preflight = 1;
	o.bind = bind;
	o.sni = sni;
	o.progress = progress_line;
	run.t = t;
	run.p = p;
	o.arg = &run;
	memset(&lf, 0, sizeof lf);
	/*
	 * In a fleet, one order at a time (op/renewlock.h). The UI holds
	 * the lock for the order only, not while the user reviews: its
	 * commit is refused anyway if someone wrote the config meanwhile.
	 */
	rl = renewlock_new(t->loc);
	o.lock = renewlock_hook(rl);
	tui_draw(t);
	rc = acme_order(t->edit, &o, &after, &lf, res, &cause);
	acme_ordered_release(res);
	renewlock_free(rl);
	/* What was typed while it worked was typed blind: dropped. */
	flushinp();
	if (rc != 0) {
		lifecycle_files_free(&lf);
		p->state = PS_FAILED;
		p->result = xasprintf("The order failed: %s", cause != NULL ?
		    cause : "(no reason given)");
		p->after = "Nothing was changed: the config and what "
		    "certbindd serves are as they were.";
		free(cause);
		free(name);
		return -1;
	}
	adopt(t, name, after, &lf);
	tui_replace_edit(t, after);
	keys_select(t, name);
	if (res->not_after > 0 && gmtime_r(&res->not_after, &tm) != NULL)
		strftime(date, sizeof date, "%Y-%m-%d", &tm);
	else
		snprintf(date, sizeof date, "?");
	p->state = PS_DONE;
	p->result = xasprintf("Key %s has its new certificate (expires %s, "
	    "SHA-256 %s). It is in memory only: r reviews the change, c "
	    "commits it, and certbindd can be reloaded then.", name, date,
	    res->fingerprint != NULL ? res->fingerprint : "?");
	tui_message(t, 0, "Key %s: new certificate in memory only: r "
	    "reviews, c commits.", name);
	free(name);
	return 0;
}

/* y to "renew now?": the key's own acme block, copied. */
static void
renew_answer(struct tui *t, void *arg, int yes)
{
	char			*name = arg;
	const struct config_key	*k;
	struct config_key_acme	*spec;
	struct acme_ordered	 res;

	if (yes && (k = config_key_find(t->edit, name)) != NULL &&
	    k->acme != NULL) {
		spec = config_key_acme_dup(k->acme);
		(void)tui_acme_order(t, name, spec, NULL, NULL, &res);
		acme_ordered_free(&res);
		config_key_acme_free(spec);
	} else if (!yes)
		tui_message(t, 0, "Not renewed.");
	free(name);
}

static void
register_answer(struct tui *t, void *arg, int yes)
{
	char	*name = arg;

	if (yes)
		walkthrough_acme(t, name);
	else
		tui_message(t, 0, "On the command line: certbind acme register "
		    "--server URL --agree-tos; or w, then 1.");
	free(name);
}

void
tui_acme_action(struct tui *t)
{
	const struct config_acme	*a = config_acme(t->edit);
	const struct config_key		*k = NULL;
	const char			*sel = tui_selected_key(t);
	char				*q, *p, *e;
	size_t				 i;

	if (t->readonly) {
		tui_message(t, 1, "Read-only session: %s", t->holder != NULL ?
		    t->holder : "the config is locked");
		return;
	}
	if (sel != NULL)
		k = config_key_find(t->edit, sel);
	if (a == NULL || a->server == NULL) {
		tui_confirm(t, "The config has no ACME account yet (no acme "
		    "group). Register one with a CA now, in the walkthrough? "
		    "(y/n)", register_answer, k != NULL && k->cert != NULL &&
		    k->acme == NULL ? xstrdup(k->name) : NULL);
		return;
	}
	if (k != NULL && tui_acme_adopted(t, k->name)) {
		tui_message(t, 0, "Key %s was renewed in this session: c "
		    "commits it (r reviews).", k->name);
		return;
	}
	if (k == NULL || k->acme == NULL) {
		/* A form for the order: the walkthrough's. */
		walkthrough_acme(t, k != NULL && k->cert != NULL ? k->name :
		    NULL);
		return;
	}
	p = xasprintf("%s (%s:", k->name, k->acme->challenge != NULL ?
	    k->acme->challenge : "tls-alpn-01");
	for (i = 0; i < k->acme->ndomains; i++) {
		q = xasprintf("%s %s", p, k->acme->domains[i]);
		free(p);
		p = q;
	}
	e = escape_str(p, t->escflags);
	free(p);
	q = xasprintf("Renew key %s) now from the CA? It waits for the CA, "
	    "and cannot be interrupted. (y/n)", e);
	free(e);
	tui_confirm(t, q, renew_answer, xstrdup(k->name));
	free(q);
}

/* What reload_verify() saw served as the config says. */
static void
served_line(void *arg, const char *object, const char *key, const char *fpr)
{
	struct errlist	*el = arg;

	errlist_add(el, "%s: key %s, SHA-256 %s", object,
	    key != NULL ? key : "(none: refused)", fpr != NULL ? fpr : "-");
}

static char *
append(char *s, const char *raw, int escflags)
{
	char	*e, *n;

	e = escape_str(raw, escflags);
	n = xasprintf("%s%s\n", s, e);
	free(e);
	free(s);
	return n;
}

void
tui_reload(struct tui *t)
{
	const struct config_server	*srv = config_server(t->orig);
	struct findings			 fs = FINDINGS_INIT;
	struct errlist			 el = ERRLIST_INIT;
	const struct finding		*f;
	char				*cause = NULL, *text, *s;
	size_t				 left, i;

	if (srv == NULL || srv->pidfile == NULL) {
		tui_show_text(t, "Reload", "The config has no server.pidfile, "
		    "so certbind cannot find certbindd to reload it. Reload "
		    "it yourself (systemctl reload certbindd, or kill -HUP), "
		    "then p probes what it serves.");
		return;
	}
	tui_message(t, 0, "Reloading certbindd and probing what it serves "
	    "(up to %d s; working, this cannot be interrupted)...",
	    RELOAD_VERIFY_MS / 1000);
	tui_draw(t);
	if (certbindd_signal(t->orig, SIGHUP, &cause) != 0) {
		text = append(xstrdup("certbindd was not reloaded:\n\n"),
		    cause, t->escflags);
		tui_show_text(t, "Not reloaded", text);
		tui_message(t, 1, "certbindd was not reloaded.");
		free(text);
		free(cause);
		return;
	}
	left = reload_verify(t->orig, RELOAD_VERIFY_MS, served_line, &el,
	    &fs);
	flushinp();
	text = xstrdup("certbindd was reloaded (SIGHUP), then probed.\n\n");
	if (el.n > 0)
		text = append(text, "Served as the config says:", 0);
	for (i = 0; i < el.n; i++) {
		s = xasprintf("  %s", el.v[i]);
		text = append(text, s, t->escflags);
		free(s);
	}
	if (fs.n > 0)
		text = append(text, "\nNot as the config says:", 0);
	for (i = 0; i < fs.n; i++) {
		f = &fs.v[i];
		s = xasprintf("  %s %s %s: %s", severity_name(f->severity),
		    f->code, f->object != NULL ? f->object : "-", f->message);
		text = append(text, s, t->escflags);
		free(s);
	}
	if (el.n == 0 && fs.n == 0)
		text = append(text, "The config has no listener to probe.", 0);
	tui_show_text(t, left != 0 ? "Reloaded: not as the config says" :
	    "Reloaded and served", text);
	tui_message(t, left != 0, left != 0 ? "certbindd does not serve what "
	    "the config says yet: see the list." : "certbindd reloaded; it "
	    "serves what the config says.");
	free(text);
	errlist_clear(&el);
	findings_clear(&fs);
}

static void
reload_answer(struct tui *t, void *arg, int yes)
{
	if (yes)
		tui_reload(t);
	else
		tui_message(t, 0, "Written, not reloaded: reload certbindd "
		    "(systemctl reload certbindd), then p probes it.");
}

static void
order_free(struct tui_acme_order *o)
{
	lifecycle_files_free(&o->lf);
	free(o->name);
	free(o->cert);
}

void
tui_acme_committed(struct tui *t)
{
	const struct config_server	*srv;
	const struct config_key		*k;
	struct tui_acme_order		*o;
	char				*cause = NULL;
	size_t				 i, written = 0;
	int				 ok;

	if (t->norders == 0)
		return;
	for (i = 0; i < t->norders; i++) {
		o = &t->orders[i];
		k = config_key_find(t->orig, o->name);
		ok = k != NULL && k->cert != NULL && o->cert != NULL &&
		    strcmp(k->cert, o->cert) == 0;
		acme_order_committed(t->orig, o->name, ok, &o->lf);
		written += ok;
		order_free(o);
	}
	free(t->orders);
	t->orders = NULL;
	t->norders = 0;
	/* The state files changed: the rows say so. */
	tui_changed(t);
	/* In a fleet, every node must see the orders done (as the CLI). */
	if (location_remote(t->loc) &&
	    location_push(t->loc, NULL, &cause) != LOCATION_PUSHED) {
		tui_message(t, 1, "The orders' state did not reach etcd: %s",
		    cause);
		free(cause);
		return;
	}
	if (written == 0)
		return;
	if (location_remote(t->loc)) {
		tui_message(t, 0, "Written, with the new certificate: the "
		    "nodes load it as they see it (n shows them).");
		return;
	}
	srv = config_server(t->orig);
	if (srv == NULL || srv->pidfile == NULL) {
		tui_message(t, 0, "Written. The config has no server.pidfile: "
		    "reload certbindd yourself, then p probes it.");
		return;
	}
	tui_confirm(t, "Written, with the new certificate. Reload certbindd "
	    "now and probe that it serves it? (y/n)", reload_answer, NULL);
}

void
tui_acme_forget(struct tui *t)
{
	size_t	i;

	for (i = 0; i < t->norders; i++) {
		acme_order_committed(t->orig, t->orders[i].name, 0,
		    &t->orders[i].lf);
		order_free(&t->orders[i]);
	}
	free(t->orders);
	t->orders = NULL;
	t->norders = 0;
}
