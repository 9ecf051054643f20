"""A fault suite for transync: faults and hostile input, judged black-box through the command line.

Every case builds its own small site in a temporary folder, starts its own
DeepL-compatible test server (``tests/deepl_fake.py``, in a thread of this
process) and runs ``python -m transync ...`` in subprocesses, with signals,
a full disk, read-only folders, concurrent runs, broken replies and bad
files. It then measures what was lost:

- files: sources changed or destroyed, translations half-written, files
  written outside the site, temporary files left after a follow-up run;
- memory entries: the PO entries (per a clean reference run of the same site)
  of every translation on disk that are missing from the memory after the
  run and a follow-up run;
- characters billed twice: per text, the times the server billed it over the
  times one clean run bills it (the fake's request records), minus replies
  that were faulty by design (mangled, half-sent);
- time.

    python bench/faults.py                   # the whole matrix, a table
    python bench/faults.py --only signal     # cases whose name contains "signal" (fnmatch if it has * ? [)
    python bench/faults.py --json out.json   # also every check of every case
    python bench/faults.py --list            # names and groups, nothing run

Groups are the numbered items of the fault issue (1 symlinked language
folders ... 17 billed but not remembered). Exit code: 0 when every case
passed, 1 otherwise. Linux only (signals, /proc, mount namespaces for the
disk-full and read-only cases, which fall back to RLIMIT_FSIZE and a skip).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from deepl_fake import FakeDeepL, billed_characters  # noqa: E402

KEY_SECRET = "faultsuite-SECRET-7f3a9c"  # must never show up in any output
KEY = KEY_SECRET + ":fx"
SRC, TGT = "en", "de"
TMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.tmp$|\.tmp$")
EXIT_SIGINT, EXIT_SIGTERM = 130, 143


# --------------------------------------------------------------------------- sites


@dataclass(frozen=True)
class Spec:
    """A generated site: ``docs`` English sources (unique text each), translated into German."""

    docs: int = 12
    paras: int = 3
    brands: int = 3
    odd_titles: int = 0  # the last this many documents have a title that breaks the common pattern
    toml: str = ""  # extra transync.toml lines (under [translate] if they start there)


SMALL = Spec()
MEDIUM = Spec(docs=40, paras=3, brands=4)


def doc_text(i: int, paras: int, brands: int, odd: bool = False) -> tuple[str, str]:
    """(relative source path, Markdown) of document ``i``: every text unique to it."""
    brand = f"brand{i % brands}"
    title = f"{100 + i} Review and Measurements" if odd else f"{100 + i} Review"
    body = [f"## Overview of model {i}", ""]
    for j in range(paras):
        body += [
            f"Paragraph {j} of document {i}: the amplifier number {i} measures well [1], costs `{i} USD` "
            f"and is described at https://example.com/p/{i}/{j}/ in detail.",
            "",
        ]
    body += ["$$ \\Large \\text{0.8} $$", "", f"- First point about model {i}", f"- Second point about model {i}", ""]
    text = (
        "---\n"
        f'title: "{title}"\n'
        f'target_name: "{100 + i}"\n'
        "lang: en\n"
        f"ref: doc-{i}\n"
        "date: 2026-03-01\n"
        "rating: [3.4, 0.8]\n"
        f'summary: "Summary of document {i}, a fictional amplifier."\n'
        f"permalink: /products/en/doc-{i}/\n"
        "---\n" + "\n".join(body)
    )
    return f"_products/{SRC}/{brand}/doc-{i}.md", text


def make_site(root: Path, spec: Spec) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(
        f'languages: ["{SRC}", "{TGT}"]\ndefault_lang: "{SRC}"\ncollections:\n  products:\n    output: true\n'
    )
    toml = "[translate]\nretries = 1\ntimeout = 5\n" + spec.toml
    (root / "transync.toml").write_text(toml)
    for i in range(spec.docs):
        rel, text = doc_text(i, spec.paras, spec.brands, odd=i >= spec.docs - spec.odd_titles)
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def add_source(root: Path, rel: str | bytes, text: str | bytes) -> Path:
    """Write one more file; ``rel`` may be bytes (a name that is not UTF-8)."""
    path = os.path.join(os.fsencode(root), rel if isinstance(rel, bytes) else os.fsencode(rel))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(text.encode() if isinstance(text, str) else text)
    return Path(os.fsdecode(path))


def po_text(entries: Iterable[tuple[str | None, str, str]]) -> str:
    """A PO file of human (msgctxt, msgid, msgstr) entries: no "#. transync: machine" note."""
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'

    out = [
        f'msgid ""\nmsgstr ""\n"Project-Id-Version: transync\\n"\n"Language: {TGT}\\n"\n"MIME-Version: 1.0\\n"\n'
        f'"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n"X-Source-Language: {SRC}\\n"\n'
    ]
    for ctx, mid, mstr in entries:
        e = ""
        if ctx:
            e += f"msgctxt {q(ctx)}\n"
        e += f"msgid {q(mid)}\nmsgstr {q(mstr)}\n"
        out.append(e)
    return "\n".join(out)


def memory_dir(site: Path) -> Path:
    return site / ".transync" / "memory"


def memory_keys(site: Path) -> set[tuple[str | None, str]]:
    """Every translated (msgctxt, msgid) in the memory folder's PO files (journals that polib reads count too)."""
    import polib

    keys: set[tuple[str | None, str]] = set()
    folder = memory_dir(site)
    if not folder.is_dir():
        return keys
    for p in sorted(folder.iterdir()):
        if TMP_NAME.search(p.name) or not p.is_file() or p.name.startswith(".lock"):
            continue
        try:
            po = polib.pofile(str(p))
        except (OSError, ValueError, UnicodeDecodeError, IOError):
            continue
        keys.update((e.msgctxt, e.msgid) for e in po if e.msgstr and not e.obsolete)
    return keys


# --------------------------------------------------------------------------- processes


@dataclass
class Run:
    args: list[str]
    rc: int | None = None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    timed_out: bool = False
    pid: int = 0

    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None

    def short(self) -> str:
        if self.timed_out:
            return "HANG"
        return f"rc={self.rc}"


class Proc:
    """A transync subprocess in its own process group (so everything it starts can be killed)."""

    def __init__(self, ctx: "Ctx", args: list[str], env: dict[str, str], preexec: Callable[[], None] | None, wrap: list[str] | None):
        self.run = Run(args)
        self.t0 = time.monotonic()
        cmd = [sys.executable, "-m", "transync", *args]
        if wrap:
            cmd = [*wrap, *cmd]
        self.popen = subprocess.Popen(
            cmd, cwd=ctx.dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=preexec,
        )
        self.run.pid = self.popen.pid
        ctx.pgids.append(self.popen.pid)
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._readers = [
            threading.Thread(target=self._pump, args=(self.popen.stdout, self._out), daemon=True),
            threading.Thread(target=self._pump, args=(self.popen.stderr, self._err), daemon=True),
        ]
        for t in self._readers:
            t.start()

    @staticmethod
    def _pump(stream, sink: list[bytes]) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            sink.append(chunk)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int, group: bool = False) -> None:
        try:
            if group:
                os.killpg(self.popen.pid, sig)
            else:
                self.popen.send_signal(sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float) -> Run:
        try:
            self.popen.wait(timeout=max(0.1, timeout))
        except subprocess.TimeoutExpired:
            self.run.timed_out = True
            kill_group(self.popen.pid)
            self.popen.wait()
        self.ended = time.monotonic()
        for t in self._readers:
            t.join(timeout=2)  # workers left alive may hold the pipes open
        self.run.rc = self.popen.returncode
        self.run.seconds = time.monotonic() - self.t0
        self.run.stdout = b"".join(self._out).decode("utf-8", "replace")
        self.run.stderr = b"".join(self._err).decode("utf-8", "replace")
        return self.run


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def group_members(pgid: int) -> list[int]:
    """Live processes (not zombies) of a process group, read from /proc."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(d))
    return out


def children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    stat = fh.read()
            except OSError:
                continue
            if int(stat[stat.rfind(")") + 2 :].split()[1]) == pid:
                out.append(int(d))
    return out


# --------------------------------------------------------------------------- the clean reference


@dataclass
class Reference:
    """What one clean run of a spec writes, remembers and bills."""

    targets: dict[str, bytes]  # target rel path -> bytes
    source_of: dict[str, str]  # target rel path -> source rel path
    keys_of: dict[str, set]  # source rel path -> memory keys
    sent: Counter  # (target code, text) -> times sent in billed requests
    billed: int
    po: bytes


_refs: dict[Spec, Reference] = {}
_refs_lock = threading.Lock()


def reference(spec: Spec) -> Reference:
    with _refs_lock:
        if spec in _refs:
            return _refs[spec]
        import polib

        tmp = Path(tempfile.mkdtemp(prefix="faults-ref-"))
        try:
            site = tmp / "site"
            make_site(site, spec)
            with FakeDeepL(KEY, character_limit=None) as fake:
                env = base_env(fake, tmp)
                p = subprocess.run([sys.executable, "-m", "transync", "translate", str(site), "--format", "json"],
                                   cwd=tmp, env=env, capture_output=True, text=True, timeout=120)
                if p.returncode != 0:
                    raise RuntimeError(f"clean reference run failed (rc {p.returncode}): {p.stderr[-500:]}")
                sent = sent_texts(fake)
                billed = fake.character_count
            doc = json.loads(p.stdout)
            source_of = {d["path"]: d["source_path"] for d in doc["documents"] if d["status"] == "written"}
            targets = {t: (site / t).read_bytes() for t in source_of}
            keys_of: dict[str, set] = {}
            po_path = memory_dir(site) / f"{SRC}-{TGT}.po"
            for e in polib.pofile(str(po_path)):
                for path, _ in e.occurrences:
                    keys_of.setdefault(path, set()).add((e.msgctxt, e.msgid))
            ref = Reference(targets, source_of, keys_of, sent, billed, po_path.read_bytes())
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _refs[spec] = ref
        return ref


def sent_texts(fake: FakeDeepL, excused: Counter | None = None) -> Counter:
    """(target, text) -> times billed, from the fake's request log; faulty replies go to ``excused``."""
    out: Counter = Counter()
    for r in fake.requests_to("/v2/translate", "POST"):
        fault = r.fault or ""
        billed = r.status == 200 or "partial" in fault
        if not billed:
            continue
        for t in r.params.get("text") or []:
            key = (str(r.params.get("target_lang")), t)
            out[key] += 1
            if excused is not None and ("partial" in fault or "delay" in fault or ("mangle" in fault and "not-applicable" not in fault)):
                excused[key] += 1
    return out


