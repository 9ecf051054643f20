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
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from transync import __version__
from transync.fsutil import atomic_write

FORMAT = 6
RACY_NS = 3_000_000_000

PACKAGE = Path(__file__).resolve().parents[1]  # the transync package: every layer

Identity = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
Entry = tuple[Identity, tuple[Any, ...], "bytes | None"]  # identity, header facts, hash of the bytes


class HeaderCache:
    def __init__(self, folder: Path, settings: list[Any]) -> None:
        self.folder = folder
        self.path = folder / f"headers-py{sys.version_info[0]}{sys.version_info[1]}.marshal"
        # Entries depend on these settings and on the code that made them: the
        # version, and the source itself (an editable install changes without one).
        self.stamp = (FORMAT, __version__, code_digest(), repr(settings))
        self.started_ns = time.time_ns()

    def load(self) -> dict[str, Entry]:
        """The cached entries, or nothing when the cache is absent, foreign or damaged."""
        try:
            with open(self.path, "rb") as fh:
                data = marshal.loads(fh.read())
            stamp, entries = data
            if stamp != self.stamp or not isinstance(entries, dict):
                return {}
            return entries
        except (OSError, ValueError, EOFError, TypeError):
            return {}

    def save(self, entries: dict[str, Entry]) -> None:
        """Store entries, leaving out those too recent to be trusted. Failures are harmless."""
        horizon = self.started_ns - RACY_NS
        kept = {rel: entry for rel, entry in entries.items() if entry[0][1] < horizon and entry[0][2] < horizon}
        try:
            atomic_write(self.path, marshal.dumps((self.stamp, kept)))
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
