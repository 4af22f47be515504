/*
 * server.metrics (issue 14): the rule (config_metrics_check: a concrete
 * endpoint on 127.0.0.0/8 or [::1]), the loader's refusals with the
 * file, the line and the value, and serialize -> parse and config_dup
 * keeping the setting.
 */

#include <sys/types.h>
#include <sys/socket.h>

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

static void
test_rule(void **state)
{
	static const char *const good[] = { "127.0.0.1:9443",
	    "127.1.2.3:1", "127.255.255.255:65535", "[::1]:9443",
	    "[0:0:0:0:0:0:0:1]:80",
	    "[::ffff:127.0.0.1]:9443" /* read as IPv4 */ };
	static const char *const bad[] = { "192.0.2.1:9443", "0.0.0.0:9443",
	    "[::]:9443", "[::2]:9443",
	    "128.0.0.1:9443", "*:9443", "127.0.0.1:*", "*:*" };
	struct endpoint	 ep;
	char		*cause;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		unit_ep_of(good[i], &ep);
		cause = NULL;
		if (config_metrics_check(&ep, &cause) != 0)
			fail_msg("%s refused: %s", good[i], cause);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		unit_ep_of(bad[i], &ep);
		cause = NULL;
		if (config_metrics_check(&ep, &cause) == 0)
			fail_msg("%s accepted", bad[i]);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "metrics"));
		free(cause);
		assert_int_equal(config_metrics_check(&ep, NULL), -1);
	}
}

static const char conf_fmt[] =
    "version = 1;\n"					/* 1 */
    "server = {\n"					/* 2 */
    "  listen = ( { endpoint = \"127.0.0.1:8443\"; "
    "backend = \"127.0.0.1:8080\"; } );\n"		/* 3 */
    "  metrics = \"%s\";\n"				/* 4 */
    "};\n";

static char *
conf(const char *metrics)
{
	char	*t;
	size_t	 n = sizeof conf_fmt + strlen(metrics);

	t = malloc(n);
	assert_non_null(t);
	snprintf(t, n, conf_fmt, metrics);
	return t;
}

static void
test_load(void **state)
{
	const struct config_server	*sv;
	struct config			*cf, *cf2, *dup;
	struct endpoint			 want;
	char				*t, *text;

	(void)state;
	/* Without the setting: none. */
	cf = unit_load("version = 1;\nserver = { };\n");
	sv = config_server(cf);
	assert_non_null(sv);
	assert_int_equal(sv->has_metrics, 0);
	text = config_serialize(cf);
	assert_null(strstr(text, "metrics"));
	free(text);
	config_free(cf);

	t = conf("[::1]:9443");
	cf = unit_load(t);
	free(t);
	sv = config_server(cf);
	assert_int_equal(sv->has_metrics, 1);
	unit_ep_of("[::1]:9443", &want);
	assert_int_equal(endpoint_cmp(&sv->metrics, &want), 0);

	text = config_serialize(cf);
	assert_non_null(strstr(text, "  metrics = \"[::1]:9443\";\n"));
	cf2 = unit_load(text);
	free(text);
	assert_int_equal(config_server(cf2)->has_metrics, 1);
	assert_int_equal(endpoint_cmp(&config_server(cf2)->metrics, &want),
	    0);
	dup = config_dup(cf2);
	assert_int_equal(config_server(dup)->has_metrics, 1);
	assert_int_equal(endpoint_cmp(&config_server(dup)->metrics, &want),
	    0);
	config_free(dup);
	config_free(cf2);
	config_free(cf);
}

static void
refused(const char *value, const char *want)
{
	char	*t, *errs;

	t = conf(value);
	errs = unit_load_errors(t);
	free(t);
	if (errs == NULL)
		fail_msg("metrics = \"%s\" loaded", value);
	if (strstr(errs, "test.conf:4:") == NULL ||
	    strstr(errs, want) == NULL)
		fail_msg("metrics = \"%s\": %s (want line 4 and \"%s\")",
		    value, errs, want);
	free(errs);
}

static void
test_refused(void **state)
{
	(void)state;
	refused("192.0.2.7:9443", "192.0.2.7:9443 is not a loopback");
	refused("[2001:db8::1]:9443", "[2001:db8::1]:9443 is not a loopback");
	refused("*:9443", "'*' is not allowed");
	refused("127.0.0.1", "metrics");
	refused("localhost:9443", "metrics");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
