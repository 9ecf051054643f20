"""`transync translate --engine openai` with the real ``openai`` client against an
OpenAI-compatible server on 127.0.0.1 (tests/openai_fake.py), faults included.

Nothing reaches a real service.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO
from openai_fake import FakeOpenAI
from transync.cli import app
from transync.site.config import load_config
from transync.translate.engines import make_engine
from transync.errors import EngineFailure, QuotaExceeded

runner = CliRunner()
KEY = "sk-fake-openai-test-key-0123456789abcdef"
OPENAI_TABLE = '\n[translate.openai]\nmodel = "fake-model"\nretries = 2\ntimeout = 5\n'


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with FakeOpenAI(KEY) as server:
        yield server


@pytest.fixture
def site(tmp_path):
    """A copy of the sample site (and the glossaries beside it), set up for the openai engine."""
    for folder in ("content", "glossaries"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    config = tmp_path / "content/transync.toml"
    config.write_text(config.read_text() + OPENAI_TABLE)
    return tmp_path / "content"


def translate(site: Path, fake: FakeOpenAI, *args: str, key: str = KEY):
    env = {"OPENAI_API_KEY": key, "OPENAI_BASE_URL": fake.url, "DEEPL_AUTH_KEY": None}
    return runner.invoke(app, ["translate", "--root", str(site), "--engine", "openai", *args], env=env, catch_exceptions=False)


def states(site: Path) -> dict:
    data = json.loads(runner.invoke(app, ["status", "--root", str(site), "--format", "json"]).stdout)
    return {(i["ref"], i["lang"]): i["state"] for i in data["items"]}


def chats(fake: FakeOpenAI) -> list:
    return [r for r in fake.requests if r.path.endswith("/chat/completions")]


def test_a_whole_site_translated_through_an_openai_compatible_server(site, fake):
    result = translate(site, fake, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["engine"] == "openai"
    assert data["summary"]["written"] == 4 and data["summary"]["failed"] == 0
    prompt, completion = fake.tokens()
    assert prompt > 0 and completion > 0
    assert data["summary"]["tokens"] == {"prompt": prompt, "completion": completion}
    sent = chats(fake)
    # Every text once; the driver's requests (up to 50 texts) go out as chats of batch_size (20).
    assert sum(len(r.texts) for r in sent) == data["summary"]["texts"]
    assert all(len(r.texts) <= 20 for r in sent) and len(sent) > data["summary"]["requests"]
    assert all(r.payload["model"] == "fake-model" and r.payload["response_format"] == {"type": "json_object"} for r in sent)
    # The texts travel as the placeholder XML DeepL gets, and come back into Markdown.
    assert any('<x id="' in t for r in sent for t in r.texts)
    text = (site / "_products/ja/kestrel/kestrel-a-1.md").read_text()
    assert "[JA]" in text and "$$ \\Large \\text{" in text and "lang: ja\n" in text
    assert {states(site)[("kestrel-a-1", "ja")], states(site)[("kestrel-k2-monitor", "de")]} == {"current"}
    check = json.loads(runner.invoke(app, ["check", "--root", str(site), "--format", "json"]).stdout)
    written = {d["path"] for d in data["documents"] if d["status"] == "written"}
    assert [f for f in check["findings"] if f["path"] in written] == []
    # Into the memory like DeepL's output, marked with the engine.
    po = (site / ".transync/memory/en-ja.po").read_text()
    assert "#. transync: machine openai " in po and "machine deepl" not in po
    # A second run sends nothing.
    again = translate(site, fake, "--format", "json")
    assert json.loads(again.stdout)["summary"]["requests"] == 0 and len(chats(fake)) == len(sent)


def test_the_table_summary_shows_the_tokens(site, fake):
    result = translate(site, fake)
    assert result.exit_code == 0, result.output
    prompt, completion = fake.tokens()
    assert f"{prompt:,} prompt and {completion:,} completion tokens" in result.stdout
    assert "characters billed" not in result.stdout  # billed by the token, not by the character


def test_the_glossary_terms_of_the_pair_are_in_the_prompt(site, fake):
    assert translate(site, fake, "--to", "ja").exit_code == 0
    terms = {s: t for r in chats(fake) for s, t in r.terms.items()}
    assert terms.get("Headphone amplifier") == "ヘッドホンアンプ"  # en-ja.csv, as the file says
    # Only terms the batch holds: the prompt does not carry the whole glossary.
    for r in chats(fake):
        assert r.terms and all(s.casefold() in "\n".join(r.texts).casefold() for s in r.terms)
    assert len(terms) < sum(1 for _ in open(site.parent / "glossaries/en-ja.csv", encoding="utf-8")) - 1


#: A paragraph of kestrel-k2-monitor with citations, which travel as placeholders.
CITED = "Kestrel publishes full directivity measurements"


@pytest.mark.parametrize("kind", ["drop_tag", "invent_tag", "duplicate_tag", "break_tag"])
def test_a_broken_placeholder_is_retried_once(site, fake, kind):
    fake.reply_next(kind, match=CITED)
    result = translate(site, fake, "--to", "de", "--jobs", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    sent = [t for r in chats(fake) for t in r.texts if CITED in t]
    assert len(sent) == 2 and sent[0] == sent[1] and '<x id="' in sent[0]  # asked for once more
    assert [r.fault for r in chats(fake)].count(f"reply:{kind}") == 1
    assert json.loads(result.stdout)["summary"]["written"] == 3
    text = (site / "_products/de/kestrel/kestrel-k2-monitor.md").read_text()
    assert "independently [1]." not in text and "[1]." in text  # translated, citation in place


def test_a_placeholder_broken_twice_fails_the_document_unwritten(site, fake):
    fake.reply_next("drop_tag", times=2, match=CITED)
    result = translate(site, fake, "--to", "de", "--jobs", "1", "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    failed = [d for d in data["documents"] if d["status"] == "failed"]
    assert [d["ref"] for d in failed] == ["kestrel-k2-monitor"] and "after a retry" in failed[0]["reason"]
    assert not (site / failed[0]["path"]).exists()
    assert data["summary"]["written"] == 2  # the other documents are written
    assert len([t for r in chats(fake) for t in r.texts if CITED in t]) == 2


def test_429_is_retried_by_the_client(site, fake):
    fake.fail_next(429, times=2)
    result = translate(site, fake, "--jobs", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r.status for r in chats(fake)[:3]] == [429, 429, 200]
    assert json.loads(result.stdout)["summary"]["written"] == 4


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_failure_outlasting_the_retries_stops_the_run_with_its_summary(site, fake, status):
    fake.fail_next(status, times=100)
    result = translate(site, fake, "--jobs", "1", "--format", "json")
    assert result.exit_code == 3
    assert len(chats(fake)) == 3  # one try and the two retries of [translate.openai] retries
    data = json.loads(result.stdout)
    assert data["summary"]["stopped"] and f"({status})" in data["summary"]["stopped"]
    assert data["summary"]["written"] == 0 and data["summary"]["not_started"] == 4
    assert result.stderr.count("\n") == 1 and "after 2 retries" in result.stderr


def test_a_refused_key_exits_3_with_one_line_and_no_key(site, fake):
    wrong = "sk-wrong-key-abcdefghijklmnopqrstuvwxyz"
    result = translate(site, fake, "--format", "json", key=wrong)
    assert result.exit_code == 3
    assert chats(fake)[0].status == 401
    assert result.stderr.count("\n") == 1 and "OPENAI_API_KEY" in result.stderr
    for output in (result.stdout, result.stderr):
        assert wrong not in output and KEY not in output and "abcdefghijkl" not in output
    assert json.loads(result.stdout)["summary"]["stopped"].startswith("the OpenAI-compatible server refused the key")


def test_an_exhausted_quota_is_a_refusal(site, fake):
    fake.fail_next(429, times=100, code="insufficient_quota")
    engine = make_engine("openai", load_config(site), {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake.url})
    with pytest.raises(QuotaExceeded) as info:
        engine.translate(["Hello"], source_lang="en", target_lang="de")
    assert isinstance(info.value, EngineFailure) and info.value.exit_code == 3  # one class for every engine failure


@pytest.mark.parametrize("kind", ["wrong_count", "not_json", "not_object"])
def test_an_unusable_reply_is_asked_for_once_more(site, fake, kind):
    fake.reply_next(kind)
    engine = make_engine("openai", load_config(site), {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake.url})
    result = engine.translate(["Hello <x id=\"1\"/> world", "Good"], source_lang="en", target_lang="de")
    assert [r.text for r in result] == ['[DE]Hallo <x id="1"/> Welt', "[DE]gOOD"]  # the fake's small dictionary
    assert [r.fault for r in chats(fake)] == [f"reply:{kind}", None]
    # Both requests' tokens are counted, on the first text.
    assert (result[0].prompt_tokens, result[0].completion_tokens) == fake.tokens() and result[1].prompt_tokens == 0


@pytest.mark.parametrize("kind", ["wrong_count", "not_json"])
def test_an_unusable_reply_twice_stops_the_run(site, fake, kind):
    fake.reply_next(kind, times=2)
    result = translate(site, fake, "--jobs", "1", "--format", "json")
    assert result.exit_code == 3
    assert "unusable reply twice" in json.loads(result.stdout)["summary"]["stopped"]
    assert result.stderr.count("\n") == 1


def test_a_slow_server_fails_after_the_timeout_and_retries(site, fake):
    fake.delay_next(3, times=2)
    config = site / "transync.toml"
    config.write_text(config.read_text().replace("retries = 2\ntimeout = 5", "retries = 1\ntimeout = 0.5"))
    engine = make_engine("openai", load_config(site), {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake.url})
    with pytest.raises(EngineFailure, match="no reply within 0.5 s"):
        engine.translate(["Hello"], source_lang="en", target_lang="de")
    assert len(chats(fake)) == 2


def test_a_trickling_reply_is_cut_off_at_the_timeout(site, fake):
    fake.trickle_next(0.05, times=2)  # a reply of ~600 bytes: about 2 s each
    config = site / "transync.toml"
    config.write_text(config.read_text().replace("retries = 2\ntimeout = 5", "retries = 1\ntimeout = 0.5"))
    engine = make_engine("openai", load_config(site), {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake.url})
    start = time.monotonic()
    with pytest.raises(EngineFailure, match="no reply within 0.5 s"):
        engine.translate(["Hello world, " * 20], source_lang="en", target_lang="de")
    assert len(chats(fake)) == 2 and time.monotonic() - start < 3.5  # two attempts, each cut at 0.5 s (+ backoff)
    assert engine.translate(["Hello"], source_lang="en", target_lang="de")[0].text == "[DE]Hallo"  # the next one is whole


def test_batches_are_split_to_batch_size(site, fake):
    (site / "transync.toml").write_text((site / "transync.toml").read_text() + "batch_size = 2\n")
    engine = make_engine("openai", load_config(site), {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake.url})
    result = engine.translate([f"Text {i}" for i in range(5)], source_lang="en", target_lang="de")
    assert [len(r.texts) for r in chats(fake)] == [2, 2, 1]
    assert [r.text for r in result] == [f"[DE]tEXT {i}" for i in range(5)]
    assert sum(r.prompt_tokens for r in result) == fake.tokens()[0]


def test_without_a_model_the_error_is_one_line(site, fake):
    config = site / "transync.toml"
    config.write_text(config.read_text().replace('model = "fake-model"\n', ""))
    result = translate(site, fake)
    assert result.exit_code == 2
    assert result.stderr.strip() == 'transync translate: error: --engine openai needs a model: set model = "..." in [translate.openai] of transync.toml'
    assert chats(fake) == []


def test_without_a_key_the_error_names_the_variable(site, fake):
    result = translate(site, fake, key="")
    assert result.exit_code == 2 and "OPENAI_API_KEY" in result.stderr


def test_base_url_from_the_config(site, fake):
    (site / "transync.toml").write_text((site / "transync.toml").read_text() + f'base_url = "{fake.url}"\n')
    engine = make_engine("openai", load_config(site), {"OPENAI_API_KEY": KEY})
    assert engine.translate(["Hi"], source_lang="en", target_lang="ja")[0].text == "[JA]hI"
