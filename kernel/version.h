#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H
#define BARENET_VERSION "0.1.0"
/* the tree the image was built from: "git <commit>[-dirty]" or "unknown"
 * (generated at build time by tools/gen-build-id.sh) */
extern const char barenet_build[];
/* the image's flavour (Makefile: FLAVOUR): "release" (LOCK_DEBUG=0
 * KMALLOC_DEBUG=0, what make run and make bench boot), "checked" (both 1,
 * what make test boots) or "custom"; in the boot banner, /proc/version and
 * uname's version, as Linux's UTS_VERSION names its build ("SMP PREEMPT") */
#ifndef BARENET_FLAVOUR
#define BARENET_FLAVOUR "custom"
#endif
#endif
