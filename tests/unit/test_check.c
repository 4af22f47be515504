/*
 * Findings that need no files on disk: the binding model's own checks
 * (conflict, unserved-listener, stale-binding, default-served,
 * probable-move, address-not-local, unknown-key, pending, unbound-key),
 * each from a small config written here against DESIGN.md's table. Checks
 * run with opts.files = 0 so nothing is opened; the file findings are
 * covered by tests/cli/t-fixtures.sh on real keys and certificates. The
 * list operations (core/findings.c) are in test_findings.c.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "op/check.h"
#include "core/config.h"
#include "core/endpoint.h"
#include "tests/unit/unit.h"
#include "util/errlist.h"

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
	struct config		*cfg = unit_load(text);
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

/*
 * A binding made by a command or the UI is not in the file yet: messages
 * say so instead of sending the reader to "line 0".
 */
static void
test_where_new_binding(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("10.0.0.1:443") "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"10.0.0.1:443\"; }\n"
	    ");\n";
	struct config		*cfg = unit_load(text);
	struct check_opts	 opts;
	struct findings		 f = FINDINGS_INIT;
	struct endpoint		 ep, stale;
	const struct finding	*c, *s;
	char			*cause = NULL;

	assert_int_equal(endpoint_parse("10.0.0.1:443", &ep, &cause), 0);
	assert_int_equal(endpoint_parse("10.0.0.9:443", &stale, &cause), 0);
	assert_int_equal(config_bind(cfg, "www", &ep, NULL, &cause), 0);
	assert_int_equal(config_bind(cfg, "api", &stale, NULL, &cause), 0);
	check_opts_default(&opts);
	opts.offline = 1;
	opts.files = 0;
	check_config(cfg, &opts, &f);
	c = want(&f, F_CONFLICT, SEV_ERROR, "10.0.0.1:443");
	s = want(&f, F_STALE_BINDING, SEV_WARNING, "api@10.0.0.9:443");
	if (strstr(c->message, "site (line 11)") == NULL ||
	    strstr(c->message, "www (not in the file yet)") == NULL ||
	    strstr(s->message, "(not in the file yet)") == NULL ||
	    strstr(c->message, "line 0") != NULL ||
	    strstr(s->message, "line 0") != NULL) {
		dump(&f);
		fail_msg("a new binding's place is not said");
	}
	findings_clear(&f);
	config_free(cfg);
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

/*
 * Randomized cross-checks of the binding-model findings against
 * DESIGN.md's definitions written here as a reference: many small
 * configs on a few addresses and ports, so that every case happens often.
 */
static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

#define NA	4		/* 127.0.0.2 .. 127.0.0.5 */
#define NP	3
static const unsigned ports[NP] = { 443, 8443, 9443 };

struct rb {
	int	a, p;		/* -1: "*" */
	char	sni[32];	/* "" for none */
};

static void
rb_endpoint(const struct rb *b, char *buf, size_t len)
{
	char	addr[24], port[16];

	if (b->a < 0)
		snprintf(addr, sizeof addr, "*");
	else
		snprintf(addr, sizeof addr, "127.0.0.%d", 2 + b->a);
	if (b->p < 0)
		snprintf(port, sizeof port, "*");
	else
		snprintf(port, sizeof port, "%u", ports[b->p]);
	snprintf(buf, len, "%s:%s", addr, port);
}

/* Writes a config; listeners are concrete (a, p) pairs. */
static char *
rb_config(const struct rb *l, size_t nl, const struct rb *b, size_t nb)
{
	size_t	 i, size = 1024 + (nl + nb) * 200;
	char	*text = malloc(size), *p = text, ep[64];

	assert_non_null(text);
	p += sprintf(p, "version = 1;\nserver = { listen = (\n");
	for (i = 0; i < nl; i++) {
		rb_endpoint(&l[i], ep, sizeof ep);
		p += sprintf(p, "  { endpoint = \"%s\"; backend = "
		    "\"127.0.0.1:8080\"; }%s\n", ep, i + 1 < nl ? "," : "");
	}
	p += sprintf(p, "); };\nkeys = (\n");
	for (i = 0; i < nb; i++)
		p += sprintf(p, "  { name = \"k%zu\"; key = \"k%zu.key\"; "
		    "cert = \"k%zu.pem\"; }%s\n", i, i, i, i + 1 < nb ? "," : "");
	p += sprintf(p, ");\nbindings = (\n");
	for (i = 0; i < nb; i++) {
		rb_endpoint(&b[i], ep, sizeof ep);
		p += sprintf(p, "  { key = \"k%zu\"; endpoint = \"%s\";", i, ep);
		if (b[i].sni[0] != '\0')
			p += sprintf(p, " sni = \"%s\";", b[i].sni);
		p += sprintf(p, " }%s\n", i + 1 < nb ? "," : "");
	}
	p += sprintf(p, ");\n");
	assert_true((size_t)(p - text) < size);
	return text;
}

/* The level (1-4) at which a connection to listener l finds a binding
 * without sni, or 0. */
static int
rb_level(const struct rb *l, const struct rb *b, size_t nb)
{
	int	level, best = 0;
	size_t	i;

	for (i = 0; i < nb; i++) {
		if (b[i].sni[0] != '\0')
			continue;
		if (b[i].a >= 0 && b[i].a != l->a)
			continue;
		if (b[i].p >= 0 && b[i].p != l->p)
			continue;
		level = (b[i].a >= 0 ? 0 : 2) + (b[i].p >= 0 ? 1 : 2);
		if (best == 0 || level < best)
			best = level;
	}
	return best;
}

static int
rb_overlaps(const struct rb *b, const struct rb *l)
{
	return (b->a < 0 || b->a == l->a) && (b->p < 0 || b->p == l->p);
}

static int
has_index(const struct findings *f, const char *code, enum finding_kind kind,
    size_t index)
{
	size_t	i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].code, code) == 0 && f->v[i].kind == kind &&
		    f->v[i].index == (ssize_t)index)
			return 1;
	return 0;
}

