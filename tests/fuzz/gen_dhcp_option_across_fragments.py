#!/usr/bin/python3
"""The rx regression input tests/fuzz/regressions/rx/dhcp-option-across-fragments
(net/lwip/patches/0041-dhcp-option-across-pbufs.patch):

    tests/fuzz/gen_dhcp_option_across_fragments.py tests/fuzz/regressions/rx/dhcp-option-across-fragments

The DHCP client (ip=dhcp) gets an OFFER for its first transaction,
broadcast, in five IPv4 fragments: 56 bytes (the UDP header and the fixed
part dhcp_recv wants in the first pbuf), 192, 8, 8 and the rest.  After the
message type comes a 200-byte option, which ends beyond the two 8-byte
fragments.  lwIP 2.2.1's dhcp_parse_reply moved on by one pbuf only and read
the next option byte far past the second 8-byte fragment (ASan:
heap-buffer-overflow).  The output is the same on every run."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_corpus import (BOOTP, CFG_DHCP, DHCP, DHCP_XID, GUEST_MAC, IP, PEER_IP, PEER_MAC,  # noqa: E402
                        UDP, Ether, rx_input)
from scapy.packet import Raw, raw  # noqa: E402

BCAST = "255.255.255.255"
IP_ID = 77
# fragment boundaries in the UDP datagram (multiples of 8 but the last)
CUTS = (0, 56, 248, 256, 264)


def offer():
    chaddr = bytes.fromhex(GUEST_MAC.replace(":", "")) + b"\0" * 10
    return IP(src=PEER_IP, dst=BCAST, id=IP_ID) / UDP(sport=67, dport=68) / BOOTP(
        op=2, xid=DHCP_XID, yiaddr="10.0.2.15", siaddr=PEER_IP, chaddr=chaddr) / DHCP(
        options=[("message-type", "offer"), (224, b"x" * 200), ("server_id", PEER_IP),
                 ("lease_time", 86400), ("subnet_mask", "255.255.255.0"), ("router", PEER_IP), "end"])


def frames():
    udp = raw(IP(raw(offer())).payload)
    cuts = list(CUTS) + [len(udp)]
    out = []
    for a, b in zip(cuts, cuts[1:]):
        more = 1 if b < len(udp) else 0
        out.append(Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
                   IP(src=PEER_IP, dst=BCAST, id=IP_ID, proto=17, flags=more, frag=a // 8) / Raw(udp[a:b]))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: %s OUTPUT" % sys.argv[0])
    with open(sys.argv[1], "wb") as f:
        f.write(rx_input(frames(), cfg=CFG_DHCP))


if __name__ == "__main__":
    main()
