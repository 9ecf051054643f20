"""Staleness from git history, by content: small repositories built commit by commit.

The site is a sub-folder of each repository (``repo/site``), as transync's own
``content/`` is, so paths are always translated between git's and the site's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import HISTORY_BUNDLE, doc, requires_shared
from transync.cli import app

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.usefixtures("git_env"),  # no user or system git configuration, a fixed author
]

BODY = "## Overview\n\nThe IE-5 has one dynamic driver.\n\n$$ \\Large \\text{0.6} $$\n\nIt is easy to drive.\n"
JA_BODY = "## 概要\n\nIE-5 はダイナミック型です。\n\n$$ \\Large \\text{0.6} $$\n\n駆動しやすい。\n"




class Repo:
    def __init__(self, top: Path) -> None:
        self.top = top
        self.site = top / "site"
        self.site.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")
        self.write({"_config.yml": 'languages: ["en", "ja"]\ndefault_lang: "en"\n'})

    def git(self, *args: str, date: str | None = None) -> str:
        env = dict(os.environ)
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        return subprocess.run(["git", *args], cwd=self.top, env=env, check=True, capture_output=True, text=True).stdout

    def write(self, files: dict[str, str]) -> None:
        for rel, text in files.items():
            path = self.site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    def commit(self, message: str, date: str, files: dict[str, str] | None = None) -> str:
        self.write(files or {})
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=date)
        return self.git("rev-parse", "HEAD").strip()


EN = "_products/en/k/ie-5.md"
JA = "_products/ja/k/ie-5.md"


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A source and its translation committed together on 2025-01-10."""
    r = Repo(tmp_path / "repo")
    r.commit("Add IE-5", "2025-01-10T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY), JA: doc("ie-5", "ja", body=JA_BODY)})
    return r


def status(site: Path, *args: str) -> dict:
    result = CliRunner().invoke(app, ["status", "--root", str(site), "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def item(data: dict, lang: str = "ja", ref: str = "ie-5") -> dict:
    return next(i for i in data["items"] if i["ref"] == ref and i["lang"] == lang)


def test_a_later_source_date_with_the_same_content_is_not_stale(repo):
    """Date's false alarm: the source's date moved, its translatable content did not."""
    repo.commit("Bump date", "2025-02-01T10:00:00+00:00", {EN: doc("ie-5", "en", date="2025-02-01", body=BODY)})
    data = status(repo.site)
    assert data["summary"]["evidence"] == "git"
    assert item(data)["state"] == "current" and item(data)["changes"] is None
    assert item(status(repo.site, "--no-git"))["state"] == "stale"


def test_kept_fields_the_source_changed_since_follow_it(repo):
    """A rating or price the source changed after the translation's last commit: outdated, nothing to translate."""
    repo.commit("Rate", "2025-01-11T10:00:00+00:00", {
        EN: doc("ie-5", "en", body=BODY, rating="[3.1, 0.6]", price="99", company_id="k"),
        JA: doc("ie-5", "ja", body=JA_BODY, rating="[3.1, 0.6]", price="14850", company_id="k"),
    })
    repo.commit("New rating and price", "2025-02-01T10:00:00+00:00",
                {EN: doc("ie-5", "en", body=BODY, rating="[3.4, 0.6]", price="89", company_id="k")})
    data = item(status(repo.site))
    # The rating followed the source, so it is out of date; the price was the translation's own (yen): left alone.
    assert (data["state"], data["outdated_fields"], data["changes"]) == ("stale", ["rating"], None)
    (repo.site / "transync.toml").write_text('[translate.targets.ja]\ncurrency = "JPY"\nrate = 150\n')
    data = item(status(repo.site))
    assert data["outdated_fields"] == ["rating", "price"]  # 99 USD was 14850 JPY: the price followed the source too
    # Updated by hand, the translation is current again.
    repo.commit("Follow", "2025-02-02T10:00:00+00:00", {
        JA: doc("ie-5", "ja", body=JA_BODY, rating="[3.4, 0.6]", price="13350", company_id="k"),
    })
    assert item(status(repo.site))["state"] == "current"


def test_a_prose_change_after_the_translation_is_stale_with_what_changed(repo):
    first = repo.git("rev-parse", "HEAD").strip()
    repo.commit("Edit", "2025-01-20T10:00:00+00:00",
                {EN: doc("ie-5", "en", body=BODY.replace("easy to drive", "easy to drive from a phone"))})
    data = status(repo.site)
    ja = item(data)
    assert ja["state"] == "stale"  # the dates alone say current
    assert ja["changes"] == {
        "segments": {"changed": 1, "added": 0, "removed": 0},
        "characters": len("It is easy to drive from a phone."),
        "math": False, "code": False, "fields": [],
        "baseline": {"kind": "git", "commit": first, "date": "2025-01-10T10:00:00"},
    }
    assert first[:7] in ja["reason"]
    assert item(status(repo.site, "--no-git"))["state"] == "current"


def test_whitespace_only_changes_are_not_stale(repo):
    reflowed = BODY.replace("The IE-5 has one dynamic driver.", "The  IE-5 has one\ndynamic   driver.   ")
    repo.commit("Reflow", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=reflowed + "\n\n")})
    assert item(status(repo.site))["state"] == "current"


def test_math_the_translation_already_carries_is_not_a_reason(repo):
    repo.commit("Translation scores 0.7", "2025-01-15T10:00:00+00:00", {JA: doc("ie-5", "ja", body=JA_BODY.replace("0.6", "0.7"))})
    repo.commit("Source corrected to 0.7", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY.replace("0.6", "0.7"))})
    assert item(status(repo.site))["state"] == "current"


