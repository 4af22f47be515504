/*
 * Where ACME keeps its files in the store, shared by certbind (which
 * writes them) and certbindd (which serves the tls-alpn-01 challenges).
 * Relative paths: resolve them with config_resolve_path().
 */
#ifndef CERTBIND_OP_ACME_PATHS_H
#define CERTBIND_OP_ACME_PATHS_H

/* The per-key state: ACME_STATE_DIR/NAME.json. */
#define ACME_STATE_DIR		"acme/state"
/*
 * The tls-alpn-01 challenges pending now: ACME_ALPN_DIR/DOMAIN.pem holds
 * the challenge certificate and then its private key. certbind sends
 * ACME_ALPN_SIGNAL to certbindd after changing the directory; certbindd
 * then re-reads the directory, and nothing else.
 */
#define ACME_ALPN_DIR		"acme/tls-alpn-01"
#define ACME_ALPN_SIGNAL	SIGUSR2
#define ACME_ALPN_SUFFIX	".pem"
/* The ALPN protocol id of RFC 8737. */
#define ACME_ALPN_PROTOCOL	"acme-tls/1"

#endif
