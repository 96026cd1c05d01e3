import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
import netns  # noqa: E402


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


def pytest_collection_modifyitems(config, items):
    """slow and stress tests run only when -m names them (pytest -m slow,
    pytest -m stress)."""
    markexpr = config.getoption("markexpr") or ""
    for mark in ("slow", "stress"):
        if mark in markexpr:
            continue
        skip = pytest.mark.skip(reason="%s: run with pytest -m %s" % (mark, mark))
        for item in items:
            if mark in item.keywords:
                item.add_marker(skip)


def pytest_report_header(config):
    return "barenet: QEMU accelerator %s (BARENET_ACCEL=%s)" % (
        harness.choose_accel(), os.environ.get("BARENET_ACCEL", "auto"))


@pytest.fixture(scope="session")
def kernel():
    if not os.path.exists(harness.KERNEL):
        pytest.fail("build/barenet.elf missing: run make first")
    return harness.KERNEL


@pytest.fixture
def testnet(request):
    """A netns.TestNet (namespace + tap0 with 10.0.2.2/24), deleted when the
    test ends, pass or fail; skips the test when namespaces are unavailable."""
    netns.require()
    net = netns.TestNet(tag=request.node.name)
    request.addfinalizer(net.close)
    return net
