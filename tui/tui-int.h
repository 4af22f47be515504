/*
 * What the files of tui/ share, and nothing outside tui/ may include.
 *
 * The screen is a set of windows, each driven by a mode: a small table of
 * functions { name, init, free, key, draw } in the spirit of tmux's
 * struct window_mode. Three windows are the panes (keys, details,
 * endpoints) and are always drawn; the others are overlays (help, review,
 * dialogs, prompts) pushed on a stack and drawn on top. A mode never holds
 * a pointer into the config across a model change: its rows keep names or
 * indexes and look the record up again when they are drawn.
 *
 * A mode's keys are action tables (tui/action.h) that also make its hint
 * line and the help screen; the panes that are lists share one list
 * widget (tui/list.h), and every field typed into is the one form
 * (tui/form.h).
 *
 * To add a mode (the walkthrough, for one): write tui/window-NAME.c
 * defining a const struct tui_mode, and open it with tui_push(): the
 * walkthrough, tui/window-walkthrough.c, is opened by "w" and on a first
 * start with no keys.
 */
#ifndef CERTBIND_TUI_INT_H
#define CERTBIND_TUI_INT_H

#include <curses.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "op/check.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "util/errlist.h"
#include "core/resolve.h"
#include "core/sni-index.h"
#include "op/commit.h"
#include "op/effect.h"
#include "op/acme.h"
#include "tui/action.h"
#include "tui/list.h"

struct tui;
struct tui_win;
struct cert;
struct location;

struct tui_rect {
	int	y, x, h, w;
};

/* Keys that are not keys: a bracketed paste, delivered as one event. */
#define TUI_KEY_PASTE_START	(KEY_MAX + 1)
#define TUI_KEY_PASTE_END	(KEY_MAX + 2)
#define TUI_KEY_PASTE		(KEY_MAX + 3)	/* text in tui->paste */
#define TUI_KEY_BTAB		KEY_BTAB
#define TUI_CTRL(c)		((c) & 0x1f)
#define TUI_ESC			27

struct tui_mode {
	const char	*name;
	/* arg is what tui_push() was given; may be NULL. */
	void		(*init)(struct tui_win *, void *arg);
	void		(*free)(struct tui_win *);
	/* Returns 1 when the key was used, 0 to let the screen try it. */
	int		(*key)(struct tui_win *, int key);
	void		(*draw)(struct tui_win *, const struct tui_rect *);
	/* The model changed: rebuild the rows. May be NULL. */
	void		(*changed)(struct tui_win *);
	/* The hint line while this window has the focus, as text. */
	const char	*hints;
	/*
	 * A mode whose keys are tables (tui/action.h): key() may be NULL;
	 * the keymaps (NULL-ended) are tried after it, and for a pane the
	 * screen's after them. The hint line is then made from the rows of
	 * hint_keys (0-ended), so it says what the keys do.
	 */
	const struct tui_keymap *const *keymaps;
	const int	*hint_keys;
	/* A mode that is a list (tui/list.h): its list. */
	struct tui_list	*(*list)(struct tui_win *);
};

struct tui_win {
	const struct tui_mode	*mode;
	struct tui		*tui;
	void			*data;
};

/* Text markers; each also has a colour. */
#define MK_CONFLICT	0x001
#define MK_UNSERVED	0x002
#define MK_STALE	0x004
#define MK_MOVE		0x008
#define MK_DEFAULT	0x010
#define MK_EXPIRED	0x020
#define MK_EXPIRING	0x040
#define MK_ERROR	0x080	/* another error finding */
#define MK_WARNING	0x100	/* another warning finding */
#define MK_NOTLOCAL	0x200
#define MK_NOTRELOADED	0x400	/* probe: the server serves another cert */
#define MK_PROBED	0x800	/* probe: served as the file says */
/* --propose: a row the proposal adds, or changes, against the file. */
#define MK_NEW		0x1000
#define MK_CHANGED	0x2000

enum tui_color {
	TC_NORMAL,
	TC_ERROR,
	TC_WARNING,
	TC_DEFAULT,
	TC_OK,
	TC_TITLE,
	TC_SELECTED,
	TC_DIM,
	TC_ADDED,
	TC_REMOVED
};

#define TUI_PANE_KEYS		0
#define TUI_PANE_DETAILS	1
#define TUI_PANE_ENDPOINTS	2
#define TUI_NPANES		3
#define TUI_MAXOVERLAY		8

