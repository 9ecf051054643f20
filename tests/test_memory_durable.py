"""The translation memory survives kills, concurrent writers and a translator's save.

Kills and concurrent writers are real processes; the DeepL side is the fake
server on 127.0.0.1 (tests/deepl_fake.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import deepl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import doc
from deepl_fake import FakeDeepL, serve_in_subprocess
from transync.translate import journal
from transync.cli import app
from transync.translate.engines import Translated
from transync.translate.memory import Memory, MemoryFileError, memory_path

runner = CliRunner()
SECRET = "fake-deepl-test-key:fx"
SHARED = "Every review is measured the same way."


def entries(memory: Memory) -> dict:
    return {(e.context, e.source): (e.translation, e.origin, e.occurrences) for e in memory}


def make_site(root: Path, documents: int = 10, paragraphs: int = 8) -> Path:
    """A site of ``documents`` English sources, one shared paragraph each, all missing in Japanese."""
    (root / "_config.yml").parent.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text('languages: ["en", "ja"]\ndefault_lang: "en"\n', encoding="utf-8")
    for n in range(documents):
        body = "## Overview\n\n" + SHARED + "\n\n" + "".join(f"Document {n} says thing {k}.\n\n" for k in range(paragraphs))
        path = root / f"_products/en/gen/doc-{n:02}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc(f"doc-{n:02}", "en", body=body), encoding="utf-8")
    return root


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_INITIAL", 0.02)
    with FakeDeepL(SECRET) as server:
        yield server


def translate(site: Path, fake: FakeDeepL, *args: str):
    env = {"DEEPL_AUTH_KEY": SECRET, "DEEPL_SERVER_URL": fake.url}
    return runner.invoke(app, ["translate", "--root", str(site), "--format", "json", *args], env=env, catch_exceptions=False)


def sent_texts(fake: FakeDeepL) -> list[str]:
    return [t for r in fake.requests_to("/v2/translate") for t in r.params.get("text", [])]


def size_of(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


WRAPPER = "import sys; from transync.translate import run; run.MAX_TEXTS = 4; from transync.cli import main; sys.argv = ['transync'] + sys.argv[1:]; main()"


# --------------------------------------------------------------------------- the journal


def test_a_synced_change_is_on_disk_before_any_save(tmp_path):
    m = Memory.load(tmp_path / "en-ja.po", "en", "ja")
    m.put("Overview", "概要", origin="machine", engine="deepl")
    m.sync()
    assert not (tmp_path / "en-ja.po").exists()
    assert Memory.load(tmp_path / "en-ja.po", "en", "ja").get("Overview").translation == "概要"
    m.put("Price", "価格", origin="machine", engine="deepl")  # not synced: in this object only
    assert Memory.load(tmp_path / "en-ja.po", "en", "ja").get("Price") is None


def test_save_folds_the_journal_into_the_po_file_and_leaves_no_working_file(tmp_path):
    m = Memory.load(tmp_path / "en-ja.po", "en", "ja")
    m.put("Overview", "概要", origin="machine", engine="deepl")
    m.sync()
    m.put("Price", "価格", origin="human")
    assert m.save() is True
    assert sorted(p.name for p in tmp_path.iterdir()) == [".en-ja.po.folded", "en-ja.po"]
    again = Memory.load(tmp_path / "en-ja.po", "en", "ja")
    assert entries(again) == entries(m) and len(again) == 2


def test_a_torn_journal_tail_is_ignored_and_cut_before_the_next_append(tmp_path):
    path = tmp_path / "en-ja.po"
    m = Memory.load(path, "en", "ja")
    m.put("One", "一", origin="machine", engine="deepl")
    m.sync()
    m.put("Two", "二", origin="machine", engine="deepl")
    m.sync()
    log = journal.journal_path(path)
    whole = log.read_bytes()
    # A writer killed in the middle of its record, at every possible byte.
    last = max(end for _, end, _ in journal.scan(whole)) - len(journal.record(["put", "Two", "二", "machine", "deepl", None, []]))
    for cut in range(last + 1, len(whole)):
        log.write_bytes(whole[:cut])
        assert {e.source for e in Memory.load(path, "en", "ja")} == {"One"}, cut
    # A record whose bytes changed fails its checksum; garbage after it is never read either.
    flipped = bytearray(whole)
    flipped[-3] ^= 0x01
    log.write_bytes(bytes(flipped) + whole[last:])
    assert {e.source for e in Memory.load(path, "en", "ja")} == {"One"}
    # The next writer cuts the torn tail off, so its own record follows the last whole one.
    log.write_bytes(whole[: len(whole) - 5])
    other = Memory.load(path, "en", "ja")
    other.put("Three", "三", origin="machine", engine="deepl")
    other.sync()
    assert {e.source for e in Memory.load(path, "en", "ja")} == {"One", "Three"}


words = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\n\r"), min_size=1, max_size=12)
changes = st.lists(st.one_of(
    st.tuples(st.just("put"), words, words, st.sampled_from(["machine", "human"]), st.sampled_from([None, "fm:title"]),
              st.lists(st.tuples(st.sampled_from(["a.md", "b c.md"]), st.none() | st.integers(1, 99)), max_size=2)),
    st.tuples(st.just("uses"), st.sampled_from(["a.md", "b c.md"]), st.lists(st.tuples(words, st.integers(1, 99)), max_size=3)),
    st.just(("sync",)),
), max_size=25)


def apply(memory: Memory, change: tuple) -> None:
    if change[0] == "put":
        _, source, translation, origin, context, occurrences = change
        memory.put(source, translation, origin=origin, engine="deepl" if origin == "machine" else None, context=context, occurrences=occurrences)
    elif change[0] == "uses":
        memory.replace_occurrences(change[1], change[2])
    else:
        memory.sync()


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None, max_examples=100)
@given(changes, st.data())
def test_the_journal_replays_to_what_was_synced_whatever_byte_a_kill_cuts_at(items, data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "en-ja.po"
        memory = Memory.load(path, "en", "ja")
        states = [entries(memory)]  # after each change: a record is one change
        for change in items:
            apply(memory, change)
            states.append(entries(memory))
        memory.sync()
        log = journal.journal_path(path)
        if log.exists():
            whole = log.read_bytes()
            log.write_bytes(whole[: data.draw(st.integers(0, len(whole)), label="cut")])
            assert entries(Memory.load(path, "en", "ja")) in states  # the changes up to one of them, never a misread
            log.write_bytes(whole)
        assert entries(Memory.load(path, "en", "ja")) == entries(memory)
        memory.save()
        assert entries(Memory.load(path, "en", "ja")) == entries(memory)


def test_a_journal_record_that_is_whole_but_no_change_is_an_error_naming_the_journal(tmp_path):
    path = tmp_path / "en-ja.po"
    m = Memory.load(path, "en", "ja")
    m.put("One", "一", origin="machine", engine="deepl")
    m.sync()
    log = journal.journal_path(path)
    log.write_bytes(log.read_bytes() + journal.record(["put", "", "x", "human", None, None, []]))
    with pytest.raises(MemoryFileError) as info:
        Memory.load(path, "en", "ja")
    assert str(info.value).startswith(str(log)) and "\n" not in str(info.value)


# --------------------------------------------------------------------------- sharing


WRITER = """
import sys, time
from pathlib import Path
from transync.translate.memory import Memory
path, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.001)
m = Memory.load(path, "en", "ja")
for n in range(300):
    m.put(f"{name} text {n}", f"{name} 訳 {n}", origin="machine", engine="deepl")
    m.put(f"shared text {n % 50}", f"共有 {n % 50}", origin="machine", engine="deepl")
    if n % 7 == 0:
        m.sync()
    if n == 150:
        m.save()
