"""The translation memory: PO files that round-trip, stay valid, and never let a machine overwrite a human."""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path
from unittest.mock import patch

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, doc, requires_corpus
from transync.translate import memory as memory_module
from transync.translate import pofile
from transync.site import scan, status
from transync.translate.align import align
from transync.site.config import load_config
from transync.translate.memory import Memory, MemoryFileError, Use, context_of, memory_path
from transync.translate.seed import seed
from transync.document.segments import segment

MSGFMT = shutil.which("msgfmt")
requires_msgfmt = pytest.mark.skipif(MSGFMT is None, reason="msgfmt (GNU gettext) not installed")

AWKWARD = [
    ("The **A-1** costs `279 USD` [1].", "**A-1**は`279 USD`です [1]。"),
    ("See [the review](https://example.com/a_(b)) and $x^2$.", "[レビュー](https://example.com/a_(b))と$x^2$を参照。"),
    ('He said "loud" \\ and C:\\path\\n is not a newline', '彼は「うるさい」と言った \\ C:\\path\\n は改行ではない'),
    ("100% of 50% is %d %s %1$s", "50%の100%は%d %s %1$s"),
    ("Line one\nline two\n  indented line three", "一行目\n二行目\n  三行目"),
    ("trailing newline\n", "末尾の改行\n"),
    ("\nleading newline", "\n先頭の改行"),
    ("  leading and trailing spaces  ", "  前後の空白  "),
    ("tab\there, carriage\rreturn, form\x0cfeed, vertical\x0btab, bell\x07, escape\x1b", "タブ\tと\r\x0c\x0b\x07\x1b"),
    ("separators\u2028and\u2029and\x85and\x1c", "区切り\u2028と\u2029と\x85と\x1c"),
    ("emoji 🎧 and 𝄞 outside the BMP", "絵文字 🎧 と 𝄞"),
    ('msgid "looks like PO"\nmsgstr "but is text"', '#: not a reference\n"quoted line"'),
    ("# a heading-like line", "# 見出しのような行"),
    ('"', "「"),
    ("\\", "＼"),
    ('ends with a backslash\\', 'バックスラッシュで終わる\\'),
    ('escaped quote at the end \\"', 'エスケープされた引用符 \\"'),
    ("{{ site.title }} and {% include x.html %} and <br>", "{{ site.title }}と{% include x.html %}と<br>"),
    ("Ünïcödé, Ελληνικά, русский, العربية", "ユニコード"),
    ("A" * 50_000 + " very long", "あ" * 50_000 + " とても長い"),
    ("word " * 12_000, "単語 " * 12_000),
]


def new_memory(folder: Path, name: str = "en-ja.po") -> Memory:
    return Memory.load(folder / name, "en", "ja")


def entries(memory: Memory) -> dict:
    return {(e.context, e.source): (e.translation, e.origin, e.engine, e.occurrences, e.fuzzy) for e in memory}


