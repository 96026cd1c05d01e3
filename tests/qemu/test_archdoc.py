"""docs/ARCHITECTURE.md, README.md and the other docs pages against the
tree (no QEMU): every
backticked repository path exists, every backticked `name()` is a word of
the files cited in the same table row or paragraph (of the whole tree when
none is cited), and every other backticked snake_case or UPPER_CASE
identifier is a word somewhere in the tree or in lwIP's source.

Paths may be written relative to the section they sit in ("### net/" makes
`core/dev.c` net/core/dev.c), relative to a path cited earlier in the same
row (`net/lwip/netif.c`, `taps.c`), as `dir/a.c/.h` for a .c and its .h, with
a `{a,b}` brace or a `*` glob, or as a bare file name that only one file in
the tree has.  A path the tree does not have, or a bare name several files
share, fails with the line it is on."""
import fnmatch
import os
import re

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LWIP_SRC = os.path.join(ROOT, "build", "deps", "lwip-2.2.1", "src")

# files whose names the documents cite
FILE_EXTS = (".c", ".h", ".S", ".py", ".sh", ".ld", ".md", ".mk", ".dict", ".json")
PATH_RE = re.compile(r"^[A-Za-z0-9_.{},*+-]+(/[A-Za-z0-9_.{},*+-]+)*/?$")
CALL_RE = re.compile(r"^([A-Za-z_]\w*)\(")
# a C-style name: snake_case with an underscore, or UPPER_CASE
IDENT_RE = re.compile(r"^(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)$")
# directories that hold generated files, never cited as sources
SKIP_DIRS = {".git", "build"}
# names the documents cite from Linux or QEMU's source, for comparison only
FOREIGN = {"TCP_TW_SYN", "hw/net/e1000x_common.c", "hw/net/e1000.c", "igb_core.c", "n/a"}


def tree_files():
    out = []
    for top, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for f in files:
            out.append(os.path.relpath(os.path.join(top, f), ROOT))
    return sorted(out)


FILES = tree_files()
BY_BASENAME = {}
for _f in FILES:
    BY_BASENAME.setdefault(os.path.basename(_f), []).append(_f)

_text_cache = {}


def text_of(rel):
    path = rel if os.path.isabs(rel) else os.path.join(ROOT, rel)
    if path not in _text_cache:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                _text_cache[path] = fh.read()
        except OSError:
            _text_cache[path] = ""
    return _text_cache[path]


_RUN = re.compile(r"[A-Za-z0-9_]+")
_words_cache = {}


def has_word(paths, name):
    """name occurs in one of paths, not inside a longer identifier.  For a
    plain identifier that is: it is one of the files' maximal runs of
    [A-Za-z0-9_], a set made once per list of paths (the whole tree's is
    checked some 400 times; a regex per name over it took 7 s)."""
    if _RUN.fullmatch(name):
        key = tuple(paths)
        if key not in _words_cache:
            _words_cache[key] = {w for p in paths for w in _RUN.findall(text_of(p))}
        return name in _words_cache[key]
    word = re.compile(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(name))
    return any(word.search(text_of(p)) for p in paths)


_corpus = None


def whole_tree():
    """Every source and document of the tree, plus lwIP's source when
    tools/deps.sh has unpacked it."""
    global _corpus
    if _corpus is None:
        # the documents are left out (a name would find itself), and so is
        # this file (its self-test names names that must not exist)
        _corpus = [f for f in FILES if not f.endswith((".md", ".png", ".dat", ".nm"))
                   and f != os.path.relpath(__file__, ROOT)]
        if os.path.isdir(LWIP_SRC):
            for top, _dirs, files in os.walk(LWIP_SRC):
                _corpus += [os.path.join(top, f) for f in files if f.endswith((".c", ".h"))]
    return _corpus


def is_path(tok):
    if tok.startswith(("/", "build/", "-", ".")) or not PATH_RE.match(tok):
        return False
    return "/" in tok or tok.endswith(FILE_EXTS)


