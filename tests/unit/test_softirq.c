/* kernel/softirq.c: pending mask, service order and counts, the irq_exit
 * path, the restart and time bounds with deferral to ksoftirqd, bh
 * disabling, and the /proc/softirqs text. */
#include <check.h>
#include <sanitizer/lsan_interface.h>
#include <stdio.h>
#include <string.h>
#include "host_stubs.h"
#include "kernel/irq.h"
#include "kernel/softirq.h"
#include "check_main.h"

static int runs[NR_SOFTIRQS];
static int order[64], norder;
static int rearm[NR_SOFTIRQS];   /* times a handler raises its own vector again */
static bool bad_context;         /* a handler ran with IRQs off, in hard IRQ, or not as softirq */

static void record(unsigned int nr)
{
	runs[nr]++;
	if (norder < 64)
		order[norder++] = (int)nr;
	if (!host_irqs_enabled || !in_serving_softirq() || in_irq())
		bad_context = true;
	if (rearm[nr] != 0) {
		if (rearm[nr] > 0)
			rearm[nr]--;
		raise_softirq(nr);
	}
}

static void h_hi(void) { record(HI_SOFTIRQ); }
static void h_timer(void) { record(TIMER_SOFTIRQ); }
static void h_net_tx(void) { record(NET_TX_SOFTIRQ); }
static void h_net_rx(void) { record(NET_RX_SOFTIRQ); }
static void h_tasklet(void) { record(TASKLET_SOFTIRQ); }

static void setup(void)
{
	open_softirq(HI_SOFTIRQ, h_hi);
	open_softirq(TIMER_SOFTIRQ, h_timer);
	open_softirq(NET_TX_SOFTIRQ, h_net_tx);
	open_softirq(NET_RX_SOFTIRQ, h_net_rx);
	open_softirq(TASKLET_SOFTIRQ, h_tasklet);
}

static void teardown(void)
{
	ck_assert(host_irqs_enabled);
	ck_assert(!in_softirq());
	ck_assert_int_eq(host_kmalloc_live, 0);
	ck_assert_int_eq(__lsan_do_recoverable_leak_check(), 0);
}

static const struct softirq_stat *stat0(void)
{
	return softirq_stat_cpu(0);
}

START_TEST(names_follow_linux_order)
{
	static const char *const linux_names[] = { "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK",
		"IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU" };

	ck_assert_int_eq(NR_SOFTIRQS, 10);
	for (unsigned int i = 0; i < NR_SOFTIRQS; i++)
		ck_assert_str_eq(softirq_to_name[i], linux_names[i]);
}
END_TEST

START_TEST(raise_sets_pending_and_restores_irq_state)
{
	unsigned long before = host_irq_disable_count;

	raise_softirq(NET_RX_SOFTIRQ);
	ck_assert_uint_eq(local_softirq_pending(), 1U << NET_RX_SOFTIRQ);
	ck_assert(host_irqs_enabled);
	ck_assert_uint_gt(host_irq_disable_count, before);   /* mask changed with IRQs off */

	host_irqs_enabled = false;
	raise_softirq(TIMER_SOFTIRQ);
	ck_assert(!host_irqs_enabled);                      /* left as found */
	host_irqs_enabled = true;
	ck_assert_uint_eq(local_softirq_pending(), (1U << NET_RX_SOFTIRQ) | (1U << TIMER_SOFTIRQ));
	ck_assert_uint_eq(stat0()->raised[NET_RX_SOFTIRQ], 1);

	raise_softirq(NR_SOFTIRQS);                          /* ignored */
	ck_assert_uint_eq(local_softirq_pending(), (1U << NET_RX_SOFTIRQ) | (1U << TIMER_SOFTIRQ));
	do_softirq();
	ck_assert_uint_eq(local_softirq_pending(), 0);
}
END_TEST

