"""The ``pseudo`` engine: offline pseudo-localization, a preview of what would be translated.

It needs no network and no key. Its output is not a translation: the run
driver never puts it in the memory, and provenance records it as pseudo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from transync.translate.engines import Table, Translated
from transync.document.placeholders import billable_chars
from transync.document.provenance import PSEUDO

_ACCENTS = str.maketrans(
    "AaBCcDdEeGgHhIiJjKkLlNnOoRrSsTtUuWwYyZz",
    "ÅåƁÇçÐđÉéĜĝĤĥÎîĴĵĶķĻļÑñÖöŔŕŠšŢţÛûŴŵÝýŽž",
)
# Tags and entities pass through untouched; only the text between them changes.
_MARKUP = re.compile(r"<[^>]*>|&[#\w]+;")
_PROTECTED = re.compile(r"<x\b[^>]*/>")


@dataclass(frozen=True)
class PseudoEngine:
    """Offline pseudo-localization: ``Hello <x id="1"/> world`` -> ``⟦Ĥéļļö <x id="1"/> ŵöŕļđ·····⟧``.

    Padding (about 30% of the text, at least one mark) shows where layouts
    would break on longer languages; the brackets show where a segment begins
    and ends. It is deterministic, so its output can be compared in tests.
    """

    name: str = PSEUDO  # what provenance records: status never counts it as a translation
    expansion: float = 0.3

    @classmethod
    def settings(cls, table: Table) -> float:
        table.check_keys({"expansion"})
        return float(table.number("expansion", 0.3))

    @classmethod
    def create(cls, settings: float | None, environ: Mapping[str, str]) -> "PseudoEngine":
        return cls(expansion=0.3 if settings is None else settings)

    def translate(self, texts: Sequence[str], *, source_lang: str, target_lang: str) -> list[Translated]:
        return [Translated(self._one(text), billed_characters=billable_chars(text)) for text in texts]

    def _one(self, xml: str) -> str:
        out, pos, letters = [], 0, 0
        for m in _MARKUP.finditer(xml):
            chunk = xml[pos : m.start()]
            letters += sum(ch.isalpha() for ch in chunk)
            out.append(chunk.translate(_ACCENTS))
            out.append(m.group())
            pos = m.end()
        chunk = xml[pos:]
        letters += sum(ch.isalpha() for ch in chunk)
        out.append(chunk.translate(_ACCENTS))
        padding = "·" * max(1, round(letters * self.expansion))
        text = "".join(out)
        # A protected span (a bare URL, most often) in the first or last word would have the
        # bracket or the padding glued to it, and an autolinker would read them as part of the link.
        words = _PROTECTED.sub("\0", text).split() or [""]
        head = " " if "\0" in words[0] else ""
        tail = " " if "\0" in words[-1] else ""
        return "⟦" + head + text + tail + padding + "⟧"
