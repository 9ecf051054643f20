"""The translation state of every ref in every language of a site.

For each ``(collection, ref)`` the source is its document in the
collection's source language; every target language is then ``current``,
``stale`` or ``missing``. Files that cannot be matched are ``orphan``
(no source), ``duplicate`` (two files claim one ref and language) or
``invalid`` (unreadable or incomplete). When the source itself is duplicated,
each target language of the ref is ``duplicate`` too: neither judged nor
translated against an arbitrary one of the sources. A site that names a
localizable property (``[status] localizable_property``, Lunaria's
``i18nReady``) counts only the sources that set it to true: the translations
of the others are neither missing nor judged.

Stale is decided by the best evidence there is: provenance when transync
wrote the translation (the source's translatable content changed since);
else, inside a git work tree, the source as it was at the translation's last
commit against the source now (:mod:`transync.site.history`); else the dates (the
source's ``date`` is later than the translation's). Every stale item says
what changed since that baseline (:class:`transync.site.changes.Changes`).

A file whose provenance says the ``pseudo`` engine made it is ``pseudo``
whatever its source did: a preview, never ``current`` and never counted as
complete (its ``content_stale`` still says whether the source changed since).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from transync.document import fields
from transync.document.provenance import HUMAN, PSEUDO
from transync.site import sitepaths
from transync.site.changes import Baseline, Changes
from transync.site.config import STATES, Collection, SiteConfig
from transync.site.layouts import Layout
from transync.site.scan import DocEntry, ScanResult, no_cycle_collector

if TYPE_CHECKING:
    from transync.site.history import History

#: The order in which a translator works through the states.
WORK_ORDER = ("stale", "missing", "pseudo", "orphan", "duplicate", "invalid", "current")
#: The states of the translations a source should have: what percent complete counts against.
EXPECTED = ("current", "stale", "missing", "pseudo")


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
    provenance: bool = False  # transync wrote it (a provenance line that ack wrote for people's page says engine "human": False)
    engine: str | None = None  # what its provenance says made it (deepl, pseudo, memory, human...); None without one
    #: Kept or derived fields (rating, price...) whose value is not what the source now implies.
    outdated_fields: tuple[str, ...] = ()
    content_stale: bool = False  # the translatable content changed (else only outdated_fields make it stale)
    review: int = 0  # human segments a merge replaced (their source changed), not yet acknowledged
    changes: Changes | None = None  # stale items: what changed in the source since the baseline

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
        percent = round(100.0 * self.counts["current"] / self.expected, 1)
        # 3,805 of 3,806 rounds to 100.0: only a complete language may say so.
        return 99.9 if percent == 100.0 and self.counts["current"] < self.expected else percent


@dataclass
class StatusReport:
    config: SiteConfig
    items: list[StatusItem]
    summary: dict[str, LanguageSummary]
    sources: dict[str, int]  # source documents per source language
    files: int = 0
    evidence: str = "date"  # what judged translations without provenance: git or date
    notes: list[str] = field(default_factory=list)  # said once, after the report

    def failing(self, fail_on: Iterable[str]) -> list[StatusItem]:
        states = set(fail_on)
        return [item for item in self.items if item.state in states]

    def counts(self) -> dict[str, int]:
        total = {s: 0 for s in STATES}
        for item in self.items:
            total[item.state] += 1
        return total


def compute(scan: ScanResult, history: History | None = None) -> list[StatusItem]:
    """Every status item of a scanned site, current ones included; ``history`` is git's evidence."""
    config = scan.config
    by_name = {c.name: c for c in config.collections}
    groups: dict[tuple[str, str], dict[str, list[DocEntry]]] = {}
    by_path: dict[str, DocEntry] = {}
    layout = config.layout
    identity = layout.identity
    for doc in scan.documents:  # plain dictionaries: nested defaultdicts cost a call per document
        langs = groups.get(key := identity(doc))
        if langs is None:
            groups[key] = {doc.lang: [doc]}
        elif (same := langs.get(doc.lang)) is None:
            langs[doc.lang] = [doc]
        else:
            same.append(doc)
        by_path[doc.path] = doc

    items: list[StatusItem] = []
    pairs: list[tuple[int, DocEntry, DocEntry]] = []  # judged together: git answers for all at once
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
                    items.append(_orphan(docs[0], collection, by_path, layout))
            continue
        if len(sources) > 1:
            items.extend(_ambiguous(coll_name, ref, collection, langs))
            continue
        source = sources[0]
        if not source.ready:
            continue  # not ready for translation (localizable_property): neither missing nor judged
        for lang in collection.targets:
            docs = langs.get(lang)
            if not docs:
                items.append(
                    StatusItem(
                        coll_name, ref, lang, "missing", None, source.path,
                        target_path=layout.translation_path(source.path, collection, lang),
                        reason=f"no {lang} translation", source_date=source.date,
                    )
                )
            elif len(docs) == 1:
                pairs.append((len(items), docs[0], source))
                items.append(None)  # type: ignore[arg-type]
    evidence = _git_evidence(history, pairs, by_name, config)
    fields_then = _git_fields(history, pairs, by_name, config)
    for n, doc, source in pairs:
        items[n] = _judge(doc, source, evidence.get(doc.path), by_name[doc.collection], config, fields_then)

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


