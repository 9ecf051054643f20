"""The ``transync`` command line: parse options, call the library, render.

Nothing here knows how a site is read or judged; errors from the library
(:class:`~transync.errors.TransyncError`) and Click's usage errors become one
line on stderr, ``transync <command>: error: ...``, and the exit code of the
error's class (2 for usage errors).
"""

from __future__ import annotations

import functools
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, List, Optional, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from transync import __version__
from transync.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, TransyncError, UsageError


# --------------------------------------------------------------------------- one-line errors, plain help


def _command_name(ctx: object | None) -> str:
    """``transync check`` for the command a context runs (``transync`` when there is none)."""
    path = getattr(ctx, "command_path", "") or ""
    return " ".join(["transync", *path.split()[1:]])


def _usage_line(exc: typer.TyperException) -> str:
    """A command-line parsing error as ``<what> (<option or argument>)``.

    Click words its messages for a block ("Invalid value for '--format' / '-f': ..."); the
    option is told once, at the end, under the name the user typed or can type.
    """
    param = getattr(exc, "param", None)
    where = None
    if param is not None:
        opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] or list(getattr(param, "opts", []))
        where = opts[0] if getattr(param, "param_type_name", "") == "option" and opts else (param.name or "").upper()
    what = getattr(exc, "message", None) or str(exc)
    if type(exc).__name__ == "MissingParameter":
        what = f"missing {getattr(param, 'param_type_name', None) or 'value'}"
    elif type(exc).__name__ == "NoSuchOption":
        where = exc.option_name  # type: ignore[attr-defined]
        what = "no such option" + (f"; did you mean {', '.join(sorted(exc.possibilities))}?" if exc.possibilities else "")  # type: ignore[attr-defined]
    what = " ".join(what.split()).rstrip(".")
    if what[:1].isupper() and not what[1:2].isupper():
        what = what[0].lower() + what[1:]
    return f"{what} ({where})" if where else what


class _Transync(TyperGroup):
    """The top-level group: a usage error is one line on stderr, ``transync <cmd>: error: ...``, exit 2.

    Typer prints Click's usage errors as a multi-line block (a box with rich); running the
    group with ``standalone_mode=False`` hands them to us instead, and the exit codes of
    ``typer.Exit`` come back as return values.
    """

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.TyperException as exc:  # Click's exceptions (UsageError, BadParameter, ...)
            if type(exc).__name__ == "NoArgsIsHelpError":  # `transync glossary` alone: its help
                typer.echo(exc.format_message(), err=True)  # type: ignore[attr-defined]
                code = EXIT_USAGE
            else:
                typer.echo(f"{_command_name(getattr(exc, 'ctx', None))}: error: {_usage_line(exc)}", err=True)
                code = getattr(exc, "exit_code", EXIT_USAGE)
        except typer.Abort:
            typer.echo("transync: aborted", err=True)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else EXIT_OK)


class _Command(TyperCommand):
    """A command whose epilog (its examples) is printed line by line, not rewrapped as prose."""

    def format_epilog(self, ctx, formatter) -> None:  # type: ignore[no-untyped-def]
        if not self.epilog:
            return
        import inspect

        formatter.write_paragraph()
        lines = [line for line in inspect.cleandoc(self.epilog).splitlines() if line.strip()]
        with formatter.indentation():
            for line in lines:
                heading = line.startswith("**")  # **Examples** (a Markdown heading when the help was rich)
                text = line.strip("* ").rstrip() + ":" if heading else "  " + line.rstrip()
                formatter.write(" " * formatter.current_indent + text + "\n")


app = typer.Typer(
    name="transync",
    cls=_Transync,
    help="Keep a multilingual Markdown site in sync across languages.",
    no_args_is_help=True,
    # Plain Click help: rich's Markdown mode ate <src>-<tgt> as HTML and cut choices mid-word.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., object])


class Format(str, Enum):
    table = "table"
    json = "json"
    github = "github"
    markdown = "markdown"


class PlainFormat(str, Enum):
    """Commands that change files or print settings (ack, memory merge, config) report no findings:
    a table for people, JSON for scripts; markdown and github have nothing to annotate."""

    table = "table"
    json = "json"


def _fail(message: str, code: int) -> None:
    from typer.main import get_current_context  # Click's, as Typer vendors it

    typer.echo(f"{_command_name(get_current_context(silent=True))}: error: {message}", err=True)
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


# --------------------------------------------------------------------------- shell completion
# Typer calls these while the user presses TAB: they read the site's configuration (and, for refs,
# its header cache) and never fail: a site that cannot be read completes nothing.


def _completion_site(ctx):
    from transync.site.config import find_root, load_config

    root = ctx.params.get("root")
    try:
        return load_config(Path(root) if root else find_root(Path.cwd()))
    except (TransyncError, OSError):
        return None


def _complete_list(values, incomplete: str) -> list[str]:
    """``values`` that start the last item of a comma list: ``ja,d`` completes to ``ja,de``."""
    head, _, last = incomplete.rpartition(",")
    given = set(head.split(",")) if head else set()
    prefix = head + "," if head else ""
    return [prefix + v for v in values if v.startswith(last) and v not in given]


def _complete_lang(ctx: typer.Context, incomplete: str) -> list[str]:
    config = _completion_site(ctx)
    return _complete_list(config.languages, incomplete) if config else []


def _complete_collection(ctx: typer.Context, incomplete: str) -> list[str]:
    config = _completion_site(ctx)
    return _complete_list([c.name for c in config.collections], incomplete) if config else []


def _complete_ref_or_path(ctx: typer.Context, incomplete: str) -> list[str]:
    """The site's refs that start with ``incomplete``, then the files and folders that do
    (Typer's completion scripts do not pass file completion on to the shell, so we list them)."""
    refs: list[str] = []
    config = _completion_site(ctx)
    if config is not None:
        from transync.site import scan

        try:
            refs = sorted({d.ref for d in scan.scan(config).documents if d.ref and d.ref.startswith(incomplete)})
        except (TransyncError, OSError):
            pass
    return refs + _complete_path(incomplete)


def _complete_path(incomplete: str) -> list[str]:
    folder, _, stem = incomplete.rpartition("/")
    base = Path(folder + "/" if folder else ".")
    try:
        entries = sorted(base.iterdir(), key=lambda e: e.name)
    except OSError:
        return []
    prefix = folder + "/" if folder else ""
    return [
        prefix + e.name + ("/" if e.is_dir() else "")
        for e in entries
        if e.name.startswith(stem) and (stem.startswith(".") or not e.name.startswith("."))
    ]


# Options that several commands share, declared once.
GlossariesOption = Annotated[
    Optional[Path],
    typer.Option("--glossaries", "-g", file_okay=False, metavar="DIR", help="Glossary folder (default: [translate] glossary_dir, glossaries/ of the site)."),
]
RootOption = Annotated[
    Optional[Path],
    typer.Option("--root", "-r", help="Site folder (default: the nearest folder with transync.toml or a site generator's configuration).", file_okay=False, metavar="DIR"),
]
NoGitOption = Annotated[
    bool,
    typer.Option("--no-git", help="Judge translations without provenance by date, not by the site's git history."),
]
ChangedFromOption = Annotated[
    Optional[str],
    typer.Option(
        "--changed-from", metavar="REV",
        help="Only what the branch touches since REV (git diff REV...HEAD, plus uncommitted files): "
        "changed sources with their translations, changed translations.",
    ),
]
UpdateBaselineOption = Annotated[
    bool,
    typer.Option(
        "--update-baseline",
        help="Accept this run's findings: write them to the baseline ([check] baseline, .transync/baseline.json) "
        "for its checks, languages and PATHS; later runs report only new findings.",
    ),
]
NoBaselineOption = Annotated[bool, typer.Option("--no-baseline", help="Report every finding, the accepted ones of the baseline too.")]
SummaryOption = Annotated[bool, typer.Option("--summary", help="Only the counts, no list (json: an empty list).")]
LimitOption = Annotated[
    Optional[int],
    typer.Option(
        "--limit", min=0, metavar="N",
        help="List at most N rows per state (check: per check; others: per language) in the table (default 20), "
        "markdown and github; 0 lists all. json lists all.",
    ),
]
LangOption = Annotated[
    Optional[List[str]],
    typer.Option("--lang", "-l", metavar="LANG", help="Only these languages (repeat or comma-separate).", autocompletion=_complete_lang),
]
CollectionOption = Annotated[
    Optional[List[str]],
    typer.Option("--collection", metavar="NAME", help="Only these collections of the site (repeat or comma-separate).",
                 autocompletion=_complete_collection),
]


def _split(values: Optional[List[str]]) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _site(root: Optional[Path], paths: list[Path]):
    """Find and load the site: --root, else the nearest configured folder above the first path or here."""
    from transync.site.config import find_root, load_config

    if root is not None:
        if not root.is_dir():
            raise UsageError(f"--root {root}: no such folder")
        site_root = root
    else:
        site_root = find_root(paths[0] if paths else Path.cwd())
    return load_config(site_root)


def _langs(config, lang: Optional[List[str]], option: str = "--lang") -> list[str]:
    """--lang values (or those of ``option``), each one of the site's languages."""
    langs = _split(lang)
    for code in langs:
        if code not in config.languages:
            raise UsageError(f"{option} {code}: not one of the site's languages ({', '.join(config.languages)})")
    return langs


def _collections(config, names: Optional[List[str]]) -> list[str]:
    """--collection values, each the name of one of the site's collections."""
    wanted = _split(names)
    known = [c.name for c in config.collections]
    for name in wanted:
        if name not in known:
            raise UsageError(f"--collection {name}: not one of the site's collections ({', '.join(known)})")
    return wanted


def _collection_files(result, collections: list[str]) -> list[str] | None:
    """The files of the scanned documents of ``collections`` (None: no --collection, every file)."""
    if not collections:
        return None
    return [d.path for d in result.documents if d.collection in collections]


def _selection(config, rel_paths: list[str] | None, changed_from: str | None) -> list[str] | None:
    """The PATHS a command reports on: with --changed-from, the changed site paths (within PATHS if given)."""
    if changed_from is None:
        return rel_paths
    from transync.site import sitepaths
    from transync.site.history import changed_paths

    changed = changed_paths(config.root, changed_from)
    return [p for p in changed if sitepaths.selected(rel_paths, p)]


def _must_exist(paths: list[Path]) -> None:
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")


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
    root: RootOption = None,
    lang: LangOption = None,
    collection: CollectionOption = None,
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
    no_git: NoGitOption = False,
    changed_from: ChangedFromOption = None,
    summary: SummaryOption = False,
    limit: LimitOption = None,
) -> None:
    """Show the translation state of every document: current, stale, missing, orphan, duplicate, invalid.

    Exit codes: 0 nothing to report, 1 a state counted by --fail-on, 2 a usage or configuration error.
    """
    from transync.site import scan
    from transync.site.config import STATES, parse_states
    from transync.site.history import History

    path_list = list(paths or [])
    config = _site(root, path_list)
    langs = _langs(config, lang)
    collections = _collections(config, collection)
    shown = parse_states(state or [], key="--state") if state else None
    if shown is None:
        shown = list(STATES) if fmt is Format.json else [s for s in STATES if s != "current"]
    fail = parse_states(fail_on, key="--fail-on") if fail_on else list(config.fail_on)

    rel_paths = _relative_paths(config, path_list)
    history = False if no_git else History.of_site(config)  # git works while the site is scanned
    walked = scan.walk(config)
    replay_key = None
    if fmt is not Format.github and not no_cache and changed_from is None:
        # An unchanged site's report is written again as it was (transync.report.replay). Not
        # for github: it also appends to $GITHUB_STEP_SUMMARY.
        from transync.report import replay

        options = (fmt.value, langs, rel_paths, [p.exists() for p in path_list], shown, fail, summary, limit, collections,
                   replay.terminal())
        replay_key = replay.key(config, walked.token, history, options)
        hit = replay.load(config, "status", replay_key)
        if hit is not None:
            sys.stderr.write(hit.err)
            sys.stdout.write(hit.out)
            raise typer.Exit(hit.code)
    result = scan.scan(config, use_cache=False if no_cache else None, walked=walked)
    _status_render(config, result, history, fmt, langs, path_list, rel_paths, changed_from, shown, fail, replay_key, summary, limit,
                   collections)


