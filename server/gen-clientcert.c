/*
 * Client certificates per binding (client_ca, client_auth): the CA files
 * read once per generation, the request after the ClientHello, and the
 * verification, for full and resumed handshakes alike, with one log line
 * for each refusal.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "util/errlist.h"
#include "util/escape.h"
#include "util/xmalloc.h"
#include "keys/tlsprofile.h"
#include "server/certbindd.h"
#include "server/gen-int.h"

/* One line for a refused client certificate: who, where, and why. */
static void
gen_client_cert_refused(gnutls_session_t s, const struct hsinfo *hs,
    const char *why)
{
	char		 name[256], lbuf[ENDPOINT_STRLEN], pbuf[ENDPOINT_STRLEN];
	char		*e, *w, *cn;
	size_t		 len = sizeof name;
	unsigned int	 type;
	int		 has_sni;

	has_sni = gnutls_server_name_get(s, name, &len, &type, 0) == 0 &&
	    type == GNUTLS_NAME_DNS && len > 0;
	endpoint_format(&hs->local, lbuf);
	endpoint_format(&hs->peer, pbuf);
	e = escape_str(has_sni ? name : NULL, 0);
	w = escape_str(why, 0);
	cn = escape_str(hs->cc_cn, 0);
	gen_refusal("client certificate refused: client %s on %s%s%s%s: "
	    "%s%s%s%s: handshake refused", pbuf, lbuf,
	    has_sni ? " sni \"" : " without sni", e, has_sni ? "\"" : "", w,
	    hs->cc_cn[0] != '\0' ? " (CN \"" : "", cn,
	    hs->cc_cn[0] != '\0' ? "\")" : "");
	free(e);
	free(w);
	free(cn);
}

/*
 * Verifies the client's certificate against the CA of the binding that
 * gen_post_hello() chose. GnuTLS calls it (the credentials' verify
 * function) whenever a certificate was requested, also when the client
 * sent none, which is how a required one that is missing gets its log
 * line here. In TLS 1.2 it runs before the client's CertificateVerify,
 * in TLS 1.3 after it: either way the handshake completes only when the
 * client also proved it holds the key. Both policies refuse a
 * certificate that does not verify; optional only lets a client send
 * none.
 */
int
gen_verify_client(gnutls_session_t s)
{
	struct hsinfo			*hs = gnutls_session_get_ptr(s);
	struct gen			*g = hs->gen;
	const struct config_binding	*b;
	const struct clientca		*ca;
	const gnutls_datum_t		*chain;
	unsigned int			 n = 0;
	char				*why = NULL;

	if (hs->ch != NULL || hs->binding < 0 ||
	    (size_t)hs->binding >= g->nbindings ||
	    (ca = g->bindca[hs->binding]) == NULL)
		return 0;
	b = config_binding(g->cfg, (size_t)hs->binding);
	if ((chain = gnutls_certificate_get_peers(s, &n)) == NULL)
		n = 0;
	hs->cc_sent = n > 0;
	hs->cc_verify = 0;
	hs->cc_cn[0] = '\0';
	if (n == 0 && b->client_auth == CONFIG_CLIENT_AUTH_OPTIONAL)
		return 0;
	if (clientca_verify(ca, chain, n, &hs->cc_verify, hs->cc_cn,
	    sizeof hs->cc_cn, &why) == 0)
		return 0;
	if (!hs->refused++)
		gen_client_cert_refused(s, hs, why);
	free(why);
	if (n != 0)
		return GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
	/* TLS 1.3 has an alert for it; TLS 1.2 says handshake_failure. */
	return gnutls_protocol_get_version(s) == GNUTLS_TLS1_3 ?
	    GNUTLS_E_CERTIFICATE_REQUIRED : GNUTLS_E_INSUFFICIENT_CREDENTIALS;
}

/*
 * A resumed session skips the verify function (GnuTLS runs it only when
 * a certificate was exchanged). On a binding with client_ca, the
 * certificate the ticket carries from the first handshake is verified
 * again, against the CA the binding has now; a ticket without one (made
 * for another binding, or before client_ca was set) is refused like a
 * missing certificate. Run once the client's Finished is in.
 */
static int
gen_resumed_hook(gnutls_session_t s, unsigned int htype, unsigned when,
    unsigned int incoming, const gnutls_datum_t *msg)
{
	if (!incoming || !gnutls_session_is_resumed(s))
		return 0;
	return gen_verify_client(s);
}

/*
 * Once the binding is chosen: a binding with client_ca asks the client
 * for a certificate. Always GNUTLS_CERT_REQUEST, even when required:
 * with GNUTLS_CERT_REQUIRE GnuTLS would refuse a client that sends none
 * before gen_verify_client() could log it. The handshake messages are
 * capped at the chain size certbindd accepts (plus headers), so a larger
 * chain is refused by GnuTLS as it arrives, before it is parsed.
 */
void
gen_client_auth_setup(gnutls_session_t s, struct hsinfo *hs)
{
	if (hs->gen->bindca[hs->binding] == NULL)
		return;
	gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
	gnutls_handshake_set_max_packet_length(s, CLIENTCA_MAX_BYTES +
	    16 * CLIENTCA_MAX_CHAIN + 1024);
	gnutls_handshake_set_hook_function(s, GNUTLS_HANDSHAKE_FINISHED,
	    GNUTLS_HOOK_POST, gen_resumed_hook);
}

/*
 * The client_ca files of the bindings, each distinct file read once
 * (through the keeper after the privilege drop, like the keys) and
 * judged by clientca_load(), the rule certbind check's client-ca
 * finding asks too.
 */
void
gen_load_client_cas(struct gen *g, const char *path, struct errlist *errs)
{
	const struct config_binding	*b;
	char				**paths, *p, *cause = NULL, *e, *obj;
	size_t				 i, j;

	g->bindca = xcalloc(g->nbindings + 1, sizeof *g->bindca);
	g->cas = xcalloc(g->nbindings + 1, sizeof *g->cas);
	paths = xcalloc(g->nbindings + 1, sizeof *paths);
	for (i = 0; i < g->nbindings; i++) {
		b = config_binding(g->cfg, i);
		if (b->client_ca == NULL)
			continue;
		p = config_resolve_path(g->cfg, b->client_ca);
		for (j = 0; j < g->ncas; j++)
			if (strcmp(paths[j], p) == 0)
				break;
		if (j < g->ncas) {
			g->bindca[i] = g->cas[j];
			free(p);
			continue;
		}
		paths[g->ncas] = p;
		if (clientca_load(p, time(NULL), &g->cas[g->ncas],
		    &cause) != 0) {
			e = escape_str(b->key, 0);
			obj = escape_str(b->sni, 0);
			errlist_add(errs, "%s:%d: the binding of key \"%s\"%s%s"
			    "%s: client_ca: %s", path, b->line, e,
			    b->sni != NULL ? " sni \"" : "", obj,
			    b->sni != NULL ? "\"" : "", cause);
			free(e);
			free(obj);
			free(cause);
			cause = NULL;
			g->cas[g->ncas] = NULL;
		}
		g->bindca[i] = g->cas[g->ncas++];
	}
	for (i = 0; i < g->ncas; i++)
		free(paths[i]);
	free(paths);
}
