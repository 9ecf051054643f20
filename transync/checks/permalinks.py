"""Permalinks: every document's URL matches its language and its source's URL.

The rule is the site layout's (``Layout.permalink_problem``, the one ``check``
asks too); for Jekyll: the language segment of a permalink is its document's
``lang`` (exactly: ``/EN/`` is reported), a translation's permalink is its
source's with the language segment swapped (``/products/en/x/`` ->
``/products/ja/x/``), a translation whose source has a permalink has one too,
and no permalink has a ``.`` or ``..`` segment. This module adds what only a
whole site shows: no two documents share a permalink (the wrong one is blamed,
not the right one it copied), and none has a query string or a fragment.
:func:`fix` rewrites only the permalink line of a wrong file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from transync import document
from transync.errors import TransyncError
from transync.document.frontmatter_edit import Field, join_fields, split_fields, with_value
from transync.fsutil import atomic_write
from transync.site.scan import ScanResult
from transync.site.sitepaths import selected
from transync.site.status import report as status_report


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


def check(scan: ScanResult, *, paths: list[str] | None = None) -> PermalinkReport:
    config = scan.config
    layout = config.layout
    by_name = {c.name: c for c in config.collections}
    meta: dict[str, tuple[str | None, int]] = {}
    unreadable = []
    urls = {d.path: url for d in scan.documents if (url := layout.page_url(d.path, by_name[d.collection])) is not None}
    bodies: dict[str, document.Document] = {}  # translations whose links are checked (URLs from paths)
    for doc in scan.documents:
        try:
            parsed = document.load(config.root / doc.path)
        except (OSError, TransyncError) as exc:
            unreadable.append((doc.path, str(exc)))
            continue
        value = parsed.meta.get("permalink")
        meta[doc.path] = (value if isinstance(value, str) else None, parsed.line_of_key("permalink"))
        if doc.path in urls and doc.lang != by_name[doc.collection].source_lang:
            bodies[doc.path] = parsed

    items = status_report(scan).items
    source_of = {i.path: i.source_path for i in items if i.path and i.source_path}
    findings: list[PermalinkFinding] = []
    wrong: set[str] = set()  # documents whose own permalink is wrong
    holders: dict[str, list[str]] = {}  # permalink -> the documents that have it, in scan order
    for doc in scan.documents:
        if doc.path not in meta:
            continue
        permalink, line = meta[doc.path]

        def add(message: str, expected: str | None = None) -> None:
            findings.append(PermalinkFinding(doc.path, line, message, doc.collection, doc.ref, doc.lang, expected))

        source_path = source_of.get(doc.path)
        if source_path:
            problem = layout.permalink_problem(
                permalink, doc.lang, config.languages,
                source_permalink=meta.get(source_path, (None, 0))[0], source_lang=by_name[doc.collection].source_lang,
            )
        else:
            problem = layout.permalink_problem(permalink, doc.lang, config.languages)
        if permalink is None:
            if problem is not None:
                add(f"no permalink; its source's gives {problem.expected}" if problem.expected else f"no permalink; its source has {meta[source_path][0]}")
            continue
        holders.setdefault(permalink, []).append(doc.path)
        if problem is not None:
            wrong.add(doc.path)
        if "?" in permalink or "#" in permalink:
            add(f"permalink {permalink} has a query string or a fragment")
        if problem is None or problem.kind == "source":  # the source's URL: reported as the collision below
            continue
        if problem.kind == "unsafe":
            add(f"permalink {permalink} {problem.detail}: it could name a page outside the site")
        elif problem.kind == "no-language":
            add(f"permalink {permalink} has no language segment; expected {problem.expected}", problem.fix)
        elif problem.kind == "case":
            add(f"permalink {permalink} writes the language as {problem.segment!r}, not {doc.lang!r}", problem.fix)
        elif problem.kind == "language":
            add(f"permalink {permalink} is in the {problem.segment!r} segment but lang is {doc.lang!r}", problem.fix)
        else:
            add(f"permalink {permalink} does not match its source's: expected {problem.expected}", problem.fix)
    findings += _other_locale_links(scan, urls, bodies)
    order = {d.path: n for n, d in enumerate(scan.documents)}
    # A document's collision comes first among its findings, as it always did.
    findings = sorted(_collisions(holders, wrong, scan, meta) + findings, key=lambda f: order[f.path])
    if paths is not None:
        findings = [f for f in findings if selected(paths, f.path)]
    return PermalinkReport(findings, len(meta), unreadable)


def _other_locale_links(scan: ScanResult, urls: dict[str, str], bodies: dict[str, document.Document]) -> list[PermalinkFinding]:
    """Where URLs come from paths (``Layout.page_url``), a translation's link to another page of the
    site must point at that page in its own language when it exists (``/fr/guides/x/``, not ``/guides/x/``)."""
    from urllib.parse import urljoin, urlsplit

    from transync.document.outline import body_line, outline

    layout = scan.config.layout
    by_path = {d.path: d for d in scan.documents}
    page = {url: by_path[path] for path, url in urls.items()}
    version = {(layout.identity(by_path[path]), by_path[path].lang): url for path, url in urls.items()}
    result = []
    for path, parsed in bodies.items():
        doc = by_path[path]
        for spot in outline(parsed.body, body_line(parsed), parsed.syntax).urls:
            link = str(spot.value)
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = urljoin(urls[path], parts.path)
            if not target.endswith("/") and "." not in target.rsplit("/", 1)[-1]:
                target += "/"
            other = page.get(target)
            if other is None or other.lang == doc.lang:
                continue
            mine = version.get((layout.identity(other), doc.lang))
            if mine is not None:
                result.append(PermalinkFinding(
                    path, spot.line, f"links to {link}, the {other.lang} page; the {doc.lang} page is {mine}",
                    doc.collection, doc.ref, doc.lang,
                ))
    return result


def _collisions(
    holders: dict[str, list[str]], wrong: set[str], scan: ScanResult, meta: dict[str, tuple[str | None, int]]
) -> list[PermalinkFinding]:
    """Documents that share a permalink. Where some of them have a right one (a translation
    that kept its source's URL), only the wrong ones are reported, naming a right one;
    else every one after the first."""
    by_path = {d.path: d for d in scan.documents}
    result = []
    for permalink, paths in holders.items():
        if len(paths) < 2:
            continue
        right = [p for p in paths if p not in wrong]
        if right and len(right) < len(paths):
            blamed = [(p, right[0]) for p in paths if p in wrong]
        else:
            blamed = [(p, paths[0]) for p in paths[1:]]
        for path, other in blamed:
            d = by_path[path]
            result.append(PermalinkFinding(path, meta[path][1], f"permalink {permalink} is also the permalink of {other}", d.collection, d.ref, d.lang))
    return result


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
