/* The IDT, the trap frame every interrupt and exception entry builds, and
 * the exception reports.  SDM vol.3A chapter 6 (section numbers as in
 * kernel/gdt.h). */
#ifndef KERNEL_IDT_H
#define KERNEL_IDT_H

#define IDT_VECTORS     256
#define EXC_VECTORS     32      /* 0..31 are reserved for exceptions */

/* exception vectors; SDM vol.3A 6.2, Table 6-1 */
#define EXC_DE   0      /* divide error */
#define EXC_DB   1      /* debug */
#define EXC_NMI  2      /* non-maskable interrupt */
#define EXC_BP   3      /* breakpoint (int3) */
#define EXC_OF   4      /* overflow */
#define EXC_BR   5      /* BOUND range exceeded */
#define EXC_UD   6      /* invalid opcode */
#define EXC_NM   7      /* device not available */
#define EXC_DF   8      /* double fault */
#define EXC_TS   10     /* invalid TSS */
#define EXC_NP   11     /* segment not present */
#define EXC_SS   12     /* stack-segment fault */
#define EXC_GP   13     /* general protection */
#define EXC_PF   14     /* page fault */
#define EXC_MF   16     /* x87 floating-point error */
#define EXC_AC   17     /* alignment check */
#define EXC_MC   18     /* machine check */
#define EXC_XM   19     /* SIMD floating-point */
#define EXC_VE   20     /* virtualization exception */
#define EXC_CP   21     /* control protection */
#define EXC_HV   28     /* hypervisor injection */
#define EXC_VC   29     /* VMM communication */
#define EXC_SX   30     /* security exception */

/* trap_frame offsets for kernel/isr.S (checked against the struct below) */
#define TF_R11     (4 * 8)
#define TF_RBP     (8 * 8)
#define TF_RCX     (12 * 8)
#define TF_VECTOR  (15 * 8)
#define TF_RIP     (17 * 8)
#define TF_CS      (18 * 8)
#define TF_RFLAGS  (19 * 8)
#define TF_RSP     (20 * 8)
#define TF_SS      (21 * 8)
#define TF_SIZE    (22 * 8)

#ifndef __ASSEMBLY__
#include "kernel/types.h"

/* What kernel/isr.S saves, lowest address first: the general registers,
 * then the vector and error code (0 when the CPU pushes none), then the
 * frame the CPU pushed (SDM vol.3A 6.14.2, Figure 6-9). */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	u64 rip, cs, rflags, rsp, ss;
};
_Static_assert(__builtin_offsetof(struct trap_frame, r11) == TF_R11, "TF_R11");
_Static_assert(__builtin_offsetof(struct trap_frame, rbp) == TF_RBP, "TF_RBP");
_Static_assert(__builtin_offsetof(struct trap_frame, rcx) == TF_RCX, "TF_RCX");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == TF_VECTOR, "TF_VECTOR");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == TF_RIP, "TF_RIP");
_Static_assert(__builtin_offsetof(struct trap_frame, cs) == TF_CS, "TF_CS");
_Static_assert(__builtin_offsetof(struct trap_frame, rflags) == TF_RFLAGS, "TF_RFLAGS");
_Static_assert(__builtin_offsetof(struct trap_frame, rsp) == TF_RSP, "TF_RSP");
_Static_assert(__builtin_offsetof(struct trap_frame, ss) == TF_SS, "TF_SS");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "TF_SIZE");

/* Fill the IDT with the 256 entry stubs of kernel/isr.S and load it.
 * NMI, #DF and #MC switch to their IST stacks (kernel/gdt.h): call after
 * gdt_init(). */
void idt_init(void);
/* load the IDT idt_init() built on this CPU (an application processor) */
void idt_load(void);

/* "#UD invalid opcode" for vectors 0..31, NULL otherwise */
const char *exception_name(int vector);

/* Called by kernel/isr.S for every vector with the saved state; returns
 * into the interrupted code (which sees any change made to *tf). */
void trap_dispatch(struct trap_frame *tf);

/* how many #BP and NMI the kernel has survived (self-tests read them) */
extern u64 exception_bp_count, exception_nmi_count;
/* the trap frame address of the last NMI: tells which stack it ran on */
extern unsigned long exception_nmi_frame;
#endif

#endif
