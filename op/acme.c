/*
 * The ACME account, and what certbind tells of its managed keys: status,
 * the renewal window and when renewal is due (op/acme.h). The order
 * itself is op/acme-order.c, its authorizations op/acme-authz.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <gnutls/gnutls.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "util/fileio.h"
#include "util/xmalloc.h"
#include "keys/acmecert.h"
#include "keys/cert.h"
#include "keys/jws.h"
#include "keys/privkey.h"
#include "keys/request.h"
#include "op/acme.h"
#include "op/acme-answer.h"
#include "op/acme-client.h"
#include "op/acme-due.h"
#include "op/acme-paths.h"
#include "op/acme-preflight.h"
#include "op/acme-state.h"
#include "op/probe.h"
#include "op/reload.h"
#include "op/acme-int.h"

void
acme_say(struct run *r, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	if (r->progress == NULL)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	r->progress(r->arg, line);
	free(line);
}

int
acme_elapsed(const struct run *r)
{
	return (int)(time(NULL) - r->start);
}

int
acme_poll_wait(struct run *r, time_t retry_after, const char *what,
    char **cause)
{
	time_t	now = time(NULL);
	long	ms = 1000;

	if (now - r->start >= ACME_ORDER_TIMEOUT_S) {
		*cause = xasprintf("%s: no answer from the CA after %d s",
		    what, ACME_ORDER_TIMEOUT_S);
		return -1;
	}
	if (retry_after > now)
		ms = (long)(retry_after - now) * 1000;
	if (ms > 10000)
		ms = 10000;
	usleep((useconds_t)ms * 1000);
	return 0;
}

void
acme_registered_free(struct acme_registered *rg)
{
	free(rg->account);
	free(rg->tos);
	memset(rg, 0, sizeof *rg);
}

void
acme_ordered_release(struct acme_ordered *o)
{
	if (o->held != NULL)
		o->held->give(o->held->arg);
	o->held = NULL;
}

void
acme_ordered_free(struct acme_ordered *o)
{
	acme_ordered_release(o);
	lifecycle_installed_free(&o->inst);
	free(o->fingerprint);
	memset(o, 0, sizeof *o);
}

void
acme_key_status_free(struct acme_key_status *s)
{
	free(s->problem);
	memset(s, 0, sizeof *s);
}

/* The account key's path as written in the config. */
static const char *
account_rel(const struct config *cf)
{
	const struct config_acme	*a = config_acme(cf);

	return a != NULL && a->account != NULL ? a->account :
	    ACME_ACCOUNT_DEFAULT;
}

int
acme_account_load(const struct config *cf, struct privkey **key,
    char **cause)
{
	char	*path, *why = NULL;
	int	 rc;

	path = config_resolve_path(cf, account_rel(cf));
	if ((rc = privkey_load(path, key, NULL, &why)) != 0) {
		*cause = xasprintf("the ACME account key %s: %s (make the "
		    "account with certbind acme register)", path, why);
		free(why);
	}
	free(path);
	return rc;
}

/* The payload of newAccount. */
static char *
account_payload(const struct acme_register_opts *o, const char *email,
    const char *eab, int only_existing)
{
	json_t	*p, *c;
	char	*s, *mailto;

	p = json_object();
	if (only_existing)
		json_object_set_new(p, "onlyReturnExisting", json_true());
	else {
		json_object_set_new(p, "termsOfServiceAgreed",
		    json_boolean(o->agree_tos));
		if (email != NULL) {
			c = json_array();
			mailto = xasprintf("mailto:%s", email);
			json_array_append_new(c, json_string(mailto));
			free(mailto);
			json_object_set_new(p, "contact", c);
		}
		if (eab != NULL)
			json_object_set_new(p, "externalAccountBinding",
			    json_loads(eab, 0, NULL));
	}
	s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	return s;
}

int
acme_account_find(struct acme_client *cl, struct privkey *key,
    char **cause)
{
	const struct acme_directory	*d = acme_client_directory(cl);
	struct acme_response		 resp;
	char				*payload;
	const char			*type;
	int				 rc;

	acme_client_set_key(cl, key, NULL);
	payload = account_payload(NULL, NULL, NULL, 1);
	rc = acme_post(cl, d->new_account, payload, "finding the ACME "
	    "account", &resp, cause);
	free(payload);
	if (rc != 0) {
		type = resp.has_problem ? acme_problem_short(&resp.problem) :
		    NULL;
		if (type != NULL && strcmp(type, "accountDoesNotExist") == 0) {
			free(*cause);
			*cause = xasprintf("the CA %s has no account for this "
			    "account key: make one with certbind acme "
			    "register", acme_client_url(cl));
		}
	} else if (resp.location == NULL) {
		*cause = xstrdup("finding the ACME account: the CA sent no "
		    "account URL (Location)");
		rc = -1;
	} else
		acme_client_set_key(cl, key, resp.location);
	acme_response_clear(&resp);
	return rc;
}

