"""Every item of docs/SEEDS-CHECKLIST.md marked "works", run in the guest's
shell as the seeds type it, on each NIC model (e1000, e1000e, igb: one boot
each, QEMU user networking), and parsed the way Linux's own tools read the
output: /proc/interrupts and /proc/softirqs by their CPU columns,
/proc/net/dev as net-tools does, /proc/net/softnet_stat as 13 hex columns
(Linux 6.1), /proc/net/snmp and netstat as header/value pairs, the socket
tables as ss's legacy parser, sysctl as procps prints, ethtool and
`ip -s link` in their 6.1 layouts.  The values are checked against each
other and against traffic the test makes (pings to the user-net gateway),
so a view that prints the right layout with dead numbers fails.

ITEMS lists the checklist's rows; test_checklist_matches_items fails when
the document and this file drift apart."""
import os
import re
import subprocess
import tempfile

import pytest

from harness import DEFAULT_SMP, ROOT, Guest
from netparse import (check_irqbalance, driver_linked, parse_ethtool_stats, parse_ping, parse_snmp,
                      parse_sockets, without_klog)

NICS = ["e1000", "e1000e", "igb"]
CHECKLIST = os.path.join(ROOT, "docs", "SEEDS-CHECKLIST.md")

# the checklist's ids whose state is "works" or "works (difference)": each
# is exercised below
ITEMS = ["interrupts", "softirqs", "watch-softirqs", "sys-statistics", "proc-net-dev",
         "ethtool-G", "ethtool-g", "ethtool-S", "ethtool-l", "ethtool-c", "ethtool-C",
         "ethtool-k", "ethtool-K-gro", "ethtool-i", "smp-affinity", "softnet-stat",
         "ethtool-L", "ethtool-x-X", "ethtool-n-N", "sysctl-flow-limit",
         "sysctl-rps", "rps-cpus", "rfs", "xps",
         "snmp", "netstat-ipext", "netstat-s", "proc-net-udp", "proc-net-tcp", "sysctl-budget",
         "sysctl-budget-usecs", "sysctl-backlog", "sysctl-weight", "sysctl-rmem", "sysctl-tcp-rmem",
         "ip-s-link", "ps-ksoftirqd", "irqbalance",
         # an application, exercised by test_apps.py (test_seed_udp_server_prints_the_datagram)
         "udp-server-program"]

GATEWAY = "10.0.2.2"


def sh(g, cmd):
    return without_klog(g.shell(cmd))


@pytest.fixture(scope="module", params=NICS)
def guest(kernel, request):
    if not driver_linked():
        pytest.skip("no NIC driver linked into the kernel yet")
    with Guest("seeds-" + request.param, nic=request.param) as g:
        g.wait_for(r"net: eth0 10\.0\.2\.15/24 gw 10\.0\.2\.2 \(dhcp\)", timeout=60)
        g.wait_prompt(timeout=30)
        out = sh(g, "ping -c 3 -i 0.2 " + GATEWAY)
        assert parse_ping(out)["stats"].groups()[:2] == ("3", "3"), out
        g.nic = request.param
        yield g


def test_checklist_matches_items():
    """The checklist's "works" rows are exactly the ones tested here."""
    with open(CHECKLIST) as f:
        text = f.read()
    rows = re.findall(r"^\| `([A-Za-z0-9-]+)` \|.*\| (works[^|]*?|n/a[^|]*?) \|$", text, re.M)
    assert rows, "no rows found in " + CHECKLIST
    assert len(rows) == len(re.findall(r"^\| `", text, re.M)), "a row without a known state"
    works = [i for i, state in rows if state.startswith("works")]
    assert sorted(works) == sorted(ITEMS)
    assert len(set(i for i, _ in rows)) == len(rows), "an id twice"


# --- parsers in Linux's layouts ----------------------------------------------


def parse_cpu_table(text):
    """/proc/interrupts and /proc/softirqs: a header of CPUn columns, then
    "NAME: count per CPU [rest]" (procps' and irqbalance's reading)."""
    lines = text.splitlines()
    cpus = lines[0].split()
    assert cpus and all(re.fullmatch(r"CPU\d+", c) for c in cpus), lines[0]
    rows = {}
    for line in lines[1:]:
        name, _, rest = line.partition(":")
        f = rest.split()
        counts = [int(x) for x in f[:len(cpus)]]
        assert len(counts) == len(cpus) or name.strip() in ("ERR", "MIS"), line
        rows[name.strip()] = (counts, " ".join(f[len(cpus):]))
    return cpus, rows


