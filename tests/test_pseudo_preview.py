"""`pseudo FILE` prints what `translate --engine pseudo` would write: the front matter too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO
from transync.cli import app

runner = CliRunner()
SOURCE = "_products/en/kestrel/kestrel-a-1.md"


def cli(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], env={"DEEPL_AUTH_KEY": "", "OPENAI_API_KEY": ""}, catch_exceptions=False)


@pytest.fixture
def site(tmp_path, monkeypatch):
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(REPO / "glossaries", tmp_path / "glossaries")
    monkeypatch.chdir(tmp_path / "content")
    return tmp_path / "content"


def test_pseudo_prints_the_front_matter_translate_writes(site):
    result = cli("pseudo", SOURCE, "--to", "ja")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert 'title: "Kestrel A-1 製品レビュー"\n' in out  # the title template of [translate.targets.ja]
    assert "price: 41850\n" in out  # 279 USD at 150 JPY/USD
    assert "tags: [アンプ, デスクトップ, ヘッドホンアンプ, ⟦Ķéšţŕéļ··⟧]\n" in out  # glossary tags; the unknown one translated
    assert "\n## 概要\n" in out and "\n## 参考文献\n" in out  # glossary headings
    assert "permalink: /products/ja/kestrel-a-1/\n" in out
    assert result.stderr == "transync pseudo: what translate --engine pseudo --to ja would write to _products/ja/kestrel/kestrel-a-1.md\n"
    assert not (site / "_products/ja/kestrel/kestrel-a-1.md").exists()


def test_pseudo_output_is_byte_for_byte_what_translate_writes(site):
    preview = cli("pseudo", SOURCE, "--to", "de").stdout
    assert cli("translate", "--engine", "pseudo", "--to", "de", "kestrel-a-1", "--no-memory").exit_code == 0
    assert (site / "_products/de/kestrel/kestrel-a-1.md").read_text(encoding="utf-8") == preview


def test_the_default_language_is_the_collections_first_target(site):
    result = cli("pseudo", SOURCE)
    assert "lang: ja\n" in result.stdout and "--to ja would write" in result.stderr


def test_pseudo_with_other_glossaries(site, tmp_path):
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms/en-ja.csv").write_text("source,target,note\nOverview,オーバービュー,Section heading\n", encoding="utf-8")
    out = cli("pseudo", SOURCE, "--to", "ja", "--glossaries", tmp_path / "terms").stdout
    assert "\n## オーバービュー\n" in out and "\n## ⟦Ŕéféŕéñçéš···⟧\n" in out
