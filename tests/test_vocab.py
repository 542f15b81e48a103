"""The vocabulary is closed and matches ontology/cnkg.ttl in both directions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib

from kg import ids
from kg.model import ENTITY_TYPES, PREDICATES
from kg.vocab import CNKG, PREFIXES, RDF, XSD

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY = REPO / "ontology" / "cnkg.ttl"


def declared_terms() -> set[str]:
    """The cnkg: terms the ontology declares (subjects of a description)."""
    graph = rdflib.Graph().parse(ONTOLOGY)
    return {str(s)[len(ids.ONTOLOGY) :] for s in graph.subjects() if str(s).startswith(ids.ONTOLOGY)}


def test_every_term_of_the_vocabulary_is_declared_and_every_declared_term_is_in_it() -> None:
    declared = declared_terms()
    assert set(CNKG) - declared == set(), "in kg/vocab.py, not in ontology/cnkg.ttl"
    assert declared - set(CNKG) == set(), "in ontology/cnkg.ttl, not in kg/vocab.py"


def test_every_cnkg_term_the_code_and_queries_name_is_declared() -> None:
    """Terms written as text (SPARQL in Python strings, .rq files, shapes) bypass the closed vocabulary."""
    declared = declared_terms()
    used: dict[str, set[str]] = {}
    files = [
        *(REPO / "kg").rglob("*.py"),
        *(REPO / "ontology" / "queries").glob("*.rq"),
        REPO / "ontology" / "shapes.ttl",
    ]
    for path in files:
        text = path.read_text(encoding="utf-8")
        names = set(re.findall(r"\bcnkg:([A-Za-z]\w*)", text))
        names |= set(re.findall(r"\bCNKG\.([A-Za-z]\w*)", text)) | set(re.findall(r"\bCNKG\[\"(\w+)\"\]", text))
        for name in names - declared:
            used.setdefault(name, set()).add(str(path.relative_to(REPO)))
    assert used == {}


def test_entity_types_and_predicates_are_terms() -> None:
    for entity_type in ENTITY_TYPES:
        assert CNKG[entity_type].value == ids.ONTOLOGY + entity_type
    for predicate in PREDICATES:
        assert CNKG[ids.camel(predicate)].value == ids.ONTOLOGY + ids.camel(predicate)


def test_an_unknown_term_is_an_error_not_a_new_iri() -> None:
    with pytest.raises(AttributeError, match="cnkg:hasRelese"):
        _ = CNKG.hasRelese
    with pytest.raises(KeyError, match="cnkg:Projct"):
        _ = CNKG["Projct"]
    with pytest.raises(AttributeError):
        _ = RDF.typ
    assert CNKG.hasRelease is CNKG["hasRelease"]  # made once


def test_prefixes_are_the_namespaces() -> None:
    assert PREFIXES["cnkg"] == ids.ONTOLOGY
    assert PREFIXES["xsd"] == XSD.base
    assert XSD.integer.value == "http://www.w3.org/2001/XMLSchema#integer"
