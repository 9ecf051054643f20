"""transync.document: front matter found as Jekyll finds it, offsets exact, dates and hashes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transync.document import (
    Document,
    content_hash,
    normalize_date,
    output_hash,
    parse,
)
from transync.errors import DocumentError, TransyncError

BOM = b"\xef\xbb\xbf"
CONTENT_FIELDS = ("summary", "tags", "title")


def parsed(data: bytes) -> Document:
    doc = parse(data)
    # Whatever the input, the model must give it back byte for byte.
    assert (BOM if doc.bom else b"") + doc.text.encode("utf-8") == data
    assert doc.text[: doc.body_start] + doc.body == doc.text
    assert doc.text[doc.yaml_start : doc.yaml_start + len(doc.front_matter)] == doc.front_matter
    return doc


# --------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize(
    "data, meta, body",
    [
        (b"---\ntitle: A\n---\nBody\n", {"title": "A"}, "Body\n"),
        (b"---  \ntitle: A\n---\t\nBody\n", {"title": "A"}, "Body\n"),
        (b"--- \t \ntitle: A\n--- \nBody\n", {"title": "A"}, "Body\n"),
        (b"---\r\ntitle: A\r\nlang: en\r\n---\r\nBody\r\nmore\r\n", {"title": "A", "lang": "en"}, "Body\r\nmore\r\n"),
        (b"---  \r\ntitle: A\r\n---\t\r\nBody\r\n", {"title": "A"}, "Body\r\n"),
        (b"---\ntitle: A\n...\nBody\n", {"title": "A"}, "Body\n"),
        (b"---\ntitle: A\n...  \r\nBody\n", {"title": "A"}, "Body\n"),
        (b"---\ntitle: A\n---\nBody without final newline", {"title": "A"}, "Body without final newline"),
        (b"---\r\ntitle: A\r\n---\r\nLine\r\nlast", {"title": "A"}, "Line\r\nlast"),
        (b"---\ntitle: A\n---", {"title": "A"}, ""),
        (b"---\ntitle: A\n---  ", {"title": "A"}, ""),
        (b"---\r\ntitle: A\r\n---", {"title": "A"}, ""),
        (b"---\r\ntitle: A\r\n---\r", {"title": "A"}, ""),
        (b"---\ntitle: A\n...", {"title": "A"}, ""),
        (b"---\n---\n", {}, ""),
        (b"---\n---\nBody\n", {}, "Body\n"),
        (b"---\r\n---\r\n", {}, ""),
        (b"---\n---", {}, ""),
        (b"---\n\n---\n", {}, ""),
        (b"---\n# only a comment\n---\n", {}, ""),
        (b"---\ntitle: A\n---\n\n\nBody\n\n\n", {"title": "A"}, "\n\nBody\n\n\n"),
        # Only the first closing line counts; later rules belong to the body.
        (b"---\ntitle: A\n---\nBody\n---\nmore\n", {"title": "A"}, "Body\n---\nmore\n"),
        (b"---\ntitle: A\n---\n---\n", {"title": "A"}, "---\n"),
        # Lines that only look like delimiters do not close the front matter.
        (b"---\ntitle: A\nsep: ----\nx: -- -\n---\nB", {"title": "A", "sep": "----", "x": "-- -"}, "B"),
        (b"---\ntitle: A\n---\n\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\n", {"title": "A"}, "日本語\n"),
    ],
)
def test_parse_delimiters_and_body(data: bytes, meta: dict, body: str) -> None:
    doc = parsed(data)
    assert doc.meta == meta
    assert doc.body == body
    assert doc.text[doc.body_start :] == body
    assert doc.bom is False


@pytest.mark.parametrize(
    "data, front_matter",
    [
        (b"---\ntitle: A\nlang: en\n---\nB\n", "title: A\nlang: en\n"),
        (b"---  \r\ntitle: A\r\n---\r\nB\r\n", "title: A\r\n"),
        (b"---\n---\n", ""),
        (b"---\ntitle: A\n---", "title: A\n"),
    ],
)
def test_front_matter_is_kept_as_written(data: bytes, front_matter: str) -> None:
    doc = parsed(data)
    assert doc.front_matter == front_matter
    assert doc.yaml_start == data.index(b"\n") + 1
    assert doc.yaml_line == 2


@pytest.mark.parametrize(
    "data, meta, body",
    [
        (BOM + b"---\ntitle: A\n---\nBody\n", {"title": "A"}, "Body\n"),
        (BOM + b"---\r\ntitle: A\r\n---\r\nBody", {"title": "A"}, "Body"),
        (BOM + b"---\n---\n", {}, ""),
    ],
)
def test_bom(data: bytes, meta: dict, body: str) -> None:
    doc = parsed(data)
    assert doc.bom is True
    assert not doc.text.startswith("\ufeff")
    assert doc.text.startswith("---")
    assert doc.meta == meta
    assert doc.body == body
    assert doc.yaml_line == 2


def test_parse_accepts_str_with_and_without_bom() -> None:
    plain = parse("---\ntitle: A\n---\nBody\n")
    with_bom = parse("\ufeff---\ntitle: A\n---\nBody\n")
    assert plain.bom is False and with_bom.bom is True
    assert plain.text == with_bom.text == "---\ntitle: A\n---\nBody\n"
    assert plain.meta == with_bom.meta == {"title": "A"}
    assert plain.body_start == with_bom.body_start


def test_yaml_values_are_typed_by_the_safe_loader() -> None:
    doc = parsed(
        b"---\ndate: 2025-07-22\nrating: 4.5\ntags: [a, b]\ndraft: false\n"
        b"when: 2025-07-22 10:00:00 +0900\nnothing:\n---\n"
    )
    assert doc.meta == {
        "date": dt.date(2025, 7, 22),
        "rating": 4.5,
        "tags": ["a", "b"],
        "draft": False,
        # Not a YAML timestamp (no colon in the zone): kept as a string.
        "when": "2025-07-22 10:00:00 +0900",
        "nothing": None,
    }


def test_safe_loader_refuses_python_tags() -> None:
    with pytest.raises(DocumentError) as info:
        parse(b"---\nx: !!python/object/apply:os.system ['true']\n---\n")
    assert info.value.reason.startswith("front matter: malformed YAML")
    assert "python/object" in info.value.reason
    assert info.value.line == 2


# --------------------------------------------------------------------------- round trip

_VALUE_CHARS = st.characters(
    codec="utf-8",
    exclude_categories=("Cs", "Cc", "Zl", "Zp", "Cn", "Co"),
    exclude_characters="\ufeff",
    include_characters="\t\n\r",
)
_BODY_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))


@st.composite
def documents(draw: st.DrawFn) -> tuple[bytes, dict[str, str], str, str]:
    keys = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), unique=True, max_size=5))
    values = [draw(st.text(_VALUE_CHARS, max_size=20)) for _ in keys]
    meta = {f"k_{k}": v for k, v in zip(keys, values)}
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    pad_open = draw(st.sampled_from(["", " ", "\t", "  \t "]))
    pad_close = draw(st.sampled_from(["", " ", "\t", " \t"]))
    close = draw(st.sampled_from(["---", "..."]))
    body = draw(st.text(_BODY_CHARS, max_size=60))
    # When the body is empty the closing line may also be the very last one, without newline.
    close_nl = nl if body or draw(st.booleans()) else ""
    front_matter = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}{nl}" for k, v in meta.items())
    bom = draw(st.booleans())
    text = f"---{pad_open}{nl}{front_matter}{close}{pad_close}{close_nl}{body}"
    return (BOM if bom else b"") + text.encode("utf-8"), meta, front_matter, body


@settings(max_examples=100, deadline=None)
@given(documents())
def test_round_trip(case: tuple[bytes, dict[str, str], str, str]) -> None:
    data, meta, front_matter, body = case
    doc = parse(data)
    assert (BOM if doc.bom else b"") + doc.text.encode("utf-8") == data
    assert doc.bom == data.startswith(BOM)
    assert doc.meta == meta
    assert doc.front_matter == front_matter
    assert doc.body == body
    assert doc.text[: doc.body_start] + body == doc.text
    for index, key in enumerate(meta):
        assert doc.line_of_key(key) == 2 + index


# --------------------------------------------------------------------------- errors


def error_of(data: bytes | str) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        parse(data)
    err = info.value
    assert isinstance(err, TransyncError)
    assert str(err) == err.reason
    assert err.exit_code == 2
    return err


@pytest.mark.parametrize("data", [b"", b" ", b"\n", b"\r\n\r\n", b" \t\n\n  ", BOM, BOM + b"\n  \n"])
def test_empty_file(data: bytes) -> None:
    err = error_of(data)
    assert err.reason == "empty file"
    assert err.line == 1


@pytest.mark.parametrize(
    "data",
    [
        b"# Title\n\nText\n",
        b"title: A\n---\nBody\n",
        b"\n---\ntitle: A\n---\n",  # a blank line before the opening delimiter
        b" ---\ntitle: A\n---\n",  # indented delimiter
        b"----\ntitle: A\n----\n",
        b"---title: A\n---\n",
        b"+++\ntitle = 'A'\n+++\n",  # TOML front matter is not Jekyll's
        b"...\ntitle: A\n...\n",  # '...' only closes
        b"---",  # an opening line without its newline
    ],
)
def test_no_front_matter(data: bytes) -> None:
    err = error_of(data)
    assert err.reason.startswith("no front matter")
    assert err.line == 1


@pytest.mark.parametrize(
    "data",
    [
        b"---\n",
        b"---\ntitle: A\n",
        b"---\ntitle: A\nBody\n",
        b"---\r\ntitle: A\r\n",
        b"---\ntitle: A\n----\nBody\n",
        b"---\ntitle: A\n ---\nBody\n",
        b"---\ntitle: A\n--- x\nBody\n",
        b"---\ntitle: A\n....\n",
    ],
)
def test_unclosed_front_matter(data: bytes) -> None:
    err = error_of(data)
    assert "not closed" in err.reason
    assert err.line == 1


# Each front matter has its problem on line 4 of the file.
@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"---\ntitle: A\nlang: en\nref: a: b\n---\n", id="mapping-in-plain-value"),
        pytest.param(b"---\r\ntitle: A\r\nlang: en\r\nref: a: b\r\n---\r\nBody\r\n", id="crlf"),
        pytest.param(BOM + b"---\ntitle: A\nlang: en\nref: a: b\n---\n", id="bom"),
        pytest.param(b"---\ntitle: A\nlang: en\nref: @x\n---\n", id="reserved-indicator"),
        pytest.param(b"---\ntitle: A\nlang: en\ntags: [a, b\nref: x\n---\n", id="unclosed-flow-sequence"),
        pytest.param(b"---\ntitle: A\nlang: en\nno colon here\nref: x\n---\n", id="missing-colon"),
        pytest.param(b"---\ntitle: A\nlang: en\nsummary: \"open\n---\n", id="unclosed-quote"),
        pytest.param(
            b"---\ntitle: A\nlang: en\n\tref: x\n---\n",
            id="tab-indent",
        ),
        pytest.param(
            b"---\ntitle: A\nlang: en\n- ref\n---\n",
            id="list-item-in-mapping",
        ),
    ],
)
def test_malformed_yaml_reports_the_line_in_the_file(data: bytes) -> None:
    err = error_of(data)
    assert err.reason.startswith("front matter: malformed YAML")
    assert err.line == 4


@pytest.mark.parametrize(
    "data, line",
    [
        (b"---\n- a\n- b\n---\nBody\n", 2),
        (b"---\njust a sentence\n---\n", 2),
        (b"---\n42\n---\n", 2),
        (b"---\n\"quoted\"\n---\n", 2),
        (b"---\n[a, b]\n---\n", 2),
        (BOM + b"---\r\n- a\r\n---\r\n", 2),
    ],
)
def test_front_matter_not_a_mapping(data: bytes, line: int) -> None:
    err = error_of(data)
    assert "not a mapping" in err.reason
    assert err.line == line


@pytest.mark.parametrize(
    "data, byte, offset, line",
    [
        (b"---\ntitle: caf\xe9\n---\n", 0xE9, 14, 2),
        (b"\xff\xfe-\x00-\x00-\x00\n\x00", 0xFF, 0, 1),
        (b"---\ntitle: A\n---\nBody\nmore \x80\n", 0x80, 27, 5),
        (b"---\r\ntitle: A\r\n---\r\n\r\n\xc3(\r\n", 0xC3, 22, 5),
        (BOM + b"---\ntitle: \xed\xa0\x80\n---\n", 0xED, 14, 2),  # an encoded surrogate
        (b"---\ntitle: A\n---\n\xe6\x97", 0xE6, 17, 4),  # truncated sequence at the end
    ],
)
def test_not_utf8(data: bytes, byte: int, offset: int, line: int) -> None:
    assert data[offset] == byte  # the table itself is right
    err = error_of(data)
    assert "UTF-8" in err.reason
    assert f"0x{byte:02x}" in err.reason
    assert f"offset {offset}" in err.reason
    assert err.line == line


# --------------------------------------------------------------------------- line_of_key

_LINES = (
    b"---\n"  # 1
    b"layout: product\n"  # 2
    b"title: \"A review\"\n"  # 3
    b"titles: [x]\n"  # 4
    b"summary: >\n"  # 5
    b"  lang: not a key\n"  # 6
    b"lang : en\n"  # 7
    b"nested:\n"  # 8
    b"  ref: inner\n"  # 9
    b"a.b: 1\n"  # 10
    b"---\n"
    b"ref: in the body\n"
)


@pytest.mark.parametrize(
    "key, line",
    [
        ("layout", 2),
        ("title", 3),
        ("titles", 4),
        ("summary", 5),
        ("lang", 7),
        ("nested", 8),
        ("a.b", 10),
        ("ref", 1),  # only nested and in the body: not a top-level key
        ("ab", 1),  # '.' in a key is literal, not a regex wildcard
        ("missing", 1),
    ],
)
def test_line_of_key(key: str, line: int) -> None:
    assert parsed(_LINES).line_of_key(key) == line


@pytest.mark.parametrize(
    "prefix, newline",
    [(b"", b"\n"), (b"", b"\r\n"), (BOM, b"\n"), (BOM, b"\r\n")],
)
def test_line_of_key_with_bom_and_crlf(prefix: bytes, newline: bytes) -> None:
    data = prefix + newline.join([b"---", b"title: A", b"", b"# comment", b"lang: en", b"---", b"Body"])
    doc = parsed(data)
    assert doc.line_of_key("title") == 2
    assert doc.line_of_key("lang") == 5


# --------------------------------------------------------------------------- dates

UTC = dt.timezone.utc
JST = dt.timezone(dt.timedelta(hours=9))


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.date(2025, 7, 22), "2025-07-22"),
        (dt.datetime(2025, 7, 22, 10, 0), "2025-07-22T10:00:00"),
        (dt.datetime(2025, 7, 22, 10, 0, 5, 123456), "2025-07-22T10:00:05"),
        (dt.datetime(2025, 7, 22, 10, 0, tzinfo=UTC), "2025-07-22T10:00:00"),
        (dt.datetime(2025, 7, 22, 10, 0, tzinfo=JST), "2025-07-22T01:00:00"),
        (dt.datetime(2025, 7, 22, 1, 0, tzinfo=JST), "2025-07-21T16:00:00"),
        (dt.datetime(2025, 7, 22, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "2025-07-23T03:00:00"),
        ("2025-07-22 10:00:00 +0900", "2025-07-22T01:00:00"),
        ("2025-07-22 10:00:00 -0500", "2025-07-22T15:00:00"),
        ("2025-07-22 10:00:00 +09:00", "2025-07-22T01:00:00"),
        ("2025-07-22 10:00:00+0900", "2025-07-22T01:00:00"),
        ("2025-07-22 10:00 +0900", "2025-07-22T01:00:00"),
        ("2025-07-22 10:00:00 Z", "2025-07-22T10:00:00"),
        ("2025-07-22T10:00:00Z", "2025-07-22T10:00:00"),
        ("2025-07-22T10:00:00+09:00", "2025-07-22T01:00:00"),
        ("2025-07-22T10:00:00", "2025-07-22T10:00:00"),
        ("2025-07-22 10:00:00", "2025-07-22T10:00:00"),
        ("  2025-07-22 10:00:00 +0900  ", "2025-07-22T01:00:00"),
    ],
)
def test_normalize_date(value: object, expected: str) -> None:
    assert normalize_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "",
        "2025-13-45",
        "2025-02-30 10:00:00 +0900",
        "2025-07-22 25:00:00 +0900",
        "22/07/2025",
        "July 22, 2025",
        "2025-07-22 10:00:00 +0900 extra",
        20250722,
        0,
        1.5,
        True,
        None,
        ["2025-07-22"],
        {"date": "2025-07-22"},
    ],
)
def test_normalize_date_rejects(value: object) -> None:
    assert normalize_date(value) is None


def test_a_date_string_is_midnight() -> None:
    assert normalize_date("2025-07-22") == normalize_date(dt.datetime(2025, 7, 22, 0, 0)) == "2025-07-22"


@pytest.mark.parametrize("other", ["2025-07-22", dt.datetime(2025, 7, 22, 0, 0)])
def test_a_date_is_the_same_as_midnight_however_written(other: object) -> None:
    assert normalize_date(dt.date(2025, 7, 22)) == normalize_date(other)


@pytest.mark.parametrize(
    "earlier, later",
    [
        (dt.date(2025, 7, 22), dt.datetime(2025, 7, 22, 10, 0)),
        (dt.date(2025, 7, 22), dt.datetime(2025, 7, 22, 0, 0, 1)),
        (dt.date(2025, 7, 22), "2025-07-22 10:00:00 +0900"),  # 01:00 UTC, still later that day
        (dt.datetime(2025, 7, 21, 23, 59, 59), dt.date(2025, 7, 22)),
        ("2025-07-22", "2025-07-22 10:00:00"),
        ("2025-07-21 23:00:00", "2025-07-22"),
        ("2025-07-22 10:00:00 +0900", "2025-07-22 10:00:00 +0000"),
        (dt.date(2025, 7, 22), dt.date(2025, 7, 23)),
        (dt.date(999, 1, 1), dt.date(2025, 1, 1)),
    ],
)
def test_normalized_dates_sort_in_time_order(earlier: object, later: object) -> None:
    a, b = normalize_date(earlier), normalize_date(later)
    assert a is not None and b is not None
    assert a < b


# --------------------------------------------------------------------------- hashes

META = {"title": "A review", "summary": "Short.", "tags": ["a", "b"], "rating": 4, "date": dt.date(2025, 1, 10), "layout": "product"}
BODY = "## Overview\n\nText.\n"


def test_content_hash_is_stable_and_short() -> None:
    first = content_hash(META, BODY, CONTENT_FIELDS)
    assert first == content_hash(dict(META), str(BODY), list(CONTENT_FIELDS))
    assert first == content_hash(META, BODY, reversed(CONTENT_FIELDS))
    assert len(first) == 16 and int(first, 16) >= 0


@pytest.mark.parametrize(
    "body",
    [
        "## Overview\r\n\r\nText.\r\n",
        "## Overview\n\nText.",
        "## Overview\n\nText.\n\n\n",
        "## Overview\n\nText.\r\n\r\n",
        "## Overview\n\nText.   \n \n",
        "\n## Overview\n\nText.\n",
    ],
)
def test_hashes_ignore_line_endings_and_trailing_blank_lines(body: str) -> None:
    assert content_hash(META, body, CONTENT_FIELDS) == content_hash(META, BODY, CONTENT_FIELDS)
    assert output_hash(META, body, "transync") == output_hash(META, BODY, "transync")


@pytest.mark.parametrize(
    "body",
    [
        "## Overview\n\nText!\n",
        "## Overview\nText.\n",
        "## Overview\n\n Text.\n",
        "## Overview\n\nText.\n\nMore.\n",
        "",
    ],
)
def test_hashes_see_body_edits(body: str) -> None:
    assert content_hash(META, body, CONTENT_FIELDS) != content_hash(META, BODY, CONTENT_FIELDS)
    assert output_hash(META, body, "transync") != output_hash(META, BODY, "transync")


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Another review"},
        {"summary": "Longer."},
        {"tags": ["a"]},
        {"tags": ["b", "a"]},
        {"summary": None},
    ],
)
def test_content_hash_sees_content_fields(change: dict) -> None:
    assert content_hash({**META, **change}, BODY, CONTENT_FIELDS) != content_hash(META, BODY, CONTENT_FIELDS)


def test_content_hash_sees_a_content_field_removed_or_added() -> None:
    without = {k: v for k, v in META.items() if k != "summary"}
    assert content_hash(without, BODY, CONTENT_FIELDS) != content_hash(META, BODY, CONTENT_FIELDS)


@pytest.mark.parametrize(
    "change",
    [
        {"rating": 5},
        {"date": dt.date(2025, 7, 22)},
        {"layout": "post"},
        {"lang": "ja"},
        {"transync": {"source_hash": "0123456789abcdef"}},
        {"price": "12 EUR"},
    ],
)
def test_content_hash_ignores_other_fields(change: dict) -> None:
    assert content_hash({**META, **change}, BODY, CONTENT_FIELDS) == content_hash(META, BODY, CONTENT_FIELDS)


def test_content_hash_depends_on_which_fields_count() -> None:
    assert content_hash(META, BODY, ("title", "rating")) != content_hash(META, BODY, ("title",))
    assert content_hash(META, BODY, ()) != content_hash(META, BODY, ("title",))
    # A field named but absent from both documents changes nothing.
    assert content_hash(META, BODY, CONTENT_FIELDS + ("subtitle",)) == content_hash(META, BODY, CONTENT_FIELDS)


def test_content_hash_of_parsed_documents_ignores_crlf_and_kept_fields() -> None:
    lf = parse(b"---\ntitle: A\nrating: 3\n---\nBody\n\n")
    crlf = parse(b"---\r\ntitle: A\r\nrating: 5\r\n---\r\nBody\r\n")
    edited = parse(b"---\ntitle: B\nrating: 3\n---\nBody\n")
    assert content_hash(lf.meta, lf.body, CONTENT_FIELDS) == content_hash(crlf.meta, crlf.body, CONTENT_FIELDS)
    assert content_hash(edited.meta, edited.body, CONTENT_FIELDS) != content_hash(lf.meta, lf.body, CONTENT_FIELDS)


def test_output_hash_ignores_only_the_provenance_key() -> None:
    base = output_hash(META, BODY, "transync")
    assert output_hash({**META, "transync": {"source_hash": "abc"}}, BODY, "transync") == base
    assert output_hash({**META, "transync": {"source_hash": "def", "output_hash": base}}, BODY, "transync") == base
    # Under another provenance key, 'transync' is an ordinary field.
    assert output_hash({**META, "transync": {"source_hash": "abc"}}, BODY, "prov") != base
    assert output_hash({**META, "prov": 1}, BODY, "prov") == output_hash(META, BODY, "prov")


@pytest.mark.parametrize(
    "change",
    [
        {"rating": 5},
        {"date": dt.date(2025, 7, 22)},
        {"layout": "post"},
        {"title": "Another review"},
        {"extra": None},
    ],
)
def test_output_hash_sees_every_other_field(change: dict) -> None:
    assert output_hash({**META, **change}, BODY, "transync") != output_hash(META, BODY, "transync")


def test_output_hash_does_not_depend_on_key_order() -> None:
    reordered = dict(reversed(list(META.items())))
    assert output_hash(reordered, BODY, "transync") == output_hash(META, BODY, "transync")


@pytest.mark.parametrize(
    "data",
    [
        b"---\ntitle: A\nprices:\n  2024-01-01: 10\n  2025-01-01: 12\n---\nBody\n",
        b"---\ntitle: A\n2024: best of the year\n---\nBody\n",
    ],
)
def test_output_hash_of_any_parsed_mapping(data: bytes) -> None:
    doc = parse(data)
    assert len(output_hash(doc.meta, doc.body, "transync")) == 16


# --------------------------------------------------------------------------- anchors, aliases, alias bombs


def alias_bomb(levels: int = 9) -> str:
    """"Billion laughs": each level is nine aliases of the previous one (9**levels strings)."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "data, line, name",
    [
        (b"---\ntitle: &t A\nseo_title: *t\n---\nBody\n", 2, "&t"),
        (b"---\ntitle: A\ntags: [x]\nmore:\n  - &one a\n---\n", 5, "&one"),
        (b"---\nbase: &base {x: 1}\nother:\n  <<: *base\n---\n", 2, "&base"),
        (b"---\r\nref: x\r\n\r\ncopy: *nothing\r\n---\r\n", 4, "*nothing"),
        ("---\nref: x\n".encode() + alias_bomb().encode() + b"---\nBody\n", 3, "&a"),
    ],
)
def test_front_matter_refuses_anchors_and_aliases(data: bytes, line: int, name: str) -> None:
    with pytest.raises(DocumentError) as info:
        parse(data)
    assert info.value.reason == f"front matter: YAML anchors and aliases are not supported (found {name})"
    assert info.value.line == line


