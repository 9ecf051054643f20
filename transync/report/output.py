"""Renderers shared by the reporting commands: table, json, github and markdown.

The library returns reports; this module turns them into text. It imports
nothing heavy unless a format needs it (babel only for language names in
the human formats).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple, TextIO

from transync.site.config import STATES
from transync.site.status import WORK_ORDER, StatusItem, StatusReport

if TYPE_CHECKING:
    from transync.checks import CheckReport, Finding
    from transync.checks.permalinks import PermalinkReport
    from transync.checks.termcheck import TermReport
    from transync.translate.glossary import Glossaries, Problem
    from transync.translate.memory import MemoryStats
    from transync.translate.seed import SeedResult
    from transync.translate.run import Summary as TranslateSummary


JSON_SCHEMA_VERSION = 1

_STATE_HINTS = {
    "stale": "the source changed: update these translations",
    "missing": "not translated yet",
    "pseudo": "pseudo-localized previews, not translations: translate them with a real engine",
    "orphan": "no source document: delete them or fix their {identity}",
    "duplicate": "two files claim the same {identity} and language: keep one",
    "invalid": "cannot be used: fix these files",
    "current": "up to date",
}


@lru_cache(maxsize=None)
def language_names(code: str) -> tuple[str, str | None]:
    """``ja`` -> ``("Japanese", "日本語")``: the English name from babel's locale data and, when it
    differs, the language's own; ``(code, None)`` when babel does not know the code."""
    try:
        from babel import Locale

        locale = Locale.parse(code.replace("-", "_"))
        english = locale.get_display_name("en")
        native = locale.get_display_name()
    except Exception:  # babel raises several types for unknown or odd codes
        return code, None
    if not english:
        return code, None
    return english, native if native and native != english else None


def language_name(code: str) -> str:
    """``ja`` -> ``Japanese (日本語)``; the code itself if unknown."""
    english, native = language_names(code)
    return f"{english} ({native})" if native else english


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TRAILING = re.compile(r" +((?:\x1b\[0m)?)$")


def width(text: str) -> int:
    """Columns a string takes in a terminal (East Asian wide characters take two, colour codes none)."""
    import unicodedata

    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


class Paths:
    """Shows site paths as a compiler does: relative to the current folder (``../`` included), or to
    ``base`` (the GitHub workspace for annotations); absolute where that is shorter."""

    def __init__(self, root: Path, base: str | None = None) -> None:
        self.root = root
        self.base = Path(base or os.getcwd()).resolve()

    def show(self, rel: str | None) -> str:
        if rel is None:
            return "-"
        full = os.path.normpath(self.root / rel)
        try:
            shown = os.path.relpath(full, self.base)
        except ValueError:  # another drive (Windows)
            return Path(full).as_posix()
        return Path(full if len(shown) > len(full) else shown).as_posix()


# --------------------------------------------------------------------------- terminal


#: Rows listed per state (status), per check (check) or per language (the other listings) in the
#: table when --limit is not given; the line after them says how many more there are.
DEFAULT_LIMIT = 20


def columns_of(stream: TextIO) -> int | None:
    """The width to fit: ``$COLUMNS`` when set, else the terminal's when writing to one; None (no
    limit) into a pipe or a file, so that grep and editors get whole paths."""
    value = os.environ.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    if getattr(stream, "isatty", lambda: False)():
        return shutil.get_terminal_size().columns
    return None


def _take(text: str, columns: int) -> str:
    """The longest start of ``text`` that fits in ``columns`` (at least one character)."""
    used = 0
    for n, ch in enumerate(text):
        used += width(ch)
        if used > columns and n:
            return text[:n]
    return text


def _take_end(text: str, columns: int) -> str:
    return _take(text[::-1], columns)[::-1] if columns > 0 else ""


