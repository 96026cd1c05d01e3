"""Transmit multiqueue on igb (issue 14, XPS-like): start_xmit on CPU c
uses TX queue c mod the queues, each queue with its own ring, lock and
completions in its own vector's poll.

One guest with 2 CPUs (so 2 queue pairs, eth0-TxRx-0 on CPU 0 and
eth0-TxRx-1 on CPU 1) on tap0 of a test namespace.  UDP echoes over many
source ports: RSS (4-tuple for UDP, ethtool -N) spreads them over both RX queues, each queue's poll runs
on its vector's CPU and the echo's reply leaves from there, so both TX
queues carry frames.  Between two quiet snapshots the per-queue counters
add up exactly to the driver's tx_packets/tx_bytes, /proc/net/dev's and
the NIC's GPTC/GOTC; every datagram came back once and in order per flow.
`ethtool -L eth0 combined 1` leaves one TX queue (its counter alone
moves), `combined 2` brings queue 1 back."""
import re
import socket
import time

import pytest

from harness import EXIT_OK
import netns
from netobs import quiet_shell as shell, udp_echo_flows, udp_warm_up
from netparse import parse_ethtool_stats

GUEST = netns.GUEST4
ECHO_PORT = 7
APPEND = "ip=%s/%d,%s" % (GUEST, netns.PREFIXLEN4, netns.HOST4)
FLOWS = 24
PER_FLOW = 6


def snapshot(g):
    """ethtool -S with /proc/net/dev's eth0 TX fields, from a quiet moment:
    /proc/net/dev read before and after ethtool -S agrees (a frame the
    guest sent between the two reads, an ND or a late reply, made a fresh
    make test see tx_packets 145 against /proc/net/dev's 144)."""
    def dev_tx():
        dev = shell(g, "cat /proc/net/dev")
        f = re.search(r"^\s*eth0:\s*(.*)$", dev, re.M).group(1).split()
        return int(f[8]), int(f[9])
    for _ in range(10):
        before = dev_tx()
        st = parse_ethtool_stats(shell(g, "ethtool -S eth0"))
        after = dev_tx()
        if before == after:
            break
        time.sleep(0.2)
    st["dev_tx_bytes"], st["dev_tx_packets"] = after
    return st


def echo_flows(net, base):
    """FLOWS flows of PER_FLOW datagrams each; each flow's replies come
    back in the order sent (per-queue order)."""
    udp_echo_flows(net, netns.HOST4, (GUEST, ECHO_PORT), FLOWS, PER_FLOW, base, b"xps", burst=True)


def flows_between_snapshots(g, net, base):
    """(snapshot, snapshot) around echo_flows(net, base), the second one
    0.5 s after the last reply came back."""
    s0 = snapshot(g)
    echo_flows(net, base)
    time.sleep(0.5)
    return s0, snapshot(g)


def queue_packets(s0, s1):
    """Frames each of the 2 TX queues sent from snapshot s0 to s1."""
    return [s1["tx_queue_%d_packets" % n] - s0["tx_queue_%d_packets" % n] for n in range(2)]


def igb_guest(net, name):
    """An igb guest with 2 CPUs on a tap that sends it nothing but the
    test's frames (no IPv6, no ARP from the host), link up."""
    net.run(["sysctl", "-q", "-w", "net.ipv6.conf.%s.disable_ipv6=1" % netns.TAP], check=True)
    net.run(["ip", "neigh", "replace", GUEST, "lladdr", "52:54:00:12:34:56", "dev", netns.TAP,
             "nud", "permanent"], check=True)
    g = net.guest(name, nic="igb", append=APPEND, smp=2)
    g.wait_for(r"barenet: ready in", timeout=60)
    g.wait_prompt(timeout=30)
    g.wait_for(r"eth0: link up", timeout=30)
    return g


def warm_up(net, tries, wait):
    """One echo before the flows (netobs.udp_warm_up)."""
    udp_warm_up(net, (netns.HOST4, 0), (GUEST, ECHO_PORT), tries, wait)


