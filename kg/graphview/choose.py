"""Which entities a view shows: the most mentioned inside its window, or a focus and its neighbourhood.

Ranked in SPARQL over the materialised counts (kg.graphview.window); labels, flags and types are then
read for the chosen entities alone.
"""

from __future__ import annotations

import re
from typing import Any

from pyoxigraph import Literal

from kg import ids
from kg.errors import KgError
from kg.graphview.read import (
    Q_ENTITIES,
    RELATIONS,
    STATS,
    TYPE_FILTER,
    EntityNode,
    add_flags,
    add_labels,
    chunks,
    iris_text,
    keep_primary_type,
    local_name,
)
from kg.graphview.window import Count, Window, counts_of, ranked_counts
from kg.store import GraphStore
from kg.vocab import name_key


def primary_types(graph: GraphStore, iris: list[str]) -> dict[str, str]:
    """Each typed entity's type; an IRI typed twice keeps the first type in ENTITY_TYPES order."""
    found: dict[str, str] = {}
    for chunk in chunks(iris):
        q = f"SELECT DISTINCT ?e ?type WHERE {{ VALUES ?e {{ {iris_text(chunk)} }} ?e a ?type {TYPE_FILTER} }}"
        for row in graph.select(q):
            keep_primary_type(found, row["e"], local_name(row["type"]))
    return found


def _all_typed(graph: GraphStore, wanted: set[str] | None) -> dict[str, str]:
    """Every entity of the wanted types (``--min-mentions 0`` shows the catalog: the view is that big)."""
    found: dict[str, str] = {}
    for row in graph.select(Q_ENTITIES):
        keep_primary_type(found, row["e"], local_name(row["type"]))
    return {iri: t for iri, t in found.items() if wanted is None or t in wanted}


def describe(graph: GraphStore, types: dict[str, str]) -> dict[str, EntityNode]:
    """Labels, altLabels and flags of these entities (IRI -> type), read for them alone."""
    entities = {iri: EntityNode(iri, type_) for iri, type_ in types.items()}
    for chunk in chunks(sorted(entities)):
        values = iris_text(chunk)
        q = (
            f"SELECT DISTINCT ?e ?p ?l WHERE {{ VALUES ?e {{ {values} }} ?e ?p ?l "
            "FILTER(?p IN (rdfs:label, skos:altLabel) && isLiteral(?l)) }"
        )
        add_labels(entities, graph.query(q))
        q = (
            f"SELECT DISTINCT ?e ?p ?v WHERE {{ VALUES ?e {{ {values} }} ?e ?p ?v "
            "FILTER(?p IN (cnkg:discovered, foaf:homepage, cnkg:url, cnkg:repository)) }"
        )
        add_flags(entities, graph.select(q))
    return entities


def check_counted(graph: GraphStore) -> None:
    """A store with mentions but no mention totals (built before `kg build` kept them) would give an
    empty view without a word: say so instead.  Two index lookups."""
    if not graph.query(f"ASK {{ GRAPH {STATS} {{ ?x a cnkg:MentionTotal }} }}"):
        if graph.query("ASK { ?m a cnkg:Mention }"):
            raise KgError(f"the store has no mention counts (graph <{ids.GRAPH_STATS}>): run `kg build` again")


def rank_key(entities: dict[str, EntityNode], counts: dict[str, Count], distance: dict[str, int]) -> Any:
    def key(iri: str) -> tuple[int, int, str, str]:
        count = counts.get(iri)
        return (distance.get(iri, 0), -(count.mentions if count else 0), entities[iri].label.casefold(), iri)

    return key


