"""One chunked map over worker processes: the same results as one process, in order."""

from __future__ import annotations

import os
from functools import partial

import pytest

from transync.site.workers import chunked_map


def _square_with_pid(items: list[int], offset: int = 0) -> list[tuple[int, int]]:
    return [(n * n + offset, os.getpid()) for n in items]


def _fails_on_seven(items: list[int]) -> list[int]:
    if 7 in items:
        raise ValueError("seven")
    return items


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("weight", [None, lambda n: n % 5])
def test_results_come_back_in_the_order_of_the_items(jobs, weight) -> None:
    items = list(range(100))
    got = chunked_map(partial(_square_with_pid, offset=1), items, jobs=jobs, weight=weight)
    assert [value for value, _ in got] == [n * n + 1 for n in items]


def test_the_work_is_shared_by_this_process_and_workers() -> None:
    got = chunked_map(_square_with_pid, list(range(400)), jobs=2)
    pids = {pid for _, pid in got}
    assert len(pids) == 2 and os.getpid() in pids


def test_below_the_threshold_or_with_one_job_this_process_does_it_all() -> None:
    for jobs, threshold in ((2, 1000), (1, 1)):
        got = chunked_map(_square_with_pid, list(range(50)), jobs=jobs, threshold=threshold)
        assert {pid for _, pid in got} == {os.getpid()}


def test_a_failure_in_any_chunk_is_raised_here() -> None:
    with pytest.raises(ValueError, match="seven"):
        chunked_map(_fails_on_seven, list(range(200)), jobs=2)


def test_no_items() -> None:
    assert chunked_map(_square_with_pid, [], jobs=2) == []
