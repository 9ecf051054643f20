"""transync status on the real audioreview site (skipped when ../shared is absent)."""

from __future__ import annotations

import pytest

from conftest import CORPUS, requires_corpus
from transync.site.config import load_config
from transync.site.scan import scan
from transync.site.status import report

pytestmark = requires_corpus()


@pytest.fixture(scope="module")
def corpus_report():
    return report(scan(load_config(CORPUS), use_cache=False))


def test_zero_config_reads_the_whole_site(corpus_report):
    config = corpus_report.config
    assert config.languages == ("en", "ja") and config.source_lang == "en"
    assert [c.name for c in config.collections] == ["companies", "products"]
    assert corpus_report.files == 7611
    assert corpus_report.counts()["invalid"] == 0


def test_real_gaps_are_found(corpus_report):
    ja = corpus_report.summary["ja"]
    assert ja.expected == 3806  # 3,090 products + 716 companies
    by_state = {}
    for item in corpus_report.items:
        by_state.setdefault(item.state, set()).add(item.ref)
    assert by_state["missing"] == {"radius-hp-w100", "teac-vrds-701"}
    assert by_state["orphan"] == {"juice-hifi-audiolense-xo"}
    assert "duplicate" not in by_state
    assert ja.counts["current"] + ja.counts["stale"] + ja.counts["missing"] == ja.expected
    for item in corpus_report.items:
        if item.state == "stale":
            assert item.source_date > item.date


def test_cached_scan_agrees_with_a_full_read(corpus_report, monkeypatch):
    from transync.site import cache

    monkeypatch.setattr(cache, "RACY_NS", 0)
    config = load_config(CORPUS)
    first = scan(config)
    second = scan(config)
    assert second.parsed == 0
    assert report(second).items == corpus_report.items
    assert first.documents == second.documents
