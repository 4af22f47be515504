/*
 * Probing the running certbindd (certbind probe): for each listener, TLS
 * handshakes without SNI and with every SNI name bound there, and the
 * certificate served compared with the one resolver_lookup() predicts.
 * Shared by the probe command and the terminal UI's endpoints pane.
 */
#ifndef CERTBIND_OP_PROBE_H
#define CERTBIND_OP_PROBE_H

#include <stddef.h>

struct config;
struct endpoint;
struct findings;

#define PROBE_TIMEOUT_MS	5000

/*
 * Called for each probe that matched the prediction: object is
 * "ADDRESS:PORT" or "ADDRESS:PORT sni=NAME" (untrusted: escape it), key
 * the key that served (NULL: refused, as the config says), fpr what was
 * served.
 */
typedef void (*probe_ok_fn)(void *arg, const char *object, const char *key,
    const char *fpr);

/*
 * Probes targets[0..n-1], or every listener of cf when n is 0 ("*" is
 * reached on 127.0.0.1), appending not-reloaded (warning),
 * unserved-listener (error) and unreadable (warning: no prediction)
 * findings to fs; their object is "ADDRESS:PORT" or "ADDRESS:PORT sni=NAME".
 * ok (may be NULL) hears of each probe that matched. Blocks for up to
 * timeout_ms per handshake.
 */
void	probe_run(const struct config *cf, const struct endpoint *targets,
	    size_t n, int timeout_ms, probe_ok_fn ok, void *arg,
	    struct findings *fs);

/*
 * probe_run() for one node of a fleet (certbind probe --fleet), reached
 * at the address of addr: a listener on "*" is probed on that address, a
 * listener on that address as it is, and the listeners of other addresses
 * (another node's) not at all; *nprobed (if not NULL) counts the
 * listeners probed. The node is another host: no claim is asked and
 * nothing is refused for not being local.
 */
void	probe_run_at(const struct config *cf, const struct endpoint *addr,
	    int timeout_ms, probe_ok_fn ok, void *arg, struct findings *fs,
	    size_t *nprobed);

/*
 * One TLS handshake to ep with SNI sni (NULL: none) and, if alpn is not
 * NULL, only that ALPN protocol offered: certbind's check that certbindd
 * serves a tls-alpn-01 challenge before it asks the CA to validate. The
 * certificate is not verified. 0 with *fpr the SHA-256 of the leaf
 * served (cert_fingerprint()'s format: lower-case hex with colons),
 * allocated; -1 with *cause ("cannot connect: Connection refused", "the
 * handshake failed: ...", "the server refused the handshake (alert:
 * ...)", "the server did not select acme-tls/1"), allocated. Blocks for
 * up to timeout_ms for the connection and again for the handshake.
 */
int	probe_served(const struct endpoint *ep, const char *sni,
	    const char *alpn, int timeout_ms, char **fpr, char **cause);

/*
 * The name a probe sends for a binding's sni: the name itself, or for a
 * wildcard "*.example.com" one name under it. Allocated.
 */
char	*probe_sni_name(const char *sni);

#endif