START_TEST(do_softirq_runs_in_vector_order_and_counts)
{
	raise_softirq(TASKLET_SOFTIRQ);
	raise_softirq(NET_RX_SOFTIRQ);
	raise_softirq(HI_SOFTIRQ);
	raise_softirq(NET_RX_SOFTIRQ);                        /* once per round, not per raise */
	do_softirq();
	ck_assert_int_eq(norder, 3);
	ck_assert_int_eq(order[0], HI_SOFTIRQ);
	ck_assert_int_eq(order[1], NET_RX_SOFTIRQ);
	ck_assert_int_eq(order[2], TASKLET_SOFTIRQ);
	ck_assert(!bad_context);
	ck_assert_uint_eq(kstat_softirqs_cpu(NET_RX_SOFTIRQ, 0), 1);
	ck_assert_uint_eq(kstat_softirqs_cpu(TIMER_SOFTIRQ, 0), 0);
	ck_assert_uint_eq(kstat_softirqs_cpu(NET_RX_SOFTIRQ, 1), 0);   /* no such CPU */
	ck_assert_ptr_null(softirq_stat_cpu(1));
	ck_assert_uint_eq(local_softirq_pending(), 0);
}
END_TEST

static void irq_raise_net_rx(void *ctx)
{
	(void)ctx;
	raise_softirq(NET_RX_SOFTIRQ);
	/* nothing runs inside the hard IRQ */
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], 0);
}

START_TEST(irq_exit_runs_softirqs_after_the_handler)
{
	host_irq_simulate(irq_raise_net_rx, NULL);
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], 1);
	ck_assert(!bad_context);
	ck_assert_uint_eq(stat0()->deferred, 0);             /* raised in IRQ: no ksoftirqd */
	ck_assert(!ksoftirqd_run());
}
END_TEST

static void irq_raise_timer(void *ctx)
{
	(void)ctx;
	raise_softirq(TIMER_SOFTIRQ);
}

static int inner_irqs;

static void h_net_rx_interrupted(void)
{
	record(NET_RX_SOFTIRQ);
	if (inner_irqs++ == 0) {
		/* an interrupt while NET_RX runs: its irq_exit must not recurse */
		host_irq_simulate(irq_raise_timer, NULL);
		ck_assert_int_eq(runs[TIMER_SOFTIRQ], 0);
	}
}

START_TEST(interrupt_during_softirq_does_not_nest)
{
	open_softirq(NET_RX_SOFTIRQ, h_net_rx_interrupted);
	host_irq_simulate(irq_raise_net_rx, NULL);
	/* TIMER ran in the next round of the same loop */
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], 1);
	ck_assert_int_eq(runs[TIMER_SOFTIRQ], 1);
	ck_assert_uint_eq(stat0()->restarts, 1);
	ck_assert(!bad_context);
}
END_TEST

static void irq_nested_outer(void *ctx)
{
	(void)ctx;
	/* a nested interrupt: its exit runs while the outer one is still in
	 * hard IRQ context, so nothing may run yet */
	host_irq_simulate(irq_raise_net_rx, NULL);
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], 0);
}

START_TEST(nested_hard_irq_defers_to_outermost_exit)
{
	host_irq_simulate(irq_nested_outer, NULL);
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], 1);
}
END_TEST

START_TEST(restart_bound_defers_to_ksoftirqd)
{
	rearm[NET_RX_SOFTIRQ] = -1;                          /* re-raise for ever */
	host_irq_simulate(irq_raise_net_rx, NULL);
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], MAX_SOFTIRQ_RESTART);
	ck_assert_uint_eq(stat0()->restarts, MAX_SOFTIRQ_RESTART - 1);
	ck_assert_uint_eq(stat0()->deferred, 1);
	ck_assert_uint_eq(local_softirq_pending(), 1U << NET_RX_SOFTIRQ);

	/* the idle loop's ksoftirqd gets the same bound per call */
	ck_assert(ksoftirqd_run());
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], 2 * MAX_SOFTIRQ_RESTART);
	ck_assert_uint_eq(stat0()->ksoftirqd_runs, 1);

	rearm[NET_RX_SOFTIRQ] = 3;                           /* then the work dries up */
	ck_assert(ksoftirqd_run());
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], 2 * MAX_SOFTIRQ_RESTART + 4);
	ck_assert_uint_eq(local_softirq_pending(), 0);
	ck_assert(!ksoftirqd_run());
	ck_assert(!bad_context);
}
END_TEST

