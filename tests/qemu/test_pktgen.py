"""pktgen (the in-kernel packet generator) and netinject (frames fed to
netif_receive_skb on the inj0 pseudo device).

pktgen, per NIC model (e1000, e1000e, igb): the guest runs in a namespace of
the test's own on tap0 (netns.TestNet, as test_journey.py) and sends N
UDP frames to the host side, 10.0.2.2; an AF_PACKET socket on tap0 inside
the namespace counts what arrives.  The peer must see exactly the frames
pktgen says it sent, each sequence number (Linux's pktgen header in the
payload) once, and eth0's tx_packets must move by N (plus at most a few
frames of the guest's own).  On e1000 also: a rate is roughly honoured
(never faster than asked, a loose floor), `stop` ends a run mid-way, the
shell and the HTTP server answer during a run.

netinject runs in a guest with no NIC at all, so every counter of the
stack moves only by what the test injects: per kind, /proc/net/snmp and
/proc/net/softnet_stat deltas equal the count, replies are counted at inj0,
and lwIP's pools, the heap, sk_buffs and kmalloc are back where they were.
Bad arguments are refused with the configuration unchanged, and the
command-line forms run at boot: netinject= in its own kernel thread
[netinject], listed by ps while it runs, with the console answering
meanwhile and `netinject stop` ending it."""
import re
import socket
import struct
import threading
import time

import pytest

import netns
from harness import Guest, report
from netobs import parse_metrics, recv_line
from netparse import parse_ethtool_stats, parse_ps, parse_snmp, softnet_totals
from test_journey import APPEND, GUEST, NICS, QUICK, Journey, driver_missing

N = 1000 if QUICK else 3000
PORT = 5555                  # pktgen's UDP destination: nothing listens there
PKTGEN_MAGIC = 0xbe9be955
ETH_P_ALL = 0x0003
SO_RCVBUFFORCE = 33
SOL_PACKET = 263
PACKET_STATISTICS = 6
SETTLE = 1.5                 # frames still in QEMU's or the tap's queues
RUN_TIMEOUT = 120

RESULT_RE = re.compile(r"Result: OK: (\d+)\(c(\d+)\+d(\d+)\) usec, (\d+) \((\d+)byte,0frags\)\n"
                       r"\s+(\d+)pps (\d+)Mb/sec \((\d+)bps\) errors: (\d+)")


class Peer:
    """Counts pktgen's frames arriving on tap0: IPv4/UDP from the guest to
    PORT with the pktgen magic; keeps (sequence, length, source port)."""

    def __init__(self, net):
        self.s = net.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
        self.s.bind((netns.TAP, ETH_P_ALL))
        self.s.settimeout(0.2)
        self.frames = []
        self.done = False
        self.t = threading.Thread(target=self._loop, daemon=True)
        self.t.start()

    def _loop(self):
        guest = socket.inet_aton(GUEST)
        while not self.done:
            try:
                f, addr = self.s.recvfrom(4096)
            except socket.timeout:
                continue
            if addr[2] == socket.PACKET_OUTGOING or len(f) < 58 or f[12:14] != b"\x08\x00":
                continue
            ip = f[14:]
            if ip[9] != 17 or ip[12:16] != guest:
                continue
            udp = ip[(ip[0] & 15) * 4:]
            sport, dport = struct.unpack("!HH", udp[:4])
            if dport != PORT:
                continue
            magic, seq = struct.unpack("!II", udp[8:16])
            if magic == PKTGEN_MAGIC:
                self.frames.append((seq, len(f), sport))

    def stop(self):
        self.done = True
        self.t.join(5)
        # struct tpacket_stats: packets, drops (the kernel's, reset on read)
        drops = struct.unpack("II", self.s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))[1]
        self.s.close()
        return drops


def eth_tx_packets(g, dev="eth0"):
    text = g.view("cat /proc/net/dev")
    m = re.search(r"^\s*%s:\s*(?:\d+\s+){8}\d+\s+(\d+)" % dev, text, re.M)
    assert m, text
    return int(m.group(1))


