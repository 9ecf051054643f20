"""A site's Lunaria configuration (``lunaria.config.json``, ``.ts`` or ``.js``) read as transync's.

A site that Lunaria tracks is understood from its own file with no
``transync.toml``: the source locale and the locales, the ``files`` entries
whose pattern places Markdown documents by ``@lang``/``@tag`` and ``@path``,
the ``localizableProperty`` (only sources whose front matter sets it to true
are counted) and the ``ignoredKeywords``. Both Lunaria shapes are read: 0.x
(``defaultLocale``, ``files[].location``, top-level ``ignoreKeywords`` and
``localizableProperty``) and 1.x (``sourceLocale``, ``files[].include``,
``tracking``).

A TypeScript or JavaScript config is not run: its exported object literal is
read as data (:mod:`transync.site.jsliteral`, as the presets read
``astro.config.*`` and ``docusaurus.config.*``). Values transync does not need may be
anything (a dashboard function, an imported renderer); a value it needs that
is not a literal (an imported list, a variable, a call) is one
:class:`~transync.errors.ConfigError` naming the file and the key.

Lunaria's commit directives (``@lunaria-track:`` / ``@lunaria-ignore:`` in a
commit body, with ``;``-separated globs) are read here too (:func:`directive`),
for :mod:`transync.site.history` to apply per file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from transync.errors import ConfigError
from transync.site.jsliteral import Unreadable, config_literal
from transync.site.layouts.starlight import DOCS as STARLIGHT_DOCS

#: The names Lunaria looks for, in the order transync does when a site has several.
CONFIG_FILES = (
    "lunaria.config.json", "lunaria.config.ts", "lunaria.config.mts", "lunaria.config.cts",
    "lunaria.config.js", "lunaria.config.mjs", "lunaria.config.cjs",
)

#: Lunaria's default ``ignoredKeywords`` (0.x and 1.x alike), used when the file sets none.
DEFAULT_IGNORED_KEYWORDS = ("lunaria-ignore", "fix typo")

#: File names of documents transync reads; other ``files`` entries (YAML, TS dictionaries) are not documents.
DOCUMENT_SUFFIXES = (".md", ".mdx", ".markdown")


def find(root: Path) -> Path | None:
    """The Lunaria configuration file at the site root, if there is one."""
    for name in CONFIG_FILES:
        path = root / name
        if path.is_file():
            return path
    return None


# --------------------------------------------------------------------------- the configuration


@dataclass(frozen=True)
class Locale:
    lang: str  # what ``@lang`` stands for in a path
    tag: str  # what ``@tag`` stands for (``parameters.tag``; the lang when unset)


@dataclass(frozen=True)
class FileEntry:
    """One entry of ``files`` (the 1.x shape; 0.x's ``location`` is its one include)."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]
    source_pattern: str  # the pattern of the source file (``pattern`` or ``pattern.source``)
    locales_pattern: str  # the pattern of a translation (``pattern`` or ``pattern.locales``)
    type: str  # universal or dictionary

    @property
    def documents(self) -> bool:
        """Whether the entry tracks Markdown documents (dictionaries and other files are Lunaria's alone)."""
        return self.type == "universal" and (
            self.locales_pattern.endswith("@path") or self.locales_pattern.endswith(DOCUMENT_SUFFIXES)
        ) and any(_may_be_document(g) for g in self.include)


@dataclass(frozen=True)
class LunariaConfig:
    path: Path
    source: Locale
    locales: tuple[Locale, ...]
    files: tuple[FileEntry, ...]
    localizable_property: str | None
    ignored_keywords: tuple[str, ...]

    @property
    def documents(self) -> tuple[FileEntry, ...]:
        return tuple(f for f in self.files if f.documents)

    def transync_settings(self) -> dict[str, Any]:
        """What a ``transync.toml`` would say to the same effect (its own keys win over these).

        The ``files`` entry of documents becomes the ``[layout]`` table of a pattern layout
        (the ``starlight`` preset's for a pattern under ``src/content/docs``);
        a pattern written with ``@tag`` uses the locales' tags as transync's languages (the
        folder names are tags then). ``ignoredKeywords`` and ``localizableProperty`` go to
        ``[status]``. Dictionary entries (YAML, TypeScript) are Lunaria's alone.
        """
        documents = self.documents
        if len(documents) > 1:
            listed = ", ".join(f"files[{self.files.index(f)}]" for f in documents)
            raise ConfigError(
                f"{self.path.name}: 'files' has {len(documents)} entries of Markdown documents ({listed}); transync "
                f"reads one pattern from Lunaria: write the [layout] of the site in transync.toml"
            )
        [entry] = documents
        by_tag = "@tag" in entry.locales_pattern or "@tag" in entry.source_pattern
        locales = (self.source, *self.locales)
        languages = [loc.tag if by_tag else loc.lang for loc in locales]
        pattern = entry.locales_pattern.replace("@tag", "@lang")
        layout: dict[str, Any] = {
            # Astro's docs collection is a Starlight site (its URLs and front matter): Lunaria's own home.
            "preset": "starlight" if pattern.startswith(f"{STARLIGHT_DOCS}/") else "pattern",
            "pattern": pattern,
            "locales": languages,
            "source_lang": languages[0],
        }
        if entry.source_pattern != entry.locales_pattern:
            layout["source"] = entry.source_pattern.replace("@tag", "@lang")
        suffixes = _suffixes(entry.include)
        if suffixes:
            layout["suffixes"] = list(suffixes)
        settings: dict[str, Any] = {"layout": layout}
        # Lunaria's include and exclude pick the source files; the pattern already does that here.
        # An exclude of a locale's folder (the translations, for a root-locale source) must not
        # hide them from transync: only the others (drafts, partials) are kept.
        names = {loc.lang for loc in locales} | {loc.tag for loc in locales} | {"node_modules"}
        exclude = [g for g in entry.exclude if not names & set(g.removeprefix("./").split("/"))]
        if exclude:
            settings["exclude"] = exclude
        status: dict[str, Any] = {"ignored_keywords": list(self.ignored_keywords)}
        if self.localizable_property:
            status["localizable_property"] = self.localizable_property
        settings["status"] = status
        return settings


def _suffixes(include: tuple[str, ...]) -> tuple[str, ...]:
    """The file endings the include globs name (``*.(md|mdx)``, ``*.{md,mdx}``, ``*.md``); () for any."""
    found: list[str] = []
    for glob in include:
        tail = glob.rsplit("/", 1)[-1]
        m = re.fullmatch(r".*\*\.(?:[@+]?\(([\w|]+)\)|\{([\w,]+)\}|(\w+))", tail)
        if m is None:
            return ()
        names = re.split(r"[|,]", next(g for g in m.groups() if g))
        found.extend(f".{n}" for n in names if f".{n}" not in found)
    return tuple(found)


def _may_be_document(glob: str) -> bool:
    tail = glob.rsplit("/", 1)[-1].lower()
    return any(s[1:] in tail for s in DOCUMENT_SUFFIXES) or tail.endswith("*")


def read(path: Path) -> LunariaConfig:
    """The Lunaria configuration in ``path``; :class:`ConfigError` naming the key it cannot use."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot be read ({exc})") from None
    data = config_literal(text, name)
    return from_data(data, path)


class _Keys:
    """Typed access to the parsed literal; errors name the file and the key path."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.name}: '{key}' {problem}")

    def need(self, value: Any, key: str, kind: type | tuple[type, ...], what: str) -> Any:
        if isinstance(value, Unreadable):
            raise self.fail(
                key, f"is not a literal transync can read without running the file ({value.text}, line {value.line}); "
                f"write the value out there, or configure the site in transync.toml"
            )
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.fail(key, f"must be {what}")
        return value

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        items = self.need(value, key, list, "a list of strings")
        for n, item in enumerate(items):
            self.need(item, f"{key}[{n}]", str, "a string")
        return tuple(items)


