"""What changed in a source since its translation was made, and accepting a change.

:func:`source_diff` compares the source *as it was translated* with the
source now, segment by segment, and never guesses it:

- a translation transync wrote records in its provenance the codes of the
  source segments it translated (:mod:`transync.document.provenance`): which segments
  changed is then exact, and the old texts come back from the translation
  memory, whose msgids are those texts;
- otherwise, in a git work tree, the source is taken as it was at the
  translation's last commit (:meth:`transync.site.history.History.source_then`,
  the baseline ``status`` uses);
- otherwise the source as translated is not known, and the caller says so.

:func:`acknowledge_all` accepts a source change that needs no new translation
(a typo fix): the translation becomes current without being re-translated.
For a translation transync wrote, its provenance is updated; for one made by
hand, its ``date`` line is set to the source's. The memory learns the new
source texts with the translations they already have. :func:`plan_ack`
sorts a selection of a report (paths, refs, languages) into what there is to
acknowledge, what is current already and what cannot be acknowledged, as
``--dry-run`` shows it; :func:`acknowledge_all` applies it, one memory per
language pair.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Callable

from transync import document
from transync.translate.align import align
from transync.site.changes import Baseline
from transync.site.config import SiteConfig
from transync.errors import UsageError
from transync.document.frontmatter_edit import Field, join_fields, split_fields
from transync.fsutil import atomic_write
from transync.translate.localize import Settings, provenance_line, source_field_hashes
from transync.translate.memory import Memory
from transync.document.provenance import HUMAN, encode, engine_of
from transync.document.segments import segment
from transync.site.status import StatusItem, StatusReport


@dataclass(frozen=True)
class Change:
    kind: str  # changed, added, removed
    old: str | None  # the source text as translated (None: added, or not in the memory)
    new: str | None  # the source text now (None: removed)
    line: int | None  # line in the current source file (None: removed)
    translation: str | None  # the translation of ``old``


@dataclass
class SourceDiff:
    item: StatusItem
    changes: list[Change] = field(default_factory=list)
    unknown: int = 0  # changed old segments whose text is not known (provenance without the memory's text)
    segments: int = 0  # segments of the source as translated
    baseline: Baseline | None = None  # how the source as translated is known: provenance or git

    @property
    def traced(self) -> bool:
        """Whether the source this translation was made from is known."""
        return self.baseline is not None


def find_item(report: StatusReport, ref: str, lang: str) -> StatusItem:
    matches = [i for i in report.items if i.ref == ref and i.lang == lang and i.path and i.source_path]
    if not matches:
        raise UsageError(f"{ref} [{lang}]: no translation with a source (see transync status)")
    if len(matches) > 1:
        names = ", ".join(f"{i.collection}" for i in matches)
        raise UsageError(f"{ref} [{lang}]: the ref is in several collections ({names}): give the path instead")
    return matches[0]


def _memory(config: SiteConfig, item: StatusItem) -> Memory:
    by_name = {c.name: c for c in config.collections}
    source_lang = by_name[item.collection].source_lang
    return Memory.of_site(config, source_lang, item.lang)


def source_diff(config: SiteConfig, report: StatusReport, ref: str, lang: str, *, git: bool = True) -> SourceDiff:
    item = find_item(report, ref, lang)
    source = document.load(config.root / item.source_path)
    translation = document.load(config.root / item.path)
    recorded = _recorded_diff(config, item, source, translation)
    if recorded is not None:
        return recorded
    then = _git_baseline(config, item, translation) if git else None
    if then is not None:
        return _diff_from(item, document.parse(then[0], syntax=source.syntax), source, translation, then[1])
    return SourceDiff(item)  # not known: the caller says so


def _recorded_diff(config: SiteConfig, item: StatusItem, source: document.Document, translation: document.Document) -> SourceDiff | None:
    """The diff against the source segments the provenance records; None when it records none."""
    from transync.document import provenance

    codes = provenance.decode((translation.meta.get(config.provenance_key) or {}).get("segments"))
    if codes is None:
        return None
    result = SourceDiff(item, segments=len(codes), baseline=Baseline("provenance"))
    memory = _memory(config, item)
    old_texts = provenance.resolve(codes, provenance.texts_by_hash(e.source for e in memory if e.context is None))
    theirs = segment(translation.body, translation.syntax).segments
    # The translation's own segment for each old one, while it keeps the structure transync wrote.
    translated = [s.text for s in theirs] if provenance.structure_matches(codes, theirs) is None else [None] * len(codes)
    now = segment(source.body, source.syntax).segments
    offset = source.text.count("\n", 0, source.body_start)
    matcher = difflib.SequenceMatcher(a=codes, b=[provenance.code(s) for s in now], autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for n in range(max(a1 - a0, b1 - b0)):
            was = a0 + n if n < a1 - a0 else None
            new = now[b0 + n] if n < b1 - b0 else None
            kind = "changed" if was is not None and new is not None else ("added" if new is not None else "removed")
            if was is not None and old_texts[was] is None:
                result.unknown += 1
            result.changes.append(Change(
                kind, old_texts[was] if was is not None else None, new.text if new else None,
                new.line + offset if new else None, translated[was] if was is not None else None,
            ))
    return result


def _git_baseline(config: SiteConfig, item: StatusItem, translation: document.Document) -> tuple[bytes, Baseline] | None:
    """The source as git says it was translated: at the translation's last commit."""
    from transync.site.history import History, Pair

    collection = next(c for c in config.collections if c.name == item.collection)
    pathspecs = config.pathspecs
    history = History.of_site(config)
    then = history.source_then(Pair(item.path, item.source_path, collection.content_fields, None), pathspecs)
    if then is None:
        return None
    if item.provenance:
        # Only the exact source provenance records will do.
        recorded = translation.meta[config.provenance_key].get("source_hash")
        old = document.parse(then[0])  # its hash only: the syntax does not matter
        if document.content_hash(old.meta, old.body, collection.content_fields) != recorded:
            return None
    return then


