"""Hostile traffic from Debian's own attack tools (issue 11, "Tests with the
real tools"): thc-ipv6's atk6-fragmentation6 and atk6-implementation6,
hping3's random-source SYN flood and fragment floods, and nmap's TCP SYN
and UDP scans, each from inside a test namespace (netns.TestNet: root
needed, skipped otherwise) against a guest on the namespace's tap.  Nothing
leaves the namespace: the tools send on tap0 to the guest's addresses.

Every attack is bounded: a packet count (-c, -n, a port range with
--max-rate) and `timeout`.  Where a tool has a seed it is given one; hping3
(--rand-source) and nmap draw their random numbers from the clock, so their
sources and port orders differ from run to run, not their counts.

After each attack:
  no panic or hang   the console shows no "Kernel panic" and no soft-lockup
                     report (kernel/softlockup.c), and the shell answers;
  recovery           ping, ping6 (link-local), UDP echo 7, TCP echo 7 and
                     HTTP 80 each answer within RECOVERY_S of the tool's
                     exit (probed every PROBE_EVERY_S, in parallel);
  counters           the receive path's equations hold over the attack
                     (injectlib.reconcile: every frame the NIC took was
                     delivered or dropped where a counter says why), and
                     the drops are reported by reason;
  pools              every lwIP pool, the heap, sk_buffs, kmalloc and DMA
                     back at the level before the attack once the stack's
                     own timers (IP reassembly, FRAG_TIME_S here for IPv4
                     and IPv6; SYN_RCVD) have run (POOLS_SETTLE_S).

`make test` runs the quick variants: e1000, one guest for all five
attacks, short bounds, pools checked once at the end (test_quick_pools).
`make stress` (pytest -m stress) runs the full ones on e1000, e1000e and
igb, pools checked after each attack.  A guest that panicked or hung is
booted afresh for the next test."""
import os
import re
import socket
import struct
import threading
import time

import pytest

import harness
import injectlib
import netns
import netobs
import overload
from harness import report
from injectlib import APPEND, GUEST_IP, counters, delta

MAC = harness.DEFAULT_MAC
GUEST_LL = netns.eui64_linklocal(MAC)
SERVICES = ("ping", "ping6", "udp7", "tcp7", "http")
RECOVERY_S = 1.0
PROBE_EVERY_S = 0.05
PROBE_TIMEOUT_S = 0.25
# how long recovery is watched (what comes later than RECOVERY_S is reported)
RECOVERY_WATCH_S = {False: 5, True: 30}
# before an attack: every service must answer within
PRECONDITION_S = {False: 10, True: 60}
# lwIP gives up an IPv6 reassembly after net.ipv6.ip6frag_time (60 s by
# default, RFC 8200's timeout), an IPv4 one after net.ipv4.ipfrag_time (15 s
# by default): the guests here take FRAG_TIME_S for both, so the pools are
# back in seconds, not a minute; a SYN_RCVD PCB goes after 9 s
# (net.ipv4.tcp_synack_retries=1).  With the default 60 s the quick attacks'
# pools were back 37 s after the last attack: past POOLS_SETTLE_S.
FRAG_TIME_S = 5
POOLS_SETTLE_S = 30
SHELL_TIMEOUT_S = 10
# the guest's soft-lockup watchdog threshold: a hang is reported, with its
# backtrace, before the shell's timeout gives up on it
SOFTLOCKUP_S = 5
HANG_RE = re.compile(r"Kernel panic|BUG: soft lockup")
# injectlib.reconcile's equations that do not hold over an attack, and why:
#   "sent =", replies, RSTs    the tools are not bn-inject: no sent/received tally
#   "Tcp InSegs =", no-PCB     the probes' and tools' segments reach listening PCBs
#   "Ip InDelivers ="          Tcp and Udp count IPv6 segments too (as Linux's do),
#                              Ip only IPv4: nmap -6 and thc-ipv6 send TCP over IPv6
#   "fragments ="              it counts fragments that never complete (bn-inject's);
#                              hping3 and thc-ipv6 complete some datagrams, and
#                              lwIP counts those (ReasmOKs) per datagram
NOT_HERE = ("sent =", "echo replies received", "RSTs received", "ICMP echo replies received",
            "Tcp InSegs =", "Tcp no-PCB drops", "Ip InDelivers =", "fragments =")
