"""A guest on QEMU's -netdev dgram (UDP on 127.0.0.1) driven by bn-inject
(tools/inject/), and the guest's counters read through its shell, with the
receive-path accounting the injector tests check (test_inject.py,
test_stress.py).

The link carries only what the injector sends and what the guest answers:
no other host, no DHCP (ip=10.0.2.15/24,10.0.2.2), so every counter delta
is the injector's doing.  The injector plays 10.0.2.2 with MAC
02:00:00:00:00:02 and answers the guest's ARP requests."""
import json
import os
import re
import socket
import subprocess
import time

import harness
from netparse import free_port, parse_snmp

INJECT = os.path.join(harness.BUILD, "tools", "bn-inject")
GUEST_IP = "10.0.2.15"
MAC = harness.DEFAULT_MAC
# The error rate limits (ICMP/ICMPv6 errors, RSTs for no connection:
# net/lwip/icmp_limit.c) off: every kind below must move its counters once
# per frame, and the injector plays one host (tests/qemu/test_hostile.py
# tests the limits)
NO_RATELIMITS = ("net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 "
                 "net.ipv4.icmp_msgs_per_sec=1000000000 net.ipv4.icmp_msgs_burst=1000000000")
APPEND = "ip=%s/24,10.0.2.2 %s" % (GUEST_IP, NO_RATELIMITS)
REASS_QUIET_S = 25          # lwIP's IP_REASS_MAXAGE is 15 s, its timer runs each second
TAKEN_S = 10                # an injection's frames all taken by the guest (taken())

# What one frame of each category does to the guest's counters, as lwIP
# 2.2.1 and the glue handle it (read from the source, confirmed by
# test_inject.py::test_each_malformed_kind):
#   runt, trunc-ip, bad-len  ip4_input: the header or total length do not fit
#                            the frame -> ip.lenerr, Ip InDiscards (Linux
#                            would say InTruncatedPkts / InHdrErrors)
#   trunc-udp / trunc-tcp    delivered by IP, then udp.lenerr (Udp InErrors) /
#                            tcp.lenerr (Tcp InErrs)
#   bad-*-csum               Ip InHdrErrors + IpExt InCsumErrors, Udp InErrors
#                            + InCsumErrors, Tcp InErrs + InCsumErrors
#   ip-options               accepted (IP_OPTIONS_ALLOWED), options ignored:
#                            delivered and echoed
#   tcp-flags                no PCB on the closed port: tcp.proterr, and a
#                            RST back (Tcp OutRsts) for each (none has RST set)
#   frag-*                   see FRAG_KINDS
#   arp-flood                etharp.recv; not for us: no reply, no entry
#   ndp-flood                icmp6/nd6 recv and a neighbour advertisement back
#   ethertype                no protocol: the glue drops it, rx_nohandler and
#                            skb drop reason UNHANDLED_PROTO
#   oversize                 the NIC refuses it (no long packet enable): ROC,
#                            ethtool's rx_long_length_errors; never received
#   arp-self                 the injector's own ARP request/replies
IP_IN = {"eth.rx_packets": 1, "softnet.processed": 1, "Ip.InReceives": 1}
EXPECT = {
    "udp-echo": dict(IP_IN, **{"Ip.InDelivers": 1, "Udp.InDatagrams": 1, "Udp.OutDatagrams": 1,
                               "rx.udp-echo": 1}),
    "udp-discard": dict(IP_IN, **{"Ip.InDelivers": 1, "Udp.InDatagrams": 1}),
    "icmp-echo": dict(IP_IN, **{"Ip.InDelivers": 1, "Icmp.InEchos": 1, "Icmp.OutEchoReps": 1,
                                "rx.icmp-echo-reply": 1}),
    "runt": dict(IP_IN, **{"Ip.InDiscards": 1, "IpExt.InTruncatedPkts": 1, "lwip.ip.lenerr": 1}),
    "trunc-ip": dict(IP_IN, **{"Ip.InDiscards": 1, "IpExt.InTruncatedPkts": 1, "lwip.ip.lenerr": 1}),
    "bad-len": dict(IP_IN, **{"Ip.InDiscards": 1, "IpExt.InTruncatedPkts": 1, "lwip.ip.lenerr": 1}),
    "trunc-udp": dict(IP_IN, **{"Ip.InDelivers": 1, "Udp.InErrors": 1, "lwip.udp.lenerr": 1}),
    "trunc-tcp": dict(IP_IN, **{"Ip.InDelivers": 1, "Tcp.InSegs": 1, "Tcp.InErrs": 1,
                                "lwip.tcp.lenerr": 1}),
    "bad-ip-csum": dict(IP_IN, **{"Ip.InHdrErrors": 1, "IpExt.InCsumErrors": 1}),
    "bad-udp-csum": dict(IP_IN, **{"Ip.InDelivers": 1, "Udp.InErrors": 1, "Udp.InCsumErrors": 1}),
    "bad-tcp-csum": dict(IP_IN, **{"Ip.InDelivers": 1, "Tcp.InSegs": 1, "Tcp.InErrs": 1,
                                   "Tcp.InCsumErrors": 1}),
    "ip-options": dict(IP_IN, **{"Ip.InDelivers": 1, "Udp.InDatagrams": 1, "Udp.OutDatagrams": 1,
                                 "rx.udp-echo": 1}),
    "tcp-flags": dict(IP_IN, **{"Ip.InDelivers": 1, "Tcp.InSegs": 1, "Tcp.OutRsts": 1,
                                "lwip.tcp.proterr": 1, "rx.tcp-rst": 1}),
    "frag-overlap": dict(IP_IN, **{"Ip.ReasmReqds": 1}),
    "frag-endless": dict(IP_IN, **{"Ip.ReasmReqds": 1}),
    "arp-flood": {"eth.rx_packets": 1, "softnet.processed": 1, "lwip.etharp.recv": 1},
    "ndp-flood": {"eth.rx_packets": 1, "softnet.processed": 1, "lwip.icmp6.recv": 1,
                  "rx.ndp-na": 1},
    "ethertype": {"eth.rx_packets": 1, "softnet.processed": 1, "eth.rx_nohandler": 1,
                  "skb.UNHANDLED_PROTO": 1},
    "oversize": {"eth.rx_long_length_errors": 1},
    "arp-self": {"eth.rx_packets": 1, "softnet.processed": 1, "lwip.etharp.recv": 1},
}
# Fragments never complete here: each datagram lwIP holds has one fragment
# (a frag-overlap's second one overlaps the first and is dropped), so once
# the reassembly timer has run out every fragment is either dropped at once
# (lwIP's ip_frag.drop: overlap, no room) or freed with its datagram (Ip
# ReasmFails, an ICMP time exceeded when it was a first fragment).
FRAG_KINDS = ("frag-overlap", "frag-endless")
MALFORMED = [k for k in EXPECT if k not in ("udp-echo", "udp-discard", "icmp-echo", "arp-self")]
# every counter EXPECT names, plus the drops no category should cause
WATCH = sorted({k for e in EXPECT.values() for k in e} |
               {"Ip.InUnknownProtos", "Ip.InAddrErrors", "Ip.ReasmOKs", "Udp.NoPorts",
                "eth.rx_missed_errors", "eth.rx_no_buffer_count", "softnet.dropped",
                "skb.CPU_BACKLOG", "skb.NOMEM", "lwip.etharp.proterr"})

