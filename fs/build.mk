# fs/: the read-only views (/proc, /sys) the shell reads (fs/view.h)
kernel-srcs += fs/view.c
