"""The /proc and /sys views, parsed the way the Linux tools parse them
(irqbalance and procps for /proc/interrupts, procps/net-tools for
/proc/net/dev, ...), each line also compared with Linux's own format string,
and their numbers compared with what the test made happen.

No NIC driver binds in the kernel on this branch yet, so /proc/net/dev has
only lwIP's loopback `lo` (with no traffic to count); the device lines are
checked by format whenever a device is there, and with known numbers by the
host test tests/unit/test_views.c."""
import re
import time

import pytest

from harness import Guest, report

HZ = 100
SOFTIRQS = ["HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
            "HRTIMER", "RCU"]
NET_DEV_HEADER = (
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast"
    "|bytes    packets errs drop fifo colls carrier compressed\n")
NET_DEV_FIELDS = ["rx_bytes", "rx_packets", "rx_errs", "rx_drop", "rx_fifo", "rx_frame",
                  "rx_compressed", "rx_multicast", "tx_bytes", "tx_packets", "tx_errs",
                  "tx_drop", "tx_fifo", "tx_colls", "tx_carrier", "tx_compressed"]
STATISTICS = ["rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
              "rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors",
              "rx_over_errors", "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors",
              "rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
              "tx_heartbeat_errors", "tx_window_errors", "rx_compressed", "tx_compressed",
              "rx_nohandler", "rx_otherhost_dropped"]
SYSCTLS = {  # name: (default, a good new value, bad values)
    "net.core.netdev_budget": (300, 600, ["0", "-5", "100001", "abc", "3x", ""]),
    "net.core.netdev_budget_usecs": (2000, 8000, ["-1", "1000001", "2.5"]),
    "net.core.dev_weight": (64, 16, ["0", "100001", "sixty"]),
    "net.core.netdev_max_backlog": (1000, 2500, ["0", "1000001", "0x10"]),
    # barenet's NAPI switch (ethtool branch): 1 NAPI, 0 one frame per interrupt
    "net.core.napi": (1, 0, ["2", "-1", "on"]),
}


# --- parsers -----------------------------------------------------------------

def parse_interrupts(text):
    """As irqbalance's procinterrupts.c does: the CPU columns from the header,
    then per line the label before ':' and one count per CPU; the rest of a
    numbered line is the description (chip, hwirq-flow, names)."""
    lines = text.splitlines()
    cpus = lines[0].split()
    assert cpus and all(re.fullmatch(r"CPU\d+", c) for c in cpus), lines[0]
    rows = {}
    for line in lines[1:]:
        label, rest = line.split(":", 1)
        label = label.strip()
        fields = rest.split()
        if label in ("ERR", "MIS"):          # one system-wide count
            rows[label] = ([int(fields[0])], fields[1:])
        else:
            rows[int(label) if label.isdigit() else label] = (
                [int(x) for x in fields[:len(cpus)]], fields[len(cpus):])
    return cpus, rows


def linux_interrupt_line(irq, counts, chip, hwirq, flow, names):
    """kernel/irq/proc.c show_interrupts() for prec 3"""
    s = "%*d: " % (3, irq) + "".join("%10u " % c for c in counts)
    s += " %8s" % chip + " %*s" % (3, hwirq) + "-%-8s" % flow
    if names:
        s += "  " + ", ".join(names)
    return s


def parse_softirqs(text):
    lines = text.splitlines()
    cpus = lines[0].split()
    assert lines[0] == " " * 20 + "".join("CPU%-8d" % i for i in range(len(cpus))), lines[0]
    rows = []
    for line in lines[1:]:
        name, rest = line.split(":")
        counts = [int(x) for x in rest.split()]
        assert line == "%12s:" % name.strip() + "".join(" %10d" % c for c in counts), line
        rows.append((name.strip(), counts))
    return cpus, rows


def parse_net_dev(text):
    """procps/net-tools: two header lines, then 'iface: 16 numbers'"""
    assert text.startswith(NET_DEV_HEADER), text
    devs = {}
    for line in text[len(NET_DEV_HEADER):].splitlines():
        name, data = line.split(":", 1)
        values = [int(x) for x in data.split()]
        assert len(values) == 16, line
        assert line == ("%6s: %7d %7d %4d %4d %4d %5d %10d %9d %8d %7d %4d %4d %4d %5d %7d %10d"
                        % tuple([name.strip()] + values)), line
        devs[name.strip()] = dict(zip(NET_DEV_FIELDS, values))
    return devs