def _diff_from(item: StatusItem, old: document.Document, source: document.Document, translation: document.Document, baseline: Baseline) -> SourceDiff:
    """Segment by segment, the old source against the source now; each old segment with its translation."""
    result = SourceDiff(item, baseline=baseline)
    old_all = segment(old.body, old.syntax).segments
    translated_all = segment(translation.body, translation.syntax).segments
    result.segments = sum(1 for s in translated_all if s.translatable)
    aligned = align(old_all, translated_all)
    translated = {s.id: t.text for s, t in aligned.pairs} if aligned.ok else {}
    was = [s for s in old_all if s.translatable]
    now = segment(source.body, source.syntax).translatable()
    offset = source.text.count("\n", 0, source.body_start)
    # Whitespace is no change (as for status): compare the texts folded.
    matcher = difflib.SequenceMatcher(a=[" ".join(s.text.split()) for s in was], b=[" ".join(s.text.split()) for s in now], autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for n in range(max(a1 - a0, b1 - b0)):
            before = was[a0 + n] if n < a1 - a0 else None
            after = now[b0 + n] if n < b1 - b0 else None
            kind = "changed" if before and after else ("added" if after else "removed")
            result.changes.append(Change(
                kind, before.text if before else None, after.text if after else None,
                after.line + offset if after else None, translated.get(before.id) if before else None,
            ))
    return result


@dataclass
class Acknowledged:
    item: StatusItem
    how: str  # "provenance" or "human" (see ack_kind)
    learned: int = 0  # new source segments the memory learnt


@dataclass
class AckPlan:
    """A selection of translations sorted for ``ack``: the plan ``--dry-run`` shows and :func:`acknowledge_all` applies."""

    todo: list[StatusItem] = field(default_factory=list)  # stale, or with replaced human segments to review
    current: list[StatusItem] = field(default_factory=list)  # nothing to acknowledge
    refused: list[tuple[StatusItem, str]] = field(default_factory=list)  # named, but not a translation to acknowledge


def ack_kind(item: StatusItem) -> str:
    """What acknowledging a translation changes: its ``provenance`` (transync wrote it), or, in a page
    people made, a ``human`` provenance (engine "human"), written or brought up to date."""
    return "provenance" if item.provenance else "human"


def plan_ack(items: list[StatusItem], *, stale_only: bool = False, named: Callable[[StatusItem], bool] = lambda item: False) -> AckPlan:
    """Sort ``items`` (a report's, already limited to the paths, refs and languages asked for).

    ``stale_only`` leaves out current translations with segments to review.
    An item that ``named`` says was asked for by name (its ref, its file) and
    cannot be acknowledged (missing, pseudo output, an orphan...) is listed as
    refused; a selection by folder or language passes over such items.
    """
    plan = AckPlan()
    for item in items:
        if item.state == "stale" or (item.review and not stale_only and item.state == "current"):
            plan.todo.append(item)
        elif item.state == "current":
            plan.current.append(item)
        elif not stale_only and item.ref is not None and item.lang is not None and named(item):
            why = {
                "missing": "there is no translation to acknowledge",
                "pseudo": "pseudo output is not a translation: translate it with a real engine",
            }.get(item.state, item.reason or "")
            plan.refused.append((item, f"{item.state}: {why}" if why else item.state))
    return plan


def acknowledge_all(config: SiteConfig, items: list[StatusItem]) -> tuple[list[Acknowledged], list[tuple[StatusItem, str]]]:
    """Acknowledge every item; those that cannot be (no date to update, unreadable) come back with why.
    Each language pair's memory is opened once and saved once, at the end."""
    from transync.errors import TransyncError

    memories: dict[tuple[str, str], Memory] = {}
    done: list[Acknowledged] = []
    failed: list[tuple[StatusItem, str]] = []
    for item in items:
        try:
            done.append(_acknowledge(config, item, memories))
        except (TransyncError, OSError) as exc:
            failed.append((item, getattr(exc, "reason", None) or str(exc)))
    for memory in memories.values():
        memory.save()
    return done, failed


def _acknowledge(config: SiteConfig, item: StatusItem, memories: dict[tuple[str, str], Memory]) -> Acknowledged:
    source_path = config.root / item.source_path
    target_path = config.root / item.path
    source = document.load(source_path)
    translation = document.load(target_path)
    key = config.provenance_key
    fields = split_fields(translation.front_matter)
    source_date = document.normalize_date(source.meta.get("date"))
    collection = next(c for c in config.collections if c.name == item.collection)
    settings = Settings(collection.source_lang, item.lang, collection.fields, key, layout=config.layout)
    theirs = segment(translation.body, translation.syntax).segments
    now = segment(source.body, source.syntax).segments
    # The source now is what this translation translates from here on, when their structures agree.
    same_shape = len(now) == len(theirs) and all(a.kind == b.kind for a, b in zip(now, theirs))
    if item.provenance:
        how = "provenance"
        source_hash = document.content_hash(source.meta, source.body, collection.content_fields)
        recorded = translation.meta[key]
        out_hash = recorded.get("output_hash")
        old_line = next(f for f in fields if isinstance(f, Field) and f.key == key)
        codes = encode(now) if same_shape else recorded.get("segments")
        line = provenance_line(
            key, source_hash, source_date, out_hash if isinstance(out_hash, str) else None,
            source_field_hashes(source.meta, settings), codes if isinstance(codes, str) else None,
            engine=engine_of(recorded),
        )
        new_line = Field(key, line + old_line.newline)
        fields = [new_line if f is old_line else f for f in fields]
    else:
        # A page people made: a provenance line says which source it translates from now on, so that
        # status judges it by hashes (git and dates no longer do), and translate leaves it to people.
        how = "human"
        codes = encode(now) if same_shape else None
        line = provenance_line(
            key, document.content_hash(source.meta, source.body, collection.content_fields), source_date, None,
            source_field_hashes(source.meta, settings), codes, engine=HUMAN,
        )
        old_line = next((f for f in fields if isinstance(f, Field) and f.key == key), None)
        if old_line is not None:
            fields = [Field(key, line + old_line.newline) if f is old_line else f for f in fields]
        else:  # placed last, as transync places it
            nl = "\r\n" if "\r\n" in translation.text[: translation.body_start] else "\n"
            fields = [*fields, Field(key, line + nl)]
    text = translation.text
    new_text = text[: translation.yaml_start] + join_fields(fields) + text[translation.yaml_start + len(translation.front_matter) :]
    atomic_write(target_path, ("\ufeff" if translation.bom else "") + new_text)

    learned = 0
    aligned = align(now, theirs)
    if aligned.ok:
        pair = (collection.source_lang, str(item.lang))
        if pair not in memories:
            memories[pair] = _memory(config, item)
        memory = memories[pair]
        for src, tr in aligned.texts():
            if memory.get(src) is None:
                try:
                    memory.put(src, tr, origin="human", occurrences=[(item.source_path, None)])
                    learned += 1
                except ValueError:
                    pass
    return Acknowledged(item, how, learned)
