"""How a translation run stops: signals, engine failures, requests too large, and scans
interrupted with Ctrl-C. Every stop ends with the summary of what was written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import doc
from deepl_fake import serve_in_subprocess
from test_translate import BODY, Recording, report_of, run
from transync import document
from transync.translate import run as translate
from transync.cli import app
from transync.errors import EngineFailure, Interrupted, RequestTooLarge

SECRET = "fake-deepl-test-key:fx"
WRAPPER = (
    "import sys; from transync.translate import run; run.MAX_TEXTS = int(sys.argv[1]); "
    "from transync.cli import main; sys.argv = ['transync'] + sys.argv[2:]; main()"
)


@pytest.fixture
def site(make_site):
    files = {f"_products/en/p/p{n}.md": doc(f"p{n}", "en", body=BODY) for n in range(6)}
    return make_site(files, config='languages: ["en", "ja", "de"]\n')


@pytest.fixture
def slow_server():
    """A DeepL-compatible server in its own process that answers every request after 0.3 s."""
    server, url = serve_in_subprocess(SECRET, latency=0.3)
    try:
        yield url
    finally:
        server.kill()
        server.wait()


def _translate_process(site: Path, url: str, tmp_path: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, DEEPL_AUTH_KEY=SECRET, DEEPL_SERVER_URL=url, NO_PROXY="127.0.0.1",
               TRANSYNC_CACHE_DIR=str(tmp_path / "cache"))
    return subprocess.Popen(
        [sys.executable, "-c", WRAPPER, "3", "translate", "--root", str(site), "--jobs", "1", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for_a_document(site: Path, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if any("transync:" in p.read_text() for p in site.glob("_products/[jd][ae]/p/*.md")):
            return
        time.sleep(0.05)
    raise AssertionError("no document was written in time")


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_run_with_its_summary(site, slow_server, tmp_path, sig, code):
    sources = {p: p.read_bytes() for p in site.rglob("*.md")}
    proc = _translate_process(site, slow_server, tmp_path, "--format", "json")
    _wait_for_a_document(site, proc)
    started = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == code, err
    assert time.monotonic() - started < 5  # the request in flight (0.3 s), not the whole job
    assert "Traceback" not in err and signal.Signals(sig).name in err
    data = json.loads(out)
    assert data["summary"]["stopped"].startswith(f"interrupted by {signal.Signals(sig).name}")
    written = {d["path"] for d in data["documents"] if d["status"] == "written"}
    not_started = {d["path"] for d in data["documents"] if d["status"] == "not_started"}
    assert written and not_started and len(written) + len(not_started) == 12
    for rel in written:
        assert document.parse((site / rel).read_bytes()).meta["transync"]["source_hash"]
    for rel in not_started:
        assert not (site / rel).exists()
    assert all(p.read_bytes() == data for p, data in sources.items())


def test_a_second_signal_stops_at_once(site, slow_server, tmp_path):
    proc = _translate_process(site, slow_server, tmp_path)
    _wait_for_a_document(site, proc)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "not started" in out  # the summary is still printed
    for path in site.rglob("*.md"):
        document.parse(path.read_bytes())  # every file is whole


def test_an_engine_failure_still_prints_what_was_written(site, monkeypatch):
    monkeypatch.setattr(translate, "MAX_TEXTS", 4)
    summary = run(site, Recording(fail={3: EngineFailure("network down after 3 retries")}), jobs=1)
    assert isinstance(summary.stopped, EngineFailure) and summary.exit_code == 3
    assert summary.written and summary.not_started
    assert len(summary.written) + len(summary.not_started) == 12


def test_an_engine_failure_gives_json_with_exit_3(site, monkeypatch):
    class Down:
        name = "down"

        def translate(self, texts, *, source_lang, target_lang):
            raise EngineFailure("DeepL request failed after 3 retries: connection refused")

    monkeypatch.setattr("transync.translate.engines.make_engine", lambda *a, **k: Down())
    result = CliRunner().invoke(app, ["translate", "--root", str(site), "--format", "json"])
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["summary"]["stopped"].startswith("DeepL request failed")
    assert data["summary"]["not_started"] == 12
    assert "connection refused" in result.stderr


class Limited(Recording):
    """Refuses (413) any request of more than ``limit`` bytes of text."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit
        self.refused = 0

    def translate(self, texts, *, source_lang, target_lang):
        if sum(len(t.encode()) for t in texts) > self.limit:
            with self.lock:
                self.refused += 1
            raise RequestTooLarge(f"refused a request of {len(texts)} texts as too large (413)", texts=len(texts))
        return super().translate(texts, source_lang=source_lang, target_lang=target_lang)


def test_a_request_refused_as_too_large_is_sent_again_in_halves(site):
    engine = Limited(limit=200)
    summary = run(site, engine, jobs=2)
    assert summary.stopped is None and summary.failed == []
    assert len(summary.written) == 12
    assert engine.refused >= 1
    assert all(sum(len(t.encode()) for t in call) <= 200 for call in engine.calls)


