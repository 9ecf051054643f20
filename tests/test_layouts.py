"""The site layout: which files are documents, their identity and language, where a missing
translation goes, and the one permalink rule that check, permalinks and translate share."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from conftest import doc
from transync.site import layouts
from transync.checks import permalinks
from transync.cli import app
from transync.site.config import load_config
from transync.errors import ConfigError
from transync.site.layouts import PermalinkProblem
from transync.site.layouts.jekyll import JekyllLayout
from transync.site.scan import scan
from transync.site.status import report

runner = CliRunner()
JEKYLL = layouts.get("jekyll")
LANGS = ("en", "ja", "de")


# --------------------------------------------------------------------------- configuration


def test_the_jekyll_layout_is_the_default_and_can_be_named(make_site):
    root = make_site({"_products/en/a.md": doc("a", "en")})
    assert load_config(root).layout is JEKYLL
    (root / "transync.toml").write_text('layout = "jekyll"\n', encoding="utf-8")
    assert load_config(root).layout is JEKYLL


@pytest.mark.parametrize(
    "line, message",
    [
        ('layout = "gatsby"', "transync.toml: 'layout' is 'gatsby'; expected one of "
         "docusaurus, hugo, jekyll, mkdocs-static-i18n, pattern, polyglot, starlight"),
        ("layout = 3", "transync.toml: 'layout' must be a layout name or a [layout] table"),
    ],
)
def test_an_unknown_layout_is_refused_naming_the_file_and_key(make_site, line, message):
    root = make_site({"_products/en/a.md": doc("a", "en")})
    (root / "transync.toml").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(root)
    assert str(err.value) == message


# --------------------------------------------------------------------------- documents, identity, language


def test_documents_found_and_their_identity_and_language(make_site):
    root = make_site(
        {
            "_products/en/sony/a.md": doc("a", "en"),
            "_products/ja/sony/a.md": doc("a", "ja"),
            "_products/en/b.markdown": doc("b", "en"),
            "_products/de/deep/er/c.mkd": doc("c", "de"),
            "_products/en/_draft.md": doc("d", "en"),  # Jekyll skips these names
            "_products/en/.hidden.md": doc("e", "en"),
            "_products/en/#temp.md": doc("f", "en"),
            "_products/en/backup.md~": doc("g", "en"),
            "_products/en/notes.txt": "not a document\n",
            "_companies/en/acme.md": doc("a", "en"),  # same ref, other collection: another identity
            "about.md": doc("about", "en"),  # not in a collection
        }
    )
    result = scan(load_config(root), use_cache=False)
    layout = result.config.layout
    found = sorted((d.path, layout.identity(d), d.lang) for d in result.documents)
    assert found == [
        ("_companies/en/acme.md", ("companies", "a"), "en"),
        ("_products/de/deep/er/c.mkd", ("products", "c"), "de"),
        ("_products/en/b.markdown", ("products", "b"), "en"),
        ("_products/en/sony/a.md", ("products", "a"), "en"),
        ("_products/ja/sony/a.md", ("products", "a"), "ja"),
    ]
    assert result.invalid == []


def test_a_language_folder_and_a_front_matter_lang_that_disagree(make_site):
    root = make_site({"_products/en/a.md": doc("a", "en"), "_products/ja/a.md": doc("a", "de"), "_products/a.md": doc("a", "ja")})
    result = scan(load_config(root), use_cache=False)
    assert [(i.path, i.reason, i.line, i.lang) for i in result.invalid] == [
        ("_products/ja/a.md", "lang is 'de' but the file is in the 'ja' folder", 4, "de")
    ]
    # Outside a language folder the front matter alone gives the language.
    assert sorted((d.path, d.lang) for d in result.documents) == [("_products/a.md", "ja"), ("_products/en/a.md", "en")]


def test_language_folders(make_site):
    config = load_config(make_site({"_products/en/a.md": doc("a", "en")}))
    products = config.collections[0]
    assert JEKYLL.folder_language("_products/ja/sony/a.md", products) == "ja"
    assert JEKYLL.folder_language("_products/fr/a.md", products) is None  # not a site language
    assert JEKYLL.folder_language("_products/a.md", products) is None
    assert JEKYLL.is_language_folder("_products/de", products)
    assert not JEKYLL.is_language_folder("_products/en/de", products)


# --------------------------------------------------------------------------- paths


def test_missing_translation_paths(make_site):
    root = make_site(
        {
            "_products/en/sony/wh-1000xm5.md": doc("xm5", "en"),
            "_products/ja/sony/wh-1000xm5.md": doc("xm5", "ja"),
            "_products/en/top.md": doc("top", "en"),
            "_products/loose.md": doc("loose", "en"),  # a source outside the language folders
        }
    )
    items = report(scan(load_config(root), use_cache=False)).items
    missing = sorted((i.ref, i.lang, i.target_path) for i in items if i.state == "missing")
    assert missing == [
        ("loose", "de", None),
        ("loose", "ja", None),
        ("top", "de", "_products/de/top.md"),
        ("top", "ja", "_products/ja/top.md"),
        ("xm5", "de", "_products/de/sony/wh-1000xm5.md"),
    ]


def test_source_path_is_the_inverse_of_translation_path(make_site):
    products = load_config(make_site({"_products/en/a.md": doc("a", "en")})).collections[0]
    assert JEKYLL.translation_path("_products/en/sony/x.md", products, "ja") == "_products/ja/sony/x.md"
    assert JEKYLL.source_path("_products/ja/sony/x.md", products, "ja") == "_products/en/sony/x.md"
    assert JEKYLL.source_path("_products/x.md", products, "ja") is None
    assert JEKYLL.translation_path("_products/ja/sony/x.md", products, "de") is None  # not a source's place


# --------------------------------------------------------------------------- the permalink rule


@pytest.mark.parametrize(
    "permalink, source, expected",
    [
        ("/products/ja/a/", "/products/en/a/", None),
        ("/products/JA/a/", "/products/en/a/", PermalinkProblem("case", "/products/ja/a/", "JA", fix="/products/ja/a/")),
        ("/products/JA/a/", "/a/", PermalinkProblem("case", None, "JA", fix="/products/ja/a/")),
        ("/products/de/a/", "/products/en/a/", PermalinkProblem("language", "/products/ja/a/", "de", fix="/products/ja/a/")),
        ("/products/en/a/", "/products/en/a/", PermalinkProblem("language", "/products/ja/a/", "en", fix="/products/ja/a/")),
        ("/products/ja/b/", "/products/en/a/", PermalinkProblem("differs", "/products/ja/a/", "ja", fix="/products/ja/a/")),
        # a permalink without the language segment
        ("/products/a/", "/products/en/a/", PermalinkProblem("no-language", "/products/ja/a/", fix="/products/ja/a/")),
        ("/products/a/", "/about/", None),
        ("/about/", "/about/", PermalinkProblem("source")),
        ("/ja/about/", "/about/", None),
        # a translation with no permalink
        (None, "/products/en/a/", PermalinkProblem("missing", "/products/ja/a/")),
        (None, "/about/", PermalinkProblem("missing")),
        (None, None, None),
        ("/products/ja/a/", None, None),
        # nothing unsafe is ever expected, and an unsafe permalink is refused first
        ("/products/ja/a/", "/products/en/../a/", None),
        ("/products/ja/../a/", "/products/en/a/", PermalinkProblem("unsafe", detail="has a '.' or '..' segment")),
    ],
)
def test_expected_permalink_of_a_translation(permalink, source, expected):
    assert JEKYLL.permalink_problem(permalink, "ja", LANGS, source_permalink=source, source_lang="en") == expected


def test_permalink_of_a_source():
    assert JEKYLL.permalink_problem("/products/en/a/", "en", LANGS) is None
    assert JEKYLL.permalink_problem("/about/", "en", LANGS) is None
    assert JEKYLL.permalink_problem("/products/ja/a/", "en", LANGS) == PermalinkProblem("language", None, "ja", fix="/products/en/a/")
    assert JEKYLL.permalink_problem(None, "en", LANGS) is None


def test_check_and_permalinks_judge_the_same_permalinks(make_site):
    """The cases where the two commands used to disagree: each reports the same translations."""
    root = make_site(
        {
            "_products/en/a.md": doc("a", "en", permalink="/a/"),
            "_products/ja/a.md": doc("a", "ja", permalink="/products/JA/a/"),
            "_products/de/a.md": doc("a", "de"),  # no permalink; the source has one
            "_products/en/b.md": doc("b", "en", permalink="/products/en/b/"),
            "_products/ja/b.md": doc("b", "ja", permalink="/products/b/"),  # no language segment
            "_products/de/b.md": doc("b", "de", permalink="/products/de/b/"),
        }
    )
    checked = runner.invoke(app, ["check", "--root", str(root), "--check", "permalink", "--format", "json"])
    listed = runner.invoke(app, ["permalinks", "--root", str(root), "--format", "json"])
    by_check = sorted((f["path"], f["message"]) for f in json.loads(checked.stdout)["findings"])
    by_permalinks = sorted((f["path"], f["message"], f["expected"]) for f in json.loads(listed.stdout)["findings"])
    assert by_check == [
        ("_products/de/a.md", "no permalink, the source has /a/"),
        ("_products/ja/a.md", "permalink /products/JA/a/ writes the language as 'JA', not 'ja'"),
        ("_products/ja/b.md", "permalink /products/b/ is not the source's /products/en/b/ with 'ja' for 'en': expected /products/ja/b/"),
    ]
    assert by_permalinks == [
        ("_products/de/a.md", "no permalink; its source has /a/", None),
        ("_products/ja/a.md", "permalink /products/JA/a/ writes the language as 'JA', not 'ja'", "/products/ja/a/"),
        ("_products/ja/b.md", "permalink /products/b/ has no language segment; expected /products/ja/b/", "/products/ja/b/"),
    ]


# --------------------------------------------------------------------------- collisions


@pytest.fixture
def colliding(make_site):
    return make_site(
        {
            "_products/en/a.md": doc("a", "en", permalink="/products/en/a/"),
            "_products/de/a.md": doc("a", "de", permalink="/products/en/a/"),  # kept the source's by mistake
            "_products/en/about.md": doc("about", "en", permalink="/about/"),
            "_products/ja/about.md": doc("about", "ja", permalink="/about/"),  # no segment to swap: the source's URL
        }
    )


@pytest.mark.parametrize("order", ["as scanned", "reversed"])
def test_a_wrong_permalink_colliding_with_its_right_source_blames_the_wrong_one_only(colliding, order):
    result = scan(load_config(colliding), use_cache=False)
    if order == "reversed":  # whichever file the walk meets first, the right one is never blamed
        result.documents.reverse()
    found = sorted((f.path, f.line, f.message) for f in permalinks.check(result).findings)
    assert found == [
        ("_products/de/a.md", 7, "permalink /products/en/a/ is also the permalink of _products/en/a.md"),
        ("_products/de/a.md", 7, "permalink /products/en/a/ is in the 'en' segment but lang is 'de'"),
        ("_products/ja/about.md", 7, "permalink /about/ is also the permalink of _products/en/about.md"),
    ]


@pytest.mark.parametrize("order", ["as scanned", "reversed"])
def test_two_right_permalinks_that_collide_are_still_reported(make_site, order):
    root = make_site(
        {
            "_products/en/a.md": doc("a", "en", permalink="/products/en/x/"),
            "_products/en/b.md": doc("b", "en", permalink="/products/en/x/"),
        }
    )
    result = scan(load_config(root), use_cache=False)
    if order == "reversed":
        result.documents.reverse()
    first, second = (d.path for d in result.documents)
    found = [(f.path, f.message) for f in permalinks.check(result).findings]
    assert found == [(second, f"permalink /products/en/x/ is also the permalink of {first}")]


def test_links_are_matched_through_the_layout():
    assert JEKYLL.source_url("/products/ja/a/#specs", "ja", "en") == "/products/en/a/#specs"
    assert JEKYLL.source_url("https://example.com/ja/x/ja/", "ja", "en") == "https://example.com/en/x/en/"
    assert JEKYLL.source_url("/japan/", "ja", "en") == "/japan/"


# --------------------------------------------------------------------------- a layout from elsewhere


def test_an_installed_layout_is_one_module_and_a_config_value(make_site, tmp_path, monkeypatch):
    """A package adds a layout through the ``transync.layouts`` entry points; the site names it."""
    plugins = tmp_path / "plugins"
    (plugins / "notes_layout-1.0.dist-info").mkdir(parents=True)
    (plugins / "notes_layout-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: notes-layout\nVersion: 1.0\n")
    (plugins / "notes_layout-1.0.dist-info" / "entry_points.txt").write_text("[transync.layouts]\nnotes = notes_layout:LAYOUT\n")
    (plugins / "notes_layout.py").write_text(
        "from transync.site.layouts.jekyll import JekyllLayout\n\n"
        "class Notes(JekyllLayout):\n"
        "    name = 'notes'\n"
        "    suffixes = ('.txt',)\n\n"
        "LAYOUT = Notes()\n"
    )
    monkeypatch.syspath_prepend(str(plugins))
    root = make_site({"_products/en/a.txt": doc("a", "en"), "_products/en/b.md": doc("b", "en")})
    (root / "transync.toml").write_text('layout = "notes"\n', encoding="utf-8")
    config = load_config(root)
    assert config.layout.name == "notes"
    assert [d.path for d in scan(config, use_cache=False).documents] == ["_products/en/a.txt"]
    (root / "transync.toml").write_text('layout = "gatsby"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="'layout' is 'gatsby'; expected one of docusaurus, .*, starlight, notes"):
        load_config(root)


class _StrictLayout(JekyllLayout):
    """Jekyll, except that every translation's permalink must end in its language."""

    name = "strict"

    def permalink_problem(self, permalink, lang, languages, *, source_permalink=None, source_lang=None):
        if source_lang is not None and isinstance(permalink, str) and not permalink.rstrip("/").endswith(lang):
            return PermalinkProblem("differs", f"/{lang}/")
        return super().permalink_problem(permalink, lang, languages, source_permalink=source_permalink, source_lang=source_lang)


def test_cached_findings_follow_the_layout(make_site, monkeypatch):
    from transync.site import cache
    from transync.checks import check_site

    monkeypatch.setattr(cache, "RACY_NS", 0)
    root = make_site(
        {"_products/en/a.md": doc("a", "en", permalink="/products/en/a/"), "_products/ja/a.md": doc("a", "ja", permalink="/products/ja/a/")}
    )
    config = load_config(root)
    assert check_site(scan(config), checks=["permalink"]).findings == []
    strict = dataclasses.replace(config, layout=_StrictLayout())
    found = check_site(scan(strict), checks=["permalink"]).findings
    assert [(f.path, f.message) for f in found] == [
        ("_products/ja/a.md", "permalink /products/ja/a/ is not the source's /products/en/a/ with 'ja' for 'en': expected /ja/")
    ]
