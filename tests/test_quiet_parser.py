"""markdown-it's rules log every rule they enter at debug level; transync's checks do not pay for it."""

from __future__ import annotations

import logging

from transync.document import outline


def test_markdown_rules_log_nothing_even_at_debug_level(caplog):
    with caplog.at_level(logging.DEBUG):
        found = outline.outline("# Title\n\nA paragraph with [a link](https://example.com).\n\n$$\nx^2\n$$\n")
    assert [r.name for r in caplog.records if r.name.startswith("markdown_it")] == []
    assert found is not None
