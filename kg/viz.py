"""See the graph: entity views as networkx graphs, rendered as self-contained offline HTML.

``load_view`` reads entities, their mentions and the relations among them from
the store into a ``networkx.MultiDiGraph``; ``render_html`` writes one HTML file
with vis-network inlined (the JS/CSS shipped inside the pyvis package), our own
template (no Bootstrap, no CDN: the page makes no network request) and the
graph as JSON.  Tooltips, the legend and the search list are built in the page
with DOM text nodes, never ``innerHTML``, so issue text cannot run script.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import KgError
from kg.ids import ID
from kg.model import ENTITY_TYPES

# Relations between entities (FORMAT.md predicates, camel-cased).  Issue-level ones
# (authoredBy, editedBy, publishedBy, recommends from an issue) drop out because their
# subject is an issue, not an entity node.
RELATIONS = (
    "authoredBy",
    "editedBy",
    "publishedBy",
    "recommends",
    "hasRelease",
    "partOf",
    "featureOf",
    "about",
    "targetsRelease",
    "developedBy",
    "uses",
    "integrates",
    "replaces",
    "writtenBy",
    "affects",
    "fixedIn",
)
COMENTION = "coMentioned"

# Colour-blind-friendly-ish palette, one colour per type (legend shows them).
TYPE_COLORS = {
    "Project": "#4e79a7",
    "Release": "#f28e2b",
    "Feature": "#59a14f",
    "KEP": "#e15759",
    "Person": "#b07aa1",
    "Organization": "#76b7b2",
    "Article": "#9c755f",
    "Technology": "#edc948",
    "Event": "#ff9da7",
    "Vulnerability": "#d62728",
}
OTHER_COLOR = "#bab0ac"

PHYSICS_MAX_NODES = 300  # above this, positions are precomputed and physics stays off
LAYOUT_SAMPLE_ABOVE = 800  # components bigger than this get sampled repulsion
LAYOUT_PIVOTS = 300
OVERVIEW_NODES = 70
MAX_EVIDENCE = 3  # sentences quoted per node tooltip
MAX_SOURCES = 8  # issue links per node tooltip

_PREFIXES = """
PREFIX cnkg: <https://w3id.org/cnkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
_TYPE_VALUES = " ".join(f"cnkg:{t}" for t in ENTITY_TYPES)

Q_ENTITIES = _PREFIXES + f"SELECT DISTINCT ?e ?type WHERE {{ VALUES ?type {{ {_TYPE_VALUES} }} ?e a ?type }}"
Q_LABELS = (
    _PREFIXES
    + "SELECT DISTINCT ?e ?p ?l WHERE { VALUES ?p { rdfs:label skos:altLabel } ?e ?p ?l . FILTER(isLiteral(?l)) }"
)
Q_FLAGS = (
    _PREFIXES
    + "SELECT DISTINCT ?e ?p ?v WHERE { VALUES ?p { cnkg:discovered foaf:homepage cnkg:url cnkg:repository } ?e ?p ?v }"
)
Q_MENTIONS = (
    _PREFIXES + "SELECT ?e ?i (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a cnkg:Mention ; cnkg:refersTo ?e ; "
    "cnkg:inIssue ?i } GROUP BY ?e ?i"
)
Q_ISSUE_MENTIONS = _PREFIXES + "SELECT DISTINCT ?e ?i WHERE { ?i a cnkg:Issue ; cnkg:mentions ?e }"
# Issue facts as (issue, property, value) rows: nested OPTIONALs over the union graph are slow.
Q_ISSUES = (
    _PREFIXES + "SELECT DISTINCT ?i ?p ?v WHERE { ?i a cnkg:Issue . VALUES ?p { rdfs:label schema:datePublished "
    "schema:issueNumber schema:isPartOf cnkg:url } ?i ?p ?v }"
)
Q_NEWSLETTERS = _PREFIXES + "SELECT DISTINCT ?n ?label WHERE { ?n a cnkg:Newsletter ; rdfs:label ?label }"
_REL_VALUES = " ".join(f"cnkg:{p}" for p in RELATIONS)
Q_RELATIONS = _PREFIXES + f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {_REL_VALUES} }} ?s ?p ?o }}"
# Sentence-level co-occurrence: mentions sharing one nif:sentence evidence node.
Q_SENTENCE_MENTIONS = (
    _PREFIXES + "SELECT DISTINCT ?ev ?e ?i WHERE { ?m a cnkg:Mention ; cnkg:refersTo ?e ; nif:sentence ?ev . "
    "OPTIONAL { ?m cnkg:inIssue ?i } }"
)
Q_EVIDENCE = (
    _PREFIXES + "SELECT DISTINCT ?e ?i ?text WHERE { VALUES ?e { %s } ?m cnkg:refersTo ?e ; cnkg:inIssue ?i ; "
    "nif:sentence ?ev . ?ev nif:anchorOf ?text }"
)


