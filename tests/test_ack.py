"""`transync ack` over paths, refs, languages and states: hand-made translations after a batch of date bumps."""

from __future__ import annotations

import subprocess
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
        "  would acknowledge  _products/ja/sony/a.md: its date would become the source's (2025-03-01)\n"
        "  would acknowledge  _products/ja/sony/b.md: its date would become the source's (2025-03-02)\n"
        "  would acknowledge  _products/ja/akg/c.md: its date would become the source's (2025-03-03)\n"
        "3 translations would be acknowledged\n"
    )
    assert {p: p.read_bytes() for p in site.rglob("*.md")} == before


def test_ack_by_source_folder_then_by_ref_then_nothing_left(site):
    result = cli("ack", "_products/en/sony")
    assert result.exit_code == 0
    assert result.stdout == (
        "  acknowledged  _products/ja/sony/a.md: its date is now the source's; 2 new source segments learnt by the memory\n"
        "  acknowledged  _products/ja/sony/b.md: its date is now the source's\n"
        "2 translations acknowledged\n"
    )
    assert "date: 2025-03-02\n" in (site / "_products/ja/sony/b.md").read_text()
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
        "  acknowledged  _products/ja/akg/c.md: its date is now the source's; 2 new source segments learnt by the memory\n"
        "  not acknowledged  _products/ja/akg/m.md: pseudo: pseudo output is not a translation: translate it with a real engine\n"
        "1 translation acknowledged, 1 not acknowledged\n"
    )
    # A folder passes over what cannot be acknowledged.
    folder = cli("ack", "_products/ja/akg", "--dry-run")
    assert (folder.exit_code, folder.stdout) == (0, "nothing to acknowledge: 1 translation already current\n")


def test_in_git_a_hand_made_translation_whose_date_is_already_the_sources_is_named_not_claimed(make_site, monkeypatch):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Tester")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "tester@example.com")
    root = make_site({
        "_products/en/a.md": doc("a", "en", body="## Overview\n\nText.\n"),
        "_products/ja/a.md": doc("a", "ja", body="## 概要\n\n本文。\n"),
        "_products/en/b.md": doc("b", "en", body="## Overview\n\nText.\n"),
        "_products/ja/b.md": doc("b", "ja", body="## 概要\n\n本文。\n"),
    }, config='languages: ["en", "ja"]\n')
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "site"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    monkeypatch.chdir(root)
    # Both sources get a typo fixed; only b's date says so.
    for name, date in (("a", "2025-01-10"), ("b", "2025-02-01")):
        src = root / f"_products/en/{name}.md"
        src.write_text(src.read_text().replace("Text.", "Text, fixed.").replace("date: 2025-01-10", f"date: {date}"))
    result = cli("ack", "--lang", "ja", "--state", "stale")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "  acknowledged  _products/ja/b.md: its date is now the source's; 2 new source segments learnt by the memory"
    assert lines[1].startswith(
        "  not acknowledged  _products/ja/a.md: its date is already the source's (2025-01-10): ack can set nothing more "
        "in a hand-made translation, and the source changed since the translation's last commit "
    )
    assert lines[2] == "1 translation acknowledged, 1 not acknowledged"
    data = cli("status", "--format", "json").stdout
    assert '"ref": "b", "lang": "ja", "state": "current"' in data and '"ref": "a", "lang": "ja", "state": "stale"' in data