def parse_proc_net_dev(text):
    """As net-tools' proc_net_dev reads it: two header lines, then
    "name: 8 receive and 8 transmit numbers"."""
    lines = text.splitlines()
    assert lines[0].startswith("Inter-|   Receive") and "|  Transmit" in lines[0]
    assert lines[1].split("|")[1].split() == \
        "bytes packets errs drop fifo frame compressed multicast".split()
    out = {}
    for line in lines[2:]:
        name, vals = line.split(":")
        v = [int(x) for x in vals.split()]
        assert len(v) == 16, line
        out[name.strip()] = v
    return out


def parse_ethtool_kv(text, head):
    """ethtool -g/-l: "Label:<tabs>value" under the two section heads."""
    lines = text.splitlines()
    assert re.fullmatch(head + r" for \S+:", lines[0]), lines[0]
    sect, out = None, {}
    for line in lines[1:]:
        if line in ("Pre-set maximums:", "Current hardware settings:"):
            sect = line
            continue
        if line.startswith("Note:\t"):     # barenet's why-one-queue line after Linux's
            continue
        m = re.fullmatch(r"([A-Za-z ]+):\t+(\d+|n/a)", line)
        assert m and sect, line
        out[(sect[:3], m.group(1))] = None if m.group(2) == "n/a" else int(m.group(2))
    return out


def parse_ip_s_link(text):
    """iproute2 6.1 `ip -s link`: per link, its two lines then the RX and TX
    header/value pairs; the value columns end where the titles end."""
    lines = text.splitlines()
    links, i = {}, 0
    while i < len(lines):
        m = re.match(r"^\d+: (\S+): <", lines[i])
        assert m, lines[i]
        assert lines[i + 1].startswith("    link/"), lines[i + 1]
        st = {}
        for k, d in ((2, "RX"), (4, "TX")):
            head, vals = lines[i + k], lines[i + k + 1]
            assert head.startswith("    %s: " % d), head
            titles = head[len("    RX:"):].split()
            assert titles == (["bytes", "packets", "errors", "dropped", "missed", "mcast"]
                              if d == "RX" else
                              ["bytes", "packets", "errors", "dropped", "carrier", "collsns"])
            assert head.endswith(" " * 11), repr(head)    # the empty compressed column
            nums = vals.split()
            assert len(nums) == 6 and vals.endswith(" ") and vals.startswith("    "), vals
            # right-aligned under their titles
            ends_t = [mm.end() for mm in re.finditer(r"\S+", head)][1:]
            ends_v = [mm.end() for mm in re.finditer(r"\S+", vals)]
            assert ends_t == ends_v, (head, vals)
            st[d] = dict(zip(titles, (int(x) for x in nums)))
        links[m.group(1)] = st
        i += 6
    return links


# --- the items ---------------------------------------------------------------


def test_interrupts(guest):
    cpus, rows = parse_cpu_table(sh(guest, "cat /proc/interrupts"))
    assert cpus == ["CPU%d" % c for c in range(DEFAULT_SMP)]
    nic = [(irq, r) for irq, r in rows.items() if r[1].endswith(" eth0")]
    assert len(nic) == 1, rows
    irq, (counts, desc) = nic[0]
    assert re.fullmatch(r"\d+", irq)
    assert re.fullmatch(r"(IO-APIC|PCI-MSI|PCI-MSIX-\S+) +\d+-(edge|fasteoi) +eth0", desc), desc
    if guest.nic == "e1000e" and mq(guest):
        # eth0 is the link (other) vector, and QEMU's e1000e raises no
        # link change after the driver's start: queue 0's vector counts
        q0 = [r for r in rows.values() if r[1].endswith(" eth0-TxRx-0")]
        assert len(q0) == 1 and q0[0][0][0] > 0, rows
    else:
        assert counts[0] > 0
    assert rows["LOC"][1] == "Local timer interrupts" and rows["LOC"][0][0] > 0
    assert rows["NMI"][1] == "Non-maskable interrupts"
    guest.irq = irq