METRIC = re.compile(r'^barenet_(\w+?)(?:_total)?(?:\{(\w+)="([^"]*)"(?:,\w+="[^"]*")*\})? (\S+)$')


def reassembling(g):
    """How many IP datagrams lwIP holds fragments of (its REASSDATA pool in
    use), from one read of /proc/barenet/metrics."""
    m = re.search(r'^barenet_lwip_memp_used\{pool="REASSDATA"\} (\d+)$',
                  g.view("cat /proc/barenet/metrics | grep REASSDATA"), re.M)
    assert m, g.output[-2000:]
    return int(m.group(1))


def wait_unfragmented(g, timeout=REASS_QUIET_S):
    """Wait until lwIP holds no IP fragments (its reassembly timer has run
    out for everything sent), reading the REASSDATA pool alone; a guest still
    holding some after timeout seconds fails the test."""
    deadline = time.monotonic() + timeout
    while reassembling(g):
        assert time.monotonic() < deadline, \
            "lwIP still holds IP fragments after %d s:\n%s" % (timeout, g.output[-2000:])
        time.sleep(1)


def counters(g):
    """The guest's counters, flat: 'Ip.InReceives' (/proc/net/snmp and
    netstat), 'eth.<ethtool -S name>', 'lwip.<proto>.<field>', 'memp.<pool>',
    'skb.<drop reason>', 'skb.in_use', 'softnet.<field>', 'heap.used',
    'kmalloc.live', 'dma.outstanding' (from /proc/barenet/metrics)."""
    c = {}
    for view in ("/proc/net/snmp", "/proc/net/netstat"):
        for sect, vals in parse_snmp(g.view("cat " + view)).items():
            c.update({"%s.%s" % (sect, k): v for k, v in vals.items()})
    for line in g.view("ethtool -S eth0").splitlines()[1:]:
        k, _, v = line.partition(":")
        c["eth." + k.strip()] = int(v)
    c["lo.rx_packets"] = int(g.view("cat /sys/class/net/lo/statistics/rx_packets"))
    for word in ("lwip_", "skb_", "softnet_", "kmalloc_live", "dma_outstanding"):
        for line in g.view("cat /proc/barenet/metrics | grep " + word).splitlines():
            m = METRIC.match(line)
            if not m:
                continue
            name, label, value = m.group(1), m.group(3), float(m.group(4))
            v = int(value)
            if name.startswith("lwip_memp_used"):
                c["memp." + label] = v
            elif name.startswith("lwip_heap_used"):
                c["heap.used"] = v
            elif name.startswith("lwip_") and label and not name.startswith("lwip_memp"):
                c["lwip.%s.%s" % (label, name[len("lwip_"):])] = v
            elif name == "skb_drops":
                c["skb." + label] = v
            elif name.startswith("softnet_"):
                # one per CPU: summed (NET_RX runs where the interrupt went)
                key = "softnet." + name[len("softnet_"):]
                c[key] = c.get(key, 0) + v
            elif name.startswith("kmalloc_live"):
                c["kmalloc.live"] = v
            elif name == "skb_in_use":
                c["skb.in_use"] = v
            elif name == "skb_cached":
                c["skb.cached"] = v
            elif name.startswith("dma_outstanding"):
                c["dma.outstanding"] = v
    return c


