"""Shared fixtures.  ../shared sits beside the repo (read-only); tests that need it skip cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = REPO / "corpus" / "cloud-native-weekly-vol-17.txt"
LWKD = SHARED / "corpus" / "lwkd"
REFERENCE = SHARED / "reference"


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