# --------------------------------------------------------------------------- store access


def oxigraph_store(store: Any) -> Any:
    """The pyoxigraph.Store behind a GraphStore, a Store itself, or a built directory path."""
    import pyoxigraph

    if isinstance(store, pyoxigraph.Store):
        return store
    inner = getattr(store, "store", None)
    if isinstance(inner, pyoxigraph.Store):
        return inner
    if isinstance(store, (str, Path)):
        import kg

        return kg.open_graph(str(store)).store
    raise TypeError(f"expected a GraphStore, a pyoxigraph.Store or a directory, got {type(store).__name__}")


def _value(term: Any) -> Any:
    if term is None:
        return None
    return term.value


def select(store: Any, sparql: str) -> list[dict[str, Any]]:
    """Rows of a SELECT over the union of all named graphs, as dicts of plain values (lexical forms)."""
    ox = oxigraph_store(store)
    result = ox.query(sparql, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{name: _value(row[name]) for name in names} for row in result]


def _lang_of(term: Any) -> str:
    return getattr(term, "language", None) or ""


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/"))[-1]


# --------------------------------------------------------------------------- the entity table


@dataclass
class IssueInfo:
    iri: str
    label: str
    date: str  # ISO date or "" when unknown
    number: str
    series: str  # newsletter slug
    series_label: str
    url: str


@dataclass
class Entity:
    iri: str
    type: str
    labels: dict[str, str] = field(default_factory=dict)  # language ("" for plain) -> label
    alt_labels: list[str] = field(default_factory=list)
    discovered: bool = False
    homepage: str = ""
    per_issue: dict[str, int] = field(default_factory=dict)  # issue IRI -> mentions in it

    @property
    def label(self) -> str:
        for lang in ("en", "", "zh"):
            if lang in self.labels:
                return self.labels[lang]
        if self.labels:
            return self.labels[sorted(self.labels)[0]]
        return local_name(self.iri)

    def names(self) -> set[str]:
        return {n.casefold() for n in [*self.labels.values(), *self.alt_labels]}


def read_issues(store: Any) -> dict[str, IssueInfo]:
    newsletters: dict[str, str] = {}
    for row in select(store, Q_NEWSLETTERS):
        newsletters.setdefault(row["n"], row["label"])
    facts: dict[str, dict[str, str]] = defaultdict(dict)
    for row in sorted(select(store, Q_ISSUES), key=lambda r: (r["i"], r["p"], r["v"])):
        facts[row["i"]].setdefault(local_name(row["p"]), row["v"])  # several values: keep the first, sorted
    issues: dict[str, IssueInfo] = {}
    for iri, fact in facts.items():
        series_iri = fact.get("isPartOf", "")
        issues[iri] = IssueInfo(
            iri=iri,
            label=fact.get("label") or local_name(iri),
            date=fact.get("datePublished", "")[:10],
            number=fact.get("issueNumber", ""),
            series=local_name(series_iri) if series_iri else "",
            series_label=newsletters.get(series_iri, ""),
            url=fact.get("url", ""),
        )
    return issues


