"""The translation memory: one gettext PO file per language pair.

A memory maps source segments to their translations, so that a segment
translated once is never sent (or billed) again. It lives in the site, at
``.transync/memory/<src>-<tgt>.po`` (:func:`memory_path`), is committed with
it, and opens in Poedit and Weblate.

**Entries.** ``msgid`` is a source segment's Markdown exactly as
:attr:`transync.document.segments.Segment.text` gives it (protected spans written out,
e.g. ``The **A-1** costs `279 USD` [1].``) and ``msgstr`` its translated
Markdown. Body segments have no ``msgctxt``. A front-matter value has the
context ``fm:<field>`` (``fm:summary``, ``fm:title``, ``fm:tags``;
:func:`context_of` maps a translation request key to it): tags are the
site's taxonomy and a title follows the site's title style, so a phrase in a
field must be free to translate differently from the same phrase in a
paragraph, and the translator sees in Poedit which field the text is.

**Origin.** Every entry is a machine translation or a human one, and a machine
translation never replaces a human one (:meth:`Memory.put`). The origin is an
extracted comment that transync owns::

    #. transync: machine deepl 3f2a9c0d1e4b5a67
    #. transync: human

The hash is of the entry's context, msgid and msgstr as transync wrote them.
When a translator changes the msgstr (in Poedit, Weblate or an editor) the
hash no longer matches and the entry is a human translation from then on,
as ``output_hash`` does for documents; an entry with no mark, or a mark transync
cannot read, is human too, the safe side. Why not something else:

- ``#, fuzzy`` means "not a translation": msgfmt leaves fuzzy entries out of
  the compiled catalog and editors show them as unfinished.
- A custom flag (``#, transync-machine``) passes ``msgfmt --check-format``,
  but the gettext tools that Poedit saves through drop flags they do not
  know (vslavik/poedit#708; lingui moved its ``explicit-id`` flag into a
  comment for this reason, lingui/js-lingui#1573), and Weblate reads
  ``#,`` flags as its own check flags.
- Extracted comments are the place for what the extracting program says
  about an entry: msgfmt ignores them, polib, Poedit ("notes for
  translators", read-only) and Weblate (the string's explanation) keep them.

A translator's ``fuzzy`` ("needs work") is kept: :meth:`Memory.get` does not
return such an entry, as msgfmt would not use it. Format flags
(``c-format``...) are dropped, because msgfmt would then read every ``%`` of
the Markdown as a printf directive; transync never writes any. Translator
comments (``# ...``) and other flags and extracted comments are kept; what
transync cannot use (plural forms, obsolete ``#~`` entries, entries with an
empty msgstr) is dropped at the next save.

**Occurrences.** ``#: path:line`` lines say where a segment is used: the
source document's path relative to the site root and its line in the file,
one per line, sorted and without duplicates. ``path:line`` rather than a
segment id, because Poedit and Weblate link it to the source file. A path
that a ``#:`` line cannot hold (a line break, a NUL, or a file name that is
not UTF-8) is left out; its entry is kept.
:meth:`Memory.replace_occurrences` replaces a document's occurrences when it
is translated again.

**Stable files.** A save writes the header, then the entries sorted by msgid
(then context), never wrapped (a long paragraph stays on one line, so an
edit is a one-line diff; set Poedit's "wrap at" off and Weblate's PO line
wrapping to "no wrapping" to keep it that way). Strings are split after each
``\\n`` as ``msgcat`` does. The header has no timestamp, so saving an
unchanged memory gives the same bytes; header fields that other tools add
(``PO-Revision-Date``, ``Last-Translator``...) are kept as they are. Every
file passes ``msgfmt --check-format``; ``msgfmt --check`` adds warnings only
for those three translator fields when no tool has written them.

**Speed.** On the real corpus (3,537 aligned en/ja documents seeded: 45,000
entries, 50 MB; ``bench/bench_memory.py``) polib reads the memory in 3.5 s
and writes it in 1.9 s. So a file whose entries are separated by blank
lines (as transync, Poedit and Weblate write them) is read here, from its
bytes, with bounded searches, and an entry's comment lines are parsed when
the entry is first used: 0.75 s. With ``cache_dir`` a file read before comes
from a cache keyed by its content: 0.26 s (see below for a file a save
wrote). Anything else (obsolete ``#~``
entries, plural forms, entries run together, and every error) is checked
line by line, so that a file cut inside a string is an error where polib
would drop a character, and then read by polib; tests check that both
readers agree. Files are written by transync too (1.2 s), in its layout.
The PO text, read and written, is :mod:`transync.translate.pofile`'s; this module is
the model.

A run costs what it uses and what changed, not the file. When the file is
one a save wrote (this object saved it, or the cache kept its index: where
each entry ends and a 64-bit hash of its key, 16 bytes an entry, keyed by the
file's length and CRC-32), a load reads the bytes and that index and nothing
else; an entry is read from the bytes when it is looked up (and its key
compared), a document's occurrences by looking for its path in the bytes,
and a common text's occurrences stay its ``#:`` lines, of which a run
changes only those of the documents it translates. A save writes the
entries changed since anew and copies the others as bytes (the result is
byte for byte what writing every entry gives), and keeps the new file's
index in the cache. After a one-paragraph edit on the real corpus a run
spends about 0.15 s on its memory (0.9 s when the cache held every entry's
strings). A run over many documents reads and indexes every entry once.
Anything else (no cache, a file a translator saved, an index of other
bytes) is read whole as above, and the next save writes every entry.

**Durable and shared.** Changes are made in this object and put on disk
by :meth:`Memory.sync`: appended to a journal beside the PO file
(``.<src>-<tgt>.po.journal``), fsynced, under an ``fcntl`` lock
(``.<src>-<tgt>.po.lock``); see :mod:`transync.translate.journal` for the format.
``translate`` syncs before it writes a document, so a document's entries are
on disk no later than the document. :meth:`Memory.load` replays the journal
after the PO file; :meth:`Memory.save`, holding the lock, merges what is on
disk and not here yet (other processes' journal records; a PO file a
translator replaced, read again), writes the PO file, checks right before the
rename that the file it replaces is the one it read (else it merges again),
keeps the journal as the last folded one and removes the lock file. A load
gives back the entries of the last folded journal that the file lost (an
editor holding an older copy wrote over the save). A human entry on disk wins over a
machine one from a run, as in :meth:`Memory.put`.

**Use** (``translate``)::

    memory = Memory.of_site(config, "en", "ja")
    hit = memory.get(segment.text)                           # a body segment
    hit = memory.get(request.markdown, context=context_of(request.key))
    memory.put(text, translation, origin="machine", engine="deepl")
    memory.replace_occurrences(source_path, [Use(text, line, context), ...])
    memory.sync()                                            # on disk (the journal) before the document
    memory.save()

:func:`transync.translate.seed.seed` fills a memory from the translations a site
already has, with :func:`transync.translate.align.align` pairing a source's segments
with its translation's.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import os
import re
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal, NamedTuple

from transync.translate import journal, pofile
from transync.fsutil import atomic_write, remove_stale_temp_files
from transync.translate.pofile import Occurrence

Origin = Literal["machine", "human"]
PutResult = Literal["added", "replaced", "unchanged", "kept"]

MEMORY_DIR = ".transync/memory"
FRONT_MATTER_CONTEXT = "fm:"

_MARK = "transync:"
_HUMAN_LINE = f"#. {_MARK} human\n".encode()
_MACHINE_LINE = f"#. {_MARK} machine ".encode()
_ENGINE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class MemoryFileError(pofile.POFileError):
    """A memory file (or its journal or lock) cannot be read or written; the message is one line naming the file (and line)."""


@dataclass(frozen=True, slots=True)
class MemoryEntry:
    """One translation in a memory."""

    source: str  # the msgid: source Markdown
    translation: str  # the msgstr: translated Markdown
    origin: Origin
    engine: str | None = None  # the engine of a machine translation
    context: str | None = None  # None for body segments, "fm:<field>" for front-matter values
    occurrences: tuple[Occurrence, ...] = ()
    fuzzy: bool = False  # a translator marked it "needs work": get() does not return it


class Use(NamedTuple):
    """A segment used in a document, for :meth:`Memory.replace_occurrences`."""

    source: str
    line: int | None = None
    context: str | None = None


@dataclass(frozen=True, slots=True)
class MemoryStats:
    """Counts of a memory (:meth:`Memory.stats`)."""

    entries: int
    human: int
    machine: int
    fuzzy: int
    source_characters: int  # characters of the msgids: what the memory saves from being sent again
    translation_characters: int
    occurrences: int


def memory_path(root: str | os.PathLike[str], source_lang: str, target_lang: str) -> Path:
    """``<root>/.transync/memory/<src>-<tgt>.po``: where a site keeps the memory of a language pair."""
    from transync.site.config import LANG_RE

    for lang in (source_lang, target_lang):
        if not LANG_RE.fullmatch(lang):
            raise ValueError(f"not a language code: {lang!r}")
    return Path(root) / MEMORY_DIR / f"{source_lang}-{target_lang}.po"


def context_of(request_key: str) -> str | None:
    """The msgctxt of a translation request key: ``body:s3`` -> None, ``fm:tags:2`` -> ``fm:tags``."""
    from transync.translate.localize import Request

    name = Request(request_key, "").field
    return None if name is None else FRONT_MATTER_CONTEXT + name


# --------------------------------------------------------------------------- the memory


_Key = pofile.Key  # (context, source)


class _Record:
    """One entry in the memory.

    Occurrences read from a file a save wrote stay its ``#:`` lines (sorted,
    one plain occurrence each) until the set is needed: a common text is used
    thousands of times, and a run that translates one document changes only
    that document's lines of it (:meth:`discard`, :meth:`add`, :meth:`lines`).
    Then ``_occ`` holds the occurrences added to those lines and ``_dropped``
    those removed from them.
    """

    __slots__ = ("translation", "origin", "engine", "_occ", "_raw", "_split", "_dropped", "sorted", "fuzzy", "flags", "notes", "comments")

    def __init__(self, translation: str, origin: Origin = "human", engine: str | None = None) -> None:
        self.translation = translation
        self.origin: Origin = origin
        self.engine = engine
        self._occ: set[Occurrence] = set()
        self._raw: str | None = None  # "#:" lines as a save wrote them, each ending with a newline
        self._split: list[str] | None = None  # _raw's lines, once split
        self._dropped: set[Occurrence] = set()
        self.sorted: tuple[Occurrence, ...] | None = None  # occurrences sorted, until they change: a common text has thousands
        self.fuzzy = False
        self.flags: tuple[str, ...] = ()  # flags other than fuzzy, kept as they were
        self.notes: tuple[str, ...] = ()  # translator comments ("# ..."), kept as they were
        self.comments: tuple[str, ...] = ()  # extracted comments ("#. ...") other than transync's mark

    @property
    def occurrences(self) -> set[Occurrence]:
        if self._raw is not None:
            parsed = self.sorted if self.sorted is not None and not self._dropped and not self._occ else pofile.plain_occurrences(self._raw)
            occ = {o for o in parsed or () if o not in self._dropped}
            occ.update(self._occ)
            self.occurrences = occ
        return self._occ

    @occurrences.setter
    def occurrences(self, value: set[Occurrence]) -> None:
        self._occ, self._raw, self._split, self._dropped = value, None, None, set()

    def keep_lines(self, raw: str) -> None:
        """Take occurrences as ``#:`` lines a save wrote (sorted, each plain: :func:`pofile.plain`), read when needed."""
        self.occurrences = set()
        self._raw = raw

    def _lines(self) -> list[str]:
        if self._split is None:
            self._split = self._raw[:-1].split("\n")  # type: ignore[index]
        return self._split

    def _written(self, occ: Occurrence) -> bool:
        """Whether one of the lines read holds ``occ``."""
        lines = self._lines()
        want = pofile.occurrence_order(occ)
        n = bisect.bisect_left(lines, want, key=pofile.line_order)
        return n < len(lines) and pofile.line_order(lines[n]) == want

    def of_path(self, path: str) -> list[int | None]:
        """The lines of a document's occurrences."""
        if self._raw is None or path not in self._raw:
            return [line for p, line in self._occ if p == path]
        lines = self._lines()
        found = []
        for n in range(bisect.bisect_left(lines, (path, -1), key=pofile.line_order), len(lines)):
            p, line = pofile.line_order(lines[n])
            if p != path:
                break
            if (p, None if line < 0 else line) not in self._dropped:
                found.append(None if line < 0 else line)
        found.extend(line for p, line in self._occ if p == path)
        return found

    def discard(self, occ: Occurrence) -> None:
        if self._raw is None or occ in self._occ:
            self._occ.discard(occ)
        elif self._written(occ):
            self._dropped.add(occ)
        self.sorted = None

    def add(self, occ: Occurrence) -> None:
        if self._raw is None:
            self._occ.add(occ)
        elif occ in self._dropped:
            self._dropped.discard(occ)
        elif not self._written(occ):
            self._occ.add(occ)
        self.sorted = None

    def ordered(self) -> tuple[Occurrence, ...]:
        """The occurrences in the order ``#:`` lines list them."""
        if self.sorted is None:
            if self._raw is not None and not self._occ and not self._dropped:
                self.sorted = tuple(pofile.plain_occurrences(self._raw) or ())
            else:
                self.sorted = pofile.sorted_occurrences(self.occurrences)
        return self.sorted

    def lines(self) -> list[str]:
        """The ``#:`` lines to write: those read, with the occurrences removed and added since."""
        if self._raw is None:
            return pofile.format_occurrences(self.ordered())
        lines = self._lines()
        if not self._occ and not self._dropped:
            return lines
        order = pofile.line_order
        events: list[tuple[int, int, tuple[str, int], str]] = []  # (place among the lines read, 0: insert / 1: drop, order, line)
        for occ in self._dropped:
            want = pofile.occurrence_order(occ)
            events.append((bisect.bisect_left(lines, want, key=order), 1, want, ""))
        for occ in self._occ:
            want = pofile.occurrence_order(occ)
            events.append((bisect.bisect_left(lines, want, key=order), 0, want, pofile.occurrence_line(occ)))
        events.sort()
        out: list[str] = []
        at = 0
        for place, drop, _, line in events:
            out.extend(lines[at:place])
            at = place
            if drop:
                at = place + 1
            else:
                out.append(line)
        out.extend(lines[at:])
        return out


