/* Inter-processor interrupts: run a function on another CPU
 * (smp_call_function_single, Linux's call-function IPI, /proc/interrupts
 * CAL), stop the other CPUs (panic), and the reschedule vector's counts
 * (RES; nothing sends it until there is a scheduler).
 *
 * A call is a struct call_single_data queued on the target CPU's
 * call_queue, then the target is sent IRQ_VECTOR_CALL_FUNC; its handler
 * takes the whole queue and runs each function in hard IRQ context, then
 * clears the record's CSD_LOCK, which is what a waiting caller (or the next
 * call reusing a sender's record) waits for.  `selftest=smp` checks it. */
#include "kernel/smp.h"
#include "kernel/apic.h"
#include "kernel/backtrace.h"
#include "kernel/idt.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/x86.h"

#define CSD_LOCK             BIT(0)     /* queued or running: not reusable */
/* how long smp_send_stop waits for the others to halt */
#define STOP_WAIT_MS         100
/* how long smp_dump_stopped_cpus waits for one CPU's registers and trace */
#define STOP_DUMP_WAIT_MS    2000
/* how long a stopped CPU waits for its turn to print before it halts */
#define STOP_TURN_WAIT_MS    10000

struct call_single_data {
	struct call_single_data *next;
	void (*fn)(void *info);
	void *info;
	u32 flags;
};

struct call_queue {
	/* guards head: the calls queued for this CPU.  Taken by the callers
	 * (thread context, interrupts off: irqsave) and by this CPU's
	 * call-function IPI handler (hard IRQ) */
	struct spinlock lock;
	struct call_single_data *head;
};

static DEFINE_PER_CPU(struct call_queue, call_queue);
/* a caller that does not wait uses its CPU's record (reused once done) */
static DEFINE_PER_CPU(struct call_single_data, csd_data);
/* smp_call_function_many without wait: one record per target */
static DEFINE_PER_CPU(struct call_single_data, csd_many[NR_CPUS]);
static unsigned int cpus_stopped;
/* the stop protocol: each stopped CPU marks itself, then prints when
 * stop_turn names it (CPU number + 1) and says so in stop_done */
static bool cpu_stopped[NR_CPUS];
/* the stop went out as an NMI to these (the IPI found interrupts off) */
static bool stop_nmi_wanted[NR_CPUS];
static int stop_turn, stop_done;

static void csd_wait(struct call_single_data *csd)
{
	while (__atomic_load_n(&csd->flags, __ATOMIC_ACQUIRE) & CSD_LOCK)
		cpu_relax();
}

/* queue csd (CSD_LOCK set, fn and info filled) on cpu and send the IPI */
static int smp_call_queue(unsigned int cpu, struct call_single_data *csd)
{
	struct call_queue *q = per_cpu_ptr(&call_queue, cpu);
	struct call_single_data **pp;
	unsigned long flags;
	int rc;

	flags = spin_lock_irqsave(&q->lock);
	for (pp = &q->head; *pp; pp = &(*pp)->next)
		;
	*pp = csd;
	spin_unlock_irqrestore(&q->lock, flags);
	rc = lapic_send_ipi(cpu_apic_id(cpu), IRQ_VECTOR_CALL_FUNC);
	if (rc)
		pr_err("smp: call-function IPI to CPU%u failed: %s\n", cpu, errno_name(rc));
	/* on failure the record stays queued: the next IPI runs it */
	return rc;
}

static void csd_fill(struct call_single_data *csd, void (*fn)(void *info), void *info)
{
	csd->next = NULL;
	csd->fn = fn;
	csd->info = info;
	csd->flags = CSD_LOCK;
}

int smp_call_function_single(unsigned int cpu, void (*fn)(void *info), void *info, bool wait)
{
	struct call_single_data on_stack = { 0 }, *csd;
	unsigned long flags;
	int rc;

	if (!fn)
		return -EINVAL;
	if (cpu >= nr_cpu_ids_online())
		return -ENXIO;
	if (cpu == smp_processor_id()) {
		flags = local_irq_save();
		fn(info);
		local_irq_restore(flags);
		return 0;
	}
	/* the target may be waiting for us the same way: we must be able
	 * to take its call meanwhile */
	if (in_irq() || irqs_disabled())
		return -EINVAL;
	csd = wait ? &on_stack : this_cpu_ptr(&csd_data);
	csd_wait(csd);
	csd_fill(csd, fn, info);
	rc = smp_call_queue(cpu, csd);
	if (!rc && wait)
		csd_wait(csd);
	return rc;
}

