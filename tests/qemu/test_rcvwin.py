"""A TCP socket's receive buffer bounds its window from the first segment
(issue 15; lwIP patch 0061, net/socket/sock_tcp.c).  tests/apps/rcvwin.c
sets SO_RCVBUF 4096 (8192 after Linux's doubling, half of it for data as
Linux's tcp_adv_win_scale=1: a 4096-byte window) before listen() (the host
connects from the test namespace) or before connect() (to a listener of
the host's), and reads 1 KiB every 20 ms while the host sends 100 KB.  An
AF_PACKET capture on the namespace's tap sees both sides.  The guest's
SYN-ACK or SYN (a SYN's window is never scaled, RFC 7323 2.2) and every
later window (window << wscale) fit the buffer's usable space while the
host may send, the host never has a byte in flight past the right edge
the guest announced, the application never finds more than that waiting,
and every byte arrives.  Before the patch the SYN-ACK and SYN announced
lwIP's 65535, and the scaled window was TCP_WND (93440) until the
application had read that much."""
import select
import socket
import struct
import threading
import time

import pytest

import apps
import netns

PORT = 9500
RCVBUF = 4096
TOTAL = 100 * 1000
ETH_P_ALL, ETH_P_IP = 0x0003, 0x0800
FIN, SYN, ACK = 0x01, 0x02, 0x10
TCPOPT_WSCALE = 3