def base_env(fake: FakeDeepL | None, folder: Path, key: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DEEPL_", "TRANSYNC_")) and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", CI="true",
               TRANSYNC_CACHE_DIR=str(folder / "cache"), PYTHONDONTWRITEBYTECODE="1")
    if fake is not None:
        env["DEEPL_AUTH_KEY"] = key if key is not None else fake.auth_key
        env["DEEPL_SERVER_URL"] = fake.url
    return env


# --------------------------------------------------------------------------- one case


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Result:
    name: str
    group: int
    expected: str
    passed: bool = False
    observed: str = ""
    lost_files: int | None = None
    lost_memory: int | None = None
    billed_twice: int | None = None
    seconds: float = 0.0
    checks: list[Check] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)
    error: str | None = None


class Ctx:
    """What a case works with: its folder, site, server, runs and checks."""

    def __init__(self, name: str, timeout: float, keep: bool = False):
        self.dir = Path(tempfile.mkdtemp(prefix=f"faults-{re.sub(r'[^A-Za-z0-9-]', '_', name)}-"))
        self.site = self.dir / "site"
        (self.dir / "outside").mkdir()
        self.deadline = time.monotonic() + timeout
        self.keep = keep
        self.pgids: list[int] = []
        self.servers: list[FakeDeepL] = []
        self.fake: FakeDeepL | None = None
        self.runs: list[Run] = []
        self.checks: list[Check] = []
        self.notes: list[str] = []
        self.spec: Spec | None = None
        self._sources: dict[str, bytes] = {}
        self._outside: dict[str, bytes] = {}
        self._snapped = False
        # what the framework measures at the end
        self.judge_memory = False
        self.judge_billing = False
        self.judge_tmp = False
        self.judge_outputs = True  # no traceback, no key in any run's output
        self.extra_expected_keys: set = set()
        self.other_sites: list[Path] = []  # more sites of the case: not "outside"

    # ---------------------------------------------------------------- set-up

    def build(self, spec: Spec = SMALL) -> Path:
        self.spec = spec
        make_site(self.site, spec)
        return self.site

    def snapshot(self) -> None:
        """Remember the sources and everything outside the site, to find changes later."""
        self._sources = self._files(self.site / "_products" / SRC)
        self._outside = self._files(self.dir, skip=(self.site, self.dir / "cache", *self.other_sites))
        self._snapped = True

    @staticmethod
    def _files(top: Path, skip: tuple[Path, ...] = ()) -> dict[str, bytes]:
        out = {}
        skip_s = {str(s) for s in skip}
        for dirpath, dirnames, filenames in os.walk(os.fsencode(top)):
            dirnames[:] = [d for d in dirnames if os.fsdecode(os.path.join(dirpath, d)) not in skip_s]
            for f in filenames:
                p = os.path.join(dirpath, f)
                if os.path.islink(p):
                    continue
                try:
                    with open(p, "rb") as fh:
                        out[os.fsdecode(p)] = fh.read()
                except OSError:
                    out[os.fsdecode(p)] = b"<unreadable>"
        return out

    def server(self, **kw: Any) -> FakeDeepL:
        kw.setdefault("character_limit", None)
        fake = FakeDeepL(KEY, **kw)
        self.servers.append(fake)
        if self.fake is None:
            self.fake = fake
        return fake

    def env(self, key: str | None = None, fake: FakeDeepL | None = None, **extra: str) -> dict[str, str]:
        env = base_env(fake or self.fake, self.dir, key)
        env.update(extra)
        return env

    # ---------------------------------------------------------------- running

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def start(self, *args: str, env: dict[str, str] | None = None, preexec: Callable[[], None] | None = None,
              wrap: list[str] | None = None) -> Proc:
        return Proc(self, [str(a) for a in args], env or self.env(), preexec, wrap)

    def finish(self, proc: Proc, timeout: float = 60) -> Run:
        run = proc.wait(min(timeout, self.remaining()))
        self.runs.append(run)
        return run

    def run(self, *args: str, timeout: float = 60, **kw: Any) -> Run:
        return self.finish(self.start(*args, **kw), timeout)

    def translate(self, *extra: str, timeout: float = 60, **kw: Any) -> Run:
        return self.run("translate", str(self.site), "--format", "json", *extra, timeout=timeout, **kw)

    def wait_until(self, cond: Callable[[], bool], timeout: float = 20, step: float = 0.005) -> bool:
        end = min(time.monotonic() + timeout, self.deadline)
        while time.monotonic() < end:
            if cond():
                return True
            time.sleep(step)
        return False

    # ---------------------------------------------------------------- looking

    def targets(self) -> dict[str, bytes]:
        """Translation files on disk (real files, links not followed), by path relative to the site."""
        top = self.site / "_products" / TGT
        out = {}
        if top.is_symlink() or not top.is_dir():
            return out
        for dirpath, _dirs, filenames in os.walk(top):
            for f in filenames:
                p = os.path.join(dirpath, f)
                if f.endswith(".md") and not os.path.islink(p):
                    out[os.path.relpath(p, self.site)] = Path(p).read_bytes()
        return out

    def tmp_files(self) -> list[str]:
        out = []
        for dirpath, _dirs, filenames in os.walk(self.site):
            out += [os.path.join(dirpath, f) for f in filenames if TMP_NAME.search(f)]
        return out

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, bool(ok), detail))
        return bool(ok)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def expect_exit(self, run: Run, *codes: int, what: str = "exit code") -> bool:
        return self.check(f"{what} in {codes}", run.rc in codes and not run.timed_out, run.short())

    def expect_json(self, run: Run, written_on_disk: bool = True) -> Any:
        """stdout is JSON; with ``written_on_disk`` every translation run 1 left on disk is listed as written."""
        doc = run.json()
        if not self.check("stdout is the JSON summary", isinstance(doc, dict) and "summary" in doc,
                          f"stdout {len(run.stdout)} bytes: {run.stdout[:60]!r}"):
            return None
        if written_on_disk:
            listed = {d.get("path") for d in doc.get("documents", []) if d.get("status") == "written"}
            on_disk = set(self.targets())
            missing = sorted(on_disk - listed)
            self.check("JSON lists every document written", not missing, f"{len(missing)} written but not listed")
        return doc

    def expect_error_line(self, run: Run, needle: str, what: str = "error names the file") -> bool:
        return self.check(what, needle in run.stderr or needle in run.stdout, f"{needle!r} not in output")

    def follow_up(self, *extra: str, fake: FakeDeepL | None = None) -> Run:
        """A second, fault-free run: it resumes the work and folds in what the first left (journals)."""
        for f in self.servers:
            f.clear_faults()
            f.latency = 0.0
        run = self.run("translate", str(self.site), "--format", "json", *extra, timeout=60,
                       env=self.env(fake=fake))
        self.check("follow-up run completes", run.rc in (0, 1) and not run.timed_out, run.short())
        return run

    # ---------------------------------------------------------------- the measures

    def measure(self, res: Result) -> None:
        lost_files = 0
        if self._sources:
            now = self._files(self.site / "_products" / SRC)
            changed = [p for p, b in self._sources.items() if now.get(p) != b]
            lost_files += len(changed)
            self.check("sources unchanged", not changed, f"{len(changed)} changed or gone: " + ", ".join(
                os.path.relpath(p, self.site) for p in changed[:3]))
        if self._snapped:
            now = self._files(self.dir, skip=(self.site, self.dir / "cache", *self.other_sites))
            new = [p for p, b in now.items() if self._outside.get(p) != b]
            lost_files += len(new)
            self.check("nothing written outside the site", not new, f"{len(new)} files: " + ", ".join(
                os.path.relpath(p, self.dir) for p in new[:3]))
        if self.spec is not None:
            ref = reference(self.spec)
            targets = self.targets()
            partial = [t for t, b in targets.items() if t in ref.targets and b != ref.targets[t]
                       and (ref.targets[t].startswith(b) or not b.rstrip().endswith(ref.targets[t].rstrip()[-20:]))]
            lost_files += len(partial)
            self.check("no half-written translation", not partial, f"{len(partial)}: {partial[:2]}")
            if self.judge_tmp:
                tmps = self.tmp_files()
                lost_files += len(tmps)
                self.check("no temporary file left", not tmps,
                           f"{len(tmps)}: " + ", ".join(os.path.relpath(t, self.site) for t in tmps[:2]))
            if self.judge_memory:
                have = memory_keys(self.site)
                lost = 0
                for t in targets:
                    src = ref.source_of.get(t)
                    if src is not None:
                        lost += len(ref.keys_of.get(src, set()) - have)
                lost += len(self.extra_expected_keys - have)
                res.lost_memory = lost
                self.check("memory has every entry of every document written", lost == 0, f"{lost} entries missing")
            if self.judge_billing and self.fake is not None:
                excused: Counter = Counter()
                sent = Counter()
                for f in self.servers:
                    sent += sent_texts(f, excused)
                twice = 0
                for (lang, text), n in sent.items():
                    extra = n - ref.sent.get((lang, text), 0) - excused.get((lang, text), 0)
                    if extra > 0:
                        twice += extra * billed_characters(text, "xml", ["x"])
                res.billed_twice = twice
                self.check("no character billed twice", twice == 0, f"{twice:,} characters")
        res.lost_files = lost_files
        if self.judge_outputs:
            tb = [r for r in self.runs if "Traceback" in r.stderr]
            self.check("no traceback", not tb, "; ".join(_last_line(r.stderr, "Traceback") for r in tb[:2]))
        leaked = [r for r in self.runs if KEY_SECRET in r.stdout or KEY_SECRET in r.stderr]
        self.check("API key never printed", not leaked, f"in {len(leaked)} runs' output")
        hung = [r for r in self.runs if r.timed_out]
        self.check("no run hung", not hung, f"{len(hung)} killed after their timeout")

    def close(self) -> None:
        for f in self.servers:
            try:
                f.close()
            except Exception:
                pass
        for pg in self.pgids:
            kill_group(pg)
        if not self.keep:
            subprocess.run(["chattr", "-R", "-i", str(self.dir)], capture_output=True)
            shutil.rmtree(self.dir, ignore_errors=True)


