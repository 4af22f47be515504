/*
 * Endpoint parser: never crashes, and whatever it accepts formats to text
 * that parses back to the same endpoint.
 */
#include <stdlib.h>
#include <string.h>

#include "core/endpoint.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct endpoint	 a, b;
	char		*s, *cause = NULL, text[ENDPOINT_STRLEN];

	s = malloc(len + 1);
	memcpy(s, data, len);
	s[len] = '\0';
	if (endpoint_parse(s, &a, &cause) == 0) {
		endpoint_format(&a, text);
		FUZZ_ASSERT(endpoint_parse(text, &b, NULL) == 0);
		FUZZ_ASSERT(endpoint_cmp(&a, &b) == 0);
	} else
		FUZZ_ASSERT(cause != NULL);
	free(cause);
	free(s);
	return 0;
}
