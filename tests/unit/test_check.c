/*
 * Findings that need no files on disk: the binding model's own checks
 * (conflict, unserved-listener, stale-binding, default-served,
 * probable-move, address-not-local, unknown-key, pending, unbound-key),
 * each from a small config written here against DESIGN.md's table. Checks
 * run with opts.files = 0 so nothing is opened; the file findings are
 * covered by tests/cli/t-fixtures.sh on real keys and certificates.
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

#include "core/check.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "core/errlist.h"

static struct config *
load(const char *text)
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

static void
dump(const struct findings *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		print_message("#   %s %s %s: %s\n",
		    severity_name(f->v[i].severity), f->v[i].code,
		    f->v[i].object, f->v[i].message);
}

/* Runs the checks: offline, without opening files. */
static void
run(const char *text, int offline, struct findings *f)
{
	struct config		*cfg = load(text);
	struct check_opts	 opts;
	size_t			 i;

	check_opts_default(&opts);
	opts.offline = offline;
	opts.files = 0;
	check_config(cfg, &opts, f);
	for (i = 0; i < f->n; i++) {
		assert_non_null(f->v[i].code);
		assert_non_null(f->v[i].object);
		assert_non_null(f->v[i].message);
		/* A sentence, not just a code. */
		assert_true(strlen(f->v[i].message) > 10);
	}
	config_free(cfg);
}

/*
 * The findings with this code whose object contains obj (NULL: any);
 * returns how many, and the first in *first.
 */
static size_t
count(const struct findings *f, const char *code, const char *obj,
    const struct finding **first)
{
	size_t	i, n = 0;

	if (first != NULL)
		*first = NULL;
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].code, code) != 0)
			continue;
		if (obj != NULL && strstr(f->v[i].object, obj) == NULL)
			continue;
		if (n++ == 0 && first != NULL)
			*first = &f->v[i];
	}
	return n;
}

static const struct finding *
want(const struct findings *f, const char *code, enum severity sev,
    const char *obj)
{
	const struct finding	*x;

	if (count(f, code, obj, &x) == 0) {
		dump(f);
		fail_msg("no %s finding about %s", code, obj ? obj : "-");
	}
	if (x->severity != sev) {
		dump(f);
		fail_msg("%s about %s has severity %s, want %s", code,
		    obj ? obj : "-", severity_name(x->severity),
		    severity_name(sev));
	}
	return x;
}

static void
none(const struct findings *f, const char *code, const char *obj)
{
	if (count(f, code, obj, NULL) != 0) {
		dump(f);
		fail_msg("unexpected %s finding about %s", code,
		    obj ? obj : "-");
	}
}

#define LISTEN(ep) \
	"  { endpoint = \"" ep "\"; backend = \"127.0.0.1:8080\"; }"

#define KEYS \
	"keys = (\n" \
	"  { name = \"site\"; key = \"site.key\"; cert = \"site.pem\"; },\n" \
	"  { name = \"www\";  key = \"www.key\";  cert = \"www.pem\"; },\n" \
	"  { name = \"api\";  key = \"api.key\";  cert = \"api.pem\"; }\n" \
	");\n"

/* The site served where it listens: nothing to say. */
static void
test_clean(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("127.0.0.2:8443") ",\n"
	    LISTEN("[::1]:443") "\n); };\n"
	    "keys = (\n"
	    "  { name = \"site\"; key = \"site.key\"; cert = \"site.pem\"; }\n"
	    ");\n"
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"127.0.0.2:8443\"; },\n"
	    "  { key = \"site\"; endpoint = \"[0:0::1]:443\"; }\n"
	    ");\n";
	struct findings	f = FINDINGS_INIT;

	run(text, 1, &f);
	if (f.n != 0) {
		dump(&f);
		fail_msg("a served config has findings");
	}
	findings_clear(&f);
	/* 127.0.0.2 is local; ::1 too when the host has IPv6. */
	run(text, 0, &f);
	none(&f, F_ADDRESS_NOT_LOCAL, "127.0.0.2");
	assert_int_equal(findings_count(&f, SEV_ERROR), 0);
	findings_clear(&f);
}

