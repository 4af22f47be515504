/*
 * Opening the dialogs that change bindings and listeners: bind (b), edit
 * (e), move (m), add listener (l), and the questions before unbind (d)
 * and remove listener (L). Each fills its fields with the selection and
 * offers values to cycle through (this host's addresses, the keys, the
 * endpoints of a probable move); the dialog mode (window-dialog.c) does
 * the rest.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "tui/tui-int.h"
#include "tui/dialog.h"

/*
 * The addresses offered in address fields: the listeners' first (a
 * binding is for them, and a freebind listener's standby address is on
 * no interface yet), then this host's; form_option() drops repeats.
 */
static void
host_addresses(struct tui *t, struct form_field *f)
{
	struct ifaddrs	*ifa, *i;
	char		 buf[INET6_ADDRSTRLEN], b2[INET6_ADDRSTRLEN + 2];
	char		 ep[ENDPOINT_STRLEN], *colon;
	const struct config_listener *l;
	size_t		 k;
	void		*a;

	form_option(f, ALL_UNASSIGNED);
	for (k = 0; k < config_nlisteners(t->edit) && k < 1000; k++) {
		l = config_listener(t->edit, k);
		if (endpoint_any_addr(&l->ep))
			continue;
		endpoint_format(&l->ep, ep);
		if ((colon = strrchr(ep, ':')) != NULL)
			*colon = '\0';
		form_option(f, ep);
	}
	if (getifaddrs(&ifa) != 0)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			if (inet_ntop(AF_INET, a, buf, sizeof buf) != NULL)
				form_option(f, buf);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
			/* Link-local needs a scope, which endpoints lack. */
			if (IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)a))
				continue;
			if (inet_ntop(AF_INET6, a, buf, sizeof buf) != NULL) {
				snprintf(b2, sizeof b2, "[%s]", buf);
				form_option(f, b2);
			}
		}
	}
	freeifaddrs(ifa);
}

/* The listeners' ports, as offered in a binding's port field. */
static void
listener_ports(struct tui *t, struct form_field *f)
{
	char	buf[8];
	size_t	k;

	for (k = 0; k < config_nlisteners(t->edit) && k < 1000; k++) {
		snprintf(buf, sizeof buf, "%u",
		    (unsigned)config_listener(t->edit, k)->ep.port);
		form_option(f, buf);
	}
}

/* Splits an endpoint's text into the address and port fields. */
static void
split_endpoint(const struct endpoint *ep, struct form_field *addr,
    struct form_field *port)
{
	char	 buf[ENDPOINT_STRLEN], *colon;

	endpoint_format(ep, buf);
	if ((colon = strrchr(buf, ':')) == NULL)
		return;
	*colon = '\0';
	form_set(addr, strcmp(buf, "*") == 0 ? ALL_UNASSIGNED : buf);
	if (port != NULL)
		form_set(port, strcmp(colon + 1, "*") == 0 ? ALL_UNASSIGNED :
		    colon + 1);
}

static int
refuse_readonly(struct tui *t)
{
	if (!t->readonly)
		return 0;
	tui_message(t, 1, "Read-only session: %s", t->holder != NULL ?
	    t->holder : "the config is locked");
	return 1;
}

void
dialog_bind(struct tui *t)
{
	struct dialog	*d;
	struct form_field	*f;
	const char	*sel = tui_selected_key(t);
	enum ep_row_type type;
	size_t		 i, idx;

	if (refuse_readonly(t))
		return;
	if (config_nkeys(t->edit) == 0) {
		tui_message(t, 1, "No key to bind: w starts the walkthrough.");
		return;
	}
	d = dialog_new(t, DLG_BIND, "Bind a key to an endpoint");
	f = dialog_field(d, "Key", FLD_KEY);
	for (i = 0; i < config_nkeys(t->edit) && i < 1000; i++)
		form_option(f, config_key(t->edit, i)->name);
	form_set(f, sel != NULL ? sel : config_key(t->edit, 0)->name);
	f = dialog_field(d, "Address", FLD_ADDRESS);
	host_addresses(t, f);
	form_set(f, ALL_UNASSIGNED);
	f = dialog_field(d, "Port", FLD_PORT);
	form_option(f, ALL_UNASSIGNED);
	form_option(f, "443");
	listener_ports(t, f);
	form_set(f, "443");
	dialog_field(d, "SNI", FLD_SNI);
	f = dialog_field(d, "Backend", FLD_OWN_BACKEND);
	f->hint = "(empty: the listener's)";
	/* From a listener row, offer that listener's endpoint. */
	if (endpoints_selected(t, &type, &idx) == 0 &&
	    t->focus == TUI_PANE_ENDPOINTS && type != EPR_BINDING) {
		const struct config_listener *l = config_listener(t->edit, idx);

		split_endpoint(&l->ep, &d->form.f[1], &d->form.f[2]);
	}
	d->form.cur = 1;
	dialog_push(t, d);
}

