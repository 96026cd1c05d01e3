#!/usr/bin/python3
"""Grade a lab tree (docs/LAB.md): make grade [LAB_TREE=dir].

1. host: the tree's e1000 driver built with tests/lab/grade_host.c (from
   THIS repository, not the student's tree) against the fake NIC; its
   stages print what they test, BUG lines naming the likely mistake, and
   the evidence.
2. source: a write barrier before every tail write in the lab's regions
   (not observable at run time on x86: see grade_host.c).
3. qemu (--qemu=1): the tree's kernel booted on QEMU's 82540EM, pinging
   slirp's gateway (tools/lab/grade_qemu.py).

The environment carries what tests/lab/build.mk knows (sources, flags).
Prints the grade; --json FILE writes it for tools/lab/selftest.py.
Exit status 0 whatever the grade (a grade is not a build failure), 2 when
the grader itself could not run.
"""
import argparse
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import mklab  # noqa: E402

BARRIER_POINTS = 5
QEMU_POINTS = 20
HOST_POINTS = 75    # the stages of grade_host.c, all lost when the tree does not build
# a tail write that hands descriptors over (not the 0 of initialization)
# a tail write: ew32(hw, hw->q.tdt|rdt, value) or, with queues, through the
# ring's tail register (e1000_rx_tail_reg/e1000_tx_tail_reg(hw, ring)); a
# write of 0 (ring set-up) is not one. group 1 or 2 names the register.
TAIL_WRITE = re.compile(r"ew32\s*\([^;]*?(?:\bq\.(tdt|rdt)|\be1000_(rx|tx)_tail_reg\s*\([^;()]*\))\s*,"
                        r"(?!\s*0\s*\))")


def tail_reg(m):
    """'tdt' or 'rdt': the tail register a TAIL_WRITE match writes"""
    return m.group(1) or {"rx": "rdt", "tx": "tdt"}[m.group(2)]
BARRIER = re.compile(r"\b(wmb|dma_wmb|__sync_synchronize|__atomic_thread_fence)\s*\(")


def host_flags(tree):
    """the host unit tests' flags, with the graded tree's headers first and
    the fake NIC's (tests/unit) from this repository"""
    fixed = []
    for f in shlex.split(os.environ["LAB_HOST_CFLAGS"]):
        if f in ("-I.", "-Itests/unit"):
            continue
        if f.startswith("-I") and not os.path.isabs(f[2:]):
            f = "-I" + os.path.join(ROOT, f[2:])
        elif f.startswith("tests/unit/"):
            f = os.path.join(ROOT, f)
        fixed.append(f)
    return fixed + ["-I" + tree, "-I" + os.path.join(ROOT, "tests/unit")]


def headers_digest(tree):
    h = hashlib.sha1()
    for top in ("drivers", "net", "kernel", "lib", "fs"):
        for d, _, files in sorted(os.walk(os.path.join(tree, top))):
            for f in sorted(files):
                if f.endswith(".h"):
                    with open(os.path.join(d, f), "rb") as fh:
                        h.update(f.encode() + fh.read())
    return h.hexdigest()


def build_host(tree, out):
    """compile (each object cached by its source, the tree's headers and the
    flags: a mutation recompiles one file) and link the host grader"""
    env = os.environ
    cc = env.get("HOSTCC", "gcc")
    flags = host_flags(tree)
    cache = os.path.join(ROOT, "build", "lab", "objcache")
    os.makedirs(cache, exist_ok=True)
    hdr = headers_digest(tree) + " ".join(flags).replace(tree, "TREE")
    for t in ("tests/unit", "tests/lab"):
        for f in sorted(os.listdir(os.path.join(ROOT, t))):
            if f.endswith(".h"):
                with open(os.path.join(ROOT, t, f), "rb") as fh:
                    hdr += hashlib.sha1(fh.read()).hexdigest()
    srcs = ([os.path.join(ROOT, "tests/lab", f) for f in ("grade_host.c", "grade_checks.c")] +
            [os.path.join(tree, s) for s in env["LAB_TREE_SRCS"].split()] +
            [os.path.join(ROOT, s) for s in env["LAB_SUPPORT_SRCS"].split()])
    objs = []
    for src in srcs:
        with open(src, "rb") as fh:
            key = hashlib.sha1(fh.read() + hdr.encode() + os.path.basename(src).encode()).hexdigest()
        obj = os.path.join(cache, key + ".o")
        if not os.path.exists(obj):
            tmp = obj + ".%d.tmp" % os.getpid()
            r = subprocess.run([cc] + flags + ["-c", src, "-o", tmp], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True)
            if r.returncode:
                return r
            os.replace(tmp, obj)
        objs.append(obj)
    cmd = ([cc] + [f for f in flags if f.startswith("-f")] + ["-o", out] + objs +
           ["-Wl,--wrap=e1000_test_read32,--wrap=e1000_test_write32,"
            "--wrap=e1000_clean_tx,--wrap=e1000_clean_rx"] + shlex.split(env["LAB_HOST_LIBS"]))
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)


