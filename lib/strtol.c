/* Number parsing: strtol family and atoi, C99 semantics (base 0 = auto). */
#include <stdlib.h>
#include <ctype.h>
#include <limits.h>

unsigned long long strtoull(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long long v = 0;
	int neg = 0, any = 0, overflow = 0;

	while (isspace(*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
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
		if (v > (ULLONG_MAX - d) / base)
			overflow = 1;
		v = v * base + d;
		any = 1;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (overflow)
		return ULLONG_MAX;
	return neg ? -v : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}

long strtol(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long long v;
	int neg;

	while (isspace(*p))
		p++;
	neg = *p == '-';
	v = strtoull(s, end, base);
	if (neg) {
		v = -v;
		if (v > (unsigned long long)LONG_MAX + 1)
			return LONG_MIN;
		return -(long)v;
	}
	if (v > LONG_MAX)
		return LONG_MAX;
	return v;
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

int abs(int v)
{
	return v < 0 ? -v : v;
}
