/*
 * Reloading the running certbindd (certbind reload): finding it through
 * server.pidfile, signalling it, and probing until what it serves is what
 * the config predicts. The ACME client uses certbindd_signal() too, to
 * tell certbindd that a tls-alpn-01 challenge changed (ACME_ALPN_SIGNAL).
 */
#ifndef CERTBIND_OP_RELOAD_H
#define CERTBIND_OP_RELOAD_H

#include <sys/types.h>
#include <stddef.h>

#include "op/probe.h"

struct config;
struct findings;

/* The time certbind reload waits for what is served to match. */
#define RELOAD_VERIFY_MS	10000

/*
 * The pid of the running certbindd named by server.pidfile: the file
 * exists, holds a number, the process is alive and its /proc/PID/comm
 * is certbindd. 0, or -1 with an allocated *cause saying which check
 * failed ("no server.pidfile in CONFIG", "PIDFILE names pid 123, which
 * is not running: is certbindd started?", ...).
 */
int	certbindd_pid(const struct config *, pid_t *pid, char **cause);
/* certbindd_pid(), then kill(pid, sig). 0, or -1 with *cause. */
int	certbindd_signal(const struct config *, int sig, char **cause);
/*
 * After a reload: probes every listener of cfg (probe_run) until what is
 * served matches cfg's prediction or timeout_ms has passed, a round then
 * a short sleep; a handshake waits no longer than the time left, and no
 * round starts with less than a second left, so the whole takes about
 * timeout_ms at most. ok (may be NULL) hears of the matched probes of
 * the last round only, and that round's findings are appended to fs (none
 * when everything matched). Returns the number of findings appended.
 */
size_t	reload_verify(const struct config *, int timeout_ms, probe_ok_fn ok,
	    void *arg, struct findings *fs);

/*
 * Whether a running certbindd serves after differently from before once
 * it reloads: listeners, bindings, bound keys or server settings changed
 * (a pending or unbound key, an acme block or the acme group change
 * nothing a client sees). before NULL: a new config, yes.
 */
int	reload_needed(const struct config *before, const struct config *after);

#endif
