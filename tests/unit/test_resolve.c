/*
 * Which binding serves a connection: every level and SNI rule of
 * DESIGN.md, written as small configs, then a randomized cross-check of
 * resolver_lookup() against a naive reference written here from the
 * design's text (a linear scan, obviously right, never shared with the
 * implementation). The random part is the strongest test: thousands of
 * bindings and queries, replayable from the fixed seed.
 */

#include <sys/types.h>

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "core/config.h"
#include "core/endpoint.h"
#include "tests/unit/unit.h"
#include "util/errlist.h"
#include "core/resolve.h"
#include "util/xmalloc.h"

static void
ep_of(const char *text, struct endpoint *ep)
{
	char	*cause = NULL;

	if (endpoint_parse(text, ep, &cause) != 0)
		fail_msg("endpoint_parse(%s): %s", text, cause);
}

/*
 * Asserts that a connection to local with sni is served by the binding of
 * key want (NULL: by none), with the given level and SNI rule.
 */
static void
expect(const struct config *cfg, const struct resolver *r, const char *local,
    const char *sni, const char *want, enum resolve_level level,
    enum resolve_sni how)
{
	struct endpoint		 ep;
	struct resolve_rule	 rule;
	ssize_t			 i;
	const char		*got;

	ep_of(local, &ep);
	memset(&rule, 0, sizeof rule);
	i = resolver_lookup(r, &ep, sni, &rule);
	if (want == NULL) {
		if (i != -1)
			fail_msg("%s sni=%s: want nothing, got binding %zd (%s)",
			    local, sni ? sni : "(none)", i,
			    config_binding(cfg, i)->key);
		return;
	}
	if (i < 0)
		fail_msg("%s sni=%s: want %s, got nothing", local,
		    sni ? sni : "(none)", want);
	assert_true((size_t)i < config_nbindings(cfg));
	got = config_binding(cfg, i)->key;
	if (strcmp(got, want) != 0)
		fail_msg("%s sni=%s: want %s, got %s", local,
		    sni ? sni : "(none)", want, got);
	if (rule.level != level || rule.sni != how)
		fail_msg("%s sni=%s -> %s: rule %d/%d, want %d/%d", local,
		    sni ? sni : "(none)", got, rule.level, rule.sni, level,
		    how);
	assert_non_null(resolve_rule_describe(&rule));
	/* The rule is optional. */
	assert_int_equal(resolver_lookup(r, &ep, sni, NULL), i);
}

#define KEYS \
	"keys = (\n" \
	"  { name = \"ap\";   key = \"ap.key\";   cert = \"ap.pem\"; },\n" \
	"  { name = \"ax\";   key = \"ax.key\";   cert = \"ax.pem\"; },\n" \
	"  { name = \"xp\";   key = \"xp.key\";   cert = \"xp.pem\"; },\n" \
	"  { name = \"xx\";   key = \"xx.key\";   cert = \"xx.pem\"; },\n" \
	"  { name = \"sni\";  key = \"sni.key\";  cert = \"sni.pem\"; },\n" \
	"  { name = \"wild\"; key = \"wild.key\"; cert = \"wild.pem\"; },\n" \
	"  { name = \"v6\";   key = \"v6.key\";   cert = \"v6.pem\"; }\n" \
	");\n"

