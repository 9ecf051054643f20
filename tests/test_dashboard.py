"""`transync report`: the dashboard page, status.json and summary.svg, read back with the stdlib parsers."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import CORPUS, REPO, doc, requires_corpus
from transync.cli import app
from transync.errors import ConfigError
from transync.site.config import load_config

runner = CliRunner()
PATTERN = "https://github.com/OWNER/REPO/blob/main/{path}"
HOSTILE = "<script>alert(1)</script>"


class Page(HTMLParser):
    """Every start tag with its attributes, the text of headings, the rows of the listing and the inline script."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[tuple[str, str]] = []
        self.text: list[str] = []
        self._heading: str | None = None
        self._buf: list[str] = []
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3"):
            self._heading, self._buf = tag, []
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == self._heading:
            self.headings.append((tag, " ".join("".join(self._buf).split())))
            self._heading = None
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._heading:
            self._buf.append(data)
        if not self._in_script:
            self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def report(root: Path, out: Path, *args: str):
    result = runner.invoke(app, ["report", "--root", str(root), "-o", str(out), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return Page((out / "index.html").read_text(encoding="utf-8"))


def status_json(root: Path) -> dict:
    result = runner.invoke(app, ["status", "--root", str(root), "--format", "json", "--fail-on", "none"], catch_exceptions=False)
    return json.loads(result.stdout)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The repository's sample site (read only: the report goes to tmp_path)."""
    return REPO / "content"


def test_structure_of_the_sample_dashboard(sample: Path, tmp_path: Path):
    page = report(sample, tmp_path / "out")
    html = page.all("html")[0]
    assert html["lang"] == "en"
    levels = [h for h, _ in page.headings]
    assert levels.count("h1") == 1 and levels[0] == "h1"
    titles = [t for _, t in page.headings]
    assert {"Completion per language", "Collections by language", "Documents per state"} <= set(titles)
    assert any(t.startswith("ja Japanese (日本語)") for t in titles)
    assert "stale (2)" in titles and "missing (1)" in titles
    assert all(attrs.get("scope") in ("col", "row") for attrs in page.all("th"))
    assert len(page.all("table")) >= 5
    # The language's own name is marked with its language.
    assert {"lang": "ja"} in page.all("span") and {"lang": "de"} in page.all("span")
    assert page.all("meta")[1]["name"] == "viewport"
    # What changed in a stale translation's source, and since when (git's baseline commit).
    text = "".join(page.text)
    commit = next(i["changes"]["baseline"]["commit"] for i in status_json(sample)["items"] if i["ref"] == "kestrel-ie-5" and i["state"] == "stale")
    assert "1 segment changed (423 characters)" in text and f"since {commit[:7]}" in text
    assert "outdated fields: rating, price" in text


def test_counts_equal_status_json(sample: Path, tmp_path: Path):
    page = report(sample, tmp_path / "out")
    data = status_json(sample)
    shown = Counter((a["data-lang"], a["data-state"]) for a in page.all("tr") if "data-state" in a)
    expected = Counter((i["lang"], i["state"]) for i in data["items"] if i["state"] != "current")
    assert shown == expected and sum(expected.values()) == 9
    # The overview's counts, language by language and state by state, in document order.
    cells = [int(x) for x in _counts_of(tmp_path / "out" / "index.html", "languages")]
    assert cells == [n for row in data["summary"]["languages"].values() for s, n in row.items() if s in data["summary"]["states"]]
    states = _counts_of(tmp_path / "out" / "index.html", "state-counts")
    assert [int(x) for x in states] == [data["summary"]["states"][s] for s in ("stale", "missing", "pseudo", "orphan", "duplicate", "invalid", "current")]
    written = json.loads((tmp_path / "out" / "status.json").read_text(encoding="utf-8"))
    assert written["summary"] == {**data["summary"], "failing": written["summary"]["failing"], "fail_on": written["summary"]["fail_on"]}
    assert written["items"] == data["items"]


def _counts_of(path: Path, table_id: str) -> list[str]:
    """The text of the cells with data-count in one table."""

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside = self.take = False
            self.found: list[str] = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "table":
                self.inside = attrs.get("id") == table_id
            self.take = self.inside and tag == "td" and "data-count" in attrs

        def handle_data(self, data):
            if self.take:
                self.found.append(data.replace(",", ""))
                self.take = False

    cells = Cells()
    cells.feed(path.read_text(encoding="utf-8"))
    return cells.found


def test_links_follow_the_pattern_and_nothing_external_is_loaded(sample: Path, tmp_path: Path):
    page = report(sample, tmp_path / "out", "--repo-url", PATTERN, "--with-checks")
    hrefs = [a["href"] for a in page.all("a")]
    assert hrefs and all(h.startswith("https://github.com/OWNER/REPO/blob/main/_") for h in hrefs)
    assert "https://github.com/OWNER/REPO/blob/main/_products/ja/kestrel/kestrel-ie-5.md" in hrefs
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag  # the one script is inline
        assert tag not in ("link", "img", "iframe", "object", "embed")
    assert len(page.all("script")) == 1
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "@import" not in html and "url(" not in html


def test_check_findings_are_listed_per_language(sample: Path, tmp_path: Path):
    page = report(sample, tmp_path / "out", "--with-checks")
    result = runner.invoke(app, ["check", "--root", str(sample), "--format", "json", "--fail-on", "none"], catch_exceptions=False)
    findings = json.loads(result.stdout)["findings"]
    shown = Counter(a["data-lang"] for a in page.all("tr") if a.get("data-state") == "check")
    assert findings and shown == Counter(f["lang"] for f in findings)


def test_check_findings_are_those_check_shows_once_a_baseline_accepts_some(make_site, tmp_path: Path):
    source = "## Overview\n\nSee https://example.com/a for details.\n"
    shop = "## 概要\n\n詳しくは https://example.com/a と https://www.amazon.co.jp/dp/1 を参照。\n"
    root = make_site({"_products/en/x.md": doc("x", "en", body=source), "_products/ja/x.md": doc("x", "ja", body=shop),
                      "_products/en/y.md": doc("y", "en", body=source), "_products/ja/y.md": doc("y", "ja", body=shop)})
    assert runner.invoke(app, ["check", "--root", str(root), "--update-baseline"]).exit_code == 0

    def shown(page: Page) -> list[str]:
        return [a["data-lang"] for a in page.all("tr") if a.get("data-state") == "check"]

    page = report(root, tmp_path / "all-accepted", "--with-checks", "--no-git")
    text = "".join(page.text)
    assert shown(page) == [] and "check findings (0)" in [t for _, t in page.headings]
    assert "2 accepted in the baseline, not shown" in text and "No new findings." in text
    assert "baseline .transync/baseline.json: 2 accepted findings not shown" in text

    (root / "_products/ja/y.md").write_text(doc("y", "ja", body=shop + "\n新しい https://example.org/new\n"), encoding="utf-8")
    (root / "_products/ja/x.md").write_text(doc("x", "ja", body=shop.replace("詳しくは", "<!-- transync-ignore urls -->\n詳しくは")),
                                            encoding="utf-8")
    checked = runner.invoke(app, ["check", "--root", str(root), "--format", "json", "--no-git"])
    assert [f["message"] for f in json.loads(checked.stdout)["findings"]] == ["URL not in the source: https://example.org/new"]
    page = report(root, tmp_path / "one-new", "--with-checks", "--no-git")
    text = "".join(page.text)
    assert shown(page) == ["ja"] and "check findings (1)" in [t for _, t in page.headings]
    assert "URL not in the source: https://example.org/new" in text and "amazon" not in text
    assert "Checks: 2 translations checked: 1 finding in 1 file." in text
    assert "1 accepted in the baseline, not shown" in text  # y's shop URL; x's is silenced by its comment
    assert "1 findings silenced by transync-ignore comments" in text
    assert "accepted findings are gone (fixed)" in text  # x's accepted entry: the comment took it


def test_a_small_literal_site_with_a_hostile_ref(make_site, tmp_path: Path):
    root = make_site(
        {
            "_products/en/a/one.md": doc("one", "en", "2025-02-01", permalink="/products/en/one/"),
            "_products/ja/a/one.md": doc("one", "ja", "2025-01-01", permalink="/products/ja/one/"),
            "_products/en/a/two.md": doc("two", "en"),
            "_products/ja/a/bad.md": doc(f"'{HOSTILE}'", "ja", title=f"'{HOSTILE} & co'"),
        },
        config='languages: ["en", "ja"]\ndefault_lang: "en"\nurl: "https://example.org"\nbaseurl: "/docs"\n',
    )
    (root / "transync.toml").write_text(f'[report]\nrepo_url = "{PATTERN}"\n', encoding="utf-8")
    page = report(root, tmp_path / "out", "--no-git")
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert html.count("<script>") == 1  # ours; the ref is text
    assert HOSTILE in "".join(page.text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    rows = [a for a in page.all("tr") if "data-state" in a]
    assert Counter(a["data-state"] for a in rows) == {"stale": 1, "missing": 1, "orphan": 1}
    hrefs = [a["href"] for a in page.all("a")]
    assert "https://example.org/docs/products/ja/one/" in hrefs  # the page of the stale translation
    assert "https://github.com/OWNER/REPO/blob/main/_products/ja/a/bad.md" in hrefs
    stale = next(a for a in rows if a["data-state"] == "stale")
    assert stale["data-date"] == "2025-01-01"
    assert "source dated 2025-02-01, translation 2025-01-01" in "".join(page.text)


def test_summary_svg_is_well_formed(sample: Path, tmp_path: Path):
    report(sample, tmp_path / "out")
    svg = ET.parse(tmp_path / "out" / "summary.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    labels = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert labels == ["ja", "57.1%", "de", "28.6%"]
    assert "ja 57.1%" in svg.find("{http://www.w3.org/2000/svg}title").text


def test_lang_option_limits_the_page(sample: Path, tmp_path: Path):
    page = report(sample, tmp_path / "out", "--lang", "de")
    assert {a["data-lang"] for a in page.all("tr") if "data-state" in a} == {"de"}


def test_repo_url_must_name_the_path(make_site, tmp_path: Path):
    root = make_site({"_products/en/one.md": doc("one", "en")})
    (root / "transync.toml").write_text('[report]\nrepo_url = "https://github.com/o/r"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"transync.toml: 'report.repo_url' must hold \{path\}"):
        load_config(root)
    (root / "transync.toml").write_text("[report]\nrepo = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="report.repo"):
        load_config(root)
    (root / "transync.toml").unlink()
    result = runner.invoke(app, ["report", "--root", str(root), "-o", str(tmp_path / "o"), "--repo-url", "https://x/"])
    assert result.exit_code == 2 and "must hold {path}" in result.output


@requires_corpus()
def test_the_real_site_page_stays_small_and_counts_every_item(tmp_path: Path):
    page = report(CORPUS, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "status.json").read_text(encoding="utf-8"))
    assert data["files"] > 7000
    shown = Counter((a["data-lang"], a["data-state"]) for a in page.all("tr") if "data-state" in a)
    assert shown == Counter((i["lang"], i["state"]) for i in data["items"] if i["state"] != "current")
    assert (tmp_path / "out" / "index.html").stat().st_size < 2_000_000
