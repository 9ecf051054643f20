"""`transync translate` with the real deepl client against a DeepL-compatible server on 127.0.0.1.

Faults are injected in the server: 429, 456, 403, 5xx, slow replies, dropped
connections and mangled tags. Nothing reaches the DeepL service.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import deepl
import polib
import pytest
from typer.testing import CliRunner

from conftest import REPO
from deepl_fake import FakeDeepL
from transync import document
from transync.cli import app

runner = CliRunner()
SECRET = "fake-deepl-test-key:fx"


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    # The library's backoff starts at 1 s; 20 ms keeps retry tests fast (a private constant).
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_INITIAL", 0.02)
    monkeypatch.setattr(deepl.http_client, "max_network_retries", deepl.http_client.max_network_retries)
    monkeypatch.setattr(deepl.http_client, "min_connection_timeout", deepl.http_client.min_connection_timeout)
    with FakeDeepL(SECRET) as server:
        yield server


@pytest.fixture
def site(tmp_path):
    """A copy of the sample site (and the glossaries beside it)."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copytree(REPO / "glossaries", tmp_path / "glossaries")
    return tmp_path / "content"


def translate(site: Path, fake: FakeDeepL, *args: str, key: str = SECRET):
    env = {"DEEPL_AUTH_KEY": key, "DEEPL_SERVER_URL": fake.url}
    return runner.invoke(app, ["translate", "--root", str(site), *args], env=env, catch_exceptions=False)


def status_of(site: Path) -> dict:
    result = runner.invoke(app, ["status", "--root", str(site), "--format", "json"])
    return json.loads(result.stdout)


