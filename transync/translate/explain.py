"""A site's effective configuration, value by value with where each came from, and the
commented ``transync.toml`` that writes it down.

:func:`settings` lists what ``transync config`` prints: every value transync uses, the default
ones included, with its origin as :func:`transync.site.config.load_config` noted it
(``SiteConfig.origins``), the environment (keys only as "set" or "not set") and the title
templates :func:`transync.translate.run.options_for` learns from the site's translations.
:func:`init_toml` turns them into the file ``transync init`` writes: what the site's own
configuration file says stays in effect as active lines, learnt title templates become active
lines, everything else is a commented line naming its origin, so the file loads back to the
same effective configuration. :func:`ci_workflow` is the GitHub Actions workflow ``init --ci`` writes.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Mapping

from transync.site.config import CONFIG_FILE, SiteConfig, read_own_config
from transync.translate.engines import default_engine
from transync.translate.memory import MEMORY_DIR

DEFAULT = "default"
LEARNT = "learnt from the site's translations"
#: Environment variables that hold secrets: shown as "set" or "not set", never their value.
KEY_VARIABLES = ("DEEPL_AUTH_KEY", "OPENAI_API_KEY")


@dataclass(frozen=True)
class Setting:
    """One value in effect: its key as ``transync.toml`` nests it, the value and where it came from."""

    path: tuple[str, ...]
    value: Any  # JSON-compatible; None: not set
    origin: str  # "default", "transync.toml", "_config.yml", "detected from astro.config.mjs", "environment"...
    toml: bool = True  # a transync.toml key (False: the environment, fixed folders)

    @property
    def key(self) -> str:
        return ".".join(self.path)


def plain(value: Any) -> Any:
    """A configuration value as JSON and TOML hold it (tuples as lists, a rate as a number)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def learnt_templates(config: SiteConfig) -> dict[tuple[str, str], dict[str, str]]:
    """(collection, language) -> the templates ``translate`` would learn from the site and that
    the configuration does not set (options_for's rule, asked rather than repeated)."""
    from transync.site import scan, status
    from transync.translate.run import options_for

    report = status.report(scan.scan(config))
    options = options_for(config, report)
    learnt = {}
    for (collection, lang), templates in options.templates.items():
        configured = config.translate.templates(collection, lang)
        extra = {f: t for f, t in templates.items() if f not in configured}
        if extra:
            learnt[(collection, lang)] = extra
    return learnt


