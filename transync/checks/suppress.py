"""Inline suppressions: comments in a Markdown or MDX file that silence named checks there.

``<!-- transync-ignore urls -->`` silences the block that follows it (the
lines up to the next blank line; on a line with text, that block too);
``<!-- transync-ignore-start urls -->`` ... ``<!-- transync-ignore-end -->``
a region; ``<!-- transync-ignore-file urls -->`` the whole file (in a
translation, every finding of its pair; in a source, of all its
translations). Several checks are named with commas or spaces; ``all`` or
no name at all silences every check, ``glossary`` the glossary check. The
comments are HTML, so the built site does not show them, and segmenting
keeps them as they are.

MDX has no HTML comments: there the same comment is a JavaScript comment
in braces, ``{/* transync-ignore urls */}`` (``-start``, ``-end``, ``-file``
alike). Both forms are read in every file, since Docusaurus reads ``.md``
files as MDX and its MDX 1 compatibility turns HTML comments into MDX
ones; what a message quotes is the form of the file's syntax.
"""

from __future__ import annotations

import marshal
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, TypeVar

from transync.document.mdx import MD, MDX, syntax_of
from transync.document.patterns import FENCE_OPEN, closes_fence
from transync.fsutil import atomic_write
from transync.site import cache
from transync.site.config import CHECKS

#: The names a comment may use: every check of ``check``, and ``glossary`` for ``glossary check``.
NAMES = (*CHECKS, "glossary")
ALL = "all"

# An HTML comment closes with -->, an MDX one with */}: the conditional keeps a comment in its own form.
_COMMENT = re.compile(
    r"(?:(?P<html><!--)|\{\s*/\*)\s*transync-ignore(?P<kind>-start|-end|-file)?\b"
    r"(?P<names>(?(html)[^>]|[^*}])*?)\s*(?(html)-->|\*/\s*\})"
)


@dataclass
class Suppressions:
    """What one file's comments silence: file-wide names, and names per line."""

    file_wide: set[str] = field(default_factory=set)
    lines: dict[int, set[str]] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong with a comment)

    def covers(self, check: str, line: int | None) -> bool:
        if check in self.file_wide or ALL in self.file_wide:
            return True
        names = self.lines.get(line) if line else None
        return bool(names) and (check in names or ALL in names)


def parse(text: str, syntax: str = MD) -> Suppressions:
    """The suppressions of one file's text (comments inside fenced code do not count);
    ``syntax`` (:func:`transync.document.mdx.syntax_of`) is the comment form its messages quote."""
    result = Suppressions()
    lines = text.split("\n")
    fence: str | None = None
    region: tuple[int, set[str]] | None = None  # (line of -start, names)
    pending: set[str] | None = None  # names for the block after a comment line
    in_block = False
    for number, line in enumerate(lines, 1):
        marker = FENCE_OPEN.match(line)
        code = fence is not None or marker is not None
        if fence is not None:
            if closes_fence(line, fence):
                fence = None
        elif marker:
            fence = marker.group(1)
        comments = [] if code else list(_COMMENT.finditer(line))
        for m in comments:
            kind = m.group("kind") or ""
            names = _names(m.group("names"), number, result)
            if kind == "-file":
                result.file_wide |= names
            elif kind == "-start":
                region = (number, names)
            elif kind == "-end":
                if region is None:
                    result.problems.append((number, "transync-ignore-end without a transync-ignore-start before it"))
                region = None
            else:
                pending = names
                in_block = bool(line[: m.start()].strip() or line[m.end():].strip())
        silenced: set[str] = set()
        if region is not None:
            silenced |= region[1]
        if pending is not None:
            if line.strip() and not (comments and not _COMMENT.sub("", line).strip()):
                in_block = True
            elif not line.strip() and in_block:
                pending, in_block = None, False
            if pending is not None:
                silenced |= pending
        if silenced:
            result.lines[number] = silenced
    if region is not None:
        end = "{/* transync-ignore-end */}" if syntax == MDX else "<!-- transync-ignore-end -->"
        result.problems.append((region[0], f"transync-ignore-start is never ended ({end}): it silences the rest of the file"))
    return result


