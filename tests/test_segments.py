"""Segmenting Markdown bodies: what is translated, what is kept, and exact reassembly."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, requires_corpus
from transync import document
from transync.translate.engines.pseudo import PseudoEngine
from transync.document.segments import SegmentError, segment
from transync.translate.body import translate_body


def texts(body: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in segment(body).segments]


def test_blocks_of_a_review():
    body = (
        "## Overview\n\n"
        "The **HX-700** is a closed-back headphone [1].\n\n"
        "## Scientific Validity\n\n"
        "$$ \\Large \\text{0.7} $$\n\n"
        "Measured THD is `0.05%`.\n\n"
        "| Metric | Value |\n|:---|---:|\n| THD | 0.05% |\n| Noise floor | very low |\n\n"
        "- first item\n- second item\n  continued\n\n"
        "> A quoted line\n> and its second line\n\n"
        "```python\nprint('not translated')\n```\n\n"
        "    indented code\n\n"
        "<div class=\"note\">HTML block</div>\n\n"
        "{% include widget.html %}\n\n"
        "[1]: https://example.com/source\n"
    )
    assert texts(body) == [
        ("heading", "Overview"),
        ("paragraph", "The **HX-700** is a closed-back headphone [1]."),
        ("heading", "Scientific Validity"),
        ("paragraph", "Measured THD is `0.05%`."),
        ("table_cell", "Metric"),
        ("table_cell", "Value"),
        ("table_cell", "THD"),
        ("table_cell", "0.05%"),
        ("table_cell", "Noise floor"),
        ("table_cell", "very low"),
        ("list_item", "first item"),
        ("list_item", "second item\ncontinued"),
        ("blockquote", "A quoted line\nand its second line"),
        ("paragraph", "{% include widget.html %}"),
    ]
    segmented = segment(body)
    assert [s.text for s in segmented.segments if not s.translatable] == ["0.05%", "{% include widget.html %}"]
    assert segmented.reassemble() == body
    assert [s.id for s in segmented.segments] == [f"s{n}" for n in range(1, 15)]
    assert segmented.segments[1].line == 3


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("# Title #\n", [("heading", "Title")]),
        ("### Title ###   \n", [("heading", "Title")]),
        ("Title\n=====\n", [("heading", "Title")]),
        ("#hashtag is a paragraph\n", [("paragraph", "#hashtag is a paragraph")]),
        ("1. one\n2) two\n", [("list_item", "one"), ("list_item", "two")]),
        ("- a\n    - nested *b*\n", [("list_item", "a"), ("list_item", "nested *b*")]),
        ("| a \\| b | `c` |\n|---|---|\n| 1 | x |\n", [("table_cell", "a \\| b"), ("table_cell", "`c`"), ("table_cell", "1"), ("table_cell", "x")]),
        # A pipe inside inline code splits a GFM cell: the header has 3 cells, the delimiter row 2: not a table.
        ("| a | `x|y` |\n|---|---|\n", [("paragraph", "| a | `x|y` |\n|---|---|")]),
        ("Hard break  \nnext line\n", [("paragraph", "Hard break  \nnext line")]),
        ("text with <b>inline</b> HTML\n", [("paragraph", "text with <b>inline</b> HTML")]),
        ("", []),
        ("\n\n\n", []),
    ],
)
def test_segments_of(body, expected):
    assert texts(body) == expected
    assert segment(body).reassemble() == body


@pytest.mark.parametrize(
    ("body", "reason", "line"),
    [
        ("Text.\n\n$$ \\Large \\text{0.6}\n\nMore text.\n", "unbalanced '$$'", 3),
        ("Text.\n\n```python\ncode()\n", "code fence is not closed", 3),
        ("Text.\n\n~~~\ncode()\n```\n", "code fence is not closed", 3),
        ("Text $$ inline display\n", "unbalanced '$$'", 1),
        ("a\rb\n", "lone carriage return", 1),
        ("a\x00b\n", "NUL character", 1),
    ],
)
def test_unsafe_bodies_are_reported_with_the_line(body, reason, line):
    with pytest.raises(SegmentError) as err:
        segment(body)
    assert reason in err.value.reason
    assert err.value.line == line


def test_crlf_bodies_are_sliced_exactly():
    body = "## Overview\r\n\r\nLine one\r\nline two\r\n\r\n| a | b |\r\n|---|---|\r\n| c | d |\r\n"
    segmented = segment(body)
    assert [s.text for s in segmented.segments] == ["Overview", "Line one\nline two", "a", "b", "c", "d"]
    assert segmented.reassemble() == body
    assert segmented.reassemble({"s2": "Eins\nzwei\ndrei"}) == body.replace("Line one\r\nline two", "Eins\r\nzwei\r\ndrei")


def test_translated_lines_reuse_the_line_prefixes():
    body = "> first line\n> second line\n\n- item\n  more\n"
    segmented = segment(body)
    assert segmented.reassemble({"s1": "一行目", "s2": "項目\n続き\nさらに"}) == "> 一行目\n\n- 項目\n  続き\n  さらに\n"


def test_very_long_paragraph_is_one_segment():
    para = " ".join(["word"] * 40000) + " [1]"
    segmented = segment(para + "\n")
    assert len(segmented.segments) == 1 and segmented.segments[0].text == para
    assert segmented.reassemble() == para + "\n"


def test_pseudo_translation_keeps_everything_protected():
    body = (
        "## Cost-Performance\n\n$$ \\Large \\text{0.4} $$\n\n"
        "It costs `139 USD` against [the ZERO:RED](https://example.com/zero) at 53 USD [2][3].\n"
    )
    result = translate_body(segment(body), PseudoEngine(), source_lang="en", target_lang="ja")
    assert result.rejected == []
    assert result.text == (
        "## ⟦Çöšţ-Péŕföŕmåñçé····⟧\n\n$$ \\Large \\text{0.4} $$\n\n"
        "⟦Îţ çöšţš `139 USD` åĝåîñšţ [ţĥé ŽÉŔÖ:ŔÉÐ](https://example.com/zero) åţ 53 ÛŠÐ [2][3]. ·········⟧\n"  # padding kept off the protected span
    )


class ManglingEngine:
    name = "mangle"

    def translate(self, texts, *, source_lang, target_lang):
        from transync.translate.engines import Translated

        return [Translated(t.replace('<x id="1"/>', "")) for t in texts]


def test_a_rejected_segment_means_no_body_at_all():
    segmented = segment("Keep `code` here.\n\nPlain text.\n")
    result = translate_body(segmented, ManglingEngine(), source_lang="en", target_lang="de")
    assert result.text is None
    assert [(r.segment.id, r.reason) for r in result.rejected] == [("s1", "placeholder 1 missing from the translation")]


# --------------------------------------------------------------------------- properties

words = st.lists(st.sampled_from(["alpha", "beta", "日本", "Größe", "0.6", "`code`", "$x$", "[1]", "**bold**", "*em*", "[link](https://example.com/a)", "https://example.org/p", "<br>", "a_b", "\\*", "{{ x }}", "&", "<"]), min_size=1, max_size=8).map(" ".join)

blocks = st.one_of(
    words.map(lambda w: f"## {w}"),
    words.map(lambda w: f"# {w} #"),
    st.lists(words, min_size=1, max_size=3).map("\n".join),
    st.lists(words, min_size=1, max_size=3).map(lambda ws: "\n".join(f"- {w}" for w in ws)),
    st.lists(words, min_size=1, max_size=3).map(lambda ws: "\n".join(f"{n}. {w}" for n, w in enumerate(ws, 1))),
    st.lists(words, min_size=1, max_size=2).map(lambda ws: "\n".join(f"> {w}" for w in ws)),
    st.sampled_from(["$$ \\Large \\text{0.6} $$", "$$\nx^2\n$$", "```\ncode *x*\n```", "    indented", "<div>\nhtml\n</div>", "---", "[1]: https://example.com"]),
    st.tuples(words, words).map(lambda c: f"| {c[0].replace('|', '')} | {c[1].replace('|', '')} |\n|---|:---:|\n| 1 | 2 |"),
)


@st.composite
def bodies(draw):
    parts = draw(st.lists(blocks, max_size=8))
    seps = [draw(st.sampled_from(["\n\n", "\n\n\n", "\n \n"])) for _ in parts]
    body = "".join(p + s for p, s in zip(parts, seps))
    if draw(st.booleans()):
        body = body.rstrip("\n")  # no final newline
    if draw(st.booleans()):
        body = body.replace("\n", "\r\n")
    return body


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies())
def test_generated_markdown_round_trips(body):
    segmented = segment(body)
    assert segmented.reassemble() == body
    identity = {s.id: s.template.render(s.template.xml) for s in segmented.segments}
    assert segmented.reassemble(identity) == body
    pseudo = translate_body(segmented, PseudoEngine(), source_lang="en", target_lang="de")
    assert pseudo.rejected == []
    # Segments with nothing to translate are untouched; translated ones are bracketed.
    for seg in segmented.segments:
        if not seg.translatable:
            assert all(line in pseudo.text for line in seg.text.split("\n"))
    assert pseudo.text.count("⟦") == len(segmented.translatable())


@requires_corpus()
def test_every_corpus_file_round_trips():
    count = 0
    for path in sorted(CORPUS.rglob("*.md")):
        doc = document.parse(path.read_bytes())
        segmented = segment(doc.body)
        assert segmented.reassemble() == doc.body, path
        identity = {s.id: s.template.render(s.template.xml) for s in segmented.segments}
        assert segmented.reassemble(identity) == doc.body, path
        count += 1
    assert count == 7611


PREFIXES = {
    "": True,
    "- ": True,
    "  > 1. ": True,
    "> > - ": True,
    "-\t>  * ": True,
    "## ": True,
    "- ## ": True,
    "-": True,
    "1) ": True,
    "x ": False,
    "-x": False,
    "1234567890. ": False,
    "-   " * 40 + "x": False,  # exponential before: 18 markers took minutes
}


def test_line_prefixes():
    """Which text may stand before a segment on its line: answered in a subprocess
    held to 30 s, since a regex that backtracks cannot be interrupted."""
    import json
    import subprocess
    import sys

    program = (
        "import json, sys\n"
        "from transync.document.segments import _PREFIX_OK\n"
        "print(json.dumps([bool(_PREFIX_OK.match(p)) for p in json.load(sys.stdin)]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", program], input=json.dumps(list(PREFIXES)), capture_output=True, text=True, timeout=30
    )
    assert dict(zip(PREFIXES, json.loads(proc.stdout))) == PREFIXES, proc.stderr


@pytest.mark.parametrize(
    "text, translatable",
    [
        ("{{ site.title }} {% include a.html %}", False),
        ("{% if x %}{{ y }}{% endif %}", False),
        ("{{ a }} and more", True),
        ("{{a}}" * 40 + "x", True),  # the Liquid-only regex backtracked for hours on this
        ("{{a}}" * 40, False),
    ],
)
def test_liquid_only_segments_are_not_translatable(text, translatable):
    (seg,) = segment(text + "\n").segments
    assert seg.translatable is translatable
