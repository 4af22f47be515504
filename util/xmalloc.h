/*
 * Allocation that cannot fail: running out of memory aborts here, in one
 * place, so that no caller has to carry an error path for it. This is the
 * only abort() in the library.
 */
#ifndef CERTBIND_XMALLOC_H
#define CERTBIND_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

/* Zeroes len bytes with a store the compiler may not remove, then frees. */
void	 freezero(void *, size_t);

#endif
