"""transync.translate.engines.deepl and transync.translate.engines against the fake DeepL server: key
handling, redaction, the per-request deadline and the size refusal (413)."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from conftest import SiteMaker, doc
from deepl_fake import FakeDeepL
from test_translate_deepl import SECRET as FAKE_KEY
from test_translate_deepl import fake, site, translate  # noqa: F401  (fixtures: the fake server, a copy of content/)
from transync.cli import app
from transync.site.config import load_config
from transync.translate.engines.deepl import DeepLEngine
from transync.translate.engines import REDACTED, make_engine, redact
from transync.errors import EXIT_SERVICE, EngineFailure, RequestTooLarge, TransyncError, UsageError

SECRET = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9:fx"


def engine_for(fake: FakeDeepL, **kwargs) -> DeepLEngine:
    return DeepLEngine(kwargs.pop("key", FAKE_KEY), server_url=fake.url, **kwargs)


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    "key",
    [
        "0f1e2d3c-4b5a-6978\n-8695-a4b3c2d1e0f9:fx",
        "0f1e2d3c-4b5a-6978\r-8695-a4b3c2d1e0f9:fx",
        "0f1e2d3c-4b5a-6978\r\n-8695-a4b3c2d1e0f9:fx",
        "0f1e2d3c-4b5a-6978 8695-a4b3c2d1e0f9:fx",
        "0f1e2d3c-4b5a-6978\t8695-a4b3c2d1e0f9:fx",
        "0f1e2d3c-4b5a-6978\x008695:fx",
        "clé-0f1e2d3c-4b5a:fx",
    ],
)
def test_a_key_no_header_can_carry_is_refused_up_front_without_showing_it(make_site: SiteMaker, key: str) -> None:
    config = load_config(make_site({}))
    with pytest.raises(UsageError) as info:
        make_engine("deepl", config, {"DEEPL_AUTH_KEY": key})
    message = str(info.value)
    assert message.startswith("DEEPL_AUTH_KEY holds a space, a line break")
    assert "\n" not in message and "6978" not in message and "8695" not in message


def test_surrounding_whitespace_of_a_key_is_dropped(make_site: SiteMaker) -> None:
    config = load_config(make_site({}))
    engine = make_engine("deepl", config, {"DEEPL_AUTH_KEY": f"  {SECRET}\r\n"})
    assert engine.auth_key == SECRET


def test_translate_with_a_key_holding_a_line_break_exits_2_and_never_prints_it(make_site: SiteMaker, fake) -> None:
    root = make_site({"_products/en/a.md": doc("a", "en")})
    key = "0f1e2d3c-4b5a\n-6978-8695-a4b3c2d1e0f9:fx"
    result = CliRunner().invoke(
        app, ["translate", "--root", str(root), "--to", "de"], env={"DEEPL_AUTH_KEY": key, "DEEPL_SERVER_URL": fake.url}
    )
    assert result.exit_code == 2
    assert "DEEPL_AUTH_KEY" in result.stderr
    assert "4b5a" not in result.output and "6978" not in result.output
    assert fake.requests == []


def test_library_errors_quoting_the_key_are_redacted(fake) -> None:
    """A key with a line break sent anyway (DeepLEngine built directly): requests refuses
    the header and quotes it; the engine's message must not."""
    key = "0f1e2d3c-4b5a-6978\n-8695-a4b3c2d1e0f9:fx"
    engine = engine_for(fake, key=key, retries=0)
    with pytest.raises(EngineFailure) as info:
        engine.translate(["Hello"], source_lang="en", target_lang="de")
    message = str(info.value)
    assert "header value" in message  # the library's reason is kept
    assert "4b5a" not in message and "8695" not in message and "\n" not in message
    assert REDACTED in message


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"header value: 'DeepL-Auth-Key {SECRET}'", f"header value: 'DeepL-Auth-Key {REDACTED}'"),
        ("Authorization: DeepL-Auth-Key abc123", f"Authorization: DeepL-Auth-Key {REDACTED}"),
        ("Authorization: Bearer sk-abcdefghijklmnopqrstuv", f"Authorization: Bearer {REDACTED}"),
        (f"bad key {SECRET.upper()} given", f"bad key {REDACTED} given"),
        ("see sk-proj-abcdefghijklmnop1234 there", f"see {REDACTED} there"),
        ("Authorization failed", "Authorization failed"),
        ("glossary 0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9 not found", "glossary 0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9 not found"),
    ],
)
def test_key_like_values_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "secret, text",
    [
        ("plain-secret-value", "failed for plain-secret-value today"),
        ("line\nbreak-secret", "header 'line\\nbreak-secret' refused"),
        ("line\nbreak-secret", "part break-secret alone"),
    ],
)
def test_the_secret_itself_is_redacted_in_any_form(secret: str, text: str) -> None:
    out = redact(text, secret)
    assert REDACTED in out
    assert "secret" not in out


