"""Helpers shared by the observability tests (test_httpviews, test_capture,
test_journey_trace): a strict parser of the Prometheus text exposition
format, the kernel's httpget output, pcap dumps, whether a NIC driver is
linked (the host-forwarded variants need one), the kernel's reports of
interrupts no handler claimed (test_irq_claim, test_nic), and what the host
side of a test sends and reads on its sockets (ICMP echo over a raw socket,
an HTTP status line, UDP echo flows), and the per-CPU softnet counters."""
import base64
import math
import re
import socket
import struct
import time

from netparse import driver_linked, free_port, softnet_rows, without_klog  # noqa: F401 (re-exported)

MAC = "52:54:00:12:34:56"

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
LABELS = r"\{(?:%s=%s(?:,%s=%s)*,?)?\}" % (LABEL_NAME, LABEL_VALUE, LABEL_NAME, LABEL_VALUE)
VALUE = r"(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?Inf|NaN)"
SAMPLE_RE = re.compile(r"^(%s)(%s)? (%s)(?: -?\d+)?$" % (NAME, LABELS, VALUE))
HELP_RE = re.compile(r"^# HELP (%s) (.*)$" % NAME)
TYPE_RE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME)
PAIR_RE = re.compile(r'(%s)=(%s)' % (LABEL_NAME, LABEL_VALUE))


def parse_metrics(text):
    """Parse the exposition strictly; return {family: (type, help,
    [(labels dict, value)])}.  Raises AssertionError on any line that the
    format (version 0.0.4) does not allow, a family without HELP and TYPE
    before its samples, a family split in two, a sample whose name is not
    its family's, or a duplicate series."""
    assert text.endswith("\n"), "exposition must end with a newline"
    families = {}
    current = None
    seen = set()
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = "line %d: %r" % (n, line)
        assert line == line.strip() and line, where
        m = HELP_RE.match(line)
        if m:
            name = m.group(1)
            assert name not in families, "HELP twice / family split: " + where
            families[name] = [None, m.group(2), []]
            current = name
            continue
        m = TYPE_RE.match(line)
        if m:
            assert m.group(1) == current and families[current][0] is None, \
                "TYPE must follow its HELP, once: " + where
            families[current][0] = m.group(2)
            continue
        assert not line.startswith("#"), "unknown comment: " + where
        m = SAMPLE_RE.match(line)
        assert m, "not a sample line: " + where
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        assert name == current and families[current][0] in ("counter", "gauge"), \
            "sample outside its family: " + where
        pairs = PAIR_RE.findall(labels)
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), "label repeated: " + where
        series = (name, tuple(sorted(pairs)))
        assert series not in seen, "duplicate series: " + where
        seen.add(series)
        v = float(value)
        assert not math.isnan(v), where
        if families[current][0] == "counter":
            assert v >= 0, "negative counter: " + where
        families[current][2].append(({k: v[1:-1] for k, v in pairs}, v))
    for name, (typ, _, samples) in families.items():
        assert typ, "family without TYPE: " + name
    return {k: tuple(v) for k, v in families.items()}


def http_split(out):
    """The kernel's httpget output: (status code, headers dict, body)."""
    head, _, body = out.partition("\n\n")
    lines = head.split("\n")
    m = re.match(r"^HTTP/1\.0 (\d{3}) ", lines[0])
    assert m, out[:200]
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(": ")
        headers[k.lower()] = v
    return int(m.group(1)), headers, body


def pcap_from_dump(out):
    """The bytes of a `capture dump` (base64 between the markers)."""
    m = re.search(r"-----BEGIN PCAP-----\n(.*?)-----END PCAP-----", out, re.S)
    assert m, out[-300:]
    return base64.b64decode("".join(m.group(1).split()))


def recv_line(s, bufsize=4096):
    """Bytes from a stream socket until the first CRLF or the peer's close
    (all that arrived, which may run past the CRLF)."""
    data = b""
    while b"\r\n" not in data:
        chunk = s.recv(bufsize)
        if not chunk:
            break
        data += chunk
    return data


ICMP_ECHO_REPLY = 0
ICMP_ECHO = 8
ICMP_HDR = struct.Struct("!BBHHH")     # type, code, checksum, id, sequence (RFC 792)


