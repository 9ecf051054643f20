"""The block parse that the segmenter and the outline share: markdown-it-py's, with a fast path.

:func:`parse` returns what ``md.parse(src, env)`` returns for a parser that
only builds blocks (its inline rule off, as both of transync's are): the
same token types, nesting, line maps, contents, markup, info and tags, in
the same order. It walks the top-level blocks itself and builds the plain
ones without markdown-it's rule chain:

- an ATX heading (``## Title``) on one line;
- a paragraph of lines that start at the margin with a character that
  starts no other block, up to a blank line or the end;
- display math on one line (``$$ \\Large \\text{0.5} $$``);
- a list of one-line items (``1. text``, ``- text``), the items' text
  plain like a paragraph's, blank lines allowed between items.

Any other block (indented lines, quotes, fences, tables, HTML, JSX, a
paragraph that something interrupts, a setext heading ...) is handed, from
its first line, to markdown-it-py's own rules on a state made for the whole
body; what follows it goes on by the fast path. Block rules see nothing of
the blocks before them but the ``env`` (reference definitions, which only
markdown-it's rule makes): at the top level, between two blocks, the
parser's state is the same whether markdown-it made the earlier blocks or
this module did.

markdown-it's rules log their entry at debug level, which nobody reads:
:func:`quiet_rule_logs` silences that for both parsers.

The fast path is taken only for the two rule sets it was written against
(CommonMark with tables and dollar math; and that with
:func:`transync.document.mdx.plugin`) and markdown-it-py 4; any other
parser gets ``md.parse``. ``tests/test_markdown_fast.py`` compares the two on
generated bodies, ``bench/compare_blocks.py`` on whole corpora.
"""

from __future__ import annotations

import re
from typing import Any

_MD_RULES = ("table", "code", "math_block", "fence", "blockquote", "hr", "list", "reference", "html_block", "heading", "lheading", "paragraph")
_MDX_RULES = (
    "mdx_esm", "mdx_flow", "table", "math_block", "container_aside", "mdx_colons", "fence", "blockquote", "hr", "list", "reference",
    "heading", "lheading", "paragraph",
)
#: Core rules that leave a block-only parse as the block rules made it.
_CORE_OK = frozenset({"normalize", "block", "text_join"})

_NEWLINES = re.compile(r"\r\n?")
_ESM = re.compile(r"(?:import|export)(?=[\s{*'\"])")
_HEADING = re.compile(r"#{1,6}(?=[ \t]|$)")
# A one-line list item: its marker, 1 to 4 spaces, and text (5 spaces would make indented code).
_ITEM = re.compile(r"(?:([-*+])|(\d{1,9})([.)]))( {1,4})(?=[^ \t])")
# A "[" that no reference definition can start: a label closed on its line, with no ":" after it.
_NOT_REFERENCE = re.compile(r"\[[^\[\]\\]*\](?!:)")
_ORDERED = re.compile(r"\d+[.)](?:[ \t]|$)")
# What markdown-it's list rule takes for an item's marker (the item may be empty).
_MARKER = re.compile(r"(?:([-*+])|(\d{1,9})([.)]))(?:[ \t]|$)")


class Token:
    """A block token of the fast path: the attributes of markdown-it's ``Token`` that transync reads."""

    __slots__ = ("type", "tag", "nesting", "map", "content", "markup", "info", "attrs")

    def __init__(self, type: str, tag: str, nesting: int, map: list[int] | None = None, content: str = "", markup: str = "",
                 info: str = "", attrs: dict[str, Any] | None = None) -> None:
        self.type = type
        self.tag = tag
        self.nesting = nesting
        self.map = map
        self.content = content
        self.markup = markup
        self.info = info
        self.attrs = attrs or {}

    def __repr__(self) -> str:
        return f"Token({self.type!r}, map={self.map!r}, content={self.content!r})"


class _Quiet:
    """Stands in for the logger of a markdown-it rule module."""

    # Each block rule logs its entry at debug level (1.67 M calls for a check of the real site),
    # which nobody reads: a builtin that takes any arguments and does nothing is far cheaper.
    debug = staticmethod("".format)


def quiet_rule_logs() -> None:
    """Silence the per-rule debug logging of markdown-it's rule modules (once they are loaded)."""
    import sys

    for name, module in list(sys.modules.items()):
        if name.startswith("markdown_it.rules_") and hasattr(module, "LOGGER"):
            module.LOGGER = _Quiet


def _kind(md) -> str | None:
    """``"md"`` or ``"mdx"`` when the fast path knows ``md``'s block rules, else None."""
    cached = getattr(md, "_transync_fast", False)
    if cached is not False:
        return cached
    kind = None
    try:
        import markdown_it
        from markdown_it.common.utils import mdTrim  # noqa: F401  # the trim the rules use, since 4.0

        rules = tuple(md.block.ruler.get_active_rules())
        if markdown_it.__version__.split(".")[0] == "4" and set(md.core.ruler.get_active_rules()) <= _CORE_OK:
            kind = {_MD_RULES: "md", _MDX_RULES: "mdx"}.get(rules)
    except ImportError:
        pass
    md._transync_fast = kind
    return kind


