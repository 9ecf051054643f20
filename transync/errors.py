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


def _one_line(message: str) -> str:
    # Service and library messages may hold line breaks (a server's HTML error
    # page, a header value); the CLI prints exactly one line per error.
    return " ".join(str(message).split())


class EngineFailure(TransyncError):
    """Every failure of a translation engine (:mod:`transync.translate.engines`): the service failed
    after the library's retries (network, timeout, 5xx, 429), answered something
    unusable, or refused the work (:class:`ServiceError`). Exit code 3; one line, no key in it.
    """

    exit_code = EXIT_SERVICE

    def __init__(self, message: str) -> None:
        super().__init__(_one_line(message))


class ServiceError(EngineFailure):
    """The translation service refused the work (bad key, quota exhausted)."""


class QuotaExceeded(ServiceError):
    """The service's character quota is used up (DeepL: 456)."""


class AuthFailed(ServiceError):
    """The service refused the key (DeepL: 403; OpenAI-compatible: 401, 403)."""


class RequestTooLarge(EngineFailure):
    """The service refused one request as too large (DeepL: 413, over 128 KiB).

    Retrying the same request cannot help: the caller splits the batch
    (``texts`` > 1) or fails the document that holds the one text.
    """

    def __init__(self, message: str, *, texts: int, size: int | None = None) -> None:
        super().__init__(message)
        self.texts = texts  # how many texts the refused request carried
        self.size = size  # its size in bytes as transync measured it (UTF-8 of the texts), when known


class Interrupted(TransyncError):
    """The run was asked to stop by a signal (SIGINT, SIGTERM): what is finished is kept."""

    def __init__(self, signum: int) -> None:
        import signal

        name = signal.Signals(signum).name
        super().__init__(f"interrupted by {name}: finished documents are kept; run again to resume")
        self.signum = signum
        self.exit_code = 128 + signum
