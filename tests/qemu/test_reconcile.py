"""Counters reconcile exactly through the stack (issue 4), for each NIC model.

A guest (e1000, e1000e or igb) on tap0 of a test namespace (netns.TestNet)
gets a bounded mixed load from real tools in the namespace: ping, ping -6
to its link-local address, UDP echoes, UDP to a closed port, TCP echo and
discard connections, and raw frames (scapy): ARP requests for the guest and
for another address, frames for another MAC and for an ethertype lwIP does
not handle.  dumpcap captures tap0 for the whole run; every frame
is classified.  Between two snapshots of the guest's counters, each taken
while the link is quiet, the deltas must be equal, exactly:

receive  peer tap tx_packets == captured frames to the guest
         == NIC GPRC + frames the NIC's address filter refused (other MAC)
         GPRC == driver rx_packets + driver rx_dropped (errors)
         rx_packets == softnet processed + softnet dropped (backlog)
         + the frames GRO merged into another's skb (rx_gro_packets -
         rx_gro_skbs: a merged skb is processed once; the load's TCP is
         IPv4, so lwIP's IPv4 and TCP input counts lack them too)
         processed == lwIP link recv + skb drops (UNHANDLED_PROTO, NOMEM),
         where UNHANDLED_PROTO == rx_nohandler == the unknown ethertypes
         the glue drops before lwIP (as Linux's __netif_receive_skb_core)
         link recv == ip recv + ip6 recv + etharp recv + etharp proterr,
         each equal to the capture's count of that protocol;
         Ip InReceives, Icmp InEchos, Udp InDatagrams/NoPorts, Tcp InSegs,
         ICMPv6 in: the capture's counts
transmit lwIP link xmit == qdisc enqueued == qdisc sent == driver tx_packets
         == NIC GPTC == peer tap rx_packets == captured frames from the guest,
         and by protocol: etharp/ip/ip6/tcp xmit, Icmp OutEchoReps and
         OutDestUnreachs, Udp OutDatagrams, Tcp OutSegs (segments with SYN,
         FIN or data: lwIP's count) against the capture.

Background traffic is prevented where it can be (static ip=, no router
solicitations from tap0, static neighbour entries on the host side so it
sends no ARP or neighbour solicitations) and otherwise waited out before
the first snapshot (the guest's gratuitous ARP, DAD, MLD reports and its
three router solicitations).  Whatever still crosses the link inside the
window is in the capture and so in the expected numbers.  A snapshot counts
only if no frame crossed the link from QUIET seconds before it until
after it; otherwise it is taken again.

The snapshots are read over the serial console (cat, ethtool -S), which
puts no frame on the link.  BARENET_QUICK=1 lowers the counts.
"""
import collections
import os
import re
import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

import netns
from harness import EXIT_OK, report
from netobs import parse_metrics
from netparse import parse_ethtool_stats, parse_snmp, softnet_totals

NICS = ["e1000", "e1000e", "igb"]
QUICK = os.environ.get("BARENET_QUICK") == "1"
MAC = "52:54:00:12:34:56"
GUEST = netns.GUEST4
LINKLOCAL = netns.eui64_linklocal(MAC)
APPEND = "ip=%s/%d,%s" % (GUEST, netns.PREFIXLEN4, netns.HOST4)
ECHO_PORT = 7
DISCARD_PORT = 9
OTHER_IP = "10.0.2.99"      # on the link, nobody's
CLOSED_PORT = 4444          # nothing listens there (services: 7, 9, 80, 5001)
OTHER_MAC = "52:54:00:99:99:99"
UNKNOWN_ETHERTYPE = 0x88B5  # IEEE 802 local experimental: lwIP has no handler
QUIET = 1.0                 # seconds of silence on the link around a snapshot
RS_BACKGROUND = 3           # lwIP's router solicitations after link up

# (full, quick) counts of each kind of load
LOAD = {
    "ping": (1000, 40), "ping6": (200, 10), "udp_echo": (2000, 100),
    "udp_closed": (100, 10), "tcp_echo": (100, 8), "other_mac": (50, 5),
    "other_type": (50, 5), "arp": (20, 3), "tcp_discard": (40, 4),
}


def count(kind):
    full, quick = LOAD[kind]
    return quick if QUICK else full


