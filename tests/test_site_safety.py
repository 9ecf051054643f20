"""Reading a hostile site safely and never writing outside it: symbolic links, loops,
file names that are not UTF-8, duplicate sources, invalid inputs of a translation run.

The commands run as real subprocesses (``python -m transync``): what is asserted is
what a user sees, exit code and bytes on disk included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import doc
from transync.site import scan, sitepaths, status
from transync.site.config import load_config


def transync(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("DEEPL_AUTH_KEY", None)
    if cwd is None and "--root" in args:  # run from the site, as its users do: paths print relative to it
        cwd = Path(args[list(args).index("--root") + 1])
    return subprocess.run(
        [sys.executable, "-m", "transync", *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (links not followed), by relative path."""
    out = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = Path(dirpath, name)
            if not path.is_symlink():
                out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out


def items_of(root: Path) -> list[status.StatusItem]:
    return status.report(scan.scan(load_config(root), use_cache=False)).items


@pytest.fixture
def two_sources(make_site):
    return make_site(
        {
            "_products/en/sony/a.md": doc("a", "en", body="## Overview\n\nText a.\n"),
            "_products/en/b.md": doc("b", "en", body="Text b.\n"),
        }
    )


# --------------------------------------------------------------------------- language folders that are links


def test_translate_never_writes_through_a_language_folder_linked_to_the_sources(two_sources):
    root = two_sources
    os.symlink("en", root / "_products/de")
    before = snapshot(root)

    proc = transync("translate", "--root", root, "--to", "de", "--engine", "pseudo")

    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(root) == before  # every English source byte-identical, nothing added
    assert "failed   _products/de/sony/a.md: a symbolic link in its path leads to the existing file _products/en/sony/a.md" in proc.stdout
    assert "failed   _products/de/b.md: a symbolic link in its path leads to the existing file _products/en/b.md" in proc.stdout
    assert "0 documents written, 2 failed" in proc.stdout


def test_status_reports_a_language_folder_linked_to_another_as_invalid(two_sources):
    root = two_sources
    os.symlink("en", root / "_products/de")
    invalid = [i for i in items_of(root) if i.state == "invalid"]
    assert [(i.path, i.lang, i.reason) for i in invalid] == [
        ("_products/de", "de", "language folder is a symbolic link to _products/en: its files are not read here, and nothing is written through it")
    ]
    proc = transync("status", "--root", root)
    assert proc.returncode == 1
    assert "_products/de  language folder is a symbolic link to _products/en" in proc.stdout


def test_translate_writes_nothing_outside_the_site_through_a_linked_language_folder(two_sources, tmp_path):
    root = two_sources
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, root / "_products/ja")
    before = snapshot(root)

    proc = transync("translate", "--root", root, "--engine", "pseudo", "--format", "json")

    assert proc.returncode == 1, proc.stderr
    assert list(outside.iterdir()) == []
    out = json.loads(proc.stdout)
    failed = {d["path"]: d["reason"] for d in out["documents"] if d["status"] == "failed"}
    assert set(failed) == {"_products/ja/sony/a.md", "_products/ja/b.md"}
    assert all("outside the site" in reason for reason in failed.values())
    written = {d["path"] for d in out["documents"] if d["status"] == "written"}
    assert written == {"_products/de/sony/a.md", "_products/de/b.md"}  # the other language goes on
    assert {p: b for p, b in snapshot(root).items() if p in before} == before
    skipped = [(d["path"], d["reason"]) for d in out["documents"] if d["status"] == "skipped"]
    assert skipped == [("_products/ja", "invalid: symlink points outside the site")]


