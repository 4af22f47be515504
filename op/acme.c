/*
 * The ACME account and orders (op/acme.h). The transport is
 * op/acme-client.c, the answers to challenges op/acme-answer.c and, for
 * tls-alpn-01, certbindd (op/acme-paths.h); this file holds the order's
 * steps and what ties them to the key lifecycle.
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

/* How long certbindd may take to serve a new challenge certificate. */
#define ALPN_SERVED_TIMEOUT_MS	5000
/* How long a dns-01 hook may run. */
#define DNS_HOOK_TIMEOUT_S	300

/* One order's run: the client, the account key, progress. */
struct run {
	const struct config		*cfg;
	const struct config_key_acme	*spec;
	struct acme_client		*cl;
	struct privkey			*account;
	acme_progress_fn		 progress;
	void				*arg;
	time_t				 start;
	/* What answers the challenges, undone at the end. */
	struct http01			*http01;
	char				**undo_files;	/* webroot, ALPN */
	size_t				 nundo_files;
	int				 alpn_signal;	/* certbindd was told */
	char				**undo_dns;	/* fqdn, value pairs */
	size_t				 nundo_dns;
};

static void
say(struct run *r, const char *fmt, ...)
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

void
acme_registered_free(struct acme_registered *rg)
{
	free(rg->account);
	free(rg->tos);
	memset(rg, 0, sizeof *rg);
}

