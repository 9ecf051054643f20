"""The translation job: selection, batching, writing, refusals and resuming."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from conftest import doc
from transync import document
from transync.site import scan, status
from transync.translate import run as translate
from transync.site.config import load_config
from transync.errors import QuotaExceeded, UsageError
from transync.translate.engines import Translated
from transync.translate.engines.pseudo import PseudoEngine

PLACEHOLDER = re.compile(r'<x id="\d+"/>')
BODY = "## Overview\n\nThe **A-1** costs `279 USD` [1].\n\n$$ \\Large \\text{0.6} $$\n\nSecond paragraph.\n"


def report_of(root: Path):
    return status.report(scan.scan(load_config(root), use_cache=False))


def states(root: Path) -> dict[tuple[str, str], str]:
    return {(i.ref, i.lang): i.state for i in report_of(root).items}


#: The pseudo engine's text under another name: a machine translation, as a real engine's output is
#: (output of the engine named ``pseudo`` is a preview, never counted as a translation).
MACHINE = PseudoEngine(name="machine")


def run(root: Path, engine=None, *, force=False, shard=None, jobs=2, max_chars=None, memory=False):
    rep = report_of(root)
    engine = engine or MACHINE
    selected, skips = translate.select(rep, force=force, shard=shard, keep_edits=memory, engine=engine.name)
    r = translate.Run(rep.config, engine, translate.TranslateOptions(), workers=jobs, max_chars=max_chars, use_memory=memory)
    summary = r.run(selected)
    summary.skipped = skips
    return summary


class Recording:
    """Pseudo translation that records every request; scripted failures by request number."""

    name = "recording"

    def __init__(self, fail: dict[int, Exception] | None = None, mangle: dict[int, int] | None = None):
        self.calls: list[list[str]] = []
        self.targets: list[str] = []
        self.fail = fail or {}
        self.mangle = mangle or {}  # request number -> how many texts with a placeholder to break
        self.lock = threading.Lock()

    def translate(self, texts, *, source_lang, target_lang):
        with self.lock:
            self.calls.append(list(texts))
            self.targets.append(target_lang)
            n = len(self.calls)
        if n in self.fail:
            raise self.fail[n]
        out = PseudoEngine().translate(texts, source_lang=source_lang, target_lang=target_lang)
        broken = self.mangle.get(n, 0)
        result = []
        for t in out:
            if broken and PLACEHOLDER.search(t.text):
                t = Translated(PLACEHOLDER.sub("", t.text, count=1), t.billed_characters)
                broken -= 1
            result.append(t)
        return result


@pytest.fixture
def site(make_site):
    files = {f"_products/en/p/p{n}.md": doc(f"p{n}", "en", body=BODY) for n in range(6)}
    return make_site(files, config='languages: ["en", "ja", "de"]\n')


def test_missing_translations_are_written_and_become_current(site):
    summary = run(site)
    assert len(summary.written) == 12 and summary.failed == [] and summary.stopped is None
    assert set(states(site).values()) == {"current"}
    text = (site / "_products/ja/p/p0.md").read_text()
    assert "`279 USD` [1]" in text and "$$ \\Large \\text{0.6} $$" in text and "lang: ja\n" in text
    assert summary.billed_characters == summary.characters > 0


def test_requests_are_batched_per_language_within_limits(site, monkeypatch):
    engine = Recording()
    monkeypatch.setattr(translate, "MAX_TEXTS", 5)
    summary = run(site, engine)
    texts_per_lang = summary.texts // 2
    assert all(len(call) <= 5 for call in engine.calls)
    assert summary.requests == len(engine.calls) == 2 * -(-texts_per_lang // 5)


def test_requests_respect_the_byte_limit(site, monkeypatch):
    import shutil

    unlimited = Recording()
    run(site, unlimited, jobs=1)
    for lang in ("ja", "de"):
        shutil.rmtree(site / "_products" / lang)
    limited = Recording()
    monkeypatch.setattr(translate, "MAX_BYTES", 200)
    run(site, limited, jobs=1)

    texts = sum(len(call) for call in limited.calls)
    assert texts == sum(len(call) for call in unlimited.calls) > 0  # the same work
    assert all(sum(len(t.encode()) for t in call) <= 200 for call in limited.calls)
    # Batched (several texts a request), and split by the limit alone: more requests than without it.
    assert any(len(call) > 1 for call in limited.calls)
    assert len(unlimited.calls) < len(limited.calls) < texts


def test_stale_machine_translation_is_updated_hand_made_and_edited_are_left(site):
    run(site)
    # Source changes: every translation of p0 and p1 is stale.
    for n in (0, 1):
        path = site / f"_products/en/p/p{n}.md"
        path.write_text(path.read_text().replace("Second paragraph.", "Revised paragraph."))
    # p1/ja edited by hand after transync wrote it; p1/de replaced by a hand-made file.
    ja = site / "_products/ja/p/p1.md"
    ja.write_text(ja.read_text().replace("⟦Šéçöñđ", "⟦Hand-edited"))
    (site / "_products/de/p/p1.md").write_text(doc("p1", "de", "2024-01-01", body="Handgemacht.\n"))

    summary = run(site)
    assert sorted((r.job.ref, r.job.lang) for r in summary.written) == [("p0", "de"), ("p0", "ja")]
    reasons = {(s.item.ref, s.item.lang): s.reason for s in summary.skipped}
    assert "edited by hand" in reasons[("p1", "ja")]
    assert "made by hand" in reasons[("p1", "de")]
    assert "Ŕévîšéđ" in (site / "_products/ja/p/p0.md").read_text()
    assert "Hand-edited" in ja.read_text()

    summary = run(site, force=True)
    assert sorted((r.job.ref, r.job.lang) for r in summary.written) == [("p1", "de"), ("p1", "ja")]
    assert set(states(site).values()) == {"current"}


def test_quota_stops_cleanly_keeps_finished_documents_and_resumes(site, monkeypatch):
    monkeypatch.setattr(translate, "MAX_TEXTS", 4)
    engine = Recording(fail={3: QuotaExceeded("quota")})
    summary = run(site, engine, jobs=1)
    assert isinstance(summary.stopped, QuotaExceeded)
    assert summary.written and summary.not_started
    for result in summary.written:  # every written file is whole and current
        path = site / result.job.target_path
        assert document.parse(path.read_bytes()).meta["transync"]["source_hash"]
    assert len(summary.written) + len(summary.not_started) == 12
    before = {r.job.target_path for r in summary.written}

    again = run(site, Recording(), jobs=2)
    assert {r.job.target_path for r in again.written}.isdisjoint(before)
    assert len(again.written) == len(summary.not_started)
    assert set(states(site).values()) == {"current"}


def test_broken_tags_are_retried_once_then_the_document_is_not_written(site, monkeypatch):
    monkeypatch.setattr(translate, "MAX_TEXTS", 100)
    # Request 1 breaks one text; the retry (request 3 with jobs=1, after de's request 2) succeeds.
    summary = run(site, Recording(mangle={1: 1}), jobs=1)
    assert summary.failed == [] and len(summary.written) == 12

    for path in site.glob("_products/[jd][ae]/**/*.md"):
        path.unlink()
    # Every request breaks its first text: the retry breaks again and that document fails.
    summary = run(site, Recording(mangle={n: 1 for n in range(1, 20)}), jobs=1)
    failed = {(r.job.ref, r.job.lang) for r in summary.failed}
    assert failed and all("after a retry" in r.reason for r in summary.failed)
    for ref, lang in failed:
        assert not (site / f"_products/{lang}/p/{ref}.md").exists()


def test_max_chars_stops_before_the_budget_is_exceeded(site):
    rep = report_of(site)
    jobs, _ = translate.select(rep)
    plan = translate.Run(rep.config, None, translate.TranslateOptions()).dry_run(jobs)
    one = plan.planned[0].characters
    summary = run(site, max_chars=one * 3 + 1)
    assert len(summary.written) == 3
    assert len(summary.not_started) == 9


def test_dry_run_counts_and_sends_nothing(site):
    rep = report_of(site)
    jobs, _ = translate.select(rep)
    summary = translate.Run(rep.config, None, translate.TranslateOptions()).dry_run(jobs)
    assert len(summary.planned) == 12
    assert summary.texts == 12 * 4  # per document: 3 body segments and the title
    assert summary.requests == 2 * -(-(summary.texts // 2) // 50)
    assert not list(site.glob("_products/ja/**/*.md"))


def test_shards_split_the_work_without_overlap(site):
    rep = report_of(site)
    everything = {(j.ref, j.lang) for j in translate.select(rep)[0]}
    parts = [{(j.ref, j.lang) for j in translate.select(rep, shard=(k, 3))[0]} for k in (1, 2, 3)]
    assert set().union(*parts) == everything
    assert sum(len(p) for p in parts) == len(everything)
    for part in parts:  # every language of a ref in the same shard
        refs = {r for r, _ in part}
        assert all((r, lang) in part for r in refs for lang in ("ja", "de"))
    with pytest.raises(UsageError, match="K/N") as info:
        translate.parse_shard("3")
    assert info.value.exit_code == 2
    with pytest.raises(UsageError, match="between 1 and N"):
        translate.parse_shard("4/3")


def test_leftover_temporary_files_are_cleaned_up(site):
    folder = site / "_products/ja/p"
    folder.mkdir(parents=True)
    (folder / ".p0.md.ab12cd34.tmp").write_text("half a docu")
    (folder / ".notes.txt").write_text("not ours")
    run(site)
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == [".notes.txt"]


# --------------------------------------------------------------------------- translation memory


def test_an_edited_paragraph_is_the_only_text_sent_again(site):
    first = run(site, Recording(), memory=True)
    assert len(first.written) == 12
    memory_file = site / ".transync/memory/en-ja.po"
    assert memory_file.exists() and (site / ".transync/memory/en-de.po").exists()

    path = site / "_products/en/p/p3.md"
    path.write_text(path.read_text().replace("Second paragraph.", "A revised second paragraph."))
    engine = Recording()
    second = run(site, engine, memory=True)
    assert sorted((r.job.ref, r.job.lang) for r in second.written) == [("p3", "de"), ("p3", "ja")]
    assert [t for call in engine.calls for t in call] == ["A revised second paragraph."] * 2
    # The title and two unchanged segments in each language are kept from the translations.
    assert second.kept_texts == 2 * 3 and second.memory_texts == 0
    assert set(states(site).values()) == {"current"}


def test_a_human_entry_in_the_memory_wins(site):
    from transync.translate.memory import Memory

    memory = Memory.open(site, "en", "ja")
    memory.put("Second paragraph.", "人が訳した第二段落。", origin="human")
    memory.save()
    engine = Recording()
    run(site, engine, memory=True)
    # Sent for German only: the Japanese text came from the memory.
    sent_ja = [t for call, lang in zip(engine.calls, engine.targets) if lang == "ja" for t in call]
    sent_de = [t for call, lang in zip(engine.calls, engine.targets) if lang == "de" for t in call]
    assert "Second paragraph." not in sent_ja and "Second paragraph." in sent_de
    text = (site / "_products/ja/p/p0.md").read_text()
    assert "人が訳した第二段落。" in text
    assert "人が訳した第二段落。" not in (site / "_products/de/p/p0.md").read_text()
    reloaded = Memory.open(site, "en", "ja")
    assert reloaded.get("Second paragraph.").origin == "human"
    assert reloaded.get("Overview").origin == "machine"


def test_the_pseudo_engine_is_never_remembered(site):
    run(site, PseudoEngine(), memory=True)
    assert not (site / ".transync/memory").exists()


def test_human_edits_survive_a_source_change(site):
    run(site, Recording(), memory=True)
    ja = site / "_products/ja/p/p1.md"
    machine = ja.read_text()
    machine_second = next(line for line in machine.splitlines() if "Šéçöñđ" in line)
    ja.write_text(machine.replace(machine_second, "人が直した第二段落。"))
    src = site / "_products/en/p/p1.md"
    src.write_text(src.read_text().replace("## Overview", "## Overview of the A-1"))

    summary = run(site, Recording(), memory=True)
    assert sorted((r.job.ref, r.job.lang, r.job.reason) for r in summary.written) == [("p1", "de", "stale"), ("p1", "ja", "edited")]
    assert summary.human_edits == 1
    text = ja.read_text()
    assert "人が直した第二段落。" in text  # the edit is kept ...
    assert "Övéŕvîéŵ öf ţĥé Å-1" in text  # ... and the changed heading is translated
    assert set(states(site).values()) == {"current"}
    from transync.translate.memory import Memory

    assert Memory.open(site, "en", "ja").get("Second paragraph.").origin == "human"


def test_an_edit_that_changes_the_structure_is_left_alone(site):
    run(site, Recording(), memory=True)
    ja = site / "_products/ja/p/p1.md"
    ja.write_text(ja.read_text() + "\n追加された段落。\n")
    src = site / "_products/en/p/p1.md"
    src.write_text(src.read_text().replace("Second paragraph.", "Second paragraph, revised."))
    before = ja.read_text()
    summary = run(site, Recording(), memory=True)
    failed = {(r.job.ref, r.job.lang): r.reason for r in summary.failed}
    assert "structure no longer matches the source it was translated from" in failed[("p1", "ja")]
    assert ja.read_text() == before


def test_diff_and_ack_of_a_source_change(site):
    from typer.testing import CliRunner

    from transync.cli import app

    run(site, Recording(), memory=True)
    src = site / "_products/en/p/p2.md"
    src.write_text(src.read_text().replace("Second paragraph.", "Second paragraph, with a typo fixed."))
    assert states(site)[("p2", "ja")] == "stale"

    cli = CliRunner()
    result = cli.invoke(app, ["diff", "p2", "--lang", "ja", "--root", str(site)])
    assert result.exit_code == 1
    assert f"@@ changed @@ {site}/_products/en/p/p2.md:" in result.stdout  # relative to the cwd, which is outside
    assert "- Second paragraph.\n+ Second paragraph, with a typo fixed.\n  translated as: ⟦Šéçöñđ" in result.stdout
    assert result.stdout.count("@@") == 2  # one change, nothing else

    before = (site / "_products/ja/p/p2.md").read_text()
    result = cli.invoke(app, ["ack", "p2", "--lang", "ja", "--root", str(site)])
    assert result.exit_code == 0, result.output
    assert states(site)[("p2", "ja")] == "current"
    assert states(site)[("p2", "de")] == "stale"
    after = (site / "_products/ja/p/p2.md").read_text()
    # Only the provenance line changed, and the translation still counts as transync's, not edited.
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(changed) == 1 and changed[0][0].startswith("transync: ")
    item = next(i for i in report_of(site).items if i.ref == "p2" and i.lang == "ja")
    assert item.provenance and not item.edited
    assert cli.invoke(app, ["diff", "p2", "--lang", "ja", "--root", str(site)]).exit_code == 0


def test_ack_of_a_hand_made_translation_records_a_human_provenance(make_site):
    root = make_site({"_products/en/p.md": doc("p", "en", "2025-03-01"), "_products/ja/p.md": doc("p", "ja", "2025-01-01")})
    from typer.testing import CliRunner

    from transync.cli import app

    result = CliRunner().invoke(app, ["ack", "p", "--lang", "ja", "--root", str(root)])
    assert result.exit_code == 0, result.output
    text = (root / "_products/ja/p.md").read_text()
    assert "date: 2025-01-01\n" in text and 'source_date: 2025-03-01, engine: "human", ' in text  # judged by provenance, not dates
    assert states(root)[("p", "ja")] == "current"
    result = CliRunner().invoke(app, ["ack", "p", "--lang", "ja", "--root", str(root)])
    assert (result.exit_code, result.stdout) == (0, "nothing to acknowledge: 1 translation already current\n")


def test_field_rules_per_collection(make_site):
    root = make_site(
        {
            "transync.toml": '[collections.products.fields]\nsummary = "keep"\n',
            "_products/en/p.md": doc("p", "en", summary='"Kept as written."'),
            "_companies/en/c.md": doc("c", "en", summary='"Translated."'),
        },
        config='languages: ["en", "ja"]\ncollections: [products, companies]\n',
    )
    config = load_config(root)
    assert {c.name: c.fields["summary"] for c in config.collections} == {"products": "keep", "companies": "translate"}
    run(root)
    assert 'summary: "Kept as written."' in (root / "_products/ja/p.md").read_text()
    assert 'summary: "⟦' in (root / "_companies/ja/c.md").read_text()
    # A kept summary is not translatable content: the translation follows the edit, and nothing is sent.
    src = root / "_products/en/p.md"
    src.write_text(src.read_text().replace("Kept as written.", "Kept, edited."))
    item = next(i for i in report_of(root).items if (i.ref, i.lang) == ("p", "ja"))
    assert (item.state, item.content_stale, item.outdated_fields) == ("stale", False, ("summary",))
    engine = Recording()
    summary = run(root, engine)
    assert engine.calls == [] and [r.job.reason for r in summary.written] == ["fields"]
    assert 'summary: "Kept, edited."' in (root / "_products/ja/p.md").read_text()
    assert states(root)[("p", "ja")] == "current"
    comp = root / "_companies/en/c.md"
    comp.write_text(comp.read_text().replace("Translated.", "Translated, edited."))
    assert states(root)[("c", "ja")] == "stale"


def test_an_edited_translation_without_a_memory_record_is_left_alone(site):
    run(site, Recording(), memory=True)
    for po in (site / ".transync/memory").iterdir():
        po.unlink()  # the record of what transync wrote is gone
    ja = site / "_products/ja/p/p1.md"
    ja.write_text(ja.read_text().replace("⟦Šéçöñđ", "⟦Hand-edited"))
    src = site / "_products/en/p/p1.md"
    src.write_text(src.read_text().replace("## Overview", "## Overview of the A-1"))
    before = ja.read_text()
    summary = run(site, Recording(), memory=True)
    failed = {(r.job.ref, r.job.lang): r.reason for r in summary.failed}
    assert "no record of most of what transync wrote" in failed[("p1", "ja")]
    assert ja.read_text() == before  # the human edit is not overwritten
