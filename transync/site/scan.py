"""Reading a site: every Markdown document of every collection, valid or not.

Which folders are walked, which files are documents and which language a
path gives are the site's layout's (:mod:`transync.site.layouts`); this module
walks safely (:mod:`transync.site.sitepaths`) and reads.

Each file is reduced to a small *header* (ref, lang, date, hashes,
provenance) that depends only on the file's bytes. Headers are kept in a
persistent cache keyed by file identity, so a repeated scan reads no file that
did not change. Checks that depend on the configuration (required fields,
declared languages, language folders) run on every scan, cached or not.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple

from transync.site import cache as _cache
from transync.site import sitepaths
from transync.site.config import LANG_RE, Collection, SiteConfig
from transync.errors import DocumentError

if TYPE_CHECKING:
    from transync.document import Document, SimpleDocument

#: Below this many files to parse, worker processes cost more than they save.
PARALLEL_THRESHOLD = 400

_REF_BAD = re.compile(r"[\x00-\x1f\x7f\\]")


class Provenance(NamedTuple):
    """What transync recorded in a translation it wrote."""

    source_hash: str
    source_date: str | None
    output_hash: str | None
    #: A hash per following field of the source when it was translated (transync.document.fields.hashes);
    #: None in provenance written before transync recorded them.
    fields: tuple[tuple[str, str], ...] | None = None
    review: int = 0  # human segments a merge replaced, not yet acknowledged
    engine: str | None = None  # what made it (``pseudo`` is a preview); None in provenance that did not say


class DocEntry(NamedTuple):
    """A valid document of a collection.

    A named tuple rather than a frozen dataclass: one is made for every document of
    every scan, and a warm scan makes them straight from the cached rows.
    """

    path: str  # POSIX, relative to the site root
    collection: str
    ref: str
    lang: str
    date: str | None
    content_hash: str
    output_hash: str
    provenance: Provenance | None
    follow_packed: str = ""  # the fields that follow the source (transync.document.fields.pack)
    #: False when the site names a localizable property and this document does not set it to true.
    ready: bool = True

    @property
    def follow(self) -> tuple[tuple[str, object], ...]:
        """The fields that follow the source, with their values (unpacked when first asked for)."""
        from transync.document import fields  # not at the top: a replayed status reads no field

        return fields.unpack(self.follow_packed)

    @property
    def edited(self) -> bool:
        """True when transync wrote this file and a human changed it since."""
        p = self.provenance
        return p is not None and p.output_hash is not None and p.output_hash != self.output_hash


@dataclass(frozen=True, slots=True)
class InvalidEntry:
    """A file that could not be used, with the reason and (when known) the line."""

    path: str
    collection: str
    reason: str
    line: int | None = None
    lang: str | None = None
    ref: str | None = None


@dataclass
class ScanResult:
    config: SiteConfig
    documents: list[DocEntry] = field(default_factory=list)
    invalid: list[InvalidEntry] = field(default_factory=list)
    files: int = 0
    parsed: int = 0  # files read this time (the rest came from the cache)
    rehashed: int = 0  # files whose identity changed but whose bytes did not (found by their hash)


# --------------------------------------------------------------------------- headers


class Header(NamedTuple):
    """What status needs of one file: a pure function of its bytes and the cache settings.

    ``error`` is set (with ``line``) when the file cannot be used at all.
    """

    ref: str | None = None
    lang: str | None = None
    date: str | None = None
    content_hash: str = ""
    output_hash: str = ""
    provenance: tuple[str, str | None, str | None, tuple[tuple[str, str], ...] | None, int, str | None] | None = None
    missing: tuple[str, ...] = ()  # required fields the front matter lacks
    lang_line: int | None = None
    error: str | None = None
    line: int | None = None
    follow: str = ""  # fields.pack of the following fields
    ready: bool = True  # the localizable property is true, or the site names none


def read_header(path: str, settings: HeaderSettings, size: int = 0, *, digest: bool = False) -> tuple[Header, bytes | None]:
    """Reduce one file to the facts status needs, with the hash of the bytes they come from
    when ``digest`` (the cache's second key; None when the file cannot be read). Never raises
    for a bad file. ``size``: the size the walk saw (what to read in one go)."""
    try:
        data = _read_bytes(path, size)
    except OSError as exc:
        return Header(error=f"cannot be read: {exc.strerror or exc}"), None
    # Hashed from the very bytes parsed: a file that changes meanwhile is cached with facts and
    # hash that agree, and the next scan sees that its bytes changed again.
    hashed = _blake(data) if digest else None
    try:
        return header_of(data, settings), hashed
    except DocumentError as exc:
        return Header(error=exc.reason, line=exc.line), hashed


def _read_bytes(path: str, size: int) -> bytes:
    """A whole file's bytes; one read when it still has ``size`` bytes (without a file object:
    they cost as much as the read for a small file)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(fd, size + 1)
        if len(data) <= size:  # the end came first (a read from a file stops short only at its end)
            return data
        parts = [data]
        while parts[-1]:  # it grew (or the size is unknown): read on to the end
            parts.append(os.read(fd, 1 << 20))
    finally:
        os.close(fd)
    return b"".join(parts)


