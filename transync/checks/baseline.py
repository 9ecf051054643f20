"""The baseline: findings a site has accepted, so that later runs report only new ones.

``check --update-baseline`` and ``glossary check --update-baseline`` write
the findings of the run into one committed JSON file (default
``.transync/baseline.json``, ``[check] baseline``), one section per command.
An entry is keyed by the translation's path, the check and the finding's
message with its line numbers taken out, so that it survives edits
elsewhere in the file; a key found twice is counted twice. A later run
reports the findings beyond those counts, and how many accepted findings
are gone (fixed), so the baseline can be trimmed. The file is sorted and
has one entry per line: identical findings give identical bytes, and a
review shows what was accepted.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Generic, Iterable, NamedTuple, TypeVar

from transync.errors import ConfigError
from transync.fsutil import atomic_write

VERSION = 1
#: The sections of the file: one per command that reads it.
SECTIONS = ("check", "glossary")

_LINE_NUMBER = re.compile(r"\b(lines?) \d+(?:-\d+)?")


def content(message: str) -> str:
    """A finding's message without the line numbers it quotes ("source line 12" -> "source line #")."""
    return _LINE_NUMBER.sub(r"\1 #", message)


class Key(NamedTuple):
    path: str  # the translation, relative to the site root
    check: str
    message: str  # as :func:`content` gives it


class Entry(NamedTuple):
    """One accepted finding, as the baseline keeps it: its key, its language and its source."""

    key: Key
    lang: str
    source_path: str


T = TypeVar("T")


@dataclass
class Comparison(Generic[T]):
    """A run against the baseline: its new findings, how many were known, the accepted ones now gone."""

    new: list[T]
    known: int = 0
    known_by_lang: Counter[str] = field(default_factory=Counter)  # ``known`` per language of the findings
    fixed: list[Entry] = field(default_factory=list)
    path: Path | None = None  # the baseline file (None: there is none)


class Baseline:
    """The accepted findings of each section, as counts per key."""

    def __init__(self, path: Path, sections: dict[str, dict[Key, tuple[int, Entry]]] | None = None, exists: bool = False) -> None:
        self.path = path
        self.sections: dict[str, dict[Key, tuple[int, Entry]]] = sections or {name: {} for name in SECTIONS}
        self.exists = exists

    @classmethod
    def load(cls, path: Path, shown: str | None = None) -> "Baseline":
        """The baseline at ``path``; an empty one when there is no file. ConfigError naming the file when it is not one."""
        name = shown or str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{name}: the baseline cannot be read ({exc})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{name}: the baseline is not valid JSON (line {exc.lineno}: {exc.msg}); run with --update-baseline to rewrite it") from None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise ConfigError(f"{name}: not a transync baseline of version {VERSION}; run with --update-baseline to rewrite it")
        sections: dict[str, dict[Key, tuple[int, Entry]]] = {}
        for section in SECTIONS:
            rows = data.get(section, [])
            entries: dict[Key, tuple[int, Entry]] = {}
            for n, row in enumerate(rows if isinstance(rows, list) else [None]):
                try:
                    key = Key(str(row["path"]), str(row["check"]), str(row["message"]))
                    count = int(row.get("count", 1))
                    entry = Entry(key, str(row.get("lang", "")), str(row.get("source_path", "")))
                except (TypeError, KeyError, ValueError, AttributeError):
                    raise ConfigError(f"{name}: entry {n + 1} of '{section}' is not a finding (path, check, message)") from None
                old = entries.get(key, (0, entry))[0]
                entries[key] = (old + max(count, 1), entry)
            sections[section] = entries
        return cls(path, sections, exists=True)

    def compare(self, section: str, findings: Iterable[T], entry: Callable[[T], Entry], in_scope: Callable[[Entry], bool]) -> Comparison[T]:
        """The findings beyond the accepted counts, in their order; the accepted ones in scope not found."""
        accepted = self.sections[section]
        left = {key: count for key, (count, _) in accepted.items()}
        result: Comparison[T] = Comparison([], path=self.path if self.exists else None)
        for finding in findings:
            e = entry(finding)
            if left.get(e.key, 0) > 0:
                left[e.key] -= 1
                result.known += 1
                result.known_by_lang[e.lang] += 1
            else:
                result.new.append(finding)
        for key, count in left.items():
            e = accepted[key][1]
            if count and in_scope(e):
                result.fixed.extend([e] * count)
        return result

    def update(self, section: str, findings: Iterable[T], entry: Callable[[T], Entry], in_scope: Callable[[Entry], bool]) -> tuple[int, int]:
        """Accept exactly ``findings`` within the scope of the run; entries outside it stay. Returns (added, removed)."""
        old = self.sections[section]
        kept = {key: value for key, value in old.items() if not in_scope(value[1])}
        counts: Counter[Key] = Counter()
        entries: dict[Key, Entry] = {}
        for finding in findings:
            e = entry(finding)
            counts[e.key] += 1
            entries.setdefault(e.key, e)
        for key, count in counts.items():
            before = kept.get(key, (0, entries[key]))[0]
            kept[key] = (before + count, entries[key])
        before_total = sum(c for c, _ in old.values())
        after_total = sum(c for c, _ in kept.values())
        gained = sum(max(0, kept.get(k, (0,))[0] - old.get(k, (0,))[0]) for k in kept)
        self.sections[section] = kept
        return gained, before_total + gained - after_total

    def save(self) -> None:
        """Write the file: sorted, one entry per line, atomically."""
        parts = [f'{{\n  "version": {VERSION},']
        for n, section in enumerate(SECTIONS):
            rows = []
            for key, (count, e) in sorted(self.sections[section].items()):
                row = {"path": key.path, "check": key.check, "message": key.message, "lang": e.lang, "source_path": e.source_path}
                if count != 1:
                    row["count"] = count
                rows.append(json.dumps(row, ensure_ascii=False))
            body = ("[\n    " + ",\n    ".join(rows) + "\n  ]") if rows else "[]"
            parts.append(f'  "{section}": {body}' + ("," if n < len(SECTIONS) - 1 else ""))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, "\n".join(parts) + "\n}\n")
        self.exists = True

    def total(self, section: str) -> int:
        return sum(count for count, _ in self.sections[section].values())


def scope(
    checks: Iterable[str], langs: Iterable[str] | None, paths: Iterable[str] | None, files: Iterable[str] | None = None,
) -> Callable[[Entry], bool]:
    """Whether an accepted finding is one a run of these checks, languages and PATHS looks at
    (and, for a run limited to some collections, whose file is one of theirs: ``files``)."""
    from transync.site import sitepaths

    names, wanted, selection = set(checks), set(langs or ()), list(paths) if paths is not None else None
    among = set(files) if files is not None else None
    return lambda e: (e.key.check in names and (not wanted or e.lang in wanted) and sitepaths.selected(selection, e.key.path, e.source_path)
                      and (among is None or e.key.path in among))
