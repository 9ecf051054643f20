"""Kept and derived front-matter fields follow the source: reported stale, updated in place,
with no text sent and no human edit lost."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import doc
from test_translate import Recording, report_of, run
from test_translate_deepl import SECRET, fake, site, translate  # noqa: F401  (fixtures)
from transync import document
from transync.cli import app

cli = CliRunner()


def item(root, ref, lang):
    return next(i for i in report_of(root).items if (i.ref, i.lang) == (ref, lang))


def test_a_price_and_rating_change_reach_the_translation_with_nothing_sent(site, fake):  # noqa: F811
    assert translate(site, fake, "kestrel-a-1", "--to", "ja").exit_code == 0
    target = site / "_products/ja/kestrel/kestrel-a-1.md"
    before = target.read_text()
    source = site / "_products/en/kestrel/kestrel-a-1.md"
    text = source.read_text()
    price = document.parse(text).meta["price"]
    text = text.replace(f"price: {price}\n", "price: 249.5\n").replace("rating: [", "rating: [4.4, 0.1, ", 1)
    source.write_text(text)

    status = json.loads(cli.invoke(app, ["status", "--root", str(site), "--format", "json"]).stdout)
    row = next(i for i in status["items"] if (i["ref"], i["lang"]) == ("kestrel-a-1", "ja"))
    assert row["state"] == "stale" and row["outdated_fields"] == ["rating", "price"]

    fake.clear_requests()
    result = translate(site, fake, "kestrel-a-1", "--to", "ja", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["written"] == 1 and data["summary"]["characters"] == 0
    assert fake.requests_to("/v2/translate") == []
    after = target.read_text()
    meta = document.parse(after).meta
    assert meta["price"] == 37425  # 249.5 USD at 150 JPY/USD, no decimals in yen
    assert meta["rating"][:2] == [4.4, 0.1]
    # Only the two fields and the provenance line changed.
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert [b.split(":")[0] for _, b in changed] == ["rating", "price", "transync"]
    row = next(i for i in json.loads(cli.invoke(app, ["status", "--root", str(site), "--format", "json"]).stdout)["items"]
               if (i["ref"], i["lang"]) == ("kestrel-a-1", "ja"))
    assert row["state"] == "current"
    check = cli.invoke(app, ["check", "--root", str(site), "--format", "json", str(target)])
    assert json.loads(check.stdout)["findings"] == []


PRODUCT = {"rating": "[3.0, 0.5]", "price": "100", "target_name": '"P"'}


def _site(make_site, toml: str = ""):
    files = {"_products/en/p/p.md": doc("p", "en", body="## Overview\n\nText.\n", **PRODUCT)}
    if toml:
        files["transync.toml"] = toml
    root = make_site(files, config='languages: ["en", "ja"]\n')
    run(root)
    return root


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_human_edit_stays_when_a_kept_field_follows_the_source(make_site):
    root = _site(make_site)
    target = root / "_products/ja/p/p.md"
    _edit(target, 'target_name: "P"', 'target_name: "ピー"')  # a translator localizes a kept field
    _edit(target, "⟦Ţéxţ", "⟦Ţéxţ (edited)")  # and edits the body
    assert item(root, "p", "ja").state == "current" and item(root, "p", "ja").edited
    _edit(root / "_products/en/p/p.md", "rating: [3.0, 0.5]", "rating: [3.5, 0.5]")
    it = item(root, "p", "ja")
    assert (it.state, it.outdated_fields, it.content_stale) == ("stale", ("rating",), False)

    engine = Recording()
    summary = run(root, engine)
    assert engine.calls == [] and len(summary.written) == 1
    text = target.read_text()
    assert "rating: [3.5, 0.5]" in text and 'target_name: "ピー"' in text and "(edited)" in text
    it = item(root, "p", "ja")
    assert it.state == "current" and it.edited  # still known as edited by a human


def test_a_value_of_the_translation_own_is_not_outdated(make_site):
    root = _site(make_site)
    _edit(root / "_products/ja/p/p.md", "rating: [3.0, 0.5]", "rating: [3.2, 0.5]")
    assert item(root, "p", "ja").state == "current"  # the source did not change: check reports it


def test_a_field_ruled_own_never_follows(make_site):
    root = _site(make_site, '[fields]\nprice = "own"\n')
    assert "price: 100" in (root / "_products/ja/p/p.md").read_text()  # a new translation starts from the source
    _edit(root / "_products/ja/p/p.md", "price: 100", "price: 16000")
    _edit(root / "_products/en/p/p.md", "price: 100", "price: 120")
    assert item(root, "p", "ja").state == "current"


def test_a_kept_field_new_in_the_source_is_added_in_its_place(make_site):
    root = _site(make_site)
    _edit(root / "_products/en/p/p.md", "lang: en\n", "lang: en\nimage: /img/p.jpg\n")
    assert item(root, "p", "ja").outdated_fields == ("image",)
    run(root)
    lines = (root / "_products/ja/p/p.md").read_text().splitlines()
    assert lines[lines.index("lang: ja") + 1] == "image: /img/p.jpg"


def test_provenance_without_field_hashes_counts_differences_only_when_unedited(make_site):
    root = _site(make_site)
    target = root / "_products/ja/p/p.md"
    text = target.read_text()
    start = text.index(", fields: {")
    legacy = text[:start] + text[text.index("}", start) + 1:]  # provenance as written before fields were recorded
    assert "fields" not in legacy.split("transync:")[1]
    target.write_text(legacy)
    assert item(root, "p", "ja").state == "current"
    _edit(root / "_products/en/p/p.md", "rating: [3.0, 0.5]", "rating: [3.5, 0.5]")
    assert item(root, "p", "ja").outdated_fields == ("rating",)
    _edit(target, "⟦Ţéxţ", "⟦Ţéxţ (edited)")
    assert item(root, "p", "ja").state == "current"  # edited: a difference may be the translator's


def test_crlf_translation_keeps_its_line_endings(make_site):
    root = _site(make_site)
    target = root / "_products/ja/p/p.md"
    target.write_bytes(target.read_bytes().replace(b"\n", b"\r\n"))
    _edit(root / "_products/en/p/p.md", "lang: en\n", "lang: en\nimage: x.jpg\n")
    run(root)
    data = target.read_bytes()
    assert b"image: x.jpg\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert item(root, "p", "ja").state == "current"