/*
 * Several stale bindings on one endpoint, several listeners on the port:
 * one move per endpoint, on its first binding in the file, to the first
 * listener in the file that is not fully served (not the lowest address,
 * not a served one), and none where no listener has the port.
 */
static void
test_moves_grouped(void **state)
{
	static const char text[] = "version = 1;\n"
	    "server = { listen = (\n" LISTEN("127.0.0.9:8443") ",\n"
	    LISTEN("127.0.0.6:8443") ",\n" LISTEN("127.0.0.5:8443")
	    "\n); };\n"
	    KEYS
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"127.0.0.9:8443\"; },\n"
	    "  { key = \"www\"; endpoint = \"127.0.0.3:8443\"; "
	    "sni = \"b.example\"; },\n"
	    "  { key = \"api\"; endpoint = \"127.0.0.2:8443\"; "
	    "sni = \"a.example\"; },\n"
	    "  { key = \"site\"; endpoint = \"127.0.0.3:8443\"; },\n"
	    "  { key = \"www\"; endpoint = \"127.0.0.2:8443\"; },\n"
	    "  { key = \"api\"; endpoint = \"127.0.0.4:7000\"; }\n"
	    ");\n";
	struct findings	 f = FINDINGS_INIT;
	size_t		 i, n = 0, stale = 0;
	int		 got[6] = { 0 };

	run(text, 1, &f);
	for (i = 0; i < f.n; i++) {
		if (strcmp(f.v[i].code, F_STALE_BINDING) == 0)
			stale++;
		if (strcmp(f.v[i].code, F_PROBABLE_MOVE) != 0)
			continue;
		n++;
		assert_true(f.v[i].index >= 0 && f.v[i].index < 6);
		got[f.v[i].index] = 1;
		assert_string_equal(f.v[i].move_to, "127.0.0.6:8443");
		assert_non_null(strstr(f.v[i].message, "served by nothing"));
		assert_string_equal(f.v[i].move_from, f.v[i].index == 1 ?
		    "127.0.0.3:8443" : "127.0.0.2:8443");
	}
	if (n != 2 || !got[1] || !got[2] || stale != 5) {
		dump(&f);
		fail_msg("want moves on bindings 1 and 2 only, and 5 stale");
	}
	findings_clear(&f);
}

