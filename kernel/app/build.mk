# The application runtime (kernel/app/app.h) and `make APP=...`.
#
# APP names the program: one C file, several (APP='a.c b.c'), or a directory
# (every *.c in it).  It is built as an ordinary static Linux program against
# Debian's musl (musl-dev: the headers in /usr/include/x86_64-linux-musl,
# crt1.o and libc.a through musl-gcc.specs), at the usual 0x400000, not
# position-independent, into $(BUILD)/apps/<name>/<name>.elf; its copy
# without debug sections is embedded in the kernel image by
# kernel/app/image.S.  Without APP the image has no application.
# APP_CFLAGS and APP_LDLIBS add options (-D..., -lm); APP_NAME names it.
#
# make APP=...             $(BUILD)/barenet.elf with the application
# make app-kernel APP=...  $(BUILD)/apps/<name>/barenet.elf, linked from the
#                          same kernel objects (the tests build each of
#                          theirs this way, one kernel compile for all)
# (the rules are in kernel/app/app.mk, read after the object list is known)
kernel-srcs += kernel/app/entry.S kernel/app/arch.c kernel/app/uvm.c kernel/app/thread.c \
	kernel/app/fd.c kernel/app/futex.c kernel/app/loader.c kernel/app/syscall.c \
	kernel/app/sys_net.c kernel/app/poll.c kernel/app/epoll.c kernel/app/tmpfs.c \
	kernel/app/procview.c kernel/app/signal.c

# the embedded application's object (kernel/app/app.mk builds it)
kernel-extra-objs += $(BUILD)/obj/kernel/app/image.o
# FIONREAD reads a stream socket's queued bytes (net/socket/sock_internal.h)
CFLAGS_kernel_app_sys_net = -Inet/lwip/include -I$(LWIPDIR)/include