def delta(a, b):
    return {k: b.get(k, 0) - a.get(k, 0) for k in set(a) | set(b)}


def taken(g, before, sent_total, timeout=TAKEN_S):
    """The guest's counters once it has taken every frame of an injection
    of sent_total frames (bn-inject's summary) since the counters before:
    the NIC accounts for each (received, refused as too long or missed:
    reconcile's first equation) and the stack has processed each the NIC
    received (softnet processed + backlog drops).  bn-inject returns once
    its frames are on the link; QEMU has then handed them to the rings,
    but under load a queue's poll may come later than the first reads
    (with RSS the frames of another queue's vector wait for it; the
    watchdog's kick raises a vector whose interrupt was lost within a
    period).  The counters are read until both hold, then once more (a
    snapshot reads /proc/net/snmp before the counts it is checked by), at
    most timeout seconds; a frame lost uncounted still fails the caller's
    exact comparison.  Returns (counters, reads it took)."""
    deadline = time.monotonic() + timeout
    reads = 0
    while True:
        c = counters(g)
        reads += 1
        d = delta(before, c)
        nic = d.get("eth.rx_packets", 0) + d.get("eth.rx_long_length_errors", 0) + \
            d.get("eth.rx_missed_errors", 0)
        stack = d.get("softnet.processed", 0) + d.get("softnet.dropped", 0)
        if nic >= sent_total and stack >= d.get("eth.rx_packets", 0):
            return counters(g), reads
        if time.monotonic() >= deadline:
            return c, reads
        time.sleep(0.2)


def expected(sent, received=None):
    """The deltas EXPECT predicts for the injector's sent counts (and the
    injector's received counts as rx.<kind>)."""
    want = {}
    for cat, n in sent.items():
        for k, per in EXPECT.get(cat, {}).items():
            want[k] = want.get(k, 0) + per * n
    return want


def pools(c):
    """The buffer pools' levels: every lwIP pool, lwIP's heap, sk_buffs in
    use, kmalloc's live objects, coherent DMA memory (the NIC's rings)."""
    p = {k: v for k, v in c.items()
         if k.startswith(("memp.", "heap.", "kmalloc.", "dma.")) or k == "skb.in_use"}
    # the skb head cache keeps freed skb structs (kmalloc'ed) for reuse, up
    # to SKB_CACHE_MAX: a burst grows it, which is not a leak
    if "kmalloc.live" in p:
        p["kmalloc.live"] -= c.get("skb.cached", 0)
    return p


