"""Protected spans become placeholders, and come back byte for byte."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transync.placeholders import Keep, PlaceholderError, split, to_xml


def kept(text: str) -> list[tuple[str, str]]:
    return [(p.kind, p.source) for p in split(text) if isinstance(p, Keep)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ratio is `53 USD ÷ 139 USD ≒ 0.38` here", [("code", "`53 USD ÷ 139 USD ≒ 0.38`")]),
        ("double ``a`b`` ticks", [("code", "``a`b``")]),
        ("math $x^2$ inline", [("math", "$x^2$")]),
        ("costs $5 and $10 today", []),
        ("see [1] and [2][3].", [("citation", "[1]"), ("citation", "[2]"), ("citation", "[3]")]),
        ("ranges [1-3] and lists [4, 5]", [("citation", "[1-3]"), ("citation", "[4, 5]")]),
        ("visit https://example.com/a_(b) now.", [("url", "https://example.com/a_(b)")]),
        ("end at https://example.com/x.", [("url", "https://example.com/x")]),
        ("auto <https://example.com> link", [("url", "<https://example.com>")]),
        ("line<br>break and <span class=\"k\">x</span>", [("html", "<br>"), ("html", '<span class="k">'), ("html", "</span>")]),
        ("{{ site.title }} and {% include x.html %}", [("liquid", "{{ site.title }}"), ("liquid", "{% include x.html %}")]),
        ("an escaped \\* star", [("escape", "\\*")]),
        ("an image ![alt](/a.png) here", [("image", "![alt](/a.png)")]),
        # inline HTML that looks like a placeholder is protected like any inline HTML
        ("a <x id=\"1\"/> lookalike", [("html", '<x id="1"/>')]),
    ],
)
def test_protected_spans(text, expected):
    assert kept(text) == expected


def test_links_keep_text_translatable_and_target_protected():
    tpl = to_xml('Read [the **full** review](https://example.com/r "Title") now')
    assert tpl.xml == 'Read <a id="1">the <b id="2">full</b> review</a> now'
    assert tpl.pairs["1"] == ("a", "[", '](https://example.com/r "Title")')


def test_reference_links_and_link_text_holding_a_url():
    tpl = to_xml("[https://example.com/a](https://example.com/a) and [text][ref]")
    assert tpl.xml == '<a id="1"><x id="2"/></a> and <a id="3">text</a>'


@pytest.mark.parametrize(
    ("text", "xml"),
    [
        ("**bold** and *em* and __strong__ and _em_ and ~~gone~~", '<b id="1">bold</b> and <i id="2">em</i> and <b id="3">strong</b> and <i id="4">em</i> and <s id="5">gone</s>'),
        ("snake_case_name stays", "snake_case_name stays"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("**unclosed bold", "**unclosed bold"),
        # emphasis that would cross a link boundary is left as text: tags always nest
        ("**bold [link** text](u)", '**bold <a id="1">link** text</a>'),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ('looks like <x id="1"/> a tag', 'looks like <x id="1"/> a tag'),
        ("not a tag: <x id=1 and a < b", "not a tag: &lt;x id=1 and a &lt; b"),
    ],
)
def test_xml(text, xml):
    tpl = to_xml(text)
    assert tpl.xml == xml
    assert tpl.render(tpl.xml) == text


def test_translation_may_move_tags_and_keeps_protected_bytes():
    tpl = to_xml("The **DAC** costs `199 USD` [1].")
    assert tpl.xml == 'The <b id="1">DAC</b> costs <x id="2"/> <x id="3"/>.'
    assert tpl.render('<x id="2"/>の<b id="1">DAC</b>です<x id="3"/>。') == "`199 USD`の**DAC**です[1]。"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ('The <b id="1">DAC</b> costs <x id="2"/>.', "placeholder 3 missing"),
        ('The <b id="1">DAC</b> costs <x id="2"/> <x id="2"/> <x id="3"/>.', "appears twice"),
        ('The <b id="1">DAC</b> costs <x id="2"/> <x id="3"/> <x id="9"/>.', "invented placeholder"),
        ('The <b id="1">DAC costs <x id="2"/> <x id="3"/>.', "is not closed"),
        ('The <b id="1">DAC</i> costs <x id="2"/> <x id="3"/>.', "unbalanced closing tag"),
        ('The <i id="1">DAC</i> costs <x id="2"/> <x id="3"/>.', "invented tag"),
        ('The <b id="1">DAC</b> costs <x id="2"/> <x id="3"/> & more.', "broken tag"),
        ('The <b id="1">DAC</b> costs <x id="2"/> <x id="3"/> <x id="3">.', "broken tag"),
    ],
)
def test_broken_replies_are_rejected(reply, message):
    tpl = to_xml("The **DAC** costs `199 USD` [1].")
    with pytest.raises(PlaceholderError, match=message):
        tpl.render(reply)


def test_entities_come_back_as_text():
    tpl = to_xml("R&D <3")
    assert tpl.render("R&amp;D &lt;3 &#x263A; &quot;ok&apos;") == "R&D <3 ☺ \"ok'"


def test_has_text():
    assert not to_xml("`a` [1] https://example.com 0.6").has_text
    assert to_xml("see `a`").has_text


# Markdown-ish text built from the characters that matter to the scanner.
TOKENS = list("ab xy1\n*_~`$[]()<>{}%!\\&/:.#|-\"'") + ["https://", "www.", "[1]", "**", "{{", "}}", "](", "é", "日", "<br>", '<x id="1"/>']
markdownish = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@settings(deadline=None)
@given(markdownish)
def test_any_text_round_trips_through_xml(text):
    tpl = to_xml(text)
    assert "".join(p.source if not hasattr(p, "text") else p.text for p in split(text)) == text
    assert tpl.render(tpl.xml) == text
