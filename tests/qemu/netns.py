"""Private networks for host-driven network tests.

A TestNet is a network namespace this code creates, named bn-test-<pid>-<n>,
with lo up and one tap device (tap0) holding the host side's addresses:
10.0.2.2/24 and fd00:10:0:2::2/64 (plus its automatic link-local).  A guest
started with TestNet.guest() runs QEMU inside the namespace on that tap, so
the guest (10.0.2.15 by convention) and the host tools that talk to it
(TestNet.run / TestNet.popen: `ip netns exec <name> ...`) see only each
other.  Nothing reaches the host's own interfaces or any other address.

Lifetime: close() (the context manager's exit, or the `testnet` fixture's
finalizer) kills every process this TestNet started, by PID, then deletes
the namespace; the tap goes with it.  If a test process dies before that
(SIGKILL), the next TestNet of any later run sweeps namespaces named
bn-test-<pid>-* whose <pid> no longer runs: only names this code makes.

Needs root, iproute2 and /dev/net/tun; available() says why not, and
require() turns that into pytest.skip.

IPv6 router advertisements: TestNet.start_router_adverts() sends them from
tap0 with scapy under /usr/bin/python3 (python3-scapy is already one of
tools/deps.sh's packages), not radvd: no daemon, config file or pid file to
manage, and the test decides how many are sent and for how long.
"""
import contextlib
import ctypes
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import time

import harness

PREFIX = "bn-test-"
TAP = "tap0"
HOST4 = "10.0.2.2"
GUEST4 = "10.0.2.15"
PREFIXLEN4 = 24
SLAAC_PREFIX = "fd00:10:0:2::"
HOST6 = SLAAC_PREFIX + "2"
PREFIXLEN6 = 64
IP = "ip"
PYTHON = "/usr/bin/python3"   # the interpreter with scapy (Debian's)
NETNS_DIR = "/run/netns"      # where `ip netns add` binds the namespaces
CLONE_NEWNET = 0x40000000     # setns(2) nstype: <linux/sched.h>

_seq = itertools.count()
_probe = None       # (ok, reason) once probed
_swept = False


def _ip(*args, timeout=10, check=True):
    return subprocess.run([IP] + list(args), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout, check=check)


def list_namespaces():
    """Names of the network namespaces `ip netns` knows."""
    r = _ip("netns", "list", check=False)
    return [line.split()[0] for line in r.stdout.splitlines() if line.strip()]


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale():
    """Delete namespaces bn-test-<pid>-* left by test processes that no
    longer run (a SIGKILLed pytest cannot run its finalizers).  Returns the
    names deleted.  Names without this prefix are never touched."""
    gone = []
    for name in list_namespaces():
        m = re.match(re.escape(PREFIX) + r"(\d+)-", name)
        if not m or _pid_alive(int(m.group(1))):
            continue
        if _ip("netns", "del", name, check=False).returncode == 0:
            gone.append(name)
    return gone


def available():
    """(True, "") when this process can create namespaces with a tap;
    otherwise (False, why).  Probed once per process."""
    global _probe
    if _probe is not None:
        return _probe
    if os.geteuid() != 0:
        _probe = (False, "network namespaces need root (run the tests as root)")
    elif not any(os.access(os.path.join(d, IP), os.X_OK)
                 for d in os.environ.get("PATH", "").split(os.pathsep)):
        _probe = (False, "iproute2's ip is not installed (tools/deps.sh)")
    elif not os.path.exists("/dev/net/tun"):
        _probe = (False, "/dev/net/tun missing: no tap devices")
    else:
        name = "%s%d-probe" % (PREFIX, os.getpid())
        try:
            _ip("netns", "add", name)
            try:
                _ip("netns", "exec", name, IP, "tuntap", "add", TAP, "mode", "tap")
                _probe = (True, "")
            finally:
                _ip("netns", "del", name, check=False)
        except subprocess.CalledProcessError as e:
            _probe = (False, "cannot create a namespace with a tap: %s: %s"
                      % (" ".join(e.cmd), (e.stderr or "").strip()))
    return _probe


def require():
    """pytest.skip with the reason when namespaces with taps are unavailable."""
    import pytest
    ok, why = available()
    if not ok:
        pytest.skip(why)


def eui64_linklocal(mac):
    """fe80:: address lwIP (and Linux) derive from a MAC: modified EUI-64."""
    b = [int(x, 16) for x in mac.split(":")]
    b = [b[0] ^ 0x02] + b[1:3] + [0xff, 0xfe] + b[3:]
    groups = ["%x" % (b[i] << 8 | b[i + 1]) for i in range(0, 8, 2)]
    return "fe80::" + ":".join(groups)