class Capture:
    """Every TCP segment between the guest and the host on the namespace's
    tap, both directions, in the order they passed it, as (src, sport,
    seq, ack, flags, win, len, options)."""

    def __init__(self, net):
        with net.entered():
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            self.sock.bind((netns.TAP, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.segs = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            r, _, _ = select.select([self.sock], [], [], 0.1)
            if r:
                self._frame(self.sock.recv(65536 + 256))

    def _frame(self, f):
        if len(f) < 34 or struct.unpack("!H", f[12:14])[0] != ETH_P_IP or f[23] != 6:
            return
        ihl = (f[14] & 0xf) * 4
        total = struct.unpack("!H", f[16:18])[0]
        src = socket.inet_ntoa(f[26:30])
        t = f[14 + ihl:14 + total]
        sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", t[:16])
        if PORT not in (sport, dport):
            return
        hl = (off >> 4) * 4
        self.segs.append((src, sport, seq, ack, flags, win, len(t) - hl, parse_options(t[20:hl])))

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


def parse_options(raw):
    """TCP options as {kind: bytes}."""
    opts, i = {}, 0
    while i < len(raw):
        kind = raw[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(raw) or raw[i + 1] < 2:
            break
        opts[kind] = raw[i + 2:i + raw[i + 1]]
        i += raw[i + 1]
    return opts


def seq_after(a, b):
    """a is after b in sequence space."""
    return 0 < ((a - b) & 0xffffffff) < 0x80000000


def rcvwin_guest(testnet, name, extra=""):
    """The guest running tests/apps/rcvwin.c (SO_RCVBUF RCVBUF, 1 KiB
    every 20 ms); the buffer's usable space (half of what getsockopt
    says)."""
    g = testnet.guest(name, kernel=apps.app_kernel("tests/apps/rcvwin.c"),
                      append="ip=10.0.2.15/24,10.0.2.2 -- %d %d 1024 20 %s" % (PORT, RCVBUF, extra))
    m = g.wait_for(r"rcvwin: rcvbuf (\d+)\r?\n", timeout=90)
    assert int(m.group(1)) == 2 * RCVBUF, m.group(0)
    return g, int(m.group(1)) // 2


def wait_result(g, data):
    m = g.wait_for(r"rcvwin: bytes=(\d+) sum=(\d+) max_queued=(\d+) reads=(\d+)\r?\n", timeout=120)
    # the guest's last ACKs, on the tap, before the capture ends
    time.sleep(0.5)
    assert int(m.group(1)) == len(data) and int(m.group(2)) == sum(data) & 0xffffffff, m.group(0)
    return int(m.group(3))


def check_windows(segs, usable, total, scaled=True):
    """The guest's SYN (or SYN-ACK) and every window after it fit usable;
    the host's data never passed the right edge the guest had announced.
    scaled: both sides offered window scaling (else neither did: a SYN
    cookie's SYN-ACK offers none)."""
    guest = [s for s in segs if s[0] == netns.GUEST4]
    host = [s for s in segs if s[0] != netns.GUEST4]
    gsyn = [s for s in guest if s[4] & SYN]
    hsyn = [s for s in host if s[4] & SYN]
    assert gsyn and hsyn, segs[:10]
    # both sides offered window scaling: the guest's scale applies to the
    # windows after its SYN; a SYN's own window is not scaled
    assert TCPOPT_WSCALE in hsyn[0][7], hsyn[0]
    assert (TCPOPT_WSCALE in gsyn[0][7]) == scaled, gsyn[0]
    wscale = gsyn[0][7][TCPOPT_WSCALE][0] if scaled else 0
    assert gsyn[0][5] <= usable, ("the guest's SYN window", gsyn[0][5], "usable", usable)
    # every window the host could still send into: up to the guest's ACK
    # of the host's FIN (the socket gives lwIP its whole window back when
    # it closes, for lwIP's tcp_close to send a FIN and not a RST; the
    # host has nothing more to send by then)
    fin = [s for s in host if s[4] & FIN]
    assert fin, host[-5:]
    fin_end = (fin[0][2] + fin[0][6] + 1) & 0xffffffff
    open_ = [s for s in guest if s[4] & ACK and seq_after(fin_end, s[3])]
    later = [s for s in open_ if not s[4] & SYN]
    assert len(later) > 10, guest[:5]
    worst = max(s[5] << wscale for s in later)
    assert worst <= usable, ("window << wscale", worst, "usable", usable, wscale)
    # in order on the tap: the host's data never passed the right edge the
    # guest had announced (its ack + window) by the time it was sent
    edge = None
    sent = 0
    for s in segs:
        if s in open_:
            right = (s[3] + (s[5] if s[4] & SYN else s[5] << wscale)) & 0xffffffff
            if edge is None or seq_after(right, edge):
                edge = right
        elif s[0] != netns.GUEST4 and s[6]:
            end = (s[2] + s[6]) & 0xffffffff
            assert edge is not None and not seq_after(end, edge), \
                ("data past the announced window", s, "edge", edge)
            sent += s[6]
    assert sent >= total, sent


def syncookies_recv(g):
    rows = [l.split() for l in g.shell("cat /proc/net/netstat").splitlines()
            if l.startswith("TcpExt:")]
    return int(rows[1][rows[0].index("SyncookiesRecv")])


@pytest.mark.parametrize("cookie", [False, True], ids=["pcb", "syncookie"])
def test_small_rcvbuf_window_from_the_syn_ack(testnet, cookie):
    """The listener's SYN-ACK, from the pcb lwIP makes for the SYN or (with
    net.ipv4.tcp_syncookies=2) stateless with a SYN cookie, whose
    connection is made from the ACK (no window scaling then)."""
    g, usable = rcvwin_guest(testnet, "rcvwin-listen-" + ("cookie" if cookie else "pcb"))
    g.wait_for(r"rcvwin: listening on port %d" % PORT, timeout=30)
    if cookie:
        g.wait_prompt(30)
        g.shell("sysctl -w net.ipv4.tcp_syncookies=2")
        cookies = syncookies_recv(g)
    data = bytes((i * 7 + (i >> 8)) & 0xff for i in range(TOTAL))
    cap = Capture(testnet)
    try:
        with testnet.socket() as c:
            c.settimeout(60)
            c.connect((netns.GUEST4, PORT))
            c.sendall(data)
            c.shutdown(socket.SHUT_WR)
            queued = wait_result(g, data)
    finally:
        cap.close()
    check_windows(cap.segs, usable, TOTAL, scaled=not cookie)
    # the application never found more waiting than the window allowed
    assert 0 < queued <= usable, queued
    if cookie:
        assert syncookies_recv(g) == cookies + 1


def test_small_rcvbuf_window_from_the_syn(testnet):
    data = bytes((i * 13 + (i >> 9)) & 0xff for i in range(TOTAL))
    with testnet.entered():
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    err = []

    def serve():
        try:
            c, _ = ls.accept()
            with c:
                c.settimeout(60)
                c.sendall(data)
                c.shutdown(socket.SHUT_WR)
                c.recv(1)       # the guest's FIN
        except OSError as e:
            err.append(e)

    with ls:
        ls.bind((netns.HOST4, PORT))
        ls.listen(1)
        ls.settimeout(60)
        cap = Capture(testnet)
        t = threading.Thread(target=serve, daemon=True)
        t.start()
        try:
            g, usable = rcvwin_guest(testnet, "rcvwin-connect", netns.HOST4)
            g.wait_for(r"rcvwin: connected to %s:%d" % (netns.HOST4, PORT), timeout=30)
            queued = wait_result(g, data)
            t.join(30)
        finally:
            cap.close()
    assert not err and not t.is_alive(), err
    check_windows(cap.segs, usable, TOTAL)
    assert 0 < queued <= usable, queued
