/* In-kernel self-tests, run on request: cmdline `selftest=name[,name...]`.
 *
 * A test is registered with SELFTEST(name, fn, help); linker.ld collects the
 * records in .selftests.  kmain calls selftest_run_requested() after the
 * ready line.  Some tests are meant to crash the kernel (ud2, pf, ...): the
 * QEMU tests read the exception report from the serial log. */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include "kernel/printk.h"
#include "kernel/types.h"

#define SELFTEST_LIST_MAX 256           /* the longest selftest= value kept */

struct selftest {
	const char *name;
	int (*fn)(void);                /* 0 = passed, negative errno = failed */
	const char *help;
};

#define SELFTEST(n, f, h)                                                    \
	static const struct selftest __selftest_##f                          \
	__used __section(".selftests") __aligned(8) = { (n), (f), (h) }

/* Inside a test function with an `int rc` and an `out:` label: on a false
 * condition, print "selftest <name>: check failed: <cond> (line N)", set
 * rc = -EIO and jump to out (the test's clean-up). */
#define SELFTEST_CHECK(name, cond)                                           \
	do {                                                                 \
		if (!(cond)) {                                               \
			pr_err("selftest " name ": check failed: %s (line %d)\n", \
			       #cond, __LINE__);                              \
			rc = -EIO;                                           \
			goto out;                                            \
		}                                                            \
	} while (0)

/* Run the tests named by selftest=, in order, printing "selftest <name>:
 * passed" or "... FAILED (<errno>)".  Returns the number that failed. */
int selftest_run_requested(void);

#endif
