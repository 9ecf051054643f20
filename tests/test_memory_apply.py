"""Landing a translator's PO work without a key: export, translate, import, then `translate --engine memory`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from conftest import REPO, doc
from transync.cli import app
from transync.translate.memory import Memory

runner = CliRunner()
NO_KEY = {"DEEPL_AUTH_KEY": "", "OPENAI_API_KEY": ""}
HUMAN_JA = "## 概要\n\n人が訳した第一段落。\n\n人が訳した第二段落。\n"


def cli(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], env=NO_KEY, catch_exceptions=False)


def states(root: Path, lang: str) -> dict[str, str]:
    data = json.loads(cli("status", "--root", root, "--format", "json", "--lang", lang).stdout)
    return {i["ref"]: i["state"] for i in data["items"]}


@pytest.fixture
def site(make_site, monkeypatch):
    """p: a hand-made ja translation older than its source (stale by date); q: no ja translation.
    The tests run from the site, where the paths printed are the site's own."""
    root = _site(make_site)
    monkeypatch.chdir(root)
    return root


def _site(make_site):
    return make_site({
        "_products/en/p.md": doc("p", "en", date="2025-03-01", body="## Overview\n\nThe first paragraph.\n\nThe second paragraph.\n"),
        "_products/ja/p.md": doc("p", "ja", date="2025-01-01", body=HUMAN_JA),
        "_products/en/q.md": doc("q", "en", body="## Overview\n\nA third paragraph.\n"),
    }, config='languages: ["en", "ja"]\n')


def translate_po(path: Path, done: dict[str, str], fuzzy: tuple[str, ...] = ()) -> None:
    po = polib.pofile(str(path), wrapwidth=0)
    for entry in po:
        entry.msgstr = done.get(entry.msgid, "")
        entry.flags = ["fuzzy"] if entry.msgid in fuzzy else []
    po.save(str(path))


DONE = {"Overview": "概要", "The first paragraph.": "第一段落。", "The second paragraph.": "第二段落。",
        "p review": "p レビュー", "q review": "q レビュー", "A third paragraph.": "第三段落。"}


