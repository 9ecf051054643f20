"""transync.site.config: zero configuration from _config.yml, transync.toml overrides, errors naming the key."""

from __future__ import annotations

import shutil

import re
from pathlib import Path

import pytest

from conftest import SiteMaker, doc
from transync.site.config import (
    DEFAULT_FIELDS,
    STATES,
    Collection,
    SiteConfig,
    find_root,
    load_config,
    parse_states,
)
from transync.errors import ConfigError, TransyncError, UsageError

JEKYLL_3 = 'languages: ["en", "ja", "de"]\ndefault_lang: "en"\n'
ALL_BUT_CURRENT = ("stale", "missing", "pseudo", "orphan", "duplicate", "invalid")


def as_pyproject(toml: str) -> str:
    """The same settings under ``[tool.transync]`` of a pyproject.toml."""
    lines = ['[project]\nname = "site"\n', "[tool.transync]"]
    for line in toml.splitlines():
        lines.append(re.sub(r"^\[(?!\[)", "[tool.transync.", line))
    return "\n".join(lines) + "\n"


@pytest.fixture(params=["transync.toml", "pyproject.toml"])
def own_file(request: pytest.FixtureRequest) -> str:
    return request.param


def own(name: str, toml: str) -> dict[str, str]:
    return {name: toml if name == "transync.toml" else as_pyproject(toml)}


def where(name: str) -> str:
    return "transync.toml" if name == "transync.toml" else "pyproject.toml [tool.transync]"


def by_name(config: SiteConfig) -> dict[str, Collection]:
    return {c.name: c for c in config.collections}


# --------------------------------------------------------------------------- zero configuration


def test_zero_config_defaults(make_site: SiteMaker) -> None:
    root = make_site({"_products/en/a.md": doc("a", "en")})
    config = load_config(root)
    assert config.root == root.resolve()
    assert config.languages == ("en", "ja", "de")
    assert config.source_lang == "en"
    assert config.collections == (Collection("products", "_products", "en", ("en", "ja", "de")),)
    assert config.collections[0].targets == ("ja", "de")
    assert config.exclude == ()
    assert config.required_fields == ("ref", "lang", "date")
    assert dict(config.fields) == dict(DEFAULT_FIELDS)
    assert config.content_fields == ("summary", "tags", "title")
    assert config.provenance_key == "transync"
    assert config.cache is True
    assert config.fail_on == ALL_BUT_CURRENT


@pytest.mark.parametrize(
    "jekyll, languages, source",
    [
        ('languages: ["en", "ja", "de"]\ndefault_lang: "ja"\n', ("en", "ja", "de"), "ja"),
        ('languages: ["ja", "en"]\n', ("ja", "en"), "ja"),  # default_lang absent: the first language
        ("languages:\n  - de\n  - en\n", ("de", "en"), "de"),
        ('languages: ["pt-BR", "zh_Hant", "en"]\ndefault_lang: en\n', ("pt-BR", "zh_Hant", "en"), "en"),
        ("\ufefflanguages: [en, ja]\n", ("en", "ja"), "en"),  # a BOM in _config.yml
        ('title: Site\nlanguages: ["en"]\nplugins: [jekyll-polyglot]\nexclude: [x]\n', ("en",), "en"),
    ],
)
def test_languages_from_jekyll_config(make_site: SiteMaker, jekyll: str, languages: tuple, source: str) -> None:
    config = load_config(make_site({}, config=jekyll))
    assert config.languages == languages
    assert config.source_lang == source


def test_collections_discovered_from_underscore_folders(make_site: SiteMaker) -> None:
    files = {
        "_products/en/a.md": doc("a", "en"),
        "_articles/en/b.md": doc("b", "en"),
        "_empty_collection/.keep": "",
        "_notes.md": "not a folder\n",
        "assets/x.css": "",
        "products/en/c.md": doc("c", "en"),
    }
    for special in ("_data", "_includes", "_layouts", "_sass", "_site", "_plugins", "_drafts", "_site_cache"):
        files[f"{special}/x.txt"] = ""
    config = load_config(make_site(files))
    assert [(c.name, c.path) for c in config.collections] == [
        ("articles", "_articles"),
        ("empty_collection", "_empty_collection"),
        ("products", "_products"),
    ]


