"""Finding a site's layout preset from its generator's own files (``layouts.detect.detect``),
and writing it down (``Detection.as_table``) so that the configuration gives the same layout."""

from __future__ import annotations

import shutil

import pytest

from conftest import REPO
from transync.errors import ConfigError
from transync.site.config import find_root, load_config
from transync.site.layouts.detect import detect
from transync.site.layouts.pattern import Detection

SITES = REPO / "tests" / "fixtures" / "sites"


def write(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


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
