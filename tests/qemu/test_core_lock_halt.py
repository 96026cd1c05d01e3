"""The lwIP core lock's waiters halt (net/lwip/core_lock.c): a CPU that
finds the lock held spins a little, then halts until the holder's release
wakes it with an IPI, instead of spinning all along (under TCG a spinning
vCPU burns the host core the holder needs).

selftest=corelock_halt (net/lwip/selftest_corelock.c), 2 CPUs: CPU 1 holds
the lock 50 ms; CPU 0's net_core_lock halts at least once (the halt
counter grows; with a pure spin it stays) and gets the lock after the
release, promptly."""
import re

from harness import EXIT_OK, boot


def test_core_lock_waiter_halts_until_the_release(kernel):
    code, out = boot("corelock-halt-selftest", smp=2, append="exit=ready selftest=corelock_halt",
                     timeout=120)
    assert "Kernel panic" not in out and "EXCEPTION" not in out, out[-4000:]
    assert "selftest corelock_halt: passed" in out, out[-4000:]
    assert code == EXIT_OK, out[-4000:]
    m = re.search(r"corelock_halt: test: (\d+) halts while CPU 1 held the lock", out)
    assert m and int(m.group(1)) >= 1, out[-4000:]