def from_data(data: Any, path: Path) -> LunariaConfig:
    """The configuration from the parsed literal of ``path`` (either Lunaria shape)."""
    keys = _Keys(path.name)
    data = keys.need(data, "(the configuration)", dict, "an object")
    tracking = data.get("tracking", {})
    keys.need(tracking, "tracking", dict, "an object")

    if "sourceLocale" in data:
        source = _locale(keys, data["sourceLocale"], "sourceLocale")
    elif "defaultLocale" in data:
        source = _locale(keys, data["defaultLocale"], "defaultLocale")
    else:
        raise keys.fail("sourceLocale", "is not set: name the language of the source files")
    if "locales" not in data:
        raise keys.fail("locales", "is not set: list the languages translated into")
    raw_locales = keys.need(data["locales"], "locales", list, "a list of locales")
    if not raw_locales:
        raise keys.fail("locales", "must name at least one locale")
    locales = tuple(_locale(keys, loc, f"locales[{n}]") for n, loc in enumerate(raw_locales))
    seen = {source.lang}
    for n, loc in enumerate(locales):
        if loc.lang in seen:
            raise keys.fail(f"locales[{n}].lang", f"repeats {loc.lang!r}")
        seen.add(loc.lang)

    files = tuple(_file(keys, entry, f"files[{n}]") for n, entry in enumerate(keys.need(data.get("files", []), "files", list, "a list")))
    if not any(f.documents for f in files):
        raise keys.fail("files", "has no entry of Markdown documents (type 'universal' with a pattern ending in @path)")

    if "localizableProperty" in tracking:
        prop = keys.need(tracking["localizableProperty"], "tracking.localizableProperty", str, "a string")
    elif "localizableProperty" in data:
        prop = keys.need(data["localizableProperty"], "localizableProperty", str, "a string")
    else:
        prop = None
    if "ignoredKeywords" in tracking:
        ignored = keys.strings(tracking["ignoredKeywords"], "tracking.ignoredKeywords")
    elif "ignoreKeywords" in data:
        ignored = keys.strings(data["ignoreKeywords"], "ignoreKeywords")
    else:
        ignored = DEFAULT_IGNORED_KEYWORDS
    for n, word in enumerate(ignored):
        if not word.strip():
            key = "tracking.ignoredKeywords" if "ignoredKeywords" in tracking else "ignoreKeywords"
            raise keys.fail(f"{key}[{n}]", "is empty (it would match every commit)")
    return LunariaConfig(path, source, locales, files, prop or None, ignored)


