"""Stopping a long job cleanly on SIGINT (Ctrl-C) or SIGTERM (CI cancel, ``timeout``, ``kill``).

The first signal asks the job to stop: it sends nothing more, waits for the
requests already in flight (they are billed either way, so their replies are
kept), writes the documents they complete, saves the translation memory and
reports, then exits with 128 + the signal's number. A second signal stops at
once (``KeyboardInterrupt``): what is on disk is still whole, because every
write is atomic and the memory is journalled per document.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def graceful(on_stop: Callable[[int], None]) -> Iterator[None]:
    """Call ``on_stop(signum)`` on the first SIGINT or SIGTERM; raise KeyboardInterrupt on the next.

    Only the main thread can install signal handlers: elsewhere (a library
    caller's worker thread) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def handler(signum: int, frame: object) -> None:
        received.append(signum)
        if len(received) == 1:
            on_stop(signum)
        else:
            raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
