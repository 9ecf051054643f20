"""`transync ack` over paths, refs, languages and states: hand-made translations after a batch of date bumps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app

runner = CliRunner()


def cli(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], env={"DEEPL_AUTH_KEY": ""}, catch_exceptions=False)


@pytest.fixture
def site(make_site, monkeypatch):
    """Three hand-made ja translations whose sources got a newer date (a typo fix), and one missing."""
    root = make_site({
        "_products/en/sony/a.md": doc("a", "en", date="2025-03-01"),
        "_products/ja/sony/a.md": doc("a", "ja", date="2025-01-01", body="## 概要\n\n本文。\n"),
        "_products/en/sony/b.md": doc("b", "en", date="2025-03-02"),
        "_products/ja/sony/b.md": doc("b", "ja", date="2025-01-01", body="## 概要\n\n本文。\n"),
        "_products/en/akg/c.md": doc("c", "en", date="2025-03-03"),
        "_products/ja/akg/c.md": doc("c", "ja", date="2025-01-01", body="## 概要\n\n本文。\n"),
        "_products/en/akg/m.md": doc("m", "en"),
    }, config='languages: ["en", "ja"]\n')
    monkeypatch.chdir(root)
    return root


def test_ack_needs_a_selection(site):
    result = cli("ack")
    assert result.exit_code == 2
    assert result.stderr == "transync ack: error: name the translations to acknowledge: PATHS_OR_REFS, --lang, --collection or --state stale\n"


def test_ack_dry_run_by_language_and_state_changes_nothing(site):
    before = {p: p.read_bytes() for p in site.rglob("*.md")}
    result = cli("ack", "--lang", "ja", "--state", "stale", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == (
        "  would acknowledge  _products/ja/sony/a.md: a provenance line (engine \"human\") would record the current source\n"
        "  would acknowledge  _products/ja/sony/b.md: a provenance line (engine \"human\") would record the current source\n"
        "  would acknowledge  _products/ja/akg/c.md: a provenance line (engine \"human\") would record the current source\n"
        "3 translations would be acknowledged\n"
    )
    assert {p: p.read_bytes() for p in site.rglob("*.md")} == before


def test_ack_by_source_folder_then_by_ref_then_nothing_left(site):
    result = cli("ack", "_products/en/sony")
    assert result.exit_code == 0
    assert result.stdout == (
        "  acknowledged  _products/ja/sony/a.md: a provenance line (engine \"human\") now records the current source; 2 new source segments learnt by the memory\n"
        "  acknowledged  _products/ja/sony/b.md: a provenance line (engine \"human\") now records the current source\n"
        "2 translations acknowledged\n"
    )
    text = (site / "_products/ja/sony/b.md").read_text()
    assert "date: 2025-01-01\n" in text  # the page's own date is left as it is
    assert re.search(r'^transync: \{source_hash: "\w+", source_date: 2025-03-02, engine: "human", fields: \{.*\}, segments: "h\w+p\w+"\}\n---\n', text, re.M)
    result = cli("ack", "c", "--lang", "ja")
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "1 translation acknowledged")

    # Idempotent: nothing left to do is no error, and says so.
    again = cli("ack", "--lang", "ja", "--state", "stale")
    assert (again.exit_code, again.stdout) == (0, "nothing to acknowledge: 3 translations already current\n")
    # A translation's own path is accepted (it used to be taken for an unknown ref).
    one = cli("ack", "_products/ja/sony/a.md")
    assert (one.exit_code, one.stdout) == (0, "nothing to acknowledge: 1 translation already current\n")


def test_ack_of_what_cannot_be_acknowledged_names_it(site):
    result = cli("ack", "m")
    assert result.exit_code == 1
    assert result.stdout == (
        "  not acknowledged  _products/ja/akg/m.md: missing: there is no translation to acknowledge\n"
        "0 translations acknowledged, 1 not acknowledged\n"
    )
    assert cli("translate", "--engine", "pseudo", "m").exit_code == 0
    result = cli("ack", "_products/ja/akg/m.md", "c")
    assert result.exit_code == 1
    assert result.stdout == (
        "  acknowledged  _products/ja/akg/c.md: a provenance line (engine \"human\") now records the current source; 2 new source segments learnt by the memory\n"
        "  not acknowledged  _products/ja/akg/m.md: pseudo: pseudo output is not a translation: translate it with a real engine\n"
        "1 translation acknowledged, 1 not acknowledged\n"
    )
    # A folder passes over what cannot be acknowledged.
    folder = cli("ack", "_products/ja/akg", "--dry-run")
    assert (folder.exit_code, folder.stdout) == (0, "nothing to acknowledge: 1 translation already current\n")