def test_tx_queue_per_cpu(testnet, kernel):
    net = testnet
    g = igb_guest(net, "xps")
    # UDP hashes the 2-tuple by default (as Linux's igb): one host, one
    # queue; the 4-tuple spreads the flows over both
    assert shell(g, "ethtool -N eth0 rx-flow-hash udp4 sdfn") == ""
    warm_up(net, 5, 2)
    echo_flows(net, 41000)
    time.sleep(0.5)
    irqs = shell(g, "cat /proc/interrupts")
    assert "eth0-TxRx-1" in irqs, irqs
    s0, s1 = flows_between_snapshots(g, net, 42000)
    d = {k: s1[k] - s0[k] for k in s1 if isinstance(s1[k], int) and k in s0}
    per_q = [d["tx_queue_%d_packets" % q] for q in range(2)]
    # both TX queues carried replies: CPU 1's polls sent on queue 1
    assert per_q[0] > 0 and per_q[1] > 0, (per_q, s1)
    assert sum(per_q) == d["tx_packets"] == d["dev_tx_packets"] == d["tx_good_packets"], d
    per_qb = [d["tx_queue_%d_bytes" % q] for q in range(2)]
    assert sum(per_qb) == d["tx_bytes"] == d["dev_tx_bytes"], d
    assert d["tx_packets"] >= FLOWS * PER_FLOW, d
    # ethtool -L: one queue pair, only queue 0 sends; back to two
    assert shell(g, "ethtool -L eth0 combined 1") == ""
    s2, s3 = flows_between_snapshots(g, net, 43000)
    assert "tx_queue_1_packets" not in s3, s3
    assert s3["tx_queue_0_packets"] - s2["tx_queue_0_packets"] >= FLOWS * PER_FLOW
    opens = s3["rx_rss_staged_opens"]
    assert shell(g, "ethtool -L eth0 combined 2") == ""
    # RSS comes back once the driver saw no backlog after the rebuild
    # (e1000_mq.c, staged; the watchdog's next pass at the latest)
    for _ in range(50):
        if snapshot(g)["rx_rss_staged_opens"] > opens:
            break
        time.sleep(0.1)
    s4, s5 = flows_between_snapshots(g, net, 44000)
    assert s4["rx_rss_staged_opens"] == opens + 1, (opens, s4)
    assert s5["tx_queue_1_packets"] > s4["tx_queue_1_packets"], (s4, s5)
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK


@pytest.mark.slow
def test_tx_watchdog_sees_queue_1(testnet, kernel):
    """A TX queue other than 0 that hangs is the device's hang: every
    flow on RX queue 1 (ethtool -X weight 0 1, its vector on CPU 1), so
    the echo replies leave on TX queue 1; tx_stall freezes its tail, the
    watchdog (its timeout set to 500 ms) counts one tx_timeout and resets,
    and the echoes come back.
    The timeout is queue 1's (Linux's per-queue trans_timeout): tx-1/
    tx_timeout counts it, tx-0's stays, their sum is the device's."""
    net = testnet
    g = igb_guest(net, "xps-wd")
    assert shell(g, "ethtool -X eth0 weight 0 1") == ""
    warm_up(net, 30, 1)
    # the guest's own background (lwIP's router solicitations, 4 s apart,
    # from CPU 0's timers) over: from here TX queue 0 stays idle, so only
    # queue 1 holds the frames the stall keeps back
    last, since, t0 = None, time.monotonic(), time.monotonic()
    while time.monotonic() - since < 6:
        assert time.monotonic() - t0 < 40, "TX queue 0 never went quiet"
        n0 = snapshot(g)["tx_queue_0_packets"]
        if n0 != last:
            last, since = n0, time.monotonic()
        time.sleep(0.5)
    # the watchdog's default is Linux's 5 s: 500 ms keeps the test short
    assert shell(g, "netdev watchdog eth0 500") == ""
    s0 = snapshot(g)
    assert " on " in shell(g, "fault set tx_stall 100% times=1")
    back = 0
    with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        t0 = time.monotonic()
        i = 0
        while time.monotonic() - t0 < 15 and back < 5:
            s.sendto(b"wd %d" % i, (GUEST, ECHO_PORT))
            i += 1
            try:
                while True:
                    s.recvfrom(64)
                    back += 1
            except socket.timeout:
                pass
    g.wait_for(r"reset done in \d+ us", timeout=10)
    s1 = snapshot(g)
    assert s1["fault_tx_stall"] - s0["fault_tx_stall"] == 1
    assert s1["tx_timeout_count"] - s0["tx_timeout_count"] == 1, (s0, s1)
    assert s1["tx_queue_1_packets"] > s0["tx_queue_1_packets"], (s0, s1)
    assert back >= 5
    q = "/sys/class/net/eth0/queues/"
    per_queue = [int(shell(g, "cat %stx-%d/tx_timeout" % (q, n)).strip()) for n in (0, 1)]
    assert per_queue == [0, 1], per_queue
    assert "transmit queue 1 timed out" in g.output
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK


