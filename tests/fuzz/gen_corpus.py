#!/usr/bin/python3
"""Seed inputs for the fuzz targets (tests/fuzz/fuzz_rx.c, fuzz_text.c).

    tests/fuzz/gen_corpus.py tests/fuzz/corpus      (make fuzz-corpus)

rx inputs: a 4-byte header (config, capture port, capture protocol), then
records of (ctl, big-endian length, frame).  The guest is 10.0.2.15,
52:54:00:12:34:56, fe80::5054:ff:fe12:3456; the peer 10.0.2.2 / fe80::2.
TCP seeds complete the handshake with lwIP's fixed fuzz ISN
(FUZZ_TCP_ISN in tests/fuzz/fuzz_hooks.h) and carry real requests to the
services.  Each file is named after what it holds; the output is the same
on every run."""
import os
import struct
import sys

from scapy.layers.inet import ICMP, IP, TCP, UDP, fragment
from scapy.layers.inet6 import (ICMPv6EchoRequest, ICMPv6MLQuery, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, ICMPv6ND_NS,
                                ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr,
                                IPv6, IPv6ExtHdrFragment, fragment6)
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.l2 import ARP, Dot1Q, Ether

GUEST_MAC = "52:54:00:12:34:56"
PEER_MAC = "52:55:0a:00:02:02"
GUEST_IP = "10.0.2.15"
PEER_IP = "10.0.2.2"
GUEST_IP6 = "fe80::5054:ff:fe12:3456"
PEER_IP6 = "fe80::2"
ISN = 0x10000000          # FUZZ_TCP_ISN
PEER_ISN = 1000
PEER_PORT = 40000

# fuzz_rx.c header config bits
CFG_IRQ, CFG_RXCSUM, CFG_TXCSUM, CFG_CAPTURE, CFG_JOURNEY, CFG_DHCP = 1, 2, 4, 8, 16, 32
# the DHCP client's first transaction id: lwIP takes it from LWIP_RAND,
# which fuzz_port_reseed() (fuzz.h) reseeds per input (FUZZ_LOG=1 prints the DISCOVER); it
# changes if lwIP draws random numbers in another order
DHCP_XID = 0x0d83b3e2
# record ctl: NIC checksum verdict bits, ticks in bits 2-7
RX_IP_OK, RX_L4_OK = 1, 2


def ticks(n):
    return n << 2


def rx_input(frames, cfg=0, port=0, proto=0):
    """frames: a list of (ctl, frame bytes) or of frame bytes"""
    out = bytearray(struct.pack(">BHB", cfg, port, proto))
    for f in frames:
        ctl, data = f if isinstance(f, tuple) else (0, f)
        data = bytes(data)
        out += struct.pack(">BH", ctl, len(data)) + data
    return bytes(out)


def eth4(payload):
    return Ether(dst=GUEST_MAC, src=PEER_MAC) / IP(src=PEER_IP, dst=GUEST_IP) / payload


def eth6(payload, dst=GUEST_IP6, mac=GUEST_MAC):
    return Ether(dst=mac, src=PEER_MAC) / IPv6(src=PEER_IP6, dst=dst) / payload


def arp_request():
    return Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) / ARP(
        op=1, hwsrc=PEER_MAC, psrc=PEER_IP, hwdst="00:00:00:00:00:00", pdst=GUEST_IP)


def tcp_session(port, data, v6=False, close=True):
    """ARP/ND first (lwIP must know the peer to answer), SYN, the ACK of
    lwIP's SYN-ACK, the data, an ACK, a FIN"""
    ip = (lambda p: eth6(p)) if v6 else (lambda p: eth4(p))
    frames = [] if v6 else [arp_request()]
    if v6:
        frames.append(neighbor_solicit())   # its source link-layer option teaches lwIP the peer
    seq = PEER_ISN
    frames.append(ip(TCP(sport=PEER_PORT, dport=port, flags="S", seq=seq, window=65535,
                         options=[("MSS", 1460)])))
    seq += 1
    frames.append(ip(TCP(sport=PEER_PORT, dport=port, flags="A", seq=seq, ack=ISN + 1,
                         window=65535)))
    frames.append(ip(TCP(sport=PEER_PORT, dport=port, flags="PA", seq=seq, ack=ISN + 1,
                         window=65535) / data))
    seq += len(data)
    if close:
        frames.append((ticks(2), ip(TCP(sport=PEER_PORT, dport=port, flags="FA", seq=seq,
                                        ack=ISN + 1, window=65535))))
    return frames


