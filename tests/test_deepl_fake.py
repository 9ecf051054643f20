"""The real ``deepl.DeepLClient`` against :class:`deepl_fake.FakeDeepL`, with fault injection.

Nothing here reaches the DeepL service: every client is built with ``server_url=fake.url``
(127.0.0.1). Retry settings are changed only through ``monkeypatch`` so they are restored
after each test (``_library_settings_restored`` restores them once more, and keeps the time budget).
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import deepl
import pytest
from deepl.api_data import MultilingualGlossaryDictionaryEntries

from deepl_fake import MANGLE_KINDS, FakeDeepL, billed_characters, pseudo_translate

_http = deepl.http_client
_Backoff = deepl.http_client._BackoffTimer  # private: the backoff constants have no public setting
_TAG = re.compile(r"<[^<>]*>")

#: Per-test wall-clock budget (the brief: no test over ~2 s). A regression such as running with
#: the library's default backoff (~15.8 s for five 429s) fails loudly instead of slowing the suite.
TEST_BUDGET_S = 15.0  # generous: only a hang should trip it, never a loaded machine


def _settings() -> tuple[object, ...]:
    return (
        _http.max_network_retries,
        _http.min_connection_timeout,
        _Backoff.BACKOFF_INITIAL,
        _Backoff.BACKOFF_MULTIPLIER,
        _Backoff.BACKOFF_JITTER,
        _Backoff.BACKOFF_MAX,
    )


@pytest.fixture(autouse=True)
def _library_settings_restored():
    """Put the process-global retry settings back even if a test set them without monkeypatch
    (conftest's autouse fixture already holds ``monkeypatch``, whose undo runs after this)."""
    before = _settings()
    start = time.monotonic()
    yield
    elapsed = time.monotonic() - start
    (_http.max_network_retries, _http.min_connection_timeout, _Backoff.BACKOFF_INITIAL,
     _Backoff.BACKOFF_MULTIPLIER, _Backoff.BACKOFF_JITTER, _Backoff.BACKOFF_MAX) = before
    assert elapsed < TEST_BUDGET_S, f"test took {elapsed:.2f} s"


@pytest.fixture
def fake():
    with FakeDeepL() as server:
        yield server


def _client(server: FakeDeepL, key: str | None = None) -> deepl.DeepLClient:
    return deepl.DeepLClient(key or server.auth_key, server_url=server.url, send_platform_info=False)


@pytest.fixture
def client(fake, monkeypatch):
    # Never route 127.0.0.1 through a proxy configured in the environment.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    c = _client(fake)
    yield c
    c.close()


@pytest.fixture
def fast_backoff(monkeypatch):
    """Shrink the backoff from 1 s x 1.6^n to 20 ms x 1.6^n.

    Only ``max_network_retries`` and ``min_connection_timeout`` are documented settings; the
    backoff schedule lives in private class attributes of ``deepl.http_client._BackoffTimer``.
    """
    monkeypatch.setattr(_Backoff, "BACKOFF_INITIAL", 0.02)
    monkeypatch.setattr(_Backoff, "BACKOFF_MAX", 0.2)
    monkeypatch.setattr(_http, "min_connection_timeout", 2.0)


def _tags(text: str) -> list[str]:
    return _TAG.findall(text)


# --------------------------------------------------------------------------- translation


BATCH = [
    'Hello <x id="1"/> world',
    'Read <b id="1">the review</b> at <x id="2"/>.',
    'Price: <x id="1">`code` stays</x> &amp; more',
    '<x id="1"/>',
]
# "Hello " + " world"; "Read " + "the review" + " at " + "."; "Price: " + " & more" (entity = 1,
# ignored <x> content = 0); nothing but a tag.
BATCH_BILLED = [6 + 6, 5 + 10 + 4 + 1, 7 + 7, 0]


def test_batch_keeps_tags_and_bills_documented_characters(fake, client):
    results = client.translate_text(BATCH, target_lang="JA", tag_handling="xml", ignore_tags=["x"])

    assert [r.billed_characters for r in results] == BATCH_BILLED
    assert [billed_characters(t, "xml", ["x"]) for t in BATCH] == BATCH_BILLED
    for source, result in zip(BATCH, results):
        assert _tags(result.text) == _tags(source)
        assert result.detected_source_lang == "EN"
        assert result.text == pseudo_translate(source, "JA", tag_handling="xml", ignore_tags=["x"])[0]
    assert results[0].text == '[JA]こんにちは <x id="1"/> 世界'
    assert results[1].text == '[JA]rEAD <b id="1">THE レビュー</b> AT <x id="2"/>.'
    assert results[2].text == '[JA]価格: <x id="1">`code` stays</x> &amp; MORE'  # ignored content untouched
    assert results[3].text == '<x id="1"/>'

    assert fake.character_count == sum(BATCH_BILLED)
    (request,) = fake.requests
    assert (request.method, request.path, request.body_kind) == ("POST", "/v2/translate", "json")
    assert request.params["text"] == BATCH
    assert request.params["ignore_tags"] == ["x"]
    assert request.params["tag_handling"] == "xml"
    assert request.params["show_billed_characters"] is True  # the library always asks for it
    assert "Authorization" not in request.headers and request.authorized
    assert fake.auth_key not in repr(fake.requests)


def test_translation_is_a_deterministic_function_of_the_input(client):
    a, b, a2 = client.translate_text(["Alpha beta", "alpha beta", "Alpha beta"], target_lang="DE")
    assert a.text == a2.text == "[DE]aLPHA BETA"
    assert b.text != a.text
    assert client.translate_text("Alpha beta", target_lang="EN-US").text == "[EN-US]aLPHA BETA"
    # Without tag_handling the markup is text too, and gets "translated": transync must send xml.
    assert client.translate_text('a <x id="1"/>', target_lang="DE").text == '[DE]A <X ID="1"/>'


def test_options_are_forwarded_and_context_is_not_billed(fake, client):
    result = client.translate_text(
        "Hello",
        source_lang="EN",
        target_lang="DE",
        formality="prefer_more",
        context="A long context that is never billed.",
        split_sentences="nonewlines",
        preserve_formatting=True,
        model_type="quality_optimized",
    )
    assert (result.text, result.billed_characters, result.model_type_used) == ("[DE]Hallo", 5, "quality_optimized")
    params = fake.requests[-1].params
    assert params["formality"] == "prefer_more"
    assert params["context"] == "A long context that is never billed."
    assert params["split_sentences"] == "nonewlines"
    assert params["preserve_formatting"] is True
    assert params["source_lang"] == "EN" and params["target_lang"] == "DE"
    assert fake.character_count == 5


def test_invalid_requests_are_rejected(fake, client):
    with pytest.raises(deepl.DeepLException, match="Bad request") as err:
        client.translate_text("Hi", target_lang="XX")
    assert err.value.http_status_code == 400
    with pytest.raises(deepl.DeepLException, match="formality"):
        client.translate_text("Hi", target_lang="EN-GB", formality="more")
    with pytest.raises(deepl.DeepLException, match="Too many texts"):
        client.translate_text(["t"] * 51, target_lang="DE")
    n = len(fake.requests)
    with pytest.raises(deepl.DeepLException, match="deprecated"):  # refused by the library itself
        client.translate_text("Hi", target_lang="EN")
    assert len(fake.requests) == n
    assert fake.character_count == 0


def test_form_encoded_bodies_are_accepted_too(fake):
    body = "text=Hello&text=World+%3Cx+id%3D%221%22%2F%3E&target_lang=DE&tag_handling=xml&ignore_tags=x"
    req = urllib.request.Request(
        fake.url + "/v2/translate",
        data=(body + "&show_billed_characters=1").encode(),
        headers={"Authorization": f"DeepL-Auth-Key {fake.auth_key}"},
    )
    with urllib.request.urlopen(req, timeout=2) as resp:
        data = json.loads(resp.read())
    assert data == {"translations": [
        {"detected_source_language": "EN", "text": "[DE]Hallo", "billed_characters": 5},
        {"detected_source_language": "EN", "text": '[DE]Welt <x id="1"/>', "billed_characters": 6},
    ]}
    assert fake.requests[-1].body_kind == "form"
    assert fake.requests[-1].params["text"] == ["Hello", 'World <x id="1"/>']
    # Like the real API, billed_characters only when asked; deepl 1.32 would crash on int(None).
    req = urllib.request.Request(fake.url + "/v2/translate", data=body.encode(), headers=req.headers)
    with urllib.request.urlopen(req, timeout=2) as resp:
        assert "billed_characters" not in json.loads(resp.read())["translations"][0]


def test_usage_and_languages(fake, client):
    usage = client.get_usage()
    assert (usage.character.count, usage.character.limit) == (0, 500_000)
    client.translate_text("Hello world", target_lang="FR")
    assert client.get_usage().character.count == 11
    source = {lang.code for lang in client.get_source_languages()}
    target = {lang.code: lang.supports_formality for lang in client.get_target_languages()}
    assert "EN" in source and "EN-US" not in source
    assert target["JA"] is True and target["EN-GB"] is False
    languages = fake.requests_to("/v2/languages")
    assert [r.params.get("type") for r in languages] == [None, "target"]
    assert languages[1].method == "GET" and languages[1].body_kind == "form"  # a GET with a body


def test_latency_applies_to_every_request():
    with FakeDeepL(latency=0.1) as server:
        c = _client(server)
        start = time.monotonic()
        c.get_usage()
        c.translate_text("x", target_lang="DE")
        assert time.monotonic() - start >= 0.2
        c.close()


# --------------------------------------------------------------------------- errors that are not retried


def test_wrong_key_raises_authorization_exception_and_is_not_logged(fake):
    wrong = "not-the-right-key"
    c = _client(fake, key=wrong)
    with pytest.raises(deepl.AuthorizationException) as err:
        c.translate_text("Hello", target_lang="DE")
    c.close()
    assert err.value.http_status_code == 403
    assert "Wrong endpoint" in str(err.value)
    (request,) = fake.requests  # not retried
    assert not request.authorized and request.status == 403
    assert wrong not in repr(request) and fake.auth_key not in repr(request)
    assert fake.character_count == 0


@pytest.mark.parametrize(
    ("status", "exception"),
    [
        (403, deepl.AuthorizationException),
        (456, deepl.QuotaExceededException),
        (400, deepl.DeepLException),
        (404, deepl.DeepLException),
        (413, deepl.DeepLException),
    ],
)
def test_client_errors_are_raised_without_retry(fake, client, fast_backoff, status, exception):
    fake.fail_next(status)
    with pytest.raises(exception) as err:
        client.translate_text("Hello", target_lang="DE")
    assert err.value.http_status_code == status
    assert len(fake.requests) == 1
    assert fake.requests[0].fault == f"fail:{status}"


def test_quota_limit_returns_456_automatically(monkeypatch):
    monkeypatch.setattr(_http, "max_network_retries", 0)
    with FakeDeepL(character_limit=10) as server:
        c = _client(server)
        c.translate_text("12345", target_lang="DE")
        with pytest.raises(deepl.QuotaExceededException):
            c.translate_text("123456", target_lang="DE")  # 5 + 6 > 10: refused, not billed
        assert c.get_usage().character.count == 5
        c.translate_text("12345", target_lang="DE")
        usage = c.get_usage()
        assert (usage.character.count, usage.character.limit, usage.any_limit_reached) == (10, 10, True)
        c.close()


# --------------------------------------------------------------------------- retries


def test_429_twice_then_success_is_retried(fake, client, fast_backoff):
    fake.fail_next(429, times=2, path="/v2/translate")
    start = time.monotonic()
    result = client.translate_text("Hello", target_lang="DE")
    elapsed = time.monotonic() - start
    assert result.text == "[DE]Hallo"
    attempts = fake.requests_to("/v2/translate")
    assert [r.status for r in attempts] == [429, 429, 200]  # three requests for one call
    assert elapsed < 3.0
    assert fake.character_count == 5  # only the successful attempt is billed
    assert fake.pending_faults() == 0


def test_default_backoff_waits_about_one_second_before_the_first_retry(fake, client, monkeypatch):
    # Documented settings only: the backoff itself is left at its defaults (1 s, x1.6, +-23 %).
    monkeypatch.setattr(_http, "max_network_retries", 1)
    fake.fail_next(429)
    start = time.monotonic()
    client.translate_text("Hello", target_lang="DE")
    elapsed = time.monotonic() - start
    first, second = fake.requests
    assert (first.status, second.status) == (429, 200)
    assert 0.9 <= second.time - first.time <= 2.5
    assert 0.9 <= elapsed <= 4.0


def test_429_until_retries_run_out_raises_too_many_requests(fake, client, fast_backoff, monkeypatch):
    monkeypatch.setattr(_http, "max_network_retries", 2)
    fake.fail_next(429, times=10)
    with pytest.raises(deepl.TooManyRequestsException) as err:
        client.translate_text("Hello", target_lang="DE")
    assert err.value.http_status_code == 429
    assert len(fake.requests) == 3  # 1 + max_network_retries


def test_retry_after_header_is_ignored(fake, client, fast_backoff):
    fake.fail_next(429, headers={"Retry-After": "30"})
    start = time.monotonic()
    client.translate_text("Hello", target_lang="DE")
    assert time.monotonic() - start < 1.0
    assert len(fake.requests) == 2


def test_500_is_retried(fake, client, fast_backoff):
    fake.fail_next(500)
    assert client.translate_text("Hello", target_lang="DE").text == "[DE]Hallo"
    assert [r.status for r in fake.requests] == [500, 200]


@pytest.mark.parametrize(("status", "message"), [(500, "Unexpected status code: 500"), (502, "Unexpected status code: 502"), (503, "Service unavailable")])
def test_5xx_until_retries_run_out(fake, client, fast_backoff, monkeypatch, status, message):
    monkeypatch.setattr(_http, "max_network_retries", 1)
    fake.fail_next(status, times=5)
    with pytest.raises(deepl.DeepLException, match=message) as err:
        client.translate_text("Hello", target_lang="DE")
    assert err.value.http_status_code == status
    assert len(fake.requests) == 2


def test_slow_reply_times_out_but_not_below_the_initial_backoff(fake, client, monkeypatch):
    # Documented settings only: min_connection_timeout=0.2, yet the first attempt waits ~1 s,
    # because the timeout is max(time left to the 1 s backoff deadline, min_connection_timeout).
    monkeypatch.setattr(_http, "max_network_retries", 0)
    monkeypatch.setattr(_http, "min_connection_timeout", 0.2)
    fake.delay(1.6)
    start = time.monotonic()
    with pytest.raises(deepl.ConnectionException, match="timed out") as err:
        client.translate_text("Hello", target_lang="DE")
    elapsed = time.monotonic() - start
    assert err.value.should_retry is True
    assert 0.85 <= elapsed <= 4.0


def test_slow_reply_times_out_after_min_connection_timeout_with_small_backoff(fake, client, fast_backoff, monkeypatch):
    monkeypatch.setattr(_http, "max_network_retries", 0)
    monkeypatch.setattr(_http, "min_connection_timeout", 0.2)
    fake.delay(1.0)
    start = time.monotonic()
    with pytest.raises(deepl.ConnectionException, match="timed out"):
        client.translate_text("Hello", target_lang="DE")
    assert 0.15 <= time.monotonic() - start < 0.6


def test_timed_out_translate_is_retried_and_billed_twice(fake, client, fast_backoff, monkeypatch):
    monkeypatch.setattr(_http, "min_connection_timeout", 0.3)
    fake.delay(0.8, times=1, path="/v2/translate")
    result = client.translate_text("Hello", target_lang="DE")
    assert result.billed_characters == 5
    attempts = fake.requests_to("/v2/translate")
    assert len(attempts) == 2 and attempts[0].fault == "delay:0.8"
    assert fake.character_count == 10  # the POST was not idempotent: the server did the work twice


def test_dropped_connection_is_retried(fake, client, fast_backoff):
    fake.drop_next()
    assert client.translate_text("Hello", target_lang="DE").text == "[DE]Hallo"
    first, second = fake.requests
    assert (first.fault, first.status, second.status) == ("drop", None, 200)
    assert fake.character_count == 5


def test_dropped_connection_without_retries_raises_connection_exception(fake, client, monkeypatch):
    monkeypatch.setattr(_http, "max_network_retries", 0)
    fake.drop_next()
    with pytest.raises(deepl.ConnectionException, match="Connection failed") as err:
        client.translate_text("Hello", target_lang="DE")
    assert err.value.should_retry is True


def test_truncated_reply_is_not_retried(fake, client, fast_backoff):
    fake.drop_next(partial=True)
    with pytest.raises(deepl.ConnectionException, match="IncompleteRead") as err:
        client.translate_text("Hello", target_lang="DE")
    assert err.value.should_retry is False
    assert len(fake.requests) == 1 and fake.requests[0].fault == "partial"
    assert fake.character_count == 5  # billed, answer lost


def test_library_does_not_check_the_shape_of_a_200(fake, client):
    fake.fail_next(200, body="<html>proxy error page</html>")
    assert client.translate_text(["one", "two"], target_lang="DE") == []  # silently nothing
    one = {"detected_source_language": "EN", "text": "uno", "billed_characters": 3}
    fake.fail_next(200, body={"translations": [one]})
    assert len(client.translate_text(["one", "two"], target_lang="DE")) == 1  # silently short
    fake.fail_next(200, body={"translations": [{"text": "uno"}]})
    with pytest.raises(TypeError):  # int(None) on a missing billed_characters
        client.translate_text("one", target_lang="DE")


# --------------------------------------------------------------------------- mangled placeholders


@pytest.mark.parametrize("kind", MANGLE_KINDS)
def test_each_mangle_kind_visibly_mangles_the_next_response_only(fake, client, kind):
    text = 'Hello <x id="1"/> and <x id="2"/>'
    clean = pseudo_translate(text, "DE", tag_handling="xml", ignore_tags=["x"])[0]
    fake.mangle_next(kind)
    mangled = client.translate_text(text, target_lang="DE", tag_handling="xml", ignore_tags=["x"]).text
    assert mangled != clean
    placeholders = re.findall(r"<x id=\"\d+\"/>", mangled)
    if kind == "drop_tag":
        assert placeholders == ['<x id="2"/>']
    elif kind == "duplicate_tag":
        assert placeholders == ['<x id="1"/>', '<x id="1"/>', '<x id="2"/>']
    elif kind == "invent_tag":
        assert placeholders == ['<x id="1"/>', '<x id="2"/>', '<x id="3"/>']
    elif kind == "break_tag":
        assert placeholders == ['<x id="2"/>'] and '<x id="1" ' in mangled
    assert fake.requests[-1].fault == f"mangle:{kind}@0"
    again = client.translate_text(text, target_lang="DE", tag_handling="xml", ignore_tags=["x"]).text
    assert again == clean


def test_mangle_can_target_one_text_of_a_batch(fake, client):
    texts = ['A <x id="1"/>', 'B <x id="1"/>']
    fake.mangle_next("drop_tag", index=1)
    first, second = client.translate_text(texts, target_lang="DE", tag_handling="xml", ignore_tags=["x"])
    assert first.text == '[DE]a <x id="1"/>'
    assert second.text == "[DE]b "


# --------------------------------------------------------------------------- glossaries


def test_v2_glossary_round_trip(fake, client):
    pairs = client.get_glossary_languages()
    assert any(p.source_lang == "en" and p.target_lang == "ja" for p in pairs)

    glossary = client.create_glossary("transync test", "EN", "DE", {"review": "Rezension", "sound stage": "Bühne"})
    assert (glossary.source_lang, glossary.target_lang, glossary.entry_count, glossary.ready) == ("EN", "DE", 2, True)
    assert [g.glossary_id for g in client.list_glossaries()] == [glossary.glossary_id]
    assert client.get_glossary(glossary.glossary_id).name == "transync test"
    assert client.get_glossary_entries(glossary) == {"review": "Rezension", "sound stage": "Bühne"}

    result = client.translate_text(
        "A review of the sound stage", source_lang="EN", target_lang="DE", glossary=glossary
    )
    assert result.text == "[DE]a Rezension OF THE Bühne"
    assert fake.requests[-1].params["glossary_id"] == glossary.glossary_id

    client.delete_glossary(glossary)
    assert client.list_glossaries() == []
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.get_glossary(glossary.glossary_id)
    with pytest.raises(deepl.DeepLException, match="Bad request"):
        client.get_glossary("not-a-uuid")


def test_v3_multilingual_glossary_round_trip(fake, client):
    glossary = client.create_multilingual_glossary(
        "site terms",
        [
            MultilingualGlossaryDictionaryEntries("EN", "DE", {"review": "Testbericht"}),
            MultilingualGlossaryDictionaryEntries("EN", "JA", {"review": "批評", "price": "値段"}),
        ],
    )
    assert [(d.source_lang, d.target_lang, d.entry_count) for d in glossary.dictionaries] == [
        ("EN", "DE", 1), ("EN", "JA", 2),
    ]
    assert [g.glossary_id for g in client.list_multilingual_glossaries()] == [glossary.glossary_id]
    assert client.list_glossaries() == []  # v2 lists single-dictionary glossaries only
    got = client.get_multilingual_glossary(glossary.glossary_id)
    assert (got.name, got.creation_time) == ("site terms", glossary.creation_time)

    entries = client.get_multilingual_glossary_entries(glossary, "EN", "JA").dictionaries[0].entries
    assert isinstance(entries, str)  # the library hands the API's TSV string through unparsed
    assert deepl.convert_tsv_to_dict(entries) == {"review": "批評", "price": "値段"}
    assert fake.requests[-1].query == {"source_lang": "EN", "target_lang": "JA"}

    result = client.translate_text("The review price", source_lang="EN", target_lang="JA", glossary=glossary)
    assert result.text == "[JA]tHE 批評 値段"

    updated = client.update_multilingual_glossary_dictionary(
        glossary, MultilingualGlossaryDictionaryEntries("EN", "DE", {"price": "Preis"})
    )
    assert {(d.source_lang, d.target_lang): d.entry_count for d in updated.dictionaries} == {("EN", "DE"): 2, ("EN", "JA"): 2}
    replaced = client.replace_multilingual_glossary_dictionary(
        glossary, MultilingualGlossaryDictionaryEntries("EN", "DE", {"sound": "Klangbild"})
    )
    assert replaced.entry_count == 1
    assert client.update_multilingual_glossary_name(glossary, "renamed").name == "renamed"
    client.delete_multilingual_glossary_dictionary(glossary, source_lang="EN", target_lang="JA")
    assert [(d.source_lang, d.target_lang) for d in client.get_multilingual_glossary(glossary.glossary_id).dictionaries] == [("EN", "DE")]

    client.delete_multilingual_glossary(glossary)
    assert client.list_multilingual_glossaries() == []
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.get_multilingual_glossary(glossary.glossary_id)


# --------------------------------------------------------------------------- concurrency


def test_concurrent_requests_are_served_in_parallel(fake, client):
    fake.latency = 0.2
    texts = [f"text {i}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda t: client.translate_text(t, target_lang="DE"), texts))
    assert [r.text for r in results] == [f"[DE]TEXT {i}" for i in range(8)]
    # The server held several requests at once: its own count, not a timing that machine load can upset.
    assert len(fake.requests) == 8 and fake.max_in_flight >= 2
    assert fake.character_count == sum(len(t) for t in texts)


def test_concurrency_limit_answers_429(monkeypatch):
    monkeypatch.setattr(_http, "max_network_retries", 0)
    with FakeDeepL(concurrency_limit=1, latency=0.3) as server:
        c = _client(server)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def call() -> None:
            barrier.wait()
            try:
                c.translate_text("Hello", target_lang="DE")
                outcomes.append("ok")
            except deepl.TooManyRequestsException:
                outcomes.append("429")

        threads = [threading.Thread(target=call) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        c.close()
    assert sorted(outcomes) == ["429", "ok"]


# --------------------------------------------------------------------------- the pseudo-translation itself


def test_pseudo_translate_rules():
    assert pseudo_translate('Hello <b id="1">big</b> world', "DE", tag_handling="xml") == (
        '[DE]Hallo <b id="1">BIG</b> Welt', 15,
    )
    nested = '<x id="1">a <x id="2">b</x> c</x> d'
    assert pseudo_translate(nested, "JA", tag_handling="xml", ignore_tags=["x"]) == (
        '<x id="1">a <x id="2">b</x> c</x> [JA]D', 2,
    )
    assert pseudo_translate("2024 — 42 €", "FR") == ("[FR]2024 — 42 €", 11)
    assert pseudo_translate("  ", "FR") == ("  ", 2)  # no letter: copied, still billed
    assert pseudo_translate("Tom &amp; Jerry", "DE", tag_handling="xml") == ("[DE]tOM &amp; jERRY", 11)
    assert pseudo_translate("Hello", "DE", dictionary={}) == ("[DE]hELLO", 5)
