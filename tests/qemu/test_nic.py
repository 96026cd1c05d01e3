"""e1000 / e1000e / igb in QEMU with a host-side peer over -netdev dgram on
127.0.0.1: link up, MAC equal to -device ...,mac=, an ARP answer, then N
frames reflected by the kernel's l2reflect responder (N >= 10x the ring),
and the responder's, driver's and device's counters compared with the
peer's own counts.

Skipped while the kernel does not link the driver (it needs the pci, irq
and mm branches in main, and kmain calling e1000_driver_init and
l2reflect_start)."""
import os
import re
import socket
import struct

import pytest

from harness import BUILD, EXIT_OK, Guest

SYMS = os.path.join(BUILD, "barenet.sym")
GUEST_MAC = "52:54:00:12:34:56"
PEER_MAC = bytes.fromhex("020000000001")
GUEST_IP = "10.0.2.15"
PEER_IP = "10.0.2.2"
RING = 256                      # E1000_RING_DEFAULT
N = 10 * RING
WINDOW = 32                     # frames in flight: well under the RX ring
ETH_P_TEST = 0x88B5
ETH_P_CTRL = 0x88B6             # L2REFLECT_ETHERTYPE


def driver_linked():
    try:
        with open(SYMS) as f:
            return re.search(r" e1000_driver_init$", f.read(), re.M) is not None
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not driver_linked(),
                                reason="e1000 driver not linked into the kernel yet")


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def arp_request(target_ip):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER_MAC,
                       socket.inet_aton(PEER_IP), b"\0" * 6, socket.inet_aton(target_ip))
    return b"\xff" * 6 + PEER_MAC + struct.pack("!H", 0x0806) + body + b"\0" * 18


def counters(line):
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}


@pytest.mark.parametrize("model", ["e1000", "e1000e", "igb"])
def test_link_mac_arp_and_reflection(kernel, model):
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind(("127.0.0.1", 0))
    peer.settimeout(5)
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    guest_port = probe.getsockname()[1]
    probe.close()               # QEMU binds it next; a race we accept on loopback
    netdev = ("dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=%d,"
              "remote.type=inet,remote.host=127.0.0.1,remote.port=%d"
              % (guest_port, peer.getsockname()[1]))
    extra = ["-netdev", netdev, "-device", "%s,netdev=n0,mac=%s,romfile=" % (model, GUEST_MAC)]
    with Guest("nic-" + model, append="l2reflect=" + GUEST_IP, extra=extra) as g:
        m = g.wait_for(r"l2reflect: (eth\d) MAC ([0-9a-f:]{17}) answering ARP for ([\d.]+)")
        dev, mac, ip = m.groups()
        assert mac == GUEST_MAC and ip == GUEST_IP
        g.wait_for(r"%s: link up, 1000 Mbps full duplex" % dev, timeout=10)
        dest = ("127.0.0.1", guest_port)
        gmac = mac_bytes(GUEST_MAC)

        peer.sendto(arp_request(GUEST_IP), dest)
        reply, _ = peer.recvfrom(2048)
        assert reply[0:6] == PEER_MAC and reply[6:12] == gmac and reply[12:14] == b"\x08\x06"
        assert reply[20:22] == b"\x00\x02" and reply[22:28] == gmac
        assert reply[28:32] == socket.inet_aton(GUEST_IP)
        peer_rx = 1

        sent = answered = 0
        while answered < N:
            while sent < N and sent - answered < WINDOW:
                payload = struct.pack("!I", sent) + bytes((sent + i) & 0xFF for i in range(60 + sent % 1400))
                peer.sendto(gmac + PEER_MAC + struct.pack("!H", ETH_P_TEST) + payload, dest)
                sent += 1
            frame, _ = peer.recvfrom(2048)
            peer_rx += 1
            seq = struct.unpack("!I", frame[14:18])[0]
            assert frame[0:6] == PEER_MAC and frame[6:12] == gmac, "frame %d misaddressed" % seq
            assert seq == answered, "expected reflection %d, got %d" % (answered, seq)
            assert len(frame) == 14 + 4 + 60 + seq % 1400
            answered += 1

        peer.sendto(gmac + PEER_MAC + struct.pack("!H", ETH_P_CTRL) + b"stats".ljust(46, b"\0"), dest)
        resp = counters(g.wait_for(r"l2reflect: %s responder .*" % dev).group(0))
        drv = counters(g.wait_for(r"l2reflect: %s driver .*" % dev).group(0))
        hw = counters(g.wait_for(r"l2reflect: %s device .*" % dev).group(0))
        print("peer: sent %d frames + 1 ARP, received %d" % (N, peer_rx))
        print("responder:", resp, "\ndriver:", drv, "\ndevice:", hw)
        # the guest saw ARP + N + the stats frame, and answered ARP + N
        assert resp["reflected"] == N and resp["arp"] == 1 and resp["tx_busy"] == 0
        assert drv["rx_packets"] == N + 2 and drv["tx_packets"] == N + 1 == peer_rx
        assert drv["rx_errors"] == 0 and drv["rx_dropped"] == 0
        assert hw["gprc"] == N + 2 and hw["gptc"] == N + 1
        assert hw["mpc"] == drv["rx_missed_errors"] == 0

        peer.sendto(gmac + PEER_MAC + struct.pack("!H", ETH_P_CTRL) + b"exit".ljust(46, b"\0"), dest)
        assert g.wait_exit(30) == EXIT_OK, g.output[-3000:]
    peer.close()
