"""Structural checks of translations against their sources.

A translation must keep what translation never changes: display math, code
blocks, URLs, citation numbers, the heading outline, table shapes, kept
front-matter fields and the permalink (with its language segment swapped),
and must not leave placeholder tags behind. Each invariant is one small
function of ``(source, translation, context)`` that yields problems, in the
shape of babel's ``messages/checkers.py``; :func:`check_pair` runs them on
one pair and :func:`check_site` on every translation of a scanned site,
paired with its source as ``status`` pairs them (current and stale ones).

Bodies are read with markdown-it-py (CommonMark, tables, ``$$`` math), so
that a ``[1]`` inside inline code or a URL in a code block is not mistaken
for prose, and every fact keeps the line it was found on.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Sequence
from urllib.parse import unquote

from transync import fields
from transync.cache import HeaderCache
from transync.config import CHECKS, Collection, SiteConfig
from transync.document import Document, parse
from transync.errors import DocumentError
from transync.patterns import bare_urls, citations
from transync.scan import ScanResult

#: Fields a translation keeps (unless ``[fields]`` gives them another rule) and may not add.
ALWAYS_KEPT = ("ref", "rating", "company_id", "layout", "target_name")

#: Below this many pairs, worker processes cost more than they save.
PARALLEL_THRESHOLD = 200


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Finding:
    """One structural problem of one translation.

    ``line`` is 1-based and in the translation, unless ``line_in_source``:
    then it points at the source (something the translation lacks has no
    line of its own).
    """

    check: str
    path: str  # the translation, relative to the site root
    line: int | None
    message: str
    collection: str
    ref: str
    lang: str
    source_path: str
    line_in_source: bool = False
    state: str = "current"  # the translation's status: current or stale

    @property
    def file(self) -> str:
        """The file ``line`` refers to."""
        return self.source_path if self.line_in_source else self.path


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A document that could not be checked, with the reason and (when known) the line."""

    path: str
    reason: str
    line: int | None = None


@dataclass
class CheckReport:
    config: SiteConfig
    checks: tuple[str, ...]  # the checks that ran, in CHECKS order
    findings: list[Finding]
    unreadable: list[Unreadable] = field(default_factory=list)
    files_checked: int = 0  # translations compared with their source

    def by_check(self) -> dict[str, int]:
        counts = {name: 0 for name in self.checks}
        for f in self.findings:
            counts[f.check] += 1
        return counts

    def failing(self, fail_on: Iterable[str]) -> list[Finding]:
        wanted = set(fail_on)
        return [f for f in self.findings if f.check in wanted]


class Problem(NamedTuple):
    """What a check yields; the runner adds the check's name and the pair."""

    line: int | None
    message: str
    in_source: bool = False


# --------------------------------------------------------------------------- reading bodies


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


_md = None


def _markdown():
    """CommonMark with tables and ``$$`` blocks; inline content is parsed by :func:`outline` on demand."""
    global _md
    if _md is None:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.dollarmath import dollarmath_plugin

        md = MarkdownIt("commonmark").enable("table")
        md.use(dollarmath_plugin, allow_labels=True, allow_space=True, allow_digits=False, double_inline=False)
        # Kramdown only knows $$: a single $ is a price, not math. Emphasis and
        # entities change nothing the checks look at. Inline content is parsed
        # only where it can hold a link or code (see _Prose.read).
        md.disable(["math_inline", "emphasis", "entity", "inline", "text_join"])
        _md = md
    return _md


# Inline content without these holds no link, image, autolink, code span, HTML
# or escape: its text is all prose, and the inline parser need not run.
_INLINE_SYNTAX = re.compile(r"[`<\\]|\]\(")
# Code spans, whose $$ is shown, not math (a paragraph's text is read as a whole:
# an odd number of $$ outside them is a display-math block that never closes).
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)


def _normalize_code(text: str) -> str:
    # Trailing spaces are invisible in a code block and editors strip them.
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def body_line(doc: Document) -> int:
    """1-based line of the first body line in the file."""
    return doc.text.count("\n", 0, doc.body_start) + 1


