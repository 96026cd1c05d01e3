"""TCP peers built by hand on a test namespace's tap (tests/qemu/netns.py),
for the hostile-traffic tests (test_hostile.py): a window of 0, an MSS of
48, out-of-order segments, SYNs from random sources -- what a kernel socket
will not send.  The frame builders (csum, ether_frame, ipv4_packet,
tcp_packet, arp_body) serve overload.py's prober too.

RawLink is an AF_PACKET socket on tap0 inside the namespace.  It plays
addresses of the tap's subnet that no host interface has (10.0.2.100 and
up): it tells the guest their MAC with an ARP request to the guest (lwIP
learns the sender of a request for itself) and answers the guest's ARP
requests for them.  The host kernel drops what the guest sends to these
addresses (not its own, no forwarding), so no RST of the host's answers a
SYN-ACK it never asked for.  SYNs from random sources outside the subnet
(syn_flood) go to the guest's gateway, 10.0.2.2, and the guest's answers are
dropped the same way.

All traffic stays on the namespace's tap; nothing here sends anywhere else.
"""
import os
import random
import select
import socket
import struct
import time

import netns

ETH_P_ALL, ETH_P_IP, ETH_P_ARP = 0x0003, 0x0800, 0x0806
PACKET_OUTGOING = 4
SOL_PACKET, PACKET_VNET_HDR = 263, 15     # <linux/if_packet.h>
VNET_HDR = struct.Struct("<BBHHHH")       # struct virtio_net_hdr, host order
IPPROTO_TCP = 6
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
BROADCAST = "ff:ff:ff:ff:ff:ff"


def csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac_bytes(text):
    return bytes.fromhex(text.replace(":", ""))


def _macstr(raw):
    return ":".join("%02x" % b for b in raw)


