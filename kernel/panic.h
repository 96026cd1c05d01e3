/* panic(): report a broken invariant with registers and a backtrace, then
 * halt or power off (cmdline `panic=halt|exit`). */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "kernel/types.h"
#include "lib/assert.h"

struct trap_frame;

/* Print "Kernel panic: <msg>", the registers, "Call Trace:" and a backtrace,
 * then stop: halt for ever (panic=halt, the default) or power off with
 * EXIT_PANIC (panic=exit).  A panic inside a panic prints one line and stops. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* panic() with the registers and backtrace of an exception's trap frame */
__noreturn void panic_trap(const struct trap_frame *tf, const char *fmt, ...) __printf(2, 3);

/* true once a panic has started */
bool panic_in_progress(void);

/* print the registers of tf, "RIP: 0x<hex> <sym+0xoff/0xsize>" first */
void show_regs(const struct trap_frame *tf);

/* a broken invariant: same mechanism as lib/assert.h's ASSERT */
#define BUG_ON(cond) ASSERT(!(cond))

#endif
