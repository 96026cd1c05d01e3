import fcntl
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
import netns  # noqa: E402


# --- parallel runs (make test: python3-pytest-xdist, -n TEST_WORKERS --dist
# loadgroup, tests/build.mk) ----------------------------------------------------
#
# A QEMU guest under TCG is mostly one thread and the tests mostly wait, so
# make test runs two workers per core.  Three things make the suite safe to
# split:
#  - a module whose tests share a module-scoped guest or build product (an
#    ISO, a booted shell) is one unit of work (xdist_group by module), so
#    the guest boots once and no two workers write the same file;
#  - the tests that measure rates, losses under a flood or interrupt
#    counts per frame run ALONE: they hold a lock that no other test runs
#    under (a worker waits between tests while one runs), so a neighbour
#    guest never takes their CPU.  They are one unit of work, handed out
#    first, and the lock is kept from one ALONE test to the next: the other
#    workers' tests in flight are waited out once, not before each ALONE
#    test (with 27 of them, that waiting cost more than a minute);
#  - the longest units are handed out first (LONG_FIRST), so the run does
#    not end with one worker busy on a long test and the other idle.
# Everything else (ports, namespaces, log names) is already per test or
# per process (netparse.free_port, netns.TestNet names carry the pid).
SHARED_GUEST_MODULES = {
    "test_cpustat.py", "test_ethtool.py", "test_exceptions.py", "test_httpviews.py",
    "test_iso.py", "test_netviews.py", "test_pktgen.py", "test_proc.py",
    "test_remote_shell.py", "test_seeds.py", "test_shell.py", "test_tunables.py",
    "test_dashboard.py",
    # test_quick_pools checks the pools of the guest test_quick attacked
    "test_hostile.py", "test_hostile_tools.py",
}
# The hostile-traffic modules share the machine: their deadlines ("served
# within 2 s", "back within 1 s") hold with a neighbour guest on the other
# core (they ran alone before, which left one core idle for the first
# minutes of the run).
ALONE_MODULES = {
    "test_tunables.py", "test_itr.py", "test_napi_ratio.py", "test_irq_throttle.py",
    "test_overload.py", "test_storm.py",
}
# the modules with the longest tests or groups (seconds on 2 loaded cores)
LONG_FIRST = ["test_hostile.py", "test_hostile_tools.py", "test_proc.py", "test_tunables.py", "test_inject.py", "test_memory.py",
              "test_build.py", "test_stress.py", "test_reconcile.py", "test_nic.py",
              "test_storm.py", "test_itr.py", "test_fault.py", "test_journey.py",
              # shared-guest groups of 30-60 s and tests of 15-45 s, which
              # at the end of the run kept one worker busy, the others idle
              "test_iso.py", "test_pktgen.py", "test_shell.py", "test_dashboard.py",
              "test_iperf3.py", "test_tcp_tso_large.py", "test_deps.py", "test_offload.py",
              "test_vlan.py", "test_apps.py"]


def _module(item):
    return os.path.basename(str(item.fspath))


# --- CPUs (issue 13) ----------------------------------------------------------
#
# Every guest boots harness.DEFAULT_SMP CPUs (2) unless its test says.  These
# tests run again with each of SMP_VARIANTS CPUs on every NIC model they
# cover: "quick" ones in make test (on the NIC models SMP_QUICK_CELLS keeps,
# the others in make test-full), "slow" ones only in make test-full (and
# pytest -m slow).  The variant's CPU count reaches the guest through the
# autouse fixture cpus (harness.DEFAULT_SMP for that test).
SMP_MATRIX = {
    "test_boot.py::test_banner_ready_and_exit_status": "quick",
    "test_first_ping.py::test_first_ping_after_ready": "quick",     # ping
    "test_services.py::test_services_from_the_host": "quick",       # UDP and TCP echo
    "test_reconcile.py::test_counters_reconcile": "slow",
    "test_fault.py::test_rx_drop_losses_as_counted": "slow",
    "test_fault.py::test_fault_traffic_completes": "slow",
}
SMP_VARIANTS = (1, 4)


def pytest_generate_tests(metafunc):
    key = "%s::%s" % (os.path.basename(metafunc.module.__file__), metafunc.function.__name__)
    kind = SMP_MATRIX.get(key)
    if kind is None:
        return
    marks = [pytest.mark.slow] if kind == "slow" else []
    metafunc.parametrize(
        "cpus", [pytest.param(None, id="cpus%d" % harness.DEFAULT_SMP)] +
        [pytest.param(n, marks=marks, id="cpus%d" % n) for n in SMP_VARIANTS
         if n != harness.DEFAULT_SMP], indirect=True)