def parse(md, src: str, env: dict | None = None) -> list:
    """``md.parse(src, env)`` for a block-only parser, the plain blocks built without its rule chain."""
    env = {} if env is None else env
    kind = _kind(md)
    if kind is None:
        return md.parse(src, env)
    from markdown_it.common.utils import mdTrim

    # markdown-it's normalize rule.
    if "\r" in src:
        src = _NEWLINES.sub("\n", src)
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    tokens: list = []
    if not src:
        return tokens
    lines = src.split("\n")
    # The lines markdown-it counts: not the empty one after a last newline,
    # nor a last line of only spaces and tabs.
    newline_at_end = True  # whether a newline ends the last line counted
    if not lines[-1].strip(" \t"):
        lines.pop()
    else:
        newline_at_end = False
    end = len(lines)
    mdx = kind == "mdx"
    state = None
    rules = None
    line = 0
    while line < end:
        text = lines[line]
        if not text.strip(" \t"):
            line += 1
            continue
        after = _fast(lines, line, end, text, mdx, tokens, mdTrim, newline_at_end)
        if after < 0:
            if state is None:
                from markdown_it.rules_block import StateBlock

                state = StateBlock(src, md, env, tokens)
                rules = md.block.ruler.getRules("")
            state.line = line
            for rule in rules:  # type: ignore[union-attr]
                if rule(state, line, end, False):
                    break
            after = state.line
            if after <= line:
                raise RuntimeError("block rule didn't increment state.line")
        line = after
    return tokens


def _fast(lines: list[str], line: int, end: int, text: str, mdx: bool, tokens: list, trim, newline_at_end: bool) -> int:
    """Build the block that starts at ``line`` when it is plain: the line after it, else -1."""
    first = text[0]
    if first == "#":
        heading = _HEADING.match(text)
        if heading is None or _table_next(lines, line, end, text):
            return -1
        level = heading.end()
        stop = len(text)
        while stop > level and text[stop - 1] in " \t":
            stop -= 1
        hashes = stop
        while hashes > level and text[hashes - 1] == "#":
            hashes -= 1
        if hashes > level and text[hashes - 1] in " \t":
            stop = hashes
        tag, span = f"h{level}", [line, line + 1]
        tokens.append(Token("heading_open", tag, 1, span, markup="#" * level))
        tokens.append(Token("inline", "", 0, [line, line + 1], trim(text[level:stop])))
        tokens.append(Token("heading_close", tag, -1, None, markup="#" * level))
        return line + 1
    if first == "$":
        # dollarmath's block rule on a line that opens and closes its math.
        stripped = text.strip()
        if not text.startswith("$$") or len(stripped) <= 3 or not stripped.endswith("$$") or _table_next(lines, line, end, text):
            return -1
        tokens.append(Token("math_block", "math", 0, [line, line + 1], text[2 : len(stripped) - 2], markup="$$"))
        return line + 1
    if first in "`~":
        return _fence(lines, line, end, text, mdx, tokens, newline_at_end)
    if first in "-*_" and _hr(text):
        if _table_next(lines, line, end, text):
            return -1
        tokens.append(Token("hr", "hr", 0, [line, line + 1], markup=first * (text.count(first) + 1)))  # markdown-it's markup
        return line + 1
    if (first != "[" or _NOT_REFERENCE.match(text)) and _plain(text, mdx):
        stop = line + 1
        while stop < end:
            following = lines[stop]
            if not following.strip(" \t"):
                break
            if not _plain(following, mdx):
                return -1  # something may interrupt the paragraph or make it a heading
            stop += 1
        span = [line, stop]
        tokens.append(Token("paragraph_open", "p", 1, span))
        tokens.append(Token("inline", "", 0, [line, stop], trim("\n".join(lines[line:stop]))))
        tokens.append(Token("paragraph_close", "p", -1))
        return stop
    if first in "-*+0123456789":
        return _list(lines, line, end, mdx, tokens, trim)
    return -1


def _hr(text: str) -> bool:
    """A thematic break: three or more of one of ``*-_``, and blanks."""
    first = text[0]
    return text.count(first) >= 3 and not text.strip(first + " \t")


