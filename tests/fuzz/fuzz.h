/*
 * The libFuzzer entry point every target defines. The same targets are
 * built two ways: with -fsanitize=fuzzer by make fuzz, and with replay.c
 * by make check, which runs them over the stored corpus and reproducers.
 */
#ifndef CERTBIND_FUZZ_H
#define CERTBIND_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A property the target checks failed: crash so the fuzzer records it. */
#define FUZZ_ASSERT(x)	do { if (!(x)) __builtin_trap(); } while (0)

#endif