def test_smp_affinity(guest):
    irq = getattr(guest, "irq", None) or next(
        i for i, r in parse_cpu_table(sh(guest, "cat /proc/interrupts"))[1].items()
        if r[1].endswith(" eth0"))
    assert sh(guest, "cat /proc/irq/%s/smp_affinity" % irq).strip() == "1"
    assert sh(guest, "cat /proc/irq/%s/smp_affinity_list" % irq).strip() == "0"
    # the seed's write, and a mask with no online CPU refused
    assert sh(guest, "echo 1 > /proc/irq/%s/smp_affinity" % irq) == ""
    assert sh(guest, "echo 0 > /proc/irq/%s/smp_affinity" % irq).strip() == \
        "bash: echo: write error: Invalid argument"
    if DEFAULT_SMP > 1:
        assert sh(guest, "echo 2 > /proc/irq/%s/smp_affinity" % irq) == ""
        assert sh(guest, "cat /proc/irq/%s/effective_affinity_list" % irq).strip() == "1"
        assert sh(guest, "echo 0 > /proc/irq/%s/smp_affinity_list" % irq) == ""
    assert sh(guest, "cat /proc/irq/%s/smp_affinity" % irq).strip() == "1"


SOFTIRQS = "HI TIMER NET_TX NET_RX BLOCK IRQ_POLL TASKLET SCHED HRTIMER RCU".split()


def test_softirqs(guest):
    text = sh(guest, "cat /proc/softirqs")
    assert text.splitlines()[0] == " " * 20 + "".join("CPU%-8d" % c for c in range(DEFAULT_SMP))
    cpus, rows = parse_cpu_table(text)
    assert list(rows) == SOFTIRQS
    assert rows["NET_RX"][0][0] > 0 and rows["TIMER"][0][0] > 0
    for line in text.splitlines()[1:]:
        assert re.fullmatch(r" *[A-Z_]+:( +\d+){%d}" % DEFAULT_SMP, line) and \
            line.index(":") == 12, line
    rx = sh(guest, "grep RX /proc/softirqs")
    assert re.fullmatch(r" +NET_RX:( +\d+)+\n", rx), rx
    tx = sh(guest, "grep TX /proc/softirqs")
    assert re.fullmatch(r" +NET_TX:( +\d+)+\n", tx), tx


def test_watch_softirqs(guest):
    start = len(guest.output)
    guest.send("watch -n0.2 grep RX /proc/softirqs\r")
    guest.wait_for(r"(?s)(Every 0\.2s: grep RX /proc/softirqs\n\n +NET_RX: +\d+( +\d+)*\n.*){3}",
                   timeout=30, start=start)
    guest.send("\x03")
    guest.wait_prompt(timeout=10, start=start)
    out = without_klog(guest.output[start:])
    rounds = re.findall(r"Every 0\.2s: grep RX /proc/softirqs\n\n +NET_RX: +(\d+)(?: +\d+)*\n", out)
    assert len(rounds) >= 3, out
    counts = [int(c) for c in rounds]
    assert counts == sorted(counts), counts             # a counter never goes back
    assert guest.shell("echo $?") == "0\n"
    assert sh(guest, "watch -n x ls") == "watch: failed to parse argument: 'x'\n"


def test_sys_statistics_and_proc_net_dev(guest):
    dev = parse_proc_net_dev(sh(guest, "cat /proc/net/dev"))
    assert set(dev) == {"lo", "eth0"}
    sysfs = {}
    for name in ("rx_missed_errors", "rx_dropped", "rx_packets", "tx_packets"):
        v = sh(guest, "cat /sys/class/net/eth0/statistics/" + name)
        assert re.fullmatch(r"\d+\n", v), v
        sysfs[name] = int(v)
    assert sysfs["rx_packets"] >= dev["eth0"][1] >= 3      # the pings' replies at least
    assert sysfs["tx_packets"] >= dev["eth0"][9] >= 3
    # /proc/net/dev's drop column is rx_dropped + rx_missed_errors
    assert dev["eth0"][3] == sysfs["rx_dropped"] + sysfs["rx_missed_errors"]


def test_ethtool_ring_set_and_show(guest):
    assert sh(guest, "sudo ethtool -G eth0 rx 4096") == ""
    r = parse_ethtool_kv(sh(guest, "ethtool -g eth0"), "Ring parameters")
    assert r[("Pre", "RX")] == 4096 and r[("Cur", "RX")] == 4096
    assert r[("Cur", "RX Mini")] is None and r[("Cur", "TX")] >= 64
    out = sh(guest, "ping -c 2 -i 0.2 " + GATEWAY)
    assert parse_ping(out)["stats"].groups()[:2] == ("2", "2"), out
    assert sh(guest, "ethtool -G eth0 rx 8192").startswith("netlink error:")
    assert parse_ethtool_kv(sh(guest, "ethtool -g eth0"), "Ring parameters")[("Cur", "RX")] \
        == 4096
    assert sh(guest, "ethtool -G eth0 rx 256") == ""


