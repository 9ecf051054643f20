"""Benchmark: every step a user waits on, beside the floor, in one run.

The floor is a bare Python process that walks the site and reads the first
4 KiB of every file. Each command runs as a user runs it (a new process),
interleaved with the floor (floor, command, floor, command...) so that both
see the same machine; the table gives medians of wall time and of CPU time
(user + system, the process and its workers), and each command's ratio to
the floor measured beside it. The machine is shared: read the CPU column when
the wall column is noisy.

transync runs with Python's bytecode cache on (as an installed package has
it; ``PYTHONDONTWRITEBYTECODE`` is dropped and the cache goes to a temporary
``PYTHONPYCACHEPREFIX``) and its own cache in a temporary folder.

    python bench/bench_speed.py                      # everything (about 10 minutes on 2 busy CPUs)
    python bench/bench_speed.py --only status,help   # rows whose name contains one of these
    python bench/bench_speed.py --repeat 7

Rows (the table of the speed issue):
- status warm (JSON, and the table for people), status cold (``--no-cache``);
- check cold (``--no-cache``) and warm; glossary check cold and warm;
- translate with nothing to do (one current document, DeepL key set) against
  status of the same document; translate after one changed paragraph against
  that no-op run (a seeded memory of the whole site, the DeepL test server);
- memory seed (first run and re-run), memory export and import;
- ``--version`` and ``status --help`` against Python's start-up plus the
  imports they need (typer; rich for the help).

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

from bench_status import DEFAULT_CORPUS, FLOOR, HERE  # the same floor as bench_status.py

SERVER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from deepl_fake import FakeDeepL
fake = FakeDeepL(latency=0.0, character_limit=None)
print(fake.url, fake.auth_key, flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    fake.close()
"""


def run(cmd: list[str], env: dict[str, str], check: bool = True) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU of the process and the workers it waited for)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if check and proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime


class Bench:
    def __init__(self, corpus: Path, repeat: int, env: dict[str, str]) -> None:
        self.corpus = corpus
        self.repeat = repeat
        self.env = env
        self.rows: list[tuple[str, float, float, float, float, str]] = []

    def floor(self) -> tuple[float, float]:
        return run([sys.executable, "-c", FLOOR, str(self.corpus)], self.env)

    def measure(self, name: str, cmd: list[str], *, before=None, repeat: int | None = None, base=None, base_name: str = "floor",
                env: dict[str, str] | None = None) -> tuple[float, float]:
        """Median wall and CPU of ``cmd`` (``before()`` runs untimed before each), each run paired with
        ``base`` (default: the floor), and the ratio of the medians."""
        walls, cpus, bwalls, bcpus = [], [], [], []
        for _ in range(repeat or self.repeat):
            b = base() if base else self.floor()
            bwalls.append(b[0])
            bcpus.append(b[1])
            if before:
                before()
            w, c = run(cmd, env or self.env)
            walls.append(w)
            cpus.append(c)
        wall, cpu, bwall, bcpu = (statistics.median(v) for v in (walls, cpus, bwalls, bcpus))
        self.rows.append((name, wall, cpu, bwall, bcpu, base_name))
        print(f"  {name:<44} {wall:7.3f} s wall {cpu:7.3f} s cpu   {base_name} {bwall:6.3f} / {bcpu:6.3f}"
              f"   = {wall / bwall:5.2f}x wall {cpu / bcpu:5.2f}x cpu", flush=True)
        return wall, cpu


