/* The 64-bit GDT and TSS.
 *
 * In 64-bit mode segmentation is mostly off: code and data descriptors only
 * supply the privilege level and the L (64-bit) bit, and the TSS no longer
 * switches tasks.  The TSS is still needed for one thing here: its interrupt
 * stack table, which gives NMI, #DF and #MC known-good stacks even when the
 * fault was caused by a broken kernel stack (SDM vol.3A 6.14.5). */
#include "kernel/gdt.h"
#include "kernel/app/app.h"
#include "kernel/percpu.h"
#include "kernel/types.h"
#include "kernel/x86.h"

/* SDM vol.4 table 2-2: the GS base in 64-bit mode */
#define MSR_GS_BASE 0xc0000101

/* Segment descriptor fields; SDM vol.3A 3.4.5, Figure 3-8 */
#define DESC_LIMIT_LO_MASK   0xffffULL          /* limit 15:0 -> bits 15:0 */
#define DESC_BASE_LO_SHIFT   16                 /* base 23:0 -> bits 39:16 */
#define DESC_BASE_LO_MASK    0xffffffULL
#define DESC_TYPE_SHIFT      40
#define DESC_S               BIT_ULL(44)        /* 1: code/data, 0: system */
#define DESC_DPL_SHIFT       45
#define DESC_P               BIT_ULL(47)        /* present */
#define DESC_LIMIT_HI_SHIFT  48                 /* limit 19:16 -> bits 51:48 */
#define DESC_LIMIT_HI_MASK   0xfULL
#define DESC_L               BIT_ULL(53)        /* 64-bit code segment */
#define DESC_BASE_HI_SHIFT   56                 /* base 31:24 -> bits 63:56 */
#define DESC_BASE_HI_MASK    0xffULL

/* code/data type field; SDM vol.3A 3.4.5.1, Table 3-1.  The accessed bit is
 * preset so the CPU never has to write it back. */
#define DESC_TYPE_CODE_XR_A  0xbULL             /* execute/read, accessed */
#define DESC_TYPE_DATA_RW_A  0x3ULL             /* read/write, accessed */
/* system type; SDM vol.3A 3.5, Table 3-2 (IA-32e mode) */
#define DESC_TYPE_TSS64_AVL  0x9ULL             /* 64-bit TSS (available) */

/* 64-bit TSS; SDM vol.3A 7.7, Figure 7-11 */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];             /* stacks for a change to CPL 0..2: rsp[0] for CPL 3 */
	u64 reserved1;
	u64 ist[7];             /* IST1..IST7 */
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;         /* offset of the I/O bitmap; past the limit = none */
} __packed;
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");

/* pseudo-descriptor for lgdt; SDM vol.3A 3.5.1, Figure 3-11 */
struct gdt_ptr {
	u16 limit;
	u64 base;
} __packed;

enum { GDT_NULL, GDT_CODE, GDT_DATA, GDT_TSS_LO, GDT_TSS_HI, GDT_UCODE32, GDT_UDATA,
       GDT_UCODE, GDT_ENTRIES };
_Static_assert(GDT_CODE * 8 == GDT_KERNEL_CS && GDT_DATA * 8 == GDT_KERNEL_DS &&
	       GDT_TSS_LO * 8 == GDT_TSS && (GDT_UCODE32 * 8 | 3) == GDT_USER_BASE &&
	       (GDT_UDATA * 8 | 3) == GDT_USER_DS && (GDT_UCODE * 8 | 3) == GDT_USER_CS,
	       "selectors match the table");
#define DPL_USER 3ULL

/* one GDT and TSS per CPU (the TSS descriptor's busy bit is per GDT);
 * the boot CPU's IST stacks are static, an AP's come from smp.c */
static u64 gdt[NR_CPUS][GDT_ENTRIES] __aligned(16);
static struct tss64 tss[NR_CPUS] __aligned(16);
static u8 ist_stacks[IST_COUNT][IST_STACK_SIZE] __aligned(16);
static unsigned long ist_base[NR_CPUS][IST_COUNT];

