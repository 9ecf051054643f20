"""A DeepL-compatible HTTP server for tests, with fault injection (stdlib only).

Start it on 127.0.0.1 (the OS picks a free port) and point the real client at it::

    with FakeDeepL() as fake:
        client = deepl.DeepLClient(fake.auth_key, server_url=fake.url)
        client.translate_text(["Hello <x id=\"1\"/> world"], target_lang="JA",
                              tag_handling="xml", ignore_tags=["x"])
        fake.requests[-1].params["text"]     # what the client sent

Nothing here talks to the real DeepL service.

Endpoints (shapes taken from deepl 1.32's parsers, see below)
-----------------------------------------------------------------
- ``POST /v2/translate``: JSON or form body; ``text`` may repeat (form) or be a
  list (JSON). Answers ``{"translations": [{"detected_source_language",
  "text", "billed_characters"}]}`` (``billed_characters`` only when
  ``show_billed_characters`` is true, like the real API; ``model_type_used``
  when ``model_type`` was sent).
- ``GET|POST /v2/usage``: ``{"character_count", "character_limit"}``.
- ``GET /v2/languages?type=source|target`` (``type`` may also come in a
  form-encoded body: the library sends it that way, in a GET).
- ``GET /v2/glossary-language-pairs``; ``POST|GET /v2/glossaries``;
  ``GET|DELETE /v2/glossaries/{id}``; ``GET /v2/glossaries/{id}/entries`` (TSV).
- ``POST|GET /v3/glossaries``; ``GET|PATCH|DELETE /v3/glossaries/{id}``;
  ``PUT|DELETE /v3/glossaries/{id}/dictionaries``;
  ``GET /v3/glossaries/{id}/entries?source_lang=..&target_lang=..``
  (entries come back as a TSV *string*, as the real API does).
  One in-memory store serves both: v2 lists only single-dictionary glossaries.
  A malformed (non-UUID) glossary id gives 400, an unknown one 404.
- Anything else: 404. Documents, write, style rules, translation memories are
  not implemented.
- Every endpoint requires ``Authorization: DeepL-Auth-Key <auth_key>``, else
  403 ``{"message": "Wrong endpoint"}`` (the library raises
  ``deepl.AuthorizationException``).
- Limits like the real service: at most ``max_texts`` (50) texts per translate
  request (400 otherwise) and ``max_body_bytes`` (128 KiB) per request (413).

The pseudo-translation (:func:`pseudo_translate`)
-------------------------------------------------
Deterministic, visibly different from its input, and tag-preserving:

- Without ``tag_handling`` the whole text is one text run.
- With ``tag_handling="xml"`` (or ``"html"``) the text is split into markup
  (``<...>``, comments, CDATA, processing instructions) and text runs. Markup
  is copied byte for byte. So is everything inside an element whose name is in
  ``ignore_tags`` (``<x id="3">kept as is</x>``); a self-closing ``<x .../>``
  has no content anyway. Entity references (``&amp;``) are copied unchanged.
- Every text run that contains a letter or digit becomes: its leading
  whitespace, then (on the first such run of a text only) ``[TARGET]`` (the
  target code as sent, e.g. ``[JA]``, ``[EN-US]``), then the rest where each word (``[^\\W_]+``) is replaced by the
  glossary target term if a glossary entry matches (whole words, case
  sensitive, longest first), else by the small per-language ``dictionary``
  entry for its lower-case form, else by ``word.swapcase()``. Digits, spaces
  and punctuation are kept. Runs without a letter or digit are copied.
  Apart from the (lossy, case-folding) dictionary, the mapping is injective.

Billing rule (tests rely on it)
-------------------------------
``billed_characters`` = the number of characters of the source text that are
translated: without tag handling ``len(text)``; with tag handling the sum over
text runs *outside* ignored elements of their length after entity decoding
(``&amp;`` counts 1). Markup and the content of ignored elements count 0.
``context`` is never billed. Billed characters of a successful translate are
added to ``character_count``; a request that would push it above
``character_limit`` gets 456 and is not billed. A request is billed when the
server has produced its answer, *before* any injected delay: a reply the
client gives up on (timeout) and then retries is billed twice, as it could be
by the real service.

Fault injection (all thread-safe, consumed in FIFO order)
---------------------------------------------------------
- ``fail_next(status, times=1, path=None, body=None, headers=None)``: the next
  ``times`` matching requests get that status (default JSON body
  ``{"message": ...}``). ``path`` is an fnmatch pattern such as
  ``"/v2/translate"`` or ``"/v3/glossaries*"``; None matches every request.
- ``drop_next(times=1, path=None, partial=False)``: close the connection
  without a response (``partial=True``: send the headers and half the body,
  then close). A dropped request is not billed; a partial one is (the server
  did the work).
- ``trickle_next(times=1, path=None, interval=0.05)``: send the whole answer
  (status line, headers, body) one byte every ``interval`` seconds, so that
  no single read waits long but the reply takes ``len × interval``; the
  request is billed (the server did the work). Stops when the client hangs up.
- ``delay(seconds, times=1, path=None)``: answer late (``times=None``: every
  request until :meth:`FakeDeepL.clear_faults`); ``FakeDeepL(latency=...)``
  or ``fake.latency = ...`` delays every request (benchmarks).
- ``mangle_next(kind, times=1, index=None)`` for the next successful translate
  responses: ``drop_tag`` removes one ``<x .../>`` placeholder,
  ``duplicate_tag`` repeats one, ``invent_tag`` appends ``<x id="N"/>`` with an
  id not in the text, ``break_tag`` turns the first ``<x id="1"/>`` into
  ``<x id="1"`` (unclosed). Applied to ``translations[index]``, or to the first
  translation where it applies; if none applies it is used up all the same and
  the request's ``fault`` reads ``mangle:<kind>:not-applicable``.
- ``character_limit``: automatic 456 once exceeded; ``concurrency_limit``:
  automatic 429 for requests beyond that many in flight.
- ``fake.requests`` logs every request (:class:`RecordedRequest`: method,
  path, query, params, body_kind, headers *without* Authorization, monotonic
  time, status, fault). The auth key is never logged.

What deepl 1.32 does about retries (read in site-packages/deepl, checked here)
------------------------------------------------------------------------------
- Settings are module globals in ``deepl/http_client.py``, read at call time
  and shared by every client in the process: ``max_network_retries = 5``
  (line 20) and ``min_connection_timeout = 10.0`` (line 21). They are the
  documented knobs (README "Configure automatic retries").
- Every API call goes through ``HttpClient.request_with_backoff``
  (http_client.py:95-142, called from translator.py:145). It retries when
  (``_should_retry``, http_client.py:199-210) fewer than
  ``max_network_retries`` retries were made AND either the status is 429 or
  >= 500 (so 500, 502, 503, 504 and also 501), or no response arrived and the
  exception is retryable: ``requests`` ConnectionError or Timeout
  (http_client.py:186-191). Other ``requests`` errors, e.g. a truncated body
  (ChunkedEncodingError), are raised at once (http_client.py:192-197). 403,
  456, 400, 404 are never retried. So one call makes at most
  ``1 + max_network_retries`` = 6 requests.
- POSTs are retried like GETs: a translate whose reply timed out is sent
  again (possible double billing), and so is a glossary create.
- Backoff (``_BackoffTimer``, http_client.py:24-61; gRPC connection-backoff
  scheme): BACKOFF_INITIAL 1.0 s, MULTIPLIER 1.6, JITTER 0.23 (+-23 %),
  BACKOFF_MAX 120 s. The first deadline is set when the call starts
  (line 37), so the first retry happens ~1 s after the *first attempt
  started*; then 1.6, 2.56, 4.10, 6.55 s (each +-23 %). Six 429/5xx answers
  in a row (first try + 5 retries) cost ~15.8 s of sleeping before the call
  raises. ``Retry-After`` headers are ignored. The backoff constants are private class attributes: no public
  setting changes them (tests here monkeypatch them, that is all).
- Timeout of each attempt = ``max(time left until the backoff deadline,
  min_connection_timeout)`` (http_client.py:42-43, 117), used as both the
  connect and the per-read timeout by ``requests``. Hence the first attempt's
  timeout is never below ~BACKOFF_INITIAL (1 s) even with
  ``min_connection_timeout = 0.2``; with defaults a server that accepts and
  never answers costs 6 x 10 s = ~60 s per call; a refused port ~15.8 s.
  A server trickling bytes never hits the read timeout.
- Errors after the last retry: 429 -> ``TooManyRequestsException``; 503 ->
  ``DeepLException`` ("Service unavailable"); other 5xx -> ``DeepLException``
  ("Unexpected status code"); no response -> ``ConnectionException``.
  ``http_status_code`` is set on status-based exceptions.
- For transync: set ``deepl.http_client.max_network_retries`` (and
  ``min_connection_timeout``) deliberately and do not wrap calls in another
  retry loop, or the worst case multiplies (3 outer x 6 inner attempts with
  10 s timeouts is minutes per segment batch).

How the library sends requests
------------------------------
``translate_text`` and glossary create/update send JSON bodies
(translator.py:581-583, 403-405; deepl_client.py:305-307); it always adds
``show_billed_characters: true`` (translator.py:539-541). ``get_usage`` and
``get_source_languages`` are bodiless GETs; ``get_target_languages`` is a GET
with a form-encoded body ``type=target`` (translator.py:1111-1114); v3 entry
and dictionary calls put ``source_lang``/``target_lang`` in the query string
(deepl_client.py:634, 695). The server still accepts form bodies everywhere.

The library trusts a 200: a body that is not JSON gives ``[]`` for a list of
texts (``IndexError`` for one string), fewer translations than texts give a
shorter list, and a missing ``billed_characters`` raises ``TypeError``
(``int(None)``, translator.py:587-611). v3 glossary entries come back as the
raw TSV string despite the ``Dict`` annotation (api_data.py:423-431); use
``deepl.convert_tsv_to_dict``.
"""

