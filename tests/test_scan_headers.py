"""A file's header is the same whichever way its front matter is read.

The scan reads simple front matter (one ``key: value`` line each) without PyYAML
(:func:`transync.document.read_simple`) and parses everything else in full; the
two must give the same header, hashes included (translations record them in
their provenance), and the same error for a file that cannot be used.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings as hsettings, strategies as st

import transync.document as document
from conftest import CORPUS, requires_corpus, requires_shared
from test_fast_yaml import DOC_LINES
from transync.errors import DocumentError
from transync.site.scan import HeaderSettings, header_of, header_of_document

JEKYLL = HeaderSettings(
    content_fields=("summary", "tags", "title"), provenance_key="transync", required_fields=("ref", "lang"),
    rules=(("price", "currency"), ("summary", "translate"), ("tags", "glossary"), ("title", "template")),
)
STARLIGHT = HeaderSettings(
    content_fields=("description", "title"), provenance_key="transync", required_fields=(), ref_field=None, localizable="i18nReady",
)


def both(data: bytes, settings: HeaderSettings):
    """The header (or the error) by the scan's reading and by a full parse."""

    def outcome(read):
        try:
            return header_of_document(read(), settings)
        except DocumentError as exc:
            return ("error", exc.reason, exc.line)

    try:
        quick = header_of(data, settings)
    except DocumentError as exc:
        quick = ("error", exc.reason, exc.line)
    return quick, outcome(lambda: document.parse(data))


CASES = [
    b"---\nlayout: product\ntitle: \"Sony X\"\nlang: en\nref: sony-x\ndate: 2025-08-04\nrating: [3.0, 0.7, 1]\nprice: 1030\n"
    b"summary: 'A summary'\ntags: [Android, \"Hi-Res\", 'LDAC', 1, yes, 2025-01-02]\npermalink: /products/en/sony-x/\n---\n## Overview\n\nText.\n",
    b"\xef\xbb\xbf---\nref: bom\nlang: ja\n---\nbody\n",  # a BOM
    b"---   \nref: spaces\nlang: en\n---  \nbody\n",  # delimiters with trailing spaces
    b"---\nref: crlf\r\nlang: en\r\n---\r\nbody\r\n\r\n",  # CRLF: the full parse
    b"---\nref: end\nlang: en\n...\nbody ends in an ideographic space\xe3\x80\x80\n\n",
    b"---\nref: nbsp\nlang: en\n---\nbody ends in a no-break space\xc2\xa0\n",
    b"---\nref: unit\nlang: en\n---\nbody ends in a unit separator\x1f\n",
    b"---\nref: crlf-body\nlang: en\n---\r\n\r\nline one\r\nline two  \r\n\r\n",
    b"---\nref: empty-body\nlang: en\n---\n",
    b"---\nref: no-newline\nlang: en\n---",
    b"---\nref: dup\nlang: en\nlang: ja\n---\nbody\n",  # duplicate key: the last value, the first line
    b"---\n\n\nref: blank-lines\n\nlang: en\n---\nbody\n",
    b"---\nref: x\nlang: EN!\n---\nbody\n",  # not a language code
    b"---\nref: ../up\nlang: en\n---\nbody\n",
    b"---\nref: 12\nlang: en\n---\nbody\n",
    b"---\nref: x\nlang: en\ndate: tomorrow\n---\nbody\n",
    b"---\nref: x\nlang: en\ndate: 2025-13-45\n---\nbody\n",  # a 13th month: PyYAML's error
    b"---\nref: x\nlang: en\ntransync: plain\n---\nbody\n",  # provenance that is not a mapping
    b"---\nref: x\nlang: en\ntransync:\n  source_hash: abc\n  output_hash: def\n---\nbody\n",
    b"---\nlang: en\n---\nno ref\n",
    b"---\nref: x\nlang: en\n---\nnot UTF-8 \xff\n",
    b"---\nref: \xff\nlang: en\n---\nbody\n",
    b"---\nref: x\nlang: en\n",  # not closed
    b"no front matter\n",
    b"",
    b"---\n---\nempty front matter\n",
    b"---\n# only a comment\n---\nbody\n",
    b"---\nref: x\nlang: en\ni18nReady: true\ndescription: \"D\"\n---\nbody\n",
    b"---\nref: x\nlang: en\ni18nReady: yes\n---\nbody\n",
]


