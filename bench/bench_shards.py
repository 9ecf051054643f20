"""Benchmark: a batch split into N shards (parallel processes) against one run, and the merge of their memory deltas.

Part 1, shards. The corpus's first --limit English product reviews are copied
into a temporary site declaring one new language. A DeepL-compatible server
(tests/deepl_fake.py) runs in its own process with a fixed latency per request
(100 ms by default). For each N, the site is copied N times and
``python -m transync translate --shard K/N --memory-out DIR --jobs J`` runs in
each copy, all N at once (as a CI matrix would, on one machine here); then the
shards' documents are gathered into a fresh copy and ``memory merge`` folds
their deltas. Against that: one unsharded run with the same --jobs. Reported:
wall time of the shards (first start to last exit), of the merge, requests and
characters billed, and whether the gathered documents and memory are
byte-identical to the one run's.

Part 2, the merge at the real site's memory size. An en -> ja memory is
seeded from the corpus (``memory seed``'s function, into a temporary folder;
the corpus is only read): about 45,000 entries, 50 MB. The documents it
records are split: 90% make the base memory, the other 10% are "translated"
by --merge-shards shards, each writing its delta against the base. Reported:
the time a shard takes to compute and write its delta (what --memory-out adds
to a run), delta sizes, and the time of ``merge_files`` (read every delta,
load the memory, merge, save) into the base.

    python bench/bench_shards.py                          # 600 reviews, N = 1,2,4,8, then the merge
    python bench/bench_shards.py --limit 200 --shards 1,4 --no-merge-bench
    python bench/bench_shards.py --only-merge

Numbers are reported, never asserted: this is not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_translate import DEFAULT_CORPUS, SERVER, make_site  # noqa: E402

KEY = "fake-deepl-test-key:fx"


def start_server(latency: float) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(HERE.parent / "tests"), str(latency)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    return server, server.stdout.readline().strip()


def stop_server(server: subprocess.Popen) -> dict:
    server.stdin.close()
    stats = json.loads(server.stdout.readline())
    server.wait()
    return stats


def digest(root: Path) -> str:
    """A hash of the translated documents and the memory files: what must be identical."""
    h = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and (
        (p.suffix == ".md" and "/en/" not in p.as_posix()) or (p.suffix == ".po" and ".transync/memory" in p.as_posix())
    ))
    for p in files:
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def transync(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "transync", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_sharded(site: Path, work: Path, n: int | None, jobs: int, url: str) -> dict:
    """N shard processes at once (None: one unsharded run), then gather and merge; times and the result's digest."""
    env = dict(os.environ, DEEPL_AUTH_KEY=KEY, DEEPL_SERVER_URL=url, NO_PROXY="127.0.0.1", TRANSYNC_CACHE_DIR=str(work / "cache"))
    copies = []
    for k in range(1, (n or 1) + 1):
        copy = work / f"copy-{k}"
        shutil.copytree(site, copy)
        copies.append(copy)
    start = time.perf_counter()
    if n is None:
        procs = [transync("translate", "--root", str(copies[0]), "--jobs", str(jobs), "--format", "json", env=env)]
    else:
        procs = [
            transync("translate", "--root", str(c), "--jobs", str(jobs), "--format", "json", "--shard", f"{k}/{n}",
                     "--memory-out", str(work / "deltas" / f"shard-{k}"), env=env)
            for k, c in enumerate(copies, 1)
        ]
    outputs = [p.communicate() for p in procs]
    wall = time.perf_counter() - start
    for p, (out, err) in zip(procs, outputs):
        if p.returncode != 0:
            raise SystemExit(f"translate failed ({p.returncode}): {err[-2000:]}")
    reports = [json.loads(out) for out, _ in outputs]
    written = sum(r["summary"]["written"] for r in reports)
    sums = {"requests": sum(r["summary"]["requests"] for r in reports), "billed": sum(r["summary"]["billed_characters"] for r in reports)}
    if n is None:
        return {"wall": wall, "merge": 0.0, "written": written, "digest": digest(copies[0]), "alone": wall, **sums}
    gathered = work / "gathered"
    shutil.copytree(site, gathered)
    for copy in copies:
        for path in (copy / "_products").rglob("*.md"):
            rel = path.relative_to(copy)
            if not (site / rel).exists():
                (gathered / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, gathered / rel)
    start = time.perf_counter()
    merge = transync("memory", "merge", str(work / "deltas"), "--root", str(gathered), env=env)
    out, err = merge.communicate()
    merge_wall = time.perf_counter() - start
    if merge.returncode != 0:
        raise SystemExit(f"memory merge failed: {err}")
    # On N machines each shard runs alone: time each one alone, the slowest is the matrix's wall time.
    alone = []
    for k in range(1, n + 1):
        copy = work / f"alone-{k}"
        shutil.copytree(site, copy)
        start = time.perf_counter()
        proc = transync("translate", "--root", str(copy), "--jobs", str(jobs), "--format", "json", "--shard", f"{k}/{n}",
                        "--memory-out", str(work / "alone-deltas" / f"shard-{k}"), env=env)
        proc.communicate()
        alone.append(time.perf_counter() - start)
        shutil.rmtree(copy)
    return {"wall": wall, "merge": merge_wall, "written": written, "digest": digest(gathered), "alone": max(alone), **sums}


