/*
 * The walkthrough's last steps (tui/walkthrough.h): what was made, its
 * bindings through the key manager's own bind dialog, the listener a
 * binding needs, the review of the whole change with the findings it adds
 * (findings_diff(), as commit and the command line), the commit, and the
 * reload of certbindd: done here (r) when the config names its pidfile,
 * with what it then serves, else the command that does it.
 */

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "core/listenset.h"
#include "util/xmalloc.h"
#include "op/location.h"
#include "tui/tui-int.h"
#include "tui/walkthrough.h"

static void
draw_ready(struct walkthrough *w, struct tui *t)
{
	size_t	i;
	int	y = 2;

	wt_page(w, t, "the key is ready");
	for (i = 0; i < w->info.n && y < LINES - 3; i++) {
		y = wt_para(t, y, 2, COLS - 4, LINES - 3, w->info.v[i],
		    strncmp(w->info.v[i], "chain incomplete", 16) == 0 ?
		    draw_attr(t, TC_WARNING) : strncmp(w->info.v[i],
		    "chain complete", 14) == 0 ? draw_attr(t, TC_OK) :
		    A_NORMAL);
	}
	y++;
	wt_para(t, y, 2, COLS - 4, LINES - 3, "Nothing is written to the "
	    "config yet. Next, say where certbindd serves it: an address of "
	    "this host (or All unassigned), a port and, if several sites "
	    "share the address, the name clients ask for (SNI).", A_NORMAL);
	wt_message(t, w);
}

void
wt_start_bind(struct walkthrough *w, struct tui *t)
{
	w->step = WT_BIND;
	wt_problem(w, NULL);
	keys_select(t, w->name);
	dialog_bind(t);
}

static void
draw_bind(struct walkthrough *w, struct tui *t)
{
	const struct config_binding	*b;
	char				 ep[ENDPOINT_STRLEN], *s;
	size_t				 i, n = 0;
	int				 y = 2;

	wt_page(w, t, "bind");
	s = xasprintf("Bindings of key %s:", w->name);
	draw_untrusted(t, y++, 2, COLS - 4, s, A_BOLD);
	free(s);
	for (i = 0; i < config_nbindings(t->edit) && y < LINES - 4; i++) {
		b = config_binding(t->edit, i);
		if (strcmp(b->key, w->name) != 0)
			continue;
		n++;
		endpoint_format(&b->ep, ep);
		s = xasprintf("  %s%s%s%s", ep, b->sni != NULL ? " sni=" : "",
		    b->sni != NULL ? b->sni : "",
		    listenset_config_reaches(t->edit, &b->ep) ? "" :
		    "   (no listener yet)");
		draw_untrusted(t, y++, 2, COLS - 4, s, A_NORMAL);
		free(s);
	}
	if (n == 0)
		draw_text(t, y++, 2, COLS - 4, "  none yet: b opens the bind "
		    "dialog", A_DIM);
	wt_message(t, w);
}

/* After a binding: a listener for it if it has none, else the review. */
void
wt_bind_next(struct walkthrough *w, struct tui *t)
{
	const struct config_binding	*b;
	size_t				 i;

	for (i = 0; i < config_nbindings(t->edit); i++) {
		b = config_binding(t->edit, i);
		if (strcmp(b->key, w->name) != 0 ||
		    listenset_config_reaches(t->edit, &b->ep) ||
		    endpoint_any_port(&b->ep))
			continue;
		w->listen_ep = b->ep;
		form_clear(&w->form);
		form_add(&w->form, "Backend", "127.0.0.1:8080");
		w->form.f[0].hint = "ADDRESS:PORT";
		w->step = WT_LISTEN;
		return;
	}
	w->step = WT_REVIEW;
}

static int
act_bind(struct tui_win *win, int key)
{
	wt_start_bind(win->data, win->tui);
	return 1;
}

static int
act_bind_next(struct tui_win *win, int key)
{
	wt_bind_next(win->data, win->tui);
	return 1;
}

static const struct tui_action bind_actions[] = {
	{ { 'b' }, "bind (again)", NULL, act_bind, 0 },
	{ { '\n', '\r', KEY_ENTER }, "next", NULL, act_bind_next, 0 },
};

static const struct tui_keymap bind_keymap = KEYMAP("Walkthrough: bind",
    bind_actions);
static const int bind_hints[] = { 'b', '\n', TUI_ESC, 0 };

