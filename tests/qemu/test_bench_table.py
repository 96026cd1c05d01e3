"""The bench's parsers and table (bench/benchlib.py) on fixed texts: no
QEMU and none of the bench's downloads."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
import benchlib  # noqa: E402

LINUX_INTERRUPTS = """           CPU0       
  4:        130   IO-APIC   4-edge      ttyS0
 24:        700   PCI-MSI 1048576-edge      eth0-rx-0
 25:         50   PCI-MSI 1048577-edge      eth0-tx-0
 26:          2   PCI-MSI 1048578-edge      eth0
 27:          9   PCI-MSI 1048579-edge      eth01
LOC:       3873   Local timer interrupts
"""
STAT0 = "cpu  10 0 20 1000 5 3 7 0 0 0\ncpu0 10 0 20 1000 5 3 7 0 0 0\nintr 5\n"
STAT1 = "cpu  10 0 50 1050 5 13 27 0 0 0\ncpu0 10 0 50 1050 5 13 27 0 0 0\nintr 9\n"
NET_DEV = """Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:      56       1    0    0    0     0          0         0       56       1    0    0    0     0       0          0
  eth0:   12345     678    0    0    0     0          0         0     9999      42    0    0    0     0       0          0
"""


def test_nic_irqs_sums_the_eth0_rows_only():
    assert benchlib.nic_irqs(LINUX_INTERRUPTS) == 752
    with pytest.raises(ValueError):
        benchlib.nic_irqs(LINUX_INTERRUPTS, dev="eth1")


def test_cpu_busy_from_two_stat_samples():
    busy, b, total = benchlib.cpu_busy(benchlib.parse_stat_cpu(STAT0), benchlib.parse_stat_cpu(STAT1))
    assert (b, total) == (60, 110)
    assert busy == pytest.approx(60 / 110)


def test_net_dev_and_percentile():
    assert benchlib.net_dev(NET_DEV) == (678, 42)
    vals = list(range(1, 101))
    assert benchlib.percentile(vals, 50) == 50
    assert benchlib.percentile(vals, 99) == 99
    assert benchlib.percentile([], 50) is None


def test_table_has_every_row_and_the_ratio():
    res = {"barenet": {"rtt_p50_ms": 0.25, "udp_64_8": 20000.0, "image_bytes": 400000,
                       "min_mem_mib": 4},
           "linux": {"rtt_p50_ms": 0.5, "udp_64_8": 10000.0, "image_bytes": 12000000,
                     "min_mem_mib": 96}}
    md = benchlib.table(res).splitlines()
    assert md[0] == "| measure | unit | barenet | Linux | barenet/Linux |"
    assert len(md) == 2 + len(benchlib.ROWS)
    rows = {line.split(" | ")[0][2:]: line.split(" | ") for line in md[2:]}
    assert rows["ping RTT p50"][2:] == ["0.25", "0.50", "0.50 |"]
    assert rows["UDP echo 64 B, 8 in flight"][2:] == ["20,000", "10,000", "2.00 |"]
    assert rows["image size (kernel + initrd)"][2:] == ["400,000", "12,000,000", "0.03 |"]
    assert rows["smallest -m that boots and serves"][4] == "0.04 |"
    # missing values: n/a, never a made-up ratio
    assert rows["ping RTT p99"][2:] == ["n/a", "n/a", "n/a |"]


def test_table_with_two_cpus_adds_their_column_and_ratio():
    res = {"barenet": {"udp_64_8": 20000.0, "min_mem_mib": 4},
           "linux": {"udp_64_8": 10000.0},
           benchlib.BN2: {"udp_64_8": 25000.0, "min_mem_mib": "not searched"}}
    md = benchlib.table(res).splitlines()
    assert md[0] == ("| measure | unit | barenet 1 CPU | Linux | barenet/Linux | barenet 2 CPUs "
                     "| 2 CPUs / 1 CPU |")
    rows = {line.split(" | ")[0][2:]: line.split(" | ") for line in md[2:]}
    assert rows["UDP echo 64 B, 8 in flight"][2:] == ["20,000", "10,000", "2.00", "25,000",
                                                      "1.25 |"]
    assert rows["smallest -m that boots and serves"][5:] == ["not searched", "n/a |"]
    doc = {"meta": {"accel": "tcg", "date": "d", "machine": "m", "cores": 2, "qemu": "q",
                    "barenet": "b", "linux": "l", "model": "e1000",
                    "idle_host_cpu": {"1": 0.012, "2": 0.016}},
           "results": res, "full_mode": "intx", "modes": {}}
    md = benchlib.summary([doc], ["e1000.md"])
    assert "idle host CPU use (cores) of a barenet guest: 1 CPU 0.012, 2 CPUs 0.016" in md
    assert "| UDP echo 64 B, 8 in flight (req/s) | 20,000 / 25,000 (1.25) |" in md


# -- interrupt modes ---------------------------------------------------------------
LINUX_INTX = """           CPU0       
  4:        130   IO-APIC   4-edge      ttyS0
 11:       4410   IO-APIC  11-fasteoi   eth0
