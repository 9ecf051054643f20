"""People at a terminal: tables that fit the width, the summary first, --limit and --summary, paths
relative to the current folder, and a completion bar that is full only when a language is complete."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import CORPUS, doc, requires_corpus
from transync.cli import app
from transync.report import output
from transync.report.output import Paths, elide, fit, width, wrap
from transync.site.status import LanguageSummary

runner = CliRunner()
LONG = "products/ja/antelope-audio/antelope-audio-zen-quadro-synergy-core.md"


# --------------------------------------------------------------------------- the pieces


@pytest.mark.parametrize(
    ("path", "columns", "shown"),
    [
        (LONG, 100, LONG),  # fits: as it is
        (LONG, 60, "products/…/antelope-audio-zen-quadro-synergy-core.md"),
        (LONG, 45, "…/antelope-audio-zen-quadro-synergy-core.md"),
        (LONG, 30, "products/…adro-synergy-core.md"),  # not even the name fits: cut in its middle
        ("/work/shared/corpus/audioreview/_companies/ja/arcam.md", 40, "/work/…/_companies/ja/arcam.md"),
        ("../x/y/z.md", 9, "../…/z.md"),
    ],
)
def test_elide_cuts_the_middle_and_keeps_the_file_name(path, columns, shown):
    assert elide(path, columns) == shown
    assert width(shown) <= max(columns, width(path) if width(path) <= columns else columns)


def test_width_counts_wide_characters_twice_and_colour_codes_not_at_all():
    assert width("日本語") == 6 and width("\x1b[33mstale\x1b[0m") == 5 and width("abc") == 3


def test_wrap_breaks_at_spaces_and_cuts_a_word_longer_than_the_line():
    assert wrap("source date 2025-07-06 is later than translation date", 24) == [
        "source date 2025-07-06", "is later than", "translation date"]
    assert wrap("see https://example.com/a/very/long/url", 12) == ["see", "https://exam", "ple.com/a/ve", "ry/long/url"]


def test_fit_keeps_a_row_whole_when_it_fits_else_elides_the_path_and_wraps_the_note():
    row = fit("    products  x  ", "_products/ja/x.md", "rating no longer follows the source", 200)
    assert row == "    products  x  _products/ja/x.md  rating no longer follows the source\n"
    assert fit("    products  x  ", "_products/ja/x.md", "rating no longer follows the source", None) == row
    narrow = fit("    products  x  ", "_products/ja/some/long/folder/x.md", "rating no longer follows the source", 41)
    assert narrow == "    products  x  _products/…/folder/x.md\n      rating no longer follows the source\n"
    assert all(width(line) <= 41 for line in narrow.splitlines())
    assert fit("  ", "a.md", "one two three four", 13) == "  a.md\n      one two\n      three\n      four\n"


@pytest.mark.parametrize(
    ("current", "expected", "bar", "percent"),
    [(3771, 3806, "███████████████████░", 99.1), (3805, 3806, "███████████████████░", 99.9), (3806, 3806, "█" * 20, 100.0),
     (0, 7, "░" * 20, 0.0), (4, 7, "███████████░░░░░░░░░", 57.1)],
)
def test_the_bar_rounds_down_and_only_a_complete_language_is_full(current, expected, bar, percent):
    assert output._bar(current, expected) == bar
    row = LanguageSummary("ja", source=False, expected=expected)
    row.counts["current"] = current
    assert row.percent_complete == percent  # 3,805 of 3,806 is not "100.0%"


def test_paths_are_relative_to_the_current_folder_as_a_compiler_shows_them(tmp_path, monkeypatch):
    root = tmp_path / "site"
    (root / "_products").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    for here, shown in [(root, "_products/x.md"), (tmp_path, "site/_products/x.md"),
                        (tmp_path / "elsewhere", "../site/_products/x.md"), (root / "_products", "x.md")]:
        monkeypatch.chdir(here)
        assert Paths(root).show("_products/x.md") == shown
    assert Paths(root, str(tmp_path)).show("_products/x.md") == "site/_products/x.md"  # --format github: the workspace
    monkeypatch.chdir("/")
    deep = Paths(root).show("_products/x.md")
    assert deep == (root / "_products/x.md").as_posix().lstrip("/") or deep == (root / "_products/x.md").as_posix()


# --------------------------------------------------------------------------- status at a terminal


@pytest.fixture
def wide_site(make_site):
    """25 missing translations with long paths, 2 stale with long notes."""
    files = {}
    for n in range(25):
        ref = f"antelope-audio-zen-quadro-synergy-core-{n:02}"
        files[f"_products/en/antelope-audio/{ref}.md"] = doc(ref, "en")
    for ref in ("kestrel-ie-5", "halden-d-20"):
        files[f"_products/en/k/{ref}.md"] = doc(ref, "en", "2025-02-01")
        files[f"_products/ja/k/{ref}.md"] = doc(ref, "ja", "2025-01-01")
    return make_site(files, config='languages: ["en", "ja"]\ndefault_lang: "en"\n')


def status(site, *args, columns=None):
    env = {"COLUMNS": str(columns)} if columns else None
    return runner.invoke(app, ["status", "--root", str(site), *args], env=env, catch_exceptions=False)


@pytest.mark.parametrize("columns", [40, 60, 80, 120, 200])
def test_no_line_is_wider_than_the_terminal(wide_site, columns, monkeypatch):
    monkeypatch.chdir(wide_site.parent)
    out = status(wide_site, "--limit", "0", columns=columns).stdout
    assert max(width(line) for line in out.splitlines()) <= columns, out
    assert all(out.count(f"-{n:02}.md") >= 2 for n in range(25))  # every missing row names its file and its source


def test_wide_terminal_keeps_every_row_on_one_line(wide_site, monkeypatch):
    monkeypatch.chdir(wide_site)
    out = status(wide_site, "--limit", "0", columns=240).stdout
    assert ("    products  antelope-audio-zen-quadro-synergy-core-00  _products/ja/antelope-audio/antelope-audio-zen-quadro-synergy-core-00.md"
            "  (from _products/en/antelope-audio/antelope-audio-zen-quadro-synergy-core-00.md)\n") in out
    assert "    products  kestrel-ie-5" in out and "source date 2025-02-01 is later than translation date 2025-01-01\n" in out


def test_narrow_terminal_elides_paths_and_puts_the_note_beneath(wide_site, monkeypatch):
    monkeypatch.chdir(wide_site)
    out = status(wide_site, columns=60).stdout
    assert "    products  kestrel-ie-5  _products/ja/k/kestrel-ie-5.md\n      source date 2025-02-01 is later than translation date\n      2025-01-01\n" in out


def test_a_pipe_gets_whole_lines(wide_site, monkeypatch):
    monkeypatch.chdir(wide_site)
    out = status(wide_site).stdout  # no COLUMNS, not a terminal: nothing is cut
    assert "_products/ja/antelope-audio/antelope-audio-zen-quadro-synergy-core-00.md  (from " in out


def test_summary_first_then_limit_rows_per_state_with_a_line_saying_how_many_more(wide_site):
    out = status(wide_site).stdout
    lines = out.splitlines()
    assert lines[2].startswith("  en    English") and lines[3].startswith("  ja    Japanese (日本語)  ░░░")
    assert out.index("current 0  stale 2  missing 25") < out.index("missing (25): not translated yet")
    assert out.count("(from ") == output.DEFAULT_LIMIT
    assert "    … and 5 more missing (use --limit 0 for all)\n" in out
    assert "stale (2)" in out and "more stale" not in out
    limited = status(wide_site, "--limit", "3").stdout
    assert limited.count("(from ") == 3 and "    … and 22 more missing (use --limit 0 for all)\n" in limited
    assert status(wide_site, "--limit", "0").stdout.count("(from ") == 25


def test_summary_prints_the_counts_only(wide_site):
    result = status(wide_site, "--summary")
    assert result.exit_code == 1  # the findings still count
    assert result.stdout.splitlines()[2:] == [
        "  en    English            source",
        "  ja    Japanese (日本語)  ░░░░░░░░░░░░░░░░░░░░   0.0%  of 27  current 0  stale 2  missing 25",
    ]
    data = json.loads(status(wide_site, "--summary", "--format", "json").stdout)
    assert data["items"] == [] and data["summary"]["states"]["missing"] == 25


def test_markdown_and_github_take_limit_and_summary(wide_site, tmp_path):
    markdown = status(wide_site, "--format", "markdown", "--limit", "2").stdout
    assert markdown.count("| missing |") == 2 and "… and 23 more missing (use `--limit 0` for all)" in markdown
    assert "<details>" not in status(wide_site, "--format", "markdown", "--summary").stdout
    summary = tmp_path / "summary.md"
    github = runner.invoke(app, ["status", "--root", str(wide_site), "--format", "github", "--summary"],
                           env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert "::" not in github.stdout and "ja: 0.0% complete (stale 2, missing 25)" in github.stdout
    assert summary.read_text().startswith("## Translation status")


def test_check_lists_limit_findings_per_check(make_site, monkeypatch):
    files = {}
    for n in range(4):
        files[f"_products/en/p{n}.md"] = doc(f"p{n}", "en", body="## A\n\n$$ x = 1 $$\n")
        files[f"_products/ja/p{n}.md"] = doc(f"p{n}", "ja", body="## A\n\n$$ x = 2 $$\n")
    root = make_site(files, config='languages: ["en", "ja"]\ndefault_lang: "en"\n')
    monkeypatch.chdir(root)
    out = runner.invoke(app, ["check", "--limit", "1"]).stdout
    assert out.startswith("  math          4 findings in 4 files\n")
    assert out.count("  math  display math differs") == 1
    assert out.endswith("  … and 3 more math findings (use --limit 0 for all)\n")
    assert runner.invoke(app, ["check", "--summary"]).stdout.endswith("4 translations checked: 4 findings in 4 files.\n")


# --------------------------------------------------------------------------- the real site


@requires_corpus()
@pytest.mark.parametrize("columns", [80, 200])
def test_real_site_fits_the_terminal(columns, monkeypatch):
    monkeypatch.chdir(CORPUS)
    result = runner.invoke(app, ["status", "--no-git", "--no-cache"], env={"COLUMNS": str(columns)})
    lines = result.stdout.splitlines()
    assert max(width(line) for line in lines) <= columns
    ja = next(line for line in lines if line.startswith("  ja "))
    assert "█" * 19 + "░" in ja and "99.1%" in ja  # 3,771 of 3,806: not drawn full
    assert "_companies/ja/" in result.stdout and str(CORPUS) not in result.stdout  # relative to here