def test_po_round_trip_export_edit_import_apply(site, tmp_path):
    po = tmp_path / "ja.po"
    exported = cli("memory", "export", "--root", site, "--lang", "ja", "-o", po)
    assert exported.exit_code == 0 and exported.stderr == f"6 texts from 2 documents written to {po}\n"
    translate_po(po, DONE, fuzzy=("q review",))

    imported = cli("memory", "import", po, "--root", site, "--no-apply")
    assert imported.exit_code == 0
    assert imported.stdout == f"5 translations imported (5 added); 1 skipped: 1 fuzzy (remove the flag once reviewed), into .transync/memory/en-ja.po\n"

    # q lacks its title: named, with where it is and what it says; p is made by hand: left alone, and said so.
    applied = cli("translate", "--root", site, "--engine", "memory")
    assert applied.exit_code == 0
    assert applied.stdout.splitlines()[:4] == [
        "  skipped  _products/ja/p.md: made by hand (no provenance): left alone; --force overwrites it",
        "  not written: 1 document needs 1 text the translation memory does not have:",
        "    _products/ja/q.md (1 text of _products/en/q.md): title 'q review'",
        "    `transync memory export --lang ja` writes them into a PO file for a translator",
    ]
    assert not (site / "_products/ja/q.md").exists()

    # The translator reviews the fuzzy title; importing applies what the memory now covers.
    translate_po(po, DONE)
    imported = cli("memory", "import", po, "--root", site)
    assert imported.exit_code == 0
    assert imported.stdout.splitlines()[:3] == [
        f"6 translations imported (1 added, 5 unchanged), into .transync/memory/en-ja.po",
        "  written  _products/ja/q.md",
        "  skipped  _products/ja/p.md: made by hand (no provenance): left alone; --force overwrites it",
    ]
    text = (site / "_products/ja/q.md").read_text()
    assert 'title: "q レビュー"' in text and "## 概要\n\n第三段落。\n" in text and 'engine: "memory"' in text
    assert states(site, "ja") == {"p": "stale", "q": "current"}

    # --force replaces the hand-made translation, and needs no engine: nothing is left to send.
    forced = cli("translate", "--root", site, "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.stdout.splitlines()[0] == "  written  _products/ja/p.md"
    assert "## 概要\n\n第一段落。\n\n第二段落。\n" in (site / "_products/ja/p.md").read_text()
    assert states(site, "ja") == {"p": "current", "q": "current"}


def test_force_without_a_key_demands_an_engine_only_when_there_is_text_to_send(site):
    before = (site / "_products/ja/p.md").read_bytes()
    refused = cli("translate", "--root", site, "--force", "p")
    assert refused.exit_code == 2
    assert "(57 characters of 1 document are not in the translation memory; --engine memory writes the documents it covers)\n" in refused.stderr
    assert (site / "_products/ja/p.md").read_bytes() == before

    memory = Memory.open(site, "en", "ja")
    for source in ("Overview", "The first paragraph.", "The second paragraph."):
        memory.put(source, DONE[source], origin="human")
    memory.put("p review", "p レビュー", origin="human", context="fm:title")
    memory.save()
    dry = cli("translate", "--root", site, "--force", "p", "--dry-run")
    assert "1 document, 0 texts, 0 characters in 0 requests" in dry.stdout
    forced = cli("translate", "--root", site, "--force", "p")
    assert forced.exit_code == 0, forced.output
    assert forced.stdout.startswith("  written  _products/ja/p.md\n")


def test_memory_engine_replaces_pseudo_output_and_json_lists_every_missing_text(site):
    assert cli("translate", "--root", site, "--engine", "pseudo", "q").exit_code == 0
    assert states(site, "ja")["q"] == "pseudo"
    memory = Memory.open(site, "en", "ja")
    memory.put("Overview", "概要", origin="human")
    memory.save()
    result = cli("translate", "--root", site, "--engine", "memory", "q", "--format", "json")
    data = json.loads(result.stdout)
    assert data["engine"] == "memory" and data["summary"]["written"] == 0
    assert data["summary"]["uncovered"] == [{
        "path": "_products/ja/q.md", "source_path": "_products/en/q.md", "lang": "ja",
        "texts": [{"where": "line 10", "source": "A third paragraph."}, {"where": "title", "source": "q review"}],
    }]
    memory.put("A third paragraph.", "第三段落。", origin="human")
    memory.put("q review", "q レビュー", origin="human", context="fm:title")
    memory.save()
    result = cli("translate", "--root", site, "--engine", "memory", "q")
    assert result.stdout.startswith("  written  _products/ja/q.md\n")
    assert states(site, "ja")["q"] == "current"


def test_memory_engine_with_no_memory_is_a_usage_error(site):
    result = cli("translate", "--root", site, "--engine", "memory", "--no-memory")
    assert result.exit_code == 2
    assert result.stderr == "transync translate: error: --engine memory writes what the translation memory has: it cannot go with --no-memory\n"


def test_sample_site_round_trip_writes_every_german_document(tmp_path, monkeypatch):
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(REPO / "glossaries", tmp_path / "glossaries")
    root = tmp_path / "content"
    monkeypatch.chdir(root)
    assert cli("memory", "seed", "--root", root).exit_code == 0
    po = tmp_path / "de.po"
    assert cli("memory", "export", "--root", root, "--lang", "de", "-o", po).exit_code == 0
    # A translator who keeps every protected span (upper case stands for German).
    from transync.document.placeholders import Keep, split

    entries = polib.pofile(str(po), wrapwidth=0)
    for entry in entries:
        entry.msgstr = "".join(p.source if isinstance(p, Keep) else (p.text.upper() if hasattr(p, "text") else p.source) for p in split(entry.msgid))
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    entries.save(str(po))
    imported = cli("memory", "import", po, "--root", root)
    assert imported.exit_code == 0, imported.output
    assert "not written" not in imported.stdout
    assert "  skipped  _products/de/kestrel/kestrel-ie-5.md: made by hand (no provenance): left alone; --force overwrites it" in imported.stdout
    assert cli("translate", "--root", root, "--engine", "memory", "--force", "--to", "de").exit_code == 0
    data = json.loads(cli("status", "--root", root, "--format", "json", "--lang", "de").stdout)
    assert data["summary"]["languages"]["de"]["percent_complete"] == 100.0
