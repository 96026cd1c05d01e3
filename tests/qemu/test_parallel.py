"""make test's parallel run (conftest.py): under pytest-xdist a test of an
ALONE module never overlaps another test, the tests of a module sharing a
module-scoped guest run in one worker, the measurement lines the workers
record (harness.report) reach the summary, and the ALONE tests run back to
back in one worker, the lock kept from one to the next.

Shown on a small suite of its own, without QEMU: a copy of conftest.py and
the modules it imports, in a temporary directory, with modules that take
the names of an ALONE module (test_tunables.py) and of a shared-guest one
(test_shell.py) and write when each test starts and ends."""
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

STAMP = '''
import os, time
from harness import report

def stamp(name, seconds):
    t0 = time.monotonic()
    time.sleep(seconds)
    with open(os.environ["STAMPS"], "a") as f:
        f.write("%s %s %.6f %.6f\\n" % (name, os.environ.get("PYTEST_XDIST_WORKER", "-"),
                                      t0, time.monotonic()))
'''

ALONE = STAMP + '''
import pytest

@pytest.fixture(scope="module")
def shared():
    return object()

@pytest.mark.parametrize("i", range(3))
def test_alone(shared, i):
    stamp("alone%d" % i, 0.4)
    report("alone %d measured" % i)
'''

OTHER = STAMP + '''
import pytest

@pytest.mark.parametrize("i", range(8))
def test_other(i):
    stamp("other%d" % i, 0.3)
'''

SHARED = STAMP + '''
import pytest

@pytest.mark.parametrize("i", range(4))
def test_shared(i):
    stamp("shared%d" % i, 0.1)
'''


def test_alone_groups_and_reports(tmp_path):
    pytest.importorskip("xdist")
    for f in ("conftest.py", "harness.py", "netns.py"):
        shutil.copy(os.path.join(HERE, f), tmp_path / f)
    (tmp_path / "test_tunables.py").write_text(ALONE)
    (tmp_path / "test_other.py").write_text(OTHER)
    (tmp_path / "test_shell.py").write_text(SHARED)
    stamps = tmp_path / "stamps"
    env = dict(os.environ, STAMPS=str(stamps))
    r = subprocess.run(["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "-n", "2", "--dist", "loadgroup", str(tmp_path)],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "15 passed" in r.stdout, r.stdout
    # the workers' measurement lines, in the controller's summary
    for i in range(3):
        assert "alone %d measured" % i in r.stdout, r.stdout
    runs = []
    for line in stamps.read_text().splitlines():
        name, worker, t0, t1 = line.split()
        runs.append((name, worker, float(t0), float(t1)))
    assert len(runs) == 15 and {w for _, w, _, _ in runs} == {"gw0", "gw1"}, runs
    # both workers ran at once (the suite is parallel) ...
    others = [r for r in runs if not r[0].startswith("alone")]
    assert any(a[1] != b[1] and a[2] < b[3] and b[2] < a[3] for a in others for b in others), runs
    # ... but no test overlapped an ALONE one
    for a in (r for r in runs if r[0].startswith("alone")):
        for b in runs:
            if b is not a:
                assert b[3] <= a[2] or b[2] >= a[3], (a, b)
    # a module sharing a guest ran in one worker
    assert len({w for n, w, _, _ in runs if n.startswith("shared")}) == 1, runs
    # the ALONE tests ran in one worker, back to back: no other test ran
    # from the first one's start to the last one's end (the lock is kept
    # from one to the next, not handed to the tests waiting for it)
    alone = [r for r in runs if r[0].startswith("alone")]
    assert len({w for _, w, _, _ in alone}) == 1, alone
    first, last = min(a[2] for a in alone), max(a[3] for a in alone)
    assert all(b[3] <= first or b[2] >= last for b in runs if not b[0].startswith("alone")), runs


def test_test_full_only_cells_named_and_left_to_test_full():
    """conftest.py's TEST_FULL_ONLY and SMP_QUICK_CELLS: each cell named
    there exists (a renamed test would drop out of the table unseen), is
    marked slow (make test-full and pytest -m slow run it, make test
    skips it), and the cell said to show the same thing stays in make
    test."""
    import conftest
    mods = sorted({k.split("::")[0] for k in conftest.TEST_FULL_ONLY} |
                  {k.split("::")[0] for k in conftest.SMP_MATRIX})

    def collect(markexpr):
        r = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider",
                            "-m", markexpr] + mods, cwd=HERE, capture_output=True, text=True,
                           timeout=120, env=dict(os.environ, BARENET_QUICK="1"))
        assert r.returncode == 0, r.stdout + r.stderr
        return {os.path.basename(l.strip()) for l in r.stdout.splitlines() if "::" in l}

    slow, quick = collect("slow"), collect("not slow")
    for key, kept in conftest.TEST_FULL_ONLY.items():
        assert key in slow and key not in quick, (key, sorted(quick)[:5])
        if "::" in kept:
            stay = kept
        elif kept.startswith("["):
            stay = key.split("[")[0] + kept.split(";")[0]
        else:
            stay = key.split("[")[0] + "[" + kept + "]"
        assert stay in quick, (key, stay)
    variants = [n for n in slow | quick if "[cpus1-" in n or "[cpus4-" in n]
    assert variants
    for n in variants:
        nic = [p for p in n.split("[")[1].rstrip("]").split("-") if p in conftest.NIC_MODELS][0]
        cpus = int(n.split("[cpus")[1][0])
        assert (n in quick) == ((nic, cpus) in conftest.SMP_QUICK_CELLS), n
    # every NIC model keeps its 2-CPU cells, and 1 and 4 CPUs keep one each
    assert {n for n in quick if "[cpus1-" in n} and {n for n in quick if "[cpus4-" in n}
