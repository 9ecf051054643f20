"""Translating a document body through an engine, segment by segment.

Only translatable segments are sent; each comes back through the placeholder
check, and a segment whose placeholders come back missing, duplicated,
invented or broken is rejected. When any segment is rejected the body is
not produced at all: nothing corrupt is ever written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transync.engines import Engine
from transync.placeholders import PlaceholderError
from transync.segments import Segment, Segmented


@dataclass(frozen=True, slots=True)
class Rejected:
    segment: Segment
    reason: str


@dataclass
class BodyTranslation:
    text: str | None  # the translated body; None when a segment was rejected
    translated: dict[str, str] = field(default_factory=dict)  # segment id -> Markdown
    rejected: list[Rejected] = field(default_factory=list)
    billed_characters: int = 0


def translate_body(segmented: Segmented, engine: Engine, *, source_lang: str, target_lang: str) -> BodyTranslation:
    todo = segmented.translatable()
    results = engine.translate([s.template.xml for s in todo], source_lang=source_lang, target_lang=target_lang)
    if len(results) != len(todo):
        raise RuntimeError(f"engine {engine.name} returned {len(results)} translations for {len(todo)} segments")
    out = BodyTranslation(text=None)
    for seg, result in zip(todo, results):
        out.billed_characters += result.billed_characters
        try:
            out.translated[seg.id] = seg.template.render(result.text)
        except PlaceholderError as exc:
            out.rejected.append(Rejected(seg, str(exc)))
    if not out.rejected:
        out.text = segmented.reassemble(out.translated)
    return out
