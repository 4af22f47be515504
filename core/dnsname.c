/*
 * The DNS name rule (see dnsname.h). It is the strict one a CA applies to
 * the names it signs: letters, digits and hyphens only, so "_srv" and
 * "*.com" are refused, because a binding on a name no certificate can
 * carry is a binding that can never serve a valid handshake.
 *
 * The name is read once from left to right; the first thing wrong is the
 * one reported, with the label it is in, so the user sees what to change.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dnsname.h"
#include "util/escape.h"
#include "util/xmalloc.h"

static int
is_ldh(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* Sets *cause to fmt with the label (escaped) as its one %s; returns -1. */
static int
label_fail(char **cause, const char *fmt, const char *label, size_t len)
{
	char	*e;

	if (cause != NULL) {
		e = escape_mem(label, len, 0);
		*cause = xasprintf(fmt, e);
		free(e);
	}
	return -1;
}

static int
fail(char **cause, const char *msg)
{
	if (cause != NULL)
		*cause = xstrdup(msg);
	return -1;
}

/* Whether one label holds only letters, digits and '-'. */
static int
label_chars(const char *label, size_t n, char **cause)
{
	char	 bad[2], *l, *e;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (is_ldh((unsigned char)label[i]))
			continue;
		if (label[i] == '*')
			return fail(cause, "a wildcard may only be the whole "
			    "first label, followed by at least two labels "
			    "(*.example.com)");
		if (cause != NULL) {
			bad[0] = label[i];
			bad[1] = '\0';
			e = escape_str(bad, 0);
			l = escape_mem(label, n, 0);
			*cause = xasprintf("the label '%s' holds '%s': a DNS "
			    "name holds only letters, digits, '-' and '.'", l,
			    e);
			free(l);
			free(e);
		}
		return -1;
	}
	return 0;
}

int
dnsname_check(const char *name, int flags, char **cause)
{
	const char	*p, *label;
	size_t		 len, n, nlabels = 0;
	int		 wildcard = 0;

	if (name == NULL || *name == '\0')
		return fail(cause, "the name is empty");
	if ((len = strlen(name)) > DNSNAME_MAX) {
		if (cause != NULL)
			*cause = xasprintf("the name is %zu characters long, "
			    "and a DNS name has at most %d", len, DNSNAME_MAX);
		return -1;
	}
	p = name;
	if (p[0] == '*' && p[1] == '.') {
		if (!(flags & DNSNAME_WILDCARD))
			return fail(cause, "a wildcard ('*.') is not allowed "
			    "here: give one host name");
		wildcard = 1;
		p += 2;
	}
	for (;;) {
		label = p;
		n = strcspn(label, ".");
		p = label + n;
		if (label_chars(label, n, cause) != 0)
			return -1;
		if (n == 0)
			return fail(cause, "a label is empty (two dots, or a "
			    "dot at the start or end)");
		if (n > DNSNAME_LABEL_MAX)
			return label_fail(cause, "the label '%s' is longer "
			    "than 63 characters", label, n);
		if (label[0] == '-' || label[n - 1] == '-')
			return label_fail(cause, "the label '%s' starts or "
			    "ends with '-'", label, n);
		nlabels++;
		if (*p == '\0')
			break;
		p++;
	}
	/* label is the last one: a name of digits alone is an address. */
	if (strspn(label, "0123456789") == n)
		return label_fail(cause, "the last label '%s' is all digits: "
		    "no top-level domain is (an IP address is not a DNS name)",
		    label, n);
	if (wildcard && nlabels < 2)
		return fail(cause, "a wildcard needs at least two labels after "
		    "'*.' (*.example.com, not *.com)");
	return 0;
}
