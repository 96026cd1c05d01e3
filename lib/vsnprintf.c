/* vsnprintf: the printf subset the kernel and lwIP use.
 *
 * Conversions: d i u x X o p s c %, with flags - 0 + space #, width and
 * precision (also '*'), and length modifiers hh h l ll z t j.  Always
 * NUL-terminates when size > 0 and returns the length the full output would
 * have had (C99), so callers can detect truncation. */
#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

struct out {
	char *buf;
	size_t size;
	size_t len;     /* characters produced so far, even past size */
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec;       /* -1: none */
};

static void out_str(struct out *o, const char *s, const struct spec *sp)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = sp->prec >= 0 ? strnlen(s, sp->prec) : strlen(s);
	if (!sp->left)
		out_pad(o, ' ', sp->width - (int)n);
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
	if (sp->left)
		out_pad(o, ' ', sp->width - (int)n);
}

static void out_num(struct out *o, unsigned long long v, bool neg, int base,
		    bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, prec = sp->prec, total;
	const char *prefix = "";
	bool is_zero = v == 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;                  /* "%.0d" of 0 prints nothing */
	if (neg)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	/* C11 7.21.6.1: '#' adds 0x to a nonzero value only, and raises the
	 * precision of %o only as far as needed for a leading 0 */
	if (sp->alt && base == 16 && !is_zero)
		prefix = upper ? "0X" : "0x";
	if (sp->alt && base == 8 && !(is_zero && n == 1) && prec <= n)
		prec = n + 1;
	if (prec < n)
		prec = n;
	total = prec + (int)strlen(prefix);

	if (!sp->left && !(sp->zero && sp->prec < 0))
		out_pad(o, ' ', sp->width - total);
	for (const char *p = prefix; *p; p++)
		out_char(o, *p);
	if (!sp->left && sp->zero && sp->prec < 0)
		out_pad(o, '0', sp->width - total);
	out_pad(o, '0', prec - n);
	while (n)
		out_char(o, tmp[--n]);
	if (sp->left)
		out_pad(o, ' ', sp->width - total);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (const char *p = fmt; *p; p++) {
		struct spec sp = { .prec = -1 };
		int lng = 0;            /* 0 int, 1 long, 2 long long, -1 short, -2 char */
		bool is_signed = false, upper = false;
		int base = 10;
		unsigned long long v;
		bool neg = false;

		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		for (p++;; p++) {
			if (*p == '-') sp.left = true;
			else if (*p == '0') sp.zero = true;
			else if (*p == '+') sp.plus = true;
			else if (*p == ' ') sp.space = true;
			else if (*p == '#') sp.alt = true;
			else break;
		}
		if (*p == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				sp.width = sp.width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			sp.prec = 0;
			if (*p == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					sp.prec = sp.prec * 10 + (*p++ - '0');
			}
		}
		for (;; p++) {
			if (*p == 'l') lng = lng == 1 ? 2 : 1;
			else if (*p == 'h') lng = lng == -1 ? -2 : -1;
			else if (*p == 'z' || *p == 't' || *p == 'j') lng = 2;
			else break;
		}

		switch (*p) {
		case '\0':
			p--;            /* a lone '%' at the end: stop cleanly */
			continue;
		case '%':
			out_char(&o, '%');
			continue;
		case 'c':
			sp.prec = -1;
			{
				char c[2] = { (char)va_arg(ap, int), 0 };
				if (!sp.left)
					out_pad(&o, ' ', sp.width - 1);
				out_char(&o, c[0]);
				if (sp.left)
					out_pad(&o, ' ', sp.width - 1);
			}
			continue;
		case 's':
			out_str(&o, va_arg(ap, const char *), &sp);
			continue;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			sp.alt = true;
			out_num(&o, v, false, 16, false, &sp);
			continue;
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'u':
			break;
		case 'X':
			upper = true;
			/* fall through */
		case 'x':
			base = 16;
			break;
		case 'o':
			base = 8;
			break;
		default:
			/* unknown conversion: print it verbatim so the mistake shows */
			out_char(&o, '%');
			out_char(&o, *p);
			continue;
		}

		if (is_signed) {
			long long s;

			if (lng == 2) s = va_arg(ap, long long);
			else if (lng == 1) s = va_arg(ap, long);
			else if (lng == -1) s = (short)va_arg(ap, int);
			else if (lng == -2) s = (signed char)va_arg(ap, int);
			else s = va_arg(ap, int);
			neg = s < 0;
			v = neg ? -(unsigned long long)s : (unsigned long long)s;
		} else {
			if (lng == 2) v = va_arg(ap, unsigned long long);
			else if (lng == 1) v = va_arg(ap, unsigned long);
			else if (lng == -1) v = (unsigned short)va_arg(ap, unsigned int);
			else if (lng == -2) v = (unsigned char)va_arg(ap, unsigned int);
			else v = va_arg(ap, unsigned int);
		}
		out_num(&o, v, neg, base, upper, &sp);
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
