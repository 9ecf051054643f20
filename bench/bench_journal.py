"""Benchmark: what the memory's journal costs a translation run.

Copies the corpus's first N English reviews into a temporary site (one new
language) and translates them in process with an engine that answers at once
(the identity: no network, so the run's own costs show), three ways:

- ``journal``: as transync runs (every reply journaled and fsynced before its
  document is written);
- ``no journal``: the same with :meth:`Memory.sync` doing nothing (the memory
  saved only at the end, as before the journal existed);
- ``no memory``: ``--no-memory``.

With ``--seeded`` the memory starts from a seeded corpus memory (en -> ja,
45,000 entries), so that loading, merging and saving a large file count too.
Reports wall time, ms per document and the journal's bytes and appends.

    python bench/bench_journal.py [--limit 300] [--repeat 3] [--seeded]

Numbers are reported, never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench_translate import make_site  # the corpus's English reviews in a new site
from transync.translate import journal, run as translate
from transync.site import scan, status
from transync.site.config import load_config
from transync.translate.engines import Translated
from transync.translate.memory import Memory, memory_path
from transync.translate.seed import seed

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "audioreview"


class Identity:
    name = "identity"

    def translate(self, texts, *, source_lang, target_lang):
        return [Translated(t, len(t)) for t in texts]


def seeded_memory(corpus: Path, folder: Path) -> Path:
    """The corpus's en -> ja memory, seeded once and kept in ``folder``."""
    path = folder / "seeded-en-ja.po"
    if not path.exists():
        memory = Memory.load(path, "en", "ja")
        seed(memory, status.report(scan.scan(load_config(corpus), use_cache=False)))
        memory.save()
    return path


def run_once(corpus: Path, limit: int, mode: str, seeded: Path | None, appends: list[int]) -> dict:
    lang = "ja" if seeded else "de"
    with tempfile.TemporaryDirectory(prefix="transync-bench-") as tmp:
        root = Path(tmp)
        docs = make_site(corpus, root, limit, lang)
        if seeded:
            target = memory_path(root, "en", lang)
            target.parent.mkdir(parents=True)
            shutil.copyfile(seeded, target)
        config = load_config(root)
        report = status.report(scan.scan(config, use_cache=False))
        selected, _ = translate.select(report)
        run = translate.Run(config, Identity(), translate.TranslateOptions(), workers=1, use_memory=mode != "no memory")
        start = time.perf_counter()
        summary = run.run(selected)
        wall = time.perf_counter() - start
        return {"docs": docs, "written": len(summary.written), "texts": summary.texts, "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seeded", action="store_true", help="start from the seeded corpus memory (en -> ja)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found at {args.corpus}")
    keep = Path(tempfile.gettempdir()) / "transync-bench-journal"
    keep.mkdir(exist_ok=True)
    seeded = seeded_memory(args.corpus, keep) if args.seeded else None

    appends: list[int] = []
    written_bytes: list[int] = []
    real_append = journal.Journal.append

    def counting_append(self, payloads):
        result = real_append(self, payloads)
        appends.append(len(payloads))
        written_bytes.append(self.end)
        return result

    journal.Journal.append = counting_append  # type: ignore[method-assign]
    real_sync = Memory.sync
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {args.limit} documents, best of {args.repeat}"
          + (f", memory seeded from the corpus ({seeded.stat().st_size / 1e6:.0f} MB)" if seeded else ", empty memory"))
    best: dict[str, float] = {}
    for mode in ("journal", "no journal", "no memory"):
        Memory.sync = real_sync if mode == "journal" else (lambda self: None)  # type: ignore[method-assign]
        for _ in range(args.repeat):
            appends.clear()
            written_bytes.clear()
            r = run_once(args.corpus, args.limit, mode, seeded, appends)
            best[mode] = min(best.get(mode, float("inf")), r["wall"])
            if mode == "journal":
                journal_appends, journal_records, journal_size = len(appends), sum(appends), max(written_bytes, default=0)
        print(f"{mode:>10}: {best[mode]:6.2f} s  {1000 * best[mode] / r['docs']:6.1f} ms/document  ({r['written']} written, {r['texts']} texts sent)")
    Memory.sync = real_sync  # type: ignore[method-assign]
    extra = best["journal"] - best["no journal"]
    print(f"journal: {journal_appends} appends (fsynced), {journal_records} records, {journal_size / 1e6:.2f} MB at its largest; "
          f"{1000 * extra / args.limit:+.1f} ms/document against no journal")


if __name__ == "__main__":
    main()