static void
draw_listen(struct walkthrough *w, struct tui *t)
{
	char	ep[ENDPOINT_STRLEN], *s;
	int	y = 2;

	wt_page(w, t, "a listener");
	endpoint_format(&w->listen_ep, ep);
	s = xasprintf("certbindd does not listen on %s yet, so it would "
	    "never serve this binding. It forwards the decrypted traffic to "
	    "a backend: the address and port of the plain-HTTP service (for "
	    "instance 127.0.0.1:8080).", ep);
	y = wt_para(t, y, 2, COLS - 4, LINES - 3, s, A_NORMAL);
	free(s);
	y++;
	wt_fields(w, t, y, LINES - 3);
	wt_message(t, w);
}

static void
do_listen(struct walkthrough *w, struct tui *t)
{
	struct endpoint	 backend;
	struct config	*c;
	char		*cause = NULL;

	if (w->form.f[0].len == 0) {
		form_clear(&w->form);
		w->step = WT_REVIEW;
		return;
	}
	if (endpoint_parse(w->form.f[0].buf, &backend, &cause) == -1) {
		wt_problem(w, cause);
		return;
	}
	if (!endpoint_is_concrete(&backend)) {
		wt_problem(w, xstrdup("A backend needs an address and a port, "
		    "no '*'."));
		return;
	}
	c = config_dup(t->edit);
	if (config_listen(c, &w->listen_ep, &backend, &cause) == -1) {
		config_free(c);
		wt_problem(w, cause);
		return;
	}
	wt_problem(w, NULL);
	tui_replace_edit(t, c);
	form_clear(&w->form);
	w->step = WT_REVIEW;
}

static int
key_listen(struct walkthrough *w, struct tui *t, int key)
{
	wt_problem(w, NULL);
	return form_key(&w->form, t, key);
}

static int
act_listen(struct tui_win *win, int key)
{
	do_listen(win->data, win->tui);
	return 1;
}

static const struct tui_action listen_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "add the listener (empty: skip)", NULL,
	    act_listen, 0 },
};

static const struct tui_keymap listen_keymap = KEYMAP("Walkthrough: "
    "listener", listen_actions);
static const int listen_hints[] = { '\n', TUI_ESC, 0 };

static void
draw_review(struct walkthrough *w, struct tui *t)
{
	struct findings		  added = FINDINGS_INIT;
	const struct finding	 *f;
	struct errlist		  eff = ERRLIST_INIT;
	size_t			  i;
	char			 *s;
	int			  y = 2;

	wt_page(w, t, "review and commit");
	if (!t->modified) {
		draw_text(t, y, 2, COLS - 4, "Nothing to write: the config "
		    "already says all this.", A_BOLD);
		wt_message(t, w);
		return;
	}
	s = xasprintf("Committing writes %s (the old file is kept as .bak).",
	    location_spec(t->loc));
	y = wt_para(t, y, 2, COLS - 4, LINES - 3, s, A_NORMAL);
	free(s);
	y++;
	tui_effect(t, t->orig, t->edit, &eff);
	draw_text(t, y++, 2, COLS - 4, eff.n == 0 ? "No listener changes "
	    "hands." : "Who will serve what:", A_BOLD);
	for (i = 0; i < eff.n && y < LINES - 4; i++)
		y = wt_para(t, y, 4, COLS - 6, LINES - 4, eff.v[i],
		    A_NORMAL);
	errlist_clear(&eff);
	y++;
	findings_diff(tui_orig_findings(t), &t->found, &added, NULL);
	if (y < LINES - 4)
		draw_text(t, y++, 2, COLS - 4, added.n == 0 ? "The change adds "
		    "no finding." : "Findings the change adds:", A_BOLD);
	for (i = 0; i < added.n && y < LINES - 4; i++) {
		f = &added.v[i];
		s = xasprintf("%s %s %s: %s", severity_name(f->severity),
		    f->code, f->object != NULL ? f->object : "-", f->message);
		y = wt_para(t, y, 4, COLS - 6, LINES - 4, s,
		    f->severity == SEV_ERROR ? draw_attr(t, TC_ERROR) :
		    f->severity == SEV_WARNING ? draw_attr(t, TC_WARNING) :
		    A_NORMAL);
		free(s);
	}
	findings_clear(&added);
	wt_message(t, w);
}

static int
act_commit(struct tui_win *win, int key)
{
	tui_commit(win->tui);
	return 1;
}

static int
act_review(struct tui_win *win, int key)
{
	tui_push(win->tui, &tui_mode_review, NULL);
	return 1;
}

static const struct tui_action wt_review_actions[] = {
	{ { 'c' }, "commit (write the file)", NULL, act_commit, 0 },
	{ { 'r' }, "the full review", NULL, act_review, 0 },
};

