"""Which documents a command's PATHS select: one rule, with folder boundaries, for every command."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.cli import app
from transync.site.sitepaths import inside, selected, under

runner = CliRunner()


def test_a_folder_holds_whole_names_only():
    assert under("_products/ja/adam/x.md", "_products/ja/adam")
    assert under("_products/ja/adam/x.md", "_products/ja/adam/")
    assert under("_products/ja/adam", "_products/ja/adam")
    assert not under("_products/ja/adam-audio/x.md", "_products/ja/adam")
    assert not under("_products/ja/adamx.md", "_products/ja/adam")
    assert under("_products/ja/adam/x.md", "")  # the site root selects everything
    assert inside(os.sep + os.path.join("site", "a", "b"), os.sep + os.path.join("site", "a"))
    assert not inside(os.sep + os.path.join("site", "ab"), os.sep + os.path.join("site", "a"))


def test_paths_select_an_item_by_any_of_its_paths():
    assert selected(None, None)  # no PATHS: everything
    assert not selected([], "a.md")
    assert selected(["_products/en/adam"], "_products/ja/adam/x.md", "_products/en/adam/x.md")
    assert not selected(["_products/en/adam"], None, "_products/en/adam-audio/x.md")
    assert selected(["_products/ja/adam/x.md"], None, None, "_products/ja/adam/x.md")  # a missing file's future path
    # Items carry unprintable names escaped (sitepaths.shown): the PATHS are compared in that form.
    assert selected(["_products/ja/a\tb"], "_products/ja/a\\tb/x.md")


def adam_site(make_site):
    """Two sibling folders, adam/ and adam-audio/, whose translations have the same faults."""
    files = {"glossaries/en-ja.csv": "source,target\nfrequency response,周波数特性\n"}
    for folder, ref in (("adam", "a"), ("adam-audio", "b")):
        files[f"_products/en/{folder}/{ref}.md"] = doc(
            ref, "en", permalink=f"/products/en/{ref}/",
            body="## Overview\n\nThe frequency response is flat.\n\nSee https://example.com/fr.\n",
        )
        files[f"_products/ja/{folder}/{ref}.md"] = doc(
            ref, "ja", permalink=f"/products/de/{ref}/",  # the wrong language segment
            body="## 概要\n\n周波数応答はフラットです。\n\n参照。\n",  # the glossary's term and the URL are lost
        )
    return make_site(files)


@pytest.mark.parametrize(
    "command, list_key, exit_code",
    [
        (["status"], "items", 0),  # the translation is current: listed, nothing to fail on
        (["check"], "findings", 1),
        (["permalinks"], "findings", 1),
        (["glossary", "check"], "findings", 1),
    ],
)
@pytest.mark.parametrize("folder", ["adam", "adam-audio"])
def test_every_command_selects_a_folder_and_not_its_namesakes(make_site, command, list_key, exit_code, folder):
    root = adam_site(make_site)
    result = runner.invoke(app, [*command, str(root / "_products/ja" / folder), "--root", str(root), "--format", "json"])
    assert result.exit_code == exit_code, result.output
    listed = json.loads(result.stdout)[list_key]
    paths = {item["path"] for item in listed}
    assert paths == {f"_products/ja/{folder}/{'a' if folder == 'adam' else 'b'}.md"}, result.stdout
