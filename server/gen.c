/*
 * Generations: everything certbindd serves from one load of the config.
 *
 * A generation is built whole at load time (parse, resolver index, every
 * key and certificate read into memory, priorities checked) and never
 * changed afterwards, so worker threads read it without locks. The
 * post-ClientHello hook asks the shared resolver which binding serves the
 * connection, and the certificate-retrieve callback indexes a table from
 * binding to credentials: no file I/O and no scan of the bindings during
 * a handshake.
 *
 * tls-alpn-01 (RFC 8737): while challenges are pending (challenge.c),
 * sessions also offer the ALPN protocol acme-tls/1. GnuTLS has chosen the
 * protocol when the post-ClientHello hook runs (the application
 * extensions are parsed before it), so the hook sends a client that
 * negotiated acme-tls/1 to the challenge table instead of the resolver,
 * and every other client is served exactly as without challenges.
 *
 * Reference counts: the current pointer holds one reference, and every
 * connection one more for its lifetime. A reload installs a new
 * generation; the old one goes away with its last connection, which is
 * how connections in flight keep the credentials they started with.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "core/config.h"
#include "util/errlist.h"
#include "util/escape.h"
#include "core/resolve.h"
#include "util/xmalloc.h"
#include "keys/privkey.h"
#include "keys/fastsign.h"
#include "keys/tlsprofile.h"
#include "op/acme-paths.h"
#include "server/certbindd.h"
#include "server/gen-int.h"

static pthread_mutex_t	 gen_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gen	*gen_cur;
static unsigned long	 gen_next_id = 1;

/*
 * Without server.ticket_keys, one ticket key for the life of the process:
 * a ticket issued before a reload stays usable after it, not after a
 * restart. GnuTLS derives rotating ticket keys from it (tickets.c).
 */
static gnutls_datum_t	 ticket_key;

int
gen_global_init(char **cause)
{
	int	ret;

	if ((ret = gnutls_global_init()) < 0) {
		*cause = xasprintf("gnutls_global_init: %s",
		    gnutls_strerror(ret));
		return -1;
	}
	if ((ret = gnutls_session_ticket_key_generate(&ticket_key)) < 0) {
		*cause = xasprintf("generating the session ticket key: %s",
		    gnutls_strerror(ret));
		return -1;
	}
	return 0;
}

void
gen_global_free(void)
{
	pthread_mutex_lock(&gen_lock);
	if (gen_cur != NULL)
		gen_unref(gen_cur);
	gen_cur = NULL;
	pthread_mutex_unlock(&gen_lock);
	if (ticket_key.data != NULL) {
		gnutls_memset(ticket_key.data, 0, ticket_key.size);
		gnutls_free(ticket_key.data);
		ticket_key.data = NULL;
	}
	gnutls_global_deinit();
}

static void
gen_free(struct gen *g)
{
	size_t	i;

	if (g->creds != NULL)
		gnutls_certificate_free_credentials(g->creds);
	if (g->prio != NULL)
		gnutls_priority_deinit(g->prio);
	for (i = 0; i < g->nkeys; i++) {
		if (g->keycred[i] != NULL)
			tlscred_free(g->keycred[i]);
	}
	free(g->keycred);
	free(g->bindcred);
	for (i = 0; i < g->ncas; i++)
		clientca_free(g->cas[i]);
	free(g->cas);
	free(g->bindca);
	metrics_gen_free(g->mx);
	tickets_free(&g->ticket);
	if (g->res != NULL)
		resolver_free(g->res);
	if (g->cfg != NULL)
		config_free(g->cfg);
	free(g->id_user.user);
	free(g);
}

void
gen_ref(struct gen *g)
{
	atomic_fetch_add(&g->refs, 1);
}

void
gen_unref(struct gen *g)
{
	if (g != NULL && atomic_fetch_sub(&g->refs, 1) == 1)
		gen_free(g);
}

unsigned long
gen_id(const struct gen *g)
{
	return g->id;
}

const struct config *
gen_config(const struct gen *g)
{
	return g->cfg;
}

struct metrics_gen *
gen_metrics(const struct gen *g)
{
	return g->mx;
}

const struct srvid *
gen_srvid(const struct gen *g)
{
	return &g->id_user;
}

