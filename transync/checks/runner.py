"""The check runner: which pairs to check, running the checks on them, and the findings cache.

:func:`check_pair` runs the registered checks (:mod:`transync.checks.invariants`)
on one pair and :func:`check_site` on every translation of a scanned site,
paired with its source as ``status`` pairs them (current and stale ones),
in worker processes on a large site, with the findings of unchanged pairs
from a cache stamped by everything they depend on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple

from transync.site.cache import HeaderCache, identity as file_identity
from transync.checks.invariants import REGISTRY, Context
from transync.checks.page import Page
from transync.site.config import CHECKS, Collection, SiteConfig
from transync.errors import DocumentError
from transync.site.scan import ScanResult


#: Below this many pairs, worker processes cost more than they save.
PARALLEL_THRESHOLD = 200


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Finding:
    """One structural problem of one translation.

    ``line`` is 1-based and in the translation, unless ``line_in_source``:
    then it points at the source (something the translation lacks has no
    line of its own).
    """

    check: str
    path: str  # the translation, relative to the site root
    line: int | None
    message: str
    collection: str
    ref: str
    lang: str
    source_path: str
    line_in_source: bool = False
    state: str = "current"  # the translation's status: current or stale

    @property
    def file(self) -> str:
        """The file ``line`` refers to."""
        return self.source_path if self.line_in_source else self.path


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A document that could not be checked, with the reason and (when known) the line."""

    path: str
    reason: str
    line: int | None = None


@dataclass
class CheckReport:
    config: SiteConfig
    checks: tuple[str, ...]  # the checks that ran, in CHECKS order
    findings: list[Finding]
    unreadable: list[Unreadable] = field(default_factory=list)
    files_checked: int = 0  # translations compared with their source
    #: What transync-ignore comments and the baseline left out (transync.checks.adopt), when applied.
    adoption: Any = None

    def by_check(self) -> dict[str, int]:
        counts = {name: 0 for name in self.checks}
        for f in self.findings:
            counts[f.check] += 1
        return counts

    def failing(self, fail_on: Iterable[str]) -> list[Finding]:
        wanted = set(fail_on)
        return [f for f in self.findings if f.check in wanted]


# --------------------------------------------------------------------------- running


class Pair(NamedTuple):
    """A translation to check and its source (paths relative to the site root)."""

    collection: str
    ref: str
    lang: str
    path: str
    source_path: str
    state: str = "current"


def check_pair(source: Page, translation: Page, ctx: Context, pair: Pair, checks: Iterable[str] = CHECKS) -> list[Finding]:
    """Run the named checks on one pair, in the order given."""
    findings = []
    for name in checks:
        for problem in REGISTRY[name](source, translation, ctx):
            findings.append(
                Finding(
                    name, pair.path, problem.line, problem.message, pair.collection, pair.ref, pair.lang,
                    pair.source_path, problem.in_source, pair.state,
                )
            )
    return findings


def check_texts(
    source: str | bytes,
    translation: str | bytes,
    config: SiteConfig,
    *,
    collection: str | None = None,
    checks: Iterable[str] = CHECKS,
    source_path: str = "source.md",
    path: str = "translation.md",
) -> list[Finding]:
    """Check a translation given as text against its source given as text.

    Raises DocumentError when either cannot be parsed.
    """
    src, tr = Page.from_text(source_path, source), Page.from_text(path, translation)
    coll = next((c for c in config.collections if collection in (None, c.name)), None)
    if coll is None:
        coll = Collection(collection or "pages", "", config.source_lang, config.languages)
    lang = str(tr.meta.get("lang") or "")
    ctx = Context(config, coll, lang, coll.source_lang)
    pair = Pair(coll.name, str(tr.meta.get("ref") or ""), lang, path, source_path)
    return check_pair(src, tr, ctx, pair, list(checks))


