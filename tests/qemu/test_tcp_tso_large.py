"""lwIP's TCP segments past the MSS for a netif that does TSO (lwIP patch
0045-tcp-tso-large-segments, net/lwip/tso.h), seen from the host.

One guest per NIC model on the namespace's tap, its frames recorded by
QEMU's filter-dump (test_offload.OffloadGuest); the host's iperf 2 runs
`iperf -c GUEST -R` (the guest sends, lwiperf) three times:

- TSO on: lwIP's own count of the segments it sent (/proc/net/snmp
  OutSegs) is a small part of the wire segments the NIC cut from them
  (ethtool -S tx_tso_segments): lwIP built segments of many MSS.  Before
  the patch every wire segment was a segment of lwIP's (OutSegs >= them).
- TSO on, every frame to the guest dropped at its driver for 3.5 s
  (fault rx_drop 100%): no ACK; lwIP's retransmission timer requeues its
  large segments with cwnd at one segment, and the stream goes on after;
  RetransSegs grows (lwIP patch 0047: lwIP counted only fast
  retransmits, so a timer's resends left it at 0).
- TSO off (`ethtool -K eth0 tso off`): lwIP's segments are MSS-sized
  again, no TSO send.

In the first run and in a 400 KB transfer through the TCP echo service
(copied writes: lwIP's headers and payload in one pbuf), lwIP cuts its
large segments at the window edge (TcpExt TCPSplits grows) and copies no
payload to do so (TCPSplitCopied stays: lwIP patch 0050 moves the
remainder; before, each cut copied the rest of the segment: 10.7 MB in
466 cuts of a 36 MB run); the echo comes back byte for byte.

Fast retransmit: a raw client (rawtcp) takes the first flight of an HTTP
reply (the initial window, three wire segments in one lwIP segment)
without acknowledging it and sends three duplicate ACKs; the guest sends
one wire segment again (lwIP patch 0051, as Linux's tcp_retransmit_skb),
not the whole lwIP segment (before: all three).

Every frame the guest sent is then checked with tshark: no frame past the
MTU, IP and TCP checksums right, and each run's data one gapless stream
of segments within the MSS (test_offload.check_stream)."""
import os
import socket
import time

import pytest

import rawtcp
from netparse import parse_snmp
from test_offload import (GUEST4, MSS, check_stream, checksums_bad, guest_frames,
                          offload_guest, sh, stats)

NICS = ["igb", pytest.param("e1000", marks=pytest.mark.slow),
        pytest.param("e1000e", marks=pytest.mark.slow)]
SECONDS = 1
LOSS_SECONDS = 6
BLACKOUT = 3.5
ECHO_PORT = 46000               # the host's port for the echo transfer
ECHO_BYTES = 400000
HTTP = 80


def fast_retransmit_bytes(og):
    """A raw client asks the guest's HTTP service for /metrics, takes the
    first flight without acknowledging it, then sends three duplicate
    ACKs: (bytes of the first flight, payload bytes the guest sends again
    from below the flight's end within 0.5 s)."""
    link = rawtcp.RawLink(og.net)
    try:
        ip = rawtcp.played_addresses(1, first=120)[0]
        link.claim(ip)
        c = rawtcp.RawConn(link, ip, HTTP)
        assert c.connect() and not c.rst
        c.write(b"GET /metrics HTTP/1.0\r\n\r\n")
        top = 0
        while True:
            seg = link.take(ip, c.sport, 0.5)
            if seg is None:
                break
            if seg.payload:
                top = max(top, ((seg.seq - c.rcv_nxt) & 0xFFFFFFFF) + len(seg.payload))
        assert top > 0, "no reply"
        for _ in range(3):
            c.send(rawtcp.ACK)
        resent = 0
        end = time.monotonic() + 0.5
        while True:
            seg = link.take(ip, c.sport, max(0.0, end - time.monotonic()))
            if seg is None:
                break
            if seg.payload and ((seg.seq - c.rcv_nxt) & 0xFFFFFFFF) < top:
                resent += len(seg.payload)
        c.reset()
    finally:
        link.close()
    return top, resent


def tcp_counts(g):
    return parse_snmp(sh(g, "cat /proc/net/snmp"))["Tcp"]


def split_counts(g):
    """TcpExt (TCPSplits, TCPSplitCopied): lwIP's cuts of unsent segments
    and the payload bytes they copied (32-bit counters)."""
    x = parse_snmp(sh(g, "cat /proc/net/netstat"))["TcpExt"]
    return x["TCPSplits"], x["TCPSplitCopied"]


