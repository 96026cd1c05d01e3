/* The ones' complement sum of RFC 1071, eight bytes per iteration.
 *
 * The sum does not depend on byte order (RFC 1071 2(B)): the words are
 * added as the CPU loads them (little-endian) and the folded result is
 * byte-swapped once.  Under QEMU's TCG every guest instruction and memory
 * access counts; a loop over byte pairs did two loads and a shift per two
 * bytes, this one loads eight. */
#include "lib/csum.h"

typedef uint64_t __attribute__((may_alias, aligned(1))) u64_unaligned;
typedef uint32_t __attribute__((may_alias, aligned(1))) u32_unaligned;
typedef uint16_t __attribute__((may_alias, aligned(1))) u16_unaligned;

uint32_t csum_add_be(uint32_t sum, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t acc = 0;
	uint32_t s;

	/* 32-bit halves into a 64-bit accumulator: no carry is lost for
	 * any length below 2^32 words */
	for (; n >= 8; b += 8, n -= 8) {
		uint64_t v = *(const u64_unaligned *)b;

		acc += (v & 0xffffffffu) + (v >> 32);
	}
	if (n >= 4) {
		acc += *(const u32_unaligned *)b;
		b += 4;
		n -= 4;
	}
	if (n >= 2) {
		acc += *(const u16_unaligned *)b;
		b += 2;
		n -= 2;
	}
	if (n)
		acc += *b;      /* little-endian: the low half of its word */
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	s = (uint32_t)(((acc & 0xff) << 8) | (acc >> 8));
	acc = (uint64_t)sum + s;
	return (uint32_t)acc + (uint32_t)(acc >> 32);
}