def test_posts_is_a_collection_once(make_site: SiteMaker) -> None:
    config = load_config(make_site({"_posts/en/2025-01-01-a.md": doc("a", "en"), "_products/en/a.md": ""}))
    assert [(c.name, c.path) for c in config.collections] == [("posts", "_posts"), ("products", "_products")]


def test_no_collections(make_site: SiteMaker) -> None:
    assert load_config(make_site({"index.md": "x"})).collections == ()


@pytest.mark.parametrize(
    "declared",
    [
        "collections:\n  products:\n    output: true\n  guides:\n    permalink: /:path/\n",
        "collections:\n  - products\n  - guides\n",
        "collections: [products, guides]\n",
    ],
)
def test_declared_collections_replace_discovery(make_site: SiteMaker, declared: str) -> None:
    root = make_site(
        {"_products/en/a.md": "", "_undeclared/en/b.md": "", "_posts/en/c.md": ""},
        config=JEKYLL_3 + declared,
    )
    config = load_config(root)
    # Declared ones first, in order (even without a folder); _posts added because it is there.
    assert [(c.name, c.path) for c in config.collections] == [
        ("products", "_products"),
        ("guides", "_guides"),
        ("posts", "_posts"),
    ]


def test_declared_posts_is_not_repeated(make_site: SiteMaker) -> None:
    root = make_site({"_posts/en/c.md": ""}, config=JEKYLL_3 + "collections:\n  posts:\n    output: true\n")
    assert [c.name for c in load_config(root).collections] == ["posts"]


def test_posts_not_added_without_folder(make_site: SiteMaker) -> None:
    root = make_site({}, config=JEKYLL_3 + "collections: [products]\n")
    assert [c.name for c in load_config(root).collections] == ["products"]


@pytest.mark.parametrize(
    "collections_dir",
    [
        "my_collections",
        "my_collections/",
        pytest.param(
            "/my_collections",
        ),
    ],
)
def test_collections_dir(make_site: SiteMaker, collections_dir: str) -> None:
    root = make_site(
        {
            "my_collections/_products/en/a.md": "",
            "my_collections/_posts/en/b.md": "",
            "my_collections/_data/x.yml": "",
            "_outside/en/c.md": "",  # not under collections_dir
        },
        config=JEKYLL_3 + f"collections_dir: {collections_dir}\n",
    )
    config = load_config(root)
    assert [(c.name, c.path) for c in config.collections] == [
        ("posts", "my_collections/_posts"),
        ("products", "my_collections/_products"),
    ]


def test_collections_dir_with_declared_collections(make_site: SiteMaker) -> None:
    root = make_site({}, config=JEKYLL_3 + "collections_dir: coll\ncollections: [products]\n")
    assert [(c.name, c.path) for c in load_config(root).collections] == [("products", "coll/_products")]


# --------------------------------------------------------------------------- transync.toml and pyproject.toml


def test_languages_and_source_lang_override(make_site: SiteMaker, own_file: str) -> None:
    root = make_site(
        {"_products/en/a.md": "", **own(own_file, 'languages = ["ja", "en", "fr"]\nsource_lang = "ja"\n')}
    )
    config = load_config(root)
    assert config.languages == ("ja", "en", "fr")
    assert config.source_lang == "ja"
    assert config.collections[0].targets == ("en", "fr")


def test_languages_only_in_own_config(make_site: SiteMaker, own_file: str) -> None:
    root = make_site(own(own_file, 'languages = ["en", "ja"]\n'), config="title: Site\n")
    config = load_config(root)
    assert config.languages == ("en", "ja")
    assert config.source_lang == "en"


def test_default_lang_still_used_when_languages_overridden(make_site: SiteMaker) -> None:
    root = make_site({"transync.toml": 'languages = ["de", "ja"]\n'}, config='languages: [en]\ndefault_lang: ja\n')
    config = load_config(root)
    assert config.languages == ("de", "ja")
    assert config.source_lang == "ja"


