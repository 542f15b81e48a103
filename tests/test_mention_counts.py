"""The per-issue mention counts `kg build` keeps for its overview (kg.mention_counts): always equal to what
the store's mentions say, after fresh, incremental and damaged-cache builds, and the overview made from
them equal to the one made from the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build
from kg.explorer import ExplorerOptions, explorer_data, store_select
from kg.mention_counts import CACHE_FILE, current_counts
from kg.store import GraphStore

from .conftest import SEED


def _write_issue(corpus: Path, volume: int, extra: str = "") -> None:
    text = SEED.read_text(encoding="utf-8").replace("Vol. 17", f"Vol. {volume}")
    (corpus / f"cnw-{volume}.txt").write_text(text + extra, encoding="utf-8")


def _counts_in_store(graph: GraphStore) -> dict[str, dict[str, int]]:
    """The oracle: every issue's mentions per entity, counted from its mention nodes."""
    counts: dict[str, dict[str, int]] = {
        row["i"]: {} for row in graph.select("SELECT ?i WHERE { GRAPH ?g { ?i a cnkg:Issue } }")
    }
    rows = graph.select("SELECT ?i ?e (COUNT(*) AS ?n) WHERE { ?m cnkg:refersTo ?e ; cnkg:inIssue ?i } GROUP BY ?i ?e")
    for row in rows:
        counts[row["i"]][row["e"]] = int(row["n"])
    return counts


def _kept(build_dir: Path) -> dict[str, dict[str, int]]:
    with GraphStore.open(build_dir, read_only=True) as graph:
        return current_counts(graph, build_dir, graph.sources(), {})


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("counts")
    corpus = root / "corpus"
    corpus.mkdir()
    for volume in (101, 102, 103):
        _write_issue(corpus, volume)
    out = root / "build"
    assert build([corpus], out).ok
    return out


def test_a_build_keeps_the_counts_its_store_holds(built: Path) -> None:
    assert (built / CACHE_FILE).is_file()
    with GraphStore.open(built, read_only=True) as graph:
        oracle = _counts_in_store(graph)
    assert len(oracle) == 3 and all(oracle.values())
    assert _kept(built) == oracle


def test_the_overview_from_kept_counts_equals_the_one_from_the_store(built: Path) -> None:
    with GraphStore.open(built, read_only=True) as graph:
        kept = current_counts(graph, built, graph.sources(), {})
        options = ExplorerOptions(budget=20, cap=50)
        assert explorer_data(store_select(graph), options, counts=kept) == explorer_data(store_select(graph), options)


def test_edits_removals_and_a_damaged_cache_leave_the_counts_right(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for volume in (201, 202):
        _write_issue(corpus, volume)
    out = tmp_path / "build"
    assert build([corpus], out, write_html=False).ok
    # An edit that adds mentions of Helm, and a removal.
    _write_issue(corpus, 201, "\n\nHelm and Helm again: Helm 3 is out.\n")
    (corpus / "cnw-202.txt").unlink()
    assert build([corpus], out).ok
    with GraphStore.open(out, read_only=True) as graph:
        oracle = _counts_in_store(graph)
    assert list(oracle) == [next(iter(oracle))] and _kept(out) == oracle
    # A damaged cache file is counted again from the store.
    (out / CACHE_FILE).write_text('{"format": 1, "entities": ["x"], "issues": {"g": [1]}}', encoding="utf-8")
    assert _kept(out) == oracle
    (out / CACHE_FILE).unlink()
    assert _kept(out) == oracle
