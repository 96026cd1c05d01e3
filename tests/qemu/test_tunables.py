"""The receive tunables change behaviour measurably, on each NIC model
(e1000, e1000e, igb), with one guest per model in a namespace of the test's
own (netns.TestNet, the guest at 10.0.2.15 on tap0):

- RX ring size (`ethtool -G eth0 rx N`): the same burst of UDP datagrams,
  sent as fast as a socket takes them from the namespace, loses more frames
  with a 64-descriptor ring than with a 4096-descriptor one.
- net.core.netdev_budget=1: under a flood, every poll that used its whole
  weight ends the NET_RX run with work left, so softnet_stat's time_squeeze
  grows; with a budget no run can reach it stays still.
- A refused value changes nothing (the ring and the sysctl read back the
  same after a bad value).

Where the frames are lost.  None of QEMU's three models drops a frame when
its RX ring is full: it stops taking frames from the backend (the device's
can_receive is false) until the driver gives descriptors back, so the
NIC's Missed Packets Count (MPC) and Receive No Buffers Count (RNBC) stay
0.  With a tap backend the frames wait in the tap's own queue (txqueuelen
entries) in the host kernel, and what does not fit is dropped there and
counted as the tap's tx_dropped.  So the test counts: sent (the socket),
received (the guest's eth0 rx_packets), lost = sent - received, and checks
lost against the tap's tx_dropped; the NIC's miss counters are checked to
be reported as the registers say (ethtool -S rx_missed_errors and
rx_no_buffer_count, sysfs rx_missed_errors, /proc/net/dev's drop column),
whatever they are.

The burst: 12000 datagrams of 1400 bytes, sendmmsg(2) from the namespace
(~25-75 ms).  QEMU copies a frame from the tap into the ring in native code;
the guest's per-frame work (copies, checks) runs under TCG and grows with
the frame's size, so the guest drains the ring more slowly than QEMU fills
it and a full ring shows its whole capacity.  With 18-byte datagrams the two
rates were close and the 4096 ring's losses varied by thousands from run to
run (measured while writing this test).  Measured on a 2-core TCG host:
rx 64 lost ~8900 of 12000 on each model, rx 4096 ~4000-5400 (the difference
is close to the 4032 descriptors between them); the tap's tx_dropped agreed
with the sender's count minus the guest's rx_packets to within a frame;
MPC and RNBC stayed 0."""
import ctypes
import re
import socket
import statistics
import time

import pytest

import netns
from harness import report
from netparse import parse_ethtool_stats, softnet_totals, without_klog
from test_journey import APPEND, GUEST, NICS, QUICK, Journey, driver_missing

DISCARD_PORT = 9
SMALL_RING, LARGE_RING = 64, 4096
BURST = 12000                      # datagrams per burst
PAYLOAD = 1400                     # bytes of UDP payload each
BURST_SECONDS = 10                 # a burst stops here even if not all were sent
ROUNDS = 5 if QUICK else 9         # rounds of one burst per ring size
def sh(g, cmd):
    """g.shell(cmd) without the kernel's log lines (ring changes log)."""
    return without_klog(g.shell(cmd))


class TunedGuest(Journey):
    """Journey's guest, kept for a whole module (one boot per model)."""

    def __init__(self, net, nic):
        self.net, self.nic = net, nic
        # one RSS queue: with several, QEMU's igb drops a frame whose queue
        # is full without counting it (igb_receive_internal: only ICR.RXO),
        # and the burst's frames are accounted for one by one
        self.g = net.guest("tunables-" + nic, nic=nic, append=APPEND + " e1000.queues=1")
        self.g.wait_for(r"net: eth0 %s/24 gw %s \(static\)" % (re.escape(GUEST),
                                                              re.escape(netns.HOST4)), timeout=60)
        self.g.wait_for(r"barenet: ready in", timeout=60)
        self.g.wait_prompt(30)
        self.udp_probes = self.wait_reachable()


@pytest.fixture(scope="module", params=NICS)
def tuned(request, kernel):
    netns.require()
    net = netns.TestNet(tag="tunables")
    try:
        why = driver_missing(net, request.param)
        if why:
            pytest.skip(why)
        yield TunedGuest(net, request.param)
    finally:
        net.close()


def tap_stats(net):
    """tap0's counters in the namespace: the host side of the link (the
    tap's tx is what the host sent towards the guest)."""
    out = net.run(["sh", "-c", "cd /sys/class/net/%s/statistics && "
                   "echo $(cat tx_packets tx_dropped rx_packets)" % netns.TAP], check=True).stdout
    tx, txd, rx = map(int, out.split())
    return {"tx_packets": tx, "tx_dropped": txd, "rx_packets": rx}


def sysfs(g, name):
    return int(sh(g, "cat /sys/class/net/eth0/statistics/" + name))


def softnet(g):
    """/proc/net/softnet_stat, summed over the CPUs: (processed, dropped,
    time_squeeze)"""
    t = softnet_totals(sh(g, "cat /proc/net/softnet_stat"))
    return t["processed"], t["dropped"], t["time_squeeze"]


