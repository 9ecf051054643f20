"""Segmenting a Markdown body into what is translated and what is not.

markdown-it-py (CommonMark, GFM tables, dollar math) finds the blocks and
their source lines; the text is then *sliced* by position, never
re-rendered. A body becomes an ordered list of segments (heading text,
paragraph, list item, block-quote paragraph, table cell) and everything
between them (markup prefixes, blank lines, display math, code, HTML
blocks, reference definitions, Liquid-only lines) stays as it was.

A ``.mdx`` body is read as MDX (``syntax="mdx"``, see :mod:`transync.document.mdx`):
``import``/``export`` statements and JSX tags and expressions alone on their
lines are kept too, indentation never makes code, the Markdown inside a
component or a Starlight aside is prose, and an aside's ``[title]`` is a
segment of its own (``aside_title``).

:meth:`Segmented.reassemble` puts translations into the original text; with
no translations it returns the body byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Mapping

from transync.errors import DocumentError
from transync.document.markdown import parse, quiet_rule_logs
from transync.document.mdx import MD, MDX, ASIDE, MdxError
from transync.document.placeholders import Keep, Template, Text, matching_bracket, split, to_xml

_ATX_CLOSE = re.compile(r"[ \t]+#+[ \t]*$|^#+[ \t]*$")
# Markers, then blanks and ">"s: "[ \t][ \t>]*" and not "[ \t]+[ \t>]*", whose two
# ways to split the same blanks made a failing match exponential in the markers.
_PREFIX_OK = re.compile(r"^[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])(?:[ \t][ \t>]*|$))*(?:#{1,6}[ \t]+)?$")


class SegmentError(DocumentError):
    """A body that cannot be segmented safely (an unclosed fence, unbalanced $$ ...)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One translatable unit: its text, where it is, and how to put text back."""

    id: str  # stable within a document: s1, s2, ... in reading order
    kind: str  # heading, paragraph, list_item, blockquote, table_cell, aside_title
    line: int  # 1-based line in the body
    spans: tuple[tuple[int, int], ...]  # [start, end) offsets in the body, one per line
    text: str  # the lines' content joined by "\n", without prefixes
    syntax: str = MD  # "md" or "mdx": what its inline text may hold (JSX, expressions)

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    @property
    def template(self) -> Template:
        return _template(self.text, self.syntax)

    @property
    def translatable(self) -> bool:
        """False for segments with nothing to translate (numbers only, Liquid only, code only)."""
        # Liquid tags, code and math are placeholders in the template, so
        # "text" means letters outside them. (A regex for Liquid-only segments
        # used to be here: its lazy ".*?" inside "+" took seconds on 26 tags.)
        return self.template.has_text


@lru_cache(maxsize=4096)
def _template(text: str, syntax: str = MD) -> Template:
    return to_xml(text, syntax)


@dataclass(frozen=True)
class Segmented:
    body: str
    segments: tuple[Segment, ...]
    syntax: str = MD

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


@lru_cache(maxsize=2)
def _parser(syntax: str = MD):
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark").enable("table")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
    if syntax == MDX:
        from transync.document.mdx import plugin

        md.use(plugin)
    # Only the block structure is needed: inline content is split by placeholders.py.
    md.disable("inline")
    quiet_rule_logs()
    return md


def segment(body: str, syntax: str = MD) -> Segmented:
    """Segment a body written in ``syntax`` (``"md"`` or ``"mdx"``, see
    :func:`transync.document.mdx.syntax_of`). Raises SegmentError (with the
    body line) when that cannot be done safely."""
    return _segment(body, syntax, None)


@dataclass(frozen=True, slots=True)
class Blocks:
    """A body's display math and code blocks, in order, as :func:`transync.document.outline.outline` reads them."""

    math: tuple[str, ...]  # each block's TeX, whitespace folded
    code: tuple[str, ...]  # each block's info string and text (trailing spaces of lines dropped)


def segment_with_blocks(body: str, syntax: str = MD) -> tuple[Segmented, Blocks]:
    """:func:`segment` and the body's blocks from the same parse (comparing two versions needs both)."""
    blocks: list = []
    return _segment(body, syntax, blocks), _blocks(blocks)


def blocks_of(body: str, syntax: str = MD) -> Blocks:
    """The body's blocks alone, without segmenting it. Raises SegmentError when MDX refuses it."""
    try:
        tokens = parse(_parser(syntax), body.replace("\r\n", "\n"))
    except MdxError as exc:
        raise SegmentError(exc.reason, exc.line) from None
    return _blocks([t for t in tokens if t.type in _BLOCKS])


_BLOCKS = frozenset({"fence", "code_block", "math_block"})


def _blocks(tokens: list) -> Blocks:
    from transync.document.outline import code_text

    math = tuple(" ".join(t.content.split()) for t in tokens if t.type == "math_block")
    code = tuple(code_text(t) for t in tokens if t.type != "math_block")
    return Blocks(math, code)