def test_xps_cpus_map(testnet, kernel):
    """tx-N/xps_cpus (Linux's XPS map): igb with 2 CPUs has tx-0 and tx-1,
    each with xps_cpus (0: no map) and tx_timeout, and nothing of rx-N's
    (ls of one says no such file), nor rx-N anything of tx-N's.
    tx-1/xps_cpus 1 sends CPU 0's frames on queue 1 (CPU 1's go there by
    default, CPU mod queues): echo replies from both CPUs all leave on
    queue 1, queue 0's counter stays.  Then tx-0/xps_cpus 3 with tx-1's
    cleared: all on queue 0.  A mask with a CPU that is not there, or not
    hex, gets bash's write error and changes nothing."""
    net = testnet
    g = igb_guest(net, "xps-map")
    q = "/sys/class/net/eth0/queues/"
    assert shell(g, "ls " + q).split() == ["rx-0/", "rx-1/", "tx-0/", "tx-1/"]
    assert shell(g, "ls %stx-1" % q).split() == ["tx_timeout", "xps_cpus"]
    assert shell(g, "ls %srx-1" % q).split() == ["rps_cpus", "rps_flow_cnt"]
    # each kind of queue has only its own files (net/core/queues.c)
    for other in ("tx-1/rps_cpus", "tx-0/rps_flow_cnt", "rx-1/xps_cpus", "rx-0/tx_timeout"):
        assert shell(g, "ls %s%s" % (q, other)).strip() == \
            "ls: cannot access '%s%s': No such file or directory" % (q, other), other
    assert shell(g, "ls %stx-1/xps_cpus" % q).strip() == q + "tx-1/xps_cpus"
    assert shell(g, "cat %stx-1/xps_cpus" % q).strip() == "0"
    assert shell(g, "cat %stx-1/tx_timeout" % q).strip() == "0"
    assert shell(g, "ethtool -N eth0 rx-flow-hash udp4 sdfn") == ""
    warm_up(net, 5, 2)
    for bad in ("4", "zz", "100000000"):
        assert shell(g, "echo %s > %stx-1/xps_cpus" % (bad, q)).strip() == \
            "bash: echo: write error: Invalid argument", bad
        assert shell(g, "cat %stx-1/xps_cpus" % q).strip() == "0", bad
    assert shell(g, "echo 1 > %stx-1/xps_cpus" % q) == ""
    assert shell(g, "cat %stx-1/xps_cpus" % q).strip() == "1"
    s0, s1 = flows_between_snapshots(g, net, 45000)
    d = queue_packets(s0, s1)
    assert d[0] == 0 and d[1] >= FLOWS * PER_FLOW, (d, s0, s1)
    # the other way round: every CPU's sends on queue 0
    assert shell(g, "echo 0 > %stx-1/xps_cpus" % q) == ""
    assert shell(g, "echo 3 > %stx-0/xps_cpus" % q) == ""
    s2, s3 = flows_between_snapshots(g, net, 46000)
    d = queue_packets(s2, s3)
    assert d[1] == 0 and d[0] >= FLOWS * PER_FLOW, (d, s2, s3)
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK
