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
from typing import Annotated, Callable, List, Optional, TypeVar

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


# Options that several commands share, declared once.
GlossariesOption = Annotated[
    Optional[Path],
    typer.Option("--glossaries", "-g", file_okay=False, metavar="DIR", help="Glossary folder (default: [translate] glossary_dir, glossaries/ of the site)."),
]
RootOption = Annotated[
    Optional[Path],
    typer.Option("--root", "-r", help="Site folder (default: the nearest folder with _config.yml or transync.toml).", file_okay=False, metavar="DIR"),
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
LangOption = Annotated[
    Optional[List[str]], typer.Option("--lang", "-l", metavar="LANG", help="Only these languages (repeat or comma-separate).")
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


def _langs(config, lang: Optional[List[str]]) -> list[str]:
    """--lang values, each one of the site's languages."""
    langs = _split(lang)
    for code in langs:
        if code not in config.languages:
            raise UsageError(f"--lang {code}: not one of the site's languages ({', '.join(config.languages)})")
    return langs


def _selection(config, rel_paths: list[str] | None, changed_from: str | None) -> list[str] | None:
    """The PATHS a command reports on: with --changed-from, the changed site paths (within PATHS if given)."""
    if changed_from is None:
        return rel_paths
    from transync.site import sitepaths
    from transync.site.history import changed_paths

    changed = changed_paths(config.root, changed_from)
    return [p for p in changed if sitepaths.selected(rel_paths, p)]


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

        options = (fmt.value, langs, rel_paths, [p.exists() for p in path_list], shown, fail, replay.terminal())
        replay_key = replay.key(config, walked.token, history, options)
        hit = replay.load(config, "status", replay_key)
        if hit is not None:
            sys.stderr.write(hit.err)
            sys.stdout.write(hit.out)
            raise typer.Exit(hit.code)
    result = scan.scan(config, use_cache=False if no_cache else None, walked=walked)
    _status_render(config, result, history, fmt, langs, path_list, rel_paths, changed_from, shown, fail, replay_key)


def _status_render(config, result, history, fmt, langs, path_list, rel_paths, changed_from, shown, fail, replay_key) -> None:
    """Judge a scanned site, render the report (and keep it for a replay when ``replay_key``), exit."""
    import io

    from transync.report import output
    from transync.site import status as status_mod

    report = status_mod.report(result, langs=langs or None, paths=_selection(config, rel_paths, changed_from), git=history)
    if rel_paths:
        for path, rel in zip(path_list, rel_paths):
            if not path.exists() and not any(rel in (i.path, i.target_path) for i in report.items):
                raise UsageError(f"{path}: no such file or folder")

    err = io.StringIO()
    if fmt in (Format.json, Format.markdown):
        for item in report.items:
            if item.state == "invalid":
                where = f"{item.path}:{item.line}" if item.line else item.path
                err.write(f"transync: {where}: {item.reason}\n")
    sys.stderr.write(err.getvalue())
    code = EXIT_FINDINGS if report.failing(fail) else EXIT_OK
    if replay_key is None:
        output.render_status(report, fmt.value, shown_states=shown, fail_on=fail)
    else:
        from transync.report import replay

        out = replay.Capture(sys.stdout)
        output.render_status(report, fmt.value, shown_states=shown, fail_on=fail, stream=out)
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
) -> None:
    """Compare every translation with its source and report structural problems, with file and line.

    A translation keeps its source's display math, code blocks, URLs, citation numbers, heading
    levels, table shapes and kept front-matter fields; its permalink is the source's with the
    language segment swapped; no placeholder tag is left in it. Stale translations are checked
    against the current source.

    Exit codes: 0 no findings, 1 a finding of a check counted by --fail-on (or a file that cannot
    be read), 2 a usage or configuration error.
    """
    from transync import checks as checks_mod
    from transync.report import output
    from transync.site import scan
    from transync.site.config import parse_checks

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
    report = checks_mod.check_site(result, _selection(config, rel_paths, changed_from), langs or None, checks=names, use_cache=False if no_cache else None, git=not no_git)

    for bad in report.unreadable:
        where = f"{bad.path}:{bad.line}" if bad.line else bad.path
        typer.echo(f"transync: {where}: {bad.reason}", err=True)
    output.render_check(report, fmt.value, fail_on=fail)
    failing = report.failing(fail) or (report.unreadable and fail)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


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
    with_checks: bool = typer.Option(False, "--with-checks", help="Also run `check` and list its findings per language."),
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
    if repo_url is not None and "{path}" not in repo_url:
        raise UsageError(f"--repo-url {repo_url}: must hold {{path}}, e.g. https://github.com/OWNER/REPO/blob/main/{{path}}")
    history = False if no_git else History.of_site(config)
    result = scan.scan(config)
    status_report = status_mod.report(result, langs=langs or None, git=history)
    found = checks_mod.check_site(result, None, langs or None, checks=list(config.checks), git=not no_git) if with_checks else None
    links = dashboard.Links(config.root, repo_url or config.repo_url, config.site_url)
    for path in dashboard.write(status_report, out, checks=found, links=links):
        typer.echo(str(path))


class TranslateFormat(str, Enum):
    table = "table"
    json = "json"


TRANSLATE_EPILOG = """\
**Examples**

    transync translate content --engine pseudo --dry-run      # what would be sent, nothing is

    DEEPL_AUTH_KEY=... transync translate --to ja,de           # every missing and stale document

    OPENAI_API_KEY=... transync translate --engine openai      # [translate.openai] model = "..."

    transync translate sony-mdr-z1r --to ja                    # one ref

    transync translate --shard 2/4 --jobs 8 --format json      # one job of a CI matrix
"""


@app.command(epilog=TRANSLATE_EPILOG)
@handles_errors
def translate(
    targets: Optional[List[str]] = typer.Argument(
        None, help="Files, folders or refs to translate (default: the whole site).", show_default=False, metavar="PATHS_OR_REFS"
    ),
    root: RootOption = None,
    to: Optional[List[str]] = typer.Option(None, "--to", "-t", metavar="LANG", help="Target languages (default: every language but the source)."),
    engine: Optional[str] = typer.Option(
        None, "--engine", "-e", metavar="NAME",
        help="deepl (default when DEEPL_AUTH_KEY is set), openai (any OpenAI-compatible server), pseudo, or an engine a package registers.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Print what would be sent (documents, texts, characters, requests); send nothing."),
    max_chars: Optional[int] = typer.Option(None, "--max-chars", min=1, metavar="N", help="Stop before sending more than N characters."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, max=64, metavar="N", help="Requests in flight (default: [translate] jobs, 4)."),
    force: bool = typer.Option(False, "--force", help="Also overwrite hand-made and hand-edited translations that are stale."),
    no_memory: bool = typer.Option(False, "--no-memory", help="Neither use nor update the translation memory (.transync/memory/*.po)."),
    shard: Optional[str] = typer.Option(None, "--shard", metavar="K/N", help="Only the K-th of N shards, split by ref (for CI matrices)."),
    fmt: TranslateFormat = typer.Option(TranslateFormat.table, "--format", "-f", help="Output format."),
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
    from transync.translate.engines import make_engine
    from transync.errors import EngineFailure
    from transync.translate.progress import Progress

    items = list(targets or [])
    paths = [Path(t) for t in items if Path(t).exists()]
    refs = [t for t in items if not Path(t).exists()]
    config = _site(root, paths)
    langs = _langs(config, to)
    shard_spec = tr.parse_shard(shard) if shard else None
    rel_paths = _relative_paths(config, paths)

    result = scan.scan(config)
    # Every language: select() takes the jobs of --to and the unusable sources too.
    report = status_mod.report(result, paths=rel_paths, git=not no_git)
    known_refs = {d.ref for d in result.documents}
    for ref in refs:
        if ref not in known_refs:
            raise UsageError(f"{ref}: neither a file nor the ref of a document of the site")
    eng = None if dry_run and engine is None else make_engine(engine, config, os.environ)
    engine_name = eng.name if eng else (engine or "none")
    use_memory = not no_memory and engine_name != "pseudo"
    selected, skips = tr.select(report, force=force, refs=refs, shard=shard_spec, keep_edits=use_memory, langs=langs)
    options = tr.options_for(config, report, selected)
    refused: EngineFailure | None = None
    if eng is not None and hasattr(eng, "use_glossaries") and not dry_run and selected:
        from transync.translate import glossary as gl

        try:
            eng.use_glossaries(gl.load(config.glossary_folder))
        except EngineFailure as exc:  # e.g. a refused key: the summary still says what was not done
            refused = exc
    run = tr.Run(config, eng, options, workers=jobs or config.translate.jobs, max_chars=max_chars, use_memory=use_memory)
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
    output.render_translate(summary, fmt.value, dry_run=dry_run, engine=engine_name, root=config.root)
    if summary.stopped is not None:
        typer.echo(f"transync: error: {summary.stopped}", err=True)
    raise typer.Exit(summary.exit_code)


@app.command(epilog="""**Example**\n\n    transync pseudo content/_products/en/halden/halden-hx-700.md\n""")
@handles_errors
def pseudo(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A Markdown document."),
    lang: str = typer.Option("xx", "--to", "-t", metavar="LANG", help="Target language for set and rewrite rules."),
) -> None:
    """Print a pseudo-localized version of a document: what transync translates is accented,
    padded and bracketed ⟦like this⟧; what it protects (math, code, URLs, citations, kept
    front-matter fields) is left exactly as it is. Nothing is written.
    """
    from transync import document
    from transync.translate import localize
    from transync.site import sitepaths
    from transync.site.config import load_config, find_root
    from transync.translate.engines.pseudo import PseudoEngine
    from transync.translate.body import translate_texts

    config = load_config(find_root(path))
    source = document.parse(path.read_bytes())
    source_lang = source.meta.get("lang") if isinstance(source.meta.get("lang"), str) else config.source_lang
    rel = path.resolve().relative_to(config.root).as_posix() if path.resolve().is_relative_to(config.root) else ""
    collection = next((c for c in config.collections if rel and sitepaths.under(rel, c.path)), None)
    rules = collection.fields if collection is not None else config.fields
    settings = localize.Settings(source_lang=source_lang, target_lang=lang, rules=rules, provenance_key=config.provenance_key, layout=config.layout)
    plan = localize.plan(source, settings)
    done, rejected, _ = translate_texts({r.key: r.markdown for r in plan.requests}, PseudoEngine(), source_lang=source_lang, target_lang=lang)
    if rejected:  # cannot happen with the pseudo engine unless placeholders are broken
        raise UsageError(f"{path}: {next(iter(rejected.values()))}")
    typer.echo(plan.render(done, source_hash="pseudo", source_date=None), nl=False)


memory_app = typer.Typer(help="The translation memory: gettext PO files in .transync/memory/, one per language pair.", no_args_is_help=True)
app.add_typer(memory_app, name="memory")


@memory_app.command("seed", epilog="""**Example**\n\n    transync memory seed --root ../site --lang ja\n""")
@handles_errors
def memory_seed(
    root: RootOption = None,
    lang: LangOption = None,
    fmt: TranslateFormat = typer.Option(TranslateFormat.table, "--format", "-f", help="Output format."),
    no_git: NoGitOption = False,
) -> None:
    """Fill the memory with the translations the site already has.

    Every current translation whose segments align with its source's (same block sequence) gives
    its pairs as human entries; documents that do not align are reported, never guessed.
    Exit codes: 0 done, 1 some documents did not align, 2 a usage or configuration error.
    """
    import json

    from transync.translate import memory as mem, seed as seeding
    from transync.translate.progress import Progress
    from transync.site import scan, status as status_mod

    config = _site(root, [])
    langs = _langs(config, lang)
    report = status_mod.report(scan.scan(config), git=not no_git)
    results = {}
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
            results[(source_lang, target, memory.path)] = (result, memory.stats())
    misaligned = 0
    if fmt is TranslateFormat.json:
        out = []
        for (src, tgt, path), (r, stats) in results.items():
            misaligned += len(r.not_aligned)
            out.append({
                "source_lang": src, "target_lang": tgt, "path": str(path), "documents": r.documents,
                "aligned": r.aligned, "machine_documents": r.machine_documents, "pairs": r.pairs,
                "added": r.added, "replaced": r.replaced, "unchanged": r.unchanged, "conflicts": r.conflicts,
                "entries": stats.entries, "human": stats.human,
                "not_aligned": [{"path": n.path, "source_path": n.source_path, "reason": n.reason} for n in r.not_aligned],
                "unreadable": [{"path": p, "reason": why} for p, why in r.unreadable],
            })
        typer.echo(json.dumps({"schema_version": 1, "memories": out}, ensure_ascii=False, indent=2))
    else:
        for (src, tgt, path), (r, stats) in results.items():
            misaligned += len(r.not_aligned)
            typer.echo(
                f"{src} -> {tgt}: {r.aligned} of {r.documents} translations aligned, {r.pairs} pairs, "
                f"{r.added} added, {r.replaced} replaced; {stats.entries} entries ({stats.human} human) in {path}"
            )
            for n in r.not_aligned:
                typer.echo(f"  not aligned: {n.path}: {n.reason}")
            for p, why in r.unreadable:
                typer.echo(f"  unreadable: {p}: {why}")
    raise typer.Exit(EXIT_FINDINGS if misaligned else EXIT_OK)


@app.command(epilog="""**Example**\n\n    transync diff kestrel-ie-5 --lang ja --root content\n""")
@handles_errors
def diff(
    ref: str = typer.Argument(..., help="The ref of the document."),
    lang: str = typer.Option(..., "--lang", "-l", metavar="LANG", help="The translation's language."),
    root: RootOption = None,
    no_git: NoGitOption = False,
) -> None:
    """Show what changed in a source since its translation was made, segment by segment.

    The source as it was translated is never guessed: for a translation transync wrote, its
    provenance records the source segments translated (their texts come from the translation
    memory); otherwise, in a git work tree, it is the source at the translation's last commit
    (the baseline status uses). Exit codes: 0 no change, 1 changes, 2 a usage error.
    """
    from transync.translate import revisions
    from transync.site import scan, status as status_mod

    config = _site(root, [])
    report = status_mod.report(scan.scan(config), git=not no_git)
    result = revisions.source_diff(config, report, ref, lang, git=not no_git)
    item = result.item
    typer.echo(f"{item.source_path} -> {item.path} ({item.state})")
    base = result.baseline
    if base is not None and base.kind == "provenance":
        typer.echo("compared with the source segments transync translated (recorded in the provenance)")
    elif base is not None:
        since = f"its last commit {base.commit[:7]} ({base.date})" if base.commit else "now (it has uncommitted changes)"
        typer.echo(f"compared with the source as it was when the translation was updated: {since}")
    if not result.traced:
        raise UsageError(
            f"{item.path}: the source this translation was made from is not known: transync did not write it "
            "(no segments in its provenance) and git has no history for it (outside git, a shallow clone, or --no-git)"
        )
    for change in result.changes:
        where = f"{item.source_path}:{change.line}" if change.line else item.source_path
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


@app.command(epilog="""**Example**\n\n    transync ack kestrel-ie-5 --lang ja --root content\n""")
@handles_errors
def ack(
    ref: str = typer.Argument(..., help="The ref of the document."),
    lang: str = typer.Option(..., "--lang", "-l", metavar="LANG", help="The translation's language."),
    root: RootOption = None,
    no_git: NoGitOption = False,
) -> None:
    """Accept a source change that needs no new translation (a typo fix): the translation
    becomes current without being re-translated.
    """
    from transync.translate import revisions
    from transync.site import scan, status as status_mod

    config = _site(root, [])
    report = status_mod.report(scan.scan(config), git=not no_git)
    result = revisions.acknowledge(config, report, ref, lang)
    how = "its provenance now records the current source" if result.how == "provenance" else "its date is now the source's"
    typer.echo(f"{result.item.path} is current: {how}" + (f"; {result.learned} new source segments learnt by the memory" if result.learned else ""))


class Only(str, Enum):
    all = "all"
    stale = "stale"
    missing = "missing"


@memory_app.command("export", epilog="""**Example**\n\n    transync memory export --lang ja --only stale -o ja-todo.po\n""")
@handles_errors
def memory_export(
    lang: str = typer.Option(..., "--lang", "-l", metavar="LANG", help="The target language."),
    only: Only = typer.Option(Only.all, "--only", help="stale, missing, or all (both, plus machine translations to review)."),
    out: Optional[Path] = typer.Option(None, "--output", "-o", dir_okay=False, help="The PO file to write (default: standard output)."),
    root: RootOption = None,
    no_git: NoGitOption = False,
) -> None:
    """Write a PO file of the texts that need a translator: those of missing and stale translations
    that the memory does not know (a changed one with its previous source as #| msgid), and with
    --only all the machine translations to review.
    """
    from transync.translate import exchange, memory as mem
    from transync.site import scan, status as status_mod
    from transync.fsutil import atomic_write

    config = _site(root, [])
    (code,) = _langs(config, [lang])
    report = status_mod.report(scan.scan(config), langs=[code], git=not no_git)
    memory = mem.Memory.of_site(config, config.source_lang, code)
    result = exchange.export_po(config, report, memory, code, only=only.value)
    if out is None:
        typer.echo(result.text, nl=False)
    else:
        atomic_write(out, result.text)
    typer.echo(f"{result.entries} texts from {result.documents} documents" + (f" written to {out}" if out else ""), err=True)


@memory_app.command("import", epilog="""**Example**\n\n    transync memory import ja-todo.po\n""")
@handles_errors
def memory_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A PO file from `transync memory export`, translated."),
    lang: Optional[str] = typer.Option(None, "--lang", "-l", metavar="LANG", help="The target language (default: the file's Language header)."),
    apply: bool = typer.Option(True, "--apply/--no-apply", help="Also write the documents the memory now translates completely."),
    root: RootOption = None,
    no_git: NoGitOption = False,
) -> None:
    """Check a translated PO file (known msgids, protected text intact) and put its translations in
    the memory as human ones: all of them, or none when one is wrong. Then write the missing and
    stale documents that the memory now translates completely, without sending anything.
    """
    import polib

    from transync.translate import exchange, memory as mem
    from transync.site import scan, status as status_mod
    from transync.translate import run as tr

    config = _site(root, [])
    if lang is None:
        try:
            lang = polib.pofile(str(file)).metadata.get("Language", "")
        except (OSError, ValueError) as exc:
            raise UsageError(f"{file}: not a readable PO file: {exc}") from None
        if not lang:
            raise UsageError(f"{file}: no Language header: give --lang")
    (code,) = _langs(config, [lang.replace("_", "-")])
    report = status_mod.report(scan.scan(config), langs=[code], git=not no_git)
    memory = mem.Memory.of_site(config, config.source_lang, code)
    result = exchange.import_po(file, config, report, memory, code)
    memory.save()
    typer.echo(f"{result.entries} translations imported into {memory.path} ({result.skipped} empty or fuzzy entries skipped)")
    if not apply:
        return
    selected, skips = tr.select(report, keep_edits=True)
    run = tr.Run(config, None, tr.options_for(config, report, selected), offline=True)
    summary = run.run(selected)
    for r in summary.written:
        typer.echo(f"  written  {r.job.target_path}")
    for r in summary.failed:
        typer.echo(f"  failed   {r.job.target_path}: {r.reason}")
    if summary.not_started:
        typer.echo(f"  {len(summary.not_started)} documents still need texts the memory does not have")
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
    paths_view = output.Paths(config.root)
    if fmt is Format.json:
        data = {
            "schema_version": 1, "root": str(config.root), "checked": result.checked,
            "fixed": sorted(fixed),
            "findings": [
                {"collection": f.collection, "ref": f.ref, "lang": f.lang, "path": f.path, "line": f.line,
                 "message": f.message, "expected": f.expected}
                for f in left
            ],
        }
        output.write_json(data, sys.stdout, list_key="findings")
    elif fmt is Format.github:
        for f in left:
            typer.echo(output.annotation("error", paths_view.show(f.path), f.line, "transync: permalink", f.message))
    else:
        for f in left:
            typer.echo(f"{paths_view.show(f.path)}:{f.line}  {f.message}")
        if fixed:
            typer.echo(f"{len(fixed)} files fixed")
        typer.echo(f"{result.checked} documents checked: {len(left)} permalink problems" if left else f"{result.checked} documents checked: all permalinks right")
    for path, why in result.unreadable:
        typer.echo(f"transync: {path}: {why}", err=True)
    raise typer.Exit(EXIT_FINDINGS if left or result.unreadable else EXIT_OK)


glossary_app = typer.Typer(help="Term glossaries: glossaries/<src>-<tgt>.csv files, and their DeepL glossary.", no_args_is_help=True)
app.add_typer(glossary_app, name="glossary")


@glossary_app.command("check-files", epilog="""**Example**\n\n    transync glossary check-files --root content\n""")
@handles_errors
def glossary_check_files(
    root: RootOption = None,
    glossaries: GlossariesOption = None,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
) -> None:
    """Check the glossary files: duplicate and conflicting entries, empty terms, terms over DeepL's
    limits, tag-like text, and language pairs the engine ([translate] engine, else DeepL) or the site
    cannot use; each with file and line.
    """
    import json

    from transync.translate import glossary as gl
    from transync.report import output

    config = _site(root, [])
    folder = _glossary_folder(config, glossaries)
    loaded = gl.load(folder)
    problems = gl.check_files(loaded, config.languages)
    # What the engine in use cannot hold (DeepL: its glossary languages).
    from transync.translate.engines import engine_type

    engine_problems = getattr(engine_type(config.translate.engine or "deepl"), "glossary_problems", None)
    if engine_problems is not None:
        problems += [gl.Problem(*problem) for problem in engine_problems(loaded)]
    shown = {p.path: str(folder / p.path) for p in problems}
    paths = output.Paths(config.root, os.environ.get("GITHUB_WORKSPACE") if fmt is Format.github else None)
    if fmt is Format.json:
        typer.echo(json.dumps({
            "schema_version": 1, "folder": str(folder),
            "pairs": {f"{s}-{t}": len(e) for (s, t), e in sorted(loaded.pairs.items())},
            "problems": [{"path": shown[p.path], "line": p.line, "message": p.message} for p in problems],
        }, ensure_ascii=False, indent=2))
    elif fmt is Format.github:
        for p in problems:
            typer.echo(output.annotation("error", paths.show(os.path.relpath(shown[p.path], config.root)), p.line, "transync: glossary", p.message))
    else:
        for p in problems:
            typer.echo(f"{paths.show(os.path.relpath(shown[p.path], config.root))}:{p.line}: {p.message}")
        pairs = ", ".join(f"{s}-{t} ({len(e)} terms)" for (s, t), e in sorted(loaded.pairs.items()))
        typer.echo(f"{folder}: {pairs or 'no glossaries'}; {len(problems)} problems")
    raise typer.Exit(EXIT_FINDINGS if problems else EXIT_OK)


@glossary_app.command("check", epilog="""**Examples**\n\n    transync glossary check content\n\n    transync glossary check --lang ja --format github\n""")
@handles_errors
def glossary_check(
    paths: Optional[List[Path]] = typer.Argument(None, help="Files or folders to check (default: the whole site).", show_default=False, metavar="PATHS"),
    root: RootOption = None,
    lang: LangOption = None,
    glossaries: GlossariesOption = None,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    changed_from: ChangedFromOption = None,
) -> None:
    """In existing translations, every glossary term of a source segment must be translated as the
    glossary says; violations are listed with file and line.

    Terms noted as headings or tags are checked there only, one-word terms in headings and tags
    (in prose a word has several senses), reference entries (with a URL) not at all. Exit codes:
    0 no violation, 1 violations, 2 a usage error.
    """
    from collections import Counter

    from transync.translate import glossary as gl
    from transync.report import output
    from transync.site import scan, status as status_mod
    from transync.checks import termcheck

    path_list = list(paths or [])
    config = _site(root, path_list)
    langs = _langs(config, lang)
    rel = _selection(config, _relative_paths(config, path_list), changed_from)
    report = status_mod.report(scan.scan(config), langs=langs or None)
    loaded = gl.load(_glossary_folder(config, glossaries))
    result = termcheck.check_terms(report, loaded, paths=rel)
    view = output.Paths(config.root, os.environ.get("GITHUB_WORKSPACE") if fmt is Format.github else None)
    if fmt is Format.json:
        data = {
            "schema_version": 1, "root": str(config.root), "checked": result.checked, "not_aligned": result.not_aligned,
            "findings": [
                {"path": f.path, "line": f.line, "source_path": f.source_path, "lang": f.lang, "term": f.term,
                 "target": f.target, "message": f.message}
                for f in result.findings
            ],
        }
        output.write_json(data, sys.stdout, list_key="findings")
    elif fmt is Format.github:
        for f in result.findings:
            typer.echo(output.annotation("warning", view.show(f.path), f.line, "transync: glossary", f.message))
    else:
        for f in result.findings:
            typer.echo(f"{view.show(f.path)}:{f.line}  {f.message}")
        if result.findings:
            common = Counter((f.term, f.target) for f in result.findings).most_common(10)
            typer.echo("\nmost frequent: " + ", ".join(f"{t} -> {g} ({n})" for (t, g), n in common))
        typer.echo(
            f"{result.checked} translations checked ({result.not_aligned} whose structure does not align: tags only): "
            f"{len(result.findings)} glossary violations"
        )
    for path, why in result.unreadable:
        typer.echo(f"transync: {path}: {why}", err=True)
    raise typer.Exit(EXIT_FINDINGS if result.findings else EXIT_OK)


def _glossary_folder(config, option: Optional[Path]) -> Path:
    folder = option.resolve() if option is not None else config.glossary_folder
    if option is not None and not folder.is_dir():
        raise UsageError(f"--glossaries {option}: no such folder")
    return folder


def _glossary_engine(config):
    """The engine that keeps glossaries on its service (the configured one, else DeepL)."""
    from transync.translate.engines import make_engine

    engine = make_engine(config.translate.engine or "deepl", config, os.environ)
    if not hasattr(engine, "list_glossaries"):
        raise UsageError(f"the {engine.name} engine keeps no glossaries on its service ([translate] engine)")
    return engine


@glossary_app.command("sync", epilog="""**Example**\n\n    DEEPL_AUTH_KEY=... transync glossary sync\n""")
@handles_errors
def glossary_sync(root: RootOption = None, glossaries: GlossariesOption = None) -> None:
    """Create the DeepL glossary of the glossary files, named by their content hash: reused while the
    files do not change, replaced (and the old one deleted) when they do, never duplicated.
    `translate` does this by itself; this command does it on demand.
    """
    from transync.translate import glossary as gl

    config = _site(root, [])
    engine = _glossary_engine(config)
    synced = engine.use_glossaries(gl.load(_glossary_folder(config, glossaries)))
    if synced is None:
        typer.echo("no glossary to sync")
        return
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


def main() -> None:
    # Typer's completion needs the program name, not "__main__.py".
    app(prog_name="transync")


if __name__ == "__main__":
    main()
