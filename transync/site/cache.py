"""The persistent cache of document headers, keyed by file identity, then by content.

An entry is trusted while the file's size, modification time, change time and
inode are all unchanged; when they changed but the size did not (a fresh
checkout or copy), the scan compares a hash of the file's bytes with the
entry's before parsing the file again. Like git's index, the cache does not keep
entries for files modified in the seconds before the scan began: an edit
within the file system's timestamp granularity could otherwise leave the
size and times unchanged and be missed.

The cache lives outside the site (see ``SiteConfig.cache_dir``), belongs to
the user, and is written with :mod:`marshal`, which loads a large site's
headers several times faster than JSON. Anything unexpected in it (another
format, another Python, damage) makes it count as empty.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from transync import __version__
from transync.fsutil import atomic_write

FORMAT = 7
RACY_NS = 3_000_000_000

PACKAGE = Path(__file__).resolve().parents[1]  # the transync package: every layer

Identity = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def identity(st: os.stat_result) -> Identity:
    """A file's identity as transync's caches trust it: size, mtime, ctime, inode."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def settled(ident: Identity, started_ns: int) -> bool:
    """Whether a file was last changed more than RACY_NS before ``started_ns`` (a run's start): only
    then may its identity stand for its content (an edit within the file system's timestamp
    granularity could otherwise leave it unchanged)."""
    horizon = started_ns - RACY_NS
    return ident[1] < horizon and ident[2] < horizon
Entry = tuple[Any, ...]  # identity, header facts, hash of the bytes (, the ready-to-judge row)


class HeaderCache:
    """``rows``: the stamp of what a scan derives from a header with the site's configuration
    (the ready-to-judge row an entry may carry last); the rows are trusted only while it is
    the same (:attr:`rows_valid`), the headers while ``settings`` and the code are."""

    def __init__(self, folder: Path, settings: list[Any], rows: str | None = None) -> None:
        self.folder = folder
        self.path = folder / f"headers-py{sys.version_info[0]}{sys.version_info[1]}.marshal"
        # Entries depend on these settings and on the code that made them: the
        # version, and the source itself (an editable install changes without one).
        self.stamp = (FORMAT, __version__, code_digest(), repr(settings))
        self.rows = rows
        self.rows_valid = False
        self.started_ns = time.time_ns()

    def load(self) -> dict[str, Entry]:
        """The cached entries, or nothing when the cache is absent, foreign or damaged."""
        try:
            with open(self.path, "rb") as fh:
                data = marshal.loads(fh.read())
            stamp, entries, rows = data
            if stamp != self.stamp or not isinstance(entries, dict):
                return {}
            self.rows_valid = self.rows is not None and rows == self.rows
            return entries
        except (OSError, ValueError, EOFError, TypeError):
            return {}

    def save(self, entries: dict[str, Entry]) -> None:
        """Store entries, leaving out those too recent to be trusted. Failures are harmless."""
        started = self.started_ns
        kept = {rel: entry for rel, entry in entries.items() if settled(entry[0], started)}
        try:
            atomic_write(self.path, marshal.dumps((self.stamp, kept, self.rows)))
        except (OSError, ValueError):
            pass  # a read-only cache folder only makes the next scan slower


@lru_cache(maxsize=None)
def code_digest(package: Path = PACKAGE) -> str:
    """A hash of every Python source file of the transync package (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def site_folder(root: Path) -> Path:
    """Where a site's caches live: outside the site, one folder per site root.

    ``TRANSYNC_CACHE_DIR`` overrides the base folder, else ``XDG_CACHE_HOME``
    or ``~/.cache``; the cache never lands in the site's own tree.
    """
    base = os.environ.get("TRANSYNC_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "transync")
    key = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return Path(base) / f"{root.name or 'site'}-{key}"


#: The types a cached parse may hold: what marshal stores exactly (YAML dates are not cached).
_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, _PLAIN) and _plain(v) for k, v in value.items())
    return False


def parsed(folder: Path, name: str, text: str, parse: Callable[[str], Any]) -> Any:
    """``parse(text)``, remembered by a hash of ``text`` and the code, so that a warm run needs no parser.

    Used for the site's ``_config.yml``: PyYAML's import and parse cost more than a
    whole warm ``status`` may take. Errors are not cached (they raise again), and a
    value marshal cannot keep exactly (a YAML date) is parsed every time.
    """
    path = folder / f"{name}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"
    key = (FORMAT, __version__, code_digest(), hashlib.blake2b(text.encode(), digest_size=16).digest())
    try:
        with open(path, "rb") as fh:
            stamp, value = marshal.loads(fh.read())
        if stamp == key:
            return value
    except (OSError, ValueError, EOFError, TypeError):
        pass
    value = parse(text)
    if _plain(value):
        try:
            atomic_write(path, marshal.dumps((key, value)))
        except (OSError, ValueError):
            pass  # a read-only cache folder only makes the next run slower
    return value