START_TEST(time_bound_defers_to_ksoftirqd)
{
	/* every clock read advances 1 ms: the 2 ms limit is hit after two rounds */
	host_clock_step_ns = 1000 * 1000;
	rearm[TIMER_SOFTIRQ] = -1;
	host_irq_simulate(irq_raise_timer, NULL);
	ck_assert_int_eq(runs[TIMER_SOFTIRQ], 2);
	ck_assert_uint_eq(stat0()->deferred, 1);
	ck_assert_uint_eq(local_softirq_pending(), 1U << TIMER_SOFTIRQ);
	rearm[TIMER_SOFTIRQ] = 0;
	ck_assert(ksoftirqd_run());
	ck_assert_uint_eq(local_softirq_pending(), 0);
}
END_TEST

START_TEST(raise_outside_interrupt_wakes_ksoftirqd)
{
	raise_softirq(TASKLET_SOFTIRQ);
	ck_assert_uint_eq(stat0()->deferred, 1);
	ck_assert_int_eq(runs[TASKLET_SOFTIRQ], 0);
	ck_assert(ksoftirqd_run());
	ck_assert_int_eq(runs[TASKLET_SOFTIRQ], 1);
	ck_assert(host_irqs_enabled);
}
END_TEST

START_TEST(bh_disable_holds_softirqs_until_enable)
{
	local_bh_disable();
	ck_assert(in_softirq());
	ck_assert(!in_serving_softirq());
	local_bh_disable();
	host_irq_simulate(irq_raise_net_rx, NULL);           /* irq_exit must not run it */
	do_softirq();                                        /* nor may this */
	ck_assert(!ksoftirqd_run());
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], 0);
	local_bh_enable();
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], 0);           /* still nested */
	local_bh_enable();
	ck_assert_int_eq(runs[NET_RX_SOFTIRQ], 1);
	ck_assert(!in_softirq());
	ck_assert(!bad_context);
}
END_TEST

START_TEST(proc_softirqs_has_linux_layout)
{
	char buf[1024];
	char *line, *save;
	int n, lines = 0;

	raise_softirq(NET_RX_SOFTIRQ);
	do_softirq();
	raise_softirq(NET_RX_SOFTIRQ);
	do_softirq();
	raise_softirq(TIMER_SOFTIRQ);
	do_softirq();
	n = softirq_proc_show(buf, sizeof(buf));
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_int_eq(softirq_proc_show(NULL, 0), n);
	ck_assert(strncmp(buf, "                    CPU0       \n", 32) == 0);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[16];
		unsigned long long v;

		if (lines++ == 0)
			continue;
		ck_assert_int_eq(strlen(line), 13 + 11);
		ck_assert_int_eq(sscanf(line, " %15[^:]: %llu", name, &v), 2);
		ck_assert_str_eq(name, softirq_to_name[lines - 2]);
		ck_assert_uint_eq(v, kstat_softirqs_cpu(lines - 2, 0));
	}
	ck_assert_int_eq(lines, 1 + NR_SOFTIRQS);
	ck_assert_uint_eq(kstat_softirqs_cpu(NET_RX_SOFTIRQ, 0), 2);
	/* a short buffer is cut but terminated, and the needed length returned */
	ck_assert_int_eq(softirq_proc_show(buf, 10), n);
	ck_assert_int_eq(strlen(buf), 9);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("softirq");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, names_follow_linux_order);
	tcase_add_test(tc, raise_sets_pending_and_restores_irq_state);
	tcase_add_test(tc, do_softirq_runs_in_vector_order_and_counts);
	tcase_add_test(tc, irq_exit_runs_softirqs_after_the_handler);
	tcase_add_test(tc, interrupt_during_softirq_does_not_nest);
	tcase_add_test(tc, nested_hard_irq_defers_to_outermost_exit);
	tcase_add_test(tc, restart_bound_defers_to_ksoftirqd);
	tcase_add_test(tc, time_bound_defers_to_ksoftirqd);
	tcase_add_test(tc, raise_outside_interrupt_wakes_ksoftirqd);
	tcase_add_test(tc, bh_disable_holds_softirqs_until_enable);
	tcase_add_test(tc, proc_softirqs_has_linux_layout);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
