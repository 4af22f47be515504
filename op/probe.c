/*
 * Probing the running certbindd: for each listener, TLS handshakes without
 * SNI and with every SNI name bound there, reading the leaf certificate
 * actually served and comparing its SHA-256 with the certificate of the
 * key that resolver_lookup() -- the server's own function -- chooses. A
 * difference is the drift certbind check cannot see from the file alone:
 * a renewed certificate the server has not reloaded (not-reloaded), or a
 * handshake refused where a key is predicted (unserved-listener).
 *
 * The client does not verify the certificate: probe asks which one is
 * served, not whether a browser would trust it. "*" listeners are
 * reached on 127.0.0.1.
 *
 * Before any handshake, the listener's claim (op/claim.h) is asked
 * whether certbindd listens there: a listener whose address it could not
 * bind, or that another certbindd (another config) holds, is the error
 * not-listening, said with the reason, and is not probed. Nothing is
 * ever sent to an address this host does not have: such a listener is
 * not-listening when no certbindd claims it, and address-not-local
 * (info) when certbindd listens there with freebind.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "core/resolve.h"
#include "keys/cert.h"
#include "op/check.h"
#include "op/claim.h"
#include "op/probe.h"
#include "util/xmalloc.h"

/* The finding of a listener certbindd does not listen on. */

/* The name tried for a wildcard binding "*.example.com". */
#define PROBE_WILDCARD_LABEL	"certbind-probe"

char *
probe_sni_name(const char *sni)
{
	if (strncmp(sni, "*.", 2) == 0)
		return xasprintf("%s%s", PROBE_WILDCARD_LABEL, sni + 1);
	return xstrdup(sni);
}

/* What one handshake found. */
enum probe_result {
	PROBE_SERVED,		/* a certificate; fpr is set */
	PROBE_REFUSED,		/* connected, but no certificate came */
	PROBE_NOCONNECT,	/* nothing accepted the connection */
	PROBE_NOALPN		/* a certificate, without the ALPN asked */
};

struct probe_keys {
	const struct config	*cf;
	char			**fpr;		/* by key index, NULL: not loaded */
	char			**why;		/* by key index: why not */
};

static const char *
probe_key_fpr(struct probe_keys *pk, size_t ki, const char **why)
{
	const struct config_key	*k = config_key(pk->cf, ki);
	struct cert		*c;
	char			*path, *cause = NULL;

	if (pk->fpr[ki] == NULL && pk->why[ki] == NULL) {
		if (k->cert == NULL)
			pk->why[ki] = xstrdup("the key has no certificate yet");
		else {
			path = config_resolve_path(pk->cf, k->cert);
			if (cert_load(path, &c, &cause) != 0)
				pk->why[ki] = cause;
			else {
				pk->fpr[ki] = xstrdup(cert_fingerprint(c));
				cert_free(c);
			}
			free(path);
		}
	}
	*why = pk->why[ki];
	return pk->fpr[ki];
}

/* The key of the config whose certificate has this fingerprint, if any. */
static const char *
probe_key_by_fpr(struct probe_keys *pk, const char *fpr)
{
	const char	*why, *f;
	size_t		 i;

	for (i = 0; i < config_nkeys(pk->cf); i++) {
		if ((f = probe_key_fpr(pk, i, &why)) != NULL &&
		    strcasecmp(f, fpr) == 0)
			return config_key(pk->cf, i)->name;
	}
	return NULL;
}

static void
probe_keys_init(struct probe_keys *pk, const struct config *cf)
{
	pk->cf = cf;
	pk->fpr = xcalloc(config_nkeys(cf) + 1, sizeof *pk->fpr);
	pk->why = xcalloc(config_nkeys(cf) + 1, sizeof *pk->why);
}

static void
probe_keys_free(struct probe_keys *pk)
{
	size_t	 i;

	for (i = 0; i < config_nkeys(pk->cf); i++) {
		free(pk->fpr[i]);
		free(pk->why[i]);
	}
	free(pk->fpr);
	free(pk->why);
}

static int
probe_connect(const struct endpoint *ep, int timeout_ms, char **cause)
{
	struct sockaddr_storage	 ss;
	struct pollfd		 pfd;
	socklen_t		 len, elen = sizeof(int);
	int			 fd, err = 0, flags;

	len = endpoint_to_sockaddr(ep, &ss);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		if (errno != EINPROGRESS)
			err = errno;
		else {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, timeout_ms) <= 0)
				err = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &elen) == -1)
				err = errno;
		}
	}
	if (err != 0) {
		*cause = xstrdup(strerror(err));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, flags);
	return fd;
}

