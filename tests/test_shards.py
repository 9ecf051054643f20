"""A batch split across machines: shards write memory deltas, one merge gives what one run gives.

Every shard runs in its own copy of the site against the DeepL-compatible
fake server (tests/deepl_fake.py); the merge gathers the shards' documents and
deltas into a fresh copy. Kills are real processes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import CORPUS, doc, requires_corpus
from deepl_fake import FakeDeepL
from test_memory_durable import SECRET, fake  # noqa: F401 (the fake DeepL server fixture)
from transync.cli import app
from transync.translate import delta, journal
from transync.translate.memory import Memory, memory_path

runner = CliRunner()
SHARDS = 4
PAIRS = (("en", "ja"), ("en", "de"))


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_site(root: Path, documents: int = 16) -> Path:
    """English sources, each with texts of its own, to translate into ja and de."""
    write(root / "_config.yml", 'languages: ["en", "ja", "de"]\ndefault_lang: "en"\n')
    for n in range(documents):
        body = f"## Overview of {n}\n\n" + "".join(f"Document {n} says thing {k}.\n\n" for k in range(6))
        write(root / f"_products/en/gen/doc-{n:02}.md", doc(f"doc-{n:02}", "en", body=body, summary=f'"Summary of document {n}."'))
    return root


def translate(site: Path, fake: FakeDeepL, *args: str):
    env = {"DEEPL_AUTH_KEY": SECRET, "DEEPL_SERVER_URL": fake.url}
    result = runner.invoke(app, ["translate", "--root", str(site), "--format", "json", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def sent(fake: FakeDeepL) -> Counter:
    """Every text the server was asked to translate, with its target language."""
    return Counter((r.params.get("target_lang"), t) for r in fake.requests_to("/v2/translate") for t in r.params.get("text", []))


def site_files(root: Path) -> dict[str, bytes]:
    """The documents and the memories: what a run writes and a site commits."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "_products").rglob("*.md")}
    for src, tgt in PAIRS:
        path = memory_path(root, src, tgt)
        if path.exists():
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def base_site(tmp_path: Path, fake: FakeDeepL) -> Path:
    """A site translated once, then changed: new sources, changed sources, a human entry in the memory."""
    base = make_site(tmp_path / "base", documents=10)
    translate(base, fake, "--jobs", "2")
    make_site(base, documents=16)  # six new sources: missing in both languages
    for n in (1, 4, 7):  # stale: one paragraph changed, the others found in the memory
        source = base / f"_products/en/gen/doc-{n:02}.md"
        source.write_text(source.read_text(encoding="utf-8").replace(f"Document {n} says thing 2.", f"Document {n} now says thing 2."), encoding="utf-8")
    memory = Memory.open(base, "en", "ja")
    memory.put("Document 12 says thing 0.", "人が訳した文 12-0", origin="human")  # a translator got there first
    memory.save()
    fake.clear_requests()
    fake.character_count = 0
    return base


def gather(base: Path, shards: list[Path], into: Path) -> Path:
    """A fresh copy of the base with every document the shards wrote: what the merge job downloads."""
    shutil.copytree(base, into)
    before = site_files(base)
    for shard in shards:
        for rel, data in site_files(shard).items():
            if rel.endswith(".md") and before.get(rel) != data:
                write_bytes = into / rel
                write_bytes.parent.mkdir(parents=True, exist_ok=True)
                write_bytes.write_bytes(data)
    return into


@pytest.fixture
def sharded(tmp_path, fake):
    """One unsharded run and four shards (each in its own copy, --memory-out), from the same base."""
    base = base_site(tmp_path, fake)
    whole = tmp_path / "whole"
    shutil.copytree(base, whole)
    whole_report = translate(whole, fake, "--jobs", "2")
    whole_sent, whole_billed = sent(fake), fake.character_count
    whole_requests = len(fake.requests_to("/v2/translate"))
    fake.clear_requests()
    fake.character_count = 0
    shards, reports = [], []
    for k in range(1, SHARDS + 1):
        copy = tmp_path / f"shard-{k}"
        shutil.copytree(base, copy)
        reports.append(translate(copy, fake, "--jobs", "2", "--shard", f"{k}/{SHARDS}", "--memory-out", str(tmp_path / "deltas" / f"shard-{k}")))
        shards.append(copy)
    return {
        "base": base, "whole": whole, "whole_report": whole_report, "whole_sent": whole_sent, "whole_billed": whole_billed,
        "whole_requests": whole_requests, "shards": shards, "reports": reports, "deltas": tmp_path / "deltas",
        "sharded_sent": sent(fake), "sharded_billed": fake.character_count, "sharded_requests": len(fake.requests_to("/v2/translate")),
    }