class HeaderSettings(NamedTuple):
    content_fields: tuple[str, ...]  # of the collection the file belongs to
    provenance_key: str
    required_fields: tuple[str, ...]
    rules: tuple[tuple[str, str], ...] = ()  # the collection's field rules
    ref_field: str | None = "ref"  # the layout's (Hugo: translationKey; a path layout: none)
    localizable: str | None = None  # the front-matter field that marks a source ready for translation

    @classmethod
    def of(cls, config: SiteConfig, collection: Collection) -> "HeaderSettings":
        return cls(
            collection.content_fields, config.provenance_key, config.required_fields, tuple(sorted(collection.fields.items())),
            config.layout.ref_field, config.localizable_property,
        )


def header_of(data: bytes, settings: HeaderSettings) -> Header:
    """The header of a file's bytes; raises DocumentError for a file that cannot be used."""
    document, _ = _document_layer()

    # Most files of a real site have simple front matter: read without PyYAML or building the
    # text, each distinct line once per process, each value written as JSON once for both the
    # hashes and the following fields. Everything else is parsed in full.
    return header_of_document(document.read_simple(data) or document.parse(data), settings)


def header_of_document(doc: Document | SimpleDocument, settings: HeaderSettings) -> Header:
    """The header of a parsed document (:func:`header_of`); the same for either reading of one file."""
    document, fields = _document_layer()
    meta = doc.meta

    ref_field = settings.ref_field
    ref = meta.get(ref_field) if ref_field else None
    if ref is not None:
        if not isinstance(ref, str) or not ref.strip():
            raise DocumentError(f"'{ref_field}' must be a non-empty string, not {ref!r}", doc.line_of_key(ref_field))
        if _REF_BAD.search(ref) or ref.startswith("/") or ".." in ref.split("/"):  # ".." as a path part
            raise DocumentError(
                f"'{ref_field}' {ref!r} must not contain '..', '\\', a leading '/' or control characters",
                doc.line_of_key(ref_field),
            )

    lang = meta.get("lang")
    if lang is not None and (not isinstance(lang, str) or not LANG_RE.fullmatch(lang)):
        raise DocumentError(f"'lang' is not a language code: {lang!r}", doc.line_of_key("lang"))

    date = None
    if meta.get("date") is not None:
        date = document.normalize_date(meta["date"])
        if date is None:
            raise DocumentError(f"'date' is not a date: {meta['date']!r}", doc.line_of_key("date"))

    key = settings.provenance_key
    prov = None
    if key in meta:
        raw = meta[key]
        if not isinstance(raw, dict) or not isinstance(raw.get("source_hash"), str):
            raise DocumentError(f"'{key}' provenance must be a mapping with a 'source_hash' string", doc.line_of_key(key))
        out, recorded = raw.get("output_hash"), raw.get("fields")
        if isinstance(recorded, dict) and all(isinstance(v, str) for v in recorded.values()):
            recorded = tuple(sorted((str(k), v) for k, v in recorded.items()))
        else:
            recorded = None
        provenance = _provenance_layer()
        prov = (
            raw["source_hash"], document.normalize_date(raw.get("source_date")), out if isinstance(out, str) else None,
            recorded, provenance.review_count(raw), provenance.engine_of(raw),
        )

    if isinstance(doc, document.SimpleDocument):
        content_hash, output_hash = document.simple_hashes(doc, settings.content_fields, key)
        follow = fields.pack_json([(name, doc.packed(name)) for name in _following_names(tuple(doc.canonical), settings)])
    else:
        content_hash, output_hash = document.hashes(meta, doc.body, settings.content_fields, key)
        follow = fields.pack(fields.follow_values(meta, dict(settings.rules), key))
    return Header(
        ref=ref,
        lang=lang,
        date=date,
        content_hash=content_hash,
        output_hash=output_hash,
        provenance=prov,
        missing=tuple(k for k in settings.required_fields if meta.get(k) is None),
        lang_line=doc.line_of_key("lang") if lang is not None else None,
        follow=follow,
        # Only a YAML true counts, as for Lunaria: a missing field or "yes" is not ready.
        ready=settings.localizable is None or meta.get(settings.localizable) is True,
    )


