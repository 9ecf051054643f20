"""The DeepL engine, through the official ``deepl`` library: everything DeepL-specific lives here.

The client, language codes, the account's glossary (sync and listing), the
mapping of the library's errors, and ``[translate.deepl]``. Network lives here
and nowhere else. Segments travel as placeholder XML with
``tag_handling="xml"`` and ``ignore_tags=["x"]``, so protected spans are never
translated and never billed. Retries of 429 and 5xx are the library's own
(exponential backoff from 1 s, times 1.6); transync sets their number once
(``retries``) and adds none of its own, so a failing service costs seconds,
not minutes. Every failure is an :class:`EngineFailure` (exit 3): a refusal
(bad key, quota) its :class:`ServiceError` kinds, a request over the size
limit :class:`RequestTooLarge` (all in :mod:`transync.errors`).

Every request has a wall-clock deadline of ``timeout`` seconds (connecting,
sending, waiting and reading together): a server that trickles its reply is
cut off there, and the attempt fails like a network error.

The API key is read from ``DEEPL_AUTH_KEY`` and is never printed or logged:
error messages name the variable, never its value, and anything from the
library passes through :func:`transync.translate.engines.redact`.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from transync.translate.engines import Table, Translated, api_key, safe_message
from transync.errors import AuthFailed, EngineFailure, QuotaExceeded, RequestTooLarge

__all__ = ["AuthFailed", "DeepLEngine", "DeepLSettings", "EngineFailure", "QuotaExceeded", "RequestTooLarge"]

#: DeepL needs a regional variant for some target languages.
DEFAULT_TARGET_CODES = {"en": "EN-US", "pt": "PT-BR", "zh": "ZH-HANS"}

#: Languages DeepL accepts in glossaries (source and target), by the site's code prefix.
GLOSSARY_LANGUAGES = frozenset(
    "ar bg cs da de el en es et fi fr he hu id it ja ko lt lv nb nl pl pt ro ru sk sl sv th tr uk vi zh".split()
)

#: transync's glossaries on the account are named ``transync-<content hash>``.
GLOSSARY_PREFIX = "transync-"

_AUTH_REFUSED = "DeepL refused the key in DEEPL_AUTH_KEY (403): check the key and whether it is a Free or Pro key for this server"


def target_code(lang: str, overrides: Mapping[str, str] | None = None) -> str:
    codes = {**DEFAULT_TARGET_CODES, **(overrides or {})}
    return codes.get(lang, lang.replace("_", "-").upper())


def source_code(lang: str) -> str:
    # Source languages take no regional variant ("EN", not "EN-US").
    return lang.split("-")[0].split("_")[0].upper()


def glossary_supports(lang: str) -> bool:
    return lang.split("-")[0].split("_")[0] in GLOSSARY_LANGUAGES


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class DeepLSettings:
    """``[translate.deepl]`` (its keys also read, deprecated, from ``[translate]`` and ``[translate.targets.<lang>]``)."""

    server_url: str | None = None  # DEEPL_SERVER_URL wins
    formality: str | None = None
    context: str | None = None
    retries: int = 3
    timeout: float = 15.0
    target_codes: Mapping[str, str] = field(default_factory=dict)  # lang -> DeepL code, e.g. en -> EN-GB
    target_formality: Mapping[str, str] = field(default_factory=dict)  # lang -> formality for that language


KEYS = {"server_url", "formality", "context", "retries", "timeout", "target_codes", "target_formality"}


def _string_table(table: Table, name: str) -> dict[str, str]:
    value = table.get(name, dict, {})
    for lang, code in value.items():
        if not isinstance(code, str):
            raise table.fail(f"{name}.{lang}", "must be a string")
    return dict(value)


# --------------------------------------------------------------------------- engine


@dataclass
class DeepLEngine:
    auth_key: str = field(repr=False)
    server_url: str | None = None
    target_codes: Mapping[str, str] = field(default_factory=dict)
    formality: str | None = None
    context: str | None = None
    retries: int = 3
    timeout: float = 15.0
    target_formality: Mapping[str, str] = field(default_factory=dict)
    name: str = "deepl"
    #: The transync glossary on the account (see :meth:`use_glossaries`) and its language pairs.
    glossary_id: str | None = None
    glossary_pairs: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def settings(cls, table: Table) -> DeepLSettings:
        table.check_keys(KEYS)
        return DeepLSettings(
            server_url=table.get("server_url", str),
            formality=table.get("formality", str),
            context=table.get("context", str),
            retries=table.whole("retries", 3),
            timeout=float(table.number("timeout", 15.0)),
            target_codes=_string_table(table, "target_codes"),
            target_formality=_string_table(table, "target_formality"),
        )

    @classmethod
    def create(cls, settings: DeepLSettings | None, environ: Mapping[str, str]) -> "DeepLEngine":
        s = settings or DeepLSettings()
        return cls(
            api_key(environ, "DEEPL_AUTH_KEY", "deepl"),
            server_url=environ.get("DEEPL_SERVER_URL") or s.server_url,
            target_codes=s.target_codes,
            formality=s.formality,
            context=s.context,
            retries=s.retries,
            timeout=s.timeout,
            target_formality=s.target_formality,
        )

    def __post_init__(self) -> None:
        # The library and its client are made when a request is first sent: importing
        # deepl (and requests) costs more than a whole run that has nothing to translate.
        self._connection: tuple[Any, Any] | None = None

    def _connect(self) -> tuple[Any, Any]:
        if self._connection is None:
            import deepl
            from deepl import http_client

            # Module-level settings of the library: its retry count and request timeout.
            http_client.max_network_retries = self.retries
            http_client.min_connection_timeout = self.timeout
            client = deepl.DeepLClient(self.auth_key, server_url=self.server_url, send_platform_info=False)
            # The library sends every attempt through its HttpClient's requests
            # session (``_client._session.send``); ours adds the deadline. A private
            # attribute: the trickle tests in tests/test_deepl_engine.py notice if it moves.
            http = client._client
            http._session.close()
            http._session = _deadline_session(self.timeout)
            self._connection = (deepl, client)
        return self._connection

    @property
    def _deepl(self):
        return self._connect()[0]

    @property
    def _client(self):
        return self._connect()[1]

    @property
    def client(self):
        """The library's client."""
        return self._client

    # -- glossaries

    @staticmethod
    def glossary_problems(glossaries) -> list[tuple[str, int, str]]:
        """(file, line, message) for each glossary pair DeepL cannot hold (it is used for tags only)."""
        problems = []
        for (src, tgt), entries in sorted(glossaries.pairs.items()):
            where = entries[0].path if entries else f"{src}-{tgt}"
            for lang in (src, tgt):
                if not glossary_supports(lang):
                    problems.append((where, 1, f"DeepL glossaries do not support {lang!r}: the pair {src}-{tgt} is used for tags only"))
        return problems

    def use_glossaries(self, glossaries) -> "Synced | None":
        """Sync the glossary files to the account and use the glossary in every request it covers."""
        deepl = self._deepl
        try:
            synced = _sync(self._client, glossaries)
        except deepl.AuthorizationException:
            raise AuthFailed(_AUTH_REFUSED) from None
        except deepl.DeepLException as exc:
            raise EngineFailure(f"DeepL glossary sync failed: {self.safe_message(exc)}") from None
        if synced is not None:
            self.glossary_id = synced.glossary_id
            self.glossary_pairs = frozenset(synced.pairs)
        return synced

    def list_glossaries(self) -> list[tuple[str, str, list[tuple[str, str, int]]]]:
        """The account's glossaries: (name, id, [(source, target, entries), ...])."""
        deepl = self._deepl
        try:
            glossaries = self._client.list_multilingual_glossaries()
        except deepl.AuthorizationException:
            raise AuthFailed(_AUTH_REFUSED) from None
        except deepl.DeepLException as exc:
            raise EngineFailure(f"DeepL: {self.safe_message(exc)}") from None
        return [
            (g.name, g.glossary_id, [(d.source_lang.lower(), d.target_lang.lower(), d.entry_count) for d in g.dictionaries])
            for g in glossaries
        ]

    # -- translating

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
                formality=self.target_formality.get(target_lang, self.formality),
                context=self.context,
                glossary=glossary,
            )
        except deepl.QuotaExceededException:
            raise QuotaExceeded("DeepL quota exhausted (456): finished documents are kept; run again when the quota allows") from None
        except deepl.AuthorizationException:
            raise AuthFailed(_AUTH_REFUSED) from None
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
        return safe_message(exc, self.auth_key)