def _last_line(text: str, after: str) -> str:
    """The exception line that ends the first traceback in ``text``."""
    m = re.search(r"^(?:\w+\.)*\w*(?:Error|Exception|Interrupt|Exit)\b.*$", text[text.find(after):], re.M)
    return m.group()[:120] if m else ""


# --------------------------------------------------------------------------- the registry


@dataclass
class Case:
    name: str
    group: int
    expected: str
    fn: Callable[[Ctx], None]
    timeout: float


CASES: list[Case] = []


def case(name: str, group: int, expected: str, timeout: float = 45):
    def deco(fn: Callable[[Ctx], None]) -> Callable[[Ctx], None]:
        CASES.append(Case(name, group, expected, fn, timeout))
        return fn
    return deco


def run_case(c: Case, keep: bool = False) -> Result:
    res = Result(c.name, c.group, c.expected)
    t0 = time.monotonic()
    ctx = Ctx(c.name, c.timeout, keep)
    try:
        c.fn(ctx)
        ctx.measure(res)
    except Exception as exc:  # a broken case is reported, the matrix goes on
        import traceback

        res.error = f"{type(exc).__name__}: {exc}"
        ctx.check("case ran", False, res.error)
        ctx.note(traceback.format_exc(limit=3).splitlines()[-1])
    finally:
        ctx.close()
    res.seconds = time.monotonic() - t0
    res.checks = ctx.checks
    res.passed = all(ch.ok for ch in ctx.checks) and bool(ctx.checks)
    failed = [ch for ch in ctx.checks if not ch.ok]
    codes = ",".join(r.short() for r in ctx.runs)
    res.observed = "; ".join([codes] + [f"{ch.name}: {ch.detail}" if ch.detail else ch.name for ch in failed] + ctx.notes)
    res.runs = [{"args": r.args, "rc": r.rc, "seconds": round(r.seconds, 2), "timed_out": r.timed_out,
                 "stderr_tail": r.stderr[-400:], "stdout_head": r.stdout[:200]} for r in ctx.runs]
    if keep:
        res.observed += f"; kept {ctx.dir}"
    return res


# --------------------------------------------------------------------------- shared scenarios


def target_of(i: int, spec: Spec = SMALL) -> str:
    rel, _ = doc_text(i, spec.paras, spec.brands)
    return rel.replace(f"/{SRC}/", f"/{TGT}/", 1)


def interrupt(c: Ctx, sig: int, *, spec: Spec = MEDIUM, fmt: str = "json", after_docs: int = 3,
              latency: float = 0.25, group: bool = False) -> Run:
    """Start a translation, deliver ``sig`` once ``after_docs`` translations are on disk, then resume it."""
    c.build(spec)
    c.server(latency=latency)
    c.snapshot()
    p = c.start("translate", c.site, "--jobs", "1", "--format", fmt)
    c.check(f"{after_docs} documents written before the signal", c.wait_until(lambda: len(c.targets()) >= after_docs, 30))
    p.signal(sig, group=group)
    run = c.finish(p, 30)
    c.judge_memory = c.judge_tmp = True
    return run


# --------------------------------------------------------------------------- 1 symlinked language folders


def _linked(c: Ctx, link: str, to: str | Path, *, translate: bool = True, extra: tuple[str, ...] = ()) -> Run:
    """A site with one symbolic link in it (made before the snapshot), then a translation into German."""
    c.build()
    c.server()
    path = c.site / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(to)
    c.snapshot()
    if translate:
        return c.translate("--to", TGT, *extra)
    return c.run("status", c.site, "--format", "json")


@case("lang-symlink-inside-translate", 1, "_products/de -> en: translate writes nothing through the link, sources intact")
def _(c: Ctx) -> None:
    run = _linked(c, f"_products/{TGT}", SRC)
    c.check("reported as a problem (exit != 0)", run.rc not in (0, None), run.short())


@case("lang-symlink-inside-status", 1, "status reports the linked language folder as invalid (exit 1)")
def _(c: Ctx) -> None:
    run = _linked(c, f"_products/{TGT}", SRC, translate=False)
    inv = (run.json() or {}).get("summary", {}).get("states", {}).get("invalid", 0)
    c.check("status counts invalid documents", inv > 0, f"invalid={inv}")
    c.expect_exit(run, 1)


@case("lang-symlink-outside-translate", 1, "_products/de -> ../outside: nothing written outside the site")
def _(c: Ctx) -> None:
    _linked(c, f"_products/{TGT}", c.dir / "outside")


@case("lang-subfolder-symlink-to-source", 1, "_products/de/brand0 -> ../en/brand0: sources intact")
def _(c: Ctx) -> None:
    _linked(c, f"_products/{TGT}/brand0", Path("..") / SRC / "brand0")


@case("target-file-symlink-to-source", 1, "a translation that is a link to its source: the source is never written")
def _(c: Ctx) -> None:
    _linked(c, target_of(0), Path("../..") / SRC / "brand0" / "doc-0.md", extra=("--force",))


