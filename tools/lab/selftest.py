#!/usr/bin/python3
"""make lab-selftest: prove the grader (docs/LAB.md, "For teachers").

- the reference driver (this repository) gets full marks, no bug named;
- every mutation in tests/lab/mutations/<bug>.patch (a small patch to the
  reference, one classic mistake) applied to a copy of the tracked files
  loses points, and the grader names <bug> among the likely bugs;
- the untouched student tree (make lab LAB=e1000) scores 0 quickly, and
  each failing stage says where to start;
- the generator's own tests (tests/lab/test_mklab.py).
Exit status 1 on any miss.  --qemu=1 adds the QEMU stage to every grade
(a kernel build and a boot each: minutes).
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MUT = os.path.join(ROOT, "tests", "lab", "mutations")
WORK = os.path.join(ROOT, "build", "lab", "selftest")
sys.path.insert(0, HERE)
import mklab  # noqa: E402


def grade(tree, qemu):
    out = os.path.join(WORK, os.path.basename(tree) + ".json")
    p = subprocess.run([sys.executable, os.path.join(HERE, "grade.py"), "--quiet",
                        "--qemu=" + qemu, "--json", out, tree],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    if p.returncode:
        raise RuntimeError("grade.py failed on %s:\n%s" % (tree, p.stdout))
    with open(out) as fh:
        return json.load(fh)


def copy_tree(dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    for f in mklab.tracked_files(ROOT):
        src = os.path.join(ROOT, f)
        if not os.path.isfile(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
        shutil.copy2(src, os.path.join(dst, f))
    # the kernel build (the QEMU stage) reuses the fetched dependencies
    os.makedirs(os.path.join(dst, "build"), exist_ok=True)
    os.symlink(os.path.join(ROOT, "build", "deps"), os.path.join(dst, "build", "deps"))


def mutant(name, qemu):
    tree = os.path.join(WORK, name)
    copy_tree(tree)
    with open(os.path.join(MUT, name + ".patch")) as fh:
        p = subprocess.run(["patch", "-s", "-p1", "-d", tree], stdin=fh, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True)
    if p.returncode:
        return name, None, "the patch no longer applies to the driver: %s" % p.stdout.strip()
    return name, grade(tree, qemu), None


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", default="0")
    ap.add_argument("only", nargs="*", help="mutations to run (default: all)")
    a = ap.parse_args(argv[1:])
    os.makedirs(WORK, exist_ok=True)
    t0 = time.time()
    bad = 0
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        os.path.join(ROOT, "tests", "lab", "test_mklab.py")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    bad += p.returncode != 0
    print("lab-selftest: generator (tests/lab/test_mklab.py) %s" %
          ("ok" if not p.returncode else "FAILED\n" + p.stdout))
    ref = grade(ROOT, a.qemu)
    ok = ref["score"] == ref["total"] and not ref["bugs"]
    bad += not ok
    print("lab-selftest: reference %d/%d%s %s" % (ref["score"], ref["total"],
          (" bugs " + ",".join(ref["bugs"])) if ref["bugs"] else "", "ok" if ok else "FAILED"))
    names = a.only or sorted(f[:-6] for f in os.listdir(MUT) if f.endswith(".patch"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        for name, res, err in ex.map(lambda n: mutant(n, a.qemu), names):
            if err:
                bad += 1
                print("lab-selftest: mutation %-17s FAILED: %s" % (name, err))
                continue
            # named, and first: the grade's "likely bug" is this one
            ok = res["bugs"][:1] == [name] and res["score"] < res["total"]
            bad += not ok
            print("lab-selftest: mutation %-17s %2d/%d, named: %-40s %s" % (
                name, res["score"], res["total"], ",".join(res["bugs"]) or "-",
                "ok" if ok else "FAILED (expected %s named first)" % name))
    if not a.only:
        # each lab's untouched tree: 0, fast, and every host stage says
        # which function to start with
        start = re.compile(r"(start with|write|look at|\() ?(e1000_|legacy_)\w+")
        for lab in sorted(mklab.LABS):
            stub = os.path.join(WORK, "stubs-" + lab)
            mklab.generate(lab, stub)
            s0 = time.time()
            res = grade(stub, a.qemu)
            took = time.time() - s0
            hosts = [s for s in res["stages"] if s["id"] not in ("barrier", "qemu")]
            silent = [s["id"] for s in hosts if not s["passed"] and
                      not any(start.search(line) for line in s["lines"])]
            want_zero = lab == "e1000"      # the other labs keep half the driver
            ok = (res["score"] == 0 or not want_zero) and res["score"] < res["total"] and \
                took < 60 and not silent
            bad += not ok
            print("lab-selftest: untouched %-8s %2d/%d in %.1f s%s %s" % (
                lab, res["score"], res["total"], took,
                ", no start hint in: " + ",".join(silent) if silent else "", "ok" if ok else "FAILED"))
    print("lab-selftest: %s (%.0f s)" % ("all ok" if not bad else "%d FAILED" % bad, time.time() - t0))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