def _locale(keys: _Keys, value: Any, key: str) -> Locale:
    if isinstance(value, str):  # 1.x final: `sourceLocale: 'en'`, `locales: ['pt']`
        return Locale(value, value)
    value = keys.need(value, key, (dict, str), "a locale: an object with 'lang', or its lang as a string")
    lang = keys.need(value.get("lang"), f"{key}.lang", str, "a string such as 'en'") if "lang" in value else None
    if lang is None:
        raise keys.fail(f"{key}.lang", "is not set")
    params = value.get("parameters", {})
    keys.need(params, f"{key}.parameters", dict, "an object")
    tag = keys.need(params["tag"], f"{key}.parameters.tag", str, "a string") if "tag" in params else lang
    return Locale(lang, tag)


def _file(keys: _Keys, value: Any, key: str) -> FileEntry:
    entry = keys.need(value, key, dict, "an object with include, pattern and type")
    kind = keys.need(entry.get("type", "universal"), f"{key}.type", str, "'universal' or 'dictionary'")
    if "include" in entry:
        include = keys.strings(entry["include"], f"{key}.include")
    elif "location" in entry:
        include = (keys.need(entry["location"], f"{key}.location", str, "a glob"),)
    else:
        raise keys.fail(f"{key}.include", "is not set: list the globs of the source files")
    exclude = keys.strings(entry.get("exclude", entry.get("ignore", [])), f"{key}.exclude")
    if "pattern" not in entry:
        raise keys.fail(f"{key}.pattern", "is not set")
    pattern = entry["pattern"]
    if isinstance(pattern, dict):
        source = keys.need(pattern.get("source"), f"{key}.pattern.source", str, "a string")
        locales = keys.need(pattern.get("locales"), f"{key}.pattern.locales", str, "a string")
    else:
        source = locales = keys.need(pattern, f"{key}.pattern", str, "a string or an object with source and locales")
    return FileEntry(include, exclude, source, locales, kind)


