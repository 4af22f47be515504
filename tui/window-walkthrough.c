/*
 * The first-time install walkthrough (w): from an empty store to a
 * certificate that certbindd serves, one step at a time in a full-screen
 * overlay. Choose what to do; give the subject (validated as it is
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
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/fileio.h"
#include "core/store.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "op/lifecycle.h"
#include "tui/form.h"
#include "tui/tui-int.h"

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
	WT_WRITTEN	/* committed: how to reload certbindd */
};

enum wt_choice {
	WC_REQUEST,
	WC_INSTALL,
	WC_IMPORT,
	WC_SELFSIGN,
	WC_N
};

static const char *const wt_choices[WC_N] = {
	"Create a key and a certificate request for a CA",
	"Install the CA's answer on a pending key",
	"Import a key and its certificate (PEM or PKCS#12)",
	"Make a self-signed certificate (for testing)"
};

/* Subject form fields. */
enum { SF_CN, SF_NAME, SF_SANS, SF_ORG, SF_TYPE, SF_DAYS };
/* Import form fields. */
enum { IF_PATH, IF_NAME, IF_PASSWORD };

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
};

static void
set_problem(struct walkthrough *w, char *cause)
{
	free(w->problem);
	w->problem = cause;
}

/* Drawing ------------------------------------------------------------------ */

/* Draws wrapped untrusted text from row y; returns the next free row. */
static int
draw_para(struct tui *t, int y, int x, int w, int ymax, const char *s,
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

static int
draw_fields(struct walkthrough *w, struct tui *t, int y, int ymax)
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
			y = draw_para(t, y, fx, COLS - fx - 2, ymax, f->error,
			    draw_attr(t, TC_ERROR));
	}
	return y;
}

/* The frame, the title and the keys line of a step. */
static void
draw_page(struct tui *t, const char *title, const char *keys)
{
	struct tui_rect	r = { 0, 0, LINES, COLS };
	char		*s;

	draw_box_clear(t, &r);
	s = xasprintf("Walkthrough: %s", title);
	draw_frame(t, &r, s, 1);
	free(s);
	draw_text(t, LINES - 2, 2, COLS - 4, keys, A_DIM);
}

/* The screen's message line is under this overlay: show it here. */
static void
draw_message(struct tui *t, struct walkthrough *w)
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

/* Steps: choose -------------------------------------------------------------- */

static size_t
pending_count(struct tui *t)
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

	draw_page(t, "start", "Up/Down or 1-4: choose   Enter: go on   "
	    "Esc: close");
	store = store_dir(t->edit);
	s = xasprintf("Store: %s (keys/, certs/ and requests/ are made when "
	    "needed)", store);
	y = draw_para(t, y, 2, COLS - 4, LINES - 3, s, A_NORMAL);
	free(s);
	free(store);
	s = xasprintf("Config: %s (written only when you commit)", t->path);
	y = draw_para(t, y, 2, COLS - 4, LINES - 3, s, A_NORMAL);
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
			s = xasprintf("(%zu pending)", pending_count(t));
			draw_text(t, y, 58, COLS - 60, s, A_DIM);
			free(s);
		}
		y++;
	}
	draw_message(t, w);
}

static void	start_subject(struct walkthrough *, struct tui *);
static void	start_install(struct walkthrough *, struct tui *);
static void	start_import(struct walkthrough *, struct tui *);

static int
key_choose(struct walkthrough *w, struct tui *t, int key)
{
	if (key >= '1' && key < '1' + WC_N) {
		w->choice = (enum wt_choice)(key - '1');
		key = '\n';
	}
	switch (key) {
	case KEY_UP:
	case 'k':
		w->choice = (w->choice + WC_N - 1) % WC_N;
		return 1;
	case KEY_DOWN:
	case 'j':
	case '\t':
		w->choice = (w->choice + 1) % WC_N;
		return 1;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (t->readonly) {
			set_problem(w, xasprintf("Read-only session: %s",
			    t->holder != NULL ? t->holder :
			    "the config is locked"));
			return 1;
		}
		set_problem(w, NULL);
		if (w->choice == WC_REQUEST || w->choice == WC_SELFSIGN)
			start_subject(w, t);
		else if (w->choice == WC_INSTALL)
			start_install(w, t);
		else
			start_import(w, t);
		return 1;
	}
	return 0;
}

/* Steps: subject ------------------------------------------------------------- */

/* The alternative names typed, split on commas and spaces. */
static char *
split_sans(const char *text, const char ***v, size_t *n)
{
	char	*copy, *p, *last = NULL;

	*v = NULL;
	*n = 0;
	copy = xstrdup(text);
	for (p = strtok_r(copy, ", \t", &last); p != NULL;
	    p = strtok_r(NULL, ", \t", &last)) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = p;
	}
	return copy;
}

