"""The site layer: a site on disk and the state of its translations.

Configuration (``config``), the file layout (``layouts``), reading every
document's header (``scan``, with its ``cache``), the translation state of
each pair (``status``, from git ``history`` and the ``changes`` between
versions), path filters (``sitepaths``) and worker processes (``workers``).
It imports ``document`` and nothing above it (see docs/architecture.md).
"""
