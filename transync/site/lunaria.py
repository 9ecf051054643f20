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
read as data (:func:`parse_literal`). Values transync does not need may be
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


# --------------------------------------------------------------------------- the literal reader


class Unreadable(NamedTuple):
    """A value that is not a literal (a variable, a call, a spread): kept as written, read by nobody."""

    text: str
    line: int


class LiteralError(ValueError):
    """The text is not an object literal at all; ``line`` is 1-based."""

    def __init__(self, problem: str, line: int, key: str = "") -> None:
        super().__init__(problem)
        self.problem, self.line, self.key = problem, line, key


_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)")
_WORDS = {"true": True, "false": False, "null": None}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


class _Reader:
    """A JSON5-like reader of one JavaScript object literal (comments, unquoted keys, single quotes,
    trailing commas, TypeScript's ``as``/``satisfies`` after a value).

    Why not the ``json5`` package: a value that is not a literal (an imported list, a function)
    must not stop the whole file, only the key that needs it, and the error must name that key;
    a JSON5 parser fails the file at a line and column.
    """

    def __init__(self, text: str, pos: int = 0) -> None:
        self.text, self.pos = text, pos

    def line(self, pos: int | None = None) -> int:
        return self.text.count("\n", 0, self.pos if pos is None else pos) + 1

    def skip(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch.isspace() or ch == "\ufeff":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise LiteralError("a comment is not closed", self.line())
                self.pos = end + 2
            else:
                return

    def peek(self) -> str:
        self.skip()
        return self.text[self.pos : self.pos + 1]

    def value(self, key: str) -> Any:
        ch = self.peek()
        start = self.pos
        if ch == "{":
            found: Any = self.object(key)
        elif ch == "[":
            found = self.array(key)
        elif ch in "'\"`":
            found = self.string(key)
            if ch == "`" and found is None:
                self.pos = start
                return self.unreadable()
        else:
            m = _NUMBER.match(self.text, self.pos)
            word = _IDENT.match(self.text, self.pos)
            if word and word.group() in _WORDS and not self.continues(word.end()):
                self.pos = word.end()
                found = _WORDS[word.group()]
            elif m and not self.continues(m.end()):
                self.pos = m.end()
                digits = m.group().replace("_", "")
                found = int(digits, 0) if re.fullmatch(r"[+-]?(?:0[xX])?[\da-fA-F]+", digits) and "." not in digits else float(digits)
            else:
                return self.unreadable()
        self.type_suffix()
        if self.peek() not in (",", "}", "]", ")", ";", ""):
            # An operator after a literal ('a' + b, x ? y : z): an expression, not a value.
            self.pos = start
            return self.unreadable()
        return found

    def continues(self, end: int) -> bool:
        """Whether an identifier or number at ``end`` goes on as an expression (``x.y``, ``f()``)."""
        rest = self.text[end : end + 1]
        return bool(rest) and (rest in ".([" or rest.isalnum() or rest in "_$")

    def type_suffix(self) -> None:
        # TypeScript: `[...] as const`, `{...} satisfies Config`: the type says nothing of the value.
        while True:
            self.skip()
            m = re.compile(r"(as|satisfies)\b").match(self.text, self.pos)
            if not m:
                return
            self.pos = m.end()
            self.skip_expression()

    def object(self, key: str) -> dict[str, Any]:
        opened = self.line()
        self.pos += 1
        out: dict[str, Any] = {}
        while True:
            ch = self.peek()
            if ch == "}":
                self.pos += 1
                return out
            if not ch:
                raise LiteralError("an object is not closed", opened, key)
            if self.text.startswith("...", self.pos):
                out.setdefault("...", self.unreadable())
            else:
                name = self.key(key)
                full = f"{key}.{name}" if key else name
                ch = self.peek()
                if ch == ":":
                    self.pos += 1
                    out[name] = self.value(full)
                elif ch in (",", "}"):  # shorthand: `{ locales }` names a variable
                    out[name] = Unreadable(name, self.line())
                else:  # a method, a getter: nothing transync reads
                    out[name] = self.unreadable()
            ch = self.peek()
            if ch == ",":
                self.pos += 1
            elif not ch:
                raise LiteralError("an object is not closed", opened, key)
            elif ch != "}":
                raise LiteralError(f"expected ',' or '}}' after a value, found {self.text[self.pos:self.pos + 10]!r}", self.line(), key)

    def key(self, parent: str) -> str:
        ch = self.peek()
        if ch in "'\"":
            name = self.string(parent)
            assert name is not None
            return name
        m = _IDENT.match(self.text, self.pos) or re.compile(r"\d+").match(self.text, self.pos)
        if not m:
            raise LiteralError(f"expected a key, found {self.text[self.pos:self.pos + 10]!r}", self.line(), parent)
        self.pos = m.end()
        return m.group()

    def array(self, key: str) -> list[Any]:
        opened = self.line()
        self.pos += 1
        out: list[Any] = []
        while True:
            ch = self.peek()
            if ch == "]":
                self.pos += 1
                return out
            if not ch:
                raise LiteralError("a list is not closed", opened, key)
            out.append(self.value(f"{key}[{len(out)}]"))
            ch = self.peek()
            if ch == ",":
                self.pos += 1
            elif not ch:
                raise LiteralError("a list is not closed", opened, key)
            elif ch != "]":
                raise LiteralError(f"expected ',' or ']' after a value, found {self.text[self.pos:self.pos + 10]!r}", self.line(), key)

    def string(self, key: str) -> str | None:
        """A quoted string; None for a template literal with ``${...}`` in it."""
        quote = self.text[self.pos]
        start_line = self.line()
        self.pos += 1
        out = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == quote:
                self.pos += 1
                return "".join(out)
            if ch == "\\":
                nxt = text[self.pos + 1 : self.pos + 2]
                if nxt in ("u", "x"):
                    size = 2 if nxt == "x" else 4
                    if nxt == "u" and text.startswith("{", self.pos + 2):
                        end = text.find("}", self.pos)
                        out.append(chr(int(text[self.pos + 3 : end], 16)))
                        self.pos = end + 1
                        continue
                    out.append(chr(int(text[self.pos + 2 : self.pos + 2 + size], 16)))
                    self.pos += 2 + size
                    continue
                if nxt == "\n":  # a line continuation
                    self.pos += 2
                    continue
                out.append(_ESCAPES.get(nxt, nxt))
                self.pos += 2
                continue
            if quote == "`" and text.startswith("${", self.pos):
                self.skip_balanced()
                return None
            if ch == "\n" and quote != "`":
                break
            out.append(ch)
            self.pos += 1
        raise LiteralError("a string is not closed", start_line, key)

    def skip_balanced(self) -> None:
        """Past the end of a template literal (``${`` ... ``}`` nesting included)."""
        depth = 0
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == "\\":
                self.pos += 2
                continue
            if text.startswith("${", self.pos):
                depth += 1
                self.pos += 2
                continue
            if ch == "}" and depth:
                depth -= 1
            elif ch == "`" and not depth:
                self.pos += 1
                return
            self.pos += 1

    def skip_expression(self) -> None:
        """Past one expression: up to the ``,`` or closing bracket that ends it (strings and nesting skipped)."""
        stack: list[str] = []
        text = self.text
        while True:
            self.skip()
            if self.pos >= len(text):
                return
            ch = text[self.pos]
            if ch in "'\"`":
                if self.string("") is None:
                    continue
                continue
            if ch in _CLOSERS:
                stack.append(_CLOSERS[ch])
            elif ch in ")]}":
                if not stack:
                    return
                stack.pop()
            elif ch in ",;" and not stack:
                return
            self.pos += 1

    def unreadable(self) -> Unreadable:
        start, line = self.pos, self.line()
        self.skip_expression()
        written = " ".join(self.text[start : self.pos].split())
        return Unreadable(written[:60] + ("..." if len(written) > 60 else ""), line)


def parse_literal(text: str, pos: int = 0) -> Any:
    """The JavaScript literal starting at ``pos`` (skipping blanks and comments) as Python data.

    Objects become dicts, arrays lists; a value that is not a literal becomes
    :class:`Unreadable`. Raises :class:`LiteralError` when the text is not a literal's shape.
    """
    return _Reader(text, pos).value("")


_EXPORT = re.compile(r"\bexport\s+default\b|\bmodule\.exports\s*=")


def config_literal(text: str, name: str) -> Any:
    """The configuration object of a Lunaria config file's text (``name`` is for messages)."""
    if name.endswith(".json"):
        reader = _Reader(text)
    else:
        m = _EXPORT.search(_blank_comments(text))
        if m is None:
            raise ConfigError(f"{name}: no 'export default' of a configuration object")
        reader = _Reader(text, m.end())
        reader.skip()
        call = re.compile(r"defineConfig\s*(?:<[^>]*>)?\s*\(").match(text, reader.pos)
        ident = re.compile(r"([A-Za-z_$][\w$]*)\s*(?:;|$)", re.M).match(text, reader.pos)
        if call:
            reader.pos = call.end()
        elif ident:
            # `export default config`: the object is the value of that declaration.
            decl = re.compile(
                rf"\b(?:const|let|var)\s+{re.escape(ident.group(1))}\s*(?::[^=]+)?=\s*(?:defineConfig\s*(?:<[^>]*>)?\s*\()?"
            ).search(text)
            if decl is None:
                raise ConfigError(f"{name}: 'export default {ident.group(1)}' names no object declared in the file")
            reader.pos = decl.end()
    if reader.peek() != "{":
        raise ConfigError(f"{name}: line {reader.line()}: the configuration is not an object literal")
    try:
        return reader.value("")
    except LiteralError as exc:
        where = f" (in '{exc.key}')" if exc.key else ""
        raise ConfigError(f"{name}: line {exc.line}: {exc.problem}{where}") from None


def _blank_comments(text: str) -> str:
    """The text with comments and strings blanked (same length), so that a search finds code only."""
    out = []
    reader = _Reader(text)
    last = 0
    while reader.pos < len(text):
        ch = text[reader.pos]
        if ch in "'\"`" or text.startswith("//", reader.pos) or text.startswith("/*", reader.pos):
            start = reader.pos
            try:
                if ch in "'\"`":
                    reader.string("")
                else:
                    reader.skip()
            except LiteralError:
                reader.pos = len(text)
            out.append(text[last:start])
            out.append(re.sub(r"[^\n]", " ", text[start : reader.pos]))
            last = reader.pos
        else:
            reader.pos += 1
    out.append(text[last:])
    return "".join(out)


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
