"""TSO switched off and on while lwIP has large segments queued (lwIP
patch 0045-tcp-tso-large-segments, net_glue_tcp_seg_max in net/lwip/netif.c).

With TSO on, tcp_write builds segments of many MSS; `ethtool -K eth0 tso
off` drops the segment size back to the MSS between two tcp_write calls.
The last unsent segment is then longer than the new size: tcp_write
failed lwIP's assertion "mss_local is too small" (a kernel panic, found
under link flaps in test_fault.py).  Now it appends no more to that
segment, and tcp_output cuts the queued large segments to the MSS before
they go (tcp_output_fit; the glue refuses a large segment the device no
longer segments).

The host's `iperf -c GUEST -R` (the guest sends, lwiperf) runs; the
link goes down (QEMU's set_link) until the guest's retransmission timer
has moved its large segments back to the unsent queue (RetransSegs); TSO goes off while the link is down, and when it is up
again the ACKs come a segment at a time, each calling tcp_write with
those segments still queued (before the fix: the panic); the test waits
for RESUMED segments more with TSO off.
Then TSO goes on and off TOGGLES times during the stream.  The run
completes, the guest's TCP echo still works, and every frame the guest
sent is checked with tshark: none past the MTU, checksums right, the
stream one gapless run of segments within the MSS
(test_offload.check_stream).  About 10 s of guest time: slow (make
test-full)."""
import os
import socket
import time

import pytest

from netparse import parse_snmp
from test_offload import GUEST4, MSS, check_stream, checksums_bad, guest_frames, offload_guest, sh

NIC = "igb"
SECONDS = 10            # room for the retransmission timer's backoff
RESUMED = 200           # segments sent after the link came up: the stream goes on
TOGGLES = 2
PAUSE = 0.3
ECHO_PORT = 46100       # the host's port for the echo after the toggles


def tcp_counts(g):
    return parse_snmp(sh(g, "cat /proc/net/snmp"))["Tcp"]


def wait_until(cond, why, timeout=20):
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, why
        time.sleep(0.2)


@pytest.mark.slow
def test_tso_off_while_large_segments_queued(testnet, kernel, tmp_path):
    og = offload_guest(testnet, NIC, tmp_path, "tso-toggle")
    g = og.g
    assert sh(g, "ethtool -K eth0 tx on tso on") == ""
    p = og.net.popen(["iperf", "-c", GUEST4, "-R", "-t", str(SECONDS), "-y", "C"])
    time.sleep(1)
    # the link down: the guest's frames are lost, its retransmission timer
    # moves the large segments in flight back to the unsent queue
    # (tcp_rexmit_rto), so they are still there, built for TSO, when TSO
    # goes off and the ACKs come again a segment at a time
    mark = len(g.output)
    g.monitor("set_link n0 off")
    g.wait_for(r"eth0: link down", timeout=20, start=mark)
    r0 = tcp_counts(g)["RetransSegs"]
    wait_until(lambda: tcp_counts(g)["RetransSegs"] > r0, "no retransmission while the link was down")
    assert sh(g, "ethtool -K eth0 tso off") == ""
    g.monitor("set_link n0 on")
    g.wait_for(r"eth0: link up", timeout=20, start=mark)
    # the stream goes on with TSO off: the requeued segments cut to the MSS
    o0 = tcp_counts(g)["OutSegs"]
    wait_until(lambda: tcp_counts(g)["OutSegs"] > o0 + RESUMED, "the stream did not go on")
    # and while the stream flows
    for _ in range(TOGGLES):
        assert sh(g, "ethtool -K eth0 tso on") == ""
        time.sleep(PAUSE)
        assert sh(g, "ethtool -K eth0 tso off") == ""
        time.sleep(PAUSE)
    stdout, stderr = p.communicate(timeout=120)
    assert "panic" not in g.output.lower(), g.output[-3000:]
    assert p.returncode == 0, stderr
    fields = stdout.strip().splitlines()[-1].split(",")
    port, nbytes = int(fields[4]), int(fields[7])
    assert nbytes > 100000, stdout
    # the guest is alive and its TCP still sends after the toggles
    og.tcp_echo(socket.AF_INET, GUEST4, ECHO_PORT, nbytes=200000)

    rows = guest_frames(og.pcap)
    bad = checksums_bad(rows)
    assert rows and not bad, bad[:5]
    assert max(int(r["frame.len"]) for r in rows) <= 1514
    _, covered = check_stream(rows, port, MSS[4])
    assert covered >= nbytes
    os.unlink(og.pcap)
