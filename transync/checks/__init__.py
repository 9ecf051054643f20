"""Structural checks of translations against their sources, in three parts.

- :mod:`~transync.checks.page`: one side of a pair, its body read as an outline (:mod:`transync.document.outline`);
- :mod:`~transync.checks.invariants`: one small function per invariant, registered by name;
- :mod:`~transync.checks.runner`: the pairs of a site, the runner and its findings cache;
- :mod:`~transync.checks.termcheck`: glossary terms kept in translations (``glossary check``);
- :mod:`~transync.checks.permalinks`: permalinks against the layout's rule (``permalinks``, ``--fix``).

The names below are what callers use; each lives in one of those modules.
"""

from transync.checks.invariants import REGISTRY, Context, Problem
from transync.checks.page import Page
from transync.checks.runner import CheckReport, Finding, Pair, Unreadable, check_pair, check_site, check_texts, pairs_of

__all__ = [
    "REGISTRY", "CheckReport", "Context", "Finding", "Page", "Pair", "Problem", "Unreadable",
    "check_pair", "check_site", "check_texts", "pairs_of",
]
