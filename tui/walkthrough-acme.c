/*
 * The walkthrough's ACME steps (tui/walkthrough.h): the account, when the
 * config has no acme group (the CA's directory URL, an email, a private
 * CA's bundle, the CA's terms shown and an explicit "I agree"), then the
 * order: the key, its domains and the challenge, with what the challenge
 * needs (a webroot or the responder's port, a DNS hook), an optional
 * binding, and under the form the preflight's verdict for each domain:
 * whether the CA's connection would reach something here that answers
 * (op/acme-preflight.h). The order itself runs with its progress overlay
 * (window-acme.c); what it makes goes on through the walkthrough's own
 * steps: ready, bind, review, commit, reload.
 *
 * The preflight resolves names, which can take a while; it runs when the
 * typing has paused, not on every key, and again before the order.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/dnsname.h"
#include "util/xmalloc.h"
#include "keys/cert.h"
#include "op/acme-preflight.h"
#include "op/lifecycle.h"
#include "tui/tui-int.h"
#include "tui/walkthrough.h"

#define ACME_LE		"https://acme-v02.api.letsencrypt.org/directory"
#define ACME_LE_STAGING	"https://acme-staging-v02.api.letsencrypt.org/directory"
/* How long typing pauses before the preflight runs. */
#define PF_PAUSE_MS	300
#define PF_MAXDOMAINS	8
#define TERMS_AGREE	"I agree"

static void	start_order(struct walkthrough *, struct tui *);

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
wt_acme_free(struct walkthrough *w)
{
	free(w->tos);
	free(w->tos_server);
	free(w->acme_name);
	free(w->challenge);
	free(w->pf_input);
	errlist_clear(&w->pf_lines);
	explicit_bzero(w->of_keep, sizeof w->of_keep);
}

void
wt_start_acme(struct walkthrough *w, struct tui *t)
{
	const struct config_acme	*a = config_acme(t->edit);
	struct form_field		*f;

	if (a != NULL && a->server != NULL) {
		start_order(w, t);
		return;
	}
	form_clear(&w->form);
	f = form_add(&w->form, "CA directory", ACME_LE);
	form_option(f, ACME_LE);
	form_option(f, ACME_LE_STAGING);
	f->hint = "https:// URL";
	f = form_add(&w->form, "Email", "");
	f->hint = "(optional)";
	f = form_add(&w->form, "CA bundle", "");
	f->hint = "(private CAs)";
	f = form_add(&w->form, "Terms", NULL);
	f->fixed = 1;
	form_option(f, "not agreed");
	form_option(f, TERMS_AGREE);
	form_choose(f, 0);
	w->form.cur = AF_SERVER;
	w->step = WT_ACME_ACCOUNT;
}

