/*
 * A list of problems collected while reading something, so that one run
 * shows the user all of them (tmux's cfg_add_cause). Each entry is a whole
 * sentence, usually "FILE:LINE: what is wrong".
 */
#ifndef CERTBIND_ERRLIST_H
#define CERTBIND_ERRLIST_H

#include <stddef.h>

struct errlist {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

#define ERRLIST_INIT { NULL, 0, 0 }

void	errlist_add(struct errlist *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Takes ownership of an allocated message. */
void	errlist_add_owned(struct errlist *, char *);
void	errlist_clear(struct errlist *);

#endif
