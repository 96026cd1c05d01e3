/* The IDT and the exception handlers.
 *
 * Every vector gets an interrupt gate (IF cleared on entry) to its stub in
 * kernel/isr.S.  Exceptions 0..31 are fatal except #BP, which is reported
 * and resumed, and NMI, which is counted and resumed.  Vectors 0x20..0xff
 * go to irq_dispatch(). */
#include "kernel/idt.h"
#include "kernel/app/app.h"
#include "kernel/extable.h"
#include "kernel/gdt.h"
#include "kernel/irq.h"
#include "kernel/kallsyms.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/uaccess.h"
#include "kernel/x86.h"
#include <stdio.h>
#include <string.h>

/* 64-bit IDT gate descriptor; SDM vol.3A 6.14.1, Figure 6-8 */
struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;                 /* bits 2:0: IST slot, 0 = no switch */
	u8 type_attr;           /* type 3:0, 0, DPL 6:5, P 7 */
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit gates are 16 bytes");

#define GATE_TYPE_INTERRUPT  0xe        /* 64-bit interrupt gate; SDM vol.3A 3.5, Table 3-2 */
#define GATE_DPL_SHIFT       5
#define GATE_P               0x80
#define GATE_IST_MASK        0x7

/* page-fault error code; SDM vol.3A 4.7, Figure 4-12 */
#define PF_P     BIT(0)     /* 0: not-present page, 1: protection violation */
#define PF_WR    BIT(1)     /* write access */
#define PF_US    BIT(2)     /* user-mode access */
#define PF_RSVD  BIT(3)     /* reserved bit set in a paging entry */
#define PF_ID    BIT(4)     /* instruction fetch */
#define PF_PK    BIT(5)     /* protection key */
#define PF_SS    BIT(6)     /* shadow-stack access */
#define PF_HLAT  BIT(7)     /* HLAT paging */
#define PF_SGX   BIT(15)    /* SGX access-control */

/* selector error code of #TS #NP #SS #GP; SDM vol.3A 6.13, Figure 6-7 */
#define SEL_ERR_EXT          BIT(0)     /* an external event caused it */
#define SEL_ERR_IDT          BIT(1)     /* index refers to the IDT */
#define SEL_ERR_TI           BIT(2)     /* LDT (when not IDT) */
#define SEL_ERR_INDEX_SHIFT  3
#define SEL_ERR_INDEX_MASK   0x1fff

struct idt_ptr {
	u16 limit;
	u64 base;
} __packed;

extern const u64 isr_stub_table[IDT_VECTORS];

static struct idt_gate idt[IDT_VECTORS] __aligned(16);

u64 exception_bp_count, exception_nmi_count;
unsigned long exception_nmi_frame;

/* SDM vol.3A 6.2, Table 6-1 */
static const char *const exception_names[EXC_VECTORS] = {
	[EXC_DE] = "#DE divide error",
	[EXC_DB] = "#DB debug",
	[EXC_NMI] = "NMI non-maskable interrupt",
	[EXC_BP] = "#BP breakpoint",
	[EXC_OF] = "#OF overflow",
	[EXC_BR] = "#BR bound range exceeded",
	[EXC_UD] = "#UD invalid opcode",
	[EXC_NM] = "#NM device not available",
	[EXC_DF] = "#DF double fault",
	[9] = "coprocessor segment overrun",
	[EXC_TS] = "#TS invalid TSS",
	[EXC_NP] = "#NP segment not present",
	[EXC_SS] = "#SS stack-segment fault",
	[EXC_GP] = "#GP general protection",
	[EXC_PF] = "#PF page fault",
	[EXC_MF] = "#MF x87 floating-point error",
	[EXC_AC] = "#AC alignment check",
	[EXC_MC] = "#MC machine check",
	[EXC_XM] = "#XM SIMD floating-point exception",
	[EXC_VE] = "#VE virtualization exception",
	[EXC_CP] = "#CP control protection",
	[EXC_HV] = "#HV hypervisor injection",
	[EXC_VC] = "#VC VMM communication",
	[EXC_SX] = "#SX security exception",
};

/* vectors for which the CPU pushes an error code (as kernel/isr.S) */
static bool exception_has_error_code(int v)
{
	return v == EXC_DF || (v >= EXC_TS && v <= EXC_PF) || v == EXC_AC ||
	       v == EXC_CP || v == EXC_VC || v == EXC_SX;
}

const char *exception_name(int vector)
{
	if (vector < 0 || vector >= EXC_VECTORS)
		return NULL;
	return exception_names[vector] ? exception_names[vector] : "reserved exception";
}

static void idt_set_gate(int vector, u64 handler, int ist)
{
	struct idt_gate *g = &idt[vector];

	g->offset_lo = handler & 0xffff;
	g->selector = GDT_KERNEL_CS;
	g->ist = ist & GATE_IST_MASK;
	g->type_attr = GATE_P | (0 << GATE_DPL_SHIFT) | GATE_TYPE_INTERRUPT;
	g->offset_mid = (handler >> 16) & 0xffff;
	g->offset_hi = handler >> 32;
	g->reserved = 0;
}