def test_ethtool_stats_driver_channels(guest):
    s = parse_ethtool_stats(sh(guest, "ethtool -S eth0"))
    for name in ("rx_packets", "rx_missed_errors", "rx_no_buffer_count", "interrupts",
                 "napi_polls"):
        assert name in s, name
    assert s["rx_packets"] >= 3 and s["napi_polls"] > 0
    info = dict(l.split(": ", 1) for l in sh(guest, "ethtool -i eth0").splitlines()
                if ": " in l)
    assert info["driver"] == guest.nic
    ch = parse_ethtool_kv(sh(guest, "ethtool -l eth0"), "Channel parameters")
    if mq(guest):
        # one RSS queue per CPU, at most 8 (igb) or 2 (e1000e), and the
        # link ("other") vector
        top = 8 if guest.nic == "igb" else 2
        assert ch == {("Pre", "RX"): None, ("Pre", "TX"): None, ("Pre", "Other"): 1,
                      ("Pre", "Combined"): top, ("Cur", "RX"): None, ("Cur", "TX"): None,
                      ("Cur", "Other"): 1, ("Cur", "Combined"): min(DEFAULT_SMP, top)}, ch
    else:
        assert ch == {(p, k): (1 if k == "Combined" else None)
                      for p in ("Pre", "Cur") for k in ("RX", "TX", "Other", "Combined")}


def mq(guest):
    return guest.nic in ("igb", "e1000e") and DEFAULT_SMP > 1


def test_ethtool_set_channels(guest):
    cur = lambda: parse_ethtool_kv(sh(guest, "ethtool -l eth0"),  # noqa: E731
                                   "Channel parameters")[("Cur", "Combined")]
    n = cur()
    assert sh(guest, "ethtool -L eth0 combined 1") == ""
    assert cur() == 1
    out = sh(guest, "ethtool -L eth0 combined 9")
    assert out.startswith("netlink error: requested channel count exceeds maximum"), out
    if mq(guest):
        assert re.search(r"eth0-TxRx-0$", sh(guest, "cat /proc/interrupts"), re.M)
        assert not re.search(r"eth0-TxRx-1$", sh(guest, "cat /proc/interrupts"), re.M)
        assert sh(guest, "ethtool -L eth0 combined %d" % n) == ""
        assert cur() == n
        assert re.search(r"eth0-TxRx-%d$" % (n - 1), sh(guest, "cat /proc/interrupts"), re.M)
    out = sh(guest, "ping -c 2 -i 0.2 " + GATEWAY)
    assert parse_ping(out)["stats"].groups()[:2] == ("2", "2"), out


def test_sysctl_flow_limit(guest):
    assert sh(guest, "sysctl net.core.flow_limit_table_len").strip() == \
        "net.core.flow_limit_table_len = 4096"
    assert sh(guest, "cat /proc/sys/net/core/flow_limit_cpu_bitmap").strip() == "0"
    assert sh(guest, "sysctl -w net.core.flow_limit_cpu_bitmap=1").strip() == \
        "net.core.flow_limit_cpu_bitmap = 1"
    out = sh(guest, "ping -c 2 -i 0.2 " + GATEWAY)
    assert parse_ping(out)["stats"].groups()[:2] == ("2", "2"), out
    assert sh(guest, "sysctl -w net.core.flow_limit_cpu_bitmap=0").strip() == \
        "net.core.flow_limit_cpu_bitmap = 0"


def test_sysctl_rps_sock_flow_entries(guest):
    """RFS's socket flow table: 0 (off) by default, a power of two as
    Linux rounds it, 0 again turns it off."""
    assert sh(guest, "sysctl net.core.rps_sock_flow_entries") == \
        "net.core.rps_sock_flow_entries = 0\n"
    assert sh(guest, "sysctl -w net.core.rps_sock_flow_entries=32000") == \
        "net.core.rps_sock_flow_entries = 32768\n"
    assert sh(guest, "cat /proc/sys/net/core/rps_sock_flow_entries") == "32768\n"
    assert sh(guest, "echo 0 > /proc/sys/net/core/rps_sock_flow_entries") == ""
    assert sh(guest, "sysctl net.core.rps_sock_flow_entries") == \
        "net.core.rps_sock_flow_entries = 0\n"