def run_host(binary, stages=None):
    """[{id, points, title, passed, lines, bugs}] from the grader's output"""
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0", UBSAN_OPTIONS="print_stacktrace=1")
    p = subprocess.run([binary] + (stages or []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, env=env, timeout=600)
    res, cur = [], None
    for line in p.stdout.splitlines():
        m = re.match(r"STAGE (\S+) (\d+) (.*)", line)
        if m:
            cur = {"id": m.group(1), "points": int(m.group(2)), "title": m.group(3),
                   "passed": False, "lines": [], "bugs": []}
            res.append(cur)
            continue
        if cur is None:
            continue
        m = re.match(r"RESULT (\S+) (pass|fail)", line)
        if m:
            cur["passed"] = m.group(2) == "pass"
            continue
        m = re.match(r"BUG (\S+) (.*)", line)
        if m:
            cur["bugs"].append(m.group(1))
            cur["lines"].append("  LIKELY BUG [%s]: %s" % (m.group(1), m.group(2)))
            continue
        cur["lines"].append(line)
    return res


def function_regions(tree):
    """{name: (path, text)} of the marked regions in the tree"""
    out = {}
    files = {}
    for d, _, names in os.walk(os.path.join(tree, "drivers")):
        for f in names:
            if f.endswith(".c"):
                p = os.path.join(d, f)
                with open(p, encoding="utf-8", errors="replace") as fh:
                    t = fh.read()
                if "LAB:BEGIN" in t:
                    files[os.path.relpath(p, tree)] = t
    for path, text in files.items():
        for _, name, s, e in mklab.regions(text, path):
            out[name] = (path, text[s:e])
    return out


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def check_barriers(tree):
    """(passed, lines, bugs): a barrier before each tail write in a region"""
    lines, bugs = [], []
    regs = function_regions(tree)
    for name, (path, text) in sorted(regs.items()):
        code = strip_comments(text)
        for m in TAIL_WRITE.finditer(code):
            before = code[:m.start()]
            if not BARRIER.search(before):
                lineno = text.count("\n", 0, text.find(m.group(0)[:10])) + 1
                bugs.append("no-wmb")
                lines.append("  LIKELY BUG [no-wmb]: %s (%s): the %s write has no write barrier "
                             "(wmb()) before it in the function. The device may read the "
                             "descriptors as soon as it sees the new tail, so every descriptor "
                             "store must be visible first (SDM 3.3/3.2.6; Linux's e1000 does "
                             "the same). On x86 the stores are not reordered with the tail "
                             "write and the fake NIC cannot see the difference: this is found "
                             "by reading the source" % (name, path, tail_reg(m).upper()))
                lines.append("  |   %s" % code[max(0, m.start() - 160):m.end()].strip()
                             .replace("\n", "\n  |   "))
    missing = [(n, reg) for n, reg in (("tx_flush", "tdt"), ("clean_rx", "rdt"))
               if n in regs and not any(tail_reg(m) == reg for m in
                                        TAIL_WRITE.finditer(strip_comments(regs[n][1])))]
    for n, reg in missing:
        lines.append("  FAIL: no %s write (ew32(hw, hw->q.%s, ...)) in e1000_%s yet: write "
                     "e1000_%s" % (reg.upper(), reg, n, n))
    if missing:
        return False, lines, bugs
    return not bugs, lines, bugs


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("tree")
    ap.add_argument("--qemu", default="1")
    ap.add_argument("--json")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv[1:])
    tree = os.path.abspath(a.tree)
    if not os.path.isdir(tree):
        print("grade: no tree at %s (make lab first, or LAB_TREE=dir)" % tree, file=sys.stderr)
        return 2
    out = []

    def emit(s=""):
        out.append(s)
        if not a.quiet:
            print(s, flush=True)

    lab = "reference"
    if os.path.exists(os.path.join(tree, ".lab")):
        lab = open(os.path.join(tree, ".lab")).readline().strip().split("=", 1)[1]
    emit("== grading %s (lab %s) ==" % (tree, lab))
    binary = os.path.join(ROOT, "build", "lab", "grade-%d" % os.getpid())
    os.makedirs(os.path.dirname(binary), exist_ok=True)
    stages = []
    b = build_host(tree, binary)
    if b.returncode:
        emit("the tree does not build for the host grader:")
        for line in b.stdout.splitlines()[-40:]:
            emit("  " + line)
        stages.append({"id": "build", "points": HOST_POINTS, "title": "host stages (no build)", "passed": False,
                       "lines": [], "bugs": ["build"]})
    else:
        try:
            stages = run_host(binary)
        finally:
            os.unlink(binary)
    passed, lines, bugs = check_barriers(tree)
    stages.append({"id": "barrier", "points": BARRIER_POINTS,
                   "title": "a write barrier before each tail write (source)",
                   "passed": passed and b.returncode == 0, "lines": lines, "bugs": bugs})
    if a.qemu == "1":
        import grade_qemu
        stages.append(grade_qemu.grade(tree, QEMU_POINTS))
    score = total = 0
    for s in stages:
        total += s["points"]
        got = s["points"] if s["passed"] else 0
        score += got
        emit("[%s] %-40s %2d/%2d  (%s)" % ("PASS" if s["passed"] else "FAIL", s["title"], got,
                                          s["points"], s["id"]))
        if not s["passed"]:
            for line in s["lines"]:
                emit(line)
    allbugs = []
    for s in stages:
        for bug in s["bugs"]:
            if bug not in allbugs:
                allbugs.append(bug)
    emit("")
    emit("grade: %d/%d%s" % (score, total, "" if a.qemu == "1" else " (host only; QEMU stage not run)"))
    if allbugs:
        emit("likely bugs, first seen first: %s" % ", ".join(allbugs))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"score": score, "total": total, "bugs": allbugs,
                       "stages": [{k: s[k] for k in ("id", "points", "passed", "bugs", "lines")}
                                  for s in stages]}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
