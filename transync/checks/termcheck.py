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


def check_terms(report: StatusReport, glossaries: Glossaries, *, paths: list[str] | None = None) -> TermReport:
    from transync.translate.align import align

    config = report.config
    by_name = {c.name: c for c in config.collections}
    compiled: dict[tuple[str, str], _Terms | None] = {}
    result = TermReport()
    for item in report.items:
        if item.state not in ("current", "stale") or not item.path or not item.source_path:
            continue
        if not sitepaths.selected(paths, item.path, item.source_path):
            continue
        pair = (by_name[item.collection].source_lang, item.lang)
        if pair not in compiled:
            entries = glossaries.pairs.get(pair, [])
            compiled[pair] = _Terms(entries) if entries else None
        terms = compiled[pair]
        if terms is None:
            continue
        try:
            source = document.load(config.root / item.source_path)
            translation = document.load(config.root / item.path)
            aligned = align(segment(source.body, source.syntax).segments, segment(translation.body, translation.syntax).segments)
        except (OSError, TransyncError) as exc:
            result.unreadable.append((item.path, str(exc)))
            continue
        result.checked += 1

        def report_missing(found: set[str], translated: str, line: int) -> None:
            for key in sorted(found):
                target = terms.target[key]
                if not _present(target, translated):
                    term = terms.original[key]
                    result.findings.append(TermFinding(
                        item.path, line, item.source_path, item.lang, term, target,
                        f"'{term}' should be translated as '{target}' (glossary)",
                    ))

        src_tags, tr_tags = source.meta.get("tags"), translation.meta.get("tags")
        if isinstance(src_tags, list) and isinstance(tr_tags, list):
            found = set()
            for tag in src_tags:
                if str(tag).casefold() in terms.target:
                    found.add(str(tag).casefold())
            report_missing(found, "\n".join(str(t) for t in tr_tags), translation.line_of_key("tags"))
        if not aligned.ok:
            result.not_aligned += 1
            continue
        offset = translation.text.count("\n", 0, translation.body_start)
        for src_seg, tr_seg in aligned.pairs:
            if URL_START.search(src_seg.text):
                continue  # a reference entry: the titles of cited works are not translated
            scope = "heading" if src_seg.kind == "heading" else "prose"
            report_missing(terms.found(scope, _prose(src_seg.text)), tr_seg.text, tr_seg.line + offset)
    return result
