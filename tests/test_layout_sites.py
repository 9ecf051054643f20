"""Every command on a small site per layout preset (tests/fixtures/sites/<preset>/, see its README).

Each site is copied into a git repository built by the test: everything is
committed, then the English ``guides/brewing`` page gets a new sentence in a
second commit, so its French translation is stale by git history. The other
French pages are current (the home page, Hugo's ``translationKey`` pair),
missing (``guides/storing``) and orphan (``guides/retired``).
"""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, requires_shared
from transync.cli import app

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

runner = CliRunner()
SITES = REPO / "tests" / "fixtures" / "sites"
SECRET = "fake-deepl-test-key:fx"

#: Per preset: the English brewing page, and the French paths of each state.
CASES = {
    "starlight": dict(
        brewing="src/content/docs/guides/brewing.md",
        current=["src/content/docs/fr/index.mdx"],
        stale="src/content/docs/fr/guides/brewing.md",
        missing="src/content/docs/fr/guides/storing.md",
        orphan="src/content/docs/fr/guides/retired.md",
    ),
    "docusaurus": dict(
        brewing="docs/guides/brewing.md",
        current=["i18n/fr/docusaurus-plugin-content-docs/current/index.md"],
        stale="i18n/fr/docusaurus-plugin-content-docs/current/guides/brewing.md",
        missing="i18n/fr/docusaurus-plugin-content-docs/current/guides/storing.md",
        orphan="i18n/fr/docusaurus-plugin-content-docs/current/guides/retired.md",
    ),
    "hugo": dict(
        brewing="content/guides/brewing.md",
        current=["content/_index.fr.md", "content/guides/tasses.fr.md"],
        stale="content/guides/brewing.fr.md",
        missing="content/guides/storing.fr.md",
        orphan="content/guides/retired.fr.md",
    ),
    "mkdocs-static-i18n": dict(
        brewing="docs/guides/brewing.md",
        current=["docs/index.fr.md"],
        stale="docs/guides/brewing.fr.md",
        missing="docs/guides/storing.fr.md",
        orphan="docs/guides/retired.fr.md",
    ),
    "polyglot": dict(
        brewing="guides/brewing.md",
        current=["fr/index.md"],
        stale="fr/guides/brewing.md",
        missing="fr/guides/storing.md",
        orphan="fr/guides/retired.md",
    ),
    "jekyll": dict(
        brewing="_guides/en/brewing.md",
        current=["_guides/fr/index.md"],
        stale="_guides/fr/brewing.md",
        missing="_guides/fr/storing.md",
        orphan="_guides/fr/retired.md",
    ),
}
PRESETS = list(CASES)


@pytest.fixture(autouse=True)
def _quiet_git(git_env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)


