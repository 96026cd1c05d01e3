"""The kernel socket API (net/socket/, issue 15), without applications:
selftest=sock uses it from kernel threads over loopback; the shell's
`socktest` threads use it against traffic from a test namespace (a tap,
netns.TestNet): the seeds' UDP server, a slow UDP reader with SO_RCVBUF
4096 under 2000 datagrams (read + drops = sent, the drops in
/proc/net/udp and Udp RcvbufErrors/InErrors, InDatagrams counted at read,
ping answered throughout, memory back at its baseline), a TCP reader that
stops for 5 s (the window closes, no byte lost), a TCP echo, `ss -tuan`,
/proc/net/tcp's inode and queues, and the net.core.rmem/wmem sysctls.
`ss -tuan`'s rows of the test's sockets are compared with what the host's
own iproute2 ss prints for the guest's /proc/net files."""
import os
import re
import socket
import subprocess
import tempfile
import threading
import time

import pytest

import netns
from harness import DEFAULT_SMP, EXIT_OK, boot
from netparse import without_klog

GUEST = netns.GUEST4
APPEND = "ip=%s/%d,%s" % (GUEST, netns.PREFIXLEN4, netns.HOST4)
ECHO_PORT = 7


def test_selftest_sock(kernel):
    code, out = boot("sock-selftest", append="exit=ready selftest=sock", timeout=240)
    assert code == EXIT_OK, out
    assert "Kernel panic" not in out and "EXCEPTION" not in out, out
    assert "selftest sock: passed" in out, out
    m = re.search(r"sock: test: rcvbuf 8192, 50 datagrams: (\d+) read, (\d+) dropped", out)
    assert m and int(m.group(1)) + int(m.group(2)) == 50 and int(m.group(2)) > 0, out
    # a datagram's send buffer comes back to a free list at its last free
    # and the next send takes it from there (net/socket/sock_udp.c)
    m = re.search(r"sock: test: 50 sends, (\d+) from the send-buffer cache", out)
    assert m and int(m.group(1)) >= 49, out
    assert "sock: test: backlog 0, 3 connections: 1 queued, 2 refused" in out, out
    assert "sock: test: 1024 sockets open at the limit (SOCK_MAX 1024), then ENFILE" in out, out
    m = re.search(r"sock: test: peer not reading: (\d+) bytes taken, then a send returned (-?\d+) "
                  r"after (\d+) ms", out)
    assert m and int(m.group(1)) > 0 and m.group(2) == "-11" and int(m.group(3)) >= 180, out
    m = re.search(r"sock: test: kmalloc objects \(less the skb caches\) (\d+) before, (\d+) after; "
                  r"sockets 0 before, 0 after", out)
    assert m and m.group(1) == m.group(2), out
    # a datagram socket read on CPU 0 without the core lock while CPU 1's
    # NET_RX queues to it (rx_lock): every datagram read in order or
    # dropped and counted, the queue's counts back to zero; the selftest
    # checks it, this that it ran on two CPUs
    if DEFAULT_SMP >= 2:
        m = re.search(r"sock: test: cross-CPU: 20000 datagrams queued on CPU 1, (\d+) read on "
                      r"CPU 0 \((\d+) blocking reads, (\d+) peeks\), (\d+) dropped", out)
        assert m and int(m.group(1)) + int(m.group(4)) == 20000 and int(m.group(1)) > 0, out


