"""Which names transync can read in a site, and where in it transync may write.

Three rules live here and nowhere else:

- :func:`name_problem`: a file or folder name must be valid UTF-8 without
  control characters, or it cannot be shown, stored in JSON or in the
  translation memory without loss; such files are reported, not read.
- :func:`write_refusal`: a translation is written only to its own path, inside
  the site, never through a symbolic link below its collection's folder (a
  language folder linked to another language's would overwrite the sources;
  one linked outside would write outside the site), and a new translation
  never replaces a file that is already there.
- :func:`under` and :func:`selected`: whether a path lies in a folder, whole
  names only (``_products/ja/adam`` holds ``adam/x.md``, not
  ``adam-audio/x.md``), and whether the PATHS a command was given select a
  document; every command that takes PATHS filters with it.
"""

from __future__ import annotations

import os
import re
from typing import Iterable

from transync.errors import DocumentError

#: Control characters: no file name, URL or translated text should hold one.
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_NAMES = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab"}


def shown(name: str) -> str:
    """A name as it can be printed: undecodable bytes and control characters escaped."""
    raw = os.fsencode(name)
    text = raw.decode("utf-8", "backslashreplace")
    return CONTROL_CHARS.sub(lambda m: repr(m.group(0))[1:-1], text)


def name_problem(name: str) -> str | None:
    """Why a file name (one path segment, as ``os.scandir`` gives it) cannot be used, or None."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 come back as surrogate escapes
        return "the file name is not valid UTF-8: rename it"
    bad = CONTROL_CHARS.search(name)
    if bad is not None:
        char = bad.group(0)
        what = _CONTROL_NAMES.get(char, f"the control character {char!r}")
        return f"the file name contains {what}: rename it"
    return None


def write_refusal(root: str | os.PathLike[str], rel: str, *, base: str, new: bool) -> str | None:
    """Why transync must not write the site file ``rel`` (POSIX, relative to ``root``), or None.

    ``base`` is the folder (relative to the root) below which no symbolic link
    may lead elsewhere: the collection's folder. A link at or above it is part
    of how the site is laid out; it is still followed only inside the site.
    ``new`` says the file should not exist yet (a missing translation).
    """
    for part in rel.split("/"):
        problem = name_problem(part)
        if problem is not None or part in ("", ".", ".."):
            return problem or f"{shown(rel)} is not a plain path inside the site"
    real_root = os.path.realpath(root)
    logical = os.path.join(root, *rel.split("/"))
    try:
        real = _resolve(logical)
        real_base = _resolve(os.path.join(root, *base.split("/")) if base else os.fspath(root))
    except OSError as exc:  # a symlink loop, or a link to nothing
        return f"its path cannot be resolved ({exc.strerror or exc}): not written"
    if not inside(real, real_root):
        return f"resolves to {real}, outside the site (a symbolic link in its path): not written"
    if not inside(real_base, real_root):
        return f"its folder {base} resolves to {real_base}, outside the site: not written"
    under_base = os.path.relpath(logical, os.path.join(root, *base.split("/")) if base else root)
    if real != os.path.normpath(os.path.join(real_base, under_base)):
        there = os.path.relpath(real, real_root).replace(os.sep, "/")
        what = "the existing file" if os.path.lexists(real) else "the path"
        return f"a symbolic link in its path leads to {what} {there}: not written"
    if new and os.path.lexists(logical):
        return "a file is already there, and it is not a translation of this source (see 'transync status'): not overwritten"
    return None


def ensure_writable(root: str | os.PathLike[str], rel: str, *, base: str, new: bool) -> None:
    """Raise :class:`DocumentError` when :func:`write_refusal` refuses ``rel``."""
    reason = write_refusal(root, rel, base=base, new=new)
    if reason is not None:
        raise DocumentError(reason)


def _resolve(path: str) -> str:
    """The real path of ``path``, whose last parts may not exist yet; OSError for a link loop."""
    head, tail = path, []
    while not os.path.lexists(head):  # false below a loop too: the loop itself is then resolved
        head, name = os.path.split(head)
        if not name:
            break
        tail.append(name)
    # strict: a loop raises instead of coming back unresolved
    return os.path.join(os.path.realpath(head, strict=True), *reversed(tail))


def under(path: str, folder: str, sep: str = "/") -> bool:
    """True when ``path`` is ``folder`` or below it, comparing whole names; ``""`` holds everything."""
    folder = folder.rstrip(sep)
    return folder == "" or path == folder or path.startswith(folder + sep)


def inside(path: str, folder: str) -> bool:
    """True when the real path ``path`` is ``folder`` or below it."""
    return under(path, folder, os.sep)


def selected(paths: Iterable[str] | None, *candidates: str | None) -> bool:
    """Whether a command's PATHS select an item known by any of ``candidates``
    (its path, its source's path, the path a missing translation would get).

    ``paths`` are files or folders relative to the site root, in POSIX form
    (``""`` is the whole site); None selects everything. Items carry their
    paths as :func:`shown`, so the PATHS are compared in that form too.
    """
    if paths is None:
        return True
    folders = [shown(p) for p in paths]
    return any(c is not None and under(c, f) for c in candidates for f in folders)
