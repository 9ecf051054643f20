"""An OpenAI-compatible chat-completions server for tests, with fault injection (stdlib only).

Start it on 127.0.0.1 (the OS picks a free port) and point the real ``openai`` client at it::

    with FakeOpenAI("sk-test-...") as fake:
        client = openai.OpenAI(api_key=fake.api_key, base_url=fake.url)

Nothing here talks to a real service.

- ``POST /v1/chat/completions`` takes the request's JSON, reads the texts from the
  last user message (a JSON object with ``texts``, ``target_lang``, as
  :mod:`transync.translate.engines.openai` sends them) and the glossary lines
  (``source -> target``) of the system message, and answers a chat completion
  whose content is ``{"translations": [...]}``: each text pseudo-translated by
  :func:`deepl_fake.pseudo_translate` (tags kept byte for byte, ``[JA]`` marker,
  glossary terms applied). ``usage`` counts tokens as characters / 4 (at least 1).
- ``Authorization: Bearer <api_key>`` is required, else 401 with an error body
  that quotes the key sent (as real servers partly do): a client must never
  print it.
- Faults, each for the next request(s): ``fail_next(status, times, code=...)``
  (429 carries ``retry-after-ms: 10`` so retries are fast), ``reply_next(kind,
  times, index=None)`` with kinds ``drop_tag``, ``duplicate_tag``,
  ``invent_tag``, ``break_tag`` (one text, those holding ``match``, or all), ``wrong_count``,
  ``not_json``, ``not_object``; ``delay_next(seconds, times)`` (before the reply);
  ``trickle_next(seconds, times)`` (the body 16 bytes at a time).
- ``requests`` records every request: ``RecordedChat(path, payload, texts, terms, status, fault, usage)``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from deepl_fake import MANGLE_KINDS, _mangle, pseudo_translate

REPLY_KINDS = (*MANGLE_KINDS, "wrong_count", "not_json", "not_object")


@dataclass
class RecordedChat:
    path: str
    payload: dict[str, Any] | None
    texts: list[str] = field(default_factory=list)
    terms: dict[str, str] = field(default_factory=dict)
    status: int = 200
    fault: str | None = None
    usage: tuple[int, int] = (0, 0)  # (prompt, completion) tokens the reply counted


class FakeOpenAI:
    def __init__(self, api_key: str = "sk-fake-openai-test-key-0123456789") -> None:
        self.api_key = api_key
        self.requests: list[RecordedChat] = []
        self._lock = threading.Lock()
        self._fails: deque[list] = deque()  # [status, remaining, code]
        self._replies: deque[list] = deque()  # [kind, remaining, index]
        self._delays: deque[list] = deque()  # [seconds, remaining]
        self._trickles: deque[list] = deque()  # [seconds per 16 bytes, remaining]
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- faults

    def fail_next(self, status: int, times: int = 1, *, code: str | None = None) -> None:
        with self._lock:
            self._fails.append([status, times, code])

    def reply_next(self, kind: str, times: int = 1, *, index: int | None = None, match: str | None = None) -> None:
        """Spoil the next ``times`` replies; a mangle kind hits text ``index``, or the texts holding
        ``match`` (a reply without such a text is not counted), or every text."""
        if kind not in REPLY_KINDS:
            raise ValueError(f"unknown reply kind {kind!r}; expected one of {REPLY_KINDS}")
        with self._lock:
            self._replies.append([kind, times, index, match])

    def delay_next(self, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._delays.append([seconds, times])

    def trickle_next(self, seconds: float, times: int = 1) -> None:
        """Send the next replies' bodies 16 bytes at a time, ``seconds`` apart (headers at once)."""
        with self._lock:
            self._trickles.append([seconds, times])

    def trickle(self) -> float | None:
        with self._lock:
            item = self._take(self._trickles)
        return None if item is None else item[0]

    @staticmethod
    def _take(queue: deque[list]) -> list | None:
        if not queue:
            return None
        item = queue[0]
        item[1] -= 1
        if item[1] <= 0:
            queue.popleft()
        return item

    # -- the endpoint

    def handle(self, path: str, headers, body: bytes) -> tuple[int, dict[str, str], bytes]:
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            payload = None
        record = RecordedChat(path, payload if isinstance(payload, dict) else None)
        with self._lock:
            self.requests.append(record)
            delay = self._take(self._delays)
        if delay is not None:
            record.fault = f"delay:{delay[0]}"
            time.sleep(delay[0])

        def error(status: int, message: str, code: str | None = None, extra: dict[str, str] | None = None):
            record.status = status
            body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}}
            return status, {"Content-Type": "application/json", **(extra or {})}, json.dumps(body).encode()

        if path.rstrip("/") != "/v1/chat/completions":
            return error(404, f"no route {path}")
        sent = headers.get("Authorization", "")
        if sent != f"Bearer {self.api_key}":
            return error(401, f"Incorrect API key provided: {sent.removeprefix('Bearer ')}.", "invalid_api_key")
        with self._lock:
            fail = self._take(self._fails)
        if fail is not None:
            record.fault = f"fail:{fail[0]}"
            extra = {"retry-after-ms": "10"} if fail[0] == 429 or fail[0] >= 500 else {}
            return error(fail[0], f"injected {fail[0]}", fail[2], extra)
        if record.payload is None or not isinstance(record.payload.get("messages"), list):
            return error(400, "the body must be a JSON object with messages")
        if record.payload.get("response_format") != {"type": "json_object"}:
            return error(400, "this fake answers JSON only: response_format must be json_object")
        messages = record.payload["messages"]
        system = next((m.get("content", "") for m in messages if m.get("role") == "system"), "")
        user = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
        try:
            request = json.loads(user)
            record.texts = list(request["texts"])
            target = str(request["target_lang"])
        except (ValueError, KeyError, TypeError):
            return error(400, "the user message must be JSON with texts and target_lang")
        record.terms = dict(
            line.split(" -> ", 1) for line in system.splitlines() if " -> " in line and not line.startswith("Translate")
        )
        translations = [pseudo_translate(t, target, tag_handling="xml", ignore_tags=["x"], glossary=record.terms)[0] for t in record.texts]
        with self._lock:
            match = self._replies[0][3] if self._replies else None
            hits = [i for i, t in enumerate(record.texts) if match is None or match in t]
            reply = self._take(self._replies) if hits else None
        content: str = json.dumps({"translations": translations}, ensure_ascii=False)
        if reply is not None:
            kind, index = reply[0], reply[2]
            record.fault = f"reply:{kind}"
            if kind in MANGLE_KINDS:
                for i in ([index] if index is not None else hits):
                    translations[i] = _mangle(translations[i], kind) or translations[i]
                content = json.dumps({"translations": translations}, ensure_ascii=False)
            elif kind == "wrong_count":
                content = json.dumps({"translations": translations[:-1] if len(translations) > 1 else translations * 2})
            elif kind == "not_json":
                content = "Sure! Here are the translations: " + " | ".join(translations)
            elif kind == "not_object":
                content = json.dumps(translations)
        record.usage = (max(1, sum(len(m.get("content", "")) for m in messages) // 4), max(1, len(content) // 4))
        answer = {
            "id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion", "created": int(time.time()),
            "model": record.payload.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": record.usage[0], "completion_tokens": record.usage[1], "total_tokens": sum(record.usage)},
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(answer, ensure_ascii=False).encode()

    def tokens(self) -> tuple[int, int]:
        """(prompt, completion) tokens of every successful reply so far."""
        with self._lock:
            return sum(r.usage[0] for r in self.requests), sum(r.usage[1] for r in self.requests)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status, headers, data = self.server.fake.handle(self.path, self.headers, body)  # type: ignore[attr-defined]
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        pause = self.server.fake.trickle() if status == 200 else None  # type: ignore[attr-defined]
        try:
            if pause is None:
                self.wfile.write(data)
                return
            for start in range(0, len(data), 16):
                self.wfile.write(data[start : start + 16])
                self.wfile.flush()
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST
