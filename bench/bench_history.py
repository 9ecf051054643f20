"""Benchmark: `transync status` with git history as evidence, against the floor and against --no-git.

1. The real site's history (a clone of audioreview-history.bundle): the floor
   (walk + read 4 KiB of every file, see bench_status.py), then status cold
   (empty caches) and warm (caches present, nothing changed), with git and
   with --no-git; each a new process, as a user runs it.
2. Synthetic repositories of growing commit count (made with git fast-import:
   400 documents, every commit edits one of them): cold and warm, to show
   how the cost grows with the length of history.

    python bench/bench_history.py
    python bench/bench_history.py --commits 1000,10000,20000 --repeat 3

Numbers are reported, never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_status import FLOOR, timed, transync_cmd  # noqa: E402

DEFAULT_BUNDLE = HERE.parent.parent / "shared" / "corpus" / "audioreview-history.bundle"


def measure(root: Path, repeat: int) -> dict[str, float]:
    """Cold runs each with empty caches; then warm runs of the floor, git and --no-git taken in turn
    (so that the load of a shared machine weighs on all three alike), medians."""
    modes = {"git": [], "no-git": ["--no-git"]}
    result: dict[str, float] = {}
    for name, extra in modes.items():
        cold = []
        for _ in range(max(1, repeat // 2)):
            cache = Path(tempfile.mkdtemp(prefix="transync-bench-cache-"))
            cold.append(timed(transync_cmd(root) + extra, dict(os.environ, TRANSYNC_CACHE_DIR=str(cache)), 1))
            shutil.rmtree(cache, ignore_errors=True)
        result[f"{name} cold"] = statistics.median(cold)
    caches = {name: Path(tempfile.mkdtemp(prefix="transync-bench-cache-")) for name in modes}
    envs = {name: dict(os.environ, TRANSYNC_CACHE_DIR=str(cache)) for name, cache in caches.items()}
    for name, extra in modes.items():
        timed(transync_cmd(root) + extra, envs[name], 1)  # fill the caches
    times: dict[str, list[float]] = {"floor": [], "git warm": [], "no-git warm": []}
    for _ in range(repeat):
        times["floor"].append(timed([sys.executable, "-c", FLOOR, str(root)], dict(os.environ), 1))
        for name, extra in modes.items():
            times[f"{name} warm"].append(timed(transync_cmd(root) + extra, envs[name], 1))
    for cache in caches.values():
        shutil.rmtree(cache, ignore_errors=True)
    result.update({key: statistics.median(values) for key, values in times.items()})
    return result


def report(label: str, r: dict[str, float]) -> None:
    print(f"{label}: floor {r['floor']:.3f} s")
    for key in ("git cold", "git warm", "no-git cold", "no-git warm"):
        print(f"  status {key:<12} {r[key]:6.3f} s  = {r[key] / r['floor']:.1f}x floor")


def _doc(ref: str, lang: str, n: int, rev: int) -> str:
    words = " ".join(f"word{(n * 7 + k) % 97}" for k in range(40))
    return (
        f"---\nlayout: product\ntitle: \"{ref} review\"\nlang: {lang}\nref: {ref}\ndate: 2025-01-01\n---\n"
        f"## Overview\n\n{words}.\n\nRevision {rev} of this paragraph.\n\n$$ \\Large \\text{{0.{n % 10}}} $$\n\nThe end.\n"
    )


def synthesize(target: Path, commits: int, documents: int = 400) -> None:
    """A repository whose every commit edits one document (sources three times as often)."""
    target.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    rng = random.Random(commits)
    refs = [f"doc-{n}" for n in range(documents // 2)]
    out: list[bytes] = []

    def blob_commit(mark: int, when: int, message: str, files: dict[str, str]) -> None:
        out.append(f"commit refs/heads/main\nmark :{mark}\ncommitter Bench <bench@example.com> {when} +0000\n".encode())
        msg = message.encode()
        out.append(b"data %d\n%s\n" % (len(msg), msg))
        if mark > 1:
            out.append(f"from :{mark - 1}\n".encode())
        for path, text in files.items():
            data = text.encode()
            out.append(f"M 100644 inline {path}\n".encode() + b"data %d\n%s\n" % (len(data), data))

    start = 1_700_000_000
    first = {"_config.yml": 'languages: ["en", "ja"]\ndefault_lang: "en"\n'}
    for n, ref in enumerate(refs):
        first[f"_products/en/{ref}.md"] = _doc(ref, "en", n, 0)
        first[f"_products/ja/{ref}.md"] = _doc(ref, "ja", n, 0)
    blob_commit(1, start, "Initial commit", first)
    revision = {ref: 0 for ref in refs}
    for mark in range(2, commits + 1):
        n = rng.randrange(len(refs))
        ref = refs[n]
        lang = "ja" if rng.random() < 0.25 else "en"
        revision[ref] += 1
        blob_commit(mark, start + mark * 60, "Update review", {f"_products/{lang}/{ref}.md": _doc(ref, lang, n, revision[ref])})
    subprocess.run(["git", "fast-import", "--quiet"], cwd=target, input=b"".join(out), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=target, check=True)
    past = time.time() - 3600  # old enough for the header cache to keep every file
    for path in target.rglob("*.md"):
        os.utime(path, (past, past))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--commits", default="1000,5000,10000,20000")
    parser.add_argument("--no-synthetic", action="store_true")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {subprocess.run(['git', '--version'], capture_output=True, text=True).stdout.strip()}")

    with tempfile.TemporaryDirectory(prefix="transync-bench-history-") as tmp:
        if args.bundle.is_file():
            clone = Path(tmp) / "audioreview"
            subprocess.run(["git", "clone", "-q", str(args.bundle), str(clone)], check=True)
            count = int(subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=clone, capture_output=True, text=True).stdout)
            print()
            report(f"real history ({count} commits), median of {args.repeat}", measure(clone, args.repeat))
        else:
            print(f"no bundle at {args.bundle}: real history skipped")
        if args.no_synthetic:
            return
        print("\nsynthetic repositories, 400 documents (cold and warm with git; warm with --no-git):")
        for commits in [int(c) for c in args.commits.split(",")]:
            site = Path(tmp) / f"synthetic-{commits}"
            synthesize(site, commits)
            r = measure(site, max(1, args.repeat // 2))
            print(
                f"  {commits:>6} commits  git cold {r['git cold']:6.2f} s  git warm {r['git warm']:5.2f} s"
                f"  no-git warm {r['no-git warm']:5.2f} s  floor {r['floor']:5.2f} s"
            )


if __name__ == "__main__":
    main()
