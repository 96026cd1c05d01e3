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

/* reference interval for calibration; the PIT wraps after 54.9 ms, and
 * the margin lets a stalled end snapshot still see an unwrapped count */
#define CAL_MS              40
_Static_assert(PIT_HZ * CAL_MS / MSEC_PER_SEC < PIT_MAX_COUNT, "PIT calibration window");
#define CAL_WARMUP_MS       1
#define CAL_TRIES           10
/* bracketed reads per snapshot; the tightest one is kept */
#define SNAP_TRIES          8
/* the LAPIC timer check: a count worth this long at the calibrated rate,
 * measured until 1/LAPIC_CHECK_TAIL of it is left.  The part left is the
 * margin for the end snapshot: under an emulator on a loaded host the
 * vCPU may be off the CPU for milliseconds between the loop and the
 * snapshot while the emulated timer runs on (with a sixteenth, 3 ms, the
 * check failed all its tries in 1 boot of 4 with the host's 2 cores
 * oversubscribed 4 times); up to LAPIC_CHECK_TRIES runs */
#define LAPIC_CHECK_MS      50
#define LAPIC_CHECK_TAIL    2
#define LAPIC_CHECK_TRIES   10
/* an AP's own LAPIC timer (lapic_timer_calibrate_cpu): this many windows
 * of AP_CAL_MS against the boot CPU's reference, the median kept */
#define AP_CAL_WINDOWS      5
#define AP_CAL_MS           2
/* 32.32 fixed point for ns per TSC tick */
#define NS_FRAC_SHIFT       32

static u64 tsc_rate;            /* TSC Hz */
static u64 ns_mult;             /* ns per TSC tick << NS_FRAC_SHIFT */
static u64 lapic_rate;          /* LAPIC timer input Hz (before the divider) */
static bool ref_hpet;           /* the reference clock_init used: HPET, else PIT */

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
	/* one deadline, so stalls (an emulator descheduled by its host) do
	 * not add up over many short waits */
	if (tsc_rate) {
		udelay(ms * (USEC_PER_SEC / MSEC_PER_SEC));
		return;
	}
	while (ms--)
		udelay(USEC_PER_SEC / MSEC_PER_SEC);
}

/* A reading of a reference counter and of the LAPIC timer between two TSC
 * reads.  Every measurement below is the difference of two snapshots, never
 * the moment a poll loop noticed an event: a stall (SMI, or the host
 * descheduling an emulator) between two polls would land in the result. */
struct snap {
	u64 tsc;                    /* midpoint of the bracketing TSC reads */
	u64 ref;
	u32 lapic;
};

/* the tightest of SNAP_TRIES bracketed reads */
static void snap_take(struct snap *s, u64 (*ref_read)(void), bool lapic)
{
	u64 best = ~0ULL;

	*s = (struct snap){ 0 };
	for (int i = 0; i < SNAP_TRIES; i++) {
		u64 ta = rdtsc();
		u64 r = ref_read ? ref_read() : 0;
		u32 l = lapic ? lapic_timer_current() : 0;
		u64 tb = rdtsc();

		if (tb - ta < best) {
			best = tb - ta;
			*s = (struct snap){ ta + (tb - ta) / 2, r, l };
		}
	}
}

/* what one calibration run saw over one reference interval */
struct cal_sample {
	u64 ref_ns;
	u64 tsc;
	u32 lapic;                  /* LAPIC timer counts (after the divider) */
};

static u64 pit_ref_read(void)
{
	return pit_oneshot_read();
}

/* PIT channel 2 counting down from its maximum (mode 0), read back by
 * latching; false if it passed terminal count (wrapped: the count is
 * ambiguous) before the end snapshot */
static bool cal_against_pit(struct cal_sample *c, bool lapic, u64 ms)
{
	u64 want = PIT_HZ * ms / MSEC_PER_SEC;
	struct snap a, b;

	pit_oneshot_start(PIT_MAX_COUNT);
	snap_take(&a, pit_ref_read, lapic);
	while (((a.ref - pit_oneshot_read()) & PIT_MAX_COUNT) < want && !pit_oneshot_done())
		cpu_relax();
	snap_take(&b, pit_ref_read, lapic);
	if (pit_oneshot_done())
		return false;
	c->ref_ns = ((a.ref - b.ref) & PIT_MAX_COUNT) * NSEC_PER_SEC / PIT_HZ;
	c->tsc = b.tsc - a.tsc;
	c->lapic = a.lapic - b.lapic;
	return true;
}

/* the HPET main counter over ms */
static bool cal_against_hpet(struct cal_sample *c, bool lapic, u64 ms)
{
	u64 mask = hpet_counter_mask(), period = hpet_period_fs();
	u64 want = ms * (FSEC_PER_SEC / MSEC_PER_SEC) / period;
	struct snap a, b;

	snap_take(&a, hpet_read, lapic);
	while (((hpet_read() - a.ref) & mask) < want)
		cpu_relax();
	snap_take(&b, hpet_read, lapic);
	/* ticks * period in fs overflows 64 bits only past ~5 hours */
	c->ref_ns = ((b.ref - a.ref) & mask) * period / (FSEC_PER_SEC / NSEC_PER_SEC);
	c->tsc = b.tsc - a.tsc;
	c->lapic = a.lapic - b.lapic;
	return true;
}