class Memory:
    """The translation memory of one language pair, in one PO file.

    Not thread-safe: call it from one thread. ``put`` and
    ``replace_occurrences`` change the memory in memory; ``sync`` journals
    the changes, ``save`` writes the PO file. Other processes may share the
    file meanwhile (see "Durable and shared" above).
    """

    def __init__(self, path: str | os.PathLike[str], source_lang: str, target_lang: str) -> None:
        self.path = Path(path)
        self.source_lang = source_lang
        self.target_lang = target_lang
        # A record read but not needed yet is (msgstr, its comment lines) as pofile.read_po gives it: see _get.
        self._records: dict[_Key, _Record | tuple[str, bytes | pofile.Comments]] = {}
        self._extra_header: list[tuple[str, str]] = []  # header fields other tools wrote
        self._identity: tuple[int, int, int, int] | None = None  # of the file as loaded or last saved
        self._journal = journal.Journal(self.path)
        # The journal's generation and the offset up to which its records are in _records (None: no journal read).
        self._journal_at: tuple[str, int] | None = None
        self._ops: list[tuple] = []  # changes not yet in the journal (see sync)
        # path -> entry -> lines: a document's occurrences without going through a common text's thousands.
        # Paths are indexed as they are asked for (see _held), every path once a run asks for many.
        self._by_path: dict[str, dict[_Key, set[int | None]]] = {}
        self._indexed_all = False
        self._cache: Path | None = None  # the cache file of what the PO file reads as (see load)
        self._canon: _Canon | None = None  # the PO file as a save wrote it, entry by entry (see _render)
        self._lazy = False  # entries of _canon not in _records yet are read from its bytes when used (see _get)
        self._added = 0  # entries added since _canon was written (while _lazy)
        self._dirty: set[_Key] = set()  # entries changed since the file _canon describes

    # -- reading

    @classmethod
    def load(cls, path: str | os.PathLike[str], source_lang: str, target_lang: str, *, cache_dir: str | os.PathLike[str] | None = None) -> Memory:
        """The memory in ``path``; empty when the file does not exist.

        Raises MemoryFileError (one line, with the file and line) when the
        file cannot be read or is not a usable PO file; nothing is written then.

        With ``cache_dir`` (for a site: ``SiteConfig.cache_dir``, unless the
        user said ``--no-cache``), what was read is also kept there, keyed by
        the file's content, and a file read before is taken from there, about
        three times faster. Without it nothing is written anywhere.
        """
        memory = cls(path, source_lang, target_lang)
        cache = memory._cache = None if cache_dir is None else pofile.cache_file(cache_dir, memory.path)
        if not os.path.lexists(memory._journal.path):
            memory._read_file(cache)  # no lock needed: the file is only ever replaced whole
            memory._restore_folded()
            return memory
        # With a journal, the file and the journal are read together, so that a save in
        # between (which folds the journal into the file, then removes it) is not seen half.
        try:
            with journal.locked(journal.lock_path(memory.path), create=False):
                memory._read_file(cache)
                memory._restore_folded()
                memory._replay()
        except OSError as exc:  # the lock itself (a file system without locks)
            raise MemoryFileError(journal.lock_path(memory.path), f"cannot lock the translation memory: {exc.strerror or exc}") from None
        return memory

    def _read_file(self, cache: Path | None) -> None:
        try:
            identity = _identity(self.path)  # before reading: a change after it is seen at save
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise MemoryFileError(self.path, f"cannot read the translation memory: {exc.strerror or exc}") from None
        self._parse(data, cache)
        self._identity = identity

    def _read_journal(self) -> tuple[str | None, int, list[tuple[int, int, object]]]:
        try:
            return self._journal.read()
        except journal.JournalError as exc:
            raise MemoryFileError(exc.path, exc.reason) from None

    def _restore_folded(self) -> None:
        """Give back the entries of the last folded journal that the file lost (an editor wrote over a save)."""
        for offset, _, payload in self._journal.read_folded():
            try:
                op = _op_of(payload)
            except (ValueError, TypeError):
                continue  # not a change this version knows: it only restores
            if op[0] == "put" and not self._has((op[5], op[1])):
                self._apply(op)

    def _replay(self, since: int = 0, read: tuple[str | None, int, list[tuple[int, int, object]]] | None = None) -> None:
        """Apply the journal's records from offset ``since`` (all by default); call it holding the lock."""
        generation, header_end, records = read or self._read_journal()
        end = header_end
        for offset, end, payload in records:
            if offset < since:
                continue
            try:
                op = _op_of(payload)
            except (ValueError, TypeError) as exc:
                raise MemoryFileError(self._journal.path, f"the record at byte {offset} is not a change this version of transync can apply: {exc}") from None
            self._apply(op)
        self._journal_at = None if generation is None else (generation, end)

    @classmethod
    def open(cls, root: str | os.PathLike[str], source_lang: str, target_lang: str, *, cache_dir: str | os.PathLike[str] | None = None) -> Memory:
        """The memory of a language pair at its default place in a site (see :func:`memory_path`)."""
        return cls.load(memory_path(root, source_lang, target_lang), source_lang, target_lang, cache_dir=cache_dir)

    @classmethod
    def of_site(cls, config, source_lang: str, target_lang: str) -> Memory:
        """A site's memory for one language pair, with the site's cache unless caching is off."""
        return cls.open(config.root, source_lang, target_lang, cache_dir=config.cache_dir if config.cache else None)

    def _parse(self, data: bytes, cache: Path | None) -> None:
        if cache is not None:
            index = pofile.read_index(pofile.index_file(cache), data)
            canon = None if index is None else _Canon.of_layout(data, index[1], self.path)
            if canon is not None:  # bytes a save wrote: nothing is read until an entry is used
                self._take_header(index[0])  # type: ignore[index]
                self._canon, self._lazy = canon, True
                return
        try:
            header, self._records = pofile.read_po(data, self.path, cache=cache)  # type: ignore[assignment]
        except pofile.POFileError as exc:
            raise MemoryFileError(exc.path, exc.reason, exc.line) from None
        self._take_header(header)

    def _take_header(self, fields: list[tuple[str, str]]) -> None:
        own = {k.lower() for k in pofile.OWN_HEADER}
        for key, value in fields:
            low = key.lower()
            if low == "language" and value and _norm_lang(value) != _norm_lang(self.target_lang):
                raise MemoryFileError(self.path, f"this memory is for language {value!r}, not {self.target_lang!r}")
            if low == "x-source-language" and value and _norm_lang(value) != _norm_lang(self.source_lang):
                raise MemoryFileError(self.path, f"this memory translates from {value!r}, not {self.source_lang!r}")
            if low == "content-type":
                m = re.search(r"charset=([^\s;]+)", value, re.I)
                if m and m.group(1).lower().replace("-", "") != "utf8":
                    raise MemoryFileError(self.path, f"charset {m.group(1)}: transync memories are UTF-8")
            if low not in own:
                self._extra_header.append((key, value))

    def _get(self, key: _Key) -> _Record | None:
        rec = self._records.get(key)
        if rec is None:
            found = self._canon.find(key) if self._lazy else None  # type: ignore[union-attr]
            if found is None:
                return None
            self._canon.taken.add(found[0])  # type: ignore[union-attr]
            rec = found[1]
        if type(rec) is tuple:
            rec = self._records[key] = _resolve(key, *rec)
        return rec  # type: ignore[return-value]

    def _has(self, key: _Key) -> bool:
        return key in self._records or (self._lazy and self._canon.find(key) is not None)  # type: ignore[union-attr]

    def _all(self) -> dict[_Key, _Record]:
        records = self._records
        if self._lazy:  # every entry of the file read now
            canon = self._canon
            taken = canon.taken  # type: ignore[union-attr]
            for n in range(len(canon)):  # type: ignore[arg-type]
                if n not in taken:
                    key, value = canon.entry(n)  # type: ignore[union-attr]
                    if key not in records:
                        records[key] = value
            self._lazy = False
        for key, rec in records.items():
            if type(rec) is tuple:
                records[key] = _resolve(key, *rec)
        return records  # type: ignore[return-value]

    # -- looking up

    def get(self, source: str, *, context: str | None = None) -> MemoryEntry | None:
        """The translation of a source text, or None (also when a translator marked it fuzzy)."""
        rec = self._get((context, source))
        if rec is None or rec.fuzzy:
            return None
        return self._entry((context, source), rec)

    def entry(self, source: str, *, context: str | None = None) -> MemoryEntry | None:
        """Like :meth:`get`, but fuzzy entries too."""
        rec = self._get((context, source))
        return None if rec is None else self._entry((context, source), rec)

    def __contains__(self, source: object) -> bool:
        return isinstance(source, str) and self._has((None, source))

    def __len__(self) -> int:
        if not self._lazy:
            return len(self._records)
        return len(self._canon) + self._added  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[MemoryEntry]:
        """Every entry, in file order (by msgid, then context)."""
        records = self._all()
        for key in sorted(records, key=_order):
            yield self._entry(key, records[key])

    @staticmethod
    def _entry(key: _Key, rec: _Record) -> MemoryEntry:
        return MemoryEntry(key[1], rec.translation, rec.origin, rec.engine, key[0], rec.ordered(), rec.fuzzy)

    def stats(self) -> MemoryStats:
        human = machine = fuzzy = src = tgt = occ = 0
        for (_, source), rec in self._all().items():
            if rec.origin == "human":
                human += 1
            else:
                machine += 1
            fuzzy += rec.fuzzy
            src += len(source)
            tgt += len(rec.translation)
            occ += len(rec.occurrences)
        return MemoryStats(len(self._records), human, machine, fuzzy, src, tgt, occ)

    # -- changing

    def put(
        self,
        source: str,
        translation: str,
        *,
        origin: Origin,
        engine: str | None = None,
        context: str | None = None,
        occurrences: Iterable[Occurrence] = (),
    ) -> PutResult:
        """Record a translation; a machine translation never replaces a human one.

        - no entry yet: ``added``;
        - a machine put over a human entry: ``kept`` (the human translation stays);
        - a human put, or a machine put over a machine entry: ``replaced``, or
          ``unchanged`` when the entry already says exactly this.

        ``occurrences`` are added in every case, except those whose path a
        PO file cannot hold (see :func:`transync.translate.pofile.writable_path`): the entry is kept
        without them. Raises ValueError for a text that a valid PO file cannot
        hold (empty, a NUL, or a newline at the start or end of one text but
        not of the other, which msgfmt rejects).

        The change is in this object only until :meth:`sync` or :meth:`save`.
        """
        op = _put_op(source, translation, origin, engine, context, occurrences)
        self._ops.append(op)
        return self._put(*op[1:])

    def _apply(self, op: tuple) -> object:
        return self._put(*op[1:]) if op[0] == "put" else self._replace(*op[1:])

    def _put(self, source: str, translation: str, origin: Origin, engine: str | None, context: str | None, occ: list[Occurrence]) -> PutResult:
        key = (context, source)
        rec = self._get(key)
        result: PutResult
        if rec is None:
            rec = self._records[key] = _Record(translation, origin, engine)
            result = "added"
            self._added += 1
        elif origin == "machine" and rec.origin == "human":
            result = "kept"
        elif rec.translation == translation and rec.origin == origin and rec.engine == engine and not rec.fuzzy:
            result = "unchanged"
        else:
            rec.translation, rec.origin, rec.engine, rec.fuzzy = translation, origin, engine, False
            result = "replaced"
        if result in ("added", "replaced") or (occ and not rec.occurrences.issuperset(occ)):
            self._dirty.add(key)
        if occ:
            rec.occurrences.update(occ)
            rec.sorted = None
            index = self._by_path
            for path, line in occ:
                if self._indexed_all or path in index:  # a path not indexed yet is found in the records when asked for
                    index.setdefault(path, {}).setdefault(key, set()).add(line)
        return result

    def replace_occurrences(self, path: str, uses: Iterable[Use | tuple]) -> int:
        """Make ``uses`` the only occurrences of document ``path`` in the memory.

        Every occurrence of ``path`` is removed, then each use (source text,
        line, context) of an entry the memory has is recorded; uses of texts
        the memory does not have are ignored. Returns the uses recorded.
        Entries left without occurrences are kept: a translation stays useful.
        A path that a PO file cannot hold (:func:`transync.translate.pofile.writable_path`) records
        nothing. Nothing changes (and nothing is journaled) when the document's
        occurrences are already exactly these.
        """
        op = _uses_op(path, uses)
        if op is None:
            return 0
        _, path, uses = op
        wanted = {(u.context, u.source, u.line) for u in uses if self._has((u.context, u.source))}
        held = {(*key, line) for key, lines in self._held(path).items() for line in lines}
        if wanted == held:
            return sum(1 for u in uses if self._has((u.context, u.source)))
        self._ops.append(op)
        return self._replace(path, uses)

    def _replace(self, path: str, uses: list[Use]) -> int:
        self._held(path)
        index = self._by_path
        for key, lines in index.pop(path, {}).items():
            rec = self._get(key)
            if rec is not None:
                for line in lines:
                    rec.discard((path, line))
                self._dirty.add(key)
        held: dict[_Key, set[int | None]] = {}
        recorded = 0
        for u in uses:
            key = (u.context, u.source)
            rec = self._get(key)
            if rec is not None:
                rec.add((path, u.line))
                self._dirty.add(key)
                held.setdefault(key, set()).add(u.line)
                recorded += 1
        index[path] = held
        return recorded

    def index_occurrences(self) -> None:
        """Index every entry's occurrences by document now, for a run about to replace those of
        most documents (``memory seed``): one pass instead of a look through every entry for
        each of the first documents."""
        if self._indexed_all:
            return
        index = self._by_path
        for key, rec in self._all().items():
            for p, line in rec.occurrences:
                index.setdefault(p, {}).setdefault(key, set()).add(line)
        self._indexed_all = True

    def _held(self, path: str) -> dict[_Key, set[int | None]]:
        """The entries with occurrences of document ``path``, and their lines.

        A run that translates a few documents looks each one up in the entries
        as read, resolving only those whose comment lines name the path (a
        memory of 45,000 entries has few); once a run has asked for
        _INDEX_ALL_AFTER paths, every entry is resolved and indexed by path.
        """
        index = self._by_path
        if path in index:
            return index[path]
        if self._indexed_all:
            return index.setdefault(path, {})
        if len(index) >= _INDEX_ALL_AFTER:
            self.index_occurrences()
            return index.setdefault(path, {})
        needle = path.encode("utf-8")  # as "#:" lines hold it (between isolates when it has white space)
        held: dict[_Key, set[int | None]] = {}
        records = self._records
        candidates = list(records)
        if self._lazy:  # and the entries of the file not read yet that hold the path anywhere
            canon = self._canon
            for n in canon.holding(needle):  # type: ignore[union-attr]
                if n in canon.taken:  # type: ignore[union-attr]
                    continue  # among the records already
                key, value = canon.entry(n)  # type: ignore[union-attr]
                canon.taken.add(n)  # type: ignore[union-attr]
                if key not in records:
                    records[key] = value
                    candidates.append(key)
        for key in candidates:
            rec = records[key]
            if type(rec) is tuple:
                head = rec[1]
                if type(head) is bytes:
                    if needle not in head:
                        continue
                elif not any(path in line for line in head[2]):  # read by polib: "#:" lines as text
                    continue
                rec = self._get(key)
            lines = rec.of_path(path)  # type: ignore[union-attr]
            if lines:
                held.setdefault(key, set()).update(lines)
        index[path] = held
        return held

    # -- writing

    def to_po(self) -> str:
        """The PO text that :meth:`save` writes."""
        return self._render_all().data.decode("utf-8")

    def _render_all(self) -> _Canon:
        """Every entry written anew: the header, then each entry after a blank line."""
        comment = _HEADER_COMMENT.format(src=self.source_lang, tgt=self.target_lang)
        header = pofile.write_header(self.source_lang, self.target_lang, self._extra_header, comment=comment).encode("utf-8")
        records = self._all()
        keys = sorted(records, key=_order)
        parts = [header]
        ends = []
        at = len(header)
        for key in keys:
            part = ("\n" + _entry_text(key, records[key])).encode("utf-8")
            at += len(part)
            ends.append(at)
            parts.append(part)
        return _Canon([b"".join(parts)], array("Q", map(_key_hash, keys)), array("Q", ends), len(header), self.path)

    def _render(self) -> tuple[_Canon, bool | None]:
        """What :meth:`save` writes, and whether it differs from the file as last read or written (None: not known).

        When the file is one a save wrote (``_canon``: this process's last
        save, or the cache of the file a save wrote), only the entries changed
        since are written anew and the rest is copied as it is, so that a run
        that changed a few entries of a large memory costs a few entries, not
        the file; the bytes are those of :meth:`_render_all` all the same.
        """
        canon = self._canon
        if canon is None:
            return self._render_all(), None
        if not self._dirty:
            return canon, False
        keys = canon.keys()
        events = []  # (the entry of canon it replaces or goes before, 1: replaces / 0: new, key)
        for key in self._dirty:
            n = bisect.bisect_left(keys, _order(key), key=_order)  # the file is sorted by _order
            events.append((n, int(n < len(keys) and keys[n] == key), key))
        events.sort(key=lambda e: (e[0], e[1], _order(e[2])))
        data, ends, hashes = memoryview(canon.data), canon.ends, canon.hashes
        parts: list[bytes | memoryview] = [data[: canon.header_end]]
        new_hashes = array("Q")
        new_ends = array("Q")
        shift = 0
        changed = False
        unique = canon._unique  # a new key whose hash an entry has already makes the new canon not unique
        new: set[int] = set()
        done = 0  # entries of canon copied so far

        def copy(upto: int) -> None:
            if upto > done:
                parts.append(data[canon.start(done) : ends[upto - 1]])
                new_hashes.extend(hashes[done:upto])
                new_ends.extend((end + shift for end in ends[done:upto]) if shift else ends[done:upto])

        for n, replace, key in events:
            copy(n)
            part = ("\n" + _entry_text(key, self._get(key))).encode("utf-8")  # type: ignore[arg-type]
            old = data[canon.start(n) : ends[n]] if replace else None
            changed = changed or old is None or part != old
            shift += len(part) - (len(old) if old is not None else 0)
            parts.append(part)
            if replace:
                new_hashes.append(hashes[n])
            else:
                h = _key_hash(key)
                if unique and (h in canon.index() or h in new):  # type: ignore[operator]
                    unique = False
                new.add(h)
                new_hashes.append(h)
            new_ends.append((new_ends[-1] if new_ends else canon.header_end) + len(part))
            done = n + 1 if replace else n
        copy(len(ends))
        return _Canon(parts, new_hashes, new_ends, canon.header_end, self.path, unique=unique), changed

    def sync(self) -> None:
        """Put the changes made since the last sync on disk: appended to the journal and fsynced.

        ``translate`` calls it before it writes a document, so that a
        document's entries are on disk no later than the document. Raises
        MemoryFileError (one line, naming the file) when the journal cannot
        be written; the changes then stay in this object, for :meth:`save`.
        """
        if not self._ops:
            return
        payloads = [_payload_of(op) for op in self._ops]
        try:
            with journal.locked(self._lock_path()):
                generation, first, created = self._journal.append(payloads)
        except journal.JournalError as exc:
            raise MemoryFileError(exc.path, exc.reason) from None
        except OSError as exc:
            raise MemoryFileError(self._journal.path, f"cannot write the translation memory's journal: {exc.strerror or exc}") from None
        if (created and self._journal_at is None) or self._journal_at == (generation, first):
            # Nobody appended since this object last read the journal: it holds all the journal does.
            self._journal_at = (generation, self._journal.end)
        self._ops.clear()

    def ensure_writable(self) -> None:
        """Raise MemoryFileError unless this process can write the memory (its folder, lock and journal).

        ``translate`` calls it before sending anything, so that a read-only
        memory folder stops a run before any character is billed. It also
        removes temporary files that a save killed midway left behind.
        """
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with journal.locked(self._lock_path()):
                self._remove_stale_temp_files()
                _ignore_working_files(folder)
                for path in (folder, self._journal.path):
                    if os.path.lexists(path) and not os.access(path, os.W_OK):
                        raise PermissionError(13, "Permission denied")
        except OSError as exc:
            raise MemoryFileError(
                folder, f"cannot write the translation memory here: {exc.strerror or exc} (fix it, or translate with --no-memory)"
            ) from None

    @staticmethod
    def left_over(path: str | os.PathLike[str]) -> bool:
        """Whether a memory file has a journal not folded in yet, or a temporary file of a killed save."""
        path = Path(path)
        if os.path.lexists(journal.journal_path(path)):
            return True
        try:
            names = os.listdir(path.parent)
        except OSError:
            return False
        prefix = f".{path.name}."
        return any(n.startswith(prefix) and n.endswith(".tmp") for n in names)

    def _lock_path(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return journal.lock_path(self.path)

    def _remove_stale_temp_files(self) -> None:
        # Called holding the lock: no save is under way, so a temporary file of this memory is a killed save's.
        remove_stale_temp_files(self.path.parent, name=self.path.name)

    def save(self) -> bool:
        """Write the memory atomically and fold the journal into it; False when the file already held exactly this.

        Holding the lock, what changed on disk since this object last read it
        is merged in first: records other processes journaled are applied
        (and this object's own again, in the order they were journaled), and
        when the file itself was replaced (a translator saved it in Poedit,
        another run saved) it is read again and the journal and this object's
        changes are applied to it, so a human entry there still wins over a
        machine one from this run. Right before the rename the file is checked
        to be the one read; if not, the merge starts over.
        """
        if not self._ops and not os.path.lexists(self._journal.path) and self._unchanged_on_disk():
            return False  # nothing to merge nor write: no lock needed (a read-only checkout saves nothing)
        try:
            with journal.locked(self._lock_path()):
                self._remove_stale_temp_files()
                for _ in range(_SAVE_ATTEMPTS):
                    self._catch_up()
                    canon, changed = self._render()
                    keyed = self._key_meanwhile(canon, changed)
                    expected = self._identity
                    if changed is None:  # written anew: compare with the file
                        try:
                            same = expected is not None and self.path.read_bytes() == canon.data
                        except FileNotFoundError:
                            same = False
                    else:  # the file is the one read (checked by _catch_up): it differs where an entry does
                        same = not changed
                    written: list[int] = []
                    if not same:
                        try:
                            atomic_write(self.path, canon.chunks, before_replace=lambda tmp: written.append(self._check_unchanged(expected, tmp)))
                        except _ChangedMeanwhile:
                            continue
                        journal.sync_folder(self.path.parent)  # the new file is on disk before the journal goes
                        identity = _identity(self.path)
                        self._identity = identity if identity[3] == written[0] else None
                    self._keep(canon, fresh=not same or changed is None, key=keyed())
                    self._journal.fold()
                    with contextlib.suppress(OSError):
                        os.unlink(journal.lock_path(self.path))  # held: see journal.locked
                    self._journal_at = None
                    self._ops.clear()
                    return not same
        except journal.JournalError as exc:
            raise MemoryFileError(exc.path, exc.reason) from None
        except OSError as exc:
            raise MemoryFileError(self.path, f"cannot write the translation memory: {exc.strerror or exc}") from None
        raise MemoryFileError(self.path, f"replaced on disk during each of {_SAVE_ATTEMPTS} attempts to save the translation memory: try again")

    def _key_meanwhile(self, canon: _Canon, changed: bool | None) -> Callable[[], tuple[int, int] | None]:
        """Start taking the index key of ``canon``'s bytes (a CRC-32 of the file) in a thread, beside the write; returns how to get it."""
        if self._cache is None or changed is False:
            return lambda: None
        import threading

        chunks = list(canon.chunks)
        result: list[tuple[int, int]] = []
        # zlib lets other threads run while it checksums a large buffer, as the write and fsync do
        thread = threading.Thread(target=lambda: result.append(pofile.index_key(chunks)), name="transync-memory-key", daemon=True)
        thread.start()

        def key() -> tuple[int, int] | None:
            thread.join()
            return result[0] if result else None

        return key

    def _keep(self, canon: _Canon, *, fresh: bool, key: tuple[int, int] | None = None) -> None:
        """The file now holds ``canon``: remember it for the next save, and (``fresh``) keep its index in the cache for the next load."""
        self._dirty.clear()
        if self._lazy and (self._identity is None or not canon.unique()):
            self._all()  # the entries not read yet are read from the bytes they are in before those go
        if self._identity is None:  # replaced by someone else right after the rename: not known
            self._canon = None
            return
        self._canon, self._added = canon, 0
        if fresh and self._cache is not None:
            pofile.write_index(pofile.index_file(self._cache), canon.chunks, pofile.header_of(canon.header()), canon.layout(), key=key)
            with contextlib.suppress(OSError):
                os.unlink(self._cache)  # every entry's strings, of bytes the file no longer holds

    def _unchanged_on_disk(self) -> bool:
        if self._canon is not None and not self._dirty and not self._ops:
            try:
                return _identity(self.path) == self._identity
            except FileNotFoundError:
                return False
            except OSError as exc:
                raise MemoryFileError(self.path, f"cannot read the translation memory: {exc.strerror or exc}") from None
        try:
            return _identity(self.path) == self._identity and self.path.read_bytes() == self.to_po().encode("utf-8")
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise MemoryFileError(self.path, f"cannot read the translation memory: {exc.strerror or exc}") from None

    def _check_unchanged(self, expected: tuple[int, int, int, int] | None, tmp: Path) -> int:
        """The temporary file's inode, if the memory file is still the one read; else _ChangedMeanwhile."""
        try:
            current: tuple[int, int, int, int] | None = _identity(self.path)
        except FileNotFoundError:
            current = None
        if current != expected:
            raise _ChangedMeanwhile
        return os.stat(tmp).st_ino

    def _catch_up(self) -> None:
        """Merge what is on disk and not in this object yet; call it holding the lock."""
        try:
            current: tuple[int, int, int, int] | None = _identity(self.path)
        except FileNotFoundError:
            current = None
        at = self._journal_at
        read = self._read_journal()
        if current == self._identity and (at[0] if at else None) == read[0]:
            # Only records journaled since this object read the journal; its own among them apply
            # again, so that the journal's order decides (the last machine translation wins).
            self._replay(at[1] if at else 0, read)
        else:
            fresh = Memory(self.path, self.source_lang, self.target_lang)
            fresh._read_file(None)
            fresh._restore_folded()
            fresh._replay(0, read)
            self._records, self._extra_header, self._identity = fresh._records, fresh._extra_header, fresh._identity
            self._journal_at = fresh._journal_at
            self._by_path, self._indexed_all = {}, False
            self._canon, self._dirty, self._lazy = None, set(), False  # a file another process wrote: written anew
        for op in self._ops:  # not journaled yet: the newest changes
            self._apply(op)


class _Canon:
    """PO bytes that :meth:`Memory._render_all` gives for a memory, entry by entry.

    ``ends[n]`` is the offset after entry ``n`` (each entry is a blank line's
    newline, then its lines) and ``hashes[n]`` the hash of its key
    (:func:`_key_hash`), in file order, so that a save copies the entries
    that did not change and a load finds an entry by its key without
    reading the others (the cache keeps both with the bytes, 16 bytes an
    entry). An entry found by its hash is read and its key compared.
    """

    __slots__ = ("chunks", "_data", "hashes", "ends", "header_end", "path", "_where", "_unique", "taken")

    def __init__(self, chunks: list[bytes | memoryview], hashes: array, ends: array, header_end: int, path: Path, *, unique: bool | None = None) -> None:
        self.chunks = chunks  # the bytes, in pieces (a save copies the unchanged entries' as views, never joined to be written)
        self._data = chunks[0] if len(chunks) == 1 and type(chunks[0]) is bytes else None
        self.hashes = hashes
        self.ends = ends
        self.header_end = header_end
        self.path = path
        self._where: dict[int, int] | None = None
        self._unique = unique  # whether no two keys share a hash (None: not known yet)
        self.taken: set[int] = set()  # entries a memory has taken among its records (see Memory._get)

    def __len__(self) -> int:
        return len(self.ends)

    @property
    def data(self) -> bytes:
        if self._data is None:
            self._data = b"".join(self.chunks)
            self.chunks = [self._data]
        return self._data

    def header(self) -> bytes:
        return bytes(self.chunks[0][: self.header_end])

    def start(self, n: int) -> int:
        return self.ends[n - 1] if n else self.header_end

    def index(self) -> dict[int, int] | None:
        """Entry number by key hash; None when two keys share a hash (the entries are then read, not looked up)."""
        if self._where is None:
            self._where = dict(zip(self.hashes, range(len(self.hashes))))
            self._unique = len(self._where) == len(self.hashes)
        return self._where if self._unique else None

    def unique(self) -> bool:
        return self.index() is not None if self._unique is None else self._unique

    def _block(self, n: int) -> bytes:
        return self.data[self.start(n) + 1 : self.ends[n] - 1]  # its lines, without the blank line before or the last newline

    def key(self, n: int) -> _Key:
        return pofile.entry_key(self._block(n), self.path)

    def keys(self) -> _Keys:
        return _Keys(self)

    def entry(self, n: int) -> tuple[_Key, tuple[str, bytes | pofile.Comments]]:
        """Entry ``n`` as :func:`pofile.read_po` gives it: its key, and its msgstr with its comment lines."""
        context, msgid, msgstr, head = pofile.read_entry(self._block(n), self.path)
        return (context, msgid), (msgstr, head, True)  # written by a save of this version (see _resolve)

    def find(self, key: _Key) -> tuple[int, tuple[str, bytes | pofile.Comments, bool]] | None:
        """The number of the entry with this key and the entry (as :meth:`entry` gives it), or None."""
        n = self.index().get(_key_hash(key))  # type: ignore[union-attr]  # only a canon with an index is looked up in
        if n is None:
            return None
        found, value = self.entry(n)
        return (n, value) if found == key else None

    def holding(self, needle: bytes) -> list[int]:
        """The entries whose lines hold ``needle`` anywhere."""
        data, ends, find = self.data, self.ends, self.data.find
        found = []
        at = find(needle, self.header_end)
        while at >= 0:
            n = bisect.bisect_right(ends, at)
            found.append(n)
            at = find(needle, ends[n])
        return found

    def layout(self) -> tuple:
        """What the cache keeps with the bytes (marshal's types), stamped by transync's code: it wrote them."""
        from transync.site.cache import code_digest

        return (code_digest(), self.header_end, self.ends.tobytes(), self.hashes.tobytes())

    @classmethod
    def of_layout(cls, data: bytes, layout: object, path: Path) -> _Canon | None:
        """The bytes a save wrote, as the cache kept them with their layout; None for anything else."""
        from transync.site.cache import code_digest

        if not (isinstance(layout, tuple) and len(layout) == 4 and layout[0] == code_digest()):
            return None
        _, header_end, ends_bytes, hashes_bytes = layout
        if not (isinstance(header_end, int) and isinstance(ends_bytes, bytes) and isinstance(hashes_bytes, bytes)):
            return None
        ends, hashes = array("Q"), array("Q")
        try:
            ends.frombytes(ends_bytes)
            hashes.frombytes(hashes_bytes)
        except ValueError:
            return None
        if not (len(ends) == len(hashes) and (ends[-1] if ends else header_end) == len(data)):
            return None
        canon = cls([data], hashes, ends, header_end, path)
        return canon if canon.index() is not None else None


class _Keys:
    """The keys of a canon's entries as a sequence (for bisect), each read when asked for."""

    __slots__ = ("canon",)

    def __init__(self, canon: _Canon) -> None:
        self.canon = canon

    def __len__(self) -> int:
        return len(self.canon)

    def __getitem__(self, n: int) -> _Key:
        return self.canon.key(n)


def _key_hash(key: _Key) -> int:
    """A 64-bit hash of an entry's key that stays the same across processes (unlike ``hash``)."""
    context, source = key
    text = b"\x00" + source.encode("utf-8") if context is None else b"\x01" + context.encode("utf-8") + b"\x04" + source.encode("utf-8")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


_SAVE_ATTEMPTS = 5
_INDEX_ALL_AFTER = 8  # paths looked up one by one (a scan of every entry each) before all are indexed


class _ChangedMeanwhile(Exception):
    """The memory file was replaced after it was read: the save merges again."""


def _put_op(source: str, translation: str, origin: str, engine: str | None, context: str | None, occurrences: Iterable[Occurrence]) -> tuple:
    """A checked ``put``: ValueError for what a valid PO file cannot hold."""
    if origin not in ("machine", "human"):
        raise ValueError(f"origin must be 'machine' or 'human', not {origin!r}")
    if origin == "machine":
        engine = engine or "unknown"
        if not isinstance(engine, str) or not _ENGINE_RE.fullmatch(engine):
            raise ValueError(f"engine name {engine!r}: letters, digits, '.', '_' and '-' only")
    else:
        engine = None
    for text in (source, translation, context):
        if text is not None and not isinstance(text, str):
            raise ValueError(f"not a text: {text!r}")
    if not source:
        raise ValueError("cannot store an empty source text")
    if not translation:
        raise ValueError("cannot store an empty translation")
    problem = pofile.storable(source, translation, context)
    if problem:
        raise ValueError(problem)
    for text in (source, translation, context or ""):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"not encodable as UTF-8 (a lone surrogate?): {pofile.snippet(text)}") from None
    occ = [o for o in map(_check_occurrence, occurrences) if pofile.writable_path(o[0])]
    return ("put", source, translation, origin, engine, context, occ)


