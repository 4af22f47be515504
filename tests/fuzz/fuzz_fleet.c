/*
 * What anyone who can write under PREFIX/nodes/ may put in a node's
 * record: fleet_node_parse() never crashes, refuses with a cause and an
 * empty node, and what it accepts keeps the header's promises (the name
 * set, numbers not negative) and encodes to a record that parses back to
 * the same node.
 */
#include <stdlib.h>
#include <string.h>

#include "op/fleet.h"
#include "tests/fuzz/fuzz.h"

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fleet_node	 n, back;
	char			*cause = NULL, *json;

	if (fleet_node_parse("node", (const char *)data, len, &n,
	    &cause) != 0) {
		FUZZ_ASSERT(cause != NULL && n.name == NULL &&
		    n.address == NULL && n.host == NULL);
		free(cause);
		return 0;
	}
	FUZZ_ASSERT(cause == NULL && n.name != NULL);
	FUZZ_ASSERT(n.revision >= 0 && n.loaded >= 0 && n.pid >= 0 &&
	    n.refused_revision >= 0);
	json = fleet_node_encode(&n);
	FUZZ_ASSERT(json != NULL);
	/* A string that is not UTF-8 is left out by the encoder. */
	if (fleet_node_parse("node", json, strlen(json), &back, &cause) != 0)
		__builtin_trap();
	FUZZ_ASSERT(back.revision == n.revision && back.loaded == n.loaded &&
	    back.pid == n.pid && back.generation == n.generation &&
	    back.refused_revision == n.refused_revision);
	FUZZ_ASSERT(same(back.address, n.address) && same(back.host, n.host) &&
	    same(back.version, n.version) && same(back.refused, n.refused));
	fleet_node_clear(&back);
	free(json);
	fleet_node_clear(&n);
	return 0;
}
