"""The test network plumbing (tests/qemu/netns.py): namespaces with a tap,
tools and QEMU run inside them, teardown even when a test fails, the sweep of
stale namespaces, and the router advertisements the IPv6 tests rely on.
These need no NIC driver in the kernel.  All traffic stays inside the
namespaces created here."""
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time

import pytest

import netns
from harness import EXIT_OK, EXIT_PANIC

HERE = os.path.dirname(os.path.abspath(__file__))


def links(net):
    return {link["ifname"]: link for link in json.loads(net.run(["ip", "-j", "addr"], check=True).stdout)}


def addrs(link):
    return {"%s/%d" % (a["local"], a["prefixlen"]) for a in link.get("addr_info", [])}


def test_namespace_has_lo_and_tap_with_the_host_addresses(testnet):
    assert re.fullmatch(r"bn-test-%d-\d+" % os.getpid(), testnet.name)
    assert testnet.name in netns.list_namespaces()
    ls = links(testnet)
    assert sorted(ls) == ["lo", "tap0"], ls
    assert "UP" in ls["lo"]["flags"] and "127.0.0.1/8" in addrs(ls["lo"])
    assert "UP" in ls["tap0"]["flags"]
    assert {"10.0.2.2/24", "fd00:10:0:2::2/64"} <= addrs(ls["tap0"]), ls["tap0"]
    # the only IPv4 route is the tap's subnet: no default route, nothing
    # leads out of the namespace
    routes = json.loads(testnet.run(["ip", "-j", "-4", "route"], check=True).stdout)
    assert [(r["dst"], r["dev"]) for r in routes] == [("10.0.2.0/24", "tap0")], routes
    r = testnet.run(["ip", "route", "get", "192.0.2.1"])
    assert r.returncode != 0 and "unreachable" in r.stderr, r.stdout + r.stderr
    # loopback inside the namespace works
    r = testnet.run(["ping", "-c", "1", "-W", "2", "127.0.0.1"], timeout=10)
    assert r.returncode == 0 and " 0% packet loss" in r.stdout, r.stdout + r.stderr


def test_two_testnets_are_separate():
    netns.require()
    with netns.TestNet() as a, netns.TestNet() as b:
        assert a.name != b.name
        assert {a.name, b.name} <= set(netns.list_namespaces())
        # each has its own tap0 (own MAC): the same name, two devices
        assert links(a)["tap0"]["address"] != links(b)["tap0"]["address"]
    assert a.name not in netns.list_namespaces() and b.name not in netns.list_namespaces()


def test_context_manager_cleans_up_after_an_exception():
    netns.require()
    with pytest.raises(ZeroDivisionError):
        with netns.TestNet() as net:
            name = net.name
            p = net.popen(["sleep", "60"])
            # `ip netns exec` enters the namespace a moment after it starts
            deadline = time.monotonic() + 5
            while p.pid not in netns.pids_in(name) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert p.pid in netns.pids_in(name)
            1 / 0
    assert name not in netns.list_namespaces()
    assert p.poll() is not None, "the process started in the namespace still runs"