class _iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class _msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(_iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class _mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", _msghdr), ("len", ctypes.c_uint)]


_libc = ctypes.CDLL(None, use_errno=True)
BATCH = 1024                       # UIO_MAXIOV: sendmmsg's largest vlen


def burst(j, n=BURST, seconds=BURST_SECONDS):
    """n datagrams of PAYLOAD bytes to the discard port, as fast as the host can:
    sendmmsg(2) on a connected UDP socket, BATCH per call (a Python loop of
    sendto is slow enough for the guest to drain much of the burst while
    it is sent).  The tap never pushes back (it drops what its queue cannot
    hold), so every call returns at once.  Returns (sent, seconds)."""
    s = j.sock(socket.SOCK_DGRAM)
    payloads = [ctypes.create_string_buffer(b"burst %12d" % i, PAYLOAD) for i in range(BATCH)]
    iovs = (_iovec * BATCH)(*[_iovec(ctypes.addressof(p), PAYLOAD) for p in payloads])
    msgs = (_mmsghdr * BATCH)()
    for i in range(BATCH):
        msgs[i].hdr.iov = ctypes.pointer(iovs[i])
        msgs[i].hdr.iovlen = 1
    sent = 0
    t0 = time.monotonic()
    try:
        s.connect((GUEST, DISCARD_PORT))
        while sent < n and time.monotonic() - t0 < seconds:
            r = _libc.sendmmsg(s.fileno(), msgs, min(BATCH, n - sent), 0)
            if r < 0:
                raise OSError(ctypes.get_errno(), "sendmmsg")
            sent += r
    finally:
        s.close()
    return sent, time.monotonic() - t0


def quiet(j, timeout=30):
    """Wait until eth0's rx_packets stops moving (the tap queue drained)."""
    last = sysfs(j.g, "rx_packets")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = sysfs(j.g, "rx_packets")
        if now == last:
            return now
        last = now
    raise AssertionError("eth0 still receiving after %d s" % timeout)


def one_burst(j):
    """One burst; returns (sent, received, tap tx_dropped) deltas."""
    tap0 = tap_stats(j.net)
    rx0 = quiet(j)
    sent, secs = burst(j)
    rx1 = quiet(j)
    tap1 = tap_stats(j.net)
    return sent, rx1 - rx0, tap1["tx_dropped"] - tap0["tx_dropped"], \
        tap1["tx_packets"] - tap0["tx_packets"], round(secs, 4)


def set_ring(g, rx):
    assert sh(g, "ethtool -G eth0 rx %d" % rx) == ""
    m = re.search(r"^RX:\t\t(\d+)$", sh(g, "ethtool -g eth0").split("Current")[1], re.M)
    assert int(m.group(1)) == rx


def nic_counters(g):
    """What each view says about eth0's receive side."""
    st = parse_ethtool_stats(sh(g, "ethtool -S eth0"))
    dev = re.search(r"^ *eth0: *(.*)$", sh(g, "cat /proc/net/dev"), re.M).group(1).split()
    return {"rx_missed_errors": st["rx_missed_errors"], "rx_no_buffer_count": st["rx_no_buffer_count"],
            "rx_dropped": st["rx_dropped"], "napi_polls": st["napi_polls"],
            "sys_missed": sysfs(g, "rx_missed_errors"), "sys_dropped": sysfs(g, "rx_dropped"),
            "sys_fifo": sysfs(g, "rx_fifo_errors"),
            "dev_drop": int(dev[3]), "dev_fifo": int(dev[4])}


def test_smaller_ring_loses_more_of_a_burst(tuned):
    j, g = tuned, tuned.g
    runs = {SMALL_RING: [], LARGE_RING: []}
    c0 = nic_counters(g)
    for _ in range(ROUNDS):
        # each round one burst per ring size, back to back (the host's load
        # drifts: a round compares like with like)
        for ring in (LARGE_RING, SMALL_RING):
            set_ring(g, ring)
            j.wait_reachable()
            runs[ring].append(one_burst(j))
    c1 = nic_counters(g)
    for ring, rs in runs.items():
        for sent, received, dropped, tap_tx, secs in rs:
            assert sent == BURST, rs
            # every frame the guest did not get was dropped at the tap: the
            # backend's count and the sender's agree (a few frames of ARP
            # or neighbour discovery either way)
            assert abs((sent - received) - dropped) <= 5, (ring, rs)
            assert abs(tap_tx - received) <= 5, (ring, rs)
    lost = {ring: [sent - received for sent, received, _, _, _ in rs] for ring, rs in runs.items()}
    more = [a - b for a, b in zip(lost[SMALL_RING], lost[LARGE_RING])]
    qlen = int(j.net.run(["cat", "/sys/class/net/%s/tx_queue_len" % netns.TAP]).stdout)
    report("ring %s: bursts of %d x %d-byte datagrams (tap txqueuelen %d), lost with rx %d: %s; "
           "with rx %d: %s; rx %d lost more by %s (median %d); bursts sent in %s ms; tap "
           "tx_dropped = sent - received; NIC rx_missed_errors +%d rx_no_buffer_count +%d" % (
               j.nic, BURST, PAYLOAD, qlen, SMALL_RING, lost[SMALL_RING], LARGE_RING,
               lost[LARGE_RING], SMALL_RING, more, statistics.median(more),
               "/".join("%.0f" % (r[4] * 1e3) for r in runs[LARGE_RING] + runs[SMALL_RING]),
               c1["rx_missed_errors"] - c0["rx_missed_errors"],
               c1["rx_no_buffer_count"] - c0["rx_no_buffer_count"]))
    # the larger ring holds 4032 more frames; at least an eighth of that
    # must show in the median round, however the host's load shares the
    # time between the sender, QEMU filling the ring and the guest draining
    # it (medians seen in make test on 2026-11-22: e1000 2,952-3,786, e1000e
    # 1,979-4,728, igb 720-2,651; a quarter, 1,008, failed igb once in four
    # runs while each round's two bursts still differed as expected)
    assert statistics.median(more) >= (LARGE_RING - SMALL_RING) // 8, runs
    assert statistics.median(lost[SMALL_RING]) > statistics.median(lost[LARGE_RING]), runs
    # the NIC's miss counters are what the registers say, in each view:
    # Linux's /proc/net/dev drop column is rx_dropped + rx_missed_errors
    for c in (c0, c1):
        assert c["sys_missed"] == c["rx_missed_errors"], c
        assert c["dev_drop"] == c["sys_dropped"] + c["sys_missed"], c
        assert c["dev_fifo"] == c["sys_fifo"], c
    # and QEMU's models never miss a frame for want of descriptors (they
    # hold the backend instead): the losses above are not the NIC's
    missed = c1["rx_missed_errors"] - c0["rx_missed_errors"]
    nobuf = c1["rx_no_buffer_count"] - c0["rx_no_buffer_count"]
    assert missed + nobuf < statistics.median(lost[SMALL_RING]) // 10, (c0, c1)


def test_budget_one_squeezes(tuned):
    j, g = tuned, tuned.g
    set_ring(g, LARGE_RING)
    # only the packet budget is under test: the time budget out of reach
    assert sh(g, "sysctl -w net.core.netdev_budget_usecs=1000000") == \
        "net.core.netdev_budget_usecs = 1000000\n"
    squeezes = {}
    try:
        for budget in (100000, 1, 300):
            assert sh(g, "sysctl -w net.core.netdev_budget=%d" % budget) == \
                "net.core.netdev_budget = %d\n" % budget
            j.wait_reachable()
            p0, _, sq0 = softnet(g)
            polls0 = parse_ethtool_stats(sh(g, "ethtool -S eth0"))["napi_polls"]
            sent, received, _, _, _ = one_burst(j)
            p1, _, sq1 = softnet(g)
            polls1 = parse_ethtool_stats(sh(g, "ethtool -S eth0"))["napi_polls"]
            squeezes[budget] = (sq1 - sq0, polls1 - polls0, p1 - p0, received)
    finally:
        sh(g, "sysctl -w net.core.netdev_budget=300")
        sh(g, "sysctl -w net.core.netdev_budget_usecs=2000")
    report("budget %s: burst of %d: time_squeeze/napi polls/processed/received: %s" % (
        j.nic, BURST, ", ".join("budget %d: %d/%d/%d/%d" % ((b,) + v) for b, v in squeezes.items())))
    # a budget no run can use up: never squeezed
    assert squeezes[100000][0] == 0, squeezes
    # budget 1: each poll that used its whole weight (64) ends the run with
    # work left; a burst that fills the ring gives at least a few of those
    sq, polls, processed, received = squeezes[1]
    assert sq >= 5 and sq <= polls, squeezes
    assert processed >= received, squeezes
    assert sq > squeezes[300][0], squeezes


def test_bad_values_change_nothing(tuned):
    g = tuned.g
    set_ring(g, 512)
    for bad in ("rx 8192", "rx 100", "rx 0", "rx many"):
        out = sh(g, "ethtool -G eth0 " + bad)
        assert "invalid" in out.lower() or "netlink error" in out, (bad, out)
        assert int(g.shell("echo $?")) != 0
        m = re.search(r"^RX:\t\t(\d+)$", sh(g, "ethtool -g eth0").split("Current")[1], re.M)
        assert int(m.group(1)) == 512, bad
    for bad in ("0", "-1", "100001", "x"):
        out = sh(g, "sysctl -w net.core.netdev_budget=%s" % bad)
        assert out.startswith('sysctl: setting key "net.core.netdev_budget": Invalid argument'), out
        assert sh(g, "sysctl net.core.netdev_budget") == "net.core.netdev_budget = 300\n"
    # and the ring still carries traffic
    tuned.wait_reachable()
