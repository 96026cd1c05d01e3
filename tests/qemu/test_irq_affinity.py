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
too (typing makes its interrupts)."""
import re
import socket

import pytest

from harness import EXIT_OK
import netns

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
