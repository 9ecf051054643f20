"""The batch translation job: missing and stale documents, in batches, in parallel.

1. :func:`select` turns a status report into jobs (one target document each)
   and skips (hand-made or hand-edited translations, unless forced).
2. :class:`Run` plans each job's texts (body segments and front-matter
   values), packs them into requests (at most 50 texts and ``MAX_BYTES`` of
   UTF-8 per request, one target language per request), keeps ``jobs``
   requests in flight, and writes each document, atomically, as soon as all
   its texts are back. A crash or a refusal (quota, key) therefore loses only
   documents that were not finished; running again resumes, because
   finished documents are current. Every valid reply is put in the
   translation memory as it arrives and synced to its journal before the
   document is written, so a resumed run does not buy it again.
"""

from __future__ import annotations

import difflib
import os
import threading
import time
import zlib
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from transync import document
from transync.document import fields
from transync.document.provenance import HUMAN, MEMORY, PSEUDO
from transync.translate import delta, localize
from transync.site import sitepaths
from transync.site.config import Collection, SiteConfig
from transync.translate.engines import Engine
from transync.errors import DocumentError, Interrupted, RequestTooLarge, TransyncError, UsageError
from transync.fsutil import atomic_write, remove_stale_temp_files
from transync.translate.memory import Memory, MemoryFileError, context_of, memory_path
from transync.document.placeholders import Template, check_translation
from transync.document.segments import _template, segment
from transync.site.status import StatusItem, StatusReport

MAX_TEXTS = 50
MAX_BYTES = 100 * 1024  # DeepL takes 128 KiB per request; leave room for the parameters


@dataclass(frozen=True)
class Job:
    collection: Collection
    ref: str
    lang: str
    source_path: str
    target_path: str
    reason: str  # missing, stale, forced, edited, fields, pseudo (pseudo output to replace)
    fields: tuple[str, ...] = ()  # kept and derived fields to bring in line with the source (reason "fields")


@dataclass(frozen=True)
class Skip:
    item: StatusItem
    reason: str
    #: An input that cannot be used (invalid, or a ref whose source is ambiguous): the run fails.
    fails: bool = False


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text}: expected K/N, e.g. 2/4") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text}: K must be between 1 and N")
    return k, n


def in_shard(collection: str, ref: str, shard: tuple[int, int] | None) -> bool:
    """Deterministic split by ref: every language of a ref lands in the same shard."""
    if shard is None:
        return True
    k, n = shard
    return zlib.crc32(f"{collection}/{ref}".encode()) % n == k - 1


def select(
    report: StatusReport, *, force: bool = False, refs: Iterable[str] = (), shard: tuple[int, int] | None = None,
    keep_edits: bool = False, langs: Iterable[str] = (), engine: str | None = None,
) -> tuple[list[Job], list[Skip]]:
    """Jobs for the missing and stale translations of a report; the rest, skipped with a reason.

    With ``keep_edits`` (a run with a translation memory), a stale translation
    that a human edited after transync wrote it is a job too: the run first
    stores its edits in the memory as human translations, so that the new
    version keeps them.

    ``langs`` limits the jobs to these target languages; the report may hold
    more, so that invalid or duplicate sources (items in the source language)
    are reported too. Invalid and duplicate items are skips that fail the run:
    they are inputs that cannot be used, and a ref whose source is ambiguous is
    never translated.

    ``engine`` names what will write (``memory``: the memory alone). Pseudo
    output (state ``pseudo``) is replaced by any other engine without
    ``--force`` (unless a human edited it); the ``pseudo`` engine itself
    never replaces a translation, by hand or by machine, without ``force``,
    and redoes its own output only when the source changed.
    """
    config = report.config
    by_name = {c.name: c for c in config.collections}
    wanted_refs = set(refs)
    wanted_langs = set(langs)
    jobs: list[Job] = []
    skips: list[Skip] = []
    for item in report.items:
        if wanted_refs and item.ref not in wanted_refs:
            continue
        if not in_shard(item.collection, item.ref if item.ref is not None else item.path or "", shard):
            continue
        collection = by_name[item.collection]
        if wanted_langs and item.lang is not None and item.lang not in wanted_langs and item.lang != collection.source_lang:
            continue
        if item.state in ("invalid", "duplicate"):
            skips.append(Skip(item, f"{item.state}: {item.reason}", fails=True))
            continue
        if item.ref is None or (wanted_langs and item.lang not in wanted_langs):
            continue
        if item.state == "missing":
            if item.target_path is None:
                skips.append(Skip(item, "the source is not in a language folder: no place to write the translation"))
                continue
            jobs.append(Job(collection, item.ref, item.lang, item.source_path, item.target_path, "missing"))
        elif item.state == "pseudo":
            if item.edited and not force:
                skips.append(Skip(item, "pseudo output edited by hand since transync wrote it: left alone; --force overwrites it"))
            elif engine != PSEUDO or force or item.content_stale or item.outdated_fields:
                jobs.append(Job(collection, item.ref, item.lang, item.source_path, item.path, "pseudo"))
        elif item.state == "stale" and engine == PSEUDO and (item.content_stale or not item.outdated_fields):
            made = "hand-made translation" if not item.provenance else "machine translation"
            if force:
                jobs.append(Job(collection, item.ref, item.lang, item.source_path, item.path, "forced"))
            else:
                skips.append(Skip(item, f"a {made}: pseudo output never replaces it; --force overwrites it"))
        elif item.state == "stale" and not item.content_stale and item.outdated_fields:
            # Only kept or derived fields changed: updated in place, nothing sent, human edits untouched.
            jobs.append(Job(collection, item.ref, item.lang, item.source_path, item.path, "fields", item.outdated_fields))
        elif item.state == "stale":
            hand = not item.provenance
            if force:
                jobs.append(Job(collection, item.ref, item.lang, item.source_path, item.path, "forced" if hand or item.edited else "stale"))
            elif hand:
                how = 'its provenance says engine "human"' if item.engine == HUMAN else "no provenance"
                skips.append(Skip(item, f"made by hand ({how}): left alone; --force overwrites it"))
            elif item.edited and not keep_edits:
                skips.append(Skip(item, "edited by hand since transync wrote it: left alone; --force overwrites it"))
            else:
                # An edited translation is updated only after its edits are in the memory.
                jobs.append(Job(collection, item.ref, item.lang, item.source_path, item.path, "edited" if item.edited else "stale"))
        elif item.state == "orphan":
            skips.append(Skip(item, f"{item.state}: {item.reason}"))
    return jobs, skips


