/* Bit operations on words and small bitmaps (Linux names and meanings). */
#ifndef LIB_BITOPS_H
#define LIB_BITOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BITS_PER_LONG 64

/* index (1-based) of the most significant set bit; 0 when x == 0 */
static inline int fls64(uint64_t x)
{
	return x ? BITS_PER_LONG - __builtin_clzll(x) : 0;
}

/* index (0-based) of the least significant set bit; x must not be 0 */
static inline unsigned int __ffs64(uint64_t x)
{
	return (unsigned int)__builtin_ctzll(x);
}

/* floor(log2(x)); x must not be 0 */
static inline unsigned int ilog2(uint64_t x)
{
	return (unsigned int)fls64(x) - 1;
}

/* ceil(log2(x)): the smallest n with 2^n >= x; 0 for x <= 1 */
static inline unsigned int order_base_2(uint64_t x)
{
	return x <= 1 ? 0 : (unsigned int)fls64(x - 1);
}

static inline bool is_power_of_2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* the smallest power of two >= x (x <= 2^63) */
static inline uint64_t roundup_pow_of_two(uint64_t x)
{
	return 1ULL << order_base_2(x);
}

static inline unsigned int hweight64(uint64_t x)
{
	return (unsigned int)__builtin_popcountll(x);
}

/* index (0-based) of the n-th (0-based) set bit of word, as Linux's
 * find_nth_bit on one word; word must have more than n bits set */
static inline unsigned int find_nth_bit32(uint32_t word, unsigned int n)
{
	while (n--)
		word &= word - 1;       /* drop the lowest set bit */
	return (unsigned int)__builtin_ctz(word);
}

/* bitmaps of unsigned longs */
#define BITS_TO_LONGS(n)        (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, n) unsigned long name[BITS_TO_LONGS(n)]

static inline void set_bit(unsigned int nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline void clear_bit(unsigned int nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}

static inline bool test_bit(unsigned int nr, const unsigned long *map)
{
	return (map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG)) & 1;
}

/* first clear bit below size, or size when every bit is set */
static inline unsigned int find_first_zero_bit(const unsigned long *map, unsigned int size)
{
	for (unsigned int i = 0; i < BITS_TO_LONGS(size); i++) {
		if (~map[i]) {
			unsigned int nr = i * BITS_PER_LONG + __ffs64(~map[i]);
			return nr < size ? nr : size;
		}
	}
	return size;
}

#endif
