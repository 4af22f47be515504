/*
 * certbindd's part of the model: a listener's options (PROXY protocol,
 * ALPN, freebind, accept_proxy), a binding's (its own backend, client
 * certificates), the TLS profiles, and the rule that picks a connection's
 * backend. The loader (config-load-serve.c), the mutators below and
 * every caller judge these settings with the rules here, so the file,
 * the command line and the terminal UI accept the same values.
 */
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/config-int.h"
#include "core/endpoint.h"
#include "util/escape.h"
#include "util/xmalloc.h"

static const char *const client_auth_names[] = {
	[CONFIG_CLIENT_AUTH_NONE] = "none",
	[CONFIG_CLIENT_AUTH_OPTIONAL] = "optional",
	[CONFIG_CLIENT_AUTH_REQUIRED] = "required"
};

const char *
config_client_auth_name(enum config_client_auth a)
{
	if ((size_t)a >= sizeof client_auth_names / sizeof client_auth_names[0])
		return "?";
	return client_auth_names[a];
}

int
config_client_auth_parse(const char *s, enum config_client_auth *out)
{
	size_t	i;

	for (i = 0; i < sizeof client_auth_names / sizeof client_auth_names[0];
	    i++) {
		if (strcmp(s, client_auth_names[i]) == 0) {
			*out = (enum config_client_auth)i;
			return 0;
		}
	}
	return -1;
}

int
config_tls_profile_check(const char *p, char **cause)
{
	char	*e;
	int	 rc;

	if (p == NULL || strcmp(p, CONFIG_TLS_INTERMEDIATE) == 0 ||
	    strcmp(p, CONFIG_TLS_MODERN) == 0)
		return 0;
	e = escape_str(p, 0);
	rc = config_fail(cause, "tls_profile \"%s\" is not a profile: use "
	    "\"%s\" (TLS 1.2 and 1.3, the default) or \"%s\" (TLS 1.3 only)",
	    e, CONFIG_TLS_INTERMEDIATE, CONFIG_TLS_MODERN);
	free(e);
	return rc;
}

int
config_signer_check(const char *p, char **cause)
{
	char	*e;
	int	 rc;

	if (p == NULL || strcmp(p, CONFIG_SIGNER_OPENSSL) == 0 ||
	    strcmp(p, CONFIG_SIGNER_GNUTLS) == 0)
		return 0;
	e = escape_str(p, 0);
	rc = config_fail(cause, "signer \"%s\" is not a signer: use \"%s\" "
	    "(OpenSSL's libcrypto where it takes the key, the default) or "
	    "\"%s\"", e, CONFIG_SIGNER_OPENSSL, CONFIG_SIGNER_GNUTLS);
	free(e);
	return rc;
}

int
config_metrics_check(const struct endpoint *ep, char **cause)
{
	static const uint8_t	 lo6[16] = { [15] = 1 };
	char			 buf[ENDPOINT_STRLEN];

	if (!endpoint_is_concrete(ep))
		return config_fail(cause, "metrics %s is not an address and a "
		    "port: '*' is not allowed there (use 127.0.0.1:PORT)",
		    endpoint_format(ep, buf));
	if ((ep->family == AF_INET && ep->addr[0] == 127) ||
	    (ep->family == AF_INET6 && memcmp(ep->addr, lo6, 16) == 0))
		return 0;
	return config_fail(cause, "metrics %s is not a loopback address: "
	    "the metrics are plain HTTP, served on 127.0.0.0/8 or [::1] only",
	    endpoint_format(ep, buf));
}

/* An ALPN protocol name as a config holds it: printable, no quotes. */
static int
alpn_name_ok(const char *n)
{
	size_t	len = strlen(n), i;

	if (len == 0 || len > CONFIG_ALPN_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (n[i] <= ' ' || n[i] > '~' || n[i] == '"' || n[i] == '\\')
			return 0;
	}
	return 1;
}

