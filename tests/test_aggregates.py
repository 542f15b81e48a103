"""kg.aggregates: a refresh of some keys makes exactly their totals equal to the sums of the tallies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

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
    return sorted(str(q) for q in graph.store.quads_for_pattern(None, None, None, NamedNode(ids.GRAPH_STATS)))


def _issue_graphs(graph: GraphStore) -> list[str]:
    return [g for g in graph.named_graphs() if g.startswith(ids.ID + "graph/issue/")]


def test_keys_are_entities_and_ordered_project_pairs(store_dir: Path) -> None:
    with GraphStore.open(store_dir, read_only=True) as graph:
        keys = aggregates.keys_of_graphs(graph, [SEED_GRAPH])
    entities = {k for k in keys if isinstance(k, str)}
    pairs = {k for k in keys if isinstance(k, tuple)}
    assert ids.entity_iri("Project", "kubernetes") in entities
    assert pairs and all(first < second for first, second in pairs)
    assert {iri for pair in pairs for iri in pair} <= entities


def _totals_of(graph: GraphStore, keys: set[aggregates.Key]) -> set[str]:
    """The IRIs of the stats graph's totals that belong to these keys."""
    nodes = {ids.tally_iri("co-mention-total", *k) for k in keys if isinstance(k, tuple)}
    for quad in graph.store.quads_for_pattern(None, None, None, NamedNode(ids.GRAPH_STATS)):
        if quad.predicate.value == ids.ONTOLOGY + "inSeries":
            entity = next(graph.store.quads_for_pattern(quad.subject, NamedNode(ids.ONTOLOGY + "tallyOf"), None))
            if entity.object.value in keys:
                nodes.add(quad.subject.value)
    return nodes


def test_refreshing_keys_repairs_exactly_their_totals(store_dir: Path) -> None:
    gone = ids.tally_iri("mention-total", "urn:gone", "urn:series")
    with GraphStore.open(store_dir) as graph:
        aggregates.refresh(graph, None, "full")
        expected = _stats(graph)
        assert aggregates.current_stamp(graph) == "full"
        keys = aggregates.keys_of_graphs(graph, [SEED_GRAPH]) | {"urn:gone"}
        refreshed = _totals_of(graph, keys)
        assert len(refreshed) > 10
        # Every count wrong, every pair total missing, and a total of a key that no issue tallies.
        graph.store.update(
            f"""DELETE {{ GRAPH <{ids.GRAPH_STATS}> {{ ?t cnkg:mentionCount ?n }} }}
                INSERT {{ GRAPH <{ids.GRAPH_STATS}> {{ ?t cnkg:mentionCount 999 }} }}
                WHERE {{ GRAPH <{ids.GRAPH_STATS}> {{ ?t cnkg:mentionCount ?n }} }} ;
                DELETE WHERE {{ GRAPH <{ids.GRAPH_STATS}> {{ ?t a cnkg:CoMentionTotal ; ?p ?o }} }} ;
                INSERT DATA {{ GRAPH <{ids.GRAPH_STATS}> {{
                  <{gone}> a cnkg:MentionTotal ; cnkg:tallyOf <urn:gone> ; cnkg:inSeries <urn:series> ;
                    cnkg:mentionCount 1 ; cnkg:issueCount 1 }} }}""",
            prefixes={"cnkg": ids.ONTOLOGY},
        )
        aggregates.refresh(graph, keys, "keys")
        repaired = _stats(graph)
        assert aggregates.current_stamp(graph) == "keys"
    assert not any(gone in line for line in repaired)

    def of_keys(lines: list[str]) -> list[str]:
        return [line for line in lines if line.split()[0][1:-1] in refreshed]

    assert of_keys(repaired) == of_keys(expected)  # the refreshed keys' totals are right again
    others = [line for line in repaired if line not in of_keys(repaired)]
    if others:  # and the other keys keep what they had (here: the wrong counts)
        assert any('"999"' in line for line in others)


def test_removing_an_issue_then_refreshing_its_keys_equals_a_full_refresh(store_dir: Path) -> None:
    with GraphStore.open(store_dir) as graph:
        aggregates.refresh(graph, None, "full")
        removed = _issue_graphs(graph)[-1]
        keys = aggregates.keys_of_graphs(graph, [removed])
        graph.store.update(f"DROP GRAPH <{removed}>")
        aggregates.refresh(graph, keys, "keys")
        incremental = _stats(graph)
        aggregates.refresh(graph, None, "full")
        assert _stats(graph) == incremental
