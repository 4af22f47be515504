/*
 * The access log: one line per connection, written when it ends, through
 * certbindd's log (stderr or syslog). man/certbindd.8 "ACCESS LOG" is the
 * format's contract:
 *
 *   access time=2026-12-02T01:40:00.123Z client=192.0.2.7:50312
 *   local=127.0.0.2:443 sni=www.example.com alpn=h2 key=www
 *   backend=127.0.0.1:8080 to_backend=518 to_client=20841 ms=35
 *   end=closed error=-
 *
 * (one line), space-separated key=value fields, always all of them and
 * always in this order; "-" stands for none. The values a client chose
 * (sni, alpn) and the key's name go through escape_mem(), and a space in
 * one is written \x20 in the same style, so a value never holds a space
 * and a line splits on spaces and at each field's first '='.
 *
 * It is on the path of every connection, so it is cheap: the line is
 * formatted into a buffer on the stack and log_line() writes it with one
 * write(2); escaping allocates, nothing else does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "core/config.h"
#include "util/escape.h"
#include "server/certbindd.h"
#include "server/conn.h"

#define LINE_MAX_LEN	4096

static const char *const end_names[] = {
	[END_CLOSED] = "closed",
	[END_CLIENT_CLOSED] = "client-closed",
	[END_CLIENT_RESET] = "client-reset",
	[END_CLIENT_ERROR] = "client-error",
	[END_HANDSHAKE_FAILED] = "handshake-failed",
	[END_HANDSHAKE_TIMEOUT] = "handshake-timeout",
	[END_NO_BINDING] = "no-binding",
	[END_CHALLENGE] = "challenge",
	[END_PROXY_HEADER_BAD] = "proxy-header-bad",
	[END_PROXY_HEADER_TIMEOUT] = "proxy-header-timeout",
	[END_BACKEND_REFUSED] = "backend-refused",
	[END_BACKEND_FAILED] = "backend-failed",
	[END_BACKEND_TIMEOUT] = "backend-timeout",
	[END_BACKEND_LOST] = "backend-lost",
	[END_IDLE_TIMEOUT] = "idle-timeout",
	[END_MAX_CONNECTIONS] = "max-connections",
	[END_SHUTDOWN] = "shutdown",
	[END_ERROR] = "error"
};

const char *
access_end_name(enum conn_end e)
{
	if ((size_t)e >= sizeof end_names / sizeof end_names[0] ||
	    end_names[e] == NULL)
		return "error";
	return end_names[e];
}

/* A line being built: never past size - 1, always NUL-terminated. */
struct line {
	char	*b;
	size_t	 len;
	size_t	 size;
};

static void
line_add(struct line *l, const char *s, size_t n)
{
	if (n > l->size - 1 - l->len)
		n = l->size - 1 - l->len;
	memcpy(l->b + l->len, s, n);
	l->len += n;
	l->b[l->len] = '\0';
}

static void
line_str(struct line *l, const char *s)
{
	line_add(l, s, strlen(s));
}

static void
line_fmt(struct line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
line_fmt(struct line *l, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(l->b + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len += (size_t)n < l->size - l->len ? (size_t)n :
	    l->size - 1 - l->len;
}

/* An untrusted value: escaped, a space as \x20, "-" when empty. */
static void
line_value(struct line *l, const void *v, size_t n)
{
	char	*e, *p, *sp;

	if (v == NULL || n == 0) {
		line_add(l, "-", 1);
		return;
	}
	e = escape_mem(v, n, 0);
	for (p = e; (sp = strchr(p, ' ')) != NULL; p = sp + 1) {
		line_add(l, p, sp - p);
		line_add(l, "\\x20", 4);
	}
	line_str(l, p);
	free(e);
}

static void
line_endpoint(struct line *l, const struct endpoint *ep)
{
	char	buf[ENDPOINT_STRLEN];

	if (ep == NULL || ep->family == AF_UNSPEC)
		line_add(l, "-", 1);
	else
		line_str(l, endpoint_format(ep, buf));
}

static void
line_error(struct line *l, int err)
{
	const char	*n = NULL;

	if (err > 0)
		n = strerrorname_np(err);
	else if (err < 0)
		n = gnutls_strerror_name(err);
	if (n != NULL)
		line_str(l, n);
	else if (err != 0)
		line_fmt(l, "%d", err);
	else
		line_add(l, "-", 1);
}

void
access_log(const struct access_entry *a)
{
	char		 buf[LINE_MAX_LEN];
	struct line	 l = { buf, 0, sizeof buf };
	struct tm	 tm;

	buf[0] = '\0';
	gmtime_r(&a->start->tv_sec, &tm);
	line_fmt(&l, "access time=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, a->start->tv_nsec / 1000000);
	line_add(&l, " client=", 8);
	line_endpoint(&l, a->client);
	line_add(&l, " local=", 7);
	line_endpoint(&l, a->local);
	line_add(&l, " sni=", 5);
	line_value(&l, a->sni, a->sni != NULL ? strlen(a->sni) : 0);
	line_add(&l, " alpn=", 6);
	line_value(&l, a->alpn, a->alpn_len);
	line_add(&l, " key=", 5);
	line_value(&l, a->key, a->key != NULL ? strlen(a->key) : 0);
	line_add(&l, " backend=", 9);
	line_endpoint(&l, a->backend);
	line_fmt(&l, " to_backend=%llu to_client=%llu ms=%lld end=%s error=",
	    (unsigned long long)a->to_backend,
	    (unsigned long long)a->to_client, (long long)a->ms,
	    access_end_name(a->end));
	line_error(&l, a->err);
	log_line(l.b, l.len);
}

/*
 * What c got to: a handshake that finished says what it agreed
 * (gen_tls_info()); one that did not, the SNI it asked for and the key
 * chosen, if any.
 */
void
access_conn(struct conn *c, enum conn_end end, int err)
{
	const struct config	*cf = gen_config(c->hs.gen);
	struct access_entry	 a;
	struct tlsinfo		 ti;
	char			 sni[256];
	size_t			 len = sizeof sni;
	unsigned int		 type;

	memset(&a, 0, sizeof a);
	a.start = &c->t_start;
	a.client = &c->hs.peer;
	a.local = &c->hs.local;
	if (c->hs_done) {
		gen_tls_info(c->s, &c->hs, &ti);
		a.sni = ti.sni;
		a.alpn = ti.alpn;
		a.alpn_len = ti.alpn_len;
		a.key = ti.key;
	} else if (c->st != CS_PROXYHDR) {
		/* A handshake that did not finish: what it got to. */
		if (gnutls_server_name_get(c->s, sni, &len, &type, 0) == 0 &&
		    type == GNUTLS_NAME_DNS)
			a.sni = sni;
		if (c->hs.binding >= 0)
			a.key = config_binding(cf, (size_t)c->hs.binding)->key;
	}
	a.backend = c->has_backend ? &c->backend : NULL;
	a.to_backend = c->to_backend;
	a.to_client = c->to_client;
	a.ms = now_ms() - c->ms_start;
	a.end = end;
	a.err = err;
	access_log(&a);
}
