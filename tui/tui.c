/*
 * The key manager's screen and main loop: the terminal is set up here,
 * the windows are stacked and drawn, and keys are handed to the window
 * that has the focus. The model they draw (the file as loaded, the edited
 * copy, its findings and resolver) is model.c's.
 *
 * Nothing is written to the config before the user commits. Signals only
 * set a flag; the loop wakes at least four times a second (getch timeout)
 * and does the work: SIGHUP, SIGTERM and SIGINT save unsaved edits to
 * CONF.recover and leave. Every change rebuilds the findings, the resolver
 * and the rows once (tui_changed); on a large config the checks run just
 * after the screen is drawn, so the rows never wait for them.
 */

#include <sys/stat.h>

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "core/config.h"
#include "core/store.h"
#include "op/location.h"
#include "util/errlist.h"
#include "util/escape.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "tui/tui-int.h"
#include "tui/tui.h"

static volatile sig_atomic_t tui_signal;

static void
on_signal(int sig)
{
	tui_signal = sig;
}


void
tui_message(struct tui *t, int error, const char *fmt, ...)
{
	va_list	ap;

	free(t->msg);
	va_start(ap, fmt);
	t->msg = xvasprintf(fmt, ap);
	va_end(ap);
	t->msg_error = error;
}

struct tui_win *
tui_push(struct tui *t, const struct tui_mode *mode, void *arg)
{
	struct tui_win	*w;

	if (t->noverlay == TUI_MAXOVERLAY)
		return NULL;
	w = xcalloc(1, sizeof *w);
	w->mode = mode;
	w->tui = t;
	t->overlay[t->noverlay++] = w;
	mode->init(w, arg);
	return w;
}

void
tui_pop(struct tui *t)
{
	struct tui_win	*w;

	if (t->noverlay == 0)
		return;
	w = t->overlay[--t->noverlay];
	w->mode->free(w);
	free(w);
}

const char *
tui_selected_key(struct tui *t)
{
	return keys_selected(t);
}

/*
 * Commit, once the user has said yes: through the commit operation, which
 * checks again that the file is still the one loaded. The user was told
 * whether the change adds errors and said yes, so it is forced.
 */
static void
commit_now(struct tui *t, void *arg, int yes)
{
	struct errlist		 errs = ERRLIST_INIT;
	struct config		*c = NULL;
	enum commit_status	 st;
	char			*cause = NULL;

	if (!yes) {
		tui_message(t, 0, "Not committed.");
		return;
	}
	st = commit(t->path, t->loc, t->lock, &t->snap, t->orig, t->edit,
	    COMMIT_FORCE, NULL, &cause);
	if (st != COMMIT_SAVED) {
		tui_message(t, 1, "Not written: %s", cause);
		free(cause);
		return;
	}
	if (t->snap.exists && config_parse(t->snap.data, t->snap.len,
	    t->path, &c, &errs) == 0)
		config_set_path(c, t->path);
	else
		c = config_dup(t->edit);
	errlist_clear(&errs);
	config_free(t->orig);
	t->orig = c;
	free(t->orig_text);
	t->orig_text = NULL;
	findings_clear(&t->orig_found);
	t->orig_checked = 0;
	session_discard_recovery(t);
	tui_changed(t);
	if (location_remote(t->loc))
		tui_message(t, 0, "Written: revision %lld. The nodes load it "
		    "as they see it (n shows them).",
		    (long long)location_revision(t->loc));
	else
		tui_message(t, 0, "Written, old file in .bak. Now reload "
		    "certbindd (systemctl reload).");
	/* ACME orders in it: op/acme.h hears, and a reload is offered. */
	tui_acme_committed(t);
}

