/*
 * certbind copy's rule for a path the config writes (op/copy.h
 * copy_rel_path): kept, cleaned, when it stays in the store; brought in
 * (NULL) when it is absolute, climbs out with "..", or names no file.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "op/copy.h"

static const struct {
	const char	*written;
	const char	*kept;		/* NULL: brought into the store */
} cases[] = {
	{ "keys/www.key",		"keys/www.key" },
	{ "www.pem",			"www.pem" },
	{ "./certs/www.pem",		"certs/www.pem" },
	{ "certs//www.pem",		"certs/www.pem" },
	{ "certs/./a/../www.pem",	"certs/www.pem" },
	{ "a/b/../../c.pem",		"c.pem" },
	{ "keys/.hidden",		"keys/.hidden" },
	{ "keys/..key",			"keys/..key" },
	{ "/etc/ssl/www.pem",		NULL },
	{ "/",				NULL },
	{ "../www.pem",			NULL },
	{ "a/../../www.pem",		NULL },
	{ "a/../b/../../c",		NULL },
	{ "",				NULL },
	{ ".",				NULL },
	{ "a/..",			NULL },
	{ "./",				NULL },
};

static void
test_rel_path(void **state)
{
	size_t	 i;
	char	*got;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = copy_rel_path(cases[i].written);
		if (cases[i].kept == NULL && got != NULL)
			fail_msg("'%s' is kept as '%s'; it should be brought "
			    "in", cases[i].written, got);
		if (cases[i].kept != NULL && (got == NULL ||
		    strcmp(got, cases[i].kept) != 0))
			fail_msg("'%s' gives '%s', not '%s'", cases[i].written,
			    got != NULL ? got : "(brought in)", cases[i].kept);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rel_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