@lru_cache(maxsize=None)
def _document_layer():
    """``transync.document`` and its ``fields``, imported when a file is first read (a warm scan reads none)."""
    from transync import document
    from transync.document import fields

    return document, fields


@lru_cache(maxsize=None)
def _provenance_layer():
    """``transync.document.provenance``, imported when a translation is first read."""
    from transync.document import provenance

    return provenance


#: The following fields among a front matter's keys, by keys and settings (files of a collection share a few key lists).
_follow_names: dict[tuple, tuple[str, ...]] = {}


def _following_names(keys: tuple[str, ...], settings: HeaderSettings) -> tuple[str, ...]:
    """The keys that follow the source under ``settings``, in order."""
    memo_key = (keys, settings)
    names = _follow_names.get(memo_key)
    if names is None:
        follows = _following(settings)
        names = tuple(name for name in keys if follows(name))
        if len(_follow_names) < 10_000:
            _follow_names[memo_key] = names
    return names


@lru_cache(maxsize=None)
def _following(settings: HeaderSettings) -> Callable[[str], bool]:
    """fields.following for a collection's settings, each field's answer kept (asked for every field of every file)."""
    from transync.document import fields

    follows = fields.following(dict(settings.rules), settings.provenance_key)
    known: dict[str, bool] = {}

    def cached(name: str) -> bool:
        answer = known.get(name)
        if answer is None:
            answer = known[name] = follows(name)
        return answer

    return cached


def _read_headers(jobs: list[tuple[str, int, HeaderSettings]], digest: bool = False) -> list[tuple[tuple, bytes | None]]:
    """Each file's :func:`read_header`, the header as a plain tuple (:class:`Header`'s fields):
    a worker process sends them back pickled, and a named tuple pickles through Python code."""
    with no_cycle_collector():
        return [(tuple(header), hashed) for header, hashed in (read_header(path, settings, size, digest=digest) for path, size, settings in jobs)]


