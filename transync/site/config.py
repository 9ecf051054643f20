"""Site configuration: where a site is, its languages and its collections.

Zero configuration works on a Jekyll site: ``languages`` and ``default_lang``
come from ``_config.yml`` and collections are discovered. Everything else
lives in ``transync.toml`` at the site root, or in ``[tool.transync]`` of a
``pyproject.toml`` there. Unknown keys and bad values raise
:class:`~transync.errors.ConfigError` naming the key.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from functools import cached_property
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping

from transync.site import layouts, lunaria
from transync.site.layouts.detect import detect
from transync.site.layouts.pattern import Detection, Pattern, PatternError, Preset
from transync.errors import ConfigError, UsageError

CONFIG_FILE = "transync.toml"
JEKYLL_CONFIG = "_config.yml"
#: Files that make a folder a site's root: transync's, Jekyll's and the path-layout generators' (layouts.detect).
SITE_FILES = (
    CONFIG_FILE, JEKYLL_CONFIG, "hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "mkdocs.yml", "mkdocs.yaml",
    *(f"{name}.config.{ext}" for name in ("astro", "docusaurus") for ext in ("mjs", "js", "ts", "mts", "cjs", "cts")),
    *lunaria.CONFIG_FILES,
)

#: What may happen to a front-matter field when a document is translated.
FIELD_RULES = frozenset({"keep", "own", "translate", "template", "glossary", "currency", "set", "rewrite"})

#: Rules whose field is part of the translatable content of a source.
CONTENT_RULES = frozenset({"translate", "template", "glossary"})

DEFAULT_FIELDS: Mapping[str, str] = {
    "lang": "set",
    "permalink": "rewrite",
    "title": "template",
    "summary": "translate",
    "tags": "glossary",
    "price": "currency",
}

#: The checks of ``transync check``, by their stable names (see transync.checks).
CHECKS = ("math", "code", "urls", "citations", "headings", "tables", "kept-fields", "permalink", "placeholders")

#: The states a translation can be in, in the order a translator handles them.
#: ``pseudo``: transync's pseudo-localized preview, never counted as a finished translation.
STATES = ("current", "stale", "missing", "pseudo", "orphan", "duplicate", "invalid")

LANG_RE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


@dataclass(frozen=True)
class Collection:
    """A Jekyll collection: one folder holding one sub-folder per language."""

    name: str
    path: str  # POSIX path of the folder, relative to the site root
    source_lang: str
    languages: tuple[str, ...]
    #: Front-matter field rules: the site's ``[fields]`` with ``[collections.<name>.fields]`` on top.
    fields: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    #: The languages a source of this collection is translated into.
    targets: tuple[str, ...] = field(init=False)

    @cached_property  # asked for every document of a scan
    def content_fields(self) -> tuple[str, ...]:
        """Front-matter fields that belong to a source's translatable content."""
        return tuple(sorted(k for k, rule in self.fields.items() if rule in CONTENT_RULES))

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", tuple(lang for lang in self.languages if lang != self.source_lang))


@dataclass(frozen=True)
class TargetConfig:
    """``[translate.targets.<lang>]``: how documents become one target language."""

    currency: str | None = None  # ISO 4217 code of prices in this language
    rate: Decimal | None = None  # units of ``currency`` per unit of the source currency
    templates: Mapping[str, str] = field(default_factory=dict)  # field -> "{target_name} レビュー"


#: DeepL API Pro's published per-usage price (deepl.com/pro-api, 2026): EUR 20.00 per million characters,
#: beside a monthly base fee that no run changes. The default of ``[translate] price_per_million_characters``.
DEEPL_PRO_PRICE = Decimal("20.00")


@dataclass(frozen=True)
class TranslateConfig:
    """``[translate]``: the translation job's defaults."""

    engine: str | None = None  # a registered engine (transync.translate.engines); default: deepl when DEEPL_AUTH_KEY is set
    jobs: int = 4
    untranslated_tags: str = "translate"  # tags the glossary does not know: translate or keep
    source_currency: str = "USD"
    glossary_dir: str = "glossaries"
    targets: Mapping[str, TargetConfig] = field(default_factory=dict)
    #: (collection, lang) -> field -> template, from ``[collections.<name>.templates.<lang>]``
    collection_templates: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)
    #: engine name -> its settings, from ``[translate.<engine>]`` as the engine validated them
    engines: Mapping[str, Any] = field(default_factory=dict)
    #: ``price_per_million_characters``: one price for every engine, or engine name -> price.
    prices: Decimal | Mapping[str, Decimal] = DEEPL_PRO_PRICE
    price_currency: str = "EUR"

    def price(self, engine: str) -> Decimal | None:
        """What a million characters cost with ``engine`` (None: the site sets no price for it).
        The offline engines (pseudo, memory) send nothing, so they cost nothing."""
        from transync.document.provenance import MEMORY, PSEUDO  # the names provenance records

        if engine in (PSEUDO, MEMORY):
            return Decimal(0)
        if isinstance(self.prices, Decimal):
            return self.prices
        return self.prices.get(engine)

    def engine_settings(self, name: str) -> Any:
        """The settings of engine ``name`` (None when the site has no ``[translate.<name>]``: its defaults)."""
        return self.engines.get(name)

    def templates(self, collection: str, lang: str) -> dict[str, str]:
        target = self.targets.get(lang)
        merged = dict(target.templates) if target else {}
        merged.update(self.collection_templates.get((collection, lang), {}))
        return merged