def expand(tok):
    """`a.c/.h` -> a.c, a.h; `x/{a,b}.c` -> x/a.c, x/b.c."""
    m = re.match(r"^(.*)\.(\w+)/\.(\w+)$", tok)
    if m:
        return [m.group(1) + "." + m.group(2), m.group(1) + "." + m.group(3)]
    m = re.match(r"^(.*)\{([^}]*)\}(.*)$", tok)
    if m:
        return [m.group(1) + alt + m.group(3) for alt in m.group(2).split(",")]
    return [tok]


def lookup(rel):
    """Files (or the directory) a repo-relative path names, [] if none."""
    rel = os.path.normpath(rel)
    if rel.startswith(".."):
        return []
    if "*" in rel:
        return [f for f in FILES if fnmatch.fnmatch(f, rel)]
    if os.path.isdir(os.path.join(ROOT, rel)):
        return [f for f in FILES if f.startswith(rel + "/")] or [rel]
    return [rel] if rel in FILES else []


def resolve(tok, bases, cited_dirs):
    """(files, directory, error): a path resolved from the root, the
    section's directories, the directories of paths cited before it, or a
    unique base name; directory is where later relative names start."""
    for base in [""] + bases + cited_dirs:
        rel = os.path.normpath(os.path.join(base, tok))
        found = lookup(rel)
        if found:
            isdir = os.path.isdir(os.path.join(ROOT, rel))
            return found, rel if isdir else os.path.dirname(rel), None
    if "/" not in tok:
        owners = BY_BASENAME.get(tok, [])
        if len(owners) == 1:
            return owners, os.path.dirname(owners[0]), None
        if len(owners) > 1:
            return [], None, "`%s` is ambiguous (%s): cite it with its directory" % (
                tok, ", ".join(owners))
    return [], None, "`%s` does not exist" % tok


def entries(doc):
    """(line number, text, section directories) per table row or paragraph,
    fenced blocks skipped.  A "### dir/: ..." heading gives the directories
    the section's relative paths start from; any other heading clears them."""
    lines = text_of(doc).split("\n")
    bases, block, start, fenced = [], [], 0, False
    out = []

    def flush():
        if block:
            out.append((start, " ".join(block), list(bases)))
        block.clear()

    for n, line in enumerate(lines, 1):
        if line.startswith("```"):
            flush()
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.startswith("#"):
            flush()
            title = line.lstrip("#").strip().split(":")[0]
            bases = [w.strip(",").rstrip("/") for w in title.split()
                     if w.strip(",").endswith("/") and lookup(w.strip(",").rstrip("/"))]
            continue
        if line.startswith("|") or line.lstrip().startswith(("- ", "* ")) or not line.strip():
            flush()
        if line.strip():
            if not block:
                start = n
            block.append(line)
            if line.startswith("|"):
                flush()
    flush()
    return out


def backticked(text):
    return re.findall(r"`([^`]+)`", text)


def check(doc, idents_too=True):
    problems = []
    for n, text, bases in entries(doc):
        cited, cited_dirs, calls, idents = [], [], [], []
        for tok in backticked(text):
            tok = tok.strip()
            if tok in FOREIGN:
                continue
            if is_path(tok):
                for part in expand(tok):
                    found, d, err = resolve(part, bases, cited_dirs)
                    if err:
                        problems.append("%s:%d: %s" % (doc, n, err))
                        continue
                    cited += found
                    if d not in cited_dirs:
                        cited_dirs.append(d)
            elif CALL_RE.match(tok):
                calls.append(CALL_RE.match(tok).group(1))
            elif idents_too and IDENT_RE.match(tok):
                idents.append(tok)
        scope = [f for f in cited if os.path.isfile(os.path.join(ROOT, f))]
        for name in calls:
            if scope and not has_word(scope, name):
                problems.append("%s:%d: `%s()` is not in %s" % (doc, n, name, ", ".join(scope)))
            elif not scope and not has_word(whole_tree(), name):
                problems.append("%s:%d: `%s()` is nowhere in the tree" % (doc, n, name))
        for name in idents:
            if not has_word(whole_tree(), name):
                problems.append("%s:%d: `%s` is nowhere in the tree" % (doc, n, name))
    return problems


