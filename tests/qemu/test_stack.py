"""The lwIP stack without a NIC (selftest=stack): loopback ping, UDP and TCP
echo, discard and the HTTP status page from in-kernel clients, and the qdisc's
backpressure behind a fake device whose ring is full.  Every number is parsed
from the kernel's own report and checked against the others; the options
ip= and services= are validated at boot."""
import re

from harness import EXIT_FAIL, EXIT_OK, boot

# the self-test's parameters (net/lwip/selftest_stack.c) and lwipopts.h
PINGS = 10
UDP_ECHOES = 50
DISCARD_DGRAMS = 20
TCP_CONNS = 600
TCP6_CONNS = 20
MEMP_NUM_TCP_PCB = 256
DISCARD_BYTES = 64 * 1024
FAKE_QLEN = 64
FAKE_SENDS = 100
FAKE_SENDS2 = 40
FAKE_BUSY = 5


def grab(rx, out):
    m = re.search(rx, out)
    assert m, "no match for %r in:\n%s" % (rx, out[-4000:])
    return [int(g) for g in m.groups()]


def test_stack_selftest_over_loopback(kernel):
    code, out = boot("stack-selftest", append="exit=ready selftest=stack", timeout=120)
    assert "selftest stack: passed" in out, out[-4000:]
    assert code == EXIT_OK, out[-2000:]

    r4, n4, r6, n6 = grab(r"ping 127\.0\.0\.1 (\d+)/(\d+) replies, ping6 ::1 (\d+)/(\d+) replies",
                          out)
    assert (r4, n4, r6, n6) == (PINGS, PINGS, PINGS, PINGS)

    sent, echoed, matched, disc, disc_sent, svc = grab(
        r"udp echo (\d+) sent, (\d+) echoed, (\d+) matched; discard (\d+) datagrams counted "
        r"of (\d+) sent; echo service counted (\d+)", out)
    assert sent == echoed == matched == svc == UDP_ECHOES
    assert disc == disc_sent == DISCARD_DGRAMS

    c4, ok4, f4, c6, ok6, f6, acc = grab(
        r"tcp echo (\d+) connections to 127\.0\.0\.1: (\d+) echoed, (\d+) failed; (\d+) to ::1: "
        r"(\d+) echoed, (\d+) failed; server accepted (\d+)", out)
    assert (c4, ok4, f4) == (TCP_CONNS, TCP_CONNS, 0)
    assert (c6, ok6, f6) == (TCP6_CONNS, TCP6_CONNS, 0)
    assert acc == TCP_CONNS + TCP6_CONNS

    # more connections than PCBs: the pool never grows past its size, and
    # the oldest TIME_WAIT PCBs were recycled for new connections
    used, pmax, avail, tw0, tw1, closes, recycled = grab(
        r"tcp pcbs used (\d+) max (\d+) of (\d+); TIME_WAIT (\d+) before, (\d+) after (\d+) "
        r"client closes: (\d+) recycled", out)
    assert avail == MEMP_NUM_TCP_PCB and pmax <= avail and used <= avail
    assert closes == TCP_CONNS + TCP6_CONNS
    assert recycled == tw0 + closes - tw1 and recycled >= closes - MEMP_NUM_TCP_PCB

    dsent, dcount = grab(r"discard tcp (\d+) bytes sent, (\d+) counted by the service", out)
    assert dsent == dcount == DISCARD_BYTES

    code200, len200, code404, len404 = grab(
        r"http GET /status (\d+) \((\d+) bytes\), GET /nope (\d+) \((\d+) bytes\)", out)
    assert code200 == 200 and code404 == 404 and len200 > len404 > 0
    page = "\n".join(re.findall(r"^\[[ 0-9.]+\] \| ?(.*)$", out, re.M))
    assert re.search(r"^uptime: \d+\.\d{3} s$", page, re.M), page
    assert "inet 127.0.0.1 netmask 255.0.0.0" in page and "inet6 ::1" in page
    # the page's counters agree with the self-test's
    echo = grab(r"echo: tcp (\d+) accepted (\d+) closed (\d+) aborted, (\d+) bytes in (\d+) out; "
                r"udp (\d+) datagrams", page)
    assert echo[0] == echo[1] == TCP_CONNS + TCP6_CONNS and echo[2] == 0
    assert echo[3] == echo[4] > 0 and echo[5] == UDP_ECHOES
    tcp = grab(r"(?m)^tcp: xmit (\d+) recv (\d+) fw \d+ drop (\d+) chkerr (\d+)", page)
    assert tcp[0] == tcp[1] > 0 and tcp[2] == 0 and tcp[3] == 0   # loopback: nothing lost

    # qdisc backpressure: the ring is full, the qdisc takes txqueuelen
    # frames, then lwIP gets ERR_MEM; nothing accepted is lost
    fsent, fok, fmem, fother, backlog, limit, busy1 = grab(
        r"qdisc full ring: (\d+) sent, (\d+) ERR_OK, (\d+) ERR_MEM, (\d+) other; backlog (\d+) "
        r"of limit (\d+), (\d+) busy answers", out)
    assert (fsent, fok, fmem, fother) == (FAKE_SENDS, FAKE_QLEN, FAKE_SENDS - FAKE_QLEN, 0)
    assert backlog == limit == FAKE_QLEN and busy1 == FAKE_QLEN
    delivered, ooo, frames, busy = grab(
        r"qdisc drained: (\d+) test frames delivered \((\d+) out of order\), (\d+) frames in all; "
        r"busy answers (\d+)", out)
    assert delivered == fok + FAKE_SENDS2 and ooo == 0
    assert busy == busy1 + FAKE_BUSY
    enq, pkts, drops, requeues, qbusy, txd, qbl, qmax, gtx, gfull = grab(
        r"qdisc counters: enqueued (\d+) packets (\d+) drops (\d+) requeues (\d+) busy (\d+) "
        r"tx_dropped (\d+) backlog (\d+) max (\d+); glue tx (\d+) qdisc-full (\d+)", out)
    assert pkts == frames and enq == pkts + qbl and qbl == 0
    assert drops == txd == gfull == fmem
    assert requeues == qbusy == busy
    assert qmax == FAKE_QLEN and gtx == enq
    # the fake interface's address was reported
    assert re.search(r"net: fake0 10\.99\.0\.1/24 gw none \(static\)", out)


