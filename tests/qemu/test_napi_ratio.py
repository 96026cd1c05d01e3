"""NAPI shown: under a UDP flood, hard interrupts per received frame stay
below 0.1 with NAPI on, and are about 1 with it off (napi=off: one frame per
interrupt, the baseline NAPI is measured against).

Each NIC model (e1000, e1000e, igb), default interrupt mode and default
interrupt throttle, boots in a namespace of the test's own
(netns.TestNet), at 10.0.2.15/24.  A bounded flood of small datagrams from
inside the namespace goes to the guest's discard service (udp/9); the NIC's
interrupt count (/proc/interrupts) and eth0's rx_packets (/proc/net/dev) are
read through the guest shell before and after."""
import re
import socket
import time

import pytest

import netns
from harness import report
from test_journey import APPEND, GUEST, NICS, Journey, driver_missing

DISCARD_PORT = 9
FLOOD_FRAMES = 20000
FLOOD_SECONDS = 20          # the flood stops here even if not all were sent
MIN_FRAMES = 1000           # fewer received: the ratio says too little


class RatioGuest(Journey):
    """Journey's guest with extra command-line options (napi=off)."""

    def __init__(self, testnet, nic, name, extra=""):
        self.net = testnet
        self.nic = nic
        self.g = testnet.guest(name, nic=nic, append=(APPEND + " " + extra).strip())
        self.g.wait_for(r"net: eth0 %s/24 gw %s \(static\)" % (re.escape(GUEST), re.escape(netns.HOST4)),
                        timeout=60)
        self.g.wait_for(r"barenet: ready in", timeout=60)
        self.g.wait_prompt(30)
        self.udp_probes = self.wait_reachable()


def nic_irqs(text):
    """The sum over CPUs of the interrupt lines that name eth0."""
    lines = text.splitlines()
    ncpu = len(lines[0].split())
    total, found = 0, False
    for line in lines[1:]:
        label, rest = line.split(":", 1)
        if not label.strip().isdigit() or "eth0" not in rest:
            continue
        total += sum(int(x) for x in rest.split()[:ncpu])
        found = True
    assert found, "no eth0 line in /proc/interrupts:\n" + text
    return total


def eth0_rx_packets(text):
    m = re.search(r"^\s*eth0:\s*(\d+)\s+(\d+)", text, re.M)
    assert m, text
    return int(m.group(2))


def sample(j):
    return nic_irqs(j.g.view("cat /proc/interrupts")), eth0_rx_packets(j.g.view("cat /proc/net/dev"))


def flood(j, n=FLOOD_FRAMES, seconds=FLOOD_SECONDS):
    """n 18-byte datagrams to udp/9 as fast as the socket takes them, for at
    most seconds; returns how many were sent."""
    s = j.sock(socket.SOCK_DGRAM)
    sent = 0
    t0 = time.monotonic()
    try:
        while sent < n and time.monotonic() - t0 < seconds:
            try:
                s.sendto(b"flood %11d" % sent, (GUEST, DISCARD_PORT))
                sent += 1
            except (BlockingIOError, OSError):
                time.sleep(0.0005)      # host tap queue full: let the guest catch up
    finally:
        s.close()
    return sent


def measure(testnet, nic, name, extra=""):
    why = driver_missing(testnet, nic)
    if why:
        pytest.skip(why)
    j = RatioGuest(testnet, nic, name, extra)
    irq0, rx0 = sample(j)
    sent = flood(j)
    time.sleep(1)                       # the tail of the flood drains
    irq1, rx1 = sample(j)
    j.poweroff()
    irqs, frames = irq1 - irq0, rx1 - rx0
    assert frames >= MIN_FRAMES, (sent, frames, irqs)
    return irqs, frames, sent


@pytest.mark.parametrize("nic", NICS)
def test_napi_on_few_interrupts_per_frame(testnet, kernel, nic):
    irqs, frames, sent = measure(testnet, nic, "napi-on-" + nic)
    ratio = irqs / frames
    report("napi ratio %s napi=on: %d irqs / %d frames = %.3f (%d sent)" % (nic, irqs, frames, ratio, sent))
    assert ratio < 0.1, (irqs, frames)


@pytest.mark.parametrize("nic", NICS)
def test_napi_off_one_interrupt_per_frame(testnet, kernel, nic):
    irqs, frames, sent = measure(testnet, nic, "napi-off-" + nic, "napi=off")
    ratio = irqs / frames
    report("napi ratio %s napi=off: %d irqs / %d frames = %.3f (%d sent)" % (nic, irqs, frames, ratio, sent))
    assert 0.8 <= ratio <= 1.2, (irqs, frames)
