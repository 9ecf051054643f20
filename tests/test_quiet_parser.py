"""markdown-it's rules log every rule they enter at debug level; transync's checks do not pay for it."""

from __future__ import annotations

import logging

from transync.document import outline


def test_markdown_rules_log_nothing_even_at_debug_level(caplog):
    with caplog.at_level(logging.DEBUG):
        found = outline.outline("# Title\n\nA paragraph with [a link](https://example.com).\n\n$$\nx^2\n$$\n")
    assert [r.name for r in caplog.records if r.name.startswith("markdown_it")] == []
    assert found is not None


def test_the_segmenter_rules_log_nothing_even_at_debug_level(caplog, monkeypatch):
    import sys

    from transync.document import segments
    from transync.document.segments import segment

    # As in a process that never read an outline: the rules' loggers as markdown-it made them.
    for name, module in list(sys.modules.items()):
        if name.startswith("markdown_it.rules_") and hasattr(module, "LOGGER"):
            monkeypatch.setattr(module, "LOGGER", logging.getLogger(name))
    segments._parser.cache_clear()
    with caplog.at_level(logging.DEBUG):
        # Quotes and indented lines go to markdown-it's own rules.
        found = segment("> quoted\n> text\n\n    code\n\n- item\n  lazy\n", "md")
        segment("<Tabs>\n  text\n</Tabs>\n", "mdx")
    assert [r.name for r in caplog.records if r.name.startswith("markdown_it")] == []
    assert [s.kind for s in found.segments] == ["blockquote", "list_item"]