/* Each level in order: a more specific level wins over the ones below. */
static void
test_levels(void **state)
{
	static const char text[] = "version = 1;\n" KEYS
	    "bindings = (\n"
	    "  { key = \"xx\"; endpoint = \"*:*\"; },\n"
	    "  { key = \"xp\"; endpoint = \"*:443\"; },\n"
	    "  { key = \"ax\"; endpoint = \"10.0.0.1:*\"; },\n"
	    "  { key = \"ap\"; endpoint = \"10.0.0.1:443\"; }\n"
	    ");\n";
	struct config	*cfg = unit_load(text);
	struct resolver	*r = resolver_new(cfg);

	assert_non_null(r);
	expect(cfg, r, "10.0.0.1:443", NULL, "ap", RESOLVE_ADDR_PORT,
	    RESOLVE_SNI_NONE);
	expect(cfg, r, "10.0.0.1:8443", NULL, "ax", RESOLVE_ADDR_ANYPORT,
	    RESOLVE_SNI_NONE);
	expect(cfg, r, "10.0.0.2:443", NULL, "xp", RESOLVE_ANYADDR_PORT,
	    RESOLVE_SNI_NONE);
	expect(cfg, r, "10.0.0.2:8443", NULL, "xx", RESOLVE_DEFAULT,
	    RESOLVE_SNI_NONE);
	/* An SNI name changes nothing when no binding has one. */
	expect(cfg, r, "10.0.0.1:443", "www.example.com", "ap",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_NONE);
	expect(cfg, r, "10.0.0.2:8443", "www.example.com", "xx",
	    RESOLVE_DEFAULT, RESOLVE_SNI_NONE);
	/* The empty name is no name. */
	expect(cfg, r, "10.0.0.2:443", "", "xp", RESOLVE_ANYADDR_PORT,
	    RESOLVE_SNI_NONE);
	/* IPv6 falls through to the "*" levels. */
	expect(cfg, r, "[::1]:443", NULL, "xp", RESOLVE_ANYADDR_PORT,
	    RESOLVE_SNI_NONE);
	expect(cfg, r, "[::1]:80", NULL, "xx", RESOLVE_DEFAULT,
	    RESOLVE_SNI_NONE);
	resolver_free(r);
	config_free(cfg);
}

/* Without a default, what no level covers is refused. */
static void
test_nothing(void **state)
{
	static const char text[] = "version = 1;\n" KEYS
	    "bindings = (\n"
	    "  { key = \"ap\"; endpoint = \"10.0.0.1:443\"; },\n"
	    "  { key = \"sni\"; endpoint = \"*:8443\"; sni = \"a.example.com\"; }\n"
	    ");\n";
	struct config	*cfg = unit_load(text);
	struct resolver	*r = resolver_new(cfg);

	expect(cfg, r, "10.0.0.1:443", NULL, "ap", RESOLVE_ADDR_PORT,
	    RESOLVE_SNI_NONE);
	expect(cfg, r, "10.0.0.2:443", NULL, NULL, 0, 0);
	expect(cfg, r, "10.0.0.1:444", NULL, NULL, 0, 0);
	/* A binding with sni never serves a connection without SNI. */
	expect(cfg, r, "10.0.0.1:8443", NULL, NULL, 0, 0);
	expect(cfg, r, "10.0.0.1:8443", "", NULL, 0, 0);
	expect(cfg, r, "10.0.0.1:8443", "b.example.com", NULL, 0, 0);
	expect(cfg, r, "10.0.0.1:8443", "a.example.com", "sni",
	    RESOLVE_ANYADDR_PORT, RESOLVE_SNI_EXACT);
	resolver_free(r);
	config_free(cfg);

	/* No bindings at all. */
	cfg = unit_load("version = 1;\nkeys = ();\nbindings = ();\n");
	r = resolver_new(cfg);
	assert_non_null(r);
	expect(cfg, r, "10.0.0.1:443", NULL, NULL, 0, 0);
	expect(cfg, r, "10.0.0.1:443", "a.example.com", NULL, 0, 0);
	resolver_free(r);
	config_free(cfg);
}

