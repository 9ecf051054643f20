"""Exchanging work with translators: export a PO file, translate it, import it."""

from __future__ import annotations

import json
import shutil
import subprocess

import polib
import pytest
from typer.testing import CliRunner

from conftest import REPO
from transync.cli import app

runner = CliRunner()


@pytest.fixture
def site(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(REPO / "glossaries", tmp_path / "glossaries")
    root = tmp_path / "content"
    assert runner.invoke(app, ["memory", "seed", "--root", str(root)]).exit_code == 0
    return root


def cli(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def fill(po_path, translate):
    po = polib.pofile(str(po_path), wrapwidth=0)
    for entry in po:
        entry.msgstr = translate(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(str(po_path))


def keep_protected(text):
    """A 'translation' that keeps every protected span, like a careful translator."""
    from transync.document.placeholders import Keep, split

    return "".join(p.source if isinstance(p, Keep) else (p.text.upper() if hasattr(p, "text") else p.source) for p in split(text))


def test_export_translate_import_writes_the_missing_documents(site, tmp_path, monkeypatch):
    out = tmp_path / "de.po"
    result = cli("memory", "export", "--root", str(site), "--lang", "de", "--only", "missing", "-o", str(out))
    assert result.exit_code == 0, result.output
    po = polib.pofile(str(out))
    assert po.metadata["Language"] == "de" and len(po) > 20
    assert all(e.msgstr == "" for e in po)
    assert all(e.occurrences for e in po)
    if shutil.which("msgfmt"):
        subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(out)], check=True)

    fill(out, keep_protected)
    monkeypatch.chdir(site)  # paths print relative to the current folder
    result = cli("memory", "import", str(out), "--root", str(site))
    assert result.exit_code == 0, result.output
    assert "translations imported" in result.stdout
    written = [line.split()[-1] for line in result.stdout.splitlines() if line.strip().startswith("written ")]
    assert "_products/de/kestrel/kestrel-a-1.md" in written, result.stdout
    text = (site / "_products/de/kestrel/kestrel-a-1.md").read_text()
    assert "## Überblick" in text  # seeded from the site's own German translations
    assert 'summary: "A CLASS-AB DESKTOP HEADPHONE AMPLIFIER' in text  # the imported translation
    assert "lang: de\n" in text and "$$ \\Large \\text{" in text
    status = json.loads(cli("status", "--root", str(site), "--format", "json", "--lang", "de").stdout)
    assert status["summary"]["languages"]["de"]["missing"] == 0
    # Importing again is harmless: the memory already says exactly this.
    assert cli("memory", "import", str(out), "--root", str(site), "--no-apply").exit_code == 0


def test_stale_segments_come_with_their_previous_source(site, tmp_path, git_env):
    # The source as translated comes from git: the site is committed, then the source is revised.
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "site"]):
        subprocess.run(["git", *args], cwd=site, check=True, capture_output=True)
    src = site / "_products/en/halden/halden-hx-700.md"
    text = src.read_text()
    first_para = next(line for line in text.splitlines() if line.startswith("The Halden HX-700"))
    src.write_text(text.replace(first_para, first_para + " Revised.").replace("date: 2026-02-14", "date: 2026-05-01"))
    out = tmp_path / "ja.po"
    assert cli("memory", "export", "--root", str(site), "--lang", "ja", "--only", "stale", "-o", str(out)).exit_code == 0
    po = polib.pofile(str(out))
    changed = [e for e in po if e.msgid == first_para + " Revised."]
    assert len(changed) == 1
    assert changed[0].previous_msgid == first_para
    assert "fuzzy" in changed[0].flags and changed[0].msgstr  # the old translation, to adapt


def test_an_export_is_written_as_the_memory_is(site, tmp_path):
    from transync.translate.pofile import write_header

    out = tmp_path / "de.po"
    assert cli("memory", "export", "--root", str(site), "--lang", "de", "--only", "missing", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    comment = "# transync: texts to translate into de (missing); fill in msgstr, then: transync memory import FILE\n"
    assert text.startswith(comment + write_header("en", "de") + "\n#: ")  # the memory's header
    entries = text.split("\n\n")[1:]
    assert entries and all(e.startswith("#: ") and 'msgstr ""' in e for e in entries)
    assert all(len(line.split()) == 2 for line in text.splitlines() if line.startswith("#: "))  # one occurrence a line


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda e: e.msgstr.replace("[1]", "") if "[1]" in e.msgid else None, "protected text changed (missing '[1]')"),
        (lambda e: e.msgstr + " `rm -rf`" if "`" not in e.msgid else None, "protected text changed (added '`rm -rf`')"),
        (
            lambda e: e.msgstr + " [MEHR](https://evil.example)" if "](" not in e.msgid else None,
            "protected text changed (added '](https://evil.example)')",
        ),
    ],
)
def test_broken_imports_change_nothing(site, tmp_path, mangle, message):
    out = tmp_path / "de.po"
    cli("memory", "export", "--root", str(site), "--lang", "de", "--only", "missing", "-o", str(out))
    fill(out, keep_protected)
    po = polib.pofile(str(out), wrapwidth=0)
    for entry in po:
        new = mangle(entry)
        if new is not None:
            entry.msgstr = new
    po.save(str(out))
    memory_file = site / ".transync/memory/en-de.po"
    before = memory_file.read_bytes()
    result = cli("memory", "import", str(out), "--root", str(site))
    assert result.exit_code == 2
    assert message in result.stderr and "nothing imported" in result.stderr
    assert memory_file.read_bytes() == before
    assert not (site / "_products/de/kestrel/kestrel-a-1.md").exists()


def test_unknown_msgid_and_corrupt_file_are_rejected(site, tmp_path):
    bad = tmp_path / "bad.po"
    bad.write_text('msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgid "Never seen"\nmsgstr "Nie gesehen"\n')
    result = cli("memory", "import", str(bad), "--root", str(site))
    assert result.exit_code == 2 and "unknown msgid" in result.stderr
    corrupt = tmp_path / "corrupt.po"
    corrupt.write_text('msgid "unterminated\nmsgstr "x"\n')
    result = cli("memory", "import", str(corrupt), "--root", str(site), "--lang", "de")
    assert result.exit_code == 2 and "not a readable PO file" in result.stderr
    # Without --lang the file is read once, by the same reader: the same one-line refusal with its line.
    result = cli("memory", "import", str(corrupt), "--root", str(site))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"{corrupt}: not a readable PO file: line " in result.stderr
    unnamed = tmp_path / "unnamed.po"
    unnamed.write_text('msgid ""\nmsgstr ""\n\nmsgid "Never seen"\nmsgstr "Nie gesehen"\n')
    result = cli("memory", "import", str(unnamed), "--root", str(site))
    assert result.exit_code == 2
    assert result.stderr == f"transync memory import: error: {unnamed}: no Language header: give --lang\n"
