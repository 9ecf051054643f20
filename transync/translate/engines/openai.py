"""The ``openai`` engine: any OpenAI-compatible chat-completions server, through the official ``openai`` library.

Hosted OpenAI, Azure's compatible endpoint, or a local server (Ollama, vLLM,
LM Studio): ``OPENAI_API_KEY`` holds the key, ``OPENAI_BASE_URL`` (or
``base_url`` in ``[translate.openai]``) the server, and ``model`` in
``[translate.openai]`` the model, which has no default.

A request carries a batch of segments as the placeholder XML DeepL gets, the
glossary terms of the language pair that occur in them, and asks for a JSON
object ``{"translations": [...]}``, one string per text in order. The reply's
shape is checked here (a malformed reply is asked for once more, then the run
stops); the placeholders of each text are checked by the run driver like any
engine's, which retries a broken text once and then fails its document.

Retries of 408, 409, 429 and 5xx (honouring ``Retry-After``) and the timeout
are the library's (``retries``, ``timeout``); transync adds none, only a
deadline on the reply's body: its timeout bounds each wait for bytes, so a
server trickling its body is cut off ``timeout`` seconds after the request
began, and the attempt fails (and is retried) like a timeout. Failures map
to :mod:`transync.errors`: a refused key to :class:`AuthFailed`, an exhausted
quota to :class:`QuotaExceeded`, a request over the model's context to
:class:`RequestTooLarge` (the driver halves the batch), anything else to
:class:`EngineFailure`. The key is never printed: messages pass through
:func:`transync.translate.engines.safe_message`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from transync.translate.engines import Table, Translated, api_key, safe_message
from transync.errors import AuthFailed, EngineFailure, QuotaExceeded, RequestTooLarge, UsageError

KEYS = {"model", "base_url", "temperature", "batch_size", "timeout", "retries"}

_AUTH_REFUSED = "the OpenAI-compatible server refused the key in OPENAI_API_KEY ({status}): check the key and OPENAI_BASE_URL"


@dataclass(frozen=True)
class OpenAISettings:
    """``[translate.openai]``."""

    model: str | None = None
    base_url: str | None = None  # OPENAI_BASE_URL wins
    temperature: float | None = None  # None: the server's default (some models take no other)
    batch_size: int = 20  # texts per chat request: long batches make models skip or merge texts
    timeout: float = 60.0  # seconds per attempt (the library's timeout)
    retries: int = 3


@dataclass
class OpenAIEngine:
    api_key: str = field(repr=False)
    model: str = ""
    base_url: str | None = None
    temperature: float | None = None
    batch_size: int = 20
    timeout: float = 60.0
    retries: int = 3
    name: str = "openai"
    #: (source, target) -> [(source term, target term)], from :meth:`use_glossaries`.
    terms: Mapping[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)

    @classmethod
    def settings(cls, table: Table) -> OpenAISettings:
        table.check_keys(KEYS)
        model = table.get("model", str)
        if model is not None and not model.strip():
            raise table.fail("model", "must name a model")
        temperature = table.number("temperature", positive=False)
        if temperature is not None and not 0 <= temperature <= 2:
            raise table.fail("temperature", "must be between 0 and 2")
        return OpenAISettings(
            model=model,
            base_url=table.get("base_url", str),
            temperature=None if temperature is None else float(temperature),
            batch_size=table.whole("batch_size", 20, minimum=1),
            timeout=float(table.number("timeout", 60.0)),
            retries=table.whole("retries", 3),
        )

    @classmethod
    def create(cls, settings: OpenAISettings | None, environ: Mapping[str, str]) -> "OpenAIEngine":
        s = settings or OpenAISettings()
        if not s.model:
            raise UsageError("--engine openai needs a model: set model = \"...\" in [translate.openai] of transync.toml")
        return cls(
            api_key(environ, "OPENAI_API_KEY", "openai"),
            model=s.model,
            base_url=environ.get("OPENAI_BASE_URL") or s.base_url,
            temperature=s.temperature,
            batch_size=s.batch_size,
            timeout=s.timeout,
            retries=s.retries,
        )

    def __post_init__(self) -> None:
        import openai

        self._openai = openai
        self._client = openai.OpenAI(
            api_key=self.api_key, base_url=self.base_url or None, max_retries=self.retries, timeout=self.timeout,
            http_client=openai.DefaultHttpxClient(transport=_deadline_transport(self.timeout)),
        )

    def use_glossaries(self, glossaries) -> None:
        """Put the glossary's terms of a pair into the prompts of that pair (nothing is stored on the server)."""
        self.terms = {pair: [(e.source, e.target) for e in entries] for pair, entries in glossaries.pairs.items()}

    # -- translating

    def translate(self, texts: Sequence[str], *, source_lang: str, target_lang: str) -> list[Translated]:
        out: list[Translated] = []
        for start in range(0, len(texts), self.batch_size):
            out.extend(self._batch(list(texts[start : start + self.batch_size]), source_lang, target_lang))
        return out

    def _batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translated]:
        messages = self.messages(texts, source_lang, target_lang)
        prompt_tokens = completion_tokens = 0
        problem = ""
        for _attempt in range(2):  # a malformed reply is asked for once more
            response = self._send(messages, texts)
            usage = getattr(response, "usage", None)
            prompt_tokens += getattr(usage, "prompt_tokens", None) or 0
            completion_tokens += getattr(usage, "completion_tokens", None) or 0
            translations, problem = _read_reply(response, len(texts))
            if translations is not None:
                first = Translated(translations[0], prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
                return [first, *(Translated(t) for t in translations[1:])]
        raise EngineFailure(f"the model {self.model} sent an unusable reply twice: {problem}")

    def messages(self, texts: list[str], source_lang: str, target_lang: str) -> list[dict[str, str]]:
        """The chat messages for one batch: instructions (with the pair's glossary terms found in the texts), then the texts as JSON."""
        source, target = _language(source_lang), _language(target_lang)
        system = (
            f"You translate website text from {source} to {target}. The user sends a JSON object whose "
            '"texts" list holds XML fragments. Translate the words of each fragment and keep its markup: every '
            'self-closing placeholder such as <x id="3"/> stands for protected content (code, math, a URL, a '
            "citation) and must appear in your translation exactly once, unchanged; no placeholder may be added. "
            'Paired tags such as <b id="1">...</b> keep their id and wrap the translated words they wrapped. '
            "Keep entities such as &amp; as they are. Add no explanation, note or quotation marks. "
            'Reply with a JSON object {"translations": [...]} holding one translated string per text, in the '
            "same order, as many strings as there are texts."
        )
        found = _terms_in(self.terms.get((source_lang, target_lang), []), texts)
        if found:
            system += f"\nTranslate these terms as given ({source} -> {target}):\n" + "\n".join(f"{s} -> {t}" for s, t in found)
        user = json.dumps({"source_lang": source_lang, "target_lang": target_lang, "texts": texts}, ensure_ascii=False)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def _send(self, messages, texts: list[str]):
        openai = self._openai
        extra: dict[str, Any] = {} if self.temperature is None else {"temperature": self.temperature}
        try:
            return self._client.chat.completions.create(
                model=self.model, messages=messages, response_format={"type": "json_object"}, **extra
            )
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise AuthFailed(_AUTH_REFUSED.format(status=exc.status_code)) from None
        except openai.RateLimitError as exc:
            if _error_code(exc) == "insufficient_quota":
                raise QuotaExceeded("the OpenAI-compatible server says the quota is exhausted (429 insufficient_quota): finished documents are kept") from None
            raise EngineFailure(f"the OpenAI-compatible server kept limiting the rate (429) after {self.retries} retries: {self._safe(exc)}") from None
        except openai.APIStatusError as exc:
            if exc.status_code == 413 or _error_code(exc) == "context_length_exceeded":
                size = sum(len(t.encode("utf-8")) for t in texts)
                raise RequestTooLarge(
                    f"the model {self.model} refused a request of {len(texts)} text(s), {size:,} bytes, as too large ({exc.status_code})",
                    texts=len(texts), size=size,
                ) from None
            if exc.status_code == 404:
                raise EngineFailure(f"the OpenAI-compatible server does not know the model {self.model!r} (404): {self._safe(exc)}") from None
            tried = f" after {self.retries} retries" if exc.status_code >= 500 else ""
            raise EngineFailure(f"the OpenAI-compatible server failed{tried} ({exc.status_code}): {self._safe(exc)}") from None
        except openai.APITimeoutError:
            raise EngineFailure(f"the OpenAI-compatible server sent no reply within {self.timeout:g} s, {self.retries} retries included") from None
        except openai.APIConnectionError as exc:
            raise EngineFailure(f"cannot reach the OpenAI-compatible server after {self.retries} retries: {self._safe(exc)}") from None
        except openai.OpenAIError as exc:
            raise EngineFailure(f"the OpenAI-compatible server failed: {self._safe(exc)}") from None

    def _safe(self, exc: BaseException) -> str:
        return safe_message(exc, self.api_key)


def _deadline_transport(seconds: float):
    """An HTTP transport whose reply bodies must be complete ``seconds`` after their request was sent."""
    import time

    import httpx2

    class Body(httpx2.SyncByteStream):
        def __init__(self, inner, deadline: float) -> None:
            self.inner, self.deadline = inner, deadline

        def __iter__(self):
            for chunk in self.inner:
                if time.monotonic() > self.deadline:
                    raise httpx2.ReadTimeout(f"no complete reply within {seconds:g} s")
                yield chunk

        def close(self) -> None:
            self.inner.close()

    class Transport(httpx2.HTTPTransport):
        def handle_request(self, request):
            deadline = time.monotonic() + seconds
            response = super().handle_request(request)
            return httpx2.Response(
                response.status_code, headers=response.headers, stream=Body(response.stream, deadline),
                extensions=response.extensions, request=request,
            )

    return Transport()


def _read_reply(response, count: int) -> tuple[list[str] | None, str]:
    """The translations of a chat reply, or None and what is wrong with it."""
    try:
        choice = response.choices[0]
        content = choice.message.content
    except (AttributeError, IndexError, TypeError):
        return None, "no choice in the reply"
    if getattr(choice, "finish_reason", None) == "length":
        return None, "the reply was cut at the model's length limit (lower batch_size in [translate.openai])"
    if not isinstance(content, str):
        return None, "the reply has no text"
    try:
        data = json.loads(content)
    except ValueError:
        return None, "the reply is not JSON"
    translations = data.get("translations") if isinstance(data, dict) else None
    if not isinstance(translations, list) or not all(isinstance(t, str) for t in translations):
        return None, 'the reply is not {"translations": [strings]}'
    if len(translations) != count:
        return None, f"{len(translations)} translations for {count} texts"
    return translations, ""


def _error_code(exc) -> str | None:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        code = inner.get("code") if isinstance(inner, dict) else None
        return code if isinstance(code, str) else None
    return getattr(exc, "code", None)


def _language(code: str) -> str:
    """``ja`` -> ``Japanese (ja)``: models know names better than codes."""
    try:
        from babel import Locale

        return f"{Locale.parse(code.replace('-', '_')).english_name} ({code})"
    except Exception:  # an unknown code: the code alone
        return code


def _terms_in(terms: list[tuple[str, str]], texts: list[str]) -> list[tuple[str, str]]:
    """The glossary terms that occur in the texts (case-insensitive), in the glossary's order."""
    haystack = "\n".join(texts).casefold()
    return [(s, t) for s, t in terms if s.casefold() in haystack]
