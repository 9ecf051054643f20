"""The ``transync`` command line: parse options, call the library, render.

Nothing here knows how a site is read or judged; errors from the library
(:class:`~transync.errors.TransyncError`) become one line on stderr and the
exit code of the error's class.
"""

from __future__ import annotations

import functools
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Callable, List, Optional, TypeVar

import typer

from transync import __version__
from transync.errors import EXIT_FINDINGS, EXIT_OK, TransyncError, UsageError

app = typer.Typer(
    name="transync",
    help="Keep a multilingual Markdown site in sync across languages.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., object])


class Format(str, Enum):
    table = "table"
    json = "json"
    github = "github"
    markdown = "markdown"


def _fail(message: str, code: int) -> None:
    typer.echo(f"transync: error: {message}", err=True)
    raise typer.Exit(code)


def handles_errors(fn: F) -> F:
    """Turn library errors into one line on stderr and the right exit code."""

    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return fn(*args, **kwargs)
        except TransyncError as exc:
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        return None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"transync {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", help="Show the version and exit.", callback=_version, is_eager=True),
) -> None:
    """Keep a multilingual Markdown site in sync across languages."""


def _split(values: Optional[List[str]]) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _site(root: Optional[Path], paths: list[Path]):
    """Find and load the site: --root, else the nearest configured folder above the first path or here."""
    from transync.config import find_root, load_config

    if root is not None:
        if not root.is_dir():
            raise UsageError(f"--root {root}: no such folder")
        site_root = root
    else:
        site_root = find_root(paths[0] if paths else Path.cwd())
    return load_config(site_root)


def _langs(config, lang: Optional[List[str]]) -> list[str]:
    """--lang values, each one of the site's languages."""
    langs = _split(lang)
    for code in langs:
        if code not in config.languages:
            raise UsageError(f"--lang {code}: not one of the site's languages ({', '.join(config.languages)})")
    return langs


def _relative_paths(config, paths: list[Path]) -> list[str] | None:
    if not paths:
        return None
    result = []
    for path in paths:
        full = path.resolve()
        try:
            rel = full.relative_to(config.root)
        except ValueError:
            raise UsageError(f"{path}: outside the site at {config.root}") from None
        result.append("" if rel == Path(".") else rel.as_posix())
    return result


STATUS_EPILOG = """\
**Examples**

    transync status                      # the site around the current folder

    transync status content --lang ja    # one language of the site in content/

    transync status --format json > status.json

    transync status --fail-on missing --format github   # CI: fail on missing translations only
"""