@dataclass(frozen=True)
class UrlCheck:
    """``[check.urls]``: where a translation may cite URLs its source does not."""

    #: Headings (their start, any case) of sections that are reference lists: each language cites its own sources there.
    reference_headings: tuple[str, ...] = ()
    #: Language (or ``*``) -> domains a translation may cite that its source does not (a subdomain counts).
    allow_domains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CodeCheck:
    """``[check.code]``: what of a code block the code check compares."""

    #: Comments may be translated (documentation translators do): compare code blocks without them.
    translated_comments: bool = True


@dataclass(frozen=True)
class SiteConfig:
    """Everything transync needs to know about a site before reading documents."""

    root: Path
    languages: tuple[str, ...]
    source_lang: str
    collections: tuple[Collection, ...]
    exclude: tuple[str, ...] = ()
    required_fields: tuple[str, ...] = ("ref", "lang", "date")
    fields: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    provenance_key: str = "transync"
    cache: bool = True
    fail_on: tuple[str, ...] = tuple(s for s in STATES if s != "current")
    translate: TranslateConfig = field(default_factory=TranslateConfig)
    checks: tuple[str, ...] = CHECKS  # the checks `check` runs by default
    check_fail_on: tuple[str, ...] = CHECKS  # the checks whose findings make `check` exit 1
    #: ``[check.urls]``: what the urls check accepts beyond the source's URLs.
    url_check: UrlCheck = field(default_factory=UrlCheck)
    #: ``[check.code]``: whether code comments may be translated.
    code_check: CodeCheck = field(default_factory=CodeCheck)
    #: ``[check] baseline``: the accepted findings of ``check`` and ``glossary check``, relative to the site.
    baseline: str = ".transync/baseline.json"
    #: ``[status] ignored_keywords``: commits whose message holds one of these do not count in git history.
    ignored_keywords: tuple[str, ...] = ()
    #: ``[status] localizable_property``: a source counts only when its front matter sets this to true
    #: (Lunaria's ``localizableProperty``, e.g. ``i18nReady``); None: every source counts.
    localizable_property: str | None = None
    #: ``layout``: the shape of the site (transync.site.layouts), which every path and permalink rule asks.
    layout: layouts.Layout = field(default_factory=layouts.get)
    #: ``[report] repo_url``: a file's page in the repository, ``{path}`` being its path from the site root.
    repo_url: str | None = None
    #: ``url`` + ``baseurl`` of ``_config.yml``: where the built site lives (a page is this + its permalink).
    site_url: str | None = None
    #: Where each value that is not a default was read: dotted key as transync.toml spells it -> the file
    #: (``transync.toml``, ``_config.yml``, ``detected from astro.config.mjs``...); see ``transync config``.
    origins: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @cached_property  # asked for every document of a scan
    def content_fields(self) -> tuple[str, ...]:
        """Front-matter fields that belong to a source's translatable content."""
        return tuple(sorted(k for k, rule in self.fields.items() if rule in CONTENT_RULES))

    @property
    def pathspecs(self) -> list[str]:
        """The folders the layout walks, as git pathspecs from the site root (``.``: the root itself)."""
        found: list[str] = []
        for collection in self.collections:
            for folder in self.layout.roots(collection):
                if (folder or ".") not in found:
                    found.append(folder or ".")
        return found

    @property
    def glossary_folder(self) -> Path:
        """The folder of the glossary files (``[translate] glossary_dir``, relative to the site)."""
        return (self.root / self.translate.glossary_dir).resolve()

    @property
    def cache_dir(self) -> Path:
        """Where this site's caches live (:func:`transync.site.cache.site_folder`): outside the site."""
        from transync.site.cache import site_folder

        return site_folder(self.root)


