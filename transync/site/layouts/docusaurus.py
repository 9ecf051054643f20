"""Docusaurus: the source in ``docs/`` and ``blog/``, translations under ``i18n/<locale>/``.

``docs/<path>`` -> ``i18n/<locale>/docusaurus-plugin-content-docs/current/<path>``,
``blog/<path>`` -> ``i18n/<locale>/docusaurus-plugin-content-blog/<path>``.
Detected from ``docusaurus.config.*``; its ``i18n.defaultLocale`` and
``i18n.locales`` are read when they are plain literals.
"""

from __future__ import annotations

from pathlib import Path

from transync.site.layouts import detect as read
from transync.site.layouts.pattern import Detection, Preset

CONFIG_FILES = tuple(f"docusaurus.config.{ext}" for ext in ("js", "ts", "mjs", "cjs", "mts", "cts"))


def detect(root: Path) -> Detection | None:
    path = read.first_file(root, CONFIG_FILES)
    text = read.read_text(path) if path is not None else None
    if text is None:
        return None
    found = path.name  # type: ignore[union-attr]
    i18n = read.js_block(read.js_without_comments(text), "i18n", "{")
    if i18n is None:
        return Detection("docusaurus", found_in=found)
    block = read.js_block(i18n, "locales", "[")
    locales = read.js_strings(block) if block is not None else None
    return Detection("docusaurus", read.js_string(i18n, "defaultLocale"), tuple(locales) if locales else None, (), found)


LAYOUT = Preset(
    "docusaurus",
    (("default", (
        ("docs", "i18n/@lang/docusaurus-plugin-content-docs/current/@path", "docs/@path"),
        ("blog", "i18n/@lang/docusaurus-plugin-content-blog/@path", "blog/@path"),
    )),),
    detector=detect,
)
