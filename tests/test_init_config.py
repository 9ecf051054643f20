"""`transync init` and `transync config` through the command line, on every preset's sample site
(tests/fixtures/sites/) and the repository's own content/: what init writes loads back to the
configuration in effect before it, and config says where each value came from without printing a key."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import REPO
from transync.cli import app

runner = CliRunner()
SITES = REPO / "tests" / "fixtures" / "sites"
SECRET = "fake-deepl-test-key:fx"
PRESETS = sorted(p.name for p in SITES.iterdir() if p.is_dir())


def copy_site(name: str, dest: Path) -> Path:
    """A copy of a preset's sample site, or of content/ (``content``: without its transync.toml too)."""
    if name.startswith("content"):
        shutil.copytree(REPO / "content", dest)
        if name == "content-bare":
            (dest / "transync.toml").unlink()
    else:
        shutil.copytree(SITES / name, dest)
    return dest


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


def values(root: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    result = invoke("config", "--root", str(root), "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    return {s["key"]: s["value"] for s in json.loads(result.stdout)["settings"]}


def origins(root: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    result = invoke("config", "--root", str(root), "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    return {s["key"]: s["origin"] for s in json.loads(result.stdout)["settings"]}


@pytest.mark.parametrize("name", [*PRESETS, "content", "content-bare"])
def test_init_loads_back_to_the_configuration_in_effect(tmp_path, name):
    root = copy_site(name, tmp_path / "site")
    before = values(root)
    args = ["init", "--root", str(root)] + (["--force"] if name == "content" else [])
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {root / 'transync.toml'} (the configuration)\n"
    text = (root / "transync.toml").read_text(encoding="utf-8")
    assert text.startswith("# transync.toml: written by `transync init`")
    tomllib.loads(text)
    assert values(root) == before


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("starlight", ['# preset = "starlight"  # detected from astro.config.mjs (Starlight)',
                       '# languages = ["en", "fr"]  # detected from astro.config.mjs (Starlight)',
                       '# source = "src/content/docs/@path"  # detected from astro.config.mjs (Starlight)']),
        ("hugo", ['# preset = "hugo"  # detected from hugo.toml', '# structure = "suffixes"  # detected from hugo.toml']),
        ("docusaurus", ['# languages = ["en", "fr"]  # detected from docusaurus.config.js']),
        ("mkdocs-static-i18n", ['# preset = "mkdocs-static-i18n"  # detected from mkdocs.yml (i18n plugin)']),
        ("polyglot", ['# layout = "polyglot"  # detected from _config.yml (jekyll-polyglot)',
                      '# required_fields = ["lang"]  # default (the polyglot layout)']),
        ("jekyll", ['# languages = ["en", "fr"]  # _config.yml', '# path = "_guides"  # found by the jekyll layout']),
        ("content-bare", ['# layout = "jekyll"  # default (no other site generator\'s configuration found)',
                          '# languages = ["en", "ja", "de"]  # _config.yml',
                          '# [collections.companies]', '# [collections.products]',
                          '# title = "template"  # default', '# price = "currency"  # default',
                          "[collections.products.templates.ja]",
                          'title = "{target_name} 製品レビュー"  # learnt from the site\'s translations',
                          "# memory: .transync/memory/<source>-<target>.po (fixed: one PO file per language pair)",
                          '# engine = "deepl"  # example: deepl | openai | pseudo | a plug-in\'s']),
    ],
)
def test_init_writes_what_it_found_and_where(tmp_path, name, lines):
    root = copy_site(name, tmp_path / "site")
    assert invoke("init", "--root", str(root)).exit_code == 0
    written = (root / "transync.toml").read_text(encoding="utf-8").splitlines()
    missing = [line for line in lines if line not in written]
    assert not missing, "\n".join(written)


def test_a_learnt_template_is_configured_after_init(tmp_path):
    root = copy_site("content-bare", tmp_path / "site")
    key = "collections.products.templates.ja.title"
    assert origins(root)[key] == "learnt from the site's translations"
    invoke("init", "--root", str(root))
    assert origins(root)[key] == "transync.toml"
    assert values(root)[key] == "{target_name} 製品レビュー"


def test_init_keeps_what_the_existing_file_says_active(tmp_path):
    root = copy_site("content", tmp_path / "site")
    assert invoke("init", "--root", str(root), "--force").exit_code == 0
    data = tomllib.loads((root / "transync.toml").read_text(encoding="utf-8"))
    assert data["translate"]["glossary_dir"] == "../glossaries"
    assert data["translate"]["targets"]["de"] == {"currency": "EUR", "rate": 0.92, "templates": {"title": "{target_name} Produkttest"}}
    assert data["collections"]["companies"]["templates"]["ja"] == {"title": "{target_name} 企業レビュー"}


def test_init_refuses_to_replace_a_file_without_force(tmp_path):
    root = copy_site("content", tmp_path / "site")
    before = (root / "transync.toml").read_bytes()
    result = invoke("init", "--root", str(root))
    assert result.exit_code == 2
    assert result.stderr == f"transync init: error: {root / 'transync.toml'}: already exists; pass --force to replace it\n"
    assert (root / "transync.toml").read_bytes() == before


def test_init_ci_refuses_an_existing_workflow_and_writes_nothing(tmp_path):
    root = copy_site("jekyll", tmp_path / "site")
    workflow = root / ".github" / "workflows" / "translations.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("name: mine\n", encoding="utf-8")
    result = invoke("init", "--root", str(root), "--ci")
    assert result.exit_code == 2
    assert result.stderr == f"transync init: error: {workflow}: already exists; pass --force to replace it\n"
    assert not (root / "transync.toml").exists()
    assert workflow.read_text(encoding="utf-8") == "name: mine\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_init_ci_writes_a_workflow_at_the_repository_top_that_runs_status(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    root = copy_site("content-bare", repo / "content")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "site"], check=True)

    result = invoke("init", "--root", str(root), "--ci")
    assert result.exit_code == 0, result.output
    workflow = repo / ".github" / "workflows" / "translations.yml"
    assert result.stdout.splitlines() == [
        f"wrote {root / 'transync.toml'} (the configuration)",
        f"wrote {workflow} (the GitHub Actions workflow)",
    ]
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["status"]["steps"]
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    command = shlex.split(steps[-1]["run"])
    assert command == ["transync", "status", "content", "--format", "github", "--fail-on", "missing,invalid,duplicate"]
    monkeypatch.chdir(repo)  # the workflow runs at the repository's top
    ran = runner.invoke(app, command[1:])
    assert ran.exit_code == 1  # the sample site has missing translations
    assert "::error file=content/_products/en/" in ran.stdout


def test_config_names_the_origin_of_each_value(tmp_path):
    root = copy_site("content", tmp_path / "site")
    found = origins(root)
    assert found["languages"] == "_config.yml"
    assert found["source_lang"] == "_config.yml"
    assert found["layout"] == "default (no other site generator's configuration found)"
    assert found["collections.products.path"] == "found by the jekyll layout"
    assert found["translate.glossary_dir"] == "transync.toml"
    assert found["translate.targets.ja.rate"] == "transync.toml"
    assert found["translate.jobs"] == "default"
    assert found["fields.title"] == "default"
    assert found["memory"] == "fixed: one PO file per language pair"


def test_config_names_the_generator_file_a_preset_was_detected_from(tmp_path):
    found = origins(copy_site("starlight", tmp_path / "site"))
    assert found["layout"] == found["languages"] == found["source_lang"] == "detected from astro.config.mjs (Starlight)"


def test_config_reads_pyproject_and_says_so(tmp_path):
    root = copy_site("jekyll", tmp_path / "site")
    (root / "pyproject.toml").write_text('[tool.transync]\nexclude = ["_guides/*/drafts/*"]\n\n[tool.transync.translate]\njobs = 2\n', encoding="utf-8")
    found, before = origins(root), values(root)
    assert found["exclude"] == found["translate.jobs"] == "pyproject.toml [tool.transync]"
    assert before["translate.jobs"] == 2
    assert invoke("init", "--root", str(root)).exit_code == 0
    text = (root / "transync.toml").read_text(encoding="utf-8")
    assert 'jobs = 2  # from pyproject.toml [tool.transync]' in text.splitlines()
    assert values(root) == before
    assert origins(root)["translate.jobs"] == "transync.toml"


def test_config_shows_the_environment_but_never_a_key(tmp_path):
    root = copy_site("content", tmp_path / "site")
    env = {"DEEPL_AUTH_KEY": SECRET, "DEEPL_SERVER_URL": "http://127.0.0.1:9/"}
    for fmt in ("table", "json"):
        result = invoke("config", "--root", str(root), "--format", fmt, env=env)
        assert result.exit_code == 0
        assert SECRET not in result.output
    found, got = origins(root, env), values(root, env)
    assert got["environment.DEEPL_AUTH_KEY"] == "set"
    assert got["environment.OPENAI_API_KEY"] == "not set"
    assert (got["translate.engine"], found["translate.engine"]) == ("deepl", "environment (DEEPL_AUTH_KEY is set)")
    assert got["translate.deepl.server_url"] == "http://127.0.0.1:9/"
    assert found["translate.deepl.server_url"] == "environment (DEEPL_SERVER_URL, over the configuration)"
    assert invoke("init", "--root", str(root), "--force", env=env).exit_code == 0
    assert SECRET not in (root / "transync.toml").read_text(encoding="utf-8")


def test_config_table_is_one_line_per_value(tmp_path):
    root = copy_site("content", tmp_path / "site")
    result = invoke("config", "--root", str(root))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"site {root}"
    rows = {line.split()[0]: line.split(None, 1)[1] for line in lines[2:]}
    assert rows["languages"].split() == ["en,", "ja,", "de", "_config.yml"]
    assert rows["translate.targets.de.rate"].split() == ["0.92", "transync.toml"]
    assert rows["report.repo_url"].split() == ["(not", "set)", "default"]


def test_config_json_shape(tmp_path):
    root = copy_site("hugo", tmp_path / "site")
    result = invoke("config", "--root", str(root), "--format", "json")
    data = json.loads(result.stdout)
    assert set(data) == {"schema_version", "root", "settings"}
    assert data["root"] == str(root)
    assert all(set(s) == {"key", "value", "origin"} for s in data["settings"])
    assert {"key": "layout.structure", "value": "suffixes", "origin": "detected from hugo.toml"} in data["settings"]


def test_a_bad_configuration_is_one_line_for_config_and_init(tmp_path):
    root = copy_site("jekyll", tmp_path / "site")
    (root / "transync.toml").write_text("languagez = [\"en\"]\n", encoding="utf-8")
    for command in ("config", "init"):
        result = invoke(command, "--root", str(root), *(["--force"] if command == "init" else []))
        assert result.exit_code == 2
        assert result.stderr.startswith(f"transync {command}: error: transync.toml: unknown key 'languagez'")
        assert result.stderr.count("\n") == 1
    assert (root / "transync.toml").read_text(encoding="utf-8") == "languagez = [\"en\"]\n"
