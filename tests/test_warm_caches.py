"""The caches that make a warm run fast, and what makes each one let go.

- the parse of ``_config.yml`` (by its text and transync's code);
- the ready-to-judge rows of the header cache (by the layout and the collections' languages);
- the replay of ``status`` (by every file's identity, the configuration, the code,
  git's HEAD and changed paths, and the options).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import transync.document
from conftest import doc
from transync.cli import app
from transync.site import cache as cache_mod
from transync.site import scan as scan_mod
from transync.site import status as status_mod
from transync.site.config import load_config
from transync.site.scan import scan


@pytest.fixture
def trusting_cache(monkeypatch):
    """Let the caches keep files written a moment ago (tests write files just now)."""
    monkeypatch.setattr(cache_mod, "RACY_NS", -10**12)


@pytest.fixture
def yaml_calls(monkeypatch) -> list[str]:
    """The texts transync.document.load_yaml parsed."""
    calls: list[str] = []
    real = transync.document.load_yaml

    def counting(text: str, **kw):
        calls.append(text)
        return real(text, **kw)

    monkeypatch.setattr(transync.document, "load_yaml", counting)
    return calls


# --------------------------------------------------------------------------- _config.yml


def test_config_is_parsed_once_then_read_from_the_cache(make_site, yaml_calls):
    root = make_site({})
    first = load_config(root)
    second = load_config(root)
    assert len(yaml_calls) == 1
    assert first.languages == second.languages == ("en", "ja", "de")


def test_an_edited_config_is_parsed_again(make_site, yaml_calls):
    root = make_site({})
    assert load_config(root).languages == ("en", "ja", "de")
    (root / "_config.yml").write_text('languages: ["en", "fr"]\ndefault_lang: "en"\n', encoding="utf-8")
    assert load_config(root).languages == ("en", "fr")
    assert len(yaml_calls) == 2


def test_new_code_parses_the_config_again(make_site, yaml_calls, monkeypatch):
    root = make_site({})
    load_config(root)
    monkeypatch.setattr(cache_mod, "code_digest", lambda: "another-version")
    load_config(root)
    assert len(yaml_calls) == 2


def test_a_config_with_dates_is_parsed_every_time_and_right(make_site, yaml_calls):
    # marshal keeps no dates: such a parse is not cached rather than cached differently.
    root = make_site({}, config='languages: ["en", "ja"]\ndefault_lang: "en"\nbuilt: 2025-01-10\n')
    assert load_config(root).languages == load_config(root).languages == ("en", "ja")
    assert len(yaml_calls) == 2


def test_a_broken_config_is_an_error_every_time(make_site):
    from transync.errors import ConfigError

    root = make_site({}, config="languages: [en\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match="_config.yml: line"):
            load_config(root)


# --------------------------------------------------------------------------- ready-to-judge rows


def test_unchanged_files_come_back_as_the_same_documents(make_site, trusting_cache):
    root = make_site({"_products/en/p.md": doc("p", "en"), "_products/ja/p.md": doc("p", "ja", transync="{source_hash: abc, output_hash: def}")})
    config = load_config(root)
    first = scan(config)
    second = scan(config)
    assert second.parsed == 0
    assert second.documents == first.documents
    ja = next(d for d in second.documents if d.lang == "ja")
    assert ja.provenance.source_hash == "abc" and ja.provenance.output_hash == "def"


def test_rows_follow_the_languages_of_the_config(make_site, trusting_cache):
    root = make_site({"_products/en/p.md": doc("p", "en"), "_products/de/p.md": doc("p", "de")})
    assert sorted(d.lang for d in scan(load_config(root)).documents) == ["de", "en"]
    (root / "_config.yml").write_text('languages: ["en", "ja"]\ndefault_lang: "en"\n', encoding="utf-8")
    result = scan(load_config(root))
    assert result.parsed == 0  # the headers are still good; only the rows are judged again
    assert [d.lang for d in result.documents] == ["en"]
    assert [(i.path, i.reason) for i in result.invalid] == [("_products/de/p.md", "lang 'de' is not one of the site's languages (en, ja)")]


def test_a_layout_that_cannot_be_stamped_is_validated_every_scan(make_site, trusting_cache, monkeypatch):
    class Opaque:
        pass

    root = make_site({"_products/en/p.md": doc("p", "en")})
    config = load_config(root)
    object.__setattr__(config.layout, "settings", Opaque()) if hasattr(config.layout, "__dict__") else None
    try:
        assert scan_mod.layout_stamp(config) is None
        first, second = scan(config), scan(config)
        assert second.parsed == 0 and second.documents == first.documents
    finally:
        if hasattr(config.layout, "settings"):
            del config.layout.settings


# --------------------------------------------------------------------------- the replay of status --format json


def _status(root: Path, *args: str) -> tuple[dict, int]:
    result = CliRunner().invoke(app, ["status", "--root", str(root), "--format", "json", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout), result.exit_code


@pytest.fixture
def judged(monkeypatch) -> list[int]:
    """How many times a status report was judged (not replayed)."""
    calls: list[int] = []
    real = status_mod.report

    def counting(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(status_mod, "report", counting)
    return calls


def test_an_unchanged_site_is_replayed(make_site, trusting_cache, judged):
    root = make_site({"_products/en/p.md": doc("p", "en"), "_products/ja/p.md": doc("p", "ja"), "_products/ja/bad.md": "no front matter\n"})
    first = _status(root)
    second = _status(root)
    assert second == first and len(judged) == 1
    assert first[1] == 1  # the invalid file fails the run, replayed or not


def test_an_edited_file_is_judged_again(make_site, trusting_cache, judged):
    root = make_site({"_products/en/p.md": doc("p", "en"), "_products/ja/p.md": doc("p", "ja", "2025-01-10")})
    assert _status(root)[0]["summary"]["states"]["current"] == 1
    (root / "_products/en/p.md").write_text(doc("p", "en", "2025-02-01"), encoding="utf-8")
    assert _status(root)[0]["summary"]["states"]["stale"] == 1
    assert len(judged) == 2


def test_a_new_file_and_a_removed_file_are_judged_again(make_site, trusting_cache, judged):
    root = make_site({"_products/en/p.md": doc("p", "en")})
    assert _status(root)[0]["summary"]["states"]["missing"] == 2
    (root / "_products/ja").mkdir()
    (root / "_products/ja/p.md").write_text(doc("p", "ja"), encoding="utf-8")
    assert _status(root)[0]["summary"]["states"]["missing"] == 1
    (root / "_products/ja/p.md").unlink()
    assert _status(root)[0]["summary"]["states"]["missing"] == 2
    assert len(judged) == 3


def test_config_code_and_options_each_make_a_new_report(make_site, trusting_cache, judged, monkeypatch):
    root = make_site({"_products/en/p.md": doc("p", "en")})
    _status(root)
    (root / "transync.toml").write_text('[status]\nfail_on = ["stale"]\n', encoding="utf-8")
    assert _status(root)[1] == 0  # missing no longer fails
    assert _status(root, "--lang", "ja")[0]["summary"]["states"]["missing"] == 1
    monkeypatch.setattr(cache_mod, "code_digest", lambda: "another-version")
    _status(root, "--lang", "ja")
    assert len(judged) == 4


def test_files_written_a_moment_ago_are_never_replayed(make_site, judged):
    root = make_site({"_products/en/p.md": doc("p", "en")})
    _status(root)
    _status(root)
    assert len(judged) == 2


def test_no_cache_and_changed_from_judge_every_time(make_site, trusting_cache, judged):
    root = make_site({"_products/en/p.md": doc("p", "en")})
    _status(root, "--no-cache")
    _status(root, "--no-cache")
    assert len(judged) == 2


def test_a_commit_that_changes_no_file_is_judged_again(tmp_path, trusting_cache, judged, git_env):
    """Git's evidence moves with HEAD while the files stay as they are."""
    root = tmp_path / "site"
    (root / "_products/en").mkdir(parents=True)
    (root / "_products/ja").mkdir(parents=True)
    (root / "_config.yml").write_text('languages: ["en", "ja"]\ndefault_lang: "en"\n', encoding="utf-8")
    (root / "_products/en/p.md").write_text(doc("p", "en", body="## A\n\nOld text.\n"), encoding="utf-8")
    (root / "_products/ja/p.md").write_text(doc("p", "ja", body="## A\n\n古い。\n"), encoding="utf-8")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "both")
    (root / "_products/en/p.md").write_text(doc("p", "en", body="## A\n\nNew text.\n"), encoding="utf-8")
    git("commit", "-q", "-am", "source changed")
    assert _status(root)[0]["summary"]["states"]["stale"] == 1
    assert _status(root)[0]["summary"]["states"]["stale"] == 1
    assert len(judged) == 1
    git("commit", "-q", "--allow-empty", "-m", "translation reviewed: nothing to change")
    _status(root)
    assert len(judged) == 2