# --------------------------------------------------------------------------- root


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds a site configuration."""
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        if any((folder / name).is_file() for name in SITE_FILES):
            return folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _pyproject_section(pyproject) is not None:
            return folder
    raise UsageError(
        f"no site found at or above {start} (looked for {JEKYLL_CONFIG}, {CONFIG_FILE} and the configuration of "
        "Astro, Docusaurus, Hugo and MkDocs); "
        "pass the site folder as --root"
    )


def _pyproject_section(path: Path, strict: bool = False) -> dict[str, Any] | None:
    import tomllib  # here, not at the top: its regular expressions cost a site without a TOML file 5 ms

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        if strict and "[tool.transync]" in path.read_text(encoding="utf-8", errors="replace"):
            raise ConfigError(f"pyproject.toml: invalid TOML: {exc}") from None
        return None
    section = data.get("tool", {}).get("transync")
    return section if isinstance(section, dict) else None


# --------------------------------------------------------------------------- loading


def load_config(root: Path) -> SiteConfig:
    """Read ``_config.yml`` and ``transync.toml`` (or ``[tool.transync]``) of the site at ``root``."""
    root = root.resolve()
    if not root.is_dir():
        raise UsageError(f"{root}: not a folder")
    jekyll = _read_jekyll_config(root / JEKYLL_CONFIG)
    own, own_name = read_own_config(root)
    own, own_name = _with_lunaria(root, own, own_name)
    origins: dict[str, str] = {}
    token = _ORIGINS.set(origins)
    try:
        config = _build(root, jekyll, own, own_name)
    finally:
        _ORIGINS.reset(token)
    return replace(config, origins=origins)


#: While :func:`load_config` runs: dotted key -> where its value was read (SiteConfig.origins).
#: Readers note what they find, so every rule stays where it is and origins follow it.
_ORIGINS: ContextVar[dict[str, str] | None] = ContextVar("transync_config_origins", default=None)


def _note(key: str, where: str) -> None:
    """Record where ``key``'s value came from (the first reading wins: the configuration's own file is read first)."""
    origins = _ORIGINS.get()
    if origins is not None:
        origins.setdefault(key, where)


def _with_lunaria(root: Path, own: dict[str, Any], own_name: str) -> tuple[dict[str, Any], str]:
    """A site tracked by Lunaria and without a ``layout`` of its own: its Lunaria configuration
    (transync.site.lunaria) under what transync.toml says, key by key and table by table."""
    if "layout" in own:
        return own, own_name
    found = lunaria.find(root)
    if found is None:
        return own, own_name
    merged = lunaria.read(found).transync_settings()
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    # Errors name the file a key came from: Lunaria's when the site has no transync.toml.
    return merged, own_name if own else found.name


def _read_jekyll_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    from transync.document import load_yaml  # PyYAML is only imported when needed
    from transync.site.cache import parsed, site_folder  # a warm run reads the parse, not the YAML

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{JEKYLL_CONFIG}: cannot be read ({exc})") from None
    try:
        data = parsed(site_folder(path.parent), "jekyll-config", text, load_yaml)
    except ValueError as exc:
        raise ConfigError(f"{JEKYLL_CONFIG}: line {exc.args[1] + 1}: {exc.args[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{JEKYLL_CONFIG}: must be a mapping of keys to values")
    return data


def read_own_config(root: Path) -> tuple[dict[str, Any], str]:
    """The site's own settings as written (``transync.toml``, else ``[tool.transync]``) and the file's name."""
    path = root / CONFIG_FILE
    if path.is_file():
        import tomllib

        try:
            return tomllib.loads(path.read_text(encoding="utf-8-sig")), CONFIG_FILE
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{CONFIG_FILE}: cannot be read ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{CONFIG_FILE}: invalid TOML: {exc}") from None
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        section = _pyproject_section(pyproject, strict=True)
        if section is not None:
            return section, "pyproject.toml [tool.transync]"
    return {}, CONFIG_FILE


_TOP_KEYS = {
    "layout",
    "languages",
    "source_lang",
    "collections",
    "discover_collections",
    "exclude",
    "required_fields",
    "fields",
    "provenance_key",
    "cache",
    "status",
    "check",
    "translate",
    "report",
}
_COLLECTION_KEYS = {"path", "source_lang", "languages", "templates", "fields"}
_TRANSLATE_KEYS = {
    "engine", "jobs", "untranslated_tags", "source_currency", "glossary_dir", "targets",
    "price_per_million_characters", "price_currency",
}
#: Deprecated: DeepL's settings, read before they had ``[translate.deepl]``: key -> its name there.
_DEEPL_ALIASES = {"server_url": "server_url", "formality": "formality", "context": "context", "retries": "retries", "timeout": "timeout"}
_TARGET_KEYS = {"currency", "rate", "templates"}
_DEEPL_TARGET_ALIASES = {"deepl_code": "target_codes", "formality": "target_formality"}  # deprecated, as above
_TEMPLATE_FIELD = re.compile(r"\{(\w+)\}")
_STATUS_KEYS = {"fail_on", "ignored_keywords", "localizable_property"}
_CHECK_KEYS = {"checks", "fail_on", "baseline", "urls", "code"}
_CODE_CHECK_KEYS = {"translated_comments"}
_URL_CHECK_KEYS = {"reference_headings", "allow_domains"}
# Matched with re's own cache, compiled only for a site that lists domains (1.5 ms at start-up otherwise).
_DOMAIN = r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}"
_REPORT_KEYS = {"repo_url"}


class _Reader:
    """Typed access to one configuration mapping; errors name the file and the key."""

    def __init__(self, data: Mapping[str, Any], where: str, prefix: str = "", names: Mapping[str, str] | None = None) -> None:
        self.data = data
        self.where = where
        self.prefix = prefix
        self.names = names or {}  # keys read under another name (deprecated aliases): name -> as written

    def key(self, name: str) -> str:
        if name in self.names:
            return self.names[name]
        head = name.split(".")[0]
        if head in self.names:
            return self.names[head] + name[len(head):]
        return f"{self.prefix}{name}"

    def fail(self, name: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.where}: '{self.key(name)}' {problem}")

    def check_keys(self, allowed: set[str]) -> None:
        for name in self.data:
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                raise ConfigError(f"{self.where}: unknown key '{self.key(name)}' (known keys: {known})")

    def _found(self, name: str) -> bool:
        if name not in self.data:
            return False
        _note(self.key(name), self.where)
        return True

    def get(self, name: str, kind: type, default: Any = None) -> Any:
        if not self._found(name):
            return default
        value = self.data[name]
        if kind is bool and not isinstance(value, bool):
            raise self.fail(name, "must be true or false")
        if kind is str and not isinstance(value, str):
            raise self.fail(name, "must be a string")
        if kind is dict and not isinstance(value, dict):
            raise self.fail(name, "must be a table")
        if kind is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self.fail(name, "must be a list of strings")
        return value

    def number(self, name: str, default: Any = None, *, positive: bool = True) -> Any:
        if not self._found(name):
            return default
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (positive and value <= 0):
            raise self.fail(name, "must be a positive number")
        return value

    def whole(self, name: str, default: int, *, minimum: int = 0) -> int:
        if not self._found(name):
            return default
        value = self.data[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(name, f"must be a whole number, at least {minimum}")
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.get(name, str, default)
        if value is not None and value not in choices:
            raise self.fail(name, f"is {value!r}; expected one of {', '.join(choices)}")
        return value

    def templates(self, name: str) -> dict[str, str]:
        table = self.get(name, dict, {})
        for fld, template in table.items():
            if not isinstance(template, str):
                raise self.fail(f"{name}.{fld}", "must be a string such as \"{target_name} レビュー\"")
            _note(self.key(f"{name}.{fld}"), self.where)
        return dict(table)

    def lang(self, name: str, default: str | None = None) -> str | None:
        value = self.get(name, str, default)
        if value is not None and not LANG_RE.fullmatch(value):
            raise self.fail(name, f"is not a language code: {value!r}")
        return value

    def langs(self, name: str) -> tuple[str, ...] | None:
        value = self.get(name, list)
        if value is None:
            return None
        if not value:
            raise self.fail(name, "must name at least one language")
        for code in value:
            if not LANG_RE.fullmatch(code):
                raise self.fail(name, f"holds {code!r}, which is not a language code")
        if len(set(value)) != len(value):
            raise self.fail(name, "names a language twice")
        return tuple(value)


def _build(root: Path, jekyll: dict[str, Any], own: dict[str, Any], own_name: str) -> SiteConfig:
    jek = _Reader(jekyll, JEKYLL_CONFIG)
    cfg = _Reader(own, own_name)
    cfg.check_keys(_TOP_KEYS)
    layout, table, detected = _layout_choice(root, cfg)
    for top, inner in (("languages", "locales"), ("source_lang", "source_lang")):
        if top in own and inner in table.data:
            raise table.fail(inner, f"is also set as '{top}': keep one")

    languages = cfg.langs("languages") or table.langs("locales") or (detected and detected.languages) or jek.langs("languages")
    if not languages:
        if isinstance(layout, Preset):
            found = detected.found_in if detected is not None else "the site"
            raise ConfigError(
                f"{own_name}: 'layout.locales' is not set and {found} does not name the languages: "
                f"set them in {CONFIG_FILE} ([layout] locales = [...])"
            )
        raise ConfigError(
            f"{JEKYLL_CONFIG}: 'languages' is not set: declare the site's languages there "
            f"or in {CONFIG_FILE}"
        )
    source_lang = (
        cfg.lang("source_lang") or table.lang("source_lang") or (detected and detected.source_lang)
        or jek.lang("default_lang") or languages[0]
    )
    if detected is not None and languages is detected.languages:
        _note("languages", f"detected from {detected.found_in}")
    # Where source_lang was read: transync.toml, its [layout] table, the generator's file, _config.yml.
    if "source_lang" in own or "source_lang" in table.data:
        where, key = own_name, "source_lang" if "source_lang" in own else "layout.source_lang"
    elif detected is not None and detected.source_lang:
        where, key = detected.found_in, "default locale"
    else:
        where, key = JEKYLL_CONFIG, "default_lang"
    if source_lang not in languages:
        raise ConfigError(f"{where}: '{key}' is {source_lang!r}, which is not one of languages {list(languages)}")
    if where == JEKYLL_CONFIG and "default_lang" not in jekyll:
        _note("source_lang", "the first language")
    else:
        _note("source_lang", f"detected from {where}" if detected is not None and where == detected.found_in else where)
    if isinstance(layout, Preset):
        layout = _build_layout(layout, table, detected, source_lang, languages)

    fields = _field_rules(cfg, "fields", {**DEFAULT_FIELDS, **dict(layout.default_fields)})
    collections = _collections(root, jek, cfg, languages, source_lang, fields, layout)

    exclude = tuple(cfg.get("exclude", list, []))
    required = tuple(cfg.get("required_fields", list, list(layout.default_required)))
    for needed in layout.matched_by:
        if needed not in required:
            raise cfg.fail("required_fields", f"must include {needed!r}: documents are matched by {' and '.join(layout.matched_by)}")


    provenance_key = cfg.get("provenance_key", str, "transync")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", provenance_key):
        raise cfg.fail("provenance_key", f"is not a usable front-matter key: {provenance_key!r}")

    status = _Reader(cfg.get("status", dict, {}), own_name, "status.")
    status.check_keys(_STATUS_KEYS)
    fail_on = status.get("fail_on", list)
    if fail_on is not None:
        fail_on = tuple(parse_states(fail_on, key=f"{own_name}: 'status.fail_on'"))
    ignored_keywords = tuple(status.get("ignored_keywords", list, []))
    if any(not k.strip() for k in ignored_keywords):
        raise status.fail("ignored_keywords", "must not hold an empty keyword (it would match every commit)")
    localizable_property = status.get("localizable_property", str)
    if localizable_property is not None and not localizable_property.strip():
        raise status.fail("localizable_property", "must name a front-matter field, such as \"i18nReady\"")

    translate = _translate_config(cfg, languages, collections)

    check = _Reader(cfg.get("check", dict, {}), own_name, "check.")
    check.check_keys(_CHECK_KEYS)
    check_settings = {}
    for name, attr in (("checks", "checks"), ("fail_on", "check_fail_on")):
        value = check.get(name, list)
        if value is not None:
            check_settings[attr] = tuple(parse_checks(value, key=f"{own_name}: 'check.{name}'"))
    baseline = check.get("baseline", str)
    if baseline is not None:
        if not baseline.strip() or Path(baseline).is_absolute() or ".." in Path(baseline).parts:
            raise check.fail("baseline", f"must be a file inside the site: {baseline!r}")
        check_settings["baseline"] = baseline
    check_settings["url_check"] = _url_check(_Reader(check.get("urls", dict, {}), own_name, "check.urls."), languages)
    code = _Reader(check.get("code", dict, {}), own_name, "check.code.")
    code.check_keys(_CODE_CHECK_KEYS)
    check_settings["code_check"] = CodeCheck(code.get("translated_comments", bool, True))

    report = _Reader(cfg.get("report", dict, {}), own_name, "report.")
    report.check_keys(_REPORT_KEYS)
    repo_url = report.get("repo_url", str)
    if repo_url is not None and "{path}" not in repo_url:
        raise report.fail("repo_url", "must hold {path}, e.g. \"https://github.com/OWNER/REPO/blob/main/{path}\"")
    site_url = jek.get("url", str)
    if site_url:
        site_url = site_url.rstrip("/") + "/" + (jek.get("baseurl", str) or "").strip("/")
        site_url = site_url.rstrip("/")

    return SiteConfig(
        root=root,
        languages=languages,
        source_lang=source_lang,
        collections=collections,
        exclude=exclude,
        required_fields=required,
        fields=fields,
        provenance_key=provenance_key,
        cache=cfg.get("cache", bool, True),
        **({"fail_on": fail_on} if fail_on is not None else {}),
        translate=translate,
        **check_settings,
        ignored_keywords=ignored_keywords,
        localizable_property=localizable_property,
        layout=layout,
        repo_url=repo_url,
        site_url=site_url or None,
    )


def _url_check(urls: _Reader, languages: tuple[str, ...]) -> UrlCheck:
    urls.check_keys(_URL_CHECK_KEYS)
    headings = urls.get("reference_headings", list, [])
    if any(not h.strip() for h in headings):
        raise urls.fail("reference_headings", "must not hold an empty heading (it would match every section)")
    allow: dict[str, tuple[str, ...]] = {}
    for lang, domains in urls.get("allow_domains", dict, {}).items():
        key = f"allow_domains.{lang}"
        if lang != "*" and lang not in languages:
            raise urls.fail(key, f"names a language the site does not declare ({', '.join(languages)}, or \"*\" for all)")
        if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
            raise urls.fail(key, "must be a list of domain names such as [\"amazon.co.jp\"]")
        for domain in domains:
            if not re.fullmatch(_DOMAIN, domain, re.IGNORECASE):
                raise urls.fail(key, f"holds {domain!r}, which is not a domain name (such as amazon.co.jp: no scheme, no path)")
        allow[lang] = tuple(d.lower() for d in domains)
    return UrlCheck(tuple(h.strip() for h in headings), allow)
_LAYOUT_KEYS = {"preset", "source_lang", "locales", "structure", "pattern", "source", "suffixes", "files"}
_LAYOUT_FILES_KEYS = {"name", "pattern", "source"}


def _layout_choice(root: Path, cfg: _Reader) -> tuple[Any, _Reader, Detection | None]:
    """The layout (or preset) the site names in ``layout``, else the one its files show, with the
    ``[layout]`` table and what detection read from the generator's own configuration."""
    raw = cfg.data.get("layout")
    table = _Reader({}, cfg.where, "layout.")
    if raw is not None:
        _note("layout", cfg.where)
    detected = None
    if raw is None:
        detected = detect(root)
        name = detected.preset if detected is not None else layouts.DEFAULT
        if detected is not None:
            _note("layout", f"detected from {detected.found_in}")
    elif isinstance(raw, dict):
        table = _Reader(raw, cfg.where, "layout.")
        table.check_keys(_LAYOUT_KEYS)
        name = table.get("preset", str) or ("pattern" if "pattern" in raw or "files" in raw else None)
        if name is None:
            raise cfg.fail("layout", "needs 'preset' (starlight, docusaurus, ...) or 'pattern' (\"src/content/docs/@lang/@path\")")
    elif isinstance(raw, str):
        name = raw
    else:
        raise cfg.fail("layout", "must be a layout name or a [layout] table")
    if name not in layouts.LAYOUTS and name not in layouts.names():  # installed ones are looked up only then: it scans the packages
        key = "layout.preset" if isinstance(raw, dict) and "preset" in raw else "layout"
        raise ConfigError(f"{cfg.where}: '{key}' is {name!r}; expected one of {', '.join(layouts.names())}")
    layout = layouts.get(name)
    if not isinstance(layout, Preset):
        for key in table.data:
            if key != "preset":
                raise table.fail(key, f"does not apply to the {name} layout (it reads no patterns)")
        return layout, table, None
    if detected is None or detected.preset != name:
        detected = layout.detect(root)
    return layout, table, detected


