/*
 * Config loader, text to model to findings: never crashes, every refusal
 * says why, and what it accepts serializes to text that loads to the same
 * text again.
 */
#include <stdlib.h>
#include <string.h>

#include "op/check.h"
#include "core/config.h"
#include "util/errlist.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct errlist		 errs = ERRLIST_INIT;
	struct findings		 fs = FINDINGS_INIT;
	struct check_opts	 o;
	struct config		*cf = NULL, *again = NULL;
	char			*text, *text2;

	if (config_parse((const char *)data, len, "fuzz.conf", &cf,
	    &errs) != 0) {
		FUZZ_ASSERT(errs.n > 0 && cf == NULL);
		errlist_clear(&errs);
		return 0;
	}
	check_opts_default(&o);
	o.offline = 1;
	o.files = 0;
	check_config(cf, &o, &fs);
	findings_clear(&fs);
	text = config_serialize(cf);
	FUZZ_ASSERT(config_parse(text, strlen(text), "again.conf", &again,
	    &errs) == 0);
	text2 = config_serialize(again);
	FUZZ_ASSERT(strcmp(text, text2) == 0);
	free(text);
	free(text2);
	config_free(again);
	config_free(cf);
	errlist_clear(&errs);
	return 0;
}