def test_collection_overrides(make_site: SiteMaker, own_file: str) -> None:
    toml = """
[collections.products]
source_lang = "ja"

[collections.guides]
languages = ["en", "ja"]

[collections.manuals]
languages = ["ja", "de"]

[collections.docs]
path = "content/docs"
languages = ["en", "ja", "de", "fr"]
source_lang = "fr"
"""
    root = make_site({"_products/en/a.md": "", "_guides/en/b.md": "", "_posts/en/c.md": "", **own(own_file, toml)})
    colls = by_name(load_config(root))
    assert list(colls) == ["guides", "posts", "products", "manuals", "docs"]
    assert colls["products"] == Collection("products", "_products", "ja", ("en", "ja", "de"))
    assert colls["products"].targets == ("en", "de")
    assert colls["guides"].languages == ("en", "ja") and colls["guides"].targets == ("ja",)
    assert colls["guides"].source_lang == "en"
    # The site's source is not among its languages: its first language is the source.
    assert colls["manuals"].source_lang == "ja" and colls["manuals"].targets == ("de",)
    assert colls["docs"].path == "content/docs"
    assert colls["docs"].targets == ("en", "ja", "de")
    # Not overridden: the site's languages.
    assert colls["posts"] == Collection("posts", "_posts", "en", ("en", "ja", "de"))


@pytest.mark.parametrize("path, expected", [("content/products", "content/products"), ("./p/x/", "p/x"), (".", ".")])
def test_collection_path(make_site: SiteMaker, path: str, expected: str) -> None:
    root = make_site({"transync.toml": f'[collections.products]\npath = "{path}"\n'})
    assert by_name(load_config(root))["products"].path == expected


def test_discover_collections_false(make_site: SiteMaker, own_file: str) -> None:
    toml = 'discover_collections = false\n[collections.guides]\npath = "docs/guides"\n'
    root = make_site({"_products/en/a.md": "", "_posts/en/b.md": "", **own(own_file, toml)})
    assert [(c.name, c.path) for c in load_config(root).collections] == [("guides", "docs/guides")]


def test_discover_collections_false_and_nothing_declared(make_site: SiteMaker) -> None:
    root = make_site({"_products/en/a.md": "", "transync.toml": "discover_collections = false\n"})
    assert load_config(root).collections == ()


def test_lists_and_flags(make_site: SiteMaker, own_file: str) -> None:
    toml = """
exclude = ["drafts/**", "*.tmp.md"]
required_fields = ["ref", "lang"]
provenance_key = "x-transync"
cache = false
"""
    config = load_config(make_site(own(own_file, toml)))
    assert config.exclude == ("drafts/**", "*.tmp.md")
    assert config.required_fields == ("ref", "lang")
    assert config.provenance_key == "x-transync"
    assert config.cache is False


def test_field_rules(make_site: SiteMaker, own_file: str) -> None:
    toml = '[fields]\nsummary = "keep"\nsubtitle = "translate"\nbrand = "glossary"\nrating = "keep"\n'
    config = load_config(make_site(own(own_file, toml)))
    assert dict(config.fields) == {**DEFAULT_FIELDS, "summary": "keep", "subtitle": "translate", "brand": "glossary", "rating": "keep"}
    assert config.content_fields == ("brand", "subtitle", "tags", "title")


def test_field_rules_do_not_leak_between_configs(make_site: SiteMaker, tmp_path: Path) -> None:
    first = load_config(make_site({"transync.toml": '[fields]\ntitle = "keep"\n'}))
    assert first.fields["title"] == "keep"
    assert DEFAULT_FIELDS["title"] == "template"
    other = tmp_path / "other"
    other.mkdir()
    (other / "_config.yml").write_text("languages: [en]\n", encoding="utf-8")
    assert load_config(other).fields["title"] == "template"


@pytest.mark.parametrize(
    "fail_on, expected",
    [
        ('["missing"]', ("missing",)),
        ('["missing", "stale,orphan"]', ("missing", "stale", "orphan")),
        ('["Stale", "stale"]', ("stale",)),
        ('["all"]', ALL_BUT_CURRENT),
        ('["none"]', ()),
        ("[]", ()),
    ],
)
def test_status_fail_on(make_site: SiteMaker, own_file: str, fail_on: str, expected: tuple) -> None:
    config = load_config(make_site(own(own_file, f"[status]\nfail_on = {fail_on}\n")))
    assert config.fail_on == expected


