/* Number parsing: strtol family and atoi, C99 semantics (base 0 = auto). */
#include <stdlib.h>
#include <ctype.h>
#include <limits.h>

/* Parse [blanks][sign][0x|0]digits into a magnitude.  *neg gets the sign,
 * the return value saturates at ULLONG_MAX with *overflow set.  *end points
 * past the last digit, or at s when there were no digits (C11 7.22.1.4). */
static unsigned long long parse(const char *s, char **end, int base, int *neg, int *overflow)
{
	const char *p = s;
	unsigned long long v = 0;
	int any = 0;

	*neg = 0;
	*overflow = 0;
	while (isspace(*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 0x20) == 'x' && isxdigit(p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (;; p++) {
		int d;

		if (isdigit(*p))
			d = *p - '0';
		else if (isalpha(*p))
			d = (*p | 0x20) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (ULLONG_MAX - d) / base) {
			*overflow = 1;
			v = ULLONG_MAX;
		} else if (!*overflow) {
			v = v * base + d;
		}
		any = 1;
	}
	if (end)
		*end = (char *)(any ? p : s);
	return v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	int neg, overflow;
	unsigned long long v = parse(s, end, base, &neg, &overflow);

	if (overflow)
		return ULLONG_MAX;
	return neg ? -v : v;    /* C: a minus sign negates in the unsigned type */
}

unsigned long strtoul(const char *s, char **end, int base)
{
	int neg, overflow;
	unsigned long long v = parse(s, end, base, &neg, &overflow);

	if (overflow || v > ULONG_MAX)
		return ULONG_MAX;
	return neg ? -(unsigned long)v : (unsigned long)v;
}

long strtol(const char *s, char **end, int base)
{
	int neg, overflow;
	unsigned long long v = parse(s, end, base, &neg, &overflow);

	if (neg) {
		if (overflow || v > (unsigned long long)LONG_MAX + 1)
			return LONG_MIN;
		/* -(LONG_MIN) does not fit a long: negate in the unsigned type */
		return v == (unsigned long long)LONG_MAX + 1 ? LONG_MIN : -(long)v;
	}
	if (overflow || v > LONG_MAX)
		return LONG_MAX;
	return (long)v;
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

int abs(int v)
{
	return v < 0 ? -v : v;
}