int smp_call_function_many(unsigned long mask, void (*fn)(void *info), void *info, bool wait)
{
	struct call_single_data on_stack[NR_CPUS], *csd;
	unsigned int me, n = nr_cpu_ids_online();
	int rc = 0, err;

	if (!fn)
		return -EINVAL;
	if (in_irq() || irqs_disabled())
		return -EINVAL;
	/* this CPU's records stay this CPU's while they are filled */
	preempt_disable();
	me = smp_processor_id();
	for (unsigned int c = 0; c < n; c++) {
		if (c == me || !(mask & BIT(c)))
			continue;
		csd = wait ? &on_stack[c] : &(*this_cpu_ptr(&csd_many))[c];
		if (!wait)      /* the previous call's record must be done */
			csd_wait(csd);
		csd_fill(csd, fn, info);
		err = smp_call_queue(c, csd);
		if (err) {
			rc = err;
			if (wait)       /* never run: the record is on our stack */
				__atomic_store_n(&csd->flags, 0, __ATOMIC_RELEASE);
		}
	}
	if (wait)
		for (unsigned int c = 0; c < n; c++)
			if (c != me && (mask & BIT(c)))
				csd_wait(&on_stack[c]);
	preempt_enable();
	return rc;
}

static int call_function_interrupt(void *ctx)
{
	struct call_queue *q = this_cpu_ptr(&call_queue);
	struct call_single_data *csd;

	(void)ctx;
	spin_lock(&q->lock);
	csd = q->head;
	q->head = NULL;
	spin_unlock(&q->lock);
	while (csd) {
		/* the caller may reuse or drop the record once it is unlocked */
		struct call_single_data *next = csd->next;

		csd->fn(csd->info);
		__atomic_store_n(&csd->flags, 0, __ATOMIC_RELEASE);
		csd = next;
	}
	return IRQ_HANDLED;
}

static int reschedule_interrupt(void *ctx)
{
	(void)ctx;
	return IRQ_HANDLED;
}

/* Halt here for good, after printing this CPU's registers and backtrace
 * (tf: the interrupted code) when the panicking CPU asks (one CPU at a
 * time, after its own report: smp_dump_stopped_cpus). */
static __noreturn void smp_stop_self(const struct trap_frame *tf, const char *how)
{
	unsigned int cpu = smp_processor_id();
	struct task_struct *t = sched_ready() ? current : NULL;
	u64 t0;

	local_irq_disable();
	WRITE_ONCE(cpu_stopped[cpu], true);
	__atomic_fetch_add(&cpus_stopped, 1, __ATOMIC_RELEASE);
	t0 = ktime_get_ns();
	while (__atomic_load_n(&stop_turn, __ATOMIC_ACQUIRE) != (int)cpu + 1 &&
	       ktime_get_ns() - t0 < (u64)STOP_TURN_WAIT_MS * NSEC_PER_MSEC)
		cpu_relax();
	if (READ_ONCE(stop_turn) == (int)cpu + 1) {
		printk(KERN_EMERG "CPU%u stopped by the panic%s, in %s [pid %d]:\n", cpu, how,
		       t ? t->comm : "?", t ? t->pid : -1);
		if (tf) {
			show_regs(tf);
			printk(KERN_EMERG "Call Trace:\n");
			backtrace_print(tf->rip, tf->rbp, tf->rsp);
		}
		__atomic_store_n(&stop_done, (int)cpu + 1, __ATOMIC_RELEASE);
	}
	for (;;)
		hlt();
}

/* the stop IPI */
static int stop_interrupt(void *ctx)
{
	(void)ctx;
	smp_stop_self(get_irq_regs(), "");
	return IRQ_HANDLED;
}

void smp_stop_nmi(const struct trap_frame *tf)
{
	unsigned int cpu = smp_processor_id();

	if (READ_ONCE(stop_nmi_wanted[cpu]) && !READ_ONCE(cpu_stopped[cpu]))
		smp_stop_self(tf, " (by NMI: interrupts were off)");
}