/*
 * Validates the subject form after every keystroke, and lets the name and
 * the alternative names follow the common name until they are typed in.
 */
static int
validate_subject(struct walkthrough *w, struct tui *t)
{
	struct subject	 s;
	struct form_field	*f = w->form.f;
	char		*cause = NULL, *copy, *end;
	long		 days;
	int		 ok = 1, i;

	if (!f[SF_NAME].touched) {
		copy = lifecycle_name_from(f[SF_CN].buf);
		form_set(&f[SF_NAME], *f[SF_CN].buf != '\0' ? copy : "");
		free(copy);
	}
	if (!f[SF_SANS].touched)
		form_set(&f[SF_SANS], f[SF_CN].buf);
	for (i = 0; i < w->form.n; i++)
		form_error(&f[i], NULL);

	memset(&s, 0, sizeof s);
	s.cn = f[SF_CN].buf;
	if (subject_check(&s, &cause) == -1) {
		form_error(&f[SF_CN], cause);
		ok = 0;
	} else if (strpbrk(s.cn, " \t,") != NULL) {
		form_error(&f[SF_CN], xstrdup("no spaces or commas here: "
		    "other names go under Names"));
		ok = 0;
	}
	cause = NULL;
	if (lifecycle_name_valid(f[SF_NAME].buf, &cause) == -1) {
		form_error(&f[SF_NAME], cause);
		ok = 0;
	} else if (config_key_find(t->edit, f[SF_NAME].buf) != NULL) {
		form_error(&f[SF_NAME], xstrdup("a key of that name exists: "
		    "choose another"));
		ok = 0;
	}
	copy = split_sans(f[SF_SANS].buf, &s.sans, &s.nsans);
	cause = NULL;
	if (s.nsans == 0) {
		form_error(&f[SF_SANS], xstrdup("give at least one name: "
		    "clients check only these"));
		ok = 0;
	} else if (ok && subject_check(&s, &cause) == -1) {
		form_error(&f[SF_SANS], cause);
		ok = 0;
	} else
		free(cause);
	free(s.sans);
	free(copy);
	memset(&s, 0, sizeof s);
	s.cn = "x";
	s.org = f[SF_ORG].buf;
	cause = NULL;
	if (f[SF_ORG].len > 0 && subject_check(&s, &cause) == -1) {
		form_error(&f[SF_ORG], cause);
		ok = 0;
	}
	if (w->form.n > SF_DAYS) {
		errno = 0;
		days = strtol(f[SF_DAYS].buf, &end, 10);
		if (errno != 0 || *end != '\0' || end == f[SF_DAYS].buf ||
		    days < 1 || days > 3650) {
			form_error(&f[SF_DAYS], xstrdup("a number of days "
			    "from 1 to 3650"));
			ok = 0;
		}
	}
	return ok;
}

static void
start_subject(struct walkthrough *w, struct tui *t)
{
	struct form_field	*f;
	size_t			 i;

	form_clear(&w->form);
	form_add(&w->form, "Common name", "");
	w->form.f[SF_CN].hint = "e.g. www.example.com";
	form_add(&w->form, "Key name", "");
	w->form.f[SF_NAME].hint = "in certbind";
	form_add(&w->form, "Names (SANs)", "");
	w->form.f[SF_SANS].hint = "DNS names, IPs";
	form_add(&w->form, "Organization", "");
	w->form.f[SF_ORG].hint = "(optional)";
	/* The key types are keys/privkey.c's one table. */
	f = form_add(&w->form, "Key type", NULL);
	f->fixed = 1;
	for (i = 0; i < key_type_count(); i++) {
		form_option(f, key_type_nth(i));
		if (strcmp(key_type_nth(i), key_type_name(KEY_TYPE_DEFAULT)) ==
		    0)
			form_choose(f, i);
	}
	if (w->choice == WC_SELFSIGN)
		form_add(&w->form, "Valid days", "365");
	w->form.cur = SF_CN;
	w->step = WT_SUBJECT;
	validate_subject(w, t);
}

static void
draw_subject(struct walkthrough *w, struct tui *t)
{
	int	y = 2;

	draw_page(t, w->choice == WC_SELFSIGN ? "a self-signed certificate" :
	    "a key and a request", "Tab/Up/Down: field   Enter: create   "
	    "Esc: back");
	y = draw_para(t, y, 2, COLS - 4, LINES - 3, w->choice == WC_SELFSIGN ?
	    "The certificate names the site; clients will not trust it "
	    "unless told to. Use it for testing." :
	    "The request names the site. The private key stays here (mode "
	    "0600); only the request goes to the CA.", A_NORMAL);
	y++;
	draw_fields(w, t, y, LINES - 3);
	draw_message(t, w);
}