# --------------------------------------------------------------------------- settings per collection and language


@dataclass(frozen=True)
class TranslateOptions:
    """What ``[translate]`` and ``[languages.*]`` of the configuration say, resolved."""

    templates: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)  # (collection, lang) -> field -> template
    currencies: Mapping[str, localize.Currency] = field(default_factory=dict)  # lang -> currency
    glossaries: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)  # (src, tgt) -> term -> term
    untranslated_tags: str = "translate"

    def settings(self, config: SiteConfig, collection: Collection, lang: str) -> localize.Settings:
        return localize.Settings(
            source_lang=collection.source_lang,
            target_lang=lang,
            rules=collection.fields,
            provenance_key=config.provenance_key,
            templates=self.templates.get((collection.name, lang), {}),
            glossary=self.glossaries.get((collection.source_lang, lang), {}),
            untranslated_tags=self.untranslated_tags,
            currency=self.currencies.get(lang),
            layout=config.layout,
        )


def infer_templates(config: SiteConfig, report: StatusReport, collection: str, lang: str, *, sample: int = 20) -> dict[str, str]:
    """Title templates the site already follows, learnt from its current translations.

    When the titles of a collection's translations are ``target_name`` plus
    the same words (``Sony WH-1000XM5 製品レビュー``), new translations get
    the same pattern. Nothing is inferred from fewer than 3 examples or when
    fewer than 80% agree. Only translations people made count: learning from
    transync's own output would let one run's guess decide the next (a
    resumed run would then differ from an uninterrupted one).
    """
    from collections import Counter

    seen: Counter[str] = Counter()
    total = 0
    for item in report.items:
        if total >= sample:
            break
        if item.collection != collection or item.lang != lang or item.state != "current" or not item.path or item.provenance:
            continue
        try:
            meta = document.parse((config.root / item.path).read_bytes()).meta
        except (OSError, TransyncError):
            continue
        title, name = meta.get("title"), meta.get("target_name")
        if not isinstance(title, str) or not isinstance(name, str) or not name:
            continue
        total += 1
        if title.count(name) == 1:
            seen[title.replace(name, "{target_name}")] += 1
    if total >= 3 and seen:
        template, count = seen.most_common(1)[0]
        if count >= 0.8 * total:
            return {"title": template}
    return {}


def options_for(config: SiteConfig, report: StatusReport, jobs: list[Job] | None = None) -> TranslateOptions:
    """Templates, currencies and glossaries for the jobs at hand (default: every collection and
    target language), from configuration and the site."""
    from transync.translate import glossary

    tr = config.translate
    templates = {}
    if jobs is None:
        pairs = {(c.name, lang) for c in config.collections for lang in c.targets}
    else:
        pairs = {(j.collection.name, j.lang) for j in jobs}
    for key in sorted(pairs):
        configured = tr.templates(*key)
        templates[key] = configured if "title" in configured else {**infer_templates(config, report, *key), **configured}
    currencies = {
        lang: localize.Currency(t.currency, t.rate) for lang, t in tr.targets.items() if t.currency and t.rate is not None
    }
    loaded = glossary.load(config.glossary_folder)
    glossaries = {pair: loaded.terms(*pair) for pair in loaded.pairs}
    return TranslateOptions(templates=templates, currencies=currencies, glossaries=glossaries, untranslated_tags=tr.untranslated_tags)


def glossary_headings(plan: localize.Plan, terms: Mapping[str, str]) -> dict[str, str]:
    """A heading that is a glossary term takes the glossary's translation, unsent: request key -> translation."""
    headings = {localize.body_key(s.id) for s in plan.segmented.segments if s.kind == "heading"}
    return {r.key: terms[r.markdown.casefold()] for r in plan.requests if r.key in headings and r.markdown.casefold() in terms}


# --------------------------------------------------------------------------- the run


@dataclass
class DocResult:
    job: Job
    status: str  # written, failed
    reason: str = ""
    characters: int = 0


