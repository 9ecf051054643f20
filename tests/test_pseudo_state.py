"""Pseudo output is a preview: its own state, never counted, replaced by a real engine, never replacing a translation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CORPUS, doc, requires_corpus
from deepl_fake import FakeDeepL
from transync.cli import app
from transync.translate.memory import Memory

runner = CliRunner()
SECRET = "fake-deepl-test-key:fx"
BODY = "## Overview\n\nThe first paragraph.\n\nThe second paragraph.\n"
NO_KEY = {"DEEPL_AUTH_KEY": "", "OPENAI_API_KEY": ""}


def cli(*args: str | Path, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(a) for a in args], env={**NO_KEY, **(env or {})}, catch_exceptions=False)


def status_json(root: Path) -> dict:
    return json.loads(cli("status", "--root", root, "--format", "json").stdout)


def item(data: dict, ref: str, lang: str) -> dict:
    return next(i for i in data["items"] if (i["ref"], i["lang"]) == (ref, lang))


@pytest.fixture
def site(make_site, monkeypatch):
    """The tests run from the site, where the paths printed are the site's own."""
    root = make_site({"_products/en/p.md": doc("p", "en", body=BODY)}, config='languages: ["en", "de"]\n')
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with FakeDeepL(SECRET) as server:
        yield server


def test_pseudo_output_is_its_own_state_never_counted_as_complete(site, tmp_path):
    result = cli("translate", "--root", site, "--engine", "pseudo")
    assert result.exit_code == 0, result.output
    text = (site / "_products/de/p.md").read_text()
    assert "⟦Ţĥé fîŕšţ påŕåĝŕåpĥ" in text
    assert re.search(r'^transync: \{source_hash: "\w+", source_date: 2025-01-10, output_hash: "\w+", engine: "pseudo", ', text, re.M)

    data = status_json(site)
    assert item(data, "p", "de")["state"] == "pseudo"
    assert data["summary"]["languages"]["de"] == {
        "source": False, "expected": 1, "current": 0, "stale": 0, "missing": 0, "pseudo": 1,
        "orphan": 0, "duplicate": 0, "invalid": 0, "percent_complete": 0.0,
    }
    table = cli("status", "--root", site)
    assert table.exit_code == 1  # pseudo output fails the default policy, as missing does
    assert "de    German (Deutsch)  ░░░░░░░░░░░░░░░░░░░░   0.0%  of 1  current 0  pseudo 1" in table.stdout
    assert "  pseudo (1): pseudo-localized previews, not translations: translate them with a real engine\n" in table.stdout
    assert "    products  p  _products/de/p.md  pseudo-localized preview (--engine pseudo), not a translation\n" in table.stdout

    assert cli("report", "--root", site, "--output", tmp_path / "dash").exit_code == 0
    html = (tmp_path / "dash" / "index.html").read_text()
    assert '<tr><th scope="row">pseudo</th><td class="n" data-count="pseudo">1</td>' in html
    assert 'data-current="0" data-expected="1">0.0%' in html

    # Its own output is not redone while the source stays as it is.
    again = cli("translate", "--root", site, "--engine", "pseudo")
    assert "0 documents written, 0 failed, 0 skipped, 0 not started" in again.stdout


def test_a_real_engine_replaces_pseudo_output_without_force(site, fake):
    assert cli("translate", "--root", site, "--engine", "pseudo").exit_code == 0
    env = {"DEEPL_AUTH_KEY": SECRET, "DEEPL_SERVER_URL": fake.url}
    result = cli("translate", "--root", site, env=env)
    assert result.exit_code == 0, result.output
    assert "  written  _products/de/p.md\n" in result.stdout
    text = (site / "_products/de/p.md").read_text()
    assert "⟦" not in text and "[DE]" in text and 'engine: "deepl"' in text
    assert item(status_json(site), "p", "de")["state"] == "current"


