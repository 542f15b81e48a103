"""A view of the entity graph as a networkx MultiDiGraph, read for its nodes alone (``load_view``)."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

from kg.errors import KgError
from kg.graphview.choose import check_counted, describe, focus_roots, neighbourhood, rank_key, top_entities
from kg.graphview.evidence import evidence_for
from kg.graphview.read import (
    CHUNK,
    COMENTION,
    MAX_SOURCES,
    RELATIONS,
    STATS,
    among,
    chunks,
    iri_text,
    iris_text,
    issue_ref,
    local_name,
    sentence_groups,
)
from kg.graphview.walk import issue_infos, walk
from kg.graphview.window import Count, Window, resolve_window
from kg.model import entity_types_named
from kg.store import GraphStore


def load_view(
    graph: GraphStore,
    focus: str | None = None,
    depth: int = 1,
    types: list[str] | None = None,
    min_mentions: int = 1,
    series: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int | None = None,
    comention: int = 0,
) -> nx.MultiDiGraph:
    """A view of the entity graph as a MultiDiGraph.

    Nodes are entity IRIs with ``label``, ``labels`` (language -> label, "" for
    untagged), ``alt_labels``, ``type``, ``mentions`` (mentions inside the
    series/date window), ``issues`` (how many issues), ``first_issue`` and
    ``last_issue`` (dicts: iri, label, date, url), ``sources`` (refs of the
    newest MAX_SOURCES of those issues, newest first), ``evidence`` (a few
    sentences quoting it), ``homepage``, ``discovered`` and ``focus``.  Edges
    carry ``predicate`` (local name, also the edge key) and ``weight``.

    Entities with fewer than ``min_mentions`` mentions drop out (catalog-only
    entities have 0, so ``min_mentions=0`` shows the whole catalog).  With
    ``focus`` the view is the neighbourhood within ``depth`` relation hops of
    the entities named so; the focus itself is kept whatever the filters say.
    ``limit`` keeps the most mentioned (nearest first when focused).
    ``comention`` > 0 adds undirected-looking ``coMentioned`` edges between
    view nodes whose sentences are counted by the store's co-mention tallies
    (pairs of projects) at least that many times.

    Counts come from the materialised tallies (the stats graph, or the per-issue
    tallies inside a date range), which `kg build` always writes; everything else
    is read for the chosen nodes only.
    """
    if depth < 0:
        raise KgError(f"--depth must be 0 or more, not {depth}")
    if limit is not None and limit < 1:
        raise KgError(f"--limit must be 1 or more, not {limit}")
    wanted = entity_types_named(types)
    window = resolve_window(graph, series, since, until)
    check_counted(graph)
    roots: dict[str, str] = {}
    distance: dict[str, int] = {}
    if focus:
        roots = focus_roots(graph, focus)
        chosen, counts, distance = neighbourhood(graph, window, roots, depth, wanted, min_mentions)
        entities = describe(graph, chosen)
    else:
        entities, counts = top_entities(graph, window, wanted, min_mentions, limit)
    ranked = sorted(entities, key=rank_key(entities, counts, distance))
    if limit is not None:
        ranked = ranked[:limit]

    # Sources: the newest MAX_SOURCES issues (the tooltip lists those) and the first one.
    zero = Count(0, 0)
    newest = walk(graph, window, {e: min(counts.get(e, zero).issues, MAX_SOURCES) for e in ranked}, True)
    oldest_wanted = {e: 1 for e in ranked if counts.get(e, zero).issues > len(newest.get(e, ()))}
    oldest = walk(graph, window, oldest_wanted, False)
    infos = issue_infos(graph, sorted({i for found in (*newest.values(), *oldest.values()) for i, _g in found}))
    evidence = evidence_for(graph, window, {e: newest[e] for e in ranked if e in newest}, counts)

    view = nx.MultiDiGraph(focus=focus or "", series=series or "", since=since or "", until=until or "")
    for iri in ranked:
        ent = entities[iri]
        count = counts.get(iri, zero)
        refs = [issue_ref(infos.get(i), i) for i, _g in newest.get(iri, [])[:MAX_SOURCES]]
        first = oldest[iri][0][0] if oldest.get(iri) else (newest[iri][-1][0] if newest.get(iri) else None)
        view.add_node(
            iri,
            label=ent.label,
            labels=dict(sorted(ent.labels.items())),
            alt_labels=list(ent.alt_labels),
            type=ent.type,
            mentions=count.mentions,
            issues=count.issues,
            first_issue=issue_ref(infos.get(first), first) if first else None,
            last_issue=refs[0] if refs else None,
            sources=refs,
            evidence=evidence.get(iri, []),
            homepage=ent.homepage,
            discovered=ent.discovered,
            focus=iri in roots,
        )
    for s, p, o in relations_among(graph, ranked):
        view.add_edge(s, o, key=p, predicate=p, weight=1)
    if comention > 0:
        add_tallied_comentions(graph, view, comention, window)
    return view


def relations_among(graph: GraphStore, nodes: list[str]) -> list[tuple[str, str, str]]:
    """Relation triples between these entities, sorted."""
    inside = set(nodes)
    predicates = ", ".join(f"cnkg:{p}" for p in RELATIONS)
    found: set[tuple[str, str, str]] = set()
    for chunk in chunks(sorted(inside)):
        # Only objects inside the view come back (the filter compares ids; handing back an IRI costs a read).
        objects = among("?o", sorted(inside)) if len(inside) <= CHUNK else ""
        q = (
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {iris_text(chunk)} }} ?s ?p ?o "
            f"FILTER(?p IN ({predicates})) {objects} }}"
        )
        found.update((r["s"], local_name(r["p"]), r["o"]) for r in graph.select(q) if r["o"] in inside)
    return sorted(found)


def add_tallied_comentions(
    graph: GraphStore, view: nx.MultiDiGraph, threshold: int, window: Window | None = None, max_edges: int | None = None
) -> None:
    """Add ``coMentioned`` edges (weight = shared sentences) between view nodes sharing >= threshold sentences.

    Counted by the store's co-mention tallies (cnkg:CoMentionTotal in the stats graph; the per-issue
    cnkg:CoMentionTally inside a window), which `kg build` keeps for pairs of projects: other nodes get
    no co-mention edge here.  ``add_comention_edges`` counts every pair from the mentions, at the price
    of reading them all."""
    window = window or Window()
    nodes = sorted(view.nodes)
    # Only co-mention tallies and totals have a sentenceCount, so no type test (a lookup per row).
    if window.empty:
        rows = f"GRAPH {STATS} {{ ?x cnkg:tallyOf ?a ; cnkg:sentenceCount ?n ; cnkg:tallyOf ?b }}"
    else:
        rows = window.issues() + " GRAPH ?g { ?x cnkg:tallyOf ?a ; cnkg:sentenceCount ?n ; cnkg:tallyOf ?b }"
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for chunk in chunks(nodes):
        for others in chunks(nodes, 100):  # IN compares each row with every node listed
            q = (
                f"SELECT ?a ?b (SUM(?n) AS ?c) WHERE {{ VALUES ?a {{ {iris_text(chunk)} }} {rows} "
                f"FILTER(?b IN ({', '.join(iri_text(o) for o in others)})) }} GROUP BY ?a ?b"
            )
            for row in graph.select(q):
                if row["a"] < row["b"]:  # each pair comes twice; keep it in code point order
                    pairs[(row["a"], row["b"])] += int(row["c"])
    _add_strongest(view, pairs, threshold, max_edges)


def add_comention_edges(
    graph: GraphStore,
    view: nx.MultiDiGraph,
    threshold: int,
    window: set[str] | None = None,
    max_edges: int | None = None,
) -> None:
    """Add ``coMentioned`` edges (weight = shared sentences) between view nodes sharing >= threshold sentences."""
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    if window is None:
        # Count in the store, for the view's nodes only: fetching every mention row of a large
        # store into Python took gigabytes (10,000 issues).
        pairs.update(_comention_counts(graph, sorted(view.nodes)))
    for issue, members in sentence_groups(graph).values() if window is not None else ():
        if window is not None and issue not in window:
            continue
        inside = sorted(m for m in members if m in view)
        for a_index, a in enumerate(inside):
            for b in inside[a_index + 1 :]:
                pairs[(a, b)] += 1
    _add_strongest(view, pairs, threshold, max_edges)


def _add_strongest(
    view: nx.MultiDiGraph, pairs: dict[tuple[str, str], int], threshold: int, max_edges: int | None
) -> None:
    """``coMentioned`` edges for the pairs counted at least ``threshold`` times, strongest first, at most
    ``max_edges`` (three per node by default)."""
    strong = sorted(((n, a, b) for (a, b), n in pairs.items() if n >= threshold), key=lambda t: (-t[0], t[1], t[2]))
    if max_edges is None:
        max_edges = 3 * max(1, view.number_of_nodes())
    for n, a, b in strong[:max_edges]:
        view.add_edge(a, b, key=COMENTION, predicate=COMENTION, weight=n)


def _comention_counts(graph: GraphStore, nodes: list[str]) -> dict[tuple[str, str], int]:
    if not nodes:
        return {}
    values = " ".join(f"<{n}>" for n in nodes if n.startswith(("http://", "https://")))
    sparql = (
        "SELECT ?a ?b (COUNT(DISTINCT ?ev) AS ?n) WHERE { "
        f"VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
        "?m1 cnkg:refersTo ?a ; nif:sentence ?ev . ?m2 cnkg:refersTo ?b ; nif:sentence ?ev . "
        "FILTER(STR(?a) < STR(?b)) } GROUP BY ?a ?b"
    )
    return {(row["a"], row["b"]): int(row["n"]) for row in graph.select(sparql)}
