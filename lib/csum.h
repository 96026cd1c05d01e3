/* The Internet checksum's ones' complement sum (RFC 1071) over a buffer,
 * for the sums the network code computes itself. */
#ifndef LIB_CSUM_H
#define LIB_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* sum plus the ones' complement sum of the n bytes at p, taken as
 * big-endian 16-bit words (a last odd byte as the high half of a word),
 * not folded: the caller adds what else it needs and folds; a carry out
 * of bit 31 is added back in (end-around), so any start sum is safe */
uint32_t csum_add_be(uint32_t sum, const void *p, size_t n);

/* sum folded to 16 bits (end-around carry), not complemented */
static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* the value a checksum field holds for sum: folded, then complemented
 * (a header whose stored checksum is right sums to csum_finish() == 0) */
static inline uint16_t csum_finish(uint32_t sum)
{
	return (uint16_t)~csum_fold(sum);
}

#endif
