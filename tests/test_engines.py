"""transync.translate.engines: the registry (built-ins and the entry-point group), each engine's own
configuration table, the deprecated flat DeepL keys, and the shape of the package."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, SiteMaker, doc
from transync.translate import engines
from transync.cli import app
from transync.site.config import load_config
from transync.translate.engines import make_engine
from transync.translate.engines.deepl import DeepLEngine, DeepLSettings
from transync.translate.engines.openai import OpenAIEngine, OpenAISettings
from transync.errors import ConfigError, UsageError

DEEPL_KEY = "fake-deepl-test-key:fx"


def config_of(make_site: SiteMaker, toml: str):
    return load_config(make_site({"transync.toml": toml}))


# --------------------------------------------------------------------------- registry


def test_the_built_in_engines(make_site: SiteMaker) -> None:
    assert engines.names()[:3] == ["deepl", "openai", "pseudo"]
    config = config_of(make_site, '[translate.openai]\nmodel = "m"\n')
    env = {"DEEPL_AUTH_KEY": DEEPL_KEY, "OPENAI_API_KEY": "sk-test"}
    assert [make_engine(n, config, env).name for n in ("deepl", "openai", "pseudo")] == ["deepl", "openai", "pseudo"]
    assert make_engine(None, config, env).name == "deepl"  # DEEPL_AUTH_KEY set: the default
    with pytest.raises(UsageError, match="no translation engine"):
        make_engine(None, config, {"OPENAI_API_KEY": "sk-test"})


def test_an_unknown_engine_names_the_known_ones(make_site: SiteMaker) -> None:
    with pytest.raises(UsageError, match=r"unknown engine 'nope' \(engines: deepl, openai, pseudo"):
        make_engine("nope", config_of(make_site, ""), {})
    with pytest.raises(ConfigError, match=r"'translate.engine' is 'nope'; expected one of deepl, openai, pseudo"):
        config_of(make_site, '[translate]\nengine = "nope"\n')


def test_a_blank_deepl_key_chooses_no_engine_for_translate_and_config_alike(make_site: SiteMaker) -> None:
    from transync.translate import explain

    config = config_of(make_site, "")
    blank = {"DEEPL_AUTH_KEY": "  "}
    assert engines.default_engine(None, blank) is None
    assert engines.default_engine("openai", {"DEEPL_AUTH_KEY": DEEPL_KEY}) == "openai"
    with pytest.raises(UsageError, match=r"^no translation engine: set DEEPL_AUTH_KEY"):
        make_engine(None, config, blank)
    [shown] = [s for s in explain.settings(config, blank) if s.key == "translate.engine"]
    assert shown.value is None
    [shown] = [s for s in explain.settings(config, {"DEEPL_AUTH_KEY": DEEPL_KEY}) if s.key == "translate.engine"]
    assert (shown.value, shown.origin) == ("deepl", "environment (DEEPL_AUTH_KEY is set)")


PLUGIN = '''
from transync.translate.engines import Translated


class UpperEngine:
    """Upper-cases text between tags: enough to show the seam."""

    name = "upper"

    def __init__(self, marker):
        self.marker = marker

    @classmethod
    def settings(cls, table):
        table.check_keys({"marker"})
        return table.get("marker", str, "")

    @classmethod
    def create(cls, settings, environ):
        return cls(settings or "")

    def translate(self, texts, *, source_lang, target_lang):
        import re
        return [Translated(self.marker + re.sub(r"(^|>)([^<]*)", lambda m: m.group(1) + m.group(2).upper(), t)) for t in texts]
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch):
    """An installed package (a module and its dist-info) that registers the engine ``upper``."""
    where = tmp_path / "plugins"
    (where / "transync_upper-1.0.dist-info").mkdir(parents=True)
    (where / "transync_upper-1.0.dist-info/METADATA").write_text("Metadata-Version: 2.1\nName: transync-upper\nVersion: 1.0\n")
    (where / "transync_upper-1.0.dist-info/entry_points.txt").write_text("[transync.engines]\nupper = transync_upper:UpperEngine\n")
    (where / "transync_upper.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(where))
    return where


def test_a_package_adds_an_engine_through_the_entry_point_group(plugin, make_site: SiteMaker) -> None:
    root = make_site({
        "_products/en/a.md": doc("a", "en", body="Hello `code` world.\n"),
        "transync.toml": '[translate]\nengine = "upper"\n\n[translate.upper]\nmarker = "~"\n',
    })
    assert "upper" in engines.names()
    result = CliRunner().invoke(app, ["translate", "--root", str(root), "--to", "de", "--format", "json"], env={"DEEPL_AUTH_KEY": None})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["engine"] == "upper"
    text = (root / "_products/de/a.md").read_text()
    assert "~HELLO `code` WORLD." in text
    # Its table is validated by the engine itself, at load time.
    (root / "transync.toml").write_text('[translate.upper]\nmarkre = "~"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'translate.upper.markre' \(known keys: marker\)"):
        load_config(root)


def test_a_table_for_no_engine_is_an_unknown_key(make_site: SiteMaker) -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'translate.deeppl' \(a table for an engine; engines: deepl, openai, pseudo"):
        config_of(make_site, '[translate.deeppl]\nformality = "less"\n')


# --------------------------------------------------------------------------- engine tables


def test_the_deepl_table(make_site: SiteMaker) -> None:
    config = config_of(make_site, (
        '[translate.deepl]\nserver_url = "http://127.0.0.1:9"\nformality = "prefer_less"\ncontext = "audio"\n'
        'retries = 1\ntimeout = 2.5\ntarget_codes = { en = "EN-GB" }\ntarget_formality = { de = "more" }\n'
    ))
    assert config.translate.engine_settings("deepl") == DeepLSettings(
        server_url="http://127.0.0.1:9", formality="prefer_less", context="audio", retries=1, timeout=2.5,
        target_codes={"en": "EN-GB"}, target_formality={"de": "more"},
    )
    engine = make_engine("deepl", config, {"DEEPL_AUTH_KEY": DEEPL_KEY})
    assert (engine.server_url, engine.retries, engine.timeout, engine.target_codes) == ("http://127.0.0.1:9", 1, 2.5, {"en": "EN-GB"})
    assert make_engine("deepl", config, {"DEEPL_AUTH_KEY": DEEPL_KEY, "DEEPL_SERVER_URL": "http://127.0.0.1:8"}).server_url == "http://127.0.0.1:8"


def test_the_flat_deepl_keys_still_work_as_deprecated_aliases(make_site: SiteMaker) -> None:
    config = config_of(make_site, (
        '[translate]\nserver_url = "http://127.0.0.1:9"\nretries = 0\ntimeout = 0.5\nformality = "less"\n'
        '[translate.targets.de]\ndeepl_code = "DE"\nformality = "more"\n'
    ))
    assert config.translate.engine_settings("deepl") == DeepLSettings(
        server_url="http://127.0.0.1:9", formality="less", retries=0, timeout=0.5,
        target_codes={"de": "DE"}, target_formality={"de": "more"},
    )


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[translate]\nretries = 1\n[translate.deepl]\nretries = 2\n',
         "'translate.deepl.retries' is also set as translate.retries, its deprecated name: keep one"),
        ('[translate]\nretries = -1\n', "'translate.retries' must be a whole number, at least 0"),
        ('[translate.targets.de]\ndeepl_code = 3\n', "'translate.targets.de.deepl_code' must be a string"),
        ('[translate.deepl]\nretries = 1.5\n', "'translate.deepl.retries' must be a whole number, at least 0"),
        ('[translate.deepl]\nserverurl = "x"\n', "unknown key 'translate.deepl.serverurl'"),
        ('[translate.openai]\nmodle = "x"\n', "unknown key 'translate.openai.modle' (known keys: base_url, batch_size, model, retries, temperature, timeout)"),
        ('[translate.openai]\ntemperature = 3\n', "'translate.openai.temperature' must be between 0 and 2"),
        ('[translate.openai]\nbatch_size = 0\n', "'translate.openai.batch_size' must be a whole number, at least 1"),
        ('[translate.openai]\ntimeout = "slow"\n', "'translate.openai.timeout' must be a positive number"),
        ('[translate.pseudo]\nexpanse = 1\n', "unknown key 'translate.pseudo.expanse'"),
    ],
)
def test_engine_tables_are_validated_with_one_line_naming_the_key(make_site: SiteMaker, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_of(make_site, toml)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_the_openai_table(make_site: SiteMaker) -> None:
    config = config_of(make_site, '[translate.openai]\nmodel = "gpt-x"\nbase_url = "http://127.0.0.1:9/v1"\ntemperature = 0\nbatch_size = 8\nretries = 0\n')
    assert config.translate.engine_settings("openai") == OpenAISettings(
        model="gpt-x", base_url="http://127.0.0.1:9/v1", temperature=0.0, batch_size=8, retries=0
    )
    engine = make_engine("openai", config, {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:8/v1"})
    assert isinstance(engine, OpenAIEngine) and engine.base_url == "http://127.0.0.1:8/v1"  # the variable wins
    assert "sk-test" not in repr(engine)


def test_the_sample_site_config_still_loads() -> None:
    config = load_config(REPO / "content")
    assert config.translate.engine_settings("deepl") is None  # no table: the engine's defaults
    assert isinstance(make_engine("deepl", config, {"DEEPL_AUTH_KEY": DEEPL_KEY}), DeepLEngine)


# --------------------------------------------------------------------------- shape


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_engine_modules_import_no_other_engine_and_only_deepl_imports_the_deepl_library() -> None:
    package = Path(engines.__file__).parent
    modules = {p.stem: _imports(p) for p in package.glob("*.py")}
    assert not any(m.startswith("transync.translate.engines.") for m in modules["__init__"])  # the registry names them, lazily
    for name, imports in modules.items():
        assert not any(m.startswith("transync.translate.engines.") for m in imports), name
        assert ("deepl" in imports or any(m.startswith("deepl.") for m in imports)) == (name == "deepl"), name
        assert ("openai" in imports) == (name == "openai"), name
    outside = {p.relative_to(package.parent).as_posix(): _imports(p) for p in package.parent.glob("*.py")}
    assert [p for p, imports in outside.items() if any(m == "deepl" or m.startswith("deepl.") or m == "openai" for m in imports)] == []


# --------------------------------------------------------------------------- glossary commands ask the engine


def test_check_files_reports_what_the_configured_engine_cannot_hold(make_site: SiteMaker) -> None:
    root = make_site({"glossaries/en-hi.csv": "source,target\nDAC,डीएसी\n"}, config='languages: ["en", "hi"]\ndefault_lang: "en"\n')
    result = CliRunner().invoke(app, ["glossary", "check-files", "--root", str(root), "--format", "json"])
    assert result.exit_code == 1
    assert [p["message"] for p in json.loads(result.stdout)["problems"]] == [
        "DeepL glossaries do not support 'hi': the pair en-hi is used for tags only"
    ]
    (root / "transync.toml").write_text('[translate]\nengine = "openai"\n')  # its prompt takes any pair
    result = CliRunner().invoke(app, ["glossary", "check-files", "--root", str(root), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["problems"] == []


def test_glossary_sync_with_an_engine_that_keeps_no_glossaries(make_site: SiteMaker) -> None:
    root = make_site({"transync.toml": '[translate]\nengine = "openai"\n[translate.openai]\nmodel = "m"\n'})
    result = CliRunner().invoke(app, ["glossary", "sync", "--root", str(root)], env={"OPENAI_API_KEY": "sk-test"})
    assert result.exit_code == 2
    assert result.stderr.strip() == "transync glossary sync: error: the openai engine keeps no glossaries on its service ([translate] engine)"
