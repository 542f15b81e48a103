"""Reading the entity graph out of the store: the whole-store tables and the SPARQL text helpers.

``read_entities``/``read_issues``/``read_relations``/``sentence_groups`` read the whole store (analytics,
the Gephi export and the notebooks use them); the bounded readers of the views (``kg.graphview.window``,
``.walk``, ``.evidence``, ``.view``) share the names, limits and helpers here.  Every read goes through
``GraphStore.select`` (plain values) or ``GraphStore.query`` (terms, where a literal's language or a date
literal itself is needed).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode

from kg import ids
from kg.errors import KgError
from kg.model import ENTITY_TYPES, PREDICATES
from kg.store import GraphStore

# Relations between entities (the model's predicates, camel-cased as in the store).  Issue-level ones
# (authoredBy, editedBy, publishedBy, recommends from an issue) drop out of a view because their subject
# is an issue, not an entity node.
RELATIONS = tuple(ids.camel(p) for p in PREDICATES)
COMENTION = "coMentioned"

MAX_EVIDENCE = 3  # sentences quoted per node tooltip
MAX_SOURCES = 8  # issue links per node tooltip

_TYPE_VALUES = " ".join(f"cnkg:{t}" for t in ENTITY_TYPES)

Q_ENTITIES = f"SELECT DISTINCT ?e ?type WHERE {{ VALUES ?type {{ {_TYPE_VALUES} }} ?e a ?type }}"
Q_LABELS = "SELECT DISTINCT ?e ?p ?l WHERE { VALUES ?p { rdfs:label skos:altLabel } ?e ?p ?l . FILTER(isLiteral(?l)) }"
Q_FLAGS = (
    "SELECT DISTINCT ?e ?p ?v WHERE { VALUES ?p { cnkg:discovered foaf:homepage cnkg:url cnkg:repository } ?e ?p ?v }"
)
Q_MENTIONS = (
    "SELECT ?e ?i (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a cnkg:Mention ; cnkg:refersTo ?e ; "
    "cnkg:inIssue ?i } GROUP BY ?e ?i"
)
Q_ISSUE_MENTIONS = "SELECT DISTINCT ?e ?i WHERE { ?i a cnkg:Issue ; cnkg:mentions ?e }"
# Issue facts as (issue, property, value) rows: nested OPTIONALs over the union graph are slow.
Q_ISSUES = (
    "SELECT DISTINCT ?i ?p ?v WHERE { ?i a cnkg:Issue . VALUES ?p { rdfs:label schema:datePublished "
    "schema:issueNumber schema:isPartOf cnkg:url } ?i ?p ?v }"
)
Q_NEWSLETTERS = "SELECT DISTINCT ?n ?label WHERE { ?n a cnkg:Newsletter ; rdfs:label ?label }"
_REL_VALUES = " ".join(f"cnkg:{p}" for p in RELATIONS)
Q_RELATIONS = f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {_REL_VALUES} }} ?s ?p ?o }}"
# Sentence-level co-occurrence: mentions sharing one nif:sentence evidence node.
Q_SENTENCE_MENTIONS = (
    "SELECT DISTINCT ?ev ?e ?i WHERE { ?m a cnkg:Mention ; cnkg:refersTo ?e ; nif:sentence ?ev . "
    "OPTIONAL { ?m cnkg:inIssue ?i } }"
)

# --------------------------------------------------------------------------- SPARQL text for bounded reads
#
# The views read the store through its materialised counts (kg/aggregates.py): they rank with the
# stats graph's cnkg:MentionTotal rows and fetch everything else only for the chosen nodes, in VALUES
# blocks.  Oxigraph pays a RocksDB lookup for each join step and for each long IRI or string it hands
# back, so the rule is few lookups in and few rows out: the work follows the size of the view, not the
# ~600,000 mentions of a 10,000-issue store (reading those into Python took a minute and 2.5 GB).

STATS = f"<{ids.GRAPH_STATS}>"
CHUNK = 400  # IRIs per VALUES block: keeps each query text small
TYPE_FILTER = f"FILTER(?type IN ({', '.join(f'cnkg:{t}' for t in ENTITY_TYPES)}))"


def iri_text(iri: str) -> str:
    """An IRI as SPARQL text (pyoxigraph checks it: a malformed IRI raises instead of changing the query)."""
    return str(NamedNode(iri))


def iris_text(iris: Iterable[str]) -> str:
    return " ".join(iri_text(i) for i in iris)


def among(variable: str, iris: list[str]) -> str:
    """A FILTER keeping ``variable`` among ``iris``.  Oxigraph joins two VALUES blocks as a cross product
    over a scan of the whole pattern, so a query binds one variable by VALUES and tests the others."""
    return f"FILTER({variable} IN ({', '.join(iri_text(i) for i in iris)}))"


def chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lang_of(term: Any) -> str:
    return getattr(term, "language", None) or ""


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/"))[-1]


# --------------------------------------------------------------------------- the entity table


@dataclass
class IssueInfo:
    """What a view or a table shows of one issue."""

    iri: str
    label: str
    date: str  # ISO date or "" when unknown
    number: str
    series: str  # newsletter slug
    series_label: str
    url: str


@dataclass
class EntityNode:
    """An entity as the views and tables see it (not the extraction's ``kg.model.Entity``): its names by
    language, flags and, from ``read_entities``, its mentions per issue."""

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


def read_issues(graph: GraphStore) -> dict[str, IssueInfo]:
    newsletters: dict[str, str] = {}
    for row in graph.select(Q_NEWSLETTERS):
        newsletters.setdefault(row["n"], row["label"])
    return {iri: issue_info(iri, fact, newsletters) for iri, fact in issue_facts(graph.select(Q_ISSUES)).items()}


def issue_facts(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Rows ``?i ?p ?v`` as issue IRI -> property local name -> value (several values: the first, sorted)."""
    facts: dict[str, dict[str, str]] = defaultdict(dict)
    for row in sorted(rows, key=lambda r: (r["i"], r["p"], r["v"])):
        facts[row["i"]].setdefault(local_name(row["p"]), row["v"])
    return facts


def issue_info(iri: str, fact: dict[str, str], newsletters: dict[str, str]) -> IssueInfo:
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


def read_entities(graph: GraphStore) -> dict[str, EntityNode]:
    types: dict[str, str] = {}
    for row in graph.select(Q_ENTITIES):
        keep_primary_type(types, row["e"], local_name(row["type"]))
    entities = {iri: EntityNode(iri, type_) for iri, type_ in types.items()}
    add_labels(entities, graph.query(Q_LABELS))
    add_flags(entities, graph.select(Q_FLAGS))
    for row in graph.select(Q_MENTIONS):
        ent = entities.get(row["e"])
        if ent is not None:
            ent.per_issue[row["i"]] = int(row["n"])
    # An issue that says it mentions an entity without Mention nodes still counts once.
    for row in graph.select(Q_ISSUE_MENTIONS):
        ent = entities.get(row["e"])
        if ent is not None:
            ent.per_issue.setdefault(row["i"], 1)
    return entities


def keep_primary_type(found: dict[str, str], iri: str, type_: str) -> None:
    """Record ``iri``'s type: an IRI typed twice keeps the first type in ENTITY_TYPES order."""
    if iri not in found or ENTITY_TYPES.index(type_) < ENTITY_TYPES.index(found[iri]):
        found[iri] = type_


def add_labels(entities: dict[str, EntityNode], solutions: Any) -> None:
    """Labels (by language) and sorted altLabels from ``?e ?p ?l`` solutions, read as terms for the language tag."""
    for row in solutions:
        ent = entities.get(row["e"].value)
        if ent is None:
            continue
        text = row["l"].value
        if row["p"].value.endswith("#label"):
            ent.labels.setdefault(lang_of(row["l"]), text)
        elif text not in ent.alt_labels:
            ent.alt_labels.append(text)
    for ent in entities.values():
        ent.alt_labels.sort()


def add_flags(entities: dict[str, EntityNode], rows: Iterable[dict[str, Any]]) -> None:
    """``discovered`` and the homepage (foaf:homepage first, else a cnkg:url or repository) from ``?e ?p ?v`` rows."""
    for row in rows:
        ent = entities.get(row["e"])
        if ent is None:
            continue
        prop = local_name(row["p"])
        if prop == "discovered":
            ent.discovered = ent.discovered or row["v"] in (True, "true", "1")
        elif not ent.homepage or prop == "homepage":
            ent.homepage = row["v"]


def read_relations(graph: GraphStore) -> list[tuple[str, str, str]]:
    return [(r["s"], local_name(r["p"]), r["o"]) for r in graph.select(Q_RELATIONS)]


def sentence_groups(graph: GraphStore) -> dict[str, tuple[str, set[str]]]:
    """Evidence sentence IRI -> (issue IRI, entities mentioned in it)."""
    groups: dict[str, tuple[str, set[str]]] = {}
    for row in graph.select(Q_SENTENCE_MENTIONS):
        issue, members = groups.setdefault(row["ev"], (row["i"] or "", set()))
        members.add(row["e"])
    return groups


# --------------------------------------------------------------------------- filters


def resolve_focus(entities: dict[str, EntityNode], name: str) -> list[str]:
    """Entity IRIs whose label or altLabel equals ``name`` (case-insensitive), or whose IRI is ``name``
    (over a table from :func:`read_entities`; ``load_view`` looks names up in the store instead)."""
    if name in entities:
        return [name]
    key = name.strip().casefold()
    found = sorted(iri for iri, ent in entities.items() if key in ent.names())
    if not found:
        raise KgError(f"no entity named '{name}' in the graph")
    return found


def issue_ref(info: IssueInfo | None, iri: str) -> dict[str, str]:
    if info is None:
        return {"iri": iri, "label": local_name(iri), "date": "", "url": iri}
    return {"iri": iri, "label": info.label, "date": info.date, "url": info.url or iri}
