"""Every reporting command in every format, through the command line: the same findings, counted alike.

One small site gives each command something to report: a missing translation (status), display
math and a URL lost (check), a wrong permalink (permalinks), a glossary term not used (glossary
check), a conflicting glossary entry (glossary check-files) and a translation whose blocks do not
align with its source (memory seed).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app

runner = CliRunner()

EN_BODY = "## Overview\n\nThe frequency response is flat.\n\n$$ x = 1 $$\n\nSee https://example.com/fr.\n"


@pytest.fixture
def site(make_site):
    return make_site(
        {
            "glossaries/en-ja.csv": "source,target\nfrequency response,周波数特性\nOverview,概要\nOverview,概観\n",
            "_products/en/a/one.md": doc("one", "en", permalink="/products/en/one/", body=EN_BODY),
            "_products/ja/a/one.md": doc(
                "one", "ja", permalink="/products/de/one/",  # the wrong language segment
                body="## 概要\n\n周波数応答はフラットです。\n\n$$ x = 2 $$\n\n参照。\n",  # term, math and URL wrong
            ),
            "_products/en/a/two.md": doc("two", "en", permalink="/products/en/two/"),  # no ja translation
            "_products/en/a/three.md": doc("three", "en", permalink="/products/en/three/"),
            "_products/ja/a/three.md": doc(
                "three", "ja", permalink="/products/ja/three/", body="## 概要\n\n本文。\n\n追加の段落。\n",  # one block more
            ),
        },
        config='languages: ["en", "ja"]\ndefault_lang: "en"\n',
    )


# command -> (arguments, the JSON list of findings, how many findings a JSON report holds)
COMMANDS = {
    "status": (["status"], "items", lambda d: sum(i["state"] != "current" for i in d["items"])),
    "check": (["check"], "findings", lambda d: len(d["findings"])),
    "permalinks": (["permalinks"], "findings", lambda d: len(d["findings"])),
    "glossary check": (["glossary", "check"], "findings", lambda d: len(d["findings"])),
    "glossary check-files": (["glossary", "check-files"], "problems", lambda d: len(d["problems"])),
    "memory seed": (["memory", "seed"], "memories", lambda d: sum(len(m["not_aligned"]) + len(m["unreadable"]) for m in d["memories"])),
}
#: The keys the README documents for each command's JSON (top level, and each entry of the list).
DOCUMENTED = {
    "status": ({"schema_version", "root", "files", "sources", "summary", "items"},
               {"collection", "ref", "lang", "state", "path", "source_path", "target_path", "reason", "line"}),
    "check": ({"schema_version", "root", "checks", "summary", "invalid", "findings"},
              {"collection", "ref", "lang", "path", "source_path", "state", "check", "file", "line", "message"}),
    "permalinks": ({"schema_version", "root", "checked", "fixed", "summary", "unreadable", "findings"},
                   {"collection", "ref", "lang", "path", "line", "message", "expected"}),
    "glossary check": ({"schema_version", "root", "checked", "not_aligned", "summary", "unreadable", "findings"},
                       {"path", "line", "source_path", "lang", "term", "target", "message"}),
    "glossary check-files": ({"schema_version", "root", "folder", "pairs", "summary", "problems"}, {"path", "line", "message"}),
    "memory seed": ({"schema_version", "root", "summary", "memories"},
                    {"source_lang", "target_lang", "path", "documents", "aligned", "pairs", "added", "replaced", "entries",
                     "human", "not_aligned", "unreadable"}),
}
FORMATS = ["table", "json", "markdown", "github"]


def invoke(site, command: str, *args: str, env: dict[str, str] | None = None):
    argv, _, _ = COMMANDS[command]
    return runner.invoke(app, [*argv, "--root", str(site), *args], env=env, catch_exceptions=False)


def as_json(site, command: str) -> dict:
    return json.loads(invoke(site, command, "--format", "json").stdout)


@pytest.mark.parametrize("command", COMMANDS)
def test_json_parses_and_carries_the_documented_keys(site, command):
    data = as_json(site, command)
    top, entry = DOCUMENTED[command]
    assert top <= set(data), top - set(data)
    assert data["schema_version"] == 1 and data["root"] == str(site)
    _, list_key, count = COMMANDS[command]
    assert data[list_key], f"{command} reports nothing on the sample: the test would prove nothing"
    for item in data[list_key]:
        assert entry <= set(item), entry - set(item)
    assert count(data) >= 1


@pytest.mark.parametrize("command", COMMANDS)
def test_json_paths_are_relative_to_the_site_root(site, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the site: the current folder does not change JSON paths
    _, list_key, _ = COMMANDS[command]
    paths = [item["path"] for item in as_json(site, command)[list_key] if item["path"]]
    assert paths and all(not p.startswith("/") and (site / p).resolve().exists() for p in paths), paths


@pytest.mark.parametrize("command", COMMANDS)
def test_markdown_is_a_markdown_report_not_the_table(site, command):
    result = invoke(site, command, "--format", "markdown")
    text = result.stdout
    assert text.startswith("## "), text[:80]
    lines = text.splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("| ") and lines[n + 1].startswith("|---"))
    assert lines[header + 1].count("|") == lines[header].count("|")  # a real table: the delimiter row matches
    assert text.count("<details>") == text.count("</details>") >= 1
    assert "\x1b[" not in text
    assert text != invoke(site, command).stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_github_writes_annotations_on_workspace_paths_and_appends_the_step_summary(site, command, tmp_path):
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = invoke(site, command, "--format", "github", env={"GITHUB_WORKSPACE": str(site.parent), "GITHUB_STEP_SUMMARY": str(summary)})
    notes = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert notes and all(re.match(r"::(error|warning) file=[^,:]+(,line=\d+)?,title=", line) for line in notes), notes
    for line in notes:
        path = re.match(r"::\w+ file=([^,]+)", line).group(1)
        assert path.startswith("site/") and (site.parent / path).exists(), line  # relative to $GITHUB_WORKSPACE
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## ")  # appended, never overwritten
    assert "<details>" in text


@pytest.mark.parametrize("command", COMMANDS)
def test_every_format_counts_the_same_findings_and_exits_alike(site, command, tmp_path, monkeypatch):
    monkeypatch.chdir(site.parent)
    data = as_json(site, command)
    expected = COMMANDS[command][2](data)
    codes = {}
    for fmt in FORMATS:
        env = {"GITHUB_WORKSPACE": str(site.parent), "GITHUB_STEP_SUMMARY": str(tmp_path / f"{fmt}.md")}
        result = invoke(site, command, "--format", fmt, "--limit", "0", env=env) if command not in ("glossary check-files",) \
            else invoke(site, command, "--format", fmt, env=env)
        codes[fmt] = result.exit_code
        out = result.stdout
        if fmt == "github":
            assert sum(line.startswith("::") for line in out.splitlines()) == expected
        elif fmt == "markdown":
            rows = [line for line in out.splitlines() if line.startswith("| ") and "| `" in line]  # a row names its file as code
            assert len(rows) == expected, out
        elif fmt == "table":  # a row per finding (a long one goes on), each naming its file
            assert sum(line.startswith("  ") and "site/" in line for line in out.splitlines()) >= expected, out
    assert codes["json"] == 1 and len(set(codes.values())) == 1, codes


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_every_format(command):
    argv, _, _ = COMMANDS[command]
    help_text = runner.invoke(app, [*argv, "--help"], env={"COLUMNS": "200"}).stdout
    for fmt in FORMATS:
        assert fmt in help_text


@pytest.mark.parametrize("command", COMMANDS)
def test_table_paths_are_relative_to_the_current_folder(site, command, monkeypatch):
    monkeypatch.chdir(site.parent)
    out = invoke(site, command).stdout
    assert "site/_products/ja/a/" in out or "site/glossaries/en-ja.csv" in out, out


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("permalinks", ["5 documents checked: 1 permalink problem.", "", "ja  Japanese (日本語): 1 problem",
                        "  site/_products/ja/a/one.md:7  permalink /products/de/one/ has no language segment; expected /products/ja/one/"]),
        ("glossary check-files", ["site/glossaries: en-ja (2 terms); 1 problem.", "", "site/glossaries/en-ja.csv: 1 problem",
                                  "  site/glossaries/en-ja.csv:4  'Overview' -> '概観' conflicts with '概要' (en-ja.csv:3)"]),
    ],
)
def test_table_says_the_totals_first_then_the_findings(site, command, expected, monkeypatch):
    monkeypatch.chdir(site.parent)
    out = invoke(site, command).stdout
    assert out.splitlines()[: len(expected)] == expected, out


@pytest.mark.parametrize("command", COMMANDS)
def test_the_readme_documents_every_json_key(command):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    top, entry = DOCUMENTED[command]
    missing = [key for key in sorted(top | entry) if f'"{key}"' not in readme and f"`{key}`" not in readme]
    assert not missing, f"{command}: README says nothing of {missing}"


def test_translate_takes_every_format_too(tmp_path, monkeypatch):
    import shutil

    site = tmp_path / "content"
    shutil.copytree(Path(__file__).parent.parent / "content", site)
    monkeypatch.chdir(tmp_path)
    args = ["translate", "--root", str(site), "--engine", "pseudo", "--dry-run"]
    documents = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)["documents"]
    skipped = [d for d in documents if d["status"] == "skipped"]
    assert skipped and len(documents) > len(skipped)
    markdown = runner.invoke(app, [*args, "--format", "markdown"]).stdout
    assert markdown.startswith("## Translation plan\n\nDry run (pseudo): ")
    assert sum(line.startswith("| `") for line in markdown.splitlines()) == len(documents)
    summary = tmp_path / "summary.md"
    github = runner.invoke(app, [*args, "--format", "github"], env={"GITHUB_WORKSPACE": str(site), "GITHUB_STEP_SUMMARY": str(summary)})
    notes = [line for line in github.stdout.splitlines() if line.startswith("::")]
    assert len(notes) == len(skipped) and all(line.startswith("::warning file=_") for line in notes)  # the workspace is the site
    assert summary.read_text(encoding="utf-8").startswith("## Translation plan")


@pytest.mark.parametrize("columns", [50, 80])
@pytest.mark.parametrize("command", COMMANDS)
def test_every_table_fits_the_terminal(site, command, columns, monkeypatch):
    from transync.report.output import width

    monkeypatch.chdir(site.parent)
    out = invoke(site, command, env={"COLUMNS": str(columns)}).stdout
    assert max(width(line) for line in out.splitlines()) <= columns, out
