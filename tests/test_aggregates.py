"""kg.aggregates: a difference applied to the stats graph changes exactly its keys, and equals summing
every tally again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import aggregates, ids
from kg.build import build
from kg.store import GraphStore

from .conftest import LWKD, SEED

SEED_GRAPH = ids.issue_graph(ids.issue_iri("cloud-native-weekly", "17"))


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    if LWKD.is_dir():  # a second series and popular projects in several issues
        for path in sorted(LWKD.glob("*.md"))[150:154]:
            shutil.copy(path, corpus / path.name)
    assert build([corpus], tmp_path / "build", write_html=False).ok
    return tmp_path / "build"


def _stats(graph: GraphStore) -> list[str]:
    return sorted(str(q) for q in graph.quads(graph=ids.GRAPH_STATS))


def _issue_graphs(graph: GraphStore) -> list[str]:
    return [g for g in graph.named_graphs() if g.startswith(ids.ID + "graph/issue/")]


def test_stored_tallies_are_entities_and_project_pairs(store_dir: Path) -> None:
    with GraphStore.open(store_dir, read_only=True) as graph:
        newsletter, tallies = aggregates.stored_tallies(graph, SEED_GRAPH)
    assert newsletter == ids.newsletter_iri("cloud-native-weekly")
    entities = {iris[0] for iris, _count in tallies if len(iris) == 1}
    pairs = [iris for iris, _count in tallies if len(iris) == 2]
    assert ids.entity_iri("Project", "kubernetes") in entities
    assert all(count > 0 for _iris, count in tallies)
    assert pairs and {iri for pair in pairs for iri in pair} <= entities


def _total_iri(newsletter: str, iris: tuple[str, ...]) -> str:
    if len(iris) == 1:
        return ids.tally_iri("mention-total", iris[0], newsletter)
    return ids.tally_iri("co-mention-total", *sorted(iris))


def test_a_difference_changes_only_its_keys(store_dir: Path) -> None:
    with GraphStore.open(store_dir) as graph:
        aggregates.refresh(graph, "full")
        before = set(_stats(graph))
        newsletter, tallies = aggregates.stored_tallies(graph, SEED_GRAPH)
        change = aggregates.Totals()
        change.add_issue(newsletter, tallies, sign=-1)
        change.apply(graph, "minus the seed")
        after = set(_stats(graph))
        assert aggregates.current_stamp(graph) == "minus the seed"
    touched = {f"<{_total_iri(newsletter, iris)}>" for iris, _count in tallies}
    assert len(touched) > 10

    def untouched(lines: set[str]) -> set[str]:
        return {line for line in lines if line.split()[0] not in touched}

    assert untouched(after) == untouched(before)  # every other key keeps its totals
    assert before - after and all(line.split()[0] in touched for line in before - after)


def test_removing_an_issue_then_applying_the_difference_equals_a_full_refresh(store_dir: Path) -> None:
    with GraphStore.open(store_dir) as graph:
        aggregates.refresh(graph, "full")
        removed = _issue_graphs(graph)[-1]
        change = aggregates.Totals()
        change.add_issue(*aggregates.stored_tallies(graph, removed), sign=-1)
        graph.update(f"DROP GRAPH <{removed}>")
        change.apply(graph, "difference")
        incremental = _stats(graph)
        aggregates.refresh(graph, "full")
        assert _stats(graph) == incremental
