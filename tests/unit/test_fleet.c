/*
 * op/fleet.c: a node's record encoded and parsed back, the records that
 * are refused (each with a cause that quotes nothing of the record), the
 * node names, and which nodes are behind, as tables of cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "op/fleet.h"

static void
test_round_trip(void **state)
{
	struct fleet_node	 n = { 0 }, back;
	char			*json, *cause = NULL;

	(void)state;
	n.name = "web1";
	n.address = "127.0.0.21";
	n.host = "web1.example.com";
	n.pid = 4242;
	n.version = "0.1.0";
	n.revision = 17;
	n.loaded = 1796200000;
	n.generation = 3;
	n.refused_revision = 19;
	n.refused = "config line 4: syntax error";
	json = fleet_node_encode(&n);
	assert_non_null(json);
	/* The name is the key's, not the record's. */
	assert_null(strstr(json, "web1\""));
	assert_int_equal(fleet_node_parse("web1", json, strlen(json), &back,
	    &cause), 0);
	assert_null(cause);
	assert_string_equal(back.name, "web1");
	assert_string_equal(back.address, "127.0.0.21");
	assert_string_equal(back.host, "web1.example.com");
	assert_int_equal(back.pid, 4242);
	assert_string_equal(back.version, "0.1.0");
	assert_int_equal(back.revision, 17);
	assert_int_equal(back.loaded, 1796200000);
	assert_int_equal(back.generation, 3);
	assert_int_equal(back.refused_revision, 19);
	assert_string_equal(back.refused, "config line 4: syntax error");
	fleet_node_clear(&back);
	free(json);

	/* No address, nothing refused: both come back empty. */
	n.address = NULL;
	n.refused_revision = 0;
	n.refused = NULL;
	json = fleet_node_encode(&n);
	assert_non_null(json);
	assert_null(strstr(json, "refused"));
	assert_int_equal(fleet_node_parse("web1", json, strlen(json), &back,
	    &cause), 0);
	assert_null(back.address);
	assert_null(back.refused);
	assert_int_equal(back.refused_revision, 0);
	fleet_node_clear(&back);
	free(json);

	/* Control characters survive the trip raw; the front ends escape. */
	n.host = "evil\033[2J\x07host";
	json = fleet_node_encode(&n);
	assert_int_equal(fleet_node_parse("x", json, strlen(json), &back,
	    &cause), 0);
	assert_string_equal(back.host, "evil\033[2J\x07host");
	fleet_node_clear(&back);
	free(json);
}

static void
test_parse_minimal_and_unknown(void **state)
{
	struct fleet_node	 n;
	char			*cause = NULL;
	const char		*j = "{\"revision\":5,\"loaded\":100,"
	    "\"future\":{\"a\":[1,2]},\"address\":null}";

	(void)state;
	assert_int_equal(fleet_node_parse("a", j, strlen(j), &n, &cause), 0);
	assert_int_equal(n.revision, 5);
	assert_int_equal(n.loaded, 100);
	assert_null(n.address);
	assert_null(n.host);
	assert_int_equal(n.pid, 0);
	fleet_node_clear(&n);
}

