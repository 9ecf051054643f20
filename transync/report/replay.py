"""Replaying a report whose inputs have not changed since it was last written.

A warm ``status`` of an unchanged site would judge the same rows and render
the same text again: most of its time. The rendered text (and what went to
stderr, and the exit code) is kept in the site's cache folder under a key
of everything the report depends on:

- transync's code (:func:`transync.site.cache.code_digest`) and the whole
  configuration, the layout by its class, code and settings (a layout whose
  settings do not print as values is never replayed);
- every document file's path and identity (size, times, inode) and what the
  walk refused (:attr:`transync.site.scan.Walk.token`; none while a file is
  too recent to be trusted, as for the header cache);
- git's evidence: the repository, HEAD, whether it is shallow, and the paths
  ``git status`` calls changed (:class:`transync.site.history.History`);
- the command's own options (languages, paths and whether each exists,
  states, format) and, for people, where they stand, whether the output is a
  terminal, its size and the environment variables the renderers read
  (:func:`terminal`).

Anything else (a missing, damaged or foreign file) is a miss; a miss renders
as usual and stores the result. Only complete, successful renders are kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import marshal
import sys
from typing import Any, NamedTuple

from transync.fsutil import atomic_write
from transync.site import cache
from transync.site.config import SiteConfig

VERSION = 1


class Replay(NamedTuple):
    out: str
    err: str
    code: int


def key(config: SiteConfig, token: bytes | None, history: Any, options: Any) -> bytes | None:
    """The key of a report of ``config``'s site as walked (``token``), or None: not replayable."""
    from transync.site.scan import layout_stamp

    if token is None or not config.cache:
        return None
    layout = layout_stamp(config)
    settings = repr(dataclasses.replace(config, layout=None))
    if layout is None or " at 0x" in settings:
        return None
    git: Any = None
    if history is not False and history is not None:
        if not history.usable:
            git = ("unusable", history.note)
        else:
            repo = history.repo
            git = (str(repo.top), repo.prefix, repo.head, history.note, sorted(history.dirty))
    parts = (VERSION, cache.FORMAT, cache.code_digest(), sys.version, settings, layout, token, repr(git), repr(options))
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogateescape"), digest_size=16).digest()


#: The environment a renderer reads (colours, paths shown relative to the workspace...).
ENVIRONMENT = ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS", "LINES", "GITHUB_WORKSPACE", "GITHUB_STEP_SUMMARY", "CI")


def terminal() -> tuple:
    """What a report rendered for people depends on besides the report: where the user stands
    (paths are shown relative to it), whether the output is a terminal, its size, the environment."""
    import os
    import shutil

    isatty = getattr(sys.stdout, "isatty", lambda: False)()
    return (os.getcwd(), isatty, tuple(shutil.get_terminal_size()), tuple(os.environ.get(name) for name in ENVIRONMENT))


class Capture(io.StringIO):
    """Text rendered for ``stream``, kept: it says it is a terminal when ``stream`` is one."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self._tty = getattr(stream, "isatty", lambda: False)()

    def isatty(self) -> bool:
        return self._tty


def _path(config: SiteConfig, name: str):
    return config.cache_dir / f"replay-{name}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"


def load(config: SiteConfig, name: str, wanted: bytes | None) -> Replay | None:
    """The stored report ``name`` when it was stored under ``wanted``."""
    if wanted is None:
        return None
    try:
        with open(_path(config, name), "rb") as fh:
            stored, out, err, code = marshal.loads(fh.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if stored != wanted or not (isinstance(out, str) and isinstance(err, str) and isinstance(code, int)):
        return None
    return Replay(out, err, code)


def save(config: SiteConfig, name: str, wanted: bytes | None, replay: Replay) -> None:
    """Keep a report for the next run with the same inputs; a cache that cannot be written is no error."""
    if wanted is None:
        return
    try:
        atomic_write(_path(config, name), marshal.dumps((wanted, *replay)))
    except (OSError, ValueError):
        pass
