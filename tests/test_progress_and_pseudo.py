"""Progress lines, the pseudo command and DeepL language codes: small pieces with behaviour of their own."""

from __future__ import annotations

import io
from types import SimpleNamespace

from typer.testing import CliRunner

from conftest import REPO
from transync.cli import app
from transync.translate.engines.deepl import source_code, target_code
from transync.translate.progress import Progress


def test_progress_in_a_log_prints_every_tenth_and_failures():
    out = io.StringIO()
    progress = Progress(20, stream=out, live=False)
    for n in range(20):
        if n == 5:
            progress.event("failed", {"job": SimpleNamespace(target_path="_products/ja/x.md"), "reason": "line 3: broken"})
        else:
            progress.event("written", {"characters": 100})
    progress.event("planned", {})  # not a progress event: no line
    lines = out.getvalue().splitlines()
    assert "failed: _products/ja/x.md: line 3: broken" in lines
    counted = [line for line in lines if " documents" in line]
    assert len(counted) == 11  # 1/20, then each tenth up to 20/20
    assert counted[-1].startswith("20/20 documents, 1 failed, 1,900 chars")


def test_progress_on_a_terminal_redraws_one_line():
    out = io.StringIO()
    progress = Progress(4, total_chars=400, stream=out, live=True)
    for _ in range(4):
        progress.event("written", {"characters": 100})
    progress.close()
    text = out.getvalue()
    assert text.count("\r") == 4 and text.count("\n") == 1
    assert "4/4 documents, 400/400 chars" in text


def test_pseudo_shows_what_is_translated_and_what_is_kept():
    path = REPO / "content/_products/en/kestrel/kestrel-a-1.md"
    result = CliRunner().invoke(app, ["pseudo", str(path), "--to", "de"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "lang: de\n" in out and "permalink: /products/de/kestrel-a-1/\n" in out
    assert "⟦Ţĥé Ķéšţŕéļ Å-1 îš" in out  # translated text is accented and bracketed
    assert "\n## Überblick\n" in out  # a heading the glossary knows takes its term, as translate does
    assert "rating: [3.4, 0.8, 0.6, 0.6, 0.6, 0.8]\n" in out  # kept fields are not
    assert "$$ \\Large \\text{0.8} $$" in out
    assert path.read_text().count("⟦") == 0  # nothing written


def test_deepl_language_codes():
    assert [target_code(c) for c in ("en", "pt", "zh", "ja", "de", "pt-pt")] == ["EN-US", "PT-BR", "ZH-HANS", "JA", "DE", "PT-PT"]
    assert target_code("en", {"en": "EN-GB"}) == "EN-GB"
    assert [source_code(c) for c in ("en", "pt-BR", "zh_Hans")] == ["EN", "PT", "ZH"]