def _git_evidence(history: History | None, pairs, by_name, config: SiteConfig) -> dict[str, Changes | None]:
    """Git's answer for the translations it can judge: without provenance, or stale by provenance."""
    if history is None or not history.usable:
        return {}
    from transync.site.history import Pair

    asked = []
    fields_of = {name: c.content_fields for name, c in by_name.items()}
    for _, doc, source in pairs:
        prov = doc.provenance
        if prov is None or prov.source_hash != source.content_hash:
            fields = fields_of[doc.collection]
            asked.append(Pair(doc.path, source.path, fields, prov.source_hash if prov else None, source.content_hash))
    return history.judge(asked, config.pathspecs)


def _git_fields(history: History | None, pairs, by_name, config: SiteConfig) -> dict[str, tuple | None]:
    """For translations without provenance whose source changed since their git baseline: the
    source's kept and derived fields then (see :func:`outdated_fields`)."""
    if history is None or not history.usable:
        return {}
    from transync import document
    from transync.errors import DocumentError
    from transync.site.history import Pair

    out: dict[str, tuple | None] = {}
    by_collection: dict[str, list] = defaultdict(list)
    content_fields = {name: c.content_fields for name, c in by_name.items()}
    for _, doc, source in pairs:
        if doc.provenance is None:
            by_collection[doc.collection].append(Pair(doc.path, source.path, content_fields[doc.collection], None))
    for name, asked in by_collection.items():
        rules = dict(by_name[name].fields)

        def extract(data: bytes, rules=rules) -> tuple | None:
            try:
                return fields.follow_values(document.parse(data).meta, rules, config.provenance_key)
            except DocumentError:
                return None

        out.update(history.fields_then(asked, repr((sorted(rules.items()), config.provenance_key)), extract))
    return out


def _judge(
    doc: DocEntry, source: DocEntry, git: Changes | None, collection: Collection, config: SiteConfig,
    fields_then: dict[str, tuple | None] | None = None,
) -> StatusItem:
    prov = doc.provenance
    changes = None
    if prov is not None:
        stale = prov.source_hash != source.content_hash
        reason = "the source's translatable content changed since it was translated" if stale else None
        if stale:
            changes = git or Changes(Baseline("provenance"))
    elif git is not None:
        stale = git.stale
        changes = git if stale else None
        if stale:
            reason = f"the source changed since the translation's last commit {git.baseline.commit[:7]} ({git.baseline.date})"
        else:
            reason = None
    else:
        stale = source.date is not None and doc.date is not None and source.date > doc.date
        reason = f"source date {source.date} is later than translation date {doc.date}" if stale else None
        if stale:
            changes = Changes(Baseline("date", date=doc.date, source_date=source.date))
    outdated = outdated_fields(doc, source, collection, config, fields_then)
    if outdated:
        names = ", ".join(outdated)
        verb = "follows" if len(outdated) == 1 else "follow"
        said = f"{names} no longer {verb} the source"
        reason = f"{reason}; and {said}" if reason else said
    state = "stale" if stale or outdated else "current"
    if prov is not None and prov.engine == PSEUDO:
        state = "pseudo"
        reason = "pseudo-localized preview (--engine pseudo), not a translation" + (f"; {reason}" if reason else "")
    return StatusItem(
        doc.collection, doc.ref, doc.lang, state, doc.path, source.path,
        reason=reason, line=1, date=doc.date, source_date=source.date,
        edited=doc.edited, provenance=prov is not None and prov.engine != HUMAN, engine=prov.engine if prov is not None else None,
        changes=changes,
        outdated_fields=tuple(outdated), content_stale=stale, review=prov.review if prov is not None else 0,
    )


