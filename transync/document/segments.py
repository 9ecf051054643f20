"""Segmenting a Markdown body into what is translated and what is not.

markdown-it-py (CommonMark, GFM tables, dollar math) finds the blocks and
their source lines; the text is then *sliced* by position, never
re-rendered. A body becomes an ordered list of segments (heading text,
paragraph, list item, block-quote paragraph, table cell) and everything
between them (markup prefixes, blank lines, display math, code, HTML
blocks, reference definitions, Liquid-only lines) stays as it was.

:meth:`Segmented.reassemble` puts translations into the original text; with
no translations it returns the body byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from transync.errors import DocumentError
from transync.document.placeholders import Template, to_xml

_ATX_CLOSE = re.compile(r"[ \t]+#+[ \t]*$|^#+[ \t]*$")
# Markers, then blanks and ">"s: "[ \t][ \t>]*" and not "[ \t]+[ \t>]*", whose two
# ways to split the same blanks made a failing match exponential in the markers.
_PREFIX_OK = re.compile(r"^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])(?:[ \t][ \t>]*|$))*(?:#{1,6}[ \t]+)?$")
_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})")


class SegmentError(DocumentError):
    """A body that cannot be segmented safely (an unclosed fence, unbalanced $$ ...)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One translatable unit: its text, where it is, and how to put text back."""

    id: str  # stable within a document: s1, s2, ... in reading order
    kind: str  # heading, paragraph, list_item, blockquote, table_cell
    line: int  # 1-based line in the body
    spans: tuple[tuple[int, int], ...]  # [start, end) offsets in the body, one per line
    text: str  # the lines' content joined by "\n", without prefixes

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    @property
    def template(self) -> Template:
        return _template(self.text)

    @property
    def translatable(self) -> bool:
        """False for segments with nothing to translate (numbers only, Liquid only, code only)."""
        # Liquid tags, code and math are placeholders in the template, so
        # "text" means letters outside them. (A regex for Liquid-only segments
        # used to be here: its lazy ".*?" inside "+" took seconds on 26 tags.)
        return self.template.has_text


@lru_cache(maxsize=4096)
def _template(text: str) -> Template:
    return to_xml(text)


@dataclass(frozen=True)
class Segmented:
    body: str
    segments: tuple[Segment, ...]

    def reassemble(self, translations: Mapping[str, str] | None = None) -> str:
        """The body with ``translations`` (segment id -> Markdown text) put in place."""
        translations = translations or {}
        out: list[str] = []
        pos = 0
        for seg in self.segments:
            start = seg.spans[0][0]
            out.append(self.body[pos:start])
            new = translations.get(seg.id)
            if new is None:
                out.append(self.body[start : seg.spans[-1][1]])
            else:
                out.append(_fill(self.body, seg, new))
            pos = seg.spans[-1][1]
        out.append(self.body[pos:])
        return "".join(out)

    def translatable(self) -> list[Segment]:
        return [s for s in self.segments if s.translatable]


def _fill(body: str, seg: Segment, text: str) -> str:
    """A translated text laid into a segment's lines, reusing the original line prefixes."""
    gaps = [body[a[1] : b[0]] for a, b in zip(seg.spans, seg.spans[1:])]
    lines = text.split("\n")
    if not gaps:
        gaps = ["\n"]
    out = [lines[0]]
    for n, line in enumerate(lines[1:]):
        out.append(gaps[min(n, len(gaps) - 1)])
        out.append(line)
    return "".join(out)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark").enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
    # Only the block structure is needed: inline content is split by placeholders.py.
    md.disable("inline")
    return md


def segment(body: str) -> Segmented:
    """Segment a body. Raises SegmentError (with the body line) when that cannot be done safely."""
    if "\x00" in body:
        raise SegmentError("NUL character in the body", body.count("\n", 0, body.index("\x00")) + 1)
    lone_cr = re.search(r"\r(?!\n)", body)
    if lone_cr:
        raise SegmentError("lone carriage return (old Mac line ending)", body.count("\n", 0, lone_cr.start()) + 1)

    # Offsets of each line; a CRLF line keeps its "\r" out of the content.
    starts = [0]
    for m in re.finditer("\n", body):
        starts.append(m.end())
    ends = []
    for n, start in enumerate(starts):
        end = starts[n + 1] - 1 if n + 1 < len(starts) else len(body)
        if end > start and body[end - 1] == "\r":
            end -= 1
        ends.append(end)

    tokens = _parser().parse(body.replace("\r\n", "\n"))
    segments: list[Segment] = []
    context: list[str] = []
    for idx, tok in enumerate(tokens):
        if tok.nesting == 1:
            context.append(tok.type)
        elif tok.nesting == -1:
            context.pop()
        if tok.type == "fence":
            _check_fence(body, starts, ends, tok)
        elif tok.type == "math_block":
            _check_math(body, starts, ends, tok)
        elif tok.type == "tr_open":
            segments.extend(_cells(body, starts, ends, tok.map[0], len(segments)))
        elif tok.type == "inline" and "tr_open" not in context:
            kind = _kind(context)
            seg = _locate(body, starts, ends, tok, kind, len(segments) + 1)
            if seg is not None:
                segments.append(seg)
    return Segmented(body, tuple(segments))