def test_math_the_translation_lacks_is_stale_and_named(repo):
    repo.commit("Score 0.7", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY.replace("0.6", "0.7"))})
    ja = item(status(repo.site))
    assert ja["state"] == "stale"
    assert ja["changes"]["math"] is True and ja["changes"]["segments"] == {"changed": 0, "added": 0, "removed": 0}


def test_translated_fields_count_as_content_and_kept_fields_only_as_fields(repo):
    repo.commit("Rating", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY, rating="[1, 2]")})
    ja = item(status(repo.site))
    assert (ja["state"], ja["outdated_fields"], ja["changes"]) == ("stale", ["rating"], None)
    repo.commit("Rating followed", "2025-01-20T11:00:00+00:00", {JA: doc("ie-5", "ja", body=JA_BODY, rating="[1, 2]")})
    assert item(status(repo.site))["state"] == "current"
    repo.commit("Title", "2025-01-21T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY, rating="[1, 2]", title='"IE-5 review, revised"')})
    ja = item(status(repo.site))
    assert ja["state"] == "stale" and ja["changes"]["fields"] == ["title"] and ja["outdated_fields"] == []


def test_uncommitted_source_edits_count(repo):
    repo.write({EN: doc("ie-5", "en", body=BODY + "\nA new paragraph.\n")})
    ja = item(status(repo.site))
    assert ja["state"] == "stale" and ja["changes"]["segments"] == {"changed": 0, "added": 1, "removed": 0}


def test_a_translation_with_uncommitted_changes_counts_as_updated_now(repo):
    repo.commit("Edit", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY + "\nMore.\n")})
    assert item(status(repo.site))["state"] == "stale"
    repo.write({JA: doc("ie-5", "ja", body=JA_BODY + "\nもっと。\n")})
    assert item(status(repo.site))["state"] == "current"


def test_a_translation_never_committed_counts_as_updated_now(repo):
    repo.commit("Source b", "2025-01-20T10:00:00+00:00", {"_products/en/k/b.md": doc("b", "en", date="2025-01-20")})
    repo.write({"_products/ja/k/b.md": doc("b", "ja", date="2025-01-01")})  # untracked, dated before its source
    assert item(status(repo.site), ref="b")["state"] == "current"
    assert item(status(repo.site, "--no-git"), ref="b")["state"] == "stale"


