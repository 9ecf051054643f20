"""Translating a document body through an engine, segment by segment.

Only translatable segments are sent; each comes back through the placeholder
check, and a segment whose placeholders come back missing, duplicated,
invented or broken is rejected. When any segment is rejected the body is
not produced at all: nothing corrupt is ever written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transync.translate.engines import Engine
from transync.document.placeholders import PlaceholderError
from transync.document.segments import Segment, Segmented


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


def translate_texts(
    texts: dict[str, str], engine: Engine, *, source_lang: str, target_lang: str, syntax: str = "md"
) -> tuple[dict[str, str], dict[str, str], int]:
    """Translate ``{key: markdown}`` (MDX when ``syntax`` is ``"mdx"``) through placeholders in one engine call.

    Returns the translations, the rejected keys with their reasons, and the
    characters billed.
    """
    from transync.document.segments import _template

    keys = list(texts)
    templates = [_template(texts[k], syntax) for k in keys]
    results = engine.translate([t.xml for t in templates], source_lang=source_lang, target_lang=target_lang)
    if len(results) != len(keys):
        raise RuntimeError(f"engine {engine.name} returned {len(results)} translations for {len(keys)} texts")
    done: dict[str, str] = {}
    rejected: dict[str, str] = {}
    billed = 0
    for key, template, result in zip(keys, templates, results):
        billed += result.billed_characters
        try:
            done[key] = template.render(result.text)
        except PlaceholderError as exc:
            rejected[key] = str(exc)
    return done, rejected, billed


def translate_body(segmented: Segmented, engine: Engine, *, source_lang: str, target_lang: str) -> BodyTranslation:
    by_id = {s.id: s for s in segmented.translatable()}
    done, rejected, billed = translate_texts(
        {i: s.text for i, s in by_id.items()}, engine, source_lang=source_lang, target_lang=target_lang, syntax=segmented.syntax
    )
    out = BodyTranslation(text=None, translated=done, billed_characters=billed)
    out.rejected = [Rejected(by_id[i], reason) for i, reason in rejected.items()]
    if not out.rejected:
        out.text = segmented.reassemble(done)
    return out