"""
BARENET_MSIX = """           CPU0
 49:        812   PCI-MSI 8192-edge      eth0
"""
MSI_IRQS = "24 msix\n25 msix\n26 msix\n"


def test_every_mode_of_every_model_by_default_and_skips_named():
    cells, notes = benchlib.bench_cells(["e1000", "e1000e", "igb"], None)
    assert cells == [("e1000", "intx"), ("e1000e", "msix"), ("e1000e", "msi"),
                     ("e1000e", "intx"), ("igb", "msix"), ("igb", "msi"), ("igb", "intx")]
    assert notes == []
    cells, notes = benchlib.bench_cells(["e1000", "igb"], ["msi"])
    assert cells == [("igb", "msi")]
    assert len(notes) == 1 and notes[0].startswith("e1000 has no MSI")


def test_linux_is_told_the_mode_where_it_can_be():
    assert benchlib.linux_mode_args("e1000", "intx") == (" pci=nomsi", None)
    assert benchlib.linux_mode_args("igb", "intx") == (" pci=nomsi", None)
    assert benchlib.linux_mode_args("igb", "msix") == ("", None)
    for mode, n in (("intx", 0), ("msi", 1), ("msix", 2)):
        assert benchlib.linux_mode_args("e1000e", mode) == (" bn_modopt=IntMode=%d" % n, None)
    args, why = benchlib.linux_mode_args("igb", "msi")
    assert args is None and "igb" in why and "MSI" in why


def test_mode_read_back_from_the_guest():
    assert benchlib.irq_mode_readback(LINUX_INTX, []) == ("intx", "IO-APIC x1")
    kinds = benchlib.msi_kinds(MSI_IRQS)
    assert kinds == ["msix"]
    assert benchlib.irq_mode_readback(LINUX_INTERRUPTS, kinds) == ("msix", "PCI-MSI x3, msix")
    assert benchlib.irq_mode_readback(LINUX_INTERRUPTS, ["msi"]) == ("msi", "PCI-MSI x3, msi")
    # PCI-MSI rows alone do not tell MSI from MSI-X: unclear, never a guess
    assert benchlib.irq_mode_readback(LINUX_INTERRUPTS, [])[0] is None
    assert benchlib.irq_mode_readback(LINUX_INTERRUPTS, ["msi", "msix"])[0] is None
    assert benchlib.irq_mode_readback(LINUX_INTX, ["msix"])[0] == "intx"
    dmesg = ("[    0.149143] eth0: 82574L at 0000:00:01.0, MAC 52:54:00:12:34:56, "
             "irq msix vector 0x31, phy id 0141:0cb1, emulated\n")
    assert benchlib.barenet_irq_kind(dmesg) == "msix"
    assert benchlib.barenet_irq_kind("no probe line") is None
    assert benchlib.irq_mode_readback(BARENET_MSIX, ["msix"]) == ("msix", "PCI-MSI x1, msix")


def _cell(mode, irqf, top, **kw):
    load = [(500, 500.0, 400.0, 2.0, 500.0, 2.0, 2.1), (40000, 39000.0, 100.0, 50.0, top, 2.0, 2.1)]
    c = {"mode": mode, "evidence": "PCI-MSI x1", "boot_to_ping_s": 0.5, "rtt_p50_ms": 0.25,
         "rtt_p99_ms": 4.0, "irq_per_rx_frame": irqf, "load": load}
    c.update(kw)
    return c


def _doc():
    modes = {
        "msix": {"barenet": _cell("msix", 0.007, 23000.0,
                                  napi_off=_cell("msix", 1.0, 4100.0)),
                 "linux": _cell("msix", 0.004, 15000.0)},
        "msi": {"barenet": _cell("msi", 0.01, 22000.0), "linux": {"na": "no switch"}},
        "intx": {"barenet": _cell("intx", 0.02, 21000.0), "linux": _cell("msix", 0.5, 9000.0,
                                                                           driver_said="fell back")},
    }
    meta = {"model": "igb", "accel": "tcg", "date": "2026-11-22", "machine": "AMD EPYC",
            "cores": 2, "qemu": "QEMU 10.0.2", "barenet": "git abc", "linux": "6.1"}
    res = {"barenet": {"rtt_p50_ms": 0.25, "udp_64_8": 20000.0},
           "linux": {"rtt_p50_ms": 0.5, "udp_64_8": 10000.0}}
    return {"meta": meta, "modes": modes, "results": res, "full_mode": "msix"}


def test_mode_table_names_the_real_mode_and_na():
    md = benchlib.mode_table("igb", _doc()["modes"])
    rows = [line for line in md.splitlines() if line.startswith("| ")][1:]
    assert [r.split(" | ")[0] for r in rows] == ["| MSI-X", "| MSI", "| INTx"]
    assert "0.007 / 1.00 / 0.004" in rows[0]
    assert "23,000 / 4,100 / 15,000" in rows[0]
    assert "n/a (see below)" in rows[1] and "Linux in MSI: n/a: no switch." in md
    # a guest that ran in another mode than asked is said so
    assert 'Linux asked for INTx ran in MSI-X (its driver: "fell back").' in md


def test_before_table_names_the_mode_both_columns_ran_in():
    """BENCH_BEFORE with BENCH_MODES=msi: before and now are both the run's
    first mode (full_mode), and the column's head says which; a before
    image that read back another mode is not compared."""
    d = _doc()
    d["full_mode"] = "msi"
    d["meta"] = dict(d["meta"], before="old.elf (build git 123)", before_mode="msi")
    d["results"][benchlib.BEFORE] = {"rtt_p50_ms": 0.5, "udp_64_8": 10000.0}
    md = benchlib.before_table([d])
    head = [line for line in md.splitlines() if line.startswith("| measure")][0]
    assert head == "| measure | igb before / now (change), MSI | igb range before; now (boots) |", \
        head
    row = [line for line in md.splitlines() if line.startswith("| UDP echo 64 B, 8")][0]
    assert "10,000 / 20,000 (2.00)" in row, row
    d["meta"]["before_mode"] = "msix"
    row = [line for line in benchlib.before_table([d]).splitlines()
           if line.startswith("| UDP echo 64 B, 8")][0]
    assert "(before ran in MSI-X, now in MSI)" in row, row


def test_median_and_range_of_the_rounds():
    assert benchlib.median([27000.0, 50000.0, 55000.0]) == 50000.0
    assert benchlib.median([3, 1, 4, 2]) == 2.5
    assert benchlib.median([None]) is None
    assert benchlib.round_stats([27000.0, 55000.0, 50000.0]) == (50000.0, 27000.0, 55000.0, 3)
    assert benchlib.round_stats([]) == (None, None, None, 0)
    # the full boot's first; a boot without a key (or None) is left out of it
    rounds = benchlib.collect_rounds([{"udp_64_8": 1.0, "rtt_p50_ms": 0.2, "tcp_to_guest_mbps": 9},
                                      {"udp_64_8": 2.0, "rtt_p50_ms": None}, {"udp_64_8": 3.0}])
    assert sorted(rounds) == sorted(benchlib.ROUND_KEYS)
    assert rounds["udp_64_8"] == [1.0, 2.0, 3.0] and rounds["rtt_p50_ms"] == [0.2]
    assert rounds["udp_1400_1"] == []


def _before_doc():
    d = _doc()
    d["meta"] = dict(d["meta"], before="old.elf (build git 123)", before_mode="msix")
    # the full boots: 27k is the before image's unlucky boot
    d["results"][benchlib.BEFORE] = {"udp_64_8": 27000.0, "rtt_p50_ms": 0.2,
                                     "tcp_to_guest_mbps": 700.0}
    d["results"]["barenet"].update({"udp_64_8": 41000.0, "tcp_to_guest_mbps": 1400.0})
    return d


def _row(md, label):
    return [line for line in md.splitlines() if line.startswith("| " + label)][0]


def test_before_table_compares_the_medians_of_the_rounds():
    """One boot each: 27k before against 41k now reads 1.52, though the
    before image's other boots gave 50k and 55k; the medians of three
    boots each (50k / 40k) show the 20 % loss, marked below 0.90, with
    each image's range beside; cells without rounds say one boot."""
    d = _before_doc()
    row = _row(benchlib.before_table([d]), "UDP echo 64 B, 8 in flight")
    assert "| 27,000 / 41,000 (1.52) | 1 boot each |" in row, row
    d["before_rounds"] = {
        "before": {"udp_64_8": [27000.0, 50000.0, 55000.0], "rtt_p50_ms": [0.2, 0.3, 0.25]},
        "now": {"udp_64_8": [41000.0, 40000.0, 39000.0], "rtt_p50_ms": [0.3, 0.25, 0.25]}}
    md = benchlib.before_table([d])
    row = _row(md, "UDP echo 64 B, 8 in flight")
    assert row == "| UDP echo 64 B, 8 in flight (req/s) | 50,000 / 40,000 (**0.80**) " \
                  "| 27,000-55,000 (3); 39,000-41,000 (3) |", row
    # lower is better: median 0.25 before, 0.25 now -> 1.00, not marked
    row = _row(md, "ping RTT p50")
    assert "| 0.25 / 0.25 (1.00) | 0.20-0.30 (3); 0.25-0.30 (3) |" in row, row
    # the other cells: the single full boots, said so
    row = _row(md, "TCP host->guest")
    assert "| 700 / 1,400 (2.00) | 1 boot each |" in row, row
    # the 1-in-flight rows are in the table (no rounds here: one boot, n/a)
    row = _row(md, "UDP echo 64 B, 1 in flight")
    assert "| n/a / n/a (n/a) | 1 boot each |" in row, row
    # now's medians within 10 %: not marked
    d["before_rounds"]["now"]["udp_64_8"] = [46000.0, 45000.0, 20000.0]
    row = _row(benchlib.before_table([d]), "UDP echo 64 B, 8 in flight")
    assert "| 50,000 / 45,000 (0.90) | 27,000-55,000 (3); 20,000-46,000 (3) |" in row, row


