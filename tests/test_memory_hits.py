"""Memory entries are held to the rule engine replies are held to: protected text intact."""

from __future__ import annotations

from conftest import doc
from test_translate import Recording, run
from transync.memory import Memory

BODY = "## Overview\n\nThe **A-1** costs `279 USD` [1].\n\nSecond paragraph.\n"


def _site(make_site):
    return make_site({"_products/en/p/p.md": doc("p", "en", body=BODY)}, config='languages: ["en", "ja"]\n')


def test_a_poisoned_human_entry_fails_its_document_with_the_entry_named(make_site):
    root = _site(make_site)
    memory = Memory.open(root, "en", "ja")
    # A translator's entry that drops the citation, adds a URL and a script.
    memory.put("The **A-1** costs `279 USD` [1].", "A-1 は `279 USD` https://evil.example <script>x()</script>", origin="human")
    memory.save()
    engine = Recording()
    summary = run(root, engine, memory=True)
    [failed] = summary.failed
    assert "human translation of 'The **A-1** costs `279 USD` [1].' is unusable" in failed.reason
    assert "missing '[1]'" in failed.reason and "en-ja.po" in failed.reason
    assert not (root / "_products/ja/p/p.md").exists()
    assert summary.memory_rejected == 1


def test_a_broken_machine_entry_is_translated_again_and_replaced(make_site):
    root = _site(make_site)
    memory = Memory.open(root, "en", "ja")
    memory.put("The **A-1** costs `279 USD` [1].", "A-1 costs `279 USD`.", origin="machine", engine="deepl")
    memory.save()
    engine = Recording()
    summary = run(root, engine, memory=True)
    assert len(summary.written) == 1 and summary.memory_rejected == 1
    assert 'The <b id="1">A-1</b> costs <x id="2"/> <x id="3"/>.' in [t for call in engine.calls for t in call]
    text = (root / "_products/ja/p/p.md").read_text()
    assert "[1]" in text
    assert "[1]" in Memory.open(root, "en", "ja").get("The **A-1** costs `279 USD` [1].").translation
