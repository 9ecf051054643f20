"""Benchmark: segmenting and reassembling every document of the corpus.

Stages, each timed over all files in one process (best of --repeat):

- read: the bytes of every file (the floor);
- parse: read + decode + front matter (python-frontmatter's YAML handler);
- segment: parse + markdown-it block structure + segment location;
- round trip: segment + placeholder XML for every segment + parsing that XML
  back + reassembly (checked equal to the input).

    python bench/bench_segments.py [--corpus PATH] [--repeat 3]

``.mdx`` files are read as MDX: for the Astro docs, clone
``../shared/corpus/astro-docs-history.bundle`` and pass
``--corpus CLONE/src/content/docs``.

Numbers are reported, never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from transync import document
from transync.document.segments import segment

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "audioreview"


def stage_read(paths: list[Path]) -> int:
    return sum(len(p.read_bytes()) for p in paths)


def stage_parse(paths: list[Path]) -> int:
    return sum(len(document.load(p).body) for p in paths)


def stage_segment(paths: list[Path]) -> int:
    return sum(len(segment(doc.body, doc.syntax).segments) for doc in map(document.load, paths))


def stage_round_trip(paths: list[Path]) -> int:
    n = 0
    for p in paths:
        doc = document.load(p)
        body = doc.body
        segmented = segment(body, doc.syntax)
        identity = {s.id: s.template.render(s.template.xml) for s in segmented.segments}
        if segmented.reassemble(identity) != body:
            sys.exit(f"round trip failed: {p}")
        n += len(segmented.segments)
    return n


def _segmentable(path: Path) -> bool:
    """Files the segmenter refuses (an unclosed fence) are named and left out of the timings."""
    doc = document.load(path)
    try:
        segment(doc.body, doc.syntax)
    except document.DocumentError as exc:
        print(f"  left out: {path}: line {exc.line}: {exc.reason}")
        return False
    return True


def best(fn, paths: list[Path], repeat: int) -> tuple[float, int]:
    times, result = [], 0
    for _ in range(repeat):
        from transync.document.segments import _template

        _template.cache_clear()  # no help from the previous run
        start = time.perf_counter()
        result = fn(paths)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found at {args.corpus}")
    paths = sorted([*args.corpus.rglob("*.md"), *args.corpus.rglob("*.mdx")])
    paths = [p for p in paths if _segmentable(p)]
    segment("warm up the parser\n")
    segment("warm up the parser\n", "mdx")
    print(f"{len(paths)} files, best of {args.repeat}, python {sys.version.split()[0]}")
    floor, size = best(stage_read, paths, args.repeat)
    print(f"  read        {floor:7.3f} s  {len(paths) / floor:9.0f} files/s  ({size / 1e6:.1f} MB)")
    for name, fn in (("parse", stage_parse), ("segment", stage_segment), ("round trip", stage_round_trip)):
        t, result = best(fn, paths, args.repeat)
        extra = f"  {result} segments" if fn is not stage_parse else ""
        print(f"  {name:<11} {t:7.3f} s  {len(paths) / t:9.0f} files/s  {t / floor:6.1f}x read{extra}")


if __name__ == "__main__":
    main()
