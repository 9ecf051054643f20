"""Term glossaries: CSV or TSV files of source and target terms per language pair.

``<src>-<tgt>.csv`` (or ``.tsv``) holds ``source,target[,note]`` rows under a
header; a file whose header names languages (``en,ja,de``) is multilingual
and gives one pair per non-first column. UTF-8 with or without BOM, LF or
CRLF, standard CSV quoting. Problems are collected with file and line, never
raised, so one bad row does not hide the rest of a glossary. Engines take the
terms from here (DeepL keeps them as a glossary on the account, see
:mod:`transync.translate.engines.deepl`; the OpenAI engine puts them in its prompt).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from transync.site.config import LANG_RE as _LANG

_PAIR_NAME = re.compile(rf"^(?P<src>{_LANG.pattern})-(?P<tgt>{_LANG.pattern})$")


@dataclass(frozen=True)
class Entry:
    source: str
    target: str
    note: str
    path: str
    line: int


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str


@dataclass
class Glossaries:
    pairs: dict[tuple[str, str], list[Entry]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def terms(self, source_lang: str, target_lang: str) -> dict[str, str]:
        """Source term (lower case) -> target term, for one language pair."""
        return {e.source.lower(): e.target for e in self.pairs.get((source_lang, target_lang), [])}

    def add(self, pair: tuple[str, str], entry: Entry) -> None:
        entries = self.pairs.setdefault(pair, [])
        for old in entries:
            if old.source.lower() == entry.source.lower():
                if old.target == entry.target:
                    self.problems.append(Problem(entry.path, entry.line, f"duplicate entry for {entry.source!r} (also line {old.line})"))
                else:
                    self.problems.append(
                        Problem(entry.path, entry.line, f"{entry.source!r} -> {entry.target!r} conflicts with {old.target!r} ({old.path}:{old.line})")
                    )
                return
        entries.append(entry)


def load(folder: Path) -> Glossaries:
    """Every glossary file in ``folder`` (no folder: no glossaries)."""
    result = Glossaries()
    if not folder.is_dir():
        return result
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".csv", ".tsv") and path.is_file():
            _load_file(path, result)
    return result


def _load_file(path: Path, result: Glossaries) -> None:
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.problems.append(Problem(name, 1, f"not valid UTF-8 (offset {exc.start})"))
        return
    except OSError as exc:
        result.problems.append(Problem(name, 1, f"cannot be read: {exc.strerror}"))
        return
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        result.problems.append(Problem(name, reader.line_num, f"bad CSV: {exc}"))
        return
    if not rows:
        result.problems.append(Problem(name, 1, "empty glossary"))
        return
    header = [h.strip().lower() for h in rows[0]]
    pair = _PAIR_NAME.match(path.stem)
    # Line numbers: csv rows may span lines; recount from the text.
    lines = _row_lines(text, delimiter)
    if header[:2] == ["source", "target"]:
        if not pair:
            result.problems.append(Problem(name, 1, "name must be <src>-<tgt>.csv (e.g. en-ja.csv) for a source,target glossary"))
            return
        key = (pair.group("src"), pair.group("tgt"))
        for row, line in zip(rows[1:], lines[1:]):
            if not any(cell.strip() for cell in row):
                continue
            source, target = (row + ["", ""])[:2]
            note = row[2] if len(row) > 2 else ""
            if _row_ok(name, line, source, target, result):
                result.add(key, Entry(source.strip(), target.strip(), note.strip(), name, line))
    elif len(header) >= 2 and all(_LANG.fullmatch(h) for h in header):
        src = header[0]
        for row, line in zip(rows[1:], lines[1:]):
            if not any(cell.strip() for cell in row):
                continue
            source = row[0] if row else ""
            for tgt, target in zip(header[1:], row[1:]):
                if not target.strip():
                    continue  # a multilingual row may leave a language out
                if _row_ok(name, line, source, target, result):
                    result.add((src, tgt), Entry(source.strip(), target.strip(), "", name, line))
    else:
        result.problems.append(Problem(name, 1, "header must be 'source,target[,note]' or language codes (e.g. 'en,ja,de')"))


def _row_ok(name: str, line: int, source: str, target: str, result: Glossaries) -> bool:
    if not source.strip() or not target.strip():
        result.problems.append(Problem(name, line, "empty source or target term"))
        return False
    if re.search(r"<[^>]*>", source + target):
        result.problems.append(Problem(name, line, "a term holds a tag-like text (<...>): it would clash with placeholders"))
        return False
    if len(source.encode()) > 1024 or len(target.encode()) > 1024:
        result.problems.append(Problem(name, line, "a term is longer than DeepL's 1024-byte limit"))
        return False
    return True


def _row_lines(text: str, delimiter: str) -> list[int]:
    """The 1-based line on which each CSV row starts."""
    lines = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for _ in reader:
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error:
        pass
    return lines


def check_files(glossaries: Glossaries, site_languages: tuple[str, ...] | None = None) -> list[Problem]:
    """Every problem of the glossary files: those found while loading, and pairs the site cannot use.

    What an engine cannot hold (DeepL's glossary languages) is the engine's to say:
    see ``glossary_problems`` of :mod:`transync.translate.engines.deepl`.
    """
    problems = list(glossaries.problems)
    if site_languages is not None:
        for (src, tgt), entries in sorted(glossaries.pairs.items()):
            where = entries[0].path if entries else f"{src}-{tgt}"
            for lang in (src, tgt):
                if lang not in site_languages:
                    problems.append(Problem(where, 1, f"{lang!r} is not one of the site's languages ({', '.join(site_languages)})"))
    return problems
