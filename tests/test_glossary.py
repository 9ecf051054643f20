"""Glossary files: formats, quirks and problems reported with file and line."""

from __future__ import annotations

from pathlib import Path

from transync.translate import glossary

REPO = Path(__file__).resolve().parents[1]


def write(folder: Path, name: str, data: str | bytes) -> None:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def test_shipped_glossaries_are_clean():
    result = glossary.load(REPO / "glossaries")
    assert result.problems == []
    assert result.terms("en", "ja")["overview"] == "概要"
    assert result.terms("en", "de")["overview"] == "Überblick"


def test_bom_crlf_and_quoted_fields(tmp_path):
    write(tmp_path, "en-ja.csv", "\ufeffsource,target,note\r\n\"Hi-Fi, portable\",ポータブル,\"a note, with comma\"\r\nDAC,DAC\r\n".encode())
    result = glossary.load(tmp_path)
    assert result.problems == []
    assert result.terms("en", "ja") == {"hi-fi, portable": "ポータブル", "dac": "DAC"}
    assert result.pairs[("en", "ja")][0].note == "a note, with comma"


def test_tsv_and_multilingual(tmp_path):
    write(tmp_path, "en-de.tsv", "source\ttarget\nSpeaker\tLautsprecher\n")
    write(tmp_path, "terms.csv", "en,ja,de\nAmplifier,アンプ,Verstärker\nDriver,,Treiber\n")
    result = glossary.load(tmp_path)
    assert result.problems == []
    assert result.terms("en", "de") == {"speaker": "Lautsprecher", "amplifier": "Verstärker", "driver": "Treiber"}
    assert result.terms("en", "ja") == {"amplifier": "アンプ"}


def test_problems_name_file_and_line(tmp_path):
    write(
        tmp_path,
        "en-ja.csv",
        'source,target\nDAC,DAC\n"multi\nline",x\ndac,DAC\nAmp,アンプ\namp,増幅器\n,empty\n<x id="1"/>,tag\n',
    )
    write(tmp_path, "notes.csv", "term,meaning\n")
    result = glossary.load(tmp_path)
    got = [(p.path, p.line, p.message.split(" (")[0].split(" ->")[0]) for p in result.problems]
    assert got == [
        ("en-ja.csv", 5, "duplicate entry for 'dac'"),
        ("en-ja.csv", 7, "'amp'"),
        ("en-ja.csv", 8, "empty source or target term"),
        ("en-ja.csv", 9, "a term holds a tag-like text"),
        ("notes.csv", 1, "header must be 'source,target[,note]' or language codes"),
    ]
    assert "conflicts with 'アンプ' (en-ja.csv:6)" in result.problems[1].message


# --------------------------------------------------------------------------- the CLI and DeepL

import json
import shutil

import deepl
import pytest
from typer.testing import CliRunner

from deepl_fake import FakeDeepL
from transync.cli import app

runner = CliRunner()
KEY = "fake-deepl-test-key:fx"


