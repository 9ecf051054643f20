"""Glossary terms in existing translations: a source term must come out as its target term.

Each translation is aligned with its source segment by segment (the same
block sequence, see :func:`transync.translate.align.align`). Where a glossary source
term appears in a source segment (whole words, any case, a plural ``s`` or
``es`` too; never inside code, URLs or other protected spans), the aligned
translated segment must contain the target term. Tags are compared as lists.

Scope, to keep reports true: segments that cite a URL (reference entries,
whose quoted titles stay in their language) are not checked; a term whose note mentions *heading* is checked
in headings only; one whose note mentions *tag* in tags only; a one-word term
with no such note is checked in headings and tags, where its sense is fixed,
not in running prose, where a word like "budget" or "monitor" has several
senses and several right translations. Terms of two words or more are
checked everywhere. Translations whose structure does not align are counted,
not guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from transync import document
from transync.site import sitepaths
from transync.errors import TransyncError
from transync.site.cache import HeaderCache
from transync.translate.glossary import Entry, Glossaries
from transync.document.patterns import URL_START
from transync.document.placeholders import Keep, split
from transync.document.segments import segment
from transync.site.status import StatusReport


@dataclass(frozen=True)
class TermFinding:
    path: str  # the translation
    line: int
    source_path: str
    lang: str
    term: str
    target: str
    message: str


@dataclass
class TermReport:
    findings: list[TermFinding] = field(default_factory=list)
    checked: int = 0
    not_aligned: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def _scope(entry: Entry) -> set[str]:
    note = entry.note.lower()
    if "heading" in note:
        return {"heading"}
    if "tag" in note:
        return {"tag"}
    if len(entry.source.split()) == 1:
        return {"heading", "tag"}
    return {"heading", "prose", "tag"}


class _Terms:
    """A language pair's terms, with one regular expression per scope."""

    def __init__(self, entries: list[Entry]) -> None:
        self.target = {e.source.casefold(): e.target for e in entries}
        self.original = {e.source.casefold(): e.source for e in entries}
        self.regex: dict[str, re.Pattern[str] | None] = {}
        for scope in ("heading", "prose", "tag"):
            terms = sorted((e.source for e in entries if scope in _scope(e)), key=len, reverse=True)
            self.regex[scope] = (
                re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in terms) + r")(?:s|es)?(?![\w-])", re.IGNORECASE)
                if terms else None
            )

    def found(self, scope: str, text: str) -> set[str]:
        regex = self.regex[scope]
        return {m.group(1).casefold() for m in regex.finditer(text)} if regex else set()


#: Spelling that does not change a term: spaces, middle dots and hyphens (バランスド・アーマチュア).
_NEUTRAL = re.compile(r"[\s・･\-‐–]+")


def _norm(text: str) -> str:
    import unicodedata

    return _NEUTRAL.sub("", unicodedata.normalize("NFKC", text).casefold())


def _present(target: str, translated: str) -> bool:
    """Whether ``target`` is in ``translated``, allowing for inflection in Latin-script languages.

    Spaces, middle dots and hyphens do not count (バランスドアーマチュア is
    バランスド・アーマチュア). German writes "Dynamischer Treiber" as "einem dynamischen 45-mm-Treiber":
    every word of the term must be there by its stem (all but its last three
    letters, at least four), in any order. Other scripts need the term as is.
    """
    haystack = translated.casefold()
    if target.casefold() in haystack or _norm(target) in _norm(translated):
        return True
    words = target.casefold().split()
    if not all(w.isascii() or any("a" <= ch <= "z" or "à" <= ch <= "ÿ" for ch in w) for w in words):
        return False
    return all(w[: max(4, len(w) - 3)] in haystack for w in words)


def _prose(text: str) -> str:
    """A segment's text without its protected spans (code, URLs, citations...)."""
    return "".join(" " if isinstance(p, Keep) else getattr(p, "text", "") for p in split(text))


#: Below this many translations, worker processes cost more than they save.
PARALLEL_THRESHOLD = 200

# One translation's result, as the workers return it and the cache keeps it:
# (checked, not aligned, unreadable reason or None, ((line, term, target, message), ...)).
_Result = tuple[bool, bool, "str | None", tuple[tuple[int, str, str, str], ...]]