m.save()
"""


def test_two_processes_writing_one_memory_lose_nothing(tmp_path):
    path = tmp_path / "memory" / "en-ja.po"
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(go)], stderr=subprocess.PIPE, text=True)
        for name in ("first", "second")
    ]
    time.sleep(0.3)
    go.touch()
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
    final = Memory.load(path, "en", "ja")
    assert len(final) == 650
    assert {e.source for e in final} == {f"{w} text {n}" for w in ("first", "second") for n in range(300)} | {f"shared text {n}" for n in range(50)}
    assert sorted(p.name for p in path.parent.iterdir()) == [".en-ja.po.folded", "en-ja.po"]


def test_two_translate_runs_on_one_site_lose_nothing(tmp_path, fake):
    reference = make_site(tmp_path / "reference", documents=12)
    assert translate(reference, fake, "--jobs", "2").exit_code == 0
    site = make_site(tmp_path / "site", documents=12)
    fake.latency = 0.05  # the two runs overlap: both journal, both save
    env = dict(os.environ, DEEPL_AUTH_KEY=SECRET, DEEPL_SERVER_URL=fake.url, NO_PROXY="127.0.0.1")
    runs = [
        subprocess.Popen([sys.executable, "-c", WRAPPER, "translate", "--root", str(site), "--jobs", "2", "--shard", shard],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for shard in ("1/2", "2/2")
    ]
    for proc in runs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert len(list((site / "_products/ja/gen").glob("*.md"))) == 12
    # Both runs' entries, each document's occurrences: the same bytes as one run over the whole site.
    assert memory_path(site, "en", "ja").read_bytes() == memory_path(reference, "en", "ja").read_bytes()


def poedit_save(path: Path, source: str, translation: str) -> None:
    """Save the memory as Poedit does: a new file renamed over the old one, with one entry edited."""
    editor = Memory.load(path, "en", "ja")
    editor.put(source, translation, origin="human")
    text = editor.to_po()
    tmp = path.with_name("poedit.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def test_a_po_file_replaced_between_load_and_save_keeps_the_human_entry(tmp_path):
    path = tmp_path / "en-ja.po"
    start = Memory.load(path, "en", "ja")
    start.put("Seed", "種", origin="human")
    start.save()
    run = Memory.load(path, "en", "ja")
    run.put("Overview", "オーバービュー", origin="machine", engine="deepl")
    run.sync()
    run.put("Price", "価格", origin="machine", engine="deepl")
    poedit_save(path, "Overview", "概要")
    assert run.save() is True
    final = Memory.load(path, "en", "ja")
    assert (final.get("Overview").translation, final.get("Overview").origin) == ("概要", "human")
    assert final.get("Price").origin == "machine" and final.get("Seed").translation == "種"


def test_a_po_file_replaced_during_the_save_is_never_written_over(tmp_path, monkeypatch):
    path = tmp_path / "en-ja.po"
    start = Memory.load(path, "en", "ja")
    start.put("Overview", "オーバービュー", origin="machine", engine="deepl")
    start.save()
    run = Memory.load(path, "en", "ja")
    run.put("Price", "価格", origin="machine", engine="deepl")
    render = Memory._render  # what save writes, made after the merge
    saves = []

    def translator_saves_meanwhile(self):
        made = render(self)
        if self is run and not saves:  # after the merge, before the rename: the save window
            saves.append(1)
            poedit_save(path, "Overview", "概要")
        return made

    monkeypatch.setattr(Memory, "_render", translator_saves_meanwhile)
    assert run.save() is True
    final = Memory.load(path, "en", "ja")
    assert saves and (final.get("Overview").translation, final.get("Overview").origin) == ("概要", "human")
    assert final.get("Price").translation == "価格"


def test_entries_a_stale_copy_wrote_over_come_back_from_the_last_folded_journal(tmp_path):
    path = tmp_path / "en-ja.po"
    start = Memory.load(path, "en", "ja")
    start.put("Seed", "種", origin="human")
    start.save()
    stale = path.read_text(encoding="utf-8")  # an editor reads the file ...
    run = Memory.load(path, "en", "ja")
    run.put("Overview", "概要", origin="machine", engine="deepl")
    run.sync()
    run.save()
    path.write_text(stale.replace('msgstr "種"', 'msgstr "たね"'), encoding="utf-8")  # ... and saves its older copy
    back = Memory.load(path, "en", "ja")
    assert back.get("Overview").translation == "概要"  # given back
    assert back.get("Seed").translation == "たね"  # the editor's change stays
    back.save()
    assert "概要" in path.read_text(encoding="utf-8")


def test_temporary_files_of_a_killed_save_are_removed_and_only_those(tmp_path):
    path = tmp_path / "en-ja.po"
    left = [tmp_path / ".en-ja.po.k1lled_1.tmp", tmp_path / ".en-ja.po.abcd1234.tmp"]
    kept = [tmp_path / ".en-de.po.abcd1234.tmp", tmp_path / "notes.tmp", tmp_path / ".en-ja.po.journal.tmp"]
    for p in left + kept:
        p.write_bytes(b"x" * 1000)
    m = Memory.load(path, "en", "ja")
    m.put("Overview", "概要", origin="human")
    m.save()
    assert not any(p.exists() for p in left)
    assert all(p.exists() for p in kept)


SAVER = """
import sys
from pathlib import Path
from transync.translate.memory import Memory
m = Memory.load(Path(sys.argv[1]), "en", "ja")
for n in range(20000):
    m.put(f"Sentence number {n} of a long review.", f"長いレビューの{n}番目の文。", origin="machine", engine="deepl")
