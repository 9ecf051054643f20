"""Front matter edited line by line, and whole translated documents built from a source."""

from __future__ import annotations

from decimal import Decimal

import pytest

from transync import document
from transync.translate import localize
from transync.site.config import DEFAULT_FIELDS
from transync.translate.engines.pseudo import PseudoEngine
from transync.errors import DocumentError
from transync.document.frontmatter_edit import Field, join_fields, quote, split_fields, with_value
from transync.translate.body import translate_texts

FRONT = """layout: product
title: "Halden HX-700 Product Review"
target_name: "Halden HX-700"
# a comment between fields
rating: [3.1, 0.7, 0.6]
price: 349 # street price
summary: >-
  A folded
  summary.
tags:
  - Headphones
  - Closed-back

permalink: /products/en/halden-hx-700/
"""


def test_split_fields_keeps_every_byte():
    items = split_fields(FRONT)
    assert join_fields(items) == FRONT
    assert [i.key for i in items if isinstance(i, Field)] == [
        "layout", "title", "target_name", "rating", "price", "summary", "tags", "permalink",
    ]
    tags = next(i for i in items if isinstance(i, Field) and i.key == "tags")
    assert tags.text == "tags:\n  - Headphones\n  - Closed-back\n"
    assert "\n" in items  # the blank line before permalink stays between fields


@pytest.mark.parametrize(
    ("line", "value", "expected"),
    [
        ('title: "Old"\n', "New \"quoted\" title", 'title: "New \\"quoted\\" title"\n'),
        ("title: 'Old'\n", "It's new", "title: 'It''s new'\n"),
        ("title: Old\n", "New title", "title: New title\n"),
        ("title: Old\n", "New: with colon", 'title: "New: with colon"\n'),
        ("title: Old\n", "yes", 'title: "yes"\n'),
        ("title: Old\n", "2025-01-01", 'title: "2025-01-01"\n'),
        ("tags: [A, B]\n", ["ヘッドホン", "a, b"], 'tags: [ヘッドホン, "a, b"]\n'),
        ('tags: ["A", "B"]\n', ["x", "y"], 'tags: ["x", "y"]\n'),
        ("price: 349 # street price\n", 52350, "price: 52350 # street price\n"),
        ("lang: en\r\n", "ja", "lang: ja\r\n"),
    ],
)
def test_with_value_follows_the_style(line, value, expected):
    (field,) = split_fields(line)
    new = with_value(field, value)
    assert new.text == expected
    assert document.load_yaml(new.text)[field.key] == value


def test_quote_round_trips_awkward_strings():
    for text in ["a # b", "- dash", "[x]", "null", "123", "tab\there", "日本語: 説明", 'back\\slash "q"', "multi\nline"]:
        for style in ("plain", "double", "single"):
            assert document.load_yaml(f"v: {quote(text, style)}") == {"v": text}


SOURCE = """---
layout: product
title: "Halden HX-700 Product Review"
target_name: "Halden HX-700"
company_id: halden
lang: en
ref: halden-hx-700
date: 2026-02-14
rating: [3.1, 0.7, 0.6, 0.5, 0.6, 0.7]
price: 1549.99
summary: "A closed-back headphone with low distortion."
tags: [Headphones, Closed-back, Halden]
permalink: /products/en/halden-hx-700/
---
## Overview

The **HX-700** costs `1549.99 USD` [1].

$$ \\Large \\text{0.7} $$
"""


def settings(**overrides):
    base = dict(
        source_lang="en", target_lang="ja", rules=DEFAULT_FIELDS,
        templates={"title": "{target_name} 製品レビュー"},
        glossary={"headphones": "ヘッドホン", "closed-back": "密閉型"},
        currency=localize.Currency("JPY", Decimal(150)),
    )
    base.update(overrides)
    return localize.Settings(**base)