@pytest.mark.parametrize(
    "data, meta",
    [
        # "&" and "*" that are not anchors or aliases are plain text.
        (b"---\ntitle: Q&A *new*\nsummary: 'a &b *c'\nx: \"&y\"\n---\n", {"title": "Q&A *new*", "summary": "a &b *c", "x": "&y"}),
        (b"---\ntitle: A & B\nprice: 5 * 3\n---\n", {"title": "A & B", "price": "5 * 3"}),
    ],
)
def test_ampersands_and_stars_in_values_are_text(data: bytes, meta: dict) -> None:
    assert parsed(data).meta == meta


def test_jekyll_config_may_use_anchors(make_site) -> None:
    from transync.site.config import load_config

    root = make_site({}, config='languages: &langs ["en", "ja"]\nother: *langs\ndefault_lang: "en"\n')
    assert load_config(root).languages == ("en", "ja")


@pytest.mark.parametrize("yaml_text", [alias_bomb(), "a: &a [x, *a]\n"])
def test_jekyll_config_alias_bomb_is_refused(make_site, yaml_text: str) -> None:
    from transync.site.config import load_config
    from transync.errors import ConfigError

    root = make_site({}, config='languages: ["en", "ja"]\n' + yaml_text)
    with pytest.raises(ConfigError, match=r"^_config\.yml: line \d+: YAML aliases expand to more than 100,000 values$"):
        load_config(root)