def parse_meminfo(text):
    info = {}
    for line in text.splitlines():
        m = re.fullmatch(r"(\w+):\s+(\d+) kB", line)
        assert m, line
        assert line == "%-16s%8d kB" % (m.group(1) + ":", int(m.group(2))), line
        info[m.group(1)] = int(m.group(2))
    return info


def parse_uptime(text):
    m = re.fullmatch(r"(\d+\.\d\d) (\d+\.\d\d)\n", text)
    assert m, repr(text)
    return float(m.group(1)), float(m.group(2))


# --- guests ------------------------------------------------------------------

@pytest.fixture(scope="module", params=["apic", "8259"])
def guest(kernel, request):
    with Guest("proc-" + request.param, append="pic=" + request.param) as g:
        g.wait_prompt(30)
        g.mode = request.param
        yield g


def cat(g, *paths):
    return g.shell("cat " + " ".join(paths))


def snapshot(g):
    """uptime and interrupts read by one command, so they are close in time"""
    out = cat(g, "/proc/uptime", "/proc/interrupts")
    first, rest = out.split("\n", 1)
    return parse_uptime(first + "\n")[0], parse_interrupts(rest)


# --- /proc/interrupts --------------------------------------------------------

def test_interrupts_layout_is_linux(guest):
    text = cat(guest, "/proc/interrupts")
    cpus, rows = parse_interrupts(text)
    assert cpus == ["CPU0"]
    lines = text.splitlines()
    assert lines[0] == " " * 11 + "CPU0       "
    numbered = [l for l in lines[1:] if l.split(":")[0].strip().isdigit()]
    chip = "IO-APIC" if guest.mode == "apic" else "XT-PIC"
    for line in numbered:
        m = re.fullmatch(r" *(\d+): +(\d+) +(\S+) +(\d+)-(\w+) *(?:  (.*))?", line)
        assert m, line
        names = m.group(6).split(", ") if m.group(6) else []
        assert line == linux_interrupt_line(int(m.group(1)), [int(m.group(2))], m.group(3),
                                            m.group(4), m.group(5), names), line
    # COM1 on ISA IRQ 4 (the IOAPIC's pin 4 on QEMU: no override for it)
    assert rows[4][1] == [chip, "4-edge", "ttyS0"], rows[4]
    if guest.mode == "8259":
        assert rows[0][1] == ["XT-PIC", "0-edge", "tick"], rows[0]
    # Linux's arch rows, in its order, with its texts
    tail = lines[len(numbered) + 1:]
    assert [l.split(":")[0].strip() for l in tail] == ["NMI", "LOC", "SPU", "ERR"], tail
    assert tail[0] == "NMI: %10d   Non-maskable interrupts" % rows["NMI"][0][0]
    assert tail[1] == "LOC: %10d   Local timer interrupts" % rows["LOC"][0][0]
    assert tail[2] == "SPU: %10d   Spurious interrupts" % rows["SPU"][0][0]
    assert tail[3] == "ERR: %10d" % rows["ERR"][0][0]


def test_timer_interrupts_grow_at_hz(guest):
    t0, (_, r0) = snapshot(guest)
    time.sleep(2.0)
    t1, (_, r1) = snapshot(guest)
    dt = t1 - t0
    # APIC mode ticks from the LAPIC timer (LOC); 8259 mode from the PIT on IRQ 0
    key = "LOC" if guest.mode == "apic" else 0
    ticks = r1[key][0][0] - r0[key][0][0]
    report("/proc/interrupts (%s): %s grew by %d in %.2f s of /proc/uptime (HZ=%d)"
           % (guest.mode, key, ticks, dt, HZ))
    assert dt >= 1.5
    assert abs(ticks - HZ * dt) <= 0.1 * HZ * dt + 3, (ticks, dt)
    if guest.mode == "8259":
        assert r1["LOC"][0][0] == r0["LOC"][0][0] == 0
    for key in r0:
        assert r1[key][0][0] >= r0[key][0][0], key