/* The seed's failure: the listener moved, the binding stayed. */
static void
test_moved_no_default(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("127.0.0.3:8443") "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"api\";  endpoint = \"127.0.0.2:9443\"; },\n"
	    "  { key = \"site\"; endpoint = \"127.0.0.2:8443\"; }\n"
	    ");\n";
	struct findings		 f = FINDINGS_INIT;
	const struct finding	*x;

	run(text, 1, &f);
	x = want(&f, F_UNSERVED_LISTENER, SEV_ERROR, "127.0.0.3:8443");
	assert_int_equal(x->kind, FK_LISTENER);
	assert_int_equal(x->index, 0);

	x = want(&f, F_STALE_BINDING, SEV_WARNING, "127.0.0.2:8443");
	assert_int_equal(x->kind, FK_BINDING);
	assert_int_equal(x->index, 1);
	x = want(&f, F_STALE_BINDING, SEV_WARNING, "127.0.0.2:9443");
	assert_int_equal(x->index, 0);

	/* The move is offered for the binding on the listener's port only. */
	x = want(&f, F_PROBABLE_MOVE, SEV_WARNING, "127.0.0.2:8443");
	assert_non_null(x->move_from);
	assert_non_null(x->move_to);
	assert_string_equal(x->move_from, "127.0.0.2:8443");
	assert_string_equal(x->move_to, "127.0.0.3:8443");
	none(&f, F_PROBABLE_MOVE, "9443");
	assert_int_equal(count(&f, F_PROBABLE_MOVE, NULL, NULL), 1);

	none(&f, F_DEFAULT_SERVED, NULL);
	none(&f, F_CONFLICT, NULL);
	none(&f, F_UNKNOWN_KEY, NULL);
	assert_true(findings_count(&f, SEV_ERROR) >= 1);
	assert_true(findings_count(&f, SEV_WARNING) >= 3);
	findings_clear(&f);
	assert_int_equal(f.n, 0);
}

/* The worse case: an "all unassigned" default hides the move. */
static void
test_moved_with_default(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("127.0.0.3:8443") "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"127.0.0.2:8443\"; },\n"
	    "  { key = \"www\";  endpoint = \"*:*\"; }\n"
	    ");\n";
	struct findings		 f = FINDINGS_INIT;
	const struct finding	*x;

	run(text, 1, &f);
	none(&f, F_UNSERVED_LISTENER, NULL);
	x = want(&f, F_DEFAULT_SERVED, SEV_INFO, "127.0.0.3:8443");
	assert_int_equal(x->kind, FK_LISTENER);
	assert_int_equal(x->index, 0);
	x = want(&f, F_STALE_BINDING, SEV_WARNING, "127.0.0.2:8443");
	assert_int_equal(x->index, 0);
	/* The default itself applies to the listener: not stale. */
	assert_int_equal(count(&f, F_STALE_BINDING, NULL, NULL), 1);
	x = want(&f, F_PROBABLE_MOVE, SEV_WARNING, "127.0.0.2:8443");
	assert_string_equal(x->move_from, "127.0.0.2:8443");
	assert_string_equal(x->move_to, "127.0.0.3:8443");
	assert_int_equal(findings_count(&f, SEV_ERROR), 0);
	findings_clear(&f);
}

/* A *:P binding is a wildcard too; a specific binding is not. */
static void
test_default_served(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("127.0.0.3:8443") ",\n"
	    LISTEN("127.0.0.4:443") "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"www\";  endpoint = \"*:8443\"; },\n"
	    "  { key = \"site\"; endpoint = \"127.0.0.4:443\"; }\n"
	    ");\n";
	struct findings		 f = FINDINGS_INIT;
	const struct finding	*x;

	run(text, 1, &f);
	x = want(&f, F_DEFAULT_SERVED, SEV_INFO, "127.0.0.3:8443");
	assert_int_equal(x->index, 0);
	none(&f, F_DEFAULT_SERVED, "127.0.0.4");
	none(&f, F_STALE_BINDING, NULL);
	none(&f, F_UNSERVED_LISTENER, NULL);
	none(&f, F_PROBABLE_MOVE, NULL);
	findings_clear(&f);
}

/* A stale binding is not a probable move when its port's listener is
 * served by a binding of its own. */
static void
test_stale_not_move(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("127.0.0.3:8443") "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"127.0.0.2:8443\"; },\n"
	    "  { key = \"api\";  endpoint = \"127.0.0.3:8443\"; }\n"
	    ");\n";
	struct findings	f = FINDINGS_INIT;

	run(text, 1, &f);
	want(&f, F_STALE_BINDING, SEV_WARNING, "127.0.0.2:8443");
	none(&f, F_PROBABLE_MOVE, NULL);
	none(&f, F_UNSERVED_LISTENER, NULL);
	none(&f, F_DEFAULT_SERVED, NULL);
	findings_clear(&f);
}

/* A listener on "*" is matched by a specific binding on its port. */
static void
test_any_listener(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("*:8443") "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"127.0.0.2:8443\"; },\n"
	    "  { key = \"www\";  endpoint = \"*:8443\"; }\n"
	    ");\n";
	struct findings	f = FINDINGS_INIT;

	run(text, 1, &f);
	none(&f, F_STALE_BINDING, NULL);
	none(&f, F_UNSERVED_LISTENER, NULL);
	none(&f, F_CONFLICT, NULL);
	findings_clear(&f);
}

