"""PO text: reading and writing gettext PO files as transync's memories use them.

The model (:mod:`transync.translate.memory`) knows entries, origins and occurrences;
this module knows the file format, and works on text and bytes (a path only
names the file in error messages), as babel's ``pofile`` does beside its
``catalog``:

- :func:`write_header` and :func:`write_entry` write PO text in transync's
  layout: never wrapped, strings split after each ``\\n`` as ``msgcat`` does,
  occurrences one per line (paths with white space between Unicode isolates,
  as gettext 0.20+ writes them). The memory and ``memory export`` both write
  through them.
- :func:`read_po` reads PO bytes: a fast reader for files whose entries are
  separated by blank lines (as transync, Poedit and Weblate write them), and
  for anything else :func:`check_lines` (so that a damaged file is an error
  with its line, never a misreading) then polib. Both give the same result.
  With a cache file, a content read before is taken from there.
- :func:`write_index` and :func:`read_index`: a small cache beside it that
  keeps, for PO bytes a writer made, whatever index the writer wants back
  with them (the memory keeps where each entry ends and a hash of its key),
  so that a load of a large file needs neither the entries' strings nor a
  parse; :func:`read_entry` then reads one entry of the bytes when it is used.
- :func:`storable` and :func:`writable_path`: what a valid PO file can hold.

Errors are :class:`POFileError`, one line naming the file and line.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import re
import sys
import zlib
from pathlib import Path
from typing import Collection, Iterable, Iterator

from transync.errors import TransyncError
from transync.fsutil import atomic_write

Occurrence = tuple[str, int | None]  # (path relative to the site root, 1-based line or None)
Key = tuple[str | None, str]  # (msgctxt, msgid)
Comments = tuple[list[str], list[str], list[str], list[str]]  # translator comments, extracted comments, "#:" lines, flags

#: The header fields :func:`write_header` writes; a file's others are kept by the memory as they are.
OWN_HEADER = ("Project-Id-Version", "Language", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "X-Source-Language")


class POFileError(TransyncError):
    """PO text that cannot be read; the message is one line naming the file (and line)."""

    def __init__(self, path: str | os.PathLike[str], reason: str, line: int | None = None) -> None:
        where = f"{os.fspath(path)}:{line}" if line else os.fspath(path)
        super().__init__(f"{where}: {reason}")
        self.path = os.fspath(path)
        self.reason = reason
        self.line = line


# --------------------------------------------------------------------------- writing


def write_header(source_lang: str, target_lang: str, extra: Iterable[tuple[str, str]] = (), *, comment: str = "") -> str:
    """The header entry (after ``comment``, its ``# ...`` lines): transync's fields, then ``extra`` as they are."""
    fields = [
        ("Project-Id-Version", "transync"),
        ("Language", target_lang.replace("-", "_")),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("X-Source-Language", source_lang.replace("-", "_")),
        *extra,
    ]
    lines = ['msgid ""', 'msgstr ""']
    lines.extend(_quote(f"{k}: {v}\n") for k, v in fields)
    return comment + "\n".join(lines) + "\n"


def write_entry(
    context: str | None,
    msgid: str,
    msgstr: str,
    *,
    notes: Iterable[str] = (),
    comments: Iterable[str] = (),
    occurrences: Iterable[Occurrence] = (),
    occurrence_lines: Iterable[str] = (),
    flags: Iterable[str] = (),
    previous: str | None = None,
) -> str:
    """One entry: translator comments, extracted comments, occurrences (in the order given; or their lines, as
    :func:`format_occurrences` writes them), flags, previous msgid."""
    lines = [f"# {n}" if n else "#" for n in notes]
    lines.extend(f"#. {c}" for c in comments)
    lines.extend(format_occurrences(occurrences))
    lines.extend(occurrence_lines)
    flags = tuple(flags)
    if flags:
        lines.append("#, " + ", ".join(flags))
    if previous is not None:
        lines.extend("#| " + line for line in _field("msgid", previous))
    if context is not None:
        lines.extend(_field("msgctxt", context))
    lines.extend(_field("msgid", msgid))
    lines.extend(_field("msgstr", msgstr))
    return "\n".join(lines) + "\n"


def _field(keyword: str, value: str) -> list[str]:
    """``keyword "value"``; a value with a newline before its end gets one line per line, as msgcat writes it."""
    if "\n" not in value[:-1]:
        return [f"{keyword} {_quote(value)}"]
    parts = value.split("\n")
    lines = [f'{keyword} ""']
    for n, part in enumerate(parts):
        piece = part if n == len(parts) - 1 else part + "\n"
        if piece:
            lines.append(_quote(piece))
    return lines


def _quote(text: str) -> str:
    # The escapes polib writes and reads; every other character is written as it is.
    return '"' + (
        text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
        .replace("\v", "\\v").replace("\b", "\\b").replace("\f", "\\f").replace('"', '\\"')
    ) + '"'


# Occurrence paths with white space are wrapped in Unicode isolates, as gettext 0.20+ writes them.
_FSI, _PDI = "\u2068", "\u2069"
_OCCURRENCE_RE = re.compile(f"{_FSI}([^{_PDI}]*){_PDI}(?::(\\d+))?|(\\S+)")
_SPACE_RE = re.compile(r"\s")
_OTHER_SPACE_RE = re.compile(r"[^\S \n]")  # white space but a space or a line break
_PLAIN_OCCURRENCE_RE = re.compile(r"#: ([^\n]+):([0-9]+)\n")  # the last colon of the line: as rpartition


def format_occurrences(occurrences: Iterable[Occurrence]) -> list[str]:
    """The ``#:`` lines of occurrences, one each, in the order given."""
    occurrences = tuple(occurrences)
    if _SPACE_RE.search("".join([path for path, _ in occurrences])):
        return [f"#: {_format_occurrence(o)}" for o in occurrences]
    # No path with white space: as _format_occurrence writes them, without a search each (a common text has thousands).
    return [f"#: {path}" if line is None else f"#: {path}:{line}" for path, line in occurrences]


def occurrence_line(occ: Occurrence) -> str:
    return f"#: {_format_occurrence(occ)}"


def _format_occurrence(occ: Occurrence) -> str:
    path, line = occ
    if _SPACE_RE.search(path):
        path = f"{_FSI}{path}{_PDI}"
    return path if line is None else f"{path}:{line}"


def parse_occurrences(lines: Iterable[str]) -> Iterator[Occurrence]:
    for text in lines:
        if _FSI not in text and not _SPACE_RE.search(text):  # one plain "path:line", as transync writes them
            tokens: Iterable[str] = (text,)
        else:
            tokens = []
            for m in _OCCURRENCE_RE.finditer(text):
                if m.group(3) is None:
                    yield m.group(1), int(m.group(2)) if m.group(2) else None
                else:
                    tokens.append(m.group(3))
        for token in tokens:
            path, sep, line = token.rpartition(":")
            if sep and line.isdigit() and path:
                yield path, int(line)
            else:
                yield token, None


def sorted_occurrences(occurrences: Collection[Occurrence]) -> tuple[Occurrence, ...]:
    """Occurrences in the order ``#:`` lines list them: by path, then line (no line first)."""
    if len(occurrences) < 2:
        return tuple(occurrences)
    try:
        # Tuples compare as occurrence_order does, as long as no path has an occurrence with a
        # line and one without (None and a number do not compare): a common text has thousands.
        return tuple(sorted(occurrences))
    except TypeError:
        return tuple(sorted(occurrences, key=occurrence_order))


def plain(text: str) -> bool:
    """Whether ``#:`` lines (each ending with a newline) hold one plain occurrence each (no white space in a path), as most are written."""
    lines = text.count("\n")
    return not (
        not text.startswith("#: ")
        or text.count("\n#: ") != lines - 1
        or text.count(" ") != lines  # the one space of each line is its "#: "
        or not text.endswith("\n")
        or "#: \n" in text
        or _FSI in text
        or _OTHER_SPACE_RE.search(text)
    )


def line_order(line: str) -> tuple[str, int]:
    """The place of a plain ``#:`` line among others: what :func:`sorted_occurrences` orders its occurrence by."""
    occ = line[3:]
    path, sep, number = occ.rpartition(":")
    return (path, int(number)) if sep and number.isdigit() and path else (occ, -1)


def occurrence_order(occ: Occurrence) -> tuple[str, int]:
    """What :func:`sorted_occurrences` orders occurrences by."""
    return occ[0], -1 if occ[1] is None else occ[1]


def plain_occurrences(text: str) -> list[Occurrence] | None:
    """The occurrences of ``#:`` lines (each ending with a newline) that hold one plain occurrence each (:func:`plain`); None for any other."""
    if not plain(text):
        return None
    lines = text.count("\n")
    found = _PLAIN_OCCURRENCE_RE.findall(text)
    if len(found) == lines:  # every line "path:line": most
        return list(zip([path for path, _ in found], map(int, [number for _, number in found])))
    found = []
    for line in text[3:-1].split("\n#: "):
        path, sep, number = line.rpartition(":")
        found.append((path, int(number)) if sep and number.isdigit() and path else (line, None))
    return found


def writable_path(path: str) -> bool:
    """Whether a ``#:`` line can hold a path, so that it reads back as the same path.

    Not a path with a line break or NUL (it would end the comment line) or a
    Unicode isolate (they delimit paths with spaces), nor one that is not
    UTF-8 (a file name in another encoding reaches Python as lone
    surrogates). Such an occurrence is left out; its entry is kept.
    """
    if any(ch in path for ch in "\n\r\x00" + _FSI + _PDI):
        return False
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def storable(source: str, translation: str, context: str | None) -> str | None:
    """Why a PO file (as msgfmt checks it) cannot hold this entry, or None."""
    if "\x00" in source or "\x00" in translation or (context is not None and ("\x00" in context or "\x04" in context)):
        return "a NUL character cannot be stored in a PO file"
    if source.startswith("\n") != translation.startswith("\n"):
        return "msgid and msgstr must both begin with a newline, or neither (msgfmt rejects it)"
    if source.endswith("\n") != translation.endswith("\n"):
        return "msgid and msgstr must both end with a newline, or neither (msgfmt rejects it)"
    return None


def snippet(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


# --------------------------------------------------------------------------- reading


# The cache of read files: marshal, as the header cache, keyed by the file's content.
_CACHE_FORMAT = 3


def cache_file(cache_dir: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Where :func:`read_po` keeps what it read of the file at ``path``, under a cache folder."""
    name = hashlib.sha1(os.fsencode(os.path.abspath(path))).hexdigest()[:16]
    return Path(cache_dir) / "memory" / f"{name}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"


def index_file(cache: Path) -> Path:
    """Where :func:`write_index` keeps the index of the file whose :func:`cache_file` is ``cache``."""
    return cache.with_name(cache.name[: -len(".marshal")] + ".index.marshal")


def _cache_stamp(digest: object) -> tuple:
    from transync import __version__

    return (_CACHE_FORMAT, __version__, digest)


def _cache_read(file: Path, digest: object) -> tuple | None:
    """The items after the stamp of a cache file made for this content, or None; anything unexpected counts as no cache."""
    try:
        stamp, *items = marshal.loads(file.read_bytes())
    except Exception:
        return None
    return tuple(items) if stamp == _cache_stamp(digest) else None


def _cache_write(file: Path, digest: object, *items: object) -> None:
    try:
        atomic_write(file, marshal.dumps((_cache_stamp(digest), *items)))
    except (OSError, ValueError):
        pass  # a cache that cannot be written only costs time


def index_key(chunks: Iterable[bytes | memoryview]) -> tuple[int, int]:
    """What :func:`write_index` keys an index by: the bytes' length and CRC-32 (compute it beforehand to pass it as ``key``)."""
    return _index_key(chunks)


def _index_key(chunks: Iterable[bytes | memoryview]) -> tuple[int, int]:
    # The index is read on every load of a large memory, so it is keyed by length and CRC-32 (four
    # times cheaper than SHA-1): it only ever meets bytes of the same file, and every entry it
    # finds is checked against the key that was looked up (see Memory).
    size = crc = 0
    for chunk in chunks:
        size += len(chunk)
        crc = zlib.crc32(chunk, crc)
    return size, crc


def write_index(file: Path, chunks: Iterable[bytes | memoryview], header: list[tuple[str, str]], index: object, *, key: tuple[int, int] | None = None) -> None:
    """Keep ``index`` (marshal's types) with the header fields of PO bytes (in pieces), for :func:`read_index` of the same bytes."""
    _cache_write(file, key or _index_key(chunks), header, index)


def read_index(file: Path, data: bytes) -> tuple[list[tuple[str, str]], object] | None:
    """The header fields and the index that :func:`write_index` kept for these bytes, or None."""
    found = _cache_read(file, _index_key([data]))
    return None if found is None or len(found) != 2 else (found[0], found[1])


def header_of(data: bytes) -> list[tuple[str, str]]:
    """The header fields of PO bytes that begin with a header entry as :func:`write_header` writes it (up to its end)."""
    block = _block(data.rstrip(b"\n"))
    return [] if block is None else _header_fields(block[2])


def read_entry(block: bytes, path: str | os.PathLike[str] = "<string>") -> tuple[str | None, str, str, bytes | Comments]:
    """Context, msgid, msgstr and comment lines (as :func:`read_po` gives them) of one entry's lines, without the final newline."""
    # As _read_fast takes most entries: keywords one line each, nothing to unescape.
    i = block.find(b'msgid "')
    j = block.find(b'\nmsgstr "', i) if i >= 0 else -1
    c = block.find(b'msgctxt "', 0, i) if j >= 0 else -1
    start = i if c < 0 else c
    if (
        j >= 0
        and (start == 0 or block[start - 1] == 10)
        and block.count(b"\n", start) == (1 if c < 0 else 2)
        and (c < 0 or block[i - 1] == 10)
        and block.find(b"\\", start) < 0
        and block.count(b'"', start) == (4 if c < 0 else 6)
        and block[j - 1] == 34
        and block[-1] == 34
        and (c < 0 or block[i - 2] == 34)
    ):
        head = block[:start]
        if not head or (head[0] == 35 and head.count(b"\n") == head.count(b"\n#") + 1):
            try:
                if not head.isascii():
                    head.decode("utf-8")
                context = None if c < 0 else block[c + 9 : i - 2].decode("utf-8")
                return context, block[i + 7 : j - 1].decode("utf-8"), block[j + 9 : -1].decode("utf-8"), head
            except UnicodeDecodeError:
                pass
    try:
        read = _block(block)
    except (_NotSimple, UnicodeDecodeError):
        read = None
    if read is None:
        records = _read_careful(block + b"\n", path)
        if len(records[1]) != 1:
            raise POFileError(path, "not one translated entry where the memory's index says one is")
        (context, msgid), (msgstr, head) = next(iter(records[1].items()))
        return context, msgid, msgstr, head
    return read


def entry_key(block: bytes, path: str | os.PathLike[str] = "<string>") -> Key:
    """The (msgctxt, msgid) of one entry's lines, without reading its comment lines."""
    cut = 0 if block.startswith(b"msg") else block.find(b"\nmsg") + 1
    context, msgid, _, _ = read_entry(block[cut:] if cut else block, path)
    return context, msgid


class _NotSimple(Exception):
    """The fast reader does not handle this file: polib reads it."""


_UNESCAPE = ((b'\\"', b'"'), (b"\\n", b"\n"), (b"\\t", b"\t"), (b"\\r", b"\r"), (b"\\v", b"\v"), (b"\\b", b"\b"), (b"\\f", b"\f"))


def _unescape(inner: bytes) -> bytes:
    """The text between the quotes of a string, unescaped as polib does; _NotSimple for anything unusual.

    Works on UTF-8 bytes: no byte of a multi-byte character is a quote or a
    backslash, and bytes are several times faster to slice than a text that
    holds a character outside the BMP.
    """
    if b"\\" not in inner:
        if b'"' in inner:
            raise _NotSimple
        return inner
    quotes = inner.count(b'\\"')
    if inner.count(b"\\") == quotes and inner.count(b'"') == quotes and b"\\\\" not in inner:
        return inner.replace(b'\\"', b'"')  # only escaped quotes: Markdown's usual case
    parts = inner.split(b"\\\\")  # what is left of a backslash now starts a one-character escape
    for n, part in enumerate(parts):
        if b"\\" in part:
            if part.count(b'"') != part.count(b'\\"'):
                raise _NotSimple
            for escaped, char in _UNESCAPE:
                part = part.replace(escaped, char)
            if b"\\" in part:
                raise _NotSimple  # an escape polib does not know, or a closing quote escaped
            parts[n] = part
        elif b'"' in part:
            raise _NotSimple
    return b"\\".join(parts)


def _unquote(line: bytes) -> bytes:
    """The value of one quoted line."""
    if len(line) < 2 or line[0] != 34 or line[-1] != 34:  # '"'
        raise _NotSimple
    return _unescape(line[1:-1])


def _value(raw: bytes) -> str:
    """The value of a keyword's string lines (``"..."`` each), joined."""
    if b"\n" not in raw:
        return _unquote(raw).decode("utf-8")
    lines = raw.split(b"\n")
    for line in lines:
        if len(line) < 2 or line[0] != 34 or line[-1] != 34:
            raise _NotSimple
        if line[-2] == 92 and (len(line) - 1 - len(line[:-1].rstrip(b"\\"))) % 2:
            raise _NotSimple  # the closing quote is escaped: the string goes on past its line
    # Escapes never span lines, so the joined contents unescape as the lines would one by one.
    return _unescape(b"".join([line[1:-1] for line in lines])).decode("utf-8")


def _block(block: bytes) -> tuple[str | None, str, str, bytes] | None:
    """Context, msgid, msgstr and comment lines of one entry (or the header); None when it is unusual."""
    head = b""
    rest = block
    if block[0] == 35:  # "#"
        cut = block.find(b"\nmsg")
        if cut < 0:
            return None
        head, rest = block[: cut + 1], block[cut + 1 :]
        for raw in head[:-1].split(b"\n"):
            c = raw.decode("utf-8")
            if c != c.strip() or not (c[:3] in ("#: ", "#. ", "#, ") or c == "#" or c[:2] == "# "):
                return None  # "#~", "#|", "#:" alone...: polib's business
    context = None
    if rest.startswith(b"msgctxt "):
        cut = rest.find(b"\nmsgid ")
        if cut < 0:
            return None
        context = _value(rest[8:cut])
        rest = rest[cut + 1 :]
    if not rest.startswith(b"msgid "):
        return None
    cut = rest.find(b"\nmsgstr ")
    if cut < 0:
        return None
    return context, _value(rest[6:cut]), _value(rest[cut + 8 :]), head


def comment_lines(head: bytes | Comments) -> Comments:
    """Translator comments, extracted comments, occurrence lines and flags of an entry's comment lines (as read_po gives them)."""
    if type(head) is tuple:
        return head  # read by polib: parsed already
    notes: list[str] = []
    comments: list[str] = []
    occurrences: list[str] = []
    flags: list[str] = []
    for c in head.decode("utf-8").split("\n"):
        c = c.strip()
        kind = c[:2]
        if not c or kind in ("#~", "#|") or c in ("#:", "#.", "#,"):
            continue  # as polib: obsolete and previous lines are of no use, empty ones say nothing
        if kind == "#:":
            occurrences.append(c[2:].strip())
        elif kind == "#.":
            comments.append(c[3:] if c.startswith("#. ") else c[2:])
        elif kind == "#,":
            flags.extend(f.strip() for f in c[2:].split(","))
        else:
            notes.append(c[2:] if c.startswith("# ") else c[1:])
    return notes, comments, occurrences, flags


def _header_fields(msgstr: str) -> list[tuple[str, str]]:
    # As polib reads metadata: "Key: value" lines, a line without a colon continues the previous value.
    fields: list[tuple[str, str]] = []
    for raw in msgstr.split("\n"):
        if not raw:
            continue
        key, sep, value = raw.partition(":")
        if sep:
            fields.append((key, value.strip()))
        elif fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + "\n" + raw.strip())
    return fields


_QUOTED = re.compile(r'"[^"\\]*(?:\\[\\ntrvbf"][^"\\]*)*"')
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(.*)")


def check_lines(text: str, path: str | os.PathLike[str] = "<string>") -> None:
    """Check every line polib would read, so that a damaged file is an error, never a misreading.

    polib takes a string's value as what lies between the first and the last
    character of its line, so a file cut inside a string would silently lose
    a character; this catches that and an entry cut before its msgstr.
    """
    state = None  # the last keyword of the entry being read
    last = 0
    for n, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if state in ("msgctxt", "msgid", "msgid_plural"):
                raise POFileError(path, f"not a valid PO file: {state} without msgstr", last)
            continue
        m = _KEYWORD.fullmatch(line)
        if m:
            keyword, value = m.group(1), m.group(2)
            if keyword.startswith("msgstr["):
                keyword = "msgstr[]"
            allowed = {
                "msgctxt": (None, "msgstr", "msgstr[]"),
                "msgid": (None, "msgctxt", "msgstr", "msgstr[]"),
                "msgid_plural": ("msgid",),
                "msgstr": ("msgid",),
                "msgstr[]": ("msgid_plural", "msgstr[]"),
            }[keyword]
            if state not in allowed:
                raise POFileError(path, f"not a valid PO file: unexpected {keyword.replace('[]', '[N]')}", n)
            state, last = keyword, n
        elif line.startswith('"'):
            if state is None:
                raise POFileError(path, "not a valid PO file: a string outside an entry", n)
            value = line
        else:
            raise POFileError(path, f"not a valid PO file: unexpected text {snippet(line)}", n)
        if not _QUOTED.fullmatch(value):
            raise POFileError(path, f"not a valid PO file: malformed string {snippet(value)} (unclosed quote, or an unknown escape)", n)
    if state in ("msgctxt", "msgid", "msgid_plural"):
        raise POFileError(path, f"not a valid PO file: {state} without msgstr (is the file cut short?)", last)


def read_po(data: bytes, path: str | os.PathLike[str] = "<string>", *, cache: Path | None = None) -> tuple[list[tuple[str, str]], dict[Key, tuple[str, bytes | Comments]]]:
    """The header fields and the translated entries of PO bytes; POFileError (with its line) when they are unusable.

    Entries map (msgctxt, msgid) to (msgstr, comment lines): the comment lines
    stay bytes as read until :func:`comment_lines` parses them, because a
    memory uses few of its entries in a run. Obsolete, plural and untranslated
    entries are left out; an empty msgid (other than the header's), a
    duplicate entry or an entry that :func:`storable` refuses is an error.
    With ``cache`` (a file, see :func:`cache_file`), a content read before is
    taken from there, and what the fast reader read is kept there.
    """
    digest = hashlib.sha1(data).hexdigest() if cache is not None else ""
    if cache is not None and (cached := _cache_read(cache, digest)) is not None and len(cached) == 2:
        header, items = cached
        return header, {(context, msgid): (msgstr, head) for context, msgid, msgstr, head in items}
    read = _read_fast(data, path)
    if read is not None:
        if cache is not None:
            _cache_write(cache, digest, read[0], [(k[0], k[1], v[0], v[1]) for k, v in read[1].items()])
        return read
    return _read_careful(data, path)


def _read_fast(data: bytes, path: str | os.PathLike[str]) -> tuple[list[tuple[str, str]], dict[Key, tuple[str, bytes | Comments]]] | None:
    """Read a file whose entries are separated by blank lines, as transync, Poedit and Weblate write them.

    An entry as transync writes most of them (msgctxt, msgid and msgstr on
    one line each) is taken with a few bounded searches of the bytes and
    its decodes; any other goes through :func:`_block`. Comment lines
    stay bytes. Returns None, having read nothing usable, for anything
    unusual or wrong: the careful reader then reads the file and says
    what is wrong.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        return None
    if b"\r" in data:
        if data.count(b"\r") != data.count(b"\r\n"):
            return None
        data = data.replace(b"\r\n", b"\n")
    end = len(data)
    while end and data[end - 1] == 10:
        end -= 1
    find = data.find
    count = data.count
    records: dict[Key, tuple[str, bytes | Comments]] = {}
    counted = [0, 1]  # (offset, its line): lines are counted forward only when needed

    def line_at(offset: int) -> int:
        counted[1] += count(b"\n", counted[0], offset)
        counted[0] = offset
        return counted[1]

    header: list[tuple[str, str]] = []
    a = 0
    first = True
    try:
        while a < end:
            if data[a] == 10:  # more than one blank line
                while a < end and data[a] == 10:
                    a += 1
                if a >= end:
                    break
            e = find(b"\n\n", a, end)
            if e < 0:
                e = end
            i = find(b'msgid "', a, e)
            j = find(b'\nmsgstr "', i, e) if i >= 0 else -1
            c = find(b'msgctxt "', a, i) if j >= 0 else -1
            start = i if c < 0 else c
            plain = False
            if (
                j >= 0
                and not first
                and (start == a or data[start - 1] == 10)  # keywords at the start of a line
                and count(b"\n", start, e) == (1 if c < 0 else 2)  # one line each
                and (c < 0 or data[i - 1] == 10)
            ):
                head = data[a:start]
                if head and (head[0] != 35 or head.count(b"\n") != head.count(b"\n#") + 1):
                    return None  # a line that is not a comment before the msgid
                if not head.isascii():
                    head.decode("utf-8")  # checked now, parsed when needed
                if (
                    find(b"\\", start, e) < 0
                    and count(b'"', start, e) == (4 if c < 0 else 6)
                    and data[j - 1] == 34  # closing quotes
                    and data[e - 1] == 34
                    and (c < 0 or data[i - 2] == 34)
                ):  # nothing to unescape: most entries
                    plain = True
                    context = None if c < 0 else data[c + 9 : i - 2].decode("utf-8")
                    msgid = data[i + 7 : j - 1].decode("utf-8")
                    msgstr = data[j + 9 : e - 1].decode("utf-8")
                else:
                    context = None if c < 0 else _unquote(data[c + 8 : i - 1]).decode("utf-8")
                    msgid = _unquote(data[i + 6 : j]).decode("utf-8")
                    msgstr = _unquote(data[j + 8 : e]).decode("utf-8")
            else:
                block = _block(data[a:e])
                if block is None:
                    return None
                context, msgid, msgstr, head = block
                if first and msgid == "" and context is None:
                    header = _header_fields(msgstr)
                    first = False
                    a = e + 2
                    continue
            first = False
            a = e + 2
            if not msgid:
                return None  # only the header may have an empty msgid: the careful reader says so
            if not msgstr:
                continue  # untranslated: of no use
            if not plain and (problem := storable(msgid, msgstr, context)):
                raise POFileError(path, problem, line_at(start))
            key = (context, msgid)
            if key in records:
                raise POFileError(path, f"duplicate entry for msgid {snippet(msgid)}", line_at(start))
            records[key] = (msgstr, head)  # a _Record once its comment lines are read
    except (_NotSimple, UnicodeDecodeError):
        return None
    return header, records


def _read_careful(data: bytes, path: str | os.PathLike[str]) -> tuple[list[tuple[str, str]], dict[Key, tuple[str, bytes | Comments]]]:
    """Any PO file: every line checked (:func:`check_lines`), then read by polib."""
    from transync.document import decode
    from transync.errors import DocumentError

    try:
        text, _bom = decode(data)
    except DocumentError as exc:
        raise POFileError(path, exc.reason, exc.line) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise POFileError(path, "NUL character: not a PO file", line)
    check_lines(text, path)
    po = _polib_read(text, path)
    records: dict[Key, tuple[str, bytes | Comments]] = {}
    for e in po:
        if e.obsolete or e.msgid_plural or not e.msgstr:
            continue  # obsolete, plural and untranslated entries are of no use to transync
        line = e.linenum or 0
        if not e.msgid:
            raise POFileError(path, "an entry has an empty msgid (only the header may)", line)
        problem = storable(e.msgid, e.msgstr, e.msgctxt)
        if problem:
            raise POFileError(path, problem, line)
        key = (e.msgctxt, e.msgid)
        if key in records:
            raise POFileError(path, f"duplicate entry for msgid {snippet(e.msgid)}", line)
        occ = " ".join(f"{f}:{n}" if n else f for f, n in e.occurrences)
        records[key] = (e.msgstr, (
            e.tcomment.split("\n") if e.tcomment else [],
            e.comment.split("\n") if e.comment else [],
            [occ] if occ else [],
            list(e.flags),
        ))
    return list(po.metadata.items()), records


class _FileLines(str):
    """PO text that polib splits into lines as it splits a file it opens.

    polib takes a text that is not a file name apart with ``str.splitlines``,
    which also breaks at U+2028, form feeds and other separators that
    Markdown may hold inside a string; a file is read with universal
    newlines, which break only at ``\\n``, ``\\r\\n`` and ``\\r``.
    """

    def splitlines(self, keepends: bool = False) -> list[str]:  # type: ignore[override]
        return io.StringIO(str(self), newline=None).readlines()


def _polib_read(text: str, path: str | os.PathLike[str]):
    import polib

    try:
        return polib.pofile(_FileLines(text), encoding="utf-8", wrapwidth=0)
    except Exception as exc:  # polib reports syntax errors as OSError with the line in the text
        message = str(exc)
        m = re.search(r"\(line (\d+)\)", message)
        detail = message.split("):", 1)[1].strip() if "):" in message else "syntax error"
        raise POFileError(path, f"not a valid PO file: {detail}", int(m.group(1)) if m else None) from None