def test_renames_are_followed(repo):
    # The source moves and then changes: still compared with what the translation was made from.
    repo.git("mv", f"site/{EN}", "site/_products/en/k/kestrel-ie-5.md")
    repo.commit("Rename source", "2025-01-15T10:00:00+00:00")
    assert item(status(repo.site))["state"] == "current"
    repo.commit("Edit", "2025-01-20T10:00:00+00:00",
                {"_products/en/k/kestrel-ie-5.md": doc("ie-5", "en", body=BODY.replace("one", "a single"))})
    # A pure rename of the translation afterwards does not update it.
    repo.git("mv", f"site/{JA}", "site/_products/ja/k/kestrel-ie-5.md")
    repo.commit("Rename translation", "2025-01-25T10:00:00+00:00")
    ja = item(status(repo.site))
    assert ja["path"] == "_products/ja/k/kestrel-ie-5.md"
    assert ja["state"] == "stale" and ja["changes"]["segments"]["changed"] == 1


def test_commits_with_an_ignored_keyword_do_not_count(repo):
    repo.commit("Fix typo", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY.replace("drive", "drive."))})
    assert item(status(repo.site))["state"] == "stale"
    (repo.site / "transync.toml").write_text('[status]\nignored_keywords = ["typo"]\n')
    assert item(status(repo.site))["state"] == "current"
    # A later change without the keyword counts again.
    repo.commit("Update review", "2025-01-25T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY.replace("drive", "drive!"))})
    assert item(status(repo.site))["state"] == "stale"


def test_an_ignored_keyword_counts_in_the_subject_only(repo):
    # A squash merge lists its branch's commits in the body; one "fix typo" among them does not
    # make the whole change count for nothing.
    (repo.site / "transync.toml").write_text('[status]\nignored_keywords = ["typo"]\n')
    repo.commit("Rewrite the review (#12)\n\n* first draft\n* fix typo\n", "2025-01-20T10:00:00+00:00",
                {EN: doc("ie-5", "en", body=BODY.replace("drive", "steer"))})
    assert item(status(repo.site))["state"] == "stale"


def test_a_lunaria_track_directive_counts_a_commit_only_for_the_files_it_names(repo):
    # A translation commit that also touched another translation: only the named one is updated.
    repo.commit("Edit", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY + "\nMore.\n")})
    other_en, other_ja = "_products/en/k/b.md", "_products/ja/k/b.md"
    repo.commit("Add b", "2025-01-21T10:00:00+00:00", {other_en: doc("b", "en"), other_ja: doc("b", "ja")})
    repo.commit("Edit b", "2025-01-22T10:00:00+00:00", {other_en: doc("b", "en", body="## Overview\n\nNew text.\n")})
    repo.commit(
        # An editor's invisible U+200E after the path, as found in real histories: the path is meant.
        "i18n(ja): update ie-5\n\n@lunaria-track:site/_products/ja/k/ie-5.md\u200e\n",
        "2025-01-25T10:00:00+00:00",
        {JA: doc("ie-5", "ja", body=JA_BODY + "\nもっと。\n"), other_ja: doc("b", "ja", body="## 概要\n\nリンク修正。\n")},
    )
    got = status(repo.site)
    assert item(got, ref="ie-5")["state"] == "current"
    assert item(got, ref="b")["state"] == "stale"  # touched by the commit, not named by it


def test_a_lunaria_ignore_directive_leaves_the_files_it_names_out(repo):
    repo.commit("Edit", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY + "\nMore.\n")})
    repo.commit("Fix links everywhere\n\n@lunaria-ignore:site/_products/!(en)/**/*.md\n", "2025-01-25T10:00:00+00:00",
                {JA: doc("ie-5", "ja", body=JA_BODY.replace("駆動", "くどう"))})
    assert item(status(repo.site))["state"] == "stale"
    # On the source side, a change the directive leaves out is part of the baseline, like a keyword's.
    repo.commit("i18n(ja): update\n", "2025-01-26T10:00:00+00:00", {JA: doc("ie-5", "ja", body=JA_BODY + "\nもっと。\n")})
    repo.commit("Reword, left out for translators\n\n@lunaria-track:site/_products/ja/**\n", "2025-01-27T10:00:00+00:00",
                {EN: doc("ie-5", "en", body=BODY + "\nMore!\n")})
    assert item(status(repo.site))["state"] == "current"