/* Above these, the checks run after the screen is drawn. */
#define TUI_LARGE_BINDINGS	5000
#define TUI_LARGE_KEYS		500

#define TUI_MIN_COLS		80
#define TUI_MIN_LINES		24

struct tui_certcache {
	int		 loaded;
	struct cert	*cert;		/* NULL: pending or unreadable */
	char		*error;
};

/*
 * A key's ACME status (op/acme.h), read from its state file and
 * certificate when the model is built, never when a row is drawn, and
 * read again only when one of the two files changed.
 */
struct tui_acmecache {
	int			 managed;	/* the key has an acme block */
	int			 have;		/* st is valid */
	struct acme_key_status	 st;		/* st.name is not kept */
	char			*error;		/* why st is not */
	/* What st was read from: kept while these stay the same. */
	char			*name;
	char			*cert;
	struct timespec		 state_mtime, cert_mtime;
};

/*
 * An ACME order this session adopted: its result is in the edited copy,
 * its files in the store, and the state file remembers the order until
 * acme_order_committed() hears whether the commit wrote it.
 */
struct tui_acme_order {
	char			*name;
	char			*cert;		/* its new cert, as written */
	struct lifecycle_files	 lf;
};

struct tui {
	char		*path;		/* the config file: location_path(loc) */
	struct location	*loc;		/* where it lives (op/location.h) */
	char		*lock_path;
	char		*recover_path;

	struct config	*orig;		/* as loaded or last committed */
	char		*orig_text;	/* orig serialized, made when needed */
	struct commit_snapshot snap;	/* the file's bytes at that time */
	struct config	*edit;		/* what the user is changing */
	struct findings	 found;		/* the edited config's */
	struct findings	 orig_found;	/* the file's: tui_orig_findings() */
	int		 orig_checked;
	int		 checking;	/* found is not computed yet */
	int		 check_pending;	/* the main loop runs the checks */
	struct resolver	*res;		/* over edit */
	struct sni_index *sx;		/* over edit */
	struct check_opts copts;
	unsigned	*key_marks;	/* per key index, from found */
	unsigned	*binding_marks;
	unsigned	*listener_marks;
	struct tui_certcache *certs;	/* per key index, loaded on demand */
	size_t		 ncerts;
	struct tui_acmecache *acme;	/* per key index, from model_update */
	size_t		 nacme;
	size_t		 nmanaged;	/* keys with an acme block */
	struct tui_acme_order *orders;	/* adopted, not committed yet */
	size_t		 norders;
	unsigned	 gen;		/* bumped by every model change */

	int		 modified;
	/*
	 * --propose: the panes mark what the proposal adds and changes
	 * against orig (MK_NEW, MK_CHANGED in the marks), and count what it
	 * removes (rows that no longer exist to be marked).
	 */
	int		 proposing;
	size_t		 removed_keys, removed_bindings;
	size_t		 removed_listeners;
	int		 readonly;
	struct commit_lock *lock;	/* NULL: we do not hold the lock */
	int		 lock_retry;	/* no directory yet: lock at commit */
	char		*holder;	/* who holds the lock, when read-only */

	int		 utf8;
	int		 color;
	int		 escflags;

	struct tui_win	 panes[TUI_NPANES];
	int		 focus;
	struct tui_win	*overlay[TUI_MAXOVERLAY];
	int		 noverlay;

	char		*msg;		/* one line under the panes */
	int		 msg_error;

	char		 paste[65536];	/* a certificate chain fits */
	size_t		 pastelen;
	int		 pasting;

	/*
	 * The last probe of the running server (p): its findings, each with
	 * kind FK_LISTENER and index into probe_eps, the listeners probed.
	 * About the file as committed, whatever the edit: kept by endpoint,
	 * not by index, so that rows find them again after a change.
	 */
	struct findings	 probe_found;
	struct endpoint	*probe_eps;
	size_t		 nprobe_eps;

	int		 quit;
	int		 status;
	time_t		 now;
};

/* model.c: the model changed (tui_changed) and its parts. */
void	 tui_changed(struct tui *);
const struct findings *tui_orig_findings(struct tui *);
void	 tui_replace_edit(struct tui *, struct config *);
/* Rebuilds findings, resolver, marks and rows; check: run the checks. */
void	 model_update(struct tui *, int check);
/* The first build, on the file as loaded. */
void	 model_first(struct tui *);
void	 model_certs_free(struct tui *);
/*
 * Key i's certificate, loaded on first use; NULL when pending or
 * unreadable (*error then says why, or is NULL). Both are borrowed until
 * the next model change (tui_changed).
 */
