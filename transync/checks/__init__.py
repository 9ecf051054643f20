"""Structural checks of translations against their sources, in three parts.

- :mod:`~transync.checks.page`: one side of a pair, its Markdown body read as an outline;
- :mod:`~transync.checks.invariants`: one small function per invariant, registered by name;
- :mod:`~transync.checks.runner`: the pairs of a site, the runner and its findings cache.

The names below are what callers use; each lives in one of those modules.
"""

from transync.checks.invariants import REGISTRY, Context, Problem
from transync.checks.page import Outline, Page, outline
from transync.checks.runner import CheckReport, Finding, Pair, Unreadable, check_pair, check_site, check_texts, pairs_of

__all__ = [
    "REGISTRY", "CheckReport", "Context", "Finding", "Outline", "Page", "Pair", "Problem", "Unreadable",
    "check_pair", "check_site", "check_texts", "outline", "pairs_of",
]
