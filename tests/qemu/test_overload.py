"""Overload above what the guest can take (issue 6): the excess is dropped
and counted, and service is back within one second after the load stops.

Per NIC model, on -netdev dgram (no root needed; overload.py has the
details): measure the UDP echo rate the guest sustains without loss (a
closed-loop flood), then flood open loop at OVERLOAD_FACTOR times that for
FLOOD_S seconds with 60-byte frames, REPEATS times.  After each flood a
probe times the first answered UDP echo, ping and TCP handshake from the
injector's last frame (polled every 10 ms; must be under 1 s).  At the end,
every injected frame is accounted for (overload.account: NIC received +
NIC missed + host drops at QEMU's socket, then glue and softnet), lwIP's
layers reconcile, the buffer pools are back at their start, and the guest
still answers.

`make test` runs the bounded check (e1000, one 3 s flood); `make stress`
(pytest -m stress) the three models with three 10 s floods each."""
import os

import pytest

import injectlib
import overload
from harness import report
from injectlib import InjectGuest, delta

RECOVERY_LIMIT_S = 1.0
OVERLOAD_FACTOR = 3
# injectlib.reconcile's equations that do not hold here, and why:
#   "sent = ..."          host drops at QEMU's socket: overload.account has it
#   replies received      bn-inject exits at once (--linger 0) to let the probe in:
#                         echoes of the backlog reach no one or the probe
#   "Tcp InSegs = ..."    the probe's SYNs and RSTs reach a listening PCB
NOT_HERE = ("sent =", "echo replies received", "RSTs received", "ICMP echo replies received",
            "Tcp InSegs =", "Tcp no-PCB drops")


def overload_run(name, nic, flood_s, repeats):
    if not os.path.exists(injectlib.INJECT):
        pytest.fail("build/tools/bn-inject missing: run make first")
    ig = InjectGuest(name, nic=nic)
    try:
        ig.wait_reachable()
        sustained = overload.measure_sustained(ig)
        rate = int(sustained * OVERLOAD_FACTOR)
        start = overload.wait_drained(ig)
        pools_start = overload.pools_now(ig)
        injected, floods, recov = 0, [], []
        for i in range(repeats):
            s = ig.inject("flood", "--pps", rate, "--duration", flood_s, "--count", 10 ** 9,
                          "--size", "60:60", "--flows", 16, "--linger", 0,
                          timeout=flood_s * 4 + 60)
            p = overload.Prober(ig, sport=40000 + i, ident=0x5a00 + i)
            try:
                r = p.recover(s["end_send_mono_ns"] / 1e9)
            finally:
                p.close()
            injected += s["sent_total"] + p.sent
            floods.append(s)
            recov.append(r)
            assert s["send_errors"] == 0, s
        end = overload.wait_drained(ig)
        d = delta(start, end)
        dropped = {k: d.get(k, 0) for k in ("host.drops", "eth.rx_missed_errors",
                                            "eth.rx_no_buffer_count", "eth.rx_alloc_failed",
                                            "softnet.dropped", "glue.rx_nomem", "qdisc.drops")}
        offered = sum(f["rate_pps"] for f in floods) / len(floods)
        report("overload %s: sustained %.0f pps (closed loop); flood %d x %d s at %d pps asked, "
               "%.0f pps sent; %d frames injected, %d taken by the NIC, dropped %s" % (
                   nic, sustained, repeats, flood_s, rate, offered, injected,
                   d["eth.rx_packets"], dropped))
        for i, r in enumerate(recov):
            report("overload %s: recovery %d: first answer after the last frame: udp %s, "
                   "ping %s, tcp %s (probing from %.0f ms)" % (
                       nic, i + 1, *("%.0f ms" % (r[k] * 1000) if r[k] is not None else "none"
                                     for k in overload.PROBE_KINDS), r["first_probe"] * 1000))
        # every injected frame: taken by the NIC or dropped where a counter says so
        bad = overload.account(d, injected)
        assert not bad, bad
        assert d["host.drops"] + d["eth.rx_missed_errors"] + d["softnet.dropped"] \
            + d["glue.rx_nomem"] + d.get("eth.rx_alloc_failed", 0) > 0, \
            "no frame dropped: %.0f pps offered did not overload the guest" % offered
        bad = [b for b in injectlib.reconcile(d, {}, {}) if not b.startswith(NOT_HERE)]
        assert not bad, bad
        for r in recov:
            for k in overload.PROBE_KINDS:
                assert r[k] is not None and r[k] < RECOVERY_LIMIT_S, recov
        pools_end = overload.pools_now(ig)
        mem_start, mem_end = pools_start.pop("MemFree_kB"), pools_end.pop("MemFree_kB")
        assert pools_end == pools_start, (pools_start, pools_end)
        report("overload %s: pools back at their start; MemFree %d kB -> %d kB" % (
            nic, mem_start, mem_end))
        pong = ig.alive()
        assert pong["received"]["icmp-echo-reply"] == 10, pong
        assert "panic" not in ig.g.output.lower()
    finally:
        ig.close()


def test_overload_bounded(kernel):
    overload_run("overload-bounded", "e1000", flood_s=3, repeats=1)


@pytest.mark.stress
@pytest.mark.parametrize("nic", ["e1000", "e1000e", "igb"])
def test_overload(kernel, nic):
    overload_run("overload-" + nic, nic, flood_s=10, repeats=3)
