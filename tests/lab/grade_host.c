/* The lab grader's host part (docs/LAB.md): the graded tree's e1000 driver
 * against the fake NIC (tests/unit/fake_e1000.c), one 82540EM, rings of
 * GRADE_RING descriptors, staged tests with points.
 *
 * Every register access goes through the linker's --wrap of
 * e1000_test_read32/e1000_test_write32 (the fake's entry points), so the
 * grader keeps a log of them and checks each tail write at the moment it
 * happens, as the device would see it: the value, and the descriptors it
 * hands over.  e1000_clean_tx/e1000_clean_rx are wrapped as well, to
 * compare what they consumed with the DD bits the device had written.
 * A check that fails prints a BUG line naming the likely mistake, then the
 * evidence: the register writes and descriptor states around it.
 *
 * A write barrier missing before a tail write cannot be observed here
 * (nor on x86 hardware: stores are not reordered with later stores, and
 * the compiler does not move them past the opaque call to the fake's
 * write): tools/lab/grade.py looks for it in the source instead.
 *
 * Each stage runs in a child process (a crash or a hang costs that stage
 * only) and prints:
 *   STAGE <id> <points> <title>
 *   ... explanations, BUG <id> <message>, |  evidence ...
 *   RESULT <id> pass|fail
 * usage: grade_host [stage...]   (LAB_SEED=n: the stress stage's seed) */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fake_e1000.h"
#include "host_stubs.h"
#include "kernel/errno.h"
#include "kernel/softirq.h"
#include "net/core/dev.h"
#include "net/core/napi.h"
#include "net/core/skbuff.h"
#include "grade_lab.h"

/* ---- bring-up, interrupts, the device's side ---- */

static bool up(void)
{
	int rc;

	fake_init(&e1000_chip_82540em, nic_mac);
	memset(&lab_rx, 0, sizeof(lab_rx));
	lab_nheld = 0;
	lab_hinted = false;
	lab_xmit_tries = lab_rx_tries = 0;
	if (net_dev_init())
		return false;
	lab_dev = alloc_netdev(sizeof(struct e1000_adapter));
	if (!lab_dev || e1000_adapter_init(lab_dev, &e1000_chip_82540em, (volatile u8 *)fake.regs, false) ||
	    register_netdev(lab_dev)) {
		fail("the e1000 adapter could not be set up on the fake NIC (not the lab's part)");
		return false;
	}
	lab_ad = netdev_priv(lab_dev);
	lab_ad->rx_count = GRADE_RING;
	lab_ad->tx_count = GRADE_RING;
	lab_dev->rx_handler = grade_rx;
	rc = netdev_open(lab_dev);
	if (rc) {
		fail("netdev_open returned %d", rc);
		return false;
	}
	lab_rx_first = lab_ad->rx.next_to_clean;
	return true;
}

static void drain_softirqs(void)
{
	for (int i = 0; i < 1000 && ksoftirqd_run(); i++)
		;
}

static bool irq_ours;

static void irq_fn(void *ctx)
{
	irq_ours = e1000_intr(ctx);
}

/* the interrupt line: asserted while ICR & IMS; at most a few rounds */
static void service(void)
{
	for (int k = 0; k < 6; k++) {
		u32 pend = R(E1000_ICR) & R(E1000_IMS);
		unsigned int reads = lab_icr_reads, writes = lab_icr_writes;

		if (!pend)
			break;
		host_irq_simulate(irq_fn, lab_ad);
		drain_softirqs();
		if (!irq_ours) {
			bug("irq-not-claimed", "e1000_intr returned false (\"not my interrupt\") while ICR held "
			    "0x%x with those causes enabled in IMS: the interrupt is left unhandled (start "
			    "with e1000_intr: read ICR, SDM 13.4.17)", pend);
			break;
		}
		if (lab_icr_reads == reads && lab_icr_writes == writes && (R(E1000_ICR) & pend)) {
			bug("icr-not-read", "the interrupt handler neither read nor acknowledged ICR: the "
			    "cause 0x%x is still pending after it returned, so the line stays asserted "
			    "(an interrupt storm on INTx; on MSI no new interrupt). Read ICR (clear on "
			    "read, SDM 13.4.17) or write the causes back (write 1 to clear)", pend);
			break;
		}
	}
	drain_softirqs();
}