/* What a key with a certificate looks like, for WT_READY. */
static void
ready_info(struct walkthrough *w, const struct cert *crt)
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
static void
show_warnings(struct tui *t, const struct lifecycle_files *lf)
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

static void
create_subject(struct walkthrough *w, struct tui *t)
{
	struct lifecycle_files	 lf;
	struct subject		 s;
	struct config		*after = NULL;
	struct cert		*crt = NULL;
	char			*copy, *cause = NULL, *pem = NULL;
	size_t			 len = 0;
	int			 rc, type;

	if (!validate_subject(w, t)) {
		set_problem(w, xstrdup("A field is not valid: see the "
		    "message under it."));
		return;
	}
	memset(&s, 0, sizeof s);
	s.cn = w->form.f[SF_CN].buf;
	s.org = w->form.f[SF_ORG].len > 0 ? w->form.f[SF_ORG].buf : NULL;
	copy = split_sans(w->form.f[SF_SANS].buf, &s.sans, &s.nsans);
	type = key_type_parse(w->form.f[SF_TYPE].buf);
	if (w->choice == WC_SELFSIGN)
		rc = lifecycle_selfsign(t->edit, w->form.f[SF_NAME].buf, &s, type,
		    (unsigned)atoi(w->form.f[SF_DAYS].buf), &after, &lf, &crt,
		    &cause);
	else
		rc = lifecycle_request(t->edit, w->form.f[SF_NAME].buf, &s, type,
		    &after, &lf, &pem, &len, &cause);
	free(s.sans);
	free(copy);
	if (rc == -1) {
		set_problem(w, cause);
		return;
	}
	/* The edited config refers to the files now. */
	lifecycle_files_keep(&lf);
	set_problem(w, NULL);
	show_warnings(t, &lf);
	free(w->name);
	w->name = xstrdup(w->form.f[SF_NAME].buf);
	tui_replace_edit(t, after);
	keys_select(t, w->name);
	if (w->choice == WC_SELFSIGN) {
		errlist_clear(&w->info);
		errlist_add(&w->info, "Key %s made, with a self-signed "
		    "certificate: %s", w->name, lf.cert.abs);
		ready_info(w, crt);
		w->chain_ok = 1;
		cert_free(crt);
		w->step = WT_READY;
	} else {
		free(w->pem);
		w->pem = pem;
		w->pemlen = len;
		free(w->req_path);
		w->req_path = xstrdup(lf.req.abs);
		w->scroll = 0;
		w->committed = 0;
		w->step = WT_REQUEST;
	}
	lifecycle_files_free(&lf);
	form_clear(&w->form);
}

/*
 * The keys of a step that is a form: Enter accepts it, Esc goes back to
 * the choice, anything else edits a field and validates as you type.
 */
static int
step_form_key(struct walkthrough *w, struct tui *t, int key,
    void (*accept)(struct walkthrough *, struct tui *),
    void (*validate)(struct walkthrough *, struct tui *))
{
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		accept(w, t);
		return 1;
	case TUI_ESC:
		form_clear(&w->form);
		w->step = WT_CHOOSE;
		return 1;
	}
	if (form_key(&w->form, t, key)) {
		set_problem(w, NULL);
		validate(w, t);
		return 1;
	}
	return 0;
}

static void
revalidate_subject(struct walkthrough *w, struct tui *t)
{
	(void)validate_subject(w, t);
}

static int
key_subject(struct walkthrough *w, struct tui *t, int key)
{
	return step_form_key(w, t, key, create_subject, revalidate_subject);
}

/* Steps: the request as plain PEM ---------------------------------------------- */

/*
 * Nothing but the PEM on its lines, from the first column, with no frame:
 * selecting it in an SSH terminal copies exactly the request.
 */
static void
draw_request(struct walkthrough *w, struct tui *t)
{
	struct tui_rect	 r = { 0, 0, LINES, COLS };
	const char	*p, *nl;
	size_t		 line = 0;
	int		 y = 0, room = LINES - 6;
	char		*s;

	draw_box_clear(t, &r);
	for (p = w->pem; p != NULL && *p != '\0'; p = nl + 1, line++) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (line >= w->scroll && y < room) {
			s = xstrndup(p, (size_t)(nl - p));
			draw_text(t, y++, 0, COLS, s, A_NORMAL);
			free(s);
		}
		if (*nl == '\0')
			break;
	}
	y++;
	s = xasprintf("The request for key %s, also saved in %s.%s", w->name,
	    w->req_path, w->scroll > 0 || y > room ? " (Up/Down scroll)" : "");
	y = draw_para(t, y, 0, COLS, LINES - 2, s, A_BOLD);
	free(s);
	draw_para(t, y, 0, COLS, LINES - 1, w->committed ?
	    "The pending key is committed. Send the request to your CA; when "
	    "it answers, press w again and choose 2, or run certbind install "
	    "FILE." :
	    "Send it to your CA. Commit now (c) to keep the pending key while "
	    "you wait; it is in memory only until then.", A_NORMAL);
	draw_text(t, LINES - 1, 0, COLS, "s: save a copy   c: commit now   "
	    "Enter: install the CA's answer   Esc: close", A_DIM);
	if (w->problem != NULL || t->msg != NULL)
		draw_message(t, w);
}

