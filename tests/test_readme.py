"""The README's tour against a real (small) build: every example query runs and prints the columns shown."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kg.build import build
from tests.conftest import LWKD, REPO, SEED, SHARED

LWCN = SHARED / "corpus" / "lwcn"


def _examples_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_examples", REPO / "bench" / "readme_examples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


examples = _examples_module()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readme")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    if LWKD.is_dir():
        for path in sorted(LWKD.glob("*.md"))[-3:]:
            shutil.copy(path, corpus / path.name)
    for path in sorted(LWCN.glob("2026-week-10*.md")) if LWCN.is_dir() else []:
        shutil.copy(path, corpus / path.name)
    assert build([corpus], root / "build", write_html=False).ok
    return root / "build"


def test_the_tour_has_examples_to_run() -> None:
    found = examples.examples(examples.README.read_text(encoding="utf-8").splitlines())
    runnable = [e for e in found if e.runnable]
    assert len(runnable) >= 5
    assert all(examples.columns(e.shown) for e in runnable), "every query example shows its columns"


def test_every_tour_query_runs_and_prints_the_columns_shown(store: Path) -> None:
    assert examples.check(store) == []


def test_a_drifted_readme_is_caught(store: Path) -> None:
    text = examples.README.read_text(encoding="utf-8")
    drifted = text.replace("┃ label          ┃ mentions ┃ issues ┃", "┃ label          ┃ mentions ┃ weeks  ┃", 1)
    assert drifted != text
    problems = examples.check(store, drifted)
    assert len(problems) == 1 and "most-mentioned-projects" in problems[0]


def test_the_readme_says_what_each_count_counts() -> None:
    text = examples.README.read_text(encoding="utf-8")
    section = text[text.index("### What the counts count") :]
    for command in ("kg build", "kg stats", "to_rdflib", "kg push", "kg validate", "void:triples"):
        assert command in section, command
