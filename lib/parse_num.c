/* parse_num: bounded decimal numbers over strtoull (no kernel state:
 * host-testable). */
#include "lib/parse_num.h"
#include "kernel/errno.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* at most 16 groups of 32 bits: more is a malformed mask for any CPU count
 * this kernel supports */
#define HEX_MASK_GROUPS_MAX 16

int parse_hex_mask32(const char *s, u32 *mask)
{
	u32 groups[HEX_MASK_GROUPS_MAX];
	unsigned int n = 0;
	size_t len = strlen(s);

	if (len && s[len - 1] == '\n')
		len--;
	if (!len)
		return -EINVAL;
	while (len) {
		u32 v = 0;
		unsigned int digits = 0;

		while (len && s[0] != ',') {
			char c = s[0];
			u32 d = c >= '0' && c <= '9' ? (u32)(c - '0') :
				c >= 'a' && c <= 'f' ? (u32)(c - 'a' + 10) :
				c >= 'A' && c <= 'F' ? (u32)(c - 'A' + 10) : 16;

			if (d == 16 || ++digits > 8)
				return -EINVAL;
			v = v << 4 | d;
			s++;
			len--;
		}
		if (!digits || n == HEX_MASK_GROUPS_MAX)
			return -EINVAL;
		groups[n++] = v;
		if (len) {              /* the comma */
			s++;
			len--;
			if (!len)
				return -EINVAL;
		}
	}
	/* the last group is bits 0-31; a bit in an earlier one is too high */
	for (unsigned int i = 0; i + 1 < n; i++)
		if (groups[i])
			return -EINVAL;
	*mask = groups[n - 1];
	return 0;
}

int format_hex_mask32(char *buf, size_t size, u32 mask, unsigned int nbits)
{
	unsigned int groups, first;
	size_t len = 0;

	if (!nbits)
		nbits = 1;
	groups = (nbits + 31) / 32;
	first = (nbits % 32 + 3) / 4;
	if (!first)
		first = 8;
	if (nbits < 32)
		mask &= (1U << nbits) - 1;
	for (unsigned int g = groups; g > 0; g--)
		len += (size_t)snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
					"%s%0*x", g == groups ? "" : ",",
					(int)(g == groups ? first : 8), g == 1 ? mask : 0U);
	len += (size_t)snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, "\n");
	return (int)len;
}