def rx_queues(guest):
    return ["rx-%d" % q for q in range(min(DEFAULT_SMP, 8) if mq(guest) else 1)]


def tx_queues(guest):
    """igb sends on every queue (tx-N beside rx-N); e1000e and e1000 on one."""
    return [q.replace("rx", "tx") for q in rx_queues(guest)] if guest.nic == "igb" else ["tx-0"]


def test_rps_cpus_every_rx_queue(guest):
    """rps_cpus of every rx-N: a hex mask of online CPUs; a CPU that is not
    there gets bash's write error and changes nothing."""
    assert sh(guest, "ls /sys/class/net/eth0/queues").split() == \
        [q + "/" for q in rx_queues(guest) + tx_queues(guest)]
    allcpus = (1 << DEFAULT_SMP) - 1
    for q in rx_queues(guest):
        f = "/sys/class/net/eth0/queues/%s/rps_cpus" % q
        assert sh(guest, "cat " + f).strip() == "0"
        assert sh(guest, "echo %x > %s" % (allcpus, f)) == ""
        assert sh(guest, "cat " + f).strip() == "%x" % allcpus
        assert sh(guest, "echo %x > %s" % (1 << DEFAULT_SMP, f)).strip() == \
            "bash: echo: write error: Invalid argument"
        assert sh(guest, "cat " + f).strip() == "%x" % allcpus
    out = sh(guest, "ping -c 2 -i 0.2 " + GATEWAY)
    assert parse_ping(out)["stats"].groups()[:2] == ("2", "2"), out
    for q in rx_queues(guest):
        assert sh(guest, "echo 0 > /sys/class/net/eth0/queues/%s/rps_cpus" % q) == ""


def test_rfs_flow_cnt(guest):
    """rx-N/rps_flow_cnt: rounded up to a power of two, with the socket
    table on the flows follow their readers (tests/qemu/test_rfs.py shows
    the steering); traffic passes; 0 turns it off."""
    f = "/sys/class/net/eth0/queues/rx-0/rps_flow_cnt"
    assert sh(guest, "cat " + f).strip() == "0"
    assert sh(guest, "echo 1000 > " + f) == ""
    assert sh(guest, "cat " + f).strip() == "1024"
    sh(guest, "sysctl -w net.core.rps_sock_flow_entries=4096")
    out = sh(guest, "ping -c 2 -i 0.2 " + GATEWAY)
    assert parse_ping(out)["stats"].groups()[:2] == ("2", "2"), out
    sh(guest, "sysctl -w net.core.rps_sock_flow_entries=0")
    assert sh(guest, "echo 0 > " + f) == ""
    assert sh(guest, "cat " + f).strip() == "0"


def test_xps_tx_queues(guest):
    """igb: a TX queue per CPU; ethtool -S's tx_queue_N_packets/bytes add
    up to tx_packets/tx_bytes.  e1000e: its RSS queues' counters, and one
    TX queue (tx_queue_0); e1000: no per-queue counters."""
    out = sh(guest, "ping -c 3 -i 0.2 " + GATEWAY)
    assert parse_ping(out)["stats"].groups()[:2] == ("3", "3"), out
    st = parse_ethtool_stats(sh(guest, "ethtool -S eth0"))
    tq = sorted(int(k.split("_")[2]) for k in st if re.fullmatch(r"tx_queue_\d+_packets", k))
    if guest.nic == "e1000":
        assert tq == []
        return
    assert tq == list(range(min(DEFAULT_SMP, 8) if mq(guest) and guest.nic == "igb" else 1))
    assert sum(st["tx_queue_%d_packets" % q] for q in tq) == st["tx_packets"]
    assert sum(st["tx_queue_%d_bytes" % q] for q in tq) == st["tx_bytes"]


def test_ethtool_rxfh(guest):
    out = sh(guest, "ethtool -x eth0")
    if not mq(guest):
        assert out.strip() == "Cannot get RX ring count: Operation not supported", out
        return
    lines = out.splitlines()
    assert lines[0] == "RX flow hash indirection table for eth0 with %d RX ring(s):" \
        % min(DEFAULT_SMP, 8 if guest.nic == "igb" else 2)
    table = [int(x) for l in lines[1:17] for x in l.split(":")[1].split()]
    assert len(table) == 128 and lines[17] == "RSS hash key:"
    assert len(lines[18].split(":")) == 40 and lines[19:] == [
        "RSS hash function:", "    toeplitz: on", "    xor: off", "    crc32: off"]
    assert sh(guest, "ethtool -X eth0 equal 1") == ""
    assert "     0     0     0     0     0     0     0     0" in sh(guest, "ethtool -x eth0")
    assert sh(guest, "ethtool -X eth0 equal 9").strip() == \
        "Cannot set RX flow hash configuration: Invalid argument"
    assert sh(guest, "ethtool -X eth0 default") == ""


