"""The command line: exit codes, formats and errors, driven through Typer's runner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, doc
from transync import __version__
from transync.cli import app

runner = CliRunner()


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(app, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def site(make_site):
    return make_site(
        {
            "_products/en/a/one.md": doc("one", "en", "2025-02-01"),
            "_products/ja/a/one.md": doc("one", "ja", "2025-01-01"),
            "_products/de/a/one.md": doc("one", "de", "2025-02-01"),
            "_products/en/a/two.md": doc("two", "en"),
            "_products/ja/a/two.md": doc("two", "ja"),
        }
    )


@pytest.fixture
def complete_site(make_site):
    return make_site(
        {"_products/en/one.md": doc("one", "en"), "_products/ja/one.md": doc("one", "ja")},
        config='languages: ["en", "ja"]\n',
    )


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"transync {__version__}"


def test_help_of_status_has_an_example():
    result = run("status", "--help")
    assert result.exit_code == 0
    assert "transync status --format json" in result.stdout
    assert "--fail-on" in result.stdout


def test_table_lists_what_needs_work(site):
    result = run("status", "--root", str(site))
    assert result.exit_code == 1
    out = result.stdout
    assert "Japanese" in out and "German" in out
    assert "stale (1)" in out and "source date 2025-02-01 is later than translation date 2025-01-01" in out
    assert "missing (1)" in out and "_products/de/a/two.md" in out
    assert "current" in out  # in the summary line, not as a listed group
    assert "two  _products/ja" not in out  # current documents are not listed by default


def test_nothing_to_report_exits_zero(complete_site):
    result = run("status", "--root", str(complete_site))
    assert result.exit_code == 0, result.stdout
    assert "Nothing to do." in result.stdout


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [(None, 1), ("missing", 1), ("stale", 1), ("orphan,invalid", 0), ("none", 0), ("all", 1)],
)
def test_fail_on_policy(site, fail_on, code):
    args = ["status", "--root", str(site), "--format", "json"]
    if fail_on:
        args += ["--fail-on", fail_on]
    assert run(*args).exit_code == code


def test_fail_on_from_configuration(site):
    (site / "transync.toml").write_text('[status]\nfail_on = ["orphan"]\n')
    assert run("status", "--root", str(site)).exit_code == 0
    assert run("status", "--root", str(site), "--fail-on", "stale").exit_code == 1


def test_json_schema(site):
    result = run("status", "--root", str(site), "--format", "json")
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["root"] == str(site.resolve())
    assert data["summary"]["languages"]["ja"] == {
        "source": False, "expected": 2, "current": 1, "stale": 1, "missing": 0, "pseudo": 0,
        "orphan": 0, "duplicate": 0, "invalid": 0, "percent_complete": 50.0,
    }
    assert data["summary"]["states"]["current"] == 2
    assert data["summary"]["failing"] == 2
    item = next(i for i in data["items"] if i["state"] == "missing")
    assert item == {
        "collection": "products", "ref": "two", "lang": "de", "state": "missing", "path": None,
        "source_path": "_products/en/a/two.md", "target_path": "_products/de/a/two.md",
        "reason": "no de translation", "line": None, "date": None, "source_date": "2025-01-10",
        "provenance": False, "engine": None, "edited": False, "outdated_fields": [], "review": 0, "changes": None,
    }
    assert {i["state"] for i in data["items"]} == {"current", "stale", "missing"}
    # Outside git, dates decide, and a stale item says so; what changed is unknown.
    stale = next(i for i in data["items"] if i["state"] == "stale")
    assert stale["changes"] == {
        "segments": None, "characters": None, "math": None, "code": None, "fields": None,
        "baseline": {"kind": "date", "date": stale["date"], "source_date": stale["source_date"]},
    }
    assert data["summary"]["evidence"] == "date" and data["summary"]["notes"] == []


def test_json_state_and_lang_filters(site):
    result = run("status", "--root", str(site), "-f", "json", "--state", "stale", "--lang", "ja,de")
    data = json.loads(result.stdout)
    assert [(i["ref"], i["lang"]) for i in data["items"]] == [("one", "ja")]
    assert set(data["summary"]["languages"]) == {"ja", "de"}


def test_paths_select_documents_and_find_the_root(site):
    result = run("status", str(site / "_products/en/a/two.md"), "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {(i["ref"], i["lang"]) for i in data["items"]} == {("two", "ja"), ("two", "de")}


def test_root_is_found_from_the_working_folder(site):
    result = run("status", "-f", "json", cwd=site / "_products" / "ja")
    assert json.loads(result.stdout)["root"] == str(site.resolve())


def test_github_annotations_and_step_summary(site, tmp_path):
    summary = tmp_path / "summary.md"
    result = run("status", "--root", str(site), "--format", "github", "--fail-on", "missing",
                 env={"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(site.parent)})
    lines = result.stdout.splitlines()
    assert "::error file=site/_products/en/a/two.md,line=1,title=transync%3A missing::products/two [de] is missing: create site/_products/de/a/two.md" in lines
    assert any(l.startswith("::warning file=site/_products/ja/a/one.md,line=1,title=transync%3A stale::") for l in lines)
    text = summary.read_text()
    assert "| Japanese (日本語) (`ja`) | 50.0% |" in text
    assert "| missing | de | products | two |" in text


def test_markdown_format(site):
    result = run("status", "--root", str(site), "--format", "markdown")
    assert result.stdout.startswith("## Translation status\n")
    assert "| stale | ja | products | one |" in result.stdout


def test_invalid_files_are_one_line_errors_on_stderr_in_json(site):
    (site / "_products/ja/a/broken.md").write_bytes(b"---\nref: x\nlang: ja\n---\n\xff\n")
    result = run("status", "--root", str(site), "--format", "json", cwd=site)  # paths on stderr are relative to here
    assert "transync: _products/ja/a/broken.md:5: not valid UTF-8" in result.stderr
    data = json.loads(result.stdout)
    assert any(i["state"] == "invalid" and i["path"] == "_products/ja/a/broken.md" for i in data["items"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "fr"], "--lang fr: not one of the site's languages"),
        (["--state", "bogus"], "--state: unknown state 'bogus'"),
        (["--fail-on", "later"], "--fail-on: unknown state 'later'"),
        (["nowhere.md"], "nowhere.md: no such file or folder"),
    ],
)
def test_usage_errors_exit_2_with_one_line(site, args, message):
    result = run("status", "--root", str(site), *args, cwd=site)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_configuration_error_exits_2_naming_the_key(site):
    (site / "transync.toml").write_text("languagez = ['en']\n")
    result = run("status", "--root", str(site))
    assert result.exit_code == 2
    assert "transync.toml: unknown key 'languagez'" in result.stderr


def test_no_site_found_exits_2(tmp_path):
    result = run("status", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no site found" in result.stderr


def test_path_outside_the_site_exits_2(site, tmp_path):
    result = run("status", "--root", str(site), str(tmp_path))
    assert result.exit_code == 2
    assert "outside the site" in result.stderr


def test_sample_site_shows_every_state_that_matters():
    """The repository's own content/ site, as the README runs it."""
    result = run("status", str(REPO / "content"), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    states = {(i["collection"], i["ref"], i["lang"]): i["state"] for i in data["items"]}
    assert states[("products", "halden-hx-700", "ja")] == "current"
    assert states[("products", "kestrel-ie-5", "ja")] == "stale"
    assert states[("products", "kestrel-ie-5", "de")] == "stale"
    assert states[("products", "kestrel-k2-monitor", "de")] == "missing"
    assert states[("products", "kestrel-a-1", "ja")] == "missing"
    assert states[("companies", "vellum-audio", "ja")] == "orphan"
    assert data["summary"]["states"]["invalid"] == 0


@pytest.mark.skipif(shutil.which("transync") is None and not (Path(sys.executable).parent / "transync").exists(), reason="console script not installed")
def test_console_script_runs(site):
    exe = shutil.which("transync") or str(Path(sys.executable).parent / "transync")
    proc = subprocess.run([exe, "status", "--root", str(site), "--format", "json"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["summary"]["failing"] == 2


def test_memory_seed_from_the_sample_site(tmp_path):
    site = tmp_path / "content"
    shutil.copytree(REPO / "content", site)
    result = run("memory", "seed", "--root", str(site), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_lang = {m["target_lang"]: m for m in data["memories"]}
    assert by_lang["ja"]["aligned"] == by_lang["ja"]["documents"] == 5
    assert by_lang["ja"]["human"] == by_lang["ja"]["entries"] > 50
    from transync.translate.memory import Memory

    memory = Memory.open(site, "en", "ja")
    assert memory.get("Overview").translation == "概要"
    # Seeding again changes nothing.
    before = (site / ".transync/memory/en-ja.po").read_bytes()
    run("memory", "seed", "--root", str(site))
    assert (site / ".transync/memory/en-ja.po").read_bytes() == before


def test_memory_seed_reports_documents_that_do_not_align(tmp_path):
    site = tmp_path / "content"
    shutil.copytree(REPO / "content", site)
    ja = site / "_products/ja/halden/halden-hx-700.md"
    ja.write_text(ja.read_text() + "\n追加の段落。\n")
    result = run("memory", "seed", "--lang", "ja", cwd=site)
    assert result.exit_code == 1
    assert "  _products/ja/halden/halden-hx-700.md  not aligned: the source has" in result.stdout


@pytest.mark.parametrize(
    "command",
    ["status", "check", "translate", "pseudo", "diff", "ack", "permalinks", "memory seed", "memory export",
     "memory import", "glossary check-files", "glossary check", "glossary sync", "glossary list"],
)
def test_every_command_has_help_with_an_example(command):
    result = run(*command.split(), "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and "transync " in result.stdout.split("Example", 1)[1]