#: Tokens that carry nothing the checks compare.
_IGNORED = frozenset(
    {"paragraph_open", "paragraph_close", "heading_close", "bullet_list_open", "bullet_list_close",
     "ordered_list_open", "ordered_list_close", "list_item_open", "list_item_close", "hr"}
)


def outline(body: str, first_line: int = 1) -> Outline:
    """Read a Markdown body; lines are counted from ``first_line``."""
    md = _markdown()
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
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
            if _INLINE_CODE.sub("", tok.content).count("$$") % 2:
                unclosed.append(line)
        elif kind == "heading_open":
            prose.section += 1
            headings.append(Heading(int(tok.tag[1:]), tokens[i + 1].content.strip(), line))
        elif kind in ("math_block", "math_block_label"):
            math.append(Block(" ".join(tok.content.split()), line))
        elif kind == "fence":
            code.append(Block(f"{tok.info.strip()}\n{_normalize_code(tok.content)}", line))
        elif kind == "code_block":
            code.append(Block(f"\n{_normalize_code(tok.content)}", line))
        elif kind == "html_block":
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
        for offset, numbers in citations(text):
            at = line + text.count("\n", 0, offset)
            self.citations.extend(Spot(n, at, self.section) for n in numbers)
        self.urls_in(text, line)

    def urls_in(self, text: str, line: int) -> None:
        for offset, url in bare_urls(text):
            self.urls.append(Spot(url, line + text.count("\n", 0, offset), self.section))

    def read(self, content: str, line: int) -> None:
        if not self.references and not _INLINE_SYNTAX.search(content):
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


# --------------------------------------------------------------------------- pairs


class Page:
    """One side of a pair: a parsed document, its path, and its body read on demand."""

    def __init__(self, path: str, document: Document) -> None:
        self.path = path
        self.document = document

    @classmethod
    def from_text(cls, path: str, text: str | bytes) -> "Page":
        return cls(path, parse(text))

    @property
    def meta(self) -> dict[str, Any]:
        return self.document.meta

    @cached_property
    def outline(self) -> Outline:
        return outline(self.document.body, body_line(self.document))

    @cached_property
    def controls(self) -> list[tuple[str, int]]:
        """Control characters (NUL...; not tab, newline or carriage return), with their lines."""
        text = self.document.text
        return [(m.group(0), text.count("\n", 0, m.start()) + 1) for m in _CONTROL_IN_TEXT.finditer(text)]

    @cached_property
    def placeholders(self) -> list[tuple[str, int]]:
        """Placeholder tags anywhere in the file (a translated summary may hold one too), with their lines."""
        text = self.document.text
        if "<" not in text:
            return []
        return [(re.sub(r"\s+", " ", m.group(0)), text.count("\n", 0, m.start()) + 1) for m in _PLACEHOLDER.finditer(text)]


@dataclass(frozen=True)
class Context:
    """What a check may know beyond the two documents."""

    config: SiteConfig
    collection: Collection
    lang: str  # the translation's language
    source_lang: str


Check = Callable[[Page, Page, Context], Iterator[Problem]]


# --------------------------------------------------------------------------- the checks


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sequence(what: str, source: Sequence[Block], translation: Sequence[Block], show: Callable[[str], str]) -> Iterator[Problem]:
    """Blocks that must come back identical, as many and in the same order (math, code)."""
    a = [blk.text for blk in source]
    b = [blk.text for blk in translation]
    if a == b:
        return
    if Counter(a) == Counter(b):
        k = next(k for k, (x, y) in enumerate(zip(a, b)) if x != y)
        yield Problem(translation[k].line, f"{what} blocks are in another order than in the source (first difference: source line {source[k].line})")
        return
    count = f" ({len(b)} here, {len(a)} in the source)" if len(a) != len(b) else ""
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):
            src, tr = source[i1 + k], translation[j1 + k]
            yield Problem(tr.line, f"{what} differs from the source's (line {src.line}): {show(tr.text)}, the source has {show(src.text)}{count}")
        for src in source[i1 + paired : i2]:
            yield Problem(src.line, f"{what} missing from the translation: {show(src.text)}{count}", in_source=True)
        for tr in translation[j1 + paired : j2]:
            yield Problem(tr.line, f"{what} not in the source: {show(tr.text)}{count}")