def _build_layout(preset: Preset, table: _Reader, detected: Detection | None, source_lang: str, languages: tuple[str, ...]) -> Any:
    """The path layout a preset gives for the site's languages, ``[layout]`` keys over detected ones."""
    found = dict(detected.options) if detected is not None and detected.preset == preset.name else {}
    structures = tuple(name for name, _ in preset.structures)
    structure = table.choice("structure", structures) if "structure" in table.data else found.get("structure")
    pattern = _pattern(table, "pattern") if "pattern" in table.data else found.get("pattern")
    source = _pattern(table, "source") if "source" in table.data else (found.get("source") if "pattern" not in table.data else None)
    files = found.get("files")
    if "files" in table.data:
        if "pattern" in table.data or "source" in table.data:
            raise table.fail("files", "replaces 'pattern' and 'source': set one or the other")
        files, pattern, source = _layout_files(table), None, None
    if preset.name == "pattern" and pattern is None and files is None:
        raise table.fail("pattern", "is not set: say where translations are, e.g. \"src/content/docs/@lang/@path\"")
    suffixes = table.get("suffixes", list)
    if suffixes is not None and (not suffixes or not all(x.startswith(".") and len(x) > 1 for x in suffixes)):
        raise table.fail("suffixes", "must list file endings such as \".md\" and \".mdx\"")
    if "files" in table.data:
        _note("layout.files", table.where)
    for key in found:  # what the table did not say (its keys were noted as they were read)
        _note(f"layout.{key}", f"detected from {detected.found_in}")  # type: ignore[union-attr]
    try:
        return preset.build(
            source_lang, languages, structure=structure, pattern=pattern, source=source, suffixes=suffixes, files=files,
            settings=tuple((k, v) for k, v in found.items() if k != "structure"),
        )
    except PatternError as exc:
        key = "files" if "files" in table.data else "pattern" if pattern is not None else "source" if "source" in table.data else "preset"
        raise table.fail(key, str(exc)) from None


