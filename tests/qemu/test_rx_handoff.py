"""The receive hand-off (net/lwip/rx_handoff.h): a napi poll's batch that
finds the lwIP core lock held by another CPU is queued for the holder
instead of spun for.

selftest=rxhandoff (net/lwip/selftest_handoff.c), 2 CPUs: while CPU 1
holds the lock, CPU 0's deliveries return at once with their frames
queued (with a spin, as before the hand-off, they return only when CPU 1
gives up, and the check fails); CPU 1's release delivers them in order;
a batch past RX_HANDOFF_MAX waits for the lock; every frame once, in
order.  The flood half (2 vCPUs, igb RSS, 64 flows to discard) lives in
test_rss.py's neighbour below: frames were handed off, none lost between
the NIC and lwIP."""
import re

from harness import EXIT_OK, boot


def test_batch_is_queued_for_the_lock_holder_not_spun_for(kernel):
    code, out = boot("rxhandoff-selftest", smp=2, append="exit=ready selftest=rxhandoff",
                     timeout=120)
    assert "Kernel panic" not in out and "EXCEPTION" not in out, out[-4000:]
    assert "selftest rxhandoff: passed" in out, out[-4000:]
    assert code == EXIT_OK, out[-4000:]
    m = re.search(r"rxhandoff: test: (\d+) frames in (\d+) queued batches, (\d+) refused", out)
    assert m, out[-4000:]
    # 2 batches of 16 (case 1), 1 delivered directly, 8 queued and 1 refused (case 3)
    assert (int(m.group(1)), int(m.group(2)), int(m.group(3))) == (16 * 12, 10, 1), m.group(0)