def msgfmt(path: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([MSGFMT, *options, "-o", os.devnull, str(path)], capture_output=True, text=True)


def filled(folder: Path) -> Memory:
    """A memory holding every awkward text, human and machine, with contexts and occurrences."""
    m = new_memory(folder)
    for n, (source, translation) in enumerate(AWKWARD):
        origin = "machine" if n % 2 else "human"
        m.put(source, translation, origin=origin, engine="deepl" if origin == "machine" else None,
              occurrences=[(f"_products/en/p{n}.md", n + 10), ("_products/en/with space.md", 3)])
    m.put("Overview", "概要", origin="human", context="fm:title")
    m.put("Overview", "概観", origin="machine", engine="pseudo")
    return m


# --------------------------------------------------------------------------- saving and loading


def test_a_missing_file_is_an_empty_memory(tmp_path):
    m = new_memory(tmp_path)
    assert len(m) == 0 and m.get("anything") is None
    assert not (tmp_path / "en-ja.po").exists()


def test_memory_path_and_contexts(tmp_path):
    assert memory_path(tmp_path, "en", "ja") == tmp_path / ".transync" / "memory" / "en-ja.po"
    with pytest.raises(ValueError):
        memory_path(tmp_path, "en", "../ja")
    assert context_of("body:s3") is None
    assert context_of("fm:summary") == "fm:summary"
    assert context_of("fm:tags:2") == "fm:tags"


def test_awkward_texts_survive_save_and_load(tmp_path):
    m = filled(tmp_path)
    assert m.save() is True
    loaded = new_memory(tmp_path)
    assert entries(loaded) == entries(m)
    for source, translation in AWKWARD:
        assert loaded.get(source).translation == translation
    assert loaded.get("Overview").translation == "概観"
    assert loaded.get("Overview", context="fm:title").translation == "概要"


def test_polib_reads_what_transync_writes(tmp_path):
    filled(tmp_path).save()
    po = polib.pofile(str(tmp_path / "en-ja.po"), encoding="utf-8")
    found = {(e.msgctxt, e.msgid): e.msgstr for e in po}
    assert found == {(e.context, e.source): e.translation for e in new_memory(tmp_path)}
    assert po.metadata["Language"] == "ja" and po.metadata["Content-Type"] == "text/plain; charset=UTF-8"


def test_the_fast_reader_and_polib_read_the_same(tmp_path, monkeypatch):
    filled(tmp_path).save()
    fast = entries(new_memory(tmp_path))
    monkeypatch.setattr(pofile, "_read_fast", lambda data, path: None)  # the careful reader: checks, then polib
    assert entries(new_memory(tmp_path)) == fast


def test_saving_twice_gives_identical_bytes_and_an_unchanged_file_is_not_rewritten(tmp_path):
    path = tmp_path / "en-ja.po"
    m = filled(tmp_path)
    m.save()
    first = path.read_bytes()
    assert m.save() is False
    loaded = new_memory(tmp_path)
    before = path.stat().st_mtime_ns
    assert loaded.save() is False
    assert path.read_bytes() == first and path.stat().st_mtime_ns == before
    assert loaded.to_po().encode() == first

    # The order of puts does not matter: entries are sorted.
    again = Memory.load(tmp_path / "other.po", "en", "ja")
    for e in reversed(list(loaded)):
        again.put(e.source, e.translation, origin=e.origin, engine=e.engine, context=e.context, occurrences=e.occurrences)
    again.save()
    assert (tmp_path / "other.po").read_bytes() == first


def test_the_file_is_stable_readable_and_has_no_timestamps(tmp_path):
    m = new_memory(tmp_path)
    m.put("The **A-1** costs `279 USD` [1].", "**A-1**は`279 USD`です [1]。", origin="machine", engine="deepl",
          occurrences=[("_products/en/a.md", 12), ("_products/en/a.md", 12), ("_products/en/a.md", 9), ("_b.md", None)])
    m.put("Line one\nline two", "一行目\n二行目", origin="human", context="fm:summary")
    m.save()
    text = (tmp_path / "en-ja.po").read_text(encoding="utf-8")
    fingerprint = memory_module._fingerprint(None, "The **A-1** costs `279 USD` [1].", "**A-1**は`279 USD`です [1]。")
    assert text.endswith(
        '"X-Source-Language: en\\n"\n'
        "\n"
        "#. transync: human\n"
        'msgctxt "fm:summary"\n'
        'msgid ""\n'
        '"Line one\\n"\n'
        '"line two"\n'
        'msgstr ""\n'
        '"一行目\\n"\n'
        '"二行目"\n'
        "\n"
        f"#. transync: machine deepl {fingerprint}\n"
        "#: _b.md\n"
        "#: _products/en/a.md:9\n"
        "#: _products/en/a.md:12\n"
        'msgid "The **A-1** costs `279 USD` [1]."\n'
        'msgstr "**A-1**は`279 USD`です [1]。"\n'
    )
    for word in ("POT-Creation-Date", "PO-Revision-Date", "fuzzy", "c-format"):
        assert word not in text


@requires_msgfmt
def test_msgfmt_accepts_every_saved_file(tmp_path):
    filled(tmp_path).save()
    path = tmp_path / "en-ja.po"
    assert msgfmt(path, "--check-format").returncode == 0, msgfmt(path, "--check-format").stderr
    full = msgfmt(path, "--check")
    assert full.returncode == 0, full.stderr
    # Only the three fields that translators' tools write are missing from the header.
    warned = {line.split("'")[1] for line in full.stderr.splitlines() if "warning: header field" in line}
    assert warned <= {"PO-Revision-Date", "Last-Translator", "Language-Team"}


@requires_msgfmt
def test_msgfmt_accepts_random_adversarial_texts(tmp_path):
    rng = random.Random(20260309)
    alphabet = list('abc xyz %$\\"\'\n\t\r#:.,[]()`*_~<>{}|あ語🎧\u2028\x85\x0b\x0c\x07') + ["%s", "%d", "%1$s", "\\n", '\\"']
    m = new_memory(tmp_path)
    stored = 0
    while stored < 400:
        source = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        translation = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        try:
            m.put(source, translation, origin=rng.choice(["machine", "human"]), context=rng.choice([None, "fm:summary"]))
        except ValueError as exc:
            assert "newline" in str(exc)  # the one rule msgfmt has about a pair's text
            continue
        stored += 1
    m.save()
    check = msgfmt(tmp_path / "en-ja.po", "--check-format")
    assert check.returncode == 0, check.stderr
    assert entries(new_memory(tmp_path)) == entries(m)


def test_texts_a_po_file_cannot_hold_are_refused(tmp_path):
    m = new_memory(tmp_path)
    for source, translation in [("", "x"), ("x", ""), ("a\x00b", "c"), ("a\n", "b"), ("a", "\nb"), ("\ud800", "x")]:
        with pytest.raises(ValueError):
            m.put(source, translation, origin="human")
    with pytest.raises(ValueError):
        m.put("a", "b", origin="robot")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        m.put("a", "b", origin="machine", engine="deep l")
    assert len(m) == 0


def test_an_occurrence_a_po_file_cannot_hold_is_left_out_and_its_entry_kept(tmp_path):
    # A newline would end the "#:" line; a non-UTF-8 file name reaches Python as lone surrogates.
    bad = ["a\nb.md", "_p/en/caf\udce9.md", "x\r.md", "nul\x00.md"]
    m = new_memory(tmp_path)
    assert m.put("Text", "テキスト", origin="machine", engine="deepl", occurrences=[(p, 1) for p in bad] + [("ok.md", 2)]) == "added"
    assert m.replace_occurrences(bad[1], [Use("Text", 3)]) == 0
    assert m.save() is True
    assert new_memory(tmp_path).get("Text").occurrences == (("ok.md", 2),)


texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=80)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.tuples(texts, texts, st.sampled_from(["machine", "human"]), st.sampled_from([None, "fm:summary", "fm:tags"]),
                          st.lists(st.tuples(st.sampled_from(["a.md", "_p/en/b c.md", "d.md"]), st.none() | st.integers(1, 9999)), max_size=3)),
                max_size=6))
