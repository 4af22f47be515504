/*
 * Allocation wrappers: out of memory is the one failure the library does
 * not report, it aborts here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "util/xmalloc.h"

static void
oom(void)
{
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom();
	if ((p = realloc(p, n * size == 0 ? 1 : n * size)) == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	 buf[512], *s;
	va_list	 ap2;
	int	 len;

	/*
	 * Formatted once on the stack and copied into a block of the exact
	 * size: glibc's vasprintf() starts small and reallocates as it goes,
	 * which costs more than the formatting in certbind check's 100,000
	 * messages. A longer string is formatted a second time, into place.
	 */
	va_copy(ap2, ap);
	len = vsnprintf(buf, sizeof buf, fmt, ap);
	if (len < 0) {
		va_end(ap2);
		oom();
	}
	s = xmalloc((size_t)len + 1);
	if ((size_t)len < sizeof buf)
		memcpy(s, buf, (size_t)len + 1);
	else
		(void)vsnprintf(s, (size_t)len + 1, fmt, ap2);
	va_end(ap2);
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void
freezero(void *p, size_t n)
{
	if (p == NULL)
		return;
	gnutls_memset(p, 0, n);
	free(p);
}
