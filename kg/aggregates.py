"""Materialised counts: the stats graph, sums of the per-issue tallies.

Each issue graph holds its own tallies (written by :func:`kg.rdf.tally_quads` from the extraction):
one ``cnkg:MentionTally`` per entity it mentions and one ``cnkg:CoMentionTally`` per pair of projects
sharing a sentence.  The stats graph (``ids.GRAPH_STATS``) holds their sums over the whole store:

- one ``cnkg:MentionTotal`` per (entity, newsletter): ``cnkg:mentionCount``, ``cnkg:issueCount``;
- one ``cnkg:CoMentionTotal`` per project pair: ``cnkg:sentenceCount``, ``cnkg:issueCount``.

The ranking queries read these few thousand rows instead of joining every mention.  The builder keeps
them current: it asks :func:`keys_of_graphs` which keys the issue graphs it is about to replace or remove
tally (before the write) and which keys the new graphs tally (after it), then calls :func:`refresh` on
the union.  A refresh recomputes exactly those keys from the tallies and replaces their totals in one
transaction, together with a stamp in the bookkeeping graph (:func:`current_stamp`) that tells the
builder which state of the store the totals were computed from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, QuerySolution, QuerySolutions, RdfFormat

from kg import ids
from kg.rdf import CNKG, PREFIXES, RDF
from kg.store import GraphStore

EntityKey = str
"""An entity's IRI: its ``cnkg:MentionTotal`` rows, one per newsletter."""
PairKey = tuple[str, str]
"""Two project IRIs in code point order (as ``STR(?a) < STR(?b)`` orders them): their ``cnkg:CoMentionTotal``."""
Key = EntityKey | PairKey

_STATS = f"<{ids.GRAPH_STATS}>"
_BUILD = f"<{ids.GRAPH_BUILD}>"


def keys_of_graphs(store: GraphStore, graphs: Iterable[str]) -> set[Key]:
    """The entities and project pairs tallied in these issue graphs (index lookups only).

    A tally with one ``cnkg:tallyOf`` counts an entity's mentions; one with two counts a pair's."""
    keys: set[Key] = set()
    for graph in graphs:
        counted: dict[object, list[str]] = {}
        for quad in store.store.quads_for_pattern(None, CNKG.tallyOf, None, NamedNode(graph)):
            counted.setdefault(quad.subject, []).append(quad.object.value)
        for iris in counted.values():
            if len(iris) == 1:
                keys.add(iris[0])
            else:
                first, second = sorted(iris)
                keys.add((first, second))
    return keys


def refresh(store: GraphStore, keys: Iterable[Key] | None, stamp: str) -> None:
    """Recompute the totals of ``keys`` (every key when None) from the tallies of all issue graphs and
    replace them in the stats graph, writing ``stamp`` into the bookkeeping graph: one transaction.

    A key no issue tallies any more loses its totals.  The sums are read first (plain queries: reads
    inside an update's transaction are several times slower once it has written), then written with
    the stamp in one update; the builder is the only writer, so nothing changes in between."""
    stats = NamedNode(ids.GRAPH_STATS)
    if keys is None:
        entities: list[EntityKey] | None = None
        pairs: list[PairKey] | None = None
        clear = f"DROP SILENT GRAPH {stats}"
    else:
        keys = set(keys)
        entities = sorted(k for k in keys if isinstance(k, str))
        pairs = sorted(k for k in keys if isinstance(k, tuple))
        stale = _stored_totals(store, entities, pairs)
        clear = f"DELETE DATA {{ GRAPH {stats} {{\n{_triples(stale)}}} }}" if stale else ""
    fresh = [*_mention_totals(store, entities), *_co_mention_totals(store, pairs)]
    build = NamedNode(ids.GRAPH_BUILD)
    operations = [
        clear,
        f"INSERT DATA {{ GRAPH {stats} {{\n{_triples(fresh)}}} }}" if fresh else "",
        f"DELETE WHERE {{ GRAPH {build} {{ {stats} {CNKG.statsStamp} ?stamp }} }}",
        f"INSERT DATA {{ GRAPH {build} {{ {stats} {CNKG.statsStamp} {Literal(stamp)} }} }}",
    ]
    store.store.update(" ;\n".join(op for op in operations if op))


def current_stamp(store: GraphStore) -> str | None:
    """The stamp of the last :func:`refresh`, None when the stats graph was never computed."""
    quads = store.store.quads_for_pattern(NamedNode(ids.GRAPH_STATS), CNKG.statsStamp, None, NamedNode(ids.GRAPH_BUILD))
    quad = next(iter(quads), None)
    return None if quad is None else quad.object.value


def _triples(quads: Iterable[Quad]) -> str:
    return "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads)


