"""`ack` on a page people made records a provenance line with engine "human": status judges it by
hashes from then on, and translate treats it as hand-made (never overwritten without --force)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import doc
from deepl_fake import FakeDeepL
from transync.cli import app

runner = CliRunner()
SECRET = "fake-deepl-test-key:fx"
JA = doc("p", "ja", body="## 概要\n\n人が書いた本文。\n")


def cli(*args: str | Path, env: dict[str, str] | None = None):
    return runner.invoke(app, [str(a) for a in args], env={"DEEPL_AUTH_KEY": "", "OPENAI_API_KEY": "", **(env or {})},
                         catch_exceptions=False)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def item(root: Path) -> dict:
    data = json.loads(cli("status", "--format", "json").stdout)
    return next(i for i in data["items"] if (i["ref"], i["lang"]) == ("p", "ja"))


@pytest.fixture
def site(make_site, monkeypatch, git_env):
    """A hand-made ja page in git whose source then changed: stale by git, with the same date as its source."""
    root = make_site({"_products/en/p.md": doc("p", "en", body="## Overview\n\nText.\n"), "_products/ja/p.md": JA},
                     config='languages: ["en", "ja"]\n')
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "site")
    src = root / "_products/en/p.md"
    src.write_text(src.read_text().replace("Text.", "Text, with a typo fixed."))
    git(root, "commit", "-qam", "typo")
    monkeypatch.chdir(root)
    return root


def test_ack_records_a_human_provenance_and_status_judges_by_it(site):
    before = item(site)
    assert (before["state"], before["provenance"], before["engine"]) == ("stale", False, None)
    assert before["reason"].startswith("the source changed since the translation's last commit ")

    result = cli("ack", "_products/ja/p.md")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        '  acknowledged  _products/ja/p.md: a provenance line (engine "human") now records the current source; '
        "2 new source segments learnt by the memory\n"
        "1 translation acknowledged\n"
    )
    text = (site / "_products/ja/p.md").read_text(encoding="utf-8")
    # Only one line is added, last in the front matter; the human text is untouched.
    assert text.replace(re.search(r"^transync: .*\n", text, re.M).group(), "") == JA
    assert re.search(r'^transync: \{source_hash: "\w+", source_date: 2025-01-10, engine: "human", fields: \{[^}]*\}, segments: "h\w{6}p\w{6}"\}$',
                     text, re.M)
    after = item(site)
    assert (after["state"], after["provenance"], after["engine"]) == ("current", False, "human")
    again = cli("ack", "_products/ja/p.md")
    assert (again.exit_code, again.stdout) == (0, "nothing to acknowledge: 1 translation already current\n")

    # The source changes again (not even committed): stale by its provenance.
    src = site / "_products/en/p.md"
    src.write_text(src.read_text().replace("Text, with", "Text, now with"))
    stale = item(site)
    assert (stale["state"], stale["reason"]) == ("stale", "the source's translatable content changed since it was translated")
    diff = cli("diff", "p", "--lang", "ja")
    assert "Text, with a typo fixed." in diff.stdout and "人が書いた本文。" in diff.stdout  # the old source and its human text

    # A second ack brings the same line up to date: still one provenance line, still "human".
    assert cli("ack", "p", "--lang", "ja").exit_code == 0
    text = (site / "_products/ja/p.md").read_text(encoding="utf-8")
    assert text.count("\ntransync: ") == 1 and 'engine: "human"' in text
    assert item(site)["state"] == "current"


def test_translate_leaves_a_human_page_alone_without_force(site, monkeypatch):
    assert cli("ack", "_products/ja/p.md").exit_code == 0
    src = site / "_products/en/p.md"
    src.write_text(src.read_text().replace("Text, with", "Text, now with"))
    page = site / "_products/ja/p.md"
    human = page.read_bytes()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with FakeDeepL(SECRET) as fake:
        env = {"DEEPL_AUTH_KEY": SECRET, "DEEPL_SERVER_URL": fake.url}
        result = cli("translate", env=env)
        assert result.exit_code == 0, result.output
        assert '  skipped  _products/ja/p.md: made by hand (its provenance says engine "human"): left alone; --force overwrites it\n' in result.stdout
        assert page.read_bytes() == human
        # Neither the memory route nor the pseudo engine touches it.
        assert cli("translate", "--engine", "memory").exit_code == 0
        assert cli("translate", "--engine", "pseudo").exit_code == 0
        assert page.read_bytes() == human
        forced = cli("translate", "--force", env=env)
        assert forced.exit_code == 0, forced.output
    text = page.read_text(encoding="utf-8")
    assert "人が書いた本文" not in text and 'engine: "deepl"' in text