def _layout_files(table: _Reader) -> list[tuple[str, str, str | None]]:
    """``[[layout.files]]``: file sets, each ``name`` (default docs, docs2...), ``pattern`` and ``source``."""
    entries = table.data["files"]
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise table.fail("files", "must be a list of tables ([[layout.files]]) with 'pattern' and, when elsewhere, 'source'")
    files = []
    for n, entry in enumerate(entries):
        item = _Reader(entry, table.where, f"layout.files[{n}].")
        item.check_keys(_LAYOUT_FILES_KEYS)
        pattern = _pattern(item, "pattern")
        if pattern is None:
            raise item.fail("pattern", "is not set")
        files.append((item.get("name", str) or ("docs" if n == 0 else f"docs{n + 1}"), pattern, _pattern(item, "source")))
    return files


def _pattern(reader: _Reader, key: str) -> str | None:
    """A path pattern (``src/content/docs/@lang/@path``), checked; None when the key is absent."""
    text = reader.get(key, str)
    if text is not None:
        try:
            Pattern(text)
        except PatternError as exc:
            raise reader.fail(key, str(exc)) from None
    return text


def _field_rules(reader: _Reader, key: str, base: dict[str, str]) -> dict[str, str]:
    rules = dict(base)
    for name, rule in reader.get(key, dict, {}).items():
        if not isinstance(rule, str) or rule not in FIELD_RULES:
            raise reader.fail(f"{key}.{name}", f"is {rule!r}; expected one of {', '.join(sorted(FIELD_RULES))}")
        rules[name] = rule
        _note(reader.key(f"{key}.{name}"), reader.where)
    return rules