void
acme_ordered_free(struct acme_ordered *o)
{
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

/* The account key of cf, loaded. */
static int
account_load(const struct config *cf, struct privkey **key, char **cause)
{
	char	*path, *why = NULL;
	int	 rc;

	path = config_resolve_path(cf, account_rel(cf));
	if ((rc = privkey_load(path, key, &why)) != 0) {
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

/* Looks up the account of the client's key: sets the client's kid. */
static int
account_find(struct acme_client *cl, struct privkey *key, char **cause)
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
		if (privkey_load(lf->key.abs, &key, cause) != 0)
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

/*
 * The order's steps. Each returns 0, or -1 with *cause; the run's undo
 * lists say what to take back whatever happens.
 */

static int
elapsed(const struct run *r)
{
	return (int)(time(NULL) - r->start);
}

static void
undo_file(struct run *r, const char *path)
{
	r->undo_files = xreallocarray(r->undo_files, r->nundo_files + 1,
	    sizeof *r->undo_files);
	r->undo_files[r->nundo_files++] = xstrdup(path);
}

/* Tells certbindd that the challenge directory changed. */
static int
alpn_signal(struct run *r, char **cause)
{
	char	*why = NULL;

	if (certbindd_signal(r->cfg, ACME_ALPN_SIGNAL, &why) != 0) {
		*cause = xasprintf("tls-alpn-01 is answered by certbindd, "
		    "and it could not be told of the challenge: %s", why);
		free(why);
		return -1;
	}
	r->alpn_signal = 1;
	return 0;
}

/*
 * The endpoints where the CA's tls-alpn-01 connection arrives: every
 * listener on the challenge port ("*" reached on 127.0.0.1).
 */
static size_t
alpn_endpoints(const struct config *cf, struct endpoint *eps, size_t max)
{
	const struct config_acme	*a = config_acme(cf);
	const struct config_listener	*l;
	int64_t				 port = a != NULL ?
					    a->challenge_tls_port : 443;
	size_t				 i, n = 0;

	for (i = 0; i < config_nlisteners(cf) && n < max; i++) {
		l = config_listener(cf, i);
		if (l->ep.port != port)
			continue;
		eps[n] = l->ep;
		if (endpoint_any_addr(&eps[n]))
			(void)endpoint_parse_addr("127.0.0.1", &eps[n], NULL);
		eps[n].port = (uint16_t)port;
		n++;
	}
	return n;
}

/* Whether certbindd serves the challenge certificate fpr for domain. */
static int
alpn_wait_served(struct run *r, const char *domain, const char *fpr,
    char **cause)
{
	struct endpoint	 eps[16];
	size_t		 n, i;
	char		*got = NULL, *why = NULL, buf[ENDPOINT_STRLEN];
	int		 waited, ok = 0;

	if ((n = alpn_endpoints(r->cfg, eps, 16)) == 0) {
		*cause = xasprintf("%s: no listener in the config on the "
		    "tls-alpn-01 port: certbindd cannot answer the CA",
		    domain);
		return -1;
	}
	for (waited = 0; waited < ALPN_SERVED_TIMEOUT_MS; waited += 100) {
		for (ok = 1, i = 0; i < n && ok; i++) {
			free(got);
			free(why);
			got = why = NULL;
			ok = probe_served(&eps[i], domain, ACME_ALPN_PROTOCOL,
			    1000, &got, &why) == 0 && strcmp(got, fpr) == 0;
		}
		if (ok)
			break;
		usleep(100 * 1000);
	}
	if (!ok) {
		endpoint_format(&eps[i - 1], buf);
		*cause = xasprintf("%s: certbindd on %s does not serve the "
		    "tls-alpn-01 challenge certificate after %d s (%s)",
		    domain, buf, ALPN_SERVED_TIMEOUT_MS / 1000,
		    why != NULL ? why : "another certificate is served");
	}
	free(got);
	free(why);
	return ok ? 0 : -1;
}

/* Sets up the answer to one challenge, before the CA is told. */
static int
answer(struct run *r, const char *domain, const struct acme_challenge *ch,
    const char *keyauth, char **cause)
{
	const struct config_key_acme	*s = r->spec;
	const struct config_acme	*a = config_acme(r->cfg);
	char				*pem = NULL, *fpr = NULL, *path, *dir;
	char				*fqdn, *value, *out = NULL, *rel;
	size_t				 len = 0;
	int				 rc, port;

	if (strcmp(ch->type, "tls-alpn-01") == 0) {
		if (acmecert_alpn(domain, keyauth, &pem, &len, &fpr,
		    cause) != 0)
			return -1;
		dir = config_resolve_path(r->cfg, ACME_ALPN_DIR);
		rc = lifecycle_mkdirs(dir, cause);
		free(dir);
		rel = xasprintf("%s/%s%s", ACME_ALPN_DIR, domain,
		    ACME_ALPN_SUFFIX);
		path = config_resolve_path(r->cfg, rel);
		free(rel);
		if (rc == 0)
			rc = fileio_write_atomic(path, pem, len, 0600, NULL,
			    cause);
		acmecert_pem_free(pem, len);
		if (rc == 0)
			undo_file(r, path);
		free(path);
		if (rc == 0 && (rc = alpn_signal(r, cause)) == 0)
			rc = alpn_wait_served(r, domain, fpr, cause);
		if (rc == 0)
			say(r, "%s: certbindd serves the tls-alpn-01 "
			    "certificate", domain);
		free(fpr);
		return rc;
	}
	if (strcmp(ch->type, "http-01") == 0) {
		if (s->webroot != NULL) {
			if (webroot_put(s->webroot, ch->token, keyauth, &path,
			    cause) != 0)
				return -1;
			undo_file(r, path);
			free(path);
			return 0;
		}
		if (r->http01 == NULL) {
			port = s->http_port > 0 ? (int)s->http_port :
			    a != NULL ? (int)a->challenge_http_port : 80;
			if (http01_start(port, &r->http01, cause) != 0)
				return -1;
			say(r, "answering http-01 on port %d", port);
		}
		http01_add(r->http01, ch->token, keyauth);
		return 0;
	}
	/* dns-01 */
	fqdn = dns01_fqdn(domain);
	value = jws_dns01_value(keyauth);
	say(r, "%s: running the dns-01 hook: %s add %s", domain, s->dns_hook,
	    fqdn);
	rc = dns01_hook(s->dns_hook, "add", fqdn, value, DNS_HOOK_TIMEOUT_S,
	    &out, cause);
	if (rc != 0 && out != NULL && *out != '\0') {
		path = xasprintf("%s; it said: %s", *cause, out);
		free(*cause);
		*cause = path;
	}
	free(out);
	r->undo_dns = xreallocarray(r->undo_dns, r->nundo_dns + 2,
	    sizeof *r->undo_dns);
	r->undo_dns[r->nundo_dns++] = fqdn;
	r->undo_dns[r->nundo_dns++] = value;
	return rc;
}

/* Takes back every answer: files, certbindd's table, records, responder. */
static void
answers_undo(struct run *r)
{
	char	*out = NULL, *why = NULL;
	size_t	 i;

	for (i = 0; i < r->nundo_files; i++) {
		(void)unlink(r->undo_files[i]);
		free(r->undo_files[i]);
	}
	free(r->undo_files);
	r->undo_files = NULL;
	r->nundo_files = 0;
	if (r->alpn_signal)
		(void)certbindd_signal(r->cfg, ACME_ALPN_SIGNAL, &why);
	free(why);
	r->alpn_signal = 0;
	for (i = 0; i + 1 < r->nundo_dns; i += 2) {
		if (dns01_hook(r->spec->dns_hook, "remove", r->undo_dns[i],
		    r->undo_dns[i + 1], DNS_HOOK_TIMEOUT_S, &out, &why) != 0)
			say(r, "the dns-01 hook could not remove %s: %s",
			    r->undo_dns[i], why);
		free(out);
		free(why);
		out = why = NULL;
		free(r->undo_dns[i]);
		free(r->undo_dns[i + 1]);
	}
	free(r->undo_dns);
	r->undo_dns = NULL;
	r->nundo_dns = 0;
	if (r->http01 != NULL)
		http01_stop(r->http01);
	r->http01 = NULL;
}

/* Sleeps until the CA's Retry-After, or a second, within the deadline. */
static int
poll_wait(struct run *r, time_t retry_after, const char *what, char **cause)
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

/* POST-as-GET of an authorization. */
static int
authz_get(struct run *r, const char *url, struct acme_authz *az,
    time_t *retry, char **cause)
{
	struct acme_response	resp;
	char			*why = NULL;
	int			rc;

	rc = acme_post(r->cl, url, NULL, "fetching an authorization", &resp,
	    cause);
	*retry = resp.retry_after;
	if (rc == 0 && acme_parse_authz(resp.body, resp.len, az, &why) != 0) {
		*cause = xasprintf("the CA's authorization %s: %s", url, why);
		free(why);
		rc = -1;
	}
	acme_response_clear(&resp);
	return rc;
}

/* The cause of a failed authorization: the domain, challenge, detail. */
static char *
authz_failure(const struct acme_authz *az, const char *type)
{
	const struct acme_challenge	*ch = acme_authz_challenge(az, type);
	char				*what, *s;

	what = xasprintf("%s: %s failed", az->identifier, type);
	if (ch != NULL && ch->error != NULL)
		s = acme_problem_cause(what, ch->error, 0);
	else
		s = xasprintf("%s: the authorization is %s", what,
		    acme_status_name(az->status));
	free(what);
	return s;
}

/* Answers one authorization and waits until the CA has decided. */
static int
authorize(struct run *r, const char *url, char **cause)
{
	const char			*type = r->spec->challenge;
	const struct acme_challenge	*ch;
	struct acme_authz		 az;
	struct acme_response		 resp;
	enum acme_status		 last;
	char				*keyauth = NULL;
	time_t				 retry;
	int				 rc = -1;

	memset(&az, 0, sizeof az);
	if (authz_get(r, url, &az, &retry, cause) != 0)
		return -1;
	if (az.status == ACME_S_VALID) {
		say(r, "%s: valid already", az.identifier);
		acme_authz_free(&az);
		return 0;
	}
	if (az.status != ACME_S_PENDING) {
		*cause = authz_failure(&az, type);
		goto out;
	}
	if ((ch = acme_authz_challenge(&az, type)) == NULL) {
		*cause = xasprintf("%s: the CA offers no %s challenge for it",
		    az.identifier, type);
		goto out;
	}
	if (ch->token == NULL) {
		*cause = xasprintf("%s: the CA's %s challenge has no token",
		    az.identifier, type);
		goto out;
	}
	if (jws_key_authorization(r->account, ch->token, &keyauth,
	    cause) != 0 || answer(r, az.identifier, ch, keyauth, cause) != 0)
		goto out;
	if (acme_post(r->cl, ch->url, "{}", "answering the challenge", &resp,
	    cause) != 0) {
		acme_response_clear(&resp);
		goto out;
	}
	acme_response_clear(&resp);
	say(r, "%s: %s answered; the CA is validating (%d s)", az.identifier,
	    type, elapsed(r));

	last = az.status;
	for (;;) {
		if (poll_wait(r, retry, az.identifier, cause) != 0)
			goto out;
		acme_authz_free(&az);
		memset(&az, 0, sizeof az);
		if (authz_get(r, url, &az, &retry, cause) != 0)
			goto out;
		if (az.status != last)
			say(r, "%s: %s (%d s)", az.identifier,
			    acme_status_name(az.status), elapsed(r));
		last = az.status;
		if (az.status == ACME_S_VALID)
			break;
		if (az.status != ACME_S_PENDING) {
			*cause = authz_failure(&az, type);
			goto out;
		}
	}
	rc = 0;
out:
	free(keyauth);
	acme_authz_free(&az);
	return rc;
}

/* POST-as-GET of the order. */
static int
order_get(struct run *r, const char *url, struct acme_order *o,
    time_t *retry, char **cause)
{
	struct acme_response	resp;
	char			*why = NULL;
	int			rc;

	rc = acme_post(r->cl, url, NULL, "fetching the order", &resp, cause);
	if (retry != NULL)
		*retry = resp.retry_after;
	if (rc == 0 && acme_parse_order(resp.body, resp.len, o, &why) != 0) {
		*cause = xasprintf("the CA's order %s: %s", url, why);
		free(why);
		rc = -1;
	}
	acme_response_clear(&resp);
	return rc;
}

/* The order as a cause when it went wrong. */
static char *
order_failure(const struct acme_order *o)
{
	if (o->error != NULL)
		return acme_problem_cause("the order failed", o->error, 0);
	return xasprintf("the order is %s", acme_status_name(o->status));
}

/* The request's DER, base64url, for finalize. */
static int
csr_payload(const struct config *cf, const char *rel, char **payload,
    char **cause)
{
	gnutls_datum_t	 der = { NULL, 0 };
	gnutls_datum_t	 pem;
	json_t		*p;
	char		*path, *data = NULL, *b64;
	size_t		 len;

	path = config_resolve_path(cf, rel);
	if (fileio_read(path, 1024 * 1024, 0, &data, &len, NULL, cause) != 0) {
		free(path);
		return -1;
	}
	pem.data = (unsigned char *)data;
	pem.size = (unsigned)len;
	if (gnutls_pem_base64_decode2("CERTIFICATE REQUEST", &pem,
	    &der) < 0) {
		*cause = xasprintf("%s: not a PEM certificate request", path);
		free(path);
		free(data);
		return -1;
	}
	free(path);
	free(data);
	b64 = b64url_encode(der.data, der.size);
	gnutls_free(der.data);
	p = json_pack("{s:s}", "csr", b64);
	free(b64);
	*payload = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	return 0;
}

/*
 * Finalizes (unless the order is valid already) and waits for the
 * certificate's URL.
 */
static int
finalize(struct run *r, const char *url, struct acme_order *o,
    const char *request, char **cause)
{
	struct acme_response	 resp;
	char			*payload = NULL;
	time_t			 retry = 0;
	int			 rc;

	if (o->status == ACME_S_READY) {
		if (csr_payload(r->cfg, request, &payload, cause) != 0)
			return -1;
		rc = acme_post(r->cl, o->finalize, payload, "finalizing the "
		    "order", &resp, cause);
		retry = resp.retry_after;
		acme_response_clear(&resp);
		free(payload);
		if (rc != 0)
			return -1;
		say(r, "order finalized; waiting for the certificate (%d s)",
		    elapsed(r));
	}
	for (;;) {
		acme_order_free(o);
		memset(o, 0, sizeof *o);
		if (order_get(r, url, o, &retry, cause) != 0)
			return -1;
		if (o->status == ACME_S_VALID && o->certificate != NULL)
			return 0;
		if (o->status != ACME_S_PROCESSING &&
		    o->status != ACME_S_READY) {
			*cause = order_failure(o);
			return -1;
		}
		if (poll_wait(r, retry, "the certificate", cause) != 0)
			return -1;
	}
}

/* Downloads the chain. */
static int
download(struct run *r, const char *url, struct cert **crt, char **cause)
{
	struct acme_response	 resp;
	char			*why = NULL;
	int			 rc;

	rc = acme_post(r->cl, url, NULL, "downloading the certificate", &resp,
	    cause);
	if (rc == 0 && cert_load_mem(resp.body, resp.len, "the CA's "
	    "certificate chain", crt, &why) != 0) {
		*cause = xasprintf("the certificate the CA sent: %s", why);
		free(why);
		rc = -1;
	}
	acme_response_clear(&resp);
	return rc;
}

/* A new order for the spec's domains; *url its URL. */
static int
order_new(struct run *r, struct acme_order *o, char **url, char **cause)
{
	const struct acme_directory	*d = acme_client_directory(r->cl);
	struct acme_response		 resp;
	json_t				*p, *ids;
	char				*payload, *why = NULL;
	size_t				 i;
	int				 rc;

	ids = json_array();
	for (i = 0; i < r->spec->ndomains; i++)
		json_array_append_new(ids, json_pack("{s:s,s:s}", "type",
		    "dns", "value", r->spec->domains[i]));
	p = json_pack("{s:o}", "identifiers", ids);
	payload = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	rc = acme_post(r->cl, d->new_order, payload, "creating the order",
	    &resp, cause);
	free(payload);
	if (rc == 0 && resp.location == NULL) {
		*cause = xstrdup("creating the order: the CA sent no order "
		    "URL (Location)");
		rc = -1;
	}
	if (rc == 0 && acme_parse_order(resp.body, resp.len, o, &why) != 0) {
		*cause = xasprintf("the CA's new order: %s", why);
		free(why);
		rc = -1;
	}
	if (rc == 0)
		*url = xstrdup(resp.location);
	acme_response_clear(&resp);
	return rc;
}

/* The subject of the request: the first domain as CN, all as SANs. */
static void
order_subject(const struct config_key_acme *spec, struct subject *subj)
{
	memset(subj, 0, sizeof *subj);
	subj->cn = spec->domains[0];
	subj->sans = (const char **)spec->domains;
	subj->nsans = spec->ndomains;
}

/* The key type of the fresh keys: the spec's, else the default. */
static int
order_key_type(const struct config_key_acme *spec, char **cause)
{
	return lifecycle_key_type(spec->key_type, cause);
}

/* Removes the files of an order a killed run left, and forgets it. */
static void
order_discard(const struct config *cf, struct acme_state *st)
{
	char	*p;

	if (st->key != NULL && config_key_find(cf, st->pending) == NULL) {
		p = config_resolve_path(cf, st->key);
		(void)unlink(p);
		free(p);
		p = config_resolve_path(cf, st->request);
		(void)unlink(p);
		free(p);
	}
	acme_state_order_clear(st);
}

/* Records a failure in the state file (acme-renewal-failing). */
static void
state_failed(const struct config *cf, const char *name, struct acme_state *st,
    const char *cause, time_t retry_after, time_t not_after)
{
	char	*why = NULL;

	st->last_attempt = time(NULL);
	st->last_ok = 0;
	free(st->problem);
	st->problem = xstrdup(cause);
	st->failures++;
	st->next_retry = acme_retry_time(st->last_attempt, st->failures,
	    retry_after, not_after);
	(void)acme_state_save(cf, name, st, &why);
	free(why);
}

/* The certificate's expiry of key name, 0 if it has none. */
static time_t
key_not_after(const struct config *cf, const char *name)
{
	const struct config_key	*k = config_key_find(cf, name);
	struct cert		*c;
	char			*path, *why = NULL;
	time_t			 t = 0;

	if (k == NULL || k->cert == NULL)
		return 0;
	path = config_resolve_path(cf, k->cert);
	if (cert_load(path, &c, &why) == 0) {
		t = cert_not_after(c);
		cert_free(c);
	}
	free(why);
	free(path);
	return t;
}

/* Runs the preflight over every domain: 0, or -1 and *cause. */
static int
preflight(struct run *r, char **cause)
{
	const struct config_acme	*a = config_acme(r->cfg);
	const struct config_key_acme	*s = r->spec;
	struct preflight_result		 pr;
	size_t				 i;
	int				 port;

	if (strcmp(s->challenge, "tls-alpn-01") == 0)
		port = a != NULL ? (int)a->challenge_tls_port : 443;
	else
		port = a != NULL ? (int)a->challenge_http_port : 80;
	for (i = 0; i < s->ndomains; i++) {
		memset(&pr, 0, sizeof pr);
		preflight_domain(r->cfg, s->domains[i], s->challenge,
		    s->webroot != NULL, port, &pr);
		if (pr.verdict == PREFLIGHT_UNREACHABLE) {
			*cause = xasprintf("acme-unreachable: %s (certbind "
			    "acme order --no-preflight skips this check)",
			    pr.message);
			preflight_result_free(&pr);
			return -1;
		}
		say(r, "preflight: %s%s", pr.verdict == PREFLIGHT_UNRESOLVED ?
		    "warning: " : "", pr.message);
		preflight_result_free(&pr);
	}
	return 0;
}

/*
 * The pending key the order fills: a fresh key and request (resumed: the
 * one in the state file), added to *tmp, a copy of before.
 */
static int
pending_make(struct run *r, const struct config *before, const char *pname,
    struct config **tmp, struct lifecycle_files *lf, char **cause)
{
	struct subject	 subj;
	char		*pem = NULL;
	size_t		 len;
	int		 type;

	if ((type = order_key_type(r->spec, cause)) == -1)
		return -1;
	order_subject(r->spec, &subj);
	if (lifecycle_request(before, pname, &subj, type, tmp, lf, &pem, &len,
	    cause) != 0)
		return -1;
	free(pem);
	return 0;
}

int
acme_order(const struct config *before, const struct acme_order_opts *opts,
    struct config **after, struct lifecycle_files *lf,
    struct acme_ordered *res, char **cause)
{
	const struct config_acme	*a = config_acme(before);
	const struct config_key		*k;
	struct run			 r;
	struct acme_state		 st;
	struct acme_order		 o;
	struct config			*tmp = NULL;
	struct cert			*crt = NULL;
	struct endpoint			 ep;
	char				*pname, *url = NULL, *bundle = NULL;
	char				*why = NULL;
	const char			*name = opts->name;
	time_t				 not_after, retry = 0;
	size_t				 i;
	int				 rc = -1, renewal;

	*after = NULL;
	memset(lf, 0, sizeof *lf);
	memset(res, 0, sizeof *res);
	memset(&r, 0, sizeof r);
	memset(&o, 0, sizeof o);
	memset(&st, 0, sizeof st);
	r.cfg = before;
	r.spec = opts->spec;
	r.progress = opts->progress;
	r.arg = opts->arg;
	r.start = time(NULL);

	if (a == NULL || a->server == NULL) {
		*cause = xstrdup("the config has no acme group: make the "
		    "account first (certbind acme register --server URL "
		    "--agree-tos)");
		return -1;
	}
	if (config_key_acme_check(r.spec, cause) != 0 ||
	    lifecycle_name_valid(name, cause) != 0)
		return -1;
	k = config_key_find(before, name);
	if (k != NULL && k->cert == NULL) {
		*cause = xasprintf("key '%s' is pending a CA's answer already: "
		    "install it or remove the key first", name);
		return -1;
	}
	renewal = k != NULL;
	pname = renewal ? xasprintf("%s%s", name, LIFECYCLE_RENEW_SUFFIX) :
	    xstrdup(name);
	if (renewal && config_key_find(before, pname) != NULL) {
		*cause = xasprintf("a renewal of '%s' is pending already (key "
		    "'%s'): install its certificate, or remove it first",
		    name, pname);
		free(pname);
		return -1;
	}
	not_after = key_not_after(before, name);
	if (acme_state_load(before, name, &st, cause) != 0) {
		free(pname);
		return -1;
	}
	if (opts->preflight && preflight(&r, cause) != 0)
		goto out_state;

	if (a->ca_bundle != NULL)
		bundle = config_resolve_path(before, a->ca_bundle);
	if (account_load(before, &r.account, cause) != 0 ||
	    acme_client_new(a->server, bundle, &r.cl, cause) != 0 ||
	    account_find(r.cl, r.account, cause) != 0)
		goto fail;

	/* An order a killed run left: resume it, or take its files back. */
	if (st.order != NULL) {
		if (strcmp(st.pending, pname) == 0 &&
		    order_get(&r, st.order, &o, NULL, &why) == 0 &&
		    (o.status == ACME_S_VALID || o.status == ACME_S_READY ||
		    o.status == ACME_S_PENDING ||
		    o.status == ACME_S_PROCESSING)) {
			tmp = config_dup(before);
			if (config_key_add(tmp, pname, st.key, NULL,
			    st.request, &why) == 0) {
				url = xstrdup(st.order);
				res->resumed = 1;
				lf->key.rel = xstrdup(st.key);
				lf->key.abs = config_resolve_path(before,
				    st.key);
				lf->key.created = 1;
				lf->req.rel = xstrdup(st.request);
				lf->req.abs = config_resolve_path(before,
				    st.request);
				lf->req.created = 1;
				say(&r, "resuming the order a stopped run "
				    "left (%s)", acme_status_name(o.status));
			}
		}
		free(why);
		why = NULL;
		if (url == NULL) {
			if (tmp != NULL)
				config_free(tmp);
			tmp = NULL;
			acme_order_free(&o);
			memset(&o, 0, sizeof o);
			order_discard(before, &st);
			(void)acme_state_save(before, name, &st, &why);
			free(why);
			why = NULL;
		}
	}
	if (url == NULL) {
		if (pending_make(&r, before, pname, &tmp, lf, cause) != 0)
			goto fail;
		if (order_new(&r, &o, &url, cause) != 0)
			goto fail;
		st.order = xstrdup(url);
		st.pending = xstrdup(pname);
		st.key = xstrdup(lf->key.rel);
		st.request = xstrdup(lf->req.rel);
		st.started = r.start;
		if (acme_state_save(before, name, &st, cause) != 0)
			goto fail;
		say(&r, "order created for %zu name%s with a new %s key",
		    r.spec->ndomains, r.spec->ndomains == 1 ? "" : "s",
		    r.spec->key_type != NULL ? r.spec->key_type :
		    key_type_name(KEY_TYPE_DEFAULT));
	}

	if (o.status == ACME_S_PENDING) {
		for (i = 0; i < o.nauthorizations; i++) {
			if (authorize(&r, o.authorizations[i], cause) != 0)
				goto fail;
		}
		acme_order_free(&o);
		memset(&o, 0, sizeof o);
		if (order_get(&r, url, &o, &retry, cause) != 0)
			goto fail;
		while (o.status == ACME_S_PENDING) {
			if (poll_wait(&r, retry, "the order", cause) != 0)
				goto fail;
			acme_order_free(&o);
			memset(&o, 0, sizeof o);
			if (order_get(&r, url, &o, &retry, cause) != 0)
				goto fail;
		}
	}
	answers_undo(&r);
	if (finalize(&r, url, &o, st.request, cause) != 0 ||
	    download(&r, o.certificate, &crt, cause) != 0)
		goto fail;

	/* Onto the pending key, and (a renewal) from there onto name. */
	if (lifecycle_install(tmp, crt, pname, after, lf, &res->inst,
	    cause) != 0)
		goto fail;
	if (config_key_acme_set(*after, name, r.spec, cause) != 0)
		goto fail;
	if (opts->bind != NULL) {
		if (endpoint_parse(opts->bind, &ep, cause) != 0)
			goto fail;
		if (config_bind(*after, name, &ep, opts->sni, cause) != 0)
			goto fail;
	}
	res->fingerprint = xstrdup(cert_fingerprint(crt));
	res->not_after = cert_not_after(crt);
	say(&r, "certificate issued: SHA-256 %s, expires in %ld days",
	    res->fingerprint, cert_days_left(crt, time(NULL)));
	rc = 0;
	goto out;

fail:
	answers_undo(&r);
	if (*after != NULL)
		config_free(*after);
	*after = NULL;
	/* Nothing half-made stays: the pending key's files go. */
	lifecycle_files_undo(lf);
	acme_state_order_clear(&st);
	state_failed(before, name, &st, *cause, 0, not_after);
out:
	if (tmp != NULL)
		config_free(tmp);
	if (crt != NULL)
		cert_free(crt);
	acme_order_free(&o);
	acme_client_free(r.cl);
	if (r.account != NULL)
		privkey_free(r.account);
	free(url);
	free(bundle);
out_state:
	if (rc != 0 && opts->preflight && r.cl == NULL && *cause != NULL &&
	    strncmp(*cause, "acme-unreachable", 16) == 0)
		state_failed(before, name, &st, *cause, 0, not_after);
	acme_state_free(&st);
	free(pname);
	return rc;
}

void
acme_order_committed(const struct config *cfg, const char *name,
    int committed, struct lifecycle_files *lf)
{
	struct acme_state	 st;
	char			*why = NULL;

	if (acme_state_load(cfg, name, &st, &why) != 0) {
		free(why);
		return;
	}
	if (!committed) {
		/* The next run resumes the valid order with these files. */
		lifecycle_files_keep(lf);
		acme_state_free(&st);
		return;
	}
	acme_state_order_clear(&st);
	st.last_attempt = st.last_success = time(NULL);
	st.last_ok = 1;
	free(st.problem);
	st.problem = NULL;
	st.failures = 0;
	st.next_retry = 0;
	(void)acme_state_save(cfg, name, &st, &why);
	free(why);
	acme_state_free(&st);
}

/* The not-before of key name's certificate. */
static time_t
key_not_before(const struct config *cf, const char *name)
{
	const struct config_key	*k = config_key_find(cf, name);
	struct cert		*c;
	char			*path, *why = NULL;
	time_t			 t = 0;

	if (k == NULL || k->cert == NULL)
		return 0;
	path = config_resolve_path(cf, k->cert);
	if (cert_load(path, &c, &why) == 0) {
		t = cert_not_before(c);
		cert_free(c);
	}
	free(why);
	free(path);
	return t;
}

int
acme_key_status(const struct config *cf, const char *name,
    struct acme_key_status *s, char **cause)
{
	struct acme_state		st;
	struct acme_renewal_info	ri;
	time_t				nb;

	memset(s, 0, sizeof *s);
	if (acme_state_load(cf, name, &st, cause) != 0)
		return -1;
	s->name = config_key_find(cf, name) != NULL ?
	    config_key_find(cf, name)->name : name;
	s->not_after = key_not_after(cf, name);
	nb = key_not_before(cf, name);
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

/* The current certificate of key name, loaded; NULL if none. */
static struct cert *
key_cert(const struct config *cf, const char *name)
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
acme_ari_update(const struct config *cf, const char *name, char **cause)
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
	if (a == NULL || a->server == NULL || (c = key_cert(cf, name)) == NULL)
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
