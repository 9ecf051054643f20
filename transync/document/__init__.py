"""One Markdown document: YAML front matter and a body, read exactly as written.

The front matter is found the way Jekyll finds it (a first line ``---``, a
closing line ``---`` or ``...``, trailing spaces allowed, LF or CRLF) and its
YAML is parsed by PyYAML's safe loader (as python-frontmatter does), with no
anchors or aliases. The text is kept whole, with offsets, so that later
layers can rewrite a single line or the body without re-rendering anything
else.

This package is the document layer; the model and its parser live here, in
its ``__init__``, and each module beside it owns one part of a document:
``segments`` (the body cut into translatable pieces), ``placeholders`` and
``patterns`` (what translation must keep), ``mdx`` (what an MDX body holds
besides Markdown), ``outline`` (a body's math, code,
URLs, citations, headings and tables, with lines), ``frontmatter_edit``
(rewriting one field in place), ``provenance`` (the source hashes a
translation records) and ``fields`` (the per-field rules).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import dataclass
from os import PathLike
from functools import lru_cache
from typing import Any, Iterable, Mapping, NamedTuple

from transync.errors import DocumentError

BOM = "\ufeff"
_OPEN_RE = re.compile(r"---[ \t]*\r?\n")
_CLOSE_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\r?\Z)", re.MULTILINE)


@dataclass(frozen=True)
class Document:
    """A parsed document. ``text`` excludes a leading BOM; offsets index into it."""

    text: str
    meta: dict[str, Any]
    front_matter: str  # the YAML between the delimiters, as written
    yaml_start: int  # offset of the first YAML character
    body_start: int  # offset of the first body character
    bom: bool = False
    syntax: str = "md"  # "mdx" for a .mdx file (see mdx.syntax_of): how its body is segmented

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    @property
    def yaml_line(self) -> int:
        """1-based line number of the first line of YAML."""
        return self.text.count("\n", 0, self.yaml_start) + 1

    def line_of_key(self, key: str) -> int:
        """1-based line of a top-level front-matter key, or of the opening delimiter."""
        quoted = re.escape(key)
        match = re.search(rf"^(?:{quoted}|\"{quoted}\"|'{quoted}')[ \t]*:", self.front_matter, re.MULTILINE)
        if not match:
            return 1
        return self.yaml_line + self.front_matter.count("\n", 0, match.start())


def decode(data: bytes) -> tuple[str, bool]:
    """Decode UTF-8 strictly; a leading BOM is removed and reported."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DocumentError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", line
        ) from None
    if text.startswith(BOM):
        return text[1:], True
    return text, False


def split_front_matter(text: str) -> tuple[int, int, int]:
    """Return ``(yaml_start, yaml_end, body_start)`` offsets, or raise DocumentError."""
    if not text.strip():
        raise DocumentError("empty file", 1)
    opening = _OPEN_RE.match(text)
    if not opening:
        raise DocumentError("no front matter (the first line must be '---')", 1)
    closing = _CLOSE_RE.search(text, opening.end())
    if not closing:
        raise DocumentError("front matter is not closed (no line '---' after the opening one)", 1)
    return opening.end(), closing.start(), closing.end()


#: How many nodes a YAML text may stand for once its aliases are expanded.
#: Aliases share one object, but everything downstream (hashes, JSON, checks)
#: walks the expanded tree: 500 bytes of nested aliases ("billion laughs")
#: expand to ~10^9 nodes and take minutes and gigabytes. The largest
#: ``_config.yml`` of a real site is a few thousand nodes.
MAX_YAML_NODES = 100_000


@lru_cache(maxsize=None)
def _loader():
    import yaml
    from yaml.nodes import ScalarNode

    # python-frontmatter's choice: PyYAML's C loader when present.
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if base.yaml_path_resolvers:
        return base

    class Loader(base):
        """The safe loader, resolving each distinct plain scalar's type once per process.

        The parser asks the resolver for every node; with no path resolvers (the safe
        loader has none) the answer depends on the scalar's text and quoting alone, and
        front matter repeats the same keys and values in every file.
        """

        def resolve(self, kind, value, implicit, _known={}, _resolve=base.resolve):  # noqa: B006 - the memo
            if kind is not ScalarNode:
                return _resolve(self, kind, value, implicit)
            key = (value, implicit)
            tag = _known.get(key)
            if tag is None:
                tag = _resolve(self, kind, value, implicit)
                if len(_known) < 100_000:
                    _known[key] = tag
            return tag

        def descend_resolver(self, current_node, current_index):
            pass  # no path resolvers to follow

        def ascend_resolver(self):
            pass

    return Loader


