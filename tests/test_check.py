"""transync check: literal Markdown pairs in, findings out; then the command line and the real corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CORPUS, age, doc, requires_corpus
from transync.site import cache as cache_mod
from transync import checks
from transync.checks import check_site, check_texts
from transync.document.patterns import bare_urls, citation_numbers
from transync.site.config import CHECKS, Collection, SiteConfig, load_config
from transync.cli import app
from transync.site.scan import scan

CONFIG = SiteConfig(
    root=Path("/site"),
    languages=("en", "ja", "de"),
    source_lang="en",
    collections=(Collection("products", "_products", "en", ("en", "ja", "de")),),
)

HEAD = 9  # lines of front matter that page() writes, delimiters included: body line n is file line HEAD + n


def page(body: str, lang: str = "en", **fields: str) -> str:
    """A product page: seven front-matter lines (or more with ``fields``), then the body."""
    meta = {
        "layout": "product",
        "title": '"Acme X1 review"' if lang == "en" else '"Acme X1 レビュー"',
        "ref": "acme-x1",
        "lang": lang,
        "date": "2026-01-10",
        "rating": "[3.1, 0.7]",
        "permalink": f"/products/{lang}/acme-x1/",
    }
    meta.update(fields)
    front = "".join(f"{k}: {v}\n" for k, v in meta.items() if v is not None)
    return f"---\n{front}---\n{body}"


def findings(source: str, translation: str, check: str | None = None, config: SiteConfig = CONFIG, lang: str = "ja"):
    """(line, message) of each finding, or (line, message, in_source) when a line is in the source."""
    found = check_texts(source, translation, config, checks=[check] if check else CHECKS)
    return [(f.line, f.message, True) if f.line_in_source else (f.line, f.message) for f in found]


def same(source_body: str, translation_body: str, check: str) -> list:
    """Findings of one check on two bodies under the usual front matter."""
    return findings(page(source_body), page(translation_body, "ja"), check)


# --------------------------------------------------------------------------- math


def test_math_identical_blocks_pass_whatever_their_spacing():
    src = "## Score\n\n$$ \\Large \\text{0.7} $$\n\nIt costs $5 and $10 [1].\n"
    tr = "## スコア\n\n$$\\Large  \\text{0.7}$$\n\n価格は5ドルと10ドルです[1]。\n"
    assert findings(page(src), page(tr, "ja")) == []


def test_math_changed_value_is_reported_at_the_translation_line():
    src = "## Score\n\n$$ \\Large \\text{0.7} $$\n"
    tr = "## スコア\n\n$$ \\Large \\text{0.5} $$\n"
    assert same(src, tr, "math") == [
        (HEAD + 3, "display math differs from the source's (line 12): $$ \\Large \\text{0.5} $$, "
                   "the source has $$ \\Large \\text{0.7} $$"),
    ]


def test_math_missing_block_points_into_the_source():
    src = "$$ a $$\n\n$$ b $$\n\n$$ c $$\n"
    tr = "$$ a $$\n\n$$ c $$\n"
    assert same(src, tr, "math") == [
        (HEAD + 3, "display math missing from the translation: $$ b $$ (2 here, 3 in the source)", True),
    ]


def test_math_in_another_order():
    assert same("$$ a $$\n\n$$ b $$\n", "$$ b $$\n\n$$ a $$\n", "math") == [
        (HEAD + 1, "display math blocks are in another order than in the source (first difference: source line 10)"),
    ]


# --------------------------------------------------------------------------- code


def test_code_blocks_must_be_unchanged_but_trailing_spaces_do_not_count():
    src = "Run:\n\n```sh\nmake test   \n```\n\n    indented code\n"
    tr = "実行:\n\n```sh\nmake test\n```\n\n    indented code\n"
    assert same(src, tr, "code") == []


def test_code_fence_changed():
    src = "```\nCP = 97 USD / 2,200 USD = 0.04\n```\n"
    tr = "```\nCP = 14,550円 / 330,000円 = 0.04\n```\n"
    [(line, message)] = same(src, tr, "code")
    assert line == HEAD + 1
    assert message.startswith("code block differs from the source's (line 10): 'CP = 14,550円")


def test_indented_code_changed_and_a_code_block_missing():
    src = "Text.\n\n    x = 1\n\nMore.\n\n```py\nprint(1)\n```\n"
    tr = "テキスト。\n\n    x = 2\n\nさらに。\n"
    result = same(src, tr, "code")
    assert result == [
        (HEAD + 3, "code block differs from the source's (line 12): 'x = 2' (1 line), the source has 'x = 1' (1 line) (1 here, 2 in the source)"),
        (HEAD + 7, "code block missing from the translation: py 'print(1)' (1 line) (1 here, 2 in the source)", True),
    ]


# --------------------------------------------------------------------------- urls


@pytest.mark.parametrize(
    ("src", "tr"),
    [
        ("See [the lab](https://example.com/a).", "[測定ラボ](https://example.com/a)を参照。"),  # link text translated
        ("See [the lab](https://example.com/a).", "参照: https://example.com/a。"),  # a link written out
        ("See <https://example.com/a>.", "参照（https://example.com/a）"),  # autolink, full-width parentheses
        ("Source: `https://example.com/a`, 2025", "出典: https://example.com/a、2025年"),  # shown as code
        ("[1] Lab, https://example.com/a, accessed", "[1] ラボ、https://example.com/a；2025年参照"),
        ("See https://example.com/%E9%9F%B3/x.", "https://example.com/音/x を参照。"),  # percent-encoded or not
        ("Our [review](https://site.org/companies/en/acme/).", "[レビュー](https://site.org/companies/ja/acme/)"),  # reader's language
        ("Jump to [the data](#data).", "[データ](#data)へ。"),
        ("![graph](/img/fr.png)", "![グラフ](/img/fr.png)"),
        # A heading's anchor comes from its words, in the reader's language.
        ("Jump to [the data](#data).", "[データ](#測定データ)へ。"),
        ("Our [history](/companies/en/acme/#history).", "[沿革](/companies/ja/acme/#沿革)"),
        # The reader's language version of a page elsewhere.
        ("See [MDN](https://developer.mozilla.org/en-US/docs/Web/API/URL).", "[MDN](https://developer.mozilla.org/ja/docs/Web/API/URL)"),
        ("See [bit depth](https://en.wikipedia.org/wiki/Audio_bit_depth).", "[ビット深度](https://ja.wikipedia.org/wiki/Audio_bit_depth)"),
        ("See [Vue](https://vuejs.org/guide/).", "[Vue](https://ja.vuejs.org/guide/)"),
    ],
)
def test_urls_pass_when_only_their_wording_and_punctuation_differ(src, tr):
    assert same(src + "\n", tr + "\n", "urls") == []


def test_urls_differ():
    src = "Intro.\n\n[1] Lab, https://example.com/measurements, 2025\n"
    tr = "概要。\n\n[1] ラボ、https://example.jp/measurements、2025年\n"
    assert same(src, tr, "urls") == [
        (HEAD + 3, "URL not in the source: https://example.jp/measurements"),
        (HEAD + 3, "URL missing from the translation: https://example.com/measurements", True),
    ]


@pytest.mark.parametrize(
    ("src", "tr", "extra", "missing"),
    [
        # Another language's page, not the reader's.
        ("[MDN](https://developer.mozilla.org/en-US/docs/x)", "[MDN](https://developer.mozilla.org/fr/docs/x)",
         "https://developer.mozilla.org/fr/docs/x", "https://developer.mozilla.org/en-US/docs/x"),
        # Another page in the reader's language.
        ("[MDN](https://developer.mozilla.org/en-US/docs/x)", "[MDN](https://developer.mozilla.org/ja/docs/y)",
         "https://developer.mozilla.org/ja/docs/y", "https://developer.mozilla.org/en-US/docs/x"),
        # Another site's fragment is part of its URL; only a link within the site drops it.
        ("[spec](https://example.com/spec#a)", "[仕様](https://example.com/spec#b)", "https://example.com/spec#b", "https://example.com/spec#a"),
        # Another page of the site, whatever the fragment.
        ("[x](/companies/en/acme/#a)", "[x](/companies/ja/other/#a)", "/companies/ja/other/#a", "/companies/en/acme/#a"),
    ],
)
def test_urls_that_only_look_localized_still_differ(src, tr, extra, missing):
    assert same(src + "\n", tr + "\n", "urls") == [
        (HEAD + 1, f"URL not in the source: {extra}"),
        (HEAD + 1, f"URL missing from the translation: {missing}", True),
    ]


def test_url_inside_a_code_block_is_code_not_a_url():
    src = "```\ncurl https://example.com/api\n```\n"
    assert same(src, src, "urls") == []
    assert same(src, "```\ncurl https://example.com/api\n```\n\nhttps://example.com/extra\n", "urls") == [
        (HEAD + 5, "URL not in the source: https://example.com/extra"),
    ]


def test_bare_urls_end_where_the_sentence_goes_on():
    text = "見る https://a.org/x。次に(https://b.org/y_(z)) と https://c.org/p；https://d.org/q/ も https://e.jp/a-ポータブル/dp/B0 参照"
    assert [url for _, url in bare_urls(text)] == [
        "https://a.org/x", "https://b.org/y_(z)", "https://c.org/p", "https://d.org/q/", "https://e.jp/a-ポータブル/dp/B0",
    ]
    assert [url for _, url in bare_urls("https://example.com/pageにアクセス")] == ["https://example.com/page"]


# --------------------------------------------------------------------------- citations


def test_citation_numbers_read_every_usual_form():
    assert citation_numbers("A [1][2]. B［3］，［4］ C [5, 6] D [7–9] E [10-11] F [x] G [2025-01]") == [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 2025, 1,
    ]


def test_citations_may_move_around_punctuation_and_change_form():
    src = "## A\n\nFirst [1]. Second [1][2]. Third [3-4].\n\n## B\n\nOne [5, 6].\n"
    tr = "## A\n\n最初［1］。二番目。[1] [2] 三番目[3][4]。\n\n## B\n\n一つ[5][6]。\n"
    assert same(src, tr, "citations") == []


def test_link_text_code_and_reference_definitions_are_not_citations():
    src = "Data [1]. See [the [2] page][ref].\n\n[ref]: https://example.com/ref\n"
    tr = "データ[1]。`items[3]` と [[4]](https://example.com/ref) を参照。\n\n[ref]: https://example.com/ref\n"
    assert same(src, tr, "citations") == []


def test_missing_citation_is_placed_in_its_section():
    src = "## A\n\nOne [1].\n\n## B\n\nTwo [1]. Three [2].\n"
    tr = "## A\n\n一つ[1]。\n\n## B\n\n二つ。三つ[2]。\n"
    assert same(src, tr, "citations") == [
        (HEAD + 5, "citation [1] appears once here, twice in the source (this section: 0 here, 1 in the source's at line 16)"),
    ]


def test_extra_citation_is_reported_where_it_is():
    src = "## A\n\nOne [1].\n"
    tr = "## A\n\n一つ[1]。\n\nもう一つ[1][3]。\n"
    assert same(src, tr, "citations") == [
        (HEAD + 5, "citation [1] appears twice here, once in the source"),
        (HEAD + 5, "citation [3] appears once here, 0 times in the source"),
    ]


def test_citation_without_matching_headings_points_into_the_source():
    src = "## A\n\nOne [1].\n\n## B\n\nTwo [2].\n"
    tr = "## A\n\n一つ[1]。二つ。\n"
    assert same(src, tr, "citations") == [(HEAD + 7, "citation [2] appears 0 times here, once in the source", True)]


# --------------------------------------------------------------------------- headings


def test_headings_with_translated_text_and_another_style_pass():
    src = "## Overview\n\nText.\n\nDetails\n-------\n\n### Notes\n"
    tr = "## 概要\n\n本文。\n\n## 詳細\n\n### 注記\n"
    assert same(src, tr, "headings") == []


def test_heading_level_differs():
    src = "## Overview\n\n## Advice\n"
    tr = "## 概要\n\n### アドバイス\n"
    assert same(src, tr, "headings") == [(HEAD + 3, "heading 2 is h3 here, h2 in the source (line 12: ## Advice)")]


def test_heading_missing():
    src = "## Overview\n\n## Review Date\n\n(2025.7.8)\n"
    tr = "## 概要\n\n(2025.7.8)\n"
    assert same(src, tr, "headings") == [
        (HEAD + 3, "1 headings here, 2 in the source; heading 2 (## Review Date) is missing from the translation", True),
    ]


# --------------------------------------------------------------------------- tables


TABLE = "| Model | Price |\n|:---|---:|\n| A | 100 USD |\n| B | 200 USD |\n"


def test_table_with_translated_cells_and_other_alignment_passes():
    tr = "| モデル | 価格 |\n|---|:---:|\n| A | 15,000円 |\n| B | 30,000円 |\n"
    assert same(TABLE, tr, "tables") == []


def test_table_shape_differs():
    tr = "| モデル | 価格 | 備考 |\n|---|---|---|\n| A | 15,000円 | - |\n"
    assert same(TABLE, tr, "tables") == [(HEAD + 1, "table 1 has 2 rows x 3 columns here, 3 x 2 in the source (line 10)")]


def test_table_missing():
    assert same("Text.\n\n" + TABLE, "本文。\n", "tables") == [
        (HEAD + 3, "0 tables here, 1 in the source; table 1 is missing from the translation", True),
    ]


# --------------------------------------------------------------------------- kept-fields


def test_translated_and_converted_fields_may_differ():
    src = page("Text.\n", summary='"A closed-back headphone."', tags="[Headphones]", price="349", company_id="acme")
    tr = page(
        "本文。\n", "ja", date="2026-02-01", summary='"密閉型ヘッドホン。"', tags="[ヘッドホン]", price="52000",
        company_id='"acme"', transync="{source_hash: 3f2a9c0d1e4b5a67}", translator='"Sato"',
    )
    assert findings(src, tr, "kept-fields") == []


def test_kept_fields_must_be_equal():
    src = page("Text.\n", company_id="acme", target_name='"Acme X1"')
    tr = page("本文。\n", "ja", rating="[3.1, 0.5]", target_name='"Acme  X1"', layout=None)
    assert findings(src, tr, "kept-fields") == [
        (2, "'layout' is missing (the source has \"product\")"),
        (6, "'rating' is [3.1, 0.5], the source has [3.1, 0.7]"),
        (2, "'company_id' is missing (the source has \"acme\")"),
    ]


def test_same_numbers_in_another_notation_are_equal_but_types_are_not():
    src = page("x\n", rating="[3, 0.5]", volume="1")
    assert findings(src, page("x\n", "ja", rating="[3.0, 0.50]", volume="1"), "kept-fields") == []
    assert findings(src, page("x\n", "ja", rating="[3.0, 0.50]", volume='"1"'), "kept-fields") == [
        (9, "'volume' is \"1\", the source has 1"),
    ]


def test_fields_rules_decide_what_is_kept():
    import dataclasses

    rules = {**CONFIG.fields, "target_name": "translate", "summary": "keep"}
    config = SiteConfig(
        root=CONFIG.root, languages=CONFIG.languages, source_lang="en",
        collections=tuple(dataclasses.replace(c, fields=rules) for c in CONFIG.collections), fields=rules,
    )
    src = page("x\n", target_name='"Hitachi"', summary='"Same everywhere"')
    tr = page("x\n", "ja", target_name='"日立"', summary='"翻訳された"')
    assert findings(src, tr, "kept-fields", config) == [(10, "'summary' is \"翻訳された\", the source has \"Same everywhere\"")]
    assert findings(src, tr, "kept-fields") == [(9, "'target_name' is \"日立\", the source has \"Hitachi\"")]


def test_a_kept_field_the_source_does_not_have():
    assert findings(page("x\n"), page("x\n", "ja", company_id="acme"), "kept-fields") == [(9, "'company_id' is not in the source")]


# --------------------------------------------------------------------------- permalink


def test_permalink_with_its_language_swapped_passes():
    assert findings(page("x\n"), page("x\n", "ja"), "permalink") == []
    assert findings(page("x\n", permalink=None), page("x\n", "ja", permalink=None), "permalink") == []


@pytest.mark.parametrize(
    ("permalink", "message"),
    [
        ("/products/en/acme-x1/", "permalink /products/en/acme-x1/ has language segment 'en', expected 'ja' (/products/ja/acme-x1/)"),
        ("/products/ja/acme-x2/", "permalink /products/ja/acme-x2/ is not the source's /products/en/acme-x1/ with 'ja' for 'en': expected /products/ja/acme-x1/"),
        ("/products/ja/acme-x1", "permalink /products/ja/acme-x1 is not the source's /products/en/acme-x1/ with 'ja' for 'en': expected /products/ja/acme-x1/"),
    ],
)
def test_permalink_differs(permalink, message):
    assert findings(page("x\n"), page("x\n", "ja", permalink=permalink), "permalink") == [(8, message)]


def test_permalink_missing_or_colliding():
    assert findings(page("x\n"), page("x\n", "ja", permalink=None), "permalink") == [
        (2, "no permalink, the source has /products/en/acme-x1/"),
    ]
    src = page("x\n", permalink="/acme-x1/")
    assert findings(src, page("x\n", "ja", permalink="/ja/acme-x1/"), "permalink") == []
    assert findings(src, page("x\n", "ja", permalink="/en/acme-x1/"), "permalink") == [
        (8, "permalink /en/acme-x1/ has language segment 'en', expected 'ja'"),
    ]
    assert findings(src, page("x\n", "ja", permalink="/acme-x1/"), "permalink") == [
        (8, "permalink /acme-x1/ is the source's: both pages would be written to one URL"),
    ]


# --------------------------------------------------------------------------- placeholders


def test_placeholders_left_in_a_translation():
    src = page("Use **bold** and <b>html</b> and <a href=\"/x\">a link</a>.\n")
    tr = page('<b id="1">太字</b>と<b>html</b>と<a href="/x">リンク</a>。\n\n値は <x id="2"/> です。\n', "ja", summary='"要約 <x id=\'3\' />"')
    assert findings(src, tr, "placeholders") == [
        (9, "placeholder tag <x id='3' /> left in the text"),
        (HEAD + 2, 'placeholder tag <b id="1"> left in the text'),
        (HEAD + 4, 'placeholder tag <x id="2"/> left in the text'),
    ]


def test_placeholders_the_source_has_too_are_fine():
    body = 'Engines see `<x id="1"/>`:\n\n```xml\n<b id="2">text</b>\n```\n'
    assert findings(page(body), page(body, "ja"), "placeholders") == []


# --------------------------------------------------------------------------- a clean pair


def test_a_faithful_translation_has_no_findings():
    src = page(
        "## Overview\n\nThe X1 measures well [1][2]. See [the lab](https://example.com/lab).\n\n"
        "## Score\n\n$$ \\Large \\text{0.7} $$\n\n| Model | Price |\n|---|---|\n| X1 | 349 USD |\n\n"
        "```\nCP = 175 / 349 = 0.50\n```\n\n## References\n\n1. Lab, https://example.com/lab, accessed 2026-02-10\n",
        company_id="acme", price="349",
    )
    tr = page(
        "## 概要\n\nX1の測定結果は良好です［1］［2］。[測定ラボ](https://example.com/lab)を参照。\n\n"
        "## スコア\n\n$$ \\Large \\text{0.7} $$\n\n| モデル | 価格 |\n|:--|--:|\n| X1 | 52,000円 |\n\n"
        "```\nCP = 175 / 349 = 0.50\n```\n\n## 参考文献\n\n1. ラボ、https://example.com/lab、2026年2月10日アクセス\n",
        "ja", company_id="acme", price="52000",
    )
    assert findings(src, tr) == []


# --------------------------------------------------------------------------- the site and the command line


runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, ["check", *args], env=env, catch_exceptions=False)


SOURCE_BODY = "## Overview\n\nText [1].\n\n$$ \\Large \\text{0.7} $$\n\n[1] Lab, https://example.com/lab\n"
GOOD_BODY = "## 概要\n\n本文［1］。\n\n$$ \\Large \\text{0.7} $$\n\n[1] ラボ、https://example.com/lab\n"
BAD_BODY = "## 概要\n\n本文［1］。\n\n$$ \\Large \\text{0.5} $$\n\n[1] ラボ、https://example.com/lab\n"


@pytest.fixture
def site(make_site):
    return make_site(
        {
            "_products/en/acme/x1.md": doc("x1", "en", body=SOURCE_BODY),
            "_products/ja/acme/x1.md": doc("x1", "ja", body=BAD_BODY),
            "_products/de/acme/x1.md": doc("x1", "de", body=SOURCE_BODY),
            "_products/en/acme/x2.md": doc("x2", "en", "2025-03-01", body=SOURCE_BODY),
            "_products/ja/acme/x2.md": doc("x2", "ja", body=GOOD_BODY),  # stale: still checked
        }
    )


def test_check_site_pairs_current_and_stale_translations(site):
    report = check_site(scan(load_config(site)), use_cache=False)
    assert report.files_checked == 3
    assert [(f.path, f.line, f.check, f.state) for f in report.findings] == [("_products/ja/acme/x1.md", 12, "math", "current")]
    assert report.by_check() == {name: int(name == "math") for name in CHECKS}


def test_table_counts_every_check_then_groups_by_file(site, monkeypatch):
    monkeypatch.chdir(site)  # paths are shown relative to the current folder
    result = run("--root", str(site))
    assert result.exit_code == 1
    out = result.stdout
    assert out.startswith("  math          1 finding in 1 file\n  code          ok\n")
    assert "  urls          ok\n" in out
    assert "3 translations checked: 1 finding in 1 file.\n\n_products/ja/acme/x1.md  (ja; source _products/en/acme/x1.md)" in out
    assert "\n  _products/ja/acme/x1.md:12  math  display math differs from the source's (line 12): $$" in out


def test_no_findings_exits_zero(site):
    (site / "_products/ja/acme/x1.md").write_text(doc("x1", "ja", body=GOOD_BODY), encoding="utf-8")
    result = run("--root", str(site))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.endswith("3 translations checked: no findings.\n")  # nothing listed after the counts


@pytest.mark.parametrize(
    ("args", "code"),
    [([], 1), (["--check", "urls,citations"], 0), (["-c", "math"], 1), (["--fail-on", "none"], 0),
     (["--fail-on", "urls,code"], 0), (["--fail-on", "all"], 1), (["--lang", "de"], 0), (["--lang", "ja"], 1)],
)
def test_checks_fail_on_and_languages(site, args, code):
    assert run("--root", str(site), *args).exit_code == code


def test_paths_select_translations(site):
    data = json.loads(run(str(site / "_products/en/acme/x1.md"), "-f", "json").stdout)
    assert data["summary"]["files_checked"] == 2  # the source's ja and de translations
    data = json.loads(run(str(site / "_products/de"), "-f", "json").stdout)
    assert data["summary"]["files_checked"] == 1 and data["findings"] == []


def test_check_configuration(site):
    (site / "transync.toml").write_text('[check]\nchecks = ["urls", "math"]\nfail_on = ["urls"]\n')
    result = run("--root", str(site), "-f", "json")
    assert result.exit_code == 0  # a math finding, but only urls fail
    data = json.loads(result.stdout)
    assert data["checks"] == ["math", "urls"]
    assert data["summary"]["by_check"] == {"math": 1, "urls": 0}
    assert data["summary"]["fail_on"] == ["urls"] and data["summary"]["failing"] == 0
    (site / "transync.toml").write_text('[check]\nfail_when = ["urls"]\n')
    result = run("--root", str(site))
    assert result.exit_code == 2
    assert "transync.toml: unknown key 'check.fail_when' (known keys: baseline, checks, code, fail_on, urls)" in result.stderr


def test_json_schema(site):
    result = run("--root", str(site), "--format", "json")
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["root"] == str(site.resolve())
    assert data["checks"] == list(CHECKS)
    assert data["summary"] == {
        "files_checked": 3, "findings": 1, "files_with_findings": 1,
        "by_check": {name: int(name == "math") for name in CHECKS},
        "failing": 1, "fail_on": list(CHECKS), "invalid": 0,
    }
    assert data["invalid"] == []
    assert data["findings"] == [
        {
            "collection": "products", "ref": "x1", "lang": "ja", "path": "_products/ja/acme/x1.md",
            "source_path": "_products/en/acme/x1.md", "state": "current", "check": "math",
            "file": "_products/ja/acme/x1.md", "line": 12,
            "message": "display math differs from the source's (line 12): $$ \\Large \\text{0.5} $$, the source has $$ \\Large \\text{0.7} $$",
        }
    ]


def test_a_line_in_the_source_names_the_source_file(site):
    (site / "_products/de/acme/x1.md").write_text(doc("x1", "de", body="## Überblick\n\nText [1].\n"), encoding="utf-8")
    data = json.loads(run("--root", str(site), "-f", "json", "--lang", "de").stdout)
    missing = [f for f in data["findings"] if f["check"] == "math"]
    assert missing == [dict(missing[0], path="_products/de/acme/x1.md", file="_products/en/acme/x1.md", line=12)]
    assert missing[0]["message"] == "display math missing from the translation: $$ \\Large \\text{0.7} $$ (0 here, 1 in the source)"


def test_github_annotations_and_step_summary(site, tmp_path):
    summary = tmp_path / "summary.md"
    result = run("--root", str(site), "--format", "github", "--fail-on", "urls",
                 env={"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(site.parent)})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "::warning file=site/_products/ja/acme/x1.md,line=12,title=transync check%3A math::products/x1 [ja]: "
        "display math differs from the source's (line 12): $$ \\Large \\text{0.5} $$, the source has $$ \\Large \\text{0.7} $$"
    )
    assert "math: 1 finding in 1 file" in lines and "urls: ok" in lines
    text = summary.read_text()
    assert text.startswith("## Translation checks\n")
    assert "| math | 1 | 1 |" in text
    assert "| `site/_products/ja/acme/x1.md` | 12 | math | ja | display math differs from the source's (line 12): \\$\\$ \\Large" in text


def test_markdown_format(site):
    result = run("--root", str(site), "--format", "markdown")
    assert result.stdout.startswith("## Translation checks\n\n3 translations checked: 1 finding in 1 file.\n")
    assert "| kept-fields | 0 | 0 |" in result.stdout


def test_unreadable_documents_are_one_line_errors_and_the_run_goes_on(site, monkeypatch):
    monkeypatch.chdir(site)
    (site / "_products/ja/acme/x3.md").write_bytes(b"---\nref: x3\nlang: ja\n---\n\xff\n")
    result = run("--root", str(site), "-f", "json")
    assert result.exit_code == 1
    assert result.stderr == "transync: _products/ja/acme/x3.md:5: not valid UTF-8 (byte 0xff at offset 25)\n"
    data = json.loads(result.stdout)
    assert data["invalid"] == [{"path": "_products/ja/acme/x3.md", "line": 5, "reason": "not valid UTF-8 (byte 0xff at offset 25)"}]
    assert data["summary"]["findings"] == 1  # the other documents were still checked
    (site / "_products/ja/acme/x1.md").write_text(doc("x1", "ja", body=GOOD_BODY), encoding="utf-8")
    assert run("--root", str(site)).exit_code == 1  # nothing else to report, but a file could not be checked
    assert run("--root", str(site), "--fail-on", "none").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--check", "math,spelling"], "--check: unknown check 'spelling'"),
        (["--fail-on", "later"], "--fail-on: unknown check 'later'"),
        (["--lang", "fr"], "--lang fr: not one of the site's languages"),
        (["nowhere.md"], "nowhere.md: no such file or folder"),
    ],
)
def test_usage_errors_exit_2_with_one_line(site, args, message, monkeypatch):
    monkeypatch.chdir(site)
    result = run("--root", str(site), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_has_examples():
    result = runner.invoke(app, ["check", "--help"])
    assert result.exit_code == 0
    assert "transync check --format json" in result.stdout
    assert "--fail-on" in result.stdout


def test_findings_of_unchanged_pairs_come_from_the_cache(site, monkeypatch):
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)
    config = load_config(site)
    first = check_site(scan(config))

    def no_parsing(*args, **kwargs):
        raise AssertionError("an unchanged pair was read again")

    monkeypatch.setattr(checks.page, "outline", no_parsing)
    assert check_site(scan(config)).findings == first.findings
    assert check_site(scan(config), checks=["urls"]).findings == []  # every check's findings are cached

    monkeypatch.undo()
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)
    fixed = site / "_products/ja/acme/x1.md"
    fixed.write_text(doc("x1", "ja", body=GOOD_BODY), encoding="utf-8")
    age(fixed)
    assert check_site(scan(config)).findings == []


def test_the_findings_cache_is_stamped_by_what_the_findings_depend_on(site, monkeypatch):
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)
    config = load_config(site)
    reads = []
    real_outline = checks.page.outline
    monkeypatch.setattr(checks.page, "outline", lambda *a, **k: reads.append(1) or real_outline(*a, **k))

    def pairs_read(config) -> int:
        reads.clear()
        check_site(scan(config))
        return len(reads)

    assert pairs_read(config) > 0
    assert pairs_read(config) == 0  # all from the cache
    # Any module of the package, not only the checks (a change in the document parser once served stale findings).
    monkeypatch.setattr(cache_mod, "code_digest", lambda: "another-build")
    assert pairs_read(config) > 0
    assert pairs_read(config) == 0
    monkeypatch.setattr(cache_mod, "__version__", "0.0.0-other")
    assert pairs_read(config) > 0
    assert pairs_read(config) == 0
    # The configuration the checks read: a field kept instead of translated changes kept-fields.
    (site / "transync.toml").write_text('[fields]\nsummary = "keep"\n', encoding="utf-8")
    assert pairs_read(load_config(site)) > 0
    assert pairs_read(load_config(site)) == 0


def test_the_code_digest_covers_every_source_file_of_the_package(tmp_path):
    import shutil

    copy = tmp_path / "transync"
    shutil.copytree(cache_mod.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = cache_mod.code_digest(copy)
    assert cache_mod.code_digest.__wrapped__(copy) == before
    document = copy / "document" / "__init__.py"
    document.write_text(document.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert cache_mod.code_digest.__wrapped__(copy) != before
    document.write_text(document.read_text(encoding="utf-8")[: -len("\n# changed\n")], encoding="utf-8")
    assert cache_mod.code_digest.__wrapped__(copy) == before
    (copy / "a_new_folder").mkdir()  # a module in a sub-package counts too
    (copy / "a_new_folder" / "new_module.py").write_text("X = 1\n", encoding="utf-8")
    assert cache_mod.code_digest.__wrapped__(copy) != before


def test_sample_site_reports_its_stale_translation():
    """The repository's own content/ site: kestrel-ie-5, whose source changed, and the rating of
    halden-d-20, which the source revised.

    ``--no-git``: states by dates, whatever the clone's history (with it, halden-d-20 is stale
    too: its rating no longer follows the source).
    """
    result = run(str(Path(__file__).resolve().parents[1] / "content"), "--format", "json", "--no-git")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["summary"]["files_checked"] == 10
    assert {(f["ref"], f["lang"], f["state"]) for f in data["findings"]} == {
        ("kestrel-ie-5", "ja", "stale"), ("kestrel-ie-5", "de", "stale"), ("halden-d-20", "ja", "current"), ("halden-d-20", "de", "current"),
    }
    assert {f["check"] for f in data["findings"] if f["ref"] == "halden-d-20"} == {"kept-fields"}


# --------------------------------------------------------------------------- the real corpus


@requires_corpus()
def test_corpus_check_completes_with_true_findings():
    report = check_site(scan(load_config(CORPUS), use_cache=False), use_cache=False)
    assert report.files_checked == 3804  # every current or stale ja translation
    assert report.unreadable == []
    counts = report.by_check()
    # The ja versions were written more freely than translations usually are:
    # references differ in hundreds of pages. Structure otherwise holds.
    assert 500 < counts["urls"] < 2000 and 500 < counts["citations"] < 2500
    assert counts["math"] < 20 and counts["code"] < 20 and counts["headings"] < 20
    assert counts["tables"] == counts["permalink"] == counts["placeholders"] == 0
    assert 20 < counts["kept-fields"] < 200

    def line_of(f):
        text = (CORPUS / f.file).read_text(encoding="utf-8")
        return text.splitlines()[f.line - 1]

    for f in report.findings:
        if f.check == "urls":
            assert f.message.rsplit(" ", 1)[1] in line_of(f), f
        elif f.check == "kept-fields" and "missing" not in f.message:
            assert line_of(f).startswith(f.message.split("'")[1] + ":"), f
        elif f.check == "math":
            assert "$$" in line_of(f), f

    seen = {(f.path, f.check, f.message) for f in report.findings}
    assert ("_products/ja/marantz/marantz-model-m1.md", "headings",
            "8 headings here, 9 in the source; heading 9 (## Review Date) is missing from the translation") in seen
    assert ("_products/ja/klh/klh-model-five.md", "math",
            "display math differs from the source's (line 34): $$ \\Large \\text{0.6} $$, the source has $$ \\Large \\text{0.60} $$") in seen
    assert ("_products/ja/logicool/logitech-z120bw.md", "kept-fields", "'company_id' is \"logicool\", the source has \"logitech\"") in seen
    clean = {f.path for f in report.findings}
    assert "_products/ja/sony/sony-c-38b.md" not in clean


def test_a_partial_run_keeps_the_cache_of_the_others(site, monkeypatch):
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)
    config = load_config(site)
    check_site(scan(config))
    changed = site / "_products/de/acme/x1.md"
    changed.write_text(doc("x1", "de", body=SOURCE_BODY + "\nMore.\n"), encoding="utf-8")
    age(changed)
    check_site(scan(config), paths=["_products/de"])  # checks the changed pair again, and only it
    monkeypatch.setattr(checks.page, "outline", lambda *a, **k: pytest.fail("an unchanged pair was read again"))
    assert [f.path for f in check_site(scan(config)).findings] == ["_products/ja/acme/x1.md"]


def test_math_left_open_at_the_end_of_a_translation_is_reported():
    source = page("Text.\n\n$$ a^2 $$\n\nMore.\n")
    assert findings(source, page("テキスト。\n\n$$ a^2 $$\n\nさらに。\n\n$$\n", lang="ja"), "math") == [
        (HEAD + 7, "$$ opens display math that is never closed: the rest of the page would render as math")
    ]
    # An unclosed block swallows what follows: the block is missing and the $$ is open.
    assert findings(source, page("テキスト。\n\n$$ a^2\n\nさらに。\n", lang="ja"), "math") == [
        (HEAD + 3, "display math missing from the translation: $$ a^2 $$ (0 here, 1 in the source)", True),
        (HEAD + 3, "$$ opens display math that is never closed: the rest of the page would render as math"),
    ]


def test_dollars_in_code_spans_and_pairs_in_prose_are_not_open_math():
    source = page("Type `$$` to start, or $$ x $$ inline.\n")
    assert findings(source, page("`$$` で始めるか、$$ x $$ と書く。\n", lang="ja"), "math") == []
    # The source's own open $$ is not the translation's fault.
    assert findings(page("Costs $$ 5.\n"), page("$$ 5 です。\n", lang="ja"), "math") == []


def test_a_nul_in_a_translation_is_reported_at_its_line():
    source = page("## Overview\n\nText.\n")
    assert findings(source, page("## 概要\n\nテキ\x00スト。\n", lang="ja"), "placeholders") == [
        (HEAD + 3, "control character '\\x00' in the text")
    ]
    assert findings(page("Text\x01.\n"), page("テキスト\x01。\n", lang="ja"), "placeholders") == []


def test_check_command_reports_a_nul_and_open_math_in_a_site(make_site):
    root = make_site(
        {
            "_products/en/a.md": doc("a", "en", body="Text.\n\n$$ x $$\n"),
            "_products/ja/a.md": doc("a", "ja", body="テキ\x00スト。\n\n$$ x $$\n\n$$\n"),
        }
    )
    result = CliRunner().invoke(app, ["check", "--root", str(root), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1
    found = sorted((f["check"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"])
    assert found == [
        ("math", 12, "$$ opens display math that is never closed: the rest of the page would render as math"),
        ("placeholders", 8, "control character '\\x00' in the text"),
    ]


def test_check_refuses_a_permalink_that_climbs_out():
    source = page("Text.\n", permalink="/products/en/acme-x1/")
    assert findings(source, page("テキスト。\n", lang="ja", permalink="/products/ja/../../../etc/x/"), "permalink") == [
        (8, "permalink /products/ja/../../../etc/x/ has a '.' or '..' segment: it could name a page outside the site")
    ]
