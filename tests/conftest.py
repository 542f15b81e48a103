"""Shared fixtures.  ../shared sits beside the repo (read-only); tests that need it skip cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "corpus" / "cloud-native-weekly-vol-17.txt"
LWKD = SHARED / "corpus" / "lwkd"
REFERENCE = SHARED / "reference"
# Debian's chromium, driven by Playwright (no browser download); flags that keep it off the closed network.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium for the browser tests (one per test process)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev dependency) is not installed")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def lwkd_dir() -> Path:
    if not LWKD.is_dir():
        pytest.skip("../shared/corpus/lwkd is absent")
    return LWKD


@pytest.fixture
def reference_dir() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference is absent")
    return REFERENCE


# End-to-end tests that dominate the suite's time (full LWKD builds, the kill-and-resume build, executing the
# notebooks, training, building a wheel): marked slow here, in one place, so `make test-quick`
# (pytest -m "not slow") leaves them out while `make test` and CI run everything.
SLOW = (
    "tests/test_build.py::test_killed_build_leaves_a_consistent_store_that_the_next_build_completes",
    "tests/test_build.py::test_lwkd_builds_with_two_workers",
    "tests/test_build.py::test_new_catalog_rebuilds_everything_like_a_fresh_build",
    "tests/test_cluster.py::test_local_cluster",
    "tests/test_cluster.py::test_a_worker_killed",
    "tests/test_cluster.py::test_shards_loaded",
    "tests/test_notebooks.py::",
    "tests/test_train.py::",
    "tests/test_three_series.py::",
    "tests/test_install.py::",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
