/*
 * Answering http-01 and dns-01 challenges from certbind's own process
 * (tls-alpn-01 is answered by certbindd: op/acme-paths.h).
 *
 * http-01 (RFC 8555 section 8.3): a short-lived responder built on
 * libmicrohttpd that serves GET /.well-known/acme-challenge/TOKEN with the
 * key authorization as text/plain, 404 for anything else; or files written
 * into a webroot that an existing web server already serves.
 *
 * dns-01 (section 8.4): a hook program, run as PROG add FQDN VALUE and
 * PROG remove FQDN VALUE (FQDN "_acme-challenge.DOMAIN."), which returns
 * once the record is published.
 */
#ifndef CERTBIND_OP_ACME_ANSWER_H
#define CERTBIND_OP_ACME_ANSWER_H

#include <stddef.h>

#define HTTP01_PREFIX	"/.well-known/acme-challenge/"

struct http01;
/*
 * Starts the responder on port of every address (IPv6 and IPv4), in its
 * own thread. -1 with *cause naming the port ("port 80 is in use by
 * another program", "binding port 80 needs root").
 */
int	 http01_start(int port, struct http01 **out, char **cause);
/* Serves token's key authorization from now on (thread-safe). */
void	 http01_add(struct http01 *, const char *token, const char *keyauth);
void	 http01_remove(struct http01 *, const char *token);
/* How many challenge requests it answered with 200 (for progress). */
unsigned long http01_served(const struct http01 *);
void	 http01_stop(struct http01 *);

/*
 * Writes WEBROOT/.well-known/acme-challenge/TOKEN (mode 0644, directories
 * made 0755 as needed, atomically) holding keyauth; *path is the file
 * written, for webroot_remove(). The token must be base64url (a CA's token
 * is never a path).
 */
int	 webroot_put(const char *webroot, const char *token,
	    const char *keyauth, char **path, char **cause);
void	 webroot_remove(const char *path);

/* The dns-01 record's name: "_acme-challenge.DOMAIN." (a leading "*." of a
 * wildcard removed). Allocated. */
char	*dns01_fqdn(const char *domain);
/*
 * Runs PROG VERB FQDN VALUE (verb "add" or "remove") without a shell,
 * stdin /dev/null, with at most timeout_s seconds. Its output (stdout and
 * stderr, the first 4 KiB) is returned in *output (allocated, untrusted:
 * escape it before showing). 0 when it exited 0; else -1 and *cause ("the
 * hook exited with status 3", "the hook did not return within 300 s; it
 * was killed").
 */
int	 dns01_hook(const char *prog, const char *verb, const char *fqdn,
	    const char *value, unsigned timeout_s, char **output,
	    char **cause);

#endif
