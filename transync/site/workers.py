"""Work spread over worker processes, stopped at once by Ctrl-C and never outliving transync.

Reading thousands of files is CPU work in Python: the scan, the git history
and the checks hand chunks of it to worker processes (:func:`chunked_map`),
and this process takes chunks too rather than wait. The workers must stop
with the command: on Ctrl-C (the whole process group gets SIGINT) they leave
the interrupt to their parent, which stops them at once; if the parent is
killed outright, the kernel kills them (``PR_SET_PDEATHSIG`` on Linux).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Callable, Iterable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Chunks per process: enough that no process waits long for the last one, few enough that
#: handing them out and sending back their results stays cheap.
CHUNKS_PER_WORKER = 8

#: How long (seconds) this process's working thread keeps the GIL while the pool's threads wait
#: for it, as the chunks are shared out: Python's default (5 ms) makes the thread that writes a
#: chunk to a worker's pipe wait that long for every 64 KiB the pipe takes, and the worker idle
#: meanwhile (tens of ms for each chunk of a history's old versions).
SWITCH_INTERVAL = 0.0005


def default_workers() -> int:
    """How many processes work when the caller does not say: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return min(cpus, 4)


def chunked_map(
    func: Callable[[list[T]], list[R]], items: Sequence[T], *, jobs: int | None = None, threshold: int = 1,
    weight: Callable[[T], float] | None = None,
) -> list[R]:
    """``func(items)``, in chunks over ``jobs`` processes (this one included) when there are
    at least ``threshold`` items; in this process alone otherwise, or where no process can be
    started.

    ``func`` takes a list of items and returns one result per item, in order; it must be a
    module-level function or a ``functools.partial`` of one (it is pickled). With ``weight``,
    items are dealt to the chunks heaviest first, round robin, so that chunks hold about equal
    work; otherwise each chunk is a run of neighbouring items.
    """
    items = list(items)
    workers = default_workers() if jobs is None else jobs
    if workers <= 1 or len(items) < max(threshold, 2):
        return func(items)
    count = min(len(items), workers * CHUNKS_PER_WORKER)
    if weight is not None:
        order = sorted(range(len(items)), key=lambda i: -weight(items[i]))
        places = [order[k::count] for k in range(count)]
    else:
        size = -(-len(items) // count)
        places = [list(range(i, min(i + size, len(items)))) for i in range(0, len(items), size)]
    parts = parallel_map(func, [[items[i] for i in chunk] for chunk in places], workers)
    if parts is None:  # no worker processes allowed here: do it in this one
        return func(items)
    out: list = [None] * len(items)
    for chunk, part in zip(places, parts):
        for i, result in zip(chunk, part):
            out[i] = result
    return out


def parallel_map(func: Callable[[T], R], chunks: Iterable[T], workers: int) -> list[R] | None:
    """``[func(c) for c in chunks]`` in ``workers`` processes, this one and ``workers - 1`` more;
    None when no process can be started here.

    ``func`` must be a module-level function (it is pickled). The chunks are handed out in
    order, each to a process that is free or about to be (this one too), heaviest first if
    they come so.
    """
    import multiprocessing

    chunks = list(chunks)
    results: list = [None] * len(chunks)
    # Ctrl-C must not land while the pool is being made: a pool half made is never stopped, and
    # its worker-keeping thread starts new workers that the exit then waits for, for ever. So
    # SIGINT waits (blocked) until the pool is ours to stop.
    can_block = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if can_block else None
    pool = None
    try:
        try:
            pool = multiprocessing.get_context().Pool(max(1, workers - 1), initializer=_worker_init, initargs=(os.getpid(),))
        except (OSError, ImportError):  # no processes here (no fork, or no working sem_open: multiprocessing's ImportError)
            pool = None
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C that waited is raised now
            mask = None
        if pool is None:
            return None
        switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        try:
            _share(pool, func, chunks, results, max(1, workers - 1))
        finally:
            sys.setswitchinterval(switch)
        return results
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if pool is not None:
            # Normally or by Ctrl-C, the workers stop at once (a ProcessPoolExecutor would wait
            # for them, and can deadlock when one dies mid-task).
            pool.terminate()
            pool.join()


def _share(pool, func: Callable, chunks: list, results: list, workers: int) -> None:
    """Fill ``results`` with ``func`` of each chunk: this process takes the next chunk whenever it
    is free, after keeping two chunks in hand for each of the pool's workers.

    Only this thread hands chunks to the pool: the pool's result thread just records what
    comes back (a callback that sent more work could meet a pool being stopped by Ctrl-C, and
    die, and the pool could then not be stopped).
    """
    lock = threading.Lock()
    done = threading.Condition(lock)
    state = {"next": 0, "running": 0, "error": None}

    def finished(i: int, result) -> None:  # in the pool's result thread
        with lock:
            results[i] = result
            state["running"] -= 1
            done.notify_all()

    def failed(exc: BaseException) -> None:  # in the pool's result thread
        with lock:
            state["error"] = exc
            state["running"] -= 1
            done.notify_all()

    while True:
        with lock:
            if state["error"] is not None:
                break
            while state["running"] < 2 * workers and state["next"] < len(chunks):
                i = state["next"]
                state["next"] += 1
                state["running"] += 1
                pool.apply_async(func, (chunks[i],), callback=lambda r, i=i: finished(i, r), error_callback=failed)
            if state["next"] >= len(chunks):
                break
            i = state["next"]
            state["next"] += 1
        results[i] = func(chunks[i])
    with lock:
        while state["running"] and state["error"] is None:
            done.wait(0.1)
        if state["error"] is not None:
            raise state["error"]


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