void
tui_commit(struct tui *t)
{
	char			 *cause = NULL, *q, *p, *e, *r;
	size_t			  nerr;
	int			  changed, saved;

	if (t->readonly) {
		tui_message(t, 1, "Read-only session: %s", t->holder != NULL ?
		    t->holder : "the config is locked");
		return;
	}
	if (!t->modified) {
		tui_message(t, 0, "Nothing to commit: no changes.");
		return;
	}
	if (t->lock == NULL && t->lock_retry && session_lock(t) != 0) {
		tui_message(t, 1, "Not committed: %s", t->holder);
		return;
	}
	if (t->snap.exists || access(t->path, F_OK) == 0) {
		changed = session_disk_changed(t, &cause);
		if (changed != 0) {
			saved = session_save_recovery(t, NULL) == 0;
			/*
			 * Only the paths are untrusted: escaping the whole
			 * text would show its own line breaks as \x0A.
			 */
			e = escape_str(location_spec(t->loc), t->escflags);
			r = escape_str(t->recover_path, t->escflags);
			p = xasprintf("%s changed on disk since certbind loaded "
			    "it (another session, an editor, or a certbind "
			    "subcommand). It was not overwritten.\n\n%s%s%s",
			    e, saved ? "Your edits are kept in " : "",
			    saved ? r : "", saved ? ": quit and "
			    "start certbind again to see the new file and be "
			    "offered your edits." : "");
			tui_show_text(t, "Not committed", p);
			free(r);
			free(e);
			free(p);
			tui_message(t, 1, "Not committed: the file changed on "
			    "disk.");
			free(cause);
			return;
		}
	}
	/* The command line's rule: offline checks, op/commit.c decides. */
	nerr = commit_findings(t->orig, t->edit, NULL, NULL);
	p = escape_str(location_spec(t->loc), t->escflags);
	q = xasprintf("Write %s?%s%s (y/n)", p,
	    nerr != 0 ? " The change adds errors (r shows them)." : "",
	    config_had_comments(t->orig) ?
	    " Its comments will not be kept." : "");
	tui_confirm(t, q, commit_now, NULL);
	free(q);
	free(p);
}

static void
quit_answer(struct tui *t, void *arg, int yes)
{
	if (yes)
		t->quit = 1;
}

void
tui_quit(struct tui *t)
{
	if (t->modified && !t->readonly)
		tui_confirm(t, "There are unsaved changes. Quit without "
		    "committing them? (y/n)", quit_answer, NULL);
	else
		t->quit = 1;
}

/* A first start on an empty store: the walkthrough, if the user wants it. */
static void
walkthrough_answer(struct tui *t, void *arg, int yes)
{
	if (yes)
		tui_push(t, &tui_mode_walkthrough, NULL);
	else
		tui_message(t, 0, "w starts the walkthrough at any time.");
}

static void
recover_answer(struct tui *t, void *arg, int yes)
{
	char	*cause = NULL;

	if (!yes) {
		session_discard_recovery(t);
		tui_message(t, 0, "Recovered edits discarded.");
		return;
	}
	if (session_load_recovery(t, &cause) != 0) {
		tui_message(t, 1, "Cannot restore: %s", cause);
		free(cause);
		return;
	}
	session_discard_recovery(t);
	tui_message(t, 0, "Edits restored: review (r) and commit (c) them.");
}

/*
 * The status line: counts first, so they never scroll off; the path last,
 * cut from the left when it is long, since its end names the file.
 */
static void
draw_status(struct tui *t)
{
	char	*s, *p;
	size_t	 ne, nw, skip;
	int	 x, room, pw;
	attr_t	 a = draw_attr(t, TC_TITLE) | A_BOLD;

	ne = findings_count(&t->found, SEV_ERROR);
	nw = findings_count(&t->found, SEV_WARNING);
	draw_blank(0, 0, COLS, a);
	if (t->checking)
		s = xasprintf(" certbind  checking...%s  ",
		    t->readonly ? "  [read-only]" : "");
	else
		s = xasprintf(" certbind  %zu error%s, %zu warning%s%s%s  ", ne,
	    ne == 1 ? "" : "s", nw, nw == 1 ? "" : "s",
	    t->modified ? "  [modified]" : "",
	    t->readonly ? "  [read-only]" : "");
	x = draw_text(t, 0, 0, COLS, s, a);
	free(s);
	room = COLS - x - 1;
	p = escape_str(location_spec(t->loc), t->escflags);
	pw = draw_width(t, p);
	if (pw > room && room > 3) {
		/* Escaped text is ASCII or whole UTF-8 characters. */
		skip = strlen(p);
		while (skip > 0 && draw_width(t, p + skip) < room - 3)
			skip--;
		while (skip < strlen(p) && draw_width(t, p + skip) > room - 3)
			skip++;
		x += draw_text(t, 0, x, 3, "...", a);
		draw_text(t, 0, x, room - 3, p + skip, a);
	} else
		draw_text(t, 0, x, room, p, a);
	free(p);
}