# counters reported for each attack when they moved: what was dropped, and why
DROP_KEYS = ("tap.tx_dropped", "eth.rx_missed_errors", "eth.rx_no_buffer_count",
             "eth.rx_alloc_failed", "softnet.dropped", "qdisc.drops",
             "Ip.InHdrErrors", "Ip.InDiscards", "Ip.InAddrErrors", "Ip.InUnknownProtos",
             "Ip.ReasmFails", "Ip.ReasmTimeout", "Ip.OutDiscards",
             "Icmp.OutDestUnreachs", "Icmp.OutTimeExcds", "Udp.NoPorts", "Udp.InErrors",
             "Udp.RcvbufErrors", "Tcp.InErrs", "Tcp.OutRsts", "Tcp.AttemptFails",
             "Tcp.EstabResets", "TcpExt.ListenOverflows", "TcpExt.ListenDrops",
             "TcpExt.SyncookiesSent", "TcpExt.SyncookiesRecv", "TcpExt.SyncookiesFailed",
             "TcpExt.TCPReqQFullDoCookies", "TcpExt.TCPReqQFullDrop",
             "lwip.ip_frag.drop", "lwip.ip6_frag.drop", "lwip.ip6.drop", "lwip.ip6.err",
             "lwip.icmp6.drop", "lwip.icmp6.err", "lwip.nd6.drop", "lwip.tcp.drop",
             "lwip.tcp.memerr", "lwip.tcp.proterr", "lwip.udp.drop", "lwip.ip.drop")


# -- the guest and its namespace ---------------------------------------------
class Target:
    """A guest of one NIC model on a test namespace's tap, with what the
    tests measure against: its pool levels before the first attack."""

    def __init__(self, nic):
        self.nic = nic
        self.net = netns.TestNet(tag="hostile-" + nic)
        self.boots = 0
        self.g = None
        self.boot()

    def boot(self):
        if self.g is not None:
            self.g.close()
        self.boots += 1
        self.g = self.net.guest("hostile-tools-%s-%d" % (self.nic, self.boots), nic=self.nic,
                                append=APPEND + " softlockup_thresh=%d" % SOFTLOCKUP_S +
                                " net.ipv4.ipfrag_time=%d net.ipv6.ip6frag_time=%d"
                                % (FRAG_TIME_S, FRAG_TIME_S))
        self.g.wait_for(r"barenet: ready in", timeout=60)
        self.g.wait_prompt(30)
        # the link-local address's line comes after ready (DAD): wait for it,
        # or it lands inside a command's output that a test parses
        self.g.wait_for(r"inet6 FE80::\S+ \(link-local\)$", timeout=30)
        injectlib.tap_wait_reachable(self.net, self.g)
        deadline = time.monotonic() + 30
        while counters(self.g).get("memp.MLD6_GROUP", 0) < 1 or \
                "tentative" in self.g.shell("ip addr"):
            assert time.monotonic() < deadline, self.g.output[-3000:]
            time.sleep(0.5)
        # every service once (and the namespace learns the guest's MAC for
        # both families), then the levels the pools must come back to
        r = recover(self, time.monotonic(), watch_s=10)
        assert all(v is not None for v in r.values()), ("a service does not answer", r)
        self.pools0 = settled_pools(self, None, 5)[0]

    def ensure(self):
        """Boot afresh when the guest panicked, hung or is gone."""
        if self.g.proc.poll() is not None or HANG_RE.search(self.g.output):
            self.boot()
            return
        try:
            self.g.view("cat /proc/uptime", timeout=SHELL_TIMEOUT_S)
        except TimeoutError:
            self.boot()

    def close(self):
        self.net.close()


def tap_stats(net):
    out = {}
    for k in ("tx_packets", "tx_dropped"):
        r = net.run(["cat", "/sys/class/net/tap0/statistics/" + k], check=True)
        out["tap." + k] = int(r.stdout)
    return out


