"""`translate --dry-run` estimates the cost: planned characters times [translate] price_per_million_characters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app

runner = CliRunner()
NO_KEY = {"DEEPL_AUTH_KEY": "", "OPENAI_API_KEY": ""}
BODY = "## Overview\n\nThe first paragraph.\n\nThe second paragraph.\n"  # 57 characters to send per language


def cli(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], env=NO_KEY, catch_exceptions=False)


@pytest.fixture
def site(make_site, monkeypatch):
    root = make_site({"_products/en/p.md": doc("p", "en", body=BODY), "_products/en/q.md": doc("q", "en", body=BODY)})
    monkeypatch.chdir(root)
    return root


def test_dry_run_prints_the_cost_at_deepl_pro_price_with_language_subtotals(site):
    result = cli("translate", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "4 documents, 16 texts, 228 characters in 2 requests\n" in result.stdout
    assert result.stdout.endswith(
        "Estimated cost: < EUR 0.01 (228 characters at EUR 20.00 per million, [translate] price_per_million_characters)\n"
        "  de    2 documents         114 characters  < EUR 0.01\n"
        "  ja    2 documents         114 characters  < EUR 0.01\n"
    )


def test_configured_price_and_currency_and_json_subtotals(site):
    (site / "transync.toml").write_text('[translate]\nprice_per_million_characters = 250000\nprice_currency = "USD"\n')
    result = cli("translate", "--dry-run", "--to", "ja")
    assert result.stdout.endswith(
        "Estimated cost: USD 28.50 (114 characters at USD 250,000.00 per million, [translate] price_per_million_characters)\n"
        "  ja    2 documents         114 characters  USD 28.50\n"
    )
    data = json.loads(cli("translate", "--dry-run", "--format", "json").stdout)
    assert data["summary"]["estimate"] == {
        "engine": "deepl", "price_per_million_characters": 250000.0, "currency": "USD", "characters": 228, "cost": 57.0,
        "languages": {"de": {"documents": 2, "characters": 114, "cost": 28.5}, "ja": {"documents": 2, "characters": 114, "cost": 28.5}},
    }


def test_price_per_engine(site):
    (site / "transync.toml").write_text("[translate]\nprice_per_million_characters = { openai = 1000000 }\n")
    assert "Estimated cost: EUR 228.00 (228 characters at EUR 1,000,000.00 per million" in cli("translate", "--dry-run", "--engine", "openai").stdout
    assert "Estimated cost: no price for the deepl engine ([translate] price_per_million_characters).\n" in cli(
        "translate", "--dry-run", "--engine", "deepl").stdout
    data = json.loads(cli("translate", "--dry-run", "--engine", "deepl", "--format", "json").stdout)
    assert data["summary"]["estimate"]["cost"] is None
    # pseudo sends nothing: it costs nothing
    assert "Estimated cost: EUR 0.00 (228 characters at EUR 0.00 per million" in cli("translate", "--dry-run", "--engine", "pseudo").stdout


def test_a_run_that_sends_has_no_estimate(site):
    data = json.loads(cli("translate", "--engine", "pseudo", "--format", "json").stdout)
    assert data["summary"]["estimate"] is None


@pytest.mark.parametrize("table, problem", [
    ("price_per_million_characters = -1", "'translate.price_per_million_characters' must be a number, 0 or more"),
    ('price_per_million_characters = "20"', "'translate.price_per_million_characters' must be a number, 0 or more"),
    ("price_per_million_characters = { nosuch = 1 }", "'translate.price_per_million_characters.nosuch' is not a translation engine"),
    ('price_currency = "euro"', "'translate.price_currency' is not an ISO 4217 code such as EUR: 'euro'"),
])
def test_bad_price_settings_are_one_line_errors_naming_the_key(site, table, problem):
    (site / "transync.toml").write_text(f"[translate]\n{table}\n")
    result = cli("translate", "--dry-run")
    assert result.exit_code == 2
    assert result.stderr == f"transync translate: error: transync.toml: {problem}\n"
