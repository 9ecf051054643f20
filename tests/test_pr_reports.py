"""Reports sized for GitHub: the PR comment body (--format markdown), annotations and step summaries."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app
from transync.report import output
from transync.report.output import Section, capped


def test_capped_keeps_everything_under_the_limit():
    text = capped(["# T"], [Section(["<details>"], ["| a |", "| b |"], ["</details>"])], ["tail"], 1000, "run x")
    assert text == "# T\n<details>\n| a |\n| b |\n</details>\ntail\n"


def test_capped_cuts_rows_stays_under_the_limit_and_says_how_many():
    rows = [f"| row {n:04} | {'x' * 80} |" for n in range(500)]
    sections = [Section(["<details>", ""], rows[:300], ["", "</details>"]), Section(["<details>", ""], rows[300:], ["", "</details>"])]
    text = capped(["# T"], sections, [], 5000, "run `transync status` for all of them")
    assert len(text.encode()) <= 5000
    kept = text.count("| row ")
    assert 0 < kept < 300 and text.count("</details>") == 1  # the open section is closed; the next is left out
    assert text.endswith(f"> **{500 - kept:,} more rows cut** to stay under GitHub's limit of 5,000 characters: "
                         "run `transync status` for all of them.\n")


@pytest.fixture
def big_site(make_site):
    return make_site({f"_products/en/p{n:03}.md": doc(f"p{n:03}", "en") for n in range(120)})


def test_markdown_status_is_a_summary_then_details_per_language(big_site):
    res = CliRunner().invoke(app, ["status", "--root", str(big_site), "--format", "markdown"])
    text = res.stdout
    assert text.startswith("## Translation status\n\n| Language | Complete |")
    assert "<details><summary><b>Japanese (日本語) (`ja`)</b>: 120 missing</summary>" in text
    assert text.count("</details>") == 2 and "more rows cut" not in text


def test_markdown_status_is_capped_for_a_comment(big_site, monkeypatch):
    monkeypatch.setattr(output, "COMMENT_LIMIT", 8000)
    text = CliRunner().invoke(app, ["status", "--root", str(big_site), "--format", "markdown"]).stdout
    assert len(text.encode()) <= 8000
    kept = text.count("| missing |")
    assert f"> **{240 - kept:,} more rows cut** to stay under GitHub's limit of 8,000 characters" in text


def test_github_annotations_are_capped_and_say_how_many_more(big_site, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setattr(output, "STEP_SUMMARY_LIMIT", 6000)
    res = CliRunner().invoke(app, ["status", "--root", str(big_site), "--format", "github"])
    lines = res.stdout.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 50
    assert ("::notice title=transync%3A annotations cut::240 annotations: 50 written, 190 cut (transync writes at most 50); "
            "GitHub shows 10 of them (at most 10 errors and 10 warnings per step): see the step summary or run `transync status`") in lines
    text = summary.read_text()
    assert len(text.encode()) <= 6000 + 1 and "more rows cut" in text