@contextmanager
def no_cycle_collector() -> Iterator[None]:
    """The cycle collector off meanwhile (as it was after).

    Reading headers and making entries (or status items, or their JSON) makes many small
    objects and no reference cycle:
    the collector, which runs every few hundred allocations and now and then goes through
    every object, would only look (6% of a cold scan's reading; in this process, a full
    collection of the whole heap while the entries are made).
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------- walking


class _File(NamedTuple):  # a tuple: made for every file of every scan, warm ones included
    rel: str
    abs: str
    collection: Collection
    identity: tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def _walk(config: SiteConfig, collection: Collection, invalid: list[InvalidEntry]) -> Iterator[_File]:
    layout = config.layout
    root = str(config.root)
    cut = len(root) + 1  # paths under the root, made relative by slicing (relpath is slow)
    sep_fix = os.sep != "/"
    real_root = os.path.realpath(root)
    suffixes, ignored, name_problem, exclude = layout.suffixes, layout.ignored, sitepaths.name_problem, config.exclude
    stack = []
    for folder in layout.roots(collection):
        top = os.path.join(root, folder) if folder else root
        if not os.path.isdir(top):
            continue
        if not sitepaths.inside(os.path.realpath(top), real_root):
            invalid.append(InvalidEntry(folder, collection.name, "symlink points outside the site"))
            continue
        stack.append(top)
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            rel = folder[cut:].replace(os.sep, "/")
            invalid.append(InvalidEntry(rel, collection.name, f"folder cannot be read: {exc.strerror}"))
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            if ignored(name):
                continue
            rel = entry.path[cut:]
            if sep_fix:
                rel = rel.replace(os.sep, "/")
            if exclude and any(fnmatch.fnmatchcase(rel, pat) for pat in exclude):
                continue
            markdown = name.endswith(suffixes)
            # A printable name holds no control character and no undecodable byte: the usual case.
            problem = None if name.isprintable() else name_problem(name)
            if problem is not None:
                if markdown or _is_dir(entry):
                    _bad(invalid, layout, collection, problem, sitepaths.shown(rel))
                continue
            if entry.is_symlink():
                try:
                    os.stat(entry.path)
                except OSError as exc:
                    if markdown or exc.errno == errno.ELOOP:
                        _bad(invalid, layout, collection, f"symbolic link cannot be followed: {exc.strerror}", rel)
                    continue
                target = os.path.realpath(entry.path)
                if not sitepaths.inside(target, real_root):
                    if entry.is_dir() or markdown:
                        _bad(invalid, layout, collection, "symlink points outside the site", rel)
                    continue
                if entry.is_dir():
                    # Its files are scanned where they are (when that is a collection); a
                    # translation is never written through it (see sitepaths.write_refusal).
                    there = os.path.relpath(target, real_root).replace(os.sep, "/")
                    folder = "language folder" if layout.is_language_folder(rel, collection) else "folder"
                    _bad(invalid, layout, collection, f"{folder} is a symbolic link to {there}: its files are not read here, and nothing is written through it", rel)
                    continue
            try:
                folder_entry = entry.is_dir()
            except OSError:  # a link that cannot be followed: not a folder to walk
                folder_entry = False
            if folder_entry:
                subfolders.append(entry.path)
            elif markdown and layout.owns(rel, collection):
                try:
                    st = entry.stat()
                except OSError as exc:
                    invalid.append(InvalidEntry(rel, collection.name, f"cannot be read: {exc.strerror}"))
                    continue
                yield tuple.__new__(_File, (rel, entry.path, collection, _cache.identity(st)))
        stack.extend(subfolders)


def _bad(invalid: list[InvalidEntry], layout, collection: Collection, reason: str, path: str) -> None:
    lang = layout.folder_language(path + "/", collection)
    invalid.append(InvalidEntry(path, collection.name, reason, lang=lang))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link that cannot be followed: not a folder to walk
        return False


# --------------------------------------------------------------------------- scanning


class Walk(NamedTuple):
    """The files of a site as a walk found them, before any is read."""

    files: list[_File]
    invalid: list[InvalidEntry]  # what the walk itself refused (odd names, links leading out)
    #: A hash of every file's path and identity and of what the walk refused; None when a file
    #: changed too recently to be told apart from a later edit (see transync.site.cache.RACY_NS).
    token: bytes | None


def walk(config: SiteConfig) -> Walk:
    """Every document file of the site with its identity, reading none (the first half of :func:`scan`)."""
    import marshal
    import time

    started = time.time_ns()
    invalid: list[InvalidEntry] = []
    files: list[_File] = []
    for collection in config.collections:  # the layout's folders (transync.site.layouts, at load_config)
        files.extend(_walk(config, collection, invalid))
    token = None
    if all(_cache.settled(f.identity, started) for f in files):
        seen = marshal.dumps(([(f.rel, f.identity) for f in files], [repr(i) for i in invalid]))
        token = hashlib.blake2b(seen, digest_size=16).digest()
    return Walk(files, invalid, token)


def scan(config: SiteConfig, *, use_cache: bool | None = None, jobs: int | None = None, walked: Walk | None = None) -> ScanResult:
    """Read every document of the site, from the cache where a file has not changed.

    ``walked``: the site's :func:`walk`, when the caller has made it already.
    """
    with no_cycle_collector():
        return _scan(config, use_cache, jobs, walked or walk(config))


def _scan(config: SiteConfig, use_cache: bool | None, jobs: int | None, walked: Walk) -> ScanResult:
    result = ScanResult(config, invalid=list(walked.invalid))
    files = walked.files
    result.files = len(files)

    use_cache = config.cache if use_cache is None else use_cache
    settings = {c.name: HeaderSettings.of(config, c) for c in config.collections}
    stamp = sorted((name, list(value)) for name, value in settings.items())
    store = _cache.HeaderCache(config.cache_dir, stamp, rows=layout_stamp(config)) if use_cache else None
    known = store.load() if store else {}
    rows_valid = store is not None and store.rows_valid

    headers: dict[str, Header] = {}
    digests: dict[str, bytes | None] = {}
    ready: dict[str, DocEntry] = {}  # unchanged files whose cached row is ready to judge
    todo: list[_File] = []
    for f in files:
        hit = known.get(f.rel)
        if hit is not None and hit[0] == f.identity:
            if rows_valid and hit[3] is not None:
                ready[f.rel] = _entry(hit[3])
            else:
                headers[f.rel] = Header(*hit[1])
            digests[f.rel] = hit[2]
            continue
        if hit is not None and hit[0][0] == f.identity[0]:
            # A new identity with the same size: a fresh checkout or copy touches every file's
            # times and inode, not its bytes. Hashing is far cheaper than parsing YAML.
            digest = _digest(f.abs)
            if digest is not None and digest == hit[2]:
                headers[f.rel], digests[f.rel] = Header(*hit[1]), digest
                result.rehashed += 1
                continue
        todo.append(f)

    if todo:
        work = [(f.abs, f.identity[0], settings[f.collection.name]) for f in todo]
        for f, (header, digest) in zip(todo, _parse_all(work, jobs, digest=store is not None)):
            headers[f.rel] = tuple.__new__(Header, header)
            if store:
                digests[f.rel] = digest
        result.parsed = len(todo)
    rows: dict[str, tuple | None] = {}
    for f in files:
        entry = ready.get(f.rel)
        if entry is None:
            entry = _validate(f, headers[f.rel], config)
            if isinstance(entry, InvalidEntry):
                result.invalid.append(entry)
                rows[f.rel] = None
                continue
            rows[f.rel] = _row(entry)
        result.documents.append(entry)
    if store and (todo or result.rehashed or len(known) != len(files) or (store.rows is not None and not rows_valid)):
        kept = {}
        for f in files:
            hit = known.get(f.rel) if f.rel in ready else None
            if hit is not None:  # unchanged: its entry as it was
                kept[f.rel] = hit
            else:
                kept[f.rel] = (f.identity, tuple(headers[f.rel]), digests[f.rel], rows[f.rel])
        store.save(kept)
    return result


def _row(entry: DocEntry) -> tuple:
    """A document as the cache keeps it (plain tuples, which marshal stores)."""
    prov = entry.provenance
    return (*entry[:7], tuple(prov) if prov is not None else None, entry.follow_packed, entry.ready)


def _entry(row: tuple) -> DocEntry:
    """The document a cached row stands for."""
    if row[7] is not None:
        row = (*row[:7], Provenance(*row[7]), *row[8:])
    return tuple.__new__(DocEntry, row)


def layout_stamp(config: SiteConfig) -> str | None:
    """What validating a header depends on besides the file: the layout and the collections' languages.

    A layout is stamped by its class, its code and its settings; one whose settings do not
    print as values (``<... at 0x...>``) cannot be stamped, and its documents are validated
    on every scan (the headers are still cached).
    """
    import sys

    layout = config.layout
    cls = type(layout)
    module = sys.modules.get(cls.__module__)
    source = getattr(module, "__file__", None)
    try:
        with open(source, "rb") as fh:
            code = hashlib.blake2b(fh.read(), digest_size=8).hexdigest()
    except (OSError, TypeError):
        return None
    settings = sorted(vars(layout).items()) if hasattr(layout, "__dict__") else None
    text = repr((cls.__module__, cls.__qualname__, code, settings, [(c.name, c.path, c.languages, c.source_lang) for c in config.collections]))
    return None if " at 0x" in text else text


def _digest(path: str) -> bytes | None:
    """A hash of a file's bytes, the cache's second key; None when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return _blake(fh.read())
    except OSError:
        return None


