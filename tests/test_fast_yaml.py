"""The scan's faster YAML construction and single-pass hashing give exactly what the long way gives."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import yaml

import transync.document as document
from conftest import CORPUS, requires_corpus

CASES = [
    "title: Plain\nlang: en\nrating: [2.8, 0.5, 1.0]\nprice: 1600\n",
    "a: yes\nb: no\nc: on\nd: ~\ne: null\nf: 0x1F\ng: 0o17\nh: 1_000\ni: .inf\nj: -.NaN\nk: 1e3\n",
    "date: 2025-01-10\nwhen: 2025-01-10 10:00:00 +09:00\nquoted: '2025-01-10'\n",
    "nested: {a: [1, {b: c}], d: [[e]]}\nblock:\n  - x\n  - y: z\n",
    "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",  # a merge key: PyYAML's own constructor
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\nbin: !!binary aGVsbG8=\n",
    "1: one\n2.5: float key\ntrue: bool key\n~: null key\n2025-01-10: date key\n",
    "dup: 1\ndup: 2\n",
    "text: |\n  kept\n  lines\nfolded: >\n  one\n  two\n",
    "",
    "just a string\n",
    "- a\n- b\n",
]


def reference(text: str):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def typed(value):
    """A value with every type spelled out: True and 1 are equal in Python, not here."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple, set)):
        return (type(value).__name__, [typed(v) for v in (sorted(value) if isinstance(value, set) else value)])
    return (type(value).__name__, repr(value))


@pytest.mark.parametrize("text", CASES)
def test_construction_matches_pyyaml(text: str) -> None:
    assert typed(document.load_yaml(text)) == typed(reference(text))


@pytest.mark.parametrize("text", ["? [a, b]\n: unhashable key\n", "a: !!python/object:os.system x\n", "a: [1\n"])
def test_what_pyyaml_refuses_is_still_refused(text: str) -> None:
    with pytest.raises(ValueError):
        document.load_yaml(text)


METAS = [
    ({"title": "T", "summary": "S", "tags": ["a", "b"], "transync": {"source_hash": "x"}}, "Body\r\n\n"),
    ({"a": {"z": 1, "b": [{"y": 2, "c": None}]}, "é": "ü", "n": 1.5, "t": True, "d": dt.date(2024, 1, 2)}, "x"),
    ({}, ""),
    ({1: "a", "1": "b", dt.date(2024, 1, 2): "c"}, "keys that become strings"),
    ({"price": float("inf"), "blob": b"bytes", "when": dt.datetime(2024, 1, 2, 3, 4, 5)}, "\n\nbody\n\n"),
]


@pytest.mark.parametrize("meta,body", METAS)
@pytest.mark.parametrize("fields", [(), ("summary", "title", "tags"), ("1", "missing")])
def test_hashes_are_the_two_hashes(meta, body, fields) -> None:
    expected = (document.content_hash(meta, body, fields), document.output_hash(meta, body, "transync"))
    assert document.hashes(meta, body, fields, "transync") == expected


@requires_corpus()
def test_every_corpus_front_matter_is_read_as_pyyaml_reads_it() -> None:
    n = 0
    for folder, _, names in os.walk(CORPUS):
        for name in names:
            if not name.endswith(".md"):
                continue
            text = open(os.path.join(folder, name), encoding="utf-8").read()
            start, end, _ = document.split_front_matter(text)
            front = text[start:end]
            meta = document.load_yaml(front, aliases=False)
            assert typed(meta) == typed(reference(front)), name
            body = text[end:]
            fields = ("summary", "tags", "title")
            assert document.hashes(meta, body, fields, "transync") == (
                document.content_hash(meta, body, fields), document.output_hash(meta, body, "transync")
            ), name
            n += 1
    assert n > 7000


# --------------------------------------------------------------------------- the simple front-matter reader

from hypothesis import given, settings, strategies as st  # noqa: E402