struct cert *tui_cert(struct tui *, size_t key, const char **error);

/*
 * Key i's ACME status, or NULL when the key is not managed by ACME.
 * Borrowed until the next model change.
 */
const struct tui_acmecache *tui_acme(struct tui *, size_t key);
void	 model_acme_free(struct tui *);

/*
 * window-acme.c: the ACME action (a), the progress of an order, the
 * orders the session adopted until a commit writes them, and the reload
 * after it.
 */
/* The word for key i's next renewal; wide: a sentence, else 10 columns. */
const char *tui_acme_word(struct tui *, size_t key, int wide, char *buf,
	    size_t len, enum tui_color *);
/* a: renews the selected managed key, or opens the walkthrough's order. */
void	 tui_acme_action(struct tui *);
/*
 * Orders name's certificate from the CA with a progress overlay drawn as
 * the op layer reports. On success the edited copy becomes the result (r
 * reviews it, c commits it), res is filled and 0 returned; -1 when it
 * failed, the overlay then saying why. The overlay stays until the user
 * closes it.
 */
int	 tui_acme_order(struct tui *, const char *name,
	    const struct config_key_acme *spec, const char *bind,
	    const char *sni, struct acme_ordered *res);
/* The orders adopted so far: whether name has one. */
int	 tui_acme_adopted(struct tui *, const char *name);
/* After a commit: tells op/acme.h what was written; offers the reload. */
void	 tui_acme_committed(struct tui *);
/* The session ends: the orders not written are kept for a resume. */
void	 tui_acme_forget(struct tui *);
/* Signals certbindd (SIGHUP) and shows what it serves after. */
void	 tui_reload(struct tui *);

/*
 * window-walkthrough.c: the walkthrough on its ACME path: the account if
 * the config has none, then the order form, with name (may be NULL) as
 * the key.
 */
void	 walkthrough_acme(struct tui *, const char *name);