def test_before_rounds_alternate_the_images_after_the_full_boots(monkeypatch):
    """bench/run.py before_rounds: BENCH_BEFORE_ROUNDS - 1 light boots of
    each image, before, now, before, now; the full boots' values first; a
    boot that fails is said (FAILED) and one that reads back another mode
    is left out, the rest still counted."""
    import run as benchrun
    order, values = [], iter([50000.0, 40000.0, 55000.0, 39000.0, 1.0, 2.0])

    def light(model, mode, kernel, name):
        order.append((kernel, name))
        v = next(values)
        if v == 1.0:
            raise RuntimeError("no ping answered in 120 s")
        return {"udp_64_8": v}, {"mode": "msi" if v == 2.0 else mode}
    monkeypatch.setattr(benchrun, "measure_light", light)
    monkeypatch.setattr(benchrun, "BEFORE", "old.elf")
    monkeypatch.setattr(benchrun, "FAILED", [])
    r = benchrun.before_rounds("e1000e", "msix", {"before": {"udp_64_8": 27000.0},
                                                  "now": {"udp_64_8": 41000.0}},
                               {"before": "msix", "now": "msix"}, rounds=4)
    assert [k for k, _ in order] == ["old.elf", benchlib.KERNEL] * 3
    assert order[0][1] == "bench-before-e1000e-msix-round2"
    assert r["before"]["udp_64_8"] == [27000.0, 50000.0, 55000.0]
    assert r["now"]["udp_64_8"] == [41000.0, 40000.0, 39000.0]
    assert len(benchrun.FAILED) == 1 and "round 4 of before" in benchrun.FAILED[0]
    # BENCH_BEFORE_ROUNDS=1: the full boots only
    assert benchrun.before_rounds("e1000e", "msix", {"before": {}, "now": {}}, {}, rounds=1) == \
        {"before": benchlib.collect_rounds([{}]), "now": benchlib.collect_rounds([{}])}