class Net:
    """A guest on e1000 in the test namespace, reachable (a UDP echo came back)."""

    def __init__(self, testnet, name):
        self.net = testnet
        self.g = testnet.guest(name, nic="e1000", append=APPEND)
        self.g.wait_for(r"barenet: ready in", timeout=90)
        self.g.wait_prompt(30)
        deadline = time.monotonic() + 30
        with self.net.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(0.5)
            while True:
                assert time.monotonic() < deadline, self.g.output[-3000:]
                u.sendto(b"probe", (GUEST, ECHO_PORT))
                try:
                    if u.recvfrom(2048)[0] == b"probe":
                        break
                except socket.timeout:
                    pass

    def snmp(self, proto):
        out = self.g.shell("cat /proc/net/snmp")
        lines = [l for l in out.splitlines() if l.startswith(proto + ":")]
        names, vals = lines[0].split()[1:], lines[1].split()[1:]
        return dict(zip(names, map(int, vals)))

    def sock_metrics(self):
        out = self.g.shell("cat /proc/barenet/metrics | grep barenet_sock")
        return {k: int(v) for k, v in re.findall(r"^barenet_(sock\w+) (\d+)$", out, re.M)}

    def ss_matches_host(self, port):
        """The guest's `ss -tuan` has the header and, for the sockets with
        port at either end, the rows the host's iproute2 ss prints when it
        reads the guest's /proc/net/{tcp,tcp6,udp,udp6} (ss reads the files
        named by PROC_NET_TCP... instead of asking the kernel by netlink).
        One difference is Linux's too: a listener's Send-Q is its backlog
        in ss (netlink's inet_diag) and its /proc tx_queue is 0
        (get_tcp4_sock).  The rows compared, the guest's."""
        names = ("tcp", "tcp6", "udp", "udp6")
        for _ in range(3):      # a frame between the commands changes a queue: again
            ours = without_klog(self.g.shell("ss -tuan"))
            files = {n: without_klog(self.g.shell("cat /proc/net/" + n)) for n in names}
            if without_klog(self.g.shell("ss -tuan")) == ours:
                break
        env = dict(os.environ)
        with tempfile.TemporaryDirectory() as d:
            for n, text in files.items():
                env["PROC_NET_" + n.upper()] = os.path.join(d, n)
                with open(env["PROC_NET_" + n.upper()], "w") as fh:
                    fh.write(text)
            r = subprocess.run(["ss", "-tuan"], env=env, capture_output=True, text=True, timeout=20)
        assert r.returncode == 0, r.stderr

        def rows(text):
            lines = text.splitlines()
            mine = [l.split() for l in lines[1:] if l.strip()]
            mine = [f for f in mine if str(port) in (f[4].rsplit(":", 1)[1], f[5].rsplit(":", 1)[1])]
            return "".join(lines[0].split()), sorted(mine)

        (head, got), (host_head, want) = rows(ours), rows(r.stdout)
        assert head == host_head, (ours, r.stdout)
        assert got and len(got) == len(want), (ours, r.stdout)
        for g, h in zip(got, want):
            if g[1] == "LISTEN":
                assert h[3] == "0" and int(g[3]) > 0, (g, h)
                g, h = g[:3] + g[4:], h[:3] + h[4:]
            assert g == h, (ours, r.stdout)
        return got

    def proc_line(self, path, port):
        out = self.g.shell("cat " + path)
        for l in out.splitlines()[1:]:
            f = l.split()
            if f and f[1].endswith(":%04X" % port):
                return f
        raise AssertionError("port %d not in %s:\n%s" % (port, path, out))


@pytest.fixture
def guest(testnet, kernel, request):
    return Net(testnet, "sock-" + request.node.name)


def read_all(csv):
    """The records of `trace csv`'s lines, as {column: text}."""
    head = csv[0].split(",")
    return [dict(zip(head, l.split(","))) for l in csv[1:]]


def test_seed_udp_server(guest):
    g = guest.g
    g.shell("trace sample 1")
    g.shell("socktest udpecho 8888")
    g.wait_for(r"socktest: udpecho on port 8888 \(inode \d+\)")
    met0 = guest.sock_metrics()
    with guest.net.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(2)
        for i in range(5):
            msg = b"hello %d" % i
            u.sendto(msg, (GUEST, 8888))
            assert u.recvfrom(2048)[0] == msg
    g.wait_for(r"Receive from client:hello 4")
    # one at a time: each datagram's queue entry is the one the datagram
    # before it gave back when it was read (sk_rx_cache), not a kmalloc
    met1 = guest.sock_metrics()
    hits = met1["sock_rx_entry_cache_hits_total"] - met0["sock_rx_entry_cache_hits_total"]
    assert hits >= 4, (met0, met1)
    # the journey's last two stages: queued to the socket, read by the
    # application (each the time since the stage before it)
    rows = {l.split()[0]: l.split()[1:] for l in g.shell("trace").splitlines()[3:]}
    assert int(rows["rx_sockq"][0]) >= 5 and int(rows["rx_read"][0]) >= 5, rows
    csv = g.shell("trace csv").splitlines()
    read = [r for r in read_all(csv) if r.get("rx_read", "0") not in ("", "0")]
    assert len(read) >= 5, csv
    assert all(0 < int(r["rx_l4"]) <= int(r["rx_sockq"]) <= int(r["rx_read"]) for r in read), read
    # the replies' side: a socket send starts a record (tx_app) and the
    # thread's tail write, deferred past the send (net/core/xmit.h), stamps
    # tx_tail where the tail is written (both missing before)
    sent = [r for r in read_all(csv) if r.get("kind") == "tx" and r.get("tx_app")]
    assert len(sent) >= 5, csv
    assert all(r.get("tx_tail") and int(r["tx_app"]) <= int(r["tx_xmit"]) <= int(r["tx_tail"])
               for r in sent), sent
    g.shell("trace sample 0")
    g.shell("socktest stop")
    g.wait_for(r"socktest: udpecho done: ok")


