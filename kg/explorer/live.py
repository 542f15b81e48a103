"""Pieces for the live page (kg.endpoint.explore).

`kg serve`'s /explore page starts from explorer_data with a small cap and asks for the rest as the analyst
goes: a search, an entity's neighbours, one entity's full evidence.  Each answer is a *piece*: entity
records as explorer_data makes them (issue indices into the same Context) and edges naming their ends by
IRI, so the page can merge it into what it holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.explorer.data import (
    PREDICATE_FILTER,
    RELATION_PATTERN,
    STATS_GRAPH,
    Context,
    co_mention_totals_query,
    entity_records,
    entity_types,
    mention_counts,
    relations_among,
)
from kg.explorer.sparql import Select, iri_values, literal, local_name, query_rows, rows_over
from kg.model import ENTITY_TYPES

SEARCH_LIMIT = 15
NEIGHBOUR_LIMIT = 60


def search_iris(select: Select, text: str, limit: int = SEARCH_LIMIT) -> list[str]:
    """The ``limit`` most mentioned entities whose label or alias contains ``text`` (any case)."""
    needle = " ".join(text.split()).lower()
    if not needle:
        return []
    wanted = ", ".join(f"cnkg:{t}" for t in ENTITY_TYPES)
    q = (
        "SELECT ?e (SUM(?n) AS ?total) WHERE { { SELECT DISTINCT ?e WHERE { "
        "GRAPH ?g { ?e rdfs:label|skos:altLabel ?l } "
        f"FILTER(isLiteral(?l) && CONTAINS(LCASE(STR(?l)), {literal(needle)})) }} }} "
        f"GRAPH {STATS_GRAPH} {{ ?t a cnkg:MentionTotal ; cnkg:tallyOf ?e ; cnkg:mentionCount ?n }} "
        f"FILTER EXISTS {{ GRAPH ?tg {{ ?e a ?type }} FILTER(?type IN ({wanted})) }} "
        f"}} GROUP BY ?e ORDER BY DESC(?total) ?e LIMIT {int(limit)}"
    )
    return [row["e"] for row in query_rows(select, q)]


def neighbour_iris(select: Select, iri: str, limit: int = NEIGHBOUR_LIMIT) -> list[str]:
    """The ``limit`` most mentioned entities related to ``iri`` (either way) or co-mentioned with it."""
    node = iri_values([iri])
    q = (
        "SELECT ?o (SUM(?n) AS ?total) WHERE { { SELECT DISTINCT ?o WHERE { "
        f"{{ GRAPH ?g {{ {node} ?p ?o }} {PREDICATE_FILTER} }} "
        f"UNION {{ GRAPH ?g {{ ?o ?p {node} }} {PREDICATE_FILTER} }} "
        f"UNION {{ GRAPH {STATS_GRAPH} {{ ?c a cnkg:CoMentionTotal ; cnkg:tallyOf {node}, ?o }} "
        f"FILTER(?o != {node}) }} "
        f"}} }} GRAPH {STATS_GRAPH} {{ ?t a cnkg:MentionTotal ; cnkg:tallyOf ?o ; cnkg:mentionCount ?n }} "
        f"}} GROUP BY ?o ORDER BY DESC(?total) ?o LIMIT {int(limit)}"
    )
    return [row["o"] for row in query_rows(select, q)]


def piece(select: Select, ctx: Context, iris: list[str], known: Iterable[str], full: Iterable[str] = ()) -> dict:
    """Entity records for ``iris`` (every issue counts) and the edges between them and ``known`` ones
    (relations, and co-mentions with their sentence totals); ``full``: entities given the evidence of a drawn one."""
    wanted = list(dict.fromkeys(iris))
    types = entity_types(select, wanted)
    wanted = [e for e in wanted if e in types]
    everything = set(ctx.issues)
    per_issue = mention_counts(select, wanted, everything)
    records = entity_records(select, ctx, wanted, per_issue, types, set(full), set())
    for record in records:
        record["drawn"] = False
    among = set(wanted) | set(known)
    relations = relations_among(select, wanted, among)
    # Relations into the new entities from known ones.
    into = rows_over(
        select,
        wanted,
        lambda values: f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?o {{ {values} }} {RELATION_PATTERN} }}",
    )
    relations.update((r["s"], local_name(r["p"]), r["o"]) for r in into if r["s"] in among)
    co: dict[tuple[str, str], int] = {}
    for row in rows_over(select, wanted, co_mention_totals_query(ordered=False)):
        if row["b"] in among:
            co[tuple(sorted((row["a"], row["b"])))] = int(row["n"])  # type: ignore[index]
    edges = [{"from": s, "to": o, "predicate": p} for s, p, o in sorted(relations) if s != o]
    edges += [{"from": a, "to": b, "predicate": "coMentioned", "count": n} for (a, b), n in sorted(co.items())]
    return {"entities": records, "edges": edges}