# --------------------------------------------------------------------------- four shards, one merge


def test_four_shards_merged_give_the_documents_and_memory_of_one_run(sharded, tmp_path):
    gathered = gather(sharded["base"], sharded["shards"], tmp_path / "gathered")
    result = runner.invoke(app, ["memory", "merge", str(sharded["deltas"]), "--root", str(gathered)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert site_files(gathered) == site_files(sharded["whole"])
    # The stale documents' deltas carry the texts they found in the memory for their uses, and drop the old text's.
    deltas = [delta.read(f) for f in delta.delta_files([sharded["deltas"]])]
    assert any(e.uses_only for d in deltas for e in d.entries)
    old = Memory.open(sharded["whole"], "en", "ja").get("Document 1 says thing 2.")
    assert old is not None and old.occurrences == ()
    # The work was split, not repeated: the same texts were sent, and billed, as by one run.
    assert sharded["sharded_sent"] == sharded["whole_sent"]
    assert sharded["sharded_billed"] == sharded["whole_billed"] > 0
    # Each shard closes its own last request per language: at most one more request per shard and language.
    assert sharded["whole_requests"] <= sharded["sharded_requests"] <= sharded["whole_requests"] + SHARDS * len(PAIRS)


def test_a_shard_leaves_the_memory_file_as_it_was_and_its_journal_keeps_its_work(sharded, fake):
    for copy in sharded["shards"]:
        for src, tgt in PAIRS:
            path = memory_path(copy, src, tgt)
            assert path.read_bytes() == memory_path(sharded["base"], src, tgt).read_bytes()
            assert os.path.exists(journal.journal_path(path))
    # Run again in the same checkout, with more to do: what the journal holds is not sent again, and the
    # new delta is the old one plus the new document.
    first = sharded["shards"][0]
    before = {f.name: delta.read(f) for f in delta.delta_files([sharded["deltas"] / "shard-1"])}
    from transync.translate.run import in_shard

    ref = next(r for r in (f"extra-{i}" for i in range(100)) if in_shard("products", r, (1, SHARDS)))
    write(first / "_products/en/gen/extra.md", doc(ref, "en", body="## Extra\n\nA new review.\n"))
    fake.clear_requests()
    translate(first, fake, "--shard", f"1/{SHARDS}", "--memory-out", str(sharded["deltas"] / "again"))
    assert {t for _, t in sent(fake)} == {f"{ref} review", "Extra", "A new review."}
    after = {f.name: delta.read(f) for f in delta.delta_files([sharded["deltas"] / "again"])}
    for name, old in before.items():
        assert set(old.entries) < set(after[name].entries)
        assert set(after[name].documents) == set(old.documents) | {"_products/en/gen/extra.md"}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(2 * SHARDS)))
def test_deltas_merged_in_any_order_give_the_same_bytes(sharded, order):
    files = delta.delta_files([sharded["deltas"]])
    assert len(files) == 2 * SHARDS  # one per shard and language pair
    deltas = [delta.read(files[i]) for i in order]
    for src, tgt in PAIRS:
        memory = Memory.open(sharded["base"], src, tgt)
        delta.merge(memory, [d for d in deltas if d.target_lang == tgt])
        assert memory.to_po().encode() == memory_path(sharded["whole"], src, tgt).read_bytes()


