"""Every interrupt of a NIC is claimed by its driver: each model (e1000,
e1000e, igb) in each interrupt mode it offers, at boot, through link flaps
(QEMU's `set_link`) and under traffic.

The report this guards against (kernel/irq.c, once per vector):
    irq: vector 0x31 (eth0): no handler claimed the interrupt; ...
It came on igb and e1000e in MSI-X mode at the first link change: with
EITR set, QEMU 10's models send an MSI-X message at the end of each
throttle interval that began with an interrupt, pending cause or not
(hw/net/igb_core.c igb_intrmgr_on_msix_throttling_timer, e1000e_core.c
likewise), and the hard IRQ, which had already read the cause, found
EICR/ICR zero and answered IRQ_NONE as for a shared INTx line.  An
MSI/MSI-X vector is the device's alone, so the driver now claims such an
interrupt and counts it (irqs_not_ours); on INTx it still answers "not
mine" (drivers/net/e1000/e1000_irq.c).

One boot per model and mode, with the l2reflect responder and a UDP peer on
127.0.0.1 (test_nic's Peer): link up, ARP and FRAMES frames, FLAPS link
flaps each followed by an answered frame, a BURST of frames; then the
guest's counters and its own exit status.  Required: no report in the
output, /proc/barenet/metrics interrupts_spurious_total 0, every frame
answered.  Interrupts raised on purpose by fault injection (`fault=` on
the command line) would be exempt; these boots arm none.
"""
import re
import time

import pytest

from harness import EXIT_OK, report
from netobs import faults_enabled, unclaimed_irqs
from test_journey import QUICK
from test_nic import (CHIP, CONFIGS, GUEST_MAC, Peer, arp_request, boot_guest, ctrl, exchange,
                      stats, udp_frame)

FLAPS = 5 if QUICK else 20
FRAMES = 64 if QUICK else 256
BURST = 200 if QUICK else 1000      # back to back, answers counted (some may drop in QEMU's socket)


def spurious_total(g):
    out = g.view("cat /proc/barenet/metrics")
    m = re.search(r"^\w*interrupts_spurious_total (\d+)$", out, re.M)
    assert m, out
    return int(m.group(1))


@pytest.mark.parametrize("model,mode,extra", CONFIGS,
                         ids=["%s-%s%s" % (m, i, "-" + e.replace("=", "") if e else "")
                              for m, i, e in CONFIGS])
def test_every_interrupt_claimed(kernel, model, mode, extra):
    peer = Peer()
    append = ("l2reflect=10.0.2.15 irqmode=%s %s" % (mode, extra)).strip()
    t0 = time.monotonic()
    with boot_guest("irqclaim-%s-%s%s" % (model, mode, extra.replace("=", "")),
                    peer.args(model), append) as g:
        m = g.wait_for(r"eth0: (\S+) at \S+, MAC ([0-9a-f:]{17}), irq (\w+) vector (0x[0-9a-f]+),")
        assert m.group(1) == CHIP[model] and m.group(2) == GUEST_MAC
        assert m.group(3) == mode, "asked for %s, driver got %s" % (mode, m.group(3))
        vector = m.group(4)
        g.wait_for(r"eth0: link up, 1000 Mbps full duplex", timeout=10)

        # traffic: ARP, then frames answered in order
        peer.send(arp_request())
        assert peer.recv() is not None, "no ARP reply"
        exchange(g, peer, range(FRAMES))
        base = FRAMES

        # link flaps, each followed by traffic
        mark = len(g.output)
        for i in range(1, FLAPS + 1):
            g.monitor("set_link %s off" % peer.id)
            g.wait_for(r"eth0: link down", start=mark, timeout=10)
            mark = len(g.output)
            g.monitor("set_link %s on" % peer.id)
            g.wait_for(r"eth0: link up, 1000 Mbps full duplex", start=mark, timeout=10)
            mark = len(g.output)
            exchange(g, peer, [base])
            base += 1

        # a burst: many interrupts, throttle intervals back to back
        for i in range(BURST):
            peer.send(udp_frame(base + i, 14))
        answered = 0
        while peer.recv(timeout=1.5) is not None:
            answered += 1
        assert answered > 0, "no answer to the burst"
        base += BURST
        exchange(g, peer, range(base, base + 16))       # and traffic goes on

        s = stats(g, peer)
        dev = s["device"]
        spurious = spurious_total(g)
        peer.send(ctrl("exit"))
        assert g.wait_exit(30) == EXIT_OK, g.output[-3000:]
    peer.close()
    unclaimed = unclaimed_irqs(g.output)
    if not faults_enabled(append):
        assert not unclaimed, "unclaimed interrupts %s (log %s)" % (unclaimed, g.logpath)
        assert spurious == 0, "%d interrupts no handler claimed (log %s)" % (spurious, g.logpath)
    assert dev["irqs"] > 0 and dev["polls"] > 0
    report("irqclaim %-6s %-4s %-8s vector %s: %d flaps, %d + %d frames (burst answered %d); "
           "irqs %d, empty ones claimed %d, unclaimed %d; %.1fs" % (
               model, mode, extra, vector, FLAPS, FRAMES, BURST, answered, dev["irqs"],
               dev["irqs_not_ours"], spurious, time.monotonic() - t0))
