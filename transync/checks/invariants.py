"""The checks: one small function per invariant, registered by name in :data:`REGISTRY`.

A translation must keep what translation never changes: display math, code
blocks, URLs, citation numbers, the heading outline, table shapes, kept
front-matter fields and the permalink (with its language segment swapped),
and must not leave placeholder tags behind. Each invariant is a function of
``(source, translation, context)`` that yields :class:`Problem` s, in the
shape of babel's ``messages/checkers.py``; the runner
(:mod:`transync.checks.runner`) names them and adds the pair.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Callable, Iterator, NamedTuple, Sequence
from urllib.parse import unquote

from transync.document import fields
from transync.checks.page import Page
from transync.document.outline import Block, Spot, body_line
from transync.site.config import CHECKS, Collection, SiteConfig


#: Fields a translation keeps (unless ``[fields]`` gives them another rule) and may not add.
ALWAYS_KEPT = ("ref", "rating", "company_id", "layout", "target_name")


class Problem(NamedTuple):
    """What a check yields; the runner adds the check's name and the pair."""

    line: int | None
    message: str
    in_source: bool = False


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


def _sequence(
    what: str, source: Sequence[Block], translation: Sequence[Block], show: Callable[[str], str],
    compared: Callable[[str], str] = lambda text: text,
) -> Iterator[Problem]:
    """Blocks that must come back identical (what ``compared`` keeps of them), as many and in the same order (math, code)."""
    a = [compared(blk.text) for blk in source]
    b = [compared(blk.text) for blk in translation]
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
    """Code blocks (fenced or indented) are never translated; trailing spaces do not count, nor
    (``[check.code] translated_comments``, the default) the comments of a language transync
    knows (:mod:`transync.checks.codecomments`)."""

    def show(text: str) -> str:
        info, _, body = text.partition("\n")
        lines = body.count("\n") + 1
        return f"{info + ' ' if info else ''}{_short(body, 50)!r} ({lines} line{'s' if lines != 1 else ''})"

    if not ctx.config.code_check.translated_comments:
        yield from _sequence("code block", source.outline.code, translation.outline.code, show)
        return
    from transync.checks.codecomments import without_comments

    def compared(text: str) -> str:
        info, _, body = text.partition("\n")
        code = without_comments(info, body)
        return text if code is None else f"{info}\n{code}"

    yield from _sequence("code block", source.outline.code, translation.outline.code, show, compared)


def check_urls(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """The same URLs: link targets, image sources, autolinks and URLs written out (link text may differ).

    A link to the reader's language version of a page (``/companies/ja/x/``
    for ``/companies/en/x/``, ``https://developer.mozilla.org/fr/docs/x`` for
    ``.../en-US/docs/x``, ``ja.wikipedia.org`` for ``en.wikipedia.org``) is the
    same link. The fragment of a link within
    the site is not compared: it names a heading of the target page, whose
    anchor comes from the heading's words in the reader's language
    (``#html-komponenten`` for ``#html-components``). ``[check.urls]`` exempts
    reference lists and allowed domains (:mod:`transync.checks.urlrules`).
    """
    from transync.checks.urlrules import allowed_domain, in_references

    rules = ctx.config.url_check
    src: dict[str, Spot] = {}
    for spot in source.outline.urls:
        if not in_references(source, spot, rules):
            src.setdefault(_compared(spot.value), spot)
    tr: dict[str, Spot] = {}
    swapped: set[str] = set()
    for spot in translation.outline.urls:
        if in_references(translation, spot, rules):
            continue
        key = _compared(spot.value)
        tr.setdefault(key, spot)
        swapped.add(_swap(key, ctx))
    if src.keys() == tr.keys():
        return
    src_neutral = {_neutral(key, ctx.source_lang) for key in src}
    tr_neutral = {_neutral(key, ctx.lang) for key in tr}
    for key, spot in tr.items():
        if (key not in src and _swap(key, ctx) not in src and _neutral(key, ctx.lang) not in src_neutral
                and not allowed_domain(key, ctx.lang, rules)):
            yield Problem(spot.line, f"URL not in the source: {spot.value}")
    for key, spot in src.items():
        if key not in tr and key not in swapped and _neutral(key, ctx.source_lang) not in tr_neutral:
            yield Problem(spot.line, f"URL missing from the translation: {spot.value}", in_source=True)


def _compared(url: str) -> str:
    """What of a URL must be the same in a translation: all of it, but a link within the site
    (no scheme, not ``//host``) without its fragment; a link to a heading of the page itself is ``#``."""
    url = unquote(url)
    if "#" in url and ":" not in url.split("#", 1)[0] and not url.startswith("//"):
        return url.split("#", 1)[0] or "#"
    return url


_LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


def _neutral(url: str, lang: str) -> str:
    """The URL with each path segment that names ``lang`` (``en``, ``en-US``, ``en_GB`` for ``en``;
    ``pt-br`` or ``pt`` for ``pt-br``) replaced by one marker, and a host's first label that names it
    dropped (``ko.vuejs.org`` is ``vuejs.org``): the same page in another language has the same form."""
    primary = lang.split("-")[0].lower()

    def names(label: str) -> bool:
        return _LANG_TAG.fullmatch(label) is not None and label.replace("_", "-").split("-")[0].lower() == primary

    parts = url.split("/")
    for i, part in enumerate(parts):
        if i == 2 and parts[0].endswith(":"):
            label, _, rest = part.partition(".")
            if rest and "." in rest and names(label):
                parts[i] = rest
        elif names(part):
            parts[i] = "\0"
    return "/".join(parts)


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
    """Whether a front-matter field must be the same in every language (see :mod:`transync.document.fields`)."""
    return fields.kept(collection.fields if collection is not None else config.fields, config.provenance_key)


def check_kept_fields(source: Page, translation: Page, ctx: Context) -> Iterator[Problem]:
    """Kept front-matter fields have the same value (quoting and runs of spaces aside).

    The localizable property (``[status] localizable_property``, Lunaria's ``i18nReady``)
    is the source's word on whether it may be translated: a translation need not repeat it.
    """
    kept = kept_fields(ctx.config, ctx.collection)
    src, tr = source.meta, translation.meta
    for name, value in src.items():
        if not kept(name) or name == ctx.config.localizable_property:
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
assert tuple(REGISTRY) == CHECKS, "transync.site.config.CHECKS names every check, in order"