def test_a_source_that_cannot_be_segmented_is_compared_by_paragraphs(repo):
    # An unclosed fence: the segmenter refuses the body; a change of its text must still be seen.
    broken = "## Overview\n\nFirst paragraph.\n\n```sh\nnpm run build\n"
    repo.commit("Broken fence", "2025-01-11T10:00:00+00:00", {EN: doc("ie-5", "en", body=broken), JA: doc("ie-5", "ja", body="## 概要\n\n最初の段落。\n")})
    repo.commit("Reword", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=broken.replace("First", "The first"))})
    ja = item(status(repo.site))
    assert ja["state"] == "stale" and ja["changes"]["segments"] == {"changed": 1, "added": 0, "removed": 0}
    repo.commit("Reflow only", "2025-01-21T10:00:00+00:00", {JA: doc("ie-5", "ja", body="## 概要\n\n最初の段落です。\n")})
    repo.commit("Reflow", "2025-01-22T10:00:00+00:00", {EN: doc("ie-5", "en", body=broken.replace("First paragraph.", "The first\nparagraph."))})
    assert item(status(repo.site))["state"] == "current"


def test_contents_worked_out_together_in_worker_processes_give_the_same_verdicts(repo, monkeypatch, tmp_path):
    from transync.site import history

    more = {f"_products/{lang}/k/p{n}.md": doc(f"p{n}", lang, body=f"## P{n}\n\nText {n}.\n\n$$ x_{n} $$\n") for n in range(6) for lang in ("en", "ja")}
    repo.commit("More", "2025-01-12T10:00:00+00:00", more)
    edits = {f"_products/en/k/p{n}.md": doc(f"p{n}", "en", body=f"## P{n}\n\nText {n}, changed.\n\n$$ y_{n} $$\n") for n in range(0, 6, 2)}
    edits[EN] = doc("ie-5", "en", body=BODY + "\nNew.\n")
    repo.commit("Edits", "2025-01-20T10:00:00+00:00", edits)
    one_by_one = status(repo.site)
    monkeypatch.setenv("TRANSYNC_CACHE_DIR", str(tmp_path / "other-cache"))
    monkeypatch.setattr(history, "PARALLEL_PAIRS", 1)
    monkeypatch.setattr(history, "PARALLEL_CONTENTS", 1)
    together = status(repo.site)
    assert together["items"] == one_by_one["items"]
    assert sorted(i["ref"] for i in together["items"] if i["state"] == "stale" and i["lang"] == "ja") == ["ie-5", "p0", "p2", "p4"]
    assert item(together, ref="p0")["changes"]["math"] is True


def test_worked_out_together_a_translation_is_read_only_when_the_source_blocks_changed(repo, monkeypatch, tmp_path):
    from transync.site import history

    before = {n: f"## P{n}\n\nText {n}.\n\n$$ x_{n} $$\n" for n in range(3)}
    after = {0: before[0].replace("x_0", "y_0"), 1: before[1].replace("x_1", "y_1"), 2: before[2].replace("Text 2.", "Text 2, changed.")}
    pages = {f"_products/en/k/p{n}.md": doc(f"p{n}", "en", body=before[n]) for n in range(3)}
    pages.update({f"_products/ja/k/p{n}.md": doc(f"p{n}", "ja", body=f"## P{n}\n\n本文 {n}。\n\n$$ x_{n} $$\n") for n in range(3)})
    # p0's translation already carries the math its source is about to get; p1's does not.
    pages["_products/ja/k/p0.md"] = doc("p0", "ja", body="## P0\n\n本文 0。\n\n$$ y_0 $$\n")
    repo.commit("More", "2025-01-12T10:00:00+00:00", pages)
    repo.commit("Edits", "2025-01-20T10:00:00+00:00", {f"_products/en/k/p{n}.md": doc(f"p{n}", "en", body=after[n]) for n in range(3)})
    rounds = []
    monkeypatch.setattr(history, "PARALLEL_PAIRS", 1)
    monkeypatch.setattr(history, "PARALLEL_CONTENTS", 1)
    real = history._analyse_many
    monkeypatch.setattr(history, "_analyse_many", lambda families: rounds.append(families) or real(families))
    together = status(repo.site)
    monkeypatch.setattr(history, "PARALLEL_PAIRS", 10**6)
    monkeypatch.setenv("TRANSYNC_CACHE_DIR", str(tmp_path / "other-cache"))
    one_by_one = status(repo.site)
    assert together["items"] == one_by_one["items"]
    assert item(together, ref="p0")["state"] == "current"
    assert item(together, ref="p1")["changes"]["math"] is True
    p2 = item(together, ref="p2")["changes"]
    assert p2["math"] is False and p2["segments"]["changed"] == 1
    # The translations' blocks were read beside the sources' versions, in one round, and only
    # where the source's math changed (not p2's: its prose changed, its math did not).
    assert len(rounds) == 1
    noted = [key for families in rounds for _, conditional in families for key, *_ in conditional]
    assert len(noted) == 3
    computed = history._analyse_families(rounds[0])
    assert sum(key in computed for key in noted) == 2