def _collections(
    root: Path, jek: _Reader, cfg: _Reader, languages: tuple[str, ...], source_lang: str, fields: dict[str, str],
    layout: layouts.Layout,
) -> tuple[Collection, ...]:
    # The layout finds the folders of documents; transync.toml may add, move or tune them.
    names = list(layout.folders(root, jek))
    found = set(names)

    overrides = cfg.get("collections", dict, {})
    if not cfg.get("discover_collections", bool, True):
        names = []
    for name in overrides:
        if name not in names:
            names.append(name)

    result = []
    for name in names:
        spec = overrides.get(name, {})
        _note(f"collections.{name}", f"found by the {layout.name} layout" if name in found else cfg.where)
        if not isinstance(spec, dict):
            raise cfg.fail(f"collections.{name}", "must be a table")
        sub = _Reader(spec, cfg.where, f"collections.{name}.")
        sub.check_keys(_COLLECTION_KEYS)
        rel = sub.get("path", str) or layout.folder_of(name, jek)
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise sub.fail("path", f"must be a folder inside the site: {rel!r}")
        langs = sub.langs("languages") or languages
        src = sub.lang("source_lang") or (source_lang if source_lang in langs else langs[0])
        if src not in langs:
            raise sub.fail("source_lang", f"is {src!r}, which is not one of its languages {list(langs)}")
        rules = _field_rules(sub, "fields", fields)
        folder = Path(rel).as_posix() if rel else ""  # "": the site root (a path layout's common folder)
        result.append(Collection(name=name, path=folder, source_lang=src, languages=langs, fields=rules))
    return tuple(result)


