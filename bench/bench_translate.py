"""Benchmark: translating the corpus's English product reviews into a new language.

A DeepL-compatible server (tests/deepl_fake.py) runs in its own process with
a fixed latency per request (100 ms by default); the real ``deepl`` client
talks to it through transync's DeepL engine. The English product reviews are
copied into a temporary site declaring one new language, then translated
with ``--jobs 1`` and ``--jobs 8``.

Reported, never asserted:
- requests made against the floor (texts / 50, rounded up);
- characters billed by the server against the translatable characters
  (protected spans are never sent, so they are never billed);
- wall time for each --jobs value and the speed-up.

    python bench/bench_translate.py                    # all 3,090 reviews
    python bench/bench_translate.py --limit 500 --jobs 1,4,8
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "audioreview"

SERVER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from deepl_fake import FakeDeepL
fake = FakeDeepL(latency=float(sys.argv[2]), character_limit=None)
print(fake.url, flush=True)
try:
    sys.stdin.read()
finally:
    import json
    print(json.dumps({"requests": len(fake.requests_to("/v2/translate")), "billed": fake.usage()["character_count"], "cpu": time.process_time()}), flush=True)
    fake.close()
"""


def make_site(corpus: Path, target: Path, limit: int | None, lang: str) -> int:
    sources = sorted((corpus / "_products" / "en").rglob("*.md"))
    if limit:
        sources = sources[:limit]
    for path in sources:
        dest = target / "_products" / "en" / path.relative_to(corpus / "_products" / "en")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    (target / "_config.yml").write_text(f'languages: ["en", "{lang}"]\ndefault_lang: "en"\ncollections: [products]\n')
    return len(sources)


def run_once(corpus: Path, limit: int | None, jobs: int, latency: float, lang: str) -> dict:
    from transync.site import scan, status
    from transync.translate import run as translate
    from transync.site.config import load_config
    from transync.translate.engines.deepl import DeepLEngine

    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(HERE.parent / "tests"), str(latency)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    url = server.stdout.readline().strip()
    with tempfile.TemporaryDirectory(prefix="transync-bench-") as tmp:
        root = Path(tmp)
        docs = make_site(corpus, root, limit, lang)
        config = load_config(root)
        report = status.report(scan.scan(config, use_cache=False))
        selected, _ = translate.select(report)
        engine = DeepLEngine("fake-deepl-test-key:fx", server_url=url)
        run = translate.Run(config, engine, translate.TranslateOptions(), workers=jobs)
        plan = run.dry_run(selected)
        start, cpu = time.perf_counter(), time.process_time()
        summary = run.run(selected)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        after = status.report(scan.scan(config, use_cache=False)).counts()
    server.stdin.close()
    import json

    stats = json.loads(server.stdout.readline())
    server.wait()
    return {
        "docs": docs, "written": len(summary.written), "failed": len(summary.failed),
        "texts": summary.texts, "requests": summary.requests, "planned_requests": plan.requests,
        "server_requests": stats["requests"], "characters": summary.characters,
        "billed": summary.billed_characters, "server_billed": stats["billed"],
        "wall": wall, "cpu": cpu, "server_cpu": stats["cpu"], "current_after": after["current"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N reviews")
    parser.add_argument("--jobs", default="1,8")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--lang", default="de")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found at {args.corpus}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, latency {args.latency * 1000:.0f} ms per request")
    walls = {}
    for jobs in [int(j) for j in args.jobs.split(",")]:
        r = run_once(args.corpus, args.limit, jobs, args.latency, args.lang)
        floor = -(-r["texts"] // 50)
        walls[jobs] = r["wall"]
        print(f"\n--jobs {jobs}: {r['written']}/{r['docs']} documents written, {r['failed']} failed, {r['current_after']} current after")
        print(f"  requests  {r['requests']} (server saw {r['server_requests']}; floor {floor} = {r['texts']} texts / 50; {100 * (r['requests'] / floor - 1):+.1f}%)")
        print(f"  billed    {r['billed']:,} characters (server {r['server_billed']:,}); translatable {r['characters']:,}; ratio {r['billed'] / max(1, r['characters']):.4f}")
        print(f"  wall      {r['wall']:.1f} s  ({r['docs'] / r['wall']:.1f} documents/s); cpu: transync {r['cpu']:.1f} s, server {r['server_cpu']:.1f} s")
    if len(walls) > 1:
        lo, hi = min(walls), max(walls)
        print(f"\nspeed-up --jobs {hi} vs --jobs {lo}: {walls[lo] / walls[hi]:.1f}x")


if __name__ == "__main__":
    main()