def _status_render(config, result, history, fmt, langs, path_list, rel_paths, changed_from, shown, fail, replay_key, summary, limit,
                   collections) -> None:
    """Judge a scanned site, render the report (and keep it for a replay when ``replay_key``), exit."""
    import io

    from transync.report import output
    from transync.site import status as status_mod

    report = status_mod.report(
        result, langs=langs or None, paths=_selection(config, rel_paths, changed_from), git=history, collections=collections,
    )
    if rel_paths:
        for path, rel in zip(path_list, rel_paths):
            if not path.exists() and not any(rel in (i.path, i.target_path) for i in report.items):
                raise UsageError(f"{path}: no such file or folder")

    err = io.StringIO()
    if fmt in (Format.json, Format.markdown):
        output.diagnostics(((i.path, i.line, i.reason) for i in report.items if i.state == "invalid"), config.root, stream=err)
    sys.stderr.write(err.getvalue())
    code = EXIT_FINDINGS if report.failing(fail) else EXIT_OK
    if replay_key is None:
        output.render_status(report, fmt.value, shown_states=shown, fail_on=fail, limit=limit, summary=summary)
    else:
        from transync.report import replay

        out = replay.Capture(sys.stdout)
        output.render_status(report, fmt.value, shown_states=shown, fail_on=fail, limit=limit, summary=summary, stream=out)
        sys.stdout.write(out.getvalue())
        replay.save(config, "status", replay_key, replay.Replay(out.getvalue(), err.getvalue(), code))
    raise typer.Exit(code)


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
    root: RootOption = None,
    lang: LangOption = None,
    collection: CollectionOption = None,
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
    no_git: NoGitOption = False,
    changed_from: ChangedFromOption = None,
    update_baseline: UpdateBaselineOption = False,
    no_baseline: NoBaselineOption = False,
    summary: SummaryOption = False,
    limit: LimitOption = None,
) -> None:
    """Compare every translation with its source and report structural problems, with file and line.

    A translation keeps its source's display math, code blocks, URLs, citation numbers, heading
    levels, table shapes and kept front-matter fields; its permalink is the source's with the
    language segment swapped; no placeholder tag is left in it. Stale translations are checked
    against the current source.

    Findings accepted in the baseline (--update-baseline) and those silenced by a
    <!-- transync-ignore CHECK --> comment ({/* transync-ignore CHECK */} in MDX) are not reported. Exit codes: 0 no findings, 1 a finding
    of a check counted by --fail-on (or a file that cannot be read), 2 a usage or configuration error.
    """
    from transync import checks as checks_mod
    from transync.checks import adopt
    from transync.report import output
    from transync.site import scan
    from transync.site.config import parse_checks

    path_list = list(paths or [])
    config = _site(root, path_list)
    langs = _langs(config, lang)
    collections = _collections(config, collection)
    names = parse_checks(only, key="--check") if only else list(config.checks)
    fail = parse_checks(fail_on, key="--fail-on") if fail_on else list(config.check_fail_on)
    rel_paths = _relative_paths(config, path_list)
    _must_exist(path_list)

    _baseline_options(update_baseline, no_baseline)

    result = scan.scan(config, use_cache=False if no_cache else None)
    selection = _selection(config, rel_paths, changed_from)
    report = checks_mod.check_site(
        result, selection, langs or None, checks=names, use_cache=False if no_cache else None, git=not no_git, collections=collections,
    )
    _adopted(adopt.adopt_check(report, langs=langs or None, paths=selection, update=update_baseline, use_baseline=not no_baseline,
                               files=_collection_files(result, collections), use_cache=False if no_cache else None))

    output.diagnostics(((bad.path, bad.line, bad.reason) for bad in report.unreadable), config.root)
    output.render_check(report, fmt.value, fail_on=fail, limit=limit, summary=summary)
    failing = report.failing(fail) or (report.unreadable and fail)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


def _baseline_options(update: bool, ignore: bool) -> None:
    if update and ignore:
        raise UsageError("--update-baseline writes the baseline that --no-baseline ignores: give one of them (--no-baseline)")


def _adopted(adoption) -> None:
    """Say which transync-ignore comments are wrong (the run goes on without them)."""
    for path, line, why in adoption.comment_problems:
        typer.echo(f"transync: {path}:{line}: {why}", err=True)


REPORT_EPILOG = """\
**Examples**

    transync report -o _site/translations     # index.html, status.json, summary.svg

    transync report --with-checks --repo-url 'https://github.com/OWNER/REPO/blob/main/{path}'
"""


@app.command(epilog=REPORT_EPILOG)
@handles_errors
def report(
    root: RootOption = None,
    out: Path = typer.Option(Path("transync-report"), "--output", "-o", file_okay=False, metavar="DIR", help="Folder to write into."),
    lang: LangOption = None,
    collection: CollectionOption = None,
    with_checks: bool = typer.Option(False, "--with-checks", help="Also run `check` and list its findings per language (the new ones, as `check` shows them)."),
    repo_url: Optional[str] = typer.Option(
        None, "--repo-url", metavar="PATTERN",
        help="Link files to the repository: {path} is the file's path (default: [report] repo_url).",
    ),
    no_git: NoGitOption = False,
) -> None:
    """Write a static dashboard: index.html (self-contained), status.json (as `status --format json`) and summary.svg.

    Exit codes: 0 written, 2 a usage or configuration error.
    """
    from transync import checks as checks_mod
    from transync.report import dashboard
    from transync.site import scan, status as status_mod
    from transync.site.history import History

    config = _site(root, [])
    langs = _langs(config, lang)
    collections = _collections(config, collection)
    if repo_url is not None and "{path}" not in repo_url:
        raise UsageError(f"--repo-url {repo_url}: must hold {{path}}, e.g. https://github.com/OWNER/REPO/blob/main/{{path}}")
    history = False if no_git else History.of_site(config)
    result = scan.scan(config)
    status_report = status_mod.report(result, langs=langs or None, git=history, collections=collections)
    found = None
    if with_checks:
        from transync.checks import adopt

        # As `check` shows them: comments and the baseline leave out what the site has accepted.
        found = checks_mod.check_site(result, None, langs or None, checks=list(config.checks), git=not no_git, collections=collections)
        _adopted(adopt.adopt_check(found, langs=langs or None, paths=None, files=_collection_files(result, collections)))
    links = dashboard.Links(config.root, repo_url or config.repo_url, config.site_url)
    for path in dashboard.write(status_report, out, checks=found, links=links):
        typer.echo(str(path))


TRANSLATE_EPILOG = """\
**Examples**

    transync translate content --dry-run                       # what would be sent, nothing is

    transync translate --engine memory                         # no key: the documents the translation memory covers

    DEEPL_AUTH_KEY=... transync translate --to ja,de           # every missing and stale document

    OPENAI_API_KEY=... transync translate --engine openai      # [translate.openai] model = "..."

    transync translate sony-mdr-z1r --to ja                    # one ref

    transync translate --shard 2/4 --memory-out out --format json   # one job of a CI matrix

    transync memory merge shards/ --verify plan.json           # the job that gathers them
"""