def shards_bench(args) -> None:
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, latency {args.latency * 1000:.0f} ms per request, "
          f"--jobs {args.jobs} per process")
    with tempfile.TemporaryDirectory(prefix="transync-bench-shards-") as tmp:
        tmp = Path(tmp)
        site = tmp / "site"
        docs = make_site(args.corpus, site, args.limit, args.lang)
        print(f"{docs} English reviews into {args.lang}\n")
        print("| run | N processes at once here | slowest shard alone (N machines) | merge | requests | billed characters | identical to one run |")
        print("|---|---:|---:|---:|---:|---:|---|")
        base = None
        for n in [None, *(int(x) for x in args.shards.split(","))]:
            server, url = start_server(args.latency)
            work = tmp / f"work-{n}"
            work.mkdir()
            try:
                r = run_sharded(site, work, n, args.jobs, url)
            finally:
                stop_server(server)
            shutil.rmtree(work)
            if n is None:
                base = r, None
            same = "(reference)" if n is None else ("yes" if r["digest"] == base[0]["digest"] else "NO")
            label = "one run" if n is None else f"{n} shards"
            print(f"| {label} | {r['wall']:.1f} s | {r['alone']:.1f} s | {r['merge']:.2f} s | "
                  f"{r['requests']:,} | {r['billed']:,} ({100 * (r['billed'] / base[0]['billed'] - 1):+.2f}%) | {same} |")


# --------------------------------------------------------------------------- the merge at the real size


def merge_bench(args) -> None:
    from transync.site import scan, status
    from transync.site.config import load_config
    from transync.translate import delta
    from transync.translate.memory import Memory, Use, memory_path
    from transync.translate.seed import seed

    with tempfile.TemporaryDirectory(prefix="transync-bench-merge-") as tmp:
        tmp = Path(tmp)
        site = tmp / "site"
        site.mkdir()
        shutil.copyfile(args.corpus / "_config.yml", site / "_config.yml")  # the languages; the corpus is only read
        seeded_path = args.seeded or tmp / "seeded.po"
        t = time.perf_counter()
        full = Memory.load(seeded_path, "en", "ja")
        if not args.seeded:
            seed(full, status.report(scan.scan(load_config(args.corpus))))
            full.save()
        print(f"\nseeded {len(full):,} entries ({seeded_path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")

        # Split the documents the memory records: 90% already merged (the base), 10% new, in --merge-shards shards.
        entries = list(full)
        paths = sorted({p for e in entries for p, _ in e.occurrences})
        new = {p for p in paths if zlib.crc32(p.encode()) % 10 == 0}
        shard_of = {p: zlib.crc32(p.encode() + b"/shard") % args.merge_shards for p in new}
        base_path = memory_path(site, "en", "ja")
        base = Memory.load(base_path, "en", "ja")
        for e in entries:
            old = [o for o in e.occurrences if o[0] not in new]
            if old or not e.occurrences:
                base.put(e.source, e.translation, origin=e.origin, engine=e.engine, context=e.context, occurrences=old)
        base.save()
        print(f"base: {len(base):,} entries ({base_path.stat().st_size / 1e6:.1f} MB); {len(new)} of {len(paths)} documents new, "
              f"in {args.merge_shards} shards")

        deltas = tmp / "deltas"
        compute_times = []
        for k in range(args.merge_shards):
            own = tmp / f"shard-{k + 1}" / "en-ja.po"  # each shard's copy of the memory (its journal goes there)
            own.parent.mkdir()
            shutil.copyfile(base_path, own)
            shard = Memory.load(own, "en", "ja")
            mine = {p for p, s in shard_of.items() if s == k}
            uses: dict[str, list[Use]] = {p: [] for p in mine}
            for e in entries:
                used = [o for o in e.occurrences if o[0] in mine]
                if used:
                    shard.put(e.source, e.translation, origin="machine", engine="deepl", context=e.context)
                    for p, line in used:
                        uses[p].append(Use(e.source, line, e.context))
            for p, u in uses.items():
                shard.replace_occurrences(p, u)
            t = time.perf_counter()
            written = delta.write(shard, deltas / f"shard-{k + 1}", shard=f"{k + 1}/{args.merge_shards}")
            compute_times.append(time.perf_counter() - t)
        sizes = [p.stat().st_size for p in delta.delta_files([deltas])]
        print(f"deltas: {len(sizes)}, {min(sizes) / 1e3:.0f}-{max(sizes) / 1e3:.0f} kB; a shard computes and writes its delta in "
              f"{min(compute_times):.2f}-{max(compute_times):.2f} s (written.entries of the last: {written.entries:,})")

        config = load_config(site)
        t = time.perf_counter()
        if args.profile:
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                results = delta.merge_files(config, [deltas])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            results = delta.merge_files(config, [deltas])
        merge_time = time.perf_counter() - t
        r = results[0]
        print(f"merge_files: {len(r.deltas)} deltas into {len(base):,} entries: {r.results['added']:,} added, "
              f"{r.results['replaced']:,} replaced, {r.results['kept']:,} kept, uses of {r.documents:,} documents, "
              f"{len(r.conflicts)} conflicts: {merge_time:.2f} s ({base_path.stat().st_size / 1e6:.1f} MB written)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=600, help="the first N reviews (default 600)")
    parser.add_argument("--shards", default="1,2,4,8")
    parser.add_argument("--jobs", type=int, default=4, help="requests in flight per process")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--lang", default="de")
    parser.add_argument("--merge-shards", type=int, default=8)
    parser.add_argument("--seeded", type=Path, help="a memory seeded before (bench_memory.py --keep DIR): skips seeding")
    parser.add_argument("--profile", action="store_true", help="profile the merge")
    parser.add_argument("--no-merge-bench", action="store_true")
    parser.add_argument("--only-merge", action="store_true")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found at {args.corpus}")
    if not args.only_merge:
        shards_bench(args)
    if not args.no_merge_bench:
        merge_bench(args)


if __name__ == "__main__":
    main()