/* A path typed here is the user's, relative to where certbind runs. */
static char *
abs_path(const char *path)
{
	char	cwd[4096];

	if (*path == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

/* The acme group's rule (config_acme_check) on what is typed. */
static int
validate_account(struct walkthrough *w, struct tui *t)
{
	struct form_field	*f = w->form.f;
	struct config_acme	 ca;
	char			*cause = NULL, *path;
	int			 i, ok = 1;

	for (i = 0; i < w->form.n; i++)
		form_error(&f[i], NULL);
	memset(&ca, 0, sizeof ca);
	ca.server = f[AF_SERVER].buf;
	ca.account = (char *)ACME_ACCOUNT_DEFAULT;
	ca.email = f[AF_EMAIL].len > 0 ? f[AF_EMAIL].buf : NULL;
	ca.challenge_http_port = 80;
	ca.challenge_tls_port = 443;
	if (config_acme_check(&ca, &cause) != 0) {
		form_error(&f[strstr(cause, "email") != NULL ? AF_EMAIL :
		    AF_SERVER], cause);
		ok = 0;
	}
	if (f[AF_BUNDLE].len > 0) {
		path = abs_path(f[AF_BUNDLE].buf);
		if (access(path, R_OK) != 0) {
			form_error(&f[AF_BUNDLE], xasprintf("cannot read %s: "
			    "%s", path, strerror(errno)));
			ok = 0;
		}
		free(path);
	}
	/* Terms agreed to are the terms of one CA. */
	if (w->tos_server != NULL && strcmp(w->tos_server,
	    f[AF_SERVER].buf) != 0) {
		free(w->tos_server);
		free(w->tos);
		w->tos_server = w->tos = NULL;
		form_choose(&f[AF_AGREE], 0);
	}
	return ok;
}

static void
revalidate_account(struct walkthrough *w, struct tui *t)
{
	(void)validate_account(w, t);
}

static void
draw_account(struct walkthrough *w, struct tui *t)
{
	char	*s;
	int	 y = 2;

	wt_page(w, t, "an account with an ACME CA");
	y = wt_para(t, y, 2, COLS - 4, LINES - 3, "The config has no ACME "
	    "account yet. certbind makes the account key (ECDSA P-256, mode "
	    "0600, in the store) and the account at the CA. Enter first "
	    "shows the CA's terms of service; choose I agree, and Enter "
	    "again creates the account.", A_NORMAL);
	y++;
	y = wt_fields(w, t, y, LINES - 3);
	if (w->tos_server != NULL && y < LINES - 4) {
		y++;
		s = xasprintf("The CA's terms of service: %s", w->tos != NULL ?
		    w->tos : "(the CA names none)");
		y = wt_para(t, y, 2, COLS - 4, LINES - 3, s, A_BOLD);
		free(s);
	}
	wt_message(t, w);
}

static void
do_account(struct walkthrough *w, struct tui *t)
{
	struct acme_register_opts	 o;
	struct acme_registered		 rg;
	struct lifecycle_files		 lf;
	struct form_field		*f = w->form.f;
	struct config			*after = NULL;
	char				*cause = NULL, *bundle = NULL;
	int				 rc, asking;

	if (!validate_account(w, t)) {
		wt_problem(w, xstrdup("A field is not valid: see the message "
		    "under it."));
		return;
	}
	asking = w->tos_server == NULL;
	if (!asking && strcmp(f[AF_AGREE].buf, TERMS_AGREE) != 0) {
		wt_problem(w, xstrdup("The CA requires that you agree to its "
		    "terms: on Terms, Left/Right chooses I agree."));
		return;
	}
	memset(&o, 0, sizeof o);
	o.server = f[AF_SERVER].buf;
	o.email = f[AF_EMAIL].len > 0 ? f[AF_EMAIL].buf : NULL;
	if (f[AF_BUNDLE].len > 0)
		o.ca_bundle = bundle = abs_path(f[AF_BUNDLE].buf);
	o.agree_tos = !asking;
	memset(&lf, 0, sizeof lf);
	tui_message(t, 0, "Asking the CA (%s)... working, this cannot be "
	    "interrupted.", asking ? "its terms" : "a new account");
	tui_draw(t);
	rc = acme_register(t->edit, &o, &after, &lf, &rg, &cause);
	flushinp();
	free(t->msg);
	t->msg = NULL;
	free(bundle);
	if (asking && rc != 0 && (rg.tos != NULL ||
	    (cause != NULL && strstr(cause, "terms of service") != NULL))) {
		/* The directory answered: its terms, or that it has none. */
		w->tos_server = xstrdup(o.server);
		w->tos = rg.tos;
		rg.tos = NULL;
		free(cause);
		acme_registered_free(&rg);
		lifecycle_files_free(&lf);
		wt_problem(w, NULL);
		w->form.cur = AF_AGREE;
		tui_message(t, 0, "Read the terms; choose I agree (Left/Right) "
		    "and press Enter to create the account.");
		return;
	}
	if (rc != 0) {
		lifecycle_files_undo(&lf);
		lifecycle_files_free(&lf);
		acme_registered_free(&rg);
		wt_problem(w, cause);
		return;
	}
	/* The key is the account's now: it stays, committed or not. */
	lifecycle_files_keep(&lf);
	wt_warnings(t, &lf);
	lifecycle_files_free(&lf);
	tui_replace_edit(t, after);
	wt_problem(w, NULL);
	tui_message(t, 0, "%s account at the CA: %s (the acme group is in "
	    "memory, written when you commit).", rg.existed ? "Existing" :
	    "New", rg.account != NULL ? rg.account : "?");
	acme_registered_free(&rg);
	start_order(w, t);
}

static int
key_account(struct walkthrough *w, struct tui *t, int key)
{
	return wt_form_key(w, t, key, revalidate_account);
}

static int
act_account(struct tui_win *win, int key)
{
	do_account(win->data, win->tui);
	return 1;
}

static const struct tui_action account_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "go on", NULL, act_account, 0 },
	{ { TUI_ESC }, "back", NULL, wt_act_back, 0 },
};

