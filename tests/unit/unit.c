/*
 * What the unit tests share (unit.h): a config made from text, the
 * errors of a text that must not load, and small builders. Linked into
 * every test program (the Makefile's UNIT_HELPER_SRC).
 */
#include <sys/types.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "tests/unit/unit.h"
#include "util/errlist.h"
#include "util/xmalloc.h"

struct config *
unit_load(const char *text)
{
	struct config	*cfg = NULL;
	struct errlist	 errs = ERRLIST_INIT;
	size_t		 i;

	if (config_parse(text, strlen(text), "test.conf", &cfg, &errs) != 0) {
		for (i = 0; i < errs.n; i++)
			print_error("%s\n", errs.v[i]);
		fail_msg("config_parse failed on:\n%s", text);
	}
	errlist_clear(&errs);
	assert_non_null(cfg);
	return cfg;
}

/*
 * Loads text that must fail; returns all errors joined by newlines
 * (allocated), so a case can look for its message among them.
 */
char *
unit_load_errors(const char *text)
{
	struct config	*cfg = NULL;
	struct errlist	 errs = ERRLIST_INIT;
	char		*all, *n;
	size_t		 i;

	if (config_parse(text, strlen(text), "test.conf", &cfg, &errs) == 0) {
		config_free(cfg);
		return NULL;
	}
	all = xstrdup("");
	for (i = 0; i < errs.n; i++) {
		n = xasprintf("%s%s\n", all, errs.v[i]);
		free(all);
		all = n;
	}
	errlist_clear(&errs);
	return all;
}

/* s as a libconfig string literal body: control bytes as \xHH. */
char *
unit_lc_quote(const char *s)
{
	char	*out = xmalloc(strlen(s) * 4 + 1), *w = out;

	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\')
			w += sprintf(w, "\\x%02x", (unsigned char)*s);
		else
			*w++ = *s;
	}
	*w = '\0';
	return out;
}

void
unit_ep_of(const char *text, struct endpoint *ep)
{
	char	*cause = NULL;

	if (endpoint_parse(text, ep, &cause) != 0)
		fail_msg("endpoint_parse(%s): %s", text, cause);
}

/* The text after the first "': " of a cause: the reason, without the name. */
const char *
unit_reason_of(const char *cause)
{
	const char	*p;

	assert_non_null(cause);
	p = strstr(cause, "': ");
	if (p == NULL)
		fail_msg("no reason in cause: %s", cause);
	return p + 3;
}

char *
unit_repeat(char c, size_t n)
{
	char	*s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}