def all_counters(t):
    c = counters(t.g)
    for m in overload.QDISC.finditer(t.g.view("cat /proc/barenet/metrics | grep qdisc_")):
        c["qdisc." + m.group(1)] = int(m.group(2))
    c.update(tap_stats(t.net))
    return c


# The views are read one after the other (/proc/net/snmp, ethtool -S, lo's
# statistics, the lwIP and softnet metrics), so a packet that arrives
# meanwhile is in some and not yet in others.  The one seen: a packet the
# guest sends to itself, which lwIP loops back (lo.rx_packets, lwIP
# ip6.recv and link.recv each +1; 56 bytes of IPv6 that no ICMPv6, UDP or
# TCP counter takes, with lwIP's nd6.xmit +2 beside it) in 4 of 8 quick
# runs, at a time that varies (once between two baseline readings, before
# the attack).  Delivered in the baseline after the read of lo's statistics
# and before the read of lwIP's metrics, it leaves the baseline's ip6.recv
# one ahead of its lo.rx_packets, and every later reading says
# "processed 255 != 254" (a fresh-clone make test: all three of its reads;
# only the readings after the attack were retried).  So each snapshot,
# the baseline's too, is taken again until two in a row agree on every
# counter the reconciliation uses: nothing moved between the first view of
# the one and the last view of the other, so the second is the counters of
# one instant, and the equations stay exact.  (Counters the equations do
# not read may move meanwhile: SYN-ACKs a SYN flood left retransmitting.)
QUIET_TRIES = 10


class _KeysRead(dict):
    """A counter delta of zeros that notes which counters are read."""

    def __init__(self):
        super().__init__()
        self.read = set()

    def __getitem__(self, k):
        self.read.add(k)
        return 0

    def get(self, k, default=None):
        self.read.add(k)
        return 0


def _reconcile_keys():
    d = _KeysRead()
    injectlib.reconcile(d, {}, {})
    return frozenset(d.read)


RECONCILE_KEYS = _reconcile_keys()


def quiet_counters(t):
    """all_counters(t) from a moment when no packet moved the counters the
    reconciliation reads (see above); fails if they never held still."""
    prev = all_counters(t)
    for _ in range(QUIET_TRIES):
        cur = all_counters(t)
        moved = sorted(k for k in RECONCILE_KEYS if prev.get(k) != cur.get(k))
        if not moved:
            return cur
        prev = cur
        time.sleep(0.3)
    raise AssertionError("the counters still moved after %d readings: %s"
                         % (QUIET_TRIES + 1, {k: (prev.get(k), cur.get(k)) for k in moved}))


class _Shim:
    """overload.pools_now() reads ig.g."""

    def __init__(self, g):
        self.g = g


def settled_pools(t, want, timeout):
    """(pools, seconds waited): the pool levels (overload.pools_now without
    MemFree: TIME_WAIT PCBs left out) once they equal want, or when timeout
    passed; want None: once two readings a second apart agree."""
    t0 = time.monotonic()
    prev = None
    while True:
        p = overload.pools_now(_Shim(t.g))
        p.pop("MemFree_kB")
        if (want is not None and p == want) or (want is None and p == prev) \
                or time.monotonic() - t0 > timeout:
            return p, time.monotonic() - t0
        prev = p
        time.sleep(1)


# -- the service probes --------------------------------------------------------
def _icmp4_probe(sock, ident, seq):
    sock.send(netobs.icmp_echo_request(ident, seq, b"hostile-probe"))
    end = time.monotonic() + PROBE_TIMEOUT_S
    while time.monotonic() < end:
        sock.settimeout(max(0.01, end - time.monotonic()))
        try:
            pkt = sock.recv(2048)
        except socket.timeout:
            return False
        ihl = (pkt[0] & 0xf) * 4
        typ, _, _, rid, rseq = struct.unpack("!BBHHH", pkt[ihl:ihl + 8])
        if typ == 0 and rid == ident and rseq == seq:
            return True
    return False


