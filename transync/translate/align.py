"""Alignment: pairing a source document's segments with those of its translation.

A segments-level function, used to seed the memory from a site's translations
(:mod:`transync.translate.seed`), to trace what a translator changed
(:mod:`transync.translate.revisions`) and to check terms segment by segment
(:mod:`transync.checks.termcheck`); it knows nothing of the memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from transync.document.segments import Segment


@dataclass(frozen=True)
class Alignment:
    """Source and translation segments paired, or the reason they cannot be."""

    pairs: tuple[tuple[Segment, Segment], ...] = ()  # (source, translation), translatable sources only
    reason: str | None = None  # None when aligned

    @property
    def ok(self) -> bool:
        return self.reason is None

    def texts(self) -> list[tuple[str, str]]:
        return [(s.text, t.text) for s, t in self.pairs]


def align(source: Sequence[Segment], translation: Sequence[Segment], *, line_offsets: tuple[int, int] = (0, 0)) -> Alignment:
    """Pair the segments of a source body with those of its translation.

    The two align when they have the same block sequence: as many segments,
    of the same kinds (heading, paragraph, list_item, blockquote,
    table_cell), in the same order. Every segment counts for the structure, a
    number-only table cell too, so a cell that the translation writes with
    letters (``20`` -> ``20個``) does not shift the rest; only segments whose
    source is translatable become pairs, and a protected-only source segment
    need not match (a converted price is a fine translation). Nothing is
    guessed: any difference gives no pairs and a reason with the first
    difference. ``line_offsets`` are added to the (body) lines in the reason.
    """
    so, to = line_offsets
    first = next((n for n, (a, b) in enumerate(zip(source, translation)) if a.kind != b.kind), None)
    if first is None and len(source) == len(translation):
        return Alignment(tuple((a, b) for a, b in zip(source, translation) if a.translatable))

    def at(segments: Sequence[Segment], n: int, side: str, offset: int) -> str:
        if n >= len(segments):
            return f"the end of the {side}"
        return f"a {segments[n].kind.replace('_', ' ')} in the {side} (line {segments[n].line + offset})"

    def describe(n: int) -> str:
        return f"segment {n + 1} is {at(source, n, 'source', so)} but {at(translation, n, 'translation', to)}"

    if first is None:
        first = min(len(source), len(translation))
    if len(source) == len(translation):
        return Alignment(reason=describe(first))
    return Alignment(reason=f"the source has {len(source)} segments and the translation {len(translation)}; {describe(first)}")