class InjectGuest:
    """A guest whose NIC is on -netdev dgram (or stream: QEMU listens on a
    TCP port of 127.0.0.1), and bn-inject as its peer."""

    def __init__(self, name, nic="e1000", append=APPEND, mem=256, transport="dgram", smp=None):
        self.transport = transport
        if transport == "dgram":
            self.qemu_port = free_port(socket.SOCK_DGRAM)
            self.our_port = free_port(socket.SOCK_DGRAM)
            netdev = ("dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=%d,"
                      "remote.type=inet,remote.host=127.0.0.1,remote.port=%d"
                      % (self.qemu_port, self.our_port))
            self.tp_args = ["--dgram", "127.0.0.1:%d" % self.qemu_port,
                            "--bind", "127.0.0.1:%d" % self.our_port]
        else:
            self.qemu_port = free_port(socket.SOCK_STREAM)
            netdev = ("stream,id=n0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=%d"
                      % self.qemu_port)
            self.tp_args = ["--stream", "127.0.0.1:%d" % self.qemu_port]
        self.g = harness.Guest(name, nic=nic, netdev=netdev, append=append, mem=mem, smp=smp)
        self.g.wait_for(r"barenet: ready in", timeout=60)
        self.g.wait_prompt(30)

    def inject(self, *args, timeout=600):
        """Run bn-inject with these arguments over the link; its JSON
        summary (exit status 0 required)."""
        cmd = [INJECT] + [str(a) for a in args] + self.tp_args + [
            "--dst-mac", MAC, "--dst-ip", GUEST_IP, "--quiet"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        assert r.returncode == 0, (cmd, r.returncode, r.stderr, self.g.output[-2000:])
        return json.loads(r.stdout)

    def wait_reachable(self, timeout=30):
        """lwIP routes UDP only once it has seen the carrier (its timer,
        shortly after ready): probe the echo service until it answers.
        Returns the summaries of the probes (they count like any traffic)."""
        probes = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.inject("flood", "--count", 1, "--linger", 300)
            probes.append(s)
            if s["received"]["udp-echo"]:
                break
        else:
            raise AssertionError("no UDP echo from the guest in %d s:\n%s"
                                 % (timeout, self.g.output[-3000:]))
        # the stack settles: with the link up, lwIP starts DAD for the
        # link-local address and joins its solicited-node group (an
        # MLD6_GROUP pool element, for good); pool levels count from then
        while counters(self.g).get("memp.MLD6_GROUP", 0) < 1:
            assert time.monotonic() < deadline, "no MLD group joined:\n" + self.g.output[-3000:]
            time.sleep(0.5)
        # and DAD is over: lwIP answers no neighbour solicitation for a
        # tentative address (since ready waits for the link, injection
        # can start while DAD still runs)
        while "tentative" in self.g.shell("ip addr"):
            assert time.monotonic() < deadline, "an address stays tentative:\n" + self.g.output[-3000:]
            time.sleep(0.5)
        return probes

    def reassembling(self):
        """How many IP datagrams lwIP holds fragments of."""
        return reassembling(self.g)

    def quiesce(self, timeout=REASS_QUIET_S):
        """Wait until lwIP holds no IP fragments (its reassembly timer has
        run out for everything sent); the counters then.  The wait reads the
        REASSDATA pool alone and the counters are read only after it is 0:
        counters() reads /proc/net/snmp before the metrics, so a snapshot
        taken while datagrams were still held could show the pool empty
        (freed between the two reads) with their ReasmFails missing (a
        fresh-clone make test saw 5 of 100 so)."""
        wait_unfragmented(self.g, timeout)
        return counters(self.g)

    def alive(self):
        """The shell answers and the stack still answers pings (from the
        injector): the number of ICMP echo replies for 10 requests."""
        assert "Ip:" in self.g.view("cat /proc/net/snmp")
        return self.inject("flood", "--proto", "icmp-echo", "--count", 10, "--window", 1)

    def close(self):
        self.g.close()


TAP_SRC_IP = "10.0.2.3"      # the injector's address inside a test namespace


def tap_args(*args):
    """bn-inject's command line for these arguments over AF_PACKET on the
    tap of a test namespace (netns.TestNet), as TAP_SRC_IP."""
    return [INJECT] + [str(a) for a in args] + [
        "--iface", "tap0", "--src-ip", TAP_SRC_IP, "--dst-mac", MAC, "--dst-ip", GUEST_IP,
        "--quiet"]


def tap_inject(net, *args, timeout=300):
    """Run bn-inject inside net's namespace; its JSON summary (exit status
    0 required)."""
    r = net.run(tap_args(*args), timeout=timeout)
    assert r.returncode == 0, (r.returncode, r.stderr)
    return json.loads(r.stdout)


def tap_wait_reachable(net, g, tries=60):
    """Probe the guest's UDP echo over the tap until it answers (lwIP routes
    UDP only once it has seen the carrier)."""
    for _ in range(tries):
        if tap_inject(net, "flood", "--count", 1, "--linger", 300)["received"]["udp-echo"]:
            return
    raise AssertionError("no echo over the tap:\n" + g.output[-3000:])


def add_sent(total, s):
    for k, v in s["sent"].items():
        total[k] = total.get(k, 0) + v
    for k, v in s["received"].items():
        total["rx." + k] = total.get("rx." + k, 0) + v
    return total


def reconcile(d, sent, rx):
    """received = delivered + dropped, by reason, at each layer, over a
    counter delta d from a quiet guest (fragments timed out).  Returns the
    list of equations that do not hold (empty: all hold)."""
    bad = []

    def check(name, left, right):
        if left != right:
            bad.append("%s: %d != %d" % (name, left, right))

    wire = sum(v for k, v in sent.items() if k in EXPECT)
    # the NIC: every frame sent arrived, or the NIC says why not
    check("sent = NIC received + refused (oversize, missed, no buffer)", wire,
          d["eth.rx_packets"] + d["eth.rx_long_length_errors"] + d["eth.rx_missed_errors"])
    # the driver to the stack
    check("NIC received = softnet processed + backlog drops", d["eth.rx_packets"],
          d["softnet.processed"] + d["softnet.dropped"])
    # the stack's entry: per EtherType, lwIP's own loopback traffic (lo) taken out
    check("processed = IPv4 + ARP + IPv6 + no handler", d["softnet.processed"],
          d["lwip.ip.recv"] + d["lwip.etharp.recv"] + d["lwip.ip6.recv"] - d["lo.rx_packets"]
          + d["eth.rx_nohandler"])
    # lwIP's link recv: frames the glue handed to lwIP, plus the loopback's
    check("processed = lwIP link recv - loopback + no handler", d["softnet.processed"],
          d.get("lwip.link.recv", 0) - d["lo.rx_packets"] + d["eth.rx_nohandler"])
    # IPv4: header errors, discards (lengths, addresses), unknown protocols,
    # delivered, and fragments held by reassembly (net of those reassembled)
    check("Ip InReceives = InHdrErrors + InDiscards + InUnknownProtos + InDelivers "
          "+ ReasmReqds - ReasmOKs", d["Ip.InReceives"],
          d["Ip.InHdrErrors"] + d["Ip.InDiscards"] + d["Ip.InUnknownProtos"] + d["Ip.InDelivers"]
          + d["Ip.ReasmReqds"] - d["Ip.ReasmOKs"])
    check("Ip InHdrErrors = lwIP ip.chkerr + ip.err", d["Ip.InHdrErrors"],
          d.get("lwip.ip.chkerr", 0) + d.get("lwip.ip.err", 0))
    check("Ip InDiscards = lwIP ip.lenerr + InAddrErrors", d["Ip.InDiscards"],
          d.get("lwip.ip.lenerr", 0) + d["Ip.InAddrErrors"])
    check("fragments = dropped at once + freed by reassembly failure",
          d["Ip.ReasmReqds"], d.get("lwip.ip_frag.drop", 0) + d["Ip.ReasmFails"])
    check("Ip InDelivers = Udp + Tcp + Icmp in", d["Ip.InDelivers"],
          d["lwip.udp.recv"] + d["Tcp.InSegs"] + d["Icmp.InMsgs"])
    check("udp recv = InDatagrams + InErrors + NoPorts", d["lwip.udp.recv"],
          d["Udp.InDatagrams"] + d["Udp.InErrors"] + d["Udp.NoPorts"])
    check("Tcp InSegs = InErrs + no-PCB drops (RST sent)", d["Tcp.InSegs"],
          d["Tcp.InErrs"] + d.get("lwip.tcp.proterr", 0))
    check("Tcp no-PCB drops = OutRsts", d.get("lwip.tcp.proterr", 0), d["Tcp.OutRsts"])
    # what came back: every echo the guest sent, every RST, every NA
    check("echo replies received = Udp OutDatagrams", rx.get("rx.udp-echo", 0), d["Udp.OutDatagrams"])
    check("RSTs received = Tcp OutRsts", rx.get("rx.tcp-rst", 0), d["Tcp.OutRsts"])
    check("ICMP echo replies received = Icmp OutEchoReps", rx.get("rx.icmp-echo-reply", 0),
          d["Icmp.OutEchoReps"])
    return bad