# --------------------------------------------------------------------------- glossary check


def _terms(root: Path, **kw):
    from transync.checks import termcheck
    from transync.translate import glossary

    report = status_mod.report(scan(load_config(root)), git=False)
    return termcheck.check_terms(report, glossary.load(root / "glossaries"), **kw)


@pytest.fixture
def parsed_pairs(monkeypatch) -> list[str]:
    """The translations the glossary check read (not taken from its cache)."""
    from transync.checks import termcheck

    calls: list[str] = []
    real = termcheck._check_one

    def counting(root, path, source_path, terms):
        calls.append(path)
        return real(root, path, source_path, terms)

    monkeypatch.setattr(termcheck, "_check_one", counting)
    return calls


def test_glossary_check_results_are_cached_per_translation(make_site, trusting_cache, parsed_pairs):
    from test_glossary import JA_GOOD, term_site

    root = term_site(make_site, JA_GOOD.replace("周波数特性", "周波数応答"), ja_tags="[ヘッドホン, 低価格]")
    first = _terms(root)
    second = _terms(root)
    assert parsed_pairs == ["_products/ja/p.md"]
    assert second.findings == first.findings and [f.term for f in first.findings] == ["frequency response"]
    assert (second.checked, second.not_aligned) == (first.checked, first.not_aligned) == (1, 0)


