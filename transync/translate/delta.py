"""Memory deltas: what one run added to a translation memory, as a PO file, and folding deltas into a memory.

A run that shares its memory with other runs on other machines (the shards of
a CI matrix, ``translate --shard K/N --memory-out DIR``) does not rewrite the
memory: it writes a **delta**, a small PO file of only what it changed, and one
job folds every shard's delta into the memory (``transync memory merge``).

**What a delta holds** (:func:`compute`, against the memory's PO file as the
run found it, its *base*):

- the entries the run added or changed, each as the memory records it
  (``#. transync: machine ENGINE HASH`` or ``human``, ``#, fuzzy``);
- the **uses** of every document whose uses changed (its *documents*, one
  ``# document: PATH`` line each in the header comment): the ``#: path:line``
  lines of those documents only, on every entry they use. An entry the run
  did not change but a document of the run uses is there too, marked
  ``#. transync-delta: uses only``: its translation is the base's, not a claim.
- header fields: ``X-Transync-Delta: 1``, ``X-Transync-Shard: K/N`` and
  ``X-Transync-Base``, the SHA-256 of the base PO file (``none`` without one).

A delta is a valid PO file (``msgfmt --check-format`` passes) and its bytes
depend only on the memory's state: the same run gives the same delta.

**Merging** (:func:`merge`) is a function of the memory and the *set* of
deltas, never of their order:

- a document's uses are replaced by the delta that lists the document (as
  ``translate`` replaces a document's uses when it writes it); two deltas that
  list one document with different uses are refused (:class:`DeltaConflict`):
  they are two runs of the same documents, and only one of them can be right;
- for each text that some deltas changed: a human translation wins over a
  machine one (also over a human one already in the memory: it was harvested
  from a document a person edited, as ``translate`` does); a machine
  translation never replaces a human one in the memory
  (:meth:`~transync.translate.memory.Memory.put`); of several different
  translations of one rank, the smallest ``(engine, translation)`` pair (by
  code point) wins, and the others are reported as :class:`Conflict`.

So N shards that each start from the same memory and each translate their own
documents, merged in any order, give the memory one run over all documents
gives (with an engine that answers a text the same way each time).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from transync.errors import TransyncError
from transync.fsutil import atomic_write
from transync.translate import pofile
from transync.translate.memory import Memory, MemoryFileError, Origin, PutResult, Use, origin_mark, origin_of
from transync.translate.pofile import Key, Occurrence

FORMAT = "1"
USES_ONLY = "transync-delta: uses only"
_DOCUMENT = "# document: "
_HEADER_COMMENT = """\
# transync memory delta ({src} -> {tgt}): the entries one run added or changed, and the uses (#:) of the
# documents listed below. Fold it into the memory with `transync memory merge`; it is not a memory itself.
"""


class DeltaError(TransyncError):
    """A delta cannot be read or does not fit the memory; one line naming the file."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"{os.fspath(path)}: {reason}")
        self.path = os.fspath(path)
        self.reason = reason


class DeltaConflict(TransyncError):
    """Two deltas record different uses of one document: they come from two runs of the same documents."""


@dataclass(frozen=True)
class DeltaEntry:
    source: str
    translation: str
    origin: Origin
    engine: str | None
    context: str | None
    fuzzy: bool = False
    uses_only: bool = False  # here for its uses: the translation is the base's, not the run's
    occurrences: tuple[Occurrence, ...] = ()  # of the delta's documents only

    @property
    def key(self) -> Key:
        return self.context, self.source


@dataclass(frozen=True)
class Delta:
    source_lang: str
    target_lang: str
    shard: str | None
    base: str  # "sha256:<hex>" of the base PO file, or "none"
    documents: tuple[str, ...]  # every document whose uses the delta records
    entries: tuple[DeltaEntry, ...]
    path: Path | None = None  # where it was read from

    @property
    def changed(self) -> int:
        """Entries the run added or changed (not those here only for their uses)."""
        return sum(1 for e in self.entries if not e.uses_only)


# --------------------------------------------------------------------------- computing and writing


def base_digest(path: str | os.PathLike[str]) -> str:
    """``sha256:<hex>`` of a memory's PO file, ``none`` when there is none: what a delta is measured against."""
    try:
        return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return "none"