def _stored_totals(store: GraphStore, entities: list[EntityKey], pairs: list[PairKey]) -> list[Quad]:
    """Every quad of the stats graph's totals of these keys (index lookups)."""
    stats = NamedNode(ids.GRAPH_STATS)
    nodes: set[NamedNode] = set()
    for entity in entities:
        for quad in store.store.quads_for_pattern(None, CNKG.tallyOf, NamedNode(entity), stats):
            if Quad(quad.subject, RDF.type, CNKG.MentionTotal, stats) in store.store:
                nodes.add(quad.subject)
    nodes.update(NamedNode(ids.tally_iri("co-mention-total", first, second)) for first, second in pairs)
    return [quad for node in sorted(nodes, key=str) for quad in store.store.quads_for_pattern(node, None, None, stats)]


def _select(store: GraphStore, sparql: str) -> Iterator[QuerySolution]:
    result = store.store.query(sparql, prefixes=PREFIXES)
    assert isinstance(result, QuerySolutions)
    return iter(result)


def _mention_totals(store: GraphStore, entities: list[EntityKey] | None) -> Iterator[Quad]:
    """The MentionTotal quads of these entities (of every entity when None), summed from their tallies.

    Hash joins of three sub-selects (the entities' tallies, every tally's count, every issue graph's
    newsletter) rather than a lookup per tally: Oxigraph's point lookups cost several microseconds, and
    the entities of an issue are mostly popular ones, tallied in most issues (~100,000 tallies for one
    issue's entities at 10,000 issues)."""
    if entities == []:
        return
    values = "" if entities is None else "VALUES ?entity { " + " ".join(str(NamedNode(e)) for e in entities) + " }"
    # One MentionTally per (issue graph, entity): COUNT(*) counts issues.  The stats graph's totals
    # drop out at the join with the issue graphs' newsletters.
    sparql = f"""SELECT ?entity ?newsletter (SUM(?count) AS ?mentions) (COUNT(*) AS ?issues)
WHERE {{
  {{ SELECT ?tally ?entity ?graph WHERE {{ {values} GRAPH ?graph {{ ?tally cnkg:tallyOf ?entity }} }} }}
  {{ SELECT ?tally ?count WHERE {{ GRAPH ?anyGraph {{ ?tally cnkg:mentionCount ?count }} }} }}
  {{ SELECT ?graph ?newsletter WHERE {{ GRAPH ?graph {{ ?issue schema:isPartOf ?newsletter }} }} }}
}}
GROUP BY ?entity ?newsletter"""
    stats = NamedNode(ids.GRAPH_STATS)
    for row in _select(store, sparql):
        entity, newsletter = row["entity"], row["newsletter"]
        node = NamedNode(ids.tally_iri("mention-total", entity.value, newsletter.value))
        yield Quad(node, RDF.type, CNKG.MentionTotal, stats)
        yield Quad(node, CNKG.tallyOf, entity, stats)
        yield Quad(node, CNKG.inSeries, newsletter, stats)
        yield Quad(node, CNKG.mentionCount, row["mentions"], stats)
        yield Quad(node, CNKG.issueCount, row["issues"], stats)


def _co_mention_totals(store: GraphStore, pairs: list[PairKey] | None) -> Iterator[Quad]:
    """The CoMentionTotal quads of these project pairs (of every pair when None), summed from their tallies."""
    if pairs == []:
        return
    stats = NamedNode(ids.GRAPH_STATS)  # holds CoMentionTotals, with sentenceCount and tallyOf too
    if pairs is None:
        tallies = f"""GRAPH ?graph {{ ?tally cnkg:sentenceCount ?count ; cnkg:tallyOf ?first , ?second }}
  FILTER(?graph != {stats} && STR(?first) < STR(?second))"""
    else:
        # Each side's tallies through the index, the pair's as their hash join (a lookup per tally of a
        # popular project would cost seconds at 10,000 issues).
        firsts = " ".join(sorted({str(NamedNode(first)) for first, _ in pairs}))
        seconds = " ".join(sorted({str(NamedNode(second)) for _, second in pairs}))
        both = " ".join(f"({NamedNode(first)} {NamedNode(second)})" for first, second in pairs)
        tallies = f"""{{ SELECT ?tally ?count WHERE {{
    GRAPH ?graph {{ ?tally cnkg:sentenceCount ?count }} FILTER(?graph != {stats}) }} }}
  {{ SELECT ?tally ?first WHERE {{
    VALUES ?first {{ {firsts} }} GRAPH ?firstGraph {{ ?tally cnkg:tallyOf ?first }} }} }}
  {{ SELECT ?tally ?second WHERE {{
    VALUES ?second {{ {seconds} }} GRAPH ?secondGraph {{ ?tally cnkg:tallyOf ?second }} }} }}
  VALUES (?first ?second) {{ {both} }}"""
    # One CoMentionTally per (issue graph, pair): COUNT(*) counts issues.
    sparql = f"""SELECT ?first ?second (SUM(?count) AS ?sentences) (COUNT(*) AS ?issues)
WHERE {{
  {tallies}
}}
GROUP BY ?first ?second"""
    for row in _select(store, sparql):
        first, second = row["first"], row["second"]
        node = NamedNode(ids.tally_iri("co-mention-total", first.value, second.value))
        yield Quad(node, RDF.type, CNKG.CoMentionTotal, stats)
        yield Quad(node, CNKG.tallyOf, first, stats)
        yield Quad(node, CNKG.tallyOf, second, stats)
        yield Quad(node, CNKG.sentenceCount, row["sentences"], stats)
        yield Quad(node, CNKG.issueCount, row["issues"], stats)


