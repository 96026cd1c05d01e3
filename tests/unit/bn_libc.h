/* lib/ functions under their test names.  tests/unit/build.mk compiles lib/
 * with -Dmemcpy=bn_memcpy etc. so ours link beside the host C library's; a
 * test #undefs those names (keeping the host's) and calls ours through these. */
#ifndef TESTS_UNIT_BN_LIBC_H
#define TESTS_UNIT_BN_LIBC_H
#include <stdarg.h>
#include <stddef.h>

int bn_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int bn_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

long bn_strtol(const char *s, char **end, int base);
unsigned long bn_strtoul(const char *s, char **end, int base);
unsigned long long bn_strtoull(const char *s, char **end, int base);
int bn_atoi(const char *s);
int bn_abs(int v);

void *bn_memcpy(void *dst, const void *src, size_t n);
void *bn_memmove(void *dst, const void *src, size_t n);
void *bn_memset(void *dst, int c, size_t n);
int bn_memcmp(const void *a, const void *b, size_t n);
size_t bn_strlen(const char *s);
size_t bn_strnlen(const char *s, size_t max);
int bn_strcmp(const char *a, const char *b);
int bn_strncmp(const char *a, const char *b, size_t n);
char *bn_strchr(const char *s, int c);
char *bn_strrchr(const char *s, int c);
char *bn_strstr(const char *hay, const char *needle);
size_t bn_strlcpy(char *dst, const char *src, size_t size);

#endif