def _first_anchor(text: str) -> tuple[str, int] | None:
    """``("&name" or "*name", 0-based line)`` of the first anchor or alias, else None."""
    if "&" not in text and "*" not in text:
        return None  # the usual case: no event scan needed
    import yaml

    for event in yaml.parse(text, Loader=_loader()):
        if isinstance(event, yaml.AliasEvent):
            return f"*{event.anchor}", event.start_mark.line
        if getattr(event, "anchor", None):
            return f"&{event.anchor}", event.start_mark.line
    return None


def _expanded_size(node, sizes: dict[int, int], limit: int) -> int:
    """Nodes of the tree under ``node`` with aliases expanded, stopping past ``limit``.

    Each node is counted once per path through it, but sized once (``sizes``),
    so this is linear in the composed graph however far it would expand. A
    recursive alias (``&a [*a]``) counts as unbounded.
    """
    key = id(node)
    if key in sizes:
        if sizes[key] < 0:
            return limit + 1  # reached again while being sized: a cycle
        return sizes[key]
    sizes[key] = -1
    total = 1
    if isinstance(node.value, list):
        for child in node.value:
            parts = child if isinstance(child, tuple) else (child,)  # mapping items are (key, value)
            for part in parts:
                total += _expanded_size(part, sizes, limit)
                if total > limit:
                    sizes[key] = total
                    return total
    sizes[key] = total
    return total


class _Unusual(Exception):
    """A node :func:`_construct` leaves to PyYAML's own constructor."""


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_KEY_TAGS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})


def _construct(loader, node) -> Any:
    """What ``loader.construct_document(node)`` returns, built faster for plain trees.

    PyYAML's constructor handles every node through generators and bookkeeping for
    recursive structures; front matter is a small tree of mappings, sequences and
    scalars, and building it directly takes a fraction of the time. Scalars other than
    strings are still made by the loader's own constructors (ints, floats, dates...,
    YAML 1.1 as PyYAML reads it). Anything else (a merge key, an explicit tag other
    than these, an unhashable key, a shared node) goes to PyYAML's constructor,
    which returns or raises what it always did.
    """
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    constructors = loader.yaml_constructors
    seen: set[int] = set()

    def build(node) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            if node.tag == _STR:
                return node.value
            make = constructors.get(node.tag)
            if make is None:
                raise _Unusual
            return make(loader, node)
        if id(node) in seen:  # an alias: the same node twice
            raise _Unusual
        seen.add(id(node))
        if cls is MappingNode and node.tag == _MAP:
            out = {}
            for key_node, value_node in node.value:
                if key_node.tag in _KEY_TAGS:
                    raise _Unusual
                key = build(key_node)
                if key.__class__ not in (str, int, float, bool) and key is not None:
                    raise _Unusual  # PyYAML decides (and refuses unhashable keys)
                out[key] = build(value_node)
            return out
        if cls is SequenceNode and node.tag == _SEQ:
            return [build(child) for child in node.value]
        raise _Unusual

    try:
        return build(node)
    except _Unusual:
        return loader.construct_document(node)


