"""`memory export` lists the texts document by document, in site order, each in the order it appears."""

from __future__ import annotations

from pathlib import Path

import polib
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app

runner = CliRunner()


def test_export_follows_the_documents(make_site, tmp_path):
    root = make_site({
        "_products/en/b.md": doc("b", "en", summary='"Zebra summary."', body="## Zulu\n\nAlpha paragraph of b.\n\n## Shared\n"),
        "_products/en/a.md": doc("a", "en", body="## Yankee\n\nMiddle paragraph of a.\n\n## Shared\n"),
        "_companies/en/c.md": doc("c", "en", body="## Xray\n\nA company.\n"),
    }, config='languages: ["en", "ja"]\ncollections:\n  products: {output: true}\n  companies: {output: true}\n')
    out = tmp_path / "ja.po"
    result = runner.invoke(app, ["memory", "export", "--root", str(root), "--lang", "ja", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    entries = [(e.msgctxt, e.msgid, [p for p, _ in e.occurrences]) for e in polib.pofile(str(out))]
    assert entries == [
        ("fm:title", "a review", ["_products/en/a.md"]),
        (None, "Yankee", ["_products/en/a.md"]),
        (None, "Middle paragraph of a.", ["_products/en/a.md"]),
        (None, "Shared", ["_products/en/a.md", "_products/en/b.md"]),
        ("fm:title", "b review", ["_products/en/b.md"]),
        ("fm:summary", "Zebra summary.", ["_products/en/b.md"]),
        (None, "Zulu", ["_products/en/b.md"]),
        (None, "Alpha paragraph of b.", ["_products/en/b.md"]),
        ("fm:title", "c review", ["_companies/en/c.md"]),
        (None, "Xray", ["_companies/en/c.md"]),
        (None, "A company.", ["_companies/en/c.md"]),
    ]
