/*
 * Collected problems: a growing array of owned sentences.
 */
#include <stdarg.h>
#include <stdlib.h>

#include "util/errlist.h"
#include "util/xmalloc.h"

void
errlist_add_owned(struct errlist *el, char *msg)
{
	if (el->n == el->cap) {
		el->cap = el->cap ? el->cap * 2 : 8;
		el->v = xreallocarray(el->v, el->cap, sizeof *el->v);
	}
	el->v[el->n++] = msg;
}

void
errlist_add(struct errlist *el, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	errlist_add_owned(el, xvasprintf(fmt, ap));
	va_end(ap);
}

void
errlist_clear(struct errlist *el)
{
	size_t	 i;

	for (i = 0; i < el->n; i++)
		free(el->v[i]);
	free(el->v);
	el->v = NULL;
	el->n = el->cap = 0;
}
