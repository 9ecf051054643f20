"""Path layouts: translations matched by their path under the language, as Lunaria patterns say.

A pattern is a path relative to the site root with two tokens: ``@lang`` (a
language code) and ``@path`` (the rest of the path, the same in every
language). ``src/content/docs/@lang/@path`` (Starlight),
``@path.@lang.md`` (suffixes), ``i18n/@lang/docusaurus-plugin-content-docs/current/@path``
(Docusaurus). The source language may keep its files under a pattern of its
own (Docusaurus: ``docs/@path``; Starlight's root locale:
``src/content/docs/@path``). A document's identity is its ``@path``; a site
generator with an explicit key (Hugo's ``translationKey``) overrides it when
the front matter has one. Nothing is read from the front matter otherwise:
``ref`` and ``lang`` are not needed, and a front-matter ``lang`` that
disagrees with the path is reported.

:func:`pattern_layout` builds one from a source language, the languages and
the patterns; the named presets (``starlight``, ``docusaurus``, ``hugo``,
``mkdocs-static-i18n``) are modules of this package that build theirs with it.
A :class:`PatternLayout` may hold several *file sets* (one area of the site
each, ``SiteConfig.collections``), each with its own patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from transync.site.layouts import PermalinkProblem
from transync.site.layouts.jekyll import JekyllLayout

if TYPE_CHECKING:
    from transync.site.config import Collection
    from transync.site.scan import DocEntry

#: Markdown and MDX: the documents of the generators that render both.
MD_AND_MDX = (".md", ".mdx")
_TOKEN = re.compile(r"@(\w+)")
_TOKENS = ("lang", "path")
#: A language as a path holds it: no slash, no dot (``pt-br``, ``zh_CN``).
_LANG = r"(?P<lang>[A-Za-z0-9][A-Za-z0-9_-]*)"


class PatternError(ValueError):
    """A pattern that cannot be used; the message says why (the configuration names the key)."""


@dataclass(frozen=True)
class Pattern:
    """One Lunaria-style path pattern, e.g. ``src/content/docs/@lang/@path``."""

    text: str

    def __post_init__(self) -> None:
        text = self.text
        if not isinstance(text, str) or not text.strip():
            raise PatternError("must be a non-empty path pattern such as \"src/content/docs/@lang/@path\"")
        if text.startswith("/") or "\\" in text or ".." in text.split("/") or "//" in text:
            raise PatternError(f"must be a plain path relative to the site root: {text!r}")
        names = _TOKEN.findall(text)
        for name in names:
            if name not in _TOKENS:
                raise PatternError(f"has an unknown token @{name} in {text!r} (known: @lang, @path)")
        if names.count("path") != 1 or names.count("lang") > 1:
            raise PatternError(f"must hold @path once and @lang at most once: {text!r}")

    @cached_property
    def has_lang(self) -> bool:
        return "@lang" in self.text

    @cached_property
    def regex(self) -> re.Pattern[str]:
        out, pos = [], 0
        for m in _TOKEN.finditer(self.text):
            out.append(re.escape(self.text[pos : m.start()]))
            out.append(_LANG if m.group(1) == "lang" else r"(?P<path>[^/].*)")
            pos = m.end()
        out.append(re.escape(self.text[pos:]))
        return re.compile("".join(out))

    @cached_property
    def lang_folder(self) -> re.Pattern[str] | None:
        """The part up to ``@lang`` when it is a whole folder (``src/content/docs/@lang``)."""
        head, sep, _ = self.text.partition("@lang")
        if not sep or (head and not head.endswith("/")) or not self.text[len(head) + 5 :].startswith("/"):
            return None
        return re.compile(re.escape(head) + _LANG)

    @cached_property
    def root(self) -> str:
        """The folder every path of the pattern is under (``""``: the site root)."""
        head = self.text[: _TOKEN.search(self.text).start()]  # type: ignore[union-attr]
        return head.rpartition("/")[0]

    def match(self, rel: str) -> tuple[str | None, str] | None:
        """``(lang or None, path)`` of a path the pattern matches, else None."""
        m = self.regex.fullmatch(rel)
        if m is None:
            return None
        return (m.group("lang") if self.has_lang else None), m.group("path")

    def fill(self, lang: str, path: str) -> str:
        return self.text.replace("@lang", lang).replace("@path", path)


@dataclass(frozen=True)
class FileSet:
    """One area of a path-layout site: where the source language and the translations keep it."""

    name: str
    translation: Pattern
    source: Pattern

    @property
    def root(self) -> str:
        """The folder that holds both patterns' files (the area's ``path``)."""
        a, b = self.translation.root.split("/"), self.source.root.split("/")
        common = []
        for x, y in zip(a, b):
            if x != y:
                break
            common.append(x)
        return "/".join(common)

    @property
    def roots(self) -> tuple[str, ...]:
        """The folders walked: the two patterns' roots, one of them when it holds the other."""
        t, s = self.translation.root, self.source.root
        if t == s or _under(s, t):
            return (t,)
        if _under(t, s):
            return (s,)
        return (s, t)