def test_ethtool_rx_flow_hash(guest):
    out = sh(guest, "ethtool -n eth0 rx-flow-hash udp4")
    if not mq(guest):
        assert out.strip() == "Cannot get RX network flow hashing options: Operation not supported"
        return
    assert out.strip().splitlines() == ["UDP over IPV4 flows use these fields for computing Hash "
                                "flow key:", "IP SA", "IP DA"], out
    if guest.nic == "e1000e":
        # QEMU's 82574 never hashes UDP ports (e1000e_rss_get_hash_type)
        assert sh(guest, "ethtool -N eth0 rx-flow-hash udp4 sdfn").strip() == \
            "Cannot change RX network flow hashing options: Invalid argument"
        return
    assert sh(guest, "ethtool -N eth0 rx-flow-hash udp4 sdfn") == ""
    assert sh(guest, "ethtool -n eth0 rx-flow-hash udp4").splitlines()[3:5] == [
        "L4 bytes 0 & 1 [TCP/UDP src port]", "L4 bytes 2 & 3 [TCP/UDP dst port]"]
    assert sh(guest, "ethtool -N eth0 rx-flow-hash tcp4 sd").strip() == \
        "Cannot change RX network flow hashing options: Invalid argument"
    assert sh(guest, "ethtool -N eth0 rx-flow-hash udp4 sd") == ""


def test_ethtool_coalesce_and_gro(guest):
    assert sh(guest, "ethtool -C eth0 rx-usecs 100") == ""
    c = sh(guest, "ethtool -c eth0")
    assert re.search(r"^Adaptive RX: (on|off)  TX: n/a$", c, re.M), c
    assert re.search(r"^rx-usecs: 100$", c, re.M), c
    feats = {}
    for line in sh(guest, "ethtool -k eth0").splitlines()[1:]:
        m = re.fullmatch(r"\t?([a-z0-9_-]+): (on|off)( \[fixed\])?", line)
        assert m, line
        feats[m.group(1)] = (m.group(2), bool(m.group(3)))
    # GRO (net/core/gro.c): on as Linux has it, and switchable
    assert feats["generic-receive-offload"] == ("on", False)
    assert sh(guest, "ethtool -K eth0 gro off") == ""
    assert "\ngeneric-receive-offload: off\n" in sh(guest, "ethtool -k eth0")
    assert sh(guest, "ethtool -K eth0 gro on") == ""
    assert guest.shell("echo $?") == "0\n"
    assert "\ngeneric-receive-offload: on\n" in sh(guest, "ethtool -k eth0")


def test_softnet_stat(guest):
    lines = sh(guest, "cat /proc/net/softnet_stat").splitlines()
    assert len(lines) == DEFAULT_SMP                # one row per CPU
    cols = lines[0].split()
    assert len(cols) == 13 and all(re.fullmatch(r"[0-9a-f]{8}", c) for c in cols), lines
    v = [int(c, 16) for c in cols]
    # processed: the replies at least, on whichever CPUs (igb's queues)
    assert sum(int(l.split()[0], 16) for l in lines) >= 3
    assert v[3:8] == [0] * 5 and v[12] == 0         # Linux's zero columns; CPU index 0


def test_snmp_and_netstat(guest):
    s0 = parse_snmp(sh(guest, "cat /proc/net/snmp"))
    assert list(s0) == ["Ip", "Icmp", "IcmpMsg", "Tcp", "Udp", "UdpLite"] or \
        list(s0) == ["Ip", "Icmp", "Tcp", "Udp", "UdpLite"]
    out = sh(guest, "ping -c 2 -i 0.2 " + GATEWAY)
    assert parse_ping(out)["stats"].groups()[:2] == ("2", "2"), out
    s1 = parse_snmp(sh(guest, "cat /proc/net/snmp"))
    assert s1["Icmp"]["OutEchos"] - s0["Icmp"]["OutEchos"] == 2
    assert s1["Icmp"]["InEchoReps"] - s0["Icmp"]["InEchoReps"] == 2
    assert s1["Ip"]["InReceives"] >= s0["Ip"]["InReceives"] + 2
    ipext = sh(guest, "cat /proc/net/netstat | grep IpExt")
    n = parse_snmp(ipext)
    assert list(n) == ["IpExt"] and "InNoRoutes" in n["IpExt"]
    assert set(parse_snmp(sh(guest, "cat /proc/net/netstat"))) == {"TcpExt", "IpExt"}