@dataclass(frozen=True)
class Review:
    """A human-edited segment whose source changed: the new translation replaces it in the document;
    the human text stays in the memory (as the translation of ``old_source``) for a reviewer."""

    job: Job
    line: int  # in the translation as it was
    old_source: str | None  # None when the memory does not know the old source text
    previous: str  # the human translation that was replaced


@dataclass(frozen=True)
class Rejected:
    """A memory entry that breaks the source's protected text (a citation dropped, a URL added)."""

    job: Job
    source: str
    reason: str
    origin: str  # human or machine
    memory: str  # the PO file's name


@dataclass(frozen=True)
class Uncovered:
    """A document a run without an engine could not write: the texts the memory does not have."""

    job: Job
    texts: tuple[tuple[str, str], ...]  # (where in the source: "line 12" or a field's name, the source text)


@dataclass
class Summary:
    planned: list[DocResult] = field(default_factory=list)  # --dry-run
    written: list[DocResult] = field(default_factory=list)
    failed: list[DocResult] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    not_started: list[Job] = field(default_factory=list)
    requests: int = 0
    texts: int = 0
    characters: int = 0  # translatable characters sent
    billed_characters: int = 0
    prompt_tokens: int = 0  # engines billed by the token (openai): what the requests cost
    completion_tokens: int = 0
    glossary_texts: int = 0  # headings that are glossary terms: translated by the glossary, not sent
    human_edits: int = 0  # edited segments found in hand-edited translations, kept as human translations
    review: list[Review] = field(default_factory=list)  # human segments whose source changed: replaced, kept in the memory
    kept_texts: int = 0  # unchanged source segments whose translation was kept from the document, not sent
    memory_texts: int = 0  # texts found in the translation memory, not sent
    memory_rejected: list[Rejected] = field(default_factory=list)  # memory entries that broke protected text
    memory_characters: int = 0  # their characters: what the memory saved
    #: Without an engine (``--engine memory``): the documents not written, with the texts the memory lacks.
    uncovered: list[Uncovered] = field(default_factory=list)
    #: Why the run stopped before its end: the service refused or failed (exit 3), a signal
    #: (exit 128 + its number), or the memory could not be written. Finished work is kept.
    stopped: TransyncError | None = None
    seconds: float = 0.0
    shard: str | None = None  # "K/N" of a --shard run
    memory_deltas: list = field(default_factory=list)  # delta.Written: a run with memory_out

    @property
    def exit_code(self) -> int:
        """0 done, 1 some documents failed, else the stopping error's code (3, 130, 143...)."""
        if self.stopped is not None:
            return self.stopped.exit_code
        return 1 if self.failed or any(s.fails for s in self.skipped) else 0


@dataclass
class _Pending:
    """A document whose texts are on their way."""

    job: Job
    plan: localize.Plan
    source_hash: str
    source_date: str | None
    waiting: set[str]
    done: dict[str, str] = field(default_factory=dict)
    retried: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)  # keys sent to the engine (not from memory)
    failed: str | None = None
    written: bool = False
    review: int = 0  # replaced human segments awaiting a review, recorded in the provenance
    markdown: dict[str, str] | None = None  # request key -> source Markdown, when first needed


@dataclass(frozen=True)
class _Text:
    doc: int  # index of the pending document
    key: str
    template: Template

    @property
    def size(self) -> int:
        return len(self.template.xml.encode())


def take_batch(queue: deque[_Text]) -> list[_Text]:
    """The next request from a queue: up to MAX_TEXTS texts and MAX_BYTES of XML (one text at least)."""
    batch: list[_Text] = []
    size = 0
    while queue and len(batch) < MAX_TEXTS and (not batch or size + queue[0].size <= MAX_BYTES):
        item = queue.popleft()
        batch.append(item)
        size += item.size
    return batch