int
config_listener_check(const struct config_listener *l, char **cause)
{
	char	*e;
	size_t	 i, j;
	int	 rc;

	if (l->proxy_protocol < 0 ||
	    l->proxy_protocol > CONFIG_PROXY_PROTOCOL_MAX)
		return config_fail(cause, "proxy_protocol %d is not a "
		    "version: use 0 (none), 1 or 2", l->proxy_protocol);
	if (l->nalpn > CONFIG_ALPN_MAX)
		return config_fail(cause, "alpn has %zu protocols: at most %d "
		    "are offered", l->nalpn, CONFIG_ALPN_MAX);
	for (i = 0; i < l->nalpn; i++) {
		if (!alpn_name_ok(l->alpn[i])) {
			e = escape_str(l->alpn[i], 0);
			rc = config_fail(cause, "alpn \"%s\" is not a protocol "
			    "name: 1 to %d printable characters, such as "
			    "\"h2\" or \"http/1.1\"", e, CONFIG_ALPN_NAME_MAX);
			free(e);
			return rc;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(l->alpn[i], l->alpn[j]) == 0) {
				e = escape_str(l->alpn[i], 0);
				rc = config_fail(cause, "alpn \"%s\" is given "
				    "twice", e);
				free(e);
				return rc;
			}
		}
	}
	return 0;
}

int
config_binding_opts_check(const struct config_binding *b, char **cause)
{
	char	buf[ENDPOINT_STRLEN];

	if (b->has_backend && !endpoint_is_concrete(&b->backend))
		return config_fail(cause, "backend %s is not an address and a "
		    "port: '*' is not allowed there",
		    endpoint_format(&b->backend, buf));
	if (b->client_ca == NULL && b->client_auth != CONFIG_CLIENT_AUTH_NONE)
		return config_fail(cause, "client_auth \"%s\" needs client_ca, "
		    "the CA file that client certificates are verified "
		    "against", config_client_auth_name(b->client_auth));
	if (b->client_ca != NULL && *b->client_ca == '\0')
		return config_fail(cause, "client_ca is empty: give the CA "
		    "file, or leave the setting out");
	return 0;
}

const struct endpoint *
config_backend_for(const struct config_binding *b,
    const struct config_listener *l)
{
	if (b != NULL && b->has_backend)
		return &b->backend;
	if (l != NULL)
		return &l->backend;
	return NULL;
}

ssize_t
config_listener_serving(const struct config *cf, const struct endpoint *local)
{
	struct endpoint	any;
	ssize_t		i;

	if ((i = config_listener_find(cf, local)) >= 0)
		return i;
	memset(&any, 0, sizeof any);
	any.family = AF_UNSPEC;
	any.port = local->port;
	return config_listener_find(cf, &any);
}

void
config_listener_clear(struct config_listener *l)
{
	size_t	i;

	for (i = 0; i < l->nalpn; i++)
		free(l->alpn[i]);
	free(l->alpn);
	free(l->note);
	memset(l, 0, sizeof *l);
}

void
config_listener_copy(struct config_listener *dst,
    const struct config_listener *src)
{
	size_t	i;

	*dst = *src;
	dst->note = config_dupnull(src->note);
	dst->alpn = NULL;
	if (src->nalpn > 0) {
		dst->alpn = xreallocarray(NULL, src->nalpn, sizeof *dst->alpn);
		for (i = 0; i < src->nalpn; i++)
			dst->alpn[i] = xstrdup(src->alpn[i]);
	}
}

void
config_binding_opts_copy(struct config_binding *dst,
    const struct config_binding *src)
{
	dst->has_backend = src->has_backend;
	dst->backend = src->backend;
	config_setstr(&dst->client_ca, src->client_ca);
	dst->client_auth = src->client_auth;
	if (dst->client_ca != NULL &&
	    dst->client_auth == CONFIG_CLIENT_AUTH_NONE)
		dst->client_auth = CONFIG_CLIENT_AUTH_REQUIRED;
}

