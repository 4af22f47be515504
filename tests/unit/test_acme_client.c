/*
 * op/acme-client.c's causes: what certbind says when the CA refuses, read
 * from problem documents parsed by op/acme-json.c. Rate limits name the
 * time to retry; subproblems name their identifiers; untrusted text is
 * kept raw (the front end escapes it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "op/acme-client.h"
#include "op/acme-json.h"

/* 2026-12-01T10:30:00Z */
#define T1	((time_t)1796121000)

static char *
cause_of(const char *json, time_t retry)
{
	struct acme_problem	 p;
	char			*why = NULL, *s;

	assert_int_equal(acme_parse_problem(json, strlen(json), &p, &why), 0);
	s = acme_problem_cause("creating the order", &p, retry);
	acme_problem_free(&p);
	return s;
}

static void
test_problem_causes(void **state)
{
	static const struct {
		const char	*json;
		time_t		 retry;
		const char	*want;
	} t[] = {
		{ "{\"type\":\"urn:ietf:params:acme:error:rateLimited\","
		  "\"detail\":\"too many certificates for example.com\","
		  "\"status\":429}", T1,
		  "creating the order: the CA refused it (rateLimited): too "
		  "many certificates for example.com; the CA asks to retry "
		  "after 2026-12-01 10:30:00 UTC" },
		{ "{\"type\":\"urn:ietf:params:acme:error:malformed\"}", 0,
		  "creating the order: the CA refused it (malformed)" },
		{ "{\"type\":\"urn:ietf:params:acme:error:rejectedIdentifier\","
		  "\"detail\":\"policy forbids\",\"subproblems\":[{\"type\":"
		  "\"urn:ietf:params:acme:error:caa\",\"detail\":\"CAA "
		  "forbids\",\"identifier\":{\"type\":\"dns\",\"value\":"
		  "\"a.example\"}}]}", 0,
		  "creating the order: the CA refused it (rejectedIdentifier): "
		  "policy forbids; a.example: caa: CAA forbids" },
		{ "{\"type\":\"urn:ietf:params:acme:error:unauthorized\","
		  "\"detail\":\"\\u001b[31mred\"}", 0,
		  "creating the order: the CA refused it (unauthorized): "
		  "\033[31mred" },
	};
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		s = cause_of(t[i].json, t[i].retry);
		assert_string_equal(s, t[i].want);
		free(s);
	}
}

static void
test_client_refuses_http(void **state)
{
	struct acme_client	*cl = NULL;
	char			*cause = NULL;

	assert_int_equal(acme_client_new("http://127.0.0.1:1/dir", NULL, &cl,
	    &cause), -1);
	assert_null(cl);
	assert_non_null(strstr(cause, "is not https://"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_problem_causes),
		cmocka_unit_test(test_client_refuses_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
