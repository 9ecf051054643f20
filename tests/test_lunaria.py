"""Reading a site's Lunaria configuration: the literal reader, both Lunaria shapes, globs and directives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SHARED, requires_shared
from transync.cli import app
from transync.errors import ConfigError
from transync.site.config import find_root, load_config
from transync.site.scan import scan
from transync.site.status import report
from transync.site import lunaria
from transync.site.jsliteral import Unreadable, parse_literal
from transync.site.lunaria import Directive, directive, glob_regex

TS_CONFIG = """\
import { defineConfig } from '@lunariajs/core/config';
import { renderer } from './renderer';

/* The docs of a small site. */
export default defineConfig({
\trepository: { name: 'example/docs' },
\tsourceLocale: { label: 'English', lang: 'en', parameters: { tag: 'en' } },
\tlocales: [
\t\t{ label: 'Deutsch', lang: 'de' },
\t\t{ label: "Português do Brasil", lang: 'pt-br', parameters: { tag: 'pt-BR', }, },  // trailing commas
\t],
\tfiles: [
\t\t{ include: ['src/i18n/en.yml'], pattern: 'src/i18n/@tag.yml', type: 'dictionary' },
\t\t{
\t\t\tinclude: ['src/content/docs/en/**/*.(md|mdx)'],
\t\t\tpattern: 'src/content/docs/@lang/@path',
\t\t\ttype: 'universal',
\t\t},
\t],
\ttracking: {
\t\tlocalizableProperty: 'i18nReady',
\t\tignoredKeywords: ['lunaria-ignore', 'typo'],
\t},
\trenderer,
\tdashboard: { ui: { title: `Status of ${'docs'}` } },
});
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_typescript_config_is_read_without_running_it(tmp_path):
    config = lunaria.read(write(tmp_path, "lunaria.config.ts", TS_CONFIG))
    assert config.source == lunaria.Locale("en", "en")
    assert config.locales == (lunaria.Locale("de", "de"), lunaria.Locale("pt-br", "pt-BR"))
    assert config.localizable_property == "i18nReady"
    assert config.ignored_keywords == ("lunaria-ignore", "typo")
    [docs] = config.documents  # the dictionary entry is Lunaria's alone
    assert docs.locales_pattern == "src/content/docs/@lang/@path"
    assert docs.include == ("src/content/docs/en/**/*.(md|mdx)",)
    assert config.transync_settings() == {
        "layout": {
            "preset": "starlight", "pattern": "src/content/docs/@lang/@path", "locales": ["en", "de", "pt-br"],
            "source_lang": "en", "suffixes": [".md", ".mdx"],
        },
        "status": {"ignored_keywords": ["lunaria-ignore", "typo"], "localizable_property": "i18nReady"},
    }


def test_a_pattern_by_tag_uses_the_tags_as_languages_and_a_source_pattern_of_its_own(tmp_path):
    path = write(tmp_path, "lunaria.config.ts", """export default defineConfig({
      sourceLocale: {label: 'English', lang: 'en'},
      locales: [{label: 'Português', lang: 'pt-br', parameters: {tag: 'pt-BR'}}],
      files: [{include: ['docs/**/*.md'], exclude: ['node_modules', 'docs/drafts/**', 'i18n/pt-BR/**/*.md'],
               pattern: {source: 'docs/@path', locales: 'i18n/@tag/@path'}, type: 'universal'}],
    });""")
    settings = lunaria.read(path).transync_settings()
    assert settings["layout"] == {
        "preset": "pattern", "pattern": "i18n/@lang/@path", "source": "docs/@path",
        "locales": ["en", "pt-BR"], "source_lang": "en", "suffixes": [".md"],
    }
    assert settings["exclude"] == ["docs/drafts/**"]


def test_two_entries_of_documents_are_left_to_transync_toml(tmp_path):
    entry = "{include: ['%s/**/*.md'], pattern: '%s/@lang/@path', type: 'universal'}"
    path = write(tmp_path, "lunaria.config.ts", "export default {sourceLocale: 'en', locales: ['de'], files: [%s, %s]}"
                 % (entry % ("docs", "docs"), entry % ("blog", "blog")))
    with pytest.raises(ConfigError, match=r"^lunaria.config.ts: 'files' has 2 entries of Markdown documents \(files\[0\], files\[1\]\)"):
        lunaria.read(path).transync_settings()


