"""XLIFF 2.0 for CAT tools: `memory export --format xliff`, translate the targets, `memory import FILE.xlf`.

The round trip gives the memory the same entries as the PO route, and the protected spans
(inline code, URLs, citations) travel as <ph>/<pc> codes that come back byte for byte.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from conftest import REPO
from transync.cli import app
from transync.document.placeholders import Keep, split
from transync.site.config import load_config
from transync.translate.memory import Memory

runner = CliRunner()
NS = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
Q = "{urn:oasis:names:tc:xliff:document:2.0}"


def cli(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def make_site(folder: Path) -> Path:
    shutil.copytree(REPO / "content", folder / "content")
    shutil.copytree(REPO / "glossaries", folder / "glossaries")
    root = folder / "content"
    assert cli("memory", "seed", "--root", root).exit_code == 0
    return root


@pytest.fixture
def sites(tmp_path):
    """Two copies of the sample site: one for the PO route, one for the XLIFF route."""
    return make_site(tmp_path / "po"), make_site(tmp_path / "xliff")


def upper_text(text: str) -> str:
    """A careful translator's 'translation': the words change, every protected span stays."""
    return "".join(p.source if isinstance(p, Keep) else (p.text.upper() if hasattr(p, "text") else p.source) for p in split(text))


def fill_po(path: Path) -> None:
    po = polib.pofile(str(path), wrapwidth=0)
    for entry in po:
        entry.msgstr = upper_text(entry.msgid)
    po.save(str(path))


def fill_xliff(path: Path, mangle=None) -> None:
    """What a CAT tool does: a target copied from the source, its text translated, its codes kept (and confirmed)."""
    tree = ET.parse(path)
    for segment in tree.getroot().iter(Q + "segment"):
        source = segment.find(Q + "source")
        target = segment.find(Q + "target")
        if target is not None:
            segment.remove(target)
        target = copy.deepcopy(source)
        target.tag = Q + "target"
        for element in target.iter():
            element.text = element.text.upper() if element.text else element.text
            if element is not target:
                element.tail = element.tail.upper() if element.tail else element.tail
        if mangle:
            mangle(target)
        segment.append(target)
        segment.set("state", "translated")
    ET.register_namespace("", NS["x"])
    tree.write(path, encoding="UTF-8", xml_declaration=True)


def entries(root: Path, lang: str) -> list[tuple]:
    memory = Memory.of_site(load_config(root), "en", lang)
    return [(e.context, e.source, e.translation, e.origin) for e in memory]


def test_xliff_round_trip_gives_the_memory_what_the_po_route_gives(sites, tmp_path):
    po_site, xliff_site = sites
    po, xlf = tmp_path / "de.po", tmp_path / "de.xlf"
    assert cli("memory", "export", "--root", po_site, "--lang", "de", "--only", "missing", "-o", po).exit_code == 0
    result = cli("memory", "export", "--root", xliff_site, "--lang", "de", "--only", "missing", "-o", xlf)
    assert result.exit_code == 0, result.output
    assert xlf.read_text(encoding="utf-8").startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" trgLang="de">\n'
    )
    # Same texts, same order.
    units = ET.parse(xlf).getroot().findall(".//x:unit", NS)
    assert [(u.get("name"), u.find("x:notes/x:note[@category='location']", NS).text) for u in units] == [
        (e.msgctxt, f"{e.occurrences[0][0]}:{e.occurrences[0][1]}" if e.occurrences[0][1] else e.occurrences[0][0])
        for e in polib.pofile(str(po))
    ]

    fill_po(po)
    fill_xliff(xlf)
    po_result = cli("memory", "import", po, "--root", po_site, "--no-apply")
    xliff_result = cli("memory", "import", xlf, "--root", xliff_site, "--no-apply")
    assert xliff_result.exit_code == 0, xliff_result.output
    assert po_result.stdout.split(", into")[0] == xliff_result.stdout.split(", into")[0]
    assert "translations imported (" in xliff_result.stdout
    assert entries(po_site, "de") == entries(xliff_site, "de")