def test_summary_has_every_model_and_links_pages():
    d1, d2 = _doc(), _doc()
    d2["meta"] = dict(d2["meta"], model="e1000e")
    md = benchlib.summary([d1, d2], ["2026-11-22-igb.md", "2026-11-22-e1000e.md"])
    assert "TCG" in md.splitlines()[0]
    assert "[igb](2026-11-22-igb.md)" in md and "[e1000e](2026-11-22-e1000e.md)" in md
    row = [line for line in md.splitlines() if line.startswith("| UDP echo 64 B")][0]
    assert row.count("20,000 / 10,000 (2.00)") == 2
    row = [line for line in md.splitlines() if line.startswith("| igb | MSI |")][0]
    assert "| MSI | n/a |" in row


# -- the socket API against the callback services ------------------------------------
def _sock(udp_cb, udp_sock, tcp_cb=None, tcp_sock=None):
    return {"udp_64_8": {"callback": udp_cb, "socket": udp_sock},
            "tcp_to_guest_mbps": {"callback": tcp_cb, "socket": tcp_sock},
            "build": "git abc"}


def test_sock_table_puts_the_socket_api_next_to_the_callback_with_the_target():
    res = {"barenet": {"sock": _sock(20000.0, 17000.0, 900.0, 450.0)},
           benchlib.BN2: {"sock": _sock(20000.0, 10000.0)}}
    md = benchlib.sock_table(res).splitlines()
    assert md[0] == ("| measure | unit | callback, 1 CPU | socket API, 1 CPU | socket / callback, "
                     "1 CPU | callback, 2 CPUs | socket API, 2 CPUs | socket / callback, 2 CPUs |")
    assert len(md) == 2 + len(benchlib.SOCK_ROWS)
    rows = {line.split(" | ")[0][2:]: line.split(" | ") for line in md[2:]}
    # the ratio is socket / callback, and the UDP rows say where it stands
    # against issue 15's 0.8
    assert rows["UDP echo 64 B, 8 in flight"][2:] == ["20,000", "17,000", "0.85 (≥ 0.8)",
                                                      "20,000", "10,000", "0.50 (below 0.8) |"]
    tcp = [r for k, r in rows.items() if k.startswith("TCP host->guest")][0]
    assert tcp[2:5] == ["900", "450", "0.50"]
    # unmeasured: n/a, never a ratio
    assert rows["UDP echo 1400 B, 8 in flight"][2:5] == ["n/a", "n/a", "n/a"]
    # one CPU count only: its three columns; no socket cells: no table
    md = benchlib.sock_table({"barenet": {"sock": _sock(1.0, 1.0)}})
    assert md.splitlines()[0].count("| callback,") == 1
    assert benchlib.sock_table({"barenet": {"udp_64_8": 5.0}, "linux": {}}) == ""