def settings(config: SiteConfig, environ: Mapping[str, str], learnt: Mapping[tuple[str, str], Mapping[str, str]] | None = None) -> list[Setting]:
    """Every value transync uses for the site at ``config.root``, in the order transync.toml lists them."""
    origins = config.origins
    out: list[Setting] = []

    def add(path: tuple[str, ...], value: Any, default: str = DEFAULT, *, toml: bool = True) -> None:
        out.append(Setting(path, plain(value), origins.get(".".join(path), default), toml))

    add(("layout",), config.layout.name, f"{DEFAULT} (no other site generator's configuration found)")
    for key, value in _layout_options(config).items():
        add(("layout", key), value)
    add(("languages",), config.languages)
    add(("source_lang",), config.source_lang)
    add(("exclude",), config.exclude)
    add(("required_fields",), config.required_fields, f"{DEFAULT} (the {config.layout.name} layout)")
    add(("provenance_key",), config.provenance_key)
    add(("cache",), config.cache)
    for collection in config.collections:
        base = ("collections", collection.name)
        found = origins.get(".".join(base), DEFAULT)
        add((*base, "path"), collection.path, found)
        add((*base, "source_lang"), collection.source_lang, origins.get("source_lang", DEFAULT))
        add((*base, "languages"), collection.languages, origins.get("languages", DEFAULT))
        for name, rule in collection.fields.items():
            if f"collections.{collection.name}.fields.{name}" in origins:
                add((*base, "fields", name), rule)
    for name, rule in config.fields.items():
        add(("fields", name), rule)
    add(("status", "fail_on"), config.fail_on)
    add(("status", "ignored_keywords"), config.ignored_keywords)
    add(("status", "localizable_property"), config.localizable_property)

    tr = config.translate
    if tr.engine is None and default_engine(None, environ) == "deepl":
        out.append(Setting(("translate", "engine"), "deepl", "environment (DEEPL_AUTH_KEY is set)"))
    else:
        add(("translate", "engine"), tr.engine, f"{DEFAULT} (deepl once DEEPL_AUTH_KEY is set)")
    add(("translate", "jobs"), tr.jobs)
    add(("translate", "untranslated_tags"), tr.untranslated_tags)
    add(("translate", "source_currency"), tr.source_currency)
    add(("translate", "glossary_dir"), tr.glossary_dir)
    for lang, target in tr.targets.items():
        base = ("translate", "targets", lang)
        if target.currency is not None:
            add((*base, "currency"), target.currency)
            add((*base, "rate"), target.rate)
        for name, template in target.templates.items():
            add((*base, "templates", name), template)
    for (collection, lang), templates in tr.collection_templates.items():
        for name, template in templates.items():
            add(("collections", collection, "templates", lang, name), template)
    for (collection, lang), templates in sorted((learnt or {}).items()):
        for name, template in templates.items():
            out.append(Setting(("collections", collection, "templates", lang, name), template, LEARNT))
    out.extend(_engine_settings(config, environ))

    add(("check", "checks"), config.checks)
    add(("check", "fail_on"), config.check_fail_on)
    add(("check", "baseline"), config.baseline)
    add(("check", "urls", "reference_headings"), config.url_check.reference_headings)
    add(("check", "urls", "allow_domains"), config.url_check.allow_domains)
    add(("check", "code", "translated_comments"), config.code_check.translated_comments)
    add(("report", "repo_url"), config.repo_url)

    for variable in KEY_VARIABLES:
        state = "set" if environ.get(variable, "").strip() else "not set"
        out.append(Setting(("environment", variable), state, "environment", toml=False))
    out.append(Setting(("memory",), f"{MEMORY_DIR}/<source>-<target>.po", "fixed: one PO file per language pair", toml=False))
    cache_from = next((f"environment ({v})" for v in ("TRANSYNC_CACHE_DIR", "XDG_CACHE_HOME") if environ.get(v)), DEFAULT)
    out.append(Setting(("cache_dir",), str(config.cache_dir), cache_from, toml=False))
    if config.site_url:
        out.append(Setting(("site_url",), config.site_url, "_config.yml (url, baseurl)", toml=False))
    return out


def _layout_options(config: SiteConfig) -> dict[str, Any]:
    """The ``[layout]`` keys in effect besides the preset: those the configuration sets, else detected ones."""
    own, _ = read_own_config(config.root)
    table = own.get("layout") if isinstance(own.get("layout"), dict) else {}
    options = {k: v for k, v in table.items() if k not in ("preset", "locales", "source_lang")}
    layout_from = config.origins.get("layout", "")
    if layout_from.startswith("detected from") or (isinstance(own.get("layout"), str)):
        from transync.site import layouts
        from transync.site.layouts.pattern import Preset

        preset = layouts.LAYOUTS.get(config.layout.name)
        detected = preset.detect(config.root) if isinstance(preset, Preset) else None
        if detected is not None:
            for key, value in detected.as_table().items():
                if key not in ("preset", "locales", "source_lang"):
                    options.setdefault(key, value)
    elif not table and config.origins.get("layout.pattern"):  # a Lunaria configuration's pattern layout
        from transync.site import lunaria

        found = lunaria.find(config.root)
        if found is not None:
            lunaria_table = lunaria.read(found).transync_settings().get("layout", {})
            options = {k: v for k, v in lunaria_table.items() if k not in ("preset", "locales", "source_lang")}
    return options


