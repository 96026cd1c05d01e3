/* Freestanding <stdlib.h>: number parsing only (no heap here: see kernel/kmalloc.h). */
#ifndef LIBC_STDLIB_H
#define LIBC_STDLIB_H
#include <stddef.h>

int atoi(const char *s);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int abs(int v);

#endif
