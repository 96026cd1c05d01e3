/* The self-test registry and runner, and the CPU exception self-tests.
 *
 * Each crashing test is its own noinline function so that the exception's
 * RIP lies inside it: tests/qemu/test_exceptions.py checks that against
 * build/barenet.sym. */
#include "kernel/selftest.h"
#include "kernel/errno.h"
#include "kernel/gdt.h"
#include "kernel/cmdline.h"
#include "kernel/idt.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/x86.h"
#include <string.h>

extern const struct selftest __selftests_start[], __selftests_end[];

static char requested[SELFTEST_LIST_MAX];

/* an address no page table maps: PML4 slot 288, between the direct map
 * (slot 273) and the kernel (slot 511) */
#define SELFTEST_UNMAPPED_ADDR    0xffff900000000000UL
/* a user address nothing maps (above the application's mmap area, and no
 * application yet), for a kernel read the exception table does not list */
#define SELFTEST_UNMAPPED_USER_ADDR 0x00007f0000001000UL
/* bits 63:48 differ from bit 47: #GP on any access (SDM vol.3A 6.15, #GP) */
#define SELFTEST_NONCANONICAL_ADDR 0xdead000000000000UL

/* length of the name at p: up to the next comma or the end */
static size_t strcspn_comma(const char *p)
{
	const char *c = strchr(p, ',');

	return c ? (size_t)(c - p) : strlen(p);
}

static const struct selftest *selftest_find(const char *name, size_t len)
{
	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++)
		if (strlen(t->name) == len && !strncmp(t->name, name, len))
			return t;
	return NULL;
}

static void selftest_list_known(void)
{
	printk(KERN_ERR "selftest: known tests:");
	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++)
		pr_cont(" %s", t->name);
	pr_cont("\n");
}

static int set_selftest(const char *v)
{
	const char *p = v;

	if (!*v || strlen(v) >= sizeof(requested))
		return -EINVAL;
	/* check every name now, so that a typo is refused at boot */
	while (*p) {
		size_t len = strcspn_comma(p);

		if (!len || !selftest_find(p, len)) {
			pr_err("selftest: unknown test '%.*s'\n", (int)len, p);
			selftest_list_known();
			return -EINVAL;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	strlcpy(requested, v, sizeof(requested));
	return 0;
}
CMDLINE_OPT("selftest", set_selftest, "run self-tests after boot: name[,name...]");

/* noinline: the self-tests' call traces (test_exceptions, test_softlockup)
 * name this runner between the test and kmain */
__noinline int selftest_run_requested(void)
{
	const char *p = requested;
	int failed = 0;

	while (*p) {
		size_t len = strcspn_comma(p);
		const struct selftest *t = selftest_find(p, len);
		int rc;

		pr_info("selftest %s: running (%s)\n", t->name, t->help);
		rc = t->fn();
		if (rc) {
			pr_err("selftest %s: FAILED (%s)\n", t->name, errno_name(rc));
			failed++;
		} else {
			pr_info("selftest %s: passed\n", t->name);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return failed;
}

/* --- the CPU exception tests -------------------------------------------- */

static __attribute__((noinline)) int selftest_ud2(void)
{
	__asm__ volatile("ud2" ::: "memory");
	return -EIO;            /* not reached: #UD panics */
}
SELFTEST("ud2", selftest_ud2, "invalid opcode: #UD report and panic");

static __attribute__((noinline)) int selftest_de(void)
{
	u64 hi = 0, lo = 1, zero = 0;

	__asm__ volatile("divq %2" : "+d"(hi), "+a"(lo) : "r"(zero) : "memory");
	return -EIO;
}
SELFTEST("de", selftest_de, "divide by zero: #DE report and panic");

static __attribute__((noinline)) int selftest_pf(void)
{
	(void)READ_ONCE(*(const u64 *)SELFTEST_UNMAPPED_ADDR);
	return -EIO;
}
SELFTEST("pf", selftest_pf, "read of 0xffff900000000000: #PF report with CR2, panic");

static __attribute__((noinline)) int selftest_pf_user(void)
{
	(void)READ_ONCE(*(const u64 *)SELFTEST_UNMAPPED_USER_ADDR);
	return -EIO;
}
SELFTEST("pf_user", selftest_pf_user,
	 "kernel read of an unmapped user address outside the exception table: #PF report, panic");

static __attribute__((noinline)) int selftest_gp(void)
{
	(void)READ_ONCE(*(const u64 *)SELFTEST_NONCANONICAL_ADDR);
	return -EIO;
}
SELFTEST("gp", selftest_gp, "read of a non-canonical address: #GP report and panic");

static __attribute__((noinline)) int selftest_bp(void)
{
	u64 before = exception_bp_count;

	__asm__ volatile("int3" ::: "memory");
	if (exception_bp_count != before + 1)
		return -EIO;
	pr_info("selftest bp: resumed\n");
	return 0;
}
SELFTEST("bp", selftest_bp, "int3: #BP report, then execution continues");

static __attribute__((noinline)) int selftest_nmi(void)
{
	u64 before = exception_nmi_count;
	unsigned long lo, hi, frame;

	/* a software int 2 goes through the NMI gate, IST switch included */
	__asm__ volatile("int $2" ::: "memory");
	frame = exception_nmi_frame;
	if (exception_nmi_count != before + 1 || !gdt_ist_stack(IST_NMI, &lo, &hi))
		return -EIO;
	if (frame < lo || frame >= hi) {
		pr_err("selftest nmi: handler frame %#lx is not on the NMI stack %#lx-%#lx\n",
		       frame, lo, hi);
		return -EIO;
	}
	pr_info("selftest nmi: handled on the NMI IST stack (frame %#lx in %#lx-%#lx)\n",
		frame, lo, hi);
	return 0;
}
SELFTEST("nmi", selftest_nmi, "int $2: NMI handler runs on its IST stack and returns");

static __attribute__((noinline)) int selftest_df(void)
{
	/* Point the stack at unmapped memory and push: the #PF cannot push
	 * its frame there either, so the CPU raises #DF (SDM vol.3A 6.15,
	 * Table 6-5), which works only because its gate switches to IST_DF. */
	local_irq_disable();
	__asm__ volatile("movq %%rsp, %%rax\n\t"
			 "movq %0, %%rsp\n\t"
			 "pushq $0\n\t"
			 "movq %%rax, %%rsp"
			 : : "r"(SELFTEST_UNMAPPED_ADDR) : "rax", "memory");
	return -EIO;
}
SELFTEST("df", selftest_df, "push on an unmapped stack: #DF on its IST stack, panic");

static __attribute__((noinline)) int selftest_nested(void)
{
	/* formatting the message faults inside panic(): the nested panic
	 * must print one line and stop, not recurse */
	panic("selftest nested: %s", (const char *)SELFTEST_UNMAPPED_ADDR);
}
SELFTEST("nested", selftest_nested, "a page fault inside panic(): one more line, then stop");