# --------------------------------------------------------------------------- 2 durability: signals, disk, read-only


@case("sigkill-mid-run", 2, "SIGKILL mid-run, then a follow-up: whole files, every written document's entries on disk", 60)
def _(c: Ctx) -> None:
    interrupt(c, signal.SIGKILL)
    c.follow_up()


for _sig, _code, _group, _how in ((signal.SIGTERM, EXIT_SIGTERM, False, "to the process"),
                                 (signal.SIGINT, EXIT_SIGINT, True, "Ctrl-C: to the process group")):
    def _mk(sig: int, code: int, group: bool, how: str) -> None:
        @case(f"{signal.Signals(sig).name.lower()}-mid-run-json", 2,
              f"{signal.Signals(sig).name} ({how}): exit {code}, JSON summary; the follow-up loses no entry, re-bills nothing", 60)
        def _(c: Ctx) -> None:
            run = interrupt(c, sig, group=group)
            c.expect_exit(run, code)
            c.expect_json(run)
            c.judge_billing = True
            c.follow_up()
    _mk(_sig, _code, _group, _how)


@case("sigterm-mid-run-table", 2, "SIGTERM with --format table: exit 143 and the summary line printed", 60)
def _(c: Ctx) -> None:
    run = interrupt(c, signal.SIGTERM, fmt="table")
    c.expect_exit(run, EXIT_SIGTERM)
    c.check("summary printed", "documents written" in run.stdout, f"stdout {run.stdout[-80:]!r}")
    c.follow_up()


@case("sigkill-during-memory-save", 16, "SIGKILL while the PO is saved: old entries kept, no *.tmp after the next run", 60)
def _(c: Ctx) -> None:
    c.build()
    c.server()
    seed_memory(c, 40000)
    c.snapshot()
    p = c.start("translate", c.site, "--format", "json")
    saw = c.wait_until(lambda: any(TMP_NAME.search(n) for n in os.listdir(memory_dir(c.site))) or not p.alive(), 40, 0.001)
    caught = p.alive()
    p.signal(signal.SIGKILL)
    c.finish(p, 10)
    c.check("killed during the save", saw and caught, "the run ended before a save was seen" if not caught else "")
    c.judge_memory = c.judge_tmp = True
    c.follow_up()


def _failed_then_resumed(c: Ctx, run: Run) -> None:
    """The run failed on its environment: an error exit, the JSON summary, and nothing lost once resumed."""
    c.check("fails with an error (exit 1/2/3)", run.rc in (1, 2, 3), run.short())
    c.expect_json(run)
    c.judge_memory = c.judge_tmp = True
    c.follow_up()


def seed_memory(c: Ctx, n: int) -> None:
    """A memory of ``n`` human entries (a large, committed memory makes every save take a while); all must survive."""
    seeded = [(None, f"Seeded sentence number {k} for a large memory.", f"Gesäter Satz {k}.") for k in range(n)]
    memory_dir(c.site).mkdir(parents=True, exist_ok=True)
    (memory_dir(c.site) / f"{SRC}-{TGT}.po").write_text(po_text(seeded))
    c.extra_expected_keys |= {(None, m) for _, m, _ in seeded}


def _in_namespace(c: Ctx, setup: str, args: list[str]) -> Run:
    """Run transync inside a private mount namespace after the shell ``setup``."""
    script = setup + '\nexec "$@"'
    wrap = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"]
    return c.finish(c.start(*args, wrap=wrap), 60)


def _can_unshare() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "--mount", "true"], capture_output=True).returncode == 0


@case("disk-full-tmpfs", 2, "ENOSPC mid-run: one-line error, summary, no partial file, entries of written documents kept", 60)
def _(c: Ctx) -> None:
    c.build(MEDIUM)
    c.server()
    c.snapshot()
    if not _can_unshare():
        c.note("no mount namespace: RLIMIT_FSIZE used instead")
        run = c.translate(preexec=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (6000, 6000)))
    else:
        # The site is copied into a tmpfs mounted over itself, the tmpfs is filled up to 24 KiB
        # from the end, and what the run leaves is copied back out when it ends.
        stage = c.dir / "stage"
        shutil.copytree(c.site, stage, symlinks=True)
        out = c.dir / "back"
        out.mkdir()
        script = (
            f'set -e; mount -t tmpfs -o size=4m tmpfs "{c.site}"; cp -a "{stage}/." "{c.site}/"; '
            f'dd if=/dev/zero of="{c.site}/.filler" bs=4096 2>/dev/null || true; '
            f'truncate -s -24K "{c.site}/.filler"; set +e; '
            f'"$@"; rc=$?; rm -f "{c.site}/.filler"; cp -a "{c.site}/." "{out}/"; exit $rc'
        )
        run = c.finish(c.start("translate", c.site, "--format", "json",
                               wrap=["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"]), 60)
        shutil.rmtree(c.site)
        shutil.rmtree(stage)
        out.rename(c.site)
    c.check("the disk filled up before the end", len(c.targets()) < MEDIUM.docs, f"{len(c.targets())} written")
    _failed_then_resumed(c, run)


@case("file-size-limit", 2, "EFBIG on the memory (RLIMIT_FSIZE): error line, summary, nothing lost after a follow-up", 60)
def _(c: Ctx) -> None:
    c.build(MEDIUM)
    c.server()
    c.snapshot()
    run = c.translate(preexec=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (8000, 8000)))
    _failed_then_resumed(c, run)


@case("memory-folder-readonly", 2, "read-only .transync/memory: one-line error naming it, summary printed, nothing lost after", 60)
def _(c: Ctx) -> None:
    c.build()
    c.server()
    memory_dir(c.site).mkdir(parents=True)
    (memory_dir(c.site) / f"{SRC}-{TGT}.po").write_text(po_text([]))
    c.snapshot()
    m = memory_dir(c.site)
    if os.geteuid() != 0:  # permissions bind everyone but root
        m.chmod(0o555)
        run = c.translate()
        m.chmod(0o755)
    elif _can_unshare():  # root: a read-only bind mount, in a mount namespace of its own
        run = _in_namespace(c, f'mount --bind "{m}" "{m}" && mount -o remount,ro,bind "{m}"',
                            ["translate", str(c.site), "--format", "json"])
    else:
        c.check("a read-only folder can be made", False, "root without mount namespaces")
        return
    c.expect_error_line(run, "memory", "error names the memory")
    _failed_then_resumed(c, run)


# --------------------------------------------------------------------------- 3 concurrent runs, a translator's save


def _two_runs(c: Ctx, a: list, b: list) -> tuple[Run, Run]:
    """Two translations of one site at once, over a large memory (each save takes a while)."""
    c.build(MEDIUM)
    c.server(latency=0.1)
    seed_memory(c, 20000)
    c.snapshot()
    pa = c.start("translate", *a, "--root", c.site, "--format", "json")
    pb = c.start("translate", *b, "--root", c.site, "--format", "json")
    ra, rb = c.finish(pa), c.finish(pb)
    c.judge_memory = c.judge_tmp = True
    c.follow_up()
    return ra, rb


@case("concurrent-runs-disjoint", 3, "two runs on different folders at once: both runs' entries in the memory", 60)
def _(c: Ctx) -> None:
    en = c.site / "_products" / SRC
    ra, rb = _two_runs(c, [en / "brand0", en / "brand1", "--jobs", "1"], [en / "brand2", en / "brand3", "--jobs", "1"])
    c.expect_exit(ra, 0, what="run A")
    c.expect_exit(rb, 0, what="run B")
    c.judge_billing = True


@case("concurrent-runs-same-docs", 3, "two runs on the same documents at once: whole files, no entry lost", 60)
def _(c: Ctx) -> None:
    _two_runs(c, [c.site, "--jobs", "1"], [c.site, "--jobs", "2"])