def neighbor_solicit():
    return Ether(dst="33:33:ff:12:34:56", src=PEER_MAC) / IPv6(
        src=PEER_IP6, dst="ff02::1:ff12:3456", hlim=255) / ICMPv6ND_NS(
        tgt=GUEST_IP6) / ICMPv6NDOptSrcLLAddr(lladdr=PEER_MAC)


def neighbor_advert():
    """unsolicited: lwIP only updates a neighbor it knows"""
    return Ether(dst=GUEST_MAC, src=PEER_MAC) / IPv6(src=PEER_IP6, dst=GUEST_IP6, hlim=255) / \
        ICMPv6ND_NA(tgt=PEER_IP6, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=PEER_MAC)


def dhcp_reply(msg_type):
    return Ether(dst=GUEST_MAC, src=PEER_MAC) / IP(src=PEER_IP, dst=GUEST_IP) / UDP(
        sport=67, dport=68) / BOOTP(op=2, xid=DHCP_XID, yiaddr=GUEST_IP, siaddr=PEER_IP,
                                    chaddr=bytes.fromhex(GUEST_MAC.replace(":", "")) + b"\0" * 10) / \
        DHCP(options=[("message-type", msg_type), ("server_id", PEER_IP), ("lease_time", 86400),
                      ("subnet_mask", "255.255.255.0"), ("router", PEER_IP),
                      ("name_server", "10.0.2.3"), "end"])


