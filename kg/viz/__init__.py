"""See the graph: entity views as networkx graphs, rendered as self-contained offline HTML.

``load_view`` ranks entities with the store's materialised mention counts and
reads labels, issues, sentences and relations for the chosen ones only, into a
``networkx.MultiDiGraph`` (``read_entities``/``read_issues`` read the whole
store, for analytics and notebooks); ``render_html`` writes one HTML file
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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
from pyoxigraph import Literal, NamedNode

from kg import ids
from kg.errors import KgError
from kg.ids import ID
from kg.model import ENTITY_TYPES
from kg.rdf import name_key
from kg.viz.layout import layout_positions

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
    return {iri: _issue_info(iri, fact, newsletters) for iri, fact in facts.items()}


def _issue_info(iri: str, fact: dict[str, str], newsletters: dict[str, str]) -> IssueInfo:
    """An issue's facts (property local name -> first value) as an IssueInfo."""
    series_iri = fact.get("isPartOf", "")
    return IssueInfo(
        iri=iri,
        label=fact.get("label") or local_name(iri),
        date=fact.get("datePublished", "")[:10],
        number=fact.get("issueNumber", ""),
        series=local_name(series_iri) if series_iri else "",
        series_label=newsletters.get(series_iri, ""),
        url=fact.get("url", ""),
    )


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


def resolve_focus(entities: dict[str, Entity], name: str) -> list[str]:
    """Entity IRIs whose label or altLabel equals ``name`` (case-insensitive), or whose IRI is ``name``
    (over a table from :func:`read_entities`; ``load_view`` looks names up in the store instead)."""
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


# --------------------------------------------------------------------------- bounded reads
#
# The views read the store through its materialised counts (kg/aggregates.py): they rank with the
# stats graph's cnkg:MentionTotal rows and fetch everything else only for the chosen nodes, in VALUES
# blocks.  Oxigraph pays a RocksDB lookup for each join step and for each long IRI or string it hands
# back, so the rule is few lookups in and few rows out: the work follows the size of the view, not the
# ~600,000 mentions of a 10,000-issue store (reading those into Python took a minute and 2.5 GB).

_STATS = f"<{ids.GRAPH_STATS}>"
_CHUNK = 400  # IRIs per VALUES block: keeps each query text small
_FIRST_PAGE = 64  # issues in the first page of a walk; pages double up to _MAX_PAGE
_MAX_PAGE = 4096


def _iri(iri: str) -> str:
    """An IRI as SPARQL text (pyoxigraph checks it: a malformed IRI raises instead of changing the query)."""
    return str(NamedNode(iri))


def _iris(iris: Iterable[str]) -> str:
    return " ".join(_iri(i) for i in iris)


def _among(variable: str, iris: list[str]) -> str:
    """A FILTER keeping ``variable`` among ``iris``.  Oxigraph joins two VALUES blocks as a cross product
    over a scan of the whole pattern, so a query binds one variable by VALUES and tests the others."""
    return f"FILTER({variable} IN ({', '.join(_iri(i) for i in iris)}))"


_TYPE_FILTER = f"FILTER(?type IN ({', '.join(f'cnkg:{t}' for t in ENTITY_TYPES)}))"