static bool calibrate(struct cal_sample *c, bool use_hpet, bool lapic, u64 ms)
{
	bool ok;

	if (lapic)
		lapic_timer_start(LAPIC_TIMER_COUNT_MAX, false, 0, true);
	ok = use_hpet ? cal_against_hpet(c, lapic, ms) : cal_against_pit(c, lapic, ms);
	if (lapic)
		lapic_timer_stop();
	return ok && c->tsc && c->ref_ns;
}

static void tsc_set_rate(u64 hz)
{
	tsc_rate = hz;
	ns_mult = (NSEC_PER_SEC << NS_FRAC_SHIFT) / hz;
}

/* Run the LAPIC timer one-shot (masked) from a fixed count and time its
 * countdown with the TSC; false if it expired before the end snapshot */
static bool lapic_measure(u32 count, u64 *hz, u64 *ns)
{
	struct snap a, b;

	lapic_timer_start(count, false, 0, true);
	snap_take(&a, NULL, true);
	while (lapic_timer_current() > count / LAPIC_CHECK_TAIL)
		cpu_relax();
	snap_take(&b, NULL, true);
	lapic_timer_stop();
	*ns = tsc_to_ns(b.tsc - a.tsc);
	if (!b.lapic || !*ns || a.lapic <= b.lapic)
		return false;
	*hz = (u64)(a.lapic - b.lapic) * LAPIC_TIMER_DIVIDE * NSEC_PER_SEC / *ns;
	return true;
}

/* an independent check of the calibration and of the timer itself */
static void lapic_check(void)
{
	u32 count = lapic_rate / LAPIC_TIMER_DIVIDE * LAPIC_CHECK_MS / MSEC_PER_SEC;
	u64 hz = 0, ns = 0;
	int tries = 0;

	while (tries++ < LAPIC_CHECK_TRIES && !lapic_measure(count, &hz, &ns))
		;
	if (tries > LAPIC_CHECK_TRIES) {
		pr_err("timer: lapic check: the timer did not count down as programmed\n");
		return;
	}
	pr_info("timer: lapic check: %llu Hz measured against the TSC over %llu ms\n",
		(unsigned long long)hz, (unsigned long long)(ns / NSEC_PER_MSEC));
}

int clock_init(void)
{
	struct cal_sample c;
	bool lapic = lapic_present();
	bool use_hpet = !hpet_init(acpi_hpet_address());
	int tries = 0;

	/* a short pass first: under an emulator (QEMU TCG) the first run of
	 * code includes its translation */
	calibrate(&c, use_hpet, lapic, CAL_WARMUP_MS);
	while (tries++ < CAL_TRIES && !calibrate(&c, use_hpet, lapic, CAL_MS))
		;
	if (tries > CAL_TRIES) {
		pr_err("timer: calibration against the %s failed %d times\n",
		       use_hpet ? "HPET" : "PIT", CAL_TRIES);
		return -EIO;
	}
	ref_hpet = use_hpet;
	tsc_set_rate(c.tsc * NSEC_PER_SEC / c.ref_ns);
	lapic_rate = (u64)c.lapic * LAPIC_TIMER_DIVIDE * NSEC_PER_SEC / c.ref_ns;
	pr_info("timer: tsc %llu Hz, lapic %llu Hz (reference %s)\n",
		(unsigned long long)tsc_rate, (unsigned long long)lapic_rate,
		use_hpet ? "hpet" : "pit");
	if (lapic && lapic_rate)
		lapic_check();
	return 0;
}

/* An AP's LAPIC timer, measured as clock_init measured the boot CPU's:
 * against the HPET (or PIT channel 2; one AP at a time comes up, so
 * nothing else runs it), not against the TSC.  Under QEMU TCG the TSC a
 * vCPU reads ran up to 0.16 % fast over 2 ms windows while another vCPU
 * read it in a tight loop (the boot CPU waiting for this AP's answer),
 * where the LAPIC timer and the HPET agreed within 0.01 %: one 10 ms
 * window against the TSC gave rates up to 4.8 % low (11 APs of 720 over
 * 1 %, 240 boots of 4 vCPUs on 2 busy host cores; against the HPET, 390
 * APs of 130 boots within 0.021 %).  The median of AP_CAL_WINDOWS
 * windows leaves out one that a stall disturbed all the same. */
u64 lapic_timer_calibrate_cpu(void)
{
	u64 hz[AP_CAL_WINDOWS];
	unsigned int n = 0;

	if (!tsc_rate)
		return 0;
	for (int i = 0; i < AP_CAL_WINDOWS; i++) {
		struct cal_sample c;

		if (calibrate(&c, ref_hpet, true, AP_CAL_MS) && c.lapic)
			hz[n++] = (u64)c.lapic * LAPIC_TIMER_DIVIDE * NSEC_PER_SEC / c.ref_ns;
	}
	/* insertion sort: a handful of values */
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j && hz[j - 1] > hz[j]; j--) {
			u64 t = hz[j];

			hz[j] = hz[j - 1];
			hz[j - 1] = t;
		}
	return n ? hz[n / 2] : 0;
}
