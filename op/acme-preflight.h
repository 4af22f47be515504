/*
 * The preflight: before certbind asks a CA to validate a domain, it
 * resolves the domain as the CA will (getaddrinfo) and asks the
 * resolution model whether the connection the CA makes will reach
 * something that can answer:
 * - tls-alpn-01: a certbindd listener in the config covers ADDRESS:PORT
 *   (PORT = acme.challenge_tls_port, default 443) and ADDRESS is this
 *   host's (getifaddrs, loopback included);
 * - http-01 standalone: ADDRESS is this host's, and no certbindd listener
 *   in the config holds ADDRESS:PORT (the responder could not bind);
 * - http-01 with a webroot, dns-01: nothing to check locally (OK).
 * A domain that does not resolve here is a warning, never a refusal: the
 * CA's resolver may see other records (split horizon, a test CA's DNS).
 */
#ifndef CERTBIND_OP_ACME_PREFLIGHT_H
#define CERTBIND_OP_ACME_PREFLIGHT_H

struct config;

enum preflight_verdict {
	PREFLIGHT_OK = 0,
	PREFLIGHT_UNRESOLVED,	/* a warning: the name does not resolve here */
	PREFLIGHT_UNREACHABLE	/* refused: finding acme-unreachable */
};

struct preflight_result {
	enum preflight_verdict	 verdict;
	/*
	 * One sentence naming the domain, the address and what is missing
	 * ("www.example.com resolves to 10.56.65.201, and no listener in
	 * the config covers 10.56.65.201:443: the CA's tls-alpn-01
	 * connection would not reach certbindd"), or saying what answers.
	 * Quotes the domain: escape before showing. Allocated.
	 */
	char			*message;
};

/*
 * Checks one domain for challenge ("tls-alpn-01", "http-01", "dns-01");
 * webroot non-zero when http-01 is answered by a webroot; port the port
 * the CA connects to. A wildcard domain ("*.example.com") is only valid
 * with dns-01 (PREFLIGHT_UNREACHABLE otherwise, saying so).
 */
void	preflight_domain(const struct config *, const char *domain,
	    const char *challenge, int webroot, int port,
	    struct preflight_result *);
void	preflight_result_free(struct preflight_result *);

#endif
