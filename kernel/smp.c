/* Bringing up the application processors (APs).
 *
 * For each enabled LAPIC entry of the MADT other than the boot CPU's, one
 * at a time: give the AP a kernel stack, IST stacks and a per-CPU area,
 * fill the trampoline's parameters, send INIT (assert, deassert), wait
 * 10 ms, send two start-up IPIs 200 us apart (SDM vol.3A 9.4.4.1; the MP
 * spec's universal start-up algorithm, B.4), then wait up to
 * SMP_AP_TIMEOUT_MS for the AP to say it runs.  The AP, in smp_ap_main(),
 * loads its own GDT/TSS and GS base, the shared IDT, enables its LAPIC,
 * calibrates its LAPIC timer and delay loop, starts its tick and halts in
 * its idle loop.  An AP that does not answer is reported, put back into
 * INIT (so a late start cannot run on a stack given to the next AP) and
 * skipped; its logical number goes to the next AP. */
#include "kernel/smp.h"
#include "kernel/acpi.h"
#include "kernel/apic.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/cpustat.h"
#include "kernel/errno.h"
#include "kernel/gdt.h"
#include "kernel/idle.h"
#include "kernel/idt.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include <stdlib.h>
#include <string.h>

#define MSR_EFER          0xC0000080             /* SDM vol.4 table 2-2 */
#define EFER_LME          BIT(8)
#define EFER_NXE          BIT(11)
/* SDM vol.3A 9.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI */
#define INIT_DELAY_MS     10
#define SIPI_DELAY_US     200
/* page allocations for an AP's IST stacks and per-CPU area */
#define IST_AREA_BYTES    ((unsigned long)IST_COUNT * IST_STACK_SIZE)

unsigned long __per_cpu_offset[NR_CPUS];
unsigned int nr_cpus_online = 1;
DEFINE_PER_CPU(unsigned long, this_cpu_off);
DEFINE_PER_CPU(unsigned int, cpu_number);
DEFINE_PER_CPU(struct cpuinfo_x86, cpu_info);

extern char __per_cpu_start[], __per_cpu_end[];
extern const char smp_tr_start[], smp_tr_end[], smp_tr_params[];
extern u64 boot_pml4[];
void smp_ap_entry(void);
__noreturn void smp_ap_main(void);

/* kernel/smp_trampoline.S's parameter block */
struct smp_tr_params {
	u64 stack;
	u64 entry;
	u64 kcr3;
	u32 cr3;
	u32 efer;
} __packed;

/* The AP being started.  Written by the boot CPU before the SIPIs and
 * read by that AP; answer is the AP's reply (1 up, or a negative errno),
 * apic_id ~0 once the boot CPU gave up, so a late AP stops itself. */
static struct {
	unsigned int cpu;
	u32 apic_id;
	unsigned long ist;
	int answer;
} ap_boot;

static unsigned long ap_stack_lo[NR_CPUS];
static unsigned int max_cpus = NR_CPUS;
static bool smp_disabled;
/* test hook: the boot CPU sends no SIPI to this APIC id (a CPU that never answers) */
static u32 test_nosipi_apic = ~0U;

static int set_maxcpus(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (end == v || *end)
		return -EINVAL;
	/* Linux: maxcpus=0 is nosmp (the boot CPU always runs) */
	max_cpus = n ? (n > NR_CPUS ? NR_CPUS : (unsigned int)n) : 1;
	return 0;
}
CMDLINE_OPT("maxcpus", set_maxcpus, "start at most N CPUs, the boot CPU included (0 or 1: no APs)");

static int set_nosmp(const char *v)
{
	if (*v)
		return -EINVAL;
	smp_disabled = true;
	return 0;
}
CMDLINE_OPT("nosmp", set_nosmp, "run on the boot CPU only: start no application processor");

static int set_test_nosipi(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (end == v || *end || n > 0xff)
		return -EINVAL;
	test_nosipi_apic = (u32)n;
	return 0;
}
CMDLINE_OPT("smp.test_nosipi", set_test_nosipi,
	    "test: send no start-up IPI to the CPU with this APIC id (it never answers)");

const struct cpuinfo_x86 *cpu_data(unsigned int cpu)
{
	return cpu < nr_cpu_ids_online() ? per_cpu_ptr(&cpu_info, cpu) : NULL;
}

u32 cpu_apic_id(unsigned int cpu)
{
	return cpu < nr_cpu_ids_online() ? per_cpu(cpu_info, cpu).apic_id : ~0U;
}

bool smp_cpu_stack(unsigned int cpu, unsigned long *lo, unsigned long *hi)
{
	if (cpu == 0 || cpu >= NR_CPUS || !ap_stack_lo[cpu])
		return false;
	*lo = ap_stack_lo[cpu];
	*hi = *lo + (PAGE_SIZE << SMP_AP_STACK_ORDER);
	return true;
}