def test_irq_directory_and_affinity(guest):
    _, rows = parse_interrupts(cat(guest, "/proc/interrupts"))
    numbered = sorted(k for k in rows if isinstance(k, int))
    listed = guest.shell("ls /proc/irq").split()
    assert sorted(int(x.rstrip("/")) for x in listed) == numbered
    assert all(x.endswith("/") for x in listed), listed
    for irq in numbered:
        assert guest.shell("ls /proc/irq/%d" % irq).split() == ["smp_affinity",
                                                                "smp_affinity_list"]
        assert cat(guest, "/proc/irq/%d/smp_affinity" % irq) == "1\n"
        assert cat(guest, "/proc/irq/%d/smp_affinity_list" % irq) == "0\n"
    assert cat(guest, "/proc/irq/200/smp_affinity") == \
        "cat: /proc/irq/200/smp_affinity: No such file or directory\n"


# --- softirqs, softnet -------------------------------------------------------

def test_softirqs(guest):
    cpus, rows0 = parse_softirqs(cat(guest, "/proc/softirqs"))
    assert cpus == ["CPU0"]
    assert [name for name, _ in rows0] == SOFTIRQS
    time.sleep(1.0)
    _, rows1 = parse_softirqs(cat(guest, "/proc/softirqs"))
    for (name, c0), (_, c1) in zip(rows0, rows1):
        assert c1[0] >= c0[0], name
    timer = rows1[1][1][0] - rows0[1][1][0]
    # TIMER runs when lwIP's next timeout is due (net_timers_due), not
    # every tick: no rate to hold it to, but it must not move backwards
    report("/proc/softirqs (%s): TIMER +%d, NET_RX +%d over ~1 s"
           % (guest.mode, timer, rows1[3][1][0] - rows0[3][1][0]))


def test_softnet_stat(guest):
    lines = cat(guest, "/proc/net/softnet_stat").splitlines()
    assert len(lines) == 1                      # one line per CPU
    cols = lines[0].split(" ")
    assert len(cols) == 13 and all(re.fullmatch(r"[0-9a-f]{8}", c) for c in cols), lines
    values = [int(c, 16) for c in cols]
    assert values[12] == 0                      # the CPU number
    assert values[3:9] == [0] * 6               # Linux's retired columns


# --- net devices -------------------------------------------------------------

def test_net_dev_and_sysfs_statistics(guest):
    devs = parse_net_dev(cat(guest, "/proc/net/dev"))
    # lwIP's loopback netif is listed first, as Linux lists lo
    assert list(devs)[0] == "lo", devs
    listed = [x.rstrip("/") for x in guest.shell("ls /sys/class/net").split()]
    assert sorted(listed) == sorted(devs)
    for name, fields in devs.items():
        stats = guest.shell("ls /sys/class/net/%s/statistics" % name).split()
        assert stats == sorted(STATISTICS)
        values = {s: int(cat(guest, "/sys/class/net/%s/statistics/%s" % (name, s)))
                  for s in STATISTICS}
        # the sysfs files read after /proc/net/dev: never smaller
        for col, stat in [("rx_bytes", "rx_bytes"), ("rx_packets", "rx_packets"),
                          ("tx_bytes", "tx_bytes"), ("tx_packets", "tx_packets"),
                          ("rx_errs", "rx_errors"), ("tx_errs", "tx_errors"),
                          ("rx_multicast", "multicast"), ("tx_colls", "collisions")]:
            assert values[stat] >= fields[col], (name, stat)
        assert values["rx_dropped"] + values["rx_missed_errors"] >= fields["rx_drop"]
    report("/proc/net/dev (%s): %s (this guest has no NIC; NIC lines are checked with "
           "known numbers by tests/unit/test_views.c and with traffic by test_netviews.py)"
           % (guest.mode, ", ".join(devs)))
    assert cat(guest, "/sys/class/net/eth9/statistics/rx_bytes").startswith(
        "cat: /sys/class/net/eth9/statistics/rx_bytes: No such file")


# --- memory, uptime, version, cmdline, dmesg ----------------------------------

def test_meminfo_and_free(guest):
    info = parse_meminfo(cat(guest, "/proc/meminfo"))
    assert list(info) == ["MemTotal", "MemFree", "MemAvailable"]
    boot = re.search(r"mm: ram total (\d+) KiB, free (\d+) KiB", guest.output)
    assert info["MemTotal"] == int(boot.group(1))
    assert 0 < info["MemFree"] <= info["MemTotal"]
    # the heap used since that line is small
    assert int(boot.group(2)) - info["MemFree"] < 4096
    assert info["MemAvailable"] == info["MemFree"]
    lines = guest.shell("free").splitlines()
    assert lines[0].split() == ["total", "used", "free", "shared", "buff/cache", "available"]
    mem = lines[1].split()
    assert mem[0] == "Mem:"
    total, used, free = int(mem[1]), int(mem[2]), int(mem[3])
    assert total == info["MemTotal"] and used + free == total
    assert abs(free - info["MemFree"]) < 64