void smp_dump_stopped_cpus(void)
{
	unsigned int me = smp_processor_id();

	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++) {
		u64 t0;

		if (c == me)
			continue;
		if (!READ_ONCE(cpu_stopped[c])) {
			printk(KERN_EMERG "CPU%u did not stop (neither the IPI nor an NMI)\n", c);
			continue;
		}
		__atomic_store_n(&stop_turn, (int)c + 1, __ATOMIC_RELEASE);
		t0 = ktime_get_ns();
		while (__atomic_load_n(&stop_done, __ATOMIC_ACQUIRE) != (int)c + 1 &&
		       ktime_get_ns() - t0 < (u64)STOP_DUMP_WAIT_MS * NSEC_PER_MSEC)
			cpu_relax();
		if (READ_ONCE(stop_done) != (int)c + 1)
			printk(KERN_EMERG "CPU%u: no registers within %u ms\n", c,
			       STOP_DUMP_WAIT_MS);
	}
}

/* wait up to STOP_WAIT_MS for n - 1 CPUs to have stopped */
static void stop_wait(unsigned int n)
{
	u64 t0 = ktime_get_ns();

	while (__atomic_load_n(&cpus_stopped, __ATOMIC_ACQUIRE) < n - 1 &&
	       ktime_get_ns() - t0 < (u64)STOP_WAIT_MS * NSEC_PER_MSEC)
		cpu_relax();
}

unsigned int smp_send_stop(void)
{
	unsigned int me = smp_processor_id(), n = nr_cpu_ids_online();

	if (n <= 1)
		return 0;
	for (unsigned int c = 0; c < n; c++)
		if (c != me)
			lapic_send_ipi(cpu_apic_id(c), IRQ_VECTOR_STOP);
	stop_wait(n);
	/* a CPU spinning with interrupts off never takes the IPI: an NMI
	 * reaches it (Linux's NMI fallback in its stop) */
	if (__atomic_load_n(&cpus_stopped, __ATOMIC_ACQUIRE) < n - 1) {
		for (unsigned int c = 0; c < n; c++) {
			if (c == me || READ_ONCE(cpu_stopped[c]))
				continue;
			WRITE_ONCE(stop_nmi_wanted[c], true);
			lapic_send_nmi(cpu_apic_id(c));
		}
		stop_wait(n);
	}
	return __atomic_load_n(&cpus_stopped, __ATOMIC_ACQUIRE);
}

u64 smp_ipi_count(unsigned int cpu, int vector)
{
	return irq_count_cpu(vector, cpu);
}

int smp_ipi_init(void)
{
	int rc = irq_set_handler(IRQ_VECTOR_CALL_FUNC, call_function_interrupt, NULL, "CAL");

	if (!rc)
		rc = irq_set_handler(IRQ_VECTOR_RESCHEDULE, reschedule_interrupt, NULL, "RES");
	if (!rc)
		rc = irq_set_handler(IRQ_VECTOR_STOP, stop_interrupt, NULL, "stop");
	for (unsigned int c = 0; c < NR_CPUS; c++)
		per_cpu(call_queue, c).lock.name = "call_queue";
	return rc;
}

/* --- selftest=smp --- */

#define SMP_TEST_ROUNDS 20000
#define SMP_TEST_WINDOW 16

struct smp_test {
	/* guards count; taken on every CPU, in hard IRQ (the called
	 * function) and in thread context with interrupts off */
	struct spinlock lock;
	u64 count;
	u32 ran_on[NR_CPUS];            /* the CPU each call found itself on */
};

static struct smp_test smp_test = { .lock = SPINLOCK_INIT("smp_test") };
/* one record per AP, so all of them add at once */
static struct call_single_data smp_test_csd[NR_CPUS];

static void smp_test_where(void *info)
{
	u32 *slot = info;

	*slot = smp_processor_id() + 1;
}

/* a read-modify-write with a window in it: without the lock, CPUs doing
 * this at once lose updates */
static void smp_test_inc(void)
{
	u64 v = READ_ONCE(smp_test.count);

	for (int i = 0; i < SMP_TEST_WINDOW; i++)
		cpu_relax();
	WRITE_ONCE(smp_test.count, v + 1);
}

static void smp_test_add(void *info)
{
	unsigned long n = (unsigned long)info;

	for (unsigned long i = 0; i < n; i++) {
		spin_lock(&smp_test.lock);
		smp_test_inc();
		spin_unlock(&smp_test.lock);
	}
}