int64_t
gen_handshake_timeout(const struct gen *g)
{
	return g->hs_timeout;
}

int64_t
gen_idle_timeout(const struct gen *g)
{
	return g->idle_timeout;
}

int64_t
gen_shutdown_timeout(const struct gen *g)
{
	return g->shutdown_timeout;
}

int64_t
gen_max_connections(const struct gen *g)
{
	return g->max_conns;
}

int64_t
gen_workers(const struct gen *g)
{
	return g->workers;
}

struct gen *
gen_current(void)
{
	struct gen	*g;

	pthread_mutex_lock(&gen_lock);
	if ((g = gen_cur) != NULL)
		gen_ref(g);
	pthread_mutex_unlock(&gen_lock);
	return g;
}

void
gen_install(struct gen *g)
{
	struct gen	*old;

	pthread_mutex_lock(&gen_lock);
	old = gen_cur;
	gen_cur = g;
	pthread_mutex_unlock(&gen_lock);
	gen_unref(old);
}

int
gen_backend(const struct gen *g, const struct endpoint *ep,
    struct endpoint *backend)
{
	ssize_t	i;

	if ((i = config_listener_find(g->cfg, ep)) < 0)
		return -1;
	*backend = config_listener(g->cfg, i)->backend;
	return 0;
}

const struct config_listener *
gen_listener(const struct gen *g, const struct endpoint *ep)
{
	ssize_t	i;

	if ((i = config_listener_find(g->cfg, ep)) < 0)
		return NULL;
	return config_listener(g->cfg, i);
}

int
gen_conn_backend(const struct gen *g, const struct hsinfo *hs,
    const struct endpoint *lep, struct endpoint *backend)
{
	const struct config_binding	*b = NULL;
	const struct endpoint		*be;

	if (hs->binding >= 0)
		b = config_binding(g->cfg, (size_t)hs->binding);
	if ((be = config_backend_for(b, gen_listener(g, lep))) == NULL)
		return -1;
	*backend = *be;
	return 0;
}

/* "TLS1.3" is "TLSv1.3" to HAProxy, nginx and OpenSSL's users. */
static void
gen_version_name(gnutls_protocol_t v, char *buf, size_t size)
{
	const char	*n = gnutls_protocol_get_name(v);

	if (n == NULL)
		n = "unknown";
	if (strncmp(n, "TLS", 3) == 0 && n[3] != 'v')
		snprintf(buf, size, "TLSv%s", n + 3);
	else
		snprintf(buf, size, "%s", n);
}

void
gen_tls_info(gnutls_session_t s, const struct hsinfo *hs, struct tlsinfo *ti)
{
	gnutls_datum_t	 p;
	const char	*c;
	size_t		 len;
	unsigned int	 type;

	memset(ti, 0, sizeof *ti);
	gen_version_name(gnutls_protocol_get_version(s), ti->version,
	    sizeof ti->version);
	/* The IANA name (TLS_AES_128_GCM_SHA256), as HAProxy reports it. */
	c = gnutls_ciphersuite_get(s);
	snprintf(ti->cipher, sizeof ti->cipher, "%s", c != NULL ? c : "");
	if (gnutls_alpn_get_selected_protocol(s, &p) == 0 &&
	    p.size < sizeof ti->alpn) {
		memcpy(ti->alpn, p.data, p.size);
		ti->alpn_len = p.size;
	}
	len = sizeof ti->sni;
	if (gnutls_server_name_get(s, ti->sni, &len, &type, 0) != 0 ||
	    type != GNUTLS_NAME_DNS)
		ti->sni[0] = '\0';
	if (hs->binding >= 0)
		ti->key = config_binding(hs->gen->cfg,
		    (size_t)hs->binding)->key;
	ti->client_cert = hs->cc_sent;
	ti->verify = hs->cc_verify;
	snprintf(ti->cn, sizeof ti->cn, "%s", hs->cc_cn);
}

/*
 * Refused handshakes are logged at most GEN_REFUSALS_PER_SECOND lines a
 * second, all workers together: a client retrying in a loop, or a
 * scanner, is seen without flooding the log. The first line logged
 * after some were left out says how many.
 */
#define GEN_REFUSALS_PER_SECOND	20

