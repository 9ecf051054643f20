"""Same report, less time: `transync status --format json` by two installations of transync, compared.

Runs a cold `status --format json` (an empty cache folder each time) on each site with
this checkout's Python and with another one (a virtualenv with another version of
transync installed, e.g. main's), alternately, and says whether the two JSON reports
are byte for byte the same, with the medians of wall and CPU time of each side.

    python bench/bench_same_status.py --other /tmp/venv-main/bin/python ../shared/corpus/audioreview /tmp/astro-docs
    python bench/bench_same_status.py --other /tmp/venv-main/bin/python --repeat 5 --no-cache ../shared/corpus/audioreview

Exit status 1 when a report differs. Numbers are reported, never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(python: str, root: Path, env: dict[str, str], extra: list[str]) -> tuple[float, float, bytes]:
    """One cold `status --format json` in a new process: wall seconds, CPU seconds (with its children), its output."""
    cache = tempfile.mkdtemp(prefix="transync-bench-same-")
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(
            [python, "-m", "transync", "status", "--root", str(root), "--format", "json", *extra],
            env=dict(env, TRANSYNC_CACHE_DIR=cache), capture_output=True,
            cwd=cache,  # not this checkout: `python -m transync` would import it from the current folder
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"{python}: transync status failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sites", nargs="+", type=Path)
    parser.add_argument("--other", required=True, help="the Python of the other installation")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-cache", action="store_true", help="run with --no-cache (no history cache either)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="transync-bench-pycache-")
    extra = ["--no-cache"] if args.no_cache else []
    sides = {"this": sys.executable, "other": args.other}
    for python in sides.values():
        subprocess.run([python, "-m", "transync", "--version"], env=env, capture_output=True, cwd=tempfile.gettempdir())  # bytecode compiled
    differ = False
    for root in args.sites:
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        outputs: dict[str, set[bytes]] = {name: set() for name in sides}
        for _ in range(args.repeat):
            for name, python in sides.items():
                wall, cpu, out = run(python, root.resolve(), env, extra)
                times[name].append((wall, cpu))
                outputs[name].add(out)
        same = len(outputs["this"] | outputs["other"]) == 1
        differ |= not same
        print(f"{root}: reports {'identical' if same else 'DIFFER'} ({len(next(iter(outputs['this']))):,} bytes)")
        for name in sides:
            wall = statistics.median(w for w, _ in times[name])
            cpu = statistics.median(c for _, c in times[name])
            print(f"  {name:5} {sides[name]}: {wall:6.2f} s wall {cpu:6.2f} s CPU (median of {args.repeat})")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
