"""`barenet: ready` means reachable: boot to the first answered ping, per
NIC model.

The guest boots with a static ip= on a netns tap (tests/qemu/netns.py).
From before QEMU starts, the namespace sends one ICMP echo request every
10 ms (raw socket) while the guest's console is read; the test records,
on the host's clock, when QEMU started, when the `ready` line arrived and
when the first echo reply came back, and prints them per model.

Two ways of knowing the guest's MAC on the host side:
  static  a permanent neighbour entry: no ARP, only the guest counts;
  arp     Linux resolves 10.0.2.15 itself (its ARP requests, one a second
          while unresolved, or the guest's gratuitous ARP at link up).

Asserted: the first reply comes at most READY_TO_REPLY_S after `ready`
(a bound with room for a loaded host, not a speed target: the point is
that `ready` is printed when the services can be reached), and the guest's
log says its link was up before `ready`.  With ready_wait=0 the e1000's
first reply comes ~1 s after `ready`, and a bad ready_wait= is refused.

QEMU's e1000 model holds every received frame back for 1 s after any
write to RCTL (hw/net/e1000.c set_rx_control arms flush_queue_timer;
e1000_can_receive and e1000_receive_iov refuse while it is pending), so
the e1000 driver writes RCTL only when its value changes and `ready` waits
out that hold (drivers/net/e1000/e1000_txrx.c, docs/ARCHITECTURE.md).
"""
import os
import re
import select
import socket
import time

import pytest

import netns
from harness import EXIT_OK, boot, report
from netobs import icmp_echo_reply_id, icmp_echo_request

MODELS = ["e1000", "e1000e", "igb"]
MAC = "52:54:00:12:34:56"
# measured: within 2 ms of ready on every model; without the wait, e1000
# answers ~1.0 s and igb ~0.5 s after it: the bound sits between, with room
# for a loaded host (a reply is late only by the host's scheduling)
READY_TO_REPLY_S = 0.75
HOLD_SEEN_S = 0.5               # e1000 with ready_wait=0: ~1 s (QEMU's hold)
BOOT_TIMEOUT_S = 60
READY_LINE = re.compile(r"barenet: ready in")
LINK_UP = re.compile(r"^\[ *(\d+\.\d+)\] eth0: link up", re.M)
READY_STAMP = re.compile(r"^\[ *(\d+\.\d+)\] barenet: ready in", re.M)


def first_reply(net, g, timeout):
    """(t_ready, t_reply, sent) on the host's monotonic clock: when the
    guest's ready line was read and when the first echo reply arrived
    (either may come first: the console is slower than the tap); None for
    what did not happen within timeout of QEMU's start."""
    with net.entered():
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setblocking(False)
    ident, seq = os.getpid() & 0xffff, 0
    t_ready = t_reply = None
    next_send = 0.0
    deadline = g.start_time + timeout
    try:
        while (t_reply is None or t_ready is None) and time.monotonic() < deadline:
            now = time.monotonic()
            if t_reply is None and now >= next_send:
                seq = (seq + 1) & 0xffff
                try:
                    s.sendto(icmp_echo_request(ident, seq, b"first-ping"), (netns.GUEST4, 0))
                except OSError:
                    pass        # tap not up yet, or the neighbour unresolved
                next_send = now + 0.01
            r, _, _ = select.select([s, g.proc.stdout], [], [], 0.002)
            if g.proc.stdout in r:
                g._pump(0)
                if t_ready is None and READY_LINE.search(g.output):
                    t_ready = time.monotonic()
            if s in r:
                data, addr = s.recvfrom(2048)
                if (addr[0] == netns.GUEST4 and icmp_echo_reply_id(data) == ident
                        and t_reply is None):
                    t_reply = time.monotonic()
            if g.proc.poll() is not None:
                break
    finally:
        s.close()
    return t_ready, t_reply, seq


@pytest.mark.parametrize("peer", ["static", "arp"])
@pytest.mark.parametrize("model", MODELS)
def test_first_ping_after_ready(testnet, kernel, model, peer):
    if peer == "static":
        testnet.run(["ip", "neigh", "replace", netns.GUEST4, "lladdr", MAC, "dev",
                     netns.TAP, "nud", "permanent"], check=True)
    g = testnet.guest("first-ping-%s-%s" % (model, peer), nic=model, mac=MAC,
                      append="ip=%s/%d,%s" % (netns.GUEST4, netns.PREFIXLEN4, netns.HOST4))
    t_ready, t_reply, sent = first_reply(testnet, g, BOOT_TIMEOUT_S)
    assert t_ready is not None, "no ready line in %d s (log %s)" % (BOOT_TIMEOUT_S, g.logpath)
    assert t_reply is not None, "no echo reply in %d s, %d requests (log %s)" % (
        BOOT_TIMEOUT_S, sent, g.logpath)
    g.watch(0.2)
    link = LINK_UP.search(g.output)
    ready = READY_STAMP.search(g.output)
    gap = t_reply - t_ready
    report("first ping %-6s %-6s: QEMU start -> ready %.3f s, -> first reply %.3f s, "
           "ready -> reply %+.3f s; guest: link up %s s, ready %s s"
           % (model, peer, t_ready - g.start_time, t_reply - g.start_time, gap,
              link.group(1) if link else "-", ready.group(1) if ready else "-"))
    assert link and ready and float(link.group(1)) <= float(ready.group(1)), \
        "the link was not up before ready (log %s)" % g.logpath
    assert gap <= READY_TO_REPLY_S, (
        "%s/%s: first reply %.3f s after ready (bound %.1f s; log %s)"
        % (model, peer, gap, READY_TO_REPLY_S, g.logpath))


def test_ready_wait_off_shows_the_e1000_hold(testnet, kernel):
    """ready_wait=0: `ready` no longer waits, and on e1000 the first reply
    then comes about QEMU's 1 s receive hold after it (the measurement
    above can see a `ready` that comes too early)."""
    testnet.run(["ip", "neigh", "replace", netns.GUEST4, "lladdr", MAC, "dev",
                 netns.TAP, "nud", "permanent"], check=True)
    g = testnet.guest("first-ping-e1000-nowait", nic="e1000", mac=MAC,
                      append="ip=%s/%d,%s ready_wait=0" % (netns.GUEST4, netns.PREFIXLEN4,
                                                          netns.HOST4))
    t_ready, t_reply, sent = first_reply(testnet, g, BOOT_TIMEOUT_S)
    assert t_ready is not None and t_reply is not None, "log %s" % g.logpath
    gap = t_reply - t_ready
    report("first ping e1000  ready_wait=0: ready -> reply %+.3f s" % gap)
    assert "cmdline: some options were not applied" not in g.output
    assert gap >= HOLD_SEEN_S, "first reply %.3f s after ready (log %s)" % (gap, g.logpath)


@pytest.mark.parametrize("bad", ["60001", "-1", "1s", ""])
def test_ready_wait_bad_value_refused(kernel, bad):
    rc, out = boot("ready-wait-bad", append="ready_wait=%s exit=ready" % bad)
    assert rc == EXIT_OK, out[-2000:]
    assert re.search(r"cmdline: bad value '%s' for 'ready_wait'" % re.escape(bad), out), out[-2000:]
