"""File writes in one place: every write is atomic."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Sequence


def atomic_write(
    path: str | os.PathLike[str], data: str | bytes | Sequence[bytes | memoryview], *, encoding: str = "utf-8",
    before_replace: Callable[[Path], None] | None = None,
) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    ``data`` may be a sequence of byte chunks, written one after the other (so
    that a large file made of pieces of another is never joined in memory).

    The temporary file lives in the same folder so that the final rename stays
    on one file system, and it is flushed to disk before the rename.
    ``before_replace`` is called with the temporary file's path just before
    the rename; if it raises, nothing is replaced and the temporary file is
    removed (the translation memory checks there that nobody replaced the
    file it read).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    chunks = [data.encode(encoding)] if isinstance(data, str) else [data] if isinstance(data, (bytes, bytearray, memoryview)) else data
    import tempfile  # not at the top: a run that writes nothing (a warm status) need not load it

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.writelines(chunks)
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if before_replace is not None:
            before_replace(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def remove_stale_temp_files(folder: str | os.PathLike[str], *, name: str | None = None) -> int:
    """Remove temporary files that an interrupted :func:`atomic_write` left in ``folder``.

    Only names of the exact form ``atomic_write`` makes (``.<name>.<random>.tmp``)
    are touched; with ``name``, only those of that one file. Returns how many
    were removed.
    """
    import re

    stem = ".+" if name is None else re.escape(name)
    pattern = re.compile(rf"^\.{stem}\.[A-Za-z0-9_]{{8}}\.tmp$")
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError:
                pass
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
