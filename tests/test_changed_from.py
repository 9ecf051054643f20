"""--changed-from REV: status, check, permalinks and glossary check report only what a branch touches."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import doc
from test_history import Repo
from transync.cli import app
from transync.site.history import changed_paths

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.usefixtures("git_env"),  # no user or system git configuration, a fixed author
]

P = "_products/{lang}/{ref}.md"


def path(ref: str, lang: str) -> str:
    return P.format(ref=ref, lang=lang)


@pytest.fixture
def branch(tmp_path: Path) -> Repo:
    """main: three products, each translated to ja; the branch then edits a, adds d (untranslated), edits c's ja."""
    r = Repo(tmp_path / "repo")
    files = {}
    for ref in ("a", "b", "c"):
        files[path(ref, "en")] = doc(ref, "en", permalink=f"/en/{ref}/")
        files[path(ref, "ja")] = doc(ref, "ja", permalink=f"/ja/{ref}/")
    r.commit("Products", "2025-01-10T10:00:00+00:00", files)
    r.git("checkout", "-q", "-b", "topic")
    r.commit("Edit a, add d", "2025-02-01T10:00:00+00:00", {
        path("a", "en"): doc("a", "en", date="2025-02-01", body="## Overview\n\nNew text.\n", permalink="/en/a/"),
        path("d", "en"): doc("d", "en", permalink="/en/d/"),
    })
    # uncommitted: c's translation (a wrong permalink)
    r.write({path("c", "ja"): doc("c", "ja", permalink="/en/c/")})
    return r


def run(site: Path, *args: str):
    return CliRunner().invoke(app, [*args, "--root", str(site)])


def test_changed_paths_are_the_branch_and_the_work_tree_relative_to_the_site(branch):
    (branch.site / "_products/en/e.md").write_text(doc("e", "en"))  # untracked
    assert changed_paths(branch.site, "main") == sorted([path("a", "en"), path("c", "ja"), path("d", "en"), path("e", "en")])


def test_status_reports_changed_sources_with_their_translations_and_changed_translations(branch):
    res = run(branch.site, "status", "--format", "json", "--changed-from", "main")
    items = {(i["ref"], i["lang"], i["state"]) for i in json.loads(res.stdout)["items"]}
    assert items == {("a", "ja", "stale"), ("c", "ja", "current"), ("d", "ja", "missing")}
    whole = json.loads(run(branch.site, "status", "--format", "json").stdout)["items"]
    assert {i["ref"] for i in whole} == {"a", "b", "c", "d"}


def test_changed_from_within_paths_keeps_only_the_changed_paths_there(branch):
    res = run(branch.site, "status", "--format", "json", "--changed-from", "main", str(branch.site / "_products/ja"))
    assert {(i["ref"], i["lang"]) for i in json.loads(res.stdout)["items"]} == {("c", "ja")}


def test_nothing_changed_reports_nothing(branch):
    branch.git("stash", "-q", "-u")
    res = run(branch.site, "status", "--format", "json", "--changed-from", "HEAD")
    assert res.exit_code == 0 and json.loads(res.stdout)["items"] == []


def test_permalinks_check_and_glossary_check_take_the_changed_paths(branch):
    res = run(branch.site, "permalinks", "--changed-from", "main")
    assert res.exit_code == 1 and path("c", "ja") in res.stdout
    b_wrong = {path("b", "ja"): doc("b", "ja", permalink="/en/b/")}
    branch.write(b_wrong)
    branch.git("commit", "-q", "-m", "b wrong", "--", str(branch.site / path("b", "ja")))
    res = run(branch.site, "permalinks", "--changed-from", "HEAD")  # b's change is committed: not touched since HEAD
    assert path("b", "ja") not in res.stdout and path("c", "ja") in res.stdout
    res = run(branch.site, "check", "--format", "json", "--changed-from", "HEAD")
    assert {f["path"] for f in json.loads(res.stdout)["findings"]} == {path("c", "ja")}
    (branch.site / "glossaries").mkdir()
    (branch.site / "glossaries/en-ja.csv").write_text("source,target,note\nOverview,概要,Section heading\n")
    res = run(branch.site, "glossary", "check", "--format", "json", "--changed-from", "HEAD")
    assert {f["path"] for f in json.loads(res.stdout)["findings"]} == {path("c", "ja")}
    res = run(branch.site, "glossary", "check", "--format", "json")
    assert {f["path"] for f in json.loads(res.stdout)["findings"]} == {path(r, "ja") for r in "abc"}


@pytest.mark.parametrize("rev, message", [("no-such-rev", "--changed-from no-such-rev: no such commit")])
def test_an_unknown_rev_is_one_line_and_exit_2(branch, rev, message):
    res = run(branch.site, "status", "--changed-from", rev)
    assert res.exit_code == 2 and message in res.output and len(res.output.strip().splitlines()) == 1


def test_outside_git_is_one_line_and_exit_2(tmp_path, make_site):
    site = make_site({"_products/en/a.md": doc("a", "en")})
    res = run(site, "status", "--changed-from", "main")
    assert res.exit_code == 2 and "is not in a git repository" in res.output


def test_a_rev_without_a_merge_base_is_one_line_and_exit_2(branch):
    branch.git("checkout", "-q", "--orphan", "other")
    branch.commit("Unrelated", "2025-03-01T10:00:00+00:00", {"_products/en/z.md": doc("z", "en")})
    res = run(branch.site, "status", "--changed-from", "main")
    assert res.exit_code == 2 and res.output == "transync status: error: --changed-from main: fatal: main...HEAD: no merge base\n"
    assert len(res.output.strip().splitlines()) == 1
