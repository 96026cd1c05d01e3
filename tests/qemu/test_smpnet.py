"""The network stack on another CPU: a device interrupt goes to the CPU of
its /proc/irq/N/smp_affinity (irqaffinity= on the command line: the IOAPIC
entry's or the MSI/MSI-X message's destination, kernel/irq.c), and the
NAPI poll and NET_RX it starts run there, with lwIP (under its core lock)
and the shell on CPU 0 meanwhile.

A flood of UDP echo requests (bn-inject, over -netdev dgram on loopback)
to a 2-CPU guest with irqaffinity=1: the NIC's row of /proc/interrupts
grows in CPU1's column only, NET_RX in /proc/softirqs grows on CPU1, the
flood is answered frame for frame, and ps aux shows [ksoftirqd/1] taking
CPU time (the NET_RX work past irq_exit's 2 ms goes to that CPU's thread).
Without the affinity routing every device interrupt goes to CPU 0 and
CPU1's column stays 0.

selftest=smpnet (net/lwip/selftest_smpnet.c): every CPU allocates, clones
and frees skbs, skbs over driver buffers and pbufs from lwIP's pools, and
trials a fault, at once; every count must come out exact."""
import re

import pytest

from harness import EXIT_OK, boot
from injectlib import APPEND, InjectGuest


@pytest.mark.parametrize("smp", [2, 4])
def test_every_cpu_hammers_the_allocators_and_counts_are_exact(kernel, smp):
    code, out = boot("smpnet-selftest-%d" % smp, smp=smp, append="exit=ready selftest=smpnet",
                     timeout=300)
    assert "Kernel panic" not in out and "EXCEPTION" not in out, out[-4000:]
    assert code == EXIT_OK, out[-4000:]
    assert "selftest smpnet: passed" in out, out[-4000:]
    m = re.search(r"smpnet: test: (\d+) CPUs, (\d+) rounds of (\d+) in \d+ ms, (\d+) of (\d+) "
                  r"buffers released, (\d+) fault trials", out)
    assert m and int(m.group(1)) == smp, out[-4000:]
    assert m.group(2) == m.group(3) == m.group(4) == m.group(5) == m.group(6), m.group(0)

NICS = ["e1000", "e1000e", "igb"]
FLOOD = 30000


def irq_row(text, name="eth0"):
    """(IRQ number, per-CPU counts) of the /proc/interrupts row naming name;
    for a multiqueue NIC (igb: eth0 takes link changes, eth0-TxRx-N the
    queues) the number of queue 0's row and the counts of all of them"""
    lines = text.splitlines()
    ncpu = len(lines[0].split())
    rows = []
    for line in lines[1:]:
        if re.search(r"\b%s(-TxRx-\d+)?$" % re.escape(name), line):
            f = line.split()
            rows.append((line.endswith("-TxRx-0"), int(f[0].rstrip(":")),
                         [int(x) for x in f[1:1 + ncpu]]))
    if not rows:
        raise AssertionError("no %s row in\n%s" % (name, text))
    irq = max(rows)[1]
    return irq, [sum(r[2][c] for r in rows) for c in range(ncpu)]


def softirq_row(text, name="NET_RX"):
    for line in text.splitlines():
        f = line.split()
        if f and f[0] == name + ":":
            return [int(x) for x in f[1:]]
    raise AssertionError("no %s row in\n%s" % (name, text))


def ksoftirqd(g):
    """{cpu: (%CPU, TIME in seconds)} from ps aux"""
    out = g.shell("ps aux")
    got = {}
    for line in out.splitlines()[1:]:
        m = re.match(r"^root +\d+ +(\d+\.\d) .* (\d+):(\d\d) \[ksoftirqd/(\d+)\]$", line)
        if m:
            got[int(m.group(4))] = (float(m.group(1)), int(m.group(2)) * 60 + int(m.group(3)))
    return got


def metric_irqs(g):
    """{cpu: count} of eth0's interrupts in /proc/barenet/metrics"""
    got = {}
    for line in g.shell("cat /proc/barenet/metrics | grep interrupts_total").splitlines():
        m = re.match(r'^barenet_interrupts_total\{cpu="(\d+)",vector="\d+",name="eth0[^"]*"\} '
                     r'(\d+)$', line)
        if m:
            got[int(m.group(1))] = got.get(int(m.group(1)), 0) + int(m.group(2))
    return got


def snapshot(g):
    return {"irq": irq_row(g.shell("cat /proc/interrupts")),
            "metrics": metric_irqs(g),
            "net_rx": softirq_row(g.shell("cat /proc/softirqs")),
            "ksoftirqd": ksoftirqd(g)}


@pytest.mark.parametrize("nic", NICS)
def test_nic_interrupt_and_net_rx_on_the_cpu_of_its_affinity(kernel, nic):
    ig = InjectGuest("smpnet-%s" % nic, nic=nic, smp=2, append=APPEND + " irqaffinity=1")
    try:
        g = ig.g
        ig.wait_reachable()
        irq, _ = irq_row(g.shell("cat /proc/interrupts"))
        assert g.shell("cat /proc/irq/%d/smp_affinity_list" % irq).strip() == "1"
        assert g.shell("cat /proc/irq/%d/smp_affinity" % irq).strip() == "2"
        assert g.shell("cat /proc/irq/%d/effective_affinity_list" % irq).strip() == "1"
        # the serial line was routed before CPU 1 came up: it stays on CPU 0
        serial, _ = irq_row(g.shell("cat /proc/interrupts"), "ttyS0")
        assert g.shell("cat /proc/irq/%d/smp_affinity_list" % serial).strip() == "0"
        before = snapshot(g)
        s = ig.inject("flood", "--count", FLOOD, "--window", 256, timeout=300)
        after = snapshot(g)
        assert g.shell("echo alive").strip().endswith("alive"), g.output[-2000:]
    finally:
        ig.close()
    print(s, before, after)
    assert s["received"]["udp-echo"] >= FLOOD * 0.95, s
    d_irq = [b - a for a, b in zip(before["irq"][1], after["irq"][1])]
    d_rx = [b - a for a, b in zip(before["net_rx"], after["net_rx"])]
    # every interrupt of the NIC on CPU 1, none on CPU 0
    assert d_irq[0] == 0 and d_irq[1] > 0, (d_irq, before, after)
    # the metrics (and so the dashboard and Prometheus) count them per CPU
    # (read just after /proc/interrupts each time: a late interrupt or two)
    d_met = after["metrics"].get(1, 0) - before["metrics"].get(1, 0)
    assert abs(d_met - d_irq[1]) <= 4 and d_met > 0, (before, after)
    assert after["metrics"].get(0, 0) == before["metrics"].get(0, 0) == 0, (before, after)
    # NET_RX runs where the interrupt scheduled the poll
    assert d_rx[1] > 0 and d_rx[1] >= 10 * d_rx[0], (d_rx, before, after)
    k0, k1 = before["ksoftirqd"], after["ksoftirqd"]
    assert sorted(k1) == [0, 1], after
    # [ksoftirqd/1] took CPU time under the flood (%CPU has 0.1 % steps of
    # its life, TIME whole seconds): more than [ksoftirqd/0]
    grew1 = (k1[1][1] - k0[1][1], k1[1][0] - k0[1][0])
    grew0 = (k1[0][1] - k0[0][1], k1[0][0] - k0[0][0])
    assert grew1 > (0, 0) and grew1 > grew0, (k0, k1)
