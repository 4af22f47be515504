/*
 * The effect preview (op/effect.c) and the backend (issue 12): a change
 * that moves a connection to another backend is news even when the key
 * and the rule stay, and every line names the backend a connection
 * reaches and whose it is. A table of cases: before, after, the lines
 * wanted (in order).
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
#include "op/effect.h"
#include "tests/unit/unit.h"
#include "util/errlist.h"

#define HEAD	"version = 1;\n" \
	"server = { listen = (\n" \
	"  { endpoint = \"127.0.0.3:8443\"; backend = \"127.0.0.1:8080\"; }\n" \
	"); };\n" \
	"keys = (\n" \
	"  { name = \"www\"; key = \"www.key\"; request = \"www.csr\"; },\n" \
	"  { name = \"api\"; key = \"api.key\"; request = \"api.csr\"; }\n" \
	");\n"

struct effect_case {
	const char	*name;
	const char	*before;	/* bindings */
	const char	*after;
	const char	*want[3];	/* NULL-ended */
};

static const struct effect_case cases[] = {
	{ "the same: no news",
	  "bindings = ( { key = \"www\"; endpoint = \"127.0.0.3:8443\"; } );",
	  "bindings = ( { key = \"www\"; endpoint = \"127.0.0.3:8443\"; } );",
	  { NULL } },
	{ "another key: the listener's backend named",
	  "bindings = ( { key = \"www\"; endpoint = \"127.0.0.3:8443\"; } );",
	  "bindings = ( { key = \"api\"; endpoint = \"127.0.0.3:8443\"; } );",
	  { "127.0.0.3:8443: www (address:port) -> api (address:port), "
	    "backend 127.0.0.1:8080 (the listener's)", NULL } },
	{ "only the backend changes: news, from and to",
	  "bindings = ( { key = \"www\"; endpoint = \"127.0.0.3:8443\"; } );",
	  "bindings = ( { key = \"www\"; endpoint = \"127.0.0.3:8443\"; "
	  "backend = \"127.0.0.1:7000\"; } );",
	  { "127.0.0.3:8443: www (address:port) -> www (address:port), "
	    "backend 127.0.0.1:8080 -> 127.0.0.1:7000 (the binding's)",
	    NULL } },
	{ "the binding's own backend goes: back to the listener's",
	  "bindings = ( { key = \"www\"; endpoint = \"127.0.0.3:8443\"; },\n"
	  "  { key = \"api\"; endpoint = \"127.0.0.3:8443\"; "
	  "sni = \"api.example.com\"; backend = \"127.0.0.1:9000\"; } );",
	  "bindings = ( { key = \"www\"; endpoint = \"127.0.0.3:8443\"; },\n"
	  "  { key = \"api\"; endpoint = \"127.0.0.3:8443\"; "
	  "sni = \"api.example.com\"; } );",
	  { "127.0.0.3:8443 sni=api.example.com: api (address:port, exact "
	    "sni) -> api (address:port, exact sni), backend 127.0.0.1:9000 "
	    "-> 127.0.0.1:8080 (the listener's)", NULL } },
	{ "unserved after: no backend",
	  "bindings = ( { key = \"www\"; endpoint = \"127.0.0.3:8443\"; } );",
	  "bindings = ( );",
	  { "127.0.0.3:8443: www (address:port) -> nothing [UNSERVED]",
	    NULL } },
};

static void
test_effect_backend(void **state)
{
	const struct effect_case *c;
	struct config	*a, *b;
	struct errlist	 out = ERRLIST_INIT;
	char		 text[2048];
	size_t		 i, j, n;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = &cases[i];
		snprintf(text, sizeof text, "%s%s\n", HEAD, c->before);
		a = unit_load(text);
		snprintf(text, sizeof text, "%s%s\n", HEAD, c->after);
		b = unit_load(text);
		n = effect_lines(a, NULL, NULL, b, NULL, 0, &out);
		for (j = 0; c->want[j] != NULL; j++) {
			if (j >= out.n)
				fail_msg("%s: line %zu missing, want \"%s\"",
				    c->name, j + 1, c->want[j]);
			if (strcmp(out.v[j], c->want[j]) != 0)
				fail_msg("%s: line %zu\n got  \"%s\"\n want "
				    "\"%s\"", c->name, j + 1, out.v[j],
				    c->want[j]);
		}
		if (n != j)
			fail_msg("%s: %zu lines, want %zu (first: %s)", c->name,
			    n, j, n > 0 ? out.v[0] : "-");
		errlist_clear(&out);
		config_free(a);
		config_free(b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_effect_backend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