def test_udp_slow_reader_drops_counted(guest):
    g = guest.g
    n, port = 2000, 9100
    # what the test reads below, once first: a view's or a command's first
    # use may keep memory for good (the baseline is taken after them)
    for cmd in ("cat /proc/net/udp", "ss -uan"):
        g.shell(cmd)
    guest.net.run(["ping", "-q", "-c", "2", "-i", "0.2", "-W", "5", GUEST], timeout=20)
    before = guest.snmp("Udp")
    met0 = guest.sock_metrics()
    # the reader sleeps until `socktest go` (at most 120 s)
    g.shell("socktest udpslow %d 4096 120000" % port)
    m0 = g.wait_for(r"socktest: udpslow on port %d \(inode (\d+)\)" % port)
    ino = int(m0.group(1))
    f = guest.proc_line("/proc/net/udp", port)
    assert int(f[9]) == ino and f[12] == "0", f
    ping = guest.net.popen(["ping", "-q", "-c", "20", "-i", "0.2", "-W", "5", GUEST])
    with guest.net.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        t0 = time.monotonic()
        for i in range(n):
            u.sendto(b"%05d" % i + b"x" * 195, (GUEST, port))
            # 500 a second: well inside what the NIC takes (the drops
            # counted must be the socket's)
            lag = t0 + (i + 1) / 500.0 - time.monotonic()
            if lag > 0:
                time.sleep(lag)
    pout, _ = ping.communicate(timeout=60)
    assert re.search(r"20 packets transmitted, 20 received", pout), pout
    # while the reader sleeps: the queue is full, the drops show
    f = guest.proc_line("/proc/net/udp", port)
    rx_queue, drops_now = int(f[4].split(":")[1], 16), int(f[12])
    assert rx_queue > 0 and drops_now > 0, f
    # the queue is full: past its 8192 by at most one datagram's truesize
    # (a 2 KiB DMA buffer's at most)
    assert 8192 < rx_queue <= 8192 + 2304, f
    mid = guest.snmp("Udp")
    # nothing read yet: Udp InDatagrams has not moved (Linux counts a
    # datagram when the application reads it), the drops are counted
    assert mid["InDatagrams"] == before["InDatagrams"], (before, mid)
    assert mid["RcvbufErrors"] - before["RcvbufErrors"] == drops_now, (before, mid, drops_now)
    # ss shows the same queue as the host's ss reading /proc/net/udp
    (row,) = guest.ss_matches_host(port)
    assert row[:4] == ["udp", "UNCONN", str(rx_queue), "0"], row
    g.shell("socktest go")
    m = g.wait_for(r"socktest: udpslow read=(\d+) drops=(\d+)\r?\n", timeout=60)
    got, drops = int(m.group(1)), int(m.group(2))
    assert got + drops == n and drops > 0 and drops == drops_now, (got, drops, drops_now)
    # rx_queue was the truesize charged, more than the payload it held
    assert rx_queue > got * 200, (rx_queue, got)
    after = guest.snmp("Udp")
    assert after["RcvbufErrors"] - before["RcvbufErrors"] == drops, (before, after)
    assert after["InErrors"] - before["InErrors"] == drops, (before, after)
    # InDatagrams: when read (the probe echoes before are not in the window)
    assert after["InDatagrams"] - before["InDatagrams"] == got, (before, after)
    ns = g.shell("netstat -s")
    assert "\n    %d receive buffer errors\n" % after["RcvbufErrors"] in ns, ns
    assert "\n    %d packets received\n" % after["InDatagrams"] in ns, ns
    f = guest.proc_line("/proc/net/udp", port)
    assert f[4] == "00000000:00000000" and int(f[12]) == drops, f
    # zero copy until the queue holds half its buffer (8192 / 2: two of the
    # NIC's 2 KiB buffers), copied out of the DMA buffer after that: the
    # sleeping reader pinned at most two of the ring's buffers
    met1 = guest.sock_metrics()
    dma = met1["sock_rx_dma_queued_total"] - met0["sock_rx_dma_queued_total"]
    copied = met1["sock_rx_copied_total"] - met0["sock_rx_copied_total"]
    assert 1 <= dma <= 2 and dma + copied == got, (met0, met1, got)
    # a datagram read gives its queue entry back for the next one to use
    # (sk_rx_cache) instead of to kmalloc
    assert met1["sock_rx_entry_cache_entries"] >= min(got, 256), (met0, met1, got)
    ss = g.shell("ss -uan")
    assert ss.splitlines()[0].split() == ["Netid", "State", "Recv-Q", "Send-Q", "Local", "Address:Port",
                                          "Peer", "Address:Port", "Process"], ss
    assert re.search(r"^udp +UNCONN +0 +0 +0\.0\.0\.0:%d +0\.0\.0\.0:\*" % port, ss, re.M), ss
    g.shell("socktest stop")
    m = g.wait_for(r"socktest: udpslow done: ok; kmalloc objects \(less the skb caches\) (\d+) at start, (\d+) at the end")
    assert m.group(1) == m.group(2), m.group(0)
    assert str(port) not in g.shell("ss -uan")