class Run:
    """One translation run over a list of jobs."""

    def __init__(
        self,
        config: SiteConfig,
        engine: Engine | None,
        options: TranslateOptions,
        *,
        workers: int = 4,
        max_chars: int | None = None,
        on_event: Callable[[str, dict], None] | None = None,
        use_memory: bool = True,
        offline: bool = False,
        memory_out: str | os.PathLike[str] | None = None,
        shard: str | None = None,
    ) -> None:
        self.config = config
        # A folder for memory deltas (see transync.translate.delta): the PO files are then left as they are.
        self.memory_out = memory_out
        self.shard = shard
        # Offline: only documents the memory translates completely are written; nothing is sent.
        self.offline = offline
        self.use_memory = use_memory
        # The pseudo engine's output is not a translation: it is never remembered. It reads the
        # memory all the same, so that a preview shows every translation a person already made.
        self.read_only = getattr(engine, "name", None) == PSEUDO
        self._memories: dict[tuple[str, str], Memory] = {}
        self._loading: dict[tuple[str, str], Future] = {}  # memories being read in the background (see _prefetch)
        self._dry = False  # during dry_run: nothing is written, so a read-only memory is fine
        self._writable: set[tuple[str, str]] = set()  # memories checked writable
        self.engine = engine
        self.options = options
        self.workers = max(1, workers)  # requests in flight (the CLI's --jobs)
        self.max_chars = max_chars
        self.on_event = on_event or (lambda kind, data: None)

    # -- memory

    def _memory(self, job: Job) -> Memory | None:
        """The memory of a job's language pair, opened when first needed: before any of its texts is sent.

        Raises MemoryFileError when it cannot be read, or (unless a dry run)
        cannot be written: a run that could not remember what it buys stops
        before buying it.
        """
        if not self.use_memory:
            return None
        return self._memory_of((job.collection.source_lang, job.lang))

    def _memory_of(self, key: tuple[str, str]) -> Memory:
        if key not in self._memories:
            loading = self._loading.pop(key, None)
            self._memories[key] = loading.result() if loading is not None else Memory.of_site(self.config, *key)
        if not self._dry and not self.read_only and key not in self._writable:
            self._memories[key].ensure_writable()
            self._writable.add(key)
        return self._memories[key]

    def _prefetch(self, jobs: list[Job]) -> None:
        """Start reading the memories that documents to translate will look their texts up in.

        In a thread, so that a large memory file is read (and checked against
        its index) while the first document is planned: reading releases the
        interpreter. Errors are raised where the memory is first needed.
        """
        if not self.use_memory:
            return
        keys = {(j.collection.source_lang, j.lang) for j in jobs if j.reason != "fields"} - self._memories.keys() - self._loading.keys()
        if keys:
            loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="transync-memory")
            for key in sorted(keys):
                self._loading[key] = loader.submit(Memory.of_site, self.config, *key)
            loader.shutdown(wait=False)

    def _recall(self, pending: _Pending, summary: Summary) -> list[localize.Request]:
        """Take what the memory knows; return the requests still to send."""
        if not pending.plan.requests:
            return []
        terms = self.options.glossaries.get((pending.job.collection.source_lang, pending.job.lang), {})
        from_glossary = glossary_headings(pending.plan, terms)
        memory = self._memory(pending.job)
        todo = []
        for request in pending.plan.requests:
            if request.key in pending.done:
                continue  # kept from the translation (see _merge)
            if request.key in from_glossary:
                pending.done[request.key] = from_glossary[request.key]
                pending.waiting.discard(request.key)
                summary.glossary_texts += 1
                continue
            if memory is None:
                todo.append(request)
                continue
            hit = memory.get(request.markdown, context=context_of(request.key))
            if hit is None:
                todo.append(request)
                continue
            problem = check_translation(request.markdown, hit.translation, request.syntax)
            if problem is not None:
                # A memory entry is held to the rule an engine's reply is held to: rejected, reported,
                # and the text translated again (a machine entry is replaced by the new reply; a
                # human one stays in the memory, untouched, for its translator to fix).
                summary.memory_rejected.append(Rejected(pending.job, request.markdown, problem, hit.origin, memory.path.name))
                todo.append(request)
                continue
            pending.done[request.key] = hit.translation
            pending.waiting.discard(request.key)
            summary.memory_texts += 1
            summary.memory_characters += _template(request.markdown, request.syntax).chars
        return todo

    def _remember_reply(self, pending: _Pending, key: str) -> None:
        """Store one text the engine translated, as soon as its reply is valid (main thread only).

        Every valid reply is remembered, also of a document that fails or is
        never finished: its characters are billed all the same. It is on disk
        at the next :meth:`_sync_memories`.
        """
        memory = self._memory(pending.job)
        if memory is None or self.read_only:
            return
        if pending.markdown is None:
            pending.markdown = {r.key: r.markdown for r in pending.plan.requests}
        try:
            memory.put(
                pending.markdown[key], pending.done[key], origin="machine",
                engine=getattr(self.engine, "name", None), context=context_of(key),
            )
        except ValueError:
            pass  # a pair PO cannot hold (a newline at one end only): not remembered

    def _remember(self, pending: _Pending) -> None:
        """Record where a completed document uses each of its texts (memory hits too), by line.

        Every text of the document, sent or found in the memory, so that the
        ``#:`` lines of a run do not depend on which document happened to
        send a shared text first.
        """
        memory = self._memory(pending.job)
        if memory is None or self.read_only or not pending.plan.requests:
            return  # no memory, or a document with no text (nothing to record)
        source = pending.plan.source
        offset = source.text.count("\n", 0, source.body_start)
        lines = {localize.body_key(s.id): s.line + offset for s in pending.plan.segmented.segments}
        uses = []
        for request in pending.plan.requests:
            if request.key in lines:
                line = lines[request.key]
            else:
                line = source.line_of_key(request.key.split(":")[1])
            uses.append((request.markdown, line, context_of(request.key)))
        memory.replace_occurrences(pending.job.source_path, uses)

    def _sync_memories(self) -> None:
        """Put every change of the memories on disk (fsynced): before a document is handed to its writer."""
        for key in self._writable:
            self._memories[key].sync()

    def _save_memories(self) -> list:
        """Fold the journals into the PO files; every memory is tried, the first error raised after.

        With ``memory_out``, the PO files are left as they are and each memory's
        delta is written there instead (returned, for the summary).

        Only memories checked writable: one that is not has stopped the run
        before anything was sent. A memory of the site that this run did not
        open but that a killed run left a journal (or a save's temporary
        file) for is folded too, so that a run with nothing to translate
        still brings the PO files up to date.
        """
        error: MemoryFileError | None = None
        if self.use_memory and not self._dry and not self.read_only:
            for c in self.config.collections:
                for lang in c.targets:
                    key = (c.source_lang, lang)
                    if key not in self._writable and Memory.left_over(memory_path(self.config.root, *key)):
                        try:
                            self._memory_of(key)
                        except MemoryFileError as exc:
                            error = error or exc
        written = []
        for key in sorted(self._writable):
            try:
                if self.memory_out is None:
                    self._memories[key].save()
                else:
                    written.append(delta.write(self._memories[key], self.memory_out, shard=self.shard))
            except (MemoryFileError, delta.DeltaError) as exc:
                error = error or exc
        if error is not None:
            raise error
        return written

    # -- planning

    def _harvest(self, job: Job, source: document.Document, plan: localize.Plan, summary: Summary | None, *, fields_only: bool = False) -> None:
        """Store the human edits of a translation transync wrote, before it is rewritten.

        Segment by segment, where the memory holds transync's machine translation
        of a source segment and the translation now reads otherwise, a human
        edited it: that text becomes the segment's human translation. Nothing
        is guessed: when the translation's segments do not align with the
        source's, the document is left alone.
        """
        from transync.translate.align import align

        memory = self._memory(job)
        if memory is None:
            raise DocumentError("edited by hand since transync wrote it, and there is no translation memory to keep the edits: --force overwrites it")
        current = document.load(self.config.root / job.target_path)
        pairs: list[tuple[str, str, str | None]] = []
        if not fields_only:
            aligned = align(plan.segmented.segments, segment(current.body, current.syntax).segments)
            if not aligned.ok:
                raise DocumentError(f"edited by hand, and its segments no longer align with the source's ({aligned.reason}): left alone; --force overwrites it")
            pairs = [(src, tr, None) for src, tr in aligned.texts()]
        for request in plan.requests:
            if request.whole_field:
                value = current.meta.get(request.whole_field)
                if isinstance(value, str):
                    pairs.append((request.markdown, value, request.key))
        known_pairs = [(src, tr, key, memory.entry(src, context=context_of(key) if key else None)) for src, tr, key in pairs]
        if pairs and sum(1 for *_, known in known_pairs if known is not None) * 2 < len(pairs):
            # Without a record of what transync wrote, an edit cannot be told from a change.
            raise DocumentError(
                "edited by hand, and the translation memory has no record of most of what transync wrote: "
                "left alone; --force overwrites it"
            )
        for src, tr, key, known in known_pairs:
            context = context_of(key) if key else None
            if known is not None and known.origin == "machine" and known.translation != tr:
                memory.put(src, tr, origin="human", context=context, occurrences=[(job.source_path, None)])
                if summary is not None:
                    summary.human_edits += 1

    def _merge(self, job: Job, plan: localize.Plan, summary: Summary | None) -> tuple[dict[str, str] | None, int]:
        """Three-way merge of a translation transync wrote with its changed source.

        The provenance records the source segments the translation was made
        from (:mod:`transync.document.provenance`), and the translation still has their
        structure unless a human changed it. Then every segment of the source
        now that was already there (same text) keeps its translation as it
        reads in the file, human edits included: nothing is sent for it. Only
        new and changed segments are left to the memory and the engine. A
        human-edited segment whose own source changed cannot be kept in place:
        it goes into the memory as the human translation of the old source
        text and is listed for review, never dropped silently.

        Returns the translations to keep (by request key), or None when the
        provenance records no segments (translations written before it did),
        and how many replaced human segments await a review (those of earlier
        merges included: the count stays in the provenance until ``ack``).
        """
        from transync.document import provenance

        current = document.load(self.config.root / job.target_path)
        recorded_prov = current.meta.get(self.config.provenance_key) or {}
        review = provenance.review_count(recorded_prov)
        codes = provenance.decode(recorded_prov.get("segments"))
        if codes is None:
            return None, review
        edited = job.reason == "edited"
        theirs = segment(current.body, current.syntax).segments
        problem = provenance.structure_matches(codes, theirs)
        if problem is not None:
            if edited:
                raise DocumentError(f"edited by hand, and its structure no longer matches the source it was translated from ({problem}): left alone; --force overwrites it")
            return None, review  # not as transync wrote it, yet unedited: translate it afresh
        ours = plan.segmented.segments
        matcher = difflib.SequenceMatcher(a=codes, b=[provenance.code(s) for s in ours], autojunk=False)
        keep: dict[str, str] = {}
        gone: list[int] = []  # old segments whose source changed or went away
        for tag, a0, a1, b0, b1 in matcher.get_opcodes():
            if tag == "equal":
                for i, j in zip(range(a0, a1), range(b0, b1)):
                    if ours[j].translatable:
                        keep[localize.body_key(ours[j].id)] = theirs[i].text
            else:
                gone.extend(range(a0, a1))
        # A translated field whose source value is as it was translated keeps its translation too.
        recorded = (current.meta.get(self.config.provenance_key) or {}).get("fields")
        if isinstance(recorded, dict):
            for request in plan.requests:
                name = request.whole_field
                value = current.meta.get(name) if name else None
                if name and isinstance(value, str) and value:
                    if recorded.get(name) == fields.hashes([(name, fields.plain(plan.source.meta.get(name)))])[name]:
                        keep[request.key] = value
        if edited:
            review += self._keep_human_segments(job, current, codes, theirs, gone, [i for i in range(len(codes)) if i not in set(gone)], summary)
        return keep, review

    def _keep_human_segments(self, job, current, codes, theirs, gone, kept, summary: Summary | None) -> int:
        """Give the memory the human edits of a translation; list those whose source changed for review.

        Returns how many were listed.
        """

        memory = self._memory(job)
        if memory is None:
            raise DocumentError("edited by hand since transync wrote it, and there is no translation memory to keep the edits: --force overwrites it")
        known = self._known_sources(job, memory)
        offset = current.text.count("\n", 0, current.body_start)
        listed = 0
        for i in [*kept, *gone]:
            seg = theirs[i]
            old = known.get(codes[i][1:])
            entry = memory.entry(old) if old is not None else None
            if entry is not None and entry.origin == "machine" and entry.translation == seg.text:
                continue  # transync's own translation, untouched
            if old is None and not seg.translatable:
                continue  # nothing a human wrote (a number, a formula)
            if old is not None and (entry is None or entry.translation != seg.text):
                try:
                    memory.put(old, seg.text, origin="human", occurrences=[(job.source_path, None)])
                except ValueError:
                    pass
            if i not in kept:
                listed += 1
            if summary is None:
                continue
            if i in kept:
                summary.human_edits += 1
            else:
                summary.review.append(Review(job, seg.line + offset, old, seg.text))
        return listed

    def _known_sources(self, job: Job, memory: Memory) -> dict[str, str]:
        """The memory's body source texts by their short hash (computed once per language pair)."""
        from transync.document import provenance

        cache = self.__dict__.setdefault("_known", {})
        key = (job.collection.source_lang, job.lang)
        if key not in cache:
            cache[key] = provenance.texts_by_hash(e.source for e in memory if e.context is None)
        return cache[key]

    def _plan(self, job: Job, summary: Summary | None = None) -> _Pending:
        sitepaths.ensure_writable(self.config.root, job.target_path, base=job.collection.path, new=job.reason == "missing")
        path = self.config.root / job.source_path
        source = document.load(path)
        settings = self.options.settings(self.config, job.collection, job.lang)
        if job.reason == "fields":
            translation = document.load(self.config.root / job.target_path)
            update = localize.FieldUpdate(translation, source, job.fields, settings)
            return _Pending(job=job, plan=update, source_hash="", source_date=None, waiting=set())  # type: ignore[arg-type]
        plan = localize.plan(source, settings)
        kept, review = self._merge(job, plan, summary) if job.reason in ("edited", "stale") else (None, 0)
        if job.reason == "edited":
            # Front-matter edits (and, in translations written before segments were recorded, body edits).
            self._harvest(job, source, plan, summary, fields_only=kept is not None)
        pending = _Pending(
            job=job,
            plan=plan,
            source_hash=document.content_hash(source.meta, source.body, job.collection.content_fields),
            source_date=document.normalize_date(source.meta.get("date")),
            waiting={r.key for r in plan.requests},
            review=review,
        )
        if kept:
            pending.done.update(kept)
            pending.waiting -= kept.keys()
            if summary is not None:
                summary.kept_texts += len(kept)
        return pending

    def dry_run(self, jobs: list[Job]) -> Summary:
        """Plan every job and pack its texts into requests, sending nothing."""
        self._dry = True
        summary = Summary()
        queues: dict[str, deque[_Text]] = {}
        for job in jobs:
            try:
                pending = self._plan(job, summary)
                texts = [_Text(0, r.key, _template(r.markdown, r.syntax)) for r in self._recall(pending, summary)]
            except (OSError, TransyncError) as exc:
                summary.failed.append(DocResult(job, "failed", _reason(exc)))
                continue
            if self.offline and texts:
                summary.uncovered.append(_uncovered(pending, texts))
                continue
            chars = sum(t.template.chars for t in texts)
            summary.planned.append(DocResult(job, "planned", characters=chars))
            summary.texts += len(texts)
            summary.characters += chars
            queues.setdefault(job.lang, deque()).extend(texts)
            self.on_event("planned", {"job": job, "texts": len(texts), "characters": chars})
        for queue in queues.values():
            while queue:
                take_batch(queue)
                summary.requests += 1
        self._dry = False
        return summary

    # -- running

    def stop(self, signum: int) -> None:
        """Ask a running :meth:`run` to stop (from a signal handler): nothing more is sent,
        the requests in flight are awaited and their documents written."""
        self._stop_signal = signum

    def run(self, jobs: list[Job]) -> Summary:
        """Translate ``jobs``; always returns the summary of what was done.

        A refusal or failure of the engine, a signal (see :meth:`stop`) or a
        memory that cannot be written stops the run: nothing more is sent,
        replies already on their way are used, every finished document is
        written, and ``summary.stopped`` says why. Only a second interrupt
        (KeyboardInterrupt) abandons the requests in flight.
        """
        assert self.engine is not None or self.offline
        start = time.monotonic()
        self._stop_signal: int | None = None
        # A run killed while writing may have left a temporary file next to a target
        # (only in folders transync may write to: never behind a link out of the site).
        for folder in {
            (self.config.root / j.target_path).parent for j in jobs
            if sitepaths.write_refusal(self.config.root, j.target_path, base=j.collection.path, new=False) is None
        }:
            remove_stale_temp_files(folder)
        self._prefetch(jobs)
        summary = Summary()
        docs: list[_Pending] = []
        queues: dict[str, deque[_Text]] = {}  # target language -> texts waiting for a request
        budget = self.max_chars
        job_iter = iter(jobs)
        exhausted = False
        in_flight: dict[Future, list[_Text]] = {}
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="transync-engine")
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="transync-writer")
        self._lock = threading.Lock()

        def fail(pending: _Pending, reason: str) -> None:
            pending.failed = reason
            summary.failed.append(DocResult(pending.job, "failed", reason))
            self.on_event("failed", {"job": pending.job, "reason": reason})

        def feed() -> None:
            """Plan documents until every language queue can fill a request (or jobs run out)."""
            nonlocal exhausted, budget
            while not exhausted and sum(len(q) for q in queues.values()) < MAX_TEXTS * (self.workers + 1):
                job = next(job_iter, None)
                if job is None:
                    exhausted = True
                    return
                try:
                    pending = self._plan(job, summary)
                    texts = [_Text(len(docs), r.key, _template(r.markdown, r.syntax)) for r in self._recall(pending, summary)]
                except MemoryFileError as exc:
                    # The memory cannot keep what would be bought: stop before buying anything more.
                    summary.not_started.append(job)
                    summary.stopped = exc
                    exhausted = True
                    return
                except (OSError, TransyncError) as exc:
                    summary.failed.append(DocResult(job, "failed", _reason(exc)))
                    self.on_event("failed", {"job": job, "reason": _reason(exc)})
                    continue
                if self.offline and texts:
                    summary.not_started.append(job)  # the memory does not know all its texts yet
                    summary.uncovered.append(_uncovered(pending, texts))
                    continue
                too_big = next((t for t in texts if t.size > MAX_BYTES), None)
                if too_big is not None:
                    # No request can carry it: fail this document alone, before anything is billed.
                    docs.append(pending)
                    fail(pending, f"{_where(pending, too_big.key)} is {too_big.size / 1024:.0f} KiB, over the "
                         f"{MAX_BYTES // 1024} KiB a request may carry: split it into smaller paragraphs")
                    continue
                pending.sent = {t.key for t in texts}
                chars = sum(t.template.chars for t in texts)
                if budget is not None and chars > budget:
                    summary.not_started.append(job)
                    summary.not_started.extend(job_iter)
                    exhausted = True
                    return
                if budget is not None:
                    budget -= chars
                docs.append(pending)
                summary.characters += chars
                summary.texts += len(texts)
                if not pending.waiting:
                    self._finish(pending, summary)
                queues.setdefault(job.lang, deque()).extend(texts)

        def next_batch(partial: bool) -> list[_Text] | None:
            """A full request if one is ready; a partial one when ``partial`` (or no documents remain)."""
            for queue in queues.values():
                if queue and (len(queue) >= MAX_TEXTS or exhausted or partial):
                    return take_batch(queue)
            return None

        def submit(batch: list[_Text]) -> None:
            doc = docs[batch[0].doc]
            future = pool.submit(
                self.engine.translate,
                [t.template.xml for t in batch],
                source_lang=doc.job.collection.source_lang,
                target_lang=doc.job.lang,
            )
            in_flight[future] = batch
            summary.requests += 1

        ready: deque[list[_Text]] = deque()  # requests made by halving one the engine refused as too large

        def too_large(batch: list[_Text]) -> None:
            """The engine refused a request for its size: send it again in halves, down to one text."""
            if len(batch) > 1:
                half = len(batch) // 2
                ready.extend((batch[:half], batch[half:]))
                return
            text = batch[0]
            pending = docs[text.doc]
            if pending.failed is None:
                fail(pending, f"{_where(pending, text.key)}: the service refused it as too large for one request: "
                     "split it into smaller paragraphs")

        abandon = False
        try:
            while True:
                if summary.stopped is None and self._stop_signal is not None:
                    summary.stopped = Interrupted(self._stop_signal)
                if summary.stopped is None:
                    feed()
                    while summary.stopped is None and len(in_flight) < self.workers:
                        if ready:
                            batch = ready.popleft()
                        elif (batch := next_batch(partial=not in_flight)) is None:
                            break
                        submit(batch)
                if not in_flight and not (ready and summary.stopped is None):
                    break  # nothing left to send, or stopped
                # A short wait, so that a stop request is seen while requests are slow.
                finished, _ = wait(list(in_flight), timeout=0.25, return_when=FIRST_COMPLETED)
                for future in finished:
                    batch = in_flight.pop(future)
                    try:
                        results = future.result()
                    except RequestTooLarge:
                        if summary.stopped is None:
                            too_large(batch)
                        continue
                    except TransyncError as exc:
                        summary.stopped = summary.stopped or exc
                        continue
                    self._take(batch, results, docs, queues, summary)
        except KeyboardInterrupt:
            # A second interrupt: do not wait for the requests in flight.
            abandon = True
            summary.stopped = summary.stopped if isinstance(summary.stopped, Interrupted) else Interrupted(self._stop_signal or 2)
        except TransyncError as exc:
            summary.stopped = summary.stopped or exc  # e.g. the memory could not be journalled
        finally:
            pool.shutdown(wait=not abandon, cancel_futures=True)
            self._writer.shutdown(wait=True)  # every finished document reaches the disk
            try:
                summary.memory_deltas = self._save_memories()
            except TransyncError as exc:
                summary.stopped = summary.stopped or exc

        summary.not_started.extend(p.job for p in docs if p.failed is None and not p.written)
        summary.not_started.extend(job_iter)
        summary.seconds = time.monotonic() - start
        return summary

    def _take(self, batch, results, docs, queues, summary: Summary) -> None:
        from transync.document.placeholders import PlaceholderError

        completed = []
        for text, result in zip(batch, results):
            summary.billed_characters += result.billed_characters
            summary.prompt_tokens += result.prompt_tokens
            summary.completion_tokens += result.completion_tokens
            pending = docs[text.doc]
            if pending.failed is not None:
                continue
            try:
                pending.done[text.key] = text.template.render(result.text)
            except PlaceholderError as exc:
                if text.key in pending.retried:
                    pending.failed = f"{text.key}: {exc} (after a retry)"
                    summary.failed.append(DocResult(pending.job, "failed", pending.failed))
                    self.on_event("failed", {"job": pending.job, "reason": pending.failed})
                    continue
                pending.retried.add(text.key)
                queues[pending.job.lang].appendleft(text)
                continue
            pending.waiting.discard(text.key)
            self._remember_reply(pending, text.key)
            if not pending.waiting:
                completed.append(pending)
        self._finish_all(completed, summary)  # syncs the memories: every valid reply, also of documents still waiting

    def _finish(self, pending: _Pending, summary: Summary) -> None:
        self._finish_all([pending], summary)

    def _finish_all(self, completed: list[_Pending], summary: Summary) -> None:
        """Render completed documents here; write them on the writer thread.

        fsync takes milliseconds per file: done here it would hold up planning
        and the requests in flight, so one writer thread does it meanwhile.
        The memories are synced first, once for all of them: a document's
        entries reach the disk before the document.
        """
        ready = []
        for pending in completed:
            try:
                text = pending.plan.render(
                    pending.done, source_hash=pending.source_hash, source_date=pending.source_date, review=pending.review,
                    engine=self._made_by(pending),
                )
            except TransyncError as exc:
                self._record(summary, pending, error=exc)
                continue
            self._remember(pending)
            ready.append((pending, text))
        self._sync_memories()
        for pending, text in ready:
            self._submit(pending, text, summary)

    def _made_by(self, pending: _Pending) -> str:
        """The engine a document's provenance records: a real engine's name whether or not this
        document needed a text sent (a run resumed after a crash finds in the memory what the first
        attempt bought, and must write what an uninterrupted run writes); ``memory`` for a run without
        an engine, and for a pseudo run whose texts all came from the memory (it wrote a real translation)."""
        if self.engine is None:
            return MEMORY
        name = str(getattr(self.engine, "name", None) or type(self.engine).__name__)
        return name if pending.sent or name != PSEUDO else MEMORY

    def _submit(self, pending: _Pending, text: str, summary: Summary) -> None:
        future = self._writer.submit(self._write, pending.job, text)
        future.add_done_callback(lambda f: self._record(summary, pending, error=f.exception()))

    def _write(self, job: Job, text: str) -> None:
        """Write one document (writer thread), checking its path once more right before."""
        sitepaths.ensure_writable(self.config.root, job.target_path, base=job.collection.path, new=job.reason == "missing")
        atomic_write(self.config.root / job.target_path, text)

    def _record(self, summary: Summary, pending: _Pending, error: BaseException | None) -> None:
        with self._lock:
            if error is not None:
                pending.failed = _reason(error)
                summary.failed.append(DocResult(pending.job, "failed", pending.failed))
                self.on_event("failed", {"job": pending.job, "reason": pending.failed})
                return
            chars = sum(_template(r.markdown, r.syntax).chars for r in pending.plan.requests)
            pending.written = True
            summary.written.append(DocResult(pending.job, "written", characters=chars))
            self.on_event("written", {"job": pending.job, "characters": chars})


