"""The exception hierarchy of transync and the exit codes it maps to.

Every command exits 0 when there is nothing to report, 1 when it found
something its ``--fail-on`` policy counts, 2 on usage, configuration or
input errors, and 3 when the translation service refused the work.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_SERVICE = 3


class TransyncError(Exception):
    """Base class: a problem the user can fix, told in one line."""

    exit_code = EXIT_USAGE


class ConfigError(TransyncError):
    """A configuration file or value is wrong; the message names the key."""


class UsageError(TransyncError):
    """The command line asks for something that cannot be done."""


class DocumentError(TransyncError):
    """One document cannot be read or understood.

    ``line`` is the 1-based line of the problem when it is known.
    """

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class ServiceError(TransyncError):
    """The translation service refused the work (bad key, quota exhausted)."""

    exit_code = EXIT_SERVICE


class EngineError(TransyncError):
    """The translation engine failed after its own retries (network, 5xx, 429, a malformed reply).

    A run stops sending on it, as on a refusal: what is finished is kept.
    """

    exit_code = EXIT_SERVICE


class RequestTooLarge(EngineError):
    """The engine refused one request for its size (DeepL: HTTP 413)."""


class Interrupted(TransyncError):
    """The run was asked to stop by a signal (SIGINT, SIGTERM): what is finished is kept."""

    def __init__(self, signum: int) -> None:
        import signal

        name = signal.Signals(signum).name
        super().__init__(f"interrupted by {name}: finished documents are kept; run again to resume")
        self.signum = signum
        self.exit_code = 128 + signum