static pthread_mutex_t	 refusal_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t		 refusal_second;
static int		 refusal_count;
static unsigned long	 refusal_dropped;

void
gen_refusal(const char *fmt, ...)
{
	va_list		 ap;
	char		*msg;
	int64_t		 sec = now_ms() / 1000;
	unsigned long	 dropped = 0;
	int		 ok;

	pthread_mutex_lock(&refusal_lock);
	if (sec != refusal_second) {
		refusal_second = sec;
		refusal_count = 0;
	}
	if ((ok = refusal_count < GEN_REFUSALS_PER_SECOND)) {
		refusal_count++;
		dropped = refusal_dropped;
		refusal_dropped = 0;
	} else
		refusal_dropped++;
	pthread_mutex_unlock(&refusal_lock);
	if (!ok)
		return;
	if (dropped != 0)
		log_warn("%lu refused handshake%s not logged (more than %d "
		    "a second)", dropped, dropped == 1 ? " was" : "s were",
		    GEN_REFUSALS_PER_SECOND);
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	log_warn("%s", msg);
	free(msg);
}

/*
 * The ALPN protocols a session offers: the alpn list of the listener that
 * accepted it, in the listener's order, which is the order of preference
 * (GNUTLS_ALPN_SERVER_PRECEDENCE: the first of the listener's protocols
 * that the client offers wins, whatever the client's order), and then
 * acme-tls/1 while tls-alpn-01 challenges are pending. The one place a
 * session's ALPN list is made.
 *
 * A client that offers none of them: the handshake goes on without ALPN
 * (no protocol selected, as nginx and HAProxy do), never the
 * no_application_protocol alert that RFC 7301 section 3.2 allows: so
 * never GNUTLS_ALPN_MANDATORY. The same for every listener, with or
 * without challenges; the backend then gets no ALPN TLV, and the access
 * log shows none. certbindd.8 says so.
 */
static int
gen_alpn_setup(gnutls_session_t s, struct hsinfo *hs)
{
	const struct config_listener	*l = gen_listener(hs->gen, &hs->lep);
	gnutls_datum_t			 p[CONFIG_ALPN_MAX + 1];
	unsigned			 n = 0;
	size_t				 i;

	hs->alpn_acme = 0;
	for (i = 0; l != NULL && i < l->nalpn && n < CONFIG_ALPN_MAX; i++) {
		p[n].data = (unsigned char *)l->alpn[i];
		p[n++].size = strlen(l->alpn[i]);
	}
	if (challenge_pending() != 0) {
		p[n].data = (unsigned char *)ACME_ALPN_PROTOCOL;
		p[n++].size = sizeof ACME_ALPN_PROTOCOL - 1;
		hs->alpn_acme = 1;
	}
	if (n == 0)
		return 0;
	if (gnutls_alpn_set_protocols(s, p, n,
	    GNUTLS_ALPN_SERVER_PRECEDENCE) < 0)
		return -1;
	return 0;
}

/* Whether the protocol negotiated on s is acme-tls/1. */
static int
gen_alpn_is_acme(gnutls_session_t s, const struct hsinfo *hs)
{
	gnutls_datum_t	p;

	if (!hs->alpn_acme ||
	    gnutls_alpn_get_selected_protocol(s, &p) != 0)
		return 0;
	return p.size == sizeof ACME_ALPN_PROTOCOL - 1 &&
	    memcmp(p.data, ACME_ALPN_PROTOCOL, p.size) == 0;
}

/*
 * A ClientHello that chose acme-tls/1: the challenge certificate for its
 * SNI, or a refusal. The table found is kept (with a reference) until the
 * connection ends, so a SIGUSR2 in between cannot take the credentials
 * away from under the handshake.
 */