static const struct tui_keymap account_keymap = KEYMAP("Walkthrough: "
    "ACME account", account_actions);
static const int account_hints[] = {
	'\t', KEY_LEFT, KEY_RIGHT, '\n', TUI_ESC, 0
};

/* The order form. */
static const char *const of_labels[OF_N] = {
	"Key name", "Domains", "Challenge", "Webroot", "HTTP port",
	"DNS hook", "Bind", "SNI"
};
static const char *const of_hints[OF_N] = {
	"in certbind", "comma or space", NULL, "(optional)", "empty: CA's",
	"program", "(optional)", "(optional)"
};
static const char *const challenges[] = {
	CONFIG_ACME_TLS_ALPN, CONFIG_ACME_HTTP, CONFIG_ACME_DNS
};
#define NCHALLENGES	(sizeof challenges / sizeof challenges[0])

/* Whether the field of kind is asked for with challenge. */
static int
of_shown(int kind, const char *challenge)
{
	switch (kind) {
	case OF_WEBROOT:
	case OF_PORT:
		return strcmp(challenge, CONFIG_ACME_HTTP) == 0;
	case OF_HOOK:
		return strcmp(challenge, CONFIG_ACME_DNS) == 0;
	default:
		return 1;
	}
}

static struct form_field *
of_field(struct walkthrough *w, int kind)
{
	int	i;

	for (i = 0; i < w->form.n; i++) {
		if (w->form.f[i].kind == kind)
			return &w->form.f[i];
	}
	return NULL;
}

/*
 * The fields for challenge, keeping every value typed so far. challenge
 * may be a field's text, which the rebuild wipes: it is copied first.
 */
static void
of_build(struct walkthrough *w, const char *challenge_arg)
{
	struct form_field	*f;
	char			*challenge = xstrdup(challenge_arg);
	int			 i, kind, cur = OF_DOMAINS;
	size_t			 c;

	if ((f = form_current(&w->form)) != NULL)
		cur = f->kind;
	for (i = 0; i < w->form.n; i++) {
		f = &w->form.f[i];
		memcpy(w->of_keep[f->kind], f->buf, sizeof f->buf);
		w->of_touched[f->kind] = f->touched;
	}
	form_clear(&w->form);
	for (kind = 0; kind < OF_N; kind++) {
		if (!of_shown(kind, challenge))
			continue;
		f = form_add(&w->form, of_labels[kind], kind == OF_CHALLENGE ?
		    NULL : w->of_keep[kind]);
		f->kind = kind;
		f->hint = of_hints[kind];
		f->touched = w->of_touched[kind];
		if (kind == OF_CHALLENGE) {
			f->fixed = 1;
			for (c = 0; c < NCHALLENGES; c++) {
				form_option(f, challenges[c]);
				if (strcmp(challenges[c], challenge) == 0)
					form_choose(f, c);
			}
		}
		if (kind == cur)
			w->form.cur = w->form.n - 1;
	}
	free(w->challenge);
	w->challenge = challenge;
}

/* The domains typed, split on commas and spaces; *v borrows the copy. */
static char *
split_domains(const char *text, char ***v, size_t *n)
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

/* The port the CA connects to for the challenge, as the preflight asks. */
static int
pf_port(struct tui *t, const char *challenge, const struct form_field *port)
{
	const struct config_acme	*a = config_acme(t->edit);

	if (strcmp(challenge, CONFIG_ACME_HTTP) == 0) {
		if (port != NULL && port->len > 0)
			return atoi(port->buf);
		return a != NULL && a->challenge_http_port > 0 ?
		    (int)a->challenge_http_port : 80;
	}
	if (strcmp(challenge, CONFIG_ACME_TLS_ALPN) == 0)
		return a != NULL && a->challenge_tls_port > 0 ?
		    (int)a->challenge_tls_port : 443;
	return 0;
}