class _State:
    """A memory's entries and each document's uses, as plain values to compare."""

    def __init__(self) -> None:
        self.entries: dict[Key, tuple[str, Origin, str | None, bool]] = {}  # translation, origin, engine, fuzzy
        self.uses: dict[str, set[tuple[Key, int | None]]] = {}

    def add(self, key: Key, translation: str, origin: Origin, engine: str | None, fuzzy: bool, occurrences: Iterable[Occurrence]) -> None:
        self.entries[key] = (translation, origin, engine, fuzzy)
        for path, line in occurrences:
            self.uses.setdefault(path, set()).add((key, line))


def _state_of_memory(memory: Memory) -> _State:
    state = _State()
    for e in memory:
        state.add((e.context, e.source), e.translation, e.origin, e.engine, e.fuzzy, e.occurrences)
    return state


def _state_of_file(path: Path, data: bytes) -> _State:
    """The state of a memory's PO file alone (no journal), read as the memory reads it."""
    try:
        _, records = pofile.read_po(data, path)
    except pofile.POFileError as exc:
        raise MemoryFileError(exc.path, exc.reason, exc.line) from None
    state = _State()
    for (context, source), (translation, head) in records.items():
        _, comments, occurrences, flags = pofile.comment_lines(head)
        origin, engine, _ = origin_of(context, source, translation, comments)
        state.add((context, source), translation, origin, engine, "fuzzy" in flags, pofile.parse_occurrences(occurrences))
    return state


def compute(memory: Memory, *, shard: str | None = None) -> Delta:
    """What ``memory`` (loaded with its journal, changed by a run) adds to its PO file on disk.

    Call it after :meth:`Memory.sync`; the PO file is only read.
    """
    try:
        data = memory.path.read_bytes()
    except FileNotFoundError:
        data = b""
    except OSError as exc:
        raise MemoryFileError(memory.path, f"cannot read the translation memory: {exc.strerror or exc}") from None
    base = _state_of_file(memory.path, data) if data else _State()
    now = _state_of_memory(memory)
    changed = {k for k, v in now.entries.items() if base.entries.get(k) != v}
    documents = sorted(p for p in now.uses.keys() | base.uses.keys() if now.uses.get(p, set()) != base.uses.get(p, set()))
    occurrences: dict[Key, list[Occurrence]] = {k: [] for k in changed}
    for path in documents:
        for key, line in now.uses.get(path, ()):
            occurrences.setdefault(key, []).append((path, line))
    entries = []
    for key in sorted(occurrences, key=_order):
        translation, origin, engine, fuzzy = now.entries[key]
        entries.append(DeltaEntry(
            key[1], translation, origin, engine, key[0], fuzzy, uses_only=key not in changed,
            occurrences=pofile.sorted_occurrences(occurrences[key]),
        ))
    digest = "sha256:" + hashlib.sha256(data).hexdigest() if data else "none"
    return Delta(memory.source_lang, memory.target_lang, shard, digest, tuple(documents), tuple(entries))


def to_po(delta: Delta) -> str:
    """The delta as PO text, entries sorted as the memory sorts them."""
    comment = _HEADER_COMMENT.format(src=delta.source_lang, tgt=delta.target_lang)
    comment += "".join(f"{_DOCUMENT}{p}\n" for p in delta.documents)
    extra = [("X-Transync-Delta", FORMAT), *([("X-Transync-Shard", delta.shard)] if delta.shard else []), ("X-Transync-Base", delta.base)]
    out = [pofile.write_header(delta.source_lang, delta.target_lang, extra, comment=comment)]
    for e in delta.entries:
        mark = origin_mark(e.origin, e.engine, e.context, e.source, e.translation)
        out.append(pofile.write_entry(
            e.context, e.source, e.translation,
            comments=(USES_ONLY, mark) if e.uses_only else (mark,),
            occurrences=e.occurrences,
            flags=("fuzzy",) if e.fuzzy else (),
        ))
    return "\n".join(out)


@dataclass(frozen=True)
class Written:
    """A delta a run wrote (for the run's summary)."""

    path: Path
    source_lang: str
    target_lang: str
    entries: int  # added or changed
    documents: int


def delta_path(folder: str | os.PathLike[str], source_lang: str, target_lang: str) -> Path:
    """``<folder>/<src>-<tgt>.po``: where ``translate --memory-out`` writes a language pair's delta."""
    return Path(folder) / f"{source_lang}-{target_lang}.po"


