"""Kernel threads and the scheduler (kernel/sched.c, kernel/kthread.c):
selftest=sched runs threads on every CPU (wait/wake ping-pong across CPUs
with wait_event_timeout, msleep, a wait that times out, two threads that
never sleep sharing CPU 0 through tick preemption), and `ps aux` lists
the kernel threads ([ksoftirqd/N], [kworker/N:0], [kpktgend_0], the
console shell's [shell/ttyS0]) in procps' layout."""
import re

import pytest

from harness import EXIT_OK, Guest, boot

PS_HEADER = "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND"
PS_ROW = re.compile(r"^root +(\d+) +(\d+\.\d) +0\.0 +0 +0 \? +([RSZ]) +(\d\d:\d\d) +(\d+:\d\d) "
                    r"\[(.+)\]$")


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_threads_wait_wake_sleep_and_preempt(kernel, smp):
    code, out = boot("sched-%d" % smp, smp=smp, append="exit=ready selftest=sched", timeout=120)
    assert code == EXIT_OK, out
    assert "Kernel panic" not in out and "EXCEPTION" not in out, out
    assert "selftest sched: passed" in out, out
    assert ("sched: test: %d CPUs, 200 wait/wake round trips each, no timeout" % smp) in out, out
    slept = re.findall(r"sched: test: msleep\(100\) on CPU(\d+) took (\d+) ms", out)
    assert [int(c) for c, _ in slept] == list(range(smp)), out
    # a tick is 10 ms: msleep(100) sleeps 100..130 ms, more on a loaded host
    assert all(100 <= int(ms) < 1000 for _, ms in slept), out
    m = re.search(r"sched: test: spinners on CPU0: b started (-?\d+) ms before a ended", out)
    # without preemption b would start only after a's 300 ms of spinning
    assert m and int(m.group(1)) >= 50, out


def ps(g):
    out = g.shell("ps aux")
    lines = out.splitlines()
    assert lines[0] == PS_HEADER, out
    rows = []
    for line in lines[1:]:
        m = PS_ROW.match(line)
        assert m, line
        rows.append(m.groups())
    return rows


@pytest.mark.parametrize("smp", [1, 2])
def test_ps_lists_the_kernel_threads(kernel, smp):
    """ksoftirqd/N and kworker/N:0 per CPU, kpktgend_0, and the console
    shell's thread, which runs ps (R); the others sleep (S)."""
    with Guest("sched-ps-%d" % smp, smp=smp) as g:
        g.wait_prompt(60)
        rows = ps(g)
    names = [r[5] for r in rows]
    assert names == (["ksoftirqd/%d" % c for c in range(smp)] +
                     ["kworker/%d:0" % c for c in range(smp)] +
                     ["kpktgend_0", "shell/ttyS0"]), rows
    pids = [int(r[0]) for r in rows]
    assert pids == sorted(pids) and pids[0] >= 1, rows
    # threads waiting for work sleep (S); the shell runs ps
    assert all(r[2] == ("R" if r[5] == "shell/ttyS0" else "S") for r in rows), rows