m.sync()
print("saving", flush=True)
m.save()
print("saved", flush=True)
"""


@pytest.mark.parametrize("moment", ["merging", "writing"])
def test_a_save_killed_midway_loses_nothing_and_its_temporary_file_goes_at_the_next(tmp_path, moment):
    path = tmp_path / "en-ja.po"
    proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "saving\n"
    if moment == "writing":
        deadline = time.monotonic() + 30
        while not list(tmp_path.glob(".en-ja.po.*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.0005)
    proc.kill()
    proc.wait()
    if moment == "writing":
        assert list(tmp_path.glob(".en-ja.po.*.tmp")), "killed while the new file was being written"
    memory = Memory.load(path, "en", "ja")
    assert len(memory) == 20000
    memory.put("One more", "もう一つ", origin="human")
    memory.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".en-ja.po.folded", "en-ja.po"]
    assert len(Memory.load(path, "en", "ja")) == 20001


# --------------------------------------------------------------------------- refusing up front


@pytest.fixture
def read_only_memory(tmp_path):
    """A site whose memory folder cannot be written, and the command prefix that runs transync so.

    Not root: the folder is made read-only. Root writes anywhere, so the run
    gets a private mount namespace where the folder is a read-only mount.
    """
    site = make_site(tmp_path / "site", documents=2)
    folder = site / ".transync/memory"
    folder.mkdir(parents=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield site, []
        folder.chmod(0o755)
        return
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("root without unshare(1): cannot make a read-only folder")
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    yield site, [unshare, "-m", "sh", "-c", script, str(folder)]


def test_a_read_only_memory_folder_is_refused_before_anything_is_sent(read_only_memory, fake):
    site, prefix = read_only_memory
    env = dict(os.environ, DEEPL_AUTH_KEY=SECRET, DEEPL_SERVER_URL=fake.url, NO_PROXY="127.0.0.1")
    result = subprocess.run([*prefix, sys.executable, "-m", "transync", "translate", "--root", str(site)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr  # the run stops before buying anything, with its summary
    assert "not started" in result.stdout
    message = next(line for line in result.stderr.splitlines() if "cannot write the translation memory" in line)
    assert ".transync/memory" in message and "--no-memory" in message
    assert sent_texts(fake) == []
    assert not (site / "_products/ja").exists()


def test_an_unreadable_journal_stops_the_run_before_anything_is_sent(tmp_path, fake):
    site = make_site(tmp_path / "site", documents=2)
    log = journal.journal_path(memory_path(site, "en", "ja"))
    log.mkdir(parents=True)  # not a file
    result = translate(site, fake)
    assert result.exit_code == 2
    assert str(log) in result.stderr and "journal" in result.stderr
    assert sent_texts(fake) == [] and not (site / "_products/ja").exists()


def test_a_journal_that_cannot_grow_stops_the_run_before_the_document(tmp_path):
    """As on a full disk: past 4 KB every write fails (RLIMIT_FSIZE), the journal's first."""
    import resource

    site = make_site(tmp_path / "site", documents=10)

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    with FakeDeepL(SECRET) as server:
        env = dict(os.environ, DEEPL_AUTH_KEY=SECRET, DEEPL_SERVER_URL=server.url, NO_PROXY="127.0.0.1", TRANSYNC_CACHE_DIR=str(tmp_path / "cache"))
        result = subprocess.run([sys.executable, "-c", WRAPPER, "translate", "--root", str(site), "--jobs", "1"],
                                env=env, capture_output=True, text=True, timeout=60, preexec_fn=small_files)
    assert result.returncode == 2, result.stderr
    assert "translation memory" in result.stderr.strip().splitlines()[-1]
    written = {f"_products/en/gen/{p.name}" for p in (site / "_products/ja/gen").glob("*.md")}
    assert 1 <= len(written) < 10
    kept = Memory.load(memory_path(site, "en", "ja"), "en", "ja")
    for path in written:
        n = int(path[-5:-3])
        assert all(kept.get(f"Document {n} says thing {k}.") is not None for k in range(8)), path


# --------------------------------------------------------------------------- translate


def test_identical_runs_write_identical_memories(tmp_path, fake, monkeypatch):
    from transync.translate import run as translate_module

    monkeypatch.setattr(translate_module, "MAX_TEXTS", 3)  # many small requests in flight at once
    fake.latency = 0.01
    data = []
    for n in range(2):
        site = make_site(tmp_path / f"site{n}", documents=12)
        result = translate(site, fake, "--jobs", "4")
        assert result.exit_code == 0, result.output
        data.append(memory_path(site, "en", "ja").read_bytes())
    assert data[0] == data[1]
    # Every document that uses the shared paragraph says so, whether it sent it or found it in the memory.
    shared = Memory.load(memory_path(tmp_path / "site0", "en", "ja"), "en", "ja").get(SHARED)
    assert shared.occurrences == tuple((f"_products/en/gen/doc-{n:02}.md", 10) for n in range(12))


def test_replies_of_a_document_that_fails_are_remembered_and_never_bought_again(tmp_path, fake):
    site = make_site(tmp_path / "site", documents=3)
    source = site / "_products/en/gen/doc-01.md"
    source.write_text(source.read_text(encoding="utf-8").replace("thing 3.", "thing `3` [1]."), encoding="utf-8")
    fake.mangle_next("drop_tag", times=50)  # the one text with tags never comes back whole
    first = translate(site, fake, "--jobs", "1")
    assert first.exit_code == 1
    failed = [d for d in json.loads(first.stdout)["documents"] if d["status"] == "failed"]
    assert [d["path"] for d in failed] == ["_products/ja/gen/doc-01.md"]
    memory = Memory.load(memory_path(site, "en", "ja"), "en", "ja")
    assert memory.get("Document 1 says thing 2.") is not None  # a valid reply of the failed document
    fake.clear_faults()
    fake.clear_requests()
    again = translate(site, fake, "--jobs", "1")
    assert again.exit_code == 0, again.output
    assert sent_texts(fake) == ['Document 1 says thing <x id="1"/> <x id="2"/>.']


