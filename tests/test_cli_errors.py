"""Every error of the command line is one line, `transync <command>: error: ...`, naming its option or file, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app

GLOSSARY = "source,target,note\nDynamic driver,ダイナミックドライバー,\n"


@pytest.fixture
def root(make_site) -> Path:
    return make_site({
        "_products/en/x.md": doc("x", "en", permalink="/products/en/x/"),
        "_products/ja/x.md": doc("x", "ja", permalink="/products/ja/x/"),
        "glossaries/en-ja.csv": GLOSSARY,
    })


def one_line_error(result, command: str, names: str) -> str:
    """The error's text after the prefix, once its shape is checked."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    prefix = f"transync {command}: error: "
    assert result.stderr.startswith(prefix), result.stderr
    assert names in result.stderr, result.stderr
    return result.stderr[len(prefix):].rstrip("\n")


BAD_VALUES = [
    ("status", ["--format", "bogus"], "'bogus' is not one of 'table', 'json', 'github', 'markdown' (--format)"),
    ("status", ["--state", "bogus"], "--state: unknown state 'bogus'"),
    ("check", ["--format", "bogus"], "'bogus' is not one of 'table', 'json', 'github', 'markdown' (--format)"),
    ("check", ["--check", "mathz"], "--check: unknown check 'mathz'"),
    ("check", ["--lang", "xx"], "--lang xx: not one of the site's languages (en, ja, de)"),
    ("report", ["--repo-url", "https://x"], "--repo-url https://x: must hold {path}"),
    ("translate", ["--to", "xx", "--dry-run"], "--to xx: not one of the site's languages (en, ja, de)"),
    ("translate", ["--jobs", "0"], "0 is not in the range 1<=x<=64 (--jobs)"),
    ("translate", ["--format", "xml"], "'xml' is not one of 'table', 'json', 'github', 'markdown' (--format)"),
    ("translate", ["--engine", "nope", "--dry-run"], "unknown engine 'nope' (engines: "),
    ("diff", ["x", "--lang", "xx"], "--lang xx: not one of the site's languages"),
    ("permalinks", ["--format", "bogus"], "(--format)"),
    ("memory seed", ["--lang", "xx"], "--lang xx: not one of the site's languages"),
    ("memory export", ["--lang", "ja", "--only", "bogus"], "'bogus' is not one of 'all', 'stale', 'missing' (--only)"),
    ("memory export", [], "missing option (--lang)"),
    ("glossary check", ["--format", "bogus"], "(--format)"),
    ("glossary check-files", ["--format", "bogus"], "(--format)"),
    ("glossary check", ["--bogus"], "no such option (--bogus)"),
]


@pytest.mark.parametrize("command, args, expected", BAD_VALUES, ids=[f"{c} {' '.join(a)}" for c, a, _ in BAD_VALUES])
def test_a_bad_option_value_is_one_line_naming_the_option(root, command, args, expected):
    result = CliRunner().invoke(app, [*command.split(), *args, "--root", str(root)])
    one_line_error(result, command, expected)


MISSING = [
    ("status", ["nope.md"], "nope.md: no such file or folder"),
    ("check", ["nope.md"], "nope.md: no such file or folder"),
    ("permalinks", ["nope.md"], "nope.md: no such file or folder"),
    ("glossary check", ["nope.md"], "nope.md: no such file or folder"),
    ("translate", ["nope-ref", "--dry-run"], "nope-ref: neither a file nor the ref of a document of the site"),
    ("pseudo", ["nope.md"], "file 'nope.md' does not exist (PATH)"),
    ("memory import", ["nope.po"], "file 'nope.po' does not exist (FILE)"),
    ("glossary check-files", ["nope"], "nope: no such folder (FOLDER)"),
    ("glossary check-files", ["glossaries/en-ja.csv"], "glossaries/en-ja.csv: a file, not a folder (FOLDER)"),
    ("glossary check", ["--glossaries", "nope"], "--glossaries nope: no such folder"),
    ("glossary sync", ["--glossaries", "nope"], "--glossaries nope: no such folder"),
]


@pytest.mark.parametrize("command, args, expected", MISSING, ids=[f"{c} {' '.join(a)}" for c, a, _ in MISSING])
def test_a_missing_path_is_one_line_naming_the_path(root, command, args, expected, monkeypatch):
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, [*command.split(), *args])
    one_line_error(result, command, expected)


COMMANDS = ["status", "check", "report", "translate --dry-run", "permalinks", "memory seed", "memory export --lang ja",
            "diff x --lang ja", "ack x --lang ja", "glossary check", "glossary check-files", "glossary list", "glossary sync"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_root_is_one_line(tmp_path, command):
    result = CliRunner().invoke(app, [*command.split(), "--root", str(tmp_path / "nope")])
    name = " ".join(w for w in command.split() if not w.startswith("-") and w not in ("ja", "x"))
    one_line_error(result, name, f"--root {tmp_path / 'nope'}: no such folder")


@pytest.mark.parametrize("command", COMMANDS + ["pseudo _products/en/x.md"])
def test_a_bad_configuration_is_one_line_naming_the_file_and_key(root, command, monkeypatch):
    (root / "transync.toml").write_text("languagez = 1\n", encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, command.split())
    name = " ".join(w for w in command.split() if not w.startswith(("-", "_")) and w not in ("ja", "x"))
    assert one_line_error(result, name, "transync.toml").startswith("transync.toml: unknown key 'languagez' (known keys: ")


def test_pseudo_outside_a_site_is_told_about_root_which_it_has(tmp_path, root):
    page = tmp_path / "page.md"
    page.write_text(doc("x", "en"), encoding="utf-8")
    result = CliRunner().invoke(app, ["pseudo", str(page)])
    assert "pass the site folder as --root" in one_line_error(result, "pseudo", str(tmp_path))
    ok = CliRunner().invoke(app, ["pseudo", str(page), "--root", str(root), "--to", "ja"])
    assert ok.exit_code == 0 and "lang: ja" in ok.stdout


def test_a_dry_run_with_a_named_engine_needs_no_key(root):
    result = CliRunner().invoke(app, ["translate", "--engine", "deepl", "--dry-run", "--root", str(root)], env={"DEEPL_AUTH_KEY": ""})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Dry run (deepl): nothing is sent.")


def test_glossary_check_files_takes_the_folder_as_an_argument(root, monkeypatch):
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, ["glossary", "check-files", "glossaries/"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "glossaries: en-ja (1 term); 0 problems.\n"


@pytest.mark.parametrize("command", ["glossary check", "glossary check-files", "glossary sync"])
def test_no_glossary_at_all_is_an_error_not_zero_problems(make_site, command):
    site = make_site({"_products/en/x.md": doc("x", "en"), "_products/ja/x.md": doc("x", "ja")})
    result = CliRunner().invoke(app, [*command.split(), "--root", str(site)])
    assert one_line_error(result, command, "no glossary found") == (
        f"no glossary found in {site / 'glossaries'} (files named <src>-<tgt>.csv; --glossaries or [translate] glossary_dir)"
    )


def test_help_keeps_angle_brackets_and_whole_choices():
    glossary = CliRunner().invoke(app, ["glossary", "--help"], terminal_width=80)
    assert "glossaries/<src>-<tgt>.csv files" in glossary.stdout
    check = CliRunner().invoke(app, ["check", "--help"], terminal_width=80)
    assert "<table|json|github|markdown>" in check.stdout
    assert "Examples:\n    transync check                             # every translation of the site around here\n" in check.stdout
    assert "╭" not in check.stdout and "**" not in check.stdout


def test_no_command_shows_the_help_and_exits_2():
    result = CliRunner().invoke(app, ["glossary"])
    assert result.exit_code == 2 and "Usage: transync glossary [OPTIONS] COMMAND [ARGS]..." in result.output
