"""Hostile traffic against a guest on a netns tap (issue 11).

Each attack runs from a test namespace (tests/qemu/netns.py TestNet) against
one guest on tap0, bounded in count and time, and then the guest must:
not have panicked or hung, answer ping, ping6 and UDP echo within 1 s
(`Target.assert_alive`), and show in its counters what it dropped.

Layout, for the helpers that add attacks here:
  * the `target` fixture boots one guest per test (NIC model from the
    `model` parameter; e1000 in `make test`, every model under -m stress)
    and returns a Target: addresses, a `scapy(script, *args)` runner that
    executes Python with scapy inside the namespace, `snmp6()`/`snmp()`
    (the guest's /proc/net views parsed), `assert_alive()`;
  * one section per attack family below (IPv6 fragments and path MTU here;
    SYN floods, slot exhaustion and identifiers go in their own sections),
    each with a quick test on e1000 and a `stress`-marked one over
    MODELS, both calling the same check function.

IPv6 fragments and path MTU (findings 1 and 2 of the issue; the fixes are
lwIP patches in net/lwip/patches/):
  nested  60 datagrams whose reassembled payload is itself a Fragment
          header carrying a UDP echo request: the guest must drop each
          (a fragment of a fragment; Linux drops them too), count it in
          Ip6ReasmFails, answer none of them, and still answer an
          ordinary fragmented datagram.  lwIP 2.1.3 panicked on the
          41st; 2.2.1 unpatched answers them.
  ptb     an ICMPv6 Packet Too Big with MTU 50 for the host's address:
          the path MTU stays at 1280 (RFC 8201), so a 100-byte echo is
          answered whole and a 1400-byte one in fragments of at most
          1280 bytes; a later PTB with MTU 9000 does not raise it.
          Unpatched, the first reply that needs fragmenting hangs the
          guest for good (ip6_frag loops on a fragment size of 0).

Identifiers and rate-limited errors (their own guest fixture `ids_target`,
one guest per model for the whole section; e1000 in make test, every model
under -m stress): identifiers an off-path attacker cannot predict, and
rate-limited errors.
  - TCP initial sequence numbers (RFC 6528): ~50 SYN-ACKs to one port from
    different source ports are far apart (lwIP's own counter gave 6511,
    6512, 6513, ...), and the same 4-tuple later gets an ISN moved on by the
    4 us clock;
  - IPv4 IDs (RFC 7739): the IDs of replies to two hosts interleaved are two
    unrelated sequences (lwIP's one counter gives n, n+1, n+2, ... across
    both, the idle-scan side channel), and one host sees random steps; so
    do the Fragment header IDs of fragmented IPv6 replies to three host
    addresses; a host's step is bounded by the guest's own ms between two
    replies, read off the ISNs of SYN-ACKs around them;
  - ICMP/ICMPv6 errors: a burst of 500 datagrams to closed ports gets at
    most the burst plus the rate times the time, and the guest counts the
    rest (Icmp OutRateLimitHost/Global, Icmp6OutRateLimitHost): sent +
    suppressed = Udp NoPorts exactly; `sysctl -w net.ipv4.icmp_msgs_per_sec`
    and friends change the limits at once;
  - RSTs for segments that meet no connection are limited too (TcpExt
    TCPRstRateLimit);
  - FragCreates counts the fragments the guest makes, EstabResets only
    resets (lwIP counted every close);
  - the iperf service's console lines are rate-limited.

Each test of this section fails on the code before issue 11 (see each
docstring), but the one that keeps errors to our own addresses unlimited.

Slots, per-connection limits and SYN floods (findings 3-6; the section
"One client against the others" below, with the Hostile guest and its
`quick` and `full` fixtures):
  A guest on each NIC model in a namespace of the test's own (netns.TestNet,
  the guest at 10.0.2.15 on tap0).  The attacker is the namespace's 10.0.2.2
  (kernel sockets) or addresses played on the tap by hand (rawtcp.RawLink:
  10.0.2.100 and up, and random sources for SYN floods); the client that
  must still be served is 10.0.2.3, a second address on the tap.

  Each attack checks what it must (a client from another address served in
  at least 9 of 10 tries within 2 s, the connection dropped, the whole
  answer delivered), then that every service answers within 1 s of its end,
  that the pools (lwIP's memp elements; TCP PCBs in TIME_WAIT left out: each
  served HTTP request leaves one for 2 MSL) are back at their baseline, and
  that the counters say what was refused, evicted or reset.

  make test runs the quick variants (e1000, one boot, the counts below
  QUICK_*); `pytest -m stress` the full ones on e1000, e1000e and igb.
  Every count and time is bounded; traffic goes only to the guest.
"""
import errno
import json
import os
import re
import socket
import struct
import threading
import time

import pytest

import netns
import rawtcp
from harness import DEFAULT_MAC, Guest, report
from netobs import parse_metrics
from netparse import parse_snmp, without_klog
from test_journey import Journey, driver_missing

MODELS = ["e1000", "e1000e", "igb"]
MAC = "52:54:00:12:34:56"
GUEST6 = netns.eui64_linklocal(MAC)
BOOT_TIMEOUT_S = 60
ALIVE_S = 1.0                   # every service answers within this after an attack
ALIVE_TRIES = 3                 # ... in one of this many consecutive tries
UDP_ECHO = 7


class Target:
    """One guest under attack and the means to attack and check it."""

    def __init__(self, net, guest, model):
        self.net, self.g, self.model = net, guest, model
        self.host6 = host_linklocal(net)
        self.guest6 = GUEST6

    # -- running things in the namespace --------------------------------
    def scapy(self, script, *args, timeout=120):
        """Run script (Python; scapy importable) in the namespace with
        argv[1:] = iface, guest MAC, guest IPv4, guest ll, host ll, *args;
        return its stdout's last line parsed as JSON."""
        r = self.net.python(script, netns.TAP, MAC, netns.GUEST4, self.guest6, self.host6,
                            *args, timeout=timeout)
        assert r.returncode == 0, r.stdout + r.stderr
        return json.loads(r.stdout.strip().splitlines()[-1])

    def shell(self, cmd):
        self.assert_running()
        return self.g.shell(cmd, timeout=20)

    def view(self, cmd):
        self.assert_running()
        return self.g.view(cmd, timeout=20)

    def snmp6(self):
        out = self.view("cat /proc/net/snmp6")
        return {k: int(v) for k, v in re.findall(r"^(\w+)\s+(\d+)$", out, re.M)}

    def snmp(self):
        return parse_snmp(self.view("cat /proc/net/snmp"))

    # -- checks ---------------------------------------------------------
    def assert_running(self):
        """No panic, QEMU still runs."""
        self.g.watch(0.05)
        assert "Kernel panic" not in self.g.output, "panic (log %s)" % self.g.logpath
        assert self.g.proc.poll() is None, "QEMU exited (log %s)" % self.g.logpath

    def ping(self, v6=False, size=56):
        dst = "%s%%%s" % (self.guest6, netns.TAP) if v6 else netns.GUEST4
        r = self.net.run(["ping", "-6" if v6 else "-4", "-n", "-c", "1", "-s", str(size),
                          "-W", "%g" % ALIVE_S, dst], timeout=10)
        return r.returncode == 0

    def udp_echo(self, payload=b"hostile-alive"):
        s = self.net.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.settimeout(ALIVE_S)
            s.sendto(payload, (netns.GUEST4, UDP_ECHO))
            data, _ = s.recvfrom(2048)
            return data == payload
        except OSError:
            return False
        finally:
            s.close()

    def assert_alive(self, what=""):
        """ping, ping6 and UDP echo each answered within ALIVE_S (one of
        ALIVE_TRIES tries), and no panic."""
        self.assert_running()
        for name, probe in (("ping", lambda: self.ping()), ("ping6", lambda: self.ping(True)),
                            ("udp echo", self.udp_echo)):
            ok = any(probe() for _ in range(ALIVE_TRIES))
            assert ok, "%s: no %s answer within %.1f s (%s, log %s)" % (
                what, name, ALIVE_S, self.model, self.g.logpath)
        self.assert_running()


def host_linklocal(net):
    out = json.loads(net.run(["ip", "-j", "-6", "addr", "show", "dev", netns.TAP, "scope",
                              "link"], check=True).stdout)
    for link in out:
        for a in link.get("addr_info", []):
            if a.get("local", "").startswith("fe80:") and "tentative" not in a:
                return a["local"]
    raise AssertionError("tap0 has no usable link-local address: %r" % out)


@pytest.fixture
def target(testnet, kernel, request):
    model = getattr(request, "param", None) or "e1000"
    # the guest's MAC known on the host side: no ARP/ND round trip in the
    # 1 s checks; and tap0's link-local address out of tentative (DAD)
    testnet.run(["ip", "neigh", "replace", netns.GUEST4, "lladdr", MAC, "dev", netns.TAP,
                 "nud", "permanent"], check=True)
    testnet.run(["ip", "-6", "neigh", "replace", GUEST6, "lladdr", MAC, "dev", netns.TAP,
                 "nud", "permanent"], check=True)
    g = testnet.guest("hostile-%s-%s" % (request.node.name, model), nic=model, mac=MAC,
                      append="ip=%s/%d,%s" % (netns.GUEST4, netns.PREFIXLEN4, netns.HOST4))
    g.wait_for(r"barenet: ready", timeout=BOOT_TIMEOUT_S)
    g.wait_prompt(timeout=BOOT_TIMEOUT_S)
    deadline = time.monotonic() + 10
    while True:
        try:
            host6 = host_linklocal(testnet)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    t = Target(testnet, g, model)
    assert t.host6 == host6
    t.assert_alive("before the attack")
    return t


# --- IPv6 fragments: a fragment of a fragment (finding 1) -------------------

NESTED_COUNT = 60

# argv: iface, guest MAC, guest4, guest ll, host ll, sport, count
_NESTED_SCRIPT = r"""
import json, sys
from scapy.all import Ether, IPv6, IPv6ExtHdrFragment, UDP, Raw, get_if_hwaddr, sendp
iface, gmac, g4, g6, h6, sport, count = sys.argv[1:8]
sport, count = int(sport), int(count)
hmac = get_if_hwaddr(iface)

def udp(tag):
    # the UDP datagram with a checksum over the real addresses
    return bytes(IPv6(src=h6, dst=g6) / UDP(sport=sport, dport=7) / Raw(tag))[40:]

def frames(outer_id, payload, split):
    # one datagram (id outer_id) carrying payload, in two fragments
    out = []
    for off, m, data in ((0, 1, payload[:split]), (split // 8, 0, payload[split:])):
        out.append(Ether(src=hmac, dst=gmac) / IPv6(src=h6, dst=g6) /
                   IPv6ExtHdrFragment(id=outer_id, offset=off, m=m, nh=44) / Raw(data))
    return out

pkts = []
for i in range(count):
    # the reassembled payload: a Fragment header and a UDP echo request,
    # 32 bytes (a multiple of 8, as a non-last fragment's must be); the
    # inner fragment is atomic (offset 0, M 0: delivered at once if
    # accepted), every other one a first fragment (M 1: reassembled again;
    # lwIP 2.1.3 panicked there)
    inner = bytes(IPv6ExtHdrFragment(id=0x70000 + i, offset=0, m=int(i % 2 == 0), nh=17)) + \
        udp(b"nested-%03d......" % i)
    pkts += frames(0x50000 + i, inner, 16)
# the control: an ordinary datagram in two fragments, which must be answered
ctl = udp(b"control-fragmented")
for p in frames(0x60000, ctl, 16):
    p[IPv6ExtHdrFragment].nh = 17
    pkts.append(p)
sendp(pkts, iface=iface, verbose=False, inter=0.002)
print(json.dumps({"sent": len(pkts)}))
"""


