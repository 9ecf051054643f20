"""Benchmark: a translation memory seeded from the corpus's en/ja translations.

Seeds an en -> ja memory (in a temporary folder, the corpus is only read)
from every current Japanese translation, then reports:

- documents aligned and not aligned, with the most frequent reasons;
- pairs, entries, conflicts, the PO file's size;
- the time to seed, to save, to load (best of --repeat) and to save again
  (unchanged: nothing written; changed: written), against polib reading and
  writing the same file;
- whether ``msgfmt --check-format`` accepts the file.

    python bench/bench_memory.py [--corpus PATH] [--repeat 3] [--no-polib] [--keep DIR]

Numbers are reported, never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from transync.site import scan, status
from transync.site.config import load_config
from transync.translate.memory import Memory
from transync.translate.seed import seed

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "audioreview"


def category(reason: str) -> str:
    """A reason without its numbers: what kind of difference it is."""
    counts = "segment counts differ" if "segments and the translation" in reason else "same count"
    m = re.search(r"is (.+?)(?: \(line \d+\))? but (.+?)(?: \(line \d+\))?$", reason)
    return f"{counts}: {m.group(1)} vs {m.group(2)}" if m else re.sub(r"\d+", "N", reason)


def timed(fn, repeat: int = 1):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-polib", action="store_true", help="skip the polib comparison (about 5 s)")
    parser.add_argument("--keep", type=Path, help="write the memory here instead of a temporary folder")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found at {args.corpus}")

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-memory-"))
    path = folder / "en-ja.po"
    try:
        report = status.report(scan.scan(load_config(args.corpus)))
        memory = Memory.load(path, "en", "ja")
        t_seed, result = timed(lambda: seed(memory, report))
        t_save, _ = timed(memory.save)
        stats = memory.stats()
        size = path.stat().st_size

        t_py, _ = timed(lambda: sum(range(1_000_000)), 5)
        print(f"corpus {args.corpus}, python {sys.version.split()[0]} (sum(range(10**6)): {t_py * 1000:.0f} ms on this machine)")
        print(f"documents   {result.documents} current ja translations: {result.aligned} aligned, "
              f"{len(result.not_aligned)} not aligned, {result.machine_documents} machine output (skipped), "
              f"{len(result.unreadable)} unreadable")
        print(f"pairs       {result.pairs} aligned (segments and front-matter values), "
              f"{result.pairs_not_aligned} segments in documents that do not align")
        print(f"entries     {stats.entries} ({stats.human} human, {stats.machine} machine): "
              f"{result.added} added, {result.conflicts} sources with more than one translation")
        print(f"            {stats.source_characters:,} source characters, {stats.occurrences} occurrences")
        print(f"file        {size / 1e6:.1f} MB  {path}")
        print("not aligned, most frequent reasons:")
        for reason, n in Counter(category(n.reason) for n in result.not_aligned).most_common(8):
            print(f"  {n:5}  {reason}")
        for item in result.not_aligned[:3]:
            print(f"  e.g. {item.path}: {item.reason}")

        print("time:")
        print(f"  seed                {t_seed:7.3f} s  (read, segment and align both sides of every pair)")
        print(f"  save (new file)     {t_save:7.3f} s")
        t_load, loaded = timed(lambda: Memory.load(path, "en", "ja"), args.repeat)
        print(f"  load                {t_load:7.3f} s  best of {args.repeat}, {len(loaded)} entries")
        cache = folder / "cache"
        t_cold, _ = timed(lambda: Memory.load(path, "en", "ja", cache_dir=cache))
        t_warm, _ = timed(lambda: Memory.load(path, "en", "ja", cache_dir=cache), args.repeat)
        print(f"  load, cache_dir     {t_warm:7.3f} s  best of {args.repeat} (the first load, which writes the cache: {t_cold:.3f} s)")
        sources = [e.source for e in memory if e.context is None]
        t_get, hits = timed(lambda: sum(loaded.get(s) is not None for s in sources))
        print(f"  get, every entry    {t_get:7.3f} s  {hits} hits (each reads its entry's comment lines the first time)")
        t_same, written = timed(loaded.save)
        print(f"  save (unchanged)    {t_same:7.3f} s  written: {written}")
        loaded.put("A sentence no document has.", "どの文書にもない文。", origin="machine", engine="bench")
        t_changed, written = timed(loaded.save)
        print(f"  save (one change)   {t_changed:7.3f} s  written: {written}")
        if not args.no_polib:
            import polib

            t_polib, po = timed(lambda: polib.pofile(str(path), encoding="utf-8", wrapwidth=0))
            print(f"  polib load          {t_polib:7.3f} s  {len(po)} entries")
            t_polib_save, _ = timed(lambda: po.save(str(folder / "polib.po")))
            print(f"  polib save          {t_polib_save:7.3f} s")
        if shutil.which("msgfmt"):
            t_fmt, proc = timed(lambda: subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(path)], capture_output=True, text=True))
            verdict = "ok" if proc.returncode == 0 else f"FAILED: {proc.stderr.strip()[:300]}"
            print(f"  msgfmt --check-format {t_fmt:5.3f} s  {verdict}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