def wait_result(g, timeout=RUN_TIMEOUT):
    """Poll `pktgen` until the run has a result; the whole report."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = g.shell("pktgen")
        if "Result: OK" in out or "Result: ERROR" in out:
            return out
        assert "Result: Running" in out, out
        time.sleep(0.5)
    raise AssertionError("pktgen still running after %ds:\n%s" % (timeout, out))


def parse_result(text):
    m = RESULT_RE.search(text)
    assert m, text
    keys = ("usec", "c", "d", "sent", "bytes", "pps", "mbps", "bps", "errors")
    return dict(zip(keys, (int(x) for x in m.groups())))


def tap_mac(net):
    return net.run(["cat", "/sys/class/net/%s/address" % netns.TAP], check=True).stdout.strip()


def guest_for(testnet, nic, name):
    why = driver_missing(testnet, nic)
    if why:
        pytest.skip(why)
    j = Journey(testnet, nic, name)
    j.g.wait_prompt(30)
    return j


@pytest.mark.parametrize("nic", NICS)
def test_pktgen_peer_receives_exactly_n(testnet, kernel, nic):
    j = guest_for(testnet, nic, "pktgen-" + nic)
    g, mac = j.g, tap_mac(testnet)
    tx0 = eth_tx_packets(g)
    peer = Peer(testnet)
    out = g.shell("pktgen dst %s dst_mac %s udp_dst %d count %d size 60:200 flows 4 start"
                  % (netns.HOST4, mac, PORT, N))
    assert "pktgen: eth0: sending %d frames" % N in out, out
    res = parse_result(wait_result(g))
    time.sleep(SETTLE)
    drops = peer.stop()
    tx1 = eth_tx_packets(g)
    seqs = sorted(s for s, _, _ in peer.frames)
    report("pktgen %s: %d frames, %d pps, %d usec (c%d+d%d); peer got %d; eth0 tx +%d"
           % (nic, res["sent"], res["pps"], res["usec"], res["c"], res["d"],
              len(peer.frames), tx1 - tx0))
    assert res["sent"] == N and res["errors"] == 0, res
    assert drops == 0, "the peer's socket dropped %d frames: the count says nothing" % drops
    assert len(peer.frames) == N, (len(peer.frames), N)
    assert seqs == list(range(N)), "sequence numbers missing or repeated"
    assert {length for _, length, _ in peer.frames} <= set(range(60, 201))
    assert min(length for _, length, _ in peer.frames) == 60
    assert max(length for _, length, _ in peer.frames) == 200
    assert {sport for _, _, sport in peer.frames} == {9, 10, 11, 12}, "flows 4 from port 9"
    # the driver's counter: pktgen's frames and at most a few of the guest's own
    assert N <= tx1 - tx0 <= N + 10, (tx0, tx1)
    j.poweroff()


def ethtool_stat(g, name):
    return parse_ethtool_stats(g.view("ethtool -S eth0"))[name]


@pytest.mark.parametrize("mode", ["intx", "msi"])
def test_pktgen_tx_completions_interrupt_on_igb(testnet, kernel, mode):
    """Transmit only, on igb without MSI-X: completions must still raise
    interrupts (QEMU's igb raises TX-done only for a queue IVAR0 maps, in
    every mode), so every descriptor is reclaimed when pktgen is done.
    Unmapped, the run crawled at the pace of timer kicks and the last
    frames' descriptors stayed unreclaimed until something was received."""
    why = driver_missing(testnet, "igb")
    if why:
        pytest.skip(why)
    g = testnet.guest("pktgen-igb-" + mode, nic="igb", append=APPEND + " irqmode=" + mode)
    g.wait_for(r"barenet: ready in", timeout=60)
    g.wait_prompt(30)
    n = 2000
    tx0, irq0 = eth_tx_packets(g), ethtool_stat(g, "interrupts")
    out = g.shell("pktgen dst %s dst_mac %s udp_dst %d count %d start"
                  % (netns.HOST4, tap_mac(testnet), PORT, n))
    assert "pktgen: eth0: sending %d frames" % n in out, out
    res = parse_result(wait_result(g))
    assert res["sent"] == n and res["errors"] == 0, res
    # reclaimed without anything else happening: tx_packets counts at reclaim
    deadline = time.monotonic() + 2
    while eth_tx_packets(g) - tx0 < n and time.monotonic() < deadline:
        time.sleep(0.2)
    tx, irqs = eth_tx_packets(g) - tx0, ethtool_stat(g, "interrupts") - irq0
    report("pktgen igb %s: %d frames, %d pps; eth0 tx +%d, interrupts +%d"
           % (mode, n, res["pps"], tx, irqs))
    assert n <= tx <= n + 10, (tx, n)
    # at least one completion interrupt per pktgen chunk (64 frames)
    assert irqs >= n // 64, irqs


