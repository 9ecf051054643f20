"""A memory save proportional to the change: entries copied, the cache kept, occurrences looked up per document.

A save of a memory whose file a save wrote copies the entries that did not
change and writes the others anew; what the file reads as is kept in the
cache, so that the next load parses nothing. These tests hold the result to
what a save that writes every entry gives, byte for byte, and to the memory's
rules (a translator's edit on disk wins).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from transync.translate import memory as memory_module
from transync.translate import pofile
from transync.translate.memory import Memory, Use

SOURCES = [
    "Overview", "Price", "A *bold* claim.", "Zebra", "aardvark", "Ünïcode title", "The \"quoted\" text.",
    "Line one\nline two", "Tab\there", "Back\\slash", "Specs", "Battery life: 8 hours.", "価格",
]
PATHS = ["_products/en/a.md", "_products/en/ab.md", "_products/en/with space.md", "_companies/en/x.md"]


def translator_saves(path: Path, source: str, translation: str, *, header_note: str = "") -> None:
    """A translator's editor saves the file with one entry edited: its own copy, renamed over the file."""
    editor = Memory.load(path, "en", "ja")
    editor.put(source, translation, origin="human")
    tmp = path.with_name("poedit.tmp")
    tmp.write_text(header_note + editor.to_po(), encoding="utf-8")
    os.replace(tmp, path)


def full_save_bytes(path: Path) -> bytes:
    """What a save that writes every entry anew gives for the memory on disk."""
    return Memory.load(path, "en", "ja")._render_all().data


def random_changes(memory: Memory, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 6)):
        source = rng.choice(SOURCES) + rng.choice(["", "", " (2)", " — new"])
        context = rng.choice([None, None, "fm:title", "fm:tags"])
        translation = rng.choice(["訳", "翻訳", "もう一つ", "別\n行"]) if "\n" not in source else "一\n二"
        if rng.random() < 0.7:
            memory.put(source, translation, origin=rng.choice(["machine", "human"]), engine="deepl", context=context,
                       occurrences=[(rng.choice(PATHS), rng.randint(1, 40))])
        else:
            known = [e for e in memory][: rng.randint(0, 5)]
            memory.replace_occurrences(rng.choice(PATHS), [Use(e.source, rng.randint(1, 40), e.context) for e in known])


