"""The remote shell (net/services/shell_srv.c) over QEMU's user network:
an e1000e with hostfwd from 127.0.0.1:<free port> to the guest's shell
port.  Nothing but loopback is addressed.

Off by default (the forward finds nothing listening: the connection ends
at once, without a byte); shell.tcp= without a good shell.token= is
refused at boot with a message and the port stays closed; with both, a
wrong token is refused, counted and logged (the third disconnects), the
right one gives a prompt where cat, sysctl -w (seen from the serial shell
afterwards), ping stopped by Ctrl-C, and exit work; a third session is
refused while two are open; the token never shows in the log or in
/proc/cmdline."""
import re
import socket
import time

import pytest

from harness import Guest
from netparse import driver_linked, free_port, parse_ps

SHELL_PORT = 2323
TOKEN = "s3cret-t0ken-42"
PROMPT = b"barenet# "
KLOG = re.compile(r"^\[ *\d+\.\d{6}\] ")

pytestmark = pytest.mark.skipif(not driver_linked(),
                                reason="no NIC driver linked into the kernel yet")


def boot(name, append):
    port = free_port()
    netdev = "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d" % (port, SHELL_PORT)
    g = Guest(name, append=append, nic="e1000e", netdev=netdev)
    g.port = port
    g.wait_for(r"net: eth0 10\.0\.2\.15/24 gw 10\.0\.2\.2 \(dhcp\)", timeout=60)
    g.wait_prompt(timeout=30)
    return g


def serial(g, cmd):
    """g.shell(cmd) without kernel log lines (the service logs sessions)."""
    return "".join(l for l in g.shell(cmd).splitlines(True) if not KLOG.match(l))


COUNTER = re.compile(r"^([a-z_]+) (\S+)$", re.M)


def counters(g):
    """/proc/barenet/remote_shell; a session's log line may cut into the
    echo of the command, so only "name value" lines count."""
    out = serial(g, "cat /proc/barenet/remote_shell")
    got = dict(COUNTER.findall(out))
    assert "refused" in got and "auth_failed" in got, out
    return got


def wait_logged(g, regex, n, start, timeout=10):
    """n kernel log lines matching regex since output position start."""
    deadline = time.monotonic() + timeout
    while len(re.findall(regex, g.output[start:])) < n:
        assert time.monotonic() < deadline, (regex, g.output[start:])
        g.watch(0.2)


class Remote:
    """One TCP client of the remote shell."""

    def __init__(self, port, timeout=20):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def read_until(self, marker, timeout=20):
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            assert time.monotonic() < deadline, "no %r in %r" % (marker, self.buf)
            chunk = self.s.recv(4096)
            assert chunk, "closed before %r; got %r" % (marker, self.buf)
            self.buf += chunk
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out.decode()

    def send(self, data):
        self.s.sendall(data.encode() if isinstance(data, str) else data)

    def cmd(self, line):
        """line's output, up to the next prompt."""
        self.send(line + "\n")
        return self.read_until(PROMPT)[:-len(PROMPT)]

    def login(self, token=TOKEN):
        self.read_until(b"token: ")
        self.send(token + "\n")
        return self.read_until(PROMPT)

    def closed(self, timeout=10):
        """True when the peer ends the connection within timeout (EOF or reset)."""
        self.s.settimeout(timeout)
        try:
            while True:
                chunk = self.s.recv(4096)
                if not chunk:
                    return True
                self.buf += chunk
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def silent(self, wait=0.1):
        """True when nothing arrives within wait (what does is kept in buf);
        the socket's timeout back to 20 s after."""
        self.s.settimeout(wait)
        try:
            chunk = self.s.recv(4096)
        except socket.timeout:
            return True
        finally:
            self.s.settimeout(20)
        self.buf += chunk
        return False

    def close(self):
        self.s.close()


def refused(port):
    """The forward reaches no listener: closed at once, not one byte."""
    try:
        r = Remote(port, timeout=10)
    except ConnectionRefusedError:
        return True
    try:
        return r.closed(10) and r.buf == b""
    finally:
        r.close()


def test_off_by_default(kernel):
    with boot("rshell-off", "") as g:
        assert refused(g.port)
        assert counters(g)["port"] == "0"
        assert "shell.tcp" not in g.output


