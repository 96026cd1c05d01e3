#!/usr/bin/python3
"""Generate a student tree for a lab from the real driver (docs/LAB.md).

The driver marks each function body a lab replaces:

    /* LAB:BEGIN <group> <name> */ ... /* LAB:END */

A lab is a set of groups (LABS below).  The student tree is a copy of the
repository's tracked files in which every marked region of those groups is
replaced by tools/lab/stubs/<name>.c (a TODO saying what the function must
do, and a body that compiles and returns an error); the markers stay, so
the grader finds the regions again.  The reference solution is the driver
itself: nothing here holds a second copy of it.

usage: mklab.py LAB OUTDIR       (LAB: e1000-tx, e1000-rx, e1000)
       mklab.py --list           the marked regions and their groups
"""
import os
import re
import shutil
import subprocess
import sys

LABS = {
    "e1000-tx": {"e1000-tx"},
    "e1000-rx": {"e1000-rx"},
    "e1000": {"e1000-tx", "e1000-rx", "e1000-irq"},
}
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STUBS = os.path.join(HERE, "stubs")
BEGIN = re.compile(r"^[ \t]*/\* LAB:BEGIN (\S+) (\S+) \*/[ \t]*\n", re.M)
END = re.compile(r"^[ \t]*/\* LAB:END \*/[ \t]*\n", re.M)


class LabError(Exception):
    pass


def regions(text, path="?"):
    """[(group, name, body_start, body_end)] of the marked regions in text"""
    out = []
    pos = 0
    while True:
        b = BEGIN.search(text, pos)
        if not b:
            break
        e = END.search(text, b.end())
        nb = BEGIN.search(text, b.end())
        if not e or (nb and nb.start() < e.start()):
            raise LabError("%s: LAB:BEGIN %s %s has no LAB:END before the next marker"
                           % (path, b.group(1), b.group(2)))
        out.append((b.group(1), b.group(2), b.end(), e.start()))
        pos = e.end()
    stray = END.search(text, pos)
    if stray and not out:
        raise LabError("%s: LAB:END without LAB:BEGIN" % path)
    return out


def tracked_files(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    return [f for f in out.split("\0") if f]


def marked_files(root):
    """{path: text} of the tracked C files holding markers"""
    res = {}
    for f in tracked_files(root):
        if not f.endswith((".c", ".h")) or f.startswith(("tools/lab/", "tests/lab/")):
            continue
        p = os.path.join(root, f)
        if not os.path.isfile(p):
            continue
        with open(p, encoding="utf-8", errors="replace") as fh:
            t = fh.read()
        if "LAB:BEGIN" in t:
            res[f] = t
    return res


def stub_text(name):
    p = os.path.join(STUBS, name + ".c")
    if not os.path.exists(p):
        raise LabError("no stub for marked region %s: add tools/lab/stubs/%s.c" % (name, name))
    with open(p) as fh:
        return fh.read()


def parameters(text, body_start):
    """the parameter names of the function whose body holds body_start"""
    head = text[:body_start]
    brace = head.rfind("\n{")
    open_ = head.rfind("(", 0, head.rfind(")", 0, brace))
    # the "(" that opens the parameter list: the one whose ")" closes before "{"
    depth, i = 0, head.rfind(")", 0, brace)
    while i >= 0:
        if head[i] == ")":
            depth += 1
        elif head[i] == "(":
            depth -= 1
            if depth == 0:
                open_ = i
                break
        i -= 1
    plist = head[open_ + 1:head.rfind(")", 0, brace)]
    names, depth, cur = [], 0, ""
    for ch in plist + ",":
        if ch == "," and depth == 0:
            cur = re.sub(r"\[[^]]*\]", "", cur).strip()
            m = re.search(r"(\w+)\s*$", cur)
            if m and cur != "void":
                names.append(m.group(1))
            cur = ""
            continue
        depth += ch in "(["
        depth -= ch in ")]"
        cur += ch
    return names


def stub_body(text, body_start, name):
    """the stub, with every parameter marked used (a parameter added to the
    driver's function later needs no change here)"""
    stub = stub_text(name)
    used = "".join("\t(void)%s;\n" % p for p in parameters(text, body_start))
    lines = stub.splitlines(True)
    # after the TODO comment block, before the stub's own statements
    k = 0
    while k < len(lines) and (lines[k].lstrip().startswith(("/*", "*")) or not lines[k].strip()):
        k += 1
    return "".join(lines[:k]) + used + "".join(lines[k:])


def stubbed(text, groups, path="?"):
    """text with the regions of groups replaced by their stubs; and the names"""
    out, last, names = [], 0, []
    for group, name, s, e in regions(text, path):
        if group not in groups:
            continue
        out.append(text[last:s])
        out.append(stub_body(text, s, name))
        last = e
        names.append(name)
    out.append(text[last:])
    return "".join(out), names


def generate(lab, outdir, root=ROOT):
    if lab not in LABS:
        raise LabError("unknown LAB=%s (one of %s)" % (lab, ", ".join(sorted(LABS))))
    groups = LABS[lab]
    marked = marked_files(root)
    # every marked region has a stub, in every lab (a new marker fails here
    # at once, not when someone generates that lab)
    all_names = [n for f, t in marked.items() for _, n, _, _ in regions(t, f)]
    for n in all_names:
        stub_text(n)
    if len(set(all_names)) != len(all_names):
        raise LabError("two marked regions share a name: %s" % sorted(all_names))
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    os.makedirs(outdir)
    done = []
    for f in tracked_files(root):
        src = os.path.join(root, f)
        dst = os.path.join(outdir, f)
        if not os.path.lexists(src):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if f in marked:
            text, names = stubbed(marked[f], groups, f)
            with open(dst, "w") as fh:
                fh.write(text)
            shutil.copymode(src, dst)
            done += ["%s: %s" % (f, n) for n in names]
        else:
            shutil.copy2(src, dst, follow_symlinks=False)
    if not done:
        raise LabError("LAB=%s: no marked region of groups %s" % (lab, sorted(groups)))
    # the student's tree reuses the fetched dependencies (lwIP, uPlot)
    deps = os.path.join(root, "build", "deps")
    if os.path.isdir(deps):
        os.makedirs(os.path.join(outdir, "build"), exist_ok=True)
        os.symlink(os.path.abspath(deps), os.path.join(outdir, "build", "deps"))
    with open(os.path.join(outdir, ".lab"), "w") as fh:
        fh.write("lab=%s\ngroups=%s\n" % (lab, " ".join(sorted(groups))))
        for d in done:
            fh.write("stub=%s\n" % d)
    # a repository of its own: the student's diff shows their work
    subprocess.run(["git", "init", "-q", outdir], check=True)
    subprocess.run(["git", "-C", outdir, "add", "-A"], check=True)
    subprocess.run(["git", "-C", outdir, "-c", "user.name=lab", "-c", "user.email=lab@localhost",
                    "commit", "-q", "-m", "lab %s: the starting point" % lab], check=True)
    return done


def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        for f, t in sorted(marked_files(ROOT).items()):
            for g, n, _, _ in regions(t, f):
                print("%-9s %-15s %s" % (g, n, f))
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        done = generate(argv[1], argv[2])
    except LabError as e:
        print("mklab: %s" % e, file=sys.stderr)
        return 1
    print("lab %s: %s (%d functions to write)" % (argv[1], argv[2], len(done)))
    for d in done:
        print("  " + d)
    print("read docs/LAB.md; grade with: make grade LAB_TREE=%s" % argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