def test_an_empty_ignored_keyword_is_a_configuration_error(repo):
    (repo.site / "transync.toml").write_text('[status]\nignored_keywords = [""]\n')
    result = CliRunner().invoke(app, ["status", "--root", str(repo.site)])
    assert result.exit_code == 2 and "status.ignored_keywords" in result.stderr


def test_provenance_comes_first_and_git_says_what_changed(repo):
    from transync.document import content_hash, parse

    src = parse((repo.site / EN).read_text())
    fields = ("summary", "tags", "title")
    line = f"transync: {{source_hash: {content_hash(src.meta, src.body, fields)}}}"
    repo.commit("Translated by transync", "2025-01-11T10:00:00+00:00", {JA: doc("ie-5", "ja", body=JA_BODY).replace("---\n##", f"{line}\n---\n##", 1)})
    # Provenance says current although the dates say stale.
    repo.commit("Date", "2025-01-12T10:00:00+00:00", {EN: doc("ie-5", "en", date="2025-02-01", body=BODY)})
    assert item(status(repo.site))["state"] == "current"
    repo.commit("Edit", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", date="2025-02-01", body=BODY + "\nNew.\n")})
    ja = item(status(repo.site))
    assert ja["state"] == "stale" and ja["provenance"] is True
    assert ja["changes"]["baseline"]["kind"] == "provenance"
    assert ja["changes"]["segments"] == {"changed": 0, "added": 1, "removed": 0}


def test_shallow_clone_falls_back_to_dates_and_says_so_once(repo, tmp_path):
    repo.commit("Bump date", "2025-02-01T10:00:00+00:00", {EN: doc("ie-5", "en", date="2025-02-01", body=BODY),
                                                           "_products/en/k/b.md": doc("b", "en", date="2025-02-01"),
                                                           "_products/ja/k/b.md": doc("b", "ja")})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.top}", str(clone)], check=True)
    data = status(clone / "site")
    assert data["summary"]["evidence"] == "date"
    assert len(data["summary"]["notes"]) == 1 and "fetch-depth: 0" in data["summary"]["notes"][0]
    assert item(data)["state"] == "stale" and item(data)["changes"]["baseline"]["kind"] == "date"
    table = CliRunner().invoke(app, ["status", "--root", str(clone / "site")])
    assert table.output.count("shallow git clone") == 1 and "Traceback" not in table.output
    github = CliRunner().invoke(app, ["status", "--root", str(clone / "site"), "--format", "github"])
    assert github.output.count("fetch-depth: 0") == 1


def test_without_git_on_path_dates_decide_silently(repo, monkeypatch, tmp_path):
    repo.commit("Bump date", "2025-02-01T10:00:00+00:00", {EN: doc("ie-5", "en", date="2025-02-01", body=BODY)})
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    data = status(repo.site)
    assert data["summary"]["evidence"] == "date" and data["summary"]["notes"] == []
    assert item(data)["state"] == "stale"


def test_a_repository_without_commits_leaves_it_to_the_dates(tmp_path):
    r = Repo(tmp_path / "repo")
    r.write({EN: doc("ie-5", "en", date="2025-02-01", body=BODY), JA: doc("ie-5", "ja", body=JA_BODY)})
    data = status(r.site)
    assert data["summary"]["evidence"] == "date" and data["summary"]["notes"] == []
    assert item(data)["state"] == "stale"