def test_any_texts_survive_save_and_load(items):
    with tempfile.TemporaryDirectory() as folder:
        m = new_memory(Path(folder))
        for source, translation, origin, context, occurrences in items:
            if source.startswith("\n") != translation.startswith("\n") or source.endswith("\n") != translation.endswith("\n"):
                with pytest.raises(ValueError):
                    m.put(source, translation, origin=origin, context=context)
                continue
            m.put(source, translation, origin=origin, engine="deepl" if origin == "machine" else None, context=context, occurrences=occurrences)
        m.save()
        loaded = new_memory(Path(folder))
        assert entries(loaded) == entries(m)
        po = polib.pofile(str(Path(folder) / "en-ja.po"), encoding="utf-8")
        assert {(e.msgctxt, e.msgid): e.msgstr for e in po} == {(e.context, e.source): e.translation for e in m}
        assert loaded.to_po() == m.to_po()
        careful = Memory(Path(folder) / "en-ja.po", "en", "ja")
        with patch.object(pofile, "_read_fast", lambda data, path: None):  # line checks, then polib
            careful._parse((Path(folder) / "en-ja.po").read_bytes(), None)
        assert entries(careful) == entries(m)


# --------------------------------------------------------------------------- machine and human


def test_a_machine_translation_never_replaces_a_human_one(tmp_path):
    m = new_memory(tmp_path)
    assert m.put("Overview", "概要", origin="human") == "added"
    assert m.put("Overview", "オーバービュー", origin="machine", engine="deepl", occurrences=[("a.md", 3)]) == "kept"
    entry = m.get("Overview")
    assert (entry.translation, entry.origin, entry.engine, entry.occurrences) == ("概要", "human", None, (("a.md", 3),))

    assert m.put("Price", "価格", origin="machine", engine="deepl") == "added"
    assert m.put("Price", "価格", origin="machine", engine="deepl") == "unchanged"
    assert m.put("Price", "値段", origin="machine", engine="pseudo") == "replaced"
    assert m.put("Price", "定価", origin="human") == "replaced"
    assert m.put("Price", "値段", origin="machine", engine="deepl") == "kept"
    assert m.put("Overview", "概観", origin="human") == "replaced"
    m.save()

    loaded = new_memory(tmp_path)
    assert (loaded.get("Price").translation, loaded.get("Price").origin) == ("定価", "human")
    assert loaded.put("Price", "値段", origin="machine", engine="deepl") == "kept"
    assert loaded.get("Overview").translation == "概観"
    assert loaded.stats().human == 2 and loaded.stats().machine == 0


