"""iperf3 3.20 built unmodified as barenet's application (apps/iperf3.mk,
pristine source from tools/deps.sh), measured by the host's stock iperf3
client (Debian's package) from a test namespace, both ways; and the file
calls it needed (kernel/app/tmpfs.c), checked from inside by
tests/apps/files.c.  Short runs: speed figures belong to make bench."""
import json
import os
import re
import subprocess

import pytest

import apps
import harness
import netns

GUEST_IP = "ip=10.0.2.15/24,10.0.2.2"
IPERF3_SRC = "build/deps/iperf-3.20/src/iperf_api.c"


def iperf3_kernel():
    """build/apps/iperf3/barenet.elf (make iperf3)."""
    if not os.path.isfile(os.path.join(harness.ROOT, IPERF3_SRC)):
        pytest.fail("iperf3 source missing: run make deps")
    with open(apps.LOCK, "w") as lock:
        import fcntl
        fcntl.flock(lock, fcntl.LOCK_EX)
        r = subprocess.run(["make", "-s", "-j2", "iperf3", "BUILD=" + harness.BUILD], cwd=harness.ROOT,
                           capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    return os.path.join(harness.BUILD, "apps", "iperf3", "barenet.elf")


def client_start(testnet, *args):
    """The host's iperf3 client against the guest, started."""
    return testnet.popen(["iperf3", "-c", netns.GUEST4, "-J", "--connect-timeout", "10000"] +
                         list(args))


def client_report(g, p):
    """client_start's JSON report, the guest's console drained meanwhile."""
    for _ in range(120):
        if p.poll() is not None:
            break
        g.watch(0.5)
    out, err = p.communicate(timeout=30)
    rep = json.loads(out)
    assert p.returncode == 0 and "error" not in rep, (p.returncode, rep.get("error"), err[-2000:],
                                                      g.output[-3000:])
    return rep


def client(testnet, g, *args):
    """The host's iperf3 client against the guest; its JSON report."""
    return client_report(g, client_start(testnet, *args))


def test_iperf3_server_measured_by_the_stock_client_both_ways(testnet):
    g = testnet.guest("iperf3", kernel=iperf3_kernel(), append=GUEST_IP + " shell=off -- -s")
    g.wait_for(r"app: iperf3 started", timeout=90)
    g.wait_for(r"Server listening on 5201", timeout=30)
    up = client(testnet, g, "-t", "2")
    g.wait_for(r"Server listening on 5201 \(test #2\)", timeout=30)
    down = client(testnet, g, "-t", "2", "-R")
    # and listens again on 5201 although the guest closed the -R test's
    # data connection first (TIME_WAIT there): SO_REUSEADDR as Linux's
    g.wait_for(r"Server listening on 5201 \(test #3\)", timeout=30)
    assert not up["start"].get("reverse") and down["start"]["test_start"]["reverse"] == 1
    for rep in (up, down):
        end = rep["end"]
        assert end["sum_received"]["bytes"] > 1 << 20 and end["sum_sent"]["bytes"] > 1 << 20, end
    # the guest's side of it: the server's own report of both tests
    assert re.search(r"^\[\s*\d+\]\s+0\.00-\S+\s+sec\s+.*receiver$", g.output, re.M), g.output[-3000:]
    assert re.search(r"^\[\s*\d+\]\s+0\.00-\S+\s+sec\s+.*sender$", g.output, re.M), g.output[-3000:]
    # every system call it made is implemented
    assert "not implemented" not in g.output, g.output[-3000:]
    # getsockopt(TCP_INFO) answers (it was "getsockopt - Protocol not
    # available" once a second while the server sent, -R)
    assert "getsockopt" not in g.output, g.output[-3000:]


@pytest.mark.slow
def test_iperf3_server_reports_retransmits_after_a_blackout(testnet):
    """The guest sends (-R) and the link goes down for 1.5 s: lwIP resends
    by its retransmission timer, and iperf3's server reports it through
    getsockopt(TCP_INFO) tcpi_total_retrans (lwIP patch 0052), in its own
    interval lines and in the results the host's client gets."""
    g = testnet.guest("iperf3-retr", kernel=iperf3_kernel(), append=GUEST_IP + " shell=off -- -s")
    g.wait_for(r"Server listening on 5201", timeout=90)
    p = client_start(testnet, "-t", "6", "-R")
    g.wait_for(r"0\.00-1\.\d+\s+sec", timeout=30)
    testnet.run(["ip", "link", "set", netns.TAP, "down"], check=True)
    g.watch(1.5)
    testnet.run(["ip", "link", "set", netns.TAP, "up"], check=True)
    rep = client_report(g, p)
    assert rep["end"]["sum_sent"].get("retransmits", 0) > 0, (rep["end"]["sum_sent"], g.output[-3000:])
    # the server's own interval lines: Retr (after the bitrate) above 0 in one
    retr = [int(m.group(1)) for m in
            re.finditer(r"^\[\s*\d+\]\s+\S+\s+sec\s+\S+ \S+\s+\S+ \S+/sec\s+(\d+)\s+\S+ \S+\s*$",
                        g.output, re.M)]
    assert retr and max(retr) > 0, g.output[-3000:]
    assert "getsockopt" not in g.output, g.output[-3000:]


def test_files_tmp_mmap_urandom_from_inside():
    g = harness.Guest("iperf3-files", kernel=apps.app_kernel("tests/apps/files.c"),
                      append="exit=app ready_wait=0 shell=off")
    with g:
        rc = g.wait_exit(timeout=120)
    ok = re.findall(r"^ok (\S+)$", g.output, re.M)
    bad = re.findall(r"^FAIL .*$", g.output, re.M)
    assert not bad, bad
    for name in ("open_create", "open_excl_eexist", "read_from_offset", "ftruncate_grow", "mmap_shared",
                 "store_in_map_is_in_file", "write_is_in_map", "mmap_private_copy",
                 "private_store_not_in_file", "map_outlives_name_and_fds", "mkstemp", "mkstemp_mmap",
                 "urandom", "dev_null", "missing_enoent", "create_outside_tmp_erofs",
                 "ftruncate_socket_einval", "mmap_socket_enodev", "lseek_socket_espipe",
                 "file_too_big_efbig", "all_files_full_enospc", "shrink_frees",
                 # SIGBUS past the file's end, MADV_DONTNEED as Linux's
                 "last_partial_page_reads", "past_eof_sigbus", "past_eof_sigbus_again",
                 "madv_dontneed_shared_file", "unmapped_sigsegv", "madv_dontneed_private_anon_zeros",
                 "madv_dontneed_shared_anon_keeps", "madv_dontneed_unmapped_enomem"):
        assert name in ok, (name, ok)
    assert "files: 0 failed" in g.output
    assert "not implemented" not in g.output, g.output[-2000:]
    assert rc == harness.EXIT_OK


def test_so_reuseaddr_and_tcp_info():
    """What iperf3's re-listen after each test needs (lwipopts.h, SO_REUSE),
    and getsockopt(TCP_INFO), which its server reads every second."""
    g = harness.Guest("iperf3-reuseaddr", kernel=apps.app_kernel("tests/apps/reuseaddr.c"),
                      append="exit=app ready_wait=0 shell=off")
    with g:
        rc = g.wait_exit(timeout=120)
    bad = re.findall(r"^FAIL .*$", g.output, re.M)
    assert not bad, bad
    ok = re.findall(r"^ok (\S+)$", g.output, re.M)
    assert "time_wait_with_reuseaddr_binds" in ok and "time_wait_without_reuseaddr_eaddrinuse" in ok, ok
    # getsockopt(TCP_INFO) as Linux's struct tcp_info (it was ENOPROTOOPT)
    for name in ("tcp_info", "tcp_info_state_established", "tcp_info_mss", "tcp_info_rtt", "tcp_info_cwnd",
                 "tcp_info_rto", "tcp_info_nothing_in_flight", "tcp_info_snd_wnd", "tcp_info_short",
                 "tcp_info_listener", "tcp_info_udp_enoprotoopt"):
        assert name in ok, (name, ok)
    assert rc == harness.EXIT_OK