@pytest.mark.parametrize("token,why", [("", "none given"), ("short", "the one given is too short")])
def test_no_good_token_refused_at_boot(kernel, token, why):
    append = "shell.tcp=%d" % SHELL_PORT + (" shell.token=" + token if token else "")
    with boot("rshell-notoken-%s" % (token or "none"), append) as g:
        assert re.search(r"shell\.tcp=%d refused: a remote shell needs shell\.token=<secret> "
                         r"of 8\.\.64 printable characters \(%s\); the remote shell stays off"
                         % (SHELL_PORT, why), g.output), g.output[-2000:]
        assert refused(g.port)
        assert serial(g, "echo alive") == "alive\n"     # the rest of the kernel runs


@pytest.fixture(scope="module")
def rguest(kernel):
    with boot("rshell", "shell.tcp=%d shell.token=%s" % (SHELL_PORT, TOKEN)) as g:
        g.wait_for(r"net: remote shell on tcp/%d" % SHELL_PORT, timeout=10)
        yield g


def test_token_hidden(rguest):
    assert TOKEN not in rguest.output
    assert "shell.token=" + "*" * len(TOKEN) in serial(rguest, "cat /proc/cmdline")


def test_wrong_token_refused_and_counted(rguest):
    before = int(counters(rguest)["auth_failed"])
    mark = len(rguest.output)
    r = Remote(rguest.port)
    try:
        r.read_until(b"token: ")
        for i, attempt in enumerate(("wrong", TOKEN + "x", TOKEN[:-1])):
            r.send(attempt + "\n")
            reply = r.read_until(b"\n")
            assert reply.startswith("wrong token"), reply
            if i < 2:
                r.read_until(b"token: ")
        assert r.closed(), r.buf            # the third wrong one disconnects
        assert PROMPT not in r.buf
    finally:
        r.close()
    wait_logged(rguest, r"shell\.tcp: \S+ closed", 1, mark)
    assert int(counters(rguest)["auth_failed"]) == before + 3
    assert len(re.findall(r"shell\.tcp: wrong token from 10\.0\.2\.2:\d+ \(\d of 3\)",
                          rguest.output)) >= 3


def test_session_runs_commands(rguest):
    g = rguest
    r = Remote(g.port)
    try:
        assert "type help" in r.login()
        dev = r.cmd("cat /proc/net/dev")
        assert re.search(r"^\s*eth0:\s*\d+\s+\d+", dev, re.M), dev
        mark = len(g.output)
        assert r.cmd("sysctl -w net.core.netdev_budget=100") == "net.core.netdev_budget = 100\n"
        assert r.cmd("sysctl -w net.core.netdev_budget=0").startswith("sysctl: setting key")
        assert r.cmd("echo $?") == "1\n"
        assert "Inter-|" not in g.output[mark:]   # output went to the client only
        assert serial(g, "sysctl net.core.netdev_budget") == "net.core.netdev_budget = 100\n"
        assert r.cmd("nosuchcmd") == "nosuchcmd: command not found (try help)\n"
        # more output than the session's ring holds (16 KiB): the command
        # waits for the client to read, nothing is lost
        big = r.cmd("cat /proc/barenet/metrics")
        assert len(big) > 16384 and big.endswith("\n"), len(big)
        assert len(re.findall(r"^barenet_\w+", big, re.M)) > 100
        assert counters(g)["output_dropped"] == "0"
        assert r.cmd("history") == "history: kept for the serial console only\n"
        # a long command: ping until Ctrl-C, with lwIP and the console alive
        r.send("ping -i 0.2 10.0.2.2\n")
        r.read_until(b"icmp_seq=2 ")
        r.send(b"\x03")
        out = r.read_until(PROMPT)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        assert m and int(m.group(2)) >= 2, out
        assert serial(g, "sysctl -w net.core.netdev_budget=300") == \
            "net.core.netdev_budget = 300\n"
        mark = len(g.output)
        r.send("exit\n")
        assert r.closed(), r.buf
    finally:
        r.close()
    wait_logged(g, r"shell\.tcp: \S+ closed", 1, mark)
    assert _sessions_drop(g)


