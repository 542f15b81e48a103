"""Projections, centrality, communities, the report and the Gephi export."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest

from kg import analytics
from kg.errors import KgError
from kg.store import GraphStore
from tests.tallies import add_tallies

FIXTURE = Path(__file__).parent / "fixtures" / "viz" / "small.trig"
K8S = "https://w3id.org/cnkg/id/project/kubernetes"
HELM = "https://w3id.org/cnkg/id/project/helm"
CILIUM = "https://w3id.org/cnkg/id/project/cilium"
CNCF = "https://w3id.org/cnkg/id/organization/cncf"


@pytest.fixture(scope="module")
def graph() -> GraphStore:
    s = pyoxigraph.Store()
    s.load(path=str(FIXTURE), format=pyoxigraph.RdfFormat.TRIG)
    add_tallies(s)  # what `kg build` materialises: the export's view counts mentions with it
    return GraphStore(Path(), s, True)


def test_comention_projection_counts_shared_sentences(graph: GraphStore) -> None:
    g = analytics.projection(graph, by="comention")
    assert g.edges[HELM, K8S]["weight"] == 2  # two sentences name both
    assert g.edges[CILIUM, K8S]["weight"] == 1
    assert not g.has_edge(HELM, CNCF)  # related, never in one sentence
    assert g.nodes[K8S]["label"] == "Kubernetes" and g.nodes[K8S]["mentions"] == 4


def test_relations_and_both(graph: GraphStore) -> None:
    rel = analytics.projection(graph, by="relations")
    assert rel.has_edge(HELM, CNCF) and not rel.has_edge(HELM, K8S)
    both = analytics.projection(graph, by="both")
    assert both.edges[CILIUM, K8S] == {"weight": 2, "comention": 1, "relations": 1}
    only_projects = analytics.projection(graph, by="both", types=["Project"])
    assert CNCF not in only_projects
    with pytest.raises(KgError, match="unknown projection 'friends'"):
        analytics.projection(graph, by="friends")


def test_centrality_ranks_the_hub_first(graph: GraphStore) -> None:
    frame = analytics.centrality(analytics.projection(graph, by="both"))
    assert list(frame.columns) == ["label", "type", "mentions", "degree", "weighted_degree", "betweenness", "pagerank"]
    assert frame.index[0] == K8S
    assert frame.loc[K8S, "betweenness"] == frame["betweenness"].max() > 0
    assert frame["pagerank"].sum() == pytest.approx(1.0)
    assert analytics.centrality(nx.Graph()).empty


def test_pagerank_matches_the_closed_form() -> None:
    # Undirected star with 4 leaves: centre = (1-a)/n + a * sum(leaf), leaf = (1-a)/n + a * centre / 4.
    g = nx.star_graph(4)
    nx.set_edge_attributes(g, 1, "weight")
    rank = analytics.centrality(g)["pagerank"]
    a, n = 0.85, 5
    leaf = ((1 - a) / n) * (1 + a / 4) / (1 - a * a)  # solve the two equations
    assert rank[1] == pytest.approx(leaf, rel=1e-6)
    assert rank[0] == pytest.approx(1 - 4 * leaf, rel=1e-6)


def test_communities_split_two_cliques_and_are_reproducible() -> None:
    g = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(4))
    g.add_edge(0, 5)
    nx.set_edge_attributes(g, 1, "weight")
    found = analytics.communities(g)
    assert found == [set(range(5)), set(range(5, 9))]
    assert analytics.communities(g) == found
    assert analytics.communities(nx.empty_graph(3)) == []


def test_report_has_ranked_tables(graph: GraphStore) -> None:
    text = analytics.report(graph, top=3)
    assert "Most mentioned" in text and "PageRank" in text and "Communities" in text
    most = text.split("Most mentioned")[1].split("PageRank")[0]
    assert most.index("Kubernetes") < most.index("Helm")
    assert "Linkerd" not in most  # top 3 only
    with pytest.raises(KgError):
        analytics.report(graph, top=0)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_round_trips_for_gephi(graph: GraphStore, tmp_path: Path, fmt: str) -> None:
    out = analytics.export_graph(graph, fmt, tmp_path / f"g.{fmt}")
    g = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    node = g.nodes[K8S]
    assert node["label"] == "Kubernetes"
    assert node["label_zh"] == "库伯内特斯"
    assert int(node["mentions"]) == 4
    assert node["first_date"] == "2019-08-20"
    assert int(node["community"]) >= 0
    predicates = {d["predicate"] for _u, _v, d in g.edges(data=True)}
    assert {"hasRelease", "partOf", "coMentioned"} <= predicates
    assert CNCF in g  # export keeps catalog-only entities by default
    with pytest.raises(KgError, match="unknown graph format"):
        analytics.export_graph(graph, "dot", tmp_path / "g.dot")