from __future__ import annotations

import csv
import fnmatch
import hmac
import html
import http
import io
import json
import re
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "FakeDeepL",
    "RecordedRequest",
    "MANGLE_KINDS",
    "SOURCE_LANGUAGES",
    "TARGET_LANGUAGES",
    "DEFAULT_DICTIONARY",
    "billed_characters",
    "pseudo_translate",
    "split_markup",
]

# --------------------------------------------------------------------------- languages

SOURCE_LANGUAGES: list[tuple[str, str]] = [
    ("AR", "Arabic"), ("BG", "Bulgarian"), ("CS", "Czech"), ("DA", "Danish"), ("DE", "German"),
    ("EL", "Greek"), ("EN", "English"), ("ES", "Spanish"), ("ET", "Estonian"), ("FI", "Finnish"),
    ("FR", "French"), ("HU", "Hungarian"), ("ID", "Indonesian"), ("IT", "Italian"), ("JA", "Japanese"),
    ("KO", "Korean"), ("LT", "Lithuanian"), ("LV", "Latvian"), ("NB", "Norwegian"), ("NL", "Dutch"),
    ("PL", "Polish"), ("PT", "Portuguese"), ("RO", "Romanian"), ("RU", "Russian"), ("SK", "Slovak"),
    ("SL", "Slovenian"), ("SV", "Swedish"), ("TR", "Turkish"), ("UK", "Ukrainian"), ("ZH", "Chinese"),
]