/* The most lines a message takes at the bottom of the screen. */
#define MSG_LINES	4

static void
draw_bottom(struct tui *t)
{
	struct tui_win		*w;
	const struct finding	*f;
	char			*e, *hints, **wl;
	size_t			 n, shown, i;
	int			 y;

	draw_blank(LINES - 2, 0, COLS, A_NORMAL);
	if (t->msg != NULL) {
		/*
		 * A message longer than the line wraps upward over the
		 * bottom of the panes, up to MSG_LINES lines, rather than
		 * lose its end (where the advice is); the next key clears it.
		 */
		e = escape_str(t->msg, t->escflags);
		wl = draw_wrap(t, e, COLS - 2, &n);
		shown = n < MSG_LINES ? n : MSG_LINES;
		for (i = 0; i < shown; i++) {
			y = LINES - 2 - (int)(shown - 1 - i);
			draw_blank(y, 0, COLS, A_NORMAL);
			draw_text(t, y, 1, COLS - 2, wl[i],
			    t->msg_error ? draw_attr(t, TC_ERROR) : A_BOLD);
		}
		draw_wrap_free(wl, n);
		free(e);
	} else if (t->noverlay == 0 && t->focus == TUI_PANE_ENDPOINTS &&
	    (f = endpoints_note(t)) != NULL) {
		e = escape_str(f->message, t->escflags);
		draw_text(t, LINES - 2, 1, COLS - 2, e, draw_attr(t,
		    f->severity == SEV_ERROR ? TC_ERROR : f->severity ==
		    SEV_WARNING ? TC_WARNING : TC_NORMAL));
		free(e);
	}
	w = t->noverlay > 0 ? t->overlay[t->noverlay - 1] :
	    &t->panes[t->focus];
	draw_blank(LINES - 1, 0, COLS, A_REVERSE);
	hints = screen_hints(w);
	draw_hints(t, LINES - 1, 1, COLS - 2, hints);
	free(hints);
}

static void
draw_screen(struct tui *t)
{
	struct tui_rect	 r, full;
	int		 ph, top, kw, i;
	char		 buf[128];

	erase();
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES) {
		snprintf(buf, sizeof buf, "terminal too small: %dx%d, "
		    "certbind needs %dx%d", COLS, LINES, TUI_MIN_COLS,
		    TUI_MIN_LINES);
		draw_text(t, LINES / 2, 0, COLS, buf, A_BOLD);
		if (LINES / 2 + 1 < LINES)
			draw_text(t, LINES / 2 + 1, 0, COLS,
			    "enlarge it, or press q to quit", A_NORMAL);
		refresh();
		return;
	}
	draw_status(t);
	ph = LINES - 3;
	top = ph * 2 / 5;
	if (top < 8)
		top = 8;
	/* Keys managed by ACME add a column: the keys pane takes more. */
	kw = t->nmanaged > 0 ? COLS * 11 / 20 : COLS * 9 / 20;

	r.y = 1; r.x = 0; r.h = top; r.w = kw;
	t->panes[TUI_PANE_KEYS].mode->draw(&t->panes[TUI_PANE_KEYS], &r);
	r.x = kw; r.w = COLS - kw;
	t->panes[TUI_PANE_DETAILS].mode->draw(&t->panes[TUI_PANE_DETAILS],
	    &r);
	r.y = 1 + top; r.x = 0; r.h = ph - top; r.w = COLS;
	t->panes[TUI_PANE_ENDPOINTS].mode->draw(
	    &t->panes[TUI_PANE_ENDPOINTS], &r);
	draw_bottom(t);

	full.y = 0; full.x = 0; full.h = LINES; full.w = COLS;
	for (i = 0; i < t->noverlay; i++)
		t->overlay[i]->mode->draw(t->overlay[i], &full);
	refresh();
}

