"""Site layouts: where a site keeps its documents and how its languages relate.

A :class:`Layout` owns everything that depends on the shape of a site: which
files are documents (the folders walked, the suffixes, the names ignored),
each document's identity and language, the path a missing translation gets,
and the permalink a translation should have. The rest of transync asks the
layout of the site's configuration (``layout = "jekyll"`` in transync.toml,
``SiteConfig.layout``) and knows no layout itself.

:data:`LAYOUTS` names every layout; :func:`get` returns one by name. The
Jekyll-collections layout (:mod:`transync.site.layouts.jekyll`) is the default.
Path layouts (:mod:`transync.site.layouts.pattern`) are *presets*: :func:`get`
gives a :class:`~transync.site.layouts.pattern.Preset`, which the configuration
builds into a layout for the site's languages (``Preset.build``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Protocol
from urllib.parse import unquote

from transync.site.sitepaths import CONTROL_CHARS

if TYPE_CHECKING:
    from transync.site.config import Collection
    from transync.site.scan import DocEntry

DEFAULT = "jekyll"


@dataclass(frozen=True)
class PermalinkProblem:
    """What is wrong with one document's permalink, for each command to word its way.

    ``kind`` is one of ``missing`` (a translation without one, its source has one),
    ``unsafe``, ``case`` (the language segment in the wrong case), ``language`` (the
    segment of another language), ``no-language`` (no language segment where the
    source's has one), ``differs`` (right language, not the source's otherwise) and
    ``source`` (the source's own URL, which has no language segment to swap).
    """

    kind: str
    expected: str | None = None  # the permalink the source's gives, when it is known and safe
    segment: str | None = None  # the language segment found, as written
    detail: str | None = None  # for ``unsafe``: why
    fix: str | None = None  # what a fix may write in place of the permalink line (None: nothing)


class Layout(Protocol):
    """The shape of a site. Every method is a pure function of paths, values and the configuration."""

    name: str
    #: File names ending so are documents.
    suffixes: tuple[str, ...]
    #: Front-matter fields every document must have for the layout to match it (required_fields must name them).
    matched_by: tuple[str, ...]
    #: ``required_fields`` when the configuration does not set it.
    default_required: tuple[str, ...]
    #: Front-matter field rules of the generator's own fields (``(name, rule)`` pairs): on top of
    #: transync's defaults, under the site's ``[fields]`` (Starlight: ``description`` is translated).
    default_fields: tuple[tuple[str, str], ...]
    #: The front-matter field read as a document's ref (None: none; a path layout derives it from the path).
    ref_field: str | None
    #: What the ref is, in messages: ``ref`` (a front-matter field) or ``path`` (the path under the language).
    identity_name: str

    def ignored(self, name: str) -> bool:
        """Whether a file or folder name is skipped by the walk (with all it holds)."""

    def folders(self, root: Path, generator: Any) -> dict[str, str]:
        """The folders of documents by name (``SiteConfig.collections`` is built from them, with
        transync.toml's ``[collections.*]`` on top). ``generator`` reads the site generator's own
        configuration (``_config.yml``): ``.data``, ``.get(key, type)``, ``.fail(key, problem)``."""

    def folder_of(self, name: str, generator: Any) -> str:
        """The folder of a collection transync.toml names without a ``path``."""

    def roots(self, area: Collection) -> tuple[str, ...]:
        """The folders walked for an area (Jekyll: its folder; Docusaurus: ``docs`` and ``i18n``)."""

    def owns(self, rel: str, area: Collection) -> bool:
        """Whether a file the walk found (with a document suffix) is a document of the area."""

    def folder_language(self, rel: str, area: Collection) -> str | None:
        """The language a path's folder gives it, if any (``rel`` relative to the site root)."""

    def is_language_folder(self, rel: str, area: Collection) -> bool:
        """Whether ``rel`` is the folder of one language of ``area``."""

    def language_problem(self, rel: str, area: Collection, lang: str | None) -> str | None:
        """Why a document's language (from its front matter) does not fit its place, or None."""

    def ref_and_lang(self, rel: str, area: Collection, ref: str | None, lang: str | None) -> tuple[str | None, str | None]:
        """A document's ref (what matches it across languages within its area) and language, from its
        path and its front matter's ``ref`` and ``lang`` (a path layout derives them from ``rel``)."""

    def identity(self, doc: DocEntry) -> tuple[str, str]:
        """What matches a document across languages."""

    def translation_path(self, source_rel: str, area: Collection, lang: str) -> str | None:
        """Where the ``lang`` version of a source goes; None when the source is not where sources go."""

    def source_path(self, rel: str, area: Collection, lang: str) -> str | None:
        """Where the source of the ``lang`` document at ``rel`` would be by its path (the inverse)."""

    def translation_permalink(self, source_permalink: str, source_lang: str, lang: str) -> str | None:
        """The permalink of the ``lang`` version of a page whose source has ``source_permalink``;
        None when the layout cannot derive one (the source's has no language in it)."""

    def source_url(self, url: str, lang: str, source_lang: str) -> str:
        """A link found in a ``lang`` translation as the source would write it (``/products/ja/x/``
        -> ``/products/en/x/``), so that check can match the links of the two."""

    def page_url(self, rel: str, area: Collection) -> str | None:
        """The URL a generator gives the document at ``rel`` from its path (Starlight), or None where
        URLs come from permalinks; ``permalinks`` then checks that a translation links to pages of its own language."""

    def permalink_problem(
        self, permalink: object, lang: str, languages: Iterable[str], *,
        source_permalink: object = None, source_lang: str | None = None,
    ) -> PermalinkProblem | None:
        """The problem of a document's permalink (None when right); ``source_*`` for a translation."""


def unsafe_permalink(permalink: str) -> str | None:
    """Why a permalink could name a page outside the site's URLs (a generator writes it as a file path), or None.

    A ``.`` or ``..`` segment (percent-encoded or not), a backslash or a control
    character is refused: none has a place in a page's URL, whatever the layout.
    """
    path = unquote(permalink.split("?")[0].split("#")[0])
    if "\\" in path or CONTROL_CHARS.search(path):
        return "has a backslash or a control character"
    if any(part in (".", "..") for part in path.split("/")):
        return "has a '.' or '..' segment"
    return None


#: The entry-point group through which an installed package adds a layout (name = "module:object").
ENTRY_POINTS = "transync.layouts"


def _builtins() -> dict[str, Layout]:
    """Every module of this package that defines ``LAYOUT``, by that layout's name."""
    import importlib
    import pkgutil

    found: dict[str, Layout] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        layout = getattr(importlib.import_module(f"{__name__}.{module}"), "LAYOUT", None)
        if layout is not None:
            found[layout.name] = layout
    return found


#: The layouts that come with transync, by their configuration name.
LAYOUTS: dict[str, Layout] = _builtins()


def names() -> tuple[str, ...]:
    """Every layout a configuration may name: the built-in ones, then the installed ones."""
    from importlib.metadata import entry_points

    return tuple(LAYOUTS) + tuple(sorted(ep.name for ep in entry_points(group=ENTRY_POINTS) if ep.name not in LAYOUTS))


def get(name: str = DEFAULT) -> Layout:
    """The layout called ``name``; a KeyError for an unknown one (config.py checks names against :func:`names`)."""
    if name in LAYOUTS:
        return LAYOUTS[name]
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINTS):
        if ep.name == name:
            return ep.load()
    raise KeyError(name)