def test_a_machine_translation_edited_in_the_file_becomes_human(tmp_path):
    m = new_memory(tmp_path)
    m.put("Overview", "オーバービュー", origin="machine", engine="deepl")
    m.put("Price", "価格", origin="machine", engine="deepl")
    m.save()
    path = tmp_path / "en-ja.po"
    assert new_memory(tmp_path).get("Overview").origin == "machine"

    # A translator fixes one msgstr in Poedit (or an editor); the mark still says machine.
    path.write_text(path.read_text(encoding="utf-8").replace('"オーバービュー"', '"概要"'), encoding="utf-8")
    loaded = new_memory(tmp_path)
    assert (loaded.get("Overview").translation, loaded.get("Overview").origin) == ("概要", "human")
    assert loaded.get("Price").origin == "machine"
    assert loaded.put("Overview", "オーバービュー", origin="machine", engine="deepl") == "kept"
    loaded.save()
    assert "#. transync: human\nmsgid \"Overview\"" in path.read_text(encoding="utf-8")


def test_entries_without_a_mark_are_human_and_foreign_details_are_kept(tmp_path):
    # As Poedit or Weblate might leave it: wrapped lines, CRLF, a translator comment, their header
    # fields, a fuzzy entry, format flags, plural forms, an obsolete entry, and no transync marks at all.
    path = tmp_path / "en-ja.po"
    path.write_bytes(
        (
            "# Japanese translation.\n"
            'msgid ""\n'
            'msgstr ""\n'
            '"Project-Id-Version: something else\\n"\n'
            '"PO-Revision-Date: 2026-03-01 10:00+0900\\n"\n'
            '"Last-Translator: Hanako <hanako@example.com>\\n"\n'
            '"Language: ja\\n"\n'
            '"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"X-Generator: Poedit 3.5\\n"\n'
            "\n"
            "# checked with the maker\n"
            "#: _products/en/a.md:12\n"
            "#, c-format\n"
            'msgid ""\n'
            '"A long sentence that a tool wrapped at seventy-seven columns, as Weblate "\n'
            '"does by default, with 100% of its words."\n'
            'msgstr ""\n'
            '"ツールが折り返した長い文。"\n'
            "\n"
            "#, fuzzy\n"
            'msgid "Needs work"\n'
            'msgstr "要修正"\n'
            "\n"
            "#, c-format\n"
            'msgid "One file"\n'
            'msgid_plural "%d files"\n'
            'msgstr[0] "%d個のファイル"\n'
            "\n"
            '#~ msgid "Old"\n'
            '#~ msgstr "古い"\n'
        ).replace("\n", "\r\n").encode()
    )
    m = new_memory(tmp_path)
    long = "A long sentence that a tool wrapped at seventy-seven columns, as Weblate does by default, with 100% of its words."
    assert (m.get(long).translation, m.get(long).origin) == ("ツールが折り返した長い文。", "human")
    assert m.get("Needs work") is None and m.entry("Needs work").fuzzy
    assert m.get("Old") is None and len(m) == 2
    assert m.put("Needs work", "機械", origin="machine") == "kept"
    m.save()
    text = path.read_text(encoding="utf-8")
    assert "\r" not in text and "c-format" not in text and "Old" not in text and "files" not in text  # plural forms: of no use
    assert '"PO-Revision-Date: 2026-03-01 10:00+0900\\n"\n"Last-Translator: Hanako <hanako@example.com>\\n"\n"X-Generator: Poedit 3.5\\n"\n' in text
    assert "# checked with the maker\n#. transync: human\n#: _products/en/a.md:12\n" in text
    assert '#, fuzzy\nmsgid "Needs work"' in text
    assert f'msgid "{long}"' in text  # unwrapped
    if MSGFMT:
        assert msgfmt(path, "--check-format").returncode == 0
    assert new_memory(tmp_path).save() is False