def _sessions_drop(g, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if counters(g)["sessions"].startswith("0/"):
            return True
        time.sleep(0.2)
    return False


def test_sessions_limited(rguest):
    g = rguest
    before = int(counters(g)["refused"])
    mark = len(g.output)
    a, b = Remote(g.port), Remote(g.port)
    try:
        a.login()
        b.login()
        c = Remote(g.port)
        try:
            assert c.closed(), c.buf
            assert b"too many remote shell sessions" in c.buf
        finally:
            c.close()
        # both still work, each its own status
        assert a.cmd("nosuchcmd").endswith("command not found (try help)\n")
        assert b.cmd("echo $?") == "0\n"
        assert a.cmd("echo $?") == "127\n"
    finally:
        a.close()
        b.close()
    wait_logged(g, r"shell\.tcp: \S+ closed", 2, mark)
    assert int(counters(g)["refused"]) == before + 1
    assert _sessions_drop(g)
    # a slot is free again
    d = Remote(g.port)
    try:
        d.login()
        assert d.cmd("echo hi") == "hi\n"
    finally:
        d.close()
    # its slot is freed by its thread after the close (the next test needs both)
    assert _sessions_drop(g)


def test_two_sessions_run_long_commands_at_once(rguest):
    """Each session has its own thread ([shell/tcpN]): a sleep in session A
    (started first) does not hold up a ping in session B, which finishes
    while A still sleeps; the console answers meanwhile and its ps lists
    the session threads; then A finishes too.  With one process context
    (the idle loop running the sessions in turn) B's ping would start only
    after A's sleep."""
    g = rguest
    # both slots free: a session an earlier test closed is freed by its
    # thread a moment after the close, and a third is refused
    assert _sessions_drop(g)
    a, b = Remote(g.port), Remote(g.port)
    try:
        a.login()
        b.login()
        t0 = time.monotonic()
        a.send("sleep 6\n")
        time.sleep(0.5)
        out = b.cmd("ping -c 4 -i 0.5 10.0.2.2")
        m = re.search(r"4 packets transmitted, (\d+) received", out)
        assert m and int(m.group(1)) >= 1, out
        ps = serial(g, "ps aux")
        elapsed = time.monotonic() - t0
        # A has not answered yet: its sleep runs on
        assert a.silent(), a.buf
        assert elapsed < 5.5, elapsed
        names = [r["name"] for r in parse_ps(ps)]
        assert "shell/ttyS0" in names and "shell/tcp0" in names and "shell/tcp1" in names, ps
        assert a.read_until(PROMPT, timeout=30) == PROMPT.decode()
        assert time.monotonic() - t0 >= 6.0
        assert a.cmd("echo $?") == "0\n"
    finally:
        a.close()
        b.close()
    assert _sessions_drop(g)


def test_httpget_sleeps_beside_another_httpget(rguest):
    """httpget keeps its state per call and its thread sleeps on a wait
    queue while the exchange runs in softirqs: session A's request to
    127.0.0.2 (the loopback netif answers only 127.0.0.1: the SYN is
    dropped, no reply ever comes) waits out its -t 10 (room for a loaded
    host to run the console's request and ps first); meanwhile the
    console's own httpget gets its answer, ps shows A's thread sleeping
    (S), and A has not answered yet.  With one global request state behind
    a mutex the console's httpget waited for A's timeout; with a thread
    that ran softirqs and halted in a loop, ps showed it R.  Then two
    batches at once, one per session, both get all their answers."""
    g = rguest
    assert _sessions_drop(g)
    a = Remote(g.port)
    try:
        a.login()
        t0 = time.monotonic()
        a.send("httpget -t 10 -a 127.0.0.2 /\n")
        time.sleep(0.5)
        out = serial(g, "httpget /proc/version")
        assert out.startswith("HTTP/1.0 200"), out
        ps = serial(g, "ps aux")
        elapsed = time.monotonic() - t0
        assert a.silent(), a.buf
        assert elapsed < 9.5, elapsed
        stats = [r["stat"] for r in parse_ps(ps) if r["name"].startswith("shell/tcp")]
        assert stats and set(stats) == {"S"}, ps
        out = a.read_until(PROMPT, timeout=30)
        assert "httpget: Connection timed out" in out, out
        assert time.monotonic() - t0 >= 9.0   # waited out its -t 10 (guest and host clocks differ a little)
        assert a.cmd("echo $?") == "1\n"
        # two at once, one per session, each its own answers
        a.send("httpget -n 40 /proc/version\n")
        out = serial(g, "httpget -n 40 /proc/uptime")
        assert re.search(r"40 requests in \d+ ms: 40 2xx, 0 3xx, 0 4xx, 0 5xx, 0 failed", out), out
        out = a.read_until(PROMPT, timeout=60)
        assert re.search(r"40 requests in \d+ ms: 40 2xx, 0 3xx, 0 4xx, 0 5xx, 0 failed", out), out
    finally:
        a.close()
    assert _sessions_drop(g)