# --------------------------------------------------------------------------- the account's glossary


@dataclass
class Synced:
    glossary_id: str
    name: str
    created: bool  # False: an identical glossary was already there
    deleted: list[str] = field(default_factory=list)  # names of outdated transync glossaries removed
    pairs: list[tuple[str, str]] = field(default_factory=list)


def fingerprint(pairs: Mapping[tuple[str, str], Sequence[Any]]) -> str:
    """A hash of every pair and entry (``source``, ``target``): the name of the DeepL glossary made from them."""
    digest = hashlib.sha256()
    for (src, tgt) in sorted(pairs):
        for e in sorted(pairs[(src, tgt)], key=lambda e: e.source):
            digest.update(f"{src}\t{tgt}\t{e.source}\t{e.target}\n".encode())
    return digest.hexdigest()[:12]


def _sync(client, glossaries) -> Synced | None:
    """Make sure the DeepL account holds exactly one transync glossary, the one for these files.

    The glossary is named by the files' content hash: while the files do not
    change it is reused, never duplicated; when they change a new one is made
    and the outdated transync glossaries are deleted. Other glossaries of the
    account are left alone. Returns None when there is nothing to sync.
    """
    from deepl.api_data import MultilingualGlossaryDictionaryEntries

    usable = {
        pair: entries for pair, entries in glossaries.pairs.items()
        if entries and all(glossary_supports(lang) for lang in pair)
    }
    if not usable:
        return None
    name = f"{GLOSSARY_PREFIX}{fingerprint(usable)}"
    existing = [g for g in client.list_multilingual_glossaries() if g.name.startswith(GLOSSARY_PREFIX)]
    current = next((g for g in existing if g.name == name), None)
    created = current is None
    if current is None:
        dictionaries = [
            MultilingualGlossaryDictionaryEntries(src.upper(), tgt.upper(), {e.source: e.target for e in entries})
            for (src, tgt), entries in sorted(usable.items())
        ]
        current = client.create_multilingual_glossary(name, dictionaries)
    deleted = []
    for g in existing:
        if g.glossary_id != current.glossary_id:
            client.delete_multilingual_glossary(g)
            deleted.append(g.name)
    return Synced(current.glossary_id, name, created, deleted, sorted(usable))


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