def test_transync_toml_wins_over_pyproject(make_site: SiteMaker) -> None:
    root = make_site(
        {"transync.toml": 'languages = ["en", "ja"]\n', "pyproject.toml": '[tool.transync]\nlanguages = ["en", "de"]\n'}
    )
    assert load_config(root).languages == ("en", "ja")


@pytest.mark.parametrize(
    "pyproject",
    [
        '[project]\nname = "x"\n',
        '[tool.black]\nline-length = 100\n',
        '[tool]\ntransync = "not a table"\n',
    ],
)
def test_pyproject_without_section_is_ignored(make_site: SiteMaker, pyproject: str) -> None:
    config = load_config(make_site({"pyproject.toml": pyproject}))
    assert config.languages == ("en", "ja", "de")
    assert config.fail_on == ALL_BUT_CURRENT


def test_transync_toml_with_bom(make_site: SiteMaker) -> None:
    assert load_config(make_site({"transync.toml": '\ufefflanguages = ["en", "ja"]\n'})).languages == ("en", "ja")


def test_load_config_on_a_file_is_a_usage_error(make_site: SiteMaker) -> None:
    root = make_site({})
    with pytest.raises(UsageError):
        load_config(root / "_config.yml")


# --------------------------------------------------------------------------- errors


def config_error(root: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(root)
    assert isinstance(info.value, TransyncError)
    assert info.value.exit_code == 2
    return info.value


OWN_ERRORS = [
    pytest.param("colour = 1\n", ["unknown key 'colour'"], id="unknown-top-level-key"),
    pytest.param("[collections.products]\ncolour = 1\n", ["unknown key 'collections.products.colour'"], id="unknown-collection-key"),
    pytest.param("[status]\nfail_when = []\n", ["unknown key 'status.fail_when'"], id="unknown-status-key"),
    pytest.param('languages = "en"\n', ["'languages'", "list of strings"], id="languages-not-a-list"),
    pytest.param('languages = ["en", 1]\n', ["'languages'", "list of strings"], id="languages-not-strings"),
    pytest.param("languages = []\n", ["'languages'", "at least one"], id="languages-empty"),
    pytest.param('languages = ["en", "English"]\n', ["'languages'", "'English'"], id="bad-language-code"),
    pytest.param('languages = ["en", "ja", "en"]\n', ["'languages'", "twice"], id="duplicated-language"),
    pytest.param('source_lang = "EN"\n', ["'source_lang'", "'EN'"], id="bad-source-lang-code"),
    pytest.param("source_lang = 1\n", ["'source_lang'", "string"], id="source-lang-not-a-string"),
    pytest.param('source_lang = "fr"\n', ["'source_lang'", "'fr'", "not one of"], id="source-lang-not-a-language"),
    pytest.param('cache = "yes"\n', ["'cache'", "true or false"], id="cache-not-a-bool"),
    pytest.param("discover_collections = 0\n", ["'discover_collections'", "true or false"], id="discover-not-a-bool"),
    pytest.param('exclude = "drafts"\n', ["'exclude'", "list of strings"], id="exclude-not-a-list"),
    pytest.param('fields = "keep"\n', ["'fields'", "table"], id="fields-not-a-table"),
    pytest.param('[fields]\nx = "bogus"\n', ["'fields.x'", "'bogus'"], id="bad-field-rule"),
    pytest.param("[fields]\nx = 1\n", ["'fields.x'"], id="field-rule-not-a-string"),
    pytest.param(
        '[fields]\nx = ["keep"]\n',
        ["'fields.x'"],
        id="field-rule-a-list",
    ),
    pytest.param('required_fields = ["lang", "date"]\n', ["'required_fields'", "'ref'"], id="required-without-ref"),
    pytest.param('required_fields = ["ref"]\n', ["'required_fields'", "'lang'"], id="required-without-lang"),
    pytest.param('provenance_key = "has space"\n', ["'provenance_key'"], id="bad-provenance-key"),
    pytest.param('status = "x"\n', ["'status'", "table"], id="status-not-a-table"),
    pytest.param('[status]\nfail_on = ["stale", "bogus"]\n', ["status.fail_on", "'bogus'"], id="unknown-state"),
    pytest.param('[status]\nfail_on = "stale"\n', ["'status.fail_on'", "list of strings"], id="fail-on-not-a-list"),
    pytest.param('collections = ["products"]\n', ["'collections'", "table"], id="collections-not-a-table"),
    pytest.param('collections.products = "x"\n', ["'collections.products'", "table"], id="collection-not-a-table"),
    pytest.param('[collections.products]\npath = "../x"\n', ["'collections.products.path'", "'../x'"], id="path-escapes"),
    pytest.param('[collections.products]\npath = "a/../../x"\n', ["'collections.products.path'"], id="path-escapes-inside"),
    pytest.param('[collections.products]\npath = "/srv/x"\n', ["'collections.products.path'", "/srv/x"], id="path-absolute"),
    pytest.param("[collections.products]\npath = 3\n", ["'collections.products.path'", "string"], id="path-not-a-string"),
    pytest.param(
        '[collections.products]\nlanguages = ["en", "EN"]\n', ["'collections.products.languages'", "'EN'"], id="collection-bad-language"
    ),
    pytest.param(
        '[collections.products]\nlanguages = ["en", "ja"]\nsource_lang = "de"\n',
        ["'collections.products.source_lang'", "'de'"],
        id="collection-source-not-its-language",
    ),
]


@pytest.mark.parametrize("toml, fragments", OWN_ERRORS)
def test_errors_in_own_config(make_site: SiteMaker, own_file: str, toml: str, fragments: list[str]) -> None:
    err = config_error(make_site({"_products/en/a.md": "", **own(own_file, toml)}))
    message = str(err)
    assert message.startswith(where(own_file) + ": ")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    "toml",
    ["languages = [\n", "languages = ['en', 'ja']\nlanguages = ['en']\n", "x = \n", "[fields\n"],
)
def test_invalid_toml(make_site: SiteMaker, toml: str) -> None:
    message = str(config_error(make_site({"transync.toml": toml})))
    assert message.startswith("transync.toml: invalid TOML")


