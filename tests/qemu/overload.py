"""Overload and recovery (issue 6): what a guest on -netdev dgram
(injectlib.InjectGuest) sustains, a flood well above it, where each frame it
could not take was dropped and counted, and how soon it answers again.

Where an injected frame can end, and the counter that says so:
  the host     QEMU stops reading its dgram socket while the NIC model has
               no free receive descriptor; the host drops what the socket
               buffer cannot hold: the `drops` column of /proc/net/udp for
               QEMU's socket (host_drops())
  the NIC      refused or missed: ethtool's rx_missed_errors (MPC),
               rx_long_length_errors (ROC)
  the driver   received: ethtool's rx_packets, or no buffer to replace the
               one lent up with the frame (zero copy) nor an sk_buff to copy
               it into: rx_alloc_failed; then the glue (status page; its
               `no-memory`, glue.rx_nomem, from before zero copy, stays 0)
  softnet      processed, or dropped with the backlog full (softnet.dropped)
  lwIP         by layer and reason (injectlib.reconcile's equations)
The guest's answers may in turn be refused by its qdisc (qdisc.drops) or
dropped by the host at the injector's socket (bn-inject's rx_overflow).

The recovery probe (Prober) plays the injector's host (10.0.2.2,
02:00:00:00:00:02) on the same socket address once bn-inject has exited, and
sends a UDP echo, an ICMP echo and a TCP SYN to port 7 every 10 ms until
each is answered; the time from bn-inject's last frame (its
end_send_mono_ns, CLOCK_MONOTONIC, as time.monotonic()) to each first answer
is the recovery time.  A SYN-ACK is answered with a RST: no connection is
left behind."""
import os
import re
import select
import socket
import struct
import time

import rawtcp
from injectlib import GUEST_IP, MAC, counters

HOST_IP = "10.0.2.2"
HOST_MAC = "02:00:00:00:00:02"
ECHO_PORT = 7
PROBE_INTERVAL_S = 0.010
PROBE_KINDS = ("udp", "icmp", "tcp")
ETH_P_IP, ETH_P_ARP = 0x0800, 0x0806
IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP = 1, 6, 17
TCP_SYN, TCP_RST, TCP_ACK = 0x02, 0x04, 0x10
ICMP_ECHO_REPLY, ICMP_ECHO = 0, 8

QDISC = re.compile(r'^barenet_qdisc_(\w+?)(?:_total)?\{dev="eth0"\} (\d+)$', re.M)
GLUE = re.compile(r"rx (\d+) frames \d+ bytes, (\d+) no-memory.*?tx (\d+) frames, (\d+) no-memory, "
                  r"(\d+) qdisc-full, (\d+) errors")


def host_drops(port):
    """(drops, rx_queue bytes) of the host's UDP socket bound to
    127.0.0.1:port (QEMU's end of -netdev dgram), from /proc/net/udp."""
    want = "0100007F:%04X" % port
    with open("/proc/net/udp") as f:
        for line in f.readlines()[1:]:
            w = line.split()
            if w[1] == want:
                return int(w[-1]), int(w[4].split(":")[1], 16)
    raise AssertionError("no UDP socket on 127.0.0.1:%d in /proc/net/udp" % port)


def all_counters(ig):
    """injectlib.counters() plus the qdisc's (qdisc.<name>), the glue's from
    the status page (glue.rx_frames, glue.rx_nomem, ...) and the host's
    drops at QEMU's socket (host.drops, host.rx_queue)."""
    c = counters(ig.g)
    for m in QDISC.finditer(ig.g.view("cat /proc/barenet/metrics | grep qdisc_")):
        c["qdisc." + m.group(1)] = int(m.group(2))
    m = GLUE.search(ig.g.shell("httpget /status"))
    assert m, "no glue counters on the status page"
    for k, v in zip(("rx_frames", "rx_nomem", "tx_frames", "tx_nomem", "tx_qdisc_full",
                     "tx_errors"), m.groups()):
        c["glue." + k] = int(v)
    c["host.drops"], c["host.rx_queue"] = host_drops(ig.qemu_port)
    return c