int
config_listener_set(struct config *cf, const struct endpoint *ep,
    const struct config_listener *opts, char **cause)
{
	struct config_listener	 n, *l;
	char			 buf[ENDPOINT_STRLEN];
	ssize_t			 i;

	if ((i = config_listener_find(cf, ep)) == -1)
		return config_fail(cause, "there is no listener on %s",
		    endpoint_format(ep, buf));
	if (!endpoint_is_concrete(&opts->backend))
		return config_fail(cause, "backend %s is not an address and a "
		    "port: '*' is not allowed there",
		    endpoint_format(&opts->backend, buf));
	if (config_listener_check(opts, cause) != 0)
		return -1;
	l = &cf->listeners[i];
	config_listener_copy(&n, opts);
	n.ep = l->ep;
	n.line = l->line;
	/* The note is not an option: it stays (config_listener_note()). */
	free(n.note);
	n.note = l->note;
	l->note = NULL;
	config_listener_clear(l);
	*l = n;
	return 0;
}

int
config_binding_set(struct config *cf, size_t i,
    const struct config_binding *opts, char **cause)
{
	if (i >= cf->nbindings)
		return config_fail(cause, "there is no binding number %zu",
		    i + 1);
	if (config_binding_opts_check(opts, cause) != 0)
		return -1;
	config_binding_opts_copy(&cf->bindings[i], opts);
	return 0;
}

/* A string server setting: NULL (not set) or not empty, as the loader. */
static int
server_str_ok(const char *name, const char *v, char **cause)
{
	if (v == NULL || *v != '\0')
		return 0;
	return config_fail(cause, "%s must not be empty (leave it out for "
	    "the default)", name);
}

static int
server_num_ok(const char *name, int64_t v, int64_t min, int64_t max,
    char **cause)
{
	if (v >= min && v <= max)
		return 0;
	return config_fail(cause, "%s %lld is out of range: use %lld to %lld",
	    name, (long long)v, (long long)min, (long long)max);
}

int
config_server_check(const struct config_server *s, char **cause)
{
	if (server_str_ok("user", s->user, cause) != 0 ||
	    server_str_ok("group", s->group, cause) != 0 ||
	    server_str_ok("priority", s->priority, cause) != 0 ||
	    server_str_ok("trust", s->trust, cause) != 0 ||
	    server_str_ok("pidfile", s->pidfile, cause) != 0 ||
	    server_str_ok("ticket_keys", s->ticket_keys, cause) != 0 ||
	    config_tls_profile_check(s->tls_profile, cause) != 0 ||
	    config_signer_check(s->signer, cause) != 0 ||
	    server_num_ok("handshake_timeout", s->handshake_timeout,
	    MIN_TIMEOUT, MAX_TIMEOUT, cause) != 0 ||
	    server_num_ok("idle_timeout", s->idle_timeout, MIN_TIMEOUT,
	    MAX_TIMEOUT, cause) != 0 ||
	    server_num_ok("shutdown_timeout", s->shutdown_timeout,
	    MIN_TIMEOUT, MAX_TIMEOUT, cause) != 0 ||
	    server_num_ok("max_connections", s->max_connections,
	    MIN_MAX_CONNECTIONS, MAX_MAX_CONNECTIONS, cause) != 0 ||
	    server_num_ok("workers", s->workers, MIN_WORKERS, MAX_WORKERS,
	    cause) != 0 ||
	    server_num_ok("tickets", s->tickets, 0, 1, cause) != 0 ||
	    server_num_ok("access_log", s->access_log, 0, 1, cause) != 0 ||
	    (s->has_metrics && config_metrics_check(&s->metrics, cause) != 0))
		return -1;
	return 0;
}

int
config_server_set(struct config *cf, const struct config_server *s,
    char **cause)
{
	struct config_server	*sv;
	struct config_server	 n;

	if (config_server_check(s, cause) != 0)
		return -1;
	/* Copied first: s may share strings with the server group. */
	n = *s;
	n.user = config_dupnull(s->user);
	n.group = config_dupnull(s->group);
	n.priority = config_dupnull(s->priority);
	n.trust = config_dupnull(s->trust);
	n.pidfile = config_dupnull(s->pidfile);
	n.tls_profile = config_dupnull(s->tls_profile);
	n.signer = config_dupnull(s->signer);
	n.ticket_keys = config_dupnull(s->ticket_keys);
	sv = config_server_edit(cf);
	free(sv->user);
	free(sv->group);
	free(sv->priority);
	free(sv->trust);
	free(sv->pidfile);
	free(sv->tls_profile);
	free(sv->signer);
	free(sv->ticket_keys);
	*sv = n;
	return 0;
}
