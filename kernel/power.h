/* Power-off with an exit status, for tests and for `make run`. */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#include "kernel/types.h"

/* exit statuses the kernel reports; QEMU's isa-debug-exit turns status s
 * into the process exit code 2*s+1 */
#define EXIT_OK      0      /* QEMU exits 1 */
#define EXIT_FAIL    1      /* QEMU exits 3: a self-test failed */
#define EXIT_PANIC   0x7f   /* QEMU exits 255 */

/* -device isa-debug-exit,iobase=0xf4,iosize=0x04: a write of v exits QEMU
 * with status (v << 1) | 1.  On hardware nothing listens on this port. */
#define ISA_DEBUG_EXIT_PORT 0xF4

/* stop the machine, reporting status: QEMU's isa-debug-exit port first,
 * then ACPI S5, then halt for ever */
__noreturn void machine_poweroff(int status);

/* reset the machine: the 8042 keyboard controller's reset pulse, then the
 * chipset's Reset Control register at 0xCF9, then a triple fault.  QEMU
 * run with -no-reboot (the tests, make run) exits with status 0. */
__noreturn void machine_restart(void);

/* ACPI S5 power-off hook, set by kernel/acpi.c when the FADT allows it */
extern void (*acpi_poweroff_hook)(void);

#endif