def test_a_link_deeper_than_the_language_folder_is_refused_even_when_the_folder_is_new(two_sources, tmp_path):
    """``_products/de`` exists, ``de/sony`` does not yet; ``de`` itself is fine, but a
    link one level up (the site's ``_products/de`` -> outside) must be seen too."""
    root = two_sources
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, root / "_products/de")  # de/sony/ does not exist anywhere yet
    assert sitepaths.write_refusal(root, "_products/de/sony/a.md", base="_products", new=True) == (
        f"resolves to {os.path.realpath(outside)}/sony/a.md, outside the site (a symbolic link in its path): not written"
    )
    (root / "_products/ja").mkdir()
    os.symlink("../en/sony", root / "_products/ja/sony")
    assert sitepaths.write_refusal(root, "_products/ja/sony/a.md", base="_products", new=True) == (
        "a symbolic link in its path leads to the existing file _products/en/sony/a.md: not written"
    )
    os.symlink("../en", root / "_products/ja/new")  # into the sources' folder, onto no file yet
    assert sitepaths.write_refusal(root, "_products/ja/new/x/a.md", base="_products", new=True) == (
        "a symbolic link in its path leads to the path _products/en/x/a.md: not written"
    )
    proc = transync("translate", "--root", root, "--engine", "pseudo")
    assert proc.returncode == 1
    assert list(outside.iterdir()) == []
    assert not (root / "_products/en/sony/a.md").read_text().count("lang: ja")


def test_a_missing_translation_never_replaces_a_file_already_at_its_path(make_site):
    hand = "---\nlayout: product\ntitle: [broken\n---\nA translator's unfinished work.\n"
    root = make_site({"_products/en/a.md": doc("a", "en"), "_products/de/a.md": hand})
    proc = transync("translate", "--root", root, "--to", "de", "--engine", "pseudo")
    assert proc.returncode == 1
    assert (root / "_products/de/a.md").read_text() == hand
    assert "failed   _products/de/a.md: a file is already there, and it is not a translation of this source" in proc.stdout
    assert "skipped  _products/de/a.md: invalid: " in proc.stdout


