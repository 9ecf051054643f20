"""Hugo: ``content/<lang>/<path>`` (a content folder per language) or ``content/<name>.<lang>.md``.

Hugo matches translations by path, or by front-matter ``translationKey``
when a page has one (it is then the identity). ``_index.md`` is a page.
Detected from ``hugo.toml``/``hugo.yaml``/``hugo.json`` or a ``config.*`` with
Hugo's keys: ``languages`` (a ``contentDir`` per language chooses the
folder structure) and ``defaultContentLanguage`` (default ``en``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from transync.site.layouts import detect as read
from transync.site.layouts.pattern import Detection, Preset

CONFIG_FILES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml", "config.json")
#: Keys only a Hugo configuration has, for telling its ``config.toml`` from another program's.
HUGO_KEYS = ("baseURL", "baseurl", "defaultContentLanguage", "languageCode", "languages", "contentDir")


def _load(path: Path) -> dict[str, Any] | None:
    text = read.read_text(path)
    if text is None:
        return None
    try:
        if path.suffix == ".toml":
            import tomllib  # only for a site with a TOML file: its import costs every other run 5 ms

            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = read.load_yaml_lenient(text)
    except ValueError:  # tomllib.TOMLDecodeError and json's errors are ValueErrors
        return None
    return data if isinstance(data, dict) else None


def detect(root: Path) -> Detection | None:
    for name in CONFIG_FILES:
        path = root / name
        if not path.is_file():
            continue
        data = _load(path)
        if data is None or (name.startswith("config.") and not any(k in data for k in HUGO_KEYS)):
            continue
        source = data.get("defaultContentLanguage")
        source = source if isinstance(source, str) else "en"
        table = data.get("languages")
        if not isinstance(table, dict) or not table:
            return Detection("hugo", source, None, (), name)
        languages = [str(k) for k in table]
        if source not in languages:
            languages.insert(0, source)
        dirs = [v.get("contentDir") for v in table.values() if isinstance(v, dict)]
        structure = "folders" if any(dirs) else "suffixes"
        return Detection("hugo", source, tuple(languages), (("structure", structure),), name)
    return None


LAYOUT = Preset(
    "hugo",
    (
        ("suffixes", (("content", "content/@path.@lang.md", "content/@path.md"),)),
        ("folders", (("content", "content/@lang/@path", None),)),
    ),
    suffixes=(".md",),
    ref_field="translationKey",
    skip_underscore=False,
    detector=detect,
)
