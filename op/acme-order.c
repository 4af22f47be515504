/*
 * An order from start to install (op/acme.h acme_order): the pending key
 * and request, the order (or the one a killed run left, resumed),
 * authorizations, finalize, the chain downloaded and installed through
 * the key lifecycle, and the state file that makes a kill -9 safe.
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
#include "util/errlist.h"
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
		acme_say(r, "order finalized; waiting for the certificate (%d s)",
		    acme_elapsed(r));
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
		if (acme_poll_wait(r, retry, "the certificate", cause) != 0)
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
order_new(struct run *r, const char *replaces, struct acme_order *o,
    char **url, char **cause)
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
	if (replaces != NULL)	/* RFC 9773 section 5 */
		json_object_set_new(p, "replaces", json_string(replaces));
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

/*
 * The ARI id of the certificate a renewal replaces, when the CA offers
 * renewalInfo (RFC 9773 section 5), or NULL.
 */
static char *
ari_replaces(struct run *r, const struct config *cf, const char *name)
{
	struct cert	*c;
	char		*id = NULL, *why = NULL;

	if (name == NULL ||
	    acme_client_directory(r->cl)->renewal_info == NULL ||
	    (c = acme_key_cert(cf, name)) == NULL)
		return NULL;
	if (acmecert_ari_id(c, &id, &why) != 0)
		id = NULL;
	free(why);
	cert_free(c);
	return id;
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
	struct cert	*c = acme_key_cert(cf, name);
	time_t		 t = c != NULL ? cert_not_after(c) : 0;

	if (c != NULL)
		cert_free(c);
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
		acme_say(r, "preflight: %s%s", pr.verdict == PREFLIGHT_UNRESOLVED ?
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

/*
 * lifecycle_install() onto the pending key, with its certificate file
 * added to lf, which holds the pending key's files already (install
 * starts a list of its own).
 */
static int
install(const struct config *tmp, struct cert *crt, const char *pname,
    struct config **after, struct lifecycle_files *lf,
    struct lifecycle_installed *li, char **cause)
{
	struct lifecycle_files	 ilf;
	size_t			 i;
	int			 rc;

	rc = lifecycle_install(tmp, crt, pname, after, &ilf, li, cause);
	if (rc == 0) {
		/* The name lifecycle_request() picked for it goes. */
		free(lf->cert.rel);
		free(lf->cert.abs);
		lf->cert = ilf.cert;
		memset(&ilf.cert, 0, sizeof ilf.cert);
		for (i = 0; i < ilf.warnings.n; i++)
			errlist_add(&lf->warnings, "%s", ilf.warnings.v[i]);
	}
	lifecycle_files_free(&ilf);
	return rc;
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
	char				*why = NULL, *replaces;
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
	    lifecycle_name_valid(name, cause) != 0 ||
	    lifecycle_key_type(r.spec->key_type, cause) == -1)
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
	/*
	 * The fleet's lock before anything is asked or written: a node
	 * that does not get it leaves no trace.
	 */
	if (opts->lock != NULL &&
	    (rc = opts->lock->take(opts->lock->arg, name, cause)) != 0) {
		free(pname);
		return rc;
	}
	rc = -1;
	not_after = key_not_after(before, name);
	if (acme_state_load(before, name, &st, cause) != 0) {
		free(pname);
		if (opts->lock != NULL)
			opts->lock->give(opts->lock->arg);
		return -1;
	}
	if (opts->preflight && preflight(&r, cause) != 0)
		goto out_state;

	if (a->ca_bundle != NULL)
		bundle = config_resolve_path(before, a->ca_bundle);
	if (acme_account_load(before, &r.account, cause) != 0 ||
	    acme_client_new(a->server, bundle, &r.cl, cause) != 0 ||
	    acme_account_find(r.cl, r.account, cause) != 0)
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
				acme_say(&r, "resuming the order a stopped run "
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
		replaces = ari_replaces(&r, before, renewal ? name : NULL);
		if (order_new(&r, replaces, &o, &url, cause) != 0) {
			free(replaces);
			goto fail;
		}
		free(replaces);
		st.order = xstrdup(url);
		st.pending = xstrdup(pname);
		st.key = xstrdup(lf->key.rel);
		st.request = xstrdup(lf->req.rel);
		st.started = r.start;
		if (acme_state_save(before, name, &st, cause) != 0)
			goto fail;
		acme_say(&r, "order created for %zu name%s with a new %s key",
		    r.spec->ndomains, r.spec->ndomains == 1 ? "" : "s",
		    r.spec->key_type != NULL ? r.spec->key_type :
		    key_type_name(KEY_TYPE_DEFAULT));
	}

	if (o.status == ACME_S_PENDING) {
		for (i = 0; i < o.nauthorizations; i++) {
			if (acme_authorize(&r, o.authorizations[i], cause) != 0)
				goto fail;
		}
		acme_order_free(&o);
		memset(&o, 0, sizeof o);
		if (order_get(&r, url, &o, &retry, cause) != 0)
			goto fail;
		while (o.status == ACME_S_PENDING) {
			if (acme_poll_wait(&r, retry, "the order", cause) != 0)
				goto fail;
			acme_order_free(&o);
			memset(&o, 0, sizeof o);
			if (order_get(&r, url, &o, &retry, cause) != 0)
				goto fail;
		}
	}
	acme_answers_undo(&r);
	if (finalize(&r, url, &o, st.request, cause) != 0 ||
	    download(&r, o.certificate, &crt, cause) != 0)
		goto fail;

	/* Onto the pending key, and (a renewal) from there onto name. */
	if (install(tmp, crt, pname, after, lf, &res->inst, cause) != 0)
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
	res->held = opts->lock;
	acme_say(&r, "certificate issued: SHA-256 %s, expires in %ld days",
	    res->fingerprint, cert_days_left(crt, time(NULL)));
	rc = 0;
	goto out;

fail:
	acme_answers_undo(&r);
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
	if (rc != 0 && opts->lock != NULL)
		opts->lock->give(opts->lock->arg);
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

