/*
 * Writing: model to text. The text does not go through libconfig: the
 * canonical form is built here, so the header comment, the order of
 * settings and the escaping of strings are under our control.
 *
 * The one idea: serialize -> parse gives back the same model. Every value
 * is written in the form libconfig 1.5 reads back unchanged (a string's
 * control characters escaped, a number past 32 bits with its L suffix),
 * and the loader's scanner knows the header, so a file certbind wrote is
 * never reported as carrying comments that a save would lose.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/config-int.h"
#include "core/endpoint.h"
#include "util/fileio.h"
#include "util/xmalloc.h"

#ifndef CERTBIND_VERSION
#define CERTBIND_VERSION "unknown"
#endif

/*
 * The text is built in a growing buffer rather than through stdio: the
 * library never touches FILE streams for output, and running out of
 * memory is xmalloc's one failure.
 */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void
sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	while (b->len + n + 1 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sbuf_add(struct sbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
sbuf_add(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_addn(b, s, strlen(s));
	free(s);
}

/*
 * A string as libconfig 1.5 reads it back: backslash, double quote and the
 * control characters are escaped; other bytes, UTF-8 included, go as they
 * are.
 */
static void
put_string(struct sbuf *b, const char *s)
{
	const unsigned char	*p;
	char			 hex[8];

	sbuf_addn(b, "\"", 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			sbuf_addn(b, "\\\\", 2);
			break;
		case '"':
			sbuf_addn(b, "\\\"", 2);
			break;
		case '\n':
			sbuf_addn(b, "\\n", 2);
			break;
		case '\t':
			sbuf_addn(b, "\\t", 2);
			break;
		case '\r':
			sbuf_addn(b, "\\r", 2);
			break;
		case '\f':
			sbuf_addn(b, "\\f", 2);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(hex, sizeof hex, "\\x%02x", *p);
				sbuf_addn(b, hex, 4);
			} else
				sbuf_addn(b, (const char *)p, 1);
			break;
		}
	}
	sbuf_addn(b, "\"", 1);
}

static void
put_setting(struct sbuf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	sbuf_add(b, " %s = ", name);
	put_string(b, value);
	sbuf_addn(b, ";", 1);
}

/* A server setting on a line of its own. */
static void
put_line(struct sbuf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	sbuf_addn(b, " ", 1);
	put_setting(b, name, value);
	sbuf_addn(b, "\n", 1);
}

static void
put_endpoint(struct sbuf *b, const char *name, const struct endpoint *ep)
{
	char	 buf[ENDPOINT_STRLEN];

	put_setting(b, name, endpoint_format(ep, buf));
}

/*
 * An integer that reads back as the same value: past 32 bits libconfig
 * 1.5 wraps a literal unless it carries the L suffix.
 */
static void
put_number(struct sbuf *b, const char *name, int64_t v)
{
	sbuf_add(b, "  %s = %lld%s;\n", name, (long long)v,
	    v < INT32_MIN || v > INT32_MAX ? "L" : "");
}

/*
 * A key's acme block, on a line of its own under the key's, as
 * DESIGN.md shows it.
 */
static void
put_key_acme(struct sbuf *b, const struct config_key_acme *a)
{
	size_t	 i;

	sbuf_add(b, "\n    acme = { domains = (");
	for (i = 0; i < a->ndomains; i++) {
		sbuf_add(b, "%s ", i ? "," : "");
		put_string(b, a->domains[i]);
	}
	sbuf_add(b, " );");
	put_setting(b, "challenge", a->challenge);
	put_setting(b, "webroot", a->webroot);
	if (a->http_port != 0)
		sbuf_add(b, " http_port = %lld;", (long long)a->http_port);
	put_setting(b, "dns_hook", a->dns_hook);
	put_setting(b, "key_type", a->key_type);
	sbuf_add(b, " };");
}

/* A listener's options, each only when it is not the default. */
static void
put_listener_opts(struct sbuf *b, const struct config_listener *l)
{
	size_t	 i;

	if (l->proxy_protocol != 0)
		sbuf_add(b, " proxy_protocol = %d;", l->proxy_protocol);
	if (l->nalpn > 0) {
		sbuf_add(b, " alpn = (");
		for (i = 0; i < l->nalpn; i++) {
			sbuf_add(b, "%s ", i ? "," : "");
			put_string(b, l->alpn[i]);
		}
		sbuf_add(b, " );");
	}
	if (l->freebind)
		sbuf_add(b, " freebind = true;");
	if (l->accept_proxy)
		sbuf_add(b, " accept_proxy = true;");
	put_setting(b, "note", l->note);
}

static void
put_binding_opts(struct sbuf *b, const struct config_binding *bd)
{
	if (bd->has_backend)
		put_endpoint(b, "backend", &bd->backend);
	put_setting(b, "client_ca", bd->client_ca);
	if (bd->client_ca != NULL)
		put_setting(b, "client_auth",
		    config_client_auth_name(bd->client_auth));
	put_setting(b, "note", bd->note);
}