/* every CPU runs a call on itself; then each AP and CPU 0 at the same
 * time add to one spinlock-protected counter, which must come out exact */
static int selftest_smp(void)
{
	unsigned int n = nr_cpu_ids_online();
	u64 want = 0;
	int rc = 0;

	for (unsigned int c = 0; c < n; c++) {
		rc = smp_call_function_single(c, smp_test_where, &smp_test.ran_on[c], true);
		SELFTEST_CHECK("smp", rc == 0);
		SELFTEST_CHECK("smp", smp_test.ran_on[c] == c + 1);
	}
	SELFTEST_CHECK("smp", smp_call_function_single(n, smp_test_where, NULL, true) == -ENXIO);
	for (unsigned int c = 1; c < n; c++) {
		csd_fill(&smp_test_csd[c], smp_test_add, (void *)(unsigned long)SMP_TEST_ROUNDS);
		rc = smp_call_queue(c, &smp_test_csd[c]);
		SELFTEST_CHECK("smp", rc == 0);
		want += SMP_TEST_ROUNDS;
	}
	for (unsigned long i = 0; i < SMP_TEST_ROUNDS; i++) {
		unsigned long flags = spin_lock_irqsave(&smp_test.lock);

		smp_test_inc();
		spin_unlock_irqrestore(&smp_test.lock, flags);
	}
	want += SMP_TEST_ROUNDS;
	for (unsigned int c = 1; c < n; c++)
		csd_wait(&smp_test_csd[c]);
	pr_info("smp: test: %u CPUs, counter %llu of %llu, %llu call IPIs taken\n", n,
		(unsigned long long)smp_test.count, (unsigned long long)want,
		(unsigned long long)irq_count(IRQ_VECTOR_CALL_FUNC));
	SELFTEST_CHECK("smp", smp_test.count == want);
	rc = smp_stress_test();
out:
	return rc;
}
SELFTEST("smp", selftest_smp,
	 "call a function on every CPU; all CPUs add to one spinlock-protected counter; "
	 "threads on every CPU hammer kmalloc, skbs, a lock and wait/wake pairs");

/* --- selftest=panic_smp --- */

static volatile bool panic_spin_started;

/* a thread on the last CPU spins here, with interrupts on, until the
 * panic's stop IPI takes that CPU: the report must name this function */
static __attribute__((noinline)) int panic_smp_spin(void *data)
{
	(void)data;
	WRITE_ONCE(panic_spin_started, true);
	for (;;)
		cpu_relax();
	return 0;
}

/* the same with interrupts off: only an NMI stops that CPU */
static __attribute__((noinline)) int panic_smp_spin_irqoff(void *data)
{
	(void)data;
	local_irq_disable();
	WRITE_ONCE(panic_spin_started, true);
	for (;;)
		cpu_relax();
	return 0;
}

static int panic_smp_run(int (*spin)(void *data))
{
	unsigned int n = nr_cpu_ids_online();
	struct task_struct *t;
	u64 t0 = ktime_get_ns();

	if (n < 2) {
		pr_err("panic_smp: test: needs 2 CPUs\n");
		return -ENODEV;
	}
	t = kthread_create(spin, NULL, "panic_spin");
	if (!t || kthread_bind(t, n - 1))
		return -ENOMEM;
	wake_up_process(t);
	while (!READ_ONCE(panic_spin_started) && ktime_get_ns() - t0 < NSEC_PER_SEC)
		cpu_relax();
	panic("panic_smp: test: CPU%u spins in %s", n - 1,
	      spin == panic_smp_spin ? "panic_smp_spin" : "panic_smp_spin_irqoff");
	return 0;
}

static int selftest_panic_smp(void)
{
	return panic_smp_run(panic_smp_spin);
}
SELFTEST("panic_smp", selftest_panic_smp,
	 "panic while a thread spins on the last CPU: each CPU's registers and backtrace");

static int selftest_panic_smp_irqoff(void)
{
	return panic_smp_run(panic_smp_spin_irqoff);
}
SELFTEST("panic_smp_irqoff", selftest_panic_smp_irqoff,
	 "panic while a thread spins with interrupts off: the stop reaches it by NMI");