/* the device receives one frame, unless the descriptor at its head has
 * no buffer (it would DMA to address 0): 0, or nonzero refused */
static int guarded_rx(const u8 *f, unsigned int len, unsigned int flags)
{
	u32 n = R(E1000_RDLEN(0)) / E1000_DESC_SIZE, h = R(E1000_RDH(0));

	if (n && h < n && h != R(E1000_RDT(0)) && !rxd(h)->buffer_addr) {
		if (bug("rx-desc-empty", "RX descriptor %u, which the device owns (RDH %u, RDT %u), has "
			"buffer address 0: the device would write the frame to address 0. Every "
			"descriptor given to the device is armed with its slot's buffer (legacy_rx_arm, "
			"SDM 3.2.3)", h, h, R(E1000_RDT(0))))
			show_rxd(h);
		return -EFAULT;
	}
	lab_rx_tries++;
	return fake_rx(f, len, flags);
}

/* the device receives count frames (seq first, first + 1, ...); returns how
 * many it took (a full ring refuses the rest, as hardware does) */
static u32 device_rx(u32 first, u32 count, unsigned int len)
{
	u8 f[2048];
	u32 k;

	for (k = 0; k < count; k++) {
		make_frame(f, len, first + k, nic_mac, peer_mac);
		if (guarded_rx(f, len, 0))
			break;
	}
	return k;
}

static u32 tx_seen;                     /* frames the device sent, checked in order */

/* the device sends up to max frames; each checked against the next seq */
static u32 device_tx(u32 max)
{
	u32 sent = 0, seq;

	while (sent < max) {
		u32 h = R(E1000_TDH(0));

		if (R(E1000_TDLEN(0)) && h != R(E1000_TDT(0)) && !txd(h)->buffer_addr) {
			fail("the device stops at TX descriptor %u: buffer address 0", h);
			break;
		}
		if (!fake_tx_run(1))
			break;
		sent++;
		if (!frame_intact(fake.tx_last, fake.tx_last_len, &seq)) {
			if (bug("tx-bad-frame", "the device sent a %u-byte frame that is not one the stack "
				"queued (descriptors %u): check buffer address and length in legacy_tx_data",
				fake.tx_last_len, fake.tx_last_ndesc))
				show_txd((R(E1000_TDH(0)) + GRADE_RING - 1) % GRADE_RING);
		} else if (seq != tx_seen) {
			bug("tx-order", "the device sent frame #%u where #%u was next: frames were lost or "
			    "sent twice", seq, tx_seen);
			tx_seen = seq + 1;
		} else {
			tx_seen++;
		}
	}
	return sent;
}

/* one frame to the driver as the qdisc hands it: 0, or the driver's error
 * (the skb is ours to free then) */
static int xmit(u32 seq, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(len);
	int rc;

	if (!skb)
		return -ENOMEM;
	make_frame(skb_put(skb, len), len, seq, peer_mac, nic_mac);
	lab_xmit_tries++;
	rc = lab_dev->netdev_ops->ndo_start_xmit(lab_dev, skb, 0);
	if (rc)
		kfree_skb(skb);
	return rc;
}

static void tx_where_to_start(int rc);
static void rx_where_to_start(void);

/* a lab_failed stage in which nothing went through: which function to start with */
static void where_to_start(void)
{
	if (lab_hinted)
		return;
	if (lab_xmit_tries && !lab_ad->sw.tx_packets) {
		if (!R(E1000_TDLEN(0)) || !(R(E1000_TCTL) & E1000_TCTL_EN) || !e1000_tx_unused(&lab_ad->tx))
			tx_where_to_start(-EBUSY);
		else if (!fake.tdt_writes)
			fail("frames were queued but TDT was never written: write e1000_tx_flush (SDM 3.4)");
		else if (!fake.tx_frames)
			fail("TDT moved but the device sent nothing: look at legacy_tx_data (SDM 3.3.3)");
		else
			fail("the device sent %u frames, none was reclaimed: write legacy_tx_done and "
			     "e1000_clean_tx (SDM 3.3.3.2)", fake.tx_frames);
	}
	if (lab_rx_tries && !lab_rx.n)
		rx_where_to_start();
}

