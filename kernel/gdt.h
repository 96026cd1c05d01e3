/* The 64-bit GDT and the TSS with its interrupt stack table (IST).
 *
 * Section numbers are those of the Intel SDM vol.3A editions in which the
 * APIC is chapter 10 (2016..2022); later editions renumbered chapters 4..10. */
#ifndef KERNEL_GDT_H
#define KERNEL_GDT_H

/* selectors: index << 3 | TI(0) | RPL(0); SDM vol.3A 3.4.2.
 * boot/entry.S already uses 0x08 and 0x10 with the same meaning. */
#define GDT_KERNEL_CS  0x08
#define GDT_KERNEL_DS  0x10
#define GDT_TSS        0x18      /* a 16-byte system descriptor: slots 3 and 4 */
/* the application's segments (CPL 3; kernel/app/): SYSRET's layout, SDM
 * vol.2B SYSRET: STAR[63:48] = GDT_USER_BASE, SS = base + 8, CS = base + 16 */
#define GDT_USER_BASE  0x2b      /* slot 5 (unused 32-bit code), RPL 3 */
#define GDT_USER_DS    0x33      /* slot 6, RPL 3 */
#define GDT_USER_CS    0x3b      /* slot 7, 64-bit, RPL 3 */
#define GDT_RPL_MASK   3         /* a saved CS with these bits came from CPL 3 */

/* IST slots (1..7; 0 means "no stack switch"); SDM vol.3A 6.14.5 */
#define IST_NMI        1
#define IST_DF         2
#define IST_MC         3
#define IST_COUNT      3         /* slots used */
#define IST_STACK_SIZE 16384

#ifndef __ASSEMBLY__
#include "kernel/types.h"

/* Load the boot CPU's GDT, reload every segment register, load the task
 * register.  Call once, on the boot CPU, before idt_init(). */
void gdt_init(void);
/* The same for cpu, on cpu: its own GDT and TSS, whose IST stacks are the
 * IST_COUNT * IST_STACK_SIZE bytes at ist_stack_area; GS base gs_base
 * (the CPU's per-CPU offset, kernel/percpu.h). */
void gdt_init_cpu(unsigned int cpu, unsigned long ist_stack_area, unsigned long gs_base);

/* bounds [lo, hi) of this CPU's stack behind IST slot ist (1..IST_COUNT);
 * returns false for another slot */
bool gdt_ist_stack(int ist, unsigned long *lo, unsigned long *hi);
/* the same for any CPU; false for a CPU that never ran gdt_init_cpu */
bool gdt_ist_stack_cpu(unsigned int cpu, int ist, unsigned long *lo, unsigned long *hi);
/* the stack the CPU switches to when an interrupt arrives at CPL 3
 * (TSS.RSP0; SDM vol.3A 6.14.4): the application thread's kernel stack */
void gdt_set_kernel_stack(unsigned long rsp0);
#endif

#endif