def _translate_config(cfg: _Reader, languages: tuple[str, ...], collections: tuple[Collection, ...]) -> TranslateConfig:
    tr = _Reader(cfg.get("translate", dict, {}), cfg.where, "translate.")
    engine_tables = {name: value for name, value in tr.data.items() if isinstance(value, dict) and name not in _TRANSLATE_KEYS}
    tr.check_keys(_TRANSLATE_KEYS | set(_DEEPL_ALIASES) | set(engine_tables))
    deepl_aliases: dict[str, Any] = {}  # deprecated keys, as [translate.deepl] would hold them
    deepl_names: dict[str, str] = {}  # and where they were written
    for old, new in _DEEPL_ALIASES.items():
        if old in tr.data:
            deepl_aliases[new], deepl_names[new] = tr.data[old], tr.key(old)
    targets = {}
    for lang, spec in tr.get("targets", dict, {}).items():
        if lang not in languages:
            raise tr.fail(f"targets.{lang}", f"names a language the site does not declare ({', '.join(languages)})")
        if not isinstance(spec, dict):
            raise tr.fail(f"targets.{lang}", "must be a table")
        t = _Reader(spec, cfg.where, f"translate.targets.{lang}.")
        t.check_keys(_TARGET_KEYS | set(_DEEPL_TARGET_ALIASES))
        for old, new in _DEEPL_TARGET_ALIASES.items():
            if old in spec:
                deepl_aliases.setdefault(new, {})[lang] = spec[old]
                deepl_names[new] = deepl_names[f"{new}.{lang}"] = t.key(old)
        currency = t.get("currency", str)
        if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
            raise t.fail("currency", f"is not an ISO 4217 code such as JPY: {currency!r}")
        rate = t.number("rate")
        if (currency is None) != (rate is None):
            raise t.fail("rate" if rate is None else "currency", "must be set together with " + ("currency" if rate is not None else "rate"))
        try:
            rate_dec = Decimal(str(rate)) if rate is not None else None
        except InvalidOperation:
            raise t.fail("rate", "must be a positive number") from None
        targets[lang] = TargetConfig(
            currency=currency,
            rate=rate_dec,
            templates=t.templates("templates"),
        )
    collection_templates = {}
    for name, spec in cfg.get("collections", dict, {}).items():
        c = _Reader(spec, cfg.where, f"collections.{name}.")
        for lang, table in c.get("templates", dict, {}).items():
            if lang not in languages:
                raise c.fail(f"templates.{lang}", "names a language the site does not declare")
            collection_templates[(name, lang)] = _Reader({lang: table}, cfg.where, f"collections.{name}.templates.").templates(lang)
    source_currency = tr.get("source_currency", str, "USD")
    if not re.fullmatch(r"[A-Z]{3}", source_currency):
        raise tr.fail("source_currency", f"is not an ISO 4217 code such as USD: {source_currency!r}")
    jobs = tr.number("jobs", 4)
    if not isinstance(jobs, int):
        raise tr.fail("jobs", "must be a whole number")
    return TranslateConfig(
        engine=_engine_name(tr),
        jobs=jobs,
        engines=_engine_settings(tr, engine_tables, deepl_aliases, deepl_names),
        untranslated_tags=tr.choice("untranslated_tags", ("translate", "keep"), "translate"),
        source_currency=source_currency,
        glossary_dir=tr.get("glossary_dir", str, "glossaries"),
        targets=targets,
        collection_templates=collection_templates,
        prices=_prices(tr),
        price_currency=_currency(tr, "price_currency", "EUR"),
    )


