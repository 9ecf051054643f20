"""The DeepL engine, through the official ``deepl`` library.

Network lives here and nowhere else. Segments travel as placeholder XML with
``tag_handling="xml"`` and ``ignore_tags=["x"]``, so protected spans are never
translated and never billed. Retries of 429 and 5xx are the library's own
(exponential backoff from 1 s, times 1.6); transync sets their number once
(``retries``) and adds none of its own, so a failing service costs seconds,
not minutes. A refusal (bad key, quota) becomes :class:`ServiceError`.

The API key is read from ``DEEPL_AUTH_KEY`` by the caller and is never
printed or logged: error messages name the variable, never its value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from transync.engines import Translated
from transync.errors import EngineError, RequestTooLarge, ServiceError

#: DeepL needs a regional variant for some target languages.
DEFAULT_TARGET_CODES = {"en": "EN-US", "pt": "PT-BR", "zh": "ZH-HANS"}


class QuotaExceeded(ServiceError):
    """DeepL answered 456: the character quota is used up."""


class AuthFailed(ServiceError):
    """DeepL answered 403: the key is wrong or not allowed on this server."""


class EngineFailure(EngineError):
    """The service failed after the library's retries (network, 5xx, 429)."""


def target_code(lang: str, overrides: Mapping[str, str] | None = None) -> str:
    codes = {**DEFAULT_TARGET_CODES, **(overrides or {})}
    return codes.get(lang, lang.replace("_", "-").upper())


def source_code(lang: str) -> str:
    # Source languages take no regional variant ("EN", not "EN-US").
    return lang.split("-")[0].split("_")[0].upper()


@dataclass
class DeepLEngine:
    auth_key: str = field(repr=False)
    server_url: str | None = None
    target_codes: Mapping[str, str] = field(default_factory=dict)
    formality: str | None = None
    context: str | None = None
    retries: int = 3
    timeout: float = 15.0
    name: str = "deepl"
    #: The transync glossary on the account (see transync.glossary.sync) and its language pairs.
    glossary_id: str | None = None
    glossary_pairs: frozenset[tuple[str, str]] = frozenset()

    def __post_init__(self) -> None:
        import deepl
        from deepl import http_client

        # Module-level settings of the library: its retry count and request timeout.
        http_client.max_network_retries = self.retries
        http_client.min_connection_timeout = self.timeout
        self._deepl = deepl
        self._client = deepl.DeepLClient(self.auth_key, server_url=self.server_url, send_platform_info=False)

    @property
    def client(self):
        """The library's client, for glossary management."""
        return self._client

    def use_glossaries(self, glossaries) -> "object | None":
        """Sync the glossary files to the account and use the glossary in every request it covers."""
        from transync.glossary import sync

        deepl = self._deepl
        try:
            synced = sync(self._client, glossaries)
        except deepl.AuthorizationException:
            raise AuthFailed("DeepL refused the key in DEEPL_AUTH_KEY (403): check the key and whether it is a Free or Pro key for this server") from None
        except deepl.DeepLException as exc:
            raise EngineFailure(f"DeepL glossary sync failed: {_safe(exc)}") from None
        if synced is not None:
            self.glossary_id = synced.glossary_id
            self.glossary_pairs = frozenset(synced.pairs)
        return synced

    def translate(self, texts: Sequence[str], *, source_lang: str, target_lang: str) -> list[Translated]:
        deepl = self._deepl
        glossary = self.glossary_id if (source_lang, target_lang) in self.glossary_pairs else None
        try:
            results = self._client.translate_text(
                list(texts),
                source_lang=source_code(source_lang),
                target_lang=target_code(target_lang, self.target_codes),
                tag_handling="xml",
                ignore_tags=["x"],
                formality=self.formality,
                context=self.context,
                glossary=glossary,
            )
        except deepl.QuotaExceededException:
            raise QuotaExceeded("DeepL quota exhausted (456): finished documents are kept; run again when the quota allows") from None
        except deepl.AuthorizationException:
            raise AuthFailed("DeepL refused the key in DEEPL_AUTH_KEY (403): check the key and whether it is a Free or Pro key for this server") from None
        except deepl.DeepLException as exc:
            if getattr(exc, "http_status_code", None) == 413:
                raise RequestTooLarge(f"DeepL refused a request of {len(texts)} texts as too large (413)") from None
            raise EngineFailure(f"DeepL request failed after {self.retries} retries: {_safe(exc)}") from None
        except (TypeError, IndexError, KeyError, ValueError) as exc:
            # The library does not check a 200 reply; a malformed one surfaces like this.
            raise EngineFailure(f"DeepL sent a malformed reply: {type(exc).__name__}") from None
        if not isinstance(results, list):
            results = [results]
        if len(results) != len(texts):
            raise EngineFailure(f"DeepL returned {len(results)} translations for {len(texts)} texts")
        return [Translated(r.text, r.billed_characters or 0) for r in results]


def _safe(exc: Exception) -> str:
    """An exception message with nothing that could be a key in it."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
