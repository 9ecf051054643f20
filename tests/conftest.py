"""Shared fixtures: small literal sites built in a temporary folder."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import settings

# HYPOTHESIS_PROFILE=thorough runs the property tests with many more examples.
settings.register_profile("default", max_examples=300)
settings.register_profile("thorough", max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "audioreview"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own header cache, never the user's."""
    monkeypatch.setenv("TRANSYNC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


def doc(ref: str, lang: str, date: str = "2025-01-10", body: str = "## Overview\n\nText.\n", **extra: str) -> str:
    """A document in the site's usual shape; ``extra`` adds or replaces front-matter lines."""
    fields = {"layout": "product", "title": f'"{ref} review"', "lang": lang, "ref": ref, "date": date}
    fields.update(extra)
    lines = "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)
    return f"---\n{lines}---\n{body}"


SiteMaker = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> SiteMaker:
    """Write ``{relative path: text or bytes}`` under a site root and return the root.

    A ``_config.yml`` declaring en (source), ja and de is added unless given.
    """

    def make(files: dict[str, str | bytes], config: str | None = None) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        (root / "_config.yml").write_text(
            config if config is not None else 'languages: ["en", "ja", "de"]\ndefault_lang: "en"\n',
            encoding="utf-8",
        )
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8", newline="")
        return root

    return make


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true")


def requires_shared(path: Path) -> pytest.MarkDecorator:
    """Skip a test that reads ``../shared`` when it is absent; in CI (which has it) fail instead,
    so that the real-data tests can never silently stop running there."""
    if path.exists():
        return pytest.mark.skipif(False, reason="present")
    if in_ci():
        return pytest.mark.usefixtures("_shared_missing_in_ci")
    return pytest.mark.skip(reason=f"{path} not present")


@pytest.fixture(scope="session")  # session scope: it runs before any module fixture reads the corpus
def _shared_missing_in_ci() -> None:
    pytest.fail(f"CI=true but {CORPUS.parent} is missing: the real-data tests must run in CI")


def requires_corpus() -> pytest.MarkDecorator:
    return requires_shared(CORPUS)


def age(path: Path, seconds: float = 60) -> None:
    """Move a file's modification time into the past (so the cache may keep it)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(seconds * 1e9)))