static void
save_request(struct tui *t, void *arg, const char *path)
{
	struct walkthrough	*w = arg;
	char			*cause = NULL;

	if (path == NULL || *path == '\0')
		return;
	if (fileio_write_new(path, w->pem, w->pemlen, 0644, &cause) == -1) {
		tui_message(t, 1, "Not saved: %s", cause);
		free(cause);
		return;
	}
	tui_message(t, 0, "Saved the request to %s.", path);
}

static int
key_request(struct walkthrough *w, struct tui *t, int key)
{
	char	cwd[1024], *def;

	switch (key) {
	case KEY_UP:
	case 'k':
		if (w->scroll > 0)
			w->scroll--;
		return 1;
	case KEY_DOWN:
	case 'j':
		w->scroll++;
		return 1;
	case 's':
		if (getcwd(cwd, sizeof cwd) == NULL)
			snprintf(cwd, sizeof cwd, "/tmp");
		def = xasprintf("%s/%s.csr", cwd, w->name);
		tui_ask_text(t, "Save a copy of the request to (a new file):",
		    def, save_request, w);
		free(def);
		return 1;
	case 'c':
		tui_commit(t);
		return 1;
	case '\n':
	case '\r':
	case KEY_ENTER:
		start_install(w, t);
		return 1;
	}
	return 0;
}

/* Steps: install the CA's answer ------------------------------------------------- */

static void
start_install(struct walkthrough *w, struct tui *t)
{
	form_clear(&w->form);
	form_add(&w->form, "File", "");
	w->form.f[0].hint = "or paste the PEM";
	free(w->pasted);
	w->pasted = NULL;
	w->pastedlen = 0;
	w->step = WT_INSTALL;
}

static void
draw_install(struct walkthrough *w, struct tui *t)
{
	const struct config_key	*k;
	struct stat		 st;
	const char		*p;
	char			*path, *s;
	size_t			 i, n = 0, nc;
	int			 y = 2;

	draw_page(t, "install the CA's answer", "Enter: install   Ctrl-U: "
	    "clear   Esc: back");
	y = draw_para(t, y, 2, COLS - 4, LINES - 3, "Paste the certificate "
	    "the CA sent (PEM, with its chain if you have it) into this "
	    "terminal, or type the path of its file (PEM or DER). Then press "
	    "Enter: it goes onto the pending key it belongs to.", A_NORMAL);
	y++;
	y = draw_fields(w, t, y, LINES - 3);
	if (w->pastedlen > 0) {
		for (p = w->pasted, nc = 0;
		    (p = strstr(p, "-----BEGIN CERTIFICATE")) != NULL; p++)
			nc++;
		s = xasprintf("Pasted: %zu bytes, %zu certificate%s", w->pastedlen,
		    nc, nc == 1 ? "" : "s");
		draw_text(t, y++, 2 + WT_LABELW, COLS - WT_LABELW - 4, s,
		    draw_attr(t, TC_OK));
		free(s);
	}
	y++;
	draw_text(t, y++, 2, COLS - 4, "Pending keys:", A_BOLD);
	for (i = 0; i < config_nkeys(t->edit) && y < LINES - 3; i++) {
		k = config_key(t->edit, i);
		if (k->cert != NULL)
			continue;
		n++;
		s = NULL;
		if (k->request != NULL) {
			path = config_resolve_path(t->edit, k->request);
			if (stat(path, &st) == 0)
				s = xasprintf("  %s  (request made %ld days "
				    "ago)", k->name, (long)((time(NULL) -
				    st.st_mtime) / 86400));
			free(path);
		}
		if (s == NULL)
			s = xasprintf("  %s", k->name);
		draw_untrusted(t, y++, 2, COLS - 4, s, A_NORMAL);
		free(s);
	}
	if (n == 0 && y < LINES - 3)
		draw_text(t, y++, 2, COLS - 4, "  none: make one first (Esc, "
		    "then 1)", A_DIM);
	draw_message(t, w);
}