def test_unreadable_transync_toml(make_site: SiteMaker) -> None:
    message = str(config_error(make_site({"transync.toml": b"languages = ['\xff']\n"})))
    assert message.startswith("transync.toml: cannot be read")


JEKYLL_ERRORS = [
    pytest.param("title: Site\n", ["'languages'", "not set"], id="no-languages"),
    pytest.param("", ["'languages'", "not set"], id="empty-config"),
    pytest.param("languages: en\n", ["'languages'", "list of strings"], id="languages-not-a-list"),
    # YAML 1.1 reads 'no' (Norwegian) as false: an error, never a silent wrong language.
    pytest.param("languages: [en, no]\n", ["'languages'", "list of strings"], id="norway"),
    pytest.param("languages: [en, English]\n", ["'languages'", "'English'"], id="bad-language-code"),
    pytest.param("languages: [en, ja, ja]\n", ["'languages'", "twice"], id="duplicated-language"),
    pytest.param("languages: [en, ja]\ndefault_lang: fr\n", ["'default_lang'", "'fr'", "not one of"], id="default-lang-not-a-language"),
    pytest.param("languages: [en, ja]\ndefault_lang: English\n", ["'default_lang'", "'English'"], id="bad-default-lang"),
    pytest.param("languages: [en]\ncollections: products\n", ["'collections'", "mapping or a list"], id="collections-a-string"),
    pytest.param("languages: [en]\ncollections_dir: [a]\n", ["'collections_dir'", "string"], id="collections-dir-not-a-string"),
    pytest.param("- en\n- ja\n", ["mapping"], id="not-a-mapping"),
    pytest.param("languages: [en, ja\nfoo: 1\n", ["malformed YAML"], id="invalid-yaml"),
    pytest.param("languages: [en]\n  bad: indent\n", ["malformed YAML"], id="invalid-yaml-indent"),
]


@pytest.mark.parametrize("jekyll, fragments", JEKYLL_ERRORS)
def test_errors_in_jekyll_config(make_site: SiteMaker, jekyll: str, fragments: list[str]) -> None:
    message = str(config_error(make_site({}, config=jekyll)))
    assert message.startswith("_config.yml: ")
    for fragment in fragments:
        assert fragment in message


