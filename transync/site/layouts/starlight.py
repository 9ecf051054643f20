"""Astro Starlight: ``src/content/docs/<locale>/<path>``, the root locale without a prefix.

The source language is Starlight's ``defaultLocale`` (``root``: the pages
directly under ``src/content/docs``). Detected from an ``astro.config.*`` that
uses Starlight; the ``locales`` and ``defaultLocale`` of its ``starlight({...})``
call are read when they are literals (:mod:`transync.site.jsliteral`). Page URLs come from paths (``/fr/guides/intro/``), so a
translation's links to other pages of the docs are compared with its
source's after :meth:`StarlightLayout.source_url` maps the locale back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from transync.site import jsliteral
from transync.site.layouts import detect as read
from transync.site.layouts.pattern import Detection, PatternLayout, Preset

if TYPE_CHECKING:
    from transync.site.config import Collection

DOCS = "src/content/docs"
CONFIG_FILES = tuple(f"astro.config.{ext}" for ext in ("mjs", "js", "ts", "mts", "cjs", "cts"))


@dataclass(frozen=True)
class StarlightLayout(PatternLayout):
    """Starlight's URLs are the paths: ``/<locale>/<path>/``, the root locale's without ``/<locale>``."""

    @property
    def root_locale(self) -> bool:
        """Whether the source language is Starlight's root locale (its pages without a ``/<lang>`` prefix)."""
        source = self.file_sets[0].source
        # A Lunaria configuration names the source folder itself (``src/content/docs/en/@path``).
        return not source.has_lang and self.source_lang not in source.text.split("/")

    def source_url(self, url: str, lang: str, source_lang: str) -> str:
        """``/fr/guides/x/`` as the source writes it: ``/guides/x/`` (root locale) or ``/en/guides/x/``."""
        prefix = f"/{lang}/"
        if not url.startswith(prefix) and url != f"/{lang}":
            return url
        rest = url[len(prefix) - 1 :] if url.startswith(prefix) else "/"
        return rest if self.root_locale else f"/{source_lang}{rest}"

    def page_url(self, rel: str, area: Collection) -> str | None:
        """``src/content/docs/fr/guides/Intro.md`` -> ``/fr/guides/intro/``; ``index`` is its folder's page."""
        placed = self._place(rel, area)
        if placed is None:
            return None
        lang, path = placed
        parts = path.rsplit(".", 1)[0].split("/")
        if parts[-1] == "index":
            parts.pop()
        slug = "/".join(p.lower() for p in parts)
        prefix = "" if lang == area.source_lang and self.root_locale else f"/{lang}"
        return f"{prefix}/{slug}/" if slug else f"{prefix}/"


def detect(root: Path) -> Detection | None:
    path = read.first_file(root, CONFIG_FILES)
    text = read.read_text(path) if path is not None else None
    if text is None or "starlight" not in text:
        return None
    found = f"{path.name} (Starlight)"  # type: ignore[union-attr]
    imported = re.search(r"""\bimport\s+([A-Za-z_$][\w$]*)\s+from\s+['"]@astrojs/starlight['"]""", text)
    options = jsliteral.call_argument(text, imported.group(1) if imported else "starlight")
    locales = options.get("locales") if isinstance(options, dict) else None
    if not isinstance(locales, dict) or not locales or not all(isinstance(v, dict) for v in locales.values()):
        return Detection("starlight", found_in=found)
    default = options.get("defaultLocale")  # type: ignore[union-attr]
    default = default if isinstance(default, str) else None
    languages, source, settings = [], None, []
    for key, locale in locales.items():
        if key == "root":
            lang = locale.get("lang")
            lang = lang if isinstance(lang, str) else "en"
            languages.append(lang)
            if default in (None, "root"):
                source = lang
                settings.append(("source", f"{DOCS}/@path"))
        else:
            languages.append(key)
            if default == key:
                source = key
    if source is None:
        source = languages[0]
    return Detection("starlight", source, tuple(languages), tuple(settings), found)


#: Starlight's front matter (its ``docsSchema``): the texts a reader sees are translated, and a
#: change to them makes a translation stale. Rules are per top-level field, so ``sidebar`` (its
#: ``label`` is text) and ``hero``/``banner``/``head`` (text beside links and tags) are content as
#: a whole: a translation starts from the source's value, is not held to equal it, and follows
#: every change to it. ``slug``, ``template``, ``tableOfContents``, ``prev``/``next``, ``draft``,
#: ``pagefind``, ``editUrl`` and a site's own keys (``i18nReady``) stay kept.
FIELDS = (
    ("title", "translate"),
    ("description", "translate"),
    ("sidebar", "translate"),
    ("hero", "translate"),
    ("banner", "translate"),
    ("head", "translate"),
)

LAYOUT = Preset(
    "starlight", (("folders", (("docs", f"{DOCS}/@lang/@path", None),)),), cls=StarlightLayout, detector=detect,
    fields=FIELDS,
)