def _fence(lines: list[str], line: int, end: int, text: str, mdx: bool, tokens: list, newline_at_end: bool) -> int:
    """A code fence at the margin (markdown-it's fence rule with a block indent of 0), or -1."""
    marker = text[0]
    size = len(text) - len(text.lstrip(marker))
    if size < 3:
        return -1
    params = text[size:]
    if (marker == "`" and "`" in params) or _table_next(lines, line, end, text):
        return -1
    close = line + 1
    closed = False
    while close < end:
        candidate = lines[close]
        body = candidate.lstrip(" \t")
        if body[:1] == marker and (mdx or _columns(candidate[: len(candidate) - len(body)]) < 4):
            run = len(body) - len(body.lstrip(marker))
            if run >= size and not body[run:].strip(" \t"):
                closed = True
                break
        close += 1
    inner = lines[line + 1 : close]
    content = "".join(piece + "\n" for piece in inner)
    if close == end and inner and not newline_at_end:
        content = content[:-1]  # the body's last line, which no newline ends
    tokens.append(Token("fence", "code", 0, [line, close + closed], content, markup=text[:size], info=params))
    return close + closed


def _columns(indent: str) -> int:
    """The width of a line's indentation, tabs to the next multiple of 4 (as markdown-it's ``sCount``)."""
    width = 0
    for ch in indent:
        width += 4 - width % 4 if ch == "\t" else 1
    return width


def _plain(text: str, mdx: bool) -> bool:
    """Whether a line at the margin starts no block and ends no paragraph: it can only be a paragraph's.

    (A ``[`` may start a reference definition, which a paragraph's first
    line must not: the caller checks that.)
    """
    first = text[0]
    if first in " \t>`~<$|:=#":
        if first == "#":
            return _HEADING.match(text) is None
        if first == "$":
            return not text.startswith("$$")
        if first in "`~":
            return not text.startswith(first * 3)
        if first == "=":
            return bool(text.strip("= \t"))  # not a setext underline
        return False
    if first in "-*_+":
        # A list marker is followed by a blank or the line's end; a rule, a setext
        # underline or a table's delimiter row has nothing but these characters.
        second = text[1:2]
        return second not in ("", " ", "\t") and bool(text.strip("-*_+|: \t"))
    if first in "0123456789":
        return _ORDERED.match(text) is None
    if mdx:
        return first != "{" and _ESM.match(text) is None
    return True


def _table_next(lines: list[str], line: int, end: int, text: str) -> bool:
    """Whether GFM's table rule could take ``line`` as a header row (a cell bar and a delimiter row after it)."""
    if "|" not in text or line + 1 >= end:
        return False
    following = lines[line + 1].lstrip(" \t")
    return following[:1] in ("|", "-", ":")


def _list(lines: list[str], line: int, end: int, mdx: bool, tokens: list, trim) -> int:
    """A list of one-line items with plain text, or -1."""
    first = _ITEM.match(lines[line])
    if first is None:
        return -1
    bullet = first.group(1)
    marker = bullet or first.group(3)
    items: list[tuple[int, int, re.Match]] = []  # (line, line after it, match)
    at, item = line, first
    while True:
        text = lines[at]
        if not _plain(text[item.end() :], mdx) or text[item.end()] == "[" or _table_next(lines, at, end, text):
            return -1
        after = at + 1
        if after < end and lines[after].strip(" \t"):
            following = _ITEM.match(lines[after])
            if not _same(following, bullet, marker):
                return -1  # a lazy continuation line, or another list right after: markdown-it decides
            items.append((at, after, item))
            at, item = after, following
            continue
        while after < end and not lines[after].strip(" \t"):
            after += 1
        items.append((at, after, item))
        if after >= end:
            break
        if lines[after][0] in " \t":
            return -1  # indented: the item's own content, or code after the list
        following = _ITEM.match(lines[after])
        if not _same(following, bullet, marker):
            if _same(_MARKER.match(lines[after]), bullet, marker):
                return -1  # an item of this list that is not one line of plain text
            break
        at, item = after, following
    stop = items[-1][1]
    if bullet:
        tokens.append(Token("bullet_list_open", "ul", 1, [line, stop], markup=marker))
    else:
        start = int(first.group(2))
        tokens.append(Token("ordered_list_open", "ol", 1, [line, stop], markup=marker, attrs={"start": start} if start != 1 else None))
    for at, after, item in items:
        text = lines[at]
        tokens.append(Token("list_item_open", "li", 1, [at, after], markup=marker, info=item.group(2) or ""))
        tokens.append(Token("paragraph_open", "p", 1, [at, at + 1]))
        tokens.append(Token("inline", "", 0, [at, at + 1], trim(text[item.end() :])))
        tokens.append(Token("paragraph_close", "p", -1))
        tokens.append(Token("list_item_close", "li", -1, markup=marker))
    tokens.append(Token("bullet_list_close" if bullet else "ordered_list_close", "ul" if bullet else "ol", -1, markup=marker))
    return stop


def _same(item: re.Match | None, bullet: str | None, marker: str) -> bool:
    """Whether a marker continues a list: bullets of the same character, or numbers with the same delimiter."""
    return item is not None and bool(item.group(1)) == bool(bullet) and (item.group(1) or item.group(3)) == marker
