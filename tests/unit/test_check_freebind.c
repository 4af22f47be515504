/*
 * address-not-local and freebind (core/check.c, issue 12): a listener
 * with freebind = true on an address this host does not have is a
 * standby address, reported as info; so is a binding that such a
 * listener serves. Without freebind, both stay warnings; a binding on
 * another standby address or port stays a warning too.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "op/check.h"
#include "core/config.h"
#include "tests/unit/unit.h"

static void
dump(const struct findings *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		print_message("#   %s %s %s: %s\n",
		    severity_name(f->v[i].severity), f->v[i].code,
		    f->v[i].object, f->v[i].message);
}

static void
run(const char *text, int offline, struct findings *f)
{
	struct config		*cfg = unit_load(text);
	struct check_opts	 opts;

	check_opts_default(&opts);
	opts.offline = offline;
	opts.files = 0;
	check_config(cfg, &opts, f);
	config_free(cfg);
}

/* The severity of the address-not-local finding whose object is obj. */
static int
sev_of(const struct findings *f, const char *obj)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].code, F_ADDRESS_NOT_LOCAL) == 0 &&
		    strcmp(f->v[i].object, obj) == 0) {
			assert_true(strlen(f->v[i].message) > 10);
			return (int)f->v[i].severity;
		}
	}
	return -1;
}

/* Whether this host could bind addr: then the test means nothing. */
static int
local4(const char *addr)
{
	struct sockaddr_in	sin;
	int			s, r;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin.sin_addr);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	r = bind(s, (struct sockaddr *)&sin, sizeof sin);
	close(s);
	return r == 0;
}

static const char text[] = "version = 1;\n"
    "server = { listen = (\n"
    "  { endpoint = \"192.0.2.10:443\"; backend = \"127.0.0.1:8080\";"
    " freebind = true; },\n"
    "  { endpoint = \"192.0.2.11:443\"; backend = \"127.0.0.1:8080\"; },\n"
    "  { endpoint = \"127.0.0.2:443\"; backend = \"127.0.0.1:8080\"; }\n"
    "); };\n"
    "keys = (\n"
    "  { name = \"site\"; key = \"site.key\"; cert = \"site.pem\"; },\n"
    "  { name = \"www\"; key = \"www.key\"; cert = \"www.pem\"; }\n"
    ");\n"
    "bindings = (\n"
    "  { key = \"site\"; endpoint = \"192.0.2.10:443\"; },\n"
    "  { key = \"site\"; endpoint = \"192.0.2.10:*\"; sni = \"a.example\"; },\n"
    "  { key = \"site\"; endpoint = \"192.0.2.10:8443\"; },\n"
    "  { key = \"www\"; endpoint = \"192.0.2.11:443\"; },\n"
    "  { key = \"www\"; endpoint = \"127.0.0.2:443\"; }\n"
    ");\n";

static void
test_freebind_info(void **state)
{
	struct findings	f = FINDINGS_INIT;

	if (local4("192.0.2.10") != 0 || local4("192.0.2.11") != 0) {
		skip();
		return;
	}
	run(text, 0, &f);
	if (sev_of(&f, "192.0.2.10:443") != SEV_INFO) {
		dump(&f);
		fail_msg("a freebind listener's address-not-local is not info");
	}
	if (sev_of(&f, "192.0.2.11:443") != SEV_WARNING) {
		dump(&f);
		fail_msg("a plain listener's address-not-local is not a "
		    "warning");
	}
	assert_int_equal(sev_of(&f, "site@192.0.2.10:443"), SEV_INFO);
	assert_int_equal(sev_of(&f, "site@192.0.2.10:*,sni=a.example"),
	    SEV_INFO);
	/* No freebind listener on that port: nothing receives it. */
	assert_int_equal(sev_of(&f, "site@192.0.2.10:8443"), SEV_WARNING);
	assert_int_equal(sev_of(&f, "www@192.0.2.11:443"), SEV_WARNING);
	assert_int_equal(sev_of(&f, "www@127.0.0.2:443"), -1);
	assert_int_equal(sev_of(&f, "127.0.0.2:443"), -1);
	findings_clear(&f);

	/* Offline: the host is not asked, freebind or not. */
	run(text, 1, &f);
	assert_int_equal(sev_of(&f, "192.0.2.10:443"), -1);
	assert_int_equal(sev_of(&f, "192.0.2.11:443"), -1);
	findings_clear(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_freebind_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
