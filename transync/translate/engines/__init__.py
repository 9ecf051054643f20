"""Translation engines: the protocol every engine follows, and the registry that finds one by name.

An engine takes segments as placeholder XML (see :mod:`transync.document.placeholders`)
and returns XML in the target language, keeping every ``<x id="N"/>`` and
moving paired tags with the words they wrap; the run driver
(:mod:`transync.translate.run`) checks every reply and retries a broken one once.
Built-in engines are ``deepl`` (:mod:`transync.translate.engines.deepl`), ``openai``
(:mod:`transync.translate.engines.openai`, any OpenAI-compatible chat server) and
``pseudo`` (:mod:`transync.translate.engines.pseudo`, offline); a package adds one
through the ``transync.engines`` entry-point group. Each engine reads its own
table of the configuration, ``[translate.<name>]``, validated when the
configuration is loaded. Every failure of an engine is a
:class:`~transync.errors.TransyncError` whose exit code is 3
(:class:`~transync.errors.EngineFailure`, or a refusal such as
:class:`~transync.errors.AuthFailed`), and no message ever holds a key
(:func:`redact`).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

from transync.errors import UsageError

#: Where a package registers an engine: ``[project.entry-points."transync.engines"] name = "pkg.module:EngineClass"``.
ENTRY_POINT_GROUP = "transync.engines"

#: The built-in engines, as ``module:class`` (imported only when used).
BUILTIN: dict[str, str] = {
    "deepl": "transync.translate.engines.deepl:DeepLEngine",
    "openai": "transync.translate.engines.openai:OpenAIEngine",
    "pseudo": "transync.translate.engines.pseudo:PseudoEngine",
}


@dataclass(frozen=True, slots=True)
class Translated:
    text: str  # XML, same placeholders as the input
    billed_characters: int = 0
    #: Tokens of the request that carried this text, for engines billed by the token: a request's
    #: counts are on its first text (0 on the others), so that a sum over every reply is the total.
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Engine(Protocol):
    """What every engine does: translate a batch of XML segments, in order.

    Optional: ``use_glossaries(glossaries)`` (a :class:`transync.translate.glossary.Glossaries`),
    called once before a run; an engine without glossary support lacks it.
    """

    name: str

    def translate(self, texts: Sequence[str], *, source_lang: str, target_lang: str) -> list[Translated]: ...


class Table(Protocol):
    """One table of the configuration (``[translate.<name>]``), typed access and errors naming the key;
    see ``transync.site.config._Reader``."""

    where: str

    def check_keys(self, allowed: set[str]) -> None: ...
    def get(self, name: str, kind: type, default: Any = None) -> Any: ...
    def number(self, name: str, default: Any = None, *, positive: bool = True) -> Any: ...
    def whole(self, name: str, default: int, *, minimum: int = 0) -> int: ...
    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str | None: ...
    def fail(self, name: str, problem: str) -> Exception: ...


class EngineType(Protocol):
    """What the registry holds for an engine: its class, or any object with these."""

    name: str

    @classmethod
    def settings(cls, table: Table) -> Any:
        """Validate ``[translate.<name>]`` (raise ``table.fail(...)``); return what :meth:`create` needs."""

    @classmethod
    def create(cls, settings: Any, environ: Mapping[str, str]) -> Engine:
        """The engine, with its keys from ``environ``; UsageError when one is missing."""


def names() -> list[str]:
    """Every engine the registry knows: the built-ins, then those of installed packages."""
    return [*BUILTIN, *sorted(n for n in _entry_points() if n not in BUILTIN)]


def known(name: str) -> bool:
    """Whether ``name`` is a registered engine (installed packages are looked up only for a name no built-in has)."""
    return name in BUILTIN or name in _entry_points()


def engine_type(name: str) -> EngineType:
    """The registered engine ``name``; UsageError naming the known ones when there is none."""
    target = BUILTIN.get(name)
    if target is not None:
        module, _, attr = target.partition(":")
        return getattr(importlib.import_module(module), attr)
    entry = _entry_points().get(name)
    if entry is None:
        raise UsageError(f"unknown engine {name!r} (engines: {', '.join(names())})")
    try:
        return entry.load()
    except Exception as exc:  # a broken plug-in names itself, in one line
        raise UsageError(f"engine {name!r} ({entry.value}) cannot be loaded: {type(exc).__name__}: {exc}") from None


def _entry_points() -> dict[str, Any]:
    # Scanning the installed packages takes tens of milliseconds: only when a name is not built in.
    from importlib.metadata import entry_points

    return {e.name: e for e in entry_points(group=ENTRY_POINT_GROUP)}


def default_engine(configured: str | None, environ: Mapping[str, str]) -> str | None:
    """The engine a run uses without --engine: the configured one, else DeepL when ``DEEPL_AUTH_KEY``
    holds a key (a blank one is no key, as :func:`api_key` says), else None."""
    return configured or ("deepl" if environ.get("DEEPL_AUTH_KEY", "").strip() else None)


def make_engine(name: str | None, config, environ: Mapping[str, str]) -> Engine:
    """The engine to use: ``name`` (from --engine), else the configured one, else
    DeepL when ``DEEPL_AUTH_KEY`` is set. Raises UsageError when none can be used.
    """
    tr = config.translate
    name = name or default_engine(tr.engine, environ)
    if name is None:
        raise UsageError(
            "no translation engine: set DEEPL_AUTH_KEY for DeepL, or use --engine openai (OPENAI_API_KEY and "
            "[translate.openai] model); to preview, --dry-run or transync pseudo FILE"
        )
    kind = engine_type(name)
    return kind.create(tr.engine_settings(name), environ)


# --------------------------------------------------------------------------- keys

#: What an API key may be made of: printable ASCII without spaces. A line break
#: in a key (a key file with CRLF, a heredoc) is sent in a header, and
#: ``requests`` refuses it with a message that quotes the header, key included.
_KEY_CHARS = re.compile(r"[\x21-\x7e]+")

#: Key-like values in any message: the value of an Authorization header and
#: the shapes of DeepL keys (a UUID, ``:fx`` for Free) and OpenAI keys.
_KEY_LIKE = re.compile(
    r"(?i)((?:Authorization:\s*)?(?:DeepL-Auth-Key|Bearer)\s+|Authorization:\s*)[^\s'\",;]+"
    r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:fx\b"
    r"|\bsk-[A-Za-z0-9_-]{16,}"
)
REDACTED = "[redacted]"


def api_key(environ: Mapping[str, str], variable: str, engine: str) -> str:
    """The key in ``variable``, checked; UsageError naming the variable (never the value) when unusable."""
    key = environ.get(variable, "").strip()
    if not key:
        raise UsageError(f"--engine {engine} needs the API key in the {variable} environment variable")
    check_key(variable, key)
    return key


def check_key(variable: str, key: str) -> None:
    """Refuse a key that cannot be sent in a header; the message names the variable, never the value."""
    if not _KEY_CHARS.fullmatch(key):
        raise UsageError(f"{variable} holds a space, a line break or another character no API key has: set it to the key alone")


def redact(text: str, *secrets: str) -> str:
    """``text`` with every secret (as written, or escaped as ``repr`` shows it) and
    every key-like value replaced by ``[redacted]``."""
    for secret in secrets:
        if not secret:
            continue
        for form in sorted({secret, repr(secret)[1:-1], secret.strip()}, key=len, reverse=True):
            if len(form) >= 4:
                text = text.replace(form, REDACTED)
        # A key split across lines can show up piece by piece.
        for part in secret.split():
            if len(part) >= 8:
                text = text.replace(part, REDACTED)
    return _KEY_LIKE.sub(lambda m: (m.group(1) or "") + REDACTED, text)


def safe_message(exc: BaseException, *secrets: str) -> str:
    """The first line of an exception's message, at most 200 characters, with
    the secrets and anything key-like redacted."""
    text = str(exc).strip()
    text = redact(text, *secrets).splitlines()[0] if text else type(exc).__name__
    return text[:200]