def _under(path: str, folder: str) -> bool:
    return folder == "" or path == folder or path.startswith(folder + "/")


def file_set(name: str, pattern: str, source_lang: str, source: str | None = None) -> FileSet:
    """A file set from a translation pattern and, when the source keeps its files elsewhere, its own.

    Without ``source`` the source language follows ``pattern`` (``@lang`` = the
    source language), as Lunaria's single pattern does.
    """
    translation = Pattern(pattern)
    if not translation.has_lang:
        raise PatternError(f"must hold @lang: {pattern!r}")
    if source is None:
        source_pattern = Pattern(translation.text.replace("@lang", source_lang))
    else:
        source_pattern = Pattern(source)
        if source_pattern.has_lang:
            source_pattern = Pattern(source_pattern.text.replace("@lang", source_lang))
    return FileSet(name, translation, source_pattern)


@dataclass(frozen=True)
class PatternLayout(JekyllLayout):
    """A site whose translations are matched by path (see the module's docstring).

    Permalinks, when a document has one, follow the Jekyll rule (the language
    segment swapped); a generator whose URLs come from paths subclasses it
    with ``page_url`` and ``source_url`` (see :mod:`transync.site.layouts.starlight`).
    """

    name: str = "pattern"
    file_sets: tuple[FileSet, ...] = ()
    source_lang: str = "en"
    languages: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = MD_AND_MDX  # type: ignore[assignment]
    #: A front-matter field that, when a document has it, is its identity instead of its path (Hugo: translationKey).
    ref_field: str | None = None
    #: Whether names starting with ``_`` are skipped (Astro and Docusaurus skip them; Hugo's ``_index.md`` is a page).
    skip_underscore: bool = True
    matched_by: tuple[str, ...] = ()  # type: ignore[assignment]
    default_required: tuple[str, ...] = ()
    default_fields: tuple[tuple[str, str], ...] = ()
    identity_name: str = "path"
    #: Detection and configuration details a later ``transync init`` may write down (not used to match files).
    settings: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    # ------------------------------------------------------------------ the walk

    def ignored(self, name: str) -> bool:
        if name.startswith(".") or name == "node_modules" or name.endswith("~"):
            return True
        return self.skip_underscore and name.startswith("_")

    def folders(self, root: Path, generator: Any) -> dict[str, str]:
        return {s.name: s.root for s in self.file_sets}

    def folder_of(self, name: str, generator: Any) -> str:
        for s in self.file_sets:
            if s.name == name:
                return s.root
        raise generator.fail("layout", f"has no file set called {name!r} (file sets: {', '.join(s.name for s in self.file_sets)})")

    def roots(self, area: Collection) -> tuple[str, ...]:
        fs = self._set(area)
        return fs.roots if fs is not None else (area.path,)

    def owns(self, rel: str, area: Collection) -> bool:
        return self._place(rel, area) is not None

    def _set(self, area: Collection) -> FileSet | None:
        return next((s for s in self.file_sets if s.name == area.name), None)

    def _place(self, rel: str, area: Collection) -> tuple[str, str] | None:
        """``(lang, path)`` of a file of the area, or None when no pattern of the area matches it.

        A translation pattern is asked first: the source's pattern may match a
        translation too (Starlight's root locale holds the ``fr/`` folder). A
        match whose language the site does not declare still places the file
        when the source pattern does not: the scan then reports its language.
        """
        fs = self._set(area)
        if fs is None or not rel.endswith(self.suffixes):
            return None
        found = fs.translation.match(rel)
        if found is not None and found[0] in area.languages:
            return found  # type: ignore[return-value]
        src = fs.source.match(rel)
        if src is not None:
            return area.source_lang, src[1]
        return found  # type: ignore[return-value]

    # ------------------------------------------------------------------ identity and language

    def folder_language(self, rel: str, area: Collection) -> str | None:
        fs = self._set(area)
        if fs is None:
            return None
        placed = self._place(rel, area)
        if placed is not None:
            return placed[0] if placed[0] in area.languages else None
        folder = fs.translation.lang_folder
        m = folder.match(rel) if folder is not None else None
        return m.group("lang") if m is not None and m.group("lang") in area.languages else None

    def is_language_folder(self, rel: str, area: Collection) -> bool:
        fs = self._set(area)
        folder = fs.translation.lang_folder if fs is not None else None
        m = folder.fullmatch(rel) if folder is not None else None
        return m is not None and m.group("lang") in area.languages

    def language_problem(self, rel: str, area: Collection, lang: str | None) -> str | None:
        placed = self._place(rel, area)
        if placed is not None and lang is not None and placed[0] != lang:
            return f"lang is '{lang}' but the file's path makes it '{placed[0]}'"
        return None

    def ref_and_lang(self, rel: str, area: Collection, ref: str | None, lang: str | None) -> tuple[str | None, str | None]:
        """The path under the language (or the ``ref_field`` value), and the language the path gives;
        a front-matter ``lang`` is returned instead when there is one, for :meth:`language_problem` to judge."""
        placed = self._place(rel, area)
        if placed is None:
            return ref, lang
        path_lang, path = placed
        return (ref if self.ref_field is not None and ref is not None else path), (lang if lang is not None else path_lang)

    def identity(self, doc: DocEntry) -> tuple[str, str]:
        return doc.collection, doc.ref

    # ------------------------------------------------------------------ paths

    def translation_path(self, source_rel: str, area: Collection, lang: str) -> str | None:
        fs = self._set(area)
        placed = self._place(source_rel, area)
        if fs is None or placed is None or placed[0] != area.source_lang or lang == area.source_lang:
            return None
        return fs.translation.fill(lang, placed[1])

    def source_path(self, rel: str, area: Collection, lang: str) -> str | None:
        fs = self._set(area)
        found = fs.translation.match(rel) if fs is not None else None
        if found is None:
            return None
        return fs.source.fill(area.source_lang, found[1])  # type: ignore[union-attr]

    def permalink_problem(
        self, permalink: object, lang: str, languages: Iterable[str], *,
        source_permalink: object = None, source_lang: str | None = None,
    ) -> PermalinkProblem | None:
        # Pages of a path layout need no permalink: only one that is written is judged (Jekyll's rule).
        if permalink is None:
            return None
        return super().permalink_problem(permalink, lang, languages, source_permalink=source_permalink, source_lang=source_lang)