def check_nested_fragments(t):
    s = t.net.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::", 0))
    sport = s.getsockname()[1]
    before = t.snmp6()
    res = t.scapy(_NESTED_SCRIPT, sport, NESTED_COUNT)
    assert res["sent"] == 2 * NESTED_COUNT + 2
    replies = []
    s.settimeout(3.0)
    try:
        while True:
            replies.append(s.recvfrom(2048)[0])
            s.settimeout(1.0)
    except OSError:
        pass
    finally:
        s.close()
    t.assert_alive("after %d nested-fragment datagrams" % NESTED_COUNT)
    after = t.snmp6()
    nested = [r for r in replies if r.startswith(b"nested-")]
    assert b"control-fragmented" in replies, \
        "the ordinary fragmented datagram was not answered: %r" % replies
    assert not nested, "%d nested datagrams were delivered (%r...)" % (len(nested), nested[:3])
    d = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    # each outer datagram reassembled, then its inner Fragment header
    # dropped and counted
    assert d["Ip6ReasmOKs"] >= NESTED_COUNT + 1, d
    assert d["Ip6ReasmFails"] >= NESTED_COUNT, d
    assert d["Ip6InDiscards"] >= NESTED_COUNT, d


def test_nested_ipv6_fragments_are_dropped(target):
    check_nested_fragments(target)


@pytest.mark.stress
@pytest.mark.parametrize("target", MODELS, indirect=True)
def test_nested_ipv6_fragments_are_dropped_every_model(target):
    for _ in range(3):
        check_nested_fragments(target)


# --- IPv6 path MTU: Packet Too Big with a tiny MTU (finding 2) -------------

# argv: iface, guest MAC, guest4, guest ll, host ll, mtu
_PTB_SCRIPT = r"""
import json, sys
from scapy.all import Ether, IPv6, ICMPv6PacketTooBig, ICMPv6EchoReply, Raw, get_if_hwaddr, sendp
iface, gmac, g4, g6, h6, mtu = sys.argv[1:7]
hmac = get_if_hwaddr(iface)
# what the guest "sent" that was too big: a reply of its own to the host
quoted = IPv6(src=g6, dst=h6, plen=1408) / ICMPv6EchoReply(id=1, seq=1) / Raw(b"x" * 1200)
ptb = (Ether(src=hmac, dst=gmac) / IPv6(src=h6, dst=g6, hlim=255) /
       ICMPv6PacketTooBig(mtu=int(mtu)) / Raw(bytes(quoted)[:1232]))
sendp(ptb, iface=iface, verbose=False)
print(json.dumps({"sent": 1}))
"""

# argv: iface, guest MAC, guest4, guest ll, host ll, size, ident
_ECHO6_SCRIPT = r"""
import json, sys, time
from scapy.all import (AsyncSniffer, Ether, IPv6, IPv6ExtHdrFragment, ICMPv6EchoRequest,
                       ICMPv6EchoReply, Raw, get_if_hwaddr, sendp)
iface, gmac, g4, g6, h6, size, ident = sys.argv[1:8]
size, ident = int(size), int(ident)
hmac = get_if_hwaddr(iface)
def from_guest(p):
    return IPv6 in p and p[IPv6].src == g6 and p[Ether].src.lower() == gmac.lower()
sn = AsyncSniffer(iface=iface, lfilter=from_guest, store=True)
sn.start()
time.sleep(0.3)
req = (Ether(src=hmac, dst=gmac) / IPv6(src=h6, dst=g6) /
       ICMPv6EchoRequest(id=ident, seq=1) / Raw(b"p" * size))
if len(req) - 14 > 1500 - 0:
    raise SystemExit("request too large for the link")
sendp(req, iface=iface, verbose=False)
time.sleep(1.5)
sn.stop()
frames = []
whole = False
for p in sn.results:
    ip = p[IPv6]
    if IPv6ExtHdrFragment in p:
        frames.append({"frag": True, "len": 40 + ip.plen, "id": p[IPv6ExtHdrFragment].id})
    elif ICMPv6EchoReply in p and p[ICMPv6EchoReply].id == ident:
        frames.append({"frag": False, "len": 40 + ip.plen})
        whole = True
print(json.dumps({"frames": frames, "whole": whole}))
"""


def summary(res):
    """what came back, in short: whole reply or not, fragment count and sizes"""
    frags = [f["len"] for f in res["frames"] if f["frag"]]
    return "whole reply %s, %d fragments (sizes %s)" % (
        res["whole"], len(frags), sorted(set(frags)))


def echo6(t, size, ident):
    """Send one echo request of size bytes from the host's link-local
    address (scapy, so the reply's fragments can be seen) and return what
    came back from the guest: {"frames": [...], "whole": bool}."""
    return t.scapy(_ECHO6_SCRIPT, size, ident)


def check_tiny_mtu_ptb(t):
    # the guest needs a destination cache entry for the host: a ping6
    assert t.ping(v6=True)
    before = t.snmp6()
    t.scapy(_PTB_SCRIPT, 50)
    small = echo6(t, 100, 0x101)
    t.assert_running()
    assert small["whole"] and not any(f["frag"] for f in small["frames"]), \
        "a 100-byte echo after a PTB with MTU 50: %s (log %s)" % (summary(small), t.g.logpath)
    big = echo6(t, 1400, 0x102)
    frags = [f for f in big["frames"] if f["frag"]]
    assert frags and not big["whole"], "the 1448-byte reply was not fragmented: %s" % summary(big)
    assert max(f["len"] for f in frags) <= 1280, "fragments above 1280 bytes: %r" % frags
    assert len({f["id"] for f in frags}) == 1 and len(frags) == 2, frags
    # a PTB does not raise the path MTU (RFC 8201 4)
    t.scapy(_PTB_SCRIPT, 9000)
    again = echo6(t, 1400, 0x103)
    frags = [f for f in again["frames"] if f["frag"]]
    assert frags and max(f["len"] for f in frags) <= 1280, summary(again)
    # Linux's ping (the kernel reassembles) gets its answer too
    assert t.ping(v6=True, size=1400)
    after = t.snmp6()
    assert after["Ip6FragCreates"] - before["Ip6FragCreates"] >= 4, (before, after)
    assert after["Ip6FragFails"] == before["Ip6FragFails"], (before, after)
    t.assert_alive("after a Packet Too Big with MTU 50")


def test_tiny_mtu_packet_too_big(target):
    check_tiny_mtu_ptb(target)


@pytest.mark.stress
@pytest.mark.parametrize("target", MODELS, indirect=True)
def test_tiny_mtu_packet_too_big_every_model(target):
    check_tiny_mtu_ptb(target)


# ---- identifiers and rate-limited errors ------------------------------------

# e1000 in make test; every model in make stress (-m stress)
NICS = ["e1000", pytest.param("e1000e", marks=pytest.mark.stress),
        pytest.param("igb", marks=pytest.mark.stress)]
GUEST = netns.GUEST4
HOST = netns.HOST4
HOST_B = "10.0.2.3"              # a second attacker address on the tap
LINKLOCAL = netns.eui64_linklocal(DEFAULT_MAC)
APPEND = "ip=%s/%d,%s" % (GUEST, netns.PREFIXLEN4, HOST)
HTTP_PORT = 80
ECHO_PORT = 7
CLOSED_BASE = 30000              # no service listens at 30000..30999
XRLIM_BURST_FACTOR = 6           # Linux's per-host burst (net/core/xrlim.h)


class IdsTarget:
    """A guest in a namespace, reachable at GUEST from the namespace."""

    def __init__(self, net, nic):
        self.net = net
        self.nic = nic
        self.g = net.guest("hostile-" + nic, nic=nic, append=APPEND)
        self.g.wait_for(r"barenet: ready in", timeout=90)
        self.g.wait_prompt(timeout=30)
        net.run(["ip", "addr", "add", "%s/%d" % (HOST_B, netns.PREFIXLEN4), "dev", netns.TAP],
                check=True)
        self.wait_reachable()

    def wait_reachable(self, timeout=30):
        """lwIP routes UDP only once it saw the carrier: wait for an echo."""
        deadline = time.monotonic() + timeout
        with self.net.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(0.5)
            while time.monotonic() < deadline:
                u.sendto(b"probe", (GUEST, ECHO_PORT))
                try:
                    if u.recvfrom(2048)[0] == b"probe":
                        return
                except socket.timeout:
                    pass
        raise AssertionError("no UDP echo from the guest:\n" + self.g.output[-3000:])

    def sh(self, cmd, timeout=30):
        return without_klog(self.g.shell(cmd, timeout=timeout))

    def snmp(self):
        s = parse_snmp(self.sh("cat /proc/net/snmp"))
        s.update(parse_snmp(self.sh("cat /proc/net/netstat")))
        s["snmp6"] = {}
        for line in self.sh("cat /proc/net/snmp6").splitlines():
            f = line.split()
            if len(f) == 2 and f[1].isdigit():
                s["snmp6"][f[0]] = int(f[1])
        return s

    def host_snmp(self):
        """The namespace's own counters (what the attacker's kernel got)."""
        s = parse_snmp(self.net.run(["cat", "/proc/net/snmp"], check=True).stdout)
        s["snmp6"] = {k: int(v) for k, v in
                      (line.split() for line in
                       self.net.run(["cat", "/proc/net/snmp6"], check=True).stdout.splitlines())}
        return s

    def scapy(self, code, *args, timeout=120):
        r = self.net.python(code, *args, timeout=timeout)
        assert r.returncode == 0, r.stdout + r.stderr
        return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", params=NICS)
def ids_target(request, kernel):
    """The guest of this module's tests on one NIC model (named apart from
    the nested-fragment and Packet Too Big tests' `target`)."""
    netns.require()
    net = netns.TestNet(tag="hostile-" + request.param)
    try:
        yield IdsTarget(net, request.param)
    finally:
        net.close()


def d(a, b, proto, field):
    return b[proto][field] - a[proto][field]