static void
test_conflict(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("10.0.0.1:443") ",\n"
	    LISTEN("[::1]:443") ",\n" LISTEN("10.0.0.1:8443") "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"10.0.0.1:443\"; },\n"
	    "  { key = \"www\";  endpoint = \"10.0.0.1:443\"; },\n"
	    /* The same address in two spellings. */
	    "  { key = \"site\"; endpoint = \"[::1]:443\"; },\n"
	    "  { key = \"www\";  endpoint = \"[0:0:0:0:0:0:0:1]:443\"; },\n"
	    /* Not conflicts: different sni, or sni against none. */
	    "  { key = \"site\"; endpoint = \"10.0.0.1:8443\"; },\n"
	    "  { key = \"www\";  endpoint = \"10.0.0.1:8443\"; sni = \"www.example.com\"; },\n"
	    "  { key = \"api\";  endpoint = \"10.0.0.1:8443\"; sni = \"api.example.com\"; }\n"
	    ");\n";
	struct findings		 f = FINDINGS_INIT;

	run(text, 1, &f);
	want(&f, F_CONFLICT, SEV_ERROR, "10.0.0.1:443");
	want(&f, F_CONFLICT, SEV_ERROR, "[::1]:443");
	none(&f, F_CONFLICT, "8443");
	findings_clear(&f);
}

/* SNI is matched case-insensitively, so API.example.com and
 * api.example.com cannot both be served: a conflict. */
static void
test_conflict_sni_case(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("10.0.0.1:443") "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"10.0.0.1:443\"; },\n"
	    "  { key = \"www\";  endpoint = \"10.0.0.1:443\"; sni = \"API.example.com\"; },\n"
	    "  { key = \"api\";  endpoint = \"10.0.0.1:443\"; sni = \"api.example.com\"; }\n"
	    ");\n";
	struct findings	f = FINDINGS_INIT;

	run(text, 1, &f);
	want(&f, F_CONFLICT, SEV_ERROR, "10.0.0.1:443");
	assert_int_equal(findings_count(&f, SEV_ERROR), 1);
	findings_clear(&f);
}

static int
can_bind4(const char *addr)
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

static void
test_address_not_local(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("192.0.2.1:443") ",\n"
	    LISTEN("127.0.0.2:443") "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"192.0.2.1:443\"; },\n"
	    "  { key = \"www\";  endpoint = \"127.0.0.2:443\"; }\n"
	    ");\n";
	struct findings	f = FINDINGS_INIT;

	if (can_bind4("192.0.2.1") != 0) {
		skip();
		return;
	}
	run(text, 0, &f);
	want(&f, F_ADDRESS_NOT_LOCAL, SEV_WARNING, "192.0.2.1");
	none(&f, F_ADDRESS_NOT_LOCAL, "127.0.0.2");
	findings_clear(&f);

	/* Offline: the host is not asked. */
	run(text, 1, &f);
	none(&f, F_ADDRESS_NOT_LOCAL, NULL);
	findings_clear(&f);
}

static void
test_unknown_key(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("127.0.0.2:8443") "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"site\";  endpoint = \"127.0.0.2:8443\"; },\n"
	    "  { key = \"ghost\"; endpoint = \"127.0.0.2:8443\"; sni = \"g.example.com\"; }\n"
	    ");\n";
	struct findings		 f = FINDINGS_INIT;
	const struct finding	*x;

	run(text, 1, &f);
	x = want(&f, F_UNKNOWN_KEY, SEV_ERROR, "ghost");
	assert_int_equal(x->kind, FK_BINDING);
	assert_int_equal(x->index, 1);
	assert_int_equal(count(&f, F_UNKNOWN_KEY, NULL, NULL), 1);
	findings_clear(&f);
}

static void
test_pending_unbound(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("127.0.0.2:8443") "\n); };\n"
	    "keys = (\n"
	    "  { name = \"site\"; key = \"site.key\"; cert = \"site.pem\"; },\n"
	    "  { name = \"spare\"; key = \"spare.key\"; cert = \"spare.pem\"; },\n"
	    "  { name = \"new-2027\"; key = \"new-2027.key\";"
	    " request = \"new-2027.csr\"; }\n"
	    ");\n"
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"127.0.0.2:8443\"; }\n"
	    ");\n";
	struct findings		 f = FINDINGS_INIT;
	const struct finding	*x;

	run(text, 1, &f);
	x = want(&f, F_PENDING, SEV_INFO, "new-2027");
	assert_int_equal(x->kind, FK_KEY);
	assert_int_equal(x->index, 2);
	assert_int_equal(count(&f, F_PENDING, NULL, NULL), 1);

	x = want(&f, F_UNBOUND_KEY, SEV_INFO, "spare");
	assert_int_equal(x->kind, FK_KEY);
	assert_int_equal(x->index, 1);
	/* A pending key is not usable yet, and site is bound. */
	assert_int_equal(count(&f, F_UNBOUND_KEY, NULL, NULL), 1);
	assert_int_equal(findings_count(&f, SEV_ERROR), 0);
	assert_int_equal(findings_count(&f, SEV_WARNING), 0);
	findings_clear(&f);
}

