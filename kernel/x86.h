/* x86-64 instructions the kernel needs, as inline functions. */
#ifndef KERNEL_X86_H
#define KERNEL_X86_H

#include "kernel/types.h"

static inline void outb(u16 port, u8 v)  { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8  inb(u16 port) { u8 v;  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
/* a write to an unused port: ~1 us on ISA-era hardware */
static inline void io_delay(void) { outb(0x80, 0); }

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline u64 read_cr0(void) { u64 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline u64 read_cr2(void) { u64 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline u64 read_cr3(void) { u64 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline u64 read_cr4(void) { u64 v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(u64 v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(u64 v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(u64 v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline void invlpg(const void *va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void hlt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void local_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
#define X86_RFLAGS_IF (1UL << 9)

/* Interrupts on by popfq of the flags with IF set, where Linux's
 * arch_local_irq_enable uses sti: QEMU's TCG ends its translated block at both,
 * but sti's interrupt shadow ends the next block after one instruction
 * too, a second exit to its main loop (translate.c, gen_eob_inhibit_irq;
 * local_irq_restore below does the same).  Nothing here relies on the
 * shadow but safe_halt, which keeps sti.  The kernel has no red zone
 * (-mno-red-zone), so the push cannot overwrite a live local. */
static inline void local_irq_enable(void)
{
	__asm__ volatile("pushfq; orq %0, (%%rsp); popfq" : : "i"(X86_RFLAGS_IF) : "memory", "cc");
}
/* sti takes effect after the next instruction, so sti;hlt cannot lose a wakeup */
static inline void safe_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

static inline unsigned long local_save_flags(void)
{
	unsigned long f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

static inline unsigned long local_irq_save(void)
{
	unsigned long f = local_save_flags();
	local_irq_disable();
	return f;
}

/* Interrupts back on if f had them on; f with them off changes nothing
 * (as Linux's arch_local_irq_restore).  On with popfq of f, not sti:
 * QEMU's TCG ends its translated block at both, but sti's interrupt
 * shadow ends the next one after a single instruction too (translate.c,
 * gen_eob_inhibit_irq), one more exit to its main loop at every
 * spin_unlock_irqrestore.  f holds this CPU's flags of the matching
 * save: the others (DF, AC) are what they are now. */
static inline void local_irq_restore(unsigned long f)
{
	if (f & X86_RFLAGS_IF)
		__asm__ volatile("pushq %0; popfq" : : "r"(f) : "memory", "cc");
}

static inline bool irqs_disabled(void) { return !(local_save_flags() & X86_RFLAGS_IF); }

/* CPU memory barriers.  x86 keeps stores ordered with stores and loads with
 * loads for normal WB memory, but device (UC) memory and DMA need the fences
 * when ordering a descriptor write before a doorbell. */
#define mb()   __asm__ volatile("mfence" ::: "memory")
#define rmb()  __asm__ volatile("lfence" ::: "memory")
#define wmb()  __asm__ volatile("sfence" ::: "memory")

#endif
