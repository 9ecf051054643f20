"""Which layout a site is in, read from the site generator's own files.

:func:`detect` asks every preset (``Preset.detect``: Starlight's
``astro.config.*``, ``docusaurus.config.*``, Hugo's ``hugo.toml``/``config.toml``,
``mkdocs.yml`` with the i18n plugin, a ``_config.yml`` with jekyll-polyglot)
and answers only when exactly one recognises the site (a preset may
supersede others: ``Preset.supersedes``); None means the
Jekyll-collections default. The answer is a
:class:`~transync.site.layouts.pattern.Detection` that ``transync init`` can
write down (``Detection.as_table``). The small readers here pull plain
literals out of JavaScript and YAML configuration without running them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from transync.errors import ConfigError
from transync.site.layouts.pattern import Detection, Preset


def detect(root: Path) -> Detection | None:
    """The preset the site's own files show, when exactly one does; None for none (Jekyll's default).

    Several generators' files at once are a :class:`ConfigError` asking for ``layout``.
    """
    from transync.site import layouts

    found = [d for p in layouts.LAYOUTS.values() if isinstance(p, Preset) and (d := p.detect(root)) is not None]
    beaten = {name for d in found for name in layouts.LAYOUTS[d.preset].supersedes}  # type: ignore[union-attr]
    found = [d for d in found if d.preset not in beaten]
    if len(found) > 1:
        names = ", ".join(f"{d.preset} ({d.found_in})" for d in found)
        raise ConfigError(f"transync.toml: 'layout' is not set and the site looks like several generators' ({names}): name one")
    return found[0] if found else None


# --------------------------------------------------------------------------- reading configuration files


def first_file(root: Path, names: tuple[str, ...]) -> Path | None:
    return next((root / n for n in names if (root / n).is_file()), None)


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


_JS_STRING = r"""(?:'([^'\\\n]*)'|"([^"\\\n]*)"|`([^`\\$]*)`)"""


def js_without_comments(text: str) -> str:
    """JavaScript with ``//`` and ``/* */`` comments blanked (a ``//`` inside a URL string is kept)."""
    out, pos = [], 0
    for m in re.finditer(_JS_STRING + r"|//[^\n]*|/\*.*?\*/", text, re.S):
        out.append(text[pos : m.start()])
        out.append(m.group(0) if m.group(0)[0] in "'\"`" else " ")
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def js_string(text: str, key: str) -> str | None:
    """The string literal ``key: 'value'`` holds (the first one), or None when it is not a plain literal."""
    m = re.search(rf"""(?<![\w$])['"]?{re.escape(key)}['"]?\s*:\s*{_JS_STRING}""", text)
    return next((g for g in m.groups() if g is not None), None) if m else None


def js_block(text: str, key: str, opener: str) -> str | None:
    """The text between the brackets after ``key:`` (``{``/``[``), brackets balanced; None when absent."""
    m = re.search(rf"""(?<![\w$])['"]?{re.escape(key)}['"]?\s*:\s*\{opener}""", text)
    if m is None:
        return None
    depth, i = 1, m.end()
    while i < len(text) and depth:
        c = text[i]
        if c in "'\"`":
            end = text.find(c, i + 1)
            i = end if end > 0 else len(text)
        elif c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
        i += 1
    return text[m.end() : i - 1] if depth == 0 else None


def js_strings(block: str) -> list[str] | None:
    """``'a', "b"`` -> ``["a", "b"]``; None when anything else is there (a variable, a spread)."""
    items = [p.strip() for p in block.split(",") if p.strip()]
    values = []
    for item in items:
        m = re.fullmatch(_JS_STRING, item)
        if m is None:
            return None
        values.append(next(g for g in m.groups() if g is not None))
    return values


def js_top_keys(block: str) -> list[tuple[str, str]] | None:
    """The ``key: {...}`` entries of an object literal's text, with each value's inner text; None when
    an entry is not a plain object (a variable, a spread, a call)."""
    entries, i = [], 0
    key_re = re.compile(r"""\s*(?:([A-Za-z_$][\w$-]*)|'([^'\n]*)'|"([^"\n]*)")\s*:\s*""")
    while True:
        while i < len(block) and block[i] in " \t\r\n,":
            i += 1
        if i >= len(block):
            return entries
        m = key_re.match(block, i)
        if m is None:
            return None
        key = next(g for g in m.groups() if g is not None)
        inner = js_block(block[i:], key, "{") if block[m.end() : m.end() + 1] == "{" else None
        if inner is None:
            return None
        entries.append((key, inner))
        i = m.end() + 1 + len(inner) + 1


def load_yaml_lenient(text: str) -> Any:
    """YAML as a safe loader reads it, with unknown tags (``!!python/name:...``, ``!ENV``) read as None."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        return None