def outdated_fields(
    doc: DocEntry, source: DocEntry, collection: Collection, config: SiteConfig,
    fields_then: dict[str, tuple | None] | None = None,
) -> list[str]:
    """The kept and derived fields of a translation that the source changed since it was made.

    Only a change of the source counts: a field the translation set to a value
    of its own while the source kept its value is left to ``check``. The
    source's values when the translation was made come from the provenance,
    or, for a translation without one, from git (``fields_then``: the
    source's fields at the translation's last commit, for those whose source
    changed since). With neither, nothing is judged here: nothing would tell
    a deliberate local value from an outdated one.
    """
    convert = _converter(config, doc.lang)
    prov = doc.provenance
    if prov is None:
        if not fields_then or doc.path not in fields_then or fields_then[doc.path] is None:
            return []
        return fields.drifted_since(source.follow, doc.follow, collection.fields, convert, fields_then[doc.path])
    if prov.fields is not None:
        baseline = dict(prov.fields)
    elif not doc.edited:
        baseline = None  # written before transync recorded fields, untouched since: every difference is the source's
    else:
        return []
    return fields.drifted(source.follow, doc.follow, collection.fields, convert, baseline)


def _converter(config: SiteConfig, lang: str):
    """Source prices into ``lang``'s currency, when the site configures one."""
    target = config.translate.targets.get(lang)
    if target is None or not target.currency or target.rate is None:
        return None
    from transync.errors import DocumentError
    from transync.document.fields import Currency

    currency = Currency(target.currency, target.rate)

    def convert(value):
        try:
            return currency.convert(value)
        except DocumentError:
            return None  # not a number: no amount equals it

    return convert


def _orphan(doc: DocEntry, collection, by_path: dict[str, DocEntry], layout: Layout) -> StatusItem:
    reason = f"no {collection.source_lang} source with {layout.identity_name} '{doc.ref}'"
    # A source at the mirrored path with another ref is the usual cause: say so.
    twin_path = layout.source_path(doc.path, collection, doc.lang)
    twin = by_path.get(twin_path) if twin_path is not None else None
    if twin is not None and twin.ref != doc.ref:
        reason += f" ({twin.path} has ref '{twin.ref}')"
    return StatusItem(doc.collection, doc.ref, doc.lang, "orphan", doc.path, None, reason=reason, line=1, date=doc.date)


def summarize(
    config: SiteConfig, items: list[StatusItem], scan: ScanResult, langs: Iterable[str] | None = None,
    collections: Iterable[str] | None = None,
) -> tuple[dict[str, LanguageSummary], dict[str, int]]:
    """Counts per language and state, and the number of source documents per source language
    (of ``collections`` only, when given)."""
    wanted_collections = set(collections) if collections else None
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
        if wanted_collections is not None and doc.collection not in wanted_collections:
            continue
        if doc.lang != collection.source_lang or (doc.collection, doc.ref) in seen:
            continue
        seen.add((doc.collection, doc.ref))
        sources[doc.lang] += 1
        if not doc.ready:
            continue
        for lang in collection.targets:
            if lang in summary:
                summary[lang].expected += 1
    return summary, dict(sources)


def report(
    scan: ScanResult, *, langs: Iterable[str] | None = None, paths: Iterable[str] | None = None,
    git: bool | History = True, collections: Iterable[str] | None = None,
) -> StatusReport:
    """The status of a scanned site, limited to some languages, paths (relative to the root) and collections (by name).

    ``git=False`` judges translations without provenance by date even inside a git work tree;
    a :class:`~transync.site.history.History` opened before the scan is used as it is.
    """
    with no_cycle_collector():
        return _report(scan, langs, paths, git, collections)


def _report(
    scan: ScanResult, langs: Iterable[str] | None, paths: Iterable[str] | None, git: bool | History, collections: Iterable[str] | None,
) -> StatusReport:
    config = scan.config
    history = None
    if git is True:
        from transync.site.history import History as _History

        history = _History.of_site(config)
    elif git is not False:
        history = git
    items = compute(scan, history)
    lang_list = list(langs) if langs else None
    if lang_list:
        items = [i for i in items if i.lang in lang_list]
    collection_list = list(collections) if collections else None
    if collection_list:
        items = [i for i in items if i.collection in collection_list]
    if paths is not None:
        paths = list(paths)
        items = [i for i in items if sitepaths.selected(paths, i.path, i.source_path, i.target_path)]
    rank = {lang: n for n, lang in enumerate(config.languages)}
    order = {s: n for n, s in enumerate(WORK_ORDER)}
    # Stale work comes heaviest first: structure and math, then prose, then fields.
    items.sort(key=lambda i: (
        rank.get(i.lang or "", len(rank)), order[i.state], i.changes.weight if i.changes else (9, 0),
        i.collection, i.ref or "", i.path or i.target_path or "",
    ))
    summary, sources = summarize(config, items, scan, lang_list, collection_list)
    if paths is not None:
        # Expected counts follow the paths asked for: the refs whose items are shown.
        for row in summary.values():
            row.expected = sum(row.counts[s] for s in EXPECTED)
    usable = history is not None and history.usable
    notes = [history.note] if history is not None and history.note else []
    return StatusReport(config, items, summary, sources, files=scan.files, evidence="git" if usable else "date", notes=notes)