/* Within a level: exact, then one-label wildcard, then no sni. */
static void
test_sni_order(void **state)
{
	static const char text[] = "version = 1;\n" KEYS
	    "bindings = (\n"
	    "  { key = \"ap\";   endpoint = \"10.0.0.1:443\"; },\n"
	    "  { key = \"wild\"; endpoint = \"10.0.0.1:443\"; sni = \"*.example.com\"; },\n"
	    "  { key = \"sni\";  endpoint = \"10.0.0.1:443\"; sni = \"API.example.com\"; },\n"
	    "  { key = \"xx\";   endpoint = \"*:*\"; sni = \"api.example.com\"; }\n"
	    ");\n";
	struct config	*cfg = unit_load(text);
	struct resolver	*r = resolver_new(cfg);

	expect(cfg, r, "10.0.0.1:443", "api.example.com", "sni",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_EXACT);
	/* Case-insensitive both ways. */
	expect(cfg, r, "10.0.0.1:443", "Api.Example.COM", "sni",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_EXACT);
	expect(cfg, r, "10.0.0.1:443", "www.example.com", "wild",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_WILDCARD);
	expect(cfg, r, "10.0.0.1:443", "WWW.EXAMPLE.com", "wild",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_WILDCARD);
	/* The wildcard covers one label: not the bare domain, not two. */
	expect(cfg, r, "10.0.0.1:443", "example.com", "ap",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_NONE);
	expect(cfg, r, "10.0.0.1:443", "a.b.example.com", "ap",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_NONE);
	expect(cfg, r, "10.0.0.1:443", "badexample.com", "ap",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_NONE);
	expect(cfg, r, "10.0.0.1:443", "other.org", "ap",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_NONE);
	expect(cfg, r, "10.0.0.1:443", NULL, "ap", RESOLVE_ADDR_PORT,
	    RESOLVE_SNI_NONE);
	/*
	 * A more specific level wins even against an exact SNI match below
	 * it: the levels come first, the SNI rules only within a level.
	 */
	expect(cfg, r, "10.0.0.2:443", "api.example.com", "xx",
	    RESOLVE_DEFAULT, RESOLVE_SNI_EXACT);
	expect(cfg, r, "10.0.0.2:443", "www.example.com", NULL, 0, 0);
	resolver_free(r);
	config_free(cfg);

	/* The binding's own case does not matter either. */
	cfg = unit_load("version = 1;\n" KEYS "bindings = (\n"
	    "  { key = \"wild\"; endpoint = \"*:443\"; sni = \"*.EXAMPLE.org\"; },\n"
	    "  { key = \"sni\";  endpoint = \"*:443\"; sni = \"WWW.example.ORG\"; }\n"
	    ");\n");
	r = resolver_new(cfg);
	expect(cfg, r, "10.0.0.9:443", "api.example.org", "wild",
	    RESOLVE_ANYADDR_PORT, RESOLVE_SNI_WILDCARD);
	expect(cfg, r, "10.0.0.9:443", "www.Example.org", "sni",
	    RESOLVE_ANYADDR_PORT, RESOLVE_SNI_EXACT);
	expect(cfg, r, "10.0.0.9:443", "example.org", NULL, 0, 0);
	resolver_free(r);
	config_free(cfg);
}

/* A level with only sni bindings that do not match yields nothing: the
 * next level is tried. */
static void
test_fallthrough(void **state)
{
	static const char text[] = "version = 1;\n" KEYS
	    "bindings = (\n"
	    "  { key = \"sni\";  endpoint = \"10.0.0.1:443\"; sni = \"a.example.com\"; },\n"
	    "  { key = \"wild\"; endpoint = \"10.0.0.1:*\"; sni = \"*.example.com\"; },\n"
	    "  { key = \"xp\";   endpoint = \"*:443\"; sni = \"b.example.com\"; },\n"
	    "  { key = \"xx\";   endpoint = \"*:*\"; }\n"
	    ");\n";
	struct config	*cfg = unit_load(text);
	struct resolver	*r = resolver_new(cfg);

	expect(cfg, r, "10.0.0.1:443", "a.example.com", "sni",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_EXACT);
	/* b.example.com: A:P has no match, A:* has the wildcard. */
	expect(cfg, r, "10.0.0.1:443", "b.example.com", "wild",
	    RESOLVE_ADDR_ANYPORT, RESOLVE_SNI_WILDCARD);
	expect(cfg, r, "10.0.0.2:443", "b.example.com", "xp",
	    RESOLVE_ANYADDR_PORT, RESOLVE_SNI_EXACT);
	expect(cfg, r, "10.0.0.1:443", "c.other.org", "xx",
	    RESOLVE_DEFAULT, RESOLVE_SNI_NONE);
	expect(cfg, r, "10.0.0.1:443", NULL, "xx", RESOLVE_DEFAULT,
	    RESOLVE_SNI_NONE);
	resolver_free(r);
	config_free(cfg);
}