/*
 * One handshake to ep with sni (NULL: none), offering only the ALPN
 * protocol alpn (NULL: none). PROBE_NOALPN when the server answered but
 * did not select alpn (fpr is set then too).
 */
static enum probe_result
probe_one(const struct endpoint *ep, const char *sni, const char *alpn,
    int timeout_ms, char **fpr, char **cause)
{
	gnutls_datum_t			 proto, sel;
	gnutls_certificate_credentials_t creds = NULL;
	gnutls_session_t		 s = NULL;
	const gnutls_datum_t		*peers;
	unsigned char			 md[32];
	size_t				 mdlen = sizeof md, i;
	unsigned int			 npeers = 0;
	enum probe_result		 res = PROBE_REFUSED;
	char				*p;
	int				 fd, ret;

	*fpr = NULL;
	*cause = NULL;
	if ((fd = probe_connect(ep, timeout_ms, cause)) == -1)
		return PROBE_NOCONNECT;
	if ((ret = gnutls_certificate_allocate_credentials(&creds)) < 0 ||
	    (ret = gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL)) < 0 ||
	    (ret = gnutls_set_default_priority(s)) < 0 ||
	    (ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
	    creds)) < 0 ||
	    (sni != NULL && (ret = gnutls_server_name_set(s, GNUTLS_NAME_DNS,
	    sni, strlen(sni))) < 0)) {
		*cause = xasprintf("setting up the TLS client: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	proto.data = (unsigned char *)alpn;
	proto.size = alpn != NULL ? strlen(alpn) : 0;
	if (alpn != NULL &&
	    (ret = gnutls_alpn_set_protocols(s, &proto, 1, 0)) < 0) {
		*cause = xasprintf("setting up the TLS client: %s",
		    gnutls_strerror(ret));
		goto out;
	}
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, timeout_ms);
	do {
		ret = gnutls_handshake(s);
	} while (ret < 0 && !gnutls_error_is_fatal(ret));
	if (ret < 0) {
		if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED)
			*cause = xasprintf("the server refused the handshake "
			    "(alert: %s)", gnutls_alert_get_name(
			    gnutls_alert_get(s)));
		else
			*cause = xasprintf("the handshake failed: %s",
			    gnutls_strerror(ret));
		goto out;
	}
	peers = gnutls_certificate_get_peers(s, &npeers);
	if (peers == NULL || npeers == 0) {
		*cause = xstrdup("the server sent no certificate");
		goto out;
	}
	if ((ret = gnutls_fingerprint(GNUTLS_DIG_SHA256, &peers[0], md,
	    &mdlen)) < 0) {
		*cause = xasprintf("fingerprint: %s", gnutls_strerror(ret));
		goto out;
	}
	p = *fpr = xmalloc(mdlen * 3 + 1);
	for (i = 0; i < mdlen; i++)
		p += sprintf(p, "%s%02x", i == 0 ? "" : ":", md[i]);
	res = PROBE_SERVED;
	if (alpn != NULL && (gnutls_alpn_get_selected_protocol(s, &sel) != 0 ||
	    sel.size != proto.size || memcmp(sel.data, alpn, sel.size) != 0)) {
		*cause = xasprintf("the server did not select %s", alpn);
		res = PROBE_NOALPN;
	}
	gnutls_bye(s, GNUTLS_SHUT_WR);
out:
	if (s != NULL)
		gnutls_deinit(s);
	if (creds != NULL)
		gnutls_certificate_free_credentials(creds);
	close(fd);
	return res;
}

/* The SNI names to try on ep: none, then every name bound there. */
static size_t
probe_names(const struct config *cf, const struct endpoint *ep,
    char ***out)
{
	const struct config_binding	*b;
	char				**v, *name;
	size_t				 n = 1, i, j;

	v = xcalloc(config_nbindings(cf) + 1, sizeof *v);
	v[0] = NULL;
	for (i = 0; i < config_nbindings(cf); i++) {
		b = config_binding(cf, i);
		if (b->sni == NULL || *b->sni == '\0' ||
		    !endpoint_overlaps(&b->ep, ep))
			continue;
		name = probe_sni_name(b->sni);
		for (j = 1; j < n; j++) {
			if (strcasecmp(v[j], name) == 0)
				break;
		}
		if (j < n) {
			free(name);
			continue;
		}
		v[n++] = name;
	}
	*out = v;
	return n;
}