def host_netstat_s(snmp, netstat):
    """What the host's net-tools netstat -s prints for these two files: run
    in a mount namespace of its own (unshare -m, private) whose /proc is a
    tmpfs holding just them; nothing outside that namespace changes."""
    with tempfile.TemporaryDirectory() as d:
        for name, text in (("snmp", snmp), ("netstat", netstat)):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        script = ("mount -t tmpfs none /proc && mkdir /proc/net && cp %s/snmp %s/netstat "
                  "/proc/net/ && exec netstat -s" % (d, d))
        r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True,
                           text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_netstat_s(guest):
    """netstat -s prints what the host's net-tools 2.10 prints for the
    same /proc/net/snmp and /proc/net/netstat (pings first: the ICMP
    histograms have entries)."""
    out = sh(guest, "ping -c 2 -i 0.2 " + GATEWAY)
    assert parse_ping(out)["stats"].groups()[:2] == ("2", "2"), out
    for _ in range(3):      # a frame between the commands changes a counter: again
        ours = sh(guest, "netstat -s")
        snmp, netstat = sh(guest, "cat /proc/net/snmp"), sh(guest, "cat /proc/net/netstat")
        if sh(guest, "netstat -s") == ours:
            break
    assert ours == host_netstat_s(snmp, netstat)
    assert re.search(r"^Udp:\n +\d+ packets received\n", ours, re.M), ours
    assert "    ICMP output histogram:\n        echo requests: " in ours, ours


def test_socket_tables(guest):
    head, udp = parse_sockets(sh(guest, "cat /proc/net/udp"), 127)
    assert head.split()[:4] == ["sl", "local_address", "rem_address", "st"]
    assert {s["local"][1] for s in udp} >= {7, 9}
    head, tcp = parse_sockets(sh(guest, "cat /proc/net/tcp"), 149)
    listen = {s["local"][1] for s in tcp if s["state"] == "LISTEN"}
    assert listen >= {7, 9, 80, 5001}


def test_sysctls(guest):
    want = {"net.core.netdev_budget": 300, "net.core.netdev_budget_usecs": 2000,
            "net.core.netdev_max_backlog": 1000, "net.core.dev_weight": 64,
            "net.core.rmem_max": 212992, "net.core.rmem_default": 212992}
    all_ = dict(l.split(" = ") for l in sh(guest, "sysctl -a").splitlines())
    for name, default in want.items():
        assert int(all_[name]) == default, name
        path = "/proc/sys/" + name.replace(".", "/")
        assert sh(guest, "cat " + path) == "%d\n" % default
        assert sh(guest, "sudo sysctl -w %s=%d" % (name, default * 2)) == \
            "%s = %d\n" % (name, default * 2)
        assert sh(guest, "cat " + path) == "%d\n" % (default * 2)
        assert sh(guest, "sysctl -w %s=-5" % name).startswith(
            'sysctl: setting key "%s": Invalid argument' % name)
        assert sh(guest, "sysctl -w %s=%d" % (name, default)) == "%s = %d\n" % (name, default)
    # traffic still flows with the defaults back
    out = sh(guest, "ping -c 1 " + GATEWAY)
    assert parse_ping(out)["stats"].groups()[:2] == ("1", "1"), out


def test_sysctl_tcp_rmem_read_only(guest):
    line = sh(guest, "sysctl net.ipv4.tcp_rmem")
    m = re.fullmatch(r"net\.ipv4\.tcp_rmem = (\d+)\t(\d+)\t(\d+)\n", line)
    assert m, line
    lo, default, hi = (int(x) for x in m.groups())
    assert lo <= default <= hi and default > 0
    assert sh(guest, "cat /proc/sys/net/ipv4/tcp_rmem") == "%d\t%d\t%d\n" % (lo, default, hi)
    assert sh(guest, "sysctl -w net.ipv4.tcp_sack=1") == \
        "sysctl: permission denied on key 'net.ipv4.tcp_sack'\n"
    assert sh(guest, "cat /proc/sys/net/ipv4/ip_default_ttl") == \
        "%d\n" % parse_snmp(sh(guest, "cat /proc/net/snmp"))["Ip"]["DefaultTTL"]