def layout_and_links(doc):
    """Problems in what a page names outside backticks: the first column
    of its "## Layout" block (docs/DEVELOPING.md must have one), and the
    targets of relative markdown links."""
    text = text_of(doc)
    problems = []
    m = re.search(r"^## Layout\n+```\n(.*?)^```", text, re.S | re.M)
    if m:
        for line in m.group(1).splitlines():
            name = line.split()[0] if line and not line[0].isspace() else None
            if name and not lookup(name.rstrip("/")):
                problems.append("%s: Layout names `%s`, which does not exist" % (doc, name))
    elif doc == LAYOUT_DOC:
        problems.append("%s has no ## Layout block" % LAYOUT_DOC)
    base = os.path.dirname(doc)
    for target in re.findall(r"\]\(([^)#\s]+)[^)]*\)", text):
        if "://" not in target and not lookup(os.path.join(base, target)):
            problems.append("%s: link to `%s`, which does not exist" % (doc, target))
    return problems


def test_architecture_references_exist():
    problems = check("docs/ARCHITECTURE.md") + layout_and_links("docs/ARCHITECTURE.md")
    assert not problems, "\n".join(problems)


# the pages README.md's content moved to, and the one with the ## Layout block
USER_DOCS = ["README.md"] + ["docs/%s.md" % n for n in (
    "USAGE", "OBSERVING", "STRESS", "BENCHMARKS", "BOOT", "DEBUGGING", "DEVELOPING")]
LAYOUT_DOC = "docs/DEVELOPING.md"


@pytest.mark.parametrize("doc", USER_DOCS)
def test_readme_references_exist(doc):
    """README.md and the docs pages its content moved to: their paths and
    `name()`s (their other names include many of Linux's and QEMU's, so they
    are not checked)."""
    problems = check(doc, idents_too=False) + layout_and_links(doc)
    assert not problems, "\n".join(problems)


def test_checker_catches_a_broken_reference(tmp_path, monkeypatch):
    """The checker itself: a made-up path, a function moved to the wrong
    file and an unknown name are reported; true ones are not."""
    doc = tmp_path / "doc.md"
    doc.write_text("### net/\n\n"
                   "| `core/dev.c` | `netif_receive_skb()` |\n"
                   "| `core/nosuch.c` | x |\n"
                   "| `core/dev.c` | `e1000_poll()` |\n"
                   "\nA `no_such_function_anywhere()` and `NO_SUCH_MACRO_X`.\n")
    problems = check(str(doc))
    assert len(problems) == 4, problems
    assert "`core/nosuch.c` does not exist" in problems[0]
    assert "`e1000_poll()` is not in net/core/dev.c" in problems[1]
    assert "no_such_function_anywhere" in problems[2]
    assert "NO_SUCH_MACRO_X" in problems[3]


# --- locks: issue 13's "every lock's declaration says what it guards and
# from which contexts", and the "Contexts and locks" section lists them ---

LOCK_DIRS = ("kernel", "drivers", "net", "fs", "lib")
LOCK_DECL_RE = re.compile(
    r"^\s*(?:static\s+)?(?:struct\s+(?P<kind>spinlock|mutex)\s+(?P<name>\w+)(?:\[\w*\])?\s*(?:=|;)"
    r"|(?:static\s+)?DEFINE_MUTEX\((?P<mname>\w+)\))")
# what a context named in a lock's comment looks like
LOCK_CONTEXT_RE = re.compile(r"thread|softirq|hard IRQ|hard-IRQ|interrupt|any context|"
                             r"every context|all contexts|process context|NET_RX|poll",
                             re.I)
STRUCT_OPEN_RE = re.compile(r"^\s*(?:static\s+)?(?:const\s+)?struct\s*(\w*)\s*\{")


