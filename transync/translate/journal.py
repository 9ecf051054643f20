"""The translation memory's journal and lock: what makes a memory durable and safe to share.

Beside each memory ``<folder>/<src>-<tgt>.po`` transync keeps two working files
(add ``.transync/memory/.*`` to ``.gitignore``; neither is part of the memory
a site commits):

- ``.<src>-<tgt>.po.lock``, an empty file that a process holds an exclusive
  ``fcntl.flock`` on while it appends to the journal and while it reads,
  merges and writes the PO file. A process that dies loses its lock. A save
  removes it with the journal; a process that got the lock of a file removed
  meanwhile sees that (the path is no longer its file) and locks again.
- ``.<src>-<tgt>.po.journal``, append-only. Every change a run makes
  (:meth:`transync.translate.memory.Memory.put`, ``replace_occurrences``) is appended
  and fsynced (:meth:`Memory.sync`) before the document it belongs to is
  written, so a kill (even SIGKILL) loses no entry of a written document.
  :meth:`Memory.load` replays it after the PO file; :meth:`Memory.save` folds
  it into the PO file and keeps it as the last folded journal (below).

A save keeps the journal it folded in, as ``.<src>-<tgt>.po.folded``
(replacing the one before): an editor that read the PO file before the save
and writes it after (Poedit holding an older copy) drops the entries the save
added; the next load gives back every entry of the folded journal that the
file no longer has (and changes nothing else).

A journal is a sequence of records, each ``MAGIC`` (4 bytes), the payload's
length (4 bytes, big-endian), a CRC-32 of length and payload (4 bytes), then
the payload: UTF-8 JSON. The first record is a header with a random
generation (a new one each time the journal is created, so a process can
tell "the journal it read" from "a new journal that happens to be as long").
A record that is cut short or fails its checksum ends the journal for a
reader: it can only be the last one, written by a process killed in the
middle, because the next writer (holding the lock) cuts such a tail off
before it appends. Nothing after a bad record is ever read as a record.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import struct
import zlib
from pathlib import Path
from typing import Any, Iterator

try:
    import fcntl
except ImportError:  # Windows: no flock; a memory is then not safe to share between processes
    fcntl = None  # type: ignore[assignment]

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
MAGIC = b"TSJ1"
_HEAD = struct.Struct(">4sII")  # magic, payload length, crc32(length + payload)
_MAX_RECORD = 256 * 1024 * 1024  # a length beyond this is damage, not a record
_MAX_HEADER = 1024
FORMAT = 1


class JournalError(Exception):
    """A journal file cannot be used; ``reason`` is one line (the caller names the file)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def lock_path(memory_path: Path) -> Path:
    return memory_path.with_name(f".{memory_path.name}.lock")


def journal_path(memory_path: Path) -> Path:
    return memory_path.with_name(f".{memory_path.name}.journal")


def folded_path(memory_path: Path) -> Path:
    return memory_path.with_name(f".{memory_path.name}.folded")


@contextlib.contextmanager
def locked(path: Path, *, create: bool = True) -> Iterator[bool]:
    """Hold the exclusive lock of a lock file; yields False when the file cannot be opened.

    With ``create`` (a process about to write) a lock file that cannot be
    created raises OSError; without it (a reader) it yields False and the
    caller reads unlocked: a folder nobody can write to has no writer to
    wait for.
    """
    flags = os.O_RDWR | _CLOEXEC | (os.O_CREAT if create else 0)
    while True:
        try:
            fd = os.open(path, flags, 0o666)
        except OSError:
            if create:
                raise
            yield False
            return
        if fcntl is None:
            break
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released when fd closes, or when the process dies
            held = os.fstat(fd)
            now = os.stat(path)
            if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                break
        except FileNotFoundError:
            if not create:
                os.close(fd)
                yield False
                return
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the lock file was removed while this process waited: lock the new one
    try:
        yield True
    finally:
        os.close(fd)