static u64 desc_code_data(u64 type, bool code64)
{
	/* base and limit are ignored in 64-bit mode (SDM vol.3A 3.2.4) */
	return (type << DESC_TYPE_SHIFT) | DESC_S | DESC_P | (code64 ? DESC_L : 0);
}

/* the low half of the 16-byte TSS descriptor; SDM vol.3A 7.2.3, Figure 7-4 */
static u64 desc_tss_lo(u64 base, u32 limit)
{
	return (limit & DESC_LIMIT_LO_MASK) |
	       ((base & DESC_BASE_LO_MASK) << DESC_BASE_LO_SHIFT) |
	       (DESC_TYPE_TSS64_AVL << DESC_TYPE_SHIFT) | DESC_P |
	       (((u64)limit >> 16 & DESC_LIMIT_HI_MASK) << DESC_LIMIT_HI_SHIFT) |
	       ((base >> 24 & DESC_BASE_HI_MASK) << DESC_BASE_HI_SHIFT);
}

bool gdt_ist_stack_cpu(unsigned int cpu, int ist, unsigned long *lo, unsigned long *hi)
{
	if (cpu >= NR_CPUS || ist < 1 || ist > IST_COUNT || !ist_base[cpu][ist - 1])
		return false;
	*lo = ist_base[cpu][ist - 1];
	*hi = *lo + IST_STACK_SIZE;
	return true;
}

bool gdt_ist_stack(int ist, unsigned long *lo, unsigned long *hi)
{
	return gdt_ist_stack_cpu(smp_processor_id(), ist, lo, hi);
}

void gdt_init_cpu(unsigned int cpu, unsigned long ist_stack_area, unsigned long gs_base)
{
	u64 *g = gdt[cpu];
	struct tss64 *t = &tss[cpu];
	struct gdt_ptr ptr = { sizeof(gdt[cpu]) - 1, (u64)g };
	u64 tss_base = (u64)t;

	g[GDT_NULL] = 0;
	g[GDT_CODE] = desc_code_data(DESC_TYPE_CODE_XR_A, true);
	g[GDT_DATA] = desc_code_data(DESC_TYPE_DATA_RW_A, false);
	g[GDT_TSS_LO] = desc_tss_lo(tss_base, sizeof(*t) - 1);
	g[GDT_TSS_HI] = tss_base >> 32;         /* base 63:32; the rest is reserved, 0 */
	g[GDT_UCODE32] = 0;                     /* never loaded: no 32-bit code */
	g[GDT_UDATA] = desc_code_data(DESC_TYPE_DATA_RW_A, false) | DPL_USER << DESC_DPL_SHIFT;
	g[GDT_UCODE] = desc_code_data(DESC_TYPE_CODE_XR_A, true) | DPL_USER << DESC_DPL_SHIFT;

	/* the CPU pushes onto the stack top, which must stay 16-byte aligned */
	for (int i = 0; i < IST_COUNT; i++) {
		ist_base[cpu][i] = ist_stack_area + (unsigned long)i * IST_STACK_SIZE;
		t->ist[i] = ist_base[cpu][i] + IST_STACK_SIZE;
	}
	t->iomap_base = sizeof(*t);

	/* lgdt, then reload CS with a far return (no far jmp to a 64-bit
	 * target exists) and the data segment registers; SDM vol.3A 3.4.3 */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "movw %w3, %%fs\n\t"
			 "movw %w3, %%gs\n\t"
			 : : "m"(ptr), "i"(GDT_KERNEL_CS), "r"(GDT_KERNEL_DS), "r"(0)
			 : "rax", "memory");
	/* loading a null selector may clear the base: the per-CPU base is
	 * written after it (kernel/percpu.h) */
	wrmsr(MSR_GS_BASE, gs_base);
	/* ltr marks the descriptor busy; SDM vol.3A 7.2.4 */
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS) : "memory");
	/* SYSCALL and SSE for an application's threads */
	app_cpu_init();
}

void gdt_set_kernel_stack(unsigned long rsp0)
{
	tss[smp_processor_id()].rsp[0] = rsp0;
}

void gdt_init(void)
{
	gdt_init_cpu(0, (unsigned long)ist_stacks, 0);
}
