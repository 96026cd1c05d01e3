/* parse_num: a whole word read as a decimal number within bounds, for the
 * options and shell commands that take counts and sizes. */
#ifndef LIB_PARSE_NUM_H
#define LIB_PARSE_NUM_H

#include "kernel/types.h"

/* s, all of it, as a decimal number in min..max: 0 and the value in *out,
 * or -EINVAL (no leading sign or blank, no trailing text; *out untouched) */
int parse_u64_range(const char *s, u64 min, u64 max, u64 *out);

#endif
