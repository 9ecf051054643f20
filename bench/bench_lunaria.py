"""Benchmark and parity: `transync status` against Lunaria on a clone of the Astro docs history.

transync reads the clone with zero configuration (its lunaria.config.ts). The
script times `transync status --format json` cold (empty caches, one new
process each) and warm (caches present, nothing changed): wall time and the
CPU time of the process and its children (git, worker processes). With
Lunaria's saved JSON (the output of `lunaria(config)` on the same commit), it
prints Lunaria's time and per-locale counts beside transync's, and every page
on which the two disagree, with the evidence of each side.

    git clone ../shared/corpus/astro-docs-history.bundle /tmp/astro-docs
    python bench/bench_lunaria.py /tmp/astro-docs
    python bench/bench_lunaria.py /tmp/astro-docs --lunaria /tmp/lunaria-status.json --repeat 5

The Lunaria JSON is `{"seconds": ..., "cpu": ..., "status": <lunaria()'s result>}` or the bare
result list. Numbers are reported, never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

STATES = {"missing": "missing", "stale": "outdated", "current": "up to date"}


def run_status(root: Path, cache: Path) -> tuple[float, float, dict]:
    """One `transync status` in a new process: wall seconds, CPU seconds (with children), its JSON."""
    env = dict(os.environ, TRANSYNC_CACHE_DIR=str(cache))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "transync", "status", "--root", str(root), "--format", "json"],
        env=env, capture_output=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.exit(f"transync status failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(proc.stdout)


def measure(root: Path, repeat: int) -> tuple[dict[str, tuple[float, float]], dict]:
    """Medians of cold runs (each with an empty cache) and of warm runs (one cache, filled first)."""
    cold, report = [], {}
    for _ in range(repeat):
        cache = Path(tempfile.mkdtemp(prefix="transync-bench-cache-"))
        wall, cpu, report = run_status(root, cache)
        cold.append((wall, cpu))
        shutil.rmtree(cache, ignore_errors=True)
    cache = Path(tempfile.mkdtemp(prefix="transync-bench-cache-"))
    run_status(root, cache)
    warm = [run_status(root, cache)[:2] for _ in range(repeat)]
    shutil.rmtree(cache, ignore_errors=True)

    def median(runs):
        return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)

    return {"cold": median(cold), "warm": median(warm)}, report


def transync_verdicts(report: dict) -> dict[tuple[str, str], dict]:
    """(language, source path) -> the status item, for the states Lunaria also has."""
    return {(i["lang"], i["source_path"]): i for i in report["items"] if i["state"] in STATES}


def lunaria_verdicts(status: list[dict]) -> dict[tuple[str, str], tuple[str, dict, dict]]:
    """(language, source path) -> (state in transync's words, Lunaria's source file, its localization)."""
    out = {}
    for page in status:
        source = page["sourceFile"]
        for lang, loc in page["localizations"].items():
            state = "missing" if loc["isMissing"] else "stale" if loc["isOutdated"] else "current"
            out[(lang, source["path"])] = (state, source, loc)
    return out


def counts(states: dict[tuple[str, str], str]) -> dict[str, Counter]:
    table: dict[str, Counter] = {}
    for (lang, _), state in states.items():
        table.setdefault(lang, Counter())[state] += 1
    return table


def commit_words(git: dict, major: bool = True) -> str:
    prefix = "lastMajor" if major else "last"
    sha = git.get(f"{prefix}CommitHash", "")[:9]
    when = (git.get(f"{prefix}Change") or "")[:10]
    return f"{sha} {when} {git.get(f'{prefix}CommitMessage', '')[:60]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("clone", type=Path, help="a clone of astro-docs-history.bundle (or any site with a lunaria.config)")
    parser.add_argument("--lunaria", type=Path, help="Lunaria's saved JSON for the same commit")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    root = args.clone.resolve()
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    times, report = measure(root, args.repeat)
    ours = {key: item["state"] for key, item in transync_verdicts(report).items()}
    print(f"site {root} at {head}: {len(report['items'])} items, evidence {report['summary']['evidence']}")
    for name, (wall, cpu) in times.items():
        print(f"transync status {name:4}: {wall:6.2f} s wall, {cpu:6.2f} s CPU (median of {args.repeat})")

    if args.lunaria is None:
        for lang, row in sorted(counts(ours).items()):
            print(f"  {lang:6} missing {row['missing']:4}  stale {row['stale']:4}  current {row['current']:4}")
        return

    saved = json.loads(args.lunaria.read_text(encoding="utf-8"))
    status = saved["status"] if isinstance(saved, dict) else saved
    theirs_full = lunaria_verdicts(status)
    theirs = {key: value[0] for key, value in theirs_full.items()}
    if isinstance(saved, dict) and saved.get("seconds"):
        lunaria_wall = saved["seconds"]
        cpu = saved.get("cpu")
        print(f"Lunaria              : {lunaria_wall:6.1f} s wall" + (f", {cpu:6.1f} s CPU" if cpu else ""))
        for name, (wall, cpu_t) in times.items():
            print(f"  transync {name} is {lunaria_wall / wall:,.0f}x faster (wall)" + (f", {cpu / cpu_t:,.0f}x (CPU)" if cpu else ""))

    print(f"\n{len({p for _, p in theirs})} pages Lunaria counts; transync {len({p for _, p in ours})}")
    print("| locale | missing L | missing T | outdated L | stale T | up to date L | current T | disagreements |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    ours_n, theirs_n = counts(ours), counts(theirs)
    for lang in sorted(set(ours_n) | set(theirs_n)):
        o, t = ours_n.get(lang, Counter()), theirs_n.get(lang, Counter())
        differ = sum(1 for key in set(ours) | set(theirs) if key[0] == lang and ours.get(key) != theirs.get(key))
        print(f"| {lang} | {t['missing']} | {o['missing']} | {t['stale']} | {o['stale']} | {t['current']} | {o['current']} | {differ} |")

    items = transync_verdicts(report)
    disagreements = sorted(key for key in set(ours) | set(theirs) if ours.get(key) != theirs.get(key))
    print(f"\n{len(disagreements)} disagreements (L: Lunaria, T: transync)")
    for lang, path in disagreements:
        print(f"- {lang} {path}: Lunaria {STATES.get(theirs.get((lang, path)), '-')}, transync {STATES.get(ours.get((lang, path)), '-')}")
        if (lang, path) in theirs_full:
            _, source, loc = theirs_full[(lang, path)]
            print(f"    L source   {commit_words(source['git'])}")
            if loc.get("git"):
                print(f"    L transl.  {commit_words(loc['git'])}")
                if loc["git"].get("lastCommitHash") != loc["git"].get("lastMajorCommitHash"):
                    print(f"    L skipped  {commit_words(loc['git'], major=False)}")
        item = items.get((lang, path))
        if item and item.get("changes"):
            print(f"    T {item['reason']}: {json.dumps({k: v for k, v in item['changes'].items() if k != 'baseline'})}")


if __name__ == "__main__":
    main()
