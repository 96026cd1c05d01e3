"""RSS on igb (issue 14): frames land on exactly the queue the Toeplitz hash
and the indirection table predict.

One guest with four RSS queues (e1000.queues=4 on one CPU: the queue count
does not depend on CPUs, as Linux's ethtool -L) on tap0 of a test
namespace.  The key is fixed with `ethtool -X eth0 hkey` (Microsoft's RSS
verification key), the table set with `ethtool -X eth0 weight 1 2 3 4`,
and both read back with `ethtool -x` in Linux's layout.  This file computes
the Toeplitz hash itself (independently of lib/toeplitz.c) and predicts
each flow's queue as QEMU's igb picks it: low nibble of table entry
(hash & 127) (hw/net/igb_core.c igb_rss_parse_packet).

  UDP, 4-tuple (ethtool -N udp4 sdfn): N flows of known source ports, each
  a few datagrams; every queue's rx_queue_N_packets grows by exactly the
  datagrams of the flows predicted for it; rx_rss_mismatch stays 0.
  UDP, 2-tuple (-N udp4 sd): every flow lands on the address pair's queue.
  TCP (always 4-tuple): each connection, one at a time, moves only the
  predicted queue's counter.
  Channels: -l shows 4 of 8 combined and the other vector; -L 2 live
  (vectors in /proc/interrupts follow), back to 4; bad input (-L 0, -L 9,
  -X equal 5, -N tcp4 sd, -L below a table the user set) gets Linux's
  error and changes nothing.

Background: the host side sends no router solicitations and knows the
guest's MAC, and IPv6 is off on tap0, so nothing but the test's frames
reaches the guest between snapshots (a stray would land on queue 0 and
fail the exact count, which says so)."""
import os
import re
import socket
import threading
import time

import pytest

from harness import EXIT_OK, LOGDIR, report
import netns
from netobs import quiet_shell as shell
from netparse import parse_ethtool_stats

MAC = "52:54:00:12:34:56"
GUEST = netns.GUEST4
QUEUES = 4
ECHO_PORT = 7
MS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
                       "6a42b73bbeac01fa")
APPEND = "ip=%s/%d,%s e1000.queues=%d" % (GUEST, netns.PREFIXLEN4, netns.HOST4, QUEUES)