/* tui.c */
extern const struct tui_mode tui_mode_walkthrough;
struct tui_win *tui_push(struct tui *, const struct tui_mode *, void *);
void	 tui_pop(struct tui *);
void	 tui_message(struct tui *, int error, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 tui_commit(struct tui *);
void	 tui_quit(struct tui *);
/* Draws the screen now, for progress during long work in a key handler. */
void	 tui_draw(struct tui *);
/* Whether Esc was pressed since, without waiting; other keys stay queued. */
int	 tui_cancelled(struct tui *);
const char *tui_selected_key(struct tui *);	/* borrowed from edit */

/* draw.c */
void	 draw_init_colors(struct tui *);
attr_t	 draw_attr(struct tui *, enum tui_color);
/* Draws at most w columns of s (already safe text); returns columns. */
int	 draw_text(struct tui *, int y, int x, int w, const char *s, attr_t);
/* The hint line: the whole items of s that fit in w columns. */
void	 draw_hints(struct tui *, int y, int x, int w, const char *s);
/* The same for untrusted text: escaped first. */
int	 draw_untrusted(struct tui *, int y, int x, int w, const char *s,
	    attr_t);
int	 draw_width(struct tui *, const char *s);
void	 draw_blank(int y, int x, int w, attr_t);
void	 draw_hline(struct tui *, int y, int x, int w);
void	 draw_vline(struct tui *, int y, int x, int h);
void	 draw_frame(struct tui *, const struct tui_rect *, const char *title,
	    int focused);
void	 draw_box_clear(struct tui *, const struct tui_rect *);
/* Writes the markers in flags as words; returns columns used. */
int	 draw_markers(struct tui *, int y, int x, int w, unsigned flags);
/* A centred rectangle of h x w inside the screen, clipped. */
struct tui_rect draw_centre(int h, int w);
/* Text split in lines of at most w columns; count in *n. */
char	**draw_wrap(struct tui *, const char *s, int w, size_t *n);
void	 draw_wrap_free(char **, size_t);

/* session.c */
/*
 * A text window's first line moved by delta lines, kept within the n
 * lines of which height show (window-help.c; the nodes window too).
 */
void	 tui_scroll(size_t *scroll, size_t n, int height, long delta);
/*
 * --propose NEW: the proposal loaded as the edited copy (its relative
 * paths as the config's); NULL with the errors said on stderr.
 */
struct config *session_load_proposal(struct tui *, const char *path);
/*
 * Load errors on stderr, escaped, an etcd location's checkout paths
 * named as its keys (before the screen is set up, or after it is gone).
 */
struct errlist;
void	 session_print_errs(const struct location *,
	    const struct errlist *);
/* Where the session's unsaved edits go if it is cut (allocated). */
char	*session_recover_path(const struct location *);
int	 session_lock(struct tui *);
void	 session_unlock(struct tui *);
int	 session_save_recovery(struct tui *, char **cause);
int	 session_has_recovery(struct tui *);
int	 session_load_recovery(struct tui *, char **cause);
void	 session_discard_recovery(struct tui *);
/* 1 when the file on disk differs from what was loaded, -1 unreadable. */
int	 session_disk_changed(struct tui *, char **cause);


/*
 * screen-actions.c: the screen's own actions, tried after a pane's: its
 * keymaps (NULL-ended) in the order the help screen lists them.
 */
extern const struct tui_keymap *const screen_keymaps[];
extern const struct tui_keymap screen_move_keymap;
extern const struct tui_keymap screen_edit_keymap;
extern const struct tui_keymap screen_commit_keymap;
extern const struct tui_keymap screen_other_keymap;
/* The hint line of the mode in w (the pane's maps, then the screen's). */
char	*screen_hints(struct tui_win *w);
/* A pane's key: its own actions, then the screen's; 0 if none. */
int	 screen_pane_key(struct tui_win *w, int key);

/* window-*.c */
extern const struct tui_keymap keys_keymap;
extern const struct tui_keymap endpoints_keymap;
extern const struct tui_keymap details_keymap;
extern const struct tui_keymap review_keymap;
extern const struct tui_mode tui_mode_keys;
extern const struct tui_mode tui_mode_details;
extern const struct tui_mode tui_mode_endpoints;
extern const struct tui_mode tui_mode_help;
extern const struct tui_mode tui_mode_review;

/* window-prompt.c: a yes/no question, or a line of text. */
typedef void (*tui_answer_cb)(struct tui *, void *arg, int yes);
typedef void (*tui_text_cb)(struct tui *, void *arg, const char *text);
void	 tui_confirm(struct tui *, const char *question, tui_answer_cb,
	    void *arg);
void	 tui_ask_text(struct tui *, const char *label, const char *initial,
	    tui_text_cb, void *arg);
void	 tui_show_text(struct tui *, const char *title, const char *text);

/*
 * window-nodes.c: n, the nodes of a fleet (an etcd location), read from
 * etcd when the window opens and on g.
 */
extern const struct tui_keymap nodes_keymap;
extern const struct tui_mode tui_mode_nodes;
void	 tui_nodes(struct tui *);

/* window-endpoints.c: the selected row, for the actions. */
enum ep_row_type {
	EPR_HEADING,
	EPR_LISTENER,
	EPR_LISTENER_SNI,
	EPR_BINDING,
	/*
	 * Under a listener, a served row or a binding: where its connections
	 * go (the backend, and whose) and the options worth seeing. Never
	 * selected: endpoints_selected() does not return it.
	 */
	EPR_DETAIL
};
int	 endpoints_selected(struct tui *, enum ep_row_type *, size_t *index);
const struct finding *endpoints_note(struct tui *);
/* p: probes the running server's listeners and marks the rows. */
void	 endpoints_probe(struct tui *);
/* window-keys.c: the selected key's name, borrowed from the edited config
 * until the next model change; NULL when there is none. */
const char *keys_selected(struct tui *);
void	 keys_select(struct tui *, const char *name);

/* dialog-open.c: the dialogs and questions that change bindings. */
void	 dialog_bind(struct tui *);
void	 dialog_edit(struct tui *);
void	 dialog_unbind(struct tui *);
void	 dialog_move(struct tui *);
void	 dialog_listen(struct tui *);
void	 dialog_unlisten(struct tui *);
/*
 * model.c: how a change moves service (op/effect.h), asked with the
 * model's resolver and SNI index when before is the edited config.
 */
size_t	 tui_effect(struct tui *, const struct config *before,
	    const struct config *after, struct errlist *out);
/* The same, asking only about listeners the touched endpoints cover. */
size_t	 tui_effect_near(struct tui *, const struct config *before,
	    const struct config *after, const struct endpoint *touched,
	    size_t ntouched, struct errlist *out);

#endif