def transync(*args: str) -> list[str]:
    return [sys.executable, "-m", "transync", *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated parts of row names")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found at {args.corpus}")
    only = [part for part in args.only.split(",") if part]

    def wanted(name: str) -> bool:
        return not only or any(part in name for part in only)

    work = Path(tempfile.mkdtemp(prefix="transync-bench-speed-"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "DEEPL_AUTH_KEY", "CI")}
    env.update(PYTHONPYCACHEPREFIX=str(work / "pycache"), TRANSYNC_CACHE_DIR=str(work / "cache"), NO_PROXY="127.0.0.1,localhost")
    corpus = args.corpus.resolve()
    bench = Bench(corpus, args.repeat, env)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}, corpus {corpus}")
    run(transync("--version"), env)  # bytecode compiled once, before anything is timed
    fresh = lambda: shutil.rmtree(work / "cache", ignore_errors=True)  # noqa: E731
    try:
        print("\nstatus, check, glossary check (the corpus, read only):")
        if wanted("status"):
            run(transync("status", "--root", str(corpus), "--format", "json"), env)
            bench.measure("status --format json, warm", transync("status", "--root", str(corpus), "--format", "json"))
            bench.measure("status (table), warm", transync("status", "--root", str(corpus)))
            bench.measure("status --format json --no-cache (cold)", transync("status", "--root", str(corpus), "--format", "json", "--no-cache"),
                          repeat=max(1, args.repeat // 2))
            bench.measure("status --format json, first run (no cache)", transync("status", "--root", str(corpus), "--format", "json"),
                          before=fresh, repeat=max(1, args.repeat // 2))
        if wanted("check"):
            bench.measure("check --format json --no-cache (cold)", transync("check", "--root", str(corpus), "--format", "json", "--no-cache"),
                          repeat=max(1, args.repeat // 3))
            run(transync("check", "--root", str(corpus), "--format", "json"), env)
            bench.measure("check --format json, warm", transync("check", "--root", str(corpus), "--format", "json"))
        if wanted("glossary"):
            gloss = ["--glossaries", str(HERE.parent / "glossaries")]
            bench.measure("glossary check, cold", transync("glossary", "check", "--root", str(corpus), *gloss, "--format", "json"),
                          before=fresh, repeat=max(1, args.repeat // 3))
            run(transync("glossary", "check", "--root", str(corpus), *gloss, "--format", "json"), env)
            bench.measure("glossary check, warm", transync("glossary", "check", "--root", str(corpus), *gloss, "--format", "json"))
        if wanted("help") or wanted("version"):
            print("\nstart-up:")
            py = lambda code: (lambda: run([sys.executable, "-c", code], env))  # noqa: E731
            bench.measure("--version", transync("--version"), base=py("import typer"), base_name="python+typer")
            bench.measure("status --help", transync("status", "--help"), base=py("import typer, typer.rich_utils"), base_name="py+typer+rich")
            bench.measure("status --help (vs python+typer)", transync("status", "--help"), base=py("import typer"), base_name="python+typer")
        if any(wanted(n) for n in ("translate", "memory", "seed", "export", "import")):
            _site_rows(bench, corpus, work, env, wanted, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\n| what | wall | cpu | beside | ratio (wall) | ratio (cpu) |\n|---|---:|---:|---|---:|---:|")
    for name, wall, cpu, bwall, bcpu, base_name in bench.rows:
        print(f"| {name} | {wall:.3f} s | {cpu:.3f} s | {base_name} {bwall:.3f} / {bcpu:.3f} s | {wall / bwall:.2f}x | {cpu / bcpu:.2f}x |")


def _site_rows(bench: Bench, corpus: Path, work: Path, env: dict[str, str], wanted, repeat: int) -> None:
    """Rows that write: on a copy of the corpus, with the DeepL test server."""
    site = work / "site"
    shutil.copytree(corpus, site)
    past = time.time() - 3600  # copies are new files: age them as a checkout's would be
    for path in site.rglob("*"):
        os.utime(path, (past, past))
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(HERE.parent / "tests")], stdout=subprocess.PIPE, text=True, env=env)
    try:
        url, key = server.stdout.readline().split()
        denv = dict(env, DEEPL_AUTH_KEY=key, DEEPL_SERVER_URL=url)
        print("\nmemory and translate (a copy of the corpus):")
        memory = site / ".transync" / "memory" / "en-ja.po"
        seed = transync("memory", "seed", "--root", str(site))
        if wanted("seed") or wanted("memory") or wanted("translate"):
            bench.measure("memory seed, first run", seed, before=lambda: memory.unlink(missing_ok=True), repeat=1)
            bench.measure("memory seed, re-run", seed, repeat=1)
        else:
            run(seed, env)
        if wanted("export") or wanted("import") or wanted("memory"):
            exported = work / "export.po"
            bench.measure("memory export --only all", transync("memory", "export", "--root", str(site), "--lang", "ja", "--only", "all", "-o", str(exported)), repeat=1)
            bench.measure("memory import --no-apply", transync("memory", "import", "--root", str(site), "--lang", "ja", "--no-apply", str(exported)), repeat=1)
        if wanted("translate"):
            source = next(p for p in sorted((site / "_products" / "en").rglob("*.md")) if (site / "_products" / "ja" / p.relative_to(site / "_products" / "en")).exists())
            rel = str(source)
            # A translation transync writes has provenance, so an edited source makes it stale
            # (the corpus's own translations have none, and the copy is outside git).
            (site / "_products" / "ja" / source.relative_to(site / "_products" / "en")).unlink()
            status_cmd = transync("status", "--root", str(site), rel)
            noop = transync("translate", "--root", str(site), "--to", "ja", rel)
            run(noop, denv)  # writes the translation
            run(status_cmd, env)
            status_run = lambda: run(status_cmd, env)  # noqa: E731
            bench.measure("translate, nothing to do (one document)", noop, base=status_run, base_name="status", env=denv)
            original = source.read_text(encoding="utf-8")
            counter = [0]

            def edit() -> None:
                counter[0] += 1
                text = original.replace("\n\n", f"\n\nA paragraph changed for the benchmark, take {counter[0]}.\n\n", 1)
                source.write_text(text, encoding="utf-8")

            noop_run = lambda: (source.write_text(original, encoding="utf-8"), run(noop, denv), run(noop, denv))[2]  # noqa: E731
            bench.measure("translate after one changed paragraph", noop, before=edit, base=noop_run, base_name="no-op translate", env=denv)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