def test_links_at_or_above_the_collection_folder_are_part_of_the_layout(tmp_path):
    """A site whose ``_products`` is a link to a folder inside it is translated as usual."""
    root = tmp_path / "site"
    (root / "data/products/en").mkdir(parents=True)
    (root / "_config.yml").write_text('languages: ["en", "de"]\ndefault_lang: "en"\ncollections: [products]\n')
    (root / "data/products/en/a.md").write_text(doc("a", "en"))
    os.symlink("data/products", root / "_products")
    assert sitepaths.write_refusal(root, "_products/de/a.md", base="_products", new=True) is None
    proc = transync("translate", "--root", root, "--engine", "pseudo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "lang: de" in (root / "data/products/de/a.md").read_text()


# --------------------------------------------------------------------------- symlink loops


def test_a_symlink_loop_is_invalid_in_status_check_and_translate(two_sources):
    root = two_sources
    os.symlink("loop", root / "_products/en/loop")
    os.symlink("y", root / "_products/en/x")
    os.symlink("x", root / "_products/en/y")
    os.symlink("c.md", root / "_products/en/c.md")

    reasons = {i.path: i.reason for i in items_of(root) if i.state == "invalid"}
    assert reasons == {
        "_products/en/loop": "symbolic link cannot be followed: Too many levels of symbolic links",
        "_products/en/x": "symbolic link cannot be followed: Too many levels of symbolic links",
        "_products/en/y": "symbolic link cannot be followed: Too many levels of symbolic links",
        "_products/en/c.md": "symbolic link cannot be followed: Too many levels of symbolic links",
    }
    for args in (["status"], ["status", "-f", "json"], ["check"], ["translate", "--engine", "pseudo"]):
        proc = transync(*args, "--root", root)
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
    assert (root / "_products/ja/sony/a.md").is_file()  # translate went on with the others


def test_a_loop_in_a_target_path_is_refused(two_sources):
    root = two_sources
    os.symlink("de", root / "_products/de")
    reason = "its path cannot be resolved (Too many levels of symbolic links): not written"
    assert sitepaths.write_refusal(root, "_products/de/b.md", base="_products", new=True) == reason
    proc = transync("translate", "--root", root, "--to", "de", "--engine", "pseudo")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"failed   _products/de/b.md: {reason}" in proc.stdout


# --------------------------------------------------------------------------- file names


BAD_NAMES = [
    (b"caf\xe9.md", "_products/en/caf\\xe9.md", "the file name is not valid UTF-8: rename it"),
    (b"two\nlines.md", "_products/en/two\\nlines.md", "the file name contains a newline: rename it"),
    (b"tab\there.md", "_products/en/tab\\there.md", "the file name contains a tab: rename it"),
    (b"bell\x07.md", "_products/en/bell\\x07.md", "the file name contains the control character '\\x07': rename it"),
]


@pytest.mark.parametrize("name, shown, reason", BAD_NAMES, ids=["latin-1", "newline", "tab", "bell"])
def test_a_file_name_that_cannot_be_shown_losslessly_is_invalid(two_sources, name, shown, reason):
    root = two_sources
    with open(os.fsencode(root / "_products/en") + b"/" + name, "wb") as fh:
        fh.write(doc("odd", "en").encode())
    items = items_of(root)
    assert [(i.path, i.reason, i.lang) for i in items if i.state == "invalid"] == [(shown, reason, "en")]
    assert all(i.ref != "odd" for i in items)


def test_file_names_that_cannot_be_shown_break_no_command(two_sources):
    root = two_sources
    for name, _, _ in BAD_NAMES:
        with open(os.fsencode(root / "_products/en") + b"/" + name, "wb") as fh:
            fh.write(doc("odd", "en").encode())

    proc = transync("status", "--root", root, "--format", "json")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    items = json.loads(proc.stdout)["items"]
    assert sorted((i["path"], i["reason"]) for i in items if i["state"] == "invalid") == sorted((s, r) for _, s, r in BAD_NAMES)
    for args in (["status"], ["check"], ["check", "-f", "json"], ["translate", "--engine", "pseudo", "-f", "json"]):
        proc = transync(*args, "--root", root)
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
    # Named on the command line, it is the input of the run, listed and failing.
    name, shown, reason = BAD_NAMES[0]
    proc = transync("translate", "--engine", "pseudo", os.fsdecode(os.fsencode(root / "_products/en") + b"/" + name), cwd=root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"skipped  {shown}: invalid: {reason}" in proc.stdout
    assert not any(b"odd" in p.read_bytes() for p in (root / "_products").rglob("*") if p.is_file() and "en" not in p.parts)


def test_a_folder_whose_name_is_not_utf8_is_reported_once_and_not_entered(two_sources):
    root = two_sources
    folder = os.fsencode(root / "_products/en") + b"/\xff\xfe"
    os.mkdir(folder)
    with open(folder + b"/x.md", "wb") as fh:
        fh.write(doc("x", "en").encode())
    invalid = [(i.path, i.reason) for i in items_of(root) if i.state == "invalid"]
    assert invalid == [("_products/en/\\xff\\xfe", "the file name is not valid UTF-8: rename it")]


# --------------------------------------------------------------------------- duplicate sources


def test_a_ref_with_two_sources_is_neither_judged_nor_translated(make_site):
    root = make_site(
        {
            "_products/en/a.md": doc("a", "en", body="The real one.\n"),
            "_products/en/z-impostor.md": doc("a", "en", body="The impostor.\n"),
            "_products/ja/a.md": doc("a", "ja", body="本物。\n"),
            "_products/en/b.md": doc("b", "en"),
        }
    )
    by_key = {(i.ref, i.lang, i.path): (i.state, i.reason) for i in items_of(root)}
    sources = "_products/en/a.md, _products/en/z-impostor.md all have ref 'a'"
    assert by_key[("a", "ja", "_products/ja/a.md")] == ("duplicate", f"not judged current or stale: its en source is ambiguous ({sources})")
    assert by_key[("a", "de", None)] == ("duplicate", f"not translated: its en source is ambiguous ({sources})")
    assert by_key[("a", "en", "_products/en/a.md")] == ("duplicate", "same ref and lang as _products/en/z-impostor.md")

    proc = transync("translate", "--root", root, "--to", "de", "--engine", "pseudo", "--format", "json")
    assert proc.returncode == 1
    docs = json.loads(proc.stdout)["documents"]
    assert {(d["ref"], d["status"]) for d in docs if d["status"] == "written"} == {("b", "written")}
    assert not (root / "_products/de/a.md").exists()
    assert {(d["ref"], d["lang"], d["path"]) for d in docs if d["status"] == "skipped"} == {
        ("a", "de", None), ("a", "en", "_products/en/a.md"), ("a", "en", "_products/en/z-impostor.md"),
    }
    proc = transync("status", "--root", root)
    assert "not translated: its en source is ambiguous" in proc.stdout
    proc = transync("status", "--root", root, "--format", "github")
    assert f"::error title=transync%3A duplicate::products/a [de] is duplicate: not translated: its en source is ambiguous ({sources})" in proc.stdout


# --------------------------------------------------------------------------- invalid inputs of a run


def test_translate_lists_an_invalid_source_and_fails(make_site):
    root = make_site({"_products/en/good.md": doc("good", "en"), "_products/en/bad.md": "---\ntitle: [unclosed\n---\nText.\n"})
    proc = transync("translate", "_products/en/bad.md", "--engine", "pseudo", cwd=root)
    assert proc.returncode == 1, proc.stdout
    assert "skipped  _products/en/bad.md: invalid: " in proc.stdout
    assert "0 documents written, 0 failed, 1 skipped" in proc.stdout

    # --to names target languages; the invalid source is still an input of the run.
    proc = transync("translate", "--root", root, "--to", "de", "--engine", "pseudo", "--dry-run")
    assert proc.returncode == 1
    assert "skipped  _products/en/bad.md: invalid: " in proc.stdout
    assert "_products/de/good.md" in proc.stdout


def test_translate_of_a_clean_site_still_exits_zero(two_sources):
    proc = transync("translate", "--root", two_sources, "--engine", "pseudo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 documents written, 0 failed, 0 skipped" in proc.stdout


def test_a_collection_folder_linked_out_of_the_site_is_invalid_and_not_read(tmp_path):
    elsewhere = tmp_path / "elsewhere/en"
    elsewhere.mkdir(parents=True)
    (elsewhere / "a.md").write_text(doc("a", "en"))
    root = tmp_path / "site"
    root.mkdir()
    (root / "_config.yml").write_text('languages: ["en", "de"]\ndefault_lang: "en"\ncollections: [products]\n')
    os.symlink(tmp_path / "elsewhere", root / "_products")
    assert [(i.path, i.state, i.reason) for i in items_of(root)] == [("_products", "invalid", "symlink points outside the site")]
    proc = transync("translate", "--root", root, "--engine", "pseudo")
    assert proc.returncode == 1
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["en"]


# --------------------------------------------------------------------------- any layout of links


LINK_PLACES = ["_products/de", "_products/ja", "_products/de/sony", "_products/ja/sony", "_products/de/b.md", "_products/ja/sony/a.md"]
LINK_TARGETS = ["../en", "en", "../en/sony", "../../en/sony", "{outside}", "{outside}/deep", "../ja", "de", ".", "..", "nowhere", "../en/b.md", "a.md"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(links=st.lists(st.tuples(st.sampled_from(LINK_PLACES), st.sampled_from(LINK_TARGETS)), max_size=3, unique_by=lambda t: t[0]))
def test_whatever_the_links_a_run_changes_no_source_and_nothing_outside(links):
    from transync.translate import run as translate
    from transync.translate.engines.pseudo import PseudoEngine

    # In memory where there is such a file system: every write is fsynced.
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as tmp:
        base = Path(tmp)
        outside = base / "outside"
        outside.mkdir()
        root = base / "site"
        for rel, text in {"_products/en/sony/a.md": doc("a", "en"), "_products/en/b.md": doc("b", "en")}.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        (root / "_config.yml").write_text('languages: ["en", "ja", "de"]\ndefault_lang: "en"\n')
        for place, target in links:
            link = root / place
            if link.parent.is_dir() and not os.path.lexists(link) and not link.parent.is_symlink():
                os.symlink(target.format(outside=outside), link)
        sources = snapshot(root / "_products/en")

        rep = status.report(scan.scan(load_config(root), use_cache=False))
        jobs, skips = translate.select(rep)
        summary = translate.Run(rep.config, PseudoEngine(), translate.TranslateOptions(), use_memory=False).run(jobs)

        assert snapshot(root / "_products/en") == sources
        assert snapshot(outside) == {}
        for written in summary.written:
            path = os.path.join(root, written.job.target_path)
            assert os.path.realpath(path) == os.path.join(os.path.realpath(root), written.job.target_path)
        # Every job is written or listed as failed with its reason: none is dropped.
        assert sorted(r.job.target_path for r in summary.written + summary.failed) == sorted(j.target_path for j in jobs)
        assert all(r.reason.endswith(("not written", "not overwritten")) for r in summary.failed)