def test_the_older_json_shape_is_read_with_lunarias_default_keywords(tmp_path):
    path = write(tmp_path, "lunaria.config.json", """{
      "$schema": "./node_modules/@lunariajs/core/config.schema.json",
      "repository": {"name": "example/docs"},
      "defaultLocale": {"label": "English", "lang": "en"},
      "locales": [{"label": "日本語", "lang": "ja"}],
      "files": [{"location": "docs/**/*.md", "pattern": "docs/@lang/@path", "type": "universal"}]
    }""")
    config = lunaria.read(path)
    assert (config.source.lang, [loc.lang for loc in config.locales]) == ("en", ["ja"])
    assert config.files[0].include == ("docs/**/*.md",)
    assert config.localizable_property is None
    assert config.ignored_keywords == ("lunaria-ignore", "fix typo")
    assert "localizable_property" not in config.transync_settings()["status"]
    assert "suffixes" in config.transync_settings()["layout"]


def test_locales_as_plain_strings_and_a_pattern_per_side(tmp_path):
    path = write(tmp_path, "lunaria.config.js", """module.exports = {
      sourceLocale: 'en', locales: ['pt'],
      files: [{include: ['docs/**/*.md'], pattern: {source: 'docs/@path', locales: 'docs/@lang/@path'}, type: 'universal'}],
    };""")
    config = lunaria.read(path)
    assert config.locales == (lunaria.Locale("pt", "pt"),)
    assert (config.files[0].source_pattern, config.files[0].locales_pattern) == ("docs/@path", "docs/@lang/@path")


def test_an_exported_variable_is_followed_to_its_declaration(tmp_path):
    path = write(tmp_path, "lunaria.config.ts", """import type { LunariaUserConfig } from '@lunariajs/core';
const config: LunariaUserConfig = {
  sourceLocale: 'en', locales: ['fr'],
  files: [{ include: ['docs/**/*.md'], pattern: 'docs/@lang/@path', type: 'universal' }],
} satisfies LunariaUserConfig;
// export default nothing: a comment is not the export
export default config;
""")
    assert [loc.lang for loc in lunaria.read(path).locales] == ["fr"]


def test_a_needed_value_that_is_not_a_literal_is_one_line_naming_the_key(tmp_path):
    path = write(tmp_path, "lunaria.config.ts", TS_CONFIG.replace("\tlocales: [", "\tlocales: locales, _old: ["))
    with pytest.raises(ConfigError) as err:
        lunaria.read(path)
    message = str(err.value)
    assert message.startswith("lunaria.config.ts: 'locales' is not a literal transync can read without running the file (locales, line 8)")
    assert "\n" not in message


def test_a_wrong_type_names_the_nested_key(tmp_path):
    path = write(tmp_path, "lunaria.config.ts", TS_CONFIG.replace("ignoredKeywords: ['lunaria-ignore', 'typo']", "ignoredKeywords: ['typo', 3]"))
    with pytest.raises(ConfigError, match=r"^lunaria.config.ts: 'tracking.ignoredKeywords\[1\]' must be a string$"):
        lunaria.read(path)


@pytest.mark.parametrize("text, message", [
    ("const x = 1;\n", "no 'export default' of a configuration object"),
    ("export default defineConfig({\n  sourceLocale: 'en',\n  locales: ['fr'\n", "line 3: a list is not closed (in 'locales')"),
    ("export default makeConfig();\n", "line 1: the configuration is not an object literal"),
    ("export default {sourceLocale: 'en', locales: ['fr'], files: [{include: ['a.yml'], pattern: 'a/@lang.yml', type: 'dictionary'}]}",
     "'files' has no entry of Markdown documents"),
    ("export default {locales: ['fr'], files: []}", "'sourceLocale' is not set"),
    ("export default {sourceLocale: 'en', locales: ['fr', 'en'], files: []}", "'locales[1].lang' repeats 'en'"),
])
def test_what_cannot_be_used_is_named(tmp_path, text, message):
    with pytest.raises(ConfigError) as err:
        lunaria.read(write(tmp_path, "lunaria.config.ts", text))
    assert message in str(err.value) and str(err.value).startswith("lunaria.config.ts: ")


