"""The Python API a notebook uses: typed DataFrames, ASK as bool, canned queries by name, rdflib over the store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

import kg
from kg.api import Graph
from kg.build import build
from kg.errors import KgError
from kg.store import GraphStore
from tests.conftest import SEED


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    root = tmp_path_factory.mktemp("api")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    assert build([corpus], root / "build", write_html=False).ok
    store = kg.open_graph(str(root / "build"))
    assert isinstance(store, Graph) and store.read_only
    yield store
    store.close()


def test_query_df_types_columns_by_datatype(graph: GraphStore) -> None:
    frame = graph.query_df(
        "SELECT ?issue ?date ?count ?flag ?ratio WHERE { ?issue a cnkg:Issue ; schema:datePublished ?date ;"
        " cnkg:entityCount ?count . BIND(true AS ?flag) BIND(?count / 2 AS ?ratio) }"
    )
    assert str(frame["date"].dtype).startswith("datetime64")
    assert frame["date"][0].year == 2019
    assert frame["count"].dtype == "int64" and frame["count"][0] > 0
    assert frame["flag"].dtype == bool
    assert frame["ratio"].dtype == "float64"
    assert frame["issue"][0].startswith("https://")


def test_query_df_keeps_gaps_as_nullable_types(graph: GraphStore) -> None:
    frame = graph.query_df("SELECT ?n WHERE { VALUES ?n { 1 UNDEF 3 } }")
    assert str(frame["n"].dtype) == "Int64" and frame["n"].isna().tolist() == [False, True, False]


def test_query_df_language_tags_on_request(graph: GraphStore) -> None:
    query = "SELECT ?label WHERE { ?issue a cnkg:Issue ; rdfs:label ?label }"
    assert list(graph.query_df(query).columns) == ["label"]
    frame = graph.query_df(query, lang=True)
    assert list(frame.columns) == ["label", "label_lang"]
    assert frame["label_lang"][0] == "zh"  # the seed weekly's title is Chinese


def test_query_df_shortens_iris_on_request(graph: GraphStore) -> None:
    query = "SELECT ?issue ?type WHERE { ?issue a cnkg:Issue ; a ?type }"
    frame = graph.query_df(query, shorten=True)
    assert set(frame["type"]) >= {"cnkg:Issue"}
    assert frame["issue"][0] == "id:issue/cloud-native-weekly/17"
    assert graph.query_df(query)["issue"][0].startswith("https://w3id.org/")


def test_ask_returns_a_bool(graph: GraphStore) -> None:
    assert graph.query_df("ASK { ?x a cnkg:Issue }") is True
    assert graph.query_df("ASK { ?x a cnkg:NoSuchClass }") is False
    assert graph.ask("ASK { ?x a cnkg:Issue }") is True
    with pytest.raises(KgError):
        graph.ask("SELECT * WHERE { ?s ?p ?o } LIMIT 1")


def test_canned_runs_a_query_by_name_with_checked_parameters(graph: Graph) -> None:
    frame = graph.canned("most-mentioned-projects")
    assert {"label", "mentions"} <= set(frame.columns) and frame["mentions"].dtype == "int64"
    assert len(graph.canned("most-mentioned-projects", series="cloud-native-weekly")) == len(frame)
    assert graph.canned("most-mentioned-projects", year=1999).empty
    assert len(graph.canned("issues", limit=1)) <= 1
    with pytest.raises(KgError, match="unknown parameter"):
        graph.canned("most-mentioned-projects", bogus=1)
    with pytest.raises(KgError, match="must be an integer"):
        graph.canned("most-mentioned-projects", year="last")
    with pytest.raises(KgError, match="no canned query"):
        graph.canned("no-such-query")


def test_to_rdflib_reads_the_same_store_without_copying(graph: GraphStore) -> None:
    import rdflib

    dataset = graph.to_rdflib()
    assert dataset.store._inner is graph.oxi  # oxrdflib over our Oxigraph store, not a copy
    assert sum(1 for _ in dataset.quads((None, None, None, None))) == graph.count()
    rows = list(dataset.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a cnkg:Issue }"))
    assert int(rows[0][0]) == 1
    with pytest.raises(KgError, match="read-only"):
        dataset.add((rdflib.URIRef("urn:x:s"), rdflib.URIRef("urn:x:p"), rdflib.Literal("o")))