def ether_frame(dst_mac, src_mac, ethertype, payload):
    """An Ethernet frame, padded to the 60-byte minimum."""
    frame = mac_bytes(dst_mac) + mac_bytes(src_mac) + struct.pack("!H", ethertype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def ipv4_packet(src, dst, proto, payload, ident=0, df=True):
    """An IPv4 packet (no options, TTL 64) around payload."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xffff,
                     0x4000 if df else 0, 64, proto, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + payload


def tcp_packet(src, dst, sport, dport, seq, ack, flags, win, payload=b"", mss=None, ident=0,
               df=True):
    """An IPv4 packet (no Ethernet header) carrying one TCP segment."""
    opts = struct.pack("!BBH", 2, 4, mss) if mss is not None else b""
    off = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                      off << 4, flags, win, 0, 0) + opts
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, IPPROTO_TCP, len(hdr) + len(payload))
    hdr = hdr[:16] + struct.pack("!H", csum(pseudo + hdr + payload)) + hdr[18:]
    return ipv4_packet(src, dst, IPPROTO_TCP, hdr + payload, ident, df)


def arp_body(op, sender_mac, sender_ip, target_mac, target_ip):
    """An ARP request (op 1) or reply (2) for IPv4 over Ethernet."""
    return struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, op) + mac_bytes(sender_mac) + \
        socket.inet_aton(sender_ip) + mac_bytes(target_mac) + socket.inet_aton(target_ip)


class Segment:
    """A TCP segment the guest sent."""

    def __init__(self, src, dst, raw, gso_size=0):
        self.src, self.dst = src, dst
        self.gso_size = gso_size         # a TSO send: the segments' payload size
        self.t = time.monotonic()        # when it was read off the tap
        (self.sport, self.dport, self.seq, self.ack, off, self.flags, self.win) = \
            struct.unpack("!HHIIBBH", raw[:16])
        self.payload = raw[(off >> 4) * 4:]

    def __repr__(self):
        return "<%s:%d > %s:%d flags %#x seq %d ack %d win %d len %d>" % (
            self.src, self.sport, self.dst, self.dport, self.flags, self.seq, self.ack,
            self.win, len(self.payload))


class RawLink:
    """An AF_PACKET socket on the namespace's tap0 that plays addresses the
    host does not have (see the module doc)."""

    def __init__(self, net, guest_ip=netns.GUEST4):
        self.net = net
        self.guest_ip = guest_ip
        with net.entered():
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            # QEMU's e1000e and igb hand the tap a TSO send whole, with a
            # virtio-net header (the host kernel cuts it when it forwards):
            # ask for that header, so that a segment's gso_size says what
            # would go on a wire
            self.sock.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
            self.sock.bind((netns.TAP, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
        link = net.run(["cat", "/sys/class/net/%s/address" % netns.TAP], check=True)
        self.mac = link.stdout.strip()
        self.ips = set()
        self.guest_mac = None
        self.inbox = []          # Segments to our addresses, oldest first
        self._arp_answered = {}  # our address -> the guest answered its ARP
        self._next_port = random.randint(20000, 40000)

    def close(self):
        self.sock.close()

    def port(self):
        """A source port this link has not given out before (random ones
        collide: 60 connections from one address met an open one 4 % of
        the time, and the guest answered that SYN with an ACK)."""
        self._next_port += 1
        return self._next_port

    def _send(self, frame):
        self.sock.send(bytes(VNET_HDR.size) + frame)    # no offload asked

    def send_ip(self, packet, dst_mac=None):
        self._send(ether_frame(dst_mac or self.guest_mac, self.mac, ETH_P_IP, packet))

    def _arp(self, op, sender_ip, target_ip, dst_mac, target_mac="00:00:00:00:00:00"):
        self._send(ether_frame(dst_mac, self.mac, ETH_P_ARP,
                                   arp_body(op, self.mac, sender_ip, target_mac, target_ip)))

    def claim(self, ip, timeout=10):
        """Play ip: ask the guest for its own MAC from ip, so that it learns
        ip's (ours), until it answers."""
        self.ips.add(ip)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._arp(1, ip, self.guest_ip, BROADCAST)
            end = time.monotonic() + 0.5
            while time.monotonic() < end:
                self.pump(0.1)
                if self.guest_mac and self._arp_answered.get(ip):
                    return
        raise AssertionError("the guest did not answer ARP from %s" % ip)

    def pump(self, timeout):
        """Read what arrived within timeout: answer ARP for our addresses,
        keep TCP segments to them in inbox."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            r, _, _ = select.select([self.sock], [], [], max(0.0, left))
            if not r:
                return
            while True:
                try:
                    frame, addr = self.sock.recvfrom(65535, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                gso_size = VNET_HDR.unpack_from(frame)[3]
                self._frame(frame[VNET_HDR.size:], gso_size)
            if time.monotonic() >= end:
                return

    def _frame(self, frame, gso_size=0):
        etype = struct.unpack("!H", frame[12:14])[0]
        if etype == ETH_P_ARP:
            op = struct.unpack("!H", frame[20:22])[0]
            sha, spa = frame[22:28], socket.inet_ntoa(frame[28:32])
            tpa = socket.inet_ntoa(frame[38:42])
            if spa == self.guest_ip:
                self.guest_mac = _macstr(sha)
                if op == 2 and tpa in self.ips:
                    self._arp_answered[tpa] = True
                if op == 1 and tpa in self.ips:
                    self._arp(2, tpa, spa, _macstr(sha), _macstr(sha))
            return
        if etype != ETH_P_IP or frame[23] != IPPROTO_TCP:
            return
        ihl = (frame[14] & 0xf) * 4
        total = struct.unpack("!H", frame[16:18])[0]
        src, dst = socket.inet_ntoa(frame[26:30]), socket.inet_ntoa(frame[30:34])
        if dst in self.ips and src == self.guest_ip:
            self.inbox.append(Segment(src, dst, frame[14 + ihl:14 + total], gso_size))

    def take(self, ip, port, timeout, want=None):
        """The first segment to ip:port (matching want(seg) if given) within
        timeout, removed from the inbox; None if none came."""
        end = time.monotonic() + timeout
        while True:
            for i, seg in enumerate(self.inbox):
                if seg.dst == ip and seg.dport == port and (want is None or want(seg)):
                    return self.inbox.pop(i)
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.pump(min(left, 0.05))

    def drain(self, ip, port=None):
        """Every segment to ip:port (any port: None) in the inbox (and the
        socket), removed."""
        self.pump(0)

        def mine(s):
            return s.dst == ip and (port is None or s.dport == port)
        got = [s for s in self.inbox if mine(s)]
        self.inbox = [s for s in self.inbox if not mine(s)]
        return got

    def syn_flood(self, count, seconds, dport, seed):
        """count SYNs to the guest's dport from random sources outside the
        tap's subnet (10.64.0.0/10, through the guest's gateway), spread over
        about seconds; returns how many were sent."""
        rnd = random.Random(seed)
        start = time.monotonic()
        for i in range(count):
            src = "10.%d.%d.%d" % (rnd.randint(64, 127), rnd.randint(0, 255), rnd.randint(1, 254))
            self.send_ip(tcp_packet(src, self.guest_ip, rnd.randint(1024, 65535), dport,
                                    rnd.getrandbits(32), 0, SYN, 64240, mss=1460, ident=i))
            # pace to the time asked for, in bursts of 100
            if i % 100 == 99:
                ahead = start + seconds * (i + 1) / count - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
                self.pump(0)
                self.inbox.clear()
        return count


class RawConn:
    """One TCP connection from a played address to the guest."""

    def __init__(self, link, ip, dport, sport=None, mss=1460, win=65535):
        self.link, self.ip, self.dport = link, ip, dport
        self.sport = sport or link.port()
        self.mss, self.win = mss, win
        self.iss = random.getrandbits(32)
        self.snd_nxt = self.iss
        self.rcv_nxt = None
        self.data = b""          # in-order bytes received
        self.sizes = []          # the payload size of each in-order segment (on a wire)
        self.fin = False
        self.rst = False

    def send(self, flags, payload=b"", seq=None, win=None, mss=None):
        self.link.send_ip(tcp_packet(self.ip, self.link.guest_ip, self.sport, self.dport,
                                     self.snd_nxt if seq is None else seq, self.rcv_nxt or 0,
                                     flags, self.win if win is None else win, payload, mss=mss))

    def connect(self, timeout=5):
        """Three-way handshake; returns the guest's SYN-ACK segment (None if
        no answer; a RST sets self.rst)."""
        self.send(SYN, mss=self.mss)
        seg = self.link.take(self.ip, self.sport, timeout)
        if seg is None:
            return None
        if seg.flags & RST or not seg.flags & SYN:
            self.rst = True
            return seg
        self.snd_nxt = (self.iss + 1) & 0xffffffff
        self.rcv_nxt = (seg.seq + 1) & 0xffffffff
        self.send(ACK)
        return seg

    def write(self, payload):
        self.send(ACK | PSH, payload)
        self.snd_nxt = (self.snd_nxt + len(payload)) & 0xffffffff

    def poll(self, timeout, win=None):
        """Take what the guest sent within timeout: in-order data appended to
        self.data and acknowledged (with window win, default self.win)."""
        end = time.monotonic() + timeout
        got = False
        while True:
            seg = self.link.take(self.ip, self.sport, max(0.0, end - time.monotonic()))
            if seg is None:
                return got
            got = True
            if seg.flags & RST:
                self.rst = True
                return got
            if seg.payload and seg.seq == self.rcv_nxt:
                self.data += seg.payload
                # a TSO send counts as the segments it stands for
                n, step = len(seg.payload), seg.gso_size or len(seg.payload)
                self.sizes.extend(min(step, n - i) for i in range(0, n, step))
                self.rcv_nxt = (self.rcv_nxt + len(seg.payload)) & 0xffffffff
            if seg.flags & FIN and (seg.seq + len(seg.payload)) & 0xffffffff == self.rcv_nxt:
                self.rcv_nxt = (self.rcv_nxt + 1) & 0xffffffff
                self.fin = True
            if seg.payload or seg.flags & FIN:
                self.send(ACK, win=win)
            if self.fin:
                return got

    def close(self):
        """FIN from our side (after the guest's FIN: the close completes)."""
        self.send(FIN | ACK)
        self.snd_nxt = (self.snd_nxt + 1) & 0xffffffff

    def reset(self):
        self.send(RST | ACK)


def played_addresses(n, first=100):
    """n addresses of the tap's subnet that no host interface has."""
    assert first + n < 255
    return ["10.0.2.%d" % i for i in range(first, first + n)]


def urandom_seed():
    return int.from_bytes(os.urandom(4), "big")
