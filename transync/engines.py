"""Translation engines: one small interface, several implementations.

An engine takes segments as placeholder XML (see :mod:`transync.placeholders`)
and returns XML in the target language, keeping every ``<x id="N"/>`` and
moving paired tags with the words they wrap. The ``pseudo`` engine needs no
network: it pseudo-localizes text (accented letters, padding, brackets) so
that anyone can see at a glance what would be translated and what is
protected. The DeepL engine implements the same interface.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Protocol, Sequence

from transync.placeholders import billable_chars


@dataclass(frozen=True, slots=True)
class Translated:
    text: str  # XML, same placeholders as the input
    billed_characters: int = 0


class Engine(Protocol):
    """What every engine does: translate a batch of XML segments, in order."""

    name: str

    def translate(self, texts: Sequence[str], *, source_lang: str, target_lang: str) -> list[Translated]: ...


# --------------------------------------------------------------------------- pseudo

_ACCENTS = str.maketrans(
    "AaBCcDdEeGgHhIiJjKkLlNnOoRrSsTtUuWwYyZz",
    "ÅåƁÇçÐđÉéĜĝĤĥÎîĴĵĶķĻļÑñÖöŔŕŠšŢţÛûŴŵÝýŽž",
)
# Tags and entities pass through untouched; only the text between them changes.
_MARKUP = re.compile(r"<[^>]*>|&[#\w]+;")


@dataclass(frozen=True)
class PseudoEngine:
    """Offline pseudo-localization: ``Hello <x id="1"/> world`` -> ``⟦Ĥéļļö <x id="1"/> ŵöŕļđ·····⟧``.

    Padding (about 30% of the text, at least one mark) shows where layouts
    would break on longer languages; the brackets show where a segment begins
    and ends. It is deterministic, so its output can be compared in tests.
    """

    name: str = "pseudo"
    expansion: float = 0.3

    def translate(self, texts: Sequence[str], *, source_lang: str, target_lang: str) -> list[Translated]:
        return [Translated(self._one(text), billed_characters=billable_chars(text)) for text in texts]

    def _one(self, xml: str) -> str:
        out, pos, letters = [], 0, 0
        for m in _MARKUP.finditer(xml):
            chunk = xml[pos : m.start()]
            letters += sum(ch.isalpha() for ch in chunk)
            out.append(chunk.translate(_ACCENTS))
            out.append(m.group())
            pos = m.end()
        chunk = xml[pos:]
        letters += sum(ch.isalpha() for ch in chunk)
        out.append(chunk.translate(_ACCENTS))
        padding = "·" * max(1, round(letters * self.expansion))
        return "⟦" + "".join(out) + padding + "⟧"


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


def check_key(variable: str, key: str) -> None:
    """Refuse a key that cannot be sent in a header; the message names the variable, never the value."""
    from transync.errors import UsageError

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


def make_engine(name: str | None, config, environ: Mapping[str, str]) -> Engine:
    """The engine to use: ``name`` (from --engine), else the configured one, else
    DeepL when ``DEEPL_AUTH_KEY`` is set. Raises UsageError when none can be used.
    """
    from transync.errors import UsageError

    tr = config.translate
    name = name or tr.engine or ("deepl" if environ.get("DEEPL_AUTH_KEY") else None)
    if name is None:
        raise UsageError("no translation engine: set DEEPL_AUTH_KEY for DeepL, or use --engine pseudo to preview")
    if name == "pseudo":
        return PseudoEngine()
    if name != "deepl":
        raise UsageError(f"unknown engine {name!r} (engines: deepl, pseudo)")
    key = environ.get("DEEPL_AUTH_KEY", "").strip()
    if not key:
        raise UsageError("--engine deepl needs the API key in the DEEPL_AUTH_KEY environment variable")
    check_key("DEEPL_AUTH_KEY", key)
    from transync.deepl_engine import DeepLEngine

    return DeepLEngine(
        key,
        server_url=environ.get("DEEPL_SERVER_URL") or tr.server_url,
        target_codes={lang: t.deepl_code for lang, t in tr.targets.items() if t.deepl_code},
        formality=tr.formality,
        context=tr.context,
        retries=tr.retries,
        timeout=tr.timeout,
    )