def pattern_layout(
    source_lang: str,
    locales: Sequence[str],
    patterns: Sequence[str | tuple[str, str] | FileSet],
    *,
    source: str | None = None,
    name: str = "pattern",
    suffixes: Sequence[str] = MD_AND_MDX,
    ref_field: str | None = None,
    skip_underscore: bool = True,
    settings: Iterable[tuple[str, Any]] = (),
    cls: type[PatternLayout] = PatternLayout,
    default_fields: Iterable[tuple[str, str]] = (),
) -> PatternLayout:
    """A path layout from the source language, the languages (source included) and the patterns.

    Each pattern is a translation pattern (``src/content/docs/@lang/@path``), a
    ``(name, pattern)`` pair naming its file set, or a :class:`FileSet`.
    ``source`` is the source language's own pattern for a single pattern
    (``docs/@path``); without it the source follows the pattern. Raises
    :class:`PatternError` for a pattern it cannot use.
    """
    if source_lang not in locales:
        raise PatternError(f"source language {source_lang!r} is not one of the locales {list(locales)}")
    sets: list[FileSet] = []
    for n, item in enumerate(patterns):
        if isinstance(item, FileSet):
            sets.append(item)
            continue
        set_name, text = item if isinstance(item, tuple) else ("docs" if n == 0 else f"docs{n + 1}", item)
        sets.append(file_set(set_name, text, source_lang, source if len(patterns) == 1 else None))
    if not sets:
        raise PatternError("needs at least one pattern")
    if len({s.name for s in sets}) != len(sets):
        raise PatternError("names a file set twice")
    for suffix in suffixes:
        if not suffix.startswith("."):
            raise PatternError(f"suffixes must start with '.': {suffix!r}")
    return cls(
        name=name, file_sets=tuple(sets), source_lang=source_lang, languages=tuple(locales),
        suffixes=tuple(suffixes), ref_field=ref_field, skip_underscore=skip_underscore, settings=tuple(settings),
        default_fields=tuple(default_fields),
    )