/* Runs the preflight on what the form says now. */
static void
pf_run(struct walkthrough *w, struct tui *t)
{
	struct preflight_result	 pr;
	struct form_field	*dom = of_field(w, OF_DOMAINS);
	struct form_field	*web = of_field(w, OF_WEBROOT);
	char			**v, *copy;
	size_t			 n, i;
	int			 port;

	w->pf_dirty = 0;
	w->pf_unreachable = 0;
	errlist_clear(&w->pf_lines);
	if (dom == NULL || dom->error != NULL)
		return;
	port = pf_port(t, w->challenge, of_field(w, OF_PORT));
	copy = split_domains(dom->buf, &v, &n);
	for (i = 0; i < n && i < PF_MAXDOMAINS; i++) {
		memset(&pr, 0, sizeof pr);
		preflight_domain(t->edit, v[i], w->challenge,
		    web != NULL && web->len > 0, port, &pr);
		errlist_add(&w->pf_lines, "%c%s", pr.verdict ==
		    PREFLIGHT_OK ? 'o' : pr.verdict == PREFLIGHT_UNRESOLVED ?
		    'w' : 'e', pr.message != NULL ? pr.message : v[i]);
		if (pr.verdict == PREFLIGHT_UNREACHABLE)
			w->pf_unreachable = 1;
		preflight_result_free(&pr);
	}
	if (n > PF_MAXDOMAINS)
		errlist_add(&w->pf_lines, "w%zu more domains are checked when "
		    "the order starts", n - PF_MAXDOMAINS);
	free(v);
	free(copy);
}

/*
 * Checks the fields (the key's acme block by config_key_acme_check(), the
 * one rule), lets the key name follow the first domain until it is typed
 * in, and marks the preflight to run again when its inputs changed.
 */
static int
validate_order(struct walkthrough *w, struct tui *t)
{
	struct form_field	*f, *name, *dom, *port, *bind, *sni;
	const struct config_key	*k;
	struct config_key_acme	 spec;
	struct endpoint		 ep;
	char			**v, *copy, *cause = NULL, *base, *in;
	size_t			 n;
	long			 p;
	int			 i, ok = 1;

	f = of_field(w, OF_CHALLENGE);
	if (f != NULL && strcmp(f->buf, w->challenge) != 0)
		of_build(w, f->buf);
	for (i = 0; i < w->form.n; i++)
		form_error(&w->form.f[i], NULL);
	name = of_field(w, OF_NAME);
	dom = of_field(w, OF_DOMAINS);
	port = of_field(w, OF_PORT);
	bind = of_field(w, OF_BIND);
	sni = of_field(w, OF_SNI);

	copy = split_domains(dom->buf, &v, &n);
	if (!name->touched) {
		base = n > 0 ? lifecycle_name_from(strncmp(v[0], "*.", 2) == 0 ?
		    v[0] + 2 : v[0]) : xstrdup("");
		form_set(name, base);
		free(base);
	}
	if (lifecycle_name_valid(name->buf, &cause) != 0) {
		form_error(name, cause);
		ok = 0;
	} else if ((k = config_key_find(t->edit, name->buf)) != NULL &&
	    k->cert == NULL) {
		form_error(name, xstrdup("a pending key of that name waits "
		    "for its CA: choose another name"));
		ok = 0;
	}
	memset(&spec, 0, sizeof spec);
	spec.domains = v;
	spec.ndomains = n;
	spec.challenge = w->challenge;
	if ((f = of_field(w, OF_WEBROOT)) != NULL && f->len > 0)
		spec.webroot = f->buf;
	if ((f = of_field(w, OF_HOOK)) != NULL && f->len > 0)
		spec.dns_hook = f->buf;
	if (port != NULL && port->len > 0) {
		errno = 0;
		p = strtol(port->buf, &in, 10);
		if (errno != 0 || *in != '\0' || p < 1 || p > 65535) {
			form_error(port, xstrdup("a port from 1 to 65535, or "
			    "empty: the CA's port"));
			ok = 0;
		} else
			spec.http_port = p;
	}
	cause = NULL;
	if (n == 0) {
		form_error(dom, xstrdup("give at least one domain: the "
		    "certificate names these"));
		ok = 0;
	} else if (config_key_acme_check(&spec, &cause) != 0) {
		f = strstr(cause, "dns_hook") != NULL ? of_field(w, OF_HOOK) :
		    strstr(cause, "webroot") != NULL ? of_field(w, OF_WEBROOT) :
		    strstr(cause, "http_port") != NULL ? port : dom;
		form_error(f != NULL ? f : dom, cause);
		ok = 0;
	}
	if (bind->len > 0 && endpoint_parse(bind->buf, &ep, &cause) != 0) {
		form_error(bind, cause);
		ok = 0;
	}
	if (sni->len > 0) {
		cause = NULL;
		if (bind->len == 0) {
			form_error(sni, xstrdup("an SNI goes with a Bind "
			    "endpoint"));
			ok = 0;
		} else if (dnsname_check(sni->buf, DNSNAME_WILDCARD,
		    &cause) != 0) {
			form_error(sni, cause);
			ok = 0;
		}
	}
	free(v);
	free(copy);

	/* The preflight's inputs: the challenge, its port, the domains. */
	f = of_field(w, OF_WEBROOT);
	in = xasprintf("%s|%d|%d|%s|%d", w->challenge, pf_port(t, w->challenge,
	    port), f != NULL && f->len > 0, dom->buf, dom->error != NULL);
	if (w->pf_input == NULL || strcmp(in, w->pf_input) != 0) {
		free(w->pf_input);
		w->pf_input = in;
		w->pf_dirty = 1;
		w->pf_typed = now_ms();
	} else
		free(in);
	return ok;
}

