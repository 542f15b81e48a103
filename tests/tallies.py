"""The materialised counts `kg build` writes, derived in SPARQL from a store's Mention nodes.

Hand-made fixtures (tests/fixtures/viz/small.trig) hold mentions but no tallies; the views rank with
the tallies, so the tests add them here, following the vocabulary (one ``cnkg:CoMentionTally`` per
pair of projects sharing a sentence in an issue, and in the stats graph ``cnkg:MentionTotal`` per
entity and series — its mentions counted — and ``cnkg:CoMentionTotal`` per pair).  An oracle
independent of kg.rdf/kg.aggregates: the tests check the views against it.
"""

from __future__ import annotations

from typing import Any

STATS = "https://w3id.org/cnkg/id/graph/stats"
_PREFIXES = """
PREFIX cnkg: <https://w3id.org/cnkg/ontology#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
_TALLY = "https://w3id.org/cnkg/id/tally/test/"

UPDATES = [
    # Per issue graph: sentences shared by two projects.
    f"""INSERT {{ GRAPH ?g {{ ?t a cnkg:CoMentionTally ; cnkg:inIssue ?i ; cnkg:tallyOf ?a , ?b ;
                           cnkg:sentenceCount ?n }} }}
    WHERE {{
      {{ SELECT ?g ?i ?a ?b (COUNT(DISTINCT ?ev) AS ?n)
         WHERE {{
           GRAPH ?g {{ ?m1 a cnkg:Mention ; cnkg:refersTo ?a ; cnkg:inIssue ?i ; nif:sentence ?ev .
                      ?m2 a cnkg:Mention ; cnkg:refersTo ?b ; nif:sentence ?ev . }}
           # Updates see the store's own default graph, not the union: the types live in named graphs.
           FILTER EXISTS {{ GRAPH ?ga {{ ?a a cnkg:Project }} }}
           FILTER EXISTS {{ GRAPH ?gb {{ ?b a cnkg:Project }} }}
           FILTER(STR(?a) < STR(?b))
         }} GROUP BY ?g ?i ?a ?b }}
      BIND(IRI(CONCAT("{_TALLY}c/", SHA1(CONCAT(STR(?i), " ", STR(?a), " ", STR(?b))))) AS ?t)
    }}""",
    # Stats graph: sums per entity and series, per pair.
    f"""INSERT {{ GRAPH <{STATS}> {{ ?t a cnkg:MentionTotal ; cnkg:tallyOf ?e ; cnkg:inSeries ?s ;
                                    cnkg:mentionCount ?n ; cnkg:issueCount ?k }} }}
    WHERE {{
      {{ SELECT ?e ?s (COUNT(DISTINCT ?m) AS ?n) (COUNT(DISTINCT ?i) AS ?k)
         WHERE {{ GRAPH ?g {{ ?m a cnkg:Mention ; cnkg:refersTo ?e ; cnkg:inIssue ?i .
                             ?i schema:isPartOf ?s }} }} GROUP BY ?e ?s }}
      BIND(IRI(CONCAT("{_TALLY}mt/", SHA1(CONCAT(STR(?e), " ", STR(?s))))) AS ?t)
    }}""",
    f"""INSERT {{ GRAPH <{STATS}> {{ ?t a cnkg:CoMentionTotal ; cnkg:tallyOf ?a , ?b ; cnkg:sentenceCount ?n ;
                                    cnkg:issueCount ?k }} }}
    WHERE {{
      {{ SELECT ?a ?b (SUM(?c) AS ?n) (COUNT(DISTINCT ?i) AS ?k)
         WHERE {{ GRAPH ?g {{ ?x a cnkg:CoMentionTally ; cnkg:inIssue ?i ; cnkg:tallyOf ?a , ?b ;
                             cnkg:sentenceCount ?c }} FILTER(STR(?a) < STR(?b)) }} GROUP BY ?a ?b }}
      BIND(IRI(CONCAT("{_TALLY}ct/", SHA1(CONCAT(STR(?a), " ", STR(?b))))) AS ?t)
    }}""",
]


def add_tallies(store: Any) -> None:
    """Write per-issue tallies and the stats graph into ``store`` (a pyoxigraph.Store without them)."""
    for update in UPDATES:
        store.update(_PREFIXES + update)