# --------------------------------------------------------------------------- globs and commit directives


@lru_cache(maxsize=512)
def glob_regex(glob: str) -> re.Pattern[str]:
    """A glob as Lunaria matches it (micromatch): ``*``, ``?``, ``**``, ``[...]``, ``{a,b}``,
    ``(a|b)``, and the extglobs ``!(...)``, ``@(...)``, ``?(...)``, ``*(...)``, ``+(...)``."""
    glob = glob.removeprefix("./")
    parts = _split(glob, "/")
    out: list[str] = []
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:[^/]*/)*")
            continue
        out.append(_segment(part) + ("" if last else "/"))
    return re.compile("".join(out) + r"\Z")


def _segment(part: str) -> str:
    out = []
    i = 0
    while i < len(part):
        ch = part[i]
        if ch in "!@?*+" and part[i + 1 : i + 2] == "(":
            end = _closing(part, i + 1)
            inner = part[i + 2 : end]
            alts = "|".join(_segment(a) for a in _split(inner, "|"))
            out.append({
                # Anything but the alternatives: within one segment, or (a path given) anywhere below.
                "!": f"(?:(?!(?:{alts})\\Z).*)" if "/" in inner else f"(?:(?!(?:{alts})(?:/|\\Z))[^/]*)",
                "@": f"(?:{alts})",
                "?": f"(?:{alts})?",
                "*": f"(?:{alts})*",
                "+": f"(?:{alts})+",
            }[ch])
            i = end + 1
        elif ch == "(":
            end = _closing(part, i)
            out.append("(?:" + "|".join(_segment(a) for a in _split(part[i + 1 : end], "|")) + ")")
            i = end + 1
        elif ch == "{":
            end = _closing(part, i, "{", "}")
            out.append("(?:" + "|".join(_segment(a) for a in _split(part[i + 1 : end], ",", "{", "}")) + ")")
            i = end + 1
        elif ch == "*":
            while part[i : i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[" and "]" in part[i + 2 :]:
            end = part.index("]", i + 2)
            body = part[i + 1 : end]
            if body[:1] in "!^":
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif ch == "/":
            out.append("/")
            i += 1
        else:
            out.append(re.escape(ch))
            i += 1
    return "".join(out)


def _closing(text: str, start: int, open_: str = "(", close: str = ")") -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == open_:
            depth += 1
        elif text[i] == close:
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _split(text: str, sep: str, open_: str = "(", close: str = ")") -> list[str]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in (open_, "{", "("):
            depth += 1
        elif ch in (close, "}", ")"):
            depth -= 1
        elif ch == sep and depth == 0:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


class Directive(NamedTuple):
    """``@lunaria-track:`` (the commit counts only for the files its globs match) or
    ``@lunaria-ignore:`` (it counts for every file but those)."""

    track: bool
    globs: tuple[str, ...]

    def counts_for(self, path: str) -> bool:
        """Whether the commit counts for ``path`` (relative to the repository's top folder)."""
        hit = any(glob_regex(g).match(path) for g in self.globs)
        return hit if self.track else not hit


_DIRECTIVE = re.compile(r"@(lunaria-track|lunaria-ignore|tracker-major|tracker-minor):([^\n]*)")


def directive(message: str) -> Directive | None:
    """The first directive in a commit message, as Lunaria reads it (the older ``@tracker-major:``
    and ``@tracker-minor:`` names included). Invisible format characters that an editor slipped
    into a path (U+200E and the like) are dropped, and so are empty globs: the intent is the path."""
    m = _DIRECTIVE.search(message)
    if m is None:
        return None
    cleaned = "".join(ch for ch in m.group(2) if unicodedata.category(ch) != "Cf")
    globs = tuple(g.strip() for g in cleaned.split(";") if g.strip())
    return Directive(m.group(1) in ("lunaria-track", "tracker-major"), globs)