static void
test_parse_bad(void **state)
{
	static const struct {
		const char	*json;
		const char	*cause;		/* a part of it */
	} bad[] = {
		{ "", "not JSON" },
		{ "SECRET", "not JSON" },
		{ "[1]", "not a JSON object" },
		{ "\"SECRET\"", "not a JSON object" },
		{ "{}", "no revision" },
		{ "{\"revision\":1}", "no loaded" },
		{ "{\"loaded\":1}", "no revision" },
		{ "{\"revision\":\"SECRET\",\"loaded\":1}",
		    "revision is not an integer" },
		{ "{\"revision\":-1,\"loaded\":1}", "revision is negative" },
		{ "{\"revision\":1.5,\"loaded\":1}", "not an integer" },
		{ "{\"revision\":1,\"loaded\":1,\"pid\":true}",
		    "pid is not an integer" },
		{ "{\"revision\":1,\"loaded\":1,\"address\":7}",
		    "address is not a string" },
		/* jansson refuses \u0000 itself. */
		{ "{\"revision\":1,\"loaded\":1,\"host\":\"a\\u0000SECRET\"}",
		    "not JSON" },
		{ "{\"revision\":1,\"loaded\":1,\"refused\":[\"SECRET\"]}",
		    "refused is not a string" },
		{ "{\"revision\":1,\"loaded\":1,\"generation\":-2}",
		    "generation is negative" },
		{ "{\"revision\":1,\"revision\":2,\"loaded\":1}", "not JSON" },
		{ "{\"revision\":1,\"loaded\":1} trailing", "not JSON" },
	};
	struct fleet_node	 n;
	char			*cause, *big;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (fleet_node_parse("a", bad[i].json, strlen(bad[i].json),
		    &n, &cause) != -1)
			fail_msg("case %zu parsed: %s", i, bad[i].json);
		assert_non_null(cause);
		if (strstr(cause, bad[i].cause) == NULL)
			fail_msg("case %zu: cause '%s' lacks '%s'", i, cause,
			    bad[i].cause);
		/* The cause quotes nothing of the record. */
		assert_null(strstr(cause, "SECRET"));
		assert_null(n.name);
		assert_null(n.host);
		free(cause);
	}

	/* Too long, as a whole and as one string. */
	big = malloc(70000);
	memset(big, ' ', 69999);
	big[69999] = '\0';
	memcpy(big, "{\"revision\":1,\"loaded\":1}", 25);
	cause = NULL;
	assert_int_equal(fleet_node_parse("a", big, strlen(big), &n, &cause),
	    -1);
	assert_non_null(strstr(cause, "longer"));
	free(cause);
	memset(big, 'x', 69999);
	memcpy(big, "{\"revision\":1,\"loaded\":1,\"host\":\"", 33);
	memcpy(big + 5000, "\"}", 3);
	cause = NULL;
	assert_int_equal(fleet_node_parse("a", big, strlen(big), &n, &cause),
	    -1);
	if (strstr(cause, "host is longer") == NULL)
		fail_msg("cause: %s", cause);
	free(cause);
	free(big);
}

static void
test_names(void **state)
{
	static const char *good[] = {
		"a", "web1", "web-1.example_com", "A.B", "0", "x.",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	static const char *bad[] = {
		"", ".hidden", "a/b", "a b", "caf\xc3\xa9", "a\033", "..",
		"01234567890123456789012345678901234567890123456789012345678901234",
	};
	char	*cause, *d;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cause = NULL;
		if (fleet_node_name_check(good[i], &cause) != 0)
			fail_msg("'%s' refused: %s", good[i], cause);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (fleet_node_name_check(bad[i], &cause) != -1)
			fail_msg("bad name %zu accepted", i);
		assert_non_null(cause);
		free(cause);
	}
	assert_int_equal(fleet_node_name_check("..", NULL), -1);
	d = fleet_default_node_name();
	assert_int_equal(fleet_node_name_check(d, NULL), 0);
	free(d);
}

static void
test_behind(void **state)
{
	static const struct {
		int64_t	 content, node;
		int	 behind;
	} cases[] = {
		{ 10, 10, 0 },
		{ 10, 9, 1 },
		{ 10, 1, 1 },
		{ 10, 12, 0 },	/* a node ahead of this read: not behind */
		{ 0, 0, 0 },	/* no config yet */
		{ 5, 0, 1 },	/* a node that serves nothing */
	};
	struct fleet_status	 st;
	struct fleet_node	 n;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(&st, 0, sizeof st);
		memset(&n, 0, sizeof n);
		st.content_revision = cases[i].content;
		n.revision = cases[i].node;
		if (fleet_node_behind(&st, &n) != cases[i].behind)
			fail_msg("case %zu: behind is not %d", i,
			    cases[i].behind);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_parse_minimal_and_unknown),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_behind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
