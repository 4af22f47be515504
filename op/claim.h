/*
 * Claims: how one certbindd tells every other process on the host (in its
 * network namespace) which config it runs and which listeners it holds,
 * so that a second certbindd refuses to share them and certbind probe can
 * ask what a listener's state is without sending a packet.
 *
 * The one idea: a claim is a Linux abstract unix socket (no file, so
 * nothing is ever stale: the kernel releases the name when the process
 * that holds it dies) named after what it claims, bound and listen()ed
 * by the certbindd that lives, never by its keeper. Whoever connects to
 * it learns the holder's pid from the kernel (SO_PEERCRED), and reads
 * the holder's answer: a few "NAME VALUE" lines,
 *
 *   pid 1234
 *   config /etc/certbind/certbind.conf
 *   state listening | not-listening
 *   freebind 0 | 1
 *   error Cannot assign requested address      (not-listening only)
 *
 * The names: "certbindd/config/PATH" for the config's real path (or
 * "certbindd/config/sha256:HEX" of it when the path is too long for a
 * socket name), and "certbindd/listen/ENDPOINT" for a listener, ENDPOINT
 * as endpoint_format() writes it ("*:8443", "[::1]:8443").
 *
 * Shared by server/instance.c (which holds and answers claims) and
 * op/probe.c (which asks). Nothing here prints.
 */
#ifndef CERTBIND_OP_CLAIM_H
#define CERTBIND_OP_CLAIM_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

struct endpoint;

#define CLAIM_PREFIX		"certbindd/"
#define CLAIM_CONFIG		"certbindd/config/"
#define CLAIM_LISTEN		"certbindd/listen/"
#define CLAIM_TIMEOUT_MS	2000
#define CLAIM_ANSWER_MAX	4096

/* A claim's abstract socket address. */
struct claim_addr {
	struct sockaddr_un	sun;
	socklen_t		len;
	char			name[sizeof ((struct sockaddr_un *)0)->sun_path];
};

/*
 * The claim for the config at path: its real path when it exists, else
 * the path as given (made absolute by the caller). 0, or -1 when the name
 * cannot be made.
 */
int	claim_config_addr(const char *path, struct claim_addr *);
void	claim_listen_addr(const struct endpoint *, struct claim_addr *);

/* What the holder of a claim said about itself; strings untrusted. */
struct claim_holder {
	pid_t	 pid;		/* from the kernel: SO_PEERCRED */
	uid_t	 uid;		/* the same */
	char	 config[4096];	/* "" when it did not answer */
	char	 state[32];	/* "listening", "not-listening", or "" */
	int	 freebind;
	char	 error[256];
};

/*
 * Asks the holder of a claim. 1 with *h filled when it is held, 0 when
 * nothing holds it, -1 when it cannot tell (errno). Waits for the answer
 * up to timeout_ms; a holder that does not answer still has its pid and
 * uid filled in.
 */
int	claim_query(const struct claim_addr *, int timeout_ms,
	    struct claim_holder *h);

/*
 * The answer a holder writes to a connection (allocated): state NULL for
 * a config claim, error NULL when there is none.
 */
char	*claim_answer(const char *config, const char *state, int freebind,
	    const char *error);

#endif
