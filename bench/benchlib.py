"""What the bench reads from both guests, and how it writes the results.

Parsers for the Linux-format views both guests give (/proc/stat,
/proc/interrupts, /proc/net/dev), percentiles, and the side-by-side table
(markdown) with the ratio barenet/Linux.  No QEMU here: tests/qemu/
test_bench_table.py checks it on fixed texts."""
import os
import math
import re
import subprocess
import time

import harness

# the barenet image the benches boot: the release one (make bench builds
# it: LOCK_DEBUG=0 KMALLOC_DEBUG=0, the Makefile's FLAVOUR), or BENCH_KERNEL
KERNEL = os.path.abspath(os.environ.get("BENCH_KERNEL") or harness.RELEASE_KERNEL)


def image_build(console):
    """The tree and flavour a barenet boot's banner names, for the tables:
    "git <id> (release)"; "git <id>" for an image older than the flavours
    (BENCH_BEFORE's), "unknown" without a banner."""
    m = harness.BANNER_RE.search(console)
    if not m:
        return "unknown"
    return m.group("build") + (" (%s)" % m.group("flavour") if m.group("flavour") else "")

# /proc/stat "cpu" line columns (Linux fs/proc/stat.c), in USER_HZ ticks
STAT_FIELDS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq",
               "steal", "guest", "guest_nice"]


def parse_stat_cpu(text):
    """The summed "cpu" line of /proc/stat as a dict of STAT_FIELDS (ticks)."""
    for line in text.splitlines():
        parts = line.split()
        if parts and parts[0] == "cpu":
            vals = [int(x) for x in parts[1:]]
            if len(vals) < 8:
                raise ValueError("short cpu line: %r" % line)
            vals += [0] * (len(STAT_FIELDS) - len(vals))
            return dict(zip(STAT_FIELDS, vals[:len(STAT_FIELDS)]))
    raise ValueError("no cpu line in /proc/stat:\n" + text)


def cpu_busy(before, after):
    """(busy fraction, busy ticks, total ticks) between two parse_stat_cpu
    results: busy is everything but idle and iowait.  Guests run on one
    CPU, so 1.0 is one CPU fully used."""
    d = {k: after[k] - before[k] for k in STAT_FIELDS}
    total = sum(d[k] for k in STAT_FIELDS if k not in ("guest", "guest_nice"))
    idle = d["idle"] + d["iowait"]
    if total <= 0:
        return 0.0, 0, 0
    return (total - idle) / total, total - idle, total


def nic_irqs(text, dev="eth0"):
    """Sum over CPUs and lines of the /proc/interrupts rows that name dev
    (e1000: one line; e1000e/igb under MSI-X: one per vector)."""
    lines = text.strip("\n").splitlines()
    ncpu = len(lines[0].split())
    total, found = 0, False
    for line in lines[1:]:
        if ":" not in line:
            continue
        label, rest = line.split(":", 1)
        if not label.strip().isdigit():
            continue
        fields = rest.split()
        if not any(f == dev or f.startswith(dev + "-") for f in fields[ncpu:]):
            continue
        total += sum(int(x) for x in fields[:ncpu])
        found = True
    if not found:
        raise ValueError("no %s line in /proc/interrupts:\n%s" % (dev, text))
    return total


def net_dev(text, dev="eth0"):
    """(rx_packets, tx_packets) of dev from /proc/net/dev."""
    for line in text.splitlines():
        if ":" in line and line.split(":", 1)[0].strip() == dev:
            f = line.split(":", 1)[1].split()
            return int(f[1]), int(f[9])
    raise ValueError("no %s in /proc/net/dev:\n%s" % (dev, text))