def _uses_op(path: str, uses: Iterable[Use | tuple]) -> tuple | None:
    """A checked ``replace_occurrences``; None for a path a PO file cannot hold."""
    _check_occurrence((path, None))
    checked = [Use(*u) for u in uses]
    for u in checked:
        _check_occurrence((path, u.line))
        if not isinstance(u.source, str) or (u.context is not None and not isinstance(u.context, str)):
            raise ValueError(f"not a use: {u!r}")
    return ("uses", path, checked) if pofile.writable_path(path) else None


def _payload_of(op: tuple) -> list:
    """A change as a journal record (JSON)."""
    if op[0] == "put":
        return [*op[:6], [list(o) for o in op[6]]]
    return ["uses", op[1], [list(u) for u in op[2]]]


def _op_of(payload: object) -> tuple:
    """A journal record as a checked change; ValueError or TypeError when it is none."""
    if not isinstance(payload, list) or not payload:
        raise ValueError("not a list")
    if payload[0] == "put" and len(payload) == 7:
        _, source, translation, origin, engine, context, occ = payload
        return _put_op(source, translation, origin, engine, context, [tuple(o) for o in occ])
    if payload[0] == "uses" and len(payload) == 3:
        op = _uses_op(payload[1], [tuple(u) for u in payload[2]])
        if op is None:
            raise ValueError("an occurrence path a PO file cannot hold")
        return op
    raise ValueError(f"unknown change {str(payload[0])[:20]!r}")