static void
probe_endpoint(const struct config *cf, const struct resolver *r,
    struct probe_keys *pk, const struct endpoint *target, int timeout_ms,
    probe_ok_fn ok, void *arg, struct findings *fs)
{
	const struct config_binding	*b;
	const char			*pfpr, *why, *other, *sni;
	enum probe_result		 res;
	char				 text[ENDPOINT_STRLEN], *obj, *served;
	char				*cause, **names;
	size_t				 nnames, i;
	ssize_t				 bi, ki;

	endpoint_format(target, text);
	nnames = probe_names(cf, target, &names);
	for (i = 0; i < nnames; i++) {
		sni = names[i];
		/* Escaped when printed, with the rest of the finding. */
		if (sni != NULL)
			obj = xasprintf("%s sni=%s", text, sni);
		else
			obj = xstrdup(text);

		pfpr = NULL;
		why = NULL;
		b = NULL;
		if ((bi = resolver_lookup(r, target, sni, NULL)) >= 0) {
			b = config_binding(cf, (size_t)bi);
			if ((ki = config_key_index(cf, b->key)) >= 0)
				pfpr = probe_key_fpr(pk, (size_t)ki, &why);
			else
				why = "the key does not exist";
		}
		res = probe_one(target, sni, NULL, timeout_ms, &served,
		    &cause);

		if (res == PROBE_NOCONNECT) {
			findings_add(fs, SEV_ERROR, F_UNSERVED_LISTENER,
			    FK_FILE, -1, text, "nothing accepts connections "
			    "(%s): is certbindd running, and was it reloaded "
			    "after the listener was added?", cause);
			free(cause);
			free(obj);
			break;	/* the other names would say the same */
		}
		if (b != NULL && pfpr == NULL) {
			/* check reports the missing or broken file itself. */
			findings_add(fs, SEV_WARNING, F_UNREADABLE, FK_FILE,
			    -1, obj, "cannot predict the certificate of key "
			    "'%s': %s", b->key, why);
		} else if (b != NULL && res == PROBE_REFUSED) {
			findings_add(fs, SEV_ERROR, F_UNSERVED_LISTENER,
			    FK_FILE, -1, obj, "key '%s' should serve it, but "
			    "%s: reload certbindd", b->key, cause);
		} else if (b != NULL && strcasecmp(served, pfpr) != 0) {
			other = probe_key_by_fpr(pk, served);
			if (other != NULL)
				findings_add(fs, SEV_WARNING, F_NOT_RELOADED,
				    FK_FILE, -1, obj, "certbindd serves the "
				    "certificate of key '%s', but the config "
				    "says key '%s' (%s): reload certbindd",
				    other, b->key, pfpr);
			else
				findings_add(fs, SEV_WARNING, F_NOT_RELOADED,
				    FK_FILE, -1, obj, "certbindd serves "
				    "certificate %s, but key '%s' now has %s "
				    "(renewed?): reload certbindd", served,
				    b->key, pfpr);
		} else if (b == NULL && res == PROBE_SERVED) {
			findings_add(fs, SEV_WARNING, F_NOT_RELOADED, FK_FILE,
			    -1, obj, "certbindd serves certificate %s, but no "
			    "binding of the config serves this: reload "
			    "certbindd", served);
		} else if (ok != NULL)
			ok(arg, obj, b != NULL ? b->key : NULL, served);
		free(served);
		free(cause);
		free(obj);
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
}

/*
 * What the claim of listener lep says, for a probe of target: 1 when the
 * handshakes should go on, 0 when a finding says why they do not.
 */
static int
probe_claim(const struct config *cf, const struct endpoint *lep,
    const struct endpoint *target, int timeout_ms, struct findings *fs)
{
	struct claim_addr	 a;
	struct claim_holder	 h;
	char			 text[ENDPOINT_STRLEN], real[PATH_MAX];
	const char		*mine = config_path(cf);
	int			 held, local;

	endpoint_format(target, text);
	local = endpoint_addr_is_local(target) != 0;
	claim_listen_addr(lep, &a);
	held = claim_query(&a, timeout_ms, &h);
	if (mine != NULL && realpath(mine, real) != NULL)
		mine = real;
	if (held == 1 && h.config[0] != '\0' && mine != NULL &&
	    strcmp(h.config, mine) != 0) {
		findings_add(fs, SEV_ERROR, F_NOT_LISTENING, FK_FILE, -1, text,
		    "certbindd pid %ld (config %s) holds this listener, so the "
		    "certbindd of this config does not listen on it and "
		    "clients get the other config's certificates; remove the "
		    "listener from one of the configs", (long)h.pid, h.config);
		return 0;
	}
	if (held == 1 && strcmp(h.state, "not-listening") == 0) {
		findings_add(fs, SEV_ERROR, F_NOT_LISTENING, FK_FILE, -1, text,
		    "certbindd pid %ld does not listen on this listener: %s; "
		    "it tries again at every reload (certbind reload)",
		    (long)h.pid, h.error[0] != '\0' ? h.error :
		    "no reason given");
		return 0;
	}
	if (local)
		return 1;
	/* Not this host's address: send nothing there. */
	if (held == 1 && strcmp(h.state, "listening") == 0)
		findings_add(fs, SEV_INFO, F_ADDRESS_NOT_LOCAL, FK_FILE, -1,
		    text, "certbindd pid %ld listens on it%s, but this host "
		    "does not have the address now, so it was not probed",
		    (long)h.pid, h.freebind ? " (freebind)" : "");
	else
		findings_add(fs, SEV_ERROR, F_NOT_LISTENING, FK_FILE, -1, text,
		    "this host does not have the address and no certbindd "
		    "claims the listener, so nothing listens on it here (not "
		    "probed); add the address to an interface, or set "
		    "freebind = true on the listener and reload certbindd");
	return 0;
}

void
probe_run(const struct config *cf, const struct endpoint *targets, size_t n,
    int timeout_ms, probe_ok_fn ok, void *arg, struct findings *fs)
{
	struct probe_keys	 pk;
	struct resolver		*r;
	struct endpoint		 ep, lep;
	size_t			 i, count;
	ssize_t			 li;

	count = n != 0 ? n : config_nlisteners(cf);
	r = resolver_new(cf);
	probe_keys_init(&pk, cf);
	for (i = 0; i < count; i++) {
		ep = n != 0 ? targets[i] : config_listener(cf, i)->ep;
		if (endpoint_any_addr(&ep)) {
			/* A "*" listener answers on every address: ask 127.0.0.1. */
			ep.family = AF_INET;
			memset(ep.addr, 0, sizeof ep.addr);
			ep.addr[0] = 127;
			ep.addr[3] = 1;
		}
		li = n != 0 ? config_listener_serving(cf, &ep) : (ssize_t)i;
		if (li >= 0) {
			lep = config_listener(cf, (size_t)li)->ep;
			if (!probe_claim(cf, &lep, &ep, timeout_ms, fs))
				continue;
		}
		probe_endpoint(cf, r, &pk, &ep, timeout_ms, ok, arg, fs);
	}
	probe_keys_free(&pk);
	resolver_free(r);
}

void
probe_run_at(const struct config *cf, const struct endpoint *addr,
    int timeout_ms, probe_ok_fn ok, void *arg, struct findings *fs,
    size_t *nprobed)
{
	struct probe_keys	 pk;
	struct resolver		*r;
	struct endpoint		 ep;
	size_t			 i, n = 0;

	r = resolver_new(cf);
	probe_keys_init(&pk, cf);
	for (i = 0; i < config_nlisteners(cf); i++) {
		ep = config_listener(cf, i)->ep;
		if (endpoint_any_addr(&ep)) {
			ep.family = addr->family;
			memcpy(ep.addr, addr->addr, sizeof ep.addr);
		} else if (ep.family != addr->family ||
		    memcmp(ep.addr, addr->addr, sizeof ep.addr) != 0)
			continue;
		if (endpoint_any_port(&ep))
			continue;
		probe_endpoint(cf, r, &pk, &ep, timeout_ms, ok, arg, fs);
		n++;
	}
	probe_keys_free(&pk);
	resolver_free(r);
	if (nprobed != NULL)
		*nprobed = n;
}

int
probe_served(const struct endpoint *ep, const char *sni, const char *alpn,
    int timeout_ms, char **fpr, char **cause)
{
	char	*why;

	*fpr = NULL;
	*cause = NULL;
	switch (probe_one(ep, sni, alpn, timeout_ms, fpr, &why)) {
	case PROBE_SERVED:
		return 0;
	case PROBE_NOCONNECT:
		*cause = xasprintf("cannot connect: %s", why);
		free(why);
		break;
	default:
		*cause = why;
		break;
	}
	free(*fpr);
	*fpr = NULL;
	return -1;
}