/* stop, free, and check nothing leaked */
static void down(void)
{
	struct net_device *d = lab_dev;

	if (lab_failed)
		where_to_start();
	release_held();
	lab_ad = NULL;
	netdev_stop(d);
	unregister_netdev(d);
	free_netdev(d);
	lab_dev = NULL;
	drain_softirqs();
	skb_cache_drain();
	if (fake_allocs || fake_dma_allocs)
		fail("after the interface went down %ld heap and %ld DMA allocations were left: skbs the "
		     "driver took were never freed (e1000_clean_tx frees a frame's skb once DD is set)",
		     (long)fake_allocs, fake_dma_allocs);
}

static const char *errname(int rc)
{
	switch (rc) {
	case -EBUSY:  return "-EBUSY";
	case -ENOSYS: return "-ENOSYS";
	case -EINVAL: return "-EINVAL";
	case -ENOMEM: return "-ENOMEM";
	}
	return "an error";
}

/* the first look at a transmit path that does nothing yet: where to start */
static void tx_where_to_start(int rc)
{
	lab_hinted = true;
	if (!R(E1000_TDLEN(0)) || !(R(E1000_TCTL) & E1000_TCTL_EN))
		fail("the transmit ring is not set up (TDLEN %u, TCTL 0x%x): start with e1000_tx_configure "
		     "(SDM 14.5)", R(E1000_TDLEN(0)), R(E1000_TCTL));
	if (rc == -EBUSY && e1000_tx_unused(&lab_ad->tx) == 0)
		fail("ndo_start_xmit answered -EBUSY for one frame on an empty ring: e1000_tx_unused says "
		     "0 descriptors are free -- write e1000_tx_unused (one descriptor always stays empty)");
	else if (rc)
		fail("ndo_start_xmit returned %d (%s) for one frame on an empty ring", rc, errname(rc));
}

/* ---- the stages ---- */

static void stage_tx_one(void)
{
	int rc, done;

	say("one 100-byte frame through ndo_start_xmit; the device sends it; the interrupt's poll "
	    "reclaims it (tx_packets 1, skb freed)");
	if (!up())
		return;
	rc = xmit(0, 100);
	tx_where_to_start(rc);
	if (rc)
		goto out;
	if (!fake.tdt_writes) {
		fail("the frame is queued (next_to_use %u) but TDT was never written, so the device does "
		     "not know: write e1000_tx_flush (SDM 3.4)", lab_ad->tx.next_to_use);
		goto out;
	}
	/* nothing sent yet: nothing may be reclaimed */
	done = e1000_clean_tx(lab_ad, &lab_ad->tx);
	(void)done;
	if (device_tx(4) != 1) {
		fail("the device sent %u frames after the tail write (TDH %u, TDT %u), 1 expected",
		     fake.tx_frames, R(E1000_TDH(0)), R(E1000_TDT(0)));
		show_txd(0);
		goto out;
	}
	service();
	if (lab_ad->sw.tx_packets != 1 || lab_ad->tx.slot[0].skb) {
		fail("the device sent the frame and wrote DD into descriptor 0, but it was not reclaimed "
		     "(tx_packets %llu): write e1000_clean_tx and legacy_tx_done (SDM 3.3.3.2)",
		     (unsigned long long)lab_ad->sw.tx_packets);
		show_txd(0);
	}
out:
	down();
}