def toeplitz(key, data):
    """The RSS hash: for each set input bit i (MSB first), XOR in the 32
    key bits starting at bit i."""
    k, kbits, h = int.from_bytes(key, "big"), len(key) * 8, 0
    for i in range(len(data) * 8):
        if data[i // 8] & (0x80 >> (i % 8)):
            h ^= (k >> (kbits - 32 - i)) & 0xFFFFFFFF
    return h


def flow_hash(key, src, dst, sport=None, dport=None):
    data = socket.inet_aton(src) + socket.inet_aton(dst)
    if sport is not None:
        data += sport.to_bytes(2, "big") + dport.to_bytes(2, "big")
    return toeplitz(key, data)


def test_toeplitz_reference():
    """This file's Toeplitz against a published vector (so the predictions
    below rest on a checked hash): Microsoft's first IPv4 example."""
    assert flow_hash(MS_KEY, "66.9.149.187", "161.142.100.80") == 0x323E8FC2
    assert flow_hash(MS_KEY, "66.9.149.187", "161.142.100.80", 2794, 1766) == 0x51CCC178


def parse_rxfh(text):
    """ethtool -x: (ring count, [128 entries], key bytes)."""
    m = re.search(r"indirection table for eth0 with (\d+) RX ring\(s\):\n", text)
    assert m, text
    table = []
    for line in text[m.end():].splitlines():
        row = re.fullmatch(r"\s*(\d+):\s+((?:\s*\d+)+)", line)
        if not row:
            break
        assert int(row.group(1)) == len(table), line
        table += [int(x) for x in row.group(2).split()]
    km = re.search(r"RSS hash key:\n([0-9a-f:]+)\n", text)
    assert km and "toeplitz: on" in text, text
    return int(m.group(1)), table, bytes(int(x, 16) for x in km.group(1).split(":"))


def queue_counts(g, nq=QUEUES):
    st = parse_ethtool_stats(shell(g, "ethtool -S eth0"))
    return [st["rx_queue_%d_packets" % q] for q in range(nq)], st


def deltas(a, b):
    return [y - x for x, y in zip(a, b)]


def udp_flows(net, sports, n_each):
    for sport in sports:
        with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((netns.HOST4, sport))
            s.settimeout(10)
            for i in range(n_each):
                msg = b"rss %d %d" % (sport, i)
                s.sendto(msg, (GUEST, ECHO_PORT))
                assert s.recvfrom(256)[0] == msg


def settle():
    time.sleep(0.5)


def quiet_guest(net, name, nic, nq, append, **kw):
    """A guest on a tap that sends it nothing but the test's frames, with
    its echo answering (lwIP routes UDP once its timer saw the carrier;
    its ARP for the host happens here, before any snapshot); kw to
    harness.Guest."""
    net.run(["sysctl", "-q", "-w", "net.ipv6.conf.%s.disable_ipv6=1" % netns.TAP], check=True)
    net.run(["ip", "neigh", "replace", GUEST, "lladdr", MAC, "nud", "permanent",
             "dev", netns.TAP], check=True)
    g = net.guest(name, nic=nic, append=append, **kw)
    if nq > 1:
        g.wait_for(r"eth0: %d RSS queues" % nq, timeout=60)
    g.wait_for(r"barenet: ready in", timeout=60)
    g.wait_prompt(timeout=30)
    g.wait_for(r"eth0: link up", timeout=30)
    with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(0.5)
        for _ in range(60):
            u.sendto(b"probe", (GUEST, ECHO_PORT))
            try:
                if u.recvfrom(64)[0] == b"probe":
                    break
            except socket.timeout:
                pass
        else:
            raise AssertionError("no UDP echo from the guest")
    return g


def tcp_echo_from(net, sport, msg):
    with net.socket() as s:
        s.settimeout(10)
        s.bind((netns.HOST4, sport))
        s.connect((GUEST, ECHO_PORT))
        s.sendall(msg)
        assert s.recv(64) == msg
        s.shutdown(socket.SHUT_WR)
        assert s.recv(16) == b""


def test_rss_queue_prediction(testnet, kernel):
    net = testnet
    g = quiet_guest(net, "rss", "igb", QUEUES, APPEND)

    # /proc/interrupts: the other vector and one per queue, Linux's names
    irqs = shell(g, "cat /proc/interrupts")
    names = re.findall(r"edge\s+(eth0\S*)$", irqs, re.M)
    assert names == ["eth0"] + ["eth0-TxRx-%d" % q for q in range(QUEUES)], irqs
    chans = shell(g, "ethtool -l eth0")
    assert chans.split("\n") == [
        "Channel parameters for eth0:", "Pre-set maximums:", "RX:\t\tn/a", "TX:\t\tn/a",
        "Other:\t\t1", "Combined:\t8", "Current hardware settings:", "RX:\t\tn/a",
        "TX:\t\tn/a", "Other:\t\t1", "Combined:\t%d" % QUEUES], chans

    # the default: a random key (not Microsoft's), Linux's contiguous table
    rings, table, key = parse_rxfh(shell(g, "ethtool -x eth0"))
    assert rings == QUEUES and key != MS_KEY and len(key) == 40
    assert table == [j * QUEUES // 128 for j in range(128)], table

    hkey = ":".join("%02x" % b for b in MS_KEY)
    assert shell(g, "ethtool -X eth0 weight 1 2 3 4 hkey %s" % hkey) == ""
    assert shell(g, "ethtool -N eth0 rx-flow-hash udp4 sdfn") == ""
    rings, table, key = parse_rxfh(shell(g, "ethtool -x eth0"))
    assert key == MS_KEY and rings == QUEUES
    assert [table.count(q) for q in range(QUEUES)] == [12, 26, 38, 52], table
    assert "L4 bytes 2 & 3" in shell(g, "ethtool -n eth0 rx-flow-hash udp4")

    def predict(sport, dport, ports=True):
        h = flow_hash(key, netns.HOST4, GUEST, sport if ports else None, dport)
        return table[h & 127] & 0xF

    # UDP 4-tuple: per-queue counts exactly as predicted
    sports = [40000 + 37 * i for i in range(24)]
    n_each = 3
    want = [0] * QUEUES
    for sp in sports:
        want[predict(sp, ECHO_PORT)] += n_each
    assert sum(1 for w in want if w) >= 3, want      # the flows do spread
    settle()
    before, st0 = queue_counts(g)
    udp_flows(net, sports, n_each)
    settle()
    after, st1 = queue_counts(g)
    assert deltas(before, after) == want, (deltas(before, after), want)
    assert st1["rx_rss_mismatch"] == 0

    # UDP 2-tuple: every source port on the address pair's queue
    assert shell(g, "ethtool -N eth0 rx-flow-hash udp4 sd") == ""
    assert "L4 bytes" not in shell(g, "ethtool -n eth0 rx-flow-hash udp4")
    q2 = predict(None, None, ports=False)
    before, _ = queue_counts(g)
    udp_flows(net, sports[:8], 2)
    settle()
    after, _ = queue_counts(g)
    assert deltas(before, after) == [16 if q == q2 else 0 for q in range(QUEUES)]

    # TCP: always the 4-tuple; each connection on its own predicted queue
    seen = set()
    for i in range(6):
        sport = 45000 + 101 * i
        q = predict(sport, ECHO_PORT)
        seen.add(q)
        before, _ = queue_counts(g)
        tcp_echo_from(net, sport, b"tcp rss %d" % i)
        settle()
        after, _ = queue_counts(g)
        d = deltas(before, after)
        assert d[q] >= 4 and sum(d) == d[q], (i, sport, q, d)
    assert len(seen) >= 2, seen
    _, st = queue_counts(g)
    assert st["rx_rss_mismatch"] == 0

    # bad input: Linux's errors, nothing changed
    bad = {
        "ethtool -L eth0 combined 0":
            "netlink error: requested channel counts would result in no RX or TX channel "
            "being configured\nnetlink error: Invalid argument",
        "ethtool -L eth0 combined 9":
            "netlink error: requested channel count exceeds maximum\n"
            "netlink error: Invalid argument",
        "ethtool -L eth0 combined 2":
            "netlink error: requested channel counts are too low for existing indirection "
            "table settings\nnetlink error: Invalid argument",
        "ethtool -X eth0 equal 5": "Cannot set RX flow hash configuration: Invalid argument",
        "ethtool -N eth0 rx-flow-hash tcp4 sd":
            "Cannot change RX network flow hashing options: Invalid argument",
    }
    for cmd, err in bad.items():
        assert shell(g, cmd) == err, cmd
    assert shell(g, "ethtool -l eth0") == chans
    assert parse_rxfh(shell(g, "ethtool -x eth0")) == (QUEUES, table, MS_KEY)

    # live: 2 queues (the default table again), then 4
    assert shell(g, "ethtool -X eth0 default") == ""
    assert shell(g, "ethtool -L eth0 combined 2") == ""
    names = re.findall(r"edge\s+(eth0\S*)$", shell(g, "cat /proc/interrupts"), re.M)
    assert names == ["eth0", "eth0-TxRx-0", "eth0-TxRx-1"], names
    rings, table, key = parse_rxfh(shell(g, "ethtool -x eth0"))
    assert rings == 2 and table == [j * 2 // 128 for j in range(128)] and key == MS_KEY
    udp_flows(net, sports[:4], 1)
    assert shell(g, "ethtool -L eth0 combined 4") == ""
    assert "Combined:\t4" in shell(g, "ethtool -l eth0").split("Current")[1]
    udp_flows(net, sports[:4], 1)
    _, st = queue_counts(g)
    assert st["rx_rss_mismatch"] == 0

    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK, g.output[-3000:]
    report("rss igb: %d UDP 4-tuple flows over %d queues as predicted %s, 2-tuple, "
           "6 TCP flows, ethtool -L 4->2->4 live" % (len(sports), QUEUES, want))


E1000E_QUEUES = 2


def test_rss_queue_prediction_e1000e(testnet, kernel):
    """e1000e (82574L): two RSS queues, each with its own ring, NAPI and
    vector, once the driver receives into extended descriptors (QEMU
    hashes only with RFCTL.EXTEN: e1000e_rss_enabled).  QEMU's model
    hashes TCP by the 4-tuple and everything else IPv4 by the addresses
    (e1000e_rss_get_hash_type has no UDP type), and picks the queue from
    bit 7 of the table byte (E1000_RSS_QUEUE): TCP connections from chosen
    source ports land exactly on the predicted queue, every UDP flow on the
    address pair's queue, ethtool -N udp4 sdfn is refused."""
    net = testnet
    nq = E1000E_QUEUES
    g = quiet_guest(net, "rss-e1000e", "e1000e", nq,
                    "ip=%s/%d,%s e1000.queues=%d" % (GUEST, netns.PREFIXLEN4, netns.HOST4, nq))
    irqs = shell(g, "cat /proc/interrupts")
    names = re.findall(r"edge\s+(eth0\S*)$", irqs, re.M)
    assert names == ["eth0", "eth0-TxRx-0", "eth0-TxRx-1"], irqs
    chans = shell(g, "ethtool -l eth0")
    assert chans.split("\n") == [
        "Channel parameters for eth0:", "Pre-set maximums:", "RX:\t\tn/a", "TX:\t\tn/a",
        "Other:\t\t1", "Combined:\t2", "Current hardware settings:", "RX:\t\tn/a",
        "TX:\t\tn/a", "Other:\t\t1", "Combined:\t2"], chans
    rings, table, key = parse_rxfh(shell(g, "ethtool -x eth0"))
    assert rings == nq and key != MS_KEY and table == [j * nq // 128 for j in range(128)]

    hkey = ":".join("%02x" % b for b in MS_KEY)
    assert shell(g, "ethtool -X eth0 weight 1 3 hkey %s" % hkey) == ""
    rings, table, key = parse_rxfh(shell(g, "ethtool -x eth0"))
    assert key == MS_KEY and [table.count(q) for q in range(nq)] == [32, 96], table
    assert "L4 bytes" not in shell(g, "ethtool -n eth0 rx-flow-hash udp4")
    assert shell(g, "ethtool -N eth0 rx-flow-hash udp4 sdfn") == \
        "Cannot change RX network flow hashing options: Invalid argument"
    assert "L4 bytes 2 & 3" in shell(g, "ethtool -n eth0 rx-flow-hash tcp4")

    def predict(sport=None, dport=None):
        return table[flow_hash(key, netns.HOST4, GUEST, sport, dport) & 127]

    # TCP, 4-tuple: three connections predicted on each queue
    ports = {q: [] for q in range(nq)}
    for sport in range(46000, 47000, 7):
        q = predict(sport, ECHO_PORT)
        if len(ports[q]) < 3:
            ports[q].append(sport)
    for q in range(nq):
        for i, sport in enumerate(ports[q]):
            before, _ = queue_counts(g, nq)
            tcp_echo_from(net, sport, b"e1000e rss %d" % i)
            settle()
            after, _ = queue_counts(g, nq)
            d = deltas(before, after)
            assert d[q] >= 4 and sum(d) == d[q], (q, sport, d)

    # UDP: the addresses alone, whatever the ports
    q2 = predict()
    sports = [41000 + 37 * i for i in range(8)]
    before, _ = queue_counts(g, nq)
    udp_flows(net, sports, 2)
    settle()
    after, st = queue_counts(g, nq)
    assert deltas(before, after) == [16 if q == q2 else 0 for q in range(nq)]
    assert st["rx_rss_mismatch"] == 0

    # bad input, then a table that moves the address pair's entry to the
    # other queue (its hash under MS_KEY falls in entry 0, queue 0 under
    # weight 1 3 and under 3 1 alike): the flows follow it
    assert shell(g, "ethtool -L eth0 combined 3") == (
        "netlink error: requested channel count exceeds maximum\n"
        "netlink error: Invalid argument")
    assert shell(g, "ethtool -X eth0 equal 3") == \
        "Cannot set RX flow hash configuration: Invalid argument"
    assert shell(g, "ethtool -X eth0 weight %s" % " ".join(
        "1" if q != q2 else "0" for q in range(nq))) == ""
    _, table, _ = parse_rxfh(shell(g, "ethtool -x eth0"))
    q3 = predict()
    assert q3 != q2, (q2, q3, table)
    before, _ = queue_counts(g, nq)
    udp_flows(net, sports[:4], 2)
    settle()
    after, _ = queue_counts(g, nq)
    assert deltas(before, after) == [8 if q == q3 else 0 for q in range(nq)]

    # live: one queue (its vector goes), then two
    assert shell(g, "ethtool -X eth0 default") == ""
    assert shell(g, "ethtool -L eth0 combined 1") == ""
    names = re.findall(r"edge\s+(eth0\S*)$", shell(g, "cat /proc/interrupts"), re.M)
    assert names == ["eth0", "eth0-TxRx-0"], names
    udp_flows(net, sports[:4], 1)
    assert shell(g, "ethtool -L eth0 combined 2") == ""
    _, table, _ = parse_rxfh(shell(g, "ethtool -x eth0"))
    assert table == [j * nq // 128 for j in range(128)]
    for sport in range(48000, 48008):
        q = predict(sport, ECHO_PORT)
        before, _ = queue_counts(g, nq)
        tcp_echo_from(net, sport, b"again")
        settle()
        d = deltas(before, queue_counts(g, nq)[0])
        assert d[q] >= 4 and sum(d) == d[q], (q, sport, d)
    _, st = queue_counts(g, nq)
    assert st["rx_rss_mismatch"] == 0
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK, g.output[-3000:]
    report("rss e1000e: %d TCP flows on their predicted queues of 2, UDP on the address "
           "pair's, table flipped, ethtool -L 2->1->2 live" % sum(len(v) for v in ports.values()))


def test_one_queue_without_msix_e1000e(testnet, kernel):
    """e1000e in MSI mode: one queue, said in the log and by ethtool -l."""
    g = testnet.guest("rss-msi", nic="e1000e", append="irqmode=msi e1000.queues=2")
    g.wait_for(r"2 queues need MSI-X with 3 vectors; one queue", timeout=60)
    g.wait_prompt(timeout=60)
    out = shell(g, "ethtool -l eth0").split("\n")
    assert out[5] == "Combined:\t1" and out[-2] == "Combined:\t1", out
    assert out[-1] == "Note:\t\tone queue: MSI (RSS needs an MSI-X vector per queue)", out
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["intx", "msi"])
def test_one_queue_without_msix_igb(testnet, kernel, mode):
    """igb in INTx or MSI mode: one queue, said in the log and by ethtool
    -l's note, and no per-queue vectors (test_one_queue_without_msix_e1000e
    for e1000e's MSI, in make test)."""
    g = testnet.guest("rss-" + mode, nic="igb", append="irqmode=%s e1000.queues=4" % mode)
    g.wait_for(r"82576: 4 queues need MSI-X with 5 vectors; one queue", timeout=60)
    g.wait_prompt(timeout=60)
    out = shell(g, "ethtool -l eth0").split("\n")
    assert out[5] == "Combined:\t1" and out[-2] == "Combined:\t1", out
    assert out[-1] == "Note:\t\tone queue: %s (RSS needs an MSI-X vector per queue)" % (
        mode.upper() if mode == "msi" else "INTx"), out
    assert "eth0-TxRx" not in shell(g, "cat /proc/interrupts")
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK


def test_set_channels_under_tcp_echo(testnet, kernel):
    """ethtool -L while a TCP echo runs: the rings, NAPI instances and
    vectors are rebuilt four times and every byte comes back, in order."""
    import hashlib
    import threading
    net = testnet
    g = net.guest("rss-live", nic="igb", append=APPEND, smp=2)
    g.wait_for(r"eth0: %d RSS queues" % QUEUES, timeout=60)
    g.wait_prompt(timeout=30)
    g.wait_for(r"eth0: link up", timeout=30)
    total = 1 << 20
    data = bytes((i * 7 + (i >> 9)) & 0xFF for i in range(total))
    got = bytearray()
    errors = []
    s = None
    for _ in range(60):          # lwIP takes connections once its timer saw the carrier
        try:
            s = net.socket()
            s.settimeout(90)    # a loaded host stalls TCG guests for seconds
            s.connect((GUEST, ECHO_PORT))
            break
        except OSError:
            s.close()
            time.sleep(0.5)
    assert s is not None

    def sender():
        try:
            for off in range(0, total, 4096):
                s.sendall(data[off:off + 4096])
                time.sleep(0.002)
        except OSError as e:
            errors.append(e)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    steps = ["2", "1", "3", "4"]
    while len(got) < total:
        if steps and len(got) > total * (5 - len(steps)) // 6:
            out = shell(g, "ethtool -L eth0 combined %s" % steps.pop(0))
            assert out == "", out
        chunk = s.recv(65536)
        assert chunk, "echo closed early at %d bytes" % len(got)
        got += chunk
    t.join(30)
    s.close()
    assert not errors, errors
    assert not steps, "the transfer ended before every ethtool -L ran"
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    assert "Combined:\t4" in shell(g, "ethtool -l eth0").split("Current")[1]
    _, st = queue_counts(g)
    assert st["rx_rss_mismatch"] == 0
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK
    report("rss igb: 1 MiB TCP echo through ethtool -L 4->2->1->3->4: every byte back")


def qemu_trace_text(path):
    """the text of QEMU's trace file path ("" before QEMU wrote it)"""
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


# test_resize_keeps_held_frame_on_queue_1: ring resizes 256 <-> 64
HELD_ROUNDS = 8


@pytest.mark.slow
def test_resize_keeps_held_frame_on_queue_1(testnet, kernel):
    """RSS queue 1 and the frame QEMU holds while the receiver is off: igb
    with 2 queues, the table all on queue 1 (ethtool -X weight 0 1), a UDP
    echo stream of one datagram in flight, and ring resizes 256 -> 64 -> 256
    with each stop waiting 20 ms with RCTL.EN off (fault rx_stop_gap).  A
    datagram arriving then is held by QEMU, which hands it over at the
    next RDT write of any queue (igb_set_rdt -> igb_start_recv) and drops
    it uncounted if the receiver is still off (igb_receive_internal).
    Every datagram must come back: queue 1's tail moves into the smallest
    ring before RCTL.EN goes off (e1000_mq_rx_stop), and no RDT is written
    while it is off (e1000_rx_ring_place).  Before the fix, a shrink with
    queue 1's tail past 64 wrote RDT(1) with the receiver off
    (e1000_mq_ring_configure) and the held datagram was lost.  QEMU's
    trace of a receiver asked while off (e1000x_rx_can_recv_disabled) shows
    the gaps held frames."""
    net = testnet
    append = "ip=%s/%d,%s e1000.queues=2 fault=rx_stop_gap:100%%" % (
        GUEST, netns.PREFIXLEN4, netns.HOST4)
    # QEMU's trace in a file of its own: on the console a line can cut into
    # the shell's echo (the staged RSS opens write RCTL.EN off and on)
    trace = os.path.join(LOGDIR, "rss-held.%d.trace" % os.getpid())
    g = quiet_guest(net, "rss-held", "igb", 2, append,
                    extra=["-trace", "e1000x_rx_can_recv_disabled", "-D", trace])

    def sh(cmd):
        """shell output without QEMU's trace lines (its stderr shares the log)"""
        return "\n".join(line for line in shell(g, cmd).splitlines()
                         if not line.startswith("e1000x_"))

    def counts():
        st = parse_ethtool_stats(sh("ethtool -S eth0"))
        return [st["rx_queue_%d_packets" % q] for q in range(2)], st
    assert sh("ethtool -X eth0 weight 0 1") == ""
    mark = len(qemu_trace_text(trace))
    stop = threading.Event()
    res = {"sent": 0, "lost": [], "bad": 0}

    def stream():
        with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((netns.HOST4, 46000))
            s.settimeout(3)
            while not stop.is_set():
                msg = b"held %d" % res["sent"]
                s.sendto(msg, (GUEST, ECHO_PORT))
                res["sent"] += 1
                try:
                    while s.recvfrom(256)[0] != msg:
                        res["bad"] += 1
                except socket.timeout:
                    res["lost"].append(res["sent"] - 1)

    before, st0 = counts()
    t = threading.Thread(target=stream, daemon=True)
    t.start()
    try:
        for _ in range(HELD_ROUNDS):
            for size in (64, 256):      # from the default 256
                time.sleep(0.3)
                assert sh("ethtool -G eth0 rx %d" % size) == ""
        time.sleep(0.3)
    finally:
        stop.set()
        t.join(10)
    after, st = counts()
    held = len(re.findall(r"e1000x_rx_can_recv_disabled", qemu_trace_text(trace)[mark:]))
    assert not res["lost"], "datagrams never answered: %s of %d (log %s)" % (
        res["lost"], res["sent"], g.logpath)
    assert res["bad"] == 0, res
    d = deltas(before, after)
    # after each resize the igb takes what comes on queue 0 alone, RSS off,
    # until its polls show the backlog absorbed (e1000_mq.c, staged), and
    # the held datagram with it; the rest on queue 1
    assert sum(d) >= res["sent"] and d[1] > 0, (d, res["sent"])
    assert st["rx_rss_staged_opens"] - st0["rx_rss_staged_opens"] >= HELD_ROUNDS, st
    assert st["fault_rx_stop_gap"] >= 2 * HELD_ROUNDS, st
    assert held >= HELD_ROUNDS, "only %d frames held in %d stops: the gap did nothing" % (
        held, 2 * HELD_ROUNDS)
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK, g.output[-3000:]
    os.unlink(trace)
    report("rss igb queue 1: %d ring resizes with the receiver off 20 ms each, %d frames held "
           "by QEMU, %d datagrams all answered" % (2 * HELD_ROUNDS, held, res["sent"]))