def test_pseudo_never_replaces_a_translation_without_force(make_site, monkeypatch):
    root = make_site({
        "_products/en/p.md": doc("p", "en", date="2025-03-01", body=BODY),
        # Made by hand, older than its source: stale by date.
        "_products/ja/p.md": doc("p", "ja", date="2025-01-01", body="## 概要\n\n人が訳した第一段落。\n\n人が訳した第二段落。\n"),
        # Written by an engine from another source text: a stale machine translation.
        "_products/de/p.md": doc(
            "p", "de", body="## Überblick\n\nErster Absatz.\n\nZweiter Absatz.\n",
            transync='{source_hash: "0123456789abcdef", engine: "deepl"}',
        ),
    })
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    monkeypatch.chdir(root)  # paths print relative to the current folder
    data = status_json(root)
    assert (item(data, "p", "ja")["state"], item(data, "p", "de")["state"]) == ("stale", "stale")

    result = cli("translate", "--root", root, "--engine", "pseudo")
    assert result.exit_code == 0
    assert "  skipped  _products/ja/p.md: a hand-made translation: pseudo output never replaces it; --force overwrites it\n" in result.stdout
    assert "  skipped  _products/de/p.md: a machine translation: pseudo output never replaces it; --force overwrites it\n" in result.stdout
    assert {p: p.read_bytes() for p in root.rglob("*.md")} == before

    # Forced, it still takes every translation a person put in the memory, and writes nothing there.
    memory = Memory.open(root, "en", "ja")
    memory.put("The first paragraph.", "翻訳者の第一段落。", origin="human")
    memory.save()
    po = memory.path.read_bytes()
    forced = cli("translate", "--root", root, "--engine", "pseudo", "--force", "--to", "ja")
    assert forced.exit_code == 0 and "  written  _products/ja/p.md\n" in forced.stdout
    text = (root / "_products/ja/p.md").read_text()
    assert "\n翻訳者の第一段落。\n" in text and "⟦Ţĥé šéçöñđ påŕåĝŕåpĥ" in text
    assert memory.path.read_bytes() == po and not list(memory.path.parent.glob("*.journal"))
    assert item(status_json(root), "p", "ja")["state"] == "pseudo"


def test_pseudo_whose_texts_all_come_from_the_memory_is_a_translation(site):
    memory = Memory.open(site, "en", "de")
    for source, target in [("Overview", "Überblick"), ("The first paragraph.", "Der erste Absatz."), ("The second paragraph.", "Der zweite Absatz.")]:
        memory.put(source, target, origin="human")
    memory.put("p review", "p Test", origin="human", context="fm:title")
    memory.save()
    result = cli("translate", "--root", site, "--engine", "pseudo")
    assert "  written  _products/de/p.md\n" in result.stdout
    text = (site / "_products/de/p.md").read_text()
    assert "⟦" not in text and 'engine: "memory"' in text
    assert item(status_json(site), "p", "de")["state"] == "current"


def test_provenance_without_an_engine_reads_as_a_translation(site, fake):
    env = {"DEEPL_AUTH_KEY": SECRET, "DEEPL_SERVER_URL": fake.url}
    assert cli("translate", "--root", site, env=env).exit_code == 0
    path = site / "_products/de/p.md"
    text = path.read_text()
    assert 'engine: "deepl", ' in text
    path.write_text(text.replace('engine: "deepl", ', ""))  # as transync wrote it before it recorded the engine
    found = item(status_json(site), "p", "de")
    assert (found["state"], found["provenance"], found["edited"]) == ("current", True, False)


def test_without_a_key_the_error_points_at_previews_not_at_pseudo(site):
    result = cli("translate", "--root", site)
    assert result.exit_code == 2
    assert result.stderr == (
        "transync translate: error: no translation engine: set DEEPL_AUTH_KEY for DeepL, or use --engine openai "
        "(OPENAI_API_KEY and [translate.openai] model); to preview, --dry-run or transync pseudo FILE "
        "(57 characters of 1 document are not in the translation memory; --engine memory writes the documents it covers)\n"
    )
    assert not (site / "_products/de/p.md").exists()


# A reference line of a real review (sony-c-800g-9x): the padding used to follow the URL directly.
REFERENCE = "7. Grimm Audio — MP1 manual (C-800G voltage + Peltier note) (PDF). https://www.bhphotovideo.com/lit_files/1034219.pdf  \n"
URL_GLUED = re.compile(r"https?://[^\s⟧]*[·⟦⟧]")


def test_pseudo_padding_keeps_away_from_a_bare_url(make_site):
    root = make_site({"_products/en/p.md": doc("p", "en", body="## References\n\n" + REFERENCE + "8. See https://example.com/a.pdf for more.\n")})
    result = cli("pseudo", root / "_products/en/p.md", "--to", "de")
    assert result.exit_code == 0
    assert "7. ⟦Ĝŕîmm Åûđîö — MP1 måñûåļ (Ç-800Ĝ vöļţåĝé + Péļţîéŕ ñöţé) (PÐF). https://www.bhphotovideo.com/lit_files/1034219.pdf ············⟧  \n" in result.stdout
    assert "8. ⟦Šéé https://example.com/a.pdf föŕ möŕé.···⟧\n" in result.stdout
    assert not URL_GLUED.search(result.stdout)


@requires_corpus()
def test_no_real_sony_review_gets_padding_glued_to_a_url():
    reviews = sorted((CORPUS / "_products/en/sony").glob("*.md"))
    assert len(reviews) > 100
    glued = []
    for path in reviews:
        result = cli("pseudo", path, "--to", "de")
        assert result.exit_code == 0, path
        glued += [f"{path.name}: {m.group()}" for m in URL_GLUED.finditer(result.stdout)]
    assert glued == []
