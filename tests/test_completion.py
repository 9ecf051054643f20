"""Shell completion of --lang/--to/--collection values and of refs and paths, as the shell asks for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import doc


def complete(cwd: Path, line: str, shell: str = "bash") -> list[str]:
    """What ``transync`` answers when the shell completes the last word of ``line`` (as Typer's scripts call it)."""
    words = line.split(" ")
    env = {**os.environ, "_TRANSYNC_COMPLETE": f"complete_{shell}", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1),
           "_TYPER_COMPLETE_ARGS": line}
    done = subprocess.run([sys.executable, "-m", "transync"], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    assert done.stderr == ""
    return [line for line in done.stdout.splitlines() if line]


@pytest.fixture
def site(make_site):
    return make_site({
        "_products/en/sony/sony-mdr-z1r.md": doc("sony-mdr-z1r", "en"),
        "_products/en/sony/sony-wh-1000.md": doc("sony-wh-1000", "en"),
        "_companies/en/sony.md": doc("sony", "en"),
    })


def test_lang_values_are_the_sites_languages(site):
    assert complete(site, "transync status --lang ") == ["en", "ja", "de"]
    assert complete(site, "transync check -l j") == ["ja"]
    assert complete(site, "transync translate --to ja,") == ["ja,en", "ja,de"]
    assert complete(site, "transync memory export --lang d") == ["de"]


def test_lang_values_of_the_site_named_by_root(site, tmp_path):
    assert complete(tmp_path, "transync status --root site --lang ") == ["en", "ja", "de"]
    assert complete(tmp_path, "transync status --lang ") == []  # no site here: nothing, and no error


def test_collection_values(site):
    assert complete(site, "transync status --collection ") == ["companies", "products"]


def test_refs_then_paths(site):
    assert complete(site, "transync translate sony-") == ["sony-mdr-z1r", "sony-wh-1000"]
    assert complete(site, "transync ack sony") == ["sony", "sony-mdr-z1r", "sony-wh-1000"]
    assert complete(site, "transync translate _pro") == ["_products/"]
    assert complete(site, "transync translate _products/en/s") == ["_products/en/sony/"]
    assert complete(site, "transync diff sony-m", shell="zsh") == ["_arguments '*: :((\"sony-mdr-z1r\"))'"]