def git(root: Path, *args: str, date: str = "2025-03-01T10:00:00+00:00") -> None:
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def build(tmp_path: Path, preset: str) -> Path:
    """The preset's sample site in a git repository, its brewing page edited after the translation."""
    root = tmp_path / preset
    shutil.copytree(SITES / preset, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Tea guides in English and French", date="2025-01-10T10:00:00+00:00")
    page = root / CASES[preset]["brewing"]
    page.write_text(page.read_text(encoding="utf-8") + "\nRinse the pot with hot water before the leaves go in.\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "Brewing: warm the pot first")
    return root


@pytest.fixture(params=PRESETS)
def site(request, tmp_path, monkeypatch):
    root = build(tmp_path, request.param)
    monkeypatch.chdir(root)  # paths print relative to the current folder: here, the site's own
    return request.param, root


def run(root: Path, *args: str, env: dict[str, str] | None = None):
    """A command run from the site's folder, where the paths it prints are the site's own."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return runner.invoke(app, [args[0], "--root", str(root), *args[1:]], env=env, catch_exceptions=False)
    finally:
        os.chdir(cwd)


def states(root: Path) -> dict[str, str]:
    result = run(root, "status", "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["evidence"] == "git"
    return {i["path"] or i["target_path"]: i["state"] for i in data["items"]}


def expected_states(preset: str) -> dict[str, str]:
    case = CASES[preset]
    found = {path: "current" for path in case["current"]}
    found.update({case["stale"]: "stale", case["missing"]: "missing", case["orphan"]: "orphan"})
    return found


# --------------------------------------------------------------------------- status, check, report


def test_status_finds_current_stale_missing_and_orphan_pages_from_git_history(site):
    preset, root = site
    assert states(root) == expected_states(preset)
    result = run(root, "status")
    assert re.search(rf"{re.escape(CASES[preset]['missing'])} +\(from ", result.stdout), result.stdout
    identity = "ref" if preset == "jekyll" else "path"  # what the layout matches pages by
    assert f"orphan (1): no source document: delete them or fix their {identity}" in " ".join(result.stdout.split())


def test_zero_config_detects_the_preset(site):
    preset, root = site
    from transync.site.config import load_config

    config = load_config(root)
    assert (config.layout.name, config.languages, config.source_lang) == (preset, ("en", "fr"), "en")
    if preset != "jekyll":
        assert config.required_fields == (("lang",) if preset == "polyglot" else ())


def test_check_compares_the_current_and_stale_pairs(site):
    preset, root = site
    result = run(root, "check", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["findings"] == []
    assert data["summary"]["files_checked"] == len(CASES[preset]["current"]) + 1


def test_report_writes_the_dashboard_with_every_state(site, tmp_path):
    preset, root = site
    out = tmp_path / "dashboard"
    result = run(root, "report", "--output", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads((out / "status.json").read_text(encoding="utf-8"))
    assert {i["path"] or i["target_path"]: i["state"] for i in data["items"]} == expected_states(preset)
    html = (out / "index.html").read_text(encoding="utf-8")
    for path in (CASES[preset]["stale"], CASES[preset]["orphan"]):
        assert path in html


# --------------------------------------------------------------------------- translate


def test_pseudo_writes_the_missing_page_where_the_layout_says_without_ref_or_lang(site):
    preset, root = site
    case = CASES[preset]
    result = run(root, "translate", "--engine", "pseudo")
    assert result.exit_code == 0, result.output
    assert f"written  {case['missing']}" in result.stdout
    assert f"skipped  {case['stale']}: a hand-made translation" in result.stdout
    text = (root / case["missing"]).read_text(encoding="utf-8")
    front = text.split("---\n")[1]
    assert "ref:" not in front if preset != "jekyll" else "ref: storing" in front
    if preset == "polyglot":
        assert "lang: fr\n" in front and "permalink: /guides/storing/\n" in front  # Polyglot: the same permalink
    elif preset != "jekyll":
        assert "lang:" not in front
    assert "⟦" in text  # pseudo-translated
    after = states(root)
    assert after[case["missing"]] != "missing"
    assert after[case["stale"]] == "stale" and after[case["orphan"]] == "orphan"


@pytest.fixture
def deepl_server(monkeypatch):
    """The DeepL-compatible test server, and the environment that points transync at it."""
    import deepl

    from deepl_fake import FakeDeepL

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_INITIAL", 0.02)
    with FakeDeepL(SECRET) as fake:
        yield fake, {"DEEPL_AUTH_KEY": SECRET, "DEEPL_SERVER_URL": fake.url}


def test_deepl_fills_the_missing_page_and_the_memory(site, deepl_server):
    preset, root = site
    case = CASES[preset]
    fake, env = deepl_server
    result = run(root, "translate", "--engine", "deepl", env=env)
    assert result.exit_code == 0, result.output
    sent = [t for r in fake.requests_to("/v2/translate") for t in r.params["text"]]
    assert any("Keep leaves in a dark tin" in t for t in sent)
    assert not any("samovar" in t for t in sent)  # the orphan is not a source
    assert states(root)[case["missing"]] == "current"
    memory = (root / ".transync" / "memory" / "en-fr.po").read_text(encoding="utf-8")
    assert 'msgid "Keep leaves in a dark tin, away from spices."' in memory
    fake.clear_requests()
    again = run(root, "translate", "--engine", "deepl", env=env)
    assert again.exit_code == 0, again.output
    assert fake.requests_to("/v2/translate") == []


def test_translate_force_updates_the_stale_page_in_place(site):
    preset, root = site
    case = CASES[preset]
    result = run(root, "translate", "--engine", "pseudo", "--force")
    assert result.exit_code == 0, result.output
    assert f"written  {case['stale']}" in result.stdout
    assert "Ŕîñšé" in (root / case["stale"]).read_text(encoding="utf-8")  # the new sentence, pseudo-translated


# --------------------------------------------------------------------------- Starlight specifics


STARLIGHT_HOME = "src/content/docs/index.mdx"
STARLIGHT_HOME_FR = "src/content/docs/fr/index.mdx"


def _mdx_structure(path: Path) -> list[str]:
    from transync import document
    from transync.document import mdx

    return mdx.structure(document.load(path).body)


def _translated_home_is_sound(root: Path, marker: str) -> str:
    """The French home page written from the MDX source: its imports, JSX, expressions and aside
    markers byte for byte the source's, its prose translated; ``check`` and ``status`` content."""
    from transync import document

    text = (root / STARLIGHT_HOME_FR).read_text(encoding="utf-8")
    structure = _mdx_structure(root / STARLIGHT_HOME_FR)
    assert structure == _mdx_structure(root / STARLIGHT_HOME)
    assert "import { Tabs, TabItem } from '@astrojs/starlight/components';" in structure
    assert '<TabItem label="Black tea">' in structure and "{frontmatter.title}" in structure
    assert ":::tip" in "".join(structure) and '<Kettle size="small" />' in structure
    meta = document.load(root / STARLIGHT_HOME_FR).meta
    # Starlight's front matter: texts translated, layout keys kept as they are.
    assert marker in meta["title"] and marker in meta["description"]
    assert meta["template"] == "splash" and meta["sidebar"] == {"order": 1}
    body = document.load(root / STARLIGHT_HOME_FR).body
    assert "Pour water just off the boil" not in body and "Before you start" not in body  # translated, aside title too
    result = run(root, "check", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []
    assert states(root)[STARLIGHT_HOME_FR] in ("current", "pseudo")
    return text


def test_starlight_mdx_page_is_translated_by_pseudo_keeping_its_mdx(tmp_path):
    root = build(tmp_path, "starlight")
    (root / STARLIGHT_HOME_FR).unlink()
    result = run(root, "translate", "--engine", "pseudo")
    assert result.exit_code == 0, result.output
    assert f"written  {STARLIGHT_HOME_FR}" in result.stdout
    text = _translated_home_is_sound(root, "⟦")
    assert ":::tip[⟦Ɓéföŕé ýöû šţåŕţ····⟧]\n⟦Ŵåŕm ţĥé çûpš" in text  # the aside's title and text
    assert states(root)[STARLIGHT_HOME_FR] == "pseudo"


def test_starlight_mdx_page_goes_through_deepl_and_the_memory(tmp_path, deepl_server):
    root = build(tmp_path, "starlight")
    (root / STARLIGHT_HOME_FR).unlink()
    fake, env = deepl_server
    result = run(root, "translate", "--engine", "deepl", env=env)
    assert result.exit_code == 0, result.output
    sent = [t for r in fake.requests_to("/v2/translate") for t in r.params["text"]]
    # Nothing of the MDX is sent as prose: no import, no component, no aside marker.
    assert any("Pour water just off the boil" in t for t in sent)
    assert not any("import" in t or "<Tabs" in t or "TabItem" in t or ":::" in t or "Kettle" in t for t in sent)
    assert any(t.startswith("Start with fresh water") and "frontmatter.title" not in t for t in sent)
    written = _translated_home_is_sound(root, "")
    assert states(root)[STARLIGHT_HOME_FR] == "current"
    memory = (root / ".transync" / "memory" / "en-fr.po").read_text(encoding="utf-8")
    assert 'msgid "Let the water cool a little first."' in memory
    # From the memory alone, the same page again: nothing sent, the same bytes.
    (root / STARLIGHT_HOME_FR).unlink()
    fake.clear_requests()
    again = run(root, "translate", "--engine", "deepl", env=env)
    assert again.exit_code == 0, again.output
    assert fake.requests_to("/v2/translate") == []
    assert (root / STARLIGHT_HOME_FR).read_text(encoding="utf-8") == written  # what an uninterrupted run wrote, byte for byte


def _edit_home(root: Path, old: str, new: str, message: str) -> None:
    page = root / STARLIGHT_HOME
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new), encoding="utf-8")
    git(root, "commit", "-q", "-am", message)


def test_starlight_a_change_inside_a_component_makes_the_translation_stale(tmp_path):
    """Git history reads the old and new .mdx versions as MDX: text inside <TabItem> is prose
    (read as Markdown, it would sit in an HTML block and never be compared)."""
    root = build(tmp_path, "starlight")
    assert states(root)[STARLIGHT_HOME_FR] == "current"
    _edit_home(root, "over the leaves.", "over the leaves, then cover the pot.", "Black tea: cover the pot")
    assert states(root)[STARLIGHT_HOME_FR] == "stale"
    result = run(root, "status", "--format", "json")
    [item] = [i for i in json.loads(result.stdout)["items"] if i["path"] == STARLIGHT_HOME_FR]
    assert item["changes"]["segments"] == {"changed": 1, "added": 0, "removed": 0}


def test_starlight_ack_of_a_hand_made_mdx_page_records_its_mdx_segments(tmp_path):
    """The provenance ``ack`` writes in a page people made codes the source's segments as MDX, as
    for a page transync wrote (read as Markdown, the imports and components would be segments)."""
    from transync import document
    from transync.document.provenance import encode
    from transync.document.segments import segment

    root = build(tmp_path, "starlight")
    _edit_home(root, "over the leaves.", "over the leaves, then cover the pot.", "Black tea: cover the pot")
    assert states(root)[STARLIGHT_HOME_FR] == "stale"
    result = run(root, "ack", STARLIGHT_HOME_FR)
    assert result.exit_code == 0, result.output
    source = document.load(root / STARLIGHT_HOME)
    recorded = document.load(root / STARLIGHT_HOME_FR).meta["transync"]
    assert recorded["engine"] == "human"
    assert recorded["segments"] == encode(segment(source.body, "mdx").segments) != encode(segment(source.body).segments)


def test_starlight_a_component_given_other_attributes_makes_the_translation_stale(tmp_path):
    """A JSX tag's attributes are not prose, yet a translation must follow them: the MDX structure is compared."""
    root = build(tmp_path, "starlight")
    _edit_home(root, '<Kettle size="small" />', '<Kettle size="large" />', "A larger kettle")
    result = run(root, "status", "--format", "json")
    [item] = [i for i in json.loads(result.stdout)["items"] if i["path"] == STARLIGHT_HOME_FR]
    assert item["state"] == "stale"
    assert (item["changes"]["segments"], item["changes"]["components"]) == ({"changed": 0, "added": 0, "removed": 0}, True)
    # The translation that already carries the new tag is current again.
    fr = root / STARLIGHT_HOME_FR
    fr.write_text(fr.read_text(encoding="utf-8").replace('size="small"', 'size="large"'), encoding="utf-8")
    git(root, "commit", "-q", "-am", "fr: a larger kettle")
    assert states(root)[STARLIGHT_HOME_FR] == "current"


def test_starlight_front_matter_texts_are_translated_and_followed_and_layout_keys_kept(tmp_path):
    from transync.site.config import load_config

    root = build(tmp_path, "starlight")
    [docs] = load_config(root).collections
    assert {k: docs.fields.get(k, "keep") for k in ("title", "description", "hero", "banner", "sidebar", "template", "slug", "i18nReady")} == {
        "title": "translate", "description": "translate", "hero": "translate", "banner": "translate",
        "sidebar": "translate", "template": "keep", "slug": "keep", "i18nReady": "keep",
    }
    _edit_home(root, "little more than water and time.", "little more than water, leaves and time.", "Hero: leaves")
    result = run(root, "status", "--format", "json")
    [item] = [i for i in json.loads(result.stdout)["items"] if i["path"] == STARLIGHT_HOME_FR]
    assert (item["state"], item["changes"]["fields"]) == ("stale", ["hero"])
    # The site's own [fields] win over the preset's.
    (root / "transync.toml").write_text('[fields]\nhero = "own"\n', encoding="utf-8")
    assert states(root)[STARLIGHT_HOME_FR] == "current"


def test_starlight_links_point_at_the_same_locale_page_when_it_exists(tmp_path):
    root = build(tmp_path, "starlight")
    page = root / "src/content/docs/fr/guides/brewing.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + "\nVoir [l'accueil](/), [la conservation](/guides/storing/), [l'infusion](/fr/guides/brewing/)"
        " et [encore](../../guides/brewing/).\n\nEt [l'accueil anglais](/guides/brewing/#time).\n",
        encoding="utf-8",
    )
    result = run(root, "permalinks", "--format", "json")
    assert result.exit_code == 1
    found = [(f["path"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [
        ("src/content/docs/fr/guides/brewing.md", 13, "links to /, the en page; the fr page is /fr/"),
        ("src/content/docs/fr/guides/brewing.md", 15, "links to /guides/brewing/#time, the en page; the fr page is /fr/guides/brewing/"),
    ]  # /guides/storing/ has no French page yet: the English one is right


def test_starlight_check_matches_a_translations_localized_links_with_the_sources(tmp_path):
    root = build(tmp_path, "starlight")
    en = root / "src/content/docs/index.mdx"
    fr = root / "src/content/docs/fr/index.mdx"
    en.write_text(en.read_text(encoding="utf-8") + "\nRead [brewing](/guides/brewing/).\n", encoding="utf-8")
    fr.write_text(fr.read_text(encoding="utf-8") + "\nLisez [l'infusion](/fr/guides/brewing/).\n", encoding="utf-8")
    result = run(root, "check", "--check", "urls", "--format", "json")
    assert result.exit_code == 0, result.output
    fr.write_text(fr.read_text(encoding="utf-8").replace("/fr/guides/brewing/", "/fr/guides/storing/"), encoding="utf-8")
    result = run(root, "check", "--check", "urls", "--format", "json")
    assert result.exit_code == 1
    assert sorted(f["message"] for f in json.loads(result.stdout)["findings"]) == [
        "URL missing from the translation: /guides/brewing/", "URL not in the source: /fr/guides/storing/",
    ]


# --------------------------------------------------------------------------- the Astro docs (real data)

ASTRO_BUNDLE = REPO.parent / "shared" / "corpus" / "astro-docs-history.bundle"
ASTRO_LOCALES = ("en", "ar", "de", "es", "fr", "hi", "it", "ja", "ko", "pl", "pt-br", "ru", "zh-cn", "zh-tw")


@requires_shared(ASTRO_BUNDLE)
def test_the_starlight_preset_reads_the_astro_docs(tmp_path):
    """The Astro docs (a Starlight site without its astro.config here): one line of locales, every
    page placed, and each missing page's path the source's under the locale."""
    root = tmp_path / "astro-docs"
    subprocess.run(["git", "clone", "-q", str(ASTRO_BUNDLE), str(root)], check=True)
    (root / "transync.toml").write_text(
        f'[layout]\npreset = "starlight"\nlocales = {json.dumps(list(ASTRO_LOCALES))}\n', encoding="utf-8"
    )
    result = run(root, "status", "--format", "json", "--no-git")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["sources"] == {"en": 420}
    assert data["summary"]["states"]["invalid"] == data["summary"]["states"]["duplicate"] == 0
    ja = data["summary"]["languages"]["ja"]
    assert (ja["expected"], ja["missing"]) == (420, 276)
    missing = [i for i in data["items"] if i["state"] == "missing"]
    assert missing and all(
        i["target_path"] == i["source_path"].replace("src/content/docs/en/", f"src/content/docs/{i['lang']}/", 1) for i in missing
    )


def test_diff_names_a_path_page_by_its_path_and_ack_records_a_human_provenance(tmp_path):
    root = build(tmp_path, "docusaurus")
    result = run(root, "diff", "guides/brewing.md", "--lang", "fr")
    assert result.exit_code == 1, result.output  # a change to report
    assert "@@ added @@ docs/guides/brewing.md:" in result.stdout
    assert "+ Rinse the pot with hot water before the leaves go in." in result.stdout
    result = run(root, "ack", "guides/brewing.md", "--lang", "fr")
    assert result.exit_code == 0, result.output  # a page without a date is acknowledged by its provenance
    assert (
        "  acknowledged  i18n/fr/docusaurus-plugin-content-docs/current/guides/brewing.md: "
        'a provenance line (engine "human") now records the current source'
    ) in result.output
    assert run(root, "diff", "guides/brewing.md", "--lang", "fr").exit_code == 0  # no change since


def test_starlight_po_import_holds_an_mdx_text_to_its_expressions(tmp_path):
    """A translator's PO for an MDX page: an expression dropped from a text is refused, as an engine's reply would be."""
    import polib

    root = build(tmp_path, "starlight")
    (root / STARLIGHT_HOME_FR).unlink()
    out = tmp_path / "fr.po"
    memory = lambda *args: runner.invoke(app, ["memory", args[0], "--root", str(root), *args[1:]])  # noqa: E731
    result = memory("export", "--lang", "fr", "--only", "missing", "-o", str(out))
    assert result.exit_code == 0, result.output
    po = polib.pofile(str(out), wrapwidth=0)
    [entry] = [e for e in po if e.msgid.startswith("Start with fresh water")]
    assert "{frontmatter.title}" in entry.msgid
    entry.msgstr = "Commencez avec de l'eau fraîche et une théière propre."
    po.save(str(out))
    result = memory("import", str(out))
    assert result.exit_code != 0
    assert "{frontmatter.title}" in result.output
    entry.msgstr = "Commencez avec de l'eau fraîche, comme {frontmatter.title} l'explique."
    po.save(str(out))
    result = memory("import", str(out))
    assert result.exit_code == 0, result.output