@app.command(epilog=TRANSLATE_EPILOG)
@handles_errors
def translate(
    targets: Optional[List[str]] = typer.Argument(
        None, help="Files, folders or refs to translate (default: the whole site).", show_default=False, metavar="PATHS_OR_REFS",
        autocompletion=_complete_ref_or_path,
    ),
    root: RootOption = None,
    to: Optional[List[str]] = typer.Option(
        None, "--to", "-t", metavar="LANG", help="Target languages (default: every language but the source).", autocompletion=_complete_lang,
    ),
    collection: CollectionOption = None,
    engine: Optional[str] = typer.Option(
        None, "--engine", "-e", metavar="NAME",
        help="deepl (default when DEEPL_AUTH_KEY is set), openai (any OpenAI-compatible server), pseudo (a preview, never "
        "counted as a translation), memory (no engine: only the documents the translation memory covers), or an engine a package registers.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Print what would be sent (documents, texts, characters, requests); send nothing."),
    max_chars: Optional[int] = typer.Option(None, "--max-chars", min=1, metavar="N", help="Stop before sending more than N characters."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, max=64, metavar="N", help="Requests in flight (default: [translate] jobs, 4)."),
    force: bool = typer.Option(False, "--force", help="Also overwrite hand-made and hand-edited translations that are stale."),
    no_memory: bool = typer.Option(False, "--no-memory", help="Neither use nor update the translation memory (.transync/memory/*.po)."),
    shard: Optional[str] = typer.Option(None, "--shard", metavar="K/N", help="Only the K-th of N shards, split by ref (for CI matrices)."),
    memory_out: Optional[Path] = typer.Option(
        None, "--memory-out", file_okay=False, metavar="DIR",
        help="Write what this run adds to the memory as deltas DIR/<src>-<tgt>.po (for `memory merge`); the PO files are left as they are.",
    ),
    glossaries: GlossariesOption = None,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    no_git: NoGitOption = False,
) -> None:
    """Translate missing and stale documents, writing each one as soon as it is complete.

    Translations transync wrote are updated when their source changes; translations made or
    edited by hand are reported and left alone unless --force. Interrupted runs resume: finished
    documents are current. Exit codes: 0 done, 1 some documents failed or could not be used (invalid
    or duplicate sources, targets behind symbolic links), 2 usage or configuration error, 3 the
    service refused (bad key, quota exhausted): finished documents are kept.
    """
    from transync.report import output
    from transync.site import scan, status as status_mod
    from transync.translate import run as tr
    from transync.translate.engines import engine_type, make_engine
    from transync.errors import EngineFailure
    from transync.translate.progress import Progress
    from transync.document.provenance import MEMORY, PSEUDO

    items = list(targets or [])
    paths = [Path(t) for t in items if Path(t).exists()]
    refs = [t for t in items if not Path(t).exists()]
    config = _with_glossaries(_site(root, paths), glossaries)
    langs = _langs(config, to, "--to")
    collections = _collections(config, collection)
    shard_spec = tr.parse_shard(shard) if shard else None
    rel_paths = _relative_paths(config, paths)

    result = scan.scan(config)
    # Every language: select() takes the jobs of --to and the unusable sources too.
    report = status_mod.report(result, paths=rel_paths, git=not no_git, collections=collections)
    known_refs = {d.ref for d in result.documents}
    for ref in refs:
        if ref not in known_refs:
            raise UsageError(f"{ref}: neither a file nor the ref of a document of the site")
    offline = engine == MEMORY
    if offline and no_memory:
        raise UsageError("--engine memory writes what the translation memory has: it cannot go with --no-memory")
    no_engine: UsageError | None = None
    try:
        if dry_run and engine is not None and not offline:
            engine_type(engine)  # nothing is sent: no key is needed, but the name must be an engine's
        eng = None if offline or dry_run else make_engine(engine, config, os.environ)
    except UsageError as exc:
        if engine is not None:
            raise
        eng, no_engine = None, exc  # no engine configured: fine when the memory has every text (see below)
    engine_name = MEMORY if offline else eng.name if eng else (engine or "none")
    use_memory = not no_memory
    if memory_out is not None and (no_memory or engine_name == PSEUDO):
        raise UsageError("--memory-out: this run keeps no translation memory (--no-memory, or the pseudo engine)")
    selected, skips = tr.select(
        report, force=force, refs=refs, shard=shard_spec, keep_edits=use_memory and engine_name != PSEUDO, langs=langs,
        engine=engine_name,
    )
    options = tr.options_for(config, report, selected)
    if no_engine is not None:
        offline, engine_name = _memory_covers(config, options, selected, use_memory, no_engine), MEMORY
    refused: EngineFailure | None = None
    if eng is not None and hasattr(eng, "use_glossaries") and not dry_run and selected:
        from transync.translate import glossary as gl

        try:
            eng.use_glossaries(gl.load(config.glossary_folder))
        except EngineFailure as exc:  # e.g. a refused key: the summary still says what was not done
            refused = exc
    run = tr.Run(config, eng, options, workers=jobs or config.translate.jobs, max_chars=max_chars, use_memory=use_memory,
                 offline=offline, memory_out=memory_out, shard=shard)
    if dry_run:
        summary = run.dry_run(selected)
    elif refused is not None:
        summary = tr.Summary(not_started=list(selected), stopped=refused)
    else:
        from transync.translate.interrupts import graceful

        progress = Progress(len(selected))
        run.on_event = progress.event
        try:
            with graceful(run.stop):
                summary = run.run(selected)
        finally:
            progress.close()
    summary.skipped = skips
    summary.shard = shard
    price_engine = engine_name if engine_name != "none" else config.translate.engine or "deepl"
    price = output.Price(config.translate.price(price_engine), config.translate.price_currency, price_engine)
    output.render_translate(summary, fmt.value, dry_run=dry_run, engine=engine_name, root=config.root, price=price)
    if summary.stopped is not None:
        typer.echo(f"transync translate: error: {summary.stopped}", err=True)
    raise typer.Exit(summary.exit_code)


def _memory_covers(config, options, selected, use_memory: bool, no_engine: UsageError) -> bool:
    """With no engine configured, a run may go on when nothing is left to send: every text of
    every selected document is in the memory (or unchanged, or only fields follow the source).
    Else the error, with what would have to be sent."""
    from transync.translate import run as tr

    plan = tr.Run(config, None, options, use_memory=use_memory).dry_run(selected)
    if plan.characters == 0:
        return True  # a document that cannot be planned fails again in the run, and is reported there
    documents = sum(1 for p in plan.planned if p.characters)
    raise UsageError(
        f"{no_engine} ({plan.characters:,} characters of {documents} document{'s' if documents != 1 else ''} "
        "are not in the translation memory; "
        "--engine memory writes the documents it covers)"
    )


@app.command(epilog="""**Example**\n\n    transync pseudo content/_products/en/halden/halden-hx-700.md --to ja\n""")
@handles_errors
def pseudo(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A Markdown document."),
    lang: Optional[str] = typer.Option(
        None, "--to", "-t", metavar="LANG", autocompletion=_complete_lang,
        help="Target language (default: the first the document's collection translates into; xx outside a site's collection).",
    ),
    root: RootOption = None,
    glossaries: GlossariesOption = None,
    no_git: NoGitOption = False,
) -> None:
    """Print what `translate --engine pseudo` would write for a source document: what transync
    translates is accented, padded and bracketed ⟦like this⟧; what it protects (math, code, URLs,
    citations, kept front-matter fields) is left exactly as it is; the front matter is what
    translate writes (title template, converted price, glossary headings and tags, permalink).
    Nothing is written.
    """
    from transync import document
    from transync.translate import localize
    from transync.site import sitepaths
    from transync.translate.engines.pseudo import PseudoEngine
    from transync.translate.body import translate_texts
    from transync.translate import run as tr

    config = _with_glossaries(_site(root, [path]), glossaries)
    source = document.load(path)
    source_lang = source.meta.get("lang") if isinstance(source.meta.get("lang"), str) else config.source_lang
    rel = path.resolve().relative_to(config.root).as_posix() if path.resolve().is_relative_to(config.root) else ""
    collection = next((c for c in config.collections if rel and sitepaths.under(rel, c.path) and config.layout.owns(rel, c)), None)
    if lang is None:
        lang = next((t for t in collection.targets if t != source_lang), "xx") if collection is not None else "xx"
    if collection is not None and lang in collection.targets and source_lang == collection.source_lang:
        settings, target = _pseudo_settings(config, collection, rel, lang, no_git)
    else:  # not a source of the site (or a language it does not translate into): the document's own rules only
        rules = collection.fields if collection is not None else config.fields
        settings = localize.Settings(source_lang=source_lang, target_lang=lang, rules=rules, provenance_key=config.provenance_key, layout=config.layout)
        target = None
    plan = localize.plan(source, settings)
    from_glossary = tr.glossary_headings(plan, settings.glossary)  # as translate does: these are not sent
    done: dict[str, str] = {}
    rejected: dict[str, str] = {}
    for syntax in sorted({r.syntax for r in plan.requests}):  # an MDX body's segments, then its Markdown fields
        texts = {r.key: r.markdown for r in plan.requests if r.syntax == syntax and r.key not in from_glossary}
        done_now, rejected_now, _ = translate_texts(texts, PseudoEngine(), source_lang=source_lang, target_lang=lang, syntax=syntax)
        done.update(done_now)
        rejected.update(rejected_now)
    if rejected:  # cannot happen with the pseudo engine unless placeholders are broken
        raise UsageError(f"{path}: {next(iter(rejected.values()))}")
    if target is not None:  # the provenance translate records
        source_hash = document.content_hash(source.meta, source.body, collection.content_fields)
        source_date = document.normalize_date(source.meta.get("date"))
    else:
        source_hash, source_date = "pseudo", None
    typer.echo(plan.render({**done, **from_glossary}, source_hash=source_hash, source_date=source_date, engine=PseudoEngine.name), nl=False)
    if target is not None:
        from transync.report.output import Paths

        typer.echo(f"transync pseudo: what translate --engine pseudo --to {lang} would write to {Paths(config.root).show(target)}", err=True)