def test_a_site_with_only_a_lunaria_config_is_understood(make_site):
    root = make_site({
        "lunaria.config.ts": TS_CONFIG,
        "src/content/docs/en/guides/a.mdx": "---\ntitle: A\ni18nReady: true\n---\nText.\n",
        "src/content/docs/en/guides/draft.md": "---\ntitle: Draft\n---\nNot ready.\n",
        "src/content/docs/de/guides/a.mdx": "---\ntitle: A (de)\n---\nText.\n",
        "src/content/docs/pt-br/guides/gone.md": "---\ntitle: Gone\n---\nOrphan.\n",
    }, config="")
    (root / "_config.yml").unlink()
    assert find_root(root / "src" / "content") == root
    config = load_config(root)
    assert (config.source_lang, config.languages) == ("en", ("en", "de", "pt-br"))
    states = {(i.lang, i.path or i.target_path, i.state) for i in report(scan(config), git=False).items}
    assert states == {
        ("de", "src/content/docs/de/guides/a.mdx", "current"),
        ("pt-br", "src/content/docs/pt-br/guides/a.mdx", "missing"),
        ("pt-br", "src/content/docs/pt-br/guides/gone.md", "orphan"),
    }
    # transync.toml's keys win, table by table; Lunaria's stay where it says nothing.
    (root / "transync.toml").write_text('[status]\nignored_keywords = ["[skip l10n]"]\n', encoding="utf-8")
    config = load_config(root)
    assert config.ignored_keywords == ("[skip l10n]",) and config.localizable_property == "i18nReady"
    # A layout of its own: Lunaria's file is not read at all (not even its errors).
    (root / "lunaria.config.ts").write_text("export default defineConfig(broken", encoding="utf-8")
    with pytest.raises(ConfigError, match="^lunaria.config.ts: "):
        load_config(root)
    (root / "transync.toml").write_text('[layout]\npattern = "src/content/docs/@lang/@path"\nlocales = ["en", "de"]\n', encoding="utf-8")
    assert load_config(root).languages == ("en", "de")


