"""MDX: what a ``.mdx`` body holds besides Markdown, and how it is kept.

An MDX body (MDX 2 and later, as Astro and Starlight write it) is Markdown
without indented code and HTML, plus:

- **ESM**: ``import`` and ``export`` statements at the top level, at the
  start of a line; one statement may span lines (and blank lines) until its
  JavaScript is complete;
- **JSX** tags: ``<Tabs>``, ``<TabItem label="npm">``, ``</Tabs>``,
  ``<Card title="x" icon={icon} />``, fragments ``<>``; attributes may span
  lines and hold expressions;
- **expressions** in braces: ``{frontmatter.title}``, ``{/* a comment */}``;
- and Starlight's **asides**, remark-directive containers: a line
  ``:::note`` (``:::tip[A custom title]``, ``:::caution``...), Markdown,
  and a closing ``:::``.

This module knows their syntax and nothing of translation.
:func:`transync.document.segments.segment` reads a body with
:func:`plugin`: ESM, and tags and expressions alone on their lines, are
structure kept verbatim; the Markdown between them (the text of a
``<TabItem>``, of an aside, and an aside's title) is prose.
:mod:`transync.document.placeholders` asks :class:`Scanner` for tags and
expressions inside a paragraph, which become placeholders. :func:`structure`
lists every such part of a body on its own, without the segmenter, so that a
translation can be checked to keep them byte for byte.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from transync.document.patterns import FENCE_OPEN, closes_fence
from transync.errors import DocumentError

MD, MDX = "md", "mdx"


def syntax_of(path: str | PurePath) -> str:
    """``"mdx"`` for a ``.mdx`` file, else ``"md"``: the one rule for which reader a body gets."""
    return MDX if PurePath(path).suffix.lower() == ".mdx" else MD


# --------------------------------------------------------------------------- JavaScript

_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _js(text: str, pos: int, end: int, *, stop: bool) -> int | None:
    """Walk JavaScript in ``text[pos:end]``: strings, template literals, comments, brackets.

    With ``stop`` (``text[pos]`` is an opening bracket: an expression) the
    offset just after the bracket that closes it. Without (an ESM statement),
    the offset of the first line break where everything opened is closed and
    a blank line follows, or ``end`` when everything is closed there. None
    when that never happens. Regular-expression literals are not recognised
    (a ``/'/`` reads as a string).
    """
    stack: list[str] = []
    i = pos
    while i < end:
        ch = text[i]
        if stack and stack[-1] == "`":  # inside a template literal
            if ch == "\\":
                i += 2
            elif ch == "`":
                stack.pop()
                i += 1
            elif text.startswith("${", i):
                stack.append("${")
                i += 2
            else:
                i += 1
            continue
        if ch == '"' or ch == "'":
            j = i + 1
            while j < end and text[j] != ch:
                if text[j] == "\n":
                    return None
                j += 2 if text[j] == "\\" else 1
            if j >= end:
                return None
            i = j + 1
        elif ch == "`":
            stack.append("`")
            i += 1
        elif ch == "/" and text.startswith("//", i):
            newline = text.find("\n", i, end)
            i = end if newline == -1 else newline
        elif ch == "/" and text.startswith("/*", i):
            close = text.find("*/", i + 2, end)
            if close == -1:
                return None
            i = close + 2
        elif ch in "([{":
            stack.append(ch)
            i += 1
        elif ch in ")]}":
            if not stack:
                return None
            opener = stack.pop()
            if opener != _CLOSERS[ch] and not (ch == "}" and opener == "${"):
                return None
            i += 1
            if stop and not stack:
                return i
        elif ch == "\n" and not stop and not stack and not text[i + 1 : _line_end(text, i + 1, end)].strip(" \t\r"):
            return i
        else:
            i += 1
    if stop or stack:
        return None
    return end


def _line_end(text: str, pos: int, end: int) -> int:
    newline = text.find("\n", pos, end)
    return end if newline == -1 else newline


# --------------------------------------------------------------------------- JSX

_NAME = re.compile(r"[A-Za-z_$][\w$-]*(?:[.:][A-Za-z_$][\w$-]*)*")
_ATTRIBUTE = re.compile(r"[A-Za-z_$][\w$:.-]*")
_SPACE = re.compile(r"\s*")


class Scanner:
    """Finds JSX tags and expressions in one text.

    Once an expression fails to close, none after it is tried: in valid MDX
    every ``{`` closes, and trying each of thousands of unclosed ones would
    read the rest of the text thousands of times.
    """

    __slots__ = ("text", "_broken")

    def __init__(self, text: str) -> None:
        self.text = text
        self._broken = False

    def expression(self, pos: int) -> int | None:
        """End of the expression whose ``{`` is at ``pos``, or None."""
        if self._broken:
            return None
        end = _js(self.text, pos, len(self.text), stop=True)
        if end is None:
            self._broken = True
        return end

    def tag(self, pos: int) -> int | None:
        """End of the JSX tag whose ``<`` is at ``pos`` (opening, closing, self-closing or fragment), or None."""
        text, n = self.text, len(self.text)
        if self._broken:
            return None
        i = pos + 1
        closing = i < n and text[i] == "/"
        if closing:
            i += 1
        if i < n and text[i] == ">":
            return i + 1  # a fragment, <> or </>
        name = _NAME.match(text, i)
        if name is None:
            return None
        i = name.end()
        if closing:
            i = _SPACE.match(text, i).end()  # type: ignore[union-attr]  # \s* always matches
            return i + 1 if i < n and text[i] == ">" else None
        while True:
            j = _SPACE.match(text, i).end()  # type: ignore[union-attr]
            if text.startswith("/>", j):
                return j + 2
            if j < n and text[j] == ">":
                return j + 1
            if j == i or j >= n:
                return None  # attributes are separated by white space
            if text[j] == "{":  # {...spread}
                end = self.expression(j)
                if end is None:
                    return None
                i = end
                continue
            attribute = _ATTRIBUTE.match(text, j)
            if attribute is None:
                return None
            i = attribute.end()
            k = _SPACE.match(text, i).end()  # type: ignore[union-attr]
            if k < n and text[k] == "=":
                k = _SPACE.match(text, k + 1).end()  # type: ignore[union-attr]
                if k < n and text[k] in "\"'":
                    close = text.find(text[k], k + 1)
                    if close == -1:
                        self._broken = True  # as for an unclosed "{": read to the end once
                        return None
                    i = close + 1
                elif k < n and text[k] == "{":
                    end = self.expression(k)
                    if end is None:
                        return None
                    i = end
                else:
                    return None

    def flow_end(self, pos: int) -> int | None:
        """End of the tags and expressions that start at ``pos`` and fill the rest of their
        last line (spaces and tabs allowed between and after them), else None."""
        text, n = self.text, len(self.text)
        i = pos
        found = False
        while True:
            while i < n and text[i] in " \t":
                i += 1
            if i >= n or text[i] in "\r\n":
                return i if found else None
            if text[i] == "<":
                end = self.tag(i)
            elif text[i] == "{":
                end = self.expression(i)
            else:
                return None
            if end is None:
                return None
            found = True
            i = end


# --------------------------------------------------------------------------- block rules

_ESM = re.compile(r"(?:import|export)(?=[\s{*'\"])")
#: A remark-directive container line: colons, a name, an optional [label] and {attributes}.
ASIDE = re.compile(r"[ \t]*(:{3,})([A-Za-z][\w-]*)(?:\[(.*)\])?(?:\{.*\})?[ \t]*$")
_DIRECTIVE = re.compile(r"[A-Za-z][\w-]*(?:\[.*\])?(?:\{.*\})?\s*$")


class MdxError(DocumentError):
    """An MDX body that cannot be read safely (an import or export that never ends...)."""


def _esm_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """``import`` / ``export`` at the top level, up to a blank line where its JavaScript is complete."""
    # The nesting level, not parentType: markdown-it's lheading rule leaves
    # parentType at "paragraph" when the line is not a heading.
    if state.level != 0 or state.blkIndent != 0 or state.sCount[start_line] != 0:
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    if not _ESM.match(state.src, start):
        return False
    # One walk of the JavaScript finds the blank line where it is complete.
    stop = _js(state.src, start, len(state.src), stop=False)
    if stop is None:
        raise MdxError("this import or export never ends (a string, comment or bracket is not closed)", start_line + 1)
    line = start_line
    while line < end_line and state.eMarks[line] < stop:
        line += 1
    line = min(line + 1, end_line)
    if silent:
        return True
    token = state.push("mdx_esm", "", 0)
    token.map = [start_line, line]
    token.content = state.src[start : state.eMarks[line - 1]]
    state.line = line
    return True


def _flow_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """JSX tags and expressions alone on their lines (one construct may span lines)."""
    start = state.bMarks[start_line] + state.tShift[start_line]
    if start >= state.eMarks[start_line] or state.src[start] not in "<{":
        return False
    # One scanner for the whole body, so that an unclosed "{" is read to the end once.
    scanner = state.env.get("mdx_scanner")
    if scanner is None or scanner.text is not state.src:
        scanner = state.env["mdx_scanner"] = Scanner(state.src)
    end = scanner.flow_end(start)
    if end is None:
        return False
    line = start_line
    while line < end_line and state.eMarks[line] < end:
        line += 1
    if line >= end_line:
        return False  # runs past its container
    if silent:
        return True
    token = state.push("mdx_flow", "", 0)
    token.map = [start_line, line + 1]
    token.content = state.src[start:end]
    state.line = line + 1
    return True


def _paragraph_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's paragraph, less its rule that a line indented four columns
    more continues the paragraph whatever it holds ("this would be a code block
    normally"): MDX has no indented code, so such a line may start a fence, a
    list item or a tag (micromark lifts the same limit when code is disabled)."""
    from markdown_it.common.utils import mdTrim

    next_line = start_line + 1
    terminators = state.md.block.ruler.getRules("paragraph")
    end_line = state.lineMax
    old_parent = state.parentType
    state.parentType = "paragraph"
    while next_line < end_line and not state.isEmpty(next_line):
        # A lazy line of a block quote, already checked by that rule.
        if state.sCount[next_line] >= 0 and any(rule(state, next_line, end_line, True) for rule in terminators):
            break
        next_line += 1
    content = mdTrim(state.getLines(start_line, next_line, state.blkIndent, False))
    state.line = next_line
    token = state.push("paragraph_open", "p", 1)
    token.map = [start_line, state.line]
    token = state.push("inline", "", 0)
    token.content = content
    token.map = [start_line, state.line]
    token.children = []
    state.push("paragraph_close", "p", -1)
    state.parentType = old_parent
    return True


def _colons_rule(state, start_line: int, end_line: int, silent: bool) -> bool:
    """A line of colons alone that closes no aside (one of an opener that is
    not a directive, ``:::[Title]``): kept, like the closer it was meant to be."""
    start = state.bMarks[start_line] + state.tShift[start_line]
    if not _COLONS.match(state.src, start, state.eMarks[start_line]):
        return False
    if not silent:
        token = state.push("mdx_flow", "", 0)
        token.map = [start_line, start_line + 1]
        token.content = state.src[start : state.eMarks[start_line]]
        state.line = start_line + 1
    return True


_COLONS = re.compile(r":{3,}[ \t]*$")


def plugin(md) -> None:
    """Teach a markdown-it parser MDX's block structure (see the module docstring)."""
    from mdit_py_plugins.container import container_plugin

    # MDX has no indented code: indentation only nests content in components.
    # Nor HTML: "<p>Some text</p>" is a paragraph whose tags are JSX.
    md.disable(["code", "html_block"])
    md.block.ruler.at("paragraph", _paragraph_rule)
    md.block.ruler.before("table", "mdx_esm", _esm_rule)
    md.block.ruler.before("table", "mdx_flow", _flow_rule, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    container_plugin(md, "aside", validate=lambda params, *_: bool(_DIRECTIVE.match(params)))
    md.block.ruler.after("container_aside", "mdx_colons", _colons_rule, {"alt": ["paragraph", "reference", "blockquote", "list"]})


# --------------------------------------------------------------------------- structure

def structure(body: str) -> list[str]:
    """Every ESM line, JSX tag, expression and aside marker of a body, in order, as written.

    Read on its own, without the segmenter: fenced code and code spans are
    skipped, an ESM statement is its lines up to a blank line, an aside
    marker is its colons and name (its title is prose). Two bodies whose
    structures are equal kept all of them byte for byte.
    """
    parts: list[str] = []
    prose: list[str] = []
    fence = ""
    esm = False
    for line in body.splitlines(keepends=True):
        if fence:
            if closes_fence(line, fence):
                fence = ""
            continue
        opening = FENCE_OPEN.match(line)
        if opening:
            fence = opening.group(1)
            prose.append("\n")
            continue
        if esm or (_ESM.match(line) is not None):
            esm = bool(line.strip())
            if esm:
                parts.append(line.rstrip("\r\n"))
            prose.append("\n")
            continue
        if ":::" not in line:  # neither an aside's marker nor its closing colons
            prose.append(line)
            continue
        aside = ASIDE.match(line)
        if aside:
            parts.append(aside.group(1) + aside.group(2))
            if aside.group(3):
                prose.append(aside.group(3))
            prose.append("\n")
            continue
        if _COLON_LINE.fullmatch(line):
            parts.append(":::")
            prose.append("\n")
            continue
        prose.append(line)
    parts.extend(_inline_structure("".join(prose)))
    return parts


_COLON_LINE = re.compile(r"[ \t]*:{3,}[ \t]*\r?\n?")
_INLINE_SPECIAL = re.compile(r"[\\`<{]")


def _inline_structure(text: str) -> list[str]:
    scanner = Scanner(text)
    found: list[str] = []
    n = len(text)
    match = _INLINE_SPECIAL.search(text)
    while match is not None:
        i = match.start()
        ch = text[i]
        if ch == "\\":
            i += 2
        elif ch == "`":
            run = _run(text, i)
            close = text.find("`" * run, i + run)
            while close != -1 and (_run(text, close) != run or text[close - 1] == "`"):
                close = text.find("`" * run, close + _run(text, close))
            i = i + run if close == -1 else close + run
        else:
            end = scanner.tag(i) if ch == "<" else scanner.expression(i)
            if end is None:
                i += 1
            else:
                found.append(text[i:end])
                i = end
        match = _INLINE_SPECIAL.search(text, min(i, n))
    return found


def _run(text: str, i: int) -> int:
    j = i
    while j < len(text) and text[j] == "`":
        j += 1
    return j - i
