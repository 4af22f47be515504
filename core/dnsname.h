/*
 * DNS names: the one rule for a host name certbind accepts, wherever it is
 * given. A binding's sni (config file, certbind bind, the terminal UI) and
 * an alternative name in a request or certificate are checked by the same
 * function, so a name certbind serves is a name a CA would sign, and
 * certbind, certbindd and the key writer cannot disagree about it.
 */
#ifndef CERTBIND_DNSNAME_H
#define CERTBIND_DNSNAME_H

/* RFC 1035: a name of at most 253 characters, labels of 1 to 63. */
#define DNSNAME_MAX		253
#define DNSNAME_LABEL_MAX	63

/* A leading "*." label is allowed (a wildcard sni or alternative name). */
#define DNSNAME_WILDCARD	0x1

/*
 * Whether name is a host name: labels of letters, digits and '-' (not at
 * either end of a label), separated by single dots, no trailing dot, at
 * most DNSNAME_MAX characters, and a last label that is not all digits
 * (no top-level domain is, and "10.0.0.1" is an address, not a name).
 * With DNSNAME_WILDCARD the first label may be "*" alone, followed by at
 * least two labels ("*.example.com", never "*.com"). Case does not matter.
 *
 * Returns 0, or -1 with *cause (if not NULL) set to an allocated sentence
 * saying what is wrong with the name, without the name itself: the caller
 * puts the name and where it came from in front ("bad sni 'x': ...").
 */
int	 dnsname_check(const char *name, int flags, char **cause);

#endif
