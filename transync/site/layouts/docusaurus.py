"""Docusaurus: the source in ``docs/`` and ``blog/``, translations under ``i18n/<locale>/``.

``docs/<path>`` -> ``i18n/<locale>/docusaurus-plugin-content-docs/current/<path>``,
``blog/<path>`` -> ``i18n/<locale>/docusaurus-plugin-content-blog/<path>``.
Detected from ``docusaurus.config.*``; its ``i18n.defaultLocale`` and
``i18n.locales`` are read when they are literals (:mod:`transync.site.jsliteral`).
"""

from __future__ import annotations

from pathlib import Path

from transync.site import jsliteral
from transync.site.layouts import detect as read
from transync.site.layouts.pattern import Detection, Preset

CONFIG_FILES = tuple(f"docusaurus.config.{ext}" for ext in ("js", "ts", "mjs", "cjs", "mts", "cts"))


def detect(root: Path) -> Detection | None:
    path = read.first_file(root, CONFIG_FILES)
    text = read.read_text(path) if path is not None else None
    if text is None:
        return None
    found = path.name  # type: ignore[union-attr]
    i18n = jsliteral.key_value(text, "i18n")
    if not isinstance(i18n, dict):
        return Detection("docusaurus", found_in=found)
    default, locales = i18n.get("defaultLocale"), i18n.get("locales")
    if not (isinstance(locales, list) and locales and all(isinstance(loc, str) for loc in locales)):
        locales = None
    return Detection("docusaurus", default if isinstance(default, str) else None, tuple(locales) if locales else None, (), found)


LAYOUT = Preset(
    "docusaurus",
    (("default", (
        ("docs", "i18n/@lang/docusaurus-plugin-content-docs/current/@path", "docs/@path"),
        ("blog", "i18n/@lang/docusaurus-plugin-content-blog/@path", "blog/@path"),
    )),),
    detector=detect,
)