def _uncovered(pending: _Pending, texts: list[_Text]) -> Uncovered:
    """The texts of a document that the memory does not have, where a translator finds them in the source."""
    source = pending.plan.source
    offset = source.text.count("\n", 0, source.body_start)
    lines = {localize.body_key(s.id): s.line + offset for s in pending.plan.segmented.segments}
    markdown = {r.key: r.markdown for r in pending.plan.requests}
    out = []
    for t in texts:
        request = localize.Request(t.key, markdown[t.key])
        out.append((f"line {lines[t.key]}" if t.key in lines else str(request.field), request.markdown))
    return Uncovered(pending.job, tuple(out))


def _snippet(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _where(pending: _Pending, key: str) -> str:
    """A text of a document, as a translator finds it: ``line 12`` of the source, or the field."""
    segment_id = localize.Request(key, "").segment_id
    if segment_id is not None:
        seg = next((s for s in pending.plan.segmented.segments if s.id == segment_id), None)
        if seg is not None:
            source = pending.plan.source
            line = seg.line + source.text.count("\n", 0, source.body_start)
            return f"the paragraph at line {line} of {pending.job.source_path}"
    return f"the {key} text of {pending.job.source_path}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DocumentError) and exc.line:
        return f"line {exc.line}: {exc.reason}"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