void
tui_draw(struct tui *t)
{
	draw_screen(t);
}

int
tui_cancelled(struct tui *t)
{
	int	ch;

	timeout(0);
	ch = getch();
	timeout(250);
	if (ch == TUI_ESC)
		return 1;
	if (ch != ERR)
		ungetch(ch);
	return 0;
}

static void
handle_key(struct tui *t, int ch)
{
	struct tui_win	*w;

	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES) {
		if (ch == 'q' && !t->modified)
			t->quit = 1;
		return;
	}
	/* A resize only asks for a redraw, which the loop does anyway. */
	if (ch == KEY_RESIZE)
		return;
	free(t->msg);
	t->msg = NULL;
	if (t->noverlay > 0) {
		/* An overlay has every key; one it has no use for is lost. */
		w = t->overlay[t->noverlay - 1];
		if (w->mode->key != NULL)
			w->mode->key(w, ch);
		else
			action_run(w->mode->keymaps, w, ch);
		return;
	}
	w = &t->panes[t->focus];
	if (screen_pane_key(w, ch))
		return;
	/* A paste outside a field, or a resize, is no key. */
	if (ch != TUI_KEY_PASTE && ch != KEY_RESIZE)
		tui_message(t, 0, "That key does nothing here: ? lists "
		    "every key.");
}

/*
 * Home, End and Delete as the common terminals send them, for the ones
 * the terminfo entry does not name: over SSH, TERM often names another
 * terminal than the one typing, and an unknown sequence would arrive as
 * Esc, which cancels a dialog.
 */
static void
define_keys(void)
{
	static const struct {
		const char	*seq;
		int		 key;
	} keys[] = {
		{ "\033[1~", KEY_HOME }, { "\033[7~", KEY_HOME },
		{ "\033[H", KEY_HOME }, { "\033OH", KEY_HOME },
		{ "\033[4~", KEY_END }, { "\033[8~", KEY_END },
		{ "\033[F", KEY_END }, { "\033OF", KEY_END },
		{ "\033[3~", KEY_DC }
	};
	size_t	i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (key_defined(keys[i].seq) == 0)
			define_key(keys[i].seq, keys[i].key);
	}
}

/* One key from the terminal; the keys of a bracketed paste are gathered. */
static void
feed(struct tui *t, int ch)
{
	if (ch == TUI_KEY_PASTE_START) {
		t->pasting = 1;
		t->pastelen = 0;
		return;
	}
	if (t->pasting) {
		if (ch == TUI_KEY_PASTE_END) {
			t->pasting = 0;
			t->paste[t->pastelen] = '\0';
			handle_key(t, TUI_KEY_PASTE);
		} else if (ch >= 0 && ch < 256 &&
		    t->pastelen + 1 < sizeof t->paste)
			t->paste[t->pastelen++] = (char)ch;
		return;
	}
	handle_key(t, ch);
}

/* SIGHUP or SIGTERM: keep unsaved edits, then leave. */
static void
handle_signal(struct tui *t)
{
	if (t->modified && !t->readonly)
		session_save_recovery(t, NULL);
	t->quit = 1;
	t->status = 1;
}

