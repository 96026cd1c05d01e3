"""The kernel idles after `ready` (what `make run` shows a newcomer): it must
keep running, with interrupts enabled, without faulting."""
import pytest

from harness import Guest

IDLE_S = 2.0     # the BIOS leaves the PIT at 18.2 Hz: dozens of ticks in this time


@pytest.mark.xfail(strict=False, reason=(
    "known: the 8259 keeps the BIOS's vector base 8, so once safe_halt() enables "
    "interrupts the PIT's IRQ0 arrives on vector 8 and is reported as #DF; fixed "
    "when the interrupt controller (plat: remap/mask the 8259, LAPIC) is in"))
def test_idle_kernel_takes_interrupts_without_faulting(kernel):
    with Guest("idle", append="") as g:
        g.wait_for(r"barenet: ready in", 30)
        still_running = g.watch(IDLE_S)
        out = g.output
    assert "EXCEPTION" not in out and "Kernel panic" not in out, out
    assert still_running, out
