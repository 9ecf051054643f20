"""transync-ignore comments in MDX: ``{/* transync-ignore NAMES */}``, on the Starlight sample site (tests/fixtures/sites/starlight).

MDX has no HTML comments, so its pages say the same thing with a JavaScript
comment in braces; ``.md`` pages keep the HTML form and read the MDX one too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO
from transync.checks import suppress
from transync.cli import app

SITE = REPO / "tests" / "fixtures" / "sites" / "starlight"
HOME_EN = "src/content/docs/index.mdx"
HOME_FR = "src/content/docs/fr/index.mdx"
BREWING_FR = "src/content/docs/fr/guides/brewing.md"
#: A paragraph the French pages add: its URL is not in the source, a `urls` finding.
SHOP = "Une bouilloire chez https://example.org/boutique pour commencer."


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "starlight"
    shutil.copytree(SITE, root)
    return root


def add(root: Path, rel: str, text: str) -> None:
    page = root / rel
    page.write_text(page.read_text(encoding="utf-8") + text, encoding="utf-8")


def check(root: Path, *args: str):
    return CliRunner().invoke(app, ["check", "--no-git", "--root", str(root), "--format", "json", *args])


def found(result) -> list[tuple[str, str]]:
    return [(f["path"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def test_the_shop_url_is_a_finding_on_an_mdx_page_without_a_comment(root):
    add(root, HOME_FR, f"\n{SHOP}\n")
    result = check(root)
    assert result.exit_code == 1
    assert found(result) == [(HOME_FR, "URL not in the source: https://example.org/boutique")]


@pytest.mark.parametrize("comment", [
    "{/* transync-ignore urls */}\n",
    "{ /*transync-ignore urls, citations*/ }\n",
    "{/* transync-ignore */}\n",
])
def test_an_mdx_comment_silences_the_block_after_it(root, comment):
    add(root, HOME_FR, f"\n{comment}{SHOP}\n")
    result = check(root)
    assert result.exit_code == 0, result.output
    assert found(result) == []
    assert json.loads(result.stdout)["baseline"]["suppressed"] == 1


def test_an_mdx_comment_at_the_end_of_the_line_silences_that_block(root):
    add(root, HOME_FR, f"\n{SHOP} {{/* transync-ignore urls */}}\n")
    result = check(root)
    assert result.exit_code == 0, result.output
    assert "1 findings silenced by transync-ignore comments" in check(root, "--format", "table").stdout


def test_an_mdx_comment_naming_another_check_silences_nothing(root):
    add(root, HOME_FR, f"\n{{/* transync-ignore citations */}}\n{SHOP}\n")
    assert check(root).exit_code == 1


def test_an_mdx_region_silences_up_to_its_end_only(root):
    add(root, HOME_FR, f"\n{{/* transync-ignore-start urls */}}\n{SHOP}\n\n{{/* transync-ignore-end */}}\n\nAussi https://example.org/autre.\n")
    result = check(root)
    assert result.exit_code == 1
    assert found(result) == [(HOME_FR, "URL not in the source: https://example.org/autre")]


def test_an_mdx_file_comment_in_the_source_silences_its_translations(root):
    add(root, HOME_FR, f"\n{SHOP}\n")
    page = root / HOME_EN
    page.write_text(page.read_text(encoding="utf-8").replace("\nA quiet guide", "\n{/* transync-ignore-file urls */}\n\nA quiet guide", 1),
                    encoding="utf-8")
    result = check(root)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["baseline"]["suppressed"] == 1


def test_a_wrong_mdx_comment_is_told_in_the_mdx_form(root):
    add(root, HOME_FR, f"\n{{/* transync-ignore-start url */}}\n{SHOP}\n")
    result = check(root, "--format", "table")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"transync: {HOME_FR}:33: transync-ignore names an unknown check 'url' (checks: ")
    assert lines[1] == (f"transync: {HOME_FR}:33: transync-ignore-start is never ended ({{/* transync-ignore-end */}}):"
                        " it silences the rest of the file")


@pytest.mark.parametrize("comment", ["<!-- transync-ignore urls -->\n", "{/* transync-ignore urls */}\n"])
def test_a_markdown_page_of_the_same_site_reads_both_forms(root, comment):
    add(root, BREWING_FR, f"\n{SHOP}\n")
    assert found(check(root)) == [(BREWING_FR, "URL not in the source: https://example.org/boutique")]
    page = root / BREWING_FR
    page.write_text(page.read_text(encoding="utf-8").replace(SHOP, comment + SHOP), encoding="utf-8")
    result = check(root)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["baseline"]["suppressed"] == 1


def test_a_comment_keeps_to_its_own_form():
    s = suppress.parse("<!-- transync-ignore urls */}\na\n\n{/* transync-ignore urls -->\nb\n", "mdx")
    assert s.lines == {} and s.problems == []
    unended = suppress.parse("<!-- transync-ignore-start urls -->\nx\n")
    assert unended.problems == [(1, "transync-ignore-start is never ended (<!-- transync-ignore-end -->): it silences the rest of the file")]