def test_translates_missing_documents_with_placeholders_kept(site, fake):
    result = translate(site, fake, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["written"] == 4 and data["summary"]["failed"] == 0
    assert data["summary"]["billed_characters"] == data["summary"]["characters"] == fake.usage()["character_count"]
    assert data["summary"]["requests"] == len(fake.requests_to("/v2/translate"))
    sent = fake.requests_to("/v2/translate")[0].params
    assert sent["tag_handling"] == "xml" and sent["ignore_tags"] in (["x"], "x")
    assert sent["target_lang"] in ("JA", "DE")
    text = (site / "_products/ja/kestrel/kestrel-a-1.md").read_text()
    assert "[JA]" in text  # the server's translation
    assert "$$ \\Large \\text{" in text and "lang: ja\n" in text and 'title: "Kestrel A-1 製品レビュー"' in text
    states = {(i["ref"], i["lang"]): i["state"] for i in status_of(site)["items"]}
    assert states[("kestrel-a-1", "ja")] == states[("kestrel-k2-monitor", "de")] == "current"
    check = runner.invoke(app, ["check", "--root", str(site), "--format", "json"])
    findings = json.loads(check.stdout)["findings"]
    written = {d["path"] for d in data["documents"] if d["status"] == "written"}
    assert [f for f in findings if f["path"] in written] == []


def test_requests_stay_within_deepl_limits(site, fake):
    translate(site, fake)
    for request in fake.requests_to("/v2/translate"):
        texts = request.params["text"]
        assert len(texts) <= 50
        assert sum(len(t.encode()) for t in texts) <= 128 * 1024


def test_dry_run_sends_nothing(site, fake):
    result = translate(site, fake, "--dry-run")
    assert result.exit_code == 0
    assert "4 documents" in result.stdout and "request" in result.stdout
    assert fake.requests == []


def test_quota_exhausted_exits_3_keeps_finished_documents_and_resumes(site, fake):
    fake.character_limit = 3000  # enough for the first request, not for the rest: then 456
    result = translate(site, fake, "--jobs", "1", "--format", "json")
    assert result.exit_code == 3
    assert "quota" in result.stderr.lower()
    data = json.loads(result.stdout)
    written = [d for d in data["documents"] if d["status"] == "written"]
    not_started = [d for d in data["documents"] if d["status"] == "not_started"]
    assert not_started
    for d in written:
        assert document.parse((site / d["path"]).read_bytes()).meta["transync"]["source_hash"]
    for d in not_started:
        assert not (site / d["path"]).exists()

    fake.character_limit = None
    again = translate(site, fake, "--format", "json")
    assert again.exit_code == 0
    resumed = {d["path"] for d in json.loads(again.stdout)["documents"] if d["status"] == "written"}
    assert resumed == {d["path"] for d in not_started}


def test_bad_key_exits_3_with_one_line_and_never_shows_the_key(site, fake):
    result = translate(site, fake, key="wrong-key-123:fx")
    assert result.exit_code == 3
    assert "DEEPL_AUTH_KEY" in result.stderr and "403" in result.stderr
    assert "wrong-key-123" not in result.output and "wrong-key-123" not in result.stderr


def test_a_key_refused_before_any_document_still_gives_the_json_summary(site, fake):
    result = translate(site, fake, "--format", "json", key="wrong-key-123:fx")  # refused at the glossary sync
    assert result.exit_code == 3 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("transync translate: error: DeepL refused the key in DEEPL_AUTH_KEY (403)")
    data = json.loads(result.stdout)
    assert data["summary"]["stopped"].startswith("DeepL refused the key in DEEPL_AUTH_KEY (403)")
    assert data["summary"]["written"] == 0 and data["summary"]["not_started"] == 4
    assert "wrong-key-123" not in result.stdout


def test_429_and_500_are_retried_by_the_library_once_each(site, fake):
    fake.fail_next(429, path="/v2/translate")
    fake.fail_next(500, path="/v2/translate")
    result = translate(site, fake, "--jobs", "1")
    assert result.exit_code == 0, result.output
    statuses = [r.status for r in fake.requests_to("/v2/translate")]
    assert statuses.count(429) == 1 and statuses.count(500) == 1


def test_persistent_5xx_stops_after_the_configured_retries(site, fake):
    (site / "transync.toml").write_text((site / "transync.toml").read_text().replace("[translate]\n", "[translate]\nretries = 2\n"))
    fake.fail_next(503, path="/v2/translate", times=100)
    start = time.monotonic()
    before = {p: p.read_bytes() for p in site.rglob("*.md")}
    result = translate(site, fake, "--jobs", "1", "--format", "json")
    assert result.exit_code == 3
    assert "after 2 retries" in result.stderr
    assert len(fake.requests_to("/v2/translate")) == 3  # one try and two retries, no retries of ours on top
    assert time.monotonic() - start < 5
    # The summary is still printed: nothing written, every document accounted for.
    data = json.loads(result.stdout)
    assert data["summary"]["written"] == 0 and data["documents"]
    statuses = {d["status"] for d in data["documents"]}
    assert "written" not in statuses and "not_started" in statuses
    # and nothing in the site changed: no translation, no memory entry, no temporary file
    assert {p: p.read_bytes() for p in site.rglob("*.md")} == before
    assert list(site.rglob("*.tmp")) == []
    assert all(len(polib.pofile(str(po))) == 0 for po in site.glob(".transync/memory/*.po"))


def test_slow_reply_times_out(site, fake):
    (site / "transync.toml").write_text((site / "transync.toml").read_text().replace("[translate]\n", "[translate]\nretries = 0\ntimeout = 0.5\n"))
    fake.delay(3, times=1, path="/v2/translate")
    result = translate(site, fake, "--jobs", "1")
    assert result.exit_code == 3
    assert "DeepL request failed" in result.stderr


def test_dropped_connection_is_retried(site, fake):
    fake.drop_next(path="/v2/translate")
    result = translate(site, fake, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert status_of(site)["summary"]["states"]["missing"] == 0


@pytest.mark.parametrize("kind", ["drop_tag", "duplicate_tag", "invent_tag", "break_tag"])
def test_mangled_tags_are_retried_once(site, fake, kind):
    fake.mangle_next(kind)
    result = translate(site, fake, "--jobs", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["written"] == 4
    requests = fake.requests_to("/v2/translate")
    mangled = [(n, r) for n, r in enumerate(requests) if r.fault and r.fault.startswith("mangle:")]
    assert len(mangled) == 1 and "not-applicable" not in mangled[0][1].fault
    n, request = mangled[0]
    text = request.params["text"][int(request.fault.rsplit("@", 1)[1])]
    # The text whose reply came back broken is sent again, once, in a later request that succeeds.
    lang = request.params["target_lang"]
    retried = [r for r in requests[n + 1 :] if r.params["target_lang"] == lang and text in r.params["text"]]
    assert len(retried) == 1 and retried[0].status == 200 and retried[0].fault is None


def test_tags_mangled_twice_leave_the_document_unwritten(site, fake):
    fake.mangle_next("drop_tag", times=50)
    result = translate(site, fake, "--jobs", "1", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    failed = [d for d in data["documents"] if d["status"] == "failed"]
    assert failed and all("after a retry" in d["reason"] for d in failed)
    for d in failed:
        assert not (site / d["path"]).exists()


def test_kill_in_the_middle_leaves_only_complete_files_and_resumes(site, tmp_path):
    server = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time; sys.path.insert(0, sys.argv[1]); from deepl_fake import FakeDeepL; "
            f"f = FakeDeepL({SECRET!r}, latency=0.4); print(f.url, flush=True); time.sleep(60)"
        ), str(REPO / "tests")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        url = server.stdout.readline().strip()
        env = dict(os.environ, DEEPL_AUTH_KEY=SECRET, DEEPL_SERVER_URL=url, NO_PROXY="127.0.0.1", TRANSYNC_CACHE_DIR=str(tmp_path / "cache"))
        cmd = [sys.executable, "-m", "transync", "translate", "--root", str(site), "--jobs", "1"]
        # MAX_TEXTS small so that the job needs several requests: run through a tiny wrapper.
        wrapper = "import sys; from transync.translate import run; run.MAX_TEXTS = 10; from transync.cli import main; sys.argv = ['transync'] + sys.argv[1:]; main()"
        proc = subprocess.Popen([sys.executable, "-c", wrapper, *cmd[3:]], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        target = site / "_products/ja/kestrel/kestrel-a-1.md"
        while not target.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        written = [p for p in site.rglob("*.md") if "transync:" in p.read_text()]
        assert 1 <= len(written) < 4, "the kill should land between documents"
        for path in site.rglob("*"):
            if path.is_file() and path.suffix == ".md":
                document.parse(path.read_bytes())  # every file is whole
        resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        assert resumed.returncode == 0, resumed.stderr
        assert sum(line.strip().startswith("written") for line in resumed.stdout.splitlines()) == 4 - len(written)
        assert status_of(site)["summary"]["states"]["missing"] == 0
        assert not [p for p in site.rglob(".*.tmp")], "no temporary files are left behind"
    finally:
        server.kill()