def _read(root: str, rel: str) -> Page:
    try:
        with open(os.path.join(root, rel), "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise DocumentError(f"cannot be read: {exc.strerror or exc}") from None
    return Page.from_text(rel, data)


_Job = tuple[SiteConfig, tuple[str, ...], list[list[Pair]]]


def _check_groups(job: _Job) -> tuple[list[Finding], list[Unreadable]]:
    """Check groups of pairs that share a source, reading each source once."""
    config, checks, groups = job
    root = str(config.root)
    by_name = {c.name: c for c in config.collections}
    findings: list[Finding] = []
    unreadable: list[Unreadable] = []
    for group in groups:
        try:
            source = _read(root, group[0].source_path)
        except DocumentError as exc:
            unreadable.append(Unreadable(group[0].source_path, exc.reason, exc.line))
            continue
        for pair in group:
            try:
                translation = _read(root, pair.path)
            except DocumentError as exc:
                unreadable.append(Unreadable(pair.path, exc.reason, exc.line))
                continue
            collection = by_name[pair.collection]
            ctx = Context(config, collection, pair.lang, collection.source_lang)
            findings.extend(check_pair(source, translation, ctx, pair, checks))
    return findings, unreadable


def pairs_of(
    scan_result: ScanResult, *, paths: Iterable[str] | None = None, langs: Iterable[str] | None = None, git: bool = True,
    collections: Iterable[str] | None = None,
) -> tuple[list[Pair], list[Unreadable]]:
    """The translations to check (status current or stale), and the invalid files, under ``paths`` in ``langs`` and ``collections``."""
    from transync.site import status

    report = status.report(scan_result, langs=langs, paths=paths, git=git, collections=collections)
    pairs = [
        Pair(i.collection, i.ref, i.lang, i.path, i.source_path, i.state)
        for i in report.items
        if i.state in ("current", "stale") and i.path and i.source_path and i.ref and i.lang
    ]
    invalid = [Unreadable(i.path, i.reason or "invalid", i.line) for i in report.items if i.state == "invalid" and i.path]
    return pairs, invalid


def check_site(
    scan_result: ScanResult,
    paths: Iterable[str] | None = None,
    langs: Iterable[str] | None = None,
    *,
    checks: Iterable[str] | None = None,
    use_cache: bool | None = None,
    jobs: int | None = None,
    git: bool = True,
    collections: Iterable[str] | None = None,
) -> CheckReport:
    """Check every translation of a scanned site against its source.

    ``paths`` (relative to the root), ``langs`` and ``collections`` limit the translations as
    for ``status``; ``checks`` names the checks to run (default: all).
    Findings of unchanged pairs come from a cache next to the header cache.
    """
    config = scan_result.config
    wanted = set(CHECKS if checks is None else checks)
    names = tuple(n for n in CHECKS if n in wanted)
    pairs, invalid = pairs_of(scan_result, paths=paths, langs=langs, git=git, collections=collections)
    use_cache = config.cache if use_cache is None else use_cache

    store = _FindingsCache(config) if use_cache else None
    known = store.load() if store else {}
    identities = _identities(config, pairs) if store else {}
    findings: list[Finding] = []
    todo: list[Pair] = []
    for pair in pairs:
        hit = known.get(pair.path)
        if hit is not None and hit[0] == identities.get(pair.path):
            findings.extend(Finding(c, pair.path, ln, m, pair.collection, pair.ref, pair.lang, pair.source_path, s, pair.state)
                            for c, ln, m, s in hit[1] if c in wanted)
        else:
            todo.append(pair)

    # A cached entry holds every check's findings, so any --check can use it.
    computed, unreadable = _run(config, CHECKS if store else names, todo, jobs)
    findings.extend(f for f in computed if f.check in wanted)
    if store and todo:
        fresh: dict[str, list[tuple]] = {p.path: [] for p in todo}
        for f in computed:
            fresh[f.path].append((f.check, f.line, f.message, f.line_in_source))
        bad = {u.path for u in unreadable}
        # Pairs outside this run's paths and languages keep their entries while their files exist.
        live = {d.path for d in scan_result.documents}
        entries = {path: entry for path, entry in known.items() if path in live}
        for p in todo:
            if p.path in identities and p.path not in bad and p.source_path not in bad:
                entries[p.path] = (identities[p.path], tuple(fresh[p.path]))
        store.save(entries)

    order = {p.path: n for n, p in enumerate(pairs)}
    findings.sort(key=lambda f: (order[f.path], names.index(f.check), f.line_in_source, f.line or 0))
    unreadable = sorted(set(invalid) | set(unreadable), key=lambda u: u.path)
    return CheckReport(config, names, findings, unreadable, files_checked=len(pairs))


def _run(config: SiteConfig, names: tuple[str, ...], pairs: list[Pair], jobs: int | None) -> tuple[list[Finding], list[Unreadable]]:
    groups: dict[str, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(pair.source_path, []).append(pair)
    work = list(groups.values())
    workers = jobs if jobs is not None else _cpus()
    if workers <= 1 or len(pairs) < PARALLEL_THRESHOLD:
        return _check_groups((config, names, work))
    from transync.site.workers import parallel_map

    size = max(20, len(work) // (workers * 16))  # small chunks: no worker waits long for the last
    results = parallel_map(_check_groups, [(config, names, work[i : i + size]) for i in range(0, len(work), size)], workers)
    if results is None:  # no worker processes allowed here: do it in this one
        return _check_groups((config, names, work))
    findings: list[Finding] = []
    unreadable: list[Unreadable] = []
    for found, bad in results:
        findings.extend(found)
        unreadable.extend(bad)
    return findings, unreadable


def _cpus() -> int:
    try:
        return min(len(os.sched_getaffinity(0)), 4)
    except AttributeError:  # not on Linux
        return min(os.cpu_count() or 1, 4)


# --------------------------------------------------------------------------- cache


def _identities(config: SiteConfig, pairs: list[Pair]) -> dict[str, tuple]:
    """Each pair's identity: both files' (size, mtime, ctime, inode) and the source's path.

    The newest mtime and ctime come second and third, where the header cache
    looks to leave out files modified too recently to be trusted.
    """
    root = str(config.root)
    stats: dict[str, tuple[int, int, int, int]] = {}

    def stat(rel: str) -> tuple[int, int, int, int] | None:
        if rel not in stats:
            try:
                st = os.stat(os.path.join(root, rel))
            except OSError:
                return None
            stats[rel] = file_identity(st)
        return stats[rel]

    result = {}
    for pair in pairs:
        tr, src = stat(pair.path), stat(pair.source_path)
        if tr is not None and src is not None:
            result[pair.path] = (tr[0], max(tr[1], src[1]), max(tr[2], src[2]), tr[3], tr[1], tr[2], *src, pair.source_path)
    return result


class _FindingsCache(HeaderCache):
    """Every check's findings per translation, kept while neither file of the pair changes.

    The entries depend on transync's code (its version and every source
    file: the checks read documents through other modules; a layout installed
    from elsewhere by its own code), on the Markdown
    parser and on the configuration the checks read, so all are part of the
    stamp (see :class:`~transync.site.cache.HeaderCache`).
    """

    def __init__(self, config: SiteConfig) -> None:
        import sys

        import hashlib
        from pathlib import Path

        # The permalink and link rules are the layout's: its name and its code count too (a layout
        # installed from another package is not in transync's own code digest).
        layout_file = sys.modules[type(config.layout).__module__].__file__
        layout = (config.layout.name, hashlib.sha256(Path(layout_file).read_bytes()).hexdigest()[:16] if layout_file else None)
        settings = [
            "checks", layout, _parser_stamp(), config.languages, config.source_lang, config.provenance_key,
            sorted(config.fields.items()), sorted(repr(c) for c in config.collections), repr(config.url_check),
            repr(config.code_check),
        ]
        super().__init__(config.cache_dir, settings)
        self.path = config.cache_dir / f"checks-py{sys.version_info[0]}{sys.version_info[1]}.marshal"


def _parser_stamp() -> list[tuple[int, int] | None]:
    """The installed parser's files, without importing it (a run from the cache never needs it)."""
    from importlib.util import find_spec

    stamp = []
    for name in ("markdown_it", "mdit_py_plugins"):
        spec = find_spec(name)
        try:
            st = os.stat(spec.origin) if spec and spec.origin else None
        except OSError:
            st = None
        stamp.append((st.st_size, st.st_mtime_ns) if st else None)
    return stamp