def _prices(tr: _Reader) -> Decimal | dict[str, Decimal]:
    """``price_per_million_characters``: a number, or a table of engine name -> number (0 is free)."""
    name = "price_per_million_characters"
    value = tr.data.get(name)
    if value is None:
        return DEEPL_PRO_PRICE
    if not isinstance(value, dict):
        return _price(tr, name)
    from transync.translate import engines

    table = _Reader(value, tr.where, tr.key(name) + ".")
    for engine in value:
        if not engines.known(engine):
            raise table.fail(engine, "is not a translation engine")
    return {engine: _price(table, engine) for engine in value}


def _price(reader: _Reader, name: str) -> Decimal:
    value = reader.data[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise reader.fail(name, "must be a number, 0 or more")
    return Decimal(str(value))


def _currency(tr: _Reader, name: str, default: str) -> str:
    code = tr.get(name, str, default)
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise tr.fail(name, f"is not an ISO 4217 code such as EUR: {code!r}")
    return code


def _engine_name(tr: _Reader) -> str | None:
    name = tr.get("engine", str)
    if name is None:
        return None
    from transync.translate import engines

    if not engines.known(name):
        raise tr.fail("engine", f"is {name!r}; expected one of {', '.join(engines.names())}")
    return name


def _engine_settings(tr: _Reader, tables: dict[str, dict], deepl_aliases: dict[str, Any], deepl_names: dict[str, str]) -> dict[str, Any]:
    """Each ``[translate.<engine>]`` as its engine validates it (see transync.translate.engines)."""
    if deepl_aliases:
        deepl = tables.get("deepl", {})
        for key in deepl_aliases:
            if key in deepl:
                raise tr.fail(f"deepl.{key}", f"is also set as {deepl_names[key]}, its deprecated name: keep one")
        tables = {**tables, "deepl": {**deepl_aliases, **deepl}}
    if not tables:
        return {}
    from transync.translate import engines

    settings = {}
    for name, table in tables.items():
        if not engines.known(name):
            raise ConfigError(f"{tr.where}: unknown key 'translate.{name}' (a table for an engine; engines: {', '.join(engines.names())})")
        names = deepl_names if name == "deepl" else None
        settings[name] = engines.engine_type(name).settings(_Reader(table, tr.where, f"translate.{name}.", names))
    return settings


def parse_states(values: list[str] | tuple[str, ...], *, key: str = "--fail-on") -> list[str]:
    """Turn ``["missing,stale", "orphan"]`` into known state names; ``none`` means no state."""
    states: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part in ("none", "never"):
                continue
            if part == "all":
                states.extend(s for s in STATES if s != "current" and s not in states)
                continue
            if part not in STATES:
                raise ConfigError(f"{key}: unknown state {part!r} (states: {', '.join(STATES)}, all, none)")
            if part not in states:
                states.append(part)
    return states


def parse_checks(values: list[str] | tuple[str, ...], *, key: str = "--check") -> list[str]:
    """Turn ``["math,urls", "code"]`` into check names in CHECKS order; ``all`` and ``none`` as for states."""
    wanted: set[str] = set()
    for value in values:
        for part in value.split(","):
            part = part.strip().lower()
            if not part or part in ("none", "never"):
                continue
            if part == "all":
                wanted.update(CHECKS)
                continue
            if part not in CHECKS:
                raise ConfigError(f"{key}: unknown check {part!r} (checks: {', '.join(CHECKS)}, all, none)")
            wanted.add(part)
    return [name for name in CHECKS if name in wanted]
