"""Finding a site's layout preset from its generator's own files (``layouts.detect.detect``),
and writing it down (``Detection.as_table``) so that the configuration gives the same layout."""

from __future__ import annotations

import shutil

import pytest

from conftest import REPO
from transync.errors import ConfigError
from transync.site import lunaria
from transync.site.config import find_root, load_config
from transync.site.layouts.detect import detect
from transync.site.layouts.starlight import detect as starlight_detect
from transync.site.layouts.pattern import Detection
from test_layout_pattern import write

SITES = REPO / "tests" / "fixtures" / "sites"


@pytest.mark.parametrize(
    "preset, found",
    [
        ("starlight", Detection("starlight", "en", ("en", "fr"), (("source", "src/content/docs/@path"),), "astro.config.mjs (Starlight)")),
        ("docusaurus", Detection("docusaurus", "en", ("en", "fr"), (), "docusaurus.config.js")),
        ("hugo", Detection("hugo", "en", ("en", "fr"), (("structure", "suffixes"),), "hugo.toml")),
        ("mkdocs-static-i18n", Detection("mkdocs-static-i18n", "en", ("en", "fr"), (("structure", "suffixes"),), "mkdocs.yml (i18n plugin)")),
        ("polyglot", Detection("polyglot", None, None, (), "_config.yml (jekyll-polyglot)")),
        ("jekyll", None),
    ],
)
def test_each_sample_site_is_detected_from_its_own_files(preset, found):
    assert detect(SITES / preset) == found


