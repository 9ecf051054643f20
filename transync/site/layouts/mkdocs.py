"""mkdocs-static-i18n: ``docs/<name>.<lang>.md`` (suffix structure) or ``docs/<lang>/<path>`` (folders).

Detected from a ``mkdocs.yml`` that enables the ``i18n`` plugin: its
``docs_structure``, ``languages`` (``locale``, the one with ``default: true``
is the source) and the site's ``docs_dir``. In the suffix structure the
source is ``<name>.md`` or ``<name>.<default>.md``.
"""

from __future__ import annotations

from pathlib import Path

from transync.site.layouts import detect as read
from transync.site.layouts.pattern import Detection, Preset

CONFIG_FILES = ("mkdocs.yml", "mkdocs.yaml")


def detect(root: Path) -> Detection | None:
    path = read.first_file(root, CONFIG_FILES)
    text = read.read_text(path) if path is not None else None
    data = read.load_yaml_lenient(text) if text is not None else None
    if not isinstance(data, dict):
        return None
    plugin = None
    for item in data.get("plugins") or []:
        if item == "i18n":
            plugin = {}
        elif isinstance(item, dict) and isinstance(item.get("i18n"), dict):
            plugin = item["i18n"]
    if plugin is None:
        return None
    found = f"{path.name} (i18n plugin)"  # type: ignore[union-attr]
    structure = "folders" if plugin.get("docs_structure") == "folder" else "suffixes"
    docs = data.get("docs_dir") if isinstance(data.get("docs_dir"), str) else "docs"
    docs = docs.strip("/") or "docs"
    options: list = [("structure", structure)]
    if docs != "docs":
        pattern = f"{docs}/@path.@lang.md" if structure == "suffixes" else f"{docs}/@lang/@path"
        options += [("pattern", pattern)] + ([("source", f"{docs}/@path.md")] if structure == "suffixes" else [])
    languages, source = [], None
    for lang in plugin.get("languages") or []:
        if isinstance(lang, dict) and isinstance(lang.get("locale"), str):
            languages.append(lang["locale"])
            if lang.get("default") is True:
                source = lang["locale"]
    return Detection("mkdocs-static-i18n", source, tuple(languages) or None, tuple(options), found)


LAYOUT = Preset(
    "mkdocs-static-i18n",
    (
        ("suffixes", (("docs", "docs/@path.@lang.md", "docs/@path.md"),)),
        ("folders", (("docs", "docs/@lang/@path", None),)),
    ),
    suffixes=(".md",),
    skip_underscore=False,
    detector=detect,
)