static void
do_install(struct walkthrough *w, struct tui *t)
{
	struct lifecycle_files		 lf;
	struct lifecycle_installed	 li;
	struct config			*after = NULL;
	struct cert			*crt = NULL;
	const char			*what;
	char				*data = NULL, *cause = NULL;
	size_t				 len = 0, i;

	if (w->pastedlen > 0) {
		if (strstr(w->pasted, "-----END") == NULL) {
			set_problem(w, xstrdup("The paste looks cut short (no "
			    "END line). Save the certificate to a file and "
			    "type its path instead."));
			return;
		}
		what = "the pasted text";
		data = xstrndup(w->pasted, w->pastedlen);
		len = w->pastedlen;
	} else {
		if (w->form.f[0].len == 0) {
			set_problem(w, xstrdup("Paste the certificate, or type "
			    "the path of its file."));
			return;
		}
		what = w->form.f[0].buf;
		if (lifecycle_read(what, &data, &len, &cause) == -1) {
			set_problem(w, cause);
			return;
		}
	}
	if (cert_load_mem(data, len, what, &crt, &cause) == -1) {
		free(data);
		set_problem(w, cause);
		return;
	}
	free(data);
	if (lifecycle_install(t->edit, crt, NULL, &after, &lf, &li,
	    &cause) == -1) {
		cert_free(crt);
		set_problem(w, cause);
		return;
	}
	lifecycle_files_keep(&lf);
	set_problem(w, NULL);
	show_warnings(t, &lf);
	free(w->name);
	w->name = xstrdup(li.name);
	errlist_clear(&w->info);
	if (li.renews != NULL)
		errlist_add(&w->info, "Renewal installed: key %s now uses the "
		    "new key and certificate (%s).", li.name, lf.cert.abs);
	else
		errlist_add(&w->info, "Installed on key %s: %s", li.name,
		    lf.cert.abs);
	ready_info(w, crt);
	errlist_add(&w->info, "%s", li.chain);
	w->chain_ok = li.chain_complete;
	for (i = 0; i < li.nmoved; i++)
		errlist_add(&w->info, "Binding %s", li.moved[i]);
	lifecycle_installed_free(&li);
	lifecycle_files_free(&lf);
	cert_free(crt);
	tui_replace_edit(t, after);
	keys_select(t, w->name);
	form_clear(&w->form);
	free(w->pasted);
	w->pasted = NULL;
	w->pastedlen = 0;
	w->step = WT_READY;
}

static int
key_install(struct walkthrough *w, struct tui *t, int key)
{
	size_t	n;

	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		do_install(w, t);
		return 1;
	case TUI_ESC:
		form_clear(&w->form);
		w->step = WT_CHOOSE;
		return 1;
	case TUI_CTRL('u'):
		free(w->pasted);
		w->pasted = NULL;
		w->pastedlen = 0;
		break;
	case TUI_KEY_PASTE:
		/* A pasted certificate is kept whole; a path goes in the field. */
		if (strstr(t->paste, "-----BEGIN") == NULL &&
		    w->pastedlen == 0)
			break;
		n = strlen(t->paste);
		if (w->pastedlen + n + 1 > WT_PASTEMAX) {
			set_problem(w, xstrdup("That is too long for a "
			    "certificate: give the path of its file."));
			return 1;
		}
		w->pasted = xreallocarray(w->pasted, w->pastedlen + n + 1, 1);
		memcpy(w->pasted + w->pastedlen, t->paste, n + 1);
		w->pastedlen += n;
		set_problem(w, NULL);
		return 1;
	}
	set_problem(w, NULL);
	return form_key(&w->form, t, key);
}

/* Steps: import ----------------------------------------------------------------- */

static void
start_import(struct walkthrough *w, struct tui *t)
{
	form_clear(&w->form);
	form_add(&w->form, "File", "");
	w->form.f[IF_PATH].hint = "PEM or PKCS#12";
	form_add(&w->form, "Key name", "");
	w->form.f[IF_NAME].hint = "in certbind";
	form_add(&w->form, "Password", "");
	w->form.f[IF_PASSWORD].secret = 1;
	w->form.f[IF_PASSWORD].hint = "PKCS#12, or an encrypted key";
	w->step = WT_IMPORT;
}

static void
validate_import(struct walkthrough *w, struct tui *t)
{
	struct form_field	*f = w->form.f;
	const char	*b;
	char		*base, *dot, *name, *cause = NULL;

	/* The name follows the file's name until it is typed in. */
	if (!f[IF_NAME].touched) {
		b = strrchr(f[IF_PATH].buf, '/');
		base = xstrdup(b != NULL ? b + 1 : f[IF_PATH].buf);
		if ((dot = strrchr(base, '.')) != NULL && dot != base)
			*dot = '\0';
		name = *base != '\0' ? lifecycle_name_from(base) : xstrdup("");
		form_set(&f[IF_NAME], name);
		free(name);
		free(base);
	}
	form_error(&f[IF_NAME], NULL);
	if (f[IF_PATH].len == 0)
		return;
	if (lifecycle_name_valid(f[IF_NAME].buf, &cause) == -1)
		form_error(&f[IF_NAME], cause);
	else if (config_key_find(t->edit, f[IF_NAME].buf) != NULL)
		form_error(&f[IF_NAME], xstrdup("a key of that name exists: "
		    "choose another"));
}