static int
gen_challenge_hello(struct hsinfo *hs, const char *sni)
{
	char	lbuf[ENDPOINT_STRLEN], pbuf[ENDPOINT_STRLEN], *e;

	hs->binding = -1;
	if (hs->chal == NULL)
		hs->chal = challenge_current();
	hs->ch = challenge_find(hs->chal, sni);
	if (hs->ch != NULL)
		return 0;
	if (hs->refused++)
		return GNUTLS_E_INSUFFICIENT_CREDENTIALS;
	endpoint_format(&hs->local, lbuf);
	endpoint_format(&hs->peer, pbuf);
	e = escape_str(sni, 0);
	gen_refusal("acme: no tls-alpn-01 challenge is pending for %s%s%s%s "
	    "(client %s): handshake refused", lbuf, sni != NULL ? " sni \"" :
	    " without sni", e, sni != NULL ? "\"" : "", pbuf);
	free(e);
	return GNUTLS_E_INSUFFICIENT_CREDENTIALS;
}

int
gen_is_challenge(gnutls_session_t s, struct hsinfo *hs)
{
	char	lbuf[ENDPOINT_STRLEN], pbuf[ENDPOINT_STRLEN], *e;

	if (!gen_alpn_is_acme(s, hs))
		return 0;
	if (hs->ch != NULL) {
		endpoint_format(&hs->local, lbuf);
		endpoint_format(&hs->peer, pbuf);
		e = escape_str(challenge_domain(hs->ch), 0);
		log_info("acme: answered the tls-alpn-01 challenge for %s on "
		    "%s (client %s)", e, lbuf, pbuf);
		free(e);
	}
	return 1;
}

/*
 * Runs in the worker thread once the ClientHello (and its SNI) has been
 * read, before GnuTLS decides on resumption: the binding is chosen here,
 * so a resumed session is refused like a full handshake when nothing
 * serves the endpoint any more (after a reload, say).
 */
static int
gen_post_hello(gnutls_session_t s)
{
	struct hsinfo			*hs = gnutls_session_get_ptr(s);
	struct gen			*g = hs->gen;
	const struct config_binding	*b;
	char				 name[256], lbuf[ENDPOINT_STRLEN];
	char				 pbuf[ENDPOINT_STRLEN], *e;
	const char			*sni = NULL;
	size_t				 len = sizeof name;
	unsigned int			 type;
	ssize_t				 i;

	if (gnutls_server_name_get(s, name, &len, &type, 0) == 0 &&
	    type == GNUTLS_NAME_DNS && len > 0)
		sni = name;
	if (gen_alpn_is_acme(s, hs))
		return gen_challenge_hello(hs, sni);
	i = resolver_lookup(g->res, &hs->local, sni, NULL);
	if (i >= 0 && (size_t)i < g->nbindings && g->bindcred[i] != NULL) {
		hs->binding = i;
		gen_client_auth_setup(s, hs);
		return 0;
	}
	hs->binding = -1;

	/* A HelloRetryRequest brings a second ClientHello: log one refusal. */
	if (hs->refused++)
		return GNUTLS_E_INSUFFICIENT_CREDENTIALS;
	endpoint_format(&hs->local, lbuf);
	endpoint_format(&hs->peer, pbuf);
	e = escape_str(sni, 0);
	if (i < 0) {
		gen_refusal("no binding serves %s%s%s%s (client %s): handshake "
		    "refused", lbuf, sni != NULL ? " sni \"" : " without sni",
		    e, sni != NULL ? "\"" : "", pbuf);
	} else {
		b = config_binding(g->cfg, i);
		free(e);
		e = escape_str(b->key, 0);
		gen_refusal("%s (client %s) is bound to key \"%s\", which has no "
		    "certificate: handshake refused", lbuf, pbuf, e);
	}
	free(e);
	return GNUTLS_E_INSUFFICIENT_CREDENTIALS;
}

/*
 * The certificate-retrieve callback: hands GnuTLS the credentials of the
 * binding chosen after the ClientHello. No lookup, no file I/O.
 */
static int
gen_retrieve(gnutls_session_t s, const gnutls_datum_t *req_ca, int nreq,
    const gnutls_pk_algorithm_t *algos, int nalgos, gnutls_pcert_st **pcert,
    unsigned int *npcert, gnutls_privkey_t *key)
{
	struct hsinfo	*hs = gnutls_session_get_ptr(s);
	struct gen	*g = hs->gen;

	if (hs->ch != NULL) {
		*pcert = challenge_pcert(hs->ch);
		*npcert = 1;
		*key = challenge_privkey(hs->ch);
		return 0;
	}
	if (hs->binding < 0 || (size_t)hs->binding >= g->nbindings ||
	    g->bindcred[hs->binding] == NULL)
		return -1;
	*pcert = tlscred_pcerts(g->bindcred[hs->binding], npcert);
	*key = tlscred_privkey(g->bindcred[hs->binding]);
	return 0;
}

