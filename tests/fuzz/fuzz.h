/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c), built for the host
 * with clang's libFuzzer, ASan and UBSan (tests/fuzz/build.mk). */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include "lwip/arch.h"

/* libFuzzer's entry points */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* lwIP's random numbers (net/lwip/port.c) from a fixed seed rather than
 * the TSC, so that an input replays the same */
#define FUZZ_RAND_SEED 0x9e3779b97f4a7c15ull

static inline void fuzz_port_reseed(void)
{
	lwip_port_srand(FUZZ_RAND_SEED);
}

/* a broken invariant: report it and abort, which libFuzzer records as a
 * crash with the input that caused it */
#define FUZZ_CHECK(cond, ...)                                                 \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
			abort();                                              \
		}                                                             \
	} while (0)

#endif