# --------------------------------------------------------------------------- kills


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_run_keeps_every_entry_of_every_written_document(tmp_path, fake, sig):
    reference = make_site(tmp_path / "reference")
    assert translate(reference, fake, "--jobs", "1").exit_code == 0
    expected = entries(Memory.load(memory_path(reference, "en", "ja"), "en", "ja"))

    site = make_site(tmp_path / "site")
    server, url = serve_in_subprocess(SECRET, latency=0.15)
    try:
        env = dict(os.environ, DEEPL_AUTH_KEY=SECRET, DEEPL_SERVER_URL=url, NO_PROXY="127.0.0.1", TRANSYNC_CACHE_DIR=str(tmp_path / "cache"))
        proc = subprocess.Popen([sys.executable, "-c", WRAPPER, "translate", "--root", str(site), "--jobs", "1"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        log = journal.journal_path(memory_path(site, "en", "ja"))
        deadline = time.monotonic() + 30
        second = site / "_products/ja/gen/doc-01.md"
        while not second.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        size = size_of(log)
        soon = time.monotonic() + 1.5
        while size_of(log) == size and time.monotonic() < soon:
            time.sleep(0.005)  # the next reply is on disk: the kill lands amid a document
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        server.kill()
    written = {f"_products/en/gen/{p.name}" for p in (site / "_products/ja/gen").iterdir() if p.suffix == ".md"}
    assert 2 <= len(written) < 10, "the kill should land between documents"
    kept = entries(Memory.load(memory_path(site, "en", "ja"), "en", "ja"))
    for key, (translation, origin, occurrences) in expected.items():
        if any(path in written for path, _ in occurrences):
            assert key in kept and kept[key][:2] == (translation, origin), key
    of_written = {k for k, v in expected.items() if any(p in written for p, _ in v[2])}
    assert set(kept) - of_written, "the replies received for the unfinished document are kept too"
    assert set(kept) <= set(expected)


class Identity:
    name = "identity"

    def translate(self, texts, *, source_lang, target_lang):
        return [Translated(t, len(t)) for t in texts]


def test_file_names_a_po_file_cannot_hold_keep_their_texts_and_the_save_works(tmp_path):
    from transync.site import scan, status
    from transync.translate import run as translate_module
    from transync.site.config import load_config

    site = make_site(tmp_path / "site", documents=1)
    folder = site / "_products/en/gen"
    (Path(os.fsdecode(os.fsencode(folder) + b"/caf\xe9.md"))).write_text(doc("cafe", "en", body="Cafe text one.\n"), encoding="utf-8")
    (folder / "new\nline.md").write_text(doc("newline", "en", body="Newline text one.\n"), encoding="utf-8")
    report = status.report(scan.scan(load_config(site), use_cache=False))
    jobs, _ = translate_module.select(report)
    # Whether status takes such names as documents is not the memory's business: the jobs are made here.
    products = report.config.collections[0]
    jobs = [j for j in jobs if j.ref == "doc-00"] + [
        translate_module.Job(products, ref, "ja", f"_products/en/gen/{name}", f"_products/ja/gen/{name}", "missing")
        for ref, name in (("cafe", os.fsdecode(b"caf\xe9.md")), ("newline", "new\nline.md"))
    ]
    summary = translate_module.Run(report.config, Identity(), translate_module.TranslateOptions()).run(jobs)
    memory = Memory.load(memory_path(site, "en", "ja"), "en", "ja")  # saved, and loads
    assert memory.get("Document 0 says thing 0.").occurrences == (("_products/en/gen/doc-00.md", 12),)
    failed = {r.job.ref: r.reason for r in summary.failed}
    for ref, text in (("cafe", "Cafe text one."), ("newline", "Newline text one.")):
        if ref in failed:  # a run that refuses such a name says so, before sending anything
            assert "name" in failed[ref] and memory.get(text) is None
        else:  # translated: remembered, without the occurrence a PO file cannot hold
            assert memory.get(text).occurrences == ()


def test_a_run_with_nothing_to_translate_folds_a_journal_a_killed_run_left(tmp_path):
    from transync.translate import run as translate_module
    from transync.site.config import load_config

    site = make_site(tmp_path / "site", documents=1)
    path = memory_path(site, "en", "ja")
    killed = Memory.load(path, "en", "ja")
    killed.put("Overview", "概要", origin="machine", engine="deepl")
    killed.sync()  # ... and then the run was killed: no save
    leftover = path.with_name(".en-ja.po.k1lled_1.tmp")
    leftover.write_bytes(b"half a save")
    translate_module.Run(load_config(site), Identity(), translate_module.TranslateOptions()).run([])
    assert 'msgstr "概要"' in path.read_text(encoding="utf-8")
    assert not journal.journal_path(path).exists() and not leftover.exists()


def test_the_memory_folder_keeps_its_working_files_out_of_git(tmp_path):
    import shutil
    import subprocess

    from transync.translate.memory import Memory

    memory = Memory.load(tmp_path / ".transync/memory/en-ja.po", "en", "ja")
    memory.ensure_writable()
    memory.put("Hello.", "こんにちは。", origin="human")
    memory.sync()
    ignore = tmp_path / ".transync/memory/.gitignore"
    assert ignore.is_file()
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
        check = lambda name: subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "-q", f".transync/memory/{name}"]).returncode
        assert check(".en-ja.po.journal") == 0 and check(".en-ja.po.lock") == 0 and check(".en-ja.po.folded") == 0
        assert check("en-ja.po") == 1  # the memory itself is committed
    ignore.write_text("# mine\n")
    Memory.load(tmp_path / ".transync/memory/en-ja.po", "en", "ja").ensure_writable()
    assert ignore.read_text() == "# mine\n"  # never over one a user wrote
