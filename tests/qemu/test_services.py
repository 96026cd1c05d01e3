"""The services over a real NIC: QEMU user networking (slirp) forwards
loopback ports of the host to the guest's HTTP, echo, discard and iperf
ports; the host checks each one, then asks the kernel to power off (netctl=)
and requires its exit status.  Addresses: DHCP from slirp (10.0.2.15/24 gw
10.0.2.2), IPv6 link-local from the MAC and SLAAC from slirp's RA.

Skipped while the kernel does not link a NIC driver (it needs the pci
branch in main and kmain calling the driver's init)."""
import http.client
import os
import re
import shutil
import socket
import subprocess
import time

import pytest

from harness import BUILD, EXIT_OK, Guest

SYMS = os.path.join(BUILD, "barenet.sym")
MAC = "52:54:00:12:34:56"
LINKLOCAL = "fe80::5054:ff:fe12:3456"     # modified EUI-64 of MAC
NETCTL_PORT = 9000


def driver_linked():
    try:
        with open(SYMS) as f:
            return re.search(r" e1000_driver_init$", f.read(), re.M) is not None
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not driver_linked(),
                                reason="no NIC driver linked into the kernel yet")


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def recv_exact(sock, n, timeout=10):
    sock.settimeout(timeout)
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize("nic", ["e1000", "e1000e", "igb"])
def test_services_from_the_host(kernel, nic):
    ports = {name: free_port(socket.SOCK_STREAM) for name in ("http", "echo", "discard", "iperf")}
    uports = {name: free_port(socket.SOCK_DGRAM) for name in ("echo", "discard", "netctl")}
    fwd = ",".join(
        ["hostfwd=tcp:127.0.0.1:%d-:%d" % (ports[n], g)
         for n, g in (("http", 80), ("echo", 7), ("discard", 9), ("iperf", 5001))] +
        ["hostfwd=udp:127.0.0.1:%d-:%d" % (uports[n], g)
         for n, g in (("echo", 7), ("discard", 9), ("netctl", NETCTL_PORT))])
    extra = ["-netdev", "user,id=n0,ipv4=on,ipv6=on," + fwd,
             "-device", "%s,netdev=n0,mac=%s,romfile=" % (nic, MAC)]
    with Guest("services-" + nic, append="netctl=%d" % NETCTL_PORT, extra=extra) as g:
        g.wait_for(r"net: eth0 10\.0\.2\.15/24 gw 10\.0\.2\.2 \(dhcp\)", timeout=60)
        g.wait_for(r"(?i)net: eth0 inet6 %s \(link-local\)" % re.escape(LINKLOCAL), timeout=30)

        # HTTP: / is the dashboard (tests/qemu/test_dashboard.py), /status the status page
        conn = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=20)
        conn.request("GET", "/")
        r = conn.getresponse()
        assert r.status == 200 and r.getheader("Content-Type") == "text/html; charset=utf-8"
        assert r.read().startswith(b"<!doctype html>")
        conn = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=20)
        conn.request("GET", "/status")
        r = conn.getresponse()
        page = r.read().decode()
        assert r.status == 200, page
        assert re.search(r"^uptime: \d+\.\d{3} s$", page, re.M), page
        assert "inet 10.0.2.15 netmask 255.255.255.0 gw 10.0.2.2 (dhcp)" in page, page
        conn = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=20)
        conn.request("GET", "/missing")
        assert conn.getresponse().status == 404

        # TCP echo: 64 KiB round trip, byte for byte
        blob = os.urandom(64 * 1024)
        with socket.create_connection(("127.0.0.1", ports["echo"]), timeout=20) as s:
            s.sendall(blob)
            assert recv_exact(s, len(blob), timeout=30) == blob

        # UDP echo
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(5)
            for i in range(20):
                msg = b"udp echo %d" % i
                u.sendto(msg, ("127.0.0.1", uports["echo"]))
                assert u.recvfrom(2048)[0] == msg

        # discard: TCP and UDP, counted by the service (status page)
        with socket.create_connection(("127.0.0.1", ports["discard"]), timeout=20) as s:
            s.sendall(b"x" * 100000)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            for _ in range(10):
                u.sendto(b"into the void", ("127.0.0.1", uports["discard"]))
        deadline = time.monotonic() + 20
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=20)
            conn.request("GET", "/status")
            page = conn.getresponse().read().decode()
            m = re.search(r"^discard: tcp \d+ accepted \d+ closed \d+ aborted, (\d+) bytes in "
                          r"\d+ out; udp (\d+) datagrams", page, re.M)
            if m and int(m.group(1)) == 100000 and int(m.group(2)) == 10:
                break
            assert time.monotonic() < deadline, page
            time.sleep(0.5)

        # iperf 2, when the host has it
        if shutil.which("iperf"):
            r = subprocess.run(["iperf", "-c", "127.0.0.1", "-p", str(ports["iperf"]), "-t", "3"],
                               capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, r.stdout + r.stderr
            g.wait_for(r"iperf: done: (\d+) bytes in (\d+) ms", timeout=30)
            m = re.search(r"iperf: done: (\d+) bytes in (\d+) ms, (\d+) kbit/s", g.output)
            assert int(m.group(1)) > 0 and int(m.group(3)) > 0

        # the kernel powers itself off
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.sendto(b"poweroff", ("127.0.0.1", uports["netctl"]))
        code = g.wait_exit(timeout=30)
        assert "netctl: poweroff" in g.output
        assert code == EXIT_OK, g.output[-3000:]