static void stage_tx_burst(void)
{
	const u32 total = 3 * GRADE_RING + 5;
	u32 queued = 0, stuck = 0;

	say("%u frames, more than 3 rings of %u: queue until -EBUSY (at most %u fit: one descriptor "
	    "stays empty), the device sends some, repeat; all sent once, in order, all reclaimed",
	    total, GRADE_RING, GRADE_RING - 1);
	if (!up())
		return;
	tx_seen = 0;
	for (int round = 0; round < 200 && queued < total && !lab_failed; round++) {
		u32 before = queued, accepted = 0;
		int rc = 0;

		while (queued < total && !(rc = xmit(queued, 60 + queued % 200))) {
			queued++;
			if (++accepted > GRADE_RING) {
				fail("the driver accepted %u frames in a row with none sent: a ring of %u holds "
				     "at most %u", accepted, GRADE_RING, GRADE_RING - 1);
				break;
			}
		}
		if (rc && rc != -EBUSY) {
			fail("ndo_start_xmit returned %d (%s) (a full ring answers -EBUSY)", rc, errname(rc));
			break;
		}
		e1000_clean_tx(lab_ad, &lab_ad->tx);             /* before the device ran: nothing may complete */
		device_tx(1 + round % 23);
		service();
		stuck = queued == before ? stuck + 1 : 0;
		if (stuck > 3) {
			fail("no progress: ndo_start_xmit keeps answering -EBUSY (unused %u, next_to_clean %u, "
			     "next_to_use %u, tx_packets %llu) though the device has sent %u frames",
			     e1000_tx_unused(&lab_ad->tx), lab_ad->tx.next_to_clean, lab_ad->tx.next_to_use,
			     (unsigned long long)lab_ad->sw.tx_packets, tx_seen);
			break;
		}
	}
	for (int k = 0; k < 20 && tx_seen < queued; k++) {
		device_tx(GRADE_RING);
		service();
	}
	if (!lab_failed && (tx_seen != total || lab_ad->sw.tx_packets != total))
		fail("%u frames queued; the device sent %u and the driver reclaimed %llu", total, tx_seen,
		     (unsigned long long)lab_ad->sw.tx_packets);
	down();
}

static void rx_where_to_start(void)
{
	lab_hinted = true;
	if (lab_ad->rx.next_to_clean == lab_rx_first && !lab_ad->sw.rx_packets)
		fail("the device wrote the frame into RX descriptor %u and set DD, but the driver did not "
		     "take it (next_to_clean still %u): start with legacy_rx_done and e1000_clean_rx (SDM "
		     "3.2.3.1)", lab_rx_first, lab_rx_first);
	else if (!lab_ad->sw.rx_packets)
		fail("e1000_clean_rx consumed the descriptor but no frame reached the stack (rx_packets 0, "
		     "rx_dropped %llu, rx_length_errors %llu): write e1000_rx_take",
		     (unsigned long long)lab_ad->sw.rx_dropped, (unsigned long long)lab_ad->sw.rx_length_errors);
}

static void stage_rx_one(void)
{
	say("one 100-byte frame into the ring; its interrupt; the poll passes it up intact and moves "
	    "RDT to next_to_clean - 1");
	if (!up())
		return;
	e1000_clean_rx(lab_ad, GRADE_RING);         /* nothing received yet: nothing to take */
	if (device_rx(0, 1, 100) != 1) {
		fail("the device found no free receive descriptor (RDH %u, RDT %u)", R(E1000_RDH(0)),
		     R(E1000_RDT(0)));
		goto out;
	}
	service();
	if (lab_rx.n != 1) {
		rx_where_to_start();
		show_rxd(lab_rx_first);
		goto out;
	}
	if (R(E1000_RDT(0)) != lab_rx_first)
		fail("after taking descriptor %u RDT reads %u: it should be %u (next_to_clean %u, minus "
		     "1)", lab_rx_first, R(E1000_RDT(0)), lab_rx_first, lab_ad->rx.next_to_clean);
out:
	down();
}