def icmp_checksum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def icmp_echo_request(ident, seq, payload):
    """An ICMP echo request (header and payload) for a raw socket."""
    csum = icmp_checksum(ICMP_HDR.pack(ICMP_ECHO, 0, 0, ident, seq) + payload)
    return ICMP_HDR.pack(ICMP_ECHO, 0, csum, ident, seq) + payload


def icmp_echo_reply_id(packet):
    """The identifier of the echo reply in an IPv4 packet read from a raw
    ICMP socket, or None when it is something else."""
    ihl = (packet[0] & 0xf) * 4
    typ, _, _, ident, _ = ICMP_HDR.unpack(packet[ihl:ihl + ICMP_HDR.size])
    return ident if typ == ICMP_ECHO_REPLY else None


# kernel/irq.c, once per vector: every handler on it answered IRQ_NONE
UNCLAIMED_IRQ_RE = re.compile(r"irq: vector (0x[0-9a-f]+) \(([^)]*)\): no handler claimed "
                              r"the interrupt")
# a fault= list on the command line that turns something on (drivers/net/fault.h)
FAULT_ON_RE = re.compile(r"(?:^|\s)fault=(?!(?:off|0)(?:\s|$))\S")


def unclaimed_irqs(output):
    """[(vector, handler names)] of the kernel's "no handler claimed the
    interrupt" reports in a guest's output."""
    return [(m.group(1), m.group(2)) for m in UNCLAIMED_IRQ_RE.finditer(output)]


def faults_enabled(append):
    """True when the command line arms fault injection, which may raise
    interrupts with no cause on purpose (irq_spurious)."""
    return bool(FAULT_ON_RE.search(append))


def rx_pool_settled(read_stats, timeout):
    """read_stats() (a dict of ethtool -S counters) once no RX pool buffer
    is lent to the stack any more (rx_pool_lent 0: frames in TX rings, TCP
    queues and lwIP timers drain within seconds), or when timeout passed."""
    deadline = time.monotonic() + timeout
    while True:
        s = read_stats()
        if s["rx_pool_lent"] == 0 or time.monotonic() > deadline:
            return s
        time.sleep(0.5)


def quiet_shell(g, cmd, timeout=60):
    """g's shell output of cmd without the kernel's log lines, the newlines
    at both ends stripped (test_rss, test_rps, test_rfs, test_xps)."""
    return without_klog(g.shell(cmd, timeout=timeout)).strip("\n")


def softnet_stat(g, *cols):
    """g's /proc/net/softnet_stat, per CPU the tuple of the given columns
    (0 processed, 1 dropped, 9 received_rps; test_rps, test_rfs)."""
    rows = softnet_rows(quiet_shell(g, "cat /proc/net/softnet_stat"))
    return [tuple(c[i] for i in cols) for c in rows]


def udp_warm_up(net, src, dst, tries, wait, msg=b"warm"):
    """One UDP echo from src to dst ((address, port) each) before
    the test's traffic: lwIP queues one frame per unresolved neighbour
    (ARP_QUEUEING off), so a burst before the guest knows the host's MAC
    loses all but one reply; lwIP answers UDP once its timer saw the
    carrier.  Up to tries sends, wait seconds each; fails when no echo came
    back (test_xps, test_rfs)."""
    with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(src)
        s.settimeout(wait)
        for _ in range(tries):
            s.sendto(msg, dst)
            try:
                if s.recvfrom(256)[0] == msg:
                    return
            except socket.timeout:
                pass
    raise AssertionError("no UDP echo from %s:%d in %d tries" % (dst[0], dst[1], tries))


def udp_echo_flows(net, src, dst, nflows, n_each, base, tag, burst=False):
    """nflows UDP flows (source ports base, base + 1, ...) of n_each
    datagrams "<tag> <flow> <i>" each to the echo service at dst; each
    reply must be the datagram sent.  burst: each flow sends all its
    datagrams, then reads the replies, which must come back in the order
    sent (per-queue order); otherwise one at a time (test_rps, test_xps)."""
    for f in range(nflows):
        with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((src, base + f))
            s.settimeout(10)
            msgs = [b"%s %d %d" % (tag, f, i) for i in range(n_each)]
            if burst:
                for m in msgs:
                    s.sendto(m, dst)
                got = [s.recvfrom(256)[0] for _ in msgs]
                assert got == msgs, got
            else:
                for m in msgs:
                    s.sendto(m, dst)
                    assert s.recvfrom(256)[0] == m
