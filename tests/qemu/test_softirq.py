"""Softirq and NAPI on the real interrupt path (selftest=softirq,napi):
counts parsed from the kernel's own report, /proc/softirqs and
/proc/net/softnet_stat in Linux's layout, and the net.core.* / napi= options.
What netdev_budget does to a real NIC under a flood (time_squeeze), on each
model: test_tunables.py."""
import re

from harness import DEFAULT_SMP, EXIT_OK, boot

LINUX_SOFTIRQS = ["HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET",
                  "SCHED", "HRTIMER", "RCU"]
MAX_SOFTIRQ_RESTART = 10


def parse_softirqs(out):
    """The /proc/softirqs table printed after 'selftest softirq: /proc/softirqs'."""
    tail = out.split("selftest softirq: /proc/softirqs\n", 1)[1].splitlines()
    assert tail[0].split() == ["CPU%d" % c for c in range(DEFAULT_SMP)], tail[0]
    rows = []
    for line in tail[1:1 + len(LINUX_SOFTIRQS)]:
        m = re.match(r"^ *([A-Z_]+): +(\d+)( +\d+)*$", line)
        assert m, line
        rows.append((m.group(1), int(m.group(2))))
    return rows


def parse_softnet(out):
    line = out.split("selftest napi: /proc/net/softnet_stat\n", 1)[1].splitlines()[0]
    cols = line.split()
    assert len(cols) == 13 and all(re.fullmatch(r"[0-9a-f]{8}", c) for c in cols), line
    return [int(c, 16) for c in cols]


def test_softirqs_run_from_irq_exit_and_are_bounded(kernel):
    code, out = boot("softirq-selftest", append="exit=ready selftest=softirq", timeout=30)
    assert "selftest softirq: passed" in out, out
    m = re.search(r"selftest softirq: (\d+) interrupts, (\d+) softirq runs from irq_exit", out)
    assert m, out
    irqs, runs = int(m.group(1)), int(m.group(2))
    assert irqs > 0 and runs == irqs
    m = re.search(r"selftest softirq: restart bound (\d+) rounds, then ksoftirqd ran (\d+) more; "
                  r"deferred (\d+)", out)
    assert m, out
    bound, more, deferred = map(int, m.groups())
    assert bound == MAX_SOFTIRQ_RESTART
    assert more > 0 and deferred == 1
    # rounds of 500 us each: the 2 ms bound (Linux's MAX_SOFTIRQ_TIME)
    # stops them before the 10 restarts (about 4; without the time bound
    # all 10 would run)
    m = re.search(r"selftest softirq: time bound (\d+) rounds of 500 us \(2000 us allowed\), "
                  r"then ksoftirqd ran 1 more", out)
    assert m, out
    timed = int(m.group(1))
    assert 1 <= timed < MAX_SOFTIRQ_RESTART, timed
    rows = parse_softirqs(out)
    assert [name for name, _ in rows] == LINUX_SOFTIRQS
    counts = dict(rows)
    # the test's vector (BLOCK): the irq_exit runs, the bounded storm, what
    # ksoftirqd finished, the timed storm and its finish, and the one held
    # back by local_bh_disable
    # an attempt at the restart bound that the time bound ended first (the
    # host stalled the vCPU for 2 ms among its quick rounds) was finished
    # and tried again, its runs said
    stalled = [(int(us), int(n)) for us, n in re.findall(
        r"selftest softirq: restart bound attempt \d+ ended by the time bound after (\d+) us, "
        r"(\d+) runs; again", out)]
    assert all(us >= 2000 and n <= MAX_SOFTIRQ_RESTART for us, n in stalled), stalled
    assert counts["BLOCK"] == sum(n for _, n in stalled) + runs + bound + more + timed + 1 + 1, rows
    assert all(v == 0 for name, v in rows if name != "BLOCK"), rows
    assert code == EXIT_OK, out


def test_napi_polls_to_budget_and_backlog_overflows(kernel):
    # a budget below the weight: every NET_RX run stops with work left
    code, out = boot("napi-selftest", timeout=30,
                     append="exit=ready selftest=napi net.core.netdev_budget=50")
    assert "selftest napi: passed" in out, out
    m = re.search(r"selftest napi: 1 interrupt, (\d+) frames in (\d+) polls \(weight (\d+), "
                  r"budget (\d+)\), time_squeeze \+(\d+)", out)
    assert m, out
    frames, polls, weight, budget, squeeze = map(int, m.groups())
    assert budget == 50 and weight == 64
    assert polls == -(-frames // weight)              # ceil: full polls, then the rest
    assert squeeze == polls - 1                        # each full poll overran the budget
    m = re.search(r"selftest napi: backlog (\d+): (\d+) delivered, (\d+) dropped "
                  r"\(CPU_BACKLOG (\d+)\)", out)
    assert m, out
    backlog, delivered, dropped, reason = map(int, m.groups())
    assert delivered == backlog and dropped > 0 and reason == dropped
    cols = parse_softnet(out)
    assert cols[0] == frames + delivered               # processed
    assert cols[1] == dropped                          # dropped
    assert cols[2] == squeeze                          # time_squeeze
    assert cols[11] == 0 and cols[12] == 0             # backlog empty, cpu 0
    assert code == EXIT_OK, out


def test_default_budget_does_not_squeeze_one_device(kernel):
    # Only the packet budget is under test: the 2 ms time budget can also
    # squeeze (legitimately) when the host is loaded, so it is set out of reach.
    code, out = boot("napi-selftest-default", timeout=30,
                     append="exit=ready selftest=napi net.core.netdev_budget_usecs=1000000")
    m = re.search(r"budget (\d+)\), time_squeeze \+(\d+)", out)
    assert m, out
    assert int(m.group(1)) == 300 and int(m.group(2)) == 0
    assert code == EXIT_OK, out


def test_net_core_options_are_validated(kernel):
    code, out = boot("net-core-options", timeout=30,
                     append="exit=ready net.core.netdev_budget=0 net.core.dev_weight=-3 "
                            "net.core.netdev_max_backlog=12x napi=maybe "
                            "net.core.netdev_budget_usecs=500 napi=off")
    for key, value in [("net.core.netdev_budget", "0"), ("net.core.dev_weight", "-3"),
                       ("net.core.netdev_max_backlog", "12x"), ("napi", "maybe")]:
        assert "cmdline: bad value '%s' for '%s'" % (value, key) in out, out
    assert "for 'net.core.netdev_budget_usecs'" not in out
    assert "bad value 'off'" not in out
    assert code == EXIT_OK, out