def _pseudo_settings(config, collection, rel: str, lang: str, no_git: bool):
    """The settings ``translate`` uses for the source ``rel`` into ``lang`` (templates learnt from the
    site's translations, currency, glossary), and the path it would write."""
    from transync.site import scan, status as status_mod
    from transync.translate import run as tr

    report = status_mod.report(scan.scan(config), git=not no_git)
    item = next((i for i in report.items if i.lang == lang and i.source_path == rel), None)
    target = (item.path or item.target_path) if item is not None else None
    job = tr.Job(collection, item.ref if item is not None else "", lang, rel, target or "", "missing")
    return tr.options_for(config, report, [job]).settings(config, collection, lang), target


memory_app = typer.Typer(help="The translation memory: gettext PO files in .transync/memory/, one per language pair.", no_args_is_help=True)
app.add_typer(memory_app, name="memory")


@memory_app.command("seed", epilog="""**Example**\n\n    transync memory seed --root ../site --lang ja\n""")
@handles_errors
def memory_seed(
    root: RootOption = None,
    lang: LangOption = None,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    no_git: NoGitOption = False,
    limit: LimitOption = None,
) -> None:
    """Fill the memory with the translations the site already has.

    Every current translation whose segments align with its source's (same block sequence) gives
    its pairs as human entries; documents that do not align are reported, never guessed.
    Exit codes: 0 done, 1 some documents did not align, 2 a usage or configuration error.
    """
    from transync.report import output
    from transync.translate import memory as mem, seed as seeding
    from transync.translate.progress import Progress
    from transync.site import scan, status as status_mod

    config = _site(root, [])
    langs = _langs(config, lang)
    report = status_mod.report(scan.scan(config), git=not no_git)
    seeded = []
    for source_lang in sorted({c.source_lang for c in config.collections}):
        for target in langs or [l for l in config.languages if l != source_lang]:
            memory = mem.Memory.of_site(config, source_lang, target)
            progress = Progress(len(seeding.candidates(memory, report)))  # a live line on a terminal only
            tick = (lambda: progress.event("written", {})) if progress.live else None
            try:
                result = seeding.seed(memory, report, on_document=tick)
            finally:
                progress.close()
            memory.save()
            seeded.append(output.Seeded(source_lang, target, memory.path, result, memory.stats()))
    output.render_seed(seeded, fmt.value, root=config.root, limit=limit)
    misaligned = sum(len(s.result.not_aligned) for s in seeded)
    raise typer.Exit(EXIT_FINDINGS if misaligned else EXIT_OK)


@memory_app.command("merge", epilog="""**Example**\n\n    transync memory merge deltas/ --verify plan.json\n""")
@handles_errors
def memory_merge(
    deltas: List[Path] = typer.Argument(..., help="Delta files from `translate --memory-out`, or folders holding them.", metavar="DELTA..."),
    verify: Optional[Path] = typer.Option(
        None, "--verify", dir_okay=False, metavar="PLAN.json",
        help="Also check that every document planned by `translate --dry-run --format json` is now there and current.",
    ),
    root: RootOption = None,
    fmt: PlainFormat = typer.Option(PlainFormat.table, "--format", "-f", help="Output format."),
    no_git: NoGitOption = False,
) -> None:
    """Fold the memory deltas of sharded runs into the site's memories, in any order with the same result.

    A human translation wins over a machine one; of different machine translations of one text the
    smallest (engine, translation) pair wins and the others are reported. Exit codes: 0 merged,
    1 --verify found planned documents missing or not current, 2 a delta that cannot be used
    (nothing is written then).
    """
    from transync.report import output
    from transync.translate import delta as deltas_mod

    config = _site(root, [])
    results = deltas_mod.merge_files(config, deltas)
    check = None
    if verify is not None:
        from transync.site import scan, status as status_mod
        from transync.translate import shards

        check = shards.verify(verify, status_mod.report(scan.scan(config), git=not no_git))
    output.render_merge(results, check, fmt.value, root=config.root)
    raise typer.Exit(EXIT_FINDINGS if check is not None and check.missing else EXIT_OK)


@app.command(epilog="""**Example**\n\n    transync diff kestrel-ie-5 --lang ja --root content\n""")
@handles_errors
def diff(
    ref: str = typer.Argument(..., help="The ref of the document.", autocompletion=_complete_ref_or_path),
    lang: str = typer.Option(..., "--lang", "-l", metavar="LANG", help="The translation's language.", autocompletion=_complete_lang),
    root: RootOption = None,
    no_git: NoGitOption = False,
) -> None:
    """Show what changed in a source since its translation was made, segment by segment.

    The source as it was translated is never guessed: for a translation transync wrote, its
    provenance records the source segments translated (their texts come from the translation
    memory); otherwise, in a git work tree, it is the source at the translation's last commit
    (the baseline status uses). Exit codes: 0 no change, 1 changes, 2 a usage error.
    """
    from transync.document.provenance import HUMAN
    from transync.report.output import Paths
    from transync.translate import revisions
    from transync.site import scan, status as status_mod

    config = _site(root, [])
    (lang,) = _langs(config, [lang])
    report = status_mod.report(scan.scan(config), git=not no_git)
    result = revisions.source_diff(config, report, ref, lang, git=not no_git)
    item = result.item
    show = Paths(config.root).show
    typer.echo(f"{show(item.source_path)} -> {show(item.path)} ({item.state})")
    base = result.baseline
    if base is not None and base.kind == "provenance" and item.engine == HUMAN:
        typer.echo('compared with the source segments `ack` recorded for this page people made (engine "human")')
    elif base is not None and base.kind == "provenance":
        typer.echo("compared with the source segments transync translated (recorded in the provenance)")
    elif base is not None:
        since = f"its last commit {base.commit[:7]} ({base.date})" if base.commit else "now (it has uncommitted changes)"
        typer.echo(f"compared with the source as it was when the translation was updated: {since}")
    if not result.traced:
        raise UsageError(
            f"{show(item.path)}: the source this translation was made from is not known: transync did not write it "
            "(no segments in its provenance) and git has no history for it (outside git, a shallow clone, or --no-git)"
        )
    for change in result.changes:
        where = f"{show(item.source_path)}:{change.line}" if change.line else show(item.source_path)
        typer.echo(f"\n@@ {change.kind} @@ {where}")
        if change.kind != "added":
            typer.echo(f"- {change.old if change.old is not None else '(a source text the translation memory does not know)'}")
        if change.new is not None:
            typer.echo(f"+ {change.new}")
        if change.translation and change.kind != "added":
            typer.echo(f"  translated as: {change.translation}")
    if not result.changes:
        typer.echo("no change in the translatable segments")
    if result.unknown:
        typer.echo(f"({result.unknown} changed source segments are not in the translation memory: their old text is unknown)")
    raise typer.Exit(EXIT_FINDINGS if result.changes else EXIT_OK)