#: Kept out of git in the memory folder: the lock, the journal and the folded journal are working
#: files of runs, not the memory (pytest's cache folder ignores itself the same way).
_GITIGNORE = "# transync's working files (lock, journal): the memory is the .po files\n.*.po.lock\n.*.po.journal\n.*.po.folded\n"


def _ignore_working_files(folder: Path) -> None:
    """Write the memory folder's ``.gitignore`` once (never over one a user wrote)."""
    target = folder / ".gitignore"
    remove_stale_temp_files(folder, name=target.name)  # a write of it that a kill cut short
    if not os.path.lexists(target):
        atomic_write(target, _GITIGNORE)


# --------------------------------------------------------------------------- entries as PO text


_HEADER_COMMENT = """\
# transync translation memory ({src} -> {tgt}). msgid: source Markdown; msgstr: its translation.
# "#. transync: machine ENGINE HASH" marks a machine translation; once its msgstr is edited it is a
# human one, which transync never replaces with a machine translation. Other entries are human.
"""


def origin_mark(origin: Origin, engine: str | None, context: str | None, source: str, translation: str) -> str:
    """The extracted comment that records an entry's origin: ``transync: machine ENGINE HASH`` or ``transync: human``."""
    if origin == "machine":
        return f"{_MARK} machine {engine} {_fingerprint(context, source, translation)}"
    return f"{_MARK} human"


