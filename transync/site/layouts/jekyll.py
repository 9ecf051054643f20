"""The Jekyll-collections layout: ``_<collection>/<lang>/.../<name>.md``, matched by ``ref``.

Each collection folder holds one folder per language; a document's identity
is its collection and its front-matter ``ref``, its language is its
front-matter ``lang`` (which must agree with the language folder it sits in,
when it sits in one). A missing translation goes to the source's path with
the language folder swapped, and a translation's permalink is its source's
with the language segment swapped (``/products/en/x/`` -> ``/products/ja/x/``).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Iterable

from transync.site.layouts import PermalinkProblem, unsafe_permalink

if TYPE_CHECKING:
    from transync.site.config import Collection
    from transync.site.scan import DocEntry


#: Folders starting with ``_`` that Jekyll uses for other things than collections.
SPECIAL_DIRS = frozenset({"_data", "_includes", "_layouts", "_sass", "_site", "_plugins", "_drafts", "_site_cache"})


class JekyllLayout:
    name = "jekyll"
    suffixes = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
    matched_by = ("ref", "lang")
    default_required = ("ref", "lang", "date")
    default_fields: tuple[tuple[str, str], ...] = ()
    ref_field: str | None = "ref"
    identity_name = "ref"

    def ignored(self, name: str) -> bool:
        # Jekyll skips these names in collections.
        return name.startswith((".", "_", "#")) or name.endswith("~")

    def folders(self, root: Path, generator: Any) -> dict[str, str]:
        """The collections ``_config.yml`` declares, else every ``_<name>`` folder; ``_posts`` always."""
        base = root / self._collections_dir(generator)
        names: list[str] = []
        declared = generator.data.get("collections")
        if isinstance(declared, (dict, list)):
            names.extend(str(n) for n in declared)
        elif declared is not None:
            raise generator.fail("collections", "must be a mapping or a list of collection names")
        if declared is None and base.is_dir():
            names.extend(
                p.name[1:] for p in sorted(base.iterdir()) if p.name.startswith("_") and p.is_dir() and p.name not in SPECIAL_DIRS
            )
        if "posts" not in names and (base / "_posts").is_dir():
            names.append("posts")
        return {name: self.folder_of(name, generator) for name in names}

    def folder_of(self, name: str, generator: Any) -> str:
        return "/".join(p for p in (self._collections_dir(generator), f"_{name}") if p)

    def roots(self, area: Collection) -> tuple[str, ...]:
        return (area.path,)

    def owns(self, rel: str, area: Collection) -> bool:
        return True

    @staticmethod
    def _collections_dir(generator: Any) -> str:
        # Jekyll reads collections_dir relative to the site, even with a leading "/".
        collections_dir = (generator.get("collections_dir", str, "") or "").strip("/")
        if ".." in Path(collections_dir).parts:
            raise generator.fail("collections_dir", f"must be a folder inside the site: {collections_dir!r}")
        return collections_dir

    def folder_language(self, rel: str, area: Collection) -> str | None:
        """The language folder a path sits in (``_products/ja/x.md`` -> ``ja``), if any."""
        rest = rel[len(area.path) + 1 :]
        slash = rest.find("/")
        if slash <= 0:
            return None
        folder = rest[:slash]
        return folder if folder in area.languages else None

    def is_language_folder(self, rel: str, area: Collection) -> bool:
        parent, _, name = rel.rpartition("/")
        return parent == area.path and name in area.languages

    def language_problem(self, rel: str, area: Collection, lang: str | None) -> str | None:
        folder = self.folder_language(rel, area)
        if folder is not None and folder != lang:
            return f"lang is '{lang}' but the file is in the '{folder}' folder"
        return None

    def ref_and_lang(self, rel: str, area: Collection, ref: str | None, lang: str | None) -> tuple[str | None, str | None]:
        """The front matter's ``ref`` and ``lang``: a Jekyll document says both itself."""
        return ref, lang

    def identity(self, doc: DocEntry) -> tuple[str, str]:
        return doc.collection, doc.ref

    def translation_path(self, source_rel: str, area: Collection, lang: str) -> str | None:
        """The source's path with the language folder swapped."""
        parts = PurePosixPath(source_rel).relative_to(area.path).parts
        if len(parts) < 2 or parts[0] != area.source_lang:
            return None
        return str(PurePosixPath(area.path, lang, *parts[1:]))

    def source_path(self, rel: str, area: Collection, lang: str) -> str | None:
        parts = rel.split("/")
        prefix = area.path.split("/")
        if len(parts) > len(prefix) + 1 and parts[len(prefix)] == lang:
            parts[len(prefix)] = area.source_lang
            return "/".join(parts)
        return None

    def translation_permalink(self, source_permalink: str, source_lang: str, lang: str) -> str | None:
        """The first path segment equal to the source language, swapped for ``lang``."""
        parts = source_permalink.split("/")
        for n, part in enumerate(parts):
            if part == source_lang:
                parts[n] = lang
                return "/".join(parts)
        return None

    def source_url(self, url: str, lang: str, source_lang: str) -> str:
        """A link of a ``lang`` page as its source would write it: each ``lang`` segment swapped back."""
        if f"/{lang}" not in url:
            return url
        return "/".join(source_lang if part == lang else part for part in url.split("/"))

    def page_url(self, rel: str, area: Collection) -> str | None:
        return None  # a Jekyll page's URL is its permalink

    def permalink_problem(
        self, permalink: str | None, lang: str, languages: Iterable[str], *,
        source_permalink: object = None, source_lang: str | None = None,
    ) -> PermalinkProblem | None:
        """A permalink's language segment is its document's ``lang``, written so; a translation's
        permalink is its source's with that segment swapped, and never the source's own URL."""
        translation = source_lang is not None
        src = source_permalink if translation and isinstance(source_permalink, str) else None
        expected = self.translation_permalink(src, source_lang, lang) if src is not None else None
        if expected is not None and unsafe_permalink(expected):
            expected = None  # nothing a fix may write
        if permalink is None:
            return PermalinkProblem("missing", expected) if src is not None else None
        why = unsafe_permalink(permalink)
        if why is not None:
            return PermalinkProblem("unsafe", detail=why)
        known = {code.lower() for code in languages}
        path = permalink.split("?")[0].split("#")[0]
        segment = next((p for p in path.split("/") if p and p.lower() in known), None)
        if segment is None:
            if expected is not None:
                return PermalinkProblem("no-language", expected, fix=expected)
            if src is not None and permalink == src:
                return PermalinkProblem("source")
            return None
        if segment != lang:
            kind = "case" if segment.lower() == lang.lower() else "language"
            return PermalinkProblem(kind, expected, segment, fix=expected or permalink.replace(f"/{segment}/", f"/{lang}/", 1))
        if expected is not None and permalink != expected:
            return PermalinkProblem("differs", expected, segment, fix=expected)
        return None


LAYOUT = JekyllLayout()