def write(memory: Memory, folder: str | os.PathLike[str], *, shard: str | None = None) -> Written:
    """Sync ``memory`` to its journal, compute its delta and write it (atomically) into ``folder``."""
    memory.sync()  # the journal keeps the run's work: a run again in this checkout sends nothing twice
    delta = compute(memory, shard=shard)
    target = delta_path(folder, memory.source_lang, memory.target_lang)
    try:
        atomic_write(target, to_po(delta))
    except OSError as exc:
        raise DeltaError(target, f"cannot write the memory delta: {exc.strerror or exc}") from None
    return Written(target.absolute(), delta.source_lang, delta.target_lang, delta.changed, len(delta.documents))


# --------------------------------------------------------------------------- reading


def _header_comment(data: bytes) -> list[str]:
    lines = []
    for raw in data.split(b"\n"):
        if not raw.startswith(b"#"):
            break
        lines.append(raw.decode("utf-8", "replace"))
    return lines


def read(path: str | os.PathLike[str]) -> Delta:
    """A delta file; DeltaError (one line, naming the file) when it is not one or contradicts itself."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeltaError(path, f"cannot read the memory delta: {exc.strerror or exc}") from None
    try:
        header, records = pofile.read_po(data, path)
    except pofile.POFileError as exc:
        raise DeltaError(path, exc.reason if exc.line is None else f"line {exc.line}: {exc.reason}") from None
    fields = {k.lower(): v for k, v in header}
    if fields.get("x-transync-delta") != FORMAT:
        raise DeltaError(path, "not a transync memory delta (no 'X-Transync-Delta: 1' header): give the files `translate --memory-out` wrote")
    source_lang, target_lang = fields.get("x-source-language", ""), fields.get("language", "")
    if not source_lang or not target_lang:
        raise DeltaError(path, "the delta names no language pair (Language and X-Source-Language headers)")
    documents = tuple(line[len(_DOCUMENT) :] for line in _header_comment(data) if line.startswith(_DOCUMENT))
    listed = set(documents)
    entries = []
    for (context, source), (translation, head) in records.items():
        _, comments, occurrence_lines, flags = pofile.comment_lines(head)
        origin, engine, others = origin_of(context, source, translation, comments)
        occurrences = tuple(pofile.parse_occurrences(occurrence_lines))
        stray = next((p for p, _ in occurrences if p not in listed), None)
        if stray is not None:
            raise DeltaError(path, f"{pofile.snippet(source)} is used by {stray}, which the delta does not list as one of its documents")
        entries.append(DeltaEntry(source, translation, origin, engine, context, "fuzzy" in flags, USES_ONLY in others, occurrences))
    entries.sort(key=lambda e: _order(e.key))
    return Delta(source_lang, target_lang, fields.get("x-transync-shard") or None, fields.get("x-transync-base", "none"), documents, tuple(entries), path)


def delta_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files given, and the ``*.po`` files below each folder given (CI artifacts arrive one folder each)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*.po") if q.is_file()))
        elif p.exists():
            found.append(p)
        else:
            raise DeltaError(p, "no such file or folder")
    return found


# --------------------------------------------------------------------------- merging


@dataclass(frozen=True)
class Conflict:
    """Different translations of one text, of the same rank, in several deltas: ``chosen`` won by the rule."""

    source: str
    context: str | None
    chosen: tuple[Origin, str | None, str]  # origin, engine, translation
    others: tuple[tuple[Origin, str | None, str], ...]


@dataclass
class MergeResult:
    memory: Path
    source_lang: str
    target_lang: str
    deltas: list[Path] = field(default_factory=list)
    results: dict[str, int] = field(default_factory=lambda: {"added": 0, "replaced": 0, "unchanged": 0, "kept": 0})
    documents: int = 0  # documents whose uses were replaced
    conflicts: list[Conflict] = field(default_factory=list)
    other_base: list[Path] = field(default_factory=list)  # deltas measured against another version of the memory file
    saved: bool = False


def _rank(candidate: tuple[Origin, str | None, str]) -> tuple[int, str, str]:
    origin, engine, translation = candidate
    return (0 if origin == "human" else 1), engine or "", translation


def merge(memory: Memory, deltas: Sequence[Delta]) -> MergeResult:
    """Fold ``deltas`` into ``memory`` (in this object; :meth:`Memory.save` writes it); the order of ``deltas`` does not matter.

    Raises DeltaError for a delta of another language pair, DeltaConflict for
    two deltas that record different uses of one document (nothing is changed then).
    """
    result = MergeResult(memory.path, memory.source_lang, memory.target_lang)
    uses: dict[str, frozenset[tuple[str | None, str, int | None]]] = {}
    owner: dict[str, Delta] = {}
    candidates: dict[Key, set[tuple[Origin, str | None, str]]] = {}
    for delta in sorted(deltas, key=lambda d: str(d.path)):
        of: dict[str, set[tuple[str | None, str, int | None]]] = {p: set() for p in delta.documents}
        for e in delta.entries:
            for path, line in e.occurrences:
                of[path].add((e.context, e.source, line))
            if not e.uses_only:
                candidates.setdefault(e.key, set()).add((e.origin, e.engine, e.translation))
        for path, found in of.items():
            frozen = frozenset(found)
            if path in uses and uses[path] != frozen:
                raise DeltaConflict(
                    f"{path}: its uses differ in {owner[path].path} and {delta.path}: two runs of the same documents "
                    "(a shard run twice?); merge the deltas of one run only"
                )
            uses[path], owner[path] = frozen, delta
        if delta.path is not None:
            result.deltas.append(delta.path)
    for key in sorted(candidates, key=_order):
        ranked = sorted(candidates[key], key=_rank)
        chosen = ranked[0]
        rivals = tuple(c for c in ranked[1:] if c[0] == chosen[0])
        if rivals:
            result.conflicts.append(Conflict(key[1], key[0], chosen, rivals))
        origin, engine, translation = chosen
        put: PutResult = memory.put(key[1], translation, origin=origin, engine=engine, context=key[0])
        result.results[put] += 1
    for path in sorted(uses):
        memory.replace_occurrences(path, [Use(source, line, context) for context, source, line in sorted(uses[path], key=_use_order)])
    result.documents = len(uses)
    return result


def merge_files(config, paths: Iterable[str | os.PathLike[str]]) -> list[MergeResult]:
    """Read the deltas in ``paths`` (files, or folders of them), fold them into the site's memories and save each.

    Every delta is read and checked before any memory is written. Raises
    DeltaError or DeltaConflict (nothing is written then), MemoryFileError.
    """
    paths = list(paths)
    files = delta_files(paths)
    if not files:
        raise DeltaError(", ".join(map(str, paths)) or ".", "no memory delta (*.po) there")
    by_pair: dict[tuple[str, str], list[Delta]] = {}
    for file in files:
        delta = read(file)
        by_pair.setdefault(_site_pair(config, delta), []).append(delta)
    results = []
    memories = []
    for (src, tgt), deltas in sorted(by_pair.items()):
        memory = Memory.of_site(config, src, tgt)
        memory.ensure_writable()
        digest = base_digest(memory.path)
        result = merge(memory, deltas)  # may raise DeltaConflict: nothing saved yet
        result.other_base = sorted(d.path for d in deltas if d.base != digest and d.path is not None)
        results.append(result)
        memories.append(memory)
    for memory, result in zip(memories, results):
        result.saved = memory.save()
    return results


def _site_pair(config, delta: Delta) -> tuple[str, str]:
    """The site's language pair a delta's headers name (PO headers write ``pt_BR`` for ``pt-BR``)."""
    def norm(code: str) -> str:
        return code.strip().lower().replace("-", "_")

    pairs = [(c.source_lang, lang) for c in config.collections for lang in c.targets]
    pairs += [(config.source_lang, lang) for lang in config.languages if lang != config.source_lang]
    for src, tgt in pairs:
        if norm(src) == norm(delta.source_lang) and norm(tgt) == norm(delta.target_lang):
            return src, tgt
    raise DeltaError(delta.path or Path("."), f"a delta for {delta.source_lang} -> {delta.target_lang}, not a language pair of this site")


def _order(key: Key) -> tuple[str, bool, str]:
    return key[1], key[0] is not None, key[0] or ""


def _use_order(use: tuple[str | None, str, int | None]) -> tuple[str, str, int]:
    context, source, line = use
    return source, context or "", -1 if line is None else line