def test_a_lunaria_site_links_compare_with_the_sources_locale_prefix(make_site):
    """Lunaria names the source folder (``src/content/docs/en/@path``): the English pages' URLs
    are ``/en/...``, and a German link to ``/de/x/`` is the English page's ``/en/x/``."""
    root = make_site({
        "lunaria.config.ts": TS_CONFIG,
        "src/content/docs/en/guides/a.mdx": "---\ntitle: A\ni18nReady: true\n---\nRead [b](/en/guides/b/#setup).\n",
        "src/content/docs/en/guides/b.mdx": "---\ntitle: B\ni18nReady: true\n---\n## Setup\n",
        "src/content/docs/de/guides/a.mdx": "---\ntitle: A (de)\n---\nLies [b](/de/guides/b/#einrichtung).\n",
        "src/content/docs/de/guides/b.mdx": "---\ntitle: B (de)\n---\n## Einrichtung\n",
    }, config="")
    (root / "_config.yml").unlink()
    config = load_config(root)
    assert config.layout.page_url("src/content/docs/en/guides/b.mdx", config.collections[0]) == "/en/guides/b/"
    assert config.layout.source_url("/de/guides/b/", "de", "en") == "/en/guides/b/"
    # Nor is the German page's want of i18nReady a kept field gone missing: only a source says it.
    result = CliRunner().invoke(app, ["check", "--root", str(root), "--check", "urls,kept-fields", "--format", "json", "--no-git"])
    assert result.exit_code == 0, result.output
    page = root / "src/content/docs/de/guides/a.mdx"
    page.write_text(page.read_text(encoding="utf-8").replace("/de/guides/b/", "/de/guides/c/"), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--root", str(root), "--check", "urls", "--format", "json", "--no-git"])
    assert result.exit_code == 1
    assert sorted(f["message"] for f in json.loads(result.stdout)["findings"]) == [
        "URL missing from the translation: /en/guides/b/#setup", "URL not in the source: /de/guides/c/#einrichtung",
    ]


def test_find_prefers_the_json_file(tmp_path):
    assert lunaria.find(tmp_path) is None
    write(tmp_path, "lunaria.config.ts", TS_CONFIG)
    assert lunaria.find(tmp_path).name == "lunaria.config.ts"
    write(tmp_path, "lunaria.config.json", "{}")
    assert lunaria.find(tmp_path).name == "lunaria.config.json"


def test_the_literal_reader_keeps_what_it_cannot_read_as_written():
    text = """{a: 1, 'b': [1, 2,], "c": f(x, [y]), d: v, e: `t${x}`, f: 'a' + b, g: [1] as const, ...rest,
      h() { return 1 }, i: -2.5, j: { k: "v\\u00e9\\n" }, // comment
      /* block */ l: null, m: true, n: 0x1F, o: `plain`,}"""
    assert parse_literal(text) == {
        "a": 1, "b": [1, 2], "c": Unreadable("f(x, [y])", 1), "d": Unreadable("v", 1),
        "e": Unreadable("`t${x}`", 1), "f": Unreadable("'a' + b", 1), "g": [1], "...": Unreadable("...rest", 1),
        "h": Unreadable("() { return 1 }", 2), "i": -2.5, "j": {"k": "vé\n"}, "l": None, "m": True, "n": 31, "o": "plain",
    }


@pytest.mark.parametrize("glob, path, hit", [
    ("src/content/docs/en/**/*.(md|mdx)", "src/content/docs/en/guides/a.mdx", True),
    ("src/content/docs/en/**/*.(md|mdx)", "src/content/docs/en/a.md", True),
    ("src/content/docs/en/**/*.(md|mdx)", "src/content/docs/en/a.mdoc", False),
    ("src/content/docs/en/**/*.mdx", "src/content/docs/ja/a.mdx", False),
    ("src/content/docs/en/**.mdx", "src/content/docs/en/a.mdx", True),
    ("src/content/docs/en/**.mdx", "src/content/docs/en/guides/a.mdx", False),  # ** inside a segment is *
    ("src/content/docs/!(en)/reference/x.mdx", "src/content/docs/ja/reference/x.mdx", True),
    ("src/content/docs/!(en)/reference/x.mdx", "src/content/docs/en/reference/x.mdx", False),
    ("src/content/docs/!(en)/reference/x.mdx", "src/content/docs/en-gb/reference/x.mdx", True),
    ("src/content/docs/en/!(basics/astro-components.mdx)", "src/content/docs/en/guides.mdx", True),
    ("./src/content/docs/*/x.{md,mdx}", "src/content/docs/de/x.md", True),
    ("src/content/docs/??/x.md", "src/content/docs/de/x.md", True),
    ("src/content/docs/??/x.md", "src/content/docs/pt-br/x.md", False),
    ("src/content/docs/[a-f]*/x.md", "src/content/docs/de/x.md", True),
])
def test_globs_match_as_lunaria_matches_them(glob, path, hit):
    assert bool(glob_regex(glob).match(path)) is hit


def test_directives_are_read_from_a_commit_message():
    message = "i18n(ja): add a page\n\nSome text.\n@lunaria-track:docs/ja/a.md;docs/ja/b.md;\nmore\n"
    assert directive(message) == Directive(True, ("docs/ja/a.md", "docs/ja/b.md"))
    assert directive("fix\n\n@lunaria-ignore:\u200edocs/!(en)/a.md\u200e") == Directive(False, ("docs/!(en)/a.md",))
    assert directive("old names\n\n@tracker-minor:docs/*.md") == Directive(False, ("docs/*.md",))
    assert directive("no directive, an e-mail: a@lunaria.dev") is None
    ignore = Directive(False, ("docs/!(en)/a.md", "docs/!(en)/b.md"))
    # Left out when any glob names the file (Lunaria 0.1.1 left it out only when all did).
    assert [ignore.counts_for(p) for p in ("docs/ja/a.md", "docs/ja/b.md", "docs/ja/c.md", "docs/en/a.md")] == [False, False, True, True]


# --------------------------------------------------------------------------- the Astro docs history (real data)

ASTRO_BUNDLE = SHARED / "corpus" / "astro-docs-history.bundle"


@pytest.fixture(scope="module")
def astro_docs(tmp_path_factory) -> Path:
    """A clone of the Astro docs history: a site Lunaria tracks, with no transync.toml."""
    import subprocess

    clone = tmp_path_factory.mktemp("astro") / "docs"
    subprocess.run(["git", "clone", "-q", str(ASTRO_BUNDLE), str(clone)], check=True)
    return clone


@requires_shared(ASTRO_BUNDLE)
def test_the_astro_docs_are_read_from_their_lunaria_config_alone(astro_docs):
    assert not (astro_docs / "transync.toml").exists() and not list(astro_docs.glob("astro.config.*"))
    assert find_root(astro_docs / "src" / "content" / "docs" / "ja") == astro_docs
    config = load_config(astro_docs)
    assert config.source_lang == "en" and len(config.languages) == 14 and "pt-br" in config.languages
    assert config.localizable_property == "i18nReady"
    assert config.ignored_keywords == ("lunaria-ignore", "typo", "en-only", "broken link", "i18nReady", "i18nIgnore")
    assert config.layout.translation_path("src/content/docs/en/guides/cms.mdx", config.collections[0], "ja") == "src/content/docs/ja/guides/cms.mdx"


@requires_shared(ASTRO_BUNDLE)
def test_the_astro_docs_status_by_git_history(astro_docs):
    # The numbers established against Lunaria 0.1.1 on the same commit (bench/bench_lunaria.py):
    # the same 419 pages and missing counts; staleness by content (bench/README.md explains
    # each page on which the two disagree).
    result = report(scan(load_config(astro_docs)))
    assert result.evidence == "git" and result.sources == {"en": 420}
    counts = {lang: (row.expected, row.counts["missing"], row.counts["stale"], row.counts["current"]) for lang, row in result.summary.items()}
    assert counts["ja"] == (419, 275, 37, 107)
    assert counts["fr"] == (419, 0, 3, 416)
    assert sum(row.counts["orphan"] + row.counts["invalid"] + row.counts["duplicate"] for row in result.summary.values()) == 0
    stale = {i.source_path for i in result.items if i.lang == "ja" and i.state == "stale"}
    # A translation whose commit names it in an @lunaria-track directive behind an invisible U+200E counts as updated.
    assert "src/content/docs/en/guides/backend/supabase.mdx" not in stale