def test_glossary_check_sees_an_edited_translation_and_an_edited_glossary(make_site, trusting_cache, parsed_pairs):
    from test_glossary import JA_GOOD, term_site

    root = term_site(make_site, JA_GOOD.replace("周波数特性", "周波数応答"), ja_tags="[ヘッドホン, 低価格]")
    assert len(_terms(root).findings) == 1
    (root / "_products/ja/p.md").write_text(doc("p", "ja", tags="[ヘッドホン, 低価格]", body=JA_GOOD), encoding="utf-8")
    assert _terms(root).findings == []
    glossary_file = root / "glossaries/en-ja.csv"
    glossary_file.write_text(glossary_file.read_text(encoding="utf-8").replace("周波数特性", "周波数レスポンス"), encoding="utf-8")
    assert [f.target for f in _terms(root).findings] == ["周波数レスポンス"]
    assert len(parsed_pairs) == 3


def test_glossary_check_in_workers_matches_one_process(make_site, monkeypatch):
    from transync.checks import termcheck

    files = {"glossaries/en-ja.csv": "source,target,note\nfrequency response,周波数特性,\n"}
    for n in range(12):
        files[f"_products/en/p{n}.md"] = doc(f"p{n}", "en", body="## A\n\nThe frequency response is flat.\n")
        files[f"_products/ja/p{n}.md"] = doc(f"p{n}", "ja", body="## A\n\n周波数" + ("特性" if n % 3 else "応答") + "はフラットです。\n")
    root = make_site(files)
    serial = _terms(root, use_cache=False, jobs=1)
    monkeypatch.setattr(termcheck, "PARALLEL_THRESHOLD", 1)
    parallel = _terms(root, use_cache=False, jobs=2)
    assert parallel.findings == serial.findings and len(serial.findings) == 4
    assert parallel.checked == serial.checked == 12


def test_the_table_is_replayed_only_where_it_would_read_the_same(make_site, trusting_cache, judged, monkeypatch):
    root = make_site({"_products/en/p.md": doc("p", "en")})
    runner = CliRunner()

    def table(cwd: Path) -> str:
        monkeypatch.chdir(cwd)
        return runner.invoke(app, ["status", "--root", str(root)], catch_exceptions=False).stdout

    first = table(root)
    assert table(root) == first and len(judged) == 1
    inside = table(root / "_products")  # paths are shown from where the user stands
    assert inside != first and "en/p.md" in inside and len(judged) == 2
    monkeypatch.setenv("NO_COLOR", "1")
    table(root)
    assert len(judged) == 3


def test_github_format_is_never_replayed(make_site, trusting_cache, judged, tmp_path, monkeypatch):
    root = make_site({"_products/en/p.md": doc("p", "en")})
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    for _ in range(2):
        CliRunner().invoke(app, ["status", "--root", str(root), "--format", "github"], catch_exceptions=False)
    assert len(judged) == 2 and summary.read_text(encoding="utf-8").count("## Translation status") == 2
