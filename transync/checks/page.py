"""One side of a pair for the checks: a parsed document, its path, and its body's outline read on demand.

Besides the outline (:mod:`transync.document.outline`), a page knows the
placeholder tags and control characters anywhere in its text.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from transync.document import Document, parse
from transync.document.mdx import syntax_of
from transync.document.outline import Outline, body_line, outline


_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Every byte but those of _CONTROL_IN_TEXT.
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL_IN_TEXT.match(chr(b)))
# Placeholder tags that transync hands to engines. A real HTML <b> or </a>
# carries no id, so only tags with one (and any x tag) count.
_PLACEHOLDER = re.compile(r"<x(?:\s+id\s*=\s*[\"']?\d+[\"']?)?\s*/?>|</x\s*>|<[bias]\s+id\s*=\s*[\"']?\d+[\"']?\s*/?>")


class Page:
    """One side of a pair: a parsed document, its path, and its body read on demand."""

    def __init__(self, path: str, document: Document, *, may_have_controls: bool = True) -> None:
        self.path = path
        self.document = document
        self._may_have_controls = may_have_controls

    @classmethod
    def from_text(cls, path: str, text: str | bytes) -> "Page":
        # In UTF-8 a control character is its own byte and no other character's:
        # bytes.translate finds there are none far faster than the expression below.
        controls = not isinstance(text, bytes) or bool(text.translate(None, _NOT_CONTROL))
        return cls(path, parse(text, syntax=syntax_of(path)), may_have_controls=controls)

    @property
    def meta(self) -> dict[str, Any]:
        return self.document.meta

    @cached_property
    def outline(self) -> Outline:
        return outline(self.document.body, body_line(self.document), self.document.syntax)

    @cached_property
    def controls(self) -> list[tuple[str, int]]:
        """Control characters (NUL...; not tab, newline or carriage return), with their lines."""
        if not self._may_have_controls:
            return []
        text = self.document.text
        return [(m.group(0), text.count("\n", 0, m.start()) + 1) for m in _CONTROL_IN_TEXT.finditer(text)]

    @cached_property
    def placeholders(self) -> list[tuple[str, int]]:
        """Placeholder tags anywhere in the file (a translated summary may hold one too), with their lines."""
        text = self.document.text
        if "<" not in text:
            return []
        return [(re.sub(r"\s+", " ", m.group(0)), text.count("\n", 0, m.start()) + 1) for m in _PLACEHOLDER.finditer(text)]