static void stage_rx_burst(void)
{
	const u32 total = 3 * GRADE_RING + 7;
	u32 sent = 0;

	say("%u frames, more than 3 rings of %u, in bursts the size of the ring; the stack holds the "
	    "last %u skbs a while; every frame up once, in order, intact", total, GRADE_RING, GRADE_HOLD);
	if (!up())
		return;
	for (int round = 0; round < 100 && sent < total && !lab_failed; round++) {
		sent += device_rx(sent, MIN(total - sent, (u32)GRADE_RING), 60 + round * 17 % 1400);
		service();
		if (lab_rx.n == 0 && round == 3) {
			rx_where_to_start();
			break;
		}
	}
	if (!lab_failed && (sent != total || lab_rx.n != total))
		fail("the device received %u of %u frames; the stack got %u", sent, total, lab_rx.n);
	if (!lab_failed && fake.overwrite_violations)
		fail("the device wrote %u descriptors whose DD was still set", fake.overwrite_violations);
	down();
}

static void stage_rx_tx(void)
{
	const u32 total = 4 * GRADE_RING;
	u32 rsent = 0, queued = 0;

	say("receive while transmitting: %u frames each way interleaved, interrupts for both", total);
	if (!up())
		return;
	tx_seen = 0;
	for (int round = 0; round < 400 && (rsent < total || tx_seen < total) && !lab_failed; round++) {
		u32 k = 3 + round % 11;

		rsent += device_rx(rsent, MIN(k, total - rsent), 64 + round % 500);
		for (u32 j = 0; j < k && queued < total; j++) {
			int rc = xmit(queued, 64 + queued % 300);

			if (rc == -EBUSY)
				break;
			if (rc) {
				tx_where_to_start(rc);
				goto out;
			}
			queued++;
		}
		device_tx(k / 2 + 1);
		service();
	}
	if (!lab_failed && (lab_rx.n != total || tx_seen != total || lab_ad->sw.tx_packets != total))
		fail("received %u/%u, sent %u/%u, reclaimed %llu", lab_rx.n, total, tx_seen, total,
		     (unsigned long long)lab_ad->sw.tx_packets);
out:
	down();
}

static void stage_stress(void)
{
	unsigned int seed = getenv("LAB_SEED") ? (unsigned int)atoi(getenv("LAB_SEED")) : 1;
	u32 rsent = 0, queued = 0, bad = 0, spurious = 0;
	u8 f[3000];

	say("seed %u (LAB_SEED): 600 random rounds of receive and transmit bursts with faults: frames "
	    "with CRC errors and frames longer than a buffer (both dropped, counted), a full ring, "
	    "spurious interrupts, the device stalling and catching up", seed);
	srand(seed);
	if (!up())
		return;
	tx_seen = 0;
	for (int round = 0; round < 600 && !lab_failed; round++) {
		int op = rand() % 6;
		u32 k = (u32)rand() % 40;

		if (op == 0 || op == 1) {
			for (u32 j = 0; j < k; j++) {
				int fault = rand() % 16;

				if (fault == 0) {       /* CRC error: the driver must drop it */
					make_frame(f, 100, 0xFFFFFFu, nic_mac, peer_mac);
					if (!guarded_rx(f, 100, FAKE_RX_CRC_ERR))
						bad++;
				} else if (fault == 1) { /* three buffers long: dropped whole */
					make_frame(f, 2500, 0xFFFFFEu, nic_mac, peer_mac);
					if (!guarded_rx(f, 2500, 0))
						bad++;
				} else if (device_rx(rsent, 1, 60 + (u32)rand() % 1400) == 1) {
					rsent++;
				}
			}
		} else if (op == 2 || op == 3) {
			for (u32 j = 0; j < k; j++) {
				int rc = xmit(queued, 60 + (u32)rand() % 1400);

				if (rc == -EBUSY)
					break;
				if (rc) {
					tx_where_to_start(rc);
					goto out;
				}
				queued++;
			}
		} else if (op == 4) {
			device_tx(k);
		} else {
			/* a spurious interrupt: nothing pending, INTx, so not ours */
			service();
			if (R(E1000_ICR))
				continue;
			host_irq_simulate(irq_fn, lab_ad);
			drain_softirqs();
			if (irq_ours != e1000_irq_exclusive(&lab_ad->hw) && !spurious++)
				fail("e1000_intr answered %s to an interrupt with ICR 0 (%s): %s", irq_ours ?
				     "true" : "false", e1000_irq_exclusive(&lab_ad->hw) ? "MSI" : "shared INTx",
				     irq_ours ? "on a shared line it is not ours, so the other device's "
				     "handler must run" : "an MSI vector is ours alone, empty or not");
		}
		if (rand() % 3)
			service();
	}
	for (int k = 0; k < 40 && !lab_failed; k++) {
		device_tx(GRADE_RING);
		service();
	}
	if (!lab_failed && (lab_rx.n != rsent || tx_seen != queued || lab_ad->sw.tx_packets != queued))
		fail("seed %u: received %u/%u good frames, sent %u/%u, reclaimed %llu", seed, lab_rx.n, rsent,
		     tx_seen, queued, (unsigned long long)lab_ad->sw.tx_packets);
	if (!lab_failed && (queued < 200 || rsent < 200))
		fail("seed %u: in 600 rounds only %u frames could be queued and %u received (a reference "
		     "driver moves thousands)", seed, queued, rsent);
	if (!lab_failed && lab_ad->sw.rx_dropped < bad)
		fail("seed %u: %u bad frames went in, rx_dropped is %llu", seed, bad,
		     (unsigned long long)lab_ad->sw.rx_dropped);
out:
	down();
}

