/*
 * server.metrics (issue 14): Prometheus text exposition (format 0.0.4)
 * on a loopback address, served by libmicrohttpd on one thread of its
 * own: GET /metrics, 404 for anything else.
 *
 * Counters are C11 atomics, bumped on the connection path without a
 * lock. The per-listener and per-(listener, key) counters live in a
 * global table keyed by name, so a reload keeps the totals of every
 * listener and key that remains (and those of removed ones, which stay
 * in the exposition with their last value). The table only grows, and
 * only at load time, under table_lock; each generation holds an array
 * of pointers into it (struct metrics_gen, built by gen_load), so a
 * connection finds its counters by index. The scrape takes table_lock
 * to walk the table; the connection path never does.
 *
 * The socket is bound by certbindd at start, as root and before the
 * privilege drop; a changed server.metrics takes effect at restart.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "core/config.h"
#include "keys/privkey.h"
#include "util/errlist.h"
#include "util/xmalloc.h"
#include "server/certbindd.h"

/* The handshake failures, by reason: the conn_end names and one more. */
enum mx_reason {
	MXR_HANDSHAKE_FAILED,
	MXR_HANDSHAKE_TIMEOUT,
	MXR_NO_BINDING,
	MXR_PROXY_HEADER_BAD,
	MXR_PROXY_HEADER_TIMEOUT,
	MXR_CLIENT_CERT,
	MXR_N
};
static const char *const reason_names[MXR_N] = {
	[MXR_HANDSHAKE_FAILED] = "handshake-failed",
	[MXR_HANDSHAKE_TIMEOUT] = "handshake-timeout",
	[MXR_NO_BINDING] = "no-binding",
	[MXR_PROXY_HEADER_BAD] = "proxy-header-bad",
	[MXR_PROXY_HEADER_TIMEOUT] = "proxy-header-timeout",
	[MXR_CLIENT_CERT] = "client-certificate-refused",
};

struct mx_listener {
	char			*name;
	atomic_uint_fast64_t	 fail[MXR_N];
	struct mx_listener	*next;
};

struct mx_pair {
	char			*listener;
	char			*key;
	atomic_uint_fast64_t	 n;
	struct mx_pair		*next;		/* in its bucket */
	struct mx_pair		*all;		/* in creation order */
};

#define PAIR_BUCKETS	1024
/*
 * Past this many listener and key pairs in one config, handshakes are
 * not counted by pair (the table would cost more than it tells).
 */
#define PAIRS_MAX	(1UL << 20)

static pthread_mutex_t		 table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mx_listener	*listeners;
static struct mx_listener	**listeners_tail = &listeners;
static struct mx_pair		*pairs[PAIR_BUCKETS];
static struct mx_pair		*pairs_all;
static struct mx_pair		**pairs_tail = &pairs_all;

static atomic_long		 conns[MX_NSTATES];
static atomic_uint_fast64_t	 reloads_ok, reloads_failed;

static struct MHD_Daemon	*daemon_mhd;

/* One generation's view of the table, by index. */
struct metrics_gen {
	size_t			 nl, nk;
	struct mx_listener	**lis;		/* by listener index */
	struct mx_pair		**pair;		/* [li * nk + ki] */
	ssize_t			*bindkey;	/* binding -> key index */
	size_t			 nb;
	char			**keyname;	/* by key index */
	int64_t			*expiry;	/* notAfter, -1: none */
};

static unsigned
hash2(const char *a, const char *b)
{
	unsigned	h = 5381;

	for (; *a != '\0'; a++)
		h = h * 33 + (unsigned char)*a;
	h = h * 33;
	for (; *b != '\0'; b++)
		h = h * 33 + (unsigned char)*b;
	return h % PAIR_BUCKETS;
}

