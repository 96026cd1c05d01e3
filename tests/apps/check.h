/* The checks the test applications (tests/apps/files.c, reuseaddr.c,
 * runtime.c, sockapi.c) make from inside the guest.  CHECK(name, cond,
 * fmt, ...) prints "ok <name>" when cond holds, otherwise counts one in
 * `failures` and prints "FAIL <name>: " and the fmt text; the host's test
 * reads those lines, and the program's exit status is `failures`.
 *
 * A program whose checks are mostly of calls that set errno defines
 * CHECK_TELLS_ERRNO before including this: its FAIL lines then end with
 * " (errno N name)" (tests/apps/sockapi.c). */
#ifndef TESTS_APPS_CHECK_H
#define TESTS_APPS_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int failures;

#ifdef CHECK_TELLS_ERRNO
#define CHECK_FAIL_END() printf(" (errno %d %s)\n", errno, strerror(errno))
#else
#define CHECK_FAIL_END() printf("\n")
#endif

#define CHECK(name, cond, ...) do {                                   \
	if (cond) {                                                   \
		printf("ok %s\n", name);                              \
	} else {                                                      \
		failures++;                                           \
		printf("FAIL %s: ", name);                            \
		printf(__VA_ARGS__);                                  \
		CHECK_FAIL_END();                                     \
	}                                                             \
} while (0)

#endif