@case("po-saved-by-translator-during-run", 3, "a translator saves the PO by rename during a run: every human entry survives", 60)
def _(c: Ctx) -> None:
    c.build(MEDIUM)
    c.server(latency=0.1)
    seed_memory(c, 20000)
    po_path = memory_dir(c.site) / f"{SRC}-{TGT}.po"
    c.snapshot()
    mine: list[tuple[None, str, str]] = []
    p = c.start("translate", c.site, "--jobs", "1", "--format", "json")
    while p.alive() and c.remaining() > 5:
        time.sleep(0.02)
        n = len(mine)
        mine.append((None, f"Translator sentence {n}.", f"Übersetzersatz {n}."))
        # What Poedit does: read the file, add the translator's work, write a temporary file, rename it.
        try:
            before = po_path.stat()
            text = po_path.read_text()
        except OSError:
            mine.pop()
            continue
        add = mine[-1:]  # each save adds the entry just made: an entry a run overwrote stays lost
        tmp = po_path.with_name(".poedit-save.tmp")
        tmp.write_text(text.rstrip("\n") + "\n\n" + po_text(add).split("\n\n", 1)[1] if add else text)
        now = po_path.stat()
        if (now.st_ino, now.st_mtime_ns, now.st_size) != (before.st_ino, before.st_mtime_ns, before.st_size):
            os.unlink(tmp)  # saved meanwhile: a careful editor reads again rather than overwrite it
            mine.pop()
            continue
        os.replace(tmp, po_path)
    c.finish(p)
    c.note(f"{len(mine)} translator saves")
    c.extra_expected_keys |= {(None, m) for _, m, _ in mine}
    c.judge_memory = True
    c.follow_up()


# --------------------------------------------------------------------------- 4 failures end with a summary


def failing_service(c: Ctx, inject: Callable[[FakeDeepL], None], *, spec: Spec = SMALL, codes=(1, 2, 3),
                    server_kw: dict | None = None, follow: bool = True) -> Run:
    c.build(spec)
    fake = c.server(**(server_kw or {}))
    inject(fake)
    c.snapshot()
    run = c.translate(timeout=40)
    c.check(f"exit in {codes}", run.rc in codes, run.short())
    c.expect_json(run)
    c.check("stderr says what failed in one line", bool(run.stderr.strip()), "stderr empty")
    c.judge_memory = c.judge_tmp = True
    if follow:
        c.follow_up()
    return run


@case("paragraph-over-128k", 4, "one paragraph > 128 KiB (413): that document failed with its path, all others written, exit 1", 60)
def _(c: Ctx) -> None:
    c.build(MEDIUM)
    c.server()
    big = "word " * 28000  # 140,000 bytes in one paragraph
    add_source(c.site, f"_products/{SRC}/brand0/huge.md",
               f'---\ntitle: "Huge"\nlang: {SRC}\nref: huge\ndate: 2026-03-01\n---\n{big.strip()}\n')
    c.snapshot()
    run = c.translate()
    c.expect_exit(run, 1)
    doc = c.expect_json(run) or {}
    c.check("every other document written", len(c.targets()) == MEDIUM.docs, f"{len(c.targets())} of {MEDIUM.docs}")
    failed = [d for d in doc.get("documents", []) if d.get("status") == "failed"]
    c.check("the huge document is the failed one", any("huge" in str(d.get("source_path")) for d in failed),
            f"failed: {[d.get('source_path') for d in failed][:3]}")
    c.expect_error_line(run, "huge.md")
    c.judge_memory = c.judge_tmp = True


for _status in (500, 503, 429):
    def _mk(status: int) -> None:
        @case(f"persistent-{status}", 4, f"every request answered {status}: exit 1 or 3 with the JSON summary, no traceback", 60)
        def _(c: Ctx) -> None:
            failing_service(c, lambda f: f.fail_next(status, times=10_000, path="/v2/translate"), codes=(1, 3))
    _mk(_status)


@case("network-drop-persistent", 4, "every connection dropped: exit 1 with the JSON summary, no traceback", 60)
def _(c: Ctx) -> None:
    failing_service(c, lambda f: f.drop_next(times=10_000, path="/v2/translate"), codes=(1, 3))


@case("partial-reply-persistent", 4, "every reply cut in half: exit 1 with the JSON summary, no traceback", 60)
def _(c: Ctx) -> None:
    failing_service(c, lambda f: f.drop_next(times=10_000, path="/v2/translate", partial=True), codes=(1, 3))


@case("garbage-200-reply", 4, "HTTP 200 with a non-JSON body: documents failed, not written wrong; summary", 60)
def _(c: Ctx) -> None:
    failing_service(c, lambda f: f.fail_next(200, times=10_000, path="/v2/translate", body=b"<html>proxy</html>"), codes=(1, 3))
    c.check("nothing written from garbage", not c.runs[0].json() or c.runs[0].json()["summary"]["written"] == 0,
            "documents written from a garbage reply")


@case("server-refuses-connections", 4, "DEEPL_SERVER_URL on a closed port: exit 1/3 with summary, no traceback", 60)
def _(c: Ctx) -> None:
    import socket

    c.build()
    c.server()  # for the key; the CLI is pointed at a port where nothing listens
    c.snapshot()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    run = c.translate(env=c.env(DEEPL_SERVER_URL=f"http://127.0.0.1:{port}"), timeout=50)
    c.check("exit in (1, 3)", run.rc in (1, 3), run.short())
    c.expect_json(run)


@case("5xx-after-some-documents", 4, "the service fails mid-run: summary lists the written ones, their entries kept", 60)
def _(c: Ctx) -> None:
    c.build(MEDIUM)
    fake = c.server(latency=0.05)
    c.snapshot()
    p = c.start("translate", c.site, "--jobs", "1", "--format", "json")
    c.wait_until(lambda: len(fake.requests_to("/v2/translate")) >= 2, 20)
    fake.fail_next(503, times=10_000, path="/v2/translate")
    run = c.finish(p, 50)
    c.check("exit in (1, 3)", run.rc in (1, 3), run.short())
    c.expect_json(run)
    c.judge_memory = c.judge_tmp = c.judge_billing = True
    c.follow_up()


@case("quota-456-mid-run", 4, "quota exhausted mid-run: exit 3, JSON summary; the resumed run bills nothing twice", 60)
def _(c: Ctx) -> None:
    ref = reference(MEDIUM)
    c.build(MEDIUM)
    fake = c.server(character_limit=ref.billed // 2)
    c.snapshot()
    run = c.translate("--jobs", "1")
    c.expect_exit(run, 3)
    c.expect_json(run)
    fake.character_limit = None
    c.judge_memory = c.judge_tmp = c.judge_billing = True
    c.follow_up()


@case("quota-456-at-start", 4, "quota already exhausted: exit 3, summary, nothing written", 40)
def _(c: Ctx) -> None:
    c.build()
    c.server(character_limit=10, character_count=10)
    c.snapshot()
    run = c.translate()
    c.expect_exit(run, 3)
    c.expect_json(run)


@case("bad-key-403", 8, "a wrong key: exit 3, summary, the key never printed", 40)
def _(c: Ctx) -> None:
    c.build()
    c.server()
    c.snapshot()
    run = c.translate(env=c.env(key=KEY_SECRET + "-wrong:fx"))
    c.expect_exit(run, 3)
    c.expect_json(run)


# --------------------------------------------------------------------------- 5 YAML alias bomb


BOMB = "\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x]"] +
                 [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)])


def _bomb_site(c: Ctx) -> None:
    c.build()
    add_source(c.site, f"_products/{SRC}/brand0/bomb.md",
               f"---\nlang: {SRC}\nref: bomb\ndate: 2026-03-01\ntitle: Bomb\n{BOMB}\n---\nBody text.\n")
    c.snapshot()


def _limit_memory() -> None:
    # a bomb must not take the machine down with it: 1.5 GB of address space
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))


for _cmd in ("status", "check", "translate"):
    def _mk(cmd: str) -> None:
        @case(f"yaml-alias-bomb-{cmd}", 5, f"{cmd}: a front-matter alias bomb is reported invalid in seconds, others judged", 25)
        def _(c: Ctx) -> None:
            _bomb_site(c)
            if cmd == "translate":
                c.server()
            args = [cmd, str(c.site), "--format", "json"]
            run = c.run(*args, timeout=15, preexec=_limit_memory)
            c.check("finishes within 10 s", not run.timed_out and run.seconds < 10, f"{run.seconds:.1f} s")
            c.check("exit 1 (a finding)", run.rc == 1, run.short())
            c.expect_error_line(run, "bomb.md")
            if cmd == "translate":
                c.check("other documents written", len(c.targets()) == SMALL.docs, f"{len(c.targets())}")
    _mk(_cmd)


@case("yaml-alias-bomb-config", 5, "an alias bomb in _config.yml (keys transync does not read): judged in seconds, or exit 2 naming it", 25)
def _(c: Ctx) -> None:
    c.build()
    with open(c.site / "_config.yml", "a") as fh:
        fh.write(BOMB + "\n")
    c.snapshot()
    run = c.run("status", c.site, "--format", "json", timeout=15, preexec=_limit_memory)
    c.check("finishes within 10 s", not run.timed_out and run.seconds < 10, f"{run.seconds:.1f} s")
    c.expect_exit(run, 1, 2)
    if run.rc == 2:
        c.expect_error_line(run, "_config.yml")


