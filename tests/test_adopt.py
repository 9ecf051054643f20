"""Adopting check and glossary check on an existing site: the baseline, transync-ignore comments, [check.urls]."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CORPUS, doc, requires_corpus
from transync.checks import suppress
from transync.site import cache
from transync.checks.baseline import Baseline, Entry, Key, content
from transync.cli import app
from transync.errors import ConfigError
from transync.site.config import load_config

SOURCE = "## Overview\n\nSee https://example.com/a for details.\n\nMore text.\n"
#: The ja page cites a Japanese shop that the source does not (line 9 of the file).
SHOP = "## 概要\n\n詳しくは https://example.com/a と https://www.amazon.co.jp/dp/1 を参照。\n\nもっと。\n"


def run(root: Path, *args: str):
    return CliRunner().invoke(app, [*args, "--root", str(root)])


def site(make_site, ja_body: str = SHOP, config: str | None = None, **more: str) -> Path:
    files = {"_products/en/x.md": doc("x", "en", body=SOURCE), "_products/ja/x.md": doc("x", "ja", body=ja_body), **more}
    if config is not None:
        files["transync.toml"] = config
    return make_site(files)


def messages(result) -> list[str]:
    return [f["message"] for f in json.loads(result.stdout)["findings"]]


# --------------------------------------------------------------------------- baseline


def test_update_baseline_accepts_what_exists_and_later_runs_report_only_new_findings(make_site):
    root = site(make_site)
    assert run(root, "check").exit_code == 1
    updated = run(root, "check", "--update-baseline")
    assert updated.exit_code == 0, updated.output
    assert "baseline .transync/baseline.json updated: 1 findings accepted (1 added, 0 removed)" in updated.stdout
    data = json.loads((root / ".transync/baseline.json").read_text())
    assert data["check"] == [{
        "path": "_products/ja/x.md", "check": "urls", "message": "URL not in the source: https://www.amazon.co.jp/dp/1",
        "lang": "ja", "source_path": "_products/en/x.md",
    }]
    again = run(root, "check")
    assert again.exit_code == 0
    assert "baseline .transync/baseline.json: 1 accepted findings not shown" in again.stdout

    (root / "_products/ja/x.md").write_text(doc("x", "ja", body=SHOP + "\n新しい https://example.org/new\n"), encoding="utf-8")
    new = run(root, "check", "--format", "json")
    assert new.exit_code == 1
    assert messages(new) == ["URL not in the source: https://example.org/new"]
    assert json.loads(new.stdout)["baseline"]["accepted_not_shown"] == 1


def test_a_baseline_entry_survives_edits_that_move_its_line(make_site):
    root = site(make_site)
    run(root, "check", "--update-baseline")
    moved = "## 前書き\n\n新しい段落。\n\n" + SHOP.replace("## 概要", "### 概要")
    (root / "_products/en/x.md").write_text(doc("x", "en", body="## Intro\n\nNew paragraph.\n\n" + SOURCE.replace("## Overview", "### Overview")), encoding="utf-8")
    (root / "_products/ja/x.md").write_text(doc("x", "ja", body=moved), encoding="utf-8")
    result = run(root, "check")
    assert result.exit_code == 0, result.output
    assert "1 accepted findings not shown" in result.stdout


def test_fixed_findings_are_counted_and_update_baseline_trims_them(make_site):
    root = site(make_site)
    run(root, "check", "--update-baseline")
    (root / "_products/ja/x.md").write_text(doc("x", "ja", body=SHOP.replace(" と https://www.amazon.co.jp/dp/1", "")), encoding="utf-8")
    result = run(root, "check")
    assert result.exit_code == 0
    assert ("baseline .transync/baseline.json: 0 accepted findings not shown; 1 accepted findings are gone (fixed): "
            "`transync check --update-baseline` trims them") in result.stdout
    fixed = json.loads(run(root, "check", "--format", "json").stdout)["baseline"]["fixed"]
    assert fixed == [{"path": "_products/ja/x.md", "check": "urls", "message": "URL not in the source: https://www.amazon.co.jp/dp/1"}]
    trimmed = run(root, "check", "--update-baseline")
    assert "0 findings accepted (0 added, 1 removed)" in trimmed.stdout
    assert json.loads((root / ".transync/baseline.json").read_text())["check"] == []


def test_no_baseline_reports_every_finding(make_site):
    root = site(make_site)
    run(root, "check", "--update-baseline")
    result = run(root, "check", "--no-baseline", "--format", "json")
    assert result.exit_code == 1 and messages(result) == ["URL not in the source: https://www.amazon.co.jp/dp/1"]


def test_a_partial_update_keeps_the_accepted_findings_outside_its_scope(make_site):
    de = "## Überblick\n\nSiehe https://example.com/a und https://www.amazon.de/dp/1.\n\nMehr.\n"
    root = site(make_site, **{"_products/de/x.md": doc("x", "de", body=de)})
    run(root, "check", "--update-baseline")
    (root / "_products/ja/x.md").write_text(doc("x", "ja", body=SHOP.replace(" と https://www.amazon.co.jp/dp/1", "")), encoding="utf-8")
    result = run(root, "check", "--lang", "ja", "--update-baseline")
    assert "1 findings accepted (0 added, 1 removed)" in result.stdout
    kept = json.loads((root / ".transync/baseline.json").read_text())["check"]
    assert [e["path"] for e in kept] == ["_products/de/x.md"]
    # A run of another language does not count the ja entries as fixed, nor the other way round.
    assert "gone" not in run(root, "check", "--lang", "de").stdout


def test_the_baseline_file_is_sorted_and_the_same_bytes_each_time(make_site):
    de = "## Überblick\n\nSiehe https://example.com/a und https://www.amazon.de/dp/1 und https://a.example/.\n\nMehr.\n"
    root = site(make_site, **{"_products/de/x.md": doc("x", "de", body=de)})
    run(root, "check", "--update-baseline")
    first = (root / ".transync/baseline.json").read_bytes()
    run(root, "check", "--update-baseline")
    assert (root / ".transync/baseline.json").read_bytes() == first
    rows = json.loads(first)["check"]
    assert [(r["path"], r["message"]) for r in rows] == sorted((r["path"], r["message"]) for r in rows)
    assert first.count(b"\n    {") == len(rows) == 3  # one entry per line


def test_a_finding_accepted_once_does_not_hide_a_second_one_with_the_same_key():
    entry = lambda message: Entry(Key("t.md", "citations", content(message)), "ja", "s.md")  # noqa: E731
    base = Baseline(Path("/nowhere/baseline.json"))
    base.update("check", ["citation [2] appears once here (line 4)"], entry, lambda e: True)
    compared = base.compare("check", ["citation [2] appears once here (line 9)", "citation [2] appears once here (line 12)"], entry, lambda e: True)
    assert compared.known == 1 and compared.new == ["citation [2] appears once here (line 12)"]


def test_line_numbers_are_not_part_of_a_findings_key():
    assert content("heading 2 is h3 here, h2 in the source (line 14: ## X)") == "heading 2 is h3 here, h2 in the source (line #: ## X)"
    assert content("in another order (first difference: source line 120)") == "in another order (first difference: source line #)"


def test_a_broken_baseline_is_one_line_naming_the_file(make_site):
    root = site(make_site)
    (root / ".transync").mkdir()
    (root / ".transync/baseline.json").write_text("{\n  \"version\": 1,\n", encoding="utf-8")
    result = run(root, "check")
    assert result.exit_code == 2
    assert result.stderr == ("transync check: error: .transync/baseline.json: the baseline is not valid JSON "
                             "(line 3: Expecting property name enclosed in double quotes); run with --update-baseline to rewrite it\n")


def test_update_baseline_and_no_baseline_together_is_a_usage_error(make_site):
    result = run(site(make_site), "check", "--update-baseline", "--no-baseline")
    assert result.exit_code == 2 and result.stderr.startswith("transync check: error: --update-baseline writes the baseline")


def test_the_baseline_file_is_configurable(make_site):
    root = site(make_site, config='[check]\nbaseline = "ci/accepted.json"\n')
    run(root, "check", "--update-baseline")
    assert (root / "ci/accepted.json").is_file() and not (root / ".transync").exists()
    with pytest.raises(ConfigError, match=r"'check.baseline' must be a file inside the site: '../x.json'"):
        load_config(site(make_site, config='[check]\nbaseline = "../x.json"\n'))


GLOSSARY = "source,target,note\nDynamic driver,ダイナミックドライバー,\n"


def test_glossary_check_has_its_own_section_of_the_baseline(make_site):
    root = site(
        make_site,
        **{"_products/en/y.md": doc("y", "en", body="## Overview\n\nA dynamic driver.\n"),
           "_products/ja/y.md": doc("y", "ja", body="## 概要\n\nドライバー。\n"),
           "glossaries/en-ja.csv": GLOSSARY},
    )
    assert run(root, "glossary", "check").exit_code == 1
    updated = run(root, "glossary", "check", "--update-baseline")
    assert updated.exit_code == 0 and "1 findings accepted (1 added, 0 removed)" in updated.stdout
    data = json.loads((root / ".transync/baseline.json").read_text())
    assert [e["check"] for e in data["glossary"]] == ["glossary"] and data["check"] == []
    again = run(root, "glossary", "check", "--format", "json")
    assert again.exit_code == 0 and json.loads(again.stdout)["baseline"]["accepted_not_shown"] == 1
    # check --update-baseline leaves the glossary section alone
    run(root, "check", "--update-baseline")
    assert len(json.loads((root / ".transync/baseline.json").read_text())["glossary"]) == 1


# --------------------------------------------------------------------------- transync-ignore comments


def test_a_comment_silences_the_block_after_it():
    s = suppress.parse("# T\n\n<!-- transync-ignore urls -->\nline a\nline b\n\nline c\n")
    assert s.covers("urls", 4) and s.covers("urls", 5)
    assert not s.covers("urls", 7) and not s.covers("citations", 4)


def test_a_comment_names_several_checks_or_all():
    s = suppress.parse("<!-- transync-ignore urls, citations -->\na\n\n<!-- transync-ignore -->\nb\n\n<!-- transync-ignore all -->\nc\n")
    assert s.covers("urls", 2) and s.covers("citations", 2) and not s.covers("math", 2)
    assert s.covers("math", 5) and s.covers("glossary", 5) and s.covers("code", 8)


def test_a_comment_on_a_line_with_text_silences_that_block():
    s = suppress.parse("first line <!-- transync-ignore glossary -->\nsecond\n\nthird\n")
    assert s.covers("glossary", 1) and s.covers("glossary", 2) and not s.covers("glossary", 4)


def test_a_region_and_a_whole_file():
    s = suppress.parse("a\n<!-- transync-ignore-start urls -->\nb\n\nc\n<!-- transync-ignore-end -->\nd\n")
    assert [n for n in range(1, 8) if s.covers("urls", n)] == [2, 3, 4, 5]
    f = suppress.parse("<!-- transync-ignore-file kept-fields -->\n")
    assert f.covers("kept-fields", None) and f.covers("kept-fields", 99) and not f.covers("urls", 1)


def test_comments_in_fenced_code_do_not_count_and_wrong_comments_are_told():
    s = suppress.parse("```\n<!-- transync-ignore-file urls -->\n```\n<!-- transync-ignore urlz -->\nx\n<!-- transync-ignore-end -->\n")
    assert not s.covers("urls", None) and not s.covers("urls", 5)
    assert s.problems == [
        (4, "transync-ignore names an unknown check 'urlz' (checks: math, code, urls, citations, headings, tables, "
            "kept-fields, permalink, placeholders, glossary, all)"),
        (6, "transync-ignore-end without a transync-ignore-start before it"),
    ]


def test_check_leaves_out_what_a_comment_silences_and_says_how_many(make_site):
    body = "## 概要\n\n<!-- transync-ignore urls -->\n詳しくは https://example.com/a と https://www.amazon.co.jp/dp/1 を参照。\n\nもっと。\n"
    root = site(make_site, ja_body=body)
    result = run(root, "check")
    assert result.exit_code == 0, result.output
    assert "1 findings silenced by transync-ignore comments" in result.stdout
    assert json.loads(run(root, "check", "--format", "json").stdout)["baseline"]["suppressed"] == 1


def test_files_without_comments_are_remembered_by_identity_and_read_again_once_edited(make_site, tmp_path, monkeypatch):
    """A warm run does not read again the files it found without comments; an edit (new times)
    that adds one is seen, in the source as in the translation, and --no-cache reads everything."""
    import os
    import time

    monkeypatch.setenv("TRANSYNC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "RACY_NS", 0)  # files written a moment ago count as settled (their ctime cannot be set back)
    root = site(make_site)
    old = time.time() - 3600
    for rel in ("_products/en/x.md", "_products/ja/x.md"):
        os.utime(root / rel, (old, old))
    assert messages(run(root, "check", "--format", "json")) == ["URL not in the source: https://www.amazon.co.jp/dp/1"]
    [quiet] = list((tmp_path / "cache").glob("*/quiet-files.marshal"))
    remembered = quiet.read_bytes()
    assert b"_products/ja/x.md" in remembered and b"_products/en/x.md" in remembered
    assert messages(run(root, "check", "--format", "json")) == ["URL not in the source: https://www.amazon.co.jp/dp/1"]
    assert quiet.read_bytes() == remembered  # nothing new to remember: not written again
    source = root / "_products/en/x.md"
    source.write_text(doc("x", "en", body="<!-- transync-ignore-file urls -->\n" + SOURCE), encoding="utf-8")
    os.utime(source, (old + 60, old + 60))
    assert messages(run(root, "check", "--format", "json")) == []
    assert json.loads(run(root, "check", "--format", "json", "--no-cache").stdout)["baseline"]["suppressed"] == 1


def test_a_comment_with_an_unknown_check_is_told_and_silences_nothing(make_site):
    body = "## 概要\n\n<!-- transync-ignore url -->\n詳しくは https://example.com/a と https://www.amazon.co.jp/dp/1 を参照。\n\nもっと。\n"
    result = run(site(make_site, ja_body=body), "check")
    assert result.exit_code == 1
    assert result.stderr.startswith("transync: _products/ja/x.md:10: transync-ignore names an unknown check 'url' (checks: ")


def test_a_file_comment_in_the_source_silences_the_check_for_every_translation(make_site):
    root = site(make_site)
    (root / "_products/en/x.md").write_text(doc("x", "en", body="<!-- transync-ignore-file urls -->\n" + SOURCE), encoding="utf-8")
    assert run(root, "check").exit_code == 0


# --------------------------------------------------------------------------- [check.urls]


def test_allowed_domains_may_be_cited_by_that_language_only(make_site):
    config = '[check.urls]\nallow_domains = { ja = ["amazon.co.jp"], "*" = ["example.net"] }\n'
    de = "## Überblick\n\nSiehe https://example.com/a, https://amazon.co.jp/x und https://shop.example.net/y.\n\nMehr.\n"
    root = site(make_site, config=config, **{"_products/de/x.md": doc("x", "de", body=de)})
    result = run(root, "check", "--format", "json")
    assert [(f["lang"], f["message"]) for f in json.loads(result.stdout)["findings"]] == [
        ("de", "URL not in the source: https://amazon.co.jp/x"),
    ]


def test_reference_sections_cite_their_own_urls_in_both_directions(make_site):
    source = SOURCE + "\n## References\n\n1. Maker — spec sheet. https://maker.example/spec-sheet\n"
    ja = SHOP.replace(" と https://www.amazon.co.jp/dp/1", "") + "\n## 参考情報\n\n1. メーカー仕様。https://maker.example.jp/spec\n"
    files = {"_products/en/x.md": doc("x", "en", body=source), "_products/ja/x.md": doc("x", "ja", body=ja)}
    plain = make_site(files)
    assert len(messages(run(plain, "check", "--format", "json"))) == 2
    (plain / "transync.toml").write_text('[check.urls]\nreference_headings = ["References", "参考"]\n', encoding="utf-8")
    assert run(plain, "check").exit_code == 0


@pytest.mark.parametrize("table, message", [
    ('[check.urls]\nallow = ["x.com"]\n', "unknown key 'check.urls.allow' (known keys: allow_domains, reference_headings)"),
    ('[check.urls]\nallow_domains = { fr = ["x.com"] }\n', "'check.urls.allow_domains.fr' names a language the site does not declare (en, ja, de, or \"*\" for all)"),
    ('[check.urls]\nallow_domains = { ja = ["https://x.com/"] }\n', "'check.urls.allow_domains.ja' holds 'https://x.com/', which is not a domain name (such as amazon.co.jp: no scheme, no path)"),
    ('[check.urls]\nallow_domains = { ja = "x.com" }\n', "'check.urls.allow_domains.ja' must be a list of domain names such as [\"amazon.co.jp\"]"),
    ('[check.urls]\nreference_headings = [""]\n', "'check.urls.reference_headings' must not hold an empty heading (it would match every section)"),
    ('[check]\nurls = 1\n', "'check.urls' must be a table"),
    ('[check.math]\nx = 1\n', "unknown key 'check.math' (known keys: baseline, checks, code, fail_on, urls)"),
])
def test_check_settings_are_validated_naming_the_key(make_site, table, message):
    root = site(make_site, config=table)
    result = run(root, "check")
    assert result.exit_code == 2
    assert result.stderr == f"transync check: error: transync.toml: {message}\n"


def test_changing_check_settings_is_seen_through_the_findings_cache(make_site):
    root = site(make_site)
    assert run(root, "check").exit_code == 1  # fills the cache
    (root / "transync.toml").write_text('[check.urls]\nallow_domains = { ja = ["amazon.co.jp"] }\n', encoding="utf-8")
    assert run(root, "check").exit_code == 0


def test_glossary_check_annotations_are_capped_and_say_so(make_site, monkeypatch):
    from transync.report import output

    monkeypatch.setattr(output, "ANNOTATION_LIMIT", 1)
    pages = {f"_products/{lang}/p{n}.md": doc(f"p{n}", lang, body=body)
             for n in range(3) for lang, body in (("en", "## Dynamic driver\n\nText.\n"), ("ja", "## ドライバー\n\n本文。\n"))}
    root = make_site({**pages, "glossaries/en-ja.csv": GLOSSARY})
    result = run(root, "glossary", "check", "--format", "github")
    lines = result.stdout.splitlines()
    assert sum(line.startswith("::warning ") for line in lines) == 1
    assert ("::notice title=transync%3A annotations cut::3 annotations: 1 written, 2 cut (transync writes at most 1); "
            "GitHub shows 1 of them (at most 10 errors and 10 warnings per step): see the step summary or run "
            "`transync glossary check`") in lines


def test_check_github_says_what_the_baseline_left_out(make_site):
    root = site(make_site)
    run(root, "check", "--update-baseline")
    result = run(root, "check", "--format", "github")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "baseline .transync/baseline.json: 1 accepted findings not shown"


@requires_corpus()
def test_reference_sections_cover_the_real_sites_url_findings():
    """On the real site every URL the ja pages cite beyond their source (909 findings) is in a reference
    section (## References, ## 参考情報, ## 参考URL...): with reference_headings one finding is left."""
    from dataclasses import replace

    from transync.checks import check_site
    from transync.site.config import UrlCheck
    from transync.site.scan import scan

    config = load_config(CORPUS)
    config = replace(config, url_check=UrlCheck(reference_headings=("References", "Reference", "Sources", "参考", "出典")))
    report = check_site(scan(config), checks=["urls"], git=False)
    assert report.files_checked == 3804
    assert [(f.path, f.message) for f in report.findings] == [
        ("_companies/ja/klh.md", "URL missing from the translation: https://open.er-api.com/v6/latest/GBP"),
    ]