static void
test_ipv6(void **state)
{
	static const char text[] = "version = 1;\n" KEYS
	    "bindings = (\n"
	    "  { key = \"v6\"; endpoint = \"[2001:db8:0:0::1]:443\"; },\n"
	    "  { key = \"ax\"; endpoint = \"[2001:db8::2]:*\"; },\n"
	    "  { key = \"ap\"; endpoint = \"10.0.0.1:443\"; }\n"
	    ");\n";
	struct config	*cfg = unit_load(text);
	struct resolver	*r = resolver_new(cfg);

	expect(cfg, r, "[2001:db8::1]:443", NULL, "v6", RESOLVE_ADDR_PORT,
	    RESOLVE_SNI_NONE);
	expect(cfg, r, "[2001:0db8:0000::0001]:443", "x.example.com", "v6",
	    RESOLVE_ADDR_PORT, RESOLVE_SNI_NONE);
	expect(cfg, r, "[2001:db8::2]:9", NULL, "ax", RESOLVE_ADDR_ANYPORT,
	    RESOLVE_SNI_NONE);
	expect(cfg, r, "[2001:db8::1]:444", NULL, NULL, 0, 0);
	expect(cfg, r, "[2001:db8::3]:443", NULL, NULL, 0, 0);
	/* An IPv4 connection never takes an IPv6 binding. */
	expect(cfg, r, "10.0.0.1:9", NULL, NULL, 0, 0);
	resolver_free(r);
	config_free(cfg);
}

static void
test_sni_valid(void **state)
{
	assert_true(resolve_sni_valid("www.example.com", 0));
	assert_true(resolve_sni_valid("a-b.example.com", 0));
	assert_true(resolve_sni_valid("*.example.com", 1));
	assert_false(resolve_sni_valid("*.example.com", 0));
	assert_false(resolve_sni_valid("", 0));
	assert_false(resolve_sni_valid("a..example.com", 0));
	assert_false(resolve_sni_valid("a b.example.com", 0));
	assert_false(resolve_sni_valid("a\x1b.example.com", 0));
	assert_false(resolve_sni_valid("*", 1));
	assert_false(resolve_sni_valid("a.*.example.com", 1));
	assert_false(resolve_sni_valid("**.example.com", 1));
}

/*
 * The randomized cross-check. A universe of addresses, ports and names
 * small enough that queries often hit bindings at every level and under
 * every SNI rule, large enough for thousands of distinct bindings.
 */
#define NDOM	12
#define NHOST	10

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

/* The size of the universe of addresses and ports of one cross-check. */
static unsigned NADDR = 24, NPORT = 8;
/* How often, in percent, a binding's address or port is "*". */
static unsigned PANY = 25;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

struct ref_binding {
	char		 key[16];
	char		 ep[64];	/* text */
	struct endpoint	 e;
	char		*sni;		/* NULL: none */
};

static void
random_addr(char *buf, size_t len, int any_ok)
{
	unsigned	n = rng() % (NADDR + 4);

	if (any_ok && rng() % 100 < PANY)
		snprintf(buf, len, "*");
	else if (n >= NADDR)
		/* Outside the bindings' addresses. */
		snprintf(buf, len, "10.9.%u.1", n);
	else if (n % 4 == 3)
		snprintf(buf, len, "[2001:db8::%x]", n);
	else
		snprintf(buf, len, "10.0.%u.%u", n / 250, n % 250 + 1);
}

static void
random_port(char *buf, size_t len, int any_ok)
{
	static const unsigned ports[8] = {
		443, 8443, 80, 1, 65535, 4433, 9443, 10443
	};
	unsigned	n = rng() % (NPORT + 1);

	if (any_ok && rng() % 100 < PANY)
		snprintf(buf, len, "*");
	else if (n == NPORT)
		snprintf(buf, len, "7");
	else if (n < 8)
		snprintf(buf, len, "%u", ports[n]);
	else
		snprintf(buf, len, "%u", 20000 + n);
}

/* Flips the case of some letters: SNI is compared case-insensitively. */
static char *
mixed_case(char *s)
{
	char	*p;

	if (rng() % 3 == 0)
		for (p = s; *p != '\0'; p++)
			if (isalpha((unsigned char)*p) && rng() % 2)
				*p ^= 0x20;
	return s;
}

