"""README.md and the docs/ pages against the tree (no QEMU): the README stays
short (at most 200 lines); every `make TARGET` the pages name is a target of
the Makefile (make's own database, `make -pq`); every relative link, markdown
or a backticked repository path such as `docs/USAGE.md`, leads to a file or
directory; and the table of kernel command-line options in docs/USAGE.md
names exactly the options the code registers with CMDLINE_OPT().

The checks take the tree's root as an argument, so the last tests run them
on a copy of the pages with a broken link, a made-up target and an
overlong README, and require that exactly those are reported."""
import glob
import os
import re
import shlex
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
README = "README.md"
README_MAX_LINES = 200
USAGE = "docs/USAGE.md"
CMDLINE_HEADING = "## The kernel command line"
# directories whose files are generated, never in the repository
GENERATED = ("build/",)
SKIP_DIRS = {".git", "build"}


def pages(root):
    """README.md and every docs/*.md page, relative to root."""
    return [README] + sorted(os.path.relpath(p, root)
                             for p in glob.glob(os.path.join(root, "docs", "*.md")))


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as fh:
        return fh.read()


# -- make targets ------------------------------------------------------------------

_targets = {}


def make_targets(root):
    """The targets make knows in root's Makefile: its database printed by
    `make -pq` for a goal no rule builds (nothing is built or run), minus the
    files it lists as "Not a target"."""
    if root not in _targets:
        r = subprocess.run(["make", "-C", root, "--no-print-directory", "-npq",
                            "__readme_check_no_such_goal__"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        assert "# Make data base" in r.stdout, r.stderr[-2000:]
        targets, not_target = set(), False
        for line in r.stdout.splitlines():
            if line.startswith("# Not a target:"):
                not_target = True
                continue
            m = re.match(r"^([^\s#:=%][^:=]*?):(?!=)", line)
            if m and not not_target:
                targets.update(m.group(1).split())
            if not line.startswith("#"):
                not_target = False
        # the goal given above is no target; make's default goal is
        targets.discard("__readme_check_no_such_goal__")
        _targets[root] = targets
    return _targets[root]


def code_spans(text, with_headings=False):
    """The text of every backticked span and every line of a fenced block;
    with_headings: (the last heading above it, text) pairs."""
    spans, fenced, heading = [], False, ""
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            found = [line]
        else:
            if line.startswith("#"):
                heading = line
            found = re.findall(r"`([^`\n]+)`", line)
        spans += [(heading, f) for f in found] if with_headings else found
    return spans


def make_goals(span):
    """The goals of each `make ...` command in a span of code: `make` alone
    is the default goal (""); VAR=value and -options are not goals; a shell
    operator or a comment ends the command."""
    goals = []
    for m in re.finditer(r"(?:^|[\s;&|(])make(?=\s|$)([^;&|#()\n]*)", span):
        try:
            words = shlex.split(m.group(1))
        except ValueError:
            words = m.group(1).split()
        named = []
        for w in words:
            if "=" in w or w.startswith("-"):
                continue
            if not re.match(r"^[a-z][a-z0-9_.-]*$", w):
                break           # the command's words end here
            named.append(w)
        goals += named or [""]
    return goals


def target_problems(root, rel):
    targets = make_targets(root)
    problems = []
    for span in code_spans(read(root, rel)):
        for goal in make_goals(span):
            if goal and goal not in targets:
                problems.append("%s: `%s` names make target %r, which the Makefile does not have"
                                % (rel, span.strip(), goal))
    return problems


# -- links ---------------------------------------------------------------------------

def top_level(root):
    return {e for e in os.listdir(root) if e not in SKIP_DIRS}


def expand(tok):
    """`a.c/.h` -> a.c, a.h; `x/{a,b}.c` -> x/a.c, x/b.c."""
    m = re.match(r"^(.*)\.(\w+)/\.(\w+)$", tok)
    if m:
        return [m.group(1) + "." + m.group(2), m.group(1) + "." + m.group(3)]
    m = re.match(r"^(.*)\{([^}]*)\}(.*)$", tok)
    if m:
        return [m.group(1) + alt.strip() + m.group(3) for alt in m.group(2).split(",")]
    return [tok]


def exists(root, rel):
    path = os.path.normpath(os.path.join(root, rel))
    if not (path + os.sep).startswith(root.rstrip(os.sep) + os.sep) and path != root:
        return False            # outside the tree
    if "*" in rel:
        return bool(glob.glob(path))
    return os.path.exists(path)


def link_problems(root, rel):
    """Markdown links (relative to the page) and backticked repository paths
    (relative to the root: their first part is a top-level file or directory
    of the tree) that lead nowhere."""
    text = read(root, rel)
    base = os.path.dirname(rel)
    problems = []
    for target in re.findall(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue            # http:, mailto:, an anchor in the page
        path = target.split("#")[0]
        if not exists(root, os.path.join(base, path)):
            problems.append("%s: link to `%s`, which does not exist" % (rel, target))
    tops = top_level(root)
    for heading, span in code_spans(text, with_headings=True):
        # "### drivers/: ..." makes `net/x.c` drivers/net/x.c in its section
        bases = [""] + [w.strip(",:`") for w in heading.lstrip("#").split()
                        if w.strip(",:`").endswith("/")]
        for word in span.split():
            # `bench/run.py:udp_echo`, `file.py::test`: the file
            tok = word.strip("()[]'\",;`").split(":")[0].rstrip(".")
            if "/" not in tok or tok.startswith(GENERATED) or re.search(r"[<>$=]", tok):
                continue
            if tok.split("/")[0] not in tops:
                continue        # a guest path, QEMU's or Linux's source, a section-relative name
            for part in expand(tok):
                if not any(exists(root, os.path.join(b, part)) for b in bases):
                    problems.append("%s: `%s` does not exist" % (rel, part))
    return problems


# -- the command-line table ----------------------------------------------------------

def registered_options(root):
    """Every key the kernel registers with CMDLINE_OPT() or CMDLINE_OPT_SECRET(),
    or SYSCTL_CMDLINE_OPT(fn, key, ...) (a sysctl's boot option)."""
    keys = set()
    for top, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for f in files:
            if f.endswith(".c"):
                with open(os.path.join(top, f), encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                    keys.update(re.findall(r'^CMDLINE_OPT(?:_SECRET)?\(\s*"([^"]+)"', text, re.M))
                    keys.update(re.findall(r'^SYSCTL_CMDLINE_OPT\(\s*\w+,\s*"([^"]+)"', text, re.M))
    return keys


def documented_options(root):
    """The option keys in the first column of docs/USAGE.md's command-line table."""
    text = read(root, USAGE)
    assert CMDLINE_HEADING in text, "%s has no %r section" % (USAGE, CMDLINE_HEADING)
    section = text.split(CMDLINE_HEADING, 1)[1].split("\n## ", 1)[0]
    keys = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first = line[1:].split(" | ")[0]
            for tok in re.findall(r"`([^`]+)`", first):
                keys.add(re.split(r"[=\[]", tok, 1)[0])
    return keys


def readme_problems(root):
    """Everything wrong with root's README.md and docs pages."""
    n = read(root, README).count("\n")
    problems = []
    if n > README_MAX_LINES:
        problems.append("%s: %d lines, more than %d: move the detail to docs/"
                        % (README, n, README_MAX_LINES))
    for rel in pages(root):
        problems += target_problems(root, rel) + link_problems(root, rel)
    return problems


# -- the tests -------------------------------------------------------------------------

def test_readme_is_short():
    n = read(ROOT, README).count("\n")
    assert 0 < n <= README_MAX_LINES, "%s has %d lines" % (README, n)


def test_make_targets_named_exist():
    # the ones the README must name, and that the parse finds real targets
    named = {g for s in code_spans(read(ROOT, README)) for g in make_goals(s)}
    assert {"run", "test", "bench"} <= named, named
    assert {"all", "run", "test", "bench", "iso", "help"} <= make_targets(ROOT)
    problems = [p for rel in pages(ROOT) for p in target_problems(ROOT, rel)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("rel", pages(ROOT))
def test_links_lead_to_files(rel):
    problems = link_problems(ROOT, rel)
    assert not problems, "\n".join(problems)


def test_every_cmdline_option_documented():
    code, doc = registered_options(ROOT), documented_options(ROOT)
    assert len(code) > 20, code
    assert doc == code, "in the code only: %s; in %s only: %s" % (
        sorted(code - doc), USAGE, sorted(doc - code))


def farm(tmp_path):
    """A copy of the pages in tmp_path, the rest of the tree linked in."""
    for entry in top_level(ROOT):
        if entry not in (README, "docs"):
            os.symlink(os.path.join(ROOT, entry), str(tmp_path / entry))
    (tmp_path / "docs").mkdir()
    for rel in pages(ROOT):
        (tmp_path / rel).write_text(read(ROOT, rel), encoding="utf-8")
    return str(tmp_path)


def test_checks_pass_on_a_faithful_copy(tmp_path):
    root = farm(tmp_path)
    assert readme_problems(root) == []


def test_checks_catch_broken_links_and_targets(tmp_path):
    root = farm(tmp_path)
    with open(os.path.join(root, README), "a", encoding="utf-8") as fh:
        fh.write("\nSee [the guide](docs/NO-SUCH-PAGE.md) and `docs/NOR-THIS.md`,"
                 " then run `make no-such-target`.\n")
    with open(os.path.join(root, "docs", "USAGE.md"), "a", encoding="utf-8") as fh:
        fh.write("\nBack to [the top](../NO-README.md); a real one: [ok](BOOT.md),"
                 " `tools/no-such-script.sh`.\n")
    problems = readme_problems(root)
    assert len(problems) == 5, problems
    assert problems[0].startswith("README.md:") and "make target 'no-such-target'" in problems[0]
    assert problems[1] == "README.md: link to `docs/NO-SUCH-PAGE.md`, which does not exist"
    assert problems[2] == "README.md: `docs/NOR-THIS.md` does not exist"
    # relative to the page's own directory: ../NO-README.md, not docs/NO-README.md
    assert problems[3] == "docs/USAGE.md: link to `../NO-README.md`, which does not exist"
    assert problems[4] == "docs/USAGE.md: `tools/no-such-script.sh` does not exist"


def test_checks_catch_an_overlong_readme_and_a_missing_option(tmp_path):
    root = farm(tmp_path)
    with open(os.path.join(root, README), "a", encoding="utf-8") as fh:
        fh.write("filler\n" * (README_MAX_LINES + 1))
    problems = readme_problems(root)
    assert len(problems) == 1 and "more than %d" % README_MAX_LINES in problems[0], problems
    usage = read(root, USAGE)
    row = [line for line in usage.splitlines() if line.startswith("| `hz=")][0]
    with open(os.path.join(root, USAGE), "w", encoding="utf-8") as fh:
        fh.write(usage.replace(row + "\n", ""))
    assert registered_options(ROOT) - documented_options(root) == {"hz"}