#: (code, name, supports_formality)
TARGET_LANGUAGES: list[tuple[str, str, bool]] = [
    ("AR", "Arabic", False), ("BG", "Bulgarian", False), ("CS", "Czech", False), ("DA", "Danish", False),
    ("DE", "German", True), ("EL", "Greek", False), ("EN-GB", "English (British)", False),
    ("EN-US", "English (American)", False), ("ES", "Spanish", True), ("ES-419", "Spanish (Latin American)", True),
    ("ET", "Estonian", False), ("FI", "Finnish", False), ("FR", "French", True), ("HU", "Hungarian", False),
    ("ID", "Indonesian", False), ("IT", "Italian", True), ("JA", "Japanese", True), ("KO", "Korean", False),
    ("LT", "Lithuanian", False), ("LV", "Latvian", False), ("NB", "Norwegian", False), ("NL", "Dutch", True),
    ("PL", "Polish", True), ("PT-BR", "Portuguese (Brazilian)", True), ("PT-PT", "Portuguese (European)", True),
    ("RO", "Romanian", False), ("RU", "Russian", True), ("SK", "Slovak", False), ("SL", "Slovenian", False),
    ("SV", "Swedish", False), ("TR", "Turkish", False), ("UK", "Ukrainian", False), ("ZH", "Chinese", False),
    ("ZH-HANS", "Chinese (simplified)", False), ("ZH-HANT", "Chinese (traditional)", False),
]

GLOSSARY_LANGUAGES = ["da", "de", "en", "es", "fr", "it", "ja", "ko", "nb", "nl", "pl", "pt", "ru", "sv", "zh"]

#: A few words per target base language; everything else goes through ``swapcase``.
DEFAULT_DICTIONARY: dict[str, dict[str, str]] = {
    "JA": {"hello": "こんにちは", "world": "世界", "review": "レビュー", "price": "価格", "sound": "音"},
    "DE": {"hello": "Hallo", "world": "Welt", "review": "Testbericht", "price": "Preis", "sound": "Klang"},
    "FR": {"hello": "bonjour", "world": "monde", "review": "test", "price": "prix", "sound": "son"},
}

MANGLE_KINDS = ("drop_tag", "duplicate_tag", "invent_tag", "break_tag")

_FORMALITIES = {"default", "more", "less", "prefer_more", "prefer_less"}

# --------------------------------------------------------------------------- pseudo-translation

_MARKUP = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<[^<>]*>", re.S)
_TAG_NAME = re.compile(r"<\s*/?\s*([A-Za-z_][\w.:-]*)")
_ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_WORD = re.compile(r"[^\W_]+")
_X_TAG = re.compile(r"<x\b[^<>]*?/\s*>")
_ID_ATTR = re.compile(r"""\bid\s*=\s*["'](\d+)["']""")