def test_summary_has_the_socket_rows_and_a_sock_only_run_has_only_them():
    d = _doc()
    d["results"]["barenet"]["sock"] = _sock(20000.0, 17000.0)
    d["results"][benchlib.BN2] = {"sock": _sock(18000.0, 9000.0)}
    md = benchlib.summary([d], ["igb.md"])
    row = [line for line in md.splitlines() if line.startswith("| UDP echo 64 B, 8 in flight (req/s) |")]
    # the headline row (barenet / Linux), the 1 / 2 CPUs row, and last the
    # socket row (socket / callback)
    assert "20,000 / 10,000 (2.00)" in row[0] and len(row) == 3
    assert row[2] == ("| UDP echo 64 B, 8 in flight (req/s) | 17,000 / 20,000 (0.85); "
                      "9,000 / 18,000 (0.50) |")
    assert "Per interrupt mode" in md
    # without socket cells the summary has no socket rows
    assert "socket / callback" not in benchlib.summary([_doc()], ["igb.md"])
    # BENCH_ONLY=sock: no Linux, no mode table, the socket rows
    only = {"meta": dict(_doc()["meta"]), "results": {"barenet": {"sock": _sock(20000.0, 17000.0)}},
            "full_mode": "msix", "only": "sock"}
    md = benchlib.summary([only], ["igb.md"])
    assert "BENCH_ONLY=sock" in md and "Per interrupt mode" not in md
    assert "| UDP echo 64 B, 8 in flight (req/s) | 17,000 / 20,000 (0.85) |" in md


