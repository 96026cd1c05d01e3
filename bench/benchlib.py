"""What the bench reads from both guests, and how it writes the results.

Parsers for the Linux-format views both guests give (/proc/stat,
/proc/interrupts, /proc/net/dev), percentiles, and the side-by-side table
(markdown) with the ratio barenet/Linux.  No QEMU here: tests/qemu/
test_bench_table.py checks it on fixed texts."""
import math

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


def table(results):
    """Markdown: one row per ROWS entry, barenet | Linux | barenet/Linux."""
    bn, lx = results.get("barenet", {}), results.get("linux", {})
    out = ["| measure | unit | barenet | Linux | barenet/Linux |",
           "|---|---|---:|---:|---:|"]
    for key, label, unit, _ in ROWS:
        a, b = bn.get(key), lx.get(key)
        out.append("| %s | %s | %s | %s | %s |" % (label, unit, fmt(a, key), fmt(b, key), ratio(a, b)))
    return "\n".join(out) + "\n"


def header(meta):
    """The lines above the table: what ran where."""
    keys = [("date", "date"), ("machine", "machine"), ("cores", "host cores"),
            ("qemu", "QEMU"), ("accel", "accelerator"), ("model", "NIC model"),
            ("mode", "interrupt mode"), ("linux", "Linux guest"),
            ("barenet", "barenet"), ("duration_s", "bench time (s)")]
    return "\n".join("- %s: %s" % (label, meta[k]) for k, label in keys if k in meta) + "\n"
