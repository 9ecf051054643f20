"""memory export and import show their progress: one call per document, a live line on a terminal only."""

from __future__ import annotations

import io
import shutil

import pytest
from typer.testing import CliRunner

from conftest import REPO
from transync.cli import app
from transync.site import scan, status
from transync.site.config import load_config
from transync.translate import exchange
from transync.translate.memory import Memory
from transync.translate.progress import Ticker

runner = CliRunner()


@pytest.fixture
def site(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    root = tmp_path / "content"
    assert runner.invoke(app, ["memory", "seed", "--root", str(root)]).exit_code == 0
    return root


def test_export_and_import_report_each_document_once(site, tmp_path):
    config = load_config(site)
    report = status.report(scan.scan(config), git=False)
    memory = Memory.of_site(config, config.source_lang, "de")
    calls = []
    exported = exchange.export_po(config, report, memory, "de", only="missing", on_document=lambda *a: calls.append(a))
    missing = [i for i in report.items if i.lang == "de" and i.state in ("missing", "pseudo") and i.source_path]
    assert missing and calls == [(n, len(missing)) for n in range(1, len(missing) + 1)]
    assert exported.documents <= len(missing)
    out = tmp_path / "de.po"
    out.write_text(exported.text, encoding="utf-8")  # nothing filled in: every entry is skipped
    calls.clear()
    exchange.import_file(out, config, report, memory, "de", on_document=lambda *a: calls.append(a))
    expected = [i for i in report.items if i.lang == "de" and i.source_path and i.state in status.EXPECTED]
    assert calls == [(n, len(expected)) for n in range(1, len(expected) + 1)]


def test_the_progress_line_is_drawn_on_a_terminal_only():
    terminal, log = io.StringIO(), io.StringIO()
    for stream, live in ((terminal, True), (log, False)):
        tick = Ticker(stream=stream, live=live)
        for n in range(1, 4):
            tick(n, 3)
        tick.close()
    assert "3/3 documents" in terminal.getvalue() and terminal.getvalue().count("\r") == 3
    assert log.getvalue() == ""
