"""Adopting the checks on an existing site: inline suppressions and the baseline, applied to a run.

A run's findings go through the ``transync-ignore`` comments of the files
they point at (:mod:`transync.checks.suppress`), then through the baseline
(:mod:`transync.checks.baseline`): what is left is what is new. With
``update`` the baseline becomes the run's findings instead (within the
run's checks, languages and PATHS; the rest of the file stays).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from transync.checks import suppress
from transync.checks.baseline import Baseline, Entry, Key, content, scope

if TYPE_CHECKING:
    from transync.checks.runner import CheckReport, Finding
    from transync.checks.termcheck import TermFinding, TermReport
    from transync.site.config import SiteConfig

GLOSSARY = "glossary"


@dataclass
class Adoption:
    """What the comments and the baseline did to one run (transync.report.output.adoption_lines words it)."""

    baseline: str  # the baseline file, relative to the site root
    command: str  # how to run the command again (for the hint to trim the baseline)
    suppressed: int = 0  # findings silenced by transync-ignore comments
    known: int = 0  # findings the baseline accepts, not shown
    known_by_lang: dict[str, int] = field(default_factory=dict)  # ``known`` per language (not with ``update``)
    fixed: list[Entry] = field(default_factory=list)  # accepted findings of this run's scope that are gone
    updated: tuple[int, int, int] | None = None  # with --update-baseline: (accepted now, added, removed)
    used: bool = False  # a baseline file was read
    comment_problems: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, what is wrong)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.baseline, "used": self.used, "accepted_not_shown": self.known,
            "fixed": [{"path": e.key.path, "check": e.key.check, "message": e.key.message} for e in self.fixed],
            "updated": None if self.updated is None else dict(zip(("accepted", "added", "removed"), self.updated)),
            "suppressed": self.suppressed,
        }


def check_entry(f: "Finding") -> Entry:
    return Entry(Key(f.path, f.check, content(f.message)), f.lang, f.source_path)


def term_entry(f: "TermFinding") -> Entry:
    return Entry(Key(f.path, GLOSSARY, content(f.message)), f.lang, f.source_path)


def _where_check(f: "Finding") -> suppress.Where:
    return suppress.Where(f.check, f.file, f.line, (f.path, f.source_path))


def _where_term(f: "TermFinding") -> suppress.Where:
    return suppress.Where(GLOSSARY, f.path, f.line, (f.path, f.source_path))


def _run(
    config: "SiteConfig", section: str, command: str, findings: list, entry, where, in_scope, *, update: bool, use_baseline: bool,
    use_cache: bool | None = None,
) -> tuple[list, Adoption]:
    path = config.root / config.baseline
    adoption = Adoption(config.baseline, command)
    cached = config.cache if use_cache is None else use_cache
    applied = suppress.apply(config.root, findings, where, config.cache_dir if cached else None)
    adoption.suppressed, adoption.comment_problems = applied.suppressed, applied.problems
    if not (update or use_baseline):
        return applied.kept, adoption
    baseline = Baseline.load(path, config.baseline)
    if update:
        added, removed = baseline.update(section, applied.kept, entry, in_scope)
        baseline.save()
        adoption.updated = (baseline.total(section), added, removed)
        adoption.known = len(applied.kept)
        return [], adoption
    compared = baseline.compare(section, applied.kept, entry, in_scope)
    adoption.used = baseline.exists
    adoption.known, adoption.known_by_lang, adoption.fixed = compared.known, dict(compared.known_by_lang), compared.fixed
    return compared.new, adoption


def adopt_check(
    report: "CheckReport", *, langs: Iterable[str] | None, paths: Iterable[str] | None, update: bool = False, use_baseline: bool = True,
    files: Iterable[str] | None = None, use_cache: bool | None = None,
) -> Adoption:
    """Apply the comments and the baseline to a ``check`` report (its findings become the new ones);
    ``files``: the run looked only at these files (its collections'), so only their accepted findings are in scope;
    ``use_cache`` False: every file a finding points at is read for its comments (``check --no-cache``)."""
    in_scope = scope(report.checks, langs, paths, files)
    report.findings, adoption = _run(
        report.config, "check", "transync check", report.findings, check_entry, _where_check, in_scope,
        update=update, use_baseline=use_baseline, use_cache=use_cache,
    )
    report.adoption = adoption
    return adoption


def adopt_terms(
    result: "TermReport", config: "SiteConfig", *, langs: Iterable[str] | None, paths: Iterable[str] | None, update: bool = False,
    use_baseline: bool = True, files: Iterable[str] | None = None,
) -> Adoption:
    """Apply the comments and the baseline to a ``glossary check`` result (its findings become the new ones); ``files`` as for :func:`adopt_check`."""
    in_scope = scope([GLOSSARY], langs, paths, files)
    result.findings, adoption = _run(
        config, GLOSSARY, "transync glossary check", result.findings, term_entry, _where_term, in_scope,
        update=update, use_baseline=use_baseline,
    )
    return adoption