def http_get(testnet, timeout=20):
    """GET /status from the guest's HTTP server; the status line."""
    with testnet.socket() as s:
        s.settimeout(timeout)
        s.connect((GUEST, 80))
        s.sendall(b"GET /status HTTP/1.0\r\n\r\n")
        data = recv_line(s)
    return data.split(b"\r\n", 1)[0].decode()


def stop_run(g):
    """`pktgen stop`; the frames attempted, and the parsed result."""
    out = g.shell("pktgen stop")
    m = re.search(r"pktgen: stopped after (\d+) frames", out)
    assert m, out
    text = g.shell("pktgen")
    assert "Stopped by the user" in text, text
    return int(m.group(1)), parse_result(text)


def test_pktgen_live_system_stop_and_rate(testnet, kernel):
    j = guest_for(testnet, "e1000", "pktgen-live")
    g, mac = j.g, tap_mac(testnet)
    peer = Peer(testnet)
    base = "pktgen dst %s dst_mac %s udp_dst %d count 1000000" % (netns.HOST4, mac, PORT)

    # as fast as possible: the shell and HTTP still answer, stop ends it
    assert "sending 1000000 frames" in g.shell(base + " rate 0 start")
    time.sleep(0.5)
    up = g.view("cat /proc/uptime")
    assert re.match(r"^\d+\.\d\d \d+\.\d\d$", up.strip()), up
    assert "Result: Running" in g.shell("pktgen")
    status = http_get(testnet)
    assert status.startswith("HTTP/1.") and " 200" in status, status
    fast_at, fast = stop_run(g)
    assert 0 < fast_at < 1000000 and fast["sent"] == fast_at and fast["errors"] == 0, fast
    after = g.shell("pktgen")
    time.sleep(0.5)
    assert g.shell("pktgen") == after, "frames sent after the stop"

    # a rate: never faster than asked, not starved either (a loose floor
    # a loaded host still meets); shell answers, stop mid-run
    rate = 200
    assert "sending 1000000 frames" in g.shell(base + " rate %d start" % rate)
    t0 = time.monotonic()
    time.sleep(0.5)
    assert "Result: Running" in g.shell("pktgen")
    time.sleep(max(0.0, 2.5 - (time.monotonic() - t0)))
    slow_at, slow = stop_run(g)
    time.sleep(SETTLE)
    drops = peer.stop()
    report("pktgen e1000 live: %d frames at full speed (%d pps) until stop, shell and HTTP "
           "answered; rate %d asked: %d pps measured (%d frames in %d usec)"
           % (fast["sent"], fast["pps"], rate, slow["pps"], slow["sent"], slow["usec"]))
    assert slow["sent"] == slow_at and slow["errors"] == 0, slow
    assert slow["pps"] <= rate * 1.1, slow
    assert slow["pps"] >= rate * 0.3, slow
    assert drops == 0
    assert len(peer.frames) == fast["sent"] + slow["sent"], (len(peer.frames), fast, slow)
    j.poweroff()