static void stage_irq(void)
{
	say("the interrupt: a received frame raises RXT0; the handler reads (and so clears) ICR, the "
	    "poll takes the frame and unmasks");
	if (!up())
		return;
	device_rx(0, 1, 80);
	service();
	if (!lab_failed && (R(E1000_ICR) & R(E1000_IMS)))
		fail("after the interrupt ICR still reads 0x%x: the cause was not taken", R(E1000_ICR));
	if (!lab_failed && !R(E1000_IMS))
		fail("after the poll IMS is 0: interrupts stay masked");
	if (!lab_failed && lab_rx.n != 1)
		rx_where_to_start();
	down();
}

static const struct {
	const char *id;
	int points;
	const char *title;
	void (*fn)(void);
} stages[] = {
	{ "tx-one", 10, "transmit one frame", stage_tx_one },
	{ "tx-burst", 15, "transmit a burst larger than the ring", stage_tx_burst },
	{ "rx-one", 10, "receive one frame", stage_rx_one },
	{ "rx-burst", 15, "receive a burst larger than the ring", stage_rx_burst },
	{ "rx-tx", 10, "receive while transmitting", stage_rx_tx },
	{ "stress", 10, "stress with seeded faults", stage_stress },
	{ "irq", 5, "interrupt cause read and acknowledged", stage_irq },
};

static bool run_stage(unsigned int s)
{
	pid_t pid;
	int st;

	printf("STAGE %s %d %s\n", stages[s].id, stages[s].points, stages[s].title);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm(GRADE_STAGE_SEC);
		host_printk_quiet = true;
		stages[s].fn();
		printf("RESULT %s %s\n", stages[s].id, lab_failed ? "fail" : "pass");
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return false;
	if (WIFSIGNALED(st)) {
		if (WTERMSIG(st) == SIGALRM)
			printf("  FAIL: the stage did not finish in %d s (a loop that never ends?)\n",
			       GRADE_STAGE_SEC);
		else
			printf("  FAIL: the driver crashed (signal %d); AddressSanitizer's report, if any, is "
			       "above\n", WTERMSIG(st));
		printf("RESULT %s fail\n", stages[s].id);
	} else if (WEXITSTATUS(st)) {
		printf("  FAIL: the stage exited with status %d (AddressSanitizer?)\n", WEXITSTATUS(st));
		printf("RESULT %s fail\n", stages[s].id);
	}
	fflush(stdout);
	return true;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned int s = 0; s < sizeof(stages) / sizeof(stages[0]); s++) {
		bool want = argc < 2;

		for (int i = 1; i < argc; i++)
			want |= !strcmp(argv[i], stages[s].id);
		if (want)
			run_stage(s);
	}
	return 0;
}
