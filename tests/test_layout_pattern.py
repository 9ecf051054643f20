"""Path layouts built from Lunaria-style patterns: which files are documents, their identity
(the path under the language) and language, where a missing translation goes, and the
``layout``/``[layout]`` configuration with its errors."""

from __future__ import annotations

import pytest

from transync.errors import ConfigError
from transync.site.config import Collection, load_config
from transync.site.layouts.pattern import PatternError, pattern_layout
from transync.site.scan import scan
from transync.site.status import report

LANGS = ("en", "fr", "pt-br")


def area(layout, name="docs"):
    fs = next(s for s in layout.file_sets if s.name == name)
    return Collection(name, fs.root, layout.source_lang, layout.languages)


def write(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


PAGE = "---\ntitle: A page\n---\n\nSome words.\n"


# --------------------------------------------------------------------------- the pattern layout


@pytest.mark.parametrize(
    "patterns, source, rel, placed",
    [
        (["src/content/docs/@lang/@path"], None, "src/content/docs/fr/guides/a.md", ("fr", "guides/a.md")),
        (["src/content/docs/@lang/@path"], None, "src/content/docs/en/guides/a.mdx", ("en", "guides/a.mdx")),
        # in no language's folder: placed, for the scan to report the folder's language
        (["src/content/docs/@lang/@path"], None, "src/content/docs/guides/a.md", ("guides", "a.md")),
        (["src/content/docs/@lang/@path"], "src/content/docs/@path", "src/content/docs/guides/a.md", ("en", "guides/a.md")),
        (["src/content/docs/@lang/@path"], "src/content/docs/@path", "src/content/docs/pt-br/a.md", ("pt-br", "a.md")),
        (["@path.@lang.md"], "@path.md", "guide/setup.fr.md", ("fr", "guide/setup")),
        (["@path.@lang.md"], "@path.md", "guide/setup.md", ("en", "guide/setup")),
        (["@path.@lang.md"], "@path.md", "guide/setup.en.md", ("en", "guide/setup")),
        (["@path.@lang.md"], "@path.md", "guide/v1.2.md", ("en", "guide/v1.2")),
        (["i18n/@lang/docusaurus-plugin-content-docs/current/@path"], "docs/@path", "docs/intro.md", ("en", "intro.md")),
        (["i18n/@lang/docusaurus-plugin-content-docs/current/@path"], "docs/@path",
         "i18n/fr/docusaurus-plugin-content-docs/current/intro.md", ("fr", "intro.md")),
        (["i18n/@lang/docusaurus-plugin-content-docs/current/@path"], "docs/@path", "blog/intro.md", None),
        (["src/content/docs/@lang/@path"], None, "src/content/docs/fr/notes.txt", None),
    ],
)
def test_a_pattern_places_a_file_by_its_path(patterns, source, rel, placed):
    layout = pattern_layout("en", LANGS, patterns, source=source)
    docs = area(layout)
    assert layout.owns(rel, docs) is (placed is not None)
    if placed is not None:
        assert layout.ref_and_lang(rel, docs, None, None) == (placed[1], placed[0])


@pytest.mark.parametrize(
    "patterns, source, source_rel, translations",
    [
        (["src/content/docs/@lang/@path"], None, "src/content/docs/en/a/b.mdx",
         {"fr": "src/content/docs/fr/a/b.mdx", "pt-br": "src/content/docs/pt-br/a/b.mdx"}),
        (["src/content/docs/@lang/@path"], "src/content/docs/@path", "src/content/docs/a/b.md",
         {"fr": "src/content/docs/fr/a/b.md"}),
        (["@path.@lang.md"], "@path.md", "docs/setup.md", {"fr": "docs/setup.fr.md"}),
        (["@path.@lang.md"], "@path.md", "docs/setup.en.md", {"fr": "docs/setup.fr.md"}),
        (["i18n/@lang/docusaurus-plugin-content-docs/current/@path"], "docs/@path", "docs/x/intro.md",
         {"fr": "i18n/fr/docusaurus-plugin-content-docs/current/x/intro.md"}),
    ],
)
def test_a_missing_translation_goes_where_the_pattern_says_and_back(patterns, source, source_rel, translations):
    layout = pattern_layout("en", LANGS, patterns, source=source)
    docs = area(layout)
    for lang, path in translations.items():
        assert layout.translation_path(source_rel, docs, lang) == path
        back = layout.source_path(path, docs, lang)
        assert layout.ref_and_lang(back, docs, None, None) == layout.ref_and_lang(source_rel, docs, None, None)[:1] + ("en",)
    assert layout.translation_path(source_rel, docs, "en") is None
    assert layout.translation_path(translations["fr"], docs, "pt-br") is None  # only a source has translations


def test_the_walk_covers_both_roots_and_only_them():
    layout = pattern_layout("en", LANGS, ["i18n/@lang/docusaurus-plugin-content-docs/current/@path"], source="docs/@path")
    assert layout.roots(area(layout)) == ("docs", "i18n")
    starlight = pattern_layout("en", LANGS, ["src/content/docs/@lang/@path"], source="src/content/docs/@path")
    assert starlight.roots(area(starlight)) == ("src/content/docs",)
    assert starlight.is_language_folder("src/content/docs/fr", area(starlight))
    assert not starlight.is_language_folder("src/content/docs/guides", area(starlight))


@pytest.mark.parametrize(
    "patterns, source, message",
    [
        (["src/content/docs/@path"], None, "must hold @lang"),
        (["src/@locale/@path"], None, "unknown token @locale"),
        (["src/@lang/docs"], None, "must hold @path once"),
        (["/abs/@lang/@path"], None, "plain path relative to the site root"),
        (["a/../@lang/@path"], None, "plain path relative to the site root"),
        (["@lang/@path"], "@path/@path", "must hold @path once"),
    ],
)
def test_a_bad_pattern_is_refused_saying_why(patterns, source, message):
    with pytest.raises(PatternError, match=message):
        pattern_layout("en", LANGS, patterns, source=source)


def test_the_source_language_must_be_a_locale():
    with pytest.raises(PatternError, match="'de' is not one of the locales"):
        pattern_layout("de", LANGS, ["@lang/@path"])


# --------------------------------------------------------------------------- a site through the configuration


def test_a_pattern_site_needs_no_ref_lang_or_date(tmp_path):
    root = write(tmp_path, {
        "transync.toml": '[layout]\npattern = "content/@lang/@path"\nsource_lang = "en"\nlocales = ["en", "fr"]\n',
        "content/en/a.md": PAGE,
        "content/en/sub/b.md": PAGE,
        "content/fr/a.md": PAGE,
        "content/fr/gone.md": PAGE,
        "content/fr/c.md": "---\nlang: en\n---\n\nWrong language.\n",
        "content/de/x.md": PAGE,
    })
    config = load_config(root)
    assert config.required_fields == ()
    assert config.languages == ("en", "fr") and config.source_lang == "en"
    result = scan(config, use_cache=False)
    states = sorted((i.state, i.ref, i.lang, i.path or i.target_path) for i in report(result, git=False).items)
    assert states == [
        ("current", "a.md", "fr", "content/fr/a.md"),
        ("invalid", "c.md", "en", "content/fr/c.md"),
        ("invalid", "x.md", "de", "content/de/x.md"),
        ("missing", "sub/b.md", "fr", "content/fr/sub/b.md"),
        ("orphan", "gone.md", "fr", "content/fr/gone.md"),
    ]
    reasons = {i.path: i.reason for i in report(result, git=False).items if i.path}
    assert reasons["content/fr/c.md"] == "lang is 'en' but the file's path makes it 'fr'"
    assert reasons["content/de/x.md"] == "lang 'de' is not one of the site's languages (en, fr)"
    assert reasons["content/fr/gone.md"] == "no en source with path 'gone.md'"


@pytest.mark.parametrize(
    "toml, message",
    [
        ('layout = 3', "transync.toml: 'layout' must be a layout name or a [layout] table"),
        ('layout = "gatsby"', "transync.toml: 'layout' is 'gatsby'; expected one of"),
        ('[layout]\npreset = "gatsby"', "transync.toml: 'layout.preset' is 'gatsby'; expected one of"),
        ('[layout]\nsource_lang = "en"', "transync.toml: 'layout' needs 'preset'"),
        ('[layout]\npattern = "x/@lang/@path"\nlocale = ["en"]', "transync.toml: unknown key 'layout.locale' (known keys:"),
        ('[layout]\npattern = "x/@lang/@path"\nlocales = "en"', "transync.toml: 'layout.locales' must be a list of strings"),
        ('[layout]\npattern = "x/@lang/@path"\nlocales = ["en", "f r"]', "transync.toml: 'layout.locales' holds 'f r', which is not a language code"),
        ('[layout]\npattern = "x/@path"\nlocales = ["en", "fr"]', "transync.toml: 'layout.pattern' must hold @lang"),
        ('[layout]\npattern = "x/@lang/@slug"\nlocales = ["en", "fr"]', "transync.toml: 'layout.pattern' has an unknown token @slug"),
        ('[layout]\npattern = "x/@lang/@path"\nsource = "../@path"\nlocales = ["en", "fr"]',
         "transync.toml: 'layout.source' must be a plain path relative to the site root"),
        ('[layout]\npattern = "x/@lang/@path"\nlocales = ["en", "fr"]\nsource_lang = "de"',
         "transync.toml: 'layout.source_lang' is 'de', which is not one of languages ['en', 'fr']"),
        ('[layout]\npattern = "x/@lang/@path"\nlocales = ["en", "fr"]\nsuffixes = ["md"]',
         "transync.toml: 'layout.suffixes' must list file endings such as \".md\""),
        ('[layout]\npreset = "hugo"\nstructure = "tree"\nlocales = ["en", "fr"]',
         "transync.toml: 'layout.structure' is 'tree'; expected one of suffixes, folders"),
        ('[layout]\npreset = "jekyll"\nlocales = ["en", "fr"]', "transync.toml: 'layout.locales' does not apply to the jekyll layout"),
        ('[layout]\npreset = "pattern"\nlocales = ["en", "fr"]', "transync.toml: 'layout.pattern' is not set"),
        ('layout = "starlight"', "transync.toml: 'layout.locales' is not set and the site does not name the languages"),
        ('languages = ["en", "fr"]\n[layout]\npreset = "starlight"\nlocales = ["en", "fr"]',
         "transync.toml: 'layout.locales' is also set as 'languages': keep one"),
        ('source_lang = "en"\n[layout]\npreset = "starlight"\nsource_lang = "en"',
         "transync.toml: 'layout.source_lang' is also set as 'source_lang': keep one"),
    ],
)
def test_layout_configuration_errors_name_the_key(tmp_path, toml, message):
    write(tmp_path, {"transync.toml": toml + "\n"})
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


def test_several_file_sets_from_layout_files(tmp_path):
    root = write(tmp_path, {
        "transync.toml": """
[layout]
locales = ["en", "fr"]

[[layout.files]]
name = "docs"
pattern = "i18n/@lang/docusaurus-plugin-content-docs/current/@path"
source = "docs/@path"

[[layout.files]]
name = "tutorials"
pattern = "tutorials/@path.@lang.md"
source = "tutorials/@path.md"
""",
        "docs/a.md": PAGE,
        "i18n/fr/docusaurus-plugin-content-docs/current/a.md": PAGE,
        "tutorials/first.md": PAGE,
        "tutorials/a.md": PAGE,  # the same path as a page of docs: another file set, another identity
    })
    config = load_config(root)
    assert [(c.name, c.path) for c in config.collections] == [("docs", ""), ("tutorials", "tutorials")]
    assert config.pathspecs == ["docs", "i18n", "tutorials"]
    items = report(scan(config, use_cache=False), git=False).items
    assert sorted((i.collection, i.ref, i.state, i.path or i.target_path) for i in items) == [
        ("docs", "a.md", "current", "i18n/fr/docusaurus-plugin-content-docs/current/a.md"),
        ("tutorials", "a", "missing", "tutorials/a.fr.md"),
        ("tutorials", "first", "missing", "tutorials/first.fr.md"),
    ]


@pytest.mark.parametrize(
    "toml, message",
    [
        ('[layout]\nlocales = ["en", "fr"]\nfiles = "x"', "transync.toml: 'layout.files' must be a list of tables"),
        ('[layout]\nlocales = ["en", "fr"]\n[[layout.files]]\nsource = "x/@path"', "transync.toml: 'layout.files[0].pattern' is not set"),
        ('[layout]\nlocales = ["en", "fr"]\n[[layout.files]]\npattern = "x/@lang/@path"\n[[layout.files]]\npattern = "y/@lang/@pth"',
         "transync.toml: 'layout.files[1].pattern' has an unknown token @pth"),
        ('[layout]\nlocales = ["en", "fr"]\n[[layout.files]]\npattern = "x/@lang/@path"\nsorce = "x/@path"',
         "transync.toml: unknown key 'layout.files[0].sorce'"),
        ('[layout]\nlocales = ["en", "fr"]\npattern = "x/@lang/@path"\n[[layout.files]]\npattern = "y/@lang/@path"',
         "transync.toml: 'layout.files' replaces 'pattern' and 'source'"),
        ('[layout]\nlocales = ["en", "fr"]\n[[layout.files]]\npattern = "x/@lang/@path"\n[[layout.files]]\npattern = "y/@lang/@path"\nname = "docs"',
         "transync.toml: 'layout.files' names a file set twice"),
    ],
)
def test_layout_files_errors_name_the_key(tmp_path, toml, message):
    write(tmp_path, {"transync.toml": toml + "\n"})
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(err.value).startswith(message), str(err.value)


# --------------------------------------------------------------------------- round trips

from hypothesis import given, strategies as st  # noqa: E402

from transync.site import layouts  # noqa: E402

_NAME = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-_."), min_size=1, max_size=8).filter(
    lambda n: n not in (".", "..") and not n.startswith((".", "_")) and not n.endswith(".")
)
_PATH = st.lists(_NAME, min_size=1, max_size=4).map("/".join)