_KEYS = st.sampled_from(["title", "lang", "ref", "date", "yes", "no", "on", "null", "True", "a-b", "_x", "Key9", "y", "n"])
_ATOMS = st.sampled_from([
    "plain text", "1600", "-1", "2.8", "0.5", "1e3", ".inf", "0x1F", "0o17", "017", "1_000", "10:30", "2025-11-11",
    "2025-01-10 10:00:00 +09:00", "2025-13-45", "yes", "No", "~", "null", "true", "C#", "a #b", "a: b", "a:b", "x:",
    "http://x.y/a#b", "it's", 'say "hi"', "[x]", "x]", "{a}", "@x", "`x`", "%x", "!x", "&x", "*x", "|", ">", "- x",
    "? x", ": x", ",x", "é日本", "\u00a0x", "x\u3000y", "",
])
_ITEMS = st.one_of(_ATOMS, _ATOMS.map(lambda a: f'"{a}"'), _ATOMS.map(lambda a: f"'{a}'"))
_VALUES = st.one_of(
    _ITEMS,
    st.lists(_ITEMS, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
    st.lists(_ITEMS, max_size=3).map(lambda items: "[ " + " ,".join(items) + " ]"),
    st.text(alphabet="ab :#'\"[],{}-.\t\\", max_size=8),
)
_LINES = st.one_of(
    st.tuples(_KEYS, _VALUES, st.sampled_from(["", " ", "  "])).map(lambda t: f"{t[0]}: {t[1]}{t[2]}"),
    st.sampled_from(["", "# comment", "  indented: x", "- item", "key:", "key:value", "key :x", "---"]),
)


_INDENTS = st.sampled_from([" ", "  ", "    ", "\t", "  \t"])
_NESTED = st.tuples(_KEYS, st.lists(st.tuples(_INDENTS, _LINES), min_size=1, max_size=4)).map(
    lambda t: f"{t[0]}:\n" + "\n".join(indent + line for indent, line in t[1])
)
_FOLDED_TEXT = st.sampled_from(["plain words", "x: y", "# not a comment", "- not an item", "trailing ", "a\tb", "'q'", "", "  deeper", "é日本"])
_FOLDED = st.tuples(_KEYS, st.sampled_from([">-", ">", "|", ">- # c", ">+"]), st.lists(st.tuples(_INDENTS, _FOLDED_TEXT), max_size=4)).map(
    lambda t: f"{t[0]}: {t[1]}" + "".join(f"\n{indent}{text}" for indent, text in t[2])
)
# Blocks as pages write them (one indentation throughout), now and then with an odd line.
_CHILD = st.one_of(st.tuples(_KEYS, _ITEMS).map(lambda t: f"{t[0]}: {t[1]}"), _LINES)
_WELL_NESTED = st.tuples(_KEYS, st.sampled_from([" ", "  ", "    "]), st.lists(_CHILD, min_size=1, max_size=4)).map(
    lambda t: f"{t[0]}:\n" + "\n".join(t[1] + line for line in t[2])
)
_WELL_FOLDED = st.tuples(_KEYS, st.sampled_from(["  ", "    "]), st.lists(_FOLDED_TEXT, min_size=1, max_size=4)).map(
    lambda t: f"{t[0]}: >-" + "".join(f"\n{t[1]}{text}" for text in t[2])
)
#: Lines and blocks of lines: nested mappings, folded scalars, comments.
DOC_LINES = st.one_of(_LINES, _NESTED, _FOLDED, _WELL_NESTED, _WELL_FOLDED, st.sampled_from(["# comment", "#", "#: x", "#\u3000"]))


def agrees_or_steps_aside(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    simple = document._simple_mapping(text)
    if simple is not None:  # else PyYAML reads it (checked above)
        assert typed(simple) == typed(reference(text))


@given(st.lists(_LINES, max_size=8))
def test_the_simple_reader_agrees_with_pyyaml_or_steps_aside(lines: list[str]) -> None:
    agrees_or_steps_aside(lines)


@given(st.lists(DOC_LINES, max_size=6))
def test_nested_mappings_folded_scalars_and_comments_are_read_as_pyyaml_reads_them(lines: list[str]) -> None:
    agrees_or_steps_aside(lines)


_WELL = st.one_of(_WELL_NESTED, _WELL_FOLDED, st.tuples(_KEYS, _ITEMS).map(lambda t: f"{t[0]}: {t[1]}"), st.just("# c"))


@settings(max_examples=500)
@given(st.lists(_WELL, min_size=1, max_size=5))
def test_well_formed_blocks_are_read_as_pyyaml_reads_them(lines: list[str]) -> None:
    agrees_or_steps_aside(lines)


@pytest.mark.parametrize("text", [
    "sidebar:\n  label: Guide\n  order: 2\n  badge: [new, 1]\ntitle: x\n",
    "description: >-\n  one line\n  and another: with a colon # and a hash\ntitle: x\n",
    "# a comment first\ntitle: x\n",
    "transync:\n  source_hash: abc\n  fields:\n    price: x\n",  # two levels: PyYAML's business
])
def test_the_blocks_astro_pages_use_are_read_as_pyyaml_reads_them(text: str) -> None:
    assert typed(document.load_yaml(text)) == typed(reference(text))
    if "fields:" not in text:
        assert document._simple_mapping(text) is not None  # read without PyYAML


def test_an_impossible_date_is_a_front_matter_error_not_a_crash() -> None:
    from transync.errors import DocumentError

    with pytest.raises(DocumentError, match="front matter: malformed YAML: month must be in 1..12"):
        document.parse("---\nref: x\nlang: en\ndate: 2025-13-45\n---\nbody\n")