/* Bindings without sni, distinct endpoints: service, staleness, moves. */
static void
test_random_model(void **state)
{
	struct rb	 l[NA * NP], b[(NA + 1) * (NP + 1)];
	size_t		 nl, nb, i, j, round, seen[8] = { 0 };
	int		 taken[NA + 1][NP + 1], level, stale, unserved_port;
	char		*text, ep[64];
	struct findings	 f = FINDINGS_INIT;
	const struct finding *x;

	for (round = 0; round < 400; round++) {
		memset(taken, 0, sizeof taken);
		nl = 1 + rng() % 5;
		for (i = 0; i < nl; i++) {
			do {
				l[i].a = rng() % NA;
				l[i].p = rng() % NP;
			} while (taken[l[i].a][l[i].p]);
			taken[l[i].a][l[i].p] = 1;
			l[i].sni[0] = '\0';
		}
		memset(taken, 0, sizeof taken);
		nb = 1 + rng() % 8;
		for (i = 0; i < nb; i++) {
			do {
				b[i].a = (int)(rng() % (NA + 1)) - 1;
				b[i].p = (int)(rng() % (NP + 1)) - 1;
				/* Wildcards less often than addresses. */
				if (rng() % 3 && (b[i].a < 0 || b[i].p < 0))
					continue;
			} while (taken[b[i].a + 1][b[i].p + 1]);
			taken[b[i].a + 1][b[i].p + 1] = 1;
			b[i].sni[0] = '\0';
		}
		text = rb_config(l, nl, b, nb);
		run(text, 1, &f);

		none(&f, F_CONFLICT, NULL);
		none(&f, F_UNKNOWN_KEY, NULL);
		for (i = 0; i < nl; i++) {
			level = rb_level(&l[i], b, nb);
			seen[level]++;
			if (has_index(&f, F_UNSERVED_LISTENER, FK_LISTENER, i) !=
			    (level == 0)) {
				dump(&f);
				fail_msg("listener %zu: unserved-listener should "
				    "be %s\n%s", i, level ? "absent" : "there",
				    text);
			}
			/* *:P and *:* are wildcards, A:P is not. */
			if ((level == 1 || level >= 3) &&
			    has_index(&f, F_DEFAULT_SERVED, FK_LISTENER, i) !=
			    (level >= 3)) {
				dump(&f);
				fail_msg("listener %zu: default-served should be "
				    "%s\n%s", i, level >= 3 ? "there" : "absent",
				    text);
			}
		}
		for (i = 0; i < nb; i++) {
			stale = 1;
			for (j = 0; j < nl; j++)
				if (rb_overlaps(&b[i], &l[j]))
					stale = 0;
			seen[5 + stale]++;
			if (has_index(&f, F_STALE_BINDING, FK_BINDING, i) !=
			    stale) {
				dump(&f);
				fail_msg("binding %zu: stale-binding should be "
				    "%s\n%s", i, stale ? "there" : "absent", text);
			}
			/*
			 * A stale specific binding with an unserved listener
			 * on its port must be offered a move; a move is only
			 * ever offered for a stale binding.
			 */
			unserved_port = 0;
			for (j = 0; j < nl; j++)
				if (b[i].p >= 0 && l[j].p == b[i].p &&
				    rb_level(&l[j], b, nb) == 0)
					unserved_port = 1;
			rb_endpoint(&b[i], ep, sizeof ep);
			if (stale && b[i].a >= 0 && b[i].p >= 0 && unserved_port) {
				seen[7]++;
				x = want(&f, F_PROBABLE_MOVE, SEV_WARNING, ep);
				assert_non_null(x->move_from);
				assert_string_equal(x->move_from, ep);
			}
			if (!stale)
				none(&f, F_PROBABLE_MOVE, ep);
		}
		findings_clear(&f);
		free(text);
	}
	print_message("# listeners by level: none %zu, A:P %zu, A:* %zu, "
	    "*:P %zu, *:* %zu; bindings fresh %zu, stale %zu; moves %zu\n",
	    seen[0], seen[1], seen[2], seen[3], seen[4], seen[5], seen[6],
	    seen[7]);
	for (i = 0; i < 8; i++)
		assert_true(seen[i] > 0);
}

