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

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
#: The real site the real-data tests read: ../shared/corpus/audioreview, or a copy named by TRANSYNC_CORPUS.
CORPUS = Path(os.environ["TRANSYNC_CORPUS"]).resolve() if os.environ.get("TRANSYNC_CORPUS") else SHARED / "corpus" / "audioreview"
#: The real site's git history (a bundle to clone).
HISTORY_BUNDLE = SHARED / "corpus" / "audioreview-history.bundle"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own header cache, never the user's."""
    monkeypatch.setenv("TRANSYNC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.delenv("COLUMNS", raising=False)  # tables fit $COLUMNS: a terminal's must not leak into the tests


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
    """Mark a test that reads real data at ``path`` (``../shared``, or the copy TRANSYNC_CORPUS names).

    Without the data the test is skipped; in CI (which has it), or when TRANSYNC_CORPUS names
    a folder that is not there, it fails instead, so that the real-data tests never silently
    stop running. ``.ci/run`` also fails when a real-data test is skipped for another reason
    while ``../shared`` exists (see :func:`pytest_collection_modifyitems`).
    """
    return pytest.mark.real_data(path=path)


def requires_corpus() -> pytest.MarkDecorator:
    return requires_shared(CORPUS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_data(path): the test reads the real corpus or its history (see conftest.requires_shared)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Named in the JUnit report, where .ci/run looks for real-data tests that were skipped.
    for item in items:
        if item.get_closest_marker("real_data") is not None:
            item.user_properties.append(("real_data", "true"))


@pytest.hookimpl(tryfirst=True)  # before any fixture (a module fixture may read the corpus)
def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("real_data"):
        path = mark.kwargs["path"]
        if path.exists():
            continue
        if in_ci():
            pytest.fail(f"CI=true but {path} is missing: the real-data tests must run in CI", pytrace=False)
        if os.environ.get("TRANSYNC_CORPUS") and path == CORPUS:
            pytest.fail(f"TRANSYNC_CORPUS={os.environ['TRANSYNC_CORPUS']}: no such folder", pytrace=False)
        pytest.skip(f"{path} not present")


def age(path: Path, seconds: float = 60) -> None:
    """Move a file's modification time into the past (so the cache may keep it)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(seconds * 1e9)))


@pytest.fixture
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """git as a test runs it: no user or system configuration, a fixed author."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Tester")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "tester@example.com")
