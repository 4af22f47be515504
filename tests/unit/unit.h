/*
 * Helpers shared by the unit tests (unit.c). Each fails the running test
 * (cmocka's fail_msg) rather than returning an error.
 */
#ifndef CERTBIND_TESTS_UNIT_H
#define CERTBIND_TESTS_UNIT_H

#include <stddef.h>

struct config;
struct endpoint;

/* text parsed as a config named test.conf; the test fails if it does not
 * load. */
struct config	*unit_load(const char *text);
/* text that must not load: all its errors joined by newlines (allocated),
 * or NULL if it loaded. */
char		*unit_load_errors(const char *text);
/* s as the body of a libconfig string literal: control bytes as \xHH. */
char		*unit_lc_quote(const char *s);
/* An endpoint the test knows is valid. */
void		 unit_ep_of(const char *text, struct endpoint *ep);
/* The text after the first "': " of a cause: the reason, not the name. */
const char	*unit_reason_of(const char *cause);
/* n copies of c, allocated. */
char		*unit_repeat(char c, size_t n);

#endif