/* A binding's sni: none, a host, or a wildcard over a domain. */
static char *
random_binding_sni(void)
{
	unsigned	d = rng() % NDOM, h = rng() % NHOST;

	switch (rng() % 5) {
	case 0:
	case 1:
		return NULL;
	case 2:
		return mixed_case(xasprintf("*.d%u.test", d));
	case 3:
		/* Wildcards one level down, to catch "more than one label". */
		return mixed_case(xasprintf("*.h%u.d%u.test", h, d));
	default:
		return mixed_case(xasprintf("h%u.d%u.test", h, d));
	}
}

/* A query's SNI: none, empty, a host, deeper, the bare domain, mixed case. */
static char *
random_query_sni(void)
{
	unsigned	 d = rng() % NDOM, h = rng() % NHOST;
	char		*s, *p;

	switch (rng() % 9) {
	case 0:
		return NULL;
	case 1:
		return xstrdup("");
	case 2:
		return xasprintf("d%u.test", d);
	case 3:
		return xasprintf("x.h%u.d%u.test", h, d);
	case 4:
		return xasprintf("y.x.h%u.d%u.test", h, d);
	case 5:
		s = xasprintf("H%u.D%u.Test", h, d);
		for (p = s; *p != '\0'; p++)
			if (isalpha((unsigned char)*p) && rng() % 2)
				*p ^= 0x20;
		return s;
	case 6:
		return mixed_case(xasprintf("x.h%u.d%u.test", h, d));
	default:
		return xasprintf("h%u.d%u.test", h, d);
	}
}

/* The reference: DESIGN.md's words as a linear scan. */
static int
ref_level_matches(const struct endpoint *b, const struct endpoint *q,
    int level)
{
	int	same_addr, same_port;

	same_addr = !endpoint_any_addr(b) && b->family == q->family &&
	    memcmp(b->addr, q->addr, q->family == AF_INET ? 4 : 16) == 0;
	same_port = !endpoint_any_port(b) && b->port == q->port;
	switch (level) {
	case RESOLVE_ADDR_PORT:
		return same_addr && same_port;
	case RESOLVE_ADDR_ANYPORT:
		return same_addr && endpoint_any_port(b);
	case RESOLVE_ANYADDR_PORT:
		return endpoint_any_addr(b) && same_port;
	default:
		return endpoint_any_addr(b) && endpoint_any_port(b);
	}
}

static int
ref_wild_matches(const char *pattern, const char *host)
{
	const char	*dot;

	if (strncmp(pattern, "*.", 2) != 0)
		return 0;
	dot = strchr(host, '.');
	if (dot == NULL || dot == host)
		return 0;
	return strcasecmp(dot + 1, pattern + 2) == 0;
}

/*
 * One pass: each binding that can serve the query gets the rank of the rule
 * it would serve it under (level first, then the SNI rule); the lowest rank
 * wins. Bindings are distinct in (endpoint, sni), so no two share a rank.
 */
static ssize_t
ref_lookup(const struct ref_binding *b, size_t n, const struct endpoint *q,
    const char *sni, struct resolve_rule *rule)
{
	int	level, how, rank, best = 1000;
	size_t	i;
	ssize_t	found = -1;

	if (sni != NULL && *sni == '\0')
		sni = NULL;
	for (i = 0; i < n; i++) {
		for (level = RESOLVE_ADDR_PORT; level <= RESOLVE_DEFAULT;
		    level++)
			if (ref_level_matches(&b[i].e, q, level))
				break;
		if (level > RESOLVE_DEFAULT)
			continue;
		if (b[i].sni == NULL)
			how = RESOLVE_SNI_NONE;
		else if (sni == NULL)
			continue;
		else if (b[i].sni[0] != '*' && strcasecmp(b[i].sni, sni) == 0)
			how = RESOLVE_SNI_EXACT;
		else if (ref_wild_matches(b[i].sni, sni))
			how = RESOLVE_SNI_WILDCARD;
		else
			continue;
		rank = level * 4 + how;
		if (rank < best) {
			best = rank;
			found = i;
			rule->level = level;
			rule->sni = how;
		}
	}
	return found;
}