def record(payload: Any) -> bytes:
    """One journal record: header, then the payload as UTF-8 JSON."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    length = struct.pack(">I", len(body))
    return _HEAD.pack(MAGIC, len(body), zlib.crc32(body, zlib.crc32(length))) + body


def scan(data: bytes, start: int = 0) -> Iterator[tuple[int, int, Any]]:
    """``(offset, end, payload)`` of each whole record from ``start``; stops at the first that is not."""
    pos = start
    size = len(data)
    while pos + _HEAD.size <= size:
        magic, length, crc = _HEAD.unpack_from(data, pos)
        end = pos + _HEAD.size + length
        if magic != MAGIC or length > _MAX_RECORD or end > size:
            return
        body = data[pos + _HEAD.size : end]
        if zlib.crc32(body, zlib.crc32(struct.pack(">I", length))) != crc:
            return
        try:
            payload = json.loads(body.decode("utf-8"))
        except ValueError:
            return  # cannot pass the checksum in practice; never read as a record all the same
        yield pos, end, payload
        pos = end


class Journal:
    """The journal of one memory file, as one process sees it.

    ``generation`` and ``end`` are those of the journal as this process last
    read or wrote it: where its next append can start checking from.
    """

    def __init__(self, memory_path: Path) -> None:
        self.path = journal_path(memory_path)
        self.generation: str | None = None
        self.end = 0

    def read(self) -> tuple[str | None, int, list[tuple[int, int, Any]]]:
        """The journal's generation, where its header ends, and its records after the header.

        ``(None, 0, [])`` when there is no journal.

        Call it holding the lock.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None, 0, []
        except OSError as exc:
            raise JournalError(self.path, f"cannot read the translation memory's journal: {exc.strerror or exc}") from None
        records = list(scan(data))
        generation = _generation(records[0][2]) if records else None
        if generation is None:
            if len(data) > _MAX_HEADER:
                raise JournalError(self.path, "not a journal this version of transync can read: move it away to go on")
            return None, 0, []  # a header cut short: the journal was being created when its writer died
        return generation, records[0][1], records[1:]

    def append(self, payloads: list[Any]) -> tuple[str, int, bool]:
        """Append records and fsync them; call it holding the lock.

        Returns the journal's generation, the offset the records were written
        at (what was in the journal before them ends there) and whether this
        call created the journal.

        A torn tail left by a killed writer is cut off first, so that records
        follow each other with nothing in between. On an error the journal is
        cut back to where it was, and OSError is raised.
        """
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _CLOEXEC, 0o666)
        try:
            size = os.fstat(fd).st_size
            header = _header(fd, size)
            created = header is None
            out = bytearray()
            if header is None:  # no journal yet, or a header cut short: start a new one
                if size > _MAX_HEADER:
                    raise JournalError(self.path, "not a journal this version of transync can read: move it away to go on")
                end = 0
                generation = secrets.token_hex(8)
                out += record({"journal": FORMAT, "generation": generation})
            else:
                generation, end = header
                # Only what others appended since this process last looked needs checking.
                if generation == self.generation and end <= self.end <= size:
                    end = self.end
                end += max((last for _, last, _ in scan(_read_all(fd, end, size))), default=0)
            first = end + len(out)
            for payload in payloads:
                out += record(payload)
            try:
                if end < size:
                    os.ftruncate(fd, end)  # a torn record: its writer died before the end of it
                _write_all(fd, bytes(out), end)
                os.fsync(fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, end)
                raise
            if created:
                sync_folder(self.path.parent)  # the journal's name must survive a crash too
            self.generation, self.end = generation, end + len(out)
            return generation, first, created
        finally:
            os.close(fd)

    def fold(self) -> None:
        """The journal is in the PO file now: keep it as the last folded journal (see the module docstring)."""
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.path, self.path.with_name(self.path.name[: -len(".journal")] + ".folded"))
        self.generation, self.end = None, 0

    def read_folded(self) -> list[tuple[int, int, Any]]:
        """The records of the last folded journal (none when there is none, or it is damaged)."""
        try:
            data = self.path.with_name(self.path.name[: -len(".journal")] + ".folded").read_bytes()
        except OSError:
            return []
        records = list(scan(data))
        return records[1:] if records and _generation(records[0][2]) else []


def _generation(payload: Any) -> str | None:
    if isinstance(payload, dict) and payload.get("journal") == FORMAT and isinstance(payload.get("generation"), str):
        return payload["generation"]
    return None


def _header(fd: int, size: int) -> tuple[str, int] | None:
    """The generation of an open journal and where its header ends; None when it has no whole header."""
    head = _read_all(fd, 0, min(size, _HEAD.size))
    if len(head) < _HEAD.size:
        return None
    length = _HEAD.unpack(head)[1]
    if length > _MAX_HEADER:
        return None
    first = next(scan(_read_all(fd, 0, min(size, _HEAD.size + length))), None)
    generation = _generation(first[2]) if first else None
    return None if generation is None else (generation, first[1])  # type: ignore[index]


def _read_all(fd: int, offset: int, size: int) -> bytes:
    chunks = []
    os.lseek(fd, offset, os.SEEK_SET)
    while offset < size:
        chunk = os.read(fd, size - offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    os.lseek(fd, offset, os.SEEK_SET)
    while view:
        n = os.write(fd, view)
        if n == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[n:]


def sync_folder(folder: Path) -> None:
    """fsync a folder, so that a file created or renamed in it is there after a crash."""
    try:
        fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not sync folders; the data itself is synced
    finally:
        os.close(fd)
