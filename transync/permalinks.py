"""Permalinks: every document's URL matches its language and its source's URL.

For each document: the language segment of its permalink is its ``lang``
(exactly: ``/EN/`` is reported), the permalink has no query string or
fragment, and a translation's permalink is its source's with the language
segment swapped (``/products/en/x/`` -> ``/products/ja/x/``). No two
documents share a permalink, a translation whose source has a permalink
has one too, and no permalink has a ``.`` or ``..`` segment (:func:`unsafe`).
:func:`fix` rewrites only the permalink line of a wrong file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from urllib.parse import unquote

from transync import document
from transync.errors import TransyncError
from transync.frontmatter_edit import Field, join_fields, split_fields, with_value
from transync.fsutil import atomic_write
from transync.localize import rewrite_language
from transync.scan import ScanResult
from transync.sitepaths import CONTROL_CHARS, selected
from transync.status import report as status_report


@dataclass(frozen=True)
class PermalinkFinding:
    path: str
    line: int
    message: str
    collection: str
    ref: str
    lang: str
    expected: str | None = None  # the right permalink, when it is known: --fix writes it


@dataclass
class PermalinkReport:
    findings: list[PermalinkFinding]
    checked: int
    unreadable: list[tuple[str, str]]


def unsafe(permalink: str) -> str | None:
    """Why a permalink could name a page outside the site's URLs (Jekyll writes it as a file path), or None.

    A ``.`` or ``..`` segment (percent-encoded or not), a backslash or a control
    character is refused: none has a place in a page's URL.
    """
    path = unquote(permalink.split("?")[0].split("#")[0])
    if "\\" in path or CONTROL_CHARS.search(path):
        return "has a backslash or a control character"
    if any(part in (".", "..") for part in path.split("/")):
        return "has a '.' or '..' segment"
    return None


def _segments(permalink: str) -> list[str]:
    return [p for p in permalink.split("?")[0].split("#")[0].split("/") if p]


def check(scan: ScanResult, *, paths: list[str] | None = None) -> PermalinkReport:
    config = scan.config
    by_name = {c.name: c for c in config.collections}
    meta: dict[str, tuple[str | None, int]] = {}
    unreadable = []
    for doc in scan.documents:
        try:
            parsed = document.parse((config.root / doc.path).read_bytes())
        except (OSError, TransyncError) as exc:
            unreadable.append((doc.path, str(exc)))
            continue
        value = parsed.meta.get("permalink")
        meta[doc.path] = (value if isinstance(value, str) else None, parsed.line_of_key("permalink"))

    items = status_report(scan).items
    source_of = {i.path: i.source_path for i in items if i.path and i.source_path}
    findings: list[PermalinkFinding] = []
    seen: dict[str, str] = {}
    languages = {lang.lower(): lang for lang in config.languages}
    for doc in scan.documents:
        if doc.path not in meta:
            continue
        permalink, line = meta[doc.path]

        def add(message: str, expected: str | None = None) -> None:
            findings.append(PermalinkFinding(doc.path, line, message, doc.collection, doc.ref, doc.lang, expected))

        source_path = source_of.get(doc.path)
        expected = None
        if source_path and meta.get(source_path, (None, 0))[0]:
            source_permalink = meta[source_path][0]
            source_lang = by_name[doc.collection].source_lang
            expected = rewrite_language(source_permalink, source_lang, doc.lang)
            if expected == source_permalink or unsafe(expected):
                expected = None  # no language segment to swap, or nothing --fix may write
        if permalink is None:
            if expected:
                add(f"no permalink; its source's gives {expected}", None)
            continue
        other = seen.get(permalink)
        if other is not None:
            add(f"permalink {permalink} is also the permalink of {other}")
        seen.setdefault(permalink, doc.path)
        if "?" in permalink or "#" in permalink:
            add(f"permalink {permalink} has a query string or a fragment")
        problem = unsafe(permalink)
        if problem is not None:
            add(f"permalink {permalink} {problem}: it could name a page outside the site")
            continue
        lang_parts = [p for p in _segments(permalink) if p.lower() in languages]
        if not lang_parts:
            if expected:
                add(f"permalink {permalink} has no language segment; expected {expected}", expected)
            continue
        part = lang_parts[0]
        if part != part.lower() and part.lower() == doc.lang.lower():
            add(f"permalink {permalink} writes the language as {part!r}, not {doc.lang!r}", expected or permalink.replace(f"/{part}/", f"/{doc.lang}/", 1))
            continue
        if part != doc.lang:
            add(f"permalink {permalink} is in the {part!r} segment but lang is {doc.lang!r}", expected or permalink.replace(f"/{part}/", f"/{doc.lang}/", 1))
            continue
        if expected and permalink != expected:
            add(f"permalink {permalink} does not match its source's: expected {expected}", expected)
    if paths is not None:
        findings = [f for f in findings if selected(paths, f.path)]
    return PermalinkReport(findings, len(meta), unreadable)


def fix(scan: ScanResult, finding: PermalinkFinding, *, write: bool, redirect: bool = False) -> str:
    """Rewrite the permalink line of one file; return the unified diff (written only when ``write``).

    With ``redirect`` the old permalink is added to ``redirect_from`` (jekyll-redirect-from),
    so that links to it keep working: an existing flow list is extended, else a line
    ``redirect_from: [old]`` follows the permalink.
    """
    path = scan.config.root / finding.path
    doc = document.parse(path.read_bytes())
    fields = split_fields(doc.front_matter)
    old = doc.meta.get("permalink")
    new_fields: list[Field | str] = []
    for f in fields:
        if isinstance(f, Field) and f.key == "permalink":
            new_fields.append(with_value(f, finding.expected))
            if redirect and isinstance(old, str) and "redirect_from" not in doc.meta:
                new_fields.append(Field("redirect_from", f"redirect_from: [{old}]{f.newline}"))
        elif isinstance(f, Field) and f.key == "redirect_from" and redirect and isinstance(old, str):
            current = doc.meta.get("redirect_from")
            values = [current] if isinstance(current, str) else list(current or [])
            new_fields.append(with_value(f, values + [old]) if old not in values and f.single_line else f)
        else:
            new_fields.append(f)
    new_text = doc.text[: doc.yaml_start] + join_fields(new_fields) + doc.text[doc.yaml_start + len(doc.front_matter) :]
    if write:
        atomic_write(path, ("\ufeff" if doc.bom else "") + new_text)
    return "".join(
        difflib.unified_diff(doc.text.splitlines(keepends=True), new_text.splitlines(keepends=True), f"a/{finding.path}", f"b/{finding.path}")
    )
