"""The translation state of every ref in every language of a site.

For each ``(collection, ref)`` the source is its document in the
collection's source language; every target language is then ``current``,
``stale`` or ``missing``. Files that cannot be matched are ``orphan``
(no source), ``duplicate`` (two files claim one ref and language) or
``invalid`` (unreadable or incomplete). When the source itself is duplicated,
each target language of the ref is ``duplicate`` too: neither judged nor
translated against an arbitrary one of the sources.

Stale is decided by provenance when transync wrote the translation (the
source's translatable content changed since), else by date (the source's
``date`` is later than the translation's).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from transync import fields, sitepaths
from transync.config import STATES, Collection, SiteConfig
from transync.scan import DocEntry, ScanResult, translation_path

#: The order in which a translator works through the states.
WORK_ORDER = ("stale", "missing", "orphan", "duplicate", "invalid", "current")


@dataclass(frozen=True, slots=True)
class StatusItem:
    """The state of one ref in one language (or of one unusable file)."""

    collection: str
    ref: str | None
    lang: str | None
    state: str
    path: str | None  # the translation's file; None when missing
    source_path: str | None
    target_path: str | None = None  # where a missing translation belongs
    reason: str | None = None
    line: int | None = None
    date: str | None = None
    source_date: str | None = None
    edited: bool = False  # transync wrote it and a human changed it since
    provenance: bool = False  # transync wrote it
    #: Kept or derived fields (rating, price...) whose value is not what the source now implies.
    outdated_fields: tuple[str, ...] = ()
    content_stale: bool = False  # the translatable content changed (else only outdated_fields make it stale)

    @property
    def location(self) -> str | None:
        """The file a reader should open for this item."""
        return self.path or self.source_path


@dataclass
class LanguageSummary:
    lang: str
    source: bool  # the source language of at least one collection
    expected: int = 0  # source documents that should have this language
    counts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATES})

    @property
    def percent_complete(self) -> float:
        if self.expected == 0:
            return 100.0
        return round(100.0 * self.counts["current"] / self.expected, 1)


@dataclass
class StatusReport:
    config: SiteConfig
    items: list[StatusItem]
    summary: dict[str, LanguageSummary]
    sources: dict[str, int]  # source documents per source language
    files: int = 0

    def failing(self, fail_on: Iterable[str]) -> list[StatusItem]:
        states = set(fail_on)
        return [item for item in self.items if item.state in states]

    def counts(self) -> dict[str, int]:
        total = {s: 0 for s in STATES}
        for item in self.items:
            total[item.state] += 1
        return total


def compute(scan: ScanResult) -> list[StatusItem]:
    """Every status item of a scanned site, current ones included."""
    config = scan.config
    by_name = {c.name: c for c in config.collections}
    groups: dict[tuple[str, str], dict[str, list[DocEntry]]] = defaultdict(lambda: defaultdict(list))
    by_path: dict[str, DocEntry] = {}
    for doc in scan.documents:
        groups[(doc.collection, doc.ref)][doc.lang].append(doc)
        by_path[doc.path] = doc

    items: list[StatusItem] = []
    for (coll_name, ref), langs in groups.items():
        collection = by_name[coll_name]
        for lang, docs in langs.items():
            if len(docs) > 1:
                docs.sort(key=lambda d: d.path)
                for doc in docs:
                    others = ", ".join(d.path for d in docs if d is not doc)
                    items.append(
                        StatusItem(coll_name, ref, lang, "duplicate", doc.path, None, reason=f"same ref and lang as {others}", line=1, date=doc.date)
                    )
        sources = langs.get(collection.source_lang)
        if not sources:
            for lang, docs in langs.items():
                if len(docs) == 1:
                    items.append(_orphan(docs[0], collection, by_path))
            continue
        if len(sources) > 1:
            items.extend(_ambiguous(coll_name, ref, collection, langs))
            continue
        source = sources[0]
        for lang in collection.targets:
            docs = langs.get(lang)
            if not docs:
                items.append(
                    StatusItem(
                        coll_name, ref, lang, "missing", None, source.path,
                        target_path=translation_path(source.path, collection, lang),
                        reason=f"no {lang} translation", source_date=source.date,
                    )
                )
            elif len(docs) == 1:
                items.append(_judge(docs[0], source, collection, config))

    for bad in scan.invalid:
        items.append(StatusItem(bad.collection, bad.ref, bad.lang, "invalid", bad.path, None, reason=bad.reason, line=bad.line))
    return items


def _ambiguous(coll_name: str, ref: str, collection, langs: dict[str, list[DocEntry]]) -> list[StatusItem]:
    """The translations of a ref with several sources: neither judged nor made against an arbitrary one."""
    paths = ", ".join(d.path for d in langs[collection.source_lang])
    items = []
    for lang in collection.targets:
        docs = langs.get(lang)
        if not docs:
            why = f"not translated: its {collection.source_lang} source is ambiguous ({paths} all have ref '{ref}')"
            items.append(StatusItem(coll_name, ref, lang, "duplicate", None, None, reason=why))
        elif len(docs) == 1:
            why = f"not judged current or stale: its {collection.source_lang} source is ambiguous ({paths} all have ref '{ref}')"
            items.append(StatusItem(coll_name, ref, lang, "duplicate", docs[0].path, None, reason=why, line=1, date=docs[0].date))
    return items


def _judge(doc: DocEntry, source: DocEntry, collection: Collection, config: SiteConfig) -> StatusItem:
    prov = doc.provenance
    if prov is not None:
        stale = prov.source_hash != source.content_hash
        reason = "the source's translatable content changed since it was translated" if stale else None
    else:
        stale = source.date is not None and doc.date is not None and source.date > doc.date
        reason = f"source date {source.date} is later than translation date {doc.date}" if stale else None
    outdated = outdated_fields(doc, source, collection, config)
    if outdated:
        names = ", ".join(outdated)
        reason = f"{reason}; and {names} no longer follow the source" if reason else f"{names} no longer follow the source"
    return StatusItem(
        doc.collection, doc.ref, doc.lang, "stale" if stale or outdated else "current", doc.path, source.path,
        reason=reason, line=1, date=doc.date, source_date=source.date,
        edited=doc.edited, provenance=prov is not None, outdated_fields=tuple(outdated), content_stale=stale,
    )


def outdated_fields(doc: DocEntry, source: DocEntry, collection: Collection, config: SiteConfig) -> list[str]:
    """The kept and derived fields of a translation that the source changed since it was made.

    Only a change of the source counts: a field the translation set to a value
    of its own while the source kept its value is left to ``check``. The
    source's values when the translation was made come from the provenance;
    a translation without them is not judged here (nothing would tell a
    deliberate local value from an outdated one).
    """
    prov = doc.provenance
    if prov is None:
        return []
    if prov.fields is not None:
        baseline = dict(prov.fields)
    elif not doc.edited:
        baseline = None  # written before transync recorded fields, untouched since: every difference is the source's
    else:
        return []
    return fields.drifted(source.follow, doc.follow, collection.fields, _converter(config, doc.lang), baseline)


def _converter(config: SiteConfig, lang: str):
    """Source prices into ``lang``'s currency, when the site configures one."""
    target = config.translate.targets.get(lang)
    if target is None or not target.currency or target.rate is None:
        return None
    from transync.errors import DocumentError
    from transync.localize import Currency

    currency = Currency(target.currency, target.rate)

    def convert(value):
        try:
            return currency.convert(value)
        except DocumentError:
            return None  # not a number: no amount equals it

    return convert


