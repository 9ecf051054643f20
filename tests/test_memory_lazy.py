"""A memory loaded from the index a save kept: entries read from the PO bytes when used.

A load of a file a save wrote reads the cache's index (where each entry ends
and a hash of its key), not the entries; an entry is read when it is looked
up, and a common text's occurrences stay its ``#:`` lines until needed. These
tests hold such a memory to one read whole from the same file (no cache):
the same answers to every call and the same bytes at every save.
"""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transync.translate import pofile
from transync.translate.memory import Memory, Use

SOURCES = ["Overview", "Price", "Specs", "A *bold* claim.", "Zebra", "Ünïcode", "Line one\nline two", "価格", "a:3", "Tab\there"]
PATHS = ["_products/en/a.md", "_products/en/ab.md", "_products/en/with space.md", "a", "_companies/en/x.md"]
CONTEXTS = [None, None, "fm:title"]


def translation_of(source: str) -> str:
    return "一\n二" if "\n" in source else "訳 " + source


def seed(path, cache) -> None:
    """A memory with common texts (used in every document), machine and human entries; saved with its index."""
    memory = Memory.load(path, "en", "ja", cache_dir=cache)
    for n, source in enumerate(SOURCES):
        for context in CONTEXTS[: 1 + n % 3]:
            occurrences = [(p, line) for p in PATHS for line in (1 + n, 20 + n)] if n % 2 else [(PATHS[n % len(PATHS)], None)]
            memory.put(source, translation_of(source), origin="machine" if n % 3 else "human", engine="deepl",
                       context=context, occurrences=occurrences)
    for n in range(200):  # enough entries that a lookup reading them all would show
        memory.put(f"Filler text {n:03d}.", f"埋め草 {n}", origin="human", occurrences=[(PATHS[n % 4], n + 1)])
    memory.save()


def two_copies(tmp_path):
    """The same file twice: one loaded from the index, one read whole."""
    cache = tmp_path / "cache"
    lazy_path = tmp_path / "lazy" / "en-ja.po"
    whole_path = tmp_path / "whole" / "en-ja.po"
    lazy_path.parent.mkdir()
    whole_path.parent.mkdir()
    seed(lazy_path, cache)
    shutil.copyfile(lazy_path, whole_path)
    lazy = Memory.load(lazy_path, "en", "ja", cache_dir=cache)
    whole = Memory.load(whole_path, "en", "ja")
    assert lazy._lazy and not whole._lazy
    return lazy, whole, cache


op = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(SOURCES + ["New text", "Filler text 007."]), st.sampled_from(CONTEXTS),
              st.sampled_from(["machine", "human"]), st.lists(st.tuples(st.sampled_from(PATHS), st.one_of(st.none(), st.integers(1, 30))), max_size=3)),
    st.tuples(st.just("uses"), st.sampled_from(PATHS),
              st.lists(st.tuples(st.sampled_from(SOURCES + ["Filler text 003.", "Unknown"]), st.one_of(st.none(), st.integers(1, 30)), st.sampled_from(CONTEXTS)), max_size=6)),
    st.tuples(st.just("get"), st.sampled_from(SOURCES + ["Filler text 150.", "Unknown"]), st.sampled_from(CONTEXTS)),
    st.tuples(st.just("save")),
)


def apply(memory: Memory, step: tuple):
    kind = step[0]
    if kind == "put":
        _, source, context, origin, occurrences = step
        return memory.put(source, translation_of(source) + ("!" if origin == "machine" else ""), origin=origin,
                          engine="deepl", context=context, occurrences=occurrences)
    if kind == "uses":
        return memory.replace_occurrences(step[1], [Use(*u) for u in step[2]])
    if kind == "get":
        return memory.entry(step[1], context=step[2]), step[1] in memory, len(memory)
    return memory.save(), memory.path.read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(op, min_size=1, max_size=12))
def test_a_memory_loaded_from_the_index_answers_and_saves_as_one_read_whole(tmp_path_factory, steps):
    lazy, whole, _ = two_copies(tmp_path_factory.mktemp("lazy"))
    for step in steps:
        assert apply(lazy, step) == apply(whole, step), step
    lazy.save()
    whole.save()
    assert lazy.path.read_bytes() == whole.path.read_bytes() == Memory.load(whole.path, "en", "ja")._render_all().data
    assert list(lazy) == list(whole)


def test_a_lookup_reads_the_entries_it_needs_not_the_file(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    path = tmp_path / "en-ja.po"
    seed(path, cache)
    read = []
    entry = pofile.read_entry
    monkeypatch.setattr(pofile, "read_entry", lambda block, p="<string>": read.append(block) or entry(block, p))

    def no_parsing(*args, **kwargs):
        raise AssertionError("the whole file was parsed")

    monkeypatch.setattr(pofile, "_read_fast", no_parsing)
    monkeypatch.setattr(pofile, "_read_careful", no_parsing)
    memory = Memory.load(path, "en", "ja", cache_dir=cache)
    assert read == []
    assert memory.get("Filler text 123.").translation == "埋め草 123"
    assert memory.get("Not in the memory") is None
    assert len(read) <= 2  # the entry, and at most one whose key hash matched by chance
    naming = sum(1 for block in path.read_bytes().split(b"\n\n") if b"_products/en/ab.md" in block)
    read.clear()
    assert memory.replace_occurrences("_products/en/ab.md", [Use("Price", 4), Use("Filler text 001.", 9)]) == 2
    assert len(read) <= naming + 6 < 230  # the entries that name the document (and the keys looked up), not the file's
    memory.save()
    monkeypatch.undo()
    assert path.read_bytes() == Memory.load(path, "en", "ja")._render_all().data


def test_a_file_changed_in_place_to_the_same_length_is_read_whole_again(tmp_path):
    cache = tmp_path / "cache"
    path = tmp_path / "en-ja.po"
    seed(path, cache)
    data = path.read_bytes()
    edited = data.replace("埋め草 42\"".encode(), "埋め草 4X\"".encode())
    assert len(edited) == len(data) and edited != data
    path.write_bytes(edited)  # in place: the same inode and length, an editor writing over the file
    memory = Memory.load(path, "en", "ja", cache_dir=cache)
    assert not memory._lazy  # the index is of other bytes: not used
    assert memory.get("Filler text 042.").translation == "埋め草 4X"
    assert memory.get("Filler text 042.").origin == "human"