# --------------------------------------------------------------------------- 6 symlink loops


def _loop_site(c: Ctx, kind: str) -> None:
    c.build()
    d = c.site / "_products" / SRC / "brand0"
    if kind == "file":
        (d / "loop-a.md").symlink_to("loop-b.md")
        (d / "loop-b.md").symlink_to("loop-a.md")
    else:
        (d / "loopdir").symlink_to(".")
        (d / "loop-self.md").symlink_to("loop-self.md")
    c.snapshot()


for _cmd, _kind in (("status", "file"), ("check", "file"), ("translate", "file"), ("status", "dir")):
    def _mk(cmd: str, kind: str) -> None:
        @case(f"symlink-loop-{kind}-{cmd}", 6, f"{cmd}: a {kind} symlink loop is reported invalid, everything else judged", 30)
        def _(c: Ctx) -> None:
            _loop_site(c, kind)
            if cmd == "translate":
                c.server()
            run = c.run(cmd, str(c.site), "--format", "json", timeout=20)
            c.check("exit 1 (a finding)", run.rc == 1, run.short())
            c.check("the loop is named", "loop-" in run.stdout + run.stderr, "no 'loop-' in output")
            if cmd == "translate":
                c.check("other documents written", len(c.targets()) == SMALL.docs, f"{len(c.targets())}")
    _mk(_cmd, _kind)


# --------------------------------------------------------------------------- 7 file names


def _odd_name_site(c: Ctx, name: bytes, ref: str) -> None:
    c.build()
    add_source(c.site, b"_products/" + SRC.encode() + b"/brand0/" + name,
               f'---\ntitle: "Odd {ref}"\nlang: {SRC}\nref: {ref}\ndate: 2026-03-01\n---\nThe odd document {ref} has one sentence.\n')
    c.snapshot()


@case("non-utf8-file-name-translate", 7, "a source named with Latin-1 bytes: no crash, memory saved, others written", 40)
def _(c: Ctx) -> None:
    _odd_name_site(c, b"caf\xe9.md", "cafe")
    c.server()
    run = c.translate()
    c.check("other documents written", len(c.targets()) >= SMALL.docs, f"{len(c.targets())}")
    c.check("exit 0 or 1", run.rc in (0, 1), run.short())
    c.judge_memory = True


@case("non-utf8-file-name-status", 7, "status: a non-UTF-8 name is reported (or handled), no crash", 30)
def _(c: Ctx) -> None:
    _odd_name_site(c, b"caf\xe9.md", "cafe")
    run = c.run("status", c.site, "--format", "json")
    c.check("exit 1", run.rc == 1, run.short())
    c.check("stdout is JSON", run.json() is not None, run.stdout[:60])


@case("newline-file-name-translate", 7, "a source with a newline in its name: its texts remembered, or it is reported invalid", 40)
def _(c: Ctx) -> None:
    _odd_name_site(c, b"new\nline.md", "newline")
    c.server()
    run = c.translate()
    doc = run.json() or {"documents": []}
    written = any(d.get("ref") == "newline" and d.get("status") == "written" for d in doc["documents"])
    if written:
        c.extra_expected_keys = {(None, "The odd document newline has one sentence.")}
    else:
        c.check("reported with a reason", any(d.get("ref") == "newline" or "line.md" in str(d.get("source_path")) or "line.md" in str(d.get("path"))
                                               for d in doc["documents"]) or "line.md" in run.stderr, "silently dropped")
    c.judge_memory = True


# --------------------------------------------------------------------------- 8 API key with CR/LF


for _label, _key, _codes in (("crlf", KEY_SECRET + "\r\nX-Injected: 1", (2, 3)), ("lf", KEY_SECRET + "\nX: y", (2, 3)),
                             ("trailing-cr", KEY + "\r", (0, 2, 3))):
    def _mk(label: str, key: str, codes: tuple[int, ...]) -> None:
        what = "stripped or refused" if 0 in codes else "refused up front"
        @case(f"api-key-{label}", 8, f"a key with {label.upper()}: {what} (exit {'/'.join(map(str, codes))}), never printed", 30)
        def _(c: Ctx) -> None:
            c.build()
            c.server()
            c.snapshot()
            run = c.translate(env=c.env(key=key), timeout=25)
            c.check(f"exit in {codes}", run.rc in codes, run.short())
    _mk(_label, _key, _codes)


# --------------------------------------------------------------------------- 9 brackets


for _label, _body in (("flat-16k", "a[b " * 16000), ("nested-50k", "[" * 50000 + "x")):
    def _mk(label: str, body: str) -> None:
        @case(f"brackets-{label}", 9, "a paragraph of unclosed brackets is segmented in well under 10 s", 30)
        def _(c: Ctx) -> None:
            c.build()
            c.server()
            add_source(c.site, f"_products/{SRC}/brand0/brackets.md",
                       f'---\ntitle: "Brackets"\nlang: {SRC}\nref: brackets\ndate: 2026-03-01\n---\n{body}\n')
            c.snapshot()
            run = c.translate(timeout=20)
            c.check("finishes within 10 s", not run.timed_out and run.seconds < 10, f"{run.seconds:.1f} s")
    _mk(_label, _body)


# --------------------------------------------------------------------------- 10 duplicate sources


@case("duplicate-source-translate", 10, "two sources with one ref: that ref is not translated and the output says why", 30)
def _(c: Ctx) -> None:
    c.build()
    c.server()
    add_source(c.site, f"_products/{SRC}/brand0/impostor.md",
               f'---\ntitle: "Impostor"\nlang: {SRC}\nref: doc-4\ndate: 2026-03-01\n---\nThe impostor text.\n')
    c.snapshot()
    run = c.translate()
    t = c.targets()
    c.check("no translation of the impostor", not any(b"IMPOSTOR" in b.upper() for b in t.values()),
            "a translation holds the impostor's text")
    c.check("the duplicate ref is named", "doc-4" in run.stdout + run.stderr, "doc-4 not mentioned")
    c.check("other documents written", len(t) >= SMALL.docs - 1, f"{len(t)}")


@case("duplicate-source-status", 10, "status reports both sources of the ref as duplicate", 30)
def _(c: Ctx) -> None:
    c.build()
    add_source(c.site, f"_products/{SRC}/brand0/impostor.md",
               f'---\ntitle: "Impostor"\nlang: {SRC}\nref: doc-4\ndate: 2026-03-01\n---\nThe impostor text.\n')
    c.snapshot()
    run = c.run("status", c.site, "--format", "json")
    doc = run.json() or {}
    dup = doc.get("summary", {}).get("states", {}).get("duplicate", 0)
    c.check("duplicates counted", dup >= 1, f"duplicate={dup}")


# --------------------------------------------------------------------------- 11 invalid sources given to translate


@case("invalid-source-explicit-path", 11, "translate BAD.md: listed as failed/skipped with the reason, exit != 0", 30)
def _(c: Ctx) -> None:
    c.build()
    c.server()
    bad = add_source(c.site, f"_products/{SRC}/brand0/bad.md", "no front matter at all\n")
    c.snapshot()
    run = c.translate(str(bad))
    c.check("exit != 0", run.rc not in (0, None), run.short())
    c.expect_error_line(run, "bad.md", "bad.md named with a reason")


@case("invalid-source-in-site", 11, "a broken source among good ones: others written, it is reported, exit 1", 30)
def _(c: Ctx) -> None:
    c.build()
    c.server()
    add_source(c.site, f"_products/{SRC}/brand0/bad.md", f"---\ntitle: [unclosed\nlang: {SRC}\n---\nBody\n")
    c.snapshot()
    run = c.translate()
    c.check("other documents written", len(c.targets()) == SMALL.docs, f"{len(c.targets())}")
    c.expect_exit(run, 1)
    c.expect_error_line(run, "bad.md", "bad.md named with a reason")


@case("translate-missing-path", 11, "translate a path that does not exist: exit 2, one line naming it, nothing written", 30)
def _(c: Ctx) -> None:
    c.build()
    c.server()
    c.snapshot()
    run = c.translate(str(c.site / "_products" / SRC / "brand0" / "no-such-file.md"))
    c.expect_exit(run, 2)
    c.expect_error_line(run, "no-such-file.md")
    c.check("nothing written", not c.targets(), f"{len(c.targets())} translations written")


# --------------------------------------------------------------------------- 12 poisoned memory


