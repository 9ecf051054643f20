"""Where a user waits: what a command does not need it does not load (checked in a fresh interpreter); long jobs report progress."""

from __future__ import annotations

import subprocess
import sys

from conftest import doc

PROBE = """
import sys
from transync.cli import main
sys.argv = ["transync", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("\\nLOADED", " ".join(m for m in ("deepl", "requests", "yaml", "markdown_it", "rich.markdown") if m in sys.modules))
"""


def loaded(*args: str, env: dict[str, str] | None = None) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120)
    line = proc.stdout.rsplit("LOADED", 1)[1]
    return set(line.split())


def test_translate_with_nothing_to_send_does_not_load_deepl(make_site, monkeypatch):
    import os

    root = make_site({"_products/en/p.md": doc("p", "en")}, config='languages: ["en"]\ndefault_lang: "en"\n')
    env = dict(os.environ, DEEPL_AUTH_KEY="fake-key:fx", DEEPL_SERVER_URL="http://127.0.0.1:9")
    assert {"deepl", "requests"}.isdisjoint(loaded("translate", "--root", str(root), env=env))


def test_version_loads_no_parser():
    assert loaded("--version") == set()


def test_seed_reports_each_document_to_its_progress(make_site):
    from transync.site.config import load_config
    from transync.site.scan import scan
    from transync.site.status import report
    from transync.translate import seed as seeding
    from transync.translate.memory import Memory

    root = make_site({
        "_products/en/p.md": doc("p", "en"), "_products/ja/p.md": doc("p", "ja"),
        "_products/en/q.md": doc("q", "en"), "_products/ja/q.md": doc("q", "ja"), "_products/en/r.md": doc("r", "en"),
    })
    config = load_config(root)
    site = report(scan(config), git=False)
    memory = Memory.of_site(config, "en", "ja")
    ticks: list[int] = []
    result = seeding.seed(memory, site, on_document=lambda: ticks.append(1))
    assert len(ticks) == len(seeding.candidates(memory, site)) == result.documents == 2
