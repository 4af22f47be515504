/*
 * What the files of the walkthrough share, and nothing else includes:
 * its state, its steps and the helpers every step draws with.
 *
 * The walkthrough is a table of steps (window-walkthrough.c): each step
 * is a { draw, key } pair in the file of its group, walkthrough-acme.c
 * (the ACME account and order), walkthrough-make.c (the subject, the
 * request), walkthrough-install.c (the CA's answer, an import) and
 * walkthrough-finish.c (ready, bind, listen, review, written). A step
 * moves on by setting w->step.
 */
#ifndef CERTBIND_TUI_WALKTHROUGH_H
#define CERTBIND_TUI_WALKTHROUGH_H

#include <curses.h>
#include <stddef.h>

#include "core/endpoint.h"
#include "util/errlist.h"
#include "tui/action.h"
#include "tui/form.h"

struct tui;
struct tui_win;
struct cert;
struct lifecycle_files;

#define WT_PASTEMAX	(64 * 1024)
#define WT_LABELW	15

enum wt_step {
	WT_CHOOSE,	/* what to do */
	WT_SUBJECT,	/* names and key type, for a request or self-signed */
	WT_REQUEST,	/* the request as plain PEM */
	WT_INSTALL,	/* the CA's answer, pasted or a path */
	WT_IMPORT,	/* a key and certificate from a file */
	WT_READY,	/* a key with its certificate: what was made */
	WT_BIND,	/* the bindings of the key; b opens the bind dialog */
	WT_LISTEN,	/* a listener for a binding that has none */
	WT_REVIEW,	/* the change and its findings; c commits */
	WT_WRITTEN,	/* committed: reload certbindd */
	WT_ACME_ACCOUNT, /* the CA, its terms, the account */
	WT_ACME_ORDER	/* domains and challenge, with the preflight */
};

enum wt_choice {
	WC_ACME,
	WC_REQUEST,
	WC_INSTALL,
	WC_IMPORT,
	WC_SELFSIGN,
	WC_N
};


/* Subject form fields. */
enum { SF_CN, SF_NAME, SF_SANS, SF_ORG, SF_TYPE, SF_DAYS };
/* Import form fields. */
enum { IF_PATH, IF_NAME, IF_PASSWORD };
/* ACME account form fields. */
enum { AF_SERVER, AF_EMAIL, AF_BUNDLE, AF_AGREE };
/* ACME order form fields, by kind (which of them show depends on the
 * challenge). */
enum { OF_NAME, OF_DOMAINS, OF_CHALLENGE, OF_WEBROOT, OF_PORT, OF_HOOK,
    OF_BIND, OF_SNI, OF_N };

struct walkthrough {
	enum wt_step	 step;
	enum wt_choice	 choice;

	struct form	 form;		/* the step's fields, if it has any */

	char		*problem;	/* why the last action failed (raw) */
	char		*name;		/* the key this walkthrough is about */

	/* WT_REQUEST */
	char		*pem;
	size_t		 pemlen;
	char		*req_path;
	size_t		 scroll;
	int		 committed;

	/* WT_INSTALL */
	char		*pasted;
	size_t		 pastedlen;

	/* WT_READY: sentences about what was made (raw text). */
	struct errlist	 info;
	int		 chain_ok;

	/* WT_BIND, WT_LISTEN */
	struct endpoint	 listen_ep;

	/* WT_ACME_ACCOUNT: the terms the CA named, for the server asked. */
	char		*tos;
	char		*tos_server;	/* NULL: not asked yet */
	/* WT_ACME_ORDER */
	char		*acme_name;	/* the key offered first */
	char		*challenge;	/* the one the fields are made for */
	char		*pf_input;	/* what the preflight was run on */
	struct errlist	 pf_lines;	/* "ok|warn|error\tmessage" (raw) */
	int		 pf_dirty;
	long long	 pf_typed;	/* ms, monotonic: the last change */
	int		 pf_unreachable;
	/* The order form's values by kind, kept while fields come and go. */
	char		 of_keep[OF_N][FORM_FIELDLEN];
	int		 of_touched[OF_N];
};

/*
 * A step: its keys are a table (tui/action.h), whose actions find the
 * walkthrough in win->data; key() then has what no table can hold (text
 * typed into the step's form, a paste). The step's line of keys is made
 * from hint_keys looked up in the same tables, so it says what runs.
 */
struct wt_step_ops {
	void			(*draw)(struct walkthrough *, struct tui *);
	const struct tui_keymap	*keymap;
	/* Returns 1 when the key was used; NULL: the table is all. */
	int			(*key)(struct walkthrough *, struct tui *,
				    int key);
	const int		*hint_keys;
};

/* The steps, each in the file of its group. */
extern const struct wt_step_ops wt_step_acme_account;
extern const struct wt_step_ops wt_step_acme_order;
extern const struct wt_step_ops wt_step_subject;
extern const struct wt_step_ops wt_step_request;
extern const struct wt_step_ops wt_step_install;
extern const struct wt_step_ops wt_step_import;
extern const struct wt_step_ops wt_step_ready;
extern const struct wt_step_ops wt_step_bind;
extern const struct wt_step_ops wt_step_listen;
extern const struct wt_step_ops wt_step_review;
extern const struct wt_step_ops wt_step_written;

/* window-walkthrough.c: what every step uses. */
void	 wt_problem(struct walkthrough *, char *cause);
size_t	 wt_pending(struct tui *);
int	 wt_para(struct tui *, int y, int x, int w, int ymax, const char *s,
	    attr_t);
int	 wt_fields(struct walkthrough *, struct tui *, int y, int ymax);
/* The current step's line of keys, made from its tables; allocated. */
char	*wt_keys(struct walkthrough *);
/* The frame of the current step with its title and its line of keys. */
void	 wt_page(struct walkthrough *, struct tui *, const char *title);
void	 wt_message(struct tui *, struct walkthrough *);
void	 wt_ready_info(struct walkthrough *, const struct cert *);
void	 wt_warnings(struct tui *, const struct lifecycle_files *);
/* Text typed into the step's form; validate runs after each change. */
int	 wt_form_key(struct walkthrough *, struct tui *, int key,
	    void (*validate)(struct walkthrough *, struct tui *));
/* Esc in a step that is a form: back to the choice. */
int	 wt_act_back(struct tui_win *, int key);

/* The first step of each choice, and of binding. */
void	 wt_start_acme(struct walkthrough *, struct tui *);
void	 wt_start_subject(struct walkthrough *, struct tui *);
void	 wt_start_install(struct walkthrough *, struct tui *);
void	 wt_start_import(struct walkthrough *, struct tui *);
void	 wt_start_bind(struct walkthrough *, struct tui *);
void	 wt_bind_next(struct walkthrough *, struct tui *);
/* walkthrough-acme.c: frees what the ACME steps hold. */
void	 wt_acme_free(struct walkthrough *);

#endif