# --------------------------------------------------------------------------- failures are one-line TransyncErrors


def test_engine_failures_are_transync_errors_with_exit_code_3() -> None:
    failure = EngineFailure("first line\nsecond line\r\nthird")
    assert isinstance(failure, TransyncError) and failure.exit_code == EXIT_SERVICE == 3
    assert str(failure) == "first line second line third"
    too_large = RequestTooLarge("too large", texts=3, size=140_000)
    assert isinstance(too_large, EngineFailure) and too_large.exit_code == 3
    assert (too_large.texts, too_large.size) == (3, 140_000)


def test_413_becomes_request_too_large_with_the_number_of_texts(fake) -> None:
    engine = engine_for(fake, retries=2)
    big = "word " * 14_000  # 70,000 bytes: two of them are over 128 KiB
    with pytest.raises(RequestTooLarge) as info:
        engine.translate([big, big, "Hello"], source_lang="en", target_lang="de")
    assert info.value.texts == 3 and info.value.size == 140_005
    assert str(info.value) == "DeepL refused a request of 3 text(s), 140,005 bytes, as too large (413)"
    assert [r.status for r in fake.requests] == [413]  # not retried: it cannot help
    # One of them alone fits: the caller can split the batch.
    assert engine.translate([big], source_lang="en", target_lang="de")[0].text.startswith("[DE]")


def test_other_client_errors_stay_engine_failures(fake) -> None:
    fake.fail_next(400, body={"message": "Bad request\nwith a second line"})
    with pytest.raises(EngineFailure) as info:
        engine_for(fake, retries=0).translate(["Hello"], source_lang="en", target_lang="de")
    assert type(info.value) is EngineFailure
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- deadline


def test_a_trickling_reply_is_cut_at_the_deadline_and_retried(fake) -> None:
    # The reply takes ~300 bytes x 50 ms = 15 s; each read waits only 50 ms.
    fake.trickle_next(times=1, interval=0.05, path="/v2/translate")
    engine = engine_for(fake, retries=2, timeout=0.5)
    start = time.monotonic()
    result = engine.translate(["Hello"], source_lang="en", target_lang="de")
    elapsed = time.monotonic() - start
    assert result[0].text == "[DE]Hallo"
    assert [r.fault for r in fake.requests_to("/v2/translate")] == ["trickle:0.05", None]
    assert 0.5 <= elapsed < 8


def test_a_trickling_server_fails_after_the_retries_like_a_network_error(fake) -> None:
    fake.trickle_next(times=10, interval=0.05, path="/v2/translate")
    engine = engine_for(fake, retries=2, timeout=0.4)
    start = time.monotonic()
    with pytest.raises(EngineFailure) as info:
        engine.translate(["Hello"], source_lang="en", target_lang="de")
    elapsed = time.monotonic() - start
    assert "no complete reply within 0.4 s" in str(info.value)
    assert len(fake.requests_to("/v2/translate")) == 3  # the first try and 2 retries
    assert 1.2 <= elapsed < 15


def test_a_slow_trickle_that_ends_within_the_deadline_is_accepted(fake) -> None:
    fake.trickle_next(times=1, interval=0.001, path="/v2/translate")
    result = engine_for(fake, retries=0, timeout=5).translate(["Hello"], source_lang="en", target_lang="de")
    assert result[0].text == "[DE]Hallo"
    assert fake.requests_to("/v2/translate")[0].fault == "trickle:0.001"


def test_the_deadline_leaves_the_connection_pool_usable(fake) -> None:
    engine = engine_for(fake, retries=0, timeout=0.3)
    fake.trickle_next(times=1, interval=0.05, path="/v2/translate")
    with pytest.raises(EngineFailure):
        engine.translate(["Hello"], source_lang="en", target_lang="de")
    for _ in range(3):
        assert engine.translate(["Hello"], source_lang="en", target_lang="de")[0].text == "[DE]Hallo"


def test_translate_against_a_trickling_server_ends_in_seconds_with_exit_3(site, fake):
    """The run that took over 90 s: every reply trickles. Now each attempt is cut at
    `timeout`, retried `retries` times, and the run stops with one line."""
    config = site / "transync.toml"
    config.write_text(config.read_text().replace("[translate]\n", "[translate]\nretries = 1\ntimeout = 0.5\n"))
    fake.trickle_next(times=1000, interval=0.05, path="/v2/translate")
    start = time.monotonic()
    result = translate(site, fake, "--jobs", "1")
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines()[-1].endswith("Request timed out: no complete reply within 0.5 s")
    assert time.monotonic() - start < 10