/* Two bindings conflict when endpoint and sni are the same. */
static int
ref_duplicate(const struct ref_binding *b, size_t n,
    const struct ref_binding *c)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (endpoint_cmp(&b[i].e, &c->e) != 0)
			continue;
		if (b[i].sni == NULL && c->sni == NULL)
			return 1;
		if (b[i].sni != NULL && c->sni != NULL &&
		    strcasecmp(b[i].sni, c->sni) == 0)
			return 1;
	}
	return 0;
}

struct stats {
	size_t	hits;
	size_t	misses;
	size_t	per_level[5];
	size_t	per_sni[4];
};

static void
cross_check(size_t want, size_t nqueries, struct stats *st)
{
	struct ref_binding	*b;
	struct config		*cfg;
	struct resolver		*r;
	struct resolve_rule	 rule, rrule;
	struct endpoint		 q;
	char			*text, *p, addr[48], port[16], qtext[96];
	char			*sni;
	size_t			 n = 0, i, tries, size;
	ssize_t			 got, ref;

	b = xcalloc(want, sizeof *b);
	for (tries = 0; n < want && tries < want * 20; tries++) {
		random_addr(addr, sizeof addr, 1);
		random_port(port, sizeof port, 1);
		snprintf(b[n].ep, sizeof b[n].ep, "%s:%s", addr, port);
		ep_of(b[n].ep, &b[n].e);
		b[n].sni = random_binding_sni();
		if (ref_duplicate(b, n, &b[n])) {
			free(b[n].sni);
			continue;
		}
		snprintf(b[n].key, sizeof b[n].key, "k%zu", n);
		n++;
	}
	assert_true(n > want / 2);

	size = 256 + n * 160;
	text = p = xmalloc(size);
	p += sprintf(p, "version = 1;\nkeys = (\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "  { name = \"%s\"; key = \"%s.key\"; "
		    "cert = \"%s.pem\"; }%s\n", b[i].key, b[i].key, b[i].key,
		    i + 1 < n ? "," : "");
	p += sprintf(p, ");\nbindings = (\n");
	for (i = 0; i < n; i++) {
		p += sprintf(p, "  { key = \"%s\"; endpoint = \"%s\";",
		    b[i].key, b[i].ep);
		if (b[i].sni != NULL)
			p += sprintf(p, " sni = \"%s\";", b[i].sni);
		p += sprintf(p, " }%s\n", i + 1 < n ? "," : "");
	}
	p += sprintf(p, ");\n");
	assert_true((size_t)(p - text) < size);

	cfg = unit_load(text);
	free(text);
	/* The binding indexes are the file's order. */
	assert_int_equal(config_nbindings(cfg), n);
	for (i = 0; i < n; i++)
		assert_string_equal(config_binding(cfg, i)->key, b[i].key);
	r = resolver_new(cfg);
	assert_non_null(r);

	for (i = 0; i < nqueries; i++) {
		random_addr(addr, sizeof addr, 0);
		random_port(port, sizeof port, 0);
		snprintf(qtext, sizeof qtext, "%s:%s", addr, port);
		ep_of(qtext, &q);
		sni = random_query_sni();
		memset(&rule, 0, sizeof rule);
		memset(&rrule, 0, sizeof rrule);
		got = resolver_lookup(r, &q, sni, &rule);
		ref = ref_lookup(b, n, &q, sni, &rrule);
		if (got != ref)
			fail_msg("query %zu: %s sni=%s: got binding %zd "
			    "(%s %s), want %zd (%s %s)", i, qtext,
			    sni ? sni : "(none)", got,
			    got >= 0 ? b[got].ep : "-",
			    got >= 0 && b[got].sni ? b[got].sni : "-", ref,
			    ref >= 0 ? b[ref].ep : "-",
			    ref >= 0 && b[ref].sni ? b[ref].sni : "-");
		if (ref >= 0) {
			if (rule.level != rrule.level || rule.sni != rrule.sni)
				fail_msg("query %zu: %s sni=%s: rule %d/%d, "
				    "want %d/%d", i, qtext, sni ? sni : "-",
				    rule.level, rule.sni, rrule.level,
				    rrule.sni);
			st->hits++;
			st->per_level[rrule.level]++;
			st->per_sni[rrule.sni]++;
		} else
			st->misses++;
		free(sni);
	}
	resolver_free(r);
	config_free(cfg);
	for (i = 0; i < n; i++)
		free(b[i].sni);
	free(b);
}

/* The universe is meant to exercise every path: make sure it did. */
static void
coverage(const struct stats *st)
{
	int	i;

	print_message("# %zu served, %zu refused; levels %zu %zu %zu %zu; "
	    "sni exact %zu wildcard %zu none %zu\n", st->hits, st->misses,
	    st->per_level[1], st->per_level[2], st->per_level[3],
	    st->per_level[4], st->per_sni[1], st->per_sni[2], st->per_sni[3]);
	for (i = RESOLVE_ADDR_PORT; i <= RESOLVE_DEFAULT; i++)
		assert_true(st->per_level[i] > 0);
	for (i = RESOLVE_SNI_EXACT; i <= RESOLVE_SNI_NONE; i++)
		assert_true(st->per_sni[i] > 0);
}

static void
test_random_small(void **state)
{
	struct stats	st;
	int		round;

	/* Small configs: sparse levels, many refusals. */
	memset(&st, 0, sizeof st);
	NADDR = 24;
	NPORT = 8;
	PANY = 25;
	for (round = 0; round < 50; round++)
		cross_check(30, 2000, &st);
	coverage(&st);
	assert_true(st.misses > st.hits / 10);
}

static void
test_random_large(void **state)
{
	struct stats	st;

	/* Sparse: a fifth of the A:P pairs have a binding. */
	memset(&st, 0, sizeof st);
	NADDR = 200;
	NPORT = 40;
	PANY = 3;
	cross_check(5000, 20000, &st);
	coverage(&st);
}

/* CPU seconds spent in n lookups on a resolver over nb bindings. */
static double
lookup_cost(size_t nb, size_t n)
{
	struct config	*cfg;
	struct resolver	*r;
	struct endpoint	*q;
	struct timespec	 t0, t1;
	char		*text, *p, ep[64];
	size_t		 i, k, hits = 0;
	ssize_t		 got;

	text = p = xmalloc(256 + nb * 80);
	p += sprintf(p, "version = 1;\nkeys = ( { name = \"k\"; "
	    "key = \"k.key\"; cert = \"k.pem\"; } );\nbindings = (\n");
	for (i = 0; i < nb; i++)
		p += sprintf(p, "  { key = \"k\"; endpoint = \"10.%zu.%zu.%zu:443\";"
		    " sni = \"h%zu.example.com\"; }%s\n", (i >> 16) & 255,
		    (i >> 8) & 255, i & 255, i % 7, i + 1 < nb ? "," : "");
	p += sprintf(p, ");\n");
	cfg = unit_load(text);
	free(text);
	r = resolver_new(cfg);
	assert_non_null(r);

	/* Half of the queries hit a binding, half miss. */
	q = xcalloc(n, sizeof *q);
	for (i = 0; i < n; i++) {
		k = rng() % (2 * nb);
		snprintf(ep, sizeof ep, "10.%zu.%zu.%zu:443", (k >> 16) & 255,
		    (k >> 8) & 255, k & 255);
		ep_of(ep, &q[i]);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (i = 0; i < n; i++) {
		got = resolver_lookup(r, &q[i], "h3.example.com", NULL);
		if (got >= 0)
			hits++;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	free(q);
	assert_true(hits > 0);
	resolver_free(r);
	config_free(cfg);
	return (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/*
 * resolve.h promises a handful of binary searches per lookup, never a scan
 * of the bindings: 16 times the bindings must not cost anywhere near 16
 * times as much per lookup. CPU time, and a wide margin, so a busy machine
 * does not make it fail; a linear scan would.
 */
static void
test_scaling(void **state)
{
	double	small, large;

	small = lookup_cost(2000, 200000);
	large = lookup_cost(32000, 200000);
	print_message("# 200000 lookups: %.3f s over 2000 bindings, %.3f s "
	    "over 32000\n", small, large);
	if (large > 5 * small + 0.05)
		fail_msg("lookups over 32000 bindings cost %.1f times those "
		    "over 2000", large / small);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_sni_order),
		cmocka_unit_test(test_fallthrough),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_sni_valid),
		cmocka_unit_test(test_random_small),
		cmocka_unit_test(test_random_large),
		cmocka_unit_test(test_scaling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
