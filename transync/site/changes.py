"""What changed in a source between two versions of it, as a translator needs to know.

:func:`content_of` reduces a document to what a translation must follow: its
prose segments, its display math and code blocks, an MDX body's structure
(imports, JSX tags with their attributes, expressions, aside markers: see
:func:`transync.document.mdx.structure`) and its translatable front-matter fields, each with whitespace folded so that reflowing a
paragraph or re-indenting a list changes nothing. :func:`compare` then
tells segment by segment (``difflib`` over the segments) what a translator
has to redo, and whether that is a reason for the translation to be stale at
all: a math or code block that changed to the value the translation
already carries is not.

Which version is the old one (the source at the translation's last commit,
or as recorded in provenance) is decided elsewhere; this module only
compares.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from transync import document
from transync.errors import DocumentError


@dataclass(frozen=True, slots=True)
class Content:
    """The translatable content of one version of a document, whitespace folded."""

    prose: tuple[str, ...]  # translatable segments, in order
    math: tuple[str, ...]  # display math blocks, in order
    code: tuple[str, ...]  # code blocks (info string and body), in order
    fields: tuple[tuple[str, str], ...]  # (name, canonical JSON value) of the content fields present
    hash: str = ""  # document.content_hash of this version, as provenance records it
    structure: tuple[str, ...] | None = None  # an MDX body's structure, in order; None for Markdown

    def as_tuple(self) -> tuple:
        """Plain data for a marshal cache."""
        return (self.prose, self.math, self.code, self.fields, self.hash, self.structure)


def _fold(text: str) -> str:
    return " ".join(text.split())


def _fold_value(value: Any) -> Any:
    if isinstance(value, str):
        return _fold(value)
    if isinstance(value, dict):
        return {k: _fold_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_fold_value(v) for v in value]
    return value


#: What :func:`content_of` read from a body: (prose, math, code, structure).
BodyContent = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], "tuple[str, ...] | None"]


def content_of(
    data: bytes | str, fields: tuple[str, ...], *, prose: bool = True, syntax: str = "md",
    bodies: dict[tuple[str, str, bool], BodyContent] | None = None,
) -> Content:
    """The content of a document's text, its body written in ``syntax`` (``"mdx"`` for a
    ``.mdx`` file: see :func:`transync.document.mdx.syntax_of`; git's blobs come without a
    name, so the caller says). Raises DocumentError when it cannot be read.

    ``prose=False``: the math and code blocks only (what a translation is asked for: whether it
    already carries the source's new blocks), without the cost of segmenting.
    ``bodies``: what earlier calls read from each body; two versions of a page often differ in
    their front matter alone, and a body is segmented once.
    """
    doc = document.parse(data, syntax=syntax)
    body = doc.body
    key = (body, syntax, prose)
    read = bodies.get(key) if bodies is not None else None
    if read is None:
        read = _body_content(body, syntax, prose)
        if bodies is not None:
            bodies[key] = read
    prose_, math, code, structure = read
    values = []
    for name in sorted(fields):
        if name in doc.meta:
            plain = _fold_value(document.plain(doc.meta[name]))
            values.append((name, json.dumps(plain, ensure_ascii=False, sort_keys=True, default=str)))
    return Content(prose_, math, code, tuple(values), document.content_hash(doc.meta, body, fields), structure)


def prepare() -> None:
    """Import and build what reading a body takes (the Markdown and MDX parsers): done once
    before worker processes are forked, each of them has it ready."""
    from transync.document.mdx import MD, MDX

    for syntax in (MD, MDX):
        _body_content("", syntax, True)


def _body_content(body: str, syntax: str, prose: bool) -> BodyContent:
    from transync.document.mdx import MDX, structure
    from transync.document.segments import blocks_of, segment_with_blocks

    # One parse gives the segments and the blocks.
    if prose:
        segmented, blocks = segment_with_blocks(body, syntax)
        prose_ = tuple(_fold(s.text) for s in segmented.translatable())
    else:
        blocks, prose_ = blocks_of(body, syntax), ()
    return (
        prose_,
        tuple(_fold(b) for b in blocks.math),
        tuple(_fold(b) for b in blocks.code),
        tuple(_fold(part) for part in structure(body)) if syntax == MDX else None,
    )


def try_content_of(
    data: bytes | str, fields: tuple[str, ...], *, prose: bool = True, syntax: str = "md",
    bodies: dict[tuple[str, str, bool], BodyContent] | None = None,
) -> Content | None:
    """Like :func:`content_of`, None for a version that cannot be read (an old broken commit)."""
    try:
        return content_of(data, fields, prose=prose, syntax=syntax, bodies=bodies)
    except (DocumentError, RecursionError, ValueError):
        return None


def paragraphs_of(data: bytes | str, fields: tuple[str, ...]) -> Content | None:
    """A coarse content for a body that cannot be segmented (an unclosed fence, MDX the segmenter
    refuses): its blank-line-separated paragraphs, whitespace folded, as prose. Two versions
    compared this way still tell whether the text changed, by paragraph. None when even the
    front matter cannot be read."""
    try:
        doc = document.parse(data)
        values = [
            (name, json.dumps(_fold_value(document.plain(doc.meta[name])), ensure_ascii=False, sort_keys=True, default=str))
            for name in sorted(fields) if name in doc.meta
        ]
        prose = tuple(p for p in (_fold(part) for part in doc.body.replace("\r\n", "\n").split("\n\n")) if p)
        return Content(prose, (), (), tuple(values), document.content_hash(doc.meta, doc.body, fields))
    except (DocumentError, RecursionError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Baseline:
    """What a source is compared with: how it was known, and when."""

    kind: str  # provenance, git or date
    commit: str | None = None  # git: the translation's last commit
    date: str | None = None  # git: that commit's date; date: the translation's date
    source_date: str | None = None  # date: the source's date

    def as_tuple(self) -> tuple:
        return (self.kind, self.commit, self.date, self.source_date)

    def as_json(self) -> dict[str, Any]:
        if self.kind == "git":
            return {"kind": "git", "commit": self.commit, "date": self.date}
        if self.kind == "date":
            return {"kind": "date", "date": self.date, "source_date": self.source_date}
        return {"kind": self.kind}


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed in a source since its baseline. Counts are None when the old version is unknown."""

    baseline: Baseline
    changed: int | None = None  # prose segments changed
    added: int | None = None
    removed: int | None = None
    characters: int | None = None  # characters of new and changed prose to translate again
    math: bool | None = None  # display math changed (and the translation does not carry the new one)
    code: bool | None = None
    fields: tuple[str, ...] | None = None  # translatable fields whose value changed
    #: An MDX page's structure changed (a component added, moved or given other attributes), and the
    #: translation does not carry the new one; None for a Markdown page.
    components: bool | None = None

    @property
    def known(self) -> bool:
        return self.changed is not None

    @property
    def stale(self) -> bool:
        """Whether any of this is a reason to update the translation."""
        return bool(self.changed or self.added or self.removed or self.math or self.code or self.fields or self.components)

    @property
    def weight(self) -> tuple[int, int]:
        """Sort key, heaviest work first: structure and math, then prose, then fields, then unknown."""
        if not self.known:
            return (3, 0)
        chars = -(self.characters or 0)
        if self.added or self.removed or self.math or self.code or self.components:
            return (0, chars)
        if self.changed:
            return (1, chars)
        return (2, chars)

    def words(self) -> str:
        """A few words for a table: ``2 segments changed, 1 added; math; fields title``."""
        if not self.known:
            return ""
        parts = []
        counts = [f"{n} {what}" for n, what in ((self.changed, "changed"), (self.added, "added"), (self.removed, "removed")) if n]
        if counts:
            first = counts[0].split(" ", 1)
            counts[0] = f"{first[0]} segment{'s' if first[0] != '1' else ''} {first[1]}"
            parts.append(", ".join(counts) + (f" ({self.characters:,} characters)" if self.characters else ""))
        if self.math:
            parts.append("math")
        if self.code:
            parts.append("code")
        if self.components:
            parts.append("components")
        if self.fields:
            parts.append("fields " + ", ".join(self.fields))
        return "; ".join(parts)

    def as_json(self) -> dict[str, Any]:
        data = {
            "segments": None if not self.known else {"changed": self.changed, "added": self.added, "removed": self.removed},
            "characters": self.characters,
            "math": self.math,
            "code": self.code,
            "fields": list(self.fields) if self.fields is not None else None,
            "baseline": self.baseline.as_json(),
        }
        if self.components is not None:  # an MDX page's
            data["components"] = self.components
        return data

    def as_tuple(self) -> tuple:
        return (self.baseline.as_tuple(), self.changed, self.added, self.removed,
                self.characters, self.math, self.code, self.fields, self.components)

    @classmethod
    def from_tuple(cls, data: tuple) -> "Changes":
        base, *rest = data
        return cls(Baseline(*base), *rest)


def compare(old: Content, new: Content, translation: Content | None, baseline: Baseline) -> Changes:
    """What changed from ``old`` to ``new``; ``translation`` tells which new blocks it already carries."""
    changed = added = removed = characters = 0
    # The same prose (a change elsewhere, or none) has nothing to diff.
    opcodes = difflib.SequenceMatcher(a=old.prose, b=new.prose, autojunk=False).get_opcodes() if old.prose != new.prose else ()
    for tag, a0, a1, b0, b1 in opcodes:
        if tag == "equal":
            continue
        both = min(a1 - a0, b1 - b0)
        changed += both
        added += (b1 - b0) - both
        removed += (a1 - a0) - both
        characters += sum(len(t) for t in new.prose[b0:b1])
    carried = translation.math if translation is not None else None
    math = old.math != new.math and carried != new.math
    carried = translation.code if translation is not None else None
    code = old.code != new.code and carried != new.code
    components = None
    if old.structure is not None or new.structure is not None:
        carried = translation.structure if translation is not None else None
        components = old.structure != new.structure and carried != new.structure
    before = dict(old.fields)
    after = dict(new.fields)
    fields = tuple(sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name)))
    return Changes(baseline, changed, added, removed, characters, math, code, fields, components)