ACK_EPILOG = """\
**Examples**

    transync ack kestrel-ie-5 --lang ja                 # one translation

    transync ack _products/ja/sony --state stale -n      # what a folder's stale pages would become

    transync ack --lang ja --state stale                 # every stale ja page (after a batch of date bumps)
"""


class AckState(str, Enum):
    stale = "stale"


@app.command(epilog=ACK_EPILOG)
@handles_errors
def ack(
    targets: Optional[List[str]] = typer.Argument(
        None, help="Files, folders or refs whose translations to acknowledge.", show_default=False, metavar="PATHS_OR_REFS",
        autocompletion=_complete_ref_or_path,
    ),
    lang: LangOption = None,
    collection: CollectionOption = None,
    state: Optional[AckState] = typer.Option(
        None, "--state", help="Only stale translations (not the current ones with replaced human segments to review)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Print what would be acknowledged; change nothing."),
    fmt: PlainFormat = typer.Option(PlainFormat.table, "--format", "-f", help="Output format."),
    root: RootOption = None,
    no_git: NoGitOption = False,
) -> None:
    """Accept source changes that need no new translation (typo fixes, date bumps): each stale
    translation selected becomes current without being re-translated (its provenance follows the
    source; a page people made gets a provenance line with engine "human"), and the memory learns its texts.

    Select by paths (a source selects its translations), refs, --lang, --collection and --state; with none
    of them nothing is done. Exit codes: 0 done or nothing to do, 1 some selected translations could
    not be acknowledged (missing, pseudo output), 2 a usage error.
    """
    from transync.report import output
    from transync.site import scan, sitepaths, status as status_mod
    from transync.translate import revisions

    items = list(targets or [])
    if not items and not lang and not collection and state is None:
        raise UsageError("name the translations to acknowledge: PATHS_OR_REFS, --lang, --collection or --state stale")
    paths = [Path(t) for t in items if Path(t).exists()]
    refs = {t for t in items if not Path(t).exists()}
    config = _site(root, paths)
    langs = _langs(config, lang)
    collections = _collections(config, collection)
    rel_paths = _relative_paths(config, paths) or []
    result = scan.scan(config)
    known_refs = {d.ref for d in result.documents}
    for ref in sorted(refs):
        if ref not in known_refs:
            raise UsageError(f"{ref}: neither a file nor the ref of a document of the site")
    report = status_mod.report(result, langs=langs or None, git=not no_git, collections=collections)
    chosen = [
        i for i in report.items
        if not items or i.ref in refs or (rel_paths and sitepaths.selected(rel_paths, i.path, i.source_path, i.target_path))
    ]
    # A source is no translation to acknowledge: a path or ref selects the source's translations.
    chosen = [i for i in chosen if i.source_path is None or i.path != i.source_path]
    files = {p for p, given in zip(rel_paths, paths) if given.is_file()}
    plan = revisions.plan_ack(
        chosen, stale_only=state is not None, named=lambda i: i.ref in refs or bool(files & {i.path, i.target_path}),
    )
    if dry_run:
        done, failed = [], []
    else:
        done, failed = revisions.acknowledge_all(config, plan.todo)
    output.render_ack(plan, done, failed, fmt.value, dry_run=dry_run, root=config.root)
    raise typer.Exit(EXIT_FINDINGS if failed or plan.refused else EXIT_OK)


class Only(str, Enum):
    all = "all"
    stale = "stale"
    missing = "missing"


class ExchangeFormat(str, Enum):
    po = "po"
    xliff = "xliff"


@memory_app.command("export", epilog="""**Example**\n\n    transync memory export --lang ja --only stale -o ja-todo.po\n""")
@handles_errors
def memory_export(
    lang: str = typer.Option(..., "--lang", "-l", metavar="LANG", help="The target language.", autocompletion=_complete_lang),
    only: Only = typer.Option(Only.all, "--only", help="stale, missing, or all (both, plus machine translations to review)."),
    collection: CollectionOption = None,
    out: Optional[Path] = typer.Option(None, "--output", "-o", dir_okay=False, help="The file to write (default: standard output)."),
    file_format: Optional[ExchangeFormat] = typer.Option(
        None, "--format", "-f", help="po, or xliff (XLIFF 2.0, for CAT tools) (default: xliff for an --output ending in .xlf or .xliff, else po).",
    ),
    root: RootOption = None,
    no_git: NoGitOption = False,
) -> None:
    """Write a PO (or XLIFF 2.0) file of the texts that need a translator: those of missing and stale
    translations that the memory does not know (a changed one with its previous source as #| msgid),
    and with --only all the machine translations to review. Document by document, in site order.
    """
    from transync.translate import exchange, memory as mem
    from transync.translate.progress import Ticker
    from transync.site import scan, status as status_mod
    from transync.fsutil import atomic_write

    config = _site(root, [])
    (code,) = _langs(config, [lang])
    report = status_mod.report(scan.scan(config), langs=[code], git=not no_git, collections=_collections(config, collection))
    memory = mem.Memory.of_site(config, config.source_lang, code)
    if file_format is None:
        from transync.translate.xliff import is_xliff

        file_format = ExchangeFormat.xliff if out is not None and is_xliff(out) else ExchangeFormat.po
    export = exchange.export_xliff if file_format is ExchangeFormat.xliff else exchange.export_po
    tick = Ticker()  # a live line on a terminal only
    try:
        result = export(config, report, memory, code, only=only.value, on_document=tick)
    finally:
        tick.close()
    if out is None:
        typer.echo(result.text, nl=False)
    else:
        atomic_write(out, result.text)
    typer.echo(f"{result.entries} texts from {result.documents} documents" + (f" written to {out}" if out else ""), err=True)


