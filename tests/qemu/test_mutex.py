"""Process-context primitives (kernel/mutex.c, kernel/completion.c,
set_cpus_allowed in kernel/sched.c, smp_call_function_many in
kernel/smp_call.c), by their selftests at 1, 2 and 4 CPUs: threads on every
CPU share a sleeping mutex and the count comes out exact with at most one
thread inside; a non-owner unlock and locks from softirq-off and hard IRQ
context are reported; complete() lets one waiter through per event,
complete_all every one; running, sleeping and self-moving threads change
CPU; a call reaches every other CPU once."""
import re

import pytest

from harness import EXIT_OK, boot


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_mutex_completion_affinity_call_many(kernel, smp):
    code, out = boot("mutex-%d" % smp, smp=smp,
                     append="exit=ready selftest=mutex,completion,affinity,call_many",
                     timeout=180)
    assert "Kernel panic" not in out and "EXCEPTION" not in out, out[-3000:]
    for t in ("mutex", "completion", "affinity", "call_many"):
        assert re.search(r"selftest %s: passed$" % t, out, re.M), (t, out[-3000:])
    assert code == EXIT_OK, out[-3000:]
    m = re.search(r"mutex: test: (\d+) threads on (\d+) CPUs, count (\d+) of (\d+), (\d+) waits "
                  r"slept, at most (\d+) inside", out)
    assert m and int(m.group(1)) == 2 * smp and int(m.group(2)) == smp, out
    assert m.group(3) == m.group(4) == str(2 * smp * 300) and int(m.group(5)) > 0, m.group(0)
    assert m.group(6) == "1", m.group(0)
    # the misuse reports, each with the caller named in its trace
    assert re.search(r"BUG: mutex_unlock\(mutex_test\) by swapper/0 \[pid 0\], which does not "
                     r"hold it \(owner: mutex/holder\)", out), out
    assert re.search(r"BUG: mutex mutex_lock\(mutex_test\) from a context that cannot sleep on "
                     r"CPU#0: softirqs off", out), out
    if smp > 1:
        assert re.search(r"BUG: mutex mutex_trylock\(mutex_test\) from a context that cannot "
                         r"sleep on CPU#1: hard IRQ", out), out
        assert ("affinity: test: a running thread CPU0 -> CPU%d, a sleeping one CPU0 -> CPU%d "
                "(woke there) -> CPU0 (in msleep), one moved itself CPU0 -> CPU%d"
                % ((smp - 1,) * 3)) in out, out
        assert "call_many: test: ran once on each of the %d other CPUs" % (smp - 1) in out
    else:
        assert "affinity: test: one CPU: a mask of other CPUs is refused" in out, out
