/* parse_num: a whole word read as a decimal number within bounds, for the
 * options and shell commands that take counts and sizes; a hex CPU mask
 * for the files that take one, and its printed form. */
#ifndef LIB_PARSE_NUM_H
#define LIB_PARSE_NUM_H

#include "kernel/types.h"

/* s, all of it, as a decimal number in min..max: 0 and the value in *out,
 * or -EINVAL (no leading sign or blank, no trailing text; *out untouched) */
int parse_u64_range(const char *s, u64 min, u64 max, u64 *out);

/* s as Linux's bitmap_parse reads a CPU mask written to a file: hex groups
 * of up to 8 digits (32 bits) separated by commas, most significant first,
 * a trailing newline allowed.  0 and the mask (the last group, bits 0-31)
 * in *mask, or -EINVAL (a bad digit, an empty group, too many groups, or a
 * bit set above bit 31; *mask untouched). */
int parse_hex_mask32(const char *s, u32 *mask);

/* mask as Linux's "%*pb" prints an nbits-bit CPU mask into a file, and a
 * newline: hex groups of 32 bits separated by commas, most significant
 * first, the first group as wide as nbits needs (the others 8 digits);
 * mask is bits 0-31, higher groups are 0, bits from nbits up are not
 * shown.  As snprintf: at most size bytes written (NUL-terminated when
 * size > 0), the length needed returned. */
int format_hex_mask32(char *buf, size_t size, u32 mask, unsigned int nbits);

#endif