# --------------------------------------------------------------------------- occurrences


def test_occurrences_are_sorted_deduplicated_and_replaced_per_document(tmp_path):
    m = new_memory(tmp_path)
    m.put("Overview", "概要", origin="human", occurrences=[("b.md", 20), ("a.md", 10), ("b.md", 3), ("a.md", 10)])
    m.put("Price", "価格", origin="human", occurrences=[("a.md", 14), ("c.md", 2)])
    m.put("Tags", "タグ", origin="human", context="fm:tags", occurrences=[("a.md", 5)])
    assert m.get("Overview").occurrences == (("a.md", 10), ("b.md", 3), ("b.md", 20))

    # a.md was translated again: it now uses Overview on line 11 and Price nowhere.
    recorded = m.replace_occurrences("a.md", [Use("Overview", 11), Use("Tags", 6, "fm:tags"), Use("Not in the memory", 1)])
    assert recorded == 2
    assert m.get("Overview").occurrences == (("a.md", 11), ("b.md", 3), ("b.md", 20))
    assert m.get("Price").occurrences == (("c.md", 2),)
    assert m.get("Tags", context="fm:tags").occurrences == (("a.md", 6),)
    m.save()
    loaded = new_memory(tmp_path)
    assert entries(loaded) == entries(m)
    loaded.replace_occurrences("c.md", [])
    assert loaded.get("Price").occurrences == () and loaded.get("Price").translation == "価格"


def test_occurrence_lines_as_other_tools_write_them(tmp_path, monkeypatch):
    (tmp_path / "en-ja.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n'
        "#: b.md:3 a.md:10\n#: \u2068my file.md\u2069:2\ta.md\n#: c.md:x\n"
        'msgid "Overview"\nmsgstr "概要"\n',
        encoding="utf-8",
    )
    expected = (("a.md", None), ("a.md", 10), ("b.md", 3), ("c.md:x", None), ("my file.md", 2))
    assert new_memory(tmp_path).get("Overview").occurrences == expected
    monkeypatch.setattr(pofile, "_read_fast", lambda data, path: None)  # polib's reading
    assert new_memory(tmp_path).get("Overview").occurrences == expected


def test_concurrent_changes_are_merged_at_save_and_the_human_still_wins(tmp_path):
    run = new_memory(tmp_path)  # a translate run loads the memory ...
    run.put("Seed", "種", origin="human")
    run.save()
    translator = new_memory(tmp_path)  # ... a translator opens it meanwhile and fixes a line
    run.put("Overview", "オーバービュー", origin="machine", engine="deepl")
    run.put("Price", "価格", origin="machine", engine="deepl")
    translator.put("Overview", "概要", origin="human")
    translator.save()
    assert run.save() is True  # the run saves last
    final = new_memory(tmp_path)
    assert (final.get("Overview").translation, final.get("Overview").origin) == ("概要", "human")
    assert final.get("Price").origin == "machine" and final.get("Seed").translation == "種"


# --------------------------------------------------------------------------- damaged files


def good_file(folder: Path) -> Path:
    m = new_memory(folder)
    m.put("Overview", "概要", origin="human", occurrences=[("a.md", 3)])
    m.put("Price", "価格", origin="machine", engine="deepl")
    m.put("Line one\nline two", "一行目\n二行目", origin="human")
    m.save()
    return folder / "en-ja.po"


def line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