/* Whether the terminal has hung up under us (read() would fail). */
static int
terminal_gone(void)
{
	struct pollfd	pfd;

	pfd.fd = STDIN_FILENO;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) < 0)
		return 0;
	return (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

static int
load(struct tui *t)
{
	struct errlist	 errs = ERRLIST_INIT;

	if (access(t->path, F_OK) != 0 && errno == ENOENT) {
		/* A first start: an empty config, the walkthrough fills it. */
		t->orig = config_new();
		config_set_path(t->orig, t->path);
		return 0;
	}
	if (commit_load(t->path, &t->snap, &t->orig, &errs) != 0) {
		session_print_errs(t->loc, &errs);
		fprintf(stderr, "certbind: fix the file (certbind check "
		    "lists every problem) and start again\n");
		errlist_clear(&errs);
		return -1;
	}
	errlist_clear(&errs);
	config_set_path(t->orig, t->path);
	return 0;
}

static void
tui_free(struct tui *t)
{
	int	i;

	while (t->noverlay > 0)
		tui_pop(t);
	/* Orders not committed stay in their state files, to resume. */
	tui_acme_forget(t);
	for (i = 0; i < TUI_NPANES; i++) {
		if (t->panes[i].mode != NULL)
			t->panes[i].mode->free(&t->panes[i]);
	}
	findings_clear(&t->found);
	findings_clear(&t->orig_found);
	findings_clear(&t->probe_found);
	free(t->probe_eps);
	resolver_free(t->res);
	sni_index_free(t->sx);
	model_certs_free(t);
	model_acme_free(t);
	config_free(t->edit);
	config_free(t->orig);
	free(t->key_marks);
	free(t->binding_marks);
	free(t->listener_marks);
	commit_snapshot_clear(&t->snap);
	free(t->orig_text);
	free(t->msg);
	free(t->holder);
	free(t->path);
	location_close(t->loc);
	free(t->lock_path);
	free(t->recover_path);
	free(t);
}

/*
 * --propose FILE: the proposal, read before the terminal is taken so
 * that its errors reach the user plainly. Relative paths in it resolve
 * as they would in FILE; once committed to the config they resolve
 * against its store, so a proposal without store = ... from another
 * directory is refused rather than silently pointing elsewhere.
 */
int
tui_main(const char *conf_path, const char *propose)
{
	struct sigaction sa;
	struct config	*proposal = NULL;
	struct tui	*t;
	SCREEN		*scr;
	const char	*cup, *cs;
	char		*cause = NULL, *e;
	int		 ch, status, err = 0;

	setlocale(LC_ALL, "");
	t = xcalloc(1, sizeof *t);
	cs = nl_langinfo(CODESET);
	t->utf8 = cs != NULL && strcmp(cs, "UTF-8") == 0;
	t->escflags = t->utf8 ? 0 : ESCAPE_ASCII;
	if (location_open(conf_path, LOCATION_HISTORY, &t->loc, &cause) != 0) {
		e = escape_str(cause, ESCAPE_MESSAGE);
		fprintf(stderr, "certbind: %s\n", e);
		free(e);
		free(cause);
		free(t);
		return 2;
	}
	conf_path = location_path(t->loc);
	t->path = xstrdup(conf_path);
	t->lock_path = xasprintf("%s.lock", conf_path);
	t->recover_path = session_recover_path(t->loc);
	check_opts_default(&t->copts);
	t->copts.files = 1;

	if (load(t) != 0 || (propose != NULL &&
	    (proposal = session_load_proposal(t, propose)) == NULL)) {
		tui_free(t);
		return 2;
	}

	/* Handlers before newterm, so curses leaves them to us. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	/*
	 * Ask terminfo first: setupterm fails cleanly on an unknown TERM
	 * (newterm would leave its allocations behind), and it tells whether
	 * the terminal can move its cursor at all.
	 */
	cup = NULL;
	if (setupterm(NULL, STDOUT_FILENO, &err) == OK) {
		cup = tigetstr("cup");
		del_curterm(cur_term);
	}
	if (err != 1 || cup == NULL || cup == (char *)-1) {
		fprintf(stderr, "certbind: this terminal (TERM=%s) %s; use the "
		    "subcommands instead: certbind list, certbind check, "
		    "certbind bind ... (certbind --help)\n",
		    getenv("TERM") != NULL ? getenv("TERM") : "unset",
		    err != 1 ? "cannot be driven" : "has no cursor addressing");
		tui_free(t);
		return 2;
	}
	if ((scr = newterm(NULL, stdout, stdin)) == NULL) {
		fprintf(stderr, "certbind: this terminal (TERM=%s) cannot be "
		    "driven; use the subcommands instead: certbind list, "
		    "certbind check, certbind bind ... (certbind --help)\n",
		    getenv("TERM") != NULL ? getenv("TERM") : "unset");
		tui_free(t);
		return 2;
	}
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(250);
	define_key("\033[200~", TUI_KEY_PASTE_START);
	define_key("\033[201~", TUI_KEY_PASTE_END);
	define_keys();
	draw_init_colors(t);
	/* Bracketed paste: the terminal marks pasted text. */
	putp("\033[?2004h");
	fflush(stdout);

	session_lock(t);
	t->edit = config_dup(t->orig);
	t->panes[TUI_PANE_KEYS].mode = &tui_mode_keys;
	t->panes[TUI_PANE_DETAILS].mode = &tui_mode_details;
	t->panes[TUI_PANE_ENDPOINTS].mode = &tui_mode_endpoints;
	for (ch = 0; ch < TUI_NPANES; ch++) {
		t->panes[ch].tui = t;
		t->panes[ch].mode->init(&t->panes[ch], NULL);
	}
	/*
	 * The first screen comes before the checks, which take a while on a
	 * large file; the markers appear as soon as they are done.
	 */
	if (t->readonly)
		tui_message(t, 1, "Read-only: %s.", t->holder);
	else if (!t->snap.exists)
		tui_message(t, 0, "%s does not exist yet: w starts the "
		    "walkthrough.", location_spec(t->loc));
	if (proposal != NULL) {
		/* The proposal is the edit: every view compares it. */
		config_free(t->edit);
		t->edit = proposal;
		proposal = NULL;
		t->proposing = 1;
		tui_changed(t);
		if (!t->readonly)
			tui_message(t, 0, "Proposal %s: r reviews what it "
			    "changes, c applies it, q leaves it.", propose);
	} else
		model_first(t);
	if (!t->readonly && session_has_recovery(t) && !t->modified)
		tui_confirm(t, "Unsaved edits from an interrupted session "
		    "were kept. Restore them? (y restores, n discards them)",
		    recover_answer, NULL);
	else if (!t->readonly && config_nkeys(t->edit) == 0)
		tui_confirm(t, "There are no keys yet. Start the walkthrough, "
		    "which makes or imports a key and binds it? (y starts it, "
		    "n goes to the key manager)", walkthrough_answer, NULL);

	while (!t->quit) {
		if (tui_signal != 0) {
			handle_signal(t);
			break;
		}
		draw_screen(t);
		if (t->check_pending) {
			/* Drawn with "checking...": now the checks. */
			t->check_pending = 0;
			model_update(t, 1);
			continue;
		}
		ch = getch();
		if (tui_signal != 0)
			continue;
		if (ch == ERR) {
			if (terminal_gone()) {
				/* A hangup without SIGHUP: the same. */
				handle_signal(t);
				break;
			}
			continue;
		}
		feed(t, ch);
		/*
		 * Keys already waiting (typing ahead, a paste without brackets)
		 * are handled before the next draw, so a slow redraw is paid
		 * once. Not past a change whose checks are still to run: the
		 * next key may need its findings.
		 */
		timeout(0);
		while (!t->quit && !t->check_pending && tui_signal == 0 &&
		    (ch = getch()) != ERR)
			feed(t, ch);
		timeout(250);
	}

	putp("\033[?2004l");
	fflush(stdout);
	endwin();
	delscreen(scr);
	session_unlock(t);
	status = t->status;
	tui_free(t);
	return status;
}
