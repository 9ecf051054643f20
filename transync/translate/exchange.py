"""Exchanging work with translators as PO files: export what needs a human, import what they did.

:func:`export_po` writes the texts that need a human for one language: the
segments and front-matter values of missing and stale translations that the
memory does not know, and (``only="all"``) the memory's machine translations
for post-editing, document by document in site order, each document's texts in
the order they appear (front matter first). A changed segment carries its previous source text as
``#| msgid``, as ``msgmerge --previous`` does, so a translator sees what
changed. The file opens in Poedit, Weblate or any PO editor; it is written
by :mod:`transync.translate.pofile`, as the memory is (the same header fields,
occurrences one per line).

:func:`import_file` reads such a file back. Every entry is checked first (the
msgid is a text of the site or of the memory; protected spans such as
inline code, URLs and citations are intact), and if one is wrong nothing is
changed at all. Then the translations go into the memory as human ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from transync import document
from transync.translate import localize, pofile, xliff
from transync.site.config import SiteConfig
from transync.errors import TransyncError
from transync.translate.memory import Memory, context_of
from transync.document.mdx import MD, MDX, syntax_of
from transync.document.placeholders import check_translation
from transync.site.status import EXPECTED, StatusReport


Progress = Callable[[int, int], None]  # (documents done, documents in all)


class ExchangeError(TransyncError):
    """A PO file from a translator that cannot be applied; nothing was changed."""


@dataclass
class Exported:
    text: str  # the PO file
    entries: int
    documents: int


def _texts_of(config: SiteConfig, report: StatusReport, lang: str, states: tuple[str, ...], on_document: Progress | None = None):
    """(item, request, line) for every text that translating ``lang`` in ``states`` would send.

    ``on_document(done, total)`` is called as each document is done (a progress line).
    """
    from transync.translate.run import options_for

    options = options_for(config, report)
    by_name = {c.name: c for c in config.collections}
    rank = {c.name: n for n, c in enumerate(config.collections)}
    # Site order (collections as configured, then source paths), so that an exported file reads
    # document by document.
    items = sorted(
        (i for i in report.items if i.lang == lang and i.state in states and i.source_path),
        key=lambda i: (rank.get(i.collection, len(rank)), i.source_path or ""),
    )
    for done, item in enumerate(items, 1):
        collection = by_name[item.collection]
        source = document.load(config.root / item.source_path)
        plan = localize.plan(source, options.settings(config, collection, lang))
        offset = source.text.count("\n", 0, source.body_start)
        lines = {localize.body_key(s.id): s.line + offset for s in plan.segmented.segments}
        # In the order they appear: the front matter's fields, then the body's segments.
        for request in sorted(plan.requests, key=lambda r: r.key in lines):
            yield item, request, lines.get(request.key)
        if on_document is not None:
            on_document(done, len(items))


def export_po(config: SiteConfig, report: StatusReport, memory: Memory, lang: str, *, only: str = "all", on_document: Progress | None = None) -> Exported:
    entries, documents = _export_entries(config, report, memory, lang, only, on_document)
    comment = f"# transync: texts to translate into {lang} ({only}); fill in msgstr, then: transync memory import FILE\n"
    out = [pofile.write_header(memory.source_lang, lang, comment=comment)]
    for key, entry in entries.items():
        out.append(pofile.write_entry(
            key[0], key[1], entry.msgstr,
            comments=[entry.comment] if entry.comment else (),
            occurrences=pofile.sorted_occurrences(entry.occurrences),
            flags=("fuzzy",) if entry.previous is not None else (),
            previous=entry.previous,
        ))
    return Exported("\n".join(out), len(entries), len(documents))


def export_xliff(config: SiteConfig, report: StatusReport, memory: Memory, lang: str, *, only: str = "all", on_document: Progress | None = None) -> Exported:
    """The texts of :func:`export_po` as an XLIFF 2.0 file (:mod:`transync.translate.xliff`), in the same order."""
    entries, documents = _export_entries(config, report, memory, lang, only, on_document)
    units = [
        xliff.Unit(
            source, entry.msgstr, context=context, previous=entry.previous, review=entry.comment,
            fuzzy=entry.previous is not None and bool(entry.msgstr),
            locations=[f"{path}:{line}" if line else path for path, line in pofile.sorted_occurrences(entry.occurrences)],
        )
        for (context, source), entry in entries.items()
    ]
    comment = f"texts to translate into {lang} ({only}); fill in the targets, then: transync memory import FILE"
    return Exported(xliff.write(units, memory.source_lang, lang, comment=comment), len(entries), len(documents))


def _export_entries(config: SiteConfig, report: StatusReport, memory: Memory, lang: str, only: str, on_document: Progress | None = None):
    """The texts to export, in document order: (context, source) -> _Export; and the source paths they come from."""
    from transync.translate.revisions import source_diff

    # Pseudo output is no translation: its texts need a translator as a missing document's do.
    states = {"all": ("stale", "missing", "pseudo"), "stale": ("stale",), "missing": ("missing", "pseudo")}[only]
    entries: dict[tuple[str | None, str], _Export] = {}
    documents = set()
    previous: dict[str, str] = {}  # changed source text -> its text as translated
    diffed: set[str] = set()  # refs whose source diff is already in ``previous``
    for item, request, line in _texts_of(config, report, lang, states, on_document):
        context = context_of(request.key)
        if memory.get(request.markdown, context=context) is not None:
            continue
        documents.add(item.source_path)
        if item.state == "stale" and item.ref not in diffed:
            diffed.add(item.ref)
            try:
                diff = source_diff(config, report, item.ref, lang)
            except TransyncError:
                diff = None
            if diff is not None and diff.traced:
                for change in diff.changes:
                    if change.kind == "changed" and change.new and change.old:
                        previous[change.new] = change.old
        key = (context, request.markdown)
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = _Export()
            if request.markdown in previous:
                entry.previous = previous[request.markdown]
                old = memory.get(previous[request.markdown])
                if old is not None:
                    entry.msgstr = old.translation  # the old translation, to adapt
        entry.occurrences.add((item.source_path, line or None))
    if only == "all":
        for e in sorted(memory, key=lambda e: (e.source, e.context or "")):
            if e.origin == "machine" and (e.context, e.source) not in entries:
                entries[(e.context, e.source)] = _Export(e.translation, comment=f"machine translation ({e.engine}): review it")
    # Document order: a text shared by several documents comes where it first appears; the
    # machine translations to review (known from the memory, not from a document) come last.
    return entries, documents


@dataclass
class _Export:
    """An entry of an exported file: a text to translate, or a machine translation to review."""

    msgstr: str = ""
    comment: str | None = None
    previous: str | None = None  # the source text as it was translated (``#| msgid``), for a changed one
    occurrences: set[tuple[str, int | None]] = field(default_factory=set)


@dataclass
class Imported:
    entries: int = 0  # translations taken into the memory
    skipped: int = 0  # empty, fuzzy or obsolete entries
    problems: list[str] = field(default_factory=list)
    #: What the memory did with each translation taken (added, replaced, unchanged), and why entries
    #: were skipped (empty: not translated; fuzzy: not reviewed; obsolete: ``#~`` entries).
    outcomes: dict[str, int] = field(default_factory=dict)
    skips: dict[str, int] = field(default_factory=dict)

    def said(self) -> str:
        """One line: what was imported, how the memory took it, and what was skipped and why."""
        taken = ", ".join(f"{n} {what}" for what, n in sorted(self.outcomes.items()) if n)
        why = {"empty": "empty (not translated)", "fuzzy": "fuzzy (remove the flag once reviewed)", "obsolete": "obsolete"}
        skipped = ", ".join(f"{n} {why[k]}" for k, n in sorted(self.skips.items()) if n)
        return (f"{self.entries} translation{'s' if self.entries != 1 else ''} imported" + (f" ({taken})" if taken else "")
                + (f"; {self.skipped} skipped: {skipped}" if self.skipped else ""))


@dataclass
class _Incoming:
    """A translation read from a translator's file: a PO entry or an XLIFF unit."""

    context: str | None
    source: str
    target: str
    where: str  # file:line (PO) or file#unit (XLIFF), for problems
    skip: str | None = None  # why it is not taken: empty, fuzzy, obsolete
    occurrences: tuple[tuple[str, str], ...] = ()  # the PO entry's #: lines (path, line): an .mdx path makes it MDX


