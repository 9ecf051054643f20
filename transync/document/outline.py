"""A Markdown body read as an outline: its display math, code blocks, headings,
tables, URLs and citations, each with the line it was found on.

Bodies are read with markdown-it-py (CommonMark, tables, ``$$`` math), so
that a ``[1]`` inside inline code or a URL in a code block is not mistaken
for prose. The checks compare two outlines; ``changes`` compares a body's
versions.

An MDX body (``syntax="mdx"``) is read with :func:`transync.document.mdx.plugin`:
its indented text is prose, not code, and the URLs of its imports, JSX tags
and expressions are collected like those of HTML blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from transync.document import Document
from transync.document.markdown import parse, quiet_rule_logs
from transync.document.patterns import bare_urls, citations


class Block(NamedTuple):
    text: str  # normalized content
    line: int


class Heading(NamedTuple):
    level: int
    text: str
    line: int


class Table(NamedTuple):
    rows: int  # header row included
    columns: int
    line: int


class Spot(NamedTuple):
    value: Any  # a URL, a citation number, a placeholder tag
    line: int
    section: int  # how many headings come before it


@dataclass(frozen=True, slots=True)
class Outline:
    """What the checks need of a body, each fact with its line in the file."""

    math: tuple[Block, ...] = ()
    code: tuple[Block, ...] = ()
    headings: tuple[Heading, ...] = ()
    tables: tuple[Table, ...] = ()
    urls: tuple[Spot, ...] = ()
    citations: tuple[Spot, ...] = ()
    unclosed_math: tuple[int, ...] = ()  # lines of text with a $$ that opens no math block


_md: dict[str, Any] = {}


def _markdown(syntax: str = "md"):
    """CommonMark with tables and ``$$`` blocks (and MDX's structure for ``"mdx"``);
    inline content is parsed by :func:`outline` on demand."""
    if syntax not in _md:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.dollarmath import dollarmath_plugin

        md = MarkdownIt("commonmark").enable("table")
        md.use(dollarmath_plugin, allow_labels=True, allow_space=True, allow_digits=False, double_inline=False)
        # Kramdown only knows $$: a single $ is a price, not math. Emphasis and
        # entities change nothing the checks look at. Inline content is parsed
        # only where it can hold a link or code (see _Prose.read).
        md.disable(["math_inline", "emphasis", "entity", "inline", "text_join"])
        if syntax == "mdx":
            from transync.document.mdx import plugin

            md.use(plugin)
        quiet_rule_logs()
        _md[syntax] = md
    return _md[syntax]


def _inline_syntax(text: str) -> bool:
    """Whether inline content may hold a link, image, autolink, code span, HTML or escape:
    without, its text is all prose and the inline parser need not run."""
    # "in", not a regular expression: one tried every position of every paragraph.
    return "`" in text or "<" in text or "\\" in text or "](" in text


# Code spans, whose $$ is shown, not math (a paragraph's text is read as a whole:
# an odd number of $$ outside them is a display-math block that never closes).
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)


def _normalize_code(text: str) -> str:
    # Trailing spaces are invisible in a code block and editors strip them.
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def code_text(tok) -> str:
    """A fence's or an indented code block's token as compared: its info string, a newline, its lines."""
    info = tok.info.strip() if tok.type == "fence" else ""
    return f"{info}\n{_normalize_code(tok.content)}"


def body_line(doc: Document) -> int:
    """1-based line of the first body line in the file."""
    return doc.text.count("\n", 0, doc.body_start) + 1


#: Tokens that carry nothing the checks compare.
_IGNORED = frozenset(
    {"paragraph_open", "paragraph_close", "heading_close", "bullet_list_open", "bullet_list_close",
     "ordered_list_open", "ordered_list_close", "list_item_open", "list_item_close", "hr"}
)


def outline(body: str, first_line: int = 1, syntax: str = "md") -> Outline:
    """Read a Markdown (or MDX) body; lines are counted from ``first_line``."""
    md = _markdown(syntax)
    env: dict[str, Any] = {}
    tokens = parse(md, body, env)
    prose = _Prose(md, env)
    math: list[Block] = []
    code: list[Block] = []
    headings: list[Heading] = []
    tables: list[Table] = []
    unclosed: list[int] = []
    table_start = rows = columns = 0

    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind in _IGNORED:
            continue
        line = first_line + tok.map[0] if tok.map else first_line
        if kind == "inline":
            prose.read(tok.content, line)
            if "$$" in tok.content and _INLINE_CODE.sub("", tok.content).count("$$") % 2:
                unclosed.append(line)
        elif kind == "heading_open":
            prose.section += 1
            headings.append(Heading(int(tok.tag[1:]), tokens[i + 1].content.strip(), line))
        elif kind in ("math_block", "math_block_label"):
            math.append(Block(" ".join(tok.content.split()), line))
        elif kind in ("fence", "code_block"):
            code.append(Block(code_text(tok), line))
        elif kind in ("html_block", "mdx_flow", "mdx_esm"):
            prose.urls_in(tok.content, line)
        elif kind == "table_open":
            table_start, rows, columns = line, 0, 0
        elif kind == "tr_open":
            rows += 1
        elif kind == "th_open" and rows == 1:
            columns += 1
        elif kind == "table_close":
            tables.append(Table(rows, columns, table_start))
    return Outline(
        tuple(math), tuple(code), tuple(headings), tuple(tables), tuple(prose.urls), tuple(prose.citations), tuple(unclosed)
    )


class _Prose:
    """Collects URLs and citations from inline content, with their lines."""

    def __init__(self, md, env: dict[str, Any]) -> None:
        self.md = md
        self.env = env
        # With reference definitions, "[1]" alone may be a link: always parse then.
        self.references = bool(env.get("references"))
        self.section = 0  # headings seen so far
        self.urls: list[Spot] = []
        self.citations: list[Spot] = []

    def text(self, text: str, line: int) -> None:
        """Prose outside links: citations and bare URLs."""
        if "[" in text or "［" in text:
            self._citations(text, line)
        self.urls_in(text, line)

    def _citations(self, text: str, line: int) -> None:
        for offset, numbers in citations(text):
            at = line + text.count("\n", 0, offset)
            self.citations.extend(Spot(n, at, self.section) for n in numbers)

    def urls_in(self, text: str, line: int) -> None:
        if "://" not in text and "www." not in text:
            return  # no URL can start here (patterns.URL_START), and most text has none
        for offset, url in bare_urls(text):
            self.urls.append(Spot(url, line + text.count("\n", 0, offset), self.section))

    def read(self, content: str, line: int) -> None:
        if not self.references and not _inline_syntax(content):
            self.text(content, line)
            return
        children = self.md.inline.parse(content, self.md, self.env, [])
        in_link = 0
        pending: list[str] = []  # text split by escapes ("\[1\]") reads as one piece
        pending_line = line

        def flush() -> None:
            if pending:
                text = "".join(pending)
                if in_link:
                    self.urls_in(text, pending_line)
                else:
                    self.text(text, pending_line)
                pending.clear()

        for child in children:
            kind = child.type
            if kind in ("text", "text_special"):
                if not pending:
                    pending_line = line
                pending.append(child.content)
                continue
            flush()
            if kind in ("softbreak", "hardbreak"):
                line += 1
            elif kind == "link_open":
                in_link += 1
                href = child.attrGet("href")
                if href:
                    self.urls.append(Spot(str(href), line, self.section))
            elif kind == "link_close":
                in_link -= 1
            elif kind == "image":
                src = child.attrGet("src")
                if src:
                    self.urls.append(Spot(str(src), line, self.section))
            elif kind == "html_inline":
                self.urls_in(child.content, line)
                line += child.content.count("\n")
            elif kind == "code_inline":
                # Not prose (no citations), but a URL shown as code is still one
                # the reader follows: `https://x.org` and https://x.org are alike.
                self.urls_in(child.content, line)
        flush()