# -- frames (built by rawtcp's helpers) -------------------------------------
def eth(ethertype, payload, dst=MAC):
    return rawtcp.ether_frame(dst, HOST_MAC, ethertype, payload)


def ipv4(proto, payload, ident=0):
    return eth(ETH_P_IP, rawtcp.ipv4_packet(HOST_IP, GUEST_IP, proto, payload, ident, df=False))


def udp_frame(sport, dport, payload):
    # checksum 0: none (allowed for UDP over IPv4)
    return ipv4(IPPROTO_UDP, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)


def icmp_echo_frame(ident, seq, payload):
    body = struct.pack("!BBHHH", ICMP_ECHO, 0, 0, ident, seq) + payload
    body = body[:2] + struct.pack("!H", rawtcp.csum(body)) + body[4:]
    return ipv4(IPPROTO_ICMP, body, ident=seq)


def tcp_frame(sport, dport, seq, ack, flags):
    return eth(ETH_P_IP, rawtcp.tcp_packet(HOST_IP, GUEST_IP, sport, dport, seq, ack, flags, 8192,
                                           df=False))


def arp_reply_frame(req):
    """Our answer to the guest's ARP request req (who has 10.0.2.2?), or None."""
    if len(req) < 42 or struct.unpack("!H", req[12:14])[0] != ETH_P_ARP:
        return None
    op, sha, spa, tpa = struct.unpack("!H", req[20:22])[0], req[22:28], req[28:32], req[38:42]
    if op != 1 or tpa != socket.inet_aton(HOST_IP):
        return None
    mac = ":".join("%02x" % b for b in sha)
    return eth(ETH_P_ARP, rawtcp.arp_body(2, HOST_MAC, HOST_IP, mac, socket.inet_ntoa(spa)),
               dst=mac)


class Prober:
    """The injector's host on its socket address, after bn-inject exits:
    times the guest's first answers (see the module doc)."""

    def __init__(self, ig, sport=40007, ident=0x5a5a):
        self.ig = ig
        self.sport = sport
        self.ident = ident
        self.sent = 0
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind(("127.0.0.1", ig.our_port))
        self.s.setblocking(False)
        self.qemu = ("127.0.0.1", ig.qemu_port)

    def close(self):
        self.s.close()

    def _send(self, frame):
        self.s.sendto(frame, self.qemu)
        self.sent += 1

    def _classify(self, f, isn):
        """'udp', 'icmp' or 'tcp' for an answer to our probes, else None;
        ARP requests for us are answered."""
        reply = arp_reply_frame(f)
        if reply:
            self._send(reply)
            return None
        if len(f) < 34 or struct.unpack("!H", f[12:14])[0] != ETH_P_IP:
            return None
        ihl = (f[14] & 0xf) * 4
        proto, l4 = f[23], f[14 + ihl:]
        if proto == IPPROTO_UDP and len(l4) >= 8:
            sport, dport = struct.unpack("!HH", l4[:4])
            return "udp" if (sport, dport) == (ECHO_PORT, self.sport) else None
        if proto == IPPROTO_ICMP and len(l4) >= 8:
            typ, _, _, ident, _ = struct.unpack("!BBHHH", l4[:8])
            return "icmp" if typ == ICMP_ECHO_REPLY and ident == self.ident else None
        if proto == IPPROTO_TCP and len(l4) >= 20:
            sport, dport, seq, ack, _, flags = struct.unpack("!HHIIBB", l4[:14])
            if (sport, dport) != (ECHO_PORT, self.sport) or ack != isn + 1:
                return None
            if flags & (TCP_SYN | TCP_ACK) == TCP_SYN | TCP_ACK:
                # the handshake half done is the answer; a RST frees the PCB
                self._send(tcp_frame(self.sport, ECHO_PORT, isn + 1, 0, TCP_RST))
                return "tcp"
        return None

    def recover(self, t0, timeout=10.0, settle=0.3):
        """Probe every PROBE_INTERVAL_S until each kind is answered (or
        timeout); returns {kind: seconds from t0 to its first answer, or
        None}, and 'first_probe': seconds from t0 to our first probe."""
        isn = int(t0 * 1000) & 0x7fffffff
        got = {}
        first = time.monotonic()
        seq = 0
        deadline = first + timeout
        quiet_until = None
        while True:
            now = time.monotonic()
            if now > deadline or (quiet_until and now > quiet_until):
                break
            if len(got) < len(PROBE_KINDS):
                seq += 1
                if "udp" not in got:
                    self._send(udp_frame(self.sport, ECHO_PORT, b"probe %08d" % seq))
                if "icmp" not in got:
                    self._send(icmp_echo_frame(self.ident, seq & 0xffff, b"probe"))
                if "tcp" not in got:
                    # the same SYN each time: one half-open PCB at most
                    self._send(tcp_frame(self.sport, ECHO_PORT, isn, 0, TCP_SYN))
            tick = now + PROBE_INTERVAL_S
            while True:
                left = tick - time.monotonic()
                if left <= 0:
                    break
                if not select.select([self.s], [], [], left)[0]:
                    continue
                while True:
                    try:
                        f = self.s.recv(2048)
                    except BlockingIOError:
                        break
                    kind = self._classify(f, isn)
                    if kind and kind not in got:
                        got[kind] = time.monotonic() - t0
            if len(got) == len(PROBE_KINDS) and quiet_until is None:
                # take (and RST) late answers to our repeated probes
                quiet_until = time.monotonic() + settle
        out = {k: got.get(k) for k in PROBE_KINDS}
        out["first_probe"] = first - t0
        return out


