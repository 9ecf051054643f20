"""Benchmark: wall time of `transync status --format json` against the floor.

The floor is a bare Python process that only walks the site and reads the
first 4 KiB of every file. transync is timed cold (no header cache, every
file parsed) and warm (cache present, nothing changed), as a user runs it:
a new process each time. Then synthetic sites of growing size check that
the time grows linearly with the number of documents.

    python bench/bench_status.py                       # corpus + 10k..100k synthetic
    python bench/bench_status.py --sizes 10000,20000   # smaller growth run
    python bench/bench_status.py --no-synthetic

Numbers are reported, never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "audioreview"

FLOOR = r"""
import os, sys
n = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), "rb") as fh:
            fh.read(4096)
        n += 1
print(n)
"""


def timed(cmd: list[str], env: dict[str, str], repeat: int) -> float:
    """Median wall time of a command over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return statistics.median(times)


def transync_cmd(root: Path) -> list[str]:
    return [sys.executable, "-m", "transync", "status", "--root", str(root), "--format", "json"]


def measure(root: Path, repeat: int) -> dict[str, float]:
    cache = Path(tempfile.mkdtemp(prefix="transync-bench-cache-"))
    # Bytecode cached as an installed package has it (outside the repository).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(TRANSYNC_CACHE_DIR=str(cache), PYTHONPYCACHEPREFIX=str(Path(tempfile.gettempdir()) / "transync-bench-pycache"))
    try:
        floor = timed([sys.executable, "-c", FLOOR, str(root)], env, repeat)
        cold = timed(transync_cmd(root) + ["--no-cache"], env, max(1, repeat // 2))
        timed(transync_cmd(root), env, 1)  # fill the cache
        warm = timed(transync_cmd(root), env, repeat)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {"floor": floor, "cold": cold, "warm": warm}


def synthesize(corpus: Path, target: Path, count: int) -> None:
    """A site of ``count`` documents made from the corpus's products, en and ja, renamed."""
    sources = sorted((corpus / "_products" / "en").rglob("*.md"))[:500]
    texts = [(p.read_text(encoding="utf-8"), (corpus / "_products" / "ja" / p.relative_to(corpus / "_products" / "en"))) for p in sources]
    (target / "_config.yml").write_text('languages: ["en", "ja"]\ndefault_lang: "en"\n')
    made = 0
    n = 0
    while made < count:
        en_text, ja_path = texts[n % len(texts)]
        ref = f"synthetic-{n}"
        folder = f"c{n // 500:04d}"
        for lang, text in (("en", en_text), ("ja", ja_path.read_text(encoding="utf-8") if ja_path.exists() else en_text)):
            if made >= count:
                break
            text = text.replace("\nref: ", f"\nref: {ref}\nold_ref: ", 1)
            path = target / "_products" / lang / folder / f"{ref}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            made += 1
        n += 1
    # Age every file so that the cache may keep it (files written a moment ago are re-read).
    past = time.time() - 3600
    for path in target.rglob("*.md"):
        os.utime(path, (past, past))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="10000,25000,50000,100000")
    parser.add_argument("--no-synthetic", action="store_true")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found at {args.corpus}")

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    r = measure(args.corpus, args.repeat)
    n = sum(1 for _ in args.corpus.rglob("*.md"))
    print(f"\ncorpus {args.corpus} ({n} documents), median of {args.repeat}:")
    print(f"  floor (walk + read 4 KiB) {r['floor']:.3f} s")
    print(f"  transync status cold      {r['cold']:.3f} s  = {r['cold'] / r['floor']:.1f}x floor")
    print(f"  transync status warm      {r['warm']:.3f} s  = {r['warm'] / r['floor']:.1f}x floor")

    if args.no_synthetic:
        return
    print("\nsynthetic sites (documents, floor, cold, warm, warm per 1,000 documents):")
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory(prefix="transync-bench-site-") as tmp:
            synthesize(args.corpus, Path(tmp), size)
            r = measure(Path(tmp), max(1, args.repeat // 2))
            print(
                f"  {size:>7}  floor {r['floor']:6.2f} s  cold {r['cold']:6.2f} s  warm {r['warm']:6.2f} s"
                f"  ({1000 * r['warm'] / size * 1000:.1f} ms/1k warm, {r['warm'] / r['floor']:.1f}x floor)"
            )


if __name__ == "__main__":
    main()
