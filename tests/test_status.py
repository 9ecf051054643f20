"""Scanning a site and judging every translation: the states of DESIGN.md."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import doc
from transync.site import cache as cache_mod
from transync import document
from transync.document import fields
from transync.site.config import DEFAULT_FIELDS
from transync.site.config import load_config
from transync.site.scan import scan
from transync.site.status import report


def states(root: Path, **kwargs) -> dict[tuple[str | None, str | None], str]:
    result = report(scan(load_config(root)), **kwargs)
    return {(item.ref, item.lang): item.state for item in result.items}


def item_of(root: Path, ref: str | None, lang: str | None):
    result = report(scan(load_config(root)))
    matches = [i for i in result.items if i.ref == ref and i.lang == lang]
    assert len(matches) == 1, matches
    return matches[0]


def test_every_state_of_a_site(make_site):
    root = make_site(
        {
            "_products/en/a/one.md": doc("one", "en", "2025-01-10"),
            "_products/ja/a/one.md": doc("one", "ja", "2025-01-10"),
            "_products/de/a/one.md": doc("one", "de", "2024-12-01"),
            "_products/en/a/two.md": doc("two", "en"),
            "_products/ja/a/gone.md": doc("gone", "ja"),
            "_products/en/a/three.md": doc("three", "en"),
            "_products/en/a/three-copy.md": doc("three", "en"),
            "_products/ja/a/bad.md": "---\nref: [unclosed\n---\nbody\n",
        }
    )
    assert states(root) == {
        ("one", "ja"): "current",
        ("one", "de"): "stale",
        ("two", "ja"): "missing",
        ("two", "de"): "missing",
        ("gone", "ja"): "orphan",
        ("three", "en"): "duplicate",
        ("three", "ja"): "duplicate",  # its source is ambiguous: not a translation to make yet
        ("three", "de"): "duplicate",
        (None, "ja"): "invalid",
    }


def test_missing_names_the_file_to_create(make_site):
    root = make_site({"_products/en/acme/acme-x1.md": doc("acme-x1", "en")})
    item = item_of(root, "acme-x1", "de")
    assert item.path is None
    assert item.source_path == "_products/en/acme/acme-x1.md"
    assert item.target_path == "_products/de/acme/acme-x1.md"


def test_duplicates_name_each_other(make_site):
    root = make_site(
        {
            "_products/en/one.md": doc("one", "en"),
            "_products/ja/one.md": doc("one", "ja"),
            "_products/ja/one-again.md": doc("one", "ja"),
        }
    )
    result = report(scan(load_config(root)))
    dups = [i for i in result.items if i.state == "duplicate"]
    assert {i.path for i in dups} == {"_products/ja/one.md", "_products/ja/one-again.md"}
    assert all("_products/ja/one" in i.reason for i in dups)
    assert ("one", "ja") not in {(i.ref, i.lang) for i in result.items if i.state in ("current", "stale", "missing")}


def test_orphan_points_at_the_mirrored_source_with_another_ref(make_site):
    root = make_site(
        {
            "_products/en/x/widget.md": doc("widget-2", "en"),
            "_products/ja/x/widget.md": doc("widget", "ja"),
        }
    )
    item = item_of(root, "widget", "ja")
    assert item.state == "orphan"
    assert "_products/en/x/widget.md has ref 'widget-2'" in item.reason


@pytest.mark.parametrize(
    ("source_date", "translation_date", "expected"),
    [
        ("2025-03-01", "2025-03-01", "current"),
        ("2025-03-02", "2025-03-01", "stale"),
        ("2025-03-01", "2025-03-02", "current"),
        ("2025-03-01 10:00:00 +0900", "2025-03-01", "stale"),  # 01:00 UTC, after midnight
        ("2025-03-01 08:00:00 +0900", "2025-02-28T23:30:00", "current"),  # 2025-02-28T23:00 UTC
        ("2025-03-01T12:00:00", "2025-03-01T11:59:00", "stale"),
    ],
)
def test_stale_by_date_without_provenance(make_site, source_date, translation_date, expected):
    root = make_site(
        {
            "_products/en/p.md": doc("p", "en", f'"{source_date}"'),
            "_products/ja/p.md": doc("p", "ja", f'"{translation_date}"'),
        },
        config='languages: ["en", "ja"]\n',
    )
    assert states(root)[("p", "ja")] == expected


def _provenance(source_text: str, translation_body: str, translation_meta: dict, key: str = "transync") -> str:
    """A translation with provenance as transync writes it, for a given source text."""
    src = document.parse(source_text)
    prov = {
        "source_hash": document.content_hash(src.meta, src.body, ("summary", "tags", "title")),
        "source_date": str(src.meta["date"]),
    }
    lines = "".join(f"{k}: {v}\n" for k, v in translation_meta.items())
    written = document.parse(f"---\n{lines}---\n{translation_body}")
    prov["output_hash"] = document.output_hash(written.meta, translation_body, key)
    inline = ", ".join(f"{k}: \"{v}\"" for k, v in prov.items())
    recorded = fields.hashes(fields.follow_values(src.meta, DEFAULT_FIELDS, key))
    inline += ", fields: {" + ", ".join(f'{k}: "{v}"' for k, v in recorded.items()) + "}"
    return f"---\n{lines}{key}: {{{inline}}}\n---\n{translation_body}"


def test_provenance_decides_stale_not_the_date(make_site):
    source = doc("p", "en", "2025-01-10", body="## Overview\n\nOriginal text.\n", rating="[3.0, 0.5]")
    meta = {"layout": "product", "title": "p レビュー", "lang": "ja", "ref": "p", "date": "2025-01-10", "rating": "[3.0, 0.5]"}
    translation = _provenance(source, "## 概要\n\n原文。\n", meta)
    root = make_site({"_products/en/p.md": source, "_products/ja/p.md": translation}, config='languages: ["en", "ja"]\n')
    assert states(root)[("p", "ja")] == "current"

    # A date bump does not make it stale ...
    (root / "_products/en/p.md").write_text(doc("p", "en", "2025-06-01", body="## Overview\n\nOriginal text.\n", rating="[3.0, 0.5]"))
    assert states(root)[("p", "ja")] == "current"

    # ... a changed kept field does, but only for that field: no text needs translating.
    (root / "_products/en/p.md").write_text(doc("p", "en", "2025-06-01", body="## Overview\n\nOriginal text.\n", rating="[4.0, 0.9]"))
    item = item_of(root, "p", "ja")
    assert (item.state, item.outdated_fields, item.content_stale) == ("stale", ("rating",), False)
    assert item.reason == "rating no longer follows the source"

    # ... a change to the translatable content does.
    (root / "_products/en/p.md").write_text(doc("p", "en", "2025-06-01", body="## Overview\n\nRevised text.\n"))
    assert states(root)[("p", "ja")] == "stale"
    assert "translatable content changed" in item_of(root, "p", "ja").reason


def test_human_edit_of_a_machine_translation_is_recognised(make_site):
    source = doc("p", "en", body="Text.\n")
    meta = {"lang": "ja", "ref": "p", "date": "2025-01-10"}
    root = make_site({"_products/en/p.md": source, "_products/ja/p.md": _provenance(source, "テキスト。\n", meta)}, config='languages: ["en", "ja"]\n')
    item = item_of(root, "p", "ja")
    assert (item.state, item.provenance, item.edited) == ("current", True, False)

    path = root / "_products/ja/p.md"
    path.write_text(path.read_text().replace("テキスト。", "直したテキスト。"))
    item = item_of(root, "p", "ja")
    assert (item.state, item.provenance, item.edited) == ("current", True, True)


# --------------------------------------------------------------------------- bad input


BAD_INPUTS = {
    "malformed YAML": ("_products/ja/x.md", "---\nref: x\nlang: ja\ntitle: [a, b\ndate: 2025-01-01\n---\n", "malformed YAML", 4),
    "no front matter": ("_products/ja/x.md", "# Just a heading\n", "no front matter", 1),
    "missing ref": ("_products/ja/x.md", "---\nlang: ja\ndate: 2025-01-01\n---\n", "missing required field 'ref'", 1),
    "missing lang": ("_products/ja/x.md", "---\nref: x\ndate: 2025-01-01\n---\n", "missing required field 'lang'", 1),
    "missing date": ("_products/ja/x.md", "---\nref: x\nlang: ja\n---\n", "missing required field 'date'", 1),
    "null date": ("_products/ja/x.md", "---\nref: x\nlang: ja\ndate:\n---\n", "missing required field 'date'", 1),
    "bad date": ("_products/ja/x.md", "---\nref: x\nlang: ja\ndate: someday\n---\n", "'date' is not a date", 4),
    "undeclared lang": ("_products/fr/x.md", "---\nref: x\nlang: fr\ndate: 2025-01-01\n---\n", "lang 'fr' is not one of the site's languages", 3),
    "another language's folder": ("_products/ja/x.md", "---\nref: x\nlang: de\ndate: 2025-01-01\n---\n", "lang is 'de' but the file is in the 'ja' folder", 3),
    "non-UTF-8": ("_products/ja/x.md", "---\nref: x\nlang: ja\ndate: 2025-01-01\n---\ncaf\xe9\n".encode("latin-1"), "not valid UTF-8", 6),
    "empty file": ("_products/ja/x.md", "", "empty file", 1),
    "ref escaping the site": ("_products/ja/x.md", "---\nref: ../../etc/passwd\nlang: ja\ndate: 2025-01-01\n---\n", "must not contain '..'", 2),
    "lang escaping the site": ("_products/ja/x.md", "---\nref: x\nlang: ../ja\ndate: 2025-01-01\n---\n", "'lang' is not a language code", 3),
    "ref not a string": ("_products/ja/x.md", "---\nref: 42\nlang: ja\ndate: 2025-01-01\n---\n", "'ref' must be a non-empty string", 2),
    "front matter a list": ("_products/ja/x.md", "---\n- a\n- b\n---\n", "not a mapping", 2),
    "unclosed front matter": ("_products/ja/x.md", "---\nref: x\nlang: ja\n", "not closed", 1),
    "bad provenance": ("_products/ja/x.md", "---\nref: x\nlang: ja\ndate: 2025-01-01\ntransync: yes\n---\n", "provenance", 5),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_reported_with_path_and_line_and_the_rest_goes_on(make_site, case):
    rel, content, reason, line = BAD_INPUTS[case]
    root = make_site(
        {
            "_products/en/good.md": doc("good", "en"),
            "_products/ja/good.md": doc("good", "ja"),
            rel: content,
        }
    )
    result = report(scan(load_config(root)))
    invalid = [i for i in result.items if i.state == "invalid"]
    assert len(invalid) == 1
    assert invalid[0].path == rel
    assert reason in invalid[0].reason
    assert "\n" not in invalid[0].reason
    assert invalid[0].line == line
    assert {(i.ref, i.lang, i.state) for i in result.items if i.state != "invalid"} == {
        ("good", "ja", "current"),
        ("good", "de", "missing"),
    }


def test_symlink_out_of_the_site_is_invalid_and_not_followed(make_site, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text(doc("secret", "en"))
    root = make_site({"_products/en/good.md": doc("good", "en")})
    (root / "_products/en/leak.md").symlink_to(outside)
    (root / "_products/en/leakdir").symlink_to(tmp_path, target_is_directory=True)
    result = report(scan(load_config(root)))
    invalid = {i.path: i.reason for i in result.items if i.state == "invalid"}
    assert invalid == {
        "_products/en/leak.md": "symlink points outside the site",
        "_products/en/leakdir": "symlink points outside the site",
    }
    assert all(i.ref != "secret" for i in result.items)


def test_symlink_inside_the_site_is_read(make_site):
    root = make_site({"_products/en/good.md": doc("good", "en"), "shared/ja.md": doc("good", "ja")})
    (root / "_products/ja").mkdir()
    (root / "_products/ja/good.md").symlink_to(root / "shared/ja.md")
    assert states(root)[("good", "ja")] == "current"


def test_files_jekyll_ignores_are_ignored(make_site):
    root = make_site(
        {
            "_products/en/good.md": doc("good", "en"),
            "_products/en/_draft.md": "not a document",
            "_products/en/.hidden.md": "not a document",
            "_products/en/notes.txt": "not markdown",
            "_products/en/backup.md~": "editor backup",
        }
    )
    result = scan(load_config(root))
    assert [d.path for d in result.documents] == ["_products/en/good.md"]
    assert result.invalid == []


def test_exclude_and_per_collection_source_language(make_site):
    root = make_site(
        {
            "transync.toml": '[collections.notes]\nsource_lang = "ja"\n',
            "_notes/ja/n.md": doc("n", "ja"),
            "_notes/en/n.md": doc("n", "en", "2024-01-01"),
            "_products/en/p.md": doc("p", "en"),
            "_products/en/drafts/d.md": "---\nbroken",
        },
        config='languages: ["en", "ja"]\ncollections: [notes, products]\n',
    )
    (root / "transync.toml").write_text('exclude = ["_products/en/drafts/*"]\n[collections.notes]\nsource_lang = "ja"\n')
    assert states(root) == {("n", "en"): "stale", ("p", "ja"): "missing"}


def test_report_filters_by_language_and_path(make_site):
    root = make_site(
        {
            "_products/en/a/one.md": doc("one", "en"),
            "_products/en/b/two.md": doc("two", "en"),
            "_products/ja/b/two.md": doc("two", "ja"),
        }
    )
    assert set(states(root, langs=["ja"])) == {("one", "ja"), ("two", "ja")}
    assert states(root, paths=["_products/en/b"]) == {("two", "ja"): "current", ("two", "de"): "missing"}
    # A missing translation's own (future) path selects it too.
    assert states(root, paths=["_products/de/a/one.md"]) == {("one", "de"): "missing"}


def test_summary_counts_and_percent(make_site):
    root = make_site(
        {
            "_products/en/one.md": doc("one", "en"),
            "_products/ja/one.md": doc("one", "ja"),
            "_products/en/two.md": doc("two", "en"),
            "_products/ja/two.md": doc("two", "ja", "2024-01-01"),
            "_products/en/three.md": doc("three", "en"),
            "_products/en/four.md": doc("four", "en"),
            "_products/ja/four.md": doc("four", "ja"),
        }
    )
    result = report(scan(load_config(root)))
    ja = result.summary["ja"]
    assert (ja.expected, ja.counts["current"], ja.counts["stale"], ja.counts["missing"]) == (4, 2, 1, 1)
    assert ja.percent_complete == 50.0
    assert result.summary["de"].percent_complete == 0.0
    assert result.summary["en"].source and result.sources == {"en": 4}


def test_a_localizable_property_counts_only_the_sources_that_set_it_true(make_site):
    root = make_site(
        {
            "_products/en/ready.md": doc("ready", "en", i18nReady="true"),
            "_products/en/draft.md": doc("draft", "en", i18nReady="false"),
            "_products/en/unsaid.md": doc("unsaid", "en"),
            "_products/en/quoted.md": doc("quoted", "en", i18nReady='"true"'),  # a string, not true
            "_products/ja/draft.md": doc("draft", "ja", "2024-01-01"),  # older than its source: not judged
            "transync.toml": '[status]\nlocalizable_property = "i18nReady"\n',
        }
    )
    result = report(scan(load_config(root)))
    assert {(i.ref, i.lang): i.state for i in result.items} == {("ready", "ja"): "missing", ("ready", "de"): "missing"}
    assert result.summary["ja"].expected == 1 and result.sources == {"en": 4}
    (root / "transync.toml").unlink()
    assert states(root)[("draft", "ja")] == "stale"


def test_an_empty_localizable_property_is_a_configuration_error(make_site):
    from transync.errors import ConfigError

    root = make_site({"transync.toml": '[status]\nlocalizable_property = ""\n'})
    with pytest.raises(ConfigError, match="'status.localizable_property' must name a front-matter field"):
        load_config(root)


# --------------------------------------------------------------------------- the header cache


@pytest.fixture
def trusting_cache(monkeypatch):
    """Let the cache keep entries of files written a moment ago (tests write files just now)."""
    monkeypatch.setattr(cache_mod, "RACY_NS", -10**12)


def test_second_scan_reads_no_file(make_site, trusting_cache):
    root = make_site({"_products/en/p.md": doc("p", "en"), "_products/ja/p.md": doc("p", "ja")})
    config = load_config(root)
    first = scan(config)
    second = scan(config)
    assert (first.parsed, second.parsed) == (2, 0)
    assert second.documents == first.documents


def test_cache_sees_an_edit_that_keeps_size_and_mtime(make_site, trusting_cache):
    root = make_site({"_products/en/p.md": doc("p", "en"), "_products/ja/p.md": doc("p", "ja", "2025-01-10")})
    config = load_config(root)
    assert states(root)[("p", "ja")] == "current"
    path = root / "_products/ja/p.md"
    st = path.stat()
    path.write_text(doc("p", "ja", "2024-01-10"))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime: only ctime tells
    assert path.stat().st_size == st.st_size
    assert scan(config).parsed == 1
    assert states(root)[("p", "ja")] == "stale"


def test_a_fresh_copy_of_unchanged_files_is_known_by_content(make_site, trusting_cache):
    """A checkout or copy gives every file new times and inodes: the hash of its bytes finds it."""
    root = make_site({"_products/en/p.md": doc("p", "en"), "_products/ja/p.md": doc("p", "ja")})
    config = load_config(root)
    first = scan(config)
    for path in (root / "_products/en/p.md", root / "_products/ja/p.md"):
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data)  # a new inode and new times, the same bytes
    again = scan(config)
    assert (again.parsed, again.rehashed, again.documents) == (0, 2, first.documents)
    assert (scan(config).parsed, scan(config).rehashed) == (0, 0)  # the new identities were saved


def test_same_size_new_bytes_under_a_new_identity_are_parsed(make_site, trusting_cache):
    root = make_site({"_products/en/p.md": doc("p", "en"), "_products/ja/p.md": doc("p", "ja", "2025-01-10")})
    config = load_config(root)
    scan(config)
    path = root / "_products/ja/p.md"
    path.unlink()
    path.write_text(doc("p", "ja", "2024-01-10"))  # same size, new bytes, new inode
    result = scan(config)
    assert (result.parsed, result.rehashed) == (1, 0)  # hashed, did not match: parsed
    assert states(root)[("p", "ja")] == "stale"


def test_recently_modified_files_are_not_trusted(make_site):
    # With the real racy window, files written a moment ago are re-read every time.
    root = make_site({"_products/en/p.md": doc("p", "en")})
    config = load_config(root)
    assert scan(config).parsed == 1
    assert scan(config).parsed == 1


def test_damaged_cache_counts_as_empty(make_site, trusting_cache):
    root = make_site({"_products/en/p.md": doc("p", "en")})
    config = load_config(root)
    scan(config)
    cache_file = next(config.cache_dir.glob("headers-*"))
    cache_file.write_bytes(b"\x00garbage")
    result = scan(config)
    assert result.parsed == 1 and [d.ref for d in result.documents] == ["p"]


def test_unwritable_cache_folder_is_harmless(make_site, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("TRANSYNC_CACHE_DIR", str(blocker / "sub"))
    root = make_site({"_products/en/p.md": doc("p", "en")})
    assert [d.ref for d in scan(load_config(root)).documents] == ["p"]


def test_cache_follows_configuration_changes(make_site, trusting_cache):
    root = make_site({"_products/en/p.md": doc("p", "en"), "_products/ja/p.md": doc("p", "ja")})
    assert states(root)[("p", "ja")] == "current"
    (root / "transync.toml").write_text('required_fields = ["ref", "lang", "date", "summary"]\n')
    assert states(root) == {("p", "en"): "invalid", ("p", "ja"): "invalid"}


def test_parallel_parse_gives_the_same_result(make_site, monkeypatch):
    files = {f"_products/en/p{n}.md": doc(f"p{n}", "en") for n in range(30)}
    files.update({f"_products/ja/p{n}.md": doc(f"p{n}", "ja", "2024-01-01" if n % 3 else "2025-01-10") for n in range(30)})
    files["_products/ja/broken.md"] = "---\nref: [x\n---\n"
    root = make_site(files)
    config = load_config(root)
    serial = scan(config, use_cache=False, jobs=1)
    from transync.site import scan as scan_mod

    monkeypatch.setattr(scan_mod, "PARALLEL_THRESHOLD", 1)
    parallel = scan(config, use_cache=False, jobs=2)
    assert parallel.documents == serial.documents
    assert parallel.invalid == serial.invalid
