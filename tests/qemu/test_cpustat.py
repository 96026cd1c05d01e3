"""/proc/stat: the kernel's CPU time accounting (kernel/cpustat.c) in
Linux's format, the same parser the bench uses for the Linux guest
(bench/benchlib.py).  Idle at the prompt is mostly idle; loopback traffic
shows as busy time; the columns add up to the uptime."""
import os
import re
import time
import sys

import pytest

from harness import DEFAULT_SMP, Guest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
import benchlib  # noqa: E402

USER_HZ = 100


@pytest.fixture(scope="module")
def guest(kernel):
    with Guest("cpustat", append="") as g:
        g.wait_prompt(30)
        yield g


def read(g):
    out = g.view("cat /proc/uptime /proc/stat")
    up = float(out.split()[0])
    return up, out.split("\n", 1)[1]


def test_layout_is_linux(guest):
    _, text = read(guest)
    lines = text.splitlines()
    assert re.fullmatch(r"cpu  \d+( \d+){9}", lines[0]), lines[0]
    ncpu = len([l for l in lines if re.match(r"cpu\d+ ", l)])
    assert ncpu == DEFAULT_SMP, lines
    for c in range(ncpu):
        assert re.fullmatch(r"cpu%d \d+( \d+){9}" % c, lines[1 + c]), lines[1 + c]
    # the sum line adds the CPUs' nanoseconds, each CPU's line truncates
    for col in range(1, 11):
        per = sum(int(lines[1 + c].split()[col]) for c in range(ncpu))
        assert per <= int(lines[0].split()[col]) <= per + ncpu, lines[:1 + ncpu]
    names = [l.split()[0] for l in lines[1 + ncpu:]]
    assert names == ["intr", "ctxt", "btime", "processes", "procs_running",
                     "procs_blocked", "softirq"], names
    softirq = [int(x) for x in lines[-1].split()[1:]]
    assert softirq[0] == sum(softirq[1:]), lines[-1]
    assert int(lines[1 + ncpu].split()[1]) > 0, lines[1 + ncpu]
    # ctxt counts real switches (it was a constant 0): the shell thread
    # alone switches in and out for every command, so it grows
    ctxt = int(lines[2 + ncpu].split()[1])
    assert ctxt > 0, lines[2 + ncpu]
    # (a command that arrives while the shell is still at work is read
    # without a sleep in between, fresh-clone make test once: read again
    # after a pause, when the shell has waited for input)
    for _ in range(5):
        time.sleep(0.3)
        again = [l for l in read(guest)[1].splitlines() if l.startswith("ctxt ")]
        if int(again[0].split()[1]) > ctxt:
            break
    assert int(again[0].split()[1]) > ctxt, (ctxt, again)


def test_columns_add_up_to_uptime(guest):
    up, text = read(guest)
    cpu = benchlib.parse_stat_cpu(text)
    assert cpu["user"] == cpu["nice"] == cpu["iowait"] == 0, cpu
    per_cpu = [sum(int(x) for x in l.split()[1:]) / USER_HZ
               for l in text.splitlines() if re.match(r"cpu\d+ ", l)]
    # the boot CPU's columns cover the time since boot (truncation: a few
    # ticks); an application processor's the time since it came up, which
    # its boot line stamps (on a loaded host the boot CPU may reach the
    # APs only a second or more into the uptime: QEMU's start and the
    # clock calibration count in it; a fresh-clone make test once had
    # CPU1 up at 1.04 s)
    assert abs(per_cpu[0] - up) <= 0.05 * up + 0.1, (per_cpu, up, cpu)
    came_up = {int(m.group(2)): float(m.group(1)) for m in re.finditer(
        r"\[\s*(\d+\.\d+)\] smp: CPU(\d+) \(APIC id \d+\) up", guest.output)}
    for c, t in enumerate(per_cpu[1:], 1):
        assert c in came_up, (c, came_up)
        since = up - came_up[c]
        assert since - 0.1 <= t <= since * 1.05 + 0.1, (c, per_cpu, up, came_up, cpu)


def test_idle_prompt_is_idle_and_load_is_busy(guest):
    _, t0 = read(guest)
    guest.watch(1.5)
    _, t1 = read(guest)
    idle_busy, _, total = benchlib.cpu_busy(benchlib.parse_stat_cpu(t0), benchlib.parse_stat_cpu(t1))
    assert total >= 100, total
    assert idle_busy < 0.5, (idle_busy, t0, t1)
    # loopback datagrams to the discard service: sent, looped, received by
    # softirqs; the CPU does nothing else meanwhile
    out = guest.shell("udpsend 127.0.0.1 9 20000 64", timeout=120)
    assert "cycles" in out, out
    _, t2 = read(guest)
    before, after = benchlib.parse_stat_cpu(t1), benchlib.parse_stat_cpu(t2)
    load_busy, busy, total = benchlib.cpu_busy(before, after)
    assert busy > 0 and load_busy > idle_busy, (load_busy, idle_busy, before, after)
    assert after["softirq"] + after["system"] > before["softirq"] + before["system"], (before, after)