def check_terms(
    report: StatusReport, glossaries: Glossaries, *, paths: list[str] | None = None,
    use_cache: bool | None = None, jobs: int | None = None,
) -> TermReport:
    """Check the glossary terms of every current and stale translation of ``report`` (under ``paths``).

    Each translation's result is cached while neither file of its pair, its language pair's
    glossary entries, the configuration nor transync's code changes (like ``check``'s findings);
    the rest are checked in worker processes on a large site.
    """
    from transync.checks.runner import Pair, _identities

    config = report.config
    by_name = {c.name: c for c in config.collections}
    todo: list[tuple[Pair, tuple[str, str]]] = []
    for item in report.items:
        if item.state not in ("current", "stale") or not item.path or not item.source_path:
            continue
        if not sitepaths.selected(paths, item.path, item.source_path):
            continue
        pair = (by_name[item.collection].source_lang, item.lang)
        if glossaries.pairs.get(pair):
            todo.append((Pair(item.collection, item.ref or "", item.lang or "", item.path, item.source_path, item.state), pair))

    use_cache = config.cache if use_cache is None else use_cache
    entries = {pair: glossaries.pairs[pair] for pair in {lp for _, lp in todo}}
    store = _TermCache(config, glossaries) if use_cache else None
    known = store.load() if store else {}
    identities = _identities(config, [p for p, _ in todo]) if store else {}
    results: dict[str, _Result] = {}
    stamps = {pair: _entries_stamp(found) for pair, found in entries.items()}
    missing = []
    for p, lp in todo:
        hit = known.get(p.path)
        if hit is not None and hit[0] == identities.get(p.path) and hit[1] == stamps[lp]:
            results[p.path] = hit[2]
        else:
            missing.append((p, lp))
    if missing:
        from functools import partial

        from transync.site.workers import chunked_map

        chunk = [(p.path, p.source_path, lp) for p, lp in missing]
        computed = chunked_map(partial(_check_chunk, str(config.root), entries), chunk, jobs=jobs, threshold=PARALLEL_THRESHOLD)
        for (p, lp), result in zip(missing, computed):
            results[p.path] = result
        if store:
            live = {p.path for p, _ in todo}
            kept = {path: entry for path, entry in known.items() if path not in live or path in results}
            for p, lp in todo:
                if p.path in identities and results[p.path][2] is None:
                    kept[p.path] = (identities[p.path], stamps[lp], results[p.path])
            store.save(kept)

    out = TermReport()
    for p, _ in todo:
        checked, not_aligned, unreadable, found = results[p.path]
        if unreadable is not None:
            out.unreadable.append((p.path, unreadable))
            continue
        out.checked += checked
        out.not_aligned += not_aligned
        out.findings.extend(TermFinding(p.path, line, p.source_path, p.lang, term, target, message) for line, term, target, message in found)
    return out


def _entries_stamp(entries: list[Entry]) -> str:
    """What a language pair's result depends on in its glossary (not where each entry is written)."""
    return repr(sorted((e.source, e.target, e.note) for e in entries))


_compiled: dict[tuple[tuple[str, str], str], _Terms] = {}  # per worker process


def _check_chunk(root: str, entries: dict[tuple[str, str], list[Entry]], chunk: list[tuple[str, str, tuple[str, str]]]) -> list[_Result]:
    stamps = {pair: _entries_stamp(found) for pair, found in entries.items()}  # once per chunk, not per document
    out = []
    for path, source_path, pair in chunk:
        key = (pair, stamps[pair])
        terms = _compiled.get(key)
        if terms is None:
            terms = _compiled[key] = _Terms(entries[pair])
        out.append(_check_one(root, path, source_path, terms))
    return out


def _check_one(root: str, path: str, source_path: str, terms: _Terms) -> _Result:
    import os

    from transync.translate.align import align

    try:
        source = document.load(os.path.join(root, source_path))  # .mdx is read as MDX
        translation = document.load(os.path.join(root, path))
        aligned = align(segment(source.body, source.syntax).segments, segment(translation.body, translation.syntax).segments)
    except OSError as exc:
        return False, False, str(exc), ()
    except TransyncError as exc:
        return False, False, str(exc), ()
    found_all: list[tuple[int, str, str, str]] = []

    def report_missing(found: set[str], translated: str, line: int) -> None:
        for key in sorted(found):
            target = terms.target[key]
            if not _present(target, translated):
                term = terms.original[key]
                found_all.append((line, term, target, f"'{term}' should be translated as '{target}' (glossary)"))

    src_tags, tr_tags = source.meta.get("tags"), translation.meta.get("tags")
    if isinstance(src_tags, list) and isinstance(tr_tags, list):
        found = set()
        for tag in src_tags:
            if str(tag).casefold() in terms.target:
                found.add(str(tag).casefold())
        report_missing(found, "\n".join(str(t) for t in tr_tags), translation.line_of_key("tags"))
    if not aligned.ok:
        return True, True, None, tuple(found_all)
    offset = translation.text.count("\n", 0, translation.body_start)
    for src_seg, tr_seg in aligned.pairs:
        if URL_START.search(src_seg.text):
            continue  # a reference entry: the titles of cited works are not translated
        scope = "heading" if src_seg.kind == "heading" else "prose"
        report_missing(terms.found(scope, _prose(src_seg.text)), tr_seg.text, tr_seg.line + offset)
    return True, False, None, tuple(found_all)


class _TermCache(HeaderCache):
    """Each translation's glossary result, kept while its pair of files is unchanged.

    Stamped like ``check``'s findings cache (transync's code, the configuration); each
    entry also carries its language pair's glossary entries (:func:`_entries_stamp`).
    """

    def __init__(self, config, glossaries: Glossaries) -> None:
        import sys

        settings = ["glossary-check", config.languages, config.source_lang, sorted(repr(c) for c in config.collections)]
        super().__init__(config.cache_dir, settings)
        self.path = config.cache_dir / f"terms-py{sys.version_info[0]}{sys.version_info[1]}.marshal"