def test_a_git_failure_falls_back_to_dates_with_a_note(repo, monkeypatch):
    from transync.site import history

    repo.commit("Bump date", "2025-02-01T10:00:00+00:00", {EN: doc("ie-5", "en", date="2025-02-01", body=BODY)})

    def broken(*args, **kwargs):
        raise history.GitError("fatal: bad object HEAD")

    monkeypatch.setattr(history.History, "_tree", broken)
    data = status(repo.site)
    assert item(data)["state"] == "stale" and item(data)["changes"]["baseline"]["kind"] == "date"
    assert data["summary"]["evidence"] == "date"
    assert data["summary"]["notes"] == ["git history could not be read (fatal: bad object HEAD): "
                                        "translations without provenance were judged by their front-matter date"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give the repository away")
def test_a_repository_git_refuses_is_said_with_the_fix(repo):
    for folder, _, names in os.walk(repo.top):
        for name in [".", *names]:
            os.chown(os.path.join(folder, name), 65534, 65534)
    data = status(repo.site)
    assert data["summary"]["evidence"] == "date"
    assert len(data["summary"]["notes"]) == 1 and "safe.directory" in data["summary"]["notes"][0]


def test_table_orders_stale_work_by_weight(repo):
    files = {}
    for ref, body in (("fields", BODY), ("prose", BODY), ("math", BODY)):
        files[f"_products/en/k/{ref}.md"] = doc(ref, "en", body=body)
        files[f"_products/ja/k/{ref}.md"] = doc(ref, "ja", body=JA_BODY)
    repo.commit("Three more", "2025-01-11T10:00:00+00:00", files)
    repo.commit("Changes", "2025-01-20T10:00:00+00:00", {
        "_products/en/k/fields.md": doc("fields", "en", body=BODY, tags="[New]"),
        "_products/en/k/prose.md": doc("prose", "en", body=BODY.replace("driver", "driver unit")),
        "_products/en/k/math.md": doc("math", "en", body=BODY.replace("0.6", "0.9")),
    })
    out = CliRunner().invoke(app, ["status", "--root", str(repo.site)]).output
    lines = [line for line in out.splitlines() if "since " in line]
    assert [line.split()[1] for line in lines] == ["math", "prose", "fields"]
    assert "math;" in lines[0] and "1 segment changed" in lines[1] and "fields tags" in lines[2]


def test_results_are_cached_outside_the_site_and_follow_new_commits(repo):
    assert item(status(repo.site))["state"] == "current"
    cache = Path(os.environ["TRANSYNC_CACHE_DIR"])
    assert list(cache.rglob("history-*.marshal"))
    assert not list(repo.top.rglob("*.marshal"))
    repo.commit("Edit", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY + "\nMore.\n")})
    assert item(status(repo.site))["state"] == "stale"
    assert item(status(repo.site))["state"] == "stale"  # from the cache


def test_the_log_read_as_git_writes_it_is_the_log_read_at_once(repo):
    """git's log is parsed in whatever pieces the pipe gives: a commit, a UTF-8 character or a
    rename cut anywhere reads as it does in one piece."""
    from transync.site.history import Log, _LogReader, _git, find_repo

    repo.git("mv", f"site/{EN}", f"site/{EN.replace('ie-5', 'ie-6')}")
    repo.commit("Rename — déplacé", "2025-01-11T10:00:00+00:00")
    repo.commit("Edit [i18nIgnore] ünïcode", "2025-01-12T10:00:00+00:00", {JA: doc("ie-5", "ja", body=JA_BODY + "\n追加。\n")})
    found = find_repo(repo.site)
    out = _git(Log.args(()), repo.site)
    whole = Log.read(found, repo.site, (), ["i18nIgnore"], out)
    assert len(whole.commits) == 3 and any(e.kind == "R" for events in whole.events.values() for e in events)
    for size in (1, 2, 3, 7, len(out)):
        reader = _LogReader(found.prefix, ["i18nIgnore"])
        for at in range(0, len(out), size):
            reader.feed(out[at : at + size])
        reader.feed(b"", True)
        log = reader.log()
        assert (log.commits, log.events, log.directives) == (whole.commits, whole.events, whole.directives), size


