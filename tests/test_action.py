"""The GitHub Action's shell steps (scripts/), run locally: a fake `gh` on PATH records its calls."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import doc

REPO = Path(__file__).resolve().parent.parent
SCRIPTS = REPO / "scripts"
pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")

FAKE_GH = """#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
record = {"args": args}
for i, a in enumerate(args):
    if a == "-F" and args[i + 1].startswith("body=@"):
        record["body"] = open(args[i + 1][len("body=@"):], encoding="utf-8").read()
with open(os.environ["GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\\n")
if "--method" not in args:  # the listing, already filtered by --jq: the ids of marked comments
    sys.stdout.write(os.environ.get("GH_EXISTING", ""))
else:
    sys.stdout.write("https://github.com/o/r/pull/7#issuecomment-1\\n")
"""


@pytest.fixture
def fake_gh(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.replace("/usr/bin/env python3", sys.executable))
    gh.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GH_LOG": str(tmp_path / "gh.log"),
            "GITHUB_REPOSITORY": "o/r", "PR_NUMBER": "7", "GH_TOKEN": "not-a-token"}


def calls(env: dict[str, str]) -> list[dict]:
    return [json.loads(line) for line in Path(env["GH_LOG"]).read_text().splitlines()]


def comment(env: dict[str, str], body: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPTS / "pr-comment.sh"), str(body)], env=env, capture_output=True, text=True)


def test_the_first_comment_is_posted_with_the_marker(fake_gh, tmp_path):
    body = tmp_path / "body.md"
    body.write_text("## Translation status\n")
    res = comment(fake_gh, body)
    assert res.returncode == 0, res.stderr
    listing, post = calls(fake_gh)
    assert listing["args"][:3] == ["api", "--paginate", "repos/o/r/issues/7/comments"]
    assert 'select(.body | startswith("<!-- transync -->"))' in listing["args"][-1]
    assert post["args"][:4] == ["api", "--method", "POST", "repos/o/r/issues/7/comments"]
    assert post["body"] == "<!-- transync -->\n## Translation status\n"


def test_a_marked_comment_is_updated_in_place_never_a_new_one(fake_gh, tmp_path):
    body = tmp_path / "body.md"
    body.write_text("second push\n")
    res = comment({**fake_gh, "GH_EXISTING": "4242\n977\n"}, body)
    assert res.returncode == 0, res.stderr
    methods = [c["args"][1:4] for c in calls(fake_gh) if "--method" in c["args"]]
    assert methods == [["--method", "PATCH", "repos/o/r/issues/comments/4242"]]
    assert calls(fake_gh)[-1]["body"] == "<!-- transync -->\nsecond push\n"


def test_without_a_pull_request_number_nothing_is_posted(fake_gh, tmp_path):
    body = tmp_path / "body.md"
    body.write_text("x\n")
    env = {k: v for k, v in fake_gh.items() if k != "PR_NUMBER"}
    res = comment(env, body)
    assert res.returncode != 0 and "PR_NUMBER is not set" in res.stderr
    assert not Path(fake_gh["GH_LOG"]).exists()


def test_the_status_step_writes_the_comment_the_summary_and_fails_on_the_states_asked(make_site, tmp_path):
    site = make_site({"_products/en/a.md": doc("a", "en"), "_products/ja/a.md": doc("a", "ja")})
    transync = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{transync}{os.pathsep}{os.environ['PATH']}", "SITE": str(site),
           "COMMENT_FILE": str(tmp_path / "comment.md"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    run = lambda **extra: subprocess.run(["bash", str(SCRIPTS / "action-status.sh")], env={**env, **extra},
                                         capture_output=True, text=True)
    res = run(FAIL_ON="missing")
    assert res.returncode == 1  # de is missing
    assert "::error file=" in res.stdout and "is missing" in res.stdout
    comment_text = (tmp_path / "comment.md").read_text()
    assert comment_text.startswith("## Translation status\n") and "<details>" in comment_text
    assert (tmp_path / "summary.md").read_text().startswith("## Translation status\n")
    assert run(FAIL_ON="invalid,duplicate").returncode == 0
    res = run(FAIL_ON="", CHANGED_FROM="main")
    assert res.returncode == 2 and "--changed-from" in res.stderr


def test_action_and_hooks_name_the_scripts_and_commands_they_run():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"site", "fail-on", "changed-from", "report", "token"}
    runs = "\n".join(step.get("run", "") for step in action["runs"]["steps"])
    assert 'pip install --quiet "$GITHUB_ACTION_PATH"' in runs
    for script in ("action-status.sh", "pr-comment.sh"):
        assert f"$GITHUB_ACTION_PATH/scripts/{script}" in runs and os.access(SCRIPTS / script, os.X_OK)
    assert 'transync report --root "$SITE" -o "$REPORT"' in runs
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["transync-check"]["entry"] == "transync check" and hooks["transync-check"]["pass_filenames"] is True
    assert hooks["transync-permalinks"]["pass_filenames"] is True
    assert hooks["transync-status"]["entry"] == "transync status --fail-on invalid,duplicate"
