"""Renderers shared by the reporting commands: table, json, github and markdown.

The library returns reports; this module turns them into text. It imports
nothing heavy unless a format needs it (babel only for language names in
the human formats).
"""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple, TextIO

from transync.site.config import STATES
from transync.site.status import WORK_ORDER, StatusItem, StatusReport

if TYPE_CHECKING:
    from transync.checks import CheckReport, Finding
    from transync.translate.run import Summary as TranslateSummary


JSON_SCHEMA_VERSION = 1

_STATE_HINTS = {
    "stale": "the source changed: update these translations",
    "missing": "not translated yet",
    "orphan": "no source document: delete them or fix their ref",
    "duplicate": "two files claim the same ref and language: keep one",
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


def width(text: str) -> int:
    """Columns a string takes in a terminal (East Asian wide characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


class Paths:
    """Shows site paths relative to where the user stands (or to the GitHub workspace)."""

    def __init__(self, root: Path, base: str | None = None) -> None:
        self.root = root
        self.base = Path(base or os.getcwd()).resolve()

    def show(self, rel: str | None) -> str:
        if rel is None:
            return "-"
        full = self.root / rel
        try:
            return full.relative_to(self.base).as_posix()
        except ValueError:
            return rel


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
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder: json.dumps makes one per call
    body = ",\n    ".join(map(encode, items))
    tail = f'"{list_key}": [\n    {body}\n  ]' if items else f'"{list_key}": []'
    stream.write(head[:-2] + f",\n  {tail}\n}}\n" if data else f"{{\n  {tail}\n}}\n")


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


_STATE_COLOR = {"current": "32", "stale": "33", "missing": "31", "orphan": "35", "duplicate": "35", "invalid": "31;1"}


def status_table(report: StatusReport, shown_states: Iterable[str], stream: TextIO, paths: Paths) -> None:
    style = _Style(stream)
    w = stream.write
    cfg = report.config
    n_collections = len(cfg.collections)
    sources = ", ".join(f"{n} {lang}" for lang, n in sorted(report.sources.items()))
    w(style(f"{paths.show('.') if cfg.root != paths.base else '.'}", "1"))
    w(f": {report.files} files in {n_collections} collection{'s' if n_collections != 1 else ''}; sources: {sources or 'none'}\n\n")

    name_cols = max((width(language_name(code)) for code in report.summary), default=0)
    for lang, row in report.summary.items():
        name = pad(language_name(lang), name_cols)
        if row.source and row.expected == 0:
            extra = {s: n for s, n in row.counts.items() if n}
            tail = "  " + _counts(extra, style) if extra else ""
            w(f"  {lang:<6}{name}  source{tail}\n")
            continue
        bar = _bar(row.percent_complete)
        pct = f"{row.percent_complete:5.1f}%"
        counts = {s: row.counts[s] for s in STATES if row.counts[s] or s == "current"}
        w(f"  {lang:<6}{name}  {bar} {pct}  of {row.expected}  {_counts(counts, style)}\n")

    shown = [s for s in WORK_ORDER if s in set(shown_states)]
    by_lang: dict[str | None, list[StatusItem]] = {}
    for item in report.items:
        if item.state in shown:
            by_lang.setdefault(item.lang, []).append(item)
    if not by_lang:
        w("\nNothing to do.\n" if "current" not in shown else "\nNo documents match.\n")
    _items_table(by_lang, shown, w, style, paths)
    review = [i for i in report.items if i.review]
    if review:
        w("\n" + style(f"review ({len(review)}): ", "35") + "human translations a merge replaced because their source changed "
          "(each is in the translation memory); `transync ack REF --lang LANG` when done\n")
        for item in review:
            w(f"    {item.collection}  {item.ref}  {paths.show(item.path)}  {style(_plural(item.review, 'segment'), '2')}\n")
    for note in report.notes:
        w("\n" + style(f"note: {note}", "33") + "\n")


def _items_table(by_lang: dict[str | None, list[StatusItem]], shown: list[str], w, style: _Style, paths: Paths) -> None:
    for lang, items in by_lang.items():
        title = f"{lang}  {language_name(lang)}" if lang else "unknown language"
        w("\n" + style(f"{title}: {len(items)} document{'s' if len(items) != 1 else ''}", "1") + "\n")
        for state in shown:
            group = [i for i in items if i.state == state]
            if not group:
                continue
            w(f"  {style(state, _STATE_COLOR[state])} ({len(group)}): {_STATE_HINTS[state]}\n")
            ref_cols = min(40, max(width(i.ref or "-") for i in group))
            coll_cols = max(len(i.collection) for i in group)
            for item in group:
                w(f"    {item.collection:<{coll_cols}}  {pad(item.ref or '-', ref_cols)}  {_where(item, paths)}")
                note = note_of(item)
                w(f"  {style(note, '2')}\n" if note else "\n")


def _where(item: StatusItem, paths: Paths) -> str:
    if item.state == "missing":
        return f"{paths.show(item.target_path)} (from {paths.show(item.source_path)})" if item.target_path else f"(from {paths.show(item.source_path)})"
    where = paths.show(item.path)
    if item.state == "invalid" and item.line:
        where += f":{item.line}"
    return where


def note_of(item: StatusItem) -> str:
    if item.state == "stale":
        words = item.changes.words() if item.changes is not None else ""
        return f"{words}; {since_of(item)}" if words else item.reason or ""
    if item.state in ("orphan", "duplicate", "invalid"):
        return item.reason or ""
    if item.state == "current" and item.edited:
        return "edited by hand since transync wrote it"
    return ""


def since_of(item: StatusItem) -> str:
    base = item.changes.baseline
    if base.kind in ("git", "provenance") and base.commit:
        return f"since {base.commit[:7]} ({base.date[:10] if base.date else '?'})"
    return item.reason or ""


def _counts(counts: dict[str, int], style: _Style) -> str:
    return "  ".join(style(f"{s} {n}", _STATE_COLOR[s]) if n and s != "current" else f"{s} {n}" for s, n in counts.items())


def _bar(percent: float, width: int = 20) -> str:
    filled = int(round(percent / 100 * width))
    return "█" * filled + "░" * (width - filled)


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


def status_markdown(report: StatusReport, shown_states: Iterable[str], paths: Paths, limit: int | None = None) -> str:
    """A summary table, then one ``<details>`` per language: a pull-request comment or a step summary."""
    head = ["## Translation status", "", "| Language | Complete | " + " | ".join(s.capitalize() for s in STATES) + " |"]
    head.append("|---|---:|" + "---:|" * len(STATES))
    for lang, row in report.summary.items():
        pct = "source" if row.source and row.expected == 0 else f"{row.percent_complete:.1f}%"
        head.append(f"| {language_name(lang)} (`{lang}`) | {pct} | " + " | ".join(str(row.counts[s]) for s in STATES) + " |")
    shown = [s for s in WORK_ORDER if s in set(shown_states)]
    todo = sorted((i for i in report.items if i.state in shown), key=lambda i: shown.index(i.state))
    sections = []
    for lang, items in _by_lang(todo).items():
        counts = ", ".join(f"{sum(i.state == s for i in items)} {s}" for s in shown if any(i.state == s for i in items))
        rows = []
        for item in items:
            where = paths.show(item.target_path or item.source_path) if item.state == "missing" else paths.show(item.path)
            note = (note_of(item) or "").replace("|", "\\|")
            rows.append(f"| {item.state} | {item.lang or ''} | {item.collection} | {item.ref or ''} | `{where}` | {note} |")
        header = ["| State | Language | Collection | Ref | File | Note |", "|---|---|---|---|---|---|"]
        sections.append(Section(_details(lang, counts, header), rows, ["", "</details>"]))
    tail = [f"\n> **Note:** {note}" for note in report.notes]
    return capped(head, sections, tail, limit, "run `transync status` for all of them")


# --------------------------------------------------------------------------- github


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class Annotations:
    """Annotation lines up to :data:`ANNOTATION_LIMIT`, then one line saying how many more there were."""

    def __init__(self, stream: TextIO, limit: int | None = None) -> None:
        self.stream, self.limit, self.more = stream, ANNOTATION_LIMIT if limit is None else limit, 0
        self.written = 0

    def write(self, line: str) -> None:
        if self.written < self.limit:
            self.stream.write(line + "\n")
            self.written += 1
        else:
            self.more += 1

    def close(self, command: str) -> None:
        if self.more:
            self.stream.write(
                f"{self.more:,} more annotations not written (GitHub shows at most 10 errors and 10 warnings per step; "
                f"{self.limit} are written): see the step summary or run `{command}`\n"
            )


def annotation(level: str, file: str | None, line: int | None, title: str, message: str) -> str:
    """One GitHub Actions workflow command (``::error file=...,line=...::message``)."""
    props = []
    if file:
        props.append(f"file={_escape_property(file)}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


def status_github(report: StatusReport, shown_states: Iterable[str], fail_on: Iterable[str], stream: TextIO) -> None:
    fail = set(fail_on)
    paths = Paths(report.config.root, os.environ.get("GITHUB_WORKSPACE"))
    shown = set(shown_states)
    notes = Annotations(stream)
    for item in sorted(report.items, key=lambda i: i.state not in fail):  # errors first: GitHub shows the first ones
        if item.state not in shown or item.state == "current":
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
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as fh:
            fh.write(status_markdown(report, shown_states, paths, limit=STEP_SUMMARY_LIMIT) + "\n")


def render_status(report: StatusReport, fmt: str, *, shown_states: Iterable[str], fail_on: Iterable[str], stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    shown_states = list(shown_states)
    fail_on = list(fail_on)
    if fmt == "json":
        data = status_json(report, fail_on)
        data["items"] = [i for i, item in zip(data["items"], report.items) if item.state in shown_states]
        write_json(data, stream)
    elif fmt == "github":
        status_github(report, shown_states, fail_on, stream)
    elif fmt == "markdown":
        stream.write(status_markdown(report, shown_states, Paths(report.config.root), limit=COMMENT_LIMIT))
    else:
        status_table(report, shown_states, stream, Paths(report.config.root))


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


def _check_total(report: CheckReport) -> str:
    files = len({f.path for f in report.findings})
    text = f"{_plural(report.files_checked, 'translation')} checked: "
    text += f"{_plural(len(report.findings), 'finding')} in {_plural(files, 'file')}" if report.findings else "no findings"
    if report.unreadable:
        text += f"; {_plural(len(report.unreadable), 'file')} could not be read"
    return text + "."


def _check_counts(report: CheckReport) -> list[tuple[str, int, int]]:
    """(check, findings, files) for every check that ran."""
    files: dict[str, set[str]] = {name: set() for name in report.checks}
    for f in report.findings:
        files[f.check].add(f.path)
    return [(name, n, len(files[name])) for name, n in report.by_check().items()]


def check_table(report: CheckReport, stream: TextIO, paths: Paths) -> None:
    style = _Style(stream)
    w = stream.write
    groups: dict[str, list[Finding]] = {}
    for f in report.findings:
        groups.setdefault(f.path, []).append(f)
    name_cols = max((len(f.check) for f in report.findings), default=0)
    for path, findings in groups.items():
        first = findings[0]
        note = f"{first.lang}, stale" if first.state == "stale" else first.lang
        w(style(paths.show(path), "1") + style(f"  ({note}; source {paths.show(first.source_path)})", "2") + "\n")
        wheres = [f"{paths.show(f.file)}:{f.line}" if f.line else paths.show(f.file) for f in findings]
        where_cols = max(len(x) for x in wheres)
        for f, where in zip(findings, wheres):
            w(f"  {where.ljust(where_cols)}  {style(f.check.ljust(name_cols), '33')}  {f.message}\n")
        w("\n")
    check_cols = max((len(name) for name in report.checks), default=0)
    for name, n, files in _check_counts(report):
        counts = f"{_plural(n, 'finding')} in {_plural(files, 'file')}" if n else "ok"
        w(f"  {name.ljust(check_cols)}  {style(counts, '31') if n else style(counts, '32')}\n")
    w(style(_check_total(report), "1") + "\n")


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell: no column break, HTML tag or math."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace("$", "\\$").replace("\n", " ")


def check_markdown(report: CheckReport, paths: Paths, limit: int | None = None) -> str:
    """The counts per check, then one ``<details>`` of findings per language (capped like the status)."""
    head = ["## Translation checks", "", _check_total(report), "", "| Check | Findings | Files |", "|---|---:|---:|"]
    head += [f"| {name} | {n} | {files} |" for name, n, files in _check_counts(report)]
    sections = []
    if report.unreadable:
        rows = [f"| `{paths.show(u.path)}` | {u.line or ''} | {_cell(u.reason)} |" for u in report.unreadable]
        sections.append(Section(["", "| Unreadable file | Line | Reason |", "|---|---:|---|"], rows, []))
    for lang, findings in _by_lang(report.findings).items():
        rows = [f"| `{paths.show(f.file)}` | {f.line or ''} | {f.check} | {f.lang} | {_cell(f.message)} |" for f in findings]
        header = ["| File | Line | Check | Language | Message |", "|---|---:|---|---|---|"]
        sections.append(Section(_details(lang, _plural(len(findings), "finding"), header), rows, ["", "</details>"]))
    return capped(head, sections, [], limit, "run `transync check` for all of them")


def check_github(report: CheckReport, fail_on: Iterable[str], stream: TextIO) -> None:
    fail = set(fail_on)
    paths = Paths(report.config.root, os.environ.get("GITHUB_WORKSPACE"))
    for u in report.unreadable:
        stream.write(annotation("error", paths.show(u.path), u.line or 1, "transync check: unreadable", u.reason) + "\n")
    notes = Annotations(stream)
    for f in sorted(report.findings, key=lambda f: f.check not in fail):  # errors first: GitHub shows the first ones
        level = "error" if f.check in fail else "warning"
        message = f"{f.collection}/{f.ref} [{f.lang}]: {f.message}"
        if f.line_in_source:
            message += f" (translation: {paths.show(f.path)})"
        notes.write(annotation(level, paths.show(f.file), f.line or 1, f"transync check: {f.check}", message))
    notes.close("transync check")
    for name, n, files in _check_counts(report):
        stream.write(f"{name}: {_plural(n, 'finding')} in {_plural(files, 'file')}\n" if n else f"{name}: ok\n")
    stream.write(_check_total(report) + "\n")
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as fh:
            fh.write(check_markdown(report, paths, limit=STEP_SUMMARY_LIMIT) + "\n")


def render_check(report: CheckReport, fmt: str, *, fail_on: Iterable[str], stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    fail_on = list(fail_on)
    if fmt == "json":
        write_json(check_json(report, fail_on), stream, list_key="findings")
    elif fmt == "github":
        check_github(report, fail_on, stream)
    elif fmt == "markdown":
        stream.write(check_markdown(report, Paths(report.config.root), limit=COMMENT_LIMIT))
    else:
        check_table(report, stream, Paths(report.config.root))


# --------------------------------------------------------------------------- translate


def translate_json(summary: TranslateSummary, *, dry_run: bool, engine: str) -> dict[str, Any]:
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
            "stopped": str(summary.stopped) if summary.stopped else None,
        },
        "documents": documents,
    }


def translate_table(summary: TranslateSummary, *, dry_run: bool, engine: str, stream: TextIO, paths: Paths) -> None:
    style = _Style(stream)
    w = stream.write
    if dry_run:
        w(style(f"Dry run ({engine}): nothing is sent.", "1") + "\n")
        for r in summary.planned:
            w(f"  {r.job.lang:<5} {paths.show(r.job.target_path)}  {r.characters:,} characters  ({r.job.reason})\n")
        w(f"\n{_plural(len(summary.planned), 'document')}, {summary.texts:,} texts, {summary.characters:,} characters "
          f"in {_plural(summary.requests, 'request')}{_memory_note(summary)}\n")
    else:
        for r in summary.written:
            w(f"  {style('written', '32')}  {paths.show(r.job.target_path)}\n")
    for r in summary.failed:
        w(f"  {style('failed', '31')}   {paths.show(r.job.target_path)}: {r.reason}\n")
    for s in summary.skipped:
        where = paths.show(s.item.path or s.item.target_path or s.item.source_path)
        w(f"  {style('skipped', '33')}  {where}: {s.reason}\n")
    if summary.not_started:
        w(f"  {style('not started', '33')}: {_plural(len(summary.not_started), 'document')}"
          f" ({paths.show(summary.not_started[0].target_path)}{', ...' if len(summary.not_started) > 1 else ''})\n")
    if not dry_run:
        w(
            f"\n{_plural(len(summary.written), 'document')} written, {len(summary.failed)} failed, "
            f"{len(summary.skipped)} skipped, {len(summary.not_started)} not started; "
            f"{_plural(summary.requests, 'request')}, {_cost(summary)} in {summary.seconds:.1f} s{_memory_note(summary)}\n"
        )
    for r in summary.memory_rejected:
        w(f"  {style('rejected', '33')} {paths.show(r.job.target_path)}: the translation memory's {r.origin} translation of "
          f"{_clip(r.source)!r} breaks protected text ({r.reason}): translated again; fix or delete it in {r.memory}\n")
    for r in summary.review:
        w(f"  {style('review', '35')}   {paths.show(r.job.target_path)}:{r.line}: a human translation was replaced because "
          f"its source changed; it is kept in the translation memory: {_clip(r.previous)}\n")
    if summary.stopped is not None:
        w(style(f"stopped: {summary.stopped}", "31;1") + "\n")


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


def render_translate(summary: TranslateSummary, fmt: str, *, dry_run: bool, engine: str, root: Path, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    if fmt == "json":
        write_json(translate_json(summary, dry_run=dry_run, engine=engine), stream, list_key="documents")
    else:
        translate_table(summary, dry_run=dry_run, engine=engine, stream=stream, paths=Paths(root))