def _icmp6_probe(sock, dst, ident, seq):
    # the kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket
    sock.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, seq) + b"hostile-probe", dst)
    end = time.monotonic() + PROBE_TIMEOUT_S
    while time.monotonic() < end:
        sock.settimeout(max(0.01, end - time.monotonic()))
        try:
            pkt = sock.recv(2048)
        except socket.timeout:
            return False
        typ, _, _, rid, rseq = struct.unpack("!BBHHH", pkt[:8])
        if typ == 129 and rid == ident and rseq == seq:
            return True
    return False


class Prober(threading.Thread):
    """Probe one service every PROBE_EVERY_S until it answers or until
    `until`; .answered: seconds from t0 to the first answer, or None."""

    def __init__(self, t, kind, t0, until, ident):
        super().__init__(daemon=True)
        self.t, self.kind, self.t0, self.until, self.icmp_id = t, kind, t0, until, ident
        self.answered = None
        self.tries = 0
        self.error = None

    def _sock(self, family, kind, proto=0):
        with self.t.net.entered():
            s = socket.socket(family, kind, proto)
            if family == socket.AF_INET6:
                self.scope = socket.if_nametoindex(netns.TAP)
        return s

    def once(self, seq):
        k = self.kind
        if k == "ping":
            return _icmp4_probe(self.raw, self.icmp_id, seq)
        if k == "ping6":
            return _icmp6_probe(self.raw, (GUEST_LL, 0, 0, self.scope), self.icmp_id, seq)
        if k == "udp7":
            data = os.urandom(16)
            self.udp.send(data)
            self.udp.settimeout(PROBE_TIMEOUT_S)
            end = time.monotonic() + PROBE_TIMEOUT_S
            while time.monotonic() < end:
                try:
                    if self.udp.recv(64) == data:
                        return True
                except socket.timeout:
                    return False
            return False
        s = self._sock(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.settimeout(PROBE_TIMEOUT_S)
            if k == "tcp7":
                s.connect((GUEST_IP, 7))
                data = os.urandom(16)
                s.sendall(data)
                got = b""
                while len(got) < len(data):
                    chunk = s.recv(64)
                    if not chunk:
                        break
                    got += chunk
                return got == data
            s.connect((GUEST_IP, 80))
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.0 200 ")
        except OSError:
            return False
        finally:
            s.close()

    def run(self):
        try:
            if self.kind == "ping":
                self.raw = self._sock(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                self.raw.connect((GUEST_IP, 0))
            elif self.kind == "ping6":
                self.raw = self._sock(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
            elif self.kind == "udp7":
                self.udp = self._sock(socket.AF_INET, socket.SOCK_DGRAM)
                self.udp.connect((GUEST_IP, 7))
            seq = 0
            while time.monotonic() < self.until:
                start = time.monotonic()
                seq += 1
                self.tries += 1
                try:
                    ok = self.once(seq & 0xffff)
                except OSError:
                    ok = False
                if ok:
                    self.answered = time.monotonic() - self.t0
                    return
                time.sleep(max(0, PROBE_EVERY_S - (time.monotonic() - start)))
        except Exception as e:    # reported by recover()
            self.error = e
        finally:
            for name in ("raw", "udp"):
                if hasattr(self, name):
                    getattr(self, name).close()


_ident = [0x4800]


def recover(t, t0, watch_s):
    """{service: seconds from t0 to its first answer, or None}: every
    service probed in parallel from now until it answers, for watch_s."""
    until = time.monotonic() + watch_s
    probers = []
    for k in SERVICES:
        _ident[0] = (_ident[0] + 1) & 0xffff
        probers.append(Prober(t, k, t0, until, _ident[0]))
    for p in probers:
        p.start()
    for p in probers:
        p.join(watch_s + 10)
    errors = [(p.kind, p.error) for p in probers if p.error]
    assert not errors, errors
    return {p.kind: p.answered for p in probers}


# -- the attacks -------------------------------------------------------------------
def run_tool(t, argv, limit_s):
    """Run argv in the namespace under `timeout` (SIGINT, then SIGKILL 5 s
    later); (exit status, output, seconds).  124 is timeout's 'ran out'."""
    cmd = ["timeout", "-s", "INT", "-k", "5", str(limit_s)] + [str(a) for a in argv]
    t0 = time.monotonic()
    r = t.net.run(cmd, timeout=limit_s + 30)
    return r.returncode, r.stdout + r.stderr, time.monotonic() - t0


def hping_sent(out):
    m = re.search(r"(\d+) packets transmitted", out)
    return int(m.group(1)) if m else None


def attack_nmap(t, full):
    ports = "1-65535" if full else "1-1024"
    udp_ports = "1-1024" if full else "1-100"
    outs, notes = [], []
    for argv, limit in (
            (["nmap", "-n", "-Pn", "-sS", "-p", ports, "--max-rate", 3000 if full else 1000,
              "--max-retries", 1, "--host-timeout", "120s", GUEST_IP], 150 if full else 40),
            (["nmap", "-n", "-Pn", "-sU", "-p", udp_ports, "--max-rate", 1000 if full else 300,
              "--max-retries", 1, "--host-timeout", "120s", GUEST_IP], 150 if full else 30)):
        rc, out, secs = run_tool(t, argv, limit)
        assert rc == 0, (argv, rc, out[-2000:])
        outs.append(out)
        notes.append("%s %.1f s" % (argv[3], secs))
    if full:
        rc, out, secs = run_tool(t, ["nmap", "-6", "-n", "-Pn", "-sS", "-e", netns.TAP, "-p",
                                     "1-1024", "--max-rate", 1000, "--max-retries", 1,
                                     GUEST_LL + "%" + netns.TAP], 60)
        assert rc == 0, (rc, out[-2000:])
        outs.append(out)
        notes.append("-6 -sS %.1f s" % secs)
    text = "\n".join(outs)
    tcp_open = sorted(int(p) for p in re.findall(r"^(\d+)/tcp\s+open\s", outs[0], re.M))
    # the scan sees the services: echo, discard, HTTP, iperf listen
    for port in (7, 9, 80):
        assert port in tcp_open, (tcp_open, outs[0][-2000:])
    udp = re.findall(r"^(\d+)/udp\s+(\S+)\s", outs[1], re.M)
    return "nmap (%s): tcp open %s; udp %s" % (
        ", ".join(notes), tcp_open, ", ".join("%s %s" % u for u in udp if u[1] != "closed")
        or "-"), text


def attack_syn_flood(t, full):
    if full:
        argv = ["hping3", "-q", "-S", "-p", 80, "--rand-source", "--flood", "-c", 2000000, GUEST_IP]
        limit = 10
    else:
        argv = ["hping3", "-q", "-S", "-p", 80, "--rand-source", "-i", "u500", "-c", 3000, GUEST_IP]
        limit = 10
    rc, out, secs = run_tool(t, argv, limit)
    assert rc in (0, 1, 124), (rc, out[-2000:])
    return "hping3 SYN flood to :80, random sources: %s SYNs in %.1f s" % (
        hping_sent(out), secs), out


# segments of the probes' own connections that may be neither answered
# nor counted as a listen drop (a probe abandoned at its timeout)
SYN_SLACK = 100


def syn_drops_counted(d):
    """The SYNs the guest did not answer are counted where Linux counts
    them (TcpExt ListenDrops: a full SYN or accept queue): unanswered =
    Tcp InSegs - (Tcp OutSegs + SyncookiesSent), each SYN-ACK one segment
    out, retransmissions counted in its favour."""
    unanswered = d["Tcp.InSegs"] - d["Tcp.OutSegs"] - d.get("TcpExt.SyncookiesSent", 0)
    counted = d.get("TcpExt.ListenDrops", 0)
    report("hostile SYN accounting: Tcp InSegs %d, OutSegs %d, SyncookiesSent %d, "
           "ListenDrops %d: %d SYNs neither answered nor counted" % (
               d["Tcp.InSegs"], d["Tcp.OutSegs"], d.get("TcpExt.SyncookiesSent", 0), counted,
               max(0, unanswered - counted)))
    if unanswered > counted + SYN_SLACK:
        return ["%d SYNs neither answered (SYN-ACK, cookie) nor counted (ListenDrops %d)"
                % (unanswered, counted)]
    return []


def attack_frag_flood(t, full):
    n = 20000 if full else 1000
    notes, outs = [], []
    for what, argv in (
            # whole datagrams cut into 8 fragments (a 256-byte virtual MTU):
            # each one reassembled and echoed
            ("complete", ["hping3", "-q", "--udp", "-p", 7, "--rand-source", "-d", 1200, "-m", 256,
                          "-i", "u1000", "-c", n // 4, GUEST_IP]),
            # first fragments only (MF set, never completed): reassembly
            # holds each until it gives up
            ("first-only", ["hping3", "-q", "--udp", "-p", 7, "--rand-source", "-x", "-d", 1000,
                            "-i", "u300", "-c", n, GUEST_IP])):
        rc, out, secs = run_tool(t, argv, 60 if full else 10)
        assert rc in (0, 1, 124), (rc, out[-2000:])
        outs.append(out)
        notes.append("%s: %s datagrams in %.1f s" % (what, hping_sent(out), secs))
    return "hping3 fragment flood to :7, random sources (%s)" % "; ".join(notes), "\n".join(outs)


def attack_implementation6(t, full):
    rc, out, secs = run_tool(t, ["atk6-implementation6", netns.TAP, GUEST_LL], 240 if full else 8)
    # 1: some test got no reply or an error (the tool's verdict, not ours)
    assert rc in (0, 1, 124), (rc, out[-2000:])
    tests = re.findall(r"^Test\s+(\d+): (.*?)\s+(PASSED|FAILED)", out, re.M)
    return "atk6-implementation6: %d tests run in %.1f s (%d answered)" % (
        len(tests), secs, sum(1 for x in tests if x[2] == "PASSED")), out


# thc-ipv6 3.8's fragmentation6 test cases 34..36, "Multifragment Level
# 1..3": fragments whose reassembled payload is another fragment (issue 11,
# finding 1); its run without a case number stops before them (33 cases)
FRAG6_MULTIFRAGMENT = (34, 35, 36)


def attack_fragmentation6(t, full):
    outs, notes = [], []
    runs = []
    if full:
        runs.append((["atk6-fragmentation6", netns.TAP, GUEST_LL], 240))
    for case in FRAG6_MULTIFRAGMENT:
        runs.append((["atk6-fragmentation6", "-p", "-n", 100 if full else 20, netns.TAP,
                      GUEST_LL, case], 60 if full else 10))
    for argv, limit in runs:
        rc, out, secs = run_tool(t, argv, limit)
        assert rc == 0, (argv, rc, out[-2000:])
        outs.append(out)
        cases = len(re.findall(r"^(?:ATTACK (?:Firewall|Implementation|DOS)|Multifragment) ",
                               out, re.M))
        notes.append("%s: %d sent in %.1f s" % (
            "case %s" % argv[-1] if argv[1] == "-p" else "all cases", cases, secs))
    return "atk6-fragmentation6 (%s)" % "; ".join(notes), "\n".join(outs)


# in this order: the quick variants check the pools once at the end, and
# the IPv6 fragments' reassembly (60 s) runs out while the others run; the
# SYN flood last, as what it leaves (SYN_RCVD PCBs) denies HTTP for a while
# on a stack without SYN cookies
# further checks of an attack's counter delta: [problems]
CHECKS = {"syn_flood": syn_drops_counted}
ATTACKS = {
    "fragmentation6": attack_fragmentation6,
    "frag_flood": attack_frag_flood,
    "nmap": attack_nmap,
    "implementation6": attack_implementation6,
    "syn_flood": attack_syn_flood,
}


def run_attack(t, name, full):
    """One attack with every check but the pools' (the caller's, once the
    stack's timers have run); returns the counters before it."""
    t.ensure()
    g = t.g
    # from a guest that serves: an earlier attack may still hold it down
    pre = recover(t, time.monotonic(), PRECONDITION_S[full])
    assert all(v is not None for v in pre.values()), \
        "%s: not every service answers before the attack (%d s): %s" % (
            name, PRECONDITION_S[full], pre)
    before_mark = len(g.output)
    c0 = quiet_counters(t)
    summary, _ = ATTACKS[name](t, full)
    t_end = time.monotonic()
    rec = recover(t, t_end, RECOVERY_WATCH_S[full])
    hang = HANG_RE.search(g.output, before_mark)
    alive = g.proc.poll() is None and not hang
    if alive:
        try:
            g.view("cat /proc/uptime", timeout=SHELL_TIMEOUT_S)
        except TimeoutError:
            alive = False
    head = "hostile %s %s: %s" % (t.nic, name, summary)
    report(head)
    report("hostile %s %s: first answer after the attack: %s" % (t.nic, name, ", ".join(
        "%s %s" % (k, "%.0f ms" % (v * 1000) if v is not None else "none in %d s"
                   % RECOVERY_WATCH_S[full]) for k, v in rec.items())))
    if not alive:
        report("hostile %s %s: guest dead: %s" % (t.nic, name, (hang.group(0) if hang else
                                                                 "the shell does not answer")))
    assert not hang, "%s: %s\n%s" % (name, hang.group(0), g.output[hang.start():][:4000])
    assert alive, "%s: the guest's shell does not answer\n%s" % (name, g.output[-3000:])
    d = delta(c0, quiet_counters(t))
    bad = [b for b in injectlib.reconcile(d, {}, {}) if not b.startswith(NOT_HERE)]
    drops = {k: d[k] for k in DROP_KEYS if d.get(k)}
    report("hostile %s %s: tap sent %d frames (host dropped %d), NIC took %d; counted drops %s"
           % (t.nic, name, d["tap.tx_packets"], d["tap.tx_dropped"], d["eth.rx_packets"], drops))
    bad += CHECKS.get(name, lambda d: [])(d)
    late = [k for k, v in rec.items() if v is None or v >= RECOVERY_S]
    assert not late, "%s: not back within %.1f s after the attack: %s" % (name, RECOVERY_S, rec)
    assert not bad, "%s: the counters do not account for every frame: %s" % (name, bad)
    return c0


def check_pools(t, label):
    """The pools back at t.pools0 within POOLS_SETTLE_S."""
    p, waited = settled_pools(t, t.pools0, POOLS_SETTLE_S)
    diff = {k: (t.pools0.get(k), p.get(k)) for k in set(p) | set(t.pools0)
            if p.get(k) != t.pools0.get(k)}
    report("hostile %s %s: pools %s after %.0f s%s" % (
        t.nic, label, "back at their baseline" if not diff else "NOT back", waited,
        "" if not diff else ": %s" % diff))
    assert not diff, "pools not at their baseline %d s after %s: %s" % (POOLS_SETTLE_S, label, diff)


# -- the tests ---------------------------------------------------------------------
_TOOLS = {"atk6-fragmentation6": "thc-ipv6", "hping3": "hping3", "nmap": "nmap"}


@pytest.fixture(scope="module")
def targets(kernel):
    netns.require()
    missing = [pkg for cmd, pkg in _TOOLS.items()
               if not any(os.access(os.path.join(d, cmd), os.X_OK)
                          for d in ("/usr/bin", "/usr/sbin", "/bin", "/sbin"))]
    if missing:
        pytest.fail("missing %s: run make deps" % " ".join(missing))
    made = {}

    def get(nic):
        if nic not in made:
            made[nic] = Target(nic)
        return made[nic]
    yield get
    for t in made.values():
        t.close()


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_quick(targets, attack):
    run_attack(targets("e1000"), attack, full=False)


def test_quick_pools(targets):
    """After the quick attacks (on the guest that took the last of them,
    when one left it dead): pools back at their baseline."""
    t = targets("e1000")
    t.ensure()
    check_pools(t, "quick attacks")


@pytest.mark.stress
@pytest.mark.parametrize("attack", list(ATTACKS))
@pytest.mark.parametrize("nic", ["e1000", "e1000e", "igb"])
def test_full(targets, nic, attack):
    t = targets(nic)
    run_attack(t, attack, full=True)
    check_pools(t, attack)