class Totals:
    """Totals summed in Python from the tallies the workers report, for a build into an empty store:
    the same stats graph as ``refresh(store, None, …)`` at a fraction of its cost (10,000 issues: the
    grouped SPARQL pass of refresh takes ~10 s)."""

    def __init__(self) -> None:
        self.mentions: dict[tuple[str, str], list[int]] = {}  # (entity, newsletter) -> [mentions, issues]
        self.pairs: dict[tuple[str, str], list[int]] = {}  # (first, second) -> [sentences, issues]

    def add_issue(self, newsletter: str, tallies: Iterable[tuple[tuple[str, ...], int]]) -> None:
        """One stored issue's tallies: (entity,) -> mentions, or (first, second) -> sentences."""
        for iris, count in tallies:
            if len(iris) == 1:
                row = self.mentions.setdefault((iris[0], newsletter), [0, 0])
            else:
                first, second = sorted(iris)
                row = self.pairs.setdefault((first, second), [0, 0])
            row[0] += count
            row[1] += 1

    def write(self, store: GraphStore, stamp: str) -> None:
        """Replace the stats graph with these totals and set the stamp.  Two steps: the stamp goes
        first, so a crash in between leaves stats that the next build knows to be stale."""
        store.store.update(
            f"DROP SILENT GRAPH {_STATS} ;\nDELETE WHERE {{ GRAPH {_BUILD} {{ {_STATS} cnkg:statsStamp ?stamp }} }}",
            prefixes=PREFIXES,
        )
        integer = "<http://www.w3.org/2001/XMLSchema#integer>"
        stats, build = _STATS, _BUILD
        lines: list[str] = []
        for (entity, newsletter), (mentions, issues) in self.mentions.items():
            node = f"<{ids.tally_iri('mention-total', entity, newsletter)}>"
            lines += [
                f"{node} <{RDF_TYPE}> <{CNKG.MentionTotal.value}> {stats} .",
                f"{node} <{CNKG.tallyOf.value}> <{entity}> {stats} .",
                f"{node} <{CNKG.inSeries.value}> <{newsletter}> {stats} .",
                f'{node} <{CNKG.mentionCount.value}> "{mentions}"^^{integer} {stats} .',
                f'{node} <{CNKG.issueCount.value}> "{issues}"^^{integer} {stats} .',
            ]
        for (first, second), (sentences, issues) in self.pairs.items():
            node = f"<{ids.tally_iri('co-mention-total', first, second)}>"
            lines += [
                f"{node} <{RDF_TYPE}> <{CNKG.CoMentionTotal.value}> {stats} .",
                f"{node} <{CNKG.tallyOf.value}> <{first}> {stats} .",
                f"{node} <{CNKG.tallyOf.value}> <{second}> {stats} .",
                f'{node} <{CNKG.sentenceCount.value}> "{sentences}"^^{integer} {stats} .',
                f'{node} <{CNKG.issueCount.value}> "{issues}"^^{integer} {stats} .',
            ]
        store.store.bulk_load(("\n".join(lines) + "\n").encode("utf-8"), RdfFormat.N_QUADS)
        stamp_line = f"{stats} <{CNKG.statsStamp.value}> {Literal(stamp)} {build} .\n"
        store.store.load(stamp_line.encode("utf-8"), RdfFormat.N_QUADS)


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def tallies_of(quads: Iterable[Quad]) -> list[tuple[tuple[str, ...], int]]:
    """The tallies among one issue graph's quads, as plain data for :class:`Totals`."""
    counted: dict[Any, list[str]] = {}
    counts: dict[Any, int] = {}
    for quad in quads:
        if quad.predicate == CNKG.tallyOf:
            counted.setdefault(quad.subject, []).append(quad.object.value)
        elif quad.predicate in (CNKG.mentionCount, CNKG.sentenceCount):
            counts[quad.subject] = int(quad.object.value)
    return [(tuple(iris), counts[node]) for node, iris in counted.items() if node in counts]