def test_each_shard_reports_what_it_planned_and_wrote_and_the_merge_verifies_the_plan(sharded, tmp_path, fake):
    plan = tmp_path / "plan.json"
    dry = runner.invoke(app, ["translate", "--root", str(sharded["base"]), "--dry-run", "--format", "json"], catch_exceptions=False)
    plan.write_text(dry.stdout, encoding="utf-8")
    planned = {d["path"] for d in json.loads(dry.stdout)["documents"] if d["status"] == "planned"}
    written = set()
    for k, report in enumerate(sharded["reports"], 1):
        assert report["shard"] == f"{k}/{SHARDS}"
        assert [d["target_lang"] for d in report["memory_deltas"]] == ["de", "ja"]
        assert all(Path(d["path"]).exists() for d in report["memory_deltas"])
        written |= {d["path"] for d in report["documents"] if d["status"] == "written"}
    assert written == planned

    # Three shards arrive, one does not: the merge says which planned documents are missing.
    partial = gather(sharded["base"], sharded["shards"][:3], tmp_path / "partial")
    result = runner.invoke(app, ["memory", "merge", *(str(sharded["deltas"] / f"shard-{k}") for k in (1, 2, 3)),
                                 "--root", str(partial), "--verify", str(plan), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    missing = {d["path"] for d in json.loads(result.stdout)["verify"]["missing"]}
    fourth = {d["path"] for d in sharded["reports"][3]["documents"] if d["status"] == "written"}
    assert missing == fourth and missing

    complete = gather(sharded["base"], sharded["shards"], tmp_path / "complete")
    result = runner.invoke(app, ["memory", "merge", str(sharded["deltas"]), "--root", str(complete), "--verify", str(plan)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"verify: {len(planned)} of {len(planned)} planned documents arrived" in result.output


def test_table_output_names_the_shard_and_its_deltas(tmp_path, fake, monkeypatch):
    from transync.translate.run import in_shard

    site = make_site(tmp_path / "site", documents=4)
    mine = [n for n in range(4) if in_shard("products", f"doc-{n:02}", (2, 2))]
    env = {"DEEPL_AUTH_KEY": SECRET, "DEEPL_SERVER_URL": fake.url}
    monkeypatch.chdir(tmp_path)  # paths print relative to the current folder
    result = runner.invoke(app, ["translate", "--root", str(site), "--shard", "2/2", "--to", "ja", "--memory-out", str(tmp_path / "out")], env=env)
    assert result.exit_code == 0, result.output
    line = next(l for l in result.output.splitlines() if l.startswith("shard 2/2:"))
    texts = 9  # title, summary, heading, six paragraphs
    assert line == (f"shard 2/2: {len(mine)} documents planned, {len(mine)} written; "
                    f"memory delta out/en-ja.po ({len(mine) * texts} entries, {len(mine)} documents)")
    assert len(mine) >= 2


# --------------------------------------------------------------------------- the merge's rules


def delta_text(*entries: str, documents: tuple[str, ...] = (), shard: str = "1/2") -> str:
    head = "".join(f"# document: {d}\n" for d in documents)
    return (
        f"{head}msgid \"\"\nmsgstr \"\"\n\"Language: ja\\n\"\n\"X-Source-Language: en\\n\"\n\"X-Transync-Delta: 1\\n\"\n"
        f"\"X-Transync-Shard: {shard}\\n\"\n\"X-Transync-Base: none\\n\"\n\n" + "\n".join(entries)
    )


def machine(source: str, translation: str, engine: str = "deepl", *uses: str) -> str:
    from transync.translate.memory import origin_mark

    lines = [f"#. {origin_mark('machine', engine, None, source, translation)}", *(f"#: {u}" for u in uses)]
    return "\n".join(lines) + f'\nmsgid "{source}"\nmsgstr "{translation}"\n'


def human(source: str, translation: str, *uses: str) -> str:
    return "\n".join(["#. transync: human", *(f"#: {u}" for u in uses)]) + f'\nmsgid "{source}"\nmsgstr "{translation}"\n'


@pytest.fixture
def ja_site(tmp_path):
    write(tmp_path / "site/_config.yml", 'languages: ["en", "ja"]\ndefault_lang: "en"\n')
    return tmp_path / "site"


def merged(site: Path, *texts: str) -> tuple[Memory, delta.MergeResult]:
    files = []
    for n, text in enumerate(texts):
        path = site.parent / f"delta-{n}.po"
        path.write_text(text, encoding="utf-8")
        files.append(delta.read(path))
    memory = Memory.open(site, "en", "ja")
    return memory, delta.merge(memory, files)


def test_a_human_translation_wins_over_a_machine_one_whatever_the_order(ja_site):
    a = delta_text(machine("Hello.", "機械"), shard="1/2")
    b = delta_text(human("Hello.", "人間"), shard="2/2")
    for texts in ((a, b), (b, a)):
        memory, result = merged(ja_site, *texts)
        assert (memory.get("Hello.").translation, memory.get("Hello.").origin) == ("人間", "human")
        assert result.conflicts == []


def test_a_machine_translation_never_replaces_a_human_one_in_the_memory(ja_site):
    memory = Memory.open(ja_site, "en", "ja")
    memory.put("Hello.", "人間", origin="human")
    memory.save()
    memory, result = merged(ja_site, delta_text(machine("Hello.", "機械")))
    assert memory.get("Hello.").translation == "人間"
    assert result.results["kept"] == 1


def test_two_machine_translations_resolve_to_the_smallest_engine_and_text_and_are_reported(ja_site):
    a = delta_text(machine("Hello.", "こんにちは", "openai"), shard="1/3")
    b = delta_text(machine("Hello.", "やあ", "deepl"), shard="2/3")
    c = delta_text(machine("Hello.", "こんにちは", "deepl"), shard="3/3")
    outcomes = set()
    for texts in ((a, b, c), (c, b, a), (b, a, c)):
        memory, result = merged(ja_site, *texts)
        entry = memory.get("Hello.")
        outcomes.add((entry.engine, entry.translation))
        assert len(result.conflicts) == 1
        assert result.conflicts[0].chosen == ("machine", "deepl", "こんにちは")
        assert set(result.conflicts[0].others) == {("machine", "deepl", "やあ"), ("machine", "openai", "こんにちは")}
    assert outcomes == {("deepl", "こんにちは")}  # "deepl" < "openai"; then "こ" (U+3053) < "や" (U+3084)


def test_uses_of_a_document_are_replaced_by_the_delta_that_lists_it(ja_site):
    memory = Memory.open(ja_site, "en", "ja")
    memory.put("Old.", "古い", origin="machine", engine="deepl", occurrences=[("a.md", 3), ("b.md", 5)])
    memory.save()
    # The run re-translated a.md: "Old." is no longer used there, "New." is, at line 3.
    text = delta_text(machine("New.", "新しい", "deepl", "a.md:3"), documents=("a.md",))
    memory, result = merged(ja_site, text)
    assert memory.get("Old.").occurrences == (("b.md", 5),)
    assert memory.get("New.").occurrences == (("a.md", 3),)
    assert result.documents == 1


def test_two_deltas_with_different_uses_of_one_document_are_refused(ja_site, tmp_path):
    a = delta_text(machine("A.", "エー", "deepl", "a.md:3"), documents=("a.md",))
    b = delta_text(machine("B.", "ビー", "deepl", "a.md:3"), documents=("a.md",), shard="2/2")
    with pytest.raises(delta.DeltaConflict, match="a.md: its uses differ"):
        merged(ja_site, a, b)
    # The same delta twice (an artifact downloaded twice) is no conflict.
    memory, _ = merged(ja_site, a, a)
    assert memory.get("A.").occurrences == (("a.md", 3),)


def test_a_file_that_is_not_a_delta_is_refused_with_its_name(ja_site, tmp_path):
    memory = Memory.open(ja_site, "en", "ja")
    memory.put("Hello.", "こんにちは", origin="human")
    memory.save()
    result = runner.invoke(app, ["memory", "merge", str(memory.path), "--root", str(ja_site)])
    assert result.exit_code == 2
    assert f"{memory.path}: not a transync memory delta" in result.output
    odd = tmp_path / "odd.po"
    odd.write_text(delta_text(machine("A.", "エー", "deepl", "z.md:1"), documents=("a.md",)), encoding="utf-8")
    result = runner.invoke(app, ["memory", "merge", str(odd), "--root", str(ja_site)])
    assert result.exit_code == 2
    assert "is used by z.md, which the delta does not list" in result.output
    french = tmp_path / "fr.po"
    french.write_text(delta_text(machine("A.", "Un.")).replace("Language: ja", "Language: fr"), encoding="utf-8")
    result = runner.invoke(app, ["memory", "merge", str(french), "--root", str(ja_site)])
    assert result.exit_code == 2
    assert f"{french}: a delta for en -> fr, not a language pair of this site" in result.output


def test_a_delta_passes_msgfmt(sharded):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed")
    for path in delta.delta_files([sharded["deltas"]]):
        check = subprocess.run([msgfmt, "--check-format", "-o", os.devnull, str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


# --------------------------------------------------------------------------- a shard killed and run again


WRAPPER = "import sys; from transync.translate import run; run.MAX_TEXTS = 4; from transync.cli import main; sys.argv = ['transync'] + sys.argv[1:]; main()"


def test_a_shard_killed_mid_run_and_run_again_still_merges_to_one_run(tmp_path, fake):
    base = make_site(tmp_path / "base", documents=12)
    whole = tmp_path / "whole"
    shutil.copytree(base, whole)
    subprocess_env = dict(os.environ, DEEPL_AUTH_KEY=SECRET, DEEPL_SERVER_URL=fake.url, NO_PROXY="127.0.0.1",
                          TRANSYNC_CACHE_DIR=str(tmp_path / "cache"))
    run = lambda site, *args: subprocess.Popen(  # noqa: E731
        [sys.executable, "-c", WRAPPER, "translate", "--root", str(site), "--jobs", "1", "--format", "json", *args],
        env=subprocess_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert run(whole).wait(timeout=120) == 0
    fake.clear_requests()

    shards = []
    for k in (1, 2):
        copy = tmp_path / f"shard-{k}"
        shutil.copytree(base, copy)
        shards.append(copy)
    assert run(shards[0], "--shard", "1/2", "--memory-out", str(tmp_path / "deltas/shard-1")).wait(timeout=120) == 0

    fake.latency = 0.1  # shard 2 is killed amid its documents
    proc = run(shards[1], "--shard", "2/2", "--memory-out", str(tmp_path / "deltas/shard-2"))
    log = journal.journal_path(memory_path(shards[1], "en", "ja"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((shards[1] / "_products/ja/gen").glob("*.md"))) < 2:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    killed_at = len(list((shards[1] / "_products/ja/gen").glob("*.md")))
    assert killed_at >= 2 and not (tmp_path / "deltas/shard-2").exists(), "the kill should land before the end"
    # What the memory holds now (the PO file and the journal) was bought before the kill.
    bought = {(tgt.upper(), e.source) for src, tgt in PAIRS for e in Memory.open(shards[1], src, tgt)}
    assert bought and not memory_path(shards[1], "en", "ja").exists()  # the memory file was never written

    fake.latency = 0.0
    fake.clear_requests()
    again = run(shards[1], "--shard", "2/2", "--memory-out", str(tmp_path / "deltas/shard-2"))
    assert again.wait(timeout=120) == 0, again.stderr.read()
    # Nothing bought before the kill is bought again.
    assert sent(fake) and not set(sent(fake)) & bought

    gathered = gather(base, shards, tmp_path / "gathered")
    result = runner.invoke(app, ["memory", "merge", str(tmp_path / "deltas"), "--root", str(gathered)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert site_files(gathered) == site_files(whole)


def test_a_shard_stopped_and_run_again_on_a_fresh_checkout_resumes_from_its_delta(tmp_path, fake):
    """The CI recipe: attempt 1 is stopped (SIGTERM, a cancelled job) and uploads what it finished; attempt 2 runs
    in a new checkout holding those documents and that delta, and sends only the rest."""
    base = make_site(tmp_path / "base", documents=12)
    whole = tmp_path / "whole"
    shutil.copytree(base, whole)
    translate(whole, fake, "--jobs", "1")
    fake.clear_requests()
    env = dict(os.environ, DEEPL_AUTH_KEY=SECRET, DEEPL_SERVER_URL=fake.url, NO_PROXY="127.0.0.1", TRANSYNC_CACHE_DIR=str(tmp_path / "cache"))
    deltas = tmp_path / "deltas"
    first = tmp_path / "shard-1"
    shutil.copytree(base, first)
    translate(first, fake, "--shard", "1/2", "--memory-out", str(deltas / "shard-1"))

    attempt1 = tmp_path / "attempt-1"
    shutil.copytree(base, attempt1)
    fake.latency = 0.1
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER, "translate", "--root", str(attempt1), "--jobs", "1", "--shard", "2/2",
                             "--memory-out", str(deltas / "shard-2/attempt-1")], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((attempt1 / "_products/ja/gen").glob("*.md"))) < 2:
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    partial = delta.read(deltas / "shard-2/attempt-1/en-ja.po")
    assert 2 <= len(partial.documents) < sum(1 for n in range(12) if (whole / f"_products/ja/gen/doc-{n:02}.md").exists())
    bought = {(d.target_lang.upper(), e.source) for d in map(delta.read, delta.delta_files([deltas / "shard-2"])) for e in d.entries}

    attempt2 = tmp_path / "attempt-2"  # a new machine: the base, plus what attempt 1 uploaded
    shutil.copytree(base, attempt2)
    for path in attempt1.rglob("*.md"):
        rel = path.relative_to(attempt1)
        if not (base / rel).exists():
            (attempt2 / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, attempt2 / rel)
    assert runner.invoke(app, ["memory", "merge", str(deltas / "shard-2"), "--root", str(attempt2)]).exit_code == 0
    fake.latency = 0.0
    fake.clear_requests()
    translate(attempt2, fake, "--shard", "2/2", "--memory-out", str(deltas / "shard-2/attempt-2"))
    assert sent(fake) and not set(sent(fake)) & bought  # nothing attempt 1 bought is bought again

    gathered = gather(base, [first, attempt2], tmp_path / "gathered")
    result = runner.invoke(app, ["memory", "merge", str(deltas), "--root", str(gathered)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert site_files(gathered) == site_files(whole)


texts = st.sampled_from(["A.", "B.", "C.", "D."])
candidates = st.tuples(texts, st.sampled_from(["machine", "human"]), st.sampled_from(["deepl", "openai"]), st.sampled_from(["x", "y"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(candidates, max_size=5), min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_any_deltas_merge_to_the_same_bytes_in_any_order(tmp_path_factory, shards, rnd):
    """Rival translations of the same texts in several deltas, each delta with a document of its own."""
    root = tmp_path_factory.mktemp("merge")
    made = []
    for n, entries in enumerate(shards):
        chosen = {}
        for source, origin, engine, translation in entries:
            chosen[source] = (origin, engine, f"{translation}-{source}")
        made.append(delta.Delta("en", "ja", f"{n + 1}/{len(shards)}", "none", (f"doc-{n}.md",), tuple(
            delta.DeltaEntry(source, tr, origin, engine if origin == "machine" else None, None, occurrences=((f"doc-{n}.md", line),))
            for line, (source, (origin, engine, tr)) in enumerate(sorted(chosen.items()), 1)
        ), root / f"delta-{n}.po"))
    outputs = set()
    for _ in range(3):
        order = made[:]
        rnd.shuffle(order)
        # Through the PO text and back, as the merge job reads them.
        read = []
        for d in order:
            d.path.write_text(delta.to_po(d), encoding="utf-8")
            read.append(delta.read(d.path))
        memory = Memory(root / "memory.po", "en", "ja")
        memory.put("A.", "human-A.", origin="human")
        delta.merge(memory, read)
        outputs.add(memory.to_po())
        assert memory.get("A.").origin == "human"  # a human entry is never replaced by a machine one
    assert len(outputs) == 1


@requires_corpus()
def test_corpus_reviews_in_four_shards_merge_to_one_run(tmp_path, fake):
    """Real reviews (math, code, tables, links, shared sentences), four shards in any merge order: one run's bytes."""
    sources = sorted((CORPUS / "_products/en").rglob("*.md"))[:40]
    base = tmp_path / "base"
    write(base / "_config.yml", 'languages: ["en", "ja", "de"]\ndefault_lang: "en"\ncollections: [products]\n')
    for path in sources:
        target = base / path.relative_to(CORPUS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    whole = tmp_path / "whole"
    shutil.copytree(base, whole)
    translate(whole, fake, "--to", "ja")
    shards = []
    for k in range(1, SHARDS + 1):
        copy = tmp_path / f"shard-{k}"
        shutil.copytree(base, copy)
        translate(copy, fake, "--to", "ja", "--shard", f"{k}/{SHARDS}", "--memory-out", str(tmp_path / f"deltas/{SHARDS - k}"))
        shards.append(copy)
    gathered = gather(base, shards, tmp_path / "gathered")
    result = runner.invoke(app, ["memory", "merge", str(tmp_path / "deltas"), "--root", str(gathered)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(site_files(whole)) > len(sources)
    assert site_files(gathered) == site_files(whole)


def test_the_merge_reports_a_conflict_in_its_table_and_json(ja_site, tmp_path):
    (tmp_path / "a.po").write_text(delta_text(machine("Hello.", "やあ", "deepl")), encoding="utf-8")
    (tmp_path / "b.po").write_text(delta_text(machine("Hello.", "こんにちは", "deepl"), shard="2/2"), encoding="utf-8")
    result = runner.invoke(app, ["memory", "merge", str(tmp_path / "b.po"), str(tmp_path / "a.po"), "--root", str(ja_site)])
    assert result.exit_code == 0, result.output
    assert "  conflict 'Hello.': deepl 'こんにちは' chosen over deepl 'やあ'\n" in result.output
    again = runner.invoke(app, ["memory", "merge", str(tmp_path / "a.po"), str(tmp_path / "b.po"), "--root", str(ja_site), "--format", "json"])
    memory = json.loads(again.stdout)["memories"][0]
    assert memory["conflicts"] == [{"source": "Hello.", "context": None, "chosen": {"origin": "machine", "engine": "deepl", "translation": "こんにちは"},
                                    "others": [{"origin": "machine", "engine": "deepl", "translation": "やあ"}]}]
    assert memory["saved"] is False  # the same deltas again: the file already holds exactly this