def rx_seeds():
    s = {}
    s["arp-request"] = rx_input([arp_request()])
    s["arp-reply"] = rx_input([Ether(dst=GUEST_MAC, src=PEER_MAC) / ARP(
        op=2, hwsrc=PEER_MAC, psrc=PEER_IP, hwdst=GUEST_MAC, pdst=GUEST_IP)])
    s["icmp-echo"] = rx_input([arp_request(), eth4(ICMP(id=1, seq=1) / (b"x" * 56))])
    s["icmp-echo-irq-csum"] = rx_input(
        [arp_request(), (RX_IP_OK | RX_L4_OK, eth4(ICMP(id=1, seq=2) / (b"y" * 56)))],
        cfg=CFG_IRQ | CFG_RXCSUM | CFG_TXCSUM)
    s["icmp-echo-vlan"] = rx_input([Ether(dst=GUEST_MAC, src=PEER_MAC) / Dot1Q(vlan=5) /
                                    IP(src=PEER_IP, dst=GUEST_IP) / ICMP()])
    s["udp-echo"] = rx_input([arp_request(), eth4(UDP(sport=PEER_PORT, dport=7) / b"hello")],
                             cfg=CFG_CAPTURE | CFG_JOURNEY)
    s["udp-echo-capture-filter"] = rx_input(
        [arp_request(), eth4(UDP(sport=PEER_PORT, dport=7) / b"hello")],
        cfg=CFG_CAPTURE, port=7, proto=17)
    s["udp-discard"] = rx_input([eth4(UDP(sport=PEER_PORT, dport=9) / b"gone")])
    s["udp-closed-port"] = rx_input([arp_request(), eth4(UDP(sport=PEER_PORT, dport=1234) / b"?")])
    s["broadcast-udp"] = rx_input([Ether(dst="ff:ff:ff:ff:ff:ff", src=PEER_MAC) /
                                   IP(src=PEER_IP, dst="255.255.255.255") /
                                   UDP(sport=68, dport=67) / (b"\x01" * 240)])
    s["tcp-syn-http"] = rx_input([arp_request(), eth4(TCP(sport=PEER_PORT, dport=80,
                                                          flags="S", seq=PEER_ISN))])
    s["tcp-syn-closed"] = rx_input([arp_request(), eth4(TCP(sport=PEER_PORT, dport=81,
                                                            flags="S", seq=PEER_ISN))])
    s["tcp-http-get"] = rx_input(tcp_session(80, b"GET / HTTP/1.0\r\n\r\n"), cfg=CFG_JOURNEY)
    s["tcp-http-head-view"] = rx_input(tcp_session(80, b"HEAD /proc/net/tcp HTTP/1.0\r\n\r\n"))
    s["tcp-http-metrics"] = rx_input(tcp_session(80, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"))
    s["tcp-http-bad"] = rx_input(tcp_session(80, b"POST /../x HTTP/1.0\n\n"))
    s["tcp-echo"] = rx_input(tcp_session(7, b"echo me\n"), cfg=CFG_TXCSUM)
    s["tcp-discard"] = rx_input(tcp_session(9, b"x" * 512))
    # iperf 2 client header: flags, threads, port, buffer, time (-10 s)
    s["tcp-iperf"] = rx_input(tcp_session(5001, struct.pack(">iiiii", 0, 1, 5001, 0, -1000) +
                                          b"\0" * 64, close=False))
    s["tcp6-http-get"] = rx_input(tcp_session(80, b"GET /status HTTP/1.0\r\n\r\n", v6=True))
    big = eth4(ICMP(id=7, seq=1) / (b"f" * 3000))
    s["ipv4-fragments"] = rx_input([arp_request()] +
                                   [bytes(Ether(dst=GUEST_MAC, src=PEER_MAC) / f)
                                    for f in fragment(big[IP], fragsize=1400)])
    s["ipv4-fragment-alone"] = rx_input([bytes(Ether(dst=GUEST_MAC, src=PEER_MAC) / f)
                                         for f in fragment(big[IP], fragsize=1400)][:1])
    u6 = IPv6(src=PEER_IP6, dst=GUEST_IP6) / IPv6ExtHdrFragment(id=9) / UDP(
        sport=PEER_PORT, dport=7) / (b"s" * 2500)
    s["ipv6-fragments"] = rx_input([neighbor_solicit()] +
                                   [bytes(Ether(dst=GUEST_MAC, src=PEER_MAC) / f)
                                    for f in fragment6(u6, 1280)])
    s["ipv6-ns"] = rx_input([neighbor_solicit()])
    s["ipv6-na"] = rx_input([neighbor_solicit(), neighbor_advert()])
    s["ipv6-echo"] = rx_input([neighbor_solicit(), eth6(ICMPv6EchoRequest(id=1, seq=1,
                                                                          data=b"ping6"))])
    s["ipv6-ra-slaac"] = rx_input([Ether(dst="33:33:00:00:00:01", src=PEER_MAC) / IPv6(
        src=PEER_IP6, dst="ff02::1", hlim=255) / ICMPv6ND_RA(routerlifetime=1800) /
        ICMPv6NDOptSrcLLAddr(lladdr=PEER_MAC) / ICMPv6NDOptPrefixInfo(
        prefix="2001:db8::", prefixlen=64, L=1, A=1, validlifetime=86400,
        preferredlifetime=14400), (ticks(20), b"")])
    s["ipv6-mld-query"] = rx_input([Ether(dst="33:33:00:00:00:01", src=PEER_MAC) / IPv6(
        src=PEER_IP6, dst="ff02::1", hlim=1) / ICMPv6MLQuery(), (ticks(30), b"")])
    s["dhcp-offer-ack"] = rx_input([dhcp_reply("offer"), dhcp_reply("ack"), (ticks(40), b"")],
                                   cfg=CFG_DHCP)
    s["dhcp-nak"] = rx_input([dhcp_reply("offer"), dhcp_reply("nak")], cfg=CFG_DHCP)
    s["runt"] = rx_input([b"\x52\x54\x00\x12\x34\x56\x00"])
    return s


def text_seeds():
    # first byte: the parser (fuzz_text.c)
    return {
        "cmdline": b"\x00ip=10.0.2.15/24,10.0.2.2 quiet ethtool=\"-G eth0 rx 512\" services=echo,http",
        "cmdline-quoted": b"\x00trace=\"a b\" x=",
        "ipconfig-static": b"\x0110.0.2.15/24,10.0.2.2",
        "ipconfig-dhcp": b"\x01dhcp",
        "ipconfig-off": b"\x01off",
        "capture-filter": b"\x02proto udp port 7 ether 0x0800",
        "capture-none": b"\x02none",
        "ethtool-ring": b"\x03-G eth0 rx 512 tx 256",
        "ethtool-coalesce": b"\x03-C eth0 adaptive-rx off rx-usecs 50",
        "ethtool-features": b"\x03-K eth0 rx off tx on",
        "ethtool-show": b"\x03eth0",
        "line-edit": b"\x04cat /proc/net/dev\x1b[D\x1b[C\x7f\x01\x05\x15\x0b\x17\t\r\x1b[A\r",
    }


def frag_program(ops, n4=(3, 20, 40, 180), n6=(3, 20, 40, 180), cfg=0):
    """a frag input (tests/fuzz/fuzz_frag.c): config, the sizes of the four
    datagrams per IP version (8 * (n + 1) bytes), then the ops"""
    return bytes([cfg] + list(n4) + list(n6)) + b"".join(bytes(op) for op in ops)


FRAG4, FRAG6, ICMP4, ICMP6, ECHO4, ECHO6, TICKS, REPEAT = range(8)
MF_FLIP, NEST, NEST_ATOMIC = 8, 16, 32


def u16(v):
    return [v >> 8, v & 0xff]


def frag_seeds():
    s = {}
    # datagram 1 (21 units of 8 bytes) in three pieces, in order and reversed
    pieces = [(0, 6), (7, 6), (14, 6)]
    s["ipv4-in-order"] = frag_program([[FRAG4, 1, o, n] for o, n in pieces])
    s["ipv4-reversed"] = frag_program([[FRAG4, 1, o, n] for o, n in reversed(pieces)])
    s["ipv6-in-order"] = frag_program([[FRAG6, 1, o, n] for o, n in pieces])
    s["ipv6-reversed"] = frag_program([[FRAG6, 1, o, n] for o, n in reversed(pieces)])
    # extension headers before the Fragment header: Hop-by-Hop, Destination
    # Options, both (reassembly moves them and fixes their next-header fields)
    for name, bits in (("hbh", 64), ("dstopt", 128), ("hbh-dstopt", 192)):
        s["ipv6-ext-" + name] = frag_program([[FRAG6 | bits, 1, o, n] for o, n in reversed(pieces)])
    # overlapping and duplicated pieces
    s["ipv4-overlap"] = frag_program([[FRAG4, 2, 0, 9], [FRAG4, 2, 4, 9], [REPEAT],
                                      [FRAG4, 2, 10, 40]])
    s["ipv6-overlap"] = frag_program([[FRAG6, 2, 0, 9], [FRAG6, 2, 4, 9], [REPEAT],
                                      [FRAG6, 2, 10, 40]])
    # finding 1: a fragment of a fragment, many times (datagram 0, 4 units)
    s["ipv6-nested"] = frag_program([[FRAG6 | NEST, 0, 0, 3]] * 30)
    s["ipv6-nested-pieces"] = frag_program([[FRAG6 | NEST, 1, 0, 6], [FRAG6 | NEST, 1, 7, 6],
                                            [FRAG6 | NEST, 1, 14, 6]] * 5)
    s["ipv6-nested-atomic"] = frag_program([[FRAG6 | NEST | NEST_ATOMIC, 1, 0, 6],
                                            [FRAG6 | NEST | NEST_ATOMIC, 1, 7, 20]])
    # finding 2: Packet Too Big with MTU 50, then echo requests that need
    # fragmented replies; then one that would raise the MTU
    s["ipv6-ptb-tiny"] = frag_program([[ECHO6] + u16(100), [ICMP6, 0] + u16(50),
                                       [ECHO6] + u16(100), [ECHO6] + u16(2000)])
    s["ipv6-ptb-raise"] = frag_program([[ECHO6] + u16(100), [ICMP6, 0] + u16(1300),
                                        [ICMP6, 0] + u16(9000), [ECHO6] + u16(1400)])
    s["ipv4-fragneeded"] = frag_program([[ECHO4] + u16(100), [ICMP4, 0] + u16(40),
                                         [ECHO4] + u16(3000)])
    # errors between the pieces, then the reassembly timers
    s["mixed-errors-timeout"] = frag_program([[FRAG4, 3, 0, 10], [ICMP4, 2, 0, 0],
                                              [FRAG6, 3, 0, 10], [ICMP6, 1, 0, 0],
                                              [TICKS | (31 << 3)], [FRAG4, 3, 11, 10],
                                              [FRAG6, 3, 11, 200]])
    return s


def write(root, target, seeds):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus"
    write(root, "rx", rx_seeds())
    write(root, "text", text_seeds())
    write(root, "frag", frag_seeds())


if __name__ == "__main__":
    main()