@dataclass(frozen=True)
class TranslatorFile:
    """What a translator's PO or XLIFF file holds: its language (None when it names none) and its translations."""

    language: str | None
    incoming: list[_Incoming]
    noun: str  # what the file calls a source text, for problems


def read_file(path: Path) -> TranslatorFile:
    """Read a PO file, or an XLIFF 2.0 file (``.xlf``/``.xliff``); ExchangeError naming the file otherwise."""
    if xliff.is_xliff(path):
        try:
            language, units = xliff.read(path)
        except xliff.XliffError as exc:
            raise ExchangeError(str(exc)) from None
        incoming = [
            _Incoming(u.context, u.source, u.target, f"{path.name}#{u.ident}",
                      skip="empty" if not u.target else "fuzzy" if u.fuzzy else None)
            for u in units
        ]
        return TranslatorFile(language or None, incoming, "source")
    import polib

    try:
        # polib reads some damaged files without a word (a string cut short loses a
        # character): every line is checked first, as the memory's own reader does.
        pofile.check_lines(path.read_bytes().decode("utf-8"), path)
        po = polib.pofile(str(path), wrapwidth=0)
    except pofile.POFileError as exc:
        raise ExchangeError(f"{path}: not a readable PO file: line {exc.line}: {exc.reason}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ExchangeError(f"{path}: not a readable PO file: {exc}") from None
    incoming = [
        _Incoming(entry.msgctxt, entry.msgid, entry.msgstr, f"{path.name}:{entry.linenum}",
                  skip="obsolete" if entry.obsolete else "empty" if not entry.msgstr else "fuzzy" if entry.fuzzy else None,
                  occurrences=tuple(entry.occurrences))
        for entry in po
    ]
    return TranslatorFile(po.metadata.get("Language") or None, incoming, "msgid")


def import_file(path: Path, config: SiteConfig, report: StatusReport, memory: Memory, lang: str, *,
                on_document: Progress | None = None, read: TranslatorFile | None = None) -> Imported:
    """Check every translation of a PO or XLIFF file (``read``: the file already read by :func:`read_file`),
    then apply all of them, or none. Raises ExchangeError listing the problems."""
    read = read or read_file(path)
    language = (read.language or "").replace("_", "-").lower()
    if language and language.split("-")[0] != lang.split("-")[0]:
        raise ExchangeError(f"{path}: this file is for language {language!r}, not {lang!r}")
    return _take(path, read.incoming, config, report, memory, lang, noun=read.noun, on_document=on_document)


def _take(
    path: Path, incoming: list[_Incoming], config: SiteConfig, report: StatusReport, memory: Memory, lang: str, noun: str = "msgid",
    on_document: Progress | None = None,
) -> Imported:
    """Check every translation, then put all of them in the memory as human ones, or none (``noun``: what the file calls a source text)."""
    # Each known text with the syntax it is checked in: a text of an MDX page keeps its JSX and expressions.
    known = {(e.context, e.source): MD for e in memory}
    known.update(((context_of(r.key), r.markdown), r.syntax) for _, r, _ in _texts_of(config, report, lang, EXPECTED, on_document))
    result = Imported()
    todo = []
    for entry in incoming:
        if entry.skip is not None:
            result.skipped += 1
            result.skips[entry.skip] = result.skips.get(entry.skip, 0) + 1
            continue
        if (entry.context, entry.source) not in known:
            result.problems.append(f"{entry.where}: unknown {noun} (not a text of the site or of the memory): {entry.source[:60]!r}")
            continue
        syntax = known[entry.context, entry.source]
        if syntax == MD and any(syntax_of(where) == MDX for where, _ in entry.occurrences):
            syntax = MDX  # a text the memory knows from an MDX page
        if reason := check_translation(entry.source, entry.target, syntax):
            result.problems.append(f"{entry.where}: {reason}")
            continue
        todo.append(entry)
    if result.problems:
        raise ExchangeError(f"{path}: {len(result.problems)} problem(s), nothing imported:\n" + "\n".join(result.problems))
    for entry in todo:
        try:
            outcome = memory.put(entry.source, entry.target, origin="human", context=entry.context)
        except ValueError as exc:
            raise ExchangeError(f"{entry.where}: {exc}") from None
        result.entries += 1
        result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
    return result