/* Bindings with sni in any case, duplicates on purpose: conflicts. */
static void
test_random_conflicts(void **state)
{
	static const char *names[] = {
		"", "", "a.example.com", "A.Example.COM", "b.example.com",
		"*.example.com", "*.EXAMPLE.com"
	};
	struct rb	 l[1], b[12];
	size_t		 nb, i, j, k, round, groups = 0;
	int		 dup, found;
	char		*text, ep[64], want[96], *o;
	struct findings	 f = FINDINGS_INIT;

	l[0].a = 0;
	l[0].p = 0;
	l[0].sni[0] = '\0';
	for (round = 0; round < 300; round++) {
		nb = 2 + rng() % 10;
		for (i = 0; i < nb; i++) {
			b[i].a = rng() % 3 == 0 ? -1 : (int)(rng() % 2);
			b[i].p = rng() % 4 == 0 ? -1 : 0;
			snprintf(b[i].sni, sizeof b[i].sni, "%s",
			    names[rng() % (sizeof names / sizeof names[0])]);
		}
		text = rb_config(l, 1, b, nb);
		run(text, 1, &f);

		/* Every group of two or more is reported... */
		for (i = 0; i < nb; i++) {
			dup = 0;
			for (j = 0; j < nb; j++)
				if (j != i && b[j].a == b[i].a &&
				    b[j].p == b[i].p &&
				    strcasecmp(b[j].sni, b[i].sni) == 0)
					dup = 1;
			if (!dup)
				continue;
			groups++;
			rb_endpoint(&b[i], ep, sizeof ep);
			if (b[i].sni[0] == '\0')
				snprintf(want, sizeof want, "%s", ep);
			else
				snprintf(want, sizeof want, "%s,sni=%s", ep,
				    b[i].sni);
			found = 0;
			for (k = 0; k < f.n; k++)
				if (strcmp(f.v[k].code, F_CONFLICT) == 0 &&
				    strcasecmp(f.v[k].object, want) == 0)
					found = 1;
			if (!found) {
				dump(&f);
				fail_msg("no conflict %s in\n%s", want, text);
			}
		}
		/* ...and nothing else is. */
		for (k = 0; k < f.n; k++) {
			if (strcmp(f.v[k].code, F_CONFLICT) != 0)
				continue;
			assert_int_equal(f.v[k].severity, SEV_ERROR);
			found = 0;
			for (i = 0; i < nb && !found; i++) {
				rb_endpoint(&b[i], ep, sizeof ep);
				o = f.v[k].object;
				if (strncmp(o, ep, strlen(ep)) != 0)
					continue;
				o += strlen(ep);
				if (b[i].sni[0] == '\0' ? *o != '\0' :
				    strncmp(o, ",sni=", 5) != 0 ||
				    strcasecmp(o + 5, b[i].sni) != 0)
					continue;
				for (j = 0; j < nb; j++)
					if (j != i && b[j].a == b[i].a &&
					    b[j].p == b[i].p &&
					    strcasecmp(b[j].sni, b[i].sni) == 0)
						found = 1;
			}
			if (!found) {
				dump(&f);
				fail_msg("conflict %s is not one\n%s",
				    f.v[k].object, text);
			}
		}
		findings_clear(&f);
		free(text);
	}
	assert_true(groups > 100);
}

/*
 * Bindings and no listener at all (issue 14, bug 2): certbindd receives
 * nothing for any of them, and check says so for each, without blaming a
 * move; a file with keys alone stays clean.
 */
static void
test_no_listeners(void **state)
{
	static const char text[] = "version = 1;\n" KEYS
	    "bindings = (\n"
	    "  { key = \"site\"; endpoint = \"10.0.0.1:443\"; },\n"
	    "  { key = \"www\"; endpoint = \"*:*\"; sni = \"www.example.com\"; }\n"
	    ");\n";
	static const char keys_only[] = "version = 1;\n" KEYS
	    "bindings = ( );\n";
	struct config		*cfg = unit_load(text);
	struct check_opts	 opts;
	struct findings		 f = FINDINGS_INIT;
	const struct finding	*a, *b;
	size_t			 i;

	check_opts_default(&opts);
	opts.offline = 1;
	opts.files = 0;
	check_config(cfg, &opts, &f);
	a = want(&f, F_STALE_BINDING, SEV_WARNING, "site@10.0.0.1:443");
	b = want(&f, F_STALE_BINDING, SEV_WARNING,
	    "www@*:*,sni=www.example.com");
	if (strstr(a->message, "no listeners") == NULL ||
	    strstr(b->message, "no listeners") == NULL ||
	    strstr(a->message, "move") != NULL) {
		dump(&f);
		fail_msg("bindings without listeners are not said to be so");
	}
	findings_clear(&f);
	config_free(cfg);

	cfg = unit_load(keys_only);
	check_config(cfg, &opts, &f);
	for (i = 0; i < f.n; i++)
		if (strcmp(f.v[i].code, F_STALE_BINDING) == 0)
			fail_msg("a file with keys alone has a stale binding");
	findings_clear(&f);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_moved_no_default),
		cmocka_unit_test(test_moved_with_default),
		cmocka_unit_test(test_default_served),
		cmocka_unit_test(test_stale_not_move),
		cmocka_unit_test(test_any_listener),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_where_new_binding),
		cmocka_unit_test(test_no_listeners),
		cmocka_unit_test(test_conflict_sni_case),
		cmocka_unit_test(test_address_not_local),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_pending_unbound),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_moves_grouped),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_random_conflicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