void idt_load(void)
{
	struct idt_ptr ptr = { sizeof(idt) - 1, (u64)idt };

	__asm__ volatile("lidt %0" : : "m"(ptr) : "memory");
}

void idt_init(void)
{

	for (int v = 0; v < IDT_VECTORS; v++)
		idt_set_gate(v, isr_stub_table[v], 0);
	/* the stacks these may arrive on cannot be trusted; SDM vol.3A 6.14.5 */
	idt_set_gate(EXC_NMI, isr_stub_table[EXC_NMI], IST_NMI);
	idt_set_gate(EXC_DF, isr_stub_table[EXC_DF], IST_DF);
	idt_set_gate(EXC_MC, isr_stub_table[EXC_MC], IST_MC);
	idt_load();
}

static void report_error_code(const struct trap_frame *tf)
{
	u64 e = tf->error_code;

	if (!exception_has_error_code(tf->vector)) {
		printk(KERN_EMERG "error code: none\n");
		return;
	}
	if (tf->vector == EXC_PF) {
		printk(KERN_EMERG "error code: 0x%llx [%s %s %s%s%s%s%s%s%s]\n",
		       (unsigned long long)e,
		       e & PF_P ? "protection-violation" : "not-present",
		       e & PF_WR ? "write" : "read",
		       e & PF_US ? "user" : "supervisor",
		       e & PF_RSVD ? " reserved-bit" : "",
		       e & PF_ID ? " instruction-fetch" : "",
		       e & PF_PK ? " protection-key" : "",
		       e & PF_SS ? " shadow-stack" : "",
		       e & PF_HLAT ? " hlat" : "",
		       e & PF_SGX ? " sgx" : "");
		printk(KERN_EMERG "CR2: 0x%016llx (the faulting address)\n",
		       (unsigned long long)read_cr2());
		return;
	}
	if ((tf->vector == EXC_TS || tf->vector == EXC_NP || tf->vector == EXC_SS ||
	     tf->vector == EXC_GP) && e) {
		printk(KERN_EMERG "error code: 0x%llx [selector index 0x%llx in the %s%s]\n",
		       (unsigned long long)e,
		       (unsigned long long)(e >> SEL_ERR_INDEX_SHIFT & SEL_ERR_INDEX_MASK),
		       e & SEL_ERR_IDT ? "IDT" : e & SEL_ERR_TI ? "LDT" : "GDT",
		       e & SEL_ERR_EXT ? ", external event" : "");
		return;
	}
	printk(KERN_EMERG "error code: 0x%llx\n", (unsigned long long)e);
}

static __noreturn void exception_fatal(struct trap_frame *tf)
{
	const char *name = exception_name(tf->vector);

	/* a fault in the panic path: no report, the nested panic stops */
	if (panic_in_progress())
		panic_trap(tf, "%s at %#llx", name, (unsigned long long)tf->rip);
	printk_enter_panic();
	printk(KERN_EMERG "EXCEPTION: %s\n", name);
	report_error_code(tf);
	panic_trap(tf, "fatal exception %s", name);
}

void trap_dispatch(struct trap_frame *tf)
{
	char sym[KSYM_FORMAT_MAX];

	if (tf->vector >= EXC_VECTORS) {
		irq_dispatch(tf);
		/* back to the application: unless it is being ended */
		if (tf->cs & GDT_RPL_MASK)
			app_exit_to_user(tf);
		return;
	}
	/* the application's own fault ends the application, not the kernel */
	if ((tf->cs & GDT_RPL_MASK) && tf->vector != EXC_NMI && tf->vector != EXC_MC)
		app_fault(tf);
	/* a kernel copy from or to a user page that is gone or read-only:
	 * resume at its fixup, which returns what was not copied (Linux's
	 * fixup_exception); any other kernel fault stays fatal */
	if (tf->vector == EXC_PF && !(tf->error_code & (PF_US | PF_RSVD)) &&
	    read_cr2() < USER_TOP) {
		unsigned long fixup = extable_fixup(tf->rip);

		if (fixup) {
			tf->rip = fixup;
			return;
		}
	}
	switch (tf->vector) {
	case EXC_BP:
		/* a trap: the saved RIP is the instruction after int3 */
		exception_bp_count++;
		pr_warn("EXCEPTION: %s at RIP 0x%016llx %s; continuing\n",
			exception_name(EXC_BP), (unsigned long long)tf->rip,
			symbol_format(sym, sizeof(sym), tf->rip));
		return;
	case EXC_NMI:
		/* a panic on another CPU that the stop IPI could not reach
		 * (interrupts off here): stop for good (never returns) */
		smp_stop_nmi(tf);
		/* No printk here: the NMI may have interrupted printk, which
		 * holds its lock.  Count it and go back. */
		exception_nmi_count++;
		exception_nmi_frame = (unsigned long)tf;
		return;
	default:
		exception_fatal(tf);
	}
}