def _chunks(items: list[str], size: int = _CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _raw(store: Any, sparql: str) -> Any:
    """Solutions as pyoxigraph terms, for callers that need a literal's language or datatype."""
    return oxigraph_store(store).query(_PREFIXES + sparql, use_default_graph_as_union=True)


def _select(store: Any, sparql: str) -> list[dict[str, Any]]:
    return select(store, _PREFIXES + sparql)


@dataclass
class Window:
    """The issues whose mentions count: some newsletters' and/or those inside a date range (all when empty)."""

    series: list[str] | None = None  # newsletter IRIs
    since: str | None = None  # YYYY[-MM[-DD]], inclusive, compared by prefix
    until: str | None = None

    @property
    def dated(self) -> bool:
        return bool(self.since or self.until)

    @property
    def empty(self) -> bool:
        return not self.series and not self.dated

    def dated_issues(self) -> str:
        """SPARQL binding ?i (an issue inside the window that has a date), its graph ?g and its date ?d.

        Only issues carry schema:datePublished (kg/rdf.py), so this is one index range, without a type
        test per subject."""
        parts = ["GRAPH ?g { ?i schema:datePublished ?d }", self.date_filter("?d"), self.series_scope()]
        return " ".join(p for p in parts if p)

    def issues(self) -> str:
        """SPARQL binding ?i (any issue inside the window), its graph ?g and its date ?d when it has one."""
        if self.dated:
            return self.dated_issues()
        scope = self.series_scope() or "GRAPH ?g { ?i a cnkg:Issue }"
        return scope + " OPTIONAL { GRAPH ?g { ?i schema:datePublished ?d } }"

    def series_scope(self) -> str:
        """SPARQL binding ?i to the issues of the window's newsletters ("" without a series)."""
        if not self.series:
            return ""
        return f"GRAPH ?g {{ ?i schema:isPartOf ?series_ }} {_among('?series_', self.series)}"

    def date_filter(self, date: str) -> str:
        # Partial dates compare by prefix: --since 2019 keeps 2019-01-01 onwards, --until 2019-08 all of August.
        tests = []
        if self.since:
            tests.append(f"STR({date}) >= {Literal(self.since)}")
        if self.until:
            tests.append(f"SUBSTR(STR({date}), 1, {len(self.until)}) <= {Literal(self.until)}")
        return f"FILTER({' && '.join(tests)})" if tests else ""


def resolve_window(store: Any, series: str | None, since: str | None, until: str | None) -> Window:
    """The window of ``kg viz --series/--since/--until``; an unknown series is a one-line error."""
    window = Window(since=_check_date(since, "--since"), until=_check_date(until, "--until"))
    if series:
        # Newsletters that have issues: a DISTINCT over one index range, then the labels of those few.
        used = [r["n"] for r in _select(store, "SELECT DISTINCT ?n WHERE { GRAPH ?g { ?i schema:isPartOf ?n } }")]
        labels: dict[str, set[str]] = defaultdict(set)
        if used:
            q = f"SELECT ?n ?l WHERE {{ VALUES ?n {{ {_iris(used)} }} ?n a cnkg:Newsletter ; rdfs:label ?l }}"
            for row in _select(store, q):
                labels[row["n"]].add(row["l"].casefold())
        key = series.casefold()
        window.series = sorted(n for n in used if key == local_name(n).casefold() or key in labels[n])
        if not window.series:
            known = sorted({local_name(n) for n in used})
            raise KgError(f"no newsletter series '{series}' in the graph (known: {', '.join(known) or 'none'})")
    return window


@dataclass
class Count:
    mentions: int
    issues: int


def _count_rows(window: Window, issues: bool = True) -> str:
    """SPARQL rows ``?e ?n`` (and ``?k`` with ``issues``) whose sums per entity are its mentions (and
    issues) inside the window."""
    if not window.dated:
        # The stats graph holds one row per (entity, newsletter): a series window is a filter on them.
        # Only a MentionTotal has a mentionCount there, so no type test (a lookup per row) is needed.
        series = f"; cnkg:inSeries ?s }} {_among('?s', window.series)}" if window.series else "}"
        k = "; cnkg:issueCount ?k " if issues else ""
        return f"GRAPH {_STATS} {{ ?x cnkg:mentionCount ?n ; cnkg:tallyOf ?e {k}{series}"
    # A date range needs the per-issue tallies of its issues (in an issue graph only a MentionTally has
    # a mentionCount): work in proportion to the window.
    return window.dated_issues() + " GRAPH ?g { ?x cnkg:tallyOf ?e ; cnkg:mentionCount ?n } BIND(1 AS ?k)"


def _counts(store: Any, window: Window, iris: list[str]) -> dict[str, Count]:
    """Mentions and issues of these entities inside the window (absent: none)."""
    counts: dict[str, Count] = {}
    for chunk in _chunks(iris):
        q = (
            f"SELECT ?e (SUM(?n) AS ?m) (SUM(?k) AS ?i) "
            f"WHERE {{ VALUES ?e {{ {_iris(chunk)} }} {_count_rows(window)} }} "
            "GROUP BY ?e"
        )
        for row in _select(store, q):
            counts[row["e"]] = Count(int(row["m"]), int(row["i"]))
    return counts


def _ranked_counts(
    store: Any, window: Window, wanted: set[str] | None, least: int, limit: int | None
) -> list[tuple[str, int]]:
    """(entity, mentions) with at least ``least`` (>= 1) mentions in the window, most first, ``limit`` rows."""
    # A type test costs a lookup per entity: left out when every type is wanted (the caller checks the
    # types of the rows it keeps), like the issue counts (read for those rows only).
    types = (
        f"FILTER EXISTS {{ ?e a ?type FILTER(?type IN ({', '.join(f'cnkg:{t}' for t in sorted(wanted))})) }}"
        if wanted
        else ""
    )
    q = (
        f"SELECT ?e (SUM(?n) AS ?m) WHERE {{ {_count_rows(window, issues=False)} {types} }} GROUP BY ?e "
        f"HAVING (SUM(?n) >= {int(least)}) ORDER BY DESC(?m)" + (f" LIMIT {int(limit)}" if limit is not None else "")
    )
    return [(row["e"], int(row["m"])) for row in _select(store, q)]


def _primary_types(store: Any, iris: list[str]) -> dict[str, str]:
    """Each typed entity's type; an IRI typed twice keeps the first type in ENTITY_TYPES order."""
    found: dict[str, str] = {}
    for chunk in _chunks(iris):
        q = f"SELECT DISTINCT ?e ?type WHERE {{ VALUES ?e {{ {_iris(chunk)} }} ?e a ?type {_TYPE_FILTER} }}"
        for row in _select(store, q):
            iri, type_ = row["e"], local_name(row["type"])
            if iri not in found or ENTITY_TYPES.index(type_) < ENTITY_TYPES.index(found[iri]):
                found[iri] = type_
    return found


def _all_typed(store: Any, wanted: set[str] | None) -> dict[str, str]:
    """Every entity of the wanted types (``--min-mentions 0`` shows the catalog: the view is that big)."""
    found: dict[str, str] = {}
    for row in _select(store, Q_ENTITIES):
        iri, type_ = row["e"], local_name(row["type"])
        if iri not in found or ENTITY_TYPES.index(type_) < ENTITY_TYPES.index(found[iri]):
            found[iri] = type_
    return {iri: t for iri, t in found.items() if wanted is None or t in wanted}


def describe(store: Any, types: dict[str, str]) -> dict[str, Entity]:
    """Labels, altLabels and flags of these entities (IRI -> type), read for them alone."""
    entities = {iri: Entity(iri, type_) for iri, type_ in types.items()}
    for chunk in _chunks(sorted(entities)):
        values = _iris(chunk)
        # Labels need the language tag, so read the raw terms.
        q = (
            f"SELECT DISTINCT ?e ?p ?l WHERE {{ VALUES ?e {{ {values} }} ?e ?p ?l "
            "FILTER(?p IN (rdfs:label, skos:altLabel) && isLiteral(?l)) }"
        )
        for row in _raw(store, q):
            ent = entities[row["e"].value]
            text = row["l"].value
            if row["p"].value.endswith("#label"):
                ent.labels.setdefault(_lang_of(row["l"]), text)
            elif text not in ent.alt_labels:
                ent.alt_labels.append(text)
        q = (
            f"SELECT DISTINCT ?e ?p ?v WHERE {{ VALUES ?e {{ {values} }} ?e ?p ?v "
            "FILTER(?p IN (cnkg:discovered, foaf:homepage, cnkg:url, cnkg:repository)) }"
        )
        for row in _select(store, q):
            ent = entities[row["e"]]
            prop = local_name(row["p"])
            if prop == "discovered":
                ent.discovered = ent.discovered or row["v"] in ("true", "1")
            elif not ent.homepage or prop == "homepage":
                ent.homepage = row["v"]
    for ent in entities.values():
        ent.alt_labels.sort()
    return entities


def _check_counted(store: Any) -> None:
    """A store with mentions but no mention totals (built before `kg build` kept them) would give an
    empty view without a word: say so instead.  Two index lookups."""
    ox = oxigraph_store(store)
    if not ox.query(
        _PREFIXES + f"ASK {{ GRAPH {_STATS} {{ ?x a cnkg:MentionTotal }} }}", use_default_graph_as_union=True
    ):
        if ox.query(_PREFIXES + "ASK { ?m a cnkg:Mention }", use_default_graph_as_union=True):
            raise KgError(f"the store has no mention counts (graph <{ids.GRAPH_STATS}>): run `kg build` again")


def _rank_key(entities: dict[str, Entity], counts: dict[str, Count], distance: dict[str, int]) -> Any:
    def key(iri: str) -> tuple[int, int, str, str]:
        count = counts.get(iri)
        return (distance.get(iri, 0), -(count.mentions if count else 0), entities[iri].label.casefold(), iri)

    return key


def _top_entities(
    store: Any, window: Window, wanted: set[str] | None, least: int, limit: int | None
) -> tuple[dict[str, Entity], dict[str, Count]]:
    """The entities an unfocused view shows: those passing the filters, the ``limit`` most mentioned.

    Ranks in SPARQL and reads a little past the cut: equal counts are ordered by label, so every entity
    tied with the last one kept is described before the cut is made."""
    fetch = None if limit is None else limit + 32
    while True:
        rows = _ranked_counts(store, window, wanted, max(1, least), fetch)
        types = _primary_types(store, [iri for iri, _ in rows])
        kept = [(iri, c) for iri, c in rows if iri in types and (wanted is None or types[iri] in wanted)]
        if limit is None or fetch is None or len(rows) < fetch:
            break  # every passing entity is in
        if len(kept) >= limit and rows[-1][1] < kept[limit - 1][1]:
            kept = [(iri, n) for iri, n in kept if n >= kept[limit - 1][1]]
            break  # the rows read go past the last tie
        fetch *= 4
    counts = _counts(store, window, [iri for iri, _n in kept])
    chosen = {iri: types[iri] for iri, _n in kept}
    if least <= 0 and (limit is None or len(chosen) < limit):
        # Entities without a mention in the window (catalog-only ones) also pass.
        chosen.update(_all_typed(store, wanted))
    return describe(store, chosen), counts


def _focus_roots(store: Any, name: str) -> dict[str, str]:
    """Entities (IRI -> type) whose label or altLabel equals ``name`` case-insensitively, or whose IRI it is."""
    if re.match(r"https?://", name):
        types = _primary_types(store, [name]) if " " not in name and ">" not in name else {}
        if types:
            return types
    key = name.strip().casefold()

    def matching(iris: list[str]) -> list[str]:
        described = describe(store, _primary_types(store, iris))
        return sorted(iri for iri, ent in described.items() if key in ent.names())

    # cnkg:nameKey (NFKC, case-folded names) is an index lookup; the names are then compared as before
    # (case-folded only).  Stores without name keys, or a name only the plain case-fold matches, fall
    # back to reading every label.
    candidates = _select(store, f"SELECT DISTINCT ?e WHERE {{ ?e cnkg:nameKey {Literal(name_key(name))} }}")
    found = matching([r["e"] for r in candidates])
    if not found:
        rows = _select(
            store,
            "SELECT DISTINCT ?e ?l WHERE { VALUES ?p { rdfs:label skos:altLabel } ?e ?p ?l FILTER(isLiteral(?l)) }",
        )
        found = matching(sorted({r["e"] for r in rows if r["l"].casefold() == key}))
    if not found:
        raise KgError(f"no entity named '{name}' in the graph")
    return _primary_types(store, found)


def _neighbourhood(
    store: Any, window: Window, roots: dict[str, str], depth: int, wanted: set[str] | None, least: int
) -> tuple[dict[str, str], dict[str, Count], dict[str, int]]:
    """Breadth-first over relation edges among entities that pass the filters, reading one hop at a time."""
    counts = _counts(store, window, sorted(roots))
    types = dict(roots)
    distance = dict.fromkeys(roots, 0)
    verdict: dict[str, bool] = dict.fromkeys(roots, True)  # the roots pass whatever the filters say
    frontier = sorted(roots)
    predicates = ", ".join(f"cnkg:{p}" for p in RELATIONS)
    for hop in range(1, depth + 1):
        others: set[str] = set()
        for chunk in _chunks(frontier):
            q = (
                f"SELECT DISTINCT ?x WHERE {{ VALUES ?n {{ {_iris(chunk)} }} {{ ?n ?p ?x }} UNION {{ ?x ?p ?n }} "
                f"FILTER(?p IN ({predicates}) && isIRI(?x)) }}"
            )
            others.update(r["x"] for r in _select(store, q))
        fresh = sorted(o for o in others if o not in verdict)
        new_types = _primary_types(store, fresh)
        counts.update(_counts(store, window, sorted(new_types)))
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


# --------------------------------------------------------------------------- issues, newest or oldest first


class IssueWalk:
    """The window's issues in the views' order — (date, number zero-filled to 8, IRI) — a page at a time.

    A page is every issue of a run of whole dates, so pages follow one another exactly and only the
    issues of one date need their numbers.  Ordering by the date alone is one index range in Oxigraph
    (dates are stored inline): a page of a 10,000-issue store costs a few milliseconds.  Undated issues
    come first (oldest) as the views always sorted them."""

    def __init__(self, store: Any, window: Window, newest_first: bool) -> None:
        self.store, self.window, self.newest_first = store, window, newest_first
        self.size = _FIRST_PAGE
        self.cursor: Any = None  # the last date paged (a pyoxigraph Literal)
        self.dated_done = False
        self.undated_done = window.dated  # a date range leaves undated issues out
        self.undated_first = not newest_first

    def pages(self) -> Iterator[list[tuple[str, str]]]:
        """(issue IRI, its graph IRI) lists, in walking order."""
        if self.undated_first and not self.undated_done:
            yield self._undated()
        while not self.dated_done:
            yield self._dated_page()
        if not self.undated_done:
            yield self._undated()

    def _dated_page(self) -> list[tuple[str, str]]:
        after = ""
        if self.cursor is not None:
            after = f"FILTER(?d {'<' if self.newest_first else '>'} {self.cursor})"
        order = "DESC(?d)" if self.newest_first else "?d"
        q = f"SELECT ?i ?g ?d WHERE {{ {self.window.dated_issues()} {after} }} ORDER BY {order} LIMIT {self.size}"
        rows = [(r["i"], r["g"], r["d"]) for r in _raw(self.store, q)]
        if len(rows) < self.size:
            self.dated_done = True
        else:
            # The last date may go on past the limit: take that date's issues whole.
            last = rows[-1][2]
            rows = [r for r in rows if r[2] != last]
            q = f"SELECT ?i ?g ?d WHERE {{ {self.window.dated_issues()} FILTER(?d = {last}) }}"
            rows.extend((r["i"], r["g"], r["d"]) for r in _raw(self.store, q))
            self.cursor = last
        self.size = min(self.size * 2, _MAX_PAGE)
        return self._in_order([(i.value, g.value, d.value[:10]) for i, g, d in rows])

    def _undated(self) -> list[tuple[str, str]]:
        self.undated_done = True
        # Counting both is two index ranges (with a series, a lookup per issue); listing the undated
        # ones needs a lookup per issue, so it is done only when some issue has no date.
        scope = self.window.series_scope() or "GRAPH ?g { ?i a cnkg:Issue }"
        issues = _select(self.store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {scope} }}")
        dated = _select(self.store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {self.window.dated_issues()} }}")
        if int(issues[0]["n"]) <= int(dated[0]["n"]):
            return []
        q = f"SELECT ?i ?g WHERE {{ {scope} FILTER NOT EXISTS {{ GRAPH ?g {{ ?i schema:datePublished ?d }} }} }}"
        return self._in_order([(r["i"], r["g"], "") for r in _select(self.store, q)])

    def _in_order(self, rows: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
        by_date: dict[str, list[str]] = defaultdict(list)
        for issue, _graph, date in rows:
            by_date[date].append(issue)
        tied = sorted({i for group in by_date.values() if len(group) > 1 for i in group})
        numbers: dict[str, str] = {}
        for chunk in _chunks(tied):
            q = (
                f"SELECT ?i (MIN(STR(?n)) AS ?num) WHERE {{ VALUES ?i {{ {_iris(chunk)} }} ?i schema:issueNumber ?n }} "
                "GROUP BY ?i"
            )
            numbers.update((r["i"], r["num"]) for r in _select(self.store, q))
        rows.sort(key=lambda r: (r[2], numbers.get(r[0], "").zfill(8), r[0]), reverse=self.newest_first)
        return [(issue, graph) for issue, graph, _date in rows]


Hit = tuple[str, str]  # (issue IRI, its graph IRI)


def _hits(store: Any, window: Window, newest_first: bool, pending: set[str]) -> Iterator[dict[str, list[Hit]]]:
    """Page by page in walking order, the issues that mention each entity still in ``pending``.

    The caller shrinks ``pending`` between pages and stops when it is empty.  A page is checked through
    the tallies in its issue graphs (an index range per graph, no join; rows only for pending entities),
    and all of a page's hits are reported, so what an entity has been given is always a complete
    prefix of its issues."""
    for page in IssueWalk(store, window, newest_first).pages():
        if not pending:
            return
        if not page:
            continue
        by_graph: dict[str, set[str]] = defaultdict(set)
        # IN compares each tally with every entity listed: for many entities (a big view) the page's
        # tallies are read whole and sorted out here.
        among = _among("?e", sorted(pending)) if len(pending) <= 100 else ""
        for graphs in _chunks([g for _i, g in page], 1000):
            q = (
                f"SELECT DISTINCT ?g ?e WHERE {{ VALUES ?g {{ {_iris(graphs)} }} "
                f"GRAPH ?g {{ ?x cnkg:tallyOf ?e }} {among} }}"
            )
            for row in _select(store, q):
                if row["e"] in pending:
                    by_graph[row["g"]].add(row["e"])
        hits: dict[str, list[Hit]] = defaultdict(list)
        for issue, graph in page:
            for e in by_graph.get(graph, ()):
                hits[e].append((issue, graph))
        yield hits


def _walk(store: Any, window: Window, wanted: dict[str, int], newest_first: bool) -> dict[str, list[Hit]]:
    """For each entity, at least its first ``wanted[e]`` issues inside the window in walking order (or all)."""
    found: dict[str, list[Hit]] = defaultdict(list)
    pending = {e for e, n in wanted.items() if n > 0}
    for hits in _hits(store, window, newest_first, pending):
        for e, issues in hits.items():
            found[e].extend(issues)
        pending -= {e for e in pending if len(found[e]) >= wanted[e]}
    return found


def _issue_infos(store: Any, iris: list[str]) -> dict[str, IssueInfo]:
    """Label, date, number, series and URL of these issues."""
    facts: dict[str, dict[str, str]] = defaultdict(dict)
    for chunk in _chunks(iris):
        q = (
            f"SELECT DISTINCT ?i ?p ?v WHERE {{ VALUES ?i {{ {_iris(chunk)} }} ?i ?p ?v FILTER(?p IN (rdfs:label, "
            "schema:datePublished, schema:issueNumber, schema:isPartOf, cnkg:url)) }"
        )
        for row in sorted(_select(store, q), key=lambda r: (r["i"], r["p"], r["v"])):
            facts[row["i"]].setdefault(local_name(row["p"]), row["v"])  # several values: the first, sorted
    series = sorted({f["isPartOf"] for f in facts.values() if f.get("isPartOf")})
    newsletters: dict[str, str] = {}
    if series:
        for row in _select(
            store, f"SELECT ?n ?l WHERE {{ VALUES ?n {{ {_iris(series)} }} ?n a cnkg:Newsletter ; rdfs:label ?l }}"
        ):
            newsletters.setdefault(row["n"], row["l"])
    return {iri: _issue_info(iri, fact, newsletters) for iri, fact in facts.items()}


# --------------------------------------------------------------------------- evidence


def _texts(store: Any, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
    """(entity, issue graph) -> the sentences quoting the entity in that issue, sorted."""
    texts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for start in range(0, len(pairs), _CHUNK):
        values = " ".join(f"({_iri(g)} {_iri(e)})" for e, g in pairs[start : start + _CHUNK])
        q = (
            f"SELECT DISTINCT ?g ?e ?text WHERE {{ VALUES (?g ?e) {{ {values} }} "
            "GRAPH ?g { ?m cnkg:refersTo ?e ; nif:sentence ?ev . ?ev nif:anchorOf ?text } }"
        )
        for row in _select(store, q):
            texts[(row["e"], row["g"])].add(row["text"])
    return {key: sorted(found) for key, found in texts.items()}


def _other_texts(store: Any, window: Window, entity: str, seen: list[str]) -> list[str]:
    """Up to two sentences quoting ``entity`` inside the window other than ``seen``.

    Two lookups per mention until the second one turns up (only ids are compared: no sentence is read
    back but those two); a node quoted by the same one or two sentences in every issue is read through."""
    scope = "" if window.empty else f"GRAPH ?g {{ ?m cnkg:inIssue ?i }} {window.issues()}"
    others = f"FILTER(?text NOT IN ({', '.join(str(Literal(t)) for t in seen)}))" if seen else ""
    q = (
        f"SELECT DISTINCT ?text WHERE {{ GRAPH ?g {{ ?m cnkg:refersTo {_iri(entity)} ; nif:sentence ?ev . "
        f"?ev nif:anchorOf ?text }} {scope} {others} }} LIMIT 2"
    )
    return sorted(row["text"] for row in _select(store, q))


@dataclass
class _Quotes:
    """The sentences quoting one node, gathered from its issues newest first (in text order within one)."""

    prefix: list[Hit]  # the node's newest issues, a complete prefix of them
    issues: int  # how many issues it has in the window
    read: int = 0  # issues of the prefix whose sentences are in ``seen``
    seen: list[str] = field(default_factory=list)
    goal: int = MAX_EVIDENCE  # sentences wanted: fewer when it has fewer

    def add(self, texts: list[str]) -> None:
        for text in texts:
            if text not in self.seen:
                self.seen.append(text)

    @property
    def done(self) -> bool:
        return len(self.seen) >= self.goal or self.read >= self.issues


def _evidence(
    store: Any, window: Window, newest: dict[str, list[Hit]], counts: dict[str, Count]
) -> dict[str, list[str]]:
    """A few sentences quoting each node: the first MAX_EVIDENCE distinct ones reading its issues newest
    first, and an issue's sentences in text order.

    Read a few issues at a time (most nodes have three sentences in their newest two or three issues).
    A node whose newest issues repeat one or two sentences is the costly case: whether an older issue
    holds another one is asked once (up to two others), and only if the order among several
    new ones matters are its older issues walked."""
    quotes = {e: _Quotes(found, counts[e].issues if e in counts else len(found)) for e, found in newest.items()}

    def read(nodes: list[str], upto: int | None) -> None:
        batch = {e: quotes[e].prefix[quotes[e].read : upto] for e in nodes}
        texts = _texts(store, [(e, g) for e, hits in batch.items() for _i, g in hits])
        for e, hits in batch.items():
            for _issue, graph in hits:
                quotes[e].add(texts.get((e, graph), []))
            quotes[e].read += len(hits)

    for upto in (3, None):  # the first three issues of each, then the rest of what the walk found
        read([e for e, q in quotes.items() if not q.done and q.read < len(q.prefix)], upto)
    further: set[str] = set()
    for e, q in quotes.items():
        if q.done:
            continue
        missing = _other_texts(store, window, e, q.seen)
        if len(missing) <= 1:
            # Nothing else quotes it, or one sentence only: it comes next whatever issue holds it.
            q.add(missing)
            q.goal = len(q.seen)
        else:
            further.add(e)  # several: their order is the order of the issues holding them
    if further:
        # Which of several older sentences comes first: walk these nodes' issues again from the newest,
        # reading past what was read, until enough are found.
        given: dict[str, int] = dict.fromkeys(further, 0)  # issues the walk has given each node so far
        for hits in _hits(store, window, True, further):
            for e, issues in hits.items():
                skip = max(0, quotes[e].read - given[e])
                given[e] += len(issues)
                quotes[e].prefix = quotes[e].prefix[: quotes[e].read] + issues[skip:]
            read([e for e in hits if quotes[e].read < len(quotes[e].prefix)], None)
            further -= {e for e in further if quotes[e].done}
    return {e: q.seen[:MAX_EVIDENCE] for e, q in quotes.items()}


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
    wanted = resolve_types(types)
    window = resolve_window(store, series, since, until)
    _check_counted(store)
    roots: dict[str, str] = {}
    distance: dict[str, int] = {}
    if focus:
        roots = _focus_roots(store, focus)
        chosen, counts, distance = _neighbourhood(store, window, roots, depth, wanted, min_mentions)
        entities = describe(store, chosen)
    else:
        entities, counts = _top_entities(store, window, wanted, min_mentions, limit)
    ranked = sorted(entities, key=_rank_key(entities, counts, distance))
    if limit is not None:
        ranked = ranked[:limit]

    # Sources: the newest MAX_SOURCES issues (the tooltip lists those) and the first one.
    zero = Count(0, 0)
    newest = _walk(store, window, {e: min(counts.get(e, zero).issues, MAX_SOURCES) for e in ranked}, True)
    oldest_wanted = {e: 1 for e in ranked if counts.get(e, zero).issues > len(newest.get(e, ()))}
    oldest = _walk(store, window, oldest_wanted, False)
    infos = _issue_infos(store, sorted({i for found in (*newest.values(), *oldest.values()) for i, _g in found}))
    evidence = _evidence(store, window, {e: newest[e] for e in ranked if e in newest}, counts)

    view = nx.MultiDiGraph(focus=focus or "", series=series or "", since=since or "", until=until or "")
    for iri in ranked:
        ent = entities[iri]
        count = counts.get(iri, zero)
        refs = [_issue_ref(infos.get(i), i) for i, _g in newest.get(iri, [])[:MAX_SOURCES]]
        first = oldest[iri][0][0] if oldest.get(iri) else (newest[iri][-1][0] if newest.get(iri) else None)
        view.add_node(
            iri,
            label=ent.label,
            labels=dict(sorted(ent.labels.items())),
            alt_labels=list(ent.alt_labels),
            type=ent.type,
            mentions=count.mentions,
            issues=count.issues,
            first_issue=_issue_ref(infos.get(first), first) if first else None,
            last_issue=refs[0] if refs else None,
            sources=refs,
            evidence=evidence.get(iri, []),
            homepage=ent.homepage,
            discovered=ent.discovered,
            focus=iri in roots,
        )
    for s, p, o in _relations_among(store, ranked):
        view.add_edge(s, o, key=p, predicate=p, weight=1)
    if comention > 0:
        add_tallied_comentions(store, view, comention, window)
    return view


def _relations_among(store: Any, nodes: list[str]) -> list[tuple[str, str, str]]:
    """Relation triples between these entities, sorted."""
    inside = set(nodes)
    predicates = ", ".join(f"cnkg:{p}" for p in RELATIONS)
    found: set[tuple[str, str, str]] = set()
    for chunk in _chunks(sorted(inside)):
        # Only objects inside the view come back (the filter compares ids; handing back an IRI costs a read).
        objects = _among("?o", sorted(inside)) if len(inside) <= _CHUNK else ""
        q = (
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {_iris(chunk)} }} ?s ?p ?o "
            f"FILTER(?p IN ({predicates})) {objects} }}"
        )
        found.update((r["s"], local_name(r["p"]), r["o"]) for r in _select(store, q) if r["o"] in inside)
    return sorted(found)


