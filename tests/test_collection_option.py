"""`--collection NAME` limits status, check, translate, report, ack and memory export to some collections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app

runner = CliRunner()


def cli(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], env={"DEEPL_AUTH_KEY": "", "OPENAI_API_KEY": ""}, catch_exceptions=False)


@pytest.fixture
def site(make_site, monkeypatch):
    """A product with a stray URL in its ja translation, a company with one in its ja translation, both missing in de."""
    root = make_site({
        "_products/en/p.md": doc("p", "en", body="## Overview\n\nText.\n"),
        "_products/ja/p.md": doc("p", "ja", body="## 概要\n\n本文 https://example.org/p\n"),
        "_companies/en/c.md": doc("c", "en", body="## Overview\n\nText.\n"),
        "_companies/ja/c.md": doc("c", "ja", body="## 概要\n\n本文 https://example.org/c\n"),
    })
    monkeypatch.chdir(root)
    return root


def items(result) -> list[tuple[str, str, str]]:
    return [(i["collection"], i["ref"], i["lang"]) for i in json.loads(result.stdout)["items"] if i["state"] != "current"]


def test_status_by_collection_counts_only_its_documents(site):
    result = cli("status", "--collection", "products", "--format", "json")
    assert items(result) == [("products", "p", "de")]
    assert json.loads(result.stdout)["summary"]["languages"]["de"]["expected"] == 1
    both = cli("status", "--collection", "products,companies", "--format", "json")
    assert sorted(items(both)) == [("companies", "c", "de"), ("products", "p", "de")]


def test_check_by_collection_and_its_baseline_scope(site):
    result = cli("check", "--collection", "companies", "--format", "json")
    assert [(f["path"], f["message"]) for f in json.loads(result.stdout)["findings"]] == [
        ("_companies/ja/c.md", "URL not in the source: https://example.org/c"),
    ]
    assert cli("check", "--update-baseline").exit_code == 0  # both findings accepted
    # A collection's run accepts its own findings again and keeps the other collection's.
    assert cli("check", "--collection", "products", "--update-baseline").exit_code == 0
    baseline = json.loads((site / ".transync/baseline.json").read_text())
    assert sorted(e["path"] for e in baseline["check"]) == ["_companies/ja/c.md", "_products/ja/p.md"]


def test_translate_dry_run_by_collection(site):
    result = cli("translate", "--dry-run", "--collection", "companies", "--format", "json")
    assert [(d["collection"], d["ref"], d["lang"], d["status"]) for d in json.loads(result.stdout)["documents"]] == [
        ("companies", "c", "de", "planned"),
    ]


def test_report_by_collection(site, tmp_path):
    assert cli("report", "--collection", "companies", "-o", tmp_path / "out").exit_code == 0
    data = json.loads((tmp_path / "out/status.json").read_text())
    assert {i["collection"] for i in data["items"]} == {"companies"}


def test_memory_export_by_collection(site):
    result = cli("memory", "export", "--lang", "de", "--collection", "products")
    assert result.exit_code == 0
    assert "#: _products/en/p.md" in result.stdout
    assert "_companies" not in result.stdout


def test_ack_by_collection_alone_selects_its_translations(site):
    result = cli("ack", "--collection", "companies", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == "nothing to acknowledge: 1 translation already current\n"


@pytest.mark.parametrize("command", [
    ("status",), ("check",), ("translate", "--dry-run"), ("report",), ("ack", "--dry-run"), ("memory", "export", "--lang", "ja"),
    ("glossary", "check"),
])
def test_an_unknown_collection_is_a_one_line_error_naming_the_option(site, command):
    result = cli(*command, "--collection", "reviews")
    assert result.exit_code == 2
    name = " ".join(c for c in command[:2] if c.isalpha())
    assert result.stderr == f"transync {name}: error: --collection reviews: not one of the site's collections (companies, products)\n"
