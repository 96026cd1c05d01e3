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
"""
import json
import re
import socket
import time

import pytest

import netns
from netparse import parse_snmp

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

    def snmp6(self):
        out = self.shell("cat /proc/net/snmp6")
        return {k: int(v) for k, v in re.findall(r"^(\w+)\s+(\d+)$", out, re.M)}

    def snmp(self):
        return parse_snmp(self.shell("cat /proc/net/snmp"))

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
