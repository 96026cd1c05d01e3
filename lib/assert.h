/* Assertions.  ASSERT() stays in release builds: a broken invariant in a
 * kernel is better stopped with a message than carried on. */
#ifndef LIB_ASSERT_H
#define LIB_ASSERT_H

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define ASSERT(cond)                                                         \
	do {                                                                 \
		if (__builtin_expect(!(cond), 0))                            \
			panic("assertion '%s' failed at %s:%d", #cond,        \
			      __FILE__, __LINE__);                            \
	} while (0)

/* report a should-not-happen condition without stopping; yields cond */
#define WARN_ON(cond)                                                        \
	({                                                                   \
		int __c = !!(cond);                                          \
		if (__builtin_expect(__c, 0))                                \
			printk("\0014" "WARNING: '%s' at %s:%d\n", #cond,     \
			       __FILE__, __LINE__);                           \
		__c;                                                         \
	})

#define STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

#endif