def split_markup(text: str, ignore_tags: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Split XML/HTML into ``("markup" | "ignored" | "text", chunk)`` pieces; they join back to ``text``."""
    ignore = {t.strip() for t in ignore_tags if t and t.strip()}
    out: list[tuple[str, str]] = []
    pos = 0
    ignored_name: str | None = None
    depth = 0
    for m in _MARKUP.finditer(text):
        if m.start() > pos:
            out.append(("ignored" if ignored_name else "text", text[pos : m.start()]))
        tag = m.group()
        name_m = _TAG_NAME.match(tag)
        name = name_m.group(1) if name_m else None
        is_end = tag.startswith("</")
        is_self = tag.rstrip(">").rstrip().endswith("/") or tag.startswith(("<!", "<?"))
        if ignored_name:
            out.append(("ignored", tag))
            if name == ignored_name:
                if is_end:
                    depth -= 1
                elif not is_self:
                    depth += 1
                if depth == 0:
                    ignored_name = None
        else:
            out.append(("markup", tag))
            if name in ignore and not is_end and not is_self:
                ignored_name, depth = name, 1
        pos = m.end()
    if pos < len(text):
        out.append(("ignored" if ignored_name else "text", text[pos:]))
    return out


def _tag_mode(tag_handling: str | None) -> bool:
    return bool(tag_handling) and str(tag_handling).lower() in ("xml", "html")


def billed_characters(text: str, tag_handling: str | None = None, ignore_tags: Iterable[str] = ()) -> int:
    """The billing rule documented in the module docstring."""
    if not _tag_mode(tag_handling):
        return len(text)
    return sum(len(html.unescape(chunk)) for kind, chunk in split_markup(text, ignore_tags) if kind == "text")


def _transform_words(chunk: str, lookup: Mapping[str, str]) -> str:
    return _WORD.sub(lambda m: lookup.get(m.group().lower()) or m.group().swapcase(), chunk)


def _transform_run(
    run: str, target: str, glossary: Mapping[str, str], lookup: Mapping[str, str], entities: bool, marker: bool = True
) -> str:
    if not any(ch.isalnum() for ch in run):
        return run
    body = run.lstrip()
    lead = run[: len(run) - len(body)]
    terms = sorted((t for t in glossary if t), key=len, reverse=True)
    pattern = (
        re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)") if terms else None
    )

    def plain(chunk: str) -> str:
        if not entities:
            return _transform_words(chunk, lookup)
        pieces, pos = [], 0
        for m in _ENTITY.finditer(chunk):
            pieces.append(_transform_words(chunk[pos : m.start()], lookup))
            pieces.append(m.group())
            pos = m.end()
        pieces.append(_transform_words(chunk[pos:], lookup))
        return "".join(pieces)

    out, pos = [], 0
    if pattern is not None:
        for m in pattern.finditer(body):
            out.append(plain(body[pos : m.start()]))
            out.append(glossary[m.group()])
            pos = m.end()
    out.append(plain(body[pos:]))
    return f"{lead}[{target}]{''.join(out)}" if marker else f"{lead}{''.join(out)}"


def pseudo_translate(
    text: str,
    target_lang: str,
    *,
    tag_handling: str | None = None,
    ignore_tags: Iterable[str] = (),
    glossary: Mapping[str, str] | None = None,
    dictionary: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[str, int]:
    """Return ``(translated text, billed characters)`` exactly as :class:`FakeDeepL` computes them."""
    target = str(target_lang).upper()
    words = (DEFAULT_DICTIONARY if dictionary is None else dictionary).get(target.split("-")[0], {})
    lookup = {k.lower(): v for k, v in words.items()}
    gloss = dict(glossary or {})
    if not _tag_mode(tag_handling):
        return _transform_run(text, target, gloss, lookup, entities=False), len(text)
    ignore = list(ignore_tags)
    out = []
    marked = False  # the [TARGET] marker goes on the first text run only, as a translation reads
    for kind, chunk in split_markup(text, ignore):
        if kind == "text":
            out.append(_transform_run(chunk, target, gloss, lookup, entities=True, marker=not marked))
            marked = marked or any(ch.isalnum() for ch in chunk)
        else:
            out.append(chunk)
    return "".join(out), billed_characters(text, tag_handling, ignore)


def _mangle(text: str, kind: str) -> str | None:
    """Apply one mangle to ``text``; None if it does not apply (no placeholder to work on)."""
    if kind == "invent_tag":
        ids = [int(i) for i in _ID_ATTR.findall(text)]
        return f'{text}<x id="{max(ids, default=0) + 1}"/>'
    m = _X_TAG.search(text)
    if m is None:
        return None
    if kind == "drop_tag":
        return text[: m.start()] + text[m.end() :]
    if kind == "duplicate_tag":
        return text[: m.end()] + m.group() + text[m.end() :]
    if kind == "break_tag":
        broken = re.sub(r"\s*/\s*>$", "", m.group())
        return text[: m.start()] + broken + text[m.end() :]
    raise ValueError(f"unknown mangle kind {kind!r}; expected one of {MANGLE_KINDS}")


# --------------------------------------------------------------------------- glossaries


def _parse_entries(entries: Any, fmt: str) -> dict[str, str]:
    if isinstance(entries, bytes):
        entries = entries.decode("utf-8")
    if not isinstance(entries, str):
        raise ValueError("entries must be a string")
    result: dict[str, str] = {}
    if (fmt or "tsv").lower() == "csv":
        rows: Iterable[list[str]] = csv.reader(io.StringIO(entries))
    elif (fmt or "tsv").lower() == "tsv":
        rows = (line.split("\t") for line in entries.splitlines())
    else:
        raise ValueError(f"unsupported entries_format {fmt!r}")
    for row in rows:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) < 2:
            raise ValueError("glossary entry without separator")
        source, target = row[0].strip(), row[1].strip()
        if not source or not target:
            raise ValueError("empty glossary term")
        if source in result:
            raise ValueError(f"duplicate source term {source!r}")
        result[source] = target
    if not result:
        raise ValueError("glossary entries must not be empty")
    return result


def _tsv(entries: Mapping[str, str]) -> str:
    return "\n".join(f"{s}\t{t}" for s, t in entries.items())


@dataclass
class _Glossary:
    glossary_id: str
    name: str
    creation_time: str
    dictionaries: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def v2_json(self) -> dict[str, Any]:
        (src, tgt), entries = next(iter(self.dictionaries.items()))
        return {
            "glossary_id": self.glossary_id, "name": self.name, "ready": True,
            "source_lang": src, "target_lang": tgt, "creation_time": self.creation_time,
            "entry_count": len(entries),
        }

    def v3_json(self) -> dict[str, Any]:
        return {
            "glossary_id": self.glossary_id, "name": self.name, "creation_time": self.creation_time,
            "dictionaries": [_dict_json(k, v) for k, v in self.dictionaries.items()],
        }


def _dict_json(pair: tuple[str, str], entries: Mapping[str, str]) -> dict[str, Any]:
    return {"source_lang": pair[0], "target_lang": pair[1], "entry_count": len(entries)}


# --------------------------------------------------------------------------- request log and faults


@dataclass
class RecordedRequest:
    """One request as the fake saw it. ``headers`` never contains Authorization."""

    method: str
    path: str
    query: dict[str, Any]
    params: dict[str, Any]
    body_kind: str  # "json", "form", "none" or "other"
    headers: dict[str, str]
    time: float  # time.monotonic() when the request had been read
    authorized: bool = False
    status: int | None = None  # status sent (or being sent); None: dropped, partial, or the fake closed first
    fault: str | None = None  # "fail:429", "drop", "partial", "delay:0.5", "mangle:drop_tag", ...


@dataclass
class _Fault:
    kind: str  # "fail", "drop" or "trickle"
    remaining: int
    path: str | None
    status: int = 0
    body: Any = None
    headers: dict[str, str] | None = None
    partial: bool = False
    interval: float = 0.0


@dataclass
class _Delay:
    seconds: float
    remaining: int | None
    path: str | None


@dataclass
class _Mangle:
    kind: str
    remaining: int
    index: int | None


def _matches(pattern: str | None, path: str) -> bool:
    return pattern is None or fnmatch.fnmatchcase(path, pattern)


def _default_message(status: int) -> str:
    return {
        403: "Wrong endpoint",
        429: "Too many requests",
        456: "Quota Exceeded",
        500: "Internal Server Error",
        503: "Service Unavailable",
    }.get(status) or _phrase(status)


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class _ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LIST_PARAMS = ("text", "ignore_tags", "non_splitting_tags", "splitting_tags", "glossary_ids", "custom_instructions")


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _tag_list(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [t.strip() for item in items for t in str(item).split(",") if t.strip()]


# --------------------------------------------------------------------------- the server


class FakeDeepL:
    """A threaded DeepL-compatible server on 127.0.0.1; see the module docstring."""

    DEFAULT_KEY = "fake-deepl-test-key:fx"

    def __init__(
        self,
        auth_key: str = DEFAULT_KEY,
        *,
        latency: float = 0.0,
        character_limit: int | None = 500_000,
        character_count: int = 0,
        detected_source_language: str = "EN",
        dictionary: Mapping[str, Mapping[str, str]] | None = None,
        max_texts: int = 50,
        max_body_bytes: int = 128 * 1024,
        concurrency_limit: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        if not auth_key:
            raise ValueError("auth_key must not be empty")
        self._auth_header = f"DeepL-Auth-Key {auth_key}".encode()
        self._auth_key = auth_key
        self._lock = threading.RLock()
        self._closing = threading.Event()
        self.latency = latency
        self.character_limit = character_limit
        self.character_count = character_count
        self.detected_source_language = detected_source_language
        self.dictionary = DEFAULT_DICTIONARY if dictionary is None else dictionary
        self.max_texts = max_texts
        self.max_body_bytes = max_body_bytes
        self.concurrency_limit = concurrency_limit
        self._log: list[RecordedRequest] = []
        self._faults: deque[_Fault] = deque()
        self._delays: deque[_Delay] = deque()
        self._mangles: deque[_Mangle] = deque()
        self._glossaries: dict[str, _Glossary] = {}
        self._in_flight = 0
        self.max_in_flight = 0
        self._connections: set[socket.socket] = set()

        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        h, p = self._server.server_address[:2]
        self.url = f"http://{h}:{p}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name=f"FakeDeepL:{p}", daemon=True
        )
        self._thread.start()
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    @property
    def auth_key(self) -> str:
        """The key clients must send (a dummy, but still never logged)."""
        return self._auth_key

    def __repr__(self) -> str:  # never show the key
        return f"<FakeDeepL {self.url}>"

    def __enter__(self) -> FakeDeepL:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving, wake delayed handlers and close open connections. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._closing.set()
        self._server.shutdown()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        self._thread.join(timeout=2)

    # ------------------------------------------------------------------ log

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far (oldest first)."""
        with self._lock:
            return list(self._log)

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        """Requests whose path matches the fnmatch ``path`` (and ``method``, if given)."""
        return [r for r in self.requests if _matches(path, r.path) and (method is None or r.method == method)]

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        status: int = 429,
        times: int = 1,
        *,
        path: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests matching ``path`` with ``status``."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.append(_Fault("fail", times, path, status, body, dict(headers or {})))

    def drop_next(self, times: int = 1, *, path: str | None = None, partial: bool = False) -> None:
        """Close the connection of the next ``times`` matching requests without (``partial``: with half) an answer."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.append(_Fault("drop", times, path, partial=partial))

    def trickle_next(self, times: int = 1, *, path: str | None = None, interval: float = 0.05) -> None:
        """Send the next ``times`` matching answers one byte every ``interval`` seconds."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults.append(_Fault("trickle", times, path, interval=interval))

    def delay(self, seconds: float, times: int | None = 1, *, path: str | None = None) -> None:
        """Answer the next ``times`` matching requests ``seconds`` late (``times=None``: all, until cleared)."""
        with self._lock:
            self._delays.append(_Delay(seconds, times, path))

    def mangle_next(self, kind: str, times: int = 1, *, index: int | None = None) -> None:
        """Corrupt the placeholders of the next ``times`` successful translate responses."""
        if kind not in MANGLE_KINDS:
            raise ValueError(f"unknown mangle kind {kind!r}; expected one of {MANGLE_KINDS}")
        with self._lock:
            self._mangles.append(_Mangle(kind, times, index))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._delays.clear()
            self._mangles.clear()

    def pending_faults(self) -> int:
        """How many injected failures, drops, finite delays and mangles are still waiting."""
        with self._lock:
            return (
                sum(f.remaining for f in self._faults)
                + sum(d.remaining or 0 for d in self._delays)
                + sum(m.remaining for m in self._mangles)
            )

    # ------------------------------------------------------------------ state helpers for tests

    def usage(self) -> dict[str, int | None]:
        with self._lock:
            return {"character_count": self.character_count, "character_limit": self.character_limit}

    def glossary_entries(self, glossary_id: str) -> dict[tuple[str, str], dict[str, str]]:
        """Stored dictionaries of a glossary, keyed by lower-case (source, target)."""
        with self._lock:
            g = self._glossaries[glossary_id]
            return {k: dict(v) for k, v in g.dictionaries.items()}

    # ------------------------------------------------------------------ request processing (handler side)

    def _is_authorized(self, header: str | None) -> bool:
        return header is not None and hmac.compare_digest(header.encode(), self._auth_header)

    def _begin(self, record: RecordedRequest) -> tuple[_Fault | None, float]:
        """Log the request, take the faults that apply to it; returns (fault, extra delay)."""
        with self._lock:
            self._log.append(record)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            fault = None
            for f in self._faults:
                if _matches(f.path, record.path):
                    fault = _Fault(f.kind, 1, f.path, f.status, f.body, f.headers, f.partial, f.interval)
                    f.remaining -= 1
                    if f.remaining <= 0:
                        self._faults.remove(f)
                    break
            if fault is None and self.concurrency_limit is not None and self._in_flight > self.concurrency_limit:
                fault = _Fault("fail", 1, None, 429, {"message": "Too many requests (concurrency limit)"})
            extra = 0.0
            for d in self._delays:
                if _matches(d.path, record.path):
                    extra = d.seconds
                    if d.remaining is not None:
                        d.remaining -= 1
                        if d.remaining <= 0:
                            self._delays.remove(d)
                    break
            return fault, extra

    def _end(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _note(self, record: RecordedRequest, *, status: int | None = None, fault: str | None = None) -> None:
        with self._lock:
            if status is not None:
                record.status = status
            if fault:
                record.fault = f"{record.fault},{fault}" if record.fault else fault

    def _dispatch(self, record: RecordedRequest) -> tuple[int, Any]:
        """Route an authorized request; returns (status, JSON-able object, str for TSV, or None)."""
        method, path, p = record.method, record.path.rstrip("/") or "/", record.params
        if path == "/v2/translate" and method == "POST":
            return self._translate(record)
        if path == "/v2/usage" and method in ("GET", "POST"):
            return 200, self.usage()
        if path == "/v2/languages" and method in ("GET", "POST"):
            kind = str(p.get("type") or "source").lower()
            if kind == "target":
                return 200, [{"language": c, "name": n, "supports_formality": f} for c, n, f in TARGET_LANGUAGES]
            if kind == "source":
                return 200, [{"language": c, "name": n} for c, n in SOURCE_LANGUAGES]
            raise _ApiError(400, "Value for 'type' not supported.")
        if path == "/v2/glossary-language-pairs" and method == "GET":
            pairs = [{"source_lang": s, "target_lang": t} for s in GLOSSARY_LANGUAGES for t in GLOSSARY_LANGUAGES if s != t]
            return 200, {"supported_languages": pairs}
        parts = path.strip("/").split("/")
        if parts[:2] == ["v2", "glossaries"]:
            return self._glossaries_v2(method, parts[2:], p)
        if parts[:2] == ["v3", "glossaries"]:
            return self._glossaries_v3(method, parts[2:], p)
        raise _ApiError(404, "Not found (endpoint not implemented by FakeDeepL)")

    # ------------------------------------------------------------------ translate

    def _translate(self, record: RecordedRequest) -> tuple[int, Any]:
        p = record.params
        texts = p.get("text")
        if not texts:
            raise _ApiError(400, "Parameter 'text' not specified.")
        if any(not isinstance(t, str) for t in texts):
            raise _ApiError(400, "Parameter 'text' must be a string or a list of strings.")
        if len(texts) > self.max_texts:
            raise _ApiError(400, f"Too many texts: at most {self.max_texts} per request.")
        target = str(p.get("target_lang") or "").upper()
        if not target:
            raise _ApiError(400, "Parameter 'target_lang' not specified.")
        targets = {c: f for c, _, f in TARGET_LANGUAGES}
        if target not in targets:
            raise _ApiError(400, "Value for 'target_lang' not supported.")
        source = str(p.get("source_lang") or "").upper() or None
        if source is not None and source not in {c for c, _ in SOURCE_LANGUAGES}:
            raise _ApiError(400, "Value for 'source_lang' not supported.")
        formality = p.get("formality")
        if formality is not None:
            formality = str(formality).lower()
            if formality not in _FORMALITIES:
                raise _ApiError(400, "Value for 'formality' not supported.")
            if formality in ("more", "less") and not targets[target]:
                raise _ApiError(400, "'formality' is not supported for given 'target_lang'.")
        tag_handling = p.get("tag_handling")
        if tag_handling is not None and str(tag_handling).lower() not in ("xml", "html"):
            raise _ApiError(400, "Value for 'tag_handling' not supported.")
        ignore = _tag_list(p.get("ignore_tags"))
        glossary_terms: dict[str, str] = {}
        glossary_id = p.get("glossary_id")
        if glossary_id:
            if source is None:
                raise _ApiError(400, "Use of a glossary requires the 'source_lang' parameter to be specified.")
            g = self._find_glossary(str(glossary_id))
            pair = (source.lower(), target.split("-")[0].lower())
            if pair not in g.dictionaries:
                raise _ApiError(400, "Glossary does not match the language pair of the request.")
            glossary_terms = dict(g.dictionaries[pair])

        results = [
            pseudo_translate(t, target, tag_handling=tag_handling, ignore_tags=ignore,
                             glossary=glossary_terms, dictionary=self.dictionary)
            for t in texts
        ]
        billed = sum(b for _, b in results)
        with self._lock:
            if self.character_limit is not None and self.character_count + billed > self.character_limit:
                raise _ApiError(456, "Quota Exceeded")
            self.character_count += billed
            mangle = None
            if self._mangles:
                mangle = self._mangles[0]
                mangle.remaining -= 1
                if mangle.remaining <= 0:
                    self._mangles.popleft()
        translated = [t for t, _ in results]
        if mangle is not None:
            indices = [mangle.index] if mangle.index is not None else range(len(translated))
            for i in indices:
                mangled = _mangle(translated[i], mangle.kind)
                if mangled is not None:
                    translated[i] = mangled
                    self._note(record, fault=f"mangle:{mangle.kind}@{i}")
                    break
            else:
                self._note(record, fault=f"mangle:{mangle.kind}:not-applicable")
        show_billed = _truthy(p.get("show_billed_characters", False))
        model_type = p.get("model_type")
        out = []
        for text, (_, b) in zip(translated, results):
            item: dict[str, Any] = {"detected_source_language": source or self.detected_source_language, "text": text}
            if show_billed:
                item["billed_characters"] = b
            if model_type:
                item["model_type_used"] = (
                    "quality_optimized" if "quality" in str(model_type) else "latency_optimized"
                )
            out.append(item)
        return 200, {"translations": out}

    # ------------------------------------------------------------------ glossaries

    def _find_glossary(self, glossary_id: str) -> _Glossary:
        if not _UUID.match(glossary_id):
            raise _ApiError(400, "Invalid glossary id")
        with self._lock:
            g = self._glossaries.get(glossary_id)
        if g is None:
            raise _ApiError(404, "Glossary not found")
        return g

    @staticmethod
    def _pair(source: Any, target: Any) -> tuple[str, str]:
        s = str(source or "").split("-")[0].lower()
        t = str(target or "").split("-")[0].lower()
        if s not in GLOSSARY_LANGUAGES or t not in GLOSSARY_LANGUAGES or s == t:
            raise _ApiError(400, "Unsupported glossary source and target language pair")
        return s, t

    @staticmethod
    def _entries(p: Mapping[str, Any]) -> dict[str, str]:
        try:
            return _parse_entries(p.get("entries"), str(p.get("entries_format") or "tsv"))
        except ValueError as e:
            raise _ApiError(400, f"Invalid glossary entries: {e}") from None

    def _new_glossary(self, name: Any, dictionaries: dict[tuple[str, str], dict[str, str]]) -> _Glossary:
        if not name or not isinstance(name, str):
            raise _ApiError(400, "Parameter 'name' not specified.")
        now = datetime.now(timezone.utc)
        g = _Glossary(str(uuid.uuid4()), name, now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
                      dictionaries)
        with self._lock:
            self._glossaries[g.glossary_id] = g
        return g

    def _glossaries_v2(self, method: str, rest: list[str], p: Mapping[str, Any]) -> tuple[int, Any]:
        if not rest:
            if method == "POST":
                pair = self._pair(p.get("source_lang"), p.get("target_lang"))
                g = self._new_glossary(p.get("name"), {pair: self._entries(p)})
                return 201, g.v2_json()
            if method == "GET":
                with self._lock:
                    gs = [g.v2_json() for g in self._glossaries.values() if len(g.dictionaries) == 1]
                return 200, {"glossaries": gs}
        elif len(rest) == 1:
            g = self._find_glossary(rest[0])
            if len(g.dictionaries) != 1:
                raise _ApiError(400, "Multilingual glossaries are only available through the v3 endpoints")
            if method == "GET":
                return 200, g.v2_json()
            if method == "DELETE":
                with self._lock:
                    self._glossaries.pop(g.glossary_id, None)
                return 204, None
        elif len(rest) == 2 and rest[1] == "entries" and method == "GET":
            g = self._find_glossary(rest[0])
            if len(g.dictionaries) != 1:
                raise _ApiError(400, "Multilingual glossaries are only available through the v3 endpoints")
            return 200, _tsv(next(iter(g.dictionaries.values())))
        raise _ApiError(404, "Not found")

    def _glossaries_v3(self, method: str, rest: list[str], p: Mapping[str, Any]) -> tuple[int, Any]:
        def read_dicts(items: Any) -> dict[tuple[str, str], dict[str, str]]:
            if not isinstance(items, list):
                raise _ApiError(400, "Parameter 'dictionaries' must be a list.")
            out: dict[tuple[str, str], dict[str, str]] = {}
            for d in items:
                if not isinstance(d, dict):
                    raise _ApiError(400, "Invalid dictionary.")
                out[self._pair(d.get("source_lang"), d.get("target_lang"))] = self._entries(d)
            return out

        if not rest:
            if method == "POST":
                dicts = read_dicts(p.get("dictionaries"))
                if not dicts:
                    raise _ApiError(400, "Parameter 'dictionaries' not specified.")
                return 201, self._new_glossary(p.get("name"), dicts).v3_json()
            if method == "GET":
                with self._lock:
                    return 200, {"glossaries": [g.v3_json() for g in self._glossaries.values()]}
            raise _ApiError(404, "Not found")
        g = self._find_glossary(rest[0])
        sub = rest[1:]
        if not sub:
            if method == "GET":
                return 200, g.v3_json()
            if method == "DELETE":
                with self._lock:
                    self._glossaries.pop(g.glossary_id, None)
                return 204, None
            if method == "PATCH":
                name = p.get("name")
                dicts = read_dicts(p["dictionaries"]) if "dictionaries" in p else {}
                with self._lock:
                    if name is not None:
                        if not name:
                            raise _ApiError(400, "Parameter 'name' must not be empty.")
                        g.name = name
                    for pair, entries in dicts.items():
                        g.dictionaries.setdefault(pair, {}).update(entries)
                    return 200, g.v3_json()
        elif sub == ["dictionaries"]:
            if method == "PUT":
                pair = self._pair(p.get("source_lang"), p.get("target_lang"))
                entries = self._entries(p)
                with self._lock:
                    g.dictionaries[pair] = entries
                return 200, _dict_json(pair, entries)
            if method == "DELETE":
                pair = self._pair(p.get("source_lang"), p.get("target_lang"))
                with self._lock:
                    if pair not in g.dictionaries:
                        raise _ApiError(404, "Glossary dictionary not found")
                    del g.dictionaries[pair]
                return 204, None
        elif sub == ["entries"] and method == "GET":
            pair = self._pair(p.get("source_lang"), p.get("target_lang"))
            with self._lock:
                entries = g.dictionaries.get(pair)
                if entries is None:
                    raise _ApiError(404, "Glossary dictionary not found")
                return 200, {"dictionaries": [
                    {"source_lang": pair[0], "target_lang": pair[1], "entries": _tsv(entries), "entries_format": "tsv"}
                ]}
        raise _ApiError(404, "Not found")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as requests expects
    server_version = "FakeDeepL/1.0"
    sys_version = ""
    timeout = 30  # idle keep-alive connections end eventually even without close()
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK costs
    # ~40 ms per request on a kept-alive connection.
    disable_nagle_algorithm = True
    fake: FakeDeepL

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr
        pass

    def setup(self) -> None:
        super().setup()
        with self.fake._lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake._lock:
            self.fake._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def handle(self) -> None:
        try:
            super().handle()
        except (OSError, ValueError):  # client gave up (timeout) or the fake closed the socket
            self.close_connection = True

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # ------------------------------------------------------------------

    def _read(self) -> tuple[bytes, bool]:
        length = int(self.headers.get("Content-Length") or 0)
        too_big = length > self.fake.max_body_bytes
        raw = self.rfile.read(length) if length else b""
        return raw, too_big

    def _parse(self, raw: bytes, query: dict[str, list[str]]) -> tuple[dict[str, Any], str]:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params: dict[str, Any] = {}
        for k, v in query.items():
            params[k] = v if k in _LIST_PARAMS else v[-1]
        if not raw:
            return params, "none"
        if ctype == "application/json":
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise _ApiError(400, "Invalid JSON body") from None
            if not isinstance(body, dict):
                raise _ApiError(400, "JSON body must be an object")
            params.update(body)
            kind = "json"
        elif ctype == "application/x-www-form-urlencoded":
            form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
            params.update({k: (v if k in _LIST_PARAMS else v[-1]) for k, v in form.items()})
            kind = "form"
        else:
            return params, "other"
        if "text" in params and not isinstance(params["text"], list):
            params["text"] = [params["text"]]
        return params, kind

    def _serve(self) -> None:
        fake = self.fake
        raw, too_big = self._read()
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "authorization"}
        authorized = fake._is_authorized(self.headers.get("Authorization"))
        parse_error: _ApiError | None = None
        try:
            params, body_kind = self._parse(raw, query) if not too_big else ({}, "other")
        except _ApiError as e:
            params, body_kind, parse_error = {}, "other", e
        record = RecordedRequest(
            method=self.command, path=url.path, query={k: v if len(v) > 1 else v[0] for k, v in query.items()},
            params=params, body_kind=body_kind, headers=headers, time=time.monotonic(), authorized=authorized,
        )
        fault, extra_delay = fake._begin(record)
        try:
            if fault is not None and fault.kind == "drop" and not fault.partial:
                fake._note(record, fault="drop")
                self.close_connection = True
                return
            extra_headers: dict[str, str] = {}
            if fault is not None and fault.kind == "fail":
                status = fault.status
                payload: Any = fault.body if fault.body is not None else {"message": _default_message(status)}
                extra_headers = dict(fault.headers or {})
                fake._note(record, fault=f"fail:{status}")
            elif too_big:
                status, payload = 413, {"message": "Request Entity Too Large"}
            elif not authorized:
                status, payload = 403, {"message": "Wrong endpoint"}
            elif parse_error is not None:
                status, payload = parse_error.status, {"message": parse_error.message}
            else:
                try:
                    status, payload = fake._dispatch(record)
                except _ApiError as e:
                    status, payload = e.status, {"message": e.message}
            body, ctype = self._encode(payload)
            wait = (fake.latency or 0.0) + extra_delay
            if extra_delay:
                fake._note(record, fault=f"delay:{extra_delay:g}")
            if wait > 0 and fake._closing.wait(wait):
                self.close_connection = True
                return
            partial = fault is not None and fault.kind == "drop" and fault.partial
            # Note the outcome before writing: the client may look at the log as soon as it has the reply.
            if partial:
                fake._note(record, fault="partial")
            else:
                fake._note(record, status=status)
            if fault is not None and fault.kind == "trickle":
                fake._note(record, fault=f"trickle:{fault.interval:g}")
                self._trickle(status, body, ctype, fault.interval)
                return
            self._respond(status, body, ctype, extra_headers, partial=partial)
        finally:
            fake._end()

    @staticmethod
    def _encode(payload: Any) -> tuple[bytes, str | None]:
        if payload is None:
            return b"", None
        if isinstance(payload, bytes):
            return payload, "application/octet-stream"
        if isinstance(payload, str):
            return payload.encode("utf-8"), "text/tab-separated-values; charset=utf-8"
        return json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8"

    def _trickle(self, status: int, body: bytes, ctype: str | None, interval: float) -> None:
        head = f"HTTP/1.1 {status} {_phrase(status)}\r\nServer: {self.server_version}\r\n"
        if ctype:
            head += f"Content-Type: {ctype}\r\n"
        head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        self.close_connection = True
        for byte in head.encode("latin-1") + body:
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return  # the client hung up
            if self.fake._closing.wait(interval):
                return

    def _respond(self, status: int, body: bytes, ctype: str | None, extra: Mapping[str, str], *, partial: bool) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        for k, v in extra.items():
            self.send_header(k, v)
        if partial:
            self.send_header("Connection", "close")
        self.end_headers()
        if status == 204:
            return
        if partial:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.wfile.write(body)


def serve_in_subprocess(
    auth_key: str = FakeDeepL.DEFAULT_KEY, *, latency: float = 0.0, character_limit: int | None = 500_000, seconds: float = 120,
):
    """A FakeDeepL in its own process, for tests that kill a client: ``(process, url)``; kill the process after."""
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); from deepl_fake import FakeDeepL; "
        f"f = FakeDeepL({auth_key!r}, latency={latency!r}, character_limit={character_limit!r}); "
        f"print(f.url, flush=True); time.sleep({seconds!r})"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(Path(__file__).parent)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()