@pytest.fixture(autouse=True)
def cpus(request, monkeypatch):
    """The guests' CPU count in this test: an SMP_MATRIX variant's, else
    harness.DEFAULT_SMP."""
    n = getattr(request, "param", None)
    if n is not None:
        monkeypatch.setattr(harness, "DEFAULT_SMP", n)
    return harness.DEFAULT_SMP


# --- make test's share of the matrices (make test-full runs them all) -------
#
# Cells that repeat what another cell in make test already shows run only in
# make test-full (marked slow here; docs/DEVELOPING.md lists them with the
# cell that stays).  Keys: "module::test[id]"; values: the cell that stays
# ("[id]" or "id" of the same test) or the test that stays ("module::test").
TEST_FULL_ONLY = {
    # RAM above 4 GiB, handed out and touched: q35-3072M shows it too
    "test_memory.py::test_ram_total_and_mmtest[q35-5120M]":
        "q35-3072M",
    # ALONE (the machine held): a smaller ring loses more of a burst, on
    # e1000; every model and mode resizes its rings under traffic in
    # test_nic.py::test_nic_model_mode
    "test_tunables.py::test_smaller_ring_loses_more_of_a_burst[e1000e]":
        "[e1000]; test_nic.py's resize on e1000e",
    "test_tunables.py::test_smaller_ring_loses_more_of_a_burst[igb]":
        "[e1000]; test_nic.py's resize on igb",
    # ALONE: the connection storm is lwIP's PCBs and TIME_WAIT, on e1000
    "test_storm.py::test_connection_storm[igb]":
        "[e1000]",
    # a whole third build of the kernel (both cores for 25-40 s): make test
    # checks make -n's commands of the same clean build for the prefix
    "test_build.py::test_clean_build_with_prefixed_toolchain":
        "test_build.py::test_prefixed_toolchain_names_every_tool",
}
# The 1- and 4-CPU variants of the quick SMP_MATRIX tests run in make test
# where the NIC's queue count differs from its 2-CPU cell (one RSS queue per
# CPU up to the chip's: e1000 1, e1000e 2, igb 8): e1000e and igb with 1
# CPU, igb with 4.  The others (e1000 with 1 and 4, e1000e with 4: the
# queues of their 2-CPU cell, the CPU count of igb's) run in make test-full.
SMP_QUICK_CELLS = {("e1000e", 1), ("igb", 1), ("igb", 4)}
NIC_MODELS = ("e1000", "e1000e", "igb")


def _full_only(item):
    """item runs in make test-full only (TEST_FULL_ONLY, SMP_QUICK_CELLS)"""
    if "%s::%s" % (_module(item), item.name) in TEST_FULL_ONLY:
        return True
    p = getattr(item, "callspec", None)
    if p is None or p.params.get("cpus") is None:
        return False
    if SMP_MATRIX.get("%s::%s" % (_module(item), item.originalname)) != "quick":
        return False
    nics = [v for v in p.params.values() if v in NIC_MODELS]
    return bool(nics) and (nics[0], p.params["cpus"]) not in SMP_QUICK_CELLS


def _smp_variant_redundant(item):
    """first_ping's ARP variant adds nothing to the other CPU counts"""
    p = getattr(item, "callspec", None)
    return p is not None and p.params.get("cpus") is not None and p.params.get("peer") == "arp"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """slow, stress and soak tests run only when -m names them (pytest -m
    slow, pytest -m stress, pytest -m soak); the xdist groups and the
    order of the units (see above)."""
    markexpr = config.getoption("markexpr") or ""
    full = os.environ.get("BARENET_FULL") == "1"
    drop = [it for it in items if _smp_variant_redundant(it)]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [it for it in items if not _smp_variant_redundant(it)]
    for item in items:
        if _full_only(item):
            item.add_marker(pytest.mark.slow)
    for mark in ("slow", "stress", "soak"):
        if mark in markexpr or (mark == "slow" and full):
            continue
        skip = pytest.mark.skip(reason="%s: run with pytest -m %s" % (mark, mark))
        for item in items:
            if mark in item.keywords:
                item.add_marker(skip)
    for item in items:
        if _module(item) in ALONE_MODULES:
            item.add_marker(pytest.mark.xdist_group("ALONE"))
        elif _module(item) in SHARED_GUEST_MODULES:
            item.add_marker(pytest.mark.xdist_group(_module(item)))
    rank = {m: i for i, m in enumerate(LONG_FIRST)}
    items.sort(key=lambda it: -1 if _module(it) in ALONE_MODULES
               else rank.get(_module(it), len(LONG_FIRST)))   # stable