def test_ip_s_link(guest):
    dev = parse_proc_net_dev(sh(guest, "cat /proc/net/dev"))
    links = parse_ip_s_link(sh(guest, "ip -s link"))
    assert list(links) == ["lo", "eth0"]
    e = links["eth0"]
    # taken a moment after /proc/net/dev: never less, and the same columns
    assert e["RX"]["bytes"] >= dev["eth0"][0] and e["RX"]["packets"] >= dev["eth0"][1]
    assert e["TX"]["packets"] >= dev["eth0"][9] >= 3
    assert e["RX"]["missed"] == int(sh(guest, "cat /sys/class/net/eth0/statistics/"
                                       "rx_missed_errors"))
    assert sh(guest, "ip -s -s link").startswith("ip: -s -s")


def test_ps_ksoftirqd(guest):
    """ps aux | grep ksoftirqd: one kernel thread per CPU, procps' columns"""
    out = sh(guest, "ps aux | grep ksoftirqd")
    lines = out.splitlines()
    assert len(lines) == DEFAULT_SMP, out
    for cpu, line in enumerate(lines):
        f = line.split()
        # USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND
        assert len(f) == 11 and f[0] == "root" and f[6] == "?" and f[7] in ("S", "R"), line
        assert f[10] == "[ksoftirqd/%d]" % cpu, line
        assert re.fullmatch(r"\d+:\d\d", f[9]) and re.fullmatch(r"\d+\.\d", f[2]), line


def irq_totals(guest):
    """{IRQ: count on every CPU} of /proc/interrupts' numbered rows"""
    rows = parse_cpu_table(sh(guest, "cat /proc/interrupts"))[1]
    return {i: sum(r[0]) for i, r in rows.items() if i.isdigit()}


def test_irqbalance(guest):
    """irqbalance --oneshot, last in the module (it moves vectors; they
    are put back after): every device vector pinned to CPU 0, one run to
    start the count, pings to make the NIC's interrupts, then a run with
    --debug.  It weighs exactly the numbered rows of /proc/interrupts,
    each by its count since the last run, and moves exactly what the
    greedy rule predicts (netparse.check_irqbalance), each through
    smp_affinity.  The NIC's vector and the serial line (the typing) both
    took interrupts on CPU 0, neither over seven times the other, so one
    of them moves.  With one CPU there is nothing to balance."""
    ncpu = list(range(DEFAULT_SMP))
    saved = {i: sh(guest, "cat /proc/irq/%s/smp_affinity" % i).strip() for i in irq_totals(guest)}
    for i in saved:
        assert sh(guest, "echo 1 > /proc/irq/%s/smp_affinity" % i) == "", i
    c0 = irq_totals(guest)
    check_irqbalance(sh(guest, "irqbalance -od").rstrip("\n"), ncpu)
    c1 = irq_totals(guest)
    out = sh(guest, "ping -c 30 -i 0.05 " + GATEWAY)
    assert parse_ping(out)["stats"].groups()[:2] == ("30", "30"), out
    c2 = irq_totals(guest)
    out = sh(guest, "irqbalance --oneshot --debug").rstrip("\n")
    c3 = irq_totals(guest)
    p, moves = check_irqbalance(out, ncpu)
    loads = {str(v["irq"]): v["load"] for v in p["vectors"]}
    assert set(loads) == set(saved) == set(c3), (saved, out)
    # the counts since the first run, read around both runs
    for i in loads:
        assert c2[i] - c1[i] <= loads[i] <= c3[i] - c0[i], (i, c0[i], c1[i], c2[i], c3[i], out)
    assert all(v["cpu"] == 0 for v in p["vectors"]), out
    if DEFAULT_SMP == 1:
        assert out.endswith("interrupts can go to one CPU only (CPU 0): nothing to balance")
    else:
        assert moves, out
    for i in saved:
        want = "%x" % (1 << moves.get(int(i), 0))
        assert sh(guest, "cat /proc/irq/%s/smp_affinity" % i).strip() == want, (i, out)
    for i, mask in saved.items():
        assert sh(guest, "echo %s > /proc/irq/%s/smp_affinity" % (mask, i)) == "", i