def test_the_log_is_read_while_the_site_is_scanned_only_when_the_cache_has_no_plan_at_head(repo):
    from transync.site.config import load_config
    from transync.site.history import History

    def opened():
        history = History.of_site(load_config(repo.site))
        history.dirty  # noqa: B018 - waits for its `git status` (which holds the index lock for a while)
        return history

    cold = opened()
    assert cold._log_job is not None and len(cold._log_job.result().commits) == 1  # one commit
    assert item(status(repo.site))["state"] == "current"
    assert opened()._log_job is None  # the plan at HEAD is cached: no log is needed
    repo.commit("Edit", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", body=BODY + "\nMore.\n")})
    assert opened()._log_job is not None
    assert item(status(repo.site))["state"] == "stale"


def test_diff_shows_the_change_since_the_git_baseline_with_the_translation(repo):
    first = repo.git("rev-parse", "HEAD").strip()
    repo.commit("Edit", "2025-01-20T10:00:00+00:00",
                {EN: doc("ie-5", "en", body=BODY.replace("easy to drive", "easy to drive from a phone") + "\nA new paragraph.\n")})
    result = CliRunner().invoke(app, ["diff", "ie-5", "--lang", "ja", "--root", str(repo.site)])
    assert result.exit_code == 1, result.output
    assert f"its last commit {first[:7]} (2025-01-10T10:00:00)" in result.output
    assert f"@@ changed @@ {repo.site}/_products/en/k/ie-5.md:" in result.output  # relative to the cwd, which is outside
    assert "- It is easy to drive.\n+ It is easy to drive from a phone.\n  translated as: 駆動しやすい。" in result.output
    assert "@@ added @@" in result.output and "+ A new paragraph." in result.output
    # Without git the memory would be needed, and there is none.
    assert CliRunner().invoke(app, ["diff", "ie-5", "--lang", "ja", "--root", str(repo.site), "--no-git"]).exit_code == 2


def test_diff_of_a_current_translation_shows_no_change(repo):
    repo.commit("Reflow", "2025-01-20T10:00:00+00:00", {EN: doc("ie-5", "en", date="2025-03-01", body=BODY.replace("It is", "It  is"))})
    result = CliRunner().invoke(app, ["diff", "ie-5", "--lang", "ja", "--root", str(repo.site)])
    assert result.exit_code == 0 and "no change in the translatable segments" in result.output


def test_other_commands_take_no_git(repo):
    for args in (["check"], ["translate", "--engine", "pseudo", "--dry-run"]):
        result = CliRunner().invoke(app, [*args, "--root", str(repo.site), "--no-git"])
        assert result.exit_code in (0, 1), result.output


# --------------------------------------------------------------------------- the real site's history

@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """Status of the real site's history clone, by git and by date, Japanese items by (collection, ref)."""
    clone = tmp_path_factory.mktemp("history") / "audioreview"
    subprocess.run(["git", "clone", "-q", str(HISTORY_BUNDLE), str(clone)], check=True)
    by = {}
    for name, extra in (("git", []), ("date", ["--no-git"])):
        data = status(clone, *extra)
        by[name] = {(i["collection"], i["ref"]): i for i in data["items"] if i["lang"] == "ja"}
    return by["git"], by["date"]


@requires_shared(HISTORY_BUNDLE)
def test_real_history_git_against_dates(real):
    git, date = real
    stale_git = {k for k, i in git.items() if i["state"] == "stale"}
    stale_date = {k for k, i in date.items() if i["state"] == "stale"}
    assert len(stale_date) == 33 and len(stale_git) == 150
    # No kept field (a rating, a target_name) changed in a source after its translation's last commit
    # without the translation following; prices are not judged without a currency for ja.
    assert [k for k, i in git.items() if i["outdated_fields"]] == []
    assert len(stale_date - stale_git) == 20  # the dates' false alarms
    kinds = [git[k]["changes"]["baseline"]["kind"] for k in stale_git]
    # Two English sources were first committed a day after their translations (ac94e014):
    # git has no source to compare with, and the dates decide.
    assert kinds.count("git") == 148 and kinds.count("date") == 2
    assert git[("companies", "arcam")]["changes"]["baseline"]["kind"] == "date"


@requires_shared(HISTORY_BUNDLE)
def test_real_history_pairs_checked_by_hand(real):
    git, date = real
    # Source dated a day after its translation, unchanged since the translation's last commit
    # (0d7669a2, 2026-05-10): `git diff 0d7669a2 HEAD -- _companies/en/audio-precision.md` is empty.
    assert date[("companies", "audio-precision")]["state"] == "stale"
    assert git[("companies", "audio-precision")]["state"] == "current"
    # Same dates, but b07da734 (2025-09-16) changed "KH-Series" to "KH Series" in one paragraph
    # after the translation's last commit 309c7be5.
    a77h = git[("products", "adam-audio-a77h")]
    assert date[("products", "adam-audio-a77h")]["state"] == "current"
    assert a77h["state"] == "stale"
    assert a77h["changes"]["segments"] == {"changed": 1, "added": 0, "removed": 0}
    assert a77h["changes"]["baseline"] == {"kind": "git", "commit": "309c7be5249d65d6c3de1d59f6c4f13bdcb0fcdb", "date": "2025-08-25T23:59:25"}
    # fecf42b6 corrected the source's Technology Level from 0.2 to 0.3, which the
    # translation (last commit 52036b59) already said: not a reason.
    assert git[("products", "akg-k77")]["state"] == "current"


# --------------------------------------------------------------------------- MDX versions

MDX_PAGE = """---
title: Cards
---

import { LinkCard } from '@astrojs/starlight/components';

<Steps>
1. Install the {props.name} package.
</Steps>

<LinkCard title="Next" href="/en/next/" />
"""


def test_an_mdx_version_is_compared_as_mdx_with_its_structure():
    from transync.site.changes import Baseline, compare, content_of

    old = content_of(MDX_PAGE, ("title",), syntax="mdx")
    # Read as MDX the text inside <Steps> is prose and the import is structure; read as Markdown
    # the import is prose and the list an HTML block, not compared.
    assert old.prose == ("Install the {props.name} package.",)
    as_markdown = content_of(MDX_PAGE, ("title",))
    assert as_markdown.prose == ("import { LinkCard } from '@astrojs/starlight/components';",) and as_markdown.structure is None
    moved = content_of(MDX_PAGE.replace("/en/next/", "/en/later/"), ("title",), syntax="mdx")
    changes = compare(old, moved, None, Baseline("git"))
    assert (changes.changed, changes.components, changes.stale) == (0, True, True)
    assert changes.as_json()["components"] is True and "components" in changes.words()
    # A translation that already carries the new tag (its text translated) is no reason to redo it.
    translation = content_of(MDX_PAGE.replace("/en/next/", "/en/later/").replace("Install", "Installez"), ("title",), syntax="mdx", prose=False)
    assert compare(old, moved, translation, Baseline("git")).components is False
    same = compare(old, content_of(MDX_PAGE, ("title",), syntax="mdx"), None, Baseline("git"))
    assert (same.stale, same.components) == (False, False)


def test_versions_that_differ_in_front_matter_alone_are_segmented_once(monkeypatch):
    from transync.site import changes
    from transync.site.changes import Baseline, compare, content_of

    read = []
    real = changes._body_content
    monkeypatch.setattr(changes, "_body_content", lambda *args: read.append(args) or real(*args))
    bodies: dict = {}
    old = content_of(MDX_PAGE, ("title",), syntax="mdx", bodies=bodies)
    new = content_of(MDX_PAGE.replace("title: Cards", "title: Decks"), ("title",), syntax="mdx", bodies=bodies)
    as_markdown = content_of(MDX_PAGE, ("title",), bodies=bodies)  # another syntax: read again
    assert len(read) == 2
    assert new == content_of(MDX_PAGE.replace("title: Cards", "title: Decks"), ("title",), syntax="mdx")
    assert as_markdown.structure is None and old.structure is not None
    changes_ = compare(old, new, None, Baseline("git"))
    assert (changes_.changed, changes_.fields, changes_.stale) == (0, ("title",), True)
