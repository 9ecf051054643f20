"""URLs and citations: protection (placeholders) and the checks read them by one rule."""

from __future__ import annotations

import time

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from transync.document import placeholders
from transync.document.outline import outline as read_outline
from transync.document.patterns import bare_urls, citation_numbers


def protected(text: str) -> tuple[list[str], list[int]]:
    """The URLs and citation numbers protection keeps out of what an engine sees."""
    pieces = [p for p in placeholders.split(text) if isinstance(p, placeholders.Keep)]
    urls = [p.source for p in pieces if p.kind == "url"]
    numbers = [n for p in pieces if p.kind == "citation" for n in citation_numbers(p.source)]
    return urls, numbers


def checked(text: str) -> tuple[list[str], list[int]]:
    """The URLs and citation numbers the urls and citations checks compare."""
    outline = read_outline(f"{text}\n")
    return [s.value for s in outline.urls], [s.value for s in outline.citations]


TRICKY = [
    # full-width punctuation right after a URL: the sentence goes on
    ("見る https://a.org/x、次に https://b.org/y。", ["https://a.org/x", "https://b.org/y"], []),
    ("範囲 https://a.org/x〜https://b.org/y（参照）", ["https://a.org/x", "https://b.org/y"], []),
    ("詳細はhttps://example.com/pageを参照", ["https://example.com/page"], []),
    ("Philipsはwww.philips.com/supportを通じて", ["www.philips.com/support"], []),
    ("商品 https://amazon.co.jp/FiiO-KA15ポータブル/dp/B0D です", ["https://amazon.co.jp/FiiO-KA15ポータブル/dp/B0D"], []),
    # ASCII endings: trailing punctuation, emphasis, unopened parentheses, a word before
    ("See https://x.org/a~ and (https://x.org/b_(c)) or **https://x.org/d**.", ["https://x.org/a", "https://x.org/b_(c)", "https://x.org/d"], []),
    ("ftp://f.org/pub, then xhttps://no.org and https:// alone", ["ftp://f.org/pub"], []),
    # citations in every usual form
    ("Shown [1, 2] and [3][4], ranged [5-7] and [8〜9], listed ［10］、［11］ and [12、13].", [], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
    ("A URL then a citation: https://x.org/a[1] and https://x.org/b［2］", ["https://x.org/a", "https://x.org/b"], [1, 2]),
    ("Not citations: [x], [12345], 【3】", [], []),
]


@pytest.mark.parametrize("text, urls, numbers", TRICKY)
def test_protection_and_checks_read_urls_and_citations_alike(text, urls, numbers):
    assert protected(text) == (urls, numbers)
    assert checked(text) == (urls, numbers)


_TOKENS = [
    "https://x.org/a", "www.b.jp/c", "ftp://f.org/", "/dp/", "?q=1", "、", "〜", "~", "。", "（", "）", "(", ")",
    " ", "参照", "を", "ポータブル", "[1]", "［2］", "[1, 2]", "[3〜5]", "[6、7]", ".", ",", "*", "_", "x", "-",
]


@given(st.lists(st.sampled_from(_TOKENS), max_size=12))
def test_protection_and_checks_agree_on_any_mix(tokens):
    text = "P " + "".join(tokens)
    # "[1](...)" is a link to a Markdown reader, and "**" at the ends of words is emphasis
    # to both: what is compared here is prose.
    assume("](" not in text and "］(" not in text)
    assert protected(text) == checked(text)


def test_a_hostile_run_of_url_starts_stays_linear():
    for text in ("https://、" * 20000, "www.ア." * 20000, "https://)" * 20000):
        started = time.perf_counter()
        list(bare_urls(text))
        placeholders.split(text)
        assert time.perf_counter() - started < 2, text[:20]


def _by_expression(text: str) -> tuple[list, list]:
    """URLs and citations found by trying URL_START and CITATION at every position (what the scans replaced)."""
    from transync.document.patterns import CITATION, URL_START, Urls, citation_list

    urls, found, pos = Urls(text), [], 0
    while (match := URL_START.search(text, pos)) is not None:
        end = urls.end(match.start())
        if end is None:
            pos = match.start() + 1
            continue
        found.append((match.start(), text[match.start() : end]))
        pos = end
    return found, [(m.start(), citation_list(m.group(1))) for m in CITATION.finditer(text)]


PIECES = ["http://", "https://", "ftp://", "www.", "htt", "p://", "s://", "a", " ", ".", "/", "、", "ア", "[", "]", "［", "］",
          "1", "2", "-", ",", "(", ")", "\n", "[1]", "［１］", "[1-3]", "[1][2]"]


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_urls_and_citations_are_found_where_their_expressions_match(text):
    from transync.document.patterns import citations

    assert (list(bare_urls(text)), list(citations(text))) == _by_expression(text)