@memory_app.command("import", epilog="""**Example**\n\n    transync memory import ja-todo.po\n""")
@handles_errors
def memory_import(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A PO file (or XLIFF 2.0: .xlf, .xliff) from `transync memory export`, translated.",
    ),
    lang: Optional[str] = typer.Option(
        None, "--lang", "-l", metavar="LANG", help="The target language (default: the file's Language header).", autocompletion=_complete_lang,
    ),
    apply: bool = typer.Option(True, "--apply/--no-apply", help="Also write the documents the memory now translates completely."),
    root: RootOption = None,
    no_git: NoGitOption = False,
) -> None:
    """Check a translated PO or XLIFF 2.0 file (known source texts, protected text intact) and put its translations in
    the memory as human ones: all of them, or none when one is wrong. Then write the missing and
    stale documents that the memory now translates completely, without sending anything.
    """

    from transync.document.provenance import MEMORY
    from transync.report import output
    from transync.translate import exchange, memory as mem
    from transync.translate.progress import Ticker
    from transync.site import scan, status as status_mod
    from transync.translate import run as tr

    config = _site(root, [])
    read = exchange.read_file(file)
    if lang is None:
        lang = read.language
        if not lang:
            raise UsageError(f"{file}: no {'trgLang on <xliff>' if read.noun == 'source' else 'Language header'}: give --lang")
    (code,) = _langs(config, [lang.replace("_", "-")])
    report = status_mod.report(scan.scan(config), langs=[code], git=not no_git)
    memory = mem.Memory.of_site(config, config.source_lang, code)
    tick = Ticker()  # a live line on a terminal only
    try:
        result = exchange.import_file(file, config, report, memory, code, on_document=tick, read=read)
    finally:
        tick.close()
    memory.save()
    typer.echo(f"{result.said()}, into {output.Paths(config.root).show(str(memory.path))}")
    if not apply:
        return
    # What `translate --engine memory --to LANG` does: write what the memory covers, say what it lacks.
    selected, skips = tr.select(report, keep_edits=True, langs=[code], engine=MEMORY)
    run = tr.Run(config, None, tr.options_for(config, report, selected), offline=True)
    summary = run.run(selected)
    summary.skipped = skips
    output.render_translate(summary, "table", dry_run=False, engine=MEMORY, root=config.root)
    raise typer.Exit(EXIT_FINDINGS if summary.failed else EXIT_OK)


@app.command(epilog="""**Examples**\n\n    transync permalinks content\n\n    transync permalinks --fix --dry-run   # the diff --fix would apply\n""")
@handles_errors
def permalinks(
    paths: Optional[List[Path]] = typer.Argument(None, help="Files or folders to check (default: the whole site).", show_default=False, metavar="PATHS"),
    root: RootOption = None,
    fix: bool = typer.Option(False, "--fix", help="Rewrite the permalink line of each wrong file whose right permalink is known."),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="With --fix: print the diff, change nothing."),
    redirect: bool = typer.Option(False, "--redirect", help="With --fix: keep the old permalink in redirect_from (jekyll-redirect-from)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    changed_from: ChangedFromOption = None,
    summary: SummaryOption = False,
    limit: LimitOption = None,
) -> None:
    """Check every document's permalink: its language segment is its lang, a translation's is its
    source's with the language swapped, no two documents share one, and none is missing.

    Exit codes: 0 all right (or all fixed), 1 findings left, 2 a usage error.
    """

    from transync.report import output
    from transync.checks import permalinks as pl
    from transync.site import scan

    path_list = list(paths or [])
    config = _site(root, path_list)
    rel = _selection(config, _relative_paths(config, path_list), changed_from)
    _must_exist(path_list)
    result = pl.check(scan.scan(config), paths=rel)
    fixed = set()
    if fix:
        scanned = scan.scan(config)
        for finding in result.findings:
            if finding.expected:
                typer.echo(pl.fix(scanned, finding, write=not dry_run, redirect=redirect), nl=False)
                if not dry_run:
                    fixed.add(finding.path)
    left = [f for f in result.findings if f.path not in fixed]
    output.render_permalinks(result, fmt.value, root=config.root, fixed=fixed, limit=limit, summary=summary)
    output.diagnostics(((path, None, why) for path, why in result.unreadable), config.root)
    raise typer.Exit(EXIT_FINDINGS if left or result.unreadable else EXIT_OK)


INIT_EPILOG = """\
**Examples**

    transync init --root content         # write content/transync.toml

    transync init --ci                   # and .github/workflows/translations.yml

    transync init --force                # replace an existing transync.toml
"""


@app.command(epilog=INIT_EPILOG)
@handles_errors
def init(
    root: RootOption = None,
    ci: bool = typer.Option(False, "--ci", help="Also write .github/workflows/translations.yml (status on every pull request)."),
    force: bool = typer.Option(False, "--force", help="Replace files that exist."),
) -> None:
    """Write a commented transync.toml with what transync finds in the site: layout, languages,
    collections, field rules, learnt title templates, and examples of the common options.

    The file loads back to the configuration in effect now (transync config shows it). Exit codes:
    0 written, 2 a usage error (a file exists: nothing is written without --force).
    """
    from transync.translate import explain

    config = _site(root, [])
    for path, what in explain.init(config, os.environ, ci=ci, force=force):
        typer.echo(f"wrote {path} ({what})")