def lock_declarations(root=ROOT, dirs=LOCK_DIRS):
    """Every spinlock and mutex declared in the kernel's sources: a list of
    (file, line number, name, comment above it).  name is the variable's,
    or struct.field for a member (the variable's name for an untagged
    struct).  The comment is the block that ends right above the
    declaration, past the lock declarations that share it."""
    out = []
    for d in dirs:
        for top, _, files in os.walk(os.path.join(root, d)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(top, f)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    lines = fh.read().splitlines()
                for i, line in enumerate(lines):
                    m = LOCK_DECL_RE.match(line)
                    if not m or line.lstrip().startswith(("*", "/*", "//", "#")):
                        continue
                    name = m.group("name") or m.group("mname")
                    if line.startswith((" ", "\t")) and m.group("name"):
                        name = "%s.%s" % (_enclosing_struct(lines, i), name)
                    out.append((rel, i + 1, name, _comment_above(lines, i)))
    return out


def _enclosing_struct(lines, i):
    depth = 0
    for j in range(i - 1, -1, -1):
        depth += lines[j].count("}") - lines[j].count("{")
        if depth < 0:
            m = STRUCT_OPEN_RE.match(lines[j])
            if m and m.group(1):
                return m.group(1)
            # an untagged struct: the variable after its closing brace
            for k in range(i + 1, len(lines)):
                c = re.match(r"^\}\s*(\w+)", lines[k])
                if c:
                    return c.group(1)
            return "?"
    return "?"


def _comment_above(lines, i):
    j = i - 1
    while j >= 0 and LOCK_DECL_RE.match(lines[j]) and not lines[j].lstrip().startswith("*"):
        j -= 1
    if j < 0 or not lines[j].rstrip().endswith("*/"):
        return ""
    block = []
    while j >= 0:
        block.insert(0, lines[j])
        if "/*" in lines[j]:
            break
        j -= 1
    # one line of words: a context may be split over two comment lines
    return re.sub(r"\s*\n\s*\*?\s*", " ", "\n".join(block))


def contexts_and_locks_section(doc="docs/ARCHITECTURE.md"):
    text = text_of(doc)
    m = re.search(r"^## Contexts and locks\n(.*?)(?=^## )", text, re.M | re.S)
    assert m, "%s has no ## Contexts and locks section" % doc
    return m.group(1)


def lock_problems(decls, section):
    """The locks whose declaration has no comment naming a context, and
    the ones the section does not name (as `name` or `field`, in a line
    or paragraph that cites the lock's file)."""
    problems = []
    paras = re.split(r"\n\s*\n|\n(?=\|)", section)
    for rel, n, name, comment in decls:
        if not comment:
            problems.append("%s:%d: %s: no comment above its declaration" % (rel, n, name))
        elif not LOCK_CONTEXT_RE.search(comment):
            problems.append("%s:%d: %s: its comment names no context" % (rel, n, name))
        names = {name, name.split(".")[-1]} if "." in name else {name}
        if not any(rel in p and any("`%s`" % x in p for x in names) for p in paras):
            problems.append("%s:%d: %s: not in docs/ARCHITECTURE.md's Contexts and locks "
                            "(with its file)" % (rel, n, name))
    return problems


def test_every_lock_says_what_it_guards_and_is_listed():
    decls = lock_declarations()
    names = {d[2] for d in decls}
    # the scan finds the locks it must (a broken pattern finds none)
    assert {"core_lock", "printk_lock", "rq.lock", "e1000_adapter.tx_lock",
            "pktgen_mutex", "wait_queue_head.lock", "rng.lock"} <= names, sorted(names)
    problems = lock_problems(decls, contexts_and_locks_section())
    assert not problems, "\n".join(problems)


def test_lock_check_catches_an_undocumented_lock(tmp_path):
    """The check itself: a lock without a comment, one whose comment names
    no context, and one the section does not list are each reported."""
    src = tmp_path / "kernel"
    src.mkdir()
    (src / "x.c").write_text(
        "static struct spinlock bare_lock = SPINLOCK_INIT(\"b\");\n"
        "/* guards nothing at all */\n"
        "static struct spinlock vague_lock = SPINLOCK_INIT(\"v\");\n"
        "struct holder {\n"
        "\t/* guards n; thread context, irqsave */\n"
        "\tstruct spinlock lock;\n"
        "\tint n;\n"
        "};\n"
        "/* guards y; threads only */\n"
        "static DEFINE_MUTEX(y_mutex);\n")
    decls = lock_declarations(str(tmp_path), ("kernel",))
    assert [d[2] for d in decls] == ["bare_lock", "vague_lock", "holder.lock", "y_mutex"]
    section = "| `holder.lock` (`kernel/x.c`) | n | thread |\n"
    problems = lock_problems(decls, section)
    assert len(problems) == 5, problems
    assert "bare_lock: no comment" in problems[0]
    assert "vague_lock: its comment names no context" in problems[2]
    assert "y_mutex: not in" in problems[4]