/* the page-allocator order that holds bytes */
static unsigned int order_of(unsigned long bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/* An AP's life after the trampoline: runs on the AP with interrupts off. */
void smp_ap_main(void)
{
	unsigned int cpu = READ_ONCE(ap_boot.cpu);
	struct cpuinfo_x86 *c;
	bool lapic;
	int rc;

	/* started late, after the boot CPU gave up on it: stop here, before
	 * touching anything another CPU now owns */
	if (lapic_id() != READ_ONCE(ap_boot.apic_id))
		for (;;) {
			local_irq_disable();
			hlt();
		}
	gdt_init_cpu(cpu, READ_ONCE(ap_boot.ist), __per_cpu_offset[cpu]);
	idt_load();
	cpustat_cpu_start();
	sched_init_cpu();
	rc = lapic_init_ap();
	lapic = !rc;
	if (!rc) {
		c = this_cpu_ptr(&cpu_info);
		cpuinfo_collect(c);
		rc = tick_start_cpu(c->lapic_timer_hz);
	}
	__atomic_store_n(&ap_boot.answer, rc ? rc : 1, __ATOMIC_RELEASE);
	/* wake the boot CPU, halted in smp_wait_answer (with no LAPIC here,
	 * its next tick does) */
	if (lapic)
		lapic_send_ipi(cpu_apic_id(0), IRQ_VECTOR_RESCHEDULE);
	if (rc)
		for (;;) {
			local_irq_disable();
			hlt();
		}
	/* the idle loop: softirqs raised here (none yet: every device
	 * interrupt goes to CPU 0), otherwise halt until the next interrupt */
	sched_idle_loop_enter();
	for (;;) {
		cond_resched();
		local_irq_disable();
		/* a thread woken since cond_resched looked runs first */
		if (sched_runnable()) {
			local_irq_enable();
			continue;
		}
		if (local_softirq_pending()) {
			local_irq_enable();
			ksoftirqd_run();
			continue;
		}
		idle_halt();    /* sti;hlt: no wakeup lost in between */
	}
}

/* The answer of the AP being started (1 up, or its negative errno), 0 if
 * none came within SMP_AP_TIMEOUT_MS.  The boot CPU halts between looks
 * (kmain: interrupts on, its tick running): the AP's wake-up IPI, else
 * the next tick, brings it back; sti;hlt loses no wake-up that comes
 * after the look; a timeout is seen at most a tick late.  A loop that
 * read the TSC as fast as it could kept a host core busy under TCG (a
 * host thread per vCPU) while the AP calibrated its delay loop: in 80
 * interleaved 4-CPU boots each (host load 2.2-5.0), the APs' BogoMIPS
 * max/min per boot was 1.53 at the median and over 1.5 in 41 boots;
 * halted, 1.18 and 14.  Spinning with pause and a clock read every 4096
 * looks did not help: 1.53, against 1.64 spinning as before and 1.13
 * halted, in the same 20 interleaved boots. */
static int smp_wait_answer(void)
{
	u64 t0 = ktime_get_ns();
	int answer;

	for (;;) {
		local_irq_disable();
		answer = __atomic_load_n(&ap_boot.answer, __ATOMIC_ACQUIRE);
		if (answer || ktime_get_ns() - t0 >= (u64)SMP_AP_TIMEOUT_MS * NSEC_PER_MSEC)
			break;
		idle_halt();
	}
	local_irq_enable();
	return answer;
}

/* Start the AP with apic_id as logical CPU cpu: 0, -ENOMEM, -ETIMEDOUT
 * (it did not answer), or the AP's own error (its LAPIC or tick). */
static int smp_boot_ap(unsigned int cpu, u32 apic_id, struct smp_tr_params *tp)
{
	unsigned long pc_bytes = (unsigned long)(__per_cpu_end - __per_cpu_start);
	void *stack = page_alloc(SMP_AP_STACK_ORDER);
	void *ist = page_alloc(order_of(IST_AREA_BYTES));
	void *pc = page_alloc(order_of(pc_bytes));
	int answer;

	if (!stack || !ist || !pc) {
		if (stack)
			page_free(stack, SMP_AP_STACK_ORDER);
		if (ist)
			page_free(ist, order_of(IST_AREA_BYTES));
		if (pc)
			page_free(pc, order_of(pc_bytes));
		return -ENOMEM;
	}
	memset(pc, 0, pc_bytes);
	__per_cpu_offset[cpu] = (unsigned long)pc - (unsigned long)__per_cpu_start;
	per_cpu(this_cpu_off, cpu) = __per_cpu_offset[cpu];
	per_cpu(cpu_number, cpu) = cpu;
	ap_stack_lo[cpu] = (unsigned long)stack;

	ap_boot.cpu = cpu;
	ap_boot.ist = (unsigned long)ist;
	ap_boot.answer = 0;
	WRITE_ONCE(ap_boot.apic_id, apic_id);
	tp->stack = (unsigned long)stack + (PAGE_SIZE << SMP_AP_STACK_ORDER);
	mb();

	lapic_send_init(apic_id, true);
	lapic_send_init(apic_id, false);
	mdelay(INIT_DELAY_MS);
	for (int i = 0; i < 2 && apic_id != test_nosipi_apic; i++) {
		lapic_send_startup(apic_id, SMP_TRAMPOLINE_PHYS >> PAGE_SHIFT);
		udelay(SIPI_DELAY_US);
	}
	answer = smp_wait_answer();
	if (answer == 1)
		return 0;
	/* a late start halts itself (apic id check), and INIT holds it in
	 * reset meanwhile; its memory stays allocated: it may still be
	 * running on that stack */
	WRITE_ONCE(ap_boot.apic_id, ~0U);
	lapic_send_init(apic_id, true);
	ap_stack_lo[cpu] = 0;
	return answer ? answer : -ETIMEDOUT;
}

/* the trampoline page: free RAM in the loader's memory map, below 1 MiB */
static bool trampoline_page_free(void)
{
	for (int i = 0; i < boot_info.nr_mmap; i++) {
		const struct mem_region *r = &boot_info.mmap[i];

		if (r->type == MEM_AVAILABLE && r->base <= SMP_TRAMPOLINE_PHYS &&
		    r->base + r->len >= SMP_TRAMPOLINE_PHYS + PAGE_SIZE)
			return true;
	}
	return false;
}

static void smp_print_summary(unsigned int listed, unsigned int failed)
{
	printk(KERN_INFO "smp: Brought up %u CPU%s (APIC ids", nr_cpus_online,
	       nr_cpus_online == 1 ? "" : "s");
	for (unsigned int c = 0; c < nr_cpus_online; c++)
		pr_cont(" %u", cpu_apic_id(c));
	pr_cont("), %u listed in the MADT", listed);
	if (failed)
		pr_cont(", %u did not answer", failed);
	pr_cont("\n");
}

unsigned int smp_init(void)
{
	const struct madt_info *m = acpi_madt();
	struct cpuinfo_x86 *c0 = this_cpu_ptr(&cpu_info);
	unsigned int listed = m ? (unsigned int)MIN(m->nr_cpus, MADT_MAX_CPUS) : 1;
	unsigned int failed = 0, over = 0, capped = 0;
	struct smp_tr_params *tp;
	void *page;

	cpuinfo_collect(c0);
	if (smp_ipi_init()) {
		pr_warn("smp: IPI vectors taken: application processors not started\n");
		goto out;
	}
	if (smp_disabled || max_cpus <= 1) {
		pr_info("smp: %s: application processors not started\n",
			smp_disabled ? "nosmp" : "maxcpus");
		goto out;
	}
	if (!m || listed <= 1 || !lapic_present() || irq_using_8259()) {
		if (listed > 1)
			pr_info("smp: no local APIC mode (pic=8259?): application processors not started\n");
		goto out;
	}
	if (!trampoline_page_free()) {
		pr_warn("smp: page %#x is not free RAM: application processors not started\n",
			SMP_TRAMPOLINE_PHYS);
		goto out;
	}
	page = phys_to_virt(SMP_TRAMPOLINE_PHYS);
	memcpy(page, smp_tr_start, (size_t)(smp_tr_end - smp_tr_start));
	tp = (struct smp_tr_params *)((char *)page + (smp_tr_params - smp_tr_start));
	tp->entry = (unsigned long)smp_ap_entry;
	tp->kcr3 = read_cr3();
	tp->cr3 = (u32)virt_to_phys(boot_pml4);
	tp->efer = EFER_LME | (u32)(rdmsr(MSR_EFER) & EFER_NXE);

	for (unsigned int i = 0; i < listed; i++) {
		u32 apic = m->cpus[i].apic_id;
		unsigned int cpu = nr_cpus_online;
		int rc;

		if (apic == c0->apic_id)
			continue;
		if (cpu >= NR_CPUS) {
			over++;
			continue;
		}
		if (cpu >= max_cpus) {
			capped++;
			continue;
		}
		rc = smp_boot_ap(cpu, apic, tp);
		if (rc) {
			pr_warn("smp: CPU with APIC id %u did not answer (%s): skipped\n", apic,
				errno_name(rc));
			failed++;
			continue;
		}
		/* the AP's facts are complete: count it in */
		__atomic_store_n(&nr_cpus_online, cpu + 1, __ATOMIC_RELEASE);
		pr_info("smp: CPU%u (APIC id %u) up: LAPIC timer %llu Hz, %lu.%02lu BogoMIPS\n",
			cpu, apic, (unsigned long long)per_cpu(cpu_info, cpu).lapic_timer_hz,
			(unsigned long)(per_cpu(cpu_info, cpu).loops_per_jiffy / (500000 / HZ)),
			(unsigned long)(per_cpu(cpu_info, cpu).loops_per_jiffy / (5000 / HZ) % 100));
	}
	if (over)
		pr_warn("smp: the MADT lists %u CPUs, more than the %u supported (NR_CPUS): "
			"%u not started\n", listed, NR_CPUS, over);
	if (capped)
		pr_info("smp: maxcpus=%u: %u CPU%s not started\n", max_cpus, capped,
			capped == 1 ? "" : "s");
out:
	smp_print_summary(listed, failed);
	return nr_cpus_online;
}