# -- capture -------------------------------------------------------------------
class Capture:
    """dumpcap on tap0 inside the namespace, pcap to a pipe (flushed per
    frame), read by a thread; frames() parses what has arrived."""

    def __init__(self, net):
        self.proc = net.popen(["dumpcap", "-q", "-P", "-i", netns.TAP, "-w", "-"],
                              stdout=subprocess.PIPE, text=False)
        self.buf = bytearray()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while len(self.buf) < 24:          # the pcap file header: dumpcap is capturing
            assert time.monotonic() < deadline and self.proc.poll() is None, \
                "dumpcap did not start: %s" % self.proc.stderr.read()
            time.sleep(0.05)

    def _read(self):
        while True:
            data = os.read(self.proc.stdout.fileno(), 65536)
            if not data:
                return
            with self.lock:
                self.buf += data

    def frames(self):
        """[(timestamp, bytes)] of the complete records so far."""
        with self.lock:
            data = bytes(self.buf)
        magic = struct.unpack("<I", data[:4])[0]
        assert magic in (0xA1B2C3D4, 0xA1B23C4D), hex(magic)
        scale = 1e-6 if magic == 0xA1B2C3D4 else 1e-9
        out, off = [], 24
        while off + 16 <= len(data):
            sec, frac, incl, _orig = struct.unpack_from("<IIII", data, off)
            if off + 16 + incl > len(data):
                break
            out.append((sec + frac * scale, data[off + 16:off + 16 + incl]))
            off += 16 + incl
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)
        self.thread.join(timeout=5)


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


GMAC = mac_bytes(MAC)
BCAST = b"\xff" * 6


def classify(frame):
    """(direction, class) of one Ethernet frame: direction "out" (from the
    guest) or "in" (to it); class names the protocol and what matters of it."""
    dst, src, etype = frame[0:6], frame[6:12], struct.unpack("!H", frame[12:14])[0]
    if src == GMAC:
        direction = "out"
    elif dst == GMAC or dst == BCAST:
        direction = "in"
    elif dst[0] & 1:
        direction = "in-multicast"
    else:
        direction = "in-other-mac"
    body = frame[14:]
    if etype == 0x0806:
        return direction, "arp"
    if etype == 0x0800:
        ihl = (body[0] & 0x0F) * 4
        proto = body[9]
        l4 = body[ihl:]
        if proto == 1:
            return direction, "icmp4-%d" % l4[0]
        if proto == 17:
            port = struct.unpack("!H", l4[2:4])[0]
            return direction, "udp:%d" % (port if direction != "out" else 0)
        if proto == 6:
            doff = (l4[12] >> 4) * 4
            flags = l4[13]
            total = struct.unpack("!H", body[2:4])[0]
            data = total - ihl - doff
            # SYN (0x02), FIN (0x01) or data: what lwIP's tcp_output_segment sends
            return direction, "tcp-seg" if (flags & 0x03 or data > 0) else "tcp-ctl"
        return direction, "ip-proto%d" % proto
    if etype == 0x86DD:
        if body[6] == 58:
            return direction, "icmp6-%d" % body[40]
        return direction, "ip6-nh%d" % body[6]
    return direction, "ethertype-%04x" % etype


def tally(frames):
    c = collections.Counter()
    for _, f in frames:
        d, k = classify(f)
        c[(d, k)] += 1
        c[(d, "*")] += 1
    return c


def sum_class(c, direction, prefix):
    return sum(v for (d, k), v in c.items() if d == direction and k != "*" and k.startswith(prefix))


# -- the guest's counters ----------------------------------------------------------
def parse_proc_net_dev(text):
    out = {}
    for line in text.splitlines()[2:]:
        name, _, rest = line.partition(":")
        v = [int(x) for x in rest.split()]
        out[name.strip()] = {"rx_bytes": v[0], "rx_packets": v[1], "rx_errs": v[2],
                             "rx_drop": v[3], "tx_bytes": v[8], "tx_packets": v[9],
                             "tx_errs": v[10], "tx_drop": v[11]}
    return out


def tap_stats(net):
    r = net.run(["sh", "-c", "cd /sys/class/net/%s/statistics && grep -H . *" % netns.TAP])
    return {k: int(v) for k, v in (l.split(":") for l in r.stdout.split())}


def shell(g, cmd):
    """g.shell without the kernel's log lines that printed meanwhile."""
    return re.sub(r"(?m)^\[ *\d+\.\d{6}\] .*\n", "", g.shell(cmd, timeout=60))