def origin_of(context: str | None, source: str, translation: str, comments: Iterable[str]) -> tuple[Origin, str | None, tuple[str, ...]]:
    """An entry's origin and engine as its extracted comments record them, and its other comments.

    Human unless transync's machine mark is there and its hash matches the
    entry (an edited msgstr, no mark, or a mark this version cannot read is human).
    """
    origin: Origin = "human"
    engine = None
    others = []
    for comment in comments:
        if not comment.startswith(_MARK):
            others.append(comment)
            continue
        words = comment[len(_MARK) :].split()
        if len(words) == 3 and words[0] == "machine" and words[2] == _fingerprint(context, source, translation):
            origin, engine = "machine", words[1]
        else:  # "human", an edited machine translation, or a mark this version cannot read
            origin, engine = "human", None
    return origin, engine, tuple(others)


def _entry_text(key: _Key, rec: _Record) -> str:
    context, source = key
    mark = origin_mark(rec.origin, rec.engine, context, source, rec.translation)
    return pofile.write_entry(
        context, source, rec.translation,
        notes=rec.notes,
        comments=(*rec.comments, mark),
        occurrence_lines=rec.lines(),
        flags=("fuzzy",) + rec.flags if rec.fuzzy else rec.flags,
    )


def _fingerprint(context: str | None, source: str, translation: str) -> str:
    data = f"{context or ''}\x04{source}\x00{translation}".encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def _order(key: _Key) -> tuple[str, bool, str]:
    return key[1], key[0] is not None, key[0] or ""