def check_math(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """Display math (``$$...$$``) is never translated: the same blocks in the same order,
    and no ``$$`` left open (more than the source has).

    Runs of white space count as one space: LaTeX ignores them.
    """
    yield from _sequence("display math", source.outline.math, translation.outline.math, lambda t: f"$$ {_short(t)} $$")
    if len(translation.outline.unclosed_math) > len(source.outline.unclosed_math):
        for line in translation.outline.unclosed_math:
            yield Problem(line, "$$ opens display math that is never closed: the rest of the page would render as math")


def check_code(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """Code blocks (fenced or indented) are never translated; trailing spaces do not count."""

    def show(text: str) -> str:
        info, _, body = text.partition("\n")
        lines = body.count("\n") + 1
        return f"{info + ' ' if info else ''}{_short(body, 50)!r} ({lines} line{'s' if lines != 1 else ''})"

    yield from _sequence("code block", source.outline.code, translation.outline.code, show)


def check_urls(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """The same URLs: link targets, image sources, autolinks and URLs written out (link text may differ).

    A link to the reader's language version of a page (``/companies/ja/x/``
    for ``/companies/en/x/``) is the same link.
    """
    src: dict[str, Spot] = {}
    for spot in source.outline.urls:
        src.setdefault(unquote(spot.value), spot)
    tr: dict[str, Spot] = {}
    swapped: set[str] = set()
    for spot in translation.outline.urls:
        key = unquote(spot.value)
        tr.setdefault(key, spot)
        swapped.add(_swap(key, ctx))
    if src.keys() == tr.keys():
        return
    for key, spot in tr.items():
        if key not in src and _swap(key, ctx) not in src:
            yield Problem(spot.line, f"URL not in the source: {spot.value}")
    for key, spot in src.items():
        if key not in tr and key not in swapped:
            yield Problem(spot.line, f"URL missing from the translation: {spot.value}", in_source=True)


def _swap(url: str, ctx: Context) -> str:
    """The URL with the translation's language segments swapped for the source's (the layout's rule)."""
    return ctx.config.layout.source_url(url, ctx.lang, ctx.source_lang)


def _times(n: int) -> str:
    return {0: "0 times", 1: "once", 2: "twice"}.get(n, f"{n} times")


def _section_line(page: Page, section: int) -> int:
    """The line where a section starts: its heading, or the body's first line before any."""
    return page.outline.headings[section - 1].line if section else body_line(page.document)


def check_citations(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """The same citation numbers, as often: ``[1]``, ``[1][2]``, ``[1, 2]``, ``[1-3]``, ``［1］``.

    Link text and reference definitions are not citations. Sentences move
    within a paragraph in translation, so only counts are compared; when both
    documents have as many headings, a difference is placed in the first
    section (between two headings) where the counts part.
    """
    src_spots, tr_spots = source.outline.citations, translation.outline.citations
    src, tr = Counter(s.value for s in src_spots), Counter(s.value for s in tr_spots)
    if src == tr:
        return
    aligned = len(source.outline.headings) == len(translation.outline.headings)
    for number in sorted(src.keys() | tr.keys()):
        want, have = src[number], tr[number]
        if want == have:
            continue
        counts = f"citation [{number}] appears {_times(have)} here, {_times(want)} in the source"
        mine = [s for s in tr_spots if s.value == number]
        theirs = [s for s in src_spots if s.value == number]
        if aligned:
            per_src = Counter(s.section for s in theirs)
            per_tr = Counter(s.section for s in mine)
            k = next(k for k in sorted(per_src.keys() | per_tr.keys()) if (per_tr[k] - per_src[k]) * (have - want) > 0)
            here = [s for s in mine if s.section == k]
            if have > want:
                yield Problem(here[-1].line, counts)
            else:
                there = [s for s in theirs if s.section == k]
                line = here[0].line if here else _section_line(translation, k)
                yield Problem(line, f"{counts} (this section: {per_tr[k]} here, {per_src[k]} in the source's at line {there[0].line})")
        elif have > want:
            yield Problem(mine[-1].line, counts)
        else:
            yield Problem(theirs[0].line, counts, in_source=True)


def check_headings(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """As many headings, at the same levels (their text is translated)."""
    src, tr = source.outline.headings, translation.outline.headings
    if [h.level for h in src] == [h.level for h in tr]:
        return
    count = f"{len(tr)} headings here, {len(src)} in the source; " if len(src) != len(tr) else ""
    for k, (a, b) in enumerate(zip(src, tr)):
        if a.level != b.level:
            yield Problem(b.line, f"{count}heading {k + 1} is h{b.level} here, h{a.level} in the source (line {a.line}: {'#' * a.level} {_short(a.text, 40)})")
            return
    if len(tr) > len(src):
        extra = tr[len(src)]
        yield Problem(extra.line, f"{count}heading {len(src) + 1} ({'#' * extra.level} {_short(extra.text, 40)}) is not in the source")
    else:
        gone = src[len(tr)]
        yield Problem(gone.line, f"{count}heading {len(tr) + 1} ({'#' * gone.level} {_short(gone.text, 40)}) is missing from the translation", in_source=True)


def check_tables(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """As many tables, each with as many rows and columns (alignment and cell text may differ)."""
    src, tr = source.outline.tables, translation.outline.tables
    if [(t.rows, t.columns) for t in src] == [(t.rows, t.columns) for t in tr]:
        return
    if len(src) != len(tr):
        if len(tr) > len(src):
            yield Problem(tr[len(src)].line, f"{len(tr)} tables here, {len(src)} in the source; table {len(src) + 1} is not in the source")
        else:
            yield Problem(src[len(tr)].line, f"{len(tr)} tables here, {len(src)} in the source; table {len(tr) + 1} is missing from the translation", in_source=True)
        return
    for k, (a, b) in enumerate(zip(src, tr)):
        if (a.rows, a.columns) != (b.rows, b.columns):
            yield Problem(b.line, f"table {k + 1} has {b.rows} rows x {b.columns} columns here, {a.rows} x {a.columns} in the source (line {a.line})")


def kept_fields(config: SiteConfig, collection: Collection | None = None) -> Callable[[str], bool]:
    """Whether a front-matter field must be the same in every language (see :mod:`transync.fields`)."""
    return fields.kept(collection.fields if collection is not None else config.fields, config.provenance_key)


def check_kept_fields(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """Kept front-matter fields have the same value (quoting and runs of spaces aside)."""
    kept = kept_fields(ctx.config, ctx.collection)
    src, tr = source.meta, translation.meta
    for name, value in src.items():
        if not kept(name):
            continue
        if name not in tr:
            yield Problem(translation.document.yaml_line, f"'{name}' is missing (the source has {_value(value)})")
        elif fields.differs(tr[name], value):
            yield Problem(translation.document.line_of_key(name), f"'{name}' is {_value(tr[name])}, the source has {_value(value)}")
    # A field of the translation's own (a translator's note) may be fine; a
    # field that must be kept and that the source does not have is not.
    for name in tr:
        if name not in src and kept(name) and (name in ALWAYS_KEPT or ctx.collection.fields.get(name) == "keep"):
            yield Problem(translation.document.line_of_key(name), f"'{name}' is not in the source")


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:79] + "…"


def check_permalink(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """The permalink is the site layout's for the translation (Jekyll: the source's with its
    language segment swapped, ``/products/en/x/`` -> ``/products/ja/x/``)."""
    src, tr = source.meta.get("permalink"), translation.meta.get("permalink")
    line = translation.document.line_of_key("permalink") if tr is not None else translation.document.yaml_line
    if tr is not None and not isinstance(tr, str):
        yield Problem(line, f"permalink is not a string: {_value(tr)}")
        return
    problem = ctx.config.layout.permalink_problem(
        tr, ctx.lang, ctx.config.languages, source_permalink=src, source_lang=ctx.source_lang
    )
    if problem is None:
        return
    if problem.kind == "missing":
        yield Problem(line, f"no permalink, the source has {src}")
    elif problem.kind == "unsafe":
        yield Problem(line, f"permalink {tr} {problem.detail}: it could name a page outside the site")
    elif problem.kind == "source":
        yield Problem(line, f"permalink {tr} is the source's: both pages would be written to one URL")
    elif problem.kind == "language":
        shown = f" ({problem.expected})" if problem.expected else ""
        yield Problem(line, f"permalink {tr} has language segment '{problem.segment}', expected '{ctx.lang}'{shown}")
    elif problem.kind == "case" and problem.expected is None:
        yield Problem(line, f"permalink {tr} writes the language as {problem.segment!r}, not {ctx.lang!r}")
    else:
        yield Problem(line, f"permalink {tr} is not the source's {src} with '{ctx.lang}' for '{ctx.source_lang}': expected {problem.expected}")


# Placeholder tags that transync hands to engines. A real HTML <b> or </a>
# carries no id, so only tags with one (and any x tag) count.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PLACEHOLDER = re.compile(r"<x(?:\s+id\s*=\s*[\"']?\d+[\"']?)?\s*/?>|</x\s*>|<[bias]\s+id\s*=\s*[\"']?\d+[\"']?\s*/?>")


def check_placeholders(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """No placeholder tag (``<x id="1"/>``, ``<b id="2">``) and no control character (a NUL)
    that the source does not have: what a broken engine reply leaves in the text."""
    for tag, line in _beyond(source.placeholders, translation.placeholders):
        yield Problem(line, f"placeholder tag {tag} left in the text")
    for char, line in _beyond(source.controls, translation.controls):
        yield Problem(line, f"control character {char!r} in the text")


def _beyond(source: list[tuple[str, int]], translation: list[tuple[str, int]]) -> Iterator[tuple[str, int]]:
    """The translation's (value, line) pairs beyond as many of each value as the source has."""
    left = Counter(value for value, _ in source)
    for value, line in translation:
        if left[value] > 0:
            left[value] -= 1
        else:
            yield value, line


#: Every check by its stable name, in the order of CHECKS.
REGISTRY: dict[str, Check] = {
    "math": check_math,
    "code": check_code,
    "urls": check_urls,
    "citations": check_citations,
    "headings": check_headings,
    "tables": check_tables,
    "kept-fields": check_kept_fields,
    "permalink": check_permalink,
    "placeholders": check_placeholders,
}
assert tuple(REGISTRY) == CHECKS, "transync.config.CHECKS names every check, in order"


# --------------------------------------------------------------------------- running


class Pair(NamedTuple):
    """A translation to check and its source (paths relative to the site root)."""

    collection: str
    ref: str
    lang: str
    path: str
    source_path: str
    state: str = "current"


def check_pair(source: Page, translation: Page, ctx: Context, pair: Pair, checks: Iterable[str] = CHECKS) -> list[Finding]:
    """Run the named checks on one pair, in the order given."""
    findings = []
    for name in checks:
        for problem in REGISTRY[name](source, translation, ctx):
            findings.append(
                Finding(
                    name, pair.path, problem.line, problem.message, pair.collection, pair.ref, pair.lang,
                    pair.source_path, problem.in_source, pair.state,
                )
            )
    return findings


def check_texts(
    source: str | bytes,
    translation: str | bytes,
    config: SiteConfig,
    *,
    collection: str | None = None,
    checks: Iterable[str] = CHECKS,
    source_path: str = "source.md",
    path: str = "translation.md",
) -> list[Finding]:
    """Check a translation given as text against its source given as text.

    Raises DocumentError when either cannot be parsed.
    """
    src, tr = Page.from_text(source_path, source), Page.from_text(path, translation)
    coll = next((c for c in config.collections if collection in (None, c.name)), None)
    if coll is None:
        coll = Collection(collection or "pages", "", config.source_lang, config.languages)
    lang = str(tr.meta.get("lang") or "")
    ctx = Context(config, coll, lang, coll.source_lang)
    pair = Pair(coll.name, str(tr.meta.get("ref") or ""), lang, path, source_path)
    return check_pair(src, tr, ctx, pair, list(checks))


def _read(root: str, rel: str) -> Page:
    try:
        with open(os.path.join(root, rel), "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise DocumentError(f"cannot be read: {exc.strerror or exc}") from None
    return Page(rel, parse(data))


_Job = tuple[SiteConfig, tuple[str, ...], list[list[Pair]]]


def _check_groups(job: _Job) -> tuple[list[Finding], list[Unreadable]]:
    """Check groups of pairs that share a source, reading each source once."""
    config, checks, groups = job
    root = str(config.root)
    by_name = {c.name: c for c in config.collections}
    findings: list[Finding] = []
    unreadable: list[Unreadable] = []
    for group in groups:
        try:
            source = _read(root, group[0].source_path)
        except DocumentError as exc:
            unreadable.append(Unreadable(group[0].source_path, exc.reason, exc.line))
            continue
        for pair in group:
            try:
                translation = _read(root, pair.path)
            except DocumentError as exc:
                unreadable.append(Unreadable(pair.path, exc.reason, exc.line))
                continue
            collection = by_name[pair.collection]
            ctx = Context(config, collection, pair.lang, collection.source_lang)
            findings.extend(check_pair(source, translation, ctx, pair, checks))
    return findings, unreadable


def pairs_of(
    scan_result: ScanResult, *, paths: Iterable[str] | None = None, langs: Iterable[str] | None = None, git: bool = True
) -> tuple[list[Pair], list[Unreadable]]:
    """The translations to check (status current or stale), and the invalid files, under ``paths`` in ``langs``."""
    from transync import status

    report = status.report(scan_result, langs=langs, paths=paths, git=git)
    pairs = [
        Pair(i.collection, i.ref, i.lang, i.path, i.source_path, i.state)
        for i in report.items
        if i.state in ("current", "stale") and i.path and i.source_path and i.ref and i.lang
    ]
    invalid = [Unreadable(i.path, i.reason or "invalid", i.line) for i in report.items if i.state == "invalid" and i.path]
    return pairs, invalid


def check_site(
    scan_result: ScanResult,
    paths: Iterable[str] | None = None,
    langs: Iterable[str] | None = None,
    *,
    checks: Iterable[str] | None = None,
    use_cache: bool | None = None,
    jobs: int | None = None,
    git: bool = True,
) -> CheckReport:
    """Check every translation of a scanned site against its source.

    ``paths`` (relative to the root) and ``langs`` limit the translations as
    for ``status``; ``checks`` names the checks to run (default: all).
    Findings of unchanged pairs come from a cache next to the header cache.
    """
    config = scan_result.config
    wanted = set(CHECKS if checks is None else checks)
    names = tuple(n for n in CHECKS if n in wanted)
    pairs, invalid = pairs_of(scan_result, paths=paths, langs=langs, git=git)
    use_cache = config.cache if use_cache is None else use_cache

    store = _FindingsCache(config) if use_cache else None
    known = store.load() if store else {}
    identities = _identities(config, pairs) if store else {}
    findings: list[Finding] = []
    todo: list[Pair] = []
    for pair in pairs:
        hit = known.get(pair.path)
        if hit is not None and hit[0] == identities.get(pair.path):
            findings.extend(Finding(c, pair.path, ln, m, pair.collection, pair.ref, pair.lang, pair.source_path, s, pair.state)
                            for c, ln, m, s in hit[1] if c in wanted)
        else:
            todo.append(pair)

    # A cached entry holds every check's findings, so any --check can use it.
    computed, unreadable = _run(config, CHECKS if store else names, todo, jobs)
    findings.extend(f for f in computed if f.check in wanted)
    if store and todo:
        fresh: dict[str, list[tuple]] = {p.path: [] for p in todo}
        for f in computed:
            fresh[f.path].append((f.check, f.line, f.message, f.line_in_source))
        bad = {u.path for u in unreadable}
        # Pairs outside this run's paths and languages keep their entries while their files exist.
        live = {d.path for d in scan_result.documents}
        entries = {path: entry for path, entry in known.items() if path in live}
        for p in todo:
            if p.path in identities and p.path not in bad and p.source_path not in bad:
                entries[p.path] = (identities[p.path], tuple(fresh[p.path]))
        store.save(entries)

    order = {p.path: n for n, p in enumerate(pairs)}
    findings.sort(key=lambda f: (order[f.path], names.index(f.check), f.line_in_source, f.line or 0))
    unreadable = sorted(set(invalid) | set(unreadable), key=lambda u: u.path)
    return CheckReport(config, names, findings, unreadable, files_checked=len(pairs))


def _run(config: SiteConfig, names: tuple[str, ...], pairs: list[Pair], jobs: int | None) -> tuple[list[Finding], list[Unreadable]]:
    groups: dict[str, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(pair.source_path, []).append(pair)
    work = list(groups.values())
    workers = jobs if jobs is not None else _cpus()
    if workers <= 1 or len(pairs) < PARALLEL_THRESHOLD:
        return _check_groups((config, names, work))
    from transync.workers import parallel_map

    size = max(20, len(work) // (workers * 16))  # small chunks: no worker waits long for the last
    results = parallel_map(_check_groups, [(config, names, work[i : i + size]) for i in range(0, len(work), size)], workers)
    if results is None:  # no worker processes allowed here: do it in this one
        return _check_groups((config, names, work))
    findings: list[Finding] = []
    unreadable: list[Unreadable] = []
    for found, bad in results:
        findings.extend(found)
        unreadable.extend(bad)
    return findings, unreadable


def _cpus() -> int:
    try:
        return min(len(os.sched_getaffinity(0)), 4)
    except AttributeError:  # not on Linux
        return min(os.cpu_count() or 1, 4)


# --------------------------------------------------------------------------- cache


def _identities(config: SiteConfig, pairs: list[Pair]) -> dict[str, tuple]:
    """Each pair's identity: both files' (size, mtime, ctime, inode) and the source's path.

    The newest mtime and ctime come second and third, where the header cache
    looks to leave out files modified too recently to be trusted.
    """
    root = str(config.root)
    stats: dict[str, tuple[int, int, int, int]] = {}

    def stat(rel: str) -> tuple[int, int, int, int] | None:
        if rel not in stats:
            try:
                st = os.stat(os.path.join(root, rel))
            except OSError:
                return None
            stats[rel] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        return stats[rel]

    result = {}
    for pair in pairs:
        tr, src = stat(pair.path), stat(pair.source_path)
        if tr is not None and src is not None:
            result[pair.path] = (tr[0], max(tr[1], src[1]), max(tr[2], src[2]), tr[3], tr[1], tr[2], *src, pair.source_path)
    return result


class _FindingsCache(HeaderCache):
    """Every check's findings per translation, kept while neither file of the pair changes.

    The entries depend on transync's code (its version and every source
    file: the checks read documents through other modules; a layout installed
    from elsewhere by its own code), on the Markdown
    parser and on the configuration the checks read, so all are part of the
    stamp (see :class:`~transync.cache.HeaderCache`).
    """

    def __init__(self, config: SiteConfig) -> None:
        import sys

        import hashlib
        from pathlib import Path

        # The permalink and link rules are the layout's: its name and its code count too (a layout
        # installed from another package is not in transync's own code digest).
        layout_file = sys.modules[type(config.layout).__module__].__file__
        layout = (config.layout.name, hashlib.sha256(Path(layout_file).read_bytes()).hexdigest()[:16] if layout_file else None)
        settings = [
            "checks", layout, _parser_stamp(), config.languages, config.source_lang, config.provenance_key,
            sorted(config.fields.items()), sorted(repr(c) for c in config.collections),
        ]
        super().__init__(config.cache_dir, settings)
        self.path = config.cache_dir / f"checks-py{sys.version_info[0]}{sys.version_info[1]}.marshal"


def _parser_stamp() -> list[tuple[int, int] | None]:
    """The installed parser's files, without importing it (a run from the cache never needs it)."""
    from importlib.util import find_spec

    stamp = []
    for name in ("markdown_it", "mdit_py_plugins"):
        spec = find_spec(name)
        try:
            st = os.stat(spec.origin) if spec and spec.origin else None
        except OSError:
            st = None
        stamp.append((st.st_size, st.st_mtime_ns) if st else None)
    return stamp