SNMP = """Ip: Forwarding DefaultTTL InReceives
Ip: 2 64 100
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts
Tcp: 1 200 120000 -1 3 4 0 0 1 14745 2 7 0 0
Udp: InDatagrams NoPorts
Udp: 5 6
"""
ETHTOOL_K = """Features for eth0:
rx-checksumming: on
tx-checksumming: on
\ttx-checksum-ipv4: on
tcp-segmentation-offload: off
\ttx-tcp-segmentation: off
generic-receive-offload: on [fixed]
"""


def tcp_cell(to, frm):
    run = {"guest_busy": 0.5, "qemu_cores": 0.5, "wall_s": 5.5}
    return {"load_before": [1.0, 1.0, 1.0], "udp_1400_8": 100, "udp_64_8": 200,
            "to_guest": dict(run, mbps=to), "from_guest": dict(run, mbps=frm)}


def test_tcp_cells_parse_snmp_and_features_and_take_medians():
    import tcp  # bench/tcp.py (BENCH_ONLY=tcp)
    snmp = tcp.tcp_snmp(SNMP)
    assert (snmp["InSegs"], snmp["OutSegs"], snmp["RetransSegs"], snmp["MaxConn"]) == \
        (14745, 2, 7, -1)
    assert tcp.features(ETHTOOL_K) == {"rx-checksumming": "on", "tx-checksumming": "on",
                                       "tcp-segmentation-offload": "off",
                                       "generic-receive-offload": "on"}
    rounds = [{"round": i + 1, "models": {"igb": {
        "barenet offloads on": tcp_cell(to, frm), "linux": tcp_cell(500, 1000)}}}
        for i, (to, frm) in enumerate([(400, 900), (600, 1300), (1000, 1200)])]
    md = tcp.medians({"rounds": rounds})
    # medians 600 and 1,200 against Linux's 500 and 1,000
    assert "| igb | barenet offloads on | 600 | 1,200 | 1.20 / 1.20 |" in md
    assert "| igb | linux | 500 | 1,000 |  |" in md


def test_write_run_names_the_files_by_date_and_records_the_duration(tmp_path, capsys):
    """bench/iperf3.py's and bench/tcp.py's common tail: out_dir made,
    <date>.json with meta's duration_s, <date>.md the rendered page."""
    import datetime
    import json
    import time
    out = tmp_path / "results" / "tcp"
    now = datetime.datetime(2026, 12, 7, 9, 58)
    doc = {"meta": {"date": "2026-12-07 09:58 UTC"}, "rounds": []}
    base = benchlib.write_run(str(out), now, doc, lambda d: "# page %s\n" % d["meta"]["date"],
                              time.monotonic() - 42.4)
    assert base == str(out / "2026-12-07-0958")
    assert json.loads((out / "2026-12-07-0958.json").read_text())["meta"] == \
        {"date": "2026-12-07 09:58 UTC", "duration_s": 42}
    assert (out / "2026-12-07-0958.md").read_text() == "# page 2026-12-07 09:58 UTC\n"
    assert "# page" in capsys.readouterr().out


# -- the scaling table's host time and bound (bench/scaling.py) -----------------------
def scaling_cell(label, cpus, steering, rx, vcpus, main, sender, busy):
    """one flood cell of bench/scaling.py's .json: rx frames/s, the QEMU
    threads' cores (vcpus: one per vCPU thread), the sender's cores and the
    host's busy cores over a 3 s flood"""
    q = {"CPU %d/TCG" % i: v for i, v in enumerate(vcpus)}
    q["other"] = main
    return {"label": label, "cpus": cpus, "steering": steering, "queues": 1,
            "echo_per_s": 30000.0, "rx_per_s": rx, "processed_per_cpu": [int(3 * rx)],
            "flood_sent_per_s": 600000.0, "sender_cpu_s": 3 * sender, "qemu_cores": q,
            "core_lock": {"takes": 1000, "contended": 0, "wait_s": 0.0, "flood_s": 3.0,
                          "held_s": 0.5},
            "ipis": 0, "nic_irqs": 10, "guest_cpu": [(0.9, 0.1, 0.5)] * cpus,
            "host_busy_cores": busy, "load_before": 1.0}


def scaling_doc(cells):
    return {"meta": {"date": "d", "machine": "m", "cores": 2, "qemu": "q", "accel": "tcg",
                     "barenet": "b", "command": "c", "load_start": "1.00 1.00 1.00",
                     "load_end": "2.00 2.00 2.00"},
            "models": ["igb"], "cells": {"igb": cells}, "seconds": 3.0, "sender": "c",
            "rate": 600000.0}