/* Errors first; the same config gives the same findings in the same
 * order. */
static void
test_order(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("127.0.0.3:8443") ",\n"
	    LISTEN("10.0.0.1:443") "\n); };\n"
	    "keys = (\n"
	    "  { name = \"site\"; key = \"site.key\"; cert = \"site.pem\"; },\n"
	    "  { name = \"spare\"; key = \"spare.key\"; cert = \"spare.pem\"; },\n"
	    "  { name = \"new\"; key = \"new.key\"; request = \"new.csr\"; }\n"
	    ");\n"
	    "bindings = (\n"
	    "  { key = \"site\";  endpoint = \"127.0.0.2:8443\"; },\n"
	    "  { key = \"ghost\"; endpoint = \"10.0.0.1:443\"; },\n"
	    "  { key = \"site\";  endpoint = \"10.0.0.1:443\"; }\n"
	    ");\n";
	struct findings	a = FINDINGS_INIT, b = FINDINGS_INIT;
	size_t		i;

	run(text, 1, &a);
	run(text, 1, &b);
	assert_true(a.n >= 5);
	assert_int_equal(a.n, b.n);
	for (i = 0; i < a.n; i++) {
		if (i > 0 && a.v[i].severity > a.v[i - 1].severity) {
			dump(&a);
			fail_msg("finding %zu is more severe than %zu", i,
			    i - 1);
		}
		/* check.h: by severity, then by code, then by object. */
		if (i > 0 && a.v[i].severity == a.v[i - 1].severity &&
		    (strcmp(a.v[i].code, a.v[i - 1].code) < 0 ||
		    (strcmp(a.v[i].code, a.v[i - 1].code) == 0 &&
		    strcmp(a.v[i].object, a.v[i - 1].object) < 0))) {
			dump(&a);
			fail_msg("finding %zu is out of order", i);
		}
		assert_string_equal(a.v[i].code, b.v[i].code);
		assert_string_equal(a.v[i].object, b.v[i].object);
		assert_string_equal(a.v[i].message, b.v[i].message);
	}
	findings_clear(&a);
	findings_clear(&b);
}

static void
test_findings_api(void **state)
{
	struct findings		f = FINDINGS_INIT;
	struct check_opts	opts;
	size_t			i;

	assert_string_equal(severity_name(SEV_ERROR), "error");
	assert_string_equal(severity_name(SEV_WARNING), "warning");
	assert_string_equal(severity_name(SEV_INFO), "info");

	check_opts_default(&opts);
	assert_int_equal(opts.warn_days, 30);
	assert_int_equal(opts.offline, 0);

	findings_add(&f, SEV_INFO, F_PENDING, FK_KEY, 3, "k3", "wait %d", 1);
	findings_add(&f, SEV_ERROR, F_UNKNOWN_KEY, FK_BINDING, 0, "b", "no %s",
	    "key");
	findings_add(&f, SEV_WARNING, F_STALE_BINDING, FK_BINDING, 1, "c",
	    "stale");
	findings_add(&f, SEV_ERROR, F_CONFLICT, FK_BINDING, 2, "a", "two");
	assert_int_equal(f.n, 4);
	assert_int_equal(findings_count(&f, SEV_ERROR), 2);
	assert_int_equal(findings_count(&f, SEV_WARNING), 1);
	assert_int_equal(findings_count(&f, SEV_INFO), 1);
	assert_string_equal(f.v[0].message, "wait 1");
	assert_string_equal(f.v[1].message, "no key");
	assert_int_equal(f.v[0].index, 3);
	assert_null(f.v[0].move_from);

	findings_sort(&f);
	assert_int_equal(f.v[0].severity, SEV_ERROR);
	assert_int_equal(f.v[1].severity, SEV_ERROR);
	assert_int_equal(f.v[2].severity, SEV_WARNING);
	assert_int_equal(f.v[3].severity, SEV_INFO);
	for (i = 0; i < f.n; i++)
		assert_non_null(f.v[i].message);
	findings_clear(&f);
	assert_int_equal(f.n, 0);
	assert_int_equal(findings_count(&f, SEV_ERROR), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_findings_api),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_moved_no_default),
		cmocka_unit_test(test_moved_with_default),
		cmocka_unit_test(test_default_served),
		cmocka_unit_test(test_stale_not_move),
		cmocka_unit_test(test_any_listener),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_conflict_sni_case),
		cmocka_unit_test(test_address_not_local),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_pending_unbound),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