@pytest.fixture
def site(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(REPO / "glossaries", tmp_path / "glossaries")
    return tmp_path / "content"


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(deepl.http_client, "max_network_retries", deepl.http_client.max_network_retries)
    monkeypatch.setattr(deepl.http_client, "min_connection_timeout", deepl.http_client.min_connection_timeout)
    with FakeDeepL(KEY) as server:
        yield server


def cli(*args, fake=None):
    env = {"DEEPL_AUTH_KEY": KEY, "DEEPL_SERVER_URL": fake.url} if fake else None
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def test_check_files_reports_problems_with_file_and_line(site):
    glossaries = site.parent / "glossaries"
    with open(glossaries / "en-ja.csv", "a", encoding="utf-8") as fh:
        fh.write("Overview,概観\n")
    (glossaries / "en-xx.csv").write_text("source,target\nDAC,DAC\n")
    result = cli("glossary", "check-files", "--root", str(site), "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    messages = [(p["path"].split("/")[-1], p["line"], p["message"].split(" (")[0]) for p in problems]
    lines = (glossaries / "en-ja.csv").read_text().count("\n")
    assert ("en-ja.csv", lines, "'Overview' -> '概観' conflicts with '概要'") in messages
    assert any(m[0] == "en-xx.csv" and "not one of the site's languages" in m[2] for m in messages)
    assert cli("glossary", "check-files", "--root", str(site)).exit_code == 1


def test_sync_creates_reuses_and_replaces_without_duplicates(site, fake):
    client = deepl.DeepLClient(KEY, server_url=fake.url)  # a glossary that is not transync's is left alone
    from deepl.api_data import MultilingualGlossaryDictionaryEntries

    client.create_multilingual_glossary("mine", [MultilingualGlossaryDictionaryEntries("EN", "DE", {"a": "b"})])

    first = cli("glossary", "sync", "--root", str(site), fake=fake)
    assert first.exit_code == 0 and "created" in first.stdout and "en-de, en-ja" in first.stdout
    again = cli("glossary", "sync", "--root", str(site), fake=fake)
    assert "unchanged, reused" in again.stdout
    names = sorted(g.name for g in client.list_multilingual_glossaries())
    assert len(names) == 2 and "mine" in names

    with open(site.parent / "glossaries/en-de.csv", "a", encoding="utf-8") as fh:
        fh.write("Soundstage,Bühne\n")
    changed = cli("glossary", "sync", "--root", str(site), fake=fake)
    assert "created" in changed.stdout and "deleted outdated transync-" in changed.stdout
    names = sorted(g.name for g in client.list_multilingual_glossaries())
    assert len(names) == 2 and "mine" in names
    listing = cli("glossary", "list", "--root", str(site), fake=fake)
    assert "transync-" in listing.stdout and "en-de (60)" in listing.stdout


def test_sync_without_a_glossary_is_an_error_and_asks_nothing_of_the_service(site, fake):
    folder = site.parent / "glossaries"
    shutil.rmtree(folder)
    result = cli("glossary", "sync", "--root", str(site), fake=fake)
    assert result.exit_code == 2
    assert result.stderr == (f"transync glossary sync: error: no glossary found in {folder} "
                             "(files named <src>-<tgt>.csv; --glossaries or [translate] glossary_dir)\n")
    assert fake.requests == []


def test_sync_of_glossary_files_without_a_usable_term_is_an_error_naming_check_files(site, fake):
    folder = site.parent / "glossaries"
    shutil.rmtree(folder)
    write(folder, "en-ja.csv", "source,target\n,空\n")  # its one row has no source term
    result = cli("glossary", "sync", "--root", str(site), fake=fake)
    assert result.exit_code == 2
    assert result.stderr == (f"transync glossary sync: error: no glossary in {folder} that the deepl engine can use "
                             "(transync glossary check-files names the problems)\n")
    assert fake.requests == []
    assert cli("glossary", "check-files", "--root", str(site)).exit_code == 1


def test_translate_uses_the_glossary(site, fake):
    result = cli("translate", "--root", str(site), fake=fake)
    assert result.exit_code == 0, result.output
    requests = fake.requests_to("/v2/translate")
    assert requests and all(r.params.get("glossary_id") for r in requests)
    text = (site / "_products/de/kestrel/kestrel-a-1.md").read_text()
    assert "\n## Überblick\n" in text  # a heading that is a glossary term is not even sent
    assert all("Overview" not in r.params["text"] for r in requests)


# --------------------------------------------------------------------------- terms in translations

from conftest import doc, requires_corpus  # noqa: E402


def term_site(make_site, ja_body: str, *, ja_tags="[ヘッドホン]", de_body: str | None = None):
    files = {
        "glossaries/en-ja.csv": "source,target,note\nReferences,参考文献,Section heading\nfrequency response,周波数特性,\nBudget,低価格,Tag\nHeadphones,ヘッドホン,\nbalanced armature,バランスド・アーマチュア,\n",
        "glossaries/en-de.csv": "source,target,note\nDynamic driver,Dynamischer Treiber,\n",
        "_products/en/p.md": doc("p", "en", tags="[Headphones, Budget]", body=(
            "## Overview\n\nThe frequency response is flat. A balanced armature design.\n\n"
            "On a budget, this is fine. It uses a dynamic driver.\n\n"
            "## References\n\n1. Maker, \"Frequency Response Graphs\", https://example.com/fr\n"
        )),
        "_products/ja/p.md": doc("p", "ja", tags=ja_tags, body=ja_body),
    }
    if de_body is not None:
        files["_products/de/p.md"] = doc("p", "de", tags="[Kopfhörer]", body=de_body)
    return make_site(files)


JA_GOOD = (
    "## 概要\n\n周波数特性はフラットです。バランスドアーマチュア設計です。\n\n"
    "予算が限られていても十分です。ダイナミックドライバーを使います。\n\n"
    "## 参考文献\n\n1. Maker, \"Frequency Response Graphs\", https://example.com/fr\n"
)


def test_term_check_is_quiet_on_a_faithful_translation(make_site):
    de = ("## Überblick\n\nDer Frequenzgang ist flach. Ein BA-Design.\n\nFür wenig Geld gut. Er nutzt einen "
          "dynamischen 10-mm-Treiber.\n\n## Quellen\n\n1. Maker, \"Frequency Response Graphs\", https://example.com/fr\n")
    root = term_site(make_site, JA_GOOD, ja_tags="[ヘッドホン, 低価格]", de_body=de)
    result = cli("glossary", "check", "--root", str(root), "--format", "json")
    assert json.loads(result.stdout)["findings"] == [], result.stdout
    assert result.exit_code == 0


def test_term_check_reports_each_violation_with_its_line(make_site):
    bad = JA_GOOD.replace("周波数特性", "周波数応答").replace("## 参考文献", "## 参考情報")
    root = term_site(make_site, bad, ja_tags="[ヘッドホン, エントリー]")
    result = cli("glossary", "check", "--root", str(root), "--format", "json")
    assert result.exit_code == 1
    found = sorted((f["line"], f["term"], f["target"]) for f in json.loads(result.stdout)["findings"])
    assert found == [(7, "Budget", "低価格"), (11, "frequency response", "周波数特性"), (15, "References", "参考文献")]
    github = runner.invoke(app, ["glossary", "check", "--root", str(root), "--format", "github"], env={"GITHUB_WORKSPACE": str(root)})
    assert "::warning file=_products/ja/p.md,line=11,title=transync%3A glossary::'frequency response' should be translated as '周波数特性' (glossary)" in github.stdout.splitlines()


@requires_corpus()
def test_term_check_on_part_of_the_real_corpus():
    from conftest import CORPUS
    from transync.site import scan, status
    from transync.checks import termcheck
    from transync.site.config import load_config

    report = status.report(scan.scan(load_config(CORPUS)), langs=["ja"])
    glossaries = glossary.load(REPO / "glossaries")
    result = termcheck.check_terms(report, glossaries, paths=["_products/ja/sony"])
    assert result.checked > 50 and result.unreadable == []
    found = {(f.path, f.line, f.term) for f in result.findings}
    # "周波数レスポンス" where the glossary says 周波数特性, and a "参考情報" heading.
    assert ("_products/ja/sony/sony-c-38b.md", 17, "frequency response") in found
    assert ("_products/ja/sony/sony-c-38b.md", 53, "References") in found
    assert len(result.findings) > 100
    for finding in result.findings:  # every report names a term the source has and the translation lacks
        text = (CORPUS / finding.path).read_text().splitlines()[finding.line - 1]
        assert finding.target not in text

    # A folder is selected by whole names: adam/ holds one translation, adam-audio/ beside it twelve more.
    adam = termcheck.check_terms(report, glossaries, paths=["_products/ja/adam"])
    assert adam.checked == 1
    assert {f.path for f in adam.findings} == {"_products/ja/adam/adam-audio-d3v.md"}


def test_a_glossary_folder_can_be_given(make_site, tmp_path):
    root = term_site(make_site, JA_GOOD.replace("周波数特性", "周波数応答"), ja_tags="[ヘッドホン, 低価格]")
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "en-ja.csv").write_text("source,target\nfrequency response,周波数応答\n")
    assert cli("glossary", "check", "--root", str(root)).exit_code == 1
    assert cli("glossary", "check", "--root", str(root), "--glossaries", str(other)).exit_code == 0
    result = cli("glossary", "check", "--root", str(root), "--glossaries", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "no such folder" in result.stderr