def elide(path: str, columns: int) -> str:
    """``path`` cut in its middle to fit ``columns``: its first folder, ``…``, and as many of its last
    parts as fit (the file name at least, itself cut in the middle when it alone is too long)."""
    columns = max(columns, 5)
    if width(path) <= columns:
        return path
    parts = path.split("/")
    start = 2 if not parts[0] and len(parts) > 3 else 1  # "/work/" of an absolute path, else "content/"
    head = "/".join(parts[:start]) + "/"
    for n in range(start + 1, len(parts)):  # the longest tail of whole parts that fits beside the head
        tail = "/".join(parts[n:])
        if width(head) + 2 + width(tail) <= columns:
            return f"{head}…/{tail}"
    if len(parts) > 1 and width(parts[-1]) + 2 <= columns:
        return "…/" + parts[-1]
    keep = columns - 1
    return _take(path, keep // 3) + "…" + _take_end(path, keep - keep // 3)


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns``, broken at spaces; a longer word (a URL) is cut."""
    columns = max(columns, 2)
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        while width(word) > columns:
            if line:
                lines.append(line)
                line = ""
            part = _take(word, columns)
            lines.append(part)
            word = word[len(part):]
        if not line:
            line = word
        elif width(line) + 1 + width(word) <= columns:
            line += " " + word
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines or [""]


def fit(prefix: str, path: str, note: str = "", columns: int | None = None, *, indent: int = 6,
        mid: str = "", path_cols: int = 0, dim: Callable[[str], str] = str) -> str:
    """One listing row, ``prefix path mid  note``, fitted to ``columns``.

    Past the width the path loses its middle (:func:`elide`) and the note goes onto the next lines,
    indented by ``indent`` and wrapped; None: one line as it is. The one rule of every table.
    """
    tail = f"  {note}" if note else ""
    if columns is None or width(prefix) + max(width(path), path_cols) + width(mid) + width(tail) <= columns:
        return prefix + pad(path, path_cols) + mid + (f"  {dim(note)}" if note else "") + "\n"
    room = max(columns - width(prefix) - width(mid), 12)
    start = prefix + pad(elide(path, room), min(path_cols, room)) + mid
    if not note:
        return start + "\n"
    if width(start) + width(tail) <= columns:
        return start + f"  {dim(note)}\n"
    start = _TRAILING.sub(r"\1", start)  # the padding that aligned the note
    return start + "\n" + "".join(" " * indent + dim(line) + "\n" for line in wrap(note, columns - indent))


def para(text: str, columns: int | None, indent: int = 0) -> str:
    """A line of prose (a heading, a note) wrapped to ``columns``, its next lines indented by ``indent``."""
    if columns is None or width(text) <= columns:
        return text + "\n"
    lead = len(text) - len(text.lstrip(" "))
    lines = wrap(text.strip(" "), max(columns - max(lead, indent), 2))
    return " " * lead + lines[0] + "\n" + "".join(" " * indent + line + "\n" for line in lines[1:])


def more_line(n: int, what: str, indent: int = 4) -> str:
    """The line after a listing cut by --limit."""
    return f"{' ' * indent}… and {n:,} more {what} (use --limit 0 for all)\n"


def diagnostics(problems: Iterable[tuple[str, int | None, str]], root: Path, stream: TextIO | None = None) -> None:
    """``transync: path:line: reason`` on stderr for files that could not be read, paths as everywhere."""
    stream = stream or sys.stderr
    paths = Paths(root)
    for path, line, reason in problems:
        where = paths.show(path)
        stream.write(f"transync: {where}:{line}: {reason}\n" if line else f"transync: {where}: {reason}\n")


# --------------------------------------------------------------------------- json


def status_json(report: StatusReport, fail_on: Iterable[str]) -> dict[str, Any]:
    fail = set(fail_on)
    languages = {}
    for lang, row in report.summary.items():
        languages[lang] = {
            "source": row.source,
            "expected": row.expected,
            **row.counts,
            "percent_complete": row.percent_complete,
        }
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "root": str(report.config.root),
        "files": report.files,
        "sources": report.sources,
        "summary": {
            "languages": languages,
            "states": report.counts(),
            "failing": sum(1 for i in report.items if i.state in fail),
            "fail_on": sorted(fail, key=STATES.index),
            "evidence": report.evidence,
            "notes": list(report.notes),
        },
        "items": [_item_json(i) for i in report.items],
    }


def write_json(data: dict[str, Any], stream: TextIO, list_key: str = "items") -> None:
    """Indented JSON with one list item per line: readable, diffable and fast.

    (``json.dumps(indent=...)`` falls back to the pure-Python encoder, which
    takes longer than the whole scan on a large site.)
    """
    items = data.pop(list_key)
    head = json.dumps(data, ensure_ascii=False, indent=2)
    body = ",\n    ".join(map(_item_encoder(), items))
    tail = f'"{list_key}": [\n    {body}\n  ]' if items else f'"{list_key}": []'
    stream.write(head[:-2] + f",\n  {tail}\n}}\n" if data else f"{{\n  {tail}\n}}\n")


def _item_encoder() -> Callable[[Any], str]:
    """``json.JSONEncoder(ensure_ascii=False).encode``, for one list item after another.

    The encoder's C part is made once here: ``encode`` makes it again for every call, which
    cost as much as writing the item itself (a site's report writes thousands of items).
    """
    base = json.JSONEncoder(ensure_ascii=False)
    make = json.encoder.c_make_encoder
    if make is None:  # no C accelerator: the encoder as it comes
        return base.encode
    # The very arguments encode() passes it (its markers catch a value that holds itself).
    c_encode = make({}, base.default, json.encoder.encode_basestring, None, base.key_separator, base.item_separator,
                    base.sort_keys, base.skipkeys, base.allow_nan)

    def encode(item: Any) -> str:
        return "".join(c_encode(item, 0)) if item.__class__ is dict else base.encode(item)

    return encode


def _item_json(item: StatusItem) -> dict[str, Any]:
    return {
        "collection": item.collection,
        "ref": item.ref,
        "lang": item.lang,
        "state": item.state,
        "path": item.path,
        "source_path": item.source_path,
        "target_path": item.target_path,
        "reason": item.reason,
        "line": item.line,
        "date": item.date,
        "source_date": item.source_date,
        "provenance": item.provenance,
        "engine": item.engine,
        "edited": item.edited,
        "outdated_fields": list(item.outdated_fields),
        "review": item.review,
        "changes": item.changes.as_json() if item.changes is not None else None,
    }


# --------------------------------------------------------------------------- table


class _Style:
    def __init__(self, stream: TextIO) -> None:
        isatty = getattr(stream, "isatty", lambda: False)()
        self.on = isatty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on else text


_STATE_COLOR = {"current": "32", "stale": "33", "missing": "31", "pseudo": "36", "orphan": "35", "duplicate": "35", "invalid": "31;1"}


def status_table(report: StatusReport, shown_states: Iterable[str], stream: TextIO, paths: Paths, *,
                 limit: int | None = DEFAULT_LIMIT, summary: bool = False, columns: int | None = None) -> None:
    """The counts per language first, then the documents that need work, ``limit`` per language and
    state (None or 0: all); ``summary``: the counts only. Rows fit ``columns`` (see :func:`fit`)."""
    style = _Style(stream)
    w = stream.write
    cfg = report.config
    n_collections = len(cfg.collections)
    sources = ", ".join(f"{n} {lang}" for lang, n in sorted(report.sources.items()))
    w(para(style(paths.show(""), "1") + f": {report.files} files in {n_collections} collection{'s' if n_collections != 1 else ''}; "
           f"sources: {sources or 'none'}", columns, 2) + "\n")

    name_cols = max((width(language_name(code)) for code in report.summary), default=0)
    for lang, row in report.summary.items():
        w(_language_line(lang, pad(language_name(lang), name_cols), row, style, columns))

    shown = [s for s in WORK_ORDER if s in set(shown_states)]
    by_lang: dict[str | None, list[StatusItem]] = {}
    for item in report.items:
        if item.state in shown:
            by_lang.setdefault(item.lang, []).append(item)
    review = [i for i in report.items if i.review]
    if not summary:
        if not by_lang:
            w("\nNothing to do.\n" if "current" not in shown else "\nNo documents match.\n")
        _items_table(by_lang, shown, w, style, paths, limit or None, columns, report.config.layout.identity_name)
    if review:
        w("\n" + para(style(f"review ({len(review)}): ", "35") + "human translations a merge replaced because their source changed "
                       "(each is in the translation memory); `transync ack REF --lang LANG` when done", columns, 2))
        for item in [] if summary else review[:limit or None]:
            w(fit(f"    {item.collection}  {item.ref}  ", paths.show(item.path), _plural(item.review, "segment"), columns, dim=lambda t: style(t, "2")))
        if not summary and limit and len(review) > limit:
            w(more_line(len(review) - limit, "to review"))
    for note in report.notes:
        w("\n" + style(para(f"note: {note}", columns, 2).rstrip("\n"), "33") + "\n")


def _language_line(lang: str, name: str, row: Any, style: _Style, columns: int | None) -> str:
    """``  ja    Japanese (日本語)  ███░░ 57.1%  of 7  current 4  stale 2``; the counts go onto the
    next line, under the bar, when they do not fit."""
    prefix = f"  {lang:<6}{name}  "
    if columns is not None and width(prefix) + 32 > columns:  # a narrow terminal: the code says which language
        prefix = f"  {lang:<6}"
    if row.source and row.expected == 0:
        extra = {s: n for s, n in row.counts.items() if n}
        words = ["source", *_count_words(extra, style)]
    else:
        counts = {s: row.counts[s] for s in STATES if row.counts[s] or s == "current"}
        rest = f" {row.percent_complete:5.1f}%  of {row.expected}"
        bar_cols = 20 if columns is None else max(8, min(20, columns - width(prefix) - width(rest)))
        words = [_bar(row.counts["current"], row.expected, bar_cols) + rest, *_count_words(counts, style)]
    line = prefix + "  ".join(words)
    if columns is None or width(line) <= columns:
        return line + "\n"
    lines, current = [], prefix + words[0]
    for word in words[1:]:
        if width(current) + 2 + width(word) > columns and current.strip():
            lines.append(current)
            current = " " * width(prefix) + word
        else:
            current += "  " + word
    return "\n".join([*lines, current]) + "\n"


def _items_table(by_lang: dict[str | None, list[StatusItem]], shown: list[str], w, style: _Style, paths: Paths,
                 limit: int | None, columns: int | None, identity: str = "ref") -> None:
    """``identity``: what matches documents across languages (the layout's ``identity_name``), named in hints."""
    dim = lambda text: style(text, "2")  # noqa: E731
    for lang, items in by_lang.items():
        title = f"{lang}  {language_name(lang)}" if lang else "unknown language"
        w("\n" + style(f"{title}: {len(items)} document{'s' if len(items) != 1 else ''}", "1") + "\n")
        for state in shown:
            group = [i for i in items if i.state == state]
            if not group:
                continue
            w(para(f"  {style(state, _STATE_COLOR[state])} ({len(group)}): {_STATE_HINTS[state].format(identity=identity)}", columns, 4))
            listed = group[:limit]
            ref_cols = min(40, max(width(i.ref or "-") for i in listed), *([columns // 4] if columns else []))
            coll_cols = max(len(i.collection) for i in listed)
            for item in listed:
                where, note = _where(item, paths)
                ref = item.ref or "-"
                if columns and width(ref) > ref_cols and 8 + coll_cols + width(ref) + width(where) > columns:
                    ref = elide(ref, ref_cols)  # the path names the document too
                if item.state == "missing" and columns and item.target_path:  # the source path fits beneath
                    note = f"(from {elide(paths.show(item.source_path), columns - 13)})"
                w(fit(f"    {item.collection:<{coll_cols}}  {pad(ref, ref_cols)}  ", where, note, columns, dim=dim))
            if len(group) > len(listed):
                w(more_line(len(group) - len(listed), state))


def _where(item: StatusItem, paths: Paths) -> tuple[str, str]:
    """The file a row is about and its note (a missing translation's note names its source)."""
    if item.state == "missing":
        source = f"(from {paths.show(item.source_path)})"
        return (paths.show(item.target_path), source) if item.target_path else (source, "")
    where = paths.show(item.path)
    if item.state == "invalid" and item.line:
        where += f":{item.line}"
    return where, note_of(item)


def note_of(item: StatusItem) -> str:
    if item.state == "stale":
        words = item.changes.words() if item.changes is not None else ""
        return f"{words}; {since_of(item)}" if words else item.reason or ""
    if item.state in ("orphan", "duplicate", "invalid", "pseudo"):
        return item.reason or ""
    if item.state == "current" and item.edited:
        return "edited by hand since transync wrote it"
    return ""


def since_of(item: StatusItem) -> str:
    base = item.changes.baseline
    if base.kind in ("git", "provenance") and base.commit:
        return f"since {base.commit[:7]} ({base.date[:10] if base.date else '?'})"
    return item.reason or ""


def _count_words(counts: dict[str, int], style: _Style) -> list[str]:
    return [style(f"{s} {n}", _STATE_COLOR[s]) if n and s != "current" else f"{s} {n}" for s, n in counts.items()]


def _bar(done: int, total: int, columns: int = 20) -> str:
    """Rounded down: only a language with every document current gets a full bar."""
    filled = columns if total == 0 else done * columns // total
    return "█" * filled + "░" * (columns - filled)


# --------------------------------------------------------------------------- markdown


#: A pull-request comment holds at most 65,536 characters; the body stays below, with room for a marker.
COMMENT_LIMIT = 60_000
#: $GITHUB_STEP_SUMMARY holds at most 1 MiB per step (counted here in UTF-8 bytes, which bounds characters too).
STEP_SUMMARY_LIMIT = 1_000_000
#: Annotations written by --format github: GitHub shows at most 10 errors and 10 warnings per step.
ANNOTATION_LIMIT = 50


class Section(NamedTuple):
    """One part of a Markdown report: its opening lines, rows that may be cut, its closing lines."""

    opening: list[str]
    rows: list[str]
    closing: list[str]


def capped(head: list[str], sections: Iterable[Section], tail: list[str], limit: int | None, rerun: str) -> str:
    """``head``, the sections and ``tail`` as one Markdown text of at most ``limit`` UTF-8 bytes.

    Rows are dropped from the end once the limit is near (a section without room for its opening
    is dropped whole), and one line says how many rows were cut and how to see them all (``rerun``).
    None: no limit. The one capping rule of the PR comment and the step summaries.
    """
    def size(lines: list[str]) -> int:
        return sum(len(line.encode("utf-8")) + 1 for line in lines)

    reserve = size(tail) + 400  # the closing of the section being filled and the line saying what was cut
    out, used, cut = list(head), size(head), 0
    for section in sections:
        frame = size(section.opening) + size(section.closing)
        if cut or (limit is not None and used + frame + reserve > limit):
            cut += len(section.rows)
            continue
        kept = []
        for row in section.rows:
            if limit is not None and used + frame + size(kept) + size([row]) + reserve > limit:
                break
            kept.append(row)
        cut += len(section.rows) - len(kept)
        out += [*section.opening, *kept, *section.closing]
        used += frame + size(kept)
    if cut:
        out += ["", f"> **{cut:,} more rows cut** to stay under GitHub's limit of {limit:,} characters: {rerun}."]
    return "\n".join(out + tail) + "\n"


def _by_lang(items: Iterable[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(item.lang or "", []).append(item)
    return groups


def _details(lang: str, summary: str, header: list[str]) -> list[str]:
    name = f"{language_name(lang)} (`{lang}`)" if lang else "No language"
    return ["", f"<details><summary><b>{name}</b>: {summary}</summary>", "", *header]


def status_markdown(report: StatusReport, shown_states: Iterable[str], paths: Paths, limit: int | None = None, *,
                    per_state: int | None = None, summary: bool = False) -> str:
    """A summary table, then one ``<details>`` per language: a pull-request comment or a step summary.

    ``limit`` caps the size (see :func:`capped`), ``per_state`` the rows per language and state
    (--limit); ``summary``: the table only.
    """
    head = ["## Translation status", "", "| Language | Complete | " + " | ".join(s.capitalize() for s in STATES) + " |"]
    head.append("|---|---:|" + "---:|" * len(STATES))
    for lang, row in report.summary.items():
        pct = "source" if row.source and row.expected == 0 else f"{row.percent_complete:.1f}%"
        head.append(f"| {language_name(lang)} (`{lang}`) | {pct} | " + " | ".join(str(row.counts[s]) for s in STATES) + " |")
    shown = [s for s in WORK_ORDER if s in set(shown_states)]
    todo = [] if summary else sorted((i for i in report.items if i.state in shown), key=lambda i: shown.index(i.state))
    sections = []
    for lang, items in _by_lang(todo).items():
        counts = ", ".join(f"{sum(i.state == s for i in items)} {s}" for s in shown if any(i.state == s for i in items))
        kept, cut = limit_by(items, lambda i: i.state, per_state)
        rows = []
        for item in kept:
            where = paths.show(item.target_path or item.source_path) if item.state == "missing" else paths.show(item.path)
            note = (note_of(item) or "").replace("|", "\\|")
            rows.append(f"| {item.state} | {item.lang or ''} | {item.collection} | {item.ref or ''} | `{where}` | {note} |")
        header = ["| State | Language | Collection | Ref | File | Note |", "|---|---|---|---|---|---|"]
        sections.append(Section(_details(lang, counts, header), rows, [*_more_markdown(cut), "", "</details>"]))
    tail = [f"\n> **Note:** {note}" for note in report.notes]
    return capped(head, sections, tail, limit, "run `transync status` for all of them")


# --------------------------------------------------------------------------- github


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class Annotations:
    """Annotation lines up to :data:`ANNOTATION_LIMIT`, then one notice saying how many were cut and how many GitHub shows."""

    #: GitHub keeps at most this many annotations of each level per step and drops the rest without a word.
    SHOWN_PER_LEVEL = 10

    def __init__(self, stream: TextIO, limit: int | None = None) -> None:
        self.stream, self.limit, self.more = stream, ANNOTATION_LIMIT if limit is None else limit, 0
        self.written = 0
        self.levels: dict[str, int] = {}  # annotations written per level

    def write(self, line: str) -> None:
        if self.written < self.limit:
            self.stream.write(line + "\n")
            self.written += 1
            level = line[2:].split(" ", 1)[0].split("::", 1)[0]
            self.levels[level] = self.levels.get(level, 0) + 1
        else:
            self.more += 1

    def close(self, command: str) -> None:
        shown = sum(min(n, self.SHOWN_PER_LEVEL) for n in self.levels.values())
        if not self.more and shown == self.written:
            return
        total = self.written + self.more
        message = (
            f"{total:,} annotations: {self.written:,} written, {self.more:,} cut (transync writes at most {self.limit}); "
            f"GitHub shows {shown:,} of them (at most {self.SHOWN_PER_LEVEL} errors and {self.SHOWN_PER_LEVEL} warnings per step): "
            f"see the step summary or run `{command}`"
        )
        self.stream.write(annotation("notice", None, None, "transync: annotations cut", message) + "\n")


def annotation(level: str, file: str | None, line: int | None, title: str, message: str) -> str:
    """One GitHub Actions workflow command (``::error file=...,line=...::message``)."""
    props = []
    if file:
        props.append(f"file={_escape_property(file)}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


def status_github(report: StatusReport, shown_states: Iterable[str], fail_on: Iterable[str], stream: TextIO, *,
                  per_state: int | None = None, summary: bool = False) -> None:
    fail = set(fail_on)
    paths = Paths(report.config.root, os.environ.get("GITHUB_WORKSPACE"))
    shown = set(shown_states)
    notes = Annotations(stream)
    for item in sorted(report.items, key=lambda i: i.state not in fail):  # errors first: GitHub shows the first ones
        if summary or item.state not in shown or item.state == "current":
            continue
        level = "error" if item.state in fail else "warning"
        name = f"{item.collection}/{item.ref}" if item.ref else item.collection
        message = f"{name} [{item.lang or '?'}] is {item.state}"
        if item.state == "missing" and item.target_path:
            message += f": create {paths.show(item.target_path)}"
        elif item.state == "stale" and note_of(item):
            message += f": {note_of(item)}"
        elif item.reason:
            message += f": {item.reason}"
        where = paths.show(item.location) if item.location else None  # an ambiguous ref's missing translation has no file
        notes.write(annotation(level, where, item.line or 1, f"transync: {item.state}", message))
    for note in report.notes:
        stream.write(annotation("warning", None, None, "transync: history", note) + "\n")
    notes.close("transync status")
    for lang, row in report.summary.items():
        counts = ", ".join(f"{s} {n}" for s, n in row.counts.items() if n)
        if row.source and row.expected == 0:
            stream.write(f"{lang}: source language{f' ({counts})' if counts else ''}\n")
        else:
            stream.write(f"{lang}: {row.percent_complete:.1f}% complete ({counts or 'nothing'})\n")
    step_summary(lambda size: status_markdown(report, shown_states, paths, limit=size, per_state=per_state, summary=summary))


def step_summary(markdown: Callable[[int], str]) -> None:
    """Append a report to ``$GITHUB_STEP_SUMMARY`` when it is set; ``markdown(limit)`` writes it within a size."""
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as fh:
            fh.write(markdown(STEP_SUMMARY_LIMIT) + "\n")


def render_status(report: StatusReport, fmt: str, *, shown_states: Iterable[str], fail_on: Iterable[str],
                  stream: TextIO | None = None, limit: int | None = None, summary: bool = False) -> None:
    """``limit``: rows per language and state in the human formats (None: the table's
    :data:`DEFAULT_LIMIT`, all in the others; 0: all); ``summary``: counts only (JSON: no items)."""
    stream = stream or sys.stdout
    shown_states = list(shown_states)
    fail_on = list(fail_on)
    if fmt == "json":
        from transync.site.scan import no_cycle_collector

        with no_cycle_collector():  # thousands of item dicts, no cycle among them
            data = status_json(report, fail_on)
            data["items"] = [] if summary else [i for i, item in zip(data["items"], report.items) if item.state in shown_states]
            write_json(data, stream)
    elif fmt == "github":
        status_github(report, shown_states, fail_on, stream, per_state=limit, summary=summary)
    elif fmt == "markdown":
        stream.write(status_markdown(report, shown_states, Paths(report.config.root), limit=COMMENT_LIMIT, per_state=limit, summary=summary))
    else:
        status_table(report, shown_states, stream, Paths(report.config.root), limit=DEFAULT_LIMIT if limit is None else limit,
                     summary=summary, columns=columns_of(stream))


# --------------------------------------------------------------------------- check (all formats)


def check_json(report: CheckReport, fail_on: Iterable[str]) -> dict[str, Any]:
    fail = set(fail_on)
    by_check = report.by_check()
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "root": str(report.config.root),
        "checks": list(report.checks),
        "summary": {
            "files_checked": report.files_checked,
            "findings": len(report.findings),
            "files_with_findings": len({f.path for f in report.findings}),
            "by_check": by_check,
            "failing": sum(1 for f in report.findings if f.check in fail),
            "fail_on": [name for name in report.checks if name in fail],
            "invalid": len(report.unreadable),
        },
        "invalid": [{"path": u.path, "line": u.line, "reason": u.reason} for u in report.unreadable],
        "baseline": report.adoption.as_json() if report.adoption is not None else None,
        "findings": [_finding_json(f) for f in report.findings],
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "collection": finding.collection,
        "ref": finding.ref,
        "lang": finding.lang,
        "path": finding.path,
        "source_path": finding.source_path,
        "state": finding.state,
        "check": finding.check,
        "file": finding.file,
        "line": finding.line,
        "message": finding.message,
    }


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def check_total(report: CheckReport) -> str:
    files = len({f.path for f in report.findings})
    text = f"{_plural(report.files_checked, 'translation')} checked: "
    text += f"{_plural(len(report.findings), 'finding')} in {_plural(files, 'file')}" if report.findings else "no findings"
    if report.unreadable:
        text += f"; {_plural(len(report.unreadable), 'file')} could not be read"
    return text + "."


def adoption_lines(adoption: Any) -> list[str]:
    """What the baseline and the transync-ignore comments left out of a report (transync.checks.adopt.Adoption),
    one sentence per line (none when neither was used)."""
    out: list[str] = []
    if adoption is None:
        return out
    if adoption.updated is not None:
        total, added, removed = adoption.updated
        out.append(f"baseline {adoption.baseline} updated: {total:,} findings accepted ({added:,} added, {removed:,} removed)")
    elif adoption.used:
        text = f"baseline {adoption.baseline}: {adoption.known:,} accepted findings not shown"
        if adoption.fixed:
            text += f"; {len(adoption.fixed):,} accepted findings are gone (fixed): `{adoption.command} --update-baseline` trims them"
        out.append(text)
    if adoption.suppressed:
        out.append(f"{adoption.suppressed:,} findings silenced by transync-ignore comments")
    return out


def _check_counts(report: CheckReport) -> list[tuple[str, int, int]]:
    """(check, findings, files) for every check that ran."""
    files: dict[str, set[str]] = {name: set() for name in report.checks}
    for f in report.findings:
        files[f.check].add(f.path)
    return [(name, n, len(files[name])) for name, n in report.by_check().items()]


def check_table(report: CheckReport, stream: TextIO, paths: Paths, *, limit: int | None = DEFAULT_LIMIT,
                summary: bool = False, columns: int | None = None) -> None:
    """The counts per check first, then the findings per translation, ``limit`` per check (None or 0: all)."""
    style = _Style(stream)
    w = stream.write
    check_cols = max((len(name) for name in report.checks), default=0)
    for name, n, files in _check_counts(report):
        counts = f"{_plural(n, 'finding')} in {_plural(files, 'file')}" if n else "ok"
        w(f"  {name.ljust(check_cols)}  {style(counts, '31') if n else style(counts, '32')}\n")
    w(style(check_total(report), "1") + "\n")
    for line in adoption_lines(report.adoption):
        w(style(line, "2") + "\n")
    if summary:
        return
    listed: dict[str, int] = {}
    groups: dict[str, list[Finding]] = {}
    for f in report.findings:
        listed[f.check] = listed.get(f.check, 0) + 1
        if not limit or listed[f.check] <= limit:
            groups.setdefault(f.path, []).append(f)
    name_cols = max((len(f.check) for fs in groups.values() for f in fs), default=0)
    dim = lambda text: style(text, "2")  # noqa: E731
    for path, findings in groups.items():
        first = findings[0]
        note = f"{first.lang}, stale" if first.state == "stale" else first.lang
        w("\n" + fit("", style(paths.show(path), "1"), f"({note}; source {paths.show(first.source_path)})", columns, indent=2, dim=dim))
        wheres = [f"{paths.show(f.file)}:{f.line}" if f.line else paths.show(f.file) for f in findings]
        where_cols = max(width(x) for x in wheres)
        for f, where in zip(findings, wheres):
            w(fit("  ", where, f.message, columns, indent=4, mid="  " + style(f.check.ljust(name_cols), "33"), path_cols=where_cols))
    if limit and any(n > limit for n in listed.values()):
        w("\n")
        for name, n in listed.items():
            if n > limit:
                w(more_line(n - limit, f"{name} findings", 2))


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell: no column break, HTML tag or math."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace("$", "\\$").replace("\n", " ")


def limit_by(items: Iterable[Any], key: Callable[[Any], str], limit: int | None) -> tuple[list[Any], dict[str, int]]:
    """The first ``limit`` items of each key (None or 0: all), and how many were left out per key."""
    kept, seen, cut = [], {}, {}
    for item in items:
        k = key(item)
        seen[k] = seen.get(k, 0) + 1
        if limit and seen[k] > limit:
            cut[k] = cut.get(k, 0) + 1
        else:
            kept.append(item)
    return kept, cut


def _more_markdown(cut: dict[str, int], what: str = "{}") -> list[str]:
    """The lines after a Markdown listing cut by --limit."""
    lines = [more_line(n, what.format(key), 0).strip().replace("--limit 0", "`--limit 0`") for key, n in cut.items()]
    return ["", "<br>\n".join(lines)] if lines else []


def check_markdown(report: CheckReport, paths: Paths, limit: int | None = None, *, per_check: int | None = None,
                   summary: bool = False) -> str:
    """The counts per check, then one ``<details>`` of findings per language (capped like the status)."""
    head = ["## Translation checks", "", check_total(report), *(f"\n{line}" for line in adoption_lines(report.adoption))]
    head += ["", "| Check | Findings | Files |", "|---|---:|---:|"]
    head += [f"| {name} | {n} | {files} |" for name, n, files in _check_counts(report)]
    sections = []
    if report.unreadable and not summary:
        rows = [f"| `{paths.show(u.path)}` | {u.line or ''} | {_cell(u.reason)} |" for u in report.unreadable]
        sections.append(Section(["", "| Unreadable file | Line | Reason |", "|---|---:|---|"], rows, []))
    for lang, findings in ({} if summary else _by_lang(report.findings)).items():
        kept, cut = limit_by(findings, lambda f: f.check, per_check)
        rows = [f"| `{paths.show(f.file)}` | {f.line or ''} | {f.check} | {f.lang} | {_cell(f.message)} |" for f in kept]
        header = ["| File | Line | Check | Language | Message |", "|---|---:|---|---|---|"]
        sections.append(Section(_details(lang, _plural(len(findings), "finding"), header), rows,
                                [*_more_markdown(cut, "{} findings"), "", "</details>"]))
    return capped(head, sections, [], limit, "run `transync check` for all of them")


def check_github(report: CheckReport, fail_on: Iterable[str], stream: TextIO, *, per_check: int | None = None,
                 summary: bool = False) -> None:
    fail = set(fail_on)
    paths = Paths(report.config.root, os.environ.get("GITHUB_WORKSPACE"))
    for u in report.unreadable:
        stream.write(annotation("error", paths.show(u.path), u.line or 1, "transync check: unreadable", u.reason) + "\n")
    notes = Annotations(stream)
    for f in [] if summary else sorted(report.findings, key=lambda f: f.check not in fail):  # errors first: GitHub shows the first ones
        level = "error" if f.check in fail else "warning"
        message = f"{f.collection}/{f.ref} [{f.lang}]: {f.message}"
        if f.line_in_source:
            message += f" (translation: {paths.show(f.path)})"
        notes.write(annotation(level, paths.show(f.file), f.line or 1, f"transync check: {f.check}", message))
    notes.close("transync check")
    for name, n, files in _check_counts(report):
        stream.write(f"{name}: {_plural(n, 'finding')} in {_plural(files, 'file')}\n" if n else f"{name}: ok\n")
    stream.write(check_total(report) + "\n")
    for line in adoption_lines(report.adoption):
        stream.write(line + "\n")
    step_summary(lambda size: check_markdown(report, paths, limit=size, per_check=per_check, summary=summary))


def render_check(report: CheckReport, fmt: str, *, fail_on: Iterable[str], stream: TextIO | None = None,
                 limit: int | None = None, summary: bool = False) -> None:
    """``limit``: findings per check in the human formats (None: the table's :data:`DEFAULT_LIMIT`,
    all in the others; 0: all); ``summary``: counts only (JSON: no findings)."""
    stream = stream or sys.stdout
    fail_on = list(fail_on)
    if fmt == "json":
        data = check_json(report, fail_on)
        if summary:
            data["findings"] = []
        write_json(data, stream, list_key="findings")
    elif fmt == "github":
        check_github(report, fail_on, stream, per_check=limit, summary=summary)
    elif fmt == "markdown":
        stream.write(check_markdown(report, Paths(report.config.root), limit=COMMENT_LIMIT, per_check=limit, summary=summary))
    else:
        check_table(report, stream, Paths(report.config.root), limit=DEFAULT_LIMIT if limit is None else limit,
                    summary=summary, columns=columns_of(stream))


# --------------------------------------------------------------------------- listings (permalinks, glossaries, memory seed)


class Row(NamedTuple):
    """One finding of a listing: the file (site-relative) and line it is about, grouped by ``group``;
    ``cells``: the Markdown table's cells after File and Line (default: the message)."""

    group: str
    path: str
    line: int | None
    message: str
    cells: tuple[str, ...] = ()


def _where_line(paths: Paths, row: Row) -> str:
    return f"{paths.show(row.path)}:{row.line}" if row.line else paths.show(row.path)


def _group_title(group: str, kind: str) -> str:
    """``ja  Japanese (日本語)`` for a language group, else the group (a file) as it is."""
    if kind == "language":
        return f"{group}  {language_name(group)}" if group else "no language"
    return group


def rows_table(totals: list[str], rows: list[Row], stream: TextIO, paths: Paths, *, word: str, kind: str = "language",
               limit: int | None = DEFAULT_LIMIT, summary: bool = False, columns: int | None = None) -> None:
    """The totals first, then ``path:line  message`` per group, ``limit`` per group (None or 0: all)."""
    style = _Style(stream)
    w = stream.write
    for n, line in enumerate(totals):
        w(para(style(line, "1") if n == 0 else line, columns, 2))
    if summary:
        return
    kept, cut = limit_by(rows, lambda r: r.group, limit)
    groups: dict[str, list[Row]] = {}
    for row in kept:
        groups.setdefault(row.group, []).append(row)
    for group, members in groups.items():
        total = len(members) + cut.get(group, 0)
        title = paths.show(group) if kind == "file" else _group_title(group, kind)
        w("\n" + style(f"{title}: {_plural(total, word)}", "1") + "\n")
        wheres = [_where_line(paths, r) for r in members]
        where_cols = min(max(width(x) for x in wheres), 60, *([columns // 2] if columns else []))
        for row, where in zip(members, wheres):
            w(fit("  ", where, row.message, columns, indent=4, path_cols=where_cols))
        if cut.get(group):
            w(more_line(cut[group], word + "s", 2))


def rows_markdown(heading: str, head: list[str], rows: list[Row], paths: Paths, limit: int | None, *, word: str,
                  columns: tuple[str, ...], rerun: str,
                  kind: str = "language", per_group: int | None = None, summary: bool = False) -> str:
    """``heading``, ``head`` (totals), then one ``<details>`` per group with a table of its rows."""
    sections = []
    for group, members in ({} if summary else _by_group(rows)).items():
        kept, cut = limit_by(members, lambda r: r.group, per_group)
        table = ["| " + " | ".join(columns) + " |", "|---|---:|" + "---|" * (len(columns) - 2)]
        lines = [f"| `{paths.show(r.path)}` | {r.line or ''} | " + " | ".join(_cell(c) for c in r.cells or (r.message,)) + " |" for r in kept]
        if kind == "language":
            opening = _details(group, _plural(len(members), word), table)
        else:
            opening = ["", f"<details><summary><code>{_cell(paths.show(group))}</code>: {_plural(len(members), word)}</summary>", "", *table]
        sections.append(Section(opening, lines, [*_more_markdown({k: n for k, n in cut.items()}, word + "s"), "", "</details>"]))
    return capped([f"## {heading}", "", *head], sections, [], limit, rerun)


def _by_group(rows: Iterable[Row]) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    return groups


def rows_github(rows: Iterable[Row], stream: TextIO, paths: Paths, *, level: str, title: str, command: str,
                totals: list[str], markdown: Callable[[int], str], summary: bool = False) -> None:
    """One annotation per row (capped), the totals, and the Markdown report appended to the step summary."""
    notes = Annotations(stream)
    for row in [] if summary else rows:
        notes.write(annotation(level, paths.show(row.path), row.line or 1, title, row.message))
    notes.close(command)
    for line in totals:
        stream.write(line + "\n")
    step_summary(markdown)


def _site_path(root: Path, path: Path | str) -> str:
    """A path for JSON: POSIX, relative to the site root (``../`` for a file beside it)."""
    return Path(os.path.relpath(Path(root) / path, root)).as_posix()


def render_listing(fmt: str, *, data: dict[str, Any], list_key: str, rows: list[Row], totals: list[str], root: Path,
                   heading: str, word: str, columns: tuple[str, ...], command: str, level: str, title: str, kind: str = "language", stream: TextIO | None = None,
                   limit: int | None = None, summary: bool = False) -> None:
    """Every format of a listing report: ``data`` for json, ``rows`` and ``totals`` for the others."""
    stream = stream or sys.stdout
    if fmt == "json":
        if summary:
            data[list_key] = []
        write_json(data, stream, list_key=list_key)
        return
    rerun = f"run `{command}` for all of them"

    def markdown(paths: Paths, size: int) -> str:
        return rows_markdown(heading, [*totals], rows, paths, size, word=word, columns=columns, rerun=rerun,
                             kind=kind, per_group=limit, summary=summary)

    if fmt == "github":
        paths = Paths(root, os.environ.get("GITHUB_WORKSPACE"))
        rows_github(rows, stream, paths, level=level, title=title, command=command, totals=totals,
                    markdown=lambda size: markdown(paths, size), summary=summary)
    elif fmt == "markdown":
        stream.write(markdown(Paths(root), COMMENT_LIMIT))
    else:
        rows_table(totals, rows, stream, Paths(root), word=word, kind=kind, limit=DEFAULT_LIMIT if limit is None else limit,
                   summary=summary, columns=columns_of(stream))


def render_permalinks(report: PermalinkReport, fmt: str, *, root: Path, fixed: Iterable[str] = (),
                      stream: TextIO | None = None, limit: int | None = None, summary: bool = False) -> None:
    """``transync permalinks``: the findings left after ``fixed`` files were rewritten."""
    fixed = sorted(set(fixed))
    left = [f for f in report.findings if f.path not in set(fixed)]
    data = {
        "schema_version": JSON_SCHEMA_VERSION, "root": str(root), "checked": report.checked, "fixed": fixed,
        "summary": {"checked": report.checked, "findings": len(left), "fixed": len(fixed), "unreadable": len(report.unreadable),
                    "by_lang": _count_by(f.lang for f in left)},
        "unreadable": [{"path": path, "reason": why} for path, why in report.unreadable],
        "findings": [
            {"collection": f.collection, "ref": f.ref, "lang": f.lang, "path": f.path, "line": f.line,
             "message": f.message, "expected": f.expected}
            for f in left
        ],
    }
    total = f"{_plural(report.checked, 'document')} checked: " + (f"{_plural(len(left), 'permalink problem')}" if left else "all permalinks right")
    totals = [total + (f"; {_plural(len(fixed), 'file')} fixed" if fixed else "") + "."]
    rows = [Row(f.lang, f.path, f.line, f.message, (f.message, f"`{f.expected}`" if f.expected else "")) for f in left]
    render_listing(fmt, data=data, list_key="findings", rows=rows, totals=totals, root=root, heading="Permalinks",
                   word="problem", columns=("File", "Line", "Message", "Expected"), command="transync permalinks",
                   level="error", title="transync: permalink", stream=stream, limit=limit, summary=summary)


def _count_by(keys: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return counts


def render_terms(report: TermReport, fmt: str, *, root: Path, stream: TextIO | None = None, limit: int | None = None,
                 summary: bool = False, adoption: Any = None) -> None:
    """``transync glossary check``: glossary terms not translated as the glossary says (``adoption``: what the
    baseline and the transync-ignore comments left out, :mod:`transync.checks.adopt`)."""
    findings = report.findings
    common = _count_by(f"{f.term}\0{f.target}" for f in findings)
    frequent = sorted(common.items(), key=lambda kv: -kv[1])[:10]
    data = {
        "schema_version": JSON_SCHEMA_VERSION, "root": str(root), "checked": report.checked, "not_aligned": report.not_aligned,
        "summary": {
            "checked": report.checked, "not_aligned": report.not_aligned, "findings": len(findings),
            "files_with_findings": len({f.path for f in findings}), "unreadable": len(report.unreadable),
            "by_lang": _count_by(f.lang for f in findings),
            "most_frequent": [{"term": k.split("\0")[0], "target": k.split("\0")[1], "count": n} for k, n in frequent],
        },
        "unreadable": [{"path": path, "reason": why} for path, why in report.unreadable],
        "findings": [
            {"path": f.path, "line": f.line, "source_path": f.source_path, "lang": f.lang, "term": f.term,
             "target": f.target, "message": f.message}
            for f in findings
        ],
    }
    totals = [f"{_plural(report.checked, 'translation')} checked ({report.not_aligned:,} whose structure does not align: tags only): "
              f"{_plural(len(findings), 'glossary violation')}."]
    if adoption is not None:
        data["baseline"] = adoption.as_json()
    totals += adoption_lines(adoption)
    if frequent:
        totals.append("most frequent: " + ", ".join(f"{k.split(chr(0))[0]} -> {k.split(chr(0))[1]} ({n})" for k, n in frequent))
    rows = [Row(f.lang, f.path, f.line, f.message, (f.term, f.target, f.message)) for f in findings]
    render_listing(fmt, data=data, list_key="findings", rows=rows, totals=totals, root=root, heading="Glossary check",
                   word="violation", columns=("File", "Line", "Term", "Glossary", "Message"), command="transync glossary check",
                   level="warning", title="transync: glossary", stream=stream, limit=limit, summary=summary)


def render_glossary_files(glossaries: Glossaries, problems: list[Problem], fmt: str, *, root: Path, folder: Path,
                          stream: TextIO | None = None, limit: int | None = None, summary: bool = False) -> None:
    """``transync glossary check-files``: problems of the glossary files, per file."""
    pairs = {f"{s}-{t}": len(e) for (s, t), e in sorted(glossaries.pairs.items())}
    where = {p.path: _site_path(root, folder / p.path) for p in problems}
    data = {
        "schema_version": JSON_SCHEMA_VERSION, "root": str(root), "folder": str(folder), "pairs": pairs,
        "summary": {"pairs": len(pairs), "terms": sum(pairs.values()), "problems": len(problems)},
        "problems": [{"path": where[p.path], "line": p.line, "message": p.message} for p in problems],
    }
    listed = ", ".join(f"{pair} ({_plural(n, 'term')})" for pair, n in pairs.items())
    totals = [f"{Paths(root).show(_site_path(root, folder))}: {listed or 'no glossaries'}; {_plural(len(problems), 'problem')}."]
    rows = [Row(where[p.path], where[p.path], p.line, p.message) for p in problems]
    render_listing(fmt, data=data, list_key="problems", rows=rows, totals=totals, root=root, heading="Glossary files",
                   word="problem", columns=("File", "Line", "Problem"), command="transync glossary check-files",
                   level="error", title="transync: glossary", kind="file", stream=stream, limit=limit, summary=summary)


class Seeded(NamedTuple):
    """One language pair of ``memory seed``: what it found and the memory it filled."""

    source_lang: str
    target_lang: str
    path: Path
    result: SeedResult
    stats: MemoryStats


def render_seed(seeded: list[Seeded], fmt: str, *, root: Path, stream: TextIO | None = None, limit: int | None = None,
                summary: bool = False) -> None:
    """``transync memory seed``: per language pair, what was seeded; the documents that did not align."""
    memories, totals, rows = [], [], []
    for s in seeded:
        r = s.result
        memories.append({
            "source_lang": s.source_lang, "target_lang": s.target_lang, "path": _site_path(root, s.path), "documents": r.documents,
            "aligned": r.aligned, "machine_documents": r.machine_documents, "pairs": r.pairs,
            "added": r.added, "replaced": r.replaced, "unchanged": r.unchanged, "conflicts": r.conflicts,
            "entries": s.stats.entries, "human": s.stats.human,
            "not_aligned": [{"path": n.path, "source_path": n.source_path, "reason": n.reason} for n in r.not_aligned],
            "unreadable": [{"path": p, "reason": why} for p, why in r.unreadable],
        })
        totals.append(f"{s.source_lang} -> {s.target_lang}: {r.aligned:,} of {_plural(r.documents, 'translation')} aligned, "
                      f"{r.pairs:,} pairs, {r.added:,} added, {r.replaced:,} replaced; {s.stats.entries:,} entries "
                      f"({s.stats.human:,} human) in {Paths(root).show(_site_path(root, s.path))}")
        rows += [Row(s.target_lang, n.path, None, f"not aligned: {n.reason}", ("not aligned", n.reason)) for n in r.not_aligned]
        rows += [Row(s.target_lang, p, None, f"unreadable: {why}", ("unreadable", why)) for p, why in r.unreadable]
    data = {
        "schema_version": JSON_SCHEMA_VERSION, "root": str(root),
        "summary": {key: sum(m[key] for m in memories) for key in ("documents", "aligned", "pairs", "added", "replaced", "entries")}
        | {"not_aligned": sum(len(m["not_aligned"]) for m in memories), "unreadable": sum(len(m["unreadable"]) for m in memories)},
        "memories": memories,
    }
    render_listing(fmt, data=data, list_key="memories", rows=rows, totals=totals, root=root, heading="Translation memory",
                   word="document", columns=("File", "Line", "Left out", "Reason"), command="transync memory seed",
                   level="warning", title="transync: memory seed", stream=stream, limit=limit, summary=summary)


# --------------------------------------------------------------------------- translate


@dataclass(frozen=True)
class Price:
    """What a million characters cost with the run's engine (``per_million`` None: no price is set for it)."""

    per_million: Decimal | None
    currency: str
    engine: str


def cost_estimate(summary: TranslateSummary, price: Price) -> dict[str, Any]:
    """The planned characters times the price, in total and per language (the JSON ``estimate``)."""
    langs: dict[str, dict[str, Any]] = {}
    for r in summary.planned:
        entry = langs.setdefault(r.job.lang, {"documents": 0, "characters": 0, "cost": None})
        entry["documents"] += 1
        entry["characters"] += r.characters

    def cost(characters: int) -> float | None:
        if price.per_million is None:
            return None
        # Four decimals: a small run's cost is a fraction of a cent, which people still want to compare.
        return float((price.per_million * characters / 1_000_000).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))

    for entry in langs.values():
        entry["cost"] = cost(entry["characters"])
    return {
        "engine": price.engine,
        "price_per_million_characters": None if price.per_million is None else float(price.per_million),
        "currency": price.currency,
        "characters": summary.characters,
        "cost": cost(summary.characters),
        "languages": dict(sorted(langs.items())),
    }


def _estimate_lines(estimate: dict[str, Any]) -> list[str]:
    """The estimate for people: the total, then one line per language."""
    currency = estimate["currency"]
    if estimate["price_per_million_characters"] is None:
        return [f"Estimated cost: no price for the {estimate['engine']} engine ([translate] price_per_million_characters)."]

    def money(amount: float) -> str:
        return f"{currency} {amount:,.2f}" if amount >= 0.005 or amount == 0 else f"< {currency} 0.01"

    lines = [f"Estimated cost: {money(estimate['cost'])} ({estimate['characters']:,} characters at "
             f"{currency} {estimate['price_per_million_characters']:,.2f} per million, [translate] price_per_million_characters)"]
    for lang, entry in estimate["languages"].items():
        lines.append(f"  {lang:<5} {_plural(entry['documents'], 'document'):<12} {entry['characters']:>10,} characters  {money(entry['cost'])}")
    return lines


def translate_json(summary: TranslateSummary, *, dry_run: bool, engine: str, estimate: dict[str, Any] | None = None) -> dict[str, Any]:
    def doc(job, status: str, reason: str = "", characters: int | None = None) -> dict[str, Any]:
        return {
            "collection": job.collection.name, "ref": job.ref, "lang": job.lang, "status": status,
            "source_path": job.source_path, "path": job.target_path, "reason": reason or None,
            "characters": characters,
        }

    documents = [doc(r.job, r.status, r.reason, r.characters) for r in (*summary.planned, *summary.written, *summary.failed)]
    documents += [doc(j, "not_started") for j in summary.not_started]
    documents += [
        {"collection": s.item.collection, "ref": s.item.ref, "lang": s.item.lang, "status": "skipped",
         "source_path": s.item.source_path, "path": s.item.path, "reason": s.reason, "characters": None}
        for s in summary.skipped
    ]
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "dry_run": dry_run,
        "engine": engine,
        "summary": {
            "planned": len(summary.planned), "written": len(summary.written), "failed": len(summary.failed),
            "skipped": len(summary.skipped), "not_started": len(summary.not_started),
            "requests": summary.requests, "texts": summary.texts, "characters": summary.characters,
            "billed_characters": summary.billed_characters, "seconds": round(summary.seconds, 2),
            "tokens": {"prompt": summary.prompt_tokens, "completion": summary.completion_tokens},
            "memory_texts": summary.memory_texts, "memory_characters": summary.memory_characters,
            "human_edits": summary.human_edits, "glossary_texts": summary.glossary_texts,
            "kept_texts": summary.kept_texts,
            "memory_rejected": [
                {"path": r.job.target_path, "source": r.source, "origin": r.origin, "memory": r.memory, "reason": r.reason}
                for r in summary.memory_rejected
            ],
            "review": [
                {"path": r.job.target_path, "line": r.line, "old_source": r.old_source, "previous_translation": r.previous}
                for r in summary.review
            ],
            "uncovered": [
                {"path": u.job.target_path, "source_path": u.job.source_path, "lang": u.job.lang,
                 "texts": [{"where": where, "source": text} for where, text in u.texts]}
                for u in summary.uncovered
            ],
            "stopped": str(summary.stopped) if summary.stopped else None,
            "estimate": estimate,
        },
        "shard": summary.shard,
        "memory_deltas": [_delta_json(d) for d in summary.memory_deltas],
        "documents": documents,
    }


def translate_table(summary: TranslateSummary, *, dry_run: bool, engine: str, stream: TextIO, paths: Paths,
                    estimate: dict[str, Any] | None = None) -> None:
    style = _Style(stream)
    w = stream.write
    if dry_run:
        w(style(f"Dry run ({engine}): nothing is sent.", "1") + "\n")
        for r in summary.planned:
            w(f"  {r.job.lang:<5} {paths.show(r.job.target_path)}  {r.characters:,} characters  ({r.job.reason})\n")
        w("\n" + _translate_total(summary, dry_run=True) + "\n")
        for line in _estimate_lines(estimate) if estimate is not None else ():
            w(line + "\n")
    else:
        for r in summary.written:
            w(f"  {style('written', '32')}  {paths.show(r.job.target_path)}\n")
    for r in summary.failed:
        w(f"  {style('failed', '31')}   {paths.show(r.job.target_path)}: {r.reason}\n")
    for s in summary.skipped:
        where = paths.show(s.item.path or s.item.target_path or s.item.source_path)
        w(f"  {style('skipped', '33')}  {where}: {s.reason}\n")
    _uncovered_table(summary, w, style, paths)
    waiting = [j for j in summary.not_started if id(j) not in {id(u.job) for u in summary.uncovered}]
    if waiting:
        w(f"  {style('not started', '33')}: {_plural(len(waiting), 'document')}"
          f" ({paths.show(waiting[0].target_path)}{', ...' if len(waiting) > 1 else ''})\n")
    if not dry_run:
        w("\n" + _translate_total(summary, dry_run=False) + "\n")
    for r in summary.memory_rejected:
        w(f"  {style('rejected', '33')} {paths.show(r.job.target_path)}: the translation memory's {r.origin} translation of "
          f"{_clip(r.source)!r} breaks protected text ({r.reason}): translated again; fix or delete it in {r.memory}\n")
    for r in summary.review:
        w(f"  {style('review', '35')}   {paths.show(r.job.target_path)}:{r.line}: a human translation was replaced because "
          f"its source changed; it is kept in the translation memory: {_clip(r.previous)}\n")
    if summary.shard is not None:
        w(_shard_line(summary, dry_run=dry_run, paths=paths) + "\n")
    if summary.stopped is not None:
        w(style(f"stopped: {summary.stopped}", "31;1") + "\n")


#: How much of what the memory lacks the table shows: documents, and texts per document (JSON has them all).
UNCOVERED_DOCUMENTS = 20
UNCOVERED_TEXTS = 3


def _uncovered_table(summary: TranslateSummary, w, style: _Style, paths: Paths) -> None:
    """The documents a run without an engine did not write, each with the texts the memory lacks."""
    if not summary.uncovered:
        return
    texts = sum(len(u.texts) for u in summary.uncovered)
    w(f"  {style('not written', '33')}: {_plural(len(summary.uncovered), 'document')} need{'s' if len(summary.uncovered) == 1 else ''} "
      f"{_plural(texts, 'text')} the translation memory does not have:\n")
    for u in summary.uncovered[:UNCOVERED_DOCUMENTS]:
        shown = ", ".join(f"{where} {_clip(text, 40)!r}" for where, text in u.texts[:UNCOVERED_TEXTS])
        more = f", and {len(u.texts) - UNCOVERED_TEXTS} more" if len(u.texts) > UNCOVERED_TEXTS else ""
        w(f"    {paths.show(u.job.target_path)} ({_plural(len(u.texts), 'text')} of {paths.show(u.job.source_path)}): {shown}{more}\n")
    if len(summary.uncovered) > UNCOVERED_DOCUMENTS:
        w(f"    ... and {len(summary.uncovered) - UNCOVERED_DOCUMENTS} more documents (--format json lists them all)\n")
    for lang in sorted({u.job.lang for u in summary.uncovered}):
        w(f"    `transync memory export --lang {lang}` writes them into a PO file for a translator\n")


def _translate_total(summary: TranslateSummary, *, dry_run: bool) -> str:
    if dry_run:
        return (f"{_plural(len(summary.planned), 'document')}, {summary.texts:,} texts, {summary.characters:,} characters "
                f"in {_plural(summary.requests, 'request')}{_memory_note(summary)}")
    return (f"{_plural(len(summary.written), 'document')} written, {len(summary.failed)} failed, "
            f"{len(summary.skipped)} skipped, {len(summary.not_started)} not started; "
            f"{_plural(summary.requests, 'request')}, {_cost(summary)} in {summary.seconds:.1f} s{_memory_note(summary)}")


def _shard_line(summary: TranslateSummary, *, dry_run: bool, paths: Paths) -> str:
    """One line per shard: what it planned and wrote, and its memory deltas, for the job that gathers the shards."""
    planned = len(summary.planned) if dry_run else len(summary.written) + len(summary.failed) + len(summary.not_started)
    line = f"shard {summary.shard}: {_plural(planned, 'document')} planned, {len(summary.written)} written"
    for d in summary.memory_deltas:
        line += f"; memory delta {paths.show(str(d.path))} ({d.entries:,} {'entry' if d.entries == 1 else 'entries'}, {_plural(d.documents, 'document')})"
    return line


def _delta_json(d: Any) -> dict[str, Any]:
    return {"path": str(d.path), "source_lang": d.source_lang, "target_lang": d.target_lang, "entries": d.entries, "documents": d.documents}


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _cost(summary: TranslateSummary) -> str:
    """What the engine billed: characters (DeepL), or tokens (engines billed by the token)."""
    if summary.prompt_tokens or summary.completion_tokens:
        return (f"{summary.characters:,} characters translatable, "
                f"{summary.prompt_tokens:,} prompt and {summary.completion_tokens:,} completion tokens")
    return f"{summary.billed_characters:,} characters billed ({summary.characters:,} translatable)"


def _memory_note(summary: TranslateSummary) -> str:
    note = ""
    if summary.kept_texts:
        note += f"; {summary.kept_texts:,} unchanged texts kept from the translations"
    if summary.memory_texts:
        note += f"; {summary.memory_texts:,} texts from the translation memory ({summary.memory_characters:,} characters saved)"
    if summary.human_edits:
        note += f"; {_plural(summary.human_edits, 'human edit')} kept"
    if summary.glossary_texts:
        note += f"; {_plural(summary.glossary_texts, 'heading')} from the glossary"
    return note


def render_translate(summary: TranslateSummary, fmt: str, *, dry_run: bool, engine: str, root: Path, stream: TextIO | None = None,
                     price: Price | None = None) -> None:
    """The run's documents: json as documented; markdown and github list them per language (github
    annotates the failed ones as errors and the skipped ones as warnings). A dry run with a ``price``
    estimates what it would cost, per language."""
    stream = stream or sys.stdout
    estimate = cost_estimate(summary, price) if dry_run and price is not None else None
    data = translate_json(summary, dry_run=dry_run, engine=engine, estimate=estimate)
    if fmt == "json":
        write_json(data, stream, list_key="documents")
        return
    if fmt == "table":
        translate_table(summary, dry_run=dry_run, engine=engine, stream=stream, paths=Paths(root), estimate=estimate)
        return
    rows = [Row(d["lang"], d["path"] or d["source_path"], None, f"{d['status'].replace('_', ' ')}: {d['reason']}" if d["reason"] else d["status"],
                (d["status"].replace("_", " "), f"{d['characters']:,}" if d["characters"] is not None else "", d["reason"] or ""))
           for d in data["documents"]]
    totals = [f"{'Dry run' if dry_run else 'Run'} ({engine}): " + _translate_total(summary, dry_run=dry_run) + "."]
    if estimate is not None:
        totals += _estimate_lines(estimate)
    if summary.stopped is not None:
        totals.append(f"stopped: {summary.stopped}")
    heading = "Translation plan" if dry_run else "Translation run"

    def markdown(paths: Paths, size: int) -> str:
        return rows_markdown(heading, totals, rows, paths, size, word="document", columns=("File", "Line", "Status", "Characters", "Reason"),
                             rerun="run `transync translate --format json` for all of them")

    if fmt == "markdown":
        stream.write(markdown(Paths(root), COMMENT_LIMIT))
        return
    paths = Paths(root, os.environ.get("GITHUB_WORKSPACE"))
    levels = {"failed": "error", "skipped": "warning"}
    notes = Annotations(stream)
    for d, row in zip(data["documents"], rows):
        if d["status"] in levels:
            notes.write(annotation(levels[d["status"]], paths.show(row.path), 1, f"transync translate: {d['status']}", row.message))
    notes.close("transync translate")
    for line in totals:
        stream.write(line + "\n")
    step_summary(lambda size: markdown(paths, size))


# --------------------------------------------------------------------------- ack


def ack_json(plan: Any, done: list[Any], failed: list[tuple[Any, str]], *, dry_run: bool) -> dict[str, Any]:
    """What ``ack`` did (or, ``dry_run``, would do) to each translation it selected."""
    from transync.translate.revisions import ack_kind

    def row(item: Any, status: str, how: str | None = None, reason: str | None = None, learned: int | None = None) -> dict[str, Any]:
        return {"collection": item.collection, "ref": item.ref, "lang": item.lang, "status": status,
                "path": item.path, "source_path": item.source_path, "how": how, "reason": reason, "learned": learned}

    if dry_run:
        rows = [row(i, "would_acknowledge", ack_kind(i)) for i in plan.todo]
    else:
        rows = [row(a.item, "acknowledged", a.how, learned=a.learned) for a in done]
    rows += [row(i, "failed", reason=why) for i, why in failed]
    rows += [row(i, "not_acknowledged", reason=why) for i, why in plan.refused]
    count = len(plan.todo) if dry_run else len(done)
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "dry_run": dry_run,
        "summary": {"acknowledged": count, "current": len(plan.current), "not_acknowledged": len(failed) + len(plan.refused)},
        "translations": rows,
    }


_ACK_HOW = {
    ("provenance", True): "its provenance would record the current source",
    ("human", True): 'a provenance line (engine "human") would record the current source',
    ("provenance", False): "its provenance now records the current source",
    ("human", False): 'a provenance line (engine "human") now records the current source',
}


def render_ack(plan: Any, done: list[Any], failed: list[tuple[Any, str]], fmt: str, *, dry_run: bool, root: Path,
               stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    data = ack_json(plan, done, failed, dry_run=dry_run)
    paths = Paths(root)
    if fmt == "json":
        for r in data["translations"]:
            r["path"] = r["path"] and paths.show(r["path"])
            r["source_path"] = r["source_path"] and paths.show(r["source_path"])
        write_json(data, stream, list_key="translations")
        return
    w = stream.write
    for r in data["translations"]:
        where = paths.show(r["path"] or "")
        if r["status"] in ("would_acknowledge", "acknowledged"):
            learnt = f"; {r['learned']} new source segments learnt by the memory" if r["learned"] else ""
            verb = "would acknowledge" if dry_run else "acknowledged"
            w(f"  {verb}  {where}: {_ACK_HOW[(r['how'], dry_run)]}{learnt}\n")
        elif r["status"] == "failed":
            w(f"  failed  {where}: {r['reason']}\n")
    for item, why in plan.refused:
        w(f"  not acknowledged  {paths.show(item.path or item.target_path)}: {why}\n")
    n = data["summary"]
    current = _plural(n["current"], "translation") + " already current"
    if not plan.todo and not plan.refused:
        w(f"nothing to acknowledge: {current}\n" if plan.current else "nothing to acknowledge: no translation matches\n")
        return
    parts = [f"{_plural(n['acknowledged'], 'translation')} {'would be acknowledged' if dry_run else 'acknowledged'}"]
    parts += [current] if plan.current else []
    parts += [f"{n['not_acknowledged']} not acknowledged"] if n["not_acknowledged"] else []
    w(", ".join(parts) + "\n")


# --------------------------------------------------------------------------- memory merge


def merge_json(results: list[Any], check: Any | None) -> dict[str, Any]:
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "memories": [
            {
                "path": str(r.memory), "source_lang": r.source_lang, "target_lang": r.target_lang,
                "deltas": [str(p) for p in r.deltas], **r.results, "documents": r.documents, "saved": r.saved,
                "other_base": [str(p) for p in r.other_base],
                "conflicts": [
                    {"source": c.source, "context": c.context, "chosen": _candidate_json(c.chosen),
                     "others": [_candidate_json(o) for o in c.others]}
                    for c in r.conflicts
                ],
            }
            for r in results
        ],
        "verify": None if check is None else {
            "plan": str(check.plan), "planned": len(check.arrived) + len(check.missing), "arrived": len(check.arrived),
            "missing": [{"collection": d.collection, "ref": d.ref, "lang": d.lang, "path": d.path, "state": state} for d, state in check.missing],
        },
    }


def _candidate_json(candidate: tuple) -> dict[str, Any]:
    origin, engine, translation = candidate
    return {"origin": origin, "engine": engine, "translation": translation}


def merge_table(results: list[Any], check: Any | None, stream: TextIO, paths: Paths) -> None:
    style = _Style(stream)
    w = stream.write
    for r in results:
        n = r.results
        w(f"{r.source_lang} -> {r.target_lang}: {_plural(len(r.deltas), 'delta')} into {paths.show(str(r.memory))}: "
          f"{n['added']:,} added, {n['replaced']:,} replaced, {n['kept']:,} kept (a human translation wins), "
          f"uses of {_plural(r.documents, 'document')}{'' if r.saved else '; the file already held exactly this'}\n")
        for c in r.conflicts:
            w(f"  {style('conflict', '33')} {_clip(c.source)!r}: {c.chosen[1] or c.chosen[0]} {_clip(c.chosen[2])!r} chosen over "
              + ", ".join(f"{o[1] or o[0]} {_clip(o[2])!r}" for o in c.others) + "\n")
        if r.other_base:
            w(f"  {style('note', '33')}: {_plural(len(r.other_base), 'delta')} started from another version of "
              f"{paths.show(str(r.memory))} ({paths.show(str(r.other_base[0]))}{', ...' if len(r.other_base) > 1 else ''}): merged by the same rules\n")
    if check is not None:
        planned = len(check.arrived) + len(check.missing)
        w(f"verify: {len(check.arrived)} of {_plural(planned, 'planned document')} arrived\n")
        for d, state in check.missing:
            w(f"  {style(state, '31')}  {paths.show(d.path)}\n")


def render_merge(results: list[Any], check: Any | None, fmt: str, *, root: Path, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    if fmt == "json":
        stream.write(json.dumps(merge_json(results, check), ensure_ascii=False, indent=2) + "\n")
    else:
        merge_table(results, check, stream, Paths(root))


# --------------------------------------------------------------------------- config


def _setting_text(value: Any) -> str:
    if value is None:
        return "(not set)"
    if value == "":
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_setting_text(v) for v in value) if value else "(none)"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else "(none)"
    return str(value)


def render_config(found: list[Any], fmt: str, *, root: Path, stream: TextIO | None = None) -> None:
    """``transync config``: each value in effect and where it came from (transync.site.explain.Setting)."""
    stream = stream or sys.stdout
    if fmt == "json":
        data = {
            "schema_version": JSON_SCHEMA_VERSION,
            "root": str(root),
            "settings": [{"key": s.key, "value": s.value, "origin": s.origin} for s in found],
        }
        write_json(data, stream, "settings")
        return
    rows = [(s.key, _setting_text(s.value), s.origin) for s in found]
    key_w = max(width(r[0]) for r in rows)
    value_w = min(max(width(r[1]) for r in rows), 36)
    stream.write(f"site {root}\n\n")
    for key, value, origin in rows:
        stream.write(_TRAILING.sub(r"\1", f"{pad(key, key_w)}  {pad(value, value_w)}  {origin}") + "\n")
