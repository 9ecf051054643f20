"""The DeepL engine, through the official ``deepl`` library.

Network lives here and nowhere else. Segments travel as placeholder XML with
``tag_handling="xml"`` and ``ignore_tags=["x"]``, so protected spans are never
translated and never billed. Retries of 429 and 5xx are the library's own
(exponential backoff from 1 s, times 1.6); transync sets their number once
(``retries``) and adds none of its own, so a failing service costs seconds,
not minutes. A refusal (bad key, quota) becomes :class:`ServiceError`, a
request over the size limit :class:`RequestTooLarge`, any other failure
:class:`EngineFailure` (all in :mod:`transync.errors`).

Every request has a wall-clock deadline of ``timeout`` seconds (connecting,
sending, waiting and reading together): a server that trickles its reply is
cut off there, and the attempt fails like a network error.

The API key is read from ``DEEPL_AUTH_KEY`` by the caller and is never
printed or logged: error messages name the variable, never its value, and
anything from the library passes through :func:`transync.engines.redact`.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from transync.engines import Translated, redact
from transync.errors import AuthFailed, EngineFailure, QuotaExceeded, RequestTooLarge

__all__ = ["AuthFailed", "DeepLEngine", "EngineFailure", "QuotaExceeded", "RequestTooLarge"]

#: DeepL needs a regional variant for some target languages.
DEFAULT_TARGET_CODES = {"en": "EN-US", "pt": "PT-BR", "zh": "ZH-HANS"}


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
        # The library sends every attempt through its HttpClient's requests
        # session (``_client._session.send``); ours adds the deadline. A private
        # attribute: the trickle tests in tests/test_deepl_engine.py notice if it moves.
        http = self._client._client
        http._session.close()
        http._session = _deadline_session(self.timeout)

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
            raise EngineFailure(f"DeepL glossary sync failed: {self.safe_message(exc)}") from None
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
                size = sum(len(t.encode("utf-8")) for t in texts)
                raise RequestTooLarge(
                    f"DeepL refused a request of {len(texts)} text(s), {size:,} bytes, as too large (413)",
                    texts=len(texts),
                    size=size,
                ) from None
            raise EngineFailure(f"DeepL request failed after {self.retries} retries: {self.safe_message(exc)}") from None
        except (TypeError, IndexError, KeyError, ValueError) as exc:
            # The library does not check a 200 reply; a malformed one surfaces like this.
            raise EngineFailure(f"DeepL sent a malformed reply: {type(exc).__name__}") from None
        if not isinstance(results, list):
            results = [results]
        if len(results) != len(texts):
            raise EngineFailure(f"DeepL returned {len(results)} translations for {len(texts)} texts")
        return [Translated(r.text, r.billed_characters or 0) for r in results]

    def safe_message(self, exc: BaseException) -> str:
        """The first line of an exception's message, at most 200 characters, with
        this engine's key and anything key-like redacted."""
        text = str(exc).strip()
        text = redact(text, self.auth_key).splitlines()[0] if text else type(exc).__name__
        return text[:200]


# --------------------------------------------------------------------------- deadline
#
# ``requests`` has no total timeout: its read timeout bounds each socket read,
# so a server sending a byte a second never trips it. Each attempt therefore
# runs under a watchdog timer; when it fires, the socket of the connection in
# use is shut down, which ends any blocked read at once (headers or body), and
# the attempt fails with requests' Timeout, which the library retries like any
# network error and finally raises as ConnectionException (-> EngineFailure).
# The connection in use is found through a thread-local: the session sets the
# attempt's watch, the connection registers itself when it sends the request.

_current = threading.local()


class _Watch:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.conn = None
        self.expired = False
        self.done = False

    def expire(self) -> None:
        with self.lock:
            if self.done:
                return
            self.expired = True
            sock = getattr(self.conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _watched(connection_class):
    class Watched(connection_class):
        def request(self, *args, **kwargs):
            watch = getattr(_current, "watch", None)
            if watch is not None:
                with watch.lock:
                    watch.conn = self
            return super().request(*args, **kwargs)

        def getresponse(self, *args, **kwargs):
            watch = getattr(_current, "watch", None)
            if watch is not None and watch.expired:  # expired while connecting or sending
                watch.expire()
            return super().getresponse(*args, **kwargs)

    Watched.__name__ = f"Watched{connection_class.__name__}"
    return Watched


def _deadline_session(seconds: float):
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3 import connectionpool

    pool_classes = {
        "http": type("WatchedHTTPPool", (connectionpool.HTTPConnectionPool,),
                     {"ConnectionCls": _watched(connectionpool.HTTPConnectionPool.ConnectionCls)}),
        "https": type("WatchedHTTPSPool", (connectionpool.HTTPSConnectionPool,),
                      {"ConnectionCls": _watched(connectionpool.HTTPSConnectionPool.ConnectionCls)}),
    }

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pool_classes

        def proxy_manager_for(self, proxy, **kwargs):
            manager = super().proxy_manager_for(proxy, **kwargs)
            if not proxy.lower().startswith("socks"):  # SOCKS has connection classes of its own: no deadline there
                manager.pool_classes_by_scheme = pool_classes
            return manager

    class Session(requests.Session):
        def send(self, request, **kwargs):
            watch, outer = _Watch(), getattr(_current, "watch", None)
            _current.watch = watch
            timer = threading.Timer(seconds, watch.expire)
            timer.daemon = True
            timer.start()
            try:
                response = super().send(request, **kwargs)  # reads the whole body unless stream=True
            except requests.RequestException as exc:
                if watch.expired:
                    raise requests.exceptions.Timeout(f"no complete reply within {seconds:g} s") from exc
                raise
            finally:
                with watch.lock:
                    watch.done = True
                timer.cancel()
                _current.watch = outer
            if watch.expired:
                # http.client takes an end of file inside the headers for their end:
                # a reply cut there looks complete (200, empty body). Never trust it.
                response.close()
                raise requests.exceptions.Timeout(f"no complete reply within {seconds:g} s")
            return response

    session = Session()
    adapter = Adapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