def read_entities(store: Any) -> dict[str, Entity]:
    ox = oxigraph_store(store)
    entities: dict[str, Entity] = {}
    for row in select(store, Q_ENTITIES):
        iri, type_ = row["e"], local_name(row["type"])
        if iri not in entities:  # an IRI typed twice keeps the first type in ENTITY_TYPES order
            entities[iri] = Entity(iri, type_)
        elif ENTITY_TYPES.index(type_) < ENTITY_TYPES.index(entities[iri].type):
            entities[iri].type = type_
    # Labels need the language tag, so read the raw terms.
    for row in ox.query(Q_LABELS, use_default_graph_as_union=True):
        ent = entities.get(row["e"].value)
        if ent is None:
            continue
        text = row["l"].value
        if row["p"].value.endswith("#label"):
            ent.labels.setdefault(_lang_of(row["l"]), text)
        elif text not in ent.alt_labels:
            ent.alt_labels.append(text)
    for ent in entities.values():
        ent.alt_labels.sort()
    for row in select(store, Q_FLAGS):
        ent = entities.get(row["e"])
        if ent is None:
            continue
        prop = local_name(row["p"])
        if prop == "discovered":
            ent.discovered = ent.discovered or row["v"] in ("true", "1")
        elif not ent.homepage or prop == "homepage":
            ent.homepage = row["v"]
    for row in select(store, Q_MENTIONS):
        ent = entities.get(row["e"])
        if ent is not None:
            ent.per_issue[row["i"]] = int(row["n"])
    # An issue that says it mentions an entity without Mention nodes still counts once.
    for row in select(store, Q_ISSUE_MENTIONS):
        ent = entities.get(row["e"])
        if ent is not None:
            ent.per_issue.setdefault(row["i"], 1)
    return entities


def read_relations(store: Any) -> list[tuple[str, str, str]]:
    return [(r["s"], local_name(r["p"]), r["o"]) for r in select(store, Q_RELATIONS)]


def sentence_groups(store: Any) -> dict[str, tuple[str, set[str]]]:
    """Evidence sentence IRI -> (issue IRI, entities mentioned in it)."""
    groups: dict[str, tuple[str, set[str]]] = {}
    for row in select(store, Q_SENTENCE_MENTIONS):
        issue, members = groups.setdefault(row["ev"], (row["i"] or "", set()))
        members.add(row["e"])
    return groups


# --------------------------------------------------------------------------- filters


