"""`translate --glossaries DIR` takes the glossaries of DIR instead of [translate] glossary_dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app

runner = CliRunner()


def cli(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], env={"DEEPL_AUTH_KEY": "", "OPENAI_API_KEY": ""}, catch_exceptions=False)


@pytest.fixture
def site(make_site, monkeypatch, tmp_path):
    root = make_site({"_products/en/p.md": doc("p", "en", body="## Overview\n\nText.\n")}, config='languages: ["en", "de"]\n')
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms/en-de.csv").write_text("source,target,note\nOverview,Überblick,Section heading\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def test_the_glossary_of_the_folder_given_translates_the_headings(site):
    result = cli("translate", "--engine", "pseudo", "--glossaries", "../terms")
    assert result.exit_code == 0, result.output
    assert "; 1 heading from the glossary" in result.stdout
    assert "\n## Überblick\n" in (site / "_products/de/p.md").read_text(encoding="utf-8")


def test_without_it_the_sites_glossary_folder_is_used(site):
    assert cli("translate", "--engine", "pseudo").exit_code == 0
    text = (site / "_products/de/p.md").read_text(encoding="utf-8")
    assert "\n## ⟦Övéŕvîéŵ··⟧\n" in text


def test_a_dry_run_counts_the_glossary_headings(site):
    result = cli("translate", "--dry-run", "--glossaries", "../terms")
    assert "1 heading from the glossary" in result.stdout


@pytest.mark.parametrize("given, message", [
    ("nosuch", "--glossaries nosuch: no such folder"),
    ("_products", "no glossary found in {root}/_products (files named <src>-<tgt>.csv; --glossaries or [translate] glossary_dir)"),
])
def test_a_folder_without_glossaries_is_a_one_line_error(site, given, message):
    result = cli("translate", "--engine", "pseudo", "--glossaries", given)
    assert result.exit_code == 2
    assert result.stderr == f"transync translate: error: {message.format(root=site)}\n"
    assert not (site / "_products/de/p.md").exists()
