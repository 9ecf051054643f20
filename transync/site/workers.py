"""Work spread over worker processes, stopped at once by Ctrl-C and never outliving transync.

Reading thousands of files is CPU work in Python: the scan and the checks
hand chunks of it to a pool of processes. The pool must stop with the
command: on Ctrl-C (the whole process group gets SIGINT) the workers leave
the interrupt to their parent, which stops them at once; if the parent is
killed outright, the kernel kills them (``PR_SET_PDEATHSIG`` on Linux).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def parallel_map(func: Callable[[T], R], chunks: Iterable[T], workers: int) -> list[R] | None:
    """``[func(c) for c in chunks]`` in ``workers`` processes; None when no process can be started here.

    ``func`` must be a module-level function (it is pickled).
    """
    import multiprocessing

    chunks = list(chunks)
    # Ctrl-C must not land while the pool is being made: a pool half made is never stopped, and
    # its worker-keeping thread starts new workers that the exit then waits for, for ever. So
    # SIGINT waits (blocked) until the pool is ours to stop.
    can_block = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if can_block else None
    pool = None
    try:
        try:
            pool = multiprocessing.get_context().Pool(workers, initializer=_worker_init, initargs=(os.getpid(),))
        except (OSError, ImportError):  # no processes here (no fork, or no working sem_open: multiprocessing's ImportError)
            pool = None
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C that waited is raised now
            mask = None
        if pool is None:
            return None
        return pool.map(func, chunks)
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if pool is not None:
            # Normally or by Ctrl-C, the workers stop at once (a ProcessPoolExecutor would wait
            # for them, and can deadlock when one dies mid-task).
            pool.terminate()
            pool.join()


def _worker_init(parent: int) -> None:
    """A worker leaves interrupts to its parent and dies with it."""
    # Ctrl-C reaches the whole process group: only the parent acts on it (it stops the pool).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            # PR_SET_PDEATHSIG = 1: the kernel sends SIGKILL to this worker when its parent dies,
            # so a parent killed with SIGKILL leaves no orphaned workers behind.
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