# --------------------------------------------------------------------------- presets


@dataclass(frozen=True)
class Detection:
    """What a site's own files say about its layout: a preset, its languages and its options.

    ``options`` are ``[layout]`` keys (``structure``, ``pattern``, ``source``, or ``files`` as
    ``(name, pattern, source or None)`` tuples) as transync.toml would hold them; ``found_in`` is the file they were read from. ``source_lang`` or
    ``languages`` is None when that file does not say (the configuration must).
    """

    preset: str
    source_lang: str | None = None
    languages: tuple[str, ...] | None = None
    options: tuple[tuple[str, Any], ...] = ()
    found_in: str = ""

    def as_table(self) -> dict[str, Any]:
        """The ``[layout]`` table that writes this down (for ``transync init``)."""
        table: dict[str, Any] = {"preset": self.preset}
        if self.source_lang:
            table["source_lang"] = self.source_lang
        if self.languages:
            table["locales"] = list(self.languages)
        for key, value in self.options:
            table[key] = [{"name": n, "pattern": p, **({"source": src} if src else {})} for n, p, src in value] if key == "files" else value
        return table


@dataclass(frozen=True)
class Preset:
    """A named path layout: its file sets per ``structure`` and how to find it in a site.

    ``structures`` maps a structure name (the first is the default) to file sets
    ``(name, translation pattern, source pattern or None)``. A configuration
    names it (``layout = "starlight"``) and :meth:`build` makes the layout for
    the site's languages; ``[layout]`` keys (``pattern``, ``source``...) replace
    the preset's.
    """

    name: str
    structures: tuple[tuple[str, tuple[tuple[str, str, str | None], ...]], ...]
    suffixes: tuple[str, ...] = MD_AND_MDX
    ref_field: str | None = None
    skip_underscore: bool = True
    cls: type[PatternLayout] = PatternLayout
    #: A function of the site root: the Detection, or None when the site is not of this generator.
    detector: Any = None
    #: Presets whose detection this one's wins over when both recognise a site (a tool's own config
    #: that describes the generator's files more exactly, e.g. a translation tracker's over Starlight's).
    supersedes: tuple[str, ...] = ()
    #: The generator's front-matter field rules (see :attr:`transync.site.layouts.Layout.default_fields`).
    fields: tuple[tuple[str, str], ...] = ()

    def detect(self, root: Path) -> Detection | None:
        return self.detector(root) if self.detector is not None else None

    def build(
        self, source_lang: str, locales: Sequence[str], *, structure: str | None = None,
        pattern: str | None = None, source: str | None = None, suffixes: Sequence[str] | None = None,
        files: Sequence[tuple[str, str, str | None]] | None = None, settings: Iterable[tuple[str, Any]] = (),
    ) -> PatternLayout:
        """The layout for a site's languages; ``pattern``/``source`` replace the structure's first file set,
        ``files`` (``(name, pattern, source or None)`` each) all of them."""
        shapes = dict(self.structures)
        if structure is None:
            structure = self.structures[0][0]
        if structure not in shapes:
            raise PatternError(f"structure {structure!r} is not one of {', '.join(shapes)}")
        shape = list(files) if files is not None else list(shapes[structure])
        if pattern is not None:
            shape[:1] = [(shape[0][0] if shape else "docs", pattern, source)]
        elif source is not None and shape:
            shape[0] = (shape[0][0], shape[0][1], source)
        sets = [file_set(set_name, translation, source_lang, own_source) for set_name, translation, own_source in shape]
        return pattern_layout(
            source_lang, locales, sets, name=self.name, suffixes=suffixes or self.suffixes, ref_field=self.ref_field,
            skip_underscore=self.skip_underscore, settings=(("structure", structure), *settings), cls=self.cls,
            default_fields=self.fields,
        )


#: ``layout = "pattern"``: nothing preset, ``[layout] pattern`` (and ``source``) say everything.
LAYOUT = Preset("pattern", (("default", ()),))