def build(src_text: str, st: localize.Settings) -> str:
    src = document.parse(src_text)
    plan = localize.plan(src, st)
    done, rejected, _ = translate_texts({r.key: r.markdown for r in plan.requests}, PseudoEngine(), source_lang="en", target_lang=st.target_lang)
    assert rejected == {}
    return plan.render(done, source_hash="0123456789abcdef", source_date="2026-02-14")


def test_a_translated_document():
    out = build(SOURCE, settings())
    lines = out.split("\n")
    src_lines = SOURCE.split("\n")
    # kept fields are byte-identical and on the same line
    for n in (1, 3, 4, 6, 7, 8):
        assert lines[n] == src_lines[n]
    assert lines[2] == 'title: "Halden HX-700 製品レビュー"'
    assert lines[5] == "lang: ja"
    assert lines[9] == "price: 232499"  # 1549.99 USD at 150 JPY/USD, JPY has no decimals
    assert lines[10].startswith('summary: "⟦Å çļöšéđ-båçķ') and lines[10].endswith('⟧"')
    assert lines[11] == "tags: [ヘッドホン, 密閉型, ⟦Ĥåļđéñ··⟧]"
    assert lines[12] == "permalink: /products/ja/halden-hx-700/"
    assert lines[13].startswith('transync: {source_hash: "0123456789abcdef", source_date: 2026-02-14, output_hash: "')
    assert lines[14] == "---"
    assert "`1549.99 USD` [1]" in out and "$$ \\Large \\text{0.7} $$" in out
    doc = document.parse(out)
    assert doc.meta["transync"]["output_hash"] == document.output_hash(doc.meta, doc.body, "transync")


def test_currency_uses_the_currency_digits():
    out = build(SOURCE, settings(target_lang="de", currency=localize.Currency("EUR", Decimal("0.92"))))
    assert "price: 1425.99\n" in out  # 1425.9908 rounded to EUR's 2 digits


def test_tags_the_glossary_does_not_know_can_be_kept():
    out = build(SOURCE, settings(untranslated_tags="keep"))
    assert "tags: [ヘッドホン, 密閉型, Halden]\n" in out


def test_without_a_template_the_title_is_translated():
    out = build(SOURCE, settings(templates={}))
    assert 'title: "⟦Ĥåļđéñ ĤX-700 Pŕöđûçţ Ŕévîéŵ' in out


def test_old_provenance_is_replaced_not_repeated():
    src = SOURCE.replace("---\n## Overview", "transync: {source_hash: 1, output_hash: 2}\n---\n## Overview")
    out = build(src, settings())
    assert out.count("transync:") == 1


def test_crlf_source_gives_crlf_output():
    out = build(SOURCE.replace("\n", "\r\n"), settings())
    assert out.count("\r\n") == out.count("\n")


@pytest.mark.parametrize(
    "source, target, expected",
    [
        ("/products/en/halden-hx-700/", "ja", "/products/ja/halden-hx-700/"),
        ("/en/", "de", "/de/"),
        ("/en/en/x/", "de", "/de/en/x/"),  # the first language segment only
        ("/products/halden-hx-700/", "ja", "/products/halden-hx-700/"),  # nothing to swap: kept as it is
    ],
)
def test_the_permalink_is_the_layouts(source, target, expected):
    out = build(SOURCE.replace("permalink: /products/en/halden-hx-700/", f"permalink: {source}"), settings(target_lang=target))
    assert f"\npermalink: {expected}\n" in out


def test_template_errors():
    with pytest.raises(DocumentError, match="needs 'brand'") as info:
        localize.fill_template("{brand} review", {"title": "x"})
    assert info.value.exit_code == 2  # the document fails; the run goes on


def test_provenance_hashes_stay_strings_even_when_all_digits():
    src = document.parse(SOURCE)
    plan = localize.plan(src, settings())
    done, _, _ = translate_texts({r.key: r.markdown for r in plan.requests}, PseudoEngine(), source_lang="en", target_lang="ja")
    out = plan.render(done, source_hash="0123456789012345", source_date="2026-02-14")
    assert document.parse(out).meta["transync"]["source_hash"] == "0123456789012345"