def test_protected_spans_are_codes_and_come_back_byte_for_byte(sites, tmp_path):
    from transync.translate import xliff

    _, site = sites
    xlf = tmp_path / "de.xliff"
    assert cli("memory", "export", "--root", site, "--lang", "de", "--only", "missing", "--format", "xliff", "-o", xlf).exit_code == 0
    # A citation as a placeholder whose Markdown is the unit's original data; inline code and URLs likewise.
    unit = next(u for u in ET.parse(xlf).getroot().iter(Q + "unit") if u.find(".//x:source/x:ph[@disp='[1]']", NS) is not None)
    ref = unit.find(".//x:source/x:ph[@disp='[1]']", NS).get("dataRef")
    assert unit.find(f"x:originalData/x:data[@id='{ref}']", NS).text == "[1]"
    assert "[1]" not in "".join(t for t in (e.text or "" for e in unit.find(".//x:source", NS).iter()) if t)
    fill_xliff(xlf)
    assert cli("memory", "import", xlf, "--root", site, "--no-apply").exit_code == 0
    memory = {source: translation for _, source, translation, _ in entries(site, "de")}
    for u in xliff.read(xlf)[1]:
        assert memory[u.source] == upper_text(u.source)  # codes back as Markdown, byte for byte
    assert any("`" in u.source for u in xliff.read(xlf)[1]) and any("https://" in u.source for u in xliff.read(xlf)[1])


def test_a_dropped_placeholder_imports_nothing(sites, tmp_path):
    _, site = sites
    xlf = tmp_path / "de.xlf"
    cli("memory", "export", "--root", site, "--lang", "de", "--only", "missing", "-o", xlf)

    def drop_citation(target):
        for parent in target.iter():
            for child in list(parent):
                if child.get("disp") == "[1]":
                    parent.remove(child)
                    return

    fill_xliff(xlf, drop_citation)
    memory_file = site / ".transync/memory/en-de.po"
    before = memory_file.read_bytes()
    result = cli("memory", "import", xlf, "--root", site)
    assert result.exit_code == 2
    assert "protected text changed (missing '[1]')" in result.stderr and "nothing imported" in result.stderr
    assert f"de.xlf#u" in result.stderr  # the unit it is about
    assert memory_file.read_bytes() == before


def test_fuzzy_suggestions_wait_for_the_tool_to_confirm_them(sites, tmp_path, git_env):
    _, site = sites
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "site"]):
        subprocess.run(["git", *args], cwd=site, check=True, capture_output=True)
    src = site / "_products/en/halden/halden-hx-700.md"
    text = src.read_text()
    first = next(line for line in text.splitlines() if line.startswith("The Halden HX-700"))
    src.write_text(text.replace(first, first + " Revised.").replace("date: 2026-02-14", "date: 2026-05-01"))
    xlf = tmp_path / "ja.xlf"
    assert cli("memory", "export", "--root", site, "--lang", "ja", "--only", "stale", "-o", xlf).exit_code == 0
    unit = next(u for u in ET.parse(xlf).getroot().iter(Q + "unit") if "".join(u.find(".//x:source", NS).itertext()) == first + " Revised.")
    segment = unit.find("x:segment", NS)
    assert (segment.get("state"), segment.get("subState")) == ("initial", "transync:fuzzy")
    assert unit.find("x:notes/x:note[@category='previous']", NS).text == first
    assert segment.find("x:target", NS) is not None  # the old translation, to adapt
    result = cli("memory", "import", xlf, "--root", site, "--no-apply")
    assert "1 fuzzy (remove the flag once reviewed)" in result.stdout


def test_not_xliff_2_is_a_one_line_error(sites, tmp_path):
    _, site = sites
    old = tmp_path / "old.xlf"
    old.write_text('<?xml version="1.0"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file/></xliff>\n')
    result = cli("memory", "import", old, "--root", site, "--lang", "de")
    assert result.exit_code == 2
    assert result.stderr == f"transync memory import: error: {old}: not an XLIFF 2 file (its root is <xliff> version '1.2')\n"
    broken = tmp_path / "broken.xlf"
    broken.write_text("<xliff version='2.0'")
    result = cli("memory", "import", broken, "--root", site)
    assert result.exit_code == 2 and result.stderr.startswith(f"transync memory import: error: {broken}: not a readable XLIFF file: ")


@pytest.mark.parametrize("markdown", [
    "See **the [review](https://example.org/a_b) of `x < y`** [2] & more.",
    "  Leading and trailing spaces, a line\nbreak, *emphasis* and ~~gone~~ text.  ",
    "Liquid {{ page.title }} and math $E = mc^2$ and an escape \\* here.",
    "Plain text only.",
])
def test_a_unit_reads_back_the_markdown_it_was_written_from(tmp_path, markdown):
    from transync.translate import xliff

    path = tmp_path / "one.xlf"
    path.write_text(xliff.write([xliff.Unit(markdown, markdown.upper(), context="fm:summary")], "en", "ja"), encoding="utf-8")
    lang, (unit,) = xliff.read(path)
    assert (lang, unit.source, unit.context, unit.fuzzy) == ("ja", markdown, "fm:summary", False)
    assert unit.target == markdown.upper()
