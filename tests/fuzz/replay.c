/*
 * Replays files through a fuzz target without libFuzzer: make check runs
 * every stored corpus entry and crash reproducer this way, with any
 * compiler. Prints TAP, one test per file.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"

int
main(int argc, char **argv)
{
	FILE	*f;
	uint8_t	*buf;
	long	 len;
	int	 i, bad = 0;

	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL ||
		    fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0) {
			printf("not ok %d - %s: cannot read\n", i, argv[i]);
			bad = 1;
			if (f != NULL)
				fclose(f);
			continue;
		}
		buf = malloc((size_t)len + 1);
		if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
			printf("not ok %d - %s: cannot read\n", i, argv[i]);
			bad = 1;
		} else {
			LLVMFuzzerTestOneInput(buf, (size_t)len);
			printf("ok %d - %s\n", i, argv[i]);
		}
		fflush(stdout);
		free(buf);
		fclose(f);
	}
	return bad;
}
