/*
 * Small things every file of keys/ needs the same way (keyutil.h).
 */
#include <stdarg.h>
#include <stdlib.h>

#include <gnutls/gnutls.h>

#include "util/escape.h"
#include "util/xmalloc.h"
#include "keys/keyutil.h"

char *
keyutil_pk_name(int pk, unsigned bits)
{
	switch (pk) {
	case GNUTLS_PK_RSA:
		return xstrdup("RSA");
	case GNUTLS_PK_RSA_PSS:
		return xstrdup("RSA-PSS");
	case GNUTLS_PK_DSA:
		return xstrdup("DSA");
	case GNUTLS_PK_ECDSA:
		/* Every NIST curve GnuTLS knows has its own size. */
		return xasprintf("ECDSA P-%u", bits);
	case GNUTLS_PK_EDDSA_ED25519:
		return xstrdup("Ed25519");
	case GNUTLS_PK_EDDSA_ED448:
		return xstrdup("Ed448");
	default:
		if (pk > 0 && gnutls_pk_get_name(pk) != NULL)
			return xstrdup(gnutls_pk_get_name(pk));
		return xstrdup("unknown");
	}
}

char *
keyutil_cause(const char *name, const char *fmt, ...)
{
	va_list	 ap;
	char	*e, *msg, *s;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	e = escape_str(name, 0);
	s = xasprintf("%s: %s", e, msg);
	free(e);
	free(msg);
	return s;
}