def _lock(path, how):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, how)
    return fd


_kept_cpu_lock = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Under xdist: an ALONE test holds the CPU lock exclusively, every
    other test shares it.  A turnstile (gate) keeps a waiting ALONE test
    from being starved by the other workers' stream of shared holds.  An
    ALONE test followed by another keeps the lock for it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    os.makedirs(harness.LOGDIR, exist_ok=True)
    alone = _module(item) in ALONE_MODULES
    if alone and _kept_cpu_lock:
        cpu = _kept_cpu_lock.pop()
    else:
        gate = _lock(os.path.join(harness.LOGDIR, ".cpu-gate.lock"), fcntl.LOCK_EX)
        try:
            cpu = _lock(os.path.join(harness.LOGDIR, ".cpu.lock"),
                        fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        finally:
            os.close(gate)
    try:
        yield
    finally:
        if alone and nextitem is not None and _module(nextitem) in ALONE_MODULES:
            _kept_cpu_lock.append(cpu)
        else:
            os.close(cpu)
            if alone:
                # make test's unit and fuzz job waits for this (tests/build.mk)
                open(os.path.join(harness.LOGDIR, ".alone-done"), "w").close()


def pytest_sessionfinish(session):
    """An xdist worker hands its measurement lines to the controller."""
    out = getattr(session.config, "workeroutput", None)
    if out is not None:
        out["barenet_report"] = list(harness.REPORT)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller collects what each worker measured (harness.report)."""
    harness.REPORT.extend(getattr(node, "workeroutput", {}).get("barenet_report", []))


def pytest_terminal_summary(terminalreporter):
    """Numbers the tests measured (harness.report()), shown even with -q."""
    if harness.REPORT:
        terminalreporter.write_sep("-", "barenet measurements")
        for line in harness.REPORT:
            terminalreporter.write_line(line)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: long variants (e.g. 10x the traffic); run only with -m slow")
    config.addinivalue_line(
        "markers", "stress: the million-frame stress; run only with -m stress (make stress)")
    config.addinivalue_line(
        "markers", "soak: the long soak at half load; run only with -m soak (make soak)")
    config.addinivalue_line(
        "markers", "xdist_group(name): one unit of work for pytest-xdist (conftest.py)")


def pytest_report_header(config):
    return "barenet: QEMU accelerator %s (BARENET_ACCEL=%s)" % (
        harness.choose_accel(), os.environ.get("BARENET_ACCEL", "auto"))


@pytest.fixture(scope="session")
def kernel():
    if not os.path.exists(harness.KERNEL):
        pytest.fail("build/barenet.elf missing: run make checked first (make builds only "
                    "the release image, build/release/)")
    newer = newer_source(harness.KERNEL)
    if newer:
        pytest.fail("build/barenet.elf is older than %s: run make checked first (make builds "
                    "only the release image, build/release/)" % newer)
    return harness.KERNEL


def newer_source(image, root=None):
    """A file the image was compiled from (its objects' .d lists under
    build/obj, relative to the tree root, default this one) changed after
    it was linked, or None: a plain make rebuilds only the release image."""
    root = root or harness.ROOT
    built = os.path.getmtime(image)
    seen = set()
    for d, _, files in os.walk(os.path.join(os.path.dirname(image), "obj")):
        for f in files:
            if not f.endswith(".d"):
                continue
            with open(os.path.join(d, f)) as dep:
                for tok in dep.read().replace("\\\n", " ").split():
                    tok = tok.rstrip(":")
                    if tok.endswith((".c", ".h", ".S")) and tok not in seen:
                        seen.add(tok)
                        path = os.path.join(root, tok)
                        if os.path.exists(path) and os.path.getmtime(path) > built:
                            return tok
    return None


@pytest.fixture
def testnet(request):
    """A netns.TestNet (namespace + tap0 with 10.0.2.2/24), deleted when the
    test ends, pass or fail; skips the test when namespaces are unavailable."""
    netns.require()
    net = netns.TestNet(tag=request.node.name)
    request.addfinalizer(net.close)
    return net
