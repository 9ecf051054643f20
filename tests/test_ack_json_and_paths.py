"""`ack --format json`; `diff`, `ack` and `memory import` print paths relative to the current folder."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app

runner = CliRunner()


def cli(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], env={"DEEPL_AUTH_KEY": "", "OPENAI_API_KEY": ""}, catch_exceptions=False)


@pytest.fixture
def site(make_site, monkeypatch):
    """A hand-made ja page older than its source (judged by date), a missing de page; the cwd is a folder inside."""
    root = make_site({
        "_products/en/p.md": doc("p", "en", date="2025-03-01", body="## Overview\n\nText.\n"),
        "_products/ja/p.md": doc("p", "ja", date="2025-01-01", body="## 概要\n\n本文。\n"),
    })
    monkeypatch.chdir(root / "_products")
    return root


def test_ack_json(site):
    planned = json.loads(cli("ack", "p", "--dry-run", "--format", "json").stdout)
    assert planned == {
        "schema_version": planned["schema_version"], "dry_run": True,
        "summary": {"acknowledged": 1, "current": 0, "not_acknowledged": 1},
        "translations": [
            {"collection": "products", "ref": "p", "lang": "ja", "status": "would_acknowledge", "path": "ja/p.md",
             "source_path": "en/p.md", "how": "human", "reason": None, "learned": None},
            {"collection": "products", "ref": "p", "lang": "de", "status": "not_acknowledged", "path": None,
             "source_path": "en/p.md", "how": None, "reason": "missing: there is no translation to acknowledge", "learned": None},
        ],
    }
    result = cli("ack", "p", "--lang", "ja", "--format", "json")
    assert result.exit_code == 0
    done = json.loads(result.stdout)
    assert (done["dry_run"], done["summary"]) == (False, {"acknowledged": 1, "current": 0, "not_acknowledged": 0})
    assert [(t["status"], t["path"], t["how"], t["learned"]) for t in done["translations"]] == [("acknowledged", "ja/p.md", "human", 2)]


def test_ack_and_diff_print_paths_relative_to_the_cwd(site):
    assert cli("ack", "--lang", "ja", "--root", "..").stdout.startswith("  acknowledged  ja/p.md: ")
    src = site / "_products/en/p.md"
    src.write_text(src.read_text().replace("Text.", "Text, changed."))
    result = cli("diff", "p", "--lang", "ja", "--root", "..")
    assert result.exit_code == 1
    assert result.stdout.startswith("en/p.md -> ja/p.md (stale)\n")
    assert '(engine "human")\n\n@@ changed @@ en/p.md:10\n- Text.\n+ Text, changed.\n  translated as: 本文。\n' in result.stdout


def test_memory_import_names_the_memory_relative_to_the_cwd(site, tmp_path):
    out = tmp_path / "de.po"
    assert cli("memory", "export", "--lang", "de", "-o", out).exit_code == 0
    po = polib.pofile(str(out), wrapwidth=0)
    for entry in po:
        entry.msgstr = entry.msgid.upper()
    po.save(str(out))
    result = cli("memory", "import", out, "--no-apply")
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 translations imported (3 added), into ../.transync/memory/en-de.po\n"