static int64_t
seconds(int64_t v, int64_t dflt)
{
	return (v > 0 ? v : dflt) * 1000;
}

/*
 * One line on which library signs for how many keys: the fast signer is
 * a choice an administrator can check in the log (and -t) at each load.
 */
static void
gen_log_signers(const struct gen *g)
{
	size_t		 i, nossl = 0, ngnutls = 0;
	const char	*s;

	for (i = 0; i < g->nkeys; i++) {
		if (g->keycred[i] == NULL)
			continue;
		s = tlscred_signer(g->keycred[i]);
		if (strcmp(s, "openssl") == 0)
			nossl++;
		else
			ngnutls++;
	}
	if (nossl + ngnutls == 0)
		return;
	if (nossl != 0 && ngnutls != 0)
		log_info("signing: %s for %zu key%s, GnuTLS %s for %zu",
		    fastsign_engine(), nossl, nossl == 1 ? "" : "s",
		    gnutls_check_version(NULL), ngnutls);
	else if (nossl != 0)
		log_info("signing: %s for %s %zu key%s", fastsign_engine(),
		    nossl == 1 ? "the" : "all", nossl, nossl == 1 ? "" : "s");
	else
		log_info("signing: GnuTLS %s for %s %zu key%s%s",
		    gnutls_check_version(NULL), ngnutls == 1 ? "the" : "all",
		    ngnutls, ngnutls == 1 ? "" : "s",
		    g->signflags != 0 ? "" : fastsign_engine() == NULL ?
		    " (built without OpenSSL)" : " (server.signer = \"gnutls\")");
}