# -- netinject (and pktgen onto inj0), in a guest with no NIC ----------------

def snapshot(g):
    snmp = parse_snmp(g.view("cat /proc/net/snmp"))
    soft = softnet_totals(g.view("cat /proc/net/softnet_stat"))
    metrics = parse_metrics(g.view("cat /proc/barenet/metrics"))
    return snmp, soft["processed"], metrics


def levels(metrics):
    """The gauges that must come back: lwIP pools and heap, sk_buffs, kmalloc."""
    out = {}
    for fam in ("skb_in_use", "lwip_heap_used_bytes", "kmalloc_live_objects"):
        out[fam] = metrics["barenet_" + fam][2][0][1]
    for labels, v in metrics["barenet_lwip_memp_used"][2]:
        out["memp " + labels["pool"]] = v
    return out


def set_icmp_limits(g, ratelimit, per_sec, burst):
    out = g.shell("sysctl -w net.ipv4.icmp_ratelimit=%d net.ipv4.icmp_msgs_per_sec=%d "
                  "net.ipv4.icmp_msgs_burst=%d" % (ratelimit, per_sec, burst))
    assert "net.ipv4.icmp_msgs_burst = %d" % burst in out, out


def delta(a, b, proto, field):
    return b[proto][field] - a[proto][field]


INJECT_N = 2000 if QUICK else 10000

# kind -> (the /proc/net/snmp counters that move by N, replies per frame)
KINDS = {
    "udp": ([("Ip", "InReceives"), ("Ip", "InDelivers"), ("Udp", "InDatagrams")], 0),
    "echo": ([("Udp", "InDatagrams"), ("Udp", "OutDatagrams")], 1),
    "icmp": ([("Icmp", "InEchos"), ("Icmp", "OutEchoReps")], 1),
    "noport": ([("Udp", "NoPorts"), ("Icmp", "OutDestUnreachs")], 1),
    "badudp": ([("Udp", "InErrors"), ("Udp", "InCsumErrors")], 0),
    "badip": ([("Ip", "InHdrErrors")], 0),
    "short": ([("Ip", "InDiscards")], 0),
}

INJECT_RE = re.compile(r"netinject: (\w+): (\d+) frames \((\d+) bytes\) in (\d+) usec: (\d+) frames/s; "
                       r"NET_RX busy (\d+) usec: (\d+) frames/s\n"
                       r"netinject: replies (\d+) \(discarded at inj0\), other tx (\d+), nomem (\d+)")


@pytest.fixture(scope="module")
def bare(kernel):
    """A guest without a NIC that ran netinject= and pktgen= at boot."""
    g = Guest("netinject", append='netinject=icmp:500 pktgen="dev inj0 dst 198.18.0.2 count 300"')
    try:
        g.wait_for(r"barenet: ready in", 60)
        yield g
    finally:
        g.kill()


def test_boot_forms(bare):
    bare.wait_for(r"netinject: icmp: 500 frames \(60 bytes\) in \d+ usec", 60)
    bare.wait_for(r"netinject: replies 500 \(discarded at inj0\)", 60)
    bare.wait_for(r"pktgen: Result: OK: \d+\(c\d+\+d\d+\) usec, 300 \(60byte,0frags\)", 60)
    bare.wait_prompt(30)
    # pktgen's 300 frames to the peer left through inj0: counted as replies
    out = bare.shell("netinject")
    assert re.search(r"rx 500 frames, tx \d+ \(replies 800, other \d+\)", out), out