# -- the entropy source -----------------------------------------------------

RANDOM_LINE = re.compile(r"random: seeded from (RDSEED|RDRAND|TSC jitter) \(CPU: rdrand (yes|no), "
                         r"rdseed (yes|no); TSC jitter: (\d+) of (\d+) samples changed\)")


@pytest.mark.parametrize("cpu,source", [("qemu64", "TSC jitter"), ("qemu64,+rdrand", "RDRAND"),
                                        ("qemu64,+rdrand,+rdseed", "RDSEED")])
def test_boot_log_names_the_entropy_source(kernel, cpu, source):
    """The keys behind ISNs and IDs come from RDSEED, else RDRAND (as CPUID
    says), else TSC jitter alone, and the boot log says which (QEMU's TCG
    emulates both instructions when the CPU model asks for them)."""
    with Guest("random-" + source.replace(" ", "-"), append="exit=ready",
               extra=["-cpu", cpu]) as g:
        g.wait_exit(90)
        m = RANDOM_LINE.search(g.output)
    assert m, g.output[-2000:]
    assert m.group(1) == source, m.group(0)
    # the jitter sampler saw a clock that moves
    assert int(m.group(4)) > int(m.group(5)) // 4, m.group(0)


# -- sequence numbers and IDs ------------------------------------------------

# SYNs from (src, sport) pairs to dport, `inter` seconds apart; prints
# [[src, sport, isn, ip_id], ...] for the SYN-ACKs (the namespace's kernel
# resets each, so the guest frees its half-open connection)
SYN_SAMPLER = r"""
import json, sys
from scapy.all import IP, TCP, conf, sr
conf.verb = 0
dst, dport, inter = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
pairs = json.loads(sys.argv[4])
pkts = [IP(src=s, dst=dst) / TCP(sport=p, dport=dport, flags="S", seq=1000) for s, p in pairs]
ans, _ = sr(pkts, inter=inter, timeout=4)
out = []
for snd, rcv in ans:
    if rcv.haslayer(TCP) and (int(rcv[TCP].flags) & 0x12) == 0x12:
        out.append([snd[IP].src, snd[TCP].sport, rcv[TCP].seq, rcv[IP].id, float(rcv.time)])
out.sort(key=lambda r: r[4])
print(json.dumps(out))
"""


def sample_syn_acks(t, pairs, inter=0.05, dport=HTTP_PORT):
    return t.scapy(SYN_SAMPLER, GUEST, dport, inter, json.dumps(pairs))


def sdist32(a, b):
    """b - a on the 32-bit circle, signed."""
    x = (b - a) & 0xffffffff
    return x - (1 << 32) if x >= 1 << 31 else x


def test_isns_are_not_sequential(ids_target):
    """RFC 6528: 50 SYN-ACKs to port 80 from 50 source ports.  Before:
    ISNs 6511, 6512, ... (successive differences of 1 or a few ticks)."""
    pairs = [[HOST, 20000 + i] for i in range(50)]
    got = sample_syn_acks(ids_target, pairs)
    assert len(got) >= 45, got
    isns = [r[2] for r in got]
    assert len(set(isns)) == len(isns), isns
    diffs = [sdist32(a, b) for a, b in zip(isns, isns[1:])]
    # a pair of uniform 32-bit values is within 2^20 with p = 2^-11
    close = [x for x in diffs if abs(x) < 1 << 20]
    report("hostile %s: %d ISNs from SYN-ACKs, smallest successive |difference| %d"
           % (ids_target.nic, len(isns), min(abs(x) for x in diffs)))
    assert len(close) <= 2, ("successive ISNs close together", diffs)
    assert len(set(diffs)) == len(diffs), diffs


def test_isn_of_one_tuple_follows_the_clock(ids_target):
    """The same 4-tuple again after ~1 s: ISN = M + F(tuple), so it moved by
    about the elapsed time in 4.096 us ticks (RFC 6528 keeps the ISN of a
    reused 4-tuple increasing); across source ports it does not."""
    first = sample_syn_acks(ids_target, [[HOST, 21000], [HOST, 21001]])
    time.sleep(1.0)
    again = sample_syn_acks(ids_target, [[HOST, 21000]])
    assert len(first) == 2 and len(again) == 1, (first, again)
    by_port = {r[1]: r for r in first}
    step = sdist32(by_port[21000][2], again[0][2])
    elapsed = again[0][4] - by_port[21000][4]
    ticks = elapsed * 1e9 / 4096
    # the guest's clock and the sniffer's stamps differ by the frames'
    # transit: allow a wide band around the elapsed time
    report("hostile %s: the same 4-tuple %.2f s later: ISN %d ticks on (%d expected)"
           % (ids_target.nic, elapsed, step, ticks))
    assert 0.5 * ticks < step < 2 * ticks + 50000, (step, ticks, elapsed)
    assert abs(sdist32(by_port[21000][2], by_port[21001][2])) >= 1 << 16, first


# the guest's ms between two SYN-ACKs of one 4-tuple, read off their ISNs
# (M: ktime >> SECURE_ISN_CLOCK_SHIFT), against which an ID step is bounded
ISN_TICK_MS = 4096 / 1e6
# what an ID step may exceed the guest's elapsed ms by: the ms between the
# ISN's clock read and the ID's (one tcp_listen_input call, but a vCPU the
# host deschedules there stretches it) and the uses of the counter within
# the millisecond of the one before (each adds 1 with no ms to show for it)
ID_STEP_SLACK = 50


def test_ip_ids_per_destination(ids_target):
    """RFC 7739: SYNs alternating from two hosts, 50 ms apart.  Before: one
    counter for everyone, so host B's ID is host A's + 1 every time and
    each host sees steps of exactly 2 (an idle scan reads the guest's
    traffic off that).  Now each host's IDs are their own counter, and a
    pause hides how many packets went out.  (The two hosts share a counter
    when their hashes pick the same one of the 2048, p = 1/2048 a boot, as
    with Linux's ip_idents: this test would then fail.)

    How far a host's ID may move between two of its replies: each use of
    its counter adds 1 + a random amount below the ms since the last use
    (secure_seq.c ident_next; Linux's ip_idents_reserve the same, without
    the 1024 ms cap), so the sum over every use between the two replies is
    at most the guest's ms between them, plus the slack above.  Not a fixed
    bound: a reply lost on a loaded host (the tap drops, a missed capture)
    makes one observed step span two uses or more, and a stalled sender or
    vCPU stretches the time; both are benign, and a step above 4095 is then
    possible (fresh-clone make test, once).  The guest's own elapsed time
    comes from the ISNs: each host sends from one 4-tuple throughout (the
    namespace's RST frees the half-open connection at once), so successive
    ISNs of a host differ by the guest's clock (RFC 6528's M)."""
    pairs = []
    for i in range(30):
        pairs += [[HOST, 22000], [HOST_B, 22000]]
    got = sample_syn_acks(ids_target, pairs, inter=0.05)
    a = [r for r in got if r[0] == HOST]
    b = [r for r in got if r[0] == HOST_B]
    assert len(a) >= 25 and len(b) >= 25, got
    # pair each B reply with the A reply just before it
    adjacent = []
    for i in range(1, len(got)):
        if got[i][0] == HOST_B and got[i - 1][0] == HOST:
            adjacent.append((got[i][3] - got[i - 1][3]) & 0xffff)
    assert len(adjacent) >= 20, got
    near = [x for x in adjacent if x <= 16]
    assert len(near) <= len(adjacent) // 5, ("B's ID follows A's", adjacent)
    steps, over = [], []
    for x, y in zip(a, a[1:]):
        step, ticks = (y[3] - x[3]) & 0xffff, sdist32(x[2], y[2])
        steps.append(step)
        assert step > 0 and ticks >= 0, ("ID reused or ISN backwards", x, y)
        # one ISN twice: the guest resent the SYN-ACK of one connection (the
        # namespace's RST was lost, the next SYN a duplicate): a new ID, but
        # no clock reading between the two
        if ticks and step > ticks * ISN_TICK_MS + ID_STEP_SLACK:
            over.append((step, round(ticks * ISN_TICK_MS, 1), x, y))
    report("hostile %s: %d ID steps of host A, largest %d; guest ms between its replies %.0f-%.0f"
           % (ids_target.nic, len(steps), max(steps),
              min(sdist32(x[2], y[2]) for x, y in zip(a, a[1:])) * ISN_TICK_MS,
              max(sdist32(x[2], y[2]) for x, y in zip(a, a[1:])) * ISN_TICK_MS))
    assert not over, ("ID steps above the guest's elapsed ms", over)
    assert len(set(steps)) >= 5, ("constant ID steps", steps)


# -- rate-limited errors -----------------------------------------------------


def closed_port_burst(t, n, family=socket.AF_INET, dst=GUEST, base=CLOSED_BASE):
    """n datagrams to n closed ports, as fast as the socket sends them;
    returns the guest's and the namespace's counters before and after, and
    the seconds from the first datagram to the last counter read."""
    g0, h0 = t.snmp(), t.host_snmp()
    s = t.net.socket(family, socket.SOCK_DGRAM)
    try:
        if family == socket.AF_INET6:
            with t.net.entered():
                scope = socket.if_nametoindex(netns.TAP)
        start = time.monotonic()
        for i in range(n):
            addr = (dst, base + i) if family == socket.AF_INET else (dst, base + i, 0, scope)
            s.sendto(b"x", addr)
    finally:
        s.close()
    time.sleep(2.0)          # the guest answers what it will
    g1, h1 = t.snmp(), t.host_snmp()
    return g0, g1, h0, h1, time.monotonic() - start


def set_limits(t, **kv):
    args = " ".join("%s=%d" % (k, v) for k, v in kv.items())
    out = t.sh("sysctl -w " + args)
    for k, v in kv.items():
        assert "%s = %d" % (k, v) in out, out
        assert t.sh("cat /proc/sys/" + k.replace(".", "/")).strip() == str(v)


DEFAULTS = {"net.ipv4.icmp_ratelimit": 1000, "net.ipv4.icmp_msgs_per_sec": 1000,
            "net.ipv4.icmp_msgs_burst": 50, "net.ipv6.icmp.ratelimit": 1000}


def test_defaults_are_linuxs(ids_target):
    out = ids_target.sh("sysctl -a")
    for k, v in DEFAULTS.items():
        assert "%s = %d\n" % (k, v) in out, out


