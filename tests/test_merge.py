"""Three-way merge: a translation edited by hand follows its changed source, keeping every
human segment whose source did not change; only new and changed segments are sent."""

from __future__ import annotations

import json

from conftest import doc
from test_translate import Recording, report_of, run
from test_translate_deepl import fake, site, translate  # noqa: F401  (fixtures)
from transync import document
from transync.document import provenance
from transync.translate.memory import Memory

BODY = "## Overview\n\nFirst paragraph.\n\nSecond paragraph.\n\n$$ x^2 $$\n\nThird paragraph.\n"


def _site(make_site):
    root = make_site({"_products/en/p/p.md": doc("p", "en", body=BODY)}, config='languages: ["en", "ja"]\n')
    run(root, Recording(), memory=True)
    return root


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (old, text)
    path.write_text(text.replace(old, new))


def _human(path, marker: str, new: str) -> None:
    """A translator rewrites the line of the translation that holds ``marker``."""
    lines = path.read_text().split("\n")
    [n] = [i for i, line in enumerate(lines) if marker in line]
    lines[n] = new
    path.write_text("\n".join(lines))


def _sent(engine) -> list[str]:
    return [t for call in engine.calls for t in call]


def test_provenance_records_the_source_segments(make_site):
    root = _site(make_site)
    meta = document.parse((root / "_products/ja/p/p.md").read_bytes()).meta
    codes = provenance.decode(meta["transync"]["segments"])
    assert [provenance.kind(c) for c in codes] == ["heading", "paragraph", "paragraph", "paragraph"]
    assert codes[1] == "p" + provenance.text_hash("First paragraph.")


def test_a_paragraph_added_to_the_source_keeps_the_human_edit(make_site):
    root = _site(make_site)
    target = root / "_products/ja/p/p.md"
    _human(target, "Šéçöñđ", "人が直した第二段落。")
    _edit(root / "_products/en/p/p.md", "First paragraph.\n", "First paragraph.\n\nA new paragraph.\n")
    item = next(i for i in report_of(root).items if i.lang == "ja")
    assert (item.state, item.edited) == ("stale", True)

    engine = Recording()
    summary = run(root, engine, memory=True)
    assert _sent(engine) == ["A new paragraph."]
    assert len(summary.written) == 1 and summary.review == [] and summary.human_edits == 1
    text = target.read_text()
    assert "人が直した第二段落。" in text and "Å ñéŵ" in text
    body = document.parse(text).body
    assert body.index("Fîŕšţ") < body.index("Å ñéŵ") < body.index("人が直した")  # in the source's order
    # The human edit is in the memory too, as a human translation of its source text.
    memory = Memory.open(root, "en", "ja")
    assert memory.get("Second paragraph.").origin == "human"
    assert next(i for i in report_of(root).items if i.lang == "ja").state == "current"


def test_removed_and_moved_paragraphs_keep_the_human_edits(make_site):
    root = _site(make_site)
    target = root / "_products/ja/p/p.md"
    _human(target, "Ţĥîŕđ", "人が直した第三段落。")
    src = root / "_products/en/p/p.md"
    _edit(src, "First paragraph.\n\nSecond paragraph.\n\n$$ x^2 $$\n\nThird paragraph.\n", "Third paragraph.\n\nFirst paragraph.\n")
    engine = Recording()
    summary = run(root, engine, memory=True)
    assert _sent(engine) == [] and summary.failed == []
    body = document.parse(target.read_text()).body
    assert body.index("人が直した第三段落。") < body.index("Fîŕšţ") and "Šéçöñđ" not in body


def test_a_human_segment_whose_source_changed_is_listed_for_review_and_kept_in_the_memory(make_site):
    root = _site(make_site)
    target = root / "_products/ja/p/p.md"
    _human(target, "Šéçöñđ", "人が直した第二段落。")
    _edit(root / "_products/en/p/p.md", "Second paragraph.", "Second paragraph, rewritten.")
    engine = Recording()
    summary = run(root, engine, memory=True)
    assert _sent(engine) == ["Second paragraph, rewritten."]
    [review] = summary.review
    assert review.old_source == "Second paragraph." and review.previous == "人が直した第二段落。"
    assert review.line == document.parse(target.read_text()).text.splitlines().index(next(
        line for line in target.read_text().splitlines() if "Šéçöñđ" in line)) + 1
    memory = Memory.open(root, "en", "ja")
    assert memory.get("Second paragraph.").translation == "人が直した第二段落。"
    # status says so until it is acknowledged
    it = next(i for i in report_of(root).items if i.lang == "ja")
    assert (it.state, it.review) == ("current", 1)
    from typer.testing import CliRunner

    from transync.cli import app

    table = CliRunner().invoke(app, ["status", "--root", str(root)]).stdout
    assert "review (1)" in table and "_products/ja/p/p.md" in table
    assert CliRunner().invoke(app, ["ack", "p", "--lang", "ja", "--root", str(root)]).exit_code == 0
    it = next(i for i in report_of(root).items if i.lang == "ja")
    assert (it.state, it.review) == ("current", 0)


def test_an_edit_that_changes_the_structure_is_still_left_alone(make_site):
    root = _site(make_site)
    target = root / "_products/ja/p/p.md"
    target.write_text(target.read_text() + "\n追加された段落。\n")
    _edit(root / "_products/en/p/p.md", "First paragraph.\n", "First paragraph.\n\nA new paragraph.\n")
    before = target.read_text()
    summary = run(root, Recording(), memory=True)
    assert "structure no longer matches the source it was translated from" in summary.failed[0].reason
    assert target.read_text() == before


def test_without_a_memory_unchanged_segments_are_still_not_sent(make_site):
    root = _site(make_site)
    (root / ".transync/memory/en-ja.po").unlink()
    _edit(root / "_products/en/p/p.md", "Third paragraph.", "Third paragraph, revised.")
    engine = Recording()
    run(root, engine, memory=True)
    assert _sent(engine) == ["Third paragraph, revised."]


def test_merge_against_a_deepl_compatible_server(site, fake):  # noqa: F811
    assert translate(site, fake, "kestrel-a-1", "--to", "ja").exit_code == 0
    target = site / "_products/ja/kestrel/kestrel-a-1.md"
    lines = target.read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("[JA]") and len(line) > 80)
    lines[n] = "翻訳者が書き直した段落です。"
    target.write_text("\n".join(lines) + "\n")
    source = site / "_products/en/kestrel/kestrel-a-1.md"
    source.write_text(source.read_text().replace("\n## ", "\nA short paragraph added to the source.\n\n## ", 1))

    fake.clear_requests()
    result = translate(site, fake, "kestrel-a-1", "--to", "ja", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["written"] == 1 and data["summary"]["texts"] == 1
    [request] = fake.requests_to("/v2/translate")
    assert request.params["text"] in (["A short paragraph added to the source."], "A short paragraph added to the source.")
    assert "翻訳者が書き直した段落です。" in target.read_text()
