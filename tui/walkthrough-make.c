/*
 * The walkthrough's steps that make a key (tui/walkthrough.h): the
 * subject form, validated as it is typed, then either a self-signed
 * certificate or a request shown as plain PEM with no border, so that it
 * can be copied out of an SSH terminal, saved, and committed while the
 * CA answers. The key and request are made by op/lifecycle.h, as on the
 * command line.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fileio.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "op/lifecycle.h"
#include "tui/tui-int.h"
#include "tui/walkthrough.h"

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

void
wt_start_subject(struct walkthrough *w, struct tui *t)
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

	wt_page(w, t, w->choice == WC_SELFSIGN ? "a self-signed certificate" :
	    "a key and a request");
	y = wt_para(t, y, 2, COLS - 4, LINES - 3, w->choice == WC_SELFSIGN ?
	    "The certificate names the site; clients will not trust it "
	    "unless told to. Use it for testing." :
	    "The request names the site. The private key stays here (mode "
	    "0600); only the request goes to the CA.", A_NORMAL);
	y++;
	wt_fields(w, t, y, LINES - 3);
	wt_message(t, w);
}

/* What a key with a certificate looks like, for WT_READY. */
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
		wt_problem(w, xstrdup("A field is not valid: see the "
		    "message under it."));
		return;
	}
	memset(&s, 0, sizeof s);
	s.cn = w->form.f[SF_CN].buf;
	s.org = w->form.f[SF_ORG].len > 0 ? w->form.f[SF_ORG].buf : NULL;
	copy = split_sans(w->form.f[SF_SANS].buf, &s.sans, &s.nsans);
	type = key_type_parse(w->form.f[SF_TYPE].buf);
	if (w->choice == WC_SELFSIGN)
		rc = lifecycle_selfsign(t->edit, w->form.f[SF_NAME].buf, &s,
		    type, (unsigned)atoi(w->form.f[SF_DAYS].buf), &after, &lf,
		    &crt, &cause);
	else
		rc = lifecycle_request(t->edit, w->form.f[SF_NAME].buf, &s,
		    type, &after, &lf, &pem, &len, &cause);
	free(s.sans);
	free(copy);
	if (rc == -1) {
		wt_problem(w, cause);
		return;
	}
	/* The edited config refers to the files now. */
	lifecycle_files_keep(&lf);
	wt_problem(w, NULL);
	wt_warnings(t, &lf);
	free(w->name);
	w->name = xstrdup(w->form.f[SF_NAME].buf);
	tui_replace_edit(t, after);
	keys_select(t, w->name);
	if (w->choice == WC_SELFSIGN) {
		errlist_clear(&w->info);
		errlist_add(&w->info, "Key %s made, with a self-signed "
		    "certificate: %s", w->name, lf.cert.abs);
		wt_ready_info(w, crt);
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

static void
revalidate_subject(struct walkthrough *w, struct tui *t)
{
	(void)validate_subject(w, t);
}

static int
key_subject(struct walkthrough *w, struct tui *t, int key)
{
	return wt_form_key(w, t, key, revalidate_subject);
}

static int
act_create(struct tui_win *win, int key)
{
	create_subject(win->data, win->tui);
	return 1;
}

static const struct tui_action subject_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "create", NULL, act_create, 0 },
	{ { TUI_ESC }, "back", NULL, wt_act_back, 0 },
};

static const struct tui_keymap subject_keymap = KEYMAP("Walkthrough: "
    "subject", subject_actions);
static const int subject_hints[] = { '\t', '\n', TUI_ESC, 0 };

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
	y = wt_para(t, y, 0, COLS, LINES - 2, s, A_BOLD);
	free(s);
	wt_para(t, y, 0, COLS, LINES - 1, w->committed ?
	    "The pending key is committed. Send the request to your CA; when "
	    "it answers, press w again and choose 3, or run certbind install "
	    "FILE." :
	    "Send it to your CA. Commit now (c) to keep the pending key while "
	    "you wait; it is in memory only until then.", A_NORMAL);
	s = wt_keys(w);
	draw_text(t, LINES - 1, 0, COLS, s, A_DIM);
	free(s);
	if (w->problem != NULL || t->msg != NULL)
		wt_message(t, w);
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
act_scroll_up(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;

	if (w->scroll > 0)
		w->scroll--;
	return 1;
}

static int
act_scroll_down(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;

	w->scroll++;
	return 1;
}

static int
act_save(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;
	char			 cwd[1024], *def;

	if (getcwd(cwd, sizeof cwd) == NULL)
		snprintf(cwd, sizeof cwd, "/tmp");
	def = xasprintf("%s/%s.csr", cwd, w->name);
	tui_ask_text(win->tui, "Save a copy of the request to (a new file):",
	    def, save_request, w);
	free(def);
	return 1;
}

static int
act_commit(struct tui_win *win, int key)
{
	tui_commit(win->tui);
	return 1;
}

static int
act_install(struct tui_win *win, int key)
{
	wt_start_install(win->data, win->tui);
	return 1;
}

static const struct tui_action request_actions[] = {
	{ { KEY_UP, 'k' }, "scroll", NULL, act_scroll_up, 0 },
	{ { KEY_DOWN, 'j' }, "scroll", NULL, act_scroll_down, 0 },
	{ { 's' }, "save a copy", NULL, act_save, 0 },
	{ { 'c' }, "commit now", NULL, act_commit, 0 },
	{ { '\n', '\r', KEY_ENTER }, "install the CA's answer", NULL,
	    act_install, 0 },
};

static const struct tui_keymap request_keymap = KEYMAP("Walkthrough: "
    "request", request_actions);
static const int request_hints[] = { 's', 'c', '\n', TUI_ESC, 0 };

const struct wt_step_ops wt_step_subject = {
	draw_subject, &subject_keymap, key_subject, subject_hints
};
const struct wt_step_ops wt_step_request = {
	draw_request, &request_keymap, NULL, request_hints
};
