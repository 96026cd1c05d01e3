#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H
#define BARENET_VERSION "0.1.0"
/* the tree the image was built from: "git <commit>[-dirty]" or "unknown"
 * (generated at build time by tools/gen-build-id.sh) */
extern const char barenet_build[];
#endif