def _names(text: str, line: int, result: Suppressions) -> set[str]:
    names = {n.lower() for n in re.split(r"[\s,]+", text.strip()) if n}
    for name in sorted(names - {*NAMES, ALL}):
        result.problems.append((line, f"transync-ignore names an unknown check {name!r} (checks: {', '.join(NAMES)}, all)"))
    if not text.strip():
        return {ALL}
    return names & {*NAMES, ALL}


class Where(NamedTuple):
    """Where a finding is, for suppression: its check, the file its line is in, the line, and its pair's files."""

    check: str
    file: str
    line: int | None
    files: tuple[str, ...]  # every file whose file-wide comments apply (the translation and its source)


T = TypeVar("T")


@dataclass
class Applied:
    """The findings left, how many comments silenced, and the comments that are wrong (path, line, message)."""

    kept: list
    suppressed: int = 0
    problems: list[tuple[str, int, str]] = field(default_factory=list)


def apply(root: Path, findings: Iterable[T], where: Callable[[T], Where], cache_dir: Path | None = None) -> Applied:
    """Leave out the findings that a comment silences; read only the files findings point at.

    With ``cache_dir``, the files found without any comment are remembered by their identity
    (size, times, inode, as the header cache trusts them): a warm run reads only the files
    that changed and those that do have comments.
    """
    parsed: dict[str, Suppressions] = {}
    result = Applied([])
    quiet = _Quiet(root, cache_dir)
    none = Suppressions()

    def of(rel: str) -> Suppressions:
        found = parsed.get(rel)
        if found is None:
            identity = quiet.identity(rel)
            if identity is not None and quiet.known.get(rel) == identity:
                found = none
            else:
                try:
                    with open(os.path.join(quiet.root, rel), "rb") as fh:
                        data = fh.read()
                except OSError:
                    data = b""
                # Most files have no comment: decode and parse only those that do.
                if b"transync-ignore" in data:
                    found = parse(data.decode("utf-8", errors="replace"), syntax_of(rel))
                    result.problems.extend((rel, line, message) for line, message in found.problems)
                else:
                    found = none
                    quiet.note(rel, identity)
            parsed[rel] = found
        return found

    for finding in findings:
        w = where(finding)
        if of(w.file).covers(w.check, w.line) or any(w.check in (fw := of(f).file_wide) or ALL in fw for f in w.files):
            result.suppressed += 1
        else:
            result.kept.append(finding)
    quiet.save()
    return result


class _Quiet:
    """The files known to hold no transync-ignore comment, by identity (a cache outside the site)."""

    def __init__(self, root: Path, cache_dir: Path | None) -> None:
        import time

        self.root, self.path = str(root), (cache_dir / "quiet-files.marshal" if cache_dir is not None else None)
        self.known: dict[str, tuple] = {}
        self.changed = False
        self.started = time.time_ns()
        # transync's code is in the stamp: a version that reads other comments reads every file again.
        self.stamp = (_STAMP, cache.code_digest()) if self.path is not None else None
        if self.path is not None:
            try:
                with open(self.path, "rb") as fh:
                    stamp, known = marshal.loads(fh.read())
                if stamp == self.stamp and isinstance(known, dict):
                    self.known = known
            except (OSError, ValueError, EOFError, TypeError):
                pass

    def identity(self, rel: str) -> tuple | None:
        if self.path is None:
            return None
        try:
            st = os.stat(os.path.join(self.root, rel))  # strings: pathlib's / costs as much as the stat
        except OSError:
            return None
        return cache.identity(st)

    def note(self, rel: str, identity: tuple | None) -> None:
        # As the header cache: a file changed just now may change again without looking changed.
        if identity is not None and cache.settled(identity, self.started) and self.known.get(rel) != identity:
            self.known[rel] = identity
            self.changed = True

    def save(self) -> None:
        if self.path is not None and self.changed:
            try:
                atomic_write(self.path, marshal.dumps((self.stamp, self.known)))
            except (OSError, ValueError):
                pass  # a read-only cache folder only makes the next run slower


_STAMP = ("quiet-files", 1, b"transync-ignore")