def test_services_start_by_default(kernel):
    code, out = boot("stack-services", append="exit=ready", timeout=30)
    assert code == EXIT_OK, out
    for line in ("echo tcp+udp/7", "discard tcp+udp/9", "http tcp/80", "iperf tcp/5001"):
        assert "net: service " + line in out, out
    assert "lwip: 2.2.1 initialised" in out


def test_services_option_selects_and_is_validated(kernel):
    code, out = boot("stack-services-some", append="exit=ready services=http,echo", timeout=30)
    assert code == EXIT_OK, out
    started = re.findall(r"net: service (\w+)", out)
    assert started == ["echo", "http"], out
    code, out = boot("stack-services-none", append="exit=ready services=none", timeout=30)
    assert code == EXIT_OK and "net: no services (services=none)" in out
    assert not re.search(r"net: service ", out)
    for bad in ("echo,echo", "echo,", "ftp", ""):
        code, out = boot("stack-services-bad", append="exit=ready services=" + bad, timeout=30)
        assert code == EXIT_OK, out
        assert "cmdline: bad value '%s' for 'services'" % bad in out, out
    # the self-test refuses to run without the services it talks to
    code, out = boot("stack-selftest-noservices", timeout=30,
                     append="exit=ready services=iperf selftest=stack")
    assert "selftest stack: needs services echo, discard and http" in out
    assert code == EXIT_FAIL, out


def test_ip_option_is_validated(kernel):
    cases = {
        "10.0.2.256/24": "four numbers 0..255",
        "10.0.2.15": "needs a prefix length",
        "10.0.2.15/40": "from 1 to 32",
        "10.0.2.15/24,10.0.3.1": "not inside the address's prefix",
        "127.0.0.1/8": "loopback",
        "10.0.2.255/24": "network or broadcast",
    }
    for value, reason in cases.items():
        code, out = boot("stack-ip-bad", append="exit=ready ip=" + value, timeout=30)
        assert code == EXIT_OK, out
        assert re.search(r"net: ip=%s: .*%s" % (re.escape(value), re.escape(reason)), out), out
        assert "cmdline: bad value '%s' for 'ip'" % value in out, out
    # good values are accepted silently (no device yet: not applied)
    for value in ("dhcp", "off", "10.0.2.15/24,10.0.2.2", "192.168.7.9/16"):
        code, out = boot("stack-ip-good", append="exit=ready ip=" + value, timeout=30)
        assert code == EXIT_OK and "bad value" not in out, out
