/* gcc's <limits.h> chains to the C library's unless told there is none. */
#ifndef LIBC_LIMITS_H
#define LIBC_LIMITS_H
#define _LIBC_LIMITS_H_
#include_next <limits.h>
#endif