@app.command(epilog=STATUS_EPILOG)
@handles_errors
def status(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Files or folders to report on (default: the whole site).", show_default=False, metavar="PATHS"
    ),
    root: Optional[Path] = typer.Option(
        None, "--root", "-r", help="Site folder (default: the nearest folder with _config.yml or transync.toml).",
        file_okay=False, metavar="DIR",
    ),
    lang: Optional[List[str]] = typer.Option(None, "--lang", "-l", metavar="LANG", help="Only these languages (repeat or comma-separate)."),
    state: Optional[List[str]] = typer.Option(
        None, "--state", "-s", metavar="STATE",
        help="Only list these states: current, stale, missing, orphan, duplicate, invalid "
        "(default: all but current; json lists all).",
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    fail_on: Optional[List[str]] = typer.Option(
        None, "--fail-on", metavar="STATES",
        help="States that make the exit code 1 (default: all but current, or [status] fail_on); 'none' never fails.",
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Read every file, ignoring the header cache."),
) -> None:
    """Show the translation state of every document: current, stale, missing, orphan, duplicate, invalid.

    Exit codes: 0 nothing to report, 1 a state counted by --fail-on, 2 a usage or configuration error.
    """
    from transync import output, scan, status as status_mod
    from transync.config import STATES, parse_states

    path_list = list(paths or [])
    config = _site(root, path_list)
    langs = _langs(config, lang)
    shown = parse_states(state or [], key="--state") if state else None
    if shown is None:
        shown = list(STATES) if fmt is Format.json else [s for s in STATES if s != "current"]
    fail = parse_states(fail_on, key="--fail-on") if fail_on else list(config.fail_on)

    rel_paths = _relative_paths(config, path_list)
    result = scan.scan(config, use_cache=False if no_cache else None)
    report = status_mod.report(result, langs=langs or None, paths=rel_paths)
    if rel_paths:
        for path, rel in zip(path_list, rel_paths):
            if not path.exists() and not any(rel in (i.path, i.target_path) for i in report.items):
                raise UsageError(f"{path}: no such file or folder")

    if fmt in (Format.json, Format.markdown):
        for item in report.items:
            if item.state == "invalid":
                where = f"{item.path}:{item.line}" if item.line else item.path
                typer.echo(f"transync: {where}: {item.reason}", err=True)
    output.render_status(report, fmt.value, shown_states=shown, fail_on=fail)
    raise typer.Exit(EXIT_FINDINGS if report.failing(fail) else EXIT_OK)


CHECK_EPILOG = """\
**Examples**

    transync check                             # every translation of the site around here

    transync check content/_products/ja        # the translations in one folder

    transync check --check math,urls --lang ja # two checks, one language

    transync check --format json > findings.json

    transync check --format github --fail-on math,code,placeholders   # CI: only these fail the job
"""


@app.command(epilog=CHECK_EPILOG)
@handles_errors
def check(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Files or folders to check: a source checks all its translations (default: the whole site).",
        show_default=False, metavar="PATHS",
    ),
    root: Optional[Path] = typer.Option(
        None, "--root", "-r", help="Site folder (default: the nearest folder with _config.yml or transync.toml).",
        file_okay=False, metavar="DIR",
    ),
    lang: Optional[List[str]] = typer.Option(None, "--lang", "-l", metavar="LANG", help="Only these languages (repeat or comma-separate)."),
    only: Optional[List[str]] = typer.Option(
        None, "--check", "-c", metavar="NAME",
        help="Only these checks: math, code, urls, citations, headings, tables, kept-fields, permalink, placeholders "
        "(default: all, or [check] checks).",
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    fail_on: Optional[List[str]] = typer.Option(
        None, "--fail-on", metavar="CHECKS",
        help="Checks whose findings make the exit code 1 (default: all, or [check] fail_on); 'none' never fails.",
    ),
    no_cache: bool = typer.Option(False, "--no-cache", help="Read and check every file again, ignoring the caches."),
) -> None:
    """Compare every translation with its source and report structural problems, with file and line.

    A translation keeps its source's display math, code blocks, URLs, citation numbers, heading
    levels, table shapes and kept front-matter fields; its permalink is the source's with the
    language segment swapped; no placeholder tag is left in it. Stale translations are checked
    against the current source.

    Exit codes: 0 no findings, 1 a finding of a check counted by --fail-on (or a file that cannot
    be read), 2 a usage or configuration error.
    """
    from transync import checks as checks_mod, output, scan
    from transync.config import parse_checks

    path_list = list(paths or [])
    config = _site(root, path_list)
    langs = _langs(config, lang)
    names = parse_checks(only, key="--check") if only else list(config.checks)
    fail = parse_checks(fail_on, key="--fail-on") if fail_on else list(config.check_fail_on)
    rel_paths = _relative_paths(config, path_list)
    for path in path_list:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")

    result = scan.scan(config, use_cache=False if no_cache else None)
    report = checks_mod.check_site(result, rel_paths, langs or None, checks=names, use_cache=False if no_cache else None)

    for bad in report.unreadable:
        where = f"{bad.path}:{bad.line}" if bad.line else bad.path
        typer.echo(f"transync: {where}: {bad.reason}", err=True)
    output.render_check(report, fmt.value, fail_on=fail)
    failing = report.failing(fail) or (report.unreadable and fail)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


def main() -> None:
    # Typer's completion needs the program name, not "__main__.py".
    app(prog_name="transync")


if __name__ == "__main__":
    main()
