"""Progress of a batch job: a live bar on a terminal, plain lines in CI logs.

On a terminal one line is redrawn (documents, characters, rate, ETA). When
the output is not a terminal (CI, a pipe) a plain line is printed every 10%
of the documents or every 15 seconds, whichever comes first, so logs stay
short and still show that the job is alive.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    def __init__(self, total_docs: int, total_chars: int | None = None, *, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        if live is None:
            live = getattr(self.stream, "isatty", lambda: False)() and os.environ.get("CI", "").lower() not in ("1", "true")
        self.live = live
        self.total_docs = total_docs
        self.total_chars = total_chars
        self.docs = 0
        self.failed = 0
        self.chars = 0
        self.started = time.monotonic()
        self._last_line = self.started
        self._last_step = -1

    def event(self, kind: str, data: dict) -> None:
        if kind == "written":
            self.docs += 1
            self.chars += data.get("characters", 0)
        elif kind == "failed":
            self.docs += 1
            self.failed += 1
            job = data.get("job")
            where = getattr(job, "target_path", "?")
            self._print_line(f"failed: {where}: {data.get('reason', '')}")
        else:
            return
        self._show()

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        done = self.docs / self.total_docs if self.total_docs else 1.0
        eta = f"ETA {_duration(elapsed / done - elapsed)}" if 0 < done < 1 else ""
        chars = f"{self.chars:,}" + (f"/{self.total_chars:,}" if self.total_chars else "") + " chars"
        failed = f", {self.failed} failed" if self.failed else ""
        return f"{self.docs}/{self.total_docs} documents{failed}, {chars}, {_duration(elapsed)} {eta}".rstrip()

    def _show(self) -> None:
        if self.live:
            width = 24
            frac = self.docs / self.total_docs if self.total_docs else 1.0
            bar = "█" * int(frac * width) + "░" * (width - int(frac * width))
            self.stream.write(f"\r{bar} {self.line()}\x1b[K")
            self.stream.flush()
            return
        step = int(10 * self.docs / self.total_docs) if self.total_docs else 10
        now = time.monotonic()
        if step != self._last_step or now - self._last_line >= 15 or self.docs == self.total_docs:
            self._last_step = step
            self._last_line = now
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def _print_line(self, text: str) -> None:
        if self.live:
            self.stream.write("\r\x1b[K" + text + "\n")
        else:
            self.stream.write(text + "\n")

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()


class Ticker:
    """A live progress line for a loop over documents that learns its total when it starts.

    Call it with ``(done, total)`` after each document (``memory export`` and
    ``import`` pass it to :mod:`transync.translate.exchange`); it draws on a
    terminal only, as ``memory seed`` does, and :meth:`close` ends the line.
    """

    def __init__(self, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.stream = stream
        self.live = live
        self.progress: Progress | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            self.progress = Progress(total, stream=self.stream, live=self.live)
        if self.progress.live:
            self.progress.event("written", {})

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()
