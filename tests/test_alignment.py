"""Vocabulary queries can use: standard types asserted from the ontology, homepages as IRIs, NIF contexts,
the dataset's VoID description with licences, JSON-LD with a context and named graphs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, parse

from kg import rdf
from kg.build import build
from kg.export import export
from kg.store import GraphStore
from kg.validate import validate_store
from tests.conftest import LWKD, SEED

SUBCLASS_OF = NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("alignment")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    if LWKD.is_dir():  # a second series, with a licence
        for path in sorted(LWKD.glob("*.md"))[200:202]:
            shutil.copy(path, corpus / path.name)
    assert build([corpus], root / "build", write_html=False).ok
    return root / "build"


@pytest.fixture(scope="module")
def graph(built: Path) -> Iterator[GraphStore]:
    with GraphStore.open(built, read_only=True) as store:
        yield store


def test_alignments_come_from_the_ontology() -> None:
    declared = {
        (t.subject.value, t.object.value)
        for t in parse(path=rdf.ONTOLOGY_FILE, format=RdfFormat.TURTLE)
        if t.predicate == SUBCLASS_OF and not t.object.value.startswith("https://w3id.org/cnkg/")
    }
    asserted = {(cls.value, std.value) for cls, supers in rdf.aligned_classes().items() for std in supers}
    assert asserted == declared
    assert ("https://w3id.org/cnkg/ontology#Project", "http://usefulinc.com/ns/doap#Project") in asserted


def test_standard_types_answer_queries(graph: GraphStore) -> None:
    issues = graph.select("SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a cnkg:Issue }")[0]["n"]
    assert graph.select("SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a schema:PublicationIssue }")[0]["n"] == issues
    assert graph.ask("ASK { ?p a doap:Project ; rdfs:label 'Kubernetes' }")
    assert graph.ask("ASK { ?n a schema:Periodical }")
    # Every node of an aligned class carries each standard class too, but for spans (one quad each).
    for cls, supers in rdf.aligned_classes().items():
        if cls in rdf.SPAN_CLASSES:
            assert not graph.ask("ASK { ?x a ?cls . ?x a ?std }", {"cls": cls, "std": supers[0]}), cls
            continue
        for standard in supers:
            missing = graph.select(
                "SELECT (COUNT(*) AS ?n) WHERE { ?x a ?cls FILTER NOT EXISTS { ?x a ?std } }",
                {"cls": cls, "std": standard},
            )
            assert missing[0]["n"] == 0, (cls, standard)


def test_homepages_are_iris(graph: GraphStore) -> None:
    assert graph.ask("ASK { ?x foaf:homepage ?h FILTER(isIRI(?h)) }")
    assert not graph.ask("ASK { ?x foaf:homepage ?h FILTER(isLiteral(?h)) }")


def test_spans_point_at_their_issue_text_as_nif_context(graph: GraphStore) -> None:
    assert not graph.ask("ASK { ?m a cnkg:Mention FILTER NOT EXISTS { ?m nif:referenceContext ?c } }")
    assert not graph.ask("ASK { ?e a cnkg:Evidence FILTER NOT EXISTS { ?e nif:referenceContext ?c } }")
    # Each span's anchor is its context's text at its offsets (SPARQL counts characters from 1).
    wrong = graph.select(
        """SELECT (COUNT(*) AS ?n) WHERE {
             ?m nif:referenceContext ?c ; nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?a .
             ?c a nif:Context ; nif:isString ?text ; cnkg:inIssue ?issue . ?m cnkg:inIssue ?issue .
             FILTER(SUBSTR(?text, ?b + 1, ?e - ?b) != STR(?a)) }"""
    )
    assert wrong[0]["n"] == 0
    assert graph.select("SELECT (COUNT(*) AS ?n) WHERE { ?m a cnkg:Mention ; nif:referenceContext ?c }")[0]["n"] > 0


def test_void_describes_the_dataset_and_its_licences(graph: GraphStore) -> None:
    rows = graph.select(
        "SELECT ?t ?e WHERE { GRAPH <https://w3id.org/cnkg/id/graph/void> { ?d a void:Dataset ; void:triples ?t ;"
        " void:entities ?e } }"
    )
    assert len(rows) == 1
    content = sum(graph.count(g) for g in graph.named_graphs() if g not in (rdf.GRAPH_VOID, rdf.ids.GRAPH_BUILD))
    assert rows[0]["t"] == content
    assert (
        rows[0]["e"]
        == graph.select(
            "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c FILTER(?c IN (cnkg:Project, cnkg:Organization,"
            " cnkg:Person, cnkg:Release, cnkg:KEP, cnkg:Feature, cnkg:Vulnerability, cnkg:Event, cnkg:Technology,"
            " cnkg:Article)) }"
        )[0]["n"]
    )
    licences = {
        row["series"]: row["licence"]
        for row in graph.select(
            "SELECT ?series ?licence WHERE { ?d void:subset ?s . ?s void:rootResource ?series"
            " OPTIONAL { ?s dcterms:license ?licence } }"
        )
    }
    assert licences["https://w3id.org/cnkg/id/newsletter/cloud-native-weekly"] is None  # unknown: not guessed
    if LWKD.is_dir():
        assert licences["https://w3id.org/cnkg/id/newsletter/lwkd"] == "https://creativecommons.org/licenses/by/4.0/"


def test_series_licences_are_data() -> None:
    meta = rdf.series_metadata()
    assert meta["lwkd"]["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert meta["lwcn"]["license"] == "https://www.apache.org/licenses/LICENSE-2.0"
    assert meta["cloud-native-weekly"]["license"] == "unknown"


def test_the_build_conforms_to_the_shapes(built: Path) -> None:
    conforms, text = validate_store(built)
    assert conforms, text


def test_jsonld_has_a_context_and_keeps_named_graphs(built: Path, graph: GraphStore, tmp_path: Path) -> None:
    import rdflib

    out = export(built, "jsonld", tmp_path / "graph.jsonld")
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["@context"]["cnkg"] == "https://w3id.org/cnkg/ontology#"
    graphs = {item["@id"] for item in document["@graph"] if "@graph" in item}
    assert "https://w3id.org/cnkg/id/graph/catalog" in graphs and "https://w3id.org/cnkg/id/graph/void" in graphs
    assert any(name.startswith("https://w3id.org/cnkg/id/graph/issue/") for name in graphs)
    assert '"cnkg:refersTo"' in out.read_text(encoding="utf-8")  # IRIs written with the context's prefixes
    dataset = rdflib.Dataset()
    dataset.parse(out, format="json-ld")
    content = sum(graph.count(g) for g in graph.named_graphs() if g != rdf.ids.GRAPH_BUILD)
    assert sum(1 for _ in dataset.quads((None, None, None, None))) == content