def eui64_address(prefix, mac):
    """The SLAAC address of mac under a /64 prefix written like 'fd00:10:0:2::'."""
    return prefix.rstrip(":") + ":" + eui64_linklocal(mac)[len("fe80::"):]


_RA_SCRIPT = r"""
import sys, time
from scapy.all import Ether, IPv6, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, \
    ICMPv6NDOptSrcLLAddr, get_if_hwaddr, sendp
iface, prefix, count, interval = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
mac = get_if_hwaddr(iface)
b = [int(x, 16) for x in mac.split(":")]
b = [b[0] ^ 2] + b[1:3] + [0xff, 0xfe] + b[3:]
src = "fe80::" + ":".join("%x" % (b[i] << 8 | b[i + 1]) for i in range(0, 8, 2))
ra = (Ether(src=mac, dst="33:33:00:00:00:01") /
      IPv6(src=src, dst="ff02::1", hlim=255) /
      ICMPv6ND_RA(routerlifetime=0) / ICMPv6NDOptSrcLLAddr(lladdr=mac) /
      ICMPv6NDOptPrefixInfo(prefix=prefix, prefixlen=64, L=1, A=1,
                            validlifetime=3600, preferredlifetime=1800))
for i in range(count):
    sendp(ra, iface=iface, verbose=False)
    print("ra", i, flush=True)
    time.sleep(interval)
"""