struct gen *
gen_load(const char *path, struct errlist *errs)
{
	struct gen			*g;
	struct config			*cfg;
	const struct config_server	*srv;
	const struct config_key		*k;
	const struct config_binding	*b;
	const char			*prio, *errpos = NULL;
	char				*kp, *cp, *cause = NULL, *e;
	char				*note = NULL;
	size_t				 before = errs->n, i;
	ssize_t				 ki;
	int				 ret;

	if (config_load(path, &cfg, errs) != 0)
		return NULL;

	g = xcalloc(1, sizeof *g);
	atomic_init(&g->refs, 1);
	g->cfg = cfg;
	srv = config_server(cfg);
	g->hs_timeout = seconds(srv ? srv->handshake_timeout : 0, 10);
	g->idle_timeout = seconds(srv ? srv->idle_timeout : 0, 300);
	g->shutdown_timeout = seconds(srv ? srv->shutdown_timeout : 0, 30);
	g->max_conns = srv && srv->max_connections > 0 ?
	    srv->max_connections : 10000;
	g->workers = srv ? srv->workers : 0;
	g->tickets = srv ? srv->tickets : 1;

	if (privsep_lookup(srv ? srv->user : NULL, srv ? srv->group : NULL,
	    &g->id_user, &cause) != 0)
		errlist_add_owned(errs, cause);

	/* server.priority when given, else the profile's (tlsprofile.c). */
	prio = tlsprofile_priority(srv ? srv->tls_profile : NULL,
	    srv ? srv->priority : NULL);
	if (prio == NULL) {
		e = escape_str(srv->tls_profile, 0);
		errlist_add(errs, "%s: server.tls_profile: unknown profile "
		    "\"%s\"", path, e);
		free(e);
	} else if ((ret = gnutls_priority_init(&g->prio, prio, &errpos)) < 0) {
		g->prio = NULL;
		e = escape_str(errpos != NULL ? errpos : prio, 0);
		errlist_add(errs, "%s: server.priority: %s at \"%s\"", path,
		    gnutls_strerror(ret), e);
		free(e);
	}

	if (g->tickets && srv != NULL && srv->ticket_keys != NULL) {
		kp = config_resolve_path(cfg, srv->ticket_keys);
		if (tickets_load(kp, &g->id_user.keys, &g->ticket,
		    &cause) < 0) {
			errlist_add(errs, "%s: server.ticket_keys: %s", path,
			    cause);
			free(cause);
			cause = NULL;
		}
		free(kp);
	}

	if ((ret = gnutls_certificate_allocate_credentials(&g->creds)) < 0) {
		g->creds = NULL;
		errlist_add(errs, "allocating credentials: %s",
		    gnutls_strerror(ret));
	} else {
		gnutls_certificate_set_retrieve_function2(g->creds,
		    gen_retrieve);
		gnutls_certificate_set_verify_function(g->creds,
		    gen_verify_client);
	}

	/*
	 * server.signer: OpenSSL unless "gnutls" (keys/fastsign.h), in a
	 * build that has it.
	 */
	if (fastsign_engine() != NULL && (srv == NULL ||
	    srv->signer == NULL || strcmp(srv->signer,
	    CONFIG_SIGNER_OPENSSL) == 0))
		g->signflags = TLSCRED_OPENSSL;
	g->nkeys = config_nkeys(cfg);
	g->keycred = xcalloc(g->nkeys ? g->nkeys : 1, sizeof *g->keycred);
	for (i = 0; i < g->nkeys; i++) {
		k = config_key(cfg, i);
		if (k->cert == NULL)
			continue;	/* pending: nothing to serve yet */
		kp = config_resolve_path(cfg, k->key);
		cp = config_resolve_path(cfg, k->cert);
		if (tlscred_load(kp, cp, &g->id_user.keys, g->signflags,
		    &g->keycred[i], &note, &cause) != 0) {
			e = escape_str(k->name, 0);
			errlist_add(errs, "%s:%d: key \"%s\": %s", path,
			    k->line, e, cause);
			free(e);
			free(cause);
			cause = NULL;
			g->keycred[i] = NULL;
		}
		if (note != NULL) {
			/* Served all the same: GnuTLS signs for this key. */
			log_warn_escaped("", note);
			free(note);
			note = NULL;
		}
		free(kp);
		free(cp);
	}

	g->nbindings = config_nbindings(cfg);
	g->bindcred = xcalloc(g->nbindings ? g->nbindings : 1,
	    sizeof *g->bindcred);
	for (i = 0; i < g->nbindings; i++) {
		b = config_binding(cfg, i);
		if ((ki = config_key_index(cfg, b->key)) < 0) {
			e = escape_str(b->key, 0);
			errlist_add(errs, "%s:%d: a binding names key \"%s\", "
			    "which does not exist", path, b->line, e);
			free(e);
			continue;
		}
		g->bindcred[i] = g->keycred[ki];
	}
	gen_load_client_cas(g, path, errs);

	if (errs->n != before) {
		gen_free(g);
		return NULL;
	}
	gen_log_signers(g);
	g->res = resolver_new(cfg);
	g->mx = metrics_gen_new(cfg, g->keycred, g->nkeys);
	pthread_mutex_lock(&gen_lock);
	g->id = gen_next_id++;
	pthread_mutex_unlock(&gen_lock);
	return g;
}

int
gen_session_new(struct gen *g, int fd, struct hsinfo *hs,
    gnutls_session_t *out)
{
	gnutls_session_t	s;
	unsigned int		flags = GNUTLS_SERVER | GNUTLS_NONBLOCK;

	if (!g->tickets)
		flags |= GNUTLS_NO_TICKETS;
	if (gnutls_init(&s, flags) < 0)
		return -1;
	if (gnutls_priority_set(s, g->prio) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, g->creds) < 0 ||
	    (g->tickets && gnutls_session_ticket_enable_server(s,
	    g->ticket.data != NULL ? &g->ticket : &ticket_key) < 0)) {
		gnutls_deinit(s);
		return -1;
	}
	hs->gen = g;
	hs->binding = -1;
	hs->chal = NULL;
	hs->ch = NULL;
	hs->cc_sent = 0;
	hs->cc_verify = 0;
	hs->cc_cn[0] = '\0';
	if (gen_alpn_setup(s, hs) != 0) {
		gnutls_deinit(s);
		return -1;
	}
	gnutls_session_set_ptr(s, hs);
	gnutls_handshake_set_post_client_hello_function(s, gen_post_hello);
	gnutls_transport_set_int(s, fd);
	*out = s;
	return 0;
}
