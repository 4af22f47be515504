/*
 * The first-time install walkthrough (w): from an empty store to a
 * certificate that certbindd serves, one step at a time in a full-screen
 * overlay. Choose what to do: get a certificate from an ACME CA (the
 * account, the domains and the challenge with the preflight's verdict,
 * the live progress of the order); or give the subject (validated as it is
 * typed); see the request as plain PEM with no border, so that it can be
 * copied out of an SSH terminal; install the CA's answer, pasted or from
 * a file; or import a key, or make a self-signed one; bind it with the
 * key manager's own bind dialog, add the listener it needs, review,
 * commit, and read the command that reloads certbindd.
 *
 * Keys, requests and certificates are made by the same functions as the
 * command line (op/lifecycle.h). Their files are written into the store
 * when they are made (the request has to exist to be sent), but the
 * config changes go to the edited copy like every other edit: nothing
 * reaches the config file until the user commits.
 *
 * This file is the driver: the table of steps (each a { draw, key } pair
 * in the file of its group, see tui/walkthrough.h), the mode, the first
 * step (the choice) and the helpers every step draws with.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/escape.h"
#include "core/store.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "op/lifecycle.h"
#include "tui/tui-int.h"
#include "tui/walkthrough.h"

static const char *const wt_choices[WC_N] = {
	"Get a certificate from an ACME CA (Let's Encrypt, ...)",
	"Create a key and a certificate request for a CA",
	"Install the CA's answer on a pending key",
	"Import a key and its certificate (PEM or PKCS#12)",
	"Make a self-signed certificate (for testing)"
};

void
wt_problem(struct walkthrough *w, char *cause)
{
	free(w->problem);
	w->problem = cause;
}

/* Draws wrapped untrusted text from row y; returns the next free row. */
int
wt_para(struct tui *t, int y, int x, int w, int ymax, const char *s,
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

int
wt_fields(struct walkthrough *w, struct tui *t, int y, int ymax)
{
	struct form_field	*f;
	int			 i, fx = 2 + WT_LABELW, fw = 44;

	for (i = 0; i < w->form.n && y < ymax; i++) {
		f = &w->form.f[i];
		draw_text(t, y, 2, WT_LABELW - 1, f->label,
		    i == w->form.cur ? A_BOLD : A_NORMAL);
		form_draw_value(t, f, y, fx, fw, i == w->form.cur);
		if (f->fixed)
			draw_text(t, y, fx + fw + 1, COLS - fx - fw - 3,
			    "<- -> choose", A_DIM);
		else if (f->hint != NULL)
			draw_text(t, y, fx + fw + 1, COLS - fx - fw - 3,
			    f->hint, A_DIM);
		y++;
		if (f->error != NULL && y < ymax)
			y = wt_para(t, y, fx, COLS - fx - 2, ymax, f->error,
			    draw_attr(t, TC_ERROR));
	}
	return y;
}

/* The screen's message line is under this overlay: show it here. */
void
wt_message(struct tui *t, struct walkthrough *w)
{
	char	*e;

	if (w->problem != NULL) {
		e = escape_str(w->problem, t->escflags);
		draw_text(t, LINES - 3, 2, COLS - 4, e, draw_attr(t, TC_ERROR));
		free(e);
	} else if (t->msg != NULL) {
		e = escape_str(t->msg, t->escflags);
		draw_text(t, LINES - 3, 2, COLS - 4, e, t->msg_error ?
		    draw_attr(t, TC_ERROR) : A_BOLD);
		free(e);
	}
}

void
wt_ready_info(struct walkthrough *w, const struct cert *crt)
{
	char	date[32];
	time_t	nt = cert_not_after(crt);

	strftime(date, sizeof date, "%Y-%m-%d", gmtime(&nt));
	errlist_add(&w->info, "Certificate: CN %s, expires %s (%ld days)",
	    cert_cn(crt), date, cert_days_left(crt, time(NULL)));
	errlist_add(&w->info, "SHA-256 %s", cert_fingerprint(crt));
}

/*
 * What an operation did not quite do as asked (a key left 0600 because its
 * group could not be given) goes to the message line: the library never
 * prints, and the user must see it before the key is served. Drawn through
 * escape_str() like every message, since it quotes file and group names.
 */
void
wt_warnings(struct tui *t, const struct lifecycle_files *lf)
{
	char	*s, *joined = NULL;
	size_t	 i;

	for (i = 0; i < lf->warnings.n; i++) {
		s = joined == NULL ? xstrdup(lf->warnings.v[i]) :
		    xasprintf("%s; %s", joined, lf->warnings.v[i]);
		free(joined);
		joined = s;
	}
	if (joined != NULL)
		tui_message(t, 1, "Warning: %s", joined);
	free(joined);
}

/*
 * Text typed into a step that is a form: a field edited, then validated
 * as you type. Enter and Esc are the step's table's.
 */
int
wt_form_key(struct walkthrough *w, struct tui *t, int key,
    void (*validate)(struct walkthrough *, struct tui *))
{
	if (form_key(&w->form, t, key)) {
		wt_problem(w, NULL);
		validate(w, t);
		return 1;
	}
	return 0;
}

int
wt_act_back(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;

	form_clear(&w->form);
	w->step = WT_CHOOSE;
	return 1;
}

size_t
wt_pending(struct tui *t)
{
	size_t	i, n = 0;

	for (i = 0; i < config_nkeys(t->edit); i++) {
		if (config_key(t->edit, i)->cert == NULL)
			n++;
	}
	return n;
}

static void
draw_choose(struct walkthrough *w, struct tui *t)
{
	char	*store, *s;
	int	 y = 2, i;

	wt_page(w, t, "start");
	store = store_dir(t->edit);
	s = xasprintf("Store: %s (keys/, certs/ and requests/ are made when "
	    "needed)", store);
	y = wt_para(t, y, 2, COLS - 4, LINES - 3, s, A_NORMAL);
	free(s);
	free(store);
	s = xasprintf("Config: %s (written only when you commit)", t->path);
	y = wt_para(t, y, 2, COLS - 4, LINES - 3, s, A_NORMAL);
	free(s);
	y++;
	draw_text(t, y++, 2, COLS - 4, "What do you want to do?", A_BOLD);
	y++;
	for (i = 0; i < WC_N; i++) {
		s = xasprintf("%s %d  %s", (int)w->choice == i ? ">" : " ",
		    i + 1, wt_choices[i]);
		draw_text(t, y, 2, COLS - 4, s, (int)w->choice == i ?
		    draw_attr(t, TC_SELECTED) | A_BOLD : A_NORMAL);
		free(s);
		if (i == WC_INSTALL) {
			s = xasprintf("(%zu pending)", wt_pending(t));
			draw_text(t, y, 58, COLS - 60, s, A_DIM);
			free(s);
		}
		y++;
	}
	wt_message(t, w);
}

static int
act_prev(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;

	w->choice = (w->choice + WC_N - 1) % WC_N;
	return 1;
}

static int
act_next(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;

	w->choice = (w->choice + 1) % WC_N;
	return 1;
}

static int
act_go(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;
	struct tui		*t = win->tui;

	/* A digit chooses and goes on at once. */
	if (key >= '1' && key < '1' + WC_N)
		w->choice = (enum wt_choice)(key - '1');
	if (t->readonly) {
		wt_problem(w, xasprintf("Read-only session: %s",
		    t->holder != NULL ? t->holder : "the config is locked"));
		return 1;
	}
	wt_problem(w, NULL);
	if (w->choice == WC_ACME)
		wt_start_acme(w, t);
	else if (w->choice == WC_REQUEST || w->choice == WC_SELFSIGN)
		wt_start_subject(w, t);
	else if (w->choice == WC_INSTALL)
		wt_start_install(w, t);
	else
		wt_start_import(w, t);
	return 1;
}

static const struct tui_action choose_actions[] = {
	{ { KEY_UP, 'k' }, "choose", NULL, act_prev, 0 },
	{ { KEY_DOWN, 'j', '\t' }, "choose", NULL, act_next, 0 },
	{ { '\n', '\r', KEY_ENTER }, "go on", NULL, act_go, 0 },
	{ { '1', '2', '3', '4' }, NULL, NULL, act_go, 0 },
	{ { '5' }, NULL, NULL, act_go, 0 },
};

static const struct tui_keymap choose_keymap = KEYMAP("Walkthrough: start",
    choose_actions);
static const int choose_hints[] = { KEY_UP, KEY_DOWN, '\n', TUI_ESC, 0 };

static const struct wt_step_ops wt_step_choose = {
	draw_choose, &choose_keymap, NULL, choose_hints
};

/* What walkthrough_acme() opens the walkthrough with. */
struct wt_open {
	const char	*name;
};

static void
wt_init(struct tui_win *win, void *arg)
{
	struct walkthrough	*w = xcalloc(1, sizeof *w);
	struct wt_open		*open = arg;

	w->step = WT_CHOOSE;
	/* With keys waiting for their certificate, installing is likely. */
	w->choice = wt_pending(win->tui) > 0 ? WC_INSTALL : WC_ACME;
	win->data = w;
	if (open != NULL) {
		w->choice = WC_ACME;
		if (open->name != NULL)
			w->acme_name = xstrdup(open->name);
		wt_start_acme(w, win->tui);
	}
}

void
walkthrough_acme(struct tui *t, const char *name)
{
	struct wt_open	open = { name };

	if (tui_push(t, &tui_mode_walkthrough, &open) == NULL)
		tui_message(t, 1, "Too many windows open: close one first.");
}

/*
 * Every entry point makes sure the data exists, so the mode works even if
 * a key or draw comes before init.
 */
static struct walkthrough *
wt_data(struct tui_win *win)
{
	if (win->data == NULL)
		wt_init(win, NULL);
	return (win->data);
}

static void
wt_free(struct tui_win *win)
{
	struct walkthrough	*w = win->data;

	if (w == NULL)
		return;
	form_clear(&w->form);
	free(w->problem);
	free(w->name);
	free(w->pem);
	free(w->req_path);
	free(w->pasted);
	errlist_clear(&w->info);
	wt_acme_free(w);
	free(w);
}

/* The steps, in the order of enum wt_step. */
static const struct wt_step_ops *const wt_steps[] = {
	&wt_step_choose, &wt_step_subject, &wt_step_request, &wt_step_install,
	&wt_step_import, &wt_step_ready, &wt_step_bind, &wt_step_listen,
	&wt_step_review, &wt_step_written, &wt_step_acme_account,
	&wt_step_acme_order
};

static int
act_close(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;
	struct tui		*t = win->tui;

	/* q is a letter to type while the step has fields. */
	if (key == 'q' && w->form.n > 0)
		return 0;
	tui_pop(t);		/* frees win and w */
	if (t->modified)
		tui_message(t, 0, "Walkthrough closed; its changes are in "
		    "memory: r reviews, c commits.");
	return 1;
}

/* What every step has, after its own keys. */
static const struct tui_action close_actions[] = {
	{ { TUI_ESC, 'q' }, "close", NULL, act_close, 0 },
};

static const struct tui_keymap close_keymap = KEYMAP("Walkthrough",
    close_actions);

/*
 * The tables of the current step, NULL-ended: its own, the form's (only
 * for the line of keys: typing is the step's key()), and the closing.
 */
static void
wt_maps(struct walkthrough *w, const struct tui_keymap **maps, int form)
{
	size_t	n = 0;

	if (wt_steps[w->step]->keymap != NULL)
		maps[n++] = wt_steps[w->step]->keymap;
	if (form)
		maps[n++] = &form_keymap;
	maps[n++] = &close_keymap;
	maps[n] = NULL;
}

/* The current step's line of keys, from its tables. */
char *
wt_keys(struct walkthrough *w)
{
	const struct tui_keymap	*maps[4];

	wt_maps(w, maps, 1);
	return action_hints(maps, wt_steps[w->step]->hint_keys);
}

/* The frame, the title and the line of keys of the current step. */
void
wt_page(struct walkthrough *w, struct tui *t, const char *title)
{
	struct tui_rect	 r = { 0, 0, LINES, COLS };
	char		*s;

	draw_box_clear(t, &r);
	s = xasprintf("Walkthrough: %s", title);
	draw_frame(t, &r, s, 1);
	free(s);
	s = wt_keys(w);
	draw_text(t, LINES - 2, 2, COLS - 4, s, A_DIM);
	free(s);
}

static int
wt_key(struct tui_win *win, int key)
{
	struct walkthrough	*w = wt_data(win);
	const struct wt_step_ops *step = wt_steps[w->step];
	const struct tui_keymap	*own[2] = { step->keymap, NULL };

	/* An action may close the walkthrough: w is gone once one ran. */
	if (action_run(own, win, key))
		return 1;
	if (step->key != NULL && step->key(w, win->tui, key))
		return 1;
	action_run((const struct tui_keymap *[]){ &close_keymap, NULL }, win,
	    key);
	return 1;
}

static void
wt_draw(struct tui_win *win, const struct tui_rect *screen)
{
	struct walkthrough	*w = wt_data(win);

	wt_steps[w->step]->draw(w, win->tui);
}

/*
 * The model changed under the walkthrough: a dialog it opened was
 * accepted, or a commit was written.
 */
static void
wt_changed(struct tui_win *win)
{
	struct walkthrough	*w = wt_data(win);
	struct tui		*t = win->tui;

	if (w->step == WT_REQUEST && !t->modified)
		w->committed = 1;
	else if (w->step == WT_REVIEW && !t->modified)
		w->step = WT_WRITTEN;
	else if (w->step == WT_BIND && w->name != NULL &&
	    t->noverlay > 0 && t->overlay[t->noverlay - 1] == win)
		wt_bind_next(w, t);
}

const struct tui_mode tui_mode_walkthrough = {
	"walkthrough", wt_init, wt_free, wt_key, wt_draw, wt_changed,
	"Walkthrough: each step lists its keys; Esc closes", NULL, NULL, NULL
};