/* Sets a string member of the config's acme group. */
static void
set_member(char **member, const char *v)
{
	if (v == NULL)
		return;
	free(*member);
	*member = xstrdup(v);
}

int
acme_register(const struct config *before,
    const struct acme_register_opts *o, struct config **after,
    struct lifecycle_files *lf, struct acme_registered *rg, char **cause)
{
	const struct config_acme	*a = config_acme(before);
	const struct acme_directory	*d;
	struct config_acme		*na;
	struct acme_client		*cl = NULL;
	struct acme_response		 resp;
	struct privkey			*key = NULL;
	const char			*server, *email, *bundle;
	char				*payload = NULL, *eab = NULL, *dir;
	char				*bundle_abs = NULL;
	int				 rc = -1;

	memset(rg, 0, sizeof *rg);
	memset(&resp, 0, sizeof resp);
	*after = NULL;
	server = o->server != NULL ? o->server : a != NULL ? a->server : NULL;
	email = o->email != NULL ? o->email : a != NULL ? a->email : NULL;
	bundle = o->ca_bundle != NULL ? o->ca_bundle :
	    a != NULL ? a->ca_bundle : NULL;
	if (server == NULL) {
		*cause = xstrdup("no ACME server: give its directory URL "
		    "with --server URL");
		return -1;
	}
	if (bundle != NULL)
		bundle_abs = o->ca_bundle != NULL ? xstrdup(bundle) :
		    config_resolve_path(before, bundle);
	if (acme_client_new(server, bundle_abs, &cl, cause) != 0)
		goto out;
	d = acme_client_directory(cl);
	if (d->terms_of_service != NULL)
		rg->tos = xstrdup(d->terms_of_service);
	if (!o->agree_tos) {
		*cause = d->terms_of_service != NULL ?
		    xasprintf("the CA's terms of service are at %s: read "
		    "them, then run again with --agree-tos",
		    d->terms_of_service) :
		    xstrdup("agreeing to the CA's terms of service needs "
		    "--agree-tos");
		goto out;
	}
	if (d->eab_required && o->eab_kid == NULL) {
		*cause = xasprintf("the CA %s requires External Account "
		    "Binding: give --eab-kid ID and --eab-hmac-file FILE "
		    "from the CA", server);
		goto out;
	}

	/* The account key: the one on file, or a new ECDSA P-256 key. */
	memset(lf, 0, sizeof *lf);
	lf->key.rel = xstrdup(a != NULL && a->account != NULL ? a->account :
	    ACME_ACCOUNT_DEFAULT);
	lf->key.abs = config_resolve_path(before, lf->key.rel);
	if (access(lf->key.abs, F_OK) == 0) {
		if (privkey_load(lf->key.abs, &key, NULL, cause) != 0)
			goto out;
	} else {
		dir = xstrdup(lf->key.abs);
		*strrchr(dir, '/') = '\0';
		rc = lifecycle_mkdirs(dir, cause);
		if (rc == 0)
			(void)chmod(dir, 0700);
		free(dir);
		if (rc != 0 || privkey_generate(KEY_ECDSA_P256, &key,
		    cause) != 0 || privkey_save(key, lf->key.abs, 0600,
		    cause) != 0) {
			rc = -1;
			goto out;
		}
		lf->key.created = 1;
		rg->key_created = 1;
		rc = -1;
	}
	acme_client_set_key(cl, key, NULL);
	if (o->eab_kid != NULL && jws_eab(key, o->eab_kid, o->eab_mac,
	    o->eab_maclen, d->new_account, &eab, cause) != 0)
		goto out;
	payload = account_payload(o, email, eab, 0);
	if (acme_post(cl, d->new_account, payload, "creating the ACME "
	    "account", &resp, cause) != 0)
		goto out;
	if (resp.location == NULL) {
		*cause = xstrdup("creating the ACME account: the CA sent no "
		    "account URL (Location)");
		goto out;
	}
	rg->account = xstrdup(resp.location);
	rg->existed = resp.status == 200;

	*after = config_dup(before);
	na = config_acme_edit(*after);
	set_member(&na->server, server);
	set_member(&na->account, lf->key.rel);
	set_member(&na->email, email);
	set_member(&na->ca_bundle, bundle);
	rc = 0;
out:
	acme_response_clear(&resp);
	acme_client_free(cl);
	if (key != NULL)
		privkey_free(key);
	free(payload);
	free(eab);
	free(bundle_abs);
	return rc;
}
int
acme_key_status(const struct config *cf, const char *name,
    struct acme_key_status *s, char **cause)
{
	struct acme_state		st;
	struct acme_renewal_info	ri;
	struct cert			*c;
	time_t				nb = 0;