def _poison(c: Ctx, mutate: Callable[[str], str], label: str) -> None:
    import polib

    ref = reference(SMALL)
    c.build()
    c.server()
    src = ref.source_of[target_of(0)]
    po = polib.pofile(ref.po.decode())
    entry = next(e for e in po if e.msgid.startswith("Paragraph 0 of document 0") and src in [o[0] for o in e.occurrences])
    bad = mutate(entry.msgstr)
    memory_dir(c.site).mkdir(parents=True)
    (memory_dir(c.site) / f"{SRC}-{TGT}.po").write_text(po_text([(entry.msgctxt, entry.msgid, bad)]))
    c.snapshot()
    run = c.translate()
    text = (c.site / target_of(0)).read_text() if (c.site / target_of(0)).exists() else ""
    c.check("the poisoned text is not written", "evil.example" not in text and "<script>" not in text and "POISON" not in text,
            f"{label} written verbatim")
    c.check("the citation is kept", "[1]" in text.split("Paragraph")[0] or text.count("[1]") >= SMALL.paras, "a [1] lost")
    c.check("the bad entry is reported", "memory" in run.stderr.lower() or "memory" in run.stdout.lower() and "reject" in (run.stdout + run.stderr).lower(),
            "nothing said")


@case("poisoned-memory-url-script", 12, "a human memory entry that drops [1] and adds a URL and <script>: rejected, reported", 30)
def _(c: Ctx) -> None:
    _poison(c, lambda s: s.replace("[1]", "").replace("https://example.com", "https://evil.example") + " <script>alert(1)</script>",
            "dropped citation, foreign URL, <script>")


@case("poisoned-memory-code-dropped", 12, "a human memory entry that loses its inline code: rejected, reported", 30)
def _(c: Ctx) -> None:
    _poison(c, lambda s: re.sub(r"`[^`]*`", "POISON", s), "inline code replaced")


# --------------------------------------------------------------------------- 13 interrupting a cold scan


BIG_SCAN = Spec(docs=1500, paras=1, brands=20)


def _scan_interrupt(c: Ctx, sig: int, group: bool, delays: tuple[float, ...] = (0.05,)) -> None:
    """Deliver ``sig`` to a cold ``status`` once its worker processes run, ``delay`` seconds later, per trial."""
    c.build(BIG_SCAN)
    c.spec = None  # no translation measures here
    codes = {signal.SIGINT: (EXIT_SIGINT,), signal.SIGTERM: (EXIT_SIGTERM, -signal.SIGTERM)}.get(sig)
    hit, slow, orphaned, wrong = 0, [], 0, []
    for delay in delays:
        p = c.start("status", c.site, "--no-cache", "--format", "json")
        c.wait_until(lambda: bool(children(p.popen.pid)) or not p.alive(), 20, 0.002)
        time.sleep(delay)
        if not p.alive():
            c.finish(p, 15)
            continue
        hit += 1
        t = time.monotonic()
        p.signal(sig, group=group)
        run = c.finish(p, 15)
        if run.timed_out or p.ended - t >= 3:
            slow.append(f"{p.ended - t:.1f} s")
        if codes and run.rc not in codes:
            wrong.append(run.short())
        time.sleep(0.5)
        if group_members(p.popen.pid):
            orphaned += 1
            kill_group(p.popen.pid)
    n = len(delays)
    c.check("the signal came during the scan", hit > 0, f"0 of {n} trials: the scan ended first")
    c.check("stops within 3 s", not slow, f"{len(slow)} of {hit} trials: {', '.join(slow)}")
    if codes:
        c.check(f"exit {codes[0]}", not wrong, f"{len(wrong)} of {hit} trials: {', '.join(wrong)}")
    c.check("no worker left behind", not orphaned, f"{orphaned} of {hit} trials left workers alive 0.5 s later")
    c.note(f"{hit} of {n} trials signalled mid-scan")


@case("scan-sigint-cold", 13, "Ctrl-C during a cold parallel scan (4 trials): exit 130 within 3 s, no worker left", 45)
def _(c: Ctx) -> None:
    _scan_interrupt(c, signal.SIGINT, True, (0.0, 0.1, 0.2, 0.35))


@case("scan-sigint-parent-only", 13, "SIGINT to the parent only during a cold scan (3 trials): exit 130 within 3 s, no worker left", 40)
def _(c: Ctx) -> None:
    _scan_interrupt(c, signal.SIGINT, False, (0.0, 0.15, 0.3))


@case("scan-sigterm-cold", 13, "SIGTERM during a cold parallel scan: exit 143 within 3 s, no worker left", 30)
def _(c: Ctx) -> None:
    _scan_interrupt(c, signal.SIGTERM, False)


@case("scan-sigkill-orphans", 13, "SIGKILL of the parent during a cold scan: its workers die too", 30)
def _(c: Ctx) -> None:
    _scan_interrupt(c, signal.SIGKILL, False)


# --------------------------------------------------------------------------- 14 resumed runs, identical bytes


RESUME = Spec(docs=40, paras=2, brands=4, odd_titles=6)


@case("resume-identical-to-clean", 14, "SIGKILL then resume: every translation byte-identical to an uninterrupted run", 60)
def _(c: Ctx) -> None:
    interrupt(c, signal.SIGKILL, spec=RESUME, after_docs=8)
    c.follow_up()
    ref = reference(RESUME)
    t = c.targets()
    diff = [p for p, b in t.items() if ref.targets.get(p) != b]
    c.check("identical to the clean run", not diff and len(t) == len(ref.targets), f"{len(diff)} of {len(t)} differ")


@case("po-bytes-deterministic", 16, "two identical runs, 4 jobs, replies in a different order: identical PO bytes", 60)
def _(c: Ctx) -> None:
    import random

    spec = Spec(docs=60, paras=2, brands=3)
    c.build(spec)
    # a paragraph every document shares: its "#:" list collects many documents, in whatever order they finish
    for i in range(spec.docs):
        p = c.site / doc_text(i, spec.paras, spec.brands)[0]
        p.write_text(p.read_text() + "\nThis sentence is shared by every review.\n")
    c.spec = None
    other = c.dir / "site2"
    shutil.copytree(c.site, other)
    c.other_sites.append(other)
    c.snapshot()
    for seed, site in ((1, c.site), (2, other)):
        fake = c.server()
        rng = random.Random(seed)
        for _ in range(100):  # each reply late by its own random delay: another finishing order per run
            fake.delay(rng.uniform(0, 0.15), times=1, path="/v2/translate")
        c.run("translate", site, "--jobs", "4", "--format", "json", env=c.env(fake=fake))
    a = (memory_dir(c.site) / f"{SRC}-{TGT}.po").read_bytes()
    b = (memory_dir(other) / f"{SRC}-{TGT}.po").read_bytes()
    c.check("identical PO bytes", a == b, f"{len(set(a.splitlines()) ^ set(b.splitlines()))} lines differ")


# --------------------------------------------------------------------------- 15 slow servers


class Trickle:
    """A proxy that forwards requests to the fake and sends each reply back one byte per ``gap`` seconds."""

    def __init__(self, upstream: str, gap: float = 0.5):
        import socket

        self.upstream = upstream
        self.gap = gap
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn) -> None:
        import http.client

        try:
            conn.settimeout(30)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, body = data.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = dict(h.split(": ", 1) for h in lines[1:] if ": " in h)
            length = int(headers.get("Content-Length", headers.get("content-length", "0")))
            while len(body) < length:
                body += conn.recv(65536)
            host, port = self.upstream.split("//")[1].split(":")
            up = http.client.HTTPConnection(host, int(port), timeout=30)
            up.request(method, path, body=body, headers={k: v for k, v in headers.items() if k.lower() != "host"})
            r = up.getresponse()
            payload = r.read()
            reply = f"HTTP/1.1 {r.status} {r.reason}\r\n".encode()
            for k, v in r.getheaders():
                if k.lower() not in ("connection", "content-length"):
                    reply += f"{k}: {v}\r\n".encode()
            reply += f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload
            for i in range(len(reply)):
                if self.stop.wait(self.gap):
                    return
                conn.sendall(reply[i : i + 1])
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@case("trickling-replies", 15, "a server trickling 2 bytes/s: the run gives up within ~30 s (timeout = 5 s) with a summary", 50)
def _(c: Ctx) -> None:
    c.build()
    fake = c.server()
    c.snapshot()
    tr = Trickle(fake.url, gap=0.5)
    try:
        run = c.translate(env=c.env(DEEPL_SERVER_URL=tr.url), timeout=40)
    finally:
        tr.close()
    c.check("gives up within 30 s", not run.timed_out and run.seconds < 30, f"{run.seconds:.0f} s")
    c.check("exit 1 or 3", run.rc in (1, 3), run.short())
    c.expect_json(run)