def percentile(values, p):
    """The p-th percentile (0..100) by the nearest-rank method."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, math.ceil(p / 100.0 * len(s)) - 1)
    return s[k]


# -- the table ---------------------------------------------------------------
# (key, label, unit, lower is better)
ROWS = [
    ("boot_to_ping_s", "QEMU start to first answered ping", "s", True),
    ("rtt_p50_ms", "ping RTT p50", "ms", True),
    ("rtt_p99_ms", "ping RTT p99", "ms", True),
]
for _size in (64, 1400):
    for _n in (1, 8, 64):
        ROWS.append(("udp_%d_%d" % (_size, _n), "UDP echo %d B, %d in flight" % (_size, _n),
                     "req/s", False))
ROWS += [
    ("tcp_to_guest_mbps", "TCP host->guest (iperf -c, guest receives)", "Mbit/s", False),
    ("tcp_from_guest_mbps", "TCP guest->host (iperf -r, guest connects back)", "Mbit/s", False),
    ("irq_per_rx_frame", "hard IRQs per received frame (UDP flood)", "", True),
    ("min_mem_mib", "smallest -m that boots and serves", "MiB", True),
    ("image_bytes", "image size (kernel + initrd)", "bytes", True),
]


def fmt(v, key=""):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if key == "image_bytes" or abs(v) >= 1000:
        return "{:,.0f}".format(v)
    if isinstance(v, int):
        return str(v)
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    if abs(v) >= 0.1:
        return "%.2f" % v
    return "%.3f" % v


def ratio(a, b):
    """a/b as text, n/a when either is missing or b is 0."""
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b == 0:
        return "n/a"
    return "%.2f" % (a / b)


# the results key of barenet with 2 CPUs (bench/run.py measures barenet
# with 1 CPU, "barenet", and then with 2, back to back; Linux with 1)
BN2 = "barenet_2cpu"
# the results key of BENCH_BEFORE's older barenet image (1 CPU)
BEFORE = "barenet_before"
# issue 13: barenet with 1 CPU may not fall more than 10 % below before
BEFORE_FLOOR = 0.9


def before_change(key, now, before):
    """now against before as a factor where above 1 is better (lower-is-
    better rows inverted); None when either is missing."""
    lower = {k: low for k, _, _, low in ROWS}.get(key, False)
    if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
        return None
    if lower:
        return before / now if now else None
    return now / before if before else None


def before_mode(doc):
    """(label, differs): the interrupt mode the before and now columns of
    doc were both asked for (the run's first mode, the one with full
    cells: the model's default unless BENCH_MODES named others), and the
    text of a mismatch when the guests read back different modes (an
    older image that fell back), else None."""
    asked = doc.get("full_mode")
    label = MODE_NAMES.get(asked, asked or "?")
    now = doc.get("modes", {}).get(asked, {}).get("barenet", {}).get("mode")
    before = doc["meta"].get("before_mode")
    if before is None or now is None or before == now:
        return label, None
    return label, "before ran in %s, now in %s" % (MODE_NAMES.get(before, before),
                                                   MODE_NAMES.get(now, now))


# the light cells BENCH_BEFORE's extra rounds measure (bench/run.py
# measure_light): the latency-bound ones a single boot cannot decide (the
# same image gave 27k-55k UDP echo 64 B x8 on e1000e in boots minutes apart)
ROUND_KEYS = ["rtt_p50_ms", "rtt_p99_ms", "udp_64_1", "udp_64_8", "udp_1400_1", "udp_1400_8"]


def median(values):
    """The median of the numbers in values (the mean of the middle two for
    an even count); None when there are none."""
    s = sorted(v for v in values if isinstance(v, (int, float)))
    if not s:
        return None
    h = len(s) // 2
    return s[h] if len(s) % 2 else (s[h - 1] + s[h]) / 2.0


def collect_rounds(boots):
    """{ROUND_KEYS key: [value of each boot]} from boots, a list of result
    dicts (the full measurement's first, then each light boot's), values
    that are missing or None left out."""
    return {key: [b[key] for b in boots if isinstance(b.get(key), (int, float))]
            for key in ROUND_KEYS}


def round_stats(values):
    """(median, min, max, count) of a key's rounds; Nones when empty."""
    v = [x for x in values or [] if isinstance(x, (int, float))]
    if not v:
        return None, None, None, 0
    return median(v), min(v), max(v), len(v)


def before_values(doc, key):
    """(before, now, boots): the key's figures of doc's before table: the
    medians of its rounds when doc["before_rounds"] has them for both
    images (boots: (before count, now count)), else the single full boot's
    (boots None)."""
    rounds = doc.get("before_rounds") or {}
    b, a = rounds.get("before", {}).get(key), rounds.get("now", {}).get(key)
    if b and a:
        return round_stats(b)[0], round_stats(a)[0], (len(b), len(a))
    return doc["results"][BEFORE].get(key), doc["results"]["barenet"].get(key), None


def before_table(docs):
    """Markdown: per BEFORE_ROWS row and model, BENCH_BEFORE's image / this
    build, 1 CPU, both in the same interrupt mode (before_mode, named in
    the column's head), and the change (above 1 better), marked when below
    BEFORE_FLOOR; n/a when the two read back different modes; "" when no
    document has a before column.  The ROUND_KEYS rows of a document with
    before_rounds (bench/run.py: the full boot and BENCH_BEFORE_ROUNDS - 1
    light boots of each image, alternating) show the medians, the change
    between them and, in the range column, each image's min-max and boots;
    the other rows are one boot each and say so."""
    docs = [d for d in docs if d["results"].get(BEFORE)]
    if not docs:
        return ""
    md = "\nbarenet with 1 CPU, this build against BENCH_BEFORE's (%s), back to back on " \
        "this host, both in the interrupt mode the column names; change: above 1 is better " \
        "(lower-is-better rows inverted), **below %.2f** marked. Rows with a range: the " \
        "median of several boots of each image (the full measurement, then light boots " \
        "alternating before, now, ...), the change from the medians, and each image's " \
        "min-max (boots); the other rows: one boot of each:\n\n" % (
            "; ".join(sorted({d["meta"].get("before", "?") for d in docs})), BEFORE_FLOOR)

    def cell(d, key):
        b, a, boots = before_values(d, key)
        differs = before_mode(d)[1]
        c = None if differs else before_change(key, a, b)
        txt = differs or ("n/a" if c is None else
                          ("**%.2f**" % c if c < BEFORE_FLOOR else "%.2f" % c))
        return "%s (%s)" % (_pair(b, a, key), txt)

    def spread(d, key):
        boots = before_values(d, key)[2]
        if boots is None:
            return "1 boot each"
        rounds = d["before_rounds"]
        parts = []
        for which in ("before", "now"):
            _, lo, hi, n = round_stats(rounds[which][key])
            parts.append("%s-%s (%d)" % (fmt(lo, key), fmt(hi, key), n))
        return "; ".join(parts)
    columns = []
    for d in docs:
        columns.append((d, "before / now (change), %s" % before_mode(d)[0], cell))
        columns.append((d, "range before; now (boots)", spread))
    return md + columns_table(columns, BEFORE_ROWS)


def columns_table(columns, rows):
    """Markdown: one column per (doc, head, cell) of columns ("<model>
    head"), one row per (key, label) of rows, each cell cell(doc, key)."""
    md = "| measure | " + " | ".join("%s %s" % (d["meta"]["model"], h)
                                      for d, h, _ in columns) + " |\n"
    md += "|---|" + "---:|" * len(columns) + "\n"
    for key, label in rows:
        md += "| %s | %s |\n" % (label, " | ".join(c(d, key) for d, _, c in columns))
    return md


def headline_table(docs, head, cell):
    """Markdown: one column per document ("<model> head", head a string
    or a function of the document), one row per HEADLINE measure, each
    cell cell(doc, key)."""
    return columns_table([(d, head(d) if callable(head) else head, cell) for d in docs],
                         HEADLINE)


def table(results):
    """Markdown: one row per ROWS entry, barenet | Linux | barenet/Linux;
    with a 2-CPU barenet in results also barenet 2 CPUs and 2 CPUs / 1 CPU
    (the barenet columns are then 1 CPU)."""
    bn, lx, bn2 = results.get("barenet", {}), results.get("linux", {}), results.get(BN2)
    if not bn2:
        out = ["| measure | unit | barenet | Linux | barenet/Linux |",
               "|---|---|---:|---:|---:|"]
    else:
        out = ["| measure | unit | barenet 1 CPU | Linux | barenet/Linux | barenet 2 CPUs "
               "| 2 CPUs / 1 CPU |", "|---|---|---:|---:|---:|---:|---:|"]
    for key, label, unit, _ in ROWS:
        a, b = bn.get(key), lx.get(key)
        row = "| %s | %s | %s | %s | %s |" % (label, unit, fmt(a, key), fmt(b, key), ratio(a, b))
        if bn2:
            row += " %s | %s |" % (fmt(bn2.get(key), key), ratio(bn2.get(key), a))
        out.append(row)
    return "\n".join(out) + "\n"


# -- the socket API against the callback services ------------------------------
# bench/run.py:measure_sock: the UDP echo cells (size, in flight), each
# measured on the kernel's callback echo and on the application's
# recvfrom/sendto loop back to back in one boot, then TCP both ways
SOCK_UDP = [(64, 1), (64, 8), (1400, 8)]
SOCK_ROWS = [("udp_%d_%d" % c, "UDP echo %d B, %d in flight" % c, "req/s") for c in SOCK_UDP] + [
    ("tcp_to_guest_mbps", "TCP host->guest (iperf -c; lwiperf / the application's read loop)",
     "Mbit/s"),
    ("tcp_from_guest_mbps", "TCP guest->host (host's iperf listener; lwiperf / the "
     "application's write loop)", "Mbit/s")]
# issue 15: the socket API's UDP echo at least this share of the callback's
SOCK_UDP_TARGET = 0.8


def sock_table(results):
    """Markdown: per SOCK_ROWS row the callback service, the socket API
    and socket / callback, with 1 CPU and (when measured) with 2; the UDP
    rows say whether socket / callback reaches SOCK_UDP_TARGET.  "" when
    results hold no socket cells."""
    cols = [(k, results[k]["sock"]) for k in ("barenet", BN2) if results.get(k, {}).get("sock")]
    if not cols:
        return ""
    head = "| measure | unit |"
    for k, _ in cols:
        n = "1 CPU" if k == "barenet" else "2 CPUs"
        head += " callback, %s | socket API, %s | socket / callback, %s |" % (n, n, n)
    out = [head, "|---|---|" + "---:|---:|---:|" * len(cols)]
    for key, label, unit in SOCK_ROWS:
        row = "| %s | %s |" % (label, unit)
        for _, sock in cols:
            c = sock.get(key) or {}
            a, b = c.get("callback"), c.get("socket")
            r = ratio(b, a)
            if key.startswith("udp_") and r != "n/a":
                r += " (%s %.1f)" % ("≥" if b / a >= SOCK_UDP_TARGET else "below", SOCK_UDP_TARGET)
            row += " %s | %s | %s |" % (fmt(a, key), fmt(b, key), r)
        out.append(row)
    return "\n".join(out) + "\n"


def proc_cpu_seconds(pid):
    """user + system CPU time of process pid so far, in seconds"""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def header(meta):
    """The lines above the table: what ran where."""
    keys = [("date", "date"), ("machine", "machine"), ("cores", "host cores"),
            ("qemu", "QEMU"), ("accel", "accelerator"), ("model", "NIC model"),
            ("mode", "interrupt mode"), ("linux", "Linux guest"),
            ("barenet", "barenet"), ("duration_s", "bench time (s)")]
    return "\n".join("- %s: %s" % (label, meta[k]) for k, label in keys if k in meta) + "\n"


# -- interrupt modes -----------------------------------------------------------
# The modes barenet offers per NIC model (QEMU's e1000, an 82540EM, has no
# MSI or MSI-X capability; e1000e and igb have both), the model's default
# (what irqmode=auto picks) first.
MODEL_MODES = {"e1000": ["intx"], "e1000e": ["msix", "msi", "intx"],
               "igb": ["msix", "msi", "intx"]}
MODES = ("msix", "msi", "intx")
MODE_NAMES = {"msix": "MSI-X", "msi": "MSI", "intx": "INTx"}
# e1000e's IntMode= module parameter (drivers/net/ethernet/intel/e1000e/param.c)
E1000E_INTMODE = {"intx": 0, "msi": 1, "msix": 2}
# why the Linux guest cannot be put in a mode; checked with modinfo on the
# Debian 6.1 modules: igb's only parameters are debug and max_vfs
LINUX_NO_MODE = {
    ("igb", "msi"): "Linux's igb has no MSI-only switch (modinfo igb: debug, max_vfs; "
                    "pci=nomsi turns MSI off too): it uses MSI only when MSI-X fails",
}


def bench_cells(models, modes):
    """The (model, mode) cells a run measures, in order, and notes on the
    requested modes a model does not offer.  modes: None (every mode of
    every model), ["default"] (each model's default mode, the first of
    MODEL_MODES) or a list of MODES."""
    cells, notes = [], []
    if modes == ["default"]:
        return [(model, MODEL_MODES[model][0]) for model in models], notes
    for model in models:
        for mode in MODEL_MODES[model]:
            if modes is None or mode in modes:
                cells.append((model, mode))
        for mode in modes or []:
            if mode not in MODEL_MODES[model]:
                notes.append("%s has no %s (QEMU's model offers %s): skipped"
                             % (model, MODE_NAMES[mode],
                                ", ".join(MODE_NAMES[m] for m in MODEL_MODES[model])))
    return cells, notes


def linux_mode_args(model, mode):
    """(extra Linux command line, None) for a mode, or (None, reason) when
    the Linux guest cannot be told to use it."""
    if (model, mode) in LINUX_NO_MODE:
        return None, LINUX_NO_MODE[(model, mode)]
    if model == "e1000e":
        return " bn_modopt=IntMode=%d" % E1000E_INTMODE[mode], None
    if mode == "intx":
        return " pci=nomsi", None
    return "", None


def irq_rows(text, dev="eth0"):
    """The chip column of dev's rows in /proc/interrupts, one per row."""
    lines = text.strip("\n").splitlines()
    ncpu = len(lines[0].split())
    chips = []
    for line in lines[1:]:
        label, _, rest = line.partition(":")
        f = rest.split()
        if label.strip().isdigit() and any(x == dev or x.startswith(dev + "-") for x in f[ncpu:]):
            chips.append(f[ncpu] if len(f) > ncpu else "?")
    return chips


def msi_kinds(text):
    """The kinds ("msi", "msix") in a listing of Linux's
    /sys/bus/pci/devices/*/msi_irqs/<irq> files, one "<irq> <kind>" a line."""
    return sorted({line.split()[-1] for line in text.splitlines()
                   if len(line.split()) == 2 and line.split()[-1] in ("msi", "msix")})


def barenet_irq_kind(dmesg):
    """The interrupt mode barenet's e1000 driver reports at probe
    ("eth0: ... irq msix vector 0x..."), or None."""
    m = re.search(r"\beth0: .* irq (msix|msi|intx) vector", dmesg)
    return m.group(1) if m else None


def irq_mode_readback(interrupts, kinds):
    """(mode, evidence) a guest really used: /proc/interrupts names the chip
    of eth0's rows (IO-APIC or XT-PIC: INTx; PCI-MSI: MSI or MSI-X, which
    Linux 6.1 and barenet print alike), kinds (from msi_kinds or
    barenet_irq_kind) tells MSI from MSI-X.  mode is None if unclear."""
    rows = irq_rows(interrupts)
    chips = sorted(set(rows))
    evidence = "%s x%d" % ("/".join(chips) or "no eth0 row", len(rows))
    if chips and all(c in ("IO-APIC", "XT-PIC") for c in chips):
        return "intx", evidence
    if chips == ["PCI-MSI"] and len(kinds) == 1 and kinds[0] in ("msi", "msix"):
        return kinds[0], evidence + ", " + kinds[0]
    return None, evidence + (", " + "/".join(kinds) if kinds else "")


# -- pages ---------------------------------------------------------------------
def _pair(a, b, key=""):
    return "%s / %s" % (fmt(a, key), fmt(b, key))


def top_rx(load):
    """Frames/s the guest received at the highest offered-load step of a
    sweep (rows as bench/run.py's load_sweep writes them), or None."""
    return load[-1][4] if load else None


def mode_table(model, modes):
    """Markdown: one row per interrupt mode measured on model; modes is
    {mode: {"barenet": cell, "linux": cell}} (bench/run.py's per-mode
    cells; a Linux cell {"na": reason} when Linux cannot use the mode)."""
    out = ["| mode asked | barenet ran in | Linux ran in | first ping (s) barenet / Linux "
           "| RTT p50 (ms) barenet / Linux | RTT p99 (ms) barenet / Linux "
           "| IRQs per rx frame: barenet NAPI / napi=off / Linux "
           "| rx frames/s at the top load step: barenet NAPI / napi=off / Linux |",
           "|---|---|---|---:|---:|---:|---:|---:|"]
    notes = []
    two = any(modes[m].get(BN2) for m in modes)
    if two:
        out[0] += (" barenet 2 CPUs: RTT p50 (ms) / IRQs per rx frame / rx frames/s at the "
                   "top load step |")
        out[1] += "---:|"
    for mode in MODEL_MODES[model]:
        if mode not in modes:
            continue
        bn, lx = modes[mode]["barenet"], modes[mode]["linux"]
        off = bn.get("napi_off") or {}
        bn2 = modes[mode].get(BN2) or {}
        if "na" in lx:
            notes.append("Linux in %s: n/a: %s." % (MODE_NAMES[mode], lx["na"]))
            lx_ran = "n/a (see below)"
        else:
            lx_ran = "%s (%s)" % (MODE_NAMES.get(lx.get("mode"), "unclear"), lx.get("evidence"))
        out.append("| %s | %s (%s) | %s | %s | %s | %s | %s / %s / %s | %s / %s / %s |" % (
            MODE_NAMES[mode], MODE_NAMES.get(bn.get("mode"), "unclear"), bn.get("evidence"),
            lx_ran, _pair(bn.get("boot_to_ping_s"), lx.get("boot_to_ping_s")),
            _pair(bn.get("rtt_p50_ms"), lx.get("rtt_p50_ms")),
            _pair(bn.get("rtt_p99_ms"), lx.get("rtt_p99_ms")),
            fmt(bn.get("irq_per_rx_frame")), fmt(off.get("irq_per_rx_frame")),
            fmt(lx.get("irq_per_rx_frame")),
            fmt(top_rx(bn.get("load"))), fmt(top_rx(off.get("load"))), fmt(top_rx(lx.get("load")))))
        if two:
            out[-1] += " %s / %s / %s |" % (fmt(bn2.get("rtt_p50_ms")),
                                           fmt(bn2.get("irq_per_rx_frame")),
                                           fmt(top_rx(bn2.get("load"))))
        for kind, cell in (("barenet", bn), ("Linux", lx)):
            if "na" not in cell and cell.get("mode") != mode:
                notes.append("%s asked for %s ran in %s%s." % (
                    kind, MODE_NAMES[mode], MODE_NAMES.get(cell.get("mode"), "an unclear mode"),
                    " (its driver: \"%s\")" % cell["driver_said"] if cell.get("driver_said")
                    else ""))
    return "\n".join(out) + "\n" + "".join("\n" + n + "\n" for n in notes)


# the summary's headline rows: (key, label)
HEADLINE = [("boot_to_ping_s", "first answered ping after QEMU start (s)"),
            ("rtt_p50_ms", "ping RTT p50 (ms)"),
            ("rtt_p99_ms", "ping RTT p99 (ms)"),
            ("udp_64_8", "UDP echo 64 B, 8 in flight (req/s)"),
            ("udp_1400_8", "UDP echo 1400 B, 8 in flight (req/s)"),
            ("tcp_to_guest_mbps", "TCP host->guest (Mbit/s)"),
            ("tcp_from_guest_mbps", "TCP guest->host (Mbit/s)"),
            ("irq_per_rx_frame", "hard IRQs per received frame, UDP flood"),
            ("min_mem_mib", "smallest -m that serves (MiB)"),
            ("image_bytes", "image size (bytes)")]
# the before table's rows: HEADLINE with the 1-in-flight UDP cells (ROUND_KEYS)
BEFORE_ROWS = HEADLINE[:3] + [("udp_64_1", "UDP echo 64 B, 1 in flight (req/s)")] + \
    HEADLINE[3:4] + [("udp_1400_1", "UDP echo 1400 B, 1 in flight (req/s)")] + HEADLINE[4:]


def summary(docs, pages):
    """Markdown: the headline numbers of every model (its default mode) in
    one table, barenet / Linux (ratio), then IRQs per frame per mode.
    docs: the per-model .json documents; pages: their .md file names."""
    if not docs:
        return ""
    if all(d.get("only") == "sock" for d in docs):
        return sock_summary(docs, pages)
    meta = docs[0]["meta"]
    md = "# barenet vs Linux, all models (%s, %s)\n\n" % (meta["accel"].upper(), meta["date"])
    md += "- machine: %s, %s host cores; %s; accelerator %s\n" % (
        meta["machine"], meta["cores"], meta["qemu"], meta["accel"].upper())
    md += "- barenet %s; Linux guest: %s\n" % (meta["barenet"], meta["linux"])
    if meta.get("idle_host_cpu"):
        idle = meta["idle_host_cpu"]
        md += "- idle host CPU use (cores) of a barenet guest: 1 CPU %s, 2 CPUs %s\n" % (
            fmt(idle.get("1")), fmt(idle.get("2")))
    md += "- per model: %s\n" % ", ".join(
        "[%s](%s)" % (d["meta"]["model"], p) for d, p in zip(docs, pages))
    md += "- full cells in each model's default mode (%s); cells per mode below\n\n" % ", ".join(
        "%s %s" % (d["meta"]["model"], MODE_NAMES[d["full_mode"]]) for d in docs)
    def vs_linux(d, key):
        a, b = d["results"]["barenet"].get(key), d["results"]["linux"].get(key)
        return "%s (%s)" % (_pair(a, b, key), ratio(a, b))

    def vs_2cpu(d, key):
        a, b = d["results"]["barenet"].get(key), (d["results"].get(BN2) or {}).get(key)
        return "%s (%s)" % (_pair(a, b, key), ratio(b, a))
    md += headline_table(docs, "barenet / Linux (ratio)", vs_linux)
    if any(d["results"].get(BN2) for d in docs):
        md += "\nbarenet with 1 and with 2 CPUs, back to back (same cells):\n\n"
        md += headline_table(docs, "1 CPU / 2 CPUs (ratio)", vs_2cpu)
    md += before_table(docs)
    md += sock_summary_rows(docs)
    md += "\nPer interrupt mode (the mode each guest really ran in, read back from the guest):\n\n"
    md += ("| model | mode | barenet ran in | Linux ran in | IRQs per rx frame: barenet NAPI / "
           "napi=off / Linux | RTT p50 (ms) barenet / Linux |\n|---|---|---|---|---:|---:|\n")
    for d in docs:
        model = d["meta"]["model"]
        for mode in MODEL_MODES[model]:
            if mode not in d["modes"]:
                continue
            bn, lx = d["modes"][mode]["barenet"], d["modes"][mode]["linux"]
            off = bn.get("napi_off") or {}
            md += "| %s | %s | %s | %s | %s / %s / %s | %s |\n" % (
                model, MODE_NAMES[mode], MODE_NAMES.get(bn.get("mode"), "unclear"),
                "n/a" if "na" in lx else MODE_NAMES.get(lx.get("mode"), "unclear"),
                fmt(bn.get("irq_per_rx_frame")), fmt(off.get("irq_per_rx_frame")),
                fmt(lx.get("irq_per_rx_frame")), _pair(bn.get("rtt_p50_ms"), lx.get("rtt_p50_ms")))
    return md


def sock_summary_rows(docs):
    """Markdown: SOCK_ROWS per model, socket API / callback (ratio), with 1
    CPU and with 2; "" when no document has socket cells."""
    if not any((d["results"].get(k) or {}).get("sock") for d in docs for k in ("barenet", BN2)):
        return ""
    md = "\nThe socket API (an application, tests/apps/sockbench.c) against the callback " \
         "services, in one boot each, barenet 1 CPU; 2 CPUs:\n\n"
    md += "| measure | " + " | ".join("%s socket / callback (ratio)" % d["meta"]["model"]
                                      for d in docs) + " |\n"
    md += "|---|" + "---:|" * len(docs) + "\n"
    for key, label, unit in SOCK_ROWS:
        cells = []
        for d in docs:
            parts = []
            for k in ("barenet", BN2):
                c = ((d["results"].get(k) or {}).get("sock") or {}).get(key) or {}
                if c:
                    parts.append("%s (%s)" % (_pair(c.get("socket"), c.get("callback"), key),
                                              ratio(c.get("socket"), c.get("callback"))))
            cells.append("; ".join(parts) or "n/a")
        md += "| %s (%s) | %s |\n" % (label, unit, " | ".join(cells))
    return md


def sock_summary(docs, pages):
    """Markdown: the summary of a BENCH_ONLY=sock run (socket cells only)."""
    meta = docs[0]["meta"]
    md = "# barenet: the socket API against the callback services (%s, %s)\n\n" % (
        meta["accel"].upper(), meta["date"])
    md += "- machine: %s, %s host cores; %s; accelerator %s\n" % (
        meta["machine"], meta["cores"], meta["qemu"], meta["accel"].upper())
    md += "- barenet %s; BENCH_ONLY=sock (no Linux guest)\n" % meta["barenet"]
    md += "- per model: %s\n" % ", ".join(
        "[%s](%s)" % (d["meta"]["model"], p) for d, p in zip(docs, pages))
    md += "- each model in its default mode (%s)\n" % ", ".join(
        "%s %s" % (d["meta"]["model"], MODE_NAMES[d["full_mode"]]) for d in docs)
    return md + sock_summary_rows(docs)


def wait_udp_echo(net, guest, port, timeout=30):
    """True once guest's UDP echo on port answers a probe from the
    namespace net (lwIP routes UDP only after it has seen the carrier;
    inetd starts late in the Linux init)."""
    import socket
    import time
    s = net.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            s.sendto(b"probe", (guest, port))
            try:
                if s.recvfrom(2048)[0] == b"probe":
                    return True
            except socket.timeout:
                pass
        return False
    finally:
        s.close()


def write_doc(base, doc, render):
    """base.json (doc) and base.md (render(doc)); the page printed too."""
    import json
    with open(base + ".json", "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    md = render(doc)
    with open(base + ".md", "w") as f:
        f.write(md)
    print(md, flush=True)


def write_run(out_dir, now, doc, render, t0):
    """a bench run's doc (bench/iperf3.py, bench/tcp.py): its meta's
    duration_s since t0 (time.monotonic()), then write_doc as out_dir/
    <now's date and time>.json and .md; the base path returned"""
    doc["meta"]["duration_s"] = round(time.monotonic() - t0)
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, now.strftime("%Y-%m-%d-%H%M"))
    write_doc(base, doc, render)
    return base


def machine():
    """(the host CPU's model name, QEMU's version line) for a page's header"""
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    return cpu, qemu
