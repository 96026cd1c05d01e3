#!/usr/bin/python3
"""The rx regression input tests/fuzz/regressions/rx/tcp-option-kind-at-end
(net/lwip/patches/0043-tcp-parseopt-length-inside-options.patch):

    tests/fuzz/gen_tcp_option_kind_at_end.py tests/fuzz/regressions/rx/tcp-option-kind-at-end

SYNs to echo (port 7) whose TCP options end with the kind byte of an
option that has a length (MSS, window scale, an unknown kind): seven NOPs,
then the kind as the eighth and last option byte, and nothing after the
header (no data, no Ethernet padding: the frame is 62 bytes).
tcp_parseopt() read that option's length byte before checking it against
the options' length: one byte past the TCP header, here past the end of
the frame's buffer (the rx fuzz target mallocs each frame to its exact
length, so ASan reports a heap-buffer-overflow READ).  The output is the
same on every run."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scapy.packet import Raw  # noqa: E402
from gen_corpus import PEER_ISN, PEER_PORT, TCP, arp_request, eth4, rx_input  # noqa: E402

ECHO_PORT = 7
KINDS = (2, 3, 0x22)      # MSS, window scale, one lwIP does not know
NOP = 1
OPTS_LEN = 8              # the header's data offset: 7 words


def frames():
    out = [arp_request()]
    for i, kind in enumerate(KINDS):
        # the options as the header's own bytes: scapy adds no padding to Raw
        opts = bytes([NOP] * (OPTS_LEN - 1) + [kind])
        out.append(eth4(TCP(sport=PEER_PORT + i, dport=ECHO_PORT, flags="S", seq=PEER_ISN,
                            dataofs=(20 + OPTS_LEN) // 4) / Raw(opts)))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: %s OUTPUT" % sys.argv[0])
    with open(sys.argv[1], "wb") as f:
        f.write(rx_input(frames()))


if __name__ == "__main__":
    main()
