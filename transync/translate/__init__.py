"""The translate layer: turning missing and stale translations into written ones.

The run (``run``: select, plan, translate, write), a body through an engine
(``body``), the engines (``engines``), the front matter of a translation
(``localize``), the translation memory (``memory`` with ``pofile``,
``journal``, ``align``, ``seed``, ``exchange``, ``revisions``), glossaries
(``glossary``), and a run's ``progress`` and ``interrupts``.
"""
