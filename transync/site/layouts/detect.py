"""Which layout a site is in, read from the site generator's own files.

:func:`detect` asks every preset (``Preset.detect``: Starlight's
``astro.config.*``, ``docusaurus.config.*``, Hugo's ``hugo.toml``/``config.toml``,
``mkdocs.yml`` with the i18n plugin, a ``_config.yml`` with jekyll-polyglot)
and answers only when exactly one recognises the site (a preset may
supersede others: ``Preset.supersedes``); None means the
Jekyll-collections default. The answer is a
:class:`~transync.site.layouts.pattern.Detection` that ``transync init`` can
write down (``Detection.as_table``). The small readers here find a
generator's file and read YAML leniently; JavaScript and TypeScript
configuration is read by :mod:`transync.site.jsliteral`, as Lunaria's is.
"""

from __future__ import annotations

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