def _engine_settings(config: SiteConfig, environ: Mapping[str, str]) -> list[Setting]:
    """``[translate.<engine>]`` values, and the servers the environment names (DEEPL_SERVER_URL, OPENAI_BASE_URL)."""
    out = []
    servers = {"deepl": ("server_url", "DEEPL_SERVER_URL"), "openai": ("base_url", "OPENAI_BASE_URL")}
    engines = dict(config.translate.engines)
    for name in servers:
        if environ.get(servers[name][1]):
            engines.setdefault(name, None)
    for name, values in engines.items():
        fields = dataclasses.asdict(values) if dataclasses.is_dataclass(values) else {}
        if name in servers:
            fields.setdefault(servers[name][0], None)
        for key, value in fields.items():
            if "key" in key.split("_"):  # never a secret
                continue
            path = ("translate", name, key)
            origin = config.origins.get(".".join(path), DEFAULT)
            if name in servers and key == servers[name][0] and environ.get(servers[name][1]):
                value, origin = environ[servers[name][1]], f"environment ({servers[name][1]}, over the configuration)"
            out.append(Setting(path, plain(value), origin))
    return out


# --------------------------------------------------------------------------- transync.toml


#: Commented examples of the common options, under their table, when the file does not set them.
EXAMPLES: tuple[tuple[tuple[str, ...], str, Any, str], ...] = (
    (("translate",), "engine", "deepl", "deepl | openai | pseudo | a plug-in's"),
    (("translate", "deepl"), "formality", "prefer_more", "passed to DeepL"),
    (("translate", "deepl"), "context", "Audio product reviews", "passed to DeepL, never billed"),
    (("translate", "openai"), "model", "gpt-4o-mini", "any OpenAI-compatible chat server (OPENAI_API_KEY)"),
    (("status",), "ignored_keywords", ["fix typo"], "commits whose message holds one do not count"),
    (("status",), "localizable_property", "i18nReady", "a source counts only when this front-matter field is true"),
    (("check", "urls"), "allow_domains", {"*": ["example.com"]}, "domains a translation may cite that its source does not"),
    (("report",), "repo_url", "https://github.com/OWNER/REPO/blob/main/{path}", "links of the dashboard"),
)


@dataclass
class _Line:
    key: str
    value: Any
    active: bool
    note: str = ""


def init_toml(config: SiteConfig, found: list[Setting]) -> str:
    """The commented ``transync.toml`` for the site: its own configuration's values and the learnt
    templates active, every other value commented with its origin, then examples of common options."""
    own, own_name = read_own_config(config.root)
    raw = dict(_flatten(own))
    tables: dict[tuple[str, ...], list[_Line]] = {(): []}
    done: set[tuple[str, ...]] = set()
    layout_table = any(s.path[0] == "layout" and len(s.path) > 1 for s in found) or isinstance(own.get("layout"), dict)

    def put(path: tuple[str, ...], line: _Line) -> None:
        tables.setdefault(path[:-1], []).append(line)

    for s in found:
        if not s.toml or s.path in done:
            continue
        path = s.path
        if path == ("layout",) and layout_table:
            path = ("layout", "preset")
        if isinstance(own.get("layout"), str) and path[0] == "layout" and len(path) > 1:
            path = ("layout",)  # the one-line form: its options are the preset's
        done.add(s.path)
        if path in raw:
            put(path, _Line(path[-1], raw.pop(path), True, f"from {own_name}" if own_name != CONFIG_FILE else ""))
        elif s.origin == LEARNT:
            put(path, _Line(path[-1], s.value, True, s.origin))
        elif s.value is not None and s.value != {} and not _under_value(path, own):
            put(path, _Line(path[-1], s.value, False, s.origin))
    for path, value in raw.items():  # what the file says that no setting shows (a plug-in engine's table...)
        put(path, _Line(path[-1], value, True))
    for table, key, value, note in EXAMPLES:
        if not any(line.key == key for line in tables.get(table, [])):
            tables.setdefault(table, []).append(_Line(key, value, False, f"example: {note}"))

    out = [
        "# transync.toml: written by `transync init` from what it found in this site.",
        "# Active lines are settings. A commented line is a value in effect, with where it comes from",
        "# (uncomment it to pin it here), or an example. `transync config` prints every value in effect;",
        "# the README's Configuration section describes every key.",
    ]
    if own and own_name != CONFIG_FILE:
        out.append(f"# It holds what {own_name} said: transync reads this file instead from now on.")
    notes = [s for s in found if not s.toml]
    out.append("#")
    out += [f"# {s.key}: {s.value} ({s.origin})" for s in notes]
    for table, lines in tables.items():
        if not lines:
            continue
        out.append("")
        if table:
            header = "[" + ".".join(_toml_key(k) for k in table) + "]"
            out.append(header if any(line.active for line in lines) else f"# {header}")
        for line in lines:
            text = f"{_toml_key(line.key)} = {_toml_value(line.value)}"
            text = text if line.active else f"# {text}"
            out.append(f"{text}  # {line.note}" if line.note else text)
    return "\n".join(out) + "\n"