@app.command("config", epilog="""**Examples**\n\n    transync config --root content\n\n    transync config --format json\n""")
@handles_errors
def config_command(
    root: RootOption = None,
    fmt: PlainFormat = typer.Option(PlainFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """Print the configuration in effect and where each value came from: a default, _config.yml,
    transync.toml (or pyproject.toml), the site generator's files, the environment (keys only as
    set or not set), or learnt from the site's translations (title templates)."""
    from transync.report import output
    from transync.translate import explain

    config = _site(root, [])
    found = explain.settings(config, os.environ, explain.learnt_templates(config))
    output.render_config(found, fmt.value, root=config.root)


glossary_app = typer.Typer(help="Term glossaries: glossaries/<src>-<tgt>.csv files, and their DeepL glossary.", no_args_is_help=True)
app.add_typer(glossary_app, name="glossary")


@glossary_app.command("check-files", epilog="""**Examples**\n\n    transync glossary check-files --root content\n\n    transync glossary check-files glossaries/\n""")
@handles_errors
def glossary_check_files(
    folder: Optional[Path] = typer.Argument(
        None, metavar="[FOLDER]", show_default=False,
        help="The glossary folder, as --glossaries (default: [translate] glossary_dir, glossaries/ of the site).",
    ),
    root: RootOption = None,
    glossaries: GlossariesOption = None,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
) -> None:
    """Check the glossary files: duplicate and conflicting entries, empty terms, terms over DeepL's
    limits, tag-like text, and language pairs the engine ([translate] engine, else DeepL) or the site
    cannot use; each with file and line.
    """
    from transync.translate import glossary as gl
    from transync.report import output

    if folder is not None and glossaries is not None and folder.resolve() != glossaries.resolve():
        raise UsageError(f"{folder}: give the glossary folder once, as FOLDER or as --glossaries {glossaries}")
    option = "FOLDER" if folder is not None else "--glossaries"
    config = _site(root, [])
    folder = _glossary_folder(config, folder if folder is not None else glossaries, option)
    loaded = _glossaries(folder, option)
    problems = gl.check_files(loaded, config.languages)
    # What the engine in use cannot hold (DeepL: its glossary languages).
    from transync.translate.engines import engine_type

    engine_problems = getattr(engine_type(config.translate.engine or "deepl"), "glossary_problems", None)
    if engine_problems is not None:
        problems += [gl.Problem(*problem) for problem in engine_problems(loaded)]
    output.render_glossary_files(loaded, problems, fmt.value, root=config.root, folder=folder)
    raise typer.Exit(EXIT_FINDINGS if problems else EXIT_OK)


@glossary_app.command("check", epilog="""**Examples**\n\n    transync glossary check content\n\n    transync glossary check --lang ja --format github\n""")
@handles_errors
def glossary_check(
    paths: Optional[List[Path]] = typer.Argument(None, help="Files or folders to check (default: the whole site).", show_default=False, metavar="PATHS"),
    root: RootOption = None,
    lang: LangOption = None,
    collection: CollectionOption = None,
    glossaries: GlossariesOption = None,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    changed_from: ChangedFromOption = None,
    update_baseline: UpdateBaselineOption = False,
    no_baseline: NoBaselineOption = False,
    summary: SummaryOption = False,
    limit: LimitOption = None,
) -> None:
    """In existing translations, every glossary term of a source segment must be translated as the
    glossary says; violations are listed with file and line.

    Terms noted as headings or tags are checked there only, one-word terms in headings and tags
    (in prose a word has several senses), reference entries (with a URL) not at all. The baseline
    and <!-- transync-ignore glossary --> comments work as for `check`. Exit codes: 0 no violation,
    1 violations, 2 a usage error.
    """
    from transync.report import output
    from transync.site import scan, status as status_mod
    from transync.checks import adopt, termcheck

    path_list = list(paths or [])
    config = _site(root, path_list)
    langs = _langs(config, lang)
    rel = _selection(config, _relative_paths(config, path_list), changed_from)
    _must_exist(path_list)
    collections = _collections(config, collection)
    scanned = scan.scan(config)
    report = status_mod.report(scanned, langs=langs or None, collections=collections)
    loaded = _glossaries(_glossary_folder(config, glossaries))
    _baseline_options(update_baseline, no_baseline)
    result = termcheck.check_terms(report, loaded, paths=rel)
    adoption = adopt.adopt_terms(result, config, langs=langs or None, paths=rel, update=update_baseline, use_baseline=not no_baseline,
                                 files=_collection_files(scanned, collections))
    _adopted(adoption)
    output.render_terms(result, fmt.value, root=config.root, limit=limit, summary=summary, adoption=adoption)
    output.diagnostics(((path, None, why) for path, why in result.unreadable), config.root)
    raise typer.Exit(EXIT_FINDINGS if result.findings else EXIT_OK)


def _glossary_folder(config, option: Optional[Path], name: str = "--glossaries") -> Path:
    folder = option.resolve() if option is not None else config.glossary_folder
    if option is not None and not folder.is_dir():
        what = "a file, not a folder" if folder.exists() else "no such folder"
        raise UsageError(f"{name} {option}: {what}" if name.startswith("-") else f"{option}: {what} ({name})")
    return folder


def _with_glossaries(config, option: Optional[Path]):
    """The site's configuration with --glossaries DIR as its glossary folder (which must hold a glossary)."""
    if option is None:
        return config
    import dataclasses

    folder = _glossary_folder(config, option)
    _glossaries(folder)
    return dataclasses.replace(config, translate=dataclasses.replace(config.translate, glossary_dir=str(folder)))


def _glossaries(folder: Path, name: str = "--glossaries"):
    """The glossaries of ``folder``; a usage error when it holds none (checking nothing would pass)."""
    from transync.translate import glossary as gl

    loaded = gl.load(folder)
    if not loaded.pairs and not loaded.problems:
        raise UsageError(f"no glossary found in {folder} (files named <src>-<tgt>.csv; {name} or [translate] glossary_dir)")
    return loaded


def _glossary_service(config) -> str:
    """The engine that keeps glossaries on its service (the configured one, else DeepL), told before a key is needed."""
    from transync.translate.engines import engine_type

    name = config.translate.engine or "deepl"
    if not hasattr(engine_type(name), "list_glossaries"):
        raise UsageError(f"the {name} engine keeps no glossaries on its service ([translate] engine)")
    return name


def _glossary_engine(config, name: str | None = None):
    """The engine of :func:`_glossary_service`, made (its key read)."""
    from transync.translate.engines import make_engine

    return make_engine(name or _glossary_service(config), config, os.environ)


@glossary_app.command("sync", epilog="""**Example**\n\n    DEEPL_AUTH_KEY=... transync glossary sync\n""")
@handles_errors
def glossary_sync(root: RootOption = None, glossaries: GlossariesOption = None) -> None:
    """Create the DeepL glossary of the glossary files, named by their content hash: reused while the
    files do not change, replaced (and the old one deleted) when they do, never duplicated.
    `translate` does this by itself; this command does it on demand.
    """
    config = _site(root, [])
    service = _glossary_service(config)
    folder = _glossary_folder(config, glossaries)
    loaded = _glossaries(folder)
    engine = _glossary_engine(config, service)
    synced = engine.use_glossaries(loaded)
    if synced is None:  # files, but not one usable pair: as wrong as no glossary, and check-files says why
        raise UsageError(f"no glossary in {folder} that the {engine.name} engine can use (transync glossary check-files names the problems)")
    state = "created" if synced.created else "unchanged, reused"
    pairs = ", ".join(f"{s}-{t}" for s, t in synced.pairs)
    typer.echo(f"{synced.name} ({synced.glossary_id}): {state}; pairs {pairs}")
    for name in synced.deleted:
        typer.echo(f"  deleted outdated {name}")


@glossary_app.command("list", epilog="""**Example**\n\n    DEEPL_AUTH_KEY=... transync glossary list\n""")
@handles_errors
def glossary_list(root: RootOption = None) -> None:
    """List the glossaries of the DeepL account (transync's are named transync-<hash>)."""
    config = _site(root, [])
    glossaries = _glossary_engine(config).list_glossaries()
    for name, glossary_id, dictionaries in glossaries:
        pairs = ", ".join(f"{src}-{tgt} ({count})" for src, tgt, count in dictionaries)
        typer.echo(f"{name}  {glossary_id}  {pairs}")
    if not glossaries:
        typer.echo("no glossaries")


# Every command prints its examples as written (after all commands are registered).
for _group in (app, memory_app, glossary_app):
    for _info in _group.registered_commands:
        if _info.cls in (None, TyperCommand):
            _info.cls = _Command


def main() -> None:
    import gc

    try:
        # Typer's completion needs the program name, not "__main__.py".
        app(prog_name="transync")
    finally:
        # The process ends here: the last full collection at exit would only go through
        # objects about to go (15 ms after a cold status of a large site).
        gc.freeze()


if __name__ == "__main__":
    main()
