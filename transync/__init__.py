"""transync keeps a multilingual Markdown site in sync across languages.

The package is a library first; :mod:`transync.cli` is a thin command line
over it. What a Python user calls is ``__all__`` below, importable from
``transync`` directly (each name is loaded on first use, so that the command
line starts no faster or slower for it)::

    import transync
    config = transync.load_config(Path("site"))
    report = transync.status_report(transync.scan(config))
    checks = transync.check_site(transync.scan(config))
    jobs, skips = transync.select(report)
    summary = transync.Run(config, transync.make_engine("pseudo", config, {}), transync.options_for(config, report, jobs)).run(jobs)

Everything else (the layers ``site``, ``document``, ``translate``,
``checks``, ``report``, see docs/architecture.md) is importable too, but its
names may change between versions.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: The library API: each name and the module that defines it (as ``module:attribute``).
_API = {
    "load_config": "transync.site.config:load_config",
    "find_root": "transync.site.config:find_root",
    "SiteConfig": "transync.site.config:SiteConfig",
    "scan": "transync.site.scan:scan",
    "ScanResult": "transync.site.scan:ScanResult",
    "status_report": "transync.site.status:report",
    "StatusReport": "transync.site.status:StatusReport",
    "check_site": "transync.checks.runner:check_site",
    "check_texts": "transync.checks.runner:check_texts",
    "CheckReport": "transync.checks.runner:CheckReport",
    "Finding": "transync.checks.runner:Finding",
    "select": "transync.translate.run:select",
    "options_for": "transync.translate.run:options_for",
    "Run": "transync.translate.run:Run",
    "Summary": "transync.translate.run:Summary",
    "make_engine": "transync.translate.engines:make_engine",
    "TransyncError": "transync.errors:TransyncError",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    target = _API.get(name)
    if target is None:
        raise AttributeError(f"module 'transync' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