def test_alias_bomb_is_refused_quickly_by_status_and_translate(make_site) -> None:
    """The whole command, in a subprocess held to 60 s and 1 GB of memory: without
    the refusal, this front matter takes minutes and gigabytes."""
    import resource
    import subprocess
    import sys

    from conftest import doc

    bomb = doc("bomb", "en").replace("---\n## Overview", alias_bomb() + "---\n## Overview")
    root = make_site({"_products/en/bomb.md": bomb, "_products/en/fine.md": doc("fine", "en")})

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    for command in (["status", "--format", "json"], ["translate", "--engine", "pseudo", "--to", "de"]):
        proc = subprocess.run(
            [sys.executable, "-m", "transync", *command, "--root", str(root)],
            capture_output=True, text=True, timeout=60, preexec_fn=limit,
        )
        out = proc.stdout + proc.stderr
        assert "MemoryError" not in out and "Traceback" not in out
        if command[0] == "status":
            items = {i["ref"] or i["path"]: i for i in json.loads(proc.stdout)["items"]}
            bad = next(i for i in items.values() if i["path"] == "_products/en/bomb.md")
            assert bad["state"] == "invalid"
            assert "YAML anchors and aliases are not supported (found &a)" in json.dumps(bad)
        else:
            assert (root / "_products/de/fine.md").is_file()
            assert not (root / "_products/de/bomb.md").exists()
