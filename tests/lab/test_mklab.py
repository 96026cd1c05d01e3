"""tools/lab/mklab.py on small made-up sources: regions, stubs, parameters
(run by make lab-selftest; also `python3 -m pytest -q tests/lab/test_mklab.py`)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "lab"))
import mklab  # noqa: E402

SRC = """static int ring_put(struct ring *r, const u8 *buf, u16 len,
\t\t    unsigned int flags)
{
\t/* LAB:BEGIN e1000-tx tx_flush */
\treal_code(r, buf, len, flags);
\treturn 0;
\t/* LAB:END */
}

static void keep(void)
{
\tuntouched();
}
"""


def test_regions_and_stub_replace_only_the_body():
    regs = mklab.regions(SRC)
    assert [(g, n) for g, n, _, _ in regs] == [("e1000-tx", "tx_flush")]
    out, names = mklab.stubbed(SRC, {"e1000-tx"})
    assert names == ["tx_flush"]
    assert "real_code" not in out and "untouched();" in out
    assert "/* LAB:BEGIN e1000-tx tx_flush */" in out and "/* LAB:END */" in out
    # every parameter marked used, whatever the driver's signature grows to
    for p in ("r", "buf", "len", "flags"):
        assert "\t(void)%s;\n" % p in out
    assert "TODO (lab e1000-tx)" in out


def test_other_groups_keep_the_reference():
    out, names = mklab.stubbed(SRC, {"e1000-rx"})
    assert names == [] and out == SRC


def test_parameters_added_later_move_with_the_marker():
    # e.g. a context descriptor argument added by an offload change
    src = SRC.replace("unsigned int flags)", "unsigned int flags,\n\t\t    const struct ctx *c[2])")
    out, _ = mklab.stubbed(src, {"e1000-tx"})
    assert "\t(void)c;\n" in out


def test_unterminated_region_is_refused():
    with pytest.raises(mklab.LabError):
        mklab.regions(SRC.replace("\t/* LAB:END */\n", ""))


def test_region_without_stub_is_refused():
    with pytest.raises(mklab.LabError):
        mklab.stubbed(SRC.replace("tx_flush", "no_such_stub"), {"e1000-tx"})


def test_every_region_of_the_driver_has_a_stub_and_every_lab_has_regions():
    marked = mklab.marked_files(mklab.ROOT)
    names = [n for f, t in marked.items() for _, n, _, _ in mklab.regions(t, f)]
    assert len(names) == len(set(names)) >= 10
    for n in names:
        mklab.stub_text(n)
    groups = {g for f, t in marked.items() for g, _, _, _ in mklab.regions(t, f)}
    for lab, want in mklab.LABS.items():
        assert want <= groups, lab