@pytest.mark.parametrize("kind", list(KINDS))
def test_netinject_counters_move_by_n(bare, kind):
    bare.wait_prompt(30)
    counters, per_frame = KINDS[kind]
    bare.shell("netinject udp 1")       # warm: nothing is created during the measured run
    if kind == "noport":
        # one error per frame: the ICMP rate limits (one pretend peer: 6
        # at once, then one a second) off for this run, back afterwards
        set_icmp_limits(bare, 0, 1000000000, 1000000000)
    snmp0, soft0, m0 = snapshot(bare)
    out = bare.shell("netinject %s %d" % (kind, INJECT_N), timeout=RUN_TIMEOUT)
    m = INJECT_RE.search(out)
    assert m, out
    snmp1, soft1, m1 = snapshot(bare)
    if kind == "noport":
        set_icmp_limits(bare, 1000, 1000, 50)
    injected, fps, busy_fps = int(m.group(2)), int(m.group(5)), int(m.group(7))
    replies, nomem = int(m.group(8)), int(m.group(10))
    report("netinject %s: %d frames, %d frames/s (NET_RX busy: %d frames/s)"
           % (kind, injected, fps, busy_fps))
    assert injected == INJECT_N and nomem == 0, out
    assert soft1 - soft0 == INJECT_N, ("softnet processed", soft0, soft1)
    for proto, field in counters:
        assert delta(snmp0, snmp1, proto, field) == INJECT_N, (proto, field, snmp0[proto], snmp1[proto])
    assert replies == per_frame * INJECT_N, out
    assert fps > 0 and busy_fps >= fps, out
    assert levels(m1) == levels(m0), "leak: %r -> %r" % (levels(m0), levels(m1))


def test_netinject_bad_args_refused(bare):
    bare.wait_prompt(30)
    for line, msg in (("netinject bogus 10", "unknown kind"),
                      ("netinject udp 0", "not a count"),
                      ("netinject udp 10000001", "not a count"),
                      ("netinject udp 10 59", "not a frame size"),
                      ("netinject udp 10 1515", "not a frame size"),
                      ("netinject udp", "usage"),
                      ("netinject stop", "no injection running")):
        out = bare.shell(line)
        assert out.startswith("netinject: ") and msg in out, (line, out)
        assert bare.shell("echo $?").strip() != "0", line


BOOT_INJECT_N = 10000000     # NETINJECT_COUNT_MAX: minutes of TCG time; stopped


def ps_names(g):
    return re.findall(r"^root .* \[?([^\[\]\n]+)\]?$", g.view("ps aux"), re.M)


def test_netinject_boot_run_is_a_thread(kernel):
    """netinject= injects from the kernel thread [netinject], not from the
    boot path: the prompt comes while it runs (it sat behind the whole run
    before), ps lists the thread, `netinject` shows the count growing,
    `netinject stop` ends the run with a short count in the result line,
    and the thread is gone afterwards."""
    with Guest("netinject-thread", append="netinject=udp:%d" % BOOT_INJECT_N) as g:
        g.wait_prompt(60)
        result = r"netinject: udp: (\d+) frames \(60 bytes\) in \d+ usec.*\n.*nomem (\d+)(, stopped)?\n"
        assert not re.search(result, g.output), g.output[-2000:]
        assert "netinject" in ps_names(g), g.output[-2000:]
        # the thread makes inj0 first (attached, addressed), then runs
        seen = []
        for _ in range(100):
            m = re.search(r"^running: (\d+) of %d frames injected" % BOOT_INJECT_N,
                          g.view("netinject"), re.M)
            if m:
                seen.append(int(m.group(1)))
                if len(seen) == 2:
                    break
            g.watch(0.2)
        assert len(seen) == 2 and seen[0] < seen[1], seen
        # its answer, "netinject: stopping", may have the result's lines
        # printed in its middle: the result's ", stopped" shows it worked
        g.shell("netinject stop")
        m = g.wait_for(result, 60)
        injected, nomem = int(m.group(1)), int(m.group(2))
        assert m.group(3) and seen[1] <= injected + nomem < BOOT_INJECT_N, m.group(0)
        # the thread ends and a kworker frees it a moment later
        for _ in range(50):
            if "netinject" not in ps_names(g):
                break
            g.watch(0.1)
        assert "netinject" not in ps_names(g), g.output[-2000:]
        assert "no injection running" in g.shell("netinject stop")


