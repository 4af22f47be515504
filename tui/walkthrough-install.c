/*
 * The walkthrough's steps that bring a certificate in (tui/walkthrough.h):
 * the CA's answer to a pending request, pasted (bracketed paste, kept
 * whole) or from a file, and an import of a key with its certificate from
 * PEM or PKCS#12, with its password. The files are read and stored by
 * op/lifecycle.h; "-" is refused there, since standard input is the
 * terminal here.
 */

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "keys/cert.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "op/lifecycle.h"
#include "tui/tui-int.h"
#include "tui/walkthrough.h"

void
wt_start_install(struct walkthrough *w, struct tui *t)
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

	wt_page(w, t, "install the CA's answer");
	y = wt_para(t, y, 2, COLS - 4, LINES - 3, "Paste the certificate "
	    "the CA sent (PEM, with its chain if you have it) into this "
	    "terminal, or type the path of its file (PEM or DER). Then press "
	    "Enter: it goes onto the pending key it belongs to.", A_NORMAL);
	y++;
	y = wt_fields(w, t, y, LINES - 3);
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
		    "then 2)", A_DIM);
	wt_message(t, w);
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
			wt_problem(w, xstrdup("The paste looks cut short (no "
			    "END line). Save the certificate to a file and "
			    "type its path instead."));
			return;
		}
		what = "the pasted text";
		data = xstrndup(w->pasted, w->pastedlen);
		len = w->pastedlen;
	} else {
		if (w->form.f[0].len == 0) {
			wt_problem(w, xstrdup("Paste the certificate, or type "
			    "the path of its file."));
			return;
		}
		what = w->form.f[0].buf;
		if (lifecycle_read(what, &data, &len, &cause) == -1) {
			wt_problem(w, cause);
			return;
		}
	}
	if (cert_load_mem(data, len, what, &crt, &cause) == -1) {
		free(data);
		wt_problem(w, cause);
		return;
	}
	free(data);
	if (lifecycle_install(t->edit, crt, NULL, &after, &lf, &li,
	    &cause) == -1) {
		cert_free(crt);
		wt_problem(w, cause);
		return;
	}
	lifecycle_files_keep(&lf);
	wt_problem(w, NULL);
	wt_warnings(t, &lf);
	free(w->name);
	w->name = xstrdup(li.name);
	errlist_clear(&w->info);
	if (li.renews != NULL)
		errlist_add(&w->info, "Renewal installed: key %s now uses the "
		    "new key and certificate (%s).", li.name, lf.cert.abs);
	else
		errlist_add(&w->info, "Installed on key %s: %s", li.name,
		    lf.cert.abs);
	wt_ready_info(w, crt);
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

/* Text typed goes into the path; a pasted certificate is kept whole. */
static int
key_install(struct walkthrough *w, struct tui *t, int key)
{
	size_t	n;

	if (key == TUI_KEY_PASTE && (strstr(t->paste, "-----BEGIN") != NULL ||
	    w->pastedlen != 0)) {
		n = strlen(t->paste);
		if (w->pastedlen + n + 1 > WT_PASTEMAX) {
			wt_problem(w, xstrdup("That is too long for a "
			    "certificate: give the path of its file."));
			return 1;
		}
		w->pasted = xreallocarray(w->pasted, w->pastedlen + n + 1, 1);
		memcpy(w->pasted + w->pastedlen, t->paste, n + 1);
		w->pastedlen += n;
		wt_problem(w, NULL);
		return 1;
	}
	wt_problem(w, NULL);
	return form_key(&w->form, t, key);
}

static int
act_install(struct tui_win *win, int key)
{
	do_install(win->data, win->tui);
	return 1;
}

/* Ctrl-U: the paste and the path both go. */
static int
act_clear(struct tui_win *win, int key)
{
	struct walkthrough	*w = win->data;

	free(w->pasted);
	w->pasted = NULL;
	w->pastedlen = 0;
	form_set(&w->form.f[0], "");
	wt_problem(w, NULL);
	return 1;
}

static const struct tui_action install_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "install", NULL, act_install, 0 },
	{ { TUI_CTRL('u') }, "clear", NULL, act_clear, 0 },
	{ { TUI_ESC }, "back", NULL, wt_act_back, 0 },
};

static const struct tui_keymap install_keymap = KEYMAP("Walkthrough: "
    "install", install_actions);
static const int install_hints[] = { '\n', TUI_CTRL('u'), TUI_ESC, 0 };

void
wt_start_import(struct walkthrough *w, struct tui *t)
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

	wt_page(w, t, "import a key");
	y = wt_para(t, y, 2, COLS - 4, LINES - 3, "A key made elsewhere, "
	    "with its certificate: one PEM file holding both, or a PKCS#12 "
	    "file (.p12, .pfx) and its password. The key is copied into the "
	    "store with mode 0600; the file is left as it is.", A_NORMAL);
	y++;
	wt_fields(w, t, y, LINES - 3);
	wt_message(t, w);
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
		wt_problem(w, xstrdup("Type the path of the file to import."));
		return;
	}
	if (w->form.f[IF_NAME].error != NULL) {
		wt_problem(w, xstrdup("The key name is not valid: see the "
		    "message under it."));
		return;
	}
	if (lifecycle_read(w->form.f[IF_PATH].buf, &data, &len, &cause) == -1) {
		wt_problem(w, cause);
		return;
	}
	if (load_import(w, w->form.f[IF_PATH].buf, data, len, &key, &crt,
	    &cause) == -1) {
		freezero(data, len);
		wt_problem(w, cause);
		return;
	}
	freezero(data, len);
	if (lifecycle_import(t->edit, w->form.f[IF_NAME].buf, 0, key, crt, &after,
	    &lf, &chain, &complete, &cause) == -1) {
		privkey_free(key);
		cert_free(crt);
		wt_problem(w, cause);
		return;
	}
	privkey_free(key);
	lifecycle_files_keep(&lf);
	wt_problem(w, NULL);
	wt_warnings(t, &lf);
	free(w->name);
	w->name = xstrdup(w->form.f[IF_NAME].buf);
	errlist_clear(&w->info);
	errlist_add(&w->info, "Imported as key %s: %s", w->name,
	    lf.cert.abs);
	wt_ready_info(w, crt);
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
	return wt_form_key(w, t, key, validate_import);
}

static int
act_import(struct tui_win *win, int key)
{
	do_import(win->data, win->tui);
	return 1;
}

static const struct tui_action import_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "import", NULL, act_import, 0 },
	{ { TUI_ESC }, "back", NULL, wt_act_back, 0 },
};

static const struct tui_keymap import_keymap = KEYMAP("Walkthrough: "
    "import", import_actions);
static const int import_hints[] = { '\t', '\n', TUI_ESC, 0 };

const struct wt_step_ops wt_step_install = {
	draw_install, &install_keymap, key_install, install_hints
};
const struct wt_step_ops wt_step_import = {
	draw_import, &import_keymap, key_import, import_hints
};