def test_one_paragraph_too_large_fails_its_document_alone(make_site):
    huge = "A sentence that goes on. " * 5000  # 125 KB of text: over what one request may carry
    files = {f"_products/en/p/p{n}.md": doc(f"p{n}", "en", body=BODY) for n in range(3)}
    files["_products/en/p/big.md"] = doc("big", "en", body=f"## Overview\n\nFirst.\n\n{huge}\n")
    site = make_site(files, config='languages: ["en", "ja"]\n')
    engine = Recording()
    summary = run(site, engine, jobs=1)
    assert [r.job.ref for r in summary.failed] == ["big"]
    assert "line 12 of _products/en/p/big.md" in summary.failed[0].reason and "KiB" in summary.failed[0].reason
    assert sorted(r.job.ref for r in summary.written) == ["p0", "p1", "p2"]
    assert not any("A sentence that goes on" in text for call in engine.calls for text in call)  # nothing billed for it
    assert summary.exit_code == 1


def test_one_text_refused_as_too_large_fails_its_document_alone(site):
    summary = run(site, Limited(limit=40), jobs=1)
    assert summary.stopped is None
    assert summary.failed and all("too large" in r.reason and "_products/en/p/" in r.reason for r in summary.failed)
    assert {r.job.target_path for r in summary.failed}.isdisjoint(r.job.target_path for r in summary.written)


def test_stop_from_another_thread_keeps_what_is_finished(site, monkeypatch):
    monkeypatch.setattr(translate, "MAX_TEXTS", 4)
    rep = report_of(site)
    selected, _ = translate.select(rep)
    runner = translate.Run(rep.config, None, translate.TranslateOptions(), workers=1, use_memory=False)

    class StopAfterTwo(Recording):
        def translate(self, texts, *, source_lang, target_lang):
            if len(self.calls) == 2:
                runner.stop(signal.SIGTERM)
            return super().translate(texts, source_lang=source_lang, target_lang=target_lang)

    runner.engine = StopAfterTwo()
    summary = runner.run(selected)
    assert isinstance(summary.stopped, Interrupted) and summary.exit_code == 143
    assert len(runner.engine.calls) == 3  # the request in flight when the stop came is used, no more are sent
    assert summary.written and len(summary.written) + len(summary.not_started) == 12


def test_title_templates_are_learnt_from_human_translations_only(make_site):
    files = {}
    for n in range(4):
        files[f"_products/en/p/p{n}.md"] = doc(f"p{n}", "en", target_name=f'"P{n}"')
        # Made by transync (provenance): not evidence of the site's own style.
        files[f"_products/ja/p/p{n}.md"] = doc(
            f"p{n}", "ja", title=f'"P{n} レビュー"', target_name=f'"P{n}"',
            transync='{source_hash: "x", source_date: null, output_hash: "y"}',
        )
    rep = report_of(make_site(files, config='languages: ["en", "ja"]\n'))
    assert translate.infer_templates(rep.config, rep, "products", "ja") == {}

    for n in range(4):
        files[f"_products/ja/p/p{n}.md"] = doc(f"p{n}", "ja", title=f'"P{n} 製品レビュー"', target_name=f'"P{n}"')
    rep = report_of(make_site(files, config='languages: ["en", "ja"]\n'))
    assert translate.infer_templates(rep.config, rep, "products", "ja") == {"title": "{target_name} 製品レビュー"}


# --------------------------------------------------------------------------- scans interrupted


@pytest.fixture
def big_site(make_site):
    files = {f"_products/en/p/p{n}.md": doc(f"p{n}", "en", body=BODY * 20) for n in range(1500)}
    return make_site(files, config='languages: ["en", "ja"]\n')


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.add(pid)
        except OSError:
            pass
    return alive


def _scan_process(site: Path, tmp_path: Path) -> tuple[subprocess.Popen, set[int]]:
    env = dict(os.environ, TRANSYNC_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "transync", "status", "--root", str(site), "--no-cache"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        workers = _children(proc.pid)
        if workers:  # this process works too: with 2 CPUs, one worker process
            return proc, workers
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    proc.kill()
    pytest.skip("the scan finished before its worker processes could be seen")


@pytest.mark.skipif(not Path("/proc").is_dir() or (os.cpu_count() or 1) < 2, reason="needs /proc and 2 CPUs")
def test_ctrl_c_during_a_parallel_scan_stops_it_promptly(big_site, tmp_path):
    proc, workers = _scan_process(big_site, tmp_path)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    deadline = time.monotonic() + 5  # terminated at once; a loaded machine may take a moment to reap them
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _alive(workers) == set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_scan(big_site, tmp_path):
    proc, workers = _scan_process(big_site, tmp_path)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 5
    while _alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _alive(workers) == set()
