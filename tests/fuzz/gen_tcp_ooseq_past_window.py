#!/usr/bin/python3
"""The rx regression input tests/fuzz/regressions/rx/tcp-ooseq-past-window
(net/lwip/patches/0040-tcp-ooseq-trim-to-window.patch):

    tests/fuzz/gen_tcp_ooseq_past_window.py tests/fuzz/regressions/rx/tcp-ooseq-past-window

A connection to echo (port 7) from a peer that advertises window 0 and MSS
64, without window scaling: echo queues two segments (svc_tcp_room), so
lwIP's receive window (65535) is reopened by 128 bytes and then only
shrinks.  An out-of-sequence segment of 1000 bytes starts 100 bytes before
the right edge and is queued whole; in-sequence data then fills the hole
before it.  lwIP 2.2.1 moved the queued segment in sequence with 228 bytes
of window left: LWIP_ASSERT "tcp_receive: ooseq tcplen > rcv_wnd", a
kernel panic.  The output is the same on every run."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_corpus import ISN, PEER_ISN, PEER_PORT, TCP, arp_request, eth4, rx_input  # noqa: E402

ECHO_PORT = 7
NO_SCALE_WND = 65535      # lwIP's rcv_wnd without the window scale option
OOSEQ_BEFORE_EDGE = 100   # the queued segment starts this far inside the window
OOSEQ_LEN = 1000


def frames():
    out = [arp_request()]
    seq = PEER_ISN

    def seg(flags, seq, data=b"", **kw):
        return eth4(TCP(sport=PEER_PORT, dport=ECHO_PORT, flags=flags, seq=seq, window=0, **kw) / data)

    out.append(seg("S", seq, options=[("MSS", 64)]))
    seq += 1
    out.append(seg("A", seq, ack=ISN + 1))
    ooseq = seq + NO_SCALE_WND - OOSEQ_BEFORE_EDGE
    out.append(seg("A", ooseq, b"o" * OOSEQ_LEN, ack=ISN + 1))
    while seq < ooseq:
        n = min(1460, ooseq - seq)
        out.append(seg("A", seq, b"d" * n, ack=ISN + 1))
        seq += n
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: %s OUTPUT" % sys.argv[0])
    with open(sys.argv[1], "wb") as f:
        f.write(rx_input(frames()))


if __name__ == "__main__":
    main()
