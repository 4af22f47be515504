/*
 * Resolution with arbitrary SNI and local addresses, over a config that
 * has every level and both kinds of sni binding. Checks the invariants of
 * DESIGN.md: a binding with sni never serves a connection without SNI, and
 * a wildcard sni binding is used only for a name one label under it.
 */
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "util/errlist.h"
#include "core/resolve.h"
#include "tests/fuzz/fuzz.h"

static const char conf[] =
    "version = 1;\n"
    "keys = ( { name = \"a\"; key = \"a.key\"; cert = \"a.pem\"; } );\n"
    "bindings = (\n"
    "  { key = \"a\"; endpoint = \"127.0.0.2:443\"; },\n"
    "  { key = \"a\"; endpoint = \"127.0.0.2:443\"; sni = \"www.example.com\"; },\n"
    "  { key = \"a\"; endpoint = \"127.0.0.2:*\"; sni = \"*.example.com\"; },\n"
    "  { key = \"a\"; endpoint = \"[::1]:443\"; sni = \"*.example.org\"; },\n"
    "  { key = \"a\"; endpoint = \"*:8443\"; sni = \"api.example.com\"; },\n"
    "  { key = \"a\"; endpoint = \"*:*\"; sni = \"*.example.test\"; }\n"
    ");\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct config	*cf;
	static struct resolver	*r;
	const struct config_binding *b;
	struct errlist		 errs = ERRLIST_INIT;
	struct resolve_rule	 rule;
	struct endpoint		 ep;
	char			 sni[300];
	const char		*dot;
	ssize_t			 i;

	if (cf == NULL) {
		FUZZ_ASSERT(config_parse(conf, sizeof conf - 1, "fuzz", &cf,
		    &errs) == 0);
		r = resolver_new(cf);
	}
	if (len < 19)
		return 0;
	memset(&ep, 0, sizeof ep);
	ep.family = (data[0] & 1) ? AF_INET6 : AF_INET;
	memcpy(ep.addr, data + 1, ep.family == AF_INET ? 4 : 16);
	ep.port = (uint16_t)(data[17] << 8 | data[18]);
	if (ep.port == 0)
		ep.port = 443;
	len -= 19;
	if (len >= sizeof sni)
		len = sizeof sni - 1;
	memcpy(sni, data + 19, len);
	sni[len] = '\0';

	i = resolver_lookup(r, &ep, NULL, &rule);
	if (i >= 0)
		FUZZ_ASSERT(config_binding(cf, (size_t)i)->sni == NULL);
	i = resolver_lookup(r, &ep, sni, &rule);
	if (i >= 0 && (b = config_binding(cf, (size_t)i))->sni != NULL) {
		if (rule.sni == RESOLVE_SNI_EXACT)
			FUZZ_ASSERT(strcasecmp(b->sni, sni) == 0);
		else {
			FUZZ_ASSERT(rule.sni == RESOLVE_SNI_WILDCARD);
			dot = strchr(sni, '.');
			FUZZ_ASSERT(dot != NULL && dot != sni &&
			    strcasecmp(dot, b->sni + 1) == 0);
		}
	}
	return 0;
}