def add_tallied_comentions(
    store: Any, view: nx.MultiDiGraph, threshold: int, window: Window | None = None, max_edges: int | None = None
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
        rows = f"GRAPH {_STATS} {{ ?x cnkg:tallyOf ?a ; cnkg:sentenceCount ?n ; cnkg:tallyOf ?b }}"
    else:
        rows = window.issues() + " GRAPH ?g { ?x cnkg:tallyOf ?a ; cnkg:sentenceCount ?n ; cnkg:tallyOf ?b }"
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for chunk in _chunks(nodes):
        for others in _chunks(nodes, 100):  # IN compares each row with every node listed
            q = (
                f"SELECT ?a ?b (SUM(?n) AS ?c) WHERE {{ VALUES ?a {{ {_iris(chunk)} }} {rows} "
                f"FILTER(?b IN ({', '.join(_iri(o) for o in others)})) }} GROUP BY ?a ?b"
            )
            for row in _select(store, q):
                if row["a"] < row["b"]:  # each pair comes twice; keep it in code point order
                    pairs[(row["a"], row["b"])] += int(row["c"])
    strong = sorted(((n, a, b) for (a, b), n in pairs.items() if n >= threshold), key=lambda t: (-t[0], t[1], t[2]))
    if max_edges is None:
        max_edges = 3 * max(1, view.number_of_nodes())
    for n, a, b in strong[:max_edges]:
        view.add_edge(a, b, key=COMENTION, predicate=COMENTION, weight=n)


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
    """The page `kg build` writes: the most mentioned entities, their relations and strongest co-mentions.

    Ranked with the stats graph and read for the chosen nodes only, so it costs about the same on a
    store of 100 issues as on one of 10,000 (`kg build` rewrites it after every change)."""
    view = load_view(store, min_mentions=1, limit=top)
    # Relations alone can leave most of the top nodes isolated; co-mentions in >= 2 sentences tie
    # them together, capped at one per node (the strongest) so the picture stays readable.
    add_tallied_comentions(store, view, threshold=2, max_edges=max(1, view.number_of_nodes()))
    return render_html(view, out, title=title)


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
                # load_view keeps only the newest MAX_SOURCES refs; ``issues`` counts them all.
                "more_sources": max(0, max(len(attrs.get("sources", [])), attrs.get("issues", 0)) - MAX_SOURCES),
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
    app_js = (Path(__file__).parent.parent / "templates" / "viz.js").read_text(encoding="utf-8")
    # CSP allows exactly these two scripts: defence in depth should text ever become markup.
    script_hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"
        for code in (js, app_js)
    )
    data = view_to_data(view, physics)
    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).parent.parent / "templates")),
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