def _check_occurrence(occ: Occurrence) -> Occurrence:
    path, line = occ
    if not isinstance(path, str) or not path:
        raise ValueError(f"not an occurrence path: {path!r}")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 1):
        raise ValueError(f"not a line number: {line!r}")
    return path, line


def _identity(path: Path) -> tuple[int, int, int, int]:
    from transync.site.cache import identity

    return identity(os.stat(path))


def _norm_lang(code: str) -> str:
    return code.strip().lower().replace("-", "_")


def _fill(key: _Key, rec: _Record, notes: list[str], comments: list[str], occurrences: list[str], flags: list[str]) -> None:
    """Apply an entry's comment lines to its record: origin, occurrences, flags, notes."""
    context, source = key
    rec.origin, rec.engine, others = origin_of(context, source, rec.translation, comments)
    rec.occurrences = set(pofile.parse_occurrences(occurrences))
    rec.sorted = None
    rec.fuzzy = "fuzzy" in flags
    rec.flags = tuple(f for f in dict.fromkeys(flags) if f and f != "fuzzy" and not f.endswith("-format"))
    rec.notes = tuple(notes)
    rec.comments = others


def _resolve(key: _Key, translation: str, head: bytes | pofile.Comments, written: bool = False) -> _Record:
    """The record of an entry as read_po gave it, from its comment lines (``written``: as a save of this version wrote them)."""
    rec = _Record(translation)
    if type(head) is bytes:
        # Most entries, as transync writes them: the mark, then one "#: path:line" per line.
        if head.startswith(_HUMAN_LINE):
            cut = len(_HUMAN_LINE)
        elif written and head.startswith(_MACHINE_LINE):
            cut = head.find(b"\n") + 1
            rec.origin, rec.engine, _ = origin_of(key[0], key[1], translation, [head[3 : cut - 1].decode("utf-8")])
        else:
            cut = 0
        raw = head[cut:].decode("utf-8") if cut else None
        if raw is not None and (not raw or pofile.plain(raw)):
            if written and raw:  # sorted and without duplicates: read when needed
                rec.keep_lines(raw)
            else:
                rec.occurrences.update(pofile.plain_occurrences(raw) or ())
            return rec
    _fill(key, rec, *pofile.comment_lines(head))
    return rec