def test_pktgen_bad_args_change_nothing(bare):
    bare.wait_prompt(30)
    before = bare.shell("pktgen").split("Current:")[0]
    for line, msg in (("pktgen count 0", "count is"),
                      ("pktgen count 100000001", "count is"),
                      ("pktgen size 59", "size is"),
                      ("pktgen size 200:100", "size is"),
                      ("pktgen size 1515", "size is"),
                      ("pktgen rate -1", "rate is"),
                      ("pktgen dst 1.2.3", "not an IPv4 address"),
                      ("pktgen dst_mac 02:00:00:00:00", "not a MAC address"),
                      ("pktgen udp_dst 0", "a port is"),
                      ("pktgen flows 0", "flows is"),
                      ("pktgen count 5 bogus 1", "unknown parameter"),
                      ("pktgen count", "needs a value"),
                      ("pktgen stop", "no run to stop"),
                      ("pktgen count 5 stop", "takes no parameters"),
                      ("pktgen dev eth9 dst 10.0.2.2 start", "no such device")):
        out = bare.shell(line)
        assert out.startswith("pktgen: ") and msg in out, (line, out)
        assert bare.shell("echo $?").strip() != "0", line
        assert bare.shell("pktgen").split("Current:")[0] == before, line


def test_pktgen_onto_inj0_counted_exactly(bare):
    """pktgen through inj0's qdisc and xmit: no NIC, so the count is exact."""
    bare.wait_prompt(30)
    tx0 = eth_tx_packets(bare, "inj0")
    out = bare.shell("pktgen dev inj0 dst 198.18.0.2 count %d size 60:1514 start" % INJECT_N)
    assert "pktgen: inj0: sending" in out, out
    res = parse_result(wait_result(bare))
    tx1 = eth_tx_packets(bare, "inj0")
    report("pktgen to inj0: %d frames, %d pps" % (res["sent"], res["pps"]))
    assert res["sent"] == INJECT_N and res["errors"] == 0, res
    assert tx1 - tx0 == INJECT_N, (tx0, tx1)


def kpktgend_ps(g):
    """kpktgend_0's STAT and CPU time (ps TIME, whole seconds)."""
    rows = [r for r in parse_ps(g.view("ps aux")) if r["name"] == "kpktgend_0"]
    assert len(rows) == 1, g.output[-2000:]
    return rows[0]["stat"], rows[0]["time_s"]


def test_pktgen_slow_rate_sleeps(bare):
    """At 100 pps the 10 ms between frames is a tick or more (HZ 100):
    kpktgend_0 sleeps it out instead of halting as a running thread, so
    ps shows it S while the run goes and its CPU time hardly moves over
    the 3 s run (with the halt it was R throughout and TIME grew by ~3 s:
    the halted time counted as its own).  The rate holds."""
    bare.wait_prompt(30)
    # the boot's pktgen= run (count 300, no rate) first: started and over
    deadline = time.monotonic() + 60
    while "Result: OK" not in bare.shell("pktgen"):
        assert time.monotonic() < deadline, bare.output[-2000:]
        time.sleep(0.2)
    _, time0 = kpktgend_ps(bare)
    out = bare.shell("pktgen dev inj0 dst 198.18.0.2 count 300 size 60 rate 100 start")
    assert "pktgen: inj0: sending" in out, out
    stats = []
    for _ in range(4):
        time.sleep(0.4)
        stats.append(kpktgend_ps(bare)[0])
    res = parse_result(wait_result(bare, 60))
    _, time1 = kpktgend_ps(bare)
    assert res["sent"] == 300 and res["errors"] == 0, res
    assert 80 <= res["pps"] <= 105, res
    assert stats.count("S") >= 3, stats
    assert time1 - time0 <= 1, (time0, time1)