def test_port_scan_gets_few_errors_per_host(ids_target):
    """500 datagrams to closed ports from one host, Linux's defaults: the
    host's bucket gives 6 at once and one a second.  Before: 500 Port
    Unreachables.  (The boot's defaults: the tests that change the limits
    put them back.)"""
    time.sleep(XRLIM_BURST_FACTOR + 1)   # the host's bucket full again
    g0, g1, h0, h1, secs = closed_port_burst(ids_target, 500)
    noports = d(g0, g1, "Udp", "NoPorts")
    sent = d(g0, g1, "Icmp", "OutDestUnreachs")
    assert noports >= 400, (noports, ids_target.nic)
    report("hostile %s: 500 UDP probes to closed ports (%d arrived) in %.1f s: %d Port "
           "Unreachables sent (per-host limit)" % (ids_target.nic, noports, secs, sent))
    assert sent <= XRLIM_BURST_FACTOR + int(secs) + 1, (sent, secs)
    host = d(g0, g1, "Icmp", "OutRateLimitHost")
    glob = d(g0, g1, "Icmp", "OutRateLimitGlobal")
    assert sent + host + glob == noports, (sent, host, glob, noports)
    assert host >= noports - XRLIM_BURST_FACTOR - int(secs) - 1
    # the attacker's kernel saw exactly what the guest says it sent
    assert d(h0, h1, "Icmp", "InDestUnreachs") == sent


def test_sysctl_sets_the_global_limit(ids_target):
    """No per-host limit, 20 a second with bursts of 30: 500 probes get at
    most about burst + rate x time (the spend per message is random 0..2
    as in Linux, so the bound has room), the rest counted as
    OutRateLimitGlobal; a high rate then lets every error out.  Before:
    no such sysctls."""
    try:
        set_limits(ids_target, **{"net.ipv4.icmp_ratelimit": 0, "net.ipv4.icmp_msgs_per_sec": 20,
                              "net.ipv4.icmp_msgs_burst": 30})
        time.sleep(2)                     # the global bucket full again
        g0, g1, h0, h1, secs = closed_port_burst(ids_target, 500, base=CLOSED_BASE + 500)
        noports = d(g0, g1, "Udp", "NoPorts")
        sent = d(g0, g1, "Icmp", "OutDestUnreachs")
        glob = d(g0, g1, "Icmp", "OutRateLimitGlobal")
        assert noports >= 400, noports
        report("hostile %s: 500 probes, icmp_msgs_per_sec=20 burst=30, no per-host limit: "
               "%d sent in %.1f s, %d OutRateLimitGlobal" % (ids_target.nic, sent, secs, glob))
        assert d(g0, g1, "Icmp", "OutRateLimitHost") == 0
        assert sent + glob == noports, (sent, glob, noports)
        assert 10 <= sent <= 1.5 * (30 + 20 * secs) + 10, (sent, secs)
        assert d(h0, h1, "Icmp", "InDestUnreachs") == sent

        set_limits(ids_target, **{"net.ipv4.icmp_msgs_per_sec": 100000,
                              "net.ipv4.icmp_msgs_burst": 100000})
        time.sleep(1.5)
        g0, g1, h0, h1, secs = closed_port_burst(ids_target, 200, base=CLOSED_BASE)
        noports = d(g0, g1, "Udp", "NoPorts")
        assert d(g0, g1, "Icmp", "OutDestUnreachs") == noports >= 150
        assert d(g0, g1, "Icmp", "OutRateLimitGlobal") == 0
    finally:
        set_limits(ids_target, **DEFAULTS)


def test_errors_to_our_own_addresses_are_not_limited(ids_target):
    """Errors for the host's own traffic (to 127.0.0.1, or to its own
    address through lwIP's loopback) are not limited, as Linux does not
    limit lo: 30 datagrams from the guest's shell to a closed port of its
    own address get 30 Port Unreachables (the limits would allow 6)."""
    g0 = ids_target.snmp()
    out = ids_target.sh("udpsend %s %d 30 16" % (GUEST, CLOSED_BASE + 999), timeout=60)
    time.sleep(0.5)
    g1 = ids_target.snmp()
    assert d(g0, g1, "Udp", "NoPorts") == 30, out
    assert d(g0, g1, "Icmp", "OutDestUnreachs") == 30
    assert d(g0, g1, "Icmp", "OutRateLimitHost") == d(g0, g1, "Icmp", "OutRateLimitGlobal") == 0


def test_icmpv6_errors_limited_per_host(ids_target):
    """RFC 4443 2.4(f): 300 datagrams to closed ports over IPv6 (to the
    guest's link-local address): 6 Port Unreachables and one a second,
    the rest counted as Icmp6OutRateLimitHost.  Before: 300 errors."""
    deadline = time.monotonic() + 20
    while "tentative" in ids_target.sh("ip addr") and time.monotonic() < deadline:
        time.sleep(0.5)
    # the neighbour entry first: Linux queues only a few datagrams for an
    # unresolved neighbour
    r = ids_target.net.run(["ping", "-6", "-c", "1", "-W", "3", LINKLOCAL + "%" + netns.TAP], timeout=15)
    assert r.returncode == 0, r.stdout + r.stderr
    time.sleep(XRLIM_BURST_FACTOR + 1)
    g0, g1, h0, h1, secs = closed_port_burst(ids_target, 300, socket.AF_INET6, LINKLOCAL)
    noports = d(g0, g1, "Udp", "NoPorts")
    got = h1["snmp6"]["Icmp6InDestUnreachs"] - h0["snmp6"]["Icmp6InDestUnreachs"]
    assert noports >= 250, noports
    assert got <= XRLIM_BURST_FACTOR + int(secs) + 1, (got, secs)
    limited = g1["snmp6"]["Icmp6OutRateLimitHost"] - g0["snmp6"]["Icmp6OutRateLimitHost"]
    report("hostile %s: 300 IPv6 probes to closed ports (%d arrived) in %.1f s: %d errors "
           "received, %d Icmp6OutRateLimitHost" % (ids_target.nic, noports, secs, got, limited))
    assert got + limited == noports, (got, limited, noports)
    # net.ipv6.icmp.ratelimit=0 (and a global limit out of the way): every
    # error goes out
    try:
        set_limits(ids_target, **{"net.ipv6.icmp.ratelimit": 0, "net.ipv4.icmp_msgs_per_sec": 100000,
                                  "net.ipv4.icmp_msgs_burst": 100000})
        time.sleep(1.5)
        g0, g1, h0, h1, secs = closed_port_burst(ids_target, 100, socket.AF_INET6, LINKLOCAL,
                                                 base=CLOSED_BASE + 500)
        noports = d(g0, g1, "Udp", "NoPorts")
        got = h1["snmp6"]["Icmp6InDestUnreachs"] - h0["snmp6"]["Icmp6InDestUnreachs"]
        assert got == noports >= 80, (got, noports)
        assert g1["snmp6"]["Icmp6OutRateLimitHost"] == g0["snmp6"]["Icmp6OutRateLimitHost"]
    finally:
        set_limits(ids_target, **DEFAULTS)


# -- counters ----------------------------------------------------------------


def test_frag_creates_counts_fragments(ids_target):
    """A 4000-byte UDP echo: the guest reassembles the request and sends
    the reply in 3 fragments (MTU 1500): FragOKs +1, FragCreates +3.
    Before: FragCreates stayed 0."""
    g0 = ids_target.snmp()
    with ids_target.net.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(5)
        u.sendto(b"f" * 4000, (GUEST, ECHO_PORT))
        data, _ = u.recvfrom(8192)
    assert data == b"f" * 4000
    g1 = ids_target.snmp()
    assert d(g0, g1, "Ip", "FragOKs") == 1
    assert d(g0, g1, "Ip", "FragCreates") == 3


# -- the console -------------------------------------------------------------

IPERF_PORT = 5001
IPERF_LINE = re.compile(r"\[ *[\d.]+\] iperf: ")
SUPPRESSED = re.compile(r"iperf_report: (\d+) callbacks suppressed")


def iperf_accepted(t):
    m = re.search(r'^barenet_service_tcp_accepted_total\{service="iperf"\} (\d+)$',
                  t.sh("cat /proc/barenet/metrics"), re.M)
    assert m
    return int(m.group(1))


def test_iperf_junk_connections_do_not_flood_the_console(ids_target):
    """40 connections to the iperf port that send a few bytes and close.
    Before: one console line each (lwiperf reports each as a run), ~90 us
    of softirq time per line on a 115200-baud UART.  Now at most 10 lines
    in 5 s; every run is still counted, and the first line after the
    window says how many were held back."""
    ids_target.g.watch(0.5)
    start = len(ids_target.g.output)
    a0 = iperf_accepted(ids_target)
    for i in range(40):
        with ids_target.net.socket() as s:
            s.settimeout(5)
            s.connect((GUEST, IPERF_PORT))
            s.sendall(b"junk %d\r\n" % i)
    deadline = time.monotonic() + 20
    while iperf_accepted(ids_target) < a0 + 40:
        assert time.monotonic() < deadline, iperf_accepted(ids_target) - a0
        time.sleep(0.5)
    ids_target.g.watch(0.5)
    burst = IPERF_LINE.findall(ids_target.g.output[start:])
    assert 1 <= len(burst) <= 10, ids_target.g.output[start:]
    time.sleep(5.5)                  # the next window
    with ids_target.net.socket() as s:
        s.settimeout(5)
        s.connect((GUEST, IPERF_PORT))
    m = ids_target.g.wait_for(SUPPRESSED.pattern, timeout=15, start=start)
    assert int(m.group(1)) + len(burst) == 40, (m.group(0), len(burst))


# -- TCP resets --------------------------------------------------------------


def http_get(t):
    data = t.net.http_get(GUEST, "/", 10, headers=b"Host: guest\r\n")
    assert data.startswith(b"HTTP/1."), data[:200]


def test_estab_resets_counts_resets_not_closes(ids_target):
    """Tcp EstabResets (RFC 1213, Linux): connections that went straight
    from ESTABLISHED or CLOSE-WAIT to CLOSED.  Before: lwIP counted every
    close with FIN (20 after 20 HTTP requests) and no reset."""
    g0 = ids_target.snmp()
    for _ in range(20):
        http_get(ids_target)
    time.sleep(0.5)
    g1 = ids_target.snmp()
    assert d(g0, g1, "Tcp", "PassiveOpens") == 20
    assert d(g0, g1, "Tcp", "EstabResets") == 0
    # an established echo connection the peer resets
    with ids_target.net.socket() as s:
        s.settimeout(5)
        s.connect((GUEST, ECHO_PORT))
        s.sendall(b"ping")
        assert s.recv(16) == b"ping"
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    time.sleep(0.5)
    g2 = ids_target.snmp()
    assert d(g1, g2, "Tcp", "EstabResets") == 1


# SYNs to a closed port from n source ports at once; prints how many RSTs
# came back
SYN_FLOOD_CLOSED = r"""
import json, sys
from scapy.all import IP, TCP, conf, sr
conf.verb = 0
dst, dport, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pkts = [IP(dst=dst) / TCP(sport=40000 + i, dport=dport, flags="S") for i in range(n)]
ans, _ = sr(pkts, timeout=4)
print(json.dumps(sum(1 for _, r in ans if r.haslayer(TCP) and int(r[TCP].flags) & 0x04)))
"""