def test_unreadable_jekyll_config(make_site: SiteMaker) -> None:
    root = make_site({})
    (root / "_config.yml").write_bytes(b"languages: [en]\ntitle: caf\xe9\n")
    assert str(config_error(root)).startswith("_config.yml: cannot be read")


def test_invalid_yaml_message_is_readable(make_site: SiteMaker) -> None:
    message = str(config_error(make_site({}, config="languages: [en, ja\nfoo: 1\n")))
    assert message.startswith("_config.yml: line 1: malformed YAML: ")


def test_default_lang_not_in_languages_from_toml_blames_jekyll_config(make_site: SiteMaker) -> None:
    root = make_site({"transync.toml": 'languages = ["de", "fr"]\n'}, config="languages: [en]\ndefault_lang: en\n")
    message = str(config_error(root))
    assert message.startswith("_config.yml: 'default_lang' is 'en'")


def test_no_languages_anywhere(make_site: SiteMaker) -> None:
    root = make_site({"transync.toml": 'source_lang = "en"\n'}, config="title: x\n")
    message = str(config_error(root))
    assert "'languages' is not set" in message
    assert "transync.toml" in message  # tells where else it may go


def test_unknown_keys_in_jekyll_config_are_fine(make_site: SiteMaker) -> None:
    root = make_site({}, config=JEKYLL_3 + "colour: blue\npolyglot: {x: 1}\n")
    assert load_config(root).languages == ("en", "ja", "de")


def test_unknown_key_message_lists_known_keys(make_site: SiteMaker) -> None:
    message = str(config_error(make_site({"transync.toml": "langauges = ['en']\n"})))
    assert "'langauges'" in message
    assert "languages" in message.split("known keys")[1]


def test_collections_dir_escaping_names_jekyll_config(make_site: SiteMaker) -> None:
    root = make_site({}, config=JEKYLL_3 + "collections_dir: ../outside\ncollections: [products]\n")
    message = str(config_error(root))
    assert message.startswith("_config.yml: 'collections_dir'")


def test_language_code_with_trailing_newline(make_site: SiteMaker) -> None:
    root = make_site({"transync.toml": 'languages = ["en", "ja\\n"]\n'})
    assert "'languages'" in str(config_error(root))


# --------------------------------------------------------------------------- find_root


@pytest.mark.parametrize(
    "marker, content",
    [
        ("_config.yml", "languages: [en]\n"),
        ("transync.toml", 'languages = ["en"]\n'),
        ("pyproject.toml", '[tool.transync]\nlanguages = ["en"]\n'),
        ("pyproject.toml", "[tool.transync]\n"),
    ],
)
def test_find_root(tmp_path: Path, marker: str, content: str) -> None:
    root = tmp_path / "site"
    nested = root / "_products" / "en"
    nested.mkdir(parents=True)
    (root / marker).write_text(content, encoding="utf-8")
    page = nested / "a.md"
    page.write_text(doc("a", "en"), encoding="utf-8")
    assert find_root(nested) == root.resolve()
    assert find_root(page) == root.resolve()
    assert find_root(root) == root.resolve()
    assert find_root(nested / "not-yet-written.md") == root.resolve()


def test_find_root_resolves_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("languages: [en]\n", encoding="utf-8")
    monkeypatch.chdir(root / "_posts")
    assert find_root(Path(".")) == root.resolve()
    assert find_root(Path("..") / "_posts") == root.resolve()


