"""kg.sparql_inspect: SERVICE and prefixes found by tokens, never fooled by strings, IRIs, names or comments."""

from __future__ import annotations

from typing import Any

import pytest
from pyoxigraph import Store
from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery

from kg import query as q
from kg.sparql_inspect import IRI, PUNCT, STRING, VAR, declared_prefixes, tokens, used_prefixes, uses_service

WITH_SERVICE = [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z . SERVICE ?endpoint { ?s ?p ?o } }",
    'SELECT * WHERE { BIND("x" AS ?l) SERVICE<http://e.org/q>{?s ?p ?o} }',
    "SELECT * WHERE { # a comment\n SeRvIcE <http://e.org/q> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "a # not a comment" . SERVICE <http://e.org/q> { ?s ?p ?o } }',
    "SELECT * WHERE { <http://e.org/a#b> ?p ?o . SERVICE <http://e.org/q> { ?s ?p ?o } }",
    "PREFIX service: <http://e.org/> SELECT * WHERE { SERVICE service: { ?s ?p ?o } }",
    "ASK { FILTER(1 < 2) SERVICE <http://e.org/q> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p """multi\nline "SERVICE" \\""" """ . SERVICE <http://e.org/q> { ?s ?p ?o } }',
]
WITHOUT_SERVICE = [
    'SELECT * WHERE { ?s ?p "SERVICE <http://e.org/q> { ?s ?p ?o }" }',
    "SELECT * WHERE { ?s ?p 'service' }",
    'SELECT * WHERE { ?s ?p """SERVICE\n<http://e.org/q> { }""" }',
    "SELECT * WHERE { <http://e.org/SERVICE> ?p ?o }",
    "SELECT * WHERE { ?s <http://example.org/service#SERVICE> ?o }",
    "SELECT ?service WHERE { ?service ?p $SERVICE }",
    "PREFIX ex: <http://e.org/> SELECT * WHERE { ?s ex:SERVICE ex:service }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://e.org/q> { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 2 && ?o > 1) }",
    'SELECT * WHERE { ?s ?p "it\'s \\"SERVICE\\"" }',
    "SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?s), 'service')) }",
]


def _rdflib_sees_service(sparql: str) -> bool | None:
    """rdflib's full SPARQL parser as the reference: is there a ServiceGraphPattern in the parse tree?

    None when rdflib cannot parse the text (it takes a '#' inside a string for a comment; Oxigraph does not).
    """

    def walk(node: Any) -> bool:
        if getattr(node, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(node, dict):
            return any(walk(v) for v in node.values())
        if isinstance(node, (list, tuple, ParseResults)):
            return any(walk(v) for v in node)
        return False

    try:
        return walk(parseQuery(sparql))
    except ParseException:
        return None


@pytest.mark.parametrize("sparql", WITH_SERVICE)
def test_service_is_found(sparql: str) -> None:
    assert uses_service(sparql)
    assert _rdflib_sees_service(sparql) in (True, None)


@pytest.mark.parametrize("sparql", WITHOUT_SERVICE)
def test_strings_iris_names_and_comments_are_not_service(sparql: str) -> None:
    assert not uses_service(sparql)
    assert _rdflib_sees_service(sparql) in (False, None)


def test_oxigraph_does_not_unescape_keywords() -> None:
    """Why the tokenizer leaves \\u escapes alone outside strings: the engine refuses them there too."""
    with pytest.raises(SyntaxError):
        Store().query("SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/q> { ?s ?p ?o } }")


def test_tokens() -> None:
    kinds = [(t.kind, t.text) for t in tokens('SELECT ?x WHERE { <a#b> ex:p "s#" . FILTER(?x<3) } # c')]
    assert (IRI, "a#b") in kinds and (STRING, '"s#"') in kinds and (VAR, "x") in kinds
    assert ("pname", "ex:p") in kinds and (PUNCT, "<") in kinds
    assert all(text != "c" for _, text in kinds)
    # A name never swallows the dot ending a triple.
    assert [t.text for t in tokens("?s a ex:Thing.")][-2:] == ["ex:Thing", "."]


def test_every_canned_query_declares_the_prefixes_it_uses() -> None:
    for name, canned in q.canned_queries().items():
        declared = declared_prefixes(canned.sparql)
        assert used_prefixes(canned.sparql) <= set(declared), name
        # And the file parses with no prefixes predefined, as on any SPARQL endpoint.
        Store().query(canned.sparql)