def top_entities(
    graph: GraphStore, window: Window, wanted: set[str] | None, least: int, limit: int | None
) -> tuple[dict[str, EntityNode], dict[str, Count]]:
    """The entities an unfocused view shows: those passing the filters, the ``limit`` most mentioned.

    Ranks in SPARQL and reads a little past the cut: equal counts are ordered by label, so every entity
    tied with the last one kept is described before the cut is made."""
    fetch = None if limit is None else limit + 32
    while True:
        rows = ranked_counts(graph, window, wanted, max(1, least), fetch)
        types = primary_types(graph, [iri for iri, _ in rows])
        kept = [(iri, c) for iri, c in rows if iri in types and (wanted is None or types[iri] in wanted)]
        if limit is None or fetch is None or len(rows) < fetch:
            break  # every passing entity is in
        if len(kept) >= limit and rows[-1][1] < kept[limit - 1][1]:
            kept = [(iri, n) for iri, n in kept if n >= kept[limit - 1][1]]
            break  # the rows read go past the last tie
        fetch *= 4
    counts = counts_of(graph, window, [iri for iri, _n in kept])
    chosen = {iri: types[iri] for iri, _n in kept}
    if least <= 0 and (limit is None or len(chosen) < limit):
        # Entities without a mention in the window (catalog-only ones) also pass.
        chosen.update(_all_typed(graph, wanted))
    return describe(graph, chosen), counts


def focus_roots(graph: GraphStore, name: str) -> dict[str, str]:
    """Entities (IRI -> type) whose label or altLabel equals ``name`` case-insensitively, or whose IRI it is."""
    if re.match(r"https?://", name):
        types = primary_types(graph, [name]) if " " not in name and ">" not in name else {}
        if types:
            return types
    key = name.strip().casefold()

    def matching(iris: list[str]) -> list[str]:
        described = describe(graph, primary_types(graph, iris))
        return sorted(iri for iri, ent in described.items() if key in ent.names())

    # cnkg:nameKey (NFKC, case-folded names) is an index lookup; the names are then compared as before
    # (case-folded only).  Stores without name keys, or a name only the plain case-fold matches, fall
    # back to reading every label.
    candidates = graph.select(f"SELECT DISTINCT ?e WHERE {{ ?e cnkg:nameKey {Literal(name_key(name))} }}")
    found = matching([r["e"] for r in candidates])
    if not found:
        rows = graph.select(
            "SELECT DISTINCT ?e ?l WHERE { VALUES ?p { rdfs:label skos:altLabel } ?e ?p ?l FILTER(isLiteral(?l)) }"
        )
        found = matching(sorted({r["e"] for r in rows if r["l"].casefold() == key}))
    if not found:
        raise KgError(f"no entity named '{name}' in the graph")
    return primary_types(graph, found)


def neighbourhood(
    graph: GraphStore, window: Window, roots: dict[str, str], depth: int, wanted: set[str] | None, least: int
) -> tuple[dict[str, str], dict[str, Count], dict[str, int]]:
    """Breadth-first over relation edges among entities that pass the filters, reading one hop at a time."""
    counts = counts_of(graph, window, sorted(roots))
    types = dict(roots)
    distance = dict.fromkeys(roots, 0)
    verdict: dict[str, bool] = dict.fromkeys(roots, True)  # the roots pass whatever the filters say
    frontier = sorted(roots)
    predicates = ", ".join(f"cnkg:{p}" for p in RELATIONS)
    for hop in range(1, depth + 1):
        others: set[str] = set()
        for chunk in chunks(frontier):
            q = (
                f"SELECT DISTINCT ?x WHERE {{ VALUES ?n {{ {iris_text(chunk)} }} {{ ?n ?p ?x }} UNION {{ ?x ?p ?n }} "
                f"FILTER(?p IN ({predicates}) && isIRI(?x)) }}"
            )
            others.update(r["x"] for r in graph.select(q))
        fresh = sorted(o for o in others if o not in verdict)
        new_types = primary_types(graph, fresh)
        counts.update(counts_of(graph, window, sorted(new_types)))
        for iri in fresh:
            type_ = new_types.get(iri)
            mentions = counts[iri].mentions if iri in counts else 0
            verdict[iri] = type_ is not None and (wanted is None or type_ in wanted) and mentions >= least
            if type_ is not None:
                types[iri] = type_
        frontier = sorted(o for o in others if verdict[o] and o not in distance)
        for iri in frontier:
            distance[iri] = hop
        if not frontier:
            break
    return {iri: types[iri] for iri in distance}, counts, distance