class Snapshot:
    """Every counter the reconciliation reads, from one pass over the views."""

    def __init__(self, g, net):
        self.t0 = time.time()
        m = parse_metrics(shell(g, "cat /proc/barenet/metrics"))
        self.m = {}
        for name, (_, _, samples) in m.items():
            for labels, v in samples:
                self.m[(name, tuple(sorted(labels.items())))] = int(v)
        self.ethtool = parse_ethtool_stats(shell(g, "ethtool -S eth0"))
        self.snmp = parse_snmp(shell(g, "cat /proc/net/snmp"))
        self.netstat = parse_snmp(shell(g, "cat /proc/net/netstat"))
        # every CPU's row: NET_RX runs on the CPU that took the interrupt
        self.softnet = softnet_totals(shell(g, "cat /proc/net/softnet_stat"))
        self.dev = parse_proc_net_dev(shell(g, "cat /proc/net/dev"))
        self.sys_rx = int(shell(g, "cat /sys/class/net/eth0/statistics/rx_packets"))
        self.tap = tap_stats(net)
        self.t1 = time.time()

    def metric(self, name, **labels):
        return self.m[("barenet_" + name, tuple(sorted(labels.items())))]

    def metric_sum(self, name, label):
        """name summed over every value of label (e.g. cpu)"""
        return sum(v for (n, labels), v in self.m.items()
                   if n == "barenet_" + name and [k for k, _ in labels] == [label])


def quiet_snapshot(g, net, cap, tries=10):
    """A Snapshot taken while nothing crossed the link from QUIET seconds
    before it until QUIET seconds after it."""
    for _ in range(tries):
        wait_quiet(cap, QUIET)
        s = Snapshot(g, net)
        time.sleep(QUIET)
        if not [t for t, _ in cap.frames() if s.t0 - QUIET <= t <= s.t1 + QUIET / 2]:
            return s
    raise AssertionError("the link never stayed quiet for a snapshot")


