"""The fault suite (bench/faults.py) as an instrument: it must see a loss when there is one.

The suite's own cases judge transync; these tests judge the suite, with
scenarios broken on purpose (a source overwritten, a file written outside the
site, a truncated translation, memory entries deleted, a document billed
again, a run that hangs), plus two of its fastest real cases.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
from pathlib import Path

import pytest

if not sys.platform.startswith("linux"):
    pytest.skip("the fault suite needs /proc and POSIX signals", allow_module_level=True)

_PATH = Path(__file__).resolve().parents[1] / "bench" / "faults.py"
_spec = importlib.util.spec_from_file_location("faults_suite", _PATH)
faults = importlib.util.module_from_spec(_spec)
sys.modules["faults_suite"] = faults
_spec.loader.exec_module(faults)


def _run(fn, timeout: float = 40):
    return faults.run_case(faults.Case("instrument", 0, "a broken scenario", fn, timeout))


def _failed(result) -> set[str]:
    return {c.name for c in result.checks if not c.ok}


def test_an_overwritten_source_a_file_outside_and_a_truncated_translation_are_lost_files():
    def broken(c):
        c.build(faults.SMALL)
        c.server()
        c.snapshot()
        run = c.translate()
        assert run.rc == 0, run.stderr
        # what a broken transync could do: write through to a source, outside the site, half a file
        (c.site / "_products/en/brand0/doc-0.md").write_text("---\nlang: de\n---\nÜberschrieben\n")
        (c.dir / "outside" / "escaped.md").write_text("x")
        target = c.site / faults.target_of(1)
        target.write_bytes(target.read_bytes()[:100])

    res = _run(broken)
    assert not res.passed
    assert res.lost_files == 3
    assert {"sources unchanged", "nothing written outside the site", "no half-written translation"} <= _failed(res)


def test_missing_memory_entries_and_characters_billed_twice_are_counted():
    def broken(c):
        c.build(faults.SMALL)
        c.server()
        c.snapshot()
        assert c.translate().rc == 0
        # the memory forgets one document, and that document is translated (billed) again
        po = faults.memory_dir(c.site) / "en-de.po"
        ref = faults.reference(faults.SMALL)
        doc0 = ref.source_of[faults.target_of(0)]
        blocks = po.read_text().split("\n\n")
        po.write_text("\n\n".join(b for b in blocks if f"#: {doc0}" not in b))
        (c.site / faults.target_of(0)).unlink()
        assert c.translate("--no-memory").rc == 0
        (c.site / faults.target_of(0)).unlink()
        assert c.translate("--no-memory").rc == 0
        c.judge_memory = c.judge_billing = True

    res = _run(broken)
    expected = len(faults.reference(faults.SMALL).keys_of[faults.reference(faults.SMALL).source_of[faults.target_of(0)]])
    assert res.lost_memory == expected > 0
    assert res.billed_twice and res.billed_twice > 0
    assert {"memory has every entry of every document written", "no character billed twice"} <= _failed(res)
    assert res.lost_files == 0


def test_a_hanging_run_is_killed_and_reported():
    pids = []

    def hangs(c):
        c.build(faults.SMALL)
        fake = c.server()
        fake.delay(60, times=None, path="/v2/translate")
        c.snapshot()
        run = c.translate(timeout=1.5)
        pids.append(run.pid)
        assert run.timed_out

    res = _run(hangs)
    assert "no run hung" in _failed(res)
    assert "HANG" in res.observed
    assert not faults.group_members(pids[0])
    with pytest.raises(ProcessLookupError):
        os.kill(pids[0], 0)


@pytest.mark.parametrize("name", ["duplicate-source-status", "bad-key-403"])
def test_fast_real_cases_run_and_pass(name):
    (case,) = [c for c in faults.CASES if c.name == name]
    res = faults.run_case(dataclasses.replace(case, timeout=120))  # a loaded machine is not what is tested
    assert res.passed, res.observed
    assert res.lost_files == 0


def test_every_issue_group_has_cases_and_names_are_unique():
    names = [c.name for c in faults.CASES]
    assert len(names) == len(set(names))
    assert {c.group for c in faults.CASES} == set(range(1, 18))
    assert 40 <= len(names) <= 70
    assert [c.name for c in faults.select("sigterm")] and all("sigterm" in c.name for c in faults.select("sigterm"))
    assert all(c.group == 13 for c in faults.select("13"))
