"""`kg stats`: counts by class, most mentioned entities, issues by series."""

from __future__ import annotations

from typing import Any

from kg.query import render

COUNTS_BY_CLASS = """
SELECT ?class (COUNT(DISTINCT ?mentioned) AS ?inIssues) (COUNT(DISTINCT ?listed) AS ?inCatalog) WHERE {
  { ?mentioned a ?c . ?issue cnkg:mentions ?mentioned }
  UNION
  { GRAPH <https://w3id.org/cnkg/id/graph/catalog> { ?listed a ?c } }
  UNION
  { ?mentioned a ?c . FILTER(?c IN (cnkg:Issue, cnkg:Section, cnkg:Mention, cnkg:Newsletter)) }
  FILTER(STRSTARTS(STR(?c), STR(cnkg:)))
  BIND(STRAFTER(STR(?c), "#") AS ?class)
} GROUP BY ?class ORDER BY DESC(?inIssues) ?class
"""

TOP_ENTITIES = """
SELECT (MIN(?l) AS ?label) ?type (COUNT(DISTINCT ?m) AS ?mentions) (COUNT(DISTINCT ?issue) AS ?issues) WHERE {
  ?m cnkg:refersTo ?e ; cnkg:inIssue ?issue .
  ?e a ?c ; rdfs:label ?l . FILTER(STRSTARTS(STR(?c), STR(cnkg:)))
  BIND(STRAFTER(STR(?c), "#") AS ?type)
} GROUP BY ?e ?type ORDER BY DESC(?mentions) ?label LIMIT 15
"""

ISSUES_BY_SERIES = """
SELECT ?series (COUNT(DISTINCT ?issue) AS ?issues) (MIN(?date) AS ?first) (MAX(?date) AS ?last) WHERE {
  ?issue a cnkg:Issue ; schema:isPartOf ?n . ?n rdfs:label ?series .
  OPTIONAL { ?issue schema:datePublished ?date }
} GROUP BY ?series ORDER BY ?series
"""


def collect(graph: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        "classes": graph.select(COUNTS_BY_CLASS),
        "top": graph.select(TOP_ENTITIES),
        "series": graph.select(ISSUES_BY_SERIES),
    }


def render_stats(graph: Any) -> str:
    data = collect(graph)
    parts = [f"{graph.count()} triples in {len(graph.named_graphs())} named graphs"]
    for title, rows in (
        ("Issues by series", data["series"]),
        ("Entities by class", data["classes"]),
        ("Most mentioned", data["top"]),
    ):
        columns = list(rows[0]) if rows else ["(none)"]
        parts.append(f"\n{title}\n" + render(columns, [list(r.values()) for r in rows], "table"))
    return "\n".join(parts)