@pytest.mark.parametrize("preset", ["starlight", "docusaurus", "hugo", "mkdocs-static-i18n", "polyglot"])
def test_the_detection_written_down_gives_the_same_layout(preset, tmp_path):
    root = tmp_path / preset
    shutil.copytree(SITES / preset, root)
    zero = load_config(root)
    table = detect(root).as_table()
    lines = ["[layout]"] + [f"{key} = {value!r}".replace("'", '"') for key, value in table.items()]
    (root / "transync.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    written = load_config(root)
    assert written.layout == zero.layout
    assert (written.languages, written.source_lang) == (zero.languages, zero.source_lang)


def test_starlight_with_a_default_locale_in_a_folder_and_comments(tmp_path):
    write(tmp_path, {"astro.config.ts": """
import starlight from "@astrojs/starlight";
export default defineConfig({
  integrations: [starlight({
    title: "Docs", // locales: { xx: {} } in a comment is not read
    /* defaultLocale: 'root' */
    defaultLocale: "de",
    locales: {
      de: { label: "Deutsch" },
      "zh-cn": { label: "简体中文", lang: "zh-CN" },
      en: { label: "English", },
    },
  })],
});
"""})
    assert detect(tmp_path) == Detection("starlight", "de", ("de", "zh-cn", "en"), (), "astro.config.ts (Starlight)")
    config = load_config(tmp_path)
    assert config.layout.translation_path("src/content/docs/de/a/b.md", config.collections[0], "zh-cn") == "src/content/docs/zh-cn/a/b.md"


def test_starlight_locales_that_are_not_a_literal_ask_for_them_in_transync_toml(tmp_path):
    write(tmp_path, {"astro.config.mjs": "import starlight from '@astrojs/starlight';\nconst locales = {};\n"
                     "export default { integrations: [starlight({ title: 'Docs', locales })] };\n"})
    assert detect(tmp_path) == Detection("starlight", found_in="astro.config.mjs (Starlight)")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(err.value) == (
        "transync.toml: 'layout.locales' is not set and astro.config.mjs (Starlight) does not name the languages: "
        "set them in transync.toml ([layout] locales = [...])"
    )
    write(tmp_path, {"transync.toml": '[layout]\npreset = "starlight"\nlocales = ["en", "fr"]\n'})
    config = load_config(tmp_path)
    assert (config.layout.name, config.languages, config.source_lang) == ("starlight", ("en", "fr"), "en")


def test_an_astro_site_without_starlight_is_not_starlight(tmp_path):
    write(tmp_path, {"astro.config.mjs": "export default defineConfig({ site: 'https://example.org' });\n"})
    assert detect(tmp_path) is None


def test_hugo_content_folders_per_language_from_yaml(tmp_path):
    write(tmp_path, {"hugo.yaml": """
defaultContentLanguage: fr
languages:
  fr:
    contentDir: content/fr
  en:
    contentDir: content/en
"""})
    assert detect(tmp_path) == Detection("hugo", "fr", ("fr", "en"), (("structure", "folders"),), "hugo.yaml")
    config = load_config(tmp_path)
    area = config.collections[0]
    assert config.layout.translation_path("content/fr/posts/a.md", area, "en") == "content/en/posts/a.md"


def test_a_config_toml_without_hugo_keys_is_not_hugo(tmp_path):
    write(tmp_path, {"config.toml": "[tool]\nname = 'something else'\n"})
    assert detect(tmp_path) is None
    write(tmp_path, {"config.toml": "baseURL = 'https://example.org/'\n"})
    assert detect(tmp_path) == Detection("hugo", "en", None, (), "config.toml")


def test_mkdocs_folder_structure_and_its_docs_dir(tmp_path):
    write(tmp_path, {"mkdocs.yml": """
docs_dir: pages
plugins:
  - i18n:
      docs_structure: folder
      languages:
        - locale: fr
        - locale: en
          default: true
"""})
    found = detect(tmp_path)
    assert found == Detection(
        "mkdocs-static-i18n", "en", ("fr", "en"), (("structure", "folders"), ("pattern", "pages/@lang/@path")), "mkdocs.yml (i18n plugin)",
    )
    config = load_config(tmp_path)
    assert config.layout.translation_path("pages/en/setup.md", config.collections[0], "fr") == "pages/fr/setup.md"


def test_mkdocs_without_the_i18n_plugin_is_not_detected(tmp_path):
    write(tmp_path, {"mkdocs.yml": "site_name: x\nplugins:\n  - search\n"})
    assert detect(tmp_path) is None


def test_polyglot_named_in_gems(tmp_path):
    write(tmp_path, {"_config.yml": 'languages: ["en", "de"]\ngems: [jekyll-polyglot]\n'})
    assert detect(tmp_path).preset == "polyglot"
    assert load_config(tmp_path).layout.name == "polyglot"


def test_two_generators_at_once_are_an_error_naming_both(tmp_path):
    write(tmp_path, {
        "astro.config.mjs": "import starlight from '@astrojs/starlight';\n",
        "docusaurus.config.js": "module.exports = {};\n",
    })
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(err.value) == (
        "transync.toml: 'layout' is not set and the site looks like several generators' "
        "(docusaurus (docusaurus.config.js), starlight (astro.config.mjs (Starlight))): name one"
    )
    write(tmp_path, {"transync.toml": '[layout]\npreset = "docusaurus"\nlocales = ["en", "fr"]\n'})
    assert load_config(tmp_path).layout.name == "docusaurus"


def test_the_site_root_is_found_from_a_generators_file(tmp_path):
    write(tmp_path, {"docusaurus.config.js": "module.exports = {};\n", "docs/guides/a.md": "x\n"})
    assert find_root(tmp_path / "docs" / "guides") == tmp_path


def test_the_readme_layout_table_loads(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml\n[layout]\n", 1)[1].split("```", 1)[0]
    root = tmp_path / "site"
    shutil.copytree(SITES / "starlight", root)
    (root / "transync.toml").write_text("[layout]\n" + block, encoding="utf-8")
    config = load_config(root)
    assert (config.layout.name, config.languages) == ("starlight", ("en", "fr", "ja"))
    area = config.collections[0]
    assert config.layout.translation_path("src/content/docs/guides/brewing.md", area, "ja") == "src/content/docs/ja/guides/brewing.md"


def test_a_default_locale_outside_the_locales_is_named_where_it_was_read(tmp_path):
    write(tmp_path, {"docusaurus.config.js": "module.exports = { i18n: { defaultLocale: 'en', locales: ['fr', 'de'] } };\n"})
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(err.value) == "docusaurus.config.js: 'default locale' is 'en', which is not one of languages ['fr', 'de']"


def test_a_preset_that_supersedes_another_wins_the_detection(tmp_path, monkeypatch):
    from transync.site import layouts
    from transync.site.layouts.pattern import Preset

    tracker = Preset(
        "tracker", (("default", (("docs", "src/content/docs/@lang/@path", None),)),), supersedes=("starlight",),
        detector=lambda root: Detection("tracker", "en", ("en", "fr"), (), "tracker.json") if (root / "tracker.json").is_file() else None,
    )
    monkeypatch.setitem(layouts.LAYOUTS, "tracker", tracker)
    write(tmp_path, {"astro.config.mjs": "import starlight from '@astrojs/starlight';\n", "tracker.json": "{}\n"})
    assert detect(tmp_path) == Detection("tracker", "en", ("en", "fr"), (), "tracker.json")
    (tmp_path / "tracker.json").unlink()
    assert detect(tmp_path).preset == "starlight"


# --------------------------------------------------------------------------- JavaScript configs: one literal reader

#: The shape of Starlight's own docs site (withastro/starlight, docs/astro.config.mjs): the locales are
#: declared beside the config and passed as `locales,`; other options are expressions.
STARLIGHT_LOCALES_DECLARED = """\
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';

export const locales = {
  root: { label: 'English', lang: 'en' },
  de: { label: 'Deutsch', lang: 'de' },
  ja: { label: '日本語', lang: 'ja' },
};

const site = 'https://tea.example.org/';

export default defineConfig({
  site,
  integrations: [
    starlight({
      title: 'Tea at home',
      head: [{ tag: 'meta', attrs: { property: 'og:image', content: site + 'og.jpg' } }],
      customCss: process.env.PLAIN ? [] : ['./src/styles/tea.css'],
      locales,
      sidebar: [{ label: 'Guides', translations: { de: 'Anleitungen', ja: 'ガイド' }, autogenerate: { directory: 'guides' } }],
    }),
  ],
});
"""


def test_starlight_locales_declared_beside_the_config_are_read_as_its_own_docs_write_them(tmp_path):
    write(tmp_path, {"astro.config.mjs": STARLIGHT_LOCALES_DECLARED})
    assert detect(tmp_path) == Detection(
        "starlight", "en", ("en", "de", "ja"), (("source", "src/content/docs/@path"),), "astro.config.mjs (Starlight)",
    )
    config = load_config(tmp_path)
    assert (config.languages, config.source_lang) == (("en", "de", "ja"), "en")


@pytest.mark.parametrize("config, found", [
    # An escaped quote in a label, before the locales that follow it.
    ("""import starlight from '@astrojs/starlight';
export default { integrations: [starlight({ title: 'Tea', locales: {
  root: { label: 'English', lang: 'en' }, it: { label: 'L\\'italiano' }, fr: { label: 'Français' },
} })] };
""", ("en", ("en", "it", "fr"))),
    # Another integration's i18n options before Starlight's: only the starlight({...}) call is Starlight's.
    ("""import starlight from '@astrojs/starlight';
import sitemap from '@astrojs/sitemap';
export default { integrations: [
  sitemap({ i18n: { defaultLocale: 'en', locales: { en: 'en-US', fr: 'fr-FR' } } }),
  starlight({ title: 'Thé', defaultLocale: 'root', locales: { root: { label: 'Français', lang: 'fr' }, en: { label: 'English' } } }),
] };
""", ("fr", ("fr", "en"))),
    # Starlight imported under another name, its options declared as a variable.
    ("""import docs from "@astrojs/starlight";
const options = { title: "Tea", defaultLocale: "de", locales: { de: { label: "Deutsch" }, en: { label: "English" } } } as const;
export default { integrations: [docs(options)] };
""", ("de", ("de", "en"))),
])
def test_starlight_options_are_read_from_its_own_call(tmp_path, config, found):
    write(tmp_path, {"astro.config.mjs": config})
    detected = detect(tmp_path)
    assert (detected.source_lang, detected.languages) == found


def test_docusaurus_i18n_in_a_config_function_with_a_declared_default_locale(tmp_path):
    write(tmp_path, {"docusaurus.config.ts": """\
import type {Config} from '@docusaurus/types';

const defaultLocale = 'en';

export default async function createConfig(): Promise<Config> {
  return {
    title: 'Tea at home',
    url: 'https://tea.example.org',
    i18n: {
      defaultLocale,
      // 'locales: []' in a comment is not read
      locales: [defaultLocale, 'fr', 'ja'],
    },
  };
}
"""})
    assert detect(tmp_path) == Detection("docusaurus", "en", ("en", "fr", "ja"), (), "docusaurus.config.ts")


def test_docusaurus_locales_that_are_an_expression_are_left_to_transync_toml(tmp_path):
    write(tmp_path, {"docusaurus.config.js": """\
const defaultLocale = 'en';
module.exports = { i18n: { defaultLocale, locales: process.env.PREVIEW ? [defaultLocale] : [defaultLocale, 'fr'] } };
"""})
    assert detect(tmp_path) == Detection("docusaurus", "en", None, (), "docusaurus.config.js")


def test_a_declared_name_reads_alike_in_lunaria_and_starlight_configs(tmp_path):
    locales = "export const locales = [{ label: 'Deutsch', lang: 'de' }, { label: 'L\\'italiano', lang: 'it' }] as const;\n"
    write(tmp_path, {"lunaria.config.ts": locales + """\
export default defineConfig({
  sourceLocale: { label: 'English', lang: 'en' },
  locales,
  files: [{ include: ['src/content/docs/en/**/*.md'], pattern: 'src/content/docs/@lang/@path', type: 'universal' }],
});
""", "astro.config.mjs": """\
import starlight from '@astrojs/starlight';
const locales = { en: { label: 'English' }, de: { label: 'Deutsch' }, it: { label: 'L\\'italiano' } };
export default { integrations: [starlight({ title: 'Tea', defaultLocale: 'en', locales })] };
"""})
    assert [loc.lang for loc in lunaria.read(tmp_path / "lunaria.config.ts").locales] == ["de", "it"]
    starlight = starlight_detect(tmp_path)
    assert (starlight.source_lang, starlight.languages) == ("en", ("en", "de", "it"))