static void
draw_import(struct walkthrough *w, struct tui *t)
{
	int	y = 2;

	draw_page(t, "import a key", "Tab/Up/Down: field   Enter: import   "
	    "Esc: back");
	y = draw_para(t, y, 2, COLS - 4, LINES - 3, "A key made elsewhere, "
	    "with its certificate: one PEM file holding both, or a PKCS#12 "
	    "file (.p12, .pfx) and its password. The key is copied into the "
	    "store with mode 0600; the file is left as it is.", A_NORMAL);
	y++;
	draw_fields(w, t, y, LINES - 3);
	draw_message(t, w);
}

static int
load_import(struct walkthrough *w, const char *path, const char *data,
    size_t len, struct privkey **key, struct cert **crt, char **cause)
{
	const char	*pw = w->form.f[IF_PASSWORD].buf;
	char		*c2 = NULL;

	if (memmem(data, len, "-----BEGIN", 10) != NULL ||
	    !lifecycle_is_pkcs12(data, len))
		return (lifecycle_load_pem(path, data, len,
		    *pw != '\0' ? pw : NULL, key, crt, cause));
	if (pkcs12_import(data, len, path, pw, key, crt, cause) == 0)
		return (0);
	/* An empty password may also mean none at all. */
	if (*pw == '\0' &&
	    pkcs12_import(data, len, path, NULL, key, crt, &c2) == 0) {
		free(*cause);
		*cause = NULL;
		return (0);
	}
	free(c2);
	return (-1);
}

static void
do_import(struct walkthrough *w, struct tui *t)
{
	struct lifecycle_files	 lf;
	struct config		*after = NULL;
	struct privkey		*key = NULL;
	struct cert		*crt = NULL;
	char			*data = NULL, *cause = NULL, *chain = NULL;
	size_t			 len = 0;
	int			 complete = 0;

	validate_import(w, t);
	if (w->form.f[IF_PATH].len == 0) {
		set_problem(w, xstrdup("Type the path of the file to import."));
		return;
	}
	if (w->form.f[IF_NAME].error != NULL) {
		set_problem(w, xstrdup("The key name is not valid: see the "
		    "message under it."));
		return;
	}
	if (lifecycle_read(w->form.f[IF_PATH].buf, &data, &len, &cause) == -1) {
		set_problem(w, cause);
		return;
	}
	if (load_import(w, w->form.f[IF_PATH].buf, data, len, &key, &crt,
	    &cause) == -1) {
		freezero(data, len);
		set_problem(w, cause);
		return;
	}
	freezero(data, len);
	if (lifecycle_import(t->edit, w->form.f[IF_NAME].buf, key, crt, &after,
	    &lf, &chain, &complete, &cause) == -1) {
		privkey_free(key);
		cert_free(crt);
		set_problem(w, cause);
		return;
	}
	privkey_free(key);
	lifecycle_files_keep(&lf);
	set_problem(w, NULL);
	show_warnings(t, &lf);
	free(w->name);
	w->name = xstrdup(w->form.f[IF_NAME].buf);
	errlist_clear(&w->info);
	errlist_add(&w->info, "Imported as key %s: %s", w->name,
	    lf.cert.abs);
	ready_info(w, crt);
	errlist_add(&w->info, "%s", chain);
	w->chain_ok = complete;
	free(chain);
	cert_free(crt);
	lifecycle_files_free(&lf);
	tui_replace_edit(t, after);
	keys_select(t, w->name);
	form_clear(&w->form);
	w->step = WT_READY;
}

static int
key_import(struct walkthrough *w, struct tui *t, int key)
{
	return step_form_key(w, t, key, do_import, validate_import);
}

/* Steps: ready, bind, listen ------------------------------------------------------ */

static void
draw_ready(struct walkthrough *w, struct tui *t)
{
	size_t	i;
	int	y = 2;

	draw_page(t, "the key is ready", "Enter: bind it to an endpoint   "
	    "n: no binding, review   Esc: close");
	for (i = 0; i < w->info.n && y < LINES - 3; i++) {
		y = draw_para(t, y, 2, COLS - 4, LINES - 3, w->info.v[i],
		    strncmp(w->info.v[i], "chain incomplete", 16) == 0 ?
		    draw_attr(t, TC_WARNING) : strncmp(w->info.v[i],
		    "chain complete", 14) == 0 ? draw_attr(t, TC_OK) :
		    A_NORMAL);
	}
	y++;
	draw_para(t, y, 2, COLS - 4, LINES - 3, "Nothing is written to the "
	    "config yet. Next, say where certbindd serves it: an address of "
	    "this host (or All unassigned), a port and, if several sites "
	    "share the address, the name clients ask for (SNI).", A_NORMAL);
	draw_message(t, w);
}

