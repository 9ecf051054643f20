"""A batch split across machines: did every document a plan lists arrive?

A CI matrix plans once (``translate --dry-run --format json``), translates in N
shard jobs and gathers their documents and memory deltas in one job
(``transync memory merge --verify PLAN.json``). :func:`verify` reads the plan
and the site as it is after the gathering: each planned document must be there
and current. A shard that failed, or whose documents were not downloaded,
shows up as documents still missing or stale.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from transync.errors import UsageError
from transync.site.status import StatusReport


@dataclass(frozen=True)
class Planned:
    collection: str
    ref: str
    lang: str
    path: str


@dataclass
class PlanCheck:
    plan: Path
    arrived: list[Planned] = field(default_factory=list)
    missing: list[tuple[Planned, str]] = field(default_factory=list)  # with the state found ("missing", "stale"...)


def read_plan(path: str | os.PathLike[str]) -> list[Planned]:
    """The documents a ``translate --dry-run --format json`` output plans; UsageError naming the file otherwise."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not a readable JSON plan: {exc}") from None
    if not isinstance(data, dict) or data.get("dry_run") is not True or not isinstance(data.get("documents"), list):
        raise UsageError(f"{path}: not a plan: give the output of `transync translate --dry-run --format json`")
    planned = []
    for doc in data["documents"]:
        if isinstance(doc, dict) and doc.get("status") == "planned":
            try:
                planned.append(Planned(doc["collection"], doc["ref"], doc["lang"], doc["path"]))
            except KeyError as exc:
                raise UsageError(f"{path}: a planned document without {exc.args[0]!r}") from None
    return planned


def verify(plan_path: str | os.PathLike[str], report: StatusReport) -> PlanCheck:
    """Each document of the plan, arrived (current in ``report``) or not (with the state it is in)."""
    check = PlanCheck(Path(plan_path))
    states = {(i.collection, i.ref, i.lang): i.state for i in report.items}
    for doc in read_plan(plan_path):
        state = states.get((doc.collection, doc.ref, doc.lang), "missing")
        if state == "current":
            check.arrived.append(doc)
        else:
            check.missing.append((doc, state))
    return check