/* Both with table_lock held. */
static struct mx_listener *
listener_slot(const char *name)
{
	struct mx_listener	*l;

	for (l = listeners; l != NULL; l = l->next)
		if (strcmp(l->name, name) == 0)
			return l;
	l = xcalloc(1, sizeof *l);
	l->name = xstrdup(name);
	*listeners_tail = l;
	listeners_tail = &l->next;
	return l;
}

static struct mx_pair *
pair_slot(const char *lname, const char *key)
{
	struct mx_pair	*p;
	unsigned	 h = hash2(lname, key);

	for (p = pairs[h]; p != NULL; p = p->next)
		if (strcmp(p->listener, lname) == 0 &&
		    strcmp(p->key, key) == 0)
			return p;
	p = xcalloc(1, sizeof *p);
	p->listener = xstrdup(lname);
	p->key = xstrdup(key);
	p->next = pairs[h];
	pairs[h] = p;
	*pairs_tail = p;
	pairs_tail = &p->all;
	return p;
}

/* The notAfter of a credential's first certificate, or -1. */
static int64_t
cred_expiry(const struct tlscred *tc)
{
	gnutls_pcert_st		*pc;
	gnutls_x509_crt_t	 crt;
	unsigned		 n = 0;
	time_t			 t;

	if (tc == NULL || (pc = tlscred_pcerts(tc, &n)) == NULL || n == 0)
		return -1;
	if (gnutls_x509_crt_init(&crt) < 0)
		return -1;
	if (gnutls_x509_crt_import(crt, &pc[0].cert, GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(crt);
		return -1;
	}
	t = gnutls_x509_crt_get_expiration_time(crt);
	gnutls_x509_crt_deinit(crt);
	return t == (time_t)-1 ? -1 : (int64_t)t;
}

struct metrics_gen *
metrics_gen_new(const struct config *cfg, struct tlscred *const *keycred,
    size_t nkeys)
{
	struct metrics_gen	*m;
	char			 lbuf[ENDPOINT_STRLEN];
	size_t			 li, ki, i;
	const struct config_binding *b;

	m = xcalloc(1, sizeof *m);
	m->nl = config_nlisteners(cfg);
	m->nk = nkeys;
	m->nb = config_nbindings(cfg);
	m->lis = xcalloc(m->nl + 1, sizeof *m->lis);
	m->pair = m->nk > 0 && m->nl > PAIRS_MAX / m->nk ? NULL :
	    xcalloc(m->nl * m->nk + 1, sizeof *m->pair);
	m->bindkey = xcalloc(m->nb + 1, sizeof *m->bindkey);
	m->keyname = xcalloc(m->nk + 1, sizeof *m->keyname);
	m->expiry = xcalloc(m->nk + 1, sizeof *m->expiry);
	for (ki = 0; ki < m->nk; ki++) {
		m->keyname[ki] = xstrdup(config_key(cfg, ki)->name);
		m->expiry[ki] = cred_expiry(keycred[ki]);
	}
	for (i = 0; i < m->nb; i++) {
		b = config_binding(cfg, i);
		m->bindkey[i] = config_key_index(cfg, b->key);
	}
	pthread_mutex_lock(&table_lock);
	for (li = 0; li < m->nl; li++) {
		endpoint_format(&config_listener(cfg, li)->ep, lbuf);
		m->lis[li] = listener_slot(lbuf);
		for (ki = 0; m->pair != NULL && ki < m->nk; ki++)
			m->pair[li * m->nk + ki] = pair_slot(lbuf,
			    m->keyname[ki]);
	}
	pthread_mutex_unlock(&table_lock);
	return m;
}

void
metrics_gen_free(struct metrics_gen *m)
{
	size_t	ki;

	if (m == NULL)
		return;
	for (ki = 0; ki < m->nk; ki++)
		free(m->keyname[ki]);
	free(m->keyname);
	free(m->expiry);
	free(m->bindkey);
	free(m->pair);
	free(m->lis);
	free(m);
}

static ssize_t
listener_index(const struct gen *g, const struct endpoint *lep)
{
	ssize_t	li = config_listener_find(gen_config(g), lep);

	return li >= 0 && (size_t)li < gen_metrics(g)->nl ? li : -1;
}

void
metrics_conn_state(int from, int to)
{
	if (from > MX_NONE && from < MX_NSTATES)
		atomic_fetch_sub(&conns[from], 1);
	if (to > MX_NONE && to < MX_NSTATES)
		atomic_fetch_add(&conns[to], 1);
}

void
metrics_handshake(const struct gen *g, const struct hsinfo *hs)
{
	const struct metrics_gen	*m = gen_metrics(g);
	ssize_t				 li, ki;

	if (m == NULL || m->pair == NULL || hs->binding < 0 || (size_t)hs->binding >= m->nb ||
	    (li = listener_index(g, &hs->lep)) < 0 ||
	    (ki = m->bindkey[hs->binding]) < 0 || (size_t)ki >= m->nk)
		return;
	atomic_fetch_add(&m->pair[(size_t)li * m->nk + (size_t)ki]->n, 1);
}

void
metrics_conn_end(int state, const struct gen *g, const struct hsinfo *hs,
    enum conn_end end)
{
	const struct metrics_gen	*m;
	enum mx_reason			 r;
	ssize_t				 li;

	metrics_conn_state(state, MX_NONE);
	if (state != MX_HANDSHAKE || g == NULL ||
	    (m = gen_metrics(g)) == NULL)
		return;
	switch (end) {
	case END_HANDSHAKE_FAILED:
		/* Refused with a binding chosen: its client certificate. */
		r = hs->refused && hs->binding >= 0 ? MXR_CLIENT_CERT :
		    MXR_HANDSHAKE_FAILED;
		break;
	case END_HANDSHAKE_TIMEOUT:
		r = MXR_HANDSHAKE_TIMEOUT;
		break;
	case END_NO_BINDING:
		r = MXR_NO_BINDING;
		break;
	case END_PROXY_HEADER_BAD:
		r = MXR_PROXY_HEADER_BAD;
		break;
	case END_PROXY_HEADER_TIMEOUT:
		r = MXR_PROXY_HEADER_TIMEOUT;
		break;
	default:
		return;
	}
	if ((li = listener_index(g, &hs->lep)) >= 0)
		atomic_fetch_add(&m->lis[li]->fail[r], 1);
}

void
metrics_reload(int ok)
{
	atomic_fetch_add(ok ? &reloads_ok : &reloads_failed, 1);
}

/* A label value: backslash, double quote and newline escaped. */
static void
put_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
put_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static char *
render(size_t *len)
{
	const struct metrics_gen	*m;
	const struct mx_listener	*l;
	const struct mx_pair		*p;
	struct gen			*g;
	FILE				*f;
	char				*buf = NULL;
	size_t				 i;
	int				 r;

	if ((f = open_memstream(&buf, len)) == NULL)
		return NULL;
	g = gen_current();
	pthread_mutex_lock(&table_lock);
	put_head(f, "certbindd_handshakes_total", "counter",
	    "TLS handshakes completed, by listener and key.");
	for (p = pairs_all; p != NULL; p = p->all) {
		fputs("certbindd_handshakes_total{listener=\"", f);
		put_label(f, p->listener);
		fputs("\",key=\"", f);
		put_label(f, p->key);
		fprintf(f, "\"} %llu\n", (unsigned long long)
		    atomic_load(&((struct mx_pair *)p)->n));
	}
	put_head(f, "certbindd_handshake_failures_total", "counter",
	    "TLS handshakes that failed, by listener and reason.");
	for (l = listeners; l != NULL; l = l->next) {
		for (r = 0; r < MXR_N; r++) {
			fputs("certbindd_handshake_failures_total{listener=\"",
			    f);
			put_label(f, l->name);
			fprintf(f, "\",reason=\"%s\"} %llu\n", reason_names[r],
			    (unsigned long long)atomic_load(
			    &((struct mx_listener *)l)->fail[r]));
		}
	}
	pthread_mutex_unlock(&table_lock);
	put_head(f, "certbindd_connections", "gauge",
	    "Connections open now, by state.");
	fprintf(f, "certbindd_connections{state=\"handshake\"} %ld\n",
	    atomic_load(&conns[MX_HANDSHAKE]));
	fprintf(f, "certbindd_connections{state=\"proxying\"} %ld\n",
	    atomic_load(&conns[MX_PROXYING]));
	put_head(f, "certbindd_reloads_total", "counter",
	    "Config reloads (SIGHUP), by result.");
	fprintf(f, "certbindd_reloads_total{result=\"ok\"} %llu\n",
	    (unsigned long long)atomic_load(&reloads_ok));
	fprintf(f, "certbindd_reloads_total{result=\"failed\"} %llu\n",
	    (unsigned long long)atomic_load(&reloads_failed));
	put_head(f, "certbindd_generation", "gauge",
	    "The id of the config generation serving new connections.");
	fprintf(f, "certbindd_generation %lu\n", g != NULL ? gen_id(g) : 0UL);
	put_head(f, "certbindd_certificate_expiry_timestamp_seconds", "gauge",
	    "The notAfter of each loaded key's certificate (Unix time).");
	if (g != NULL && (m = gen_metrics(g)) != NULL) {
		for (i = 0; i < m->nk; i++) {
			if (m->expiry[i] < 0)
				continue;
			fputs("certbindd_certificate_expiry_timestamp_seconds"
			    "{key=\"", f);
			put_label(f, m->keyname[i]);
			fprintf(f, "\"} %lld\n", (long long)m->expiry[i]);
		}
	}
	if (g != NULL)
		gen_unref(g);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static enum MHD_Result
respond(struct MHD_Connection *c, unsigned int status, const char *type,
    char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	static const char	 nf[] = "not found\n";
	char			*body;
	size_t			 len = 0;

	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 ||
	    strcmp(url, "/metrics") != 0)
		return respond(c, MHD_HTTP_NOT_FOUND, "text/plain",
		    (char *)nf, sizeof nf - 1, MHD_RESPMEM_PERSISTENT);
	if ((body = render(&len)) == NULL)
		return MHD_NO;
	return respond(c, MHD_HTTP_OK, "text/plain; version=0.0.4", body, len,
	    MHD_RESPMEM_MUST_FREE);
}

int
metrics_start(const struct config *cfg, char **cause)
{
	const struct config_server	*sv = config_server(cfg);
	struct errlist			 errs = ERRLIST_INIT;
	char				 buf[ENDPOINT_STRLEN];
	int				 fd;

	if (sv == NULL || !sv->has_metrics)
		return 0;
	endpoint_format(&sv->metrics, buf);
	if ((fd = listener_socket(&sv->metrics, 0, &errs)) == -1) {
		*cause = xasprintf("server.metrics %s: %s", buf,
		    errs.n > 0 ? errs.v[0] : "cannot listen");
		errlist_clear(&errs);
		return -1;
	}
	errlist_clear(&errs);
	/* As in op/acme-http01.c: no error log, the daemon owns fd. */
	daemon_mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_AUTO, 0, NULL, NULL, handle, NULL,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_CONNECTION_LIMIT, 16U,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10U,
	    MHD_OPTION_END);
	if (daemon_mhd == NULL) {
		*cause = xasprintf("server.metrics %s: cannot start the HTTP "
		    "server", buf);
		return -1;
	}
	log_info("metrics: http://%s/metrics", buf);
	return 0;
}

void
metrics_stop(void)
{
	if (daemon_mhd != NULL)
		MHD_stop_daemon(daemon_mhd);
	daemon_mhd = NULL;
}