@pytest.mark.parametrize("data", CASES)
@pytest.mark.parametrize("settings", [JEKYLL, STARLIGHT], ids=["jekyll", "starlight"])
def test_the_quick_reading_gives_the_full_parse_header(data: bytes, settings: HeaderSettings) -> None:
    quick, full = both(data, settings)
    assert quick == full


def test_simple_front_matter_is_read_without_pyyaml() -> None:
    """The case that matters for speed does take the quick reading (else the test above proves little)."""
    doc = document.read_simple(CASES[0])
    assert doc is not None
    assert doc.meta == document.parse(CASES[0]).meta
    assert doc.line_of_key("lang") == 4
    assert document.read_simple(CASES[3]) is None  # CRLF front matter
    assert document.read_simple(b"---\nref: x\ntags:\n  - a\n---\nbody\n") is None  # a block sequence
    nested = document.read_simple(CASES[18])  # provenance: a mapping of simple lines
    assert nested is not None and nested.meta["transync"] == {"source_hash": "abc", "output_hash": "def"}


_BODIES = st.lists(
    st.sampled_from(["Text.", "", "  ", "\r", "\t", "\u3000", "\xa0", "\x1c", "\x85", "\u2028", "日本語", "$$ x $$", "---", "..."]),
    max_size=6,
).map(lambda parts: "".join(p + e for p, e in zip(parts, ["\n", "\r\n", "\n\n", ""] * 3)))


@hsettings(max_examples=300)
@given(st.lists(DOC_LINES, max_size=8), _BODIES, st.booleans(), st.sampled_from(["---", "...", "---  "]))
def test_any_document_gets_the_same_header_either_way(lines: list[str], body: str, bom: bool, closing: str) -> None:
    data = ("\ufeff" if bom else "") + "---\n" + "\n".join(lines) + "\n" + closing + "\n" + body
    for settings in (JEKYLL, STARLIGHT):
        quick, full = both(data.encode("utf-8", "surrogatepass"), settings)
        assert quick == full


@hsettings(max_examples=500)
@given(st.text(alphabet="ab :#-?,[]{}&*!|>'\"%@`/.1\u3000\x85\xa0\x1cé", max_size=12))
def test_a_plain_value_or_a_flow_list_is_read_as_pyyaml_reads_it(value: str) -> None:
    """The plain scalars and flow lists that the quick reading tells from other YAML by hand."""
    for line in (f"key: {value}", f"key: [{value}]", f"key: [{value}, {value}]"):
        data = f"---\nref: x\nlang: en\n{line}\n---\nbody\n".encode()
        quick = document.read_simple(data)
        if quick is not None:
            assert quick.meta == document.parse(data).meta
        assert both(data, JEKYLL)[0] == both(data, JEKYLL)[1]


def _corpus_files() -> list[str]:
    return [os.path.join(folder, name) for folder, _, names in os.walk(CORPUS) for name in names if name.endswith(".md")]


@requires_corpus()
def test_every_corpus_file_gets_the_same_header_either_way() -> None:
    from transync.site.config import load_config

    config = load_config(CORPUS)
    settings = [HeaderSettings.of(config, c) for c in config.collections] + [STARLIGHT]
    files = _corpus_files()
    assert len(files) > 7000
    quick = 0
    for path in files:
        with open(path, "rb") as fh:
            data = fh.read()
        quick += document.read_simple(data) is not None
        for s in settings:
            got, expected = both(data, s)
            assert got == expected, path
    assert quick > 7000  # nearly every file of the real site takes the quick reading


@requires_shared(CORPUS.parent / "astro-docs-history.bundle")
def test_every_astro_docs_page_gets_the_same_header_either_way(tmp_path) -> None:
    from test_mdx import ASTRO_BUNDLE, _pages_at_head

    pages = _pages_at_head(ASTRO_BUNDLE, tmp_path)
    assert len(pages) > 2000
    quick = 0
    for path, data in pages.items():
        quick += document.read_simple(data) is not None
        for s in (STARLIGHT, JEKYLL):
            got, expected = both(data, s)
            assert got == expected, path
    assert quick > 1000