/* Whether some listener accepts connections a binding applies to. */
static int
binding_has_listener(const struct config *c, const struct endpoint *ep)
{
	const struct config_listener	*l;
	size_t				 i;

	for (i = 0; i < config_nlisteners(c); i++) {
		l = config_listener(c, i);
		if (endpoint_overlaps(&l->ep, ep) ||
		    endpoint_overlaps(ep, &l->ep))
			return 1;
	}
	return 0;
}

static void
start_bind(struct walkthrough *w, struct tui *t)
{
	w->step = WT_BIND;
	set_problem(w, NULL);
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

	draw_page(t, "bind", "b: bind (again)   Enter: next   Esc: close");
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
		    binding_has_listener(t->edit, &b->ep) ? "" :
		    "   (no listener yet)");
		draw_untrusted(t, y++, 2, COLS - 4, s, A_NORMAL);
		free(s);
	}
	if (n == 0)
		draw_text(t, y++, 2, COLS - 4, "  none yet: b opens the bind "
		    "dialog", A_DIM);
	draw_message(t, w);
}

/* After a binding: a listener for it if it has none, else the review. */
static void
bind_next(struct walkthrough *w, struct tui *t)
{
	const struct config_binding	*b;
	size_t				 i;

	for (i = 0; i < config_nbindings(t->edit); i++) {
		b = config_binding(t->edit, i);
		if (strcmp(b->key, w->name) != 0 ||
		    binding_has_listener(t->edit, &b->ep) ||
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
key_bind(struct walkthrough *w, struct tui *t, int key)
{
	switch (key) {
	case 'b':
		start_bind(w, t);
		return 1;
	case '\n':
	case '\r':
	case KEY_ENTER:
		bind_next(w, t);
		return 1;
	}
	return 0;
}

static void
draw_listen(struct walkthrough *w, struct tui *t)
{
	char	ep[ENDPOINT_STRLEN], *s;
	int	y = 2;

	draw_page(t, "a listener", "Enter: add the listener (empty: skip)   "
	    "Esc: close");
	endpoint_format(&w->listen_ep, ep);
	s = xasprintf("certbindd does not listen on %s yet, so it would "
	    "never serve this binding. It forwards the decrypted traffic to "
	    "a backend: the address and port of the plain-HTTP service (for "
	    "instance 127.0.0.1:8080).", ep);
	y = draw_para(t, y, 2, COLS - 4, LINES - 3, s, A_NORMAL);
	free(s);
	y++;
	draw_fields(w, t, y, LINES - 3);
	draw_message(t, w);
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
		set_problem(w, cause);
		return;
	}
	if (!endpoint_is_concrete(&backend)) {
		set_problem(w, xstrdup("A backend needs an address and a port, "
		    "no '*'."));
		return;
	}
	c = config_dup(t->edit);
	if (config_listen(c, &w->listen_ep, &backend, &cause) == -1) {
		config_free(c);
		set_problem(w, cause);
		return;
	}
	set_problem(w, NULL);
	tui_replace_edit(t, c);
	form_clear(&w->form);
	w->step = WT_REVIEW;
}

static int
key_listen(struct walkthrough *w, struct tui *t, int key)
{
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		do_listen(w, t);
		return 1;
	}
	set_problem(w, NULL);
	return form_key(&w->form, t, key);
}

/* Steps: review, written ------------------------------------------------------------ */

static void
draw_review(struct walkthrough *w, struct tui *t)
{
	struct findings		  added = FINDINGS_INIT;
	const struct finding	 *f;
	struct errlist		  eff = ERRLIST_INIT;
	size_t			  i;
	char			 *s;
	int			  y = 2;

	draw_page(t, "review and commit", "c: commit (write the file)   r: "
	    "the full review   Esc: close");
	if (!t->modified) {
		draw_text(t, y, 2, COLS - 4, "Nothing to write: the config "
		    "already says all this.", A_BOLD);
		draw_message(t, w);
		return;
	}
	s = xasprintf("Committing writes %s (the old file is kept as .bak).",
	    t->path);
	y = draw_para(t, y, 2, COLS - 4, LINES - 3, s, A_NORMAL);
	free(s);
	y++;
	tui_effect(t, t->orig, t->edit, &eff);
	draw_text(t, y++, 2, COLS - 4, eff.n == 0 ? "No listener changes "
	    "hands." : "Who will serve what:", A_BOLD);
	for (i = 0; i < eff.n && y < LINES - 4; i++)
		y = draw_para(t, y, 4, COLS - 6, LINES - 4, eff.v[i],
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
		y = draw_para(t, y, 4, COLS - 6, LINES - 4, s,
		    f->severity == SEV_ERROR ? draw_attr(t, TC_ERROR) :
		    f->severity == SEV_WARNING ? draw_attr(t, TC_WARNING) :
		    A_NORMAL);
		free(s);
	}
	findings_clear(&added);
	draw_message(t, w);
}

static int
key_review(struct walkthrough *w, struct tui *t, int key)
{
	switch (key) {
	case 'c':
		tui_commit(t);
		return 1;
	case 'r':
		tui_push(t, &tui_mode_review, NULL);
		return 1;
	}
	return 0;
}

static void
draw_written(struct walkthrough *w, struct tui *t)
{
	struct stat	 st;
	char		*s;
	int		 y = 2, systemd;

	draw_page(t, "done", "Enter or Esc: close");
	s = xasprintf("Written: %s (the previous version is %s.bak).",
	    t->path, t->path);
	y = draw_para(t, y, 2, COLS - 4, LINES - 3, s, A_BOLD);
	free(s);
	y++;
	draw_text(t, y++, 2, COLS - 4, "certbindd reads it when it reloads. "
	    "Run:", A_NORMAL);
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
	draw_message(t, w);
}

/* The mode ---------------------------------------------------------------------- */

static void
wt_init(struct tui_win *win, void *arg)
{
	struct walkthrough	*w = xcalloc(1, sizeof *w);

	w->step = WT_CHOOSE;
	/* With keys waiting for their certificate, installing is likely. */
	w->choice = pending_count(win->tui) > 0 ? WC_INSTALL : WC_REQUEST;
	win->data = w;
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
	free(w);
}

static int
wt_key(struct tui_win *win, int key)
{
	struct walkthrough	*w = wt_data(win);
	struct tui		*t = win->tui;
	int			 used = 0;

	switch (w->step) {
	case WT_CHOOSE:
		used = key_choose(w, t, key);
		break;
	case WT_SUBJECT:
		used = key_subject(w, t, key);
		break;
	case WT_REQUEST:
		used = key_request(w, t, key);
		break;
	case WT_INSTALL:
		used = key_install(w, t, key);
		break;
	case WT_IMPORT:
		used = key_import(w, t, key);
		break;
	case WT_READY:
		if (key == '\n' || key == '\r' || key == KEY_ENTER) {
			start_bind(w, t);
			used = 1;
		} else if (key == 'n') {
			w->step = WT_REVIEW;
			used = 1;
		}
		break;
	case WT_BIND:
		used = key_bind(w, t, key);
		break;
	case WT_LISTEN:
		used = key_listen(w, t, key);
		break;
	case WT_REVIEW:
		used = key_review(w, t, key);
		break;
	case WT_WRITTEN:
		if (key == '\n' || key == '\r' || key == KEY_ENTER ||
		    key == 'q') {
			tui_pop(t);
			return 1;
		}
		break;
	}
	if (!used && (key == TUI_ESC || (key == 'q' && w->form.n == 0))) {
		tui_pop(t);
		if (t->modified)
			tui_message(t, 0, "Walkthrough closed; its changes are "
			    "in memory: r reviews, c commits.");
		return 1;
	}
	return 1;
}

static void
wt_draw(struct tui_win *win, const struct tui_rect *screen)
{
	struct walkthrough	*w = wt_data(win);
	struct tui		*t = win->tui;

	switch (w->step) {
	case WT_CHOOSE:
		draw_choose(w, t);
		break;
	case WT_SUBJECT:
		draw_subject(w, t);
		break;
	case WT_REQUEST:
		draw_request(w, t);
		break;
	case WT_INSTALL:
		draw_install(w, t);
		break;
	case WT_IMPORT:
		draw_import(w, t);
		break;
	case WT_READY:
		draw_ready(w, t);
		break;
	case WT_BIND:
		draw_bind(w, t);
		break;
	case WT_LISTEN:
		draw_listen(w, t);
		break;
	case WT_REVIEW:
		draw_review(w, t);
		break;
	case WT_WRITTEN:
		draw_written(w, t);
		break;
	}
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
		bind_next(w, t);
}

const struct tui_mode tui_mode_walkthrough = {
	"walkthrough", wt_init, wt_free, wt_key, wt_draw, wt_changed,
	"Walkthrough: each step lists its keys; Esc closes", NULL, NULL, NULL
};
