"""The kernel idles after `ready` (what `make run` shows a newcomer): it must
keep running, with interrupts enabled, without faulting."""
from harness import Guest

IDLE_S = 2.0     # at HZ=100: about 200 timer interrupts in this time


def test_idle_kernel_takes_interrupts_without_faulting(kernel):
    with Guest("idle", append="") as g:
        g.wait_for(r"barenet: ready in", 30)
        still_running = g.watch(IDLE_S)
        out = g.output
    assert "EXCEPTION" not in out and "Kernel panic" not in out, out
    assert still_running, out