@pytest.mark.parametrize(
    ("damage", "needle", "reason"),
    [
        (lambda d: d.replace(b'msgstr "\xe4\xbe\xa1\xe6\xa0\xbc"', b'msgstr "\xe4\xbe\xa1\xe6\xa0\xbc'), b'msgstr "\xe4\xbe\xa1', "malformed string"),
        (lambda d: d[: d.index(b'msgid "Price"') + len(b'msgid "Pri')], b'msgid "Pri', "malformed string"),
        (lambda d: d[: d.index(b'msgstr "\xe4\xbe\xa1')], b'msgid "Price"', "msgid without msgstr"),
        (lambda d: d.replace(b'msgid "Price"', b'<<<<<<< HEAD\nmsgid "Price"'), b"<<<<<<<", "unexpected text"),
        (lambda d: d.replace("価格".encode(), "価格".encode("shift_jis")), b'msgstr "\x89', "not valid UTF-8"),
        (lambda d: d.replace(b'msgid "Price"', b'msgid "Overview"'), b'msgid "Overview"\nmsgstr "\xe4\xbe\xa1', "duplicate entry"),
        (lambda d: d.replace(b"Language: ja", b"Language: de"), None, "for language 'de', not 'ja'"),
        (lambda d: d.replace(b"charset=UTF-8", b"charset=ISO-8859-1"), None, "transync memories are UTF-8"),
        (lambda d: d.replace(b"Overview", b"Over\x00view"), b"Over\x00", "NUL"),
        (lambda d: d.replace(b'msgstr ""\n"\xe4\xb8\x80', b'msgstr "\\n"\n"\xe4\xb8\x80'), b'msgid ""\n"Line one', "begin with a newline"),
    ],
    ids=["unclosed quote", "cut inside a string", "cut before msgstr", "merge conflict", "not UTF-8", "duplicate",
         "other language", "other charset", "NUL", "newline mismatch"],
)
def test_a_damaged_file_is_a_one_line_error_and_nothing_changes(tmp_path, damage, needle, reason):
    path = good_file(tmp_path)
    data = damage(path.read_bytes())
    path.write_bytes(data)
    with pytest.raises(MemoryFileError) as info:
        new_memory(tmp_path)
    message = str(info.value)
    assert "\n" not in message and reason in message
    assert message.startswith(str(path))
    if needle is not None:
        assert info.value.line == line_of(data, needle), message
        assert message.startswith(f"{path}:{info.value.line}: ")
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["en-ja.po"]


def test_an_unreadable_path_is_a_one_line_error(tmp_path):
    (tmp_path / "en-ja.po").mkdir()
    with pytest.raises(MemoryFileError, match="cannot read"):
        new_memory(tmp_path)


# --------------------------------------------------------------------------- the cache


def test_the_cache_gives_the_same_memory_and_follows_the_file(tmp_path):
    good_file(tmp_path)
    cache = tmp_path / "cache"
    plain = entries(new_memory(tmp_path))
    assert not cache.exists()
    assert entries(Memory.load(tmp_path / "en-ja.po", "en", "ja", cache_dir=cache)) == plain
    files = list((cache / "memory").iterdir())
    assert len(files) == 1
    assert entries(Memory.load(tmp_path / "en-ja.po", "en", "ja", cache_dir=cache)) == plain  # from the cache

    # The file changes: the cache no longer matches it.
    m = new_memory(tmp_path)
    m.put("New", "新しい", origin="human")
    m.save()
    assert Memory.load(tmp_path / "en-ja.po", "en", "ja", cache_dir=cache).get("New").translation == "新しい"
    # A damaged cache counts as none.
    files[0].write_bytes(b"garbage")
    assert Memory.load(tmp_path / "en-ja.po", "en", "ja", cache_dir=cache).get("New").translation == "新しい"


# --------------------------------------------------------------------------- alignment and seeding


EN_BODY = """\
## Overview

The **A-1** costs `279 USD` [1].

- Light: 120 g
- Case: none

| Spec | Value |
|---|---|
| Weight | 120 |

> A quote.
"""

JA_BODY = """\
## 概要

**A-1**は`279 USD`です [1]。

- 軽さ：120 g
- ケース：なし

| 仕様 | 値 |
|---|---|
| 重さ | 120グラム |

> 引用。
"""