void
dialog_edit(struct tui *t)
{
	const struct config_binding *b;
	struct dialog	*d;
	struct form_field	*f, *fa;
	enum ep_row_type type;
	size_t		 idx;
	char		 ep[ENDPOINT_STRLEN];

	if (refuse_readonly(t))
		return;
	if (endpoints_selected(t, &type, &idx) != 0 || type != EPR_BINDING) {
		tui_message(t, 1, "Select a binding in the endpoints pane "
		    "(Tab) to edit it.");
		return;
	}
	b = config_binding(t->edit, idx);
	endpoint_format(&b->ep, ep);
	d = dialog_new(t, DLG_EDIT, "Edit the binding of %s on %s%s%s",
	    b->key, ep, b->sni != NULL ? " sni=" : "",
	    b->sni != NULL ? b->sni : "");
	d->binding = idx;
	fa = dialog_field(d, "Address", FLD_ADDRESS);
	host_addresses(t, fa);
	f = dialog_field(d, "Port", FLD_PORT);
	form_option(f, ALL_UNASSIGNED);
	split_endpoint(&b->ep, fa, f);
	f = dialog_field(d, "SNI", FLD_SNI);
	form_set(f, b->sni);
	/* Its own backend, which the connections it serves go to. */
	f = dialog_field(d, "Backend", FLD_OWN_BACKEND);
	f->hint = "(empty: the listener's)";
	if (b->has_backend)
		form_set(f, endpoint_format(&b->backend, ep));
	dialog_push(t, d);
}

static void
unbind_answer(struct tui *t, void *arg, int yes)
{
	size_t		 idx = (size_t)(uintptr_t)arg;
	const struct config_binding *b;
	struct endpoint	 ep;
	char		*key, *sni, *cause = NULL;

	if (!yes || idx >= config_nbindings(t->edit))
		return;
	b = config_binding(t->edit, idx);
	key = xstrdup(b->key);
	sni = b->sni != NULL ? xstrdup(b->sni) : NULL;
	ep = b->ep;
	if (config_unbind(t->edit, key, &ep, sni, &cause) != 0) {
		tui_message(t, 1, "%s", cause);
		free(cause);
	} else {
		tui_changed(t);
		tui_message(t, 0, "Unbound in memory only: r reviews, c "
		    "commits.");
	}
	free(key);
	free(sni);
}

void
dialog_unbind(struct tui *t)
{
	const struct config_binding *b;
	struct config	*c;
	struct errlist	 eff = ERRLIST_INIT;
	enum ep_row_type type;
	size_t		 idx, i;
	char		 ep[ENDPOINT_STRLEN], *q, *p, *e, *cause = NULL;

	if (refuse_readonly(t))
		return;
	if (endpoints_selected(t, &type, &idx) != 0 || type != EPR_BINDING) {
		tui_message(t, 1, "Select a binding in the endpoints pane "
		    "(Tab) to unbind it.");
		return;
	}
	b = config_binding(t->edit, idx);
	endpoint_format(&b->ep, ep);
	/* Escaped piece by piece: the newlines between them are ours. */
	p = xasprintf("Unbind %s from %s%s%s?", b->key, ep,
	    b->sni != NULL ? " sni=" : "", b->sni != NULL ? b->sni : "");
	q = escape_str(p, t->escflags);
	free(p);
	c = config_dup(t->edit);
	if (config_unbind(c, b->key, &b->ep, b->sni, &cause) == 0) {
		tui_effect(t, t->edit, c, &eff);
		for (i = 0; i < eff.n && i < 4; i++) {
			e = escape_str(eff.v[i], t->escflags);
			p = xasprintf("%s\n  %s", q, e);
			free(e);
			free(q);
			q = p;
		}
	}
	free(cause);
	config_free(c);
	errlist_clear(&eff);
	p = xasprintf("%s\n(y/n)", q);
	free(q);
	q = p;
	tui_confirm(t, q, unbind_answer, (void *)(uintptr_t)idx);
	free(q);
}