	memset(s, 0, sizeof *s);
	if (acme_state_load(cf, name, &st, cause) != 0)
		return -1;
	s->name = config_key_find(cf, name) != NULL ?
	    config_key_find(cf, name)->name : name;
	if ((c = acme_key_cert(cf, name)) != NULL) {
		s->not_after = cert_not_after(c);
		nb = cert_not_before(c);
		cert_free(c);
	}
	memset(&ri, 0, sizeof ri);
	if (st.ari_start > 0 && st.ari_end > st.ari_start) {
		ri.start = st.ari_start;
		ri.end = st.ari_end;
		s->ari = 1;
	}
	/* The draw is fixed per key, so status and renew agree. */
	s->due = s->not_after == 0 ? 0 : acme_due_time(nb, s->not_after,
	    s->ari ? &ri : NULL, (double)(name[0] % 10) / 10.0);
	s->next_retry = st.next_retry;
	s->last_attempt = st.last_attempt;
	s->last_ok = st.last_ok;
	s->failures = st.failures;
	s->problem = st.problem != NULL ? xstrdup(st.problem) : NULL;
	s->order_pending = st.order != NULL;
	acme_state_free(&st);
	return 0;
}

struct cert *
acme_key_cert(const struct config *cf, const char *name)
{
	const struct config_key	*k = config_key_find(cf, name);
	struct cert		*c = NULL;
	char			*path, *why = NULL;

	if (k == NULL || k->cert == NULL)
		return NULL;
	path = config_resolve_path(cf, k->cert);
	if (cert_load(path, &c, &why) != 0)
		c = NULL;
	free(why);
	free(path);
	return c;
}

int
acme_ari_update(const struct config *cf, const char *name,
    char **cause)
{
	const struct config_acme	*a = config_acme(cf);
	const struct acme_directory	*d;
	struct acme_client		*cl = NULL;
	struct acme_response		 resp;
	struct acme_renewal_info	 ri;
	struct acme_state		 st;
	struct cert			*c;
	char				*bundle = NULL, *id = NULL, *url;
	char				*why = NULL;
	int				 rc = -1;

	memset(&resp, 0, sizeof resp);
	memset(&ri, 0, sizeof ri);
	if (a == NULL || a->server == NULL || (c = acme_key_cert(cf, name)) == NULL)
		return 0;
	if (a->ca_bundle != NULL)
		bundle = config_resolve_path(cf, a->ca_bundle);
	if (acme_client_new(a->server, bundle, &cl, cause) != 0)
		goto out;
	d = acme_client_directory(cl);
	if (d->renewal_info == NULL) {
		rc = 0;
		goto out;
	}
	if (acmecert_ari_id(c, &id, cause) != 0)
		goto out;
	url = xasprintf("%s%s%s", d->renewal_info,
	    d->renewal_info[strlen(d->renewal_info) - 1] == '/' ? "" : "/",
	    id);
	rc = acme_get(cl, url, "fetching the renewal window", &resp, cause);
	free(url);
	if (rc != 0)
		goto out;
	rc = -1;
	if (acme_parse_renewal_info(resp.body, resp.len, &ri, &why) != 0) {
		*cause = xasprintf("the CA's renewal window: %s", why);
		free(why);
		goto out;
	}
	if (acme_state_load(cf, name, &st, cause) != 0)
		goto out;
	st.ari_start = ri.start;
	st.ari_end = ri.end;
	rc = acme_state_save(cf, name, &st, cause) == 0 ? 1 : -1;
	acme_state_free(&st);
out:
	acme_renewal_info_free(&ri);
	acme_response_clear(&resp);
	acme_client_free(cl);
	cert_free(c);
	free(bundle);
	free(id);
	return rc;
}

int
acme_renewal_due(const struct config *cf, const char *name, time_t now,
    char **why, char **cause)
{
	struct acme_key_status	s;
	char			when[64];
	struct tm		tm;
	time_t			t;
	int			due;

	*why = NULL;
	if (acme_key_status(cf, name, &s, cause) != 0)
		return -1;
	if (s.failures > 0 && s.next_retry > now) {
		t = s.next_retry;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
		*why = xasprintf("the last attempt failed; the next is not "
		    "before %s", when);
		due = 0;
	} else if (s.order_pending || s.due <= now)
		due = 1;
	else {
		t = s.due;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
		*why = xasprintf("not due until %s%s", when,
		    s.ari ? " (the CA's renewal window)" : "");
		due = 0;
	}
	acme_key_status_free(&s);
	return due;
}