def test_rsts_for_closed_ports_are_rate_limited(ids_target):
    """RSTs answering segments that meet no connection share the global
    limit's settings (FreeBSD's icmplim does the same; Linux has no such
    limit): 300 SYNs to a closed port at 20 a second with bursts of 30 get
    about burst + rate x time RSTs, the rest counted as TcpExt
    TCPRstRateLimit.  Before: 300 RSTs and no such counter."""
    try:
        set_limits(ids_target, **{"net.ipv4.icmp_msgs_per_sec": 20, "net.ipv4.icmp_msgs_burst": 30})
        time.sleep(2)
        g0 = ids_target.snmp()
        start = time.monotonic()
        rsts = ids_target.scapy(SYN_FLOOD_CLOSED, GUEST, CLOSED_BASE, 300)
        time.sleep(1)
        g1 = ids_target.snmp()
        secs = time.monotonic() - start
        insegs = d(g0, g1, "Tcp", "InSegs")
        limited = d(g0, g1, "TcpExt", "TCPRstRateLimit")
        assert insegs >= 250, insegs
        report("hostile %s: 300 SYNs to a closed port, 20/s burst 30: %d RSTs in %.1f s, "
               "%d TCPRstRateLimit" % (ids_target.nic, rsts, secs, limited))
        assert d(g0, g1, "Tcp", "OutRsts") + limited == insegs
        assert rsts == d(g0, g1, "Tcp", "OutRsts"), rsts
        assert 10 <= rsts <= 1.5 * (30 + 20 * secs) + 10, (rsts, secs)
    finally:
        set_limits(ids_target, **DEFAULTS)


# UDP echoes of 3000 bytes to the guest over IPv6 (link-local), `inter`
# seconds apart; prints the Fragment header IDs of the guest's replies
# Rounds of, for each host address in turn (all on the tap): a TCP SYN to
# the guest's dport from one 4-tuple (the ISN of its SYN-ACK: the guest's
# clock before), a UDP echo request of 3000 bytes (fragmented in the reply:
# one IPv6 fragment ID), and the same SYN again (the clock after), each
# exchange waited for before the next; `inter` seconds between rounds.  The
# namespace's kernel resets each SYN-ACK, so the guest frees the half-open
# connection and the next SYN of the 4-tuple gets a new ISN.  Prints
# [rounds, ids]: rounds [[host index, round, isn before, echoed, isn after]]
# (an ISN None: no SYN-ACK), ids {"host:round": [fragment IDs of the first
# fragments whose payload begins with that tag]}.
FRAG6_SAMPLER = r"""
import json, socket, sys, time
from scapy.all import AsyncSniffer, Ether, IPv6, IPv6ExtHdrFragment, TCP, conf
conf.verb = 0
iface, mac, dst = sys.argv[1], sys.argv[2], sys.argv[3]
hosts = json.loads(sys.argv[4])
port, dport, sport, n, inter = (int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]),
                                int(sys.argv[8]), float(sys.argv[9]))
scope = socket.if_nametoindex(iface)
sn = AsyncSniffer(iface=iface, filter="ip6 and src host %s" % dst, store=True)
sn.start()
time.sleep(0.5)
l2 = conf.L2socket(iface=iface)
socks = []
for h in hosts:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((h, 0, 0, scope))
    socks.append(s)

def isn(h):
    syn = Ether(dst=mac) / IPv6(src=h, dst=dst) / TCP(sport=sport, dport=dport, flags="S", seq=1000)
    ans = l2.sr1(syn, timeout=2)
    if ans is not None and ans.haslayer(TCP) and (int(ans[TCP].flags) & 0x12) == 0x12:
        return ans[TCP].seq
    return None

def echo(s, tag):
    s.sendto(tag + b"v" * (3000 - len(tag)), (dst, port, 0, scope))
    deadline = time.monotonic() + 3
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        s.settimeout(left)
        try:
            data = s.recvfrom(8192)[0]
        except socket.timeout:
            return False
        if data.startswith(tag) and len(data) == 3000:
            return True

rounds = []
for i in range(n):
    for k, h in enumerate(hosts):
        before = isn(h)
        ok = echo(socks[k], b"%d:%04d:" % (k, i))
        rounds.append([k, i, before, ok, isn(h)])
    time.sleep(inter)
time.sleep(0.5)
ids = {}
for p in sn.stop():
    if p.haslayer(IPv6ExtHdrFragment) and p[IPv6ExtHdrFragment].offset == 0:
        tag = bytes(p[IPv6ExtHdrFragment].payload)[8:15]
        ids.setdefault(tag.decode("ascii", "replace"), []).append(p[IPv6ExtHdrFragment].id)
print(json.dumps([rounds, ids]))
"""

# second and third host addresses on the tap for the fragment IDs
FRAG6_HOSTS_EXTRA = ["fe80::bad:2", "fe80::bad:3"]
FRAG6_ROUNDS, FRAG6_SPORT = 15, 23000
# what a fragment ID step may exceed the guest's elapsed ms by, besides 1
# per round between the two replies (a use in the millisecond of the one
# before adds 1 with no ms to show for it): the truncation of the ms clock
# and of the ISNs' 4.096 us ticks, and a little room for a vCPU's clock
# read against another's
FRAG6_STEP_SLACK = 8
# a counter shared by two hosts puts their IDs of one round within the
# guest's ms between them plus the uses (a few s here); two counters with
# random 32-bit starts are that close with p = 2^-12
SHARED_WITHIN = 1 << 20


