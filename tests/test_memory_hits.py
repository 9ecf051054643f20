"""Memory entries are held to the rule engine replies are held to: protected text intact."""

from __future__ import annotations

from conftest import doc
from test_translate import Recording, run
from transync.translate.memory import Memory

BODY = "## Overview\n\nThe **A-1** costs `279 USD` [1].\n\nSecond paragraph.\n"


def _site(make_site):
    return make_site({"_products/en/p/p.md": doc("p", "en", body=BODY)}, config='languages: ["en", "ja"]\n')


def test_a_poisoned_human_entry_is_rejected_reported_and_translated_again(make_site):
    root = _site(make_site)
    memory = Memory.open(root, "en", "ja")
    # A translator's entry that drops the citation, adds a URL and a script.
    memory.put("The **A-1** costs `279 USD` [1].", "A-1 は `279 USD` https://evil.example <script>x()</script>", origin="human")
    memory.save()
    engine = Recording()
    summary = run(root, engine, memory=True)
    [rejected] = summary.memory_rejected
    assert (rejected.source, rejected.origin, rejected.memory) == ("The **A-1** costs `279 USD` [1].", "human", "en-ja.po")
    assert "missing '[1]'" in rejected.reason and "<script>" in rejected.reason
    # Translated again instead: the document is whole, nothing of the entry is written.
    assert summary.failed == [] and len(summary.written) == 1
    text = (root / "_products/ja/p/p.md").read_text()
    assert "[1]" in text and "evil.example" not in text and "<script>" not in text
    # The translator's entry stays as it is (never replaced behind their back), for them to fix.
    entry = Memory.open(root, "en", "ja").get("The **A-1** costs `279 USD` [1].")
    assert entry.origin == "human" and "evil.example" in entry.translation


def test_a_broken_machine_entry_is_translated_again_and_replaced(make_site):
    root = _site(make_site)
    memory = Memory.open(root, "en", "ja")
    memory.put("The **A-1** costs `279 USD` [1].", "A-1 costs `279 USD`.", origin="machine", engine="deepl")
    memory.save()
    engine = Recording()
    summary = run(root, engine, memory=True)
    assert len(summary.written) == 1 and [r.origin for r in summary.memory_rejected] == ["machine"]
    assert 'The <b id="1">A-1</b> costs <x id="2"/> <x id="3"/>.' in [t for call in engine.calls for t in call]
    text = (root / "_products/ja/p/p.md").read_text()
    assert "[1]" in text
    assert "[1]" in Memory.open(root, "en", "ja").get("The **A-1** costs `279 USD` [1].").translation
