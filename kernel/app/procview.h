/* /proc and /sys for applications: barenet's views opened read-only
 * (kernel/app/procview.c). */
#ifndef KERNEL_APP_PROCVIEW_H
#define KERNEL_APP_PROCVIEW_H

#include "kernel/types.h"

/* path (absolute) is under /proc or /sys */
bool procview_path(const char *path);
/* open(2) of such a path: a descriptor or -errno */
long procview_open(const char *path, int flags);

#endif
