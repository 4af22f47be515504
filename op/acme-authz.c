/*
 * One authorization of an order: the challenge of the key's type
 * answered (tls-alpn-01 by certbindd, http-01 and dns-01 from here:
 * op/acme-answer.h), the CA told, and its decision awaited, with each
 * change of state reported as progress.
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
			acme_say(r, "%s: certbindd serves the tls-alpn-01 "
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
			acme_say(r, "answering http-01 on port %d", port);
		}
		http01_add(r->http01, ch->token, keyauth);
		return 0;
	}
	/* dns-01 */
	fqdn = dns01_fqdn(domain);
	value = jws_dns01_value(keyauth);
	acme_say(r, "%s: running the dns-01 hook: %s add %s", domain, s->dns_hook,
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

void
acme_answers_undo(struct run *r)
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
			acme_say(r, "the dns-01 hook could not remove %s: %s",
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

int
acme_authorize(struct run *r, const char *url, char **cause)
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
		acme_say(r, "%s: valid already", az.identifier);
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
	acme_say(r, "%s: %s answered; the CA is validating (%d s)", az.identifier,
	    type, acme_elapsed(r));

	last = az.status;
	for (;;) {
		if (acme_poll_wait(r, retry, az.identifier, cause) != 0)
			goto out;
		acme_authz_free(&az);
		memset(&az, 0, sizeof az);
		if (authz_get(r, url, &az, &retry, cause) != 0)
			goto out;
		if (az.status != last)
			acme_say(r, "%s: %s (%d s)", az.identifier,
			    acme_status_name(az.status), acme_elapsed(r));
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