# The shape of most front matter, read without PyYAML's parser: one ``key: value`` per line,
# the value a plain scalar, a quoted string without escapes, or a flow list of such.
# Whatever is not exactly that (an indented line, a comment, a tag, an anchor, an escape,
# a character PyYAML refuses or reads as a line break) is left to PyYAML whole.
_SIMPLE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")  # the value's trailing spaces are cut after
_FLOW_ITEM = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s][^,\[\]{}:#]*(?<! )|\"[^\"\\]*\"|'[^']*'")
_FLOW = re.compile(r"\[ *(?:(?:%s) *(?:, *(?:%s) *)*)?\]" % (_FLOW_ITEM.pattern, _FLOW_ITEM.pattern))
# PyYAML's reader refuses these characters; \r, \x85, \u2028 and \u2029 break lines; tabs are separators.
# Written as the characters themselves, not as "all but the allowed ranges": the negated class
# up to U+10FFFF took 9 ms to compile, a twentieth of a warm status.
_NOT_SIMPLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


@lru_cache(maxsize=None)
def _scalars():
    """``typed(text) -> (value, canonical JSON)`` of a plain scalar, its type and value exactly as PyYAML's
    resolver and constructors make them."""
    from yaml.nodes import ScalarNode

    loader = _loader()("")
    constructors = loader.yaml_constructors
    resolve = loader.resolve

    # What each distinct scalar became, with its canonical JSON (all immutable: str, int, float, bool, None, dates).
    # Keyed by the text: 1, 1.0 and true are equal as dictionary keys, not as values.
    known: dict[str, tuple[Any, str]] = {}

    def typed(value: str) -> tuple[Any, str]:
        try:
            return known[value]
        except KeyError:
            pass
        tag = resolve(ScalarNode, value, (True, False))
        if tag == _STR:
            made = value, _string(value)
        else:
            made = constructors[tag](loader, ScalarNode(tag, value))
            made = made, _canonical_plain(plain(made))
        if len(known) < 100_000:
            known[value] = made
        return made

    return typed


def prepare() -> None:
    """Make ready what reading front matter needs (PyYAML, its loader): done once before worker
    processes are forked, each of them has it without importing it again."""
    _scalars()


def _simple_mapping(text: str) -> dict[str, Any] | None:
    """The mapping a simple front matter stands for, as PyYAML reads it; None: not that simple."""
    read = _read_front(text)
    return read[0] if read is not None else None


#: Simple front matter repeats the same lines in every file (``layout: product``, ``lang: ja``,
#: a date, a rating): each distinct line is read once per process. The lines that repeat are
#: met in the first files; past this many, new lines are read each time (and memory stays small).
_LINE_MEMO_SIZE = 50_000
_line_memo: dict[str, tuple[str, Any, str] | None] = {}
_UNREAD = object()
_COMMENT = ("", None, "")  # a whole-line comment
_FOLDED = object()  # the value of ``key: >-``: a folded block scalar follows, on indented lines
_EMPTY = object()  # no value at all (``key:``): null, or a mapping on indented lines (``key: ~`` is null alone)


def _read_front(text: str) -> tuple[dict[str, Any], dict[str, str], dict[str, int], dict[str, str]] | None:
    """A simple front matter's mapping (as PyYAML reads it), each value's canonical JSON, each
    key's first line (0-based) and, for a mapping value, its JSON in file order (as
    :func:`transync.document.fields.pack` writes it); None when it is not that simple (or holds
    no line at all: PyYAML reads no document).

    Simple: ``key: value`` lines (see :func:`_simple_line`) and whole-line comments; a key with
    no value may own a block of lines indented alike, all ``key: value`` (a mapping), and a
    key whose value is ``>-`` a block of lines indented alike (a folded scalar, joined by spaces).
    """
    memo = _line_memo
    meta: dict[str, Any] = {}
    canonical: dict[str, str] = {}
    lines: dict[str, int] = {}
    in_order: dict[str, str] = {}
    rows = text.split("\n")
    count = len(rows)
    number = 0
    while number < count:
        line = rows[number]
        number += 1
        if not line:
            continue
        read = memo.get(line, _UNREAD)
        if read is _UNREAD:
            read = _simple_line(line)
            if len(memo) < _LINE_MEMO_SIZE:
                memo[line] = read
        if read is None:
            return None
        if read is _COMMENT:
            continue
        key, value, json_text = read
        if key not in lines:
            lines[key] = number - 1
        if value is _EMPTY or value is _FOLDED:
            following = rows[number] if number < count else ""
            if following[:1] == " ":
                indent = len(following) - len(following.lstrip(" "))
                pad = following[:indent]
                end = number
                while end < count and rows[end][:indent] == pad and rows[end][indent : indent + 1] not in ("", " ", "\t"):
                    end += 1
                block = [row[indent:] for row in rows[number:end]]
                number = end
                if value is _FOLDED:
                    value = _folded(block)
                    if value is None:
                        return None
                    json_text = _string(value)
                else:
                    nested = _nested(block)
                    if nested is None:
                        return None
                    value, json_text, in_order[key] = nested
                    meta[key], canonical[key] = value, json_text
                    continue
            elif value is _FOLDED:
                return None  # an empty block scalar: PyYAML's business
            else:
                value = None
        in_order.pop(key, None)  # a key given twice: the last value counts
        # A fresh list for each document: the memo keeps a flow list as a tuple, shared by every file.
        meta[key] = list(value) if value.__class__ is tuple else value
        canonical[key] = json_text
    return (meta, canonical, lines, in_order) if meta else None


def _folded(block: list[str]) -> str | None:
    """A ``>-`` scalar's lines (their indentation cut) as PyYAML folds them; None: not that simple."""
    for row in block:
        if "\t" in row or row[-1] == " " or (not (row.isascii() and row.isprintable()) and _NOT_SIMPLE.search(row)):
            return None
    return " ".join(block)


def _nested(block: list[str]) -> tuple[dict[str, Any], str, str] | None:
    """A mapping's ``key: value`` lines (their indentation cut): the mapping, its canonical JSON
    and its JSON in file order; None: not that simple."""
    values: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for row in block:
        read = _line_memo.get(row, _UNREAD)
        if read is _UNREAD:
            read = _simple_line(row)
        if read is None or read is _COMMENT or read[1] is _FOLDED:
            return None
        key, value, json_text = read
        if value is _EMPTY:
            value = None  # nothing deeper follows: the block is one indentation
        values[key] = list(value) if value.__class__ is tuple else value
        texts[key] = json_text
    pairs = {key: f"{_string(key)}:{text}" for key, text in texts.items()}
    return values, "{" + ",".join(pairs[key] for key in sorted(pairs)) + "}", "{" + ",".join(pairs.values()) + "}"


def _simple_line(line: str) -> tuple[str, Any, str] | None:
    """``(key, value, canonical JSON of the value)`` of one ``key: value`` line, as PyYAML reads it; None: not simple."""
    if not (line.isascii() and line.isprintable()) and _NOT_SIMPLE.search(line):  # printable ASCII: \x20-\x7e
        return None
    if line[0] == "#":
        return _COMMENT
    m = _SIMPLE_LINE.fullmatch(line)
    if m is None:
        return None
    typed = _scalars()
    try:
        key = typed(m.group(1))[0]
        if key.__class__ is not str:
            return None  # yes, no, null...: PyYAML's business
        raw = m.group(2)
        if raw:
            raw = raw.rstrip(" ")  # not in the pattern: a lazy (.*?) before " *" is tried at every character
        if not raw:
            return key, _EMPTY, _canonical_plain(None)
        if raw[0] == '"':
            # "([^"\\]*)", tested without a regular expression (the usual title or summary)
            value = raw[1:-1]
            if len(raw) < 2 or raw[-1] != '"' or '"' in value or "\\" in value:
                return None
            return key, value, _string(value)
        if raw[0] == "'":
            value = raw[1:-1]  # '([^']*)'
            if len(raw) < 2 or raw[-1] != "'" or "'" in value:
                return None
            return key, value, _string(value)
        if raw[0] == "[":
            found = _flow_items(raw)
            if found is None:
                return None
            items = [(item[1:-1], _string(item[1:-1])) if item[0] in "\"'" else typed(item) for item in found]
            # A JSON array is its items' JSON, comma-separated (the canonical separators).
            if not items:
                return key, (), "[]"
            values, texts = zip(*items)
            return key, values, "[" + ",".join(texts) + "]"
        if _is_plain(raw):
            return key, *typed(raw)
        if raw == ">-":
            return key, _FOLDED, ""
        return None
    except Exception:  # a value PyYAML's constructor refuses (a 13th month): PyYAML says it its way
        return None


_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`")


def _is_plain(raw: str) -> bool:
    """Whether a value (no trailing space) is a plain scalar read on one line: a first character
    that starts no other YAML form and is no space, no ``": "``, no ``" #"``, no ``:`` last.

    Tested without a regular expression (one tried its alternatives at every character of
    the usual URL or name)."""
    first = raw[0]
    return first not in _PLAIN_FIRST and not first.isspace() and ": " not in raw and " #" not in raw and raw[-1] != ":"


_FLOW_BARE_BAD = re.compile(r"[\[\]{}:#]")


def _flow_items(raw: str) -> list[str] | None:
    """``_FLOW_ITEM.findall(raw)`` when ``_FLOW.fullmatch(raw)``, else None. A list without
    quotes (the usual tags) is split at its commas rather than matched: the same items, for
    a fraction of the time the expressions take."""
    if "'" in raw or '"' in raw or raw[-1] != "]":
        return _FLOW_ITEM.findall(raw) if _FLOW.fullmatch(raw) is not None else None
    inner = raw[1:-1]
    if _FLOW_BARE_BAD.search(inner):
        return None
    if not inner.strip(" "):
        return []
    items = [part.strip(" ") for part in inner.split(",")]
    for item in items:
        if not item or item[0] in _PLAIN_FIRST or item[0].isspace():
            return None
    return items


def load_yaml(text: str, *, aliases: bool = True) -> Any:
    """Parse YAML with PyYAML's safe loader (its C version when present).

    With ``aliases`` false, any anchor or alias is refused; otherwise they are
    allowed as long as the expanded tree stays under :data:`MAX_YAML_NODES`.
    Raises ValueError with the 0-based line of the problem in ``args[1]``.
    """
    import yaml

    try:
        if not aliases and (found := _first_anchor(text)):
            name, line = found
            raise ValueError(f"YAML anchors and aliases are not supported (found {name})", line)
        simple = _simple_mapping(text)
        if simple is not None:
            return simple
        loader = _loader()(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if aliases and _expanded_size(node, {}, MAX_YAML_NODES) > MAX_YAML_NODES:
                raise ValueError(f"YAML aliases expand to more than {MAX_YAML_NODES:,} values", node.start_mark.line)
            try:
                return _construct(loader, node)
            except (ValueError, OverflowError) as exc:  # a constructor refused a value: a 13th month, a 30 February
                raise ValueError(f"malformed YAML: {exc}", node.start_mark.line) from None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        # An unclosed construct is noticed lines later: point at where it began.
        # Everything else is reported where the parser stopped.
        unclosed = exc.context and exc.context.startswith(("while parsing a flow", "while scanning a quoted", "while scanning a simple key"))
        mark = (exc.context_mark if unclosed else None) or exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem += f" ({exc.context})"
        raise ValueError(f"malformed YAML: {problem}", mark.line if mark else 0) from None
    except yaml.YAMLError as exc:
        raise ValueError(f"malformed YAML: {exc}", 0) from None
    except RecursionError:
        raise ValueError("YAML nested too deeply", 0) from None


def parse(data: bytes | str, *, syntax: str = "md") -> Document:
    """Parse a whole document whose body is written in ``syntax`` (``"md"``, or
    ``"mdx"`` for a ``.mdx`` file: see :func:`transync.document.mdx.syntax_of`).
    Raises DocumentError with a reason and a line."""
    if isinstance(data, bytes):
        text, bom = decode(data)
    else:
        text, bom = (data[1:], True) if data.startswith(BOM) else (data, False)
    yaml_start, yaml_end, body_start = split_front_matter(text)
    front_matter = text[yaml_start:yaml_end]
    yaml_line = text.count("\n", 0, yaml_start) + 1
    try:
        # Front matter takes no anchors: transync rewrites it line by line, and a
        # rewritten anchored value would leave its aliases dangling or stale.
        meta = load_yaml(front_matter, aliases=False)
    except ValueError as exc:
        raise DocumentError(f"front matter: {exc.args[0]}", yaml_line + exc.args[1]) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DocumentError("front matter is not a mapping of keys to values", yaml_line)
    return Document(
        text=text,
        meta=meta,
        front_matter=front_matter,
        yaml_start=yaml_start,
        body_start=body_start,
        bom=bom,
        syntax=syntax,
    )


class SimpleDocument(NamedTuple):
    """What a scan needs of a document whose front matter is simple (one ``key: value`` line
    each, see :func:`read_simple`), read without building its text or hashing a value twice."""

    meta: dict[str, Any]
    canonical: dict[str, str]  # each value as canonical JSON (as the hashes write it)
    lines: dict[str, int]  # each key's first line in the front matter, from 0
    yaml_line: int  # 1-based line number of the first line of YAML
    body: bytes  # the body, normalized as the hashes take it, in UTF-8
    in_order: dict[str, str]  # a mapping value's JSON with its keys in file order (fields.pack's), by key

    def packed(self, key: str) -> str:
        """A value's JSON as :func:`transync.document.fields.pack` writes it."""
        return self.in_order.get(key) or self.canonical[key]

    def line_of_key(self, key: str) -> int:
        """As :meth:`Document.line_of_key`: the key's first line, or the opening delimiter's."""
        number = self.lines.get(key)
        return 1 if number is None else self.yaml_line + number


_OPEN_BYTES = re.compile(_OPEN_RE.pattern.encode())
_CLOSE_BYTES = re.compile(_CLOSE_RE.pattern.encode(), re.MULTILINE)
_BOM_BYTES = BOM.encode()


def read_simple(data: bytes) -> SimpleDocument | None:
    """The document in ``data`` when its front matter is simple; None for every other file.

    The usual file of a real site. What :func:`parse` would make of it is exactly
    this: the same mapping, the same lines, the same body. Anything else (a nested
    value, a comment, CRLF line ends, bytes that are not UTF-8, no front matter...)
    is None, for :func:`parse` to read or refuse in its own words. The delimiters are
    ASCII, so they are found in the bytes as :func:`split_front_matter` finds them in
    the text; the body is hashed as the bytes it is, never decoded to a string and
    encoded back.
    """
    start = 3 if data.startswith(_BOM_BYTES) else 0
    opening = _OPEN_BYTES.match(data, start)
    if opening is None:
        return None
    closing = _CLOSE_BYTES.search(data, opening.end())
    if closing is None:
        return None
    try:
        front = data[opening.end() : closing.start()].decode("utf-8")
        raw = data[closing.end() :]
        raw.decode("utf-8")  # the whole file must be UTF-8; both halves end at an ASCII delimiter
    except UnicodeDecodeError:
        return None
    body = _normalize_body_bytes(raw)
    if body is None:
        return None
    read = _read_front(front)
    if read is None:
        return None
    meta, canonical, lines, in_order = read
    return SimpleDocument(meta, canonical, lines, data.count(b"\n", start, opening.end()) + 1, body, in_order)


def load(path: str | PathLike[str]) -> Document:
    """Read and parse the document at ``path``, its syntax from its suffix (``.mdx`` is MDX)."""
    from transync.document.mdx import syntax_of

    with open(path, "rb") as handle:
        data = handle.read()
    return parse(data, syntax=syntax_of(path))


# --------------------------------------------------------------------------- values


def normalize_date(value: Any) -> str | None:
    """A sortable ISO string for a front-matter date; None when it is not a date.

    Midnight is written as the bare date, so ``2025-07-22``, ``"2025-07-22"``
    and ``2025-07-22 00:00:00`` are equal and sort before any later time that
    day; aware times are converted to UTC.
    """
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            return normalize_date(_dt.datetime.fromisoformat(text))
        except ValueError:
            pass
        # Jekyll also writes "2024-01-05 10:00:00 +0900".
        match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*([+-]\d{2}:?\d{2}|Z)?", text)
        if match:
            zone = (match.group(3) or "").replace("Z", "+00:00")
            if zone and ":" not in zone:
                zone = zone[:3] + ":" + zone[3:]
            try:
                return normalize_date(_dt.datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}{zone}"))
            except ValueError:
                return None
    return None


# --------------------------------------------------------------------------- hashes


_SCALARS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """YAML values as JSON-able data; keys become strings (YAML allows dates and numbers)."""
    if value.__class__ in _SCALARS:  # most values: asked first, a scan makes every value plain
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def _canonical(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))


def _normalize_body(body: str) -> str:
    return body.replace("\r\n", "\n").strip("\n").rstrip()


def _normalize_body_bytes(body: bytes) -> bytes | None:
    """``_normalize_body(body.decode()).encode()`` for a UTF-8 body, or None when only the text can tell.

    ``bytes.rstrip`` strips ASCII white space only; ``str.rstrip`` goes on through
    U+001C..U+001F and the non-ASCII spaces (U+00A0, U+3000...), so a body that
    ends in one of those after the ASCII strip is left to the text.
    """
    if b"\r" in body:  # a quick look first: replace() searches for the pair, and rarely finds one
        body = body.replace(b"\r\n", b"\n")
    out = body.strip(b"\n").rstrip()
    if out and (out[-1] >= 0x80 or 0x1C <= out[-1] <= 0x1F):
        return None
    return out


def content_hash(meta: Mapping[str, Any], body: str, fields: Iterable[str]) -> str:
    """Hash of a document's translatable content: the body and the translatable fields.

    Kept fields (rating, layout, ...) and the date are left out on purpose: a
    change to them does not call for a new translation.
    """
    digest = hashlib.sha256()
    for name in sorted(fields):
        if name in meta:
            digest.update(f"{name}\0{_canonical(meta[name])}\0".encode())
    digest.update(b"\0body\0")
    digest.update(_normalize_body(body).encode())
    return digest.hexdigest()[:16]


def output_hash(meta: Mapping[str, Any], body: str, provenance_key: str) -> str:
    """Hash of a whole translation as transync wrote it, provenance left out.

    When it no longer matches the hash recorded in the provenance, a human has
    edited the file since transync wrote it.
    """
    digest = hashlib.sha256()
    digest.update(_canonical({k: v for k, v in meta.items() if k != provenance_key}).encode())
    digest.update(b"\0body\0")
    digest.update(_normalize_body(body).encode())
    return digest.hexdigest()[:16]


def simple_hashes(doc: SimpleDocument, fields: Iterable[str], provenance_key: str) -> tuple[str, str]:
    """:func:`hashes` of a :class:`SimpleDocument`: the same two hashes, from its canonical values and body bytes."""
    return _hash_pair(doc.canonical, doc.body, fields, provenance_key)


def hashes(meta: Mapping[str, Any], body: str, fields: Iterable[str], provenance_key: str) -> tuple[str, str]:
    """``(content_hash(meta, body, fields), output_hash(meta, body, provenance_key))``, computed together.

    A scan needs both for every file: each value is made plain and written as canonical
    JSON once, and the body normalized once, instead of twice. The bytes hashed are
    exactly those of the two functions (a canonical JSON object is its sorted keys'
    ``"key":value`` pairs), so recorded provenance keeps matching.
    """
    if any(k.__class__ is not str for k in meta):  # keys that plain() turns into strings: the long way
        return content_hash(meta, body, fields), output_hash(meta, body, provenance_key)
    data = plain(dict(meta))
    canonical = {k: _string(v) if v.__class__ is str else _canonical_plain(v) for k, v in data.items()}
    return _hash_pair(canonical, _normalize_body(body).encode(), fields, provenance_key)


def _hash_pair(canonical: Mapping[str, str], body: bytes, fields: Iterable[str], provenance_key: str) -> tuple[str, str]:
    """:func:`hashes` from each value's canonical JSON (string keys only) and the normalized body's bytes."""
    # The same bytes as content_hash and output_hash feed their digests, in fewer pieces.
    names, keys = _hash_plan(tuple(canonical), fields if fields.__class__ is tuple else tuple(fields), provenance_key)
    head = "".join([f"{name}\0{canonical[name]}\0" for name in names])
    content = hashlib.sha256(f"{head}\0body\0".encode())
    content.update(body)
    whole = ",".join([text + canonical[k] for k, text in keys])
    output = hashlib.sha256(f"{{{whole}}}\0body\0".encode())
    output.update(body)
    return content.hexdigest()[:16], output.hexdigest()[:16]


#: The plan of each front matter's keys (files of a collection share a few, in the same order).
_plans: dict[tuple, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {}


def _hash_plan(keys: tuple[str, ...], fields: tuple[str, ...], provenance_key: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """What :func:`_hash_pair` writes of a front matter with these keys: the content fields it
    holds (sorted) and its keys but the provenance, sorted, each with its ``"key":``."""
    plan_key = (keys, fields, provenance_key)
    plan = _plans.get(plan_key)
    if plan is None:
        present = set(keys)
        plan = (
            tuple(name for name in sorted(fields) if name in present),
            tuple((k, _key_json(k)) for k in sorted(keys) if k != provenance_key),
        )
        if len(_plans) < 10_000:
            _plans[plan_key] = plan
    return plan


_keys_json: dict[str, str] = {}


def _key_json(key: str) -> str:
    """``"key":`` as a canonical JSON object writes a key (front matter repeats a few keys)."""
    text = _keys_json.get(key)
    if text is None:
        text = _string(key) + ":"
        if len(_keys_json) < 10_000:
            _keys_json[key] = text
    return text


#: A string as the canonical JSON writes it (what the encoder itself calls for a string).
_string = json_string = json.encoder.encode_basestring

#: :func:`_canonical` of a value already made :func:`plain` (one encoder: json.dumps makes one per call).
_canonical_plain = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":")).encode

