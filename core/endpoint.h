/*
 * Endpoints: ADDRESS:PORT where ADDRESS is IPv4, a bracketed IPv6 address or
 * "*" (all unassigned addresses) and PORT is 1-65535 or "*" (all unassigned
 * ports). An endpoint is a plain value: compare it with endpoint_cmp, which
 * works on the canonical binary form, so [0:0:0:0:0:0:0:1] equals [::1].
 */
#ifndef CERTBIND_ENDPOINT_H
#define CERTBIND_ENDPOINT_H

#include <sys/socket.h>
#include <stdint.h>

struct endpoint {
	int		family;		/* AF_INET, AF_INET6, AF_UNSPEC for "*" */
	uint8_t		addr[16];	/* network order; IPv4 in addr[0..3] */
	uint16_t	port;		/* host order; 0 for "*" */
};

/* Long enough for "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535". */
#define ENDPOINT_STRLEN	64

/*
 * Parses text into ep. On error returns -1 and, if cause is not NULL, sets
 * it to an allocated message that quotes the bad text (escaped).
 */
int		 endpoint_parse(const char *text, struct endpoint *ep,
		     char **cause);
/*
 * Parses an IP address alone, the one reading of an address certbind has:
 * "192.0.2.1", "2001:db8::1" or "[2001:db8::1]" (brackets as in an
 * endpoint or a URL; "[192.0.2.1]" is refused). Sets ep's family and
 * address, port 0; an IPv4-mapped IPv6 address stays IPv6, so the bytes
 * are those written. On error returns -1 and, if cause is not NULL, sets
 * it to an allocated message that quotes the text (escaped).
 * endpoint_parse() reads its address part with the same function.
 */
int		 endpoint_parse_addr(const char *text, struct endpoint *ep,
		     char **cause);
/*
 * An address block, "192.0.2.0/24", "2001:db8::/48", or an address alone
 * (all its bits): sets net (the address, port 0) and *bits. The bits
 * under the prefix must be 0 ("192.0.2.1/24" is refused: say which).
 * Returns 0, or -1 with an allocated *cause (if not NULL) quoting text.
 */
int		 endpoint_parse_prefix(const char *text, struct endpoint *net,
		     unsigned *bits, char **cause);
/* Whether ep's address lies in net/bits (the same family only). */
int		 endpoint_in_prefix(const struct endpoint *ep,
		     const struct endpoint *net, unsigned bits);
/* Writes the canonical text form into buf and returns buf. */
const char	*endpoint_format(const struct endpoint *, char *buf);
/* Total order: family, address bytes, port. Returns <0, 0, >0. */
int		 endpoint_cmp(const struct endpoint *, const struct endpoint *);
/* endpoint_cmp() and the order of ports, for qsort() and bsearch(). */
int		 endpoint_qsort_cmp(const void *, const void *);
int		 endpoint_port_qsort_cmp(const void *, const void *);
int		 endpoint_any_addr(const struct endpoint *);
int		 endpoint_any_port(const struct endpoint *);
/* Neither address nor port is "*". */
int		 endpoint_is_concrete(const struct endpoint *);
/*
 * Whether pattern (which may hold "*") covers ep, where "*" in ep means
 * "any": used to ask whether a binding can apply to a listener.
 */
int		 endpoint_overlaps(const struct endpoint *pattern,
		     const struct endpoint *ep);
/* From an accepted socket's local address; v4-mapped IPv6 becomes IPv4. */
int		 endpoint_from_sockaddr(const struct sockaddr *, socklen_t,
		     struct endpoint *);
/*
 * To a sockaddr for bind() or connect(); "*" address becomes the IPv6 any
 * address (dual stack), "*" port becomes 0. Returns the length.
 */
socklen_t	 endpoint_to_sockaddr(const struct endpoint *,
		     struct sockaddr_storage *);
/*
 * Whether this host can bind the endpoint's address: bind() to port 0,
 * where EADDRNOTAVAIL means it cannot. 127.0.0.2 is local on Linux although
 * no interface lists it. "*" is always local. Returns 1, 0, or -1 when the
 * question could not be asked (no socket).
 */
int		 endpoint_addr_is_local(const struct endpoint *);

#endif