def test_documents_with_the_same_blocks_align_pair_by_pair():
    alignment = align(segment(EN_BODY).segments, segment(JA_BODY).segments)
    assert alignment.ok and alignment.reason is None
    assert alignment.texts() == [
        ("Overview", "概要"),
        ("The **A-1** costs `279 USD` [1].", "**A-1**は`279 USD`です [1]。"),
        ("Light: 120 g", "軽さ：120 g"),
        ("Case: none", "ケース：なし"),
        ("Spec", "仕様"),
        ("Value", "値"),
        ("Weight", "重さ"),
        ("A quote.", "引用。"),
    ]  # the number-only cell "120" keeps its place but is no pair


@pytest.mark.parametrize(
    ("translation", "reason"),
    [
        (
            JA_BODY.replace("- 軽さ：120 g\n- ケース：なし\n", "軽さは120 gで、ケースはなし。\n"),
            "the source has 9 segments and the translation 8; segment 3 is a list item in the source (line 5) but a paragraph in the translation (line 5)",
        ),
        (JA_BODY.replace("## 概要", "**概要**"), "segment 1 is a heading in the source (line 1) but a paragraph in the translation (line 1)"),
        (
            JA_BODY + "\n訳者による追記。\n",
            "the source has 9 segments and the translation 10; segment 10 is the end of the source but a paragraph in the translation (line 14)",
        ),
    ],
    ids=["two items made one paragraph", "heading made bold", "a paragraph added"],
)
def test_documents_with_other_blocks_do_not_align_and_say_where(translation, reason):
    alignment = align(segment(EN_BODY).segments, segment(translation).segments)
    assert not alignment.ok and alignment.pairs == ()
    assert alignment.reason == reason


def test_seeding_a_site_takes_its_human_translations(make_site):
    site = {
        "_products/en/a.md": doc("a", "en", body=EN_BODY, summary='"A light earphone."'),
        "_products/ja/a.md": doc("a", "ja", body=JA_BODY, summary='"軽いイヤホン。"', title='"a レビュー"'),
        "_products/en/b.md": doc("b", "en", body=EN_BODY),
        "_products/ja/b.md": doc("b", "ja", body=JA_BODY.replace("## 概要", "**概要**")),
        "_products/en/c.md": doc("c", "en", body="Only in English.\n"),  # missing in ja
        "_products/en/d.md": doc("d", "en", date="2026-01-01", body="Changed since.\n"),
        "_products/ja/d.md": doc("d", "ja", date="2025-01-01", body="古い訳。\n"),  # stale: not a pair any more
    }
    root = make_site(site, config='languages: ["en", "ja"]\n')
    report = status.report(scan.scan(load_config(root), use_cache=False))
    m = Memory.open(root, "en", "ja")
    result = seed(m, report)
    assert (result.documents, result.aligned, result.machine_documents, result.unreadable) == (2, 1, 0, [])
    assert result.pairs == 10 and result.added == 10 and result.conflicts == 0  # 8 segments, title, summary
    [missed] = result.not_aligned
    assert (missed.path, missed.source_path, missed.segments) == ("_products/ja/b.md", "_products/en/b.md", 8)
    assert missed.reason.startswith("segment 1 is a heading in the source (line 8)")  # file lines
    assert result.pairs_not_aligned == 8

    overview = m.get("Overview")
    line = (root / "_products/en/a.md").read_text().splitlines().index("## Overview") + 1
    assert (overview.translation, overview.origin, overview.occurrences) == ("概要", "human", (("_products/en/a.md", line),))
    assert m.get("A light earphone.", context="fm:summary").translation == "軽いイヤホン。"
    assert m.get("a review", context="fm:title").translation == "a レビュー"
    assert m.get("Changed since.") is None and m.get("Weight").translation == "重さ"
    m.save()

    again = Memory.open(root, "en", "ja")
    second = seed(again, report)
    assert (second.added, second.replaced, second.unchanged) == (0, 0, 10)
    assert again.save() is False  # same entries, same occurrences
    if MSGFMT:
        assert msgfmt(memory_path(root, "en", "ja"), "--check-format").returncode == 0


def test_seeding_skips_machine_output_and_keeps_machine_pairs_machine(make_site):
    from transync.translate import run as translate
    from transync.translate.engines.pseudo import PseudoEngine

    root = make_site({"_products/en/a.md": doc("a", "en", body="First paragraph.\n\nSecond paragraph.\n")}, config='languages: ["en", "ja"]\n')
    report = status.report(scan.scan(load_config(root), use_cache=False))
    jobs, _ = translate.select(report)
    translate.Run(report.config, PseudoEngine(name="machine"), translate.TranslateOptions(), workers=1, use_memory=False).run(jobs)

    report = status.report(scan.scan(load_config(root), use_cache=False))
    m = Memory.open(root, "en", "ja")
    assert seed(m, report).machine_documents == 1 and len(m) == 0  # transync wrote it, nobody edited it

    # The memory knows the machine translations; a translator then fixes the second paragraph.
    path = root / "_products/ja/a.md"
    first, second = [s.text for s in segment(path.read_text().split("---\n", 2)[2]).segments]
    m.put("First paragraph.", first, origin="machine", engine="pseudo")
    m.put("Second paragraph.", second, origin="machine", engine="pseudo")
    path.write_text(path.read_text().replace(second, "直した第二段落。"))
    report = status.report(scan.scan(load_config(root), use_cache=False))
    result = seed(m, report)
    # Two paragraphs and the title; the title has no machine entry here, so it counts as the translator's.
    assert (result.machine_documents, result.pairs, result.machine_pairs, result.replaced, result.added) == (0, 3, 1, 1, 1)
    assert m.get("First paragraph.").origin == "machine"
    assert (m.get("Second paragraph.").translation, m.get("Second paragraph.").origin) == ("直した第二段落。", "human")


def test_when_documents_disagree_the_most_frequent_translation_wins(make_site):
    site = {}
    for n, heading in enumerate(["概要", "概要", "製品概要"]):
        site[f"_products/en/p{n}.md"] = doc(f"p{n}", "en", body="## Overview\n")
        site[f"_products/ja/p{n}.md"] = doc(f"p{n}", "ja", body=f"## {heading}\n")
    root = make_site(site, config='languages: ["en", "ja"]\n')
    m = Memory.open(root, "en", "ja")
    result = seed(m, status.report(scan.scan(load_config(root), use_cache=False)))
    assert result.conflicts == 1 and m.get("Overview").translation == "概要"
    assert len(m.get("Overview").occurrences) == 3


@requires_corpus()
def test_seeding_from_the_real_corpus(tmp_path):
    report = status.report(scan.scan(load_config(CORPUS)))
    items = [i for i in report.items if i.lang == "ja" and i.state == "current"][:300]
    report = dataclasses.replace(report, items=items)
    cache = tmp_path / "cache"  # a save then writes the index a later load reads entries from
    m = Memory.load(tmp_path / "en-ja.po", "en", "ja", cache_dir=cache)
    result = seed(m, report)
    assert result.documents == 300 and not result.unreadable
    assert result.aligned >= 0.85 * result.documents
    assert len(result.not_aligned) == result.documents - result.aligned - result.machine_documents
    assert all(n.reason and n.path.startswith("_") for n in result.not_aligned)
    assert result.pairs >= 10 * result.aligned and len(m) >= 0.4 * result.pairs
    assert m.stats().human == len(m)
    # Every aligned page has an "Overview" heading, which the ja pages call 概要.
    overview = m.get("Overview")
    assert overview is not None and overview.translation == "概要" and overview.origin == "human"
    assert len(overview.occurrences) == result.aligned
    m.save()
    loaded = Memory.load(tmp_path / "en-ja.po", "en", "ja")
    assert entries(loaded) == entries(m)
    # Seeding again, from a memory read entry by entry (as a run after a save reads it), changes nothing.
    written = (tmp_path / "en-ja.po").read_bytes()
    again = Memory.load(tmp_path / "en-ja.po", "en", "ja", cache_dir=cache)
    assert again._lazy
    rerun = seed(again, report)
    assert (rerun.added, rerun.replaced, rerun.aligned) == (0, 0, result.aligned)
    again.save()
    assert (tmp_path / "en-ja.po").read_bytes() == written
    assert entries(Memory.load(tmp_path / "en-ja.po", "en", "ja")) == entries(m)
    if MSGFMT:
        check = msgfmt(tmp_path / "en-ja.po", "--check-format")
        assert check.returncode == 0, check.stderr
