/* Kernel services that project sources call, provided on the host for unit
 * tests: printk goes to stderr, panic aborts the test. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int printk(const char *fmt, ...);
void panic(const char *fmt, ...);

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (fmt[0] == '\001' && fmt[1])
		fmt += 2;
	va_start(ap, fmt);
	n = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}