char *
config_serialize(const struct config *cf)
{
	const struct config_server	*sv = &cf->server;
	struct sbuf			 b = { NULL, 0, 0 };
	size_t				 i;
	char				 epbuf[ENDPOINT_STRLEN];

	sbuf_add(&b, "%s%s%s\n%s\n\n", HEADER_LINE1, CERTBIND_VERSION,
	    HEADER_LINE1_END, HEADER_LINE2);
	sbuf_add(&b, "version = %d;\n", CONFIG_VERSION);
	if (cf->store != NULL) {
		sbuf_add(&b, "store = ");
		put_string(&b, cf->store);
		sbuf_add(&b, ";\n");
	}

	if (cf->has_server) {
		sbuf_add(&b, "\nserver = {\n  listen = (");
		for (i = 0; i < cf->nlisteners; i++) {
			sbuf_add(&b, "%s\n    {", i ? "," : "");
			put_endpoint(&b, "endpoint", &cf->listeners[i].ep);
			put_endpoint(&b, "backend", &cf->listeners[i].backend);
			put_listener_opts(&b, &cf->listeners[i]);
			sbuf_add(&b, " }");
		}
		sbuf_add(&b, "%s);\n", cf->nlisteners ? "\n  " : " ");
		put_line(&b, "user", sv->user);
		put_line(&b, "group", sv->group);
		put_number(&b, "handshake_timeout", sv->handshake_timeout);
		put_number(&b, "idle_timeout", sv->idle_timeout);
		put_number(&b, "shutdown_timeout", sv->shutdown_timeout);
		put_number(&b, "max_connections", sv->max_connections);
		put_number(&b, "workers", sv->workers);
		put_line(&b, "tls_profile", sv->tls_profile);
		put_line(&b, "signer", sv->signer);
		put_line(&b, "priority", sv->priority);
		sbuf_add(&b, "  tickets = %s;\n", sv->tickets ? "true" : "false");
		put_line(&b, "ticket_keys", sv->ticket_keys);
		if (sv->access_log != DEF_ACCESS_LOG)
			sbuf_add(&b, "  access_log = %s;\n",
			    sv->access_log ? "true" : "false");
		if (sv->has_metrics)
			put_line(&b, "metrics",
			    endpoint_format(&sv->metrics, epbuf));
		put_line(&b, "trust", sv->trust);
		put_line(&b, "pidfile", sv->pidfile);
		sbuf_add(&b, "};\n");
	}

	if (cf->has_acme) {
		sbuf_add(&b, "\nacme = {\n");
		put_line(&b, "server", cf->acme.server);
		put_line(&b, "account", cf->acme.account);
		put_line(&b, "email", cf->acme.email);
		put_line(&b, "ca_bundle", cf->acme.ca_bundle);
		put_number(&b, "challenge_http_port",
		    cf->acme.challenge_http_port);
		put_number(&b, "challenge_tls_port",
		    cf->acme.challenge_tls_port);
		sbuf_add(&b, "};\n");
	}

	sbuf_add(&b, "\nkeys = (");
	for (i = 0; i < cf->nkeys; i++) {
		sbuf_add(&b, "%s\n  {", i ? "," : "");
		put_setting(&b, "name", cf->keys[i].name);
		put_setting(&b, "key", cf->keys[i].key);
		put_setting(&b, "cert", cf->keys[i].cert);
		put_setting(&b, "request", cf->keys[i].request);
		put_setting(&b, "note", cf->keys[i].note);
		if (cf->keys[i].acme != NULL)
			put_key_acme(&b, cf->keys[i].acme);
		sbuf_add(&b, " }");
	}
	sbuf_add(&b, "%s);\n", cf->nkeys ? "\n" : " ");

	sbuf_add(&b, "\nbindings = (");
	for (i = 0; i < cf->nbindings; i++) {
		sbuf_add(&b, "%s\n  {", i ? "," : "");
		put_setting(&b, "key", cf->bindings[i].key);
		put_endpoint(&b, "endpoint", &cf->bindings[i].ep);
		put_setting(&b, "sni", cf->bindings[i].sni);
		put_binding_opts(&b, &cf->bindings[i]);
		sbuf_add(&b, " }");
	}
	sbuf_add(&b, "%s);\n", cf->nbindings ? "\n" : " ");
	return b.p;
}

int
config_save(const struct config *cf, const char *path, char **cause)
{
	char	*text, *bak;
	int	 rc;

	text = config_serialize(cf);
	bak = xasprintf("%s.bak", path);
	rc = fileio_write_kept(path, text, strlen(text), 0640, bak,
	    CONFIG_BACKUPS, cause);
	free(bak);
	free(text);
	return rc;
}
