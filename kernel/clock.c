/* Clock: the TSC as the time base (ktime, delays), calibrated together with
 * the LAPIC timer against the HPET main counter or PIT channel 2, polled.
 *
 * ktime_get_ns() = (rdtsc - boot_tsc) * ns_per_tick, in 32.32 fixed point. */
#include "kernel/time.h"
#include "kernel/acpi.h"
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/hpet.h"
#include "kernel/pit.h"
#include "kernel/printk.h"
#include "kernel/x86.h"

/* reference interval for calibration; the PIT holds at most 54.9 ms */
#define CAL_MS              50
_Static_assert(PIT_HZ * CAL_MS / MSEC_PER_SEC <= PIT_MAX_COUNT, "PIT calibration window");
#define CAL_WARMUP_MS       1
/* the LAPIC timer check counts down this long (at the calibrated rate) */
#define LAPIC_CHECK_MS      50
#define LAPIC_COUNT_MAX     0xffffffffU
/* 32.32 fixed point for ns per TSC tick */
#define NS_FRAC_SHIFT       32

static u64 tsc_rate;            /* TSC Hz */
static u64 ns_mult;             /* ns per TSC tick << NS_FRAC_SHIFT */
static u64 lapic_rate;          /* LAPIC timer input Hz (before the divider) */

u64 tsc_hz(void)
{
	return tsc_rate;
}

u64 lapic_timer_hz(void)
{
	return lapic_rate;
}

u64 tsc_to_ns(u64 delta)
{
	return (u64)(((unsigned __int128)delta * ns_mult) >> NS_FRAC_SHIFT);
}

u64 ktime_get_ns(void)
{
	return ns_mult ? tsc_to_ns(rdtsc() - boot_tsc) : 0;
}

void udelay(u64 us)
{
	u64 start, ticks;

	if (!tsc_rate) {
		while (us--)
			io_delay();
		return;
	}
	start = rdtsc();
	ticks = us * tsc_rate / USEC_PER_SEC;
	while (rdtsc() - start < ticks)
		cpu_relax();
}

void mdelay(u64 ms)
{
	while (ms--)
		udelay(USEC_PER_SEC / MSEC_PER_SEC);
}

/* what one calibration run saw over one reference interval */
struct cal_sample {
	u64 ref_ns;
	u64 tsc;
	u32 lapic;                  /* LAPIC timer counts (after the divider) */
};

/* PIT channel 2 in mode 0, polled until OUT2 rises */
static void cal_against_pit(struct cal_sample *s, bool lapic, u64 ms)
{
	u64 ticks = PIT_HZ * ms / MSEC_PER_SEC;
	u64 t0, t1;
	u32 l0 = 0, l1 = 0;

	pit_oneshot_start(ticks);
	t0 = rdtsc();
	if (lapic)
		l0 = lapic_timer_current();
	while (!pit_oneshot_done())
		cpu_relax();
	t1 = rdtsc();
	if (lapic)
		l1 = lapic_timer_current();
	s->ref_ns = ticks * NSEC_PER_SEC / PIT_HZ;
	s->tsc = t1 - t0;
	s->lapic = l0 - l1;
}

/* HPET main counter, polled until ms have passed */
static void cal_against_hpet(struct cal_sample *s, bool lapic, u64 ms)
{
	u64 mask = hpet_counter_mask(), period = hpet_period_fs();
	u64 want = ms * (FSEC_PER_SEC / MSEC_PER_SEC) / period;
	u64 h0, h1, t0, t1;
	u32 l0 = 0, l1 = 0;

	h0 = hpet_read();
	t0 = rdtsc();
	if (lapic)
		l0 = lapic_timer_current();
	do {
		h1 = hpet_read();
	} while (((h1 - h0) & mask) < want);
	t1 = rdtsc();
	if (lapic)
		l1 = lapic_timer_current();
	/* fs -> ns without overflow: ticks * period can exceed 2^64 fs only
	 * past ~5 hours */
	s->ref_ns = ((h1 - h0) & mask) * period / (FSEC_PER_SEC / NSEC_PER_SEC);
	s->tsc = t1 - t0;
	s->lapic = l0 - l1;
}

static void tsc_set_rate(u64 hz)
{
	tsc_rate = hz;
	ns_mult = (NSEC_PER_SEC << NS_FRAC_SHIFT) / hz;
}

/* Run the LAPIC timer one-shot (masked) for a fixed count and time it with
 * the TSC: an independent check of the calibration and of the timer. */
static u64 lapic_time_count(u32 count)
{
	u64 t0, t1;

	lapic_timer_start(count, false, 0, true);
	t0 = rdtsc();
	while (lapic_timer_current())
		cpu_relax();
	t1 = rdtsc();
	lapic_timer_stop();
	return tsc_to_ns(t1 - t0);
}

static void lapic_check(void)
{
	u32 count = lapic_rate / LAPIC_TIMER_DIVIDE * LAPIC_CHECK_MS / MSEC_PER_SEC;
	u64 ns;

	lapic_time_count(count / (LAPIC_CHECK_MS / CAL_WARMUP_MS));   /* warm-up, as above */
	ns = lapic_time_count(count);
	if (!ns) {
		pr_err("timer: lapic check: the timer did not count\n");
		return;
	}
	pr_info("timer: lapic check: %llu Hz measured against the TSC over %llu ms\n",
		(unsigned long long)((u64)count * LAPIC_TIMER_DIVIDE * NSEC_PER_SEC / ns),
		(unsigned long long)(ns / NSEC_PER_MSEC));
}

int clock_init(void)
{
	struct cal_sample s;
	bool lapic = lapic_present();
	bool use_hpet = !hpet_init(acpi_hpet_address());

	if (lapic)
		lapic_timer_start(LAPIC_COUNT_MAX, false, 0, true);
	/* a short pass first: under an emulator (QEMU TCG) the first run of
	 * code includes its translation, which would skew the end samples */
	for (u64 ms = CAL_WARMUP_MS; ; ms = CAL_MS) {
		if (use_hpet)
			cal_against_hpet(&s, lapic, ms);
		else
			cal_against_pit(&s, lapic, ms);
		if (ms == CAL_MS)
			break;
	}
	if (lapic)
		lapic_timer_stop();
	if (!s.tsc || !s.ref_ns) {
		pr_err("timer: calibration failed (tsc delta %llu, reference %llu ns)\n",
		       (unsigned long long)s.tsc, (unsigned long long)s.ref_ns);
		return -EIO;
	}
	tsc_set_rate(s.tsc * NSEC_PER_SEC / s.ref_ns);
	lapic_rate = (u64)s.lapic * LAPIC_TIMER_DIVIDE * NSEC_PER_SEC / s.ref_ns;
	pr_info("timer: tsc %llu Hz, lapic %llu Hz (reference %s)\n",
		(unsigned long long)tsc_rate, (unsigned long long)lapic_rate,
		use_hpet ? "hpet" : "pit");
	if (lapic && lapic_rate)
		lapic_check();
	return 0;
}