def test_uptime_follows_the_clock(guest):
    up0, idle0 = parse_uptime(cat(guest, "/proc/uptime"))
    t0 = time.monotonic()
    time.sleep(1.5)
    up1, idle1 = parse_uptime(cat(guest, "/proc/uptime"))
    host = time.monotonic() - t0
    assert 0.7 * host <= up1 - up0 <= 1.3 * host + 0.1, (up0, up1, host)
    assert idle1 <= up1
    # the guest sat at its prompt: mostly halted
    assert idle1 - idle0 >= 0.5 * (up1 - up0), (idle0, idle1)
    out = guest.shell("uptime")
    assert re.fullmatch(r"up \d\d:\d\d:\d\d\.\d\d, idle \d+%\n", out), out


def test_version_and_cmdline(guest):
    assert re.fullmatch(r"barenet version \d+\.\d+\.\d+ \(\S+\) \(gcc version [^)]+\) #1\n",
                        cat(guest, "/proc/version"))
    assert cat(guest, "/proc/cmdline") == "pic=%s\n" % guest.mode


def test_dmesg_is_the_boot_log(guest):
    out = guest.shell("dmesg")
    ready = re.search(r"^\[ *\d+\.\d{6}\] barenet: ready in .*$", guest.output, re.M).group(0)
    assert ready in out.splitlines()
    assert out.splitlines()[0] == guest.output.splitlines()[0]


def test_ls_root_and_proc(guest):
    assert guest.shell("ls /").split() == ["proc/", "sys/"]
    listing = guest.shell("ls /proc").split()
    for want in ["cmdline", "interrupts", "irq/", "meminfo", "net/", "softirqs", "sys/",
                 "uptime", "version"]:
        assert want in listing
    assert guest.shell("ls /proc/net").split() == ["arp", "dev", "netstat", "snmp",
                                                   "softnet_stat", "tcp", "udp"]
    assert guest.shell("ls /proc/uptime") == "/proc/uptime\n"


# --- sysctl ------------------------------------------------------------------

def sysctl_value(g, name):
    out = g.shell("sysctl " + name)
    m = re.fullmatch(re.escape(name) + r" = (-?\d+)\n", out)
    assert m, out
    proc = int(cat(g, "/proc/sys/" + name.replace(".", "/")))
    assert proc == int(m.group(1))
    return proc


def test_sysctl_all(guest):
    lines = guest.shell("sysctl -a").splitlines()
    assert sorted(l.split(" = ")[0] for l in lines) == sorted(SYSCTLS)
    assert guest.shell("ls /proc/sys/net/core").split() == sorted(
        n.split(".")[-1] for n in SYSCTLS)


@pytest.mark.parametrize("name", sorted(SYSCTLS))
def test_sysctl_write_reads_back_and_bad_values_change_nothing(guest, name):
    default, good, bad = SYSCTLS[name]
    assert sysctl_value(guest, name) == default
    assert guest.shell("sysctl -w %s=%d" % (name, good)) == "%s = %d\n" % (name, good)
    assert sysctl_value(guest, name) == good
    for value in bad:
        out = guest.shell("sysctl -w %s=%s" % (name, value))
        assert out.startswith('sysctl: setting key "%s": Invalid argument' % name), out
        assert guest.shell("echo $?") == "1\n"
        assert sysctl_value(guest, name) == good
    # procps accepts name=value without -w too
    assert guest.shell("sysctl %s=%d" % (name, default)) == "%s = %d\n" % (name, default)
    assert sysctl_value(guest, name) == default


def test_sysctl_unknown_name(guest):
    assert guest.shell("sysctl -w net.core.nope=1") == \
        "sysctl: cannot stat /proc/sys/net/core/nope: No such file or directory\n"
    assert guest.shell("echo $?") == "1\n"
    assert guest.shell("sysctl net.core.nope") == \
        "sysctl: cannot stat /proc/sys/net/core/nope: No such file or directory\n"