def measure_sustained(ig, count=5000, size=60, window=64):
    """The UDP echo rate the guest sustains without loss: a closed-loop
    flood, at most window echoes outstanding (bn-inject --window); pps."""
    s = ig.inject("flood", "--count", count, "--size", "%d:%d" % (size, size), "--flows", 16,
                  "--window", window)
    assert s["received"]["udp-echo"] == count and s["window_lost"] == 0, s
    return s["rate_pps"]


def wait_drained(ig, timeout=20):
    """Wait until QEMU's socket is empty and the guest's receive counters
    stop moving; all_counters() then."""
    deadline = time.monotonic() + timeout
    prev = None
    while True:
        c = all_counters(ig)
        key = (c["eth.rx_packets"], c["eth.rx_missed_errors"], c["host.drops"], c["host.rx_queue"])
        if c["host.rx_queue"] == 0 and key == prev:
            return c
        assert time.monotonic() < deadline, "the receive path never went quiet: %s" % (key,)
        prev = key
        time.sleep(0.5)


def account(d, injected):
    """The equations that close the injected frames' account over a counter
    delta d (all_counters); [(name, left, right)] of those that fail."""
    bad = []

    def check(name, left, right):
        if left != right:
            bad.append((name, left, right))

    check("injected = NIC received + NIC missed + NIC too long + driver found no buffer "
          "+ host drops at QEMU's socket",
          injected, d["eth.rx_packets"] + d["eth.rx_missed_errors"] + d["eth.rx_long_length_errors"]
          + d.get("eth.rx_alloc_failed", 0) + d["host.drops"])
    check("NIC received = glue received", d["eth.rx_packets"], d["glue.rx_frames"])
    check("glue received = softnet processed + backlog drops + no sk_buff",
          d["glue.rx_frames"], d["softnet.processed"] + d["softnet.dropped"] + d["glue.rx_nomem"])
    return bad


def pools_now(ig):
    """The buffer pools' levels (injectlib.pools) and /proc/meminfo's
    MemFree.  TCP PCBs in TIME_WAIT (/proc/net/tcp state 06) are left out of
    memp.TCP_PCB: all_counters()' `httpget /status` leaves one per call, for 2 MSL."""
    import injectlib
    c = counters(ig.g)
    p = injectlib.pools(c)
    tw = sum(1 for line in ig.g.view("cat /proc/net/tcp").splitlines()[1:]
             if len(line.split()) > 3 and line.split()[3] == "06")
    p["memp.TCP_PCB"] -= tw
    m = re.search(r"MemFree:\s+(\d+) kB", ig.g.view("cat /proc/meminfo"))
    p["MemFree_kB"] = int(m.group(1))
    return p


def env_int(name, default):
    v = os.environ.get(name)
    return int(v) if v else default
