"""Writable IRQ affinity (issue 14): `echo MASK > /proc/irq/N/smp_affinity`
(and smp_affinity_list) reprograms the MSI-X entry's, the MSI message's or
the IOAPIC entry's destination, and the next interrupts arrive on the new
CPU: after the write the vector's /proc/interrupts count grows only in the
new CPU's column.  A mask naming no online CPU, or not a mask, gets bash's
`write error: Invalid argument` and changes nothing.

igb (MSI-X, 2 CPUs, 2 queues): queue N's vector starts on CPU N; with
`ethtool -X eth0 equal 1` every frame is queue 0's, whose vector is moved
to CPU 1 and back.  e1000e with irqmode=msi: its one MSI vector moves;
e1000 (INTx): its IOAPIC entry.  The serial console's IOAPIC line moves
too (typing makes its interrupts).

irqbalance --oneshot (igb, 2 CPUs, e1000.queues=4): the four queue
vectors pinned to CPU 0 take a 16-flow UDP load (4-tuple hashing); one run
moves exactly what the greedy rule predicts (netparse.check_irqbalance)
so the vectors span both CPUs, the next load counts in both CPUs'
columns, and a second run over it moves nothing (the plan gains less
than an eighth).  One CPU: nothing to balance, nothing written; unknown
options get an error and the usage."""
import itertools
import re
import socket
import time

import pytest

from harness import EXIT_OK, report
import netns
from netparse import check_irqbalance

GUEST = netns.GUEST4
APPEND = "ip=%s/%d,%s" % (GUEST, netns.PREFIXLEN4, netns.HOST4)


def shell(g, cmd):
    return re.sub(r"(?m)^\[ *\d+\.\d{6}\] .*\n", "", g.shell(cmd, timeout=60)).strip("\n")


def irq_rows(g):
    """{name: (irq, [count per CPU])} of /proc/interrupts' numbered rows."""
    lines = shell(g, "cat /proc/interrupts").splitlines()
    ncpu = len(lines[0].split())
    out = {}
    for line in lines[1:]:
        f = line.split()
        if f[0].rstrip(":").isdigit():
            out[f[-1]] = (int(f[0].rstrip(":")), [int(x) for x in f[1:1 + ncpu]])
    return out


def udp_traffic(net, n=30):
    with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(10)
        for i in range(n):
            s.sendto(b"aff %d" % i, (GUEST, 7))
            assert s.recvfrom(64)[0] == b"aff %d" % i


def boot(net, nic, extra=""):
    g = net.guest("aff-" + nic, nic=nic, append=APPEND + extra, smp=2)
    g.wait_for(r"barenet: ready in", timeout=60)
    g.wait_prompt(timeout=30)
    g.wait_for(r"eth0: link up", timeout=30)
    udp_traffic(net, 3)         # lwIP routes once its timer saw the carrier
    return g


def moved_only_to(g, net, name, cpu):
    before = irq_rows(g)[name][1]
    udp_traffic(net)
    after = irq_rows(g)[name][1]
    d = [a - b for a, b in zip(after, before)]
    assert d[cpu] > 0 and sum(d) == d[cpu], (name, cpu, d)


def check_bad_writes(g, irq, mask, cpus):
    for bad in ("4", "0", "xyz", "1,,2"):
        out = shell(g, "echo %s > /proc/irq/%d/smp_affinity" % (bad, irq))
        assert out == "bash: echo: write error: Invalid argument", (bad, out)
        assert shell(g, "echo $?") == "1"
    for bad in ("2", "2-5", "a", "0-"):
        out = shell(g, "echo %s > /proc/irq/%d/smp_affinity_list" % (bad, irq))
        assert out == "bash: echo: write error: Invalid argument", (bad, out)
    assert shell(g, "cat /proc/irq/%d/smp_affinity" % irq) == mask
    assert shell(g, "cat /proc/irq/%d/smp_affinity_list" % irq) == cpus
    assert shell(g, "echo 1 > /proc/interrupts") == "bash: /proc/interrupts: Permission denied"


def test_affinity_write_moves_msix_queue_vector(testnet, kernel):
    net = testnet
    g = boot(net, "igb")
    rows = irq_rows(g)
    q0, q1 = rows["eth0-TxRx-0"][0], rows["eth0-TxRx-1"][0]
    # the default spread: queue N on CPU N
    assert shell(g, "cat /proc/irq/%d/smp_affinity_list" % q0) == "0"
    assert shell(g, "cat /proc/irq/%d/smp_affinity_list" % q1) == "1"
    assert shell(g, "ethtool -X eth0 equal 1") == ""     # every frame on queue 0
    moved_only_to(g, net, "eth0-TxRx-0", 0)
    assert shell(g, "echo 2 > /proc/irq/%d/smp_affinity" % q0) == ""
    assert shell(g, "cat /proc/irq/%d/smp_affinity" % q0) == "2"
    assert shell(g, "cat /proc/irq/%d/effective_affinity_list" % q0) == "1"
    moved_only_to(g, net, "eth0-TxRx-0", 1)
    check_bad_writes(g, q0, "2", "1")
    moved_only_to(g, net, "eth0-TxRx-0", 1)
    assert shell(g, "echo 0 > /proc/irq/%d/smp_affinity_list" % q0) == ""
    assert shell(g, "cat /proc/irq/%d/smp_affinity" % q0) == "1"
    moved_only_to(g, net, "eth0-TxRx-0", 0)

    # the serial console's IOAPIC line: typing raises it
    tty = irq_rows(g)["ttyS0"][0]
    assert shell(g, "echo 2 > /proc/irq/%d/smp_affinity" % tty) == ""
    before = irq_rows(g)["ttyS0"][1]
    for _ in range(3):
        assert shell(g, "echo typed") == "typed"
    after = irq_rows(g)["ttyS0"][1]
    assert after[0] == before[0] and after[1] > before[1], (before, after)
    assert shell(g, "echo 1 > /proc/irq/%d/smp_affinity" % tty) == ""
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK


@pytest.mark.parametrize("nic,extra,chip", [("e1000e", " irqmode=msi", "PCI-MSI"),
                                            ("e1000", "", "IO-APIC")])
def test_affinity_write_moves_msi_and_ioapic(testnet, kernel, nic, extra, chip):
    net = testnet
    g = boot(net, nic, extra)
    irq = irq_rows(g)["eth0"][0]
    assert re.search(r"^ *%d: .* %s .*eth0$" % (irq, chip), shell(g, "cat /proc/interrupts"), re.M)
    moved_only_to(g, net, "eth0", 0)
    assert shell(g, "echo 2 > /proc/irq/%d/smp_affinity" % irq) == ""
    moved_only_to(g, net, "eth0", 1)
    check_bad_writes(g, irq, "2", "1")
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK


# --- irqbalance --oneshot ------------------------------------------------

QUEUES = 4                      # e1000.queues=4: more vectors than CPUs
DISCARD = 9                     # UDP discard: frames in, nothing back
ROUNDS = 150                    # datagrams a flow: the queues outweigh the typing
GAP = 0.0005                    # seconds between datagrams

def quiet_igb(net, name, smp, queues):
    """igb on a tap that sends it nothing but the test's frames (no IPv6,
    the guest's MAC known): the queue vectors' counts are the test's."""
    net.run(["sysctl", "-q", "-w", "net.ipv6.conf.%s.disable_ipv6=1" % netns.TAP], check=True)
    net.run(["ip", "neigh", "replace", GUEST, "lladdr", "52:54:00:12:34:56", "nud",
             "permanent", "dev", netns.TAP], check=True)
    g = net.guest(name, nic="igb", smp=smp, append=APPEND + " e1000.queues=%d" % queues)
    g.wait_for(r"eth0: %d RSS queues" % queues, timeout=60)
    g.wait_for(r"barenet: ready in", timeout=60)
    g.wait_prompt(timeout=30)
    g.wait_for(r"eth0: link up", timeout=30)
    udp_traffic(net, 3)
    # UDP hashed on the 4-tuple: the source ports spread the flows
    assert shell(g, "ethtool -N eth0 rx-flow-hash udp4 sdfn") == ""
    return g


def flood(net, sports, rounds):
    """rounds datagrams from each source port to the discard port, the
    flows interleaved, one datagram every GAP: each frame raises its own
    interrupt (far apart against the NIC's interrupt throttle), so a
    queue's count follows the frames hashed to it, not how fast the CPU
    it is on polls."""
    socks = []
    try:
        for sp in sports:
            s = net.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(s)
            s.bind((netns.HOST4, sp))
        for i in range(rounds):
            for s in socks:
                s.sendto(b"irqbalance %d" % i, (GUEST, DISCARD))
                time.sleep(GAP)
    finally:
        for s in socks:
            s.close()


def queue_rows(g):
    """{name: (irq, [count per CPU])} of the queue vectors: grep's few
    lines, not all of /proc/interrupts (the serial line's interrupts are
    load irqbalance weighs too; the test keeps its own output small)"""
    out = {}
    for line in shell(g, "grep TxRx /proc/interrupts").splitlines():
        f = line.split()
        counts = [int(x) for x in itertools.takewhile(str.isdigit, f[1:])]
        out[f[-1]] = (int(f[0].rstrip(":")), counts)
    assert sorted(out) == ["eth0-TxRx-%d" % q for q in range(QUEUES)], out
    return out


def affinity(g, irq):
    return int(shell(g, "cat /proc/irq/%d/smp_affinity" % irq), 16)


