/* Frame-pointer backtraces (the kernel is built with -fno-omit-frame-pointer:
 * each frame starts with the caller's rbp, then the return address). */
#ifndef KERNEL_BACKTRACE_H
#define KERNEL_BACKTRACE_H

#include "kernel/types.h"

#define BACKTRACE_MAX_FRAMES 32
#define BACKTRACE_MAX_STACKS 8

/* Print " [<ffffffff80101234>] kmain+0x1c/0x90" for rip, then for each
 * return address found by walking the rbp chain from rbp.  The walk stops
 * at a zero rbp (the boot entry clears it), or at a frame pointer that is
 * not canonical, not 8-byte aligned, not above the previous one, or not on
 * the stack the walk started on, or at a return address outside the text.
 * sp (0: unknown) is the stack pointer at rip: a return address on top of
 * it is printed as "? name+off/size" when the rbp chain would miss it (rip
 * in a function without a frame). */
void backtrace_print(unsigned long rip, unsigned long rbp, unsigned long sp);

/* backtrace of the caller */
void dump_stack(void);

/* Make a stack [lo, hi) known to the walker; the boot stack and the IST
 * stacks are known already.  0 or -ENOSPC. */
int backtrace_add_stack(unsigned long lo, unsigned long hi);

#endif
