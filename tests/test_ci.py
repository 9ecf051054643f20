"""The CI script's guard: real-data tests may not be skipped where ../shared exists."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

CHECKER = REPO / ".ci" / "real_data_ran.py"

TESTS = '''
import pytest
from conftest import requires_shared
from pathlib import Path

HERE = Path(__file__).parent

@requires_shared(HERE)
def test_reads_real_data():
    assert HERE.is_dir()

@requires_shared(HERE)
@pytest.mark.skipif(True, reason="a tool is missing")
def test_reads_real_data_but_skips():
    pass

@requires_shared(HERE / "absent")
def test_reads_data_that_is_not_here():
    pass

def test_plain():
    pass
'''


def pytest_report(tmp_path: Path, tests: str) -> Path:
    """Run pytest, with the project's conftest, on ``tests``; return its JUnit report."""
    shutil.copy(REPO / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(tests, encoding="utf-8")
    report = tmp_path / "report.xml"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # not CI: a missing folder skips
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", str(tmp_path)],
                   cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    return report


def check(report: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), str(report)], capture_output=True, text=True, check=False)


def test_a_skipped_real_data_test_fails_the_run(tmp_path):
    result = check(pytest_report(tmp_path, TESTS))
    assert result.returncode == 1
    assert "2 of 3 real-data tests skipped" in result.stderr
    assert "test_reads_real_data_but_skips: a tool is missing" in result.stderr
    assert "test_reads_data_that_is_not_here" in result.stderr and "absent not present" in result.stderr
    assert "test_plain" not in result.stderr


def test_all_real_data_tests_run_passes(tmp_path):
    tests = TESTS.split("@requires_shared(HERE)\n@pytest.mark.skipif")[0]
    result = check(pytest_report(tmp_path, tests))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "all 1 real-data tests ran"


def test_no_report_or_no_real_data_test_fails(tmp_path):
    assert check(tmp_path / "nothing.xml").returncode == 1
    result = check(pytest_report(tmp_path, "def test_plain():\n    pass\n"))
    assert result.returncode == 1 and "no real-data test ran" in result.stderr