def test_ipv6_fragment_ids_unpredictable(ids_target):
    """RFC 7739: the guest's fragmented IPv6 replies to three host
    addresses, in rounds 100 ms apart.  Before: one global counter, so
    successive IDs differ by exactly 1 (and anyone can predict the next).
    Now each destination has its counter (one of 2048 picked by a keyed
    hash of the addresses, secure_seq.c; Linux's ipv6_select_ident goes
    through ip_idents_reserve the same way), and the step after a pause is
    random.

    How far a host's fragment ID may move between two of its replies: each
    use of its counter adds 1 + a random amount below the ms since the last
    use (ident_next; capped at 1024), so the sum over every use between the
    two replies is at most the guest's ms between them plus 1 a use.  Not
    a fixed bound (0 < step < 4096 was): a reply lost or missed by the
    capture on a loaded host makes one observed step span several uses,
    and a stalled sender or vCPU stretches the time.  The guest's own ms
    bracket the two uses: each reply sits between the ISNs of two SYN-ACKs
    of one 4-tuple (RFC 6528's M, the guest's clock), the first answered
    before the echo request went, the second asked for after the reply
    came, so the step from reply i to reply j is bounded by the guest's ms
    from round i's first ISN to round j's second (SLACK above).  A counter
    that jumps more than the elapsed time fails that; a counter shared by
    every destination puts each round's IDs of the three hosts next to
    each other (three hosts, so that two sharing one of the 2048 counters,
    p = 1/2048 a boot, is no failure; all three, p = 2^-22, would be)."""
    net = ids_target.net
    r = net.run(["ping", "-6", "-c", "1", "-W", "3", LINKLOCAL + "%" + netns.TAP], timeout=15)
    assert r.returncode == 0, r.stdout + r.stderr
    host6 = netns.eui64_linklocal(net.run(["cat", "/sys/class/net/%s/address" % netns.TAP],
                                          check=True).stdout.strip())
    hosts = [host6] + FRAG6_HOSTS_EXTRA
    for h in FRAG6_HOSTS_EXTRA:
        net.run(["ip", "-6", "addr", "add", h + "/64", "dev", netns.TAP, "nodad"], check=True)
    try:
        rounds, ids = ids_target.scapy(FRAG6_SAMPLER, netns.TAP, DEFAULT_MAC, LINKLOCAL, json.dumps(hosts),
                                       ECHO_PORT, HTTP_PORT, FRAG6_SPORT, FRAG6_ROUNDS, 0.1)
    finally:
        for h in FRAG6_HOSTS_EXTRA:
            net.run(["ip", "-6", "addr", "del", h + "/64", "dev", netns.TAP])

    # per host, the rounds with an ID and a clock reading on both sides: a
    # second ISN that is not new (a SYN-ACK resent for a connection still
    # half open, its RST lost) was read before the reply, not after
    per_host = [[] for _ in hosts]
    for k, i, before, ok, after in rounds:
        got = ids.get("%d:%04d:" % (k, i), [])
        seen = [x[2] for x in per_host[k]] + [x[3] for x in per_host[k]]
        if ok and len(got) == 1 and before is not None and after is not None \
                and after != before and after not in seen:
            per_host[k].append((i, got[0], before, after))
    assert all(len(v) >= FRAG6_ROUNDS * 2 // 3 for v in per_host), (rounds, ids)

    steps, over, spans = [], [], []
    for v in per_host:
        for (i, x, before, _), (j, y, _, after) in zip(v, v[1:]):
            step, ms = (y - x) & 0xffffffff, sdist32(before, after) * ISN_TICK_MS
            assert ms > 0, ("ISN backwards", before, after)
            steps.append(step)
            spans.append(ms)
            if not 0 < step <= ms + (j - i) + FRAG6_STEP_SLACK:
                over.append((step, round(ms, 1), i, j))
    report("hostile %s: %d IPv6 fragment ID steps of 3 hosts, largest %d; guest ms between "
           "the readings around two replies %.0f-%.0f"
           % (ids_target.nic, len(steps), max(steps), min(spans), max(spans)))
    assert not over, ("fragment ID steps above the guest's elapsed ms", over)
    assert len(set(steps)) >= 8, ("constant fragment ID steps", steps)

    # two hosts have counters of their own when, in a round both were
    # answered, the later host's ID is far from the earlier one's
    dists = {}
    for a, b in ((0, 1), (1, 2), (0, 2)):
        ida, idb = dict(x[:2] for x in per_host[a]), dict(x[:2] for x in per_host[b])
        dists[a, b] = [(idb[i] - ida[i]) & 0xffffffff for i in sorted(ida) if i in idb]
    assert any(x >= SHARED_WITHIN for v in dists.values() for x in v), \
        ("one fragment ID counter for every destination", dists)


# =============================================================================
# One client against the others: connection slots, what one connection may
# hold, SYN floods (findings 3-6).  The attacker is 10.0.2.2 or addresses
# played on the tap (rawtcp.py); the client that must be served is OTHER.
# =============================================================================
OTHER = "10.0.2.3"                 # the client that must be served
ECHO, DISCARD, HTTP = 7, 9, 80
PER_SOURCE_DEFAULT = 128
TRIES, TRY_TIMEOUT_S, SERVED_MIN = 10, 2.0, 9
RECOVER_S = 1.0                    # every service answers within this after an attack
# pools back at their baseline within this: a connection whose client
# vanished without a FIN (one lost in a flood) goes at the idle timeout (60 s)
SETTLE_S = 75


# -- the guest ----------------------------------------------------------------
class Hostile(Journey):
    """Journey's guest (test_journey.py), with a second host address."""

    def __init__(self, net, nic):
        net.run(["ip", "addr", "add", "%s/%d" % (OTHER, netns.PREFIXLEN4), "dev", netns.TAP],
                check=True)
        super().__init__(net, nic, "hostile-" + nic)
        self.g.wait_prompt(30)
        self.baseline = self.settled_pools(time.monotonic() + SETTLE_S, None)

    def sh(self, cmd, timeout=60):
        return without_klog(self.g.shell(cmd, timeout=timeout))

    def guest_mac(self):
        """The guest's MAC, from the namespace's neighbour table."""
        self.net.run(["ping", "-c", "1", "-W", "2", GUEST])
        out = self.net.run(["ip", "neigh", "show", GUEST]).stdout
        m = re.search(r"lladdr (\S+)", out)
        assert m, out
        return m.group(1)

    def sysctl(self, name, value):
        out = self.sh("sysctl -w %s=%d" % (name, value))
        assert out == "%s = %d\n" % (name, value), out

    def metrics(self):
        """{name or name{pool}: value} from /proc/barenet/metrics."""
        fams = parse_metrics(self.sh("cat /proc/barenet/metrics"))
        m = {}
        for name, (_, _, samples) in fams.items():
            for labels, v in samples:
                key = name + ("{%s}" % labels["pool"] if "pool" in labels else "")
                if not labels or "pool" in labels:
                    m[key] = int(v)
        return m

    def tcpext(self):
        """/proc/net/netstat's TcpExt counters (a kernel without them: {})."""
        return parse_snmp(self.sh("cat /proc/net/netstat")).get("TcpExt", {})

    def tcp_states(self):
        """{state (hex, as /proc/net/tcp): count} of the guest's sockets."""
        out = {}
        for line in self.sh("cat /proc/net/tcp").splitlines()[1:]:
            w = line.split()
            if len(w) > 3:
                out[w[3]] = out.get(w[3], 0) + 1
        return out

    def tap_tx_dropped(self):
        """Frames the host's tap dropped on the way to the guest (its queue
        was full): the SYNs that never reached it."""
        out = self.net.run(["cat", "/sys/class/net/%s/statistics/tx_dropped" % netns.TAP],
                           check=True).stdout
        return int(out)

    def pools(self):
        """memp elements in use per pool, TIME_WAIT PCBs left out, and
        SYS_TIMEOUT too (lwIP's timers come and go with what is pending:
        its TCP timer runs only while there are PCBs)."""
        m = self.metrics()
        p = {k[len("barenet_lwip_memp_used{"):-1]: v for k, v in m.items()
             if k.startswith("barenet_lwip_memp_used{") and "SYS_TIMEOUT" not in k}
        tw = sum(1 for line in self.sh("cat /proc/net/tcp").splitlines()[1:]
                 if len(line.split()) > 3 and line.split()[3] == "06")
        p["TCP_PCB"] -= tw
        return p

    def settled_pools(self, deadline, want):
        """The pools once they stop changing (or equal want)."""
        last = None
        while True:
            p = self.pools()
            if p == want or (want is None and p == last):
                return p
            if time.monotonic() > deadline:
                return p
            last = p
            time.sleep(1)

    def client(self, port, timeout=TRY_TIMEOUT_S, src=OTHER):
        s = self.net.socket()
        s.settimeout(timeout)
        s.bind((src, 0))
        s.connect((GUEST, port))
        return s

    def http_get(self, path="/status", timeout=TRY_TIMEOUT_S, src=OTHER):
        """The whole response to GET path (bytes), or raises."""
        return self.net.http_get(GUEST, path, timeout, src=src)

    def served(self, tries=TRIES, timeout=TRY_TIMEOUT_S, gap=0.5):
        """How many of tries HTTP requests from OTHER got a whole 200 within
        timeout each."""
        ok = 0
        for _ in range(tries):
            t = time.monotonic()
            try:
                r = self.http_get("/status", timeout)
                ok += r.startswith(b"HTTP/1.0 200 OK") and b"uptime:" in r
            except OSError:
                pass
            time.sleep(max(0.0, gap - (time.monotonic() - t)))
        return ok

    def answers(self):
        """Every service from OTHER, each within RECOVER_S: {name: seconds}."""
        took = {}
        t = time.monotonic()
        r = self.http_get("/status", RECOVER_S)
        assert r.startswith(b"HTTP/1.0 200 OK"), r[:200]
        took["http"] = time.monotonic() - t
        t = time.monotonic()
        with self.client(ECHO, RECOVER_S) as s:
            s.sendall(b"still there?")
            assert s.recv(64) == b"still there?"
        took["echo"] = time.monotonic() - t
        t = time.monotonic()
        with self.client(DISCARD, RECOVER_S) as s:
            s.sendall(b"x" * 1000)
        took["discard"] = time.monotonic() - t
        t = time.monotonic()
        u = self.net.socket(kind=socket.SOCK_DGRAM)
        try:
            u.settimeout(RECOVER_S)
            u.bind((OTHER, 0))
            u.sendto(b"udp?", (GUEST, ECHO))
            assert u.recvfrom(64)[0] == b"udp?"
        finally:
            u.close()
        took["udp echo"] = time.monotonic() - t
        return took

    def after(self, what):
        """Every service back within 1 s, then the pools at the baseline."""
        took = self.answers()
        assert all(v < RECOVER_S for v in took.values()), took
        t = time.monotonic()
        p = self.settled_pools(t + SETTLE_S, self.baseline)
        assert p == self.baseline, (what, self.baseline, p, self.tcp_states())
        settle = time.monotonic() - t
        report("hostile %s %s: services back in %s; pools at baseline after %.0f s" % (
            self.nic, what, ", ".join("%s %.0f ms" % (k, v * 1000) for k, v in took.items()),
            settle))


@pytest.fixture(scope="module")
def quick(kernel):
    netns.require()
    with netns.TestNet(tag="hostile") as net:
        why = driver_missing(net, "e1000")
        if why:
            pytest.skip(why)
        h = Hostile(net, "e1000")
        yield h


@pytest.fixture(scope="module", params=NICS)
def full(request, kernel):
    netns.require()
    with netns.TestNet(tag="hostile-" + request.param) as net:
        why = driver_missing(net, request.param)
        if why:
            pytest.skip(why)
        h = Hostile(net, request.param)
        yield h


# -- attackers from 10.0.2.2 --------------------------------------------------
class Hold:
    """n connections from 10.0.2.2 to port, kept open; each sends `line`
    every `every` seconds (None: nothing at all), and one that the guest
    closes or resets is opened again (a real attacker's loop), for at most
    limit_s seconds."""

    def __init__(self, h, port, n, line=None, every=3.0, limit_s=120):
        self.h, self.port, self.n, self.line, self.every = h, port, n, line, every
        self.stop_at = time.monotonic() + limit_s
        self.socks = {}
        self.opened = self.lost = self.resets = 0
        self.done = threading.Event()
        for i in range(n):
            self._open(i)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _open(self, i):
        s = self.h.net.socket()
        s.setblocking(False)
        s.bind((netns.HOST4, 0))
        s.connect_ex((GUEST, self.port))
        self.socks[i] = [s, time.monotonic(), False]
        self.opened += 1

    def _run(self):
        while not self.done.wait(0.2) and time.monotonic() < self.stop_at:
            for i, (s, since, head) in list(self.socks.items()):
                try:
                    if s.recv(4096, socket.MSG_DONTWAIT) == b"":
                        raise ConnectionResetError(errno.ECONNRESET, "closed")
                except BlockingIOError:
                    pass
                except OSError as e:
                    if e.errno in (errno.ENOTCONN, errno.EAGAIN):
                        continue          # still connecting
                    self.resets += e.errno == errno.ECONNRESET and e.strerror != "closed"
                    s.close()
                    self.lost += 1
                    self._open(i)
                    continue
                if self.line is not None and time.monotonic() - since >= self.every:
                    try:
                        s.send(self.line if head else b"GET / HTTP/1.1\r\nHost: g\r\n")
                        self.socks[i] = [s, time.monotonic(), True]
                    except OSError:
                        pass

    def stop(self):
        self.done.set()
        self.thread.join(10)
        for s, _, _ in self.socks.values():
            s.close()
        return time.monotonic()


def hold_attack(h, port, n, line=None, settle_s=4.0):
    """While n connections from 10.0.2.2 hold port: HTTP from OTHER."""
    before = h.metrics()
    hold = Hold(h, port, n, line)
    try:
        time.sleep(settle_s)      # the connections are up (or refused)
        served = h.served()
    finally:
        end = hold.stop()
    after = h.metrics()
    # (a kernel without the slots has none of these counters: 0)
    d = {k: after.get(k, 0) - before.get(k, 0) for k in (
        "barenet_service_refused_total", "barenet_service_evicted_total",
        "barenet_service_idle_closed_total")}
    return served, end, d, hold


def silent_hold(h, n):
    served, end, d, hold = hold_attack(h, ECHO, n)
    report("hostile %s: %d silent connections to port 7 from one address: %d of %d requests "
           "from another served; %d refused (per source), %d evicted, %d reset seen, %d reopened"
           % (h.nic, n, served, TRIES, d["barenet_service_refused_total"],
              d["barenet_service_evicted_total"], hold.resets, hold.lost))
    assert served >= SERVED_MIN, (served, d)
    # the limit, not luck: the excess was refused, with a RST the attacker saw
    assert d["barenet_service_refused_total"] >= n - PER_SOURCE_DEFAULT, d
    assert hold.resets >= n - PER_SOURCE_DEFAULT, (hold.resets, hold.lost)
    h.after("silent hold")


def eviction(h, n):
    """No per-source limit: the pool fills, and new connections take the
    PCBs of the oldest connections that never sent a request."""
    h.sysctl("net.svc.max_per_source", 0)
    try:
        served, end, d, hold = hold_attack(h, ECHO, n)
    finally:
        h.sysctl("net.svc.max_per_source", PER_SOURCE_DEFAULT)
    report("hostile %s: %d silent connections, no per-source limit: %d of %d served; "
           "%d evicted" % (h.nic, n, served, TRIES, d["barenet_service_evicted_total"]))
    assert served >= SERVED_MIN, (served, d)
    assert d["barenet_service_evicted_total"] >= TRIES, d
    assert d["barenet_service_refused_total"] == 0, d
    h.after("eviction")


def slowloris(h, n):
    served, end, d, hold = hold_attack(h, HTTP, n, line=b"X-a: b\r\n")
    report("hostile %s: slowloris, %d connections to port 80 from one address: %d of %d "
           "served; %d refused, %d evicted" % (h.nic, n, served, TRIES,
                                               d["barenet_service_refused_total"],
                                               d["barenet_service_evicted_total"]))
    assert served >= SERVED_MIN, (served, d)
    assert d["barenet_service_refused_total"] >= n - PER_SOURCE_DEFAULT, d
    h.after("slowloris")


def idle_timeout(h, seconds=3):
    """echo and discard close a connection that stays idle: with a FIN
    when the peer had sent something, with a RST when it never sent nor
    acknowledged a byte (svc_tcp_close: such a peer would not answer a FIN
    either, silent_idle below)."""
    h.sysctl("net.svc.idle_timeout", seconds)
    before = h.metrics()
    socks = []
    try:
        talk = [h.client(p, 10, netns.HOST4) for p in (ECHO, DISCARD)]
        silent = [h.client(p, 10, netns.HOST4) for p in (ECHO, DISCARD)]
        socks = talk + silent
        talk[0].sendall(b"hello")
        assert talk[0].recv(16) == b"hello"
        talk[1].sendall(b"hello")
        t = time.monotonic()
        for s in talk:
            s.settimeout(seconds + 10)
            assert s.recv(16) == b"", "data from an idle connection"
        took = time.monotonic() - t
        for s in silent:
            s.settimeout(seconds + 10)
            with pytest.raises(ConnectionResetError):
                s.recv(16)
    finally:
        for s in socks:
            s.close()
        h.sysctl("net.svc.idle_timeout", 60)
    after = h.metrics()
    closed = after["barenet_service_idle_closed_total"] - before["barenet_service_idle_closed_total"]
    reset = after.get("barenet_service_idle_reset_total", 0) - \
        before.get("barenet_service_idle_reset_total", 0)
    report("hostile %s: idle echo/discard connections closed after %.1f s (idle timeout %d s); "
           "the silent ones reset" % (h.nic, took, seconds))
    assert closed == len(socks) and reset == len(silent), (closed, reset)
    assert seconds - 1 <= took <= seconds + 4, took
    h.after("idle timeout")


def raw_conns(link, n, ports, first, per_ip=50, send=None):
    """n connections played on the tap, spread over ports and over
    addresses from 10.0.2.<first> (per_ip each: under the per-source
    limit), each sent send[port] (if any) as soon as it is up (the idle
    timeout runs while the others open); {(ip, sport): RawConn}."""
    conns = {}
    ips = rawtcp.played_addresses((n + per_ip - 1) // per_ip, first=first)
    for ip in ips:
        link.claim(ip)
    for i in range(n):
        c = rawtcp.RawConn(link, ips[i // per_ip], ports[i % len(ports)])
        assert c.connect() and not c.rst, i
        if send and c.dport in send:
            c.write(send[c.dport])
        conns[(c.ip, c.sport)] = c
    return conns


def watch_ends(link, conns, deadline):
    """Until deadline or every connection was reset: {key: [(time read,
    flags) of each FIN or RST the guest sent it]}, nothing acknowledged."""
    ends = {k: [] for k in conns}
    ips = {k[0] for k in conns}
    while time.monotonic() < deadline:
        link.pump(0.2)
        for ip in ips:
            for seg in link.drain(ip):
                if (ip, seg.dport) in ends and seg.flags & (rawtcp.FIN | rawtcp.RST):
                    ends[(ip, seg.dport)].append((seg.t, seg.flags))
        if all(any(f & rawtcp.RST for _, f in e) for e in ends.values()):
            break
    return ends


def silent_idle(h, n, idle=3):
    """n connections to echo and discard (played on the tap) that complete
    the handshake and then neither send nor acknowledge anything: at the
    idle timeout each is reset, not sent a FIN that nobody will
    acknowledge.  Before svc_tcp_close, the FIN left each PCB in FIN_WAIT_1
    for minutes (lwIP retransmits it 12 times with a growing RTO): after
    the eviction attack of test_hostile_full, 255 of the 256 PCBs."""
    h.sysctl("net.svc.idle_timeout", idle)
    before = h.metrics()
    link = rawtcp.RawLink(h.net)
    try:
        conns = raw_conns(link, n, (ECHO, DISCARD), first=130)
        t0 = time.monotonic()
        ends = watch_ends(link, conns, t0 + idle + 15)
        took = time.monotonic() - t0
        states = h.tcp_states()
    finally:
        link.close()
        h.sysctl("net.svc.idle_timeout", 60)
    m = h.metrics()
    resets = m.get("barenet_service_idle_reset_total", 0) - \
        before.get("barenet_service_idle_reset_total", 0)
    fins = sum(1 for e in ends.values() if any(f & rawtcp.FIN for _, f in e))
    reset = sum(1 for e in ends.values() if any(f & rawtcp.RST for _, f in e))
    report("hostile %s: %d silent connections at the idle timeout (%d s): %d reset, %d sent "
           "a FIN, all gone %.1f s after the last opened; guest TCP states then %s" % (
               h.nic, n, idle, reset, fins, took, states))
    assert fins == 0, "a FIN to a peer that never answered: %d" % fins
    assert reset == n and resets == n, (reset, resets, n)
    assert states.get("04", 0) == 0, states
    h.after("silent idle")


def orphan_fins(h, n, retries=1, idle=2):
    """n connections played on the tap that were heard from (a byte to
    discard, a GET of a page that is not there: a 404 that fits in the
    first window with its FIN) and then acknowledge nothing: the guest closes
    them with a FIN (idle timeout, answer sent), and resets each after
    net.ipv4.tcp_orphan_retries' time (Linux's RTO model: 600 ms for 1)
    instead of retransmitting the FIN for minutes (lwIP's 12 retries)."""
    h.sysctl("net.svc.idle_timeout", idle)
    h.sysctl("net.ipv4.tcp_orphan_retries", retries)
    before = h.metrics()
    link = rawtcp.RawLink(h.net)
    try:
        conns = raw_conns(link, n, (DISCARD, HTTP), first=140,
                          send={DISCARD: b"x", HTTP: b"GET /no-such-page HTTP/1.0\r\n\r\n"})
        t0 = time.monotonic()
        ends = watch_ends(link, conns, t0 + idle + 20)
        states = h.tcp_states()
    finally:
        link.close()
        h.sysctl("net.ipv4.tcp_orphan_retries", 0)
        h.sysctl("net.svc.idle_timeout", 60)
    gone = h.metrics()["barenet_tcp_orphan_aborts_total"] - \
        before["barenet_tcp_orphan_aborts_total"]
    waits = []
    for k, e in ends.items():
        fin = [t for t, f in e if f & rawtcp.FIN]
        rst = [t for t, f in e if f & rawtcp.RST]
        assert fin and rst, (k, e)       # heard from: a FIN first, then given up
        waits.append(rst[0] - fin[0])
    report("hostile %s: %d orphans (FIN not acknowledged; tcp_orphan_retries %d): reset "
           "%.1f-%.1f s after their first FIN" % (h.nic, n, retries, min(waits), max(waits)))
    assert gone == n, (gone, n)
    # 600 ms of Linux's RTO model, seen by a 1 s timer, on a loaded host
    assert max(waits) < 6, waits
    assert states.get("04", 0) == 0, states
    h.after("orphan FINs")


def zero_window(h, n, give_up=5, port=HTTP):
    """n connections (played on the tap) that ask for /metrics (HTTP) or
    send 20 kB (echo) with their window shut from the SYN on and answer
    every window probe with a window of 0 still: the guest keeps a little of
    each answer queued, and resets each after the give-up time (counted
    from its own request: opening 60 of them on a loaded host takes longer
    than the give-up time)."""
    h.sysctl("net.ipv4.tcp_stall_timeout", give_up)
    before = h.metrics()
    link = rawtcp.RawLink(h.net)
    try:
        ip = rawtcp.played_addresses(1, first=120)[0]
        link.claim(ip)
        conns, asked = {}, {}
        for _ in range(n):
            c = rawtcp.RawConn(link, ip, port, win=0)
            assert c.connect() and not c.rst
            if port == HTTP:
                c.write(b"GET /metrics HTTP/1.0\r\n\r\n")
            else:
                for _ in range(14):
                    c.write(os.urandom(1460))
            conns[c.sport] = c
            asked[c.sport] = time.monotonic()
        t0 = time.monotonic()
        reset, probes, held, checked = {}, 0, None, False
        while len(reset) < n and time.monotonic() - t0 < give_up + 20:
            link.pump(0.2)
            for seg in link.drain(ip, None):
                c = conns.get(seg.dport)
                if c is None:
                    continue
                if seg.flags & rawtcp.RST:
                    reset.setdefault(c.sport, seg.t - asked[c.sport])
                elif seg.payload:
                    probes += 1
                    c.send(rawtcp.ACK, win=0)   # not taken: the window stays shut
            if not checked and time.monotonic() - t0 > 2:
                checked = True
                held = h.metrics()["barenet_lwip_memp_used{TCP_SEG}"] - h.baseline["TCP_SEG"]
    finally:
        link.close()
        h.sysctl("net.ipv4.tcp_stall_timeout", 120)
    gone = h.metrics()["barenet_tcp_stall_aborts_total"] - before["barenet_tcp_stall_aborts_total"]
    report("hostile %s: %d zero-window %s held %s segments, answered %d probes, "
           "each reset %.1f-%.1f s after its request (give-up time %d s)" % (
               h.nic, n, "/metrics readers" if port == HTTP else "echo clients", held, probes,
               min(reset.values(), default=0), max(reset.values(), default=0), give_up))
    assert checked
    assert len(reset) == n and gone == n, (len(reset), gone, n)
    # not before the give-up time (the guard looks once a second: not much after)
    early = {k: v for k, v in reset.items() if v < give_up - 0.5}
    assert not early, ("reset before the give-up time", early)
    # two segments ahead of a shut window each, not the whole answer
    assert held <= 3 * n, held
    h.after("zero window")


# -- attackers played on the tap (rawtcp) --------------------------------------
def ooseq_flood(h, n):
    """n one-byte out-of-order segments on one connection: the segment pool
    keeps room for everyone else (an echo from OTHER during the flood)."""
    link = rawtcp.RawLink(h.net)
    try:
        ip = rawtcp.played_addresses(1)[0]
        link.claim(ip)
        c = rawtcp.RawConn(link, ip, DISCARD)
        assert c.connect() and not c.rst
        base = c.snd_nxt + 1        # the byte at snd_nxt never comes: all out of order
        for i in range(n):
            c.send(rawtcp.ACK, b"x", seq=base + 2 * i)
            if i % 100 == 99:
                link.pump(0)
                link.inbox.clear()
        time.sleep(1)
        m = h.metrics()
        held = m["barenet_lwip_memp_used{TCP_SEG}"] - h.baseline["TCP_SEG"]
        t = time.monotonic()
        with h.client(ECHO, TRY_TIMEOUT_S) as s:
            s.sendall(b"during the flood")
            assert s.recv(64) == b"during the flood"
        echo_s = time.monotonic() - t
        c.reset()
    finally:
        link.close()
    report("hostile %s: %d out-of-order segments on one connection held %d of the segment "
           "pool; an echo from another address took %.0f ms" % (h.nic, n, held, echo_s * 1000))
    assert held <= 64, held
    h.after("out-of-order flood")


def small_mss(h, mss, path="/metrics"):
    """A client with MSS mss gets the whole of path."""
    link = rawtcp.RawLink(h.net)
    try:
        ip = rawtcp.played_addresses(1, first=110)[0]
        link.claim(ip)
        c = rawtcp.RawConn(link, ip, HTTP, mss=mss)
        assert c.connect() and not c.rst
        c.write(b"GET %s HTTP/1.0\r\n\r\n" % path.encode())
        t = time.monotonic()
        while not c.fin and not c.rst and time.monotonic() - t < 120:
            n = len(c.data)
            c.poll(5)
            if len(c.data) == n and not c.fin:
                break           # nothing for 5 s: stuck
        took = time.monotonic() - t
        if c.fin:
            c.close()
    finally:
        link.close()
    head, _, body = c.data.partition(b"\r\n\r\n")
    m = re.search(rb"Content-Length: (\d+)", head)
    report("hostile %s: MSS %d client got %d bytes of %s in %.1f s, %d segments" % (
        h.nic, mss, len(c.data), path, took, len(c.sizes)))
    assert c.fin and not c.rst, (len(c.data), c.data[:300])
    assert max(c.sizes) <= mss, max(c.sizes)
    assert head.startswith(b"HTTP/1.0 200 OK") and m, head
    assert len(body) == int(m.group(1)), (len(body), m.group(1))
    h.after("MSS %d" % mss)
    return c


def syn_flood(h, count, seconds, mode=1, port=HTTP):
    """count SYNs from random sources to port over about seconds (bounded):
    HTTP from OTHER meanwhile.  With cookies (mode 1, 2) it is served; the
    half-open connections stay within net.ipv4.tcp_max_syn_backlog and go
    after their lifetime; counters say what was answered with a cookie."""
    if mode != 1:           # 1 is the default: a kernel without the sysctl is tested too
        h.sysctl("net.ipv4.tcp_syncookies", mode)
    before, drops0 = h.tcpext(), h.tap_tx_dropped()
    link = rawtcp.RawLink(h.net)
    half_open = None
    try:
        link.guest_mac = link.guest_mac or h.guest_mac()
        flood = threading.Thread(target=link.syn_flood, args=(count, seconds, port, 11))
        t0 = time.monotonic()
        flood.start()
        time.sleep(0.5)
        served = h.served(tries=TRIES, gap=max(0.3, (seconds - 1) / TRIES))
        flood.join(seconds + 60)
        flood_s = time.monotonic() - t0
        half_open = h.tcp_states().get("03", 0)
    finally:
        link.close()
        if mode != 1:
            h.sysctl("net.ipv4.tcp_syncookies", 1)
    after, drops = h.tcpext(), h.tap_tx_dropped() - drops0
    d = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    report("hostile %s: SYN flood, %d SYNs from random sources in %.1f s (cookies %d): "
           "%d of %d requests from another address served; %d frames dropped at the tap; "
           "%d half-open at the end; TcpExt %s" % (
               h.nic, count, flood_s, mode, served, TRIES, drops, half_open,
               " ".join("%s +%d" % (k, v) for k, v in d.items() if v)))
    return served, d, half_open


def syn_flood_cookies(h, count, seconds):
    served, d, half_open = syn_flood(h, count, seconds)
    assert served >= SERVED_MIN, (served, d)
    assert d["SyncookiesSent"] > 0 and d["TCPReqQFullDoCookies"] > 0, d
    assert d["SyncookiesSent"] >= count // 2, d
    # the served requests of the flood's time got in by cookie or by a slot
    assert half_open <= 32, half_open
    h.after("SYN flood")


def syn_flood_full_rate(h, count):
    """SYNs as fast as the host sends them: the tap queue drops what the
    guest does not take (counted, and the client's frames among them), and
    every SYN that reaches the guest's TCP is answered, by a cookie or a
    slot (issue 11: a legitimate connection succeeds whenever its SYN
    reaches the guest).  How many of the client's 10 tries get through
    depends on the tap's drops, so on the host's load (7-9 of 10 on
    e1000e at a load average of 8, with 60 % of the frames dropped at the
    tap): some must, and none may be refused by the guest."""
    served, d, half_open = syn_flood(h, count, 0)
    assert served >= 1, (served, d)
    assert d["SyncookiesSent"] > 0, d
    assert d.get("ListenDrops", 0) == 0 and d.get("TCPReqQFullDrop", 0) == 0, d
    assert d.get("ListenOverflows", 0) == 0, d
    h.after("SYN flood at full rate")


def syncookies_always(h):
    """net.ipv4.tcp_syncookies=2: every connection is made from its cookie,
    and works; a forged cookie is refused and counted."""
    h.sysctl("net.ipv4.tcp_syncookies", 2)
    before = h.tcpext()
    link = rawtcp.RawLink(h.net)
    try:
        served = h.served(tries=5, gap=0.1)
        mid = h.tcpext()
        ip = rawtcp.played_addresses(1, first=130)[0]
        link.claim(ip)
        c = rawtcp.RawConn(link, ip, HTTP)
        c.send(rawtcp.SYN, mss=1460)
        synack = link.take(ip, c.sport, 5)
        assert synack is not None and synack.flags & rawtcp.SYN, synack
        # an ACK whose acknowledgement number is not the cookie
        c.snd_nxt, c.rcv_nxt = c.iss + 1, (synack.seq + 1 + 12345) & 0xffffffff
        c.send(rawtcp.ACK)
        rst = link.take(ip, c.sport, 5, want=lambda s: s.flags & rawtcp.RST)
        after = h.tcpext()
    finally:
        link.close()
        h.sysctl("net.ipv4.tcp_syncookies", 1)
    d1 = {k: mid[k] - before[k] for k in mid}
    d2 = {k: after[k] - mid[k] for k in after}
    report("hostile %s: tcp_syncookies=2: %d of 5 requests served, TcpExt %s; a forged cookie: "
           "%s, TcpExt %s" % (h.nic, served, d1, "RST" if rst else "no answer", d2))
    assert served == 5
    assert d1["SyncookiesSent"] >= 5 and d1["SyncookiesRecv"] >= 5, d1
    assert d1["SyncookiesFailed"] == 0, d1
    assert rst is not None
    assert d2["SyncookiesFailed"] == 1 and d2["SyncookiesRecv"] == 0, d2
    h.after("SYN cookies always")


def half_open_lifetime(h, count=200):
    """Without cookies the listener keeps at most tcp_max_syn_backlog
    half-open connections, drops the rest (counted), and gives each up
    after tcp_synack_retries (1: 3 + 6 s)."""
    served, d, half_open = syn_flood(h, count, 1.0, mode=0, port=ECHO)
    t = time.monotonic()
    while h.tcp_states().get("03", 0) and time.monotonic() - t < 30:
        time.sleep(0.5)
    gone_s = time.monotonic() - t
    report("hostile %s: %d SYNs without cookies: %d half-open kept, %d dropped (TCPReqQFullDrop), "
           "all gone %.1f s later" % (h.nic, count, half_open, d.get("TCPReqQFullDrop", 0),
                                      gone_s))
    assert half_open <= 32, half_open
    assert d["TCPReqQFullDrop"] >= count - 32 - 5 and d["ListenDrops"] >= d["TCPReqQFullDrop"], d
    assert d["SyncookiesSent"] == 0, d
    assert h.tcp_states().get("03", 0) == 0 and gone_s < 12, gone_s
    h.after("half-open")


def tiny_mss(h):
    """An MSS option of 1 gets segments of net.ipv4.tcp_min_snd_mss (48)."""
    link = rawtcp.RawLink(h.net)
    try:
        ip = rawtcp.played_addresses(1, first=140)[0]
        link.claim(ip)
        c = rawtcp.RawConn(link, ip, HTTP, mss=1)
        assert c.connect() and not c.rst
        c.write(b"GET /status HTTP/1.0\r\n\r\n")
        t = time.monotonic()
        while not c.fin and not c.rst and time.monotonic() - t < 60:
            if not c.poll(5):
                break
        if c.fin:
            c.close()
    finally:
        link.close()
    sizes = c.sizes
    head, _, body = c.data.partition(b"\r\n\r\n")
    m = re.search(rb"Content-Length: (\d+)", head)
    report("hostile %s: MSS 1 client: %d bytes in %d segments of at most %d bytes" % (
        h.nic, len(c.data), len(sizes), max(sizes or [0])))
    assert c.fin and m and len(body) == int(m.group(1)), c.data[:200]
    assert max(sizes) == 48 and min(sizes[:-1] or [48]) == 48, sizes
    h.after("MSS 1")


# -- the tests ------------------------------------------------------------------
QUICK_HOLD = 300        # more than the 256 TCP PCBs


def test_silent_hold(quick):
    silent_hold(quick, QUICK_HOLD)


def test_eviction_without_per_source_limit(quick):
    eviction(quick, QUICK_HOLD)


def test_slowloris(quick):
    slowloris(quick, QUICK_HOLD)


def test_idle_timeout_echo_discard(quick):
    idle_timeout(quick)


def test_idle_timeout_resets_silent_peers(quick):
    silent_idle(quick, 20)


def test_orphan_fins_given_up(quick):
    orphan_fins(quick, 10)


def test_zero_window_given_up(quick):
    zero_window(quick, 20)


def test_zero_window_echo_given_up(quick):
    zero_window(quick, 20, port=ECHO)


def test_ooseq_flood_one_connection(quick):
    ooseq_flood(quick, 1000)


def test_mss_48_gets_all_of_metrics(quick):
    small_mss(quick, 48)


def test_syn_flood_with_cookies(quick):
    syn_flood_cookies(quick, 5000, 3)


def test_syncookies_always_and_forged(quick):
    syncookies_always(quick)


def test_half_open_bounded_without_cookies(quick):
    half_open_lifetime(quick)


def test_mss_1_gets_min_snd_mss(quick):
    tiny_mss(quick)


@pytest.mark.stress
def test_hostile_full(full):
    silent_hold(full, 400)
    eviction(full, 400)
    slowloris(full, 400)
    idle_timeout(full)
    silent_idle(full, 200)
    orphan_fins(full, 60)
    zero_window(full, 60)
    zero_window(full, 60, port=ECHO)
    ooseq_flood(full, 3000)
    small_mss(full, 48)
    tiny_mss(full)
    syn_flood_cookies(full, 20000, 5)
    syn_flood_full_rate(full, 200000)
    syncookies_always(full)
    half_open_lifetime(full, 1000)