def _orphan(doc: DocEntry, collection, by_path: dict[str, DocEntry]) -> StatusItem:
    reason = f"no {collection.source_lang} source with ref '{doc.ref}'"
    # A source at the mirrored path with another ref is the usual cause: say so.
    parts = doc.path.split("/")
    prefix = collection.path.split("/")
    if len(parts) > len(prefix) + 1 and parts[len(prefix)] == doc.lang:
        parts[len(prefix)] = collection.source_lang
        twin = by_path.get("/".join(parts))
        if twin is not None and twin.ref != doc.ref:
            reason += f" ({twin.path} has ref '{twin.ref}')"
    return StatusItem(doc.collection, doc.ref, doc.lang, "orphan", doc.path, None, reason=reason, line=1, date=doc.date)


def summarize(config: SiteConfig, items: list[StatusItem], scan: ScanResult, langs: Iterable[str] | None = None) -> tuple[dict[str, LanguageSummary], dict[str, int]]:
    """Counts per language and state, and the number of source documents per source language."""
    wanted = list(langs) if langs else list(config.languages)
    sources_lang = {c.source_lang for c in config.collections}
    summary = {lang: LanguageSummary(lang, lang in sources_lang) for lang in wanted}
    for item in items:
        row = summary.get(item.lang or "")
        if row is not None:
            row.counts[item.state] += 1
    sources: dict[str, int] = defaultdict(int)
    by_name = {c.name: c for c in config.collections}
    seen: set[tuple[str, str]] = set()
    for doc in scan.documents:
        collection = by_name[doc.collection]
        if doc.lang != collection.source_lang or (doc.collection, doc.ref) in seen:
            continue
        seen.add((doc.collection, doc.ref))
        sources[doc.lang] += 1
        for lang in collection.targets:
            if lang in summary:
                summary[lang].expected += 1
    return summary, dict(sources)


def _under(path: str | None, prefixes: list[str]) -> bool:
    return path is not None and any(path == p or path.startswith(p + "/") or p == "" for p in prefixes)


def report(scan: ScanResult, *, langs: Iterable[str] | None = None, paths: Iterable[str] | None = None) -> StatusReport:
    """The status of a scanned site, limited to some languages and paths (relative to the root)."""
    config = scan.config
    items = compute(scan)
    lang_list = list(langs) if langs else None
    if lang_list:
        items = [i for i in items if i.lang in lang_list]
    if paths is not None:
        # A file name that cannot be shown is reported under its escaped form (sitepaths.shown).
        prefixes = [sitepaths.shown(p.rstrip("/")) for p in paths]
        items = [i for i in items if _under(i.path, prefixes) or _under(i.source_path, prefixes) or _under(i.target_path, prefixes)]
    rank = {lang: n for n, lang in enumerate(config.languages)}
    order = {s: n for n, s in enumerate(WORK_ORDER)}
    items.sort(key=lambda i: (rank.get(i.lang or "", len(rank)), order[i.state], i.collection, i.ref or "", i.path or i.target_path or ""))
    summary, sources = summarize(config, items, scan, lang_list)
    if paths is not None:
        # Expected counts follow the paths asked for: the refs whose items are shown.
        for row in summary.values():
            row.expected = sum(row.counts[s] for s in ("current", "stale", "missing"))
    return StatusReport(config, items, summary, sources, files=scan.files)