class TestNet:
    """One namespace with a tap; see the module doc.  Use `with TestNet() as
    net:` or the `testnet` fixture (conftest.py)."""

    __test__ = False    # not a pytest test class, whatever its name

    def __init__(self, tag=""):
        global _swept
        ok, why = available()
        if not ok:
            raise RuntimeError(why)
        if not _swept:
            sweep_stale()
            _swept = True
        self.name = "%s%d-%d" % (PREFIX, os.getpid(), next(_seq))
        self.tag = tag
        self.prefix = [IP, "netns", "exec", self.name]
        self.procs = []
        self.guests = []
        self.closed = False
        _ip("netns", "add", self.name)
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    def _setup(self):
        # no DAD on the tap: its addresses are usable at once (the only other
        # node on this link is the guest)
        self.run(["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=0",
                  "net.ipv6.conf.default.disable_ipv6=0",
                  "net.ipv6.conf.default.accept_dad=0"], check=True)
        for cmd in (["link", "set", "lo", "up"],
                    ["tuntap", "add", TAP, "mode", "tap"],
                    ["addr", "add", "%s/%d" % (HOST4, PREFIXLEN4), "dev", TAP],
                    ["-6", "addr", "add", "%s/%d" % (HOST6, PREFIXLEN6), "dev", TAP, "nodad"],
                    ["link", "set", TAP, "up"]):
            self.run([IP] + cmd, check=True)

    # -- host tools inside the namespace ---------------------------------
    def run(self, cmd, timeout=30, check=False, **kw):
        """Run argv cmd inside the namespace; subprocess.CompletedProcess
        with text stdout/stderr.  On timeout the tool is killed (by its PID:
        `ip netns exec` execs it) and TimeoutExpired raised."""
        return subprocess.run(self.prefix + list(cmd), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout,
                              check=check, **kw)

    def popen(self, cmd, **kw):
        """Start argv cmd inside the namespace; close() kills it if it runs
        still.  Default: stdin closed, stdout and stderr piped (text)."""
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("text", True)
        p = subprocess.Popen(self.prefix + list(cmd), **kw)
        self.procs.append(p)
        return p

    @contextlib.contextmanager
    def entered(self):
        """Run the body with this thread inside the namespace (setns(2)),
        back in its own namespace afterwards, whatever happens.  A socket
        made in the body stays in the namespace for its whole life."""
        libc = ctypes.CDLL(None, use_errno=True)
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            target = os.open(os.path.join(NETNS_DIR, self.name), os.O_RDONLY)
            try:
                if libc.setns(target, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns into " + self.name)
            finally:
                os.close(target)
            try:
                yield
            finally:
                if libc.setns(own, CLONE_NEWNET) != 0:
                    # cannot go home: this process must not carry on
                    os._exit(99)
        finally:
            os.close(own)

    def socket(self, family=socket.AF_INET, kind=socket.SOCK_STREAM):
        """A socket that lives in this namespace (its traffic can reach only
        the tap's subnet and the namespace's own lo)."""
        with self.entered():
            return socket.socket(family, kind)

    def http_get(self, dst, path="/status", timeout=10.0, src=None, sport=None,
                 headers=b"", reuse=False):
        """The whole answer (bytes, until the server closes) to an HTTP/1.0
        GET of path from a socket in this namespace, bound to src:sport
        when given (reuse: SO_REUSEADDR first), within timeout seconds in
        all; raises OSError (socket.timeout included) otherwise."""
        deadline = time.monotonic() + timeout
        with self.socket() as s:
            if reuse:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if src is not None or sport is not None:
                s.bind((src or "", sport or 0))
            s.settimeout(timeout)
            s.connect((dst, 80))
            s.sendall(b"GET %s HTTP/1.0\r\n%s\r\n" % (path.encode(), headers))
            data = b""
            while True:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = s.recv(65536)
                if not chunk:
                    return data
                data += chunk

    def python(self, code, *args, timeout=60):
        """Run Python code (with scapy available) inside the namespace."""
        return self.run([PYTHON, "-c", code] + [str(a) for a in args], timeout=timeout)

    def start_router_adverts(self, count=60, interval=0.5, prefix=SLAAC_PREFIX):
        """Send count router advertisements of prefix/64 (autonomous, on-link,
        router lifetime 0: not a default router) from tap0 to ff02::1, one
        every interval seconds.  Returns the Popen; close() ends it."""
        return self.popen([PYTHON, "-c", _RA_SCRIPT, TAP, prefix, str(count), str(interval)])

    def stop_router_solicitations(self):
        """One router advertisement from tap0 to ff02::1, router lifetime 0 (not a default router): lwIP stops its router
        solicitations on any RA (nd6.c; it sends one first if it has sent
        none), so the guest's IPv6 start-up is over without waiting out its
        three, 4 s apart.  Built by hand on an AF_PACKET socket (no scapy:
        its import takes seconds); the tap's MAC and the link-local address
        made from it are the source."""
        import struct
        mac = self.run(["cat", "/sys/class/net/%s/address" % TAP], check=True).stdout.strip()
        src = socket.inet_pton(socket.AF_INET6, eui64_linklocal(mac))
        dst = socket.inet_pton(socket.AF_INET6, "ff02::1")
        # RFC 4861 4.2: type 134, code 0, checksum, cur hop limit, flags,
        # router lifetime, reachable time, retrans timer (all 0: unspecified)
        ra = struct.pack("!BBHBBHII", 134, 0, 0, 0, 0, 0, 0, 0)
        # the source link-layer address option (type 1, 8 bytes): the
        # router's neighbour entry gets the tap's MAC, not an empty one
        ra += b"\x01\x01" + bytes.fromhex(mac.replace(":", ""))
        pseudo = src + dst + struct.pack("!I3xB", len(ra), 58) + ra
        csum = sum(struct.unpack("!%dH" % (len(pseudo) // 2), pseudo))
        while csum >> 16:
            csum = (csum & 0xffff) + (csum >> 16)
        ra = ra[:2] + struct.pack("!H", ~csum & 0xffff) + ra[4:]
        ip6 = struct.pack("!IHBB", 6 << 28, len(ra), 58, 255) + src + dst
        eth = bytes.fromhex("333300000001") + bytes.fromhex(mac.replace(":", "")) + b"\x86\xdd"
        with self.entered():
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        with sock:
            sock.bind((TAP, 0))
            sock.send(eth + ip6 + ra)

    # -- guests ---------------------------------------------------------
    def guest(self, name, nic="e1000", mac=harness.DEFAULT_MAC, **kw):
        """A harness.Guest whose QEMU runs inside this namespace with one NIC
        of model nic on tap0.  close() kills it if it still runs."""
        g = harness.Guest(name, prefix=self.prefix, nic=nic, mac=mac,
                          netdev="tap,id=n0,ifname=%s,script=no,downscript=no" % TAP, **kw)
        self.guests.append(g)
        return g

    # -- teardown -------------------------------------------------------
    def close(self):
        """Kill what this TestNet started, then delete the namespace.  Safe
        to call twice."""
        if self.closed:
            return
        self.closed = True
        errors = []
        for g in self.guests:
            try:
                g.close()
            except Exception as e:  # keep tearing down
                errors.append(e)
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                p.communicate(timeout=10)
            except Exception as e:
                errors.append(e)
        r = _ip("netns", "del", self.name, check=False)
        if r.returncode != 0 and self.name in list_namespaces():
            errors.append(RuntimeError("ip netns del %s: %s" % (self.name, r.stderr.strip())))
        if errors:
            raise errors[0]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def pids_in(name):
    """PIDs of the processes inside namespace name (`ip netns pids`)."""
    r = _ip("netns", "pids", name, check=False)
    return [int(x) for x in r.stdout.split()]


if __name__ == "__main__":
    # `python3 tests/qemu/netns.py sweep`: remove stale bn-test-* namespaces
    if sys.argv[1:] == ["sweep"]:
        print("\n".join(sweep_stale()))