def _kind(context: list[str]) -> str:
    if "heading_open" in context:
        return "heading"
    if "list_item_open" in context:
        return "list_item"
    if "blockquote_open" in context:
        return "blockquote"
    return "paragraph"


def _locate(body: str, starts: list[int], ends: list[int], tok, kind: str, number: int) -> Segment | None:
    content = tok.content
    if not content:
        return None
    first = tok.map[0]
    lines = content.split("\n")
    spans = []
    for n, text in enumerate(lines):
        ln = first + n
        line = body[starts[ln] : ends[ln]]
        if kind == "heading" and n == len(lines) - 1:
            line_end = len(line)
            close = _ATX_CLOSE.search(line) if line.lstrip(" ").startswith("#") else None
            if close:
                line_end = close.start()
            candidate = line[:line_end].rstrip(" \t")
        else:
            candidate = line if line.endswith(text) else line.rstrip(" \t")
        if not candidate.endswith(text):
            raise SegmentError(f"cannot find the text of this {kind.replace('_', ' ')} in its line", ln + 1)
        at = len(candidate) - len(text)
        prefix = line[:at]
        if not _PREFIX_OK.match(prefix):
            if "$$" in content and kind == "paragraph":
                raise SegmentError("unbalanced '$$': display math is not closed", ln + 1)
            raise SegmentError(f"unexpected text {prefix!r} before a {kind.replace('_', ' ')}", ln + 1)
        spans.append((starts[ln] + at, starts[ln] + at + len(text)))
    text = "\n".join(lines)
    if "$$" in text and not _only_in_code(text, "$$"):
        raise SegmentError("unbalanced '$$': display math is not closed", first + 1)
    return Segment(f"s{number}", kind, first + 1, tuple(spans), text)


def _only_in_code(text: str, needle: str) -> bool:
    from transync.document.placeholders import Keep, split

    return needle not in "".join(p.text if not isinstance(p, Keep) else "" for p in split(text))


def _cells(body: str, starts: list[int], ends: list[int], ln: int, count: int) -> list[Segment]:
    """Each cell of a table row, located by splitting the row on unescaped pipes."""
    line = body[starts[ln] : ends[ln]]
    bounds = [m.start() for m in re.finditer(r"(?<!\\)\|", line)]
    edges = []
    if not bounds or line[: bounds[0]].strip():
        edges.append(-1)
    edges.extend(bounds)
    if not bounds or line[bounds[-1] + 1 :].strip():
        edges.append(len(line))
    cells = []
    for a, b in zip(edges, edges[1:]):
        raw = line[a + 1 : b]
        text = raw.strip(" \t")
        if not text:
            continue
        at = a + 1 + (len(raw) - len(raw.lstrip(" \t")))
        count += 1
        cells.append(Segment(f"s{count}", "table_cell", ln + 1, ((starts[ln] + at, starts[ln] + at + len(text)),), text))
    return cells


def _check_fence(body: str, starts: list[int], ends: list[int], tok) -> None:
    last = tok.map[1] - 1
    if tok.map[1] - tok.map[0] < 2:
        raise SegmentError("code fence is not closed", tok.map[0] + 1)
    closing = body[starts[last] : ends[last]].strip()
    marker = tok.markup
    if not (closing.startswith(marker[0] * len(marker)) and set(closing) == {marker[0]}):
        raise SegmentError("code fence is not closed", tok.map[0] + 1)


def _check_math(body: str, starts: list[int], ends: list[int], tok) -> None:
    last = tok.map[1] - 1
    if not body[starts[last] : ends[last]].rstrip().endswith("$$"):
        raise SegmentError("unbalanced '$$': display math is not closed", tok.map[0] + 1)