def wait_quiet(cap, seconds, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frames = cap.frames()
        last = frames[-1][0] if frames else 0
        if time.time() - last >= seconds:
            return
        time.sleep(0.2)
    raise AssertionError("link not quiet for %.1f s within %d s" % (seconds, timeout))


def wait_background(cap, timeout=40):
    """Until the guest's start-up traffic is over: its last router
    solicitation sent (they come 4 s apart)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c = tally(cap.frames())
        if c[("out", "icmp6-133")] >= RS_BACKGROUND:
            return
        time.sleep(0.3)
    raise AssertionError("only %d router solicitations from the guest in %d s"
                         % (c[("out", "icmp6-133")], timeout))


# -- the load ------------------------------------------------------------------
def load_ping(net, n, args):
    """n echo requests; whether each was answered is the capture's to say
    (a reply later than ping waits is not lost, just late)."""
    r = net.run(["ping"] + args + ["-q", "-c", str(n), "-i", "0.005", "-W", "5"],
                timeout=60 + n)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
    assert m and int(m.group(1)) == n, r.stdout + r.stderr


def load_udp(net, n, port, expect_reply):
    """n datagrams, one at a time; with expect_reply each echo must come
    back equal before the next goes."""
    with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(15)
        for i in range(n):
            msg = b"reconcile %d " % i + bytes(i % 200)
            s.sendto(msg, (GUEST, port))
            if expect_reply:
                data, peer = s.recvfrom(4096)
                assert data == msg and peer == (GUEST, port), (i, data, peer)
            else:
                time.sleep(0.002)


def load_tcp_echo(net, n):
    for i in range(n):
        with net.socket() as s:
            s.settimeout(10)
            s.connect((GUEST, ECHO_PORT))
            msg = b"tcp %d " % i + os.urandom(40)
            s.sendall(msg)
            data = b""
            while len(data) < len(msg):
                chunk = s.recv(4096)
                assert chunk, "echo closed early"
                data += chunk
            assert data == msg
            s.shutdown(socket.SHUT_WR)
            assert s.recv(16) == b""           # the guest's FIN


def load_tcp_discard(net, n, size=4000):
    """n connections to the discard service, size bytes each: the guest
    answers with pure ACKs."""
    for i in range(n):
        with net.socket() as s:
            s.settimeout(10)
            s.connect((GUEST, DISCARD_PORT))
            s.sendall(os.urandom(size))
            s.shutdown(socket.SHUT_WR)
            assert s.recv(16) == b""           # the guest's FIN


RAW_SCRIPT = r"""
import sys
from scapy.all import ARP, Ether, Raw, get_if_hwaddr, sendp
iface, dst_other, guest, etype, host_ip, guest_ip, other_ip = sys.argv[1:8]
n_other, n_type, n_arp = (int(x) for x in sys.argv[8:11])
mac = get_if_hwaddr(iface)
frames = [Ether(dst=dst_other, type=0x0800) / Raw(b"\x45" + bytes(45))] * n_other
frames += [Ether(dst=guest, type=int(etype)) / Raw(bytes(46))] * n_type
# who-has the guest (answered) and who-has another address (not answered)
for ip in (guest_ip, other_ip):
    frames += [Ether(dst="ff:ff:ff:ff:ff:ff", src=mac) /
               ARP(op=1, hwsrc=mac, psrc=host_ip, pdst=ip)] * n_arp
sendp(frames, iface=iface, verbose=False)
print(len(frames))
"""


def load_raw(net, n_other, n_type, n_arp):
    r = net.python(RAW_SCRIPT, netns.TAP, OTHER_MAC, MAC, UNKNOWN_ETHERTYPE, netns.HOST4,
                   GUEST, OTHER_IP, n_other, n_type, n_arp)
    assert r.returncode == 0 and int(r.stdout) == n_other + n_type + 2 * n_arp, \
        r.stdout + r.stderr


# -- the test ------------------------------------------------------------------
@pytest.fixture(params=NICS)
def nic(request):
    return request.param


def test_counters_reconcile(testnet, kernel, nic):
    if not shutil.which("dumpcap"):
        pytest.skip("dumpcap (tshark's capture tool, tools/deps.sh) is not installed")
    net = testnet
    # no background from the host side: no router solicitations, and the
    # guest's addresses known, so no ARP requests or neighbour solicitations
    net.run(["sysctl", "-q", "-w", "net.ipv6.conf.%s.router_solicitations=0" % netns.TAP],
            check=True)
    net.run(["ip", "neigh", "replace", GUEST, "lladdr", MAC, "nud", "permanent",
             "dev", netns.TAP], check=True)
    net.run(["ip", "-6", "neigh", "replace", LINKLOCAL, "lladdr", MAC, "nud", "permanent",
             "dev", netns.TAP], check=True)
    cap = Capture(net)
    t_start = time.monotonic()
    g = net.guest("reconcile-" + nic, nic=nic, append=APPEND)
    g.wait_for(r"net: eth0 %s/24 gw %s \(static\)" % (re.escape(GUEST), re.escape(netns.HOST4)),
               timeout=60)
    g.wait_for(r"barenet: ready in", timeout=60)
    g.wait_prompt(timeout=30)
    g.wait_for(r"eth0: link up", timeout=30)
    g.wait_for(r"(?i)net: eth0 inet6 %s \(link-local\)" % re.escape(LINKLOCAL), timeout=30)
    # lwIP routes UDP only once its timer saw the carrier: probe until an echo
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
    wait_background(cap)
    before = quiet_snapshot(g, net, cap)

    n = {k: count(k) for k in LOAD}
    t_load = time.monotonic()
    load_ping(net, n["ping"], [GUEST])
    load_ping(net, n["ping6"], ["-6", "%s%%%s" % (LINKLOCAL, netns.TAP)])
    load_udp(net, n["udp_echo"], ECHO_PORT, True)
    load_udp(net, n["udp_closed"], CLOSED_PORT, False)
    load_tcp_echo(net, n["tcp_echo"])
    load_tcp_discard(net, n["tcp_discard"])
    load_raw(net, n["other_mac"], n["other_type"], n["arp"])
    t_load = time.monotonic() - t_load

    after = quiet_snapshot(g, net, cap)
    frames = [f for f in cap.frames() if before.t1 < f[0] < after.t0]
    cap.stop()
    c = tally(frames)
    check_reconcile(nic, n, c, before, after)

    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK, g.output[-3000:]
    report("reconcile %-6s: %d frames to the guest, %d from it, every stage equal "
           "(load %.1f s, run %.1f s)" % (nic, c[("in", "*")] + c[("in-other-mac", "*")],
                                          c[("out", "*")], t_load, time.monotonic() - t_start))


def check_reconcile(nic, n, c, before, after):
    """Every equality of the module doc, on the deltas; all failures at once."""
    bad = []

    def d(get):
        return get(after) - get(before)

    def eq(label, *vals):
        if len(set(vals)) != 1:
            bad.append("%s: %s" % (label, " != ".join(str(v) for v in vals)))

    met = lambda name, **kw: d(lambda s: s.metric(name, **kw))  # noqa: E731
    eth = lambda k: d(lambda s: s.ethtool[k])                    # noqa: E731
    snmp = lambda p, k: d(lambda s: s.snmp[p][k])                # noqa: E731
    lw = lambda field, proto: met("lwip_%s_total" % field, proto=proto)  # noqa: E731
    tap = lambda k: d(lambda s: s.tap[k])                        # noqa: E731

    cin, cout = c[("in", "*")], c[("out", "*")]
    other_mac, mcast = c[("in-other-mac", "*")], c[("in-multicast", "*")]
    print("capture window:", dict(sorted(c.items())))

    # what the load put on the link, as the capture saw it
    eq("capture: pings", c[("in", "icmp4-8")], n["ping"])
    eq("capture: ping6", c[("in", "icmp6-128")], n["ping6"])
    eq("capture: every ping answered", c[("out", "icmp4-0")], n["ping"])
    eq("capture: every ping6 answered", c[("out", "icmp6-129")], n["ping6"])
    eq("capture: UDP echoes", c[("in", "udp:%d" % ECHO_PORT)], n["udp_echo"])
    eq("capture: UDP to the closed port", c[("in", "udp:%d" % CLOSED_PORT)], n["udp_closed"])
    eq("capture: frames for another MAC", other_mac, n["other_mac"])
    eq("capture: unknown ethertype", c[("in", "ethertype-%04x" % UNKNOWN_ETHERTYPE)],
       n["other_type"])
    eq("capture: multicast to the guest (host background must be off)", mcast, 0)

    # receive: peer -> NIC -> driver -> softnet -> lwIP
    eq("rx: tap tx_packets == captured frames to the guest == GPRC + MAC-filtered",
       tap("tx_packets"), cin + other_mac + mcast, eth("rx_good_packets") + other_mac + mcast)
    eq("rx: tap tx_dropped", tap("tx_dropped"), 0)
    eq("rx: GPRC == driver rx_packets + rx_dropped", eth("rx_good_packets"),
       eth("rx_packets") + eth("rx_dropped"))
    eq("rx: NIC missed (MPC) / no buffer (RNBC)", eth("rx_missed_errors"), eth("rx_no_buffer_count"), 0)
    eq("rx: driver rx_packets == /proc/net/dev == /sys == metrics",
       eth("rx_packets"), d(lambda s: s.dev["eth0"]["rx_packets"]), d(lambda s: s.sys_rx),
       met("net_dev_rx_packets_total", dev="eth0"))
    # GRO (net/core/gro.c): a merged skb of k wire segments goes up once
    gro_saved = eth("rx_gro_packets") - eth("rx_gro_skbs")
    eq("rx: driver rx_packets == softnet processed + dropped + GRO-merged",
       eth("rx_packets"),
       d(lambda s: s.softnet["processed"]) + d(lambda s: s.softnet["dropped"]) + gro_saved)
    eq("rx: softnet_stat == metrics", d(lambda s: s.softnet["processed"]),
       d(lambda s: s.metric_sum("softnet_processed_total", "cpu")))
    drops = {r: met("skb_drops_total", reason=r) for r in
             ("UNHANDLED_PROTO", "NOMEM", "CPU_BACKLOG")}
    eq("rx: softnet processed == lwIP link recv + skb drops (unhandled, nomem)",
       d(lambda s: s.softnet["processed"]),
       lw("recv", "link") + drops["UNHANDLED_PROTO"] + drops["NOMEM"])
    eq("rx: loopback silent", d(lambda s: s.dev["lo"]["rx_packets"]), 0)
    eq("rx: link recv == ip + ip6 + etharp recv + etharp proterr", lw("recv", "link"),
       lw("recv", "ip") + lw("recv", "ip6") + lw("recv", "etharp") + lw("proterr", "etharp"))
    eq("rx: lwIP ip recv == Ip InReceives == captured IPv4 to the guest",
       lw("recv", "ip"), snmp("Ip", "InReceives"),
       sum_class(c, "in", "icmp4-") + sum_class(c, "in", "udp")
       + sum_class(c, "in", "tcp") + sum_class(c, "in", "ip-proto") - gro_saved)
    eq("rx: lwIP ip6 recv == captured IPv6", lw("recv", "ip6"),
       sum_class(c, "in", "icmp6") + sum_class(c, "in", "ip6-"))
    eq("rx: icmp6 recv == captured ICMPv6", lw("recv", "icmp6"), sum_class(c, "in", "icmp6"))
    eq("rx: etharp recv == captured ARP", lw("recv", "etharp"), c[("in", "arp")])
    eq("rx: unknown ethertypes == rx_nohandler == skb drops UNHANDLED_PROTO (the glue's)",
       sum_class(c, "in", "ethertype-"), eth("rx_nohandler"),
       met("net_dev_rx_nohandler_total", dev="eth0"), drops["UNHANDLED_PROTO"])
    eq("rx: etharp proterr (lwIP sees no unknown ethertype)", lw("proterr", "etharp"), 0)
    eq("rx: Icmp InEchos == pings", snmp("Icmp", "InEchos"), c[("in", "icmp4-8")])
    eq("rx: Icmp InMsgs", snmp("Icmp", "InMsgs"), sum_class(c, "in", "icmp4-"))
    eq("rx: Udp InDatagrams == echo datagrams", snmp("Udp", "InDatagrams"),
       c[("in", "udp:%d" % ECHO_PORT)])
    eq("rx: Udp NoPorts == closed-port datagrams", snmp("Udp", "NoPorts"),
       c[("in", "udp:%d" % CLOSED_PORT)])
    eq("rx: Tcp InSegs == captured TCP to the guest - GRO-merged", snmp("Tcp", "InSegs"),
       sum_class(c, "in", "tcp") - gro_saved)
    eq("rx: Tcp PassiveOpens == connections", snmp("Tcp", "PassiveOpens"),
       n["tcp_echo"] + n["tcp_discard"])
    eq("capture: ARP requests", c[("in", "arp")], 2 * n["arp"])
    eq("tx: ARP replies", c[("out", "arp")], n["arp"])
    eq("rx: Ip InDelivers", snmp("Ip", "InDelivers"),
       snmp("Icmp", "InMsgs") + snmp("Udp", "InDatagrams") + snmp("Udp", "NoPorts")
       + snmp("Tcp", "InSegs"))
    eq("rx: no IP/UDP/TCP errors", snmp("Ip", "InHdrErrors"), snmp("Ip", "InAddrErrors"),
       snmp("Ip", "InDiscards"), snmp("Udp", "InErrors"), snmp("Tcp", "InErrs"),
       d(lambda s: s.netstat["IpExt"]["InCsumErrors"]), 0)
    eq("rx: skb drops NOMEM, CPU_BACKLOG", drops["NOMEM"], drops["CPU_BACKLOG"], 0)

    # transmit: lwIP -> qdisc -> driver -> NIC -> peer
    eq("tx: link xmit == qdisc enqueued == qdisc sent == driver tx_packets == GPTC == "
       "tap rx_packets == captured frames from the guest",
       lw("xmit", "link"), met("qdisc_enqueued_total", dev="eth0"),
       met("qdisc_packets_total", dev="eth0"), eth("tx_packets"), eth("tx_good_packets"),
       tap("rx_packets"), cout)
    eq("tx: drops (link drop, qdisc tx_dropped, requeues, tap rx_dropped)",
       lw("drop", "link"), met("qdisc_tx_dropped_total", dev="eth0"),
       met("qdisc_requeues_total", dev="eth0"), tap("rx_dropped"), 0)
    eq("tx: driver tx_packets == /proc/net/dev == metrics", eth("tx_packets"),
       d(lambda s: s.dev["eth0"]["tx_packets"]), met("net_dev_tx_packets_total", dev="eth0"))
    eq("tx: link xmit == ip + ip6 + etharp xmit", lw("xmit", "link"),
       lw("xmit", "ip") + lw("xmit", "ip6") + lw("xmit", "etharp"))
    eq("tx: etharp xmit == captured ARP", lw("xmit", "etharp"), c[("out", "arp")])
    eq("tx: ip xmit == Ip OutRequests == captured IPv4", lw("xmit", "ip"),
       snmp("Ip", "OutRequests"),
       sum_class(c, "out", "icmp4-") + sum_class(c, "out", "udp")
       + sum_class(c, "out", "tcp"))
    eq("tx: ip6 xmit == captured IPv6", lw("xmit", "ip6"),
       sum_class(c, "out", "icmp6") + sum_class(c, "out", "ip6-"))
    eq("tx: Icmp OutEchoReps == echo replies", snmp("Icmp", "OutEchoReps"), c[("out", "icmp4-0")])
    eq("tx: Icmp OutDestUnreachs == port unreachables", snmp("Icmp", "OutDestUnreachs"),
       c[("out", "icmp4-3")])
    # the ICMP error rate limits (net/lwip/icmp_limit.c) hold back the rest
    eq("tx: port unreachables + OutRateLimitHost + OutRateLimitGlobal == Udp NoPorts",
       snmp("Icmp", "OutDestUnreachs") + snmp("Icmp", "OutRateLimitHost")
       + snmp("Icmp", "OutRateLimitGlobal"), snmp("Udp", "NoPorts"))
    eq("tx: Udp OutDatagrams == echoes", snmp("Udp", "OutDatagrams"), c[("out", "udp:0")])
    eq("tx: lwIP tcp xmit == captured TCP from the guest", lw("xmit", "tcp"),
       sum_class(c, "out", "tcp"))
    eq("tx: Tcp OutSegs == captured SYN/FIN/data segments (lwIP counts no pure ACK)",
       snmp("Tcp", "OutSegs"), c[("out", "tcp-seg")])
    eq("tx: Tcp RetransSegs", snmp("Tcp", "RetransSegs"), 0)
    eq("tx: NIC bytes: GOTC == tap rx_bytes + 4 (FCS) per frame", eth("tx_good_bytes"),
       tap("rx_bytes") + 4 * tap("rx_packets"))
    # igb: the per-queue counters (ethtool -S rx_queue_N_*) add up to the
    # totals, and every frame arrived on the queue its RSS hash names
    queues = sorted(int(k.split("_")[2]) for k in after.ethtool
                    if re.fullmatch(r"rx_queue_\d+_packets", k))
    if queues:
        q = lambda f: sum(eth("rx_queue_%d_%s" % (n, f)) for n in queues)  # noqa: E731
        eq("rx: sum of rx_queue_N_packets == rx_packets", q("packets"), eth("rx_packets"))
        eq("rx: sum of rx_queue_N_bytes == rx_bytes (/proc/net/dev)", q("bytes"),
           d(lambda s: s.dev["eth0"]["rx_bytes"]))
        eq("rx: sum of rx_queue_N_drops == rx_dropped", q("drops"), eth("rx_dropped"))
        # a TX ring per queue (the sending CPU's; e1000e sends on queue 0
        # only): their sums are the totals, which the NIC's GPTC/GOTC and
        # /proc/net/dev matched above
        txq = sorted(int(k.split("_")[2]) for k in after.ethtool
                     if re.fullmatch(r"tx_queue_\d+_packets", k))
        assert txq == (queues if nic == "igb" else [0]), (nic, txq)
        tq = lambda f: sum(eth("tx_queue_%d_%s" % (n, f)) for n in txq)  # noqa: E731
        eq("tx: sum of tx_queue_N_packets == tx_packets == GPTC", tq("packets"),
           eth("tx_packets"), eth("tx_good_packets"))
        eq("tx: sum of tx_queue_N_bytes == tx_bytes (/proc/net/dev)", tq("bytes"),
           d(lambda s: s.dev["eth0"]["tx_bytes"]))
        print("per-queue tx:", [eth("tx_queue_%d_packets" % n) for n in txq])
        eq("rx: rx_rss_mismatch", after.ethtool["rx_rss_mismatch"], 0)
        if len(queues) > 1:
            busy = [n for n in queues if eth("rx_queue_%d_packets" % n)]
            print("per-queue rx:", [eth("rx_queue_%d_packets" % n) for n in queues])
            if len(busy) < 2:
                bad.append("rx: the load's flows all landed on one of %d queues" % len(queues))
    assert not bad, "%s: counters disagree:\n  %s" % (nic, "\n  ".join(bad))