static const struct tui_keymap wt_review_keymap = KEYMAP("Walkthrough: "
    "review", wt_review_actions);
static const int wt_review_hints[] = { 'c', 'r', TUI_ESC, 0 };

static void
draw_written(struct walkthrough *w, struct tui *t)
{
	const struct config_server	*srv = config_server(t->orig);
	struct stat			 st;
	char				*s;
	int				 y = 2, systemd;

	wt_page(w, t, "done");
	if (location_remote(t->loc))
		s = xasprintf("Written: %s at revision %lld (certbind rollback "
		    "restores the one before).", location_spec(t->loc),
		    (long long)location_revision(t->loc));
	else
		s = xasprintf("Written: %s (the previous version is %s.bak).",
		    t->path, t->path);
	y = wt_para(t, y, 2, COLS - 4, LINES - 3, s, A_BOLD);
	free(s);
	y++;
	if (srv != NULL && srv->pidfile != NULL) {
		y = wt_para(t, y, 2, COLS - 4, LINES - 3, "certbindd reads it "
		    "when it reloads: r reloads it now (the certbindd named by "
		    "server.pidfile) and probes what it serves.", A_NORMAL);
		y++;
		draw_text(t, y++, 2, COLS - 4, "Or by hand:", A_NORMAL);
	} else
		draw_text(t, y++, 2, COLS - 4, "certbindd reads it when it "
		    "reloads. Run:", A_NORMAL);
	y++;
	/* Where systemd runs, the unit is the way; elsewhere, a signal. */
	systemd = stat("/run/systemd/system", &st) == 0;
	draw_text(t, y++, 4, COLS - 6, systemd ?
	    "systemctl reload certbindd" : "kill -HUP $(pidof certbindd)",
	    A_BOLD);
	y++;
	draw_text(t, y++, 2, COLS - 4, systemd ? "or, if certbindd does not "
	    "run under systemd:" : "or, if it runs under systemd:", A_NORMAL);
	draw_text(t, y++, 4, COLS - 6, systemd ?
	    "kill -HUP $(pidof certbindd)" : "systemctl reload certbindd",
	    A_NORMAL);
	y++;
	draw_text(t, y++, 2, COLS - 4, "Then compare what it serves with the "
	    "file: certbind probe", A_NORMAL);
	wt_message(t, w);
}

static int
act_reload(struct tui_win *win, int key)
{
	tui_reload(win->tui);
	return 1;
}

static int
act_ready_bind(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;
	struct tui		*t = win->tui;
	size_t			 i;

	/* An ACME order may have bound the key already: show it first. */
	for (i = 0; w->choice == WC_ACME && i < config_nbindings(t->edit);
	    i++) {
		if (strcmp(config_binding(t->edit, i)->key, w->name) == 0) {
			w->step = WT_BIND;
			return 1;
		}
	}
	wt_start_bind(w, t);
	return 1;
}

static int
act_ready_review(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;

	w->step = WT_REVIEW;
	return 1;
}

static const struct tui_action ready_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "bind it to an endpoint", NULL,
	    act_ready_bind, 0 },
	{ { 'n' }, "no binding, review", NULL, act_ready_review, 0 },
};

static const struct tui_keymap ready_keymap = KEYMAP("Walkthrough: ready",
    ready_actions);
static const int ready_hints[] = { '\n', 'n', TUI_ESC, 0 };

/* Done: Enter closes, which frees the walkthrough. */
static int
act_done(struct tui_win *win, int key)
{
	tui_pop(win->tui);
	return 1;
}

static const struct tui_action written_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "close", NULL, act_done, 0 },
	{ { 'r' }, "reload certbindd now", NULL, act_reload, 0 },
};

static const struct tui_keymap written_keymap = KEYMAP("Walkthrough: done",
    written_actions);
static const int written_hints[] = { 'r', '\n', TUI_ESC, 0 };

const struct wt_step_ops wt_step_ready = {
	draw_ready, &ready_keymap, NULL, ready_hints
};
const struct wt_step_ops wt_step_bind = {
	draw_bind, &bind_keymap, NULL, bind_hints
};
const struct wt_step_ops wt_step_listen = {
	draw_listen, &listen_keymap, key_listen, listen_hints
};
const struct wt_step_ops wt_step_review = {
	draw_review, &wt_review_keymap, NULL, wt_review_hints
};
const struct wt_step_ops wt_step_written = {
	draw_written, &written_keymap, NULL, written_hints
};