def _flatten(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], Any]]:
    for key, value in data.items():
        if isinstance(value, dict) and value:
            yield from _flatten(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def _under_value(path: tuple[str, ...], own: Mapping[str, Any]) -> bool:
    """Whether a table of ``path`` is a plain value in the file (``layout = "starlight"``): no key may go under it."""
    node: Any = own
    for key in path[:-1]:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
        if not isinstance(node, dict):
            return True
    return False


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML's basic-string escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    raise TypeError(f"no TOML form for {value!r}")


# --------------------------------------------------------------------------- CI


def ci_workflow(site: str) -> str:
    """``.github/workflows/translations.yml``: ``status`` on every pull request, annotated (README "Set up CI").

    ``site`` is the site folder relative to the repository (``.`` for its top)."""
    quoted = json.dumps(site)
    return f"""\
# .github/workflows/translations.yml, written by `transync init --ci`: the translation status
# of every pull request, as annotations and a job summary (README: "Set up CI").
name: translations
on: pull_request
permissions:
  contents: read
jobs:
  status:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0        # the history: staleness by content, and --changed-from
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      # Where transync is installed from: replace OWNER with the repository that holds it.
      - run: python -m pip install "git+https://github.com/OWNER/transync@main"
      - run: transync status {quoted} --format github --fail-on missing,invalid,duplicate
"""


# --------------------------------------------------------------------------- init


WORKFLOW = Path(".github") / "workflows" / "translations.yml"


def init(config: SiteConfig, environ: Mapping[str, str], *, ci: bool = False, force: bool = False) -> list[tuple[Path, str]]:
    """Write ``transync.toml`` at the site root (and with ``ci`` the workflow at the repository's top);
    return what was written, (path, what it is). An existing file is replaced only with ``force``:
    without it nothing is written and UsageError names the file."""
    import tomllib

    from transync.errors import UsageError
    from transync.fsutil import atomic_write
    from transync.site.history import Repo, find_repo

    wanted = [(config.root / CONFIG_FILE, "the configuration")]
    if ci:
        repo = find_repo(config.root)
        top, prefix = (repo.top, repo.prefix) if isinstance(repo, Repo) else (config.root, "")
        wanted.append((top / WORKFLOW, "the GitHub Actions workflow"))
    if not force:
        for path, _ in wanted:
            if path.exists():
                raise UsageError(f"{path}: already exists; pass --force to replace it")
    text = init_toml(config, settings(config, environ, learnt_templates(config)))
    tomllib.loads(text)  # a file transync cannot read back is a bug here, never the user's to find
    written = [(wanted[0][0], text)]
    if ci:
        written.append((wanted[1][0], ci_workflow(prefix.rstrip("/") or ".")))
    for path, content in written:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, content)
    return [(path, what) for (path, what) in wanted]