@pytest.mark.parametrize(
    "preset, structure",
    [("starlight", None), ("docusaurus", None), ("hugo", "suffixes"), ("hugo", "folders"),
     ("mkdocs-static-i18n", "suffixes"), ("mkdocs-static-i18n", "folders"), ("polyglot", None)],
)
@given(path=_PATH, lang=st.sampled_from(["fr", "pt-br"]))
def test_every_source_path_has_a_translation_path_that_leads_back_to_it(preset, structure, path, lang):
    layout = layouts.get(preset).build("en", LANGS, structure=structure)
    docs = Collection(layout.file_sets[0].name, layout.file_sets[0].root, "en", LANGS)
    fs = layout.file_sets[0]
    source = fs.source.fill("en", path + ".md" if "@path." not in fs.source.text else path)
    if not layout.owns(source, docs) or layout.ref_and_lang(source, docs, None, None)[1] != "en":
        return  # a source path that reads as a translation (fr/x.md under a root locale): not a source
    if source.split("/")[0] in LANGS and fs.source.text.startswith("@path"):
        return  # en/x.md where sources sit at the root: read as the page x.md in a language folder, not a source
    target = layout.translation_path(source, docs, lang)
    assert target is not None and layout.owns(target, docs)
    assert layout.ref_and_lang(target, docs, None, None) == (layout.ref_and_lang(source, docs, None, None)[0], lang)
    assert layout.source_path(target, docs, lang) == source