@case("silent-server", 15, "a server that never answers: the run gives up within ~30 s (timeout = 5 s) with a summary", 50)
def _(c: Ctx) -> None:
    c.build()
    fake = c.server()
    fake.delay(120, times=None, path="/v2/translate")
    c.snapshot()
    run = c.translate(timeout=40)
    c.check("gives up within 30 s", not run.timed_out and run.seconds < 30, f"{run.seconds:.0f} s")
    c.check("exit 1 or 3", run.rc in (1, 3), run.short())
    c.expect_json(run)


# --------------------------------------------------------------------------- 16 temp files, permalinks, check


@case("leftover-tmp-in-target-folder", 16, "a temp file an earlier killed run left beside a translation is removed by the next run", 30)
def _(c: Ctx) -> None:
    c.build()
    c.server()
    t = c.site / target_of(0)
    t.parent.mkdir(parents=True)
    (t.parent / f".{t.name}.a1b2c3d4.tmp").write_text("---\ntitle: half")
    c.snapshot()
    c.translate()
    c.judge_tmp = True


@case("leftover-tmp-in-memory-folder", 16, "a temp file an earlier killed save left in .transync/memory is removed by the next run", 30)
def _(c: Ctx) -> None:
    c.build()
    c.server()
    memory_dir(c.site).mkdir(parents=True)
    (memory_dir(c.site) / f".{SRC}-{TGT}.po.a1b2c3d4.tmp").write_text('msgid ""\nmsgstr ""\n')
    c.snapshot()
    c.translate()
    c.judge_tmp = True


@case("permalink-dot-dot", 16, "permalinks reports /products/en/../../../etc/x/ (exit 1, file named)", 30)
def _(c: Ctx) -> None:
    c.build()
    add_source(c.site, f"_products/{SRC}/brand0/escape.md",
               f'---\ntitle: "Escape"\nlang: {SRC}\nref: escape\ndate: 2026-03-01\npermalink: /products/en/../../../etc/x/\n---\nText.\n')
    c.snapshot()
    run = c.run("permalinks", c.site)
    c.expect_exit(run, 1)
    c.expect_error_line(run, "escape.md")


def _check_translation(c: Ctx, mutate: Callable[[str], str]) -> Run:
    c.build()
    c.server()
    c.translate()
    t = c.site / target_of(0)
    t.write_text(mutate(t.read_text()))
    c.spec = None  # the translation is broken on purpose: not a loss
    c.snapshot()
    return c.run("check", c.site, "--format", "json")


@case("check-nul-in-translation", 16, "check reports a NUL in a translation (exit 1, file named)", 30)
def _(c: Ctx) -> None:
    run = _check_translation(c, lambda s: s.replace("Paragraph", "Para\x00graph", 1).replace("pARAGRAPH", "pARA\x00GRAPH", 1))
    c.expect_exit(run, 1)
    c.expect_error_line(run, "doc-0.md")


@case("check-unclosed-math-in-translation", 16, "check reports a trailing unclosed $$ in a translation (exit 1)", 30)
def _(c: Ctx) -> None:
    run = _check_translation(c, lambda s: s + "\n$$ \\Large \\text{0.8}\n")
    c.expect_exit(run, 1)
    c.expect_error_line(run, "doc-0.md")


# --------------------------------------------------------------------------- 17 billed but not remembered


@case("mangled-replies-billed-once", 17, "replies with broken tags fail their document; the next run re-sends only those texts", 60)
def _(c: Ctx) -> None:
    c.build(MEDIUM)
    fake = c.server()
    fake.mangle_next("drop_tag", times=4)
    c.snapshot()
    run = c.translate("--jobs", "1")
    c.expect_exit(run, 1)
    c.expect_json(run)
    c.judge_memory = c.judge_billing = True
    c.follow_up()


@case("sigterm-in-flight-billed-once", 17, "SIGTERM with 2 requests in flight: their replies are remembered, nothing billed twice", 60)
def _(c: Ctx) -> None:
    c.build(MEDIUM)
    fake = c.server(latency=0.6)
    c.snapshot()
    p = c.start("translate", c.site, "--jobs", "2", "--format", "json")
    c.wait_until(lambda: len(fake.requests_to("/v2/translate")) >= 2, 20)
    time.sleep(0.2)
    p.signal(signal.SIGTERM)
    run = c.finish(p, 30)
    c.expect_exit(run, EXIT_SIGTERM)
    c.judge_memory = c.judge_billing = c.judge_tmp = True
    c.follow_up()


@case("failed-document-texts-remembered", 17, "a document that fails (413 on one text) keeps its other texts: not billed again", 60)
def _(c: Ctx) -> None:
    c.build(MEDIUM)
    c.server()
    big = "word " * 28000
    add_source(c.site, f"_products/{SRC}/brand0/huge.md",
               f'---\ntitle: "Huge and small"\nlang: {SRC}\nref: huge\ndate: 2026-03-01\n'
               f'summary: "A small summary that is translated."\n---\nA small paragraph first.\n\n{big.strip()}\n')
    c.snapshot()
    c.translate()
    c.judge_billing = True
    c.follow_up()


# --------------------------------------------------------------------------- running the matrix


def select(pattern: str | None) -> list[Case]:
    if not pattern:
        return list(CASES)
    pats = [p.strip() for p in pattern.split(",") if p.strip()]
    out = []
    for c in CASES:
        for p in pats:
            if p.isdigit():
                hit = p == str(c.group)
            elif any(ch in p for ch in "*?["):
                hit = fnmatch.fnmatchcase(c.name, p)
            else:
                hit = p in c.name
            if hit:
                out.append(c)
                break
    return out


def run_matrix(cases: list[Case], jobs: int = 2, keep: bool = False,
               progress: Callable[[Result], None] | None = None) -> list[Result]:
    results: dict[str, Result] = {}
    # References first, serially: cases running in parallel would otherwise wait on the lock one by one.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for res in pool.map(lambda c: run_case(c, keep), cases):
            results[res.name] = res
            if progress:
                progress(res)
    return [results[c.name] for c in cases]


def _n(v: int | None) -> str:
    return "-" if v is None else f"{v:,}"


def table(results: list[Result], width: int = 70) -> str:
    head = f"{'case':38} {'grp':>3} {'result':6} {'files':>5} {'memory':>7} {'billed2x':>9} {'secs':>6}  expected / -> observed"
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(f"{r.name:38} {r.group:>3} {'pass' if r.passed else 'FAIL':6} {_n(r.lost_files):>5} "
                     f"{_n(r.lost_memory):>7} {_n(r.billed_twice):>9} {r.seconds:6.1f}  {r.expected[:width]}")
        if r.observed:
            lines.append(f"{'':38} {'':>3} {'':6} {'':>5} {'':>7} {'':>9} {'':>6}  -> {r.observed[:width * 2]}")
    passed = sum(r.passed for r in results)
    lines.append("-" * len(head))
    lines.append(f"{passed} passed, {len(results) - passed} failed of {len(results)} cases; lost: "
                 f"{sum(r.lost_files or 0 for r in results):,} files, {sum(r.lost_memory or 0 for r in results):,} memory entries, "
                 f"{sum(r.billed_twice or 0 for r in results):,} characters billed twice; {sum(r.seconds for r in results):.0f} s of case time")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", metavar="PATTERN", help="cases whose name contains PATTERN (or matches it as a glob, or a group number); comma list")
    ap.add_argument("--json", metavar="FILE", help="write every result with its checks to FILE")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("--keep", action="store_true", help="keep each case's folder (printed in the table)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    a = ap.parse_args(argv)
    cases = select(a.only)
    if a.list:
        for c in cases:
            print(f"{c.group:>3}  {c.name:38} {c.expected}")
        return 0
    if not cases:
        print(f"faults: no case matches {a.only!r}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    done = [0]

    def progress(r: Result) -> None:
        done[0] += 1
        print(f"[{done[0]}/{len(cases)}] {'pass' if r.passed else 'FAIL'} {r.name} ({r.seconds:.1f} s)", file=sys.stderr, flush=True)

    results = run_matrix(cases, a.jobs, a.keep, progress)
    print(table(results))
    print(f"wall time {time.monotonic() - t0:.0f} s")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump([{**r.__dict__, "checks": [ch.__dict__ for ch in r.checks]} for r in results], fh, indent=1, default=str)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
