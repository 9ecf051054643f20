"""Protected spans become placeholders, and come back byte for byte."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, requires_corpus
from transync.errors import TransyncError
from transync.document.placeholders import Keep, PlaceholderError, check_translation, split, to_xml


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


SOURCE = "The **Kestrel** measures $f_s = 48$ kHz [1], see [the specs](https://example.com/k) and `cfg`."


@pytest.mark.parametrize(
    "translation",
    [
        "Der **Kestrel** misst $f_s = 48$ kHz [1], siehe [die Daten](https://example.com/k) und `cfg`.",
        # emphasis moved and link text changed; protected spans reordered
        "`cfg` und [Datenblatt](https://example.com/k): **der Kestrel misst** $f_s = 48$ kHz [1].",
        # emphasis dropped (Japanese typography has no italics or bold to speak of)
        "Kestrelは$f_s = 48$ kHz [1]を測定します。[仕様](https://example.com/k)と`cfg`を参照。",
    ],
)
def test_check_translation_accepts_intact_protected_text(translation):
    assert check_translation(SOURCE, translation) is None


@pytest.mark.parametrize(
    "translation, reason",
    [
        (
            "Der **Kestrel** misst $f_s = 48$ kHz, siehe [die Daten](https://example.com/k) und `cfg`.",
            "protected text changed (missing '[1]')",
        ),
        (
            "Der **Kestrel** misst $f_s = 48$ kHz [1], siehe [die Daten](https://example.com/k) und `cfg`. "
            "Mehr: https://evil.example/x",
            "protected text changed (added 'https://evil.example/x')",
        ),
        (
            "Der **Kestrel** misst $f_s = 48$ kHz [1], siehe [die Daten](https://example.com/k) und `cfg`."
            "<script>alert(1)</script>",
            "protected text changed (added '<script>', added '</script>')",
        ),
        (
            "Der **Kestrel** misst $f_s = 44.1$ kHz [1], siehe [die Daten](https://example.com/k) und `cfg`.",
            "protected text changed (missing '$f_s = 48$', added '$f_s = 44.1$')",
        ),
        (
            "Der **Kestrel** misst $f_s = 48$ kHz [1], siehe [die Daten](https://evil.example/k) und `cfg`.",
            "protected text changed (missing '](https://example.com/k)', added '](https://evil.example/k)')",
        ),
        (
            "Der **Kestrel** misst $f_s = 48$ kHz [1] [1], siehe [die Daten](https://example.com/k) und `cfg`.",
            "protected text changed (added '[1]')",
        ),
        (
            "Der {{ site.secret }} misst $f_s = 48$ kHz [1], siehe [die Daten](https://example.com/k) und `cfg`.",
            "protected text changed (added '{{ site.secret }}')",
        ),
    ],
)
def test_check_translation_names_what_changed(translation, reason):
    assert check_translation(SOURCE, translation) == reason


def test_a_link_whose_bracket_a_url_took_stays_text():
    # The bracket scan skips "\[" as an escape, but the URL takes the backslash,
    # so "[1]" becomes a citation and takes the "]": the "[" is never closed.
    text = "[https://\\[1][1]"
    assert [type(p).__name__ for p in split(text)] == ["Text", "Keep", "Keep", "Keep"]
    tpl = to_xml(text)
    assert tpl.render(tpl.xml) == text


# --------------------------------------------------------------------------- linear scans
#
# The forward scans below are the definitions (as the code was before it
# used tables): quadratic on hostile input, but obviously right. The tables
# of placeholders._Scan must give the same answers everywhere.


def naive_code_span(text: str, pos: int) -> int | None:
    run = 0
    while pos + run < len(text) and text[pos + run] == "`":
        run += 1
    i = pos + run
    while True:
        j = text.find("`" * run, i)
        if j == -1:
            return None
        k = j
        while k < len(text) and text[k] == "`":
            k += 1
        if k - j == run:
            return k
        i = k


def naive_matching_bracket(text: str, pos: int) -> int | None:
    depth, i = 0, pos
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`" and (end := naive_code_span(text, i)) is not None:
            i = end
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def naive_link_tail(text: str, pos: int) -> int | None:
    if text.startswith("](", pos):
        depth, i = 0, pos + 2
        while i < len(text):
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    return i + 1
                depth -= 1
            elif ch == "\n" and text.startswith("\n\n", i):
                return None
            i += 1
        return None
    if text.startswith("][", pos):
        end = text.find("]", pos + 2)
        if end != -1 and "[" not in text[pos + 2 : end]:
            return end + 1
    return None


def naive_inline_math(text: str, pos: int) -> int | None:
    if text.startswith("$$", pos) or pos + 1 >= len(text) or text[pos + 1].isspace():
        return None
    i = pos + 1
    while True:
        j = text.find("$", i)
        if j == -1:
            return None
        if text[j - 1] == "\\":
            i = j + 1
            continue
        if text[j - 1].isspace() or (j + 1 < len(text) and text[j + 1].isdigit()):
            return None
        return j + 1


def assert_scans_agree(text: str) -> None:
    from transync.document.placeholders import _Scan

    scan = _Scan(text)
    for pos, ch in enumerate(text):
        if ch == "`":
            assert scan.code_span(pos) == naive_code_span(text, pos), (text, pos)
        elif ch == "[":
            assert scan.matching_bracket(pos) == naive_matching_bracket(text, pos), (text, pos)
        elif ch == "]":
            assert scan.link_tail(pos) == naive_link_tail(text, pos), (text, pos)
        elif ch == "$":
            assert scan.inline_math(pos) == naive_inline_math(text, pos), (text, pos)


BRACKETY = ["[", "]", "(", ")", "`", "``", "\\", "$", " ", "a", "1", "\n", "\n\n", "](", "][", "![", "[1]"]


@settings(deadline=None, max_examples=1000)
@given(st.lists(st.sampled_from(BRACKETY), max_size=40).map("".join))
def test_scan_tables_answer_like_forward_scans(text):
    assert_scans_agree(text)


@settings(deadline=None)
@given(markdownish)
def test_scan_tables_answer_like_forward_scans_on_markdownish_text(text):
    assert_scans_agree(text)


@pytest.mark.parametrize(
    "text",
    [
        "a [b `c]` d](e) and [f](g (h) \\) i) [j][k] ![l](m\n\nn) $x$ $y \\$ z$ $5",
        "[a ``b]`` c] [d `e] f`] [g\\]h](i) [[nested] [brackets]](x)",
        "```` `a` ``b`` ```c```",
    ],
)
def test_scan_tables_on_literal_cases(text):
    assert_scans_agree(text)


HOSTILE = {
    "a[b": "a[b " * 16_000,
    "nested brackets": "[" * 50_000 + "]" * 50_000,
    "open brackets": "[" * 50_000,
    "link tails": "[a](" * 20_000,
    "images": "![a" * 20_000,
    "reference links": "[a][" * 20_000,
    "citation starts": "[1," * 20_000,
    "backtick runs": "".join("`" * k + "a" for k in range(1, 300)) * 20,
    "escaped dollars": "$a\\\\" * 20_000 + "$",
    "dollars after escaped backslashes": "\\\\$" * 20_000,
    "stars then underscores": "*a " * 20_000 + " a_" * 20_000,
    "underscores": "_" * 50_000,
    "stars": "*" * 50_000,
    "tildes": "~~a " * 20_000,
    "less-thans": "<" * 50_000,
    "comments": "<!--" * 20_000,
    "processing instructions": "<?" * 20_000,
    "cdata": "<![CDATA[" * 10_000,
    "declarations": "<!a" * 20_000,
    "liquid": "{{" * 20_000,
    "liquid tags": "{%" * 20_000,
    "url parentheses": "http://x" + "(a" * 20_000 + ")" * 20_000,
}


def test_hostile_segments_are_split_in_linear_time():
    """Each of these took from seconds to minutes (or never ended) when scans
    restarted at every candidate. All of them together, in a subprocess held
    to 60 s, round-trip through XML."""
    import subprocess
    import sys

    program = (
        "import json, sys\n"
        "from transync.document.placeholders import to_xml\n"
        "for text in json.load(sys.stdin):\n"
        "    tpl = to_xml(text)\n"
        "    assert tpl.render(tpl.xml) == text\n"
        "print('ok')\n"
    )
    import json

    proc = subprocess.run(
        [sys.executable, "-c", program], input=json.dumps(list(HOSTILE.values())), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout == "ok\n"


@requires_corpus()
def test_scan_tables_answer_like_forward_scans_on_the_corpus():
    from transync import document
    from transync.document import segments

    checked = 0
    for path in sorted(CORPUS.rglob("*.md"))[::8]:  # one file in eight: the naive scans are slow
        try:
            body = document.parse(path.read_bytes()).body
            texts = [s.text for s in segments.segment(body).segments]
        except TransyncError:
            continue
        for text in texts:
            if any(ch in text for ch in "[`$"):
                assert_scans_agree(text)
                checked += 1
    assert checked > 1_000
