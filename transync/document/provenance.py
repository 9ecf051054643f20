"""The source segments a translation was made from, recorded in its provenance.

transync records, in the provenance of every translation it writes, the
source body it translated as a compact sequence: one code per segment, its
kind's letter and the first 6 hex digits of its text's hash
(``h3f2a9cp09bd11t77ae02...``). That is enough to know, exactly, which
segments of the source changed since (compare the codes of the source now),
to align the translation with the source *as it was translated* (same kinds,
same count), and, with the translation memory (whose msgids are the segment
texts), to give back the old source texts. Nothing is guessed from the
translations.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

if TYPE_CHECKING:
    from transync.document.segments import Segment

KIND_LETTERS = {"heading": "h", "paragraph": "p", "list_item": "l", "blockquote": "q", "table_cell": "t", "aside_title": "a"}
_KINDS = {v: k for k, v in KIND_LETTERS.items()}
_CODE = re.compile(r"([hplqta])([0-9a-f]{6})")
HASH_DIGITS = 6
#: The engine name provenance records for pseudo-localized output: a preview, never a translation.
PSEUDO = "pseudo"
#: The engine name recorded when nothing was sent: every text came from the memory, the glossary or the document.
MEMORY = "memory"
#: The engine name ``ack`` records in a translation people made: the provenance only says which source it
#: translates (so that status judges it by its hashes); transync treats the page as hand-made, never its own.
HUMAN = "human"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_DIGITS]


def code(segment: Segment) -> str:
    return KIND_LETTERS.get(segment.kind, "p") + text_hash(segment.text)


def encode(segments: Iterable[Segment]) -> str:
    """The codes of a body's segments, in order, as one string."""
    return "".join(code(s) for s in segments)


def decode(value: object) -> list[str] | None:
    """The codes recorded in a provenance, or None when there are none or they are damaged."""
    if not isinstance(value, str) or len(value) % (HASH_DIGITS + 1):
        return None
    codes = [value[i : i + HASH_DIGITS + 1] for i in range(0, len(value), HASH_DIGITS + 1)]
    return codes if all(_CODE.fullmatch(c) for c in codes) else None


def kind(code_: str) -> str:
    return _KINDS[code_[0]]


def texts_by_hash(sources: Iterable[str]) -> dict[str, str]:
    """Source texts (a memory's msgids) by their short hash, to resolve recorded codes."""
    return {text_hash(text): text for text in sources}


def structure_matches(codes: Sequence[str], segments: Sequence[Segment]) -> str | None:
    """None when ``segments`` (a translation's) have the kinds, in order, of the recorded source; else why not."""
    if len(codes) != len(segments):
        return f"the source it was translated from had {len(codes)} segments and the translation has {len(segments)}"
    for n, (c, seg) in enumerate(zip(codes, segments)):
        if kind(c) != seg.kind:
            return f"segment {n + 1} was a {kind(c).replace('_', ' ')} in the source it was translated from, and is a {seg.kind.replace('_', ' ')} in the translation (line {seg.line})"
    return None


def resolve(codes: Sequence[str], known: Mapping[str, str]) -> list[str | None]:
    """The old source text of each code, from ``known`` (see :func:`texts_by_hash`); None when unknown."""
    return [known.get(c[1:]) for c in codes]


def review_count(recorded: Any) -> int:
    """The human segments a provenance says still need a review (0 when it says nothing sensible).

    A merge that must replace a human-edited segment (its source changed)
    counts it here, until ``transync ack`` says it was looked at.
    """
    value = recorded.get("review") if isinstance(recorded, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def engine_of(recorded: Any) -> str | None:
    """The engine a provenance says made the translation; None in provenance written before it said
    (read as a real translation), or when the value is not a name."""
    value = recorded.get("engine") if isinstance(recorded, Mapping) else None
    return value if isinstance(value, str) and value else None
