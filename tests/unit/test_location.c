/*
 * Config locations (op/location.c) without etcd: what is an etcd location
 * and what is not, the prefix's rules, a path location (no checkout, a
 * push that does nothing), and the keys the messages name. Reading and
 * writing etcd is tests/fleet/t-location.sh's, against a real cluster.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "op/location.h"

static void
parse_ok(const char *spec, const char *endpoints, const char *prefix)
{
	char	*e = NULL, *p = NULL, *cause = NULL;

	assert_int_equal(location_parse(spec, &e, &p, &cause), 0);
	assert_string_equal(e, endpoints);
	assert_string_equal(p, prefix);
	free(e);
	free(p);
}

static void
parse_bad(const char *spec, const char *why)
{
	char	*e = NULL, *p = NULL, *cause = NULL;

	assert_int_equal(location_parse(spec, &e, &p, &cause), -1);
	assert_null(e);
	assert_null(p);
	assert_non_null(cause);
	assert_non_null(strstr(cause, why));
	free(cause);
}

static void
test_parse(void **state)
{
	(void)state;
	assert_true(location_is_etcd("etcd://a:1/p"));
	assert_false(location_is_etcd("/etc/certbind/certbind.conf"));
	assert_false(location_is_etcd("etcd:/a:1/p"));
	parse_ok("etcd://127.0.0.1:2379/certbind", "127.0.0.1:2379",
	    "/certbind");
	parse_ok("etcd://a:1,b:2,[::1]:3/certbind/prod/", "a:1,b:2,[::1]:3",
	    "/certbind/prod");
	parse_ok("etcd://a:1/x.y_z-1", "a:1", "/x.y_z-1");
	parse_bad("etcd://a:1", "etcd://HOST:PORT");
	parse_bad("etcd:///p", "etcd://HOST:PORT");
	parse_bad("etcd://a:1/", "the prefix must be");
	parse_bad("etcd://a:1/../etc", "the prefix must be");
	parse_bad("etcd://a:1/p//q", "the prefix must be");
	parse_bad("etcd://a:1/p/./q", "the prefix must be");
	parse_bad("etcd://a:1/.hidden", "the prefix must be");
	parse_bad("etcd://a:1/sp ace", "the prefix must be");
	parse_bad("/a/file", "not an etcd");
}

static void
test_key(void **state)
{
	char	*k;

	(void)state;
	k = location_key("/certbind/prod", "files/keys/www.key");
	assert_string_equal(k, "/certbind/prod/files/keys/www.key");
	free(k);
}

static void
test_path_location(void **state)
{
	struct location	*l = NULL;
	char		*cause = NULL;
	unsigned	 n = 7;

	(void)state;
	assert_int_equal(location_open("/nonexistent/certbind.conf",
	    LOCATION_HISTORY, &l, &cause), 0);
	assert_non_null(l);
	assert_string_equal(location_path(l), "/nonexistent/certbind.conf");
	assert_string_equal(location_spec(l), "/nonexistent/certbind.conf");
	assert_false(location_remote(l));
	assert_null(location_dir(l));
	assert_null(location_etcd(l));
	assert_int_equal(location_revision(l), 0);
	assert_int_equal(location_push(l, &n, &cause), LOCATION_PUSHED);
	assert_int_equal(n, 0);
	assert_int_equal(location_refresh(l, 0, &cause), 1);
	assert_int_equal(location_restore_files(l, 1, &cause), 0);
	/* A path's messages stay as they are. */
	assert_null(location_rename(l, "/nonexistent/certbind.conf:3: x"));
	location_close(l);
	/* NULL is "no location", as for a command that opened none. */
	assert_false(location_remote(NULL));
	assert_int_equal(location_push(NULL, NULL, &cause), LOCATION_PUSHED);
}

static void
test_unreachable(void **state)
{
	struct location	*l = NULL;
	char		*cause = NULL;

	(void)state;
	/* Port 1 on the loopback: refused at once, and named. */
	assert_int_equal(location_open("etcd://127.0.0.1:1/p", 0, &l,
	    &cause), -1);
	assert_null(l);
	assert_non_null(strstr(cause, "http://127.0.0.1:1"));
	free(cause);
	cause = NULL;
	/* Clear text beyond the loopback is refused before any request. */
	unsetenv("CERTBIND_ETCD_INSECURE");
	unsetenv("CERTBIND_ETCD_CA");
	assert_int_equal(location_open("etcd://192.0.2.1:2379/p", 0, &l,
	    &cause), -1);
	assert_non_null(strstr(cause, "plain http"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_path_location),
		cmocka_unit_test(test_unreachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