def test_scaling_page_says_where_the_host_time_goes_and_the_bound():
    """note9's quiet run: 1 vCPU received 274,117 frames/s with QEMU at 1.18
    cores (vCPU 0.78, main loop 0.40), the sender at 0.58, 1.76 of 2 cores
    busy: 4.30 us of QEMU per frame, so at most (2 - 0.58) / 4.30 us =
    329,870 frames/s, 1.20x, whatever the vCPUs; 1.3x needs 2.11 cores.
    A loaded run (the rest of the host busy) gives no ratio over its
    held-down 1-vCPU figure, only the frames/s bound."""
    import scaling
    ref = scaling_cell("1 CPU (reference)", 1, "one", 274117.0, [0.78], 0.40, 0.58, 1.76)
    rss = scaling_cell("2 vCPUs, RSS", 2, "rss", 242125.0, [0.46, 0.46], 0.45, 0.56, 1.95)
    rss["echo_tx"] = {"tx_packets": 1000, "tx_tail_batched": 990}
    again = dict(ref, label="1 CPU (reference, again)")
    b = scaling.bound([ref, rss, again], 2)
    assert b["us_qemu"] == pytest.approx(4.3047, abs=1e-3)
    assert (b["vcpu"], b["main"], b["sender"], b["rest"]) == \
        pytest.approx((0.78, 0.40, 0.58, 0.0))
    assert b["idle"] == pytest.approx(0.24)
    assert b["max_idle"] == pytest.approx(329870, rel=1e-4)
    assert b["x_idle"] == pytest.approx(1.2034, abs=1e-3)
    assert b["needs"] == pytest.approx(2.1142, abs=1e-3)
    md = scaling.render(scaling_doc([ref, rss, again]))
    assert "### igb: where the host's 2 cores went during each flood" in md
    assert "| 1 CPU (reference) | 0.78 | 0.40 | 0.58 | 0.00 | 0.24 | 4.30 (2.85 + 1.46) | " \
           "n/a |" in md
    assert "| 2 vCPUs, RSS | 0.92 | 0.45 | 0.56 | 0.02 | 0.05 | 5.66 (3.80 + 1.86) | " \
           "99% of 1000 |" in md
    assert "(2 - 0.58) / 4.30 us = **329,870 frames/s** on an otherwise idle host, " \
           "**1.20x** of 1 vCPU's" in md
    assert "1.3x of these 1-vCPU boots would need 2.11 host cores" in md
    assert "The most this host allows at 1 vCPU's cost per frame (below): 1.20x." in md
    # loaded: the rest of the host took 1.5 cores during the 1-vCPU boots
    low = scaling_cell("1 CPU (reference)", 1, "one", 20000.0, [0.06], 0.03, 0.1, 1.69)
    b = scaling.bound([low], 2)
    assert b["rest"] == pytest.approx(1.5) and b["x_idle"] is None
    assert b["max_here"] == pytest.approx(0.4 / 4.5e-6, rel=1e-6)
    md = scaling.render(scaling_doc([low]))
    assert "(no ratio: the rest of the host held the 1-vCPU boots down" in md
    assert "as busy as in this run, (2 - 0.10 - 1.50) / 4.50 us = 88,889 frames/s, 4.44x" in md


def test_iperf_that_hangs_is_a_failed_measurement_not_a_crash(monkeypatch):
    """An `iperf -c -r` whose reverse half never finishes (the guest's
    connect-back) costs its own cell, said at the end, not the whole run
    (a 2-CPU e1000e cell once killed 14 minutes of make bench)."""
    import subprocess
    import run as benchrun
    fwd_line = "20261207,10.0.2.2,40000,%s,5001,3,0.0-5.0,1000000,1600000000" % benchrun.GUEST

    class Net:
        def run(self, cmd, timeout):
            raise subprocess.TimeoutExpired(cmd, timeout, output=fwd_line.encode() + b"\n")

    monkeypatch.setattr(benchrun, "FAILED", [])
    assert benchrun.iperf_both(Net(), 5) == (1600.0, None)
    assert len(benchrun.FAILED) == 1 and "timed out after 100 s" in benchrun.FAILED[0]