def split_delta(before, after):
    return tuple((b - a) & 0xFFFFFFFF for a, b in zip(before, after))


def iperf_from_guest(og, seconds=SECONDS):
    """The host's `iperf -c GUEST -R`: (host port, bytes the host got)."""
    r = og.net.run(["iperf", "-c", GUEST4, "-R", "-t", str(seconds), "-y", "C"],
                   timeout=120)
    assert r.returncode == 0, r.stderr
    fields = r.stdout.strip().splitlines()[-1].split(",")
    return int(fields[4]), int(fields[7])


def run_counted(og):
    """One iperf run: (host port, bytes, OutSegs, RetransSegs, TSO sends,
    TSO wire segments) over it."""
    t0, e0 = tcp_counts(og.g), stats(og.g)
    port, nbytes = iperf_from_guest(og)
    time.sleep(0.5)
    t1, e1 = tcp_counts(og.g), stats(og.g)
    return (port, nbytes, t1["OutSegs"] - t0["OutSegs"], t1["RetransSegs"] - t0["RetransSegs"],
            e1["tx_tso_sends"] - e0["tx_tso_sends"], e1["tx_tso_segments"] - e0["tx_tso_segments"])


@pytest.mark.parametrize("nic", NICS)
def test_tcp_segments_past_the_mss(testnet, kernel, nic, tmp_path):
    og = offload_guest(testnet, nic, tmp_path, "tso-large")
    g = og.g
    assert sh(g, "ethtool -K eth0 tx on tso on") == ""

    x0 = split_counts(g)
    port_on, bytes_on, segs_on, _, sends_on, wire_on = run_counted(og)
    assert bytes_on > 200000 and sends_on > 0
    # lwIP's segments carried many wire segments each (before: one each,
    # OutSegs >= tx_tso_segments)
    assert wire_on >= 8 * segs_on, (segs_on, wire_on)
    # cut at the window edge without copying (before patch 0050 each cut
    # copied the rest of the segment)
    splits, copied = split_delta(x0, split_counts(g))
    assert splits > 0 and copied == 0, (splits, copied, bytes_on)

    # copied writes (the echo service): payload in the headers' pbuf
    x0 = split_counts(g)
    og.tcp_echo(socket.AF_INET, GUEST4, ECHO_PORT, nbytes=ECHO_BYTES)
    splits, copied = split_delta(x0, split_counts(g))
    assert splits > 0 and copied == 0, (splits, copied)

    # fast retransmit of lwIP's segment of the initial window: one wire
    # segment again, not the whole segment
    top, resent = fast_retransmit_bytes(og)
    assert top > MSS[4] and resent == MSS[4], (top, resent)

    # every frame to the guest dropped at its driver for BLACKOUT s in
    # the middle of a run: no ACK comes, lwIP's retransmission timer goes
    # off, cwnd falls to one segment, and tcp_output cuts the head of the
    # large segments it queues again to that; the stream goes on after
    r0 = tcp_counts(g)["RetransSegs"]
    p = og.net.popen(["iperf", "-c", GUEST4, "-R", "-t", str(LOSS_SECONDS), "-y", "C"])
    time.sleep(1)
    out = sh(g, "fault set rx_drop 100%")
    assert " on " in out, out
    time.sleep(BLACKOUT)
    sh(g, "fault off rx_drop")
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 0, stderr
    fields = stdout.strip().splitlines()[-1].split(",")
    port_loss, bytes_loss = int(fields[4]), int(fields[7])
    assert bytes_loss > 0
    # the retransmission timer resent what the blackout left unacked
    assert tcp_counts(g)["RetransSegs"] > r0

    assert sh(g, "ethtool -K eth0 tso off") == ""
    port_off, bytes_off, segs_off, _, sends_off, _ = run_counted(og)
    # MSS segments from lwIP again, and nothing for the NIC to cut
    assert sends_off == 0
    assert segs_off >= bytes_off // MSS[4], (segs_off, bytes_off)

    rows = guest_frames(og.pcap)
    bad = checksums_bad(rows)
    assert rows and not bad, bad[:5]
    assert max(int(r["frame.len"]) for r in rows) <= 1514
    for port, nbytes in ((port_on, bytes_on), (port_loss, bytes_loss), (port_off, bytes_off),
                         (ECHO_PORT, ECHO_BYTES)):
        _, covered = check_stream(rows, port, MSS[4])
        assert covered >= nbytes
    os.unlink(og.pcap)
