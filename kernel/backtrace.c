/* Frame-pointer backtraces with bounds checks: a corrupt stack must end the
 * walk, never fault in it (the walker runs inside panic). */
#include "kernel/backtrace.h"
#include "kernel/errno.h"
#include "kernel/gdt.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/smp.h"
#include "kernel/mm.h"
#include "kernel/kallsyms.h"
#include "kernel/printk.h"

/* 48-bit virtual addresses: bits 63..47 are copies of bit 47 (SDM vol.1 3.3.7.1) */
#define VA_BITS 48

/* CALL encodings (SDM vol.2A, CALL): E8 cd (rel32), FF /2 (r/m64: 2 to 7
 * bytes with modrm, SIB, displacement and a REX prefix before it) */
#define OPC_CALL_REL32     0xe8
#define CALL_REL32_LEN     5
#define OPC_GROUP5         0xff
#define MODRM_REG_SHIFT    3
#define MODRM_REG_MASK     0x7
#define GROUP5_CALL        2
#define CALL_INDIRECT_MAX  7

struct stack_range {
	unsigned long lo, hi;
};

extern char boot_stack_bottom[], boot_stack_top[];

static struct stack_range extra_stacks[BACKTRACE_MAX_STACKS];
static int extra_stack_count;

static bool addr_canonical(unsigned long a)
{
	long s = (long)a >> (VA_BITS - 1);

	return s == 0 || s == -1;
}

int backtrace_add_stack(unsigned long lo, unsigned long hi)
{
	if (extra_stack_count >= BACKTRACE_MAX_STACKS)
		return -ENOSPC;
	extra_stacks[extra_stack_count].lo = lo;
	extra_stacks[extra_stack_count].hi = hi;
	extra_stack_count++;
	return 0;
}

static bool stack_find(unsigned long addr, struct stack_range *out)
{
	unsigned long lo, hi;

	if (addr >= (unsigned long)boot_stack_bottom && addr < (unsigned long)boot_stack_top) {
		out->lo = (unsigned long)boot_stack_bottom;
		out->hi = (unsigned long)boot_stack_top;
		return true;
	}
	for (int ist = 1; gdt_ist_stack(ist, &lo, &hi); ist++) {
		if (addr >= lo && addr < hi) {
			out->lo = lo;
			out->hi = hi;
			return true;
		}
	}
	for (int i = 0; i < extra_stack_count; i++) {
		if (addr >= extra_stacks[i].lo && addr < extra_stacks[i].hi) {
			*out = extra_stacks[i];
			return true;
		}
	}
	/* a kernel thread's stack */
	if (sched_ready() && current && current->stack) {
		lo = (unsigned long)current->stack;
		hi = lo + (PAGE_SIZE << KTHREAD_STACK_ORDER);
		if (addr >= lo && addr < hi) {
			out->lo = lo;
			out->hi = hi;
			return true;
		}
	}
	/* an application processor's kernel stack */
	if (smp_cpu_stack(smp_processor_id(), &lo, &hi) && addr >= lo && addr < hi) {
		out->lo = lo;
		out->hi = hi;
		return true;
	}
	return false;
}

/* ret is a return address: name the call site (ret - 1), which may be the
 * last instruction of a function whose caller never returns */
static void print_entry(unsigned long addr, bool is_return, bool guess)
{
	unsigned long off, size;
	const char *name = symbol_lookup(is_return ? addr - 1 : addr, &off, &size);

	if (name)
		printk(KERN_EMERG " [<%016lx>] %s%s+0x%lx/0x%lx\n", addr, guess ? "? " : "",
		       name, off + (is_return ? 1 : 0), size);
	else
		printk(KERN_EMERG " [<%016lx>] ?\n", addr);
}

/* does a call instruction end right before ret? */
static bool follows_call(unsigned long ret)
{
	const u8 *p = (const u8 *)ret;

	if (!kernel_text_address(ret - CALL_INDIRECT_MAX))
		return false;
	if (p[-CALL_REL32_LEN] == OPC_CALL_REL32)
		return true;
	for (int len = 2; len <= CALL_INDIRECT_MAX; len++)
		if (p[-len] == OPC_GROUP5 &&
		    (p[-len + 1] >> MODRM_REG_SHIFT & MODRM_REG_MASK) == GROUP5_CALL)
			return true;
	return false;
}

/* A function that needs no stack frame gets no frame pointer either (gcc
 * 12 does this even with -fno-omit-frame-pointer), so when it faults, the
 * rbp chain skips its caller.  The return address is then on top of the
 * stack: print it, marked "?" (a guess), when it looks like one. */
static void print_leaf_caller(unsigned long sp, unsigned long rbp)
{
	struct stack_range st;
	unsigned long ret, first = 0;

	if (!sp || !IS_ALIGNED(sp, sizeof(long)) || !addr_canonical(sp) ||
	    !stack_find(sp, &st) || sp > st.hi - sizeof(long))
		return;
	ret = *(const unsigned long *)sp;
	if (!kernel_text_address(ret) || !follows_call(ret))
		return;
	if (rbp && IS_ALIGNED(rbp, sizeof(long)) && rbp >= st.lo &&
	    rbp <= st.hi - 2 * sizeof(long))
		first = ((const unsigned long *)rbp)[1];
	if (ret != first)
		print_entry(ret, true, true);
}

void backtrace_print(unsigned long rip, unsigned long rbp, unsigned long sp)
{
	struct stack_range st;
	const char *why = NULL;

	print_entry(rip, false, false);
	print_leaf_caller(sp, rbp);
	if (!rbp)
		return;
	if (!addr_canonical(rbp) || !stack_find(rbp, &st)) {
		printk(KERN_EMERG " (frame pointer %#lx is on no known stack)\n", rbp);
		return;
	}
	for (int depth = 0; depth < BACKTRACE_MAX_FRAMES; depth++) {
		const unsigned long *frame = (const unsigned long *)rbp;
		unsigned long next, ret;

		if (!IS_ALIGNED(rbp, sizeof(long))) {
			why = "misaligned frame pointer";
			break;
		}
		if (rbp < st.lo || rbp > st.hi - 2 * sizeof(long)) {
			why = "frame pointer outside the stack";
			break;
		}
		next = frame[0];
		ret = frame[1];
		if (!kernel_text_address(ret)) {
			why = "return address outside the kernel text";
			break;
		}
		print_entry(ret, true, false);
		if (!next)
			return;         /* the outermost frame (boot/entry.S) */
		if (!addr_canonical(next)) {
			why = "non-canonical frame pointer";
			break;
		}
		if (next <= rbp) {
			why = "frame pointer going down the stack";
			break;
		}
		rbp = next;
	}
	printk(KERN_EMERG " (walk stopped at %#lx: %s)\n", rbp,
	       why ? why : "too many frames");
}

void dump_stack(void)
{
	unsigned long rip;

	__asm__ volatile("leaq 0(%%rip), %0" : "=r"(rip));
	backtrace_print(rip, (unsigned long)__builtin_frame_address(0), 0);
}