def test_a_failing_test_leaves_no_namespace_and_no_qemu(kernel, tmp_path):
    """A test that fails while its guest runs: the fixture's finalizer kills
    the QEMU and deletes the namespace."""
    netns.require()
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""
        import importlib.util
        spec = importlib.util.spec_from_file_location("barenet_conftest", %r)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        testnet, kernel = mod.testnet, mod.kernel
        """ % os.path.join(HERE, "conftest.py")))
    (tmp_path / "test_fails.py").write_text(textwrap.dedent("""
        def test_fails(testnet, kernel):
            g = testnet.guest("netns-failing", append="")
            g.wait_for(r"barenet: ready", timeout=60)
            print("NETNS=%s QEMU=%d" % (testnet.name, g.proc.pid), flush=True)
            assert False, "deliberate failure"
        """))
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                        str(tmp_path / "test_fails.py")],
                       cwd=str(tmp_path), stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=180)
    out = r.stdout + r.stderr
    assert r.returncode == 1 and "deliberate failure" in out and "1 failed" in out, out
    m = re.search(r"NETNS=(\S+) QEMU=(\d+)", out)
    assert m, out
    assert m.group(1) not in netns.list_namespaces()
    assert not os.path.exists("/proc/%s" % m.group(2)) or \
        "qemu" not in open("/proc/%s/comm" % m.group(2)).read(), "QEMU still runs"


def test_stale_namespaces_of_dead_test_runs_are_swept():
    netns.require()
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = "%s%d-0" % (netns.PREFIX, dead.pid)
    mine = "%s%d-stale" % (netns.PREFIX, os.getpid())        # this process runs
    foreign = "bn-other-%d" % os.getpid()                    # not our prefix
    made = []
    try:
        for name in (stale, mine, foreign):
            subprocess.run(["ip", "netns", "add", name], check=True)
            made.append(name)
        gone = netns.sweep_stale()
        left = netns.list_namespaces()
        assert stale in gone and stale not in left
        assert mine in left and foreign in left, left
        assert mine not in gone and foreign not in gone
    finally:
        for name in made:
            subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)


def test_guest_runs_inside_the_namespace_on_the_tap(testnet, kernel):
    g = testnet.guest("netns-idle", nic="e1000", append="ip=10.0.2.15/24,10.0.2.2")
    g.wait_for(r"barenet: ready in", timeout=60)
    # the PID the harness holds is QEMU's own (ip netns exec execs it), and
    # that process lives in the namespace, holding tap0
    assert open("/proc/%d/comm" % g.proc.pid).read().strip() == "qemu-system-x86"
    assert g.proc.pid in netns.pids_in(testnet.name)
    tap = links(testnet)["tap0"]
    assert "LOWER_UP" in tap["flags"] and "NO-CARRIER" not in tap["flags"], tap
    assert re.search(r"^\[ *[\d.]+\] pci: 0000:00:\d\d\.0 \[0200\] 8086:100e Ethernet controller",
                     g.output, re.M), g.output
    assert "cmdline: 'ip=10.0.2.15/24,10.0.2.2'" in g.output
    g.kill()
    # QEMU gone: the tap has no carrier any more
    deadline = time.monotonic() + 10
    while "NO-CARRIER" not in links(testnet)["tap0"]["flags"]:
        assert time.monotonic() < deadline, links(testnet)["tap0"]
        time.sleep(0.1)


@pytest.mark.parametrize("nic", ["e1000", "e1000e", "igb"])
def test_guest_in_the_namespace_exits_with_the_kernels_status(testnet, kernel, nic):
    with testnet.guest("netns-ready-" + nic, nic=nic, append="exit=ready") as g:
        code = g.wait_exit(60)
    assert "barenet: ready in" in g.output and "power: off (exit status 0)" in g.output, g.output
    assert code == EXIT_OK, g.output[-2000:]
    with testnet.guest("netns-panic-" + nic, nic=nic, append="selftest=ud2 panic=exit") as g:
        code = g.wait_exit(60)
    assert "invalid opcode" in g.output.lower(), g.output[-2000:]
    assert code == EXIT_PANIC, g.output[-2000:]


def test_router_adverts_reach_the_tap(testnet, kernel):
    """The RA sender the IPv6 tests use: seen on tap0 with the prefix, the
    M/O flags clear, A and L set, from the tap's link-local address."""
    # a guest (any kernel) gives the tap a carrier: without it the tap
    # drops frames before a capture sees them
    g = testnet.guest("netns-ra", append="")
    g.wait_for(r"barenet: ready in", timeout=60)
    ll = [a["local"] for a in links(testnet)["tap0"]["addr_info"] if a["local"].startswith("fe80:")]
    assert ll
    cap = testnet.popen(["tshark", "-l", "-n", "-i", "tap0", "-c", "2", "-a", "duration:20",
                         "-f", "icmp6 and ip6[40] == 134", "-T", "fields",
                         "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "icmpv6.opt.prefix",
                         "-e", "icmpv6.opt.prefix.flag.a", "-e", "icmpv6.nd.ra.router_lifetime"])
    time.sleep(2)   # tshark's start-up: the capture must be open first
    ra = testnet.start_router_adverts(count=10, interval=0.3)
    out, err = cap.communicate(timeout=40)
    ra.wait(timeout=20)
    rows = [line.split("\t") for line in out.splitlines() if line.strip()]
    assert len(rows) == 2, out + err
    for src, dst, prefix, a_flag, lifetime in rows:
        assert src == ll[0] and dst == "ff02::1", rows
        assert prefix == "fd00:10:0:2::" and a_flag in ("1", "True") and lifetime == "0", rows


def test_sockets_made_in_the_namespace_and_the_thread_returns(testnet):
    home = os.readlink("/proc/thread-self/ns/net")
    inode = os.stat(os.path.join(netns.NETNS_DIR, testnet.name)).st_ino
    with testnet.entered():
        assert os.readlink("/proc/thread-self/ns/net") == "net:[%d]" % inode
    assert os.readlink("/proc/thread-self/ns/net") == home
    with pytest.raises(KeyError):
        with testnet.entered():
            raise KeyError("inside")
    assert os.readlink("/proc/thread-self/ns/net") == home
    # a socket made there stays there: it can use the tap's address, and
    # two sockets talk over the namespace's own loopback
    with testnet.socket(socket.AF_INET, socket.SOCK_DGRAM) as a, \
            testnet.socket(socket.AF_INET, socket.SOCK_DGRAM) as b:
        a.bind((netns.HOST4, 0))
        b.bind(("127.0.0.1", 0))
        b.settimeout(5)
        a.sendto(b"over lo", b.getsockname())
        assert b.recvfrom(100)[0] == b"over lo"