def test_tcp_stalled_reader_closes_window_loses_nothing(guest):
    g = guest.g
    port, total = 9300, 1 << 20
    g.shell("socktest tcpslow %d 5000" % port)
    g.wait_for(r"socktest: tcpslow on port %d" % port)
    data = bytes((i * 7 + (i >> 8)) & 0xff for i in range(total))
    err = []

    def send():
        try:
            with guest.net.socket() as c:
                c.settimeout(60)
                c.connect((GUEST, port))
                c.sendall(data)
        except OSError as e:
            err.append(e)

    t = threading.Thread(target=send)
    t.start()
    m = g.wait_for(r"socktest: tcpslow pausing after (\d+) bytes", timeout=60)
    # the stalled reader: the window is closed, the bytes wait in its queue
    m = g.wait_for(r"socktest: tcpslow paused rx_queue=(\d+) rcv_wnd=(\d+)", timeout=60)
    rxq, wnd = int(m.group(1)), int(m.group(2))
    assert wnd == 0 and rxq > 0, m.group(0)
    m = g.wait_for(r"socktest: tcpslow bytes=(\d+) sum=(\d+) end=(-?\d+)", timeout=120)
    t.join(60)
    assert not err, err
    assert int(m.group(1)) == total and int(m.group(2)) == sum(data) & 0xffffffff, m.group(0)
    assert m.group(3) == "0", m.group(0)
    g.shell("socktest stop")
    g.wait_for(r"socktest: tcpslow done: ok")


def test_tcp_echo_and_views(guest):
    g = guest.g
    port = 9400
    g.shell("socktest tcpecho %d" % port)
    m = g.wait_for(r"socktest: tcpecho on port %d \(inode (\d+)\)" % port)
    ino = int(m.group(1))
    f = guest.proc_line("/proc/net/tcp", port)
    # a listener's tx_queue is 0, as Linux's (ss shows its backlog)
    assert f[3] == "0A" and int(f[9]) == ino and f[4] == "00000000:00000000", f
    ss = g.shell("ss -tln")
    assert re.search(r"^tcp +LISTEN +0 +16 +0\.0\.0\.0:%d +0\.0\.0\.0:\*" % port, ss, re.M), ss
    payload = bytes(range(256)) * 400
    with guest.net.socket() as c:
        c.settimeout(20)
        c.connect((GUEST, port))
        # the listener and the connection, in ss and in /proc/net/tcp
        want = [["tcp", "ESTAB", "0", "0"], ["tcp", "LISTEN", "0", "16"]]
        deadline = time.monotonic() + 10
        while True:             # until the thread has accepted it
            rows = [r[:4] for r in guest.ss_matches_host(port)]
            if rows == want or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert rows == want, rows
        c.sendall(payload)
        c.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            b = c.recv(65536)
            if not b:
                break
            got += b
    assert got == payload
    g.wait_for(r"socktest: tcpecho connection done: %d bytes, last 0" % len(payload))
    # a closed port: the peer is refused (RST)
    with guest.net.socket() as c:
        c.settimeout(5)
        with pytest.raises(ConnectionRefusedError):
            c.connect((GUEST, port + 1))
    g.shell("socktest stop")
    g.wait_for(r"socktest: tcpecho done: ok")


def test_rmem_wmem_sysctls(guest):
    g = guest.g
    for name in ("rmem_default", "rmem_max", "wmem_default", "wmem_max"):
        assert g.shell("cat /proc/sys/net/core/" + name).strip() == "212992"
    assert g.shell("sysctl -w net.core.rmem_max=4194304").strip() == "net.core.rmem_max = 4194304"
    assert g.shell("cat /proc/sys/net/core/rmem_max").strip() == "4194304"
    out = g.shell("sysctl -w net.core.rmem_default=100")
    assert "212992" in g.shell("cat /proc/sys/net/core/rmem_default"), out