def _blake(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _parse_all(work: list[tuple[str, int, HeaderSettings]], jobs: int | None, *, digest: bool) -> list[tuple[tuple, bytes | None]]:
    from functools import partial

    from transync.site.workers import chunked_map

    document, _ = _document_layer()
    document.prepare()  # before the workers fork: each of them has it ready
    return chunked_map(partial(_read_headers, digest=digest), work, jobs=jobs, threshold=PARALLEL_THRESHOLD)


def _validate(f: _File, header: Header, config: SiteConfig) -> DocEntry | InvalidEntry:
    collection = f.collection
    layout = config.layout
    if header.error is not None:
        return InvalidEntry(f.rel, collection.name, header.error, header.line, lang=layout.folder_language(f.rel, collection))
    ref, lang = layout.ref_and_lang(f.rel, collection, header.ref, header.lang)

    def bad(reason: str, line: int | None = 1) -> InvalidEntry:
        return InvalidEntry(f.rel, collection.name, reason, line, lang=lang or layout.folder_language(f.rel, collection), ref=ref)

    if header.missing:
        names = ", ".join(f"'{k}'" for k in header.missing)
        return bad(f"missing required field{'s' if len(header.missing) > 1 else ''} {names}")
    if lang not in collection.languages:
        declared = ", ".join(collection.languages)
        return bad(f"lang '{lang}' is not one of the site's languages ({declared})", header.lang_line)
    misplaced = layout.language_problem(f.rel, collection, lang)
    if misplaced is not None:
        return bad(misplaced, header.lang_line)
    prov = header.provenance
    # Made as the cache's rows are (_entry): a named tuple's keywords cost more than the rest here.
    return tuple.__new__(DocEntry, (
        f.rel, collection.name, ref, lang, header.date, header.content_hash, header.output_hash,
        Provenance(*prov) if prov else None, header.follow, header.ready,
    ))