def _segment(body: str, syntax: str, blocks: list | None) -> Segmented:
    if syntax not in (MD, MDX):
        raise ValueError(f"unknown body syntax {syntax!r}")
    if "\x00" in body:
        raise SegmentError("NUL character in the body", body.count("\n", 0, body.index("\x00")) + 1)
    lone_cr = re.search(r"\r(?!\n)", body)
    if lone_cr:
        raise SegmentError("lone carriage return (old Mac line ending)", body.count("\n", 0, lone_cr.start()) + 1)

    # Offsets of each line; a CRLF line keeps its "\r" out of the content.
    lines = body.split("\n")
    starts = [0, *accumulate(len(line) + 1 for line in lines[:-1])]
    ends = [start + len(line) - line.endswith("\r") for start, line in zip(starts, lines)]

    try:
        tokens = parse(_parser(syntax), body.replace("\r\n", "\n"))
    except MdxError as exc:
        raise SegmentError(exc.reason, exc.line) from None
    segments: list[Segment] = []
    context: list[str] = []
    if blocks is not None:
        blocks.extend(t for t in tokens if t.type in _BLOCKS)
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
        elif tok.type == "container_aside_open":
            seg = _aside_title(body, starts, ends, tok.map[0], len(segments) + 1)
            if seg is not None:
                segments.append(seg)
    if syntax == MDX:
        segments = [_checked_mdx(s) for s in segments]
    return Segmented(body, tuple(segments), syntax)


def _checked_mdx(seg: Segment) -> Segment:
    """An MDX segment, once no tag or expression in it is left as text.

    In MDX a ``{`` or a ``<`` before a letter always starts an expression or a
    tag; one that does not close would reach an engine as prose, and MDX
    itself refuses the file.
    """
    seg = Segment(seg.id, seg.kind, seg.line, seg.spans, seg.text, MDX)  # dataclasses.replace, at a fraction of its cost
    # Text is all that is left in the template's XML ("<" escaped), and the
    # template is needed anyway to know whether the segment is translatable.
    if "{" not in seg.template.xml and not _UNCLOSED_XML.search(seg.template.xml):
        return seg
    at = 0
    for piece in split(seg.text, MDX):
        if isinstance(piece, Text) and (bad := _UNCLOSED.search(piece.text)):
            line = seg.line + seg.text.count("\n", 0, at + bad.start())
            what = "expression '{'" if bad.group() == "{" else f"JSX tag {bad.group()!r}"
            raise SegmentError(f"this {what} is not closed (MDX)", line)
        at += len(piece.text if isinstance(piece, Text) else piece.source)
    return seg


_UNCLOSED = re.compile(r"\{|</?[A-Za-z_$][\w$.:-]*")
_UNCLOSED_XML = re.compile(r"&lt;/?[A-Za-z_$]")


def _aside_title(body: str, starts: list[int], ends: list[int], ln: int, number: int) -> Segment | None:
    """The ``[title]`` of an aside's opening line (``:::tip[Custom title]``), when it has one."""
    line = body[starts[ln] : ends[ln]]
    match = ASIDE.match(line)
    if match is None or not match.group(3) or not match.group(3).strip(" \t"):
        return None
    # ASIDE's "(.*)\]" is greedy; the title is the text up to the "]" that
    # balances its "[" (a "{...}" of attributes may follow), as a link text's.
    end = matching_bracket(line, match.end(2))
    if end is None:
        return None
    at = match.end(2) + 1
    raw = line[at:end]
    text = raw.strip(" \t")
    if not text:
        return None
    first = at + len(raw) - len(raw.lstrip(" \t"))
    return Segment(f"s{number}", "aside_title", ln + 1, ((starts[ln] + first, starts[ln] + first + len(text)),), text)


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
                # markdown-it trims Unicode white space too (a trailing no-break space).
                candidate = line.rstrip()
        if not candidate.endswith(text):
            raise SegmentError(f"cannot find the text of this {kind.replace('_', ' ')} in its line", ln + 1)
        at = len(candidate) - len(text)
        prefix = line[:at]
        # A Unicode space (no-break, ideographic) before the text is trimmed like a blank.
        if not _PREFIX_OK.match(prefix) and not (prefix[-1:].isspace() and _PREFIX_OK.match(prefix.rstrip() + " ")):
            if "$$" in content and kind == "paragraph":
                raise SegmentError("unbalanced '$$': display math is not closed", ln + 1)
            raise SegmentError(f"unexpected text {prefix!r} before a {kind.replace('_', ' ')}", ln + 1)
        spans.append((starts[ln] + at, starts[ln] + at + len(text)))
    text = "\n".join(lines)
    if "$$" in text and not _only_in_code(text, "$$"):
        raise SegmentError("unbalanced '$$': display math is not closed", first + 1)
    return Segment(f"s{number}", kind, first + 1, tuple(spans), text)


def _only_in_code(text: str, needle: str) -> bool:
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