@pytest.mark.parametrize("seed", range(6))
def test_a_save_that_copies_unchanged_entries_writes_what_a_full_save_writes(tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "en-ja.po"
    cache = tmp_path / "cache"
    first = Memory.load(path, "en", "ja", cache_dir=cache)
    random_changes(first, rng)
    first.save()
    for _ in range(8):  # runs, each a new process: a load from the cache, a few changes, a save
        run = Memory.load(path, "en", "ja", cache_dir=cache)
        assert run._canon is not None  # the file is the one the last save wrote: only changes are written
        random_changes(run, rng)
        run.save()
        assert path.read_bytes() == full_save_bytes(path) == run.to_po().encode("utf-8")
        random_changes(run, rng)  # the same object saving again
        run.save()
        assert path.read_bytes() == full_save_bytes(path)


def test_the_load_after_a_save_reads_the_cache_and_gives_the_same_entries(tmp_path, monkeypatch):
    path = tmp_path / "en-ja.po"
    cache = tmp_path / "cache"
    memory = Memory.load(path, "en", "ja", cache_dir=cache)
    memory.put("Overview", "概要", origin="human", occurrences=[("_products/en/a.md", 3)])
    memory.put("Price", "価格", origin="machine", engine="deepl", context="fm:title", occurrences=[("_products/en/with space.md", 1)])
    memory.save()
    parsed = list(Memory.load(path, "en", "ja"))

    def no_parsing(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(pofile, "_read_fast", no_parsing)
    monkeypatch.setattr(pofile, "_read_careful", no_parsing)
    assert list(Memory.load(path, "en", "ja", cache_dir=cache)) == parsed


def test_a_translators_edit_between_runs_wins_and_the_file_is_written_whole_again(tmp_path):
    path = tmp_path / "en-ja.po"
    cache = tmp_path / "cache"
    run = Memory.load(path, "en", "ja", cache_dir=cache)
    run.put("Overview", "オーバービュー", origin="machine", engine="deepl", occurrences=[("_products/en/a.md", 1)])
    run.put("Price", "価格", origin="machine", engine="deepl")
    run.save()
    translator_saves(path, "Overview", "概要", header_note="# edited in Poedit\n")
    nxt = Memory.load(path, "en", "ja", cache_dir=cache)
    assert nxt._canon is None  # not the file a save wrote: the next save writes every entry
    assert nxt.put("Overview", "オーバービュー", origin="machine", engine="deepl") == "kept"
    nxt.put("Specs", "仕様", origin="machine", engine="deepl")
    nxt.save()
    again = Memory.load(path, "en", "ja", cache_dir=cache)
    assert (again.get("Overview").translation, again.get("Overview").origin) == ("概要", "human")
    assert again.get("Specs").translation == "仕様"
    assert path.read_bytes() == full_save_bytes(path)


def test_a_translators_edit_during_a_run_wins_over_the_copied_entries(tmp_path):
    path = tmp_path / "en-ja.po"
    cache = tmp_path / "cache"
    first = Memory.load(path, "en", "ja", cache_dir=cache)
    first.put("Overview", "オーバービュー", origin="machine", engine="deepl")
    first.save()
    run = Memory.load(path, "en", "ja", cache_dir=cache)
    run.put("Price", "価格", origin="machine", engine="deepl")
    translator_saves(path, "Overview", "概要")  # after this run loaded the file, before its save
    run.save()
    final = Memory.load(path, "en", "ja")
    assert (final.get("Overview").translation, final.get("Overview").origin) == ("概要", "human")
    assert final.get("Price").translation == "価格"
    assert path.read_bytes() == full_save_bytes(path)


def test_a_save_with_nothing_changed_writes_nothing(tmp_path):
    path = tmp_path / "en-ja.po"
    cache = tmp_path / "cache"
    memory = Memory.load(path, "en", "ja", cache_dir=cache)
    memory.put("Overview", "概要", origin="human", occurrences=[("_products/en/a.md", 3)])
    assert memory.save() is True
    before = os.stat(path)
    run = Memory.load(path, "en", "ja", cache_dir=cache)
    run.put("Overview", "概要", origin="human", occurrences=[("_products/en/a.md", 3)])  # what the file already says
    assert run.replace_occurrences("_products/en/a.md", [Use("Overview", 3)]) == 1
    assert run.save() is False
    assert os.stat(path).st_ino == before.st_ino


@pytest.mark.parametrize("index_all_after", [0, 1, 100])
def test_occurrences_looked_up_per_document_match_the_whole_index(tmp_path, monkeypatch, index_all_after):
    path = tmp_path / "en-ja.po"
    rng = random.Random(7)
    seed = Memory.load(path, "en", "ja")
    for n, source in enumerate(SOURCES):
        seed.put(source, "訳" if "\n" not in source else "一\n二", origin="human",
                 occurrences=[(p, rng.randint(1, 9)) for p in rng.sample(PATHS, rng.randint(0, len(PATHS)))])
    seed.save()
    results = {}
    for label, after in (("per document", index_all_after), ("whole index", 0)):
        monkeypatch.setattr(memory_module, "_INDEX_ALL_AFTER", after)
        memory = Memory.load(path, "en", "ja")
        model = {e.source: set(e.occurrences) for e in memory}  # what the occurrences must be
        draws = random.Random(11)  # the same changes for both
        recorded = []
        new = "_products/en/new.md"  # a path no entry had: first put, then replaced
        for p in PATHS + PATHS[:2] + [new]:  # a path asked for twice, one that is a prefix of another, one with a space
            uses = [Use(s, 5) for s in SOURCES[: draws.randint(0, len(SOURCES))]]
            recorded.append(memory.replace_occurrences(p, uses))
            for occurrences in model.values():
                occurrences -= {o for o in occurrences if o[0] == p}
            for u in uses:
                model[u.source].add((p, 5))
            assert {e.source: set(e.occurrences) for e in memory} == model
            memory.put("Price", "価格", origin="human", occurrences=[(p, 9), (new, 2)])
            model["Price"] |= {(p, 9), (new, 2)}
        memory.replace_occurrences(new, [])  # after the put: its occurrences go
        for occurrences in model.values():
            occurrences -= {o for o in occurrences if o[0] == new}
        assert {e.source: set(e.occurrences) for e in memory} == model
        results[label] = (recorded, memory.to_po())
    assert results["per document"] == results["whole index"]
