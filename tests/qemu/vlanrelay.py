"""An 802.1Q tagging switch in user space, for hosts whose kernel has no
VLAN support (no 8021q module): run inside a test namespace, it joins the
guest's tap (QEMU's netdev) to one untagged tap and one tap per VLAN id.

    vlanrelay.py GUEST_TAP UNTAGGED_TAP VID=TAP [VID=TAP ...] SECONDS

Frames from the guest: tagged with a listed id -> the tag taken out, to
that id's tap; untagged -> the untagged tap; a tag not listed -> dropped.
Frames from the untagged tap go to the guest as they are; from an id's
tap with that tag put in (after the MAC addresses, 802.1Q 9.3); both
padded to the Ethernet minimum as a real switch's would be.  QEMU holds
the guest's tap, so the relay reads and writes it as the host kernel sees
it (a packet socket bound to it: what the guest sent arrives there, what
is sent there goes to the guest); the other taps it attaches to (their
wire side: ip tuntap add them first).  It stops after SECONDS (a bounded
run), or when it is killed."""
import fcntl
import os
import select
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454ca
TUNSETOFFLOAD = 0x400454d0
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
TPID = b"\x81\x00"
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SOL_PACKET = 263
PACKET_AUXDATA = 8          # the tag the kernel took out of a received frame
TP_STATUS_VLAN_VALID = 0x10
SO_RCVBUFFORCE = 33
RCVBUF = 8 << 20
AUXDATA = struct.Struct("=IIIHHHH")   # struct tpacket_auxdata
ETH_ZLEN = 60           # what the guest's NIC takes at least (QEMU counts shorter
                        # frames as rx_short_length_errors and drops them)


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    # no offloads: the host's stack fills every checksum before the frame
    # reaches us (a reader without vnet headers cannot finish them)
    fcntl.ioctl(fd, TUNSETOFFLOAD, 0)
    return fd


def main():
    gsock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    gsock.bind((sys.argv[1], 0))
    # the host's receive path takes a tag out of the frame into metadata
    # (skb_vlan_untag), 8021q or not: ask for it back
    gsock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    # room for a 64 KiB TSO send's segments arriving at once: the relay is
    # a Python loop, slower than QEMU's bursts
    gsock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
    guest, untagged = gsock.fileno(), open_tap(sys.argv[2])
    by_vid, by_fd = {}, {}
    for spec in sys.argv[3:-1]:
        vid, name = spec.split("=")
        fd = open_tap(name)
        by_vid[int(vid)] = fd
        by_fd[fd] = int(vid)
    deadline = time.monotonic() + float(sys.argv[-1])
    fds = [guest, untagged] + list(by_fd)
    print("relay ready", flush=True)
    counts = {}
    while time.monotonic() < deadline:
        ready, _, _ = select.select(fds, [], [], 0.5)
        for fd in ready:
            if fd == guest:
                frame, anc, _, addr = gsock.recvmsg(65536, socket.CMSG_SPACE(AUXDATA.size))
                if addr[2] == PACKET_OUTGOING:
                    continue        # our own, on its way to the guest
                for level, kind, data in anc:
                    if level == SOL_PACKET and kind == PACKET_AUXDATA:
                        aux = AUXDATA.unpack(data[:AUXDATA.size])
                        if aux[0] & TP_STATUS_VLAN_VALID:
                            frame = frame[:12] + TPID + aux[5].to_bytes(2, "big") + frame[12:]
            else:
                frame = os.read(fd, 65536)
            if len(frame) < 14:
                continue
            key = (fd, len(frame) > 1000)
            counts[key] = counts.get(key, 0) + 1
            if fd == guest:
                if frame[12:14] == TPID and len(frame) >= 18:
                    vid = int.from_bytes(frame[14:16], "big") & 0xfff
                    if vid in by_vid:
                        os.write(by_vid[vid], frame[:12] + frame[16:])
                else:
                    os.write(untagged, frame)
            elif fd == untagged:
                gsock.send(frame.ljust(ETH_ZLEN, b"\0"))
            else:
                tag = TPID + by_fd[fd].to_bytes(2, "big")
                gsock.send((frame[:12] + tag + frame[12:]).ljust(ETH_ZLEN, b"\0"))
    # what went through, by source and size (large: > 1000 bytes)
    print("relay done:", {"%s%s" % ("guest" if k[0] == guest else "untagged" if k[0] == untagged
                                     else "vid%d" % by_fd[k[0]], "-large" if k[1] else ""): v
                          for k, v in counts.items()}, flush=True)


if __name__ == "__main__":
    main()