def test_irqbalance_spreads_queue_vectors(testnet, kernel):
    """Four queue vectors pinned to CPU 0 under a multi-flow load: one
    `irqbalance --oneshot` spreads them over both CPUs (through the
    smp_affinity write), the next traffic counts in both CPUs' columns,
    and a second run over the balanced load moves nothing."""
    net = testnet
    g = quiet_igb(net, "irqbal", 2, QUEUES)
    sports = [41000 + 7 * i for i in range(16)]
    for name, (irq, _) in queue_rows(g).items():
        assert shell(g, "echo 1 > /proc/irq/%d/smp_affinity" % irq) == ""
    before = queue_rows(g)
    flood(net, sports, ROUNDS)
    time.sleep(0.5)
    after = queue_rows(g)
    d = {n: [a - b for a, b in zip(after[n][1], before[n][1])] for n in after}
    assert all(x[1] == 0 for x in d.values()), d             # all on CPU 0
    busy = [n for n, x in d.items() if x[0] > 0]
    assert len(busy) >= 3, d                                 # the flows spread

    # the first run: each vector's load is its count since boot (--debug),
    # the moves are the ones the greedy rule predicts (netparse)
    all_irqs = set(irq for irq, _ in irq_rows(g).values())
    out = shell(g, "irqbalance --oneshot --debug")
    report("irqbalance --oneshot --debug (first):\n" + out)
    first, moves = check_irqbalance(out, [0, 1])
    totals = {n: sum(c) for n, (_, c) in queue_rows(g).items()}
    loads = {v["irq"]: v["load"] for v in first["vectors"]}
    assert set(loads) == all_irqs, (loads, out)
    for n, (irq, _) in after.items():
        assert loads[irq] == totals[n], (n, totals[n], out)
    assert all(v["cpu"] == 0 for v in first["vectors"] if v["irq"] in moves), out
    # where the moves put them: CPU 1, the rest on CPU 0 (read back after
    # the second run: typing between the runs is load too)
    masks = {n: 2 if irq in moves else 1 for n, (irq, _) in after.items()}

    # (b) more of the same traffic: each vector counts on its new CPU only,
    # and both CPUs' columns grow
    before = queue_rows(g)
    flood(net, sports, ROUNDS)
    time.sleep(0.5)
    after = queue_rows(g)
    col = [0, 0]
    for n in after:
        dd = [a - b for a, b in zip(after[n][1], before[n][1])]
        cpu = masks[n].bit_length() - 1
        assert dd[1 - cpu] == 0, (n, cpu, dd)
        col[cpu] += dd[cpu]
    assert col[0] > 0 and col[1] > 0, col

    # (c) the load since the first run (the same flows, and the typing)
    # is balanced: the plan gains less than an eighth, nothing moves
    out = shell(g, "irqbalance --oneshot --debug")
    report("irqbalance --oneshot --debug (second):\n" + out)
    p, moves = check_irqbalance(out, [0, 1])
    assert moves == {} and p["summary"].group(3), out
    # (a) the smp_affinity files: the queue vectors span both CPUs
    assert {n: affinity(g, irq) for n, (irq, _) in after.items()} == masks
    assert set(masks.values()) == {1, 2}, masks
    # every vector the first run weighed (the serial line too: the test's
    # typing) is where its summary says, the CPUs' loads differing by at
    # most the heaviest vector's (the greedy rule's bound)
    per_cpu = [0, 0]
    for irq, load in loads.items():
        per_cpu[int(shell(g, "cat /proc/irq/%d/effective_affinity_list" % irq))] += load
    assert first["summary"].group(5) == "CPU0 %d, CPU1 %d" % tuple(per_cpu), (first, per_cpu)
    assert abs(per_cpu[0] - per_cpu[1]) <= max(loads.values()), (per_cpu, loads)
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK


def test_irqbalance_one_cpu_and_bad_options(testnet, kernel):
    """One CPU: nothing to balance, nothing written.  Options it does not
    know get an error and the usage; without --oneshot it refuses (no
    daemon)."""
    net = testnet
    g = quiet_igb(net, "irqbal1", 1, 2)
    flood(net, [41000 + 7 * i for i in range(8)], 10)
    rows = irq_rows(g)
    masks = {n: shell(g, "cat /proc/irq/%d/smp_affinity" % irq) for n, (irq, _) in rows.items()}
    out = shell(g, "irqbalance --oneshot")
    assert out == "irqbalance: interrupts can go to one CPU only (CPU 0): nothing to balance", out
    assert shell(g, "echo $?") == "0"
    flood(net, [41000 + 7 * i for i in range(8)], 10)
    p, moves = check_irqbalance(shell(g, "irqbalance -od"), [0])
    assert moves == {} and any(v["load"] for v in p["vectors"]), p
    assert {n: shell(g, "cat /proc/irq/%d/smp_affinity" % irq)
            for n, (irq, _) in rows.items()} == masks == {n: "1" for n in rows}
    usage = "usage: irqbalance --oneshot|-o [--debug|-d] [--foreground|-f]"
    for args, err in (("--oneshot --bogus", "unrecognized option '--bogus'"),
                      ("-ox", "invalid option -- 'x'"),
                      ("--oneshot now", "unexpected argument 'now'"),
                      ("", "no daemon in barenet: run it with --oneshot"),
                      ("--debug", "no daemon in barenet: run it with --oneshot")):
        out = shell(g, ("irqbalance " + args).strip())
        assert out == "irqbalance: %s\n%s" % (err, usage), (args, out)
        assert shell(g, "echo $?") == "1"
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK
