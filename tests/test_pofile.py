"""PO text on literal strings: what transync writes, what it reads back, and a damaged file's error."""

from __future__ import annotations

import pytest

from transync.translate import pofile
from transync.translate.pofile import POFileError, check_lines, comment_lines, read_po, write_entry, write_header

HEADER = (
    'msgid ""\n'
    'msgstr ""\n'
    '"Project-Id-Version: transync\\n"\n'
    '"Language: pt_BR\\n"\n'
    '"MIME-Version: 1.0\\n"\n'
    '"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Content-Transfer-Encoding: 8bit\\n"\n'
    '"X-Source-Language: en\\n"\n'
)


def careful(monkeypatch):
    """Read as a file the fast reader does not take: line checks, then polib."""
    monkeypatch.setattr(pofile, "_read_fast", lambda data, path: None)


def test_the_header_has_transyncs_fields_then_the_others_as_they_are():
    assert write_header("en", "pt-BR") == HEADER
    text = write_header("en", "pt-BR", [("Last-Translator", "Ana")], comment="# a memory\n")
    assert text == "# a memory\n" + HEADER + '"Last-Translator: Ana\\n"\n'


def test_an_entry_is_written_unwrapped_with_one_occurrence_per_line():
    text = write_entry(
        "fm:title", "Line one\nline two", "Linha um\nlinha dois",
        notes=["checked"], comments=["transync: human"],
        occurrences=[("a.md", 3), ("my file.md", None)], flags=["fuzzy"],
    )
    assert text == (
        "# checked\n"
        "#. transync: human\n"
        "#: a.md:3\n"
        "#: \u2068my file.md\u2069\n"
        "#, fuzzy\n"
        'msgctxt "fm:title"\n'
        'msgid ""\n'
        '"Line one\\n"\n'
        '"line two"\n'
        'msgstr ""\n'
        '"Linha um\\n"\n'
        '"linha dois"\n'
    )


def test_a_previous_msgid_is_written_as_msgmerge_does():
    text = write_entry(None, "The new text.", "", flags=["fuzzy"], previous='The "old" text.')
    assert text == '#, fuzzy\n#| msgid "The \\"old\\" text."\nmsgid "The new text."\nmsgstr ""\n'


@pytest.mark.parametrize("reader", ["fast", "careful"])
def test_what_is_written_reads_back(reader, monkeypatch):
    if reader == "careful":
        careful(monkeypatch)
    text = "\n".join([
        write_header("en", "ja", [("Last-Translator", "Ana")]),
        write_entry(None, "Overview", "概要", comments=["transync: human"], occurrences=[("a.md", 3)]),
        write_entry("fm:title", 'A "quoted"\ttext\n', '「引用」\n', notes=["by hand"], flags=["fuzzy"]),
    ])
    header, entries = read_po(text.encode("utf-8"))
    assert header == [
        ("Project-Id-Version", "transync"), ("Language", "ja"), ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"), ("Content-Transfer-Encoding", "8bit"),
        ("X-Source-Language", "en"), ("Last-Translator", "Ana"),
    ]
    assert {key: msgstr for key, (msgstr, _) in entries.items()} == {
        (None, "Overview"): "概要",
        ("fm:title", 'A "quoted"\ttext\n'): "「引用」\n",
    }
    assert comment_lines(entries[(None, "Overview")][1]) == ([], ["transync: human"], ["a.md:3"], [])
    assert comment_lines(entries[("fm:title", 'A "quoted"\ttext\n')][1]) == (["by hand"], [], [], ["fuzzy"])


def test_obsolete_plural_and_untranslated_entries_are_left_out():
    text = (
        'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n'
        'msgid "Kept"\nmsgstr "残す"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] "一つ"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "消えた"\n'
    )
    header, entries = read_po(text.encode("utf-8"))
    assert header == [("Language", "ja")]
    assert list(entries) == [(None, "Kept")]


def test_a_line_separator_inside_a_string_is_text_not_a_line_break():
    # The careful reader (an obsolete entry sends the file there) reads it as a file, where only \n ends a line.
    text = 'msgid "a\u2028b\x0cc"\nmsgstr "x\u2028y"\n\n#~ msgid "Gone"\n#~ msgstr "消えた"\n'
    _, entries = read_po(text.encode("utf-8"))
    assert {key: msgstr for key, (msgstr, _) in entries.items()} == {(None, "a\u2028b\x0cc"): "x\u2028y"}


@pytest.mark.parametrize("reader", ["fast", "careful"])
def test_a_damaged_file_is_an_error_naming_its_line(reader, monkeypatch):
    if reader == "careful":
        careful(monkeypatch)
    text = 'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\nmsgid "Price"\nmsgstr "価格\n'
    with pytest.raises(POFileError) as info:
        read_po(text.encode("utf-8"), "ja.po")
    assert info.value.line == 6 and "malformed string" in info.value.reason
    assert str(info.value).startswith("ja.po:6: not a valid PO file: malformed string")


def test_a_duplicate_entry_is_an_error_at_the_second():
    text = 'msgid "Price"\nmsgstr "価格"\n\nmsgid "Price"\nmsgstr "値段"\n'
    with pytest.raises(POFileError, match="duplicate entry for msgid 'Price'") as info:
        read_po(text.encode("utf-8"))
    assert info.value.line == 4


def test_check_lines_finds_an_entry_cut_before_its_msgstr():
    check_lines('msgid "a"\nmsgstr "b"\n')
    with pytest.raises(POFileError, match="msgid without msgstr") as info:
        check_lines('msgid "a"\nmsgstr "b"\n\nmsgid "c"\n', "cut.po")
    assert info.value.line == 4 and info.value.path == "cut.po"


def test_a_content_read_before_comes_from_the_cache(tmp_path, monkeypatch):
    data = (HEADER + '\n#: a.md:3\nmsgid "Overview"\nmsgstr "Visão geral"\n').encode("utf-8")
    cache = pofile.cache_file(tmp_path, tmp_path / "en-pt_BR.po")
    first = read_po(data, cache=cache)
    assert cache.exists()
    monkeypatch.setattr(pofile, "_read_fast", lambda data, path: pytest.fail("read again"))
    assert read_po(data, cache=cache) == first