def _check_date(text: str | None, what: str) -> str | None:
    if text is None or text == "":
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise KgError(f"{what}: '{text}' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    return text


def resolve_types(types: Iterable[str] | None) -> set[str] | None:
    if not types:
        return None
    known = {t.casefold(): t for t in ENTITY_TYPES}
    wanted: set[str] = set()
    for raw in types:
        for name in str(raw).split(","):
            name = name.strip()
            if not name:
                continue
            if name.casefold() not in known:
                raise KgError(f"unknown entity type '{name}' (known: {', '.join(ENTITY_TYPES)})")
            wanted.add(known[name.casefold()])
    return wanted or None


def _issue_filter(
    issues: dict[str, IssueInfo], series: str | None, since: str | None, until: str | None
) -> set[str] | None:
    """Issue IRIs inside the series/date window, or None when there is no window."""
    since, until = _check_date(since, "--since"), _check_date(until, "--until")
    if not series and not since and not until:
        return None
    chosen = set(issues)
    if series:
        key = series.casefold()
        chosen = {i for i in chosen if key in (issues[i].series.casefold(), issues[i].series_label.casefold()) and key}
        if not chosen:
            known = sorted({i.series for i in issues.values() if i.series})
            raise KgError(f"no newsletter series '{series}' in the graph (known: {', '.join(known) or 'none'})")
    if since:
        # Partial dates compare by prefix: --since 2019 keeps 2019-01-01 onwards.
        chosen = {i for i in chosen if issues[i].date and issues[i].date >= since}
    if until:
        chosen = {i for i in chosen if issues[i].date and issues[i].date[: len(until)] <= until}
    return chosen


def resolve_focus(entities: dict[str, Entity], name: str) -> list[str]:
    """Entity IRIs whose label or altLabel equals ``name`` (case-insensitive), or whose IRI is ``name``."""
    if name in entities:
        return [name]
    key = name.strip().casefold()
    found = sorted(iri for iri, ent in entities.items() if key in ent.names())
    if not found:
        raise KgError(f"no entity named '{name}' in the graph")
    return found


def _issue_ref(info: IssueInfo | None, iri: str) -> dict[str, str]:
    if info is None:
        return {"iri": iri, "label": local_name(iri), "date": "", "url": iri}
    return {"iri": iri, "label": info.label, "date": info.date, "url": info.url or iri}


def _sort_key_issue(issues: dict[str, IssueInfo], iri: str) -> tuple[str, str, str]:
    info = issues.get(iri)
    return (info.date, info.number.zfill(8), iri) if info else ("", "", iri)


# --------------------------------------------------------------------------- load_view


def load_view(
    store: Any,
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
    ``last_issue`` (dicts: iri, label, date, url), ``sources`` (issue refs, newest
    first), ``evidence`` (a few sentences quoting it), ``homepage``,
    ``discovered`` and ``focus``.  Edges carry ``predicate`` (local name, also
    the edge key) and ``weight``.

    Entities with fewer than ``min_mentions`` mentions drop out (catalog-only
    entities have 0, so ``min_mentions=0`` shows the whole catalog).  With
    ``focus`` the view is the neighbourhood within ``depth`` relation hops of
    the entities named so; the focus itself is kept whatever the filters say.
    ``limit`` keeps the most mentioned (nearest first when focused).
    ``comention`` > 0 adds undirected-looking ``coMentioned`` edges between
    view nodes that share at least that many sentences.
    """
    if depth < 0:
        raise KgError(f"--depth must be 0 or more, not {depth}")
    if limit is not None and limit < 1:
        raise KgError(f"--limit must be 1 or more, not {limit}")
    wanted_types = resolve_types(types)
    issues = read_issues(store)
    window = _issue_filter(issues, series, since, until)
    entities = read_entities(store)

    def mentions_of(ent: Entity) -> dict[str, int]:
        if window is None:
            return ent.per_issue
        return {i: n for i, n in ent.per_issue.items() if i in window}

    counted = {iri: mentions_of(ent) for iri, ent in entities.items()}
    totals = {iri: sum(per.values()) for iri, per in counted.items()}
    roots = resolve_focus(entities, focus) if focus else []

    def passes(iri: str) -> bool:
        if iri in roots:
            return True
        if wanted_types is not None and entities[iri].type not in wanted_types:
            return False
        return totals[iri] >= min_mentions

    keep = {iri for iri in entities if passes(iri)}
    relations = [(s, p, o) for s, p, o in read_relations(store) if s in entities and o in entities]

    distance: dict[str, int] = {}
    if roots:
        # Neighbourhood over relation edges among the entities that pass the filters.
        adjacency: dict[str, set[str]] = defaultdict(set)
        for s, _p, o in relations:
            if s in keep and o in keep and s != o:
                adjacency[s].add(o)
                adjacency[o].add(s)
        frontier = list(roots)
        distance = dict.fromkeys(roots, 0)
        for hop in range(1, depth + 1):
            nxt = []
            for node in frontier:
                for other in sorted(adjacency[node]):
                    if other not in distance:
                        distance[other] = hop
                        nxt.append(other)
            frontier = nxt
        keep = set(distance)

    ranked = sorted(keep, key=lambda i: (distance.get(i, 0), -totals[i], entities[i].label.casefold(), i))
    if limit is not None:
        ranked = ranked[:limit]
    keep = set(ranked)

    view = nx.MultiDiGraph(focus=focus or "", series=series or "", since=since or "", until=until or "")
    for iri in ranked:
        ent = entities[iri]
        per = counted[iri]
        order = sorted(per, key=lambda i: _sort_key_issue(issues, i))
        view.add_node(
            iri,
            label=ent.label,
            labels=dict(sorted(ent.labels.items())),
            alt_labels=list(ent.alt_labels),
            type=ent.type,
            mentions=totals[iri],
            issues=len(per),
            first_issue=_issue_ref(issues.get(order[0]), order[0]) if order else None,
            last_issue=_issue_ref(issues.get(order[-1]), order[-1]) if order else None,
            sources=[_issue_ref(issues.get(i), i) for i in reversed(order)],
            evidence=[],
            homepage=ent.homepage,
            discovered=ent.discovered,
            focus=iri in roots,
        )
    for s, p, o in relations:
        if s in keep and o in keep:
            view.add_edge(s, o, key=p, predicate=p, weight=1)
    _attach_evidence(store, view, window)
    if comention > 0:
        add_comention_edges(store, view, comention, window)
    return view


def _attach_evidence(store: Any, view: nx.MultiDiGraph, window: set[str] | None) -> None:
    """A few sentences quoting each node (newest issue first), for the tooltip."""
    nodes = list(view.nodes)
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for start in range(0, len(nodes), 400):  # VALUES in batches keeps each query small
        chunk = nodes[start : start + 400]
        values = " ".join(f"<{iri}>" for iri in chunk if ">" not in iri and " " not in iri)
        if not values:
            continue
        for row in select(store, Q_EVIDENCE % values):
            if window is None or row["i"] in window:
                found[row["e"]].append((row["i"], row["text"]))
    for iri, rows in found.items():
        order = {ref["iri"]: n for n, ref in enumerate(view.nodes[iri]["sources"])}
        rows.sort(key=lambda r: (order.get(r[0], 1 << 30), r[1]))
        seen: list[str] = []
        for _issue, text in rows:
            if text not in seen:
                seen.append(text)
            if len(seen) == MAX_EVIDENCE:
                break
        view.nodes[iri]["evidence"] = seen


def add_comention_edges(
    store: Any, view: nx.MultiDiGraph, threshold: int, window: set[str] | None = None, max_edges: int | None = None
) -> None:
    """Add ``coMentioned`` edges (weight = shared sentences) between view nodes sharing >= threshold sentences."""
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    if window is None:
        # Count in the store, for the view's nodes only: fetching every mention row of a large
        # store into Python took gigabytes (10,000 issues).
        pairs.update(_comention_counts(store, sorted(view.nodes)))
    for issue, members in sentence_groups(store).values() if window is not None else ():
        if window is not None and issue not in window:
            continue
        inside = sorted(m for m in members if m in view)
        for a_index, a in enumerate(inside):
            for b in inside[a_index + 1 :]:
                pairs[(a, b)] += 1
    strong = sorted(((n, a, b) for (a, b), n in pairs.items() if n >= threshold), key=lambda t: (-t[0], t[1], t[2]))
    if max_edges is None:
        max_edges = 3 * max(1, view.number_of_nodes())
    for n, a, b in strong[:max_edges]:
        view.add_edge(a, b, key=COMENTION, predicate=COMENTION, weight=n)


def _comention_counts(store: Any, nodes: list[str]) -> dict[tuple[str, str], int]:
    if not nodes:
        return {}
    values = " ".join(f"<{n}>" for n in nodes if n.startswith(("http://", "https://")))
    sparql = _PREFIXES + (
        "SELECT ?a ?b (COUNT(DISTINCT ?ev) AS ?n) WHERE { "
        f"VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
        "?m1 cnkg:refersTo ?a ; nif:sentence ?ev . ?m2 cnkg:refersTo ?b ; nif:sentence ?ev . "
        "FILTER(STR(?a) < STR(?b)) } GROUP BY ?a ?b"
    )
    return {(row["a"], row["b"]): int(row["n"]) for row in select(store, sparql)}


def overview(store: Any, out: Path, top: int = OVERVIEW_NODES, title: str = "cnkg — most mentioned") -> Path:
    """The page `kg build` writes: the most mentioned entities, their relations and strongest co-mentions."""
    view = load_view(store, min_mentions=1, limit=top)
    # Relations alone can leave most of the top nodes isolated; co-mentions in >= 2 sentences tie
    # them together, capped at one per node (the strongest) so the picture stays readable.
    add_comention_edges(store, view, threshold=2, max_edges=max(1, view.number_of_nodes()))
    return render_html(view, out, title=title)


# --------------------------------------------------------------------------- layout


def _fruchterman_reingold(n: int, edges: list[tuple[int, int]], iterations: int, seed: int) -> Any:
    """Force-directed layout in plain numpy (float32): networkx's large-graph path needs scipy."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2), dtype=np.float32)
    if n == 1:
        return pos
    k = np.float32(math.sqrt(1.0 / n))
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    # Exact repulsion is O(n^2) per step; above SAMPLE_ABOVE nodes each step repels from a fresh
    # random sample of pivots, scaled up (an unbiased estimate: ~20x cheaper at 3,000 nodes, same look).
    pivots = min(n, LAYOUT_PIVOTS) if n > LAYOUT_SAMPLE_ABOVE else n
    scale = np.float32(n / pivots)
    for _ in range(iterations):
        others = pos if pivots == n else pos[rng.choice(n, pivots, replace=False)]
        delta = pos[:, None, :] - others[None, :, :]
        dist2 = np.einsum("ijk,ijk->ij", delta, delta)
        np.maximum(dist2, 1e-4, out=dist2)
        disp = np.einsum("ijk,ij->ik", delta, (k * k * scale) / dist2)
        if len(src):
            d = pos[src] - pos[dst]
            length = np.sqrt((d * d).sum(axis=1))[:, None]
            force = d * length / k
            np.subtract.at(disp, src, force)
            np.add.at(disp, dst, force)
        length = np.sqrt((disp * disp).sum(axis=1))
        np.maximum(length, 1e-6, out=length)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling
    return pos


def layout_positions(view: nx.Graph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Screen positions (px) for every node: each component laid out alone, then packed on shelves."""
    import numpy as np

    simple = nx.Graph()
    simple.add_nodes_from(view.nodes)
    simple.add_edges_from((u, v) for u, v in view.edges() if u != v)
    components = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c)))
    pieces: list[tuple[float, dict[str, Any]]] = []
    singles: list[str] = []
    for comp in components:
        if len(comp) == 1:
            singles.extend(comp)
            continue
        nodes = sorted(comp)
        index = {n: i for i, n in enumerate(nodes)}
        edges = [(index[u], index[v]) for u, v in simple.subgraph(nodes).edges()]
        iterations = 60 if len(nodes) <= LAYOUT_SAMPLE_ABOVE else 50
        pos = _fruchterman_reingold(len(nodes), edges, iterations, seed)
        pos = pos - pos.mean(axis=0)
        radius = float(np.sqrt((pos * pos).sum(axis=1)).max()) or 1.0
        # Target radius grows with sqrt(size) so node density is similar across components.
        scale = 60.0 * math.sqrt(len(nodes)) / radius
        pieces.append((60.0 * math.sqrt(len(nodes)), {n: pos[index[n]] * scale for n in nodes}))
    # Isolated nodes go into one grid block, packed like a component.
    if singles:
        side = math.ceil(math.sqrt(len(singles)))
        grid = {n: np.array([(i % side) * 70.0, (i // side) * 70.0]) for i, n in enumerate(sorted(singles))}
        centre = (side - 1) * 35.0
        pieces.append((max(35.0, centre * 1.42), {n: p - centre for n, p in grid.items()}))
    total_area = sum((2 * r) ** 2 for r, _ in pieces) or 1.0
    row_width = max(max((2 * r for r, _ in pieces), default=1.0), math.sqrt(total_area) * 1.2)
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for radius, coords in pieces:
        size = 2 * radius + 80.0
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + size / 2, y + size / 2
        for node, p in coords.items():
            positions[node] = (round(float(p[0]) + cx, 1), round(float(p[1]) + cy, 1))
        x += size
        row_height = max(row_height, size)
    return positions


# --------------------------------------------------------------------------- rendering


def _safe_url(url: str) -> str:
    """Only http(s) links reach the page: a javascript: URL in the data must not become a link."""
    return url if re.match(r"(?i)^https?://", url or "") else ""


def _node_size(mentions: int, most: int) -> float:
    return round(10 + 30 * math.sqrt(mentions / most), 1) if most > 0 else 10.0


def _tooltip_text(attrs: dict[str, Any]) -> str:
    """Plain-text tooltip (vis shows strings with innerText); the page upgrades it to a DOM element with links."""
    lines = [" / ".join(dict.fromkeys(attrs.get("labels", {}).values())) or attrs.get("label", "")]
    if attrs.get("alt_labels"):
        lines.append("also: " + ", ".join(attrs["alt_labels"]))
    lines.append(f"{attrs.get('type', '')} · {attrs.get('mentions', 0)} mentions in {attrs.get('issues', 0)} issues")
    for key, word in (("first_issue", "first"), ("last_issue", "last")):
        ref = attrs.get(key)
        if ref:
            lines.append(f"{word}: {ref['label']} ({ref['date'] or 'undated'})")
    return "\n".join(lines)


def view_to_data(view: nx.MultiDiGraph, physics: bool | None = None) -> dict[str, Any]:
    """The JSON the page reads: vis nodes/edges plus the structured facts its tooltips are built from."""
    use_physics = view.number_of_nodes() <= PHYSICS_MAX_NODES if physics is None else physics
    positions = {} if use_physics else layout_positions(view)
    most = max((d.get("mentions", 0) for _, d in view.nodes(data=True)), default=0)
    ids = {iri: n for n, iri in enumerate(view.nodes)}
    nodes = []
    types_seen: dict[str, int] = defaultdict(int)
    for iri, attrs in view.nodes(data=True):
        type_ = attrs.get("type", "")
        types_seen[type_] += 1
        color = TYPE_COLORS.get(type_, OTHER_COLOR)
        node: dict[str, Any] = {
            "id": ids[iri],
            "label": attrs.get("label", local_name(iri)),
            "title": _tooltip_text(attrs),
            "color": {"background": color, "border": "#222222" if attrs.get("focus") else color},
            "borderWidth": 3 if attrs.get("focus") else 1,
            "size": _node_size(attrs.get("mentions", 0), most),
            "kg": {
                "iri": iri,
                "labels": attrs.get("labels", {}),
                "alt": attrs.get("alt_labels", []),
                "type": type_,
                "mentions": attrs.get("mentions", 0),
                "issues": attrs.get("issues", 0),
                "first": attrs.get("first_issue"),
                "last": attrs.get("last_issue"),
                "sources": [
                    {**ref, "url": _safe_url(ref.get("url", ""))} for ref in attrs.get("sources", [])[:MAX_SOURCES]
                ],
                "more_sources": max(0, len(attrs.get("sources", [])) - MAX_SOURCES),
                "evidence": [t if len(t) <= 240 else t[:239] + "…" for t in attrs.get("evidence", [])],
                "homepage": _safe_url(attrs.get("homepage", "")),
                "discovered": bool(attrs.get("discovered")),
            },
        }
        if iri in positions:
            node["x"], node["y"] = positions[iri]
        nodes.append(node)
    edges = []
    for n, (u, v, key, attrs) in enumerate(view.edges(keys=True, data=True)):
        predicate = attrs.get("predicate", key)
        co = predicate == COMENTION
        edge: dict[str, Any] = {
            "id": n,
            "from": ids[u],
            "to": ids[v],
            "label": predicate,
            "title": f"{view.nodes[u].get('label', u)} —{predicate}→ {view.nodes[v].get('label', v)}",
        }
        if co:
            # Co-mentions are context, not claims: unlabelled, light, dashed, thicker when stronger.
            weight = attrs.get("weight", 1)
            edge.update(
                label="",
                title=f"{view.nodes[u].get('label', u)} and {view.nodes[v].get('label', v)}: "
                f"co-mentioned in {weight} sentences",
                dashes=True,
                arrows={"to": {"enabled": False}},
                color={"color": "#d0d0d0", "highlight": "#888888"},
                width=min(6.0, 1 + math.log2(weight)),
            )
        edges.append(edge)
    legend = [
        {"type": t, "color": TYPE_COLORS.get(t, OTHER_COLOR), "count": types_seen[t]}
        for t in [*ENTITY_TYPES, *sorted(set(types_seen) - set(ENTITY_TYPES))]
        if types_seen.get(t)
    ]
    return {"nodes": nodes, "edges": edges, "legend": legend, "physics": use_physics}


def json_for_script(data: Any) -> str:
    """JSON safe inside <script>: no '</script', '<!--' or ']]>' can form, nor JS line terminators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def _vis_assets() -> tuple[str, str]:
    """vis-network's JS and CSS as shipped inside the pyvis package (read, then inlined)."""
    lib = resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # '</script' would end the inline element early; '<!--' could switch the parser into its
    # double-escaped script state, where our closing tag no longer closes anything.
    if "</script" in js.lower() or "<!--" in js or "</style" in css.lower():
        raise KgError("vis-network assets contain markup that cannot be inlined safely")
    return js, css


def render_html(view: nx.MultiDiGraph, out: Path, title: str = "cnkg", physics: bool | None = None) -> Path:
    """Write ``view`` as one self-contained HTML file (no network request) and return its path.

    ``physics``: None picks (vis physics, stabilised once then frozen, up to
    PHYSICS_MAX_NODES nodes; precomputed positions above), True/False forces it.
    The page sets ``window.kg`` (network, nodes, edges, focusNode, ready) and
    ``document.body.dataset.ready = "1"`` once the layout is still.  Automation should wait
    for ``body[data-ready='1']``: the page's Content-Security-Policy admits only its own two
    scripts (by hash) and no eval, so e.g. Playwright's polling ``wait_for_function`` fails.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    js, css = _vis_assets()
    app_js = (Path(__file__).parent / "templates" / "viz.js").read_text(encoding="utf-8")
    # CSP allows exactly these two scripts: defence in depth should text ever become markup.
    script_hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"
        for code in (js, app_js)
    )
    data = view_to_data(view, physics)
    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=select_autoescape(["html"]),
    )
    page = env.get_template("viz.html").render(
        title=title,
        vis_js=js,
        vis_css=css,
        app_js=app_js,
        script_hashes=script_hashes,
        data_json=json_for_script(data),
        node_count=len(data["nodes"]),
        edge_count=len(data["edges"]),
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


def synthetic_view(n: int, seed: int = 1, edges_per_node: float = 1.3) -> nx.MultiDiGraph:
    """A view-shaped random graph (scale-free-ish, many small parts) for benchmarks and browser tests."""
    import random

    rng = random.Random(seed)
    view = nx.MultiDiGraph()
    for i in range(n):
        type_ = ENTITY_TYPES[min(int(rng.expovariate(0.6)), len(ENTITY_TYPES) - 1)]
        mentions = max(1, int(rng.paretovariate(1.2)))
        ref = {"iri": f"{ID}issue/synthetic/{i % 50}", "label": f"Issue {i % 50}", "date": "2020-01-01", "url": ""}
        view.add_node(
            f"{ID}{type_.lower()}/n{i}",
            label=f"{type_} {i}",
            labels={"": f"{type_} {i}"},
            alt_labels=[],
            type=type_,
            mentions=mentions,
            issues=1,
            first_issue=ref,
            last_issue=ref,
            sources=[ref],
            evidence=[],
            homepage="",
            discovered=False,
            focus=False,
        )
    nodes = list(view.nodes)
    for _ in range(int(n * edges_per_node)):
        # Preferential-ish attachment: low indices are hubs, like Kubernetes in the real graph.
        a = nodes[int(rng.random() ** 2 * n)]
        b = nodes[rng.randrange(n)]
        if a != b:
            p = rng.choice(RELATIONS[4:])
            view.add_edge(b, a, key=p, predicate=p, weight=1)
    return view
