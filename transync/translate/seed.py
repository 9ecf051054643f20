"""Seeding: filling a translation memory with the human translations a site already has.

Its own module because it joins three others: the site's status (which
translations are current), alignment (:mod:`transync.translate.align`, pairing
segments) and the memory model (:mod:`transync.translate.memory`). Alignment alone
stays free of the memory, for the modules that only pair segments.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from transync.translate.align import align
from transync.translate.memory import FRONT_MATTER_CONTEXT, Memory, Use
from transync.translate.pofile import storable

if TYPE_CHECKING:
    from transync.site.status import StatusReport


@dataclass(frozen=True)
class NotAligned:
    path: str  # the translation
    source_path: str
    reason: str
    segments: int  # translatable source segments left out


@dataclass
class SeedResult:
    """What :func:`seed` did, in numbers and, for documents left out, with reasons."""

    documents: int = 0  # current translations considered
    aligned: int = 0  # documents whose segments were paired
    machine_documents: int = 0  # written by transync and not edited since: not human work, not seeded
    pairs: int = 0  # pairs found: body segments and front-matter values
    machine_pairs: int = 0  # pairs equal to the memory's machine translation: left as machine
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    conflicts: int = 0  # sources translated differently by different documents (the most frequent won)
    not_aligned: list[NotAligned] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def pairs_not_aligned(self) -> int:
        return sum(n.segments for n in self.not_aligned)


def candidates(memory: Memory, report: StatusReport) -> list:
    """The status items :func:`seed` reads for ``memory``: current translations into its language."""
    source_langs = {c.name: c.source_lang for c in report.config.collections}
    return [
        item for item in report.items
        if item.state == "current" and item.path and item.source_path and item.lang == memory.target_lang
        and source_langs.get(item.collection) == memory.source_lang
    ]


def seed(memory: Memory, report: StatusReport, on_document: Callable[[], None] | None = None) -> SeedResult:
    """Fill a memory with the human translations a site already has.

    Reads every ``current`` translation into ``memory.target_lang`` of a
    collection whose source language is ``memory.source_lang`` (a stale one
    no longer matches its source), aligns its body with its source's
    (:func:`align`) and its front-matter values whose rule translates them
    (``summary``, ``title``...; tag lists are left to the glossary: their
    order differs between languages), and puts the pairs as human entries
    with their occurrences. A document transync wrote and nobody edited is
    machine output and is skipped; in an edited one, a pair equal to the
    memory's machine entry stays machine. When documents translate one
    source differently, the most frequent translation is used. Documents
    that do not align are reported with the reason, never guessed.
    """
    from transync import document
    from transync.site.config import CONTENT_RULES
    from transync.errors import DocumentError
    from transync.document.frontmatter_edit import Field, split_fields
    from transync.document.segments import segment

    config = report.config
    root = Path(config.root)
    fields_of = {c.name: [k for k, rule in c.fields.items() if rule in CONTENT_RULES] for c in config.collections}
    result = SeedResult()
    found: dict[tuple[str | None, str], Counter[str]] = {}
    uses: dict[str, list[Use]] = {}

    for item in candidates(memory, report):
        if on_document is not None:
            on_document()  # a progress line (transync.translate.progress)
        result.documents += 1
        if item.provenance and not item.edited:
            result.machine_documents += 1
            continue
        try:
            src = document.load(root / item.source_path)
            dst = document.load(root / item.path)
            src_segments = segment(src.body, src.syntax).segments
            dst_segments = segment(dst.body, dst.syntax).segments
        except DocumentError as exc:
            result.unreadable.append((item.path, f"line {exc.line}: {exc.reason}" if exc.line else exc.reason))
            continue
        except OSError as exc:
            result.unreadable.append((item.path, exc.strerror or str(exc)))
            continue
        src_offset = src.text.count("\n", 0, src.body_start)
        alignment = align(src_segments, dst_segments, line_offsets=(src_offset, dst.text.count("\n", 0, dst.body_start)))
        if not alignment.ok:
            lost = sum(1 for s in src_segments if s.translatable)
            result.not_aligned.append(NotAligned(item.path, item.source_path, alignment.reason or "", lost))
            continue
        result.aligned += 1
        pairs: list[tuple[str | None, str, str, int | None]] = [
            (None, s.text, t.text, s.line + src_offset) for s, t in alignment.pairs
        ]
        single = {f.key for f in split_fields(src.front_matter) if isinstance(f, Field) and f.single_line}
        for key in fields_of.get(item.collection, ()):
            value, translated = src.meta.get(key), dst.meta.get(key)
            if isinstance(value, str) and isinstance(translated, str) and value.strip() and translated.strip() and key in single:
                pairs.append((FRONT_MATTER_CONTEXT + key, value, translated, src.line_of_key(key)))
        doc_uses = uses.setdefault(item.source_path, [])
        for context, text, translated, line in pairs:
            if storable(text, translated, context):
                continue
            result.pairs += 1
            held = memory.entry(text, context=context)
            if held is not None and held.origin == "machine" and held.translation == translated:
                result.machine_pairs += 1
            else:
                found.setdefault((context, text), Counter())[translated] += 1
            doc_uses.append(Use(text, line, context))

    for (context, text), variants in found.items():
        if len(variants) > 1:
            result.conflicts += 1
        translated = variants.most_common(1)[0][0]  # ties: the first seen, in report order
        outcome = memory.put(text, translated, origin="human", context=context)
        if outcome == "added":
            result.added += 1
        elif outcome == "replaced":
            result.replaced += 1
        else:
            result.unchanged += 1
    if len(uses) > 1:
        memory.index_occurrences()
    for path, doc_uses in uses.items():
        memory.replace_occurrences(path, doc_uses)
    return result