@pytest.mark.parametrize(
    "pyproject",
    ['[project]\nname = "x"\n', "[tool.black]\nx = 1\n", "not toml [\n", '[tool]\ntransync = 1\n'],
)
def test_find_root_skips_pyproject_without_section(tmp_path: Path, pyproject: str) -> None:
    root = tmp_path / "site"
    inner = root / "tools" / "helper"
    inner.mkdir(parents=True)
    (root / "_config.yml").write_text("languages: [en]\n", encoding="utf-8")
    (inner / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    assert find_root(inner) == root.resolve()


def test_find_root_takes_the_nearest(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    inner = outer / "docs"
    deep = inner / "_products" / "en"
    deep.mkdir(parents=True)
    (outer / "_config.yml").write_text("languages: [en]\n", encoding="utf-8")
    (inner / "pyproject.toml").write_text("[tool.transync]\n", encoding="utf-8")
    assert find_root(deep) == inner.resolve()
    assert find_root(outer) == outer.resolve()


def test_find_root_ignores_folders_named_like_markers(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "a" / "_config.yml").mkdir(parents=True)  # a folder, not a file
    (root / "a" / "transync.toml").mkdir()
    (root / "_config.yml").write_text("languages: [en]\n", encoding="utf-8")
    assert find_root(root / "a") == root.resolve()


def test_find_root_finds_nothing(tmp_path: Path) -> None:
    for folder in (tmp_path, *tmp_path.parents):
        if any((folder / name).exists() for name in ("_config.yml", "transync.toml", "pyproject.toml")):
            pytest.skip(f"{folder} holds a site marker")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    with pytest.raises(UsageError) as info:
        find_root(nested)
    assert info.value.exit_code == 2
    assert "no site found" in str(info.value)
    assert "--root" in str(info.value)


# --------------------------------------------------------------------------- parse_states


@pytest.mark.parametrize(
    "values, expected",
    [
        (["missing"], ["missing"]),
        (["missing,stale"], ["missing", "stale"]),
        (["missing", "stale"], ["missing", "stale"]),
        (["missing, stale ,orphan"], ["missing", "stale", "orphan"]),
        (["stale", "stale,stale"], ["stale"]),
        (["STALE", "Missing"], ["stale", "missing"]),
        (["stale,,", ","], ["stale"]),
        (["all"], list(ALL_BUT_CURRENT)),
        (["none"], []),
        (["never"], []),
        (["none,stale"], ["stale"]),
        (["current"], ["current"]),
        ([], []),
        ([""], []),
    ],
)
def test_parse_states(values: list[str], expected: list[str]) -> None:
    assert parse_states(values) == expected


@pytest.mark.parametrize("values", [["stale,all"], ["all", "all"], ["missing", "all"]])
def test_parse_states_all_has_no_repeats(values: list[str]) -> None:
    states = parse_states(values)
    assert sorted(states) == sorted(ALL_BUT_CURRENT)


@pytest.mark.parametrize(
    "values, key, bad",
    [
        (["bogus"], "--fail-on", "bogus"),
        (["stale,bogus"], "--fail-on", "bogus"),
        (["stale", "Stalled"], "--state", "stalled"),
        (["stale;missing"], "--fail-on", "stale;missing"),
    ],
)
def test_parse_states_unknown(values: list[str], key: str, bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_states(values, key=key)
    message = str(info.value)
    assert message.startswith(f"{key}: unknown state {bad!r}")
    for state in STATES:
        assert state in message
    assert info.value.exit_code == 2


def test_parse_states_default_key_is_the_flag() -> None:
    with pytest.raises(ConfigError, match=r"^--fail-on: "):
        parse_states(["bogus"])


# --------------------------------------------------------------------------- cache_dir


def test_cache_dir_honours_env(make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "cache-base"
    monkeypatch.setenv("TRANSYNC_CACHE_DIR", str(base))
    root = make_site({})
    config = load_config(root)  # may keep its parse of _config.yml there
    cache = config.cache_dir
    assert cache.parent == base
    assert cache.name.startswith("site-")
    assert not cache.is_relative_to(root)
    shutil.rmtree(cache, ignore_errors=True)
    assert not config.cache_dir.exists()  # computing it creates nothing


def test_cache_dir_falls_back_to_xdg_then_home(make_site: SiteMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site({})
    config = load_config(root)
    monkeypatch.delenv("TRANSYNC_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert config.cache_dir.parent == tmp_path / "xdg" / "transync"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config.cache_dir.parent == tmp_path / "home" / ".cache" / "transync"
    assert not config.cache_dir.is_relative_to(root)


def test_cache_dir_is_one_per_site(tmp_path: Path) -> None:
    def config_at(path: Path) -> SiteConfig:
        return SiteConfig(root=path, languages=("en",), source_lang="en", collections=())

    a, b = config_at(tmp_path / "a" / "site"), config_at(tmp_path / "b" / "site")
    assert a.cache_dir != b.cache_dir
    assert a.cache_dir == config_at(tmp_path / "a" / "site").cache_dir
    assert a.cache_dir.name.startswith("site-") and b.cache_dir.name.startswith("site-")