void
dialog_move(struct tui *t)
{
	const struct finding	*f, *best = NULL;
	const struct config_binding *b;
	const struct config_listener *l;
	struct dialog		*d;
	struct form_field		*from, *fa, *fp;
	struct endpoint		 to;
	enum ep_row_type	 type;
	size_t			 idx, i;
	int			 have_sel;
	char			 ep[ENDPOINT_STRLEN];

	if (refuse_readonly(t))
		return;
	have_sel = endpoints_selected(t, &type, &idx) == 0;
	/* A probable move on the selected row first, else any. */
	for (i = 0; i < t->found.n; i++) {
		f = &t->found.v[i];
		if (strcmp(f->code, F_PROBABLE_MOVE) != 0 ||
		    f->move_from == NULL || f->move_to == NULL)
			continue;
		if (best == NULL)
			best = f;
		if (have_sel && ((f->kind == FK_BINDING && type == EPR_BINDING) ||
		    (f->kind == FK_LISTENER && type != EPR_BINDING)) &&
		    f->index == (ssize_t)idx) {
			best = f;
			break;
		}
	}
	d = dialog_new(t, DLG_MOVE, "Move an endpoint with its listener and "
	    "bindings");
	from = dialog_field(d, "From", FLD_ENDPOINT);
	for (i = 0; i < config_nlisteners(t->edit) && i < 500; i++) {
		endpoint_format(&config_listener(t->edit, i)->ep, ep);
		form_option(from, ep);
	}
	for (i = 0; i < config_nbindings(t->edit) && i < 500; i++) {
		endpoint_format(&config_binding(t->edit, i)->ep, ep);
		form_option(from, ep);
	}
	fa = dialog_field(d, "To address", FLD_ADDRESS);
	host_addresses(t, fa);
	fp = dialog_field(d, "To port", FLD_PORT);
	form_option(fp, ALL_UNASSIGNED);
	if (best != NULL) {
		d->note = xasprintf("Probable move found: %s -> %s (enter "
		    "accepts it)", best->move_from, best->move_to);
		form_set(from, best->move_from);
		if (endpoint_parse(best->move_to, &to, NULL) == 0)
			split_endpoint(&to, fa, fp);
		d->form.cur = 0;
	} else {
		if (have_sel && type == EPR_BINDING) {
			b = config_binding(t->edit, idx);
			endpoint_format(&b->ep, ep);
			form_set(from, ep);
			split_endpoint(&b->ep, fa, fp);
		} else if (have_sel) {
			l = config_listener(t->edit, idx);
			endpoint_format(&l->ep, ep);
			form_set(from, ep);
			split_endpoint(&l->ep, fa, fp);
		}
		d->form.cur = 1;
	}
	dialog_push(t, d);
}

void
dialog_listen(struct tui *t)
{
	struct dialog	*d;
	struct form_field	*f;

	if (refuse_readonly(t))
		return;
	d = dialog_new(t, DLG_LISTEN, "Add a listener");
	f = dialog_field(d, "Address", FLD_ADDRESS);
	host_addresses(t, f);
	form_set(f, ALL_UNASSIGNED);
	f = dialog_field(d, "Port", FLD_PORT_CONCRETE);
	form_set(f, "443");
	f = dialog_field(d, "Backend", FLD_BACKEND);
	form_set(f, "127.0.0.1:8080");
	dialog_push(t, d);
}

static void
unlisten_answer(struct tui *t, void *arg, int yes)
{
	size_t		 idx = (size_t)(uintptr_t)arg;
	struct endpoint	 ep;
	char		*cause = NULL;

	if (!yes || idx >= config_nlisteners(t->edit))
		return;
	ep = config_listener(t->edit, idx)->ep;
	if (config_unlisten(t->edit, &ep, &cause) != 0) {
		tui_message(t, 1, "%s", cause);
		free(cause);
		return;
	}
	tui_changed(t);
	tui_message(t, 0, "Listener removed in memory only: r reviews, c "
	    "commits.");
}

void
dialog_unlisten(struct tui *t)
{
	enum ep_row_type type;
	size_t		 idx;
	char		 ep[ENDPOINT_STRLEN], be[ENDPOINT_STRLEN], *q;

	if (refuse_readonly(t))
		return;
	if (endpoints_selected(t, &type, &idx) != 0 || type == EPR_BINDING) {
		tui_message(t, 1, "Select a listener in the endpoints pane "
		    "(Tab) to remove it.");
		return;
	}
	endpoint_format(&config_listener(t->edit, idx)->ep, ep);
	endpoint_format(&config_listener(t->edit, idx)->backend, be);
	q = xasprintf("Remove the listener on %s?\nIt forwards to %s; its "
	    "bindings stay.\n(y/n)", ep, be);
	tui_confirm(t, q, unlisten_answer, (void *)(uintptr_t)idx);
	free(q);
}
