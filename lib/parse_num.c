/* parse_num: bounded decimal numbers over strtoull (no kernel state:
 * host-testable). */
#include "lib/parse_num.h"
#include "kernel/errno.h"
#include <stdlib.h>

int parse_u64_range(const char *s, u64 min, u64 max, u64 *out)
{
	char *end;
	unsigned long long v;

	/* strtoull would take blanks and a sign first: only digits here */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	/* an overflow saturates at ULLONG_MAX, past any max below it */
	v = strtoull(s, &end, 10);
	if (*end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}
