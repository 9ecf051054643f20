"""jekyll-polyglot: pages kept at the same path under a language folder, ``lang`` in front matter.

``about.md`` (``lang: en``) and ``de/about.md`` (``lang: de``) are one page; a
front-matter ``page_id`` (Polyglot's own key) is the identity when present.
Polyglot gives every language the same ``permalink`` (it adds the language
prefix when it builds), so a translation keeps its source's permalink.
Languages come from ``_config.yml`` (``languages``, ``default_lang``);
detected from a ``_config.yml`` whose ``plugins`` or ``gems`` name jekyll-polyglot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from transync.site.layouts import PermalinkProblem, unsafe_permalink
from transync.site.layouts import detect as read
from transync.site.layouts.pattern import Detection, PatternLayout, Preset

#: Folders of a Jekyll site that hold no pages to translate.
SKIPPED = frozenset({"node_modules", "vendor", "assets"})


@dataclass(frozen=True)
class PolyglotLayout(PatternLayout):
    matched_by: tuple[str, ...] = ("lang",)
    default_required: tuple[str, ...] = ("lang",)

    def ignored(self, name: str) -> bool:
        return name in SKIPPED or super().ignored(name)

    def language_problem(self, rel, area, lang):
        # The front matter says the language; only a language folder of another language contradicts it.
        folder = self.folder_language(rel, area)
        if folder is not None and folder != area.source_lang and lang is not None and folder != lang:
            return f"lang is '{lang}' but the file is in the '{folder}' folder"
        return None

    def translation_permalink(self, source_permalink: str, source_lang: str, lang: str) -> str | None:
        return source_permalink  # Polyglot adds the language itself

    def source_url(self, url: str, lang: str, source_lang: str) -> str:
        return url

    def permalink_problem(
        self, permalink: object, lang: str, languages: Iterable[str], *,
        source_permalink: object = None, source_lang: str | None = None,
    ) -> PermalinkProblem | None:
        """A translation's permalink is its source's, unchanged (Polyglot matches pages by it)."""
        src = source_permalink if isinstance(source_permalink, str) and not unsafe_permalink(source_permalink) else None
        if permalink is None:
            return PermalinkProblem("missing", src) if source_lang is not None and src is not None else None
        why = unsafe_permalink(str(permalink))
        if why is not None:
            return PermalinkProblem("unsafe", detail=why)
        if source_lang is not None and src is not None and permalink != src:
            return PermalinkProblem("differs", src, fix=src)
        return None


def _plugins(text: str) -> list:
    """The plugins a ``_config.yml`` names (``plugins``, or ``gems`` as older Jekyll had it)."""
    data = read.load_yaml_lenient(text)
    if not isinstance(data, dict):
        return []
    return [p for key in ("plugins", "gems") if isinstance(data.get(key), list) for p in data[key] if isinstance(p, str)]


def detect(root: Path) -> Detection | None:
    from transync.site.cache import parsed, site_folder

    text = read.read_text(root / "_config.yml") if (root / "_config.yml").is_file() else None
    # Remembered by the file's text, as the Jekyll configuration itself is: a warm run of any
    # Jekyll site asks this question and should not import PyYAML to answer it.
    if text is None or "jekyll-polyglot" not in parsed(site_folder(root), "jekyll-plugins", text, _plugins):
        return None
    return Detection("polyglot", found_in="_config.yml (jekyll-polyglot)")


LAYOUT = Preset(
    "polyglot", (("folders", (("pages", "@lang/@path", "@path"),)),),
    suffixes=(".md", ".markdown"), ref_field="page_id", cls=PolyglotLayout, detector=detect,
)
