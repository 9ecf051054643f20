"""transync permalinks: check every permalink against its language and its source; fix minimal lines."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["permalinks", *args], catch_exceptions=False)


@pytest.fixture
def site(make_site):
    return make_site(
        {
            "_products/en/a.md": doc("a", "en", permalink="/products/en/a/"),
            "_products/ja/a.md": doc("a", "ja", permalink="/products/ja/a/"),
            "_products/de/a.md": doc("a", "de", permalink='"/products/en/a/"'),  # the source's, unchanged
            "_products/en/b.md": doc("b", "en", permalink="/products/en/b/"),
            "_products/ja/b.md": doc("b", "ja", permalink="/products/JA/b/"),
            "_products/de/b.md": doc("b", "de", permalink="/products/de/b-old/"),
            "_products/en/c.md": doc("c", "en", permalink="/products/en/c/?ref=x"),
            "_products/ja/c.md": doc("c", "ja"),
        }
    )


def test_findings(site):
    result = run("--root", str(site), "--format", "json")
    assert result.exit_code == 1
    found = sorted((f["path"], f["line"], f["message"], f["expected"]) for f in json.loads(result.stdout)["findings"])
    assert found == [
        ("_products/de/a.md", 7, "permalink /products/en/a/ is also the permalink of _products/en/a.md", None),
        ("_products/de/a.md", 7, "permalink /products/en/a/ is in the 'en' segment but lang is 'de'", "/products/de/a/"),
        ("_products/de/b.md", 7, "permalink /products/de/b-old/ does not match its source's: expected /products/de/b/", "/products/de/b/"),
        ("_products/en/c.md", 7, "permalink /products/en/c/?ref=x has a query string or a fragment", None),
        ("_products/ja/b.md", 7, "permalink /products/JA/b/ writes the language as 'JA', not 'ja'", "/products/ja/b/"),
        ("_products/ja/c.md", 1, "no permalink; its source's gives /products/ja/c/?ref=x", None),
    ]


def test_fix_dry_run_prints_a_minimal_diff_and_fix_rewrites_one_line(site):
    before = (site / "_products/de/b.md").read_text()
    result = run("--root", str(site), "--fix", "--dry-run")
    assert "-permalink: /products/de/b-old/\n+permalink: /products/de/b/\n" in result.stdout
    assert (site / "_products/de/b.md").read_text() == before

    run("--root", str(site), "--fix")
    after = (site / "_products/de/b.md").read_text()
    assert [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b] == [
        ("permalink: /products/de/b-old/", "permalink: /products/de/b/")
    ]
    assert "permalink: /products/ja/b/\n" in (site / "_products/ja/b.md").read_text()
    # The source's own permalink (the query string) is for a human to fix: still reported.
    result = run("--root", str(site), "--format", "json")
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {"_products/en/c.md", "_products/ja/c.md"}


def test_quoting_is_kept_when_fixing(make_site):
    root = make_site({"_products/en/a.md": doc("a", "en", permalink='"/products/en/a/"'), "_products/de/a.md": doc("a", "de", permalink='"/products/de/x/"')})
    run("--root", str(root), "--fix")
    assert 'permalink: "/products/de/a/"\n' in (root / "_products/de/a.md").read_text()
    assert run("--root", str(root)).exit_code == 0


def test_sample_site_is_clean():
    from conftest import REPO

    result = run(str(REPO / "content"))
    assert result.exit_code == 0, result.output
    assert "all permalinks right" in result.stdout


def test_a_changed_source_permalink_is_carried_to_translations_with_a_redirect(make_site):
    root = make_site(
        {
            "_products/en/a.md": doc("a", "en", permalink="/products/en/a-new/"),
            "_products/ja/a.md": doc("a", "ja", permalink="/products/ja/a/"),
            "_products/de/a.md": doc("a", "de", permalink="/products/de/a/", redirect_from="[/products/de/a-older/]"),
        }
    )
    result = run("--root", str(root), "--fix", "--redirect")
    assert result.exit_code == 0, result.output
    ja = (root / "_products/ja/a.md").read_text()
    assert "permalink: /products/ja/a-new/\nredirect_from: [/products/ja/a/]\n" in ja
    de = (root / "_products/de/a.md").read_text()
    assert "redirect_from: [/products/de/a-older/, /products/de/a/]\n" in de
    assert run("--root", str(root)).exit_code == 0


@pytest.mark.parametrize(
    "permalink, problem",
    [
        ("/products/en/../../../etc/x/", "has a '.' or '..' segment"),
        ("/products/en/./a/", "has a '.' or '..' segment"),
        ("/products/en/%2e%2e/%2E%2E/x/", "has a '.' or '..' segment"),
        ("/products/en/..", "has a '.' or '..' segment"),
        ('"/products/en/a\\\\b/"', "has a backslash or a control character"),
        ('"/products/en/a%00/"', "has a backslash or a control character"),
    ],
)
def test_a_permalink_that_could_leave_the_site_is_reported_and_never_propagated(make_site, permalink, problem):
    root = make_site(
        {
            "_products/en/a.md": doc("a", "en", permalink=permalink),
            "_products/ja/a.md": doc("a", "ja", permalink="/products/ja/a/"),
        }
    )
    result = run("--root", str(root), "--format", "json")
    assert result.exit_code == 1
    found = [(f["path"], f["message"], f["expected"]) for f in json.loads(result.stdout)["findings"]]
    shown = permalink.strip('"').replace("\\\\", "\\")
    assert found == [("_products/en/a.md", f"permalink {shown} {problem}: it could name a page outside the site", None)]
    # --fix never copies it into the translation.
    before = (root / "_products/ja/a.md").read_bytes()
    run("--root", str(root), "--fix")
    assert (root / "_products/ja/a.md").read_bytes() == before


def test_dots_inside_a_segment_are_fine(make_site):
    root = make_site({"_products/en/a.md": doc("a", "en", permalink="/products/en/v1.2..3/a.b/")})
    assert run("--root", str(root)).exit_code == 0