static void
revalidate_order(struct walkthrough *w, struct tui *t)
{
	(void)validate_order(w, t);
}

/* The DNS names of key name's certificate, for a key that has one. */
static void
domains_of(struct tui *t, const char *name, char *buf, size_t len)
{
	const char	*err, *san;
	struct cert	*c;
	ssize_t		 ki;
	size_t		 i, used = 0;
	int		 is_ip;

	buf[0] = '\0';
	if ((ki = config_key_index(t->edit, name)) < 0 ||
	    (c = tui_cert(t, (size_t)ki, &err)) == NULL)
		return;
	for (i = 0; i < cert_nsans(c); i++) {
		san = cert_san(c, i, &is_ip);
		if (is_ip || strlen(san) + used + 2 >= len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used > 0 ? ", " : "", san);
	}
	/* An old certificate may name its site in the CN only. */
	if (used == 0 && *cert_cn(c) != '\0' &&
	    dnsname_check(cert_cn(c), DNSNAME_WILDCARD, NULL) == 0)
		snprintf(buf, len, "%s", cert_cn(c));
}

static void
start_order(struct walkthrough *w, struct tui *t)
{
	memset(w->of_keep, 0, sizeof w->of_keep);
	memset(w->of_touched, 0, sizeof w->of_touched);
	if (w->acme_name != NULL) {
		snprintf(w->of_keep[OF_NAME], FORM_FIELDLEN, "%s",
		    w->acme_name);
		w->of_touched[OF_NAME] = 1;
		domains_of(t, w->acme_name, w->of_keep[OF_DOMAINS],
		    FORM_FIELDLEN);
	}
	form_clear(&w->form);
	of_build(w, CONFIG_ACME_DEFAULT_CHALLENGE);
	w->form.cur = 1;	/* the domains */
	free(w->pf_input);
	w->pf_input = NULL;
	errlist_clear(&w->pf_lines);
	w->step = WT_ACME_ORDER;
	(void)validate_order(w, t);
}

static void
draw_order(struct walkthrough *w, struct tui *t)
{
	const char	*line;
	attr_t		 a;
	char		*s;
	size_t		 i;
	int		 y = 2;

	/* The preflight, once the typing has paused. */
	if (w->pf_dirty && now_ms() - w->pf_typed >= PF_PAUSE_MS)
		pf_run(w, t);
	wt_page(w, t, "a certificate from the ACME CA");
	y = wt_para(t, y, 2, COLS - 4, LINES - 3, "The CA checks that you "
	    "control each domain (the challenge); certbind answers it, gets "
	    "the certificate and installs it on the key. Nothing is written "
	    "before you commit.", A_NORMAL);
	y++;
	y = wt_fields(w, t, y, LINES - 3);
	if (y < LINES - 4)
		draw_text(t, y++, 2, COLS - 4, w->pf_dirty ? "Preflight: "
		    "(waits for the typing to pause)" : "Preflight: can the "
		    "CA reach what answers the challenge?", A_BOLD);
	for (i = 0; !w->pf_dirty && i < w->pf_lines.n && y < LINES - 3; i++) {
		line = w->pf_lines.v[i];
		a = line[0] == 'e' ? draw_attr(t, TC_ERROR) : line[0] == 'w' ?
		    draw_attr(t, TC_WARNING) : draw_attr(t, TC_OK);
		s = xasprintf("%s %s", line[0] == 'e' ? "UNREACHABLE:" :
		    line[0] == 'w' ? "warning:" : "ok:", line + 1);
		y = wt_para(t, y, 4, COLS - 6, LINES - 3, s, a);
		free(s);
	}
	wt_message(t, w);
}

static void
do_order(struct walkthrough *w, struct tui *t)
{
	struct config_key_acme	 spec;
	struct acme_ordered	 res;
	struct form_field	*f, *bind, *sni;
	char			**v, *copy, *name, date[32];
	struct tm		 tm;
	size_t			 n, i;
	int			 rc;

	if (!validate_order(w, t)) {
		wt_problem(w, xstrdup("A field is not valid: see the message "
		    "under it."));
		return;
	}
	if (w->pf_dirty)
		pf_run(w, t);
	if (w->pf_unreachable) {
		wt_problem(w, xstrdup("The preflight says the CA's connection "
		    "would not reach what answers the challenge (in red): add "
		    "the listener it names, or choose another challenge."));
		return;
	}
	memset(&spec, 0, sizeof spec);
	copy = split_domains(of_field(w, OF_DOMAINS)->buf, &v, &n);
	spec.domains = v;
	spec.ndomains = n;
	spec.challenge = w->challenge;
	if ((f = of_field(w, OF_WEBROOT)) != NULL && f->len > 0)
		spec.webroot = f->buf;
	if ((f = of_field(w, OF_HOOK)) != NULL && f->len > 0)
		spec.dns_hook = f->buf;
	if ((f = of_field(w, OF_PORT)) != NULL && f->len > 0)
		spec.http_port = atoi(f->buf);
	bind = of_field(w, OF_BIND);
	sni = of_field(w, OF_SNI);
	name = xstrdup(of_field(w, OF_NAME)->buf);
	wt_problem(w, NULL);
	rc = tui_acme_order(t, name, &spec, bind->len > 0 ? bind->buf : NULL,
	    sni->len > 0 ? sni->buf : NULL, &res);
	free(v);
	free(copy);
	if (rc != 0) {
		acme_ordered_free(&res);
		free(name);
		wt_problem(w, xstrdup("The order failed (the window says why); "
		    "nothing was changed. Enter tries again."));
		return;
	}
	free(w->name);
	w->name = name;
	errlist_clear(&w->info);
	errlist_add(&w->info, "Key %s has a certificate from the CA, "
	    "installed%s.", name, res.inst.renews != NULL ? " (a renewal: its "
	    "bindings serve the new certificate)" : "");
	if (res.not_after > 0 && gmtime_r(&res.not_after, &tm) != NULL)
		strftime(date, sizeof date, "%Y-%m-%d", &tm);
	else
		snprintf(date, sizeof date, "?");
	errlist_add(&w->info, "Expires %s, SHA-256 %s", date,
	    res.fingerprint != NULL ? res.fingerprint : "?");
	if (res.inst.chain != NULL)
		errlist_add(&w->info, "%s", res.inst.chain);
	w->chain_ok = res.inst.chain_complete;
	for (i = 0; i < res.inst.nmoved; i++)
		errlist_add(&w->info, "Binding %s", res.inst.moved[i]);
	if (bind->len > 0)
		errlist_add(&w->info, "Bound to %s%s%s", bind->buf,
		    sni->len > 0 ? " sni=" : "", sni->len > 0 ? sni->buf : "");
	acme_ordered_free(&res);
	form_clear(&w->form);
	w->step = WT_READY;
}

static int
key_order(struct walkthrough *w, struct tui *t, int key)
{
	return wt_form_key(w, t, key, revalidate_order);
}

static int
act_order(struct tui_win *win, int key)
{
	do_order(win->data, win->tui);
	return 1;
}

static const struct tui_action order_actions[] = {
	{ { '\n', '\r', KEY_ENTER }, "order", NULL, act_order, 0 },
	{ { TUI_ESC }, "back", NULL, wt_act_back, 0 },
};

static const struct tui_keymap order_keymap = KEYMAP("Walkthrough: "
    "ACME order", order_actions);
static const int order_hints[] = {
	'\t', KEY_LEFT, KEY_RIGHT, '\n', TUI_ESC, 0
};

const struct wt_step_ops wt_step_acme_account = {
	draw_account, &account_keymap, key_account, account_hints
};
const struct wt_step_ops wt_step_acme_order = {
	draw_order, &order_keymap, key_order, order_hints
};
